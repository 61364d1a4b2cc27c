/* SPDX-License-Identifier: MIT */
/*
 * alloc.h: a compact address allocator for one pool.
 *
 * The allocator knows a pool range [first, last] (every address that may be
 * taken explicitly) and an automatic range [auto_first, auto_last] inside it
 * (where alloc_next() picks addresses).  It stores allocations as bitmaps of
 * fixed-size chunks kept in a hash table, created on first use, so memory
 * grows with the allocations and not with the size of the range (an IPv6 /64
 * costs nothing until used).  alloc_next() is amortised O(1): a cursor walks
 * forward over full chunks and moves back when an address is released.
 *
 * It knows nothing about networks, gateways or JSON; it never allocates
 * memory per address.
 */
#ifndef RP_ALLOC_H
#define RP_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct alloc;

/*
 * A new allocator, or NULL with errno set (EINVAL when the addresses are of
 * mixed families, or first > last, or the automatic range is not inside the
 * pool range or is empty; ENOMEM).  The caller owns it: alloc_free().
 */
struct alloc *alloc_new(const struct ipaddr *first, const struct ipaddr *last,
    const struct ipaddr *auto_first, const struct ipaddr *auto_last);
void alloc_free(struct alloc *al);

/*
 * Take one given address.  0; -EEXIST when it is already taken; -ERANGE when
 * it lies outside [first, last] or is of the other family; -ENOMEM.
 */
int alloc_take(struct alloc *al, const struct ipaddr *a);

/*
 * Take the lowest-free-ish address of the automatic range (the first free
 * address at or after the cursor, wrapping once).  0 and *out set;
 * -ENOSPC when the automatic range is full; -ENOMEM.
 */
int alloc_next(struct alloc *al, struct ipaddr *out);

/* Give an address back.  0; -ENOENT when it was not taken (or out of range). */
int alloc_put(struct alloc *al, const struct ipaddr *a);

bool alloc_has(const struct alloc *al, const struct ipaddr *a);

/* Number of addresses taken. */
size_t alloc_count(const struct alloc *al);

/*
 * Call fn for every taken address, in ascending order; stops and returns the
 * first non-zero value fn returns, else 0.
 */
int alloc_walk(const struct alloc *al,
    int (*fn)(const struct ipaddr *a, void *arg), void *arg);

#endif
