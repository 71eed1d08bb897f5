/* SPDX-License-Identifier: ISC */
/*
 * test_acl.c: access control.  Digest ids and ip matching against the
 * values Apache ZooKeeper 3.8 computes (DigestAuthenticationProvider.
 * generateDigest, IPAuthenticationProvider.matches and isValid,
 * DigestAuthenticationProvider.isValid, run once under Java 17 to get the
 * constants below), permission checks per bit and per scheme, the fixup of
 * a client's ACL list, and the reference-counted ACL cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl.h"
#include "proto.h"

static void	 list_set(struct zk_acl_list *, struct zk_acl *, int32_t,
		    const char *, const char *);
static void	 ids_one(struct acl_ids *, const char *, const char *);
static void	 count_cb(int64_t, const struct zk_acl_list *, void *);

/* A one-entry list over caller storage (the strings are not freed). */
static void
list_set(struct zk_acl_list *l, struct zk_acl *a, int32_t perms,
    const char *scheme, const char *id)
{
	a->perms = perms;
	a->id.scheme = (char *)(uintptr_t)scheme;
	a->id.id = (char *)(uintptr_t)id;
	l->n = 1;
	l->v = a;
}

static void
ids_one(struct acl_ids *ids, const char *scheme, const char *id)
{
	memset(ids, 0, sizeof(*ids));
	acl_ids_add(ids, scheme, id);
}

/* digest ids equal DigestAuthenticationProvider.generateDigest's. */
static void
test_digest_matches_java(void **state)
{
	static const struct {
		const char	*in, *want;
	} v[] = {
		{ "user:password", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=" },
		{ "super:secret", "super:lK75jTNcA+U9vtVEw5vB51mj/w4=" },
		{ "bob:", "bob:tK1fpNO1hB0F++FhHpSq0Fa4tv0=" },
		{ "alice:s3cr3t:x", "alice:cRh6V+KybeAusS6PuM/DCsTQm0k=" },
		{ "u:p", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=" },
		{ ":p", ":LlDE5iroUDDm9zdvmLsfjkUvn0k=" },
		{ "zk:zk", "zk:wv1gAVH8RiWIJUyaveCTg5AdOP0=" },
	};
	char	 out[128];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(acl_digest(v[i].in, out, sizeof(out)), 0);
		assert_string_equal(out, v[i].want);
	}
	/* "user:" + 28 base64 characters + NUL do not fit in 33 bytes. */
	assert_int_equal(acl_digest("user:password", out, 33), -1);
	assert_int_equal(acl_digest("user:password", out, 34), 0);
}

/* ip ACLs match addresses under their mask as IPAuthenticationProvider does. */
static void
test_ip_matching_with_masks(void **state)
{
	static const struct {
		const char	*id, *expr;
		int		 match, valid;
	} v[] = {
		{ "10.1.2.3", "10.0.0.0/8", 1, 1 },
		{ "11.1.2.3", "10.0.0.0/8", 0, 1 },
		{ "192.168.1.77", "192.168.1.64/26", 1, 1 },
		{ "192.168.1.128", "192.168.1.64/26", 0, 1 },
		{ "1.2.3.4", "1.2.3.4", 1, 1 },
		{ "1.2.3.5", "1.2.3.4", 0, 1 },
		{ "1.2.3.4", "0.0.0.0/0", 1, 1 },
		{ "1.2.3.4", "1.2.3.4/33", 0, 0 },
		{ "1.2.3.4", "1.2.3.4/-1", 0, 0 },
		{ "1.2.3.4", "1.2.3.0/24x", 0, 0 },
		{ "1.2.3.4", "1.2.3", 0, 0 },
		{ "1.2.3.4", "1.2.3.256", 0, 0 },
		{ "1.2.3.4", "1.2.3.04", 1, 1 },
		{ "127.0.0.1", "127.0.0.1/32", 1, 1 },
		{ "127.0.0.1", "127.1.2.3/15", 1, 1 },
		{ "127.2.0.1", "127.1.2.3/15", 0, 1 },
		{ "1.2.3.4", "1.2.3.4/", 0, 0 },
		{ "1.2.3.4", " 1.2.3.4", 0, 0 },
	};
	size_t	 i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (acl_ip_matches(v[i].id, v[i].expr) != v[i].match) {
			print_message("# matches(%s, %s) is not %d\n", v[i].id,
			    v[i].expr, v[i].match);
			bad++;
		}
		if (acl_ip_valid(v[i].expr) != v[i].valid) {
			print_message("# isValid(%s) is not %d\n", v[i].expr,
			    v[i].valid);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* An id that is no address never matches. */
	assert_false(acl_ip_matches("localhost", "0.0.0.0/0"));
}

/* A world:anyone entry grants exactly the bits it holds, for every bit. */
static void
test_check_every_permission_bit(void **state)
{
	static const int32_t	 bits[] = { ZPERM_READ, ZPERM_WRITE,
	    ZPERM_CREATE, ZPERM_DELETE, ZPERM_ADMIN };
	struct zk_acl_list	 l;
	struct zk_acl		 a;
	struct acl_ids		 none = { 0, NULL };
	size_t			 i, j;

	(void)state;
	for (i = 0; i < 5; i++) {
		list_set(&l, &a, bits[i], "world", "anyone");
		for (j = 0; j < 5; j++)
			assert_int_equal(acl_check(&l, bits[j], &none, 0),
			    i == j ? ZERR_OK : ZERR_NOAUTH);
	}
	/* ALL grants each bit; 0 grants none. */
	list_set(&l, &a, ZPERM_ALL, "world", "anyone");
	for (j = 0; j < 5; j++)
		assert_int_equal(acl_check(&l, bits[j], &none, 0), ZERR_OK);
	list_set(&l, &a, 0, "world", "anyone");
	for (j = 0; j < 5; j++)
		assert_int_equal(acl_check(&l, bits[j], &none, 0),
		    ZERR_NOAUTH);
	/* world with any id but "anyone" grants nothing. */
	list_set(&l, &a, ZPERM_ALL, "world", "someone");
	assert_int_equal(acl_check(&l, ZPERM_READ, &none, 0), ZERR_NOAUTH);
}

/* digest and ip entries grant to matching identities only. */
static void
test_check_digest_and_ip(void **state)
{
	struct zk_acl_list	 l;
	struct zk_acl		 a;
	struct acl_ids		 ids;

	(void)state;
	list_set(&l, &a, ZPERM_READ, "digest", "bob:hash");
	ids_one(&ids, "digest", "bob:hash");
	assert_int_equal(acl_check(&l, ZPERM_READ, &ids, 0), ZERR_OK);
	assert_int_equal(acl_check(&l, ZPERM_WRITE, &ids, 0), ZERR_NOAUTH);
	acl_ids_free(&ids);
	ids_one(&ids, "digest", "bob:other");
	assert_int_equal(acl_check(&l, ZPERM_READ, &ids, 0), ZERR_NOAUTH);
	acl_ids_free(&ids);
	/* The same string under another scheme is another identity. */
	ids_one(&ids, "ip", "bob:hash");
	assert_int_equal(acl_check(&l, ZPERM_READ, &ids, 0), ZERR_NOAUTH);
	acl_ids_free(&ids);

	list_set(&l, &a, ZPERM_WRITE, "ip", "10.0.0.0/8");
	ids_one(&ids, "ip", "10.20.30.40");
	assert_int_equal(acl_check(&l, ZPERM_WRITE, &ids, 0), ZERR_OK);
	acl_ids_free(&ids);
	ids_one(&ids, "ip", "127.0.0.1");
	assert_int_equal(acl_check(&l, ZPERM_WRITE, &ids, 0), ZERR_NOAUTH);
	/* A second identity of the connection may match. */
	acl_ids_add(&ids, "ip", "10.0.0.1");
	assert_int_equal(acl_check(&l, ZPERM_WRITE, &ids, 0), ZERR_OK);
	acl_ids_free(&ids);

	/* An entry of a scheme without a provider never matches. */
	list_set(&l, &a, ZPERM_ALL, "x509", "CN=bob");
	ids_one(&ids, "x509", "CN=bob");
	assert_int_equal(acl_check(&l, ZPERM_READ, &ids, 0), ZERR_NOAUTH);
	acl_ids_free(&ids);
}

/* super passes everything; so do skipACL and an empty or missing list. */
static void
test_check_super_skip_and_empty(void **state)
{
	struct zk_acl_list	 l, empty = { 0, NULL };
	struct zk_acl		 a;
	struct acl_ids		 ids, none = { 0, NULL };

	(void)state;
	list_set(&l, &a, 0, "digest", "nobody:x");
	ids_one(&ids, "super", "");
	assert_int_equal(acl_check(&l, ZPERM_ADMIN, &ids, 0), ZERR_OK);
	acl_ids_free(&ids);
	assert_int_equal(acl_check(&l, ZPERM_ADMIN, &none, 0), ZERR_NOAUTH);
	assert_int_equal(acl_check(&l, ZPERM_ADMIN, &none, 1), ZERR_OK);
	assert_int_equal(acl_check(&empty, ZPERM_ADMIN, &none, 0), ZERR_OK);
	assert_int_equal(acl_check(NULL, ZPERM_ADMIN, &none, 0), ZERR_OK);
	assert_int_equal(acl_check(acl_read_unsafe(), ZPERM_WRITE, &none, 0),
	    ZERR_NOAUTH);
	assert_int_equal(acl_check(acl_open_unsafe(), ZPERM_ADMIN, &none, 0),
	    ZERR_OK);
}

/* "auth" expands to each digest identity of the connection, with its perms. */
static void
test_fixup_expands_auth(void **state)
{
	struct zk_acl_list	 in, out;
	struct zk_acl		 a;
	struct acl_ids		 ids;

	(void)state;
	list_set(&in, &a, ZPERM_READ | ZPERM_WRITE, "auth", "");
	ids_one(&ids, "ip", "127.0.0.1");
	acl_ids_add(&ids, "digest", "bob:h1");
	acl_ids_add(&ids, "digest", "amy:h2");
	assert_int_equal(acl_fixup(&in, &ids, &out), ZERR_OK);
	/* ip identities are not "authenticated" ones: only the digests. */
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].id.scheme, "digest");
	assert_string_equal(out.v[0].id.id, "bob:h1");
	assert_int_equal(out.v[0].perms, ZPERM_READ | ZPERM_WRITE);
	assert_string_equal(out.v[1].id.id, "amy:h2");
	proto_acl_list_free(&out);
	acl_ids_free(&ids);

	/* Without a digest identity, auth is an invalid ACL. */
	ids_one(&ids, "ip", "127.0.0.1");
	assert_int_equal(acl_fixup(&in, &ids, &out), ZERR_INVALIDACL);
	assert_int_equal(out.n, 0);
	assert_null(out.v);
	acl_ids_free(&ids);
	ids_one(&ids, "super", "");
	assert_int_equal(acl_fixup(&in, &ids, &out), ZERR_INVALIDACL);
	acl_ids_free(&ids);
}

/* Ids their provider refuses, unknown schemes, empty lists: INVALIDACL. */
static void
test_fixup_invalid_ids(void **state)
{
	static const struct {
		const char	*scheme, *id;
		int		 err;
	} v[] = {
		/* DigestAuthenticationProvider.isValid: id.split(":") has 2. */
		{ "digest", "a:b", ZERR_OK },
		{ "digest", ":b", ZERR_OK },
		{ "digest", "a:b:", ZERR_OK },
		{ "digest", "a:b::", ZERR_OK },
		{ "digest", "a:", ZERR_INVALIDACL },
		{ "digest", "a", ZERR_INVALIDACL },
		{ "digest", "a:b:c", ZERR_INVALIDACL },
		{ "digest", "a::", ZERR_INVALIDACL },
		{ "digest", ":", ZERR_INVALIDACL },
		{ "ip", "10.0.0.0/8", ZERR_OK },
		{ "ip", "10.0.0", ZERR_INVALIDACL },
		{ "ip", "10.0.0.1/40", ZERR_INVALIDACL },
		{ "world", "anyone", ZERR_OK },
		{ "world", "everyone", ZERR_INVALIDACL },
		{ "super", "x", ZERR_INVALIDACL },
		{ "sasl", "bob", ZERR_INVALIDACL },
		{ "", "", ZERR_INVALIDACL },
	};
	struct zk_acl_list	 in, out, empty = { 0, NULL };
	struct zk_acl		 a;
	struct acl_ids		 none = { 0, NULL };
	size_t			 i, bad = 0;
	int			 err;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		list_set(&in, &a, ZPERM_ALL, v[i].scheme, v[i].id);
		err = acl_fixup(&in, &none, &out);
		if (err != v[i].err) {
			print_message("# %s:%s gave %d, not %d\n", v[i].scheme,
			    v[i].id, err, v[i].err);
			bad++;
		}
		proto_acl_list_free(&out);
	}
	assert_int_equal(acl_fixup(&empty, &none, &out), ZERR_INVALIDACL);
	/* A null scheme or id (jute null strings) is invalid. */
	list_set(&in, &a, ZPERM_ALL, NULL, "anyone");
	assert_int_equal(acl_fixup(&in, &none, &out), ZERR_INVALIDACL);
	list_set(&in, &a, ZPERM_ALL, "digest", NULL);
	assert_int_equal(acl_fixup(&in, &none, &out), ZERR_INVALIDACL);
	assert_int_equal(bad, 0);
}

/* Duplicate entries collapse; one bad entry spoils the whole list. */
static void
test_fixup_duplicates_and_one_bad(void **state)
{
	struct zk_acl		 a[4];
	struct zk_acl_list	 in = { 4, a }, out;
	struct acl_ids		 none = { 0, NULL };
	char			 w[] = "world", any[] = "anyone";
	char			 d[] = "digest", u[] = "u:h";
	char			 ip[] = "ip", bad[] = "1.2";

	(void)state;
	a[0].perms = ZPERM_ALL;
	a[0].id.scheme = w;
	a[0].id.id = any;
	a[1] = a[0];
	a[2].perms = ZPERM_READ;
	a[2].id.scheme = d;
	a[2].id.id = u;
	a[3] = a[2];
	assert_int_equal(acl_fixup(&in, &none, &out), ZERR_OK);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0].id.scheme, "world");
	assert_string_equal(out.v[1].id.id, "u:h");
	proto_acl_list_free(&out);

	/* Same id with other perms is not a duplicate. */
	a[3].perms = ZPERM_WRITE;
	assert_int_equal(acl_fixup(&in, &none, &out), ZERR_OK);
	assert_int_equal(out.n, 3);
	proto_acl_list_free(&out);

	a[3].id.scheme = ip;
	a[3].id.id = bad;
	assert_int_equal(acl_fixup(&in, &none, &out), ZERR_INVALIDACL);
	assert_int_equal(out.n, 0);
}

static void
count_cb(int64_t index, const struct zk_acl_list *l, void *arg)
{
	int64_t	*last = arg;

	assert_true(index > *last);
	assert_non_null(l);
	*last = index;
}

/* Equal lists share one number, counted; the entry goes with its last ref. */
static void
test_cache_intern_and_unref(void **state)
{
	struct acl_cache		*c;
	struct zk_acl_list		 l1, l2, l1b;
	struct zk_acl			 a1, a2, a1b;
	const struct zk_acl_list	*got;
	int64_t				 n1, n2, last = 0;

	(void)state;
	c = acl_cache_new();
	list_set(&l1, &a1, ZPERM_READ, "digest", "u:h");
	list_set(&l1b, &a1b, ZPERM_READ, "digest", "u:h");
	list_set(&l2, &a2, ZPERM_ALL, "ip", "10.0.0.0/8");
	n1 = acl_cache_intern(c, &l1);
	assert_true(n1 == 1);
	/* An equal list in other storage gets the same number. */
	assert_true(acl_cache_intern(c, &l1b) == n1);
	n2 = acl_cache_intern(c, &l2);
	assert_true(n2 == 2);
	assert_int_equal(acl_cache_count(c), 2);
	got = acl_cache_get(c, n1);
	assert_non_null(got);
	assert_true(proto_acl_list_equal(got, &l1));
	/* The cache holds its own copy. */
	assert_true(got->v != l1.v);
	acl_cache_foreach(c, count_cb, &last);
	assert_true(last == n2);

	/* Two references: the first unref keeps the entry. */
	acl_cache_unref(c, n1);
	assert_non_null(acl_cache_get(c, n1));
	acl_cache_unref(c, n1);
	assert_null(acl_cache_get(c, n1));
	assert_int_equal(acl_cache_count(c), 1);
	/* A number is never reused for a new list. */
	assert_true(acl_cache_intern(c, &l1) == 3);
	/* acl_cache_ref adds a reference that one more unref takes. */
	acl_cache_ref(c, n2);
	acl_cache_unref(c, n2);
	assert_non_null(acl_cache_get(c, n2));
	acl_cache_unref(c, n2);
	assert_null(acl_cache_get(c, n2));
	acl_cache_free(c);
}

/* Number -1 is the open list: never stored, never freed. */
static void
test_cache_open_list(void **state)
{
	struct acl_cache		*c;
	const struct zk_acl_list	*l;

	(void)state;
	c = acl_cache_new();
	assert_true(acl_cache_intern(c, NULL) == ACL_OPEN_UNSAFE);
	l = acl_cache_get(c, ACL_OPEN_UNSAFE);
	assert_ptr_equal(l, acl_open_unsafe());
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].perms, ZPERM_ALL);
	assert_string_equal(l->v[0].id.scheme, "world");
	assert_string_equal(l->v[0].id.id, "anyone");
	acl_cache_unref(c, ACL_OPEN_UNSAFE);
	assert_ptr_equal(acl_cache_get(c, ACL_OPEN_UNSAFE), acl_open_unsafe());
	assert_int_equal(acl_cache_count(c), 0);
	assert_null(acl_cache_get(c, 42));
	acl_cache_free(c);
}

/* Loading a snapshot: put keeps numbers, refuses twins; purge drops unused. */
static void
test_cache_put_and_purge(void **state)
{
	struct acl_cache	*c;
	struct zk_acl_list	 l1, l2;
	struct zk_acl		 a1, a2;

	(void)state;
	c = acl_cache_new();
	list_set(&l1, &a1, ZPERM_READ, "digest", "u:h");
	list_set(&l2, &a2, ZPERM_ALL, "ip", "1.2.3.4");
	assert_int_equal(acl_cache_put(c, 7, &l1), 0);
	assert_int_equal(acl_cache_put(c, 7, &l2), -1);
	assert_int_equal(acl_cache_put(c, 9, &l1), -1);
	assert_int_equal(acl_cache_put(c, 3, &l2), 0);
	/* Interning an existing list finds its number. */
	assert_true(acl_cache_intern(c, &l1) == 7);
	/* New numbers follow the largest one put. */
	a2.perms = ZPERM_WRITE;
	assert_true(acl_cache_intern(c, &l2) == 8);
	acl_cache_purge_unused(c);
	/* 3 had no reference; 7 and 8 have one each. */
	assert_null(acl_cache_get(c, 3));
	assert_non_null(acl_cache_get(c, 7));
	assert_non_null(acl_cache_get(c, 8));
	assert_int_equal(acl_cache_count(c), 2);
	acl_cache_free(c);
}

/* whoAmI names: the user of a digest id, the address of an ip id. */
static void
test_user_names_and_ids(void **state)
{
	struct zk_id	 id;
	struct acl_ids	 ids = { 0, NULL };
	char		 d[] = "digest", ip[] = "ip", w[] = "world";
	char		 u[] = "bob:abc=", nocolon[] = "bob";
	char		 addr[] = "1.2.3.4";

	(void)state;
	id.scheme = d;
	id.id = u;
	assert_string_equal(acl_user_name(&id), "bob");
	id.id = nocolon;
	assert_string_equal(acl_user_name(&id), "bob");
	id.scheme = ip;
	id.id = addr;
	assert_string_equal(acl_user_name(&id), "1.2.3.4");
	id.scheme = w;
	assert_string_equal(acl_user_name(&id), "");
	assert_false(acl_ids_has_scheme(&ids, "ip"));
	acl_ids_add(&ids, "ip", "1.2.3.4");
	acl_ids_add(&ids, "digest", "bob:x");
	assert_true(acl_ids_has_scheme(&ids, "ip"));
	assert_true(acl_ids_has_scheme(&ids, "digest"));
	assert_false(acl_ids_has_scheme(&ids, "super"));
	acl_ids_free(&ids);
	assert_int_equal(ids.n, 0);
	assert_true(acl_scheme_known("digest"));
	assert_true(acl_scheme_known("ip"));
	assert_false(acl_scheme_known("world"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_matches_java),
		cmocka_unit_test(test_ip_matching_with_masks),
		cmocka_unit_test(test_check_every_permission_bit),
		cmocka_unit_test(test_check_digest_and_ip),
		cmocka_unit_test(test_check_super_skip_and_empty),
		cmocka_unit_test(test_fixup_expands_auth),
		cmocka_unit_test(test_fixup_invalid_ids),
		cmocka_unit_test(test_fixup_duplicates_and_one_bad),
		cmocka_unit_test(test_cache_intern_and_unref),
		cmocka_unit_test(test_cache_open_list),
		cmocka_unit_test(test_cache_put_and_purge),
		cmocka_unit_test(test_user_names_and_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
