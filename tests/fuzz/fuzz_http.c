/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http.c: libFuzzer harness for the transport (src/http.c): request
 * heads, framing, pipelining and back-pressure, over a real unix socket.
 *
 * One server is opened once, on a temporary socket, with two routes of its
 * own (/Plugin.Activate answers {"ok":"1"}, /Fail fails), so that nothing
 * but http.c and api.c runs.  Its limits are small (512 bytes of queued
 * replies, 4 connections) so that every path is reached with small inputs.
 *
 * An input: its first byte picks the client's manners (bit 0: close the
 * writing half after the last byte; bit 1: read the replies only once
 * everything is written), the rest is written to one fresh connection as
 * fast as the server takes it, while the loop runs.
 *
 * Oracles: what comes back is a sequence of well-formed responses (status
 * line, Content-Length equal to the body that follows, a JSON object as
 * the body; "100 Continue" without one), no more 200s than the input holds
 * "/Plugin.Activate"; the server's buffers never pass one request plus the
 * reply limit, and are empty once the client has gone.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz_http.c src/http.c src/api.c src/addr.c src/log.c \
 *       -levent -lcjson -o fuzz_http
 *   ./fuzz_http -max_total_time=60 tests/fuzz/corpus/http
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "api.h"
#include "ctx.h"
#include "http.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
route_ok(struct api_call *c)
{
	return api_put_str(c, c->reply, "ok", "1");
}

static int
route_fail(struct api_call *c)
{
	return api_fail(c, -EINVAL, "failed on purpose");
}

static const struct api_route routes[] = {
	{ "/Plugin.Activate", route_ok },
	{ "/Fail", route_fail },
};

static struct rp_ctx ctx;
static struct http *h;
static char dir[] = "/tmp/fuzz_http.XXXXXX", path[108];
static const struct http_limits lim = { .max_conns = 4, .out_max = 512 };
#define BUFFERED_MAX	(16384 + API_MAX_BODY + 512 + 65536)

static void
quiet(enum log_level lvl, const char *msg, void *arg)
{
}

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	log_set_hook(quiet, NULL);
	if (mkdtemp(dir) == NULL || (ctx.base = event_base_new()) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	if (http_open(&ctx, path, routes, 2, &h, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	http_set_limits(h, &lim);
	atexit(cleanup);
	return 0;
}

static void
step(void)
{
	event_base_loop(ctx.base, EVLOOP_NONBLOCK);
	if (http_buffered(h) > BUFFERED_MAX)
		abort();
}

/* Check the responses in r[0..n); a cut last one is fine (closed early). */
static void
check_replies(const char *r, size_t n, size_t most_200)
{
	size_t n200 = 0;

	while (n > 0) {
		const char *end = memmem(r, n, "\r\n\r\n", 4), *cl;
		size_t hl, bl = 0;
		int status;

		if (end == NULL)
			return;
		hl = (size_t)(end - r) + 4;
		if (n < 13 || memcmp(r, "HTTP/1.1 ", 9) != 0 ||
		    sscanf(r + 9, "%3d", &status) != 1)
			abort();
		if (status == 100) {
			r += hl, n -= hl;
			continue;
		}
		if ((cl = memmem(r, hl, "\r\nContent-Length: ", 18)) == NULL)
			abort();
		bl = strtoul(cl + 18, NULL, 10);
		if (n - hl < bl)
			return;
		{
			cJSON *j = cJSON_ParseWithLength(r + hl, bl);

			if (j == NULL || !cJSON_IsObject(j))
				abort();
			cJSON_Delete(j);
		}
		if (status == 200)
			n200++;
		r += hl + bl, n -= hl + bl;
	}
	if (n200 > most_200)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static char *rbuf;
	static size_t rcap;
	size_t sent = 0, got = 0, most_200 = 0;
	const uint8_t *p;
	bool shut, late, eof = false;
	int fd, idle;

	if (size < 1)
		return 0;
	shut = data[0] & 1;
	late = data[0] & 2;
	data++, size--;
	for (p = data; (p = memmem(p, size - (size_t)(p - data),
	    "/Plugin.Activate", 16)) != NULL; p++)
		most_200++;
	if (rcap == 0 && (rbuf = malloc(rcap = 1 << 20)) == NULL)
		abort();
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		abort();
	for (idle = 0; idle < 50 && !eof; ) {
		ssize_t n;
		bool progress = false;

		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0) {
				sent += (size_t)n;
				progress = true;
				if (sent == size && shut)
					shutdown(fd, SHUT_WR);
			} else if (errno != EAGAIN)
				break;	/* the server closed */
		}
		step();
		if (!late || sent == size) {
			n = recv(fd, rbuf + got, rcap - got, 0);
			if (n > 0) {
				got += (size_t)n;
				progress = true;
				if (got == rcap && (rbuf = realloc(rbuf,
				    rcap *= 2)) == NULL)
					abort();
			} else if (n == 0 || errno != EAGAIN)
				eof = true;
		}
		idle = progress ? 0 : idle + 1;
	}
	check_replies(rbuf, got, most_200);
	close(fd);
	for (idle = 0; idle < 20 && http_buffered(h) != 0; idle++)
		step();
	if (http_buffered(h) != 0)
		abort();
	return 0;
}
