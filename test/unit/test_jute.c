/* SPDX-License-Identifier: ISC */
/*
 * test_jute.c: the jute primitives read what they write, and never read
 * past a buffer (short input, bad lengths, lengths above the maximum).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jute.h"

/* Every primitive reads back what the writer wrote, in order. */
static void
test_round_trip(void **state)
{
	struct jute_out	 o;
	struct jute_in	 in;
	int32_t		 i, blen;
	int64_t		 l;
	int		 b;
	const uint8_t	*buf;
	char		*s;

	(void)state;
	jute_out_init(&o);
	jute_put_int(&o, -42);
	jute_put_long(&o, 0x0102030405060708LL);
	jute_put_bool(&o, 1);
	jute_put_buffer(&o, "abc", 3);
	jute_put_buffer(&o, NULL, -1);
	jute_put_string(&o, "/path");
	jute_in_init(&in, o.buf, o.len, 1024);
	assert_int_equal(jute_get_int(&in, &i), 0);
	assert_int_equal(i, -42);
	assert_int_equal(jute_get_long(&in, &l), 0);
	assert_true(l == 0x0102030405060708LL);
	assert_int_equal(jute_get_bool(&in, &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(jute_get_buffer(&in, &buf, &blen), 0);
	assert_int_equal(blen, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(jute_get_buffer(&in, &buf, &blen), 0);
	assert_int_equal(blen, -1);
	assert_null(buf);
	assert_int_equal(jute_get_string(&in, &s), 0);
	assert_string_equal(s, "/path");
	free(s);
	assert_int_equal(jute_in_left(&in), 0);
	jute_out_free(&o);
}

/* A length that claims more bytes than remain fails, and stays failed. */
static void
test_short_buffer(void **state)
{
	static const uint8_t	 data[] = { 0, 0, 0, 10, 'a', 'b' };
	struct jute_in		 in;
	const uint8_t		*p;
	int32_t			 len, v;

	(void)state;
	jute_in_init(&in, data, sizeof(data), 1024);
	assert_int_equal(jute_get_buffer(&in, &p, &len), -1);
	assert_int_equal(jute_get_int(&in, &v), -1);
}

/* Lengths below -1 or above the maximum are refused before any read. */
static void
test_bad_lengths(void **state)
{
	static const uint8_t	 neg[] = { 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t	 big[] = { 0, 0, 4, 0, 'x' };
	struct jute_in		 in;
	const uint8_t		*p;
	int32_t			 len;

	(void)state;
	jute_in_init(&in, neg, sizeof(neg), 1024);
	assert_int_equal(jute_get_buffer(&in, &p, &len), -1);
	jute_in_init(&in, big, sizeof(big), 100);
	assert_int_equal(jute_get_buffer(&in, &p, &len), -1);
}

/* A NUL inside a string is remembered, not silently cut. */
static void
test_nul_in_string(void **state)
{
	static const uint8_t	 data[] = { 0, 0, 0, 3, '/', 0, 'a' };
	struct jute_in		 in;
	char			*s;

	(void)state;
	jute_in_init(&in, data, sizeof(data), 1024);
	assert_int_equal(jute_get_string(&in, &s), 0);
	assert_int_equal(in.nul_seen, 1);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_nul_in_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
