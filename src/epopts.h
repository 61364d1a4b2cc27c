/* SPDX-License-Identifier: MIT */
/*
 * epopts.h: an endpoint's own options, the routed.* keys of CreateEndpoint's
 * Options (docker network connect --driver-opt K=V, docker run --network
 * name=X,driver-opt=K=V, Compose's per-service driver_opts), its MAC address,
 * and the reservation of its extra addresses in its network's pools.
 *
 *   routed.ips=A[,A...]      more addresses, either family, in the subnets
 *   routed.ip-count=N        N more IPv4 addresses chosen by ipam-routed
 *   routed.anycast=A[,A...]  more addresses that other hosts may hold too
 *   routed.anycast-tag=N     the route tag of those (default: routed.tag)
 *   routed.mtu, routed.tag, routed.metric   instead of the network's
 *
 * Extra addresses are reserved in the model's pools with the endpoint and
 * released with it: their "addr" records go in the commit of the endpoint's
 * record, so a crash never leaves one without the other.
 */
#ifndef RP_EPOPTS_H
#define RP_EPOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "model.h"

struct store;

/* What the options of one CreateEndpoint ask for; nothing reserved yet. */
struct ep_request {
	struct ipaddr ips[MODEL_EP_ADDR_MAX];		/* routed.ips */
	size_t nips;
	struct ipaddr anycast[MODEL_EP_ADDR_MAX];	/* routed.anycast */
	size_t nanycast;
	unsigned count;					/* routed.ip-count */
	struct ep_settings set;
	bool engine_mac;		/* set.mac came with the request */
};

/*
 * Parse the request's Options (may be NULL) and Interface.MacAddress into
 * rq, for an endpoint whose Docker addresses are docker[0..ndocker).
 * Unknown routed.* keys are refused with the list of known ones; other keys
 * are Docker's and ignored.  0, or -errno after api_fail().
 */
int epopts_parse(struct api_call *c, const cJSON *iface, const cJSON *opts,
    const struct ipaddr *docker, size_t ndocker, struct ep_request *rq);
/* How many extra addresses rq asks for. */
size_t epopts_nextra(const struct ep_request *rq);

/*
 * Reserve rq's extra addresses in n's pools and put them in ep->addrs from
 * index `from` on (ep has room; ep->addrs[0..from) are Docker's).  0, or
 * -errno after api_fail() with nothing reserved: an address taken, outside
 * n's subnets (in another network's, say), the network's own, or no pool
 * left for routed.ip-count.
 */
int epopts_reserve(struct api_call *c, const struct network *n,
    struct endpoint *ep, size_t from, const struct ep_request *rq);
/* Give ep's extra addresses back to their pools; never fails. */
void epopts_unreserve(struct model *m, const struct endpoint *ep);
/* Queue the records of ep's extra addresses' reservations, or their end. */
void epopts_records_put(struct store *st, const struct model *m,
    const struct endpoint *ep);
void epopts_records_del(struct store *st, const struct model *m,
    const struct endpoint *ep);

/* A repeated CreateEndpoint: does existing ep have what rq asks for? */
bool epopts_same(const struct endpoint *ep, const struct ep_request *rq);
/* Reply Interface.MacAddress when the MAC is ours (the engine gave none). */
int epopts_reply(struct api_call *c, const struct endpoint *ep,
    const struct ep_request *rq);
/* The extra addresses of ep as "a, b, c" (for the log); out is returned. */
const char *epopts_list(const struct endpoint *ep, char *out, size_t len);

#endif
