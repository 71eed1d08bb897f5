/* SPDX-License-Identifier: ISC */
/*
 * watch.c: watch tables and triggering (state layer).  See watch.h.
 *
 * Invariants: every entry is on exactly one path's list and one watcher's
 * list; a path with no entries is freed at once; a (watcher, path) pair has
 * at most one entry per table, whose mode only ever widens (a standard
 * watch added over a persistent one keeps the persistent mode: the client
 * gets the same single event either way).
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proto.h"
#include "watch.h"
#include "util.h"
#include "xmalloc.h"

struct watch_entry {
	struct watcher		*w;
	struct watch_path	*wp;
	enum watch_mode		 mode;
	LIST_ENTRY(watch_entry)	 by_path;
	LIST_ENTRY(watch_entry)	 by_watcher;
};

struct watch_path {
	struct watch_path	*hnext;
	uint64_t		 hash;
	LIST_HEAD(, watch_entry) entries;
	char			 path[];
};

void
watch_init(struct watch_mgr *m, watch_deliver_fn deliver)
{
	int	 i;

	memset(m, 0, sizeof(*m));
	m->deliver = deliver;
	for (i = 0; i < 5; i++)
		summary_init(&m->per_type[i], 0);
}

void
watch_watcher_init(struct watcher *w, void *arg)
{
	memset(w, 0, sizeof(*w));
	LIST_INIT(&w->entries[WATCH_DATA]);
	LIST_INIT(&w->entries[WATCH_CHILD]);
	w->arg = arg;
}

static struct watch_path *
watch_find(struct watch_map *t, const char *path, uint64_t h)
{
	struct watch_path	*wp;

	if (t->nbuckets == 0)
		return NULL;
	for (wp = t->buckets[h & (t->nbuckets - 1)]; wp != NULL; wp = wp->hnext)
		if (wp->hash == h && strcmp(wp->path, path) == 0)
			return wp;
	return NULL;
}

static void
watch_rehash(struct watch_map *t)
{
	struct watch_path	**nb, *wp, *next;
	size_t			  n, i;

	n = t->nbuckets ? t->nbuckets * 2 : 64;
	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < t->nbuckets; i++)
		for (wp = t->buckets[i]; wp != NULL; wp = next) {
			next = wp->hnext;
			wp->hnext = nb[wp->hash & (n - 1)];
			nb[wp->hash & (n - 1)] = wp;
		}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

static void
watch_path_unlink(struct watch_map *t, struct watch_path *wp)
{
	struct watch_path	**pp;

	for (pp = &t->buckets[wp->hash & (t->nbuckets - 1)]; *pp != wp;
	    pp = &(*pp)->hnext)
		;
	*pp = wp->hnext;
	t->npaths--;
	free(wp);
}

static void
watch_entry_free(struct watch_map *t, enum watch_table which,
    struct watch_entry *e)
{
	struct watch_path	*wp = e->wp;
	struct watcher		*w = e->w;

	LIST_REMOVE(e, by_path);
	LIST_REMOVE(e, by_watcher);
	if (e->mode == WATCH_RECURSIVE)
		t->nrecursive--;
	t->nentries--;
	if (--w->count[which] == 0)
		t->nwatchers--;
	free(e);
	if (LIST_EMPTY(&wp->entries))
		watch_path_unlink(t, wp);
}

static struct watch_entry *
watch_entry_find(struct watch_path *wp, struct watcher *w)
{
	struct watch_entry	*e;

	if (wp == NULL)
		return NULL;
	LIST_FOREACH(e, &wp->entries, by_path)
		if (e->w == w)
			return e;
	return NULL;
}

/*
 * Adds a watch of w on path in one table.  Returns 1 if the pair is new,
 * 0 if it existed (its mode may have widened).
 */
int
watch_add(struct watch_mgr *m, enum watch_table which, const char *path,
    struct watcher *w, enum watch_mode mode)
{
	struct watch_map	*t = &m->tables[which];
	struct watch_path	*wp;
	struct watch_entry	*e;
	uint64_t		 h = util_hash(path, strlen(path));
	size_t			 len;

	wp = watch_find(t, path, h);
	if ((e = watch_entry_find(wp, w)) != NULL) {
		if (mode > e->mode) {
			if (mode == WATCH_RECURSIVE)
				t->nrecursive++;
			e->mode = mode;
		}
		return 0;
	}
	if (wp == NULL) {
		if (t->npaths >= t->nbuckets)
			watch_rehash(t);
		len = strlen(path);
		wp = xmalloc(sizeof(*wp) + len + 1);
		memcpy(wp->path, path, len + 1);
		wp->hash = h;
		LIST_INIT(&wp->entries);
		wp->hnext = t->buckets[h & (t->nbuckets - 1)];
		t->buckets[h & (t->nbuckets - 1)] = wp;
		t->npaths++;
	}
	e = xcalloc(1, sizeof(*e));
	e->w = w;
	e->wp = wp;
	e->mode = mode;
	LIST_INSERT_HEAD(&wp->entries, e, by_path);
	LIST_INSERT_HEAD(&w->entries[which], e, by_watcher);
	if (w->count[which]++ == 0)
		t->nwatchers++;
	if (mode == WATCH_RECURSIVE)
		t->nrecursive++;
	t->nentries++;
	return 1;
}

/* A fresh event generation: watchers hear each generation once. */
uint64_t
watch_new_gen(struct watch_mgr *m)
{
	return ++m->gen;
}

static void
watch_fire(struct watch_mgr *m, struct watcher *w, int32_t type,
    const char *path, uint64_t gen, const struct zk_acl_list *acl)
{
	if (w->mark == gen)
		return;
	w->mark = gen;
	m->fired++;
	m->fired_now++;
	if (m->deliver != NULL)
		m->deliver(w, type, path, acl);
}

static void
watch_trigger_at(struct watch_mgr *m, enum watch_table which,
    const char *at, const char *path, int exact, int32_t type, uint64_t gen,
    const struct zk_acl_list *acl)
{
	struct watch_map	*t = &m->tables[which];
	struct watch_path	*wp;
	struct watch_entry	*e, *next;
	int			 only;

	if ((wp = watch_find(t, at, util_hash(at, strlen(at)))) == NULL)
		return;
	for (e = LIST_FIRST(&wp->entries); e != NULL; e = next) {
		next = LIST_NEXT(e, by_path);
		if (e->mode == WATCH_RECURSIVE) {
			if (type != ZEV_NODE_CHILDREN_CHANGED)
				watch_fire(m, e->w, type, path, gen, acl);
		} else if (exact) {
			watch_fire(m, e->w, type, path, gen, acl);
			if (e->mode == WATCH_STANDARD) {
				/* Freeing the only entry frees the path too. */
				only = next == NULL &&
				    LIST_FIRST(&wp->entries) == e;
				watch_entry_free(t, which, e);
				if (only)
					return;
			}
		}
	}
}

/*
 * Fires the watches of one table for an event on path, whose node has the
 * ACL acl.  Watchers already told in generation gen are skipped, but their
 * one-shot entries still go (also when the ACL keeps the event from them).
 */
void
watch_trigger(struct watch_mgr *m, enum watch_table which, const char *path,
    int32_t type, uint64_t gen, const struct zk_acl_list *acl)
{
	struct watch_map	*t = &m->tables[which];
	char			*buf, *slash;
	size_t			 len;

	if (t->npaths == 0)
		return;
	m->fired_now = 0;
	watch_trigger_at(m, which, path, path, 1, type, gen, acl);
	if (t->nrecursive == 0 || strcmp(path, "/") == 0)
		goto done;
	len = strlen(path);
	buf = xmalloc(len + 1);
	memcpy(buf, path, len + 1);
	while ((slash = strrchr(buf, '/')) != NULL) {
		if (slash == buf) {
			watch_trigger_at(m, which, "/", path, 0, type, gen,
			    acl);
			break;
		}
		*slash = '\0';
		watch_trigger_at(m, which, buf, path, 0, type, gen, acl);
	}
	free(buf);
done:
	/* ZooKeeper's node_*_watch_count summaries: watchers per trigger. */
	if (m->fired_now > 0 && type >= 1 && type <= 4)
		summary_add(&m->per_type[type], (int64_t)m->fired_now);
}

/*
 * Whether w watches path in a table: an entry on the path itself, or a
 * recursive entry on it or a parent (WatchManager.containsWatcher).
 */
int
watch_contains(struct watch_mgr *m, enum watch_table which, const char *path,
    struct watcher *w)
{
	struct watch_map	*t = &m->tables[which];
	struct watch_entry	*e;
	char			*buf, *slash;
	int			 found = 0;

	if (watch_entry_find(watch_find(t, path, util_hash(path, strlen(path))), w) != NULL)
		return 1;
	if (t->nrecursive == 0)
		return 0;
	buf = xstrdup(path);
	while (!found && (slash = strrchr(buf, '/')) != NULL) {
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		e = watch_entry_find(watch_find(t, buf, util_hash(buf, strlen(buf))), w);
		found = e != NULL && e->mode == WATCH_RECURSIVE;
		if (slash == buf)
			break;
	}
	free(buf);
	return found;
}

/* Removes w's entry on path in a table; returns 1 if there was one. */
int
watch_remove(struct watch_mgr *m, enum watch_table which, const char *path,
    struct watcher *w)
{
	struct watch_map	*t = &m->tables[which];
	struct watch_entry	*e;

	e = watch_entry_find(watch_find(t, path, util_hash(path, strlen(path))), w);
	if (e == NULL)
		return 0;
	watch_entry_free(t, which, e);
	return 1;
}

/* Drops every watch of w (its connection is going away). */
void
watch_remove_watcher(struct watch_mgr *m, struct watcher *w)
{
	struct watch_entry	*e;
	int			 i;

	for (i = 0; i < 2; i++)
		while ((e = LIST_FIRST(&w->entries[i])) != NULL)
			watch_entry_free(&m->tables[i], i, e);
}

/* Watches in both tables (mntr zk_watch_count). */
size_t
watch_count(const struct watch_mgr *m)
{
	return m->tables[WATCH_DATA].nentries + m->tables[WATCH_CHILD].nentries;
}

/* Watchers, paths and watches of the data table (wchs). */
void
watch_summary(const struct watch_mgr *m, size_t *watchers, size_t *paths,
    size_t *total)
{
	*watchers = m->tables[WATCH_DATA].nwatchers;
	*paths = m->tables[WATCH_DATA].npaths;
	*total = m->tables[WATCH_DATA].nentries;
}

void
watch_foreach_path(struct watch_mgr *m, enum watch_table which,
    void (*fn)(const char *, struct watcher *, void *), void *arg)
{
	struct watch_map	*t = &m->tables[which];
	struct watch_path	*wp;
	struct watch_entry	*e;
	size_t			 i;

	for (i = 0; i < t->nbuckets; i++)
		for (wp = t->buckets[i]; wp != NULL; wp = wp->hnext) {
			fn(wp->path, NULL, arg);
			LIST_FOREACH(e, &wp->entries, by_path)
				fn(wp->path, e->w, arg);
		}
}

void
watch_foreach_of_watcher(struct watcher *w, enum watch_table which,
    void (*fn)(const char *, void *), void *arg)
{
	struct watch_entry	*e;

	LIST_FOREACH(e, &w->entries[which], by_watcher)
		fn(e->wp->path, arg);
}

void
watch_free(struct watch_mgr *m)
{
	struct watch_map	*t;
	struct watch_path	*wp, *next;
	struct watch_entry	*e;
	size_t			 i;
	int			 k;

	for (k = 0; k < 2; k++) {
		t = &m->tables[k];
		for (i = 0; i < t->nbuckets; i++)
			for (wp = t->buckets[i]; wp != NULL; wp = next) {
				next = wp->hnext;
				while ((e = LIST_FIRST(&wp->entries)) != NULL) {
					LIST_REMOVE(e, by_path);
					LIST_REMOVE(e, by_watcher);
					e->w->count[k]--;
					free(e);
				}
				free(wp);
			}
		free(t->buckets);
	}
	memset(m, 0, sizeof(*m));
}
