/*
 * zapi.c: encode and decode ZAPI messages, FRR 8.4 dialect.
 *
 * Layouts follow docs/zapi.md (sections 1-6), which was checked against
 * FRR 8.4.4's lib/zclient.c and bytes captured from Debian's zebra.
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

/* Message bits zapi_route_encode writes. */
#define ZAPI_MESSAGE_ENCODABLE	(ZAPI_MESSAGE_NEXTHOP | \
	ZAPI_MESSAGE_DISTANCE | ZAPI_MESSAGE_METRIC | ZAPI_MESSAGE_TAG | \
	ZAPI_MESSAGE_MTU | ZAPI_MESSAGE_SRCPFX | ZAPI_MESSAGE_TABLEID)

/* Significant bytes of a prefix of plen bits. */
#define PSIZE(plen)		(((size_t)(plen) + 7) / 8)

/* Every 8.4 command, by number (zebra_message_types_t without ZEBRA_). */
static const char *const cmd_names[] = {
	"INTERFACE_ADD", "INTERFACE_DELETE", "INTERFACE_ADDRESS_ADD",
	"INTERFACE_ADDRESS_DELETE", "INTERFACE_UP", "INTERFACE_DOWN",
	"INTERFACE_SET_MASTER", "INTERFACE_SET_PROTODOWN", "ROUTE_ADD",
	"ROUTE_DELETE", "ROUTE_NOTIFY_OWNER", "REDISTRIBUTE_ADD",
	"REDISTRIBUTE_DELETE", "REDISTRIBUTE_DEFAULT_ADD",
	"REDISTRIBUTE_DEFAULT_DELETE", "ROUTER_ID_ADD", "ROUTER_ID_DELETE",
	"ROUTER_ID_UPDATE", "HELLO", "CAPABILITIES", "NEXTHOP_REGISTER",
	"NEXTHOP_UNREGISTER", "NEXTHOP_UPDATE", "INTERFACE_NBR_ADDRESS_ADD",
	"INTERFACE_NBR_ADDRESS_DELETE", "INTERFACE_BFD_DEST_UPDATE",
	"BFD_DEST_REGISTER", "BFD_DEST_DEREGISTER", "BFD_DEST_UPDATE",
	"BFD_DEST_REPLAY", "REDISTRIBUTE_ROUTE_ADD", "REDISTRIBUTE_ROUTE_DEL",
	"VRF_UNREGISTER", "VRF_ADD", "VRF_DELETE", "VRF_LABEL",
	"INTERFACE_VRF_UPDATE", "BFD_CLIENT_REGISTER", "BFD_CLIENT_DEREGISTER",
	"INTERFACE_ENABLE_RADV", "INTERFACE_DISABLE_RADV",
	"NEXTHOP_LOOKUP_MRIB", "INTERFACE_LINK_PARAMS", "MPLS_LABELS_ADD",
	"MPLS_LABELS_DELETE", "MPLS_LABELS_REPLACE", "SR_POLICY_SET",
	"SR_POLICY_DELETE", "SR_POLICY_NOTIFY_STATUS", "IPMR_ROUTE_STATS",
	"LABEL_MANAGER_CONNECT", "LABEL_MANAGER_CONNECT_ASYNC",
	"GET_LABEL_CHUNK", "RELEASE_LABEL_CHUNK", "FEC_REGISTER",
	"FEC_UNREGISTER", "FEC_UPDATE", "ADVERTISE_DEFAULT_GW",
	"ADVERTISE_SVI_MACIP", "ADVERTISE_SUBNET", "ADVERTISE_ALL_VNI",
	"LOCAL_ES_ADD", "LOCAL_ES_DEL", "REMOTE_ES_VTEP_ADD",
	"REMOTE_ES_VTEP_DEL", "LOCAL_ES_EVI_ADD", "LOCAL_ES_EVI_DEL", "VNI_ADD",
	"VNI_DEL", "L3VNI_ADD", "L3VNI_DEL", "REMOTE_VTEP_ADD",
	"REMOTE_VTEP_DEL", "MACIP_ADD", "MACIP_DEL", "IP_PREFIX_ROUTE_ADD",
	"IP_PREFIX_ROUTE_DEL", "REMOTE_MACIP_ADD", "REMOTE_MACIP_DEL",
	"DUPLICATE_ADDR_DETECTION", "PW_ADD", "PW_DELETE", "PW_SET", "PW_UNSET",
	"PW_STATUS_UPDATE", "RULE_ADD", "RULE_DELETE", "RULE_NOTIFY_OWNER",
	"TABLE_MANAGER_CONNECT", "GET_TABLE_CHUNK", "RELEASE_TABLE_CHUNK",
	"IPSET_CREATE", "IPSET_DESTROY", "IPSET_ENTRY_ADD",
	"IPSET_ENTRY_DELETE",
	"IPSET_NOTIFY_OWNER", "IPSET_ENTRY_NOTIFY_OWNER", "IPTABLE_ADD",
	"IPTABLE_DELETE", "IPTABLE_NOTIFY_OWNER", "VXLAN_FLOOD_CONTROL",
	"VXLAN_SG_ADD", "VXLAN_SG_DEL", "VXLAN_SG_REPLAY", "MLAG_PROCESS_UP",
	"MLAG_PROCESS_DOWN", "MLAG_CLIENT_REGISTER", "MLAG_CLIENT_UNREGISTER",
	"MLAG_FORWARD_MSG", "NHG_ADD", "NHG_DEL", "NHG_NOTIFY_OWNER",
	"EVPN_REMOTE_NH_ADD", "EVPN_REMOTE_NH_DEL", "SRV6_LOCATOR_ADD",
	"SRV6_LOCATOR_DELETE", "SRV6_MANAGER_GET_LOCATOR_CHUNK",
	"SRV6_MANAGER_RELEASE_LOCATOR_CHUNK", "ERROR", "CLIENT_CAPABILITIES",
	"OPAQUE_MESSAGE", "OPAQUE_REGISTER", "OPAQUE_UNREGISTER",
	"NEIGH_DISCOVER", "ROUTE_NOTIFY_REQUEST", "CLIENT_CLOSE_NOTIFY",
	"NHRP_NEIGH_ADDED", "NHRP_NEIGH_REMOVED", "NHRP_NEIGH_GET",
	"NHRP_NEIGH_REGISTER", "NHRP_NEIGH_UNREGISTER", "NEIGH_IP_ADD",
	"NEIGH_IP_DEL", "CONFIGURE_ARP", "GRE_GET", "GRE_UPDATE",
	"GRE_SOURCE_SET",
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
    "one name per 8.4 command");
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

/* Check a complete header; 0 or -EBADMSG. */
static int
hdr_check(uint16_t len, uint8_t marker, uint8_t version)
{
	if (marker != ZAPI_MARKER || version != ZAPI_VERSION)
		return -EBADMSG;
	if (len < ZAPI_HEADER_LEN || len > ZAPI_MAX_LEN)
		return -EBADMSG;
	return 0;
}

int
zapi_frame(const uint8_t *p, size_t n, size_t *msglen)
{
	size_t len = 0;

	/* Reject each header field as soon as its bytes are in. */
	if (n >= 2) {
		len = (size_t)p[0] << 8 | p[1];
		if (len < ZAPI_HEADER_LEN || len > ZAPI_MAX_LEN)
			return -EBADMSG;
	}
	if (n >= 3 && p[2] != ZAPI_MARKER)
		return -EBADMSG;
	if (n >= 4 && p[3] != ZAPI_VERSION)
		return -EBADMSG;
	if (n < ZAPI_HEADER_LEN || n < len)
		return -EAGAIN;
	*msglen = len;
	return 0;
}

int
zapi_hdr_decode(struct buf *b, struct zapi_hdr *h)
{
	uint16_t len, cmd;
	uint8_t marker, version;
	uint32_t vrf_id;

	/* All or nothing: a short header consumes nothing. */
	if (buf_left(b) < ZAPI_HEADER_LEN)
		return -EBADMSG;
	(void)buf_get_u16(b, &len);
	(void)buf_get_u8(b, &marker);
	(void)buf_get_u8(b, &version);
	(void)buf_get_u32(b, &vrf_id);
	(void)buf_get_u16(b, &cmd);
	if (hdr_check(len, marker, version) != 0)
		return -EBADMSG;
	h->len = len;
	h->vrf_id = vrf_id;
	h->cmd = cmd;
	return 0;
}

int
zapi_msg_decode(const uint8_t *p, size_t n, struct zapi_hdr *h,
    struct buf *body)
{
	struct buf b;
	struct zapi_hdr hdr;

	buf_init_read(&b, p, n);
	if (zapi_hdr_decode(&b, &hdr) != 0 || hdr.len != n)
		return -EBADMSG;
	if (buf_get_view(&b, n - ZAPI_HEADER_LEN, body) != 0)
		return -EBADMSG;
	*h = hdr;
	return 0;
}

int
zapi_msg_begin(struct buf *b, uint16_t cmd, uint32_t vrf_id, size_t *start)
{
	size_t at = buf_len(b);

	/* The length is a placeholder until zapi_msg_end. */
	if (buf_put_u16(b, 0) || buf_put_u8(b, ZAPI_MARKER) ||
	    buf_put_u8(b, ZAPI_VERSION) || buf_put_u32(b, vrf_id) ||
	    buf_put_u16(b, cmd)) {
		buf_truncate(b, at);
		return -ERANGE;
	}
	*start = at;
	return 0;
}

int
zapi_msg_end(struct buf *b, size_t start)
{
	size_t len;

	if (start > buf_len(b))
		return -EINVAL;
	len = buf_len(b) - start;
	if (len < ZAPI_HEADER_LEN)
		return -EINVAL;
	if (len > ZAPI_MAX_LEN)
		return -EMSGSIZE;
	return buf_put_u16_at(b, start, (uint16_t)len);
}

/*
 * Finish an encoder: patch the length when ret is 0, else (or when that
 * fails) drop the partial message.
 */
static int
msg_close(struct buf *b, size_t start, int ret)
{
	if (ret == 0)
		ret = zapi_msg_end(b, start);
	if (ret != 0)
		buf_truncate(b, start);
	return ret;
}

int
zapi_hello_encode(struct buf *b, const struct zapi_hello *h)
{
	size_t start;
	int ret;

	if (h->type >= ZAPI_ROUTE_MAX)
		return -EINVAL;
	/* zebra requires vrf 0 on HELLO. */
	if ((ret = zapi_msg_begin(b, ZAPI_HELLO, 0, &start)) != 0)
		return ret;
	if (buf_put_u8(b, h->type) || buf_put_u16(b, h->instance) ||
	    buf_put_u32(b, h->session_id) ||
	    buf_put_u8(b, h->receive_notify ? 1 : 0) ||
	    buf_put_u8(b, h->synchronous ? 1 : 0))
		ret = -ERANGE;
	return msg_close(b, start, ret);
}

int
zapi_client_cap_encode(struct buf *b, const struct zapi_client_cap *c)
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
	if ((ret = zapi_msg_begin(b, ZAPI_CLIENT_CAPABILITIES, 0, &start)) != 0)
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
	return msg_close(b, start, ret);
}

int
zapi_redist_encode(struct buf *b, uint16_t cmd, uint8_t afi, uint8_t type,
    uint16_t instance)
{
	size_t start;
	int ret;

	if ((cmd != ZAPI_REDISTRIBUTE_ADD && cmd != ZAPI_REDISTRIBUTE_DELETE) ||
	    (afi != ZAPI_AFI_IP && afi != ZAPI_AFI_IP6) ||
	    type >= ZAPI_ROUTE_MAX)
		return -EINVAL;
	if ((ret = zapi_msg_begin(b, cmd, 0, &start)) != 0)
		return ret;
	if (buf_put_u8(b, afi) || buf_put_u8(b, type) ||
	    buf_put_u16(b, instance))
		ret = -ERANGE;
	return msg_close(b, start, ret);
}

/* Everything zapi_route_encode refuses, checked before a byte is written. */
static int
route_check(uint16_t cmd, const struct zapi_route *r)
{
	const struct zapi_nexthop *nh;
	uint16_t i;

	if (cmd != ZAPI_ROUTE_ADD && cmd != ZAPI_ROUTE_DELETE)
		return -EINVAL;
	if (r->type >= ZAPI_ROUTE_MAX ||
	    (r->safi != ZAPI_SAFI_UNICAST && r->safi != ZAPI_SAFI_MULTICAST))
		return -EINVAL;
	if (!prefix_valid(&r->prefix) || (r->message & ~ZAPI_MESSAGE_ENCODABLE))
		return -EINVAL;
	if ((r->message & ZAPI_MESSAGE_SRCPFX) &&
	    (r->prefix.family != AF_INET6 || r->src_plen == 0 ||
	    r->src_plen > 128))
		return -EINVAL;
	if (r->message & ZAPI_MESSAGE_NEXTHOP) {
		if (r->nexthop_num == 0 || r->nexthop_num > ZAPI_NEXTHOP_MAX)
			return -EINVAL;
	} else if (r->nexthop_num != 0 || cmd == ZAPI_ROUTE_ADD)
		return -EINVAL;
	for (i = 0; i < r->nexthop_num; i++) {
		nh = &r->nexthops[i];
		if (nh->type < ZAPI_NH_IFINDEX || nh->type > ZAPI_NH_BLACKHOLE)
			return -EINVAL;
		if (nh->flags & ~(ZAPI_NHF_ONLINK | ZAPI_NHF_WEIGHT))
			return -EINVAL;
	}
	return 0;
}

static int
nexthop_encode(struct buf *b, const struct zapi_nexthop *nh)
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
		err = err || buf_put_u32(b, nh->weight);
	return err ? -ERANGE : 0;
}

int
zapi_route_encode(struct buf *b, uint16_t cmd, const struct zapi_route *r)
{
	uint32_t m = r->message;
	size_t start;
	uint16_t i;
	int ret;

	if ((ret = route_check(cmd, r)) != 0)
		return ret;
	if ((ret = zapi_msg_begin(b, cmd, r->vrf_id, &start)) != 0)
		return ret;
	/* Only the significant bytes of the prefix go on the wire. */
	if (buf_put_u8(b, r->type) || buf_put_u16(b, r->instance) ||
	    buf_put_u32(b, r->flags) || buf_put_u32(b, m) ||
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
			if (nexthop_encode(b, &r->nexthops[i]) != 0)
				goto full;
	}
	if (((m & ZAPI_MESSAGE_DISTANCE) && buf_put_u8(b, r->distance)) ||
	    ((m & ZAPI_MESSAGE_METRIC) && buf_put_u32(b, r->metric)) ||
	    ((m & ZAPI_MESSAGE_TAG) && buf_put_u32(b, r->tag)) ||
	    ((m & ZAPI_MESSAGE_MTU) && buf_put_u32(b, r->mtu)) ||
	    ((m & ZAPI_MESSAGE_TABLEID) && buf_put_u32(b, r->tableid)))
		goto full;
	return msg_close(b, start, 0);
full:
	return msg_close(b, start, -ERANGE);
}

/*
 * One nexthop of a route body whose message bits are m.  Fields this codec
 * has no place for are bounds-checked and skipped.  0, -EBADMSG or
 * -EOPNOTSUPP.
 */
static int
nexthop_decode(struct buf *b, uint32_t m, struct zapi_nexthop *nh)
{
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
		    buf_skip(b, (size_t)n * 4))
			return -EBADMSG;
	}
	if ((nh->flags & ZAPI_NHF_WEIGHT) && buf_get_u32(b, &nh->weight))
		return -EBADMSG;
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
	if ((nh->flags & ZAPI_NHF_SEG6) && buf_skip(b, 16))
		return -EBADMSG;
	return 0;
}

int
zapi_route_decode(struct buf *body, struct zapi_route *out)
{
	struct zapi_route r;
	struct zapi_nexthop scratch;
	uint16_t i, n;
	uint32_t m;
	int ret;

	memset(&r, 0, sizeof(r));
	if (buf_get_u8(body, &r.type) || buf_get_u16(body, &r.instance) ||
	    buf_get_u32(body, &r.flags) || buf_get_u32(body, &r.message) ||
	    buf_get_u8(body, &r.safi) || buf_get_u8(body, &r.prefix.family) ||
	    buf_get_u8(body, &r.prefix.plen))
		return -EBADMSG;
	m = r.message;
	if (r.type >= ZAPI_ROUTE_MAX || r.safi < ZAPI_SAFI_UNICAST ||
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
			ret = nexthop_decode(body, m, &r.nexthops[i]);
			if (ret != 0)
				return ret;
		}
	}
	/* Backup nexthops: each takes >= 7 bytes; the body bounds the loop. */
	if (m & ZAPI_MESSAGE_BACKUP_NEXTHOPS) {
		if (buf_get_u16(body, &n))
			return -EBADMSG;
		for (i = 0; i < n; i++)
			if ((ret = nexthop_decode(body, m, &scratch)) != 0)
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
zapi_notify_decode(struct buf *body, struct zapi_notify *out)
{
	struct zapi_notify n;

	memset(&n, 0, sizeof(n));
	/* The note is a raw C enum: host byte order. */
	if (buf_get_u32_host(body, &n.note) ||
	    buf_get_u8(body, &n.prefix.family) ||
	    buf_get_u8(body, &n.prefix.plen) || !prefix_valid(&n.prefix))
		return -EBADMSG;
	/* The whole address, not just the significant bytes. */
	if (buf_get_bytes(body, n.prefix.bytes, family_len(n.prefix.family)) ||
	    buf_get_u32(body, &n.tableid) || buf_get_u8(body, &n.afi) ||
	    buf_get_u8(body, &n.safi) || buf_left(body) != 0)
		return -EBADMSG;
	*out = n;
	return 0;
}

int
zapi_caps_decode(struct buf *body, struct zapi_caps *out)
{
	struct zapi_caps c;

	memset(&c, 0, sizeof(c));
	if (buf_get_u32(body, &c.vrf_backend) ||
	    buf_get_u8(body, &c.mpls_enabled) ||
	    buf_get_u32(body, &c.multipath_num) ||
	    buf_get_u8(body, &c.mlag_role))
		return -EBADMSG;
	/* 9.1+ append fields; they do not concern us. */
	(void)buf_skip(body, buf_left(body));
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

int
zapi_interface_decode(struct buf *body, struct zapi_interface *out)
{
	struct zapi_interface ifp;
	uint32_t hwlen;
	uint8_t lp;

	memset(&ifp, 0, sizeof(ifp));
	/* name, ifindex, status, flags, ptm x2, metric, speed: skipped ones */
	if (buf_get_bytes(body, ifp.name, sizeof(ifp.name)) ||
	    buf_get_u32(body, &ifp.ifindex) ||
	    buf_get_u8(body, &ifp.status) || buf_get_u64(body, &ifp.flags) ||
	    buf_skip(body, 1 + 1 + 4 + 4) || buf_get_u32(body, &ifp.mtu) ||
	    buf_skip(body, 4 + 4) || buf_get_u32(body, &ifp.link_ifindex) ||
	    buf_skip(body, 4) || buf_get_u32(body, &hwlen))
		return -EBADMSG;
	if (memchr(ifp.name, '\0', sizeof(ifp.name)) == NULL ||
	    ifp.name[0] == '\0' || hwlen > ZAPI_IF_HWADDR_MAX ||
	    buf_skip(body, hwlen) || buf_get_u8(body, &lp))
		return -EBADMSG;
	/* TE link params (lp == 1) have no place here. */
	(void)buf_skip(body, buf_left(body));
	*out = ifp;
	return 0;
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
