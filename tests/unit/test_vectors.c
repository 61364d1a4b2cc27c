/* SPDX-License-Identifier: MIT */
/*
 * test_vectors.c: the codec against bytes captured from real zebras
 * (tests/unit/vectors/, a .vec file per release: Debian 12's zebra 8.4.4,
 * FRR 9.0.5, 9.1, 10.1, 10.2.6, 10.3.4 and 10.6.1; Quagga 1.2.4).
 * Every message zebra sent decodes in the release's dialect to what the
 * capture did (a veth vcap0, babel routes 10.46.1.7/32 metric 55 tag 100
 * and fd46::7/128); every message the capture sent, which zebra accepted,
 * is what the encoder writes for the same request, byte for byte.
 */
#include <sys/socket.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "vectors.h"
#include "zapi.h"

/* What a label of a message from zebra says its command is. */
static const struct {
	const char	*prefix;
	uint16_t	 cmd;
} label_cmds[] = {
	{ "error", ZAPI_ERROR },
	{ "caps", ZAPI_CAPABILITIES },
	{ "vrf_add", ZAPI_VRF_ADD },
	{ "interface_add_", ZAPI_INTERFACE_ADD },
	{ "interface_up_", ZAPI_INTERFACE_UP },
	{ "interface_down_", ZAPI_INTERFACE_DOWN },
	{ "interface_address_add", ZAPI_INTERFACE_ADDRESS_ADD },
	{ "interface_address_delete", ZAPI_INTERFACE_ADDRESS_DELETE },
	{ "interface_link_params", ZAPI_INTERFACE_LINK_PARAMS },
	{ "notify", ZAPI_ROUTE_NOTIFY_OWNER },
	{ "redistribute_route_add", ZAPI_REDISTRIBUTE_ROUTE_ADD },
	{ "redistribute_route_del", ZAPI_REDISTRIBUTE_ROUTE_DEL },
};

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One message from zebra, decoded in d and checked against the capture. */
static void
check_received(const struct zapi_dialect *d, const struct vec_msg *m)
{
	struct zapi_interface ifp;
	struct zapi_notify note;
	struct zapi_route r;
	struct zapi_caps caps;
	struct zapi_hdr h;
	struct buf body;
	size_t i, msglen;
	uint32_t code;
	uint8_t babel;

	assert_int_equal(zapi_frame(m->p, m->n, &msglen), 0);
	assert_int_equal(msglen, m->n);
	assert_int_equal(zapi_msg_decode(d, m->p, m->n, &h, &body), 0);
	for (i = 0; i < sizeof(label_cmds) / sizeof(label_cmds[0]); i++)
		if (starts(m->label, label_cmds[i].prefix))
			break;
	if (i == sizeof(label_cmds) / sizeof(label_cmds[0]))
		fail_msg("%s: unexpected label %s", d->name, m->label);
	if (h.cmd != label_cmds[i].cmd)
		fail_msg("%s: %s decoded as %s (%u)", d->name, m->label,
		    zapi_cmd_name(h.cmd), h.wire_cmd);
	assert_int_equal(zapi_route_type_wire(d, ZAPI_ROUTE_BABEL, &babel), 0);
	switch (h.cmd) {
	case ZAPI_ERROR:
		assert_int_equal(zapi_error_decode(&body, &code), 0);
		assert_int_equal(code, 2);	/* INVALID_MSG_TYPE */
		break;
	case ZAPI_CAPABILITIES:
		assert_int_equal(zapi_caps_decode(d, &body, &caps), 0);
		assert_true(caps.multipath_num >= 1);
		assert_int_equal(caps.vrf_backend, 0);
		break;
	case ZAPI_INTERFACE_ADD:
	case ZAPI_INTERFACE_UP:
	case ZAPI_INTERFACE_DOWN:
		assert_int_equal(zapi_interface_decode(d, &body, &ifp), 0);
		assert_string_equal(ifp.name, strrchr(m->label, '_') + 1);
		if (starts(ifp.name, "vcap")) {
			/* a veth: mtu 1500, the peer as link */
			assert_int_equal(ifp.mtu, 1500);
			assert_true(ifp.link_ifindex != 0);
		}
		if (h.cmd == ZAPI_INTERFACE_UP)
			assert_true((ifp.flags & 0x41) == 0x41);
		break;
	case ZAPI_ROUTE_NOTIFY_OWNER:
		assert_int_equal(zapi_notify_decode(d, &body, &note), 0);
		assert_true(note.note == ZAPI_NOTE_INSTALLED ||
		    note.note == ZAPI_NOTE_REMOVED);
		assert_int_equal(note.tableid, 254);
		assert_int_equal(note.afi, note.prefix.family == AF_INET ? 1 : 2);
		assert_int_equal(note.safi, 1);
		assert_int_equal(note.src_plen, 0);
		break;
	case ZAPI_REDISTRIBUTE_ROUTE_ADD:
	case ZAPI_REDISTRIBUTE_ROUTE_DEL:
		assert_int_equal(zapi_route_decode(d, &body, &r), 0);
		assert_int_equal(r.type, babel);
		assert_int_equal(r.prefix.family, AF_INET);
		assert_int_equal(r.prefix.plen, 32);
		assert_memory_equal(r.prefix.bytes, "\x0a\x2e\x01\x07", 4);
		assert_int_equal(r.metric, 55);
		assert_int_equal(r.tag, 100);
		assert_int_equal(r.nexthop_num, 1);
		assert_int_equal(r.nexthops[0].type, ZAPI_NH_IFINDEX);
		assert_int_equal(r.nexthops[0].weight, 1);
		break;
	default:
		break;
	}
}

/* The request a sent label stands for, encoded by the codec in d. */
static void
encode_sent(const struct zapi_dialect *d, const struct vec_msg *m,
    struct buf *b, uint32_t ifindex)
{
	const struct zapi_dialect *other;
	struct zapi_hello hello = { .receive_notify = 1 };
	struct zapi_route r;
	uint8_t babel;
	size_t start;

	assert_int_equal(zapi_route_type_wire(d, ZAPI_ROUTE_BABEL, &babel), 0);
	memset(&r, 0, sizeof(r));
	r.type = babel;
	r.safi = ZAPI_SAFI_UNICAST;
	r.prefix.family = AF_INET;
	r.prefix.plen = 32;
	memcpy(r.prefix.bytes, "\x0a\x2e\x01\x07", 4);
	r.nexthops[0].type = ZAPI_NH_IFINDEX;
	r.nexthops[0].ifindex = ifindex;
	if (strcmp(m->label, "probe") == 0)
		assert_int_equal(zapi_probe_encode(b), 0);
	else if (strcmp(m->label, "hello") == 0) {
		hello.type = babel;
		assert_int_equal(zapi_hello_encode(d, b, &hello), 0);
	} else if (strcmp(m->label, "hello_other") == 0) {
		/* the other numbering's HELLO: what detection may send */
		other = zapi_dialect_find(d->hello == ZAPI_HELLO_9 ?
		    "frr10.3" : "frr8.2");
		assert_int_equal(zapi_route_type_wire(other, ZAPI_ROUTE_BABEL,
		    &hello.type), 0);
		assert_int_equal(zapi_hello_encode(other, b, &hello), 0);
	} else if (strcmp(m->label, "notify_request") == 0)
		assert_int_equal(zapi_notify_request_encode(d, b, true), 0);
	else if (strcmp(m->label, "interface_dump") == 0) {
		assert_int_equal(zapi_msg_begin(d, b, ZAPI_INTERFACE_ADD, 0,
		    &start), 0);
		assert_int_equal(zapi_msg_end(b, start), 0);
	} else if (strcmp(m->label, "route_add") == 0) {
		r.message = ZAPI_MESSAGE_NEXTHOP | ZAPI_MESSAGE_METRIC |
		    ZAPI_MESSAGE_TAG;
		r.nexthop_num = 1;
		r.metric = 55;
		r.tag = 100;
		assert_int_equal(zapi_route_encode(d, b, ZAPI_ROUTE_ADD, &r), 0);
	} else if (strcmp(m->label, "route_add6") == 0) {
		r.message = ZAPI_MESSAGE_NEXTHOP;
		r.nexthop_num = 1;
		r.prefix.family = AF_INET6;
		r.prefix.plen = 128;
		memcpy(r.prefix.bytes, "\xfd\x46\0\0\0\0\0\0\0\0\0\0\0\0\0\x07",
		    16);
		assert_int_equal(zapi_route_encode(d, b, ZAPI_ROUTE_ADD, &r), 0);
	} else if (strcmp(m->label, "route_delete") == 0)
		assert_int_equal(zapi_route_encode(d, b, ZAPI_ROUTE_DELETE, &r),
		    0);
	else if (strcmp(m->label, "redistribute_add") == 0)
		assert_int_equal(zapi_redist_encode(d, b, ZAPI_REDISTRIBUTE_ADD,
		    ZAPI_AFI_IP, babel, 0), 0);
	else
		fail_msg("%s: unexpected sent label %s", d->name, m->label);
}

/* The ifindex of vcap0 in a capture: from its INTERFACE_ADD. */
static uint32_t
vcap0_ifindex(const struct zapi_dialect *d, const struct vec_file *vf)
{
	const struct vec_msg *m;
	struct zapi_interface ifp;
	struct zapi_hdr h;
	struct buf body;
	size_t from = 0;

	assert_non_null(m = vec_next(vf, '<', "interface_add_vcap0", &from));
	assert_int_equal(zapi_msg_decode(d, m->p, m->n, &h, &body), 0);
	assert_int_equal(zapi_interface_decode(d, &body, &ifp), 0);
	return ifp.ifindex;
}

/* Every message of one capture, decoded and encoded in one dialect. */
static void
test_file(const char *file, const char *dialect)
{
	const struct zapi_dialect *d = zapi_dialect_find(dialect);
	struct vec_file vf;
	uint8_t mem[512];
	struct buf b;
	uint32_t ifx;
	size_t i, nrx = 0, ntx = 0;

	assert_non_null(d);
	vec_load(file, &vf);
	ifx = vcap0_ifindex(d, &vf);
	for (i = 0; i < vf.n; i++) {
		if (vf.m[i].dir == '<') {
			check_received(d, &vf.m[i]);
			nrx++;
			continue;
		}
		buf_init(&b, mem, sizeof(mem));
		encode_sent(d, &vf.m[i], &b, ifx);
		if (buf_len(&b) != vf.m[i].n ||
		    memcmp(mem, vf.m[i].p, vf.m[i].n) != 0)
			fail_msg("%s: %s differs from what zebra accepted",
			    d->name, vf.m[i].label);
		ntx++;
	}
	/* the capture is complete: the messages the session relies on */
	assert_true(nrx >= 15 && ntx >= 8);
	vec_free(&vf);
}

/* One captured release (the state) in the dialect detection ends on. */
static void
test_release(void **state)
{
	const struct vec_release *rel = *state;

	test_file(rel->file, rel->dialect);
}

/*
 * 9.0 answers detection like 8.2 to 8.5 and the session speaks frr8.2 to
 * it; its own table (frr9.0) must read and write the same bytes too.
 */
static void
test_frr90_own_table(void **state)
{
	test_file("frr-9.0.5.vec", "frr9.0");
}

/*
 * Quagga 1.2.4 (quagga-1.2.4.vec): every message zebra sent decodes in
 * quagga1.2 (the IPv4/IPv6 route codes by family, the redistribution
 * layout, 64-byte interfaces, ROUTER_ID_UPDATE); every message the
 * capture sent and zebra accepted is what the encoder writes; zebra
 * closed on both FRR headers; no FRR dialect frames its messages.
 */
static void
test_quagga124(void **state)
{
	const struct zapi_dialect *d = zapi_dialect_find("quagga1.2");
	const struct zapi_dialect *frr = zapi_dialect_default();
	struct zapi_hello hello = { .type = 13 };
	struct zapi_interface ifp;
	struct zapi_prefix rid;
	struct zapi_route r, want;
	struct zapi_hdr h;
	struct vec_file vf;
	const struct vec_msg *m;
	struct buf body, b;
	uint8_t mem[512], babel;
	size_t i, msglen, nrx = 0, ntx = 0;

	assert_non_null(d);
	assert_int_equal(zapi_route_type_wire(d, ZAPI_ROUTE_BABEL, &babel), 0);
	assert_int_equal(babel, 13);
	vec_load("quagga-1.2.4.vec", &vf);
	memset(&want, 0, sizeof(want));
	want.type = babel;
	want.safi = ZAPI_SAFI_UNICAST;
	want.nexthops[0].type = ZAPI_NH_IFINDEX;
	want.nexthops[0].ifindex = 3;		/* vcap0 in the capture */
	for (i = 0; i < vf.n; i++) {
		m = &vf.m[i];
		if (m->dir == '<') {
			nrx++;
			assert_int_equal(zapi_frame_dialect(d, m->p, m->n,
			    &msglen), 0);
			assert_int_equal(msglen, m->n);
			assert_int_equal(zapi_frame(m->p, m->n, &msglen),
			    -EBADMSG);
			assert_int_equal(zapi_msg_decode(d, m->p, m->n, &h,
			    &body), 0);
			if (starts(m->label, "router_id_update")) {
				assert_int_equal(h.cmd, ZAPI_ROUTER_ID_UPDATE);
				assert_int_equal(zapi_router_id_decode(&body,
				    &rid), 0);
				assert_int_equal(rid.family, AF_INET);
				assert_int_equal(rid.plen, 32);
			} else if (starts(m->label, "interface_address")) {
				assert_true(h.cmd ==
				    ZAPI_INTERFACE_ADDRESS_ADD ||
				    h.cmd == ZAPI_INTERFACE_ADDRESS_DELETE);
			} else if (starts(m->label, "interface_")) {
				assert_true(h.cmd == ZAPI_INTERFACE_ADD ||
				    h.cmd == ZAPI_INTERFACE_UP ||
				    h.cmd == ZAPI_INTERFACE_DOWN);
				assert_int_equal(zapi_interface_decode(d, &body,
				    &ifp), 0);
				assert_string_equal(ifp.name,
				    strrchr(m->label, '_') + 1);
				if (starts(ifp.name, "vcap")) {
					assert_int_equal(m->n, 8 + 64);
					assert_int_equal(ifp.mtu, 1500);
				}
				if (h.cmd == ZAPI_INTERFACE_UP)
					assert_true((ifp.flags & 0x41) == 0x41);
			} else if (starts(m->label, "ipv")) {
				assert_true(h.cmd == (strstr(m->label, "add") ?
				    ZAPI_REDISTRIBUTE_ROUTE_ADD :
				    ZAPI_REDISTRIBUTE_ROUTE_DEL));
				assert_int_equal(h.family, starts(m->label,
				    "ipv4") ? AF_INET : AF_INET6);
				assert_int_equal(zapi_route_decode(d, &body, &r),
				    -EBADMSG);
				buf_init_read(&body, m->p + 8, m->n - 8);
				assert_int_equal(zapi_route_decode_af(d,
				    h.family, &body, &r), 0);
				assert_int_equal(r.type, babel);
				assert_int_equal(r.flags, 0x10); /* SELECTED */
				assert_int_equal(r.nexthop_num, 1);
				assert_int_equal(r.nexthops[0].type,
				    ZAPI_NH_IFINDEX);
				assert_int_equal(r.nexthops[0].ifindex, 3);
				if (h.family == AF_INET) {
					assert_memory_equal(r.prefix.bytes,
					    "\x0a\x2e\x01\x07", 4);
					assert_int_equal(r.prefix.plen, 32);
				} else
					assert_int_equal(r.prefix.plen, 128);
				if (starts(m->label, "ipv4_route_add")) {
					assert_int_equal(r.metric, 55);
					assert_int_equal(r.tag, 100);
					assert_int_equal(r.distance, 95);
				}
			} else
				fail_msg("quagga: unexpected label %s", m->label);
			continue;
		}
		/* what we sent and zebra accepted (or closed on) */
		ntx++;
		buf_init(&b, mem, sizeof(mem));
		r = want;
		r.prefix.family = AF_INET;
		r.prefix.plen = 32;
		memcpy(r.prefix.bytes, "\x0a\x2e\x01\x07", 4);
		if (starts(m->label, "route_") && strchr(m->label, '6')) {
			r.prefix.family = AF_INET6;
			r.prefix.plen = 128;
			memcpy(r.prefix.bytes,
			    "\xfd\x46\0\0\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
		}
		if (strcmp(m->label, "frr_probe") == 0)
			assert_int_equal(zapi_probe_encode(&b), 0);
		else if (strcmp(m->label, "frr_hello") == 0) {
			struct zapi_hello h84 = { .type = 22,
			    .receive_notify = 1 };

			assert_int_equal(zapi_hello_encode(frr, &b, &h84), 0);
		} else if (strcmp(m->label, "router_id_add") == 0)
			assert_int_equal(zapi_router_id_encode(d, &b, true), 0);
		else if (strcmp(m->label, "router_id_delete") == 0)
			assert_int_equal(zapi_router_id_encode(d, &b, false),
			    0);
		else if (strcmp(m->label, "hello") == 0)
			assert_int_equal(zapi_hello_encode(d, &b, &hello), 0);
		else if (strcmp(m->label, "interface_dump") == 0)
			assert_int_equal(zapi_interface_request_encode(d, &b),
			    0);
		else if (strcmp(m->label, "redistribute_add") == 0)
			assert_int_equal(zapi_redist_encode(d, &b,
			    ZAPI_REDISTRIBUTE_ADD, ZAPI_AFI_IP, babel, 0), 0);
		else if (starts(m->label, "route_add")) {
			r.message = ZAPI_MESSAGE_NEXTHOP;
			r.nexthop_num = 1;
			if (r.prefix.family == AF_INET) {
				r.message |= ZAPI_MESSAGE_METRIC |
				    ZAPI_MESSAGE_TAG;
				r.metric = 55;
				r.tag = 100;
			}
			assert_int_equal(zapi_route_encode(d, &b,
			    ZAPI_ROUTE_ADD, &r), 0);
		} else if (starts(m->label, "route_delete")) {
			r.nexthops[0].type = 0;
			assert_int_equal(zapi_route_encode(d, &b,
			    ZAPI_ROUTE_DELETE, &r), 0);
		} else if (strcmp(m->label, "unknown") == 0) {
			/* no such command, no ERROR in ZSERV 3: skipped */
			ntx--;
			continue;
		} else
			fail_msg("quagga: unexpected sent label %s", m->label);
		if (buf_len(&b) != m->n || memcmp(mem, m->p, m->n) != 0)
			fail_msg("quagga: %s differs from what zebra accepted",
			    m->label);
	}
	assert_true(nrx >= 15 && ntx >= 11);
	vec_free(&vf);
}

/*
 * What zebra sends in one release does not decode in the neighbouring
 * one where the layout changed: the reason the dialect must be known.
 */
static void
test_neighbours_refuse(void **state)
{
	static const struct {
		const char *file, *label, *other;
	} cases[] = {
		{ "frr-10.3.4.vec", "notify", "frr10.2" },	/* src prefix */
		{ "frr-10.2.6.vec", "notify", "frr10.3" },	/* no src prefix */
		{ "frr-10.2.6.vec", "caps", "frr10.1" },	/* 12 vs 11 */
		{ "frr-10.3.4.vec", "caps", "frr9.1" },		/* 12 vs 11 */
		{ "frr-10.3.4.vec", "redistribute_route_add", "frr10.0" },
		{ "frr-10.1.vec", "redistribute_route_add", "frr10.0" }, /* u64 */
		{ "frr-10.1.vec", "caps", "frr10.2" },		/* 11 vs 12 */
		{ "frr-10.6.1.vec", "caps", "frr10.3" },	/* 9 vs 12 */
		{ "frr-8.4.4.vec", "caps", "frr10.6" },		/* 10 vs 9 */
		{ "frr-8.4.4.vec", "notify", "frr10.3" },
		{ "frr-8.4.4.vec", "interface_add_vcap0", "frr9.1" }, /* txqlen */
		{ "frr-9.1.vec", "interface_add_vcap0", "frr8.2" },
		{ "frr-9.1.vec", "caps", "frr9.0" },		/* 11 vs 10 */
		{ "frr-9.0.5.vec", "caps", "frr9.1" },		/* 10 vs 11 */
		{ "frr-9.0.5.vec", "interface_add_vcap0", "frr9.1" },
	};
	const struct zapi_dialect *d;
	const struct vec_msg *m;
	struct zapi_interface ifp;
	struct zapi_notify note;
	struct zapi_route r;
	struct zapi_caps caps;
	struct vec_file vf;
	struct buf body;
	size_t i, from;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vec_load(cases[i].file, &vf);
		from = 0;
		assert_non_null(m = vec_next(&vf, '<', cases[i].label, &from));
		assert_non_null(d = zapi_dialect_find(cases[i].other));
		buf_init_read(&body, m->p + ZAPI_HEADER_LEN,
		    m->n - ZAPI_HEADER_LEN);
		if (starts(cases[i].label, "notify"))
			ret = zapi_notify_decode(d, &body, &note);
		else if (starts(cases[i].label, "caps"))
			ret = zapi_caps_decode(d, &body, &caps);
		else if (starts(cases[i].label, "redistribute"))
			ret = zapi_route_decode(d, &body, &r);
		else {
			/* a shifted layout reads mtu from the wrong place */
			ret = zapi_interface_decode(d, &body, &ifp);
			if (ret == 0 && ifp.mtu != 1500)
				ret = -EBADMSG;
		}
		if (ret == 0)
			fail_msg("%s %s decoded as %s", cases[i].file,
			    cases[i].label, cases[i].other);
		vec_free(&vf);
	}
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_frr90_own_table),
		cmocka_unit_test(test_neighbours_refuse),
		cmocka_unit_test(test_quagga124),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest *tests;
	size_t i;
	int rc;

	/* A test per captured release, named by its file. */
	tests = calloc(vec_nreleases + nfixed, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (i = 0; i < vec_nreleases; i++) {
		tests[i].name = vec_releases[i].file;
		tests[i].test_func = test_release;
		tests[i].initial_state = (void *)&vec_releases[i];
	}
	memcpy(tests + vec_nreleases, fixed, sizeof(fixed));
	rc = _cmocka_run_group_tests("test_vectors", tests,
	    vec_nreleases + nfixed, NULL, NULL);
	free(tests);
	return rc;
}
