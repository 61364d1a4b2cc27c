#!/bin/sh
# SPDX-License-Identifier: MIT
# include_graph.sh - fail when the #include "..." lines of src/ form a
# circle (a header including itself through others), or when a module
# includes a header it must not: store.c neither driver, model.c no JSON,
# netlink, disk or Docker.  Prints "N passed, N failed".
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/src
pass=0
fail=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in "$src"/*.c "$src"/*.h; do
	from=$(basename "$f"); from=${from%.*}
	sed -n 's/^#include "\([a-z_0-9]*\)\.h".*/\1/p' "$f" |
	while read -r to; do
		[ "$from" != "$to" ] && [ "$to" != config ] && echo "$from $to"
	done
done | sort -u >"$edges"
# tsort reports a cycle on standard error
if cycle=$(tsort "$edges" 2>&1 >/dev/null) && [ -z "$cycle" ]; then
	echo "ok 1 - the module include graph has no circle"; pass=$((pass + 1))
else
	echo "not ok 1 - include circle:"; echo "$cycle" | sed 's/^/#   /'
	fail=$((fail + 1))
fi
n=1
forbid() {
	n=$((n + 1))
	if grep -Eq "^#include [<\"]($2)" "$src/$1"; then
		echo "not ok $n - $1 includes one of $2"; fail=$((fail + 1))
	else
		echo "ok $n - $1 includes none of $2"; pass=$((pass + 1))
	fi
}
forbid store.c 'netdrv\.h|ipam\.h|model\.h|records\.h'
forbid model.c 'cjson|netlink|store\.h|api\.h|plumb\.h|netdrv\.h|ipam\.h'
forbid model.h 'cjson|netlink|store\.h|api\.h'
forbid records.c 'netdrv\.h|ipam\.h|plumb\.h'
forbid ipam.c 'netdrv\.h'
forbid netdrv.c 'ipam\.h'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
