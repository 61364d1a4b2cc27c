/* SPDX-License-Identifier: MIT */
/*
 * teardown.h: deleted endpoints' links, deleted later and together.
 *
 * Deleting a veth costs the kernel an RCU grace period (about 20 ms), and
 * deleting many in one request costs one for all of them.  So DeleteEndpoint
 * does not wait for it: once the deletion is committed (with a "doomed"
 * record naming the link) and the routes are withdrawn, the host side is
 * put in link group TEARDOWN_GROUP and the reply goes out.  At most
 * --teardown-delay (20 ms) later, or sooner once TEARDOWN_BATCH wait, one
 * RTM_DELLINK deletes the whole group, on a thread of its own (the one
 * request blocks for the grace period; the event loop must not), and the
 * records go.  A crash in between loses nothing: the next start deletes the
 * group and every doomed link no endpoint owns (teardown_start).
 *
 * A doomed link keeps its names until it goes; a new endpoint that needs
 * them (the same endpoint ID again, or for an ipvlan network's host link,
 * any endpoint of that network) calls teardown_claim() first, which
 * renames the doomed pair out of the way.  Addresses are free at once: the
 * host routes go before the reply.  Only links in the group are ever
 * deleted by the batch, and no live endpoint's link is ever in it.
 *
 * An ipvlan endpoint's slave, and its network's host link with the last
 * endpoint, wait in the group too, without a doomed record: an ipvlan link
 * of ours in the host's namespace that no endpoint owns is no container's,
 * and the next start deletes it (reconcile.c).
 */
#ifndef RP_TEARDOWN_H
#define RP_TEARDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define TEARDOWN_GROUP		0x72706467u	/* "rpdg"; link group ids are u32 */
#define TEARDOWN_BATCH		256

struct rp_ctx;
struct teardown;

/*
 * ctx->teardown for ctx->base.  Without a base (tests) nothing is deleted
 * until teardown_flush().  The thread starts with the first batch, so it
 * runs with the capabilities the daemon keeps.  0 or -errno.
 */
int teardown_open(struct rp_ctx *ctx);
/* Wait for a batch under way, delete what is left, free ctx->teardown. */
void teardown_close(struct rp_ctx *ctx);

/*
 * Before the commit that deletes ep: its doomed record, in that commit.
 * Then, once committed, teardown_add(): ep's host routes go and its link
 * waits in the group (or, when it cannot be put there, is deleted now).
 * Without ctx->teardown, the record is not written and the link is deleted
 * at once.
 */
void teardown_record(struct rp_ctx *ctx, const struct endpoint *ep);
void teardown_add(struct rp_ctx *ctx, const struct endpoint *ep);

/*
 * Before making the link of a new endpoint ep: if a doomed link still has
 * its names, rename it out of the way.  0, or -errno with a message in err
 * (a doomed pair that keeps the names; the caller fails).
 */
int teardown_claim(struct rp_ctx *ctx, const struct endpoint *ep, char *err,
    size_t errlen);

/* Is the link name waiting in the group (queued, or being deleted)? */
bool teardown_has(const struct rp_ctx *ctx, const char *name);

/* Delete the waiting links now, on this thread (tests, shutdown). */
void teardown_flush(struct rp_ctx *ctx);
/* Links waiting (queued or being deleted). */
size_t teardown_pending(const struct rp_ctx *ctx);

/*
 * At start-up, after the state loaded and before any request: delete the
 * group and every doomed link that no endpoint owns, then drop the records.
 */
void teardown_start(struct rp_ctx *ctx);

#endif
