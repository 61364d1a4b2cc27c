/* SPDX-License-Identifier: MIT */
/*
 * host_ipvlan.c: ipvlan endpoints.
 *
 * An endpoint's link is an ipvlan slave "rc<12 hex>" of the network's
 * parent, made in the host's namespace and moved into the container by
 * Docker (Join's SrcName).  There is no per-container host interface: the
 * network has one host-side slave "rv<12 hex of the network ID>" of the
 * same parent, up, with proxy ARP/NDP, and every endpoint's host route
 * points at it.  Through it the host, and the veth containers it routes,
 * reach the ipvlan containers in every mode: an ipvlan port delivers
 * between its slaves itself, whereas the parent's own stack never sees
 * them in l3/l3s (and only through the wire in l2).  The announcements go
 * out through the same interface, so zebra's copy of the route is right
 * too.  Traffic from other hosts reaches a container straight from the
 * parent: the ipvlan port hands a packet to the slave owning its
 * destination address before the host's IP stack sees it.
 *
 * The kernel keeps one mode per parent (a new slave sets it for all), so
 * networks sharing a parent must share a mode.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "host_ipvlan.h"
#include "plumb.h"

int
host_ipvlan_net_check(struct rp_ctx *ctx, const struct network *n,
    char *err, size_t errlen)
{
	const struct network *o;
	size_t pos = 0;
	int r;

	if (model_is_our_ifname(n->parent)) {
		snprintf(err, errlen, "routed.parent=%s is an interface of "
		    "routed-plugin's own, not a parent", n->parent);
		return -EINVAL;
	}
	if ((r = plumb_link_exists(ctx->plumb, n->parent)) != 1) {
		snprintf(err, errlen, "routed.parent=%s: %s", n->parent,
		    r == 0 ? "no such interface on this host" : strerror(-r));
		return r == 0 ? -ENODEV : r;
	}
	while ((o = model_net_next(ctx->model, &pos)) != NULL)
		if (o->link == LINK_IPVLAN && strcmp(o->parent, n->parent) == 0 &&
		    o->ipvlan_mode != n->ipvlan_mode) {
			snprintf(err, errlen, "routed.parent=%s is the parent of "
			    "network %.12s in ipvlan mode %s, and the kernel has "
			    "one mode per parent: use routed.ipvlan-mode=%s or "
			    "another parent", n->parent, o->id,
			    model_ipvlan_mode_name(o->ipvlan_mode),
			    model_ipvlan_mode_name(o->ipvlan_mode));
			return -EBUSY;
		}
	return 0;
}

int
host_ipvlan_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, bool *link, bool *net_link, char *err,
    size_t errlen)
{
	const struct ipaddr *gw6 = model_ep_addr(ep, AF_INET6) ?
	    &ctx->cfg.gateway6 : NULL;
	int r;

	if ((r = plumb_ipvlan_add(ctx->plumb, ep->route_if, n->parent,
	    (int)n->ipvlan_mode, n->mtu, true, gw6, net_link)) != 0) {
		snprintf(err, errlen, "cannot make the host-side ipvlan %s on "
		    "%s: %s", ep->route_if, n->parent, r == -EOPNOTSUPP ?
		    "this kernel has no ipvlan (CONFIG_IPVLAN, module ipvlan)" :
		    strerror(-r));
		return r;
	}
	/* Joined: the slave is in the container, out of sight. */
	if (ep->joined)
		return 0;
	if ((r = plumb_ipvlan_add(ctx->plumb, ep->peer_if, n->parent,
	    (int)n->ipvlan_mode, n->mtu, false, NULL, link)) != 0) {
		snprintf(err, errlen, "cannot create ipvlan %s on %s: %s",
		    ep->peer_if, n->parent, strerror(-r));
		if (*net_link)
			plumb_link_del(ctx->plumb, ep->route_if);
		*net_link = false;
		return r;
	}
	return 0;
}

void
host_ipvlan_undo(struct rp_ctx *ctx, const struct endpoint *ep, bool link,
    bool net_link)
{
	if (link)
		plumb_link_del(ctx->plumb, ep->peer_if);
	if (net_link)
		plumb_link_del(ctx->plumb, ep->route_if);
}

/* Another endpoint of ep's network, or NULL. */
static const struct endpoint *
sibling(struct rp_ctx *ctx, const struct endpoint *ep)
{
	const struct endpoint *o;
	size_t pos = 0;

	while ((o = model_ep_next(ctx->model, &pos)) != NULL)
		if (o != ep && strcmp(o->net_id, ep->net_id) == 0)
			return o;
	return NULL;
}

int
host_ipvlan_del(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen)
{
	int r;

	/* In the host's namespace unless its container still holds it. */
	if ((r = plumb_link_del(ctx->plumb, ep->peer_if)) != 0) {
		snprintf(err, errlen, "cannot delete ipvlan %s: %s", ep->peer_if,
		    strerror(-r));
		return r;
	}
	if (sibling(ctx, ep) == NULL &&
	    (r = plumb_link_del(ctx->plumb, ep->route_if)) != 0) {
		snprintf(err, errlen, "cannot delete the host-side ipvlan %s: "
		    "%s", ep->route_if, strerror(-r));
		return r;
	}
	return 0;
}

/*
 * A joined endpoint is gone for sure only when its sandbox is: Docker
 * removes the namespace's file when the container goes.  A container that
 * dies while dockerd is down leaves it until Docker cleans up; the
 * endpoint is kept until then (never a live one forgotten).
 */
int
host_ipvlan_alive(struct rp_ctx *ctx, const struct endpoint *ep)
{
	if (!ep->joined || ep->sandbox[0] != '/')
		return 1;
	if (access(ep->sandbox, F_OK) == 0)
		return 1;
	return errno == ENOENT ? 0 : 1;
}
