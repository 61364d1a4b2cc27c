/*
 * plumb_stub.c: stands in for plumb.c (netlink) in unit tests.  It keeps a
 * table of the veths and routes the real module would have made.
 */
#include <errno.h>
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
	stub_ns_opens = 0;
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

	if (stub_gw_link_exists(name))
		return 1;
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
