/* SPDX-License-Identifier: MIT */
/*
 * check.c: see check.h.  The kernel is read once (every link and every
 * host route through one of our links), then compared with the model both
 * ways; the announce table with the model; every announced route with
 * zebra's answers (ROUTE_NOTIFY_OWNER) and zebra's RIB (redistribution of
 * our own route type).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "check.h"
#include "ctx.h"
#include "hmap.h"
#include "host.h"
#include "model.h"
#include "plumb.h"
#include "routes.h"
#include "teardown.h"
#include "zclient.h"

/* One host route of the kernel: "dev addr" -> it. */
struct kroute {
	char key[IFNAMSIZ + ADDR_STRLEN + 2];
	char dev[IFNAMSIZ];
	struct ipaddr dst;
};

struct kview {
	struct kroute *routes;
	size_t n, cap;
	struct hmap *map;
	char (*links)[IFNAMSIZ];	/* our host links */
	size_t nlinks, linkcap;
};

static int
add_diff(cJSON *diffs, const char *where, const char *object,
    const char *problem, const char *fix)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "where", where) == NULL ||
	    cJSON_AddStringToObject(o, "object", object) == NULL ||
	    cJSON_AddStringToObject(o, "problem", problem) == NULL ||
	    cJSON_AddStringToObject(o, "fix", fix) == NULL ||
	    !cJSON_AddItemToArray(diffs, o)) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	return 0;
}

static void
kroute_key(const char *dev, const struct ipaddr *a, char *key, size_t len)
{
	char s[ADDR_STRLEN];

	snprintf(key, len, "%s %s", dev, addr_fmt(a, s, sizeof(s)));
}

static int
on_kroute(const char *dev, const struct ipaddr *dst, void *arg)
{
	struct kview *kv = arg;
	struct kroute *p;

	if (kv->n == kv->cap) {
		kv->cap = kv->cap ? kv->cap * 2 : 64;
		if ((p = realloc(kv->routes, kv->cap * sizeof(*p))) == NULL)
			return -ENOMEM;
		kv->routes = p;
	}
	p = &kv->routes[kv->n++];
	snprintf(p->dev, sizeof(p->dev), "%s", dev);
	p->dst = *dst;
	kroute_key(dev, dst, p->key, sizeof(p->key));
	return 0;
}

static int
on_link(const char *name, void *arg)
{
	struct kview *kv = arg;
	char (*p)[IFNAMSIZ];

	/* veths "rt...", ipvlan networks' host links "rv..." */
	if (!model_is_our_ifname(name) || (name[1] != 't' && name[1] != 'v'))
		return 0;
	if (kv->nlinks == kv->linkcap) {
		kv->linkcap = kv->linkcap ? kv->linkcap * 2 : 64;
		if ((p = realloc(kv->links, kv->linkcap * sizeof(*p))) == NULL)
			return -ENOMEM;
		kv->links = p;
	}
	snprintf(kv->links[kv->nlinks++], IFNAMSIZ, "%s", name);
	return 0;
}

/* A veth of an endpoint, or the host link an ipvlan endpoint routes through. */
static bool
link_owned(struct rp_ctx *ctx, const char *name)
{
	const struct endpoint *ep;
	size_t pos = 0;

	if (teardown_has(ctx, name))
		return true;			/* waits to go */
	if (name[1] == 't')
		return model_ep_by_ifname(ctx->model, name) != NULL ||
		    model_doomed_has(ctx->model, name);	/* waits to go */
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL)
		if (strcmp(ep->route_if, name) == 0)
			return true;
	return false;
}

/* Is name one of the links plumb_links() found? */
static bool
kv_has_link(const struct kview *kv, const char *name)
{
	size_t i;

	for (i = 0; i < kv->nlinks; i++)
		if (strcmp(kv->links[i], name) == 0)
			return true;
	return false;
}

/*
 * Link name (what: which one it is, for the message) is there, of kind,
 * and, when master is not NULL, a port of master: 0 when so, 1 when a
 * difference was added, or -errno.
 */
static int
check_link(struct rp_ctx *ctx, const char *name, const char *kind,
    const char *master, const char *what, const char *fix, cJSON *diffs)
{
	struct plumb_link_info li;
	char problem[192];
	int r;

	if ((r = plumb_link_info(ctx->plumb, name, &li)) < 0)
		return r;
	if (r == 0)
		snprintf(problem, sizeof(problem), "%s is missing", what);
	else if (strcmp(li.kind, kind) != 0)
		snprintf(problem, sizeof(problem), "%s is of kind %s, not %s",
		    what, li.kind[0] ? li.kind : "(none)", kind);
	else if (master != NULL && strcmp(li.master, master) != 0)
		snprintf(problem, sizeof(problem), "%s is not a port of %s "
		    "(%s%s)", what, master, li.master[0] ? "but of " :
		    "of no bridge", li.master);
	else
		return 0;
	return (r = add_diff(diffs, "kernel", name, problem, fix)) != 0 ? r : 1;
}

/*
 * The links of ep, by the kind of its network: a veth whose host side
 * carries its host routes; a veth that is a port of its VXLAN segment's
 * bridge (the bridge holds the subnet: no host routes); an ipvlan slave,
 * in its container or (not joined) here, with its host routes on its
 * network's host-side ipvlan link.  *routes: check its host routes.
 */
static int
check_ep_links(struct rp_ctx *ctx, const struct kview *kv,
    const struct network *n, const struct endpoint *ep, cJSON *diffs,
    bool *routes)
{
	char fix[256];
	int r;

	*routes = false;
	snprintf(fix, sizeof(fix), "the container of endpoint %.12s is gone: "
	    "remove it (docker rm), or run 'routedctl repair'", ep->id);
	if (ep->link == LINK_IPVLAN) {
		if (!kv_has_link(kv, ep->route_if))
			return add_diff(diffs, "kernel", ep->route_if, "the "
			    "host-side ipvlan link of an endpoint's network is "
			    "missing", "'routedctl repair' makes it again");
		/* There: its routes are checked whatever its kind. */
		*routes = true;
		if ((r = check_link(ctx, ep->route_if, "ipvlan", NULL, "the "
		    "host-side link of an ipvlan network", "delete it (ip link "
		    "del), then 'routedctl repair'", diffs)) != 0)
			return r < 0 ? r : 0;
		/* Not joined: its slave waits here for Docker to move it. */
		if (!ep->joined)
			return (r = check_link(ctx, ep->peer_if, "ipvlan", NULL,
			    "the ipvlan slave of an endpoint not joined yet",
			    "'routedctl repair' makes it again", diffs)) < 0 ?
			    r : 0;
		/* Joined: out of sight, in its container; the kernel knows. */
		if ((r = host_ep_alive(ctx, ep)) != 0)
			return r < 0 ? r : 0;
		snprintf(fix, sizeof(fix), "the container of endpoint %.12s is "
		    "gone: remove it (docker rm), or run 'routedctl repair', "
		    "which forgets it", ep->id);
		return add_diff(diffs, "kernel", ep->peer_if, "the ipvlan slave "
		    "of a joined endpoint is gone (no slave of its parent "
		    "holds its address)", fix);
	}
	if (!kv_has_link(kv, ep->host_if))
		return add_diff(diffs, "kernel", ep->host_if, "the host link "
		    "of an endpoint is missing", fix);
	if (n->mode == MODE_VXLAN)
		return (r = check_link(ctx, ep->host_if, "veth",
		    n->seg.br_name, "the host side of a segment endpoint",
		    "'routedctl repair' makes it a port of its segment's "
		    "bridge again", diffs)) < 0 ? r : 0;
	*routes = true;
	return (r = check_link(ctx, ep->host_if, "veth", NULL, "the host link "
	    "of an endpoint", "delete it (ip link del), then 'routedctl "
	    "repair'", diffs)) < 0 ? r : 0;
}

/* The kernel against the model: links and host routes, both ways. */
static int
check_kernel(struct rp_ctx *ctx, struct kview *kv, cJSON *diffs)
{
	const struct endpoint *ep;
	const struct network *n;
	struct kroute *kr;
	char key[sizeof(kv->routes->key)], obj[128], fix[256], s[ADDR_STRLEN];
	size_t pos = 0, i;
	int r;

	if ((r = plumb_links(ctx->plumb, "rt", on_link, kv)) != 0 ||
	    (r = plumb_links(ctx->plumb, "rv", on_link, kv)) != 0 ||
	    (r = plumb_host_routes(ctx->plumb, "rt", on_kroute, kv)) != 0 ||
	    (r = plumb_host_routes(ctx->plumb, "rv", on_kroute, kv)) != 0)
		return r;
	if ((kv->map = hmap_new()) == NULL)
		return -ENOMEM;
	for (i = 0; i < kv->n; i++)
		if (hmap_add(kv->map, kv->routes[i].key, &kv->routes[i]) != 0)
			return -ENOMEM;
	for (i = 0; i < kv->nlinks; i++)
		if (!link_owned(ctx, kv->links[i]) &&
		    (r = add_diff(diffs, "kernel", kv->links[i], "a link of ours "
		    "that no endpoint owns", "routed-plugin deletes it at its "
		    "next start if no container uses it; else delete it by "
		    "hand once its container is gone")) != 0)
			return r;
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL) {
		bool routes;

		if ((n = model_net_find(ctx->model, ep->net_id)) == NULL)
			continue;
		if ((r = check_ep_links(ctx, kv, n, ep, diffs, &routes)) != 0)
			return r;
		for (i = 0; routes && i < ep->naddr; i++) {
			kroute_key(ep->route_if, &ep->addrs[i].addr, key,
			    sizeof(key));
			if (hmap_del(kv->map, key) != NULL)
				continue;
			snprintf(obj, sizeof(obj), "%s dev %s", ep->addrs[i].key,
			    ep->route_if);
			snprintf(fix, sizeof(fix), "'routedctl repair' (or: ip "
			    "route replace %s dev %s%s proto redirect)",
			    ep->addrs[i].key, ep->route_if,
			    ep->addrs[i].addr.family == AF_INET ?
			    " scope link" : "");
			if ((r = add_diff(diffs, "kernel", obj, "the host route "
			    "of an endpoint's address is missing", fix)) != 0)
				return r;
		}
	}
	/* What is left in the map no endpoint asked for. */
	pos = 0;
	while ((kr = hmap_next(kv->map, &pos, NULL)) != NULL) {
		snprintf(obj, sizeof(obj), "%s dev %s", addr_fmt(&kr->dst, s,
		    sizeof(s)), kr->dev);
		snprintf(fix, sizeof(fix), "ip route del %s dev %s", s,
		    kr->dev);
		if ((r = add_diff(diffs, "kernel", obj, "a host route through "
		    "a link of ours that no endpoint address calls for",
		    fix)) != 0)
			return r;
	}
	return 0;
}

/* The announce table against the model (host routes of joined endpoints). */
static int
check_announce(struct rp_ctx *ctx, cJSON *diffs)
{
	const struct endpoint *ep;
	const struct network *n;
	const struct route *have;
	struct route want;
	char obj[ADDR_STRLEN];
	size_t pos = 0, i;
	int r;

	while ((ep = model_ep_next(ctx->model, &pos)) != NULL) {
		if (!ep->joined || (n = model_net_find(ctx->model,
		    ep->net_id)) == NULL || !(n->announce & ANNOUNCE_HOST))
			continue;
		for (i = 0; i < ep->naddr; i++) {
			routes_host(n, ep, &ep->addrs[i], &want);
			have = announce_find(ctx, &want.prefix);
			if (have != NULL && have->kind == ROUTE_HOST &&
			    strcmp(have->ifname, want.ifname) == 0)
				continue;
			prefix_fmt(&want.prefix, obj, sizeof(obj));
			if ((r = add_diff(diffs, "announce", obj, have == NULL ?
			    "a joined endpoint's route is not announced" :
			    "announced through another interface",
			    "'routedctl repair' announces what the model calls "
			    "for (a restart does too)")) != 0)
				return r;
		}
	}
	return 0;
}

/* Every announced route as zebra sees it. */
static int
check_zebra(struct rp_ctx *ctx, cJSON *diffs)
{
	struct zclient_status zs;
	const struct route *rt;
	enum zroute_state st;
	char obj[ADDR_STRLEN], fix[256];
	const char *problem;
	size_t pos = 0;
	bool in_rib;
	int r;

	if (ctx->zclient == NULL)
		return 0;
	zclient_status(ctx->zclient, &zs);
	if (!zs.connected)
		return add_diff(diffs, "zebra", zs.socket_path, "no session "
		    "with zebra: nothing is announced",
		    "start zebra (systemctl start frr); routed-plugin "
		    "reconnects on its own");
	while ((rt = announce_next(ctx, &pos)) != NULL) {
		prefix_fmt(&rt->prefix, obj, sizeof(obj));
		if (zclient_route_state(ctx->zclient, &rt->prefix, &st) != 0)
			st = ZR_PENDING;
		problem = NULL;
		switch (st) {
		case ZR_PENDING:
			problem = "zebra has not confirmed it (yet)";
			snprintf(fix, sizeof(fix), "wait; if it stays, check "
			    "that zebra knows %s (vtysh: show interface "
			    "brief)", rt->kind == ROUTE_HOST ? rt->ifname :
			    "the route");
			break;
		case ZR_FAILED:
			problem = "zebra could not install it in the kernel";
			snprintf(fix, sizeof(fix), "see zebra's log; it is "
			    "retried with backoff");
			break;
		case ZR_REJECTED:
			problem = "zebra selected another route for the prefix";
			snprintf(fix, sizeof(fix), "vtysh -c 'show ip route "
			    "%s': remove the better route (lower distance)",
			    obj);
			break;
		case ZR_INSTALLED:
			if (!zs.rib_known || zclient_route_in_rib(ctx->zclient,
			    &rt->prefix, &in_rib) != 0 || in_rib)
				break;
			problem = "installed, but zebra's RIB no longer holds "
			    "it as selected";
			snprintf(fix, sizeof(fix), "'routedctl repair' sends it "
			    "again; vtysh -c 'show ip route %s'", obj);
			break;
		}
		if (problem != NULL &&
		    (r = add_diff(diffs, "zebra", obj, problem, fix)) != 0)
			return r;
	}
	return 0;
}

int
check_run(struct rp_ctx *ctx, cJSON *diffs)
{
	struct kview kv;
	int r;

	memset(&kv, 0, sizeof(kv));
	if ((r = check_kernel(ctx, &kv, diffs)) == 0 &&
	    (r = check_announce(ctx, diffs)) == 0)
		r = check_zebra(ctx, diffs);
	hmap_free(kv.map);
	free(kv.routes);
	free(kv.links);
	return r;
}
