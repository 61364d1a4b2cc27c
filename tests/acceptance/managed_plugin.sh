#!/bin/bash
# SPDX-License-Identifier: MIT
# managed_plugin.sh - docker/Dockerfile, the container and the managed (v2)
# plugin, on a lab Docker engine with no registry and no internet.
#
#  1. base images: debootstrap --variant=minbase bookworm from this machine's
#     Debian mirror, with the build dependencies and runtime libraries
#     included, imported into the LAB engine as debian:bookworm and
#     debian:bookworm-slim (never into the machine's own engine);
#  2. docker build -f docker/Dockerfile --build-arg APT=0 (offline: the base
#     images already hold what apt-get would install) on a clean copy of the
#     source tree;
#  3. the image as a container, as docker/Dockerfile documents it (host
#     network, NET_ADMIN, systempaths=unconfined, socket/state volumes):
#     network create, run, ping from the lab host;
#  4. docker/mkplugin.sh, docker plugin create routed/net-routed:test,
#     plugin set (state and frr mounts to lab directories, --announce none),
#     plugin enable, a network with --driver and --ipam-driver
#     routed/net-routed:test, a container on it pinged from the lab host,
#     then rm, network rm, plugin disable, plugin rm.
#
# The managed plugin needs the daemon to serve both drivers on ONE socket
# (a v2 plugin has exactly one, config.json Interface.Socket): the flag
# --single-socket NAME.  Without it the test fails at that step, saying so.
#
# Run: sudo tests/acceptance/managed_plugin.sh
# Needs root and debootstrap (installed with apt-get if missing).  The first
# run downloads ~150 MB from the mirror (about 5 minutes); set
# LAB_ROOTFS_CACHE=DIR to keep the base image tarball between runs.
# LAB_DEBIAN_MIRROR overrides the mirror read from /etc/apt/sources.list*.
# LAB_KEEP=1 keeps the lab directory (build log, plugin directory).

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

H=h
HOSTADDR=10.250.0.1
IMAGE=routed-plugin:test
PLUGIN=routed/net-routed:test
SUITE=bookworm
export DEBIAN_FRONTEND=noninteractive

lab_init
command -v dpkg-query >/dev/null 2>&1 || lab_skip "not a Debian system (no dpkg-query)"
if ! command -v debootstrap >/dev/null 2>&1; then
	lab_log "apt-get install debootstrap"
	{ apt-get install -y -q --no-install-recommends debootstrap ||
	  { apt-get update -q && apt-get install -y -q --no-install-recommends debootstrap; }; } \
		>> "$LAB_DIR/apt.log" 2>&1
	command -v debootstrap >/dev/null 2>&1 || lab_skip "debootstrap not installed and apt-get install failed"
fi

D=$(lab_ddir $H)
dk() { lab_docker $H "$@"; }
dkt() { lab_docker_t $H "$@"; }

# Our plugin and the networks and containers that use it go before the lab
# (lab_cleanup knows plain net-routed networks only).
mp_cleanup() {
	[ -S "$D/docker.sock" ] || return 0
	local ids nets
	ids=$(timeout 20 "$LAB_DOCKER" -H "unix://$D/docker.sock" ps -aq 2>/dev/null)
	[ -n "$ids" ] && timeout 60 "$LAB_DOCKER" -H "unix://$D/docker.sock" rm -f $ids >/dev/null 2>&1
	nets=$(timeout 20 "$LAB_DOCKER" -H "unix://$D/docker.sock" network ls -q --filter driver=$PLUGIN 2>/dev/null)
	[ -n "$nets" ] && timeout 60 "$LAB_DOCKER" -H "unix://$D/docker.sock" network rm $nets >/dev/null 2>&1
	if timeout 20 "$LAB_DOCKER" -H "unix://$D/docker.sock" plugin inspect $PLUGIN >/dev/null 2>&1; then
		timeout 30 "$LAB_DOCKER" -H "unix://$D/docker.sock" plugin disable -f $PLUGIN >/dev/null 2>&1
		timeout 30 "$LAB_DOCKER" -H "unix://$D/docker.sock" plugin rm -f $PLUGIN >/dev/null 2>&1
	fi
	return 0
}
_mp_exit_trap() {
	local rc=$?
	set +eu
	mp_cleanup >&2
	(exit "$rc")
	_lab_exit_trap
}
trap _mp_exit_trap EXIT

# copy_tree DEST: a clean copy of the source tree (no build products)
copy_tree() {
	mkdir -p "$1"
	if git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$top_srcdir" && git ls-files -z -c -o --exclude-standard | xargs -0 cp --parents -t "$1")
	else
		cp -a "$top_srcdir/." "$1"	# the Dockerfile runs make distclean if configured
	fi
}

# debian_mirror: the Debian mirror this machine's apt uses for $SUITE
debian_mirror() {
	local f m
	if [ -n "${LAB_DEBIAN_MIRROR:-}" ]; then printf '%s\n' "$LAB_DEBIAN_MIRROR"; return; fi
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		m=$(awk -v s="$SUITE" '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == s) { print $i; exit }
		}' "$f")
		[ -n "$m" ] && { printf '%s\n' "$m"; return; }
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		m=$(awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" } {
			types = ""; uris = ""; suites = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^Types:/) types = " " substr($i, 7) " "
				if ($i ~ /^URIs:/) uris = substr($i, 6)
				if ($i ~ /^Suites:/) suites = " " substr($i, 8) " "
			}
			if (types ~ / deb / && suites ~ (" " s " ")) { split(uris, u, " "); print u[1]; exit }
		}' "$f")
		[ -n "$m" ] && { printf '%s\n' "$m"; return; }
	done
}

# the packages configure.ac needs (third argument of every RP_NEED)
need_pkgs() {
	sed -n 's/^RP_NEED(\[[A-Z0-9_]*\], *\[[^]]*\], *\[\([^]]*\)\]).*/\1/p' "$top_srcdir/configure.ac"
}

T0=$SECONDS

# -------------------------------------------------------------- base images

lab_log "--- base images"
NEED=$(need_pkgs | tr '\n' ' ')
[ -n "$NEED" ] || lab_bail "no RP_NEED(...) package list found in configure.ac"
words=$(tr -s ' \t\\' '\n\n\n' < "$top_srcdir/docker/Dockerfile")
missing=
for p in $NEED; do
	printf '%s\n' "$words" | grep -qxF -- "$p" || missing="$missing $p"
done
assert_eq "$missing" "" "docker/Dockerfile installs every package configure.ac needs ($NEED)"

MIRROR=$(debian_mirror)
[ -n "$MIRROR" ] || lab_skip "no Debian $SUITE mirror in /etc/apt/sources.list* (set LAB_DEBIAN_MIRROR)"
INCLUDE="build-essential,autoconf,automake,pkgconf,protobuf-c-compiler,$(printf '%s' "$NEED" | tr -s ' ' ',' | sed 's/,$//')"
KEY=$(printf '%s %s %s\n' "$SUITE" "$MIRROR" "$INCLUDE" | md5sum | cut -c1-12)
BASE_TAR=
if [ -n "${LAB_ROOTFS_CACHE:-}" ]; then
	mkdir -p "$LAB_ROOTFS_CACHE"
	BASE_TAR=$LAB_ROOTFS_CACHE/debian-$SUITE-build-$KEY.tar
fi
if [ -n "$BASE_TAR" ] && [ -s "$BASE_TAR" ]; then
	lab_log "base rootfs from the cache: $BASE_TAR"
else
	ROOT=$LAB_DIR/rootfs
	lab_log "debootstrap --variant=minbase --include=$INCLUDE $SUITE $ROOT $MIRROR"
	t=$SECONDS
	if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOT" "$MIRROR" \
			> "$LAB_DIR/debootstrap.log" 2>&1; then
		tail -n 20 "$LAB_DIR/debootstrap.log" | sed 's/^/#   | /'
		lab_bail "debootstrap failed (see above)"
	fi
	ok "debootstrap --variant=minbase $SUITE with the build dependencies ($((SECONDS - t)) s)"
	rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/debootstrap
	[ -n "$BASE_TAR" ] || BASE_TAR=$LAB_DIR/base.tar
	tar --numeric-owner --one-file-system -C "$ROOT" -cf "$BASE_TAR.tmp" . &&
		mv "$BASE_TAR.tmp" "$BASE_TAR" || lab_bail "cannot tar the base rootfs"
	rm -rf --one-file-system "$ROOT"
fi

lab_host $H $HOSTADDR/32
lab_dockerd $H
lab_image $H
t=$SECONDS
out=$(dk import --change 'CMD ["bash"]' "$BASE_TAR" debian:$SUITE 2>&1) &&
	out=$(dk tag debian:$SUITE debian:$SUITE-slim 2>&1)
assert_eq "$?" 0 "docker import of the rootfs as debian:$SUITE and debian:$SUITE-slim on the lab engine ($((SECONDS - t)) s)"
[ -n "$(dk images -q debian:$SUITE-slim)" ] || lab_bail "no base image, cannot go on ($out)"

# -------------------------------------------------------------- image

lab_log "--- docker build"
CTX=$LAB_DIR/ctx
copy_tree "$CTX" || lab_bail "cannot copy the source tree"
t=$SECONDS
DOCKER_BUILDKIT=0 lab_docker_t $H 900 build --network none --build-arg APT=0 \
	-f docker/Dockerfile -t $IMAGE "$CTX" > "$LAB_DIR/build.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "docker build -f docker/Dockerfile --build-arg APT=0 -t $IMAGE ($((SECONDS - t)) s)"
else
	fail "docker build -f docker/Dockerfile --build-arg APT=0 (exit $rc)"
	tail -n 40 "$LAB_DIR/build.log" | sed 's/^/#   | /'
	lab_bail "no image, cannot go on"
fi
out=$(grep -E '^runtime packages: ' "$LAB_DIR/build.log")
assert_contains "$out" 'libnl-route-3-200' "build stage lists the runtime packages ($out)"
out=$(grep -E '^# (TOTAL|FAIL|ERROR):' "$LAB_DIR/build.log" | tr '\n' ' ')
assert_contains "$out" '# FAIL: +0 .*# ERROR: +0' "unit tests pass inside the build stage ($out)"
out=$(dk run --rm --network none $IMAGE --version 2>&1)
assert_contains "$out" '^routed-plugin [0-9]' "docker run $IMAGE --version ($out)"
assert_eq "$(dk image inspect -f '{{json .Config.Entrypoint}}' $IMAGE 2>&1)" '["/usr/sbin/routed-plugin"]' \
	"image entrypoint is /usr/sbin/routed-plugin"
HELP=$(dk run --rm --network none $IMAGE --help 2>&1)

# -------------------------------------------------------------- container

lab_log "--- the image as a container (host network)"
CSTATE=$(lab_hdir $H)/cstate
CFRR=$(lab_hdir $H)/cfrr
mkdir -p "$CSTATE" "$CFRR"
out=$(dk run -d --name rp --network host --cap-add NET_ADMIN --security-opt systempaths=unconfined \
	-v /run/docker/plugins:/run/docker/plugins -v "$CSTATE:/var/lib/routed-plugin" \
	-v "$CFRR:/var/run/frr" $IMAGE --announce none --debug 2>&1)
assert_eq "$?" 0 "docker run -d --network host --cap-add NET_ADMIN ... $IMAGE --announce none ($out)"
_csock() { [ -S "$D/plugins/net-routed.sock" ] && [ -S "$D/plugins/ipam-routed.sock" ]; }
if retry 15 _csock; then ok "the container made net-routed.sock and ipam-routed.sock in the engine's plugin directory"
else fail "the container made both sockets"; dk logs rp 2>&1 | tail -n 20 | sed 's/^/#   | /'; fi
out=$(dk network create --driver=net-routed --ipam-driver=ipam-routed --subnet 10.46.0.0/16 cn 2>&1)
assert_eq "$?" 0 "network create --driver=net-routed --ipam-driver=ipam-routed cn ($out)"
out=$(dk run -d --name c1 --net=cn --ip 10.46.0.5 "$LAB_IMAGE_TAG" sleep 3600 2>&1)
assert_eq "$?" 0 "run c1 on cn ($out)"
out=$(lab_exec $H "$LAB_BUSYBOX" ping -c 2 -W 2 10.46.0.5 2>&1)
assert_eq "$?" 0 "lab host pings c1 (10.46.0.5), served by the plugin container"
V=$(lab_ip $H -4 route show 10.46.0.5/32 | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}')
assert_eq "$(lab_exec $H cat /proc/sys/net/ipv4/conf/${V:-NONE}/proxy_arp 2>&1)" 1 "host veth ${V:-?} has proxy_arp=1"
out=$(dk rm -f c1 2>&1); assert_eq "$?" 0 "rm -f c1"
out=$(dk network rm cn 2>&1); assert_eq "$?" 0 "network rm cn"
out=$(dk stop -t 10 rp 2>&1); assert_eq "$?" 0 "docker stop rp"
assert_eq "$(dk inspect -f '{{.State.ExitCode}}' rp 2>&1)" 0 "the plugin container exits 0 on SIGTERM"
check "the container removed its sockets on exit" test ! -e "$D/plugins/net-routed.sock"
check "the container's state is on the host volume" test -n "$(ls -A "$CSTATE")"
dk rm rp >/dev/null 2>&1

# -------------------------------------------------------------- managed plugin

lab_log "--- managed plugin"
PDIR=$LAB_DIR/plugin
out=$(DOCKER="env -u DOCKER_HOST -u DOCKER_CONTEXT $LAB_DOCKER -H unix://$D/docker.sock" \
	"$top_srcdir/docker/mkplugin.sh" $IMAGE "$PDIR" 2>&1)
assert_eq "$?" 0 "docker/mkplugin.sh $IMAGE ($out)"
check "plugin dir: config.json" test -s "$PDIR/config.json"
check "plugin dir: rootfs/usr/sbin/routed-plugin" test -x "$PDIR/rootfs/usr/sbin/routed-plugin"
check "plugin dir: rootfs/usr/libexec/routed-plugin/plugin-entrypoint" test -x "$PDIR/rootfs/usr/libexec/routed-plugin/plugin-entrypoint"
check "plugin dir: rootfs/run/docker/plugins" test -d "$PDIR/rootfs/run/docker/plugins"
SOCK=$(sed -n 's/.*"Socket": *"\([^"]*\)".*/\1/p' "$PDIR/config.json")
assert_contains "$(tr -d ' \n' < "$PDIR/config.json")" '"Entrypoint":\["/usr/libexec/routed-plugin/plugin-entrypoint","--single-socket","'"$SOCK"'"\]' \
	"config.json: Entrypoint serves both drivers on Interface.Socket $SOCK"

out=$(dkt 120 plugin create $PLUGIN "$PDIR" 2>&1)
assert_eq "$?" 0 "docker plugin create $PLUGIN ($out)"
out=$(dk plugin inspect -f '{{.Config.Interface.Socket}} {{json .Config.Interface.Types}} {{.Config.Network.Type}} {{.Enabled}}' $PLUGIN 2>&1)
assert_eq "$out" "$SOCK [\"docker.networkdriver/1.0\",\"docker.ipamdriver/1.0\"] host false" \
	"plugin inspect: socket, both interface types, host network, disabled"
PSTATE=$(lab_hdir $H)/pstate
PFRR=$(lab_hdir $H)/pfrr
mkdir -p "$PSTATE" "$PFRR"
out=$(dk plugin set $PLUGIN state.source="$PSTATE" frr.source="$PFRR" args="--announce none --debug" 2>&1)
assert_eq "$?" 0 "plugin set state.source, frr.source, args=--announce none --debug ($out)"

# The daemon feature the managed plugin needs.
if ! printf '%s\n' "$HELP" | grep -q -- '--single-socket'; then
	fail "MISSING DAEMON FEATURE: routed-plugin --single-socket NAME (serve the NetworkDriver and IpamDriver routes on the one socket DIR/NAME a managed plugin has, Plugin.Activate listing both); docker/plugin/config.json runs routed-plugin --single-socket $SOCK"
	lab_bail "routed-plugin has no --single-socket: the managed plugin cannot work"
fi
ok "routed-plugin --help lists --single-socket"

t=$SECONDS
out=$(dkt 90 plugin enable --timeout 30 $PLUGIN 2>&1)
rc=$?
assert_eq "$rc" 0 "docker plugin enable $PLUGIN ($((SECONDS - t)) s) ($out)"
if [ $rc -ne 0 ]; then
	lab_log "dockerd log (plugin lines):"
	grep -i plugin "$D/dockerd.log" | tail -n 20 | sed 's/^/#   | /'
	lab_bail "plugin not enabled, cannot go on"
fi
PID=$(dk plugin inspect -f '{{.Id}}' $PLUGIN)
check "the plugin's socket is $SOCK in the engine's plugin directory" test -S "$D/plugins/$PID/$SOCK"
PCMD= PPID_=
for p in $(ip netns pids "$(lab_ns $H)"); do
	c=$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)
	case $c in /usr/sbin/routed-plugin\ *) PCMD=$c PPID_=$p; break ;; esac
done
assert_contains "$PCMD" "^/usr/sbin/routed-plugin --single-socket $SOCK --announce none --debug" \
	"the plugin process runs with the entrypoint and the args set"

# CAP_SYS_ADMIN is for the entrypoint's remount only: the daemon drops it
capeff=$(awk '/^CapEff:/ {print $2}' /proc/${PPID_:-0}/status 2>/dev/null)
if [ -n "$capeff" ] && [ $(( 0x$capeff & (1 << 21) )) -eq 0 ] && [ $(( 0x$capeff & (1 << 12) )) -ne 0 ]; then
	ok "the plugin daemon runs without CAP_SYS_ADMIN, with CAP_NET_ADMIN (CapEff $capeff)"
else
	fail "the plugin daemon runs without CAP_SYS_ADMIN, with CAP_NET_ADMIN (CapEff '${capeff}')"
fi

out=$(dkt 60 network create --driver $PLUGIN --ipam-driver $PLUGIN --subnet 10.47.0.0/16 mp 2>&1)
rc=$?
assert_eq "$rc" 0 "network create --driver $PLUGIN --ipam-driver $PLUGIN --subnet 10.47.0.0/16 mp ($out)"
assert_eq "$(dk network inspect -f '{{.Driver}} {{.IPAM.Driver}}' mp 2>&1)" "$PLUGIN $PLUGIN" \
	"mp: driver and IPAM driver are the plugin"
out=$(dkt 60 run -d --name m1 --net=mp "$LAB_IMAGE_TAG" sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run m1 on mp, address chosen by the plugin's IPAM ($out)"
if [ $rc -ne 0 ]; then
	lab_log "plugin output in the dockerd log (tail):"
	grep 'plugin=' "$D/dockerd.log" | tail -n 15 | sed 's/^/#   | /'
fi
A=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}/{{.IPPrefixLen}}{{end}}' m1 2>/dev/null)
assert_contains "$A" '^10\.47\.[0-9]+\.[0-9]+/32$' "m1 has a /32 from 10.47.0.0/16 ($A)"
A=${A%/*}
out=$(lab_cexec $H m1 ip -4 route show 2>&1)
assert_contains "$out" '^default via 169\.254\.1\.1 dev eth0' "m1: default via 169.254.1.1 dev eth0"
out=$(lab_exec $H "$LAB_BUSYBOX" ping -c 2 -W 2 "${A:-10.47.255.254}" 2>&1)
rc=$?
assert_eq "$rc" 0 "lab host pings m1 ($A)"
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   | /'
out=$(dk exec m1 ping -c 2 -W 2 $HOSTADDR 2>&1)
assert_eq "$?" 0 "m1 pings the lab host ($HOSTADDR) through the proxy-ARPed gateway"
V=$(lab_ip $H -4 route show "${A:-10.47.255.254}/32" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}')
assert_eq "$(lab_exec $H cat /proc/sys/net/ipv4/conf/${V:-NONE}/proxy_arp 2>&1)" 1 "host veth ${V:-?} has proxy_arp=1"
check "the plugin's state is on the host (state mount)" test -n "$(ls -A "$PSTATE")"

out=$(dkt 60 rm -f m1 2>&1); assert_eq "$?" 0 "rm -f m1"
out=$(dkt 60 network rm mp 2>&1); assert_eq "$?" 0 "network rm mp"
assert_eq "$(lab_ip $H -4 route show | grep -c '^10\.47\.')" 0 "no 10.47.* route left on the lab host"
out=$(dkt 60 plugin disable $PLUGIN 2>&1); assert_eq "$?" 0 "docker plugin disable $PLUGIN"
out=$(dkt 60 plugin rm $PLUGIN 2>&1); assert_eq "$?" 0 "docker plugin rm $PLUGIN"
assert_eq "$(dk plugin ls -q | wc -l)" 0 "no plugin left on the lab engine"
lab_log "total $((SECONDS - T0)) s"

lab_done
