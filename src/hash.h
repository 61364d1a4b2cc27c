/* SPDX-License-Identifier: MIT */
/*
 * hash.h: the daemon's one string hash, FNV-1a on 64 bits (hash maps,
 * interface names derived from IDs, lock names).  Its offset basis is the
 * one this project has always used, 1469598103934665603 (the standard
 * basis has one more digit): names derived from it are on hosts already,
 * so it stays.
 */
#ifndef RP_HASH_H
#define RP_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
hash_fnv1a(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#endif
