/* SPDX-License-Identifier: MIT */
/*
 * netdrv.c: the "net-routed" network driver: Docker's requests only.
 *
 * Every endpoint is a veth pair: the host keeps "rt<12 hex>", answers ARP
 * (and NDP) for the gateway on it and routes the container's /32 (/128) to
 * it; Docker moves "rc<12 hex>" into the container and names it eth0.  Join
 * gives the container the gateway plus a connected route to it, so Docker
 * adds "default via <gateway> dev eth0" and no docker_gwbridge.  On a VXLAN
 * segment network (-o routed.mode=vxlan, segment.c) the host side is a port
 * of the segment's bridge instead, and Join gives the subnet on-link and the
 * gateway the bridge carries.
 *
 * Every handler parses the request, then changes the model, the host, the
 * announcements and the disk so that a failure at any step leaves all four
 * as they were before the call:
 *   - creating: model, host, announcements first (each undone on a later
 *     failure, and the host only for what this call created), then commit;
 *   - deleting: commit first, then model, announcements and host, none of
 *     which can fail in a way that matters (a link that will not go is
 *     logged and reaped at the next start);
 * so a failed call can always be retried, and a repeated one changes
 * nothing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "ctx.h"
#include "epopts.h"
#include "host.h"
#include "log.h"
#include "model.h"
#include "netdrv.h"
#include "num.h"
#include "plumb.h"
#include "records.h"
#include "routes.h"
#include "sandbox.h"
#include "segment.h"
#include "store.h"
#include "teardown.h"

#define OPT_GENERIC	"com.docker.network.generic"
#define OPT_IPV6	"com.docker.network.enable_ipv6"
#define OPT_INTERNAL	"com.docker.network.internal"
#define OPT_MTU		"com.docker.network.driver.mtu"
#define OPT_ANNOUNCE	"routed.announce"
#define OPT_TAG		"routed.tag"
#define OPT_METRIC	"routed.metric"
#define OPT_DISTANCE	"routed.distance"
#define OPT_LINK	"routed.link"
#define OPT_PARENT	"routed.parent"
#define OPT_IPVLAN_MODE	"routed.ipvlan-mode"
#define OPT_MODE	"routed.mode"
#define OPT_VNI		"routed.vni"
#define MAX_AUX		256

/* Option keys accepted with docker network create -o; listed in errors. */
static const char *const known_options[] = {
	OPT_MTU, OPT_ANNOUNCE, OPT_TAG, OPT_METRIC, OPT_DISTANCE, OPT_MODE,
	OPT_VNI, "routed.vxlan.*", "routed.bridge.*", "routed.gateway",
	OPT_LINK, OPT_PARENT, OPT_IPVLAN_MODE,
};

static int
nd_activate(struct api_call *c)
{
	return api_implements(c, "NetworkDriver", NULL);
}

static int
nd_capabilities(struct api_call *c)
{
	int r;

	if ((r = api_put_str(c, c->reply, "Scope", "local")) != 0 ||
	    (r = api_put_str(c, c->reply, "ConnectivityScope", "local")) != 0)
		return r;
	/* Docker 28+: ask before reserving a gateway address (GwAllocCheck). */
	if (cJSON_AddTrueToObject(c->reply, "GwAllocChecker") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

/*
 * GwAllocCheck (Docker 28+, before IPAM): the gateway is the plugin's own
 * link-local address, outside every pool, so the engine must not reserve
 * one in the pool, in either family.
 */
static int
nd_gw_alloc_check(struct api_call *c)
{
	if (cJSON_AddTrueToObject(c->reply, "SkipIPv4") == NULL ||
	    cJSON_AddTrueToObject(c->reply, "SkipIPv6") == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

/* An auxiliary address of a network's pool, to be marked. */
struct aux_mark {
	struct pool *pool;
	struct ipaddr addr;
};

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

/*
 * The AuxAddresses of field that ipam-routed allocated and has not marked
 * yet: they are marked with the network, in the same commit.
 */
static int
collect_aux(struct api_call *c, const char *field, struct aux_mark *marks,
    size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(c->req, field);
	const cJSON *aux, *it;
	struct ipprefix p;
	struct pool *pool;
	size_t i;

	aux = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0),
	    "AuxAddresses");
	cJSON_ArrayForEach(it, aux) {
		if (!cJSON_IsString(it) ||
		    prefix_parse_loose(it->valuestring, &p) != 0 ||
		    (pool = model_pool_of(c->ctx->model, &p.addr)) == NULL ||
		    !model_addr_has(pool, &p.addr) ||
		    model_aux_has(pool, &p.addr))
			continue;
		for (i = 0; i < *n; i++)
			if (addr_eq(&marks[i].addr, &p.addr))
				break;
		if (i < *n)
			continue;
		if (*n == MAX_AUX)
			return api_fail(c, -E2BIG, "more than %d auxiliary "
			    "addresses", MAX_AUX);
		marks[*n].pool = pool;
		marks[(*n)++].addr = p.addr;
	}
	return 0;
}

/* A decimal number in [min, max] for option key. */
static int
parse_num(struct api_call *c, const char *key, const char *s,
    unsigned long min, unsigned long max, unsigned long *out)
{
	if (num_parse_ulong(s, min, max, out) != 0)
		return api_fail(c, -EINVAL, "option %s=%.32s: must be a number "
		    "from %lu to %lu", key, s, min, max);
	return 0;
}

/*
 * routed.link, routed.parent, routed.ipvlan-mode: 1 when it was one of
 * them, 0 when not, or the error.
 */
static int
parse_link_option(struct api_call *c, const cJSON *it, struct network *n,
    bool *has_parent, bool *has_mode)
{
	const char *v = it->valuestring;

	if (strcmp(it->string, OPT_LINK) == 0) {
		if (strcmp(v, "veth") == 0)
			n->link = LINK_VETH;
		else if (strcmp(v, "ipvlan") == 0)
			n->link = LINK_IPVLAN;
		else
			return api_fail(c, -EINVAL, "option %s=%.32s: must be "
			    "veth or ipvlan", OPT_LINK, v);
		return 1;
	}
	if (strcmp(it->string, OPT_PARENT) == 0) {
		if (v[0] == '\0' || strlen(v) >= IFNAMSIZ || strchr(v, '/') ||
		    strchr(v, ' '))
			return api_fail(c, -EINVAL, "option %s=%.32s: must be an "
			    "interface name", OPT_PARENT, v);
		snprintf(n->parent, sizeof(n->parent), "%s", v);
		*has_parent = true;
		return 1;
	}
	if (strcmp(it->string, OPT_IPVLAN_MODE) == 0) {
		if (model_ipvlan_mode_parse(v, &n->ipvlan_mode) != 0)
			return api_fail(c, -EINVAL, "option %s=%.32s: must be l2, "
			    "l3 or l3s", OPT_IPVLAN_MODE, v);
		*has_mode = true;
		return 1;
	}
	return 0;
}

/* The link options make sense together. */
static int
check_link_options(struct api_call *c, const struct network *n,
    bool has_parent, bool has_mode)
{
	if (n->link != LINK_IPVLAN && (has_parent || has_mode))
		return api_fail(c, -EINVAL, "options %s and %s need %s=ipvlan",
		    OPT_PARENT, OPT_IPVLAN_MODE, OPT_LINK);
	if (n->link == LINK_IPVLAN && !has_parent)
		return api_fail(c, -EINVAL, "%s=ipvlan needs -o %s=IFACE, the "
		    "interface whose ipvlan slaves the containers get",
		    OPT_LINK, OPT_PARENT);
	if (n->link == LINK_IPVLAN && n->mode == MODE_VXLAN)
		return api_fail(c, -EINVAL, "%s=ipvlan and %s=vxlan do not go "
		    "together: a segment's containers are bridge ports",
		    OPT_LINK, OPT_MODE);
	return 0;
}

/* routed.mode and routed.vni, first: the segment options depend on them. */
static int
parse_mode(struct api_call *c, const cJSON *generic, struct network *n)
{
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(generic, OPT_MODE);
	const cJSON *vni = cJSON_GetObjectItemCaseSensitive(generic, OPT_VNI);
	unsigned long v;
	int r;

	n->mode = MODE_ROUTED;
	if (cJSON_IsString(mode) && strcmp(mode->valuestring, "vxlan") == 0)
		n->mode = MODE_VXLAN;
	else if (cJSON_IsString(mode) && strcmp(mode->valuestring,
	    "routed") != 0)
		return api_fail(c, -EINVAL, "option %s=%.32s: must be routed or "
		    "vxlan", OPT_MODE, mode->valuestring);
	if (n->mode == MODE_ROUTED) {
		if (vni != NULL)
			return api_fail(c, -EINVAL, "option %s needs %s=vxlan",
			    OPT_VNI, OPT_MODE);
		return 0;
	}
	if (!cJSON_IsString(vni))
		return api_fail(c, -EINVAL, "%s=vxlan needs -o %s=N, the VXLAN "
		    "network identifier (1 to %u)", OPT_MODE, OPT_VNI,
		    SEG_VNI_MAX);
	if ((r = parse_num(c, OPT_VNI, vni->valuestring, 1, SEG_VNI_MAX,
	    &v)) != 0)
		return r;
	segconf_init(&n->seg, (uint32_t)v);
	return 0;
}

static int
parse_generic(struct api_call *c, const cJSON *generic, struct network *n)
{
	const cJSON *it;
	char known[384] = "";
	unsigned long v;
	bool has_parent = false, has_mode = false;
	size_t i;
	int r;

	cJSON_ArrayForEach(it, generic) {
		if (!cJSON_IsString(it) && strncmp(it->string, "routed.", 7) == 0)
			return api_fail(c, -EINVAL, "option %.64s must be a "
			    "string", it->string);
	}
	if ((r = parse_mode(c, generic, n)) != 0)
		return r;
	cJSON_ArrayForEach(it, generic) {
		if (strcmp(it->string, OPT_MODE) == 0 ||
		    strcmp(it->string, OPT_VNI) == 0)
			continue;
		if (segconf_is_key(it->string)) {
			if (n->mode != MODE_VXLAN)
				return api_fail(c, -EINVAL, "option %.64s needs "
				    "%s=vxlan", it->string, OPT_MODE);
			if (segconf_set(&n->seg, it->string, it->valuestring,
			    c->err, sizeof(c->err)) != 0)
				return -EINVAL;	/* c->err says why */
			continue;
		}
		if (!cJSON_IsString(it) && (strncmp(it->string, "routed.", 7) == 0 ||
		    strcmp(it->string, OPT_MTU) == 0))
			return api_fail(c, -EINVAL, "option %.64s must be a "
			    "string", it->string);
		if (strcmp(it->string, OPT_MTU) == 0) {
			if (num_parse_ulong(it->valuestring, 68, 65535, &v) != 0)
				return api_fail(c, -EINVAL, "option %s=%.32s: the "
				    "MTU must be a number from 68 to 65535",
				    OPT_MTU, it->valuestring);
			n->mtu = (unsigned)v;
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
		if ((r = parse_link_option(c, it, n, &has_parent,
		    &has_mode)) < 0)
			return r;
		if (r == 1)
			continue;
		for (i = 0; i < sizeof(known_options) / sizeof(*known_options); i++) {
			strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
			strncat(known, known_options[i],
			    sizeof(known) - strlen(known) - 1);
		}
		return api_fail(c, -EINVAL, "unknown option '%.64s': net-routed "
		    "knows %s", it->string, known);
	}
	return check_link_options(c, n, has_parent, has_mode);
}

static bool
prefix_eq(const struct ipprefix *a, const struct ipprefix *b)
{
	return addr_eq(&a->addr, &b->addr) && a->plen == b->plen;
}

static bool
net_same(const struct network *a, const struct network *b)
{
	return a->mtu == b->mtu && a->internal == b->internal &&
	    a->link == b->link && (a->link != LINK_IPVLAN ||
	    (strcmp(a->parent, b->parent) == 0 &&
	    a->ipvlan_mode == b->ipvlan_mode)) && a->announce == b->announce &&
	    a->tag == b->tag && a->has_metric == b->has_metric &&
	    a->metric == b->metric && a->distance == b->distance &&
	    a->ipv6 == b->ipv6 && a->has4 == b->has4 && a->has6 == b->has6 &&
	    a->mode == b->mode && (a->mode != MODE_VXLAN ||
	    segconf_same(&a->seg, &b->seg)) &&
	    (!a->has4 || prefix_eq(&a->pool4, &b->pool4)) &&
	    (!a->has6 || prefix_eq(&a->pool6, &b->pool6));
}

/* The aggregate of a pool: ipam-routed's range when the pool is its own. */
static void
aggregate_of(struct rp_ctx *ctx, const struct ipprefix *pool,
    struct ipprefix *agg)
{
	char key[ADDR_STRLEN];
	const struct pool *p;

	p = model_pool_find(ctx->model, prefix_fmt(pool, key, sizeof(key)));
	*agg = p != NULL ? p->range : *pool;
}

/* The host sides of n's endpoints ports of its bridge; 0 or -errno. */
static int
segment_ports(struct rp_ctx *ctx, const struct network *n, char *err,
    size_t errlen)
{
	const struct endpoint *ep;
	size_t pos = 0;
	bool created;
	int r;

	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (strcmp(ep->net_id, n->id) == 0 && ep->plumbed &&
		    (r = segment_port_add(ctx, n, ep->host_if, &created, err,
		    errlen)) != 0)
			return r;
	return 0;
}

/* A repeated CreateNetwork of a segment: make what went missing again. */
static int
repair_segment(struct api_call *c, struct network *n)
{
	uint32_t made = n->seg.made, made_fdb = n->seg.made_fdb;
	int r;

	if ((r = segment_add(c->ctx, n, c->err, sizeof(c->err))) != 0)
		return r;
	/* A bridge made again: the endpoints' veths become its ports again. */
	if ((r = segment_ports(c->ctx, n, c->err, sizeof(c->err))) != 0) {
		segment_undo(c->ctx, n, made, made_fdb);
		return r;
	}
	if (n->seg.made == made && n->seg.made_fdb == made_fdb)
		return 0;
	records_put_net(c->ctx->store, n);
	if ((r = store_commit(c->ctx->store)) != 0) {
		segment_undo(c->ctx, n, made, made_fdb);
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	}
	return 0;
}

static int
nd_create_network(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
	struct aux_mark marks[MAX_AUX];
	const cJSON *opts, *generic;
	struct network tmp, *n, *old, *other;
	const char *id;
	size_t nmarks = 0, i;
	char s[ADDR_STRLEN];
	int r;

	memset(&tmp, 0, sizeof(tmp));
	tmp.link = LINK_VETH;
	tmp.ipvlan_mode = IPVLAN_L3;
	tmp.announce = ctx->cfg.announce_kind;
	tmp.tag = ctx->cfg.tag;
	tmp.metric = ctx->cfg.metric;
	tmp.has_metric = ctx->cfg.has_metric;
	tmp.distance = ctx->cfg.distance;
	if ((r = api_get_id(c, c->req, "NetworkID", &id)) != 0 ||
	    (r = api_get_obj(c, c->req, "Options", false, &opts)) != 0 ||
	    (r = api_get_obj(c, opts, OPT_GENERIC, false, &generic)) != 0 ||
	    (r = api_get_bool(c, opts, OPT_IPV6, &tmp.ipv6)) != 0 ||
	    (r = api_get_bool(c, opts, OPT_INTERNAL, &tmp.internal)) != 0 ||
	    (r = parse_generic(c, generic, &tmp)) != 0 ||
	    (r = parse_ipam_data(c, "IPv4Data", &tmp.pool4, &tmp.has4)) != 0 ||
	    (r = parse_ipam_data(c, "IPv6Data", &tmp.pool6, &tmp.has6)) != 0)
		return r;
	if (!tmp.has4 && !tmp.has6)
		return api_fail(c, -EINVAL, "network has no subnet: create it "
		    "with --subnet (IPv4, IPv6 or both)");
	if (tmp.has6 && tmp.mtu != 0 && tmp.mtu < 1280)
		return api_fail(c, -EINVAL, "option %s=%u is below 1280, the "
		    "minimum MTU of IPv6", OPT_MTU, tmp.mtu);
	if (tmp.mode == MODE_VXLAN && (tmp.has6 || !tmp.has4))
		return api_fail(c, -EINVAL, "a vxlan network takes one IPv4 "
		    "subnet, and no IPv6 one (not supported yet)");
	if (tmp.mode == MODE_VXLAN && segconf_finish(&tmp.seg, c->err,
	    sizeof(c->err)) != 0)
		return -EINVAL;

	snprintf(tmp.id, sizeof(tmp.id), "%s", id);
	if (tmp.has4)
		aggregate_of(ctx, &tmp.pool4, &tmp.agg4);
	if (tmp.has6)
		aggregate_of(ctx, &tmp.pool6, &tmp.agg6);
	if ((old = model_net_find(ctx->model, id)) != NULL) {
		if (!net_same(old, &tmp))
			return api_fail(c, -EEXIST, "network %.12s exists with "
			    "other settings", id);
		return old->mode == MODE_VXLAN ? repair_segment(c, old) : 0;
	}
	if ((r = host_net_check(ctx, &tmp, c->err, sizeof(c->err))) != 0)
		return r;
	/* Two networks on one prefix would announce (and withdraw) one route. */
	if ((other = model_net_overlapping(ctx->model, &tmp)) != NULL)
		return api_fail(c, -EEXIST, "subnet overlaps the subnet of "
		    "network %.12s", other->id);
	if ((other = model_net_seg_clash(ctx->model, &tmp)) != NULL)
		return api_fail(c, -EEXIST, "VNI %u or device %s or %s is taken "
		    "by network %.12s", tmp.seg.vni, tmp.seg.vx_name,
		    tmp.seg.br_name, other->id);
	if ((r = collect_aux(c, "IPv4Data", marks, &nmarks)) != 0 ||
	    (r = collect_aux(c, "IPv6Data", marks, &nmarks)) != 0)
		return r;
	if ((n = malloc(sizeof(*n))) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	*n = tmp;
	if ((r = model_net_add(ctx->model, n)) != 0) {
		free(n);
		return api_fail(c, r, "cannot add network: %s", strerror(-r));
	}
	for (i = 0; i < nmarks; i++)
		if ((r = model_aux_add(marks[i].pool, &marks[i].addr)) != 0) {
			api_fail(c, r, "cannot mark an auxiliary address: %s",
			    strerror(-r));
			goto undo;
		}
	if (n->mode == MODE_VXLAN && (r = segment_add(ctx, n, c->err,
	    sizeof(c->err))) != 0)
		goto undo;
	if ((r = routes_net_add(ctx, n)) != 0) {
		api_fail(c, r, "cannot announce the network: %s", strerror(-r));
		goto undo_segment;
	}
	records_put_net(ctx->store, n);
	for (i = 0; i < nmarks; i++)
		records_put_aux(ctx->store, marks[i].pool, &marks[i].addr);
	if ((r = store_commit(ctx->store)) != 0) {
		routes_net_del(ctx, n);
		api_fail(c, r, "cannot save state: %s", strerror(-r));
		goto undo_segment;
	}
	log_info("network %.12s created: %s%s%s, mtu %u%s, announce %s, tag %u",
	    n->id, n->mode == MODE_VXLAN ? "vxlan segment " : "",
	    prefix_fmt(n->has4 ? &n->pool4 : &n->pool6, s, sizeof(s)),
	    n->has4 && n->has6 ? " + IPv6" : "",
	    host_mtu(ctx, n), n->internal ? ", internal" : "",
	    announce_kind_name(n->announce), n->tag);
	return 0;
undo_segment:
	if (n->mode == MODE_VXLAN)
		segment_del(ctx, n);
	i = nmarks;
undo:
	while (i-- > 0)
		model_aux_del(marks[i].pool, &marks[i].addr);
	model_net_del(ctx->model, n);
	free(n);
	return r;
}

/*
 * Take ep out of everything, once its deletion (with teardown_record()) is
 * on disk; its link goes later, with others (teardown.h).
 */
static void
ep_drop(struct rp_ctx *ctx, struct endpoint *ep)
{
	sandbox_cancel(ctx, ep->id);
	routes_ep_del(ctx, ep);
	teardown_add(ctx, ep);
	epopts_unreserve(ctx->model, ep);
	model_ep_del(ctx->model, ep);
	model_ep_free(ep);
}

/* n's pools that ReleasePool released already: they go with n. */
static size_t
released_pools(struct rp_ctx *ctx, const struct network *n,
    struct pool *out[2])
{
	char key[ADDR_STRLEN];
	struct pool *p;
	size_t k = 0;

	if (n->has4 && (p = model_pool_find(ctx->model, prefix_fmt(&n->pool4,
	    key, sizeof(key)))) != NULL && p->released)
		out[k++] = p;
	if (n->has6 && (p = model_pool_find(ctx->model, prefix_fmt(&n->pool6,
	    key, sizeof(key)))) != NULL && p->released)
		out[k++] = p;
	return k;
}

static int
nd_delete_network(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
	struct pool *pools[2];
	struct endpoint *ep;
	struct network *n;
	const char *id;
	size_t pos = 0, left = 0, np, i;
	int r;

	if ((r = api_get_id(c, c->req, "NetworkID", &id)) != 0)
		return r;
	if ((n = model_net_find(ctx->model, id)) == NULL) {
		log_debug("DeleteNetwork: unknown network %.12s, nothing to do", id);
		return 0;
	}
	/* Docker deletes endpoints first; remove any it left behind. */
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (strcmp(ep->net_id, id) == 0) {
			records_del_ep(ctx->store, ep);
			teardown_record(ctx, ep);
			epopts_records_del(ctx->store, ctx->model, ep);
			left++;
		}
	records_del_net(ctx->store, n);
	np = released_pools(ctx, n, pools);
	for (i = 0; i < np; i++)
		records_del_pool(ctx->store, pools[i]);
	if ((r = store_commit(ctx->store)) != 0)
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	pos = 0;
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (strcmp(ep->net_id, id) == 0) {
			log_warnx("network %.12s deleted with endpoint %.12s still "
			    "present: removing it", id, ep->id);
			ep_drop(ctx, ep);
		}
	routes_net_del(ctx, n);
	if (n->mode == MODE_VXLAN)
		segment_del(ctx, n);
	model_net_del(ctx->model, n);
	for (i = 0; i < np; i++) {
		model_pool_del(ctx->model, pools[i]);
		model_pool_free(pools[i]);
	}
	log_info("network %.12s deleted%s", n->id, left ? " with its endpoints" :
	    "");
	free(n);
	return 0;
}

/* NetworkID and EndpointID of a request, and the network (may be NULL). */
static int
get_ids(struct api_call *c, struct network **n, const char **epid)
{
	const char *nid;
	int r;

	if ((r = api_get_id(c, c->req, "NetworkID", &nid)) != 0 ||
	    (r = api_get_id(c, c->req, "EndpointID", epid)) != 0)
		return r;
	*n = model_net_find(c->ctx->model, nid);
	return 0;
}

/* The endpoint epid of network n, or NULL. */
static struct endpoint *
find_ep(struct api_call *c, const char *epid, const struct network *n)
{
	struct endpoint *ep;

	if (n == NULL || (ep = model_ep_find(c->ctx->model, epid)) == NULL ||
	    strcmp(ep->net_id, n->id) != 0)
		return NULL;
	return ep;
}

/* A repeated CreateEndpoint: same Docker addresses, same options. */
static bool
ep_same(const struct endpoint *a, const struct endpoint *b,
    const struct ep_request *rq)
{
	size_t i, j = 0;

	if (strcmp(a->net_id, b->net_id) != 0)
		return false;
	for (i = 0; i < a->naddr; i++) {
		if (a->addrs[i].kind != EP_ADDR_DOCKER)
			continue;
		if (j == b->naddr || !addr_eq(&a->addrs[i].addr,
		    &b->addrs[j++].addr))
			return false;
	}
	return j == b->naddr && epopts_same(a, rq);
}

/*
 * The endpoint a CreateEndpoint request describes, with room for the extra
 * addresses rq asks for (not reserved yet), or NULL (c->err set).
 */
static struct endpoint *
parse_endpoint(struct api_call *c, const struct network *n, const char *epid,
    struct ep_request *rq)
{
	struct ipaddr a4, a6, docker[2];
	const cJSON *iface, *opts;
	struct endpoint *ep;
	char s[ADDR_STRLEN];
	bool has4, has6;
	size_t nd = 0, i;

	if (api_get_obj(c, c->req, "Interface", false, &iface) != 0 ||
	    api_get_obj(c, c->req, "Options", false, &opts) != 0 ||
	    api_get_addr(c, iface, "Address", &a4, &has4) != 0 ||
	    api_get_addr(c, iface, "AddressIPv6", &a6, &has6) != 0)
		return NULL;
	if (has4 != n->has4) {
		api_fail(c, -EINVAL, has4 ? "the network has no IPv4 subnet, "
		    "but the endpoint has an IPv4 address" : "endpoint has no "
		    "IPv4 address (use --ipam-driver=ipam-routed and --subnet)");
		return NULL;
	}
	if (!has4 && !has6) {
		api_fail(c, -EINVAL, "endpoint has no address");
		return NULL;
	}
	if ((has4 && a4.family != AF_INET) || (has6 && a6.family != AF_INET6)) {
		api_fail(c, -EINVAL, "Address must be IPv4 and AddressIPv6 IPv6");
		return NULL;
	}
	if (has4 && !prefix_contains(&n->pool4, &a4)) {
		api_fail(c, -ERANGE, "address %s is not in the network's subnet",
		    addr_fmt(&a4, s, sizeof(s)));
		return NULL;
	}
	if (has6 && (!n->has6 || !prefix_contains(&n->pool6, &a6))) {
		api_fail(c, -ERANGE, "address %s is not in the network's IPv6 "
		    "subnet", addr_fmt(&a6, s, sizeof(s)));
		return NULL;
	}
	if (has4)
		docker[nd++] = a4;
	if (has6)
		docker[nd++] = a6;
	if (epopts_parse(c, iface, opts, docker, nd, rq) != 0)
		return NULL;
	if (epopts_nextra(rq) > 0 && !c->ctx->cfg.extra_addrs) {
		api_fail(c, -EPERM, "extra addresses (routed.ips, routed.ip-count, "
		    "routed.anycast) need routed-plugin --extra-addresses");
		return NULL;
	}
	if (n->link == LINK_IPVLAN) {
		/* An ipvlan slave has its parent's MAC address. */
		if (rq->engine_mac) {
			api_fail(c, -EINVAL, "an endpoint of an ipvlan network "
			    "cannot have its own MAC address");
			return NULL;
		}
		rq->set.has_mac = false;
	}
	if ((ep = model_ep_new(nd + epopts_nextra(rq))) == NULL) {
		api_fail(c, -ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(ep->id, sizeof(ep->id), "%s", epid);
	snprintf(ep->net_id, sizeof(ep->net_id), "%s", n->id);
	ep->link = n->link;
	ep->set = rq->set;
	for (i = 0; i < nd; i++)
		model_ep_set_addr(ep, i, &docker[i]);
	model_ep_ifnames(ep);
	return ep;
}

/* The first address of ep that clash holds (for the error message). */
static const char *
clashing_addr(struct rp_ctx *ctx, const struct endpoint *ep,
    const struct endpoint *clash)
{
	size_t i;

	for (i = 0; i < ep->naddr; i++)
		if (model_ep_by_addr(ctx->model, &ep->addrs[i].addr) == clash)
			return ep->addrs[i].key;
	return ep->addrs[0].key;
}

/* The number of Docker's addresses of a new endpoint (they come first). */
static size_t
docker_addrs(const struct endpoint *ep, const struct ep_request *rq)
{
	return ep->naddr - epopts_nextra(rq);
}

static int
nd_create_endpoint(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
	const struct endpoint *clash;
	struct endpoint *ep, *old;
	struct ep_request rq;
	struct network *n;
	struct host_undo undo;
	const char *epid;
	char list[1024];
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0)
		return r;
	if (n == NULL)
		return api_fail(c, -ENOENT, "unknown network");
	if ((ep = parse_endpoint(c, n, epid, &rq)) == NULL)
		return -EINVAL;
	if ((old = model_ep_find(ctx->model, epid)) != NULL) {
		/* Repeated: same endpoint, make sure its host side is there. */
		ep->naddr = docker_addrs(ep, &rq);
		r = ep_same(old, ep, &rq) ? 0 : api_fail(c, -EEXIST, "endpoint "
		    "%.12s exists with other addresses or options", epid);
		model_ep_free(ep);
		if (r != 0)
			return r;
		if ((r = host_ep_add(ctx, n, old, &undo, c->err,
		    sizeof(c->err))) != 0)
			return r;
		old->plumbed = true;
		return epopts_reply(c, old, &rq);
	}
	if ((r = epopts_reserve(c, n, ep, docker_addrs(ep, &rq), &rq)) != 0) {
		model_ep_free(ep);
		return r;
	}
	if ((r = model_ep_add(ctx->model, ep, &clash)) != 0) {
		if (r != -EEXIST)
			api_fail(c, r, "out of memory");
		else if (strcmp(clash->host_if, ep->host_if) == 0)
			api_fail(c, r, "interface name %s of endpoint %.12s is "
			    "taken by endpoint %.12s", ep->host_if, epid,
			    clash->id);
		else
			api_fail(c, r, "address %s is already in use by endpoint "
			    "%.12s", clashing_addr(ctx, ep, clash), clash->id);
		epopts_unreserve(ctx->model, ep);
		model_ep_free(ep);
		return r;
	}
	/* The same endpoint ID again: its old link may still hold the names. */
	if ((r = teardown_claim(ctx, ep, c->err, sizeof(c->err))) != 0 ||
	    (r = host_ep_add(ctx, n, ep, &undo, c->err, sizeof(c->err))) != 0)
		goto undo_model;
	records_put_ep(ctx->store, ep);
	epopts_records_put(ctx->store, ctx->model, ep);
	/*
	 * Lazy, as Join's: the line is written (in the kernel's page cache)
	 * before the reply, so a crash of the daemon loses nothing; only a
	 * crash of the machine can lose it, and that takes the veth with it:
	 * the next start would forget the endpoint all the same (reconcile.c),
	 * and Docker releases the address.  The next synchronous commit, or
	 * the kernel's writeback, puts it on disk.  See "Durability" in README.
	 */
	if ((r = store_commit_lazy(ctx->store)) != 0) {
		api_fail(c, r, "cannot save state: %s", strerror(-r));
		host_ep_undo(ctx, ep, &undo);
		goto undo_model;
	}
	ep->plumbed = true;
	log_info("endpoint %.12s: %s%s%s on %s", epid, ep->addrs[0].key,
	    ep->naddr > 1 && ep->addrs[1].kind == EP_ADDR_DOCKER ? " " : "",
	    ep->naddr > 1 && ep->addrs[1].kind == EP_ADDR_DOCKER ?
	    ep->addrs[1].key : "", ep->route_if);
	if (epopts_nextra(&rq) > 0)
		log_info("endpoint %.12s: extra addresses %s", epid,
		    epopts_list(ep, list, sizeof(list)));
	return epopts_reply(c, ep, &rq);
undo_model:
	model_ep_del(ctx->model, ep);
	epopts_unreserve(ctx->model, ep);
	model_ep_free(ep);
	return r;
}

static int
nd_delete_endpoint(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
	struct endpoint *ep;
	struct network *n;
	const char *epid;
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0)
		return r;
	if ((ep = find_ep(c, epid, n)) == NULL) {
		log_debug("DeleteEndpoint: unknown endpoint %.12s, nothing to do",
		    epid);
		return 0;
	}
	records_del_ep(ctx->store, ep);
	teardown_record(ctx, ep);
	epopts_records_del(ctx->store, ctx->model, ep);
	if ((r = store_commit(ctx->store)) != 0)
		return api_fail(c, r, "cannot save state: %s", strerror(-r));
	log_info("endpoint %.12s deleted", ep->id);
	ep_drop(ctx, ep);
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
	if (n == NULL)
		return api_fail(c, -ENOENT, "unknown network");
	if ((ep = find_ep(c, epid, n)) == NULL)
		return api_fail(c, -ENOENT, "unknown endpoint %.12s", epid);
	if ((v = cJSON_AddObjectToObject(c->reply, "Value")) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return api_put_str(c, v, "HostInterface", ep->route_if);
}

/*
 * A container on several routed networks has one interface per network,
 * and each needs the gateway on-link, but Docker adds every Join's static
 * routes to the one container: the same route twice fails with "file
 * exists".  So the k-th routed interface of a sandbox (its gw_slot) gets
 * the gateway as a /(32-k) instead: distinct prefixes, each holding the
 * gateway.  Docker (osl programGateway) puts the default route on
 * whichever interface the gateway resolves to, the longest prefix, and
 * takes it off the same way; so a new interface must never take a longer
 * prefix than those already there, or the next gateway change would miss
 * the old default route ("file exists" again): slots only grow within a
 * sandbox, and are reused only once all 16 have been handed out.  IPv6
 * needs no route: a link-local gateway is on-link on every interface.
 */
static unsigned
free_gw_slot(struct rp_ctx *ctx, const struct endpoint *ep, const char *sb)
{
	const struct endpoint *o;
	uint32_t used = 0;
	size_t pos = 0;
	unsigned k, next = 0;

	if (sb[0] == '\0')
		return 0;
	while ((o = model_ep_next(ctx->model, &pos)) != NULL)
		if (o != ep && o->joined && strcmp(o->sandbox, sb) == 0 &&
		    o->gw_slot < MODEL_GW_SLOTS) {
			used |= 1u << o->gw_slot;
			if (o->gw_slot + 1 > next)
				next = o->gw_slot + 1;
		}
	if (next < MODEL_GW_SLOTS)
		return next;
	for (k = 0; k < MODEL_GW_SLOTS; k++)
		if (!(used & (1u << k)))
			return k;
	return MODEL_GW_SLOTS;
}

/* A static route of Join's reply; nexthop NULL: connected (on-link). */
static int
put_route(struct api_call *c, cJSON *routes, const struct ipprefix *dst,
    const struct ipaddr *nexthop)
{
	char s[ADDR_STRLEN];
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	cJSON_AddItemToArray(routes, o);
	if (cJSON_AddStringToObject(o, "Destination",
	    prefix_fmt(dst, s, sizeof(s))) == NULL ||
	    cJSON_AddNumberToObject(o, "RouteType", nexthop ? 0 : 1) == NULL ||
	    (nexthop && cJSON_AddStringToObject(o, "NextHop",
	    addr_fmt(nexthop, s, sizeof(s))) == NULL))
		return api_fail(c, -ENOMEM, "out of memory");
	return 0;
}

/*
 * Join's answer: the interface, the gateway of each family, the IPv4
 * gateway on-link (see free_gw_slot), and the network's IPv4 subnet on-link
 * on this interface: the host answers ARP for every address it routes
 * (proxy ARP), so a container on several networks reaches each network
 * through that network's own interface and address, the direct path, and
 * only the rest through its default route.  (IPv6 has no such proxy for
 * whole subnets: there the default route carries it.)
 */
static int
join_reply(struct api_call *c, const struct network *n,
    const struct endpoint *ep)
{
	struct rp_ctx *ctx = c->ctx;
	const struct ipaddr *gw4 = &ctx->cfg.gateway4;
	char s[ADDR_STRLEN];
	struct ipprefix h;
	cJSON *ifn, *routes;
	int r = 0;

	if ((ifn = cJSON_AddObjectToObject(c->reply, "InterfaceName")) == NULL ||
	    (routes = cJSON_CreateArray()) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	if ((r = api_put_str(c, ifn, "SrcName", ep->peer_if)) != 0 ||
	    (r = api_put_str(c, ifn, "DstPrefix", "eth")) != 0)
		goto out;
	/* A segment's gateway is on its bridge, on-link in its subnet. */
	if (n->mode == MODE_VXLAN)
		gw4 = segment_gateway(ctx, n);
	if (model_ep_addr(ep, AF_INET) != NULL) {
		h.addr = *gw4;
		h.plen = (uint8_t)(32 - ep->gw_slot);
		prefix_first(&h, &h.addr);
		if ((r = api_put_str(c, c->reply, "Gateway",
		    addr_fmt(gw4, s, sizeof(s)))) != 0 ||
		    ((n->mode != MODE_VXLAN || !prefix_contains(&n->pool4,
		    gw4)) && (r = put_route(c, routes, &h, NULL)) != 0) ||
		    (r = put_route(c, routes, &n->pool4, NULL)) != 0)
			goto out;
		if (!cJSON_AddItemToObject(c->reply, "StaticRoutes", routes)) {
			r = api_fail(c, -ENOMEM, "out of memory");
			goto out;
		}
		routes = NULL;
	}
	if (model_ep_addr(ep, AF_INET6) != NULL)
		r = api_put_str(c, c->reply, "GatewayIPv6",
		    addr_fmt(&ctx->cfg.gateway6, s, sizeof(s)));
out:
	cJSON_Delete(routes);
	return r;
}

static int
nd_join(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
	struct endpoint *ep;
	struct network *n;
	const char *epid, *sandbox;
	char oldsb[MODEL_SANDBOX_MAX];
	struct host_undo undo;
	bool oldjoined, oldplumbed;
	unsigned slot, oldslot;
	int r;

	if ((r = get_ids(c, &n, &epid)) != 0 ||
	    (r = api_get_str(c, c->req, "SandboxKey", false, &sandbox)) != 0)
		return r;
	if ((ep = find_ep(c, epid, n)) == NULL)
		return api_fail(c, -ENOENT, "unknown endpoint %.12s", epid);
	if (sandbox == NULL)
		sandbox = "";
	if (strlen(sandbox) >= MODEL_SANDBOX_MAX)
		return api_fail(c, -EINVAL, "SandboxKey is too long");
	if (ep->joined && strcmp(ep->sandbox, sandbox) == 0)
		slot = ep->gw_slot;	/* repeated: the same answer */
	else if ((slot = free_gw_slot(ctx, ep, sandbox)) == MODEL_GW_SLOTS)
		return api_fail(c, -E2BIG, "the container is on %d routed "
		    "networks already", MODEL_GW_SLOTS);
	/* Redo the host side only if this process has not seen it done. */
	memset(&undo, 0, sizeof(undo));
	if (!ep->plumbed && (r = host_ep_add(ctx, n, ep, &undo, c->err,
	    sizeof(c->err))) != 0)
		return r;
	oldplumbed = ep->plumbed;
	ep->plumbed = true;
	oldjoined = ep->joined;
	oldslot = ep->gw_slot;
	snprintf(oldsb, sizeof(oldsb), "%s", ep->sandbox);
	ep->joined = true;
	ep->gw_slot = slot;
	snprintf(ep->sandbox, sizeof(ep->sandbox), "%s", sandbox);
	if ((r = routes_ep_add(ctx, n, ep)) != 0) {
		api_fail(c, r, "cannot announce the endpoint: %s", strerror(-r));
		goto undo;
	}
	records_put_ep(ctx->store, ep);
	if ((r = store_commit_lazy(ctx->store)) != 0) {
		api_fail(c, r, "cannot save state: %s", strerror(-r));
		if (!oldjoined)
			routes_ep_del(ctx, ep);
		goto undo;
	}
	if ((r = join_reply(c, n, ep)) != 0)
		return r;
	sandbox_watch(ctx, ep);
	log_info("endpoint %.12s joined %s", ep->id, ep->sandbox);
	return 0;
undo:
	ep->joined = oldjoined;
	ep->gw_slot = oldslot;
	snprintf(ep->sandbox, sizeof(ep->sandbox), "%s", oldsb);
	host_ep_undo(ctx, ep, &undo);
	ep->plumbed = oldplumbed;
	return r;
}

static int
nd_leave(struct api_call *c)
{
	struct rp_ctx *ctx = c->ctx;
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
	if (ep->joined) {
		ep->joined = false;
		records_put_ep(ctx->store, ep);
		if ((r = store_commit_lazy(ctx->store)) != 0) {
			ep->joined = true;
			return api_fail(c, r, "cannot save state: %s",
			    strerror(-r));
		}
	}
	routes_ep_del(ctx, ep);
	if ((r = host_ep_routes_del(ctx, ep)) != 0)
		log_warnx("endpoint %.12s: cannot remove its host routes: %s",
		    ep->id, strerror(-r));
	ep->plumbed = false;		/* its routes are gone */
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
	{ "/NetworkDriver.GwAllocCheck", nd_gw_alloc_check },
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
