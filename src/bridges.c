/* SPDX-License-Identifier: MIT */
/*
 * bridges.c: see bridges.h.  One connection holds the event stream
 * (GET /events, type network); once its head is in, GET /networks (bridge
 * driver) lists what exists and is reconciled with what we announce; then
 * each create event is looked up (GET /networks/ID) and each destroy event
 * withdraws.  An event that comes while a list is on its way makes the
 * list be asked again, so that the list never undoes a newer event.  Every
 * request has its own connection ("Connection: close"), bounded buffers and
 * a timeout; any failure of the stream closes everything and reconnects
 * with backoff (1 s doubling to 30 s), and the routes stay meanwhile.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "announce.h"
#include "bridges.h"
#include "ctx.h"
#include "hmap.h"
#include "log.h"

#define EVENTS_PATH	"/events?filters=%7B%22type%22%3A%5B%22network%22%5D%7D"
#define LIST_PATH	"/networks?filters=%7B%22driver%22%3A%5B%22bridge%22%5D%7D"
#define LIST_MAX	(16u << 20)	/* bytes of one list */
#define INSPECT_MAX	(1u << 20)	/* bytes of one network */
#define MAX_INSPECTS	16		/* more at once: list instead */
#define MAX_NETS	4096		/* labelled networks we keep */
#define TIMEOUT_S	30
#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	30000

enum req_kind { REQ_EVENTS, REQ_LIST, REQ_INSPECT };

struct req {
	struct bridges *b;
	enum req_kind kind;
	struct bufferevent *bev;
	struct engine_resp resp;
	struct engine_lines lines;	/* REQ_EVENTS */
	char *body;			/* REQ_LIST, REQ_INSPECT */
	size_t len;
	char id[ENGINE_ID_LEN + 1];	/* REQ_INSPECT */
};

struct bridges {
	struct rp_ctx *ctx;
	char path[BRIDGES_PATH_MAX + 1];
	struct hmap *nets;		/* id -> struct bridge_net */
	struct req *events;
	struct req *list;
	struct req *inspects[MAX_INSPECTS];
	bool relist;			/* an event came while listing */
	struct event *retry;
	struct event *failev;		/* fail() finishes from the loop */
	bool failing;
	unsigned backoff_ms;
	const char *state;
	char error[256];
	unsigned long nevents, nlists;
	struct log_rate rl;
};

static void connect_events(struct bridges *b);
static void start_list(struct bridges *b);
static struct req *req_new(struct bridges *b, enum req_kind kind,
    const char *path);

int
bridges_parse_host(const char *url, char *path, size_t len)
{
	const char *p = url;

	if (strncmp(p, "unix://", 7) == 0)
		p += 7;
	if (p[0] != '/' || strlen(p) >= len || strlen(p) > BRIDGES_PATH_MAX)
		return -EINVAL;
	snprintf(path, len, "%s", p);
	return 0;
}

/* ------------------------------------------------------------- routes */

static void
route_of(const struct engine_net *n, const struct ipprefix *p,
    struct route *r)
{
	memset(r, 0, sizeof(*r));
	/* field by field: the table compares whole routes, padding too */
	r->prefix.addr = p->addr;
	r->prefix.plen = p->plen;
	r->kind = ROUTE_HOST;		/* via the bridge, not a blackhole */
	snprintf(r->ifname, sizeof(r->ifname), "%s", n->bridge);
	r->tag = n->tag;
	r->metric = n->metric;
	r->has_metric = n->has_metric;
	r->distance = n->distance;
	snprintf(r->network_id, sizeof(r->network_id), "%s", n->id);
}

/* Withdraw bn's routes that are ours and not in keep[0..nkeep). */
static void
withdraw(struct bridges *b, struct bridge_net *bn, const struct ipprefix *keep,
    size_t nkeep)
{
	const struct route *r;
	size_t i, j;

	for (i = 0; i < bn->nroutes; i++) {
		for (j = 0; j < nkeep; j++)
			if (bn->routes[i].plen == keep[j].plen &&
			    addr_eq(&bn->routes[i].addr, &keep[j].addr))
				break;
		if (j < nkeep)
			continue;
		if ((r = announce_find(b->ctx, &bn->routes[i])) != NULL &&
		    strcmp(r->network_id, bn->n.id) == 0)
			announce_del(b->ctx, &bn->routes[i]);
	}
	bn->nroutes = 0;
}

static void
net_forget(struct bridges *b, const char *id)
{
	struct bridge_net *bn = hmap_del(b->nets, id);

	if (bn == NULL)
		return;
	if (bn->nroutes > 0)
		log_info("docker network %s (%.12s) is gone: its routes are "
		    "withdrawn", bn->n.name, bn->n.id);
	withdraw(b, bn, NULL, 0);
	free(bn);
}

static struct bridge_net *
net_get(struct bridges *b, const char *id)
{
	struct bridge_net *bn = hmap_find(b->nets, id);

	if (bn != NULL)
		return bn;
	if (hmap_count(b->nets) >= MAX_NETS) {
		log_warnx("docker network %.12s: more than %d labelled networks;"
		    " not announced", id, MAX_NETS);
		return NULL;
	}
	if ((bn = calloc(1, sizeof(*bn))) == NULL)
		return NULL;
	memcpy(bn->n.id, id, ENGINE_ID_LEN + 1);
	if (hmap_add(b->nets, bn->n.id, bn) != 0) {
		free(bn);
		return NULL;
	}
	return bn;
}

/* Make bn announce what n says, or nothing with err. */
static void
net_apply(struct bridges *b, struct bridge_net *bn, const struct engine_net *n,
    const char *err)
{
	struct ipprefix want[2 * ENGINE_MAX_SUBNETS];
	const struct route *have;
	char ps[ADDR_STRLEN], list[512] = "";
	struct route r;
	size_t i, k = 0;
	int e;

	memset(want, 0, sizeof(want));
	if (err == NULL) {
		for (i = 0; i < n->nsubnets; i++, k += 2)
			engine_halves(&n->subnets[i], &want[k]);
		for (i = 0; i < k && err == NULL; i++)
			if ((have = announce_find(b->ctx, &want[i])) != NULL &&
			    strcmp(have->network_id, n->id) != 0) {
				snprintf(bn->error, sizeof(bn->error), "%s is "
				    "already announced for network %.12s",
				    prefix_fmt(&want[i], ps, sizeof(ps)),
				    have->network_id);
				err = bn->error;
			}
	}
	if (err != NULL) {
		bool changed = strcmp(bn->error, err) != 0 || bn->nroutes > 0;

		if (err != bn->error)
			snprintf(bn->error, sizeof(bn->error), "%s", err);
		snprintf(bn->n.name, sizeof(bn->n.name), "%s", n->name);
		withdraw(b, bn, NULL, 0);
		if (changed)
			log_warnx("docker network %s (%.12s): %s; nothing is "
			    "announced for it", bn->n.name, bn->n.id, bn->error);
		return;
	}
	withdraw(b, bn, want, k);
	bn->n = *n;
	bn->error[0] = '\0';
	for (i = 0; i < k; i++) {
		route_of(n, &want[i], &r);
		if ((e = announce_add(b->ctx, &r)) == -ENOMEM) {
			snprintf(bn->error, sizeof(bn->error), "out of memory");
			memcpy(bn->routes, want, k * sizeof(want[0]));
			bn->nroutes = k;
			withdraw(b, bn, NULL, 0);
			return;
		}
		bn->routes[bn->nroutes++] = want[i];
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    " %s", prefix_fmt(&want[i], ps, sizeof(ps)));
	}
	log_info("docker network %s (%.12s): announcing%s via %s, tag %u",
	    n->name, n->id, list, n->bridge, n->tag);
}

/* One network object of the engine: apply it; its id, or NULL. */
static const char *
net_object(struct bridges *b, const cJSON *o)
{
	struct engine_defaults d = { b->ctx->cfg.tag, b->ctx->cfg.metric,
	    b->ctx->cfg.has_metric, b->ctx->cfg.distance };
	struct engine_net n;
	struct bridge_net *bn;
	char err[256];
	int r;

	r = engine_net_parse(o, &d, &n, err, sizeof(err));
	if (n.id[0] == '\0') {
		if (log_rate_allow(&b->rl, "engine"))
			log_warnx("docker engine at %s: %s", b->path, err);
		return NULL;
	}
	if (r == 0) {
		net_forget(b, n.id);
		return "";
	}
	if ((bn = net_get(b, n.id)) == NULL)
		return NULL;
	net_apply(b, bn, &n, r < 0 ? err : NULL);
	return bn->n.id;
}

/* ------------------------------------------------------------- requests */

static void
req_free(struct req *q)
{
	struct bridges *b;
	size_t i;

	if (q == NULL)
		return;
	b = q->b;
	if (b->events == q)
		b->events = NULL;
	if (b->list == q)
		b->list = NULL;
	for (i = 0; i < MAX_INSPECTS; i++)
		if (b->inspects[i] == q)
			b->inspects[i] = NULL;
	if (q->bev != NULL)
		bufferevent_free(q->bev);
	engine_lines_free(&q->lines);
	free(q->body);
	free(q);
}

static void
close_all(struct bridges *b)
{
	size_t i;

	req_free(b->events);
	req_free(b->list);
	for (i = 0; i < MAX_INSPECTS; i++)
		req_free(b->inspects[i]);
	b->relist = false;
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	connect_events(arg);
}

/*
 * The stream failed: close everything, keep the routes, try again later.
 * From the loop, so that no request is freed under a callback of its own.
 */
static void __attribute__((format(printf, 2, 3)))
fail(struct bridges *b, const char *fmt, ...)
{
	struct timeval now = { 0, 0 };
	va_list ap;

	if (b->failing)
		return;		/* the first reason is the one */
	b->failing = true;
	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
	evtimer_add(b->failev, &now);
}

static void
fail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bridges *b = arg;
	struct timeval tv;

	(void)fd;
	(void)what;
	b->failing = false;
	log_warnx("docker engine at %s: %s; the networks' routes stay as they "
	    "are, reconnecting in %u s", b->path, b->error,
	    b->backoff_ms / 1000);
	close_all(b);
	b->state = "waiting to reconnect";
	tv.tv_sec = b->backoff_ms / 1000;
	tv.tv_usec = (b->backoff_ms % 1000) * 1000;
	evtimer_add(b->retry, &tv);
	b->backoff_ms = b->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    b->backoff_ms * 2;
}

static int
body_sink(void *arg, const char *p, size_t n)
{
	struct req *q = arg;
	char *nb;

	if ((nb = realloc(q->body, q->len + n + 1)) == NULL)
		return -ENOMEM;
	q->body = nb;
	memcpy(q->body + q->len, p, n);
	q->len += n;
	q->body[q->len] = '\0';
	return 0;
}

static int
event_line(void *arg, const char *line, size_t n)
{
	struct req *q = arg;
	struct bridges *b = q->b;
	enum engine_action act;
	char id[ENGINE_ID_LEN + 1], err[128];
	size_t i;

	if (engine_event_parse(line, n, &act, id, err, sizeof(err)) != 0) {
		if (log_rate_allow(&b->rl, "engine"))
			log_warnx("docker engine at %s: %s", b->path, err);
		return 0;
	}
	if (act == ENGINE_EV_OTHER)
		return 0;
	b->nevents++;
	log_debug("docker network event: %s %.12s", act == ENGINE_EV_CREATE ?
	    "create" : "destroy", id);
	for (i = 0; i < MAX_INSPECTS; i++)
		if (b->inspects[i] != NULL && strcmp(b->inspects[i]->id, id) == 0)
			req_free(b->inspects[i]);
	if (act == ENGINE_EV_DESTROY)
		net_forget(b, id);
	if (b->list != NULL) {
		b->relist = true;
		return 0;
	}
	if (act == ENGINE_EV_CREATE) {
		struct req *rq;
		char path[128];

		for (i = 0; i < MAX_INSPECTS && b->inspects[i] != NULL; i++)
			;
		if (i == MAX_INSPECTS) {
			start_list(b);
			return 0;
		}
		snprintf(path, sizeof(path), "/networks/%s", id);
		if ((rq = req_new(b, REQ_INSPECT, path)) == NULL) {
			start_list(b);
			return 0;
		}
		memcpy(rq->id, id, sizeof(rq->id));
		b->inspects[i] = rq;
	}
	return 0;
}

/* A complete list: reconcile the table with it. */
static void
list_done(struct bridges *b, struct req *q)
{
	cJSON *a = cJSON_ParseWithLength(q->body ? q->body : "", q->len), *o;
	struct hmap *seen = hmap_new();
	char (*ids)[ENGINE_ID_LEN + 1] = NULL;
	struct bridge_net *bn;
	const char *id;
	size_t pos = 0, n = 0;
	bool oom = seen == NULL;

	if (!cJSON_IsArray(a)) {
		cJSON_Delete(a);
		hmap_free(seen);
		fail(b, "%s", "GET /networks: the answer is not a JSON array");
		return;
	}
	/* The IDs seen, copied: a network may be forgotten meanwhile. */
	if (!oom && cJSON_GetArraySize(a) > 0 && (ids = calloc((size_t)
	    cJSON_GetArraySize(a), sizeof(*ids))) == NULL)
		oom = true;
	cJSON_ArrayForEach(o, a) {
		if (oom)
			break;
		if ((id = net_object(b, o)) == NULL || id[0] == '\0')
			continue;
		memcpy(ids[n], id, sizeof(ids[n]));
		if (hmap_add(seen, ids[n++], ids) != 0)
			oom = true;
	}
	if (oom) {
		cJSON_Delete(a);
		hmap_free(seen);
		free(ids);
		fail(b, "%s", "out of memory");
		return;
	}
	/* What the engine no longer has goes. */
	while ((bn = hmap_next(b->nets, &pos, NULL)) != NULL)
		if (hmap_find(seen, bn->n.id) == NULL)
			net_forget(b, bn->n.id);
	hmap_free(seen);
	free(ids);
	cJSON_Delete(a);
	b->nlists++;
	b->state = "following events";
	b->error[0] = '\0';
	b->backoff_ms = BACKOFF_MIN_MS;
	log_info("docker engine at %s: %zu labelled bridge network(s); "
	    "following its events", b->path, hmap_count(b->nets));
}

static void
inspect_done(struct bridges *b, struct req *q)
{
	cJSON *o;

	if (q->resp.status == 404)
		return;		/* gone already: its destroy event follows */
	if (q->resp.status != 200 ||
	    (o = cJSON_ParseWithLength(q->body ? q->body : "", q->len)) == NULL) {
		if (log_rate_allow(&b->rl, "engine"))
			log_warnx("docker engine at %s: GET /networks/%.12s: "
			    "status %d; listing the networks again", b->path,
			    q->id, q->resp.status);
		start_list(b);
		return;
	}
	net_object(b, o);
	cJSON_Delete(o);
}

/* q's response is complete. */
static void
req_done(struct req *q)
{
	struct bridges *b = q->b;

	switch (q->kind) {
	case REQ_EVENTS:
		req_free(q);
		fail(b, "%s", "the engine ended the event stream");
		return;
	case REQ_LIST:
		if (q->resp.status != 200) {
			fail(b, "GET /networks: status %d", q->resp.status);
			req_free(q);
			return;
		}
		b->list = NULL;
		if (b->relist) {
			b->relist = false;
			req_free(q);
			start_list(b);
			return;
		}
		list_done(b, q);
		req_free(q);
		return;
	case REQ_INSPECT:
		inspect_done(b, q);
		req_free(q);
		return;
	}
}

/* q failed before its response was complete. */
static void
req_failed(struct req *q, const char *why)
{
	struct bridges *b = q->b;
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %s", q->kind == REQ_EVENTS ?
	    "GET /events" : q->kind == REQ_LIST ? "GET /networks" :
	    "GET /networks/ID", why);
	if (q->kind == REQ_INSPECT) {
		if (log_rate_allow(&b->rl, "engine"))
			log_warnx("docker engine at %s: %s; listing the networks "
			    "again", b->path, msg);
		req_free(q);
		start_list(b);
		return;
	}
	req_free(q);
	fail(b, "%s", msg);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct req *q = arg;
	struct bridges *b = q->b;
	struct evbuffer *in = bufferevent_get_input(bev);
	char tmp[4096];
	int n, r;

	while (!b->failing && (n = evbuffer_remove(in, tmp, sizeof(tmp))) > 0) {
		bool had_head = engine_resp_head_done(&q->resp);

		r = engine_resp_feed(&q->resp, tmp, (size_t)n);
		if (q->kind == REQ_EVENTS && !had_head &&
		    engine_resp_head_done(&q->resp)) {
			if (q->resp.status != 200) {
				fail(b, "GET /events: status %d",
				    q->resp.status);
				return;
			}
			/* The stream is up: no timeout, and list now. */
			bufferevent_set_timeouts(bev, NULL, NULL);
			b->state = "listing";
			start_list(b);
		}
		if (r < 0) {
			req_failed(q, r == -EMSGSIZE ? "the answer is over its "
			    "bound" : r == -ENOMEM ? "out of memory" :
			    "a malformed answer");
			return;
		}
		if (r == 1) {
			req_done(q);
			return;
		}
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct req *q = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	if ((what & BEV_EVENT_EOF) && engine_resp_eof(&q->resp) == 1) {
		req_done(q);
		return;
	}
	req_failed(q, what & BEV_EVENT_TIMEOUT ? "no answer within 30 s" :
	    what & BEV_EVENT_EOF ? "the engine closed the connection" :
	    strerror(EVUTIL_SOCKET_ERROR() ? EVUTIL_SOCKET_ERROR() : EPIPE));
}

static int
lines_sink(void *arg, const char *p, size_t n)
{
	return engine_lines_feed(arg, p, n);
}

/*
 * A connection that sends GET path; NULL (errno) when it cannot be made.
 * The callbacks are set once the connect is under way: libevent reports a
 * connect that fails at once through them, from inside the call.
 */
static struct req *
req_new(struct bridges *b, enum req_kind kind, const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { TIMEOUT_S, 0 };
	struct req *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->b = b;
	q->kind = kind;
	if (kind == REQ_EVENTS) {
		q->lines.fn = event_line;
		q->lines.arg = q;
		engine_resp_init(&q->resp, 0, lines_sink, &q->lines);
	} else {
		engine_resp_init(&q->resp, kind == REQ_LIST ? LIST_MAX :
		    INSPECT_MAX, body_sink, q);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, b->path, strlen(b->path) + 1);
	q->bev = bufferevent_socket_new(b->ctx->base, -1,
	    BEV_OPT_CLOSE_ON_FREE);
	if (q->bev == NULL) {
		free(q);
		return NULL;
	}
	bufferevent_set_timeouts(q->bev, &tv, &tv);
	if (bufferevent_enable(q->bev, EV_READ | EV_WRITE) != 0 ||
	    evbuffer_add_printf(bufferevent_get_output(q->bev),
	    "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: routed-plugin\r\n"
	    "Connection: close\r\n\r\n", path) < 0 ||
	    bufferevent_socket_connect(q->bev, (struct sockaddr *)&sun,
	    (int)sizeof(sun)) != 0) {
		int e = errno;

		bufferevent_free(q->bev);
		free(q);
		errno = e;
		return NULL;
	}
	bufferevent_setcb(q->bev, read_cb, NULL, event_cb, q);
	return q;
}

static void
start_list(struct bridges *b)
{
	if (b->events == NULL)
		return;			/* the next connection lists */
	if (b->list != NULL) {
		b->relist = true;
		return;
	}
	if ((b->list = req_new(b, REQ_LIST, LIST_PATH)) == NULL)
		fail(b, "%s", "cannot connect for GET /networks");
}

static void
connect_events(struct bridges *b)
{
	b->state = "connecting";
	if ((b->events = req_new(b, REQ_EVENTS, EVENTS_PATH)) == NULL)
		fail(b, "cannot connect: %s", strerror(errno));
}

int
bridges_start(struct rp_ctx *ctx, const char *path)
{
	struct bridges *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -ENOMEM;
	b->ctx = ctx;
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->backoff_ms = BACKOFF_MIN_MS;
	if ((b->nets = hmap_new()) == NULL ||
	    (b->retry = evtimer_new(ctx->base, retry_cb, b)) == NULL ||
	    (b->failev = evtimer_new(ctx->base, fail_cb, b)) == NULL) {
		if (b->retry != NULL)
			event_free(b->retry);
		hmap_free(b->nets);
		free(b);
		return -ENOMEM;
	}
	ctx->bridges = b;
	log_info("following the docker engine at %s for labelled bridge "
	    "networks (routed.announce=aggregate)", path);
	connect_events(b);
	return 0;
}

void
bridges_free(struct rp_ctx *ctx)
{
	struct bridges *b = ctx->bridges;
	struct bridge_net *bn;
	size_t pos = 0;

	if (b == NULL)
		return;
	close_all(b);
	event_free(b->retry);
	event_free(b->failev);
	while ((bn = hmap_next(b->nets, &pos, NULL)) != NULL) {
		hmap_del(b->nets, bn->n.id);
		free(bn);
	}
	hmap_free(b->nets);
	free(b);
	ctx->bridges = NULL;
}

void
bridges_repair(struct rp_ctx *ctx)
{
	struct bridges *b = ctx->bridges;
	struct bridge_net *bn;
	struct engine_net n;
	size_t pos = 0;

	if (b == NULL)
		return;
	while ((bn = hmap_next(b->nets, &pos, NULL)) != NULL)
		if (bn->error[0] == '\0') {
			n = bn->n;
			net_apply(b, bn, &n, NULL);
		}
	start_list(b);
}

bool
bridges_state(struct rp_ctx *ctx, struct bridges_state *st)
{
	struct bridges *b = ctx->bridges;

	if (b == NULL)
		return false;
	st->path = b->path;
	st->state = b->state;
	st->error = b->error;
	st->events = b->nevents;
	st->lists = b->nlists;
	return true;
}

const struct bridge_net *
bridges_next(struct rp_ctx *ctx, size_t *pos)
{
	return ctx->bridges == NULL ? NULL :
	    hmap_next(ctx->bridges->nets, pos, NULL);
}
