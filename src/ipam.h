/*
 * ipam.h: the IPAM driver "ipam-routed".  Pools come from --subnet (and
 * --ip-range, --aux-address); addresses are handed out as /32 and /128 from
 * a compact allocator; the gateway request gets the plugin's gateway.
 */
#ifndef RP_IPAM_H
#define RP_IPAM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "addr.h"
#include "api.h"

struct rp_ctx;
struct ipam;

extern const struct api_route ipam_routes[];
extern const size_t ipam_nroutes;

/* 0 or -ENOMEM; ctx->ipam is set. */
int ipam_init(struct rp_ctx *ctx);
void ipam_free(struct rp_ctx *ctx);

/* True when addr is allocated in one of our pools. */
bool ipam_has_addr(struct rp_ctx *ctx, const struct ipaddr *addr);

/*
 * Mark addr, already allocated, as an auxiliary address of its pool (from
 * CreateNetwork's AuxAddresses): it is never given to a container.
 */
void ipam_mark_aux(struct rp_ctx *ctx, const struct ipaddr *addr);

/*
 * The automatic range (--ip-range, else the subnet) of the pool whose
 * prefix is pool.  0, or -ENOENT when that pool is not ours.
 */
int ipam_pool_range(struct rp_ctx *ctx, const struct ipprefix *pool,
    struct ipprefix *range);

/* The state as JSON (NULL on ENOMEM), and back: 0 or -EINVAL with err set. */
cJSON *ipam_to_json(struct rp_ctx *ctx);
int ipam_from_json(struct rp_ctx *ctx, const cJSON *j, char *err, size_t errlen);

#endif
