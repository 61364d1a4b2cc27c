/* SPDX-License-Identifier: MIT */
/*
 * scrape.c: the whole exposition (metrics.h counters and the daemon
 * context's state, read when a scrape asks) and its HTTP listener.
 */
#define _GNU_SOURCE	/* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "announce.h"
#include "config.h"
#include "ctx.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "scrape.h"
#include "store.h"
#include "zclient.h"
#include "zmqpub.h"

#define SCRAPE_TIMEOUT_S 10

struct scrape {
	struct evhttp *http;
};

static void
render_model(FILE *f, struct rp_ctx *ctx)
{
	static const char *const states[] = {
		"pending", "installed", "failed", "rejected",
	};
	const struct endpoint *ep;
	const struct route *r;
	enum zroute_state st;
	size_t pos = 0, naddr = 0, njoined = 0, by[4] = { 0 }, i;

	while ((ep = model_ep_next(ctx->model, &pos)) != NULL) {
		naddr += ep->naddr;
		njoined += ep->joined;
	}
	metrics_gauge(f, "routed_plugin_networks", "Networks.",
	    (double)model_net_count(ctx->model));
	metrics_head(f, "routed_plugin_endpoints", "gauge",
	    "Endpoints, by whether a container joined them.");
	fprintf(f, "routed_plugin_endpoints{state=\"joined\"} %zu\n", njoined);
	fprintf(f, "routed_plugin_endpoints{state=\"created\"} %zu\n",
	    model_ep_count(ctx->model) - njoined);
	metrics_gauge(f, "routed_plugin_addresses", "Addresses held by endpoints.",
	    (double)naddr);
	metrics_head(f, "routed_plugin_routes", "gauge",
	    "Announced routes, by their state in zebra (\"announced\" without "
	    "a zebra session).");
	if (ctx->zclient == NULL) {
		fprintf(f, "routed_plugin_routes{state=\"announced\"} %zu\n",
		    announce_count(ctx));
		return;
	}
	pos = 0;
	while ((r = announce_next(ctx, &pos)) != NULL)
		if (zclient_route_state(ctx->zclient, &r->prefix, &st) == 0 &&
		    (size_t)st < 4)
			by[st]++;
	for (i = 0; i < 4; i++)
		fprintf(f, "routed_plugin_routes{state=\"%s\"} %zu\n", states[i],
		    by[i]);
}

char *
scrape_render(struct rp_ctx *ctx)
{
	struct metrics *m = ctx->metrics;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return NULL;
	metrics_head(f, "routed_plugin_build_info", "gauge",
	    "Always 1; the version is a label.");
	fprintf(f, "routed_plugin_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	if (m != NULL)
		metrics_write_api(f, m);
	render_model(f, ctx);
	if (ctx->zclient != NULL) {
		struct zclient_status zs;

		zclient_status(ctx->zclient, &zs);
		metrics_gauge(f, "routed_plugin_zebra_session_up",
		    "1 while the session with zebra is up.", zs.connected);
		metrics_counter(f, "routed_plugin_zebra_sessions_total",
		    "Sessions with zebra started (reconnects are this less "
		    "one).", (double)zs.sessions);
	}
	if (ctx->zmqpub != NULL) {
		metrics_gauge(f, "routed_plugin_stream_clients",
		    "routed-zebra-helpers subscribed to the route stream.",
		    (double)zmqpub_subscriber_count(ctx->zmqpub));
		metrics_counter(f, "routed_plugin_stream_snapshots_total",
		    "Snapshots sent to helpers, one per snapshot request "
		    "answered.", (double)zmqpub_snapshots_sent(ctx->zmqpub));
	}
	if (ctx->store != NULL) {
		metrics_gauge(f, "routed_plugin_journal_records",
		    "Records in the state journal since the last snapshot.",
		    (double)store_journal_count(ctx->store));
		metrics_counter(f, "routed_plugin_journal_compactions_total",
		    "Snapshots written (journal compactions).",
		    (double)store_compactions(ctx->store));
	}
	if (m != NULL)
		metrics_write_process(f, m);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void
serve_metrics(struct evhttp_request *req, void *arg)
{
	struct rp_ctx *ctx = arg;
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	char *text;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, NULL);
		return;
	}
	if ((text = scrape_render(ctx)) == NULL ||
	    evbuffer_add(out, text, strlen(text)) != 0) {
		free(text);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
serve_other(struct evhttp_request *req, void *arg)
{
	evhttp_send_error(req, 404, "only /metrics is served here");
}

int
scrape_parse_addr(const char *s, char *host, size_t hostlen,
    unsigned short *port)
{
	const char *colon, *h = s, *p;
	size_t hl;
	unsigned long v;
	char *end;

	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = (size_t)(p - h);
		colon = p + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -EINVAL;	/* a bare IPv6 address: use [] */
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (unsigned short)v;
	return 0;
}

int
scrape_listen(struct rp_ctx *ctx, const char *addr, struct scrape **out,
    char *err, size_t errlen)
{
	struct scrape *m;
	char host[64];
	unsigned short port;

	if (scrape_parse_addr(addr, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "%s: not HOST:PORT or [IPV6]:PORT", addr);
		return -EINVAL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->http = evhttp_new(ctx->base)) == NULL) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	evhttp_set_timeout(m->http, SCRAPE_TIMEOUT_S);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_cb(m->http, "/metrics", serve_metrics, ctx);
	evhttp_set_gencb(m->http, serve_other, NULL);
	if (evhttp_bind_socket_with_handle(m->http, host, port) == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr,
		    strerror(errno));
		evhttp_free(m->http);
		free(m);
		return -EADDRNOTAVAIL;
	}
	log_info("metrics on http://%s/metrics", addr);
	*out = m;
	return 0;
}

void
scrape_free(struct scrape *m)
{
	if (m == NULL)
		return;
	evhttp_free(m->http);
	free(m);
}
