/* SPDX-License-Identifier: MIT */
/*
 * buf.h: a bounded wire buffer.  No I/O, no allocation, no globals.
 *
 * A buf is a window on storage the caller owns: `len` bytes of it are
 * valid, reads consume them from `off`, writes append up to `cap`.  Every
 * multi-byte put and get is in network byte order unless its name says
 * "host".  Puts fail with -ERANGE when the value does not fit and write
 * nothing; gets fail with -EBADMSG on a short read and leave both the
 * buffer and the output untouched.  The fields are visible only so that a
 * buf can live on the stack; use the functions.
 */
#ifndef RP_BUF_H
#define RP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t		*wdata;	/* writable storage, or NULL when read-only */
	const uint8_t	*data;	/* the same storage, for reading */
	size_t		 cap;	/* bytes of storage */
	size_t		 len;	/* valid bytes, [0, len) */
	size_t		 off;	/* read position, <= len */
};

/* An empty writable buffer over storage[0..cap); the caller owns storage. */
void buf_init(struct buf *b, void *storage, size_t cap);
/* A read-only buffer holding the len bytes at data (borrowed, not copied). */
void buf_init_read(struct buf *b, const void *data, size_t len);

/* Valid bytes in the buffer, read or not. */
size_t buf_len(const struct buf *b);
/* Bytes not read yet. */
size_t buf_left(const struct buf *b);
/* Bytes that can still be appended (0 for a read-only buffer). */
size_t buf_room(const struct buf *b);
/* The first valid byte; stays valid while the storage does. */
const uint8_t *buf_data(const struct buf *b);
/* The next unread byte. */
const uint8_t *buf_cur(const struct buf *b);
/* Forget the contents after the first len bytes (no-op if len is larger). */
void buf_truncate(struct buf *b, size_t len);

/* Append; 0, or -ERANGE when the value does not fit (nothing written). */
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_u16(struct buf *b, uint16_t v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
int buf_put_bytes(struct buf *b, const void *p, size_t n);
/*
 * Overwrite already written bytes at offset off (from buf_data), e.g. a
 * length placeholder.  0, or -ERANGE when [off, off + size) is not inside
 * the valid bytes.
 */
int buf_put_u16_at(struct buf *b, size_t off, uint16_t v);
int buf_put_u32_at(struct buf *b, size_t off, uint32_t v);

/* Consume; 0, or -EBADMSG on a short read (nothing consumed, *v untouched). */
int buf_get_u8(struct buf *b, uint8_t *v);
int buf_get_u16(struct buf *b, uint16_t *v);
int buf_get_u32(struct buf *b, uint32_t *v);
int buf_get_u64(struct buf *b, uint64_t *v);
/* A u32 the peer wrote in its own (= our, on one host) byte order. */
int buf_get_u32_host(struct buf *b, uint32_t *v);
int buf_get_bytes(struct buf *b, void *p, size_t n);
/* Step over n bytes; 0 or -EBADMSG. */
int buf_skip(struct buf *b, size_t n);
/*
 * Consume the next n bytes as a read-only sub-buffer: sub sees exactly
 * those bytes and borrows b's storage.  0, or -EBADMSG (b untouched).
 */
int buf_get_view(struct buf *b, size_t n, struct buf *sub);

#endif
