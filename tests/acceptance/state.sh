#!/bin/bash
# SPDX-License-Identifier: MIT
# state.sh - never lose acknowledged state (issue 18), on the real daemon
# and the real kernel, driven with Docker's request bodies over its sockets
# (no engine needed): the state directory is a small tmpfs of our own, so
# the disk can really be filled.
#
#   1. A damaged record in an otherwise good snapshot: the daemon refuses to
#      start, names the record, and deletes no veth (b7c11e2 loaded the
#      records before it, silently, and deleted the veths of the rest).
#   4. RequestPool answered, then the daemon killed (-9) before Docker got
#      the reply: Docker's retry gets the same PoolID (b7c11e2: "overlaps
#      pool ... of another network", the subnet blocked for good).
#   5. Full disk: DeleteNetwork with a live endpoint, and DeleteEndpoint,
#      fail and change nothing (the veth stays, the endpoint answers); with
#      room again they succeed; after kill -9 the daemon starts (b7c11e2 had
#      deleted the veth before failing, and refused to start afterwards).
#   6. Journal edges: a cut header, an empty or missing journal while a
#      snapshot is there, NUL bytes or a flipped bit in a line that is not
#      the last: refused, the files and the veths left as they are.
#   7. NUL in an ID: refused, nothing created.
#   8. CreateEndpoint and Join answered (their commits are lazy: written,
#      not fdatasynced), then the daemon killed (-9) at once: after the
#      restart the endpoint answers, is joined (Leave finds it), its veth is
#      there, and a clean stop writes it in the snapshot.
#
# Run: sudo tests/acceptance/state.sh   (root: namespaces, mount)
# Exits 0 all passed, 1 something failed, 77 skipped.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

H=h
[ "$(id -u)" -eq 0 ] || lab_skip "must run as root (try: sudo $0)"
for c in ip nsenter curl python3 mount umount sha256sum; do
	command -v "$c" >/dev/null 2>&1 || lab_skip "missing command: $c"
done
[ -x "$LAB_PLUGIN_BIN" ] || lab_bail "plugin binary $LAB_PLUGIN_BIN not found (run make first)"
lab_init_dir
HD=$(lab_hdir $H)
ST=$HD/state
SOCK=$(lab_ddir $H)/plugins
mkdir -p "$ST"
# A tmpfs of our own for the state, unmounted before the lab goes.
mount -t tmpfs -o size=512k,mode=0700 rp-state-test "$ST" ||
	lab_skip "cannot mount a tmpfs (no privilege to mount here)"
state_cleanup() { umount "$ST" 2>/dev/null; lab_cleanup; }
trap state_cleanup EXIT
lab_host $H 10.250.0.1/32

NA=aa00000000000000000000000000000000000000000000000000000000000001
NB=bb00000000000000000000000000000000000000000000000000000000000002
E1=e100000000000000000000000000000000000000000000000000000000000001
E2=e200000000000000000000000000000000000000000000000000000000000002

# call SOCKET PATH BODY: prints "STATUS BODY"
call() {
	curl -s -m 10 --unix-socket "$SOCK/$1-routed.sock" -H 'Content-Type: application/json' \
		-w ' %{http_code}' -d "$3" "http://plugin.moby.localhost/$2" 2>/dev/null |
		awk '{ s = $NF; $NF = ""; print s " " $0 }'
}
net()  { call net "NetworkDriver.$1" "$2"; }
ipam() { call ipam "IpamDriver.$1" "$2"; }
status() { printf '%s\n' "$1" | cut -d' ' -f1; }

start() { lab_plugin $H "$@"; }
kill9() {
	kill -KILL "${LAB_PLUGIN_PID[$H]}" 2>/dev/null
	wait "${LAB_PLUGIN_PID[$H]}" 2>/dev/null
	LAB_PLUGIN_PID[$H]=
}
# refused_start TEXT NEEDLE: the daemon exits 1 at start, its log has NEEDLE
refused_start() {
	local before after rc
	before=$(cd "$ST" && sha256sum state.json journal 2>/dev/null)
	echo "=== refused start expected" >> "$HD/plugin.log"
	ip netns exec "${LAB_NS[$H]}" "$LAB_PLUGIN_BIN" --socket-dir "$SOCK" \
		--state-dir "$ST" --run-dir "$HD/run" --announce none \
		>> "$HD/plugin.log" 2>&1 </dev/null
	rc=$?
	assert_eq "$rc" 1 "$1: the daemon refuses to start"
	assert_contains "$(tail -n 3 "$HD/plugin.log")" "$2" "$1: the message says '$2'"
	after=$(cd "$ST" && sha256sum state.json journal 2>/dev/null)
	assert_eq "$after" "$before" "$1: the files are left as they were"
	check "$1: the veth of the running endpoint is still there" \
		lab_ip $H link show dev rt"${E2:0:12}"
}
veth() { lab_ip $H link show dev "rt${1:0:12}" >/dev/null 2>&1; }
noveth() { ! veth "$1"; }

POOLA='{"AddressSpace":"RoutedLocal","Pool":"10.46.0.0/16","SubPool":"","Options":{},"V6":false}'
POOLB='{"AddressSpace":"RoutedLocal","Pool":"10.47.0.0/16","SubPool":"","Options":{},"V6":false}'
mknet() {
	printf '{"NetworkID":"%s","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{}},"IPv4Data":[{"AddressSpace":"RoutedLocal","Gateway":"169.254.1.1/32","Pool":"%s"}],"IPv6Data":[]}' "$1" "$2"
}
mkep() {
	printf '{"NetworkID":"%s","EndpointID":"%s","Interface":{"Address":"%s","AddressIPv6":"","MacAddress":""},"Options":{}}' "$1" "$2" "$3"
}
ids() { printf '{"NetworkID":"%s","EndpointID":"%s"}' "$1" "$2"; }

# ------------------------------------------------------------ 4: RequestPool retried
lab_log "--- RequestPool retried after kill -9 (part 4)"
start
out=$(ipam RequestPool "$POOLA"); assert_eq "$(status "$out")" 200 "RequestPool 10.46.0.0/16 ($out)"
kill9
start
out=$(ipam RequestPool "$POOLA")
assert_eq "$(status "$out")" 200 "the retry after kill -9 is answered ($out)"
assert_contains "$out" '"PoolID":"10.46.0.0/16"' "with the same PoolID"

# ------------------------------------------------------------ 5: full disk
lab_log "--- a full disk (part 5)"
out=$(net CreateNetwork "$(mknet $NA 10.46.0.0/16)"); assert_eq "$(status "$out")" 200 "CreateNetwork A ($out)"
out=$(ipam RequestAddress '{"PoolID":"10.46.0.0/16","Address":"10.46.0.5","Options":{}}')
assert_eq "$(status "$out")" 200 "RequestAddress 10.46.0.5 ($out)"
out=$(net CreateEndpoint "$(mkep $NA $E1 10.46.0.5/32)"); assert_eq "$(status "$out")" 200 "CreateEndpoint E1 ($out)"
check "E1's veth exists" veth $E1
dd if=/dev/zero of="$ST/fill" bs=4k 2>/dev/null	# until ENOSPC
# tmpfs allocates pages: appends go on until the journal's last page is
# full; acknowledged ones are fine, the first refused one tells it is.
for a in $(seq 10 250); do
	out=$(ipam RequestAddress "{\"PoolID\":\"10.46.0.0/16\",\"Address\":\"10.46.1.$a\",\"Options\":{}}")
	[ "$(status "$out")" = 200 ] || break
done
assert_contains "$out" "No space left" "the disk is full: a RequestAddress is refused ($out)"
out=$(net DeleteNetwork "{\"NetworkID\":\"$NA\"}")
assert_eq "$(status "$out")" 500 "DeleteNetwork with an endpoint left, disk full: refused"
assert_contains "$out" "No space left" "the error says why ($out)"
check "the veth of its endpoint is still there" veth $E1
out=$(net DeleteEndpoint "$(ids $NA $E1)")
assert_eq "$(status "$out")" 500 "DeleteEndpoint, disk full: refused ($out)"
check "E1's veth is still there" veth $E1
out=$(net EndpointOperInfo "$(ids $NA $E1)")
assert_eq "$(status "$out")" 200 "E1 still answers EndpointOperInfo ($out)"
rm -f "$ST/fill"
out=$(net DeleteNetwork "{\"NetworkID\":\"$NA\"}")
assert_eq "$(status "$out")" 200 "DeleteNetwork with room again ($out)"
# (the veth goes in a batch after the reply: --teardown-delay)
check "E1's veth is gone" retry 5 noveth $E1
kill9
start
ok "the daemon starts after kill -9"
out=$(net EndpointOperInfo "$(ids $NA $E1)")
assert_eq "$(status "$out")" 500 "E1 is gone for good ($out)"

# ------------------------------------------------------------ 7: NUL in an ID
lab_log "--- NUL in an ID (part 7)"
out=$(ipam RequestPool "$POOLB"); assert_eq "$(status "$out")" 200 "RequestPool 10.47.0.0/16"
out=$(net CreateNetwork "$(mknet $NB 10.47.0.0/16)"); assert_eq "$(status "$out")" 200 "CreateNetwork B"
out=$(net CreateEndpoint "$(mkep $NB "${E2}\\u0000/../../etc" 10.47.0.5/32)")
assert_eq "$(status "$out")" 500 "an EndpointID with \\u0000 is refused ($out)"
check "and nothing was created" noveth $E2

# ------------------------------------------------------------ 8: lazy commits, kill -9
lab_log "--- CreateEndpoint and Join acknowledged, then kill -9 (part 8)"
E3=e300000000000000000000000000000000000000000000000000000000000003
out=$(net CreateEndpoint "$(mkep $NB $E3 10.47.0.30/32)"); assert_eq "$(status "$out")" 200 "CreateEndpoint E3 ($out)"
kill9
start
out=$(net EndpointOperInfo "$(ids $NB $E3)")
assert_eq "$(status "$out")" 200 "E3, acknowledged just before the kill, is known after it ($out)"
check "E3's veth is kept" veth $E3
out=$(net Join "{\"NetworkID\":\"$NB\",\"EndpointID\":\"$E3\",\"SandboxKey\":\"/var/run/docker/netns/y\",\"Options\":{}}")
assert_eq "$(status "$out")" 200 "Join E3 ($out)"
kill9
start
lab_plugin_stop $H		# one snapshot
joined=$(python3 - "$ST/state.json" "$E3" <<'EOF'
import sys, json
snap = json.loads(open(sys.argv[1]).read().split('\n')[0])
print([r['value'].get('joined') for r in snap['records']
       if r['kind'] == 'ep' and r['key'] == sys.argv[2]])
EOF
)
assert_eq "$joined" "[True]" "the snapshot holds E3, joined"
start
out=$(net Leave "$(ids $NB $E3)"); assert_eq "$(status "$out")" 200 "Leave E3 ($out)"
out=$(net DeleteEndpoint "$(ids $NB $E3)"); assert_eq "$(status "$out")" 200 "DeleteEndpoint E3 ($out)"
check "E3's veth goes" retry 5 noveth $E3

# ------------------------------------------------------------ 1: a damaged record
lab_log "--- a damaged record in a good snapshot (part 1)"
out=$(net CreateEndpoint "$(mkep $NB $E2 10.47.0.5/32)"); assert_eq "$(status "$out")" 200 "CreateEndpoint E2"
out=$(net Join "{\"NetworkID\":\"$NB\",\"EndpointID\":\"$E2\",\"SandboxKey\":\"/var/run/docker/netns/x\",\"Options\":{}}")
assert_eq "$(status "$out")" 200 "Join E2"
for a in 6 7 8; do ipam RequestAddress "{\"PoolID\":\"10.47.0.0/16\",\"Address\":\"10.47.0.$a\",\"Options\":{}}" >/dev/null; done
lab_plugin_stop $H		# a clean stop writes one snapshot
cp "$ST/state.json" "$HD/good.json"; cp "$ST/journal" "$HD/good.journal"
# The second record's "value" renamed, the checksum made right again: a
# record damaged before it was written, not bit rot.
python3 - "$ST/state.json" <<'EOF'
import sys, zlib, json
p = sys.argv[1]
text = open(p).read().split('\n')[0]
snap = json.loads(text)
snap['records'][1]['velue'] = snap['records'][1].pop('value')
text = json.dumps(snap, separators=(',', ':'))
open(p, 'w').write('%s\ncrc32 %08x\n' % (text, zlib.crc32(text.encode())))
EOF
refused_start "a record without a value" "record 2 is not {kind, key, value}"
# One flipped bit, checksum as it was: bit rot.
cp "$HD/good.json" "$ST/state.json"
python3 - "$ST/state.json" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.index(b'10.47.0.7')
b[i + 8] ^= 0x02
open(p, 'wb').write(b)
EOF
refused_start "a flipped bit in the snapshot" "checksum does not match"
cp "$HD/good.json" "$ST/state.json"

# ------------------------------------------------------------ 6: journal edges
lab_log "--- journal edges (part 6)"
head -c 17 "$HD/good.journal" > "$ST/journal"
refused_start "a journal whose header was cut" "header is cut short"
: > "$ST/journal"
refused_start "an empty journal beside a snapshot" "is empty while"
rm -f "$ST/journal"
refused_start "a missing journal beside a snapshot" "is missing while"
cp "$HD/good.journal" "$ST/journal"
start
for a in 9 10 11; do
	out=$(ipam RequestAddress "{\"PoolID\":\"10.47.0.0/16\",\"Address\":\"10.47.0.$a\",\"Options\":{}}")
	assert_eq "$(status "$out")" 200 "RequestAddress 10.47.0.$a acknowledged"
done
kill9
cp "$ST/journal" "$HD/acked.journal"
python3 - "$ST/journal" <<'EOF'
import sys
p = sys.argv[1]
lines = open(p, 'rb').read().split(b'\n')
lines[1] = b'\0' * len(lines[1])		# the first commit, not the last
open(p, 'wb').write(b'\n'.join(lines))
EOF
refused_start "NUL bytes in a line that is not the last" "damaged at line 2"
cp "$HD/acked.journal" "$ST/journal"
python3 - "$ST/journal" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.index(b'10.47.0.9')
b[i + 8] ^= 0x01
open(p, 'wb').write(b)
EOF
refused_start "a flipped bit in an acknowledged line" "checksum mismatch"
cp "$HD/acked.journal" "$ST/journal"
# A torn last line (a crash before the reply) is dropped, with a warning.
printf '[{"op":"put","kind":"addr","key":"10.47.0.0/16 10.47.0.12","val' >> "$ST/journal"
start
assert_contains "$(grep -c 'dropping an unfinished last commit' "$HD/plugin.log")" '^[1-9]' \
	"a torn last line is dropped with a warning"
out=$(net EndpointOperInfo "$(ids $NB $E2)")
assert_eq "$(status "$out")" 200 "E2 is known after all of it ($out)"
check "E2's veth was never touched" veth $E2
lab_plugin_stop $H
for a in 9 10 11; do
	assert_contains "$(head -n 1 "$ST/state.json")" "\"10.47.0.0/16 10.47.0.$a\"" \
		"10.47.0.$a, acknowledged before the kill, is still allocated"
done
assert_not_contains "$(head -n 1 "$ST/state.json")" "10\\.47\\.0\\.12" \
	"10.47.0.12, torn before its reply, is not"
lab_done
