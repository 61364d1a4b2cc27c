#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/profile_create.sh: where CreateEndpoint's time goes, by wall clock.
# Root only.  Puts uprobes (perf probe) on the entry and return of the
# daemon's functions on CreateEndpoint's path, runs bench/churn.sh with the
# given options (default --live 1000 --rounds 300 --lifecycles 50) while
# perf records them, prints the median time of each step over the last
# ROUNDS CreateEndpoint calls (those at N alive), and removes the probes.
# The probes cost a few microseconds each: small steps read high.
#
#   sudo bench/profile_create.sh [churn_bench options]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
DAEMON=${DAEMON:-$here/../src/routed-plugin}
OUT=$(mktemp -d /tmp/profile-create.XXXXXX)
FUNCS="conn_process api_dispatch nd_create_endpoint teardown_claim host_ep_add
	plumb_veth_add plumb_route_add records_put_ep store_commit_lazy"
ARGS=${*:---live 1000 --rounds 300 --lifecycles 50}
ROUNDS=$(printf '%s\n' "$ARGS" | sed -n 's/.*--rounds \([0-9]*\).*/\1/p')

cleanup() { perf probe -q -d 'probe_routed:*' 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
command -v perf >/dev/null || { echo "profile_create.sh: needs perf" >&2; exit 1; }
for f in $FUNCS; do
	perf probe -q -x "$DAEMON" -a "$f" && perf probe -q -x "$DAEMON" -a "$f%return"
done
# shellcheck disable=SC2086
"$here/churn.sh" $ARGS > "$OUT/churn.log" 2>&1 &
for _ in $(seq 100); do
	pid=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' "$OUT/churn.log")
	[ -n "$pid" ] && break
	sleep 0.1
done
[ -n "$pid" ] || { cat "$OUT/churn.log"; exit 1; }
perf record -q -o "$OUT/perf.data" -e 'probe_routed:*' -p "$pid" 2>/dev/null || true
wait
cat "$OUT/churn.log"
perf script -i "$OUT/perf.data" -F time,event 2>/dev/null |
	/usr/bin/python3 "$here/profile_create.py" "${ROUNDS:-300}"
