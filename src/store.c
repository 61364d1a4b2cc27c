/*
 * store.c: the state on disk: a snapshot and a journal of record changes.
 *
 *   state.json  {"version":2,"records":[{"kind":K,"key":Y,"value":V},...]}
 *   journal     {"version":2,"journal":true}
 *               [{"op":"put","kind":K,"key":Y,"value":V},{"op":"del",...}]
 *
 * A commit appends one line, all its changes, with one write() and
 * fdatasync()s the journal before the handler replies; a line cut short by
 * a crash is a commit that was never acknowledged, dropped whole.  When the
 * journal holds more records than the state itself (at least JOURNAL_MIN),
 * the state is written as a new snapshot and the journal emptied; a crash
 * between the two leaves a journal whose replay over the new snapshot
 * changes nothing, since the snapshot already holds the result of every
 * line.  lock (flock) keeps a second daemon away.
 *
 * The modules keep their own in-memory state and serialise it as nested JSON
 * (ipam_to_json, netdrv_to_json); this file turns that into records and back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "hmap.h"
#include "ipam.h"
#include "log.h"
#include "netdrv.h"
#include "store.h"

#define STATE_MAX	(256 * 1024 * 1024)
#define JOURNAL_MIN	4096		/* records before a compaction is due */
#define JOURNAL_HEADER	"{\"version\":2,\"journal\":true}\n"

struct store {
	int dirfd;
	int lockfd;
	int jfd;			/* journal, O_APPEND; -1 until loaded */
	cJSON *queue;			/* records of the next commit */
	bool queue_failed;		/* a record could not be queued */
	size_t jcount;			/* records in the journal */
	size_t live;			/* records in the last snapshot */
	off_t torn;			/* load: where an unfinished line starts */
};

/* A record during load: map key "kind\tkey". */
struct rec {
	char *mkey;
	cJSON *value;
};

int
store_open(struct rp_ctx *ctx, char *err, size_t errlen)
{
	const char *dir = ctx->cfg.state_dir;
	struct store *st;
	int r;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot create state directory %s: %s",
		    dir, strerror(errno));
		return r;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->queue = cJSON_CreateArray()) == NULL) {
		free(st);
		return -ENOMEM;
	}
	st->lockfd = st->jfd = -1;
	if ((st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open state directory %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	/* The state is the daemon's own: nobody else reads it. */
	if (fchmod(st->dirfd, 0700) != 0)
		log_warn("cannot set %s to mode 0700", dir);
	if ((st->lockfd = openat(st->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0600)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s/lock: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		snprintf(err, errlen, "state directory %s is in use by another "
		    "routed-plugin", dir);
		goto fail;
	}
	ctx->store = st;
	return 0;
fail:
	if (st->lockfd >= 0)
		close(st->lockfd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	cJSON_Delete(st->queue);
	free(st);
	return r;
}

void
store_close(struct rp_ctx *ctx)
{
	struct store *st = ctx->store;

	if (st == NULL)
		return;
	if (st->jfd >= 0)
		close(st->jfd);
	close(st->lockfd);
	close(st->dirfd);
	cJSON_Delete(st->queue);
	free(st);
	ctx->store = NULL;
}

/* The whole file in a NUL-terminated malloc'd buffer; NULL with errno. */
static char *
read_file(int dirfd, const char *name, size_t *len)
{
	struct stat sb;
	char *buf;
	size_t off = 0;
	ssize_t n;
	int fd, e;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &sb) != 0 || sb.st_size > STATE_MAX) {
		e = sb.st_size > STATE_MAX ? EFBIG : errno;
		close(fd);
		errno = e;
		return NULL;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (off < (size_t)sb.st_size) {
		n = read(fd, buf + off, (size_t)sb.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replace name with text atomically: tmp, fsync, rename, fsync dir. */
static int
replace_file(struct store *st, const char *name, const char *text)
{
	char tmp[64];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if ((fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0)
		return -errno;
	if ((r = write_all(fd, text, strlen(text))) == 0 && fsync(fd) != 0)
		r = -errno;
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(st->dirfd, tmp, st->dirfd, name) != 0)
		r = -errno;
	if (r == 0 && fsync(st->dirfd) != 0)
		r = -errno;
	if (r != 0)
		unlinkat(st->dirfd, tmp, 0);
	return r;
}

/* Records of the modules' nested JSON: fn(kind, key, value) for each. */
static int
nested_to_records(const cJSON *nested,
    int (*fn)(void *, const char *, const char *, cJSON *), void *arg)
{
	const cJSON *pools, *p, *a, *nd, *o;
	char key[256];
	cJSON *v;
	int r;

	pools = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(nested, "ipam"), "pools");
	cJSON_ArrayForEach(p, pools) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "pool");
		if (!cJSON_IsString(id))
			return -EINVAL;
		if ((v = cJSON_Duplicate(p, true)) == NULL)
			return -ENOMEM;
		cJSON_DeleteItemFromObjectCaseSensitive(v, "allocated");
		cJSON_DeleteItemFromObjectCaseSensitive(v, "aux");
		if ((r = fn(arg, REC_POOL, id->valuestring, v)) != 0)
			return r;
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p,
		    "allocated")) {
			if (!cJSON_IsString(a))
				return -EINVAL;
			snprintf(key, sizeof(key), "%s %s", id->valuestring,
			    a->valuestring);
			if ((r = fn(arg, REC_ADDR, key, cJSON_CreateTrue())) != 0)
				return r;
		}
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p, "aux")) {
			if (!cJSON_IsString(a))
				return -EINVAL;
			snprintf(key, sizeof(key), "%s %s", id->valuestring,
			    a->valuestring);
			if ((r = fn(arg, REC_AUX, key, cJSON_CreateTrue())) != 0)
				return r;
		}
	}
	nd = cJSON_GetObjectItemCaseSensitive(nested, "netdrv");
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(nd, "networks")) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (!cJSON_IsString(id))
			return -EINVAL;
		if ((r = fn(arg, REC_NET, id->valuestring,
		    cJSON_Duplicate(o, true))) != 0)
			return r;
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(nd, "endpoints")) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (!cJSON_IsString(id))
			return -EINVAL;
		if ((r = fn(arg, REC_EP, id->valuestring,
		    cJSON_Duplicate(o, true))) != 0)
			return r;
	}
	return 0;
}

/* The record map of a load. */
struct recmap {
	struct hmap *m;
	size_t count;
};

static void
recmap_clear(struct recmap *rm)
{
	struct rec *rc;
	size_t pos = 0;

	while ((rc = hmap_next(rm->m, &pos, NULL)) != NULL) {
		hmap_del(rm->m, rc->mkey);
		cJSON_Delete(rc->value);
		free(rc->mkey);
		free(rc);
	}
	hmap_free(rm->m);
}

/* Put (value != NULL, consumed) or delete a record of the map. */
static int
recmap_apply(void *arg, const char *kind, const char *key, cJSON *value)
{
	struct recmap *rm = arg;
	struct rec *rc;
	char *mkey;
	size_t n = strlen(kind) + strlen(key) + 2;

	if ((mkey = malloc(n)) == NULL) {
		cJSON_Delete(value);
		return -ENOMEM;
	}
	snprintf(mkey, n, "%s\t%s", kind, key);
	if ((rc = hmap_find(rm->m, mkey)) != NULL) {
		free(mkey);
		cJSON_Delete(rc->value);
		if (value != NULL) {
			rc->value = value;
			return 0;
		}
		hmap_del(rm->m, rc->mkey);
		free(rc->mkey);
		free(rc);
		rm->count--;
		return 0;
	}
	if (value == NULL) {
		free(mkey);
		return 0;
	}
	if ((rc = calloc(1, sizeof(*rc))) == NULL ||
	    hmap_add(rm->m, mkey, rc) != 0) {
		free(rc);
		free(mkey);
		cJSON_Delete(value);
		return -ENOMEM;
	}
	rc->mkey = mkey;
	rc->value = value;
	rm->count++;
	return 0;
}

/* The pool object of pool id in nested, created on demand. */
static cJSON *
nested_pool(cJSON *pools, const char *id)
{
	cJSON *p;

	cJSON_ArrayForEach(p, pools) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "pool");
		if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
			return p;
	}
	return NULL;
}

/*
 * The modules' nested JSON from the records.  Addresses come after their
 * pools (two passes); a record of an unknown kind, or an address of a pool
 * that has no record, makes the state corrupt.
 */
static cJSON *
records_to_nested(struct recmap *rm, char *err, size_t errlen)
{
	cJSON *nested, *ipam, *pools, *nd, *nets, *eps, *p, *arr;
	struct rec *rc;
	size_t pos, pass;

	nested = cJSON_CreateObject();
	ipam = cJSON_AddObjectToObject(nested, "ipam");
	pools = cJSON_AddArrayToObject(ipam, "pools");
	nd = cJSON_AddObjectToObject(nested, "netdrv");
	nets = cJSON_AddArrayToObject(nd, "networks");
	eps = cJSON_AddArrayToObject(nd, "endpoints");
	if (eps == NULL)
		goto nomem;
	for (pass = 0; pass < 2; pass++) {
		pos = 0;
		while ((rc = hmap_next(rm->m, &pos, NULL)) != NULL) {
			const char *kind = rc->mkey, *key = strchr(rc->mkey, '\t') + 1;
			size_t klen = (size_t)(key - 1 - kind);
			char pool[128];
			const char *sp;

#define IS(k) (klen == strlen(k) && strncmp(kind, k, klen) == 0)
			if (pass == 0) {
				if (IS(REC_POOL))
					cJSON_AddItemToArray(pools,
					    cJSON_Duplicate(rc->value, true));
				else if (IS(REC_NET))
					cJSON_AddItemToArray(nets,
					    cJSON_Duplicate(rc->value, true));
				else if (IS(REC_EP))
					cJSON_AddItemToArray(eps,
					    cJSON_Duplicate(rc->value, true));
				else if (!IS(REC_ADDR) && !IS(REC_AUX)) {
					snprintf(err, errlen, "record of unknown "
					    "kind '%.*s'", (int)klen, kind);
					goto fail;
				}
				continue;
			}
			if (!IS(REC_ADDR) && !IS(REC_AUX))
				continue;
			if ((sp = strchr(key, ' ')) == NULL ||
			    (size_t)(sp - key) >= sizeof(pool)) {
				snprintf(err, errlen, "bad address record key");
				goto fail;
			}
			memcpy(pool, key, (size_t)(sp - key));
			pool[sp - key] = '\0';
			if ((p = nested_pool(pools, pool)) == NULL) {
				snprintf(err, errlen, "address %s of a pool that "
				    "is not there", key);
				goto fail;
			}
			arr = cJSON_GetObjectItemCaseSensitive(p,
			    IS(REC_ADDR) ? "allocated" : "aux");
			if (arr == NULL)
				arr = cJSON_AddArrayToObject(p,
				    IS(REC_ADDR) ? "allocated" : "aux");
			cJSON_AddItemToArray(arr, cJSON_CreateString(sp + 1));
#undef IS
		}
	}
	return nested;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	cJSON_Delete(nested);
	return NULL;
}

/* One journal line: {"op":"put"|"del","kind","key","value"?}. */
static int
journal_apply(struct recmap *rm, const cJSON *line)
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(line, "op");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(line, "kind");
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(line, "key");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(line, "value");

	if (!cJSON_IsString(op) || !cJSON_IsString(kind) || !cJSON_IsString(key))
		return -EINVAL;
	if (strcmp(op->valuestring, "put") == 0 && value != NULL)
		return recmap_apply(rm, kind->valuestring, key->valuestring,
		    cJSON_Duplicate(value, true));
	if (strcmp(op->valuestring, "del") == 0)
		return recmap_apply(rm, kind->valuestring, key->valuestring, NULL);
	return -EINVAL;
}

static int
load_snapshot(struct store *st, struct recmap *rm, const char *dir, char *err,
    size_t errlen)
{
	const cJSON *ver, *recs, *o;
	cJSON *j;
	char *buf;
	size_t len = 0;
	int r = -EINVAL;

	if ((buf = read_file(st->dirfd, STORE_FILE, &len)) == NULL) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "cannot read %s/%s: %s", dir, STORE_FILE,
		    strerror(errno));
		return r;
	}
	if ((j = cJSON_ParseWithOpts(buf, NULL, 1)) == NULL || !cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s/%s is corrupt (not a JSON object)", dir,
		    STORE_FILE);
		goto out;
	}
	ver = cJSON_GetObjectItemCaseSensitive(j, "version");
	if (cJSON_IsNumber(ver) && ver->valueint == 1) {
		/* version 1: the modules' nested JSON as a whole */
		if ((r = nested_to_records(j, recmap_apply, rm)) != 0)
			snprintf(err, errlen, "%s/%s (version 1) is corrupt", dir,
			    STORE_FILE);
		goto out;
	}
	if (!cJSON_IsNumber(ver) || ver->valueint != STORE_VERSION) {
		snprintf(err, errlen, "%s/%s has state version %s; this "
		    "routed-plugin reads versions 1 and %d", dir, STORE_FILE,
		    cJSON_IsNumber(ver) ? "unknown to it" : "missing",
		    STORE_VERSION);
		goto out;
	}
	recs = cJSON_GetObjectItemCaseSensitive(j, "records");
	if (!cJSON_IsArray(recs)) {
		snprintf(err, errlen, "%s/%s is corrupt (no records)", dir,
		    STORE_FILE);
		goto out;
	}
	cJSON_ArrayForEach(o, recs) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(o, "key");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(o, "value");
		if (!cJSON_IsString(kind) || !cJSON_IsString(key) || value == NULL) {
			snprintf(err, errlen, "%s/%s is corrupt (a bad record)",
			    dir, STORE_FILE);
			goto out;
		}
		if ((r = recmap_apply(rm, kind->valuestring, key->valuestring,
		    cJSON_Duplicate(value, true))) != 0)
			goto out;
	}
	st->live = rm->count;
	r = 0;
out:
	cJSON_Delete(j);
	free(buf);
	return r;
}

static int
load_journal(struct store *st, struct recmap *rm, const char *dir, char *err,
    size_t errlen)
{
	char *buf, *line, *nl;
	size_t len = 0, lineno = 0;
	cJSON *j;
	int r;

	if ((buf = read_file(st->dirfd, STORE_JOURNAL, &len)) == NULL) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "cannot read %s/%s: %s", dir, STORE_JOURNAL,
		    strerror(errno));
		return r;
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL) {
			/* Cut short by a crash: never acknowledged. */
			st->torn = (off_t)(line - buf);
			break;
		}
		*nl = '\0';
		j = cJSON_Parse(line);
		if (lineno == 1) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
			r = cJSON_IsNumber(v) && v->valueint == STORE_VERSION ? 0 :
			    -EINVAL;
			if (r != 0)
				snprintf(err, errlen, "%s/%s is not a version %d "
				    "journal", dir, STORE_JOURNAL, STORE_VERSION);
		} else if (!cJSON_IsArray(j)) {
			r = -EINVAL;
		} else {
			const cJSON *op;

			cJSON_ArrayForEach(op, j) {
				if ((r = journal_apply(rm, op)) != 0)
					break;
				st->jcount++;
			}
		}
		if (r != 0 && lineno > 1) {
			snprintf(err, errlen, "%s/%s is corrupt at line %zu", dir,
			    STORE_JOURNAL, lineno);
			r = -EINVAL;
		}
		cJSON_Delete(j);
		if (r != 0) {
			free(buf);
			return r;
		}
	}
	free(buf);
	return 0;
}

int
store_load(struct rp_ctx *ctx, char *err, size_t errlen)
{
	struct store *st = ctx->store;
	const char *dir = ctx->cfg.state_dir;
	struct recmap rm = { NULL, 0 };
	cJSON *nested = NULL;
	char sub[256] = "";
	struct stat sb;
	int r;

	if ((rm.m = hmap_new()) == NULL)
		return -ENOMEM;
	if ((st->jfd = openat(st->dirfd, STORE_JOURNAL, O_RDWR | O_APPEND |
	    O_CREAT | O_CLOEXEC, 0600)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s/%s: %s", dir, STORE_JOURNAL,
		    strerror(errno));
		goto out;
	}
	if ((r = load_snapshot(st, &rm, dir, err, errlen)) != 0 ||
	    (r = load_journal(st, &rm, dir, err, errlen)) != 0)
		goto corrupt;
	if ((nested = records_to_nested(&rm, sub, sizeof(sub))) == NULL ||
	    (r = ipam_from_json(ctx, cJSON_GetObjectItemCaseSensitive(nested,
	    "ipam"), sub, sizeof(sub))) != 0 ||
	    (r = netdrv_from_json(ctx, cJSON_GetObjectItemCaseSensitive(nested,
	    "netdrv"), sub, sizeof(sub))) != 0) {
		snprintf(err, errlen, "the state in %s is corrupt: %s", dir, sub);
		r = -EINVAL;
		goto corrupt;
	}
	/* Only now that the state loaded: drop an unfinished last commit. */
	if (st->torn > 0) {
		log_warnx("%s/%s: dropping an unfinished last commit (a crash "
		    "while writing)", dir, STORE_JOURNAL);
		if (ftruncate(st->jfd, st->torn) != 0) {
			r = -errno;
			snprintf(err, errlen, "cannot truncate %s/%s: %s", dir,
			    STORE_JOURNAL, strerror(errno));
			goto out;
		}
	}
	/* A new or emptied journal starts with its header. */
	if (fstat(st->jfd, &sb) == 0 && sb.st_size == 0 &&
	    ((r = write_all(st->jfd, JOURNAL_HEADER, strlen(JOURNAL_HEADER))) != 0 ||
	    (fdatasync(st->jfd) != 0 && (r = -errno) != 0))) {
		snprintf(err, errlen, "cannot write %s/%s: %s", dir, STORE_JOURNAL,
		    strerror(-r));
		goto out;
	}
	log_info("state loaded from %s: %zu records (%zu from the journal)",
	    dir, rm.count, st->jcount);
	r = 0;
	goto out;
corrupt:
	if (strstr(err, "left in place") == NULL) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, "; the files were left in place for "
		    "inspection");
	}
out:
	cJSON_Delete(nested);
	recmap_clear(&rm);
	return r;
}

static void
queue(struct store *st, const char *op, const char *kind, const char *key,
    cJSON *value)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "op", op) ||
	    !cJSON_AddStringToObject(o, "kind", kind) ||
	    !cJSON_AddStringToObject(o, "key", key)) {
		cJSON_Delete(o);
		cJSON_Delete(value);
		st->queue_failed = true;
		return;
	}
	if (value != NULL)
		cJSON_AddItemToObject(o, "value", value);
	cJSON_AddItemToArray(st->queue, o);
}

void
store_put(struct rp_ctx *ctx, const char *kind, const char *key, cJSON *value)
{
	if (value == NULL) {
		ctx->store->queue_failed = true;
		return;
	}
	queue(ctx->store, "put", kind, key, value);
}

void
store_del(struct rp_ctx *ctx, const char *kind, const char *key)
{
	queue(ctx->store, "del", kind, key, NULL);
}

void
store_abort(struct rp_ctx *ctx)
{
	struct store *st = ctx->store;

	cJSON_Delete(st->queue);
	st->queue = cJSON_CreateArray();
	st->queue_failed = false;
}

static int commit(struct rp_ctx *ctx, bool sync);

int
store_commit(struct rp_ctx *ctx)
{
	return commit(ctx, true);
}

int
store_commit_lazy(struct rp_ctx *ctx)
{
	return commit(ctx, false);
}

static int
commit(struct rp_ctx *ctx, bool sync)
{
	struct store *st = ctx->store;
	char *text = NULL, *all = NULL;
	size_t len = 0, n = 0;
	struct stat sb;
	int r = 0;

	if (st == NULL || st->jfd < 0 || st->queue == NULL) {
		store_abort(ctx);
		return -EBADF;
	}
	if (st->queue_failed) {
		store_abort(ctx);
		return -ENOMEM;
	}
	n = (size_t)cJSON_GetArraySize(st->queue);
	if (n > 0) {
		if ((text = cJSON_PrintUnformatted(st->queue)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		len = strlen(text);
		if ((all = malloc(len + 1)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(all, text, len);
		all[len++] = '\n';
	}
	if (n == 0)
		goto out;
	if (fstat(st->jfd, &sb) != 0) {
		r = -errno;
		goto out;
	}
	if ((r = write_all(st->jfd, all, len)) != 0 ||
	    (sync && fdatasync(st->jfd) != 0 && (r = -errno) != 0)) {
		log_warnx("cannot write %s/%s: %s", ctx->cfg.state_dir,
		    STORE_JOURNAL, strerror(-r));
		/* Leave no partial line behind for the next append. */
		if (ftruncate(st->jfd, sb.st_size) != 0)
			log_warn("cannot truncate %s/%s", ctx->cfg.state_dir,
			    STORE_JOURNAL);
		goto out;
	}
	st->jcount += n;
	if (st->jcount >= JOURNAL_MIN && st->jcount >= st->live &&
	    store_compact(ctx) != 0)
		log_warnx("compaction of %s failed; the journal keeps growing",
		    ctx->cfg.state_dir);
out:
	free(text);
	free(all);
	store_abort(ctx);
	return r;
}

static int
snapshot_add(void *arg, const char *kind, const char *key, cJSON *value)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || value == NULL || !cJSON_AddStringToObject(o, "kind", kind) ||
	    !cJSON_AddStringToObject(o, "key", key)) {
		cJSON_Delete(o);
		cJSON_Delete(value);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(o, "value", value);
	cJSON_AddItemToArray(arg, o);
	return 0;
}

int
store_compact(struct rp_ctx *ctx)
{
	struct store *st = ctx->store;
	cJSON *nested = NULL, *snap = NULL, *recs;
	char *text = NULL;
	int fd, r = -ENOMEM;

	if ((nested = cJSON_CreateObject()) == NULL)
		goto out;
	cJSON_AddItemToObject(nested, "ipam", ipam_to_json(ctx));
	cJSON_AddItemToObject(nested, "netdrv", netdrv_to_json(ctx));
	if ((snap = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(snap, "version", STORE_VERSION) ||
	    (recs = cJSON_AddArrayToObject(snap, "records")) == NULL ||
	    (r = nested_to_records(nested, snapshot_add, recs)) != 0 ||
	    (text = cJSON_PrintUnformatted(snap)) == NULL) {
		r = r ? r : -ENOMEM;
		goto out;
	}
	if ((r = replace_file(st, STORE_FILE, text)) != 0 ||
	    (r = replace_file(st, STORE_JOURNAL, JOURNAL_HEADER)) != 0) {
		log_warnx("cannot write a snapshot in %s: %s", ctx->cfg.state_dir,
		    strerror(-r));
		goto out;
	}
	if ((fd = openat(st->dirfd, STORE_JOURNAL, O_RDWR | O_APPEND | O_CLOEXEC)) <
	    0) {
		r = -errno;
		goto out;
	}
	if (st->jfd >= 0)
		close(st->jfd);
	st->jfd = fd;
	st->live = (size_t)cJSON_GetArraySize(recs);
	st->jcount = 0;
	log_debug("state compacted: %zu records", st->live);
out:
	free(text);
	cJSON_Delete(snap);
	cJSON_Delete(nested);
	return r;
}
