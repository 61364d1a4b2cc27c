/* SPDX-License-Identifier: MIT */
/*
 * plumb_stub.c: stands in for plumb.c (netlink) in unit tests.  It keeps a
 * table of the veths and routes the real module would have made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "plumb.h"

struct stub_link stub_links[STUB_MAX];
int stub_nlinks;
int stub_fail_veth;
int stub_fail_route;
int stub_fail_nth;
int stub_calls;
bool stub_fired;
int stub_addr_held;
char stub_objs[STUB_OBJS][STUB_OBJ_LEN];
int stub_nobjs;
int stub_ns_opens;

/* Counts a changing call; true when this one is to fail. */
static bool
nth_fails(void)
{
	stub_calls++;
	if (stub_fail_nth > 0 && --stub_fail_nth == 0) {
		stub_fired = true;
		return true;
	}
	return false;
}

void
stub_reset(void)
{
	memset(stub_links, 0, sizeof(stub_links));
	stub_nlinks = 0;
	stub_fail_veth = 0;
	stub_fail_route = 0;
	stub_fail_nth = 0;
	stub_calls = 0;
	stub_fired = false;
	stub_addr_held = 0;
	memset(stub_objs, 0, sizeof(stub_objs));
	stub_nobjs = 0;
	stub_ns_opens = 0;
}

static int
obj_find(const char *line)
{
	int i;

	for (i = 0; i < stub_nobjs; i++)
		if (strcmp(stub_objs[i], line) == 0)
			return i;
	return -1;
}

bool
stub_has_obj(const char *line)
{
	return obj_find(line) >= 0;
}

/* Add line (a changing call); *created when it was not there. */
static int
obj_add(const char *line, bool *created)
{
	*created = false;
	if (nth_fails())
		return -EIO;
	if (obj_find(line) >= 0)
		return 0;
	if (stub_nobjs == STUB_OBJS)
		return -ENOSPC;
	snprintf(stub_objs[stub_nobjs++], STUB_OBJ_LEN, "%s", line);
	*created = true;
	return 0;
}

static void
obj_drop(int i)
{
	if (i != --stub_nobjs)
		memcpy(stub_objs[i], stub_objs[stub_nobjs], STUB_OBJ_LEN);
	memset(stub_objs[stub_nobjs], 0, STUB_OBJ_LEN);
}

static int
obj_del(const char *line)
{
	int i;

	if (nth_fails())
		return -EIO;
	if ((i = obj_find(line)) >= 0)
		obj_drop(i);
	return 0;
}

/* Whether word w is one of the blank-separated words of line. */
static bool
names(const char *line, const char *w)
{
	char buf[STUB_OBJ_LEN], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		if (strcmp(tok, w) == 0)
			return true;
	return false;
}

/* A link is gone: so are the lines that name it. */
static void
objs_gone(const char *name)
{
	int i;

	for (i = stub_nobjs - 1; i >= 0; i--)
		if (names(stub_objs[i], name))
			obj_drop(i);
}

/* A link is renamed: so is it in the lines that name it. */
static void
objs_rename(const char *from, const char *to)
{
	char buf[STUB_OBJ_LEN], out[STUB_OBJ_LEN], *tok, *save;
	size_t n;
	int i;

	for (i = 0; i < stub_nobjs; i++) {
		if (!names(stub_objs[i], from))
			continue;
		memcpy(buf, stub_objs[i], sizeof(buf));
		out[0] = '\0';
		for (tok = strtok_r(buf, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save)) {
			const char *w = strcmp(tok, from) == 0 ? to : tok;
			size_t wl = strlen(w);

			if ((n = strlen(out)) + wl + 2 > sizeof(out))
				break;
			if (n > 0)
				out[n++] = ' ';
			memcpy(out + n, w, wl + 1);
		}
		memcpy(stub_objs[i], out, sizeof(out));
	}
}

static bool
seg_link(const char *name)
{
	char l[STUB_OBJ_LEN];

	snprintf(l, sizeof(l), "vxlan %s", name);
	if (obj_find(l) >= 0)
		return true;
	snprintf(l, sizeof(l), "bridge %s", name);
	return obj_find(l) >= 0;
}

struct stub_link *
stub_find(const char *host)
{
	int i;

	for (i = 0; i < stub_nlinks; i++)
		if (strcmp(stub_links[i].host, host) == 0)
			return &stub_links[i];
	return NULL;
}

int
plumb_open(struct plumb **out)
{
	*out = NULL;
	return 0;
}

void
plumb_close(struct plumb *pl)
{
}

int
plumb_veth_add(struct plumb *pl, const char *host, const char *peer,
    unsigned mtu, const struct ipaddr *gw6, const uint8_t *peer_mac,
    bool *created)
{
	struct stub_link *l;

	*created = false;
	if (stub_fail_veth)
		return stub_fail_veth;
	if (nth_fails())
		return -EIO;
	if ((l = stub_find(host)) == NULL) {
		if (stub_nlinks == STUB_MAX)
			return -ENOSPC;
		l = &stub_links[stub_nlinks++];
		strcpy(l->host, host);
		strcpy(l->peer, peer);
		*created = true;
	}
	l->mtu = mtu;
	l->gw6 = gw6 != NULL;
	if (*created && peer_mac != NULL)
		memcpy(l->mac, peer_mac, 6);
	return 0;
}

void
stub_add_link(const char *name)
{
	struct stub_link *l = &stub_links[stub_nlinks++];

	strcpy(l->host, name);
}

int
plumb_ipvlan_add(struct plumb *pl, const char *name, const char *parent,
    int mode, unsigned mtu, bool host, const struct ipaddr *gw6,
    bool *created)
{
	struct stub_link *l;

	*created = false;
	if (stub_find(parent) == NULL)
		return -ENODEV;
	if (stub_fail_veth)
		return stub_fail_veth;
	if (nth_fails())
		return -EIO;
	if ((l = stub_find(name)) == NULL) {
		if (stub_nlinks == STUB_MAX)
			return -ENOSPC;
		l = &stub_links[stub_nlinks++];
		strcpy(l->host, name);
		strcpy(l->parent, parent);
		l->mode = mode;
		*created = true;
	} else if (strcmp(l->parent, parent) != 0)
		return -EEXIST;
	l->mtu = mtu;
	l->gw6 = gw6 != NULL;
	return 0;
}

int
plumb_ipvlan_addr_held(struct plumb *pl, const char *parent, int mode,
    const struct ipaddr *addr)
{
	return stub_find(parent) == NULL ? -ENODEV : stub_addr_held;
}

int
plumb_neigh_self(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool add)
{
	if (nth_fails())
		return -EIO;
	return add && stub_find(dev) == NULL ? -ENODEV : 0;
}

int
plumb_veth_del(struct plumb *pl, const char *host, const char *peer)
{
	struct stub_link *l = stub_find(host);

	if (nth_fails())
		return -EIO;
	if (l != NULL) {
		*l = stub_links[--stub_nlinks];
		memset(&stub_links[stub_nlinks], 0, sizeof(*l));
		objs_gone(host);
	}
	return 0;
}

int
plumb_link_group(struct plumb *pl, const char *name, uint32_t group)
{
	struct stub_link *l = stub_find(name);

	if (nth_fails())
		return -EIO;
	if (l != NULL)
		l->group = group;
	return 0;
}

/* Renamed links are numbered as the kernel's ifindex would make them. */
static unsigned stub_ifindex;

int
plumb_veth_doom(struct plumb *pl, const char *host, const char *peer,
    uint32_t group)
{
	struct stub_link *l = stub_find(host);

	if (nth_fails())
		return -EIO;
	if (l == NULL)
		return 0;
	if (l->group != group)
		return -EPERM;
	snprintf(l->host, sizeof(l->host), "rd%x", ++stub_ifindex);
	objs_rename(host, l->host);
	if (!l->moved && peer != NULL)
		snprintf(l->peer, sizeof(l->peer), "rd%x", ++stub_ifindex);
	return 0;
}

int
plumb_group_del(struct plumb *pl, uint32_t group)
{
	int i;

	if (nth_fails())
		return -EIO;
	for (i = 0; i < stub_nlinks; )
		if (stub_links[i].group == group) {
			objs_gone(stub_links[i].host);
			stub_links[i] = stub_links[--stub_nlinks];
			memset(&stub_links[stub_nlinks], 0, sizeof(stub_links[0]));
		} else {
			i++;
		}
	return 0;
}

int
plumb_link_exists(struct plumb *pl, const char *name)
{
	int i;

	if (strcmp(name, STUB_UNDERLAY) == 0 || seg_link(name) ||
	    stub_gw_link_exists(name))
		return 1;
	for (i = 0; i < stub_nlinks; i++)
		if (strcmp(stub_links[i].host, name) == 0 ||
		    (!stub_links[i].moved && strcmp(stub_links[i].peer,
		    name) == 0))
			return 1;
	return 0;
}

int
plumb_link_info(struct plumb *pl, const char *name, struct plumb_link_info *li)
{
	char l[STUB_OBJ_LEN];
	const struct stub_link *sl = stub_find(name);
	int i;

	memset(li, 0, sizeof(*li));
	if (plumb_link_exists(pl, name) != 1)
		return 0;
	snprintf(l, sizeof(l), "vxlan %s", name);
	if (obj_find(l) >= 0)
		snprintf(li->kind, sizeof(li->kind), "vxlan");
	else if (seg_link(name))
		snprintf(li->kind, sizeof(li->kind), "bridge");
	else if (sl != NULL && sl->parent[0] != '\0')
		snprintf(li->kind, sizeof(li->kind), "ipvlan");
	else if (sl != NULL || strncmp(name, "rc", 2) == 0)
		snprintf(li->kind, sizeof(li->kind), "veth");
	for (i = 0; i < stub_nobjs; i++)
		if (strncmp(stub_objs[i], "port ", 5) == 0 &&
		    strncmp(stub_objs[i] + 5, name, strlen(name)) == 0 &&
		    stub_objs[i][5 + strlen(name)] == ' ')
			snprintf(li->master, sizeof(li->master), "%s",
			    stub_objs[i] + 6 + strlen(name));
	return 1;
}

int
plumb_route_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created)
{
	struct stub_link *l = stub_find(dev);
	int i;

	*created = false;
	if (stub_fail_route)
		return stub_fail_route;
	if (nth_fails())
		return -EIO;
	if (l == NULL)
		return -ENODEV;
	/* NLM_F_REPLACE: adding a route that exists changes nothing. */
	for (i = 0; i < l->routes; i++)
		if (addr_eq(&l->dst[i], dst))
			return 0;
	if (l->routes == STUB_ROUTES)
		return -ENOSPC;
	l->dst[l->routes++] = *dst;
	*created = true;
	return 0;
}

int
plumb_route_del(struct plumb *pl, const char *dev, const struct ipaddr *dst)
{
	struct stub_link *l = stub_find(dev);
	int i;

	if (nth_fails())
		return -EIO;
	if (l == NULL)
		return 0;
	for (i = 0; i < l->routes; i++)
		if (addr_eq(&l->dst[i], dst)) {
			l->dst[i] = l->dst[--l->routes];
			break;
		}
	return 0;
}

int
plumb_links(struct plumb *pl, const char *prefix,
    int (*fn)(const char *name, void *arg), void *arg)
{
	char names[STUB_MAX * 2][16];
	int i, n = 0, r = 0;

	for (i = 0; i < stub_nlinks; i++) {
		if (strncmp(stub_links[i].host, prefix, strlen(prefix)) == 0)
			strcpy(names[n++], stub_links[i].host);
		if (strncmp(stub_links[i].peer, prefix, strlen(prefix)) == 0)
			strcpy(names[n++], stub_links[i].peer);
	}
	for (i = 0; i < stub_nobjs && n < STUB_MAX * 2; i++) {
		const char *sp = strchr(stub_objs[i], ' ');

		if ((strncmp(stub_objs[i], "vxlan ", 6) == 0 ||
		    strncmp(stub_objs[i], "bridge ", 7) == 0) &&
		    strncmp(sp + 1, prefix, strlen(prefix)) == 0)
			snprintf(names[n++], sizeof(names[0]), "%s", sp + 1);
	}
	for (i = 0; i < n && r == 0; i++)
		r = fn(names[i], arg);
	return r;
}

int
plumb_watch(struct plumb *pl, struct event_base *base,
    void (*fn)(const char *name, void *arg), void *arg)
{
	return 0;
}

int
plumb_vxlan_add(struct plumb *pl, const struct segconf *c, bool *created)
{
	char l[STUB_OBJ_LEN];

	if (c->dev[0] != '\0' && plumb_link_exists(pl, c->dev) != 1)
		return -ENODEV;
	snprintf(l, sizeof(l), "vxlan %s", c->vx_name);
	return obj_add(l, created);
}

int
plumb_bridge_add(struct plumb *pl, const struct segconf *c, bool *created)
{
	char l[STUB_OBJ_LEN];

	snprintf(l, sizeof(l), "bridge %s", c->br_name);
	return obj_add(l, created);
}

int
plumb_port_add(struct plumb *pl, const char *port, const char *bridge,
    bool learning, bool *created)
{
	char l[STUB_OBJ_LEN];

	*created = false;
	if (plumb_link_exists(pl, port) != 1 || !seg_link(bridge))
		return -ENODEV;
	snprintf(l, sizeof(l), "port %s %s", port, bridge);
	return obj_add(l, created);
}

int
plumb_port_del(struct plumb *pl, const char *port)
{
	int i;

	if (nth_fails())
		return -EIO;
	for (i = stub_nobjs - 1; i >= 0; i--)
		if (strncmp(stub_objs[i], "port ", 5) == 0 &&
		    names(stub_objs[i], port))
			obj_drop(i);
	return 0;
}

/* A stub link or a segment device; the lines naming it go with it. */
int
plumb_link_del(struct plumb *pl, const char *name)
{
	struct stub_link *l = stub_find(name);

	if (nth_fails())
		return -EIO;
	if (l != NULL) {
		*l = stub_links[--stub_nlinks];
		memset(&stub_links[stub_nlinks], 0, sizeof(*l));
	}
	objs_gone(name);
	return 0;
}

static int
dev_obj(const char *kind, const char *dev, const char *what, char *l)
{
	if (!seg_link(dev))
		return -ENODEV;
	snprintf(l, STUB_OBJ_LEN, "%s %s %s", kind, dev, what);
	return 0;
}

int
plumb_addr_add(struct plumb *pl, const char *dev, const struct ipaddr *a,
    bool *created)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((r = dev_obj("addr", dev, addr_fmt(a, s, sizeof(s)), l)) != 0)
		return r;
	return obj_add(l, created);
}

int
plumb_addr_del(struct plumb *pl, const char *dev, const struct ipaddr *a)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];

	if (dev_obj("addr", dev, addr_fmt(a, s, sizeof(s)), l) != 0)
		return nth_fails() ? -EIO : 0;
	return obj_del(l);
}

int
plumb_proxy_add(struct plumb *pl, const char *dev, const struct ipaddr *a,
    bool *created)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((r = dev_obj("proxy", dev, addr_fmt(a, s, sizeof(s)), l)) != 0)
		return r;
	return obj_add(l, created);
}

int
plumb_proxy_del(struct plumb *pl, const char *dev, const struct ipaddr *a)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];

	if (dev_obj("proxy", dev, addr_fmt(a, s, sizeof(s)), l) != 0)
		return nth_fails() ? -EIO : 0;
	return obj_del(l);
}

int
plumb_net_route_add(struct plumb *pl, const char *dev,
    const struct ipprefix *p, const struct ipaddr *src, bool *created)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((r = dev_obj("route", dev, prefix_fmt(p, s, sizeof(s)), l)) != 0)
		return r;
	return obj_add(l, created);
}

int
plumb_net_route_del(struct plumb *pl, const char *dev,
    const struct ipprefix *p)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];

	if (dev_obj("route", dev, prefix_fmt(p, s, sizeof(s)), l) != 0)
		return nth_fails() ? -EIO : 0;
	return obj_del(l);
}

int
plumb_fdb_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((r = dev_obj("fdb", dev, addr_fmt(dst, s, sizeof(s)), l)) != 0)
		return r;
	return obj_add(l, created);
}

int
plumb_fdb_del(struct plumb *pl, const char *dev, const struct ipaddr *dst)
{
	char l[STUB_OBJ_LEN], s[ADDR_STRLEN];

	if (dev_obj("fdb", dev, addr_fmt(dst, s, sizeof(s)), l) != 0)
		return nth_fails() ? -EIO : 0;
	return obj_del(l);
}

/* The gateway's link, its route, and forwarding (gateway.c). */
struct stub_gw stub_gw;

void
stub_gw_reset(void)
{
	memset(&stub_gw, 0, sizeof(stub_gw));
}

int
plumb_gw_link_add(struct plumb *pl, const char *name, const char *peer,
    bool *created)
{
	*created = false;
	stub_gw.link_calls++;
	if (stub_gw.fail_link)
		return stub_gw.fail_link;
	if (stub_gw.link[0] == '\0') {
		snprintf(stub_gw.link, sizeof(stub_gw.link), "%s", name);
		snprintf(stub_gw.peer, sizeof(stub_gw.peer), "%s", peer);
		*created = true;
	} else if (strcmp(stub_gw.link, name) != 0) {
		return -EEXIST;
	}
	return 0;
}

int
plumb_gw_route_add(struct plumb *pl, const char *dev, const struct ipaddr *gw)
{
	stub_gw.route_calls++;
	if (strcmp(stub_gw.link, dev) != 0)
		return -ENODEV;
	snprintf(stub_gw.route_dev, sizeof(stub_gw.route_dev), "%s", dev);
	stub_gw.route = *gw;
	return 0;
}

/* The stub's plumb_link_exists knows endpoints only: the gateway's too. */
bool
stub_gw_link_exists(const char *name)
{
	return stub_gw.link[0] != '\0' && (strcmp(stub_gw.link, name) == 0 ||
	    strcmp(stub_gw.peer, name) == 0);
}

int
plumb_forwarding(struct plumb *pl, int family)
{
	return stub_gw.forward[family == AF_INET6];
}

int
plumb_forwarding_on(struct plumb *pl, int family)
{
	int *f = &stub_gw.forward[family == AF_INET6];

	if (stub_gw.fail_forward)
		return stub_gw.fail_forward;
	if (*f)
		return 0;
	*f = 1;
	return 1;
}

void
plumb_set_forward6(struct plumb *pl, bool on)
{
	stub_gw.forward6_policy = on ? 1 : -1;
}

/* No namespace of a container exists in unit tests. */
int
plumb_ns_open(struct plumb *pl, const char *path, struct plumb_ns **out)
{
	*out = NULL;
	stub_ns_opens++;
	return -ENOENT;
}

void
plumb_ns_close(struct plumb_ns *ns)
{
}

int
plumb_ns_fd(const struct plumb_ns *ns)
{
	return -1;
}

void
plumb_ns_drain(struct plumb_ns *ns)
{
}

int
plumb_ns_addr_link(struct plumb_ns *ns, const struct ipaddr *a)
{
	return 0;
}

int
plumb_ns_addr_add(struct plumb_ns *ns, int ifindex, const struct ipaddr *a)
{
	return 0;
}

int
plumb_host_routes(struct plumb *pl, const char *prefix,
    int (*fn)(const char *dev, const struct ipaddr *dst, void *arg),
    void *arg)
{
	int i, j, r = 0;

	for (i = 0; i < stub_nlinks && r == 0; i++)
		for (j = 0; j < stub_links[i].routes && r == 0; j++)
			if (strncmp(stub_links[i].host, prefix,
			    strlen(prefix)) == 0)
				r = fn(stub_links[i].host, &stub_links[i].dst[j],
				    arg);
	return r;
}
