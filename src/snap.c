/* SPDX-License-Identifier: ISC */
/*
 * snap.c: writing and reading snapshots (storage layer).  See snap.h.
 *
 * The writer streams through a buffer, keeping an Adler32 of every byte,
 * so a tree of millions of nodes needs no second copy in memory.  It is
 * meant to run in a forked child: it touches only the tree and sessions
 * it is given and its own file.  The reader checks the seal (checksum and
 * the trailing "/"), rebuilds the tree node by node under parents that
 * must already be there, and refuses anything inconsistent: a missing
 * parent, an ACL number with no entry, a node twice.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include "acl.h"
#include "log.h"
#include "session.h"
#include "snap.h"
#include "tree.h"
#include "util.h"
#include "xmalloc.h"

#define SNAP_CHUNK	(1 << 20)

struct snap_writer {
	int		 fd;
	struct jute_out	 out;
	uint32_t	 sum;
	int		 failed;
};

static void
snap_drain(struct snap_writer *w)
{
	const uint8_t	*p = w->out.buf;
	size_t		 left = w->out.len;
	ssize_t		 n;

	if (left == 0 || w->failed)
		return;
	w->sum = util_adler32(w->sum, p, left);
	while (left > 0) {
		if ((n = write(w->fd, p, left)) == -1) {
			if (errno == EINTR)
				continue;
			w->failed = errno;
			return;
		}
		p += n;
		left -= (size_t)n;
	}
	jute_out_reset(&w->out);
}

static void
snap_maybe_drain(struct snap_writer *w)
{
	if (w->out.len >= SNAP_CHUNK)
		snap_drain(w);
}

static void
snap_seal(struct snap_writer *w)
{
	snap_drain(w);
	jute_put_long(&w->out, (int64_t)w->sum);
	jute_put_string(&w->out, "/");
	snap_drain(w);
}

static void
snap_put_acl(int64_t index, const struct zk_acl_list *l, void *arg)
{
	struct snap_writer	*w = arg;

	jute_put_long(&w->out, index);
	proto_put_acl_list(&w->out, l);
	snap_maybe_drain(w);
}

static void
snap_put_node(struct snap_writer *w, const struct tree_node *n,
    const char *path)
{
	jute_put_string(&w->out, path);
	if (n->null_data)
		jute_put_int(&w->out, -1);
	else
		jute_put_buffer(&w->out, n->data != NULL ? n->data :
		    (const uint8_t *)"", n->data_len);
	jute_put_long(&w->out, n->acl);
	jute_put_long(&w->out, n->czxid);
	jute_put_long(&w->out, n->mzxid);
	jute_put_long(&w->out, n->ctime);
	jute_put_long(&w->out, n->mtime);
	jute_put_int(&w->out, n->version);
	jute_put_int(&w->out, n->cversion);
	jute_put_int(&w->out, n->aversion);
	jute_put_long(&w->out, n->ephemeral_owner);
	jute_put_long(&w->out, n->pzxid);
	snap_maybe_drain(w);
}

/*
 * Writes a snapshot of the tree and sessions to fd (at its offset).
 * Returns 0, or an errno.
 */
int
snap_write_fd(int fd, struct tree *t, struct session_table *st)
{
	struct snap_writer	 w;
	struct tree_node	*n;
	struct session		*s;

	memset(&w, 0, sizeof(w));
	jute_out_init(&w.out);
	w.sum = 1;
	w.fd = fd;
	jute_put_int(&w.out, SNAP_MAGIC);
	jute_put_int(&w.out, SNAP_VERSION);
	jute_put_long(&w.out, -1);
	jute_put_int(&w.out, st != NULL ? (int32_t)st->count : 0);
	if (st != NULL)
		SESSION_FOREACH(s, st) {
			jute_put_long(&w.out, s->id);
			jute_put_int(&w.out, s->timeout);
		}
	jute_put_int(&w.out, (int32_t)acl_cache_count(t->acls));
	acl_cache_foreach(t->acls, snap_put_acl, &w);
	/* The root is "" here; its alias "/" ends the list. */
	snap_put_node(&w, t->root, "");
	for (n = tree_walk_next(t->root, t->root); n != NULL;
	    n = tree_walk_next(t->root, n))
		snap_put_node(&w, n, n->path);
	jute_put_string(&w.out, "/");
	snap_seal(&w);
	jute_out_free(&w.out);
	return w.failed;
}

/* Opens dir/snapshot.<zxid>.tmp for writing; fills path and tmp. */
static int
snap_open_tmp(const char *dir, int64_t zxid, char *path, char *tmp,
    char **cause)
{
	int	 fd;

	if (snprintf(path, PATH_MAX, "%s/snapshot.%llx", dir,
	    (unsigned long long)zxid) >= PATH_MAX) {
		xasprintf(cause, "%s: path too long", dir);
		return -1;
	}
	snprintf(tmp, PATH_MAX + 8, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
	return fd;
}

/*
 * Ends a snapshot written to tmp (failed: an errno, or 0): synced unless
 * !sync, closed, renamed to path, the directory synced.  Returns 0, or
 * -1 with *cause and tmp removed.
 */
static int
snap_close_tmp(int fd, int failed, const char *dir, const char *path,
    const char *tmp, int sync, char **cause)
{
	if (!failed && sync && fsync(fd) == -1)
		failed = errno;
	if (close(fd) == -1 && !failed)
		failed = errno;
	if (!failed && rename(tmp, path) == -1)
		failed = errno;
	if (!failed && sync && util_fsync_dir(dir) == -1)
		failed = errno;
	if (failed) {
		unlink(tmp);
		xasprintf(cause, "%s: %s", path, strerror(failed));
		return -1;
	}
	return 0;
}

/*
 * Puts the bytes of a snapshot (a whole one, from snap_write_fd) in
 * place as dir/snapshot.<zxid>, as snap_write does.  Returns 0, or -1
 * with *cause.
 */
int
snap_install(const char *dir, int64_t zxid, const uint8_t *buf, size_t len,
    int sync, char **cause)
{
	char	 path[PATH_MAX], tmp[PATH_MAX + 8];
	int	 fd, failed = 0;
	ssize_t	 n;
	size_t	 off = 0;

	if ((fd = snap_open_tmp(dir, zxid, path, tmp, cause)) == -1)
		return -1;
	while (off < len && !failed) {
		if ((n = write(fd, buf + off, len - off)) == -1) {
			if (errno != EINTR)
				failed = errno;
			continue;
		}
		off += (size_t)n;
	}
	return snap_close_tmp(fd, failed, dir, path, tmp, sync, cause);
}

/*
 * Writes a snapshot of the tree and sessions as dir/snapshot.<zxid>, via
 * a temporary file, synced (unless !sync), renamed, directory synced.
 * Returns 0, or -1 with *cause.
 */
int
snap_write(const char *dir, int64_t zxid, struct tree *t,
    struct session_table *st, int sync, char **cause)
{
	char	 path[PATH_MAX], tmp[PATH_MAX + 8];
	int	 fd;

	if ((fd = snap_open_tmp(dir, zxid, path, tmp, cause)) == -1)
		return -1;
	return snap_close_tmp(fd, snap_write_fd(fd, t, st), dir, path, tmp,
	    sync, cause);
}

static int
snap_fail(char **cause, const char *path, const char *why, size_t off)
{
	xasprintf(cause, "%s: %s at offset %zu", path, why, off);
	return -1;
}

/* The checksum and "/" that seal what comes before them. */
static int
snap_check_seal(const uint8_t *base, struct jute_in *in)
{
	uint32_t	 sum;
	int64_t		 val;
	char		*slash = NULL;
	int		 ok;

	sum = util_adler32(1, base, in->off);
	jute_get_long(in, &val);
	jute_get_string(in, &slash);
	ok = !in->err && slash != NULL && strcmp(slash, "/") == 0 &&
	    (uint64_t)val == sum;
	free(slash);
	return ok ? 0 : -1;
}

/*
 * Reads a snapshot into a new tree (extended: TTL nodes understood),
 * handing each session to fn.  max bounds every length.  Returns 0, or -1
 * with *cause naming the file and the offset of the problem.
 */
int
snap_read(const char *path, size_t max, int extended, struct tree **out,
    void (*fn)(void *, int64_t, int32_t), void *arg, char **cause)
{
	struct jute_in	 in;
	struct stat	 sb;
	struct tree	*t = NULL;
	struct zk_acl_list acl;
	struct tree_node load;
	uint8_t		*base;
	const uint8_t	*data;
	char		*npath = NULL;
	int64_t		 id, index;
	int32_t		 count, to, i, magic, version, dlen;
	int		 fd, rv = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (sb.st_size < 16) {
		close(fd);
		return snap_fail(cause, path, "file too short", 0);
	}
	base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	jute_in_init(&in, base, (size_t)sb.st_size, max);
	jute_get_int(&in, &magic);
	jute_get_int(&in, &version);
	jute_get_long(&in, &id);
	if (in.err || magic != SNAP_MAGIC) {
		snap_fail(cause, path, "not a snapshot (bad magic)", 0);
		goto done;
	}
	if (jute_get_count(&in, &count) == -1) {
		snap_fail(cause, path, "bad session count", in.off);
		goto done;
	}
	for (i = 0; i < count; i++) {
		jute_get_long(&in, &id);
		jute_get_int(&in, &to);
		if (in.err) {
			snap_fail(cause, path, "sessions cut short", in.off);
			goto done;
		}
		if (fn != NULL)
			fn(arg, id, to);
	}
	t = tree_new_empty(extended);
	if (jute_get_count(&in, &count) == -1) {
		snap_fail(cause, path, "bad ACL count", in.off);
		goto done;
	}
	for (i = 0; i < count; i++) {
		jute_get_long(&in, &index);
		if (proto_decode_acl_list(&in, &acl) == -1) {
			snap_fail(cause, path, "ACLs cut short", in.off);
			goto done;
		}
		if (acl_cache_put(t->acls, index, &acl) == -1) {
			proto_acl_list_free(&acl);
			snap_fail(cause, path, "an ACL number twice", in.off);
			goto done;
		}
		proto_acl_list_free(&acl);
	}
	for (;;) {
		free(npath);
		npath = NULL;
		if (jute_get_string(&in, &npath) == -1 || npath == NULL) {
			snap_fail(cause, path, "nodes cut short", in.off);
			goto done;
		}
		if (strcmp(npath, "/") == 0)
			break;
		memset(&load, 0, sizeof(load));
		jute_get_buffer(&in, &data, &dlen);
		jute_get_long(&in, &load.acl);
		jute_get_long(&in, &load.czxid);
		jute_get_long(&in, &load.mzxid);
		jute_get_long(&in, &load.ctime);
		jute_get_long(&in, &load.mtime);
		jute_get_int(&in, &load.version);
		jute_get_int(&in, &load.cversion);
		jute_get_int(&in, &load.aversion);
		jute_get_long(&in, &load.ephemeral_owner);
		jute_get_long(&in, &load.pzxid);
		if (in.err) {
			snap_fail(cause, path, "node cut short", in.off);
			goto done;
		}
		load.data = (uint8_t *)data;
		load.data_len = dlen;
		if (tree_load_node(t, npath, &load) == -1) {
			xasprintf(cause, "%s: node %s has no parent, is there "
			    "twice, or names an unknown ACL (offset %zu)", path,
			    npath, in.off);
			goto done;
		}
	}
	if (snap_check_seal(base, &in) == -1) {
		snap_fail(cause, path, "checksum does not match", in.off);
		goto done;
	}
	if (tree_load_end(t) == -1) {
		snap_fail(cause, path, "no root node", in.off);
		goto done;
	}
	rv = 0;
done:
	free(npath);
	munmap(base, (size_t)sb.st_size);
	if (rv == 0)
		*out = t;
	else
		tree_free(t);
	return rv;
}
