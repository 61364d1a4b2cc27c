#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/docker_run.sh: "docker run --rm" of a trivial container on a routed
# network, against --net=none and a bridge network, same engine, same run.
# Root only; uses the acceptance lab (tests/acceptance/lab.sh): a private
# dockerd and routed-plugin (--announce none) in a network namespace of
# their own, removed at the end.  See bench/README.md.
#
#   sudo bench/docker_run.sh [ROUNDS]        (default 20)
#
# The lab's dockerd runs with --bridge=none (no docker0), so "bridge" is a
# user-defined network of the bridge driver.  The kinds take turns in each
# round, so that a slow moment of the machine is shared out evenly.

. "$(cd "$(dirname "$0")" && pwd)/../tests/acceptance/lab.sh"

ROUNDS=${1:-20}
H=bench

lab_init
lab_host $H 192.0.2.10/32
lab_dockerd $H
lab_image $H
lab_plugin $H --announce none

dk() { lab_docker_t $H 60 "$@"; }
dk network create --driver=net-routed --ipam-driver=ipam-routed \
	--subnet 10.47.0.0/16 routed >/dev/null || lab_bail "network create routed"
dk network create --driver=bridge --subnet 10.48.0.0/16 bridged >/dev/null ||
	lab_bail "network create bridged"
# one run each first: image and driver warm
for net in routed none bridged; do
	dk run --rm --net=$net "$LAB_IMAGE_TAG" true || lab_bail "docker run --net=$net"
done

declare -A T
for i in $(seq 1 "$ROUNDS"); do
	for net in routed none bridged; do
		t0=$(date +%s%N)
		dk run --rm --net=$net "$LAB_IMAGE_TAG" true || lab_bail "docker run --net=$net"
		T[$net]+="$(( ($(date +%s%N) - t0) / 1000 )) "
	done
done
median() { printf '%s\n' $1 | sort -n | awk '{v[NR] = $1} END {printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000}'; }
printf '\ndocker run --rm %s true, median of %d (ms):\n' "$LAB_IMAGE_TAG" "$ROUNDS"
for net in routed none bridged; do
	printf '  --net=%-8s %8s ms\n' "$net" "$(median "${T[$net]}")"
done
ok "docker_run: $ROUNDS rounds of each"
lab_done
