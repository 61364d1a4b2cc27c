/* SPDX-License-Identifier: MIT */
/*
 * hmap.c: string-keyed open-addressing hash map with tombstones.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hmap.h"

#define TOMBSTONE ((const char *)&hmap_tombstone)
static const char hmap_tombstone;

struct slot {
	const char *key;	/* NULL: empty; TOMBSTONE: deleted */
	void *value;
};

struct hmap {
	struct slot *slots;
	size_t cap;		/* power of two */
	size_t count;		/* live entries */
	size_t used;		/* live + tombstones */
};

static uint64_t
hash_str(const char *s)
{
	return hash_fnv1a(s, strlen(s));
}

struct hmap *
hmap_new(void)
{
	struct hmap *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cap = 16;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
hmap_free(struct hmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

static struct slot *
lookup(const struct hmap *m, const char *key)
{
	size_t i = hash_str(key) & (m->cap - 1);

	for (;;) {
		struct slot *s = &m->slots[i];
		if (s->key == NULL)
			return NULL;
		if (s->key != TOMBSTONE && strcmp(s->key, key) == 0)
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *
hmap_find(const struct hmap *m, const char *key)
{
	struct slot *s = lookup(m, key);

	return s ? s->value : NULL;
}

static int
grow(struct hmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap, i;
	size_t cap = m->count * 4 >= m->cap ? m->cap * 2 : m->cap;

	if ((m->slots = calloc(cap, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->used = m->count;
	for (i = 0; i < oldcap; i++) {
		size_t j;
		if (old[i].key == NULL || old[i].key == TOMBSTONE)
			continue;
		j = hash_str(old[i].key) & (cap - 1);
		while (m->slots[j].key != NULL)
			j = (j + 1) & (cap - 1);
		m->slots[j] = old[i];
	}
	free(old);
	return 0;
}

int
hmap_add(struct hmap *m, const char *key, void *value)
{
	struct slot *s;
	size_t i;

	if ((s = lookup(m, key)) != NULL) {
		s->key = key;
		s->value = value;
		return 0;
	}
	if ((m->used + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return -ENOMEM;
	i = hash_str(key) & (m->cap - 1);
	while (m->slots[i].key != NULL && m->slots[i].key != TOMBSTONE)
		i = (i + 1) & (m->cap - 1);
	if (m->slots[i].key == NULL)
		m->used++;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->count++;
	return 0;
}

void *
hmap_del(struct hmap *m, const char *key)
{
	struct slot *s = lookup(m, key);
	void *v;

	if (s == NULL)
		return NULL;
	v = s->value;
	s->key = TOMBSTONE;
	s->value = NULL;
	m->count--;
	return v;
}

size_t
hmap_count(const struct hmap *m)
{
	return m->count;
}

void *
hmap_next(const struct hmap *m, size_t *pos, const char **key)
{
	while (*pos < m->cap) {
		struct slot *s = &m->slots[(*pos)++];
		if (s->key != NULL && s->key != TOMBSTONE) {
			if (key != NULL)
				*key = s->key;
			return s->value;
		}
	}
	return NULL;
}
