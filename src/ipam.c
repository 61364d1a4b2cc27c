/* SPDX-License-Identifier: MIT */
/*
 * ipam.c: the "ipam-routed" IPAM driver: Docker's IpamDriver calls, turned
 * into changes of the model's pools (model.h) and records on disk.
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

#include "ctx.h"
#include "ipam.h"
#include "log.h"
#include "model.h"
#include "records.h"
#include "store.h"

#define GATEWAY_REQUEST	"com.docker.network.gateway"

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
	return api_implements(c, "IpamDriver", NULL);
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

static bool
same_pool(const struct pool *p, const struct ipprefix *prefix,
    const struct ipprefix *range)
{
	return addr_eq(&p->prefix.addr, &prefix->addr) &&
	    p->prefix.plen == prefix->plen && p->has_range == (range != NULL) &&
	    (range == NULL || (addr_eq(&p->range.addr, &range->addr) &&
	    p->range.plen == range->plen));
}

static int
reply_pool(struct api_call *c, const struct pool *p)
{
	int r;

	if ((r = api_put_str(c, c->reply, "PoolID", p->id)) != 0 ||
	    (r = api_put_str(c, c->reply, "Pool", p->id)) != 0)
		return r;
	if (cJSON_AddObjectToObject(c->reply, "Data") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

static int
ipam_request_pool(struct api_call *c)
{
	struct model *m = c->ctx->model;
	const char *pool, *sub, *why;
	struct ipprefix prefix, range;
	const struct network *n;
	struct pool *p, *q;
	char s[ADDR_STRLEN];
	bool v6;
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
		struct ipprefix np = prefix;
		prefix_first(&prefix, &np.addr);
		return api_fail(c, -EINVAL, "subnet %.64s has host bits set "
		    "(did you mean %s?)", pool, prefix_fmt(&np, s, sizeof(s)));
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
	if ((q = model_pool_overlapping(m, &prefix)) != NULL) {
		/*
		 * The same pool that no network holds yet: a retry after a
		 * reply that never arrived (a crash, a reset connection).
		 */
		if (same_pool(q, &prefix, sub && *sub ? &range : NULL) &&
		    model_net_of_pool(m, &q->prefix) == NULL) {
			log_info("pool %s requested again; it was created but no "
			    "network holds it", q->id);
			return reply_pool(c, q);
		}
		return api_fail(c, -EEXIST, "subnet %.64s overlaps pool %s %s",
		    pool, q->id, (n = model_net_of_pool(m, &q->prefix)) ?
		    "of another network" : "that another network is being "
		    "created on");
	}
	if ((p = model_pool_new(&prefix, sub && *sub ? &range : NULL, c->err,
	    sizeof(c->err))) == NULL)
		return -EINVAL;
	if ((r = model_pool_add(m, p)) != 0) {
		model_pool_free(p);
		return api_fail(c, r, "out of memory");
	}
	records_put_pool(c->ctx->store, p);
	if ((r = store_commit(c->ctx->store)) != 0) {
		model_pool_del(m, p);
		model_pool_free(p);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	log_info("pool %s created%s%s", p->id, p->has_range ? ", range " : "",
	    p->has_range ? prefix_fmt(&p->range, s, sizeof(s)) : "");
	return reply_pool(c, p);
}

static int
ipam_release_pool(struct api_call *c)
{
	struct model *m = c->ctx->model;
	const struct network *n;
	struct pool *p;
	const char *id;
	int r;

	if ((r = api_get_str(c, c->req, "PoolID", true, &id)) != 0)
		return r;
	if ((p = model_pool_find(m, id)) == NULL) {
		log_debug("ReleasePool: unknown pool %.64s, nothing to do", id);
		return 0;
	}
	if ((n = model_net_of_pool(m, &p->prefix)) != NULL) {
		/*
		 * docker network rm releases the pool before DeleteNetwork; a
		 * failed create that lost a race for the pool releases it while
		 * the winner holds it.  Either way it goes with the network.
		 */
		if (p->released)
			return 0;
		p->released = true;
		records_put_pool(c->ctx->store, p);
		if ((r = store_commit(c->ctx->store)) != 0) {
			p->released = false;
			return api_fail(c, r, "cannot save state: %s",
			    strerror(-r));
		}
		log_debug("pool %s released; it goes when network %.12s does",
		    p->id, n->id);
		return 0;
	}
	records_del_pool(c->ctx->store, p);
	if ((r = store_commit(c->ctx->store)) != 0)
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	model_pool_del(m, p);
	if (model_addr_count(p) > 0)
		log_info("pool %s released with %zu addresses still allocated",
		    p->id, model_addr_count(p));
	else
		log_info("pool %s released", p->id);
	model_pool_free(p);
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
	struct model *m = c->ctx->model;
	const struct ipaddr *gw;
	const cJSON *opts;
	const char *id, *type = NULL;
	struct pool *p;
	struct ipaddr a;
	char s[ADDR_STRLEN], g[ADDR_STRLEN];
	bool given;
	int r;

	if ((r = api_get_str(c, c->req, "PoolID", true, &id)) != 0 ||
	    (r = api_get_addr(c, c->req, "Address", &a, &given)) != 0 ||
	    (r = api_get_obj(c, c->req, "Options", false, &opts)) != 0 ||
	    (r = api_get_str(c, opts, "RequestAddressType", false, &type)) != 0)
		return r;
	if ((p = model_pool_find(m, id)) == NULL)
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
		if ((r = model_addr_next(p, &a)) == -ENOSPC)
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
		if (model_addr_has(p, &a)) {
			/*
			 * Taken already.  Unless a container or the network holds
			 * it, this is a retry after a rollback: hand it out again.
			 */
			if (model_aux_has(p, &a))
				return api_fail(c, -EEXIST, "address %s is reserved "
				    "as an auxiliary address of pool %s", s, p->id);
			if (model_ep_by_addr(m, &a) != NULL)
				return api_fail(c, -EEXIST, "address %s is already "
				    "in use by another container", s);
			log_info("address %s requested again; it was allocated "
			    "but unused", s);
			return reply_addr(c, &a);
		}
		if ((r = model_addr_take(p, &a)) != 0)
			return api_fail(c, r, "address %s cannot be allocated "
			    "in pool %s: %s", s, p->id, strerror(-r));
	}
	records_put_addr(c->ctx->store, p, &a);
	if ((r = store_commit(c->ctx->store)) != 0) {
		model_addr_put(p, &a);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	log_debug("address %s allocated in pool %s",
	    addr_fmt(&a, s, sizeof(s)), p->id);
	return reply_addr(c, &a);
}

static int
ipam_release_address(struct api_call *c)
{
	struct model *m = c->ctx->model;
	const char *id;
	struct pool *p;
	struct ipaddr a;
	char s[ADDR_STRLEN];
	bool given;
	int r;

	if ((r = api_get_str(c, c->req, "PoolID", true, &id)) != 0 ||
	    (r = api_get_addr(c, c->req, "Address", &a, &given)) != 0)
		return r;
	if (!given)
		return api_fail(c, -EINVAL, "missing field Address");
	addr_fmt(&a, s, sizeof(s));
	if ((p = model_pool_find(m, id)) == NULL) {
		log_debug("ReleaseAddress %s: unknown pool %.64s, nothing to do",
		    s, id);
		return 0;
	}
	if (!model_addr_has(p, &a)) {
		/* The gateway, or a release repeated after a rollback. */
		log_debug("ReleaseAddress %s: not allocated, nothing to do", s);
		return 0;
	}
	if (model_ep_by_addr(m, &a) != NULL) {
		/* Rollback of a request that lost a race for this address. */
		log_info("ReleaseAddress %s: still held by an endpoint, kept", s);
		return 0;
	}
	records_del_addr(c->ctx->store, p, &a);
	if ((r = store_commit(c->ctx->store)) != 0)
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	model_addr_put(p, &a);
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
