#!/bin/bash
# SPDX-License-Identifier: MIT
# bridge_ospf.sh - the host's other Docker networks (issue 17 item 3):
# bridge networks labelled routed.announce=aggregate, learned from the
# engine's API (--docker-host), announced to zebra and carried by OSPF.
#
# Two lab hosts A and B as in two_hosts_ospf.sh (zebra + ospfd from
# frr-conf/). A's plugin follows A's engine (--docker-host); B's plugin
# follows an "engine" that accepts and never answers (a slow API).
# Checks: a labelled bridge network on A (10.47.0.0/24, no masquerade) is
# on B as its two halves (proto ospf, tag 100 in the LSA); a routed
# container on B pings a container on it, and a TCP connection from that
# container reaches B's container from the container's own address (no
# NAT: the peer address B's socket sees); an unlabelled bridge network and
# one with a bad label (routed.announce=bogus) never reach B, and the bad
# one is named with its reason in the log and in routedctl status; network
# rm withdraws; a network labelled while the plugin was stopped is
# announced when it starts, one removed meanwhile is gone from B; A's
# dockerd stopped: the plugin serves its drivers, the routes stay, and
# once dockerd is back the event stream is followed again; B's plugin,
# whose engine never answers, serves Docker all along.
#
# Run: sudo tests/acceptance/bridge_ospf.sh
# Needs root, docker.io, frr, busybox-static, curl. LAB_KEEP=1 keeps the lab.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

A=hostA
B=hostB
GW=169.254.1.1
PY=/usr/bin/python3

lab_init
lab_frr_need
"$LAB_PLUGIN_BIN" --help 2>/dev/null | grep -q -- --docker-host ||
	lab_skip "$LAB_PLUGIN_BIN has no --docker-host"
command -v curl >/dev/null || lab_skip "curl not found (package curl)"

T0=$SECONDS
lab_pair $A $B ospf
lab_dockerd $A
lab_dockerd $B
lab_image $A
lab_image $B

# B's "engine": accepts, reads, never answers (in B's netns: lab_cleanup
# stops whatever runs there)
SLOW=$(lab_hdir $B)/slow-engine.sock
nsenter --net="/run/netns/$(lab_ns $B)" -- "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$SLOW" </dev/null >/dev/null 2>&1 &
SLOW_PID=$!
retry 5 test -S "$SLOW" || lab_bail "the silent engine did not start"

DSOCK=$(lab_ddir $A)/docker.sock
lab_plugin $A --gateway $GW --zebra-socket "$(lab_zserv $A)" --docker-host "unix://$DSOCK"
lab_plugin $B --gateway $GW --zebra-socket "$(lab_zserv $B)" --docker-host "unix://$SLOW"
lab_log "lab set up in $((SECONDS - T0)) s"

dk() { local h=$1; shift; lab_docker_t "$h" 60 "$@"; }
ctl() { lab_ctl "$@"; }
jget() { "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# B's OSPF routes inside PREFIX_RE (a regex of the first octets)
learned() { lab_ip "$1" -4 route show proto ospf | grep -E "^$2" | awk '{print $1}' | sort | tr '\n' ' '; }
# never_learned TEXT HOST RE SECONDS: no such route in any sample
never_learned() {
	local text=$1 h=$2 re=$3 end=$((SECONDS + $4)) seen=
	while [ "$SECONDS" -lt "$end" ]; do
		seen=$(learned "$h" "$re"); [ -n "$seen" ] && break
		sleep 0.2
	done
	if [ -z "$seen" ]; then ok "$text"; else fail "$text"; lab_log "  learned: $seen"; fi
}
# bridge_net HOST NAME SUBNET [ARGS...]: docker network create --driver bridge
bridge_net() {
	local h=$1 n=$2 sn=$3 out; shift 3
	out=$(dk "$h" network create --driver bridge \
		-o com.docker.network.bridge.enable_ip_masquerade=false \
		--subnet "$sn" "$@" "$n" 2>&1)
	assert_eq "$?" 0 "$h: bridge network $n $sn $* ($(echo $out | cut -c1-12))"
}
run_ok() {
	local h=$1 c=$2 n=$3 ip=$4 out
	out=$(dk "$h" run -d --name "$c" --net="$n" --ip "$ip" bb:local sleep 3600 2>&1)
	assert_eq "$?" 0 "$h: run $c on $n --ip $ip ($(echo $out | cut -c1-12))"
}
plog() { cat "$(lab_hdir "$1")/plugin.log"; }

lab_ospf_adjacency $A $B

# -------------------------------------------------------------- basics

lab_log "--- a routed container on B, bridge networks on A"
out=$(dk $B network create --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.46.0.0/16 --ip-range 10.46.2.0/24 ctr 2>&1)
assert_eq "$?" 0 "B: routed network ctr (with a silent engine behind B's plugin)"
run_ok $B b1 ctr 10.46.2.7
wait_route "A: has b1's 10.46.2.7 via OSPF" $A 10.46.2.7/32 ospf 10

bridge_net $A lbl 10.47.0.0/24 --label routed.announce=aggregate
bridge_net $A plain 10.48.0.0/24
bridge_net $A bad 10.49.0.0/24 --label routed.announce=bogus
run_ok $A br1 lbl 10.47.0.10
run_ok $A pl1 plain 10.48.0.10
run_ok $A bd1 bad 10.49.0.10

wait_route "B: 10.47.0.0/25 (lbl's first half) via OSPF" $B 10.47.0.0/25 ospf 15
wait_route "B: 10.47.0.128/25 (lbl's second half) via OSPF" $B 10.47.0.128/25 ospf 15
out=$(kroute $B 10.47.0.0/25)
assert_contains "$out" "via 10\.200\.0\.1 dev fabB proto ospf" "B: 10.47.0.0/25 via A ($out)"
out=$(lab_vtysh $B 'show ip ospf database external 10.47.0.0' 2>&1)
assert_contains "$out" 'External Route Tag: 100' "B: the LSA for 10.47.0.0 carries tag 100 (the plugin's default)"
out=$(lab_vtysh $A 'show ip route 10.47.0.0/25' 2>&1)
assert_contains "$out" 'Known via "babel".*tag 100' "A: zebra has 10.47.0.0/25 from the plugin with tag 100"
assert_contains "$out" 'directly connected, br-' "A: ... through the bridge"

ping_ok "b1 (B, routed) -> br1 10.47.0.10 (A, bridge lbl)" dk $B exec b1 ping -c 2 -W 2 10.47.0.10
ping_ok "br1 (A, bridge lbl) -> b1 10.46.2.7 (B, routed)" dk $A exec br1 ping -c 2 -W 2 10.46.2.7

# no NAT: b1's web server logs br1's own address as the client's
# (busybox httpd -vv names the peer of every request); the client is the
# host's curl in br1's network namespace (this machine's busybox-static
# wget fetches nothing: it segfaults on the host, prints nothing in a
# container)
dk $B exec -d b1 sh -c 'mkdir -p /tmp/www && echo hi > /tmp/www/index.html && httpd -f -vv -p 8080 -h /tmp/www 2>/tmp/httpd.log' >/dev/null
got_page() { [ "$(lab_cexec $A br1 curl -sS -m 2 http://10.46.2.7:8080/ 2>&1)" = hi ]; }
check "br1 (A, bridge lbl) fetches a page from b1 (B, routed) over TCP" retry 10 got_page
out=$(dk $B exec b1 cat /tmp/httpd.log 2>&1)
assert_contains "$out" '^\[?(::ffff:)?10\.47\.0\.10\]?:[0-9]+: url:/' "b1's server saw the client as 10.47.0.10, br1's own address (no NAT)"

never_learned "B: no route into the unlabelled network 10.48.0.0/24 (3 s)" $B '10\.48\.' 3
assert_eq "$(lab_ip $B -4 route get 10.48.0.10 2>&1 | grep -c 'proto ospf')" 0 "B: its kernel has no route to pl1 10.48.0.10"
never_learned "B: no route into the badly labelled network 10.49.0.0/24" $B '10\.49\.' 1
assert_contains "$(plog $A)" "docker network bad \([0-9a-f]{12}\): label routed\.announce=bogus: must be aggregate or none; nothing is announced" \
	"A: the log names the bad label and its reason"
st=$(ctl $A status -j 2>&1)
assert_contains "$(echo "$st" | jget '[n.get("error") for n in d["docker_networks"]["networks"] if n["name"] == "bad"]')" \
	"routed.announce=bogus: must be aggregate or none" "A: routedctl status -j names the bad label"
assert_contains "$(echo "$st" | jget '[n.get("routes") for n in d["docker_networks"]["networks"] if n["name"] == "lbl"]')" \
	"10.47.0.0/25.*10.47.0.128/25" "A: routedctl status -j lists lbl's routes"
assert_eq "$(echo "$st" | jget 'd["docker_networks"]["state"]')" "following events" "A: status: following the engine's events"
out=$(ctl $A status 2>&1)
assert_contains "$out" "routed.announce=bogus" "A: routedctl status (text) shows the bad label"
st=$(ctl $B status -j 2>&1)
assert_contains "$(echo "$st" | jget 'd["docker_networks"]["state"]')" "connecting|waiting" "B: status: its engine has not answered"

lab_log "--- tag, metric, distance labels; a bad tag"
bridge_net $A tagged 10.47.1.0/24 --label routed.announce=aggregate --label routed.tag=200 --label routed.distance=90
run_ok $A tg1 tagged 10.47.1.10
wait_route "B: tagged's 10.47.1.0/25 via OSPF" $B 10.47.1.0/25 ospf 15
out=$(lab_vtysh $B 'show ip ospf database external 10.47.1.0' 2>&1)
assert_contains "$out" 'External Route Tag: 200' "B: its LSA carries tag 200 (label routed.tag=200)"
out=$(lab_vtysh $A 'show ip route 10.47.1.0/25' 2>&1)
assert_contains "$out" 'distance 90' "A: zebra has it at distance 90 (label routed.distance=90)"
bridge_net $A badtag 10.49.1.0/24 --label routed.announce=aggregate --label routed.tag=x1
retry 5 eval 'plog $A | grep -q "label routed.tag=x1: must be 0..4294967295"'
assert_contains "$(plog $A)" "docker network badtag .*label routed\.tag=x1: must be" "A: a bad routed.tag label is named in the log"

# -------------------------------------------------------------- withdrawal

lab_log "--- network rm withdraws"
out=$(dk $A rm -f tg1 2>&1; dk $A network rm tagged 2>&1)
assert_eq "$?" 0 "A: rm tg1, network rm tagged"
wait_gone "B: 10.47.1.0/25 gone after network rm" $B 10.47.1.0/25 ospf 10
wait_gone "B: 10.47.1.128/25 gone after network rm" $B 10.47.1.128/25 ospf 10
has_route $B 10.47.0.0/25 ospf; assert_eq $? 0 "B: lbl's route is still there"

# -------------------------------------------------------------- restart

lab_log "--- plugin restart: re-learns, reconciles"
bridge_net $A gone 10.47.2.0/24 --label routed.announce=aggregate
run_ok $A gn1 gone 10.47.2.10
wait_route "B: gone's 10.47.2.0/25 via OSPF" $B 10.47.2.0/25 ospf 15
# B's view of lbl's route through the restart, every ~50 ms (a figure: the
# plugin announces the bridge networks again only once the engine answered)
SAMPLES=$(lab_hdir $B)/lbl-samples
: > "$SAMPLES"
(	while [ ! -e "$SAMPLES.stop" ]; do
		if has_route $B 10.47.0.0/25 ospf; then echo 1; else echo 0; fi
		sleep 0.05
	done >> "$SAMPLES" ) &
SAMPLER=$!
lab_plugin_stop $A
out=$(dk $A rm -f gn1 2>&1; dk $A network rm gone 2>&1)
assert_eq "$?" 0 "A: network gone removed while the plugin is stopped"
bridge_net $A later 10.47.3.0/24 --label routed.announce=aggregate
run_ok $A lt1 later 10.47.3.10
lab_plugin $A --gateway $GW --zebra-socket "$(lab_zserv $A)" --docker-host "unix://$DSOCK"
wait_route "B: later's 10.47.3.0/25, labelled while the plugin was stopped" $B 10.47.3.0/25 ospf 20
wait_gone "B: gone's 10.47.2.0/25 withdrawn after the restart" $B 10.47.2.0/25 ospf 90
wait_route "B: lbl's 10.47.0.0/25 there after the restart" $B 10.47.0.0/25 ospf 20
sleep 5
touch "$SAMPLES.stop"; wait "$SAMPLER"
lab_log "FIGURE: B's route to lbl's 10.47.0.0/25 through the plugin's restart and 5 s after: $(grep -c . "$SAMPLES") samples, $(grep -c '^0' "$SAMPLES") without it"
ping_ok "b1 (B) -> lt1 10.47.3.10 (A)" dk $B exec b1 ping -c 2 -W 2 10.47.3.10

# -------------------------------------------------------------- dockerd down

lab_log "--- A's dockerd stopped and started again"
DPID=${LAB_DOCKERD_PID[$A]}
kill -TERM "$DPID"
_lab_wait_gone "$DPID" 30 || lab_bail "A's dockerd did not stop"
retry 10 eval 'plog $A | tail -n 20 | grep -q "reconnecting in"'
assert_contains "$(plog $A | tail -n 20)" "docker engine at .*reconnecting in" "A: the plugin says the engine went and it reconnects"
out=$(lab_exec $A curl -s -m 5 --unix-socket "$(lab_ddir $A)/plugins/net-routed.sock" -X POST http://p/Plugin.Activate 2>&1)
assert_contains "$out" '"Implements":\["NetworkDriver"\]' "A: the plugin serves Plugin.Activate with dockerd down"
out=$(lab_exec $A curl -s -m 5 --unix-socket "$(lab_ddir $A)/plugins/ipam-routed.sock" -X POST http://p/IpamDriver.GetDefaultAddressSpaces 2>&1)
assert_contains "$out" 'LocalDefaultAddressSpace' "A: the plugin serves the IPAM driver with dockerd down"
st=$(ctl $A status -j 2>&1)
assert_contains "$(echo "$st" | jget 'd["docker_networks"]["state"]')" "waiting|connecting" "A: status: waiting for the engine"
# its containers stopped with it: the bridges are down, zebra withdraws
lab_dockerd $A
out=$(dk $A start br1 2>&1); assert_eq "$?" 0 "A: start br1 again"
following_again() {
	[ "$(ctl $A status -j 2>/dev/null | jget 'd["docker_networks"]["state"] + " " + str(d["docker_networks"]["lists"])')" = "following events 2" ]
}
if retry 40 following_again; then
	ok "A: the plugin follows the engine's events again (its second list of the networks)"
else fail "A: the plugin follows the engine's events again (its second list of the networks)"
	ctl $A status 2>&1 | sed 's/^/#   | /'; fi
wait_route "B: lbl's 10.47.0.0/25 there with br1 running again" $B 10.47.0.0/25 ospf 20
bridge_net $A after 10.47.4.0/24 --label routed.announce=aggregate
run_ok $A af1 after 10.47.4.10
wait_route "B: a network labelled after dockerd's restart is announced (events followed again)" $B 10.47.4.0/25 ospf 20
ping_ok "b1 (B) -> af1 10.47.4.10 (A)" dk $B exec b1 ping -c 2 -W 2 10.47.4.10

# -------------------------------------------------------------- B

lab_log "--- B's plugin, whose engine never answers"
out=$(dk $B run --rm --net ctr bb:local true 2>&1)
assert_eq "$?" 0 "B: docker run on a routed network works (engine API silent)"
assert_contains "$(plog $B)" "no answer within 30 s|reconnecting" "B: the plugin logged the silent engine"

lab_log "--- everything withdrawn at the end"
out=$(dk $A rm -f br1 lt1 af1 pl1 bd1 2>&1)
for n in lbl later after; do dk $A network rm $n >/dev/null 2>&1; done
for p in 10.47.0.0/25 10.47.3.0/25 10.47.4.0/25; do
	wait_gone "B: $p gone after network rm" $B $p ospf 10
done
kill "$SLOW_PID" 2>/dev/null
lab_done
