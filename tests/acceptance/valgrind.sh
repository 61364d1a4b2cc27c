#!/bin/bash
# valgrind.sh - the daemon's whole request lifecycle under valgrind memcheck.
#
# One lab namespace, no Docker engine: routed-plugin runs under
#   valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
#            --error-exitcode=99 --track-fds=no
# with --announce none, and this script speaks Docker's plugin protocol to
# its two unix sockets with curl: RequestPool, CreateNetwork, then for 100
# endpoints RequestAddress + CreateEndpoint + Join (the daemon makes real
# veths and routes; every tenth endpoint asks for two more addresses with
# routed.ip-count and waits in vain for its sandbox), a few refused
# requests, then Leave + DeleteEndpoint +
# ReleaseAddress for all, DeleteNetwork, ReleasePool; then SIGTERM.  Passes
# when every reply is right, valgrind exits 0 with "ERROR SUMMARY: 0
# errors" (no invalid access, no definite or indirect leak) and no rt*/rc*
# veth is left.
#
# Run: sudo tests/acceptance/valgrind.sh   (root: namespaces, veths)
# Exits 0 all passed, 1 something failed, 77 skipped (not root, no valgrind,
# no curl, no namespaces).  VG_ENDPOINTS=N changes the count (default 100);
# VG_STATE_ON_DISK=1 keeps the state directory on disk instead of a tmpfs;
# LAB_KEEP=1 keeps the lab directory (valgrind's log) after the run.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

H=h
GW=169.254.1.1
N=${VG_ENDPOINTS:-100}
POOL=10.46.0.0/16
NID=4330d3fcb3c2c14b1b2a0fbbdcc92a7763e8c5f0a8bb6e51f9a1e3e3c2f0aa01

# ---------------------------------------------------------------- lab, no Docker

[ "$(id -u)" -eq 0 ] || lab_skip "must run as root (try: sudo $0)"
for c in ip nsenter valgrind curl; do
	command -v "$c" >/dev/null 2>&1 || lab_skip "missing command: $c"
done
[ -x "$LAB_PLUGIN_BIN" ] || lab_bail "plugin binary $LAB_PLUGIN_BIN not found (run make first)"
# valgrind cannot run a binary built with ASan (CI's sanitizer build): that
# build is checked by the sanitizers themselves, the plain build runs this
if grep -qa -e __asan_init -e __tsan_init -e __msan_init "$LAB_PLUGIN_BIN"; then
	printf '# SKIP: %s is a sanitizer build; valgrind runs on the plain build\n' "$LAB_PLUGIN_BIN"
	exit 77
fi
lab_init_dir
lab_host $H 10.250.0.1/32
T0=$SECONDS

HD=$(lab_hdir $H)
SOCKD=$(lab_ddir $H)/plugins
STATE=$HD/state
VGLOG=$HD/valgrind.log
mkdir -p "$SOCKD" "$STATE"
# The state on tmpfs: this test is about memory, and an fdatasync per
# request on a busy disk would make it slow (lab_cleanup unmounts it).
if [ -z "${VG_STATE_ON_DISK:-}" ]; then
	mount -t tmpfs -o mode=0700,size=64m rplab-state "$STATE" ||
		lab_warn "cannot mount a tmpfs on $STATE: the state stays on disk"
fi

# ---------------------------------------------------------------- start

echo "=== $(date '+%F %T') start under valgrind: $LAB_PLUGIN_BIN" >> "$HD/plugin.log"
# ip netns exec execs valgrind, which runs the daemon in its own process:
# $! is the pid that gets SIGTERM and whose status is valgrind's verdict
ip netns exec "${LAB_NS[$H]}" valgrind --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--track-fds=no --log-file="$VGLOG" \
	"$LAB_PLUGIN_BIN" --socket-dir "$SOCKD" --state-dir "$STATE" \
	--gateway $GW --announce none --extra-addresses >> "$HD/plugin.log" 2>&1 </dev/null &
VG_PID=$!
LAB_PLUGIN_PID[$H]=$VG_PID	# lab_cleanup stops it if we do not get there
LAB_PLUGIN_STARTED[$H]=1
if ! retry 60 _lab_plugin_up $H; then
	lab_log "plugin log (tail):"; lab_plugin_log $H 30
	lab_log "valgrind log (tail):"; tail -n 30 "$VGLOG" 2>/dev/null | sed 's/^/#   | /'
	lab_bail "routed-plugin under valgrind did not create both sockets within 60 s"
fi
ok "routed-plugin runs under valgrind (pid $VG_PID), sockets up after $((SECONDS - T0)) s"

# ---------------------------------------------------------------- protocol

# req SOCK PATH BODY: POST BODY to PATH on SOCK (net or ipam); sets CODE, REPLY
req() {
	local out
	out=$(curl -sS -m 60 --unix-socket "$SOCKD/$1-routed.sock" -X POST \
		-H 'Content-Type: application/vnd.docker.plugins.v1.2+json' \
		--data-binary "$3" -w '\n%{http_code}' "http://x$2" 2>&1)
	CODE=${out##*$'\n'}
	REPLY=${out%$'\n'*}
}

# expect SOCK PATH BODY CODE REGEX TEXT: one request, asserted
expect() {
	req "$1" "$2" "$3"
	if [ "$CODE" = "$4" ] && printf '%s' "$REPLY" | grep -qE -- "$5"; then
		ok "$6"
	else
		fail "$6"
		lab_log "  $2 $3"
		lab_log "  got $CODE $REPLY"
		lab_log "  want $4 /$5/"
	fi
}

# A phase of N requests counts its bad replies and asserts once.
BAD=0
BADSHOWN=0
bad() {
	BAD=$((BAD + 1))
	if [ "$BADSHOWN" -lt 3 ]; then
		BADSHOWN=$((BADSHOWN + 1))
		lab_log "  $1: got $CODE $REPLY"
	fi
}
phase_end() {
	if [ "$BAD" -eq 0 ]; then ok "$1"; else fail "$1 ($BAD bad replies)"; fi
	BAD=0
	BADSHOWN=0
}

eid() { printf 'e%011x%052x' "$1" "$1"; }	# 64 hex, first 12 unique
links() { lab_ip $H -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -cE "^$1[0-9a-f]{12}$"; }
routes46() { lab_ip $H -4 route show | grep -cE '^10\.46\.'; }

IDS() { printf '{"NetworkID":"%s","EndpointID":"%s"}' "$NID" "$1"; }

# ---------------------------------------------------------------- network

lab_log "--- network"
expect ipam /Plugin.Activate '' 200 '"Implements":\["IpamDriver"\]' "ipam Plugin.Activate"
expect net /Plugin.Activate '' 200 '"Implements":\["NetworkDriver"\]' "net Plugin.Activate"
expect net /NetworkDriver.GetCapabilities '' 200 '"Scope":"local"' "GetCapabilities: local scope"
expect ipam /IpamDriver.GetDefaultAddressSpaces '' 200 'LocalDefaultAddressSpace' "GetDefaultAddressSpaces"
expect ipam /IpamDriver.RequestPool \
	"{\"AddressSpace\":\"RoutedLocal\",\"Pool\":\"$POOL\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}" \
	200 "\"PoolID\":\"10\\.46\\.0\\.0/16\"" "RequestPool $POOL"
expect ipam /IpamDriver.RequestAddress \
	"{\"PoolID\":\"$POOL\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}" \
	200 "\"Address\":\"$GW/32\"" "RequestAddress of the gateway gives the plugin's $GW/32"
expect ipam /IpamDriver.RequestAddress "{\"PoolID\":\"$POOL\",\"Address\":\"10.46.0.2\",\"Options\":null}" \
	200 '"Address":"10\.46\.0\.2/32"' "RequestAddress of an aux address 10.46.0.2"
expect net /NetworkDriver.CreateNetwork \
	"{\"NetworkID\":\"$NID\",\"Options\":{\"com.docker.network.enable_ipv6\":false,\"com.docker.network.generic\":{\"com.docker.network.driver.mtu\":\"1400\"}},\"IPv4Data\":[{\"AddressSpace\":\"RoutedLocal\",\"AuxAddresses\":{\"r1\":\"10.46.0.2/32\"},\"Gateway\":\"$GW/32\",\"Pool\":\"$POOL\"}],\"IPv6Data\":[]}" \
	200 '^\{\}$' "CreateNetwork"

# ---------------------------------------------------------------- endpoints

lab_log "--- $N endpoints: RequestAddress, CreateEndpoint, Join"
T1=$SECONDS
declare -a ADDR=()
for ((i = 1; i <= N; i++)); do
	req ipam /IpamDriver.RequestAddress "{\"PoolID\":\"$POOL\",\"Address\":\"\",\"Options\":null}"
	a=$(printf '%s' "$REPLY" | sed -n 's/.*"Address":"\(10\.46\.[0-9.]*\)\/32".*/\1/p')
	if [ "$CODE" != 200 ] || [ -z "$a" ] || [ "$a" = 10.46.0.2 ]; then bad "RequestAddress #$i"; a=10.46.255.$((i % 250)); fi
	ADDR[i]=$a
done
phase_end "$N RequestAddress: each a /32 in $POOL, never the aux address"
assert_eq "$(printf '%s\n' "${ADDR[@]}" | sort -u | wc -l)" "$N" "the $N addresses are distinct"

NX=0
for ((i = 1; i <= N; i++)); do
	x=
	[ $((i % 10)) -eq 0 ] && { x=',"routed.ip-count":"2"'; NX=$((NX + 2)); }
	req net /NetworkDriver.CreateEndpoint "{\"NetworkID\":\"$NID\",\"EndpointID\":\"$(eid "$i")\",\"Interface\":{\"Address\":\"${ADDR[i]}/32\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":{\"com.docker.network.endpoint.exposedports\":[],\"com.docker.network.portmap\":[]$x}}"
	[ "$CODE" = 200 ] && printf '%s' "$REPLY" | grep -qE '^\{"Interface":\{"MacAddress":"02:52:[0-9a-f:]{11}"\}\}$' || bad "CreateEndpoint #$i"
done
phase_end "$N CreateEndpoint: 200, a MAC from the address; $NX extra addresses"

for ((i = 1; i <= N; i++)); do
	e=$(eid "$i")
	req net /NetworkDriver.Join "{\"NetworkID\":\"$NID\",\"EndpointID\":\"$e\",\"SandboxKey\":\"/var/run/docker/netns/${e:0:12}\",\"Options\":{\"com.docker.network.endpoint.exposedports\":[],\"com.docker.network.portmap\":[]}}"
	[ "$CODE" = 200 ] && printf '%s' "$REPLY" | grep -qF "\"SrcName\":\"rc${e:0:12}\"" &&
		printf '%s' "$REPLY" | grep -qF "\"Gateway\":\"$GW\"" &&
		printf '%s' "$REPLY" | grep -qF "\"Destination\":\"$GW/32\",\"RouteType\":1" || bad "Join #$i"
done
phase_end "$N Join: SrcName rc<12 hex of the endpoint>, Gateway $GW, connected $GW/32"
lab_log "$((3 * N)) requests in $((SECONDS - T1)) s"

assert_eq "$(links rt)" "$N" "$N host veths rt* exist"
assert_eq "$(links rc)" "$N" "$N container veths rc* exist (Docker would move them)"
assert_eq "$(routes46)" "$((N + NX))" "$((N + NX)) host routes into 10.46.0.0/16 ($NX of extra addresses)"
out=$(lab_ip $H -4 route show "${ADDR[1]}/32")
assert_contains "$out" "^${ADDR[1]} dev rt$(eid 1 | cut -c1-12) " "endpoint 1: host route ${ADDR[1]} dev rt..."
out=$(lab_ip $H -o link show dev "rt$(eid 1 | cut -c1-12)" 2>&1)
assert_contains "$out" " mtu 1400 " "endpoint 1: host veth has the network's mtu 1400"
expect net /NetworkDriver.EndpointOperInfo "$(IDS "$(eid 1)")" 200 '"HostInterface":"rt' "EndpointOperInfo"

# ---------------------------------------------------------------- refusals

lab_log "--- refused requests (error paths under valgrind)"
expect net /NetworkDriver.CreateEndpoint \
	"{\"NetworkID\":\"$NID\",\"EndpointID\":\"$(eid 9999)\",\"Interface\":{\"Address\":\"${ADDR[1]}/32\"}}" \
	500 '"Err":"address .* is already in use' "CreateEndpoint with a taken address: 500 + Err"
expect net /NetworkDriver.CreateEndpoint \
	"{\"NetworkID\":\"$NID\",\"EndpointID\":\"$(eid 9998)\",\"Interface\":{\"Address\":\"10.46.255.1/32\"},\"Options\":{\"routed.ips\":\"10.46.255.2 ${ADDR[3]}\"}}" \
	500 '"Err":"address .* is taken by endpoint' "CreateEndpoint with a taken extra address: 500 + Err"
expect net /NetworkDriver.CreateEndpoint \
	"{\"NetworkID\":\"$NID\",\"EndpointID\":\"$(eid 9998)\",\"Interface\":{\"Address\":\"10.46.255.1/32\"},\"Options\":{\"routed.ips\":\"10.46.255.2,\"}}" \
	500 '"Err":".*ends with a comma' "CreateEndpoint with a bad routed.ips: 500 + Err"
expect ipam /IpamDriver.RequestAddress "{\"PoolID\":\"$POOL\",\"Address\":\"${ADDR[2]}\"}" \
	500 '"Err":".*already in use' "RequestAddress of an address in use: 500 + Err"
expect ipam /IpamDriver.RequestPool '{"Pool":"10.46.7.0/24","V6":false}' 500 '"Err":".*overlaps' \
	"RequestPool overlapping: 500 + Err"
expect net /NetworkDriver.Join '{"NetworkID":' 500 '"Err":".*not valid JSON' "a body that is not JSON: 500 + Err"
expect net /NetworkDriver.CreateNetwork '{"NetworkID":"x","Options":{"com.docker.network.generic":{"bogus":"1"}},"IPv4Data":[{"Pool":"10.47.0.0/16"}]}' \
	500 '"Err":"unknown option' "CreateNetwork with an unknown option: 500 + Err"
expect net /NetworkDriver.NoSuchMethod '{}' 404 '"Err":"unknown method' "unknown method: 404 + Err"

# ---------------------------------------------------------------- teardown

lab_log "--- $N endpoints: Leave, DeleteEndpoint, ReleaseAddress"
T1=$SECONDS
for ((i = 1; i <= N; i++)); do
	req net /NetworkDriver.RevokeExternalConnectivity "$(IDS "$(eid "$i")")"
	[ "$CODE" = 200 ] || bad "RevokeExternalConnectivity #$i"
	req net /NetworkDriver.Leave "$(IDS "$(eid "$i")")"
	[ "$CODE" = 200 ] && [ "$REPLY" = '{}' ] || bad "Leave #$i"
done
phase_end "$N Leave: 200 {}"
assert_eq "$(routes46)" 0 "after Leave: no host route into 10.46.0.0/16"
for ((i = 1; i <= N; i++)); do
	req net /NetworkDriver.DeleteEndpoint "$(IDS "$(eid "$i")")"
	[ "$CODE" = 200 ] && [ "$REPLY" = '{}' ] || bad "DeleteEndpoint #$i"
done
phase_end "$N DeleteEndpoint: 200 {}"
for ((i = 1; i <= N; i++)); do
	req ipam /IpamDriver.ReleaseAddress "{\"PoolID\":\"$POOL\",\"Address\":\"${ADDR[i]}\"}"
	[ "$CODE" = 200 ] && [ "$REPLY" = '{}' ] || bad "ReleaseAddress #$i"
done
phase_end "$N ReleaseAddress: 200 {}"
lab_log "$((3 * N)) requests in $((SECONDS - T1)) s"

# network rm: gateway, aux, pool, then the network (Docker's measured order)
expect ipam /IpamDriver.ReleaseAddress "{\"PoolID\":\"$POOL\",\"Address\":\"$GW\"}" 200 '^\{\}$' "ReleaseAddress of the gateway"
expect ipam /IpamDriver.ReleaseAddress "{\"PoolID\":\"$POOL\",\"Address\":\"10.46.0.2\"}" 200 '^\{\}$' "ReleaseAddress of the aux address"
expect ipam /IpamDriver.ReleasePool "{\"PoolID\":\"$POOL\"}" 200 '^\{\}$' "ReleasePool"
expect net /NetworkDriver.DeleteNetwork "{\"NetworkID\":\"$NID\"}" 200 '^\{\}$' "DeleteNetwork"
expect ipam /IpamDriver.RequestPool "{\"Pool\":\"$POOL\",\"V6\":false}" 200 '"PoolID"' "the pool can be requested again"
expect ipam /IpamDriver.ReleasePool "{\"PoolID\":\"$POOL\"}" 200 '^\{\}$' "and released again"

assert_eq "$(links rt)" 0 "no rt* veth left"
assert_eq "$(links rc)" 0 "no rc* veth left"

# ---------------------------------------------------------------- SIGTERM

lab_log "--- SIGTERM, valgrind's verdict"
kill -TERM "$VG_PID" 2>/dev/null
if _lab_wait_gone "$VG_PID" 120; then
	wait "$VG_PID" 2>/dev/null
	rc=$?
	assert_eq "$rc" 0 "valgrind exits 0 (no memory error, no definite or indirect leak; 99 otherwise)"
else
	fail "routed-plugin under valgrind exits within 120 s of SIGTERM"
	kill -KILL "$VG_PID" 2>/dev/null
	wait "$VG_PID" 2>/dev/null
fi
LAB_PLUGIN_PID[$H]=
summary=$(grep -E 'ERROR SUMMARY:' "$VGLOG" | tail -n 1)
assert_contains "$summary" 'ERROR SUMMARY: 0 errors' "valgrind log: ${summary#==*== }"
leaks=$(grep -E '(definitely|indirectly) lost:' "$VGLOG" | sed 's/^==[0-9]*== *//' | tr '\n' ';')
assert_not_contains "${leaks:-none}" 'lost: [1-9]' "valgrind log: nothing definitely or indirectly lost (${leaks:-no leak lines: all freed})"
if [ ! -e "$SOCKD/net-routed.sock" ] && [ ! -e "$SOCKD/ipam-routed.sock" ]; then
	ok "the daemon removed its sockets on exit"
else
	fail "the daemon removed its sockets on exit"
fi
assert_eq "$(links 'r[tc]')" 0 "no rt*/rc* veth left after exit"
out=$(grep -rhoE '10\.46\.[0-9.]+' "$STATE" 2>/dev/null | sort -u | head -n 3)
assert_eq "$out" "" "the final state mentions no 10.46.x address"

if [ "$LAB_FAIL" -gt 0 ]; then
	lab_log "valgrind log (errors and leaks), $VGLOG:"
	grep -E 'Invalid|uninitialised|lost in loss record|ERROR SUMMARY|^==[0-9]+==    (at|by) ' "$VGLOG" |
		head -n 60 | sed 's/^/#   | /'
	lab_log "plugin log (last 30 lines):"
	lab_plugin_log $H 30
fi
lab_log "wall time $((SECONDS - T0)) s"
lab_done
