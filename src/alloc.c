/* SPDX-License-Identifier: MIT */
/*
 * alloc.c: a compact address allocator for one pool.
 *
 * Addresses are handled as 128-bit unsigned integers (two uint64_t, so no
 * compiler extension is needed); an IPv4 address is a small one.  The pool
 * is cut into chunks of CHUNK_ADDRS aligned addresses; a chunk is a bitmap
 * plus a population count, keyed by its first address (low CHUNK_SHIFT bits
 * clear).  Chunks live in an open-addressing hash table (linear probing,
 * backward-shift deletion, no tombstones); an absent chunk is entirely free
 * and a chunk is freed as soon as it becomes empty.
 *
 * alloc_next() starts at a cursor (a chunk key in the automatic range).
 * Invariant: every chunk of the automatic range before the cursor has no
 * free address inside the automatic range, so alloc_next() returns the
 * lowest free address of the automatic range.  alloc_put() keeps the
 * invariant by moving the cursor back.
 *
 * Only bytes[] and family of struct ipaddr are used: this file does not
 * depend on addr.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "alloc.h"

#define CHUNK_SHIFT	12
#define CHUNK_ADDRS	(1U << CHUNK_SHIFT)		/* 4096 */
#define CHUNK_MASK	((uint64_t)CHUNK_ADDRS - 1)
#define CHUNK_WORDS	(CHUNK_ADDRS / 64)		/* 64 words, 512 bytes */
#define TAB_MIN		8

struct u128 {
	uint64_t	 hi;
	uint64_t	 lo;
};

struct chunk {
	struct u128	 key;		/* first address, low bits clear */
	uint32_t	 count;		/* bits set */
	uint64_t	 bits[CHUNK_WORDS];
};

struct alloc {
	sa_family_t	 family;
	struct u128	 first, last;	/* pool range */
	struct u128	 afirst, alast;	/* automatic range */
	struct u128	 akey_first;	/* chunk keys of afirst and alast */
	struct u128	 akey_last;
	struct u128	 cursor;	/* chunk key where alloc_next starts */
	struct chunk	**slots;	/* hash table, NULL = empty slot */
	size_t		 nslots;	/* 0 or a power of two */
	size_t		 nchunks;
	size_t		 count;		/* addresses taken */
};

/* 128-bit helpers. */

static int
u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static int
u128_eq(struct u128 a, struct u128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/* a + n; the caller guarantees that it does not overflow 128 bits. */
static struct u128
u128_add(struct u128 a, uint64_t n)
{
	struct u128 r;

	r.lo = a.lo + n;
	r.hi = a.hi + (r.lo < a.lo);
	return r;
}

static struct u128
chunk_key(struct u128 a)
{
	a.lo &= ~CHUNK_MASK;
	return a;
}

static unsigned
chunk_off(struct u128 a)
{
	return (unsigned)(a.lo & CHUNK_MASK);
}

static size_t
family_len(sa_family_t family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

static struct u128
u128_from_addr(const struct ipaddr *a)
{
	struct u128 r = { 0, 0 };
	size_t i, len = family_len(a->family);

	for (i = 0; i < len; i++) {
		r.hi = (r.hi << 8) | (r.lo >> 56);
		r.lo = (r.lo << 8) | a->bytes[i];
	}
	return r;
}

static void
u128_to_addr(struct u128 v, sa_family_t family, struct ipaddr *out)
{
	size_t i, len = family_len(family);

	memset(out, 0, sizeof(*out));
	out->family = family;
	for (i = len; i-- > 0; ) {
		out->bytes[i] = (uint8_t)v.lo;
		v.lo = (v.lo >> 8) | (v.hi << 56);
		v.hi >>= 8;
	}
}

/* Hash table of chunks. */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static size_t
tab_home(const struct alloc *al, struct u128 key)
{
	uint64_t idx = (key.lo >> CHUNK_SHIFT) | (key.hi << (64 - CHUNK_SHIFT));

	return (size_t)(mix64(idx ^ mix64(key.hi >> CHUNK_SHIFT)) &
	    (al->nslots - 1));
}

/* Slot holding key, or the empty slot where it would go; nslots > 0. */
static size_t
tab_slot(const struct alloc *al, struct u128 key)
{
	size_t i = tab_home(al, key);

	while (al->slots[i] != NULL && !u128_eq(al->slots[i]->key, key))
		i = (i + 1) & (al->nslots - 1);
	return i;
}

static struct chunk *
tab_get(const struct alloc *al, struct u128 key)
{
	if (al->nslots == 0)
		return NULL;
	return al->slots[tab_slot(al, key)];
}

/* Rebuild the table with n slots (a power of two >= 2 * nchunks). */
static int
tab_resize(struct alloc *al, size_t n)
{
	struct chunk **old = al->slots;
	size_t i, oldn = al->nslots;

	if ((al->slots = calloc(n, sizeof(*al->slots))) == NULL) {
		al->slots = old;
		return -ENOMEM;
	}
	al->nslots = n;
	for (i = 0; i < oldn; i++)
		if (old[i] != NULL)
			al->slots[tab_slot(al, old[i]->key)] = old[i];
	free(old);
	return 0;
}

/* A new, empty chunk for key (not yet in the table), inserted. */
static struct chunk *
tab_add(struct alloc *al, struct u128 key)
{
	struct chunk *c;
	size_t n;

	if (2 * (al->nchunks + 1) > al->nslots) {
		n = al->nslots ? 2 * al->nslots : TAB_MIN;
		if (n < al->nslots || tab_resize(al, n) != 0)
			return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->key = key;
	al->slots[tab_slot(al, key)] = c;
	al->nchunks++;
	return c;
}

/* Remove and free an (empty) chunk; shift the following cluster back. */
static void
tab_del(struct alloc *al, struct chunk *c)
{
	size_t mask = al->nslots - 1, i, j, k;

	i = tab_slot(al, c->key);
	free(c);
	al->nchunks--;
	for (j = i;;) {
		j = (j + 1) & mask;
		if (al->slots[j] == NULL)
			break;
		k = tab_home(al, al->slots[j]->key);
		/* Leave it if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		al->slots[i] = al->slots[j];
		i = j;
	}
	al->slots[i] = NULL;
	/* Shrink when sparse; failing to is harmless. */
	if (al->nslots > TAB_MIN && 8 * al->nchunks < al->nslots)
		(void)tab_resize(al, al->nslots / 2);
}

/* Bitmap helpers. */

static int
bit_test(const struct chunk *c, unsigned off)
{
	return (c->bits[off / 64] >> (off % 64)) & 1;
}

static void
bit_set(struct chunk *c, unsigned off)
{
	c->bits[off / 64] |= 1ULL << (off % 64);
	c->count++;
}

/* First clear bit in [from, to] (offsets in the chunk), or -1. */
static int
bit_find_free(const struct chunk *c, unsigned from, unsigned to)
{
	unsigned w = from / 64, wlast = to / 64;
	uint64_t zero = ~c->bits[w] & (~0ULL << (from % 64));

	for (;;) {
		if (w == wlast)
			zero &= (2ULL << (to % 64)) - 1;
		if (zero != 0)
			return (int)(w * 64 + (unsigned)__builtin_ctzll(zero));
		if (w == wlast)
			return -1;
		zero = ~c->bits[++w];
	}
}

/* Range checks. */

static int
in_range(struct u128 v, struct u128 lo, struct u128 hi)
{
	return u128_cmp(lo, v) <= 0 && u128_cmp(v, hi) <= 0;
}

/* a converted to an integer, or -ERANGE when it is not in the pool. */
static int
pool_value(const struct alloc *al, const struct ipaddr *a, struct u128 *v)
{
	if (a == NULL || a->family != al->family)
		return -ERANGE;
	*v = u128_from_addr(a);
	if (!in_range(*v, al->first, al->last))
		return -ERANGE;
	return 0;
}

struct alloc *
alloc_new(const struct ipaddr *first, const struct ipaddr *last,
    const struct ipaddr *auto_first, const struct ipaddr *auto_last)
{
	struct alloc *al;
	sa_family_t af;

	if (first == NULL || last == NULL || auto_first == NULL ||
	    auto_last == NULL)
		goto inval;
	af = first->family;
	if (family_len(af) == 0 || last->family != af ||
	    auto_first->family != af || auto_last->family != af)
		goto inval;
	if ((al = calloc(1, sizeof(*al))) == NULL)
		return NULL;
	al->family = af;
	al->first = u128_from_addr(first);
	al->last = u128_from_addr(last);
	al->afirst = u128_from_addr(auto_first);
	al->alast = u128_from_addr(auto_last);
	if (u128_cmp(al->first, al->last) > 0 ||
	    u128_cmp(al->afirst, al->alast) > 0 ||
	    u128_cmp(al->afirst, al->first) < 0 ||
	    u128_cmp(al->alast, al->last) > 0) {
		free(al);
		goto inval;
	}
	al->akey_first = chunk_key(al->afirst);
	al->akey_last = chunk_key(al->alast);
	al->cursor = al->akey_first;
	return al;
inval:
	errno = EINVAL;
	return NULL;
}

void
alloc_free(struct alloc *al)
{
	size_t i;

	if (al == NULL)
		return;
	for (i = 0; i < al->nslots; i++)
		free(al->slots[i]);
	free(al->slots);
	free(al);
}

int
alloc_take(struct alloc *al, const struct ipaddr *a)
{
	struct chunk *c;
	struct u128 v;
	int rc;

	if ((rc = pool_value(al, a, &v)) != 0)
		return rc;
	if ((c = tab_get(al, chunk_key(v))) == NULL) {
		if ((c = tab_add(al, chunk_key(v))) == NULL)
			return -ENOMEM;
	} else if (bit_test(c, chunk_off(v)))
		return -EEXIST;
	bit_set(c, chunk_off(v));
	al->count++;
	return 0;
}

int
alloc_next(struct alloc *al, struct ipaddr *out)
{
	struct chunk *c;
	struct u128 key = al->cursor;
	unsigned from, to;
	int off;

	for (;;) {
		/* The part of this chunk inside the automatic range. */
		from = u128_eq(key, al->akey_first) ? chunk_off(al->afirst) : 0;
		to = u128_eq(key, al->akey_last) ? chunk_off(al->alast) :
		    CHUNK_ADDRS - 1;
		if ((c = tab_get(al, key)) == NULL) {
			if ((c = tab_add(al, key)) == NULL)
				return -ENOMEM;
			off = (int)from;
			break;
		}
		if (c->count < CHUNK_ADDRS &&
		    (off = bit_find_free(c, from, to)) >= 0)
			break;
		/* Next chunk, wrapping once back to the cursor. */
		if (u128_eq(key, al->akey_last))
			key = al->akey_first;
		else
			key = u128_add(key, CHUNK_ADDRS);
		if (u128_eq(key, al->cursor))
			return -ENOSPC;
	}
	bit_set(c, (unsigned)off);
	al->count++;
	al->cursor = key;
	key.lo |= (unsigned)off;
	u128_to_addr(key, al->family, out);
	return 0;
}

int
alloc_put(struct alloc *al, const struct ipaddr *a)
{
	struct chunk *c;
	struct u128 v, key;
	unsigned off;

	if (pool_value(al, a, &v) != 0)
		return -ENOENT;
	key = chunk_key(v);
	off = chunk_off(v);
	if ((c = tab_get(al, key)) == NULL || !bit_test(c, off))
		return -ENOENT;
	c->bits[off / 64] &= ~(1ULL << (off % 64));
	c->count--;
	al->count--;
	if (c->count == 0)
		tab_del(al, c);
	/* Keep every chunk before the cursor full. */
	if (in_range(v, al->afirst, al->alast) &&
	    u128_cmp(key, al->cursor) < 0)
		al->cursor = key;
	return 0;
}

bool
alloc_has(const struct alloc *al, const struct ipaddr *a)
{
	const struct chunk *c;
	struct u128 v;

	if (pool_value(al, a, &v) != 0)
		return false;
	if ((c = tab_get(al, chunk_key(v))) == NULL)
		return false;
	return bit_test(c, chunk_off(v));
}

size_t
alloc_count(const struct alloc *al)
{
	return al->count;
}

static int
chunk_cmp(const void *a, const void *b)
{
	const struct chunk *ca = *(const struct chunk *const *)a;
	const struct chunk *cb = *(const struct chunk *const *)b;

	return u128_cmp(ca->key, cb->key);
}

/*
 * fn must not change al.  Returns -ENOMEM when the chunk list cannot be
 * sorted (one pointer per chunk is allocated).
 */
int
alloc_walk(const struct alloc *al,
    int (*fn)(const struct ipaddr *a, void *arg), void *arg)
{
	struct chunk **v;
	struct ipaddr a;
	struct u128 addr;
	uint64_t w;
	size_t i, n = 0;
	unsigned k;
	int rc = 0;

	if (al->nchunks == 0)
		return 0;
	if ((v = calloc(al->nchunks, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < al->nslots; i++)
		if (al->slots[i] != NULL)
			v[n++] = al->slots[i];
	qsort(v, n, sizeof(*v), chunk_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		for (k = 0; k < CHUNK_WORDS && rc == 0; k++) {
			for (w = v[i]->bits[k]; w != 0 && rc == 0;
			    w &= w - 1) {
				addr = v[i]->key;
				addr.lo |= k * 64 +
				    (unsigned)__builtin_ctzll(w);
				u128_to_addr(addr, al->family, &a);
				rc = fn(&a, arg);
			}
		}
	}
	free(v);
	return rc;
}
