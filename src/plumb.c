/* SPDX-License-Identifier: MIT */
/*
 * plumb.c: veth pairs, proxy ARP/NDP, host routes, the gateway's link and
 * VXLAN segments (VXLAN devices, bridges, their ports, addresses and flood
 * entries) over rtnetlink with libnl-route-3.  The switches that netlink
 * cannot set (proxy_arp, proxy_ndp, proxy_delay, addr_gen_mode, forwarding)
 * are written to /proc/sys/net, the interface ip(8) and sysctl(8) use too;
 * no external command is ever run.
 */
#define _GNU_SOURCE			/* setns() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipvlan.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "log.h"
#include "plumb.h"

struct plumb {
	struct nl_sock *sk;
	struct nl_sock *mon;		/* link notifications */
	struct event *ev;
	void (*gone)(const char *, void *);
	void *gone_arg;
	bool fwd6;			/* plumb_set_forward6 */
	bool fwd6_checked;		/* done for the first gw6 */
};

/* libnl error (negative NLE_*) to -errno. */
static int
nlerr(int e)
{
	switch (e < 0 ? -e : e) {
	case 0:			return 0;
	case NLE_EXIST:		return -EEXIST;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NODEV:		return -ENODEV;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_INVAL:		return -EINVAL;
	case NLE_BUSY:		return -EBUSY;
	case NLE_RANGE:		return -ERANGE;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	default:		return -EIO;
	}
}

int
plumb_open(struct plumb **out)
{
	struct plumb *pl;
	int r;

	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return -ENOMEM;
	if ((pl->sk = nl_socket_alloc()) == NULL) {
		free(pl);
		return -ENOMEM;
	}
	if ((r = nl_connect(pl->sk, NETLINK_ROUTE)) < 0) {
		log_warnx("netlink: cannot connect: %s", nl_geterror(r));
		nl_socket_free(pl->sk);
		free(pl);
		return nlerr(r);
	}
	*out = pl;
	return 0;
}

void
plumb_close(struct plumb *pl)
{
	if (pl == NULL)
		return;
	if (pl->ev != NULL)
		event_free(pl->ev);
	if (pl->mon != NULL)
		nl_socket_free(pl->mon);
	nl_socket_free(pl->sk);
	free(pl);
}

/* The link called name, or NULL with *err = -ENODEV (missing) or -errno. */
static struct rtnl_link *
link_get(struct plumb *pl, const char *name, int *err)
{
	struct rtnl_link *l = NULL;
	int r;

	*err = 0;
	if (strlen(name) >= IFNAMSIZ) {
		*err = -EINVAL;
		return NULL;
	}
	if ((r = rtnl_link_get_kernel(pl->sk, 0, name, &l)) < 0) {
		*err = nlerr(r);
		if (*err == -ENOENT)
			*err = -ENODEV;
		return NULL;
	}
	return l;
}

int
plumb_link_exists(struct plumb *pl, const char *name)
{
	struct rtnl_link *l;
	int r;

	if ((l = link_get(pl, name, &r)) == NULL)
		return r == -ENODEV ? 0 : r;
	rtnl_link_put(l);
	return 1;
}

int
plumb_link_info(struct plumb *pl, const char *name, struct plumb_link_info *li)
{
	struct rtnl_link *l, *m;
	const char *t;
	int r, master;

	memset(li, 0, sizeof(*li));
	if ((l = link_get(pl, name, &r)) == NULL)
		return r == -ENODEV ? 0 : r;
	if ((t = rtnl_link_get_type(l)) != NULL)
		snprintf(li->kind, sizeof(li->kind), "%s", t);
	master = rtnl_link_get_master(l);
	rtnl_link_put(l);
	if (master <= 0)
		return 1;
	if ((r = rtnl_link_get_kernel(pl->sk, master, NULL, &m)) < 0)
		return nlerr(r);
	snprintf(li->master, sizeof(li->master), "%s", rtnl_link_get_name(m));
	rtnl_link_put(m);
	return 1;
}

int
plumb_links(struct plumb *pl, const char *prefix,
    int (*fn)(const char *name, void *arg), void *arg)
{
	struct nl_cache *cache;
	struct nl_object *o;
	char (*names)[IFNAMSIZ] = NULL, (*p)[IFNAMSIZ];
	size_t n = 0, cap = 0, i, plen = strlen(prefix);
	int r;

	if ((r = rtnl_link_alloc_cache(pl->sk, AF_UNSPEC, &cache)) < 0) {
		log_warnx("netlink: cannot list links: %s", nl_geterror(r));
		return nlerr(r);
	}
	/* Copy the names first: fn may delete links. */
	for (o = nl_cache_get_first(cache); o != NULL; o = nl_cache_get_next(o)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)o);
		if (name == NULL || strncmp(name, prefix, plen) != 0 ||
		    strlen(name) >= IFNAMSIZ)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((p = realloc(names, cap * sizeof(*names))) == NULL) {
				free(names);
				nl_cache_free(cache);
				return -ENOMEM;
			}
			names = p;
		}
		snprintf(names[n++], IFNAMSIZ, "%s", name);
	}
	nl_cache_free(cache);
	for (i = 0, r = 0; i < n && r == 0; i++)
		r = fn(names[i], arg);
	free(names);
	return r;
}

/* One notification: a deleted link is reported by name. */
static int
mon_msg(struct nl_msg *msg, void *arg)
{
	struct plumb *pl = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];
	char name[IFNAMSIZ];

	if (h->nlmsg_type != RTM_DELLINK ||
	    nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    tb[IFLA_IFNAME] == NULL)
		return NL_OK;
	nla_strlcpy(name, tb[IFLA_IFNAME], sizeof(name));
	pl->gone(name, pl->gone_arg);
	return NL_OK;
}

static void
mon_read(evutil_socket_t fd, short what, void *arg)
{
	struct plumb *pl = arg;
	int r;

	/* Non-blocking: read what is there, then back to the loop. */
	while ((r = nl_recvmsgs_default(pl->mon)) >= 0)
		;
	if (r == -NLE_AGAIN)
		return;
	if (r == -NLE_NOMEM || r == -NLE_OBJ_NOTFOUND || r == -NLE_DUMP_INTR ||
	    r == -NLE_MSG_OVERFLOW) {
		log_warnx("netlink: link notifications lost (%s); looking again",
		    nl_geterror(r));
		pl->gone(NULL, pl->gone_arg);
		return;
	}
	log_warnx("netlink: link notifications: %s", nl_geterror(r));
	pl->gone(NULL, pl->gone_arg);
}

int
plumb_watch(struct plumb *pl, struct event_base *base,
    void (*fn)(const char *name, void *arg), void *arg)
{
	int r;

	if ((pl->mon = nl_socket_alloc()) == NULL)
		return -ENOMEM;
	nl_socket_disable_seq_check(pl->mon);
	nl_socket_modify_cb(pl->mon, NL_CB_VALID, NL_CB_CUSTOM, mon_msg, pl);
	if ((r = nl_connect(pl->mon, NETLINK_ROUTE)) < 0 ||
	    (r = nl_socket_add_membership(pl->mon, RTNLGRP_LINK)) < 0 ||
	    (r = nl_socket_set_nonblocking(pl->mon)) < 0) {
		log_warnx("netlink: cannot watch links: %s", nl_geterror(r));
		nl_socket_free(pl->mon);
		pl->mon = NULL;
		return nlerr(r);
	}
	/* Room for a burst: thousands of containers may go at once. */
	nl_socket_set_buffer_size(pl->mon, 4 << 20, 0);
	pl->gone = fn;
	pl->gone_arg = arg;
	if ((pl->ev = event_new(base, nl_socket_get_fd(pl->mon),
	    EV_READ | EV_PERSIST, mon_read, pl)) == NULL ||
	    event_add(pl->ev, NULL) != 0)
		return -ENOMEM;
	return 0;
}

/* Write value to the file path (under /proc/sys/net). */
static int
sysctl_write(const char *path, const char *value)
{
	ssize_t n;
	int fd, r = 0;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
		r = -errno;
		log_warn("cannot open %s", path);
		return r;
	}
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value)) {
		r = n < 0 ? -errno : -EIO;
		log_warn("cannot write %s to %s", value, path);
	}
	close(fd);
	return r;
}

/* Write value to /proc/sys/net/<proto>/<kind>/<ifname>/<key>. */
static int
sysctl_set(const char *proto, const char *kind, const char *ifname,
    const char *key, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/%s/%s/%s/%s", proto, kind,
	    ifname, key);
	return sysctl_write(path, value);
}

static const char *
forward_path(int family)
{
	return family == AF_INET ? "/proc/sys/net/ipv4/ip_forward" :
	    "/proc/sys/net/ipv6/conf/all/forwarding";
}

int
plumb_forwarding(struct plumb *pl, int family)
{
	char c;
	int fd, r;

	(void)pl;
	if ((fd = open(forward_path(family), O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	r = read(fd, &c, 1) == 1 ? (c != '0') : -EIO;
	close(fd);
	return r;
}

int
plumb_forwarding_on(struct plumb *pl, int family)
{
	int r;

	if ((r = plumb_forwarding(pl, family)) != 0)
		return r < 0 ? r : 0;
	/* ipv4/ip_forward and ipv6/conf/all set every interface and default. */
	if ((r = sysctl_write(forward_path(family), "1")) != 0)
		return r;
	return 1;
}

void
plumb_set_forward6(struct plumb *pl, bool on)
{
	pl->fwd6 = on;
}

/* The first endpoint with IPv6: IPv6 forwarding, or a warning. */
static void
forward6_check(struct plumb *pl)
{
	int r;

	if (pl->fwd6_checked)
		return;
	pl->fwd6_checked = true;
	if (!pl->fwd6) {
		if (plumb_forwarding(pl, AF_INET6) == 0)
			log_warnx("net.ipv6.conf.all.forwarding is 0 and "
			    "--no-ip-forward is given: the IPv6 gateway is not "
			    "answered and IPv6 containers reach nothing");
		return;
	}
	if ((r = plumb_forwarding_on(pl, AF_INET6)) == 1)
		log_info("turned on IPv6 forwarding (net.ipv6.conf.all."
		    "forwarding=1) for the first IPv6 endpoint; interfaces with "
		    "accept_ra=1 now ignore router advertisements "
		    "(--no-ip-forward leaves forwarding alone)");
	else if (r < 0)
		log_warnx("cannot turn on IPv6 forwarding: %s; IPv6 containers "
		    "reach nothing until it is on", strerror(-r));
}

static struct nl_addr *
nladdr(const struct ipaddr *a)
{
	struct nl_addr *na = nl_addr_build(a->family, a->bytes,
	    addr_len(a->family));

	if (na != NULL)
		nl_addr_set_prefixlen(na, (int)addr_bits(a->family));
	return na;
}

/* A proxy neighbour entry for gw on ifindex: the host answers NS for gw. */
static int
proxy_neigh_add(struct plumb *pl, int ifindex, const struct ipaddr *gw)
{
	struct rtnl_neigh *n;
	struct nl_addr *dst;
	int r;

	if ((n = rtnl_neigh_alloc()) == NULL || (dst = nladdr(gw)) == NULL) {
		rtnl_neigh_put(n);
		return -ENOMEM;
	}
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, gw->family);
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	r = rtnl_neigh_add(pl->sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	nl_addr_put(dst);
	rtnl_neigh_put(n);
	if (r < 0)
		log_warnx("netlink: proxy neighbour on ifindex %d: %s", ifindex,
		    nl_geterror(r));
	return nlerr(r);
}

/* The proxy switches of a host side that is there and up. */
static int
host_proxy(struct plumb *pl, const char *host, int ifindex,
    const struct ipaddr *gw6)
{
	int r;

	if ((r = sysctl_set("ipv4", "conf", host, "proxy_arp", "1")) != 0 ||
	    (r = sysctl_set("ipv4", "neigh", host, "proxy_delay", "0")) != 0)
		return r;
	if (gw6 != NULL)
		forward6_check(pl);
	if (gw6 != NULL && ((r = sysctl_set("ipv6", "conf", host, "proxy_ndp",
	    "1")) != 0 || (r = sysctl_set("ipv6", "neigh", host, "proxy_delay",
	    "0")) != 0 || (r = proxy_neigh_add(pl, ifindex, gw6)) != 0))
		return r;
	return 0;
}

/* The host side is there, a link of kind type: MTU, up, proxy ARP/NDP. */
static int
host_setup(struct plumb *pl, const char *host, const char *type,
    unsigned mtu, const struct ipaddr *gw6)
{
	struct rtnl_link *l, *chg;
	int r;

	if ((l = link_get(pl, host, &r)) == NULL)
		return r;
	if (rtnl_link_get_type(l) == NULL ||
	    strcmp(rtnl_link_get_type(l), type) != 0) {
		log_warnx("%s exists and is not a %s", host, type);
		rtnl_link_put(l);
		return -EEXIST;
	}
	if ((chg = rtnl_link_alloc()) == NULL) {
		rtnl_link_put(l);
		return -ENOMEM;
	}
	if (mtu != 0)
		rtnl_link_set_mtu(chg, mtu);
	rtnl_link_set_flags(chg, IFF_UP);
	if ((r = rtnl_link_change(pl->sk, l, chg, 0)) < 0) {
		log_warnx("netlink: cannot set %s up with mtu %u: %s", host, mtu,
		    nl_geterror(r));
		r = nlerr(r);
		goto out;
	}
	r = host_proxy(pl, host, rtnl_link_get_ifindex(l), gw6);
out:
	rtnl_link_put(chg);
	rtnl_link_put(l);
	return r;
}

/*
 * The common case in one request: a new pair, host side up, with its MTU.
 * 1 when made, 0 when a link of either name exists, or -errno.
 */
static int
veth_new(struct plumb *pl, const char *host, const char *peer, unsigned mtu,
    const uint8_t *peer_mac)
{
	struct rtnl_link *l, *p;
	struct nl_addr *mac = NULL;
	int r;

	if ((l = rtnl_link_veth_alloc()) == NULL)
		return -ENOMEM;
	rtnl_link_set_name(l, host);
	rtnl_link_set_mtu(l, mtu);
	rtnl_link_set_flags(l, IFF_UP);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(p, peer);
	rtnl_link_set_mtu(p, mtu);
	if (peer_mac != NULL) {
		if ((mac = nl_addr_build(AF_LLC, peer_mac, 6)) == NULL) {
			rtnl_link_put(p);
			rtnl_link_veth_release(l);
			return -ENOMEM;
		}
		rtnl_link_set_addr(p, mac);
	}
	rtnl_link_put(p);
	r = rtnl_link_add(pl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	nl_addr_put(mac);
	if (r == -NLE_EXIST)
		return 0;
	if (r < 0) {
		log_warnx("netlink: cannot create veth %s/%s: %s", host, peer,
		    nl_geterror(r));
		return nlerr(r);
	}
	log_debug("veth %s/%s created, mtu %u", host, peer, mtu);
	return 1;
}

int
plumb_veth_add(struct plumb *pl, const char *host, const char *peer,
    unsigned mtu, const struct ipaddr *gw6, const uint8_t *peer_mac,
    bool *created)
{
	int r;

	*created = false;
	if (strlen(host) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
		return -EINVAL;
	/*
	 * Two round trips instead of six for a new endpoint (issue 15): the
	 * pair made up, then its switches; its index by ioctl for NDP.
	 */
	if ((r = veth_new(pl, host, peer, mtu, peer_mac)) < 0)
		return r;
	if (r == 1) {
		*created = true;
		if ((r = host_proxy(pl, host, (int)if_nametoindex(host),
		    gw6)) != 0) {
			plumb_veth_del(pl, host, peer);
			*created = false;
		}
		return r;
	}
	/* A name is taken: a link to reuse, or a leftover peer. */
	if ((r = plumb_link_exists(pl, host)) < 0)
		return r;
	if (r == 0) {
		/* A peer without its host side is a leftover: replace it. */
		if (plumb_link_exists(pl, peer) == 1)
			plumb_veth_del(pl, host, peer);
		if ((r = veth_new(pl, host, peer, mtu, peer_mac)) <= 0)
			return r < 0 ? r : -EEXIST;
		*created = true;
	}
	/* Undo only what this call made: a reused link may be a container's. */
	if ((r = host_setup(pl, host, "veth", mtu, gw6)) != 0 && *created) {
		plumb_veth_del(pl, host, peer);
		*created = false;
	}
	return r;
}

/* 0 when name is an ipvlan whose parent is parent_index, else -EEXIST. */
static int
ipvlan_check(struct plumb *pl, const char *name, int parent_index)
{
	struct rtnl_link *l;
	int r;

	if ((l = link_get(pl, name, &r)) == NULL)
		return r;
	if (!rtnl_link_is_ipvlan(l) || rtnl_link_get_link(l) != parent_index) {
		log_warnx("%s exists and is not an ipvlan of ifindex %d", name,
		    parent_index);
		r = -EEXIST;
	}
	rtnl_link_put(l);
	return r;
}

int
plumb_ipvlan_add(struct plumb *pl, const char *name, const char *parent,
    int mode, unsigned mtu, bool host, const struct ipaddr *gw6,
    bool *created)
{
	struct rtnl_link *l, *par;
	bool exists;
	int r, pindex;

	*created = false;
	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	if ((par = link_get(pl, parent, &r)) == NULL) {
		log_warnx("ipvlan %s: no parent %s: %s", name, parent,
		    strerror(-r));
		return r;
	}
	pindex = rtnl_link_get_ifindex(par);
	rtnl_link_put(par);
	if ((r = plumb_link_exists(pl, name)) < 0)
		return r;
	exists = r == 1;
	if (exists && (r = ipvlan_check(pl, name, pindex)) != 0)
		return r;
	if (!exists) {
		if ((l = rtnl_link_ipvlan_alloc()) == NULL)
			return -ENOMEM;
		rtnl_link_set_name(l, name);
		rtnl_link_set_link(l, pindex);
		if (mtu != 0)
			rtnl_link_set_mtu(l, mtu);
		if ((r = rtnl_link_ipvlan_set_mode(l, (uint16_t)mode)) >= 0)
			r = rtnl_link_add(pl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_put(l);
		if (r < 0) {
			log_warnx("netlink: cannot create ipvlan %s on %s: %s",
			    name, parent, nl_geterror(r));
			return nlerr(r);
		}
		log_debug("ipvlan %s on %s created, mode %d, mtu %u", name,
		    parent, mode, mtu);
		*created = true;
	}
	if (!host)
		return 0;
	if ((r = host_setup(pl, name, "ipvlan", mtu, gw6)) != 0 && *created) {
		plumb_link_del(pl, name);
		*created = false;
	}
	return r;
}

int
plumb_link_del(struct plumb *pl, const char *name)
{
	struct rtnl_link *l;
	int r;

	if ((l = rtnl_link_alloc()) == NULL)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	r = rtnl_link_delete(pl->sk, l);
	rtnl_link_put(l);
	r = nlerr(r);
	if (r == -ENODEV || r == -ENOENT)
		return 0;
	if (r < 0)
		log_warnx("netlink: cannot delete %s: %s", name, strerror(-r));
	else
		log_debug("link %s deleted", name);
	return r;
}

int
plumb_neigh_self(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool add)
{
	struct rtnl_neigh *n;
	struct rtnl_link *l;
	struct nl_addr *na;
	char s[ADDR_STRLEN];
	int r;

	if ((l = link_get(pl, dev, &r)) == NULL)
		return !add && r == -ENODEV ? 0 : r;
	if ((n = rtnl_neigh_alloc()) == NULL || (na = nladdr(dst)) == NULL) {
		rtnl_neigh_put(n);
		rtnl_link_put(l);
		return -ENOMEM;
	}
	rtnl_neigh_set_ifindex(n, rtnl_link_get_ifindex(l));
	rtnl_neigh_set_family(n, dst->family);
	rtnl_neigh_set_dst(n, na);
	if (add) {
		rtnl_neigh_set_lladdr(n, rtnl_link_get_addr(l));
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		r = nlerr(rtnl_neigh_add(pl->sk, n, NLM_F_CREATE |
		    NLM_F_REPLACE));
	} else if ((r = nlerr(rtnl_neigh_delete(pl->sk, n, 0))) == -ENOENT)
		r = 0;
	nl_addr_put(na);
	rtnl_neigh_put(n);
	rtnl_link_put(l);
	if (r != 0)
		log_warnx("netlink: cannot %s neighbour %s on %s: %s", add ?
		    "add" : "delete", addr_fmt(dst, s, sizeof(s)), dev,
		    strerror(-r));
	return r;
}

#define PROBE_IF	"rvprobe"

int
plumb_ipvlan_addr_held(struct plumb *pl, const char *parent, int mode,
    const struct ipaddr *addr)
{
	struct rtnl_addr *a = NULL;
	struct rtnl_link *l;
	struct nl_addr *na = NULL;
	char s[ADDR_STRLEN];
	bool created;
	int r;

	plumb_link_del(pl, PROBE_IF);		/* left by a crash */
	if ((r = plumb_ipvlan_add(pl, PROBE_IF, parent, mode, 0, false, NULL,
	    &created)) != 0)
		return r;
	if ((l = link_get(pl, PROBE_IF, &r)) == NULL)
		goto out;
	if ((a = rtnl_addr_alloc()) == NULL || (na = nladdr(addr)) == NULL) {
		rtnl_link_put(l);
		r = -ENOMEM;
		goto out;
	}
	rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(l));
	rtnl_link_put(l);
	rtnl_addr_set_family(a, addr->family);
	rtnl_addr_set_local(a, na);
	if (addr->family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	r = rtnl_addr_add(pl->sk, a, 0);
	log_debug("ipvlan probe on %s for %s: %s", parent,
	    addr_fmt(addr, s, sizeof(s)), r < 0 ? nl_geterror(r) : "free");
	/* The port's validator refuses an address a slave holds. */
	if (r == -NLE_EXIST || r == -NLE_BUSY)
		r = 1;
	else
		r = r < 0 ? nlerr(r) : 0;
out:
	nl_addr_put(na);
	if (a != NULL)
		rtnl_addr_put(a);
	plumb_link_del(pl, PROBE_IF);
	return r;
}

int
plumb_veth_del(struct plumb *pl, const char *host, const char *peer)
{
	int r;

	/* Deleting one side deletes the pair; the peer may be in a container. */
	if ((r = plumb_link_exists(pl, host)) == 1)
		return plumb_link_del(pl, host);
	if (r < 0)
		return r;
	if (peer != NULL && (r = plumb_link_exists(pl, peer)) == 1)
		return plumb_link_del(pl, peer);
	return r < 0 ? r : 0;
}

int
plumb_link_group(struct plumb *pl, const char *name, uint32_t group)
{
	struct rtnl_link *l, *chg;
	int r;

	if ((l = link_get(pl, name, &r)) == NULL)
		return r == -ENODEV ? 0 : r;
	if ((chg = rtnl_link_alloc()) == NULL) {
		rtnl_link_put(l);
		return -ENOMEM;
	}
	rtnl_link_set_group(chg, group);
	if ((r = rtnl_link_change(pl->sk, l, chg, 0)) < 0)
		log_warnx("netlink: cannot put %s in link group %u: %s", name,
		    group, nl_geterror(r));
	rtnl_link_put(chg);
	rtnl_link_put(l);
	return nlerr(r);
}

/* Set l down if it is up, then rename it "rd<ifindex>". */
static int
link_rename_away(struct plumb *pl, struct rtnl_link *l)
{
	struct rtnl_link *chg;
	char name[IFNAMSIZ];
	int r = 0;

	if ((chg = rtnl_link_alloc()) == NULL)
		return -ENOMEM;
	/* The kernel renames only a link that is down. */
	if (rtnl_link_get_flags(l) & IFF_UP) {
		rtnl_link_unset_flags(chg, IFF_UP);
		r = rtnl_link_change(pl->sk, l, chg, 0);
		rtnl_link_put(chg);
		if (r < 0 || (chg = rtnl_link_alloc()) == NULL)
			goto out;
	}
	snprintf(name, sizeof(name), "rd%x", (unsigned)rtnl_link_get_ifindex(l));
	rtnl_link_set_name(chg, name);
	r = rtnl_link_change(pl->sk, l, chg, 0);
	rtnl_link_put(chg);
out:
	if (r < 0 && nlerr(r) != -ENODEV)	/* ENODEV: deleted meanwhile */
		log_warnx("netlink: cannot rename %s out of the way: %s",
		    rtnl_link_get_name(l), nl_geterror(r));
	else
		log_debug("%s renamed rd%x, waiting to be deleted",
		    rtnl_link_get_name(l), (unsigned)rtnl_link_get_ifindex(l));
	return r < 0 ? nlerr(r) : (chg == NULL ? -ENOMEM : 0);
}

int
plumb_veth_doom(struct plumb *pl, const char *host, const char *peer,
    uint32_t group)
{
	struct rtnl_link *l, *p = NULL;
	int r;

	if ((l = link_get(pl, host, &r)) == NULL)
		return r == -ENODEV ? 0 : r;
	if (rtnl_link_get_group(l) != group) {
		/* an ipvlan's name stays queued after its claim: no news */
		if (peer != NULL)
			log_warnx("%s is not waiting to be deleted: left alone",
			    host);
		rtnl_link_put(l);
		return -EPERM;
	}
	/* Its peer, if in this namespace: a veth whose peer is l. */
	if (peer != NULL && (p = link_get(pl, peer, &r)) != NULL &&
	    rtnl_link_get_link(p) != rtnl_link_get_ifindex(l)) {
		rtnl_link_put(p);
		p = NULL;
	}
	if ((r = link_rename_away(pl, l)) == 0 && p != NULL)
		r = link_rename_away(pl, p);
	rtnl_link_put(p);
	rtnl_link_put(l);
	/* The batch deleted it between the look and the rename: gone too. */
	return r == -ENODEV ? 0 : r;
}

int
plumb_group_del(struct plumb *pl, uint32_t group)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	int r;

	/*
	 * libnl's link API deletes by index or name only: no index, no name
	 * and IFLA_GROUP make the kernel delete the whole group at once.
	 */
	if ((msg = nlmsg_alloc_simple(RTM_DELLINK, 0)) == NULL)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_GROUP, group) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	r = nlerr(nl_send_sync(pl->sk, msg));	/* frees msg */
	return r == -ENODEV ? 0 : r;		/* an empty group */
}

/* A prefix as a libnl address, or NULL (ENOMEM). */
static struct nl_addr *
nlprefix(const struct ipprefix *p)
{
	struct nl_addr *na = nl_addr_build(p->addr.family, p->addr.bytes,
	    addr_len(p->addr.family));

	if (na != NULL)
		nl_addr_set_prefixlen(na, p->plen);
	return na;
}

/* A route to dst via dev; NULL with *err on failure. */
static struct rtnl_route *
link_route(struct plumb *pl, const char *dev, const struct ipprefix *dst,
    int *err)
{
	struct rtnl_route *rt;
	struct rtnl_nexthop *nh;
	struct nl_addr *na;
	unsigned ifindex;
	int af = dst->addr.family;

	/* SIOCGIFINDEX: no netlink round trip for the index (issue 15) */
	if (strlen(dev) >= IFNAMSIZ || (ifindex = if_nametoindex(dev)) == 0) {
		*err = -ENODEV;
		return NULL;
	}
	if ((rt = rtnl_route_alloc()) == NULL || (nh = rtnl_route_nh_alloc()) ==
	    NULL || (na = nlprefix(dst)) == NULL) {
		rtnl_route_put(rt);
		*err = -ENOMEM;
		return NULL;
	}
	rtnl_route_set_family(rt, af);
	rtnl_route_set_dst(rt, na);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_type(rt, RTN_UNICAST);
	/*
	 * "redirect": the one protocol every zebra (FRR 7.5 to 10.7) skips
	 * when it reads the kernel's routes, so this route never shadows the
	 * one announced over ZAPI.  "kernel" did until FRR 10.2, which imports
	 * kernel routes (commit d528c02a20) and then prefers them (distance 0).
	 */
	rtnl_route_set_protocol(rt, RTPROT_REDIRECT);
	rtnl_route_set_scope(rt, af == AF_INET ? RT_SCOPE_LINK :
	    RT_SCOPE_UNIVERSE);
	rtnl_route_nh_set_ifindex(nh, (int)ifindex);
	rtnl_route_add_nexthop(rt, nh);
	nl_addr_put(na);
	return rt;
}

static int
route_add(struct plumb *pl, const char *dev, const struct ipprefix *dst,
    const struct ipaddr *src, bool *created)
{
	struct rtnl_route *rt;
	struct nl_addr *na;
	char s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((rt = link_route(pl, dev, dst, &r)) == NULL)
		return r;
	if (src != NULL) {
		if ((na = nladdr(src)) == NULL) {
			rtnl_route_put(rt);
			return -ENOMEM;
		}
		rtnl_route_set_pref_src(rt, na);
		nl_addr_put(na);
	}
	/* Tell a new route from one that was there: only a new one is undone. */
	if ((r = rtnl_route_add(pl->sk, rt, NLM_F_CREATE | NLM_F_EXCL)) >= 0)
		*created = true;
	else if (r == -NLE_EXIST)
		r = rtnl_route_add(pl->sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(rt);
	if (r < 0) {
		log_warnx("netlink: cannot add route %s dev %s: %s",
		    prefix_fmt(dst, s, sizeof(s)), dev, nl_geterror(r));
		return nlerr(r);
	}
	log_debug("route %s dev %s added", prefix_fmt(dst, s, sizeof(s)), dev);
	return 0;
}

static int
route_del(struct plumb *pl, const char *dev, const struct ipprefix *dst)
{
	struct rtnl_route *rt;
	char s[ADDR_STRLEN];
	int r;

	if ((rt = link_route(pl, dev, dst, &r)) == NULL)
		return r == -ENODEV ? 0 : r;	/* gone with its interface */
	r = nlerr(rtnl_route_delete(pl->sk, rt, 0));
	rtnl_route_put(rt);
	if (r == -ENOENT || r == -ESRCH || r == -ENODEV)
		return 0;
	if (r < 0) {
		log_warnx("netlink: cannot delete route %s dev %s: %s",
		    prefix_fmt(dst, s, sizeof(s)), dev, strerror(-r));
		return r;
	}
	log_debug("route %s dev %s deleted", prefix_fmt(dst, s, sizeof(s)), dev);
	return 0;
}

int
plumb_route_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created)
{
	struct ipprefix p;

	prefix_host(dst, &p);
	return route_add(pl, dev, &p, NULL, created);
}

int
plumb_route_del(struct plumb *pl, const char *dev, const struct ipaddr *dst)
{
	struct ipprefix p;

	prefix_host(dst, &p);
	return route_del(pl, dev, &p);
}

int
plumb_net_route_add(struct plumb *pl, const char *dev,
    const struct ipprefix *p, const struct ipaddr *src, bool *created)
{
	return route_add(pl, dev, p, src, created);
}

int
plumb_net_route_del(struct plumb *pl, const char *dev,
    const struct ipprefix *p)
{
	return route_del(pl, dev, p);
}

/* Bring name up with no ARP (it must exist). */
static int
gw_link_up(struct plumb *pl, const char *name)
{
	struct rtnl_link *l, *chg;
	int r;

	if ((l = link_get(pl, name, &r)) == NULL)
		return r;
	if ((chg = rtnl_link_alloc()) == NULL) {
		rtnl_link_put(l);
		return -ENOMEM;
	}
	rtnl_link_set_flags(chg, IFF_UP | IFF_NOARP);
	if ((r = rtnl_link_change(pl->sk, l, chg, 0)) < 0)
		log_warnx("netlink: cannot set %s up: %s", name, nl_geterror(r));
	rtnl_link_put(chg);
	rtnl_link_put(l);
	return nlerr(r);
}

int
plumb_gw_link_add(struct plumb *pl, const char *name, const char *peer,
    bool *created)
{
	struct rtnl_link *l, *p;
	const char *type;
	int r;

	*created = false;
	if (strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
		return -EINVAL;
	if ((l = link_get(pl, name, &r)) != NULL) {
		type = rtnl_link_get_type(l);
		if (type == NULL || (strcmp(type, "veth") != 0 &&
		    strcmp(type, "dummy") != 0)) {
			log_warnx("%s exists and is neither a veth nor a dummy: "
			    "not using it", name);
			rtnl_link_put(l);
			return -EEXIST;
		}
		rtnl_link_put(l);
		/* A dummy made by the operator has no peer. */
		if ((r = gw_link_up(pl, name)) != 0 ||
		    (plumb_link_exists(pl, peer) == 1 &&
		    (r = gw_link_up(pl, peer)) != 0))
			return r;
		return 0;
	}
	if (r != -ENODEV)
		return r;
	if ((l = rtnl_link_veth_alloc()) == NULL)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(p, peer);
	rtnl_link_put(p);
	r = rtnl_link_add(pl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	if (r < 0) {
		log_warnx("netlink: cannot create veth %s/%s: %s", name, peer,
		    nl_geterror(r));
		return nlerr(r);
	}
	*created = true;
	log_info("link %s (veth, peer %s) created for the gateway", name, peer);
	/* No IPv6 link-local addresses (nothing for FRR to see), set while
	 * still down; the host may have IPv6 off, which does not matter. */
	sysctl_set("ipv6", "conf", name, "addr_gen_mode", "1");
	sysctl_set("ipv6", "conf", peer, "addr_gen_mode", "1");
	if ((r = gw_link_up(pl, name)) != 0 || (r = gw_link_up(pl, peer)) != 0)
		return r;
	return 0;
}

int
plumb_gw_route_add(struct plumb *pl, const char *dev, const struct ipaddr *gw)
{
	struct rtnl_route *rt;
	struct ipprefix p;
	char s[ADDR_STRLEN];
	int r;

	if (gw->family != AF_INET)
		return -EAFNOSUPPORT;
	prefix_host(gw, &p);
	if ((rt = link_route(pl, dev, &p, &r)) == NULL)
		return r;
	/* Table local: no FRR reads it (10.x reads main's proto kernel). */
	rtnl_route_set_table(rt, RT_TABLE_LOCAL);
	rtnl_route_set_priority(rt, PLUMB_GW_METRIC);
	/* REPLACE matches (prefix, tos, metric): only a route of our metric. */
	r = rtnl_route_add(pl->sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(rt);
	if (r < 0) {
		log_warnx("netlink: cannot add route %s dev %s table local "
		    "metric %d: %s",
		    addr_fmt(gw, s, sizeof(s)), dev, PLUMB_GW_METRIC,
		    nl_geterror(r));
		return nlerr(r);
	}
	log_debug("route %s dev %s table local metric %d added", addr_fmt(gw, s,
	    sizeof(s)), dev, PLUMB_GW_METRIC);
	return 0;
}

/* ---------------------------------------------------------------- sandboxes */

struct plumb_ns {
	struct nl_sock *sk;		/* requests */
	struct nl_sock *mon;		/* address notifications */
};

void
plumb_ns_close(struct plumb_ns *ns)
{
	if (ns == NULL)
		return;
	nl_socket_free(ns->sk);
	nl_socket_free(ns->mon);
	free(ns);
}

/*
 * A socket lives in the namespace it was made in: step into the target,
 * connect both sockets, step back.  setns() moves only the calling thread
 * (the loop's; libzmq's threads stay where they are), and nothing else runs
 * on it meanwhile.
 */
static int
ns_connect(struct plumb_ns *ns, const char *path)
{
	int home, fd, r = 0, e;

	if ((home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		r = -errno;
		close(home);
		return r;
	}
	if (setns(fd, CLONE_NEWNET) != 0) {
		r = -errno;
		goto out;
	}
	if ((e = nl_connect(ns->sk, NETLINK_ROUTE)) < 0 ||
	    (e = nl_connect(ns->mon, NETLINK_ROUTE)) < 0)
		r = nlerr(e);
	if (setns(home, CLONE_NEWNET) != 0) {
		/* Every later netlink call would act on the container. */
		fatal("cannot return to the plugin's network namespace");
	}
out:
	close(fd);
	close(home);
	return r;
}

int
plumb_ns_open(struct plumb *pl, const char *path, struct plumb_ns **out)
{
	struct plumb_ns *ns;
	int r;

	*out = NULL;
	if ((ns = calloc(1, sizeof(*ns))) == NULL)
		return -ENOMEM;
	if ((ns->sk = nl_socket_alloc()) == NULL ||
	    (ns->mon = nl_socket_alloc()) == NULL) {
		plumb_ns_close(ns);
		return -ENOMEM;
	}
	nl_socket_disable_seq_check(ns->mon);
	if ((r = ns_connect(ns, path)) != 0) {
		/* Docker may not have made it yet: the caller tries again. */
		plumb_ns_close(ns);
		return r;
	}
	if ((r = nl_socket_add_memberships(ns->mon, RTNLGRP_IPV4_IFADDR,
	    RTNLGRP_IPV6_IFADDR, RTNLGRP_LINK, 0)) < 0 ||
	    (r = nl_socket_set_nonblocking(ns->mon)) < 0) {
		log_warnx("netlink: cannot watch addresses in %s: %s", path,
		    nl_geterror(r));
		plumb_ns_close(ns);
		return nlerr(r);
	}
	*out = ns;
	return 0;
}

int
plumb_ns_fd(const struct plumb_ns *ns)
{
	return nl_socket_get_fd(ns->mon);
}

static int
ns_ignore(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

void
plumb_ns_drain(struct plumb_ns *ns)
{
	nl_socket_modify_cb(ns->mon, NL_CB_VALID, NL_CB_CUSTOM, ns_ignore,
	    NULL);
	while (nl_recvmsgs_default(ns->mon) >= 0)
		;
}

int
plumb_ns_addr_link(struct plumb_ns *ns, const struct ipaddr *a)
{
	struct nl_cache *cache;
	struct nl_object *o;
	struct nl_addr *la;
	int r, found = 0;

	if ((r = rtnl_addr_alloc_cache(ns->sk, &cache)) < 0) {
		log_warnx("netlink: cannot list a sandbox's addresses: %s",
		    nl_geterror(r));
		return nlerr(r);
	}
	for (o = nl_cache_get_first(cache); o != NULL && found == 0;
	    o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;

		if (rtnl_addr_get_family(ra) != a->family ||
		    (la = rtnl_addr_get_local(ra)) == NULL ||
		    nl_addr_get_len(la) != addr_len(a->family) ||
		    memcmp(nl_addr_get_binary_addr(la), a->bytes,
		    addr_len(a->family)) != 0)
			continue;
		found = rtnl_addr_get_ifindex(ra);
	}
	nl_cache_free(cache);
	return found;
}

int
plumb_ns_addr_add(struct plumb_ns *ns, int ifindex, const struct ipaddr *a)
{
	struct rtnl_addr *ra;
	struct nl_addr *na;
	char s[ADDR_STRLEN];
	int r;

	if ((ra = rtnl_addr_alloc()) == NULL || (na = nladdr(a)) == NULL) {
		rtnl_addr_put(ra);
		return -ENOMEM;
	}
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_local(ra, na);
	rtnl_addr_set_prefixlen(ra, (int)addr_bits(a->family));
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	r = rtnl_addr_add(ns->sk, ra, NLM_F_CREATE | NLM_F_REPLACE);
	nl_addr_put(na);
	rtnl_addr_put(ra);
	if (r < 0 && r != -NLE_EXIST) {
		log_warnx("netlink: cannot add %s to a sandbox's link %d: %s",
		    addr_fmt(a, s, sizeof(s)), ifindex, nl_geterror(r));
		return nlerr(r);
	}
	return 0;
}

int
plumb_host_routes(struct plumb *pl, const char *prefix,
    int (*fn)(const char *dev, const struct ipaddr *dst, void *arg),
    void *arg)
{
	struct nl_cache *links = NULL, *routes = NULL;
	struct nl_object *o;
	struct rtnl_route *rt;
	struct rtnl_nexthop *nh;
	struct nl_addr *na;
	struct ipaddr dst;
	char dev[IFNAMSIZ];
	size_t plen = strlen(prefix);
	int r;

	if ((r = rtnl_link_alloc_cache(pl->sk, AF_UNSPEC, &links)) < 0 ||
	    (r = rtnl_route_alloc_cache(pl->sk, AF_UNSPEC, 0, &routes)) < 0) {
		log_warnx("netlink: cannot list links or routes: %s",
		    nl_geterror(r));
		nl_cache_free(links);
		return nlerr(r);
	}
	r = 0;
	for (o = nl_cache_get_first(routes); o != NULL && r == 0;
	    o = nl_cache_get_next(o)) {
		rt = (struct rtnl_route *)o;
		na = rtnl_route_get_dst(rt);
		/* Ours are "proto redirect"; zebra's copies are not. */
		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_protocol(rt) != RTPROT_REDIRECT ||
		    rtnl_route_get_nnexthops(rt) != 1 || na == NULL ||
		    (nh = rtnl_route_nexthop_n(rt, 0)) == NULL)
			continue;
		memset(&dst, 0, sizeof(dst));
		dst.family = (sa_family_t)nl_addr_get_family(na);
		if ((dst.family != AF_INET && dst.family != AF_INET6) ||
		    nl_addr_get_prefixlen(na) != addr_len(dst.family) * 8 ||
		    nl_addr_get_len(na) != addr_len(dst.family))
			continue;
		memcpy(dst.bytes, nl_addr_get_binary_addr(na),
		    addr_len(dst.family));
		if (rtnl_link_i2name(links, rtnl_route_nh_get_ifindex(nh), dev,
		    sizeof(dev)) == NULL || strncmp(dev, prefix, plen) != 0)
			continue;
		r = fn(dev, &dst, arg);
	}
	nl_cache_free(routes);
	nl_cache_free(links);
	return r;
}

/* ------------------------------------------------------------ segments */

static struct nl_addr *
nlmac(const uint8_t mac[6])
{
	return nl_addr_build(AF_LLC, mac, 6);
}

/* The ifindex of name, or -errno (-ENODEV when it does not exist). */
static int
link_index(struct plumb *pl, const char *name)
{
	struct rtnl_link *l;
	int r;

	if ((l = link_get(pl, name, &r)) == NULL)
		return r;
	r = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return r;
}

/* The link name exists: of kind (and VNI, for vxlan)? Then set it up. */
static int
reuse(struct plumb *pl, const char *name, const char *kind, uint32_t vni)
{
	struct rtnl_link *l, *chg;
	const char *t;
	uint32_t id = 0;
	int r;

	if ((l = link_get(pl, name, &r)) == NULL)
		return r;
	t = rtnl_link_get_type(l);
	if (t == NULL || strcmp(t, kind) != 0 || (vni != 0 &&
	    (rtnl_link_vxlan_get_id(l, &id) != 0 || id != vni))) {
		log_warnx("%s exists and is not a %s%s", name, kind,
		    vni ? " with that VNI" : "");
		rtnl_link_put(l);
		return -EEXIST;
	}
	r = 0;
	if (!(rtnl_link_get_flags(l) & IFF_UP)) {
		if ((chg = rtnl_link_alloc()) == NULL) {
			rtnl_link_put(l);
			return -ENOMEM;
		}
		rtnl_link_set_flags(chg, IFF_UP);
		if ((r = rtnl_link_change(pl->sk, l, chg, 0)) < 0)
			log_warnx("netlink: cannot set %s up: %s", name,
			    nl_geterror(r));
		r = nlerr(r);
		rtnl_link_put(chg);
	}
	rtnl_link_put(l);
	return r;
}

/* The link settings both devices have: MTU, MAC, txqueuelen, up. */
static int
link_common(struct rtnl_link *l, const char *name, unsigned mtu,
    const uint8_t *mac, uint32_t txqlen)
{
	struct nl_addr *a;

	rtnl_link_set_name(l, name);
	if (mtu != 0)
		rtnl_link_set_mtu(l, mtu);
	if (mac != NULL) {
		if ((a = nlmac(mac)) == NULL)
			return -ENOMEM;
		rtnl_link_set_addr(l, a);
		nl_addr_put(a);
	}
	if (txqlen != 0)
		rtnl_link_set_txqlen(l, txqlen);
	rtnl_link_set_flags(l, IFF_UP);
	return 0;
}

/* Add l, made for name; *created on success. */
static int
link_create(struct plumb *pl, struct rtnl_link *l, const char *name,
    bool *created)
{
	int r;

	if ((r = rtnl_link_add(pl->sk, l, NLM_F_CREATE | NLM_F_EXCL)) < 0) {
		log_warnx("netlink: cannot create %s: %s", name, nl_geterror(r));
		return nlerr(r);
	}
	log_debug("%s created", name);
	*created = true;
	return 0;
}

static int
vxlan_fill(struct plumb *pl, struct rtnl_link *l, const struct segconf *c)
{
	struct ifla_vxlan_port_range pr;
	struct nl_addr *a;
	int idx, r = 0;

	if ((r = link_common(l, c->vx_name, c->vx_mtu,
	    segconf_given(c, "routed.vxlan.address") ? c->vx_mac : NULL,
	    c->vx_txqlen)) != 0)
		return r;
	rtnl_link_vxlan_set_id(l, c->vni);
	if (c->dev[0] != '\0') {
		if ((idx = link_index(pl, c->dev)) < 0)
			return idx;
		rtnl_link_vxlan_set_link(l, (uint32_t)idx);
	}
	if (c->local.family != 0) {
		if ((a = nladdr(&c->local)) == NULL)
			return -ENOMEM;
		r = rtnl_link_vxlan_set_local(l, a);
		nl_addr_put(a);
	}
	if (r == 0 && c->group.family != 0) {
		if ((a = nladdr(&c->group)) == NULL)
			return -ENOMEM;
		r = rtnl_link_vxlan_set_group(l, a);
		nl_addr_put(a);
	}
	if (r != 0)
		return nlerr(r);
	if (segconf_given(c, "routed.vxlan.ttl"))
		rtnl_link_vxlan_set_ttl(l, c->ttl);
	if (segconf_given(c, "routed.vxlan.tos"))
		rtnl_link_vxlan_set_tos(l, c->tos);
	rtnl_link_vxlan_set_learning(l, c->learning);
	rtnl_link_vxlan_set_proxy(l, c->proxy);
	rtnl_link_vxlan_set_rsc(l, c->rsc);
	rtnl_link_vxlan_set_l2miss(l, c->l2miss);
	rtnl_link_vxlan_set_l3miss(l, c->l3miss);
	if (segconf_given(c, "routed.vxlan.ageing"))
		rtnl_link_vxlan_set_ageing(l, c->ageing);
	if (segconf_given(c, "routed.vxlan.maxaddress"))
		rtnl_link_vxlan_set_limit(l, c->maxaddress);
	if (segconf_given(c, "routed.vxlan.srcport")) {
		pr.low = htons(c->srcport_lo);
		pr.high = htons(c->srcport_hi);
		rtnl_link_vxlan_set_port_range(l, &pr);
	}
	rtnl_link_vxlan_set_port(l, c->dstport);
	if (c->gbp)
		rtnl_link_vxlan_set_flags(l, RTNL_LINK_VXLAN_F_GBP, 1);
	return 0;
}

int
plumb_vxlan_add(struct plumb *pl, const struct segconf *c, bool *created)
{
	struct rtnl_link *l;
	int r;

	*created = false;
	if ((r = plumb_link_exists(pl, c->vx_name)) < 0)
		return r;
	if (r == 1)
		return reuse(pl, c->vx_name, "vxlan", c->vni);
	if (c->dev[0] != '\0' && (r = plumb_link_exists(pl, c->dev)) != 1)
		return r == 0 ? -ENODEV : r;
	if ((l = rtnl_link_vxlan_alloc()) == NULL)
		return -ENOMEM;
	if ((r = vxlan_fill(pl, l, c)) == 0)
		r = link_create(pl, l, c->vx_name, created);
	rtnl_link_put(l);
	return r;
}

int
plumb_bridge_add(struct plumb *pl, const struct segconf *c, bool *created)
{
	struct rtnl_link *l;
	int r;

	*created = false;
	if ((r = plumb_link_exists(pl, c->br_name)) < 0)
		return r;
	if (r == 1)
		return reuse(pl, c->br_name, "bridge", 0);
	if ((l = rtnl_link_alloc()) == NULL)
		return -ENOMEM;
	if ((r = rtnl_link_set_type(l, "bridge")) < 0)
		r = nlerr(r);
	else if ((r = link_common(l, c->br_name, c->br_mtu, c->br_mac,
	    c->br_txqlen)) == 0)
		r = link_create(pl, l, c->br_name, created);
	rtnl_link_put(l);
	return r;
}

/* Turn the bridge port's MAC learning off (IFLA_BRPORT_LEARNING). */
static int
port_learning_off(struct plumb *pl, struct rtnl_link *port)
{
	struct rtnl_link *orig, *chg;
	int r;

	orig = rtnl_link_alloc();
	chg = rtnl_link_alloc();
	if (orig == NULL || chg == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rtnl_link_set_ifindex(orig, rtnl_link_get_ifindex(port));
	rtnl_link_set_family(orig, AF_BRIDGE);
	rtnl_link_set_family(chg, AF_BRIDGE);
	if ((r = rtnl_link_bridge_unset_flags(chg, RTNL_BRIDGE_LEARNING)) < 0 ||
	    (r = rtnl_link_change(pl->sk, orig, chg, 0)) < 0)
		log_warnx("netlink: cannot turn learning off on %s: %s",
		    rtnl_link_get_name(port), nl_geterror(r));
	r = nlerr(r);
out:
	rtnl_link_put(orig);
	rtnl_link_put(chg);
	return r;
}

int
plumb_port_add(struct plumb *pl, const char *port, const char *bridge,
    bool learning, bool *created)
{
	struct rtnl_link *p;
	int br, r;

	*created = false;
	if ((br = link_index(pl, bridge)) < 0)
		return br;
	if ((p = link_get(pl, port, &r)) == NULL)
		return r;
	if (rtnl_link_get_master(p) != br) {
		if ((r = rtnl_link_enslave_ifindex(pl->sk, br,
		    rtnl_link_get_ifindex(p))) < 0) {
			log_warnx("netlink: cannot make %s a port of %s: %s",
			    port, bridge, nl_geterror(r));
			rtnl_link_put(p);
			return nlerr(r);
		}
		*created = true;
	}
	if (!learning && (r = port_learning_off(pl, p)) != 0 && *created) {
		rtnl_link_release_ifindex(pl->sk, rtnl_link_get_ifindex(p));
		*created = false;
	}
	rtnl_link_put(p);
	return r;
}

int
plumb_port_del(struct plumb *pl, const char *port)
{
	int idx, r;

	if ((idx = link_index(pl, port)) < 0)
		return idx == -ENODEV ? 0 : idx;
	if ((r = rtnl_link_release_ifindex(pl->sk, idx)) < 0) {
		log_warnx("netlink: cannot release %s from its bridge: %s", port,
		    nl_geterror(r));
		return nlerr(r);
	}
	return 0;
}

/* A proxy entry this dump found: family, ifindex and address to look for. */
struct proxy_find {
	int ifindex;
	const struct ipaddr *a;
	bool found;
};

static int
proxy_msg(struct nl_msg *msg, void *arg)
{
	struct proxy_find *f = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[NDA_MAX + 1];
	struct ndmsg *nd;

	if (h->nlmsg_type != RTM_NEWNEIGH ||
	    nlmsg_parse(h, sizeof(*nd), tb, NDA_MAX, NULL) < 0)
		return NL_OK;
	nd = nlmsg_data(h);
	if ((nd->ndm_flags & NTF_PROXY) && nd->ndm_ifindex == f->ifindex &&
	    tb[NDA_DST] != NULL &&
	    (size_t)nla_len(tb[NDA_DST]) == addr_len(f->a->family) &&
	    memcmp(nla_data(tb[NDA_DST]), f->a->bytes,
	    addr_len(f->a->family)) == 0)
		f->found = true;
	return NL_OK;
}

/*
 * Whether ifindex has the proxy neighbour entry a: 1, 0 or -errno.  libnl's
 * neighbour cache has no proxy entries (their dump needs NTF_PROXY in the
 * request), so this dump is its own, on a socket of its own.
 */
static int
proxy_exists(int ifindex, const struct ipaddr *a)
{
	struct ndmsg nd = { .ndm_family = (uint8_t)a->family,
	    .ndm_flags = NTF_PROXY };
	struct proxy_find f = { ifindex, a, false };
	struct nl_sock *sk;
	int r;

	if ((sk = nl_socket_alloc()) == NULL)
		return -ENOMEM;
	if ((r = nl_connect(sk, NETLINK_ROUTE)) >= 0 &&
	    (r = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, proxy_msg,
	    &f)) >= 0 &&
	    (r = nl_send_simple(sk, RTM_GETNEIGH, NLM_F_DUMP, &nd,
	    sizeof(nd))) >= 0)
		r = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (r < 0) {
		log_warnx("netlink: cannot list proxy neighbours: %s",
		    nl_geterror(r));
		return nlerr(r);
	}
	return f.found;
}

int
plumb_proxy_add(struct plumb *pl, const char *dev, const struct ipaddr *a,
    bool *created)
{
	int idx, r;

	*created = false;
	if ((idx = link_index(pl, dev)) < 0)
		return idx;
	if (a->family == AF_INET && (r = sysctl_set("ipv4", "neigh", dev,
	    "proxy_delay", "0")) != 0)
		return r;
	if ((r = proxy_exists(idx, a)) != 0)
		return r < 0 ? r : 0;
	if ((r = proxy_neigh_add(pl, idx, a)) == 0)
		*created = true;
	return r;
}

int
plumb_proxy_del(struct plumb *pl, const char *dev, const struct ipaddr *a)
{
	struct rtnl_neigh *n;
	struct nl_addr *dst;
	char s[ADDR_STRLEN];
	int idx, r;

	if ((idx = link_index(pl, dev)) < 0)
		return idx == -ENODEV ? 0 : idx;
	if ((n = rtnl_neigh_alloc()) == NULL || (dst = nladdr(a)) == NULL) {
		rtnl_neigh_put(n);
		return -ENOMEM;
	}
	rtnl_neigh_set_ifindex(n, idx);
	rtnl_neigh_set_family(n, a->family);
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	r = nlerr(rtnl_neigh_delete(pl->sk, n, 0));
	nl_addr_put(dst);
	rtnl_neigh_put(n);
	if (r == -ENOENT || r == -ENODEV)
		return 0;
	if (r < 0)
		log_warnx("netlink: cannot delete the proxy entry %s on %s: %s",
		    addr_fmt(a, s, sizeof(s)), dev, strerror(-r));
	return r;
}

/* The address object a on dev; NULL with *err. */
static struct rtnl_addr *
link_addr(struct plumb *pl, const char *dev, const struct ipaddr *a, int *err)
{
	struct rtnl_addr *ra;
	struct nl_addr *na;
	int idx;

	if ((idx = link_index(pl, dev)) < 0) {
		*err = idx;
		return NULL;
	}
	if ((ra = rtnl_addr_alloc()) == NULL || (na = nladdr(a)) == NULL) {
		rtnl_addr_put(ra);
		*err = -ENOMEM;
		return NULL;
	}
	rtnl_addr_set_ifindex(ra, idx);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_local(ra, na);
	rtnl_addr_set_prefixlen(ra, (int)addr_bits(a->family));
	nl_addr_put(na);
	return ra;
}

int
plumb_addr_add(struct plumb *pl, const char *dev, const struct ipaddr *a,
    bool *created)
{
	struct rtnl_addr *ra;
	char s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((ra = link_addr(pl, dev, a, &r)) == NULL)
		return r;
	r = rtnl_addr_add(pl->sk, ra, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_addr_put(ra);
	if (r == -NLE_EXIST)
		return 0;
	if (r < 0) {
		log_warnx("netlink: cannot add %s to %s: %s",
		    addr_fmt(a, s, sizeof(s)), dev, nl_geterror(r));
		return nlerr(r);
	}
	*created = true;
	return 0;
}

int
plumb_addr_del(struct plumb *pl, const char *dev, const struct ipaddr *a)
{
	struct rtnl_addr *ra;
	char s[ADDR_STRLEN];
	int r;

	if ((ra = link_addr(pl, dev, a, &r)) == NULL)
		return r == -ENODEV ? 0 : r;
	r = nlerr(rtnl_addr_delete(pl->sk, ra, 0));
	rtnl_addr_put(ra);
	if (r == -EADDRNOTAVAIL || r == -ENOENT || r == -ENODEV)
		return 0;
	if (r < 0)
		log_warnx("netlink: cannot delete %s from %s: %s",
		    addr_fmt(a, s, sizeof(s)), dev, strerror(-r));
	return r;
}

/* The all-zero MAC flood entry of dev to dst; NULL with *err. */
static struct rtnl_neigh *
flood_entry(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    int *err)
{
	static const uint8_t zero[6];
	struct rtnl_neigh *n;
	struct nl_addr *ll, *na;
	int idx;

	if ((idx = link_index(pl, dev)) < 0) {
		*err = idx;
		return NULL;
	}
	n = rtnl_neigh_alloc();
	ll = nlmac(zero);
	na = nladdr(dst);
	if (n == NULL || ll == NULL || na == NULL) {
		rtnl_neigh_put(n);
		nl_addr_put(ll);
		nl_addr_put(na);
		*err = -ENOMEM;
		return NULL;
	}
	rtnl_neigh_set_ifindex(n, idx);
	/* dst first: libnl refuses a dst of another family than the entry's. */
	rtnl_neigh_set_dst(n, na);
	rtnl_neigh_set_family(n, AF_BRIDGE);
	rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_flags(n, NTF_SELF);
	rtnl_neigh_set_state(n, NUD_PERMANENT | NUD_NOARP);
	nl_addr_put(ll);
	nl_addr_put(na);
	return n;
}

/* Whether dev's forwarding database has the flood entry to dst. */
static int
flood_exists(struct plumb *pl, struct rtnl_neigh *want)
{
	struct nl_cache *cache;
	struct nl_object *o;
	struct rtnl_neigh *n;
	int r, found = 0;

	if ((r = rtnl_neigh_alloc_cache_flags(pl->sk, &cache,
	    NL_CACHE_AF_ITER)) < 0)
		return nlerr(r);
	for (o = nl_cache_get_first(cache); o != NULL && !found;
	    o = nl_cache_get_next(o)) {
		n = (struct rtnl_neigh *)o;
		found = rtnl_neigh_get_family(n) == AF_BRIDGE &&
		    rtnl_neigh_get_ifindex(n) == rtnl_neigh_get_ifindex(want) &&
		    rtnl_neigh_get_dst(n) != NULL &&
		    nl_addr_cmp(rtnl_neigh_get_dst(n),
		    rtnl_neigh_get_dst(want)) == 0 &&
		    rtnl_neigh_get_lladdr(n) != NULL &&
		    nl_addr_cmp(rtnl_neigh_get_lladdr(n),
		    rtnl_neigh_get_lladdr(want)) == 0;
	}
	nl_cache_free(cache);
	return found;
}

int
plumb_fdb_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created)
{
	struct rtnl_neigh *n;
	char s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((n = flood_entry(pl, dev, dst, &r)) == NULL)
		return r;
	if ((r = flood_exists(pl, n)) == 0) {
		if ((r = rtnl_neigh_add(pl->sk, n, NLM_F_CREATE |
		    NLM_F_APPEND)) < 0) {
			log_warnx("netlink: cannot add the flood entry to %s on "
			    "%s: %s", addr_fmt(dst, s, sizeof(s)), dev,
			    nl_geterror(r));
			r = nlerr(r);
		} else
			*created = true;
	}
	rtnl_neigh_put(n);
	return r < 0 ? r : 0;
}

int
plumb_fdb_del(struct plumb *pl, const char *dev, const struct ipaddr *dst)
{
	struct rtnl_neigh *n;
	char s[ADDR_STRLEN];
	int r;

	if ((n = flood_entry(pl, dev, dst, &r)) == NULL)
		return r == -ENODEV ? 0 : r;
	r = nlerr(rtnl_neigh_delete(pl->sk, n, 0));
	rtnl_neigh_put(n);
	if (r == -ENOENT || r == -ENODEV)
		return 0;
	if (r < 0)
		log_warnx("netlink: cannot delete the flood entry to %s on %s: "
		    "%s", addr_fmt(dst, s, sizeof(s)), dev, strerror(-r));
	return r;
}
