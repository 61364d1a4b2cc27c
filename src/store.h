/*
 * store.h: the daemon's state on disk.  One versioned JSON document in the
 * state directory, replaced atomically (write, fsync, rename, fsync the
 * directory) before any reply that depends on it.
 */
#ifndef RP_STORE_H
#define RP_STORE_H

#include <stddef.h>

struct rp_ctx;
struct store;

#define STORE_VERSION	1
#define STORE_FILE	"state.json"

/*
 * Open the state directory (created 0700 if missing) and take its lock so
 * that one daemon owns it.  0, or -errno with a message in err (-EBUSY when
 * another process holds the lock).
 */
int store_open(struct rp_ctx *ctx, char *err, size_t errlen);
void store_close(struct rp_ctx *ctx);

/*
 * Load the state into the modules.  0 (also when there is no state yet), or
 * -errno with a message in err: the file is unreadable, corrupt or of an
 * unknown version.  The file is left as it is.
 */
int store_load(struct rp_ctx *ctx, char *err, size_t errlen);

/* Write the whole state atomically.  0, or -errno (logged). */
int store_save(struct rp_ctx *ctx);

#endif
