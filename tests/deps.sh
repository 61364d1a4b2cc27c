#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what routed-plugin needs to build, test and run its demo on
# Debian 12, from Debian's own packages.  Run as root.
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config clang \
	libnl-3-dev libnl-route-3-dev libevent-dev libcjson-dev \
	libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libcmocka-dev libcap-ng-dev \
	docker.io containerd runc busybox-static iproute2 procps util-linux \
	curl frr valgrind python3-prometheus-client >/dev/null
# ipvlan_datapath.sh: a kernel without ipvlan (CONFIG_IPVLAN) runs it in a
# qemu guest on Debian's kernel, which has it as a module; iperf3 for
# bench/ipvlan_veth.sh
apt-get install -y -qq --no-install-recommends \
	qemu-system-x86 linux-image-amd64 cpio kmod iperf3 >/dev/null
