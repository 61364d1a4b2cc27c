/*
 * zmqpub.c: the route stream's publisher (ROUTER socket) on the event loop.
 *
 * ZMQ_FD is edge-triggered: it signals only when ZMQ_EVENTS changes, and
 * any zmq call may consume the signal.  So the read callback drains while
 * ZMQ_EVENTS says POLLIN, and after sending outside the callback we look
 * at ZMQ_EVENTS again and activate the event by hand when input is waiting.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "hmap.h"
#include "log.h"
#include "stream.h"
#include "zmqpub.h"

#define PUB_HEARTBEAT_MS	1000
#define PUB_SNDHWM		10000
#define PUB_MAX_SUBSCRIBERS	64
#define PUB_MAX_REQUEST		65536	/* ZMQ_MAXMSGSIZE: requests are tiny */
#define PUB_BATCH		256	/* messages per callback, then yield */

struct pentry {
	char key[ADDR_STRLEN];		/* the prefix as text */
	struct route r;
};

struct subscriber {
	uint8_t id[256];		/* ZMQ routing id, 1..255 bytes */
	size_t idlen;
	char name[16];			/* a hex digest for logs */
};

struct zmqpub {
	struct event_base *base;
	struct zmqpub_config cfg;
	void *zctx;
	void *sock;
	struct event *ev;		/* ZMQ_FD readable */
	struct event *hb;		/* heartbeat timer */
	struct hmap *routes;		/* key -> pentry */
	struct subscriber *subs;
	size_t nsubs;
	uint64_t epoch;
	uint64_t seq;
	uint64_t snapshots;	/* snapshots sent, for metrics */
	bool in_read;
	bool bound_ipc;			/* we bound cfg.endpoint's ipc path */
	struct log_rate rl;
};

static void
sub_name(struct subscriber *s)
{
	size_t i, n = s->idlen < 6 ? s->idlen : 6;

	for (i = 0; i < n; i++)
		snprintf(s->name + 2 * i, sizeof(s->name) - 2 * i, "%02x",
		    s->id[i]);
}

static void
sub_drop(struct zmqpub *zp, size_t i, const char *why)
{
	log_info("route stream: helper %s dropped (%s); it will ask for a "
	    "new snapshot", zp->subs[i].name, why);
	zp->subs[i] = zp->subs[--zp->nsubs];
}

/* Input may be waiting that ZMQ_FD will not signal again: go and look. */
static void
pub_rearm(struct zmqpub *zp)
{
	uint32_t events = 0;
	size_t len = sizeof(events);

	if (zp->in_read)
		return;
	if (zmq_getsockopt(zp->sock, ZMQ_EVENTS, &events, &len) == 0 &&
	    (events & ZMQ_POLLIN))
		event_active(zp->ev, EV_READ, 0);
}

/* One frame to subscriber i; false (and i dropped) when it cannot take it. */
static bool
sub_send(struct zmqpub *zp, size_t i, const uint8_t *p, size_t n)
{
	struct subscriber *s = &zp->subs[i];

	if (zmq_send(zp->sock, s->id, s->idlen,
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(zp->sock, p, n, ZMQ_DONTWAIT) < 0) {
		sub_drop(zp, i, errno == EAGAIN ? "its queue is full" :
		    errno == EHOSTUNREACH ? "gone" : zmq_strerror(errno));
		return false;
	}
	return true;
}

static void
broadcast(struct zmqpub *zp, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < zp->nsubs)
		if (sub_send(zp, i, p, n))
			i++;
	pub_rearm(zp);
}

/* Send the whole table to subscriber i; false if it was dropped. */
static bool
send_snapshot(struct zmqpub *zp, size_t i)
{
	const struct route **routes = NULL;
	struct pentry *e;
	size_t n = 0, pos = 0, len;
	uint8_t *p;
	bool ok;
	int ret;

	if (hmap_count(zp->routes) > 0 && (routes = calloc(hmap_count(
	    zp->routes), sizeof(*routes))) == NULL) {
		sub_drop(zp, i, "out of memory");
		return false;
	}
	while ((e = hmap_next(zp->routes, &pos, NULL)) != NULL)
		routes[n++] = &e->r;
	ret = stream_snapshot_encode(zp->epoch, zp->seq, routes, n, &p, &len);
	free(routes);
	if (ret != 0) {
		sub_drop(zp, i, strerror(-ret));
		return false;
	}
	if ((ok = sub_send(zp, i, p, len))) {
		zp->snapshots++;
		log_info("route stream: helper %s subscribed: snapshot of %zu "
		    "routes at seq %llu (%zu bytes)", zp->subs[i].name, n,
		    (unsigned long long)zp->seq, len);
	}
	free(p);
	return ok;
}

static void
on_request(struct zmqpub *zp, const uint8_t *id, size_t idlen)
{
	struct subscriber *s;
	size_t i;

	for (i = 0; i < zp->nsubs; i++)
		if (zp->subs[i].idlen == idlen &&
		    memcmp(zp->subs[i].id, id, idlen) == 0)
			break;
	if (i == zp->nsubs) {
		if (zp->nsubs == zp->cfg.max_subscribers) {
			if (log_rate_allow(&zp->rl, "route stream: bad messages"))
				log_warnx("route stream: %zu helpers already, "
				    "snapshot request refused", zp->nsubs);
			return;
		}
		s = &zp->subs[zp->nsubs++];
		memset(s, 0, sizeof(*s));
		memcpy(s->id, id, idlen);
		s->idlen = idlen;
		sub_name(s);
	}
	send_snapshot(zp, i);
}

/* One multipart message: [routing id][body]. */
static void
on_message(struct zmqpub *zp, zmq_msg_t *id, zmq_msg_t *body, int parts)
{
	struct stream_msg m;
	int ret;

	if (parts != 2 || zmq_msg_size(id) == 0 ||
	    zmq_msg_size(id) > sizeof(zp->subs[0].id)) {
		if (log_rate_allow(&zp->rl, "route stream: bad messages"))
			log_warnx("route stream: a message of %d parts from a "
			    "helper, dropped", parts);
		return;
	}
	ret = stream_decode(zmq_msg_data(body), zmq_msg_size(body), &m);
	if (ret != 0) {
		if (log_rate_allow(&zp->rl, "route stream: bad messages"))
			log_warnx("route stream: %s message (%zu bytes) from a "
			    "helper, dropped", ret == -ENOMSG ? "an unknown" :
			    "a bad", zmq_msg_size(body));
		return;
	}
	if (m.type == STREAM_SNAPSHOT_REQUEST)
		on_request(zp, zmq_msg_data(id), zmq_msg_size(id));
	else if (log_rate_allow(&zp->rl, "route stream: bad messages"))
		log_warnx("route stream: a %s from a helper, dropped",
		    stream_type_name(m.type));
	stream_msg_free(&m);
}

static void
pub_read(evutil_socket_t fd, short what, void *arg)
{
	struct zmqpub *zp = arg;
	zmq_msg_t id, body, part;
	uint32_t events;
	size_t len;
	int more, parts, n;

	zp->in_read = true;
	for (n = 0; n < PUB_BATCH; n++) {
		events = 0;
		len = sizeof(events);
		if (zmq_getsockopt(zp->sock, ZMQ_EVENTS, &events, &len) != 0 ||
		    !(events & ZMQ_POLLIN))
			break;
		zmq_msg_init(&id);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&id, zp->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&id);
			zmq_msg_close(&body);
			break;
		}
		/* Read every part; keep the first after the id. */
		parts = 1;
		more = zmq_msg_more(&id);
		while (more) {
			zmq_msg_init(&part);
			if (zmq_msg_recv(&part, zp->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&part);
				break;	/* cannot happen: parts come at once */
			}
			more = zmq_msg_more(&part);
			if (++parts == 2)
				zmq_msg_move(&body, &part);
			zmq_msg_close(&part);
		}
		on_message(zp, &id, &body, parts);
		zmq_msg_close(&id);
		zmq_msg_close(&body);
	}
	zp->in_read = false;
	if (n == PUB_BATCH)
		event_active(zp->ev, EV_READ, 0);	/* let others run */
	else
		pub_rearm(zp);
}

static void
pub_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct zmqpub *zp = arg;
	uint8_t *p;
	size_t len;

	if (zp->nsubs == 0)
		return;
	if (stream_heartbeat_encode(zp->epoch, zp->seq, &p, &len) != 0)
		return;
	broadcast(zp, p, len);
	free(p);
}

static uint64_t
random_epoch(void)
{
	uint64_t e = 0;
	struct timespec ts;

	while (e == 0) {
		if (getrandom(&e, sizeof(e), GRND_NONBLOCK) != sizeof(e)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			e = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
			    ((uint64_t)getpid() << 16);
		}
	}
	return e;
}

/*
 * An ipc path: make its directory, and refuse to take the path from a live
 * process (libzmq would unlink it silently).  A socket nobody listens on is
 * stale and removed.
 */
static int
ipc_prepare(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	char dir[sizeof(sun.sun_path)];
	char *slash;
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			ret = -errno;
			log_warn("route stream: cannot create %s", dir);
			return ret;
		}
	}
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("route stream: %s exists and is not a socket", path);
		return -EEXIST;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 :
	    errno;
	close(fd);
	if (ret == 0 || ret == EAGAIN) {
		log_warnx("route stream: another process serves %s", path);
		return -EADDRINUSE;
	}
	if (ret != ECONNREFUSED)
		return -ret;
	log_info("route stream: removing the stale socket %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
zmqpub_new(struct event_base *base, const struct zmqpub_config *cfg,
    struct zmqpub **out)
{
	struct zmqpub *zp;
	struct timeval tv;
	const char *path;
	int one = 1, zero = 0, hwm, fd, ret;
	int64_t maxmsg = PUB_MAX_REQUEST;
	size_t fdlen = sizeof(fd);

	if (stream_endpoint_check(cfg->endpoint) != 0)
		return -EINVAL;
	if ((zp = calloc(1, sizeof(*zp))) == NULL)
		return -ENOMEM;
	zp->base = base;
	zp->cfg = *cfg;
	if (zp->cfg.heartbeat_ms == 0)
		zp->cfg.heartbeat_ms = PUB_HEARTBEAT_MS;
	if (zp->cfg.sndhwm == 0)
		zp->cfg.sndhwm = PUB_SNDHWM;
	if (zp->cfg.max_subscribers == 0)
		zp->cfg.max_subscribers = PUB_MAX_SUBSCRIBERS;
	zp->epoch = cfg->epoch != 0 ? cfg->epoch : random_epoch();
	ret = -ENOMEM;
	if ((zp->routes = hmap_new()) == NULL || (zp->subs = calloc(
	    zp->cfg.max_subscribers, sizeof(*zp->subs))) == NULL)
		goto fail;
	if ((path = stream_endpoint_path(cfg->endpoint)) != NULL &&
	    (ret = ipc_prepare(path)) != 0)
		goto fail;
	ret = -ENOMEM;
	if ((zp->zctx = zmq_ctx_new()) == NULL)
		goto fail;
	zmq_ctx_set(zp->zctx, ZMQ_BLOCKY, 0);
	if ((zp->sock = zmq_socket(zp->zctx, ZMQ_ROUTER)) == NULL)
		goto zfail;
	hwm = (int)zp->cfg.sndhwm;
	if (zmq_setsockopt(zp->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) ||
	    zmq_setsockopt(zp->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(zp->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(zp->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)))
		goto zfail;
	if (zmq_bind(zp->sock, cfg->endpoint) != 0) {
		ret = -zmq_errno();
		log_warnx("route stream: cannot bind %s: %s", cfg->endpoint,
		    zmq_strerror(-ret));
		goto fail;
	}
	zp->bound_ipc = path != NULL;
	if (zmq_getsockopt(zp->sock, ZMQ_FD, &fd, &fdlen) != 0)
		goto zfail;
	if ((zp->ev = event_new(base, fd, EV_READ | EV_PERSIST, pub_read,
	    zp)) == NULL || event_add(zp->ev, NULL) != 0)
		goto fail;
	tv.tv_sec = zp->cfg.heartbeat_ms / 1000;
	tv.tv_usec = (zp->cfg.heartbeat_ms % 1000) * 1000;
	if ((zp->hb = event_new(base, -1, EV_PERSIST, pub_heartbeat,
	    zp)) == NULL || event_add(zp->hb, &tv) != 0)
		goto fail;
	log_info("route stream: serving %s, epoch %016llx", cfg->endpoint,
	    (unsigned long long)zp->epoch);
	*out = zp;
	return 0;
zfail:
	ret = -zmq_errno();
	if (ret == 0)
		ret = -ENOMEM;
fail:
	zmqpub_free(zp);
	return ret;
}

void
zmqpub_free(struct zmqpub *zp)
{
	struct pentry *e;
	size_t pos = 0;

	if (zp == NULL)
		return;
	if (zp->hb != NULL)
		event_free(zp->hb);
	if (zp->ev != NULL)
		event_free(zp->ev);
	if (zp->sock != NULL)
		zmq_close(zp->sock);	/* linger 0: nothing waits */
	if (zp->zctx != NULL)
		zmq_ctx_term(zp->zctx);
	/* libzmq leaves the file; nobody else can have bound it meanwhile. */
	if (zp->bound_ipc)
		unlink(stream_endpoint_path(zp->cfg.endpoint));
	if (zp->routes != NULL) {
		while ((e = hmap_next(zp->routes, &pos, NULL)) != NULL) {
			hmap_del(zp->routes, e->key);
			free(e);
		}
		hmap_free(zp->routes);
	}
	free(zp->subs);
	free(zp);
}

/* Number the change and send it; a failed encode shows in the heartbeat. */
static void
publish(struct zmqpub *zp, enum stream_op op, const struct route *r)
{
	uint8_t *p;
	size_t len;
	int ret;

	zp->seq++;
	if (zp->nsubs == 0)
		return;
	if ((ret = stream_update_encode(zp->epoch, zp->seq, op, r, &p,
	    &len)) != 0) {
		log_warnx("route stream: cannot encode update %llu: %s; the "
		    "helpers will resync", (unsigned long long)zp->seq,
		    strerror(-ret));
		return;
	}
	broadcast(zp, p, len);
	free(p);
}

int
zmqpub_route_add(struct zmqpub *zp, const struct route *r)
{
	struct pentry *e;
	char key[ADDR_STRLEN];

	if (stream_route_check(r) != 0)
		return -EINVAL;
	prefix_fmt(&r->prefix, key, sizeof(key));
	if ((e = hmap_find(zp->routes, key)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return -ENOMEM;
		memcpy(e->key, key, sizeof(e->key));
		if (hmap_add(zp->routes, e->key, e) != 0) {
			free(e);
			return -ENOMEM;
		}
	} else if (stream_route_same(&e->r, r)) {
		return 0;
	}
	e->r = *r;
	if (!e->r.has_metric)
		e->r.metric = 0;
	publish(zp, STREAM_ADD, &e->r);
	return 0;
}

int
zmqpub_route_del(struct zmqpub *zp, const struct ipprefix *p)
{
	struct pentry *e;
	char key[ADDR_STRLEN];
	struct route w;

	if ((e = hmap_del(zp->routes, prefix_fmt(p, key, sizeof(key)))) == NULL)
		return -ENOENT;
	w = e->r;
	free(e);
	publish(zp, STREAM_WITHDRAW, &w);
	return 0;
}

uint64_t
zmqpub_epoch(const struct zmqpub *zp)
{
	return zp->epoch;
}

uint64_t
zmqpub_seq(const struct zmqpub *zp)
{
	return zp->seq;
}

size_t
zmqpub_route_count(const struct zmqpub *zp)
{
	return hmap_count(zp->routes);
}

size_t
zmqpub_subscriber_count(const struct zmqpub *zp)
{
	return zp->nsubs;
}

int
zmqpub_sink_add(void *zp, const struct route *r)
{
	return zmqpub_route_add(zp, r);
}

int
zmqpub_sink_del(void *zp, const struct ipprefix *p)
{
	int r = zmqpub_route_del(zp, p);

	return r == -ENOENT ? 0 : r;
}

uint64_t
zmqpub_snapshots_sent(const struct zmqpub *zp)
{
	return zp->snapshots;
}
