#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/ep_run.sh: run bench/ep_bench against a routed-plugin of its own (a
# private network namespace, socket and state directories in a temporary
# directory, --announce none --extra-addresses), print the figures, and
# remove everything it made.  Root only.  See bench/README.md.
#
#   sudo bench/ep_run.sh [ROUNDS]          (default 200)
#
# Environment: BENCH (default bench/ep_bench), PLUGIN (default
# src/routed-plugin), KEEP=1 keeps the temporary directory (the log).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BENCH=${BENCH:-$here/ep_bench}
PLUGIN=${PLUGIN:-$here/../src/routed-plugin}

if [ "$(id -u)" != 0 ]; then
	echo "ep_run.sh: needs root (network namespace, veths)" >&2
	exit 1
fi
for f in "$BENCH" "$PLUGIN"; do
	[ -x "$f" ] || { echo "ep_run.sh: $f not found; run 'make && make bench'" >&2; exit 1; }
done

T=$(mktemp -d /tmp/ep-bench.XXXXXX)
NS=epbench$$
PID=

cleanup() {
	set +e
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID"
		wait "$PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "ep_run.sh: log kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p "$T/plugins" "$T/state" "$T/run"
# ip netns exec execs the plugin: $! is its pid
ip netns exec "$NS" "$PLUGIN" --socket-dir "$T/plugins" --state-dir "$T/state" \
    --run-dir "$T/run" --announce none --extra-addresses >"$T/plugin.log" 2>&1 &
PID=$!
i=0
while [ ! -S "$T/plugins/net-routed.sock" ] || [ ! -S "$T/plugins/ipam-routed.sock" ]; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$PID" 2>/dev/null; then
		echo "ep_run.sh: the plugin did not start:" >&2
		cat "$T/plugin.log" >&2
		exit 1
	fi
	sleep 0.1
done
"$BENCH" "$T/plugins" "${1:-200}"
