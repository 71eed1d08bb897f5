/* SPDX-License-Identifier: ISC */
/*
 * test_watch.c: the watch manager.  One-shot, persistent and recursive
 * watches, which events reach which watchers (never NodeChildrenChanged to
 * a recursive one, never two events for one trigger), the suppression a
 * delete's shared generation gives, removal, and the counts wchs shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"
#include "watch.h"

struct event {
	struct watcher			*w;
	int32_t				 type;
	char				 path[64];
	const struct zk_acl_list	*acl;
};

static struct event	 events[64];
static size_t		 nevents;

static void	 record_cb(struct watcher *, int32_t, const char *,
		    const struct zk_acl_list *);
static void	 fire(struct watch_mgr *, enum watch_table, const char *,
		    int32_t);
static size_t	 heard(struct watcher *);
static void	 path_cb(const char *, struct watcher *, void *);
static void	 mine_cb(const char *, void *);

static void
record_cb(struct watcher *w, int32_t type, const char *path,
    const struct zk_acl_list *acl)
{
	if (nevents >= sizeof(events) / sizeof(events[0]))
		fail_msg("too many events");
	events[nevents].w = w;
	events[nevents].type = type;
	strlcpy(events[nevents].path, path, sizeof(events[0].path));
	events[nevents].acl = acl;
	nevents++;
}

/* One trigger with a fresh generation, events recorded from scratch. */
static void
fire(struct watch_mgr *m, enum watch_table which, const char *path,
    int32_t type)
{
	nevents = 0;
	watch_trigger(m, which, path, type, watch_new_gen(m), NULL);
}

static size_t
heard(struct watcher *w)
{
	size_t	 i, n = 0;

	for (i = 0; i < nevents; i++)
		n += events[i].w == w;
	return n;
}

/* A standard watch fires once and is gone. */
static void
test_standard_is_one_shot(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	assert_int_equal(watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD),
	    1);
	assert_int_equal(watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD),
	    0);
	assert_int_equal(watch_count(&m), 1);
	fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 1);
	assert_ptr_equal(events[0].w, &w);
	assert_int_equal(events[0].type, ZEV_NODE_DATA_CHANGED);
	assert_string_equal(events[0].path, "/a");
	fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 0);
	assert_int_equal(watch_count(&m), 0);
	assert_int_equal(m.tables[WATCH_DATA].npaths, 0);
	assert_int_equal(w.count[WATCH_DATA], 0);
	/* The other table and other paths never fire it. */
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD);
	fire(&m, WATCH_CHILD, "/a", ZEV_NODE_CHILDREN_CHANGED);
	fire(&m, WATCH_DATA, "/a/b", ZEV_NODE_DATA_CHANGED);
	fire(&m, WATCH_DATA, "/", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 0);
	assert_int_equal(watch_count(&m), 1);
	assert_int_equal(m.fired, 1);
	watch_free(&m);
}

/* A persistent watch fires on every trigger of its own path, and stays. */
static void
test_persistent_stays(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w;
	int			 i;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_PERSISTENT);
	watch_add(&m, WATCH_CHILD, "/a", &w, WATCH_PERSISTENT);
	for (i = 0; i < 3; i++) {
		fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
		assert_int_equal(nevents, 1);
		fire(&m, WATCH_CHILD, "/a", ZEV_NODE_CHILDREN_CHANGED);
		assert_int_equal(nevents, 1);
		assert_int_equal(events[0].type, ZEV_NODE_CHILDREN_CHANGED);
	}
	/* Not for descendants. */
	fire(&m, WATCH_DATA, "/a/b", ZEV_NODE_CREATED);
	assert_int_equal(nevents, 0);
	assert_int_equal(watch_count(&m), 2);
	watch_free(&m);
}

/* A recursive watch hears its path and every descendant, but no siblings. */
static void
test_recursive_covers_subtree(void **state)
{
	static const int32_t	 types[] = { ZEV_NODE_CREATED,
	    ZEV_NODE_DELETED, ZEV_NODE_DATA_CHANGED };
	struct watch_mgr	 m;
	struct watcher		 w, root;
	size_t			 i;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_watcher_init(&root, NULL);
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_RECURSIVE);
	for (i = 0; i < 3; i++) {
		fire(&m, WATCH_DATA, "/a", types[i]);
		assert_int_equal(heard(&w), 1);
		fire(&m, WATCH_DATA, "/a/b", types[i]);
		assert_int_equal(heard(&w), 1);
		assert_string_equal(events[0].path, "/a/b");
		assert_int_equal(events[0].type, types[i]);
		fire(&m, WATCH_DATA, "/a/b/c/d", types[i]);
		assert_int_equal(heard(&w), 1);
		/* "/ab" shares a prefix with "/a" but is not below it. */
		fire(&m, WATCH_DATA, "/ab", types[i]);
		assert_int_equal(heard(&w), 0);
		fire(&m, WATCH_DATA, "/", types[i]);
		assert_int_equal(heard(&w), 0);
	}
	/* On "/", everything. */
	watch_add(&m, WATCH_DATA, "/", &root, WATCH_RECURSIVE);
	fire(&m, WATCH_DATA, "/ab", ZEV_NODE_CREATED);
	assert_int_equal(heard(&root), 1);
	fire(&m, WATCH_DATA, "/", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(heard(&root), 1);
	assert_int_equal(watch_count(&m), 2);
	watch_free(&m);
}

/* NodeChildrenChanged never reaches a recursive watcher, even on its path. */
static void
test_children_changed_never_to_recursive(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 rec, std, per;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&rec, NULL);
	watch_watcher_init(&std, NULL);
	watch_watcher_init(&per, NULL);
	watch_add(&m, WATCH_CHILD, "/a", &rec, WATCH_RECURSIVE);
	watch_add(&m, WATCH_CHILD, "/a", &std, WATCH_STANDARD);
	watch_add(&m, WATCH_CHILD, "/a", &per, WATCH_PERSISTENT);
	fire(&m, WATCH_CHILD, "/a", ZEV_NODE_CHILDREN_CHANGED);
	assert_int_equal(heard(&rec), 0);
	assert_int_equal(heard(&std), 1);
	assert_int_equal(heard(&per), 1);
	fire(&m, WATCH_CHILD, "/a/b", ZEV_NODE_CHILDREN_CHANGED);
	assert_int_equal(nevents, 0);
	/* The recursive entry is still there for other events. */
	fire(&m, WATCH_CHILD, "/a/b", ZEV_NODE_DELETED);
	assert_int_equal(heard(&rec), 1);
	watch_free(&m);
}

/* A watcher hears one event per trigger however many of its watches match. */
static void
test_one_event_per_watcher(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w, other;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_watcher_init(&other, NULL);
	watch_add(&m, WATCH_DATA, "/a/b", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_RECURSIVE);
	watch_add(&m, WATCH_DATA, "/", &w, WATCH_RECURSIVE);
	watch_add(&m, WATCH_DATA, "/a", &other, WATCH_RECURSIVE);
	fire(&m, WATCH_DATA, "/a/b", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 2);
	assert_int_equal(heard(&w), 1);
	assert_int_equal(heard(&other), 1);
	/* The one-shot entry went; the recursive ones still answer. */
	assert_int_equal(watch_count(&m), 3);
	fire(&m, WATCH_DATA, "/a/b", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(heard(&w), 1);
	assert_int_equal(m.fired, 4);
	watch_free(&m);
}

/*
 * A delete triggers the data table, then the child table with the same
 * generation: watchers the data table told are not told again, though
 * their one-shot child entries still go.
 */
static void
test_delete_suppression_between_tables(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 both, child;
	uint64_t		 gen;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&both, NULL);
	watch_watcher_init(&child, NULL);
	watch_add(&m, WATCH_DATA, "/x", &both, WATCH_STANDARD);
	watch_add(&m, WATCH_CHILD, "/x", &both, WATCH_STANDARD);
	watch_add(&m, WATCH_CHILD, "/x", &child, WATCH_STANDARD);
	nevents = 0;
	gen = watch_new_gen(&m);
	watch_trigger(&m, WATCH_DATA, "/x", ZEV_NODE_DELETED, gen, NULL);
	watch_trigger(&m, WATCH_CHILD, "/x", ZEV_NODE_DELETED, gen, NULL);
	assert_int_equal(nevents, 2);
	assert_int_equal(heard(&both), 1);
	assert_int_equal(heard(&child), 1);
	assert_false(watch_contains(&m, WATCH_CHILD, "/x", &both));
	assert_int_equal(watch_count(&m), 0);

	/* With separate generations the same watcher hears both tables. */
	watch_add(&m, WATCH_DATA, "/x", &both, WATCH_PERSISTENT);
	watch_add(&m, WATCH_CHILD, "/x", &both, WATCH_PERSISTENT);
	nevents = 0;
	watch_trigger(&m, WATCH_DATA, "/x", ZEV_NODE_DELETED,
	    watch_new_gen(&m), NULL);
	watch_trigger(&m, WATCH_CHILD, "/x", ZEV_NODE_DELETED,
	    watch_new_gen(&m), NULL);
	assert_int_equal(heard(&both), 2);
	watch_free(&m);
}

/* contains sees exact entries and recursive ones above; remove drops one. */
static void
test_contains_and_remove(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w, v;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_watcher_init(&v, NULL);
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/r", &w, WATCH_RECURSIVE);
	watch_add(&m, WATCH_DATA, "/p", &w, WATCH_PERSISTENT);
	assert_true(watch_contains(&m, WATCH_DATA, "/a", &w));
	assert_false(watch_contains(&m, WATCH_DATA, "/a", &v));
	assert_false(watch_contains(&m, WATCH_CHILD, "/a", &w));
	assert_true(watch_contains(&m, WATCH_DATA, "/r/x/y", &w));
	assert_false(watch_contains(&m, WATCH_DATA, "/rx", &w));
	/* Only recursive entries cover descendants. */
	assert_false(watch_contains(&m, WATCH_DATA, "/p/x", &w));
	assert_false(watch_contains(&m, WATCH_DATA, "/a/x", &w));
	assert_int_equal(watch_remove(&m, WATCH_DATA, "/a", &w), 1);
	assert_int_equal(watch_remove(&m, WATCH_DATA, "/a", &w), 0);
	assert_false(watch_contains(&m, WATCH_DATA, "/a", &w));
	assert_int_equal(watch_remove(&m, WATCH_DATA, "/r/x", &w), 0);
	assert_int_equal(watch_remove(&m, WATCH_DATA, "/r", &w), 1);
	assert_false(watch_contains(&m, WATCH_DATA, "/r/x/y", &w));
	assert_int_equal(m.tables[WATCH_DATA].nrecursive, 0);
	assert_int_equal(m.tables[WATCH_DATA].npaths, 1);
	fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 0);
	watch_free(&m);
}

/* Removing a watcher drops all its entries in both tables, and only its. */
static void
test_remove_watcher(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w, v;
	size_t			 watchers, paths, total;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_watcher_init(&v, NULL);
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/b", &w, WATCH_RECURSIVE);
	watch_add(&m, WATCH_CHILD, "/a", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/a", &v, WATCH_STANDARD);
	watch_remove_watcher(&m, &w);
	assert_int_equal(w.count[WATCH_DATA], 0);
	assert_int_equal(w.count[WATCH_CHILD], 0);
	assert_int_equal(watch_count(&m), 1);
	assert_int_equal(m.tables[WATCH_DATA].nrecursive, 0);
	watch_summary(&m, &watchers, &paths, &total);
	assert_int_equal(watchers, 1);
	assert_int_equal(paths, 1);
	assert_int_equal(total, 1);
	fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 1);
	assert_ptr_equal(events[0].w, &v);
	/* Removing a watcher with nothing left is harmless. */
	watch_remove_watcher(&m, &w);
	watch_free(&m);
}

/* wchs counts watchers, paths and watches of the data table only. */
static void
test_counts_for_wchs(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w[3];
	size_t			 watchers, paths, total, i;

	(void)state;
	watch_init(&m, record_cb);
	for (i = 0; i < 3; i++)
		watch_watcher_init(&w[i], NULL);
	watch_summary(&m, &watchers, &paths, &total);
	assert_int_equal(watchers + paths + total, 0);
	watch_add(&m, WATCH_DATA, "/a", &w[0], WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/b", &w[0], WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/a", &w[1], WATCH_STANDARD);
	watch_add(&m, WATCH_CHILD, "/c", &w[2], WATCH_STANDARD);
	watch_summary(&m, &watchers, &paths, &total);
	assert_int_equal(watchers, 2);
	assert_int_equal(paths, 2);
	assert_int_equal(total, 3);
	assert_int_equal(watch_count(&m), 4);
	/* Many paths: the table grows and keeps counting right. */
	for (i = 0; i < 200; i++) {
		char	 p[16];

		snprintf(p, sizeof(p), "/n%zu", i);
		watch_add(&m, WATCH_DATA, p, &w[2], WATCH_STANDARD);
	}
	watch_summary(&m, &watchers, &paths, &total);
	assert_int_equal(watchers, 3);
	assert_int_equal(paths, 202);
	assert_int_equal(total, 203);
	fire(&m, WATCH_DATA, "/n150", ZEV_NODE_DELETED);
	assert_int_equal(heard(&w[2]), 1);
	watch_summary(&m, &watchers, &paths, &total);
	assert_int_equal(paths, 201);
	watch_free(&m);
}

/* A mode only widens: standard over persistent stays persistent. */
static void
test_mode_widens(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_PERSISTENT);
	assert_int_equal(watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD),
	    0);
	fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
	fire(&m, WATCH_DATA, "/a", ZEV_NODE_DATA_CHANGED);
	assert_int_equal(nevents, 1);
	assert_int_equal(watch_count(&m), 1);
	/* Standard, then recursive: one entry, now recursive. */
	watch_add(&m, WATCH_DATA, "/s", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/s", &w, WATCH_RECURSIVE);
	assert_int_equal(m.tables[WATCH_DATA].nrecursive, 1);
	assert_int_equal(watch_count(&m), 2);
	fire(&m, WATCH_DATA, "/s/child", ZEV_NODE_CREATED);
	assert_int_equal(heard(&w), 1);
	watch_remove(&m, WATCH_DATA, "/s", &w);
	assert_int_equal(m.tables[WATCH_DATA].nrecursive, 0);
	watch_free(&m);
}

struct listing {
	size_t	 paths;
	size_t	 entries;
};

static void
path_cb(const char *path, struct watcher *w, void *arg)
{
	struct listing	*l = arg;

	(void)path;
	if (w == NULL)
		l->paths++;
	else
		l->entries++;
}

static void
mine_cb(const char *path, void *arg)
{
	size_t	*n = arg;

	assert_true(strcmp(path, "/a") == 0 || strcmp(path, "/b") == 0);
	(*n)++;
}

/* wchp and wchc: each path, then its watchers; and a watcher's paths. */
static void
test_listings(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w, v;
	struct listing		 l = { 0, 0 };
	size_t			 mine = 0;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_watcher_init(&v, NULL);
	w.session_id = 0x1234;
	watch_add(&m, WATCH_DATA, "/a", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/b", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/a", &v, WATCH_STANDARD);
	watch_foreach_path(&m, WATCH_DATA, path_cb, &l);
	assert_int_equal(l.paths, 2);
	assert_int_equal(l.entries, 3);
	watch_foreach_of_watcher(&w, WATCH_DATA, mine_cb, &mine);
	assert_int_equal(mine, 2);
	watch_free(&m);
}

/* The ACL given to a trigger reaches every watcher's delivery unchanged. */
static void
test_acl_travels_with_event(void **state)
{
	struct watch_mgr	 m;
	struct watcher		 w, r;
	struct zk_acl_list	 acl = { 0, NULL };
	size_t			 i;

	(void)state;
	watch_init(&m, record_cb);
	watch_watcher_init(&w, NULL);
	watch_watcher_init(&r, NULL);
	watch_add(&m, WATCH_DATA, "/a/b", &w, WATCH_STANDARD);
	watch_add(&m, WATCH_DATA, "/", &r, WATCH_RECURSIVE);
	nevents = 0;
	watch_trigger(&m, WATCH_DATA, "/a/b", ZEV_NODE_DELETED,
	    watch_new_gen(&m), &acl);
	assert_int_equal(nevents, 2);
	for (i = 0; i < nevents; i++)
		assert_ptr_equal(events[i].acl, &acl);
	watch_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_is_one_shot),
		cmocka_unit_test(test_persistent_stays),
		cmocka_unit_test(test_recursive_covers_subtree),
		cmocka_unit_test(test_children_changed_never_to_recursive),
		cmocka_unit_test(test_one_event_per_watcher),
		cmocka_unit_test(test_delete_suppression_between_tables),
		cmocka_unit_test(test_contains_and_remove),
		cmocka_unit_test(test_remove_watcher),
		cmocka_unit_test(test_counts_for_wchs),
		cmocka_unit_test(test_mode_widens),
		cmocka_unit_test(test_listings),
		cmocka_unit_test(test_acl_travels_with_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
