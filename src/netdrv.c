/*
 * netdrv.c: the "net-routed" network driver.
 *
 * Every endpoint is a veth pair: the host keeps "rt<12 hex>", answers ARP
 * (and NDP) for the gateway on it and routes the container's /32 (/128) to
 * it; Docker moves "rc<12 hex>" into the container and names it eth0.  Join
 * gives the container the gateway plus a connected route to it, so Docker
 * adds "default via <gateway> dev eth0" and no docker_gwbridge.
 *
 * Order of work: creating handlers plumb first, then record and save, and undo
 * the plumbing when the save fails; deleting handlers unplumb first (which is
 * idempotent), then record and save, so a failed call can always be retried.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "ctx.h"
#include "hmap.h"
#include "ipam.h"
#include "log.h"
#include "netdrv.h"
#include "plumb.h"
#include "store.h"

#define OPT_GENERIC	"com.docker.network.generic"
#define OPT_IPV6	"com.docker.network.enable_ipv6"
#define OPT_INTERNAL	"com.docker.network.internal"
#define OPT_MTU		"com.docker.network.driver.mtu"
#define OPT_ANNOUNCE	"routed.announce"
#define OPT_TAG		"routed.tag"
#define OPT_METRIC	"routed.metric"
#define OPT_DISTANCE	"routed.distance"
#define SANDBOX_MAX	256

struct network {
	char id[API_ID_MAX + 1];
	unsigned mtu;			/* 0: the plugin's --mtu */
	bool internal;
	bool ipv6;
	struct ipprefix pool4, pool6;
	bool has4, has6;
	/* what is announced to the routing daemon, and how */
	unsigned announce;		/* ANNOUNCE_HOST | ANNOUNCE_AGGREGATE */
	uint32_t tag;
	uint32_t metric;
	bool has_metric;
	uint8_t distance;
	struct ipprefix agg4, agg6;	/* the aggregates: --ip-range or subnet */
};

struct endpoint {
	char id[API_ID_MAX + 1];
	char net_id[API_ID_MAX + 1];
	struct ipaddr addr4, addr6;
	bool has4, has6;
	char key4[ADDR_STRLEN], key6[ADDR_STRLEN];	/* by_addr keys */
	char host_if[IFNAMSIZ], peer_if[IFNAMSIZ];
	bool joined;
	bool plumbed;			/* this process made or checked its veth */
	char sandbox[SANDBOX_MAX];
};

struct netdrv {
	struct hmap *networks;		/* id -> network */
	struct hmap *endpoints;		/* id -> endpoint */
	struct hmap *by_addr;		/* address text -> endpoint */
	struct hmap *by_ifname;		/* host_if -> endpoint */
};

static cJSON *net_json(const struct network *n);
static cJSON *ep_json(const struct endpoint *ep);

/* Option keys accepted with docker network create -o; listed in errors. */
static const char *const known_options[] = {
	OPT_MTU, OPT_ANNOUNCE, OPT_TAG, OPT_METRIC, OPT_DISTANCE,
};

int
netdrv_init(struct rp_ctx *ctx)
{
	struct netdrv *nd;

	if ((nd = calloc(1, sizeof(*nd))) == NULL)
		return -ENOMEM;
	if ((nd->networks = hmap_new()) == NULL ||
	    (nd->endpoints = hmap_new()) == NULL ||
	    (nd->by_addr = hmap_new()) == NULL ||
	    (nd->by_ifname = hmap_new()) == NULL) {
		hmap_free(nd->networks);
		hmap_free(nd->endpoints);
		hmap_free(nd->by_addr);
		free(nd);
		return -ENOMEM;
	}
	ctx->netdrv = nd;
	return 0;
}

static void
clear_all(struct netdrv *nd)
{
	void *v;
	size_t pos = 0;

	while ((v = hmap_next(nd->endpoints, &pos, NULL)) != NULL) {
		struct endpoint *ep = v;
		hmap_del(nd->endpoints, ep->id);
		free(ep);
	}
	pos = 0;
	while ((v = hmap_next(nd->networks, &pos, NULL)) != NULL) {
		struct network *n = v;
		hmap_del(nd->networks, n->id);
		free(n);
	}
	hmap_free(nd->by_addr);
	hmap_free(nd->by_ifname);
	nd->by_addr = hmap_new();
	nd->by_ifname = hmap_new();
}

void
netdrv_free(struct rp_ctx *ctx)
{
	struct netdrv *nd = ctx->netdrv;

	if (nd == NULL)
		return;
	clear_all(nd);
	hmap_free(nd->networks);
	hmap_free(nd->endpoints);
	hmap_free(nd->by_addr);
	hmap_free(nd->by_ifname);
	free(nd);
	ctx->netdrv = NULL;
}

void
netdrv_ifnames(const char *id, char host[IFNAMSIZ], char peer[IFNAMSIZ])
{
	char hex[13];
	size_t i, n = strlen(id);
	bool ishex = n >= 12;

	for (i = 0; ishex && i < 12; i++)
		ishex = (id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f');
	if (ishex) {
		memcpy(hex, id, 12);
		hex[12] = '\0';
	} else {
		uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
		for (i = 0; i < n; i++) {
			h ^= (unsigned char)id[i];
			h *= 1099511628211ULL;
		}
		snprintf(hex, sizeof(hex), "%012llx",
		    (unsigned long long)(h & 0xffffffffffffULL));
	}
	snprintf(host, IFNAMSIZ, "rt%s", hex);
	snprintf(peer, IFNAMSIZ, "rc%s", hex);
}

bool
netdrv_addr_in_use(struct rp_ctx *ctx, const struct ipaddr *addr)
{
	char s[ADDR_STRLEN];

	return hmap_find(ctx->netdrv->by_addr, addr_fmt(addr, s, sizeof(s))) !=
	    NULL;
}

static unsigned
net_mtu(const struct rp_ctx *ctx, const struct network *n)
{
	return n->mtu ? n->mtu : ctx->cfg.mtu;
}

/* Index an endpoint (0 or -ENOMEM; nothing indexed on failure). */
static int
ep_index(struct netdrv *nd, struct endpoint *ep)
{
	if (hmap_add(nd->endpoints, ep->id, ep) != 0)
		return -ENOMEM;
	if (hmap_add(nd->by_ifname, ep->host_if, ep) != 0)
		goto fail1;
	if (ep->has4 && hmap_add(nd->by_addr, ep->key4, ep) != 0)
		goto fail2;
	if (ep->has6 && hmap_add(nd->by_addr, ep->key6, ep) != 0)
		goto fail3;
	return 0;
fail3:
	if (ep->has4)
		hmap_del(nd->by_addr, ep->key4);
fail2:
	hmap_del(nd->by_ifname, ep->host_if);
fail1:
	hmap_del(nd->endpoints, ep->id);
	return -ENOMEM;
}

static void
ep_unindex(struct netdrv *nd, struct endpoint *ep)
{
	hmap_del(nd->endpoints, ep->id);
	hmap_del(nd->by_ifname, ep->host_if);
	if (ep->has4)
		hmap_del(nd->by_addr, ep->key4);
	if (ep->has6)
		hmap_del(nd->by_addr, ep->key6);
}

/* Make the host side of ep: veth, proxy ARP/NDP, host routes.  Undone on failure. */
static int
ep_plumb(struct rp_ctx *ctx, const struct endpoint *ep, unsigned mtu,
    char *err, size_t errlen)
{
	char s[ADDR_STRLEN];
	int r;

	if ((r = plumb_veth_add(ctx->plumb, ep->host_if, ep->peer_if, mtu,
	    ep->has6 ? &ctx->cfg.gateway6 : NULL)) != 0) {
		snprintf(err, errlen, "cannot create veth %s: %s", ep->host_if,
		    strerror(-r));
		goto fail;
	}
	if (ep->has4 && (r = plumb_route_add(ctx->plumb, ep->host_if,
	    &ep->addr4)) != 0) {
		snprintf(err, errlen, "cannot add the route to %s via %s: %s",
		    addr_fmt(&ep->addr4, s, sizeof(s)), ep->host_if, strerror(-r));
		goto fail;
	}
	if (ep->has6 && (r = plumb_route_add(ctx->plumb, ep->host_if,
	    &ep->addr6)) != 0) {
		snprintf(err, errlen, "cannot add the route to %s via %s: %s",
		    addr_fmt(&ep->addr6, s, sizeof(s)), ep->host_if, strerror(-r));
		goto fail;
	}
	return 0;
fail:
	plumb_veth_del(ctx->plumb, ep->host_if, ep->peer_if);
	return r;
}

static int
ep_routes_del(struct rp_ctx *ctx, const struct endpoint *ep)
{
	int r = 0, r6 = 0;

	if (ep->has4)
		r = plumb_route_del(ctx->plumb, ep->host_if, &ep->addr4);
	if (ep->has6)
		r6 = plumb_route_del(ctx->plumb, ep->host_if, &ep->addr6);
	return r ? r : r6;
}

/* The route of one of ep's addresses, with its network's settings. */
static void
host_route(const struct network *n, const struct endpoint *ep,
    const struct ipaddr *a, struct route *r)
{
	memset(r, 0, sizeof(*r));
	prefix_host(a, &r->prefix);
	r->kind = ROUTE_HOST;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ep->host_if);
	r->tag = n->tag;
	r->metric = n->metric;
	r->has_metric = n->has_metric;
	r->distance = n->distance;
	snprintf(r->network_id, sizeof(r->network_id), "%s", n->id);
	snprintf(r->endpoint_id, sizeof(r->endpoint_id), "%s", ep->id);
}

/* Announce (or withdraw) the host routes of ep, as its network says. */
static void
ep_announce(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, bool on)
{
	const struct ipaddr *addrs[2] = { ep->has4 ? &ep->addr4 : NULL,
	    ep->has6 ? &ep->addr6 : NULL };
	struct route r;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (addrs[i] == NULL)
			continue;
		host_route(n, ep, addrs[i], &r);
		if (on && (n->announce & ANNOUNCE_HOST))
			announce_add(ctx, &r);
		else
			announce_del(ctx, &r.prefix);
	}
}

/* Announce (or withdraw) the aggregates of n: blackholed on this host. */
static void
net_announce(struct rp_ctx *ctx, const struct network *n, bool on)
{
	const struct ipprefix *aggs[2] = { n->has4 ? &n->agg4 : NULL,
	    n->has6 ? &n->agg6 : NULL };
	struct route r;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (aggs[i] == NULL)
			continue;
		memset(&r, 0, sizeof(r));
		r.prefix = *aggs[i];
		r.kind = ROUTE_AGGREGATE;
		r.tag = n->tag;
		r.metric = n->metric;
		r.has_metric = n->has_metric;
		r.distance = n->distance;
		snprintf(r.network_id, sizeof(r.network_id), "%s", n->id);
		if (on && (n->announce & ANNOUNCE_AGGREGATE))
			announce_add(ctx, &r);
		else
			announce_del(ctx, &r.prefix);
	}
}

/* The aggregate of a pool: the IPAM's range when it is ours, else the pool. */
static void
aggregate_of(struct rp_ctx *ctx, const struct ipprefix *pool,
    struct ipprefix *agg)
{
	if (ipam_pool_range(ctx, pool, agg) != 0)
		*agg = *pool;
}

static int
nd_activate(struct api_call *c)
{
	cJSON *a = cJSON_AddArrayToObject(c->reply, "Implements");

	if (a == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	cJSON_AddItemToArray(a, cJSON_CreateString("NetworkDriver"));
	return 0;
}

static int
nd_capabilities(struct api_call *c)
{
	int r;

	if ((r = api_put_str(c, c->reply, "Scope", "local")) != 0)
		return r;
	return api_put_str(c, c->reply, "ConnectivityScope", "local");
}

/* The one pool of an IPv4Data/IPv6Data array (0 or 1 entry). */
static int
parse_ipam_data(struct api_call *c, const char *field, struct ipprefix *pool,
    bool *has)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(c->req, field);
	const cJSON *d, *aux, *it;
	const char *s;
	struct ipprefix p;
	int r;

	*has = false;
	if (arr == NULL || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return api_fail(c, -EINVAL, "field %s must be an array", field);
	if (cJSON_GetArraySize(arr) > 1)
		return api_fail(c, -EINVAL, "net-routed takes one %s subnet per "
		    "network, not %d", strcmp(field, "IPv6Data") ? "IPv4" :
		    "IPv6", cJSON_GetArraySize(arr));
	if ((d = cJSON_GetArrayItem(arr, 0)) == NULL)
		return 0;
	if (!cJSON_IsObject(d))
		return api_fail(c, -EINVAL, "%s[0] must be an object", field);
	if ((r = api_get_str(c, d, "Pool", true, &s)) != 0)
		return r;
	if (prefix_parse(s, pool) != 0 ||
	    pool->addr.family != (strcmp(field, "IPv6Data") ? AF_INET : AF_INET6))
		return api_fail(c, -EINVAL, "%s: Pool '%.64s' is not a prefix of "
		    "the right family", field, s);
	if ((r = api_get_obj(c, d, "AuxAddresses", false, &aux)) != 0)
		return r;
	cJSON_ArrayForEach(it, aux) {
		if (!cJSON_IsString(it) || prefix_parse_loose(it->valuestring,
		    &p) != 0)
			return api_fail(c, -EINVAL, "%s: aux address %.64s is not "
			    "an address", field, it->string ? it->string : "?");
	}
	*has = true;
	return 0;
}

static void
mark_aux(struct api_call *c, const char *field)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(c->req, field);
	const cJSON *aux, *it;
	struct ipprefix p;

	aux = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0),
	    "AuxAddresses");
	cJSON_ArrayForEach(it, aux)
		if (cJSON_IsString(it) &&
		    prefix_parse_loose(it->valuestring, &p) == 0)
			ipam_mark_aux(c->ctx, &p.addr);
}

static int
parse_mtu(struct api_call *c, const char *s, unsigned *mtu)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < 68 ||
	    v > 65535)
		return api_fail(c, -EINVAL, "option %s=%.32s: the MTU must be a "
		    "number from 68 to 65535", OPT_MTU, s);
	*mtu = (unsigned)v;
	return 0;
}

/* A decimal number in [min, max] for option key. */
static int
parse_num(struct api_call *c, const char *key, const char *s,
    unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < min ||
	    v > max || strlen(s) > 10)
		return api_fail(c, -EINVAL, "option %s=%.32s: must be a number "
		    "from %lu to %lu", key, s, min, max);
	*out = v;
	return 0;
}

static int
parse_generic(struct api_call *c, const cJSON *generic, struct network *n)
{
	const cJSON *it;
	char known[256] = "";
	unsigned long v;
	size_t i;
	int r;

	cJSON_ArrayForEach(it, generic) {
		if (!cJSON_IsString(it) && strncmp(it->string, "routed.", 7) == 0)
			return api_fail(c, -EINVAL, "option %.64s must be a "
			    "string", it->string);
		if (strcmp(it->string, OPT_MTU) == 0) {
			if (!cJSON_IsString(it))
				return api_fail(c, -EINVAL, "option %s must be "
				    "a string", OPT_MTU);
			if ((r = parse_mtu(c, it->valuestring, &n->mtu)) != 0)
				return r;
			continue;
		}
		if (strcmp(it->string, OPT_ANNOUNCE) == 0) {
			if (announce_kind_parse(it->valuestring, &n->announce) != 0)
				return api_fail(c, -EINVAL, "option %s=%.32s: must "
				    "be host, aggregate, both or none",
				    OPT_ANNOUNCE, it->valuestring);
			continue;
		}
		if (strcmp(it->string, OPT_TAG) == 0) {
			if ((r = parse_num(c, OPT_TAG, it->valuestring, 0,
			    UINT32_MAX, &v)) != 0)
				return r;
			n->tag = (uint32_t)v;
			continue;
		}
		if (strcmp(it->string, OPT_METRIC) == 0) {
			if ((r = parse_num(c, OPT_METRIC, it->valuestring, 0,
			    UINT32_MAX, &v)) != 0)
				return r;
			n->metric = (uint32_t)v;
			n->has_metric = true;
			continue;
		}
		if (strcmp(it->string, OPT_DISTANCE) == 0) {
			if ((r = parse_num(c, OPT_DISTANCE, it->valuestring, 1,
			    255, &v)) != 0)
				return r;
			n->distance = (uint8_t)v;
			continue;
		}
		for (i = 0; i < sizeof(known_options) / sizeof(*known_options); i++) {
			strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
			strncat(known, known_options[i],
			    sizeof(known) - strlen(known) - 1);
		}
		return api_fail(c, -EINVAL, "unknown option '%.64s': net-routed "
		    "knows %s", it->string, known);
	}
	return 0;
}

static bool
net_same(const struct network *a, const struct network *b)
{
	return a->mtu == b->mtu && a->internal == b->internal &&
	    a->announce == b->announce && a->tag == b->tag &&
	    a->has_metric == b->has_metric && a->metric == b->metric &&
	    a->distance == b->distance &&
	    a->ipv6 == b->ipv6 && a->has4 == b->has4 && a->has6 == b->has6 &&
	    (!a->has4 || (addr_eq(&a->pool4.addr, &b->pool4.addr) &&
	    a->pool4.plen == b->pool4.plen)) &&
	    (!a->has6 || (addr_eq(&a->pool6.addr, &b->pool6.addr) &&
	    a->pool6.plen == b->pool6.plen));
}

static int
nd_create_network(struct api_call *c)
{
	struct netdrv *nd = c->ctx->netdrv;
	const cJSON *opts, *generic;
	struct network tmp, *n, *old, *other;
	const char *id;
	size_t pos;
	char s[ADDR_STRLEN];
	int r;

	memset(&tmp, 0, sizeof(tmp));
	tmp.announce = c->ctx->cfg.announce_kind;
	tmp.tag = c->ctx->cfg.tag;
	tmp.metric = c->ctx->cfg.metric;
	tmp.has_metric = c->ctx->cfg.has_metric;
	tmp.distance = c->ctx->cfg.distance;
	if ((r = api_get_id(c, c->req, "NetworkID", &id)) != 0 ||
	    (r = api_get_obj(c, c->req, "Options", false, &opts)) != 0 ||
	    (r = api_get_obj(c, opts, OPT_GENERIC, false, &generic)) != 0 ||
	    (r = api_get_bool(c, opts, OPT_IPV6, &tmp.ipv6)) != 0 ||
	    (r = api_get_bool(c, opts, OPT_INTERNAL, &tmp.internal)) != 0 ||
	    (r = parse_generic(c, generic, &tmp)) != 0 ||
	    (r = parse_ipam_data(c, "IPv4Data", &tmp.pool4, &tmp.has4)) != 0 ||
	    (r = parse_ipam_data(c, "IPv6Data", &tmp.pool6, &tmp.has6)) != 0)
		return r;
	if (!tmp.has4)
		return api_fail(c, -EINVAL, "network has no IPv4 subnet: create "
		    "it with --subnet");
	if (tmp.has6 && tmp.mtu != 0 && tmp.mtu < 1280)
		return api_fail(c, -EINVAL, "option %s=%u is below 1280, the "
		    "minimum MTU of IPv6", OPT_MTU, tmp.mtu);
	snprintf(tmp.id, sizeof(tmp.id), "%s", id);
	aggregate_of(c->ctx, &tmp.pool4, &tmp.agg4);
	if (tmp.has6)
		aggregate_of(c->ctx, &tmp.pool6, &tmp.agg6);
	if ((old = hmap_find(nd->networks, id)) != NULL) {
		if (net_same(old, &tmp))
			return 0;
		return api_fail(c, -EEXIST, "network %.12s exists with other "
		    "settings", id);
	}
	/* Two networks on one prefix would announce (and withdraw) one route. */
	pos = 0;
	while ((other = hmap_next(nd->networks, &pos, NULL)) != NULL)
		if (prefix_overlaps(&other->pool4, &tmp.pool4) ||
		    (tmp.has6 && other->has6 &&
		    prefix_overlaps(&other->pool6, &tmp.pool6)))
			return api_fail(c, -EEXIST, "subnet overlaps the subnet of "
			    "network %.12s", other->id);
	if ((n = malloc(sizeof(*n))) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	*n = tmp;
	if (hmap_add(nd->networks, n->id, n) != 0) {
		free(n);
		return api_fail(c, -ENOMEM, "out of memory");
	}
	mark_aux(c, "IPv4Data");
	mark_aux(c, "IPv6Data");
	store_put(c->ctx, REC_NET, n->id, net_json(n));
	if ((r = store_commit(c->ctx)) != 0) {
		hmap_del(nd->networks, n->id);
		free(n);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	net_announce(c->ctx, n, true);
	log_info("network %.12s created: %s%s, mtu %u%s, announce %s, tag %u",
	    n->id, prefix_fmt(&n->pool4, s, sizeof(s)), n->has6 ? " + IPv6" : "",
	    net_mtu(c->ctx, n), n->internal ? ", internal" : "",
	    announce_kind_name(n->announce), n->tag);
	return 0;
}

/* Remove an endpoint: unplumb, unindex.  0 or -errno with err set. */
static int
ep_remove(struct rp_ctx *ctx, struct endpoint *ep, char *err, size_t errlen)
{
	struct network *n = hmap_find(ctx->netdrv->networks, ep->net_id);
	int r;

	if (n != NULL)
		ep_announce(ctx, n, ep, false);
	ep_routes_del(ctx, ep);
	if ((r = plumb_veth_del(ctx->plumb, ep->host_if, ep->peer_if)) != 0) {
		snprintf(err, errlen, "cannot delete veth %s: %s", ep->host_if,
		    strerror(-r));
		return r;
	}
	return 0;
}

static int
nd_delete_network(struct api_call *c)
{
	struct netdrv *nd = c->ctx->netdrv;
	struct network *n;
	struct endpoint *ep;
	const char *id;
	size_t pos = 0;
	int r;

	if ((r = api_get_id(c, c->req, "NetworkID", &id)) != 0)
		return r;
	if ((n = hmap_find(nd->networks, id)) == NULL) {
		log_debug("DeleteNetwork: unknown network %.12s, nothing to do", id);
		return 0;
	}
	/* Docker deletes endpoints first; remove any it left behind. */
	while ((ep = hmap_next(nd->endpoints, &pos, NULL)) != NULL) {
		if (strcmp(ep->net_id, id) != 0)
			continue;
		log_warnx("network %.12s deleted with endpoint %.12s still "
		    "present: removing it", id, ep->id);
		if ((r = ep_remove(c->ctx, ep, c->err, sizeof(c->err))) != 0) {
			store_abort(c->ctx);
			return r;
		}
		store_del(c->ctx, REC_EP, ep->id);
		ep_unindex(nd, ep);
		free(ep);
	}
	hmap_del(nd->networks, id);
	store_del(c->ctx, REC_NET, id);
	if ((r = store_commit(c->ctx)) != 0) {
		hmap_add(nd->networks, n->id, n);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	net_announce(c->ctx, n, false);
	log_info("network %.12s deleted", n->id);
	free(n);
	return 0;
}

/* NetworkID and EndpointID of a request, and the network (must exist). */
static int
get_ids(struct api_call *c, struct network **n, const char **epid)
{
	const char *nid;
	int r;

	if ((r = api_get_id(c, c->req, "NetworkID", &nid)) != 0 ||
	    (r = api_get_id(c, c->req, "EndpointID", epid)) != 0)
		return r;
	if ((*n = hmap_find(c->ctx->netdrv->networks, nid)) == NULL)
		return api_fail(c, -ENOENT, "unknown network %.12s", nid);
	return 0;
}

static int
nd_create_endpoint(struct api_call *c)
{
	struct netdrv *nd = c->ctx->netdrv;
	struct endpoint tmp, *ep, *other;
	struct network *n;
	const cJSON *iface;
	const char *epid;
	char s[ADDR_STRLEN];
	int r;

	memset(&tmp, 0, sizeof(tmp));
	if ((r = get_ids(c, &n, &epid)) != 0 ||
	    (r = api_get_obj(c, c->req, "Interface", false, &iface)) != 0 ||
	    (r = api_get_addr(c, iface, "Address", &tmp.addr4, &tmp.has4)) != 0 ||
	    (r = api_get_addr(c, iface, "AddressIPv6", &tmp.addr6,
	    &tmp.has6)) != 0)
		return r;
	if (!tmp.has4)
		return api_fail(c, -EINVAL, "endpoint has no IPv4 address (use "
		    "--ipam-driver=ipam-routed and --subnet)");
	if (tmp.addr4.family != AF_INET || (tmp.has6 &&
	    tmp.addr6.family != AF_INET6))
		return api_fail(c, -EINVAL, "Address must be IPv4 and "
		    "AddressIPv6 IPv6");
	if (!prefix_contains(&n->pool4, &tmp.addr4))
		return api_fail(c, -ERANGE, "address %s is not in the network's "
		    "subnet", addr_fmt(&tmp.addr4, s, sizeof(s)));
	if (tmp.has6 && (!n->has6 || !prefix_contains(&n->pool6, &tmp.addr6)))
		return api_fail(c, -ERANGE, "address %s is not in the network's "
		    "IPv6 subnet", addr_fmt(&tmp.addr6, s, sizeof(s)));
	snprintf(tmp.id, sizeof(tmp.id), "%s", epid);
	snprintf(tmp.net_id, sizeof(tmp.net_id), "%s", n->id);
	addr_fmt(&tmp.addr4, tmp.key4, sizeof(tmp.key4));
	if (tmp.has6)
		addr_fmt(&tmp.addr6, tmp.key6, sizeof(tmp.key6));
	netdrv_ifnames(epid, tmp.host_if, tmp.peer_if);

	if ((ep = hmap_find(nd->endpoints, epid)) != NULL) {
		/* Repeated: same endpoint, make sure its plumbing is there. */
		if (strcmp(ep->net_id, n->id) != 0 || ep->has6 != tmp.has6 ||
		    !addr_eq(&ep->addr4, &tmp.addr4) ||
		    (tmp.has6 && !addr_eq(&ep->addr6, &tmp.addr6)))
			return api_fail(c, -EEXIST, "endpoint %.12s exists with "
			    "other addresses", epid);
		return ep_plumb(c->ctx, ep, net_mtu(c->ctx, n), c->err,
		    sizeof(c->err));
	}
	if ((other = hmap_find(nd->by_addr, tmp.key4)) != NULL ||
	    (tmp.has6 && (other = hmap_find(nd->by_addr, tmp.key6)) != NULL))
		return api_fail(c, -EEXIST, "address %s is already in use by "
		    "endpoint %.12s", other == hmap_find(nd->by_addr, tmp.key4) ?
		    tmp.key4 : tmp.key6, other->id);
	if ((other = hmap_find(nd->by_ifname, tmp.host_if)) != NULL)
		return api_fail(c, -EEXIST, "interface name %s of endpoint %.12s "
		    "is taken by endpoint %.12s", tmp.host_if, epid, other->id);
	if ((r = ep_plumb(c->ctx, &tmp, net_mtu(c->ctx, n), c->err,
	    sizeof(c->err))) != 0)
		return r;
	if ((ep = malloc(sizeof(*ep))) == NULL) {
		r = api_fail(c, -ENOMEM, "out of memory");
		goto undo;
	}
	tmp.plumbed = true;
	*ep = tmp;
	if (ep_index(nd, ep) != 0) {
		free(ep);
		r = api_fail(c, -ENOMEM, "out of memory");
		goto undo;
	}
	store_put(c->ctx, REC_EP, ep->id, ep_json(ep));
	if ((r = store_commit(c->ctx)) != 0) {
		ep_unindex(nd, ep);
		free(ep);
		api_fail(c, r, "cannot save state: %s", strerror(-r));
		goto undo;
	}
	log_info("endpoint %.12s: %s%s%s on %s", epid, tmp.key4,
	    tmp.has6 ? " " : "", tmp.key6, tmp.host_if);
	return 0;
undo:
	plumb_veth_del(c->ctx->plumb, tmp.host_if, tmp.peer_if);
	return r;
}

static struct endpoint *
find_ep(struct api_call *c, const char *epid, struct network *n)
{
	struct endpoint *ep = hmap_find(c->ctx->netdrv->endpoints, epid);

	if (ep == NULL || strcmp(ep->net_id, n->id) != 0)
		return NULL;
	return ep;
}

static int
nd_delete_endpoint(struct api_call *c)
{
	struct netdrv *nd = c->ctx->netdrv;
	struct endpoint *ep;
	struct network *n;
	const char *epid;
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0) {
		if (r != -ENOENT)
			return r;
		c->err[0] = '\0';	/* network gone: nothing to delete */
		return 0;
	}
	if ((ep = find_ep(c, epid, n)) == NULL) {
		log_debug("DeleteEndpoint: unknown endpoint %.12s, nothing to do",
		    epid);
		return 0;
	}
	if ((r = ep_remove(c->ctx, ep, c->err, sizeof(c->err))) != 0)
		return r;
	ep_unindex(nd, ep);
	store_del(c->ctx, REC_EP, ep->id);
	if ((r = store_commit(c->ctx)) != 0) {
		ep_index(nd, ep);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	log_info("endpoint %.12s deleted", ep->id);
	free(ep);
	return 0;
}

static int
nd_oper_info(struct api_call *c)
{
	struct endpoint *ep;
	struct network *n;
	const char *epid;
	cJSON *v;
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0)
		return r;
	if ((ep = find_ep(c, epid, n)) == NULL)
		return api_fail(c, -ENOENT, "unknown endpoint %.12s", epid);
	if ((v = cJSON_AddObjectToObject(c->reply, "Value")) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return api_put_str(c, v, "HostInterface", ep->host_if);
}

static int
add_connected_route(struct api_call *c, cJSON *routes, const struct ipaddr *gw)
{
	struct ipprefix h;
	char s[ADDR_STRLEN];
	cJSON *o;

	prefix_host(gw, &h);
	if ((o = cJSON_CreateObject()) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	cJSON_AddItemToArray(routes, o);
	if (cJSON_AddStringToObject(o, "Destination",
	    prefix_fmt(&h, s, sizeof(s))) == NULL ||
	    cJSON_AddNumberToObject(o, "RouteType", 1) == NULL)	/* CONNECTED */
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

static int
nd_join(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
	struct endpoint *ep;
	struct network *n;
	const char *epid, *sandbox;
	char s[ADDR_STRLEN], oldsb[SANDBOX_MAX];
	cJSON *ifn, *routes;
	bool oldjoined;
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0 ||
	    (r = api_get_str(c, c->req, "SandboxKey", false, &sandbox)) != 0)
		return r;
	if ((ep = find_ep(c, epid, n)) == NULL)
		return api_fail(c, -ENOENT, "unknown endpoint %.12s", epid);
	if (sandbox != NULL && strlen(sandbox) >= SANDBOX_MAX)
		return api_fail(c, -EINVAL, "SandboxKey is too long");
	/* Redo the plumbing only if this process has not seen it done. */
	if (!ep->plumbed && (r = ep_plumb(ctx, ep, net_mtu(ctx, n), c->err,
	    sizeof(c->err))) != 0)
		return r;
	ep->plumbed = true;
	oldjoined = ep->joined;
	snprintf(oldsb, sizeof(oldsb), "%s", ep->sandbox);
	ep->joined = true;
	snprintf(ep->sandbox, sizeof(ep->sandbox), "%s", sandbox ? sandbox : "");
	/* Announce first: the table is idempotent and undone below on failure. */
	ep_announce(ctx, n, ep, true);
	store_put(ctx, REC_EP, ep->id, ep_json(ep));
	if ((r = store_commit_lazy(ctx)) != 0) {
		ep->joined = oldjoined;
		snprintf(ep->sandbox, sizeof(ep->sandbox), "%s", oldsb);
		if (!oldjoined)
			ep_announce(ctx, n, ep, false);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	if ((ifn = cJSON_AddObjectToObject(c->reply, "InterfaceName")) == NULL ||
	    (r = api_put_str(c, ifn, "SrcName", ep->peer_if)) != 0 ||
	    (r = api_put_str(c, ifn, "DstPrefix", "eth")) != 0 ||
	    (r = api_put_str(c, c->reply, "Gateway",
	    addr_fmt(&ctx->cfg.gateway4, s, sizeof(s)))) != 0)
		return r ? r : api_fail(c, -ENOMEM, "out of memory");
	if ((routes = cJSON_AddArrayToObject(c->reply, "StaticRoutes")) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	if ((r = add_connected_route(c, routes, &ctx->cfg.gateway4)) != 0)
		return r;
	if (ep->has6) {
		if ((r = api_put_str(c, c->reply, "GatewayIPv6",
		    addr_fmt(&ctx->cfg.gateway6, s, sizeof(s)))) != 0 ||
		    (r = add_connected_route(c, routes, &ctx->cfg.gateway6)) != 0)
			return r;
	}
	log_info("endpoint %.12s joined %s", ep->id, ep->sandbox);
	return 0;
}

static int
nd_leave(struct api_call *c)
{
	struct endpoint *ep;
	struct network *n;
	const char *epid;
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0)
		return r;
	if ((ep = find_ep(c, epid, n)) == NULL) {
		log_debug("Leave: unknown endpoint %.12s, nothing to do", epid);
		return 0;
	}
	ep_announce(c->ctx, n, ep, false);
	if ((r = ep_routes_del(c->ctx, ep)) != 0)
		return api_fail(c, r, "cannot remove the routes of endpoint "
		    "%.12s: %s", epid, strerror(-r));
	ep->plumbed = false;		/* its routes are gone */
	if (ep->joined) {
		ep->joined = false;
		store_put(c->ctx, REC_EP, ep->id, ep_json(ep));
		if ((r = store_commit_lazy(c->ctx)) != 0) {
			ep->joined = true;
			return api_fail(c, r, "cannot save state: %s",
			    strerror(-r));
		}
	}
	log_info("endpoint %.12s left", ep->id);
	return 0;
}

static int
nd_nothing(struct api_call *c)
{
	return 0;
}

static int
nd_allocate_network(struct api_call *c)
{
	if (cJSON_AddObjectToObject(c->reply, "Options") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

const struct api_route netdrv_routes[] = {
	{ "/Plugin.Activate", nd_activate },
	{ "/NetworkDriver.GetCapabilities", nd_capabilities },
	{ "/NetworkDriver.CreateNetwork", nd_create_network },
	{ "/NetworkDriver.DeleteNetwork", nd_delete_network },
	{ "/NetworkDriver.AllocateNetwork", nd_allocate_network },
	{ "/NetworkDriver.FreeNetwork", nd_nothing },
	{ "/NetworkDriver.CreateEndpoint", nd_create_endpoint },
	{ "/NetworkDriver.DeleteEndpoint", nd_delete_endpoint },
	{ "/NetworkDriver.EndpointOperInfo", nd_oper_info },
	{ "/NetworkDriver.Join", nd_join },
	{ "/NetworkDriver.Leave", nd_leave },
	{ "/NetworkDriver.ProgramExternalConnectivity", nd_nothing },
	{ "/NetworkDriver.RevokeExternalConnectivity", nd_nothing },
	{ "/NetworkDriver.DiscoverNew", nd_nothing },
	{ "/NetworkDriver.DiscoverDelete", nd_nothing },
};
const size_t netdrv_nroutes = sizeof(netdrv_routes) / sizeof(netdrv_routes[0]);

/* The state record of a network, or NULL (ENOMEM). */
static cJSON *
net_json(const struct network *n)
{
	char s[ADDR_STRLEN];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "id", n->id) ||
	    !cJSON_AddNumberToObject(o, "mtu", n->mtu) ||
	    !cJSON_AddBoolToObject(o, "internal", n->internal) ||
	    !cJSON_AddBoolToObject(o, "ipv6", n->ipv6) ||
	    !cJSON_AddStringToObject(o, "announce",
	    announce_kind_name(n->announce)) ||
	    !cJSON_AddNumberToObject(o, "tag", n->tag) ||
	    (n->has_metric && !cJSON_AddNumberToObject(o, "metric", n->metric)) ||
	    !cJSON_AddNumberToObject(o, "distance", n->distance) ||
	    !cJSON_AddStringToObject(o, "pool4",
	    prefix_fmt(&n->pool4, s, sizeof(s))) ||
	    !cJSON_AddStringToObject(o, "agg4", prefix_fmt(&n->agg4, s, sizeof(s))) ||
	    (n->has6 && (!cJSON_AddStringToObject(o, "pool6",
	    prefix_fmt(&n->pool6, s, sizeof(s))) ||
	    !cJSON_AddStringToObject(o, "agg6",
	    prefix_fmt(&n->agg6, s, sizeof(s)))))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The state record of an endpoint, or NULL (ENOMEM). */
static cJSON *
ep_json(const struct endpoint *ep)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "id", ep->id) ||
	    !cJSON_AddStringToObject(o, "network", ep->net_id) ||
	    !cJSON_AddStringToObject(o, "addr4", ep->key4) ||
	    (ep->has6 && !cJSON_AddStringToObject(o, "addr6", ep->key6)) ||
	    !cJSON_AddStringToObject(o, "host_if", ep->host_if) ||
	    !cJSON_AddBoolToObject(o, "joined", ep->joined) ||
	    !cJSON_AddStringToObject(o, "sandbox", ep->sandbox)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * State: {"networks":[net_json...], "endpoints":[ep_json...]}.  Interface
 * names are derived from the IDs again on load.
 */
cJSON *
netdrv_to_json(struct rp_ctx *ctx)
{
	struct netdrv *nd = ctx->netdrv;
	cJSON *j, *nets, *eps, *o;
	struct network *n;
	struct endpoint *ep;
	size_t pos = 0;

	if ((j = cJSON_CreateObject()) == NULL ||
	    (nets = cJSON_AddArrayToObject(j, "networks")) == NULL ||
	    (eps = cJSON_AddArrayToObject(j, "endpoints")) == NULL)
		goto fail;
	while ((n = hmap_next(nd->networks, &pos, NULL)) != NULL) {
		if ((o = net_json(n)) == NULL)
			goto fail;
		cJSON_AddItemToArray(nets, o);
	}
	pos = 0;
	while ((ep = hmap_next(nd->endpoints, &pos, NULL)) != NULL) {
		if ((o = ep_json(ep)) == NULL)
			goto fail;
		cJSON_AddItemToArray(eps, o);
	}
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
}

static const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
valid_id(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > API_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* A whole number field of a state object, within [min, max]. */
static int
num_field(const cJSON *o, const char *name, double min, double max,
    unsigned long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
	    v->valuedouble != (double)(unsigned long)v->valuedouble)
		return -EINVAL;
	*out = (unsigned long)v->valuedouble;
	return 0;
}

static int
net_from_json(struct netdrv *nd, const cJSON *o, char *err, size_t errlen)
{
	const cJSON *mtu = cJSON_GetObjectItemCaseSensitive(o, "mtu");
	const char *id = jstr(o, "id"), *p4 = jstr(o, "pool4"), *p6 = jstr(o, "pool6");
	const char *a4 = jstr(o, "agg4"), *a6 = jstr(o, "agg6");
	unsigned long v = 0, d = 0, m = 0;
	struct network *n;

	if (!valid_id(id) || p4 == NULL || !cJSON_IsNumber(mtu) ||
	    mtu->valuedouble < 0 || mtu->valuedouble > 65535) {
		snprintf(err, errlen, "a network has no valid id, pool4 or mtu");
		return -EINVAL;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -ENOMEM;
	snprintf(n->id, sizeof(n->id), "%s", id);
	n->mtu = (unsigned)mtu->valuedouble;
	n->internal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "internal"));
	n->ipv6 = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ipv6"));
	n->has4 = true;
	n->has6 = p6 != NULL;
	if (num_field(o, "tag", 0, UINT32_MAX, &v) != 0 ||
	    num_field(o, "distance", 0, 255, &d) != 0 ||
	    (cJSON_GetObjectItemCaseSensitive(o, "metric") != NULL &&
	    num_field(o, "metric", 0, UINT32_MAX, &m) != 0) ||
	    announce_kind_parse(jstr(o, "announce") ? jstr(o, "announce") : "",
	    &n->announce) != 0) {
		snprintf(err, errlen, "network %.12s: invalid announce settings",
		    id);
		free(n);
		return -EINVAL;
	}
	n->tag = (uint32_t)v;
	n->distance = (uint8_t)d;
	n->has_metric = cJSON_GetObjectItemCaseSensitive(o, "metric") != NULL;
	n->metric = (uint32_t)m;
	if (prefix_parse(p4, &n->pool4) != 0 || n->pool4.addr.family != AF_INET ||
	    (p6 && (prefix_parse(p6, &n->pool6) != 0 ||
	    n->pool6.addr.family != AF_INET6)) ||
	    a4 == NULL || prefix_parse(a4, &n->agg4) != 0 ||
	    (p6 && (a6 == NULL || prefix_parse(a6, &n->agg6) != 0)) ||
	    hmap_find(nd->networks, n->id) != NULL ||
	    hmap_add(nd->networks, n->id, n) != 0) {
		snprintf(err, errlen, "network %.12s: invalid pool or listed twice",
		    id);
		free(n);
		return -EINVAL;
	}
	return 0;
}

static int
ep_from_json(struct netdrv *nd, const cJSON *o, char *err, size_t errlen)
{
	const char *id = jstr(o, "id"), *net = jstr(o, "network");
	const char *a4 = jstr(o, "addr4"), *a6 = jstr(o, "addr6");
	const char *sb = jstr(o, "sandbox");
	struct endpoint *ep;

	if (!valid_id(id) || !valid_id(net) || a4 == NULL ||
	    hmap_find(nd->networks, net) == NULL) {
		snprintf(err, errlen, "an endpoint has no valid id, network or "
		    "address");
		return -EINVAL;
	}
	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return -ENOMEM;
	snprintf(ep->id, sizeof(ep->id), "%s", id);
	snprintf(ep->net_id, sizeof(ep->net_id), "%s", net);
	snprintf(ep->sandbox, sizeof(ep->sandbox), "%s", sb ? sb : "");
	ep->joined = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "joined"));
	ep->has4 = true;
	ep->has6 = a6 != NULL;
	netdrv_ifnames(ep->id, ep->host_if, ep->peer_if);
	if (addr_parse(a4, &ep->addr4) != 0 || ep->addr4.family != AF_INET ||
	    (a6 && (addr_parse(a6, &ep->addr6) != 0 ||
	    ep->addr6.family != AF_INET6))) {
		snprintf(err, errlen, "endpoint %.12s: invalid address", id);
		free(ep);
		return -EINVAL;
	}
	addr_fmt(&ep->addr4, ep->key4, sizeof(ep->key4));
	if (ep->has6)
		addr_fmt(&ep->addr6, ep->key6, sizeof(ep->key6));
	if (hmap_find(nd->endpoints, ep->id) || hmap_find(nd->by_addr, ep->key4) ||
	    (ep->has6 && hmap_find(nd->by_addr, ep->key6)) ||
	    hmap_find(nd->by_ifname, ep->host_if) || ep_index(nd, ep) != 0) {
		snprintf(err, errlen, "endpoint %.12s: listed twice or its "
		    "address or interface is taken", id);
		free(ep);
		return -EINVAL;
	}
	return 0;
}

/* "rt" or "rc" and 12 lowercase hex digits: a name of ours. */
static bool
is_our_ifname(const char *name)
{
	size_t i;

	if (strlen(name) != 14 || name[0] != 'r' ||
	    (name[1] != 't' && name[1] != 'c'))
		return false;
	for (i = 2; i < 14; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

/*
 * The host veth of ep is gone although Docker never deleted the endpoint:
 * its container died with its network namespace (dockerd killed, a host
 * reboot) and Docker 20.10 does not call the network driver for stale
 * sandboxes.  Withdraw its routes and forget it, so that its address can be
 * released and given out again; a later Leave or DeleteEndpoint finds
 * nothing to do.
 */
static void
ep_forget(struct rp_ctx *ctx, struct endpoint *ep)
{
	struct network *n = hmap_find(ctx->netdrv->networks, ep->net_id);

	log_info("endpoint %.12s: its interface %s is gone without Docker "
	    "deleting it (its container died): forgetting it", ep->id,
	    ep->host_if);
	if (n != NULL)
		ep_announce(ctx, n, ep, false);
	ep_unindex(ctx->netdrv, ep);
	store_del(ctx, REC_EP, ep->id);
	/* Lazy: a restart would find the interface missing all the same. */
	if (store_commit_lazy(ctx) != 0)
		log_warnx("endpoint %.12s: cannot record its end", ep->id);
	free(ep);
}

void
netdrv_link_gone(struct rp_ctx *ctx, const char *name)
{
	struct netdrv *nd = ctx->netdrv;
	struct endpoint *ep;
	size_t pos = 0;

	if (name != NULL) {
		if ((ep = hmap_find(nd->by_ifname, name)) != NULL)
			ep_forget(ctx, ep);
		return;
	}
	/* Notifications were lost: check every endpoint. */
	while ((ep = hmap_next(nd->endpoints, &pos, NULL)) != NULL)
		if (plumb_link_exists(ctx->plumb, ep->host_if) == 0)
			ep_forget(ctx, ep);
}

static int
reap_link(const char *name, void *arg)
{
	struct rp_ctx *ctx = arg;
	char host[IFNAMSIZ], peer[IFNAMSIZ];

	if (!is_our_ifname(name))
		return 0;
	snprintf(host, sizeof(host), "rt%s", name + 2);
	snprintf(peer, sizeof(peer), "rc%s", name + 2);
	if (hmap_find(ctx->netdrv->by_ifname, host) != NULL)
		return 0;
	log_info("deleting %s: no endpoint owns it", name);
	plumb_veth_del(ctx->plumb, host, peer);
	return 0;
}

void
netdrv_reconcile(struct rp_ctx *ctx)
{
	struct netdrv *nd = ctx->netdrv;
	struct network *n;
	struct endpoint *ep;
	char err[256];
	size_t pos = 0, fixed = 0, gone = 0;
	int r;

	while ((ep = hmap_next(nd->endpoints, &pos, NULL)) != NULL) {
		if ((n = hmap_find(nd->networks, ep->net_id)) == NULL)
			continue;
		if ((r = plumb_link_exists(ctx->plumb, ep->host_if)) != 1) {
			/* The container went away while we were down. */
			if (r == 0) {
				ep_forget(ctx, ep);
				gone++;
			}
			continue;
		}
		if (ep_plumb(ctx, ep, net_mtu(ctx, n), err, sizeof(err)) != 0) {
			log_warnx("endpoint %.12s: %s", ep->id, err);
		} else {
			ep->plumbed = true;
			fixed++;
		}
	}
	plumb_links(ctx->plumb, "rt", reap_link, ctx);
	plumb_links(ctx->plumb, "rc", reap_link, ctx);
	log_info("reconciled: %zu endpoints with their host side checked, %zu "
	    "forgotten (their interface is gone)", fixed, gone);
}

void
netdrv_announce_all(struct rp_ctx *ctx)
{
	struct netdrv *nd = ctx->netdrv;
	struct network *n;
	struct endpoint *ep;
	size_t pos = 0;

	while ((n = hmap_next(nd->networks, &pos, NULL)) != NULL)
		net_announce(ctx, n, true);
	pos = 0;
	while ((ep = hmap_next(nd->endpoints, &pos, NULL)) != NULL)
		if (ep->joined && (n = hmap_find(nd->networks, ep->net_id)))
			ep_announce(ctx, n, ep, true);
}

int
netdrv_from_json(struct rp_ctx *ctx, const cJSON *j, char *err, size_t errlen)
{
	struct netdrv *nd = ctx->netdrv;
	const cJSON *nets = cJSON_GetObjectItemCaseSensitive(j, "networks");
	const cJSON *eps = cJSON_GetObjectItemCaseSensitive(j, "endpoints");
	const cJSON *o;
	int r = 0;

	if (!cJSON_IsArray(nets) || !cJSON_IsArray(eps)) {
		snprintf(err, errlen, "netdrv: networks or endpoints missing");
		return -EINVAL;
	}
	cJSON_ArrayForEach(o, nets)
		if ((r = net_from_json(nd, o, err, errlen)) != 0)
			goto fail;
	cJSON_ArrayForEach(o, eps)
		if ((r = ep_from_json(nd, o, err, errlen)) != 0)
			goto fail;
	return 0;
fail:
	clear_all(nd);
	return r;
}
