/* SPDX-License-Identifier: MIT */
/*
 * route.h: one route this host announces for its containers.  routes.c
 * derives them from the model (announce.c keeps the table); the backends
 * carry them to the routing daemon: zclient.c over ZAPI, zmqpub.c as a
 * ZeroMQ stream to routed-zebra-helper.
 */
#ifndef RP_ROUTE_H
#define RP_ROUTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

#define ROUTE_ID_MAX	128

enum route_kind {
	ROUTE_HOST,		/* a container's /32 or /128 via its host veth */
	ROUTE_AGGREGATE,	/* a network's range, blackholed on this host */
};

struct route {
	struct ipprefix prefix;		/* the key: one route per prefix */
	enum route_kind kind;
	char ifname[IFNAMSIZ];		/* ROUTE_HOST: the nexthop interface */
	uint32_t tag;			/* 0: no tag */
	uint32_t metric;		/* used when has_metric */
	bool has_metric;
	uint8_t distance;		/* 0: the route type's default */
	char network_id[ROUTE_ID_MAX + 1];
	char endpoint_id[ROUTE_ID_MAX + 1];	/* empty for aggregates */
};

#endif
