/* SPDX-License-Identifier: MIT */
/*
 * reconcile.c: see reconcile.h.
 */
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "epopts.h"
#include "host.h"
#include "log.h"
#include "model.h"
#include "plumb.h"
#include "reconcile.h"
#include "records.h"
#include "routes.h"
#include "sandbox.h"
#include "segment.h"
#include "store.h"
#include "teardown.h"

/*
 * The host veth of ep is gone although Docker never deleted the endpoint:
 * its container died with its network namespace (dockerd killed, a host
 * reboot) and Docker 20.10 does not call the network driver for stale
 * sandboxes.  Withdraw its routes and forget it, so that its address can be
 * released and given out again; a later Leave or DeleteEndpoint finds
 * nothing to do.
 */
static void
ep_forget(struct rp_ctx *ctx, struct endpoint *ep)
{
	char err[256];

	log_info("endpoint %.12s: its interface %s is gone without Docker "
	    "deleting it (its container died): forgetting it", ep->id,
	    ep->host_if);
	records_del_ep(ctx->store, ep);
	epopts_records_del(ctx->store, ctx->model, ep);
	/*
	 * Lazy, and forgotten in memory even if the disk refuses: a restart
	 * finds the interface missing all the same.
	 */
	if (store_commit_lazy(ctx->store) != 0)
		log_warnx("endpoint %.12s: cannot record its end; the next "
		    "start forgets it again", ep->id);
	sandbox_cancel(ctx, ep->id);
	routes_ep_del(ctx, ep);
	/* An ipvlan endpoint's routes are on its network's host link. */
	if (ep->link == LINK_IPVLAN && host_ep_del(ctx, ep, err,
	    sizeof(err)) != 0)
		log_warnx("endpoint %.12s: %s", ep->id, err);
	epopts_unreserve(ctx->model, ep);
	model_ep_del(ctx->model, ep);
	model_ep_free(ep);
}

void
reconcile_link_gone(struct rp_ctx *ctx, const char *name)
{
	struct endpoint *ep;
	size_t pos = 0;

	if (name != NULL) {
		/*
		 * Only if it is still gone: the notification may be of a
		 * deleted endpoint's link, read after a new endpoint of the
		 * same ID made its own.
		 */
		if ((ep = model_ep_by_ifname(ctx->model, name)) != NULL &&
		    plumb_link_exists(ctx->plumb, name) == 0)
			ep_forget(ctx, ep);
		return;
	}
	/*
	 * Notifications were lost: check every endpoint.  (An ipvlan
	 * endpoint has no host link of its own to be notified about: see
	 * host_ep_alive.)
	 */
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (host_ep_alive(ctx, ep) == 0)
			ep_forget(ctx, ep);
}

/* An unowned link of ours: delete it only if no container can be using it. */
static int
reap_link(const char *name, void *arg)
{
	struct rp_ctx *ctx = arg;
	char host[IFNAMSIZ], peer[IFNAMSIZ];

	if (!model_is_our_ifname(name) || name[1] != 't')
		return 0;
	snprintf(host, sizeof(host), "rt%s", name + 2);
	snprintf(peer, sizeof(peer), "rc%s", name + 2);
	if (model_ep_by_ifname(ctx->model, host) != NULL)
		return 0;
	if (plumb_link_exists(ctx->plumb, peer) != 1) {
		log_warnx("%s: no endpoint owns it, but its container side %s "
		    "is in a container: left alone (delete it by hand once that "
		    "container is gone)", host, peer);
		return 0;
	}
	log_info("deleting %s: no endpoint owns it and no container uses it",
	    host);
	plumb_veth_del(ctx->plumb, host, peer);
	return 0;
}

/*
 * A container-side link in the host's namespace that no endpoint owns (an
 * ipvlan slave whose deletion failed): no container holds it.
 */
static int
reap_peer(const char *name, void *arg)
{
	struct rp_ctx *ctx = arg;
	char host[IFNAMSIZ];

	if (!model_is_our_ifname(name))
		return 0;
	snprintf(host, sizeof(host), "rt%s", name + 2);
	if (model_ep_by_ifname(ctx->model, host) != NULL)
		return 0;
	log_info("deleting %s: no endpoint owns it and no container uses it",
	    name);
	plumb_link_del(ctx->plumb, name);
	return 0;
}

/*
 * A segment device of ours ("rv" or "rb" and the VNI, the default names)
 * that no network owns: its network's deletion could not take it down.
 */
static int
reap_segment(const char *name, void *arg)
{
	struct rp_ctx *ctx = arg;
	const struct network *n;
	size_t pos = 0, i;

	if (strlen(name) < 3 || name[0] != 'r' || (name[1] != 'v' &&
	    name[1] != 'b'))
		return 0;
	/* "rv" and 12 hex digits: an ipvlan network's link (reap_net_link). */
	if (model_is_our_ifname(name))
		return 0;
	for (i = 2; name[i] != '\0'; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	while ((n = model_net_next(ctx->model, &pos)) != NULL)
		if (n->mode == MODE_VXLAN && (strcmp(n->seg.vx_name, name) == 0 ||
		    strcmp(n->seg.br_name, name) == 0))
			return 0;
	log_info("deleting %s: a segment device of ours that no network owns",
	    name);
	plumb_link_del(ctx->plumb, name);
	return 0;
}

/* A network's host-side ipvlan that no endpoint routes through. */
static int
reap_net_link(const char *name, void *arg)
{
	struct rp_ctx *ctx = arg;
	const struct endpoint *ep;
	size_t pos = 0;

	if (!model_is_our_ifname(name))
		return 0;
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (strcmp(ep->route_if, name) == 0)
			return 0;
	log_info("deleting %s: no endpoint routes through it", name);
	plumb_link_del(ctx->plumb, name);
	return 0;
}

void
reconcile_start(struct rp_ctx *ctx)
{
	struct endpoint *ep;
	struct network *n;
	char err[256];
	struct host_undo undo;
	size_t pos = 0, fixed = 0, gone = 0, failed = 0;
	uint32_t made;
	int r;

	/* First the links that deleted endpoints left waiting. */
	teardown_start(ctx);
	/*
	 * Segments first, their endpoints are their ports.  What is there is
	 * kept as it is (the segment forwarded while the plugin was down);
	 * what is missing is made again, and recorded as made.
	 */
	while ((n = model_net_next(ctx->model, &pos)) != NULL) {
		if (n->mode != MODE_VXLAN)
			continue;
		made = n->seg.made;
		if (segment_add(ctx, n, err, sizeof(err)) != 0)
			log_warnx("network %.12s: %s", n->id, err);
		else if (n->seg.made != made) {
			records_put_net(ctx->store, n);
			if (store_commit_lazy(ctx->store) != 0)
				log_warnx("network %.12s: cannot record what was "
				    "made again", n->id);
		}
	}
	pos = 0;
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL) {
		if ((n = model_net_find(ctx->model, ep->net_id)) == NULL)
			continue;
		if ((r = host_ep_alive(ctx, ep)) != 1) {
			/* The container went away while we were down. */
			if (r == 0) {
				ep_forget(ctx, ep);
				gone++;
			}
			continue;
		}
		/* It exists: a failed repair never deletes it. */
		if (host_ep_add(ctx, n, ep, &undo, err, sizeof(err)) != 0) {
			log_warnx("endpoint %.12s: %s", ep->id, err);
			failed++;
		} else {
			ep->plumbed = true;
			fixed++;
		}
	}
	plumb_links(ctx->plumb, "rt", reap_link, ctx);
	plumb_links(ctx->plumb, "rc", reap_peer, ctx);
	plumb_links(ctx->plumb, "rv", reap_net_link, ctx);
	plumb_links(ctx->plumb, "rv", reap_segment, ctx);
	plumb_links(ctx->plumb, "rb", reap_segment, ctx);
	log_info("reconciled: %zu endpoints with their host side checked, %zu "
	    "forgotten (their interface is gone), %zu could not be repaired",
	    fixed, gone, failed);
}
