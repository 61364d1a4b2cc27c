/* SPDX-License-Identifier: MIT */
/*
 * zmqsub.h: the helper's end of the route stream: a ZeroMQ DEALER socket
 * that keeps a sink (routed-zebra-helper's zebra session; a recorder in
 * tests) holding exactly the routes routed-plugin announces.
 *
 * It asks for a snapshot, applies it (adds what is new or changed,
 * withdraws what the snapshot lacks), then applies the updates in order.
 * Another epoch, a gap in seq, a heartbeat ahead of the last update, or
 * silence for timeout_ms make it ask for a new snapshot; until that comes
 * the sink keeps what it has, so a resync does not flap routes.  Bad
 * frames are logged (rate-limited) and dropped without touching the state.
 * Runs on the caller's libevent base and never blocks.
 */
#ifndef RP_ZMQSUB_H
#define RP_ZMQSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "route.h"
#include "stream.h"

struct event_base;
struct zmqsub;

/*
 * Where routes go: add (or replace) r, withdraw p.  The sink copies what
 * it keeps.  A failed add is retried at the next snapshot; 0 or -errno.
 */
struct zmqsub_sink {
	int (*add)(void *arg, const struct route *r);
	int (*del)(void *arg, const struct ipprefix *p);
	void *arg;
};

struct zmqsub_config {
	char		endpoint[STREAM_ENDPOINT_MAX];	/* ipc:// or tcp:// */
	struct zmqsub_sink sink;
	/*
	 * Called with every snapshot and update just before it is applied,
	 * and every heartbeat accepted (NULL: none).  For --dump and tests;
	 * m and what it points to are valid only during the call.
	 */
	void		(*monitor)(void *arg, const struct stream_msg *m);
	void		*monitor_arg;
	/*
	 * Called after every snapshot has been applied to the sink, so
	 * after the first one the sink holds the plugin's whole table
	 * (NULL: none).
	 */
	void		(*applied)(void *arg);
	void		*applied_arg;
	/* Timings in ms; 0 takes the default.  Tests shorten them. */
	unsigned	timeout_ms;	/* silence before a resync: 3000 */
	unsigned	retry_ms;	/* ask again for a snapshot: 1000,
				   doubling to 8 times that */
};

struct zmqsub_stats {
	uint64_t	requests;	/* snapshot requests sent */
	uint64_t	snapshots;	/* snapshots applied */
	uint64_t	updates;	/* updates applied */
	uint64_t	ignored;	/* old, duplicate or out-of-sync messages */
	uint64_t	resyncs;	/* epoch change, gap, silence */
	uint64_t	bad;		/* frames that did not decode */
};

/*
 * Connect to cfg->endpoint (copied; libzmq connects and reconnects in the
 * background) and ask for a snapshot from the event loop.  0 and *out;
 * -EINVAL (bad endpoint, a sink without add or del); -ENOMEM; another
 * -errno from libzmq.
 */
int zmqsub_new(struct event_base *base, const struct zmqsub_config *cfg,
    struct zmqsub **out);

/* Disconnect and free; the sink is not told (NULL is fine). */
void zmqsub_free(struct zmqsub *zs);

/* True between an applied snapshot and the next reason to resync. */
bool zmqsub_synced(const struct zmqsub *zs);
/* The epoch and seq of the last snapshot or update applied (0 before). */
uint64_t zmqsub_epoch(const struct zmqsub *zs);
uint64_t zmqsub_seq(const struct zmqsub *zs);
/* Routes applied to the sink. */
size_t zmqsub_route_count(const struct zmqsub *zs);
void zmqsub_get_stats(const struct zmqsub *zs, struct zmqsub_stats *st);

#endif
