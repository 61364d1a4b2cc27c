#!/bin/bash
# SPDX-License-Identifier: MIT
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
# ipvlan: the refusals of a routed.link=ipvlan network on A (missing parent,
# another mode on the same parent, bad mode) leave nothing; without kernel
# ipvlan a run on it is refused, saying so. Its traffic, restarts and
# withdrawal are ipvlan_docker.sh's.
#
# Neither host has a default route: host <-> container and container <->
# container on one host and across hosts all ping, again after a default
# route came and went and after arp_ignore=1/arp_announce=2, each time with
# the containers' neighbour tables flushed; and the gateway's route the
# plugin adds never reaches B, even with "redistribute kernel" and
# "redistribute connected" on A.
#
# Several addresses per container (issue 13): routed.ips with three IPv4 and
# an IPv6 address, routed.anycast with its own tag, routed.ip-count; each
# IPv4 /32 on B via OSPF with its tag and pinged from B; the IPv6 one in A's
# zebra and pinged from a container on A (the lab has no OSPFv3); docker rm
# takes all of them off B; the ip-count ones live through the restarts.
# Anycast: a third host C that only routes, linked to A and to B, gets an
# ECMP route for an address held by a container on A and one on B; with
# the one on A removed, the route goes via B only and traffic still flows.
#
# routedctl on A: check agrees after containers come and go; a host route
# deleted behind the plugin's back and a route zebra prefers over one of
# ours (a static route set with vtysh) are both named by check (exit 1),
# repaired (routedctl repair, vtysh 'no ip route'), and check agrees again;
# status -j is JSON with the session up, and down while zebra is; metrics
# (control socket and --metrics-listen) parse with prometheus_client and
# count the calls; 200 control clients and two slow ones while Docker-shaped
# calls are timed (figures only).
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
lab_zebra_plugin_need

T0=$SECONDS
lab_pair $A $B ospf
lab_dockerd $A
lab_dockerd $B
lab_image $A
lab_image $B
# --extra-addresses opens containers' namespaces: the SandboxKey mounts are
# in dockerd's mount namespace
LAB_PLUGIN_DOCKERD_MNT=1
PLUGIN_FLAGS_A=(--gateway $GW --zebra-socket "$(lab_zserv $A)" --zebra-route-type $RT
	--extra-addresses --metrics-listen 127.0.0.1:9464)
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
lab_plugin $B --gateway $GW --zebra-socket "$(lab_zserv $B)" --zebra-route-type $RT \
	--extra-addresses
lab_log "lab set up in $((SECONDS - T0)) s"

dk() { local h=$1; shift; lab_docker_t "$h" 60 "$@"; }

# -------------------------------------------------------------- helpers

# kroute, has_route, no_route, wait_route, wait_gone: lab.sh
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

# routedctl on HOST
ctl() { lab_ctl "$@"; }
ctl_agrees() { ctl "$1" check >/dev/null 2>&1; }

# routes B learned from A (or A from B) into 10.45-10.49, as "prefix proto"
learned() { lab_ip "$1" -4 route show proto ospf | grep -E '^10\.4[5-9]\.' | awk '{print $1}' | sort; }

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

# -------------------------------------------------------------- gateway

lab_log "--- no default route; one comes and goes; kube-proxy's ARP settings"
assert_eq "$(for h in $A $B; do lab_ip $h -4 route show default; lab_ip $h -6 route show default; done)" "" \
	"A and B have no default route"
run_ok $A a3 ctr 10.46.1.9
# pings_2h WHEN: every direction, after the containers forgot their gateway
pings_2h() {
	local when=$1
	lab_cexec $A a1 ip neigh flush dev eth0; lab_cexec $A a3 ip neigh flush dev eth0
	lab_cexec $B b1 ip neigh flush dev eth0
	assert_not_contains "$(lab_cexec $A a1 ip neigh show $GW)" lladdr "a1: $GW forgotten ($when)"
	ping_ok "a1 -> a3 (same host), $when"   dk $A exec a1 ping -c 1 -W 2 10.46.1.9
	ping_ok "a3 -> a1 (same host), $when"   dk $A exec a3 ping -c 1 -W 2 10.46.1.7
	ping_ok "a1 -> b1 (other host), $when"  dk $A exec a1 ping -c 1 -W 2 10.46.2.7
	ping_ok "b1 -> a3 (other host), $when"  dk $B exec b1 ping -c 1 -W 2 10.46.1.9
	ping_ok "a1 -> host A 10.200.0.1, $when" dk $A exec a1 ping -c 1 -W 2 10.200.0.1
	ping_ok "a1 -> host B 10.200.0.2, $when" dk $A exec a1 ping -c 1 -W 2 10.200.0.2
	ping_ok "host A -> a3, $when"           lab_exec $A busybox ping -c 1 -W 2 10.46.1.9
	ping_ok "host B -> a1 (other host), $when" lab_exec $B busybox ping -c 1 -W 2 10.46.1.7
}
pings_2h "no default route"
check "A, B: default routes added" eval 'lab_default_route $A add && lab_default_route $B add'
check "A, B: default routes removed again" eval 'lab_default_route $A del && lab_default_route $B del'
pings_2h "after a default route came and went"
check "A, B: arp_ignore=1 arp_announce=2" eval 'lab_arp_strict $A && lab_arp_strict $B'
pings_2h "arp_ignore=1 arp_announce=2"

lab_log "--- the gateway's route stays on A, whatever A redistributes"
out=$(lab_vtysh $A 'configure terminal' 'router ospf' 'redistribute kernel' 'redistribute connected' 2>&1)
assert_eq "$?" 0 "A: ospfd redistributes kernel and connected routes, no route-map ($out)"
# controls: a kernel route and a connected one of A's do reach B
lab_ip $A route add 10.99.0.0/24 dev dum0
wait_route "B: A's kernel route 10.99.0.0/24 arrives (control)" $B 10.99.0.0/24 ospf 10
wait_route "B: A's connected 10.250.0.1/32 arrives (control)" $B 10.250.0.1/32 ospf 10
out=$(lab_vtysh $A 'show ip route 169.254.1.1/32' 2>&1)
assert_not_contains "$out" 'Known via' "A: zebra does not know the plugin's route to $GW ($(echo $out))"
# (B has its own route to $GW, from its own plugin: look for OSPF's)
seen=
for i in $(seq 20); do
	seen=$(lab_ip $B -4 route show exact $GW/32 proto ospf)
	[ -n "$seen" ] && break
	sleep 0.1
done
assert_eq "$seen" "" "B: no OSPF route to $GW/32 arrives from A (2 s)"
assert_contains "$(lab_ip $B -4 route show table local exact $GW/32)" '^169\.254\.1\.1 dev routed-gw0 proto redirect' \
	"B: its own route to $GW is its plugin's, through routed-gw0 in table local"
out=$(lab_vtysh $B 'show ip ospf database external' 2>&1)
assert_not_contains "$out" 'Link State ID: 169\.254\.' "B: no LSA for 169.254.x"
lab_vtysh $A 'configure terminal' 'router ospf' 'no redistribute kernel' 'no redistribute connected' >/dev/null 2>&1
lab_ip $A route del 10.99.0.0/24 dev dum0
wait_gone "B: 10.99.0.0/24 withdrawn again" $B 10.99.0.0/24 ospf 10

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
# with that reason and leaves nothing. The traffic, restarts and withdrawal
# of ipvlan containers are ipvlan_docker.sh's (in a qemu guest where the
# kernel has no ipvlan).
if lab_ip $A link add ipvprobe0 link fabA type ipvlan mode l3 2>/dev/null; then
	lab_ip $A link del ipvprobe0
else
	out=$(dk $A run -d --name i1 --net=ipv --ip 10.45.1.7 bb:local sleep 3600 2>&1); rc=$?
	[ "$rc" -ne 0 ] && ok "A: run i1 on ipv refused without kernel ipvlan" ||
		fail "A: run i1 on ipv refused without kernel ipvlan"
	assert_contains "$out" 'this kernel has no ipvlan' "A: ... saying 'this kernel has no ipvlan'"
	dk $A rm -f i1 >/dev/null 2>&1
	set_eq "A: ... and no link of ours left" "$(our_links $A)" "$LINKS0"
fi
out=$(dk $A network rm ipv 2>&1); assert_eq "$?" 0 "A: network rm ipv"

# -------------------------------------------------------------- several addresses

lab_log "--- several addresses per container: routed.ips, routed.anycast, routed.ip-count"
net_ok $A multi --subnet 10.45.0.0/16 --ip-range 10.45.1.0/24 --ipv6 --subnet fd45::/64
# Docker 20.10's CLI splits --network's value as CSV: a list in a value is quoted
out=$(dk $A run -d --name m1 --network 'name=multi,"driver-opt=routed.ips=10.45.0.11,10.45.0.12,fd45::12",driver-opt=routed.anycast=10.45.0.200,driver-opt=routed.anycast-tag=200' \
	bb:local sleep 3600 2>&1); rc=$?
assert_eq "$rc" 0 "A: docker run --network name=multi,driver-opt=routed.ips=... m1 ($(echo $out | cut -c1-60))"
out=$(dk $A run -d --name m2 --network name=multi,driver-opt=routed.ip-count=2 bb:local sleep 3600 2>&1); rc=$?
assert_eq "$rc" 0 "A: docker run --network name=multi,driver-opt=routed.ip-count=2 m2 ($(echo $out | cut -c1-60))"
M1=$(caddr $A m1); M2=$(caddr $A m2)
lab_log "m1 $M1, m2 $M2 (Docker's addresses)"
# the plugin adds the extra ones once Docker has configured the interface
m1_addrs() { dk $A exec m1 ip -o addr show dev eth0 | awk '$3 ~ /^inet/ {print $4}' | sort; }
wait_set "A: m1's eth0 has Docker's two addresses, the three extra ones and fe80" 10 m1_addrs \
	"$(printf '%s\n' "$M1/32" 10.45.0.11/32 10.45.0.12/32 10.45.0.200/32 fd45::12/128 \
	"$(dk $A inspect -f '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}{{end}}' m1)/128" \
	"$(dk $A exec m1 ip -o -6 addr show dev eth0 scope link | awk '{print $4}')" | sort)"
m2_v4() { dk $A exec m2 ip -o -4 addr show dev eth0 | grep -c ' inet '; }
wait_set "A: m2's eth0 has three IPv4 addresses (Docker's and two of routed.ip-count)" 10 m2_v4 3
M2X=$(dk $A exec m2 ip -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1 | grep -vx "$M2")
lab_log "m2's extra addresses: $(echo $M2X)"
for a in "$M1" 10.45.0.11 10.45.0.12 10.45.0.200 $M2X; do
	wait_route "B: kernel has $a/32 proto ospf" $B "$a/32" ospf 10
done
out=$(kroute $B 10.45.0.12/32)
assert_contains "$out" "via 10\.200\.0\.1 dev fabB proto ospf" "B: 10.45.0.12 via A ($out)"
for a in "$M1" 10.45.0.11 10.45.0.12; do
	out=$(lab_vtysh $B "show ip ospf database external $a" 2>&1)
	assert_contains "$out" 'External Route Tag: 100' "B: LSA for $a (m1) carries tag 100"
done
out=$(lab_vtysh $B 'show ip ospf database external 10.45.0.200' 2>&1)
assert_contains "$out" 'External Route Tag: 200' "B: LSA for anycast 10.45.0.200 carries routed.anycast-tag 200"
out=$(lab_vtysh $B 'show ip route 10.45.0.200/32' 2>&1)
assert_contains "$out" 'Known via "ospf".*tag 200' "B: zebra has 10.45.0.200/32 via ospf with tag 200"
for a in "$M1" 10.45.0.11 10.45.0.12 10.45.0.200 $M2X; do
	ping_ok "b1 (B) -> $a on A" dk $B exec b1 ping -c 1 -W 2 "$a"
done
# IPv6: announced to A's zebra (no OSPFv3 in this lab to carry it to B)
out=$(lab_vtysh $A 'show ipv6 route fd45::12/128' 2>&1)
assert_contains "$out" "Known via \"$RT\".*tag 100" "A: zebra has fd45::12/128 via $RT with tag 100"
ping_ok "m2 (A) -> m1's extra fd45::12" dk $A exec m2 ping -6 -c 1 -W 2 fd45::12
out=$(dk $A inspect -f '{{range .NetworkSettings.Networks}}{{.MacAddress}}{{end}}' m1)
assert_contains "$out" '^02:52:0a:2d:' "A: m1's MAC is derived from its address ($out)"
out=$(grep 'info\]: endpoint' "$(lab_hdir $A)/plugin.log")
assert_contains "$out" 'extra addresses 10\.45\.0\.11 10\.45\.0\.12 fd45::12 10\.45\.0\.200 \(anycast\)' \
	"A: the plugin logs m1's extra addresses at info"
out=$(dk $A run --rm --network 'name=multi,driver-opt=routed.ips=10.45.0.11' bb:local true 2>&1); rc=$?
assert_eq "$rc" 125 "A: a second container asking for m1's 10.45.0.11 is refused"
assert_contains "$out" 'address 10\.45\.0\.11 is taken by endpoint' "A: ... saying it is taken ($out)"
out=$(dk $A run --rm --network 'name=multi,driver-opt=routed.ipz=1' bb:local true 2>&1); rc=$?
assert_contains "$out" "unknown endpoint option 'routed.ipz'" "A: an unknown routed.* endpoint option is refused ($(echo $out | cut -c1-80))"
# docker network connect --driver-opt takes the same path (a created
# container, disconnected and connected again: its only network is ours)
out=$(dk $A create --name m3 --network multi bb:local sleep 3600 2>&1); assert_eq "$?" 0 "A: create m3"
out=$(dk $A network disconnect multi m3 2>&1); assert_eq "$?" 0 "A: network disconnect multi m3"
# the CLI splits --driver-opt at commas too: blanks separate the list here
out=$(dk $A network connect --driver-opt 'routed.ips=10.45.0.13 10.45.0.14' multi m3 2>&1)
assert_eq "$?" 0 "A: network connect --driver-opt 'routed.ips=10.45.0.13 10.45.0.14' multi m3 ($out)"
out=$(dk $A start m3 2>&1); assert_eq "$?" 0 "A: start m3"
m3_has() { dk $A exec m3 ip -o -4 addr show dev eth0 | grep -q " $1/32 "; }
for a in 10.45.0.13 10.45.0.14; do
	check "A: m3's eth0 has $a" retry 10 m3_has "$a"
	wait_route "B: kernel has m3's $a/32 proto ospf" $B "$a/32" ospf 10
	ping_ok "b1 (B) -> m3's $a" dk $B exec b1 ping -c 2 -W 2 "$a"
done
out=$(dk $A rm -f m3 2>&1); assert_eq "$?" 0 "A: rm -f m3"
out=$(dk $A rm -f m1 2>&1); assert_eq "$?" 0 "A: rm -f m1"
for a in "$M1" 10.45.0.11 10.45.0.12 10.45.0.200 10.45.0.13 10.45.0.14; do
	wait_gone "B: $a gone after rm -f m1 m3" $B "$a/32" ospf 5
done
out=$(lab_vtysh $A 'show ipv6 route fd45::12/128' 2>&1)
assert_not_contains "$out" "$RT" "A: fd45::12/128 withdrawn from zebra"
out=$(dk $A run --rm --network 'name=multi,"driver-opt=routed.ips=10.45.0.11,fd45::12"' bb:local true 2>&1)
assert_eq "$?" 0 "A: m1's extra addresses are free again ($(echo $out | cut -c1-60))"
# -------------------------------------------------------------- console

lab_log "--- routedctl on A: check, status, metrics, repair"
PY=/usr/bin/python3	# Debian's, with python3-prometheus-client
# jget EXPR: evaluate EXPR over the JSON on standard input (as d)
jget() { "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# metric TEXTFILE NAME LABELS: the value of one sample, parsed by prometheus_client
metric() {
	"$PY" - "$@" <<'PYEOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
text, name, labels = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
want = dict(kv.split("=", 1) for kv in labels.split(",") if kv)
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in want.items()):
            print(int(s.value)); sys.exit(0)
print("absent")
PYEOF
}

if retry 10 ctl_agrees $A; then ok "A: routedctl check exits 0 after containers came and went"
else fail "A: routedctl check exits 0 after containers came and went"; ctl $A check | sed 's/^/#   | /'; fi
out=$(ctl $A -j status)
assert_eq "$(printf '%s' "$out" | jget 'd["zebra"]["session"]')" up "A: status -j is JSON, zebra session up"
assert_eq "$(printf '%s' "$out" | jget 'd["zebra"]["dialect"] + " " + d["zebra"]["route_type"]')" \
	"${LAB_EXPECT_DIALECT:-frr8.2} $RT" "A: status -j names the dialect and route type"
NEP=$(dk $A ps -q | wc -l)	# each running container of A: one endpoint
assert_eq "$(printf '%s' "$out" | jget 'd["counts"]["endpoints"]')" "$NEP" "A: status -j counts $NEP endpoints, one per container"
out=$(ctl $A routes)
assert_contains "$out" '^10\.46\.1\.7/32 +host +rt[0-9a-f]+ +installed' "A: routedctl routes: 10.46.1.7/32 installed in zebra"

M=$(lab_hdir $A)/metrics
ctl $A metrics > "$M.1"
n1=$(metric "$M.1" routed_plugin_docker_requests_total method=NetworkDriver.CreateEndpoint,outcome=ok)
run_ok $A a4 ctr 10.46.1.10
wait_route "B: control 10.46.1.10 (a4) appears" $B 10.46.1.10/32 ospf
lab_exec $A curl -sf http://127.0.0.1:9464/metrics > "$M.2"
n2=$(metric "$M.2" routed_plugin_docker_requests_total method=NetworkDriver.CreateEndpoint,outcome=ok)
assert_eq "$([ "$n1" != absent ] && [ "$n2" != absent ] && echo $((n2 - n1)))" 1 \
	"A: metrics parse (prometheus_client); CreateEndpoint ok counter $n1 -> $n2 over --metrics-listen"
# the same count as routedctl routes shows, and at least a1's and a4's
NRT=$(ctl $A routes | grep -c ' installed')
assert_eq "$(metric "$M.2" routed_plugin_routes state=installed)" "$NRT" "A: metrics: $NRT routes installed in zebra, as routedctl routes says"
check "A: at least a1's and a4's routes installed ($NRT)" [ "$NRT" -ge 2 ]
assert_eq "$(metric "$M.2" routed_plugin_zebra_session_up '')" 1 "A: metrics: zebra session up"

# Behind the plugin's back: a1's host route goes, a static route in zebra
# beats a3's (distance 50 < babel's 100).
A1IF=$(lab_ip $A -4 route show exact 10.46.1.7/32 proto redirect | awk '{print $3}')
lab_ip $A -4 route del 10.46.1.7/32 dev "$A1IF" proto redirect
# The route that beats a3's: a static route from staticd in the 8.4 run.
# FRR 10's staticd takes its configuration from mgmtd only, whose sockets
# ../shared/frr's build keeps under its own prefix (/opt/frr10/var/run), so
# the 10 run adds a kernel route of another protocol instead, which zebra
# imports as a kernel route (distance 0).
if [ -z "${LAB_FRR_PREFIX:-}" ]; then
	BEAT=staticd
	SD=$(lab_fdir $A)
	: > "$SD/staticd.conf" && chown frr:frr "$SD/staticd.conf"
	check "A: staticd started" lab_frr_start $A staticd
	lab_vtysh $A 'configure terminal' 'ip route 10.46.1.9/32 blackhole 50' >/dev/null
else
	BEAT=kernel
	check "A: a kernel route to 10.46.1.9/32, proto static" \
		lab_ip $A -4 route add blackhole 10.46.1.9/32 proto static metric 5
fi
ctl_differs() { ! ctl $A check >/dev/null 2>&1 && ctl $A check | grep -q '10\.46\.1\.9/32'; }
retry 10 ctl_differs
out=$(ctl $A check); rc=$?
assert_eq "$rc" 1 "A: routedctl check exits 1 after the change(s)"
show "$out"
assert_contains "$out" "^kernel +10\.46\.1\.7 dev $A1IF: the host route of an endpoint's address is missing" \
	"A: check names the missing host route of a1"
out=$(ctl $A -j check)
assert_contains "$(ctl $A check)" '^zebra +10\.46\.1\.9/32: ' "A: check names a3's route, beaten in zebra (by $BEAT)"
assert_eq "$(printf '%s' "$out" | jget 'len(d["differences"])')" 2 "A: check -j lists exactly 2 differences"
out=$(ctl $A routes)
assert_contains "$out" '^10\.46\.1\.9/32 .* (rejected|installed) ' "A: routes shows a3's state ($(echo "$out" | grep 10.46.1.9))"
out=$(ctl $A repair 2>&1); assert_eq "$?" 0 "A: routedctl repair"
assert_eq "$(lab_ip $A -4 route show exact 10.46.1.7/32 proto redirect | awk '{print $3}')" "$A1IF" \
	"A: repair put a1's host route back"
if [ "$BEAT" = staticd ]; then
	lab_vtysh $A 'configure terminal' 'no ip route 10.46.1.9/32 blackhole 50' >/dev/null
else
	lab_ip $A -4 route del blackhole 10.46.1.9/32 proto static metric 5
fi
if retry 10 ctl_agrees $A; then ok "A: routedctl check exits 0 again"
else fail "A: routedctl check exits 0 again"; ctl $A check | sed 's/^/#   | /'; fi
wait_route "B: 10.46.1.9 back once zebra selects a3's route again" $B 10.46.1.9/32 ospf
[ "$BEAT" = staticd ] && lab_frr_stop $A staticd

lab_log "--- 200 control clients and two slow ones while Docker-shaped calls are timed"
out=$("$PY" "$_lab_here/ctl_load.py" --ctl "$(lab_hdir $A)/run/routed-plugin.ctl" \
	--net "$(lab_ddir $A)/plugins/net-routed.sock" --clients 200 --calls 200 2>&1)
show "$out"
S=$(printf '%s\n' "$out" | grep '^# CTL_LOAD')
assert_contains "$S" 'calls_ok=400/400' "A: every Docker-shaped call answered under the control load"
assert_contains "$S" 'ctl_errors=0 *$' "A: every control client answered"
check "A: routed-plugin still running after the control load" kill -0 "${LAB_PLUGIN_PID[$A]:-0}"

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
out=$(ctl $A -j status)
assert_eq "$(printf '%s' "$out" | jget 'd["zebra"]["session"]')" down "A: status -j says the zebra session is down"
out=$(ctl $A check); rc=$?
assert_eq "$rc" 1 "A: check exits 1 while zebra is down"
assert_contains "$out" 'no session with zebra' "A: check says there is no session with zebra"
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

# -------------------------------------------------------------- anycast

lab_log "--- anycast: host C routes between A and B"
C=hostC
lab_host $C 10.250.0.3/32
lab_link $A fabAC $C cA
lab_link $B fabBC $C cB
lab_ip $A addr add 10.200.1.1/30 dev fabAC
lab_ip $C addr add 10.200.1.2/30 dev cA
lab_ip $B addr add 10.200.2.1/30 dev fabBC
lab_ip $C addr add 10.200.2.2/30 dev cB
lab_frr $C ospf HOSTNAME=$C ROUTER_ID=10.250.0.3 FABRIC_IF=cA FABRIC_NET=10.200.1.0/30
# the second link of each: the same interface settings as frr-conf's
ospf_link() {
	lab_vtysh "$1" 'configure terminal' "interface $2" 'ip ospf network point-to-point' \
		'ip ospf hello-interval 1' 'ip ospf dead-interval 4' 'exit' 'router ospf' \
		"network $3 area 0" >/dev/null
}
ospf_link $C cB 10.200.2.0/30
ospf_link $A fabAC 10.200.1.0/30
ospf_link $B fabBC 10.200.2.0/30
full2() { [ "$(lab_vtysh $C 'show ip ospf neighbor' 2>/dev/null | grep -c ' Full/')" = 2 ]; }
check "C: OSPF adjacencies with A and B are Full" retry 30 full2
# A host holding the address announces it only while its own route wins
# over the one OSPF brings from the other host: distance below OSPF's 110
# (babel's 100 is; sharp's 150, in the FRR 10 run, is not).
net_ok $A anyn --subnet 10.44.0.0/16 --ip-range 10.44.1.0/24 -o routed.distance=100
net_ok $B anyn --subnet 10.44.0.0/16 --ip-range 10.44.2.0/24 -o routed.distance=100
ANY=10.44.0.50
out=$(dk $A run -d --name anyA --network name=anyn,driver-opt=routed.anycast=$ANY,driver-opt=routed.anycast-tag=200 bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "A: run anyA with routed.anycast=$ANY ($(echo $out | cut -c1-12))"
out=$(dk $B run -d --name anyB --network name=anyn,driver-opt=routed.anycast=$ANY,driver-opt=routed.anycast-tag=200 bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "B: run anyB with routed.anycast=$ANY ($(echo $out | cut -c1-12))"
croute() { lab_ip $C -4 route show exact "$ANY/32"; }
ecmp() { croute | grep -q 'via 10\.200\.1\.1 dev cA' && croute | grep -q 'via 10\.200\.2\.1 dev cB'; }
if retry 15 ecmp; then ok "C: ECMP route to $ANY via A (cA) and via B (cB)"
else fail "C: ECMP route to $ANY via A (cA) and via B (cB)"; croute | sed 's/^/#   | /'; fi
out=$(lab_vtysh $C "show ip route $ANY/32" 2>&1)
assert_contains "$out" 'Known via "ospf".*tag 200' "C: zebra has $ANY via ospf with tag 200"
any_has() { dk "$1" exec "$2" ip -o -4 addr show dev eth0 | grep -q " $ANY/32 "; }
check "A: anyA has $ANY" retry 10 any_has $A anyA
check "B: anyB has $ANY" retry 10 any_has $B anyB
ping_ok "C (host) -> $ANY (ECMP)" lab_exec $C busybox ping -c 2 -W 2 $ANY
out=$(dk $A rm -f anyA 2>&1); assert_eq "$?" 0 "A: rm -f anyA"
via_b_only() { croute | grep -q 'via 10\.200\.2\.1 dev cB' && ! croute | grep -q 'dev cA'; }
if retry 10 via_b_only; then ok "C: $ANY via B only after rm -f anyA"
else fail "C: $ANY via B only after rm -f anyA"; croute | sed 's/^/#   | /'; fi
ping_ok "C (host) -> $ANY (now anyB on B)" lab_exec $C busybox ping -c 2 -W 2 $ANY
out=$(dk $B rm -f anyB 2>&1); assert_eq "$?" 0 "B: rm -f anyB"
wait_gone "C: $ANY gone after rm -f anyB" $C "$ANY/32" ospf 5
out=$(dk $A network rm anyn 2>&1); assert_eq "$?" 0 "A: network rm anyn"
out=$(dk $B network rm anyn 2>&1); assert_eq "$?" 0 "B: network rm anyn"

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
