#!/bin/bash
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
#
# Run: sudo tests/acceptance/two_hosts_bgp.sh
# Needs root, docker.io, frr, busybox-static. LAB_KEEP=1 keeps the lab dir.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

A=hostA
B=hostB
GW=169.254.1.1

lab_init
lab_frr_need
"$LAB_PLUGIN_BIN" --help 2>/dev/null | grep -q -- --zebra-socket ||
	lab_skip "$LAB_PLUGIN_BIN has no --zebra-socket (built without zebra support?)"

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

kroute() { lab_ip "$1" -4 route show exact "$2"; }
has_route() { kroute "$1" "$2" | grep -q " proto $3 "; }
no_route() { ! has_route "$@"; }
wait_route() {
	local text=$1 h=$2 p=$3 pr=$4 t=${5:-5}
	if retry "$t" has_route "$h" "$p" "$pr"; then ok "$text"
	else fail "$text"; lab_ip "$h" -4 route show | sed 's/^/#   | /'; fi
}
wait_gone() {
	local text=$1 h=$2 p=$3 pr=$4 t=${5:-5}
	if retry "$t" no_route "$h" "$p" "$pr"; then ok "$text"
	else fail "$text"; kroute "$h" "$p" | sed 's/^/#   | /'; fi
}
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

lab_log "wall time $((SECONDS - T0)) s"
if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "plugin log A (last 60 lines), $(lab_hdir $A)/plugin.log:"
	lab_plugin_log $A 60
fi
lab_done
