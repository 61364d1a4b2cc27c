/* SPDX-License-Identifier: MIT */
/*
 * test_buf.c: the bounded wire buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void
test_put_get_widths(void **state)
{
	static const uint8_t want[] = {
		0x01,
		0x02, 0x03,
		0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0xde, 0xad,
	};
	uint8_t mem[32];
	struct buf b;
	uint8_t u8, raw[2];
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(buf_room(&b), sizeof(mem));
	assert_int_equal(buf_put_u8(&b, 0x01), 0);
	assert_int_equal(buf_put_u16(&b, 0x0203), 0);
	assert_int_equal(buf_put_u32(&b, 0x04050607), 0);
	assert_int_equal(buf_put_u64(&b, 0x08090a0b0c0d0e0fULL), 0);
	assert_int_equal(buf_put_bytes(&b, "\xde\xad", 2), 0);
	assert_int_equal(buf_len(&b), sizeof(want));
	assert_memory_equal(buf_data(&b), want, sizeof(want));

	/* The same buffer reads back what was written. */
	assert_int_equal(buf_left(&b), sizeof(want));
	assert_int_equal(buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(buf_get_u16(&b, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(buf_get_u32(&b, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(buf_get_u64(&b, &u64), 0);
	assert_true(u64 == 0x08090a0b0c0d0e0fULL);
	assert_int_equal(buf_get_bytes(&b, raw, 2), 0);
	assert_memory_equal(raw, "\xde\xad", 2);
	assert_int_equal(buf_left(&b), 0);
}

/* A put that does not fit fails whole: nothing of it is written. */
static void
test_put_range(void **state)
{
	static const struct {
		size_t cap;
		int width;
	} cases[] = {
		{ 0, 1 }, { 1, 2 }, { 3, 4 }, { 7, 8 }, { 4, 5 }, { 0, 0 },
	};
	uint8_t mem[16];
	struct buf b;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(mem, 0xaa, sizeof(mem));
		buf_init(&b, mem, cases[i].cap);
		switch (cases[i].width) {
		case 0:	/* an empty put always fits */
			assert_int_equal(buf_put_bytes(&b, "", 0), 0);
			continue;
		case 1:
			ret = buf_put_u8(&b, 0x11);
			break;
		case 2:
			ret = buf_put_u16(&b, 0x1122);
			break;
		case 4:
			ret = buf_put_u32(&b, 0x11223344);
			break;
		case 8:
			ret = buf_put_u64(&b, 0x1122334455667788ULL);
			break;
		default:
			ret = buf_put_bytes(&b, "\x11\x22\x33\x44\x55", 5);
			break;
		}
		assert_int_equal(ret, -ERANGE);
		assert_int_equal(buf_len(&b), 0);
		assert_int_equal(mem[0], 0xaa);
	}

	/* Filling up exactly works; one more byte does not. */
	buf_init(&b, mem, 6);
	assert_int_equal(buf_put_u32(&b, 1), 0);
	assert_int_equal(buf_put_u16(&b, 2), 0);
	assert_int_equal(buf_room(&b), 0);
	assert_int_equal(buf_put_u8(&b, 3), -ERANGE);
	assert_int_equal(buf_len(&b), 6);
}

static void
test_read_only(void **state)
{
	static const uint8_t data[] = { 0x12, 0x34 };
	struct buf b;
	uint16_t v;

	buf_init_read(&b, data, sizeof(data));
	assert_int_equal(buf_len(&b), 2);
	assert_int_equal(buf_room(&b), 0);
	assert_int_equal(buf_put_u8(&b, 0), -ERANGE);
	assert_int_equal(buf_put_u16_at(&b, 0, 0), -ERANGE);
	assert_int_equal(buf_get_u16(&b, &v), 0);
	assert_int_equal(v, 0x1234);

	/* No storage at all. */
	buf_init_read(&b, NULL, 0);
	assert_int_equal(buf_left(&b), 0);
	assert_int_equal(buf_skip(&b, 0), 0);
	assert_int_equal(buf_skip(&b, 1), -EBADMSG);
	buf_init(&b, NULL, 100);
	assert_int_equal(buf_room(&b), 0);
	assert_int_equal(buf_put_u8(&b, 0), -ERANGE);
	assert_int_equal(buf_put_bytes(&b, NULL, 0), 0);
}

static void
test_put_at(void **state)
{
	uint8_t mem[8];
	struct buf b;

	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(buf_put_u16(&b, 0), 0);
	assert_int_equal(buf_put_u32(&b, 0), 0);
	assert_int_equal(buf_put_u16_at(&b, 0, 0xbeef), 0);
	assert_int_equal(buf_put_u32_at(&b, 2, 0x01020304), 0);
	assert_memory_equal(mem, "\xbe\xef\x01\x02\x03\x04", 6);
	/* Only inside what was written, never past it. */
	assert_int_equal(buf_put_u16_at(&b, 5, 1), -ERANGE);
	assert_int_equal(buf_put_u32_at(&b, 3, 1), -ERANGE);
	assert_int_equal(buf_put_u16_at(&b, 7, 1), -ERANGE);
	assert_int_equal(buf_put_u16_at(&b, SIZE_MAX, 1), -ERANGE);
	assert_int_equal(buf_put_u32_at(&b, SIZE_MAX - 1, 1), -ERANGE);
	assert_int_equal(buf_len(&b), 6);
	assert_memory_equal(mem, "\xbe\xef\x01\x02\x03\x04", 6);
}

/* A short get fails, consumes nothing and leaves the output alone. */
static void
test_get_short(void **state)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7 };
	struct buf b;
	uint8_t u8 = 0x5a, raw[8];
	uint16_t u16 = 0x5a5a;
	uint32_t u32 = 0x5a5a5a5a;
	uint64_t u64 = 0x5a;
	size_t n;

	for (n = 0; n < sizeof(data); n++) {
		buf_init_read(&b, data, n);
		if (n < 8)
			assert_int_equal(buf_get_u64(&b, &u64), -EBADMSG);
		if (n < 4) {
			assert_int_equal(buf_get_u32(&b, &u32), -EBADMSG);
			assert_int_equal(buf_get_u32_host(&b, &u32), -EBADMSG);
		}
		if (n < 2)
			assert_int_equal(buf_get_u16(&b, &u16), -EBADMSG);
		if (n < 1)
			assert_int_equal(buf_get_u8(&b, &u8), -EBADMSG);
		memset(raw, 0x5a, sizeof(raw));
		assert_int_equal(buf_get_bytes(&b, raw, n + 1), -EBADMSG);
		assert_int_equal(buf_skip(&b, n + 1), -EBADMSG);
		assert_int_equal(buf_skip(&b, SIZE_MAX), -EBADMSG);
		assert_int_equal(buf_left(&b), n);
	}
	assert_int_equal(u8, 0x5a);
	assert_int_equal(u16, 0x5a5a);
	assert_int_equal(u32, 0x5a5a5a5a);
	assert_true(u64 == 0x5a);
	assert_int_equal(raw[0], 0x5a);
}

static void
test_get_host(void **state)
{
	static const uint8_t data[] = { 0x02, 0x00, 0x00, 0x00 };
	struct buf b;
	uint32_t v, want;

	memcpy(&want, data, sizeof(want));
	buf_init_read(&b, data, sizeof(data));
	assert_int_equal(buf_get_u32_host(&b, &v), 0);
	assert_int_equal(v, want);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_int_equal(v, 2);
#endif
}

static void
test_view(void **state)
{
	static const uint8_t data[] = { 0, 3, 0xa, 0xb, 0xc, 0xff };
	struct buf b, sub;
	uint16_t n;
	uint8_t v;

	buf_init_read(&b, data, sizeof(data));
	assert_int_equal(buf_get_u16(&b, &n), 0);
	assert_int_equal(buf_get_view(&b, n, &sub), 0);
	/* The parent moved past the field; the view sees exactly it. */
	assert_int_equal(buf_left(&b), 1);
	assert_int_equal(buf_len(&sub), 3);
	assert_int_equal(buf_room(&sub), 0);
	assert_int_equal(buf_get_u8(&sub, &v), 0);
	assert_int_equal(v, 0xa);
	assert_int_equal(buf_skip(&sub, 2), 0);
	assert_int_equal(buf_get_u8(&sub, &v), -EBADMSG);
	assert_int_equal(buf_get_u8(&b, &v), 0);
	assert_int_equal(v, 0xff);

	/* A view longer than what is left fails and moves nothing. */
	buf_init_read(&b, data, sizeof(data));
	assert_int_equal(buf_get_view(&b, 7, &sub), -EBADMSG);
	assert_int_equal(buf_left(&b), 6);
	assert_int_equal(buf_get_view(&b, 0, &sub), 0);
	assert_int_equal(buf_left(&sub), 0);
	assert_ptr_equal(buf_cur(&b), data);
}

static void
test_truncate(void **state)
{
	uint8_t mem[8];
	struct buf b;
	uint8_t v;

	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(buf_put_u32(&b, 0x01020304), 0);
	assert_int_equal(buf_get_u8(&b, &v), 0);
	assert_int_equal(buf_get_u8(&b, &v), 0);
	buf_truncate(&b, 10);
	assert_int_equal(buf_len(&b), 4);
	buf_truncate(&b, 1);
	assert_int_equal(buf_len(&b), 1);
	assert_int_equal(buf_left(&b), 0);
	assert_int_equal(buf_room(&b), 7);
	assert_ptr_equal(buf_cur(&b), mem + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_widths),
		cmocka_unit_test(test_put_range),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_put_at),
		cmocka_unit_test(test_get_short),
		cmocka_unit_test(test_get_host),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
