#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh: run bench/zapi_bench against a private zebra (FRR 8.4) in a
# network namespace of its own, print the figures, and remove everything it
# made.  Root only.  See bench/README.md.
#
#   sudo bench/run.sh [zapi_bench options]     e.g. --lone 20 --batch 200
#
# Environment: BENCH (the binary, default bench/zapi_bench), ZEBRA (default
# /usr/lib/frr/zebra), KEEP=1 keeps the temporary directory (logs).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
BENCH=${BENCH:-$here/zapi_bench}
ZEBRA=${ZEBRA:-/usr/lib/frr/zebra}

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: needs root (network namespace, veths, zebra)" >&2
	exit 1
fi
if [ ! -x "$BENCH" ]; then
	echo "run.sh: $BENCH not found; build it with 'make bench'" >&2
	exit 1
fi
if [ ! -x "$ZEBRA" ]; then
	echo "run.sh: $ZEBRA not found (Debian: apt-get install frr)" >&2
	exit 1
fi
id frr >/dev/null 2>&1 || { echo "run.sh: no user frr" >&2; exit 1; }

T=$(mktemp -d /tmp/zapi-bench.XXXXXX)
chmod 755 "$T"	# zebra runs as frr and must reach $D
NS=zapibench$$
D=$T/frr
SOCK=$D/zserv.api
PIDF=$D/zebra.pid
CTL=$T/zebra-ctl

cleanup() {
	set +e
	"$CTL" stop >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "run.sh: logs kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
# IPv4 only: no link-local addresses and DAD on the thousands of veths,
# whose late ADDRESS_ADDs would keep zebra busy during the measurements.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv6.conf.all.disable_ipv6=1

mkdir -p "$D"
chown frr:frr "$D"
chmod 755 "$D"
printf 'hostname zapi-bench\nlog file %s/zebra.log informational\n' "$D" \
    > "$D/zebra.conf"
chown frr:frr "$D/zebra.conf"
chmod 640 "$D/zebra.conf"
# vtysh (for a look while it runs) must never read /etc/frr.
: > "$D/vtysh.conf"

# zebra-ctl start|stop|restart: the only way anything here touches zebra.
# It kills only the pid in our pid file, and only if that process is a
# zebra started with our socket.
cat > "$CTL" <<EOF
#!/bin/sh
ours() {
	[ -f "$PIDF" ] || return 1
	pid=\$(cat "$PIDF" 2>/dev/null) || return 1
	[ -n "\$pid" ] && [ -r /proc/\$pid/cmdline ] &&
	    tr '\\0' ' ' < /proc/\$pid/cmdline | grep -q -- "-z $SOCK"
}
stop() {
	if ours; then
		kill -TERM "\$pid"
		i=0
		while kill -0 "\$pid" 2>/dev/null; do
			i=\$((i + 1))
			if [ \$i -ge 3000 ]; then kill -KILL "\$pid"; fi
			sleep 0.05
		done
	fi
	rm -f "$PIDF" "$SOCK"
}
start() {
	rm -f "$SOCK"
	ip netns exec "$NS" "$ZEBRA" -d -f "$D/zebra.conf" -i "$PIDF" \\
	    -z "$SOCK" --vty_socket "$D" -P 0 -u frr -g frr \\
	    2>>"$D/zebra.stderr" || exit 1
	i=0
	until [ -S "$SOCK" ]; do
		i=\$((i + 1))
		if [ \$i -ge 1000 ]; then echo "zebra did not start" >&2; exit 1; fi
		sleep 0.01
	done
}
case "\$1" in
start) start ;;
stop) stop ;;
restart) stop; start ;;
*) echo "usage: \$0 start|stop|restart" >&2; exit 2 ;;
esac
EOF
chmod 755 "$CTL"

"$CTL" start
echo "zapi_bench: zebra $("$ZEBRA" --version 2>/dev/null | head -1 | \
    sed 's/.*version //') in netns $NS, socket $SOCK"

status=0
# (no pipe into tee: sh has no pipefail, and a failure must show)
ip netns exec "$NS" "$BENCH" --zebra-socket "$SOCK" --zebra-ctl "$CTL" \
    --state-dir "$T" "$@" 2> "$T/bench.log" > "$T/out" || status=$?
cat "$T/out"
if [ "$status" != 0 ]; then
	echo "--- zapi_bench failed ($status); its stderr, last 20 lines ---"
	tail -20 "$T/bench.log"
else
	# The plugin's warnings, but for the expected ones of zebra's restarts.
	grep -E '\[(warning|error)\]|^\[' "$T/bench.log" |
	    grep -v 'connection closed; reconnecting' || true
fi

# The summary table, from the labelled lines.
awk '
/^lone route:/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "alone") za = $(i + 2)
		if ($i == "plugin" && $(i + 1) == "median") pl = $(i + 2)
		if ($i == "adds") ad = $(i + 1)
	}
	row[++n] = sprintf("%-22s %12s %12s %16s %10s", "lone route (median)",
	    za " ms", pl " ms", ad " ms", "< 1 ms")
}
/^[0-9]+ endpoints:/ || /^resync [0-9]+ routes:/ {
	what = ($1 == "resync") ? "resync " $2 " routes" : $1 " endpoints"
	for (i = 1; i <= NF; i++) {
		if ($i == "alone") za = $(i + 1)
		if ($i == "plugin" && $(i + 1) ~ /^[0-9.]+$/) pl = $(i + 1)
		if ($i == "ratio") r = $(i + 1)
	}
	row[++n] = sprintf("%-22s %12s %12s %16s %10s", what, za " ms",
	    pl " ms", "ratio " r, "<= 1.2")
}
END {
	if (n == 0) exit
	printf "\n%-22s %12s %12s %16s %10s\n", "", "zebra alone", "plugin",
	    "measured", "target"
	for (i = 1; i <= n; i++) print row[i]
}' "$T/out"
exit "$status"
