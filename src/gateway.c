/*
 * gateway.c: the containers' gateway (169.254.1.1, fe80::1) answered on
 * every host, with or without a default route.
 *
 * IPv4: the host answers a container's ARP request for the gateway by proxy
 * ARP on the host side of its veth.  The kernel (arp_process) proxies only
 * when routing the gateway from that veth gives a unicast route through
 * another device, and only when forwarding is on; arp_ignore and
 * arp_announce play no part there (they apply to the host's own
 * addresses).  So the plugin gives the gateway such a route of its own:
 * gateway/32 through a link of its own, in table local, protocol kernel,
 * metric 65535, and no address anywhere.  No FRR zebra reads table local
 * (8.x ignores protocol kernel in any table, 10.x reads it from main as
 * kernel routes that "redistribute kernel" would carry), and with no
 * address there is nothing for "redistribute connected" or an OSPF
 * "network" statement to pick up.  The kernel looks table local up first,
 * so the route holds whatever main holds (default route or none).
 * The link is a veth pair with both ends here, up and without ARP, rather
 * than a dummy: veth is the one module the plugin needs anyway (kernels
 * without the dummy module exist, this project's CI machine among them).
 * Traffic to the gateway address itself leaves through it and is dropped:
 * the frame is addressed to the sending end's own MAC address, which the
 * peer does not take.
 *
 * IPv6: proxy NDP (ndisc_recv_ns) answers from the proxy neighbour entry
 * alone when the veth forwards; it looks up no route.  Only forwarding is
 * needed, which plumb turns on for the first IPv6 endpoint.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "gateway.h"
#include "log.h"
#include "plumb.h"

/* The peer of the gateway's link: its name and "p". */
static void
gw_peer(const struct rp_ctx *ctx, char peer[IFNAMSIZ])
{
	snprintf(peer, IFNAMSIZ, "%.*sp", IFNAMSIZ - 2, ctx->cfg.gateway_dev);
}

/* The link and the route through it. */
static int
gw_dev_setup(struct rp_ctx *ctx)
{
	const char *dev = ctx->cfg.gateway_dev;
	char gw[ADDR_STRLEN], peer[IFNAMSIZ];
	bool created;
	int r;

	addr_fmt(&ctx->cfg.gateway4, gw, sizeof(gw));
	gw_peer(ctx, peer);
	if ((r = plumb_gw_link_add(ctx->plumb, dev, peer, &created)) != 0 ||
	    (r = plumb_gw_route_add(ctx->plumb, dev, &ctx->cfg.gateway4)) != 0) {
		log_warnx("cannot route the gateway %s through %s (%s): "
		    "containers reach their gateway only while another route "
		    "of the host covers it", gw, dev, strerror(-r));
		return r;
	}
	log_info("gateway %s: route %s/32 dev %s table local metric %d (%s); "
	    "proxy ARP answers for it on every veth", gw, gw, dev, PLUMB_GW_METRIC,
	    created ? "link created" : "link reused");
	return 0;
}

int
gateway_init(struct rp_ctx *ctx)
{
	int r, ret = 0;

	plumb_set_forward6(ctx->plumb, !ctx->cfg.no_ip_forward);
	if (!ctx->cfg.no_ip_forward) {
		if ((r = plumb_forwarding_on(ctx->plumb, AF_INET)) == 1)
			log_info("turned on IPv4 forwarding (net.ipv4.ip_forward"
			    "=1), as dockerd --ip-forward does; --no-ip-forward "
			    "leaves it alone");
		else if (r < 0) {
			log_warnx("cannot turn on net.ipv4.ip_forward: %s; "
			    "containers will reach nothing", strerror(-r));
			ret = r;
		}
	} else if (plumb_forwarding(ctx->plumb, AF_INET) == 0)
		log_warnx("net.ipv4.ip_forward is 0 and --no-ip-forward is "
		    "given: containers will reach nothing, not even this host");
	if (strcmp(ctx->cfg.gateway_dev, "none") == 0) {
		log_info("--gateway-dev none: the gateway is answered only while "
		    "a route of the host covers it");
		return ret;
	}
	if ((r = gw_dev_setup(ctx)) != 0 && ret == 0)
		ret = r;
	return ret;
}

int
gateway_link_gone(struct rp_ctx *ctx, const char *name)
{
	const char *dev = ctx->cfg.gateway_dev;
	char peer[IFNAMSIZ];
	int r;

	if (strcmp(dev, "none") == 0)
		return 0;
	gw_peer(ctx, peer);
	if (name != NULL && strcmp(name, dev) != 0 && strcmp(name, peer) != 0)
		return 0;
	if (name == NULL && (r = plumb_link_exists(ctx->plumb, dev)) != 0)
		return r < 0 ? r : 0;
	/* Deleting either end deletes both: the second call finds it back. */
	if (name != NULL && (r = plumb_link_exists(ctx->plumb, dev)) != 0)
		return r < 0 ? r : 0;
	log_warnx("the gateway's link %s was deleted: making it again", dev);
	return gw_dev_setup(ctx);
}
