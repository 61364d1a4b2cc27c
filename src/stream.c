/* SPDX-License-Identifier: MIT */
/*
 * stream.c: route stream frames (proto/routed.proto) to and from bytes.
 *
 * protobuf-c does the wire format; this file does the trust.  Unpacking
 * runs on an allocator with a budget, so a small frame cannot make us
 * allocate much (an empty Route is 2 bytes on the wire and ~100 unpacked),
 * and nothing from the unpacked message reaches a struct route before it
 * has been checked.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <protobuf-c/protobuf-c.h>

#include "proto/routed.pb-c.h"
#include "num.h"
#include "stream.h"

#define SUN_PATH_MAX	(sizeof(((struct sockaddr_un *)0)->sun_path))

/* Memory handed to protobuf-c during one decode. */
struct budget {
	size_t used;
	size_t max;
};

union hdr {
	max_align_t align;
	size_t size;
};

static void *
budget_alloc(void *arg, size_t size)
{
	struct budget *b = arg;
	union hdr *h;

	if (b->max - b->used < sizeof(*h) ||
	    size > b->max - b->used - sizeof(*h))
		return NULL;
	if ((h = malloc(sizeof(*h) + size)) == NULL)
		return NULL;
	h->size = size;
	b->used += sizeof(*h) + size;
	return h + 1;
}

static void
budget_free(void *arg, void *p)
{
	struct budget *b = arg;
	union hdr *h;

	if (p == NULL)
		return;
	h = (union hdr *)p - 1;
	b->used -= sizeof(*h) + h->size;
	free(h);
}

/* Printable ASCII without spaces: what ids and names may hold. */
static bool
printable(const char *s, size_t max, bool ifname)
{
	size_t i;

	for (i = 0; i < max && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f ||
		    (ifname && (c == '/' || c == ':')))
			return false;
	}
	return i < max;
}

int
stream_route_check(const struct route *r)
{
	const struct ipprefix *p = &r->prefix;

	if ((p->addr.family != AF_INET && p->addr.family != AF_INET6) ||
	    p->plen > addr_bits(p->addr.family) || !prefix_is_network(p))
		return -EINVAL;
	if (r->kind != ROUTE_HOST && r->kind != ROUTE_AGGREGATE)
		return -EINVAL;
	if (!printable(r->ifname, sizeof(r->ifname), true) ||
	    (r->kind == ROUTE_HOST && r->ifname[0] == '\0'))
		return -EINVAL;
	if (!printable(r->network_id, sizeof(r->network_id), false) ||
	    !printable(r->endpoint_id, sizeof(r->endpoint_id), false))
		return -EINVAL;
	return 0;
}

bool
stream_route_same(const struct route *a, const struct route *b)
{
	return a->prefix.plen == b->prefix.plen &&
	    addr_eq(&a->prefix.addr, &b->prefix.addr) && a->kind == b->kind &&
	    strcmp(a->ifname, b->ifname) == 0 && a->tag == b->tag &&
	    a->has_metric == b->has_metric &&
	    (!a->has_metric || a->metric == b->metric) &&
	    a->distance == b->distance &&
	    strcmp(a->network_id, b->network_id) == 0 &&
	    strcmp(a->endpoint_id, b->endpoint_id) == 0;
}

/*
 * Encoding.  The protobuf-c structs point into r and text[]; nothing is
 * copied until the pack.
 */
static void
route_to_pb(const struct route *r, bool withdraw, char *text,
    Routed__V1__Route *pr)
{
	routed__v1__route__init(pr);
	pr->prefix = (char *)prefix_fmt(&r->prefix, text, ADDR_STRLEN);
	if (withdraw)
		return;
	pr->kind = r->kind == ROUTE_HOST ?
	    ROUTED__V1__ROUTE_KIND__ROUTE_KIND_HOST :
	    ROUTED__V1__ROUTE_KIND__ROUTE_KIND_AGGREGATE;
	pr->ifname = (char *)r->ifname;
	pr->tag = r->tag;
	pr->has_metric = r->has_metric;
	pr->metric = r->has_metric ? r->metric : 0;
	pr->distance = r->distance;
	pr->network_id = (char *)r->network_id;
	pr->endpoint_id = (char *)r->endpoint_id;
}

static int
pack(const Routed__V1__Envelope *env, uint8_t **out, size_t *len)
{
	size_t n = routed__v1__envelope__get_packed_size(env);
	uint8_t *p;

	if (n > STREAM_MAX_FRAME)
		return -EINVAL;
	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		return -ENOMEM;
	if (routed__v1__envelope__pack(env, p) != n) {
		free(p);
		return -EINVAL;
	}
	*out = p;
	*len = n;
	return 0;
}

int
stream_request_encode(uint8_t **out, size_t *len)
{
	Routed__V1__Envelope env = ROUTED__V1__ENVELOPE__INIT;
	Routed__V1__SnapshotRequest req = ROUTED__V1__SNAPSHOT_REQUEST__INIT;

	env.body_case = ROUTED__V1__ENVELOPE__BODY_SNAPSHOT_REQUEST;
	env.snapshot_request = &req;
	return pack(&env, out, len);
}

int
stream_heartbeat_encode(uint64_t epoch, uint64_t seq, uint8_t **out,
    size_t *len)
{
	Routed__V1__Envelope env = ROUTED__V1__ENVELOPE__INIT;
	Routed__V1__Heartbeat hb = ROUTED__V1__HEARTBEAT__INIT;

	if (epoch == 0)
		return -EINVAL;
	hb.epoch = epoch;
	hb.seq = seq;
	env.body_case = ROUTED__V1__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	return pack(&env, out, len);
}

int
stream_update_encode(uint64_t epoch, uint64_t seq, enum stream_op op,
    const struct route *r, uint8_t **out, size_t *len)
{
	Routed__V1__Envelope env = ROUTED__V1__ENVELOPE__INIT;
	Routed__V1__RouteUpdate up = ROUTED__V1__ROUTE_UPDATE__INIT;
	Routed__V1__Route pr;
	char text[ADDR_STRLEN];
	struct route w;

	if (epoch == 0 || (op != STREAM_ADD && op != STREAM_WITHDRAW))
		return -EINVAL;
	if (op == STREAM_WITHDRAW) {
		/* Only the prefix travels: check it as a route of its own. */
		memset(&w, 0, sizeof(w));
		w.prefix = r->prefix;
		w.kind = ROUTE_AGGREGATE;
		if (stream_route_check(&w) != 0)
			return -EINVAL;
	} else if (stream_route_check(r) != 0)
		return -EINVAL;
	route_to_pb(r, op == STREAM_WITHDRAW, text, &pr);
	up.epoch = epoch;
	up.seq = seq;
	up.op = op == STREAM_ADD ? ROUTED__V1__OP__OP_ADD :
	    ROUTED__V1__OP__OP_WITHDRAW;
	up.route = &pr;
	env.body_case = ROUTED__V1__ENVELOPE__BODY_UPDATE;
	env.update = &up;
	return pack(&env, out, len);
}

int
stream_snapshot_encode(uint64_t epoch, uint64_t seq,
    const struct route *const *routes, size_t n, uint8_t **out, size_t *len)
{
	Routed__V1__Envelope env = ROUTED__V1__ENVELOPE__INIT;
	Routed__V1__Snapshot snap = ROUTED__V1__SNAPSHOT__INIT;
	Routed__V1__Route *prs = NULL, **ptrs = NULL;
	char (*texts)[ADDR_STRLEN] = NULL;
	size_t i;
	int ret;

	if (epoch == 0 || n > STREAM_MAX_ROUTES)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (stream_route_check(routes[i]) != 0)
			return -EINVAL;
	if (n > 0 && ((prs = calloc(n, sizeof(*prs))) == NULL ||
	    (ptrs = calloc(n, sizeof(*ptrs))) == NULL ||
	    (texts = calloc(n, sizeof(*texts))) == NULL)) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		route_to_pb(routes[i], false, texts[i], &prs[i]);
		ptrs[i] = &prs[i];
	}
	snap.epoch = epoch;
	snap.seq = seq;
	snap.n_routes = n;
	snap.routes = ptrs;
	env.body_case = ROUTED__V1__ENVELOPE__BODY_SNAPSHOT;
	env.snapshot = &snap;
	ret = pack(&env, out, len);
done:
	free(texts);
	free(ptrs);
	free(prs);
	return ret;
}

/*
 * Decoding.  A string from protobuf-c is NUL-terminated but unbounded:
 * every one is measured with strnlen against its limit first.
 */
static const char *
pbstr(const char *s)
{
	return s != NULL ? s : "";
}

static int
copy_name(char *dst, size_t size, const char *s, bool ifname)
{
	size_t n = strnlen(s, size);

	if (n >= size || !printable(s, size, ifname))
		return -EBADMSG;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int
route_from_pb(const Routed__V1__Route *pr, bool withdraw, struct route *r)
{
	struct ipprefix p;
	struct ipaddr gw;
	const char *gateway;

	memset(r, 0, sizeof(*r));
	if (pr == NULL)
		return -EBADMSG;
	/* prefix_parse bounds the text itself (ADDR_STRLEN). */
	if (prefix_parse(pbstr(pr->prefix), &p) != 0 || !prefix_is_network(&p))
		return -EBADMSG;
	r->prefix.addr = p.addr;
	r->prefix.plen = p.plen;
	switch (pr->kind) {
	case ROUTED__V1__ROUTE_KIND__ROUTE_KIND_HOST:
		r->kind = ROUTE_HOST;
		break;
	case ROUTED__V1__ROUTE_KIND__ROUTE_KIND_AGGREGATE:
		r->kind = ROUTE_AGGREGATE;
		break;
	case ROUTED__V1__ROUTE_KIND__ROUTE_KIND_UNSPECIFIED:
		if (withdraw)	/* a withdrawal names only a prefix */
			break;
		/* FALLTHROUGH */
	default:
		return -EBADMSG;
	}
	if (copy_name(r->ifname, sizeof(r->ifname), pbstr(pr->ifname),
	    true) != 0 || (r->kind == ROUTE_HOST && !withdraw &&
	    r->ifname[0] == '\0'))
		return -EBADMSG;
	gateway = pbstr(pr->gateway);
	if (gateway[0] != '\0' && (addr_parse(gateway, &gw) != 0 ||
	    gw.family != p.addr.family))
		return -EBADMSG;
	if (pr->distance > 255)
		return -EBADMSG;
	r->tag = pr->tag;
	r->has_metric = pr->has_metric != 0;
	r->metric = r->has_metric ? pr->metric : 0;
	r->distance = (uint8_t)pr->distance;
	if (copy_name(r->network_id, sizeof(r->network_id),
	    pbstr(pr->network_id), false) != 0 ||
	    copy_name(r->endpoint_id, sizeof(r->endpoint_id),
	    pbstr(pr->endpoint_id), false) != 0)
		return -EBADMSG;
	if (withdraw) {
		/* Checked, then dropped: only the prefix means anything. */
		p = r->prefix;
		memset(r, 0, sizeof(*r));
		r->prefix.addr = p.addr;
		r->prefix.plen = p.plen;
	}
	return 0;
}

static int
decode_body(const Routed__V1__Envelope *env, struct stream_msg *m)
{
	const Routed__V1__RouteUpdate *up;
	const Routed__V1__Snapshot *snap;
	size_t i;

	switch (env->body_case) {
	case ROUTED__V1__ENVELOPE__BODY_SNAPSHOT_REQUEST:
		m->type = STREAM_SNAPSHOT_REQUEST;
		return 0;
	case ROUTED__V1__ENVELOPE__BODY_HEARTBEAT:
		m->type = STREAM_HEARTBEAT;
		m->epoch = env->heartbeat->epoch;
		m->seq = env->heartbeat->seq;
		return m->epoch != 0 ? 0 : -EBADMSG;
	case ROUTED__V1__ENVELOPE__BODY_UPDATE:
		up = env->update;
		m->type = STREAM_UPDATE;
		m->epoch = up->epoch;
		m->seq = up->seq;
		if (m->epoch == 0 || m->seq == 0)
			return -EBADMSG;
		if (up->op == ROUTED__V1__OP__OP_ADD)
			m->op = STREAM_ADD;
		else if (up->op == ROUTED__V1__OP__OP_WITHDRAW)
			m->op = STREAM_WITHDRAW;
		else
			return -EBADMSG;
		return route_from_pb(up->route, m->op == STREAM_WITHDRAW,
		    &m->route);
	case ROUTED__V1__ENVELOPE__BODY_SNAPSHOT:
		snap = env->snapshot;
		m->type = STREAM_SNAPSHOT;
		m->epoch = snap->epoch;
		m->seq = snap->seq;
		if (m->epoch == 0 || snap->n_routes > STREAM_MAX_ROUTES)
			return -EBADMSG;
		if (snap->n_routes == 0)
			return 0;
		if ((m->routes = calloc(snap->n_routes,
		    sizeof(*m->routes))) == NULL)
			return -ENOMEM;
		m->nroutes = snap->n_routes;
		for (i = 0; i < snap->n_routes; i++)
			if (route_from_pb(snap->routes[i], false,
			    &m->routes[i]) != 0)
				return -EBADMSG;
		return 0;
	default:
		/* NOT_SET: a body this version does not know, or none. */
		return -ENOMSG;
	}
}

int
stream_decode(const uint8_t *p, size_t n, struct stream_msg *m)
{
	struct budget b = { 0, STREAM_MAX_DECODE_MEM };
	ProtobufCAllocator alloc = { budget_alloc, budget_free, &b };
	Routed__V1__Envelope *env;
	int ret;

	memset(m, 0, sizeof(*m));
	if (n > STREAM_MAX_FRAME || (n > 0 && p == NULL))
		return -EBADMSG;
	/* A failed unpack is malformed input or the budget: both are bad. */
	if ((env = routed__v1__envelope__unpack(&alloc, n, p)) == NULL)
		return -EBADMSG;
	ret = decode_body(env, m);
	routed__v1__envelope__free_unpacked(env, &alloc);
	if (ret != 0)
		stream_msg_free(m);
	return ret;
}

void
stream_msg_free(struct stream_msg *m)
{
	free(m->routes);
	memset(m, 0, sizeof(*m));
}

const char *
stream_endpoint_path(const char *url)
{
	return strncmp(url, "ipc://", 6) == 0 ? url + 6 : NULL;
}

int
stream_endpoint_check(const char *url)
{
	const char *path, *host, *colon;
	unsigned long port;

	if (strnlen(url, STREAM_ENDPOINT_MAX) >= STREAM_ENDPOINT_MAX ||
	    !printable(url, STREAM_ENDPOINT_MAX, false))
		return -EINVAL;
	if ((path = stream_endpoint_path(url)) != NULL)
		return path[0] == '/' && path[1] != '\0' &&
		    strlen(path) < SUN_PATH_MAX ? 0 : -EINVAL;
	if (strncmp(url, "tcp://", 6) != 0)
		return -EINVAL;
	host = url + 6;
	if ((colon = strrchr(host, ':')) == NULL || colon == host)
		return -EINVAL;
	return num_parse_ulong(colon + 1, 1, 65535, &port);
}

const char *
stream_type_name(enum stream_type t)
{
	switch (t) {
	case STREAM_SNAPSHOT_REQUEST:
		return "snapshot request";
	case STREAM_SNAPSHOT:
		return "snapshot";
	case STREAM_UPDATE:
		return "update";
	case STREAM_HEARTBEAT:
		return "heartbeat";
	}
	return "unknown";
}
