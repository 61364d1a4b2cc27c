#!/bin/bash
# SPDX-License-Identifier: MIT
# ipvlan_delete.sh - what DeleteEndpoint of an ipvlan endpoint costs the
# caller, against the kernel's own cost of deleting one ipvlan slave (an
# RCU grace period), measured in the same run.
#
# A routed-plugin of this tree (--announce none) in a network namespace of
# its own, an ipvlan l3 network on a dummy parent; ROUNDS times (default
# 100) CreateEndpoint then DeleteEndpoint, timed by the client, in two
# cases: with a sibling endpoint alive (the endpoint's slave goes) and as
# the network's last endpoint (its slave and the network's host link go).
# The floor: ROUNDS slaves made, then deleted one RTM_DELLINK each by one
# `ip -batch`. Prints figures, asserts nothing. On a kernel without ipvlan
# it runs in a qemu guest (tests/acceptance/lab.sh lab_guest_run): TCG
# emulation then, whose absolute figures are slow; the ratio is the point.
#
# Run: sudo bench/ipvlan_delete.sh [ROUNDS]
# Environment: DAEMON (default src/routed-plugin of this tree).

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/acceptance/lab.sh"
N=${1:-${ROUNDS:-100}}
DAEMON=${DAEMON:-$HERE/../src/routed-plugin}
PY=/usr/bin/python3

[ -x "$DAEMON" ] || lab_skip "$DAEMON not found: build it with make"
[ -x "$PY" ] || lab_skip "$PY missing"
if [ -z "${LAB_GUEST:-}" ]; then
	[ "$(id -u)" -eq 0 ] || lab_skip "must run as root"
	lab_ipvlan_here || LAB_GUEST_ENV="DAEMON=$DAEMON ROUNDS=$N" lab_guest_run "$HERE/ipvlan_delete.sh"
fi
# the guest's console passes on only lines that start with "# " (and its
# /dev has no /dev/fd for a process substitution)
if [ -n "${LAB_GUEST:-}" ] && [ -z "${_IPVDEL_PIPED:-}" ]; then
	_IPVDEL_PIPED=1 bash "$0" "$N" 2>&1 | sed -u 's/^/# /'
	exit "${PIPESTATUS[0]}"
fi
modprobe -q ipvlan 2>/dev/null; modprobe -q dummy 2>/dev/null; modprobe -q veth 2>/dev/null

NS=ipvdel-$$
T=$(mktemp -d /tmp/ipvdel.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns delete "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv6.conf.all.disable_ipv6=1
ip -n "$NS" link add par0 type dummy
ip -n "$NS" addr add 192.0.2.1/24 dev par0
ip -n "$NS" link set par0 up

ip netns exec "$NS" "$DAEMON" --announce none --socket-dir "$T/sock" \
    --state-dir "$T/state" --run-dir "$T/run" 2> "$T/daemon.log" &
PID=$!
up() { [ -S "$T/sock/net-routed.sock" ] || { kill -0 "$PID" 2>/dev/null || return 255; return 1; }; }
if ! retry 10 up; then
	echo "ipvlan_delete: the daemon did not start:" >&2
	cat "$T/daemon.log" >&2
	exit 1
fi
echo "ipvlan_delete: $(uname -r), $(nproc) CPUs, $N rounds, daemon $DAEMON"

"$PY" - "$T/sock/net-routed.sock" "$N" <<'EOF' || exit 1
import socket, statistics, sys, time

path, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX)
s.connect(path)
buf = b""

def call(what, body):
    global buf
    b = body.encode()
    s.sendall(b"POST /NetworkDriver.%s HTTP/1.1\r\nHost: plugin\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % (what.encode(), len(b)) + b)
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, _, buf = buf.partition(b"\r\n\r\n")
    clen = int([l.split(b":")[1] for l in head.split(b"\r\n")
                if l.lower().startswith(b"content-length:")][0])
    while len(buf) < clen:
        buf += s.recv(65536)
    reply, buf = buf[:clen], buf[clen:]
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit("%s: %s" % (what, reply.decode()))

NID = "4e" * 32
def ep(i):   # names derive from the first 12 hex digits: distinct ones
    return "%012x" % (0xe00000000000 + i) + "5" * 52
def ids(i):
    return '"NetworkID":"%s","EndpointID":"%s"' % (NID, ep(i))

call("CreateNetwork", '{"NetworkID":"%s","Options":{"com.docker.network.'
     'generic":{"routed.link":"ipvlan","routed.parent":"par0",'
     '"routed.ipvlan-mode":"l3"}},"IPv4Data":[{"Pool":"10.77.0.0/16",'
     '"Gateway":"10.77.0.1/16"}],"IPv6Data":[]}' % NID)

def rounds(first):
    made, gone = [], []
    for i in range(first, first + n):
        a = "10.77.%d.%d/32" % (1 + i // 250, 2 + i % 250)
        t0 = time.perf_counter()
        call("CreateEndpoint", '{%s,"Interface":{"Address":"%s"}}' % (ids(i), a))
        t1 = time.perf_counter()
        call("DeleteEndpoint", '{%s}' % ids(i))
        t2 = time.perf_counter()
        made.append((t1 - t0) * 1e3)
        gone.append((t2 - t1) * 1e3)
    return made, gone

def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]

last_c, last_d = rounds(1)
call("CreateEndpoint", '{%s,"Interface":{"Address":"10.77.200.2/32"}}' % ids(9999))
sib_c, sib_d = rounds(20000)
print("plugin, ms per call (client side): median / p90")
print("  DeleteEndpoint, a sibling alive (the slave goes):        %7.2f / %7.2f"
      % (statistics.median(sib_d), q(sib_d, 0.9)))
print("  DeleteEndpoint, last endpoint (slave and network link):  %7.2f / %7.2f"
      % (statistics.median(last_d), q(last_d, 0.9)))
print("  CreateEndpoint, a sibling alive:                         %7.2f / %7.2f"
      % (statistics.median(sib_c), q(sib_c, 0.9)))
with open(path + ".med", "w") as f:
    f.write("%f %f\n" % (statistics.median(sib_d), statistics.median(last_d)))
EOF

# the floor: the kernel's own deletion of one ipvlan slave, one request each
for i in $(seq 1 "$N"); do echo "link add rf$i link par0 type ipvlan mode l3"; done > "$T/add"
for i in $(seq 1 "$N"); do echo "link del rf$i"; done > "$T/del"
ip -n "$NS" -batch "$T/add"
t0=$(date +%s%N)
ip -n "$NS" -batch "$T/del"
t1=$(date +%s%N)
read -r sib last < "$T/sock/net-routed.sock.med"
awk -v ns=$((t1 - t0)) -v n="$N" -v sib="$sib" -v last="$last" 'BEGIN {
	f = ns / n / 1e6
	printf "kernel floor: one ipvlan slave deleted (RTM_DELLINK), ms: %.2f\n", f
	printf "ratio DeleteEndpoint / floor: sibling alive %.2f, last endpoint %.2f\n", sib / f, last / f
}'
if grep -E '\[(warning|error)\]' "$T/daemon.log" | grep -v ip_forward; then
	echo "(the daemon's warnings above)"
fi
