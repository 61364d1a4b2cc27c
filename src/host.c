/* SPDX-License-Identifier: MIT */
/*
 * host.c: see host.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "host.h"
#include "host_ipvlan.h"
#include "plumb.h"
#include "segment.h"

unsigned
host_mtu(const struct rp_ctx *ctx, const struct network *n)
{
	return n->mtu ? n->mtu : ctx->cfg.mtu;
}

unsigned
host_ep_mtu(const struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep)
{
	return ep->set.mtu ? ep->set.mtu : host_mtu(ctx, n);
}

int
host_ep_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, struct host_undo *u, char *err, size_t errlen)
{
	const struct ipaddr *gw6 = model_ep_addr(ep, AF_INET6) ?
	    &ctx->cfg.gateway6 : NULL;
	char s[ADDR_STRLEN];
	size_t i;
	int r;

	memset(u, 0, sizeof(*u));
	if (ep->naddr > HOST_ROUTES_MAX) {
		snprintf(err, errlen, "endpoint %.12s has more than %d addresses",
		    ep->id, HOST_ROUTES_MAX);
		return -E2BIG;
	}
	switch (n->link) {
	case LINK_IPVLAN:
		r = host_ipvlan_add(ctx, n, ep, &u->link, &u->net_link, err,
		    errlen);
		break;
	default:
		if ((r = plumb_veth_add(ctx->plumb, ep->host_if, ep->peer_if,
		    host_ep_mtu(ctx, n, ep), gw6, ep->set.has_mac ?
		    ep->set.mac : NULL, &u->link)) != 0)
			snprintf(err, errlen, "cannot create veth %s: %s",
			    ep->host_if, strerror(-r));
		break;
	}
	if (r != 0)
		return r;
	if (n->mode == MODE_VXLAN) {
		/* A bridge port: the bridge holds the routes. */
		if ((r = segment_port_add(ctx, n, ep->host_if, &u->port, err,
		    errlen)) != 0) {
			host_ep_undo(ctx, ep, u);
			memset(u, 0, sizeof(*u));
		}
		return r;
	}
	for (i = 0; i < ep->naddr; i++)
		if ((r = plumb_route_add(ctx->plumb, ep->route_if,
		    &ep->addrs[i].addr, &u->route[i])) != 0) {
			snprintf(err, errlen, "cannot add the route to %s via "
			    "%s: %s", addr_fmt(&ep->addrs[i].addr, s, sizeof(s)),
			    ep->route_if, strerror(-r));
			host_ep_undo(ctx, ep, u);
			memset(u, 0, sizeof(*u));
			return r;
		}
	return 0;
}

void
host_ep_undo(struct rp_ctx *ctx, const struct endpoint *ep,
    const struct host_undo *u)
{
	size_t i;

	if (ep->link == LINK_VETH && u->link) {
		/* Its routes go with it. */
		plumb_veth_del(ctx->plumb, ep->host_if, ep->peer_if);
		return;
	}
	if (u->port)
		plumb_port_del(ctx->plumb, ep->host_if);
	for (i = 0; i < ep->naddr && i < HOST_ROUTES_MAX; i++)
		if (u->route[i])
			plumb_route_del(ctx->plumb, ep->route_if,
			    &ep->addrs[i].addr);
	if (ep->link == LINK_IPVLAN)
		host_ipvlan_undo(ctx, ep, u->link, u->net_link);
}

int
host_net_check(struct rp_ctx *ctx, const struct network *n, char *err,
    size_t errlen)
{
	switch (n->link) {
	case LINK_IPVLAN:
		return host_ipvlan_net_check(ctx, n, err, errlen);
	default:
		return 0;
	}
}

int
host_ep_alive(struct rp_ctx *ctx, const struct endpoint *ep)
{
	switch (ep->link) {
	case LINK_IPVLAN:
		return host_ipvlan_alive(ctx, ep);
	default:
		return plumb_link_exists(ctx->plumb, ep->host_if);
	}
}

int
host_ep_routes_del(struct rp_ctx *ctx, const struct endpoint *ep)
{
	size_t i;
	int r, first = 0;

	for (i = 0; i < ep->naddr; i++)
		if ((r = plumb_route_del(ctx->plumb, ep->route_if,
		    &ep->addrs[i].addr)) != 0 && first == 0)
			first = r;
	return first;
}

int
host_ep_release(struct rp_ctx *ctx, const struct endpoint *ep,
    char names[HOST_LINKS_MAX][IFNAMSIZ], size_t *n)
{
	int r, r2;

	*n = 0;
	r = host_ep_routes_del(ctx, ep);
	if (ep->link == LINK_IPVLAN) {
		r2 = host_ipvlan_release(ctx, ep, names, n);
		return r ? r : r2;
	}
	snprintf(names[(*n)++], IFNAMSIZ, "%s", ep->host_if);
	return r;
}

size_t
host_ep_names(const struct endpoint *ep, const char *names[HOST_LINKS_MAX])
{
	if (ep->link != LINK_IPVLAN) {
		names[0] = ep->host_if;
		return 1;
	}
	names[0] = ep->peer_if;
	names[1] = ep->route_if;
	return 2;
}

int
host_ep_del(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen)
{
	int r;

	host_ep_routes_del(ctx, ep);
	if (ep->link == LINK_IPVLAN)
		return host_ipvlan_del(ctx, ep, err, errlen);
	if ((r = plumb_veth_del(ctx->plumb, ep->host_if, ep->peer_if)) != 0) {
		snprintf(err, errlen, "cannot delete veth %s: %s", ep->host_if,
		    strerror(-r));
		return r;
	}
	return 0;
}
