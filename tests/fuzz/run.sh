#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - build every libFuzzer harness in tests/fuzz/ and run each one.
#
#   tests/fuzz/run.sh [SECONDS]        (default 60 per harness; any cwd)
#
# Every tests/fuzz/fuzz_NAME.c is built with clang, ASan and UBSan straight
# from the sources (only the modules it needs), then run for SECONDS on a
# copy of tests/fuzz/corpus/NAME (the repository's corpus is never written).
# A harness that finds a crash, a leak, a timeout or an out-of-memory fails:
# the input is copied to tests/fuzz/crashes/ (add it to the corpus as a
# regression case once fixed) and the command that reproduces it is printed.
# The last line is "N passed, N failed" (harnesses); exit 0 when all passed,
# 1 otherwise, 77 when clang or libFuzzer is not available.
#
# Environment:
#   top_srcdir, top_builddir  source and build trees (default: this tree;
#                             config.h is looked for in top_builddir)
#   FUZZ_BUILD    where the binaries, the generated protobuf code, the
#                 corpus copies and the logs go (default
#                 $top_builddir/tests/fuzz/build)
#   FUZZ_ONLY     names to run, e.g. "api store" (default: all)
#   FUZZ_FLAGS    extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
#   CC            default clang
#
# fuzz_api keeps its daemon context across inputs; the sequence that led to
# a crash is its history file, copied as tests/fuzz/crashes/api-sequence-*:
# one input that replays the whole sequence in a fresh process.

set -u

SECS=${1:-60}
case $SECS in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-$top_builddir/tests/fuzz/build}
CC=${CC:-clang}
FUZZ_FLAGS=${FUZZ_FLAGS:-}
FUZZ_ONLY=${FUZZ_ONLY:-}
S=$top_srcdir
CRASHES=$S/tests/fuzz/crashes

CFLAGS_FUZZ="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"

log() { printf '# %s\n' "$*"; }

skip() {
	printf 'SKIP: %s\n' "$*" >&2
	printf '# SKIP: %s\n' "$*"
	exit 77
}

command -v "$CC" >/dev/null 2>&1 || skip "$CC not found (package clang)"
mkdir -p "$FUZZ_BUILD" || exit 1
FUZZ_BUILD=$(cd "$FUZZ_BUILD" && pwd)
# libFuzzer ships with clang in Debian (libclang-rt-dev / libclang-common-dev)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
	> "$FUZZ_BUILD/probe.c"
"$CC" $CFLAGS_FUZZ "$FUZZ_BUILD/probe.c" -o "$FUZZ_BUILD/probe" >/dev/null 2>&1 ||
	skip "$CC cannot build a libFuzzer binary (-fsanitize=fuzzer)"
rm -f "$FUZZ_BUILD/probe" "$FUZZ_BUILD/probe.c"

[ -f "$top_builddir/config.h" ] ||
	log "note: no config.h in $top_builddir (run ./configure); the harnesses do not need it"

# pkg-config flags of a library, if it is known; nothing otherwise
pc() { pkg-config "$@" 2>/dev/null; }

# The generated protobuf code (proto/routed.pb-c.[ch] under FUZZ_BUILD),
# for the harnesses that decode the route stream.
PROTO_DONE=
gen_proto() {
	[ -n "$PROTO_DONE" ] && return "$PROTO_DONE"
	PROTO_DONE=1
	command -v protoc-c >/dev/null 2>&1 || { log "protoc-c not found (package protobuf-c-compiler)"; return 1; }
	[ -f "$S/proto/routed.proto" ] || { log "no $S/proto/routed.proto"; return 1; }
	protoc-c --c_out="$FUZZ_BUILD" -I"$S" "$S/proto/routed.proto" || return 1
	PROTO_DONE=0
}

# modules NAME: the sources (besides the harness) and libraries a harness
# links; every harness also gets -Isrc -Itests/unit -I$FUZZ_BUILD.
modules() {
	local core="src/addr.c src/alloc.c src/announce.c src/api.c src/metrics.c src/hmap.c
		src/ipam.c src/log.c src/netdrv.c src/store.c src/model.c
		src/records.c src/routes.c src/host.c src/host_ipvlan.c src/reconcile.c
		src/segconf.c src/segment.c
		src/epopts.c src/sandbox.c src/teardown.c
		tests/unit/plumb_stub.c"
	case $1 in
	fuzz_zapi)	SRCS="src/buf.c src/zapi.c"; LIBS= ;;
	fuzz_ctl)	SRCS="src/ctlproto.c"
			LIBS="$(pc --libs libcjson || echo -lcjson)" ;;
	fuzz_api|fuzz_store)
			SRCS="$core tests/fuzz/canon.c"
			LIBS="$(pc --libs libcjson libevent || echo -lcjson -levent)" ;;
	fuzz_http)	SRCS="src/http.c src/api.c src/metrics.c src/addr.c src/log.c"
			LIBS="$(pc --libs libevent libcjson || echo -levent -lcjson)" ;;
	fuzz_engine)	SRCS="src/engine.c src/http.c src/api.c src/metrics.c src/addr.c src/log.c"
			LIBS="$(pc --libs libevent libcjson || echo -levent -lcjson)" ;;
	fuzz_stream)	SRCS="src/stream.c src/addr.c $FUZZ_BUILD/proto/routed.pb-c.c"
			LIBS="$(pc --libs libprotobuf-c || echo -lprotobuf-c)" ;;
	*)		SRCS=; LIBS= ;;		# not known here: alone, else everything
	esac
}

# every module of the daemon but the programs' mains; the netlink stub
# when the harness uses the unit-test fixture, else the real plumb.c
all_modules() {
	local f h=$1
	SRCS=
	[ -f "$S/proto/routed.proto" ] && gen_proto
	for f in "$S"/src/*.c; do
		grep -qE '^main[[:space:]]*\(' "$f" && continue
		if [ "${f##*/}" = plumb.c ] && grep -qE 'fixture\.h|plumb_stub' "$h"; then
			SRCS="$SRCS tests/unit/plumb_stub.c"; continue
		fi
		SRCS="$SRCS ${f#"$S"/}"
	done
	[ -f "$FUZZ_BUILD/proto/routed.pb-c.c" ] && SRCS="$SRCS $FUZZ_BUILD/proto/routed.pb-c.c"
	LIBS="$(pc --libs libnl-route-3.0 libnl-3.0 libevent libcjson libcap-ng libprotobuf-c libzmq ||
		echo -lnl-route-3 -lnl-3 -levent -lcjson -lcap-ng -lprotobuf-c -lzmq)"
}

# build NAME: FUZZ_BUILD/NAME from tests/fuzz/NAME.c; 0 or 1
build() {
	local name=$1 h="$S/tests/fuzz/$1.c" srcs f inc
	local blog="$FUZZ_BUILD/$name.build.log"
	inc="-I$S/src -I$S/tests/unit -I$FUZZ_BUILD -I$top_builddir -DHAVE_CONFIG_H
		$(pc --cflags libnl-3.0 libcjson) "
	if grep -q 'routed\.pb-c\.h\|stream\.h' "$h" || [ "$name" = fuzz_stream ]; then
		gen_proto || { log "$name: cannot generate the protobuf code"; return 1; }
	fi
	modules "$name"
	srcs=
	for f in $SRCS; do case $f in /*) srcs="$srcs $f" ;; *) srcs="$srcs $S/$f" ;; esac; done
	# shellcheck disable=SC2086
	if "$CC" $CFLAGS_FUZZ $inc "$h" $srcs $LIBS -o "$FUZZ_BUILD/$name" > "$blog" 2>&1; then
		return 0
	fi
	# the short list may be out of date: try with every module
	log "$name: link with its own modules failed; trying every module (see $blog)"
	all_modules "$h"
	srcs=
	for f in $SRCS; do case $f in /*) srcs="$srcs $f" ;; *) srcs="$srcs $S/$f" ;; esac; done
	# shellcheck disable=SC2086,SC2046
	"$CC" $CFLAGS_FUZZ $inc $(pc --cflags libnl-route-3.0 libevent libprotobuf-c libzmq) \
		"$h" $srcs $LIBS -o "$FUZZ_BUILD/$name" >> "$blog" 2>&1 && return 0
	sed 's/^/#   | /' "$blog" | tail -n 30
	return 1
}

PASS=0
FAIL=0
N=0
pass() { N=$((N + 1)); PASS=$((PASS + 1)); printf 'ok %d - %s\n' "$N" "$*"; }
failed() { N=$((N + 1)); FAIL=$((FAIL + 1)); printf 'not ok %d - %s\n' "$N" "$*"; }

# save NAME FILE KIND: copy a reproducer into tests/fuzz/crashes/ as
# NAME-DATE-KIND (KIND: libFuzzer's artifact name, or "sequence")
save() {
	local name=$1 f=$2 kind=$3 dst
	mkdir -p "$CRASHES" || return
	dst="$CRASHES/${name#fuzz_}-$(date +%Y%m%d-%H%M%S)-$kind"
	cp "$f" "$dst" && printf '#   reproducer: %s\n' "$dst"
	printf '#   run it:     %s %s\n' "$FUZZ_BUILD/$name" "$dst"
}

run() {
	local name=$1 short=${1#fuzz_} rdir="$FUZZ_BUILD/run-$1" rc f found=0 stats
	local corpus="$S/tests/fuzz/corpus/$short" lg="$FUZZ_BUILD/$1.log"
	rm -rf "$rdir"
	mkdir -p "$rdir/corpus" "$rdir/artifacts"
	if [ -d "$corpus" ]; then
		cp -R "$corpus/." "$rdir/corpus/"
	else
		log "$name: no seed corpus $corpus: starting from nothing"
	fi
	log "$name: ${SECS}s on a copy of ${corpus#"$S"/} ($(ls "$rdir/corpus" | wc -l) seeds), log $lg"
	# shellcheck disable=SC2086
	(cd "$rdir" && FUZZ_API_HISTORY="$rdir/history" \
		"$FUZZ_BUILD/$name" -max_total_time="$SECS" -timeout=30 -print_final_stats=1 \
		-artifact_prefix="$rdir/artifacts/" $FUZZ_FLAGS corpus) > "$lg" 2>&1
	rc=$?
	stats=$(awk '/stat::number_of_executed_units/ {u=$2} /^#[0-9]+/ {for (i = 1; i <= NF; i++) if ($i == "cov:") c=$(i+1)}
		END {printf "%s runs, cov %s", u ? u : "?", c ? c : "?"}' "$lg")
	if [ "$rc" -eq 0 ]; then
		pass "$name: ${SECS}s clean ($stats)"
		return
	fi
	failed "$name: exit status $rc ($stats); log $lg"
	grep -E '^(==[0-9]+==ERROR|SUMMARY:|fuzz_[a-z]+: INVARIANT)' "$lg" | head -n 5 | sed 's/^/#   /'
	for f in "$rdir"/artifacts/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in crash-*|leak-*|timeout-*|oom-*) ;; *) continue ;; esac
		found=1
		printf '#   input: %s\n' "$f"
		save "$name" "$f" "${f##*/}"
	done
	if [ -s "$rdir/history" ]; then
		printf '#   the sequence since the last reset (replays the state): %s\n' "$rdir/history"
		save "$name" "$rdir/history" sequence
		found=1
	fi
	[ "$found" -eq 1 ] || printf '#   no reproducer was written: see %s\n' "$lg"
}

log "source $S, build $top_builddir, output $FUZZ_BUILD"
for h in "$S"/tests/fuzz/fuzz_*.c; do
	[ -f "$h" ] || continue
	name=$(basename "$h" .c)
	if [ -n "$FUZZ_ONLY" ]; then
		case " $FUZZ_ONLY " in *" ${name#fuzz_} "*|*" $name "*) ;; *) continue ;; esac
	fi
	if ! build "$name"; then
		failed "$name: build failed (log $FUZZ_BUILD/$name.build.log)"
		continue
	fi
	run "$name"
done
printf '%d passed, %d failed\n' "$PASS" "$FAIL"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
