/* SPDX-License-Identifier: MIT */
/*
 * segment.h: the host side of a VXLAN segment network (-o routed.mode=vxlan):
 * its VXLAN device and bridge, the VXLAN device a port of the bridge, the
 * distributed gateway (the same address and MAC on every host's bridge),
 * the route to the segment's subnet, the static flood entries; and its
 * containers' veths as bridge ports.  Only what n->seg.made records is ever
 * taken down: devices that were there before stay.
 */
#ifndef RP_SEGMENT_H
#define RP_SEGMENT_H

#include <stddef.h>

#include "model.h"

struct rp_ctx;

/*
 * Make or repair n's segment on this host; idempotent, and nothing that
 * exists is made again.  What this call made is added to n->seg.made.  0,
 * or -errno with a message in err; then what this call made is taken down
 * again, and n->seg.made is as it was.
 */
int segment_add(struct rp_ctx *ctx, struct network *n, char *err,
    size_t errlen);
/*
 * Take down what segment_add() made since n->seg.made was made and made_fdb
 * was made_fdb (the values from before that call), and restore them.
 */
void segment_undo(struct rp_ctx *ctx, struct network *n, uint32_t made,
    uint32_t made_fdb);
/* Take down what n->seg.made says the plugin made; logs what will not go. */
void segment_del(struct rp_ctx *ctx, const struct network *n);

/* The gateway of n: its routed.gateway, or the plugin's --gateway. */
const struct ipaddr *segment_gateway(const struct rp_ctx *ctx,
    const struct network *n);

/*
 * Make the host side port of n's bridge.  *created: it was not a port yet.
 * 0, or -errno with a message in err.
 */
int segment_port_add(struct rp_ctx *ctx, const struct network *n,
    const char *port, bool *created, char *err, size_t errlen);

#endif
