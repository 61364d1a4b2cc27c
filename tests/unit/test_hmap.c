/* SPDX-License-Identifier: MIT */
/*
 * test_hmap.c: the string-keyed hash map: add, replace, find, delete,
 * growth past many entries, and deleting while walking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"
#include "hmap.h"

#define N 5000

static void
test_add_find_del(void **state)
{
	struct hmap *m = hmap_new();
	static char keys[N][16];
	int vals[N], i, *v;

	assert_non_null(m);
	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		vals[i] = i;
		assert_int_equal(hmap_add(m, keys[i], &vals[i]), 0);
	}
	assert_int_equal(hmap_count(m), N);
	for (i = 0; i < N; i++)
		assert_ptr_equal(hmap_find(m, keys[i]), &vals[i]);
	assert_null(hmap_find(m, "absent"));
	/* replace keeps the count */
	assert_int_equal(hmap_add(m, keys[7], &vals[8]), 0);
	assert_ptr_equal(hmap_find(m, keys[7]), &vals[8]);
	assert_int_equal(hmap_count(m), N);
	for (i = 0; i < N; i += 2)
		assert_non_null(hmap_del(m, keys[i]));
	assert_null(hmap_del(m, keys[0]));
	assert_int_equal(hmap_count(m), N / 2);
	for (i = 0; i < N; i++)
		assert_true((hmap_find(m, keys[i]) != NULL) == (i % 2 == 1));
	/* re-add after delete (tombstones reused or skipped) */
	for (i = 0; i < N; i += 2)
		assert_int_equal(hmap_add(m, keys[i], &vals[i]), 0);
	assert_int_equal(hmap_count(m), N);
	/* delete everything while walking */
	{
		size_t pos = 0, seen = 0;
		const char *k;

		while ((v = hmap_next(m, &pos, &k)) != NULL) {
			assert_ptr_equal(hmap_del(m, k), v);
			seen++;
		}
		assert_int_equal(seen, N);
	}
	assert_int_equal(hmap_count(m), 0);
	hmap_free(m);
}

static void
test_hash(void **state)
{
	/*
	 * Pinned values: interface names of non-hex endpoint IDs and lock
	 * names derive from this hash, so it must never change (see hash.h).
	 */
	assert_true(hash_fnv1a("", 0) == 0x14650fb0739d0383ULL);
	assert_true(hash_fnv1a("a", 1) == 0x44bd8ad473cd9906ULL);
	assert_true(hash_fnv1a("My-Endpoint.1", 13) == 0xd6d6077dda63b068ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_del),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
