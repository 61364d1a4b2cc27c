/*
 * ipam.c: the "ipam-routed" IPAM driver.
 *
 * A pool is one --subnet of one network; pools never overlap (two networks
 * that shared addresses would route them to two places).  The PoolID is the
 * pool's prefix.  Addresses come from an alloc.h allocator and are returned
 * as host prefixes, so a container's interface gets a /32 or /128 and every
 * packet leaves through the gateway, which the host answers for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ctx.h"
#include "hmap.h"
#include "ipam.h"
#include "log.h"
#include "netdrv.h"
#include "store.h"

#define GATEWAY_REQUEST	"com.docker.network.gateway"
#define MAX_AUX		256

struct pool {
	char id[ADDR_STRLEN];		/* the prefix as text; the hmap key */
	struct ipprefix prefix;
	struct ipprefix range;		/* --ip-range, or the prefix */
	bool has_range;
	struct ipaddr lo, hi;		/* usable: no network/broadcast */
	struct alloc *al;
	struct ipaddr aux[MAX_AUX];	/* --aux-address: never for containers */
	size_t naux;
};

struct ipam {
	struct hmap *pools;
};

/* The state record of a pool (without its addresses), or NULL. */
static cJSON *
pool_record(const struct pool *p)
{
	char s[ADDR_STRLEN];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "pool", p->id) ||
	    (p->has_range && !cJSON_AddStringToObject(o, "range",
	    prefix_fmt(&p->range, s, sizeof(s))))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The key of an address record: "<pool id> <address>". */
static const char *
addr_key(const struct pool *p, const struct ipaddr *a, char *out, size_t len)
{
	char s[ADDR_STRLEN];

	snprintf(out, len, "%s %s", p->id, addr_fmt(a, s, sizeof(s)));
	return out;
}

static void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	alloc_free(p->al);
	free(p);
}

int
ipam_init(struct rp_ctx *ctx)
{
	struct ipam *im;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return -ENOMEM;
	if ((im->pools = hmap_new()) == NULL) {
		free(im);
		return -ENOMEM;
	}
	ctx->ipam = im;
	return 0;
}

static void
pools_clear(struct ipam *im)
{
	struct pool *p;
	size_t pos = 0;

	while ((p = hmap_next(im->pools, &pos, NULL)) != NULL) {
		hmap_del(im->pools, p->id);
		pool_free(p);
	}
}

void
ipam_free(struct rp_ctx *ctx)
{
	struct ipam *im = ctx->ipam;

	if (im == NULL)
		return;
	pools_clear(im);
	hmap_free(im->pools);
	free(im);
	ctx->ipam = NULL;
}

/* The pool whose prefix holds a, or NULL. */
static struct pool *
pool_of_addr(struct ipam *im, const struct ipaddr *a)
{
	struct pool *p;
	size_t pos = 0;

	while ((p = hmap_next(im->pools, &pos, NULL)) != NULL)
		if (prefix_contains(&p->prefix, a))
			return p;
	return NULL;
}

bool
ipam_has_addr(struct rp_ctx *ctx, const struct ipaddr *addr)
{
	struct pool *p = pool_of_addr(ctx->ipam, addr);

	return p != NULL && alloc_has(p->al, addr);
}

static bool
pool_is_aux(const struct pool *p, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < p->naux; i++)
		if (addr_eq(&p->aux[i], a))
			return true;
	return false;
}

static void
pool_drop_aux(struct pool *p, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < p->naux; i++)
		if (addr_eq(&p->aux[i], a)) {
			p->aux[i] = p->aux[--p->naux];
			return;
		}
}

/* Mark addr as auxiliary in memory; the pool, or NULL when nothing changed. */
static struct pool *
pool_mark_aux(struct rp_ctx *ctx, const struct ipaddr *addr)
{
	struct pool *p = pool_of_addr(ctx->ipam, addr);

	if (p == NULL || !alloc_has(p->al, addr) || pool_is_aux(p, addr))
		return NULL;
	if (p->naux == MAX_AUX) {
		log_warnx("pool %s: more than %d auxiliary addresses", p->id,
		    MAX_AUX);
		return NULL;
	}
	p->aux[p->naux++] = *addr;
	return p;
}

void
ipam_mark_aux(struct rp_ctx *ctx, const struct ipaddr *addr)
{
	char key[2 * ADDR_STRLEN];
	struct pool *p;

	if ((p = pool_mark_aux(ctx, addr)) != NULL)
		store_put(ctx, REC_AUX, addr_key(p, addr, key, sizeof(key)),
		    cJSON_CreateTrue());
}

int
ipam_pool_range(struct rp_ctx *ctx, const struct ipprefix *pool,
    struct ipprefix *range)
{
	char key[ADDR_STRLEN];
	struct pool *p;

	p = hmap_find(ctx->ipam->pools, prefix_fmt(pool, key, sizeof(key)));
	if (p == NULL)
		return -ENOENT;
	*range = p->range;
	return 0;
}

/*
 * A new pool for prefix (and range).  The automatic range leaves out the
 * network and broadcast addresses of an IPv4 pool and the subnet-router
 * anycast address of an IPv6 pool.  NULL with a message in err.
 */
static struct pool *
pool_new(const struct ipprefix *prefix, const struct ipprefix *range,
    char *err, size_t errlen)
{
	struct ipaddr first, last, afirst, alast, pfirst, plast;
	struct pool *p;
	unsigned bits = addr_bits(prefix->addr.family);
	char s[ADDR_STRLEN];

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->prefix = *prefix;
	p->range = range ? *range : *prefix;
	p->has_range = range != NULL;
	prefix_fmt(prefix, p->id, sizeof(p->id));
	prefix_first(prefix, &first);
	prefix_last(prefix, &last);
	prefix_first(&p->range, &afirst);
	prefix_last(&p->range, &alast);
	pfirst = first;
	plast = last;
	if ((unsigned)prefix->plen + 2 <= bits) {
		/* the network address (and the IPv4 broadcast) are not for containers */
		addr_inc(&pfirst);
		if (prefix->addr.family == AF_INET)
			addr_dec(&plast);
		if (addr_cmp(&afirst, &pfirst) < 0)
			afirst = pfirst;
		if (addr_cmp(&alast, &plast) > 0)
			alast = plast;
	}
	p->lo = pfirst;
	p->hi = plast;
	if (addr_cmp(&afirst, &alast) > 0) {
		snprintf(err, errlen, "pool %s has no address left for containers",
		    prefix_fmt(&p->range, s, sizeof(s)));
		free(p);
		return NULL;
	}
	if ((p->al = alloc_new(&first, &last, &afirst, &alast)) == NULL) {
		snprintf(err, errlen, "cannot create the allocator of pool %s: %s",
		    p->id, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

/* Prefixes that can never be a pool of routed container addresses. */
static const char *
prefix_forbidden(const struct rp_ctx *ctx, const struct ipprefix *p)
{
	static const struct {
		const char *prefix;
		const char *why;
	} bad[] = {
		{ "0.0.0.0/8", "is in 0.0.0.0/8 (this network)" },
		{ "127.0.0.0/8", "overlaps the loopback range 127.0.0.0/8" },
		{ "169.254.0.0/16", "overlaps the link-local range 169.254.0.0/16" },
		{ "224.0.0.0/3", "overlaps the multicast/reserved range 224.0.0.0/3" },
		{ "::/127", "overlaps the unspecified and loopback addresses" },
		{ "fe80::/10", "overlaps the link-local range fe80::/10" },
		{ "ff00::/8", "overlaps the multicast range ff00::/8" },
	};
	struct ipprefix q;
	size_t i;

	if (p->plen == 0)
		return "covers the whole address family";
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (prefix_parse(bad[i].prefix, &q) == 0 &&
		    q.addr.family == p->addr.family && prefix_overlaps(&q, p))
			return bad[i].why;
	}
	if (prefix_contains(p, &ctx->cfg.gateway4) ||
	    prefix_contains(p, &ctx->cfg.gateway6))
		return "contains the plugin's gateway address";
	return NULL;
}

static int
ipam_activate(struct api_call *c)
{
	cJSON *a = cJSON_AddArrayToObject(c->reply, "Implements");

	if (a == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	cJSON_AddItemToArray(a, cJSON_CreateString("IpamDriver"));
	return 0;
}

static int
ipam_capabilities(struct api_call *c)
{
	if (cJSON_AddFalseToObject(c->reply, "RequiresMACAddress") == NULL ||
	    cJSON_AddFalseToObject(c->reply, "RequiresRequestReplay") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

static int
ipam_default_spaces(struct api_call *c)
{
	int r;

	if ((r = api_put_str(c, c->reply, "LocalDefaultAddressSpace",
	    "RoutedLocal")) != 0)
		return r;
	return api_put_str(c, c->reply, "GlobalDefaultAddressSpace",
	    "RoutedGlobal");
}

static int
ipam_request_pool(struct api_call *c)
{
	struct ipam *im = c->ctx->ipam;
	const char *pool, *sub, *why;
	struct ipprefix prefix, range;
	struct pool *p, *q;
	char s[ADDR_STRLEN];
	bool v6;
	size_t pos = 0;
	int r;

	if ((r = api_get_str(c, c->req, "Pool", false, &pool)) != 0 ||
	    (r = api_get_str(c, c->req, "SubPool", false, &sub)) != 0 ||
	    (r = api_get_bool(c, c->req, "V6", &v6)) != 0)
		return r;
	if (pool == NULL || *pool == '\0') {
		if (sub != NULL && *sub != '\0')
			return api_fail(c, -EINVAL,
			    "--ip-range %.64s needs a --subnet", sub);
		return api_fail(c, -EINVAL, "ipam-routed has no default pool: "
		    "give the network an explicit %s subnet (docker network "
		    "create --subnet ...)", v6 ? "IPv6" : "IPv4");
	}
	if (prefix_parse(pool, &prefix) != 0)
		return api_fail(c, -EINVAL, "subnet '%.64s' is not a prefix "
		    "(address/length)", pool);
	if ((prefix.addr.family == AF_INET6) != v6)
		return api_fail(c, -EINVAL, "subnet %.64s is not an %s prefix",
		    pool, v6 ? "IPv6" : "IPv4");
	if (!prefix_is_network(&prefix)) {
		struct ipprefix n = prefix;
		prefix_first(&prefix, &n.addr);
		return api_fail(c, -EINVAL, "subnet %.64s has host bits set "
		    "(did you mean %s?)", pool, prefix_fmt(&n, s, sizeof(s)));
	}
	if ((why = prefix_forbidden(c->ctx, &prefix)) != NULL)
		return api_fail(c, -EINVAL, "subnet %.64s %s", pool, why);
	if (sub != NULL && *sub != '\0') {
		if (prefix_parse(sub, &range) != 0 ||
		    range.addr.family != prefix.addr.family)
			return api_fail(c, -EINVAL, "--ip-range '%.64s' is not "
			    "a prefix of the subnet's family", sub);
		if (!prefix_is_network(&range))
			return api_fail(c, -EINVAL, "--ip-range %.64s has host "
			    "bits set", sub);
		if (!prefix_covers(&prefix, &range))
			return api_fail(c, -EINVAL, "--ip-range %.64s is not "
			    "inside subnet %.64s", sub, pool);
	}
	while ((q = hmap_next(im->pools, &pos, NULL)) != NULL)
		if (prefix_overlaps(&q->prefix, &prefix))
			return api_fail(c, -EEXIST, "subnet %.64s overlaps pool "
			    "%s of another network", pool, q->id);
	if ((p = pool_new(&prefix, sub && *sub ? &range : NULL, c->err,
	    sizeof(c->err))) == NULL)
		return -EINVAL;
	if (hmap_add(im->pools, p->id, p) != 0) {
		pool_free(p);
		return api_fail(c, -ENOMEM, "out of memory");
	}
	store_put(c->ctx, REC_POOL, p->id, pool_record(p));
	if ((r = store_commit(c->ctx)) != 0) {
		hmap_del(im->pools, p->id);
		pool_free(p);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	log_info("pool %s created%s%s", p->id, p->has_range ? ", range " : "",
	    p->has_range ? prefix_fmt(&p->range, s, sizeof(s)) : "");
	if ((r = api_put_str(c, c->reply, "PoolID", p->id)) != 0 ||
	    (r = api_put_str(c, c->reply, "Pool", p->id)) != 0)
		return r;
	if (cJSON_AddObjectToObject(c->reply, "Data") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

struct del_arg {
	struct rp_ctx *ctx;
	const struct pool *p;
};

static int
del_addr_record(const struct ipaddr *a, void *arg)
{
	struct del_arg *d = arg;
	char key[2 * ADDR_STRLEN];

	store_del(d->ctx, REC_ADDR, addr_key(d->p, a, key, sizeof(key)));
	return 0;
}

static int
ipam_release_pool(struct api_call *c)
{
	struct ipam *im = c->ctx->ipam;
	char key[2 * ADDR_STRLEN];
	const char *id;
	struct pool *p;
	size_t i;
	int r;

	if ((r = api_get_str(c, c->req, "PoolID", true, &id)) != 0)
		return r;
	if ((p = hmap_find(im->pools, id)) == NULL) {
		log_debug("ReleasePool: unknown pool %.64s, nothing to do", id);
		return 0;
	}
	hmap_del(im->pools, id);
	store_del(c->ctx, REC_POOL, p->id);
	alloc_walk(p->al, del_addr_record, &(struct del_arg){ c->ctx, p });
	for (i = 0; i < p->naux; i++)
		store_del(c->ctx, REC_AUX, addr_key(p, &p->aux[i], key,
		    sizeof(key)));
	if ((r = store_commit(c->ctx)) != 0) {
		hmap_add(im->pools, p->id, p);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	if (alloc_count(p->al) > 0)
		log_info("pool %s released with %zu addresses still allocated",
		    p->id, alloc_count(p->al));
	else
		log_info("pool %s released", p->id);
	pool_free(p);
	return 0;
}

static int
reply_addr(struct api_call *c, const struct ipaddr *a)
{
	struct ipprefix h;
	char s[ADDR_STRLEN];
	int r;

	prefix_host(a, &h);
	if ((r = api_put_str(c, c->reply, "Address",
	    prefix_fmt(&h, s, sizeof(s)))) != 0)
		return r;
	if (cJSON_AddObjectToObject(c->reply, "Data") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

static int
ipam_request_address(struct api_call *c)
{
	struct ipam *im = c->ctx->ipam;
	const struct ipaddr *gw;
	const cJSON *opts;
	const char *id, *type = NULL;
	struct pool *p;
	struct ipaddr a;
	char s[ADDR_STRLEN], g[ADDR_STRLEN], key[2 * ADDR_STRLEN];
	bool given;
	int r;

	if ((r = api_get_str(c, c->req, "PoolID", true, &id)) != 0 ||
	    (r = api_get_addr(c, c->req, "Address", &a, &given)) != 0 ||
	    (r = api_get_obj(c, c->req, "Options", false, &opts)) != 0 ||
	    (r = api_get_str(c, opts, "RequestAddressType", false, &type)) != 0)
		return r;
	if ((p = hmap_find(im->pools, id)) == NULL)
		return api_fail(c, -ENOENT, "unknown pool %.64s", id);
	if (given && a.family != p->prefix.addr.family)
		return api_fail(c, -EINVAL, "address %s is not of the family of "
		    "pool %s", addr_fmt(&a, s, sizeof(s)), p->id);

	if (type != NULL && strcmp(type, GATEWAY_REQUEST) == 0) {
		/* The gateway is the plugin's, outside every pool. */
		gw = p->prefix.addr.family == AF_INET6 ?
		    &c->ctx->cfg.gateway6 : &c->ctx->cfg.gateway4;
		if (given && !addr_eq(&a, gw))
			return api_fail(c, -EINVAL, "--gateway %s is not "
			    "supported: containers on net-routed networks use "
			    "the plugin's gateway %s (routed-plugin --gateway%s)",
			    addr_fmt(&a, s, sizeof(s)), addr_fmt(gw, g, sizeof(g)),
			    gw->family == AF_INET6 ? "6" : "");
		return reply_addr(c, gw);
	}

	if (!given) {
		if ((r = alloc_next(p->al, &a)) == -ENOSPC)
			return api_fail(c, r, "pool %s has no free address left",
			    p->id);
		if (r != 0)
			return api_fail(c, r, "cannot allocate in pool %s: %s",
			    p->id, strerror(-r));
	} else {
		addr_fmt(&a, s, sizeof(s));
		if (!prefix_contains(&p->prefix, &a))
			return api_fail(c, -ERANGE, "address %s is not in pool %s",
			    s, p->id);
		if (addr_cmp(&a, &p->lo) < 0 || addr_cmp(&a, &p->hi) > 0)
			return api_fail(c, -ERANGE, "address %s is the %s address "
			    "of pool %s, not one for a container", s,
			    addr_cmp(&a, &p->lo) < 0 ?
			    "network" : "broadcast", p->id);
		if (alloc_has(p->al, &a)) {
			/*
			 * Taken already.  Unless a container or the network holds
			 * it, this is a retry after a rollback: hand it out again.
			 */
			if (pool_is_aux(p, &a))
				return api_fail(c, -EEXIST, "address %s is reserved "
				    "as an auxiliary address of pool %s", s, p->id);
			if (netdrv_addr_in_use(c->ctx, &a))
				return api_fail(c, -EEXIST, "address %s is already "
				    "in use by another container", s);
			log_info("address %s requested again; it was allocated "
			    "but unused", s);
			return reply_addr(c, &a);
		}
		if ((r = alloc_take(p->al, &a)) != 0)
			return api_fail(c, r, "address %s cannot be allocated "
			    "in pool %s: %s", s, p->id, strerror(-r));
	}
	store_put(c->ctx, REC_ADDR, addr_key(p, &a, key, sizeof(key)),
	    cJSON_CreateTrue());
	if ((r = store_commit(c->ctx)) != 0) {
		alloc_put(p->al, &a);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	log_debug("address %s allocated in pool %s",
	    addr_fmt(&a, s, sizeof(s)), p->id);
	return reply_addr(c, &a);
}

static int
ipam_release_address(struct api_call *c)
{
	struct ipam *im = c->ctx->ipam;
	const char *id;
	struct pool *p;
	struct ipaddr a;
	char s[ADDR_STRLEN], key[2 * ADDR_STRLEN];
	bool given, aux;
	int r;

	if ((r = api_get_str(c, c->req, "PoolID", true, &id)) != 0 ||
	    (r = api_get_addr(c, c->req, "Address", &a, &given)) != 0)
		return r;
	if (!given)
		return api_fail(c, -EINVAL, "missing field Address");
	addr_fmt(&a, s, sizeof(s));
	if ((p = hmap_find(im->pools, id)) == NULL) {
		log_debug("ReleaseAddress %s: unknown pool %.64s, nothing to do",
		    s, id);
		return 0;
	}
	if (!alloc_has(p->al, &a)) {
		/* The gateway, or a release repeated after a rollback. */
		log_debug("ReleaseAddress %s: not allocated, nothing to do", s);
		return 0;
	}
	if (netdrv_addr_in_use(c->ctx, &a)) {
		/* Rollback of a request that lost a race for this address. */
		log_info("ReleaseAddress %s: still held by an endpoint, kept", s);
		return 0;
	}
	aux = pool_is_aux(p, &a);
	alloc_put(p->al, &a);
	pool_drop_aux(p, &a);
	store_del(c->ctx, REC_ADDR, addr_key(p, &a, key, sizeof(key)));
	if (aux)
		store_del(c->ctx, REC_AUX, key);
	if ((r = store_commit(c->ctx)) != 0) {
		alloc_take(p->al, &a);
		if (aux)
			pool_mark_aux(c->ctx, &a);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	log_debug("address %s released in pool %s", s, p->id);
	return 0;
}

static int
ipam_nothing(struct api_call *c)
{
	return 0;
}

const struct api_route ipam_routes[] = {
	{ "/Plugin.Activate", ipam_activate },
	{ "/IpamDriver.GetCapabilities", ipam_capabilities },
	{ "/IpamDriver.GetDefaultAddressSpaces", ipam_default_spaces },
	{ "/IpamDriver.RequestPool", ipam_request_pool },
	{ "/IpamDriver.ReleasePool", ipam_release_pool },
	{ "/IpamDriver.RequestAddress", ipam_request_address },
	{ "/IpamDriver.ReleaseAddress", ipam_release_address },
	{ "/IpamDriver.DiscoverNew", ipam_nothing },
	{ "/IpamDriver.DiscoverDelete", ipam_nothing },
};
const size_t ipam_nroutes = sizeof(ipam_routes) / sizeof(ipam_routes[0]);

/* State: {"pools":[{"pool", "range"?, "allocated":[..], "aux":[..]}]} */

static int
addr_to_array(const struct ipaddr *a, void *arg)
{
	char s[ADDR_STRLEN];
	cJSON *str = cJSON_CreateString(addr_fmt(a, s, sizeof(s)));

	if (str == NULL)
		return -ENOMEM;
	cJSON_AddItemToArray(arg, str);
	return 0;
}

cJSON *
ipam_to_json(struct rp_ctx *ctx)
{
	struct ipam *im = ctx->ipam;
	cJSON *j, *pools, *o, *arr;
	struct pool *p;
	char s[ADDR_STRLEN];
	size_t pos = 0, i;

	if ((j = cJSON_CreateObject()) == NULL ||
	    (pools = cJSON_AddArrayToObject(j, "pools")) == NULL)
		goto fail;
	while ((p = hmap_next(im->pools, &pos, NULL)) != NULL) {
		if ((o = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToArray(pools, o);
		if (cJSON_AddStringToObject(o, "pool", p->id) == NULL)
			goto fail;
		if (p->has_range && cJSON_AddStringToObject(o, "range",
		    prefix_fmt(&p->range, s, sizeof(s))) == NULL)
			goto fail;
		if ((arr = cJSON_AddArrayToObject(o, "allocated")) == NULL ||
		    alloc_walk(p->al, addr_to_array, arr) != 0)
			goto fail;
		if ((arr = cJSON_AddArrayToObject(o, "aux")) == NULL)
			goto fail;
		for (i = 0; i < p->naux; i++)
			if (addr_to_array(&p->aux[i], arr) != 0)
				goto fail;
	}
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
}

static int
pool_from_json(struct rp_ctx *ctx, const cJSON *o, char *err, size_t errlen)
{
	const cJSON *jp, *jr, *arr, *it;
	struct ipprefix prefix, range;
	struct ipaddr a;
	struct pool *p;

	jp = cJSON_GetObjectItemCaseSensitive(o, "pool");
	jr = cJSON_GetObjectItemCaseSensitive(o, "range");
	if (!cJSON_IsString(jp) || prefix_parse(jp->valuestring, &prefix) != 0 ||
	    !prefix_is_network(&prefix)) {
		snprintf(err, errlen, "a pool has no valid \"pool\" prefix");
		return -EINVAL;
	}
	if (jr != NULL && (!cJSON_IsString(jr) ||
	    prefix_parse(jr->valuestring, &range) != 0 ||
	    !prefix_covers(&prefix, &range))) {
		snprintf(err, errlen, "pool %s has an invalid range",
		    jp->valuestring);
		return -EINVAL;
	}
	if ((p = pool_new(&prefix, jr ? &range : NULL, err, errlen)) == NULL)
		return -EINVAL;
	if (hmap_find(ctx->ipam->pools, p->id) != NULL ||
	    hmap_add(ctx->ipam->pools, p->id, p) != 0) {
		snprintf(err, errlen, "pool %s is listed twice", p->id);
		pool_free(p);
		return -EINVAL;
	}
	arr = cJSON_GetObjectItemCaseSensitive(o, "allocated");
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || addr_parse(it->valuestring, &a) != 0 ||
		    alloc_take(p->al, &a) != 0) {
			snprintf(err, errlen, "pool %s: invalid allocation", p->id);
			return -EINVAL;
		}
	}
	arr = cJSON_GetObjectItemCaseSensitive(o, "aux");
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || addr_parse(it->valuestring, &a) != 0 ||
		    !alloc_has(p->al, &a)) {
			snprintf(err, errlen, "pool %s: invalid aux address", p->id);
			return -EINVAL;
		}
		pool_mark_aux(ctx, &a);
	}
	return 0;
}

int
ipam_from_json(struct rp_ctx *ctx, const cJSON *j, char *err, size_t errlen)
{
	const cJSON *pools, *o;
	int r;

	pools = cJSON_GetObjectItemCaseSensitive(j, "pools");
	if (!cJSON_IsArray(pools)) {
		snprintf(err, errlen, "ipam: \"pools\" is not an array");
		return -EINVAL;
	}
	cJSON_ArrayForEach(o, pools) {
		if (!cJSON_IsObject(o) ||
		    (r = pool_from_json(ctx, o, err, errlen)) != 0) {
			if (err[0] == '\0')
				snprintf(err, errlen, "ipam: a pool is not an object");
			pools_clear(ctx->ipam);
			return -EINVAL;
		}
	}
	return 0;
}
