/*
 * fuzz_store.c: libFuzzer harness for the state loader (store.c, and the
 * modules' ipam_from_json / netdrv_from_json behind it).
 *
 * The input is split at its first 0x00 byte: what comes before is written
 * as state.json, what comes after as journal (an empty part: no such file;
 * no 0x00: no journal).  A fresh daemon context then runs store_open +
 * store_load on that directory, and, as main() does after a load,
 * netdrv_reconcile and netdrv_announce_all (netlink stubbed by
 * tests/unit/plumb_stub.c).  Errors are fine; crashes and leaks are not.
 *
 * Oracle: when the load succeeds, store_compact must succeed, and a second
 * daemon loading the compacted files must succeed too and hold the same
 * state: ipam_to_json and netdrv_to_json of both, put in a canonical order
 * (object members by name, array elements sorted: every array of the state
 * is a set), must be equal (cJSON_Compare).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *       tests/fuzz/fuzz_store.c tests/fuzz/canon.c tests/unit/plumb_stub.c \
 *       src/addr.c src/alloc.c src/announce.c src/api.c src/hmap.c \
 *       src/ipam.c src/log.c src/netdrv.c src/store.c -lcjson -o fuzz_store
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
