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
# ipvlan: a routed.link=ipvlan network on A with the fabric interface fabA as
# parent (l3): the container's eth0 is an ipvlan slave; B learns its /32 by
# OSPF; it pings B's veth container and A itself, and they it (not A's veth
# containers: l3 sends out of the parent only, README); the refusals (missing parent, another mode on the same parent,
# bad mode) leave nothing; kill -9 and restart of the plugin keep it (and
# its route on B); docker rm withdraws it and removes its links.
#
# Run: sudo tests/acceptance/two_hosts_ospf.sh
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
lab_pair $A $B ospf
lab_dockerd $A
lab_dockerd $B
lab_image $A
lab_image $B
PLUGIN_FLAGS_A=(--gateway $GW --zebra-socket "$(lab_zserv $A)")
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
lab_plugin $B --gateway $GW --zebra-socket "$(lab_zserv $B)"
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
assert_contains "$out" '^babel ' "A: zebra lists a babel client (the plugin)"

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
out=$(lab_vtysh $A 'show ip route babel' 2>&1)
assert_contains "$out" '^A>\* 10\.46\.1\.7/32 .*directly connected, rt[0-9a-f]+' \
	"A: show ip route babel has 10.46.1.7/32 selected, installed, on the container's veth"
out=$(lab_vtysh $A 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Known via "babel", distance 100, .*tag 100' "A: zebra has 10.46.1.7/32 via babel with tag 100"
out=$(lab_vtysh $B 'show ip ospf database external 10.46.1.7' 2>&1)
assert_contains "$out" 'External Route Tag: 100' "B: LSA for 10.46.1.7 carries External Route Tag 100"
assert_contains "$out" 'Advertising Router: 10\.250\.0\.1' "B: LSA for 10.46.1.7 advertised by A (10.250.0.1)"
out=$(lab_vtysh $B 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Known via "ospf"' "B: zebra has 10.46.1.7/32 via ospf"

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

# -------------------------------------------------------------- ipvlan

lab_log "--- routed.link=ipvlan on A, parent fabA, mode l3"
# net_refused HOST NAME NEEDLE ARGS...: network create fails with NEEDLE and
# leaves no network and no link of ours behind
net_refused() {
	local h=$1 n=$2 needle=$3; shift 3
	local out rc
	out=$(dk "$h" network create --driver=net-routed --ipam-driver=ipam-routed "$@" "$n" 2>&1); rc=$?
	if [ "$rc" -ne 0 ]; then ok "$h: network create $* refused"
	else fail "$h: network create $* refused"; fi
	assert_contains "$out" "$needle" "$h: ... saying '$needle'"
	out=$(dk "$h" network ls -q --filter name="^$n\$")
	assert_eq "$out" "" "$h: ... and no network $n left"
}
# our_links HOST: the links of ours in HOST's namespace (rt/rc/rv + 12 hex)
our_links() { lab_ip "$1" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^r[tcv][0-9a-f]{12}$' | sort; }
# cpid HOST CONTAINER: its init's pid (to enter its network namespace)
cpid() { dk "$1" inspect -f '{{.State.Pid}}' "$2"; }
IPV="-o routed.link=ipvlan -o routed.parent=fabA"
LINKS0=$(our_links $A)
net_refused $A badparent 'routed.parent=nosuch0: no such interface' \
	--subnet 10.44.0.0/16 -o routed.link=ipvlan -o routed.parent=nosuch0
net_refused $A badmode 'routed.ipvlan-mode=l4: must be l2, l3 or l3s' \
	--subnet 10.44.0.0/16 $IPV -o routed.ipvlan-mode=l4
net_refused $A noparent 'routed.link=ipvlan needs -o routed.parent' \
	--subnet 10.44.0.0/16 -o routed.link=ipvlan
net_ok $A ipv --subnet 10.45.0.0/16 --ip-range 10.45.1.0/24 $IPV -o routed.ipvlan-mode=l3
net_refused $A ipv2 'routed.parent=fabA is the parent of network [0-9a-f]{12} in ipvlan mode l3' \
	--subnet 10.44.0.0/16 $IPV -o routed.ipvlan-mode=l2
set_eq "A: the refusals left no link behind" "$(our_links $A)" "$LINKS0"
# The kernel may lack ipvlan (CONFIG_IPVLAN): then Docker's run is refused
# with that reason and leaves nothing; the traffic checks need the module.
if lab_ip $A link add ipvprobe0 link fabA type ipvlan mode l3 2>/dev/null; then
	lab_ip $A link del ipvprobe0
	IPVLAN_KERNEL=1
else
	IPVLAN_KERNEL=
	lab_log "SKIP ipvlan traffic checks: this kernel has no ipvlan (CONFIG_IPVLAN)"
	out=$(dk $A run -d --name i1 --net=ipv --ip 10.45.1.7 bb:local sleep 3600 2>&1); rc=$?
	[ "$rc" -ne 0 ] && ok "A: run i1 on ipv refused without kernel ipvlan" ||
		fail "A: run i1 on ipv refused without kernel ipvlan"
	assert_contains "$out" 'this kernel has no ipvlan' "A: ... saying 'this kernel has no ipvlan'"
	dk $A rm -f i1 >/dev/null 2>&1
	set_eq "A: ... and no link of ours left" "$(our_links $A)" "$LINKS0"
	out=$(dk $A network rm ipv 2>&1); assert_eq "$?" 0 "A: network rm ipv"
fi
if [ -n "$IPVLAN_KERNEL" ]; then
	run_ok $A i1 ipv 10.45.1.7
	out=$(nsenter -t "$(cpid $A i1)" -n ip -d link show eth0 2>&1)
	assert_contains "$out" 'ipvlan +mode l3 ' "A: i1's eth0 is an ipvlan slave in mode l3"
	assert_contains "$(lab_ip $A -d link show fabA)" 'fabA' "A: fabA is still there"
	RV=$(our_links $A | grep '^rv' | head -1)
	assert_contains "$RV" '^rv[0-9a-f]{12}$' "A: the network's host-side ipvlan exists ($RV)"
	assert_contains "$(lab_ip $A -d link show "${RV:-none}" 2>&1)" 'ipvlan +mode l3 ' "A: $RV is an ipvlan of fabA in mode l3"
	assert_eq "$(our_links $A | grep -c '^rt')" "$(echo "$LINKS0" | grep -c '^rt')" "A: no host veth for i1"
	wait_route "B: kernel has i1's 10.45.1.7 proto ospf" $B 10.45.1.7/32 ospf 10
	out=$(kroute $B 10.45.1.7/32)
	assert_contains "$out" "^10\.45\.1\.7 .*via 10\.200\.0\.1 dev fabB proto ospf" "B: 10.45.1.7 via A over the fabric ($out)"
	out=$(lab_vtysh $A 'show ip route 10.45.1.7/32' 2>&1)
	assert_contains "$out" 'Known via "babel".*tag 100' "A: zebra has 10.45.1.7/32 via babel, tag 100"
	assert_contains "$out" "directly connected, $RV" "A: ... through $RV"
	ipv_pings() {
		local when=$1
		ping_ok "i1 (A, ipvlan) -> b1 10.46.2.7 (B, veth)$when" dk $A exec i1 ping -c 2 -W 2 10.46.2.7
		ping_ok "b1 (B, veth) -> i1 10.45.1.7 (A, ipvlan)$when" dk $B exec b1 ping -c 2 -W 2 10.45.1.7
		# l3: the kernel sends i1's packets out of fabA only (README)
		if dk $A exec i1 ping -c 1 -W 2 10.46.1.7 >/dev/null 2>&1; then
			fail "i1 (A, ipvlan l3) -> a1 (A, veth) fails, as README says$when"
		else
			ok "i1 (A, ipvlan l3) -> a1 (A, veth) fails, as README says$when"
		fi
		ping_ok "A (host) -> i1 10.45.1.7$when" lab_exec $A busybox ping -c 2 -W 2 10.45.1.7
	}
	ipv_pings ""
	run_ok $A i2 ipv 10.45.1.8
	ping_ok "i2 -> i1 (A, two ipvlan containers of one parent)" dk $A exec i2 ping -c 2 -W 2 10.45.1.7
	out=$(dk $A rm -f i2 2>&1); assert_eq "$?" 0 "A: rm -f i2"
	EP=$(dk $A inspect -f '{{.NetworkSettings.Networks.ipv.EndpointID}}' i1)
	assert_contains "$EP" "^[0-9a-f]{64}$" "A: i1 has an endpoint on ipv (${EP:0:12})"
	lab_log "--- kill -9 of the plugin on A, then a new one: i1 stays"
	kill -KILL "${LAB_PLUGIN_PID[$A]:-0}"; wait "${LAB_PLUGIN_PID[$A]:-0}" 2>/dev/null
	LAB_PLUGIN_PID[$A]=
	lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
	check "A: the restarted plugin kept i1's host-side $RV" retry 5 lab_ip $A link show "${RV:-none}"
	sleep 2
	check "B: still has 10.45.1.7 after kill -9 and restart" has_route $B 10.45.1.7/32 ospf
	out=$(lab_vtysh $A 'show ip route 10.45.1.7/32' 2>&1)
	assert_contains "$out" 'Known via "babel"' "A: the new plugin announces 10.45.1.7/32 again"
	ipv_pings " after kill -9"
	assert_not_contains "$(cat "$(lab_hdir $A)/plugin.log")" "endpoint ${EP:0:12}: .*forgetting" \
		"A: the plugin did not forget i1's endpoint ${EP:0:12}"
	lab_log "--- docker rm -f i1 withdraws it"
	out=$(dk $A rm -f i1 2>&1); assert_eq "$?" 0 "A: rm -f i1"
	wait_gone "B: 10.45.1.7 gone after rm -f i1 on A" $B 10.45.1.7/32 ospf 5
	out=$(dk $A network rm ipv 2>&1); assert_eq "$?" 0 "A: network rm ipv"
	set_eq "A: no ipvlan link left (rc, rv)" "$(our_links $A)" "$LINKS0"

fi

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
assert_contains "$out" 'Known via "babel".*tag 999' "A: zebra has 10.47.0.9/32 via babel with tag 999"
out=$(lab_vtysh $A 'show ip route babel' 2>&1)
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
	lab_vtysh $A 'show ip route babel' 'show zebra client summary' | sed 's/^/#   | /'
	lab_plugin_log $A 30
fi
out=$(lab_vtysh $A 'show ip route 10.46.1.7/32' 2>&1)
assert_contains "$out" 'Known via "babel".*tag 100' "A: new zebra has 10.46.1.7/32 via babel, tag 100"
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
out=$(lab_vtysh $A 'show ip route babel' 2>&1)
assert_not_contains "$out" '^A' "A: zebra has no babel route left"

lab_log "wall time $((SECONDS - T0)) s"
if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "plugin log A (last 60 lines), $(lab_hdir $A)/plugin.log:"
	lab_plugin_log $A 60
fi
lab_done
