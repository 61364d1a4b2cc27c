/* SPDX-License-Identifier: MIT */
/*
 * host.h: the host side of an endpoint, as the model describes it: its link
 * (a veth pair), proxy ARP/NDP for the gateway, and a host route per
 * address.  The one caller of plumb.h's endpoint calls.
 */
#ifndef RP_HOST_H
#define RP_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct rp_ctx;

/* The MTU of n's links: its own, or the plugin's --mtu. */
unsigned host_mtu(const struct rp_ctx *ctx, const struct network *n);

/*
 * Make or repair the host side of ep: link, settings, routes.  Idempotent.
 * 0, or -errno with a message in err; then only what this call created is
 * taken down again (a link that was there before stays, whatever state it
 * is in), and *created says whether the link is new.
 */
int host_ep_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, bool *created, char *err, size_t errlen);

/* Remove ep's host routes.  0 or the first -errno. */
int host_ep_routes_del(struct rp_ctx *ctx, const struct endpoint *ep);

/* Remove ep's routes and link.  0, or -errno with a message in err. */
int host_ep_del(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen);

#endif
