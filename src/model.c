/* SPDX-License-Identifier: MIT */
/*
 * model.c: see model.h.  Pools, networks and endpoints live in string-keyed
 * hash maps; endpoints are also indexed by every address and by their host
 * interface name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "hash.h"
#include "hmap.h"
#include "model.h"

struct model {
	struct hmap *pools;		/* id -> pool */
	struct hmap *networks;		/* id -> network */
	struct hmap *endpoints;		/* id -> endpoint */
	struct hmap *by_addr;		/* address text -> endpoint */
	struct hmap *by_ifname;		/* host_if -> endpoint */
	struct hmap *doomed;		/* former host_if -> its copy */
};

struct model *
model_new(void)
{
	struct model *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->pools = hmap_new()) == NULL ||
	    (m->networks = hmap_new()) == NULL ||
	    (m->endpoints = hmap_new()) == NULL ||
	    (m->by_addr = hmap_new()) == NULL ||
	    (m->by_ifname = hmap_new()) == NULL ||
	    (m->doomed = hmap_new()) == NULL) {
		model_free(m);
		return NULL;
	}
	return m;
}

void
model_free(struct model *m)
{
	struct endpoint *ep;
	struct network *n;
	struct pool *p;
	char *name;
	size_t pos;

	if (m == NULL)
		return;
	pos = 0;
	while (m->doomed && (name = hmap_next(m->doomed, &pos, NULL))) {
		hmap_del(m->doomed, name);
		free(name);
	}
	pos = 0;
	while (m->endpoints && (ep = hmap_next(m->endpoints, &pos, NULL))) {
		model_ep_del(m, ep);
		model_ep_free(ep);
	}
	pos = 0;
	while (m->networks && (n = hmap_next(m->networks, &pos, NULL))) {
		hmap_del(m->networks, n->id);
		free(n);
	}
	pos = 0;
	while (m->pools && (p = hmap_next(m->pools, &pos, NULL))) {
		hmap_del(m->pools, p->id);
		model_pool_free(p);
	}
	hmap_free(m->pools);
	hmap_free(m->networks);
	hmap_free(m->endpoints);
	hmap_free(m->by_addr);
	hmap_free(m->by_ifname);
	hmap_free(m->doomed);
	free(m);
}

/* ---------------------------------------------------------------- pools */

/*
 * The automatic range leaves out the network and broadcast addresses of an
 * IPv4 pool and the subnet-router anycast address of an IPv6 pool.
 */
struct pool *
model_pool_new(const struct ipprefix *prefix, const struct ipprefix *range,
    char *err, size_t errlen)
{
	struct ipaddr first, last, afirst, alast, pfirst, plast;
	struct pool *p;
	unsigned bits = addr_bits(prefix->addr.family);
	char s[ADDR_STRLEN], t[ADDR_STRLEN];

	if (range != NULL && (range->addr.family != prefix->addr.family ||
	    !prefix_covers(prefix, range))) {
		snprintf(err, errlen, "range %s is not inside pool %s",
		    prefix_fmt(range, s, sizeof(s)), prefix_fmt(prefix, t,
		    sizeof(t)));
		return NULL;
	}
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

void
model_pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	alloc_free(p->al);
	free(p->aux);
	free(p);
}

int
model_pool_add(struct model *m, struct pool *p)
{
	if (model_pool_overlapping(m, &p->prefix) != NULL)
		return -EEXIST;
	return hmap_add(m->pools, p->id, p);
}

void
model_pool_del(struct model *m, struct pool *p)
{
	hmap_del(m->pools, p->id);
}

struct pool *
model_pool_find(const struct model *m, const char *id)
{
	return hmap_find(m->pools, id);
}

struct pool *
model_pool_overlapping(const struct model *m, const struct ipprefix *prefix)
{
	struct pool *p;
	size_t pos = 0;

	while ((p = hmap_next(m->pools, &pos, NULL)) != NULL)
		if (prefix_overlaps(&p->prefix, prefix))
			return p;
	return NULL;
}

struct pool *
model_pool_of(const struct model *m, const struct ipaddr *a)
{
	struct pool *p;
	size_t pos = 0;

	while ((p = hmap_next(m->pools, &pos, NULL)) != NULL)
		if (prefix_contains(&p->prefix, a))
			return p;
	return NULL;
}

struct pool *
model_pool_next(const struct model *m, size_t *pos)
{
	return hmap_next(m->pools, pos, NULL);
}

int
model_addr_take(struct pool *p, const struct ipaddr *a)
{
	return alloc_take(p->al, a);
}

int
model_addr_next(struct pool *p, struct ipaddr *out)
{
	return alloc_next(p->al, out);
}

void
model_addr_put(struct pool *p, const struct ipaddr *a)
{
	model_aux_del(p, a);
	alloc_put(p->al, a);
}

bool
model_addr_has(const struct pool *p, const struct ipaddr *a)
{
	return alloc_has(p->al, a);
}

size_t
model_addr_count(const struct pool *p)
{
	return alloc_count(p->al);
}

bool
model_aux_has(const struct pool *p, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < p->naux; i++)
		if (addr_eq(&p->aux[i], a))
			return true;
	return false;
}

int
model_aux_add(struct pool *p, const struct ipaddr *a)
{
	struct ipaddr *v;
	size_t cap;

	if (!alloc_has(p->al, a))
		return -ENOENT;
	if (model_aux_has(p, a))
		return 0;
	if (p->naux == p->auxcap) {
		cap = p->auxcap ? 2 * p->auxcap : 4;
		if ((v = realloc(p->aux, cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		p->aux = v;
		p->auxcap = cap;
	}
	p->aux[p->naux++] = *a;
	return 0;
}

void
model_aux_del(struct pool *p, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < p->naux; i++)
		if (addr_eq(&p->aux[i], a)) {
			p->aux[i] = p->aux[--p->naux];
			return;
		}
}

/* ---------------------------------------------------------------- networks */

struct network *
model_net_overlapping(const struct model *m, const struct network *n)
{
	struct network *o;
	size_t pos = 0;

	while ((o = hmap_next(m->networks, &pos, NULL)) != NULL) {
		if (o == n || strcmp(o->id, n->id) == 0)
			continue;
		if ((n->has4 && o->has4 && prefix_overlaps(&o->pool4, &n->pool4)) ||
		    (n->has6 && o->has6 && prefix_overlaps(&o->pool6, &n->pool6)))
			return o;
	}
	return NULL;
}

/* Two segments with one name or VNI would share (and delete) a device. */
static bool
seg_clash(const struct network *a, const struct network *b)
{
	const struct segconf *x = &a->seg, *y = &b->seg;

	return a->mode == MODE_VXLAN && b->mode == MODE_VXLAN &&
	    (x->vni == y->vni || strcmp(x->vx_name, y->vx_name) == 0 ||
	    strcmp(x->br_name, y->br_name) == 0 ||
	    strcmp(x->vx_name, y->br_name) == 0 ||
	    strcmp(x->br_name, y->vx_name) == 0);
}

struct network *
model_net_seg_clash(const struct model *m, const struct network *n)
{
	struct network *o;
	size_t pos = 0;

	while ((o = hmap_next(m->networks, &pos, NULL)) != NULL)
		if (o != n && strcmp(o->id, n->id) != 0 && seg_clash(o, n))
			return o;
	return NULL;
}

int
model_net_add(struct model *m, struct network *n)
{
	if (hmap_find(m->networks, n->id) != NULL ||
	    model_net_overlapping(m, n) != NULL ||
	    model_net_seg_clash(m, n) != NULL)
		return -EEXIST;
	return hmap_add(m->networks, n->id, n);
}

int
model_net_del(struct model *m, struct network *n)
{
	struct endpoint *ep;
	size_t pos = 0;

	while ((ep = hmap_next(m->endpoints, &pos, NULL)) != NULL)
		if (strcmp(ep->net_id, n->id) == 0)
			return -EBUSY;
	hmap_del(m->networks, n->id);
	return 0;
}

struct network *
model_net_find(const struct model *m, const char *id)
{
	return hmap_find(m->networks, id);
}

struct network *
model_net_of_pool(const struct model *m, const struct ipprefix *pool)
{
	struct network *n;
	size_t pos = 0;

	while ((n = hmap_next(m->networks, &pos, NULL)) != NULL)
		if ((n->has4 && addr_eq(&n->pool4.addr, &pool->addr) &&
		    n->pool4.plen == pool->plen) ||
		    (n->has6 && addr_eq(&n->pool6.addr, &pool->addr) &&
		    n->pool6.plen == pool->plen))
			return n;
	return NULL;
}

struct network *
model_net_next(const struct model *m, size_t *pos)
{
	return hmap_next(m->networks, pos, NULL);
}

size_t
model_net_count(const struct model *m)
{
	return hmap_count(m->networks);
}

/* ---------------------------------------------------------------- endpoints */

struct endpoint *
model_ep_new(size_t naddr)
{
	struct endpoint *ep;

	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return NULL;
	if (naddr > 0 && (ep->addrs = calloc(naddr, sizeof(*ep->addrs))) ==
	    NULL) {
		free(ep);
		return NULL;
	}
	ep->naddr = naddr;
	return ep;
}

void
model_ep_set_addr(struct endpoint *ep, size_t i, const struct ipaddr *a)
{
	ep->addrs[i].addr = *a;
	addr_fmt(a, ep->addrs[i].key, sizeof(ep->addrs[i].key));
}

struct pool *
model_ep_pool(const struct model *m, const struct endpoint *ep, size_t i)
{
	const struct network *n = model_net_find(m, ep->net_id);
	const struct ipaddr *a = &ep->addrs[i].addr;
	char key[ADDR_STRLEN];

	if (n == NULL)
		return NULL;
	if (a->family == AF_INET && n->has4 && prefix_contains(&n->pool4, a))
		return model_pool_find(m, prefix_fmt(&n->pool4, key,
		    sizeof(key)));
	if (a->family == AF_INET6 && n->has6 && prefix_contains(&n->pool6, a))
		return model_pool_find(m, prefix_fmt(&n->pool6, key,
		    sizeof(key)));
	return NULL;
}

void
model_ep_free(struct endpoint *ep)
{
	if (ep == NULL)
		return;
	free(ep->addrs);
	free(ep);
}

/* Undo the first n address index entries of ep. */
static void
unindex_addrs(struct model *m, const struct endpoint *ep, size_t n)
{
	while (n-- > 0)
		if (hmap_find(m->by_addr, ep->addrs[n].key) == ep)
			hmap_del(m->by_addr, ep->addrs[n].key);
}

int
model_ep_add(struct model *m, struct endpoint *ep,
    const struct endpoint **clash)
{
	const struct endpoint *other;
	size_t i, j;

	*clash = NULL;
	if (hmap_find(m->networks, ep->net_id) == NULL)
		return -ENOENT;
	if ((other = hmap_find(m->endpoints, ep->id)) != NULL ||
	    (other = hmap_find(m->by_ifname, ep->host_if)) != NULL) {
		*clash = other;
		return -EEXIST;
	}
	for (i = 0; i < ep->naddr; i++) {
		if ((other = hmap_find(m->by_addr, ep->addrs[i].key)) != NULL) {
			*clash = other;
			return -EEXIST;
		}
		for (j = 0; j < i; j++)
			if (addr_eq(&ep->addrs[j].addr, &ep->addrs[i].addr)) {
				*clash = ep;
				return -EEXIST;
			}
	}
	if (hmap_add(m->endpoints, ep->id, ep) != 0)
		return -ENOMEM;
	if (hmap_add(m->by_ifname, ep->host_if, ep) != 0)
		goto fail;
	for (i = 0; i < ep->naddr; i++)
		if (hmap_add(m->by_addr, ep->addrs[i].key, ep) != 0) {
			unindex_addrs(m, ep, i);
			hmap_del(m->by_ifname, ep->host_if);
			goto fail;
		}
	return 0;
fail:
	hmap_del(m->endpoints, ep->id);
	return -ENOMEM;
}

void
model_ep_del(struct model *m, struct endpoint *ep)
{
	if (hmap_find(m->endpoints, ep->id) != ep)
		return;
	hmap_del(m->endpoints, ep->id);
	if (hmap_find(m->by_ifname, ep->host_if) == ep)
		hmap_del(m->by_ifname, ep->host_if);
	unindex_addrs(m, ep, ep->naddr);
}

struct endpoint *
model_ep_find(const struct model *m, const char *id)
{
	return hmap_find(m->endpoints, id);
}

struct endpoint *
model_ep_by_addr(const struct model *m, const struct ipaddr *a)
{
	char s[ADDR_STRLEN];

	return hmap_find(m->by_addr, addr_fmt(a, s, sizeof(s)));
}

struct endpoint *
model_ep_by_ifname(const struct model *m, const char *name)
{
	return hmap_find(m->by_ifname, name);
}

struct endpoint *
model_ep_next(const struct model *m, size_t *pos)
{
	return hmap_next(m->endpoints, pos, NULL);
}

size_t
model_ep_count(const struct model *m)
{
	return hmap_count(m->endpoints);
}

const struct ipaddr *
model_ep_addr(const struct endpoint *ep, int af)
{
	size_t i;

	for (i = 0; i < ep->naddr; i++)
		if (ep->addrs[i].addr.family == af)
			return &ep->addrs[i].addr;
	return NULL;
}

void
model_ifnames(const char *id, char host[IFNAMSIZ], char peer[IFNAMSIZ])
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
		snprintf(hex, sizeof(hex), "%012llx", (unsigned long long)
		    (hash_fnv1a(id, n) & 0xffffffffffffULL));
	}
	snprintf(host, IFNAMSIZ, "rt%s", hex);
	snprintf(peer, IFNAMSIZ, "rc%s", hex);
}

void
model_net_ifname(const char *net_id, char name[IFNAMSIZ])
{
	char peer[IFNAMSIZ];

	model_ifnames(net_id, name, peer);
	name[1] = 'v';
}

void
model_ep_ifnames(struct endpoint *ep)
{
	model_ifnames(ep->id, ep->host_if, ep->peer_if);
	if (ep->link == LINK_IPVLAN)
		model_net_ifname(ep->net_id, ep->route_if);
	else
		memcpy(ep->route_if, ep->host_if, sizeof(ep->route_if));
}

static const char *const ipvlan_modes[] = {
	[IPVLAN_L2] = "l2", [IPVLAN_L3] = "l3", [IPVLAN_L3S] = "l3s",
};

const char *
model_ipvlan_mode_name(enum ep_ipvlan_mode m)
{
	return (size_t)m < sizeof(ipvlan_modes) / sizeof(*ipvlan_modes) ?
	    ipvlan_modes[m] : "?";
}

int
model_ipvlan_mode_parse(const char *s, enum ep_ipvlan_mode *m)
{
	size_t i;

	for (i = 0; s != NULL && i < sizeof(ipvlan_modes) /
	    sizeof(*ipvlan_modes); i++)
		if (strcmp(s, ipvlan_modes[i]) == 0) {
			*m = (enum ep_ipvlan_mode)i;
			return 0;
		}
	return -EINVAL;
}

bool
model_is_our_ifname(const char *name)
{
	size_t i;

	if (strlen(name) != 14 || name[0] != 'r' ||
	    (name[1] != 't' && name[1] != 'c' && name[1] != 'v'))
		return false;
	for (i = 2; i < 14; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

/* ---------------------------------------------------------------- doomed */

int
model_doomed_add(struct model *m, const char *name)
{
	char *copy;

	if (hmap_find(m->doomed, name) != NULL)
		return 0;
	if ((copy = strdup(name)) == NULL)
		return -ENOMEM;
	if (hmap_add(m->doomed, copy, copy) != 0) {
		free(copy);
		return -ENOMEM;
	}
	return 0;
}

void
model_doomed_del(struct model *m, const char *name)
{
	free(hmap_del(m->doomed, name));
}

bool
model_doomed_has(const struct model *m, const char *name)
{
	return hmap_find(m->doomed, name) != NULL;
}

const char *
model_doomed_next(const struct model *m, size_t *pos)
{
	return hmap_next(m->doomed, pos, NULL);
}

size_t
model_doomed_count(const struct model *m)
{
	return hmap_count(m->doomed);
}
