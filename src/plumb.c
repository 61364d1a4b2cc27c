/*
 * plumb.c: veth pairs, proxy ARP/NDP and host routes over rtnetlink with
 * libnl-route-3.  The per-interface switches that netlink cannot set
 * (proxy_arp, proxy_ndp, proxy_delay) are written to /proc/sys/net, the
 * interface ip(8) and sysctl(8) use too; no external command is ever run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipvlan.h>
#include <netlink/route/link/veth.h>
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

/* Write value to /proc/sys/net/<proto>/<kind>/<ifname>/<key>. */
static int
sysctl_set(const char *proto, const char *kind, const char *ifname,
    const char *key, const char *value)
{
	char path[128];
	ssize_t n;
	int fd, r = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/%s/%s/%s", proto, kind,
	    ifname, key);
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
	if ((r = sysctl_set("ipv4", "conf", host, "proxy_arp", "1")) != 0 ||
	    (r = sysctl_set("ipv4", "neigh", host, "proxy_delay", "0")) != 0)
		goto out;
	if (gw6 != NULL) {
		if ((r = sysctl_set("ipv6", "conf", host, "proxy_ndp", "1")) != 0 ||
		    (r = sysctl_set("ipv6", "neigh", host, "proxy_delay",
		    "0")) != 0 ||
		    (r = proxy_neigh_add(pl, rtnl_link_get_ifindex(l), gw6)) != 0)
			goto out;
	}
out:
	rtnl_link_put(chg);
	rtnl_link_put(l);
	return r;
}

int
plumb_veth_add(struct plumb *pl, const char *host, const char *peer,
    unsigned mtu, const struct ipaddr *gw6, bool *created)
{
	struct rtnl_link *l, *p;
	int r;

	*created = false;
	if (strlen(host) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
		return -EINVAL;
	if ((r = plumb_link_exists(pl, host)) < 0)
		return r;
	if (r == 0) {
		/* A peer without its host side is a leftover: replace it. */
		if (plumb_link_exists(pl, peer) == 1)
			plumb_veth_del(pl, host, peer);
		if ((l = rtnl_link_veth_alloc()) == NULL)
			return -ENOMEM;
		rtnl_link_set_name(l, host);
		rtnl_link_set_mtu(l, mtu);
		p = rtnl_link_veth_get_peer(l);
		rtnl_link_set_name(p, peer);
		rtnl_link_set_mtu(p, mtu);
		rtnl_link_put(p);
		r = rtnl_link_add(pl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_veth_release(l);
		if (r < 0) {
			log_warnx("netlink: cannot create veth %s/%s: %s", host,
			    peer, nl_geterror(r));
			return nlerr(r);
		}
		log_debug("veth %s/%s created, mtu %u", host, peer, mtu);
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

static int
link_del(struct plumb *pl, const char *name)
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
plumb_link_del(struct plumb *pl, const char *name)
{
	int r;

	if ((r = plumb_link_exists(pl, name)) == 1)
		return link_del(pl, name);
	return r;
}

int
plumb_veth_del(struct plumb *pl, const char *host, const char *peer)
{
	int r;

	/* Deleting one side deletes the pair; the peer may be in a container. */
	if ((r = plumb_link_exists(pl, host)) == 1)
		return link_del(pl, host);
	if (r < 0)
		return r;
	if (peer != NULL && (r = plumb_link_exists(pl, peer)) == 1)
		return link_del(pl, peer);
	return r < 0 ? r : 0;
}

/* A host route to dst via dev; NULL with *err on failure. */
static struct rtnl_route *
host_route(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    int *err)
{
	struct rtnl_route *rt;
	struct rtnl_nexthop *nh;
	struct rtnl_link *l;
	struct nl_addr *na;

	if ((l = link_get(pl, dev, err)) == NULL)
		return NULL;
	if ((rt = rtnl_route_alloc()) == NULL || (nh = rtnl_route_nh_alloc()) ==
	    NULL || (na = nladdr(dst)) == NULL) {
		rtnl_route_put(rt);
		rtnl_link_put(l);
		*err = -ENOMEM;
		return NULL;
	}
	rtnl_route_set_family(rt, dst->family);
	rtnl_route_set_dst(rt, na);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_type(rt, RTN_UNICAST);
	/* "kernel": zebra ignores it, so it never shadows a ZAPI route. */
	rtnl_route_set_protocol(rt, RTPROT_KERNEL);
	rtnl_route_set_scope(rt, dst->family == AF_INET ? RT_SCOPE_LINK :
	    RT_SCOPE_UNIVERSE);
	rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(l));
	rtnl_route_add_nexthop(rt, nh);
	nl_addr_put(na);
	rtnl_link_put(l);
	return rt;
}

int
plumb_route_add(struct plumb *pl, const char *dev, const struct ipaddr *dst,
    bool *created)
{
	struct rtnl_route *rt;
	char s[ADDR_STRLEN];
	int r;

	*created = false;
	if ((rt = host_route(pl, dev, dst, &r)) == NULL)
		return r;
	/* Tell a new route from one that was there: only a new one is undone. */
	if ((r = rtnl_route_add(pl->sk, rt, NLM_F_CREATE | NLM_F_EXCL)) >= 0)
		*created = true;
	else if (r == -NLE_EXIST)
		r = rtnl_route_add(pl->sk, rt, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(rt);
	if (r < 0) {
		log_warnx("netlink: cannot add route %s dev %s: %s",
		    addr_fmt(dst, s, sizeof(s)), dev, nl_geterror(r));
		return nlerr(r);
	}
	log_debug("route %s dev %s added", addr_fmt(dst, s, sizeof(s)), dev);
	return 0;
}

int
plumb_route_del(struct plumb *pl, const char *dev, const struct ipaddr *dst)
{
	struct rtnl_route *rt;
	char s[ADDR_STRLEN];
	int r;

	if ((rt = host_route(pl, dev, dst, &r)) == NULL)
		return r == -ENODEV ? 0 : r;	/* gone with its interface */
	r = nlerr(rtnl_route_delete(pl->sk, rt, 0));
	rtnl_route_put(rt);
	if (r == -ENOENT || r == -ESRCH || r == -ENODEV)
		return 0;
	if (r < 0) {
		log_warnx("netlink: cannot delete route %s dev %s: %s",
		    addr_fmt(dst, s, sizeof(s)), dev, strerror(-r));
		return r;
	}
	log_debug("route %s dev %s deleted", addr_fmt(dst, s, sizeof(s)), dev);
	return 0;
}
