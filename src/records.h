/* SPDX-License-Identifier: MIT */
/*
 * records.h: the model as records on disk, and back.  The one place that
 * knows the on-disk schema: record kinds, key formats and values, including
 * every format a released version wrote.
 *
 *   pool  key <pool prefix>            {"pool":P, "range":R?}
 *   addr  key "<pool prefix> <addr>"   true   (allocated)
 *   aux   key "<pool prefix> <addr>"   true   (auxiliary, also allocated)
 *   net   key <network id>             {"id", "mtu", "internal", "ipv6",
 *                                       "announce", "tag", "metric"?,
 *                                       "distance", "pool4"?, "agg4"?,
 *                                       "pool6"?, "agg6"?, "link"}
 *   ep    key <endpoint id>            {"id", "network", "addrs":[..],
 *                                       "host_if", "link", "joined",
 *                                       "sandbox"}
 *   doomed key <former host interface>  true   (its link is still to be
 *                                       deleted: see teardown.h)
 * Endpoints written before version 3 have "addr4" and "addr6" instead of
 * "addrs"; they are read as the same thing.
 */
#ifndef RP_RECORDS_H
#define RP_RECORDS_H

#include "model.h"
#include "store.h"

#define REC_POOL	"pool"
#define REC_ADDR	"addr"
#define REC_AUX		"aux"
#define REC_NET		"net"
#define REC_EP		"ep"
#define REC_DOOMED	"doomed"

/* The store schema of model m: load applies records to m, compaction walks m. */
void records_schema(struct model *m, struct store_schema *out);

/*
 * Queue the records of a change on st (store_put/store_del); the caller
 * commits.  A value that cannot be built makes that commit fail (-ENOMEM).
 */
void records_put_pool(struct store *st, const struct pool *p);
/* The pool's record, and those of all its addresses. */
void records_del_pool(struct store *st, const struct pool *p);
void records_put_addr(struct store *st, const struct pool *p,
    const struct ipaddr *a);
/* The address's record, and its auxiliary mark if it has one. */
void records_del_addr(struct store *st, const struct pool *p,
    const struct ipaddr *a);
void records_put_aux(struct store *st, const struct pool *p,
    const struct ipaddr *a);
void records_put_net(struct store *st, const struct network *n);
void records_del_net(struct store *st, const struct network *n);
void records_put_ep(struct store *st, const struct endpoint *ep);
void records_del_ep(struct store *st, const struct endpoint *ep);
/* A link to delete, by the host interface name its endpoint had. */
void records_put_doomed(struct store *st, const char *name);
void records_del_doomed(struct store *st, const char *name);

#endif
