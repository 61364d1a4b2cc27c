/* SPDX-License-Identifier: MIT */
/*
 * model.h: what the daemon knows, in memory: pools and their addresses,
 * networks, endpoints, their indexes and invariants.  No JSON, no netlink,
 * no disk and no Docker here: the drivers turn requests into model changes,
 * records.c turns the model into records on disk, host.c into links and
 * routes, routes.c into announcements.
 *
 * Invariants kept by the functions below:
 *   - pools never overlap; an address is allocated at most once per pool;
 *     an auxiliary address is always an allocated one;
 *   - networks' subnets never overlap; VXLAN segments share no VNI and no
 *     device name;
 *   - an address belongs to at most one endpoint, an interface name to one;
 *   - every endpoint's network exists.
 * Functions that can fail leave the model as it was.  Removals never fail,
 * so an undo path built from them cannot fail either.
 */
#ifndef RP_MODEL_H
#define RP_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "segconf.h"

#define MODEL_ID_MAX	128		/* Docker object IDs */
#define MODEL_SANDBOX_MAX 256
#define MODEL_GW_SLOTS	16		/* routed interfaces per container */

struct model;
struct alloc;

struct pool {
	char id[ADDR_STRLEN];		/* the prefix as text; the index key */
	struct ipprefix prefix;
	struct ipprefix range;		/* --ip-range, or the prefix */
	bool has_range;
	struct ipaddr lo, hi;		/* usable: no network/broadcast */
	struct alloc *al;
	struct ipaddr *aux;		/* --aux-address: never for containers */
	size_t naux, auxcap;
	bool released;			/* ReleasePool came while a network held
					   it: it goes with that network */
};

/* How an endpoint's interface is made. */
enum link_kind {
	LINK_VETH,			/* a veth pair, host side "rt..." */
	LINK_IPVLAN,			/* an ipvlan slave "rc..." of a parent */
};

/* ipvlan modes; the values are the kernel's IPVLAN_MODE_*. */
enum ep_ipvlan_mode {
	IPVLAN_L2 = 0,
	IPVLAN_L3 = 1,
	IPVLAN_L3S = 2,
};

/* How a network carries its containers' traffic (-o routed.mode). */
enum net_mode {
	MODE_ROUTED,			/* a host route per container */
	MODE_VXLAN,			/* one L2 segment across hosts: a bridge
					   and a VXLAN device (segment.c) */
};

struct network {
	char id[MODEL_ID_MAX + 1];
	enum link_kind link;		/* the kind of its endpoints' links */
	char parent[IFNAMSIZ];		/* LINK_IPVLAN: the parent interface */
	enum ep_ipvlan_mode ipvlan_mode;	/* LINK_IPVLAN */
	enum net_mode mode;
	struct segconf seg;		/* MODE_VXLAN only */
	unsigned mtu;			/* 0: the plugin's --mtu */
	bool internal;
	bool ipv6;
	struct ipprefix pool4, pool6;
	bool has4, has6;
	/* what is announced to the routing daemon, and how */
	unsigned announce;		/* ANNOUNCE_HOST | ANNOUNCE_AGGREGATE */
	uint32_t tag;
	uint32_t metric;
	bool has_metric;
	uint8_t distance;
	struct ipprefix agg4, agg6;	/* the aggregates: --ip-range or subnet */
};

/*
 * Where an address of an endpoint comes from.  Docker's were allocated by
 * ipam-routed's RequestAddress and are released by Docker's ReleaseAddress;
 * the others were asked for with routed.ips, routed.ip-count or
 * routed.anycast and are reserved and released with the endpoint itself.
 */
enum ep_addr_kind {
	EP_ADDR_DOCKER,
	EP_ADDR_EXTRA,			/* routed.ips, routed.ip-count */
	EP_ADDR_ANYCAST,		/* routed.anycast: other hosts may hold it */
};

/* One address of an endpoint; key is its text, the by-address index key. */
struct ep_addr {
	struct ipaddr addr;
	char key[ADDR_STRLEN];
	enum ep_addr_kind kind;
};

/* Most addresses one endpoint may hold, Docker's included. */
#define MODEL_EP_ADDR_MAX	64

/* An endpoint's own settings (routed.* endpoint options); unset: n's. */
struct ep_settings {
	unsigned mtu;			/* 0: the network's */
	uint32_t tag, metric, anycast_tag;
	bool has_tag, has_metric, has_anycast_tag;
	uint8_t mac[6];			/* of the container side */
	bool has_mac;
};

struct endpoint {
	char id[MODEL_ID_MAX + 1];
	char net_id[MODEL_ID_MAX + 1];
	enum link_kind link;
	struct ep_addr *addrs;		/* Docker's first, then the extra ones */
	size_t naddr;
	struct ep_settings set;
	char host_if[IFNAMSIZ], peer_if[IFNAMSIZ];
	char route_if[IFNAMSIZ];	/* where its host routes point: host_if
					   (veth), or its network's host-side
					   link (ipvlan); see model_ep_ifnames */
	bool joined;
	bool plumbed;			/* this process made or checked its link */
	unsigned gw_slot;		/* joined: its rank among the sandbox's
					   routed interfaces (see netdrv.c) */
	char sandbox[MODEL_SANDBOX_MAX];
};

/* A new, empty model, or NULL (ENOMEM). */
struct model *model_new(void);
/* Frees the model and everything in it. */
void model_free(struct model *m);

/*
 * Pools.  model_pool_new() makes a detached pool for prefix (and range):
 * NULL with a message in err.  model_pool_add() puts it in the model: 0,
 * -EEXIST when it overlaps a pool of the model, -ENOMEM.  model_pool_del()
 * takes it out (the caller frees it with model_pool_free()).
 */
struct pool *model_pool_new(const struct ipprefix *prefix,
    const struct ipprefix *range, char *err, size_t errlen);
void model_pool_free(struct pool *p);
int model_pool_add(struct model *m, struct pool *p);
void model_pool_del(struct model *m, struct pool *p);
struct pool *model_pool_find(const struct model *m, const char *id);
/* The pool that overlaps prefix, or NULL. */
struct pool *model_pool_overlapping(const struct model *m,
    const struct ipprefix *prefix);
/* The pool whose prefix holds a, or NULL. */
struct pool *model_pool_of(const struct model *m, const struct ipaddr *a);
/* Walk: *pos starts at 0; NULL at the end. */
struct pool *model_pool_next(const struct model *m, size_t *pos);

/* Addresses of a pool: see alloc.h for the return values. */
int model_addr_take(struct pool *p, const struct ipaddr *a);
int model_addr_next(struct pool *p, struct ipaddr *out);
/* Give a back (and drop its auxiliary mark); idempotent. */
void model_addr_put(struct pool *p, const struct ipaddr *a);
bool model_addr_has(const struct pool *p, const struct ipaddr *a);
size_t model_addr_count(const struct pool *p);
/* Auxiliary marks: 0, -ENOENT when a is not allocated, -ENOMEM. */
int model_aux_add(struct pool *p, const struct ipaddr *a);
void model_aux_del(struct pool *p, const struct ipaddr *a);
bool model_aux_has(const struct pool *p, const struct ipaddr *a);

/*
 * Networks: model_net_add() copies nothing, the model owns n from then on
 * (0, -EEXIST for a taken id or an overlapping subnet, -ENOMEM).
 * model_net_del() hands it back.  A network with endpoints is not removed
 * (-EBUSY): remove the endpoints first.
 */
int model_net_add(struct model *m, struct network *n);
int model_net_del(struct model *m, struct network *n);
struct network *model_net_find(const struct model *m, const char *id);
/* The network whose subnet overlaps one of n's, or NULL. */
struct network *model_net_overlapping(const struct model *m,
    const struct network *n);
/* The network whose IPv4 or IPv6 subnet is pool, or NULL. */
/* The VXLAN segment whose VNI or a device name n's takes, or NULL. */
struct network *model_net_seg_clash(const struct model *m,
    const struct network *n);
struct network *model_net_of_pool(const struct model *m,
    const struct ipprefix *pool);
struct network *model_net_next(const struct model *m, size_t *pos);
size_t model_net_count(const struct model *m);

/*
 * Endpoints.  model_ep_new() allocates one with room for naddr addresses
 * (zeroed; NULL on ENOMEM); model_ep_set_addr() fills slot i and its key.
 * model_ep_add(): 0, -ENOENT (no such network), -EEXIST (id, an address or
 * the interface name taken; *clash names the endpoint that holds it), or
 * -ENOMEM; the model owns ep from then on.  model_ep_del() hands it back.
 */
struct endpoint *model_ep_new(size_t naddr);
void model_ep_set_addr(struct endpoint *ep, size_t i, const struct ipaddr *a);
/* The pool that holds address i of ep (in ep's network's subnet), or NULL. */
struct pool *model_ep_pool(const struct model *m, const struct endpoint *ep,
    size_t i);
void model_ep_free(struct endpoint *ep);
int model_ep_add(struct model *m, struct endpoint *ep,
    const struct endpoint **clash);
void model_ep_del(struct model *m, struct endpoint *ep);
struct endpoint *model_ep_find(const struct model *m, const char *id);
struct endpoint *model_ep_by_addr(const struct model *m,
    const struct ipaddr *a);
struct endpoint *model_ep_by_ifname(const struct model *m, const char *name);
struct endpoint *model_ep_next(const struct model *m, size_t *pos);
size_t model_ep_count(const struct model *m);
/* The endpoint's first address of family af (of any kind), or NULL. */
const struct ipaddr *model_ep_addr(const struct endpoint *ep, int af);

/*
 * Doomed links: the host interface names of deleted endpoints whose links
 * are still waiting for their (batched) deletion; see teardown.h.  A name
 * is in the set from the commit that deleted its endpoint until its link is
 * gone, and may meanwhile be a new endpoint's name too.  add: 0 or -ENOMEM
 * (idempotent); del: idempotent.  A walk may delete the name just returned.
 */
int model_doomed_add(struct model *m, const char *name);
void model_doomed_del(struct model *m, const char *name);
bool model_doomed_has(const struct model *m, const char *name);
const char *model_doomed_next(const struct model *m, size_t *pos);
size_t model_doomed_count(const struct model *m);

/*
 * The interface names of an endpoint: "rt" (host side) and "rc" (container
 * side, renamed by Docker) followed by 12 hex digits, taken from the start of
 * a hex endpoint ID or else from a hash of the ID.  Deterministic.
 */
void model_ifnames(const char *endpoint_id, char host[IFNAMSIZ],
    char peer[IFNAMSIZ]);
/*
 * Fill ep's host_if and peer_if (model_ifnames of its id) and route_if
 * from its id, net_id and link.
 */
void model_ep_ifnames(struct endpoint *ep);
/*
 * The host-side link of an ipvlan network: "rv" and the 12 hex digits
 * model_ifnames would take from the network's ID.  Deterministic.
 */
void model_net_ifname(const char *net_id, char name[IFNAMSIZ]);
/* True for "rt", "rc" or "rv" and 12 lowercase hex digits: a name of ours. */
bool model_is_our_ifname(const char *name);
/* "l2", "l3", "l3s"; and back: 0 or -EINVAL. */
const char *model_ipvlan_mode_name(enum ep_ipvlan_mode m);
int model_ipvlan_mode_parse(const char *s, enum ep_ipvlan_mode *m);

#endif
