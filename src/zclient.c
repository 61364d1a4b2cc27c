/* SPDX-License-Identifier: MIT */
/*
 * zclient.c: the zebra session.  One unix stream socket, non-blocking, on
 * the caller's event base; a fixed input buffer framed with zapi_frame and
 * an evbuffer for output, written when the socket is writable.
 *
 * Why it does what it does is zebra's behaviour, measured on 8.4.4 (the
 * numbers are sections of the protocol notes, shared/docs/zapi.md beside
 * this repository): routes die with the session (2.5), a route whose
 * interface is missing or down stays inactive until it is sent again (7.6,
 * 7.8), an ifindex changes when a veth is recreated (7.7), and orphans of
 * our (type, instance) can only be found by asking zebra (Appendix B).
 */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <net/if.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "addr.h"
#include "buf.h"
#include "hash.h"
#include "hmap.h"
#include "log.h"
#include "zapi.h"
#include "zclient.h"

#define ZC_RECONNECT_MIN_MS	100
#define ZC_RECONNECT_MAX_MS	5000
#define ZC_RETRY_MS		1000
#define ZC_RETRY_MAX_MS		30000
#define ZC_OUT_MAX		(64u << 20)	/* queued past this: stuck */
#define ZC_COMPLETE_MAX_MS	10000	/* GR: wait this long for the replay */
#define ZC_MSG_MAX		256		/* our longest message */
#define ZC_DETECT_MS		5000	/* zebra answers detection in ms */
#define ZC_IOV_MAX		64

/* One route of the table. */
struct zroute {
	struct route	 r;		/* a copy; r.prefix is canonical */
	char		 key[ADDR_STRLEN];	/* prefix text: map key */
	enum zroute_state st;
	uint32_t	 ifindex;	/* HOST: ifindex last sent, 0 = none */
	bool		 wait_if;	/* HOST: interface unknown yet */
	bool		 warned;	/* its FAIL_INSTALL was logged */
	bool		 replay;	/* sent by the replay, not answered */
	bool		 in_rib;	/* zebra redistributes it to us: it is
					   the selected route of its prefix */
};

/* Where a connection is: detection first, routes only once it is done. */
enum zc_phase {
	ZC_DOWN,	/* no socket */
	ZC_PROBE,	/* the probe sent: which ERROR code comes back? */
	ZC_HELLO,	/* a HELLO sent: CAPABILITIES, or ERROR? */
	ZC_QPROBE,	/* Quagga's ROUTER_ID_ADD sent: ROUTER_ID_UPDATE? */
	ZC_UP		/* dialect known, routes flow */
};

struct zclient {
	struct event_base *base;
	struct zclient_config cfg;
	const struct zapi_dialect *forced;	/* --zebra-dialect, or NULL */
	const struct zapi_dialect *d;	/* the dialect zebra speaks (last) */
	const struct zapi_dialect *hello_d;	/* whose HELLO went out */
	enum zc_phase	 phase;
	uint32_t	 cand;		/* dialects still possible, by index */
	bool		 try_q;		/* zebra closed on the ZAPI 6 probe:
					   the next connection asks as Quagga */
	bool		 last_q;	/* the last session spoke Quagga's
					   ZSERV 3: ask that way first */
	uint8_t		 wire_type;	/* cfg.route_type in d */
	struct zapi_caps caps;		/* zebra's answer to HELLO */
	struct event	*ev_detect;	/* detection gives up */
	bool		 ending;	/* zclient_withdraw_all: GR_DISABLE sent */
	bool		 ended;		/* ...and zebra answered after it */
	struct hmap	*routes;	/* key -> struct zroute */
	int		 fd;		/* -1 when there is no socket */
	bool		 connected;	/* connected, HELLO queued */
	bool		 quiet;		/* failure logged: retry silently */
	struct event	*ev_read;	/* per socket */
	struct event	*ev_write;	/* per socket: connect, output */
	struct event	*ev_connect;	/* (re)connect timer */
	struct event	*ev_retry;	/* resend FAILED routes */
	struct event	*ev_complete;	/* GR: UPDATE_COMPLETE at the latest */
	bool		 complete_due;	/* replayed; the replay not confirmed */
	size_t		 replaying;	/* routes with replay set */
	int		 ifd;		/* for SIOCGIFFLAGS */
	int		 lockfd;	/* the (socket, type, instance) lock */
	struct evbuffer	*out;
	unsigned	 backoff_ms;	/* next reconnect delay */
	unsigned	 retry_cur_ms;	/* next retry delay */
	uint64_t	 rnd;		/* xorshift state for jitter */
	unsigned long	 sessions;	/* sessions started, for status */
	bool		 subscribed;	/* own-type routes asked for */
	void		(*hook)(void *, const struct ipprefix *,
		    enum zroute_state);
	void		*hook_arg;
	size_t		 inlen;
	uint8_t		 in[ZAPI_MAX_LEN];	/* fits any message */
};

_Static_assert(sizeof(((struct zclient_config *)0)->socket_path) ==
    sizeof(((struct sockaddr_un *)0)->sun_path), "a path fits sun_path");

static void zc_schedule_connect(struct zclient *);
static int zc_subscribe(struct zclient *, struct buf *);

static struct timeval
ms_tv(unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* ms plus up to a quarter of it, so that restarts do not synchronise. */
static unsigned
jitter(struct zclient *zc, unsigned ms)
{
	zc->rnd ^= zc->rnd << 13;
	zc->rnd ^= zc->rnd >> 7;
	zc->rnd ^= zc->rnd << 17;
	return ms + (unsigned)(zc->rnd % (ms / 4 + 1));
}

/*
 * A prefix in the form the table keys on: only the family's bytes, host
 * bits cleared.  -EINVAL for an unknown family or length.
 */
static int
prefix_canon(const struct ipprefix *in, struct ipprefix *out)
{
	size_t alen, i;
	unsigned bits;

	if (in->addr.family != AF_INET && in->addr.family != AF_INET6)
		return -EINVAL;
	alen = addr_len(in->addr.family);
	if (in->plen > alen * 8)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->addr.family = in->addr.family;
	out->plen = in->plen;
	memcpy(out->addr.bytes, in->addr.bytes, alen);
	for (i = 0; i < alen; i++) {
		bits = in->plen > i * 8 ? in->plen - i * 8 : 0;
		if (bits < 8)
			out->addr.bytes[i] &= (uint8_t)(0xff00 >> bits);
	}
	return 0;
}

/* A prefix off the wire; -EINVAL if it is not one of ours. */
static int
prefix_from_zapi(const struct zapi_prefix *zp, struct ipprefix *out)
{
	struct ipprefix p;

	memset(&p, 0, sizeof(p));
	p.addr.family = zp->family;
	p.plen = zp->plen;
	if (zp->family == AF_INET || zp->family == AF_INET6)
		memcpy(p.addr.bytes, zp->bytes, addr_len(zp->family));
	return prefix_canon(&p, out);
}

static struct zroute *
zc_find(const struct zclient *zc, const struct ipprefix *p, char *key)
{
	prefix_fmt(p, key, ADDR_STRLEN);
	return hmap_find(zc->routes, key);
}

/*
 * Write what the socket takes now.  sendmsg with MSG_NOSIGNAL: a peer that
 * went away must not raise SIGPIPE in a library.  0, or -errno.
 */
static int
zc_flush(struct zclient *zc)
{
	struct evbuffer_iovec v[ZC_IOV_MAX];
	struct iovec iov[ZC_IOV_MAX];
	struct msghdr mh;
	ssize_t n;
	int i, nv;

	while (evbuffer_get_length(zc->out) > 0) {
		nv = evbuffer_peek(zc->out, -1, NULL, v, ZC_IOV_MAX);
		if (nv > ZC_IOV_MAX)
			nv = ZC_IOV_MAX;
		for (i = 0; i < nv; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)nv;
		n = sendmsg(zc->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			return -errno;
		}
		evbuffer_drain(zc->out, (size_t)n);
	}
	return 0;
}

/*
 * Drop the socket (if any) and schedule the next attempt.  Routes stay in
 * the table, all pending: without GR zebra has just deleted them.
 */
static void
zc_close(struct zclient *zc, const char *why)
{
	struct zroute *e;
	size_t pos = 0;

	if (zc->connected) {
		if (!zc->quiet)
			log_warnx("zebra at %s: %s; reconnecting, %zu routes "
			    "kept", zc->cfg.socket_path, why,
			    hmap_count(zc->routes));
		else
			log_debug("zebra at %s: %s", zc->cfg.socket_path, why);
		zc->quiet = true;
	}
	if (zc->fd != -1) {
		event_free(zc->ev_read);
		event_free(zc->ev_write);
		zc->ev_read = zc->ev_write = NULL;
		close(zc->fd);
		zc->fd = -1;
	}
	zc->connected = false;
	zc->phase = ZC_DOWN;
	if (zc->ev_detect != NULL)
		evtimer_del(zc->ev_detect);
	zc->complete_due = false;
	evtimer_del(zc->ev_complete);
	zc->inlen = 0;
	evbuffer_drain(zc->out, evbuffer_get_length(zc->out));
	evtimer_del(zc->ev_retry);
	zc->subscribed = false;
	while ((e = hmap_next(zc->routes, &pos, NULL)) != NULL) {
		e->st = ZR_PENDING;
		e->in_rib = false;
	}
	zc_schedule_connect(zc);
}

/* Queue one message on the socket, whatever the phase. */
static void
zc_queue(struct zclient *zc, const struct buf *b)
{
	if (evbuffer_add(zc->out, buf_data(b), buf_len(b)) != 0 ||
	    evbuffer_get_length(zc->out) > ZC_OUT_MAX) {
		zc_close(zc, "output queue full, zebra does not read");
		return;
	}
	if (!event_pending(zc->ev_write, EV_WRITE, NULL))
		event_add(zc->ev_write, NULL);
}

/* Queue one message.  Nothing happens until the dialect is known. */
static void
zc_send(struct zclient *zc, const struct buf *b)
{
	if (zc->connected)
		zc_queue(zc, b);
}

/* The route fields both ADD and DELETE carry. */
static void
zroute_fill(const struct zclient *zc, const struct ipprefix *p,
    struct zapi_route *zr)
{
	memset(zr, 0, sizeof(*zr));
	zr->type = zc->wire_type;
	zr->instance = zc->cfg.instance;
	zr->safi = ZAPI_SAFI_UNICAST;
	zr->prefix.family = (uint8_t)p->addr.family;
	zr->prefix.plen = p->plen;
	memcpy(zr->prefix.bytes, p->addr.bytes, addr_len(p->addr.family));
}

/* True when the kernel has the interface up and running. */
static bool
if_running(const struct zclient *zc, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (zc->ifd < 0 || ioctl(zc->ifd, SIOCGIFFLAGS, &ifr) != 0)
		return false;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

/*
 * Send e as a ROUTE_ADD, through ifindex when it is not 0 (zebra told us),
 * else through what the kernel calls e's interface now.  e becomes
 * pending; a HOST route whose interface is unknown waits for zebra to
 * report it.
 */
static void
zroute_send(struct zclient *zc, struct zroute *e, uint32_t ifindex)
{
	struct zapi_route zr;
	struct zapi_nexthop *nh;
	uint8_t mem[ZC_MSG_MAX];
	struct buf b;

	e->st = ZR_PENDING;
	if (!zc->connected)
		return;
	zroute_fill(zc, &e->r.prefix, &zr);
	zr.message = ZAPI_MESSAGE_NEXTHOP;
	if (e->r.tag != 0)
		zr.message |= ZAPI_MESSAGE_TAG;
	if (e->r.has_metric)
		zr.message |= ZAPI_MESSAGE_METRIC;
	if (e->r.distance != 0)
		zr.message |= ZAPI_MESSAGE_DISTANCE;
	zr.tag = e->r.tag;
	zr.metric = e->r.metric;
	zr.distance = e->r.distance;
	zr.nexthop_num = 1;
	nh = &zr.nexthops[0];
	if (e->r.kind == ROUTE_AGGREGATE) {
		nh->type = ZAPI_NH_BLACKHOLE;
		nh->bh_type = ZAPI_BH_NULL;
	} else {
		/*
		 * Unless zebra just reported it, ask the kernel: an interface
		 * that is not up and running (a veth whose container side
		 * Docker has not set up yet) would only earn a FAIL_INSTALL;
		 * zebra's INTERFACE_UP sends the route when it is.
		 */
		if (ifindex == 0 && if_running(zc, e->r.ifname))
			ifindex = if_nametoindex(e->r.ifname);
		if (ifindex == 0) {
			log_debug("zebra: %s waits for interface %s", e->key,
			    e->r.ifname);
			e->wait_if = true;
			return;
		}
		nh->type = ZAPI_NH_IFINDEX;
		nh->ifindex = ifindex;
	}
	buf_init(&b, mem, sizeof(mem));
	if (zapi_route_encode(zc->d, &b, ZAPI_ROUTE_ADD, &zr) != 0) {
		/* only what the dialect cannot say: Quagga, IPv6 blackhole */
		log_warnx("zebra: %s cannot be said in %s; not sent", e->key,
		    zc->d->name);
		return;
	}
	e->wait_if = false;
	e->ifindex = ifindex;
	log_debug("zebra: ROUTE_ADD %s %s%s", e->key,
	    e->r.kind == ROUTE_AGGREGATE ? "blackhole" : "dev ",
	    e->r.kind == ROUTE_AGGREGATE ? "" : e->r.ifname);
	zc_send(zc, &b);
}

static void
zroute_withdraw(struct zclient *zc, const struct ipprefix *p)
{
	struct zapi_route zr;
	uint8_t mem[ZC_MSG_MAX];
	struct buf b;

	if (!zc->connected)
		return;
	zroute_fill(zc, p, &zr);
	buf_init(&b, mem, sizeof(mem));
	if (zapi_route_encode(zc->d, &b, ZAPI_ROUTE_DELETE, &zr) == 0)
		zc_send(zc, &b);
}

/* Whether d has graceful restart at all (Quagga has not). */
static bool
zc_has_gr(const struct zapi_dialect *d)
{
	return d->cmd[ZAPI_CLIENT_CAPABILITIES] != ZAPI_NO_CMD;
}

/*
 * The replay is confirmed (or took too long): with GR tell zebra the update
 * is complete, so that it sweeps the stale routes of the previous session;
 * then subscribe to our own routes: the dump and every later change
 * reconcile zebra with the table (orphans are deleted).  Subscribing only
 * now keeps zebra's echo of the replay off the wire while it matters.
 */
static void
zc_replay_done(struct zclient *zc)
{
	struct zapi_client_cap cap = {
		.kind = ZAPI_CAP_UPDATE_COMPLETE, .safi = ZAPI_SAFI_UNICAST,
	};
	uint8_t mem[ZC_MSG_MAX];
	struct zroute *e;
	struct buf b;
	size_t pos = 0;

	zc->complete_due = false;
	evtimer_del(zc->ev_complete);
	if (zc->replaying > 0) {
		while ((e = hmap_next(zc->routes, &pos, NULL)) != NULL)
			e->replay = false;
		zc->replaying = 0;
	}
	buf_init(&b, mem, sizeof(mem));
	/*
	 * From 9.0 a COMPLETE sweeps only its own AFI (zebra_gr.c), so one
	 * per AFI; before, the first swept both.
	 */
	if (zc->cfg.gr_stale_time > 0 && zc_has_gr(zc->d))
		for (cap.afi = ZAPI_AFI_IP; cap.afi <= (zc->d->gr_per_afi ?
		    ZAPI_AFI_IP6 : ZAPI_AFI_IP); cap.afi++)
			if (zapi_client_cap_encode(zc->d, &b, &cap) != 0)
				break;
	if (!zc->subscribed && zc_subscribe(zc, &b) != 0) {
		zc_close(zc, "cannot encode the end of the replay");
		return;
	}
	zc_send(zc, &b);
	zc->subscribed = true;
	log_debug("zebra: replay confirmed%s", zc->cfg.gr_stale_time > 0 &&
	    zc_has_gr(zc->d) ? ", update complete" : "");
}

/*
 * REDISTRIBUTE_ADD of our own (type, instance), per AFI (Quagga's one
 * covers both): zebra dumps what it holds of ours, then every change.
 */
static int
zc_subscribe(struct zclient *zc, struct buf *b)
{
	if (zapi_redist_encode(zc->d, b, ZAPI_REDISTRIBUTE_ADD, ZAPI_AFI_IP,
	    zc->wire_type, zc->cfg.instance) != 0)
		return -1;
	if (zc->d->rt == ZAPI_RT_Q12)
		return 0;
	return zapi_redist_encode(zc->d, b, ZAPI_REDISTRIBUTE_ADD, ZAPI_AFI_IP6,
	    zc->wire_type, zc->cfg.instance) != 0 ? -1 : 0;
}

/*
 * A replayed route was answered (or withdrawn).  zebra 8.4 sweeps stale
 * routes as soon as UPDATE_COMPLETE arrives, even while replayed ROUTE_ADDs
 * still wait in its queue, which would withdraw and re-announce them across
 * the network (fixed in FRR 9.0): so wait for every answer.  O(1).
 */
static void
zc_replay_answered(struct zclient *zc, struct zroute *e)
{
	if (!e->replay)
		return;
	e->replay = false;
	if (--zc->replaying == 0 && zc->complete_due && zc->connected)
		zc_replay_done(zc);
}

static void
zc_complete_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zclient *zc = arg;

	if (!zc->complete_due || !zc->connected)
		return;
	log_info("zebra: %zu replayed routes not confirmed after %u ms; going "
	    "on%s", zc->replaying, ZC_COMPLETE_MAX_MS, zc->d->hdr == ZAPI_HDR_3 ?
	    " (Quagga: a route of another source wins over them; after a "
	    "crash of zebra, its old routes: ip route flush proto zebra, "
	    "then restart zebra)" : "");
	zc_replay_done(zc);
}

/*
 * zebra answered HELLO in dialect d: the session is up.  Ask for route
 * notifications where HELLO cannot (10.x), announce graceful restart,
 * replay the table, and once zebra has answered for every replayed route,
 * complete the update (GR) and subscribe to our own routes
 * (zc_replay_done).
 */
static void
zc_session_up(struct zclient *zc, const struct zapi_dialect *d)
{
	struct zapi_client_cap cap = {
		.kind = ZAPI_CAP_GR, .stale_time = zc->cfg.gr_stale_time,
	};
	uint8_t mem[ZC_MSG_MAX];
	struct zroute *e;
	struct timeval tv;
	struct buf b;
	size_t pos = 0;

	zc->d = d;
	zc->last_q = d->hdr == ZAPI_HDR_3;
	zc->phase = ZC_UP;
	zc->connected = true;
	zc->sessions++;
	zc->quiet = false;
	zc->backoff_ms = zc->cfg.reconnect_min_ms;
	evtimer_del(zc->ev_detect);
	log_info("connected to zebra at %s, which speaks %s (%s%s), graceful "
	    "restart of its own %s; replaying %zu routes", zc->cfg.socket_path,
	    d->name, d->releases, d->later != NULL ? ", or a later release "
	    "it cannot be told from yet" : "", !zc_has_gr(d) ? "none" :
	    zc->caps.graceful_restart ? "on" : d->caps_gr ? "off" : "unknown",
	    hmap_count(zc->routes));
	if (cap.stale_time > 0 && !zc_has_gr(d)) {
		/* Quagga: routes go with the session, whatever we ask */
		log_info("zebra at %s (%s) has no graceful restart: a restart "
		    "of this client withdraws its routes until it is back",
		    zc->cfg.socket_path, d->name);
		cap.stale_time = 0;
	}
	buf_init(&b, mem, sizeof(mem));
	if ((d->hello == ZAPI_HELLO_8 &&
	    zapi_notify_request_encode(d, &b, true) != 0) ||
	    (cap.stale_time > 0 && zapi_client_cap_encode(d, &b, &cap) != 0)) {
		zc_close(zc, "cannot encode the session preamble");
		return;
	}
	/*
	 * No notifications (Quagga): subscribe first, so that zebra's
	 * redistribution of each replayed route confirms it.
	 */
	if (d->notify == ZAPI_NOTIFY_NONE) {
		if (zc_subscribe(zc, &b) != 0) {
			zc_close(zc, "cannot encode the session preamble");
			return;
		}
		zc->subscribed = true;
	}
	zc_send(zc, &b);
	zc->replaying = 0;
	while ((e = hmap_next(zc->routes, &pos, NULL)) != NULL) {
		zroute_send(zc, e, 0);
		e->replay = !e->wait_if;
		if (e->replay)
			zc->replaying++;
	}
	zc->complete_due = true;
	if (zc->replaying == 0) {
		zc_replay_done(zc);
		return;
	}
	tv = ms_tv(ZC_COMPLETE_MAX_MS);
	evtimer_add(zc->ev_complete, &tv);
}

static void zc_qprobe(struct zclient *);

/* What detection waits for an answer to, for messages. */
static const char *
zc_phase_what(const struct zclient *zc)
{
	switch (zc->phase) {
	case ZC_PROBE:
		return "probe";
	case ZC_QPROBE:
		return "ZSERV 3 (Quagga) ROUTER_ID_ADD";
	default:
		return "HELLO";
	}
}

/*
 * Detection failed: say what zebra did, hang up, and try again later with
 * backoff.  Logged as a warning once, then quietly until a session works.
 */
static void
zc_detect_fail(struct zclient *zc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
zc_detect_fail(struct zclient *zc, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!zc->quiet)
		log_warnx("zebra at %s %s; it speaks no ZAPI dialect this "
		    "client knows (%s), so nothing was registered; retrying "
		    "with backoff", zc->cfg.socket_path, what, zc->forced ?
		    zc->forced->name : "quagga1.2, frr7.5 to frr10.6");
	else
		log_debug("zebra at %s %s", zc->cfg.socket_path, what);
	zc->quiet = true;
	zc_close(zc, what);
}

/* Send the HELLO of the first candidate left, or give up. */
static void
zc_detect_hello(struct zclient *zc)
{
	const struct zapi_dialect *const *all;
	uint8_t mem[ZC_MSG_MAX];
	struct zapi_hello hello = {
		.instance = zc->cfg.instance, .receive_notify = 1,
	};
	struct buf b;
	size_t i, n;

	all = zapi_dialects(&n);
	for (i = 0; i < n && !(zc->cand & (1u << i)); i++)
		;
	if (i == n || zapi_route_type_wire(all[i], zc->cfg.route_type,
	    &hello.type) != 0) {
		zc_detect_fail(zc, "rejected every HELLO");
		return;
	}
	zc->hello_d = all[i];
	buf_init(&b, mem, sizeof(mem));
	if (zapi_hello_encode(all[i], &b, &hello) != 0) {
		zc_close(zc, "cannot encode HELLO");
		return;
	}
	log_debug("zebra: detection: HELLO as %s", all[i]->name);
	zc->phase = ZC_HELLO;
	zc_queue(zc, &b);
}

/* Keep the candidates for which keep(d, a, b) holds. */
static void
zc_filter(struct zclient *zc, bool (*keep)(const struct zapi_dialect *,
    const struct zapi_dialect *, uint32_t, uint32_t), uint32_t x, uint32_t y)
{
	const struct zapi_dialect *const *all;
	size_t i, n;

	all = zapi_dialects(&n);
	for (i = 0; i < n; i++)
		if ((zc->cand & (1u << i)) && !keep(all[i], zc->hello_d, x, y))
			zc->cand &= ~(1u << i);
}

static bool
error_is(const struct zapi_dialect *d, const struct zapi_dialect *h,
    uint32_t wire, uint32_t unused)
{
	return d->cmd[ZAPI_ERROR] == wire;
}

/* A dialect whose HELLO is not the one zebra just refused. */
static bool
hello_differs(const struct zapi_dialect *d, const struct zapi_dialect *h,
    uint32_t unused, uint32_t unused2)
{
	return d->cmd[ZAPI_HELLO] != h->cmd[ZAPI_HELLO] || d->hello != h->hello;
}

/* A dialect that sends HELLO as h does and answers CAPABILITIES so. */
static bool
caps_match(const struct zapi_dialect *d, const struct zapi_dialect *h,
    uint32_t wire, uint32_t len)
{
	return !hello_differs(d, h, 0, 0) && d->cmd[ZAPI_CAPABILITIES] == wire &&
	    d->caps_len == len;
}

/*
 * True when wire is, in a release still possible, a message zebra sends
 * unasked to every client, registered or not: interface and address
 * events (and 8.5's LINK_PARAMS after each INTERFACE_UP), VRF events,
 * another client's CLOSE_NOTIFY.  None of these codes is an ERROR or
 * CAPABILITIES code of any release.
 */
static bool
zc_unsolicited(const struct zclient *zc, uint16_t wire)
{
	static const uint16_t events[] = {
		ZAPI_INTERFACE_ADD, ZAPI_INTERFACE_DELETE,
		ZAPI_INTERFACE_ADDRESS_ADD, ZAPI_INTERFACE_ADDRESS_DELETE,
		ZAPI_INTERFACE_UP, ZAPI_INTERFACE_DOWN,
		ZAPI_INTERFACE_LINK_PARAMS, ZAPI_VRF_ADD, ZAPI_VRF_DELETE,
		ZAPI_CLIENT_CLOSE_NOTIFY,
	};
	const struct zapi_dialect *const *all;
	size_t i, j, n;

	all = zapi_dialects(&n);
	for (i = 0; i < n; i++)
		for (j = 0; (zc->cand & (1u << i)) &&
		    j < sizeof(events) / sizeof(events[0]); j++)
			if (all[i]->cmd[events[j]] == wire)
				return true;
	return false;
}

/*
 * A message during detection (the procedure of section 9 of the protocol
 * notes, shared/docs/zapi.md, improved): the probe's ERROR code narrows
 * the releases (7.5: 112, 8.0 and 9.1: 117, 8.2 to 9.0 and 10.0 to 10.1:
 * 118, 10.2 and later: 120, 8.1: 121); a
 * HELLO in the layout of the oldest one left then draws CAPABILITIES,
 * whose code and length settle it, or ERROR, which rules that HELLO out
 * and nothing was registered.  Events zebra sends unasked may arrive any
 * time and are skipped (zc_unsolicited): the replay asks the kernel.
 */
static void
zc_detect_msg(struct zclient *zc, const uint8_t *p, size_t n)
{
	const struct zapi_dialect *const *all;
	uint16_t wire = (uint16_t)(p[8] << 8 | p[9]);
	size_t blen = n - ZAPI_HEADER_LEN, i, k;
	uint32_t code = 0;
	char hex[3 * 16 + 1] = "";
	struct buf body;
	bool error;

	buf_init_read(&body, p + ZAPI_HEADER_LEN, blen);
	error = zapi_error_decode(&body, &code) == 0 && code == 2;
	if (!error && zc_unsolicited(zc, wire))
		return;
	/* "00 0e fe 06 ...": what zebra sent, for the warning */
	for (i = 0; i < n && i < 16; i++)
		snprintf(hex + (i ? 3 * i - 1 : 0), sizeof(hex) - 3 * i + 1,
		    i ? " %02x" : "%02x", p[i]);
	if (zc->phase == ZC_PROBE) {
		if (!error) {
			zc_detect_fail(zc, "answered the probe with command %u "
			    "and %zu body bytes, not ERROR (%s)", wire, blen,
			    hex);
			return;
		}
		zc_filter(zc, error_is, wire, 0);
		if (zc->cand == 0) {
			zc_detect_fail(zc, "answered the probe with ERROR as "
			    "command %u, a code no known release uses (%s)",
			    wire, hex);
			return;
		}
		zc_detect_hello(zc);
		return;
	}
	/* ZC_HELLO */
	if (error && wire != zc->hello_d->cmd[ZAPI_ERROR]) {
		zc_detect_fail(zc, "refused HELLO as command %u with ERROR as "
		    "command %u (%s)", zc->hello_d->cmd[ZAPI_HELLO], wire, hex);
		return;
	}
	if (error) {
		zc_filter(zc, hello_differs, 0, 0);
		if (zc->cand == 0) {
			zc_detect_fail(zc, "refused HELLO as command %u with "
			    "ERROR (%s)", zc->hello_d->cmd[ZAPI_HELLO], hex);
			return;
		}
		zc_detect_hello(zc);
		return;
	}
	zc_filter(zc, caps_match, wire, (uint32_t)blen);
	all = zapi_dialects(&k);
	for (i = 0; i < k && !(zc->cand & (1u << i)); i++)
		;
	buf_init_read(&body, p + ZAPI_HEADER_LEN, blen);
	if (i == k || zapi_caps_decode(all[i], &body, &zc->caps) != 0) {
		zc_detect_fail(zc, "answered HELLO (command %u) with command "
		    "%u and %zu body bytes, not CAPABILITIES (%s)",
		    zc->hello_d->cmd[ZAPI_HELLO], wire, blen, hex);
		return;
	}
	if (zapi_route_type_wire(all[i], zc->cfg.route_type,
	    &zc->wire_type) != 0) {
		zc_detect_fail(zc, "speaks %s, which has no route type %s",
		    all[i]->name, zapi_route_type_name(zc->cfg.route_type));
		return;
	}
	zc_session_up(zc, all[i]);
}

static void
zc_detect_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zclient *zc = arg;

	if (zc->phase == ZC_PROBE || zc->phase == ZC_HELLO ||
	    zc->phase == ZC_QPROBE)
		zc_detect_fail(zc, "did not answer the %s within %u ms",
		    zc_phase_what(zc), zc->cfg.detect_ms);
}

/* The only ZSERV 3 dialect. */
static const struct zapi_dialect *
zc_quagga(void)
{
	return zapi_dialect_find("quagga1.2");
}

/*
 * Ask as Quagga 1.2: ROUTER_ID_ADD in a ZSERV 3 header, which any zebra
 * but a ZSERV 3 one closes on (FRR checks marker and version) and Quagga
 * answers with ROUTER_ID_UPDATE, registering nothing that outlives the
 * connection.  Only after that answer does HELLO go out.
 */
static void
zc_qprobe(struct zclient *zc)
{
	uint8_t mem[ZAPI_Q_HEADER_LEN];
	struct buf b;

	buf_init(&b, mem, sizeof(mem));
	if (zapi_router_id_encode(zc_quagga(), &b, true) != 0) {
		zc_close(zc, "cannot encode ROUTER_ID_ADD");
		return;
	}
	zc->phase = ZC_QPROBE;
	log_debug("zebra at %s: detection: ROUTER_ID_ADD as quagga1.2",
	    zc->cfg.socket_path);
	zc_queue(zc, &b);
}

/*
 * The answer to the Quagga probe.  ROUTER_ID_UPDATE: zebra speaks ZSERV 3;
 * unregister router-id updates, HELLO with our type, ask for interfaces
 * (Quagga sends them only when asked), and the session is up.
 */
static void
zc_detect_qmsg(struct zclient *zc, const uint8_t *p, size_t n)
{
	const struct zapi_dialect *q = zc_quagga();
	struct zapi_hello hello = { .type = 0 };
	struct zapi_prefix rid;
	uint8_t mem[ZC_MSG_MAX];
	struct zapi_hdr h;
	struct buf body, b;

	if (zapi_msg_decode(q, p, n, &h, &body) != 0 ||
	    h.cmd != ZAPI_ROUTER_ID_UPDATE ||
	    zapi_router_id_decode(&body, &rid) != 0) {
		zc_detect_fail(zc, "answered ROUTER_ID_ADD (ZSERV 3) with "
		    "command %u and %zu bytes, not ROUTER_ID_UPDATE",
		    n >= ZAPI_Q_HEADER_LEN ? (unsigned)(p[6] << 8 | p[7]) : 0u,
		    n);
		return;
	}
	if (zc->cfg.instance != 0) {
		zc_detect_fail(zc, "speaks quagga1.2, which has no route "
		    "instances (instance %u asked)", zc->cfg.instance);
		return;
	}
	if (zapi_route_type_wire(q, zc->cfg.route_type, &zc->wire_type) != 0 ||
	    zc->wire_type <= q->type_min_own) {
		zc_detect_fail(zc, "speaks quagga1.2, which has no route type "
		    "%s", zapi_route_type_name(zc->cfg.route_type));
		return;
	}
	hello.type = zc->wire_type;
	memset(&zc->caps, 0, sizeof(zc->caps));
	buf_init(&b, mem, sizeof(mem));
	if (zapi_router_id_encode(q, &b, false) != 0 ||
	    zapi_hello_encode(q, &b, &hello) != 0 ||
	    zapi_interface_request_encode(q, &b) != 0) {
		zc_close(zc, "cannot encode HELLO");
		return;
	}
	zc_queue(zc, &b);
	zc_session_up(zc, q);
}

/*
 * The socket is connected: find out which dialect zebra speaks before a
 * single route or registration goes out.  A forced dialect skips the
 * probe but still has to be confirmed by zebra's CAPABILITIES.
 */
static void
zc_session_start(struct zclient *zc)
{
	const struct zapi_dialect *const *all;
	uint8_t mem[ZAPI_HEADER_LEN];
	struct timeval tv = ms_tv(zc->cfg.detect_ms);
	struct buf b;
	size_t i, n;

	event_add(zc->ev_read, NULL);
	evtimer_add(zc->ev_detect, &tv);
	all = zapi_dialects(&n);
	zc->cand = 0;
	for (i = 0; i < n; i++)
		if (zc->forced == all[i] ||
		    (zc->forced == NULL && all[i]->hdr == ZAPI_HDR_6))
			zc->cand |= 1u << i;
	/*
	 * After a session with Quagga, ask as Quagga first: its zebra closes
	 * on the ZAPI 6 probe, which cost a whole reconnection (and its
	 * backoff) after every zebra restart.  Should it be an FRR zebra now,
	 * that closes on the ZSERV 3 header, and the next connection probes.
	 */
	if ((zc->forced != NULL && zc->forced->hdr == ZAPI_HDR_3) ||
	    (zc->forced == NULL && (zc->try_q || zc->last_q))) {
		zc->try_q = false;
		zc_qprobe(zc);
		return;
	}
	if (zc->forced != NULL) {
		zc_detect_hello(zc);
		return;
	}
	buf_init(&b, mem, sizeof(mem));
	(void)zapi_probe_encode(&b);
	zc->phase = ZC_PROBE;
	log_debug("zebra at %s: detection: probe", zc->cfg.socket_path);
	zc_queue(zc, &b);
}

/* A connection attempt failed: log it once, then quietly retry. */
static void
zc_connect_failed(struct zclient *zc, int err)
{
	if (!zc->quiet)
		log_warnx("cannot reach zebra at %s: %s; retrying in the "
		    "background", zc->cfg.socket_path, strerror(err));
	else
		log_debug("zebra at %s: %s", zc->cfg.socket_path,
		    strerror(err));
	zc->quiet = true;
	zc_close(zc, strerror(err));
}

static void
zc_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zclient *zc = arg;
	socklen_t len = sizeof(int);
	int err = 0;

	if (zc->phase == ZC_DOWN) {
		/* An asynchronous connect() finished. */
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err != 0) {
			zc_connect_failed(zc, err);
			return;
		}
		event_del(zc->ev_write);
		zc_session_start(zc);
		return;
	}
	if ((err = zc_flush(zc)) != 0) {
		zc_close(zc, strerror(-err));
		return;
	}
	if (evbuffer_get_length(zc->out) == 0)
		event_del(zc->ev_write);
}

/* Handlers for what zebra sends; -EBADMSG when the body does not decode. */

/*
 * A body of n bytes that zc->d did not decode and the release after it,
 * which detection could not tell apart (10.0/10.1: the weight's width;
 * 10.2/10.3: NOTIFY_OWNER), did: zebra is that release.
 */
static void
zc_later(struct zclient *zc, size_t n)
{
	log_info("zebra at %s speaks %s (%s), not %s: a %zu-byte body only "
	    "that release sends", zc->cfg.socket_path, zc->d->later->name,
	    zc->d->later->releases, zc->d->name, n);
	zc->d = zc->d->later;
}

static int
on_caps(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	struct zapi_caps c;

	/* A second one (zebra's VRF events) changes nothing we use. */
	if (zapi_caps_decode(zc->d, body, &c) != 0)
		return -EBADMSG;
	log_debug("zebra: capabilities: multipath %u, mpls %u, vrf backend "
	    "%u", c.multipath_num, c.mpls_enabled, c.vrf_backend);
	return 0;
}

static int
on_error(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	uint32_t code;

	if (zapi_error_decode(body, &code) != 0)
		return -EBADMSG;
	/* The probe after GR_DISABLE: zebra has processed both. */
	if (zc->ending && code == 2) {
		zc->ended = true;
		return 0;
	}
	/* INVALID_MSG_TYPE: zebra is not the release detection took it for */
	log_warnx("zebra at %s reports error %u (%s, vrf %u)%s%s",
	    zc->cfg.socket_path, code, code == 1 ? "no such VRF" :
	    code == 2 ? "invalid message type" : "unknown", h->vrf_id,
	    code == 2 ? "; this client speaks " : "",
	    code == 2 ? zc->d->name : "");
	return 0;
}

/* zebra's test for an interface routes can use (if_is_operative). */
static bool
if_operative(const struct zapi_interface *ifp)
{
	return (ifp->flags & IFF_UP) && ((ifp->flags & IFF_RUNNING) ||
	    !(ifp->status & ZAPI_IFS_LINKDETECTION));
}

/*
 * INTERFACE_ADD: routes waiting for this name, failed, or sent with another
 * ifindex (the veth was recreated) go out through it if it is operative
 * (else INTERFACE_UP will do).  INTERFACE_UP: every route through it is
 * sent again, because zebra does not re-evaluate them and a link flap
 * silently loses their kernel routes.
 */
static int
on_interface(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	struct zapi_interface ifp;
	struct zroute *e;
	size_t pos = 0, n = 0;
	bool byname;

	if (zapi_interface_decode(zc->d, body, &ifp) != 0)
		return -EBADMSG;
	log_debug("zebra: %s %s ifindex %u flags %#llx", zapi_cmd_name(h->cmd),
	    ifp.name, ifp.ifindex, (unsigned long long)ifp.flags);
	if (h->vrf_id != 0 || (h->cmd != ZAPI_INTERFACE_ADD &&
	    h->cmd != ZAPI_INTERFACE_UP))
		return 0;
	while ((e = hmap_next(zc->routes, &pos, NULL)) != NULL) {
		if (e->r.kind != ROUTE_HOST)
			continue;
		byname = strcmp(e->r.ifname, ifp.name) == 0;
		if (h->cmd == ZAPI_INTERFACE_ADD) {
			if (!byname || (!e->wait_if && e->ifindex ==
			    ifp.ifindex && e->st != ZR_FAILED))
				continue;
			if (!if_operative(&ifp)) {
				e->wait_if = true;
				continue;
			}
		} else if (!byname && (ifp.ifindex == 0 ||
		    e->ifindex != ifp.ifindex))
			continue;
		/* A name match takes zebra's ifindex; else ask the kernel. */
		zroute_send(zc, e, byname ? ifp.ifindex : 0);
		n++;
	}
	if (n > 0)
		log_debug("zebra: %s %s: %zu routes sent",
		    zapi_cmd_name(h->cmd), ifp.name, n);
	return 0;
}

static void
zc_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zclient *zc = arg;
	struct zroute *e;
	size_t pos = 0, n = 0;

	while ((e = hmap_next(zc->routes, &pos, NULL)) != NULL) {
		if (e->st != ZR_FAILED)
			continue;
		zroute_send(zc, e, 0);
		n++;
	}
	if (n > 0) {
		log_debug("zebra: retrying %zu failed routes", n);
		zc->retry_cur_ms *= 2;
		if (zc->retry_cur_ms > ZC_RETRY_MAX_MS)
			zc->retry_cur_ms = ZC_RETRY_MAX_MS > zc->cfg.retry_ms ?
			    ZC_RETRY_MAX_MS : zc->cfg.retry_ms;
	}
}

static int
on_notify(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	struct buf again = *body;
	struct zapi_notify n;
	struct ipprefix p;
	struct timeval tv;
	struct zroute *e;
	char key[ADDR_STRLEN];
	enum zroute_state st;

	if (zapi_notify_decode(zc->d, body, &n) != 0) {
		if (zc->d->later == NULL ||
		    zapi_notify_decode(zc->d->later, &again, &n) != 0)
			return -EBADMSG;
		zc_later(zc, buf_len(&again));
	}
	if (prefix_from_zapi(&n.prefix, &p) != 0 ||
	    (e = zc_find(zc, &p, key)) == NULL) {
		log_debug("zebra: %s for a prefix not ours",
		    zapi_note_name(n.note));
		return 0;
	}
	log_debug("zebra: %s %s", zapi_note_name(n.note), key);
	switch (n.note) {
	case ZAPI_NOTE_INSTALLED:
		/* Progress: the next failure is retried quickly again. */
		if (e->warned)
			zc->retry_cur_ms = zc->cfg.retry_ms;
		e->warned = false;
		st = ZR_INSTALLED;
		break;
	case ZAPI_NOTE_FAIL_INSTALL:
		if (!e->warned)
			log_warnx("zebra failed to install %s%s%s; retrying",
			    key, e->r.kind == ROUTE_HOST ? " dev " : "",
			    e->r.kind == ROUTE_HOST ? e->r.ifname : "");
		e->warned = true;
		st = ZR_FAILED;
		if (!evtimer_pending(zc->ev_retry, NULL)) {
			tv = ms_tv(zc->retry_cur_ms);
			evtimer_add(zc->ev_retry, &tv);
		}
		break;
	case ZAPI_NOTE_BETTER_ADMIN_WON:
		if (e->st != ZR_REJECTED)
			log_info("zebra prefers another route for %s", key);
		st = ZR_REJECTED;
		break;
	case ZAPI_NOTE_REMOVED:
		/* Still wanted: a GR sweep or another session removed it. */
		log_info("zebra removed %s, sending it again", key);
		zroute_send(zc, e, 0);
		return 0;
	case ZAPI_NOTE_REMOVE_FAIL:
		log_warnx("zebra failed to remove %s", key);
		return 0;
	default:
		return 0;
	}
	e->st = st;
	zc_replay_answered(zc, e);
	/* Last: the hook may delete e. */
	if (zc->hook != NULL)
		zc->hook(zc->hook_arg, &p, st);
	return 0;
}

/*
 * A REDISTRIBUTE_ROUTE_ADD/DEL body: 1 and its prefix in *p when it is a
 * route of our (type, instance), 0 when not, -EBADMSG.
 */
static int
redist_decode(struct zclient *zc, const struct zapi_hdr *h, struct buf *body,
    struct ipprefix *p)
{
	struct buf again = *body;
	struct zapi_route zr;

	/* 10.0/10.1 and 10.2/10.3 look alike until such a route arrives. */
	if (zapi_route_decode_af(zc->d, h->family, body, &zr) != 0) {
		if (zc->d->later == NULL ||
		    zapi_route_decode_af(zc->d->later, h->family, &again,
		    &zr) != 0)
			return -EBADMSG;
		zc_later(zc, buf_len(&again));
	}
	return h->vrf_id == 0 && zr.type == zc->wire_type &&
	    zr.instance == zc->cfg.instance &&
	    prefix_from_zapi(&zr.prefix, p) == 0;
}

/*
 * What zebra holds for our (type, instance): the dump after
 * REDISTRIBUTE_ADD, then every change.  A prefix the table does not have
 * is an orphan (a previous run, a lost DELETE, the 8.4 meta-queue race):
 * delete it.
 */
static int
on_redist_add(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	struct ipprefix p;
	struct zroute *e;
	char key[ADDR_STRLEN];
	int r;

	if ((r = redist_decode(zc, h, body, &p)) <= 0)
		return r;
	if ((e = zc_find(zc, &p, key)) != NULL) {
		e->in_rib = true;
		/* Without notifications (Quagga) this is the confirmation. */
		if (zc->d->notify == ZAPI_NOTIFY_NONE &&
		    e->st != ZR_INSTALLED) {
			log_debug("zebra: %s selected (redistributed)", key);
			e->st = ZR_INSTALLED;
			zc_replay_answered(zc, e);
			/* Last: the hook may delete e. */
			if (zc->hook != NULL)
				zc->hook(zc->hook_arg, &p, ZR_INSTALLED);
		}
		return 0;
	}
	log_info("zebra holds %s for us, not in the table: deleting it", key);
	zroute_withdraw(zc, &p);
	return 0;
}

/* Our route of p is no longer zebra's selected one (for status only). */
static int
on_redist_del(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	struct ipprefix p;
	struct zroute *e;
	char key[ADDR_STRLEN];
	int r;

	if ((r = redist_decode(zc, h, body, &p)) <= 0)
		return r;
	if ((e = zc_find(zc, &p, key)) != NULL) {
		log_debug("zebra: %s is no longer selected", key);
		e->in_rib = false;
		if (zc->d->notify == ZAPI_NOTIFY_NONE)
			e->st = ZR_PENDING;
	}
	return 0;
}

/* The answer to withdraw_all's ROUTER_ID_ADD (Quagga): all processed. */
static int
on_router_id(struct zclient *zc, const struct zapi_hdr *h, struct buf *body)
{
	struct zapi_prefix rid;

	if (zapi_router_id_decode(body, &rid) != 0)
		return -EBADMSG;
	if (zc->ending)
		zc->ended = true;
	return 0;
}

typedef int (*zc_handler)(struct zclient *, const struct zapi_hdr *,
    struct buf *);

/* Everything else (VRF_ADD, addresses, ROUTER_ID_UPDATE, ...) is skipped. */
static const zc_handler handlers[ZAPI_CMD_MAX] = {
	[ZAPI_INTERFACE_ADD] = on_interface,
	[ZAPI_INTERFACE_DELETE] = on_interface,
	[ZAPI_INTERFACE_UP] = on_interface,
	[ZAPI_INTERFACE_DOWN] = on_interface,
	[ZAPI_ROUTE_NOTIFY_OWNER] = on_notify,
	[ZAPI_CAPABILITIES] = on_caps,
	[ZAPI_REDISTRIBUTE_ROUTE_ADD] = on_redist_add,
	[ZAPI_REDISTRIBUTE_ROUTE_DEL] = on_redist_del,
	[ZAPI_ERROR] = on_error,
	[ZAPI_ROUTER_ID_UPDATE] = on_router_id,
};

static void
zc_dispatch(struct zclient *zc, const uint8_t *p, size_t n)
{
	struct zapi_hdr h;
	struct buf body;

	if (zc->phase == ZC_QPROBE) {
		zc_detect_qmsg(zc, p, n);
		return;
	}
	if (zc->phase != ZC_UP) {
		zc_detect_msg(zc, p, n);
		return;
	}
	if (zapi_msg_decode(zc->d, p, n, &h, &body) != 0)
		return;		/* zapi_frame checked the same */
	log_debug("zebra: received %s (%u), vrf %u, %zu bytes",
	    zapi_cmd_name(h.cmd), h.wire_cmd, h.vrf_id, n);
	if (h.cmd >= ZAPI_CMD_MAX || handlers[h.cmd] == NULL)
		return;		/* nothing we need */
	if (handlers[h.cmd](zc, &h, &body) != 0)
		log_warnx("zebra: skipping an undecodable %s (%zu bytes)",
		    zapi_cmd_name(h.cmd), n);
}

/* The header layout of what zebra sends now. */
static const struct zapi_dialect *
zc_frame_dialect(const struct zclient *zc)
{
	if (zc->phase == ZC_QPROBE)
		return zc_quagga();
	if (zc->phase == ZC_UP)
		return zc->d;
	return zapi_dialect_default();
}

static void
zc_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zclient *zc = arg;
	size_t off = 0, msglen;
	ssize_t n;
	int ret;

	n = read(fd, zc->in + zc->inlen, sizeof(zc->in) - zc->inlen);
	/* A zebra that closes with our bytes unread resets the socket. */
	if ((n == 0 || (n < 0 && errno == ECONNRESET)) && zc->phase != ZC_UP) {
		if (zc->phase == ZC_PROBE && zc->forced == NULL) {
			/* Quagga closes on a ZAPI 6 header: ask as Quagga */
			log_debug("zebra at %s closed the connection after "
			    "the ZAPI 6 probe; asking as Quagga next",
			    zc->cfg.socket_path);
			zc->try_q = true;
			zc_close(zc, "closed after the probe");
			return;
		}
		if (zc->phase == ZC_QPROBE && zc->forced == NULL &&
		    zc->last_q) {
			/* no longer Quagga, as the last session was */
			log_debug("zebra at %s closed the connection after "
			    "the ZSERV 3 probe; probing as FRR next",
			    zc->cfg.socket_path);
			zc->last_q = false;
			zc_close(zc, "closed after the ZSERV 3 probe");
			return;
		}
		zc_detect_fail(zc, "closed the connection after the %s, as "
		    "zebras of another protocol version do",
		    zc_phase_what(zc));
		return;
	}
	if (n == 0) {
		zc_close(zc, "connection closed");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			zc_close(zc, strerror(errno));
		return;
	}
	zc->inlen += (size_t)n;
	/* A handler may close the session: then stop at once. */
	while (zc->fd == fd) {
		ret = zapi_frame_dialect(zc_frame_dialect(zc), zc->in + off,
		    zc->inlen - off, &msglen);
		if (ret == -EAGAIN)
			break;
		if (ret != 0 && zc->phase != ZC_UP) {
			zc_detect_fail(zc, "sent a header that is not %s "
			    "(%02x %02x %02x %02x)", zc->phase == ZC_QPROBE ?
			    "ZSERV 3" : "ZAPI 6", zc->in[off],
			    zc->inlen - off > 1 ? zc->in[off + 1] : 0,
			    zc->inlen - off > 2 ? zc->in[off + 2] : 0,
			    zc->inlen - off > 3 ? zc->in[off + 3] : 0);
			return;
		}
		if (ret != 0) {
			log_warnx("zebra at %s: bad message header (marker, "
			    "version or length); reconnecting",
			    zc->cfg.socket_path);
			zc_close(zc, "out of sync");
			return;
		}
		zc_dispatch(zc, zc->in + off, msglen);
		off += msglen;
	}
	if (zc->fd != fd)
		return;
	/* What is left is less than one message, so the buffer has room. */
	memmove(zc->in, zc->in + off, zc->inlen - off);
	zc->inlen -= off;
}

static void
zc_connect_cb(evutil_socket_t unused, short what, void *arg)
{
	struct zclient *zc = arg;
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, zc->cfg.socket_path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		zc_connect_failed(zc, errno);
		return;
	}
	zc->fd = fd;
	zc->ev_read = event_new(zc->base, fd, EV_READ | EV_PERSIST,
	    zc_read_cb, zc);
	zc->ev_write = event_new(zc->base, fd, EV_WRITE | EV_PERSIST,
	    zc_write_cb, zc);
	if (zc->ev_read == NULL || zc->ev_write == NULL) {
		/* zc_close frees only a complete pair */
		if (zc->ev_read != NULL)
			event_free(zc->ev_read);
		if (zc->ev_write != NULL)
			event_free(zc->ev_write);
		zc->ev_read = zc->ev_write = NULL;
		close(fd);
		zc->fd = -1;
		zc_connect_failed(zc, ENOMEM);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		zc_session_start(zc);
		return;
	}
	/* A unix socket answers at once; EAGAIN is a full backlog. */
	if (errno == EINPROGRESS) {
		event_add(zc->ev_write, NULL);
		return;
	}
	zc_connect_failed(zc, errno);
}

static void
zc_schedule_connect(struct zclient *zc)
{
	struct timeval tv = ms_tv(jitter(zc, zc->backoff_ms));

	zc->backoff_ms *= 2;
	if (zc->backoff_ms > zc->cfg.reconnect_max_ms)
		zc->backoff_ms = zc->cfg.reconnect_max_ms;
	evtimer_add(zc->ev_connect, &tv);
}

/*
 * One process per (zebra socket, type, instance) on this host: flock a file
 * named after them in lock_dir; the kernel drops it when the process dies,
 * so a crash never leaves a stale lock.
 */
static int
zc_lock(struct zclient *zc, const struct zclient_config *cfg)
{
	char path[160];
	uint64_t h = hash_fnv1a(cfg->socket_path, strlen(cfg->socket_path));
	int r;

	if (mkdir(cfg->lock_dir, 0755) != 0 && errno != EEXIST) {
		r = -errno;
		log_warn("cannot create %s", cfg->lock_dir);
		return r;
	}
	snprintf(path, sizeof(path), "%s/zebra-%016llx-%u-%u.lock", cfg->lock_dir,
	    (unsigned long long)h, cfg->route_type, cfg->instance);
	if ((zc->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		r = -errno;
		log_warn("cannot open %s", path);
		return r;
	}
	if (flock(zc->lockfd, LOCK_EX | LOCK_NB) != 0) {
		log_warnx("another process of this host already talks to zebra "
		    "at %s as %s instance %u (lock %s); two would wipe each "
		    "other's routes", cfg->socket_path,
		    zapi_route_type_name(cfg->route_type), cfg->instance, path);
		close(zc->lockfd);
		zc->lockfd = -1;
		return -EBUSY;
	}
	return 0;
}

int
zclient_new(struct event_base *base, const struct zclient_config *cfg,
    struct zclient **out)
{
	struct zclient *zc;
	int r;
	struct timeval now = { 0, 0 };

	const struct zapi_dialect *forced = NULL;

	if (memchr(cfg->socket_path, '\0', sizeof(cfg->socket_path)) == NULL ||
	    cfg->socket_path[0] == '\0' ||
	    !zapi_route_type_ownable(cfg->route_type) ||
	    cfg->route_type == ZAPI_ROUTE_ALL ||
	    memchr(cfg->dialect, '\0', sizeof(cfg->dialect)) == NULL)
		return -EINVAL;
	if (cfg->dialect[0] != '\0' && strcmp(cfg->dialect, "auto") != 0 &&
	    (forced = zapi_dialect_find(cfg->dialect)) == NULL)
		return -EINVAL;
	if ((zc = calloc(1, sizeof(*zc))) == NULL)
		return -ENOMEM;
	zc->forced = forced;
	zc->lockfd = -1;
	if (cfg->lock_dir[0] != '\0' && (r = zc_lock(zc, cfg)) != 0) {
		free(zc);
		return r;
	}
	zc->base = base;
	zc->cfg = *cfg;
	if (zc->cfg.reconnect_min_ms == 0)
		zc->cfg.reconnect_min_ms = ZC_RECONNECT_MIN_MS;
	if (zc->cfg.reconnect_max_ms == 0)
		zc->cfg.reconnect_max_ms = ZC_RECONNECT_MAX_MS;
	if (zc->cfg.reconnect_max_ms < zc->cfg.reconnect_min_ms)
		zc->cfg.reconnect_max_ms = zc->cfg.reconnect_min_ms;
	if (zc->cfg.retry_ms == 0)
		zc->cfg.retry_ms = ZC_RETRY_MS;
	if (zc->cfg.detect_ms == 0)
		zc->cfg.detect_ms = ZC_DETECT_MS;
	zc->fd = -1;
	zc->backoff_ms = zc->cfg.reconnect_min_ms;
	zc->retry_cur_ms = zc->cfg.retry_ms;
	zc->rnd = (uint64_t)(uintptr_t)zc ^ ((uint64_t)time(NULL) << 20) ^
	    (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
	zc->routes = hmap_new();
	zc->out = evbuffer_new();
	zc->ev_connect = evtimer_new(base, zc_connect_cb, zc);
	zc->ev_retry = evtimer_new(base, zc_retry_cb, zc);
	zc->ev_complete = evtimer_new(base, zc_complete_cb, zc);
	zc->ev_detect = evtimer_new(base, zc_detect_timeout_cb, zc);
	zc->ifd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (zc->routes == NULL || zc->out == NULL || zc->ev_connect == NULL ||
	    zc->ev_retry == NULL || zc->ev_complete == NULL ||
	    zc->ev_detect == NULL || zc->ifd < 0) {
		zclient_free(zc);
		return -ENOMEM;
	}
	/* First attempt from the loop: the caller may add routes first. */
	if (!zc->cfg.hold)
		evtimer_add(zc->ev_connect, &now);
	*out = zc;
	return 0;
}

void
zclient_release(struct zclient *zc)
{
	struct timeval now = { 0, 0 };

	if (!zc->cfg.hold)
		return;
	zc->cfg.hold = false;
	evtimer_add(zc->ev_connect, &now);
}

void
zclient_free(struct zclient *zc)
{
	struct zroute *e;
	size_t pos = 0;

	if (zc == NULL)
		return;
	if (zc->fd != -1) {
		/* Best effort: a DELETE just queued should reach zebra. */
		if (zc->connected)
			(void)zc_flush(zc);
		event_free(zc->ev_read);
		event_free(zc->ev_write);
		close(zc->fd);
	}
	if (zc->ev_connect != NULL)
		event_free(zc->ev_connect);
	if (zc->ev_retry != NULL)
		event_free(zc->ev_retry);
	if (zc->ev_complete != NULL)
		event_free(zc->ev_complete);
	if (zc->ev_detect != NULL)
		event_free(zc->ev_detect);
	if (zc->ifd >= 0)
		close(zc->ifd);
	if (zc->lockfd >= 0)
		close(zc->lockfd);
	if (zc->out != NULL)
		evbuffer_free(zc->out);
	if (zc->routes != NULL) {
		while ((e = hmap_next(zc->routes, &pos, NULL)) != NULL)
			free(e);
		hmap_free(zc->routes);
	}
	free(zc);
}

int
zclient_route_add(struct zclient *zc, const struct route *r)
{
	struct ipprefix p;
	struct zroute *e;
	char key[ADDR_STRLEN];

	if (prefix_canon(&r->prefix, &p) != 0 || memcmp(p.addr.bytes,
	    r->prefix.addr.bytes, addr_len(p.addr.family)) != 0)
		return -EINVAL;	/* bad family or length, host bits */
	if (r->kind == ROUTE_HOST) {
		if (r->ifname[0] == '\0' ||
		    memchr(r->ifname, '\0', sizeof(r->ifname)) == NULL)
			return -EINVAL;
	} else if (r->kind != ROUTE_AGGREGATE)
		return -EINVAL;
	if ((e = zc_find(zc, &p, key)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return -ENOMEM;
		memcpy(e->key, key, sizeof(e->key));
		if (hmap_add(zc->routes, e->key, e) != 0) {
			free(e);
			return -ENOMEM;
		}
	}
	e->r = *r;
	e->r.prefix = p;
	e->r.network_id[sizeof(e->r.network_id) - 1] = '\0';
	e->r.endpoint_id[sizeof(e->r.endpoint_id) - 1] = '\0';
	e->wait_if = false;
	zroute_send(zc, e, 0);
	return 0;
}

int
zclient_route_del(struct zclient *zc, const struct ipprefix *prefix)
{
	struct ipprefix p;
	struct zroute *e;
	char key[ADDR_STRLEN];

	if (prefix_canon(prefix, &p) != 0)
		return -ENOENT;
	prefix_fmt(&p, key, sizeof(key));
	if ((e = hmap_del(zc->routes, key)) == NULL)
		return -ENOENT;
	log_debug("zebra: ROUTE_DELETE %s", key);
	zroute_withdraw(zc, &p);
	zc_replay_answered(zc, e);	/* nothing more to wait for */
	free(e);
	return 0;
}

int
zclient_route_state(struct zclient *zc, const struct ipprefix *prefix,
    enum zroute_state *st)
{
	struct ipprefix p;
	struct zroute *e;
	char key[ADDR_STRLEN];

	if (prefix_canon(prefix, &p) != 0 || (e = zc_find(zc, &p, key)) == NULL)
		return -ENOENT;
	*st = e->st;
	return 0;
}

int
zclient_route_in_rib(struct zclient *zc, const struct ipprefix *prefix,
    bool *in_rib)
{
	struct ipprefix p;
	struct zroute *e;
	char key[ADDR_STRLEN];

	if (prefix_canon(prefix, &p) != 0 || (e = zc_find(zc, &p, key)) == NULL)
		return -ENOENT;
	*in_rib = e->in_rib;
	return 0;
}

bool
zclient_connected(const struct zclient *zc)
{
	return zc->connected;
}

void
zclient_status(const struct zclient *zc, struct zclient_status *st)
{
	memset(st, 0, sizeof(*st));
	st->connected = zc->connected;
	st->replaying = zc->connected && zc->complete_due;
	st->dialect = zc->d != NULL ? zc->d->name : "unknown";
	st->sessions = zc->sessions;
	st->rib_known = zc->connected && zc->subscribed;
	st->gr_stale_time = zc->cfg.gr_stale_time;
	st->route_type = zc->cfg.route_type;
	st->instance = zc->cfg.instance;
	snprintf(st->socket_path, sizeof(st->socket_path), "%s",
	    zc->cfg.socket_path);
}

const char *
zclient_dialect(const struct zclient *zc)
{
	return zc->d != NULL ? zc->d->name : NULL;
}

size_t
zclient_route_count(const struct zclient *zc)
{
	return hmap_count(zc->routes);
}

void
zclient_set_notify_hook(struct zclient *zc,
    void (*fn)(void *, const struct ipprefix *, enum zroute_state), void *arg)
{
	zc->hook = fn;
	zc->hook_arg = arg;
}

int
zclient_sink_add(void *zc, const struct route *r)
{
	return zclient_route_add(zc, r);
}

int
zclient_sink_del(void *zc, const struct ipprefix *p)
{
	int r = zclient_route_del(zc, p);

	return r == -ENOENT ? 0 : r;
}

/* zclient_withdraw_all's clock: stop the loop once the job is done. */
static void
zc_withdraw_tick(evutil_socket_t fd, short what, void *arg)
{
	struct zclient *zc = arg;
	struct zapi_client_cap cap = { .kind = ZAPI_CAP_GR_DISABLE };
	uint8_t mem[ZC_MSG_MAX];
	struct buf b;

	if (zc->ended) {
		event_base_loopbreak(zc->base);
		return;
	}
	if (!zc->connected || zc->complete_due || zc->ending)
		return;
	/*
	 * The replay of an empty table is done (orphans withdrawn): end
	 * graceful restart, which a stale session of ours left on, then the
	 * probe, whose ERROR says zebra processed GR_DISABLE before we close.
	 */
	buf_init(&b, mem, sizeof(mem));
	if (zc->d->cmd[ZAPI_CLIENT_CAPABILITIES] == ZAPI_NO_CMD) {
		/* Quagga: no GR; ROUTER_ID_UPDATE answers in order */
		if (zapi_router_id_encode(zc->d, &b, true) != 0)
			return;
	} else if (zapi_client_cap_encode(zc->d, &b, &cap) != 0 ||
	    zapi_probe_encode(&b) != 0)
		return;
	zc_send(zc, &b);
	zc->ending = true;
}

int
zclient_withdraw_all(struct event_base *base, const struct zclient_config *cfg,
    unsigned timeout_ms)
{
	struct zclient_config c = *cfg;
	struct timeval tick = ms_tv(20), limit = ms_tv(timeout_ms);
	struct zclient *zc;
	struct event *ev;
	int r;

	c.gr_stale_time = 0;
	c.hold = false;
	if ((r = zclient_new(base, &c, &zc)) != 0)
		return r;
	if ((ev = event_new(base, -1, EV_PERSIST, zc_withdraw_tick, zc)) ==
	    NULL) {
		zclient_free(zc);
		return -ENOMEM;
	}
	event_add(ev, &tick);
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	r = zc->ended ? 0 : -ETIMEDOUT;
	if (r == 0)
		log_info("zebra at %s dropped graceful restart for %s instance "
		    "%u; closing, so it removes every such route now",
		    c.socket_path, zapi_route_type_name(c.route_type),
		    c.instance);
	event_free(ev);
	zclient_free(zc);
	return r;
}
