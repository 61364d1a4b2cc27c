/* SPDX-License-Identifier: MIT */
/*
 * records.c: see records.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "announce.h"
#include "records.h"

#define KEY_MAX		(2 * ADDR_STRLEN)

/* The order a load applies kinds in: what a record refers to comes first. */
static const char *const kinds[] = {
	REC_POOL, REC_ADDR, REC_AUX, REC_NET, REC_EP, REC_DOOMED,
};

static const char *
addr_key(const struct pool *p, const struct ipaddr *a, char *out, size_t len)
{
	char s[ADDR_STRLEN];

	snprintf(out, len, "%s %s", p->id, addr_fmt(a, s, sizeof(s)));
	return out;
}

static const char *
link_name(enum link_kind k)
{
	switch (k) {
	case LINK_VETH:
		return "veth";
	case LINK_IPVLAN:
		return "ipvlan";
	}
	return "?";
}

static int
link_parse(const char *s, enum link_kind *k)
{
	if (s == NULL || strcmp(s, "veth") == 0) {
		*k = LINK_VETH;
		return 0;
	}
	if (strcmp(s, "ipvlan") == 0) {
		*k = LINK_IPVLAN;
		return 0;
	}
	return -EINVAL;
}

/* ---------------------------------------------------------------- values */

static int
put_opt(const char *key, const char *value, void *arg)
{
	return cJSON_AddStringToObject(arg, key, value) ? 0 : -ENOMEM;
}

/*
 * A VXLAN segment's members: "mode", "vni", its options as given (Docker's
 * keys and text, read back by the same parser) and what the plugin made.
 * Routed networks have none of them: an older record reads as routed.
 */
static int
seg_value(cJSON *o, const struct network *n)
{
	cJSON *opts;

	if (n->mode != MODE_VXLAN)
		return 0;
	if (!cJSON_AddStringToObject(o, "mode", "vxlan") ||
	    !cJSON_AddNumberToObject(o, "vni", n->seg.vni) ||
	    (opts = cJSON_AddObjectToObject(o, "options")) == NULL ||
	    segconf_walk(&n->seg, put_opt, opts) != 0 ||
	    !cJSON_AddNumberToObject(o, "made", n->seg.made) ||
	    !cJSON_AddNumberToObject(o, "made_fdb", n->seg.made_fdb))
		return -ENOMEM;
	return 0;
}

static cJSON *
pool_value(const struct pool *p)
{
	char s[ADDR_STRLEN];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "pool", p->id) ||
	    (p->has_range && !cJSON_AddStringToObject(o, "range",
	    prefix_fmt(&p->range, s, sizeof(s)))) ||
	    (p->released && !cJSON_AddTrueToObject(o, "released"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *
net_value(const struct network *n)
{
	char s[ADDR_STRLEN];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "id", n->id) ||
	    !cJSON_AddStringToObject(o, "link", link_name(n->link)) ||
	    (n->link == LINK_IPVLAN && (!cJSON_AddStringToObject(o, "parent",
	    n->parent) || !cJSON_AddStringToObject(o, "ipvlan_mode",
	    model_ipvlan_mode_name(n->ipvlan_mode)))) ||
	    !cJSON_AddNumberToObject(o, "mtu", n->mtu) ||
	    !cJSON_AddBoolToObject(o, "internal", n->internal) ||
	    !cJSON_AddBoolToObject(o, "ipv6", n->ipv6) ||
	    !cJSON_AddStringToObject(o, "announce",
	    announce_kind_name(n->announce)) ||
	    !cJSON_AddNumberToObject(o, "tag", n->tag) ||
	    (n->has_metric && !cJSON_AddNumberToObject(o, "metric", n->metric)) ||
	    !cJSON_AddNumberToObject(o, "distance", n->distance) ||
	    (n->has4 && (!cJSON_AddStringToObject(o, "pool4",
	    prefix_fmt(&n->pool4, s, sizeof(s))) ||
	    !cJSON_AddStringToObject(o, "agg4",
	    prefix_fmt(&n->agg4, s, sizeof(s))))) ||
	    (n->has6 && (!cJSON_AddStringToObject(o, "pool6",
	    prefix_fmt(&n->pool6, s, sizeof(s))) ||
	    !cJSON_AddStringToObject(o, "agg6",
	    prefix_fmt(&n->agg6, s, sizeof(s))))) || seg_value(o, n) != 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The addresses of ep of one kind, as an array member name of o. */
static bool
put_addrs(cJSON *o, const char *name, const struct endpoint *ep,
    enum ep_addr_kind kind, bool always)
{
	cJSON *arr = NULL, *s;
	size_t i;

	for (i = 0; i < ep->naddr; i++) {
		if (ep->addrs[i].kind != kind)
			continue;
		if (arr == NULL && (arr = cJSON_AddArrayToObject(o, name)) == NULL)
			return false;
		if ((s = cJSON_CreateString(ep->addrs[i].key)) == NULL)
			return false;
		cJSON_AddItemToArray(arr, s);
	}
	return arr != NULL || !always || cJSON_AddArrayToObject(o, name);
}

/* The endpoint's own settings, each only when set. */
static bool
put_settings(cJSON *o, const struct ep_settings *set)
{
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", set->mac[0],
	    set->mac[1], set->mac[2], set->mac[3], set->mac[4], set->mac[5]);
	return (set->mtu == 0 || cJSON_AddNumberToObject(o, "mtu", set->mtu)) &&
	    (!set->has_tag || cJSON_AddNumberToObject(o, "tag", set->tag)) &&
	    (!set->has_metric || cJSON_AddNumberToObject(o, "metric",
	    set->metric)) &&
	    (!set->has_anycast_tag || cJSON_AddNumberToObject(o, "anycast_tag",
	    set->anycast_tag)) &&
	    (!set->has_mac || cJSON_AddStringToObject(o, "mac", mac));
}

static cJSON *
ep_value(const struct endpoint *ep)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "id", ep->id) ||
	    !cJSON_AddStringToObject(o, "network", ep->net_id) ||
	    !cJSON_AddStringToObject(o, "link", link_name(ep->link)) ||
	    !put_addrs(o, "addrs", ep, EP_ADDR_DOCKER, true) ||
	    !put_addrs(o, "extra", ep, EP_ADDR_EXTRA, false) ||
	    !put_addrs(o, "anycast", ep, EP_ADDR_ANYCAST, false) ||
	    !put_settings(o, &ep->set) ||
	    !cJSON_AddStringToObject(o, "host_if", ep->host_if) ||
	    !cJSON_AddBoolToObject(o, "joined", ep->joined) ||
	    (ep->gw_slot != 0 && !cJSON_AddNumberToObject(o, "gw_slot",
	    ep->gw_slot)) ||
	    !cJSON_AddStringToObject(o, "sandbox", ep->sandbox)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---------------------------------------------------------------- changes */

void
records_put_pool(struct store *st, const struct pool *p)
{
	store_put(st, REC_POOL, p->id, pool_value(p));
}

struct del_arg {
	struct store *st;
	const struct pool *p;
};

static int
del_addr_record(const struct ipaddr *a, void *arg)
{
	struct del_arg *d = arg;

	records_del_addr(d->st, d->p, a);
	return 0;
}

void
records_del_pool(struct store *st, const struct pool *p)
{
	store_del(st, REC_POOL, p->id);
	alloc_walk(p->al, del_addr_record, &(struct del_arg){ st, p });
}

void
records_put_addr(struct store *st, const struct pool *p, const struct ipaddr *a)
{
	char key[KEY_MAX];

	store_put(st, REC_ADDR, addr_key(p, a, key, sizeof(key)),
	    cJSON_CreateTrue());
}

void
records_del_addr(struct store *st, const struct pool *p, const struct ipaddr *a)
{
	char key[KEY_MAX];

	addr_key(p, a, key, sizeof(key));
	store_del(st, REC_ADDR, key);
	if (model_aux_has(p, a))
		store_del(st, REC_AUX, key);
}

void
records_put_aux(struct store *st, const struct pool *p, const struct ipaddr *a)
{
	char key[KEY_MAX];

	store_put(st, REC_AUX, addr_key(p, a, key, sizeof(key)),
	    cJSON_CreateTrue());
}

void
records_put_net(struct store *st, const struct network *n)
{
	store_put(st, REC_NET, n->id, net_value(n));
}

void
records_del_net(struct store *st, const struct network *n)
{
	store_del(st, REC_NET, n->id);
}

void
records_put_ep(struct store *st, const struct endpoint *ep)
{
	store_put(st, REC_EP, ep->id, ep_value(ep));
}

void
records_del_ep(struct store *st, const struct endpoint *ep)
{
	store_del(st, REC_EP, ep->id);
}

void
records_put_doomed(struct store *st, const char *name)
{
	store_put(st, REC_DOOMED, name, cJSON_CreateTrue());
}

void
records_del_doomed(struct store *st, const char *name)
{
	store_del(st, REC_DOOMED, name);
}

/* ---------------------------------------------------------------- load */

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

	if (n == 0 || n > MODEL_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/* A whole number member within [min, max]; absent is -ENOENT. */
static int
num_field(const cJSON *o, const char *name, double min, double max,
    unsigned long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v == NULL)
		return -ENOENT;
	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
	    v->valuedouble != (double)(unsigned long)v->valuedouble)
		return -EINVAL;
	*out = (unsigned long)v->valuedouble;
	return 0;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } \
    while (0)

/* An optional boolean member: absent is false. */
static int
bool_field(const cJSON *o, const char *name, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v != NULL && !cJSON_IsBool(v))
		return -EINVAL;
	*out = cJSON_IsTrue(v);
	return 0;
}

static int
apply_pool(struct model *m, const char *key, const cJSON *v, char *err,
    size_t errlen)
{
	const char *id = jstr(v, "pool"), *rg = jstr(v, "range");
	struct ipprefix prefix, range;
	char text[ADDR_STRLEN];
	struct pool *p;
	int r;

	if (id == NULL || strcmp(id, key) != 0 ||
	    prefix_parse(id, &prefix) != 0 || !prefix_is_network(&prefix) ||
	    strcmp(prefix_fmt(&prefix, text, sizeof(text)), id) != 0)
		FAIL("no valid, canonical \"pool\" prefix equal to its key");
	if ((rg == NULL && cJSON_GetObjectItemCaseSensitive(v, "range")) ||
	    (rg != NULL && prefix_parse(rg, &range) != 0))
		FAIL("an invalid range");
	if ((p = model_pool_new(&prefix, rg ? &range : NULL, err, errlen)) ==
	    NULL)
		return -EINVAL;
	if (bool_field(v, "released", &p->released) != 0) {
		model_pool_free(p);
		FAIL("an invalid released mark");
	}
	if ((r = model_pool_add(m, p)) != 0) {
		model_pool_free(p);
		if (r == -EEXIST)
			FAIL("it overlaps another pool");
		return r;
	}
	return 0;
}

/* The pool and address of an addr or aux key. */
static int
split_addr_key(struct model *m, const char *key, struct pool **p,
    struct ipaddr *a, char *err, size_t errlen)
{
	const char *sp = strchr(key, ' ');
	char pool[ADDR_STRLEN], text[ADDR_STRLEN];

	if (sp == NULL || (size_t)(sp - key) >= sizeof(pool))
		FAIL("the key is not \"<pool> <address>\"");
	memcpy(pool, key, (size_t)(sp - key));
	pool[sp - key] = '\0';
	if ((*p = model_pool_find(m, pool)) == NULL)
		FAIL("its pool %s has no record", pool);
	if (addr_parse(sp + 1, a) != 0 || !prefix_contains(&(*p)->prefix, a))
		FAIL("not an address of pool %s", pool);
	/* Written canonical: another spelling is not a key this daemon wrote. */
	if (strcmp(addr_fmt(a, text, sizeof(text)), sp + 1) != 0)
		FAIL("the address is not written canonically (%s)", text);
	return 0;
}

static int
apply_addr(struct model *m, const char *kind, const char *key,
    const cJSON *v, char *err, size_t errlen)
{
	struct ipaddr a;
	struct pool *p;
	int r;

	if (!cJSON_IsTrue(v))
		FAIL("the value is not true");
	if ((r = split_addr_key(m, key, &p, &a, err, errlen)) != 0)
		return r;
	if (strcmp(kind, REC_ADDR) == 0) {
		if ((r = model_addr_take(p, &a)) == -ENOMEM)
			return r;
		if (r != 0)
			FAIL("cannot be allocated (%s)", strerror(-r));
		return 0;
	}
	if ((r = model_aux_add(p, &a)) == -ENOENT)
		FAIL("an auxiliary address that is not allocated");
	return r;
}

static int
net_prefixes(const cJSON *v, const char *pname, const char *aname, int af,
    struct ipprefix *pool, struct ipprefix *agg, bool *has)
{
	const char *ps = jstr(v, pname), *as = jstr(v, aname);

	*has = ps != NULL;
	if (ps == NULL)
		return cJSON_GetObjectItemCaseSensitive(v, pname) ||
		    cJSON_GetObjectItemCaseSensitive(v, aname) ? -EINVAL : 0;
	if (prefix_parse(ps, pool) != 0 || pool->addr.family != af ||
	    as == NULL || prefix_parse(as, agg) != 0 ||
	    agg->addr.family != af || !prefix_covers(pool, agg))
		return -EINVAL;
	return 0;
}

/* An ipvlan network's parent and mode; none for other links. */
static int
net_ipvlan(const cJSON *v, struct network *n)
{
	const char *parent = jstr(v, "parent"), *mode = jstr(v, "ipvlan_mode");

	if (n->link != LINK_IPVLAN)
		return cJSON_GetObjectItemCaseSensitive(v, "parent") ||
		    cJSON_GetObjectItemCaseSensitive(v, "ipvlan_mode") ?
		    -EINVAL : 0;
	if (parent == NULL || parent[0] == '\0' ||
	    strlen(parent) >= IFNAMSIZ ||
	    model_ipvlan_mode_parse(mode, &n->ipvlan_mode) != 0)
		return -EINVAL;
	snprintf(n->parent, sizeof(n->parent), "%s", parent);
	return 0;
}

/* The segment members of a network record (see seg_value). */
static int
seg_apply(const cJSON *v, struct network *n, char *err, size_t errlen)
{
	const char *mode = jstr(v, "mode");
	const cJSON *opts, *it;
	unsigned long vni, made, made_fdb;

	n->mode = MODE_ROUTED;
	if (cJSON_GetObjectItemCaseSensitive(v, "mode") == NULL)
		return 0;
	if (mode == NULL || strcmp(mode, "vxlan") != 0)
		FAIL("an unknown mode");
	n->mode = MODE_VXLAN;
	opts = cJSON_GetObjectItemCaseSensitive(v, "options");
	if (num_field(v, "vni", 1, SEG_VNI_MAX, &vni) != 0 ||
	    num_field(v, "made", 0, UINT32_MAX, &made) != 0 ||
	    num_field(v, "made_fdb", 0, UINT32_MAX, &made_fdb) != 0 ||
	    !cJSON_IsObject(opts))
		FAIL("invalid segment settings (vni, options, made)");
	segconf_init(&n->seg, (uint32_t)vni);
	cJSON_ArrayForEach(it, opts) {
		if (!cJSON_IsString(it) || segconf_set(&n->seg, it->string,
		    it->valuestring, err, errlen) != 0)
			FAIL("invalid segment option %.64s", it->string);
	}
	if (segconf_finish(&n->seg, err, errlen) != 0)
		return -EINVAL;
	n->seg.made = (uint32_t)made;
	n->seg.made_fdb = (uint32_t)made_fdb;
	if (!n->has4 || n->has6)
		FAIL("a segment without one IPv4 subnet");
	return 0;
}

static int
apply_net(struct model *m, const char *key, const cJSON *v, char *err,
    size_t errlen)
{
	const char *id = jstr(v, "id");
	unsigned long mtu, tag, dist, metric = 0;
	struct network *n;
	int r;

	if (!valid_id(id) || strcmp(id, key) != 0)
		FAIL("no valid id equal to its key");
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -ENOMEM;
	snprintf(n->id, sizeof(n->id), "%s", id);
	if (num_field(v, "mtu", 0, 65535, &mtu) != 0 ||
	    num_field(v, "tag", 0, UINT32_MAX, &tag) != 0 ||
	    num_field(v, "distance", 0, 255, &dist) != 0 ||
	    (r = num_field(v, "metric", 0, UINT32_MAX, &metric)) == -EINVAL ||
	    bool_field(v, "internal", &n->internal) != 0 ||
	    bool_field(v, "ipv6", &n->ipv6) != 0 ||
	    link_parse(jstr(v, "link"), &n->link) != 0 ||
	    (cJSON_GetObjectItemCaseSensitive(v, "link") && !jstr(v, "link")) ||
	    announce_kind_parse(jstr(v, "announce") ? jstr(v, "announce") : "",
	    &n->announce) != 0) {
		free(n);
		FAIL("invalid settings (mtu, tag, distance, metric, announce, "
		    "link)");
	}
	if (net_ipvlan(v, n) != 0) {
		free(n);
		FAIL("invalid ipvlan parent or mode");
	}
	n->mtu = (unsigned)mtu;
	n->tag = (uint32_t)tag;
	n->distance = (uint8_t)dist;
	n->has_metric = r == 0;
	n->metric = (uint32_t)metric;
	if (net_prefixes(v, "pool4", "agg4", AF_INET, &n->pool4, &n->agg4,
	    &n->has4) != 0 || net_prefixes(v, "pool6", "agg6", AF_INET6,
	    &n->pool6, &n->agg6, &n->has6) != 0 || (!n->has4 && !n->has6)) {
		free(n);
		FAIL("invalid pools or aggregates");
	}
	if ((r = seg_apply(v, n, err, errlen)) != 0) {
		free(n);
		return r;
	}
	if (n->link == LINK_IPVLAN && n->mode == MODE_VXLAN) {
		free(n);
		FAIL("an ipvlan segment");
	}
	if ((r = model_net_add(m, n)) != 0) {
		free(n);
		if (r == -EEXIST)
			FAIL("its subnet, VNI or a device name is another "
			    "network's");
		return r;
	}
	return 0;
}

/* An optional array of addresses, appended to out[*n..max). */
static int
addr_array(const cJSON *v, const char *name, struct ipaddr *out,
    enum ep_addr_kind *akind, enum ep_addr_kind kind, size_t max, size_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(v, name), *it;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	cJSON_ArrayForEach(it, arr) {
		if (*n == max || !cJSON_IsString(it) ||
		    addr_parse(it->valuestring, &out[*n]) != 0)
			return -EINVAL;
		akind[(*n)++] = kind;
	}
	return 0;
}

/*
 * The addresses of an endpoint record: "addrs" (or the older addr4/addr6),
 * then the extra ones of version 4.
 */
static int
ep_addrs(const cJSON *v, struct ipaddr *out, enum ep_addr_kind *akind,
    size_t max, size_t *n)
{
	const char *a4 = jstr(v, "addr4"), *a6 = jstr(v, "addr6");

	*n = 0;
	if (cJSON_GetObjectItemCaseSensitive(v, "addrs") != NULL) {
		if (a4 || a6 || addr_array(v, "addrs", out, akind, EP_ADDR_DOCKER,
		    max, n) != 0 || *n == 0)
			return -EINVAL;
	} else {
		if (a4 == NULL || addr_parse(a4, &out[0]) != 0 ||
		    out[0].family != AF_INET)
			return -EINVAL;
		akind[(*n)++] = EP_ADDR_DOCKER;
		if (a6 != NULL) {
			if (addr_parse(a6, &out[1]) != 0 ||
			    out[1].family != AF_INET6)
				return -EINVAL;
			akind[(*n)++] = EP_ADDR_DOCKER;
		}
	}
	if (addr_array(v, "extra", out, akind, EP_ADDR_EXTRA, max, n) != 0 ||
	    addr_array(v, "anycast", out, akind, EP_ADDR_ANYCAST, max, n) != 0)
		return -EINVAL;
	return 0;
}

/* The endpoint's own settings; absent ones are unset (older records). */
static int
ep_settings(const cJSON *v, struct ep_settings *set)
{
	const char *mac = jstr(v, "mac");
	unsigned long x;
	unsigned m[6];
	char tail;
	int r, i;

	memset(set, 0, sizeof(*set));
	if ((r = num_field(v, "mtu", 68, 65535, &x)) == -EINVAL)
		return r;
	set->mtu = r == 0 ? (unsigned)x : 0;
	if ((r = num_field(v, "tag", 0, UINT32_MAX, &x)) == -EINVAL)
		return r;
	set->has_tag = r == 0;
	set->tag = r == 0 ? (uint32_t)x : 0;
	if ((r = num_field(v, "metric", 0, UINT32_MAX, &x)) == -EINVAL)
		return r;
	set->has_metric = r == 0;
	set->metric = r == 0 ? (uint32_t)x : 0;
	if ((r = num_field(v, "anycast_tag", 0, UINT32_MAX, &x)) == -EINVAL)
		return r;
	set->has_anycast_tag = r == 0;
	set->anycast_tag = r == 0 ? (uint32_t)x : 0;
	if (mac == NULL)
		return cJSON_GetObjectItemCaseSensitive(v, "mac") ? -EINVAL : 0;
	if (strlen(mac) != 17 || sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0],
	    &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		set->mac[i] = (uint8_t)m[i];
	set->has_mac = true;
	return 0;
}

/*
 * The extra addresses of ep are allocated in their pools: their "addr"
 * records come in the commit of the endpoint's, so this only repairs a
 * state written by hand.
 */
static int
ep_reserve(struct model *m, const struct endpoint *ep)
{
	struct pool *p;
	size_t i;
	int r;

	for (i = 0; i < ep->naddr; i++)
		if (ep->addrs[i].kind != EP_ADDR_DOCKER &&
		    (p = model_ep_pool(m, ep, i)) != NULL &&
		    !model_addr_has(p, &ep->addrs[i].addr) &&
		    (r = model_addr_take(p, &ep->addrs[i].addr)) == -ENOMEM)
			return r;
	return 0;
}

static int
apply_ep(struct model *m, const char *key, const cJSON *v, char *err,
    size_t errlen)
{
	const char *id = jstr(v, "id"), *net = jstr(v, "network");
	const char *sb = jstr(v, "sandbox");
	struct ipaddr addrs[MODEL_EP_ADDR_MAX];
	enum ep_addr_kind akind[MODEL_EP_ADDR_MAX];
	const struct endpoint *clash;
	const struct network *n;
	struct ep_settings set;
	struct endpoint *ep;
	unsigned long slot = 0;
	size_t na, i;
	int r;

	if (!valid_id(id) || strcmp(id, key) != 0 || !valid_id(net))
		FAIL("no valid id equal to its key, or no valid network");
	if ((n = model_net_find(m, net)) == NULL)
		FAIL("its network %.12s has no record", net);
	if (ep_addrs(v, addrs, akind, MODEL_EP_ADDR_MAX, &na) != 0)
		FAIL("invalid addresses");
	for (i = 0; i < na; i++)
		if (!prefix_contains(addrs[i].family == AF_INET ? &n->pool4 :
		    &n->pool6, &addrs[i]) || (addrs[i].family == AF_INET ?
		    !n->has4 : !n->has6))
			FAIL("an address outside its network's subnets");
	if ((sb != NULL && strlen(sb) >= MODEL_SANDBOX_MAX) ||
	    (cJSON_GetObjectItemCaseSensitive(v, "sandbox") && sb == NULL))
		FAIL("an invalid sandbox");
	if (ep_settings(v, &set) != 0)
		FAIL("invalid settings (mtu, tag, metric, anycast_tag, mac)");
	if ((ep = model_ep_new(na)) == NULL)
		return -ENOMEM;
	snprintf(ep->id, sizeof(ep->id), "%s", id);
	snprintf(ep->net_id, sizeof(ep->net_id), "%s", net);
	snprintf(ep->sandbox, sizeof(ep->sandbox), "%s", sb ? sb : "");
	for (i = 0; i < na; i++) {
		model_ep_set_addr(ep, i, &addrs[i]);
		ep->addrs[i].kind = akind[i];
	}
	ep->set = set;
	if (num_field(v, "gw_slot", 0, MODEL_GW_SLOTS - 1, &slot) == -EINVAL ||
	    bool_field(v, "joined", &ep->joined) != 0 ||
	    link_parse(jstr(v, "link"), &ep->link) != 0 ||
	    ep->link != n->link) {
		model_ep_free(ep);
		FAIL("invalid joined, link or gw_slot");
	}
	model_ep_ifnames(ep);
	ep->gw_slot = (unsigned)slot;
	if ((r = model_ep_add(m, ep, &clash)) != 0) {
		model_ep_free(ep);
		if (r == -EEXIST)
			FAIL("its address or interface is also endpoint %.12s's",
			    clash ? clash->id : "?");
		return r;
	}
	if ((r = ep_reserve(m, ep)) != 0) {
		model_ep_del(m, ep);
		model_ep_free(ep);
		return r;
	}
	return 0;
}

static int
apply(void *arg, const char *kind, const char *key, const cJSON *value,
    char *err, size_t errlen)
{
	struct model *m = arg;

	if (strcmp(kind, REC_POOL) == 0)
		return apply_pool(m, key, value, err, errlen);
	if (strcmp(kind, REC_ADDR) == 0 || strcmp(kind, REC_AUX) == 0)
		return apply_addr(m, kind, key, value, err, errlen);
	if (strcmp(kind, REC_NET) == 0)
		return apply_net(m, key, value, err, errlen);
	if (strcmp(kind, REC_EP) == 0)
		return apply_ep(m, key, value, err, errlen);
	if (strcmp(kind, REC_DOOMED) == 0) {
		/* only a host side of ours: the start deletes what it names */
		if (!cJSON_IsTrue(value) || !model_is_our_ifname(key) ||
		    key[1] != 't')
			FAIL("not true, or not a host interface name of ours");
		return model_doomed_add(m, key);
	}
	FAIL("unknown kind");
}

/* ---------------------------------------------------------------- walk */

struct walk_arg {
	const struct pool *p;
	store_emit_fn emit;
	void *earg;
};

static int
walk_addr(const struct ipaddr *a, void *arg)
{
	struct walk_arg *w = arg;
	char key[KEY_MAX];

	return w->emit(w->earg, REC_ADDR, addr_key(w->p, a, key, sizeof(key)),
	    cJSON_CreateTrue());
}

static int
walk(void *arg, store_emit_fn emit, void *earg)
{
	struct model *m = arg;
	const struct endpoint *ep;
	const struct network *n;
	const struct pool *p;
	const char *name;
	char key[KEY_MAX];
	size_t pos = 0, i;
	int r;

	while ((p = model_pool_next(m, &pos)) != NULL) {
		struct walk_arg w = { p, emit, earg };

		if ((r = emit(earg, REC_POOL, p->id, pool_value(p))) != 0 ||
		    (r = alloc_walk(p->al, walk_addr, &w)) != 0)
			return r;
		for (i = 0; i < p->naux; i++)
			if ((r = emit(earg, REC_AUX, addr_key(p, &p->aux[i], key,
			    sizeof(key)), cJSON_CreateTrue())) != 0)
				return r;
	}
	pos = 0;
	while ((n = model_net_next(m, &pos)) != NULL)
		if ((r = emit(earg, REC_NET, n->id, net_value(n))) != 0)
			return r;
	pos = 0;
	while ((ep = model_ep_next(m, &pos)) != NULL)
		if ((r = emit(earg, REC_EP, ep->id, ep_value(ep))) != 0)
			return r;
	pos = 0;
	while ((name = model_doomed_next(m, &pos)) != NULL)
		if ((r = emit(earg, REC_DOOMED, name, cJSON_CreateTrue())) != 0)
			return r;
	return 0;
}

/* ---------------------------------------------------------------- version 1 */

/* A copy of v, or NULL; never consumes. */
static cJSON *
dup(const cJSON *v)
{
	return cJSON_Duplicate(v, true);
}

/*
 * Version 1 kept the modules' nested JSON whole: {"ipam":{"pools":[{"pool",
 * "range"?, "allocated":[..], "aux":[..]}]}, "netdrv":{"networks":[..],
 * "endpoints":[..]}}, with the values of version 2's records inside.
 */
static int
upgrade(const cJSON *j, store_emit_fn emit, void *earg)
{
	const cJSON *pools, *p, *a, *nd, *o;
	char key[256];
	cJSON *v;
	int r;

	pools = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "ipam"), "pools");
	nd = cJSON_GetObjectItemCaseSensitive(j, "netdrv");
	if (!cJSON_IsArray(pools) || !cJSON_IsObject(nd))
		return -EINVAL;
	cJSON_ArrayForEach(p, pools) {
		const char *id = jstr(p, "pool");

		if (id == NULL || (v = dup(p)) == NULL)
			return id == NULL ? -EINVAL : -ENOMEM;
		cJSON_DeleteItemFromObjectCaseSensitive(v, "allocated");
		cJSON_DeleteItemFromObjectCaseSensitive(v, "aux");
		if ((r = emit(earg, REC_POOL, id, v)) != 0)
			return r;
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p,
		    "allocated")) {
			if (!cJSON_IsString(a))
				return -EINVAL;
			snprintf(key, sizeof(key), "%s %s", id, a->valuestring);
			if ((r = emit(earg, REC_ADDR, key, cJSON_CreateTrue())) !=
			    0)
				return r;
		}
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p, "aux")) {
			if (!cJSON_IsString(a))
				return -EINVAL;
			snprintf(key, sizeof(key), "%s %s", id, a->valuestring);
			if ((r = emit(earg, REC_AUX, key, cJSON_CreateTrue())) != 0)
				return r;
		}
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(nd, "networks")) {
		if (jstr(o, "id") == NULL)
			return -EINVAL;
		if ((r = emit(earg, REC_NET, jstr(o, "id"), dup(o))) != 0)
			return r;
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(nd, "endpoints")) {
		if (jstr(o, "id") == NULL)
			return -EINVAL;
		if ((r = emit(earg, REC_EP, jstr(o, "id"), dup(o))) != 0)
			return r;
	}
	return 0;
}

void
records_schema(struct model *m, struct store_schema *out)
{
	out->kinds = kinds;
	out->nkinds = sizeof(kinds) / sizeof(kinds[0]);
	out->apply = apply;
	out->walk = walk;
	out->upgrade = upgrade;
	out->arg = m;
}
