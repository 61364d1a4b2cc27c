#!/usr/bin/env python3
"""capture.py: record what a real zebra sends and accepts, as test vectors.

Run as root by capture.sh, against a zebra it started in a private network
namespace with a veth pair (vcap0/vcap1, up).  Written from docs/zapi.md
alone (no codec of this tree), so that the vectors check the C codec
against zebra, not against itself.

  capture.py SOCKET RELEASE OUT      RELEASE: 8.4, 9.1, 10.1 or 10.3 (the numbering)

OUT gets one message a line, in wire order: "> LABEL HEX" sent by us,
"< LABEL HEX" sent by zebra.  Lines starting with # are comments.
"""
import ipaddress
import os
import socket
import struct
import subprocess
import sys
import time

# Wire codes of the commands used, and babel's route-type number.
REL = {
    "8.4": dict(hello=18, hello9=True, route_add=8, route_del=9, redist_add=11,
                notify_req=None, babel=22,
                names={0: "interface_add", 1: "interface_delete",
                       2: "interface_address_add", 3: "interface_address_delete",
                       4: "interface_up", 5: "interface_down", 10: "notify",
                       19: "caps", 30: "redistribute_route_add",
                       31: "redistribute_route_del", 33: "vrf_add",
                       42: "interface_link_params", 118: "error",
                       125: "client_close_notify"},
                other_hello=(19, False)),
    "9.1": dict(hello=18, hello9=True, route_add=8, route_del=9, redist_add=11,
                notify_req=None, babel=22,
                names={0: "interface_add", 1: "interface_delete",
                       2: "interface_address_add", 3: "interface_address_delete",
                       4: "interface_up", 5: "interface_down", 10: "notify",
                       19: "caps", 30: "redistribute_route_add",
                       31: "redistribute_route_del", 33: "vrf_add",
                       41: "interface_link_params", 117: "error",
                       124: "client_close_notify"},
                other_hello=(19, False)),
    "10.1": dict(hello=19, hello9=False, route_add=9, route_del=10,
                 redist_add=12, notify_req=124, babel=23,
                 names={0: "interface_add", 1: "interface_delete",
                        2: "interface_address_add", 3: "interface_address_delete",
                        4: "interface_up", 5: "interface_down", 11: "notify",
                        20: "caps", 31: "redistribute_route_add",
                        32: "redistribute_route_del", 34: "vrf_add",
                        42: "interface_link_params", 118: "error",
                        125: "client_close_notify"},
                 other_hello=(18, True)),
    "10.3": dict(hello=19, hello9=False, route_add=9, route_del=10,
                 redist_add=12, notify_req=126, babel=23,
                 names={0: "interface_add", 1: "interface_delete",
                        2: "interface_address_add", 3: "interface_address_delete",
                        4: "interface_up", 5: "interface_down", 11: "notify",
                        20: "caps", 31: "redistribute_route_add",
                        32: "redistribute_route_del", 33: "vrf_add",
                        41: "interface_link_params", 120: "error",
                        127: "client_close_notify"},
                 other_hello=(18, True)),
}
PROBE = 0xfff0


def msg(cmd, body=b"", vrf=0):
    return struct.pack("!HBBIH", 10 + len(body), 0xFE, 6, vrf, cmd) + body


def hello_body(rel_type, nine):
    # type, instance 0, session 0, [receive_notify 1], synchronous 0
    return struct.pack("!BHI", rel_type, 0, 0) + (b"\x01" if nine else b"") + b"\x00"


def route_body(rtype, prefix, ifindex=None, metric=None, tag=None):
    net = ipaddress.ip_network(prefix)
    fam = 2 if net.version == 4 else 10
    m = 0
    tail = b""
    nh = b""
    if ifindex is not None:
        m |= 0x01
        nh = struct.pack("!HIBBI", 1, 0, 1, 0, ifindex)   # 1 nexthop: vrf, IFINDEX, flags, ifindex
    if metric is not None:
        m |= 0x04
        tail += struct.pack("!I", metric)
    if tag is not None:
        m |= 0x08
        tail += struct.pack("!I", tag)
    plen = net.prefixlen
    pbytes = net.network_address.packed[: (plen + 7) // 8]
    return (struct.pack("!BHIIBBB", rtype, 0, 0, m, 1, fam, plen) + pbytes +
            nh + tail)


class Zebra:
    def __init__(self, path, rel, out):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(0.2)
        self.buf = b""
        self.rel = rel
        self.out = out

    def send(self, label, m):
        self.out.write("> %s %s\n" % (label, m.hex()))
        self.s.sendall(m)

    def drain(self, secs, until=None):
        """Record what zebra sends for secs (or until a label is seen)."""
        end = time.time() + secs
        seen = []
        while time.time() < end:
            try:
                d = self.s.recv(65536)
                if not d:
                    raise SystemExit("zebra closed the connection")
                self.buf += d
            except socket.timeout:
                pass
            while len(self.buf) >= 10:
                n = struct.unpack("!H", self.buf[:2])[0]
                if len(self.buf) < n:
                    break
                m, self.buf = self.buf[:n], self.buf[n:]
                cmd = struct.unpack("!H", m[8:10])[0]
                label = self.rel["names"].get(cmd, "cmd%d" % cmd)
                if label.startswith("interface") and not label.endswith("params"):
                    name = m[10:26].split(b"\0")[0].decode(errors="replace")
                    if label.startswith("interface_address"):
                        label += "_" + str(struct.unpack("!I", m[10:14])[0])
                    else:
                        label += "_" + name
                self.out.write("< %s %s\n" % (label, m.hex()))
                seen.append(label)
            if until and any(l.startswith(until) for l in seen):
                return seen
        return seen


def main():
    path, relname, outpath = sys.argv[1:4]
    rel = REL[relname]
    out = open(outpath, "w")
    z = Zebra(path, rel, out)
    z.drain(0.3)
    # detection as zapi.md 9 describes: the probe, a wrong HELLO, the right one
    z.send("probe", msg(PROBE))
    z.drain(2, "error")
    oc, o9 = rel["other_hello"]
    # the other numbering's HELLO (babel is 22 before 10.0, 23 after)
    z.send("hello_other", msg(oc, hello_body(22 if o9 else 23, o9)))
    z.drain(2, "error")
    z.send("hello", msg(rel["hello"], hello_body(rel["babel"], rel["hello9"])))
    z.drain(1.0)
    if rel["notify_req"] is not None:
        z.send("notify_request", msg(rel["notify_req"], b"\x01"))
    z.send("interface_dump", msg(0))
    z.drain(1.0)
    subprocess.check_call(["ip", "link", "set", "vcap0", "down"])
    z.drain(1.0)
    subprocess.check_call(["ip", "link", "set", "vcap0", "up"])
    z.drain(2.0, "interface_up_vcap0")
    z.drain(0.5)
    ifx = socket.if_nametoindex("vcap0")
    z.send("route_add", msg(rel["route_add"], route_body(rel["babel"], "10.46.1.7/32",
                                                          ifx, 55, 100)))
    z.drain(3, "notify")
    z.send("route_add6", msg(rel["route_add"], route_body(rel["babel"], "fd46::7/128",
                                                           ifx)))
    z.drain(3, "notify")
    z.drain(0.5)
    z.send("redistribute_add", msg(rel["redist_add"], struct.pack("!BBH", 1, rel["babel"], 0)))
    z.drain(3, "redistribute_route_add")
    z.send("route_delete", msg(rel["route_del"], route_body(rel["babel"], "10.46.1.7/32")))
    z.drain(3, "notify")
    z.drain(0.5)
    out.close()


if __name__ == "__main__":
    main()
