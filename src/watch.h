/* SPDX-License-Identifier: ISC */
/*
 * watch.h: the watch manager (state layer), after ZooKeeper's WatchManager.
 *
 * Two tables, data and child, map a path to the watchers on it, each with a
 * mode: standard (one-shot), persistent, or persistent-recursive.  Exists
 * and getData watches live in the data table, getChildren watches in the
 * child table; addWatch puts an entry in both.
 *
 * Triggering a path fires its standard and persistent watchers (standard
 * ones are removed) and, walking up the parents, every recursive watcher
 * for any event but NodeChildrenChanged.  A watcher hears an event once
 * even if several of its watches match: each event carries a generation,
 * and a delete's data and child triggers share one (the child table's
 * NodeDeleted is suppressed for watchers the data table already told).
 *
 * The manager knows no network: events go to the deliver callback given at
 * init, with the watcher's own argument (a connection, in zkd).
 */
#ifndef ZK_WATCH_H
#define ZK_WATCH_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

enum watch_table {
	WATCH_DATA = 0,
	WATCH_CHILD = 1
};

enum watch_mode {
	WATCH_STANDARD = 0,
	WATCH_PERSISTENT = 1,
	WATCH_RECURSIVE = 2
};

struct watch_entry;
struct watch_path;

/* Embedded in whatever watches (a connection); init with watch_watcher_init. */
struct watcher {
	LIST_HEAD(, watch_entry) entries[2];
	size_t		 count[2];
	uint64_t	 mark;
	int64_t		 session_id;	/* shown by wchc / wchp */
	void		*arg;
};

struct zk_acl_list;

/*
 * Delivers one event to a watcher; acl is the ACL of the node the event is
 * about (the parent's for NodeChildrenChanged), or NULL when the event needs
 * no check: the receiver must not pass on an event its client may not READ
 * (ZooKeeper 3.8.4, CVE-2024-23944).  Must not change the watch tables.
 */
typedef void (*watch_deliver_fn)(struct watcher *, int32_t, const char *,
    const struct zk_acl_list *);

struct watch_map {
	struct watch_path **buckets;
	size_t		 nbuckets;
	size_t		 npaths;
	size_t		 nentries;
	size_t		 nrecursive;
	size_t		 nwatchers;	/* watchers with an entry here */
};

struct watch_mgr {
	struct watch_map tables[2];
	uint64_t	 gen;
	watch_deliver_fn deliver;
	uint64_t	 fired;		/* events delivered, for metrics */
	uint64_t	 fired_now;	/* in the current trigger */
	/* Watchers told per trigger, by event type 1..4 (mntr). */
	struct summary	 per_type[5];
};

void	 watch_init(struct watch_mgr *, watch_deliver_fn);
void	 watch_free(struct watch_mgr *);
void	 watch_watcher_init(struct watcher *, void *);
int	 watch_add(struct watch_mgr *, enum watch_table, const char *,
	    struct watcher *, enum watch_mode);
uint64_t watch_new_gen(struct watch_mgr *);
void	 watch_trigger(struct watch_mgr *, enum watch_table, const char *,
	    int32_t, uint64_t, const struct zk_acl_list *);
int	 watch_contains(struct watch_mgr *, enum watch_table, const char *,
	    struct watcher *);
int	 watch_remove(struct watch_mgr *, enum watch_table, const char *,
	    struct watcher *);
void	 watch_remove_watcher(struct watch_mgr *, struct watcher *);
size_t	 watch_count(const struct watch_mgr *);

/* For wchs / wchc / wchp (data table only, as ZooKeeper prints). */
void	 watch_summary(const struct watch_mgr *, size_t *, size_t *, size_t *);
void	 watch_foreach_path(struct watch_mgr *, enum watch_table,
	    void (*)(const char *, struct watcher *, void *), void *);
void	 watch_foreach_of_watcher(struct watcher *, enum watch_table,
	    void (*)(const char *, void *), void *);

#endif
