/* SPDX-License-Identifier: ISC */
/*
 * datadir.c: listing, small files and purging of the data directory
 * (storage layer).
 *
 * Purging follows ZooKeeper's PurgeTxnLog: keep the newest N snapshots;
 * keep every log that may hold a txn after the oldest kept snapshot (the
 * logs named above its zxid, and the newest log named at or below it,
 * which may run past it); remove the rest.  Recovery never needs what is
 * removed.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

static int
datadir_file_cmp(const void *a, const void *b)
{
	const struct datadir_file *x = a, *y = b;

	return x->zxid < y->zxid ? -1 : x->zxid > y->zxid;
}

/*
 * Lists dir's files named prefix.<hex zxid> (ZooKeeper ignores other
 * suffixes than a compression one; temporaries end in .tmp and are
 * skipped), sorted by zxid.  Returns 0, or -1 with errno.
 */
int
datadir_list(const char *dir, const char *prefix, struct datadir_list *l)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 plen = strlen(prefix);
	char		*end;
	unsigned long long v;

	l->v = NULL;
	l->n = 0;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    de->d_name[plen] != '.' || de->d_name[plen + 1] == '\0')
			continue;
		errno = 0;
		v = strtoull(de->d_name + plen + 1, &end, 16);
		if (errno != 0 || *end != '\0')
			continue;
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n].zxid = (int64_t)v;
		xasprintf(&l->v[l->n].path, "%s/%s", dir, de->d_name);
		l->n++;
	}
	closedir(d);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), datadir_file_cmp);
	return 0;
}

void
datadir_list_free(struct datadir_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * Reads dir/name holding a decimal epoch (acceptedEpoch, currentEpoch).
 * Returns 0 (with *epoch -1 if the file is absent), or -1 if it holds
 * anything else.
 */
int
datadir_read_epoch(const char *dir, const char *name, int64_t *epoch)
{
	char		 path[PATH_MAX], buf[64], *end;
	FILE		*f;
	long long	 v;

	*epoch = -1;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -1;
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n') ||
	    v < 0)
		return -1;
	*epoch = v;
	return 0;
}

/* Writes an epoch file atomically (temp, fsync, rename, dir fsync). */
int
datadir_write_epoch(const char *dir, const char *name, int64_t epoch)
{
	char	 path[PATH_MAX], buf[32];
	int	 n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%lld", (long long)epoch);
	return util_write_atomic(path, buf, (size_t)n);
}

/* Removes what a killed snapshot writer left (*.tmp). */
void
datadir_remove_temps(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len;
	char		 path[PATH_MAX];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".tmp") != 0 ||
		    strncmp(de->d_name, "snapshot.", 9) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path) && unlink(path) == 0)
			log_info("removed %s, left by an interrupted snapshot",
			    path);
	}
	closedir(d);
}

/*
 * Purges old snapshots and logs, keeping the newest keep snapshots (at
 * least 3, as ZooKeeper insists).  Returns the number of files removed,
 * or -1 with *cause.
 */
int
datadir_purge(const char *snapdir, const char *logdir, int keep, char **cause)
{
	struct datadir_list	 snaps, logs;
	int64_t			 least;
	size_t			 i, newest_below = (size_t)-1;
	int			 removed = 0;

	if (keep < 3)
		keep = 3;
	if (datadir_list(snapdir, "snapshot", &snaps) == -1 ||
	    datadir_list(logdir, "log", &logs) == -1) {
		xasprintf(cause, "purge: %s", strerror(errno));
		return -1;
	}
	if (snaps.n <= (size_t)keep)
		goto done;
	least = snaps.v[snaps.n - (size_t)keep].zxid;
	for (i = 0; i < logs.n; i++)
		if (logs.v[i].zxid <= least)
			newest_below = i;
	for (i = 0; i < logs.n; i++) {
		if (logs.v[i].zxid > least || i == newest_below)
			continue;
		if (unlink(logs.v[i].path) == 0) {
			log_info("purged %s", logs.v[i].path);
			removed++;
		}
	}
	for (i = 0; i + (size_t)keep < snaps.n; i++)
		if (unlink(snaps.v[i].path) == 0) {
			log_info("purged %s", snaps.v[i].path);
			removed++;
		}
done:
	datadir_list_free(&snaps);
	datadir_list_free(&logs);
	return removed;
}
