/* SPDX-License-Identifier: MIT */
/*
 * test_addr.c: address and prefix parsing and arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static void
test_prefix_parse(void **state)
{
	static const struct {
		const char *in;
		int ok;
		const char *out;
	} cases[] = {
		{ "10.46.0.0/16", 1, "10.46.0.0/16" },
		{ "10.46.1.7/32", 1, "10.46.1.7/32" },
		{ "0.0.0.0/0", 1, "0.0.0.0/0" },
		{ "fd00:46::/64", 1, "fd00:46::/64" },
		{ "FD00:46::1/128", 1, "fd00:46::1/128" },
		{ "10.46.0.0/33", 0, NULL },
		{ "fd00::/129", 0, NULL },
		{ "10.46.0.0/", 0, NULL },
		{ "10.46.0.0/-1", 0, NULL },
		{ "10.46.0.0/+8", 0, NULL },
		{ "10.46.0.0/ 8", 0, NULL },
		{ "10.46.0.0/0008", 0, NULL },
		{ "10.46.0.0/8x", 0, NULL },
		{ "10.46.0/16", 0, NULL },
		{ "10.46.0.0", 0, NULL },
		{ "/16", 0, NULL },
		{ "", 0, NULL },
		{ "10.46.0.256/24", 0, NULL },
		{ "010.46.0.0/16", 0, NULL },
	};
	struct ipprefix p;
	char s[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int r = prefix_parse(cases[i].in, &p);
		if (cases[i].ok) {
			assert_int_equal(r, 0);
			assert_string_equal(prefix_fmt(&p, s, sizeof(s)),
			    cases[i].out);
		} else if (r == 0) {
			fail_msg("'%s' was accepted", cases[i].in);
		}
	}
	assert_int_equal(prefix_parse_loose("10.1.2.3", &p), 0);
	assert_int_equal(p.plen, 32);
	assert_int_equal(prefix_parse_loose("fd00::1", &p), 0);
	assert_int_equal(p.plen, 128);
}

static void
test_prefix_relations(void **state)
{
	struct ipprefix a, b, c, v6;
	struct ipaddr x, first, last;
	char s[ADDR_STRLEN];

	prefix_parse("10.46.0.0/16", &a);
	prefix_parse("10.46.5.0/24", &b);
	prefix_parse("10.47.0.0/16", &c);
	prefix_parse("10.46.0.0/16", &v6);
	assert_true(prefix_overlaps(&a, &b));
	assert_true(prefix_overlaps(&b, &a));
	assert_true(prefix_covers(&a, &b));
	assert_false(prefix_covers(&b, &a));
	assert_false(prefix_overlaps(&a, &c));
	prefix_parse("::a2e:0/112", &v6);	/* same bits, other family */
	assert_false(prefix_overlaps(&a, &v6));
	addr_parse("10.46.255.255", &x);
	assert_true(prefix_contains(&a, &x));
	assert_false(prefix_contains(&c, &x));
	prefix_first(&b, &first);
	prefix_last(&b, &last);
	assert_string_equal(addr_fmt(&first, s, sizeof(s)), "10.46.5.0");
	assert_string_equal(addr_fmt(&last, s, sizeof(s)), "10.46.5.255");
	prefix_parse("10.46.1.0/16", &b);
	assert_false(prefix_is_network(&b));
	assert_true(prefix_is_network(&a));
}

static void
test_inc_dec(void **state)
{
	struct ipaddr a;
	char s[ADDR_STRLEN];

	addr_parse("10.0.0.255", &a);
	assert_true(addr_inc(&a));
	assert_string_equal(addr_fmt(&a, s, sizeof(s)), "10.0.1.0");
	assert_true(addr_dec(&a));
	assert_string_equal(addr_fmt(&a, s, sizeof(s)), "10.0.0.255");
	addr_parse("255.255.255.255", &a);
	assert_false(addr_inc(&a));
	addr_parse("::", &a);
	assert_false(addr_dec(&a));
	addr_parse("fd00::ffff", &a);
	assert_true(addr_inc(&a));
	assert_string_equal(addr_fmt(&a, s, sizeof(s)), "fd00::1:0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_relations),
		cmocka_unit_test(test_inc_dec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
