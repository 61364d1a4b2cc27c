/*
 * store.c: the state file.
 *
 * {"version":1, "ipam":{...}, "netdrv":{...}} in <state-dir>/state.json,
 * replaced as a whole: write a temporary file in the same directory, fsync
 * it, rename it over the old one, fsync the directory.  A crash leaves either
 * the old or the new state, never a mix.  <state-dir>/lock (flock) keeps a
 * second daemon away from the same state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ctx.h"
#include "ipam.h"
#include "log.h"
#include "netdrv.h"
#include "store.h"

#define STATE_MAX	(256 * 1024 * 1024)

struct store {
	int dirfd;
	int lockfd;
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
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -ENOMEM;
	st->lockfd = -1;
	if ((st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open state directory %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
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
	free(st);
	return r;
}

void
store_close(struct rp_ctx *ctx)
{
	struct store *st = ctx->store;

	if (st == NULL)
		return;
	close(st->lockfd);
	close(st->dirfd);
	free(st);
	ctx->store = NULL;
}

/* The whole file in a NUL-terminated malloc'd buffer, or NULL (errno). */
static char *
read_all(int fd, size_t *len)
{
	struct stat sb;
	char *buf;
	size_t off = 0;
	ssize_t n;

	if (fstat(fd, &sb) != 0)
		return NULL;
	if (sb.st_size > STATE_MAX) {
		errno = EFBIG;
		return NULL;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		return NULL;
	while (off < (size_t)sb.st_size) {
		n = read(fd, buf + off, (size_t)sb.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			free(buf);
			return NULL;
		}
		off += (size_t)n;
	}
	buf[off] = '\0';
	*len = off;
	return buf;
}

int
store_load(struct rp_ctx *ctx, char *err, size_t errlen)
{
	struct store *st = ctx->store;
	const cJSON *ver, *ipam, *nd;
	cJSON *j = NULL;
	char *buf = NULL, sub[256];
	size_t len = 0;
	int fd, r;

	if ((fd = openat(st->dirfd, STORE_FILE, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, errlen, "cannot open %s/%s: %s", ctx->cfg.state_dir,
		    STORE_FILE, strerror(errno));
		return r;
	}
	buf = read_all(fd, &len);
	r = -errno;
	close(fd);
	if (buf == NULL) {
		snprintf(err, errlen, "cannot read %s/%s: %s", ctx->cfg.state_dir,
		    STORE_FILE, strerror(-r));
		return r;
	}
	r = -EINVAL;
	if ((j = cJSON_ParseWithOpts(buf, NULL, 1)) == NULL || !cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s/%s is corrupt (not a JSON object); it "
		    "was left in place for inspection", ctx->cfg.state_dir,
		    STORE_FILE);
		goto out;
	}
	ver = cJSON_GetObjectItemCaseSensitive(j, "version");
	if (!cJSON_IsNumber(ver) || ver->valueint != STORE_VERSION) {
		snprintf(err, errlen, "%s/%s has state version %s, this "
		    "routed-plugin reads version %d only", ctx->cfg.state_dir,
		    STORE_FILE, cJSON_IsNumber(ver) ? "other than 1" : "missing",
		    STORE_VERSION);
		goto out;
	}
	ipam = cJSON_GetObjectItemCaseSensitive(j, "ipam");
	nd = cJSON_GetObjectItemCaseSensitive(j, "netdrv");
	sub[0] = '\0';
	if ((r = ipam_from_json(ctx, ipam, sub, sizeof(sub))) != 0 ||
	    (r = netdrv_from_json(ctx, nd, sub, sizeof(sub))) != 0) {
		snprintf(err, errlen, "%s/%s is corrupt: %s; it was left in place "
		    "for inspection", ctx->cfg.state_dir, STORE_FILE, sub);
		goto out;
	}
	r = 0;
out:
	cJSON_Delete(j);
	free(buf);
	return r;
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

int
store_save(struct rp_ctx *ctx)
{
	struct store *st = ctx->store;
	cJSON *j, *ipam = NULL, *nd = NULL;
	char *text = NULL;
	int fd = -1, r = -ENOMEM;

	if (st == NULL)
		return -EBADF;
	if ((j = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(j, "version", STORE_VERSION) == NULL ||
	    (ipam = ipam_to_json(ctx)) == NULL)
		goto out;
	cJSON_AddItemToObject(j, "ipam", ipam);
	if ((nd = netdrv_to_json(ctx)) == NULL)
		goto out;
	cJSON_AddItemToObject(j, "netdrv", nd);
	if ((text = cJSON_Print(j)) == NULL)
		goto out;
	if ((fd = openat(st->dirfd, STORE_FILE ".tmp",
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		r = -errno;
		log_warn("cannot create %s/%s.tmp", ctx->cfg.state_dir, STORE_FILE);
		goto out;
	}
	if ((r = write_all(fd, text, strlen(text))) != 0 ||
	    (r = write_all(fd, "\n", 1)) != 0 || (fsync(fd) != 0 &&
	    (r = -errno) != 0)) {
		log_warnx("cannot write %s/%s.tmp: %s", ctx->cfg.state_dir,
		    STORE_FILE, strerror(-r));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = -errno;
		goto out;
	}
	fd = -1;
	if (renameat(st->dirfd, STORE_FILE ".tmp", st->dirfd, STORE_FILE) != 0 ||
	    fsync(st->dirfd) != 0) {
		r = -errno;
		log_warn("cannot replace %s/%s", ctx->cfg.state_dir, STORE_FILE);
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (r != 0)
		unlinkat(st->dirfd, STORE_FILE ".tmp", 0);
	free(text);
	cJSON_Delete(j);
	return r;
}
