/* SPDX-License-Identifier: MIT */
/*
 * routes.h: the routes the model calls for, put in (and taken out of) the
 * announce table.  An endpoint announces a host route per address when its
 * network announces hosts and it is joined; a network announces its
 * aggregates (its --ip-range or subnet, blackholed here) when it announces
 * aggregates.
 */
#ifndef RP_ROUTES_H
#define RP_ROUTES_H

#include "model.h"
#include "route.h"

struct rp_ctx;

/*
 * The host route of address a of ep, with n's settings unless ep has its
 * own (routed.tag, routed.metric; routed.anycast-tag for an anycast one).
 */
void routes_host(const struct network *n, const struct endpoint *ep,
    const struct ep_addr *a, struct route *r);

/*
 * Announce ep's host routes as n says.  0, or -errno; then nothing of ep's
 * is announced (what was added is withdrawn again).
 */
int routes_ep_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep);
/* Withdraw ep's host routes; never fails. */
void routes_ep_del(struct rp_ctx *ctx, const struct endpoint *ep);

/* The same for n's aggregates. */
int routes_net_add(struct rp_ctx *ctx, const struct network *n);
void routes_net_del(struct rp_ctx *ctx, const struct network *n);

/* Every route the model calls for (at start-up).  0 or the first error. */
int routes_all(struct rp_ctx *ctx);

#endif
