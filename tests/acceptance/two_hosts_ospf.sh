#!/bin/bash
# two_hosts_ospf.sh - routed-plugin announcing container /32s to FRR's zebra,
# carried to a second host by OSPF.
#
# Two lab hosts A and B joined by a /30 (lab_pair), each with its own FRR
# (zebra + ospfd from frr-conf/, placeholders filled in), its own dockerd and
# a routed-plugin started with --zebra-socket. One network 10.46.0.0/16 on
# both hosts, with --ip-range 10.46.1.0/24 on A and 10.46.2.0/24 on B.
# Checks: adjacency; A's container /32 in A's zebra as a babel route with
# tag 100, as an OSPF external route on B (kernel "proto ospf", LSA tag 100);
# pings both ways; withdrawal on rm -f and fast return with the same IP;
# routed.announce=none and a tag the route-map denies stay on A;
# routed.announce=aggregate gives B one /24 and no /32; routes come back
# after zebra is killed and restarted; a plugin restart does not remove the
# routes from B even for one 50 ms sample (graceful restart); nothing left.
#
# The plugin detects zebra's ZAPI dialect itself; the test checks it found
# LAB_EXPECT_DIALECT (frr8.2 for Debian 12's 8.4.4).  two_hosts_ospf_frr10.sh
# runs this file again with LAB_FRR_PREFIX=FRR 10.3.4 (lab.sh).
#
# Run: sudo tests/acceptance/two_hosts_ospf.sh
# Needs root, docker.io, frr, busybox-static. LAB_KEEP=1 keeps the lab dir.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

A=hostA
B=hostB
GW=169.254.1.1
# The route type the plugin announces with, and what vtysh shows for it: a
# self-built FRR's daemons redistribute only the types of the daemons it
# built (../shared/frr's 10.3.4 has sharpd, not babeld).
RT=${LAB_ROUTE_TYPE:-babel}
case $RT in
babel) RT_CODE=A RT_DIST=100 ;;
sharp) RT_CODE=D RT_DIST=150 ;;
*) echo "LAB_ROUTE_TYPE: babel or sharp" >&2; exit 2 ;;
esac
export LAB_FRR_ROUTE_TYPE=$RT

lab_init
lab_frr_need
"$LAB_PLUGIN_BIN" --help 2>/dev/null | grep -q -- --zebra-socket ||
	lab_skip "$LAB_PLUGIN_BIN has no --zebra-socket (built without zebra support?)"

T0=$SECONDS
lab_pair $A $B ospf
lab_dockerd $A
lab_dockerd $B
lab_image $A
lab_image $B
PLUGIN_FLAGS_A=(--gateway $GW --zebra-socket "$(lab_zserv $A)" --zebra-route-type $RT)
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
lab_plugin $B --gateway $GW --zebra-socket "$(lab_zserv $B)" --zebra-route-type $RT
lab_log "lab set up in $((SECONDS - T0)) s"

dk() { local h=$1; shift; lab_docker_t "$h" 60 "$@"; }

# -------------------------------------------------------------- helpers

# kroute HOST PREFIX: HOST's kernel routes for exactly PREFIX
kroute() { lab_ip "$1" -4 route show exact "$2"; }
# has_route HOST PREFIX PROTO: a kernel route for PREFIX with that proto
has_route() { kroute "$1" "$2" | grep -q " proto $3 "; }
no_route() { ! has_route "$@"; }
# wait_route TEXT HOST PREFIX PROTO [TIMEOUT]: ok once it is there
wait_route() {
	local text=$1 h=$2 p=$3 pr=$4 t=${5:-5}
	if retry "$t" has_route "$h" "$p" "$pr"; then ok "$text"
	else fail "$text"; lab_ip "$h" -4 route show | sed 's/^/#   | /'; fi
}
# wait_gone TEXT HOST PREFIX PROTO [TIMEOUT]: ok once it is gone
wait_gone() {
	local text=$1 h=$2 p=$3 pr=$4 t=${5:-5}
	if retry "$t" no_route "$h" "$p" "$pr"; then ok "$text"
	else fail "$text"; kroute "$h" "$p" | sed 's/^/#   | /'; fi
}
# never_route TEXT HOST PREFIX SECONDS: PREFIX absent from HOST's kernel in
# every sample (0.1 s apart) for SECONDS
never_route() {
	local text=$1 h=$2 p=$3 end=$((SECONDS + $4)) seen=
	while [ "$SECONDS" -lt "$end" ]; do
		[ -n "$(kroute "$h" "$p")" ] && { seen=$(kroute "$h" "$p"); break; }
		sleep 0.1
	done
	if [ -z "$seen" ]; then ok "$text"
	else fail "$text"; printf '%s\n' "$seen" | sed 's/^/#   | /'; fi
}

# run_ok HOST NAME NET [IP]: docker run -d a sleeper, assert success
run_ok() {
	local h=$1 c=$2 n=$3 ip=${4:-} out rc
	out=$(dk "$h" run -d --name "$c" --net="$n" ${ip:+--ip "$ip"} bb:local sleep 3600 2>&1); rc=$?
	assert_eq "$rc" 0 "$h: run $c on $n${ip:+ --ip $ip} ($(echo $out | cut -c1-12))"
}
caddr() { dk "$1" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$2"; }

# net_ok HOST NAME ARGS...: docker network create, assert success
net_ok() {
	local h=$1 n=$2; shift 2
	local out rc
	out=$(dk "$h" network create --driver=net-routed --ipam-driver=ipam-routed "$@" "$n" 2>&1); rc=$?
	assert_eq "$rc" 0 "$h: network create $* $n ($(echo $out | cut -c1-12))"
}

# routes B learned from A (or A from B) into 10.46-10.49, as "prefix proto"
learned() { lab_ip "$1" -4 route show proto ospf | grep -E '^10\.4[6-9]\.' | awk '{print $1}' | sort; }

# -------------------------------------------------------------- adjacency

lab_ospf_adjacency $A $B
out=$(lab_vtysh $A 'show zebra client summary' 2>&1)
assert_contains "$out" "^$RT " "A: zebra lists a $RT client (the plugin)"

# -------------------------------------------------------------- basic

lab_log "--- one network on both hosts, a container on each"
net_ok $A ctr --subnet 10.46.0.0/16 --ip-range 10.46.1.0/24
net_ok $B ctr --subnet 10.46.0.0/16 --ip-range 10.46.2.0/24
run_ok $A a1 ctr 10.46.1.7
run_ok $B b1 ctr 10.46.2.7

wait_route "B: kernel has 10.46.1.7 proto ospf" $B 10.46.1.7/32 ospf
wait_route "A: kernel has 10.46.2.7 proto ospf" $A 10.46.2.7/32 ospf
out=$(kroute $B 10.46.1.7/32)
assert_contains "$out" "^10\.46\.1\.7 .*via 10\.200\.0\.1 dev fabB proto ospf" "B: 10.46.1.7 via 10.200.0.1 dev fabB ($out)"
out=$(lab_vtysh $A "show ip route $RT" 2>&1)
assert_contains "$out" "^$RT_CODE>\\* 10\\.46\\.1\\.7/32 .*directly connected, rt[0-9a-f]+" \
	"A: show ip route $RT has 10.46.1.7/32 selected, installed, on the container's veth"
out=$(lab_vtysh $A 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" "Known via \"$RT\", distance $RT_DIST, .*tag 100" "A: zebra has 10.46.1.7/32 via $RT with tag 100"
out=$(lab_vtysh $B 'show ip ospf database external 10.46.1.7' 2>&1)
assert_contains "$out" 'External Route Tag: 100' "B: LSA for 10.46.1.7 carries External Route Tag 100"
assert_contains "$out" 'Advertising Router: 10\.250\.0\.1' "B: LSA for 10.46.1.7 advertised by A (10.250.0.1)"
out=$(lab_vtysh $B 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Known via "ospf"' "B: zebra has 10.46.1.7/32 via ospf"
# the last word of detection (10.3 is told from 10.2 by its first notice)
want=${LAB_EXPECT_DIALECT:-frr8.2}
for h in $A $B; do
	out=$(grep -o 'speaks frr[0-9.]*' "$(lab_hdir $h)/plugin.log" | tail -n 1)
	assert_eq "$out" "speaks $want" "$h: the plugin found zebra speaking $want"
done

ping_ok "a1 (A) -> b1 10.46.2.7 (B)" dk $A exec a1 ping -c 2 -W 2 10.46.2.7
ping_ok "b1 (B) -> a1 10.46.1.7 (A)" dk $B exec b1 ping -c 2 -W 2 10.46.1.7

lab_log "--- withdrawal on rm -f, return with the same IP"
out=$(dk $A rm -f a1 2>&1); assert_eq "$?" 0 "A: rm -f a1"
wait_gone "B: 10.46.1.7 gone from the kernel after rm -f a1 on A" $B 10.46.1.7/32 ospf 5
run_ok $A a1 ctr 10.46.1.7
wait_route "B: 10.46.1.7 back after docker run --ip 10.46.1.7 on A" $B 10.46.1.7/32 ospf 15
# docker restart: the endpoint is deleted and created again with the same
# --ip, so the /32 is withdrawn and announced again. (Whether B would drop
# the new LSA under FRR's default MinLSArrival depends on how close the two
# are; see "timers lsa min-arrival 0" in frr-conf/ospfd.conf.)
t1=$(date +%s%N)
out=$(dk $A restart -t 0 a1 2>&1); assert_eq "$?" 0 "A: docker restart -t 0 a1"
if retry 3 has_route $B 10.46.1.7/32 ospf && sleep 0.3 && has_route $B 10.46.1.7/32 ospf; then
	ok "B: 10.46.1.7 there within 3 s of docker restart a1 on A ($(( ($(date +%s%N) - t1) / 1000000 - 300 )) ms after restart began)"
else
	fail "B: 10.46.1.7 there within 3 s of docker restart a1 on A"
fi
ping_ok "b1 (B) -> new a1 10.46.1.7 (A)" dk $B exec b1 ping -c 2 -W 2 10.46.1.7

# -------------------------------------------------------------- policy

lab_log "--- announce=none and a denied tag stay on A"
net_ok $A quiet --subnet 10.48.0.0/16 -o routed.announce=none
net_ok $A denied --subnet 10.47.0.0/16 -o routed.tag=999
run_ok $A q1 quiet 10.48.0.5
run_ok $A d1 denied 10.47.0.9
run_ok $A a2 ctr 10.46.1.8		# control: an announced network
wait_route "B: control 10.46.1.8 (announced network) appears" $B 10.46.1.8/32 ospf
ping_ok "A (host) -> q1 10.48.0.5 (announce=none)" lab_exec $A busybox ping -c 2 -W 2 10.48.0.5
ping_ok "A (host) -> d1 10.47.0.9 (tag 999)" lab_exec $A busybox ping -c 2 -W 2 10.47.0.9
out=$(lab_vtysh $A 'show ip route 10.47.0.9/32' 2>&1)
assert_contains "$out" "Known via \"$RT\".*tag 999" "A: zebra has 10.47.0.9/32 via $RT with tag 999"
out=$(lab_vtysh $A "show ip route $RT" 2>&1)
assert_not_contains "$out" '10\.48\.0\.5' "A: 10.48.0.5 (announce=none) never sent to zebra"
never_route "B: 10.48.0.5 (announce=none) never appears (3 s after the control did)" $B 10.48.0.5/32 3
never_route "B: 10.47.0.9 (tag 999, route-map deny) never appears" $B 10.47.0.9/32 1
out=$(lab_vtysh $B 'show ip ospf database external' 2>&1)
assert_not_contains "$out" 'Link State ID: 10\.4[78]\.' "B: no LSA for 10.47.x or 10.48.x"

# -------------------------------------------------------------- aggregate

lab_log "--- announce=aggregate"
net_ok $A agg --subnet 10.49.0.0/16 --ip-range 10.49.1.0/24 -o routed.announce=aggregate
run_ok $A g1 agg
run_ok $A g2 agg
run_ok $A g3 agg
G1=$(caddr $A g1); G2=$(caddr $A g2); G3=$(caddr $A g3)
lab_log "g1 $G1, g2 $G2, g3 $G3"
wait_route "B: 10.49.1.0/24 proto ospf" $B 10.49.1.0/24 ospf
sleep 1
out=$(lab_ip $B -4 route show root 10.49.0.0/16)
assert_eq "$(printf '%s\n' "$out" | grep -c .)" 1 "B: exactly one route into 10.49.0.0/16 ($(echo $out))"
assert_contains "$out" '^10\.49\.1\.0/24 .*proto ospf' "B: it is 10.49.1.0/24 proto ospf"
assert_not_contains "$out" '^10\.49\.1\.[0-9]+ ' "B: no /32 of g1 g2 g3"
ping_ok "b1 (B) -> g1 $G1 (A) via the aggregate" dk $B exec b1 ping -c 2 -W 2 "${G1:-0.0.0.0}"
ping_ok "b1 (B) -> g3 $G3 (A) via the aggregate" dk $B exec b1 ping -c 2 -W 2 "${G3:-0.0.0.0}"

# -------------------------------------------------------------- zebra restart

lab_log "--- zebra on A killed and started again"
# zebra is killed (SIGKILL, as in a crash). ospfd 8.4.4 survives that, but
# when it reconnects to the new zebra (~10 s later) it does not ask for
# babel routes again and keeps announcing its old LSAs (seen while writing
# this test), so ospfd is restarted with zebra, as a supervisor would. Its
# SIGTERM flushes A's LSAs: B loses A's routes, and gets them back only if
# routed-plugin reconnects to the new zebra and announces them again.
BEFORE=$(learned $B)
ZPID=$(lab_frr_pid $A zebra)
OPID=$(lab_frr_pid $A ospfd)
t=$SECONDS
if [ -n "$ZPID" ]; then kill -KILL "$ZPID"; _lab_wait_gone "$ZPID" 5; fi
sleep 0.5
if [ -n "$(lab_frr_pid $A ospfd)" ]; then
	lab_log "ospfd (pid $OPID) survived zebra's death; stopping it"
	lab_frr_stop $A ospfd
else
	lab_log "ospfd died with zebra"
fi
gone_b() { [ -z "$(learned $B)" ]; }
if retry 6 gone_b; then ok "B: A's routes withdrawn while A's zebra and ospfd are down"
else fail "B: A's routes withdrawn while A's zebra and ospfd are down"; learned $B | sed 's/^/#   | /'; fi
check "A: zebra started again" lab_frr_start $A zebra
check "A: ospfd started again" lab_frr_start $A ospfd
check "A: routed-plugin still running" kill -0 "${LAB_PLUGIN_PID[$A]:-0}"
same_learned() { [ "$(learned $B)" = "$BEFORE" ]; }
if retry 20 same_learned; then
	ok "B: A's routes are back after zebra's restart, no docker command ($((SECONDS - t)) s): $(echo $BEFORE)"
else
	fail "B: A's routes are back after zebra's restart (20 s)"
	lab_log "  before: $(echo $BEFORE)"; lab_log "  now:    $(echo $(learned $B))"
	lab_vtysh $A "show ip route $RT" 'show zebra client summary' | sed 's/^/#   | /'
	lab_plugin_log $A 30
fi
out=$(lab_vtysh $A 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" "Known via \"$RT\".*tag 100" "A: new zebra has 10.46.1.7/32 via $RT, tag 100"
ping_ok "b1 (B) -> a1 10.46.1.7 (A) after zebra's restart" dk $B exec b1 ping -c 2 -W 2 10.46.1.7

# -------------------------------------------------------------- plugin restart

lab_log "--- routed-plugin on A restarted: B keeps 10.46.1.7 (graceful restart)"
SAMPLES=$(lab_hdir $B)/samples
lab_watch_start $B 10.46.1.7 "$SAMPLES"
sleep 0.3
t=$EPOCHREALTIME
lab_plugin_stop $A
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
lab_log "plugin restarted in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", (b - a) * 1000}') ms"
sleep 5
lab_watch_stop "B: 10.46.1.7 during the plugin's restart and 5 s after" "$SAMPLES"
same_learned_now() { [ "$(learned $B)" = "$BEFORE" ]; }
check "B: all of A's routes still there after the plugin restart" retry 5 same_learned_now
ping_ok "b1 (B) -> a1 10.46.1.7 (A) after the plugin restart" dk $B exec b1 ping -c 2 -W 2 10.46.1.7
out=$(dk $A rm -f a2 2>&1); assert_eq "$?" 0 "A: rm -f a2 (restarted plugin)"
wait_gone "B: 10.46.1.8 gone after rm -f a2 with the restarted plugin" $B 10.46.1.8/32 ospf 5

lab_log "--- final stop: routed-plugin --zebra-withdraw ends the graceful restart"
# zebra keeps the routes of a stopped plugin for the stale time, and FRR 9.0
# to 10.4 keep them for good; --zebra-withdraw is the operator's final stop
withdraw() {
	ip netns exec "${LAB_NS[$A]}" "$LAB_PLUGIN_BIN" --zebra-withdraw \
		--zebra-socket "$(lab_zserv $A)" --zebra-route-type $RT \
		--run-dir "$(lab_hdir $A)/run" 2>&1
}
out=$(withdraw); rc=$?
assert_eq "$rc" 1 "A: --zebra-withdraw refused while the plugin runs ($(echo $out | tail -c 80))"
check "B: 10.46.1.7 still there after the refused withdraw" has_route $B 10.46.1.7/32 ospf
lab_plugin_stop $A
sleep 1
check "B: 10.46.1.7 kept 1 s after the plugin stopped (graceful restart)" has_route $B 10.46.1.7/32 ospf
out=$(withdraw); rc=$?
assert_eq "$rc" 0 "A: --zebra-withdraw with the plugin stopped ($(echo $out | tail -c 100))"
wait_gone "B: 10.46.1.7 gone after --zebra-withdraw on A" $B 10.46.1.7/32 ospf 5
out=$(lab_vtysh $A "show ip route $RT" 2>&1)
assert_not_contains "$out" '10\.46\.' "A: zebra holds no $RT route after --zebra-withdraw"
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
wait_route "B: 10.46.1.7 back once the plugin runs again" $B 10.46.1.7/32 ospf 10

# -------------------------------------------------------------- end

lab_log "--- everything removed"
for h in $A $B; do
	ids=$(dk $h ps -aq)
	out=$(dk $h rm -f $ids 2>&1); assert_eq "$?" 0 "$h: rm -f all containers"
	nets=$(dk $h network ls -q --filter driver=net-routed)
	out=$(dk $h network rm $nets 2>&1); assert_eq "$?" 0 "$h: network rm all routed networks"
done
empty_b() { [ -z "$(learned $B)" ]; }
empty_a() { [ -z "$(learned $A)" ]; }
if retry 5 empty_b; then ok "B: no route of A's containers left"
else fail "B: no route of A's containers left"; learned $B | sed 's/^/#   | /'; fi
if retry 5 empty_a; then ok "A: no route of B's containers left"
else fail "A: no route of B's containers left"; learned $A | sed 's/^/#   | /'; fi
out=$(lab_vtysh $A "show ip route $RT" 2>&1)
assert_not_contains "$out" "^$RT_CODE" "A: zebra has no $RT route left"

lab_log "wall time $((SECONDS - T0)) s"
if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "plugin log A (last 60 lines), $(lab_hdir $A)/plugin.log:"
	lab_plugin_log $A 60
fi
lab_done
