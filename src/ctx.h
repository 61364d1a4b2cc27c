/* SPDX-License-Identifier: MIT */
/*
 * ctx.h: the daemon context.  All mutable state of routed-plugin hangs off
 * one struct rp_ctx that is passed first to every function that needs it.
 */
#ifndef RP_CTX_H
#define RP_CTX_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

#define RP_NET_SOCKET	"net-routed.sock"
#define RP_IPAM_SOCKET	"ipam-routed.sock"
#define RP_DEFAULT_GW4	"169.254.1.1"
#define RP_DEFAULT_GW6	"fe80::1"
#define RP_DEFAULT_MTU	1500
#define RP_DEFAULT_TAG	100
#define RP_DEFAULT_ZEBRA_SOCKET	"/var/run/frr/zserv.api"
#define RP_DEFAULT_ZEBRA_TYPE	"babel"
#define RP_DEFAULT_GR_STALE	60
#define RP_RUN_DIR		"/run/routed-plugin"
#define RP_DEFAULT_TEARDOWN_MS	20	/* see teardown.h */

struct event_base;
struct announce;
struct zclient;
struct zmqpub;
struct model;
struct plumb;
struct store;
struct http;
struct teardown;
struct sandboxes;
struct console;
struct metrics;
struct sdnotify;
struct bridges;

struct rp_config {
	struct ipaddr gateway4;		/* Join's IPv4 gateway, proxy-ARPed */
	struct ipaddr gateway6;		/* Join's IPv6 gateway, proxy-NDPed */
	char gateway_dev[IFNAMSIZ];	/* link the gateway is routed to */
	bool no_ip_forward;		/* leave the host's forwarding alone */
	unsigned mtu;			/* default veth MTU */
	char socket_dir[PATH_MAX];
	char single_socket[64];		/* --single-socket: both drivers on one */
	gid_t socket_gid;		/* group of the sockets (0: root) */
	char state_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	bool debug;
	bool use_syslog;
	unsigned teardown_delay_ms;	/* --teardown-delay */
	bool extra_addrs;		/* --extra-addresses */

	/* What networks announce unless -o routed.* says otherwise. */
	unsigned announce_kind;		/* ANNOUNCE_HOST | ANNOUNCE_AGGREGATE */
	uint32_t tag;
	uint32_t metric;
	bool has_metric;
	uint8_t distance;

	/* The zebra session (--announce zapi). */
	bool zapi;
	char zebra_socket[108];
	uint8_t zebra_type;
	uint16_t zebra_instance;
	unsigned gr_stale_time;		/* seconds; 0 disables graceful restart */
	char zebra_dialect[16];		/* "auto" or a dialect's name */
	bool zebra_withdraw;		/* --zebra-withdraw: do it and exit */

	/* The route stream for routed-zebra-helper (--announce zmq). */
	bool zmq;
	char zmq_endpoint[256];		/* STREAM_ENDPOINT_MAX */

	char metrics_listen[80];	/* HOST:PORT for /metrics; "" = off */

	/* --docker-host: the engine's API socket, for bridges.c; "" = off */
	char docker_host[108];
};

struct rp_ctx {
	struct rp_config cfg;
	struct event_base *base;
	struct announce *announce;
	struct zclient *zclient;
	struct zmqpub *zmqpub;
	struct model *model;
	struct plumb *plumb;
	struct store *store;
	struct teardown *teardown;	/* links deleted later, batched */
	struct http *http_net;
	struct http *http_ipam;
	struct sandboxes *sandboxes;	/* joins waiting for their container */
	struct console *console;	/* the control socket, for routedctl */
	struct metrics *metrics;	/* NULL: nothing is counted */
	struct sdnotify *sdnotify;	/* NULL: not started by systemd */
	struct bridges *bridges;	/* NULL: no --docker-host */
};

#endif
