/* SPDX-License-Identifier: MIT */
/*
 * plumb.h: the host's side of every endpoint, over netlink (libnl-route-3).
 * No libnl type leaves plumb.c.  Every call is idempotent: adding what
 * exists, or deleting what is gone, succeeds.  Returns 0 or -errno, and logs
 * the netlink error itself.
 */
#ifndef RP_PLUMB_H
#define RP_PLUMB_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "segconf.h"

struct plumb;

/* Open the netlink socket.  0 or -errno. */
int plumb_open(struct plumb **out);
void plumb_close(struct plumb *pl);

/*
 * Make the veth pair host <-> peer with the given MTU and bring the host side
 * up; answer ARP for any routed address on it (proxy_arp, no proxy delay) and,
 * when gw6 is not NULL, answer neighbour solicitations for gw6 (proxy_ndp).
 * A new pair's peer gets the MAC address peer_mac unless it is NULL.
 * A host link that already exists as a veth is reused (its MTU is set).
 * *created tells whether this call made the pair; on failure, a pair it made
 * is deleted again, and a reused one is left as it was found.
 */
int plumb_veth_add(struct plumb *pl, const char *host, const char *peer,
    unsigned mtu, const struct ipaddr *gw6, const uint8_t *peer_mac,
    bool *created);
/* Delete the pair (by either name); 0 when neither exists. */
int plumb_veth_del(struct plumb *pl, const char *host, const char *peer);
/*
 * Batched deletion (teardown.c).  plumb_link_group() puts the link name in
 * link group group (0 also when it is missing).  plumb_veth_doom() frees
 * the names of a pair whose host side is in group: it sets host down and
 * renames it, and its peer when that is in this namespace, to
 * "rd<ifindex in hex>", both staying where they are; 0 also when host is
 * missing, -EPERM (nothing done) when host is not in group, so a link that
 * is not waiting to go is never touched.  With peer NULL, host is a link of
 * another kind (an ipvlan), renamed alone.  plumb_group_del() deletes every
 * link of group with one request: one unregister and one RCU grace period
 * for them all; 0 also when the group is empty.  plumb_group_del() logs
 * nothing: it may run on a thread of its own, with a plumb of its own.
 */
int plumb_link_group(struct plumb *pl, const char *name, uint32_t group);
int plumb_veth_doom(struct plumb *pl, const char *host, const char *peer,
    uint32_t group);
int plumb_group_del(struct plumb *pl, uint32_t group);
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
/* 1 when a link of that name exists in this namespace, 0 if not, or -errno. */
int plumb_link_exists(struct plumb *pl, const char *name);
/*
 * Read only, for checks: the kind of link name ("veth", "ipvlan", "bridge",
 * "vxlan"...; "" when the kernel names none) and the name of its master
 * (a bridge it is a port of; "" when none).  1 when it exists, 0 when
 * not, or -errno.
 */
struct plumb_link_info {
	char kind[16];
	char master[IFNAMSIZ];
};
int plumb_link_info(struct plumb *pl, const char *name,
    struct plumb_link_info *li);

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
 * It is written with protocol "redirect", which every zebra ignores (FRR
 * 10.2 and later import "kernel"), so that it never shadows a route the
 * plugin announces over ZAPI.
 * *created tells whether this call made it (rather than replaced one).
 */
int plumb_route_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created);
int plumb_route_del(struct plumb *pl, const char *dev, const struct ipaddr *dst);

/*
 * The host's end of the containers' gateway (see gateway.c): a veth pair
 * name/peer with both ends in this namespace, up, with no ARP and no IPv6
 * address.  An existing veth or dummy link called name is reused (brought
 * up); *created says whether this call made the pair.  -EEXIST when name
 * exists and is something else.
 */
int plumb_gw_link_add(struct plumb *pl, const char *name, const char *peer,
    bool *created);

/*
 * The route gw/32 dev dev in table local, unicast, protocol kernel, metric
 * PLUMB_GW_METRIC.  Table local because no FRR zebra reads it (FRR 10.x
 * reads main's protocol-kernel routes as kernel routes, which "redistribute
 * kernel" would carry); the kernel looks it up before main.  A route of
 * that metric to gw there is replaced (it is ours, from an earlier run);
 * any other is left alone.  IPv4 only: proxy NDP needs no route.
 */
#define PLUMB_GW_METRIC	65535
int plumb_gw_route_add(struct plumb *pl, const char *dev,
    const struct ipaddr *gw);

/*
 * Forwarding of family (net.ipv4.ip_forward, net.ipv6.conf.all.forwarding):
 * plumb_forwarding says 1 (on), 0 (off) or -errno; plumb_forwarding_on turns
 * it on and says 1 when it did, 0 when it was on already, or -errno.
 */
int plumb_forwarding(struct plumb *pl, int family);
int plumb_forwarding_on(struct plumb *pl, int family);

/*
 * What plumb_veth_add does about IPv6 forwarding the first time it is given
 * a gw6 (the first endpoint with IPv6): turn it on when on is true (what
 * dockerd's --ip-forward does for an IPv6 network), else only warn when it
 * is off (proxy NDP then answers nothing).  Off until called.
 */
void plumb_set_forward6(struct plumb *pl, bool on);

/*
 * Another network namespace, a container's (Docker's SandboxKey): a
 * netlink socket opened inside it, and a second one that becomes readable
 * whenever an address there changes.  The sockets keep the namespace alive
 * until plumb_ns_close().
 */
struct plumb_ns;
/* 0, or -errno (no such namespace yet, no CAP_SYS_ADMIN); not logged. */
int plumb_ns_open(struct plumb *pl, const char *path, struct plumb_ns **out);
void plumb_ns_close(struct plumb_ns *ns);
/* The descriptor to wait on, and the reading of what woke it up. */
int plumb_ns_fd(const struct plumb_ns *ns);
void plumb_ns_drain(struct plumb_ns *ns);
/* The index of the link that has address a: > 0, 0 if none, or -errno. */
int plumb_ns_addr_link(struct plumb_ns *ns, const struct ipaddr *a);
/* Put a/32 (a/128, no DAD) on link ifindex; there already is success. */
int plumb_ns_addr_add(struct plumb_ns *ns, int ifindex,
    const struct ipaddr *a);

/*
 * Read only, for checks: call fn(dev, dst, arg) for every "proto redirect"
 * route of the main table to a single address (/32, /128) whose one
 * nexthop is a link whose name starts with prefix: the host routes of the
 * endpoints (zebra's copies of the announced routes are not).  Stops
 * at the first non-zero return of fn and returns it; 0, or -errno.
 */
int plumb_host_routes(struct plumb *pl, const char *prefix,
    int (*fn)(const char *dev, const struct ipaddr *dst, void *arg),
    void *arg);

/*
 * A VXLAN segment (segment.c): the VXLAN device and the bridge of c, each
 * made with c's settings and brought up, or reused when a link of that
 * name and kind exists (a VXLAN device must have c's VNI: -EEXIST if not,
 * or if the name is taken by another kind).  *created tells whether this
 * call made it; on failure nothing it made is left.
 */
int plumb_vxlan_add(struct plumb *pl, const struct segconf *c, bool *created);
int plumb_bridge_add(struct plumb *pl, const struct segconf *c,
    bool *created);
/*
 * Make port a port of bridge (and up); learning off also turns the port's
 * MAC learning off.  *created: it was not a port of bridge before.
 */
int plumb_port_add(struct plumb *pl, const char *port, const char *bridge,
    bool learning, bool *created);
/* port is no bridge's port any more; 0 when it does not exist. */
int plumb_port_del(struct plumb *pl, const char *port);
/* Delete the link name; 0 when it does not exist. */
int plumb_link_del(struct plumb *pl, const char *name);
/* The host address a (a /32 or /128) on dev; *created: it was not there. */
int plumb_addr_add(struct plumb *pl, const char *dev, const struct ipaddr *a,
    bool *created);
int plumb_addr_del(struct plumb *pl, const char *dev, const struct ipaddr *a);
/*
 * The proxy neighbour entry a on dev (ip neigh add proxy A dev DEV): dev
 * answers ARP (NDP) for a, with its own MAC, while a is routed; IPv4 with no
 * proxy delay.  *created: it was not there.
 */
int plumb_proxy_add(struct plumb *pl, const char *dev, const struct ipaddr *a,
    bool *created);
int plumb_proxy_del(struct plumb *pl, const char *dev, const struct ipaddr *a);
/*
 * The route to prefix p via dev, scope link, protocol kernel, with the
 * preferred source src (NULL: the kernel's choice).
 */
int plumb_net_route_add(struct plumb *pl, const char *dev,
    const struct ipprefix *p, const struct ipaddr *src, bool *created);
int plumb_net_route_del(struct plumb *pl, const char *dev,
    const struct ipprefix *p);
/*
 * The flood entry of VXLAN device dev to the VTEP dst (bridge fdb append
 * 00:00:00:00:00:00 dst DST); *created: it was not there.
 */
int plumb_fdb_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created);
int plumb_fdb_del(struct plumb *pl, const char *dev, const struct ipaddr *dst);

#endif
