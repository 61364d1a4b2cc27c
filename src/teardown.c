/* SPDX-License-Identifier: MIT */
/*
 * teardown.c: see teardown.h.
 *
 * The one other thread of the daemon lives here.  It owns a netlink socket
 * of its own and does one thing: on a byte from the loop, one RTM_DELLINK of
 * the group, then the result back through a pipe.  It touches no other
 * state, so nothing is shared but the two pipes.  Why a thread: the kernel
 * answers a link deletion only after an RCU grace period (rcu_barrier in
 * netdev_run_todo), 20 ms or more, and no netlink call can hand that wait
 * back to an event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctx.h"
#include "host.h"
#include "log.h"
#include "plumb.h"
#include "records.h"
#include "store.h"
#include "teardown.h"

/* Host interface names (the doomed records' keys). */
struct names {
	char (*v)[IFNAMSIZ];
	size_t n, cap;
};

struct teardown {
	struct rp_ctx *ctx;
	struct names queued;		/* in the group, batch not asked for */
	struct names flying;		/* the batch the thread is deleting */
	bool busy;			/* the thread has a batch */
	struct event *timer, *done;
	int req[2], ack[2];		/* loop -> thread, thread -> loop */
	bool started;
	pthread_t th;
	struct plumb *wpl;		/* the thread's netlink socket */
};

static bool
names_has(const struct names *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], name) == 0)
			return true;
	return false;
}

static int
names_add(struct names *ns, const char *name)
{
	char (*v)[IFNAMSIZ];
	size_t cap;

	if (names_has(ns, name))
		return 0;
	if (ns->n == ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 64;
		if ((v = realloc(ns->v, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	snprintf(ns->v[ns->n++], IFNAMSIZ, "%s", name);
	return 0;
}

static void
names_swap(struct names *a, struct names *b)
{
	struct names t = *a;

	*a = *b;
	*b = t;
}

int
teardown_open(struct rp_ctx *ctx)
{
	struct teardown *td;

	if ((td = calloc(1, sizeof(*td))) == NULL)
		return -ENOMEM;
	td->ctx = ctx;
	td->req[0] = td->req[1] = td->ack[0] = td->ack[1] = -1;
	ctx->teardown = td;
	return 0;
}

/* The thread: one group deletion per byte, until 'q' or EOF. */
static void *
worker(void *arg)
{
	struct teardown *td = arg;
	char c;
	int r;

	while (read(td->req[0], &c, 1) == 1 && c != 'q') {
		r = plumb_group_del(td->wpl, TEARDOWN_GROUP);
		if (write(td->ack[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			break;
	}
	return NULL;
}

/*
 * The batch in flying is gone (r == 0): so are the records of the names
 * that no later deletion queued again.  On failure the links stay in the
 * group and go with the next batch.
 */
static void
batch_done(struct teardown *td, int r)
{
	struct rp_ctx *ctx = td->ctx;
	size_t i, dropped = 0;

	if (r != 0) {
		log_warnx("cannot delete %zu links waiting in link group %u: %s; "
		    "they go with the next batch, or at the next start",
		    td->flying.n, TEARDOWN_GROUP, strerror(-r));
		for (i = 0; i < td->flying.n; i++)
			names_add(&td->queued, td->flying.v[i]);
		td->flying.n = 0;
		return;
	}
	for (i = 0; i < td->flying.n; i++) {
		const char *name = td->flying.v[i];

		if (names_has(&td->queued, name) ||
		    !model_doomed_has(ctx->model, name))
			continue;
		records_del_doomed(ctx->store, name);
		model_doomed_del(ctx->model, name);
		dropped++;
	}
	log_debug("%zu links deleted in one batch", td->flying.n);
	td->flying.n = 0;
	/* Lazy: a lost line only makes the next start delete nothing again. */
	if (dropped > 0 && store_commit_lazy(ctx->store) != 0)
		log_warnx("cannot record the end of %zu deleted links; the next "
		    "start looks again", dropped);
}

static void on_done(evutil_socket_t fd, short what, void *arg);

/* Start the thread and its pipes (once).  0 or -errno. */
static int
start(struct teardown *td)
{
	sigset_t all, old;
	int r = 0;

	if (td->started)
		return 0;
	if (pipe(td->req) != 0 || pipe(td->ack) != 0) {
		r = -errno;
		goto fail;
	}
	for (int i = 0; i < 2; i++)
		if (fcntl(td->req[i], F_SETFD, FD_CLOEXEC) != 0 ||
		    fcntl(td->ack[i], F_SETFD, FD_CLOEXEC) != 0) {
			r = -errno;
			goto fail;
		}
	if (evutil_make_socket_nonblocking(td->ack[0]) != 0 ||
	    (td->done = event_new(td->ctx->base, td->ack[0], EV_READ |
	    EV_PERSIST, on_done, td)) == NULL ||
	    event_add(td->done, NULL) != 0 || (r = plumb_open(&td->wpl)) != 0) {
		r = r ? r : -ENOMEM;
		goto fail;
	}
	/* Signals are the loop's: the thread blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&td->th, NULL, worker, td);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		goto fail;
	td->started = true;
	return 0;
fail:
	if (td->done != NULL)
		event_free(td->done);
	td->done = NULL;
	plumb_close(td->wpl);
	td->wpl = NULL;
	for (int i = 0; i < 2; i++) {
		if (td->req[i] >= 0)
			close(td->req[i]);
		if (td->ack[i] >= 0)
			close(td->ack[i]);
		td->req[i] = td->ack[i] = -1;
	}
	log_warnx("cannot start the link deletion thread: %s; deleting on the "
	    "loop", strerror(-r));
	return r;
}

/* Delete queued now, on this thread, and wait. */
static void
run_here(struct teardown *td)
{
	names_swap(&td->queued, &td->flying);
	batch_done(td, plumb_group_del(td->ctx->plumb, TEARDOWN_GROUP));
}

/* Hand the queued links to the thread as one batch. */
static void
kick(struct teardown *td)
{
	if (td->busy || td->queued.n == 0)
		return;
	if (start(td) != 0) {
		run_here(td);
		return;
	}
	names_swap(&td->queued, &td->flying);
	td->busy = true;
	if (write(td->req[1], "d", 1) != 1) {
		td->busy = false;
		names_swap(&td->queued, &td->flying);
		run_here(td);
	}
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	kick(arg);
}

/* Wait at most --teardown-delay, or not at all for a full batch. */
static void
schedule(struct teardown *td)
{
	unsigned ms = td->ctx->cfg.teardown_delay_ms;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	if (td->ctx->base == NULL || td->busy)
		return;			/* tests: teardown_flush(); busy: on_done */
	if (td->queued.n >= TEARDOWN_BATCH) {
		kick(td);
		return;
	}
	if (td->timer == NULL && (td->timer = evtimer_new(td->ctx->base,
	    on_timer, td)) == NULL) {
		kick(td);
		return;
	}
	if (!evtimer_pending(td->timer, NULL))
		evtimer_add(td->timer, &tv);
}

static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	struct teardown *td = arg;
	int r;

	if (read(td->ack[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		return;
	td->busy = false;
	batch_done(td, r);
	if (td->queued.n > 0)
		schedule(td);
}

/*
 * veth pairs and ipvlan links wait in the group (a VXLAN segment's port is
 * a veth too).  Only a veth has a doomed record: after a crash its host
 * side cannot tell whether a container holds its peer, whereas an ipvlan
 * link in the host's namespace that no endpoint owns is no container's
 * (reconcile.c deletes it at the next start).
 */
static bool
batched(const struct endpoint *ep)
{
	return ep->link == LINK_VETH || ep->link == LINK_IPVLAN;
}

void
teardown_record(struct rp_ctx *ctx, const struct endpoint *ep)
{
	if (ctx->teardown != NULL && ep->link == LINK_VETH)
		records_put_doomed(ctx->store, ep->host_if);
}

/* ep's link at once, when it cannot wait. */
static int
del_now(struct rp_ctx *ctx, const struct endpoint *ep)
{
	char err[256];
	int r;

	if ((r = host_ep_del(ctx, ep, err, sizeof(err))) != 0)
		log_warnx("endpoint %.12s: %s; it is reaped at the next start",
		    ep->id, err);
	return r;
}

void
teardown_add(struct rp_ctx *ctx, const struct endpoint *ep)
{
	struct teardown *td = ctx->teardown;
	char names[HOST_LINKS_MAX][IFNAMSIZ];
	size_t n, i;
	int r;

	if (td == NULL || !batched(ep)) {
		del_now(ctx, ep);
		return;
	}
	/* Free the addresses now: a new endpoint may take one at once. */
	if ((r = host_ep_release(ctx, ep, names, &n)) != 0)
		log_warnx("endpoint %.12s: cannot remove its host routes: %s",
		    ep->id, strerror(-r));
	for (i = 0; i < n; i++) {
		/* Not in the group, no batch would delete it: now, then. */
		if (plumb_link_group(ctx->plumb, names[i], TEARDOWN_GROUP) != 0) {
			if (ep->link != LINK_VETH) {
				plumb_link_del(ctx->plumb, names[i]);
				continue;
			}
			if (del_now(ctx, ep) != 0)
				return;		/* its record stays: the next start */
			/* gone: the batch drops its record */
		}
		if ((ep->link == LINK_VETH && model_doomed_add(ctx->model,
		    names[i]) != 0) || names_add(&td->queued, names[i]) != 0) {
			log_warnx("endpoint %.12s: out of memory; its link %s "
			    "goes with the next batch, or at the next start",
			    ep->id, names[i]);
			return;
		}
	}
	schedule(td);
}

/* Is name waiting in the group (queued or being deleted)? */
bool
teardown_has(const struct rp_ctx *ctx, const char *name)
{
	const struct teardown *td = ctx->teardown;

	return td != NULL && (names_has(&td->queued, name) ||
	    names_has(&td->flying, name));
}

int
teardown_claim(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen)
{
	const char *names[HOST_LINKS_MAX];
	size_t n, i;
	int r;

	n = host_ep_names(ep, names);
	for (i = 0; i < n; i++) {
		if (ep->link == LINK_VETH ? !model_doomed_has(ctx->model,
		    names[i]) : !teardown_has(ctx, names[i]))
			continue;
		/* -EPERM: that link is not waiting in the group; it is reused. */
		r = plumb_veth_doom(ctx->plumb, names[i], ep->link == LINK_VETH ?
		    ep->peer_if : NULL, TEARDOWN_GROUP);
		if (r == 0 || r == -EPERM)
			continue;
		snprintf(err, errlen, "the link %s of a deleted endpoint is "
		    "still there and cannot be renamed: %s", names[i],
		    strerror(-r));
		return r;
	}
	return 0;
}

/* Wait for the thread's batch, if it has one. */
static void
wait_thread(struct teardown *td)
{
	struct pollfd p = { .fd = td->ack[0], .events = POLLIN };
	int r;

	while (td->busy) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return;
		if (read(td->ack[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
			td->busy = false;
			batch_done(td, r);
		}
	}
}

void
teardown_flush(struct rp_ctx *ctx)
{
	struct teardown *td = ctx->teardown;

	if (td == NULL)
		return;
	wait_thread(td);
	if (td->queued.n > 0)
		run_here(td);
}

size_t
teardown_pending(const struct rp_ctx *ctx)
{
	const struct teardown *td = ctx->teardown;

	return td ? td->queued.n + td->flying.n : 0;
}

void
teardown_close(struct rp_ctx *ctx)
{
	struct teardown *td = ctx->teardown;
	int i;

	if (td == NULL)
		return;
	teardown_flush(ctx);
	if (td->started) {
		if (write(td->req[1], "q", 1) != 1)
			log_warn("cannot stop the link deletion thread");
		else
			pthread_join(td->th, NULL);
		for (i = 0; i < 2; i++) {
			close(td->req[i]);
			close(td->ack[i]);
		}
		plumb_close(td->wpl);
	}
	if (td->timer != NULL)
		event_free(td->timer);
	if (td->done != NULL)
		event_free(td->done);
	free(td->queued.v);
	free(td->flying.v);
	free(td);
	ctx->teardown = NULL;
}

void
teardown_start(struct rp_ctx *ctx)
{
	struct model *m = ctx->model;
	char peer[IFNAMSIZ];
	const char *name;
	size_t pos = 0, n = 0, now = 0;
	int r;

	if (ctx->teardown != NULL)
		ctx->teardown->queued.n = ctx->teardown->flying.n = 0;
	n = model_doomed_count(m);
	/* Also with no record: ipvlan links wait there without one. */
	if ((r = plumb_group_del(ctx->plumb, TEARDOWN_GROUP)) != 0) {
		log_warnx("cannot delete the links waiting in link group %u: "
		    "%s; next start, then", TEARDOWN_GROUP, strerror(-r));
		return;
	}
	while ((name = model_doomed_next(m, &pos)) != NULL) {
		/* Not in the group yet when we stopped: by its name. */
		if (model_ep_by_ifname(m, name) == NULL &&
		    plumb_link_exists(ctx->plumb, name) == 1) {
			snprintf(peer, sizeof(peer), "rc%s", name + 2);
			if (plumb_veth_del(ctx->plumb, name, peer) != 0)
				continue;	/* its record stays */
			now++;
		}
		records_del_doomed(ctx->store, name);
		model_doomed_del(m, name);
	}
	if (n == 0)
		return;
	if (store_commit(ctx->store) != 0)
		log_warnx("cannot record the end of the links deleted at start; "
		    "the next start looks again");
	log_info("finished the deletion of %zu links of deleted endpoints (%zu "
	    "by name)", n, now);
}
