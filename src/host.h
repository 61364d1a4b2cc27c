/* SPDX-License-Identifier: MIT */
/*
 * host.h: the host side of an endpoint, as the model describes it: its link
 * (a veth pair), proxy ARP/NDP for the gateway, and a host route per
 * address; on a VXLAN segment network, the veth is a port of the segment's
 * bridge instead of having routes.  The one caller of plumb.h's endpoint calls.
 */
#ifndef RP_HOST_H
#define RP_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct rp_ctx;

/* The MTU of n's links: its own, or the plugin's --mtu. */
unsigned host_mtu(const struct rp_ctx *ctx, const struct network *n);
/* The MTU of ep's link: routed.mtu, or its network's. */
unsigned host_ep_mtu(const struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep);

#define HOST_ROUTES_MAX	256

/* What one host_ep_add() made, so that exactly that can be undone. */
struct host_undo {
	bool link;			/* the veth pair is new */
	bool port;			/* it became a bridge port (vxlan) */
	bool route[HOST_ROUTES_MAX];	/* the route of ep->addrs[i] is new */
};

/*
 * Make or repair the host side of ep: link, settings, routes.  Idempotent.
 * 0, or -errno with a message in err; then what this call created is taken
 * down again (the link, or the routes it added to a link that was there,
 * which stays whatever state it is in).  On success, u says what it made,
 * for host_ep_undo() when a later step of the caller fails.
 */
int host_ep_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, struct host_undo *u, char *err, size_t errlen);
/* Take down what host_ep_add() made, as u says; nothing else. */
void host_ep_undo(struct rp_ctx *ctx, const struct endpoint *ep,
    const struct host_undo *u);

/* Remove ep's host routes.  0 or the first -errno. */
int host_ep_routes_del(struct rp_ctx *ctx, const struct endpoint *ep);

/* Remove ep's routes and link.  0, or -errno with a message in err. */
int host_ep_del(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen);

#endif
