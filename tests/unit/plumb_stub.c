/*
 * plumb_stub.c: stands in for plumb.c (netlink) in unit tests.  It keeps a
 * table of the veths and routes the real module would have made.
 */
#include <errno.h>
#include <stdbool.h>
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
    unsigned mtu, const struct ipaddr *gw6, bool *created)
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
plumb_link_del(struct plumb *pl, const char *name)
{
	return plumb_veth_del(pl, name, NULL);
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
	}
	return 0;
}

int
plumb_link_exists(struct plumb *pl, const char *name)
{
	int i;

	for (i = 0; i < stub_nlinks; i++)
		if (strcmp(stub_links[i].host, name) == 0 ||
		    (!stub_links[i].moved && strcmp(stub_links[i].peer,
		    name) == 0))
			return 1;
	return 0;
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
	if (l->routes == 4)
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
