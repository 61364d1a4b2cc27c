/* SPDX-License-Identifier: MIT */
/*
 * reconcile.h: the host and the model made to agree, at start-up and when
 * a link of ours goes away behind Docker's back.  A repair looks first and
 * changes only what it made: it never deletes an interface that a container
 * may be using.
 */
#ifndef RP_RECONCILE_H
#define RP_RECONCILE_H

struct rp_ctx;

/*
 * At start-up, after the state loaded: endpoints whose host veth exists get
 * their MTU, proxy ARP/NDP and host routes back (never their link deleted,
 * whatever fails); endpoints whose veth is gone are forgotten (their
 * container died while the plugin was down); a veth pair of ours that no
 * endpoint owns and whose container side is still in this namespace (no
 * container took it) is deleted.  One whose container side is gone belongs
 * to a container the state does not know: it is left alone, with a warning.
 */
void reconcile_start(struct rp_ctx *ctx);

/*
 * A link of the host was deleted (name), or link notifications were lost
 * (NULL): endpoints whose host veth is gone are forgotten (see plumb_watch).
 */
void reconcile_link_gone(struct rp_ctx *ctx, const char *name);

#endif
