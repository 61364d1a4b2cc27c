/*
 * plumb.h: the host's side of every endpoint, over netlink (libnl-route-3).
 * No libnl type leaves plumb.c.  Every call is idempotent: adding what
 * exists, or deleting what is gone, succeeds.  Returns 0 or -errno, and logs
 * the netlink error itself.
 */
#ifndef RP_PLUMB_H
#define RP_PLUMB_H

#include <stdbool.h>

#include "addr.h"

struct plumb;

/* Open the netlink socket.  0 or -errno. */
int plumb_open(struct plumb **out);
void plumb_close(struct plumb *pl);

/*
 * Make the veth pair host <-> peer with the given MTU and bring the host side
 * up; answer ARP for any routed address on it (proxy_arp, no proxy delay) and,
 * when gw6 is not NULL, answer neighbour solicitations for gw6 (proxy_ndp).
 * A host link that already exists as a veth is reused (its MTU is set).
 * *created tells whether this call made the pair; on failure, a pair it made
 * is deleted again, and a reused one is left as it was found.
 */
int plumb_veth_add(struct plumb *pl, const char *host, const char *peer,
    unsigned mtu, const struct ipaddr *gw6, bool *created);
/* Delete the pair (by either name); 0 when neither exists. */
int plumb_veth_del(struct plumb *pl, const char *host, const char *peer);
/*
 * Make name an ipvlan slave of parent in mode (the kernel's IPVLAN_MODE_*),
 * with the given MTU (0: the parent's).  host: it is the host's own side
 * (like a veth's host side: brought up, proxy ARP and, when gw6 is not
 * NULL, proxy NDP for gw6); else it is left down for Docker to move into a
 * container.  A link of that name that is already an ipvlan of parent is
 * reused; any other is refused (-EEXIST).  A missing parent is -ENODEV.
 * *created as for plumb_veth_add().
 */
int plumb_ipvlan_add(struct plumb *pl, const char *name, const char *parent,
    int mode, unsigned mtu, bool host, const struct ipaddr *gw6,
    bool *created);
/*
 * Is addr held by an ipvlan slave of parent, in any namespace (a container's
 * slave is out of this namespace's sight)?  Asks the kernel by giving addr
 * to a short-lived slave "rvprobe" of parent (mode: the parent's), which the
 * ipvlan port refuses for an address one of its slaves has.  1 held, 0 not,
 * -ENODEV without the parent, or -errno.
 */
int plumb_ipvlan_addr_held(struct plumb *pl, const char *parent, int mode,
    const struct ipaddr *addr);
/*
 * A permanent neighbour entry for dst on dev with dev's own MAC (add), or
 * its removal (0 when there is none).  For ipvlan l2, whose slaves share
 * their parent's MAC: the host then never ARPs for a container.
 */
int plumb_neigh_self(struct plumb *pl, const char *dev,
    const struct ipaddr *dst, bool add);
/* Delete the link called name; 0 when there is none. */
int plumb_link_del(struct plumb *pl, const char *name);
/* 1 when a link of that name exists in this namespace, 0 if not, or -errno. */
int plumb_link_exists(struct plumb *pl, const char *name);

/*
 * Call fn(name, arg) for every link of this namespace whose name starts
 * with prefix.  Stops at the first non-zero return of fn and returns it;
 * 0, or -errno.
 */
int plumb_links(struct plumb *pl, const char *prefix,
    int (*fn)(const char *name, void *arg), void *arg);

/*
 * Watch this namespace's links on base: fn(name, arg) runs for every link
 * deleted, and fn(NULL, arg) when notifications were lost (socket
 * overrun): the caller must then look again at what it owns.  0 or -errno.
 */
struct event_base;
int plumb_watch(struct plumb *pl, struct event_base *base,
    void (*fn)(const char *name, void *arg), void *arg);

/*
 * The host route to a container: dst/32 or dst/128 dev host, scope link.
 * It is written with protocol "kernel", which zebra ignores, so that it never
 * shadows a route the plugin announces over ZAPI.
 * *created tells whether this call made it (rather than replaced one).
 */
int plumb_route_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created);
int plumb_route_del(struct plumb *pl, const char *dev, const struct ipaddr *dst);

#endif
