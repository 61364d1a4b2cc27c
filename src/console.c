/* SPDX-License-Identifier: MIT */
/*
 * console.c: routed-plugin's control commands (console.h).  Each builds a
 * JSON result from the context; routedctl prints it as text or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "announce.h"
#include "bridges.h"
#include "check.h"
#include "config.h"
#include "console.h"
#include "ctl.h"
#include "ctlproto.h"
#include "ctx.h"
#include "log.h"
#include "scrape.h"
#include "model.h"
#include "reconcile.h"
#include "routes.h"
#include "store.h"
#include "zapi.h"
#include "zclient.h"
#include "zmqpub.h"

struct console {
	struct ctl *ctl;
	struct timespec start;		/* CLOCK_MONOTONIC */
};

/* A JSON builder that fails once: every add after a failure is a no-op. */
struct jb {
	bool oom;
};

static cJSON *
jb_obj(struct jb *b, cJSON *parent, const char *name)
{
	cJSON *o;

	if (b->oom)
		return NULL;
	o = name ? cJSON_AddObjectToObject(parent, name) :
	    cJSON_CreateObject();
	if (o != NULL && name == NULL && parent != NULL &&
	    !cJSON_AddItemToArray(parent, o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	b->oom = o == NULL;
	return o;
}

static cJSON *
jb_arr(struct jb *b, cJSON *parent, const char *name)
{
	cJSON *a = b->oom ? NULL : cJSON_AddArrayToObject(parent, name);

	b->oom = a == NULL;
	return a;
}

static void
jb_str(struct jb *b, cJSON *o, const char *name, const char *v)
{
	if (!b->oom && (v ? cJSON_AddStringToObject(o, name, v) :
	    cJSON_AddNullToObject(o, name)) == NULL)
		b->oom = true;
}

static void
jb_num(struct jb *b, cJSON *o, const char *name, double v)
{
	if (!b->oom && cJSON_AddNumberToObject(o, name, v) == NULL)
		b->oom = true;
}

static void
jb_bool(struct jb *b, cJSON *o, const char *name, bool v)
{
	if (!b->oom && cJSON_AddBoolToObject(o, name, v) == NULL)
		b->oom = true;
}

/* Append string v to array a. */
static void
jb_item(struct jb *b, cJSON *a, const char *v)
{
	cJSON *s = b->oom ? NULL : cJSON_CreateString(v);

	if (s == NULL || !cJSON_AddItemToArray(a, s)) {
		cJSON_Delete(s);
		b->oom = true;
	}
}

/* Hand root to c, or fail it with ENOMEM. */
static int
jb_done(struct jb *b, struct ctl_call *c, cJSON *root)
{
	if (b->oom || root == NULL) {
		cJSON_Delete(root);
		return ctl_fail(c, -ENOMEM, "out of memory");
	}
	c->result = root;
	return 0;
}

static void
jb_prefix(struct jb *b, cJSON *o, const char *name, const struct ipprefix *p)
{
	char s[ADDR_STRLEN];

	jb_str(b, o, name, prefix_fmt(p, s, sizeof(s)));
}

static const char *
zstate_name(enum zroute_state st)
{
	switch (st) {
	case ZR_PENDING:	return "pending";
	case ZR_INSTALLED:	return "installed";
	case ZR_FAILED:		return "failed";
	case ZR_REJECTED:	return "rejected";
	}
	return "unknown";
}

static const char *
zstate_why(enum zroute_state st)
{
	switch (st) {
	case ZR_PENDING:
		return "sent and not confirmed yet, its interface not known to "
		    "zebra yet, or no session with zebra";
	case ZR_INSTALLED:
		return NULL;
	case ZR_FAILED:
		return "zebra could not install it in the kernel; retried "
		    "with backoff";
	case ZR_REJECTED:
		return "zebra prefers another route to this prefix (lower "
		    "administrative distance)";
	}
	return NULL;
}

int
console_put_last_error(cJSON *parent)
{
	struct jb b = { false };
	cJSON *o = jb_obj(&b, parent, "last_error");
	char last[512];
	time_t when;

	if (log_last_warning(last, sizeof(last), &when) == 0) {
		jb_str(&b, o, "message", last);
		jb_num(&b, o, "age_seconds", (double)(time(NULL) - when));
	}
	return b.oom ? -ENOMEM : 0;
}

int
console_put_zebra(struct zclient *zc, cJSON *parent)
{
	struct jb b = { false };
	struct zclient_status zs;
	cJSON *o = jb_obj(&b, parent, "zebra");

	if (zc == NULL) {
		jb_str(&b, o, "session", "none");
		return b.oom ? -ENOMEM : 0;
	}
	zclient_status(zc, &zs);
	jb_str(&b, o, "socket", zs.socket_path);
	jb_str(&b, o, "session", zs.connected ? "up" : "down");
	jb_str(&b, o, "dialect", zs.dialect);
	jb_str(&b, o, "route_type", zapi_route_type_name(zs.route_type));
	jb_num(&b, o, "instance", zs.instance);
	jb_num(&b, o, "sessions", (double)zs.sessions);
	jb_num(&b, o, "routes", (double)zclient_route_count(zc));
	o = jb_obj(&b, o, "graceful_restart");
	jb_bool(&b, o, "enabled", zs.gr_stale_time > 0);
	jb_num(&b, o, "stale_time_seconds", zs.gr_stale_time);
	jb_str(&b, o, "state", !zs.connected ? "waiting for zebra" :
	    zs.replaying ? "replaying" : zs.gr_stale_time > 0 ? "complete" :
	    "off");
	return b.oom ? -ENOMEM : 0;
}

/* The engine's labelled networks (--docker-host), when followed. */
static void
put_bridges(struct jb *b, struct rp_ctx *ctx, cJSON *parent)
{
	const struct bridge_net *bn;
	struct bridges_state st;
	char ps[ADDR_STRLEN];
	cJSON *o, *a, *n, *r;
	size_t pos = 0, i;

	if (!bridges_state(ctx, &st))
		return;
	o = jb_obj(b, parent, "docker_networks");
	jb_str(b, o, "engine", st.path);
	jb_str(b, o, "state", st.state);
	jb_str(b, o, "engine_error", st.error[0] != '\0' ? st.error : NULL);
	jb_num(b, o, "events", (double)st.events);
	jb_num(b, o, "lists", (double)st.lists);
	a = jb_arr(b, o, "networks");
	while ((bn = bridges_next(ctx, &pos)) != NULL) {
		n = jb_obj(b, a, NULL);
		jb_str(b, n, "id", bn->n.id);
		jb_str(b, n, "name", bn->n.name);
		if (bn->error[0] != '\0') {
			jb_str(b, n, "error", bn->error);
			continue;
		}
		jb_str(b, n, "bridge", bn->n.bridge);
		jb_num(b, n, "tag", bn->n.tag);
		r = jb_arr(b, n, "routes");
		for (i = 0; i < bn->nroutes; i++)
			jb_item(b, r, prefix_fmt(&bn->routes[i], ps, sizeof(ps)));
	}
}

static int
cmd_status(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	struct console *con = ctx->console;
	struct jb b = { false };
	struct timespec now;
	cJSON *root = cJSON_CreateObject(), *o, *a;
	size_t i, naddr = 0, njoined = 0, pos = 0;
	const struct endpoint *ep;
	const char *name;

	b.oom = root == NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	jb_str(&b, root, "program", "routed-plugin");
	jb_str(&b, root, "version", PACKAGE_VERSION);
	jb_num(&b, root, "pid", (double)getpid());
	jb_num(&b, root, "uptime_seconds", (double)(now.tv_sec -
	    con->start.tv_sec));
	a = jb_arr(&b, root, "announce");
	for (i = 0; (name = announce_backend_name(ctx, i)) != NULL; i++)
		jb_item(&b, a, name);
	if (!b.oom && console_put_zebra(ctx->zclient, root) != 0)
		b.oom = true;
	if (ctx->zmqpub != NULL) {
		char epoch[24];

		snprintf(epoch, sizeof(epoch), "%016" PRIx64,
		    zmqpub_epoch(ctx->zmqpub));
		o = jb_obj(&b, root, "stream");
		jb_str(&b, o, "endpoint", ctx->cfg.zmq_endpoint);
		jb_str(&b, o, "epoch", epoch);
		jb_num(&b, o, "seq", (double)zmqpub_seq(ctx->zmqpub));
		jb_num(&b, o, "routes", (double)zmqpub_route_count(ctx->zmqpub));
		jb_num(&b, o, "clients",
		    (double)zmqpub_subscriber_count(ctx->zmqpub));
	}
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL) {
		naddr += ep->naddr;
		njoined += ep->joined;
	}
	o = jb_obj(&b, root, "counts");
	jb_num(&b, o, "networks", (double)model_net_count(ctx->model));
	jb_num(&b, o, "endpoints", (double)model_ep_count(ctx->model));
	jb_num(&b, o, "endpoints_joined", (double)njoined);
	jb_num(&b, o, "addresses", (double)naddr);
	jb_num(&b, o, "routes", (double)announce_count(ctx));
	jb_num(&b, o, "journal_records",
	    (double)store_journal_count(ctx->store));
	jb_num(&b, o, "control_clients", ctl_clients(con->ctl));
	put_bridges(&b, ctx, root);
	if (!b.oom && console_put_last_error(root) != 0)
		b.oom = true;
	return jb_done(&b, c, root);
}

static int
cmd_networks(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	struct jb b = { false };
	cJSON *root = cJSON_CreateArray(), *o;
	const struct network *n;
	const struct endpoint *ep;
	size_t pos = 0, epos, neps;

	b.oom = root == NULL;
	while ((n = model_net_next(ctx->model, &pos)) != NULL) {
		o = jb_obj(&b, root, NULL);
		jb_str(&b, o, "id", n->id);
		if (n->has4)
			jb_prefix(&b, o, "subnet4", &n->pool4);
		if (n->has6)
			jb_prefix(&b, o, "subnet6", &n->pool6);
		jb_num(&b, o, "mtu", n->mtu ? n->mtu : ctx->cfg.mtu);
		jb_bool(&b, o, "internal", n->internal);
		jb_str(&b, o, "announce", announce_kind_name(n->announce));
		jb_num(&b, o, "tag", n->tag);
		if (n->has_metric)
			jb_num(&b, o, "metric", n->metric);
		if (n->distance)
			jb_num(&b, o, "distance", n->distance);
		neps = 0;
		epos = 0;
		while ((ep = model_ep_next(ctx->model, &epos)) != NULL)
			neps += strcmp(ep->net_id, n->id) == 0;
		jb_num(&b, o, "endpoints", (double)neps);
	}
	return jb_done(&b, c, root);
}

static int
cmd_endpoints(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	struct jb b = { false };
	cJSON *root = cJSON_CreateArray(), *o, *a;
	const struct endpoint *ep;
	size_t pos = 0, i;

	b.oom = root == NULL;
	while ((ep = model_ep_next(ctx->model, &pos)) != NULL) {
		o = jb_obj(&b, root, NULL);
		jb_str(&b, o, "id", ep->id);
		jb_str(&b, o, "network", ep->net_id);
		a = jb_arr(&b, o, "addresses");
		for (i = 0; i < ep->naddr; i++)
			jb_item(&b, a, ep->addrs[i].key);
		jb_str(&b, o, "host_interface", ep->route_if);
		jb_str(&b, o, "container_interface", ep->peer_if);
		jb_str(&b, o, "state", ep->joined ? "joined" : "created");
		jb_bool(&b, o, "plumbed", ep->plumbed);
		if (ep->sandbox[0] != '\0')
			jb_str(&b, o, "sandbox", ep->sandbox);
	}
	return jb_done(&b, c, root);
}

static int
cmd_routes(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	struct jb b = { false };
	cJSON *root = cJSON_CreateArray(), *o;
	const struct route *r;
	enum zroute_state st;
	size_t pos = 0;

	b.oom = root == NULL;
	while ((r = announce_next(ctx, &pos)) != NULL) {
		o = jb_obj(&b, root, NULL);
		jb_prefix(&b, o, "prefix", &r->prefix);
		jb_str(&b, o, "kind", r->kind == ROUTE_HOST ? "host" :
		    "aggregate");
		if (r->kind == ROUTE_HOST)
			jb_str(&b, o, "interface", r->ifname);
		jb_str(&b, o, "network", r->network_id);
		if (r->endpoint_id[0] != '\0')
			jb_str(&b, o, "endpoint", r->endpoint_id);
		jb_num(&b, o, "tag", r->tag);
		if (r->has_metric)
			jb_num(&b, o, "metric", r->metric);
		if (r->distance)
			jb_num(&b, o, "distance", r->distance);
		if (ctx->zclient != NULL &&
		    zclient_route_state(ctx->zclient, &r->prefix, &st) == 0) {
			const char *why = zstate_why(st);

			if (!zclient_connected(ctx->zclient))
				why = "no session with zebra";
			jb_str(&b, o, "zebra", zstate_name(st));
			if (why != NULL)
				jb_str(&b, o, "zebra_reason", why);
		}
	}
	return jb_done(&b, c, root);
}

/*
 * Withdraw every announced route from every backend, for decommissioning a
 * host (and for zebra releases that never sweep a vanished client's stale
 * routes).  The model keeps its endpoints: a restart announces them again.
 */
static int
cmd_withdraw_all(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	struct ipprefix *all;
	const struct route *r;
	size_t n = announce_count(ctx), i = 0, pos = 0;
	cJSON *root;

	if ((all = calloc(n ? n : 1, sizeof(*all))) == NULL)
		return ctl_fail(c, -ENOMEM, "out of memory");
	while (i < n && (r = announce_next(ctx, &pos)) != NULL)
		all[i++] = r->prefix;
	n = i;
	for (i = 0; i < n; i++)
		announce_del(ctx, &all[i]);
	free(all);
	log_warnx("withdrew every route (%zu) at the request of uid %u: new "
	    "endpoints announce theirs, a restart announces all again", n,
	    (unsigned)c->uid);
	if ((root = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(root, "withdrawn", (double)n) == NULL) {
		cJSON_Delete(root);
		return ctl_fail(c, -ENOMEM, "out of memory");
	}
	c->result = root;
	return 0;
}

static int
cmd_check(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	cJSON *root = cJSON_CreateObject(), *diffs;
	int r;

	if (root == NULL || (diffs = cJSON_AddArrayToObject(root,
	    "differences")) == NULL) {
		cJSON_Delete(root);
		return ctl_fail(c, -ENOMEM, "out of memory");
	}
	if ((r = check_run(ctx, diffs)) != 0) {
		cJSON_Delete(root);
		return ctl_fail(c, r, "cannot check: %s", strerror(-r));
	}
	if (cJSON_AddBoolToObject(root, "agree",
	    cJSON_GetArraySize(diffs) == 0) == NULL) {
		cJSON_Delete(root);
		return ctl_fail(c, -ENOMEM, "out of memory");
	}
	c->result = root;
	return 0;
}

/*
 * What start-up does, now: endpoints get their host side back (links kept,
 * routes re-added), those whose link is gone are forgotten, and every route
 * the model calls for is announced again (zebra gets each one re-sent).
 */
static int
cmd_repair(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	int r;

	log_info("repair requested by uid %u", (unsigned)c->uid);
	reconcile_start(ctx);
	bridges_repair(ctx);
	if ((r = routes_all(ctx)) != 0)
		return ctl_fail(c, r, "not every route could be announced: %s",
		    strerror(-r));
	c->result = cJSON_CreateObject();
	return c->result ? 0 : ctl_fail(c, -ENOMEM, "out of memory");
}

static int
cmd_metrics(void *arg, struct ctl_call *c)
{
	struct rp_ctx *ctx = arg;
	char *text = scrape_render(ctx);
	cJSON *root = cJSON_CreateObject();

	if (text == NULL || root == NULL ||
	    cJSON_AddStringToObject(root, "text", text) == NULL) {
		free(text);
		cJSON_Delete(root);
		return ctl_fail(c, -ENOMEM, "out of memory");
	}
	free(text);
	c->result = root;
	return 0;
}

static const struct ctl_cmd commands[] = {
	{ "status", cmd_status, false,
	    "version, uptime, zebra session, counts, last error" },
	{ "networks", cmd_networks, false, "the networks and their settings" },
	{ "endpoints", cmd_endpoints, false,
	    "every endpoint: addresses, interfaces, network, join state" },
	{ "routes", cmd_routes, false,
	    "the announced routes and their state in zebra" },
	{ "metrics", cmd_metrics, false,
	    "the metrics in the Prometheus text format" },
	{ "check", cmd_check, false,
	    "compare the model with the kernel, the announce table, zebra" },
	{ "repair", cmd_repair, true,
	    "redo the host side and announce every route again (root)" },
	{ "withdraw-all", cmd_withdraw_all, true,
	    "withdraw every announced route (root)" },
};

void
console_status_line(void *arg, char *buf, size_t len)
{
	struct rp_ctx *ctx = arg;
	const struct route *r;
	enum zroute_state st;
	size_t pos = 0, by[4] = { 0 };
	int n;

	n = snprintf(buf, len, "%zu networks, %zu endpoints, %zu routes",
	    model_net_count(ctx->model), model_ep_count(ctx->model),
	    announce_count(ctx));
	if (ctx->zclient == NULL || n < 0 || (size_t)n >= len)
		return;
	while ((r = announce_next(ctx, &pos)) != NULL)
		if (zclient_route_state(ctx->zclient, &r->prefix, &st) == 0 &&
		    (size_t)st < 4)
			by[st]++;
	snprintf(buf + n, len - (size_t)n, "; zebra %s: %zu installed, %zu "
	    "pending, %zu failed, %zu rejected",
	    zclient_connected(ctx->zclient) ? "up" : "down", by[ZR_INSTALLED],
	    by[ZR_PENDING], by[ZR_FAILED], by[ZR_REJECTED]);
}

int
console_open(struct rp_ctx *ctx, char *err, size_t errlen)
{
	struct console *con;
	char path[PATH_MAX + sizeof(CTL_SOCKET) + 1];
	int r;

	if ((con = calloc(1, sizeof(*con))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &con->start);
	snprintf(path, sizeof(path), "%s/%s", ctx->cfg.run_dir, CTL_SOCKET);
	ctx->console = con;
	if ((r = ctl_open(ctx->base, path, ctx->cfg.socket_gid, commands,
	    sizeof(commands) / sizeof(commands[0]), ctx, &con->ctl, err,
	    errlen)) != 0) {
		ctx->console = NULL;
		free(con);
	}
	return r;
}

void
console_close(struct rp_ctx *ctx)
{
	if (ctx->console == NULL)
		return;
	ctl_free(ctx->console->ctl);
	free(ctx->console);
	ctx->console = NULL;
}
