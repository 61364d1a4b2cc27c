/* SPDX-License-Identifier: MIT */
/*
 * addr.c: strict parsing and arithmetic for IPv4/IPv6 addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

size_t
addr_len(sa_family_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

unsigned
addr_bits(sa_family_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

int
addr_parse(const char *s, struct ipaddr *out)
{
	struct ipaddr a;

	if (s == NULL || *s == '\0' || strlen(s) >= ADDR_STRLEN)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*out = a;
	return 0;
}

int
prefix_parse(const char *s, struct ipprefix *out)
{
	char host[ADDR_STRLEN], *end;
	const char *slash;
	unsigned long plen;
	struct ipprefix p;

	if (s == NULL || (slash = strchr(s, '/')) == NULL)
		return -EINVAL;
	if ((size_t)(slash - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, slash - s);
	host[slash - s] = '\0';
	if (addr_parse(host, &p.addr) != 0)
		return -EINVAL;
	/* Digits only: no sign, no spaces, no empty length. */
	if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
		return -EINVAL;
	errno = 0;
	plen = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || plen > addr_bits(p.addr.family))
		return -EINVAL;
	p.plen = (uint8_t)plen;
	*out = p;
	return 0;
}

int
prefix_parse_loose(const char *s, struct ipprefix *out)
{
	struct ipaddr a;

	if (s != NULL && strchr(s, '/') != NULL)
		return prefix_parse(s, out);
	if (addr_parse(s, &a) != 0)
		return -EINVAL;
	prefix_host(&a, out);
	return 0;
}

const char *
addr_fmt(const struct ipaddr *a, char *out, size_t len)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(out, len, "(none)");
		return out;
	}
	if (inet_ntop(a->family, a->bytes, out, len) == NULL)
		snprintf(out, len, "?");
	return out;
}

const char *
prefix_fmt(const struct ipprefix *p, char *out, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(out, len, "%s/%u", addr_fmt(&p->addr, a, sizeof(a)), p->plen);
	return out;
}

bool
addr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, addr_len(a->family)) == 0;
}

int
addr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->bytes, b->bytes, addr_len(a->family));
}

bool
addr_is_zero(const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < addr_len(a->family); i++)
		if (a->bytes[i] != 0)
			return false;
	return true;
}

/* Mask byte i of a prefix of length plen: the bits that belong to the network. */
static uint8_t
mask_byte(unsigned plen, size_t i)
{
	if (plen >= (i + 1) * 8)
		return 0xff;
	if (plen <= i * 8)
		return 0;
	return (uint8_t)(0xff << (8 - (plen - i * 8)));
}

bool
prefix_is_network(const struct ipprefix *p)
{
	size_t i;

	for (i = 0; i < addr_len(p->addr.family); i++)
		if (p->addr.bytes[i] & ~mask_byte(p->plen, i))
			return false;
	return true;
}

void
prefix_first(const struct ipprefix *p, struct ipaddr *out)
{
	size_t i;

	*out = p->addr;
	for (i = 0; i < addr_len(p->addr.family); i++)
		out->bytes[i] &= mask_byte(p->plen, i);
}

void
prefix_last(const struct ipprefix *p, struct ipaddr *out)
{
	size_t i;

	*out = p->addr;
	for (i = 0; i < addr_len(p->addr.family); i++)
		out->bytes[i] |= (uint8_t)~mask_byte(p->plen, i);
}

bool
prefix_contains(const struct ipprefix *p, const struct ipaddr *a)
{
	size_t i;

	if (a->family != p->addr.family)
		return false;
	for (i = 0; i < addr_len(a->family); i++) {
		uint8_t m = mask_byte(p->plen, i);
		if ((a->bytes[i] & m) != (p->addr.bytes[i] & m))
			return false;
	}
	return true;
}

bool
prefix_covers(const struct ipprefix *p, const struct ipprefix *q)
{
	return p->plen <= q->plen && prefix_contains(p, &q->addr);
}

bool
prefix_overlaps(const struct ipprefix *p, const struct ipprefix *q)
{
	return prefix_covers(p, q) || prefix_covers(q, p);
}

void
prefix_host(const struct ipaddr *a, struct ipprefix *out)
{
	out->addr = *a;
	out->plen = (uint8_t)addr_bits(a->family);
}

bool
addr_inc(struct ipaddr *a)
{
	size_t i = addr_len(a->family);

	while (i-- > 0)
		if (++a->bytes[i] != 0)
			return true;
	return false;
}

bool
addr_dec(struct ipaddr *a)
{
	size_t i = addr_len(a->family);

	while (i-- > 0)
		if (a->bytes[i]-- != 0)
			return true;
	return false;
}
