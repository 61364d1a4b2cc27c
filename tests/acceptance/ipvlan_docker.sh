#!/bin/bash
# SPDX-License-Identifier: MIT
# ipvlan_docker.sh - routed.link=ipvlan with the real Docker engine on two
# hosts over OSPF.
#
# Two lab hosts A and B (lab_pair ... ospf: zebra + ospfd from frr-conf/),
# each with its own dockerd and routed-plugin (--zebra-socket). B: network
# ctr 10.46.0.0/16 (veth), container b1 10.46.2.7. A: network ctr (veth),
# container a1 10.46.1.7, and network ipv 10.45.0.0/16 with
# routed.link=ipvlan, routed.parent=fabA (the fabric interface),
# routed.ipvlan-mode=l3, container i1 10.45.1.7. Checks: i1's eth0 is an
# ipvlan slave in mode l3 and A has no veth for it; B's kernel has
# 10.45.1.7/32 proto ospf via A with the plugin's tag in A's zebra; i1 pings
# b1 and b1 i1, A's host pings i1 (from fabA's address: README), i1 does
# not reach a1 (l3 sends out of the parent only: README); a second ipvlan
# container pings i1; routedctl check agrees; all of it again after the plugin on A is stopped (SIGTERM) and
# started, and after it is killed (SIGKILL) and started, with B's route
# present in every 0.1 s sample while the plugin is away; docker rm -f i1
# withdraws the /32 from B; network rm ipv leaves no link of ours.
#
# A kernel without ipvlan (CONFIG_IPVLAN) runs this in a qemu guest on
# Debian's kernel (lab_guest_run: packages qemu-system-x86 and
# linux-image-amd64), 2 GB and 2 vCPUs, containerd started before dockerd
# and given 10 minutes (dockerd's own wait is too short under emulation);
# without those it is skipped, saying so.
#
# Run: sudo tests/acceptance/ipvlan_docker.sh

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lab.sh"

if [ -z "${LAB_GUEST:-}" ]; then
	[ "$(id -u)" -eq 0 ] || lab_skip "must run as root"
	if ! lab_ipvlan_here; then
		: "${LAB_GUEST_MEM:=2048}" "${LAB_GUEST_SMP:=2}" "${LAB_GUEST_TIMEOUT:=2400}"
		export LAB_GUEST_MEM LAB_GUEST_SMP LAB_GUEST_TIMEOUT
		lab_guest_run "$HERE/ipvlan_docker.sh"
	fi
else
	# the guest boots with sysfs only: Docker needs the cgroup2 hierarchy
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	for m in overlay veth ipvlan; do modprobe -q "$m" 2>/dev/null; done
	export LAB_CONTAINERD_WAIT=600 LAB_DOCKERD_WAIT=900
fi

A=hostA
B=hostB
GW=169.254.1.1

lab_init
lab_frr_need
lab_zebra_plugin_need

T0=$SECONDS
lab_pair $A $B ospf
lab_dockerd_start $A
lab_dockerd_start $B
lab_dockerd_wait $A
lab_dockerd_wait $B
lab_image $A
lab_image $B
PLUGIN_FLAGS_A=(--gateway $GW --zebra-socket "$(lab_zserv $A)")
lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
lab_plugin $B --gateway $GW --zebra-socket "$(lab_zserv $B)"
lab_log "lab set up in $((SECONDS - T0)) s"

# emulated guests are slow: generous client timeouts
dk() { local h=$1; shift; lab_docker_t "$h" 300 "$@"; }
ctl() { lab_ctl "$@"; }
ctl_agrees() { ctl "$1" check >/dev/null 2>&1; }
# our_links HOST: the links of ours in HOST's namespace (rt/rc/rv + 12 hex)
our_links() { lab_ip "$1" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^r[tcv][0-9a-f]{12}$' | sort; }
net_ok() {
	local h=$1 n=$2; shift 2
	local out rc
	out=$(dk "$h" network create --driver=net-routed --ipam-driver=ipam-routed "$@" "$n" 2>&1); rc=$?
	assert_eq "$rc" 0 "$h: network create $* $n ($(echo $out | cut -c1-12))"
}
run_ok() {
	local h=$1 c=$2 n=$3 ip=$4 out rc
	out=$(dk "$h" run -d --name "$c" --net="$n" --ip "$ip" "$LAB_IMAGE_TAG" sleep 3600 2>&1); rc=$?
	assert_eq "$rc" 0 "$h: run $c on $n --ip $ip ($(echo $out | cut -c1-40))"
}

lab_ospf_adjacency $A $B

lab_log "--- veth containers: b1 on B, a1 on A"
net_ok $B ctr --subnet 10.46.0.0/16 --ip-range 10.46.2.0/24
net_ok $A ctr --subnet 10.46.0.0/16 --ip-range 10.46.1.0/24
run_ok $B b1 ctr 10.46.2.7
run_ok $A a1 ctr 10.46.1.7
wait_route "A: kernel has b1's 10.46.2.7 proto ospf" $A 10.46.2.7/32 ospf 30

lab_log "--- ipvlan l3 on A, parent fabA: i1"
LINKS0=$(our_links $A)
net_ok $A ipv --subnet 10.45.0.0/16 --ip-range 10.45.1.0/24 \
	-o routed.link=ipvlan -o routed.parent=fabA -o routed.ipvlan-mode=l3
run_ok $A i1 ipv 10.45.1.7
out=$(nsenter -t "$(lab_cpid $A i1)" -n ip -d link show eth0 2>&1)
assert_contains "$out" 'ipvlan +mode l3 ' "A: i1's eth0 is an ipvlan slave in mode l3"
RV=$(our_links $A | grep '^rv' | head -1)
assert_contains "$RV" '^rv[0-9a-f]{12}$' "A: the network's host-side ipvlan exists ($RV)"
assert_eq "$(our_links $A | grep -c '^rt')" "$(echo "$LINKS0" | grep -c '^rt')" "A: no host veth for i1"
wait_route "B: kernel has i1's 10.45.1.7 proto ospf" $B 10.45.1.7/32 ospf 30
out=$(kroute $B 10.45.1.7/32)
assert_contains "$out" "^10\.45\.1\.7 .*via 10\.200\.0\.1 dev fabB proto ospf" "B: 10.45.1.7 via A over the fabric ($out)"
out=$(lab_vtysh $A 'show ip route 10.45.1.7/32' 2>&1)
assert_contains "$out" 'Known via "babel".*tag 100' "A: zebra has 10.45.1.7/32 from the plugin, tag 100"

# ipv_diag: what A, i1 and the image look like (printed once, at the first
# failed ping)
DIAG_DONE=
ipv_diag() {
	[ -n "$DIAG_DONE" ] && return 0
	DIAG_DONE=1
	local p; p=$(lab_cpid $A i1)
	{
		echo "i1 (pid $p):"; nsenter -t "$p" -n ip -d addr; nsenter -t "$p" -n ip route
		nsenter -t "$p" -n ip neigh
		echo "A:"; lab_ip $A -d link show; lab_ip $A addr; lab_ip $A route; lab_ip $A route show table local | grep -v '^local 127'
		echo "A sysctl:"; lab_exec $A sysctl net.ipv4.ip_forward net.ipv4.conf.all.rp_filter net.ipv4.conf.fabA.rp_filter
		echo "image: $(dk $A exec i1 /bin/busybox ls /bin 2>&1 | wc -w) names in /bin; ping: $(dk $A exec i1 /bin/busybox ls -l /bin/ping 2>&1)"
		echo "busybox --list here: $($LAB_BUSYBOX --list | wc -l) applets ($LAB_BUSYBOX)"
		ctl $A endpoints
		echo "A's plugin log (ipvlan, Join):"; grep -iE 'ipvlan|join|rv[0-9a-f]{12}|10\.45\.1\.7' "$(lab_hdir $A)/plugin.log" | tail -n 25
	} 2>&1 | sed 's/^/#   | /'
}
ipv_pings() {
	local when=$1 f0=$LAB_FAIL
	ping_ok "i1 (A, ipvlan) -> b1 10.46.2.7 (B, veth)$when" dk $A exec i1 ping -c 2 -W 3 10.46.2.7
	ping_ok "b1 (B, veth) -> i1 10.45.1.7 (A, ipvlan)$when" dk $B exec b1 ping -c 2 -W 3 10.45.1.7
	# l3: i1's reply leaves through fabA, so A pings from fabA's address
	# (README)
	ping_ok "A (host, from 10.200.0.1) -> i1 10.45.1.7$when" lab_exec $A busybox ping -I 10.200.0.1 -c 2 -W 3 10.45.1.7
	# l3: the kernel sends i1's packets out of fabA only (README)
	if dk $A exec i1 ping -c 1 -W 2 10.46.1.7 >/dev/null 2>&1; then
		fail "i1 (A, ipvlan l3) -> a1 (A, veth) fails, as README says$when"
	else
		ok "i1 (A, ipvlan l3) -> a1 (A, veth) fails, as README says$when"
	fi
	if retry 20 ctl_agrees $A; then ok "A: routedctl check agrees$when"
	else fail "A: routedctl check agrees$when"; ctl $A check | sed 's/^/#   | /'; fi
	[ "$LAB_FAIL" -eq "$f0" ] || ipv_diag
}
ipv_pings ""
run_ok $A i2 ipv 10.45.1.8
ping_ok "i2 -> i1 (two ipvlan containers of one parent)" dk $A exec i2 ping -c 2 -W 3 10.45.1.7
out=$(dk $A rm -f i2 2>&1); assert_eq "$?" 0 "A: rm -f i2"
wait_gone "B: i2's 10.45.1.8 gone after rm -f i2" $B 10.45.1.8/32 ospf 30
EP=$(dk $A inspect -f '{{.NetworkSettings.Networks.ipv.EndpointID}}' i1)

# plugin_away TAG SIGNAL: stop A's plugin with SIGNAL and start it again,
# sampling B's route to i1 every 0.1 s until the new plugin is up
plugin_away() {
	local tag=$1 sig=$2 f
	f=$(lab_hdir $B)/watch-$sig
	lab_watch_start $B 10.45.1.7 "$f"
	if [ "$sig" = TERM ]; then
		lab_plugin_stop $A
	else
		kill -KILL "${LAB_PLUGIN_PID[$A]:-0}"; wait "${LAB_PLUGIN_PID[$A]:-0}" 2>/dev/null
		LAB_PLUGIN_PID[$A]=
	fi
	sleep 1
	lab_plugin $A "${PLUGIN_FLAGS_A[@]}"
	sleep 5
	# (an emulated guest samples slower than a host: 2 s gaps allowed)
	lab_watch_stop "B: 10.45.1.7 while A's plugin was $tag and started again" "$f" 2000
	check "A: the new plugin kept i1's host-side $RV ($tag)" retry 10 lab_ip $A link show "${RV:-none}"
	assert_not_contains "$(cat "$(lab_hdir $A)/plugin.log")" "endpoint ${EP:0:12}: .*forgetting" \
		"A: the plugin did not forget i1's endpoint ${EP:0:12} ($tag)"
	ipv_pings " (after the plugin was $tag)"
}
lab_log "--- A's plugin stopped (SIGTERM) and started again"
plugin_away stopped TERM
lab_log "--- A's plugin killed (SIGKILL) and started again"
plugin_away killed KILL

lab_log "--- docker rm -f i1 withdraws it"
out=$(dk $A rm -f i1 2>&1); assert_eq "$?" 0 "A: rm -f i1"
wait_gone "B: 10.45.1.7 gone after rm -f i1 on A" $B 10.45.1.7/32 ospf 30
out=$(dk $A network rm ipv 2>&1); assert_eq "$?" 0 "A: network rm ipv"
set_eq "A: no ipvlan link left (rv)" "$(our_links $A)" "$LINKS0"
ping_ok "b1 (B) -> a1 (A, veth) still" dk $B exec b1 ping -c 2 -W 3 10.46.1.7

lab_log "done in $((SECONDS - T0)) s"
lab_done
