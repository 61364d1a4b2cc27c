/* SPDX-License-Identifier: MIT */
/*
 * zapi.c: encode and decode ZAPI messages, FRR 7.5 to 10.x and Quagga 1.2.
 *
 * Layouts follow the protocol notes (shared/docs/zapi.md, beside this
 * repository: sections 1-6 for 8.4, section 9 for what changed), checked against each FRR tag's lib/zclient.h, lib/zclient.c,
 * lib/route_types.txt and zebra/zapi_msg.c, and against bytes captured
 * from zebra 8.4.4 and 10.3.4 (tests/unit/vectors/).  Quagga 1.2 from
 * the quagga-1.2.4 tag's lib/zclient.h, lib/zebra.h, lib/route_types.txt,
 * zebra/zserv.c and zebra/redistribute.c, and bytes its zebra sent.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zapi.h"

#define ZAPI_MPLS_MAX_LABELS	16	/* MPLS_MAX_LABELS */
#define ZAPI_NEXTHOP_MAX_BACKUPS 8	/* NEXTHOP_MAX_BACKUPS */
#define ZAPI_OPAQUE_MAX		1024	/* ZAPI_MESSAGE_OPAQUE_LENGTH */
#define ZAPI_SAFI_MAX		7	/* SAFI_FLOWSPEC, the last one */
#define ZAPI_SEG6_MAX		16	/* SRV6_MAX_SIDS (9.1 and later) */

/* Message bits zapi_route_encode writes. */
#define ZAPI_MESSAGE_ENCODABLE	(ZAPI_MESSAGE_NEXTHOP | \
	ZAPI_MESSAGE_DISTANCE | ZAPI_MESSAGE_METRIC | ZAPI_MESSAGE_TAG | \
	ZAPI_MESSAGE_MTU | ZAPI_MESSAGE_SRCPFX | ZAPI_MESSAGE_TABLEID)

/* Significant bytes of a prefix of plen bits. */
#define PSIZE(plen)		(((size_t)(plen) + 7) / 8)

/* The commands this codec names, in enum zapi_cmd order. */
static const char *const cmd_names[] = {
	"INTERFACE_ADD", "INTERFACE_DELETE", "INTERFACE_ADDRESS_ADD",
	"INTERFACE_ADDRESS_DELETE", "INTERFACE_UP", "INTERFACE_DOWN",
	"ROUTE_ADD", "ROUTE_DELETE", "ROUTE_NOTIFY_OWNER", "REDISTRIBUTE_ADD",
	"REDISTRIBUTE_DELETE", "ROUTER_ID_UPDATE", "HELLO", "CAPABILITIES",
	"NEXTHOP_UPDATE", "REDISTRIBUTE_ROUTE_ADD", "REDISTRIBUTE_ROUTE_DEL",
	"VRF_ADD", "VRF_DELETE", "INTERFACE_LINK_PARAMS", "ERROR",
	"CLIENT_CAPABILITIES", "ROUTE_NOTIFY_REQUEST", "CLIENT_CLOSE_NOTIFY",
	"ROUTER_ID_ADD", "ROUTER_ID_DELETE",
};

/*
 * Wire codes, in enum zapi_cmd order, from zebra_message_types_t of each
 * tag.  8.2 dropped three IMPORT_ROUTE codes below 30, 9.1
 * INTERFACE_VRF_UPDATE, 10.0 inserted INTERFACE_SET_ARP at 7, 10.2
 * dropped VRF_UNREGISTER and added SRv6 codes below ERROR.
 */
#define CMDS(ra, rid, hello, nhu, rra, vrf, lp, err, cc, nreq, close) { \
	0, 1, 2, 3, 4, 5, ra, ra + 1, ra + 2, ra + 3, ra + 4, rid, hello, \
	hello + 1, nhu, rra, rra + 1, vrf, vrf + 1, lp, err, cc, nreq, close, \
	rid - 2, rid - 1 }
#define N	ZAPI_NO_CMD

/*
 * Route types by their 8.4 number: 10.0 inserted LOCAL at 3 (and
 * TABLE_DIRECT before ALL), so everything from STATIC up moves by one.
 */
static const uint8_t types_75[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
};
static const uint8_t types_100[] = {
	0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 32,
};
/*
 * Quagga 1.2 has 15 types: the same up to PIM (10), then HSLS 11, OLSR
 * 12, BABEL 13, NHRP 14; no EIGRP, SHARP or anything later (0xff).
 */
#define NT	0xff
static const uint8_t types_q12[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NT, 14, 11, 12, NT, NT, NT, NT, NT,
	NT, NT, 13, NT, NT, NT, NT, NT, NT, NT, NT,
};
#undef NT

/* Message bits that moved: 7.5 had TABLEID 0x80, SRTE 0x100, no NHG. */
#define MSG_75	.msg_tableid = 0x80, .msg_srte = 0x100
#define MSG_80	.msg_tableid = 0x100, .msg_srte = 0x200, .msg_nhg = 0x80, \
	.msg_opaque = 0x400
#define TYPES_75	.type_wire = types_75, .type_max = 31, .type_min_own = 2
#define TYPES_100	.type_wire = types_100, .type_max = 33, .type_min_own = 3

static const struct zapi_dialect d_101, d_103;

/*
 * Quagga 1.2 (ZSERV 3): no ERROR, CAPABILITIES, notifications, VRF
 * events or graceful restart.  zebra sends redistributed routes under
 * the client's own route codes (7 to 10); a client receives no other
 * route message, so those codes name REDISTRIBUTE_ROUTE_* when decoded.
 */
static const struct zapi_dialect d_q12 = {
	.name = "quagga1.2", .releases = "Quagga 1.2",
	.hdr = ZAPI_HDR_3, .rt = ZAPI_RT_Q12,
	.cmd = { 1, 2, 3, 4, 5, 6, 7, 8, ZAPI_NO_CMD, 11, 12, 22, 23,
	    ZAPI_NO_CMD, 29, 7, 8, ZAPI_NO_CMD, ZAPI_NO_CMD, 26, ZAPI_NO_CMD,
	    ZAPI_NO_CMD, ZAPI_NO_CMD, ZAPI_NO_CMD, 20, 21 },
	.type_wire = types_q12, .type_max = 15, .type_min_own = 3,
	.hello = ZAPI_HELLO_1, .notify = ZAPI_NOTIFY_NONE, .ifl = ZAPI_IF_Q12,
	.gr_sweeps_gone = 1,
};

static const struct zapi_dialect d_75 = {
	.name = "frr7.5", .releases = "FRR 7.5",
	.cmd = CMDS(8, 17, 18, 22, 33, 36, 45, 112, 113, N, N), TYPES_75,
	.hello = ZAPI_HELLO_9, .caps_len = 10, .notify = ZAPI_NOTIFY_75,
	.ifl = ZAPI_IF_75, .weight_len = 4, MSG_75, .gr_sweeps_gone = 1,
};
static const struct zapi_dialect d_80 = {
	.name = "frr8.0", .releases = "FRR 8.0",
	.cmd = CMDS(8, 17, 18, 22, 33, 36, 45, 117, 118, 123, 124), TYPES_75,
	.hello = ZAPI_HELLO_9, .caps_len = 10, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_75, .weight_len = 4, MSG_80, .gr_sweeps_gone = 1,
};
static const struct zapi_dialect d_81 = {
	.name = "frr8.1", .releases = "FRR 8.1",
	.cmd = CMDS(8, 17, 18, 22, 33, 36, 45, 121, 122, 127, 128), TYPES_75,
	.hello = ZAPI_HELLO_9, .caps_len = 10, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_75, .weight_len = 4, MSG_80, .gr_sweeps_gone = 1,
};
/*
 * 8.2 to 8.5 and 9.0 answer detection alike, so 8.2 sends UPDATE_COMPLETE
 * per AFI as 9.0 needs (8.x only repeats a sweep that already ran).  8.5
 * sends INTERFACE_LINK_PARAMS after every INTERFACE_UP: named, skipped.
 */
static const struct zapi_dialect d_82 = {
	.name = "frr8.2", .releases = "FRR 8.2 to 8.5",
	.cmd = CMDS(8, 17, 18, 22, 30, 33, 42, 118, 119, 124, 125), TYPES_75,
	.hello = ZAPI_HELLO_9, .caps_len = 10, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_75, .weight_len = 4, MSG_80, .gr_per_afi = 1,
	.gr_sweeps_gone = 1,
};
static const struct zapi_dialect d_90 = {
	.name = "frr9.0", .releases = "FRR 9.0",
	.cmd = CMDS(8, 17, 18, 22, 30, 33, 42, 118, 119, 124, 125), TYPES_75,
	.hello = ZAPI_HELLO_9, .caps_len = 10, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_75, .weight_len = 4, .label_type = 1, MSG_80,
	.gr_per_afi = 1,
};
static const struct zapi_dialect d_91 = {
	.name = "frr9.1", .releases = "FRR 9.1",
	.cmd = CMDS(8, 17, 18, 22, 30, 33, 41, 117, 118, 123, 124), TYPES_75,
	.hello = ZAPI_HELLO_9, .caps_len = 11, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_91, .weight_len = 4, .label_type = 1, .seg6_count = 1,
	MSG_80, .gr_per_afi = 1,
};
/* 10.0 and 10.1 differ only in the weight's width: see `later`. */
static const struct zapi_dialect d_100 = {
	.name = "frr10.0", .releases = "FRR 10.0",
	.cmd = CMDS(9, 18, 19, 23, 31, 34, 42, 118, 119, 124, 125), TYPES_100,
	.hello = ZAPI_HELLO_8, .caps_len = 11, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_91, .weight_len = 4, .label_type = 1, .seg6_count = 1,
	MSG_80, .gr_per_afi = 1, .later = &d_101,
};
static const struct zapi_dialect d_101 = {
	.name = "frr10.1", .releases = "FRR 10.1",
	.cmd = CMDS(9, 18, 19, 23, 31, 34, 42, 118, 119, 124, 125), TYPES_100,
	.hello = ZAPI_HELLO_8, .caps_len = 11, .notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_91, .weight_len = 8, .label_type = 1, .seg6_count = 1,
	MSG_80, .gr_per_afi = 1,
};
/* 10.2 and 10.3 differ only in ROUTE_NOTIFY_OWNER: see `later`. */
static const struct zapi_dialect d_102 = {
	.name = "frr10.2", .releases = "FRR 10.2",
	.cmd = CMDS(9, 18, 19, 23, 31, 33, 41, 120, 121, 126, 127), TYPES_100,
	.hello = ZAPI_HELLO_8, .caps_len = 12, .caps_gr = 1,
	.notify = ZAPI_NOTIFY_80,
	.ifl = ZAPI_IF_91, .weight_len = 8, .label_type = 1, .seg6_count = 1,
	MSG_80, .gr_per_afi = 1, .later = &d_103,
};
/* 10.5 fixed the stale-timer sweep; the table keeps 10.3's caution. */
static const struct zapi_dialect d_103 = {
	.name = "frr10.3", .releases = "FRR 10.3 to 10.5",
	.cmd = CMDS(9, 18, 19, 23, 31, 33, 41, 120, 121, 126, 127), TYPES_100,
	.hello = ZAPI_HELLO_8, .caps_len = 12, .caps_gr = 1,
	.notify = ZAPI_NOTIFY_103,
	.ifl = ZAPI_IF_91, .weight_len = 8, .label_type = 1, .seg6_count = 1,
	MSG_80, .gr_per_afi = 1,
};
static const struct zapi_dialect d_106 = {
	.name = "frr10.6", .releases = "FRR 10.6 and later",
	.cmd = CMDS(9, 18, 19, 23, 31, 33, 41, 120, 121, 126, 127), TYPES_100,
	.hello = ZAPI_HELLO_8, .caps_len = 9, .caps_gr = 1, .caps_vrf_u8 = 1,
	.notify = ZAPI_NOTIFY_103, .ifl = ZAPI_IF_106, .weight_len = 8,
	.label_type = 1, .seg6_count = 1, MSG_80, .gr_per_afi = 1,
	.gr_sweeps_gone = 1,
};
#undef N

static const struct zapi_dialect *const dialects[] = {
	&d_q12, &d_75, &d_80, &d_81, &d_82, &d_90, &d_91, &d_100, &d_101, &d_102,
	&d_103, &d_106,
};

/* CLI names of the route types, by number (NHG's is "zebra"). */
static const char *const type_names[] = {
	"system", "kernel", "connected", "static", "rip", "ripng", "ospf",
	"ospf6", "isis", "bgp", "pim", "eigrp", "nhrp", "hsls", "olsr", "table",
	"ldp", "vnc", "vnc-direct", "vnc-rn", "bgp-direct",
	"bgp-direct-to-nve-groups", "babel", "sharp", "pbr", "bfd",
	"openfabric", "vrrp", "zebra", "srte", "wildcard",
};

_Static_assert(sizeof(cmd_names) / sizeof(cmd_names[0]) == ZAPI_CMD_MAX,
    "one name per command");
_Static_assert(sizeof(types_75) == ZAPI_ROUTE_MAX &&
    sizeof(types_100) == ZAPI_ROUTE_MAX && sizeof(types_q12) == ZAPI_ROUTE_MAX,
    "one wire number per route type");
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == ZAPI_ROUTE_MAX,
    "one name per 8.4 route type");

static const char *const note_names[] = {
	"FAIL_INSTALL", "BETTER_ADMIN_WON", "INSTALLED", "REMOVED",
	"REMOVE_FAIL",
};

/* Address bytes of a family, or 0 for one ZAPI does not carry. */
static size_t
family_len(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

static bool
prefix_valid(const struct zapi_prefix *p)
{
	size_t alen = family_len(p->family);

	return alen != 0 && p->plen <= alen * 8;
}

/* The header layout of d: length, marker, version, longest message. */
struct hdr_fmt {
	size_t		len;
	uint8_t		marker;
	uint8_t		version;
	size_t		max;
};

static struct hdr_fmt
hdr_fmt(const struct zapi_dialect *d)
{
	struct hdr_fmt f = { ZAPI_HEADER_LEN, ZAPI_MARKER, ZAPI_VERSION,
	    ZAPI_MAX_LEN };

	if (d->hdr == ZAPI_HDR_3) {
		f.len = ZAPI_Q_HEADER_LEN;
		f.marker = ZAPI_Q_MARKER;
		f.version = ZAPI_Q_VERSION;
		f.max = ZAPI_Q_MAX_LEN;
	}
	return f;
}

size_t
zapi_hdr_len(const struct zapi_dialect *d)
{
	return hdr_fmt(d).len;
}

/* Check a complete header; 0 or -EBADMSG. */
static int
hdr_check(const struct hdr_fmt *f, uint16_t len, uint8_t marker,
    uint8_t version)
{
	if (marker != f->marker || version != f->version)
		return -EBADMSG;
	if (len < f->len || len > f->max)
		return -EBADMSG;
	return 0;
}

int
zapi_frame_dialect(const struct zapi_dialect *d, const uint8_t *p, size_t n,
    size_t *msglen)
{
	struct hdr_fmt f = hdr_fmt(d);
	size_t len = 0;

	/* Reject each header field as soon as its bytes are in. */
	if (n >= 2) {
		len = (size_t)p[0] << 8 | p[1];
		if (len < f.len || len > f.max)
			return -EBADMSG;
	}
	if (n >= 3 && p[2] != f.marker)
		return -EBADMSG;
	if (n >= 4 && p[3] != f.version)
		return -EBADMSG;
	if (n < f.len || n < len)
		return -EAGAIN;
	*msglen = len;
	return 0;
}

int
zapi_frame(const uint8_t *p, size_t n, size_t *msglen)
{
	return zapi_frame_dialect(zapi_dialect_default(), p, n, msglen);
}

const struct zapi_dialect *
zapi_dialect_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(dialects) / sizeof(dialects[0]);
	    i++)
		if (strcasecmp(name, dialects[i]->name) == 0)
			return dialects[i];
	return NULL;
}

const struct zapi_dialect *const *
zapi_dialects(size_t *n)
{
	*n = sizeof(dialects) / sizeof(dialects[0]);
	return dialects;
}

const struct zapi_dialect *
zapi_dialect_default(void)
{
	return &d_82;
}

/*
 * The name in d of wire code w: enum zapi_cmd or ZAPI_CMD_UNKNOWN.  From
 * the last name down, so that a code two names share (Quagga's route
 * codes) decodes as what zebra sends a client: REDISTRIBUTE_ROUTE_*.
 */
static uint16_t
cmd_from_wire(const struct zapi_dialect *d, uint16_t w)
{
	uint16_t c;

	for (c = ZAPI_CMD_MAX; c-- > 0 && w != ZAPI_NO_CMD;)
		if (d->cmd[c] == w)
			return c;
	return ZAPI_CMD_UNKNOWN;
}

static bool
cmd_is_route(uint16_t c)
{
	return c == ZAPI_ROUTE_ADD || c == ZAPI_ROUTE_DELETE ||
	    c == ZAPI_REDISTRIBUTE_ROUTE_ADD || c == ZAPI_REDISTRIBUTE_ROUTE_DEL;
}

/* Quagga's IPv6 route codes follow its IPv4 ones by this much. */
#define Q12_V6_DELTA	2

int
zapi_hdr_decode(const struct zapi_dialect *d, struct buf *b,
    struct zapi_hdr *h)
{
	struct hdr_fmt f = hdr_fmt(d);
	uint16_t len, cmd, vrf16, c;
	uint8_t marker, version;
	uint32_t vrf_id;

	/* All or nothing: a short header consumes nothing. */
	if (buf_left(b) < f.len)
		return -EBADMSG;
	(void)buf_get_u16(b, &len);
	(void)buf_get_u8(b, &marker);
	(void)buf_get_u8(b, &version);
	if (d->hdr == ZAPI_HDR_3) {
		(void)buf_get_u16(b, &vrf16);
		vrf_id = vrf16;
	} else
		(void)buf_get_u32(b, &vrf_id);
	(void)buf_get_u16(b, &cmd);
	if (hdr_check(&f, len, marker, version) != 0)
		return -EBADMSG;
	h->len = len;
	h->vrf_id = vrf_id;
	h->wire_cmd = cmd;
	h->family = 0;
	h->cmd = c = cmd_from_wire(d, cmd);
	if (d->rt == ZAPI_RT_Q12) {
		if (cmd_is_route(c))
			h->family = AF_INET;
		else if (c == ZAPI_CMD_UNKNOWN && cmd >= Q12_V6_DELTA &&
		    cmd_is_route(c = cmd_from_wire(d, cmd - Q12_V6_DELTA))) {
			h->cmd = c;
			h->family = AF_INET6;
		}
	}
	return 0;
}

int
zapi_msg_decode(const struct zapi_dialect *d, const uint8_t *p, size_t n,
    struct zapi_hdr *h, struct buf *body)
{
	struct buf b;
	struct zapi_hdr hdr;

	buf_init_read(&b, p, n);
	if (zapi_hdr_decode(d, &b, &hdr) != 0 || hdr.len != n)
		return -EBADMSG;
	if (buf_get_view(&b, n - hdr_fmt(d).len, body) != 0)
		return -EBADMSG;
	*h = hdr;
	return 0;
}

/* A header of d with wire code w and a length placeholder. */
static int
begin_wire(const struct zapi_dialect *d, struct buf *b, uint16_t w,
    uint32_t vrf_id, size_t *start)
{
	struct hdr_fmt f = hdr_fmt(d);
	size_t at = buf_len(b);

	if (d->hdr == ZAPI_HDR_3 && vrf_id > UINT16_MAX)
		return -EINVAL;
	/* The length is a placeholder until zapi_msg_end. */
	if (buf_put_u16(b, 0) || buf_put_u8(b, f.marker) ||
	    buf_put_u8(b, f.version) || (d->hdr == ZAPI_HDR_3 ?
	    buf_put_u16(b, (uint16_t)vrf_id) : buf_put_u32(b, vrf_id)) ||
	    buf_put_u16(b, w)) {
		buf_truncate(b, at);
		return -ERANGE;
	}
	*start = at;
	return 0;
}

int
zapi_msg_begin(const struct zapi_dialect *d, struct buf *b, uint16_t cmd,
    uint32_t vrf_id, size_t *start)
{
	if (cmd >= ZAPI_CMD_MAX || d->cmd[cmd] == ZAPI_NO_CMD)
		return -EOPNOTSUPP;
	return begin_wire(d, b, d->cmd[cmd], vrf_id, start);
}

/* zapi_msg_end for d's header layout. */
static int
msg_end(const struct zapi_dialect *d, struct buf *b, size_t start)
{
	struct hdr_fmt f = hdr_fmt(d);
	size_t len;

	if (start > buf_len(b))
		return -EINVAL;
	len = buf_len(b) - start;
	if (len < f.len)
		return -EINVAL;
	if (len > f.max)
		return -EMSGSIZE;
	return buf_put_u16_at(b, start, (uint16_t)len);
}

int
zapi_msg_end(struct buf *b, size_t start)
{
	return msg_end(zapi_dialect_default(), b, start);
}

/*
 * Finish an encoder: patch the length when ret is 0, else (or when that
 * fails) drop the partial message.
 */
static int
msg_close(const struct zapi_dialect *d, struct buf *b, size_t start, int ret)
{
	if (ret == 0)
		ret = msg_end(d, b, start);
	if (ret != 0)
		buf_truncate(b, start);
	return ret;
}

int
zapi_probe_encode(struct buf *b)
{
	size_t start;
	int ret;

	if ((ret = begin_wire(&d_82, b, ZAPI_PROBE_CMD, 0, &start)) != 0)
		return ret;
	return msg_close(&d_82, b, start, 0);
}

int
zapi_hello_encode(const struct zapi_dialect *d, struct buf *b,
    const struct zapi_hello *h)
{
	size_t start;
	int ret;

	/* zebra registers only types above CONNECT (LOCAL from 10.0). */
	if (h->type >= d->type_max || h->type <= d->type_min_own)
		return -EINVAL;
	/* Quagga: the type alone, no instance (nor sessions). */
	if (d->hello == ZAPI_HELLO_1 && (h->instance != 0 || h->session_id != 0))
		return -EINVAL;
	/* zebra requires vrf 0 on HELLO. */
	if ((ret = zapi_msg_begin(d, b, ZAPI_HELLO, 0, &start)) != 0)
		return ret;
	if (d->hello == ZAPI_HELLO_1)
		return msg_close(d, b, start, buf_put_u8(b, h->type) ? -ERANGE :
		    0);
	if (buf_put_u8(b, h->type) || buf_put_u16(b, h->instance) ||
	    buf_put_u32(b, h->session_id) ||
	    (d->hello == ZAPI_HELLO_9 &&
	    buf_put_u8(b, h->receive_notify ? 1 : 0)) ||
	    buf_put_u8(b, h->synchronous ? 1 : 0))
		ret = -ERANGE;
	return msg_close(d, b, start, ret);
}

int
zapi_client_cap_encode(const struct zapi_dialect *d, struct buf *b,
    const struct zapi_client_cap *c)
{
	size_t start;
	int ret;

	switch (c->kind) {
	case ZAPI_CAP_GR:
	case ZAPI_CAP_UPDATE_COMPLETE:
	case ZAPI_CAP_UPDATE_PENDING:
	case ZAPI_CAP_GR_DISABLE:
	case ZAPI_CAP_RIB_STALE_TIME:
		break;
	default:
		return -EINVAL;
	}
	ret = zapi_msg_begin(d, b, ZAPI_CLIENT_CAPABILITIES, 0, &start);
	if (ret != 0)
		return ret;
	if (buf_put_u32(b, c->kind))
		ret = -ERANGE;
	else if (c->kind == ZAPI_CAP_GR || c->kind == ZAPI_CAP_RIB_STALE_TIME) {
		if (buf_put_u32(b, c->stale_time))
			ret = -ERANGE;
	} else if (c->kind != ZAPI_CAP_GR_DISABLE) {
		if (buf_put_u32(b, c->afi) || buf_put_u32(b, c->safi))
			ret = -ERANGE;
	}
	/* Every kind ends with the VRF. */
	if (ret == 0 && buf_put_u32(b, c->vrf_id))
		ret = -ERANGE;
	return msg_close(d, b, start, ret);
}

int
zapi_notify_request_encode(const struct zapi_dialect *d, struct buf *b,
    bool on)
{
	size_t start;
	int ret;

	ret = zapi_msg_begin(d, b, ZAPI_ROUTE_NOTIFY_REQUEST, 0, &start);
	if (ret != 0)
		return ret;
	return msg_close(d, b, start, buf_put_u8(b, on ? 1 : 0) ? -ERANGE : 0);
}

int
zapi_redist_encode(const struct zapi_dialect *d, struct buf *b, uint16_t cmd,
    uint8_t afi, uint8_t type, uint16_t instance)
{
	size_t start;
	int ret;

	if ((cmd != ZAPI_REDISTRIBUTE_ADD && cmd != ZAPI_REDISTRIBUTE_DELETE) ||
	    (afi != ZAPI_AFI_IP && afi != ZAPI_AFI_IP6) ||
	    type >= d->type_max)
		return -EINVAL;
	/* Quagga: u8 type, both AFIs; zebra ignores type 0. */
	if (d->rt == ZAPI_RT_Q12 && (instance != 0 || type == 0))
		return -EINVAL;
	if ((ret = zapi_msg_begin(d, b, cmd, 0, &start)) != 0)
		return ret;
	if (d->rt == ZAPI_RT_Q12)
		return msg_close(d, b, start, buf_put_u8(b, type) ? -ERANGE :
		    0);
	if (buf_put_u8(b, afi) || buf_put_u8(b, type) ||
	    buf_put_u16(b, instance))
		ret = -ERANGE;
	return msg_close(d, b, start, ret);
}

/*
 * The message bits this header names (8.0 and later) to d's and back: 7.5
 * had TABLEID and SRTE one bit lower and no NHG or OPAQUE.  Bits neither
 * side names pass through.
 */
static uint32_t
msg_map(uint32_t m, const uint32_t from[4], const uint32_t to[4])
{
	uint32_t out = m;
	int i;

	for (i = 0; i < 4; i++)
		out &= ~from[i];
	for (i = 0; i < 4; i++)
		if (from[i] != 0 && (m & from[i]))
			out |= to[i];
	return out;
}

static uint32_t
msg_to_wire(const struct zapi_dialect *d, uint32_t m)
{
	const uint32_t ours[4] = { ZAPI_MESSAGE_TABLEID, ZAPI_MESSAGE_SRTE,
	    ZAPI_MESSAGE_NHG, ZAPI_MESSAGE_OPAQUE };
	const uint32_t wire[4] = { d->msg_tableid, d->msg_srte, d->msg_nhg,
	    d->msg_opaque };

	return msg_map(m, ours, wire);
}

static uint32_t
msg_from_wire(const struct zapi_dialect *d, uint32_t m)
{
	const uint32_t ours[4] = { ZAPI_MESSAGE_TABLEID, ZAPI_MESSAGE_SRTE,
	    ZAPI_MESSAGE_NHG, ZAPI_MESSAGE_OPAQUE };
	const uint32_t wire[4] = { d->msg_tableid, d->msg_srte, d->msg_nhg,
	    d->msg_opaque };

	return msg_map(m, wire, ours);
}

/*
 * The nexthop count agrees with the NEXTHOP bit, fits, and an ADD has
 * one (in every dialect).
 */
static bool
nh_count_ok(uint16_t cmd, const struct zapi_route *r)
{
	if (r->message & ZAPI_MESSAGE_NEXTHOP)
		return r->nexthop_num != 0 && r->nexthop_num <= ZAPI_NEXTHOP_MAX;
	return r->nexthop_num == 0 && cmd != ZAPI_ROUTE_ADD;
}

/* Everything zapi_route_encode refuses, checked before a byte is written. */
static int
route_check(const struct zapi_dialect *d, uint16_t cmd,
    const struct zapi_route *r)
{
	const struct zapi_nexthop *nh;
	uint16_t i;

	if (cmd != ZAPI_ROUTE_ADD && cmd != ZAPI_ROUTE_DELETE)
		return -EINVAL;
	if (r->type >= d->type_max ||
	    (r->safi != ZAPI_SAFI_UNICAST && r->safi != ZAPI_SAFI_MULTICAST))
		return -EINVAL;
	if (!prefix_valid(&r->prefix) || (r->message & ~ZAPI_MESSAGE_ENCODABLE))
		return -EINVAL;
	if ((r->message & ZAPI_MESSAGE_SRCPFX) &&
	    (r->prefix.family != AF_INET6 || r->src_plen == 0 ||
	    r->src_plen > 128))
		return -EINVAL;
	if (!nh_count_ok(cmd, r))
		return -EINVAL;
	for (i = 0; i < r->nexthop_num; i++) {
		nh = &r->nexthops[i];
		if (nh->type < ZAPI_NH_IFINDEX || nh->type > ZAPI_NH_BLACKHOLE)
			return -EINVAL;
		if (nh->flags & ~(ZAPI_NHF_ONLINK | ZAPI_NHF_WEIGHT))
			return -EINVAL;
		if (d->weight_len == 4 && nh->weight > UINT32_MAX)
			return -EINVAL;
	}
	return 0;
}

static int
nexthop_encode(const struct zapi_dialect *d, struct buf *b,
    const struct zapi_nexthop *nh)
{
	uint8_t flags = nh->flags;
	int err;

	/* As FRR does: a weight sets its flag. */
	if (nh->weight != 0)
		flags |= ZAPI_NHF_WEIGHT;
	err = buf_put_u32(b, nh->vrf_id) || buf_put_u8(b, nh->type) ||
	    buf_put_u8(b, flags);
	switch (nh->type) {
	case ZAPI_NH_BLACKHOLE:
		err = err || buf_put_u8(b, nh->bh_type);
		break;
	case ZAPI_NH_IPV4:
	case ZAPI_NH_IPV4_IFINDEX:
		err = err || buf_put_bytes(b, nh->gate, 4) ||
		    buf_put_u32(b, nh->ifindex);
		break;
	case ZAPI_NH_IPV6:
	case ZAPI_NH_IPV6_IFINDEX:
		err = err || buf_put_bytes(b, nh->gate, 16) ||
		    buf_put_u32(b, nh->ifindex);
		break;
	default:	/* IFINDEX; route_check refused the rest */
		err = err || buf_put_u32(b, nh->ifindex);
		break;
	}
	if (flags & ZAPI_NHF_WEIGHT)
		err = err || (d->weight_len == 8 ? buf_put_u64(b, nh->weight) :
		    buf_put_u32(b, (uint32_t)nh->weight));
	return err ? -ERANGE : 0;
}

/*
 * Quagga 1.2.  Message bits: NEXTHOP 0x01, IFINDEX 0x02 (zebra's only),
 * DISTANCE 0x04, METRIC 0x08, MTU 0x10, TAG 0x20; ours by index.
 */
#define Q12_MSG_NEXTHOP		0x01
#define Q12_MSG_IFINDEX		0x02
#define Q12_MSG_DISTANCE	0x04
#define Q12_MSG_METRIC		0x08
#define Q12_MSG_MTU		0x10
#define Q12_MSG_TAG		0x20
#define Q12_FLAG_BLACKHOLE	0x04	/* ZEBRA_FLAG_BLACKHOLE */
static const uint32_t q12_msg_ours[] = { ZAPI_MESSAGE_NEXTHOP,
    ZAPI_MESSAGE_DISTANCE, ZAPI_MESSAGE_METRIC, ZAPI_MESSAGE_MTU,
    ZAPI_MESSAGE_TAG };
static const uint8_t q12_msg_wire[] = { Q12_MSG_NEXTHOP, Q12_MSG_DISTANCE,
    Q12_MSG_METRIC, Q12_MSG_MTU, Q12_MSG_TAG };

/* Nexthop types (ZEBRA_NEXTHOP_*): ours by index, 0 = none. */
static const uint8_t q12_nh_wire[] = {
	[ZAPI_NH_IFINDEX] = 1, [ZAPI_NH_IPV4] = 3, [ZAPI_NH_IPV4_IFINDEX] = 4,
	[ZAPI_NH_IPV6] = 6, [ZAPI_NH_BLACKHOLE] = 9,
};

/*
 * A nexthop zread_ipv4_add / zread_ipv6_add reads as meant: IPv6 takes
 * only a gateway or an ifindex (a pair would need two items) and has no
 * blackhole; nothing carries a VRF, flags or a weight.
 */
static bool
q12_nh_ok(uint8_t family, const struct zapi_nexthop *nh)
{
	if (nh->vrf_id != 0 || nh->flags != 0 || nh->weight != 0 ||
	    nh->type >= sizeof(q12_nh_wire) || q12_nh_wire[nh->type] == 0)
		return false;
	if (family == AF_INET6)
		return nh->type == ZAPI_NH_IFINDEX || nh->type == ZAPI_NH_IPV6;
	return nh->type != ZAPI_NH_IPV6;
}

static int
q12_route_check(const struct zapi_dialect *d, uint16_t cmd,
    const struct zapi_route *r)
{
	const uint32_t ok = ZAPI_MESSAGE_NEXTHOP | ZAPI_MESSAGE_DISTANCE |
	    ZAPI_MESSAGE_METRIC | ZAPI_MESSAGE_TAG | ZAPI_MESSAGE_MTU;
	uint16_t i;

	if (cmd != ZAPI_ROUTE_ADD && cmd != ZAPI_ROUTE_DELETE)
		return -EINVAL;
	if (r->type >= d->type_max || r->instance != 0 || r->flags != 0 ||
	    r->vrf_id > UINT16_MAX ||
	    (r->safi != ZAPI_SAFI_UNICAST && r->safi != ZAPI_SAFI_MULTICAST))
		return -EINVAL;
	if (!prefix_valid(&r->prefix) || (r->message & ~ok))
		return -EINVAL;
	if (!nh_count_ok(cmd, r))
		return -EINVAL;
	for (i = 0; i < r->nexthop_num; i++)
		if (!q12_nh_ok(r->prefix.family, &r->nexthops[i]))
			return -EINVAL;
	return 0;
}

/*
 * What Quagga's zread_ipv4_add/delete and zread_ipv6_add/delete read:
 * u8 type, u8 flags, u8 message, u16 safi, u8 plen, the prefix's
 * significant bytes, [u8 count, count x (u8 type, data)], [u8 distance],
 * [u32 metric], [u32 mtu], [u32 tag].
 */
static int
q12_route_encode(const struct zapi_dialect *d, struct buf *b, uint16_t cmd,
    const struct zapi_route *r)
{
	const struct zapi_nexthop *nh;
	uint8_t flags = 0, m = 0;
	size_t start, i;
	uint16_t w;
	int ret, err;

	if ((ret = q12_route_check(d, cmd, r)) != 0)
		return ret;
	for (i = 0; i < sizeof(q12_msg_ours) / sizeof(q12_msg_ours[0]); i++)
		if (r->message & q12_msg_ours[i])
			m |= q12_msg_wire[i];
	for (i = 0; i < r->nexthop_num; i++)
		if (r->nexthops[i].type == ZAPI_NH_BLACKHOLE)
			flags |= Q12_FLAG_BLACKHOLE;
	w = d->cmd[cmd];
	if (r->prefix.family == AF_INET6)
		w += Q12_V6_DELTA;
	if ((ret = begin_wire(d, b, w, r->vrf_id, &start)) != 0)
		return ret;
	err = buf_put_u8(b, r->type) || buf_put_u8(b, flags) ||
	    buf_put_u8(b, m) || buf_put_u16(b, r->safi) ||
	    buf_put_u8(b, r->prefix.plen) ||
	    buf_put_bytes(b, r->prefix.bytes, PSIZE(r->prefix.plen));
	if (r->message & ZAPI_MESSAGE_NEXTHOP)
		err = err || buf_put_u8(b, (uint8_t)r->nexthop_num);
	for (i = 0; i < r->nexthop_num; i++) {
		nh = &r->nexthops[i];
		err = err || buf_put_u8(b, q12_nh_wire[nh->type]);
		if (nh->type == ZAPI_NH_IPV4 || nh->type == ZAPI_NH_IPV4_IFINDEX)
			err = err || buf_put_bytes(b, nh->gate, 4);
		if (nh->type == ZAPI_NH_IPV6)
			err = err || buf_put_bytes(b, nh->gate, 16);
		if (nh->type == ZAPI_NH_IFINDEX ||
		    nh->type == ZAPI_NH_IPV4_IFINDEX)
			err = err || buf_put_u32(b, nh->ifindex);
	}
	err = err ||
	    ((r->message & ZAPI_MESSAGE_DISTANCE) && buf_put_u8(b, r->distance)) ||
	    ((r->message & ZAPI_MESSAGE_METRIC) && buf_put_u32(b, r->metric)) ||
	    ((r->message & ZAPI_MESSAGE_MTU) && buf_put_u32(b, r->mtu)) ||
	    ((r->message & ZAPI_MESSAGE_TAG) && buf_put_u32(b, r->tag));
	return msg_close(d, b, start, err ? -ERANGE : 0);
}

/*
 * What Quagga's zsend_route_multipath writes: u8 type, u8 flags, u8
 * message, u8 plen, the prefix's significant bytes, [NEXTHOP: u8 n, n
 * addresses], [IFINDEX: u8 n, n x u32], [u8 distance], [u32 metric],
 * [u32 mtu], [u32 tag].  Address i pairs with ifindex i; an all-zero
 * address with ifindex 0 is a blackhole.
 */
static int
q12_route_decode(const struct zapi_dialect *d, uint8_t family,
    struct buf *body, struct zapi_route *out)
{
	uint8_t gates[ZAPI_NEXTHOP_MAX][16], m, ng = 0, ni = 0, f8;
	uint32_t ifx[ZAPI_NEXTHOP_MAX];
	static const uint8_t zero[16];
	struct zapi_nexthop *nh;
	struct zapi_route r;
	size_t alen = family_len(family), i;

	memset(&r, 0, sizeof(r));
	memset(gates, 0, sizeof(gates));
	memset(ifx, 0, sizeof(ifx));
	r.prefix.family = family;
	r.safi = ZAPI_SAFI_UNICAST;
	if (alen == 0 || buf_get_u8(body, &r.type) || buf_get_u8(body, &f8) ||
	    buf_get_u8(body, &m) || buf_get_u8(body, &r.prefix.plen) ||
	    r.type >= d->type_max || (m & 0xc0) || !prefix_valid(&r.prefix) ||
	    buf_get_bytes(body, r.prefix.bytes, PSIZE(r.prefix.plen)))
		return -EBADMSG;
	r.flags = f8;
	if ((m & Q12_MSG_NEXTHOP) && buf_get_u8(body, &ng))
		return -EBADMSG;
	if (ng > ZAPI_NEXTHOP_MAX)
		return -E2BIG;
	for (i = 0; i < ng; i++)
		if (buf_get_bytes(body, gates[i], alen))
			return -EBADMSG;
	if ((m & Q12_MSG_IFINDEX) && buf_get_u8(body, &ni))
		return -EBADMSG;
	if (ni > ZAPI_NEXTHOP_MAX)
		return -E2BIG;
	for (i = 0; i < ni; i++)
		if (buf_get_u32(body, &ifx[i]))
			return -EBADMSG;
	for (i = 1; i < sizeof(q12_msg_wire); i++)
		if (m & q12_msg_wire[i])
			r.message |= q12_msg_ours[i];
	if (((m & Q12_MSG_DISTANCE) && buf_get_u8(body, &r.distance)) ||
	    ((m & Q12_MSG_METRIC) && buf_get_u32(body, &r.metric)) ||
	    ((m & Q12_MSG_MTU) && buf_get_u32(body, &r.mtu)) ||
	    ((m & Q12_MSG_TAG) && buf_get_u32(body, &r.tag)) ||
	    buf_left(body) != 0)
		return -EBADMSG;
	r.nexthop_num = ng > ni ? ng : ni;
	if (r.nexthop_num > 0)
		r.message |= ZAPI_MESSAGE_NEXTHOP;
	for (i = 0; i < r.nexthop_num; i++) {
		nh = &r.nexthops[i];
		memcpy(nh->gate, gates[i], alen);
		nh->ifindex = ifx[i];
		if (memcmp(gates[i], zero, alen) != 0)
			nh->type = family == AF_INET ?
			    (ifx[i] ? ZAPI_NH_IPV4_IFINDEX : ZAPI_NH_IPV4) :
			    (ifx[i] ? ZAPI_NH_IPV6_IFINDEX : ZAPI_NH_IPV6);
		else
			nh->type = ifx[i] ? ZAPI_NH_IFINDEX : ZAPI_NH_BLACKHOLE;
	}
	*out = r;
	return 0;
}

int
zapi_route_encode(const struct zapi_dialect *d, struct buf *b, uint16_t cmd,
    const struct zapi_route *r)
{
	uint32_t m = r->message;
	size_t start;
	uint16_t i;
	int ret;

	if (d->rt == ZAPI_RT_Q12)
		return q12_route_encode(d, b, cmd, r);
	if ((ret = route_check(d, cmd, r)) != 0)
		return ret;
	if ((ret = zapi_msg_begin(d, b, cmd, r->vrf_id, &start)) != 0)
		return ret;
	/* Only the significant bytes of the prefix go on the wire. */
	if (buf_put_u8(b, r->type) || buf_put_u16(b, r->instance) ||
	    buf_put_u32(b, r->flags) || buf_put_u32(b, msg_to_wire(d, m)) ||
	    buf_put_u8(b, r->safi) || buf_put_u8(b, r->prefix.family) ||
	    buf_put_u8(b, r->prefix.plen) ||
	    buf_put_bytes(b, r->prefix.bytes, PSIZE(r->prefix.plen)))
		goto full;
	if ((m & ZAPI_MESSAGE_SRCPFX) && (buf_put_u8(b, r->src_plen) ||
	    buf_put_bytes(b, r->src, PSIZE(r->src_plen))))
		goto full;
	if (m & ZAPI_MESSAGE_NEXTHOP) {
		if (buf_put_u16(b, r->nexthop_num))
			goto full;
		for (i = 0; i < r->nexthop_num; i++)
			if (nexthop_encode(d, b, &r->nexthops[i]) != 0)
				goto full;
	}
	if (((m & ZAPI_MESSAGE_DISTANCE) && buf_put_u8(b, r->distance)) ||
	    ((m & ZAPI_MESSAGE_METRIC) && buf_put_u32(b, r->metric)) ||
	    ((m & ZAPI_MESSAGE_TAG) && buf_put_u32(b, r->tag)) ||
	    ((m & ZAPI_MESSAGE_MTU) && buf_put_u32(b, r->mtu)) ||
	    ((m & ZAPI_MESSAGE_TABLEID) && buf_put_u32(b, r->tableid)))
		goto full;
	return msg_close(d, b, start, 0);
full:
	return msg_close(d, b, start, -ERANGE);
}

/*
 * One nexthop of a route body whose message bits (ours) are m.  Fields
 * this codec has no place for are bounds-checked and skipped.  0, -EBADMSG
 * or -EOPNOTSUPP.
 */
static int
nexthop_decode(const struct zapi_dialect *d, struct buf *b, uint32_t m,
    struct zapi_nexthop *nh)
{
	uint32_t w32;
	uint8_t n;
	int err;

	memset(nh, 0, sizeof(*nh));
	if (buf_get_u32(b, &nh->vrf_id) || buf_get_u8(b, &nh->type) ||
	    buf_get_u8(b, &nh->flags))
		return -EBADMSG;
	switch (nh->type) {
	case ZAPI_NH_BLACKHOLE:
		err = buf_get_u8(b, &nh->bh_type);
		break;
	case ZAPI_NH_IPV4:
	case ZAPI_NH_IPV4_IFINDEX:
		err = buf_get_bytes(b, nh->gate, 4) ||
		    buf_get_u32(b, &nh->ifindex);
		break;
	case ZAPI_NH_IFINDEX:
		err = buf_get_u32(b, &nh->ifindex);
		break;
	case ZAPI_NH_IPV6:
	case ZAPI_NH_IPV6_IFINDEX:
		err = buf_get_bytes(b, nh->gate, 16) ||
		    buf_get_u32(b, &nh->ifindex);
		break;
	default:
		return -EBADMSG;
	}
	if (err)
		return -EBADMSG;
	/* Optional parts, in the order zapi_nexthop_encode writes them. */
	if (nh->flags & ZAPI_NHF_LABEL) {
		if (buf_get_u8(b, &n) || n > ZAPI_MPLS_MAX_LABELS ||
		    (d->label_type && buf_skip(b, 1)) ||
		    buf_skip(b, (size_t)n * 4))
			return -EBADMSG;
	}
	if (nh->flags & ZAPI_NHF_WEIGHT) {
		if (d->weight_len == 8)
			err = buf_get_u64(b, &nh->weight);
		else if ((err = buf_get_u32(b, &w32)) == 0)
			nh->weight = w32;
		if (err)
			return -EBADMSG;
	}
	if ((nh->flags & ZAPI_NHF_EVPN) && buf_skip(b, 6))
		return -EBADMSG;
	if ((m & ZAPI_MESSAGE_SRTE) && buf_skip(b, 4))
		return -EBADMSG;
	if (nh->flags & ZAPI_NHF_HAS_BACKUP) {
		if (buf_get_u8(b, &n) || n > ZAPI_NEXTHOP_MAX_BACKUPS ||
		    buf_skip(b, n))
			return -EBADMSG;
	}
	/* A raw struct seg6local_context whose size is FRR's business. */
	if (nh->flags & ZAPI_NHF_SEG6LOCAL)
		return -EOPNOTSUPP;
	if (nh->flags & ZAPI_NHF_SEG6) {
		n = 1;
		if ((d->seg6_count && buf_get_u8(b, &n)) ||
		    n > ZAPI_SEG6_MAX || buf_skip(b, (size_t)n * 16))
			return -EBADMSG;
	}
	return 0;
}

int
zapi_route_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_route *out)
{
	return zapi_route_decode_af(d, 0, body, out);
}

int
zapi_route_decode_af(const struct zapi_dialect *d, uint8_t family,
    struct buf *body, struct zapi_route *out)
{
	struct zapi_route r;
	struct zapi_nexthop scratch;
	uint16_t i, n;
	uint32_t m;
	int ret;

	if (d->rt == ZAPI_RT_Q12)
		return q12_route_decode(d, family, body, out);
	memset(&r, 0, sizeof(r));
	if (buf_get_u8(body, &r.type) || buf_get_u16(body, &r.instance) ||
	    buf_get_u32(body, &r.flags) || buf_get_u32(body, &r.message) ||
	    buf_get_u8(body, &r.safi) || buf_get_u8(body, &r.prefix.family) ||
	    buf_get_u8(body, &r.prefix.plen))
		return -EBADMSG;
	m = r.message = msg_from_wire(d, r.message);
	if (r.type >= d->type_max || r.safi < ZAPI_SAFI_UNICAST ||
	    r.safi > ZAPI_SAFI_MAX || !prefix_valid(&r.prefix))
		return -EBADMSG;
	if (buf_get_bytes(body, r.prefix.bytes, PSIZE(r.prefix.plen)))
		return -EBADMSG;
	if (m & ZAPI_MESSAGE_SRCPFX) {
		if (buf_get_u8(body, &r.src_plen) || r.src_plen == 0 ||
		    r.src_plen > 128 || r.prefix.family != AF_INET6 ||
		    buf_get_bytes(body, r.src, PSIZE(r.src_plen)))
			return -EBADMSG;
	}
	if ((m & ZAPI_MESSAGE_NHG) && buf_get_u32(body, &r.nhgid))
		return -EBADMSG;
	if (m & ZAPI_MESSAGE_NEXTHOP) {
		if (buf_get_u16(body, &r.nexthop_num))
			return -EBADMSG;
		if (r.nexthop_num > ZAPI_NEXTHOP_MAX)
			return -E2BIG;
		for (i = 0; i < r.nexthop_num; i++) {
			ret = nexthop_decode(d, body, m, &r.nexthops[i]);
			if (ret != 0)
				return ret;
		}
	}
	/* Backup nexthops: each takes >= 7 bytes; the body bounds the loop. */
	if (m & ZAPI_MESSAGE_BACKUP_NEXTHOPS) {
		if (buf_get_u16(body, &n))
			return -EBADMSG;
		for (i = 0; i < n; i++)
			if ((ret = nexthop_decode(d, body, m, &scratch)) != 0)
				return ret;
	}
	if (((m & ZAPI_MESSAGE_DISTANCE) && buf_get_u8(body, &r.distance)) ||
	    ((m & ZAPI_MESSAGE_METRIC) && buf_get_u32(body, &r.metric)) ||
	    ((m & ZAPI_MESSAGE_TAG) && buf_get_u32(body, &r.tag)) ||
	    ((m & ZAPI_MESSAGE_MTU) && buf_get_u32(body, &r.mtu)) ||
	    ((m & ZAPI_MESSAGE_TABLEID) && buf_get_u32(body, &r.tableid)))
		return -EBADMSG;
	if (m & ZAPI_MESSAGE_OPAQUE) {
		if (buf_get_u16(body, &n) || n > ZAPI_OPAQUE_MAX ||
		    buf_skip(body, n))
			return -EBADMSG;
	}
	if (buf_left(body) != 0)
		return -EBADMSG;
	*out = r;
	return 0;
}

int
zapi_notify_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_notify *out)
{
	struct zapi_notify n;
	uint8_t skip[16];
	size_t alen;

	if (d->notify == ZAPI_NOTIFY_NONE)
		return -EBADMSG;
	memset(&n, 0, sizeof(n));
	/* The note is a raw C enum: host byte order. */
	if (buf_get_u32_host(body, &n.note) ||
	    buf_get_u8(body, &n.prefix.family) ||
	    buf_get_u8(body, &n.prefix.plen) || !prefix_valid(&n.prefix))
		return -EBADMSG;
	/* Whole addresses, not just the significant bytes. */
	alen = family_len(n.prefix.family);
	if (buf_get_bytes(body, n.prefix.bytes, alen))
		return -EBADMSG;
	if (d->notify == ZAPI_NOTIFY_103 && (buf_get_u8(body, &n.src_plen) ||
	    n.src_plen > alen * 8 || buf_get_bytes(body, skip, alen)))
		return -EBADMSG;
	if (buf_get_u32(body, &n.tableid))
		return -EBADMSG;
	if (d->notify != ZAPI_NOTIFY_75 && (buf_get_u8(body, &n.afi) ||
	    buf_get_u8(body, &n.safi)))
		return -EBADMSG;
	if (buf_left(body) != 0)
		return -EBADMSG;
	*out = n;
	return 0;
}

int
zapi_caps_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_caps *out)
{
	struct zapi_caps c;
	uint8_t vrf8;
	int err;

	memset(&c, 0, sizeof(c));
	if (d->caps_len == 0 || buf_left(body) != d->caps_len)
		return -EBADMSG;
	if (d->caps_vrf_u8) {
		err = buf_get_u8(body, &vrf8);
		c.vrf_backend = vrf8;
	} else
		err = buf_get_u32(body, &c.vrf_backend);
	if (err || buf_get_u8(body, &c.mpls_enabled) ||
	    buf_get_u32(body, &c.multipath_num) ||
	    buf_get_u8(body, &c.mlag_role))
		return -EBADMSG;
	/* 9.1 appends v6_with_v4_nexthop, 10.2 graceful_restart. */
	if (buf_left(body) > 0 && buf_get_u8(body, &c.v6_with_v4_nexthop))
		return -EBADMSG;
	if (buf_left(body) > 0 && buf_get_u8(body, &c.graceful_restart))
		return -EBADMSG;
	*out = c;
	return 0;
}

int
zapi_error_decode(struct buf *body, uint32_t *code)
{
	uint32_t v;

	if (buf_get_u32_host(body, &v) || buf_left(body) != 0)
		return -EBADMSG;
	*code = v;
	return 0;
}

/* The name: a NUL within 16 bytes of the wire's width, not empty. */
static int
if_name_get(struct buf *body, char name[ZAPI_IFNAMSIZ], size_t wire)
{
	char raw[32];

	if (wire > sizeof(raw) || buf_get_bytes(body, raw, wire) ||
	    memchr(raw, '\0', ZAPI_IFNAMSIZ) == NULL || raw[0] == '\0')
		return -EBADMSG;
	memcpy(name, raw, ZAPI_IFNAMSIZ);
	return 0;
}

/* The hardware address and the link-params octet; TE params skipped. */
static int
if_tail(struct buf *body, uint32_t hwlen)
{
	uint8_t lp;

	if (hwlen > ZAPI_IF_HWADDR_MAX || buf_skip(body, hwlen) ||
	    buf_get_u8(body, &lp))
		return -EBADMSG;
	/* TE link params (lp == 1) have no place here. */
	(void)buf_skip(body, buf_left(body));
	return 0;
}

/*
 * Quagga's zserv_encode_interface: name[20], ifindex, status, u64 flags,
 * metric, mtu, mtu6, bandwidth, ll_type, hw_addr_len, hw_addr, u8 link
 * params.  A Linux name fits in 16 bytes with its NUL.
 */
static int
q12_interface_decode(struct buf *body, struct zapi_interface *out)
{
	struct zapi_interface ifp;
	uint32_t hwlen;

	memset(&ifp, 0, sizeof(ifp));
	if (if_name_get(body, ifp.name, 20) || buf_get_u32(body, &ifp.ifindex) ||
	    buf_get_u8(body, &ifp.status) || buf_get_u64(body, &ifp.flags) ||
	    buf_skip(body, 4) || buf_get_u32(body, &ifp.mtu) ||
	    buf_skip(body, 4 + 4 + 4) || buf_get_u32(body, &hwlen) ||
	    if_tail(body, hwlen))
		return -EBADMSG;
	*out = ifp;
	return 0;
}

int
zapi_interface_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_interface *out)
{
	struct zapi_interface ifp;
	uint32_t hwlen;

	if (d->ifl == ZAPI_IF_Q12)
		return q12_interface_decode(body, out);
	memset(&ifp, 0, sizeof(ifp));
	/*
	 * name, ifindex, status, flags, ptm x2, metric, speed, [txqlen 9.1],
	 * mtu, mtu6, bandwidth, link_ifindex, [zif_type 10.6], ll_type.
	 */
	if (if_name_get(body, ifp.name, ZAPI_IFNAMSIZ) ||
	    buf_get_u32(body, &ifp.ifindex) ||
	    buf_get_u8(body, &ifp.status) || buf_get_u64(body, &ifp.flags) ||
	    buf_skip(body, 1 + 1 + 4 + 4) ||
	    (d->ifl != ZAPI_IF_75 && buf_skip(body, 4)) ||
	    buf_get_u32(body, &ifp.mtu) ||
	    buf_skip(body, 4 + 4) || buf_get_u32(body, &ifp.link_ifindex) ||
	    (d->ifl == ZAPI_IF_106 && buf_skip(body, 4)) ||
	    buf_skip(body, 4) || buf_get_u32(body, &hwlen) ||
	    if_tail(body, hwlen))
		return -EBADMSG;
	*out = ifp;
	return 0;
}

int
zapi_router_id_encode(const struct zapi_dialect *d, struct buf *b, bool on)
{
	size_t start;
	int ret;

	ret = zapi_msg_begin(d, b, on ? ZAPI_ROUTER_ID_ADD :
	    ZAPI_ROUTER_ID_DELETE, 0, &start);
	if (ret != 0)
		return ret;
	return msg_close(d, b, start, 0);
}

int
zapi_router_id_decode(struct buf *body, struct zapi_prefix *out)
{
	struct zapi_prefix p;

	memset(&p, 0, sizeof(p));
	if (buf_get_u8(body, &p.family) || family_len(p.family) == 0 ||
	    buf_get_bytes(body, p.bytes, family_len(p.family)) ||
	    buf_get_u8(body, &p.plen) || !prefix_valid(&p) ||
	    buf_left(body) != 0)
		return -EBADMSG;
	*out = p;
	return 0;
}

int
zapi_interface_request_encode(const struct zapi_dialect *d, struct buf *b)
{
	size_t start;
	int ret;

	if ((ret = zapi_msg_begin(d, b, ZAPI_INTERFACE_ADD, 0, &start)) != 0)
		return ret;
	return msg_close(d, b, start, 0);
}

const char *
zapi_cmd_name(uint16_t cmd)
{
	return cmd < ZAPI_CMD_MAX ? cmd_names[cmd] : "UNKNOWN";
}

const char *
zapi_route_type_name(uint8_t type)
{
	return type < ZAPI_ROUTE_MAX ? type_names[type] : "unknown";
}

int
zapi_route_type_wire(const struct zapi_dialect *d, uint8_t type,
    uint8_t *wire)
{
	if (type >= ZAPI_ROUTE_MAX || d->type_wire[type] >= d->type_max)
		return -EINVAL;
	*wire = d->type_wire[type];
	return 0;
}
int
zapi_route_type_parse(const char *name, uint8_t *type)
{
	unsigned long v;
	char *end;
	uint8_t i;

	if (name == NULL || *name == '\0')
		return -EINVAL;
	if (isdigit((unsigned char)*name)) {
		errno = 0;
		v = strtoul(name, &end, 10);
		if (errno != 0 || *end != '\0' || v >= ZAPI_ROUTE_MAX)
			return -EINVAL;
		*type = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < ZAPI_ROUTE_MAX; i++) {
		if (strcasecmp(name, type_names[i]) == 0) {
			*type = i;
			return 0;
		}
	}
	return -EINVAL;
}

bool
zapi_route_type_ownable(uint8_t type)
{
	return type > ZAPI_ROUTE_CONNECT && type < ZAPI_ROUTE_MAX;
}

const char *
zapi_note_name(uint32_t note)
{
	if (note < sizeof(note_names) / sizeof(note_names[0]))
		return note_names[note];
	return "UNKNOWN";
}
