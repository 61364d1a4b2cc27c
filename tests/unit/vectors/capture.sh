#!/bin/bash
# SPDX-License-Identifier: MIT
# capture.sh ZEBRA_DIR LIB_DIR RELEASE OUT: start that zebra in a private
# network namespace with a veth pair and record, with capture.py, what it
# sends and accepts (tests/unit/vectors/README).  Root only; touches only
# the namespace and the temporary directory it creates.
#
#   tests/unit/vectors/capture.sh /usr/lib/frr "" 8.4 frr-8.4.4.vec
#   tests/unit/vectors/capture.sh /work/frr10/lib/frr /work/frr10/lib 10.3 frr-10.3.4.vec
#   tests/unit/vectors/capture.sh /work/quagga/sbin "" quagga1.2 quagga-1.2.4.vec
set -eu
zdir=$1 libdir=$2 rel=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
ns=zcap$$
tmp=$(mktemp -d /tmp/zcap.XXXXXX)
cleanup() {
	[ -f "$tmp/zebra.pid" ] && kill "$(cat "$tmp/zebra.pid")" 2>/dev/null || true
	sleep 0.5
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
chown frr:frr "$tmp"; chmod 755 "$tmp"
: > "$tmp/zebra.conf"; chown frr:frr "$tmp/zebra.conf"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add vcap0 type veth peer name vcap1
ip -n "$ns" link set vcap1 up
ip -n "$ns" link set vcap0 up
if [ "$rel" = quagga1.2 ]; then
	# Quagga 1.2 has no --vty_socket; run it as the user it was built for
	ip netns exec "$ns" env ${libdir:+LD_LIBRARY_PATH=$libdir} "$zdir/zebra" -d \
		-f "$tmp/zebra.conf" -i "$tmp/zebra.pid" -z "$tmp/zserv.api" -P 0
else
	ip netns exec "$ns" env ${libdir:+LD_LIBRARY_PATH=$libdir} "$zdir/zebra" -d \
		-f "$tmp/zebra.conf" -i "$tmp/zebra.pid" -z "$tmp/zserv.api" \
		--vty_socket "$tmp" -P 0 -u frr -g frr
fi
for i in $(seq 50); do [ -S "$tmp/zserv.api" ] && break; sleep 0.1; done
ver=$(env ${libdir:+LD_LIBRARY_PATH=$libdir} "$zdir/zebra" --version | head -1)
if [ "$rel" = quagga1.2 ]; then
	ip netns exec "$ns" /usr/bin/python3 "$here/capture_quagga.py" "$tmp/zserv.api" "$tmp/out"
else
	ip netns exec "$ns" python3 "$here/capture.py" "$tmp/zserv.api" "$rel" "$tmp/out"
fi
{
	echo "# $ver ($zdir), captured $(date -u +%F) by tests/unit/vectors/capture.sh"
	cat "$tmp/out"
} > "$out"
