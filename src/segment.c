/* SPDX-License-Identifier: MIT */
/*
 * segment.c: see segment.h.
 *
 * Every host's bridge answers ARP for the same gateway with the same MAC
 * (02:47:57 and the VNI, unless routed.bridge.address says otherwise): a
 * container keeps its gateway wherever it runs, and what leaves the segment
 * is routed by the host it runs on.  A gateway outside the subnet (the
 * plugin's --gateway, the default) is answered by a proxy neighbour entry
 * on the bridge, the bridge carrying no address: arp_process answers for
 * an entry whose address is routed through another device (gateway.c's
 * route), forwarding on, with the bridge's MAC, so no shared /32 is there
 * for "redistribute connected".  A gateway in the subnet is routed through
 * the bridge itself, where the kernel proxies nothing for ARP (unless
 * proxy_arp_pvlan, which would answer for the whole subnet): the bridge
 * carries it as a /32 address, the anycast gateway of EVPN fabrics.  The
 * subnet is routed to the bridge by a route of its own (protocol kernel),
 * from the VTEP address (routed.vxlan.local) when there is one, so that
 * the host's own packets do not leave from the shared gateway.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "log.h"
#include "plumb.h"
#include "segment.h"

const struct ipaddr *
segment_gateway(const struct rp_ctx *ctx, const struct network *n)
{
	return n->seg.gateway.family != 0 ? &n->seg.gateway :
	    &ctx->cfg.gateway4;
}

/* An address of the subnet: the bridge carries it; else a proxy entry. */
static bool
gw_in_subnet(const struct rp_ctx *ctx, const struct network *n)
{
	return prefix_contains(&n->pool4, segment_gateway(ctx, n));
}

/* Take down what made and made_fdb name, in the reverse order of making. */
static void
take_down(struct rp_ctx *ctx, const struct network *n, uint32_t made,
    uint32_t made_fdb)
{
	const struct segconf *c = &n->seg;
	unsigned i;

	/* Flood entries and the port go with a VXLAN device we delete. */
	if (!(made & SEG_MADE_VXLAN)) {
		for (i = 0; i < c->nremote; i++)
			if (made_fdb & (1u << i))
				plumb_fdb_del(ctx->plumb, c->vx_name,
				    &c->remote[i]);
	}
	if ((made & SEG_MADE_PORT) && !(made & (SEG_MADE_VXLAN |
	    SEG_MADE_BRIDGE)))
		plumb_port_del(ctx->plumb, c->vx_name);
	/* ... and the route and address with a bridge we delete. */
	if (!(made & SEG_MADE_BRIDGE)) {
		if (made & SEG_MADE_ROUTE)
			plumb_net_route_del(ctx->plumb, c->br_name, &n->pool4);
		if ((made & SEG_MADE_ADDR) && gw_in_subnet(ctx, n))
			plumb_addr_del(ctx->plumb, c->br_name,
			    segment_gateway(ctx, n));
		else if (made & SEG_MADE_ADDR)
			plumb_proxy_del(ctx->plumb, c->br_name,
			    segment_gateway(ctx, n));
	}
	if ((made & SEG_MADE_VXLAN) && plumb_link_del(ctx->plumb,
	    c->vx_name) != 0)
		log_warnx("network %.12s: cannot delete %s", n->id, c->vx_name);
	if ((made & SEG_MADE_BRIDGE) && plumb_link_del(ctx->plumb,
	    c->br_name) != 0)
		log_warnx("network %.12s: cannot delete %s", n->id, c->br_name);
}

int
segment_add(struct rp_ctx *ctx, struct network *n, char *err, size_t errlen)
{
	struct segconf *c = &n->seg;
	uint32_t made = 0, made_fdb = 0;
	char s[ADDR_STRLEN];
	const char *what;
	unsigned i;
	bool cr;
	int r;

	if (c->dev[0] != '\0' && plumb_link_exists(ctx->plumb, c->dev) != 1) {
		snprintf(err, errlen, "routed.vxlan.dev: there is no device %s",
		    c->dev);
		return -ENODEV;
	}
	what = c->br_name;
	if ((r = plumb_bridge_add(ctx->plumb, c, &cr)) != 0)
		goto fail;
	made |= cr ? SEG_MADE_BRIDGE : 0;
	what = c->vx_name;
	if ((r = plumb_vxlan_add(ctx->plumb, c, &cr)) != 0)
		goto fail;
	made |= cr ? SEG_MADE_VXLAN : 0;
	if ((r = plumb_port_add(ctx->plumb, c->vx_name, c->br_name,
	    c->learning, &cr)) != 0)
		goto fail;
	made |= cr ? SEG_MADE_PORT : 0;
	for (i = 0; i < c->nremote; i++) {
		what = addr_fmt(&c->remote[i], s, sizeof(s));
		if ((r = plumb_fdb_add(ctx->plumb, c->vx_name, &c->remote[i],
		    &cr)) != 0)
			goto fail;
		made_fdb |= cr ? 1u << i : 0;
	}
	what = "the gateway";
	if ((r = gw_in_subnet(ctx, n) ? plumb_addr_add(ctx->plumb, c->br_name,
	    segment_gateway(ctx, n), &cr) : plumb_proxy_add(ctx->plumb,
	    c->br_name, segment_gateway(ctx, n), &cr)) != 0)
		goto fail;
	made |= cr ? SEG_MADE_ADDR : 0;
	what = "the route to the subnet";
	/*
	 * The host's own packets into the segment leave from its VTEP address,
	 * not from the gateway every host has: their answers come back here.
	 */
	if ((r = plumb_net_route_add(ctx->plumb, c->br_name, &n->pool4,
	    c->local.family == AF_INET ? &c->local : NULL, &cr)) != 0)
		goto fail;
	made |= cr ? SEG_MADE_ROUTE : 0;
	c->made |= made;
	c->made_fdb |= made_fdb;
	return 0;
fail:
	snprintf(err, errlen, "VXLAN segment %u: cannot set up %s: %s", c->vni,
	    what, strerror(-r));
	take_down(ctx, n, made, made_fdb);
	return r;
}

void
segment_undo(struct rp_ctx *ctx, struct network *n, uint32_t made,
    uint32_t made_fdb)
{
	take_down(ctx, n, n->seg.made & ~made, n->seg.made_fdb & ~made_fdb);
	n->seg.made = made;
	n->seg.made_fdb = made_fdb;
}

void
segment_del(struct rp_ctx *ctx, const struct network *n)
{
	take_down(ctx, n, n->seg.made, n->seg.made_fdb);
}

int
segment_port_add(struct rp_ctx *ctx, const struct network *n,
    const char *port, bool *created, char *err, size_t errlen)
{
	int r;

	if ((r = plumb_port_add(ctx->plumb, port, n->seg.br_name, true,
	    created)) != 0)
		snprintf(err, errlen, "cannot make %s a port of bridge %s: %s",
		    port, n->seg.br_name, strerror(-r));
	return r;
}
