/* SPDX-License-Identifier: MIT */
/*
 * fuzz_store.c: libFuzzer harness for the state loader over whole state
 * directories (store.c, and records.c applying records to the model).
 *
 * The input is split at its first 0x00 byte: what comes before is written
 * as state.json, what comes after as journal (an empty part: no such file;
 * no 0x00: no journal).  A fresh daemon context then runs store_open +
 * store_load on that directory, and, as main() does after a load,
 * reconcile_start and routes_all (netlink stubbed by
 * tests/unit/plumb_stub.c).  Errors are fine; crashes and leaks are not.
 *
 * Oracles: the load is refused, or it loaded exactly what was written: the
 * records of the model are the records a plain reading of the files gives
 * (snapshot records, then the journal's operations; a torn last line
 * dropped), none more, none fewer.  Then store_compact must succeed, and a
 * second daemon loading the compacted files must hold the same state, in a
 * canonical order (cJSON_Compare).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *       tests/fuzz/fuzz_store.c tests/fuzz/canon.c tests/unit/plumb_stub.c \
 *       src/addr.c src/alloc.c src/announce.c src/api.c src/hmap.c \
 *       src/ipam.c src/log.c src/netdrv.c src/store.c src/model.c \
 *       src/records.c src/routes.c src/host.c src/reconcile.c src/teardown.c \
 *       -levent -lcjson -o fuzz_store
 *   ./fuzz_store -max_total_time=60 tests/fuzz/corpus/store
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "announce.h"
#include "canon.h"
#include "ctx.h"
#include "fixture.h"
#include "ipam.h"
#include "log.h"
#include "model.h"
#include "netdrv.h"
#include "reconcile.h"
#include "records.h"
#include "routes.h"
#include "plumb.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char basedir[PATH_MAX - 64];
static bool verbose;

static void
quiet(enum log_level lvl, const char *msg, void *arg)
{
	if (verbose)
		fprintf(stderr, "log: %s\n", msg);
}

static void
die(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_store: INVARIANT FAILED: %s\n", what);
	if (a != NULL)
		fprintf(stderr, "  first:  %s\n", a);
	if (b != NULL)
		fprintf(stderr, "  second: %s\n", b);
	abort();
}

static void
write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[PATH_MAX];
	size_t off = 0;
	ssize_t w;
	int fd;

	if (n == 0)
		return;		/* an empty part: no file */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0) {
		perror(path);
		abort();
	}
	while (off < n) {
		if ((w = write(fd, p + off, n - off)) <= 0) {
			perror(path);
			abort();
		}
		off += (size_t)w;
	}
	close(fd);
}

static void
dir_remove(const char *dir)
{
	static const char *const names[] = { STORE_FILE, STORE_JOURNAL, "lock",
	    STORE_FILE ".tmp", STORE_JOURNAL ".tmp" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	if (rmdir(dir) != 0) {
		fprintf(stderr, "fuzz_store: cannot remove %s: %s\n", dir,
		    strerror(errno));
		abort();
	}
}

static void
ctx_free(struct rp_ctx *c)
{
	announce_free(c);
	store_close(c->store);
	model_free(c->model);
	plumb_close(c->plumb);
	free(c);
}

/* A daemon context on dir, loaded: NULL when the load fails. */
static struct rp_ctx *
ctx_load(const char *dir, char *err, size_t errlen)
{
	struct rp_ctx *c = calloc(1, sizeof(*c));
	struct store_schema schema;

	if (c == NULL)
		abort();
	addr_parse(RP_DEFAULT_GW4, &c->cfg.gateway4);
	addr_parse(RP_DEFAULT_GW6, &c->cfg.gateway6);
	c->cfg.mtu = RP_DEFAULT_MTU;
	snprintf(c->cfg.state_dir, sizeof(c->cfg.state_dir), "%s", dir);
	c->cfg.announce_kind = ANNOUNCE_HOST;
	c->cfg.tag = RP_DEFAULT_TAG;
	if (plumb_open(&c->plumb) != 0 || (c->model = model_new()) == NULL ||
	    announce_init(c) != 0)
		abort();
	records_schema(c->model, &schema);
	if (store_open(&c->store, dir, &schema, err, errlen) != 0) {
		fprintf(stderr, "fuzz_store: store_open: %s\n", err);
		abort();	/* the harness's directory: must open */
	}
	if (store_load(c->store, err, errlen) == 0)
		return c;
	ctx_free(c);
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("FUZZ_TMPDIR");
	struct stat sb;

	verbose = getenv("FUZZ_VERBOSE") != NULL;
	log_init("fuzz_store", false, true);	/* format debug lines too */
	log_set_hook(quiet, NULL);
	/* fsync per write: tmpfs keeps the fuzzer fast */
	if (base == NULL && stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	if (base == NULL && (base = getenv("TMPDIR")) == NULL)
		base = "/tmp";
	snprintf(basedir, sizeof(basedir), "%s", base);
	return 0;
}

/* Add or remove "kind<TAB>key" in set. */
static void
ref_op(cJSON *set, const cJSON *kind, const cJSON *key, bool put)
{
	char k[1024];

	if (!cJSON_IsString(kind) || !cJSON_IsString(key))
		return;
	snprintf(k, sizeof(k), "%s\t%s", kind->valuestring, key->valuestring);
	cJSON_DeleteItemFromObjectCaseSensitive(set, k);
	if (put)
		cJSON_AddTrueToObject(set, k);
}

/* A whole number member, or -1. */
static double
ref_num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/*
 * The records the files hold, read plainly (no checks but the format):
 * {"kind<TAB>key": true, ...}, or NULL for what this reading does not
 * cover (version 1, the nested format).
 */
static cJSON *
ref_records(const uint8_t *snap, size_t snaplen, const uint8_t *jr,
    size_t jlen)
{
	cJSON *set = cJSON_CreateObject(), *j, *o;
	char *buf, *line, *nl, *end;
	double sgen = -1, jver = -1, jgen = -1;
	size_t n;

	if (set == NULL)
		abort();
	if (snaplen > 0) {
		if ((buf = calloc(1, snaplen + 1)) == NULL)
			abort();
		memcpy(buf, snap, snaplen);
		j = cJSON_Parse(buf);	/* up to the end of the JSON text */
		free(buf);
		if (ref_num(j, "version") == 1) {
			cJSON_Delete(j);
			cJSON_Delete(set);
			return NULL;
		}
		sgen = ref_num(j, "generation");
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j,
		    "records"))
			ref_op(set, cJSON_GetObjectItemCaseSensitive(o, "kind"),
			    cJSON_GetObjectItemCaseSensitive(o, "key"), true);
		cJSON_Delete(j);
	}
	if (jr == NULL)
		return set;
	if ((buf = calloc(1, jlen + 1)) == NULL)
		abort();
	memcpy(buf, jr, jlen);
	end = buf + jlen;
	for (line = buf, n = 0; line < end && (nl = memchr(line, '\n',
	    (size_t)(end - line))) != NULL; line = nl + 1, n++) {
		*nl = '\0';
		if (n == 0) {
			j = cJSON_Parse(line);
			jver = ref_num(j, "version");
			jgen = ref_num(j, "generation");
			cJSON_Delete(j);
			/* the journal of the snapshot before: already in it */
			if (jver == 3 && sgen >= 1 && jgen == sgen - 1)
				break;
			continue;
		}
		if (jver == 3 && strlen(line) > 9)
			line[strlen(line) - 9] = '\0';
		j = cJSON_Parse(line);
		cJSON_ArrayForEach(o, j) {
			const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
			ref_op(set, cJSON_GetObjectItemCaseSensitive(o, "kind"),
			    cJSON_GetObjectItemCaseSensitive(o, "key"),
			    cJSON_IsString(op) && strcmp(op->valuestring, "put") == 0);
		}
		cJSON_Delete(j);
	}
	free(buf);
	return set;
}

/* The model's records as a set of "kind<TAB>key". */
static cJSON *
model_records(struct rp_ctx *c)
{
	cJSON *recs = canon_state(c), *set = cJSON_CreateObject(), *o;

	if (set == NULL)
		abort();
	cJSON_ArrayForEach(o, recs)
		ref_op(set, cJSON_GetObjectItemCaseSensitive(o, "kind"),
		    cJSON_GetObjectItemCaseSensitive(o, "key"), true);
	cJSON_Delete(recs);
	return set;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t snaplen = nul ? (size_t)(nul - data) : size;
	char dir[PATH_MAX], err[1024] = "";
	struct rp_ctx *c;
	cJSON *first, *second;
	char *a, *b;

	snprintf(dir, sizeof(dir), "%s/rp-fuzz-store-XXXXXX", basedir);
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_store: mkdtemp");
		abort();
	}
	write_file(dir, STORE_FILE, data, snaplen);
	if (nul != NULL)
		write_file(dir, STORE_JOURNAL, nul + 1, size - snaplen - 1);

	if ((c = ctx_load(dir, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			die("store_load failed without a message", NULL, NULL);
		if (verbose)
			fprintf(stderr, "fuzz_store: load refused: %s\n", err);
		dir_remove(dir);
		return 0;
	}
	/* Loaded exactly what was written: no record more, none fewer. */
	if ((first = ref_records(data, snaplen, nul ? nul + 1 : NULL,
	    nul ? size - snaplen - 1 : 0)) != NULL) {
		second = model_records(c);
		canon(first);
		canon(second);
		if (!cJSON_Compare(first, second, true)) {
			a = cJSON_PrintUnformatted(first);
			b = cJSON_PrintUnformatted(second);
			die("the load holds other records than the files", a, b);
		}
		cJSON_Delete(first);
		cJSON_Delete(second);
	}
	/* What main() does with a loaded state. */
	reconcile_start(c);
	routes_all(c);
	first = canon_state(c);
	if (store_compact(c->store) != 0)
		die("store_compact of a loaded state failed", NULL, NULL);
	ctx_free(c);

	if ((c = ctx_load(dir, err, sizeof(err))) == NULL)
		die("the compacted state does not load", err, NULL);
	second = canon_state(c);
	if (!cJSON_Compare(first, second, true)) {
		a = cJSON_PrintUnformatted(first);
		b = cJSON_PrintUnformatted(second);
		die("the compacted state is not the state that was loaded", a, b);
	}
	if (verbose) {
		a = cJSON_PrintUnformatted(second);
		fprintf(stderr, "fuzz_store: loaded and compacted: %s\n", a);
		free(a);
	}
	cJSON_Delete(first);
	cJSON_Delete(second);
	ctx_free(c);
	dir_remove(dir);
	return 0;
}
