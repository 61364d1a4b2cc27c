/*
 * zmqpub.h: the plugin's end of the route stream: a ZeroMQ ROUTER socket
 * that serves the route table to routed-zebra-helper (proto/routed.proto).
 *
 * It is an announce backend like the zebra session: the caller adds and
 * withdraws routes, and the publisher keeps its own copy.  Every change
 * takes the next sequence number of this publisher's epoch (a random
 * 64-bit number chosen at start) and goes to every subscriber.  A helper
 * subscribes by asking for a snapshot; one that cannot keep up (its queue
 * is full) or has gone is dropped, and resynchronises on its own.  A
 * heartbeat every second carries the epoch and the last seq.  Runs on the
 * caller's libevent base and never blocks (libzmq has its own I/O thread).
 */
#ifndef RP_ZMQPUB_H
#define RP_ZMQPUB_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "route.h"
#include "stream.h"

struct event_base;
struct zmqpub;

struct zmqpub_config {
	char		endpoint[STREAM_ENDPOINT_MAX];	/* ipc:// or tcp:// */
	uint64_t	epoch;		/* 0: random; tests fix it */
	unsigned	heartbeat_ms;	/* 0: 1000 */
	unsigned	sndhwm;		/* messages queued per helper; 0: 10000 */
	unsigned	max_subscribers; /* 0: 64 */
};

/*
 * Bind cfg->endpoint (copied).  For ipc:// the directory is created (mode
 * 0755, one level) when missing, and a stale socket file left by a dead
 * process is removed.  0 and *out; -EINVAL (bad endpoint); -EADDRINUSE
 * (a live process serves the ipc path); -EEXIST (the path is not a
 * socket); -ENOMEM; another -errno from the directory or libzmq (bind).
 */
int zmqpub_new(struct event_base *base, const struct zmqpub_config *cfg,
    struct zmqpub **out);

/* Close the socket (its ipc file goes) and free everything; NULL is fine. */
void zmqpub_free(struct zmqpub *zp);

/*
 * Add r, or replace the route with the same prefix, and send it to every
 * subscriber.  A route equal to the one held changes nothing.  0; -EINVAL
 * (a route the stream cannot carry: see stream_route_check); -ENOMEM (the
 * table is unchanged then).
 */
int zmqpub_route_add(struct zmqpub *zp, const struct route *r);

/* Withdraw the route for p and tell every subscriber.  0 or -ENOENT. */
int zmqpub_route_del(struct zmqpub *zp, const struct ipprefix *p);

/*
 * The same as an announce backend (struct announce_backend, arg the
 * zmqpub): withdrawing a route the stream does not hold is no error.
 */
int zmqpub_sink_add(void *zp, const struct route *r);
int zmqpub_sink_del(void *zp, const struct ipprefix *p);

uint64_t zmqpub_epoch(const struct zmqpub *zp);
/* The seq of the last change (0 before the first). */
uint64_t zmqpub_seq(const struct zmqpub *zp);
size_t zmqpub_route_count(const struct zmqpub *zp);
size_t zmqpub_subscriber_count(const struct zmqpub *zp);
/* Snapshots sent to helpers (one per snapshot request answered). */
uint64_t zmqpub_snapshots_sent(const struct zmqpub *zp);

#endif
