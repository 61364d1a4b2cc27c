/* SPDX-License-Identifier: MIT */
/*
 * test_alloc.c: unit tests of the address allocator.
 *
 * Self-contained: addresses are built with inet_pton, so this does not need
 * addr.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "alloc.h"

static struct ipaddr
ip(const char *s)
{
	struct ipaddr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else {
		if (inet_pton(AF_INET6, s, a.bytes) != 1)
			fail_msg("bad test address %s", s);
		a.family = AF_INET6;
	}
	return a;
}

static const char *
fmt(const struct ipaddr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "(family %d)", (int)a->family);
	return buf;
}

static void
assert_addr(const struct ipaddr *a, const char *want)
{
	struct ipaddr w = ip(want);
	char buf[INET6_ADDRSTRLEN + 16];

	if (a->family != w.family || memcmp(a->bytes, w.bytes, 16) != 0)
		fail_msg("got %s, want %s", fmt(a, buf, sizeof(buf)), want);
}

static struct alloc *
mk(const char *first, const char *last, const char *afirst,
    const char *alast)
{
	struct ipaddr f = ip(first), l = ip(last), af = ip(afirst),
	    al = ip(alast);
	struct alloc *a = alloc_new(&f, &l, &af, &al);

	assert_non_null(a);
	return a;
}

static int
take(struct alloc *al, const char *s)
{
	struct ipaddr a = ip(s);

	return alloc_take(al, &a);
}

static int
put(struct alloc *al, const char *s)
{
	struct ipaddr a = ip(s);

	return alloc_put(al, &a);
}

static bool
has(struct alloc *al, const char *s)
{
	struct ipaddr a = ip(s);

	return alloc_has(al, &a);
}

static void
next_is(struct alloc *al, const char *want)
{
	struct ipaddr a;

	assert_int_equal(alloc_next(al, &a), 0);
	assert_addr(&a, want);
}

static void
next_full(struct alloc *al)
{
	struct ipaddr a;

	assert_int_equal(alloc_next(al, &a), -ENOSPC);
}

/* Host-order value of the low 32 bits (IPv4, or the tail of IPv6). */
static uint32_t
low32(const struct ipaddr *a)
{
	size_t o = a->family == AF_INET ? 0 : 12;

	return (uint32_t)a->bytes[o] << 24 | (uint32_t)a->bytes[o + 1] << 16 |
	    (uint32_t)a->bytes[o + 2] << 8 | a->bytes[o + 3];
}

static struct ipaddr
v4(uint32_t v)
{
	struct ipaddr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.bytes[0] = (uint8_t)(v >> 24);
	a.bytes[1] = (uint8_t)(v >> 16);
	a.bytes[2] = (uint8_t)(v >> 8);
	a.bytes[3] = (uint8_t)v;
	return a;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Walk collector. */
struct seen {
	struct ipaddr	*v;
	size_t		 n, cap;
	size_t		 stop_after;	/* 0: never stop */
};

static int
collect(const struct ipaddr *a, void *arg)
{
	struct seen *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	s->v[s->n++] = *a;
	if (s->stop_after != 0 && s->n == s->stop_after)
		return 7;
	return 0;
}

static int
addr_order(const void *a, const void *b)
{
	const struct ipaddr *x = a, *y = b;

	return memcmp(x->bytes, y->bytes, 16);
}

static void
test_new_invalid(void **state)
{
	static const struct {
		const char	*first, *last, *afirst, *alast;
	} bad[] = {
		{ "10.0.0.0", "2001:db8::1", "10.0.0.1", "10.0.0.2" },
		{ "10.0.0.0", "10.0.0.9", "::1", "10.0.0.2" },
		{ "10.0.0.0", "10.0.0.9", "10.0.0.1", "::2" },
		{ "10.0.0.9", "10.0.0.0", "10.0.0.1", "10.0.0.2" },
		{ "10.0.0.0", "10.0.0.9", "10.0.0.5", "10.0.0.4" },
		{ "10.0.0.1", "10.0.0.9", "10.0.0.0", "10.0.0.4" },
		{ "10.0.0.0", "10.0.0.9", "10.0.0.5", "10.0.0.10" },
		{ "10.0.0.0", "10.0.0.9", "10.0.1.0", "10.0.1.1" },
		{ "2001:db8::", "2001:db8::ff", "2001:db8::1:0", "2001:db8::1:1" },
		{ "::2", "::1", "::1", "::1" },
	};
	struct ipaddr f, l, af, al, x;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = ip(bad[i].first);
		l = ip(bad[i].last);
		af = ip(bad[i].afirst);
		al = ip(bad[i].alast);
		errno = 0;
		if (alloc_new(&f, &l, &af, &al) != NULL)
			fail_msg("case %zu accepted", i);
		assert_int_equal(errno, EINVAL);
	}
	f = ip("10.0.0.0");
	errno = 0;
	assert_null(alloc_new(&f, NULL, &f, &f));
	assert_int_equal(errno, EINVAL);
	x = f;
	x.family = AF_UNIX;
	errno = 0;
	assert_null(alloc_new(&x, &x, &x, &x));
	assert_int_equal(errno, EINVAL);
	/* A single-address pool is fine. */
	alloc_free(mk("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.1"));
	alloc_free(NULL);
}

static void
test_small_exhaust(void **state)
{
	struct alloc *al = mk("10.0.0.1", "10.0.0.10", "10.0.0.1",
	    "10.0.0.10");
	char want[32];
	int i;

	for (i = 1; i <= 10; i++) {
		snprintf(want, sizeof(want), "10.0.0.%d", i);
		next_is(al, want);
	}
	assert_int_equal(alloc_count(al), 10);
	next_full(al);
	next_full(al);
	assert_int_equal(alloc_count(al), 10);
	assert_int_equal(put(al, "10.0.0.4"), 0);
	next_is(al, "10.0.0.4");
	next_full(al);
	alloc_free(al);
}

static void
test_take_put_has(void **state)
{
	static const struct {
		const char	*op, *addr;
		int		 rc;
	} steps[] = {
		{ "take", "10.0.0.1", 0 },
		{ "take", "10.0.0.255", 0 },
		{ "take", "10.0.0.0", 0 },
		{ "take", "10.0.0.1", -EEXIST },
		{ "take", "10.0.1.0", -ERANGE },
		{ "take", "9.255.255.255", -ERANGE },
		{ "take", "::a00:1", -ERANGE },
		{ "take", "::ffff:10.0.0.2", -ERANGE },
		{ "put", "10.0.0.2", -ENOENT },
		{ "put", "10.0.1.0", -ENOENT },
		{ "put", "::a00:1", -ENOENT },
		{ "put", "10.0.0.255", 0 },
		{ "put", "10.0.0.255", -ENOENT },
		{ "take", "10.0.0.255", 0 },
	};
	struct alloc *al = mk("10.0.0.0", "10.0.0.255", "10.0.0.2",
	    "10.0.0.254");
	size_t i;
	int rc;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (strcmp(steps[i].op, "take") == 0)
			rc = take(al, steps[i].addr);
		else
			rc = put(al, steps[i].addr);
		if (rc != steps[i].rc)
			fail_msg("step %zu: %s %s = %d, want %d", i,
			    steps[i].op, steps[i].addr, rc, steps[i].rc);
	}
	assert_int_equal(alloc_count(al), 3);
	assert_true(has(al, "10.0.0.0"));
	assert_true(has(al, "10.0.0.1"));
	assert_true(has(al, "10.0.0.255"));
	assert_false(has(al, "10.0.0.2"));
	assert_false(has(al, "10.0.1.0"));
	assert_false(has(al, "::a00:1"));
	assert_int_equal(put(al, "10.0.0.0"), 0);
	assert_int_equal(put(al, "10.0.0.1"), 0);
	assert_int_equal(put(al, "10.0.0.255"), 0);
	assert_int_equal(alloc_count(al), 0);
	assert_false(has(al, "10.0.0.1"));
	alloc_free(al);
}

static void
test_take_outside_auto(void **state)
{
	struct alloc *al = mk("10.0.0.0", "10.0.0.255", "10.0.0.100",
	    "10.0.0.199");

	assert_int_equal(take(al, "10.0.0.5"), 0);
	assert_int_equal(take(al, "10.0.0.250"), 0);
	assert_int_equal(take(al, "10.0.0.0"), 0);
	next_is(al, "10.0.0.100");
	assert_int_equal(take(al, "10.0.0.101"), 0);
	assert_int_equal(take(al, "10.0.0.103"), 0);
	next_is(al, "10.0.0.102");
	next_is(al, "10.0.0.104");
	/* Releasing outside the automatic range does not feed alloc_next. */
	assert_int_equal(put(al, "10.0.0.5"), 0);
	next_is(al, "10.0.0.105");
	assert_int_equal(alloc_count(al), 8);
	alloc_free(al);
}

static void
test_auto_partial_chunk(void **state)
{
	struct alloc *al = mk("10.0.0.0", "10.0.255.255", "10.0.0.5",
	    "10.0.0.9");

	assert_int_equal(take(al, "10.0.0.7"), 0);
	next_is(al, "10.0.0.5");
	next_is(al, "10.0.0.6");
	next_is(al, "10.0.0.8");
	next_is(al, "10.0.0.9");
	next_full(al);
	assert_int_equal(take(al, "10.0.0.4"), 0);
	assert_int_equal(take(al, "10.0.0.10"), 0);
	assert_int_equal(take(al, "10.0.255.255"), 0);
	next_full(al);
	assert_int_equal(put(al, "10.0.0.6"), 0);
	next_is(al, "10.0.0.6");
	next_full(al);
	assert_int_equal(alloc_count(al), 8);
	alloc_free(al);
}

static void
test_reuse_after_put(void **state)
{
	struct alloc *al = mk("10.0.0.0", "10.0.255.255", "10.0.0.0",
	    "10.0.255.255");
	struct ipaddr a;
	uint32_t i;

	for (i = 0; i < 20000; i++) {
		assert_int_equal(alloc_next(al, &a), 0);
		assert_int_equal(low32(&a), 0x0a000000 + i);
	}
	assert_int_equal(put(al, "10.0.0.77"), 0);
	next_is(al, "10.0.0.77");
	assert_int_equal(put(al, "10.0.40.1"), 0);
	assert_int_equal(put(al, "10.0.3.3"), 0);
	next_is(al, "10.0.3.3");
	next_is(al, "10.0.40.1");
	next_is(al, "10.0.78.32");	/* 20000 = 78 * 256 + 32 */
	assert_int_equal(alloc_count(al), 20001);
	alloc_free(al);
}

static void
test_wrap(void **state)
{
	struct alloc *al = mk("10.0.0.0", "10.0.31.255", "10.0.0.0",
	    "10.0.31.255");
	struct ipaddr a;
	int i;

	for (i = 0; i < 8192; i++)
		assert_int_equal(alloc_next(al, &a), 0);
	assert_addr(&a, "10.0.31.255");
	next_full(al);
	/* The cursor is at the top; freed addresses below are found. */
	assert_int_equal(put(al, "10.0.0.3"), 0);
	next_is(al, "10.0.0.3");
	next_full(al);
	assert_int_equal(put(al, "10.0.31.255"), 0);
	assert_int_equal(put(al, "10.0.16.0"), 0);
	assert_int_equal(put(al, "10.0.0.0"), 0);
	next_is(al, "10.0.0.0");
	next_is(al, "10.0.16.0");
	next_is(al, "10.0.31.255");
	next_full(al);
	assert_int_equal(alloc_count(al), 8192);
	alloc_free(al);
}

static void
test_cross_chunk(void **state)
{
	static const char *want[] = {
		"10.0.15.250", "10.0.15.251", "10.0.15.252", "10.0.15.253",
		"10.0.15.254", "10.0.15.255", "10.0.16.0", "10.0.16.1",
		"10.0.16.2", "10.0.16.3", "10.0.16.4", "10.0.16.5",
	};
	struct alloc *al = mk("10.0.0.0", "10.0.255.255", "10.0.15.250",
	    "10.0.16.5");
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		next_is(al, want[i]);
	next_full(al);
	assert_int_equal(put(al, "10.0.16.5"), 0);
	assert_int_equal(put(al, "10.0.15.251"), 0);
	next_is(al, "10.0.15.251");
	next_is(al, "10.0.16.5");
	next_full(al);
	/* Explicit takes next to the automatic range, both chunks. */
	assert_int_equal(take(al, "10.0.15.249"), 0);
	assert_int_equal(take(al, "10.0.16.6"), 0);
	next_full(al);
	alloc_free(al);
}

static void
test_v4_edges(void **state)
{
	struct alloc *al = mk("0.0.0.0", "255.255.255.255",
	    "255.255.255.250", "255.255.255.255");
	struct seen s = { NULL, 0, 0, 0 };

	assert_int_equal(take(al, "0.0.0.0"), 0);
	assert_int_equal(take(al, "255.255.255.255"), 0);
	assert_int_equal(take(al, "128.0.0.1"), 0);
	next_is(al, "255.255.255.250");
	next_is(al, "255.255.255.251");
	next_is(al, "255.255.255.252");
	next_is(al, "255.255.255.253");
	next_is(al, "255.255.255.254");
	next_full(al);
	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, 8);
	assert_addr(&s.v[0], "0.0.0.0");
	assert_addr(&s.v[1], "128.0.0.1");
	assert_addr(&s.v[2], "255.255.255.250");
	assert_addr(&s.v[7], "255.255.255.255");
	assert_int_equal(put(al, "255.255.255.255"), 0);
	next_is(al, "255.255.255.255");
	next_full(al);
	free(s.v);
	alloc_free(al);

	/* The whole space as automatic range. */
	al = mk("0.0.0.0", "255.255.255.255", "0.0.0.0", "255.255.255.255");
	next_is(al, "0.0.0.0");
	next_is(al, "0.0.0.1");
	assert_int_equal(take(al, "255.255.255.255"), 0);
	assert_int_equal(take(al, "0.0.0.2"), 0);
	next_is(al, "0.0.0.3");
	assert_true(has(al, "255.255.255.255"));
	assert_int_equal(alloc_count(al), 5);
	alloc_free(al);
}

static void
test_v6_64(void **state)
{
	struct alloc *al = mk("2001:db8::", "2001:db8::ffff:ffff:ffff:ffff",
	    "2001:db8::1", "2001:db8::ffff:ffff:ffff:fffe");

	next_is(al, "2001:db8::1");
	next_is(al, "2001:db8::2");
	assert_int_equal(take(al, "2001:db8::ffff:ffff:ffff:ffff"), 0);
	assert_int_equal(take(al, "2001:db8::ffff:ffff:ffff:fffe"), 0);
	assert_int_equal(take(al, "2001:db8::"), 0);
	assert_int_equal(take(al, "2001:db8::8000:0:0:0"), 0);
	assert_int_equal(take(al, "2001:db8:0:1::"), -ERANGE);
	assert_int_equal(take(al, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"),
	    -ERANGE);
	assert_int_equal(take(al, "10.0.0.1"), -ERANGE);
	next_is(al, "2001:db8::3");
	assert_int_equal(alloc_count(al), 7);
	assert_int_equal(put(al, "2001:db8::8000:0:0:0"), 0);
	assert_false(has(al, "2001:db8::8000:0:0:0"));
	assert_true(has(al, "2001:db8::ffff:ffff:ffff:ffff"));
	alloc_free(al);
}

static void
test_v6_all(void **state)
{
	struct alloc *al = mk("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	struct seen s = { NULL, 0, 0, 0 };
	struct ipaddr a;
	int i;

	for (i = 0; i < 256; i++) {
		assert_int_equal(alloc_next(al, &a), 0);
		assert_int_equal(low32(&a), 0xffffff00U + (uint32_t)i);
	}
	assert_addr(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	next_full(al);
	assert_int_equal(take(al, "::"), 0);
	assert_int_equal(take(al, "8000::"), 0);
	assert_int_equal(take(al, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	    -EEXIST);
	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, 258);
	assert_addr(&s.v[0], "::");
	assert_addr(&s.v[1], "8000::");
	assert_addr(&s.v[257], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	free(s.v);
	assert_int_equal(put(al, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff80"),
	    0);
	next_is(al, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff80");
	next_full(al);
	alloc_free(al);

	/* The whole space as automatic range. */
	al = mk("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(take(al, "::"), 0);
	next_is(al, "::1");
	assert_int_equal(take(al, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	    0);
	next_is(al, "::2");
	assert_int_equal(alloc_count(al), 4);
	alloc_free(al);
}

/* An automatic range across the carry between the two 64-bit halves. */
static void
test_v6_carry(void **state)
{
	struct alloc *al = mk("::", "0:0:0:1::ffff", "::ffff:ffff:ffff:fff0",
	    "0:0:0:1::f");
	struct seen s = { NULL, 0, 0, 0 };
	struct ipaddr a;
	char want[64];
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(want, sizeof(want), "::ffff:ffff:ffff:fff%x", i);
		next_is(al, want);
	}
	for (i = 0; i < 16; i++) {
		snprintf(want, sizeof(want), "0:0:0:1::%x", i);
		next_is(al, want);
	}
	assert_int_equal(alloc_next(al, &a), -ENOSPC);
	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, 32);
	for (i = 1; i < 32; i++)
		assert_true(memcmp(s.v[i - 1].bytes, s.v[i].bytes, 16) < 0);
	free(s.v);
	alloc_free(al);
}

static void
test_walk(void **state)
{
	static const char *order[] = {
		"2001:db8::",
		"2001:db8::1",
		"2001:db8::fff",
		"2001:db8::1000",
		"2001:db8::ffff:ffff:ffff:ffff",
		"2001:db8:0:1::",
		"2001:db8:0:2::",
		"2001:db8:1::",
		"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	static const size_t shuffle[] = { 7, 2, 5, 0, 8, 3, 6, 1, 4 };
	struct alloc *al = mk("2001:db8::",
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::",
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	struct seen s = { NULL, 0, 0, 0 };
	size_t i, n = sizeof(order) / sizeof(order[0]);

	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(take(al, order[shuffle[i]]), 0);
	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, n);
	for (i = 0; i < n; i++)
		assert_addr(&s.v[i], order[i]);
	/* Early stop: the callback's value comes back. */
	s.n = 0;
	s.stop_after = 3;
	assert_int_equal(alloc_walk(al, collect, &s), 7);
	assert_int_equal(s.n, 3);
	assert_addr(&s.v[2], order[2]);
	free(s.v);
	alloc_free(al);
}

/*
 * Random next/put/take against a reference model (a flag per address of a
 * /16).  alloc_next must return the lowest free address of the automatic
 * range; walk must list exactly the model's set.
 */
#define M_FIRST	0x0a010000U		/* 10.1.0.0/16 */
#define M_SIZE	65536U
#define M_AFIRST (M_FIRST + 16 * 256 + 5)	/* 10.1.16.5 */
#define M_ALAST	(M_FIRST + 47 * 256 + 200)	/* 10.1.47.200 */

struct model {
	bool		 taken[M_SIZE];
	uint32_t	 list[M_SIZE];	/* taken offsets, unordered */
	uint32_t	 pos[M_SIZE];	/* index in list */
	uint32_t	 n;
	uint32_t	 lowfree;	/* lowest free offset >= M_AFIRST */
};

static void
model_add(struct model *m, uint32_t o)
{
	m->taken[o] = true;
	m->pos[o] = m->n;
	m->list[m->n++] = o;
	while (m->lowfree <= M_ALAST - M_FIRST && m->taken[m->lowfree])
		m->lowfree++;
}

static void
model_del(struct model *m, uint32_t o)
{
	uint32_t last = m->list[--m->n];

	m->taken[o] = false;
	m->list[m->pos[o]] = last;
	m->pos[last] = m->pos[o];
	if (o >= M_AFIRST - M_FIRST && o < m->lowfree)
		m->lowfree = o;
}

static void
model_check_walk(struct alloc *al, const struct model *m)
{
	struct seen s = { NULL, 0, 0, 0 };
	uint32_t o, k = 0;

	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, m->n);
	for (o = 0; o < M_SIZE; o++) {
		if (!m->taken[o])
			continue;
		assert_int_equal(low32(&s.v[k]), M_FIRST + o);
		k++;
	}
	free(s.v);
}

static void
test_random_model(void **state)
{
	/* Per-mille chance of alloc_next in each phase: fill, drain, churn. */
	static const unsigned pnext[] = { 800, 300, 650, 500 };
	struct ipaddr f = v4(M_FIRST), l = v4(M_FIRST + M_SIZE - 1),
	    af = v4(M_AFIRST), alst = v4(M_ALAST), a;
	struct model *m;
	struct alloc *al;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint32_t o, r, nfull = 0;
	int i, rc;

	assert_non_null(m = calloc(1, sizeof(*m)));
	m->lowfree = M_AFIRST - M_FIRST;
	assert_non_null(al = alloc_new(&f, &l, &af, &alst));
	for (i = 0; i < 100000; i++) {
		r = (uint32_t)(rnd(&seed) % 1000);
		if (r < pnext[i / 25000]) {
			rc = alloc_next(al, &a);
			if (m->lowfree > M_ALAST - M_FIRST) {
				assert_int_equal(rc, -ENOSPC);
				nfull++;
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(low32(&a), M_FIRST + m->lowfree);
			model_add(m, m->lowfree);
		} else if (r < 970 && m->n > 0) {
			/* Release a random taken address. */
			o = m->list[rnd(&seed) % m->n];
			a = v4(M_FIRST + o);
			assert_int_equal(alloc_put(al, &a), 0);
			model_del(m, o);
		} else {
			/* Explicit take (anywhere in the pool) or double put. */
			o = (uint32_t)(rnd(&seed) % M_SIZE);
			a = v4(M_FIRST + o);
			assert_int_equal(alloc_has(al, &a), m->taken[o]);
			if (r % 2 == 0) {
				rc = alloc_take(al, &a);
				assert_int_equal(rc, m->taken[o] ? -EEXIST : 0);
				if (rc == 0)
					model_add(m, o);
			} else if (!m->taken[o])
				assert_int_equal(alloc_put(al, &a), -ENOENT);
		}
		assert_int_equal(alloc_count(al), m->n);
		if (i % 10000 == 9999)
			model_check_walk(al, m);
	}
	model_check_walk(al, m);
	assert_true(nfull > 0);		/* the fill phase did reach -ENOSPC */
	alloc_free(al);
	free(m);
}

/* Many sparse chunks: hash table growth, shrink and deletion. */
static void
test_sparse_v6(void **state)
{
	enum { N = 20000 };
	struct alloc *al = mk("2001:db8:5::",
	    "2001:db8:5:ffff:ffff:ffff:ffff:ffff", "2001:db8:5::",
	    "2001:db8:5:ffff:ffff:ffff:ffff:ffff");
	struct ipaddr *v, x;
	struct seen s = { NULL, 0, 0, 0 };
	uint64_t seed = 12345;
	size_t i, j, n = 0;
	int rc;

	assert_non_null(v = calloc(N, sizeof(*v)));
	x = ip("2001:db8:5::");
	for (i = 0; i < N; i++) {
		if (i % 4 == 0 && n > 0) {
			/* A neighbour: two bits in one chunk. */
			x = v[n - 1];
			x.bytes[15] ^= 1;
		} else
			for (j = 6; j < 16; j++)
				x.bytes[j] = (uint8_t)rnd(&seed);
		rc = alloc_take(al, &x);
		if (rc == -EEXIST)
			continue;
		assert_int_equal(rc, 0);
		v[n++] = x;
	}
	assert_int_equal(alloc_count(al), n);
	qsort(v, n, sizeof(*v), addr_order);
	assert_int_equal(alloc_walk(al, collect, &s), 0);
	assert_int_equal(s.n, n);
	for (i = 0; i < n; i++)
		assert_memory_equal(s.v[i].bytes, v[i].bytes, 16);
	free(s.v);
	/* Release every other one, then the rest. */
	for (i = 0; i < n; i += 2)
		assert_int_equal(alloc_put(al, &v[i]), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(alloc_has(al, &v[i]), i % 2 == 1);
	for (i = 1; i < n; i += 2)
		assert_int_equal(alloc_put(al, &v[i]), 0);
	assert_int_equal(alloc_count(al), 0);
	for (i = 0; i < n; i++)
		assert_false(alloc_has(al, &v[i]));
	next_is(al, "2001:db8:5::");
	free(v);
	alloc_free(al);
}

/* Small tables under churn: deletion inside clusters that wrap around. */
static void
test_table_churn(void **state)
{
	enum { K = 12 };
	struct alloc *al = mk("0.0.0.0", "255.255.255.255", "0.0.0.0",
	    "255.255.255.255");
	struct ipaddr v[K], t;
	uint64_t seed = 777;
	size_t i, j, k, n;
	int round;

	for (round = 0; round < 20000; round++) {
		k = 1 + rnd(&seed) % K;
		for (i = n = 0; i < k; i++) {
			v[n] = v4((uint32_t)rnd(&seed));
			if (alloc_take(al, &v[n]) == 0)
				n++;
		}
		while (n > 0) {
			i = rnd(&seed) % n;
			assert_int_equal(alloc_put(al, &v[i]), 0);
			assert_false(alloc_has(al, &v[i]));
			t = v[i];
			v[i] = v[--n];
			v[n] = t;
			for (j = 0; j < n; j++)
				assert_true(alloc_has(al, &v[j]));
		}
		assert_int_equal(alloc_count(al), 0);
	}
	alloc_free(al);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_invalid),
		cmocka_unit_test(test_small_exhaust),
		cmocka_unit_test(test_take_put_has),
		cmocka_unit_test(test_take_outside_auto),
		cmocka_unit_test(test_auto_partial_chunk),
		cmocka_unit_test(test_reuse_after_put),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_cross_chunk),
		cmocka_unit_test(test_v4_edges),
		cmocka_unit_test(test_v6_64),
		cmocka_unit_test(test_v6_all),
		cmocka_unit_test(test_v6_carry),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_sparse_v6),
		cmocka_unit_test(test_table_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
