/* SPDX-License-Identifier: MIT */
/*
 * fuzz_engine.c: libFuzzer harness for what the Docker engine's API says
 * (engine.c).  The first byte chooses: 'r' an HTTP response fed in pieces
 * whose sizes the second byte seeds, its body split into event lines; 'n'
 * a network object (GET /networks/ID); anything else an event line.
 *
 * Oracles: the response parser never hands out more body than its bound,
 * and once complete or failed it stays so; a network accepted for
 * announcing has 1..4 subnets that are network prefixes which split in two
 * halves inside them, a bridge name that fits an interface name, and a
 * 64-hex ID; an error always says why; an event with an action has an ID.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz_engine.c src/engine.c src/http.c src/api.c \
 *       src/metrics.c src/addr.c src/log.c -lcjson -levent -o fuzz_engine
 *   ./fuzz_engine -max_total_time=60 tests/fuzz/corpus/engine
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_engine: INVARIANT %s (line %d)\n",	\
		    #c, __LINE__);					\
		abort();						\
	}								\
} while (0)

#define BODY_MAX 4096

struct got {
	size_t body;
	size_t lines;
	struct engine_lines l;
};

static int
on_line(void *arg, const char *p, size_t n)
{
	enum engine_action act;
	char id[ENGINE_ID_LEN + 1], err[128];
	int r;

	(void)arg;
	CHECK(n > 0 && n <= ENGINE_LINE_MAX);
	err[0] = '\0';
	r = engine_event_parse(p, n, &act, id, err, sizeof(err));
	CHECK(r == 0 || (r == -EINVAL && err[0] != '\0'));
	CHECK(act == ENGINE_EV_OTHER || strlen(id) == ENGINE_ID_LEN);
	return 0;
}

static int
sink(void *arg, const char *p, size_t n)
{
	struct got *g = arg;

	g->body += n;
	return engine_lines_feed(&g->l, p, n);
}

static void
response(const uint8_t *d, size_t n)
{
	static struct engine_resp r;
	struct got g;
	unsigned seed = n > 0 ? d[0] : 1;
	size_t off = 1, k;
	int e = 0;

	memset(&g, 0, sizeof(g));
	g.l.fn = on_line;
	engine_resp_init(&r, BODY_MAX, sink, &g);
	while (off < n && e == 0) {
		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 97;
		if (k > n - off)
			k = n - off;
		e = engine_resp_feed(&r, (const char *)d + off, k);
		off += k;
	}
	CHECK(e == 0 || e == 1 || e == -EBADMSG || e == -EMSGSIZE ||
	    e == -ENOMEM);
	CHECK(g.body <= BODY_MAX);
	if (e == 1) {
		CHECK(engine_resp_head_done(&r));
		CHECK(engine_resp_feed(&r, "x", 1) == 1);
		CHECK(engine_resp_eof(&r) == 1);
	}
	engine_lines_free(&g.l);
}

static void
network(const uint8_t *d, size_t n)
{
	struct engine_defaults defs = { 100, 0, false, 0 };
	struct engine_net net;
	struct ipprefix h[2];
	char err[256];
	cJSON *o = cJSON_ParseWithLength((const char *)d, n);
	size_t i;
	int r;

	if (o == NULL)
		return;
	err[0] = '\0';
	r = engine_net_parse(o, &defs, &net, err, sizeof(err));
	CHECK(r == 0 || r == 1 || r == -EINVAL);
	if (r == -EINVAL)
		CHECK(err[0] != '\0');
	if (r == 1) {
		CHECK(strlen(net.id) == ENGINE_ID_LEN);
		CHECK(net.bridge[0] != '\0' && strlen(net.bridge) < IFNAMSIZ);
		CHECK(net.nsubnets >= 1 && net.nsubnets <= ENGINE_MAX_SUBNETS);
		for (i = 0; i < net.nsubnets; i++) {
			CHECK(prefix_is_network(&net.subnets[i]));
			CHECK(engine_halves(&net.subnets[i], h) == 0);
			CHECK(prefix_covers(&net.subnets[i], &h[0]));
			CHECK(prefix_covers(&net.subnets[i], &h[1]));
			CHECK(!prefix_overlaps(&h[0], &h[1]));
		}
	}
	cJSON_Delete(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] == 'r')
		response(data + 1, size - 1);
	else if (data[0] == 'n')
		network(data + 1, size - 1);
	else if (size > 1 && size - 1 <= ENGINE_LINE_MAX)
		on_line(NULL, (const char *)data + 1, size - 1);
	return 0;
}
