#!/bin/bash
# SPDX-License-Identifier: MIT
# ipvlan_datapath.sh - the datapath of routed.link=ipvlan networks, with the
# real plugin and kernel, in every mode, without Docker.
#
# Host A runs routed-plugin announcing to its zebra; host B is its neighbour
# over fabA/fabB, and both run FRR with OSPF (frr-conf/): B learns the l3
# container's /32 by OSPF only, the other networks (routed.announce=none)
# by static routes to A. The test makes
# Docker's calls itself (curl on the plugin's socket) and does what Docker
# does at Join and Leave (moves the interface named SrcName into or out of
# the container's namespace, renames it, gives it its address, the gateway
# route and the default route). Networks: veth 10.46/16, ipvlan l3 on fabA
# 10.45/16, l2 on par2 (a dummy) 10.47/16, l3s on a second link fab3A
# 10.48/16, one container each. Checks: A -> each ipvlan container, B -> it,
# it -> B; l2 <-> the veth container; l3 -> the veth container fails (the
# kernel's limit, README); B's kernel has the l3 container's /32 proto ospf
# via A, after kill -9 and restart too, and not once it is deleted;
# routedctl check agrees, and names the slave of a container whose
# namespace died; after kill -9
# and a restart of the plugin a live container whose sandbox file the
# plugin cannot see is kept (the parent's ipvlan port still holds its
# address) and one whose namespace died is forgotten with its host route;
# Leave/DeleteEndpoint remove the slave and the network's host link.
#
# A kernel without ipvlan (CONFIG_IPVLAN) runs it in a qemu guest on
# Debian's kernel (packages qemu-system-x86 and linux-image-amd64) with this
# machine's root file system read-only over 9p; without those it is skipped.
#
# Run: sudo tests/acceptance/ipvlan_datapath.sh

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lab.sh"

# ---------------------------------------------------------------- kernel

if [ -z "${LAB_GUEST:-}" ]; then
	[ "$(id -u)" -eq 0 ] || lab_skip "must run as root"
	lab_ipvlan_here || lab_guest_run "$HERE/ipvlan_datapath.sh"
fi

# ---------------------------------------------------------------- lab

command -v curl >/dev/null || lab_skip "curl missing"
modprobe -q ipvlan 2>/dev/null; modprobe -q veth 2>/dev/null; modprobe -q dummy 2>/dev/null
lab_init_dir
A=hostA
B=hostB
GW=169.254.1.1
CNS=()
cleanup_containers() { local ns; for ns in "${CNS[@]}"; do ip netns delete "$ns" 2>/dev/null; done; }
trap 'rc=$?; cleanup_containers; (exit $rc); _lab_exit_trap' EXIT

lab_frr_need
lab_host $A 10.250.0.1/32
lab_host $B 10.250.0.2/32
lab_link $A fabA $B fabB
lab_link $A fab3A $B fab3B
lab_ip $A addr add 10.200.0.1/30 dev fabA
lab_ip $B addr add 10.200.0.2/30 dev fabB
lab_ip $A addr add 10.201.0.1/30 dev fab3A
lab_ip $B addr add 10.201.0.2/30 dev fab3B
# 10.45 (l3) by OSPF only
for p in 10.46 10.47; do lab_ip $B route add $p.0.0/16 via 10.200.0.1; done
lab_ip $B route add 10.48.0.0/16 via 10.201.0.1
lab_ip $A link add par2 type dummy; lab_ip $A link set par2 up
lab_frr $A ospf HOSTNAME=$A ROUTER_ID=10.250.0.1 FABRIC_IF=fabA FABRIC_NET=10.200.0.0/30
lab_frr $B ospf HOSTNAME=$B ROUTER_ID=10.250.0.2 FABRIC_IF=fabB FABRIC_NET=10.200.0.0/30
# A deleted endpoint's links wait 3 s in the teardown group (default 20 ms),
# so that the test sees them wait and a new endpoint claim them.
PLUGIN_FLAGS=(--gateway $GW --zebra-socket "$(lab_zserv $A)" --zebra-route-type babel
	--teardown-delay 3000)
lab_plugin $A "${PLUGIN_FLAGS[@]}"
lab_ospf_adjacency $A $B
SOCK=$(lab_ddir $A)/plugins/net-routed.sock

# call PATH BODY: Docker's call; CODE and REPLY hold the HTTP status and body
call() {
	CODE=$(curl -s -o "$LAB_DIR/reply" -w '%{http_code}' --unix-socket "$SOCK" \
		-X POST "http://plugin/NetworkDriver.$1" -d "$2")
	REPLY=$(cat "$LAB_DIR/reply")
}
call_ok() {
	local text=$1; shift
	call "$@"
	if [ "$CODE" = 200 ]; then ok "$text"; else fail "$text"; show "$CODE $REPLY"; fi
}

hex() { printf '%s' "$1" | sha256sum | cut -c1-64; }
net() {	# net NAME SUBNET GENERIC-JSON
	call_ok "CreateNetwork $1 ($2)" CreateNetwork "{\"NetworkID\":\"$(hex "$1")\",\"Options\":{\"com.docker.network.generic\":{$3}},\"IPv4Data\":[{\"Pool\":\"$2\"}],\"IPv6Data\":[]}"
}
ids() { printf '"NetworkID":"%s","EndpointID":"%s"' "$(hex "$1")" "$(hex "ep-$2")"; }

# container NAME NET ADDR [SANDBOX]: CreateEndpoint, Join, and Docker's part
container() {
	local c=$1 n=$2 a=$3 sb=${4:-/nonexistent/netns/$1} ns="ipvdp-$1-$LAB_ID" src
	CNS+=("$ns"); ip netns add "$ns"
	eval "NS_$c=$ns"
	call_ok "$c: CreateEndpoint on $n" CreateEndpoint "{$(ids "$n" "$c"),\"Interface\":{\"Address\":\"$a/32\"}}"
	call Join "{$(ids "$n" "$c"),\"SandboxKey\":\"$sb\"}"
	src=$(printf '%s' "$REPLY" | sed -n 's/.*"SrcName":"\([^"]*\)".*/\1/p')
	if [ "$CODE" = 200 ] && [ -n "$src" ]; then ok "$c: Join gives SrcName $src"
	else fail "$c: Join"; show "$CODE $REPLY"; return; fi
	eval "SRC_$c=$src"
	lab_ip $A link set "$src" netns "$ns"
	ip -n "$ns" link set "$src" name eth0
	ip -n "$ns" addr add "$a/32" dev eth0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add $GW/32 dev eth0 scope link
	ip -n "$ns" route add default via $GW dev eth0
}
# Leave's part of Docker, then Leave and DeleteEndpoint
remove() {
	local c=$1 n=$2 ns src
	eval "ns=\$NS_$c src=\$SRC_$c"
	ip -n "$ns" link set eth0 down
	ip -n "$ns" link set eth0 netns "${LAB_NS[$A]}"
	lab_ip $A link set eth0 name "$src"
	call_ok "$c: Leave" Leave "{$(ids "$n" "$c")}"
	call_ok "$c: DeleteEndpoint" DeleteEndpoint "{$(ids "$n" "$c")}"
}
in_c() { local ns; eval "ns=\$NS_$1"; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
pingc() { in_c "$1" busybox ping -c 2 -W 2 "$2"; }
our_links() { lab_ip $A -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^r[tcv][0-9a-f]{12}$' | sort; }

# ---------------------------------------------------------------- set up

NONE='"routed.announce":"none"'
net veth 10.46.0.0/16 "$NONE"
net l3 10.45.0.0/16 '"routed.link":"ipvlan","routed.parent":"fabA","routed.ipvlan-mode":"l3"'
net l2 10.47.0.0/16 "$NONE"',"routed.link":"ipvlan","routed.parent":"par2","routed.ipvlan-mode":"l2"'
net l3s 10.48.0.0/16 "$NONE"',"routed.link":"ipvlan","routed.parent":"fab3A","routed.ipvlan-mode":"l3s"'
container cv veth 10.46.1.7
container ci l3 10.45.1.7
container c2 l2 10.47.1.7
container cs l3s 10.48.1.7
assert_contains "$(in_c ci ip -d link show eth0)" 'ipvlan +mode l3 ' "ci: eth0 is an ipvlan slave, mode l3"
assert_contains "$(in_c c2 ip -d link show eth0)" 'ipvlan +mode l2 ' "c2: eth0 is an ipvlan slave, mode l2"
assert_contains "$(in_c cs ip -d link show eth0)" 'ipvlan +mode l3s ' "cs: eth0 is an ipvlan slave, mode l3s"
assert_contains "$(in_c cv ip -d link show eth0)" 'veth' "cv: eth0 is a veth"
RV_L3=rv$(hex l3 | cut -c1-12)
assert_contains "$(lab_ip $A -d link show $RV_L3)" 'ipvlan +mode l3 ' "A: $RV_L3, l3's host link, is an ipvlan of fabA"
assert_contains "$(lab_ip $A route show 10.45.1.7)" "dev $RV_L3" "A: host route to ci through $RV_L3"

# ---------------------------------------------------------------- OSPF

ospf_ci() { lab_ip $B -4 route show exact 10.45.1.7/32 proto ospf | grep -q 'via 10\.200\.0\.1 dev fabB'; }
no_ospf_ci() { ! ospf_ci; }
if retry 30 ospf_ci; then ok "B: kernel has ci's 10.45.1.7/32 proto ospf via A"
else fail "B: kernel has ci's 10.45.1.7/32 proto ospf via A"; lab_ip $B -4 route show | sed 's/^/#   | /'; fi
assert_eq "$(lab_ip $B -4 route show proto ospf | grep -c '^10\.4[678]\.')" 0 "B: nothing of the routed.announce=none networks by OSPF"

# ---------------------------------------------------------------- check

CTL=${LAB_ROUTEDCTL:-$(dirname "$LAB_PLUGIN_BIN")/routedctl}
ctl() { "$CTL" --run-dir "$(lab_hdir $A)/run" "$@"; }
ctl_agrees() { ctl check >/dev/null 2>&1; }
if retry 10 ctl_agrees; then ok "A: routedctl check agrees (veth, ipvlan l3, l2, l3s endpoints)"
else fail "A: routedctl check agrees (veth, ipvlan l3, l2, l3s endpoints)"; ctl check | sed 's/^/#   | /'; fi
container cx l3 10.45.1.9
ip netns delete "$NS_cx"
out=$(ctl check 2>&1); rc=$?
assert_eq "$rc" 1 "A: routedctl check exits 1 once cx's namespace died"
assert_contains "$out" "$SRC_cx" "A: ... naming cx's ipvlan slave $SRC_cx"
call_ok "cx: Leave" Leave "{$(ids l3 cx)}"
call_ok "cx: DeleteEndpoint" DeleteEndpoint "{$(ids l3 cx)}"
if retry 10 ctl_agrees; then ok "A: routedctl check agrees again"
else fail "A: routedctl check agrees again"; ctl check | sed 's/^/#   | /'; fi

# ---------------------------------------------------------------- traffic

# In l3 and l3s the kernel sends an ipvlan container's packets out of its
# parent only (ipvlan_process_outbound routes them with the parent as output
# interface): they reach the host and what lies behind the parent, never a
# veth container of the same host or a container behind another parent
# (README). In l2 they go through the host's stack and reach everything.
matrix() {
	local when=$1 c a m
	# l3/l3s: the container's reply leaves through its parent, so the
	# host's source address must be one of the parent's (README)
	for c in ci:10.45.1.7:l3:10.200.0.2:10.200.0.1 cs:10.48.1.7:l3s:10.201.0.2:10.201.0.1 \
	    c2:10.47.1.7:l2:10.200.0.2:; do
		IFS=: read -r c a m b src <<< "$c"
		ping_ok "A (host${src:+, from $src}) -> $c $a ($m)$when" \
			lab_exec $A busybox ping ${src:+-I $src} -c 2 -W 2 $a
		ping_ok "B -> $c $a ($m, other host)$when" lab_exec $B busybox ping -c 2 -W 2 $a
		ping_ok "$c ($m) -> B $b (other host)$when" pingc $c $b
	done
	ping_ok "c2 (l2) -> cv 10.46.1.7 (veth, same host)$when" pingc c2 10.46.1.7
	ping_ok "cv (veth) -> c2 10.47.1.7 (l2, same host)$when" pingc cv 10.47.1.7
	ping_ok "B -> cv 10.46.1.7 (veth, control)$when" lab_exec $B busybox ping -c 2 -W 2 10.46.1.7
	if pingc ci 10.46.1.7 >/dev/null 2>&1; then
		fail "ci (l3) -> cv (veth, same host) fails, as README says"
	else
		ok "ci (l3) -> cv (veth, same host) fails, as README says"
	fi
}
matrix ""

# ---------------------------------------------------------------- restarts

lab_log "--- kill -9; cs's container dies meanwhile; a new plugin"
kill -KILL "${LAB_PLUGIN_PID[$A]}"; wait "${LAB_PLUGIN_PID[$A]}" 2>/dev/null
LAB_PLUGIN_PID[$A]=
ip netns delete "$NS_cs"
lab_plugin $A "${PLUGIN_FLAGS[@]}"
call EndpointOperInfo "{$(ids l3 ci)}"
assert_eq "$CODE" 200 "ci kept: its sandbox file is out of sight, its address is on fabA's ipvlan port"
call EndpointOperInfo "{$(ids l3s cs)}"
assert_contains "$CODE $REPLY" '^500 .*unknown endpoint' "cs forgotten: its namespace died with the plugin down"
assert_eq "$(lab_ip $A route show 10.48.1.7)" "" "A: cs's host route is gone"
assert_not_contains "$(lab_ip $A -o link show)" 'rvprobe' "A: no probe link left"
if retry 10 ospf_ci; then ok "B: ci's /32 by OSPF after kill -9 and restart"
else fail "B: ci's /32 by OSPF after kill -9 and restart"; fi
ping_ok "B -> ci after kill -9" lab_exec $B busybox ping -c 2 -W 2 10.45.1.7
ping_ok "ci -> B after kill -9" pingc ci 10.200.0.2
ping_ok "A (host) -> ci after kill -9" lab_exec $A busybox ping -I 10.200.0.1 -c 2 -W 2 10.45.1.7
ping_ok "cv -> c2 (l2) after kill -9" pingc cv 10.47.1.7

# ---------------------------------------------------------------- removal

lab_log "--- Leave, DeleteEndpoint, DeleteNetwork"
TD_GROUP=1919968359	# TEARDOWN_GROUP, "rpdg"
in_group() { lab_ip $A -d link show "$1" 2>/dev/null | grep -q " group $TD_GROUP "; }
remove ci l3
assert_eq "$(lab_ip $A route show 10.45.1.7)" "" "A: ci's host route is gone at DeleteEndpoint's reply"
# l3's last endpoint: its slave and the network's link wait in the group,
# deleted after the reply and off the plugin's event loop
if in_group "$RV_L3" && in_group "$SRC_ci"; then ok "A: ci's slave and $RV_L3 wait in the teardown group"
else fail "A: ci's slave and $RV_L3 wait in the teardown group"; lab_ip $A -d link show | sed 's/^/#   | /'; fi
# ... and a new endpoint of l3 at once renames them out of its way
container cn l3 10.45.1.8
if lab_ip $A -d link show "$RV_L3" | grep -q 'ipvlan  *mode l3 ' && ! in_group "$RV_L3"; then
	ok "A: cn has an $RV_L3 of its own, not in the group"
else fail "A: cn has an $RV_L3 of its own, not in the group"; lab_ip $A -d link show | sed 's/^/#   | /'; fi
rd_gone() { ! lab_ip $A -o link show | grep -qE ': rd[0-9a-f]+[:@]'; }
if retry 10 rd_gone; then ok "A: the renamed links went with the batch"
else fail "A: the renamed links went with the batch"; lab_ip $A -o link show | sed 's/^/#   | /'; fi
assert_contains "$(lab_ip $A route show 10.45.1.8)" "dev $RV_L3" "A: host route to cn through the new $RV_L3"
ospf_cn() { lab_ip $B -4 route show exact 10.45.1.8/32 proto ospf | grep -q 'via 10\.200\.0\.1 dev fabB'; }
if retry 30 ospf_cn; then ok "B: cn's /32 by OSPF"; else fail "B: cn's /32 by OSPF"; fi
ping_ok "B -> cn 10.45.1.8 (l3, the reclaimed network link)" lab_exec $B busybox ping -c 2 -W 2 10.45.1.8
ping_ok "cn -> B (l3)" pingc cn 10.200.0.2
ping_ok "A (host, from 10.200.0.1) -> cn" lab_exec $A busybox ping -I 10.200.0.1 -c 2 -W 2 10.45.1.8
remove cn l3
links_l3_gone() { [ "$(lab_ip $A -o link show | grep -cE "$SRC_ci|$SRC_cn|$RV_L3")" = 0 ]; }
if retry 10 links_l3_gone; then ok "A: the slaves and l3's host link are gone"
else fail "A: the slaves and l3's host link are gone"; lab_ip $A -o link show | sed 's/^/#   | /'; fi
if retry 15 no_ospf_ci; then ok "B: ci's /32 withdrawn (OSPF) after DeleteEndpoint"
else fail "B: ci's /32 withdrawn (OSPF) after DeleteEndpoint"; lab_ip $B -4 route show exact 10.45.1.7/32 | sed 's/^/#   | /'; fi
remove c2 l2
remove cv veth
for n in veth l3 l2 l3s; do call_ok "DeleteNetwork $n" DeleteNetwork "{\"NetworkID\":\"$(hex $n)\"}"; done
# (cv's veth goes in a batch after DeleteEndpoint's reply: --teardown-delay)
no_links() { [ -z "$(our_links)" ]; }
retry 10 no_links
assert_eq "$(our_links)" "" "A: no link of ours left"
lab_plugin_stop $A
lab_done
