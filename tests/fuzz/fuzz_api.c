/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.c: libFuzzer harness for the plugin API (api_dispatch and every
 * handler of both drivers, with the state store underneath).
 *
 * One daemon context is built once (temporary state directory, ipam, netdrv,
 * announce, store_open + store_load; netlink stubbed by
 * tests/unit/plumb_stub.c) and kept across inputs, so that sequences of
 * requests build state; it is rebuilt from scratch every FUZZ_API_RESET
 * inputs (default 256) to bound memory.
 *
 * An input is one or more requests separated by SEP ("\0\0RQ\0\0").  The
 * first byte of a request chooses its path (paths[] below: both route
 * tables, an unknown path of each driver, and two pseudo-requests that
 * restart the daemon); the rest is the request body.  So a libFuzzer input
 * replays a whole sequence on its own, and a crash found with state built by
 * earlier inputs is reproduced from the history file (FUZZ_API_HISTORY=path:
 * every input since the last reset, SEP-joined, written before it runs).
 *
 * Oracles, after every request: the reply parses as a JSON object; the
 * status is 200, 404 or 500, 404 exactly for an unknown path; a 500 or 404
 * reply has a non-empty "Err" string and a 200 reply none.  At every restart
 * (the pseudo-requests, every reset, and at exit): the state loaded from
 * disk (snapshot + journal as the handlers left them) equals the state in
 * memory, and the routes announced after start-up (netdrv_announce_all) are
 * the routes the live daemon announces (unless two networks share an
 * aggregate prefix, now or since the last start: see prefixes_collide).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *       tests/fuzz/fuzz_api.c tests/fuzz/canon.c tests/unit/plumb_stub.c \
 *       src/addr.c src/alloc.c src/announce.c src/api.c src/hmap.c \
 *       src/ipam.c src/log.c src/netdrv.c src/store.c -lcjson -o fuzz_api
 *   ./fuzz_api -max_total_time=60 tests/fuzz/corpus/api
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "announce.h"
#include "api.h"
#include "canon.h"
#include "ctx.h"
#include "fixture.h"
#include "ipam.h"
#include "log.h"
#include "model.h"
#include "netdrv.h"
#include "reconcile.h"
#include "records.h"
#include "routes.h"
#include "plumb.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP		"\0\0RQ\0\0"
#define SEP_LEN		6
#define MAX_REQUESTS	64

enum { NET, IPAM, RESTART_CLEAN, RESTART_CRASH };

/*
 * The selector byte (mod the count) indexes this table.  Append only: the
 * seed corpus is encoded with these indices.  LLVMFuzzerInitialize checks
 * that every route of both tables is listed.
 */
static const struct {
	int driver;
	const char *path;
} paths[] = {
	{ NET, "/Plugin.Activate" },				/* 0 */
	{ NET, "/NetworkDriver.GetCapabilities" },
	{ NET, "/NetworkDriver.CreateNetwork" },
	{ NET, "/NetworkDriver.DeleteNetwork" },
	{ NET, "/NetworkDriver.AllocateNetwork" },
	{ NET, "/NetworkDriver.FreeNetwork" },			/* 5 */
	{ NET, "/NetworkDriver.CreateEndpoint" },
	{ NET, "/NetworkDriver.DeleteEndpoint" },
	{ NET, "/NetworkDriver.EndpointOperInfo" },
	{ NET, "/NetworkDriver.Join" },
	{ NET, "/NetworkDriver.Leave" },			/* 10 */
	{ NET, "/NetworkDriver.ProgramExternalConnectivity" },
	{ NET, "/NetworkDriver.RevokeExternalConnectivity" },
	{ NET, "/NetworkDriver.DiscoverNew" },
	{ NET, "/NetworkDriver.DiscoverDelete" },
	{ IPAM, "/Plugin.Activate" },				/* 15 */
	{ IPAM, "/IpamDriver.GetCapabilities" },
	{ IPAM, "/IpamDriver.GetDefaultAddressSpaces" },
	{ IPAM, "/IpamDriver.RequestPool" },
	{ IPAM, "/IpamDriver.ReleasePool" },
	{ IPAM, "/IpamDriver.RequestAddress" },			/* 20 */
	{ IPAM, "/IpamDriver.ReleaseAddress" },
	{ IPAM, "/IpamDriver.DiscoverNew" },
	{ IPAM, "/IpamDriver.DiscoverDelete" },
	{ NET, "/NetworkDriver.NoSuchMethod" },			/* unknown */
	{ IPAM, "/IpamDriver.NoSuchMethod" },			/* 25: unknown */
	{ RESTART_CLEAN, NULL },	/* SIGTERM (compact) and start again */
	{ RESTART_CRASH, NULL },	/* crash (no compact) and start again */
	{ NET, "/NetworkDriver.GwAllocCheck" },
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static struct rp_ctx *ctx;		/* the live daemon */
static char statedir[PATH_MAX];
static unsigned long inputs;		/* since the last reset */
static unsigned long reset_every = 256;
static int histfd = -1;
static bool verbose;
static bool strict_routes;
static bool collided;		/* prefixes_collide() since the last start */

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_api: INVARIANT FAILED: %s%s%s\n", what,
	    detail ? ": " : "", detail ? detail : "");
	abort();
}

static void
quiet(enum log_level lvl, const char *msg, void *arg)
{
	if (verbose)
		fprintf(stderr, "log: %s\n", msg);
}

/* ---------------------------------------------------------------- context */

static struct rp_ctx *
ctx_start(void)
{
	struct rp_ctx *c = calloc(1, sizeof(*c));
	struct store_schema schema;
	char err[512] = "";

	if (c == NULL)
		abort();
	addr_parse(RP_DEFAULT_GW4, &c->cfg.gateway4);
	addr_parse(RP_DEFAULT_GW6, &c->cfg.gateway6);
	c->cfg.mtu = RP_DEFAULT_MTU;
	snprintf(c->cfg.state_dir, sizeof(c->cfg.state_dir), "%s", statedir);
	c->cfg.announce_kind = ANNOUNCE_HOST;
	c->cfg.tag = RP_DEFAULT_TAG;
	c->cfg.extra_addrs = true;
	if (plumb_open(&c->plumb) != 0 || (c->model = model_new()) == NULL ||
	    announce_init(c) != 0)
		abort();
	records_schema(c->model, &schema);
	if (store_open(&c->store, statedir, &schema, err, sizeof(err)) != 0)
		die("store_open of the state directory", err);
	if (store_load(c->store, err, sizeof(err)) != 0)
		die("the daemon cannot load the state its handlers wrote", err);
	/* What main() does after loading. */
	reconcile_start(c);
	routes_all(c);
	return c;
}

/* Stop the daemon: compact (as on SIGTERM) or not (a crash), free all. */
static void
ctx_stop(struct rp_ctx *c, bool clean)
{
	if (clean && store_compact(c->store) != 0)
		die("store_compact on a clean stop", NULL);
	announce_free(c);
	store_close(c->store);
	model_free(c->model);
	plumb_close(c->plumb);
	free(c);
}

static void
dir_remove(void)
{
	static const char *const names[] = { STORE_FILE, STORE_JOURNAL, "lock",
	    STORE_FILE ".tmp", STORE_JOURNAL ".tmp" };
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(path, sizeof(path), "%s/%s", statedir, names[i]);
		unlink(path);
	}
	if (rmdir(statedir) != 0)
		fprintf(stderr, "fuzz_api: cannot remove %s: %s\n", statedir,
		    strerror(errno));
}

static void
dir_make(void)
{
	const char *base = getenv("FUZZ_TMPDIR");
	struct stat sb;

	/* fdatasync per request: tmpfs keeps the fuzzer fast. */
	if (base == NULL && stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	if (base == NULL && (base = getenv("TMPDIR")) == NULL)
		base = "/tmp";
	snprintf(statedir, sizeof(statedir), "%s/rp-fuzz-api-XXXXXX", base);
	if (mkdtemp(statedir) == NULL) {
		perror("fuzz_api: mkdtemp");
		abort();
	}
}

/* The whole state of c as canonical text (malloc'd). */
static char *
state_text(struct rp_ctx *c)
{
	cJSON *j = canon_state(c);
	char *s = canon_text(j);

	cJSON_Delete(j);
	return s;
}

/* The announced routes of c as canonical text (malloc'd). */
static char *
routes_text(struct rp_ctx *c)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	const struct route *r;
	char s[ADDR_STRLEN], *t;
	size_t pos = 0;

	if (arr == NULL)
		abort();
	while ((r = announce_next(c, &pos)) != NULL) {
		if ((o = cJSON_CreateObject()) == NULL)
			abort();
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "prefix",
		    prefix_fmt(&r->prefix, s, sizeof(s)));
		cJSON_AddNumberToObject(o, "kind", r->kind);
		cJSON_AddStringToObject(o, "ifname", r->ifname);
		cJSON_AddNumberToObject(o, "tag", r->tag);
		if (r->has_metric)
			cJSON_AddNumberToObject(o, "metric", r->metric);
		cJSON_AddNumberToObject(o, "distance", r->distance);
		cJSON_AddStringToObject(o, "network", r->network_id);
		cJSON_AddStringToObject(o, "endpoint", r->endpoint_id);
	}
	t = canon_text(arr);
	cJSON_Delete(arr);
	return t;
}

static void
must_equal(const char *what, const char *live, const char *loaded)
{
	if (strcmp(live, loaded) == 0)
		return;
	fprintf(stderr, "fuzz_api: %s differs after a restart\n  live:   %s\n"
	    "  loaded: %s\n", what, live, loaded);
	die(what, "the restarted daemon does not have the live daemon's");
}

/*
 * True when two networks have the same aggregate, or an aggregate is an
 * endpoint's host prefix: the announce table keys routes by prefix, so
 * which of them is announced then depends on the order of events (see the
 * report of fuzz_api: net-routed accepts overlapping pools from another
 * IPAM).  The route oracle is skipped for such states unless
 * FUZZ_API_STRICT_ROUTES is set.
 */
static bool
prefixes_collide(struct rp_ctx *c)
{
	cJSON *recs = canon_state(c), *seen = cJSON_CreateObject(), *o, *a;
	bool collide = false;

	if (seen == NULL)
		abort();
	cJSON_ArrayForEach(o, recs) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
		const char *net[] = { "agg4", "agg6" };
		char key[ADDR_STRLEN + 8];
		size_t f;

		if (strcmp(kind->valuestring, "net") == 0) {
			for (f = 0; f < 2; f++) {
				a = cJSON_GetObjectItemCaseSensitive(v, net[f]);
				if (!cJSON_IsString(a))
					continue;
				if (cJSON_GetObjectItemCaseSensitive(seen,
				    a->valuestring))
					collide = true;
				else
					cJSON_AddTrueToObject(seen, a->valuestring);
			}
		} else if (strcmp(kind->valuestring, "ep") == 0) {
			cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(v,
			    "addrs")) {
				snprintf(key, sizeof(key), "%s%s", a->valuestring,
				    strchr(a->valuestring, ':') ? "/128" : "/32");
				if (cJSON_GetObjectItemCaseSensitive(seen, key))
					collide = true;
				else
					cJSON_AddTrueToObject(seen, key);
			}
		}
	}
	cJSON_Delete(recs);
	cJSON_Delete(seen);
	return collide;
}

/*
 * Stop the live daemon (cleanly or as in a crash) and start a new one on
 * the same directory: it must load, and hold the same state and routes.
 */
static void
restart(bool clean)
{
	char *st_live, *rt_live, *st_new, *rt_new;
	bool routes;

	if (ctx == NULL)
		return;
	routes = strict_routes || !(collided || prefixes_collide(ctx));
	st_live = state_text(ctx);
	rt_live = routes_text(ctx);
	ctx_stop(ctx, clean);
	ctx = ctx_start();
	collided = prefixes_collide(ctx);
	st_new = state_text(ctx);
	rt_new = routes_text(ctx);
	must_equal("state", st_live, st_new);
	if (routes)
		must_equal("announced routes", rt_live, rt_new);
	free(st_live);
	free(rt_live);
	free(st_new);
	free(rt_new);
}

static void
reset(void)
{
	if (ctx != NULL) {
		static bool clean;

		clean = !clean;		/* check what was built, both ways */
		restart(clean);
		ctx_stop(ctx, false);
		ctx = NULL;
		dir_remove();
	}
	stub_reset();
	stub_add_link("fab0");		/* a parent for ipvlan networks */
	stub_addr_held = 1;		/* their containers live on, like veths */
	dir_make();
	ctx = ctx_start();
	collided = false;
	inputs = 0;
	if (histfd >= 0 && ftruncate(histfd, 0) != 0)
		perror("fuzz_api: history");
}

static void
at_exit(void)
{
	/* The state left by the last inputs must survive a restart, too. */
	if (ctx == NULL)
		return;
	restart(false);
	ctx_stop(ctx, false);
	ctx = NULL;
	dir_remove();
}

/* ---------------------------------------------------------------- oracle */

static void
one_request(const uint8_t *p, size_t n)
{
	const struct api_route *routes;
	size_t nroutes, sel;
	const cJSON *err;
	cJSON *reply;
	char *out = NULL, *body;
	int status;

	sel = p[0] % NPATHS;
	if (paths[sel].driver == RESTART_CLEAN ||
	    paths[sel].driver == RESTART_CRASH) {
		if (verbose)
			fprintf(stderr, "fuzz_api: restart (%s)\n",
			    paths[sel].driver == RESTART_CLEAN ? "clean" : "crash");
		restart(paths[sel].driver == RESTART_CLEAN);
		return;
	}
	if (paths[sel].driver == NET) {
		routes = netdrv_routes;
		nroutes = netdrv_nroutes;
	} else {
		routes = ipam_routes;
		nroutes = ipam_nroutes;
	}
	/* An exact-size copy, so that ASan sees any read past the body. */
	if ((body = malloc(n > 1 ? n - 1 : 1)) == NULL)
		abort();
	memcpy(body, p + 1, n - 1);
	status = api_dispatch(ctx, routes, nroutes, paths[sel].path, body,
	    n - 1, &out);
	free(body);
	if (verbose)
		fprintf(stderr, "fuzz_api: %s %d %s\n", paths[sel].path, status,
		    out ? out : "(null)");
	if (out == NULL)
		die("api_dispatch gave no reply", paths[sel].path);
	if ((reply = cJSON_Parse(out)) == NULL || !cJSON_IsObject(reply))
		die("the reply is not a JSON object", out);
	if (status != 200 && status != 404 && status != 500)
		die("status is not 200, 404 or 500", out);
	if ((status == 404) != (strstr(paths[sel].path, "NoSuchMethod") != NULL))
		die("404 for a known path or another status for an unknown one",
		    paths[sel].path);
	err = cJSON_GetObjectItemCaseSensitive(reply, "Err");
	if (status != 200 && (!cJSON_IsString(err) || err->valuestring[0] == '\0'))
		die("a failure reply without a non-empty Err string", out);
	if (status == 200 && err != NULL)
		die("a 200 reply carries Err", out);
	if (status == 200 && !collided && (sel == 2 || sel == 6))
		collided = prefixes_collide(ctx);	/* CreateNetwork/Endpoint */
	cJSON_Delete(reply);
	free(out);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *s;
	size_t i, j;
	bool found;

	verbose = getenv("FUZZ_VERBOSE") != NULL;
	strict_routes = getenv("FUZZ_API_STRICT_ROUTES") != NULL;
	if ((s = getenv("FUZZ_API_RESET")) != NULL && atol(s) > 0)
		reset_every = (unsigned long)atol(s);
	if ((s = getenv("FUZZ_API_HISTORY")) != NULL &&
	    (histfd = open(s, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC, 0644)) < 0)
		perror("fuzz_api: FUZZ_API_HISTORY");
	/* Debug lines are formatted too (they go to the hook): more code. */
	log_init("fuzz_api", false, true);
	log_set_hook(quiet, NULL);
	for (i = 0; i < netdrv_nroutes + ipam_nroutes; i++) {
		const struct api_route *r = i < netdrv_nroutes ?
		    &netdrv_routes[i] : &ipam_routes[i - netdrv_nroutes];
		int drv = i < netdrv_nroutes ? NET : IPAM;

		for (found = false, j = 0; j < NPATHS && !found; j++)
			found = paths[j].driver == drv &&
			    strcmp(paths[j].path, r->path) == 0;
		if (!found) {
			fprintf(stderr, "fuzz_api: route %s is missing from "
			    "paths[]: append it\n", r->path);
			abort();
		}
	}
	reset();
	atexit(at_exit);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *q;
	int nreq = 0;

	if (inputs >= reset_every)
		reset();
	inputs++;
	if (histfd >= 0) {
		/* before running it: a crash leaves the whole sequence */
		if ((inputs > 1 && write(histfd, SEP, SEP_LEN) != SEP_LEN) ||
		    write(histfd, data, size) != (ssize_t)size)
			perror("fuzz_api: history");
	}
	while (p < end && nreq < MAX_REQUESTS) {
		q = memmem(p, (size_t)(end - p), SEP, SEP_LEN);
		if (q == NULL)
			q = end;
		if (q > p) {
			one_request(p, (size_t)(q - p));
			nreq++;
		}
		p = q + (q < end ? SEP_LEN : 0);
	}
	return 0;
}
