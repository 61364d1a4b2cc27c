#!/bin/bash
# SPDX-License-Identifier: MIT
# two_hosts_bgp.sh - routed-plugin announcing container /32s to FRR's zebra,
# carried to a second host by eBGP.
#
# Two lab hosts A (AS 64601) and B (AS 64602) joined by a /30 (lab_pair),
# each with its own FRR (zebra + bgpd from frr-conf/bgpd.conf, placeholders
# filled in), its own dockerd and a routed-plugin started with
# --zebra-socket. One network 10.46.0.0/16 on both hosts, --ip-range
# 10.46.1.0/24 on A and 10.46.2.0/24 on B.
# Checks: session established; each host's container /32 in the other's
# kernel "proto bgp" (and in BGP with the neighbour's AS path); pings both
# ways; routed.metric becomes the MED; a tag the route-map denies stays
# local; rm -f withdraws the /32.
# VXLAN segments (issue 16), same lab: one /24 on both hosts over VNI 100
# with EVPN from frr-conf/bgpd.conf: pings across hosts, the remote MAC in
# the FDB from EVPN (extern_learn on a nolearning device), the same gateway
# MAC on both hosts, a routed container and a segment container, kill -9
# and restart without new devices, rm on A empties B's FDB; a plain
# namespace's VXLAN devices reach containers over a static flood entry (VNI
# 200) and a multicast group (VNI 201); bad segment options leave nothing.
#
# Run: sudo tests/acceptance/two_hosts_bgp.sh
# Needs root, docker.io, frr, busybox-static. LAB_KEEP=1 keeps the lab dir.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

A=hostA
B=hostB
GW=169.254.1.1

lab_init
lab_frr_need
lab_zebra_plugin_need

T0=$SECONDS
lab_pair $A $B bgp
lab_dockerd $A
lab_dockerd $B
lab_image $A
lab_image $B
lab_plugin $A --gateway $GW --zebra-socket "$(lab_zserv $A)"
lab_plugin $B --gateway $GW --zebra-socket "$(lab_zserv $B)"
lab_log "lab set up in $((SECONDS - T0)) s"

dk() { local h=$1; shift; lab_docker_t "$h" 60 "$@"; }

run_ok() {
	local h=$1 c=$2 n=$3 ip=${4:-} out rc
	out=$(dk "$h" run -d --name "$c" --net="$n" ${ip:+--ip "$ip"} bb:local sleep 3600 2>&1); rc=$?
	assert_eq "$rc" 0 "$h: run $c on $n${ip:+ --ip $ip} ($(echo $out | cut -c1-12))"
}
net_ok() {
	local h=$1 n=$2; shift 2
	local out rc
	out=$(dk "$h" network create --driver=net-routed --ipam-driver=ipam-routed "$@" "$n" 2>&1); rc=$?
	assert_eq "$rc" 0 "$h: network create $* $n ($(echo $out | cut -c1-12))"
}
learned() { lab_ip "$1" -4 route show proto bgp | grep -E '^10\.4[6-9]\.' | awk '{print $1}' | sort; }

lab_log "--- eBGP session"
estab() { lab_vtysh "$1" 'show bgp neighbors 10.200.0.'"$2" 2>/dev/null | grep -q 'BGP state = Established'; }
if retry 30 estab $A 2 && retry 5 estab $B 1; then
	ok "eBGP session A (AS 64601) <-> B (AS 64602) Established"
else
	fail "eBGP session A (AS 64601) <-> B (AS 64602) Established"
	lab_vtysh $A 'show bgp summary' | sed 's/^/#   | /'
	lab_bail "no BGP session, cannot go on"
fi

lab_log "--- containers"
net_ok $A ctr --subnet 10.46.0.0/16 --ip-range 10.46.1.0/24
net_ok $B ctr --subnet 10.46.0.0/16 --ip-range 10.46.2.0/24
net_ok $A denied --subnet 10.47.0.0/16 -o routed.tag=999
net_ok $A costly --subnet 10.48.0.0/16 -o routed.metric=55
run_ok $A a1 ctr 10.46.1.7
run_ok $B b1 ctr 10.46.2.7
run_ok $A d1 denied 10.47.0.9
run_ok $A m1 costly 10.48.0.5

wait_route "B: kernel has 10.46.1.7 proto bgp" $B 10.46.1.7/32 bgp 10
wait_route "A: kernel has 10.46.2.7 proto bgp" $A 10.46.2.7/32 bgp 10
out=$(kroute $B 10.46.1.7/32)
assert_contains "$out" "^10\.46\.1\.7 .*via 10\.200\.0\.1 dev fabB proto bgp" "B: 10.46.1.7 via 10.200.0.1 dev fabB ($out)"
out=$(lab_vtysh $A 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Known via "babel".*tag 100' "A: zebra has 10.46.1.7/32 via babel with tag 100"
out=$(lab_vtysh $B 'show bgp ipv4 unicast 10.46.1.7/32' 2>&1)
assert_contains "$out" '^ *64601$|^ *64601[, ]' "B: BGP path for 10.46.1.7/32 is AS 64601"
assert_contains "$out" 'Origin incomplete' "B: origin incomplete (redistributed)"

wait_route "B: kernel has 10.48.0.5 proto bgp" $B 10.48.0.5/32 bgp 10
out=$(lab_vtysh $B 'show bgp ipv4 unicast 10.48.0.5/32' 2>&1)
assert_contains "$out" 'Origin incomplete, metric 55,' "B: routed.metric=55 arrives as MED 55 for 10.48.0.5/32"
out=$(lab_vtysh $B 'show bgp ipv4 unicast 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Origin incomplete, metric 0,' "B: no routed.metric: MED 0 for 10.46.1.7/32"

ping_ok "a1 (A) -> b1 10.46.2.7 (B)" dk $A exec a1 ping -c 2 -W 2 10.46.2.7
ping_ok "b1 (B) -> a1 10.46.1.7 (A)" dk $B exec b1 ping -c 2 -W 2 10.46.1.7

out=$(lab_vtysh $A 'show ip route 10.47.0.9/32' 2>&1)
assert_contains "$out" 'Known via "babel".*tag 999' "A: zebra has 10.47.0.9/32 via babel with tag 999"
sleep 1	# 10.46.1.7, run before d1, is on B already: give d1 the same chance
out=$(lab_vtysh $B 'show bgp ipv4 unicast' 2>&1)
assert_not_contains "$out" '10\.47\.0\.9' "B: no BGP route for 10.47.0.9 (tag 999, route-map deny)"
check "B: kernel has no route for 10.47.0.9" [ -z "$(kroute $B 10.47.0.9/32)" ]

lab_log "--- VXLAN segment with EVPN: one /24 on both hosts (VNI 100)"
T1=$SECONDS
SEG="-o routed.mode=vxlan -o routed.vni=100 -o routed.gateway=10.60.0.1"
GWMAC=02:47:57:00:00:64		# 02:47:57 and VNI 100, the same on every host
net_ok $A seg --subnet 10.60.0.0/24 --ip-range 10.60.0.64/26 $SEG -o routed.vxlan.local=10.200.0.1
net_ok $B seg --subnet 10.60.0.0/24 --ip-range 10.60.0.128/26 $SEG -o routed.vxlan.local=10.200.0.2
out=$(lab_ip $B -d link show rv100 2>&1)
assert_contains "$out" 'vxlan id 100 local 10\.200\.0\.2 .*dstport 4789 nolearning' "B: rv100 is VNI 100, VTEP 10.200.0.2, no data-plane learning"
assert_contains "$out" 'master rb100' "B: rv100 is a port of rb100"
out=$(lab_ip $B addr show dev rb100 2>&1)
assert_contains "$out" "link/ether $GWMAC" "B: rb100 has the gateway MAC $GWMAC"
assert_contains "$out" 'inet 10\.60\.0\.1/32' "B: rb100 carries the gateway 10.60.0.1 (in the subnet: an address)"
out=$(lab_ip $B route show 10.60.0.0/24 2>&1)
assert_contains "$out" 'dev rb100 proto redirect scope link src 10\.200\.0\.2' "B: the subnet via rb100, from B's own VTEP address (not the shared gateway)"
run_ok $A va seg 10.60.0.70
run_ok $B vb seg 10.60.0.130
ping_ok "va 10.60.0.70 (A) -> vb 10.60.0.130 (B): one subnet across hosts" dk $A exec va ping -c 2 -W 2 10.60.0.130
ping_ok "vb (B) -> va 10.60.0.70 (A)" dk $B exec vb ping -c 2 -W 2 10.60.0.70
macA=$(dk $A exec va cat /sys/class/net/eth0/address 2>/dev/null)
evpn_has() { lab_vtysh "$1" 'show evpn mac vni 100' 2>/dev/null | grep -qi "^$2 *remote"; }
if retry 10 evpn_has $B "$macA"; then ok "B: EVPN has va's MAC $macA as remote (show evpn mac vni 100)"
else fail "B: EVPN has va's MAC $macA as remote"; lab_vtysh $B 'show evpn mac vni 100' | sed 's/^/#   | /'; fi
out=$(lab_exec $B bridge fdb show 2>&1 | grep -i "^$macA ")
assert_contains "$out" 'dev rv100 dst 10\.200\.0\.1 .*self' "B: kernel FDB sends va's MAC to VTEP 10.200.0.1"
assert_contains "$out" 'dev rv100 (.* )?extern_learn (.* )?master rb100|dev rv100 .*master rb100 .*extern_learn' "B: va's MAC is in rb100's FDB from the control plane (extern_learn, rv100 learns nothing)"
out=$(lab_vtysh $A 'show bgp ipv4 unicast 10.60.0.130/32' 2>&1)
assert_contains "$out" '^ *64602' "A: vb's 10.60.0.130/32 announced by B over BGP"
lab_log "--- the distributed gateway"
for hc in "$A va" "$B vb"; do
	set -- $hc
	ping_ok "$2 ($1) -> the gateway 10.60.0.1" dk $1 exec $2 ping -c 1 -W 2 10.60.0.1
	out=$(dk $1 exec $2 cat /proc/net/arp 2>&1)
	assert_contains "$out" "^10\.60\.0\.1 .* $GWMAC " "$2 ($1): the gateway answers with $GWMAC"
done
lab_log "--- a routed container and a segment container"
ping_ok "a1 10.46.1.7 (A, routed) -> vb 10.60.0.130 (B, VXLAN)" dk $A exec a1 ping -c 2 -W 2 10.60.0.130
ping_ok "vb (B, VXLAN) -> a1 10.46.1.7 (A, routed)" dk $B exec vb ping -c 2 -W 2 10.46.1.7

lab_log "--- kill -9 and restart: the segment forwards on, nothing is made again"
ifx() { lab_ip "$1" -o link show "$2" 2>/dev/null | cut -d: -f1; }
before="$(ifx $A rv100) $(ifx $A rb100)"
kill -KILL "${LAB_PLUGIN_PID[$A]}"; wait "${LAB_PLUGIN_PID[$A]}" 2>/dev/null
LAB_PLUGIN_PID[$A]=
ping_ok "plugin A killed: va (A) -> vb (B) still" dk $A exec va ping -c 2 -W 2 10.60.0.130
lab_plugin $A --gateway $GW --zebra-socket "$(lab_zserv $A)"
assert_eq "$(ifx $A rv100) $(ifx $A rb100)" "$before" "A: rv100 and rb100 are the same devices after the restart (ifindex $before)"
ping_ok "plugin A back: vb (B) -> va (A)" dk $B exec vb ping -c 2 -W 2 10.60.0.70
out=$(dk $A rm -f va 2>&1); assert_eq "$?" 0 "A: rm -f va"
gone() { ! lab_exec $B bridge fdb show | grep -qi "^$macA "; }
if retry 10 gone; then ok "B: va's MAC left B's FDB after rm on A"
else fail "B: va's MAC left B's FDB after rm on A"; lab_exec $B bridge fdb show | grep -i "$macA" | sed 's/^/#   | /'; fi

lab_log "--- an existing VXLAN network without EVPN: static flood list (VNI 200)"
lab_host ext
lab_link $A extA ext extE
lab_ip $A addr add 10.201.0.1/30 dev extA
lab_ip ext addr add 10.201.0.2/30 dev extE
lab_ip ext link add vx200 type vxlan id 200 local 10.201.0.2 remote 10.201.0.1 dstport 4789
lab_ip ext addr add 10.61.0.200/24 dev vx200
lab_ip ext link set vx200 up
net_ok $A flood --subnet 10.61.0.0/24 --ip-range 10.61.0.64/26 -o routed.mode=vxlan -o routed.vni=200 \
	-o routed.vxlan.local=10.201.0.1 -o routed.vxlan.remote=10.201.0.2 -o routed.gateway=10.61.0.1
out=$(lab_exec $A bridge fdb show dev rv200 2>&1)
assert_contains "$out" '^00:00:00:00:00:00 dst 10\.201\.0\.2 self permanent' "A: rv200 floods to 10.201.0.2 (bridge fdb append 00:00:00:00:00:00)"
run_ok $A vf flood 10.61.0.70
ping_ok "plain namespace with vx200 (VNI 200) -> vf 10.61.0.70 on A" lab_exec ext "$LAB_BUSYBOX" ping -c 2 -W 2 10.61.0.70
ping_ok "vf (A) -> 10.61.0.200 in the plain namespace" dk $A exec vf ping -c 2 -W 2 10.61.0.200

lab_log "--- an existing VXLAN network without EVPN: multicast group (VNI 201)"
lab_ip ext link add vx201 type vxlan id 201 group 239.1.1.201 dev extE dstport 4789
lab_ip ext addr add 10.63.0.200/24 dev vx201
lab_ip ext link set vx201 up
net_ok $A mcast --subnet 10.63.0.0/24 --ip-range 10.63.0.64/26 -o routed.mode=vxlan -o routed.vni=201 \
	-o routed.vxlan.group=239.1.1.201 -o routed.vxlan.dev=extA
out=$(lab_ip $A -d link show rv201 2>&1)
assert_contains "$out" 'vxlan id 201 group 239\.1\.1\.201 dev extA ' "A: rv201 is VNI 201 on group 239.1.1.201 via extA"
assert_not_contains "$out" 'nolearning' "A: rv201 learns (flood and learn)"
run_ok $A vm mcast 10.63.0.70
ping_ok "plain namespace with vx201 (group 239.1.1.201) -> vm 10.63.0.70 on A" lab_exec ext "$LAB_BUSYBOX" ping -c 2 -W 2 10.63.0.70
# no routed.gateway: the plugin's $GW, answered by a proxy entry, no address
out=$(lab_ip $A addr show dev rb201 2>&1)
assert_not_contains "$out" 'inet ' "A: rb201 carries no IPv4 address (gateway $GW outside the subnet)"
out=$(lab_ip $A neigh show proxy dev rb201 2>&1)
assert_contains "$out" "^${GW//./\\.} " "A: rb201 has a proxy entry for the gateway $GW"
ping_ok "vm (A): ARP for the gateway $GW answered" dk $A exec vm arping -c 1 -w 2 -I eth0 $GW
ping_ok "vm (A, VXLAN, gateway $GW) -> a1 10.46.1.7 (A, routed)" dk $A exec vm ping -c 2 -W 2 10.46.1.7
out=$(dk $A exec vm cat /proc/net/arp 2>&1)
assert_contains "$out" "^${GW//./\\.} .* 02:47:57:00:00:c9 " "vm (A): the gateway $GW has the segment's MAC 02:47:57:00:00:c9"

lab_log "--- bad segment options are refused and leave nothing"
for o in "routed.vni=16777216" "routed.vxlan.dev=nosuchdev" "routed.vxlan.bogus=1"; do
	out=$(dk $A network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.62.0.0/24 \
		-o routed.mode=vxlan -o routed.vni=300 -o "$o" bad 2>&1); rc=$?
	check "A: network create -o $o refused ($(echo $out | grep -o 'routed[^"]*' | head -1 | cut -c1-70))" [ $rc -ne 0 ]
done
out=$(lab_ip $A -o link show 2>&1 | grep -E ': r[vb]300[:@]')
check "A: no rv300 or rb300 left behind" [ -z "$out" ]
lab_log "VXLAN part: $((SECONDS - T1)) s"

lab_log "--- withdrawal"
out=$(dk $A rm -f a1 2>&1); assert_eq "$?" 0 "A: rm -f a1"
wait_gone "B: 10.46.1.7 gone from the kernel after rm -f a1 on A" $B 10.46.1.7/32 bgp 5
out=$(lab_vtysh $B 'show bgp ipv4 unicast 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Network not in table' "B: 10.46.1.7/32 withdrawn from BGP"

lab_log "--- everything removed"
for h in $A $B; do
	ids=$(dk $h ps -aq)
	out=$(dk $h rm -f $ids 2>&1); assert_eq "$?" 0 "$h: rm -f all containers"
	nets=$(dk $h network ls -q --filter driver=net-routed)
	out=$(dk $h network rm $nets 2>&1); assert_eq "$?" 0 "$h: network rm all routed networks"
done
empty() { [ -z "$(learned "$1")" ]; }
if retry 5 empty $B; then ok "B: no route of A's containers left"
else fail "B: no route of A's containers left"; learned $B | sed 's/^/#   | /'; fi
if retry 5 empty $A; then ok "A: no route of B's containers left"
else fail "A: no route of B's containers left"; learned $A | sed 's/^/#   | /'; fi
for h in $A $B; do
	out=$(lab_ip $h -o link show 2>&1 | grep -E ': r[vb][0-9]+[:@]')
	check "$h: network rm took the VXLAN devices and bridges down" [ -z "$out" ]
done

lab_log "wall time $((SECONDS - T0)) s"
if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "plugin log A (last 60 lines), $(lab_hdir $A)/plugin.log:"
	lab_plugin_log $A 60
fi
lab_done
