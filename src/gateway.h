/*
 * gateway.h: the host's side of the containers' gateway, set up once at
 * start-up: IP forwarding and a route that makes proxy ARP answer for the
 * gateway on every veth whatever else the host routes.
 */
#ifndef RP_GATEWAY_H
#define RP_GATEWAY_H

struct rp_ctx;

#define RP_DEFAULT_GW_DEV	"routed-gw0"

/*
 * Turn on IPv4 forwarding (and tell plumb to turn on IPv6 forwarding for
 * the first IPv6 endpoint) unless --no-ip-forward; make the link
 * --gateway-dev (a veth pair with the peer <name>p) and the route
 * gateway/32 through it unless it is "none".
 * Idempotent, reuses what an earlier run made, deletes nothing, never
 * fails the daemon: what it cannot do is logged.  Returns 0, or the first
 * -errno it met (for tests).
 */
int gateway_init(struct rp_ctx *ctx);

/*
 * A link of the host was deleted (name), or link notifications were lost
 * (NULL): when the gateway's link is gone, make it and its route
 * again.  0 or -errno.
 */
int gateway_link_gone(struct rp_ctx *ctx, const char *name);

#endif
