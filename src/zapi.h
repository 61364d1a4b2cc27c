/* SPDX-License-Identifier: MIT */
/*
 * zapi.h: a pure codec for zebra's client protocol (ZAPI), FRR 7.5 to 10.x
 * and Quagga 1.2 (ZSERV 3).
 *
 * No I/O, no allocation, no globals, no libfrr.  Encoders append one whole
 * message to a struct buf and leave the buffer unchanged on error; decoders
 * read a message body (a view from zapi_msg_decode) and check every length
 * against it.  Command and route type numbers are positional enums in FRR
 * and move between releases (section 9 of shared/docs/zapi.md, beside this
 * repository), and so do a few layouts: every function takes the dialect (one const table per release
 * run, zapi_dialect_find) and nothing else varies.  Route types in
 * messages are wire numbers of that dialect; enum zapi_route_type names
 * them in FRR 8.4's numbering, which zapi_route_type_wire maps.
 * Multi-byte fields are big-endian unless marked HOST.
 */
#ifndef RP_ZAPI_H
#define RP_ZAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define ZAPI_MARKER		0xfe	/* ZEBRA_HEADER_MARKER */
#define ZAPI_VERSION		6	/* ZSERV_VERSION */
#define ZAPI_HEADER_LEN		10
#define ZAPI_MAX_LEN		16384	/* ZEBRA_MAX_PACKET_SIZ, with header */
#define ZAPI_NEXTHOP_MAX	8	/* nexthops a struct zapi_route holds */

/* Quagga 1.2 (ZSERV_VERSION 3): u16 len, marker, version, u16 vrf, u16 cmd. */
#define ZAPI_Q_MARKER		0xff
#define ZAPI_Q_VERSION		3
#define ZAPI_Q_HEADER_LEN	8
#define ZAPI_Q_MAX_LEN		4096	/* ZEBRA_MAX_PACKET_SIZ of 1.2 */

/*
 * Commands by name.  These are the codec's own numbers, not wire codes:
 * each dialect (struct zapi_dialect) maps them to its release's codes, and
 * a decoded header carries both.
 */
enum zapi_cmd {
	ZAPI_INTERFACE_ADD,
	ZAPI_INTERFACE_DELETE,
	ZAPI_INTERFACE_ADDRESS_ADD,
	ZAPI_INTERFACE_ADDRESS_DELETE,
	ZAPI_INTERFACE_UP,
	ZAPI_INTERFACE_DOWN,
	ZAPI_ROUTE_ADD,
	ZAPI_ROUTE_DELETE,
	ZAPI_ROUTE_NOTIFY_OWNER,
	ZAPI_REDISTRIBUTE_ADD,
	ZAPI_REDISTRIBUTE_DELETE,
	ZAPI_ROUTER_ID_UPDATE,
	ZAPI_HELLO,
	ZAPI_CAPABILITIES,
	ZAPI_NEXTHOP_UPDATE,
	ZAPI_REDISTRIBUTE_ROUTE_ADD,
	ZAPI_REDISTRIBUTE_ROUTE_DEL,
	ZAPI_VRF_ADD,
	ZAPI_VRF_DELETE,
	ZAPI_INTERFACE_LINK_PARAMS,
	ZAPI_ERROR,
	ZAPI_CLIENT_CAPABILITIES,
	ZAPI_ROUTE_NOTIFY_REQUEST,
	ZAPI_CLIENT_CLOSE_NOTIFY,
	ZAPI_ROUTER_ID_ADD,
	ZAPI_ROUTER_ID_DELETE,
	ZAPI_CMD_MAX,			/* number of named commands */
	ZAPI_CMD_UNKNOWN = 0xffff	/* a wire code the dialect lacks */
};

#define ZAPI_NO_CMD		0xffff	/* dialect table: no such command */
/* The detection probe's command: no zebra has it, every FRR answers ERROR. */
#define ZAPI_PROBE_CMD		0xfff0

/* HELLO body layouts. */
enum zapi_hello_layout {
	ZAPI_HELLO_9,		/* 7.4 - 9.1: type, instance, session, notify, sync */
	ZAPI_HELLO_8,		/* 10.0 -: the notify octet is gone */
	ZAPI_HELLO_1		/* Quagga 1.2: the type alone */
};

/* Header layouts. */
enum zapi_hdr_layout {
	ZAPI_HDR_6,		/* FRR: 10 bytes, marker 0xfe, version 6 */
	ZAPI_HDR_3		/* Quagga 1.2: 8 bytes, marker 0xff, version 3 */
};

/* Route body layouts. */
enum zapi_route_layout {
	ZAPI_RT_FRR,		/* one command per operation, the family inside */
	/*
	 * Quagga 1.2: IPV4_ and IPV6_ROUTE_ADD/DELETE (the IPv6 code is the
	 * IPv4 one + 2), u8 flags and message, no instance or family; what
	 * zebra redistributes is laid out unlike what a client sends.
	 */
	ZAPI_RT_Q12
};

/* INTERFACE_* body layouts (zserv_encode_interface). */
enum zapi_if_layout {
	ZAPI_IF_75,		/* ... speed, mtu ...: a veth is 70 bytes */
	ZAPI_IF_91,		/* + u32 txqlen after speed: 74 */
	ZAPI_IF_106,		/* + u32 zif_type after link_ifindex: 78 */
	ZAPI_IF_Q12		/* Quagga 1.2: 20-byte name, no ptm, speed,
				   link_ifindex: a veth is 64 bytes */
};

/* ROUTE_NOTIFY_OWNER body layouts (route_notify_internal). */
enum zapi_notify_layout {
	ZAPI_NOTIFY_75,		/* note, prefix, table: 14 / 26 bytes */
	ZAPI_NOTIFY_80,		/* + afi, safi: 16 / 28 */
	ZAPI_NOTIFY_103,	/* + source prefix before table: 21 / 45 */
	ZAPI_NOTIFY_NONE	/* Quagga 1.2: zebra never says */
};

/*
 * One zebra release (or run of releases that speak alike), as data.  The
 * session picks one (zapi_dialect_find, or detection); every encoder and
 * decoder takes it.  Checked against each FRR tag's lib/zclient.h,
 * lib/zclient.c, lib/route_types.txt and zebra/zapi_msg.c.
 */
struct zapi_dialect {
	const char	*name;		/* "frr10.3": --zebra-dialect */
	const char	*releases;	/* "FRR 10.3 to 10.5" */
	enum zapi_hdr_layout hdr;
	enum zapi_route_layout rt;
	uint16_t	 cmd[ZAPI_CMD_MAX];	/* wire code, or ZAPI_NO_CMD */
	/* Route types: wire number by enum zapi_route_type (8.4 names). */
	const uint8_t	*type_wire;
	uint8_t		 type_max;	/* ZEBRA_ROUTE_MAX on the wire */
	uint8_t		 type_min_own;	/* HELLO registers wire types above it */
	enum zapi_hello_layout hello;
	uint8_t		 caps_len;	/* CAPABILITIES body (0: none) */
	uint8_t		 caps_vrf_u8;	/* vrf_backend is u8 (10.6), not u32 */
	uint8_t		 caps_gr;	/* ends with graceful_restart (10.2) */
	enum zapi_notify_layout notify;
	enum zapi_if_layout ifl;
	uint8_t		 weight_len;	/* nexthop weight: 4, or 8 from 10.1 */
	uint8_t		 label_type;	/* u8 label_type after the count (9.0) */
	uint8_t		 seg6_count;	/* SEG6: u8 count + n x 16 (9.1) */
	uint32_t	 msg_tableid;	/* ZAPI_MESSAGE_TABLEID on the wire */
	uint32_t	 msg_srte;
	uint32_t	 msg_nhg;	/* 0: none (7.5) */
	uint32_t	 msg_opaque;	/* 0: none (7.5) */
	uint8_t		 gr_per_afi;	/* UPDATE_COMPLETE sweeps only its AFI */
	uint8_t		 gr_sweeps_gone;	/* the stale timer sweeps a client that
					   never came back (not 9.0 - 10.4) */
	/*
	 * The release after this one that detection cannot tell from it at
	 * connect time; a body that only the later one decodes switches the
	 * session over (NULL: none).
	 */
	const struct zapi_dialect *later;
};

/* Route types (lib/route_types.txt of 8.4; 10.0 renumbers from 3 up). */
enum zapi_route_type {
	ZAPI_ROUTE_SYSTEM = 0,
	ZAPI_ROUTE_KERNEL = 1,
	ZAPI_ROUTE_CONNECT = 2,
	ZAPI_ROUTE_STATIC = 3,
	ZAPI_ROUTE_RIP = 4,
	ZAPI_ROUTE_RIPNG = 5,
	ZAPI_ROUTE_OSPF = 6,
	ZAPI_ROUTE_OSPF6 = 7,
	ZAPI_ROUTE_ISIS = 8,
	ZAPI_ROUTE_BGP = 9,
	ZAPI_ROUTE_PIM = 10,
	ZAPI_ROUTE_EIGRP = 11,
	ZAPI_ROUTE_NHRP = 12,
	ZAPI_ROUTE_HSLS = 13,
	ZAPI_ROUTE_OLSR = 14,
	ZAPI_ROUTE_TABLE = 15,
	ZAPI_ROUTE_LDP = 16,
	ZAPI_ROUTE_VNC = 17,
	ZAPI_ROUTE_VNC_DIRECT = 18,
	ZAPI_ROUTE_VNC_DIRECT_RH = 19,
	ZAPI_ROUTE_BGP_DIRECT = 20,
	ZAPI_ROUTE_BGP_DIRECT_EXT = 21,
	ZAPI_ROUTE_BABEL = 22,
	ZAPI_ROUTE_SHARP = 23,
	ZAPI_ROUTE_PBR = 24,
	ZAPI_ROUTE_BFD = 25,
	ZAPI_ROUTE_OPENFABRIC = 26,
	ZAPI_ROUTE_VRRP = 27,
	ZAPI_ROUTE_NHG = 28,
	ZAPI_ROUTE_SRTE = 29,
	ZAPI_ROUTE_ALL = 30,
	ZAPI_ROUTE_MAX = 31
};

/* Route `message` bits (u32): which optional fields follow. */
#define ZAPI_MESSAGE_NEXTHOP		0x0001
#define ZAPI_MESSAGE_DISTANCE		0x0002
#define ZAPI_MESSAGE_METRIC		0x0004
#define ZAPI_MESSAGE_TAG		0x0008
#define ZAPI_MESSAGE_MTU		0x0010
#define ZAPI_MESSAGE_SRCPFX		0x0020
#define ZAPI_MESSAGE_BACKUP_NEXTHOPS	0x0040
#define ZAPI_MESSAGE_NHG		0x0080
#define ZAPI_MESSAGE_TABLEID		0x0100
#define ZAPI_MESSAGE_SRTE		0x0200
#define ZAPI_MESSAGE_OPAQUE		0x0400

/* Route `flags` (u32).  A client sets 0 or ALLOW_RECURSION. */
#define ZAPI_FLAG_ALLOW_RECURSION	0x0001
#define ZAPI_FLAG_SELFROUTE		0x0002
#define ZAPI_FLAG_IBGP			0x0004
#define ZAPI_FLAG_SELECTED		0x0008
#define ZAPI_FLAG_FIB_OVERRIDE		0x0010
#define ZAPI_FLAG_EVPN_ROUTE		0x0020
#define ZAPI_FLAG_RR_USE_DISTANCE	0x0040

#define ZAPI_SAFI_UNICAST	1
#define ZAPI_SAFI_MULTICAST	2
#define ZAPI_AFI_IP		1
#define ZAPI_AFI_IP6		2

enum zapi_nh_type {
	ZAPI_NH_IFINDEX = 1,
	ZAPI_NH_IPV4 = 2,
	ZAPI_NH_IPV4_IFINDEX = 3,
	ZAPI_NH_IPV6 = 4,
	ZAPI_NH_IPV6_IFINDEX = 5,
	ZAPI_NH_BLACKHOLE = 6
};

/* Per-nexthop flags (one octet on the wire). */
#define ZAPI_NHF_ONLINK		0x01
#define ZAPI_NHF_LABEL		0x02
#define ZAPI_NHF_WEIGHT		0x04
#define ZAPI_NHF_HAS_BACKUP	0x08
#define ZAPI_NHF_SEG6		0x10
#define ZAPI_NHF_SEG6LOCAL	0x20
#define ZAPI_NHF_EVPN		0x40

enum zapi_bh_type {
	ZAPI_BH_UNSPEC = 0,
	ZAPI_BH_NULL = 1,
	ZAPI_BH_REJECT = 2,
	ZAPI_BH_ADMINPROHIB = 3
};

/* ROUTE_NOTIFY_OWNER notes. */
enum zapi_note {
	ZAPI_NOTE_FAIL_INSTALL = 0,
	ZAPI_NOTE_BETTER_ADMIN_WON = 1,
	ZAPI_NOTE_INSTALLED = 2,
	ZAPI_NOTE_REMOVED = 3,
	ZAPI_NOTE_REMOVE_FAIL = 4
};

/* CLIENT_CAPABILITIES kinds (graceful restart). */
enum zapi_client_cap_kind {
	ZAPI_CAP_GR = 1,		/* stale_time, vrf_id */
	ZAPI_CAP_UPDATE_COMPLETE = 2,	/* afi, safi, vrf_id */
	ZAPI_CAP_UPDATE_PENDING = 3,	/* afi, safi, vrf_id */
	ZAPI_CAP_GR_DISABLE = 4,	/* vrf_id */
	ZAPI_CAP_RIB_STALE_TIME = 5	/* stale_time, vrf_id */
};

struct zapi_hdr {
	uint16_t	len;		/* whole message, header included */
	uint32_t	vrf_id;
	uint16_t	cmd;		/* enum zapi_cmd, or ZAPI_CMD_UNKNOWN */
	uint16_t	wire_cmd;	/* the code on the wire */
	uint8_t		family;		/* AF_INET/AF_INET6 when the command
					   says (Quagga's route codes), else 0 */
};

/* A prefix: family AF_INET or AF_INET6 (the OS values are on the wire). */
struct zapi_prefix {
	uint8_t		family;
	uint8_t		plen;
	uint8_t		bytes[16];	/* IPv4 uses 0..3 */
};

struct zapi_nexthop {
	uint8_t		type;		/* enum zapi_nh_type */
	uint8_t		flags;		/* ZAPI_NHF_*; encode: ONLINK only */
	uint32_t	vrf_id;
	uint32_t	ifindex;	/* 0 when none */
	uint8_t		gate[16];	/* IPv4 uses 0..3 */
	uint8_t		bh_type;	/* BLACKHOLE only */
	uint64_t	weight;		/* 0 = none (WEIGHT flag) */
};

/*
 * A route as ROUTE_ADD / ROUTE_DELETE / REDISTRIBUTE_ROUTE_* carry it.  The
 * caller sets the `message` bits; the optional fields are on the wire only
 * when their bit is set.
 */
struct zapi_route {
	uint32_t	vrf_id;		/* header VRF */
	uint8_t		type;		/* enum zapi_route_type */
	uint16_t	instance;
	uint32_t	flags;		/* ZAPI_FLAG_* */
	uint32_t	message;	/* ZAPI_MESSAGE_* */
	uint8_t		safi;		/* ZAPI_SAFI_UNICAST */
	struct zapi_prefix prefix;
	uint8_t		src_plen;	/* SRCPFX (IPv6 only) */
	uint8_t		src[16];
	uint32_t	nhgid;		/* NHG; decode only */
	uint16_t	nexthop_num;
	struct zapi_nexthop nexthops[ZAPI_NEXTHOP_MAX];
	uint8_t		distance;
	uint32_t	metric;
	uint32_t	tag;
	uint32_t	mtu;
	uint32_t	tableid;
};

struct zapi_hello {
	uint8_t		type;		/* our identity: 2 < type < 31 */
	uint16_t	instance;	/* 0 */
	uint32_t	session_id;	/* 0: only session 0 gets notified */
	uint8_t		receive_notify;	/* 1: send ROUTE_NOTIFY_OWNER */
	uint8_t		synchronous;	/* 0 */
};

struct zapi_client_cap {
	uint32_t	kind;		/* enum zapi_client_cap_kind */
	uint32_t	stale_time;	/* seconds, GR and RIB_STALE_TIME */
	uint32_t	afi;		/* UPDATE_COMPLETE / PENDING */
	uint32_t	safi;
	uint32_t	vrf_id;
};

/* Interface messages (Appendix A of shared/docs/zapi.md). */
#define ZAPI_IFNAMSIZ		16	/* INTERFACE_NAMSIZ, NUL included */
#define ZAPI_IF_HWADDR_MAX	20	/* INTERFACE_HWADDR_MAX */
#define ZAPI_IFS_ACTIVE		0x01	/* ZEBRA_INTERFACE_ACTIVE */
#define ZAPI_IFS_SUB		0x02
#define ZAPI_IFS_LINKDETECTION	0x04
#define ZAPI_IFS_VRF_LOOPBACK	0x08

/* INTERFACE_ADD/DELETE/UP/DOWN: the fields a route owner needs. */
struct zapi_interface {
	char		name[ZAPI_IFNAMSIZ];	/* NUL-terminated, not empty */
	uint32_t	ifindex;
	uint8_t		status;		/* ZAPI_IFS_* */
	uint64_t	flags;		/* IFF_* (UP 0x1, RUNNING 0x40) */
	uint32_t	mtu;
	uint32_t	link_ifindex;	/* parent or veth peer */
};

/* ZEBRA_CAPABILITIES, zebra's answer to HELLO. */
struct zapi_caps {
	uint32_t	vrf_backend;	/* 0 VRF_LITE, 1 NETNS */
	uint8_t		mpls_enabled;
	uint32_t	multipath_num;	/* zebra's ECMP width */
	uint8_t		mlag_role;
	uint8_t		v6_with_v4_nexthop;	/* 9.1 and later */
	uint8_t		graceful_restart;	/* 10.2 and later: zebra -K */
};

struct zapi_notify {
	uint32_t	note;		/* enum zapi_note (HOST order) */
	struct zapi_prefix prefix;
	uint8_t		src_plen;	/* 10.3 and later; 0 = none */
	uint32_t	tableid;
	uint8_t		afi;		/* 8.0 and later */
	uint8_t		safi;
};

/* The dialect called name ("frr10.3"), or NULL. */
const struct zapi_dialect *zapi_dialect_find(const char *name);
/* Every dialect, oldest first: *n of them. */
const struct zapi_dialect *const *zapi_dialects(size_t *n);
/* The dialect for FRR 8.2 to 8.5, the numbering this codec grew up with. */
const struct zapi_dialect *zapi_dialect_default(void);

/*
 * Framing.  p[0..n) is the start of a byte stream from zebra.  Returns 0
 * and sets *msglen when a whole message is there; -EAGAIN when more bytes
 * are needed; -EBADMSG when the header is invalid (marker, version, or a
 * length outside [ZAPI_HEADER_LEN, ZAPI_MAX_LEN]) - the stream is then out
 * of sync and must be closed.  Header fields are checked as soon as they
 * have arrived, before any body byte is looked at.  (Every FRR dialect
 * frames alike.)
 */
int zapi_frame(const uint8_t *p, size_t n, size_t *msglen);
/* The same for the header layout of d (Quagga's is 8 bytes, at most 4096). */
int zapi_frame_dialect(const struct zapi_dialect *d, const uint8_t *p,
    size_t n, size_t *msglen);
/* d's header length: ZAPI_HEADER_LEN, or ZAPI_Q_HEADER_LEN (Quagga). */
size_t zapi_hdr_len(const struct zapi_dialect *d);

/*
 * Decode the header of the message at the read position of b and validate
 * it as zapi_frame does; h->cmd is the wire code's name in d.  0, or
 * -EBADMSG.  Consumes ZAPI_HEADER_LEN bytes.
 */
int zapi_hdr_decode(const struct zapi_dialect *d, struct buf *b,
    struct zapi_hdr *h);

/*
 * Split exactly one message p[0..n) (as delimited by zapi_frame) into its
 * header and a read-only view of its body (borrowing p).  0, or -EBADMSG
 * when the header is invalid or its length is not n.  Any command, known or
 * not, decodes; dispatch on h->cmd and ignore what you don't handle.
 */
int zapi_msg_decode(const struct zapi_dialect *d, const uint8_t *p, size_t n,
    struct zapi_hdr *h, struct buf *body);

/*
 * Start a message: append a header for cmd in d with a length
 * placeholder.  *start receives the offset of the header for
 * zapi_msg_end.  0, -EOPNOTSUPP (d has no such command) or -ERANGE.
 */
int zapi_msg_begin(const struct zapi_dialect *d, struct buf *b,
    uint16_t cmd, uint32_t vrf_id, size_t *start);
/*
 * Finish the message begun at start (FRR's header; Quagga's messages are
 * finished by the encoders): patch its length.  0; -EMSGSIZE when
 * it is longer than ZAPI_MAX_LEN; -EINVAL when start is not a header.
 */
int zapi_msg_end(struct buf *b, size_t start);

/*
 * Append the detection probe: command ZAPI_PROBE_CMD, vrf 0, no body.  No
 * FRR zebra has that command; each answers ERROR (INVALID_MSG_TYPE) under
 * its own ERROR code and registers nothing.  0 or -ERANGE.
 */
int zapi_probe_encode(struct buf *b);

/*
 * Append a HELLO (vrf 0) in d's layout (10.x has no receive_notify;
 * Quagga's is the type alone, so instance and session must be 0).  0;
 * -EINVAL (a type zebra does not register: not between d's
 * type_min_own and ZEBRA_ROUTE_MAX); -ERANGE.
 */
int zapi_hello_encode(const struct zapi_dialect *d, struct buf *b,
    const struct zapi_hello *h);

/*
 * Append a CLIENT_CAPABILITIES (vrf 0) carrying c->kind and the fields that
 * kind takes.  0; -EINVAL (unknown kind); -ERANGE.
 */
int zapi_client_cap_encode(const struct zapi_dialect *d, struct buf *b,
    const struct zapi_client_cap *c);

/*
 * Append ROUTE_NOTIFY_REQUEST (u8 on): how 10.x clients ask for
 * ROUTE_NOTIFY_OWNER.  0, -EOPNOTSUPP (7.5 has no such command), -ERANGE.
 */
int zapi_notify_request_encode(const struct zapi_dialect *d, struct buf *b,
    bool on);

/*
 * Append REDISTRIBUTE_ADD/DELETE (cmd) for afi, wire type, instance.
 * Quagga's body is the type alone and covers both AFIs (afi must still be
 * valid; instance must be 0).  0, -EINVAL or -ERANGE.
 */
int zapi_redist_encode(const struct zapi_dialect *d, struct buf *b,
    uint16_t cmd, uint8_t afi, uint8_t type, uint16_t instance);

/*
 * Append a ROUTE_ADD or ROUTE_DELETE (cmd) for r, in r->vrf_id, r->type a
 * wire type of d.  Encodes the message bits NEXTHOP, DISTANCE, METRIC,
 * TAG, MTU, SRCPFX, TABLEID; the only nexthop flag accepted is ONLINK
 * (WEIGHT follows weight != 0, in d's width).  0; -EINVAL for anything
 * zebra would drop (type not below d's ZEBRA_ROUTE_MAX, bad safi, family
 * or prefix length, ADD without nexthops, nexthop_num inconsistent with
 * the NEXTHOP bit or > ZAPI_NEXTHOP_MAX, unknown nexthop type, a weight
 * wider than d's) or that this codec does not write (NHG, BACKUP_NEXTHOPS,
 * SRTE, OPAQUE, labels); -ERANGE when b is full.  Quagga 1.2: IPV4_ or
 * IPV6_ROUTE_ADD/DELETE by the prefix's family, a u16 vrf, flags 0 (a
 * blackhole sets ZEBRA_FLAG_BLACKHOLE), instance 0, no SRCPFX or TABLEID,
 * nexthops without flags, VRF or weight: IFINDEX, IPV4, IPV4_IFINDEX and
 * BLACKHOLE for IPv4, IFINDEX and IPV6 for IPv6; anything else -EINVAL.
 */
int zapi_route_encode(const struct zapi_dialect *d, struct buf *b,
    uint16_t cmd, const struct zapi_route *r);

/*
 * Decode a route body (ROUTE_ADD/DELETE, REDISTRIBUTE_ROUTE_ADD/DEL) of d.
 * r->message comes back in this header's ZAPI_MESSAGE_* bits whatever d's
 * are; labels, EVPN MAC, SR-TE colours, backup nexthops, SRv6 segments
 * and opaque data are checked and skipped.  r->vrf_id is set to 0: take it
 * from the header.  0; -EBADMSG for a short, long or invalid body; -E2BIG
 * for more than ZAPI_NEXTHOP_MAX nexthops; -EOPNOTSUPP for a SEG6LOCAL
 * nexthop (its context's size is not portable).
 */
int zapi_route_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_route *r);
/*
 * The same where the family may come from the command (h->family of the
 * header, Quagga 1.2: zapi_route_decode refuses its bodies).  Quagga's
 * body is the one zebra redistributes (u8 type, flags, message, prefix;
 * one nexthop address and one ifindex; DISTANCE, METRIC, MTU, TAG), which
 * is laid out unlike the one a client sends; r->flags are Quagga's
 * ZEBRA_FLAG_* bits.  Same returns.
 */
int zapi_route_decode_af(const struct zapi_dialect *d, uint8_t family,
    struct buf *body, struct zapi_route *r);

/*
 * Append ROUTER_ID_ADD (on) or ROUTER_ID_DELETE, vrf 0, no body.  Every
 * zebra answers the ADD with ROUTER_ID_UPDATE; it registers nothing that
 * outlives the session.  0, -EOPNOTSUPP or -ERANGE.
 */
int zapi_router_id_encode(const struct zapi_dialect *d, struct buf *b,
    bool on);
/*
 * Decode a ROUTER_ID_UPDATE body: u8 family, the whole address, u8 plen
 * (the same in every dialect).  0 or -EBADMSG.
 */
int zapi_router_id_decode(struct buf *body, struct zapi_prefix *p);

/*
 * Append Quagga's INTERFACE_ADD request (no body; FRR's is the same
 * message): zebra then dumps its interfaces and reports their changes.
 * 0, -EOPNOTSUPP or -ERANGE.
 */
int zapi_interface_request_encode(const struct zapi_dialect *d,
    struct buf *b);

/*
 * Decode a ROUTE_NOTIFY_OWNER body in d's layout (8.4: 16 or 28 bytes;
 * 10.3: 21 or 45; Quagga has none).  0 or -EBADMSG.
 */
int zapi_notify_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_notify *n);

/*
 * Decode a CAPABILITIES body of exactly d's length (10 bytes in 7.5 - 9.0,
 * 11 in 9.1 - 10.1, 12 in 10.2 - 10.5, 9 from 10.6; Quagga has none).  0
 * or -EBADMSG.
 */
int zapi_caps_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_caps *c);

/*
 * Decode an ERROR body: a HOST-order u32 code (1 NO_VRF, 2
 * INVALID_MSG_TYPE).  The same in every dialect.  0 or -EBADMSG.
 */
int zapi_error_decode(struct buf *body, uint32_t *code);

/*
 * Decode an INTERFACE_ADD/DELETE/UP/DOWN body in d's layout (a veth is 70
 * bytes in 8.4, 74 in 9.1, 78 in 10.6, 64 in Quagga 1.2, whose names take
 * 20 bytes and which has no link_ifindex: 0).  Everything up to the
 * has_link_params octet is checked; TE link parameters and anything after
 * them are skipped.  0, or -EBADMSG for a short body, a name without a NUL
 * in its 16 bytes or an empty one, or a hardware address longer than
 * ZAPI_IF_HWADDR_MAX.
 */
int zapi_interface_decode(const struct zapi_dialect *d, struct buf *body,
    struct zapi_interface *ifp);

/* The FRR name of a command ("ROUTE_ADD"), or "UNKNOWN". */
const char *zapi_cmd_name(uint16_t cmd);
/* The CLI name of a route type in 8.4 numbering ("babel"), or "unknown". */
const char *zapi_route_type_name(uint8_t type);
/*
 * Parse a route type by its CLI name (case-insensitive) or its number in
 * FRR 8.4's numbering (the form the flags always took).  0 and *type set
 * (8.4 numbering), or -EINVAL.
 */
int zapi_route_type_parse(const char *name, uint8_t *type);
/*
 * The wire number in d of route type `type` (8.4 numbering): 0 and *wire,
 * or -EINVAL for a type d does not have.
 */
int zapi_route_type_wire(const struct zapi_dialect *d, uint8_t type,
    uint8_t *wire);
/*
 * True when zebra accepts type (8.4 numbering) as a client's identity
 * (2 < type < 31; its wire number then passes every dialect's test).
 */
bool zapi_route_type_ownable(uint8_t type);
/* The name of a notify note ("INSTALLED"), or "UNKNOWN". */
const char *zapi_note_name(uint32_t note);

#endif
