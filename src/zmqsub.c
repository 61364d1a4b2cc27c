/* SPDX-License-Identifier: MIT */
/*
 * zmqsub.c: the route stream's subscriber (DEALER socket) on the event
 * loop.  See zmqpub.c for how ZMQ_FD is driven; the same rules hold here.
 *
 * The applied map is what the sink holds because of us: a snapshot is
 * reconciled against it, so the sink never needs to be enumerated.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <zmq.h>

#include "hmap.h"
#include "log.h"
#include "stream.h"
#include "zmqsub.h"

#define SUB_TIMEOUT_MS		3000
#define SUB_RETRY_MS		1000
#define SUB_RETRY_BACKOFF	8	/* ...doubling up to 8 times that */
#define SUB_CONNECT_RETRY_MS	100	/* no connection yet: ask soon */
#define SUB_BATCH		256

struct sentry {
	char key[ADDR_STRLEN];		/* the prefix as text */
	struct route r;
};

struct zmqsub {
	struct event_base *base;
	struct zmqsub_config cfg;
	void *zctx;
	void *sock;
	struct event *ev;		/* ZMQ_FD readable */
	struct event *timer;		/* silence (synced) or retry (waiting) */
	struct hmap *applied;		/* key -> sentry */
	uint64_t epoch;
	uint64_t seq;
	bool synced;
	bool in_read;
	unsigned retry_cur;		/* ms; doubles while no snapshot comes */
	struct zmqsub_stats st;
	struct log_rate rl;
};

static void
timer_arm(struct zmqsub *zs, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(zs->timer, &tv);
}

static void
sub_rearm(struct zmqsub *zs)
{
	uint32_t events = 0;
	size_t len = sizeof(events);

	if (zs->in_read)
		return;
	if (zmq_getsockopt(zs->sock, ZMQ_EVENTS, &events, &len) == 0 &&
	    (events & ZMQ_POLLIN))
		event_active(zs->ev, EV_READ, 0);
}

/*
 * Ask for a snapshot.  With ZMQ_IMMEDIATE a request is queued only on a
 * live connection, so none piles up while the plugin is away: without one
 * we ask again soon.
 */
static void
request(struct zmqsub *zs)
{
	uint8_t *p;
	size_t len;
	int ret;

	zs->synced = false;
	if ((ret = stream_request_encode(&p, &len)) != 0) {
		timer_arm(zs, zs->cfg.retry_ms);
		return;
	}
	ret = zmq_send(zs->sock, p, len, ZMQ_DONTWAIT);
	free(p);
	if (ret < 0) {
		if (zmq_errno() != EAGAIN)
			log_warnx("route stream: cannot ask for a snapshot: %s",
			    zmq_strerror(zmq_errno()));
		timer_arm(zs, SUB_CONNECT_RETRY_MS < zs->cfg.retry_ms ?
		    SUB_CONNECT_RETRY_MS : zs->cfg.retry_ms);
	} else {
		/* A big snapshot may take a while: ask less and less often. */
		zs->st.requests++;
		log_debug("route stream: snapshot requested");
		timer_arm(zs, zs->retry_cur);
		if (zs->retry_cur < SUB_RETRY_BACKOFF * zs->cfg.retry_ms)
			zs->retry_cur *= 2;
	}
	sub_rearm(zs);
}

static void __attribute__((format(printf, 2, 3)))
resync(struct zmqsub *zs, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_info("route stream: %s: asking for a new snapshot", why);
	zs->st.resyncs++;
	request(zs);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct zmqsub *zs = arg;

	if (zs->synced)
		resync(zs, "nothing from the plugin for %u ms",
		    zs->cfg.timeout_ms);
	else
		request(zs);
}

/* Record r under key in map, reusing e when given; false on ENOMEM. */
static bool
record(struct hmap *map, const char *key, struct sentry *e,
    const struct route *r)
{
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return false;
		memcpy(e->key, key, sizeof(e->key));
	}
	e->r = *r;
	if (hmap_add(map, e->key, e) != 0) {
		free(e);
		return false;
	}
	return true;
}

/*
 * Give r to the sink.  On failure it is not recorded (or the old route
 * stays recorded, as the sink keeps it), so the next snapshot retries.
 */
static bool
sink_add(struct zmqsub *zs, const char *key, const struct route *r)
{
	int ret;

	if ((ret = zs->cfg.sink.add(zs->cfg.sink.arg, r)) == 0)
		return true;
	log_warnx("route stream: cannot apply %s: %s", key, strerror(-ret));
	return false;
}

static void
sink_del(struct zmqsub *zs, struct sentry *e)
{
	int ret;

	if ((ret = zs->cfg.sink.del(zs->cfg.sink.arg, &e->r.prefix)) != 0)
		log_warnx("route stream: cannot withdraw %s: %s", e->key,
		    strerror(-ret));
}

/*
 * Apply a snapshot: routes new or changed go to the sink, routes the sink
 * holds because of us and the snapshot lacks are withdrawn.  Unchanged
 * routes are not sent again.  A duplicate prefix: the later route wins.
 */
static void
apply_snapshot(struct zmqsub *zs, const struct stream_msg *m)
{
	struct hmap *next;
	struct sentry *e;
	char key[ADDR_STRLEN];
	size_t i, pos = 0, adds = 0, dels = 0, before;

	if ((next = hmap_new()) == NULL) {
		log_warnx("route stream: out of memory for a snapshot");
		return;
	}
	before = hmap_count(zs->applied);
	for (i = 0; i < m->nroutes; i++) {
		const struct route *r = &m->routes[i];

		prefix_fmt(&r->prefix, key, sizeof(key));
		if ((e = hmap_del(next, key)) != NULL) {
			/* A duplicate: it goes back to compare as held. */
			if (hmap_add(zs->applied, e->key, e) != 0)
				free(e);
		}
		e = hmap_del(zs->applied, key);
		if (e != NULL && stream_route_same(&e->r, r)) {
			record(next, key, e, r);	/* unchanged */
			continue;
		}
		if (sink_add(zs, key, r)) {
			adds++;
			record(next, key, e, r);
		} else if (e != NULL) {
			record(next, key, e, &e->r);	/* the sink keeps it */
		}
	}
	/* What is left in applied is not in the snapshot. */
	while ((e = hmap_next(zs->applied, &pos, NULL)) != NULL) {
		sink_del(zs, e);
		dels++;
		hmap_del(zs->applied, e->key);
		free(e);
	}
	hmap_free(zs->applied);
	zs->applied = next;
	log_info("route stream: snapshot of epoch %016llx seq %llu applied: "
	    "%zu routes (%zu before), %zu added or changed, %zu withdrawn",
	    (unsigned long long)m->epoch, (unsigned long long)m->seq,
	    m->nroutes, before, adds, dels);
}

static void
apply_update(struct zmqsub *zs, const struct stream_msg *m)
{
	struct sentry *e;
	char key[ADDR_STRLEN];

	prefix_fmt(&m->route.prefix, key, sizeof(key));
	log_debug("route stream: update %" PRIu64 ": %s %s", m->seq,
	    m->op == STREAM_ADD ? "add" : "withdraw", key);
	e = hmap_find(zs->applied, key);
	if (m->op == STREAM_ADD) {
		if (e != NULL && stream_route_same(&e->r, &m->route))
			return;
		if (!sink_add(zs, key, &m->route))
			return;
		if (e != NULL)
			e->r = m->route;
		else
			record(zs->applied, key, NULL, &m->route);
		return;
	}
	if (e == NULL)
		return;
	sink_del(zs, e);
	hmap_del(zs->applied, key);
	free(e);
}

static void
monitor(struct zmqsub *zs, const struct stream_msg *m)
{
	if (zs->cfg.monitor != NULL)
		zs->cfg.monitor(zs->cfg.monitor_arg, m);
}

static void
on_msg(struct zmqsub *zs, const struct stream_msg *m)
{
	switch (m->type) {
	case STREAM_SNAPSHOT:
		/* Always the table as of m->seq: apply whatever we had. */
		monitor(zs, m);
		apply_snapshot(zs, m);
		zs->epoch = m->epoch;
		zs->seq = m->seq;
		zs->synced = true;
		zs->retry_cur = zs->cfg.retry_ms;
		zs->st.snapshots++;
		timer_arm(zs, zs->cfg.timeout_ms);
		if (zs->cfg.applied != NULL)
			zs->cfg.applied(zs->cfg.applied_arg);
		return;
	case STREAM_UPDATE:
		if (!zs->synced) {
			zs->st.ignored++;	/* the snapshot will have it */
			return;
		}
		timer_arm(zs, zs->cfg.timeout_ms);
		if (m->epoch != zs->epoch) {
			resync(zs, "epoch %016" PRIx64 ", not %016" PRIx64,
			    m->epoch, zs->epoch);
			return;
		}
		if (m->seq <= zs->seq) {
			zs->st.ignored++;
			return;
		}
		if (m->seq != zs->seq + 1) {
			resync(zs, "update %" PRIu64 " after %" PRIu64,
			    m->seq, zs->seq);
			return;
		}
		monitor(zs, m);
		apply_update(zs, m);
		zs->seq = m->seq;
		zs->st.updates++;
		return;
	case STREAM_HEARTBEAT:
		if (!zs->synced) {
			zs->st.ignored++;
			return;
		}
		timer_arm(zs, zs->cfg.timeout_ms);
		if (m->epoch != zs->epoch)
			resync(zs, "heartbeat of epoch %016" PRIx64 ", not %016"
			    PRIx64, m->epoch, zs->epoch);
		else if (m->seq > zs->seq)
			resync(zs, "heartbeat at seq %" PRIu64 ", ours is %"
			    PRIu64, m->seq, zs->seq);
		else
			monitor(zs, m);
		return;
	case STREAM_SNAPSHOT_REQUEST:
		break;
	}
	zs->st.bad++;
	if (log_rate_allow(&zs->rl, "route stream: bad messages"))
		log_warnx("route stream: a %s from the plugin, dropped",
		    stream_type_name(m->type));
}

static void
on_frame(struct zmqsub *zs, zmq_msg_t *msg, int parts)
{
	struct stream_msg m;
	int ret;

	if (parts != 1) {
		zs->st.bad++;
		if (log_rate_allow(&zs->rl, "route stream: bad messages"))
			log_warnx("route stream: a message of %d parts from "
			    "the plugin, dropped", parts);
		return;
	}
	ret = stream_decode(zmq_msg_data(msg), zmq_msg_size(msg), &m);
	if (ret != 0) {
		zs->st.bad++;
		if (log_rate_allow(&zs->rl, "route stream: bad messages"))
			log_warnx("route stream: %s message (%zu bytes) from "
			    "the plugin, dropped", ret == -ENOMSG ? "an unknown" :
			    ret == -ENOMEM ? "(out of memory) a" : "a bad",
			    zmq_msg_size(msg));
		return;
	}
	on_msg(zs, &m);
	stream_msg_free(&m);
}

static void
sub_read(evutil_socket_t fd, short what, void *arg)
{
	struct zmqsub *zs = arg;
	zmq_msg_t msg, part;
	uint32_t events;
	size_t len;
	int more, parts, n;

	zs->in_read = true;
	for (n = 0; n < SUB_BATCH; n++) {
		events = 0;
		len = sizeof(events);
		if (zmq_getsockopt(zs->sock, ZMQ_EVENTS, &events, &len) != 0 ||
		    !(events & ZMQ_POLLIN))
			break;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, zs->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&msg);
			break;
		}
		parts = 1;
		more = zmq_msg_more(&msg);
		while (more) {
			zmq_msg_init(&part);
			if (zmq_msg_recv(&part, zs->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&part);
				break;
			}
			parts++;
			more = zmq_msg_more(&part);
			zmq_msg_close(&part);
		}
		on_frame(zs, &msg, parts);
		zmq_msg_close(&msg);
	}
	zs->in_read = false;
	if (n == SUB_BATCH)
		event_active(zs->ev, EV_READ, 0);	/* let others run */
	else
		sub_rearm(zs);
}

int
zmqsub_new(struct event_base *base, const struct zmqsub_config *cfg,
    struct zmqsub **out)
{
	struct zmqsub *zs;
	int one = 1, zero = 0, fd, ret = -ENOMEM;
	int64_t maxmsg = STREAM_MAX_FRAME;
	size_t fdlen = sizeof(fd);

	if (stream_endpoint_check(cfg->endpoint) != 0 ||
	    cfg->sink.add == NULL || cfg->sink.del == NULL)
		return -EINVAL;
	if ((zs = calloc(1, sizeof(*zs))) == NULL)
		return -ENOMEM;
	zs->base = base;
	zs->cfg = *cfg;
	if (zs->cfg.timeout_ms == 0)
		zs->cfg.timeout_ms = SUB_TIMEOUT_MS;
	if (zs->cfg.retry_ms == 0)
		zs->cfg.retry_ms = SUB_RETRY_MS;
	zs->retry_cur = zs->cfg.retry_ms;
	if ((zs->applied = hmap_new()) == NULL ||
	    (zs->zctx = zmq_ctx_new()) == NULL)
		goto fail;
	zmq_ctx_set(zs->zctx, ZMQ_BLOCKY, 0);
	if ((zs->sock = zmq_socket(zs->zctx, ZMQ_DEALER)) == NULL ||
	    zmq_setsockopt(zs->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(zs->sock, ZMQ_IMMEDIATE, &one, sizeof(one)) ||
	    zmq_setsockopt(zs->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    zmq_connect(zs->sock, cfg->endpoint) != 0 ||
	    zmq_getsockopt(zs->sock, ZMQ_FD, &fd, &fdlen) != 0) {
		ret = zmq_errno() != 0 ? -zmq_errno() : -ENOMEM;
		goto fail;
	}
	if ((zs->ev = event_new(base, fd, EV_READ | EV_PERSIST, sub_read,
	    zs)) == NULL || event_add(zs->ev, NULL) != 0 ||
	    (zs->timer = evtimer_new(base, on_timer, zs)) == NULL)
		goto fail;
	/* The first request goes out from the loop; then the timer retries. */
	timer_arm(zs, 0);
	log_info("route stream: following %s", cfg->endpoint);
	*out = zs;
	return 0;
fail:
	zmqsub_free(zs);
	return ret;
}

void
zmqsub_free(struct zmqsub *zs)
{
	struct sentry *e;
	size_t pos = 0;

	if (zs == NULL)
		return;
	if (zs->timer != NULL)
		event_free(zs->timer);
	if (zs->ev != NULL)
		event_free(zs->ev);
	if (zs->sock != NULL)
		zmq_close(zs->sock);
	if (zs->zctx != NULL)
		zmq_ctx_term(zs->zctx);
	if (zs->applied != NULL) {
		while ((e = hmap_next(zs->applied, &pos, NULL)) != NULL) {
			hmap_del(zs->applied, e->key);
			free(e);
		}
		hmap_free(zs->applied);
	}
	free(zs);
}

bool
zmqsub_synced(const struct zmqsub *zs)
{
	return zs->synced;
}

uint64_t
zmqsub_epoch(const struct zmqsub *zs)
{
	return zs->epoch;
}

uint64_t
zmqsub_seq(const struct zmqsub *zs)
{
	return zs->seq;
}

size_t
zmqsub_route_count(const struct zmqsub *zs)
{
	return hmap_count(zs->applied);
}

void
zmqsub_get_stats(const struct zmqsub *zs, struct zmqsub_stats *st)
{
	*st = zs->st;
}
