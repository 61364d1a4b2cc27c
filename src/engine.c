/* SPDX-License-Identifier: MIT */
/*
 * engine.c: see engine.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "http.h"

#define LABEL_PREFIX	"routed."

static bool
is_hex_id(const char *s)
{
	size_t i;

	for (i = 0; i < ENGINE_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

/* A decimal number lo..hi, nothing else. */
static int
label_num(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 10)
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A subnet we can announce: the network address, unicast, splittable. */
static const char *
subnet_bad(const struct ipprefix *p)
{
	const uint8_t *b = p->addr.bytes;

	if (!prefix_is_network(p))
		return "host bits set";
	if (p->plen == 0 || p->plen >= addr_bits(p->addr.family))
		return "not a subnet of 1 to 31 (127) bits";
	if (p->addr.family == AF_INET && (b[0] == 127 || b[0] >= 224 ||
	    (b[0] == 169 && b[1] == 254) || b[0] == 0))
		return "loopback, link-local, multicast or reserved";
	if (p->addr.family == AF_INET6 && (b[0] == 0xff || (b[0] == 0xfe &&
	    (b[1] & 0xc0) == 0x80) || addr_is_zero(&p->addr)))
		return "multicast, link-local or unspecified";
	return NULL;
}

/* The bridge device: the driver option, else Docker's br-<12 hex>. */
static int
bridge_name(const cJSON *o, const char *id, char out[IFNAMSIZ], char *err,
    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "Options"),
	    "com.docker.network.bridge.name");
	size_t i, n;

	if (v == NULL) {
		snprintf(out, IFNAMSIZ, "br-%.12s", id);
		return 0;
	}
	n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
	if (n == 0 || n >= IFNAMSIZ) {
		snprintf(err, errlen, "option com.docker.network.bridge.name: "
		    "not an interface name");
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (v->valuestring[i] == '/' || (unsigned char)
		    v->valuestring[i] <= ' ' || (unsigned char)
		    v->valuestring[i] >= 0x7f) {
			snprintf(err, errlen, "option com.docker.network."
			    "bridge.name: not an interface name");
			return -EINVAL;
		}
	memcpy(out, v->valuestring, n + 1);
	return 0;
}

/* The routed.* labels: 1 announce, 0 not, -EINVAL (err). */
static int
labels(const cJSON *o, const struct engine_defaults *d,
    struct engine_net *out, char *err, size_t errlen)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "Labels"), *it;
	bool announce = false, seen = false;
	unsigned long v;

	out->tag = d->tag;
	out->metric = d->metric;
	out->has_metric = d->has_metric;
	out->distance = d->distance;
	if (l != NULL && !cJSON_IsNull(l) && !cJSON_IsObject(l)) {
		snprintf(err, errlen, "Labels is not an object");
		return -EINVAL;
	}
	cJSON_ArrayForEach(it, l) {
		const char *k = it->string;

		if (k == NULL || strncmp(k, LABEL_PREFIX,
		    strlen(LABEL_PREFIX)) != 0)
			continue;
		if (!cJSON_IsString(it)) {
			snprintf(err, errlen, "label %.64s: not a string", k);
			return -EINVAL;
		}
		if (strcmp(k, "routed.announce") == 0) {
			seen = true;
			if (strcmp(it->valuestring, "aggregate") == 0)
				announce = true;
			else if (strcmp(it->valuestring, "none") != 0) {
				snprintf(err, errlen, "label routed.announce="
				    "%.64s: must be aggregate or none",
				    it->valuestring);
				return -EINVAL;
			}
		} else if (strcmp(k, "routed.tag") == 0) {
			if (label_num(it->valuestring, 0, UINT32_MAX, &v)) {
				snprintf(err, errlen, "label routed.tag=%.64s: "
				    "must be 0..4294967295", it->valuestring);
				return -EINVAL;
			}
			out->tag = (uint32_t)v;
		} else if (strcmp(k, "routed.metric") == 0) {
			if (label_num(it->valuestring, 0, UINT32_MAX, &v)) {
				snprintf(err, errlen, "label routed.metric=%.64s:"
				    " must be 0..4294967295", it->valuestring);
				return -EINVAL;
			}
			out->metric = (uint32_t)v;
			out->has_metric = true;
		} else if (strcmp(k, "routed.distance") == 0) {
			if (label_num(it->valuestring, 1, 255, &v)) {
				snprintf(err, errlen, "label routed.distance="
				    "%.64s: must be 1..255", it->valuestring);
				return -EINVAL;
			}
			out->distance = (uint8_t)v;
		} else {
			snprintf(err, errlen, "unknown label %.64s: the known "
			    "ones are routed.announce, routed.tag, "
			    "routed.metric, routed.distance", k);
			return -EINVAL;
		}
	}
	if (!seen && l != NULL) {
		/* Attributes without routed.announce: say so, do nothing. */
		cJSON_ArrayForEach(it, l)
			if (it->string != NULL && strncmp(it->string,
			    LABEL_PREFIX, strlen(LABEL_PREFIX)) == 0) {
				snprintf(err, errlen, "label %.64s without "
				    "routed.announce=aggregate", it->string);
				return -EINVAL;
			}
	}
	return announce ? 1 : 0;
}

static int
subnets(const cJSON *o, struct engine_net *out, char *err, size_t errlen)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "IPAM"), "Config"), *c, *s;
	struct ipprefix p;
	size_t i;

	if (!cJSON_IsArray(cfg)) {
		snprintf(err, errlen, "no IPAM.Config");
		return -EINVAL;
	}
	cJSON_ArrayForEach(c, cfg) {
		s = cJSON_GetObjectItemCaseSensitive(c, "Subnet");
		if (!cJSON_IsString(s) || prefix_parse(s->valuestring, &p) != 0) {
			snprintf(err, errlen, "IPAM subnet %.64s: not a prefix",
			    cJSON_IsString(s) ? s->valuestring : "(none)");
			return -EINVAL;
		}
		if (subnet_bad(&p) != NULL) {
			snprintf(err, errlen, "subnet %.64s: %s", s->valuestring,
			    subnet_bad(&p));
			return -EINVAL;
		}
		for (i = 0; i < out->nsubnets; i++)
			if (prefix_overlaps(&out->subnets[i], &p)) {
				snprintf(err, errlen, "subnet %.64s: given twice",
				    s->valuestring);
				return -EINVAL;
			}
		if (out->nsubnets == ENGINE_MAX_SUBNETS) {
			snprintf(err, errlen, "more than %d subnets",
			    ENGINE_MAX_SUBNETS);
			return -EINVAL;
		}
		out->subnets[out->nsubnets++] = p;
	}
	if (out->nsubnets == 0) {
		snprintf(err, errlen, "no subnet");
		return -EINVAL;
	}
	return 0;
}

int
engine_net_parse(const cJSON *o, const struct engine_defaults *d,
    struct engine_net *out, char *err, size_t errlen)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "Id");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "Name");
	const cJSON *drv = cJSON_GetObjectItemCaseSensitive(o, "Driver");
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(o, "Scope");
	int r;

	memset(out, 0, sizeof(*out));
	snprintf(err, errlen, "?");
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "a network is not an object");
		return -EINVAL;
	}
	if (!cJSON_IsString(id) || !is_hex_id(id->valuestring)) {
		snprintf(err, errlen, "a network without a valid Id");
		return -EINVAL;
	}
	memcpy(out->id, id->valuestring, ENGINE_ID_LEN + 1);
	if (cJSON_IsString(name))
		snprintf(out->name, sizeof(out->name), "%s", name->valuestring);
	if ((r = labels(o, d, out, err, errlen)) <= 0)
		return r;
	if (!cJSON_IsString(drv) || strcmp(drv->valuestring, "bridge") != 0) {
		snprintf(err, errlen, "driver %.64s: only bridge networks are "
		    "announced", cJSON_IsString(drv) ? drv->valuestring : "?");
		return -EINVAL;
	}
	if (cJSON_IsString(scope) && strcmp(scope->valuestring, "local") != 0) {
		snprintf(err, errlen, "scope %.32s: only local networks are "
		    "announced", scope->valuestring);
		return -EINVAL;
	}
	if ((r = bridge_name(o, out->id, out->bridge, err, errlen)) != 0 ||
	    (r = subnets(o, out, err, errlen)) != 0)
		return r;
	err[0] = '\0';
	return 1;
}

int
engine_halves(const struct ipprefix *p, struct ipprefix half[2])
{
	if (p->plen >= addr_bits(p->addr.family))
		return -EINVAL;
	half[0] = *p;
	half[0].plen = (uint8_t)(p->plen + 1);
	half[1] = half[0];
	half[1].addr.bytes[p->plen / 8] |= (uint8_t)(0x80 >> (p->plen % 8));
	return 0;
}

int
engine_event_parse(const char *line, size_t n, enum engine_action *act,
    char id[ENGINE_ID_LEN + 1], char *err, size_t errlen)
{
	cJSON *o;
	const cJSON *type, *action, *actor, *aid, *atype;
	int r = 0;

	*act = ENGINE_EV_OTHER;
	id[0] = '\0';
	if (memchr(line, '\0', n) != NULL ||
	    (o = cJSON_ParseWithLength(line, n)) == NULL) {
		snprintf(err, errlen, "an event that is not JSON");
		return -EINVAL;
	}
	type = cJSON_GetObjectItemCaseSensitive(o, "Type");
	action = cJSON_GetObjectItemCaseSensitive(o, "Action");
	actor = cJSON_GetObjectItemCaseSensitive(o, "Actor");
	aid = cJSON_GetObjectItemCaseSensitive(actor, "ID");
	atype = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(actor, "Attributes"), "type");
	if (!cJSON_IsObject(o) || !cJSON_IsString(type) ||
	    !cJSON_IsString(action)) {
		snprintf(err, errlen, "an event without Type or Action");
		r = -EINVAL;
	} else if (strcmp(type->valuestring, "network") != 0) {
		;	/* not ours */
	} else if (!cJSON_IsString(aid) || !is_hex_id(aid->valuestring)) {
		snprintf(err, errlen, "a network event without a valid "
		    "Actor.ID");
		r = -EINVAL;
	} else if (cJSON_IsString(atype) &&
	    strcmp(atype->valuestring, "bridge") != 0) {
		;	/* another driver's network */
	} else {
		memcpy(id, aid->valuestring, ENGINE_ID_LEN + 1);
		if (strcmp(action->valuestring, "create") == 0)
			*act = ENGINE_EV_CREATE;
		else if (strcmp(action->valuestring, "destroy") == 0)
			*act = ENGINE_EV_DESTROY;
	}
	cJSON_Delete(o);
	return r;
}

/* ------------------------------------------------------------- responses */

enum {
	RS_HEAD,
	RS_BODY,		/* Content-Length or to close: left/to_close */
	RS_CHUNK_SIZE,
	RS_CHUNK_DATA,
	RS_CHUNK_END,		/* the CRLF after a chunk's data */
	RS_TRAILER,
	RS_DONE,
};

void
engine_resp_init(struct engine_resp *r, uint64_t body_max,
    int (*sink)(void *arg, const char *p, size_t n), void *arg)
{
	memset(r, 0, sizeof(*r));
	r->body_max = body_max;
	r->sink = sink;
	r->arg = arg;
	r->state = RS_HEAD;
}

bool
engine_resp_head_done(const struct engine_resp *r)
{
	return r->state != RS_HEAD;
}

static int
parse_status_head(struct engine_resp *r)
{
	const char *p = r->head, *end = r->head + r->headlen, *eol, *v, *l;
	bool have_len = false;
	size_t vlen, i, ln;
	int st = 0, hr;

	eol = memchr(p, '\n', r->headlen);
	if (eol == NULL || eol - p < 12 || (memcmp(p, "HTTP/1.1 ", 9) != 0 &&
	    memcmp(p, "HTTP/1.0 ", 9) != 0))
		return -EBADMSG;
	for (i = 9; i < 12; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EBADMSG;
		st = st * 10 + (p[i] - '0');
	}
	if (st < 100 || (p[12] != ' ' && p[12] != '\r' && p[12] != '\n'))
		return -EBADMSG;
	r->status = st;
	r->to_close = true;
	p = eol + 1;
	while ((hr = http_next_header(&p, end, &l, &ln)) != 0) {
		if (hr < 0)
			return -EBADMSG;
		if ((v = http_header_value(l, ln, "Content-Length", &vlen))) {
			uint64_t cl = 0;

			if (have_len || vlen == 0 || vlen > 15)
				return -EBADMSG;
			for (i = 0; i < vlen; i++) {
				if (v[i] < '0' || v[i] > '9')
					return -EBADMSG;
				cl = cl * 10 + (uint64_t)(v[i] - '0');
			}
			have_len = true;
			r->left = cl;
		} else if ((v = http_header_value(l, ln, "Transfer-Encoding",
		    &vlen))) {
			if (!http_has_token(v, vlen, "chunked"))
				return -EBADMSG;
			r->chunked = true;
		}
	}
	if (r->chunked && have_len)
		return -EBADMSG;
	if (r->chunked) {
		r->to_close = false;
		r->state = RS_CHUNK_SIZE;
	} else if (have_len) {
		if (r->body_max != 0 && r->left > r->body_max)
			return -EMSGSIZE;
		r->to_close = false;
		r->state = r->left == 0 ? RS_DONE : RS_BODY;
	} else {
		r->state = RS_BODY;
	}
	/* 1xx, 204 and 304 have no body. */
	if (st < 200 || st == 204 || st == 304)
		r->state = RS_DONE;
	return 0;
}

/* Body bytes to the sink, counted against body_max. */
static int
deliver(struct engine_resp *r, const char *p, size_t n)
{
	r->seen += n;
	if (r->body_max != 0 && r->seen > r->body_max)
		return -EMSGSIZE;
	return n > 0 && r->sink != NULL ? r->sink(r->arg, p, n) : 0;
}

/* A chunk-size line: hex digits, maybe extensions; 0 or -EBADMSG. */
static int
chunk_size(struct engine_resp *r)
{
	uint64_t v = 0;
	size_t i;

	if (r->sizelen == 0)
		return -EBADMSG;
	for (i = 0; i < r->sizelen; i++) {
		char c = r->sizeline[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (c == ';' && i > 0)
			break;
		else
			return -EBADMSG;
		if (i >= 15)
			return -EMSGSIZE;
		v = v * 16 + (uint64_t)d;
	}
	r->left = v;
	return 0;
}

int
engine_resp_feed(struct engine_resp *r, const char *p, size_t n)
{
	size_t k;
	int e;

	while (n > 0 && r->state != RS_DONE) {
		switch (r->state) {
		case RS_HEAD: {
			size_t room = sizeof(r->head) - r->headlen, end;

			k = n < room ? n : room;
			memcpy(r->head + r->headlen, p, k);
			end = http_head_end(r->head, r->headlen + k, r->headlen);
			if (end == 0) {
				r->headlen += k;
				if (r->headlen == sizeof(r->head))
					return -EMSGSIZE;
				p += k;
				n -= k;
				break;
			}
			k = end - r->headlen;
			r->headlen = end;
			p += k;
			n -= k;
			if ((e = parse_status_head(r)) != 0)
				return e;
			break;
		}
		case RS_BODY:
			k = n;
			if (!r->to_close && k > r->left)
				k = (size_t)r->left;
			if ((e = deliver(r, p, k)) != 0)
				return e;
			p += k;
			n -= k;
			if (!r->to_close && (r->left -= k) == 0)
				r->state = RS_DONE;
			break;
		case RS_CHUNK_SIZE:
		case RS_TRAILER:
			if (*p == '\n') {
				if (r->sizelen > 0 &&
				    r->sizeline[r->sizelen - 1] == '\r')
					r->sizelen--;
				if (r->state == RS_TRAILER) {
					/* trailer fields end at an empty line */
					if (r->sizelen == 0)
						r->state = RS_DONE;
				} else if ((e = chunk_size(r)) != 0) {
					return e;
				} else {
					r->state = r->left == 0 ? RS_TRAILER :
					    RS_CHUNK_DATA;
				}
				r->sizelen = 0;
			} else if (r->sizelen < sizeof(r->sizeline)) {
				r->sizeline[r->sizelen++] = *p;
			} else if (r->state == RS_CHUNK_SIZE) {
				return -EBADMSG;	/* extensions: too long */
			} else {
				r->sizelen = 1;		/* a trailer field */
			}
			p++;
			n--;
			break;
		case RS_CHUNK_DATA:
			k = n < r->left ? n : (size_t)r->left;
			if ((e = deliver(r, p, k)) != 0)
				return e;
			p += k;
			n -= k;
			if ((r->left -= k) == 0)
				r->state = RS_CHUNK_END;
			break;
		case RS_CHUNK_END:
			if (*p == '\n') {
				r->state = RS_CHUNK_SIZE;
				r->sizelen = 0;
			} else if (*p != '\r' || r->sizelen++ > 0) {
				return -EBADMSG;
			}
			p++;
			n--;
			break;
		}
	}
	return r->state == RS_DONE ? 1 : 0;
}

int
engine_resp_eof(struct engine_resp *r)
{
	if (r->state == RS_DONE || (r->state == RS_BODY && r->to_close))
		return 1;
	return -EPIPE;
}

int
engine_lines_feed(struct engine_lines *l, const char *p, size_t n)
{
	const char *nl;
	size_t k;
	int e;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (l->len + k > ENGINE_LINE_MAX)
			return -EMSGSIZE;
		if (l->buf == NULL && (l->buf = malloc(ENGINE_LINE_MAX)) == NULL)
			return -ENOMEM;
		memcpy(l->buf + l->len, p, k);
		l->len += k;
		p += k;
		n -= k;
		if (nl == NULL)
			break;
		p++;
		n--;
		k = l->len;
		l->len = 0;
		if (k > 0 && l->buf[k - 1] == '\r')
			k--;
		if (k > 0 && (e = l->fn(l->arg, l->buf, k)) != 0)
			return e;
	}
	return 0;
}

void
engine_lines_free(struct engine_lines *l)
{
	free(l->buf);
	l->buf = NULL;
	l->len = 0;
}
