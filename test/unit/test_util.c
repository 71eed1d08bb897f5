/* SPDX-License-Identifier: ISC */
/*
 * test_util.c: the base helpers.  Session passwords and java.util.Random
 * against values Java 17 computed (new java.util.Random(id ^ 0xB3415C00L)
 * .nextBytes(new byte[16]), and nextInt() for two seeds), base64 against
 * RFC 4648, zxid arithmetic, atomic writes, Date.toString's format, and
 * spin.c's polling window.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "spin.h"
#include "util.h"

/* util_session_passwd equals ZooKeeper's generatePasswd for these ids. */
static void
test_session_passwd_matches_java(void **state)
{
	static const struct {
		uint64_t	 id;
		uint8_t		 pw[16];
	} v[] = {
		{ 0x0000000000000000ULL, { 0xf2, 0x2a, 0xcd, 0x4a, 0x97, 0xe6,
		    0x9d, 0x6d, 0x20, 0xa4, 0x9b, 0xb6, 0x38, 0xea, 0xdb,
		    0x38 } },
		{ 0x0000000000000001ULL, { 0x05, 0x4c, 0xc7, 0x4a, 0x37, 0x32,
		    0x7d, 0xb2, 0x15, 0xe7, 0x02, 0xe2, 0x0c, 0x73, 0xf0,
		    0x05 } },
		{ 0x0000000100000000ULL, { 0xf2, 0x2a, 0x60, 0x64, 0x97, 0xe6,
		    0x34, 0x63, 0x20, 0xa4, 0xe6, 0xf1, 0x38, 0xea, 0xca,
		    0xd9 } },
		{ 0x0100017f3c5a0000ULL, { 0x74, 0xda, 0xe4, 0x8e, 0xf1, 0x6c,
		    0x3a, 0x3b, 0x72, 0xb4, 0xed, 0xc9, 0x22, 0x89, 0x0e,
		    0x55 } },
		{ 0xffffffffffffffffULL, { 0x20, 0xf6, 0x2c, 0xb5, 0x64, 0x8d,
		    0xc2, 0xd7, 0x71, 0x47, 0x1c, 0x8a, 0x24, 0x86, 0xa9,
		    0xee } },
		{ 0x00000000b3415c00ULL, { 0x60, 0xb4, 0x20, 0xbb, 0x38, 0x51,
		    0xd9, 0xd4, 0x7a, 0xcb, 0x93, 0x3d, 0xbe, 0x70, 0x39,
		    0x9b } },
		{ 0x7fffffffffffffffULL, { 0x20, 0xf6, 0x2c, 0xb5, 0x64, 0x8d,
		    0xc2, 0xd7, 0x71, 0x47, 0x1c, 0x8a, 0x24, 0x86, 0xa9,
		    0xee } },
		{ 0x8000000000000000ULL, { 0xf2, 0x2a, 0xcd, 0x4a, 0x97, 0xe6,
		    0x9d, 0x6d, 0x20, 0xa4, 0x9b, 0xb6, 0x38, 0xea, 0xdb,
		    0x38 } },
		{ 0x01ab0000deadbeefULL, { 0xe6, 0x1e, 0xb6, 0x3f, 0x1c, 0x18,
		    0x02, 0xe5, 0xd9, 0x0d, 0x40, 0xc2, 0xc9, 0x8c, 0x75,
		    0x98 } },
	};
	uint8_t	 pw[SESSION_PASSWD_LEN];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(pw, 0, sizeof(pw));
		util_session_passwd((int64_t)v[i].id, pw);
		if (memcmp(pw, v[i].pw, sizeof(pw)) != 0)
			fail_msg("password of 0x%016llx differs",
			    (unsigned long long)v[i].id);
	}
}

/* jrandom_next(32) is nextInt(); fewer bytes take a prefix of the stream. */
static void
test_jrandom_matches_java(void **state)
{
	struct jrandom	 r;
	uint8_t		 b5[5], b16[16];

	(void)state;
	jrandom_init(&r, 42);
	assert_int_equal(jrandom_next(&r, 32), -1170105035);
	assert_int_equal(jrandom_next(&r, 32), 234785527);
	assert_int_equal(jrandom_next(&r, 32), -1360544799);
	jrandom_init(&r, -7);
	assert_int_equal(jrandom_next(&r, 32), 1155869324);
	assert_int_equal(jrandom_next(&r, 32), -423064701);
	/* nextBytes: each int gives 4 bytes, low byte first. */
	jrandom_init(&r, (int64_t)(0 ^ 0xB3415C00LL));
	jrandom_bytes(&r, b16, 16);
	jrandom_init(&r, (int64_t)(0 ^ 0xB3415C00LL));
	jrandom_bytes(&r, b5, 5);
	assert_memory_equal(b5, b16, 5);
	assert_int_equal(b16[0], 0xf2);
}

/* base64 with padding, RFC 4648 section 10. */
static void
test_base64_rfc4648(void **state)
{
	static const struct {
		const char	*in, *out;
	} v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const uint8_t	 bin[] = { 0xfb, 0xff, 0xbf };
	char			 out[32];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(util_base64((const uint8_t *)v[i].in,
		    strlen(v[i].in), out, sizeof(out)), strlen(v[i].out));
		assert_string_equal(out, v[i].out);
	}
	util_base64(bin, sizeof(bin), out, sizeof(out));
	assert_string_equal(out, "+/+/");
	/* A short buffer holds whole groups only, NUL-terminated. */
	assert_int_equal(util_base64((const uint8_t *)"foobar", 6, out, 7), 4);
	assert_string_equal(out, "Zm9v");
}

/* A zxid is epoch << 32 | counter. */
static void
test_zxid_parts(void **state)
{
	(void)state;
	assert_true(ZXID_MAKE(5, 7) == 0x500000007LL);
	assert_int_equal(ZXID_EPOCH(0x500000007LL), 5);
	assert_int_equal(ZXID_COUNTER(0x500000007LL), 7);
	assert_true(ZXID_MAKE(0xffffffffu, 0xffffffffu) == -1);
	assert_int_equal(ZXID_EPOCH(-1), 0xffffffffu);
	assert_int_equal(ZXID_COUNTER(ZXID_MAKE(1, 0xffffffffu)),
	    0xffffffffu);
}

/* Atomic writes replace the file and leave no temporary; mkdirs nests. */
static void
test_files(void **state)
{
	char		 dir[256], path[512], nested[512], buf[64];
	const char	*tmp = getenv("TMPDIR");
	struct stat	 st;
	FILE		*f;
	size_t		 n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test_util.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/currentEpoch", dir);
	assert_int_equal(util_write_atomic(path, "5", 1), 0);
	assert_int_equal(util_write_atomic(path, "17\n", 3), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "17\n", 3);
	snprintf(nested, sizeof(nested), "%s/currentEpoch.tmp", dir);
	assert_int_equal(stat(nested, &st), -1);
	assert_true(util_dir_size(dir) == 3);
	snprintf(nested, sizeof(nested), "%s/a/b/c", dir);
	assert_int_equal(util_mkdirs(nested, 0700), 0);
	assert_int_equal(util_mkdirs(nested, 0700), 0);
	assert_int_equal(stat(nested, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Directories do not count in the size. */
	assert_true(util_dir_size(dir) == 3);
	snprintf(nested, sizeof(nested), "%s/nodir/file", dir);
	assert_int_equal(util_write_atomic(nested, "x", 1), -1);
	assert_int_equal(unlink(path), 0);
	snprintf(nested, sizeof(nested), "%s/a/b/c", dir);
	rmdir(nested);
	snprintf(nested, sizeof(nested), "%s/a/b", dir);
	rmdir(nested);
	snprintf(nested, sizeof(nested), "%s/a", dir);
	rmdir(nested);
	assert_int_equal(rmdir(dir), 0);
}

/* Dates print as java.util.Date.toString does. */
static void
test_java_date(void **state)
{
	char	 buf[64];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	util_java_date(0, buf, sizeof(buf));
	assert_string_equal(buf, "Thu Jan 01 00:00:00 UTC 1970");
	util_java_date(1700000000123LL, buf, sizeof(buf));
	assert_string_equal(buf, "Tue Nov 14 22:13:20 UTC 2023");
}

/* The polling window opens on a note, lasts its length, 0 never opens. */
static void
test_spin_window(void **state)
{
	struct timespec	 ts = { 0, 3 * 1000 * 1000 };

	(void)state;
	spin_set(0);
	spin_note();
	assert_false(spin_polling());
	spin_set(60 * 1000 * 1000);
	assert_false(spin_polling());	/* nothing came in yet */
	spin_note();
	assert_true(spin_polling());
	assert_true(spin_polling());
	spin_set(1000);
	spin_note();
	nanosleep(&ts, NULL);
	assert_false(spin_polling());	/* 1 ms gone: sleep again */
	assert_false(spin_polling());
	spin_set(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_passwd_matches_java),
		cmocka_unit_test(test_jrandom_matches_java),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_zxid_parts),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_java_date),
		cmocka_unit_test(test_spin_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
