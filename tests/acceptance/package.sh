#!/bin/bash
# package.sh - the Debian package, built, checked, installed, used, purged.
#
# From the release tarball (make dist of the configured tree; a copy of the
# source tree when there is none): dpkg-buildpackage -us -uc -b, lintian
# (no errors), the files the package says it ships (dpkg -c, dpkg -L),
# systemd-analyze verify of the installed unit, then the INSTALLED
# /usr/sbin/routed-plugin against a lab Docker engine (one network, one
# container, ping from the lab host), and finally apt purge: nothing of the
# package may be left.
#
# Run: sudo tests/acceptance/package.sh   (about 2-3 minutes)
# Needs root. Installs what it lacks with apt-get (dpkg-dev, debhelper,
# lintian, systemd and the build dependencies). Refuses to run (skip) if
# routed-plugin is already installed: it would purge somebody else's package.
# The service is never started: if /usr/sbin/policy-rc.d is absent, a
# temporary one that denies every start is put there and removed again.
# LAB_KEEP=1 keeps the lab directory (build log, lintian output).

. "$(cd "$(dirname "$0")" && pwd)/lab.sh"

PKG=routed-plugin
H=h
HOSTADDR=10.250.0.1
NET=10.46.0.0/16
ADDR=10.46.3.9
export DEBIAN_FRONTEND=noninteractive

lab_init
for c in dpkg dpkg-query apt-get; do
	command -v "$c" >/dev/null 2>&1 || lab_skip "missing command: $c (not a Debian system)"
done
if dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'install ok\|config-files'; then
	lab_skip "package $PKG is already installed; this test installs and purges it"
fi

PKG_INSTALLED=		# 1 once this test installed the package
POLICY_RCD_OURS=	# 1 if this test created /usr/sbin/policy-rc.d

# Installed-package and policy-rc.d cleanup runs before the lab's.
pkg_cleanup() {
	if [ -n "$PKG_INSTALLED" ] &&
	   dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null | grep -q 'install\|config-files'; then
		lab_warn "purging $PKG left installed by an interrupted run"
		apt-get purge -y -q "$PKG" >/dev/null 2>&1
	fi
	if [ -n "$POLICY_RCD_OURS" ] && grep -q 'routed-plugin package.sh' /usr/sbin/policy-rc.d 2>/dev/null; then
		rm -f /usr/sbin/policy-rc.d
	fi
	POLICY_RCD_OURS=
}
_pkg_exit_trap() {
	local rc=$?
	set +eu
	pkg_cleanup >&2
	(exit "$rc")
	_lab_exit_trap
}
trap _pkg_exit_trap EXIT

# apt_need PKG...: install the packages that are not installed yet
apt_need() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	lab_log "apt-get install ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LAB_DIR/apt.log" 2>&1 && return 0
	apt-get update -q >>"$LAB_DIR/apt.log" 2>&1
	apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LAB_DIR/apt.log" 2>&1
}

# -------------------------------------------------------------- source copy

lab_log "--- build"
SRC=$LAB_DIR/pkg/src
mkdir -p "$SRC"
if [ -f "$top_builddir/Makefile" ]; then
	# what a release is: the tarball "make dist" writes, with what
	# EXTRA_DIST and the _SOURCES lists name and nothing else
	# (under a name of this lab's own: the tree's own tarball is left alone)
	t0=$SECONDS
	dd=rp-pkgtest-$LAB_ID
	(cd "$top_builddir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TESTS \
		make dist-gzip distdir="$dd") > "$LAB_DIR/dist.log" 2>&1 ||
		{ tail -n 20 "$LAB_DIR/dist.log" | sed 's/^/#   | /'; lab_bail "make dist-gzip failed"; }
	mv "$top_builddir/$dd.tar.gz" "$LAB_DIR/pkg/" || lab_bail "no $top_builddir/$dd.tar.gz"
	tar -xzf "$LAB_DIR/pkg/$dd.tar.gz" -C "$SRC" --strip-components=1 ||
		lab_bail "cannot unpack $LAB_DIR/pkg/$dd.tar.gz"
	lab_log "source: make dist of $top_builddir ($((SECONDS - t0)) s)"
elif git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# not configured: tracked files and new ones, never build products
	(cd "$top_srcdir" && git ls-files -z -c -o --exclude-standard | xargs -0 cp --parents -t "$SRC") ||
		lab_bail "cannot copy the git tree $top_srcdir"
	lab_log "source: git tree $top_srcdir (tracked and untracked, not ignored)"
else
	# a release tarball: copied as is; debian/rules clean runs make distclean
	cp -a "$top_srcdir/." "$SRC" || lab_bail "cannot copy $top_srcdir"
	lab_log "source: $top_srcdir (not a git tree)"
fi
[ -f "$SRC/debian/control" ] || lab_bail "no debian/control in the source tree"

# every library configure.ac demands (third argument of RP_NEED) is a
# build dependency of the package
need=$(sed -n 's/^RP_NEED(\[[A-Z0-9_]*\], *\[[^]]*\], *\[\([^]]*\)\]).*/\1/p' "$SRC/configure.ac")
bdeps=$(awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, ""); print; next }
	on && /^[ \t]/ { print; next } { on = 0 }' "$SRC/debian/control" |
	sed 's/([^)]*)//g; s/<[^>]*>//g' | tr ', \t' '\n\n\n' | sed '/^$/d')
missing=
for p in $need; do printf '%s\n' "$bdeps" | grep -qxF -- "$p" || missing="$missing $p"; done
assert_eq "$missing" "" "debian/control Build-Depends has every package configure.ac needs ($(echo $need))"

apt_need dpkg-dev debhelper fakeroot lintian systemd devscripts ||
	lab_bail "cannot install the packaging tools (see $LAB_DIR/apt.log)"
if ! (cd "$SRC" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
	lab_log "apt-get build-dep (missing build dependencies)"
	(cd "$SRC" && { apt-get build-dep -y -q ./ || { apt-get update -q && apt-get build-dep -y -q ./; }; }) \
		>>"$LAB_DIR/apt.log" 2>&1
fi
out=$(cd "$SRC" && dpkg-checkbuilddeps 2>&1)
assert_eq "$?" 0 "build dependencies installed ($out)"

VERSION=$(cd "$SRC" && dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
DEB=$LAB_DIR/pkg/${PKG}_${VERSION}_${ARCH}.deb
CHANGES=$LAB_DIR/pkg/${PKG}_${VERSION}_${ARCH}.changes
t0=$SECONDS
# Run from make check, this test inherits the outer make's MAKEFLAGS, which
# carry command-line variables such as TESTS= into the package build's own
# make check: it would run this very test again, inside itself.
(cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TESTS \
	DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) > "$LAB_DIR/build.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ -s "$DEB" ]; then
	ok "dpkg-buildpackage -us -uc -b builds ${DEB##*/} ($((SECONDS - t0)) s)"
else
	fail "dpkg-buildpackage -us -uc -b (exit $rc)"
	tail -n 40 "$LAB_DIR/build.log" | sed 's/^/#   | /'
	lab_bail "no package, cannot go on"
fi
out=$(grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$LAB_DIR/build.log" | tr '\n' ' ')
assert_contains "$out" '# FAIL: +0 .*# ERROR: +0' "unit tests ran in the package build ($out)"
assert_not_contains "$(grep -E '^(PASS|FAIL|SKIP|ERROR): ' "$LAB_DIR/build.log")" 'acceptance' \
	"no acceptance test ran in the package build"

# -------------------------------------------------------------- lintian

lab_log "--- lintian"
lintian --allow-root -I --tag-display-limit 0 "$CHANGES" > "$LAB_DIR/lintian.log" 2>&1
sed 's/^/#   lintian | /' "$LAB_DIR/lintian.log"
assert_eq "$(grep -c '^E: ' "$LAB_DIR/lintian.log")" 0 "lintian: no errors"
assert_eq "$(grep -c '^W: ' "$LAB_DIR/lintian.log")" 0 "lintian: no warnings"

# -------------------------------------------------------------- contents

lab_log "--- contents"
SHIPS=(
	/usr/sbin/routed-plugin
	/usr/sbin/routedctl
	/usr/share/man/man8/routed-plugin.8.gz
	/usr/share/man/man8/routedctl.8.gz
	/usr/share/bash-completion/completions/routedctl
	/lib/systemd/system/routed-plugin.service
	/usr/lib/tmpfiles.d/routed-plugin.conf
	/etc/default/routed-plugin
	/usr/share/doc/routed-plugin/copyright
	/usr/share/doc/routed-plugin/README.md.gz
	/usr/share/doc/routed-plugin/examples/frr-conf/README.md
	/usr/share/doc/routed-plugin/examples/frr-conf/daemons
	/usr/share/doc/routed-plugin/examples/frr-conf/zebra.conf
	/usr/share/doc/routed-plugin/examples/frr-conf/ospfd.conf
	/usr/share/doc/routed-plugin/examples/frr-conf/bgpd.conf
	/usr/share/doc/routed-plugin/examples/frr-conf/vtysh.conf
)
contents=$(dpkg -c "$DEB" | awk '{print $6}' | sed 's,^\.,,')
missing=
for f in "${SHIPS[@]}"; do
	printf '%s\n' "$contents" | grep -qxF -- "$f" || missing="$missing $f"
done
assert_eq "$missing" "" "dpkg -c: binary, man page, unit, tmpfiles, default file, docs, frr-conf examples"
out=$(dpkg -c "$DEB" | awk '$6 == "./usr/sbin/routed-plugin" {print $1}')
assert_eq "$out" "-rwxr-xr-x" "dpkg -c: /usr/sbin/routed-plugin is -rwxr-xr-x"
assert_eq "$(dpkg-deb -f "$DEB" Section) $(dpkg-deb -f "$DEB" Priority)" "net optional" "Section net, Priority optional"
out=$(dpkg-deb -f "$DEB" Depends)
assert_contains "$out" 'libnl-route-3-200.*' "Depends from shlibs: libnl-route-3-200 ($out)"
assert_contains "$out" 'libevent-2\.1-7' "Depends from shlibs: libevent-2.1-7"
assert_contains "$out" 'libcjson1' "Depends from shlibs: libcjson1"
assert_eq "$(dpkg-deb -f "$DEB" Recommends)" "docker.io, frr" "Recommends: docker.io, frr"
assert_eq "$(dpkg-deb -I "$DEB" conffiles 2>/dev/null)" "/etc/default/routed-plugin" \
	"conffiles: /etc/default/routed-plugin"
out=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./lib/systemd/system/routed-plugin.service)
assert_contains "$out" '^ExecStart=/usr/sbin/routed-plugin \$ROUTED_PLUGIN_OPTS$' "unit: ExecStart with \$ROUTED_PLUGIN_OPTS"
assert_contains "$out" '^EnvironmentFile=-/etc/default/routed-plugin$' "unit: EnvironmentFile=-/etc/default/routed-plugin"
assert_contains "$out" '^CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_OVERRIDE$' "unit: capabilities CAP_NET_ADMIN CAP_DAC_OVERRIDE only"
assert_not_contains "$out" '^ProtectKernelTunables=' "unit: no ProtectKernelTunables (proxy_arp is written to /proc/sys/net)"
assert_contains "$out" '^Type=notify$' "unit: Type=notify (READY=1 once both sockets listen)"
assert_contains "$out" '^WatchdogSec=' "unit: WatchdogSec= (the watchdog is fed from the event loop)"
out=$(dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./etc/default/routed-plugin)
assert_contains "$out" '^ROUTED_PLUGIN_OPTS=""$' "/etc/default/routed-plugin: ROUTED_PLUGIN_OPTS=\"\""

# -------------------------------------------------------------- install

lab_log "--- install"
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# routed-plugin package.sh: no service starts during the test\nexit 101\n' \
		> /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && POLICY_RCD_OURS=1
	lab_log "temporary /usr/sbin/policy-rc.d (exit 101) so that the service is not started"
fi
PKG_INSTALLED=1
out=$(apt-get install -y -q --no-install-recommends "$DEB" 2>&1)
rc=$?
assert_eq "$rc" 0 "apt-get install ./${DEB##*/}"
[ $rc -eq 0 ] || { printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   | /'; lab_bail "install failed"; }
assert_eq "$(dpkg-query -W -f '${Status} ${Version}' "$PKG")" "install ok installed $VERSION" \
	"dpkg-query: $PKG $VERSION installed"
listed=$(dpkg -L "$PKG")
missing=
for f in "${SHIPS[@]}"; do
	printf '%s\n' "$listed" | grep -qxF -- "$f" && [ -e "$f" ] || missing="$missing $f"
done
assert_eq "$missing" "" "dpkg -L: every shipped file is listed and present"
out=$(/usr/sbin/routed-plugin --version 2>&1)
assert_contains "$out" "$(printf '%s' "${VERSION%-*}" | sed 's/\./\\./g')" "installed routed-plugin --version ($out)"
out=$(/usr/sbin/routed-plugin --help 2>&1)
assert_contains "$out" '--state-dir DIR +where the state is kept \(default /var/lib/routed-plugin\)' \
	"installed binary's default state dir is /var/lib/routed-plugin"
check "man routed-plugin finds the page" sh -c 'man -w routed-plugin 2>/dev/null | grep -q /usr/share/man/man8/routed-plugin.8.gz'
out=$(systemd-analyze verify /lib/systemd/system/routed-plugin.service 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify of the installed unit: clean"
else fail "systemd-analyze verify of the installed unit (exit $rc)"; printf '%s\n' "$out" | sed 's/^/#   | /'; fi
check "unit enabled: multi-user.target.wants" test -L /etc/systemd/system/multi-user.target.wants/routed-plugin.service
check "unit enabled: docker.service.wants" test -L /etc/systemd/system/docker.service.wants/routed-plugin.service

# -------------------------------------------------------------- use

lab_log "--- the installed daemon against a lab engine"
lab_host $H $HOSTADDR/32
lab_dockerd $H
lab_image $H
LAB_PLUGIN_BIN=/usr/sbin/routed-plugin lab_plugin $H --announce none --debug
pid=${LAB_PLUGIN_PID[$H]}
assert_eq "$(readlink "/proc/$pid/exe" 2>&1)" /usr/sbin/routed-plugin "the plugin process runs /usr/sbin/routed-plugin"

dk() { lab_docker $H "$@"; }
out=$(dk network create --driver=net-routed --ipam-driver=ipam-routed --subnet $NET pk 2>&1)
assert_eq "$?" 0 "network create --driver=net-routed --ipam-driver=ipam-routed --subnet $NET pk ($out)"
out=$(dk run -d --name pc --net=pk --ip $ADDR "$LAB_IMAGE_TAG" sleep 3600 2>&1)
rc=$?
assert_eq "$rc" 0 "run --net=pk --ip $ADDR ($out)"
[ $rc -eq 0 ] || lab_plugin_log $H 30
out=$(lab_cexec $H pc ip -o -4 addr show dev eth0 2>&1)
assert_contains "$out" "inet $ADDR/32 " "container eth0 has $ADDR/32"
out=$(lab_exec $H "$LAB_BUSYBOX" ping -c 2 -W 2 $ADDR 2>&1)
rc=$?
assert_eq "$rc" 0 "lab host pings the container ($ADDR)"
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   | /'
out=$(/usr/sbin/routedctl --run-dir "$(lab_hdir $H)/run" endpoints 2>&1)
assert_contains "$out" " $ADDR\$" "installed routedctl lists the container's endpoint ($ADDR)"
out=$(/usr/sbin/routedctl --run-dir "$(lab_hdir $H)/run" check 2>&1)
assert_eq "$?" 0 "installed routedctl check: the kernel agrees with the plugin"
[ $rc -eq 0 ] || { show "$out"; lab_ip $H route show | sed 's/^/#   | /'; lab_plugin_log $H 30; }
out=$(dk rm -f pc 2>&1)
assert_eq "$?" 0 "rm -f pc"
out=$(dk network rm pk 2>&1)
assert_eq "$?" 0 "network rm pk"
out=$(lab_ip $H -4 route show | grep -c '^10\.46\.')
assert_eq "$out" 0 "no 10.46.* route left on the lab host"
lab_plugin_stop $H

# -------------------------------------------------------------- purge

lab_log "--- purge"
out=$(apt-get purge -y -q "$PKG" 2>&1)
rc=$?
assert_eq "$rc" 0 "apt-get purge $PKG"
[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   | /'
PKG_INSTALLED=
out=$(dpkg-query -W -f '${Status}' "$PKG" 2>/dev/null)
assert_contains "${out:-not known to dpkg}" '^(not known to dpkg|unknown ok not-installed)$' \
	"dpkg no longer knows $PKG (${out:-not known to dpkg})"
assert_eq "$(dpkg -l 2>/dev/null | awk -v p="$PKG" '$2 == p' | wc -l)" 0 "dpkg -l lists no $PKG"
left=
for f in "${SHIPS[@]}" /var/lib/routed-plugin /usr/share/doc/routed-plugin \
	/etc/systemd/system/multi-user.target.wants/routed-plugin.service \
	/etc/systemd/system/docker.service.wants/routed-plugin.service; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
assert_eq "$left" "" "nothing of $PKG is left on the machine after purge"
pkg_cleanup

lab_done
