/* SPDX-License-Identifier: MIT */
/*
 * buf.c: a bounded wire buffer.
 *
 * Bounds are checked as "n > room" with room computed by subtraction, so
 * no check can overflow.
 */
#include <errno.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, void *storage, size_t cap)
{
	b->wdata = storage;
	b->data = storage;
	b->cap = storage != NULL ? cap : 0;
	b->len = 0;
	b->off = 0;
}

void
buf_init_read(struct buf *b, const void *data, size_t len)
{
	b->wdata = NULL;
	b->data = data;
	b->cap = data != NULL ? len : 0;
	b->len = b->cap;
	b->off = 0;
}

size_t
buf_len(const struct buf *b)
{
	return b->len;
}

size_t
buf_left(const struct buf *b)
{
	return b->len - b->off;
}

size_t
buf_room(const struct buf *b)
{
	return b->wdata != NULL ? b->cap - b->len : 0;
}

const uint8_t *
buf_data(const struct buf *b)
{
	return b->data;
}

const uint8_t *
buf_cur(const struct buf *b)
{
	return b->off > 0 ? b->data + b->off : b->data;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	if (b->off > len)
		b->off = len;
}

/*
 * Reserve n bytes at the end and point *p at them (NULL when n is 0 and
 * there is no storage).  0, or -ERANGE when they do not fit.
 */
static int
buf_reserve(struct buf *b, size_t n, uint8_t **p)
{
	if (n > buf_room(b))
		return -ERANGE;
	*p = n > 0 ? b->wdata + b->len : b->wdata;
	b->len += n;
	return 0;
}

/* Store v big-endian in the n bytes at p. */
static void
be_store(uint8_t *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

static uint64_t
be_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int
buf_put_be(struct buf *b, uint64_t v, size_t n)
{
	uint8_t *p;

	if (buf_reserve(b, n, &p) != 0)
		return -ERANGE;
	be_store(p, v, n);
	return 0;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put_be(b, v, 1);
}

int
buf_put_u16(struct buf *b, uint16_t v)
{
	return buf_put_be(b, v, 2);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	return buf_put_be(b, v, 4);
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	return buf_put_be(b, v, 8);
}

int
buf_put_bytes(struct buf *b, const void *p, size_t n)
{
	uint8_t *dst;

	if (buf_reserve(b, n, &dst) != 0)
		return -ERANGE;
	if (n > 0)
		memcpy(dst, p, n);
	return 0;
}

static int
buf_put_be_at(struct buf *b, size_t off, uint64_t v, size_t n)
{
	if (b->wdata == NULL || off > b->len || n > b->len - off)
		return -ERANGE;
	be_store(b->wdata + off, v, n);
	return 0;
}

int
buf_put_u16_at(struct buf *b, size_t off, uint16_t v)
{
	return buf_put_be_at(b, off, v, 2);
}

int
buf_put_u32_at(struct buf *b, size_t off, uint32_t v)
{
	return buf_put_be_at(b, off, v, 4);
}

/*
 * Consume the next n unread bytes and point *p at them.  0, or -EBADMSG
 * (nothing consumed) when fewer are left.
 */
static int
buf_take(struct buf *b, size_t n, const uint8_t **p)
{
	if (n > buf_left(b))
		return -EBADMSG;
	*p = n > 0 ? b->data + b->off : b->data;
	b->off += n;
	return 0;
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	const uint8_t *p;

	if (buf_take(b, 1, &p) != 0)
		return -EBADMSG;
	*v = p[0];
	return 0;
}

int
buf_get_u16(struct buf *b, uint16_t *v)
{
	const uint8_t *p;

	if (buf_take(b, 2, &p) != 0)
		return -EBADMSG;
	*v = (uint16_t)be_load(p, 2);
	return 0;
}

int
buf_get_u32(struct buf *b, uint32_t *v)
{
	const uint8_t *p;

	if (buf_take(b, 4, &p) != 0)
		return -EBADMSG;
	*v = (uint32_t)be_load(p, 4);
	return 0;
}

int
buf_get_u64(struct buf *b, uint64_t *v)
{
	const uint8_t *p;

	if (buf_take(b, 8, &p) != 0)
		return -EBADMSG;
	*v = be_load(p, 8);
	return 0;
}

int
buf_get_u32_host(struct buf *b, uint32_t *v)
{
	const uint8_t *p;

	if (buf_take(b, 4, &p) != 0)
		return -EBADMSG;
	memcpy(v, p, 4);
	return 0;
}

int
buf_get_bytes(struct buf *b, void *p, size_t n)
{
	const uint8_t *src;

	if (buf_take(b, n, &src) != 0)
		return -EBADMSG;
	if (n > 0)
		memcpy(p, src, n);
	return 0;
}

int
buf_skip(struct buf *b, size_t n)
{
	const uint8_t *p;

	return buf_take(b, n, &p);
}

int
buf_get_view(struct buf *b, size_t n, struct buf *sub)
{
	const uint8_t *p;

	if (buf_take(b, n, &p) != 0)
		return -EBADMSG;
	buf_init_read(sub, p, n);
	return 0;
}
