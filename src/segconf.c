/* SPDX-License-Identifier: MIT */
/*
 * segconf.c: see segconf.h.  One table names every option, its type and
 * where it goes; parsing, printing and comparing all walk it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "segconf.h"

enum opt_type {
	T_NAME,		/* an interface name */
	T_ADDR,		/* an IPv4 or IPv6 address */
	T_GROUP,	/* a multicast address */
	T_GW,		/* an IPv4 address */
	T_REMOTES,	/* addresses, comma-separated */
	T_U8,
	T_U32,
	T_PORT,
	T_PORTS,	/* "LOW-HIGH" */
	T_MTU,
	T_BOOL,
	T_MAC,
};

struct opt {
	const char *key;
	enum opt_type type;
	size_t off;
};

#define O(k, t, f) { k, t, offsetof(struct segconf, f) }
static const struct opt opts[] = {
	O("routed.gateway", T_GW, gateway),
	O("routed.vxlan.name", T_NAME, vx_name),
	O("routed.vxlan.dev", T_NAME, dev),
	O("routed.vxlan.local", T_ADDR, local),
	O("routed.vxlan.group", T_GROUP, group),
	O("routed.vxlan.remote", T_REMOTES, remote),
	O("routed.vxlan.ttl", T_U8, ttl),
	O("routed.vxlan.tos", T_U8, tos),
	O("routed.vxlan.learning", T_BOOL, learning),
	O("routed.vxlan.proxy", T_BOOL, proxy),
	O("routed.vxlan.rsc", T_BOOL, rsc),
	O("routed.vxlan.l2miss", T_BOOL, l2miss),
	O("routed.vxlan.l3miss", T_BOOL, l3miss),
	O("routed.vxlan.ageing", T_U32, ageing),
	O("routed.vxlan.maxaddress", T_U32, maxaddress),
	O("routed.vxlan.srcport", T_PORTS, srcport_lo),
	O("routed.vxlan.dstport", T_PORT, dstport),
	O("routed.vxlan.gbp", T_BOOL, gbp),
	O("routed.vxlan.mtu", T_MTU, vx_mtu),
	O("routed.vxlan.address", T_MAC, vx_mac),
	O("routed.vxlan.txqueuelen", T_U32, vx_txqlen),
	O("routed.bridge.name", T_NAME, br_name),
	O("routed.bridge.mtu", T_MTU, br_mtu),
	O("routed.bridge.address", T_MAC, br_mac),
	O("routed.bridge.txqueuelen", T_U32, br_txqlen),
};
#undef O
#define NOPTS	(sizeof(opts) / sizeof(*opts))
_Static_assert(NOPTS <= 32, "segconf.set has one bit per option");

#define OPT_LEARNING	8	/* index of routed.vxlan.learning */

void
segconf_init(struct segconf *c, uint32_t vni)
{
	memset(c, 0, sizeof(*c));
	c->vni = vni;
	snprintf(c->vx_name, sizeof(c->vx_name), "rv%u", vni);
	snprintf(c->br_name, sizeof(c->br_name), "rb%u", vni);
	c->dstport = SEG_DSTPORT;
	c->ttl = 0;
	/* The gateway MAC, the same on every host: locally administered. */
	c->br_mac[0] = 0x02;	/* not 02:52 or 02:56, the containers' */
	c->br_mac[1] = 0x47;
	c->br_mac[2] = 0x57;
	c->br_mac[3] = (uint8_t)(vni >> 16);
	c->br_mac[4] = (uint8_t)(vni >> 8);
	c->br_mac[5] = (uint8_t)vni;
}

bool
segconf_given(const struct segconf *c, const char *key)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].key, key) == 0)
			return (c->set & (1u << i)) != 0;
	return false;
}

bool
segconf_is_key(const char *key)
{
	return strncmp(key, "routed.vxlan.", 13) == 0 ||
	    strncmp(key, "routed.bridge.", 14) == 0 ||
	    strcmp(key, "routed.gateway") == 0;
}

const char *
segconf_keys(void)
{
	static char buf[640];
	size_t i;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < NOPTS; i++) {
		strncat(buf, i ? ", " : "", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, opts[i].key, sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0)
		*out = true;
	else if (strcmp(s, "off") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char end;
	int i;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0],
	    &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3] == '+' || s[i * 3] == '-')
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	/* A unicast MAC, not all zero. */
	if ((mac[0] & 1) || (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
	    mac[5]) == 0)
		return -EINVAL;
	return 0;
}

static bool
is_multicast(const struct ipaddr *a)
{
	return a->family == AF_INET ? (a->bytes[0] & 0xf0) == 0xe0 :
	    a->bytes[0] == 0xff;
}

static int
parse_remotes(const char *s, struct segconf *c)
{
	char buf[SEG_REMOTES_MAX * ADDR_STRLEN], *tok, *save;
	unsigned n = 0, i;

	if (strlen(s) >= sizeof(buf))
		return -E2BIG;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == SEG_REMOTES_MAX)
			return -E2BIG;
		if (addr_parse(tok, &c->remote[n]) != 0 ||
		    is_multicast(&c->remote[n]) || addr_is_zero(&c->remote[n]))
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (addr_eq(&c->remote[i], &c->remote[n]))
				return -EINVAL;
		n++;
	}
	if (n == 0)
		return -EINVAL;
	c->nremote = n;
	return 0;
}

static const char *const hints[] = {
	[T_NAME] = "an interface name (1 to 15 characters, no '/', ':' or "
	    "blank)",
	[T_ADDR] = "a unicast IPv4 or IPv6 address",
	[T_GROUP] = "a multicast IPv4 or IPv6 address",
	[T_GW] = "an IPv4 address",
	[T_REMOTES] = "unicast addresses, comma-separated, at most 16, each "
	    "once",
	[T_U8] = "a number from 0 to 255",
	[T_U32] = "a number from 0 to 4294967295",
	[T_PORT] = "a port number from 1 to 65535",
	[T_PORTS] = "a port range LOW-HIGH, 1 <= LOW <= HIGH <= 65535",
	[T_MTU] = "a number from 68 to 65535",
	[T_BOOL] = "on or off",
	[T_MAC] = "a unicast MAC address aa:bb:cc:dd:ee:ff",
};

static int
parse_value(const struct opt *o, const char *s, struct segconf *c)
{
	void *f = (char *)c + o->off;
	unsigned long v, w;
	struct ipaddr a;
	const char *dash;
	char lo[8];
	bool b;

	switch (o->type) {
	case T_NAME:
		if (s[0] == '\0' || strlen(s) >= IFNAMSIZ ||
		    strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
		    strpbrk(s, "/: \t\n") != NULL)
			return -EINVAL;
		snprintf(f, IFNAMSIZ, "%s", s);
		return 0;
	case T_ADDR:
	case T_GROUP:
	case T_GW:
		if (addr_parse(s, &a) != 0 || addr_is_zero(&a) ||
		    is_multicast(&a) != (o->type == T_GROUP) ||
		    (o->type == T_GW && a.family != AF_INET))
			return -EINVAL;
		*(struct ipaddr *)f = a;
		return 0;
	case T_REMOTES:
		return parse_remotes(s, c);
	case T_U8:
	case T_U32:
	case T_PORT:
	case T_MTU:
		if (num_parse_ulong(s, o->type == T_MTU ? 68 : o->type == T_PORT,
		    o->type == T_U8 ? 255 : o->type == T_U32 ? UINT32_MAX :
		    65535, &v) != 0)
			return -EINVAL;
		if (o->type == T_U8)
			*(uint8_t *)f = (uint8_t)v;
		else if (o->type == T_PORT)
			*(uint16_t *)f = (uint16_t)v;
		else if (o->type == T_MTU)
			*(unsigned *)f = (unsigned)v;
		else
			*(uint32_t *)f = (uint32_t)v;
		return 0;
	case T_PORTS:
		if ((dash = strchr(s, '-')) == NULL ||
		    (size_t)(dash - s) >= sizeof(lo))
			return -EINVAL;
		memcpy(lo, s, (size_t)(dash - s));
		lo[dash - s] = '\0';
		if (num_parse_ulong(lo, 1, 65535, &v) != 0 ||
		    num_parse_ulong(dash + 1, v, 65535, &w) != 0)
			return -EINVAL;
		c->srcport_lo = (uint16_t)v;
		c->srcport_hi = (uint16_t)w;
		return 0;
	case T_BOOL:
		if (parse_bool(s, &b) != 0)
			return -EINVAL;
		*(bool *)f = b;
		return 0;
	case T_MAC:
		return parse_mac(s, f);
	}
	return -EINVAL;
}

int
segconf_set(struct segconf *c, const char *key, const char *value,
    char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].key, key) == 0)
			break;
	if (i == NOPTS) {
		if (!segconf_is_key(key))
			return 1;
		snprintf(err, errlen, "unknown option '%.64s': a vxlan network "
		    "knows %s", key, segconf_keys());
		return -EINVAL;
	}
	if (parse_value(&opts[i], value, c) != 0) {
		snprintf(err, errlen, "option %s=%.64s: must be %s", key, value,
		    hints[opts[i].type]);
		return -EINVAL;
	}
	c->set |= 1u << i;
	return 0;
}

int
segconf_finish(struct segconf *c, char *err, size_t errlen)
{
	unsigned i;

	if (c->nremote > 0 && c->group.family != 0) {
		snprintf(err, errlen, "routed.vxlan.remote and routed.vxlan.group "
		    "exclude each other: a static flood list or a multicast "
		    "group");
		return -EINVAL;
	}
	if (c->group.family != 0 && c->dev[0] == '\0') {
		snprintf(err, errlen, "routed.vxlan.group needs routed.vxlan.dev, "
		    "the device that joins the group");
		return -EINVAL;
	}
	for (i = 1; i < c->nremote; i++)
		if (c->remote[i].family != c->remote[0].family)
			break;
	if (i < c->nremote || (c->local.family != 0 &&
	    ((c->group.family != 0 && c->group.family != c->local.family) ||
	    (c->nremote > 0 && c->remote[0].family != c->local.family)))) {
		snprintf(err, errlen, "routed.vxlan.local and the remote or group "
		    "addresses must be of one family");
		return -EINVAL;
	}
	if (strcmp(c->vx_name, c->br_name) == 0) {
		snprintf(err, errlen, "the VXLAN device and the bridge cannot "
		    "both be called %s", c->vx_name);
		return -EINVAL;
	}
	/*
	 * Flood and learn with a flood list or a group; otherwise the MACs
	 * come from a control plane (FRR's EVPN), which wants learning off.
	 */
	if (!(c->set & (1u << OPT_LEARNING)))
		c->learning = c->nremote > 0 || c->group.family != 0;
	return 0;
}

static int
fmt_value(const struct opt *o, const struct segconf *c, char *out,
    size_t len)
{
	const void *f = (const char *)c + o->off;
	const uint8_t *m;
	char s[ADDR_STRLEN];
	size_t n = 0;
	unsigned i;

	switch (o->type) {
	case T_NAME:
		return snprintf(out, len, "%s", (const char *)f);
	case T_ADDR:
	case T_GROUP:
	case T_GW:
		return snprintf(out, len, "%s", addr_fmt(f, s, sizeof(s)));
	case T_REMOTES:
		out[0] = '\0';
		for (i = 0; i < c->nremote; i++)
			n += (size_t)snprintf(out + n, len - n, "%s%s",
			    i ? "," : "", addr_fmt(&c->remote[i], s, sizeof(s)));
		return (int)n;
	case T_U8:
		return snprintf(out, len, "%u", *(const uint8_t *)f);
	case T_U32:
		return snprintf(out, len, "%u", *(const uint32_t *)f);
	case T_PORT:
		return snprintf(out, len, "%u", *(const uint16_t *)f);
	case T_MTU:
		return snprintf(out, len, "%u", *(const unsigned *)f);
	case T_PORTS:
		return snprintf(out, len, "%u-%u", c->srcport_lo,
		    c->srcport_hi);
	case T_BOOL:
		return snprintf(out, len, "%s", *(const bool *)f ? "on" : "off");
	case T_MAC:
		m = f;
		return snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
		    m[1], m[2], m[3], m[4], m[5]);
	}
	return -1;
}

int
segconf_walk(const struct segconf *c,
    int (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	char v[SEG_REMOTES_MAX * ADDR_STRLEN];
	size_t i;
	int r;

	for (i = 0; i < NOPTS; i++) {
		if (!(c->set & (1u << i)))
			continue;
		fmt_value(&opts[i], c, v, sizeof(v));
		if ((r = fn(opts[i].key, v, arg)) != 0)
			return r;
	}
	return 0;
}

/* Appends "key=value;" to the string arg. */
static int
cat_opt(const char *key, const char *value, void *arg)
{
	char *s = arg;
	size_t n = strlen(s);

	snprintf(s + n, 2048 - n, "%s=%s;", key, value);
	return 0;
}

bool
segconf_same(const struct segconf *a, const struct segconf *b)
{
	char sa[2048] = "", sb[2048] = "";

	if (a->vni != b->vni || a->set != b->set)
		return false;
	segconf_walk(a, cat_opt, sa);
	segconf_walk(b, cat_opt, sb);
	return strcmp(sa, sb) == 0;
}
