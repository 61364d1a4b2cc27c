/*
 * store.h: the daemon's state on disk.
 *
 * The state is a set of records (kind, key) -> JSON value: a pool, an
 * allocated address, an auxiliary address, a network, an endpoint.  A change
 * appends one line per record to a journal and fsyncs it before the reply
 * that depends on it, so the cost of a write does not grow with the number
 * of endpoints.  Now and then the whole state is written as a new snapshot
 * (temporary file, fsync, rename, fsync the directory) and the journal is
 * started again.  Both files carry a version; a file of another version, or
 * one that does not parse, stops the daemon and is left for inspection.
 */
#ifndef RP_STORE_H
#define RP_STORE_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct rp_ctx;
struct store;

#define STORE_VERSION	2
#define STORE_FILE	"state.json"
#define STORE_JOURNAL	"journal"

/* Record kinds. */
#define REC_POOL	"pool"		/* key: pool id */
#define REC_ADDR	"addr"		/* key: "<pool id> <address>" */
#define REC_AUX		"aux"		/* key: "<pool id> <address>" */
#define REC_NET		"net"		/* key: network id */
#define REC_EP		"ep"		/* key: endpoint id */

/*
 * Open the state directory (created 0700 if missing) and take its lock so
 * that one daemon owns it.  0, or -errno with a message in err (-EBUSY when
 * another process holds the lock).
 */
int store_open(struct rp_ctx *ctx, char *err, size_t errlen);
void store_close(struct rp_ctx *ctx);

/*
 * Load the snapshot and replay the journal into the modules.  0 (also when
 * there is no state yet), or -errno with a message in err: a file is
 * unreadable, corrupt or of an unknown version.  The files are left as they
 * are.  A last journal line cut short by a crash is dropped (it was never
 * acknowledged).
 */
int store_load(struct rp_ctx *ctx, char *err, size_t errlen);

/*
 * Queue a change for the next store_commit(): put value (consumed, also on
 * failure) under (kind, key), or delete (kind, key).
 */
void store_put(struct rp_ctx *ctx, const char *kind, const char *key,
    cJSON *value);
void store_del(struct rp_ctx *ctx, const char *kind, const char *key);
/* Forget the queued changes (the handler failed before committing). */
void store_abort(struct rp_ctx *ctx);

/*
 * Append the queued changes to the journal and fsync it; compact when the
 * journal has grown past the state.  0, or -errno (logged): nothing of the
 * changes is on disk then, and the queue is empty.
 */
int store_commit(struct rp_ctx *ctx);

/*
 * The same without fdatasync: the lines reach the kernel before the reply,
 * so they survive a crash of the daemon, but not of the machine.  For
 * records that a machine crash makes moot anyway: whether an endpoint is
 * joined to a container, when every container dies with the machine.
 */
int store_commit_lazy(struct rp_ctx *ctx);

/* Write the whole state as a new snapshot and empty the journal.  0/-errno. */
int store_compact(struct rp_ctx *ctx);

#endif
