/* SPDX-License-Identifier: MIT */
/*
 * main.c: routed-plugin, a Docker network driver (net-routed) and IPAM driver
 * (ipam-routed) that give every container a routed /32 (/128): flags, wiring,
 * the event loop.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <cap-ng.h>
#include <grp.h>

#include "config.h"
#include "flags.h"
#include "announce.h"
#include "gateway.h"
#include "api.h"
#include "bridges.h"
#include "console.h"
#include "ctx.h"
#include "http.h"
#include "ipam.h"
#include "log.h"
#include "metrics.h"
#include "scrape.h"
#include "sdnotify.h"
#include "model.h"
#include "netdrv.h"
#include "plumb.h"
#include "reconcile.h"
#include "records.h"
#include "routes.h"
#include "sandbox.h"
#include "store.h"
#include "stream.h"
#include "teardown.h"
#include "zapi.h"
#include "zclient.h"
#include "zmqpub.h"

#define RP_FRR_DAEMONS	"/etc/frr/daemons"
/* Directories take a socket or file name after them: keep them short. */
#define DIR_MAX		65

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: routed-plugin [OPTION]...\n"
"Docker network driver net-routed and IPAM driver ipam-routed: every\n"
"container gets a routed /32 (and /128) on a veth, with no bridge and no NAT.\n"
"\n"
"  --gateway IP        IPv4 gateway given to containers, answered by proxy ARP\n"
"                      on the host side of every veth (default %s)\n"
"  --gateway6 IP6      IPv6 gateway given to containers, answered by proxy NDP\n"
"                      (default %s)\n"
"  --gateway-dev NAME  link that the IPv4 gateway is routed to, so that proxy\n"
"                      ARP answers with or without a default route: a veth\n"
"                      pair NAME/NAMEp, made if missing, never deleted\n"
"                      (default %s); none: rely on the host's own routes\n"
"  --no-ip-forward     leave net.ipv4.ip_forward and net.ipv6.conf.all.forwarding\n"
"                      as they are (default: turn them on, IPv6 with the first\n"
"                      IPv6 endpoint, as dockerd's --ip-forward does)\n"
"  --mtu N             MTU of the veth pairs, 68..65535 (default %d); a network\n"
"                      overrides it with -o com.docker.network.driver.mtu=N\n"
"  --socket-dir DIR    where net-routed.sock and ipam-routed.sock are created\n"
"                      (default %s)\n"
"  --single-socket NAME\n"
"                      serve both drivers on one socket DIR/NAME instead, as a\n"
"                      managed (v2) plugin must; Plugin.Activate lists both\n"
"  --socket-group NAME group that owns the sockets, the control socket too\n"
"                      (mode 0660; default root)\n"
"  --state-dir DIR     where the state is kept (default %s)\n"
"  --run-dir DIR       run-time files: the control socket routed-plugin.ctl\n"
"                      for routedctl, and the lock that keeps one zebra\n"
"                      session per route type on this host (default %s)\n"
"  --extra-addresses   allow the endpoint options routed.ips, routed.ip-count\n"
"                      and routed.anycast (more addresses per container); the\n"
"                      plugin then keeps CAP_SYS_ADMIN, to add them inside\n"
"                      containers' network namespaces\n"
"  --teardown-delay MS  how long a deleted endpoint's veth or ipvlan links\n"
"                      may wait to be deleted with others in one request,\n"
"                      0..60000 (default %d; DeleteEndpoint never waits)\n"
"\n"
"Routes (announced straight to FRR's zebra over ZAPI, or streamed to\n"
"routed-zebra-helper over ZeroMQ):\n"
"  --announce MODE     zapi (default), zmq (the stream only), both, or none\n"
"                      (announce nothing)\n"
"  --zmq-endpoint URL  where the stream is served: ipc://PATH or tcp://HOST:PORT\n"
"                      (default %s)\n"
"  --zebra-socket PATH zebra's ZAPI socket (default %s)\n"
"  --zebra-route-type NAME[:INSTANCE]\n"
"                      route type the routes carry in zebra, which ospfd and\n"
"                      bgpd redistribute with 'redistribute NAME' (default %s;\n"
"                      instance 0, the only one they redistribute)\n"
"  --zebra-dialect NAME\n"
"                      the ZAPI dialect zebra speaks: auto (default: detected\n"
"                      on every connection) or one of frr7.5 frr8.0 frr8.1\n"
"                      frr8.2 (8.2-8.5) frr9.0 frr9.1 frr10.0 frr10.1 frr10.2\n"
"                      frr10.3 (10.3-10.5) frr10.6 (10.6 and later)\n"
"                      quagga1.2 (Quagga 1.2: no graceful restart)\n"
"  --zebra-withdraw    connect to zebra, make it drop every route of the route\n"
"                      type now (ending the graceful restart a stopped run\n"
"                      left) and exit: for a final stop (FRR 9.0 to 10.4\n"
"                      never drop them on their own)\n"
"  --zebra-gr-stale-time S\n"
"                      seconds zebra keeps the routes while routed-plugin\n"
"                      restarts (graceful restart; default %d, 0 disables)\n"
"  --frr-daemons FILE  FRR's daemons file, checked for a daemon that owns the\n"
"                      route type (default %s)\n"
"  --default-announce KIND\n"
"                      what a network announces unless -o routed.announce says:\n"
"                      host (a /32 per container, default), aggregate (the\n"
"                      network's --ip-range or subnet, blackholed here), both\n"
"                      or none\n"
"  --default-tag N     route tag unless -o routed.tag (default %d)\n"
"  --default-metric N  route metric unless -o routed.metric (default: none)\n"
"  --default-distance N\n"
"                      administrative distance 1..255 unless -o\n"
"                      routed.distance (default: the route type's own)\n"
"\n"
"  --docker-host unix:///PATH\n"
"                      also announce the engine's bridge networks labelled\n"
"                      routed.announce=aggregate, learned from its API at\n"
"                      PATH (its events; default: off)\n"
"  --metrics-listen HOST:PORT\n"
"                      also serve the metrics (Prometheus text format) at\n"
"                      http://HOST:PORT/metrics (default: off; always on the\n"
"                      control socket: routedctl metrics)\n"
"\n"
"  --debug             log every request and reply\n"
"  --syslog            log to syslog instead of standard error\n"
"  --version           print the version and exit\n"
"  --help              print this help and exit\n",
	    RP_DEFAULT_GW4, RP_DEFAULT_GW6, RP_DEFAULT_GW_DEV, RP_DEFAULT_MTU,
	    RP_SOCKET_DIR,
	    RP_STATE_DIR, RP_RUN_DIR, RP_DEFAULT_TEARDOWN_MS,
	    STREAM_DEFAULT_ENDPOINT,
	    RP_DEFAULT_ZEBRA_SOCKET, RP_DEFAULT_ZEBRA_TYPE,
	    RP_DEFAULT_GR_STALE, RP_FRR_DAEMONS, RP_DEFAULT_TAG);
}

static void
parse_gateway(const char *flag, const char *s, sa_family_t family,
    struct ipaddr *out)
{
	struct ipaddr a;

	if (addr_parse(s, &a) != 0 || a.family != family)
		flag_fail("%s %s: not an %s address", flag, s,
		    family == AF_INET ? "IPv4" : "IPv6");
	if (addr_is_zero(&a) || (family == AF_INET && (a.bytes[0] >= 224 ||
	    a.bytes[0] == 127)) || (family == AF_INET6 && (a.bytes[0] == 0xff ||
	    (addr_is_zero(&a) || (a.bytes[15] == 1 && a.bytes[0] == 0)))))
		flag_fail("%s %s: not a unicast address", flag, s);
	*out = a;
}

/*
 * An interface name of ours: not one the kernel would refuse, and not one
 * of the endpoints' names ("rt"/"rc" + hex), which start-up reaps.
 */
static void
parse_ifname(const char *flag, const char *s, char *out, size_t outlen)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= outlen || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		flag_fail("%s %s: an interface name of 1 to %zu characters",
		    flag, s, outlen - 1);
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] == ' ' ||
		    (unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			flag_fail("%s %s: '/', ':', spaces and control "
			    "characters are not allowed", flag, s);
	if (strncmp(s, "rt", 2) == 0 || strncmp(s, "rc", 2) == 0)
		flag_fail("%s %s: names starting with rt or rc are the "
		    "endpoints' own", flag, s);
	snprintf(out, outlen, "%s", s);
}

static void
parse_flags(int argc, char **argv, struct rp_config *cfg, char *daemons,
    size_t daemonslen)
{
	static const struct option longopts[] = {
		{ "gateway", required_argument, NULL, 'g' },
		{ "gateway6", required_argument, NULL, '6' },
		{ "gateway-dev", required_argument, NULL, 'w' },
		{ "no-ip-forward", no_argument, NULL, 'f' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "socket-dir", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "socket-group", required_argument, NULL, 'P' },
		{ "single-socket", required_argument, NULL, '1' },
		{ "run-dir", required_argument, NULL, 'R' },
		{ "teardown-delay", required_argument, NULL, 'X' },
		{ "announce", required_argument, NULL, 'A' },
		{ "zmq-endpoint", required_argument, NULL, 'Z' },
		{ "zebra-socket", required_argument, NULL, 'z' },
		{ "zebra-route-type", required_argument, NULL, 't' },
		{ "zebra-gr-stale-time", required_argument, NULL, 'G' },
		{ "zebra-dialect", required_argument, NULL, 'L' },
		{ "zebra-withdraw", no_argument, NULL, 'W' },
		{ "frr-daemons", required_argument, NULL, 'F' },
		{ "default-announce", required_argument, NULL, 'k' },
		{ "default-tag", required_argument, NULL, 'T' },
		{ "default-metric", required_argument, NULL, 'M' },
		{ "default-distance", required_argument, NULL, 'D' },
		{ "extra-addresses", no_argument, NULL, 'x' },
		{ "metrics-listen", required_argument, NULL, 'E' },
		{ "docker-host", required_argument, NULL, 'H' },
		{ "debug", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(cfg, 0, sizeof(*cfg));
	addr_parse(RP_DEFAULT_GW4, &cfg->gateway4);
	addr_parse(RP_DEFAULT_GW6, &cfg->gateway6);
	snprintf(cfg->gateway_dev, sizeof(cfg->gateway_dev), "%s",
	    RP_DEFAULT_GW_DEV);
	cfg->mtu = RP_DEFAULT_MTU;
	cfg->teardown_delay_ms = RP_DEFAULT_TEARDOWN_MS;
	snprintf(cfg->socket_dir, sizeof(cfg->socket_dir), "%s", RP_SOCKET_DIR);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", RP_STATE_DIR);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", RP_RUN_DIR);
	cfg->zapi = true;
	snprintf(cfg->zmq_endpoint, sizeof(cfg->zmq_endpoint), "%s",
	    STREAM_DEFAULT_ENDPOINT);
	snprintf(cfg->zebra_socket, sizeof(cfg->zebra_socket), "%s",
	    RP_DEFAULT_ZEBRA_SOCKET);
	flag_route_type(RP_DEFAULT_ZEBRA_TYPE, &cfg->zebra_type,
	    &cfg->zebra_instance);
	cfg->gr_stale_time = RP_DEFAULT_GR_STALE;
	cfg->announce_kind = ANNOUNCE_HOST;
	cfg->tag = RP_DEFAULT_TAG;
	snprintf(daemons, daemonslen, "%s", RP_FRR_DAEMONS);

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			parse_gateway("--gateway", optarg, AF_INET, &cfg->gateway4);
			break;
		case '6':
			parse_gateway("--gateway6", optarg, AF_INET6,
			    &cfg->gateway6);
			break;
		case 'w':
			/* room for the peer's "p" */
			parse_ifname("--gateway-dev", optarg, cfg->gateway_dev,
			    sizeof(cfg->gateway_dev) - 1);
			break;
		case 'f':
			cfg->no_ip_forward = true;
			break;
		case 'm':
			cfg->mtu = (unsigned)flag_ulong("--mtu", optarg, 68, 65535);
			break;
		case 's':
			flag_path("--socket-dir", optarg, cfg->socket_dir, DIR_MAX);
			break;
		case 'S':
			flag_path("--state-dir", optarg, cfg->state_dir, DIR_MAX);
			break;
		case '1':
			if (optarg[0] == '\0' || strchr(optarg, '/') != NULL ||
			    strlen(optarg) >= sizeof(cfg->single_socket))
				flag_fail("--single-socket %s: a file name of at most "
				    "%zu characters", optarg,
				    sizeof(cfg->single_socket) - 1);
			snprintf(cfg->single_socket, sizeof(cfg->single_socket),
			    "%s", optarg);
			break;
		case 'R':
			flag_path("--run-dir", optarg, cfg->run_dir, DIR_MAX);
			break;
		case 'P': {
			struct group *gr = getgrnam(optarg);
			if (gr == NULL)
				flag_fail("--socket-group %s: no such group", optarg);
			cfg->socket_gid = gr->gr_gid;
			break;
		}
		case 'A':
			if (strcmp(optarg, "zapi") != 0 &&
			    strcmp(optarg, "zmq") != 0 &&
			    strcmp(optarg, "both") != 0 &&
			    strcmp(optarg, "none") != 0)
				flag_fail("--announce %s: must be zapi, zmq, both or "
				    "none", optarg);
			cfg->zapi = strcmp(optarg, "zapi") == 0 ||
			    strcmp(optarg, "both") == 0;
			cfg->zmq = strcmp(optarg, "zmq") == 0 ||
			    strcmp(optarg, "both") == 0;
			break;
		case 'Z':
			flag_zmq_endpoint(optarg, cfg->zmq_endpoint,
			    sizeof(cfg->zmq_endpoint));
			break;
		case 'z':
			flag_path("--zebra-socket", optarg, cfg->zebra_socket,
			    sizeof(cfg->zebra_socket));
			break;
		case 't':
			flag_route_type(optarg, &cfg->zebra_type,
			    &cfg->zebra_instance);
			break;
		case 'X':
			cfg->teardown_delay_ms = (unsigned)flag_ulong(
			    "--teardown-delay", optarg, 0, 60000);
			break;
		case 'L':
			flag_dialect(optarg, cfg->zebra_dialect,
			    sizeof(cfg->zebra_dialect));
			break;
		case 'W':
			cfg->zebra_withdraw = true;
			break;
		case 'G':
			cfg->gr_stale_time = (unsigned)flag_ulong(
			    "--zebra-gr-stale-time", optarg, 0, 3600);
			break;
		case 'F':
			snprintf(daemons, daemonslen, "%s", optarg);
			break;
		case 'k':
			if (announce_kind_parse(optarg, &cfg->announce_kind) != 0)
				flag_fail("--default-announce %s: must be host, "
				    "aggregate, both or none", optarg);
			break;
		case 'T':
			cfg->tag = (uint32_t)flag_ulong("--default-tag", optarg,
			    0, UINT32_MAX);
			break;
		case 'M':
			cfg->metric = (uint32_t)flag_ulong("--default-metric",
			    optarg, 0, UINT32_MAX);
			cfg->has_metric = true;
			break;
		case 'D':
			cfg->distance = (uint8_t)flag_ulong("--default-distance",
			    optarg, 1, 255);
			break;
		case 'x':
			cfg->extra_addrs = true;
			break;
		case 'E': {
			char host[64];
			unsigned short port;

			if (scrape_parse_addr(optarg, host, sizeof(host),
			    &port) != 0 || strlen(optarg) >=
			    sizeof(cfg->metrics_listen))
				flag_fail("--metrics-listen %s: must be HOST:PORT "
				    "or [IPV6]:PORT", optarg);
			snprintf(cfg->metrics_listen, sizeof(cfg->metrics_listen),
			    "%s", optarg);
			break;
		}
		case 'H':
			if (bridges_parse_host(optarg, cfg->docker_host,
			    sizeof(cfg->docker_host)) != 0)
				flag_fail("--docker-host %s: must be unix:///PATH "
				    "(at most %d characters)", optarg,
				    BRIDGES_PATH_MAX);
			break;
		case 'd':
			cfg->debug = true;
			break;
		case 'l':
			cfg->use_syslog = true;
			break;
		case 'V':
			printf("routed-plugin %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try 'routed-plugin --help'.\n");
			exit(2);
		}
	}
	if (optind < argc)
		flag_fail("unexpected argument '%s'", argv[optind]);
}

/* FRR daemons that own a route type: a second owner breaks both. */
static const struct {
	const char *type;
	const char *daemon;
} type_owners[] = {
	{ "babel", "babeld" }, { "openfabric", "fabricd" }, { "static", "staticd" },
	{ "ospf", "ospfd" }, { "bgp", "bgpd" }, { "rip", "ripd" },
	{ "ripng", "ripngd" }, { "isis", "isisd" }, { "eigrp", "eigrpd" },
	{ "nhrp", "nhrpd" }, { "sharp", "sharpd" }, { "pbr", "pbrd" },
	{ "ospf6", "ospf6d" }, { "ldp", "ldpd" }, { "vnc", "bgpd" },
	{ "pim", "pimd" }, { "vrrp", "vrrpd" }, { "bfd", "bfdd" },
};

/*
 * Warn loudly when FRR's daemons file enables the daemon that owns our
 * route type: zebra lets one client per (type, instance) live, and each
 * disconnect would wipe the other's routes.
 */
static void
check_type_owner(const struct rp_config *cfg, const char *daemons)
{
	const char *type = zapi_route_type_name(cfg->zebra_type);
	const char *daemon = NULL;
	char line[256], want[64];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(type_owners) / sizeof(type_owners[0]); i++)
		if (strcmp(type_owners[i].type, type) == 0)
			daemon = type_owners[i].daemon;
	if (daemon == NULL || (f = fopen(daemons, "re")) == NULL)
		return;
	snprintf(want, sizeof(want), "%s=yes", daemon);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, want, strlen(want)) == 0) {
			log_warnx("*** %s enables %s, which owns route type %s: "
			    "zebra would mix its routes with routed-plugin's and "
			    "each one's restart would wipe the other's. Disable "
			    "%s or choose another --zebra-route-type. ***",
			    daemons, daemon, type, daemon);
			break;
		}
	}
	fclose(f);
}

/* The zebra session's configuration from the flags. */
static void
zapi_config(const struct rp_config *cfg, struct zclient_config *zc)
{
	memset(zc, 0, sizeof(*zc));
	snprintf(zc->socket_path, sizeof(zc->socket_path), "%s",
	    cfg->zebra_socket);
	zc->route_type = cfg->zebra_type;
	zc->instance = cfg->zebra_instance;
	zc->gr_stale_time = cfg->gr_stale_time;
	memcpy(zc->dialect, cfg->zebra_dialect, sizeof(zc->dialect));
	if (strlen(cfg->run_dir) >= sizeof(zc->lock_dir))
		fatalx("--run-dir %s: path too long", cfg->run_dir);
	memcpy(zc->lock_dir, cfg->run_dir, strlen(cfg->run_dir) + 1);
}

/* --zebra-withdraw: zebra drops our routes now; exit status 0 or 1. */
static int
zapi_withdraw(const struct rp_config *cfg)
{
	struct zclient_config zc;
	struct event_base *base;
	int r;

	zapi_config(cfg, &zc);
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	r = zclient_withdraw_all(base, &zc, 10000);
	event_base_free(base);
	if (r != 0)
		log_warnx("zebra at %s: cannot withdraw the routes: %s",
		    zc.socket_path, r == -EBUSY ? "routed-plugin still runs" :
		    strerror(-r));
	return r == 0 ? 0 : 1;
}

/* Start the zebra session and feed it the announce table. */
static void
start_zapi(struct rp_ctx *ctx, const char *daemons)
{
	struct zclient_config zc;
	struct announce_backend b = { "zapi", zclient_sink_add,
	    zclient_sink_del, NULL };
	int r;

	check_type_owner(&ctx->cfg, daemons);
	zapi_config(&ctx->cfg, &zc);
	if ((r = zclient_new(ctx->base, &zc, &ctx->zclient)) != 0)
		fatalx("cannot start the zebra session: %s", strerror(-r));
	b.arg = ctx->zclient;
	if ((r = announce_attach(ctx, &b)) != 0)
		fatalx("cannot attach the zebra session: %s", strerror(-r));
	log_info("announcing to zebra at %s as %s instance %u, graceful "
	    "restart %u s", zc.socket_path, zapi_route_type_name(zc.route_type),
	    zc.instance, zc.gr_stale_time);
}

/*
 * From here on keep only what the daemon needs: CAP_NET_ADMIN for netlink
 * and the per-interface switches under /proc/sys/net, and, when it talks to
 * zebra, CAP_DAC_OVERRIDE, because zebra's socket is frr:frr 0700 and the
 * session must reconnect whenever zebra restarts.  Files of its own (state,
 * sockets) belong to its own uid and need nothing more.
 */
static void
drop_privileges(const struct rp_config *cfg)
{
	bool setpcap;

	if (capng_get_caps_process() != 0)
		fatalx("cannot read the process capabilities");
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	if (!setpcap && !capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN))
		return;		/* nothing to drop */
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
	    CAPNG_BOUNDING_SET, CAP_NET_ADMIN);
	if (cfg->zapi)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
		    CAPNG_BOUNDING_SET, CAP_DAC_OVERRIDE);
	/* setns() into a container's namespace (sandbox.c). */
	if (cfg->extra_addrs)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
		    CAPNG_BOUNDING_SET, CAP_SYS_ADMIN);
	/* The bounding set too when allowed (CAP_SETPCAP), else just ours. */
	if (capng_apply(setpcap ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) != 0)
		fatalx("cannot drop capabilities");
	log_info("running with CAP_NET_ADMIN%s%s only",
	    cfg->zapi ? ", CAP_DAC_OVERRIDE" : "",
	    cfg->extra_addrs ? ", CAP_SYS_ADMIN" : "");
}

/*
 * Serve the route stream and feed it the announce table.  An ipc socket
 * gets the mode and group of the plugin's own sockets, so that a helper in
 * that group can connect.
 */
static void
start_zmq(struct rp_ctx *ctx)
{
	struct zmqpub_config zc;
	struct announce_backend b = { "zmq", zmqpub_sink_add,
	    zmqpub_sink_del, NULL };
	const char *path;
	int r;

	memset(&zc, 0, sizeof(zc));
	snprintf(zc.endpoint, sizeof(zc.endpoint), "%s", ctx->cfg.zmq_endpoint);
	if ((r = zmqpub_new(ctx->base, &zc, &ctx->zmqpub)) != 0)
		fatalx("cannot serve the route stream on %s: %s", zc.endpoint,
		    strerror(-r));
	if ((path = stream_endpoint_path(zc.endpoint)) != NULL &&
	    (chmod(path, 0660) != 0 || (ctx->cfg.socket_gid != 0 &&
	    chown(path, 0, ctx->cfg.socket_gid) != 0)))
		fatal("cannot set the mode or group of %s", path);
	b.arg = ctx->zmqpub;
	if ((r = announce_attach(ctx, &b)) != 0)
		fatalx("cannot attach the route stream: %s", strerror(-r));
}

/* Plugin.Activate on the single socket: both interfaces. */
static int
both_activate(struct api_call *c)
{
	return api_implements(c, "NetworkDriver", "IpamDriver");
}

/* Both drivers' routes behind one Plugin.Activate; NULL on ENOMEM. */
static struct api_route *
both_routes(size_t *n)
{
	struct api_route *r;
	size_t i, k = 0;

	if ((r = calloc(1 + netdrv_nroutes + ipam_nroutes, sizeof(*r))) == NULL)
		return NULL;
	r[k].path = "/Plugin.Activate";
	r[k++].fn = both_activate;
	for (i = 0; i < netdrv_nroutes; i++)
		if (strcmp(netdrv_routes[i].path, "/Plugin.Activate") != 0)
			r[k++] = netdrv_routes[i];
	for (i = 0; i < ipam_nroutes; i++)
		if (strcmp(ipam_routes[i].path, "/Plugin.Activate") != 0)
			r[k++] = ipam_routes[i];
	*n = k;
	return r;
}

/* Listen on DIR/name with routes; the socket goes to --socket-group. */
static void
open_socket(struct rp_ctx *ctx, const char *name,
    const struct api_route *routes, size_t n, struct http **out)
{
	char path[PATH_MAX + 80], err[512];

	snprintf(path, sizeof(path), "%s/%s", ctx->cfg.socket_dir, name);
	if (http_open(ctx, path, routes, n, out, err, sizeof(err)) != 0) {
		http_free(ctx->http_net);
		fatalx("%s", err);
	}
	if (ctx->cfg.socket_gid != 0 && chown(path, 0, ctx->cfg.socket_gid) != 0)
		fatal("cannot give %s to group %u", path,
		    (unsigned)ctx->cfg.socket_gid);
}

static void
on_link_gone(const char *name, void *arg)
{
	reconcile_link_gone(arg, name);
	gateway_link_gone(arg, name);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct rp_ctx *ctx = arg;
	struct timeval drain = { 0, 200 * 1000 };

	log_info("signal %d: stopping", (int)sig);
	sdnotify_stopping(ctx->sdnotify);
	/*
	 * Remove the sockets' names; serve what is already in their backlogs
	 * and let the replies go out, then stop.
	 */
	http_shutdown(ctx->http_net);
	http_shutdown(ctx->http_ipam);
	event_base_loopexit(ctx->base, &drain);
}

int
main(int argc, char **argv)
{
	struct rp_ctx ctx;
	struct store_schema schema;
	struct event *sigterm, *sigint;
	char err[512];
	char gw4[ADDR_STRLEN], gw6[ADDR_STRLEN], daemons[PATH_MAX];
	struct api_route *both = NULL;
	struct scrape *scrape = NULL;
	size_t nboth = 0;
	int r;

	memset(&ctx, 0, sizeof(ctx));
	parse_flags(argc, argv, &ctx.cfg, daemons, sizeof(daemons));
	log_init("routed-plugin", ctx.cfg.use_syslog, ctx.cfg.debug);
	signal(SIGPIPE, SIG_IGN);
	if (ctx.cfg.zebra_withdraw)
		return zapi_withdraw(&ctx.cfg);

	/* Three priorities: everything at 1, the control socket at 2 (last). */
	if ((ctx.base = event_base_new()) == NULL ||
	    event_base_priority_init(ctx.base, 3) != 0)
		fatalx("cannot create the event loop");
	if ((r = plumb_open(&ctx.plumb)) != 0)
		fatalx("cannot open netlink: %s", strerror(-r));
	if ((ctx.model = model_new()) == NULL || announce_init(&ctx) != 0 ||
	    sandbox_init(&ctx) != 0 ||
	    (ctx.metrics = metrics_new()) == NULL)
		fatalx("out of memory");
	records_schema(ctx.model, &schema);
	if (store_open(&ctx.store, ctx.cfg.state_dir, &schema, err,
	    sizeof(err)) != 0)
		fatalx("%s", err);
	/* All or nothing: a state that cannot be read stops us, untouched. */
	if (store_load(ctx.store, err, sizeof(err)) != 0)
		fatalx("%s", err);
	/* Before the endpoints: their IPv6 needs the forwarding policy set. */
	gateway_init(&ctx);
	if (teardown_open(&ctx) != 0)
		fatalx("out of memory");
	reconcile_start(&ctx);
	sandbox_watch_all(&ctx);
	if ((r = plumb_watch(ctx.plumb, ctx.base, on_link_gone, &ctx)) != 0)
		fatalx("cannot watch the host's links: %s", strerror(-r));
	/* The routes of the saved state go out first, before any new request. */
	routes_all(&ctx);
	if (ctx.cfg.zapi)
		start_zapi(&ctx, daemons);
	if (ctx.cfg.zmq)
		start_zmq(&ctx);
	/* The engine's other networks: learned on the loop, never waited for. */
	if (ctx.cfg.docker_host[0] != '\0' &&
	    bridges_start(&ctx, ctx.cfg.docker_host) != 0)
		fatalx("out of memory");

	if (mkdir(ctx.cfg.socket_dir, 0755) != 0 && errno != EEXIST)
		fatal("cannot create %s", ctx.cfg.socket_dir);
	if (ctx.cfg.single_socket[0] != '\0') {
		if ((both = both_routes(&nboth)) == NULL)
			fatalx("out of memory");
		open_socket(&ctx, ctx.cfg.single_socket, both, nboth,
		    &ctx.http_net);
	} else {
		open_socket(&ctx, RP_NET_SOCKET, netdrv_routes, netdrv_nroutes,
		    &ctx.http_net);
		open_socket(&ctx, RP_IPAM_SOCKET, ipam_routes, ipam_nroutes,
		    &ctx.http_ipam);
	}
	/* The console (routedctl) is for people: the daemon runs without it. */
	if (mkdir(ctx.cfg.run_dir, 0755) != 0 && errno != EEXIST)
		log_warn("cannot create %s", ctx.cfg.run_dir);
	if (console_open(&ctx, err, sizeof(err)) != 0)
		log_warnx("no control socket: %s", err);
	if (ctx.cfg.metrics_listen[0] != '\0' &&
	    scrape_listen(&ctx, ctx.cfg.metrics_listen, &scrape, err,
	    sizeof(err)) != 0)
		fatalx("--metrics-listen: %s", err);
	drop_privileges(&ctx.cfg);

	sigterm = evsignal_new(ctx.base, SIGTERM, on_signal, &ctx);
	sigint = evsignal_new(ctx.base, SIGINT, on_signal, &ctx);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) != 0 ||
	    evsignal_add(sigint, NULL) != 0)
		fatalx("cannot install signal handlers");
	/* Both Docker sockets listen: systemd may start docker.service. */
	if (sdnotify_open(ctx.base, console_status_line, &ctx,
	    &ctx.sdnotify) != 0 || sdnotify_ready(ctx.sdnotify) != 0)
		log_warnx("cannot tell systemd that the daemon is ready");
	log_info("routed-plugin %s ready on %s (gateway %s, %s, mtu %u, state %s)",
	    PACKAGE_VERSION, ctx.cfg.socket_dir,
	    addr_fmt(&ctx.cfg.gateway4, gw4, sizeof(gw4)),
	    addr_fmt(&ctx.cfg.gateway6, gw6, sizeof(gw6)), ctx.cfg.mtu,
	    ctx.cfg.state_dir);

	event_base_dispatch(ctx.base);

	event_free(sigterm);
	event_free(sigint);
	http_free(ctx.http_net);
	http_free(ctx.http_ipam);
	console_close(&ctx);
	scrape_free(scrape);
	sdnotify_free(ctx.sdnotify);
	metrics_free(ctx.metrics);
	free(both);
	bridges_free(&ctx);
	/* Helpers see the silence, then a new epoch from the next run. */
	zmqpub_free(ctx.zmqpub);
	/* With graceful restart zebra keeps our routes until we are back. */
	zclient_free(ctx.zclient);
	announce_free(&ctx);
	/* The links still waiting go now (their records with them). */
	teardown_close(&ctx);
	sandbox_free(&ctx);
	/* Start the next run from one snapshot and an empty journal. */
	if (store_compact(ctx.store) != 0)
		log_warnx("cannot write the final snapshot; the journal is kept");
	store_close(ctx.store);
	model_free(ctx.model);
	plumb_close(ctx.plumb);
	event_base_free(ctx.base);
	log_info("stopped");
	return 0;
}
