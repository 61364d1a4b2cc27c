/* SPDX-License-Identifier: MIT */
/*
 * epopts.c: see epopts.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "epopts.h"
#include "num.h"
#include "records.h"
#include "store.h"

#define OPT_IPS		"routed.ips"
#define OPT_COUNT	"routed.ip-count"
#define OPT_ANYCAST	"routed.anycast"
#define OPT_ANYTAG	"routed.anycast-tag"
#define OPT_MTU		"routed.mtu"
#define OPT_TAG		"routed.tag"
#define OPT_METRIC	"routed.metric"

/* The routed.* keys an endpoint takes; listed in errors. */
static const char *const known[] = {
	OPT_IPS, OPT_COUNT, OPT_ANYCAST, OPT_ANYTAG, OPT_MTU, OPT_TAG,
	OPT_METRIC,
};

static int
unknown_key(struct api_call *c, const char *key)
{
	char list[256] = "";
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, known[i], sizeof(list) - strlen(list) - 1);
	}
	return api_fail(c, -EINVAL, "unknown endpoint option '%.64s': "
	    "net-routed knows %s", key, list);
}

static int
num_opt(struct api_call *c, const char *key, const char *s,
    unsigned long min, unsigned long max, unsigned long *out)
{
	if (num_parse_ulong(s, min, max, out) != 0)
		return api_fail(c, -EINVAL, "endpoint option %s=%.32s: must be "
		    "a number from %lu to %lu", key, s, min, max);
	return 0;
}

/*
 * "A,B,C" or "A B C" into out; *n counts on.  Blanks separate too, because
 * Docker's CLI splits --driver-opt and --network values at commas unless
 * the user quotes them for its CSV parser.
 */
static int
addr_list(struct api_call *c, const char *key, const char *s,
    struct ipaddr *out, size_t *n)
{
	char item[ADDR_STRLEN];
	const char *p = s;
	size_t len;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, ", ");
		if (len == 0 || len >= sizeof(item))
			return api_fail(c, -EINVAL, "endpoint option %s=%.64s: "
			    "not a list of addresses separated by commas or "
			    "blanks", key, s);
		memcpy(item, p, len);
		item[len] = '\0';
		if (*n == MODEL_EP_ADDR_MAX)
			return api_fail(c, -E2BIG, "endpoint option %s: more "
			    "than %d addresses", key, MODEL_EP_ADDR_MAX);
		if (addr_parse(item, &out[*n]) != 0)
			return api_fail(c, -EINVAL, "endpoint option %s: '%s' is "
			    "not an IPv4 or IPv6 address (no prefix length)",
			    key, item);
		(*n)++;
		p += len;
		while (*p == ' ')
			p++;
		if (*p == ',') {
			p++;
			while (*p == ' ')
				p++;
			if (*p == '\0')
				return api_fail(c, -EINVAL, "endpoint option "
				    "%s=%.64s: ends with a comma", key, s);
		}
	}
	if (*n == 0)
		return api_fail(c, -EINVAL, "endpoint option %s is empty", key);
	return 0;
}

/* "aa:bb:cc:dd:ee:ff" */
static int
mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	int i;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/*
 * The MAC of an endpoint whose engine gave none: locally administered,
 * 02:52 ('R') and the last four bytes of its first address, so that the
 * same address gets the same MAC whenever its container is made again and
 * neighbours' caches stay right.
 */
static void
mac_derive(const struct ipaddr *a, uint8_t mac[6])
{
	size_t len = addr_len(a->family);

	mac[0] = 0x02;
	mac[1] = a->family == AF_INET ? 0x52 : 0x56;
	memcpy(mac + 2, a->bytes + len - 4, 4);
}

static int
parse_opt(struct api_call *c, const char *key, const char *v,
    struct ep_request *rq)
{
	unsigned long x;
	int r;

	if (strcmp(key, OPT_IPS) == 0)
		return addr_list(c, key, v, rq->ips, &rq->nips);
	if (strcmp(key, OPT_ANYCAST) == 0)
		return addr_list(c, key, v, rq->anycast, &rq->nanycast);
	if (strcmp(key, OPT_COUNT) == 0) {
		if ((r = num_opt(c, key, v, 0, MODEL_EP_ADDR_MAX, &x)) == 0)
			rq->count = (unsigned)x;
		return r;
	}
	if (strcmp(key, OPT_MTU) == 0) {
		if ((r = num_opt(c, key, v, 68, 65535, &x)) == 0)
			rq->set.mtu = (unsigned)x;
		return r;
	}
	if (strcmp(key, OPT_TAG) == 0 || strcmp(key, OPT_METRIC) == 0 ||
	    strcmp(key, OPT_ANYTAG) == 0) {
		if ((r = num_opt(c, key, v, 0, UINT32_MAX, &x)) != 0)
			return r;
		if (strcmp(key, OPT_TAG) == 0) {
			rq->set.tag = (uint32_t)x;
			rq->set.has_tag = true;
		} else if (strcmp(key, OPT_METRIC) == 0) {
			rq->set.metric = (uint32_t)x;
			rq->set.has_metric = true;
		} else {
			rq->set.anycast_tag = (uint32_t)x;
			rq->set.has_anycast_tag = true;
		}
		return 0;
	}
	return unknown_key(c, key);
}

size_t
epopts_nextra(const struct ep_request *rq)
{
	return rq->nips + rq->nanycast + rq->count;
}

int
epopts_parse(struct api_call *c, const cJSON *iface, const cJSON *opts,
    const struct ipaddr *docker, size_t ndocker, struct ep_request *rq)
{
	const char *mac = NULL;
	const cJSON *it;
	bool v6 = false;
	size_t i;
	int r;

	memset(rq, 0, sizeof(*rq));
	cJSON_ArrayForEach(it, opts) {
		if (it->string == NULL || strncmp(it->string, "routed.", 7) != 0)
			continue;
		if (!cJSON_IsString(it))
			return api_fail(c, -EINVAL, "endpoint option %.64s must be "
			    "a string", it->string);
		if ((r = parse_opt(c, it->string, it->valuestring, rq)) != 0)
			return r;
	}
	if (ndocker + epopts_nextra(rq) > MODEL_EP_ADDR_MAX)
		return api_fail(c, -E2BIG, "too many addresses: %zu asked for, "
		    "an endpoint holds at most %d", ndocker + epopts_nextra(rq),
		    MODEL_EP_ADDR_MAX);
	for (i = 0; i < ndocker; i++)
		v6 |= docker[i].family == AF_INET6;
	for (i = 0; i < rq->nips; i++)
		v6 |= rq->ips[i].family == AF_INET6;
	for (i = 0; i < rq->nanycast; i++)
		v6 |= rq->anycast[i].family == AF_INET6;
	if (v6 && rq->set.mtu != 0 && rq->set.mtu < 1280)
		return api_fail(c, -EINVAL, "endpoint option %s=%u is below "
		    "1280, the minimum MTU of IPv6", OPT_MTU, rq->set.mtu);
	if ((r = api_get_str(c, iface, "MacAddress", false, &mac)) != 0)
		return r;
	if (mac != NULL && *mac != '\0') {
		if (mac_parse(mac, rq->set.mac) != 0)
			return api_fail(c, -EINVAL, "Interface.MacAddress '%.32s' "
			    "is not a MAC address", mac);
		rq->engine_mac = true;
	} else if (ndocker > 0) {
		mac_derive(&docker[0], rq->set.mac);
	} else if (rq->nips > 0) {
		mac_derive(&rq->ips[0], rq->set.mac);
	} else {
		return 0;
	}
	rq->set.has_mac = true;
	return 0;
}

/* ---------------------------------------------------------------- pools */

/* n's subnet of a's family, or NULL. */
static const struct ipprefix *
subnet_of(const struct network *n, const struct ipaddr *a)
{
	if (a->family == AF_INET)
		return n->has4 ? &n->pool4 : NULL;
	return n->has6 ? &n->pool6 : NULL;
}

static struct pool *
pool_of(struct model *m, const struct ipprefix *subnet)
{
	char key[ADDR_STRLEN];

	return model_pool_find(m, prefix_fmt(subnet, key, sizeof(key)));
}

/* Why a cannot be an extra address of ep on n (NULL: it can), into why. */
static const char *
refusal(struct model *m, const struct network *n, const struct endpoint *ep,
    size_t filled, const struct ipaddr *a, char *why, size_t len)
{
	const struct ipprefix *sub = subnet_of(n, a);
	const struct endpoint *holder;
	const struct network *o;
	struct pool *p;
	char s[ADDR_STRLEN], t[ADDR_STRLEN];
	size_t i, pos = 0;

	addr_fmt(a, s, sizeof(s));
	for (i = 0; i < filled; i++)
		if (addr_eq(&ep->addrs[i].addr, a)) {
			snprintf(why, len, "address %s is given twice (or is the "
			    "address Docker gave the endpoint)", s);
			return why;
		}
	if (sub == NULL || !prefix_contains(sub, a)) {
		while ((o = model_net_next(m, &pos)) != NULL)
			if (o != n && ((o->has4 && prefix_contains(&o->pool4, a)) ||
			    (o->has6 && prefix_contains(&o->pool6, a)))) {
				snprintf(why, len, "address %s is in the subnet of "
				    "network %.12s, not of this one", s, o->id);
				return why;
			}
		if (sub == NULL)
			snprintf(why, len, "address %s: the network has no %s "
			    "subnet", s, a->family == AF_INET ? "IPv4" : "IPv6");
		else
			snprintf(why, len, "address %s is outside the network's "
			    "subnet %s", s, prefix_fmt(sub, t, sizeof(t)));
		return why;
	}
	if ((p = pool_of(m, sub)) == NULL) {
		snprintf(why, len, "address %s: the network's subnet is not an "
		    "ipam-routed pool (extra addresses need --ipam-driver "
		    "ipam-routed)", s);
		return why;
	}
	if (addr_cmp(a, &p->lo) < 0 || addr_cmp(a, &p->hi) > 0) {
		snprintf(why, len, "address %s is the %s address of subnet %s, "
		    "not one for a container", s, addr_cmp(a, &p->lo) < 0 ?
		    "network" : "broadcast", p->id);
		return why;
	}
	if (model_addr_has(p, a)) {
		if (model_aux_has(p, a))
			snprintf(why, len, "address %s is taken: an auxiliary "
			    "address of the network", s);
		else if ((holder = model_ep_by_addr(m, a)) != NULL)
			snprintf(why, len, "address %s is taken by endpoint "
			    "%.12s", s, holder->id);
		else
			snprintf(why, len, "address %s is taken (allocated by "
			    "ipam-routed for another container)", s);
		return why;
	}
	return NULL;
}

static void
put_back(struct model *m, const struct endpoint *ep, size_t from, size_t to)
{
	struct pool *p;
	size_t i;

	for (i = from; i < to; i++)
		if ((p = model_ep_pool(m, ep, i)) != NULL)
			model_addr_put(p, &ep->addrs[i].addr);
}

/* Take a in its pool and put it in slot i of ep. */
static int
take(struct api_call *c, const struct network *n, struct endpoint *ep,
    size_t i, const struct ipaddr *a, enum ep_addr_kind kind)
{
	struct model *m = c->ctx->model;
	char why[API_ERRLEN];
	struct pool *p;
	int r;

	if (refusal(m, n, ep, i, a, why, sizeof(why)) != NULL)
		return api_fail(c, -EEXIST, "%s", why);
	p = pool_of(m, subnet_of(n, a));
	if ((r = model_addr_take(p, a)) != 0)
		return api_fail(c, r, "cannot reserve an extra address: %s",
		    strerror(-r));
	model_ep_set_addr(ep, i, a);
	ep->addrs[i].kind = kind;
	return 0;
}

int
epopts_reserve(struct api_call *c, const struct network *n,
    struct endpoint *ep, size_t from, const struct ep_request *rq)
{
	struct model *m = c->ctx->model;
	struct ipaddr a;
	struct pool *p = NULL;
	size_t i = from, k;
	int r = 0;

	for (k = 0; r == 0 && k < rq->nips; k++)
		if ((r = take(c, n, ep, i, &rq->ips[k], EP_ADDR_EXTRA)) == 0)
			i++;
	for (k = 0; r == 0 && k < rq->nanycast; k++)
		if ((r = take(c, n, ep, i, &rq->anycast[k], EP_ADDR_ANYCAST)) ==
		    0)
			i++;
	if (r == 0 && rq->count > 0 && (!n->has4 ||
	    (p = pool_of(m, &n->pool4)) == NULL))
		r = api_fail(c, -EINVAL, "endpoint option %s needs the network's "
		    "IPv4 subnet to be an ipam-routed pool", OPT_COUNT);
	for (k = 0; r == 0 && k < rq->count; k++) {
		if ((r = model_addr_next(p, &a)) != 0) {
			api_fail(c, r, "%s=%u: %s", OPT_COUNT, rq->count, r ==
			    -ENOSPC ? "the pool has no free address left" :
			    strerror(-r));
			break;
		}
		model_ep_set_addr(ep, i, &a);
		ep->addrs[i++].kind = EP_ADDR_EXTRA;
	}
	if (r != 0)
		put_back(m, ep, from, i);
	return r;
}

/* Call fn for every extra address of ep with its pool. */
static void
each_extra(const struct model *m, const struct endpoint *ep,
    void (*fn)(void *, struct pool *, const struct ipaddr *), void *arg)
{
	struct pool *p;
	size_t i;

	for (i = 0; i < ep->naddr; i++)
		if (ep->addrs[i].kind != EP_ADDR_DOCKER &&
		    (p = model_ep_pool(m, ep, i)) != NULL)
			fn(arg, p, &ep->addrs[i].addr);
}

static void
do_put(void *arg, struct pool *p, const struct ipaddr *a)
{
	model_addr_put(p, a);
}

static void
do_record(void *arg, struct pool *p, const struct ipaddr *a)
{
	records_put_addr(arg, p, a);
}

static void
do_unrecord(void *arg, struct pool *p, const struct ipaddr *a)
{
	records_del_addr(arg, p, a);
}

void
epopts_unreserve(struct model *m, const struct endpoint *ep)
{
	each_extra(m, ep, do_put, NULL);
}

void
epopts_records_put(struct store *st, const struct model *m,
    const struct endpoint *ep)
{
	each_extra(m, ep, do_record, st);
}

void
epopts_records_del(struct store *st, const struct model *m,
    const struct endpoint *ep)
{
	each_extra(m, ep, do_unrecord, st);
}

/* ep holds a with that kind. */
static bool
holds(const struct endpoint *ep, const struct ipaddr *a,
    enum ep_addr_kind kind)
{
	size_t i;

	for (i = 0; i < ep->naddr; i++)
		if (addr_eq(&ep->addrs[i].addr, a))
			return ep->addrs[i].kind == kind;
	return false;
}

bool
epopts_same(const struct endpoint *ep, const struct ep_request *rq)
{
	const struct ep_settings *a = &ep->set, *b = &rq->set;
	size_t i, extra = 0;

	for (i = 0; i < ep->naddr; i++)
		extra += ep->addrs[i].kind != EP_ADDR_DOCKER;
	if (extra != epopts_nextra(rq))
		return false;
	for (i = 0; i < rq->nips; i++)
		if (!holds(ep, &rq->ips[i], EP_ADDR_EXTRA))
			return false;
	for (i = 0; i < rq->nanycast; i++)
		if (!holds(ep, &rq->anycast[i], EP_ADDR_ANYCAST))
			return false;
	return a->mtu == b->mtu && a->has_tag == b->has_tag &&
	    a->tag == b->tag && a->has_metric == b->has_metric &&
	    a->metric == b->metric && a->has_anycast_tag == b->has_anycast_tag &&
	    a->anycast_tag == b->anycast_tag &&
	    (!rq->engine_mac || (a->has_mac && memcmp(a->mac, b->mac, 6) == 0));
}

int
epopts_reply(struct api_call *c, const struct endpoint *ep,
    const struct ep_request *rq)
{
	char s[18];
	cJSON *o;

	if (rq->engine_mac || !ep->set.has_mac)
		return 0;
	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", ep->set.mac[0],
	    ep->set.mac[1], ep->set.mac[2], ep->set.mac[3], ep->set.mac[4],
	    ep->set.mac[5]);
	if ((o = cJSON_AddObjectToObject(c->reply, "Interface")) == NULL)
		return api_fail(c, -ENOMEM, "out of memory");
	return api_put_str(c, o, "MacAddress", s);
}

const char *
epopts_list(const struct endpoint *ep, char *out, size_t len)
{
	size_t i, n = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < ep->naddr && n < len; i++) {
		if (ep->addrs[i].kind == EP_ADDR_DOCKER)
			continue;
		w = snprintf(out + n, len - n, "%s%s%s", n ? " " : "",
		    ep->addrs[i].key, ep->addrs[i].kind == EP_ADDR_ANYCAST ?
		    " (anycast)" : "");
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return out;
}
