/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c: see sandbox.h.  One watch per endpoint that waits, in an hmap
 * keyed by the endpoint's ID; the endpoint is looked up again at every
 * wake-up, so a watch never holds a pointer into the model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ctx.h"
#include "epopts.h"
#include "hmap.h"
#include "log.h"
#include "model.h"
#include "plumb.h"
#include "sandbox.h"

struct sandboxes {
	struct hmap *watches;		/* endpoint id -> struct watch */
};

struct watch {
	char id[MODEL_ID_MAX + 1];
	struct rp_ctx *ctx;
	struct plumb_ns *ns;
	struct event *ev;		/* an address changed in the sandbox */
	struct event *timer;		/* give up */
};

int
sandbox_init(struct rp_ctx *ctx)
{
	if ((ctx->sandboxes = calloc(1, sizeof(*ctx->sandboxes))) == NULL)
		return -ENOMEM;
	if ((ctx->sandboxes->watches = hmap_new()) == NULL) {
		free(ctx->sandboxes);
		ctx->sandboxes = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void
watch_free(struct watch *w)
{
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->timer != NULL)
		event_free(w->timer);
	plumb_ns_close(w->ns);
	free(w);
}

void
sandbox_cancel(struct rp_ctx *ctx, const char *id)
{
	struct watch *w;

	if (ctx->sandboxes == NULL ||
	    (w = hmap_del(ctx->sandboxes->watches, id)) == NULL)
		return;
	watch_free(w);
}

void
sandbox_free(struct rp_ctx *ctx)
{
	struct watch *w;
	size_t pos = 0;

	if (ctx->sandboxes == NULL)
		return;
	while ((w = hmap_next(ctx->sandboxes->watches, &pos, NULL)) != NULL) {
		hmap_del(ctx->sandboxes->watches, w->id);
		watch_free(w);
	}
	hmap_free(ctx->sandboxes->watches);
	free(ctx->sandboxes);
	ctx->sandboxes = NULL;
}

/* The address Docker puts on the interface: its IPv4 one if it gave one. */
static const struct ep_addr *
docker_addr(const struct endpoint *ep)
{
	const struct ep_addr *first = NULL;
	size_t i;

	for (i = 0; i < ep->naddr; i++) {
		if (ep->addrs[i].kind != EP_ADDR_DOCKER)
			continue;
		if (ep->addrs[i].addr.family == AF_INET)
			return &ep->addrs[i];
		if (first == NULL)
			first = &ep->addrs[i];
	}
	return first;
}

static bool
has_extra(const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < ep->naddr; i++)
		if (ep->addrs[i].kind != EP_ADDR_DOCKER)
			return true;
	return false;
}

/* Is Docker done with the interface?  Then add the extras: true when over. */
static bool
try_add(struct watch *w)
{
	const struct endpoint *ep = model_ep_find(w->ctx->model, w->id);
	const struct ep_addr *key;
	char list[1024];
	size_t i, added = 0;
	int idx, r;

	if (ep == NULL || (key = docker_addr(ep)) == NULL)
		return true;
	if ((idx = plumb_ns_addr_link(w->ns, &key->addr)) == 0)
		return false;
	if (idx < 0) {
		log_warnx("endpoint %.12s: cannot look into its sandbox: %s",
		    ep->id, strerror(-idx));
		return true;
	}
	for (i = 0; i < ep->naddr; i++)
		if (ep->addrs[i].kind != EP_ADDR_DOCKER) {
			if ((r = plumb_ns_addr_add(w->ns, idx,
			    &ep->addrs[i].addr)) != 0)
				log_warnx("endpoint %.12s: cannot add %s in its "
				    "container: %s", ep->id, ep->addrs[i].key,
				    strerror(-r));
			else
				added++;
		}
	log_info("endpoint %.12s: %zu extra addresses in its container next to "
	    "%s: %s", ep->id, added, key->key, epopts_list(ep, list,
	    sizeof(list)));
	return true;
}

static void
on_change(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;
	struct rp_ctx *ctx = w->ctx;

	if (what & EV_TIMEOUT) {
		log_warnx("endpoint %.12s: its interface never got Docker's "
		    "address within %d s; its extra addresses are not in its "
		    "container", w->id, SANDBOX_WAIT_S);
		sandbox_cancel(ctx, w->id);
		return;
	}
	plumb_ns_drain(w->ns);
	if (try_add(w))
		sandbox_cancel(ctx, w->id);
}

void
sandbox_watch(struct rp_ctx *ctx, const struct endpoint *ep)
{
	struct timeval tv = { SANDBOX_WAIT_S, 0 };
	struct watch *w;
	int r;

	if (ctx->sandboxes == NULL || !has_extra(ep) || ep->sandbox[0] == '\0')
		return;
	sandbox_cancel(ctx, ep->id);
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warnx("endpoint %.12s: out of memory; its extra addresses "
		    "are not in its container", ep->id);
		return;
	}
	snprintf(w->id, sizeof(w->id), "%s", ep->id);
	w->ctx = ctx;
	if ((r = plumb_ns_open(ctx->plumb, ep->sandbox, &w->ns)) != 0) {
		log_warnx("endpoint %.12s: cannot open its sandbox %s: %s; its "
		    "extra addresses are not in its container", ep->id,
		    ep->sandbox, strerror(-r));
		free(w);
		return;
	}
	/* Already there (a Join repeated)?  Else wait for a change. */
	if (try_add(w)) {
		watch_free(w);
		return;
	}
	if ((w->ev = event_new(ctx->base, plumb_ns_fd(w->ns),
	    EV_READ | EV_PERSIST, on_change, w)) == NULL ||
	    (w->timer = evtimer_new(ctx->base, on_change, w)) == NULL ||
	    event_add(w->ev, NULL) != 0 || evtimer_add(w->timer, &tv) != 0 ||
	    hmap_add(ctx->sandboxes->watches, w->id, w) != 0) {
		log_warnx("endpoint %.12s: cannot wait for its sandbox; its extra "
		    "addresses are not in its container", ep->id);
		watch_free(w);
		return;
	}
	log_debug("endpoint %.12s: waiting for Docker to configure its "
	    "interface in %s", ep->id, ep->sandbox);
}
