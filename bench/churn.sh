#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/churn.sh: run bench/churn_bench against a routed-plugin of this
# tree (--announce none) in a network namespace of its own, print the
# figures, and remove everything it made.  Root only.  See bench/README.md.
#
#   sudo bench/churn.sh [churn_bench options]    e.g. --live 10,1000 --rounds 100
#
# Environment: BENCH (default bench/churn_bench), DAEMON (default
# src/routed-plugin), KEEP=1 keeps the temporary directory (the daemon's log).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BENCH=${BENCH:-$here/churn_bench}
DAEMON=${DAEMON:-$here/../src/routed-plugin}

if [ "$(id -u)" != 0 ]; then
	echo "churn.sh: needs root (network namespace, veths)" >&2
	exit 1
fi
for f in "$BENCH" "$DAEMON"; do
	if [ ! -x "$f" ]; then
		echo "churn.sh: $f not found; build it with 'make bench'" >&2
		exit 1
	fi
done

# The state on a real disk, as the daemon keeps it: fsync costs what it costs.
T=$(mktemp -d /var/tmp/churn-bench.XXXXXX)
NS=churnbench$$
PID=

cleanup() {
	set +e
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "churn.sh: logs kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
# IPv4 only, as in bench/run.sh: no link-local addresses and DAD on
# thousands of veths.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv6.conf.all.disable_ipv6=1
# An uplink with an address, as every host has: without one, each route
# added through an address-less veth makes the kernel scan every link for a
# source address (inet_select_addr), and both the plugin and the floor
# slow down with the number of links (seen with perf: 16 % of the daemon's
# time at 5,000 endpoints).
ip -n "$NS" link add uplink type veth peer name uplinkpeer
ip -n "$NS" link set uplinkpeer up
ip -n "$NS" addr add 192.0.2.1/24 dev uplink
ip -n "$NS" link set uplink up
ip -n "$NS" route add default via 192.0.2.254 dev uplink

ip netns exec "$NS" "$DAEMON" --announce none --socket-dir "$T/sock" \
    --state-dir "$T/state" --run-dir "$T/run" 2> "$T/daemon.log" &
PID=$!
i=0
until [ -S "$T/sock/net-routed.sock" ] && [ -S "$T/sock/ipam-routed.sock" ]; do
	i=$((i + 1))
	if [ $i -ge 500 ] || ! kill -0 "$PID" 2>/dev/null; then
		echo "churn.sh: the daemon did not start:" >&2
		cat "$T/daemon.log" >&2
		exit 1
	fi
	sleep 0.01
done
echo "churn_bench: $(uname -r), $(nproc) CPUs, daemon pid $PID in netns $NS, state in $T"
status=0
ip netns exec "$NS" "$BENCH" --socket-dir "$T/sock" --pid "$PID" "$@" ||
    status=$?
if grep -E '\[(warning|error)\]' "$T/daemon.log" | grep -v ip_forward; then
	echo "(the daemon's warnings above)"
fi
exit "$status"
