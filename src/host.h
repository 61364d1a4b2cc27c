/* SPDX-License-Identifier: MIT */
/*
 * host.h: the host side of an endpoint, as the model describes it: its link
 * (a veth pair, or an ipvlan slave plus its network's host-side ipvlan, see
 * host_ipvlan.c), proxy ARP/NDP for the gateway, and a host route per
 * address through the endpoint's route_if; on a VXLAN segment network, the
 * veth is a port of the segment's bridge instead of having routes.  The one
 * caller of plumb.h's endpoint calls.
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
	bool link;			/* the veth pair (ipvlan slave) is new */
	bool net_link;			/* ipvlan: the network's host link is new */
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

/*
 * CreateNetwork: can n's links be made on this host?  0, or -errno with a
 * message in err (an ipvlan parent that is missing, or the parent of
 * another network in another mode).  Changes nothing.
 */
int host_net_check(struct rp_ctx *ctx, const struct network *n, char *err,
    size_t errlen);

/*
 * Can ep's container still be using its link?  1 yes (or cannot tell), 0
 * when it is gone for sure, or -errno.  A veth's host side dies with the
 * container; an ipvlan slave lives in the container's namespace, out of
 * sight, so its sandbox is looked at instead.
 */
int host_ep_alive(struct rp_ctx *ctx, const struct endpoint *ep);

/* Remove ep's host routes.  0 or the first -errno. */
int host_ep_routes_del(struct rp_ctx *ctx, const struct endpoint *ep);

/* Remove ep's routes and link.  0, or -errno with a message in err. */
int host_ep_del(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen);

#define HOST_LINKS_MAX	2

/*
 * The first half of host_ep_del(), for a deletion that leaves the links to
 * a batch (teardown.c): ep's host routes (and an ipvlan l2 endpoint's
 * neighbours) go now; the links that go with ep are named in names, which
 * *n counts: a veth's host side (its peer goes with it); an ipvlan slave
 * and, when ep is the last endpoint of its network, the network's host
 * link.  0, or the first -errno of what had to go now (the links are named
 * all the same).
 */
int host_ep_release(struct rp_ctx *ctx, const struct endpoint *ep,
    char names[HOST_LINKS_MAX][IFNAMSIZ], size_t *n);
/*
 * The names of links a new endpoint ep makes or takes over (for a doomed
 * link that may still hold one): the host side of a veth (its peer's name
 * is the same but for the prefix); an ipvlan slave and its network's link.
 */
size_t host_ep_names(const struct endpoint *ep,
    const char *names[HOST_LINKS_MAX]);

#endif
