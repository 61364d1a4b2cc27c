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

#include "config.h"
#include "ctx.h"
#include "http.h"
#include "ipam.h"
#include "log.h"
#include "netdrv.h"
#include "plumb.h"
#include "store.h"

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
"  --mtu N             MTU of the veth pairs, 68..65535 (default %d); a network\n"
"                      overrides it with -o com.docker.network.driver.mtu=N\n"
"  --socket-dir DIR    where net-routed.sock and ipam-routed.sock are created\n"
"                      (default %s)\n"
"  --state-dir DIR     where the state is kept (default %s)\n"
"  --debug             log every request and reply\n"
"  --syslog            log to syslog instead of standard error\n"
"  --version           print the version and exit\n"
"  --help              print this help and exit\n",
	    RP_DEFAULT_GW4, RP_DEFAULT_GW6, RP_DEFAULT_MTU, RP_SOCKET_DIR,
	    RP_STATE_DIR);
}

/* One-line reason and exit 2: a flag value was refused. */
static void __attribute__((noreturn, format(printf, 1, 2)))
badflag(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "routed-plugin: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void
parse_gateway(const char *flag, const char *s, sa_family_t family,
    struct ipaddr *out)
{
	struct ipaddr a;

	if (addr_parse(s, &a) != 0 || a.family != family)
		badflag("%s %s: not an %s address", flag, s,
		    family == AF_INET ? "IPv4" : "IPv6");
	if (addr_is_zero(&a) || (family == AF_INET && (a.bytes[0] >= 224 ||
	    a.bytes[0] == 127)) || (family == AF_INET6 && (a.bytes[0] == 0xff ||
	    (addr_is_zero(&a) || (a.bytes[15] == 1 && a.bytes[0] == 0)))))
		badflag("%s %s: not a unicast address", flag, s);
	*out = a;
}

static void
parse_dir(const char *flag, const char *s, char *out, size_t len)
{
	if (s[0] != '/')
		badflag("%s %s: not an absolute path", flag, s);
	if (strlen(s) + 32 >= len || strlen(s) > 64)
		badflag("%s %s: path too long (at most 64 characters)", flag, s);
	snprintf(out, len, "%s", s);
}

static void
parse_flags(int argc, char **argv, struct rp_config *cfg)
{
	static const struct option longopts[] = {
		{ "gateway", required_argument, NULL, 'g' },
		{ "gateway6", required_argument, NULL, '6' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "socket-dir", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "debug", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int ch;

	memset(cfg, 0, sizeof(*cfg));
	addr_parse(RP_DEFAULT_GW4, &cfg->gateway4);
	addr_parse(RP_DEFAULT_GW6, &cfg->gateway6);
	cfg->mtu = RP_DEFAULT_MTU;
	snprintf(cfg->socket_dir, sizeof(cfg->socket_dir), "%s", RP_SOCKET_DIR);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", RP_STATE_DIR);

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			parse_gateway("--gateway", optarg, AF_INET, &cfg->gateway4);
			break;
		case '6':
			parse_gateway("--gateway6", optarg, AF_INET6,
			    &cfg->gateway6);
			break;
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || errno != 0 ||
			    *end != '\0' || v < 68 || v > 65535)
				badflag("--mtu %s: must be a number from 68 to "
				    "65535", optarg);
			cfg->mtu = (unsigned)v;
			break;
		case 's':
			parse_dir("--socket-dir", optarg, cfg->socket_dir,
			    sizeof(cfg->socket_dir));
			break;
		case 'S':
			parse_dir("--state-dir", optarg, cfg->state_dir,
			    sizeof(cfg->state_dir));
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
		badflag("unexpected argument '%s'", argv[optind]);
}

/* Warn when the host does not forward: containers could not reach anyone. */
static void
check_forwarding(void)
{
	char c = '1';
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "re");

	if (f != NULL) {
		if (fread(&c, 1, 1, f) != 1)
			c = '1';
		fclose(f);
	}
	if (c == '0')
		log_warnx("net.ipv4.ip_forward is 0 on this host: containers "
		    "will reach only the host itself");
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct rp_ctx *ctx = arg;
	struct timeval drain = { 0, 200 * 1000 };

	log_info("signal %d: stopping", (int)sig);
	/* Stop accepting, remove the sockets, let queued replies go out. */
	http_shutdown(ctx->http_net);
	http_shutdown(ctx->http_ipam);
	event_base_loopexit(ctx->base, &drain);
}

int
main(int argc, char **argv)
{
	struct rp_ctx ctx;
	struct event *sigterm, *sigint;
	char err[512], path[PATH_MAX + 32];
	char gw4[ADDR_STRLEN], gw6[ADDR_STRLEN];
	int r;

	memset(&ctx, 0, sizeof(ctx));
	parse_flags(argc, argv, &ctx.cfg);
	log_init("routed-plugin", ctx.cfg.use_syslog, ctx.cfg.debug);
	signal(SIGPIPE, SIG_IGN);

	if ((ctx.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if ((r = plumb_open(&ctx.plumb)) != 0)
		fatalx("cannot open netlink: %s", strerror(-r));
	if (ipam_init(&ctx) != 0 || netdrv_init(&ctx) != 0)
		fatalx("out of memory");
	if (store_open(&ctx, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (store_load(&ctx, err, sizeof(err)) != 0)
		fatalx("%s", err);

	if (mkdir(ctx.cfg.socket_dir, 0755) != 0 && errno != EEXIST)
		fatal("cannot create %s", ctx.cfg.socket_dir);
	snprintf(path, sizeof(path), "%s/%s", ctx.cfg.socket_dir, RP_NET_SOCKET);
	if (http_open(&ctx, path, netdrv_routes, netdrv_nroutes, &ctx.http_net,
	    err, sizeof(err)) != 0)
		fatalx("%s", err);
	snprintf(path, sizeof(path), "%s/%s", ctx.cfg.socket_dir, RP_IPAM_SOCKET);
	if (http_open(&ctx, path, ipam_routes, ipam_nroutes, &ctx.http_ipam,
	    err, sizeof(err)) != 0) {
		http_free(ctx.http_net);
		fatalx("%s", err);
	}

	sigterm = evsignal_new(ctx.base, SIGTERM, on_signal, &ctx);
	sigint = evsignal_new(ctx.base, SIGINT, on_signal, &ctx);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) != 0 ||
	    evsignal_add(sigint, NULL) != 0)
		fatalx("cannot install signal handlers");
	check_forwarding();
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
	netdrv_free(&ctx);
	ipam_free(&ctx);
	store_close(&ctx);
	plumb_close(ctx.plumb);
	event_base_free(ctx.base);
	log_info("stopped");
	return 0;
}
