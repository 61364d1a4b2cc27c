# SPDX-License-Identifier: MIT
# lab.sh - test lab for routed-plugin acceptance tests (source it from bash).
#
# A "host" is a network namespace with its own dockerd (private data/exec root,
# API socket and plugin directory) and, optionally, its own routed-plugin.
# Everything lives in one temporary lab directory and uses namespace names
# with a random suffix; lab_cleanup (run from the EXIT trap) removes it all.
# Processes are only ever stopped by the PID this library recorded for them.
#
# Recipe: /work/shared/docs/test-lab.md ("One Docker engine per host").
#
# Typical use:
#   . "$(dirname "$0")/lab.sh"
#   lab_init
#   lab_host hostA
#   lab_dockerd hostA
#   lab_image hostA
#   lab_plugin hostA --gateway 169.254.1.1
#   lab_docker hostA run -d --net=mine bb:local sleep 3600
#   ...
#   lab_done            # prints "N passed, N failed", exits 0 or 1
#
# Exit codes (Automake): 0 all passed, 1 something failed, 77 skipped.
# Safe under "set -u"; not meant for "set -e" (assertions keep going).

# ---------------------------------------------------------------- settings

LAB_DOCKER=${LAB_DOCKER:-/usr/bin/docker}      # NOT /usr/local/bin/docker
LAB_DOCKERD=${LAB_DOCKERD:-/usr/sbin/dockerd}
LAB_BUSYBOX=${LAB_BUSYBOX:-}
LAB_IMAGE_TAG=${LAB_IMAGE_TAG:-bb:local}

_lab_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$_lab_here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
LAB_PLUGIN_BIN=${LAB_PLUGIN_BIN:-$top_builddir/src/routed-plugin}
LAB_HELPER_BIN=${LAB_HELPER_BIN:-$top_builddir/src/routed-zebra-helper}

LAB_DIR=
LAB_ID=
LAB_HOSTS=()            # host names, in creation order
declare -A LAB_NS=()            # host -> netns name
declare -A LAB_DOCKERD_PID=()   # host -> pid of the dockerd we started
declare -A LAB_PLUGIN_PID=()    # host -> pid of the routed-plugin we started
declare -A LAB_PLUGIN_STARTED=() # host -> 1 once a plugin was started there
declare -A LAB_WATCH_PID=()     # sample file -> pid of its sampler (lab_watch_start)
declare -A LAB_HELPER_PID=()    # host -> pid of the routed-zebra-helper we started
LAB_PASS=0
LAB_FAIL=0
LAB_N=0
_LAB_CLEANED=

# ---------------------------------------------------------------- output

lab_log()  { printf '# %s\n' "$*"; }
lab_warn() { printf '# WARNING: %s\n' "$*" >&2; }

ok() {
	LAB_N=$((LAB_N + 1)); LAB_PASS=$((LAB_PASS + 1))
	printf 'ok %d - %s\n' "$LAB_N" "$*"
}

fail() {
	LAB_N=$((LAB_N + 1)); LAB_FAIL=$((LAB_FAIL + 1))
	printf 'not ok %d - %s\n' "$LAB_N" "$*"
}

# check TEXT CMD...: ok if CMD succeeds, fail otherwise
check() {
	local text=$1; shift
	if "$@"; then ok "$text"; else fail "$text"; fi
}

# assert_eq GOT WANT TEXT
assert_eq() {
	if [ "$1" == "$2" ]; then ok "$3"
	else fail "$3"; lab_log "  got:  '$1'"; lab_log "  want: '$2'"; fi
}

# assert_contains HAYSTACK NEEDLE TEXT   (NEEDLE: extended regex, case-insensitive)
assert_contains() {
	if printf '%s\n' "$1" | grep -qiE -- "$2"; then ok "$3"
	else fail "$3"; lab_log "  /$2/ not found in:"; printf '%s\n' "$1" | sed 's/^/#   | /'; fi
}

# assert_not_contains HAYSTACK NEEDLE TEXT
assert_not_contains() {
	if ! printf '%s\n' "$1" | grep -qiE -- "$2"; then ok "$3"
	else fail "$3"; lab_log "  /$2/ unexpectedly found in:"
		printf '%s\n' "$1" | grep -iE -- "$2" | sed 's/^/#   | /'; fi
}

# ping_ok TEXT CMD...: ok if CMD (a ping) succeeds, else fail with its output
ping_ok() {
	local text=$1; shift
	local out; out=$("$@" 2>&1)
	if [ $? -eq 0 ]; then ok "$text"
	else fail "$text"; printf '%s\n' "$out" | sed 's/^/#   | /'; fi
}

# show TEXT...: a multi-line value as comment lines
show() { printf '%s\n' "$@" | sed 's/^/#   | /'; }

# set_eq TEXT GOT WANT: two sorted one-a-line sets are equal
set_eq() {
	local text=$1 got=$2 want=$3
	if [ "$got" == "$want" ]; then ok "$text"; return 0; fi
	fail "$text"
	lab_log "  only in got:  $(comm -23 <(printf '%s\n' "$got" | grep .) <(printf '%s\n' "$want" | grep .) | tr '\n' ' ')"
	lab_log "  only in want: $(comm -13 <(printf '%s\n' "$got" | grep .) <(printf '%s\n' "$want" | grep .) | tr '\n' ' ')"
	lab_log "  counts: got $(printf '%s\n' "$got" | grep -c .), want $(printf '%s\n' "$want" | grep -c .)"
	return 1
}

# wait_set TEXT TIMEOUT FUNC WANT: retry until FUNC's output equals WANT
_wset_f=; _wset_w=
_wset() { [ "$($_wset_f)" == "$_wset_w" ]; }
wait_set() {
	local text=$1 t=$2
	_wset_f=$3 _wset_w=$4
	retry "$t" _wset
	set_eq "$text" "$($_wset_f)" "$_wset_w"
}

# kroute HOST PREFIX: HOST's kernel routes for exactly PREFIX
kroute() { lab_ip "$1" -4 route show exact "$2"; }
# has_route HOST PREFIX PROTO: a kernel route for PREFIX with that proto
has_route() { kroute "$1" "$2" | grep -q " proto $3 "; }
no_route() { ! has_route "$@"; }
# wait_route TEXT HOST PREFIX PROTO [TIMEOUT]: ok once it is there
wait_route() {
	local text=$1 h=$2 p=$3 pr=$4 t=${5:-5}
	if retry "$t" has_route "$h" "$p" "$pr"; then ok "$text"
	else fail "$text"; lab_ip "$h" -4 route show | sed 's/^/#   | /'; fi
}
# wait_gone TEXT HOST PREFIX PROTO [TIMEOUT]: ok once it is gone
wait_gone() {
	local text=$1 h=$2 p=$3 pr=$4 t=${5:-5}
	if retry "$t" no_route "$h" "$p" "$pr"; then ok "$text"
	else fail "$text"; kroute "$h" "$p" | sed 's/^/#   | /'; fi
}

# retry TIMEOUT_S CMD...: run CMD every 0.2 s until it succeeds; 1 on timeout.
# CMD may return 255 to mean "will never succeed": retry gives up at once.
retry() {
	local timeout=$1; shift
	local end=$((SECONDS + timeout)) rc
	while :; do
		"$@"; rc=$?
		[ "$rc" -eq 0 ] && return 0
		[ "$rc" -eq 255 ] && return 1
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# lab_skip REASON: skip the whole test (exit 77), loudly.  In CI (CI set
# and not "false") the machine is root and .ci/run installed everything, so
# a skip there is a failure.
lab_skip() {
	if [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; then
		printf 'FAIL (CI must run this test): %s\n' "$*" >&2
		printf 'Bail out! %s\n' "$*"
		exit 1
	fi
	printf 'SKIP: %s\n' "$*" >&2
	printf '# SKIP: %s\n' "$*"
	exit 77
}

# lab_bail REASON: cannot go on; count a failure, print the summary, exit 1
lab_bail() {
	fail "$*"
	printf 'Bail out! %s\n' "$*"
	lab_summary
	exit 1
}

lab_summary() {
	printf '%d passed, %d failed\n' "$LAB_PASS" "$LAB_FAIL"
}

# lab_done: summary line and exit status (0 all passed, 1 otherwise)
lab_done() {
	lab_summary
	if [ "$LAB_FAIL" -eq 0 ] && [ "$LAB_PASS" -gt 0 ]; then exit 0; fi
	exit 1
}

# ---------------------------------------------------------------- lab

_lab_exit_trap() {
	local rc=$?
	set +eu
	trap - EXIT
	lab_cleanup >&2 || true
	exit "$rc"
}

# lab_init: preconditions, lab directory, EXIT trap
lab_init() {
	[ "$(id -u)" -eq 0 ] || lab_skip "must run as root (try: sudo $0)"
	local c
	for c in ip nsenter unshare setsid mount tar sysctl; do
		command -v "$c" >/dev/null 2>&1 || lab_skip "missing command: $c"
	done
	[ -x "$LAB_DOCKER" ] || lab_skip "docker client not found at $LAB_DOCKER (package docker.io)"
	[ -x "$LAB_DOCKERD" ] || lab_skip "dockerd not found at $LAB_DOCKERD (package docker.io)"
	if [ -z "$LAB_BUSYBOX" ]; then
		for c in /bin/busybox /usr/bin/busybox; do
			[ -x "$c" ] && { LAB_BUSYBOX=$c; break; }
		done
	fi
	[ -n "$LAB_BUSYBOX" ] || lab_skip "busybox not found (package busybox-static)"
	# the image must run in a container with nothing else in it
	if ! LC_ALL=C file -L "$LAB_BUSYBOX" 2>/dev/null | grep -q 'statically linked' &&
	   ldd "$LAB_BUSYBOX" >/dev/null 2>&1; then
		lab_skip "$LAB_BUSYBOX is not statically linked (package busybox-static)"
	fi
	lab_init_dir
}

# lab_init_dir: the lab directory, the EXIT trap, and a probe that network
# namespaces can be made (lab_init's second half, for a test without Docker)
lab_init_dir() {
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rplab.XXXXXX") || lab_skip "mktemp failed"
	chmod 755 "$LAB_DIR"
	LAB_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	trap _lab_exit_trap EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	# unix socket paths must stay below 108 bytes
	[ ${#LAB_DIR} -le 40 ] || lab_warn "lab dir path is long ($LAB_DIR); unix socket paths may not fit"
	lab_log "lab dir $LAB_DIR, id $LAB_ID"
	# a netns that cannot be created means this machine cannot run the lab
	local probe="rplab-probe-$LAB_ID"
	ip netns add "$probe" 2>/dev/null || lab_skip "cannot create network namespaces (ip netns add failed)"
	ip netns delete "$probe"
}

lab_ns()   { printf '%s\n' "${LAB_NS[$1]:-}"; }
lab_hdir() { printf '%s/%s\n' "$LAB_DIR" "$1"; }
lab_ddir() { printf '%s/%s/docker\n' "$LAB_DIR" "$1"; }

# lab_ip HOST ARGS...: ip(8) inside HOST
lab_ip() { local h=$1; shift; ip -n "${LAB_NS[$h]:-}" "$@"; }

# lab_exec HOST CMD...: run CMD in HOST's network namespace only
# (nsenter: cheaper than ip netns exec, and /proc/sys/net follows the netns)
lab_exec() { local h=$1; shift; nsenter --net="/run/netns/${LAB_NS[$h]:-}" -- "$@"; }

# lab_host NAME [ADDR/PLEN...]: a namespace that behaves like a routed host,
# forwarding on, its addresses on dum0.  It has NO default route, as a routed
# fabric may have none until BGP brings one: lab_default_route adds one (and
# takes it away again) for a test that wants to show it makes no difference.
lab_host() {
	local h=$1; shift
	local ns="$h-$LAB_ID"
	mkdir -p "$LAB_DIR/$h"
	ip netns add "$ns" || lab_skip "cannot create network namespace $ns"
	LAB_NS[$h]=$ns
	LAB_HOSTS+=("$h")
	ip -n "$ns" link set lo up
	lab_exec "$h" sysctl -qw net.ipv4.ip_forward=1
	lab_exec "$h" sysctl -qw net.ipv6.conf.all.forwarding=1
	_lab_dum0 "$ns" || lab_skip "cannot create a dummy-like interface in $ns"
	local a
	for a in "$@"; do ip -n "$ns" addr add "$a" dev dum0; done
	lab_log "host $h = netns $ns (no default route)"
}

# lab_default_route HOST add|del: default routes (IPv4 and IPv6) through
# dum0, which answers nothing: a route "to anything" that leads nowhere
lab_default_route() {
	local ns=${LAB_NS[$1]:-}
	ip -n "$ns" route "$2" default dev dum0 &&
	ip -n "$ns" -6 route "$2" default dev dum0
}

# lab_arp_strict HOST: what kube-proxy's IPVS mode sets on a host
# (net.ipv4.conf.{all,default}.arp_ignore=1, arp_announce=2)
lab_arp_strict() {
	lab_exec "$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.default.arp_announce=2
}

# _lab_dum0 NS: an always-up, never-answering interface "dum0" for the
# host's addresses and lab_default_route: dummy if the kernel has it, else ifb (NOARP, drops what it
# is given), else a veth pair with both ends in NS.
_lab_dum0() {
	local ns=$1
	if ip -n "$ns" link add dum0 type dummy 2>/dev/null ||
	   ip -n "$ns" link add dum0 type ifb 2>/dev/null; then
		ip -n "$ns" link set dum0 up
	elif ip -n "$ns" link add dum0 type veth peer name dum0p 2>/dev/null; then
		ip -n "$ns" link set dum0p up && ip -n "$ns" link set dum0 up
	else
		return 1
	fi
}

# lab_link HOSTA IFA HOSTB IFB: a veth "cable" between two hosts (both ends
# created directly in their namespaces), both ends up.
lab_link() {
	local ha=$1 ia=$2 hb=$3 ib=$4
	ip link add "$ia" netns "${LAB_NS[$ha]:-}" type veth peer name "$ib" netns "${LAB_NS[$hb]:-}"
	ip -n "${LAB_NS[$ha]:-}" link set "$ia" up
	ip -n "${LAB_NS[$hb]:-}" link set "$ib" up
}

# lab_dockerd NAME: a private Docker engine in HOST's netns (recipe form).
# lab_dockerd_start and lab_dockerd_wait are its halves, to start several
# engines at once.
lab_dockerd() { lab_dockerd_start "$1"; lab_dockerd_wait "$1"; }
lab_dockerd_start() {
	local h=$1 ns=${LAB_NS[$1]:-}
	local D; D=$(lab_ddir "$h")
	mkdir -p "$D"/{data,exec,plugins,plugins-spec,.cg}
	# LAB_DOCKERD_DEBUG=1: the engine logs at debug level (to dockerd.log)
	if [ -n "${LAB_DOCKERD_DEBUG:-}" ]; then echo '{"debug": true}'; else echo '{}'; fi > "$D/daemon.json"
	# A dockerd killed with SIGKILL takes its containerd along (parent-death
	# signal); the orphan is then a zombie until init reaps it.  This
	# machine's init may not reap orphans: the zombie's pid still looks
	# alive, and the next dockerd would wait for that "running" containerd
	# instead of starting its own. A host's init reaps at once.
	local cpid; cpid=$(cat "$D/exec/containerd/containerd.pid" 2>/dev/null)
	if [ -n "$cpid" ] && [ "$(awk '{print $3}' "/proc/$cpid/stat" 2>/dev/null)" = Z ]; then
		lab_log "containerd pid $cpid of $h's previous dockerd is an unreaped zombie: removing its pid file"
		rm -f "$D/exec/containerd/containerd.pid"
	fi
	# LAB_CONTAINERD_WAIT=S: start containerd first and give it S seconds to
	# listen (dockerd's own wait is too short on a slow emulated guest)
	local ctd= ctdopt=
	if [ -n "${LAB_CONTAINERD_WAIT:-}" ]; then
		printf 'version = 2\nroot = "%s"\nstate = "%s"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "%s"\n' \
			"$D/data/ctd" "$D/exec/ctd" "$D/exec/ctd.sock" > "$D/containerd.toml"
		ctd="containerd --config $D/containerd.toml >> $D/containerd.log 2>&1 & echo \$! > $D/containerd.pid
	  i=0; while [ ! -S $D/exec/ctd.sock ] && [ \$i -lt $((LAB_CONTAINERD_WAIT * 10)) ]; do sleep 0.1; i=\$((i + 1)); done"
		ctdopt="--containerd=$D/exec/ctd.sock"
	fi
	setsid nsenter --net="/run/netns/$ns" -- unshare --mount --propagation slave -- sh -c "
	  mount --rbind /sys/fs/cgroup $D/.cg
	  umount -l /sys; mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
	  mount --rbind $D/.cg /sys/fs/cgroup; umount -l $D/.cg
	  mount -t tmpfs -o mode=0700 tmpfs /run/docker; mkdir -p /run/docker/plugins; mount --bind $D/plugins /run/docker/plugins
	  mount -t tmpfs -o mode=0755 tmpfs /etc/docker; mkdir -p /etc/docker/plugins; mount --bind $D/plugins-spec /etc/docker/plugins
	  $ctd
	  exec $LAB_DOCKERD $ctdopt --data-root $D/data --exec-root $D/exec --pidfile $D/docker.pid -H unix://$D/docker.sock \
	    --config-file $D/daemon.json --storage-driver=overlay2 --cgroup-parent=/rplab-$ns \
	    --bridge=none --iptables=false --ip-masq=false --userland-proxy=false" >> "$D/dockerd.log" 2>&1 </dev/null &
	LAB_DOCKERD_PID[$h]=$!
	echo "$!" > "$D/launcher.pid"
}
lab_dockerd_wait() {
	local h=$1 D; D=$(lab_ddir "$1")
	if ! retry "${LAB_DOCKERD_WAIT:-90}" _lab_dockerd_up "$h"; then
		lab_log "dockerd log (tail):"; tail -n 30 "$D/dockerd.log" | sed 's/^/#   | /'
		[ -s "$D/containerd.log" ] && { lab_log "containerd log (tail):"; tail -n 15 "$D/containerd.log" | sed "s/^/#   | /"; }
		lab_bail "lab dockerd for $h did not come up within ${LAB_DOCKERD_WAIT:-90} s (see above)"
	fi
	# from now on the pid file is the authority
	[ -s "$D/docker.pid" ] && LAB_DOCKERD_PID[$h]=$(cat "$D/docker.pid")
	lab_log "dockerd $h up, pid ${LAB_DOCKERD_PID[$h]:-}, socket $D/docker.sock"
}

_lab_dockerd_up() {
	local D; D=$(lab_ddir "$1")
	kill -0 "${LAB_DOCKERD_PID[$1]:-}" 2>/dev/null || return 255	# died
	[ -S "$D/docker.sock" ] && lab_docker "$1" version >/dev/null 2>&1
}

# lab_docker HOST ARGS...: the docker CLI against HOST's engine
lab_docker() {
	local h=$1; shift
	local D; D=$(lab_ddir "$h")
	env -u DOCKER_HOST -u DOCKER_CONTEXT "$LAB_DOCKER" -H "unix://$D/docker.sock" "$@"
}

# lab_docker_t HOST TIMEOUT_S ARGS...: same, killed after TIMEOUT_S (exit 124)
lab_docker_t() {
	local h=$1 t=$2; shift 2
	local D; D=$(lab_ddir "$h")
	env -u DOCKER_HOST -u DOCKER_CONTEXT timeout "$t" "$LAB_DOCKER" -H "unix://$D/docker.sock" "$@"
}

# lab_image HOST: import a busybox-static image as $LAB_IMAGE_TAG
lab_image() {
	local h=$1 tarball="$LAB_DIR/bb.tar"
	if [ ! -s "$tarball" ]; then
		local r="$LAB_DIR/bb-rootfs" a
		mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,var/run}
		chmod 1777 "$r/tmp"
		cp "$LAB_BUSYBOX" "$r/bin/busybox"
		for a in $("$r/bin/busybox" --list); do
			[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
		done
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$r/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
		tar --numeric-owner -C "$r" -cf "$tarball" . || lab_bail "cannot build image tarball"
		rm -rf "$r"
	fi
	lab_docker "$h" import --change 'CMD ["/bin/sh"]' "$tarball" "$LAB_IMAGE_TAG" >/dev/null ||
		lab_bail "docker import of $LAB_IMAGE_TAG on $h failed"
}

# lab_burst HOST DIR N PAR PREFIX ARGS...: N "docker run -d --name PREFIX<i>
# ARGS..." on HOST, PAR at a time (90 s timeout each); each run's exit code
# and output go to DIR/PREFIX<i> as "RC OUTPUT". Returns when all are done
# (run it in the background to act during the burst).
lab_burst() {
	local h=$1 dir=$2 n=$3 par=$4 pre=$5 i; shift 5
	mkdir -p "$dir"
	for i in $(seq 1 "$n"); do
		while [ "$(jobs -rp | wc -l)" -ge "$par" ]; do wait -n; done
		(	out=$(lab_docker_t "$h" 90 run -d --name "$pre$i" "$@" 2>&1)
			echo "$? $(echo $out)" > "$dir/$pre$i" ) &
	done
	wait
}

# lab_burst_ok DIR: how many runs of lab_burst succeeded so far
lab_burst_ok() { grep -l '^0 ' "$1"/* 2>/dev/null | wc -l; }

# lab_burst_failed DIR: the failed runs' outputs, as comment lines
lab_burst_failed() { grep -vh '^0 ' "$1"/* 2>/dev/null | cut -c1-200 | sed 's/^/#   failed run: /'; }

# lab_cpid HOST CONTAINER: the container's init pid
lab_cpid() { lab_docker "$1" inspect -f '{{.State.Pid}}' "$2"; }

# lab_cexec HOST CONTAINER CMD...: host tool CMD inside the container's netns
lab_cexec() {
	local h=$1 c=$2; shift 2
	local pid; pid=$(lab_cpid "$h" "$c") || return 1
	[ -n "$pid" ] && [ "$pid" != 0 ] || return 1
	nsenter -t "$pid" -n -- "$@"
}

# lab_plugin HOST [FLAGS...]: start routed-plugin inside HOST's netns
lab_plugin() {
	local h=$1; shift
	local ns=${LAB_NS[$h]:-} hd; hd=$(lab_hdir "$h")
	local D; D=$(lab_ddir "$h")
	[ -x "$LAB_PLUGIN_BIN" ] || lab_bail "plugin binary $LAB_PLUGIN_BIN not found (run make first)"
	mkdir -p "$hd/state" "$D/plugins"
	local dbg=--debug f
	for f in "$@"; do [ "$f" = --debug ] && dbg=; done
	# never let a lab plugin reach the machine's own zebra (a unix socket
	# path is not confined by the network namespace)
	case " $* " in *" --zebra-socket "*|*" --announce "*) ;; *) dbg="$dbg --announce none" ;; esac
	rm -f "$D/plugins/net-routed.sock" "$D/plugins/ipam-routed.sock"
	echo "=== $(date '+%F %T') start: $LAB_PLUGIN_BIN --socket-dir $D/plugins --state-dir $hd/state --run-dir $hd/run $dbg $*" >> "$hd/plugin.log"
	# ip netns exec and nsenter exec the program: $! is the plugin's own pid.
	# LAB_PLUGIN_DOCKERD_MNT=1: in dockerd's mount namespace, where the
	# SandboxKey bind mounts are (--extra-addresses opens them), as on a
	# host where both share the host's mounts.
	local -a in_ns=(ip netns exec "$ns")
	[ "${LAB_PLUGIN_DOCKERD_MNT:-0}" = 1 ] &&
		in_ns=(nsenter --mount="/proc/${LAB_DOCKERD_PID[$h]:-0}/ns/mnt" --net="/run/netns/$ns" --)
	"${in_ns[@]}" "$LAB_PLUGIN_BIN" --socket-dir "$D/plugins" \
		--state-dir "$hd/state" --run-dir "$hd/run" $dbg "$@" >> "$hd/plugin.log" 2>&1 </dev/null &
	LAB_PLUGIN_PID[$h]=$!
	LAB_PLUGIN_STARTED[$h]=1
	echo "$!" > "$hd/plugin.pid"
	if ! retry 10 _lab_plugin_up "$h"; then
		lab_log "plugin log (tail):"; tail -n 30 "$hd/plugin.log" | sed 's/^/#   | /'
		lab_bail "routed-plugin on $h did not create both sockets within 10 s"
	fi
	lab_log "routed-plugin $h up, pid ${LAB_PLUGIN_PID[$h]:-}, log $hd/plugin.log"
}

_lab_plugin_up() {
	local D; D=$(lab_ddir "$1")
	kill -0 "${LAB_PLUGIN_PID[$1]:-}" 2>/dev/null || return 255	# died
	[ -S "$D/plugins/net-routed.sock" ] && [ -S "$D/plugins/ipam-routed.sock" ]
}

# lab_plugin_log HOST [N]: last N (default 40) plugin log lines, as comments
lab_plugin_log() {
	local hd; hd=$(lab_hdir "$1")
	tail -n "${2:-40}" "$hd/plugin.log" 2>/dev/null | sed 's/^/#   | /'
}

# lab_plugin_stop HOST: SIGTERM, wait, assert exit 0 and sockets removed
lab_plugin_stop() {
	local h=$1 pid=${LAB_PLUGIN_PID[$1]:-}
	local D; D=$(lab_ddir "$h")
	[ -n "$pid" ] || { fail "plugin $h: not running (no pid)"; return; }
	kill -TERM "$pid" 2>/dev/null
	local rc
	if _lab_wait_gone "$pid" 10; then
		wait "$pid" 2>/dev/null; rc=$?
		assert_eq "$rc" 0 "plugin $h exits with status 0 on SIGTERM"
	else
		fail "plugin $h exits within 10 s of SIGTERM"
		kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	fi
	LAB_PLUGIN_PID[$h]=
	if [ ! -e "$D/plugins/net-routed.sock" ] && [ ! -e "$D/plugins/ipam-routed.sock" ]; then
		ok "plugin $h removed its sockets on exit"
	else
		fail "plugin $h removed its sockets on exit"; ls -l "$D/plugins" | sed 's/^/#   | /'
	fi
}

# lab_zmq HOST: the ipc:// endpoint of HOST's route stream (in the lab dir)
lab_zmq() { printf 'ipc://%s/routes.sock\n' "$(lab_hdir "$1")"; }

# lab_helper HOST [FLAGS...]: start routed-zebra-helper inside HOST's netns,
# following lab_zmq HOST and holding the session to HOST's zebra (never the
# machine's own: --zebra-socket is always given); log <host>/helper.log
lab_helper() {
	local h=$1; shift
	local ns=${LAB_NS[$h]:-} hd; hd=$(lab_hdir "$h")
	[ -x "$LAB_HELPER_BIN" ] || lab_bail "helper binary $LAB_HELPER_BIN not found (run make first)"
	mkdir -p "$hd/run"
	local args=(--zmq-endpoint "$(lab_zmq "$h")" --zebra-socket "$(lab_zserv "$h")"
		--run-dir "$hd/run" --debug "$@")
	echo "=== $(date '+%F %T') start: $LAB_HELPER_BIN ${args[*]}" >> "$hd/helper.log"
	ip netns exec "$ns" "$LAB_HELPER_BIN" "${args[@]}" >> "$hd/helper.log" 2>&1 </dev/null &
	LAB_HELPER_PID[$h]=$!
	if ! retry 10 _lab_helper_up "$h"; then
		lab_log "helper log (tail):"; tail -n 30 "$hd/helper.log" | sed 's/^/#   | /'
		lab_bail "routed-zebra-helper on $h did not log 'ready' within 10 s"
	fi
	lab_log "routed-zebra-helper $h up, pid ${LAB_HELPER_PID[$h]}, log $hd/helper.log"
}

_lab_helper_up() {
	local hd; hd=$(lab_hdir "$1")
	kill -0 "${LAB_HELPER_PID[$1]:-}" 2>/dev/null || return 255	# died
	# "ready" of this run: after the last start line
	awk '/^=== .* start: /{r = 0} / ready/{r = 1} END{exit !r}' "$hd/helper.log"
}

# lab_helper_stop HOST: SIGTERM, wait, assert exit 0
lab_helper_stop() {
	local h=$1 pid=${LAB_HELPER_PID[$1]:-} rc
	[ -n "$pid" ] || { fail "helper $h: not running (no pid)"; return; }
	kill -TERM "$pid" 2>/dev/null
	if _lab_wait_gone "$pid" 10; then
		wait "$pid" 2>/dev/null; rc=$?
		assert_eq "$rc" 0 "helper $h exits with status 0 on SIGTERM"
	else
		fail "helper $h exits within 10 s of SIGTERM"
		kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	fi
	LAB_HELPER_PID[$h]=
}

# lab_helper_log HOST [N]: last N (default 40) helper log lines, as comments
lab_helper_log() {
	tail -n "${2:-40}" "$(lab_hdir "$1")/helper.log" 2>/dev/null | sed 's/^/#   | /'
}

# _lab_wait_gone PID TIMEOUT_S: wait until PID no longer exists (or is a zombie)
_lab_wait_gone() {
	local pid=$1 end=$((SECONDS + $2)) st
	while kill -0 "$pid" 2>/dev/null; do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		[ "$st" = Z ] && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# _lab_pid_is PID WORD: PID is alive and its command line mentions WORD
# (guards every kill against pid reuse)
_lab_pid_is() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2"
}

# _lab_stop_pid PID WORD TIMEOUT_S
_lab_stop_pid() {
	local pid=$1 word=$2 t=$3
	_lab_pid_is "$pid" "$word" || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! _lab_wait_gone "$pid" "$t"; then
		lab_warn "pid $pid ($word) ignored SIGTERM for ${t}s; SIGKILL"
		kill -KILL "$pid" 2>/dev/null
		_lab_wait_gone "$pid" 5
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# lab_cleanup: remove everything this lab created; idempotent, never fails
lab_cleanup() {
	[ -n "$_LAB_CLEANED" ] && return 0
	_LAB_CLEANED=1
	# a qemu guest (lab_guest_run) powers off next: its processes, namespaces
	# and tmpfs go with it, and stopping engines politely costs minutes there
	[ -n "${LAB_GUEST:-}" ] && return 0
	set +eu		# must never stop half-way (callers may run with set -eu)
	local h ns D hd pid ids nets p i t
	for h in "${LAB_HOSTS[@]}"; do
		D=$(lab_ddir "$h")
		# with its plugin gone every engine call would retry for ~15 s:
		# then skip the polite part, the namespace goes away anyway
		if [ -n "${LAB_PLUGIN_STARTED[$h]:-}" ] && ! _lab_pid_is "${LAB_PLUGIN_PID[$h]:-}" routed-plugin; then
			continue
		fi
		if [ -S "$D/docker.sock" ] && _lab_pid_is "${LAB_DOCKERD_PID[$h]:-}" dockerd; then
			ids=$(timeout 20 "$LAB_DOCKER" -H "unix://$D/docker.sock" ps -aq 2>/dev/null)
			[ -n "$ids" ] && timeout 40 "$LAB_DOCKER" -H "unix://$D/docker.sock" rm -f $ids >/dev/null 2>&1
			nets=$(timeout 20 "$LAB_DOCKER" -H "unix://$D/docker.sock" network ls -q \
				--filter driver=net-routed 2>/dev/null)
			[ -n "$nets" ] && timeout 40 "$LAB_DOCKER" -H "unix://$D/docker.sock" network rm $nets >/dev/null 2>&1
		fi
	done
	for h in "${LAB_HOSTS[@]}"; do
		D=$(lab_ddir "$h")
		ns=${LAB_NS[$h]:-}
		pid=${LAB_DOCKERD_PID[$h]:-}
		[ -s "$D/docker.pid" ] && pid=$(cat "$D/docker.pid")
		t=20
		[ -n "${LAB_PLUGIN_STARTED[$h]:-}" ] && ! _lab_pid_is "${LAB_PLUGIN_PID[$h]:-}" routed-plugin && t=5
		_lab_stop_pid "$pid" dockerd $t
		# containers that outlived their engine: everything in the engine's
		# own --cgroup-parent (named after our namespace) is ours
		for p in $(cat /sys/fs/cgroup/pids/rplab-"$ns"/*/cgroup.procs \
				/sys/fs/cgroup/rplab-"$ns"/*/cgroup.procs 2>/dev/null); do
			lab_warn "leftover container process $p: $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)"
			kill -KILL "$p" 2>/dev/null
		done
		# the launcher (setsid/nsenter/unshare/sh) normally is dockerd itself
		_lab_stop_pid "$(cat "$D/launcher.pid" 2>/dev/null)" "$D" 5
		_lab_stop_pid "$(cat "$D/containerd.pid" 2>/dev/null)" containerd 10	# LAB_CONTAINERD_WAIT
		pid=${LAB_PLUGIN_PID[$h]:-}
		_lab_stop_pid "$pid" routed-plugin 10
		_lab_stop_pid "${LAB_HELPER_PID[$h]:-}" routed-zebra-helper 10
	done
	# FRR daemons (lab_frr), by their pid files, after the plugins
	lab_frr_cleanup
	for h in "${LAB_HOSTS[@]}"; do
		ns=${LAB_NS[$h]:-}
		[ -n "$ns" ] || continue
		# anything still running in our namespace is ours (containerd, shims)
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			lab_warn "leftover process $p in $ns: $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)"
			kill -TERM "$p" 2>/dev/null
		done
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.3
		done
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns delete "$ns" 2>/dev/null
		# cgroups dockerd created under --cgroup-parent (cgroup v1 and v2)
		for p in /sys/fs/cgroup/rplab-"$ns" /sys/fs/cgroup/*/rplab-"$ns"; do
			[ -d "$p" ] || continue
			find "$p" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
	done
	if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
		# never rm -rf through a mount point
		local mnts
		mnts=$(awk -v d="$LAB_DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
		for p in $mnts; do umount -l "$p" 2>/dev/null; done
		mnts=$(awk -v d="$LAB_DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo)
		if [ -n "$mnts" ]; then
			lab_warn "mounts left under $LAB_DIR, not removing it: $mnts"
		elif [ -n "${LAB_KEEP:-}" ]; then
			lab_log "LAB_KEEP set: keeping $LAB_DIR"
		else
			rm -rf --one-file-system "$LAB_DIR"
		fi
	fi
	return 0
}

# ---------------------------------------------------------------- FRR
#
# One FRR instance per host (zebra + ospfd or bgpd), recipe form
# (/work/shared/docs/test-lab.md "One FRR instance per host"): every daemon
# runs in the host's netns with -z <dir>/zserv.api --vty_socket <dir>
# -i <dir>/<daemon>.pid -P 0 -u frr -g frr -d, where <dir> = <lab>/HOST/frr.
# The configuration files are the shipped examples in $top_srcdir/frr-conf
# with only the @PLACEHOLDER@s replaced, so that the tests prove the files
# operators are given. Daemons log to <dir>/<daemon>.log (--log).
#
#   lab_frr hostA ospf HOSTNAME=hostA ROUTER_ID=10.250.0.1 FABRIC_IF=fabA \
#       FABRIC_NET=10.200.0.0/30
#   lab_vtysh hostA 'show ip ospf neighbor'
#   lab_plugin hostA --zebra-socket "$(lab_zserv hostA)"

# LAB_FRR_PREFIX=DIR runs another FRR build instead of Debian's: DIR/lib/frr
# holds the daemons, DIR/bin/vtysh the shell and DIR/lib the libraries (as
# in ../shared/frr/frr-10.3.4, whose .so symlinks were copied as small
# files naming their target: lab_frr_need links them properly in the lab
# dir and every daemon and vtysh gets LD_LIBRARY_PATH=that directory).
LAB_FRR_PREFIX=${LAB_FRR_PREFIX:-}
if [ -n "$LAB_FRR_PREFIX" ]; then
	LAB_FRR_DIR=${LAB_FRR_DIR:-$LAB_FRR_PREFIX/lib/frr}
	LAB_VTYSH=${LAB_VTYSH:-$LAB_FRR_PREFIX/bin/vtysh}
fi
LAB_FRR_DIR=${LAB_FRR_DIR:-/usr/lib/frr}
LAB_VTYSH=${LAB_VTYSH:-/usr/bin/vtysh}
LAB_FRR_CONF=${LAB_FRR_CONF:-$top_srcdir/frr-conf}
LAB_FRR_LIB=			# LD_LIBRARY_PATH for LAB_FRR_PREFIX's binaries
declare -A LAB_FRR_DAEMONS=()	# host -> "zebra ospfd" / "zebra bgpd"

# _lab_frr_env: the env(1) arguments every FRR binary runs with
_lab_frr_env() { printf '%s\n' ${LAB_FRR_LIB:+LD_LIBRARY_PATH=$LAB_FRR_LIB}; }

# _lab_frr_libs: LAB_FRR_PREFIX/lib as a directory of real symlinks in the
# lab dir (a file of under 64 bytes names the library it stands for)
_lab_frr_libs() {
	local src=$LAB_FRR_PREFIX/lib dst=$LAB_DIR/frr-lib f b
	mkdir -p "$dst" || return 1
	for f in "$src"/*.so*; do
		[ -e "$f" ] || continue
		b=${f##*/}
		if [ ! -L "$f" ] && [ "$(stat -c %s "$f")" -lt 64 ]; then
			ln -s "$(cat "$f")" "$dst/$b" || return 1
		else
			ln -s "$f" "$dst/$b" || return 1
		fi
	done
	chmod 755 "$dst"
	LAB_FRR_LIB=$dst
}

lab_fdir()  { printf '%s/%s/frr\n' "$LAB_DIR" "$1"; }
# lab_zserv HOST: the zserv socket of HOST's zebra (for --zebra-socket)
lab_zserv() { printf '%s/zserv.api\n' "$(lab_fdir "$1")"; }

# lab_frr_need: skip the test unless FRR's daemons and vtysh are installed
lab_frr_need() {
	local c
	for c in zebra ospfd bgpd; do
		[ -x "$LAB_FRR_DIR/$c" ] || lab_skip "$LAB_FRR_DIR/$c not found (package frr)"
	done
	[ -x "$LAB_VTYSH" ] || lab_skip "vtysh not found at $LAB_VTYSH (package frr)"
	id frr >/dev/null 2>&1 || lab_skip "no user frr (package frr)"
	if [ -n "$LAB_FRR_PREFIX" ]; then
		_lab_frr_libs || lab_bail "cannot link $LAB_FRR_PREFIX/lib into $LAB_DIR"
		local v; v=$(env $(_lab_frr_env) "$LAB_FRR_DIR/zebra" --version 2>&1 | head -n 1)
		case $v in
		"zebra version "*) lab_log "FRR from $LAB_FRR_PREFIX: $v" ;;
		*) lab_bail "$LAB_FRR_DIR/zebra does not run: $v" ;;
		esac
	fi
	[ -d "$LAB_FRR_CONF" ] || lab_bail "example configuration $LAB_FRR_CONF not found"
}

# lab_zebra_plugin_need: skip unless the plugin was built with zebra support
lab_zebra_plugin_need() {
	"$LAB_PLUGIN_BIN" --help 2>/dev/null | grep -q -- --zebra-socket ||
		lab_skip "$LAB_PLUGIN_BIN has no --zebra-socket (built without zebra support?)"
}

# lab_ctl HOST ARGS...: routedctl against HOST's plugin (LAB_ROUTEDCTL: the
# binary, default beside LAB_PLUGIN_BIN)
lab_ctl() {
	local h=$1; shift
	"${LAB_ROUTEDCTL:-$(dirname "$LAB_PLUGIN_BIN")/routedctl}" --run-dir "$(lab_hdir "$h")/run" "$@"
}

# lab_frr_render HOST FILE KEY=VAL...: frr-conf/FILE with @KEY@ -> VAL into
# HOST's FRR dir (frr:frr 640); fails if a placeholder is left over
lab_frr_render() {
	local h=$1 f=$2; shift 2
	local d; d=$(lab_fdir "$h")
	local kv k v expr=()
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		v=${v//\\/\\\\}; v=${v//|/\\|}; v=${v//&/\\&}
		expr+=(-e "s|@$k@|$v|g")
	done
	# LAB_FRR_ROUTE_TYPE: the plugin's route type, where the examples say babel
	[ -n "${LAB_FRR_ROUTE_TYPE:-}" ] &&
		expr+=(-e "s|^\( *redistribute\) babel|\1 $LAB_FRR_ROUTE_TYPE|")
	sed "${expr[@]}" "$LAB_FRR_CONF/$f" > "$d/$f" || return 1
	if grep -q '@[A-Z_]*@' "$d/$f"; then
		lab_warn "$f for $h: placeholder(s) left: $(grep -o '@[A-Z_]*@' "$d/$f" | sort -u | tr '\n' ' ')"
		return 1
	fi
	chown frr:frr "$d/$f" && chmod 640 "$d/$f"
}

# lab_frr HOST ospf|bgp KEY=VAL...: render zebra.conf, vtysh.conf and
# ospfd.conf or bgpd.conf for HOST, start zebra then ospfd or bgpd, wait
# until each answers on its vty
lab_frr() {
	local h=$1 proto=$2; shift 2
	local d; d=$(lab_fdir "$h")
	local p
	case $proto in
	ospf) p=ospfd ;;
	bgp)  p=bgpd ;;
	*)    lab_bail "lab_frr: unknown protocol '$proto' (ospf or bgp)" ;;
	esac
	mkdir -p "$d" && chown frr:frr "$d" && chmod 755 "$d" || lab_bail "cannot create $d"
	local f
	for f in zebra.conf "$p.conf" vtysh.conf; do
		lab_frr_render "$h" "$f" "$@" || lab_bail "cannot render frr-conf/$f for $h"
	done
	LAB_FRR_DAEMONS[$h]="zebra $p"
	lab_frr_start "$h" zebra || lab_bail "zebra on $h did not come up"
	lab_frr_start "$h" "$p" || lab_bail "$p on $h did not come up"
	lab_log "FRR $h up: zebra $p, dir $d"
}

# lab_frr_pid HOST DAEMON: the pid in DAEMON's pid file, if that process is
# alive and is that daemon of this lab
lab_frr_pid() {
	local d; d=$(lab_fdir "$1")
	local pid; pid=$(cat "$d/$2.pid" 2>/dev/null)
	_lab_pid_is "$pid" "$d/$2.pid" && printf '%s\n' "$pid"
}

# lab_frr_start HOST DAEMON: start one daemon (again) with the recipe's flags
# and its config file; waits (15 s) until vtysh reaches it
lab_frr_start() {
	local h=$1 dm=$2
	local d; d=$(lab_fdir "$h")
	local pid
	pid=$(lab_frr_pid "$h" "$dm")
	[ -n "$pid" ] && { lab_warn "$dm on $h already runs (pid $pid)"; return 0; }
	rm -f "$d/$dm.pid"
	echo "=== $(date '+%F %T') start $dm" >> "$d/$dm.out"
	ip netns exec "${LAB_NS[$h]:-}" env $(_lab_frr_env) "$LAB_FRR_DIR/$dm" -d -f "$d/$dm.conf" -i "$d/$dm.pid" \
		-z "$d/zserv.api" --vty_socket "$d" -P 0 -u frr -g frr \
		--log "file:$d/$dm.log" >> "$d/$dm.out" 2>&1 </dev/null
	if ! retry 15 _lab_frr_up "$h" "$dm"; then
		lab_log "$dm on $h did not answer; $d/$dm.out and $dm.log (tail):"
		tail -n 20 "$d/$dm.out" "$d/$dm.log" 2>/dev/null | sed 's/^/#   | /'
		return 1
	fi
	return 0
}

_lab_frr_up() {
	local pid; pid=$(lab_frr_pid "$1" "$2")
	[ -n "$pid" ] || return 1
	lab_vtysh_d "$1" "$2" 'show version' >/dev/null 2>&1
}

# lab_vtysh HOST CMD...: vtysh of HOST's FRR, one -c per CMD
lab_vtysh() {
	local h=$1; shift
	local d; d=$(lab_fdir "$h")
	local a=() c
	for c in "$@"; do a+=(-c "$c"); done
	env $(_lab_frr_env) "$LAB_VTYSH" --vty_socket "$d" --config_dir "$d" "${a[@]}"
}

# lab_vtysh_d HOST DAEMON CMD...: same, to one daemon only
lab_vtysh_d() {
	local h=$1 dm=$2; shift 2
	local d; d=$(lab_fdir "$h")
	local a=() c
	for c in "$@"; do a+=(-c "$c"); done
	env $(_lab_frr_env) "$LAB_VTYSH" --vty_socket "$d" --config_dir "$d" -d "$dm" "${a[@]}"
}

# lab_frr_stop HOST [DAEMON...]: SIGTERM by pid file and wait (ospfd takes
# 1-3 s: it flushes its LSAs); no DAEMON: all of HOST's, zebra last.
# Returns 1 if one had to be killed.
lab_frr_stop() {
	local h=$1; shift
	local d; d=$(lab_fdir "$h")
	local list=("$@") dm pid rc=0
	if [ ${#list[@]} -eq 0 ]; then
		list=(bgpd ospfd staticd zebra)
	fi
	for dm in "${list[@]}"; do
		pid=$(lab_frr_pid "$h" "$dm")
		[ -n "$pid" ] || continue
		kill -TERM "$pid" 2>/dev/null
		if ! _lab_wait_gone "$pid" 10; then
			lab_warn "$dm on $h (pid $pid) ignored SIGTERM for 10 s; SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			_lab_wait_gone "$pid" 5
			rc=1
		fi
		rm -f "$d/$dm.pid"
	done
	return $rc
}

# lab_frr_cleanup: stop every FRR daemon of the lab (all hosts at once, so
# the ospfds' 1-3 s exits overlap); called by lab_cleanup
lab_frr_cleanup() {
	local h dm pid pids=()
	for h in "${LAB_HOSTS[@]}"; do
		for dm in bgpd ospfd staticd; do
			pid=$(lab_frr_pid "$h" "$dm")
			[ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null; pids+=("$pid"); }
		done
	done
	for pid in "${pids[@]}"; do
		_lab_wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null
	done
	for h in "${LAB_HOSTS[@]}"; do lab_frr_stop "$h" zebra; done
	return 0
}

# lab_ospf_adjacency HA HB: assert that the OSPF adjacency between HA and
# HB is Full (within 30 s); without it a two-host test cannot go on (bail)
lab_ospf_adjacency() {
	local a=$1 b=$2
	lab_log "--- OSPF adjacency"
	if retry 30 _lab_ospf_full "$a" && retry 5 _lab_ospf_full "$b"; then
		ok "OSPF adjacency $a <-> $b is Full"
	else
		fail "OSPF adjacency $a <-> $b is Full"
		lab_vtysh "$a" 'show ip ospf neighbor' 'show ip ospf interface' | sed 's/^/#   | /'
		lab_bail "no adjacency, cannot go on"
	fi
}
_lab_ospf_full() { lab_vtysh "$1" 'show ip ospf neighbor' 2>/dev/null | grep -q ' Full/'; }

# lab_watch_start HOST ADDR FILE: sample every 50 ms whether HOST's kernel
# has a route for exactly ADDR/32, one "EPOCHREALTIME 0|1" line a sample,
# into FILE, until lab_watch_stop FILE. No fork per sample: HOST's table is
# read through /proc/<zebra of HOST>/net/route, and read -t is the sleep.
lab_watch_start() {
	local h=$1 a=$2 f=$3 zpid hex
	zpid=$(lab_frr_pid "$h" zebra)
	[ -n "$zpid" ] || lab_bail "lab_watch_start: no zebra on $h"
	# /proc/net/route: the address as the host's (little-endian) u32
	hex=$(printf '%s\n' "$a" | awk -F. '{printf "%02X%02X%02X%02X", $4, $3, $2, $1}')
	: > "$f"
	rm -f "$f.stop"
	(	exec 3<> <(:)
		while [ ! -e "$f.stop" ]; do
			v=0
			while read -r _ dst _ _ _ _ _ mask _; do
				[ "$dst" = "$hex" ] && [ "$mask" = FFFFFFFF ] && v=1
			done < "/proc/$zpid/net/route"
			echo "$EPOCHREALTIME $v"
			read -r -t 0.05 -u 3 _
		done >> "$f" ) &
	LAB_WATCH_PID[$f]=$!
	# ahead of a burst of docker runs on a 2-vCPU machine (only our own
	# sampler's priority changes)
	renice -n -10 -p "$!" >/dev/null 2>&1
}

# lab_watch_stop TEXT FILE [MAXGAP_MS]: stop the sampler and assert that the
# samples are dense (>= 50, no gap over MAXGAP_MS, default 250) and that the
# route was in every one
lab_watch_stop() {
	local text=$1 f=$2 maxgap=${3:-250} n miss gap
	touch "$f.stop"
	wait "${LAB_WATCH_PID[$f]:-}" 2>/dev/null
	n=$(grep -c . "$f"); miss=$(grep -c ' 0$' "$f")
	gap=$(awk 'NR > 1 {d = $1 - p; if (d > m) m = d} {p = $1} END {printf "%.0f", m * 1000}' "$f")
	if [ "$n" -ge 50 ] && [ "${gap:-99999}" -le "$maxgap" ]; then
		ok "$text: sampled at least every $maxgap ms, >= 50 samples ($n samples, largest gap $gap ms)"
	else
		fail "$text: sampled at least every $maxgap ms, >= 50 samples ($n samples, largest gap $gap ms)"
	fi
	assert_eq "$miss" 0 "$text: the route is there in every sample ($n samples)"
	[ "$miss" -gt 0 ] && grep ' 0$' "$f" | head -5 | sed 's/^/#   missing at /'
}

# lab_pair HA HB ospf|bgp: two routed hosts joined by one /30, each with its
# own FRR from frr-conf/ (zebra + ospfd, or zebra + bgpd in AS 64601/64602):
#   HA: dum0 10.250.0.1/32 (router ID), fabA 10.200.0.1/30
#   HB: dum0 10.250.0.2/32 (router ID), fabB 10.200.0.2/30
# Only names and addresses are substituted into the shipped files.
lab_pair() {
	local ha=$1 hb=$2 proto=$3
	lab_host "$ha" 10.250.0.1/32
	lab_host "$hb" 10.250.0.2/32
	lab_link "$ha" fabA "$hb" fabB
	lab_ip "$ha" addr add 10.200.0.1/30 dev fabA
	lab_ip "$hb" addr add 10.200.0.2/30 dev fabB
	lab_frr "$ha" "$proto" HOSTNAME="$ha" ROUTER_ID=10.250.0.1 FABRIC_IF=fabA \
		FABRIC_NET=10.200.0.0/30 ASN=64601 PEER_ADDR=10.200.0.2 PEER_ASN=64602
	lab_frr "$hb" "$proto" HOSTNAME="$hb" ROUTER_ID=10.250.0.2 FABRIC_IF=fabB \
		FABRIC_NET=10.200.0.0/30 ASN=64602 PEER_ADDR=10.200.0.1 PEER_ASN=64601
}

# ---------------------------------------------------------------- ipvlan

# lab_ipvlan_here: 0 when this kernel makes ipvlan links
lab_ipvlan_here() {
	local ns=ipvprobe-$$ r=1
	[ -n "${LAB_GUEST:-}" ] && return 0
	modprobe -q ipvlan 2>/dev/null; modprobe -q dummy 2>/dev/null
	ip netns add "$ns" 2>/dev/null || return 1
	ip -n "$ns" link add d0 type veth peer name d1 2>/dev/null &&
		ip -n "$ns" link add i0 link d0 type ipvlan mode l3 2>/dev/null && r=0
	ip netns delete "$ns"
	return $r
}

# lab_guest_run SCRIPT: run SCRIPT (with LAB_GUEST=1) as root in a qemu
# guest on a Debian kernel of /boot that has ipvlan as a module, over this
# machine's root file system (9p, read-only; tmpfs on /run and /tmp), for
# kernels without CONFIG_IPVLAN; exits with SCRIPT's status (77 when the
# guest cannot be had). LAB_GUEST_ENV="NAME=VALUE ...": set in the guest.
# TCG: this machine's nested KVM may not boot a guest.
lab_guest_run() {
	local script=$1 k mods m m2 f d rc
	for k in /boot/vmlinuz-*; do
		[ -e "$k" ] || continue
		m=/lib/modules/${k#/boot/vmlinuz-}
		[ -e "$m/kernel/drivers/net/ipvlan/ipvlan.ko" ] && [ -e "$m/kernel/fs/9p/9p.ko" ] && break
		m=
	done
	command -v cpio >/dev/null || lab_skip "kernel has no ipvlan and cpio is missing"
	command -v qemu-system-x86_64 >/dev/null || lab_skip "kernel has no ipvlan and qemu-system-x86_64 is missing (package qemu-system-x86)"
	[ -n "${m:-}" ] || lab_skip "kernel has no ipvlan and no /boot kernel with ipvlan and 9p modules (package linux-image-amd64)"
	local bb; bb=$(command -v busybox) || lab_skip "busybox missing"
	d=$(mktemp -d /tmp/ipvdp.XXXXXX)
	trap 'rm -rf "$d"' EXIT
	mkdir -p "$d/root/bin" "$d/root/mods" "$d/root/proc" "$d/root/sys" "$d/root/dev" "$d/root/newroot" "$d/out"
	cp "$bb" "$d/root/bin/busybox"
	for m2 in sh mount mkdir insmod cat poweroff chroot sed; do ln -s busybox "$d/root/bin/$m2"; done
	mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"
	for m2 in $mods; do
		f=$(find "$m/kernel" -name "$m2.ko*" | head -1)
		[ -n "$f" ] && cp "$f" "$d/root/mods/$m2.ko"
	done
	# The guest's /tmp is a fresh tmpfs: a source or build tree (or the
	# shared folder beside it) under the host's /tmp is bound back over it.
	local stash= unstash= i=0 t
	for t in "$top_srcdir" "$top_builddir" "$top_srcdir/../shared"; do
		[ -d "$t" ] || continue
		t=$(cd "$t" && pwd -P)
		case $t in /tmp/*) ;; *) continue ;; esac
		i=$((i + 1))
		stash="$stash
mkdir -p /stash$i; mount -o bind /newroot$t /stash$i"
		unstash="$unstash
mkdir -p /newroot$t; mount -o bind /stash$i /newroot$t"
	done
	cat > "$d/root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $mods; do [ -e /mods/\$m.ko ] && insmod /mods/\$m.ko; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /newroot || poweroff -f
mount -t proc proc /newroot/proc; mount -t sysfs sys /newroot/sys; mount -t devtmpfs dev /newroot/dev
$stash
mount -t tmpfs tmpfs /newroot/run; mount -t tmpfs tmpfs /newroot/tmp
$unstash
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /newroot/mnt
# as switch_root does: the new root moved over / and entered (a chroot
# alone leaves the initramfs as the root of the mount namespace, where
# runc's pivot_root fails and a container's exec sees the initramfs)
cd /newroot
mount -o move . /
chroot . /bin/sh -c 'cd / && /usr/bin/env LAB_GUEST=1 TMPDIR=/tmp PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	top_builddir=$top_builddir ${LAB_GUEST_ENV:-} /bin/bash $script; echo \$? > /mnt/rc'
poweroff -f
EOF
	chmod +x "$d/root/init"
	(cd "$d/root" && find . | cpio -o -H newc 2>/dev/null | gzip > "$d/initrd.gz")
	lab_log "no ipvlan in this kernel: running in a qemu guest on $k"
	timeout "${LAB_GUEST_TIMEOUT:-900}" qemu-system-x86_64 -machine accel=tcg -m "${LAB_GUEST_MEM:-1024}" -smp "${LAB_GUEST_SMP:-1}" \
		-nographic -no-reboot -kernel "$k" -initrd "$d/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$d/out,mount_tag=out,security_model=none" </dev/null 2>&1 |
		stdbuf -oL tr -d '\r' | grep --line-buffered -E '^(ok|not ok|#|[0-9]+ passed|SKIP)'
	rc=$(cat "$d/out/rc" 2>/dev/null)
	exit "${rc:-1}"
}
