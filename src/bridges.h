/* SPDX-License-Identifier: MIT */
/*
 * bridges.h: announcing the host's other Docker networks (bridge networks
 * the operator labels routed.announce=aggregate), learned from the engine's
 * API (--docker-host): the event stream first, then one list of the
 * networks, then each create and destroy event.  Everything runs on the
 * event loop, never from inside a Docker request, and nothing waits for
 * the engine: when it is slow or down the drivers are served as ever, the
 * routes stay as they were, and the client reconnects with backoff and
 * lists the networks again.
 */
#ifndef RP_BRIDGES_H
#define RP_BRIDGES_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

struct rp_ctx;
struct bridges;

/* A network the engine told us of that is labelled for us. */
struct bridge_net {
	struct engine_net n;		/* id and name at least */
	char error[256];		/* why it announces nothing; "" if it does */
	struct ipprefix routes[2 * ENGINE_MAX_SUBNETS];	/* announced */
	size_t nroutes;
};

/* What the client is doing, for the status. */
struct bridges_state {
	const char *path;		/* the engine's socket */
	const char *state;		/* "connecting", "listing", "following
					 * events", "waiting to reconnect" */
	const char *error;		/* the last failure talking to the engine */
	unsigned long events;		/* network events read */
	unsigned long lists;		/* lists of the networks read */
};

/* The longest unix socket path of --docker-host. */
#define BRIDGES_PATH_MAX	107

/*
 * --docker-host URL: "unix:///path" (or a plain absolute path) into path.
 * 0, or -EINVAL.
 */
int bridges_parse_host(const char *url, char *path, size_t len);

/* Start following the engine at path (ctx->bridges); 0 or -errno. */
int bridges_start(struct rp_ctx *ctx, const char *path);
/* Stop; the routes stay in the table (and in zebra: graceful restart). */
void bridges_free(struct rp_ctx *ctx);

/*
 * Announce every labelled network's routes again (routedctl repair, after
 * withdraw-all), and list the networks again when the engine is followed.
 */
void bridges_repair(struct rp_ctx *ctx);

/* The client's state; false when there is no client. */
bool bridges_state(struct rp_ctx *ctx, struct bridges_state *st);
/* Walk the labelled networks: *pos starts at 0; NULL at the end. */
const struct bridge_net *bridges_next(struct rp_ctx *ctx, size_t *pos);

#endif
