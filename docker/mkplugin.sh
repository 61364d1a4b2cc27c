#!/bin/sh
# SPDX-License-Identifier: MIT
# mkplugin.sh IMAGE DIR [CONFIG]: turn IMAGE's root filesystem into a managed
# (v2) plugin directory for "docker plugin create":
#   DIR/config.json   CONFIG (default: docker/plugin/config.json next to this script)
#   DIR/rootfs/       the exported file system of a container made from IMAGE
#
#   docker build -f docker/Dockerfile -t routed-plugin .
#   docker/mkplugin.sh routed-plugin /tmp/routed-plugin.plugin
#   docker plugin create routed/net-routed /tmp/routed-plugin.plugin
#
# DOCKER (default "docker") is the client command, e.g.
# DOCKER="docker -H unix:///path/docker.sock".  Run as root (the rootfs keeps
# its owners).  DIR must not exist, or be empty.
set -eu

usage() { echo "usage: $0 IMAGE DIR [CONFIG]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
image=$1 dir=$2
config=${3:-$(cd "$(dirname "$0")" && pwd)/plugin/config.json}
DOCKER=${DOCKER:-docker}

[ -f "$config" ] || { echo "$0: no plugin configuration $config" >&2; exit 1; }
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
	echo "$0: $dir exists and is not empty" >&2
	exit 1
fi
mkdir -p "$dir/rootfs"

id=$($DOCKER create "$image")
trap '$DOCKER rm -f "$id" >/dev/null 2>&1 || true' EXIT
$DOCKER export "$id" | tar -x --numeric-owner -C "$dir/rootfs"
$DOCKER rm "$id" >/dev/null
trap - EXIT

# the engine binds the plugin's socket directory here
mkdir -p "$dir/rootfs/run/docker/plugins"
cp "$config" "$dir/config.json"
echo "$dir: config.json and rootfs/ of $image"
