#!/bin/sh
# SPDX-License-Identifier: MIT
# Entrypoint of the managed (v2) plugin: /usr/libexec/routed-plugin/plugin-entrypoint
#
# Docker mounts /proc/sys read-only in a plugin (its OCI defaults), and a
# plugin's config.json cannot change that.  routed-plugin writes the
# per-interface switches under /proc/sys/net (proxy_arp, proxy_delay,
# proxy_ndp), so /proc/sys/net alone is made writable again: bind it onto
# itself and remount that bind read-write.  This takes CAP_SYS_ADMIN, which
# the plugin is given for this only: routed-plugin drops every capability
# but CAP_NET_ADMIN (and CAP_DAC_OVERRIDE for zebra) as soon as it runs.
if ! { mount --bind /proc/sys/net /proc/sys/net &&
       mount -o remount,bind,rw /proc/sys/net; } 2>/tmp/mount.err; then
	echo "plugin-entrypoint: cannot make /proc/sys/net writable: $(cat /tmp/mount.err)" >&2
	echo "plugin-entrypoint: routed-plugin will fail to set proxy_arp on its veths" >&2
fi
rm -f /tmp/mount.err
exec /usr/sbin/routed-plugin "$@"
