/* SPDX-License-Identifier: MIT */
/*
 * test_flags.c: the number parser shared by flags and network options, and
 * the flag parsers' accepted forms (a refused flag exits: tested by the
 * acceptance tests through the binaries).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flags.h"
#include "num.h"

static void
test_num_parse(void **state)
{
	static const struct {
		const char *s;
		unsigned long min, max;
		int r;
		unsigned long v;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -EINVAL, 0 },
		{ "68", 68, 65535, 0, 68 },
		{ "67", 68, 65535, -EINVAL, 0 },
		{ "4294967295", 0, UINT32_MAX, 0, 4294967295UL },
		{ "4294967296", 0, UINT32_MAX, -EINVAL, 0 },
		{ "99999999999", 0, ULONG_MAX, -EINVAL, 0 },	/* 11 digits */
		{ "", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "1x", 0, 10, -EINVAL, 0 },
		{ "0x10", 0, 100, -EINVAL, 0 },
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		v = 12345;
		if (num_parse_ulong(cases[i].s, cases[i].min, cases[i].max,
		    &v) != cases[i].r)
			fail_msg("case %zu '%s'", i, cases[i].s);
		if (cases[i].r == 0)
			assert_int_equal(v, cases[i].v);
		else
			assert_int_equal(v, 12345);	/* untouched */
	}
}

static void
test_flag_forms(void **state)
{
	char path[64];
	uint8_t type;
	uint16_t inst;

	assert_int_equal(flag_ulong("--mtu", "9000", 68, 65535), 9000);
	flag_path("--state-dir", "/var/lib/x", path, sizeof(path));
	assert_string_equal(path, "/var/lib/x");
	flag_route_type("babel", &type, &inst);
	assert_int_equal(inst, 0);
	flag_route_type("babel:0", &type, &inst);
	assert_int_equal(inst, 0);
	flag_zmq_endpoint("ipc:///run/x.sock", path, sizeof(path));
	assert_string_equal(path, "ipc:///run/x.sock");
	flag_zmq_endpoint("tcp://127.0.0.1:5555", path, sizeof(path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_parse),
		cmocka_unit_test(test_flag_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
