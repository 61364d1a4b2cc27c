/* SPDX-License-Identifier: MIT */
/*
 * hmap.h: a small string-keyed hash map (open addressing, linear probing).
 * Keys are borrowed: they must live as long as their entry (store them in
 * the value).  Not thread-safe; nothing here is.
 */
#ifndef RP_HMAP_H
#define RP_HMAP_H

#include <stddef.h>

struct hmap;

/* A new, empty map, or NULL on ENOMEM. */
struct hmap *hmap_new(void);
/* Frees the table, not the values. */
void hmap_free(struct hmap *m);
/* The value stored under key, or NULL. */
void *hmap_find(const struct hmap *m, const char *key);
/* Store value under key (replacing).  0, or -ENOMEM. */
int hmap_add(struct hmap *m, const char *key, void *value);
/* Remove key; returns the value it had, or NULL. */
void *hmap_del(struct hmap *m, const char *key);
size_t hmap_count(const struct hmap *m);
/*
 * Iterate: start with *pos = 0; returns the next value (and its key in *key
 * when key is not NULL), or NULL at the end.  The map must not change during
 * the walk, except by hmap_del() of the entry just returned.
 */
void *hmap_next(const struct hmap *m, size_t *pos, const char **key);

#endif
