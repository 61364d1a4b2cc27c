/* SPDX-License-Identifier: MIT */
/*
 * check.h: does the world agree with the plugin's model?  A read-only look
 * at the kernel's links and host routes (through plumb.h), at the announce
 * table, and at zebra's view of each route (through zclient.h).
 */
#ifndef RP_CHECK_H
#define RP_CHECK_H

#include <cjson/cJSON.h>

struct rp_ctx;

/*
 * Compare, and append one object per difference to the array diffs:
 *	{"where": "kernel" | "announce" | "zebra",
 *	 "object": what it is about (an address, a link, a prefix),
 *	 "problem": what disagrees,
 *	 "fix": what repairs it}
 * Changes nothing.  0, or -errno (netlink could not be read, ENOMEM).
 */
int check_run(struct rp_ctx *ctx, cJSON *diffs);

#endif
