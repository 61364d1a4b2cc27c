/* SPDX-License-Identifier: MIT */
/*
 * stream.h: the frames of the route stream (proto/routed.proto) to and
 * from bytes.  No I/O and no globals: zmqpub.c and zmqsub.c move the bytes.
 *
 * Decoding never trusts the peer: the bytes are unpacked by protobuf-c
 * within their length and a memory budget, then every field is checked
 * (the prefix parses and has no host bits, names are bounded and
 * printable, enums and numbers are in range) before anything is copied
 * into a struct route.
 */
#ifndef RP_STREAM_H
#define RP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "route.h"

#define STREAM_DEFAULT_ENDPOINT	"ipc:///run/routed-plugin/routes.sock"
#define STREAM_ENDPOINT_MAX	256	/* with the NUL */

/*
 * The largest frame either side accepts (ZMQ_MAXMSGSIZE), and the most
 * memory one decode may take.  A snapshot of 10,000 host routes with
 * Docker's 64-character ids is 1.7 MB on the wire; these allow 200,000.
 */
#define STREAM_MAX_FRAME	(64u << 20)
#define STREAM_MAX_DECODE_MEM	(128u << 20)
#define STREAM_MAX_ROUTES	200000u

enum stream_type {
	STREAM_SNAPSHOT_REQUEST = 1,
	STREAM_SNAPSHOT,
	STREAM_UPDATE,
	STREAM_HEARTBEAT,
};

enum stream_op {
	STREAM_ADD = 1,
	STREAM_WITHDRAW,
};

/* A decoded frame. */
struct stream_msg {
	enum stream_type type;
	uint64_t epoch;		/* all but a request: never 0 */
	uint64_t seq;		/* all but a request */
	enum stream_op op;	/* STREAM_UPDATE */
	struct route route;	/* STREAM_UPDATE; WITHDRAW sets only prefix */
	struct route *routes;	/* STREAM_SNAPSHOT: nroutes, owned */
	size_t nroutes;
};

/*
 * Encoders: 0 with *out (malloc'ed, the caller frees it) holding *len
 * bytes; -EINVAL when an argument would not decode (epoch 0, a route that
 * stream_route_check refuses, too many routes); -ENOMEM.
 */
int stream_request_encode(uint8_t **out, size_t *len);
int stream_heartbeat_encode(uint64_t epoch, uint64_t seq, uint8_t **out,
    size_t *len);
/* A WITHDRAW carries only r->prefix; the rest of r is not looked at. */
int stream_update_encode(uint64_t epoch, uint64_t seq, enum stream_op op,
    const struct route *r, uint8_t **out, size_t *len);
int stream_snapshot_encode(uint64_t epoch, uint64_t seq,
    const struct route *const *routes, size_t n, uint8_t **out, size_t *len);

/*
 * Decode the n bytes at p into *m.  0; -EBADMSG for a frame that is not a
 * valid Envelope or carries a field out of range (m is then empty);
 * -ENOMSG for a well-formed Envelope whose body this version does not know
 * (a newer peer); -ENOMEM.  Free a decoded message with stream_msg_free.
 */
int stream_decode(const uint8_t *p, size_t n, struct stream_msg *m);
/* Free what m owns and zero it (a zeroed m is fine). */
void stream_msg_free(struct stream_msg *m);

/*
 * 0 when r is a route the stream carries: a prefix with no host bits, a
 * known kind, a HOST route with an interface name, names and ids
 * NUL-terminated and printable.  -EINVAL otherwise.
 */
int stream_route_check(const struct route *r);
/* a and b carry the same route (field by field; metric only if used). */
bool stream_route_same(const struct route *a, const struct route *b);

/*
 * An endpoint both programs accept: "ipc://" and an absolute path that
 * fits a unix socket address, or "tcp://" and HOST:PORT.  0 or -EINVAL.
 */
int stream_endpoint_check(const char *url);
/* The path of an ipc:// endpoint, or NULL. */
const char *stream_endpoint_path(const char *url);

const char *stream_type_name(enum stream_type t);

#endif
