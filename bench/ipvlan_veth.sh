#!/bin/bash
# SPDX-License-Identifier: MIT
# ipvlan_veth.sh - per-packet cost of two containers on one host talking
# through routed-plugin's veth datapath vs an ipvlan l3 parent, side by side.
#
#   veth:   c1 eth0 =veth= host (forwarding, /32 routes, proxy ARP) =veth= c2 eth0
#   ipvlan: c3 eth0, c4 eth0: ipvlan l3 slaves of one parent (the port
#           delivers between them; no veth, no host forwarding)
#
# iperf3 in the namespaces: UDP 64-byte datagrams at full speed (packets per
# second, and ns per packet = 1e9 / pps) and TCP (Gbit/s), each for SECONDS
# (default 5). Prints figures, asserts nothing. On a kernel without ipvlan
# it runs in a qemu guest (tests/acceptance/lab.sh lab_guest_run): TCG
# emulation then, whose figures compare the two paths only roughly.
#
# Run: sudo bench/ipvlan_veth.sh [SECONDS]

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/acceptance/lab.sh"
T=${1:-5}

command -v iperf3 >/dev/null || lab_skip "iperf3 missing (package iperf3)"
if [ -z "${LAB_GUEST:-}" ]; then
	[ "$(id -u)" -eq 0 ] || lab_skip "must run as root"
	lab_ipvlan_here || lab_guest_run "$HERE/ipvlan_veth.sh"
fi
modprobe -q ipvlan 2>/dev/null; modprobe -q veth 2>/dev/null; modprobe -q dummy 2>/dev/null

ID=$$
H=ivb-h-$ID
NSS=("$H")
for c in c1 c2 c3 c4; do NSS+=("ivb-$c-$ID"); done
cleanup() { local ns; for ns in "${NSS[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns delete "$ns" 2>/dev/null; done; }
trap cleanup EXIT
for ns in "${NSS[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ns() { printf 'ivb-%s-%s\n' "$1" "$ID"; }
ip netns exec $H sysctl -qw net.ipv4.ip_forward=1
ip -n $H link add dum0 type dummy; ip -n $H link set dum0 up
ip -n $H route add default dev dum0

# the plugin's veth datapath, as plumb.c makes it
i=0
for c in c1 c2; do
	i=$((i + 1))
	ip -n $H link add rt$c type veth peer name eth0 netns "$(ns $c)"
	ip -n $H link set rt$c up
	ip netns exec $H sysctl -qw net.ipv4.conf.rt$c.proxy_arp=1 net.ipv4.neigh.rt$c.proxy_delay=0
	ip -n $H route add 10.9.1.$i/32 dev rt$c
	ip -n "$(ns $c)" addr add 10.9.1.$i/32 dev eth0
	ip -n "$(ns $c)" link set eth0 up
	ip -n "$(ns $c)" route add 169.254.1.1/32 dev eth0 scope link
	ip -n "$(ns $c)" route add default via 169.254.1.1 dev eth0
done

# ipvlan l3 on one parent
ip -n $H link add par0 type dummy; ip -n $H link set par0 up
i=0
for c in c3 c4; do
	i=$((i + 1))
	ip -n $H link add eth$c link par0 type ipvlan mode l3
	ip -n $H link set eth$c netns "$(ns $c)"
	ip -n "$(ns $c)" link set eth$c name eth0
	ip -n "$(ns $c)" addr add 10.9.2.$i/32 dev eth0
	ip -n "$(ns $c)" link set eth0 up
	ip -n "$(ns $c)" route add default dev eth0
done

# run SERVER-NS CLIENT-NS DST ARGS...: iperf3's JSON end summary
run() {
	local s=$1 c=$2 dst=$3; shift 3
	ip netns exec "$(ns $s)" iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.5
	ip netns exec "$(ns $c)" iperf3 -c "$dst" -t "$T" -J "$@" 2>/dev/null
}
udp_pps() {	# packets per second the receiver got
	run "$@" -u -l 64 -b 0 | python3 -c 'import json,sys
e = json.load(sys.stdin)["end"]["sum"]
print("%.0f" % ((e["packets"] - e["lost_packets"]) / e["seconds"]))' 2>/dev/null
}
tcp_gbps() {
	run "$@" | python3 -c 'import json,sys
print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null
}

lab_log "iperf3, $T s each, $(uname -r)${LAB_GUEST:+ (qemu TCG guest)}"
VU=$(udp_pps c2 c1 10.9.1.2); IU=$(udp_pps c4 c3 10.9.2.2)
VT=$(tcp_gbps c2 c1 10.9.1.2); IT=$(tcp_gbps c4 c3 10.9.2.2)
ns_per() { [ -n "$1" ] && [ "$1" != 0 ] && awk -v p="$1" 'BEGIN{printf "%.0f", 1e9 / p}' || echo -; }
lab_log "$(printf '%-30s %14s %14s' '' veth 'ipvlan l3')"
lab_log "$(printf '%-30s %14s %14s' 'UDP 64 B, packets/s' "${VU:--}" "${IU:--}")"
lab_log "$(printf '%-30s %14s %14s' 'UDP 64 B, ns per packet' "$(ns_per "$VU")" "$(ns_per "$IU")")"
lab_log "$(printf '%-30s %14s %14s' 'TCP, Gbit/s' "${VT:--}" "${IT:--}")"
echo "0 passed, 0 failed"
