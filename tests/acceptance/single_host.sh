#!/bin/bash
# single_host.sh - routed-plugin against a real Docker engine, one host.
#
# One lab namespace with its own dockerd and one routed-plugin
# (--gateway 169.254.1.1 --mtu 9000). Checks the routed /32 model end to end:
# network create, container addressing and routes on both sides, proxy ARP
# for the gateway, connectivity, refused requests leave nothing behind,
# release on rm / network rm, clean shutdown on SIGTERM.  The host has no
# default route (the gateway is answered all the same), gets one and loses
# it again, and gets kube-proxy's arp_ignore=1/arp_announce=2; forwarding
# starts off and the plugin turns it on.
#
# Run: sudo tests/acceptance/single_host.sh   (or make check)
# Needs root; exits 77 (skip) only when namespaces or dockerd cannot work.
# LAB_KEEP=1 keeps the lab directory (logs) after the run.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

H=h
GW=169.254.1.1
HOSTADDR=10.250.0.1

lab_init
lab_host $H $HOSTADDR/32
lab_dockerd $H
lab_image $H
# forwarding off: the plugin turns on IPv4 at start, IPv6 with the first
# IPv6 endpoint (as dockerd --ip-forward does)
lab_exec $H sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
lab_plugin $H --gateway $GW --mtu 9000 --debug
STATE=$(lab_hdir $H)/state
PLUGIN_PID=${LAB_PLUGIN_PID[$H]}

dk() { lab_docker $H "$@"; }
dkt() { lab_docker_t $H 60 "$@"; }	# for requests that might hang

# -------------------------------------------------------------- least privilege

# After start-up the daemon keeps CAP_NET_ADMIN (bit 12) only (no zebra here).
assert_eq "$(awk '/^CapEff:/ {print $2}' /proc/$PLUGIN_PID/status)" 0000000000001000 \
	"plugin runs with CAP_NET_ADMIN only (CapEff)"
assert_eq "$(awk '/^CapBnd:/ {print $2}' /proc/$PLUGIN_PID/status)" 0000000000001000 \
	"plugin's bounding set is CAP_NET_ADMIN only"
SOCKD=$(lab_ddir $H)/plugins
assert_eq "$(stat -c '%a %U %G' $SOCKD/net-routed.sock $SOCKD/ipam-routed.sock | sort -u)" "660 root root" \
	"both sockets are mode 0660 root:root"
assert_eq "$(stat -c '%a' $STATE)" 700 "state directory is mode 0700"

# -------------------------------------------------------------- gateway

assert_eq "$(lab_ip $H -4 route show default; lab_ip $H -6 route show default)" "" \
	"the host has no default route (IPv4 or IPv6)"
assert_eq "$(lab_exec $H sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ')" "1 0 " \
	"plugin turned on IPv4 forwarding at start; IPv6 stays off (no IPv6 endpoint yet)"
assert_contains "$(cat "$(lab_hdir $H)/plugin.log")" 'turned on IPv4 forwarding' \
	"plugin logged that it turned on IPv4 forwarding"
# table local, proto redirect: no zebra reads it
gwroute() { lab_ip $H -4 route show table local exact $GW/32; }
GWROUTE=$(gwroute)
assert_contains "$GWROUTE" '^169\.254\.1\.1 dev routed-gw0 proto redirect scope link metric 65535 *$' \
	"host: the plugin routes the gateway: $GW dev routed-gw0 table local proto redirect metric 65535 ($GWROUTE)"
assert_eq "$(lab_ip $H -4 route show exact $GW/32)" "" "host: nothing for $GW in table main"
out=$(lab_ip $H -o link show dev routed-gw0; lab_ip $H -o link show dev routed-gw0p)
assert_eq "$(printf '%s\n' "$out" | grep -c 'NOARP,UP')" 2 "host: routed-gw0/routed-gw0p up, NOARP"
assert_eq "$(lab_ip $H -o addr show dev routed-gw0; lab_ip $H -o addr show dev routed-gw0p)" "" \
	"host: no address on routed-gw0/routed-gw0p (nothing for redistribute connected)"

# -------------------------------------------------------------- helpers

# links of the host whose name starts with rt / rc (one per line, sorted)
host_links() { lab_ip $H -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -E "^($1)" | sort; }
rt_links() { host_links rt; }

# host routes into a prefix, e.g. host_routes '10\.4[67]\.'
host_routes() { lab_ip $H -4 route show | grep -E "^$1"; }

# the host veth a /32 route points to
host_veth_of() { lab_ip $H -4 route show "$1/32" | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}'; }

# the container's address on its (only) network as Docker sees it: a.b.c.d/len
docker_addr() { dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}/{{.IPPrefixLen}}{{end}}' "$1"; }
endpoint_id() { dk inspect -f '{{range .NetworkSettings.Networks}}{{.EndpointID}}{{end}}' "$1"; }

ip2int() { local IFS=.; set -- $1; echo $(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )); }
# in_subnet IP NET/LEN: IP is a host address of the subnet (not network/broadcast)
in_subnet() {
	local ip; ip=$(ip2int "$1")
	local net=${2%/*} len=${2#*/}
	local n; n=$(ip2int "$net")
	local mask=$(( (0xffffffff << (32 - len)) & 0xffffffff ))
	[ $(( ip & mask )) -eq $(( n & mask )) ] && [ "$ip" -ne "$n" ] &&
		[ "$ip" -ne $(( n | (~mask & 0xffffffff) )) ]
}

plugin_alive() { kill -0 "$PLUGIN_PID" 2>/dev/null; }

# no_leftovers TEXT: eventually (5 s) no rt*/rc* links and no 10.46-49 routes
_clean_host() { [ -z "$(host_links 'rt|rc')" ] && [ -z "$(host_routes '10\.4[6-9]\.')" ]; }
no_leftovers() {
	if retry 5 _clean_host; then ok "$1"
	else fail "$1"
		host_links 'rt|rc' | sed 's/^/#   link  | /'
		host_routes '10\.4[6-9]\.' | sed 's/^/#   route | /'
	fi
}

# container_checks NAME ADDR NET: the per-container routed model
container_checks() {
	local c=$1 a=$2 net=$3 out v eid
	out=$(lab_cexec $H "$c" ip -o -4 addr show dev eth0)
	assert_contains "$out" "inet $a/32 " "$c: eth0 has $a/32"
	out=$(lab_cexec $H "$c" ip -4 route show)
	assert_contains "$out" "^default via $GW dev eth0" "$c: default via $GW dev eth0"
	assert_contains "$out" "^$GW dev eth0 .*scope link" "$c: $GW is on-link on eth0"
	out=$(lab_cexec $H "$c" ip -o link show dev eth0)
	assert_contains "$out" " mtu 9000 " "$c: eth0 mtu 9000"
	out=$(lab_cexec $H "$c" ip -o link show)
	assert_not_contains "$out" '^[0-9]+: eth1[:@]' "$c: only one interface besides lo (no docker_gwbridge)"
	assert_eq "$(docker_addr "$c")" "$a/32" "$c: docker inspect shows $a/32"

	out=$(lab_ip $H -4 route show "$a/32")
	assert_contains "$out" "^$a dev rt[0-9a-f]+ .*scope link" "$c: host route $a dev rt... scope link"
	v=$(host_veth_of "$a")
	eid=$(endpoint_id "$c")
	if [ -n "$v" ] && [ "${eid#"${v#rt}"}" != "$eid" ]; then
		ok "$c: host veth $v is rt + a prefix of endpoint id ${eid:0:12}..."
	else
		fail "$c: host veth '$v' is rt + a prefix of endpoint id '$eid'"
	fi
	[ -n "$v" ] || v=NONE
	assert_eq "$(lab_exec $H cat /proc/sys/net/ipv4/conf/$v/proxy_arp 2>&1)" 1 "$c: host veth $v has proxy_arp=1"
	out=$(lab_ip $H -o link show dev "$v" 2>&1)
	assert_contains "$out" " mtu 9000 " "$c: host veth $v mtu 9000"
	assert_contains "$out" "state UP" "$c: host veth $v is up"
}

# expect_refused TEXT REGEX CMD...: CMD fails, its output matches REGEX
# (case-insensitive; empty REGEX: only the failure is checked), and no rt*
# link appears on the host. Sets OUT to the output.
expect_refused() {
	local text=$1 re=$2; shift 2
	local before after rc
	before=$(rt_links)
	OUT=$("$@" 2>&1); rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then ok "$text: refused (exit $rc)"
	else fail "$text: refused (exit $rc)"; printf '%s\n' "$OUT" | sed 's/^/#   | /'; fi
	[ -n "$re" ] && assert_contains "$OUT" "$re" "$text: error text matches /$re/"
	after=$(rt_links)
	# a refused request must not leave a veth behind (give deletion a moment)
	if [ "$before" != "$after" ]; then sleep 1; after=$(rt_links); fi
	assert_eq "$after" "$before" "$text: no leftover rt* veth on the host"
}

T0=$SECONDS

# -------------------------------------------------------------- networks

lab_log "--- networks"
out=$(dk network create --internal --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.46.0.0/16 mine 2>&1)
rc=$?
assert_eq "$rc" 0 "network create --internal ... --subnet 10.46.0.0/16 mine ($out)"
out=$(dk network create --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.47.0.0/16 open 2>&1)
rc=$?
assert_eq "$rc" 0 "network create ... --subnet 10.47.0.0/16 open ($out)"
[ "$(dk network ls -q --filter name=^mine$ | wc -l)" -eq 1 ] || {
	lab_plugin_log $H 60; lab_bail "network mine does not exist, cannot go on"; }
NIDS=$(dk network inspect -f '{{.Id}}' mine open 2>/dev/null)
assert_eq "$(dk network inspect -f '{{.Driver}} {{.IPAM.Driver}} {{.Internal}}' mine 2>&1)" \
	"net-routed ipam-routed true" "mine: driver net-routed, IPAM ipam-routed, internal"
assert_eq "$(dk network inspect -f '{{.Driver}} {{.IPAM.Driver}} {{.Internal}}' open 2>&1)" \
	"net-routed ipam-routed false" "open: driver net-routed, IPAM ipam-routed, not internal"

# -------------------------------------------------------------- containers

lab_log "--- containers"
out=$(dk run -d --name c1 --net=mine --ip 10.46.1.7 bb:local sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run --net=mine --ip 10.46.1.7 ($out)"
container_checks c1 10.46.1.7 mine
V1=$(host_veth_of 10.46.1.7)

out=$(dk run -d --name c2 --net=mine bb:local sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run --net=mine without --ip ($out)"
A2=$(docker_addr c2); A2=${A2%/*}
if [ -n "$A2" ] && in_subnet "$A2" 10.46.0.0/16; then
	ok "c2: address $A2 is a host address in 10.46.0.0/16"
else
	fail "c2: address '$A2' is a host address in 10.46.0.0/16"
fi
check "c2: address differs from c1's" [ "$A2" != 10.46.1.7 ]
container_checks c2 "${A2:-NONE}" mine

out=$(dk run -d --name c3 --net=open bb:local sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run --net=open ($out)"
A3=$(docker_addr c3); A3=${A3%/*}
if [ -n "$A3" ] && in_subnet "$A3" 10.47.0.0/16; then
	ok "c3: address $A3 is a host address in 10.47.0.0/16"
else
	fail "c3: address '$A3' is a host address in 10.47.0.0/16"
fi
container_checks c3 "${A3:-NONE}" open
assert_not_contains "$(dk network ls --format '{{.Name}}')" '^docker_gwbridge$' \
	"engine did not create docker_gwbridge"

# -------------------------------------------------------------- traffic

lab_log "--- traffic"
ping_ok "c1 -> c2 ($A2), same network"     dk exec c1 ping -c 2 -W 2 "$A2"
ping_ok "c2 -> c1 (10.46.1.7), same network" dk exec c2 ping -c 2 -W 2 10.46.1.7
ping_ok "c1 -> c3 ($A3), other network"    dk exec c1 ping -c 2 -W 2 "$A3"
ping_ok "c3 -> c1 (10.46.1.7), other network" dk exec c3 ping -c 2 -W 2 10.46.1.7
ping_ok "c1 -> host ($HOSTADDR)"           dk exec c1 ping -c 2 -W 2 $HOSTADDR
ping_ok "c3 -> host ($HOSTADDR)"           dk exec c3 ping -c 2 -W 2 $HOSTADDR
ping_ok "host -> c1 (10.46.1.7)"           lab_exec $H busybox ping -c 2 -W 2 10.46.1.7
ping_ok "host -> c3 ($A3)"                 lab_exec $H busybox ping -c 2 -W 2 "$A3"

out=$(lab_cexec $H c1 ip neigh show $GW)
assert_contains "$out" "^$GW dev eth0 lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2} (REACHABLE|STALE|DELAY)" \
	"c1: gateway $GW resolved by ARP ($out)"
mac=$(printf '%s\n' "$out" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')
vmac=$(lab_ip $H -o link show dev "${V1:-NONE}" 2>/dev/null | grep -oE 'link/ether [0-9a-f:]+' | awk '{print $2}')
assert_eq "$mac" "$vmac" "c1: $GW answered with the MAC of host veth $V1 (proxy ARP)"

# pings_all WHEN: every direction again, after the containers forgot the
# gateway's MAC address (their neighbour tables flushed)
pings_all() {
	local when=$1 c
	for c in c1 c2 c3; do lab_cexec $H $c ip neigh flush dev eth0; done
	out=$(lab_cexec $H c1 ip neigh show $GW)
	assert_not_contains "$out" lladdr "c1: $GW forgotten, neighbour table flushed ($when)"
	ping_ok "c1 -> c2 ($A2), $when"       dk exec c1 ping -c 1 -W 2 "$A2"
	ping_ok "c2 -> c1, $when"             dk exec c2 ping -c 1 -W 2 10.46.1.7
	ping_ok "c3 -> c1 (other network), $when" dk exec c3 ping -c 1 -W 2 10.46.1.7
	ping_ok "c1 -> host, $when"           dk exec c1 ping -c 1 -W 2 $HOSTADDR
	ping_ok "host -> c2 ($A2), $when"     lab_exec $H busybox ping -c 1 -W 2 "$A2"
}
lab_log "--- the host's default route comes and goes"
check "host: default route added (dev dum0)" lab_default_route $H add
pings_all "with a default route"
check "host: default route removed again" lab_default_route $H del
pings_all "default route gone again"
lab_log "--- kube-proxy's arp_ignore=1 arp_announce=2 on the host"
check "host: net.ipv4.conf.{all,default}.arp_ignore=1 arp_announce=2" lab_arp_strict $H
pings_all "arp_ignore=1 arp_announce=2, no default route"
lab_log "--- the gateway's link deleted behind the plugin's back"
lab_ip $H link del routed-gw0
gw_back() { [ "$(gwroute)" = "$GWROUTE" ]; }
check "host: routed-gw0 and the route to $GW made again after 'ip link del routed-gw0'" retry 5 gw_back
pings_all "routed-gw0 deleted and made again"

# -------------------------------------------------------------- IPv6

lab_log "--- dual stack (--ipv6)"
# the host has an IPv6 address of its own on dum0 for the containers to
# reach, and no IPv6 default route; IPv6 forwarding is still off: the plugin
# turns it on with the first IPv6 endpoint. 10.45/16 and fd00:45::/64 are
# used by nothing else here
lab_ip $H -6 addr add fd00:ff::1/128 dev dum0
out=$(dk network create --ipv6 --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.45.0.0/16 --subnet fd00:45::/64 dual 2>&1)
assert_eq "$?" 0 "network create --ipv6 --subnet 10.45.0.0/16 --subnet fd00:45::/64 dual ($(echo $out | cut -c1-12))"
out=$(dk run -d --name d1 --net=dual --ip 10.45.0.7 --ip6 fd00:45::7 bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "run d1 --ip 10.45.0.7 --ip6 fd00:45::7 ($(echo $out | cut -c1-12))"
out=$(dk run -d --name d2 --net=dual bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "run d2 on dual, addresses from the plugin ($(echo $out | cut -c1-12))"
D2=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}{{end}}' d2 2>/dev/null)
assert_contains "$D2" '^fd00:45::[0-9a-f:]+$' "d2: Docker reports an IPv6 address in fd00:45::/64 ($D2)"
assert_eq "$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}/{{.GlobalIPv6PrefixLen}}{{end}}' d1 2>&1)" \
	"fd00:45::7/128" "d1: docker inspect shows fd00:45::7/128"
out=$(lab_cexec $H d1 ip -o -6 addr show dev eth0 scope global)
assert_contains "$out" ' inet6 fd00:45::7/128 ' "d1: eth0 has fd00:45::7/128 ($(echo $out | cut -c1-60))"
out=$(lab_cexec $H d1 ip -6 route show default)
assert_contains "$out" '^default via fe80::1 dev eth0' "d1: default route via fe80::1 dev eth0 ($out)"
out=$(lab_ip $H -6 route show fd00:45::7/128)
assert_contains "$out" '^fd00:45::7 dev rt[0-9a-f]+ ' "host: route fd00:45::7/128 dev rt... ($out)"
V6=$(printf '%s\n' "$out" | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}')
assert_eq "$(lab_exec $H cat /proc/sys/net/ipv6/conf/${V6:-NONE}/proxy_ndp 2>&1)" 1 "host veth $V6 has proxy_ndp=1"
out=$(lab_ip $H -6 neigh show proxy dev "${V6:-NONE}")
assert_contains "$out" '^fe80::1 ' "host: proxy NDP entry fe80::1 on $V6 ($out)"
assert_eq "$(lab_exec $H sysctl -n net.ipv6.conf.all.forwarding)" 1 \
	"plugin turned on IPv6 forwarding with the first IPv6 endpoint"
assert_contains "$(cat "$(lab_hdir $H)/plugin.log")" 'turned on IPv6 forwarding' \
	"plugin logged that it turned on IPv6 forwarding"
ping_ok "d1 -> host fd00:ff::1 (IPv6, via fe80::1)" dk exec d1 ping -6 -c 2 -W 2 fd00:ff::1
ping_ok "host -> d1 fd00:45::7 (IPv6)" lab_exec $H busybox ping -6 -c 2 -W 2 fd00:45::7
ping_ok "d1 -> d2 $D2 (IPv6, routed by the host)" dk exec d1 ping -6 -c 2 -W 2 "${D2:-::1}"
ping_ok "d2 -> d1 10.45.0.7 (IPv4 on the same endpoint)" dk exec d2 ping -c 2 -W 2 10.45.0.7
check "host: default routes added" lab_default_route $H add
check "host: default routes removed again" lab_default_route $H del
for c in d1 d2; do lab_cexec $H $c ip -6 neigh flush dev eth0; done
assert_not_contains "$(lab_cexec $H d1 ip -6 neigh show fe80::1)" lladdr "d1: fe80::1 forgotten (neighbour table flushed)"
ping_ok "d1 -> host fd00:ff::1 after a default route came and went" dk exec d1 ping -6 -c 1 -W 2 fd00:ff::1
ping_ok "d1 -> d2 $D2 after a default route came and went" dk exec d1 ping -6 -c 1 -W 2 "${D2:-::1}"
ping_ok "host -> d2 $D2 after a default route came and went" lab_exec $H busybox ping -6 -c 1 -W 2 "${D2:-::1}"

# -------------------------------------------------------------- several networks

lab_log "--- a container on two routed networks (issue 12)"
out=$(dk network create --ipv6 --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.44.0.0/16 --subnet fd00:44::/64 dual2 2>&1)
assert_eq "$?" 0 "network create --ipv6 ... dual2 ($(echo $out | cut -c1-12))"
# both ways Docker attaches a second network: connect to a running
# container, and create + connect + start
out=$(dk run -d --name m1 --net=dual --ip 10.45.0.8 --ip6 fd00:45::8 bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "run m1 on dual ($(echo $out | cut -c1-12))"
out=$(dk network connect --ip 10.44.0.8 --ip6 fd00:44::8 dual2 m1 2>&1)
assert_eq "$?" 0 "network connect dual2 m1 (running) ($out)"
out=$(dk create --name m2 --net=dual --ip 10.45.0.9 --ip6 fd00:45::9 bb:local sleep 3600 2>&1)
assert_eq "$?" 0 "create m2 on dual ($(echo $out | cut -c1-12))"
out=$(dk network connect --ip 10.44.0.9 --ip6 fd00:44::9 dual2 m2 2>&1)
assert_eq "$?" 0 "network connect dual2 m2 (created) ($out)"
out=$(dk start m2 2>&1)
assert_eq "$?" 0 "start m2 on dual and dual2 ($out)"
for c in m1 m2; do
	assert_eq "$(lab_cexec $H $c ip -4 route show default | wc -l)" 1 "$c: exactly one IPv4 default route"
	assert_eq "$(lab_cexec $H $c ip -6 route show default | wc -l)" 1 "$c: exactly one IPv6 default route"
done
out=$(lab_cexec $H m1 ip -4 route show)
assert_contains "$out" "^169\.254\.1\.1 dev eth0 " "m1: the gateway on-link on eth0 as a /32"
assert_contains "$out" "^169\.254\.1\.0/31 dev eth1 " "m1: and on eth1 as a /31 (no 'file exists')"
out=$(lab_cexec $H m1 ip -4 route get 10.44.0.9)
assert_contains "$out" "dev eth1 src 10.44.0.8" "m1: dual2 is reached through its own interface and address ($out)"
out=$(lab_cexec $H m1 ip -4 route get 10.45.0.9)
assert_contains "$out" "dev eth0 src 10.45.0.8" "m1: dual through its own ($out)"
ping_ok "m1 -> m2 10.45.0.9 (dual)" dk exec m1 ping -c 2 -W 2 10.45.0.9
ping_ok "m1 -> m2 10.44.0.9 (dual2)" dk exec m1 ping -c 2 -W 2 10.44.0.9
ping_ok "m2 -> m1 fd00:44::8 (dual2, IPv6)" dk exec m2 ping -6 -c 2 -W 2 fd00:44::8
ping_ok "m2 -> m1 fd00:45::8 (dual, IPv6)" dk exec m2 ping -6 -c 2 -W 2 fd00:45::8
ping_ok "d1 (dual only) -> m1 10.44.0.8 (across networks)" dk exec d1 ping -c 2 -W 2 10.44.0.8
ping_ok "m1 -> host ($HOSTADDR)" dk exec m1 ping -c 2 -W 2 $HOSTADDR
out=$(dk network disconnect dual m1 2>&1)
assert_eq "$?" 0 "network disconnect dual m1 ($out)"
assert_eq "$(lab_cexec $H m1 ip -4 route show default | wc -l)" 1 "m1: still one IPv4 default route, through dual2"
ping_ok "m1 -> m2 10.44.0.9 after leaving dual" dk exec m1 ping -c 2 -W 2 10.44.0.9
ping_ok "m1 -> host after leaving dual" dk exec m1 ping -c 2 -W 2 $HOSTADDR
ping_ok "m2 -> m1 fd00:44::8 after m1 left dual" dk exec m2 ping -6 -c 2 -W 2 fd00:44::8
out=$(dk network connect --ip 10.45.0.8 dual m1 2>&1)
assert_eq "$?" 0 "network connect dual m1 again ($out)"
ping_ok "m2 -> m1 10.45.0.8 after connecting again" dk exec m2 ping -c 2 -W 2 10.45.0.8
out=$(dk rm -f m1 m2 2>&1); assert_eq "$?" 0 "rm -f m1 m2"
out=$(dk network rm dual2 2>&1); assert_eq "$?" 0 "network rm dual2"

out=$(dk rm -f d1 d2 2>&1); assert_eq "$?" 0 "rm -f d1 d2"
out=$(dk network rm dual 2>&1); assert_eq "$?" 0 "network rm dual"
gone6() { [ -z "$(lab_ip $H -6 route show | grep '^fd00:4[45]:')" ] && [ -z "$(host_routes '10\.4[45]\.')" ]; }
check "host: no route into 10.44-45/16 or fd00:44-45::/64 left" retry 5 gone6

# -------------------------------------------------------------- refusals

lab_log "--- refused requests"
t=$(date +%s%N)
expect_refused "network create without --subnet" 'subnet' \
	dkt network create --driver=net-routed --ipam-driver=ipam-routed nosub
ms=$(( ($(date +%s%N) - t) / 1000000 ))
check "network create without --subnet answers within 5 s (${ms} ms)" [ "$ms" -le 5000 ]
assert_eq "$(dk network ls -q --filter name=^nosub$ | wc -l)" 0 "network nosub does not exist"

expect_refused "network create -o foo=bar" 'com\.docker\.network\.driver\.mtu' \
	dkt network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.48.0.0/16 -o foo=bar badopt
assert_contains "$OUT" 'foo' "network create -o foo=bar: error names the option foo"
assert_eq "$(dk network ls -q --filter name=^badopt$ | wc -l)" 0 "network badopt does not exist"

expect_refused "network create with overlapping --subnet 10.46.5.0/24" 'overlap|10\.46\.0\.0/16' \
	dkt network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.46.5.0/24 overlap
assert_eq "$(dk network ls -q --filter name=^overlap$ | wc -l)" 0 "network overlap does not exist"

expect_refused "run --ip 10.46.1.7 a second time" '10\.46\.1\.7' \
	dkt run -d --name dup --net=mine --ip 10.46.1.7 bb:local sleep 3600
assert_eq "$(host_veth_of 10.46.1.7)" "$V1" "host route to 10.46.1.7 still points to c1's veth $V1"
ping_ok "host -> c1 (10.46.1.7) still works after the refused duplicate" \
	lab_exec $H busybox ping -c 1 -W 2 10.46.1.7

expect_refused "run --ip 10.99.0.5 (outside the pool)" '' \
	dkt run -d --name outside --net=mine --ip 10.99.0.5 bb:local sleep 3600
check "plugin still running after the refused requests" plugin_alive

# -------------------------------------------------------------- per-network mtu

lab_log "--- per-network mtu"
out=$(dk network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.49.0.0/16 \
	-o com.docker.network.driver.mtu=1400 small 2>&1)
rc=$?
assert_eq "$rc" 0 "network create -o com.docker.network.driver.mtu=1400 small ($out)"
out=$(dk run -d --name c5 --net=small bb:local sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run --net=small ($out)"
A5=$(docker_addr c5); A5=${A5%/*}
out=$(lab_cexec $H c5 ip -o link show dev eth0)
assert_contains "$out" " mtu 1400 " "c5: eth0 mtu 1400 (network option beats --mtu 9000)"
V5=$(host_veth_of "${A5:-NONE}")
out=$(lab_ip $H -o link show dev "${V5:-NONE}" 2>&1)
assert_contains "$out" " mtu 1400 " "c5: host veth ${V5:-?} mtu 1400"
out=$(dk rm -f c5 2>&1); rc=$?
assert_eq "$rc" 0 "rm -f c5"
out=$(dk network rm small 2>&1); rc=$?
assert_eq "$rc" 0 "network rm small"

# -------------------------------------------------------------- release

lab_log "--- release"
dk rm -f dup outside >/dev/null 2>&1
out=$(dk rm -f c1 c2 c3 2>&1); rc=$?
assert_eq "$rc" 0 "rm -f c1 c2 c3 ($(echo $out))"
no_leftovers "after rm -f: no rt*/rc* links and no 10.46-49 routes on the host"

out=$(dk run -d --name c4 --net=mine --ip 10.46.1.7 bb:local sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run --ip 10.46.1.7 again after rm (address was released) ($out)"
out=$(lab_cexec $H c4 ip -o -4 addr show dev eth0)
assert_contains "$out" "inet 10.46.1.7/32 " "c4: eth0 has 10.46.1.7/32"
ping_ok "host -> c4 (10.46.1.7)" lab_exec $H busybox ping -c 2 -W 2 10.46.1.7
out=$(dk rm -f c4 2>&1); rc=$?
assert_eq "$rc" 0 "rm -f c4"

out=$(dk network rm mine open 2>&1); rc=$?
assert_eq "$rc" 0 "network rm mine open ($(echo $out))"
assert_eq "$(dk network ls -q --filter driver=net-routed | wc -l)" 0 "no net-routed network left in the engine"
no_leftovers "after network rm: no rt*/rc* links and no 10.46-49 routes on the host"
# -------------------------------------------------------------- shutdown

lab_log "--- shutdown"
lab_plugin_stop $H
assert_eq "$(gwroute)" "$GWROUTE" \
	"the gateway's route and link stay after the plugin stops (containers of a restarting plugin keep their gateway)"

# A clean stop writes the state as one snapshot: what is left is what the
# plugin would start with.
if [ -d "$STATE" ] && [ -n "$(ls -A "$STATE")" ]; then
	ok "plugin state dir is not empty ($(ls "$STATE" | tr '\n' ' '))"
else
	fail "plugin state dir $STATE holds the plugin's state"
fi
out=$(grep -rhoE '10\.4[6-9]\.[0-9.]+(/[0-9]+)?' "$STATE" 2>/dev/null | sort -u)
assert_eq "$out" "" "plugin state no longer mentions 10.46.x-10.49.x"
out=$(for n in $NIDS; do grep -rl "${n:0:12}" "$STATE"; done 2>/dev/null)
assert_eq "$out" "" "plugin state no longer mentions the IDs of mine and open"

# -------------------------------------------------------------- route type owner

# A daemons file that enables babeld (the owner of the default route type)
# earns a loud warning at start.  A throw-away instance with its own
# sockets, state and a zebra socket nobody serves.
X=$(lab_hdir $H)/x
mkdir -p "$X/sock"
# x_run: start the throw-away instance (ip netns exec execs it: $! is the
# daemon itself), wait for its sockets, stop it, assert it ran and exited 0
x_run() {
	local text=$1 pid rc; shift
	rm -f "$X/log"
	ip netns exec "$(lab_ns $H)" "$LAB_PLUGIN_BIN" --socket-dir "$X/sock" \
		--state-dir "$X/state" --run-dir "$X/run" --zebra-socket "$X/zserv.api" \
		--frr-daemons "$X/daemons" "$@" > "$X/log" 2>&1 &
	pid=$!
	retry 10 test -S "$X/sock/ipam-routed.sock" || true
	kill -TERM "$pid" 2>/dev/null; wait "$pid"; rc=$?
	assert_eq "$rc" 0 "$text: the instance started, served and exited 0 on SIGTERM"
	assert_contains "$(cat "$X/log")" ' ready on ' "$text: the instance logged ready"
}
printf 'zebra=yes\nbabeld=yes\nospfd=yes\n' > "$X/daemons"
x_run "babeld=yes"
assert_contains "$(cat "$X/log")" 'enables babeld, which owns route type babel' \
	"a daemons file enabling babeld is warned about at start"
printf 'zebra=yes\nbabeld=no\n' > "$X/daemons"
x_run "babeld=no"
assert_not_contains "$(cat "$X/log")" 'owns route type' "babeld=no: no warning"

# the gateway's link and route of the earlier run are reused, not doubled
assert_contains "$(cat "$X/log")" 'route 169\.254\.1\.1/32 dev routed-gw0 .*link reused' \
	"a second start reuses routed-gw0 and its route"
assert_eq "$(gwroute)" "$GWROUTE" "still exactly one route for $GW"
# --no-ip-forward leaves forwarding alone, and says what that means
lab_exec $H sysctl -qw net.ipv4.ip_forward=0
x_run "--no-ip-forward" --no-ip-forward
assert_eq "$(lab_exec $H sysctl -n net.ipv4.ip_forward)" 0 "--no-ip-forward: net.ipv4.ip_forward stays 0"
assert_contains "$(cat "$X/log")" 'ip_forward is 0 and --no-ip-forward' "--no-ip-forward: warned at start"
lab_exec $H sysctl -qw net.ipv4.ip_forward=1

lab_log "wall time $((SECONDS - T0)) s (after lab set-up)"
if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "plugin log (last 80 lines), $(lab_hdir $H)/plugin.log:"
	lab_plugin_log $H 80
fi
lab_done
