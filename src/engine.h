/* SPDX-License-Identifier: MIT */
/*
 * engine.h: what the Docker engine's API says, parsed strictly and without
 * any I/O (bridges.c does the talking): an HTTP/1.1 response read
 * incrementally (its head, a Content-Length, chunked or read-to-close body,
 * bounded), a network object of GET /networks, and an event line of
 * GET /events.
 *
 * A network is announced when the operator labels it
 * routed.announce=aggregate; routed.tag, routed.metric and routed.distance
 * labels set its routes' attributes as the -o options of a routed network
 * do.  Any other routed.* label, or a bad value, is an error that names
 * itself, and such a network announces nothing.
 */
#ifndef RP_ENGINE_H
#define RP_ENGINE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "addr.h"

#define ENGINE_ID_LEN		64	/* a network ID: 64 hex digits */
#define ENGINE_NAME_MAX		128
#define ENGINE_MAX_SUBNETS	4
/* Longest head of a response, and longest event line. */
#define ENGINE_HEAD_MAX		16384
#define ENGINE_LINE_MAX		65536

/* The route attributes a network gets unless its labels say otherwise. */
struct engine_defaults {
	uint32_t tag;
	uint32_t metric;
	bool has_metric;
	uint8_t distance;
};

struct engine_net {
	char id[ENGINE_ID_LEN + 1];
	char name[ENGINE_NAME_MAX + 1];
	char bridge[IFNAMSIZ];		/* the bridge device on this host */
	struct ipprefix subnets[ENGINE_MAX_SUBNETS];
	size_t nsubnets;
	uint32_t tag;
	uint32_t metric;
	bool has_metric;
	uint8_t distance;
};

/*
 * A network object (an element of GET /networks, or GET /networks/ID):
 * 1 when it is to be announced (out filled); 0 when it is not (no
 * routed.announce label, or routed.announce=none); -EINVAL when its labels
 * or its description are wrong, with the reason in err (out's id and name
 * filled when they could be read).
 */
int engine_net_parse(const cJSON *o, const struct engine_defaults *d,
    struct engine_net *out, char *err, size_t errlen);

/* The two halves of p (p is announced as them: see README); -EINVAL for a
 * host prefix. */
int engine_halves(const struct ipprefix *p, struct ipprefix half[2]);

enum engine_action {
	ENGINE_EV_OTHER,	/* nothing for us (connect, another type, ...) */
	ENGINE_EV_CREATE,
	ENGINE_EV_DESTROY,
};

/* One line of GET /events: 0 (ev filled), or -EINVAL with err. */
int engine_event_parse(const char *line, size_t n, enum engine_action *act,
    char id[ENGINE_ID_LEN + 1], char *err, size_t errlen);

/*
 * An HTTP/1.1 response, fed as it arrives.  The body goes to sink (return
 * non-zero to stop with that error).  body_max bounds a Content-Length or
 * the sum of the chunks (0: no bound; a stream bounds its own lines).
 */
struct engine_resp {
	int state;
	int status;			/* once the head is read */
	char head[ENGINE_HEAD_MAX];
	size_t headlen;
	bool chunked;
	bool to_close;			/* body ends when the connection does */
	uint64_t left;			/* of the body, or of this chunk */
	uint64_t seen;			/* body bytes so far */
	uint64_t body_max;
	char sizeline[24];		/* a chunk-size line being read */
	size_t sizelen;
	int (*sink)(void *arg, const char *p, size_t n);
	void *arg;
};

void engine_resp_init(struct engine_resp *r, uint64_t body_max,
    int (*sink)(void *arg, const char *p, size_t n), void *arg);
/*
 * Feed n bytes.  0: more wanted; 1: the response is complete (the rest of
 * p, if any, is ignored); -EBADMSG: malformed; -EMSGSIZE: over a bound;
 * or the sink's error.
 */
int engine_resp_feed(struct engine_resp *r, const char *p, size_t n);
/* The connection closed: 1 when that completes the body, else -EPIPE. */
int engine_resp_eof(struct engine_resp *r);
/* The head has been read (status is known). */
bool engine_resp_head_done(const struct engine_resp *r);

/*
 * Lines of a stream (the events), each at most ENGINE_LINE_MAX bytes:
 * feed bytes, get each complete line (without its newline) through fn.
 */
struct engine_lines {
	char *buf;
	size_t len;
	int (*fn)(void *arg, const char *line, size_t n);
	void *arg;
};
int engine_lines_feed(struct engine_lines *l, const char *p, size_t n);
void engine_lines_free(struct engine_lines *l);

#endif
