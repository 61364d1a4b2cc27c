/*
 * ctx.h: the daemon context.  All mutable state of routed-plugin hangs off
 * one struct rp_ctx that is passed first to every function that needs it.
 */
#ifndef RP_CTX_H
#define RP_CTX_H

#include <limits.h>
#include <stdbool.h>

#include "addr.h"

#define RP_NET_SOCKET	"net-routed.sock"
#define RP_IPAM_SOCKET	"ipam-routed.sock"
#define RP_DEFAULT_GW4	"169.254.1.1"
#define RP_DEFAULT_GW6	"fe80::1"
#define RP_DEFAULT_MTU	1500

struct event_base;
struct ipam;
struct netdrv;
struct plumb;
struct store;
struct http;

struct rp_config {
	struct ipaddr gateway4;		/* Join's IPv4 gateway, proxy-ARPed */
	struct ipaddr gateway6;		/* Join's IPv6 gateway, proxy-NDPed */
	unsigned mtu;			/* default veth MTU */
	char socket_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	bool debug;
	bool use_syslog;
};

struct rp_ctx {
	struct rp_config cfg;
	struct event_base *base;
	struct ipam *ipam;
	struct netdrv *netdrv;
	struct plumb *plumb;
	struct store *store;
	struct http *http_net;
	struct http *http_ipam;
};

#endif
