#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""capture_quagga.py: record what a real Quagga 1.2 zebra (ZSERV 3) sends and
accepts, as test vectors.

Run as root by capture.sh (RELEASE quagga1.2), against a zebra it started in
a private network namespace with a veth pair (vcap0/vcap1, up).  Written
from the Quagga paragraph of docs/zapi.md section 9 (no codec of this tree).

  capture_quagga.py SOCKET OUT

OUT: one message a line, "> LABEL HEX" sent by us, "< LABEL HEX" sent by
zebra, in wire order; "# ..." comments (e.g. that zebra closed the socket).
"""
import ipaddress
import socket
import struct
import subprocess
import sys
import time

NAMES = {1: "interface_add", 2: "interface_delete", 3: "interface_address_add",
         4: "interface_address_delete", 5: "interface_up",
         6: "interface_down", 7: "ipv4_route_add", 8: "ipv4_route_delete",
         9: "ipv6_route_add", 10: "ipv6_route_delete", 22: "router_id_update",
         26: "interface_link_params"}
BABEL = 13


def msg(cmd, body=b"", vrf=0):
    return struct.pack("!HBBHH", 8 + len(body), 0xFF, 3, vrf, cmd) + body


def frr_msg(cmd, body=b""):
    return struct.pack("!HBBIH", 10 + len(body), 0xFE, 6, 0, cmd) + body


def route_body(prefix, ifindex=None, metric=None, tag=None):
    # u8 type, u8 flags, u8 message, u16 safi, u8 plen, prefix,
    # [u8 n, (u8 nh type, data)...], [metric u32], [tag u32]
    net = ipaddress.ip_network(prefix)
    m = 0
    tail = b""
    nh = b""
    if ifindex is not None:
        m |= 0x01
        nh = struct.pack("!BBI", 1, 1, ifindex)    # one IFINDEX nexthop
    if metric is not None:
        m |= 0x08
        tail += struct.pack("!I", metric)
    if tag is not None:
        m |= 0x20
        tail += struct.pack("!I", tag)
    plen = net.prefixlen
    return (struct.pack("!BBBHB", BABEL, 0, m, 1, plen) +
            net.network_address.packed[:(plen + 7) // 8] + nh + tail)


class Zebra:
    def __init__(self, path, out):
        self.path = path
        self.out = out
        self.connect()

    def connect(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(self.path)
        self.s.settimeout(0.2)
        self.buf = b""
        self.closed = False

    def send(self, label, m):
        self.out.write("> %s %s\n" % (label, m.hex()))
        self.s.sendall(m)

    def drain(self, secs, until=None):
        end = time.time() + secs
        seen = []
        while time.time() < end and not self.closed:
            try:
                d = self.s.recv(65536)
                if not d:
                    self.out.write("# zebra closed the connection\n")
                    self.closed = True
                self.buf += d
            except socket.timeout:
                pass
            except ConnectionResetError:
                # closed with our bytes unread: a reset, not an EOF
                self.out.write("# zebra closed the connection (reset)\n")
                self.closed = True
            while len(self.buf) >= 8:
                n = struct.unpack("!H", self.buf[:2])[0]
                if len(self.buf) < n:
                    break
                m, self.buf = self.buf[:n], self.buf[n:]
                cmd = struct.unpack("!H", m[6:8])[0]
                label = NAMES.get(cmd, "cmd%d" % cmd)
                if label.startswith("interface_address"):
                    label += "_" + str(struct.unpack("!I", m[8:12])[0])
                elif label.startswith("interface") and not label.endswith("params"):
                    label += "_" + m[8:28].split(b"\0")[0].decode(errors="replace")
                self.out.write("< %s %s\n" % (label, m.hex()))
                seen.append(label)
            if until and any(l.startswith(until) for l in seen):
                return seen
        return seen


def main():
    path, outpath = sys.argv[1:3]
    out = open(outpath, "w")
    z = Zebra(path, out)
    z.drain(0.3)
    # what an FRR-speaking client sends first: ZAPI 6's detection probe
    z.send("frr_probe", frr_msg(0xFFF0))
    z.drain(2)
    z.connect()
    # an FRR 8.4 HELLO (cmd 18, 9-byte body) on a fresh connection
    z.send("frr_hello", frr_msg(18, struct.pack("!BHIBB", 22, 0, 0, 1, 0)))
    z.drain(2)
    z.connect()
    z.drain(0.3)
    z.send("router_id_add", msg(20))
    z.drain(2, "router_id_update")
    z.send("router_id_delete", msg(21))
    z.send("hello", msg(23, bytes([BABEL])))
    z.send("interface_dump", msg(1))
    z.drain(1.0)
    subprocess.check_call(["ip", "link", "set", "vcap0", "down"])
    z.drain(1.0)
    subprocess.check_call(["ip", "link", "set", "vcap0", "up"])
    z.drain(2.0, "interface_up_vcap0")
    z.drain(0.5)
    ifx = socket.if_nametoindex("vcap0")
    z.send("redistribute_add", msg(11, bytes([BABEL])))
    z.drain(0.5)
    z.send("route_add", msg(7, route_body("10.46.1.7/32", ifx, 55, 100)))
    z.drain(3, "ipv4_route_add")
    z.send("route_add6", msg(9, route_body("fd46::7/128", ifx)))
    z.drain(3, "ipv6_route_add")
    z.send("route_delete", msg(8, route_body("10.46.1.7/32")))
    z.drain(3, "ipv4_route_delete")
    z.send("route_delete6", msg(10, route_body("fd46::7/128")))
    z.drain(3, "ipv6_route_delete")
    # a command zebra does not know: no ERROR in ZSERV 3
    z.send("unknown", msg(0x7ff0))
    z.drain(1.0)
    out.close()


if __name__ == "__main__":
    main()
