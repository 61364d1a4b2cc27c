/* SPDX-License-Identifier: MIT */
/*
 * zclient.h: a session with zebra (ZAPI: FRR 7.5 to 10.x, Quagga 1.2) that
 * keeps a table of routes installed.
 *
 * The caller adds and withdraws routes at any time; the session owns a copy
 * of each and makes zebra hold exactly that set: it connects (and
 * reconnects with backoff) on its own, finds out on every connection which
 * release's dialect zebra speaks before anything else goes out, replays
 * the table after every
 * connect, deletes what zebra holds for our (type, instance) but the table
 * does not, and re-sends routes that zebra failed, removed or may have lost
 * (interface up, ifindex change).  Everything runs on the caller's libevent
 * base and never blocks.  Nothing here knows the daemon context: the
 * plugin and the ZeroMQ helper both use it as is.
 */
#ifndef RP_ZCLIENT_H
#define RP_ZCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "route.h"

struct event_base;
struct zclient;

struct zclient_config {
	char		socket_path[108];	/* zebra's zserv.api */
	uint8_t		route_type;	/* our identity: 2 < type < 30, in
					   FRR 8.4's numbering (mapped per
					   dialect) */
	uint16_t	instance;	/* 0: only 0 is redistributed */
	unsigned	gr_stale_time;	/* s; 0 = no graceful restart */
	/*
	 * Where to take the lock that keeps a second process of this host
	 * from talking to the same zebra as the same (type, instance): zebra
	 * wipes the routes of both when either disconnects.  "" = no lock.
	 */
	char		lock_dir[108];
	/*
	 * The table is not complete yet: do not connect before
	 * zclient_release().  For a caller that fills the table from
	 * elsewhere (the helper, from the plugin's snapshot): a replay of a
	 * partial table would make zebra delete the rest, graceful restart
	 * or not.
	 */
	bool		hold;
	/* Timings in ms; 0 takes the default.  Tests shorten them. */
	unsigned	reconnect_min_ms;	/* 100, doubling to... */
	unsigned	reconnect_max_ms;	/* ...5000 */
	unsigned	retry_ms;	/* failed routes: 1000, doubling */
	unsigned	detect_ms;	/* zebra answers detection: 5000 */
	/*
	 * "" or "auto": detect zebra's dialect on every connection; else a
	 * dialect name (zapi_dialect_find) that zebra must then confirm.
	 */
	char		dialect[16];
};

enum zroute_state {
	ZR_PENDING,	/* not sent yet, or sent and not confirmed */
	ZR_INSTALLED,	/* zebra installed it in the FIB */
	ZR_FAILED,	/* FAIL_INSTALL: retried with backoff */
	ZR_REJECTED,	/* BETTER_ADMIN_WON: a better route is used */
};

/*
 * A session for cfg (copied) on base.  With cfg->lock_dir set, -EBUSY when
 * another process holds the lock of (socket, type, instance).  The first connection attempt is
 * made from the event loop, so nothing is sent and no callback runs before
 * this returns.  0 and *out; -EINVAL for a bad config (empty or unbounded
 * path, a type zebra would not register); -ENOMEM.
 */
int zclient_new(struct event_base *base, const struct zclient_config *cfg,
    struct zclient **out);

/*
 * The table is complete: connect now if cfg.hold kept the session from it
 * (it replays the table, deletes what zebra holds beyond it, then ends
 * graceful restart).  Idempotent; nothing to do without cfg.hold.
 */
void zclient_release(struct zclient *zc);
/*
 * Close the session and free everything (NULL is fine).  Queued output is
 * written if the socket takes it at once.  Without graceful restart zebra
 * then deletes our routes; with it, it keeps them for gr_stale_time.
 */
void zclient_free(struct zclient *zc);

/*
 * Add r to the table, or replace the route with the same prefix, and send
 * it if connected.  A ROUTE_HOST route whose interface does not exist yet
 * waits until zebra reports it.  The state becomes ZR_PENDING.  0;
 * -EINVAL (bad family or length, host bits set, unknown kind, HOST without
 * an interface name); -ENOMEM.
 */
int zclient_route_add(struct zclient *zc, const struct route *r);

/*
 * Withdraw the route for p (a ROUTE_DELETE if connected) and forget it.
 * 0, or -ENOENT when the table has no route for p.
 */
int zclient_route_del(struct zclient *zc, const struct ipprefix *p);

/*
 * The same two calls shaped as a route sink (announce backend, stream
 * subscriber): arg is the zclient; withdrawing an unknown prefix is 0.
 */
int zclient_sink_add(void *zc, const struct route *r);
int zclient_sink_del(void *zc, const struct ipprefix *p);

/* The state of the route for p: 0 and *st, or -ENOENT. */
int zclient_route_state(struct zclient *zc, const struct ipprefix *p,
    enum zroute_state *st);

/*
 * Whether zebra's RIB has our route for p as the selected route of its
 * prefix, as zebra's redistribution of our own type says (see
 * zclient_status().rib_known).  0 and *in_rib, or -ENOENT.
 */
int zclient_route_in_rib(struct zclient *zc, const struct ipprefix *p,
    bool *in_rib);

/* True while a session with zebra is up (dialect known, HELLO answered). */
bool zclient_connected(const struct zclient *zc);

/* What the session is doing, for status queries. */
struct zclient_status {
	bool		connected;	/* as zclient_connected() */
	bool		replaying;	/* connected, the replay not confirmed
					   (graceful restart not completed) */
	const char	*dialect;	/* the dialect detected ("frr10.3"), or
					   "unknown" before any session */
	unsigned long	sessions;	/* sessions started since zclient_new */
	bool		rib_known;	/* subscribed to our own routes: what
					   zclient_route_in_rib() says is
					   zebra's word (after its dump) */
	unsigned	gr_stale_time;	/* s; 0 = no graceful restart */
	uint8_t		route_type;
	uint16_t	instance;
	char		socket_path[108];
};
void zclient_status(const struct zclient *zc, struct zclient_status *st);

/*
 * For a final stop: connect as cfg would (detection, the lock), end the
 * graceful restart a previous session of ours left (zebra then keeps its
 * routes until a stale timer that FRR 9.0 to 10.4 never honours), and
 * close, so that zebra removes every route of cfg's (type, instance) at
 * once.  Runs base's loop itself for at most timeout_ms.  0; -ETIMEDOUT
 * (zebra unreachable or did not answer); what zclient_new returns
 * (-EBUSY: the daemon still runs).
 */
int zclient_withdraw_all(struct event_base *base,
    const struct zclient_config *cfg, unsigned timeout_ms);

/*
 * The name of the dialect zebra speaks ("frr10.3"), as the last
 * connection found it; NULL before any did.
 */
const char *zclient_dialect(const struct zclient *zc);

/* Routes in the table, whatever their state. */
size_t zclient_route_count(const struct zclient *zc);

/*
 * Call fn(arg, prefix, state) whenever a notification from zebra sets the
 * state of a route of the table (for tests and benchmarks; NULL removes
 * it).  fn may add or delete routes but must not free zc.
 */
void zclient_set_notify_hook(struct zclient *zc,
    void (*fn)(void *arg, const struct ipprefix *p, enum zroute_state st),
    void *arg);

#endif
