/* SPDX-License-Identifier: MIT */
/*
 * api.h: the Docker plugin API, independent of the transport.
 *
 * api_dispatch() takes a path and a request body and produces an HTTP status
 * and a JSON reply; http.c feeds it from the sockets, the unit tests and the
 * fuzzers call it directly.  Handlers are found in route tables
 * ({"/NetworkDriver.Join", netdrv_join}).
 */
#ifndef RP_API_H
#define RP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "addr.h"

struct rp_ctx;

#define API_ERRLEN	512
#define API_MAX_BODY	(1024 * 1024)
#define API_ID_MAX	128

struct api_call {
	struct rp_ctx *ctx;
	const cJSON *req;	/* the body: always an object ({} when empty) */
	cJSON *reply;		/* an empty object for the handler to fill */
	char err[API_ERRLEN];	/* the message of a failure */
};

/* A handler returns 0 on success or -errno after api_fail(). */
typedef int (*api_fn)(struct api_call *c);

struct api_route {
	const char *path;
	api_fn fn;
};

/*
 * Run the handler for path.  body/len is the raw request body (may be empty).
 * Returns the HTTP status (200, 404 unknown path, 500 any failure) and sets
 * *out to the reply text (malloc'd, the caller frees; never NULL unless out
 * of memory).  Failures reply {"Err": message}.
 */
int api_dispatch(struct rp_ctx *ctx, const struct api_route *routes,
    size_t nroutes, const char *path, const char *body, size_t len, char **out);

/* Record a failure message (printf-like) in c->err; returns code (< 0). */
int api_fail(struct api_call *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Field getters.  Each fails the call with a clear message naming the field
 * when it is present with the wrong type, or absent while required; a JSON
 * null counts as absent.  0 on success (*out NULL when absent), or -EINVAL.
 */
int api_get_str(struct api_call *c, const cJSON *obj, const char *name,
    bool required, const char **out);
int api_get_obj(struct api_call *c, const cJSON *obj, const char *name,
    bool required, const cJSON **out);
int api_get_bool(struct api_call *c, const cJSON *obj, const char *name,
    bool *out);
/* A Docker object ID: 1..API_ID_MAX of [0-9A-Za-z_.-], required. */
int api_get_id(struct api_call *c, const cJSON *obj, const char *name,
    const char **out);
/* An address field: empty or absent gives *present = false. */
int api_get_addr(struct api_call *c, const cJSON *obj, const char *name,
    struct ipaddr *out, bool *present);

/* Add a string member to the reply; 0 or -ENOMEM. */
int api_put_str(struct api_call *c, cJSON *obj, const char *name,
    const char *value);

/* Plugin.Activate's reply: "Implements" with a (and b unless NULL). */
int api_implements(struct api_call *c, const char *a, const char *b);

#endif
