/* SPDX-License-Identifier: MIT */
/*
 * store.c: the state on disk: a snapshot and a journal of record changes.
 *
 *   state.json  {"version":3,"generation":G,"records":[{"kind":K,"key":Y,
 *               "value":V},...]}\n  crc32 XXXXXXXX\n
 *   journal     {"version":3,"journal":true,"generation":G}\n
 *               [{"op":"put","kind":K,"key":Y,"value":V},{"op":"del",...}]
 *               XXXXXXXX\n   (one line per commit, its CRC-32 last)
 *
 * A commit appends one line with one write() and fdatasync()s the journal
 * before the handler replies.  When the journal holds more records than the
 * state itself (at least JOURNAL_MIN), the state is written as a snapshot of
 * generation G+1, then the journal is started again with G+1.  A crash
 * between the two leaves a journal of generation G, all of whose lines the
 * snapshot holds: the load skips it.  Any other generation is refused.
 *
 * Versions 1 (the modules' nested JSON in one file) and 2 (records, no
 * generation or checksums) are read, and rewritten as version 3 at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmap.h"
#include "log.h"
#include "store.h"

#define STATE_MAX	(256 * 1024 * 1024)
#define JOURNAL_MIN	4096		/* records before a compaction is due */
#define DIR_MAX		4096

struct store {
	struct store_schema schema_copy;
	const struct store_schema *schema;
	char dir[DIR_MAX];
	int dirfd;
	int lockfd;
	int jfd;			/* journal, O_APPEND; -1 until loaded */
	cJSON *queue;			/* records of the next commit */
	bool queue_failed;		/* a record could not be queued */
	bool stale_journal;		/* a snapshot is newer than the journal */
	size_t jcount;			/* records in the journal */
	size_t live;			/* records in the last snapshot */
	size_t compactions;		/* snapshots written, for metrics */
	uint64_t gen;			/* generation of snapshot and journal */
	int (*fault)(void *);
	void *fault_arg;
};

/* A record during load: map key "kind\tkey". */
struct rec {
	char *mkey;
	cJSON *value;
};

/* The record map of a load. */
struct recmap {
	struct hmap *m;
	size_t count;
};

/* Feed len bytes to a CRC-32 in progress (start from 0xffffffff). */
static uint32_t
crc32_update(uint32_t c, const void *p, size_t len)
{
	static const uint32_t t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < len; i++) {
		c ^= s[i];
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return c;
}

unsigned long
store_crc32(const void *p, size_t len)
{
	return ~crc32_update(0xffffffffu, p, len) & 0xffffffffu;
}

int
store_open(struct store **out, const char *dir,
    const struct store_schema *schema, char *err, size_t errlen)
{
	struct store *st;
	int r;

	if (strlen(dir) >= DIR_MAX) {
		snprintf(err, errlen, "state directory path is too long");
		return -ENAMETOOLONG;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot create state directory %s: %s",
		    dir, strerror(errno));
		return r;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->queue = cJSON_CreateArray()) == NULL) {
		free(st);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->schema_copy = *schema;
	st->schema = &st->schema_copy;
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
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
	*out = st;
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
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->jfd >= 0)
		close(st->jfd);
	close(st->lockfd);
	close(st->dirfd);
	cJSON_Delete(st->queue);
	free(st);
}

void
store_set_fault(struct store *st, int (*fn)(void *), void *arg)
{
	st->fault = fn;
	st->fault_arg = arg;
}

size_t
store_compactions(const struct store *st)
{
	return st->compactions;
}

size_t
store_journal_count(const struct store *st)
{
	return st->jcount;
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
		if (n < 0) {
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
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

static int
fault(struct store *st)
{
	return st->fault != NULL ? st->fault(st->fault_arg) : 0;
}

/*
 * Finish replacing name with the temporary file tmp, open as fd, whose
 * writing ended with r: fsync, close, rename, fsync the directory; on any
 * failure the temporary file goes and name is left as it was.
 */
static int
replace_end(struct store *st, int fd, const char *tmp, const char *name, int r)
{
	if (r == 0 && fsync(fd) != 0)
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

/* Replace name with len bytes of text atomically: tmp, fsync, rename, fsync dir. */
static int
replace_file(struct store *st, const char *name, const char *text, size_t len)
{
	char tmp[64];
	int fd, r;

	if ((r = fault(st)) != 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if ((fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0)
		return -errno;
	return replace_end(st, fd, tmp, name, write_all(fd, text, len));
}

static void
journal_header(uint64_t gen, char *out, size_t len)
{
	snprintf(out, len, "{\"version\":%d,\"journal\":true,\"generation\":%"
	    PRIu64 "}\n", STORE_VERSION, gen);
}

/* ---------------------------------------------------------------- load */

static void
recmap_clear(struct recmap *rm)
{
	struct rec *rc;
	size_t pos = 0;

	if (rm->m == NULL)
		return;
	while ((rc = hmap_next(rm->m, &pos, NULL)) != NULL) {
		hmap_del(rm->m, rc->mkey);
		cJSON_Delete(rc->value);
		free(rc->mkey);
		free(rc);
	}
	hmap_free(rm->m);
	rm->m = NULL;
}

/* Put (value != NULL, consumed) or delete a record of the map. */
static int
recmap_apply(void *arg, const char *kind, const char *key, cJSON *value)
{
	struct recmap *rm = arg;
	struct rec *rc;
	char *mkey;
	size_t n = strlen(kind) + strlen(key) + 2;

	if (strchr(kind, '\t') != NULL) {
		cJSON_Delete(value);
		return -EINVAL;
	}
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

/* Put a record; a NULL value is a failed allocation, not a delete. */
static int
recmap_put(void *arg, const char *kind, const char *key, cJSON *value)
{
	if (value == NULL)
		return -ENOMEM;
	return recmap_apply(arg, kind, key, value);
}

static bool
known_kind(const struct store_schema *s, const char *kind)
{
	size_t i;

	for (i = 0; i < s->nkinds; i++)
		if (strcmp(s->kinds[i], kind) == 0)
			return true;
	return false;
}

/* A whole, non-negative integer member; -1 when absent or not one. */
static int64_t
json_uint(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return -1;
	return (int64_t)v->valuedouble;
}

/*
 * Split "<text> <8 hex>" at its checksum and check it.  1 when it matches,
 * 0 when it does not, -1 when there is no checksum.
 */
static int
split_crc(char *line, size_t len)
{
	unsigned long want;
	char *end;

	if (len < 10 || line[len - 9] != ' ')
		return -1;
	errno = 0;
	want = strtoul(line + len - 8, &end, 16);
	if (errno != 0 || end != line + len)
		return -1;
	line[len - 9] = '\0';
	return store_crc32(line, len - 9) == want;
}

/* Version 3's snapshot: the JSON text, then "crc32 XXXXXXXX\n". */
static int
snapshot_text(char *buf, size_t len, char **json)
{
	char *nl = memchr(buf, '\n', len);
	unsigned long want;
	char *end;

	if (nl == NULL || (size_t)(nl - buf) + 1 + 15 != len ||
	    strncmp(nl + 1, "crc32 ", 6) != 0 || buf[len - 1] != '\n')
		return -1;
	errno = 0;
	want = strtoul(nl + 7, &end, 16);
	if (errno != 0 || end != buf + len - 1)
		return -1;
	*nl = '\0';
	*json = buf;
	return store_crc32(buf, (size_t)(nl - buf)) == want;
}

static int
load_snapshot(struct store *st, struct recmap *rm, bool *exists, int *version,
    char *err, size_t errlen)
{
	const char *dir = st->dir;
	const cJSON *recs, *o;
	char *buf, *json = NULL;
	cJSON *j = NULL;
	size_t len = 0, i = 0;
	int64_t ver, gen;
	int r = -EINVAL, c;

	*exists = false;
	if ((buf = read_file(st->dirfd, STORE_FILE, &len)) == NULL) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "cannot read %s/%s: %s", dir, STORE_FILE,
		    strerror(errno));
		return r;
	}
	*exists = true;
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s/%s is damaged (it holds NUL bytes)",
		    dir, STORE_FILE);
		goto out;
	}
	c = snapshot_text(buf, len, &json);
	if (c == 0) {
		snprintf(err, errlen, "%s/%s is damaged (its checksum does not "
		    "match: bit rot or an edit)", dir, STORE_FILE);
		goto out;
	}
	if ((j = cJSON_ParseWithOpts(c == 1 ? json : buf, NULL, 1)) == NULL ||
	    !cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s/%s is damaged (not a JSON object)", dir,
		    STORE_FILE);
		goto out;
	}
	ver = json_uint(j, "version");
	*version = (int)ver;
	if (ver == 1) {
		if (st->schema->upgrade == NULL ||
		    (r = st->schema->upgrade(j, recmap_put, rm)) != 0) {
			snprintf(err, errlen, "%s/%s (version 1) is damaged", dir,
			    STORE_FILE);
			r = r == -ENOMEM ? r : -EINVAL;
		}
		goto out;
	}
	if (ver != 2 && ver != STORE_VERSION) {
		snprintf(err, errlen, "%s/%s has state version %s; this "
		    "routed-plugin reads versions 1 to %d", dir, STORE_FILE,
		    ver < 0 ? "(missing)" : "unknown to it", STORE_VERSION);
		goto out;
	}
	if (ver == STORE_VERSION && c != 1) {
		snprintf(err, errlen, "%s/%s is damaged (its checksum line is "
		    "missing)", dir, STORE_FILE);
		goto out;
	}
	gen = ver == STORE_VERSION ? json_uint(j, "generation") : 0;
	recs = cJSON_GetObjectItemCaseSensitive(j, "records");
	if (gen < 0 || !cJSON_IsArray(recs)) {
		snprintf(err, errlen, "%s/%s is damaged (no generation or no "
		    "records)", dir, STORE_FILE);
		goto out;
	}
	st->gen = (uint64_t)gen;
	cJSON_ArrayForEach(o, recs) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(o, "key");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(o, "value");

		i++;
		if (!cJSON_IsString(kind) || !cJSON_IsString(key) ||
		    value == NULL || cJSON_GetArraySize(o) != 3) {
			snprintf(err, errlen, "%s/%s is damaged: record %zu is "
			    "not {kind, key, value}", dir, STORE_FILE, i);
			r = -EINVAL;
			goto out;
		}
		if ((r = recmap_put(rm, kind->valuestring, key->valuestring,
		    cJSON_Duplicate(value, true))) != 0) {
			snprintf(err, errlen, "%s/%s: record %zu: %s", dir,
			    STORE_FILE, i, strerror(-r));
			goto out;
		}
	}
	if (rm->count != i) {
		snprintf(err, errlen, "%s/%s is damaged: it lists a record "
		    "twice", dir, STORE_FILE);
		r = -EINVAL;
		goto out;
	}
	r = 0;
out:
	cJSON_Delete(j);
	free(buf);
	return r;
}

/* One journal operation: {"op":"put"|"del","kind","key","value"?}. */
static int
journal_op(struct recmap *rm, const cJSON *op)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(op, "op");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(op, "kind");
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(op, "key");
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");

	if (!cJSON_IsString(o) || !cJSON_IsString(kind) || !cJSON_IsString(key))
		return -EINVAL;
	if (strcmp(o->valuestring, "put") == 0 && value != NULL &&
	    cJSON_GetArraySize(op) == 4)
		return recmap_put(rm, kind->valuestring, key->valuestring,
		    cJSON_Duplicate(value, true));
	if (strcmp(o->valuestring, "del") == 0 && value == NULL &&
	    cJSON_GetArraySize(op) == 3)
		return recmap_apply(rm, kind->valuestring, key->valuestring, NULL);
	return -EINVAL;
}

/* Only NUL bytes and newlines from p to end: a tail the crash zero-filled. */
static bool
only_zeros(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != '\0' && *p != '\n')
			return false;
	return true;
}

/*
 * Replay the journal into rm.  *torn is set to the offset of an unfinished
 * tail to drop, or -1; *fresh when there is no journal yet.  A journal one
 * generation behind the snapshot is already in it: skipped, and rewritten.
 */
static int
load_journal(struct store *st, struct recmap *rm, bool snap, int snapver,
    off_t *torn, bool *fresh, char *err, size_t errlen)
{
	const char *dir = st->dir;
	char *buf, *line, *nl, *end;
	size_t len = 0, lineno = 0, n = 0;
	int64_t ver = -1, gen = -1;
	bool skip = false;
	cJSON *j;
	int r = 0, c;

	*torn = -1;
	*fresh = false;
	if ((buf = read_file(st->dirfd, STORE_JOURNAL, &len)) == NULL) {
		if (errno == ENOENT && !snap) {
			*fresh = true;
			return 0;
		}
		r = errno == ENOENT ? -ENOENT : -errno;
		if (r == -ENOENT)
			snprintf(err, errlen, "%s/%s is missing while %s is "
			    "there: the changes since the last snapshot may be "
			    "lost", dir, STORE_JOURNAL, STORE_FILE);
		else
			snprintf(err, errlen, "cannot read %s/%s: %s", dir,
			    STORE_JOURNAL, strerror(errno));
		return r;
	}
	end = buf + len;
	if (len == 0 || ((nl = memchr(buf, '\n', len)) == NULL &&
	    only_zeros(buf, end))) {
		/* Created, but the daemon died before its header was written. */
		free(buf);
		if (!snap) {
			*fresh = true;
			*torn = 0;
			return 0;
		}
		snprintf(err, errlen, "%s/%s is empty while %s is there: the "
		    "changes since the last snapshot may be lost", dir,
		    STORE_JOURNAL, STORE_FILE);
		return -EINVAL;
	}
	for (line = buf; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL ||
		    memchr(line, '\0', (size_t)(nl - line)) != NULL) {
			/*
			 * A line cut short or zero-filled by a crash: never
			 * acknowledged, if nothing follows it.
			 */
			if (lineno > 1 && (nl == NULL || only_zeros(line, end))) {
				*torn = (off_t)(line - buf);
				break;
			}
			snprintf(err, errlen, "%s/%s is damaged at line %zu (%s)",
			    dir, STORE_JOURNAL, lineno, nl == NULL ?
			    "its header is cut short" : "NUL bytes before the "
			    "last line");
			r = -EINVAL;
			goto out;
		}
		*nl = '\0';
		if (lineno == 1) {
			j = cJSON_Parse(line);
			ver = json_uint(j, "version");
			gen = ver == STORE_VERSION ? json_uint(j, "generation") :
			    0;
			cJSON_Delete(j);
			if ((ver != 2 && ver != STORE_VERSION) || gen < 0) {
				snprintf(err, errlen, "%s/%s is not a journal this "
				    "routed-plugin reads (version 2 or %d)", dir,
				    STORE_JOURNAL, STORE_VERSION);
				r = -EINVAL;
				goto out;
			}
			if (ver == STORE_VERSION && snapver == STORE_VERSION &&
			    (uint64_t)gen + 1 == st->gen) {
				/* Compaction crashed before the new journal. */
				log_warnx("%s/%s is of the previous snapshot "
				    "(generation %" PRId64 "), whose lines the "
				    "snapshot holds: starting a new one", dir,
				    STORE_JOURNAL, gen);
				skip = true;
				break;
			}
			if (ver == STORE_VERSION && (snapver == STORE_VERSION ?
			    (uint64_t)gen != st->gen : gen != 0)) {
				snprintf(err, errlen, "%s/%s is of generation %"
				    PRId64 " but %s of generation %" PRIu64
				    ": they do not belong together", dir,
				    STORE_JOURNAL, gen, snap ? STORE_FILE :
				    "no snapshot", st->gen);
				r = -EINVAL;
				goto out;
			}
			continue;
		}
		c = ver == STORE_VERSION ? split_crc(line, (size_t)(nl - line)) :
		    -1;
		j = NULL;
		if ((ver == STORE_VERSION && c != 1) ||
		    (j = cJSON_Parse(line)) == NULL || !cJSON_IsArray(j)) {
			/* Damage that a torn write cannot explain: refuse. */
			cJSON_Delete(j);
			snprintf(err, errlen, "%s/%s is damaged at line %zu (%s)",
			    dir, STORE_JOURNAL, lineno, c == 0 ?
			    "checksum mismatch" : c == -1 && ver ==
			    STORE_VERSION ? "no checksum" : "not a commit");
			r = -EINVAL;
			goto out;
		}
		{
			const cJSON *op;

			cJSON_ArrayForEach(op, j) {
				if ((r = journal_op(rm, op)) != 0)
					break;
				n++;
			}
		}
		cJSON_Delete(j);
		if (r != 0) {
			snprintf(err, errlen, "%s/%s is damaged at line %zu (%s)",
			    dir, STORE_JOURNAL, lineno, r == -ENOMEM ?
			    "out of memory" : "a bad operation");
			goto out;
		}
	}
	st->jcount = skip ? 0 : n;
	if (skip)
		st->stale_journal = true;
	if (ver != STORE_VERSION)
		st->stale_journal = true;	/* rewrite it as version 3 */
out:
	free(buf);
	return r;
}

struct apply_arg {
	struct store *st;
	const char *kind;
	char *err;
	size_t errlen;
};

int
store_load(struct store *st, char *err, size_t errlen)
{
	const struct store_schema *s = st->schema;
	const char *dir = st->dir;
	struct recmap rm = { NULL, 0 };
	struct rec *rc;
	char sub[256], hdr[128];
	bool snap = false, fresh = false;
	int snapver = 0;
	off_t torn = -1;
	size_t pos, k;
	int r;

	err[0] = '\0';
	if ((rm.m = hmap_new()) == NULL)
		return -ENOMEM;
	if ((r = load_snapshot(st, &rm, &snap, &snapver, err, errlen)) != 0 ||
	    (r = load_journal(st, &rm, snap, snapver, &torn, &fresh, err,
	    errlen)) != 0)
		goto corrupt;
	/* Every record known, then applied kind by kind. */
	pos = 0;
	while ((rc = hmap_next(rm.m, &pos, NULL)) != NULL) {
		size_t kl = strcspn(rc->mkey, "\t");
		char kind[64];

		snprintf(kind, sizeof(kind), "%.*s", (int)(kl < 63 ? kl : 63),
		    rc->mkey);
		if (kl >= sizeof(kind) || !known_kind(s, kind)) {
			snprintf(err, errlen, "the state in %s holds a record of "
			    "unknown kind '%.32s'", dir, kind);
			r = -EINVAL;
			goto corrupt;
		}
	}
	for (k = 0; k < s->nkinds; k++) {
		size_t kl = strlen(s->kinds[k]);

		pos = 0;
		while ((rc = hmap_next(rm.m, &pos, NULL)) != NULL) {
			if (strncmp(rc->mkey, s->kinds[k], kl) != 0 ||
			    rc->mkey[kl] != '\t')
				continue;
			sub[0] = '\0';
			if ((r = s->apply(s->arg, s->kinds[k], rc->mkey + kl + 1,
			    rc->value, sub, sizeof(sub))) != 0) {
				snprintf(err, errlen, "the state in %s is "
				    "inconsistent: %s record '%.160s': %s", dir,
				    s->kinds[k], rc->mkey + kl + 1, sub[0] ? sub :
				    strerror(-r));
				goto corrupt;
			}
		}
	}
	if ((st->jfd = openat(st->dirfd, STORE_JOURNAL, O_RDWR | O_APPEND |
	    O_CREAT | O_CLOEXEC, 0600)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s/%s: %s", dir, STORE_JOURNAL,
		    strerror(errno));
		goto out;
	}
	st->live = snap ? rm.count : 0;
	/* Only now that the state loaded: drop an unfinished last commit. */
	if (torn > 0) {
		log_warnx("%s/%s: dropping an unfinished last commit (the "
		    "daemon died while writing it, before its reply)", dir,
		    STORE_JOURNAL);
		if (ftruncate(st->jfd, torn) != 0) {
			r = -errno;
			snprintf(err, errlen, "cannot truncate %s/%s: %s", dir,
			    STORE_JOURNAL, strerror(errno));
			goto out;
		}
	}
	if (snapver != 0 && snapver != STORE_VERSION)
		st->stale_journal = true;
	if (st->stale_journal) {
		/* Older files, or a journal the snapshot already holds. */
		if ((r = store_compact(st)) != 0) {
			snprintf(err, errlen, "cannot rewrite the state in %s: %s",
			    dir, strerror(-r));
			goto out;
		}
	} else if (fresh) {
		journal_header(st->gen, hdr, sizeof(hdr));
		if ((r = ftruncate(st->jfd, 0) != 0 ? -errno : 0) != 0 ||
		    (r = write_all(st->jfd, hdr, strlen(hdr))) != 0 ||
		    (r = fdatasync(st->jfd) != 0 ? -errno : 0) != 0 ||
		    (r = fsync(st->dirfd) != 0 ? -errno : 0) != 0) {
			snprintf(err, errlen, "cannot write %s/%s: %s", dir,
			    STORE_JOURNAL, strerror(-r));
			goto out;
		}
	}
	log_info("state loaded from %s: %zu records (%zu from the journal)",
	    dir, rm.count, st->jcount);
	r = 0;
	goto out;
corrupt:
	if (r != -ENOMEM) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, ". Nothing was changed: the files "
		    "are left in place. Restore them from a backup, or move the "
		    "directory aside to start empty (Docker's networks must then "
		    "be re-created)");
		if (r != -EIO && r != -EACCES)
			r = -EINVAL;
	}
out:
	recmap_clear(&rm);
	return r;
}

/* ---------------------------------------------------------------- commit */

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
	/* Adding a member copies its name: that can fail too. */
	if (value != NULL && !cJSON_AddItemToObject(o, "value", value)) {
		cJSON_Delete(o);
		cJSON_Delete(value);
		st->queue_failed = true;
		return;
	}
	cJSON_AddItemToArray(st->queue, o);
}

void
store_put(struct store *st, const char *kind, const char *key, cJSON *value)
{
	if (value == NULL) {
		st->queue_failed = true;
		return;
	}
	queue(st, "put", kind, key, value);
}

void
store_del(struct store *st, const char *kind, const char *key)
{
	queue(st, "del", kind, key, NULL);
}

void
store_abort(struct store *st)
{
	cJSON_Delete(st->queue);
	st->queue = cJSON_CreateArray();
	st->queue_failed = false;
}

static int
commit(struct store *st, bool sync)
{
	char *text = NULL, *all = NULL;
	size_t len = 0, n;
	struct stat sb;
	int r = 0;

	if (st == NULL || st->jfd < 0 || st->queue == NULL) {
		if (st != NULL)
			store_abort(st);
		return st == NULL || st->queue != NULL ? -EBADF : -ENOMEM;
	}
	if (st->queue_failed) {
		r = -ENOMEM;
		goto out;
	}
	if ((n = (size_t)cJSON_GetArraySize(st->queue)) == 0)
		goto out;
	/* A snapshot newer than the journal: nothing may go to the old one. */
	if (st->stale_journal && (r = store_compact(st)) != 0)
		goto out;
	if ((text = cJSON_PrintUnformatted(st->queue)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	len = strlen(text);
	if ((all = malloc(len + 11)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	len = (size_t)snprintf(all, len + 11, "%s %08lx\n", text,
	    store_crc32(text, len));
	if (fstat(st->jfd, &sb) != 0) {
		r = -errno;
		goto out;
	}
	if ((r = fault(st)) != 0 || (r = write_all(st->jfd, all, len)) != 0 ||
	    (sync && fdatasync(st->jfd) != 0 && (r = -errno) != 0)) {
		log_warnx("cannot write %s/%s: %s", st->dir, STORE_JOURNAL,
		    strerror(-r));
		/* Leave no partial line behind for the next append. */
		if (ftruncate(st->jfd, sb.st_size) != 0)
			log_warn("cannot truncate %s/%s", st->dir, STORE_JOURNAL);
		goto out;
	}
	st->jcount += n;
	if (st->jcount >= JOURNAL_MIN && st->jcount >= st->live &&
	    store_compact(st) != 0)
		log_warnx("compaction of %s failed; the journal keeps growing",
		    st->dir);
out:
	free(text);
	free(all);
	store_abort(st);
	return r;
}

int
store_commit(struct store *st)
{
	return commit(st, true);
}

int
store_commit_lazy(struct store *st)
{
	return commit(st, false);
}

/* ---------------------------------------------------------------- compact */

/*
 * A snapshot written as the walk emits its records: one record's text at a
 * time goes through a buffer to the temporary file, and the checksum is
 * kept as it goes, so the memory it takes does not grow with the state.
 * The bytes are those of the whole snapshot printed by cJSON at once.
 */
#define SNAP_BUF	(32 * 1024)

struct snap_writer {
	int fd;
	int err;			/* first error, -errno */
	uint32_t crc;
	size_t n;			/* records written */
	size_t used;
	char buf[SNAP_BUF];
};

static void
snap_flush(struct snap_writer *w)
{
	if (w->err == 0 && w->used > 0)
		w->err = write_all(w->fd, w->buf, w->used);
	w->used = 0;
}

/* Append text (part of the JSON, counted in the checksum unless !crc). */
static void
snap_write(struct snap_writer *w, const char *text, size_t len, bool crc)
{
	if (crc)
		w->crc = crc32_update(w->crc, text, len);
	if (w->used + len > sizeof(w->buf))
		snap_flush(w);
	if (w->err != 0)
		return;
	if (len > sizeof(w->buf)) {
		w->err = write_all(w->fd, text, len);
		return;
	}
	memcpy(w->buf + w->used, text, len);
	w->used += len;
}

static int
snapshot_emit(void *arg, const char *kind, const char *key, cJSON *value)
{
	struct snap_writer *w = arg;
	cJSON *o;
	char *text;

	if (value == NULL)
		return -ENOMEM;
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(o, "kind", kind) ||
	    !cJSON_AddStringToObject(o, "key", key)) {
		cJSON_Delete(o);
		cJSON_Delete(value);
		return -ENOMEM;
	}
	if (!cJSON_AddItemToObject(o, "value", value)) {
		cJSON_Delete(o);
		cJSON_Delete(value);
		return -ENOMEM;
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return -ENOMEM;
	if (w->n++ > 0)
		snap_write(w, ",", 1, true);
	snap_write(w, text, strlen(text), true);
	free(text);
	return w->err;
}

/*
 * Write the snapshot of generation gen to STORE_FILE atomically: a
 * temporary file, fsync, rename, fsync the directory.  The number of
 * records in *n.  0/-errno; nothing is replaced on failure.
 */
static int
write_snapshot(struct store *st, uint64_t gen, size_t *n)
{
	static const char tmp[] = STORE_FILE ".tmp";
	struct snap_writer *w;
	char text[96];
	int r, len;

	if ((r = fault(st)) != 0)
		return r;
	if ((w = malloc(sizeof(*w))) == NULL)
		return -ENOMEM;
	w->err = 0;
	w->crc = 0xffffffffu;
	w->n = w->used = 0;
	if ((w->fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) < 0) {
		r = -errno;
		free(w);
		return r;
	}
	len = snprintf(text, sizeof(text), "{\"version\":%d,\"generation\":%"
	    PRIu64 ",\"records\":[", STORE_VERSION, gen);
	snap_write(w, text, (size_t)len, true);
	/* Fail closed: any record that cannot be written stops the snapshot. */
	r = st->schema->walk(st->schema->arg, snapshot_emit, w);
	if (r == 0)
		r = w->err;
	if (r == 0) {
		snap_write(w, "]}", 2, true);
		len = snprintf(text, sizeof(text), "\ncrc32 %08lx\n",
		    (unsigned long)(~w->crc & 0xffffffffu));
		snap_write(w, text, (size_t)len, false);
		snap_flush(w);
		r = w->err;
	}
	r = replace_end(st, w->fd, tmp, STORE_FILE, r);
	*n = w->n;
	free(w);
	return r;
}

int
store_compact(struct store *st)
{
	char hdr[128];
	size_t n = 0;
	int fd, r;

	if ((r = write_snapshot(st, st->gen + 1, &n)) != 0) {
		if (r != -ENOMEM)
			log_warnx("cannot write a snapshot in %s: %s", st->dir,
			    strerror(-r));
		return r;
	}
	/* From here the new snapshot is the state: the old journal is moot. */
	st->gen++;
	st->stale_journal = true;
	st->live = n;
	journal_header(st->gen, hdr, sizeof(hdr));
	if ((r = replace_file(st, STORE_JOURNAL, hdr, strlen(hdr))) != 0) {
		log_warnx("cannot start a new journal in %s: %s", st->dir,
		    strerror(-r));
		return r;
	}
	if ((fd = openat(st->dirfd, STORE_JOURNAL, O_RDWR | O_APPEND |
	    O_CLOEXEC)) < 0)
		return -errno;
	if (st->jfd >= 0)
		close(st->jfd);
	st->jfd = fd;
	st->jcount = 0;
	st->stale_journal = false;
	st->compactions++;
	log_debug("state compacted: %zu records, generation %" PRIu64, st->live,
	    st->gen);
	return 0;
}
