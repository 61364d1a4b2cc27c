/* SPDX-License-Identifier: MIT */
/*
 * test_stream.c: route stream frames (stream.c) against vectors derived by
 * hand from the protobuf wire format and proto/routed.proto, round trips,
 * every truncation of valid frames, garbage, and one bad field at a time.
 *
 * Wire format reminders: a field's key is (number << 3) | wire type, with
 * wire type 0 for varints and 2 for length-delimited (strings, messages);
 * proto3 leaves fields at their zero value out; protobuf-c writes fields
 * in number order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "proto/routed.pb-c.h"
#include "route.h"
#include "stream.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Envelope { update (3) = RouteUpdate { epoch (1) = 1, seq (2) = 2,
 * op (3) = OP_ADD (1), route (4) = Route { prefix (1) = "10.46.1.7/32",
 * kind (2) = HOST (1), ifname (3) = "rt0", gateway (4) empty: left out,
 * tag (5) = 100, metric (6) = 55, has_metric (7) = true, distance (8) =
 * 20, network_id (9) = "n1", endpoint_id (10) = "e1" } } }.
 * Route: 14 + 2 + 5 + 2 + 2 + 2 + 2 + 4 + 4 = 37 bytes; RouteUpdate:
 * 2 + 2 + 2 + (2 + 37) = 45; Envelope: 2 + 45 = 47.
 */
static const uint8_t v_update[] = {
	0x1a, 0x2d,			/* Envelope.update (3), LEN 45 */
	0x08, 0x01,			/* RouteUpdate.epoch (1) = 1 */
	0x10, 0x02,			/* .seq (2) = 2 */
	0x18, 0x01,			/* .op (3) = OP_ADD */
	0x22, 0x25,			/* .route (4), LEN 37 */
	0x0a, 0x0c,			/* Route.prefix (1), LEN 12 */
	'1', '0', '.', '4', '6', '.', '1', '.', '7', '/', '3', '2',
	0x10, 0x01,			/* .kind (2) = ROUTE_KIND_HOST */
	0x1a, 0x03, 'r', 't', '0',	/* .ifname (3) */
	0x28, 0x64,			/* .tag (5) = 100 */
	0x30, 0x37,			/* .metric (6) = 55 */
	0x38, 0x01,			/* .has_metric (7) = true */
	0x40, 0x14,			/* .distance (8) = 20 */
	0x4a, 0x02, 'n', '1',		/* .network_id (9) */
	0x52, 0x02, 'e', '1',		/* .endpoint_id (10) */
};

/*
 * Envelope.update: WITHDRAW (2) of 10.46.0.0/16, epoch 1, seq 3; the
 * Route has its prefix only: 2 + 12 = 14; RouteUpdate 6 + 2 + 14 = 22.
 */
static const uint8_t v_withdraw[] = {
	0x1a, 0x16,
	0x08, 0x01, 0x10, 0x03, 0x18, 0x02,
	0x22, 0x0e, 0x0a, 0x0c,
	'1', '0', '.', '4', '6', '.', '0', '.', '0', '/', '1', '6',
};

/*
 * Envelope.heartbeat (4) { epoch (1) = 0x102, seq (2) = 300 }: varints
 * 0x102 = 0x82 0x02 and 300 = 0xac 0x02.
 */
static const uint8_t v_heartbeat[] = {
	0x22, 0x06, 0x08, 0x82, 0x02, 0x10, 0xac, 0x02,
};

/* Envelope.snapshot_request (1), an empty message: still sent. */
static const uint8_t v_request[] = { 0x0a, 0x00 };

static void
mkroute(struct route *r, const char *prefix, enum route_kind kind,
    const char *ifname)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(prefix_parse(prefix, &r->prefix), 0);
	r->kind = kind;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->tag = 100;
	snprintf(r->network_id, sizeof(r->network_id), "4330aa%058d", 0);
	if (kind == ROUTE_HOST)
		snprintf(r->endpoint_id, sizeof(r->endpoint_id), "b60d82%058d",
		    7);
}

static bool
same_route(const struct route *a, const struct route *b)
{
	return stream_route_same(a, b) && a->metric == b->metric;
}

/* Decoded: the message must be one the encoder could have produced. */
static void
check_valid(const struct stream_msg *m)
{
	const struct route *const *ptrs;
	struct route *rs;
	struct stream_msg back;
	uint8_t *p;
	size_t len, i;

	switch (m->type) {
	case STREAM_SNAPSHOT_REQUEST:
		assert_int_equal(stream_request_encode(&p, &len), 0);
		break;
	case STREAM_HEARTBEAT:
		assert_int_equal(stream_heartbeat_encode(m->epoch, m->seq, &p,
		    &len), 0);
		break;
	case STREAM_UPDATE:
		assert_true(m->epoch != 0 && m->seq != 0);
		assert_int_equal(stream_update_encode(m->epoch, m->seq, m->op,
		    &m->route, &p, &len), 0);
		break;
	case STREAM_SNAPSHOT:
		rs = m->routes;
		ptrs = calloc(m->nroutes + 1, sizeof(*ptrs));
		assert_non_null(ptrs);
		for (i = 0; i < m->nroutes; i++)
			((const struct route **)ptrs)[i] = &rs[i];
		assert_int_equal(stream_snapshot_encode(m->epoch, m->seq, ptrs,
		    m->nroutes, &p, &len), 0);
		free((void *)ptrs);
		break;
	default:
		fail();
	}
	assert_int_equal(stream_decode(p, len, &back), 0);
	free(p);
	assert_int_equal(back.type, m->type);
	assert_true(back.epoch == m->epoch && back.seq == m->seq);
	if (m->type == STREAM_UPDATE) {
		assert_int_equal(back.op, m->op);
		assert_true(same_route(&back.route, &m->route));
	}
	assert_int_equal(back.nroutes, m->nroutes);
	for (i = 0; i < m->nroutes; i++)
		assert_true(same_route(&back.routes[i], &m->routes[i]));
	stream_msg_free(&back);
}

/* Any input: a clean failure, or a valid message. */
static void
decode_any(const uint8_t *p, size_t n)
{
	struct stream_msg m;
	int ret = stream_decode(p, n, &m);

	assert_true(ret == 0 || ret == -EBADMSG || ret == -ENOMSG);
	if (ret == 0)
		check_valid(&m);
	else
		assert_null(m.routes);
	stream_msg_free(&m);
}

static void
test_vectors(void **state)
{
	struct stream_msg m;
	struct route r, want;
	uint8_t *p;
	size_t len;

	memset(&r, 0, sizeof(r));
	assert_int_equal(prefix_parse("10.46.1.7/32", &r.prefix), 0);
	r.kind = ROUTE_HOST;
	strcpy(r.ifname, "rt0");
	r.tag = 100;
	r.metric = 55;
	r.has_metric = true;
	r.distance = 20;
	strcpy(r.network_id, "n1");
	strcpy(r.endpoint_id, "e1");
	want = r;

	assert_int_equal(stream_update_encode(1, 2, STREAM_ADD, &r, &p, &len), 0);
	assert_int_equal(len, sizeof(v_update));
	assert_memory_equal(p, v_update, len);
	free(p);
	assert_int_equal(stream_decode(v_update, sizeof(v_update), &m), 0);
	assert_int_equal(m.type, STREAM_UPDATE);
	assert_int_equal(m.op, STREAM_ADD);
	assert_true(m.epoch == 1 && m.seq == 2);
	assert_true(same_route(&m.route, &want));
	stream_msg_free(&m);

	/* A withdrawal carries the prefix only, whatever else r holds. */
	assert_int_equal(prefix_parse("10.46.0.0/16", &r.prefix), 0);
	assert_int_equal(stream_update_encode(1, 3, STREAM_WITHDRAW, &r, &p,
	    &len), 0);
	assert_int_equal(len, sizeof(v_withdraw));
	assert_memory_equal(p, v_withdraw, len);
	free(p);
	assert_int_equal(stream_decode(v_withdraw, sizeof(v_withdraw), &m), 0);
	assert_int_equal(m.op, STREAM_WITHDRAW);
	assert_int_equal(m.route.prefix.plen, 16);
	assert_string_equal(m.route.ifname, "");
	stream_msg_free(&m);

	assert_int_equal(stream_heartbeat_encode(0x102, 300, &p, &len), 0);
	assert_int_equal(len, sizeof(v_heartbeat));
	assert_memory_equal(p, v_heartbeat, len);
	free(p);
	assert_int_equal(stream_decode(v_heartbeat, sizeof(v_heartbeat), &m), 0);
	assert_int_equal(m.type, STREAM_HEARTBEAT);
	assert_true(m.epoch == 0x102 && m.seq == 300);

	assert_int_equal(stream_request_encode(&p, &len), 0);
	assert_int_equal(len, sizeof(v_request));
	assert_memory_equal(p, v_request, len);
	free(p);
	assert_int_equal(stream_decode(v_request, sizeof(v_request), &m), 0);
	assert_int_equal(m.type, STREAM_SNAPSHOT_REQUEST);
}

static void
test_roundtrip(void **state)
{
	struct route rs[6];
	const struct route *ptrs[NELEM(rs)];
	struct stream_msg m;
	uint8_t *p;
	size_t len, i;

	mkroute(&rs[0], "10.46.1.7/32", ROUTE_HOST, "rt0123abcd4567");
	mkroute(&rs[1], "fd46::7/128", ROUTE_HOST, "rt0123abcd4568");
	mkroute(&rs[2], "10.46.0.0/16", ROUTE_AGGREGATE, "");
	mkroute(&rs[3], "fd46::/64", ROUTE_AGGREGATE, "");
	mkroute(&rs[4], "0.0.0.0/0", ROUTE_HOST, "abcdefghijklmno");
	rs[4].metric = UINT32_MAX;
	rs[4].has_metric = true;
	rs[4].distance = 255;
	rs[4].tag = UINT32_MAX;
	memset(rs[4].network_id, 'f', ROUTE_ID_MAX);	/* the longest ids */
	memset(rs[4].endpoint_id, 'e', ROUTE_ID_MAX);
	mkroute(&rs[5], "fd46:1:2:3:4:5:6:7/128", ROUTE_HOST, "x");
	rs[5].tag = 0;
	rs[5].network_id[0] = '\0';
	rs[5].endpoint_id[0] = '\0';
	rs[5].metric = 9;	/* not used: it does not travel */

	for (i = 0; i < NELEM(rs); i++) {
		assert_int_equal(stream_update_encode(UINT64_MAX, i + 1,
		    STREAM_ADD, &rs[i], &p, &len), 0);
		assert_int_equal(stream_decode(p, len, &m), 0);
		free(p);
		assert_true(m.epoch == UINT64_MAX && m.seq == i + 1);
		assert_true(stream_route_same(&m.route, &rs[i]));
		assert_int_equal(m.route.metric, rs[i].has_metric ?
		    rs[i].metric : 0);
		check_valid(&m);
		stream_msg_free(&m);
		ptrs[i] = &rs[i];
	}
	assert_int_equal(stream_snapshot_encode(7, 42, ptrs, NELEM(rs), &p,
	    &len), 0);
	assert_int_equal(stream_decode(p, len, &m), 0);
	free(p);
	assert_int_equal(m.type, STREAM_SNAPSHOT);
	assert_true(m.epoch == 7 && m.seq == 42);
	assert_int_equal(m.nroutes, NELEM(rs));
	for (i = 0; i < NELEM(rs); i++)
		assert_true(stream_route_same(&m.routes[i], &rs[i]));
	stream_msg_free(&m);

	/* An empty table: epoch and seq only. */
	assert_int_equal(stream_snapshot_encode(7, 0, NULL, 0, &p, &len), 0);
	assert_int_equal(stream_decode(p, len, &m), 0);
	free(p);
	assert_int_equal(m.type, STREAM_SNAPSHOT);
	assert_int_equal(m.nroutes, 0);
	assert_null(m.routes);
}

/* 10,000 host routes with Docker's 64-character ids: 1.7 MB, one message. */
static void
test_big_snapshot(void **state)
{
	enum { N = 10000 };
	struct route *rs = calloc(N, sizeof(*rs));
	const struct route **ptrs = calloc(N, sizeof(*ptrs));
	struct stream_msg m;
	char pfx[32], ifname[IFNAMSIZ];
	uint8_t *p;
	size_t len, i;

	assert_non_null(rs);
	assert_non_null(ptrs);
	for (i = 0; i < N; i++) {
		snprintf(pfx, sizeof(pfx), "10.%zu.%zu.%zu/32", 46 + i / 65536,
		    (i / 256) % 256, i % 256);
		snprintf(ifname, sizeof(ifname), "rt%012zx", i);
		mkroute(&rs[i], pfx, ROUTE_HOST, ifname);
		ptrs[i] = &rs[i];
	}
	assert_int_equal(stream_snapshot_encode(9, 12345, ptrs, N, &p, &len), 0);
	print_message("snapshot of %d routes: %zu bytes\n", N, len);
	assert_true(len > 1000000 && len < 2000000);
	assert_int_equal(stream_decode(p, len, &m), 0);
	free(p);
	assert_int_equal(m.nroutes, N);
	for (i = 0; i < N; i++)
		assert_true(same_route(&m.routes[i], &rs[i]));
	stream_msg_free(&m);
	free(ptrs);
	free(rs);
}

static void
test_truncations(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t n;
	} frames[] = {
		{ v_update, sizeof(v_update) },
		{ v_withdraw, sizeof(v_withdraw) },
		{ v_heartbeat, sizeof(v_heartbeat) },
		{ v_request, sizeof(v_request) },
	};
	struct route rs[3];
	const struct route *ptrs[3] = { &rs[0], &rs[1], &rs[2] };
	struct stream_msg m;
	uint8_t *p, *copy;
	size_t len, i, cut;

	for (i = 0; i < NELEM(frames); i++) {
		for (cut = 0; cut < frames[i].n; cut++) {
			/* An exact-size copy, so ASan sees any over-read. */
			copy = malloc(cut + 1);
			memcpy(copy, frames[i].p, cut);
			decode_any(copy, cut);
			free(copy);
		}
	}
	/* Every truncation of a snapshot; whole routes may survive. */
	mkroute(&rs[0], "10.46.1.7/32", ROUTE_HOST, "rt0");
	mkroute(&rs[1], "10.46.0.0/16", ROUTE_AGGREGATE, "");
	mkroute(&rs[2], "fd46::7/128", ROUTE_HOST, "rt1");
	assert_int_equal(stream_snapshot_encode(5, 6, ptrs, 3, &p, &len), 0);
	for (cut = 0; cut < len; cut++) {
		copy = malloc(cut + 1);
		memcpy(copy, p, cut);
		decode_any(copy, cut);
		free(copy);
	}
	/* The empty frame is an Envelope without a body. */
	assert_int_equal(stream_decode(p, 0, &m), -ENOMSG);
	free(p);
	/* Cut in the middle of the update: the outer length overruns. */
	assert_int_equal(stream_decode(v_update, sizeof(v_update) - 1, &m),
	    -EBADMSG);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
test_garbage(void **state)
{
	uint8_t buf[512];
	size_t n, i, k, len;
	uint8_t *p;
	int round;

	for (round = 0; round < 20000; round++) {
		n = xorshift() % sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)xorshift();
		/* Half of them start like an update, to get past the key. */
		if (round % 2 && n > 2) {
			buf[0] = 0x1a;
			buf[1] = (uint8_t)(n - 2 < 127 ? n - 2 : 127);
		}
		decode_any(buf, n);
	}
	/* Bit flips and byte changes in valid frames. */
	for (round = 0; round < 20000; round++) {
		len = sizeof(v_update);
		memcpy(buf, v_update, len);
		for (k = 0; k < 1 + xorshift() % 3; k++)
			buf[xorshift() % len] ^= (uint8_t)(1u << (xorshift() % 8));
		decode_any(buf, len);
	}
	/* A known field with the wrong wire type: varint for a message. */
	p = (uint8_t []){ 0x1a, 0x01 };
	decode_any(p, 2);
	assert_int_equal(stream_decode((const uint8_t []){ 0x18, 0x01 }, 2,
	    &(struct stream_msg){ 0 }), -EBADMSG);
}

/* An unknown body (field 15): a newer peer, not garbage. */
static void
test_unknown_body(void **state)
{
	static const uint8_t unknown[] = { 0x7a, 0x02, 0x08, 0x01 };
	static const uint8_t both[] = {	/* unknown field, then a request */
		0x7a, 0x00, 0x0a, 0x00,
	};
	struct stream_msg m;

	assert_int_equal(stream_decode(unknown, sizeof(unknown), &m), -ENOMSG);
	assert_int_equal(stream_decode(both, sizeof(both), &m), 0);
	assert_int_equal(m.type, STREAM_SNAPSHOT_REQUEST);
}

/* Pack env with protobuf-c itself and decode it. */
static int
decode_pb(const Routed__V1__Envelope *env)
{
	struct stream_msg m;
	size_t n = routed__v1__envelope__get_packed_size(env);
	uint8_t *p = malloc(n + 1);
	int ret;

	assert_non_null(p);
	assert_int_equal(routed__v1__envelope__pack(env, p), n);
	ret = stream_decode(p, n, &m);
	free(p);
	stream_msg_free(&m);
	return ret;
}

static char long_id[ROUTE_ID_MAX + 2];
static char max_id[ROUTE_ID_MAX + 1];

static void
test_bad_fields(void **state)
{
	static const struct {
		const char *what;
		const char *prefix;
		int kind;
		const char *ifname;
		const char *gateway;
		uint32_t distance;
		int long_net, long_ep;
		const char *net;
		int ret;
	} cases[] = {
		{ "good", "10.46.1.7/32", 1, "rt0", "", 0, 0, 0, "n", 0 },
		{ "good v6", "fd46::7/128", 1, "rt0", "fd46::1", 255, 0, 0, "n", 0 },
		{ "longest ids", "10.46.1.7/32", 1, "rt0", "", 0, -1, -1, "n", 0 },
		{ "aggregate", "10.46.0.0/16", 2, "", "10.0.0.1", 0, 0, 0, "n", 0 },
		{ "plen 33", "10.46.1.7/33", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "plen 129", "fd46::7/129", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "no plen", "10.46.1.7", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "empty plen", "10.46.1.7/", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "host bits", "10.46.1.7/24", 2, "", "", 0, 0, 0, "n", -EBADMSG },
		{ "host bits /23", "10.46.1.0/23", 2, "", "", 0, 0, 0, "n", -EBADMSG },
		{ "host bits v6", "fd46::7/64", 2, "", "", 0, 0, 0, "n", -EBADMSG },
		{ "empty prefix", "", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "trailing", "10.46.1.7/32x", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "leading space", " 10.46.1.7/32", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "not an address", "10.46.1.256/32", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "signed plen", "10.46.1.7/+32", 1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "kind 0", "10.46.1.7/32", 0, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "kind 3", "10.46.1.7/32", 3, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "kind -1", "10.46.1.7/32", -1, "rt0", "", 0, 0, 0, "n", -EBADMSG },
		{ "host, no ifname", "10.46.1.7/32", 1, "", "", 0, 0, 0, "n", -EBADMSG },
		{ "ifname 16", "10.46.1.7/32", 1, "abcdefghijklmnop", "", 0, 0, 0, "n", -EBADMSG },
		{ "ifname space", "10.46.1.7/32", 1, "rt 0", "", 0, 0, 0, "n", -EBADMSG },
		{ "ifname slash", "10.46.1.7/32", 1, "rt/0", "", 0, 0, 0, "n", -EBADMSG },
		{ "ifname control", "10.46.1.7/32", 1, "rt\x01", "", 0, 0, 0, "n", -EBADMSG },
		{ "ifname 8 bit", "10.46.1.7/32", 1, "rt\xc3\xa9", "", 0, 0, 0, "n", -EBADMSG },
		{ "gateway junk", "10.46.1.7/32", 1, "rt0", "gw", 0, 0, 0, "n", -EBADMSG },
		{ "gateway family", "10.46.1.7/32", 1, "rt0", "fd46::1", 0, 0, 0, "n", -EBADMSG },
		{ "distance 256", "10.46.1.7/32", 1, "rt0", "", 256, 0, 0, "n", -EBADMSG },
		{ "network id 129", "10.46.1.7/32", 1, "rt0", "", 0, 1, 0, "n", -EBADMSG },
		{ "endpoint id 129", "10.46.1.7/32", 1, "rt0", "", 0, 0, 1, "n", -EBADMSG },
		{ "network id space", "10.46.1.7/32", 1, "rt0", "", 0, 0, 0, "a b", -EBADMSG },
		{ "network id newline", "10.46.1.7/32", 1, "rt0", "", 0, 0, 0, "a\n", -EBADMSG },
	};
	Routed__V1__Envelope env = ROUTED__V1__ENVELOPE__INIT;
	Routed__V1__RouteUpdate up = ROUTED__V1__ROUTE_UPDATE__INIT;
	Routed__V1__Snapshot snap = ROUTED__V1__SNAPSHOT__INIT;
	Routed__V1__Heartbeat hb = ROUTED__V1__HEARTBEAT__INIT;
	Routed__V1__Route pr, good, *prs[3];
	size_t i;

	memset(long_id, 'a', ROUTE_ID_MAX + 1);
	memset(max_id, 'a', ROUTE_ID_MAX);
	for (i = 0; i < NELEM(cases); i++) {
		routed__v1__route__init(&pr);
		pr.prefix = (char *)cases[i].prefix;
		pr.kind = (Routed__V1__RouteKind)cases[i].kind;
		pr.ifname = (char *)cases[i].ifname;
		pr.gateway = (char *)cases[i].gateway;
		pr.distance = cases[i].distance;
		pr.network_id = cases[i].long_net > 0 ? long_id :
		    cases[i].long_net < 0 ? max_id : (char *)cases[i].net;
		pr.endpoint_id = cases[i].long_ep > 0 ? long_id :
		    cases[i].long_ep < 0 ? max_id : (char *)"";
		up.epoch = 1;
		up.seq = 1;
		up.op = ROUTED__V1__OP__OP_ADD;
		up.route = &pr;
		env.body_case = ROUTED__V1__ENVELOPE__BODY_UPDATE;
		env.update = &up;
		print_message("%s\n", cases[i].what);
		assert_int_equal(decode_pb(&env), cases[i].ret);
		/* The same route in a snapshot, after a good one. */
		routed__v1__route__init(&good);
		good.prefix = (char *)"10.9.9.9/32";
		good.kind = ROUTED__V1__ROUTE_KIND__ROUTE_KIND_AGGREGATE;
		prs[0] = &good;
		prs[1] = &pr;
		snap.epoch = 1;
		snap.n_routes = 2;
		snap.routes = prs;
		env.body_case = ROUTED__V1__ENVELOPE__BODY_SNAPSHOT;
		env.snapshot = &snap;
		assert_int_equal(decode_pb(&env), cases[i].ret);
	}

	/* The update itself. */
	routed__v1__route__init(&pr);
	pr.prefix = (char *)"10.46.1.7/32";
	pr.kind = ROUTED__V1__ROUTE_KIND__ROUTE_KIND_HOST;
	pr.ifname = (char *)"rt0";
	env.body_case = ROUTED__V1__ENVELOPE__BODY_UPDATE;
	env.update = &up;
	up.route = &pr;
	up.epoch = 0;
	assert_int_equal(decode_pb(&env), -EBADMSG);	/* epoch 0 */
	up.epoch = 1;
	up.seq = 0;
	assert_int_equal(decode_pb(&env), -EBADMSG);	/* seq 0 */
	up.seq = 1;
	up.op = ROUTED__V1__OP__OP_UNSPECIFIED;
	assert_int_equal(decode_pb(&env), -EBADMSG);
	up.op = (Routed__V1__Op)3;
	assert_int_equal(decode_pb(&env), -EBADMSG);
	up.op = ROUTED__V1__OP__OP_ADD;
	up.route = NULL;
	assert_int_equal(decode_pb(&env), -EBADMSG);	/* no route */
	/* A withdrawal needs no kind or ifname, but a good prefix. */
	up.op = ROUTED__V1__OP__OP_WITHDRAW;
	up.route = &pr;
	pr.kind = ROUTED__V1__ROUTE_KIND__ROUTE_KIND_UNSPECIFIED;
	pr.ifname = (char *)"";
	assert_int_equal(decode_pb(&env), 0);
	pr.prefix = (char *)"10.46.1.7/31";
	assert_int_equal(decode_pb(&env), -EBADMSG);
	pr.prefix = (char *)"10.46.1.6/31";
	pr.network_id = long_id;
	assert_int_equal(decode_pb(&env), -EBADMSG);

	/* Epoch 0 elsewhere. */
	env.body_case = ROUTED__V1__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	assert_int_equal(decode_pb(&env), -EBADMSG);
	hb.epoch = 1;
	assert_int_equal(decode_pb(&env), 0);
	env.body_case = ROUTED__V1__ENVELOPE__BODY_SNAPSHOT;
	env.snapshot = &snap;
	snap.epoch = 0;
	snap.n_routes = 0;
	assert_int_equal(decode_pb(&env), -EBADMSG);
}

/* Lengths from the wire are not trusted: overruns and amplification. */
static void
test_bounds(void **state)
{
	/* Outer length 0x7f over a 4-byte body. */
	static const uint8_t overrun[] = { 0x1a, 0x7f, 0x08, 0x01, 0x10, 0x01 };
	/* A 10-byte varint length (2^63): larger than anything. */
	static const uint8_t huge[] = {
		0x1a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
	};
	struct stream_msg m;
	uint8_t *p;
	size_t n, i, body, v;

	assert_int_equal(stream_decode(overrun, sizeof(overrun), &m), -EBADMSG);
	assert_int_equal(stream_decode(huge, sizeof(huge), &m), -EBADMSG);
	assert_int_equal(stream_decode(v_request, STREAM_MAX_FRAME + 1, &m),
	    -EBADMSG);	/* refused before a byte is read */

	/*
	 * A snapshot of 1,000,000 empty routes: 2 bytes each on the wire,
	 * ~100 each unpacked.  Refused by the count or the memory budget.
	 */
	body = 2 + 2 * 999999;		/* epoch, then empty routes */
	p = malloc(16 + body);
	assert_non_null(p);
	n = 0;
	p[n++] = 0x12;			/* Envelope.snapshot (2), LEN */
	for (v = body; v >= 0x80; v >>= 7)
		p[n++] = (uint8_t)(v | 0x80);
	p[n++] = (uint8_t)v;
	p[n++] = 0x08;			/* Snapshot.epoch (1) = 1 */
	p[n++] = 0x01;
	for (i = 0; i < 999999; i++) {
		p[n++] = 0x1a;		/* Snapshot.routes (3), LEN 0 */
		p[n++] = 0x00;
	}
	decode_any(p, n);
	assert_int_equal(stream_decode(p, n, &m), -EBADMSG);
	free(p);
}

static void
test_encode_refuses(void **state)
{
	struct route r;
	uint8_t *p = NULL;
	size_t len;
	const struct route *ptrs[1] = { &r };

	mkroute(&r, "10.46.1.7/32", ROUTE_HOST, "rt0");
	assert_int_equal(stream_update_encode(0, 1, STREAM_ADD, &r, &p, &len),
	    -EINVAL);
	assert_int_equal(stream_update_encode(1, 1, (enum stream_op)0, &r, &p,
	    &len), -EINVAL);
	assert_int_equal(stream_heartbeat_encode(0, 1, &p, &len), -EINVAL);
	r.prefix.plen = 24;	/* host bits */
	assert_int_equal(stream_update_encode(1, 1, STREAM_ADD, &r, &p, &len),
	    -EINVAL);
	assert_int_equal(stream_update_encode(1, 1, STREAM_WITHDRAW, &r, &p,
	    &len), -EINVAL);
	assert_int_equal(stream_snapshot_encode(1, 1, ptrs, 1, &p, &len),
	    -EINVAL);
	mkroute(&r, "10.46.1.7/32", ROUTE_HOST, "");
	assert_int_equal(stream_route_check(&r), -EINVAL);
	memset(r.ifname, 'a', sizeof(r.ifname));	/* not terminated */
	assert_int_equal(stream_route_check(&r), -EINVAL);
	mkroute(&r, "10.46.1.7/32", ROUTE_HOST, "rt0");
	memset(r.network_id, 'a', sizeof(r.network_id));
	assert_int_equal(stream_route_check(&r), -EINVAL);
	mkroute(&r, "10.46.1.7/32", (enum route_kind)7, "rt0");
	assert_int_equal(stream_route_check(&r), -EINVAL);
	mkroute(&r, "10.46.1.7/32", ROUTE_HOST, "rt0");
	r.prefix.addr.family = AF_UNIX;
	assert_int_equal(stream_route_check(&r), -EINVAL);
	assert_null(p);
}

static void
test_endpoints(void **state)
{
	static const char *good[] = {
		"ipc:///run/routed-plugin/routes.sock", "ipc:///x",
		"tcp://127.0.0.1:5555", "tcp://*:1", "tcp://[::1]:65535",
		"tcp://helper.example:7000",
	};
	static const char *bad[] = {
		"", "ipc://", "ipc://relative", "ipc:///", "ipc:///a b",
		"inproc://x", "udp://1.2.3.4:5", "tcp://", "tcp://host",
		"tcp://:5555", "tcp://host:0", "tcp://host:65536",
		"tcp://host:-1", "tcp://host:12x", "tcp://host:123456",
		"/run/routed-plugin/routes.sock",
	};
	char path[200];
	size_t i;

	for (i = 0; i < NELEM(good); i++)
		assert_int_equal(stream_endpoint_check(good[i]), 0);
	for (i = 0; i < NELEM(bad); i++)
		assert_int_equal(stream_endpoint_check(bad[i]), -EINVAL);
	/* sun_path holds 107 characters and the NUL. */
	snprintf(path, sizeof(path), "ipc:///%0106d", 0);
	assert_int_equal(stream_endpoint_check(path), 0);
	snprintf(path, sizeof(path), "ipc:///%0107d", 0);
	assert_int_equal(stream_endpoint_check(path), -EINVAL);
	assert_string_equal(stream_endpoint_path("ipc:///a/b"), "/a/b");
	assert_null(stream_endpoint_path("tcp://a:1"));
	assert_int_equal(stream_endpoint_check(STREAM_DEFAULT_ENDPOINT), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_big_snapshot),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_unknown_body),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_endpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
