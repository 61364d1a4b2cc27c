/* SPDX-License-Identifier: MIT */
/*
 * fuzz_zapi.c: libFuzzer harness for the ZAPI decoders.
 *
 * The input is treated as a byte stream from zebra: it is framed message
 * by message as the daemon would, and every body goes through every
 * decoder of every dialect.  A route that decodes and can be encoded again
 * in the same dialect must decode to the same route (a round-trip oracle;
 * Quagga 1.2, whose redistribution layout is not what a client sends, is
 * framed in its own 8-byte header and only has to encode or refuse).
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Isrc src/buf.c \
 *       src/zapi.c tests/fuzz/fuzz_zapi.c -o fuzz_zapi
 *   ./fuzz_zapi -max_total_time=30 tests/fuzz/corpus/zapi
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "zapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_route(const struct zapi_route *a, const struct zapi_route *b)
{
	uint16_t i;

	if (a->type != b->type || a->instance != b->instance ||
	    a->flags != b->flags || a->message != b->message ||
	    a->safi != b->safi || a->prefix.family != b->prefix.family ||
	    a->prefix.plen != b->prefix.plen ||
	    memcmp(a->prefix.bytes, b->prefix.bytes, 16) != 0 ||
	    a->src_plen != b->src_plen || memcmp(a->src, b->src, 16) != 0 ||
	    a->nexthop_num != b->nexthop_num || a->distance != b->distance ||
	    a->metric != b->metric || a->tag != b->tag || a->mtu != b->mtu ||
	    a->tableid != b->tableid)
		return 0;
	for (i = 0; i < a->nexthop_num; i++) {
		const struct zapi_nexthop *x = &a->nexthops[i];
		const struct zapi_nexthop *y = &b->nexthops[i];

		if (x->type != y->type || x->flags != y->flags ||
		    x->vrf_id != y->vrf_id || x->ifindex != y->ifindex ||
		    memcmp(x->gate, y->gate, 16) != 0 ||
		    x->bh_type != y->bh_type || x->weight != y->weight)
			return 0;
	}
	return 1;
}

/*
 * Quagga 1.2: what zebra redistributes is laid out unlike what a client
 * sends, so no round trip; a route that decodes must encode (ADD) or be
 * refused cleanly, and the encoding must frame in that dialect.
 */
static void
check_route_q12(const struct zapi_dialect *d, uint8_t family,
    const uint8_t *p, size_t n)
{
	static uint8_t out[ZAPI_Q_MAX_LEN];
	struct zapi_route r;
	struct zapi_hdr h;
	struct buf b, body;
	size_t len;
	int ret;

	buf_init_read(&body, p, n);
	ret = zapi_route_decode_af(d, family, &body, &r);
	if (ret != 0 && ret != -EBADMSG && ret != -E2BIG)
		abort();
	if (ret != 0)
		return;
	if (r.prefix.family != family || r.nexthop_num > ZAPI_NEXTHOP_MAX)
		abort();
	/* zebra's flags (SELECTED) are not a client's to send */
	r.flags = 0;
	buf_init(&b, out, sizeof(out));
	ret = zapi_route_encode(d, &b, ZAPI_ROUTE_ADD, &r);
	if (ret == -EINVAL)
		return;
	if (ret != 0 ||
	    zapi_frame_dialect(d, buf_data(&b), buf_len(&b), &len) != 0 ||
	    len != buf_len(&b) ||
	    zapi_msg_decode(d, buf_data(&b), len, &h, &body) != 0 ||
	    h.family != family)
		abort();
}

static void
check_route(const struct zapi_dialect *d, const uint8_t *p, size_t n)
{
	static uint8_t out[ZAPI_MAX_LEN];
	struct zapi_route r, back;
	struct zapi_hdr h;
	struct buf b, body;
	int ret;

	if (d->rt == ZAPI_RT_Q12) {
		check_route_q12(d, AF_INET, p, n);
		check_route_q12(d, AF_INET6, p, n);
	}
	buf_init_read(&body, p, n);
	ret = zapi_route_decode(d, &body, &r);
	if (ret != 0 && ret != -EBADMSG && ret != -E2BIG && ret != -EOPNOTSUPP)
		abort();
	if (ret != 0)
		return;
	buf_init(&b, out, sizeof(out));
	if (zapi_route_encode(d, &b, ZAPI_ROUTE_ADD, &r) != 0)
		return;
	if (zapi_msg_decode(d, buf_data(&b), buf_len(&b), &h, &body) != 0 ||
	    h.cmd != ZAPI_ROUTE_ADD ||
	    zapi_route_decode(d, &body, &back) != 0 || !same_route(&r, &back))
		abort();
}

/* Every decoder of every dialect on one body; each gets a fresh view. */
static void
decode_body(const uint8_t *p, size_t n)
{
	const struct zapi_dialect *const *all;
	struct zapi_interface ifp;
	struct zapi_notify note;
	struct zapi_caps caps;
	struct zapi_prefix rid;
	struct buf body;
	uint32_t code;
	size_t i, k;

	all = zapi_dialects(&k);
	for (i = 0; i < k; i++) {
		check_route(all[i], p, n);
		buf_init_read(&body, p, n);
		(void)zapi_notify_decode(all[i], &body, &note);
		buf_init_read(&body, p, n);
		(void)zapi_caps_decode(all[i], &body, &caps);
		buf_init_read(&body, p, n);
		(void)zapi_interface_decode(all[i], &body, &ifp);
	}
	buf_init_read(&body, p, n);
	(void)zapi_error_decode(&body, &code);
	buf_init_read(&body, p, n);
	(void)zapi_router_id_decode(&body, &rid);
}

/* The stream path, as the daemon reads from zebra in d's framing. */
static void
stream(const struct zapi_dialect *d, const uint8_t *data, size_t size)
{
	struct zapi_hdr h;
	struct buf body;
	size_t off = 0, msglen;
	int ret;

	while (off < size) {
		ret = zapi_frame_dialect(d, data + off, size - off, &msglen);
		if (ret == -EAGAIN || ret == -EBADMSG)
			break;
		if (ret != 0 || msglen < zapi_hdr_len(d) || msglen > size - off)
			abort();
		/* framed but not decodable, or named beyond the table */
		if (zapi_msg_decode(d, data + off, msglen, &h, &body) != 0 ||
		    (h.cmd >= ZAPI_CMD_MAX && h.cmd != ZAPI_CMD_UNKNOWN))
			abort();
		(void)zapi_cmd_name(h.cmd);
		decode_body(buf_cur(&body), buf_left(&body));
		off += msglen;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* FRR's framing (every FRR dialect), then Quagga's. */
	stream(zapi_dialect_default(), data, size);
	stream(zapi_dialect_find("quagga1.2"), data, size);
	/* And the raw input as a body, for inputs without a valid header. */
	decode_body(data, size);
	return 0;
}
