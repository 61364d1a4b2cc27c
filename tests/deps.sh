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
