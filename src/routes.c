/* SPDX-License-Identifier: MIT */
/*
 * routes.c: see routes.h.
 */
#include <stdio.h>
#include <string.h>

#include "announce.h"
#include "ctx.h"
#include "log.h"
#include "routes.h"

static void
route_attrs(const struct network *n, struct route *r)
{
	r->tag = n->tag;
	r->metric = n->metric;
	r->has_metric = n->has_metric;
	r->distance = n->distance;
	snprintf(r->network_id, sizeof(r->network_id), "%s", n->id);
}

void
routes_host(const struct network *n, const struct endpoint *ep,
    const struct ep_addr *a, struct route *r)
{
	memset(r, 0, sizeof(*r));
	prefix_host(&a->addr, &r->prefix);
	r->kind = ROUTE_HOST;
	/* On a VXLAN segment, containers are reached through the bridge. */
	snprintf(r->ifname, sizeof(r->ifname), "%s", n->mode == MODE_VXLAN ?
	    n->seg.br_name : ep->route_if);
	route_attrs(n, r);
	if (ep->set.has_tag)
		r->tag = ep->set.tag;
	if (a->kind == EP_ADDR_ANYCAST && ep->set.has_anycast_tag)
		r->tag = ep->set.anycast_tag;
	if (ep->set.has_metric) {
		r->metric = ep->set.metric;
		r->has_metric = true;
	}
	snprintf(r->endpoint_id, sizeof(r->endpoint_id), "%s", ep->id);
}

int
routes_ep_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep)
{
	struct route r;
	size_t i;
	int e;

	if (!(n->announce & ANNOUNCE_HOST))
		return 0;
	for (i = 0; i < ep->naddr; i++) {
		routes_host(n, ep, &ep->addrs[i], &r);
		if ((e = announce_add(ctx, &r)) != 0) {
			routes_ep_del(ctx, ep);
			return e;
		}
	}
	return 0;
}

void
routes_ep_del(struct rp_ctx *ctx, const struct endpoint *ep)
{
	const struct route *r;
	struct ipprefix p;
	size_t i;

	for (i = 0; i < ep->naddr; i++) {
		prefix_host(&ep->addrs[i].addr, &p);
		/* Only ours: an anycast twin of another endpoint stays. */
		if ((r = announce_find(ctx, &p)) != NULL &&
		    strcmp(r->endpoint_id, ep->id) == 0)
			announce_del(ctx, &p);
	}
}

/* The aggregate route i (0: IPv4, 1: IPv6) of n; false when n has none. */
static bool
aggregate(const struct network *n, int i, struct route *r)
{
	if (!(i == 0 ? n->has4 : n->has6))
		return false;
	memset(r, 0, sizeof(*r));
	r->prefix = i == 0 ? n->agg4 : n->agg6;
	r->kind = ROUTE_AGGREGATE;
	/* A segment's range is on its bridge here, not a blackhole. */
	if (n->mode == MODE_VXLAN) {
		r->kind = ROUTE_HOST;
		snprintf(r->ifname, sizeof(r->ifname), "%s", n->seg.br_name);
	}
	route_attrs(n, r);
	return true;
}

int
routes_net_add(struct rp_ctx *ctx, const struct network *n)
{
	struct route r;
	int i, e;

	if (!(n->announce & ANNOUNCE_AGGREGATE))
		return 0;
	for (i = 0; i < 2; i++)
		if (aggregate(n, i, &r) && (e = announce_add(ctx, &r)) != 0) {
			routes_net_del(ctx, n);
			return e;
		}
	return 0;
}

void
routes_net_del(struct rp_ctx *ctx, const struct network *n)
{
	const struct route *f;
	struct route r;
	int i;

	for (i = 0; i < 2; i++)
		if (aggregate(n, i, &r) && (f = announce_find(ctx, &r.prefix)) &&
		    strcmp(f->network_id, n->id) == 0)
			announce_del(ctx, &r.prefix);
}

int
routes_all(struct rp_ctx *ctx)
{
	const struct endpoint *ep;
	const struct network *n;
	size_t pos = 0;
	int r, first = 0;

	while ((n = model_net_next(ctx->model, &pos)) != NULL)
		if ((r = routes_net_add(ctx, n)) != 0 && first == 0)
			first = r;
	pos = 0;
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (ep->joined && (n = model_net_find(ctx->model, ep->net_id)) &&
		    (r = routes_ep_add(ctx, n, ep)) != 0 && first == 0)
			first = r;
	if (first != 0)
		log_warnx("not every route could be announced: %s",
		    strerror(-first));
	return first;
}
