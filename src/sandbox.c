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
#include <sys/time.h>

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
	char sandbox[MODEL_SANDBOX_MAX];
	struct timeval deadline;
	unsigned tries;			/* to open the namespace */
	struct event *ev;		/* an address changed in the sandbox */
	struct event *timer;		/* look for it again, or give up */
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

/*
 * The link that holds all of Docker's addresses of ep in the sandbox: > 0,
 * 0 while Docker is not done (it enables IPv6 on the link only when it adds
 * its IPv6 address), or -errno.  *key is one of them, for the log.
 */
static int
docker_link(struct plumb_ns *ns, const struct endpoint *ep,
    const struct ep_addr **key)
{
	size_t i;
	int idx = 0, r;

	*key = NULL;
	for (i = 0; i < ep->naddr; i++) {
		if (ep->addrs[i].kind != EP_ADDR_DOCKER)
			continue;
		if ((r = plumb_ns_addr_link(ns, &ep->addrs[i].addr)) <= 0)
			return r;
		if (*key == NULL) {
			*key = &ep->addrs[i];
			idx = r;
		}
	}
	return *key != NULL ? idx : -ENOENT;
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

	if (ep == NULL)
		return true;
	if ((idx = docker_link(w->ns, ep, &key)) == 0)
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

/* Now, as libevent sees it. */
static struct timeval
now(const struct rp_ctx *ctx)
{
	struct timeval tv;

	event_base_gettimeofday_cached(ctx->base, &tv);
	return tv;
}

static void
give_up(struct watch *w)
{
	log_warnx("endpoint %.12s: its container never came up with Docker's "
	    "address within %d s; its extra addresses are not in it", w->id,
	    SANDBOX_WAIT_S);
	sandbox_cancel(w->ctx, w->id);
}

static void
on_change(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;

	plumb_ns_drain(w->ns);
	if (try_add(w))
		sandbox_cancel(w->ctx, w->id);
}

/*
 * The timer: until the namespace can be opened (Docker 20.10 makes it only
 * when the container starts, after Join), look for it every SANDBOX_POLL_MS;
 * then wait on its notifications, and the timer only ends the wait.
 */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;
	struct rp_ctx *ctx = w->ctx;
	struct timeval t = now(ctx), left, poll = { 0, SANDBOX_POLL_MS * 1000 };
	int r;

	if (!timercmp(&t, &w->deadline, <)) {
		give_up(w);
		return;
	}
	if (w->ns != NULL) {
		give_up(w);
		return;
	}
	if ((r = plumb_ns_open(ctx->plumb, w->sandbox, &w->ns)) != 0) {
		if (w->tries++ == 0)
			log_debug("endpoint %.12s: %s cannot be opened yet (%s); "
			    "looking again every %d ms", w->id, w->sandbox,
			    strerror(-r), SANDBOX_POLL_MS);
		evtimer_add(w->timer, &poll);
		return;
	}
	if (try_add(w)) {
		sandbox_cancel(ctx, w->id);
		return;
	}
	timersub(&w->deadline, &t, &left);
	if ((w->ev = event_new(ctx->base, plumb_ns_fd(w->ns),
	    EV_READ | EV_PERSIST, on_change, w)) == NULL ||
	    event_add(w->ev, NULL) != 0 || evtimer_add(w->timer, &left) != 0) {
		log_warnx("endpoint %.12s: cannot wait for its container; its "
		    "extra addresses are not in it", w->id);
		sandbox_cancel(ctx, w->id);
	}
}

void
sandbox_watch(struct rp_ctx *ctx, const struct endpoint *ep)
{
	struct timeval wait = { SANDBOX_WAIT_S, 0 }, t;
	struct watch *w;

	if (ctx->sandboxes == NULL || !has_extra(ep) || ep->sandbox[0] == '\0')
		return;
	sandbox_cancel(ctx, ep->id);
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warnx("endpoint %.12s: out of memory; its extra addresses "
		    "are not in its container", ep->id);
		return;
	}
	snprintf(w->id, sizeof(w->id), "%s", ep->id);
	snprintf(w->sandbox, sizeof(w->sandbox), "%s", ep->sandbox);
	w->ctx = ctx;
	t = now(ctx);
	timeradd(&t, &wait, &w->deadline);
	if ((w->timer = evtimer_new(ctx->base, on_tick, w)) == NULL ||
	    hmap_add(ctx->sandboxes->watches, w->id, w) != 0) {
		log_warnx("endpoint %.12s: cannot wait for its container; its "
		    "extra addresses are not in it", ep->id);
		watch_free(w);
		return;
	}
	log_debug("endpoint %.12s: waiting for Docker to configure its "
	    "interface in %s", ep->id, ep->sandbox);
	on_tick(-1, EV_TIMEOUT, w);
}

void
sandbox_watch_all(struct rp_ctx *ctx)
{
	const struct endpoint *ep;
	size_t pos = 0;

	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (ep->joined)
			sandbox_watch(ctx, ep);
}
