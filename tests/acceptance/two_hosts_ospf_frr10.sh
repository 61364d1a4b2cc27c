#!/bin/bash
# two_hosts_ospf_frr10.sh - two_hosts_ospf.sh again, with FRR 10.3.4 (zebra
# and ospfd from ../shared/frr/frr-10.3.4, the release Debian 13 ships) on
# both hosts instead of Debian 12's 8.4.4: the plugin must detect zebra's
# 10.x dialect on its own (no --zebra-dialect) and pass the same checks,
# with route type sharp (10.x wire number 24, 23 in 8.4's numbering).
#
# FRR10_PREFIX=DIR picks another build (DIR/lib/frr, DIR/bin/vtysh, DIR/lib).
# Where it is absent (a release tarball has no ../shared) the test skips,
# loudly.  Run: sudo tests/acceptance/two_hosts_ospf_frr10.sh

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
F=${FRR10_PREFIX:-$top_srcdir/../shared/frr/frr-10.3.4}
if [ ! -x "$F/lib/frr/zebra" ] || [ ! -x "$F/lib/frr/ospfd" ] ||
   [ ! -x "$F/bin/vtysh" ]; then
	printf '%s\n' "SKIP: *** FRR 10 not found at $F (zebra, ospfd, vtysh):" \
	    "SKIP: *** the two-host OSPF test against zebra 10.x did NOT run ***" >&2
	printf '# SKIP: FRR 10 not found at %s\n' "$F"
	exit 77
fi
# Built without babeld, its daemons cannot "redistribute babel": sharp.
export LAB_FRR_PREFIX=$F LAB_EXPECT_DIALECT=${LAB_EXPECT_DIALECT:-frr10.3} \
	LAB_ROUTE_TYPE=${LAB_ROUTE_TYPE:-sharp}
exec "$here/two_hosts_ospf.sh"
