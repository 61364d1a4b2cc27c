/*
 * announce.h: the table of routes this host announces, and the backends
 * that carry it.  routes.c adds and removes routes as the model says; every
 * backend (ZAPI to zebra, the ZeroMQ stream to routed-zebra-helper) sees the
 * same table through the same calls, whatever transport it uses.
 */
#ifndef RP_ANNOUNCE_H
#define RP_ANNOUNCE_H

#include <stddef.h>

#include "route.h"

struct rp_ctx;
struct announce;

struct announce_backend {
	const char *name;
	/* Add or replace r; the backend copies what it needs. */
	int (*add)(void *arg, const struct route *r);
	/* Withdraw the route of prefix p. */
	int (*del)(void *arg, const struct ipprefix *p);
	void *arg;
};

#define ANNOUNCE_MAX_BACKENDS 4

int announce_init(struct rp_ctx *ctx);
void announce_free(struct rp_ctx *ctx);

/* Attach a backend; it is given every route already in the table. */
int announce_attach(struct rp_ctx *ctx, const struct announce_backend *b);

/*
 * Add or replace the route for r->prefix and pass it to every backend.
 * Idempotent.  0; -ENOMEM (the table is unchanged then); or the first error
 * of a backend that could not take it (logged; the route is in the table:
 * announce_del() undoes it).
 */
int announce_add(struct rp_ctx *ctx, const struct route *r);
/* Withdraw the route for p, if any; idempotent. */
void announce_del(struct rp_ctx *ctx, const struct ipprefix *p);

const struct route *announce_find(struct rp_ctx *ctx, const struct ipprefix *p);
size_t announce_count(struct rp_ctx *ctx);
/* The name of backend i (from 0), or NULL past the last. */
const char *announce_backend_name(struct rp_ctx *ctx, size_t i);
/* Walk the table: *pos starts at 0; NULL at the end. */
const struct route *announce_next(struct rp_ctx *ctx, size_t *pos);

/* Parse "host", "aggregate", "both", "none" into ANNOUNCE_*; -EINVAL. */
#define ANNOUNCE_HOST		0x1
#define ANNOUNCE_AGGREGATE	0x2
int announce_kind_parse(const char *s, unsigned *kind);
const char *announce_kind_name(unsigned kind);

#endif
