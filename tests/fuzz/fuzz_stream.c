/* SPDX-License-Identifier: MIT */
/*
 * fuzz_stream.c: libFuzzer harness for the route stream decoder.
 *
 * The input is one ZeroMQ frame as a helper or the plugin would receive
 * it.  Decoding must fail cleanly (-EBADMSG, -ENOMSG) or give a message
 * the encoders accept, which must decode again to the same message (a
 * round-trip oracle).  protoc-c output goes to a build directory:
 *
 *   protoc-c --c_out=/tmp/gen proto/routed.proto
 *   clang -g -fsanitize=fuzzer,address,undefined -I. -Isrc -I/tmp/gen \
 *       src/addr.c src/stream.c /tmp/gen/proto/routed.pb-c.c \
 *       tests/fuzz/fuzz_stream.c -lprotobuf-c -o fuzz_stream
 *   cp -r tests/fuzz/corpus/stream /tmp/corpus-stream
 *   ./fuzz_stream -max_total_time=30 /tmp/corpus-stream
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const struct route *a, const struct route *b)
{
	return stream_route_same(a, b) && a->metric == b->metric;
}

static void
roundtrip(const struct stream_msg *m)
{
	const struct route **ptrs = NULL;
	struct stream_msg back;
	uint8_t *p;
	size_t len, i;
	int ret;

	switch (m->type) {
	case STREAM_SNAPSHOT_REQUEST:
		ret = stream_request_encode(&p, &len);
		break;
	case STREAM_HEARTBEAT:
		ret = stream_heartbeat_encode(m->epoch, m->seq, &p, &len);
		break;
	case STREAM_UPDATE:
		if (m->op == STREAM_ADD && stream_route_check(&m->route) != 0)
			abort();
		ret = stream_update_encode(m->epoch, m->seq, m->op, &m->route,
		    &p, &len);
		break;
	case STREAM_SNAPSHOT:
		if (m->nroutes > 0 &&
		    (ptrs = calloc(m->nroutes, sizeof(*ptrs))) == NULL)
			return;
		for (i = 0; i < m->nroutes; i++) {
			if (stream_route_check(&m->routes[i]) != 0)
				abort();
			ptrs[i] = &m->routes[i];
		}
		ret = stream_snapshot_encode(m->epoch, m->seq, ptrs, m->nroutes,
		    &p, &len);
		free(ptrs);
		break;
	default:
		abort();
	}
	if (ret == -ENOMEM)
		return;
	if (ret != 0)
		abort();	/* decoded, but the encoder refuses it */
	ret = stream_decode(p, len, &back);
	free(p);
	if (ret == -ENOMEM)
		return;
	if (ret != 0 || back.type != m->type || back.epoch != m->epoch ||
	    back.seq != m->seq || back.nroutes != m->nroutes)
		abort();
	if (m->type == STREAM_UPDATE && (back.op != m->op ||
	    !same(&back.route, &m->route)))
		abort();
	for (i = 0; i < m->nroutes; i++)
		if (!same(&back.routes[i], &m->routes[i]))
			abort();
	stream_msg_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_msg m;
	int ret;

	ret = stream_decode(data, size, &m);
	if (ret == 0)
		roundtrip(&m);
	else if (ret != -EBADMSG && ret != -ENOMSG && ret != -ENOMEM)
		abort();
	else if (m.routes != NULL || m.nroutes != 0)
		abort();	/* a failure leaves nothing behind */
	stream_msg_free(&m);
	return 0;
}
