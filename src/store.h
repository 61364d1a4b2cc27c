/* SPDX-License-Identifier: MIT */
/*
 * store.h: state on disk, as a set of records (kind, key) -> JSON value.
 *
 * The store knows nothing of what the records mean: a schema (records.c)
 * tells it the kinds, in the order a load must apply them, applies each
 * record it loads, and walks the state when a snapshot is due.
 *
 * A change appends one line per commit to a journal, and fsyncs it (unless
 * the commit is lazy) before the reply that depends on it, so the cost of a
 * write does not grow with the state.  Now and then the whole state is written as a new snapshot
 * (temporary file, fsync, rename, fsync the directory) and the journal is
 * started again.  Snapshot and journal carry a version, a generation that
 * ties the journal to its snapshot, and a CRC-32 per journal line and per
 * snapshot.  A load is all or nothing: anything it cannot read completely is
 * refused, with the file, the line or record, and what to do; the files are
 * left as they are.  The one exception is a last journal line that a crash
 * cut short (or left as zeros): it was never acknowledged, and is dropped
 * with a warning.  See tests/FAILURE-MODES.md.
 */
#ifndef RP_STORE_H
#define RP_STORE_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct store;

#define STORE_VERSION	3
#define STORE_FILE	"state.json"
#define STORE_JOURNAL	"journal"

/* Receives one record; consumes value (also on failure).  0 or -errno. */
typedef int (*store_emit_fn)(void *earg, const char *kind, const char *key,
    cJSON *value);

struct store_schema {
	const char *const *kinds;	/* every kind, in load order */
	size_t nkinds;
	/* Apply one loaded record: 0, or -errno with a message in err. */
	int (*apply)(void *arg, const char *kind, const char *key,
	    const cJSON *value, char *err, size_t errlen);
	/*
	 * Emit every record of the state.  0, or -errno: the snapshot is not
	 * written then, and the old snapshot and journal stay.
	 */
	int (*walk)(void *arg, store_emit_fn emit, void *earg);
	/* The records of a whole snapshot of an older version (version 1). */
	int (*upgrade)(const cJSON *snapshot, store_emit_fn emit, void *earg);
	void *arg;
};

/*
 * Open the state directory (created 0700 if missing) and take its lock so
 * that one daemon owns it.  0, or -errno with a message in err (-EBUSY when
 * another process holds the lock).  The schema is copied.
 */
int store_open(struct store **out, const char *dir,
    const struct store_schema *schema, char *err, size_t errlen);
void store_close(struct store *st);

/*
 * Load the snapshot and replay the journal through schema->apply.  0 (also
 * when there is no state yet), or -errno with a message in err; then some
 * records may have been applied, and the caller must not use the result.
 * State written by an older version is rewritten in this version's format.
 */
int store_load(struct store *st, char *err, size_t errlen);

/*
 * Queue a change for the next commit: put value (consumed, also on failure)
 * under (kind, key), or delete (kind, key).  A value of NULL (a failed
 * allocation) makes the next commit fail with -ENOMEM.
 */
void store_put(struct store *st, const char *kind, const char *key,
    cJSON *value);
void store_del(struct store *st, const char *kind, const char *key);
/* Forget the queued changes (the handler failed before committing). */
void store_abort(struct store *st);

/*
 * Append the queued changes to the journal as one line and fdatasync it;
 * compact when the journal has grown past the state.  0, or -errno
 * (logged): nothing of the changes is on disk then.  The queue is empty
 * after the call either way.
 */
int store_commit(struct store *st);

/*
 * The same without fdatasync: the line reaches the kernel before the reply,
 * so it survives a crash of the daemon, but not of the machine.  For records
 * that a machine crash makes moot anyway: an endpoint and whether it is
 * joined, when every veth and container dies with the machine.  The next
 * store_commit() (an fdatasync of the whole journal) puts it on disk too.
 */
int store_commit_lazy(struct store *st);

/* Write the whole state as a new snapshot and empty the journal.  0/-errno. */
int store_compact(struct store *st);

/* Records in the journal, and in the last snapshot (for status and tests). */
size_t store_journal_count(const struct store *st);
/* Snapshots written since store_open() (compactions), for metrics. */
size_t store_compactions(const struct store *st);

/*
 * Fault injection for tests: fn(arg) runs before every write of a commit or
 * a compaction; a non-zero return (-errno) fails that write as the disk
 * would.
 */
void store_set_fault(struct store *st, int (*fn)(void *arg), void *arg);

/* CRC-32 (IEEE 802.3) of len bytes: the checksum of lines and snapshots. */
unsigned long store_crc32(const void *p, size_t len);

#endif
