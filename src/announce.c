/*
 * announce.c: the route table shared by every announcing backend.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "ctx.h"
#include "hmap.h"
#include "log.h"

struct entry {
	char key[ADDR_STRLEN];		/* the prefix as text */
	struct route r;
};

struct announce {
	struct hmap *routes;		/* key -> entry */
	struct announce_backend backends[ANNOUNCE_MAX_BACKENDS];
	size_t nbackends;
};

int
announce_init(struct rp_ctx *ctx)
{
	struct announce *an;

	if ((an = calloc(1, sizeof(*an))) == NULL)
		return -ENOMEM;
	if ((an->routes = hmap_new()) == NULL) {
		free(an);
		return -ENOMEM;
	}
	ctx->announce = an;
	return 0;
}

void
announce_free(struct rp_ctx *ctx)
{
	struct announce *an = ctx->announce;
	struct entry *e;
	size_t pos = 0;

	if (an == NULL)
		return;
	while ((e = hmap_next(an->routes, &pos, NULL)) != NULL) {
		hmap_del(an->routes, e->key);
		free(e);
	}
	hmap_free(an->routes);
	free(an);
	ctx->announce = NULL;
}

int
announce_attach(struct rp_ctx *ctx, const struct announce_backend *b)
{
	struct announce *an = ctx->announce;
	struct entry *e;
	size_t pos = 0;

	if (an->nbackends == ANNOUNCE_MAX_BACKENDS)
		return -ENOSPC;
	an->backends[an->nbackends++] = *b;
	while ((e = hmap_next(an->routes, &pos, NULL)) != NULL)
		b->add(b->arg, &e->r);
	return 0;
}

int
announce_add(struct rp_ctx *ctx, const struct route *r)
{
	struct announce *an = ctx->announce;
	struct entry *e;
	char key[ADDR_STRLEN];
	size_t i;
	int ret = 0, b;

	prefix_fmt(&r->prefix, key, sizeof(key));
	if ((e = hmap_find(an->routes, key)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return -ENOMEM;
		memcpy(e->key, key, sizeof(e->key));
		if (hmap_add(an->routes, e->key, e) != 0) {
			free(e);
			return -ENOMEM;
		}
	} else if (memcmp(&e->r, r, sizeof(*r)) == 0) {
		return 0;	/* unchanged: nothing to tell anyone */
	}
	e->r = *r;
	log_debug("announce %s (%s%s%s)", key, r->kind == ROUTE_HOST ?
	    "dev " : "aggregate", r->kind == ROUTE_HOST ? r->ifname : "",
	    "");
	for (i = 0; i < an->nbackends; i++)
		if ((b = an->backends[i].add(an->backends[i].arg, &e->r)) != 0) {
			log_warnx("announce %s: backend %s refused it: %s", key,
			    an->backends[i].name, strerror(-b));
			if (ret == 0)
				ret = b;
		}
	return ret;
}

void
announce_del(struct rp_ctx *ctx, const struct ipprefix *p)
{
	struct announce *an = ctx->announce;
	struct entry *e;
	char key[ADDR_STRLEN];
	size_t i;

	prefix_fmt(p, key, sizeof(key));
	if ((e = hmap_del(an->routes, key)) == NULL)
		return;
	log_debug("withdraw %s", key);
	for (i = 0; i < an->nbackends; i++)
		an->backends[i].del(an->backends[i].arg, p);
	free(e);
}

const struct route *
announce_find(struct rp_ctx *ctx, const struct ipprefix *p)
{
	char key[ADDR_STRLEN];
	struct entry *e;

	e = hmap_find(ctx->announce->routes, prefix_fmt(p, key, sizeof(key)));
	return e ? &e->r : NULL;
}

const char *
announce_backend_name(struct rp_ctx *ctx, size_t i)
{
	return i < ctx->announce->nbackends ? ctx->announce->backends[i].name :
	    NULL;
}

size_t
announce_count(struct rp_ctx *ctx)
{
	return hmap_count(ctx->announce->routes);
}

const struct route *
announce_next(struct rp_ctx *ctx, size_t *pos)
{
	struct entry *e = hmap_next(ctx->announce->routes, pos, NULL);

	return e ? &e->r : NULL;
}

int
announce_kind_parse(const char *s, unsigned *kind)
{
	if (strcmp(s, "host") == 0)
		*kind = ANNOUNCE_HOST;
	else if (strcmp(s, "aggregate") == 0)
		*kind = ANNOUNCE_AGGREGATE;
	else if (strcmp(s, "both") == 0)
		*kind = ANNOUNCE_HOST | ANNOUNCE_AGGREGATE;
	else if (strcmp(s, "none") == 0)
		*kind = 0;
	else
		return -EINVAL;
	return 0;
}

const char *
announce_kind_name(unsigned kind)
{
	switch (kind) {
	case ANNOUNCE_HOST:
		return "host";
	case ANNOUNCE_AGGREGATE:
		return "aggregate";
	case ANNOUNCE_HOST | ANNOUNCE_AGGREGATE:
		return "both";
	default:
		return "none";
	}
}
