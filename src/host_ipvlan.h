/* SPDX-License-Identifier: MIT */
/*
 * host_ipvlan.h: the host side of ipvlan endpoints, for host.c only.
 */
#ifndef RP_HOST_IPVLAN_H
#define RP_HOST_IPVLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct rp_ctx;

int host_ipvlan_net_check(struct rp_ctx *ctx, const struct network *n,
    char *err, size_t errlen);
/*
 * The links of ep (not its routes): *link tells whether its slave is new,
 * *net_link whether its network's host link is.  host_ipvlan_undo() takes
 * down what they say.
 */
int host_ipvlan_add(struct rp_ctx *ctx, const struct network *n,
    const struct endpoint *ep, bool *link, bool *net_link, char *err,
    size_t errlen);
void host_ipvlan_undo(struct rp_ctx *ctx, const struct endpoint *ep,
    bool link, bool net_link);
int host_ipvlan_del(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen);
/* host_ep_release() of an ipvlan endpoint. */
int host_ipvlan_release(struct rp_ctx *ctx, const struct endpoint *ep,
    char names[][IFNAMSIZ], size_t *n);
int host_ipvlan_alive(struct rp_ctx *ctx, const struct endpoint *ep);

#endif
