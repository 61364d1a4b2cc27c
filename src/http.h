/* SPDX-License-Identifier: MIT */
/*
 * http.h: HTTP/1.1 on a unix socket, feeding api_dispatch().
 */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

struct rp_ctx;
struct http;

/*
 * Listen on path (mode 0660).  A stale socket file (nobody accepts on it) is
 * replaced; a live one makes this fail with -EADDRINUSE.  0, or -errno with a
 * message in err.
 */
int http_open(struct rp_ctx *ctx, const char *path,
    const struct api_route *routes, size_t nroutes, struct http **out,
    char *err, size_t errlen);
/*
 * Remove the socket file, so that no new connection can be made; the ones
 * already made, including those still in the listen backlog, are served
 * until http_free().
 */
void http_shutdown(struct http *h);
/* Close everything and free. */
void http_free(struct http *h);

/*
 * Is somebody accepting on the unix socket path?  1 yes, 0 no (stale or
 * absent), -ENOTSOCK (something else is there) or -errno.
 */
int http_socket_live(const char *path);
/*
 * A listening unix stream socket on path, mode 0660, non-blocking and
 * close-on-exec, replacing a stale socket file (not a live one:
 * -EADDRINUSE).  The descriptor, or -errno with a message in err.
 */
int http_listen(const char *path, int backlog, char *err, size_t errlen);

/*
 * The per-socket limits (http.c says what each one does); 0 keeps the
 * current value.  The defaults suit the daemon: tests shrink them.
 */
struct http_limits {
	unsigned max_conns;	/* open connections (512) */
	unsigned deadline_ms;	/* to receive a whole request (60000) */
	size_t out_max;		/* queued reply bytes before reading stops */
	unsigned grace_ms;	/* busy this long, a connection may be shed */
};
void http_set_limits(struct http *h, const struct http_limits *lim);
/* Bytes held in the connections' input and output buffers. */
size_t http_buffered(const struct http *h);

/*
 * Pieces of the parser that the engine client (engine.c) shares.  Header
 * line l (n bytes): with this name, its value trimmed (*vlen), else NULL.
 */
const char *http_header_value(const char *l, size_t n, const char *name,
    size_t *vlen);
/*
 * The next header line of a head at *p (before end): 1 with the line in
 * *line and *len (without its CR LF) and *p past it; 0 at the empty line or
 * the end; -1 for a malformed line (a leading blank, no name, no colon, a
 * blank before the colon).
 */
int http_next_header(const char **p, const char *end, const char **line,
    size_t *len);
/* Does the comma-separated list v (n bytes) hold token (any case)? */
bool http_has_token(const char *v, size_t n, const char *token);
/* The offset past a head's empty line in p[0..n), or 0; resume at from. */
size_t http_head_end(const char *p, size_t n, size_t from);

#endif
