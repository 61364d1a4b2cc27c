/* SPDX-License-Identifier: MIT */
/*
 * helper_main.c: routed-zebra-helper, which follows routed-plugin's route
 * stream (ZeroMQ) and keeps zebra holding exactly those routes over ZAPI,
 * with the same zebra session module the plugin uses.  With --dump it
 * talks to no zebra and prints the stream instead.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#include <event2/event.h>

#include "config.h"
#include "console.h"
#include "ctl.h"
#include "ctlproto.h"
#include "flags.h"
#include "ctx.h"
#include "log.h"
#include "stream.h"
#include "zapi.h"
#include "zclient.h"
#include "zmqsub.h"

#define PROG	"routed-zebra-helper"

struct helper {
	char endpoint[STREAM_ENDPOINT_MAX];
	struct zclient_config zc;
	bool dump;
	bool debug;
	bool use_syslog;
	struct event_base *base;
	struct zclient *zclient;
	struct zmqsub *sub;
	bool released;		/* the zebra session may start */
	/* For the control socket (routedctl -H status). */
	gid_t socket_gid;
	struct ctl *ctl;
	time_t start;		/* CLOCK_MONOTONIC seconds, as are these: */
	time_t last_snapshot;	/* the last snapshot taken (0: none) */
	time_t last_msg;	/* the last message of the stream */
	time_t last_resync;	/* the last resync seen (0: none) */
	uint64_t resyncs;
	bool withdraw;		/* --zebra-withdraw: do it and exit */
};

static time_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [OPTION]...\n"
"Follow routed-plugin's route stream and announce the routes to FRR's zebra\n"
"over ZAPI: zebra holds exactly the routes the plugin announces.\n"
"\n"
"  --zmq-endpoint URL  the plugin's stream: ipc://PATH or tcp://HOST:PORT\n"
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
"                      seconds zebra keeps the routes while " PROG "\n"
"                      restarts (graceful restart; default %d, 0 disables)\n"
"  --run-dir DIR       run-time files: the control socket\n"
"                      routed-zebra-helper.ctl for routedctl -H, and the lock\n"
"                      that keeps one zebra session per route type on this\n"
"                      host (default %s)\n"
"  --socket-group NAME group that owns the control socket (mode 0660;\n"
"                      default root)\n"
"  --dump              connect to no zebra: print every snapshot and update,\n"
"                      one line per route\n"
"\n"
"  --debug             log every update and heartbeat of the stream and every\n"
"                      route sent to zebra\n"
"  --syslog            log to syslog instead of standard error\n"
"  --version           print the version and exit\n"
"  --help              print this help and exit\n",
	    STREAM_DEFAULT_ENDPOINT, RP_DEFAULT_ZEBRA_SOCKET,
	    RP_DEFAULT_ZEBRA_TYPE, RP_DEFAULT_GR_STALE, RP_RUN_DIR);
}

static void
parse_flags(int argc, char **argv, struct helper *h)
{
	static const struct option longopts[] = {
		{ "zmq-endpoint", required_argument, NULL, 'e' },
		{ "zebra-socket", required_argument, NULL, 'z' },
		{ "zebra-route-type", required_argument, NULL, 't' },
		{ "zebra-gr-stale-time", required_argument, NULL, 'G' },
		{ "zebra-dialect", required_argument, NULL, 'L' },
		{ "zebra-withdraw", no_argument, NULL, 'W' },
		{ "run-dir", required_argument, NULL, 'R' },
		{ "socket-group", required_argument, NULL, 'P' },
		{ "dump", no_argument, NULL, 'D' },
		{ "debug", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	snprintf(h->endpoint, sizeof(h->endpoint), "%s", STREAM_DEFAULT_ENDPOINT);
	snprintf(h->zc.socket_path, sizeof(h->zc.socket_path), "%s",
	    RP_DEFAULT_ZEBRA_SOCKET);
	flag_route_type(RP_DEFAULT_ZEBRA_TYPE, &h->zc.route_type,
	    &h->zc.instance);
	h->zc.gr_stale_time = RP_DEFAULT_GR_STALE;
	snprintf(h->zc.lock_dir, sizeof(h->zc.lock_dir), "%s", RP_RUN_DIR);

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			flag_zmq_endpoint(optarg, h->endpoint, sizeof(h->endpoint));
			break;
		case 'z':
			flag_path("--zebra-socket", optarg, h->zc.socket_path,
			    sizeof(h->zc.socket_path));
			break;
		case 't':
			flag_route_type(optarg, &h->zc.route_type,
			    &h->zc.instance);
			break;
		case 'L':
			flag_dialect(optarg, h->zc.dialect, sizeof(h->zc.dialect));
			break;
		case 'W':
			h->withdraw = true;
			break;
		case 'G':
			h->zc.gr_stale_time = (unsigned)flag_ulong(
			    "--zebra-gr-stale-time", optarg, 0, 3600);
			break;
		case 'R':
			flag_path("--run-dir", optarg, h->zc.lock_dir,
			    sizeof(h->zc.lock_dir));
			break;
		case 'P': {
			struct group *gr = getgrnam(optarg);
			if (gr == NULL)
				flag_fail("--socket-group %s: no such group", optarg);
			h->socket_gid = gr->gr_gid;
			break;
		}
		case 'D':
			h->dump = true;
			break;
		case 'd':
			h->debug = true;
			break;
		case 'l':
			h->use_syslog = true;
			break;
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try '" PROG " --help'.\n");
			exit(2);
		}
	}
	if (optind < argc)
		flag_fail("unexpected argument '%s'", argv[optind]);
}

/* --dump: the routes go nowhere; the monitor prints them. */
static int
dump_add(void *arg, const struct route *r)
{
	return 0;
}

static int
dump_del(void *arg, const struct ipprefix *p)
{
	return 0;
}

/* A Docker id as its short form: the first 12 characters. */
static const char *
short_id(const char *id, char *out, size_t len)
{
	if (id[0] == '\0')
		snprintf(out, len, "-");
	else if (strlen(id) > 12)
		snprintf(out, len, "%.12s..", id);
	else
		snprintf(out, len, "%s", id);
	return out;
}

static void
dump_route(const struct stream_msg *m, const char *op, const struct route *r)
{
	char pfx[ADDR_STRLEN], metric[16], distance[8], net[16], ep[16];

	prefix_fmt(&r->prefix, pfx, sizeof(pfx));
	printf("epoch %016" PRIx64 " seq %" PRIu64 " %s %s", m->epoch, m->seq,
	    op, pfx);
	if (m->type == STREAM_UPDATE && m->op == STREAM_WITHDRAW) {
		printf("\n");
		return;
	}
	snprintf(metric, sizeof(metric), "%u", r->metric);
	snprintf(distance, sizeof(distance), "%u", r->distance);
	printf(" %s%s tag %u metric %s distance %s net %s ep %s\n",
	    r->kind == ROUTE_HOST ? "dev " : "blackhole",
	    r->kind == ROUTE_HOST ? r->ifname : "", r->tag,
	    r->has_metric ? metric : "-", r->distance ? distance : "-",
	    short_id(r->network_id, net, sizeof(net)),
	    short_id(r->endpoint_id, ep, sizeof(ep)));
}

static void
dump_msg(void *arg, const struct stream_msg *m)
{
	struct helper *h = arg;
	size_t i;

	switch (m->type) {
	case STREAM_SNAPSHOT:
		printf("epoch %016" PRIx64 " seq %" PRIu64 " SNAPSHOT %zu "
		    "routes\n", m->epoch, m->seq, m->nroutes);
		for (i = 0; i < m->nroutes; i++)
			dump_route(m, "ROUTE", &m->routes[i]);
		break;
	case STREAM_UPDATE:
		dump_route(m, m->op == STREAM_ADD ? "ADD" : "WITHDRAW",
		    &m->route);
		break;
	case STREAM_HEARTBEAT:
		log_debug("heartbeat: epoch %016" PRIx64 " seq %" PRIu64,
		    m->epoch, m->seq);
		break;
	default:
		break;
	}
	/* A reader that went away (| head): stop quietly. */
	if (fflush(stdout) != 0 || ferror(stdout))
		event_base_loopbreak(h->base);
}

/*
 * A snapshot is in: the table is the plugin's whole table, and the zebra
 * session may start (its replay then deletes only what the plugin no
 * longer announces).  Until the first one, zebra keeps the routes of the
 * previous run as stale for --zebra-gr-stale-time.
 */
static void
snapshot_applied(void *arg)
{
	struct helper *h = arg;

	if (!h->released)
		log_info("the plugin's table is in: starting the zebra session");
	h->released = true;
	zclient_release(h->zclient);
}

/* Note whether the stream resynced since we last looked. */
static void
watch_resyncs(struct helper *h)
{
	struct zmqsub_stats st;

	zmqsub_get_stats(h->sub, &st);
	if (st.resyncs != h->resyncs) {
		h->resyncs = st.resyncs;
		h->last_resync = mono_now();
	}
}

/* Every message of the stream. */
static void
on_stream_msg(void *arg, const struct stream_msg *m)
{
	struct helper *h = arg;

	h->last_msg = mono_now();
	if (m->type == STREAM_SNAPSHOT)
		h->last_snapshot = h->last_msg;
	watch_resyncs(h);
	if (h->dump)
		dump_msg(arg, m);
}

static int
add_age(cJSON *o, const char *name, time_t when, time_t now)
{
	return (when == 0 ? cJSON_AddNullToObject(o, name) :
	    cJSON_AddNumberToObject(o, name, (double)(now - when))) ? 0 :
	    -ENOMEM;
}

/* routedctl -H status: the zebra session and the stream's state. */
static int
cmd_status(void *arg, struct ctl_call *c)
{
	struct helper *h = arg;
	struct zmqsub_stats st;
	cJSON *root = cJSON_CreateObject(), *s = NULL;
	time_t now = mono_now();
	char epoch[24];
	bool ok;

	watch_resyncs(h);	/* one after silence comes with no message */
	zmqsub_get_stats(h->sub, &st);
	snprintf(epoch, sizeof(epoch), "%016" PRIx64, zmqsub_epoch(h->sub));
	ok = root != NULL &&
	    cJSON_AddStringToObject(root, "program", PROG) &&
	    cJSON_AddStringToObject(root, "version", PACKAGE_VERSION) &&
	    cJSON_AddNumberToObject(root, "pid", (double)getpid()) &&
	    cJSON_AddNumberToObject(root, "uptime_seconds",
	    (double)(now - h->start)) &&
	    console_put_zebra(h->zclient, root) == 0 &&
	    (s = cJSON_AddObjectToObject(root, "stream")) != NULL &&
	    cJSON_AddStringToObject(s, "endpoint", h->endpoint) &&
	    cJSON_AddBoolToObject(s, "synced", zmqsub_synced(h->sub)) &&
	    cJSON_AddStringToObject(s, "epoch", epoch) &&
	    cJSON_AddNumberToObject(s, "seq", (double)zmqsub_seq(h->sub)) &&
	    cJSON_AddNumberToObject(s, "routes",
	    (double)zmqsub_route_count(h->sub)) &&
	    add_age(s, "snapshot_age_seconds", h->last_snapshot, now) == 0 &&
	    add_age(s, "last_message_age_seconds", h->last_msg, now) == 0 &&
	    add_age(s, "last_resync_age_seconds", h->last_resync, now) == 0 &&
	    cJSON_AddNumberToObject(s, "resyncs", (double)st.resyncs) &&
	    cJSON_AddNumberToObject(s, "snapshot_requests",
	    (double)st.requests) &&
	    cJSON_AddNumberToObject(s, "snapshots", (double)st.snapshots) &&
	    cJSON_AddNumberToObject(s, "updates", (double)st.updates) &&
	    cJSON_AddNumberToObject(s, "ignored", (double)st.ignored) &&
	    cJSON_AddNumberToObject(s, "bad", (double)st.bad) &&
	    console_put_last_error(root) == 0;
	if (!ok) {
		cJSON_Delete(root);
		return ctl_fail(c, -ENOMEM, "out of memory");
	}
	c->result = root;
	return 0;
}

static const struct ctl_cmd helper_cmds[] = {
	{ "status", cmd_status, false,
	    "version, uptime, zebra session, the stream: epoch, seq, "
	    "snapshot age, last resync" },
};

/* The control socket; the helper runs without it if it cannot. */
static void
open_ctl(struct helper *h)
{
	char path[sizeof(h->zc.lock_dir) + sizeof(CTL_HELPER_SOCKET) + 1];
	char err[512];

	snprintf(path, sizeof(path), "%s/%s", h->zc.lock_dir,
	    CTL_HELPER_SOCKET);
	if (mkdir(h->zc.lock_dir, 0755) != 0 && errno != EEXIST)
		log_warn("cannot create %s", h->zc.lock_dir);
	if (ctl_open(h->base, path, h->socket_gid, helper_cmds,
	    sizeof(helper_cmds) / sizeof(helper_cmds[0]), h, &h->ctl, err,
	    sizeof(err)) != 0)
		log_warnx("no control socket: %s", err);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct helper *h = arg;
	struct timeval drain = { 0, 200 * 1000 };

	log_info("signal %d: stopping", (int)sig);
	/* Let queued ZAPI output go out. */
	event_base_loopexit(h->base, &drain);
}

int
main(int argc, char **argv)
{
	static struct helper h;
	struct zmqsub_config sc;
	struct event *sigterm, *sigint;
	int r;

	parse_flags(argc, argv, &h);
	log_init(PROG, h.use_syslog, h.debug);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Three priorities: the control socket's clients go last. */
	if ((h.base = event_base_new()) == NULL ||
	    event_base_priority_init(h.base, 3) != 0)
		fatalx("cannot create the event loop");
	h.start = mono_now();
	if (h.withdraw) {
		r = zclient_withdraw_all(h.base, &h.zc, 10000);
		if (r != 0)
			log_warnx("zebra at %s: cannot withdraw the routes: %s",
			    h.zc.socket_path, r == -EBUSY ? PROG " still runs" :
			    strerror(-r));
		event_base_free(h.base);
		return r == 0 ? 0 : 1;
	}
	memset(&sc, 0, sizeof(sc));
	snprintf(sc.endpoint, sizeof(sc.endpoint), "%s", h.endpoint);
	if (h.dump) {
		sc.sink.add = dump_add;
		sc.sink.del = dump_del;
	} else {
		h.zc.hold = true;	/* until the first snapshot */
		if ((r = zclient_new(h.base, &h.zc, &h.zclient)) != 0)
			fatalx("cannot start the zebra session: %s",
			    strerror(-r));
		sc.sink.add = zclient_sink_add;
		sc.sink.del = zclient_sink_del;
		sc.sink.arg = h.zclient;
		sc.applied = snapshot_applied;
		sc.applied_arg = &h;
		log_info("announcing to zebra at %s as %s instance %u, graceful "
		    "restart %u s, once the plugin's table is in",
		    h.zc.socket_path,
		    zapi_route_type_name(h.zc.route_type), h.zc.instance,
		    h.zc.gr_stale_time);
	}
	sc.monitor = on_stream_msg;
	sc.monitor_arg = &h;
	if ((r = zmqsub_new(h.base, &sc, &h.sub)) != 0)
		fatalx("cannot follow %s: %s", h.endpoint, strerror(-r));
	open_ctl(&h);

	sigterm = evsignal_new(h.base, SIGTERM, on_signal, &h);
	sigint = evsignal_new(h.base, SIGINT, on_signal, &h);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) != 0 ||
	    evsignal_add(sigint, NULL) != 0)
		fatalx("cannot install signal handlers");
	log_info(PROG " %s ready%s", PACKAGE_VERSION,
	    h.dump ? " (dump: no zebra)" : "");

	event_base_dispatch(h.base);

	event_free(sigterm);
	event_free(sigint);
	ctl_free(h.ctl);
	zmqsub_free(h.sub);
	/* With graceful restart zebra keeps the routes until we are back. */
	zclient_free(h.zclient);
	event_base_free(h.base);
	log_info("stopped");
	return 0;
}
