#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/converge.sh: convergence at scale on the two-host lab (issue 15):
# how long container routes take from host A's routed-plugin to host B's
# kernel, over OSPF with the shipped frr-conf/, coming and going.  Root
# only; uses the acceptance lab (tests/acceptance/lab.sh) as
# two_hosts_ospf.sh does, and removes everything at the end.  See
# bench/README.md.
#
#   sudo bench/converge.sh [N [RUNS]]      (default 1000 and 20)
#
#  1. N containers' calls sent to A's plugin by churn_bench --converge
#     (Docker 20.10's exact requests, one container after another, each
#     container's side of the veth set up after Join as Docker does, but
#     left in A's namespace; starting 1,000 real containers takes too long
#     on a small machine): from the first Join to the last /32 in B's
#     kernel, and back.
#  2. RUNS real "docker run -d" on A's dockerd, one after another: from the
#     command's return to the container's /32 in B's kernel (median); then
#     RUNS "docker rm -f": from the return to the /32 gone.  B's kernel is
#     watched by churn_bench --watch (a netlink socket in B's namespace).

. "$(cd "$(dirname "$0")" && pwd)/../tests/acceptance/lab.sh"

N=${1:-1000}
RUNS=${2:-20}
BENCH=${BENCH:-$(cd "$(dirname "$0")" && pwd)/churn_bench}
A=hostA
B=hostB
GW=169.254.1.1

[ -x "$BENCH" ] || { echo "converge.sh: $BENCH not found; build it with 'make bench'" >&2; exit 1; }
lab_init
lab_frr_need
T0=$SECONDS
lab_pair $A $B ospf
lab_dockerd $A
lab_image $A
lab_plugin $A --gateway $GW --zebra-socket "$(lab_zserv $A)" --zebra-route-type babel
lab_ospf_adjacency $A $B
lab_log "lab set up in $((SECONDS - T0)) s"
NSB=/run/netns/${LAB_NS[$B]}
SOCK=$(lab_ddir $A)/plugins

# ------------------------------------------------------------- 1: N routes
echo "== $N containers' routes, A's plugin driven as Docker drives it"
# in A's namespace: it sets each container side up there after Join
ip netns exec "${LAB_NS[$A]}" "$BENCH" --socket-dir "$SOCK" --converge "$N" \
	--watch-netns "$NSB" --pool 10.48.0.0/16 || lab_bail "churn_bench --converge failed"

# ------------------------------------------------------------- 2: docker run
echo "== $RUNS docker run -d / docker rm -f on A, one after another"
dk() { lab_docker_t $A 60 "$@"; }
dk network create --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.49.0.0/16 conv >/dev/null || lab_bail "network create"
W=$(lab_hdir $A)/watch.log
"$BENCH" --watch --watch-netns "$NSB" --pool 10.49.0.0/16 > "$W" &
WPID=$!
sleep 0.5
R=$(lab_hdir $A)/runs.log
: > "$R"
for i in $(seq 1 "$RUNS"); do
	dk run -d --name "conv$i" --net=conv "$LAB_IMAGE_TAG" sleep 3600 >/dev/null ||
		lab_bail "docker run conv$i"
	echo "$(date +%s.%N) run conv$i" >> "$R"
	# one at a time: this one's route first (at most 30 s)
	ip=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "conv$i")
	echo "ip conv$i $ip" >> "$R"
	for _ in $(seq 300); do grep -q " add $ip\$" "$W" && break; sleep 0.1; done
done
for i in $(seq 1 "$RUNS"); do
	dk rm -f "conv$i" >/dev/null || lab_bail "docker rm conv$i"
	echo "$(date +%s.%N) rm conv$i" >> "$R"
	ip=$(awk -v c="conv$i" '$1 == "ip" && $2 == c {print $3}' "$R")
	for _ in $(seq 300); do grep -q " del $ip\$" "$W" && break; sleep 0.1; done
done
kill -TERM "$WPID"; wait "$WPID" 2>/dev/null
/usr/bin/python3 - "$R" "$W" <<'EOF'
import sys, statistics
runs = [l.split() for l in open(sys.argv[1])]
watch = [l.split() for l in open(sys.argv[2])]
ip = {r[1]: r[2] for r in runs if r[0] == 'ip'}
def first(op, addr, after):
    t = [float(w[0]) for w in watch if w[1] == op and w[2] == addr and float(w[0]) > after - 5]
    return min(t) if t else None
for kind, op, what in (('run', 'add', 'docker run -d returned -> its /32 in B\'s kernel'),
                       ('rm', 'del', 'docker rm -f returned -> its /32 gone from B\'s kernel')):
    d = []
    for r in runs:
        if r[1] != kind:
            continue
        t = first(op, ip[r[2]], float(r[0]))
        if t is None:
            print('  %s %s: never seen in B' % (kind, r[2]))
        else:
            d.append((t - float(r[0])) * 1e3)
    if d:
        d.sort()
        print('  %s: median %.1f ms, min %.1f ms, max %.1f ms (%d runs; negative: before the command returned)'
              % (what, statistics.median(d), d[0], d[-1], len(d)))
EOF
ok "converge: $N routes, $RUNS docker runs"
lab_done
