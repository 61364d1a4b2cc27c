/*
 * netdrv.h: the network driver "net-routed".  Networks and endpoints, the
 * veth of every endpoint, and Join's answer (veth, gateway, connected route).
 */
#ifndef RP_NETDRV_H
#define RP_NETDRV_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "addr.h"
#include "api.h"

struct rp_ctx;
struct netdrv;

extern const struct api_route netdrv_routes[];
extern const size_t netdrv_nroutes;

int netdrv_init(struct rp_ctx *ctx);
void netdrv_free(struct rp_ctx *ctx);

/*
 * The interface names of an endpoint: "rt" (host side) and "rc" (container
 * side, renamed by Docker) followed by 12 hex digits, taken from the start of
 * a hex endpoint ID or else from a hash of the ID.  Deterministic.
 */
void netdrv_ifnames(const char *endpoint_id, char host[IFNAMSIZ],
    char peer[IFNAMSIZ]);

/* True when an endpoint of ours holds addr. */
bool netdrv_addr_in_use(struct rp_ctx *ctx, const struct ipaddr *addr);

/*
 * At start-up, make the host match the loaded state: endpoints whose host
 * veth exists get their MTU, proxy ARP/NDP and host routes back; veths with
 * the plugin's names that no endpoint owns are deleted.
 */
void netdrv_reconcile(struct rp_ctx *ctx);

/*
 * A link of the host was deleted (name), or link notifications were lost
 * (NULL): endpoints whose host veth is gone are forgotten (see plumb_watch).
 */
void netdrv_link_gone(struct rp_ctx *ctx, const char *name);

/* Announce every route the loaded state calls for (at start-up). */
void netdrv_announce_all(struct rp_ctx *ctx);

cJSON *netdrv_to_json(struct rp_ctx *ctx);
int netdrv_from_json(struct rp_ctx *ctx, const cJSON *j, char *err,
    size_t errlen);

#endif
