/* SPDX-License-Identifier: MIT */
/*
 * sandbox.h: an endpoint's extra addresses inside its container.
 *
 * Docker gives a container's interface only the addresses of
 * Interface.Address and AddressIPv6, and only after Join has returned: it
 * moves the veth peer into the sandbox (which drops any address it had),
 * renames it and adds its address.  So after Join the plugin watches the
 * sandbox's network namespace, and once Docker's first address shows up on
 * an interface there, adds the endpoint's extra addresses to that interface
 * (a /32 or /128 each, like Docker's).  Docker 20.10 makes the namespace
 * only when the container starts, after Join: until then the plugin looks
 * for it every SANDBOX_POLL_MS.  Waiting never blocks the loop; it gives up
 * after SANDBOX_WAIT_S seconds with a warning.
 */
#ifndef RP_SANDBOX_H
#define RP_SANDBOX_H

struct rp_ctx;
struct endpoint;

#define SANDBOX_WAIT_S	60
#define SANDBOX_POLL_MS	20

/* 0, or -ENOMEM.  Needs ctx->base and ctx->plumb. */
int sandbox_init(struct rp_ctx *ctx);
void sandbox_free(struct rp_ctx *ctx);

/*
 * ep has joined the sandbox ep->sandbox: add its extra addresses there once
 * Docker has configured its interface.  Nothing to do for an endpoint
 * without extra addresses (or without sandbox_init()).  Failures are logged:
 * the endpoint stays, reachable at Docker's address.
 */
void sandbox_watch(struct rp_ctx *ctx, const struct endpoint *ep);
/* sandbox_watch() every joined endpoint: at start-up, a Join whose
 * addresses a crash or restart interrupted gets them (adding is
 * idempotent). */
void sandbox_watch_all(struct rp_ctx *ctx);
/* Stop waiting for endpoint id (deleted, or left). */
void sandbox_cancel(struct rp_ctx *ctx, const char *id);

#endif
