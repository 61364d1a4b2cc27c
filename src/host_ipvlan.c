/* SPDX-License-Identifier: MIT */
/*
 * host_ipvlan.c: ipvlan endpoints.
 *
 * An endpoint's link is an ipvlan slave "rc<12 hex>" of the network's
 * parent, made in the host's namespace and moved into the container by
 * Docker (Join's SrcName).  There is no per-container host interface: the
 * network has one host-side slave "rv<12 hex of the network ID>" of the
 * same parent, up, with proxy ARP/NDP, and every endpoint's host route
 * points at it: the ipvlan port delivers between its slaves itself,
 * whereas the parent's own stack never sees them in l3/l3s, so this is how
 * the host reaches them in every mode.  The announcements go out through
 * the same interface, so zebra's copy of the route is right too.  Traffic
 * from other hosts reaches a container straight from the parent: the port
 * hands a packet to the slave owning its destination before the host's IP
 * stack sees it.  In l3/l3s a container's own packets leave through the
 * parent only (the kernel routes them with it as output interface): veth
 * containers of this host are out of their reach (README).
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

/* l2: ep's addresses as permanent neighbours on the host-side slave. */
static int
neighbours(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, bool add)
{
	size_t i;
	int r, first = 0;

	if (n->ipvlan_mode != IPVLAN_L2)
		return 0;
	for (i = 0; i < ep->naddr; i++)
		if ((r = plumb_neigh_self(ctx->plumb, ep->route_if,
		    &ep->addrs[i].addr, add)) != 0 && first == 0) {
			first = r;
			if (add)
				break;
		}
	return first;
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
	if (!ep->joined && (r = plumb_ipvlan_add(ctx->plumb, ep->peer_if,
	    n->parent, (int)n->ipvlan_mode, ep->set.mtu ? ep->set.mtu : n->mtu,
	    false, NULL, link)) != 0) {
		snprintf(err, errlen, "cannot create ipvlan %s on %s: %s",
		    ep->peer_if, n->parent, strerror(-r));
		goto fail;
	}
	/*
	 * l2: the container answers ARP with the parent's MAC, but its
	 * answer to the host-side slave goes to the parent's own stack (the
	 * port matches on the target address, which is the host's).  Its
	 * MAC is known, the port's shared one: no ARP for it at all.
	 */
	if ((r = neighbours(ctx, n, ep, true)) != 0) {
		snprintf(err, errlen, "cannot add the neighbours of %.12s on "
		    "%s: %s", ep->id, ep->route_if, strerror(-r));
		goto fail;
	}
	return 0;
fail:
	host_ipvlan_undo(ctx, ep, *link, *net_link);
	*link = *net_link = false;
	return r;
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
	const struct network *n = model_net_find(ctx->model, ep->net_id);
	int r;

	if (n != NULL && sibling(ctx, ep) != NULL &&
	    (r = neighbours(ctx, n, ep, false)) != 0) {
		snprintf(err, errlen, "cannot delete the neighbours of %.12s: %s",
		    ep->id, strerror(-r));
		return r;
	}
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
 * The neighbours go now (with siblings: the network's link stays); the
 * slave, back in the host's namespace if Docker moved it (its addresses
 * stayed in the container), and the network's link of the last endpoint
 * are named for the batch.  A new endpoint of the network before the batch
 * ran finds the old link renamed away (teardown_claim) and makes its own.
 */
int
host_ipvlan_release(struct rp_ctx *ctx, const struct endpoint *ep,
    char names[][IFNAMSIZ], size_t *n)
{
	const struct network *net = model_net_find(ctx->model, ep->net_id);
	bool last = sibling(ctx, ep) == NULL;
	int r = 0;

	if (net != NULL && !last)
		r = neighbours(ctx, net, ep, false);
	snprintf(names[(*n)++], IFNAMSIZ, "%s", ep->peer_if);
	if (last)
		snprintf(names[(*n)++], IFNAMSIZ, "%s", ep->route_if);
	return r;
}

/*
 * A joined endpoint's slave is in its container's namespace, which this
 * process may not even see the file of (Docker in its own mount namespace,
 * the plugin in a container).  So: alive while its sandbox file is there;
 * else while the parent's ipvlan port holds its first address (a live
 * slave does, in whatever namespace); gone when the port does not, or the
 * parent is gone (its slaves went with it).  When the kernel cannot be
 * asked, it is kept: never a live endpoint forgotten.  One that is not
 * joined has its slave here, made again if missing.
 */
int
host_ipvlan_alive(struct rp_ctx *ctx, const struct endpoint *ep)
{
	const struct network *n;
	int r;

	if (!ep->joined || ep->naddr == 0)
		return 1;
	if (ep->sandbox[0] == '/' && access(ep->sandbox, F_OK) == 0)
		return 1;
	if ((n = model_net_find(ctx->model, ep->net_id)) == NULL)
		return 1;
	r = plumb_ipvlan_addr_held(ctx->plumb, n->parent, (int)n->ipvlan_mode,
	    &ep->addrs[0].addr);
	return r == 0 || r == -ENODEV ? 0 : 1;
}
