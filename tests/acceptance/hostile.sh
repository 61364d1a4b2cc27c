#!/bin/bash
# SPDX-License-Identifier: MIT
# hostile.sh - hostile clients cannot exhaust the daemon or lock Docker out.
#
# One lab namespace, no Docker engine: routed-plugin runs with --announce
# none, and tests/acceptance/hostile_clients.py attacks its net socket with
# four clients that pipeline requests as fast as the daemon takes them and
# never read a reply, for HOSTILE_SECONDS (default 60).  Meanwhile, every
# second, a fresh connection makes a call shaped like Docker's
# (/Plugin.Activate on the net socket, /IpamDriver.GetCapabilities on the
# ipam socket).  Passes when every such call is answered 200, the daemon's
# peak RSS (VmHWM) stays under 64 MB, and it stops cleanly on SIGTERM
# afterwards.  First, 2,000 connects are made at once while the daemon is
# stopped (SIGSTOP): none may be refused (listen backlog 4096), and once it
# runs again every one is answered (past the 512-connection cap they wait
# in the backlog until earlier ones are served and idle, then those go).  Latencies and RSS are printed, not asserted (the issue's
# target is each call under 100 ms; machines are noisy).  Before issue 18
# the daemon grew by gigabytes in a minute.
#
# Run: sudo tests/acceptance/hostile.sh   (root: namespaces)
# Exits 0 all passed, 1 something failed, 77 skipped (not root, no python3,
# no namespaces).  HOSTILE_CLIENTS=N changes the number of attackers.

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

H=h
SECS=${HOSTILE_SECONDS:-60}
CLIENTS=${HOSTILE_CLIENTS:-4}
RSS_MAX_KB=$((64 * 1024))

[ "$(id -u)" -eq 0 ] || lab_skip "must run as root (try: sudo $0)"
for c in ip nsenter python3; do
	command -v "$c" >/dev/null 2>&1 || lab_skip "missing command: $c"
done
[ -x "$LAB_PLUGIN_BIN" ] || lab_bail "plugin binary $LAB_PLUGIN_BIN not found (run make first)"
lab_init_dir
lab_host $H 10.250.0.1/32

HD=$(lab_hdir $H)
SOCKD=$(lab_ddir $H)/plugins
mkdir -p "$SOCKD" "$HD/state"
# Started here rather than by lab_plugin: that one adds --debug, and a log
# line per pipelined request would measure the disk, not the daemon.
echo "=== $(date '+%F %T') start: $LAB_PLUGIN_BIN (hostile.sh)" >> "$HD/plugin.log"
ip netns exec "${LAB_NS[$H]}" "$LAB_PLUGIN_BIN" --socket-dir "$SOCKD" \
	--state-dir "$HD/state" --run-dir "$HD/run" --announce none \
	>> "$HD/plugin.log" 2>&1 </dev/null &
LAB_PLUGIN_PID[$H]=$!
LAB_PLUGIN_STARTED[$H]=1
PID=${LAB_PLUGIN_PID[$H]}
retry 10 _lab_plugin_up $H || { lab_plugin_log $H; lab_bail "routed-plugin did not start"; }
ok "routed-plugin up (pid $PID)"

# A burst of connects while the daemon is stopped: all wait in the listen
# backlog (128 before issue 18: the 129th connect failed with EAGAIN).
BURST=2000
SOMAX=$(lab_exec $H cat /proc/sys/net/core/somaxconn)
[ "$SOMAX" -ge $BURST ] || { lab_warn "net.core.somaxconn is $SOMAX"; BURST=$SOMAX; }
B=$(python3 "$_lab_here/hostile_clients.py" --pid "$PID" --net "$SOCKD/net-routed.sock" \
	--ipam "$SOCKD/ipam-routed.sock" --burst $BURST | grep '^# BURST ')
printf '%s\n' "$B"
bval() { printf '%s\n' "$B" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
assert_eq "$(bval refused)" 0 "a burst of $BURST connects: none refused (listen backlog)"
assert_eq "$(bval answered)" $BURST \
	"every connection of the burst was answered (past the 512 cap they wait, none is closed unread)"
assert_eq "$(bval call)" 200 "a Docker-shaped call after the burst is answered"

lab_log "$CLIENTS non-reading pipelining clients for $SECS s, a Docker call every second:"
OUT=$HD/hostile.out
python3 "$_lab_here/hostile_clients.py" --pid "$PID" --net "$SOCKD/net-routed.sock" \
	--ipam "$SOCKD/ipam-routed.sock" --seconds "$SECS" --clients "$CLIENTS" \
	--rss-abort-mb 512 > "$OUT" 2>&1
cat "$OUT"
S=$(grep '^# SUMMARY ' "$OUT")
[ -n "$S" ] || lab_bail "hostile_clients.py printed no summary"
val() { printf '%s\n' "$S" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
CALLS=$(val calls) ANSWERED=$(val answered) PEAK=$(val peak_rss_kb)
lab_log "figures: $CALLS calls, $ANSWERED answered, latency max $(val max_ms) ms" \
	"median $(val median_ms) ms (target < 100 ms), peak RSS $((PEAK / 1024)) MB," \
	"$(( $(val hostile_bytes) >> 10 )) kB pipelined by the attackers," \
	"$(val reconnects) of their connections closed by the daemon"
assert_eq "$(val aborted)" 0 "the attack ran its course (RSS never passed 512 MB)"
check "at least $((SECS - 2)) Docker-shaped calls were made" [ "$CALLS" -ge $((SECS - 2)) ]
assert_eq "$ANSWERED" "$CALLS" "every Docker-shaped call was answered 200"
check "peak RSS ${PEAK} kB < ${RSS_MAX_KB} kB" [ "$PEAK" -lt "$RSS_MAX_KB" ]
check "the daemon is still alive" kill -0 "$PID"
lab_plugin_stop $H
lab_done
