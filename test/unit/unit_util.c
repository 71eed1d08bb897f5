/* SPDX-License-Identifier: ISC */
/*
 * unit_util.c: helpers shared by the unit tests (see unit_util.h).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto.h"
#include "tree.h"
#include "txn.h"
#include "txnlog.h"
#include "unit_util.h"
#include "xmalloc.h"

/* Makes a fresh directory name.XXXXXX under $TMPDIR (or /tmp) in dir. */
int
unit_tmpdir(char *dir, size_t size, const char *name)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/%s.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name);
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
unit_rm_cb(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
unit_rmtree(const char *dir)
{
	return nftw(dir, unit_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

uint64_t
unit_rng_next(struct unit_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint32_t
unit_rng_below(struct unit_rng *r, uint32_t n)
{
	return (uint32_t)(unit_rng_next(r) >> 33) % n;
}

/* The whole file, NUL-terminated one byte past *len. */
uint8_t *
unit_slurp(const char *path, size_t *len)
{
	struct stat	 sb;
	uint8_t		*buf;
	int		 fd;

	assert_int_not_equal(fd = open(path, O_RDONLY), -1);
	assert_int_equal(fstat(fd, &sb), 0);
	*len = (size_t)sb.st_size;
	buf = xmalloc(*len + 1);
	assert_int_equal(read(fd, buf, *len), (ssize_t)*len);
	buf[*len] = '\0';
	close(fd);
	return buf;
}

void
unit_spit(const char *path, const uint8_t *buf, size_t len)
{
	int	 fd;

	assert_int_not_equal(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0644), -1);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

off_t
unit_file_size(const char *path)
{
	struct stat	 sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* Changes one byte of a file (x is not 0, so it does change). */
void
unit_xor_byte(const char *path, off_t off, uint8_t x)
{
	uint8_t	 b;
	int	 fd;

	assert_int_not_equal(fd = open(path, O_RDWR), -1);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= x;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

/* Every persisted stat field, and the child count. */
void
unit_same_stat(const struct tree_node *a, const struct tree_node *b)
{
	assert_true(a->czxid == b->czxid);
	assert_true(a->mzxid == b->mzxid);
	assert_true(a->ctime == b->ctime);
	assert_true(a->mtime == b->mtime);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->cversion, b->cversion);
	assert_int_equal(a->aversion, b->aversion);
	assert_true(a->ephemeral_owner == b->ephemeral_owner);
	assert_true(a->pzxid == b->pzxid);
	assert_int_equal(a->nchildren, b->nchildren);
}

/* Appends n setData txns, zxids from zxid on. */
void
unit_append_setdata(struct txnlog *l, int64_t zxid, int n)
{
	struct txn	*t;
	int		 i;

	for (i = 0; i < n; i++) {
		t = txn_new(0x42, i, zxid + i, 1000 + i, ZOP_SETDATA);
		t->op.path = xstrdup("/a/somewhat/longer/path/for/the/entry");
		t->op.data = (uint8_t *)xstrdup("0123456789");
		t->op.data_len = 10;
		t->op.version = i;
		txnlog_append(l, t);
		txn_free(t);
	}
}
