#!/bin/bash
# SPDX-License-Identifier: MIT
# crash.sh - routed-plugin, Docker and zebra crashing and restarting under a
# real workload: the plugin's state, the host, Docker and the routes the
# other host learned must keep agreeing.
#
# Two lab hosts A and B with zebra + ospfd (lab_pair ... ospf); a dockerd and
# routed-plugin (--zebra-socket) on A only; B is a plain router that learns
# A's container /32s by OSPF. One network "crash", --subnet 10.46.0.0/16.
#
#  1. plugin crash during a burst: 50 "docker run -d" on A, 9 at a time;
#     once ~15 have started the plugin is killed with SIGKILL and started
#     again at once (same flags, same state dir). Docker retries a call that
#     cannot reach the plugin for ~15 s, so most runs still succeed; a few
#     may fail, which is fine. Then, for the containers Docker reports
#     running: the /32 is on eth0 inside, A's host and B reach it (B has the
#     /32 as proto ospf), no address is held twice, the plugin knows every
#     endpoint (EndpointOperInfo 200, HostInterface rt<12 hex>), A's rt*
#     veths, A's kernel /32s, A's zebra babel routes and B's routes are
#     exactly those of the running containers, and a fresh run gets an
#     address nobody has.
# 1b. the same with extra addresses: CRASH_NX (20) "docker run -d" on a
#     second network, container xI asking for routed.ips=10.45.0.I, the
#     plugin SIGKILLed after 5 have started: every running one has its extra
#     address on eth0 (added after the restart if the crash came between its
#     Join and the adding) and a host route to it; the extra address of
#     every other one is free again once Docker has removed that container
#     (no address is left reserved without an endpoint). Docker 20.10's
#     own count of the network's endpoints can be left one too high by the
#     kill: then network rm is refused, the plugin must hold no endpoint of
#     it, and the network goes after part 2's dockerd restart.
#  2. dockerd restart (SIGTERM, live-restore off; its shutdown-timeout raised
#     so that it finishes cleaning): containers stop, Docker deletes the
#     endpoints: no rt*/rc* veth on A, no /32 on A or B, the plugin knows
#     none of the old endpoints and an old address can be had again with
#     --ip; containers started again get unique addresses and are reachable
#     from B.
#  3. zebra (with ospfd) restarted on A, no docker command: A's zebra and B's
#     routes come back to exactly the running containers.
#  4. dockerd killed (SIGKILL) and started again: the engine never calls the
#     network driver for the dead containers (it is loaded lazily; its stale
#     sandbox cleanup only releases their addresses); the same assertions as
#     in 2 (nothing left, endpoints forgotten, addresses reusable).
#  5. churn (issue 15): CHURN_N (200) "docker run --rm ... true", 4 at a
#     time, each a whole lifecycle (DeleteEndpoint replies before its veth
#     goes; the veths go in batches, here after 3 s: --teardown-delay 3000,
#     so that the kill finds veths waiting); the plugin SIGKILLed once
#     CHURN_KILL_AT (80) are done (and veths wait in the teardown group)
#     and started again at once (default delay). Then: no
#     churn container left, A's veths, kernel /32s, zebra and B's routes
#     are exactly the running containers, no link waits in the teardown
#     group, and the plugin's state (stopped, so one snapshot) holds the
#     same records as before the churn: no endpoint, address or doomed
#     link of the churn left.
#  6. rm -f everything, network rm: nothing on A, nothing of A's on B, no
#     babel route in A's zebra, no 10.46 address in the plugin's state.
#
# Run: sudo tests/acceptance/crash.sh
# Needs root, docker.io, frr, busybox-static, curl. LAB_KEEP=1 keeps the lab
# dir (plugin log: <lab>/hostA/plugin.log). CRASH_N (50) containers in the
# burst, CRASH_PAR (9) at a time, CRASH_KILL_AT (15) started before the kill;
# CHURN_N (200), CHURN_PAR (4), CHURN_KILL_AT (80) for part 5.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

A=hostA
B=hostB
GW=169.254.1.1
NET=crash
N=${CRASH_N:-50}
PAR=${CRASH_PAR:-9}
KILL_AT=${CRASH_KILL_AT:-15}
CN=${CHURN_N:-200}
CPAR=${CHURN_PAR:-4}
CKILL=${CHURN_KILL_AT:-80}
TEARDOWN_GROUP=1919968359	# 0x72706467, src/teardown.h

lab_init
lab_frr_need
command -v curl >/dev/null 2>&1 || lab_skip "curl not found (package curl)"
lab_zebra_plugin_need

T0=$SECONDS
lab_pair $A $B ospf
lab_dockerd $A
lab_image $A
# --extra-addresses opens the containers' namespaces: the SandboxKey mounts
# are in dockerd's mount namespace
LAB_PLUGIN_DOCKERD_MNT=1
PLUGIN_FLAGS_A=(--gateway $GW --zebra-socket "$(lab_zserv $A)" --extra-addresses)
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
lab_log "lab set up in $((SECONDS - T0)) s"

DA=$(lab_ddir $A)
NETSOCK=$DA/plugins/net-routed.sock
STATE=$(lab_hdir $A)/state

dk() { local h=$1; shift; lab_docker_t "$h" 90 "$@"; }

# -------------------------------------------------------------- helpers

# the sets, one item per line, sorted
b_routes()   { lab_ip $B -4 route show proto ospf | awk '$1 ~ /^10\.46\./ {print $1}' | sort; }
b_any46()    { lab_ip $B -4 route show | awk '$1 ~ /^10\.46\./' ; }
a_routes()   { lab_ip $A -4 route show | awk '$1 ~ /^10\.46\./ {print $1}' | sort -u; }
a_kroutes()  { lab_ip $A -4 route show proto redirect | awk '$1 ~ /^10\.46\./ {print $1}' | sort; }
a_veths()    { lab_ip $A -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -E '^r[tc][0-9a-f]+$' | sort; }
a_rt()       { a_veths | grep '^rt' ; }
a_babel()    { lab_vtysh $A 'show ip route babel' 2>/dev/null | awk '/^[A-Za-z>*]+ +10\.46\./ {sub(/\/32$/, "", $2); print $2}' | sort; }

# running: fills R_NAME R_PID R_IP R_EP R_NID (arrays) with the containers
# Docker reports running on A, and RUN_IPS (sorted, one a line)
R_NAME=() R_PID=() R_IP=() R_EP=() R_NID=()
running() {
	local ids n p ip ep nid
	R_NAME=() R_PID=() R_IP=() R_EP=() R_NID=()
	ids=$(dk $A ps -q --filter status=running)
	RUN_IPS=
	[ -n "$ids" ] || return 0
	while read -r n p ip ep nid; do
		R_NAME+=("${n#/}"); R_PID+=("$p"); R_IP+=("$ip"); R_EP+=("$ep"); R_NID+=("$nid")
	done < <(dk $A inspect -f "{{.Name}} {{.State.Pid}} {{with index .NetworkSettings.Networks \"$NET\"}}{{.IPAddress}} {{.EndpointID}} {{.NetworkID}}{{end}}" $ids)
	RUN_IPS=$(printf '%s\n' "${R_IP[@]}" | grep . | sort)
}

ping_from() { local h=$1 ip=$2; lab_exec "$h" busybox ping -c 1 -W 2 "$ip" >/dev/null 2>&1 ||
	lab_exec "$h" busybox ping -c 3 -W 3 "$ip" >/dev/null 2>&1; }

# check_inside: every running container has exactly its /32 on eth0
check_inside() {
	local i bad=() a
	for i in "${!R_NAME[@]}"; do
		a=$(nsenter -t "${R_PID[$i]}" -n -- ip -4 -o addr show dev eth0 2>&1 | awk '{print $4}')
		[ -n "${R_IP[$i]}" ] && [ "$a" == "${R_IP[$i]}/32" ] || bad+=("${R_NAME[$i]}:${R_IP[$i]}:[$a]")
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "$1: all ${#R_NAME[@]} running containers have their /32 on eth0"
	else fail "$1: all ${#R_NAME[@]} running containers have their /32 on eth0"; show "${bad[@]}"; fi
}

# check_ping HOST TEXT: HOST reaches every running container
check_ping() {
	local h=$1 i bad=()
	for i in "${!R_IP[@]}"; do
		ping_from "$h" "${R_IP[$i]:-0.0.0.0}" || bad+=("${R_NAME[$i]}:${R_IP[$i]}")
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "$2: $h pings all ${#R_IP[@]} running containers"
	else fail "$2: $h pings all ${#R_IP[@]} running containers (${#bad[@]} unreachable)"; show "${bad[@]}"; fi
}

# check_unique TEXT: no address is held by two running containers
check_unique() {
	local dup; dup=$(printf '%s\n' "${R_IP[@]}" | sort | uniq -d)
	local empty=0 i
	for i in "${!R_IP[@]}"; do [ -n "${R_IP[$i]}" ] || empty=$((empty + 1)); done
	if [ -z "$dup" ] && [ "$empty" -eq 0 ]; then ok "$1: ${#R_IP[@]} running containers, ${#R_IP[@]} distinct addresses"
	else fail "$1: every running container has its own address (duplicates: $(echo $dup); without address: $empty)"
		for i in "${!R_IP[@]}"; do printf '%s\n' "$dup" | grep -qxF -- "${R_IP[$i]}" && show "${R_NAME[$i]} ${R_IP[$i]} ${R_EP[$i]:0:12}"; done
	fi
}

# oper NID EPID: "HTTPCODE BODY" of EndpointOperInfo
oper() {
	curl -s --max-time 10 --unix-socket "$NETSOCK" -H 'Content-Type: application/json' \
		-w '\n%{http_code}' -X POST http://x/NetworkDriver.EndpointOperInfo \
		-d "{\"NetworkID\":\"$1\",\"EndpointID\":\"$2\"}"
}
# check_oper TEXT: the plugin knows every running container's endpoint
check_oper() {
	local i out code body bad=()
	for i in "${!R_EP[@]}"; do
		out=$(oper "${R_NID[$i]}" "${R_EP[$i]}")
		code=$(printf '%s\n' "$out" | tail -n 1); body=$(printf '%s\n' "$out" | head -n -1)
		if [ "$code" != 200 ] || ! printf '%s' "$body" | grep -q "\"HostInterface\":\"rt${R_EP[$i]:0:12}\""; then
			bad+=("${R_NAME[$i]} ${R_EP[$i]:0:12}: $code $body")
		fi
	done
	if [ ${#bad[@]} -eq 0 ]; then ok "$1: plugin answers EndpointOperInfo 200 with HostInterface rt<ep> for all ${#R_EP[@]} endpoints"
	else fail "$1: plugin answers EndpointOperInfo 200 for every running container's endpoint (${#bad[@]} not)"; show "${bad[@]}"; fi
}

# explain_extra WANT_RT: for an rt* veth no running container owns, what the
# plugin and dockerd logged about its endpoint (a failure's evidence in CI's
# output, since the lab and its logs go with the test)
explain_extra() {
	local rt id
	for rt in $(comm -23 <(a_rt) <(echo "$1")); do
		id=${rt#rt}
		lab_log "endpoint $id has a veth but no running container; plugin log:"
		grep -h "$id" "$(lab_hdir $A)/plugin.log" 2>/dev/null | tail -n 40 | sed 's/^/#   | /'
		lab_log "dockerd log:"
		grep -h "$id" "$(lab_ddir $A)/dockerd.log" 2>/dev/null | tail -n 40 | sed 's/^/#   | /'
	done
}

# check_views TEXT: A's rt* veths, A's kernel /32s, A's zebra and B's kernel
# hold exactly the running containers
check_views() {
	local text=$1 want_rt want_rc i
	want_rt=$(for i in "${!R_EP[@]}"; do echo "rt${R_EP[$i]:0:12}"; done | sort)
	set_eq "$text: A's rt* veths = running containers' endpoints (${#R_EP[@]})" "$(a_rt)" "$want_rt"
	set_eq "$text: A has no rc* veth left on the host side" "$(a_veths | grep '^rc')" ""
	explain_extra "$want_rt"
	wait_set "$text: A's kernel routes proto redirect (the plugin's) = running containers' /32s" 5 a_kroutes "$RUN_IPS"
	wait_set "$text: A's kernel 10.46 routes (any proto) = running containers' /32s" 5 a_routes "$RUN_IPS"
	wait_set "$text: A's zebra babel routes = running containers' /32s" 10 a_babel "$RUN_IPS"
	wait_set "$text: B's 10.46 routes (proto ospf) = running containers' /32s (${#R_IP[@]})" 30 b_routes "$RUN_IPS"
}

lab_ospf_adjacency $A $B
out=$(dk $A network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.46.0.0/16 $NET 2>&1)
assert_eq "$?" 0 "A: network create --subnet 10.46.0.0/16 $NET ($(echo $out | cut -c1-12))"

# -------------------------------------------------------------- 1. plugin crash

lab_log "--- 1. plugin SIGKILLed during a burst of $N docker run ($PAR at a time), restarted at once"
RUNS=$(lab_hdir $A)/runs
mkdir -p "$RUNS"
burst() { lab_burst $A "$RUNS" "$N" "$PAR" c --stop-timeout 1 --net=$NET "$LAB_IMAGE_TAG" sleep 3600; }
started() { lab_burst_ok "$RUNS"; }
enough() { [ "$(started)" -ge "$KILL_AT" ]; }
tb=$SECONDS
burst & BURST=$!
if retry 120 enough; then
	PPID_OLD=${LAB_PLUGIN_PID[$A]}
	kill -KILL "$PPID_OLD"
	wait "$PPID_OLD" 2>/dev/null; rc=$?
	lab_log "plugin pid $PPID_OLD killed (exit $rc) after $(started) runs had succeeded, $((SECONDS - tb)) s into the burst"
	assert_eq "$rc" 137 "plugin killed by SIGKILL during the burst ($(started) of $N started)"
	lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
	ok "plugin started again on the same state dir (pid ${LAB_PLUGIN_PID[$A]})"
else
	fail "$KILL_AT containers started within 120 s of the burst's start"
fi
wait "$BURST"
nok=$(started); nfail=$((N - nok))
lab_log "burst done in $((SECONDS - tb)) s: $nok runs succeeded, $nfail failed"
lab_burst_failed "$RUNS"
if [ "$nok" -ge $((N / 2)) ]; then ok "most runs of the burst succeed despite the crash ($nok of $N)"
else fail "most runs of the burst succeed despite the crash ($nok of $N)"; fi

running
lab_log "Docker reports ${#R_NAME[@]} containers running; others: $(dk $A ps -a --filter status=created --filter status=exited --format '{{.Names}}:{{.Status}}' | tr '\n' ' ')"
check_unique "1"
check_inside "1"
check_oper "1"
check_views "1"
check_ping $A "1"
check_ping $B "1"

out=$(dk $A run -d --name fresh --stop-timeout 1 --net=$NET bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "1: a fresh docker run after the crash succeeds ($(echo $out | cut -c1-12))"
FRESH=$(dk $A inspect -f "{{with index .NetworkSettings.Networks \"$NET\"}}{{.IPAddress}}{{end}}" fresh 2>/dev/null)
if [ -n "$FRESH" ] && ! printf '%s\n' "$RUN_IPS" | grep -qxF -- "$FRESH"; then
	ok "1: the fresh container's address $FRESH is held by no other running container"
else
	fail "1: the fresh container's address '$FRESH' is held by no other running container"
fi
running
check_unique "1 (with fresh)"
check_views "1 (with fresh)"

# -------------------------------------------------------------- 1b. extra addresses

NX=${CRASH_NX:-20}
lab_log "--- 1b. plugin SIGKILLed during a burst of $NX docker run with routed.ips, restarted at once"
out=$(dk $A network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.45.0.0/16 \
	--ip-range 10.45.1.0/24 crashx 2>&1)
assert_eq "$?" 0 "1b: network create crashx ($(echo $out | cut -c1-12))"
RUNSX=$(lab_hdir $A)/runsx
mkdir -p "$RUNSX"
burstx() {
	local i
	for i in $(seq 1 "$NX"); do
		while [ "$(jobs -rp | wc -l)" -ge "$PAR" ]; do wait -n; done
		(	out=$(lab_docker_t $A 90 run -d --name "x$i" --stop-timeout 1 \
				--network "name=crashx,driver-opt=routed.ips=10.45.0.$i" "$LAB_IMAGE_TAG" sleep 3600 2>&1)
			echo "$? $(echo $out)" > "$RUNSX/x$i" ) &
	done
	wait
}
startedx() { lab_burst_ok "$RUNSX"; }
enoughx() { [ "$(startedx)" -ge 5 ]; }
burstx & BURST=$!
if retry 120 enoughx; then
	kill -KILL "${LAB_PLUGIN_PID[$A]}"
	wait "${LAB_PLUGIN_PID[$A]}" 2>/dev/null
	lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
	ok "1b: plugin killed after $(startedx) runs had succeeded and started again"
else
	fail "1b: 5 containers with an extra address started within 120 s"
fi
wait "$BURST"
lab_burst_failed "$RUNSX"
XRUN=() XOTHER=()
for i in $(seq 1 "$NX"); do
	if [ "$(dk $A inspect -f '{{.State.Running}}' "x$i" 2>/dev/null)" = true ]; then XRUN+=("$i"); else XOTHER+=("$i"); fi
done
lab_log "1b: ${#XRUN[@]} running, ${#XOTHER[@]} not: $(printf 'x%s ' "${XOTHER[@]}")"
x_has() { local p; p=$(lab_cpid $A "x$1") && nsenter -t "$p" -n -- ip -4 -o addr show dev eth0 | grep -q " 10\.45\.0\.$1/32 "; }
x_route() { lab_ip $A -4 route show exact "10.45.0.$1/32" | grep -q ' dev rt'; }
bad=()
for i in "${XRUN[@]}"; do
	retry 10 x_has "$i" && x_route "$i" || bad+=("x$i")
done
if [ ${#bad[@]} -eq 0 ]; then ok "1b: all ${#XRUN[@]} running containers have their extra address on eth0 and a host route"
else fail "1b: every running container has its extra address on eth0 and a host route"; show "${bad[@]}"; fi
if [ ${#XOTHER[@]} -gt 0 ]; then
	out=$(dk $A rm -f $(printf 'x%s ' "${XOTHER[@]}") 2>&1)
	assert_eq "$?" 0 "1b: rm -f the ${#XOTHER[@]} containers that do not run"
fi
bad=()
for i in "${XOTHER[@]}"; do
	dk $A run --rm --network "name=crashx,driver-opt=routed.ips=10.45.0.$i" "$LAB_IMAGE_TAG" true >/dev/null 2>&1 ||
		bad+=("10.45.0.$i")
done
if [ ${#bad[@]} -eq 0 ]; then ok "1b: the extra addresses of the ${#XOTHER[@]} containers that do not run are free again"
else fail "1b: the extra addresses of the containers that do not run are free again"; show "${bad[@]}"; fi
if [ ${#XRUN[@]} -gt 0 ]; then
	out=$(dk $A run --rm --network "name=crashx,driver-opt=routed.ips=10.45.0.${XRUN[0]}" "$LAB_IMAGE_TAG" true 2>&1)
	assert_contains "$out" "is taken by endpoint" "1b: the extra address of running x${XRUN[0]} is still held ($(echo $out | cut -c1-40)...)"
fi
out=$(dk $A rm -f $(dk $A ps -aq --filter name='^/x[0-9]+$') 2>&1)
assert_eq "$?" 0 "1b: rm -f the x containers"
all=$(seq -f '10.45.0.%g' 1 "$NX" | tr '\n' ' ')
out=$(dk $A run --rm --network "name=crashx,driver-opt=routed.ips=$all" "$LAB_IMAGE_TAG" true 2>&1)
assert_eq "$?" 0 "1b: then one container can have all $NX extra addresses at once (none left reserved) ($(echo $out | cut -c1-60))"
nidx=$(dk $A network inspect -f '{{.Id}}' crashx)
out=$(dk $A network rm crashx 2>&1); rc=$?
CRASHX_LATER=
if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q 'has active endpoints'; then
	# Docker 20.10 keeps a per-network endpoint count in its store apart from
	# the endpoints themselves; with a driver SIGKILLed in a burst of runs it
	# was seen one too high (about 1 run in 10 of this part) while neither
	# Docker nor the plugin had an endpoint left. A dockerd restart recounts
	# (part 2 restarts it). Whatever Docker counts, the plugin must hold none.
	dn=$(dk $A network inspect -f '{{len .Containers}}' crashx)
	pn=$(lab_ctl $A -j endpoints | grep -o "$nidx" | grep -c .)
	assert_eq "docker $dn plugin $pn" "docker 0 plugin 0" \
		"1b: network rm crashx refused (\"active endpoints\"), yet Docker lists no endpoint on it and the plugin holds none"
	lab_warn "1b: Docker's endpoint count of crashx drifted ($out); it is removed after part 2's dockerd restart"
	CRASHX_LATER=1
else
	assert_eq "$rc" 0 "1b: network rm crashx ($(echo $out | cut -c1-80))"
fi
out=$(lab_ip $A -4 route show | grep -c '^10\.45\.')
assert_eq "$out" 0 "1b: no 10.45 route left on A"

# -------------------------------------------------------------- 2. dockerd restarts

# save_old: remember the running containers (O_NAME O_IP O_EP O_NID)
save_old() { O_NAME=("${R_NAME[@]}"); O_IP=("${R_IP[@]}"); O_EP=("${R_EP[@]}"); O_NID=("${R_NID[@]}"); }

# engine_restart TAG SIGNAL WAIT_S: stop A's dockerd with SIGNAL (by the pid
# in its pid file, as lab_cleanup does), then lab_dockerd again
engine_restart() {
	local tag=$1 sig=$2 w=$3 pid t p
	pid=$(cat "$DA/docker.pid" 2>/dev/null)
	if ! _lab_pid_is "$pid" dockerd; then
		fail "$tag: A's dockerd pid file names a running dockerd ($pid)"; return 1
	fi
	t=$SECONDS
	disown "$pid" 2>/dev/null	# no "Killed" job notice from bash
	kill -"$sig" "$pid"
	if _lab_wait_gone "$pid" "$w"; then ok "$tag: A's dockerd (pid $pid) gone after SIG$sig ($((SECONDS - t)) s)"
	else fail "$tag: A's dockerd (pid $pid) gone within $w s of SIG$sig"; kill -KILL "$pid"; _lab_wait_gone "$pid" 5; fi
	# A killed dockerd leaves its containerd running, holding the socket the
	# next dockerd's own containerd needs: a crash of the host takes it too.
	for p in $(ip netns pids "$(lab_ns $A)"); do
		if _lab_pid_is "$p" containerd && ! _lab_pid_is "$p" shim; then
			lab_log "containerd outlived dockerd: $p $(tr '\0' ' ' < /proc/$p/cmdline); killing it"
			kill -KILL "$p" 2>/dev/null
			_lab_wait_gone "$p" 10
		fi
	done
	t=$SECONDS
	lab_dockerd $A
	ok "$tag: A's dockerd started again (pid ${LAB_DOCKERD_PID[$A]}, API up in $((SECONDS - t)) s)"
	check "$tag: the plugin is still running" kill -0 "${LAB_PLUGIN_PID[$A]:-0}"
}

# check_forgotten TAG: the plugin no longer knows the endpoints of the
# containers the engine stopped (O_*), and their addresses can be had again
check_forgotten() {
	local tag=$1 i out code known=() reuse=
	for i in "${!O_EP[@]}"; do
		out=$(oper "${O_NID[$i]}" "${O_EP[$i]}")
		code=$(printf '%s\n' "$out" | tail -n 1)
		if [ "$code" == 200 ]; then
			known+=("${O_NAME[$i]} ${O_IP[$i]} ${O_EP[$i]:0:12}")
			[ -n "$reuse" ] || reuse=${O_IP[$i]}
		fi
	done
	if [ ${#known[@]} -eq 0 ]; then
		ok "$tag: the plugin knows none of the ${#O_EP[@]} endpoints of the containers the engine stopped"
	else
		fail "$tag: the plugin knows none of the ${#O_EP[@]} endpoints of the containers the engine stopped (still knows ${#known[@]})"
		show "${known[@]:0:5}"
		[ ${#known[@]} -gt 5 ] && lab_log "  ... and $(( ${#known[@]} - 5 )) more"
	fi
	# an address Docker released can be asked for by --ip again (if the
	# plugin kept a stale endpoint, use its address: that is the test)
	[ -n "$reuse" ] || reuse=${O_IP[0]:-10.46.0.1}
	out=$(dk $A run -d --name "reuse$tag" --stop-timeout 1 --net=$NET --ip "$reuse" bb:local sleep 3600 2>&1)
	if [ $? -eq 0 ]; then ok "$tag: docker run --ip $reuse (a stopped container's address) succeeds"
	else fail "$tag: docker run --ip $reuse (a stopped container's address) succeeds"; show "$out"; fi
}

# after_engine TAG: nothing of the stopped containers left anywhere
after_engine() {
	local tag=$1 nrun
	nrun=$(dk $A ps -q --filter status=running | grep -c .)
	assert_eq "$nrun" 0 "$tag: no container running after the engine restart (no restart policy)"
	wait_set "$tag: no rt*/rc* veth left on A" 10 a_veths ""
	wait_set "$tag: no 10.46 route left in A's kernel" 5 a_routes ""
	wait_set "$tag: no 10.46 route left in A's zebra" 5 a_babel ""
	wait_set "$tag: no 10.46 route of A's left on B" 15 b_routes ""
	check_forgotten "$tag"
}

lab_log "--- 2. A's dockerd stopped (SIGTERM) and started again, live-restore off ($((SECONDS - T0)) s)"
# dockerd gives up cleaning after --shutdown-timeout (15 s) and exits ("Force
# shutdown daemon"); 51 containers on a loaded 2-vCPU machine can take longer.
# Here the engine is given the time to finish (part 4 covers the engine
# that never cleans up: SIGKILL). shutdown-timeout is reloaded on SIGHUP.
echo '{"shutdown-timeout": 90}' > "$DA/daemon.json"
kill -HUP "$(cat "$DA/docker.pid")"
retry 5 grep -qE 'Reloaded configuration.*shutdown-timeout[^0-9]*90' "$DA/dockerd.log" ||
	lab_log "dockerd did not log the reloaded shutdown-timeout; going on"
save_old
engine_restart 2 TERM 100
after_engine 2
names=$(dk $A ps -a --format '{{.Names}}' | grep -E '^c[0-9]+$' | sort -V | head -n 8)
lab_log "starting again: $(echo $names)"
out=$(printf '%s\n' $names | xargs -P 4 -n 1 env -u DOCKER_HOST -u DOCKER_CONTEXT timeout 90 \
	"$LAB_DOCKER" -H "unix://$DA/docker.sock" start 2>&1); rc=$?
assert_eq "$rc" 0 "2: docker start of 8 stopped containers succeeds"
[ "$rc" -eq 0 ] || show "$out"
running
want=$(( $(printf '%s\n' $names | grep -c .) + $(dk $A ps -q --filter name=reuse2 --filter status=running | grep -c .) ))
assert_eq "${#R_NAME[@]}" "$want" "2: $want containers running (the ones started again and the --ip one)"
check_unique "2"
check_inside "2"
check_oper "2"
check_views "2"
check_ping $B "2"
if [ -n "$CRASHX_LATER" ]; then
	out=$(dk $A network rm crashx 2>&1)
	assert_eq "$?" 0 "2: network rm crashx once the restarted dockerd has recounted its endpoints ($(echo $out | cut -c1-80))"
fi

# -------------------------------------------------------------- 3. zebra restart

lab_log "--- 3. zebra and ospfd on A stopped and started again, no docker command ($((SECONDS - T0)) s)"
# ospfd restarts with zebra: ospfd 8.4.4 reconnecting to a new zebra does
# not ask for babel routes again (see two_hosts_ospf.sh)
WANT=$RUN_IPS
t=$SECONDS
check "3: A's ospfd and zebra stop" lab_frr_stop $A ospfd zebra
wait_set "3: B loses A's routes while A's zebra and ospfd are down" 10 b_routes ""
check "3: A's zebra started again" lab_frr_start $A zebra
check "3: A's ospfd started again" lab_frr_start $A ospfd
check "3: the plugin is still running" kill -0 "${LAB_PLUGIN_PID[$A]:-0}"
wait_set "3: A's zebra has exactly the running containers' routes again" 30 a_babel "$WANT"
wait_set "3: B's routes come back to exactly the running containers' /32s" 40 b_routes "$WANT"
lab_log "routes back on B $((SECONDS - t)) s after the zebra stop"
check_ping $B "3"

# -------------------------------------------------------------- 4. dockerd crash

lab_log "--- 4. A's dockerd killed (SIGKILL) and started again ($((SECONDS - T0)) s)"
# the engine never cleans up: at start it removes the stale sandboxes and
# releases their addresses (IPAM); the plugin must end up holding nothing
running
save_old
engine_restart 4 KILL 10
after_engine 4
running
if [ ${#R_NAME[@]} -gt 0 ]; then	# the --ip container
	check_views "4"
	check_ping $B "4"
fi

# -------------------------------------------------------------- 5. churn

# the plugin's state as sorted "kind key" lines; the plugin must be
# stopped (SIGTERM writes one snapshot and empties the journal)
state_records() {
	python3 -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
print("\n".join(sorted(r["kind"] + " " + r["key"] for r in d["records"])))' \
		"$STATE/state.json"
}
a_waiting() { lab_ip $A -o link show group $TEARDOWN_GROUP | awk -F': ' '{sub(/@.*/, "", $2); print $2}'; }
# churn DIR: CN "docker run --rm" on A, CPAR at a time, "RC OUTPUT" per run
churn() {
	local dir=$1 i
	mkdir -p "$dir"
	for i in $(seq 1 "$CN"); do
		while [ "$(jobs -rp | wc -l)" -ge "$CPAR" ]; do wait -n; done
		(	out=$(lab_docker_t $A 90 run --rm --name "k$i" --net=$NET "$LAB_IMAGE_TAG" true 2>&1)
			echo "$? $(echo $out)" > "$dir/k$i" ) &
	done
	wait
}

lab_log "--- 5. churn: $CN docker run --rm, $CPAR at a time; the plugin SIGKILLed after $CKILL ($((SECONDS - T0)) s)"
running
WANT=$RUN_IPS
lab_plugin_stop $A
BASE=$(state_records)
lab_plugin $A "${PLUGIN_FLAGS_A[@]}" --teardown-delay 3000
CHURN=$(lab_hdir $A)/churn
churned() { grep -l '^0 ' "$CHURN"/* 2>/dev/null | wc -l; }
enough_churn() { [ "$(churned)" -ge "$CKILL" ] && [ -n "$(a_waiting)" ]; }
tb=$SECONDS
churn "$CHURN" & CB=$!
if retry 300 enough_churn; then
	PPID_OLD=${LAB_PLUGIN_PID[$A]}
	kill -KILL "$PPID_OLD"
	wait "$PPID_OLD" 2>/dev/null; rc=$?
	waiting=$(a_waiting | grep -c .)
	assert_eq "$rc" 137 "5: plugin killed by SIGKILL during the churn ($(churned) of $CN done, $waiting veths waiting to be deleted)"
	check "5: veths of deleted endpoints were waiting in the teardown group at the kill" [ "$waiting" -gt 0 ]
	n0=$(grep -c 'finished the deletion of' "$(lab_hdir $A)/plugin.log")
	lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
	n1=$(grep -c 'finished the deletion of' "$(lab_hdir $A)/plugin.log")
	check "5: the restarted plugin deleted the veths the journal said were waiting" [ "$n1" -gt "$n0" ]
else
	fail "5: $CKILL churn runs done, and veths waiting, within 300 s"
fi
wait "$CB"
nok=$(churned)
lab_log "churn done in $((SECONDS - tb)) s: $nok of $CN runs succeeded"
lab_burst_failed "$CHURN"
if [ "$nok" -ge $((CN / 2)) ]; then ok "5: most churn runs succeed despite the crash ($nok of $CN)"
else fail "5: most churn runs succeed despite the crash ($nok of $CN)"; fi
left=$(dk $A ps -a --format '{{.Names}}' | grep -E '^k[0-9]+$')
set_eq "5: no churn container is left (running or not)" "$left" ""
wait_set "5: no link waits in the teardown group on A" 10 a_waiting ""
running
set_eq "5: the same containers run as before the churn" "$RUN_IPS" "$WANT"
check_views "5"
lab_plugin_stop $A
set_eq "5: the plugin's state is as before the churn (no endpoint, address or doomed link of it left)" \
	"$(state_records)" "$BASE"
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
check_oper "5"

# -------------------------------------------------------------- 6. end

lab_log "--- 6. everything removed ($((SECONDS - T0)) s)"
ids=$(dk $A ps -aq)
out=$(dk $A rm -f $ids 2>&1); assert_eq "$?" 0 "6: rm -f all containers on A"
out=$(dk $A network rm $NET 2>&1); assert_eq "$?" 0 "6: network rm $NET"
wait_set "6: no rt*/rc* link left on A" 10 a_veths ""
wait_set "6: no link waits in the teardown group on A" 10 a_waiting ""
wait_set "6: no 10.46 route left in A's kernel" 5 a_routes ""
wait_set "6: no 10.46 route of A's left in B's kernel" 15 b_any46 ""
out=$(lab_vtysh $A 'show ip route babel' 2>&1)
assert_not_contains "$out" '^A[>* ]' "6: A's zebra has no babel route"
lab_plugin_stop $A
out=$(grep -rIl '10\.46\.' "$STATE" 2>/dev/null)
if [ -z "$out" ]; then ok "6: the plugin's state ($STATE) mentions no 10.46 address"
else fail "6: the plugin's state ($STATE) mentions no 10.46 address"
	grep -rIho '.\{0,80\}10\.46\.[0-9./]*.\{0,40\}' "$STATE" | head -20 | sed 's/^/#   | /'; fi

lab_log "wall time $((SECONDS - T0)) s"
if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "plugin log A (last 60 lines), $(lab_hdir $A)/plugin.log:"
	lab_plugin_log $A 60
fi
lab_done
