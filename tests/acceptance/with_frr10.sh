#!/bin/bash
# with_frr10.sh TEST - run tests/acceptance/TEST again with FRR 10.3.4 (zebra
# and ospfd from ../shared/frr/frr-10.3.4, the release Debian 13 ships) on
# both hosts instead of Debian 12's 8.4.4.  The plugin and the helper must
# detect zebra's 10.x dialect themselves (no --zebra-dialect; the test
# checks they found LAB_EXPECT_DIALECT) and pass the same checks, with
# route type sharp: that build has no babeld, so its ospfd cannot
# "redistribute babel" (sharp is 24 on 10.x's wire, 23 in 8.4's numbering).
#
# FRR10_PREFIX=DIR picks another build (DIR/lib/frr, DIR/bin/vtysh, DIR/lib).
# Where it is absent (a release tarball has no ../shared) the test skips,
# loudly.  Used by two_hosts_ospf_frr10.sh and zmq_ospf_frr10.sh.

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
F=${FRR10_PREFIX:-$top_srcdir/../shared/frr/frr-10.3.4}
if [ ! -x "$F/lib/frr/zebra" ] || [ ! -x "$F/lib/frr/ospfd" ] ||
   [ ! -x "$F/bin/vtysh" ]; then
	printf '%s\n' "SKIP: *** FRR 10 not found at $F (zebra, ospfd, vtysh):" \
	    "SKIP: *** $1 against zebra 10.x did NOT run ***" >&2
	printf '# SKIP: FRR 10 not found at %s\n' "$F"
	exit 77
fi
export LAB_FRR_PREFIX=$F LAB_EXPECT_DIALECT=${LAB_EXPECT_DIALECT:-frr10.3} \
	LAB_ROUTE_TYPE=${LAB_ROUTE_TYPE:-sharp}
exec "$here/$1"
