/* SPDX-License-Identifier: ISC */
/*
 * test_session.c: the session table.  Ids carry the server id in the top
 * byte (SessionTrackerImpl.initializeNextSessionId), expiry sits in
 * buckets rounded up to the next tick (ExpiryQueue.roundToNextInterval),
 * touching moves a session, closing sessions are neither touched nor
 * expired, and expired sessions come out oldest bucket first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "session.h"

/* The server id is the top byte; the time fills the next 40 bits. */
static void
test_ids_carry_server_id(void **state)
{
	struct session_table	 t;
	int64_t			 id;

	(void)state;
	session_init(&t, 1, 2000, 1700000000123LL);
	id = session_next_id(&t);
	assert_true(id == 0x018bcfe5687b0000LL);
	assert_int_equal((uint64_t)id >> 56, 1);
	/* Ids then count up by one. */
	assert_true(session_next_id(&t) == id + 1);
	assert_true(session_next_id(&t) == id + 2);
	session_free_all(&t);

	session_init(&t, 255, 2000, 1700000000123LL);
	id = session_next_id(&t);
	assert_true((uint64_t)id == 0xff8bcfe5687b0000ULL);
	session_free_all(&t);

	/* Only 40 bits of the time are kept. */
	session_init(&t, 7, 2000, (1LL << 40) + 5);
	assert_true(session_next_id(&t) == 0x0700000000050000LL);
	session_free_all(&t);

	/* The one id that equals the container owner is skipped. */
	session_init(&t, 0x80, 2000, 0);
	id = session_next_id(&t);
	assert_true(id == INT64_MIN + 1);
	session_free_all(&t);
}

/* A session expires in the bucket of the next tick after now + timeout. */
static void
test_expiry_rounded_to_tick(void **state)
{
	struct session_table	 t;
	struct session		*s;

	(void)state;
	session_init(&t, 1, 2000, 0);
	assert_true(session_round(&t, 0) == 2000);
	assert_true(session_round(&t, 1999) == 2000);
	/* Exactly on a tick still rounds to the next one. */
	assert_true(session_round(&t, 2000) == 4000);
	s = session_track(&t, 0x10, 10000, 1234);
	assert_non_null(s);
	assert_true(s->expire_at == 12000);
	assert_int_equal(s->timeout, 10000);
	assert_true(session_next_expiry(&t) == 12000);
	/* Sessions due in the same tick share a bucket. */
	s = session_track(&t, 0x11, 10000, 1999);
	assert_true(s->expire_at == 12000);
	assert_int_equal(t.nbuckets, 1);
	assert_int_equal(t.count, 2);
	s = session_track(&t, 0x12, 10000, 2000);
	assert_true(s->expire_at == 14000);
	assert_int_equal(t.nbuckets, 2);
	session_free_all(&t);
	assert_int_equal(t.count, 0);
	assert_int_equal(t.nbuckets, 0);

	/* A tick of 0 is taken as 1 ms. */
	session_init(&t, 1, 0, 0);
	assert_true(session_round(&t, 5) == 6);
	session_free_all(&t);
}

/* Touching moves a session to a later bucket; an emptied one waits. */
static void
test_touch_moves_bucket(void **state)
{
	struct session_table	 t;
	struct session		*s;
	struct session_bucket	*b;

	(void)state;
	session_init(&t, 1, 1000, 0);
	s = session_track(&t, 0x10, 5000, 100);
	assert_true(s->expire_at == 6000);
	assert_int_equal(session_touch(&t, 0x10, 2500), 0);
	assert_true(s->expire_at == 8000);
	/* The old bucket stays, empty, until its time (ExpiryQueue). */
	assert_int_equal(t.nbuckets, 2);
	b = RB_MIN(session_buckets, &t.buckets);
	assert_true(b->time == 6000);
	assert_int_equal(b->count, 0);
	/* A touch within the same tick keeps the bucket. */
	assert_int_equal(session_touch(&t, 0x10, 2900), 0);
	assert_true(s->expire_at == 8000);
	assert_int_equal(t.nbuckets, 2);
	/* It no longer expires at the old time, which clears that bucket. */
	assert_null(session_expired(&t, 6000));
	assert_int_equal(t.nbuckets, 1);
	assert_true(session_next_expiry(&t) == 8000);
	assert_ptr_equal(session_expired(&t, 8000), s);
	assert_int_equal(session_touch(&t, 0x99, 0), -1);
	/* Tracking a known session again refreshes it like a touch. */
	s = session_track(&t, 0x20, 5000, 0);
	assert_ptr_equal(session_track(&t, 0x20, 5000, 3000), s);
	assert_true(s->expire_at == 9000);
	assert_int_equal(t.count, 2);
	session_free_all(&t);
}

/* A closing session is in no bucket: not touched, not expired again. */
static void
test_closing_neither_touched_nor_expired(void **state)
{
	struct session_table	 t;
	struct session		*s;

	(void)state;
	session_init(&t, 1, 1000, 0);
	s = session_track(&t, 0x10, 5000, 0);
	session_set_closing(&t, 0x10);
	assert_true(s->closing);
	assert_null(s->bucket);
	assert_int_equal(session_touch(&t, 0x10, 100), -1);
	assert_null(s->bucket);
	/* Its emptied bucket yields nothing when its time comes. */
	assert_null(session_expired(&t, 1000000));
	assert_int_equal(t.nbuckets, 0);
	assert_true(session_next_expiry(&t) == -1);
	/* Tracking it again does not bring it back into a bucket. */
	session_track(&t, 0x10, 5000, 200);
	assert_null(s->bucket);
	/* It stays known until removed (its closeSession txn). */
	assert_ptr_equal(session_lookup(&t, 0x10), s);
	session_remove(&t, 0x10);
	assert_null(session_lookup(&t, 0x10));
	assert_int_equal(t.count, 0);
	/* Closing or removing an unknown id is harmless. */
	session_set_closing(&t, 0x77);
	session_remove(&t, 0x77);
	session_free_all(&t);
}

/* Expired sessions come out by bucket time, in order within a bucket. */
static void
test_expired_order(void **state)
{
	struct session_table	 t;
	struct session		*s;

	(void)state;
	session_init(&t, 1, 1000, 0);
	session_track(&t, 0x30, 9000, 0);	/* bucket 10000 */
	session_track(&t, 0x10, 3000, 0);	/* bucket 4000 */
	session_track(&t, 0x20, 3000, 500);	/* bucket 4000, after 0x10 */
	session_track(&t, 0x40, 5000, 0);	/* bucket 6000 */
	assert_null(session_expired(&t, 3999));
	s = session_expired(&t, 4000);
	assert_non_null(s);
	assert_true(s->id == 0x10);
	assert_true(s->closing);
	s = session_expired(&t, 4000);
	assert_true(s->id == 0x20);
	assert_null(session_expired(&t, 4000));
	/* A late tick collects every bucket due, oldest first. */
	s = session_expired(&t, 20000);
	assert_true(s->id == 0x40);
	s = session_expired(&t, 20000);
	assert_true(s->id == 0x30);
	assert_null(session_expired(&t, 20000));
	assert_int_equal(t.nbuckets, 0);
	/* Expired sessions stay in the table, closing, until removed. */
	assert_int_equal(t.count, 4);
	assert_int_equal(session_touch(&t, 0x30, 20000), -1);
	session_free_all(&t);
}

/* The table lists sessions by id and buckets by time. */
static void
test_iteration(void **state)
{
	struct session_table	 t;
	struct session		*s;
	struct session_bucket	*b;
	int64_t			 last = INT64_MIN;
	size_t			 n = 0;

	(void)state;
	session_init(&t, 1, 1000, 0);
	session_track(&t, 0x30, 1000, 0);
	session_track(&t, 0x10, 2000, 0);
	session_track(&t, 0x20, 3000, 0);
	SESSION_FOREACH(s, &t) {
		assert_true(s->id > last);
		last = s->id;
		n++;
	}
	assert_int_equal(n, 3);
	last = 0;
	n = 0;
	SESSION_BUCKET_FOREACH(b, &t) {
		assert_true(b->time > last);
		assert_int_equal(b->count, 1);
		last = b->time;
		n++;
	}
	assert_int_equal(n, 3);
	session_free_all(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_carry_server_id),
		cmocka_unit_test(test_expiry_rounded_to_tick),
		cmocka_unit_test(test_touch_moves_bucket),
		cmocka_unit_test(test_closing_neither_touched_nor_expired),
		cmocka_unit_test(test_expired_order),
		cmocka_unit_test(test_iteration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
