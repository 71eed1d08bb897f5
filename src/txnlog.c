/* SPDX-License-Identifier: ISC */
/*
 * txnlog.c: writing and reading FileTxnLog files (storage layer).
 *
 * Writing: entries are serialised into one buffer per loop turn; the flush
 * makes room first (fallocate in preAllocSize steps, as FilePadding does,
 * when fewer than 4 KiB remain), writes the buffer with pwrite, then
 * fdatasync.  The preallocated tail is zeros, which readers take as the
 * end.  Every error of write or sync is fatal: a server that cannot be
 * sure its log holds what it acknowledged must stop.
 *
 * Reading: the file is mapped and walked entry by entry.  Each entry is
 * checked for a sane length, a matching Adler32 and its end-of-record
 * byte.  Where reading stops on something that is not padding, the scan
 * also looks further for any valid entry: if there is one the damage is in
 * the middle of the log (fatal for recovery), otherwise it is a torn tail
 * that recovery truncates.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgsync.h"
#include "log.h"
#include "qproto.h"
#include "txn.h"
#include "txnlog.h"
#include "util.h"
#include "xmalloc.h"

#define TXNLOG_HEADER_LEN	16
#define TXNLOG_SLACK		4096

/* Sets up a log over dir with no file open yet. */
void
txnlog_init(struct txnlog *l, const char *dir, int64_t prealloc,
    int force_sync)
{
	memset(l, 0, sizeof(*l));
	strlcpy(l->dir, dir, sizeof(l->dir));
	l->fd = -1;
	l->prealloc = prealloc;
	l->force_sync = force_sync;
	jute_out_init(&l->buf);
	jute_out_init(&l->entry);
}

static void
txnlog_create(struct txnlog *l, int64_t zxid)
{
	if (snprintf(l->path, sizeof(l->path), "%s/log.%llx", l->dir,
	    (unsigned long long)zxid) >= (int)sizeof(l->path))
		fatalx("log path too long in %s", l->dir);
	l->fd = open(l->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (l->fd == -1)
		fatal("cannot create transaction log %s", l->path);
	l->pos = 0;
	l->alloc = 0;
	l->dir_synced = 0;
	l->txns_in_file = 0;
	jute_put_int(&l->buf, TXNLOG_MAGIC);
	jute_put_int(&l->buf, TXNLOG_VERSION);
	jute_put_long(&l->buf, 0);
	log_debug("creating new log file %s", l->path);
}

/*
 * Buffers one txn as a log entry, opening a new file named after it if
 * none is open.  Zxids must only grow: anything else is a broken invariant.
 */
void
txnlog_append(struct txnlog *l, const struct txn *t)
{
	uint32_t	 sum;

	if (t->zxid <= l->last_zxid)
		fatalx("txn log: zxid 0x%llx after 0x%llx",
		    (unsigned long long)t->zxid,
		    (unsigned long long)l->last_zxid);
	l->last_zxid = t->zxid;
	if (l->fd == -1)
		txnlog_create(l, t->zxid);
	jute_out_reset(&l->entry);
	qproto_put_txn(&l->entry, t);
	sum = util_adler32(1, l->entry.buf, l->entry.len);
	jute_put_long(&l->buf, (int64_t)sum);
	jute_put_buffer(&l->buf, l->entry.buf, (int32_t)l->entry.len);
	jute_put_raw(&l->buf, "\x42", 1);
	l->txns_in_file++;
}

/* FilePadding.calculateFileSizeWithPadding: the size to preallocate to. */
static off_t
txnlog_padded(off_t position, off_t size, int64_t prealloc)
{
	if (prealloc > 0 && position + TXNLOG_SLACK >= size) {
		if (position > size) {
			size = position + prealloc;
			size -= size % prealloc;
		} else
			size += prealloc;
	}
	return size;
}

static void
txnlog_preallocate(struct txnlog *l, off_t end)
{
	off_t	 want = txnlog_padded(end, l->alloc, l->prealloc);
	int	 rv;

	if (want <= l->alloc)
		return;
	if ((rv = posix_fallocate(l->fd, 0, want)) != 0) {
		/* A file system without fallocate: a sparse file will do. */
		if (rv != EOPNOTSUPP && rv != EINVAL) {
			errno = rv;
			fatal("cannot preallocate %s", l->path);
		}
		if (ftruncate(l->fd, want) == -1)
			fatal("cannot extend %s", l->path);
	}
	l->alloc = want;
}

/* Writes what was appended (making room first); fatal on failure. */
static void
txnlog_write(struct txnlog *l)
{
	const uint8_t	*p = l->buf.buf;
	size_t		 left = l->buf.len;
	ssize_t		 n;

	if (left == 0)
		return;
	txnlog_preallocate(l, l->pos + (off_t)left);
	while (left > 0) {
		if ((n = pwrite(l->fd, p, left, l->pos)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("write to transaction log %s failed", l->path);
		}
		p += n;
		left -= (size_t)n;
		l->pos += n;
	}
	jute_out_reset(&l->buf);
}

/*
 * Writes and syncs everything appended; fatal on any failure.  A sync
 * running in the background is waited for first (its result stays for
 * bgsync_take).
 */
void
txnlog_flush(struct txnlog *l)
{
	int64_t		 t0;

	if (l->bg != NULL)
		bgsync_wait(l->bg);
	if (l->buf.len == 0)
		return;
	txnlog_write(l);
	if (!l->force_sync)
		return;
	t0 = util_now_ms();
	if (fdatasync(l->fd) == -1)
		fatal("fsync of transaction log %s failed", l->path);
	if (!l->dir_synced) {
		if (util_fsync_dir(l->dir) == -1)
			fatal("fsync of directory %s failed", l->dir);
		l->dir_synced = 1;
	}
	if (l->fsync_time != NULL)
		summary_add(l->fsync_time, util_now_ms() - t0);
}

/*
 * Makes everything appended durable: writes it, then hands the sync to
 * the background (returns 1; bgsync_take tells when it is done), or, with
 * no background set, no fsync wanted or a new file whose directory entry
 * is not yet durable, syncs here (returns 0: done).  The caller starts no
 * other until the last was taken.
 */
int
txnlog_sync_begin(struct txnlog *l)
{
	if (l->bg == NULL || !l->force_sync || !l->dir_synced ||
	    l->fd == -1) {
		txnlog_flush(l);
		return 0;
	}
	txnlog_write(l);
	bgsync_start(l->bg, l->fd, l->path);
	return 1;
}

/* Closes the current file after flushing it; the next append starts anew. */
void
txnlog_roll(struct txnlog *l)
{
	txnlog_flush(l);
	if (l->fd != -1) {
		close(l->fd);
		l->fd = -1;
		l->path[0] = '\0';
	}
}

void
txnlog_close(struct txnlog *l)
{
	txnlog_roll(l);
	jute_out_free(&l->buf);
	jute_out_free(&l->entry);
}

/*
 * Whether a valid entry starts at off: sane length, matching checksum,
 * end-of-record byte, and a txn that decodes.  Fills *len with its size.
 */
static int
txnlog_entry_at(const uint8_t *base, size_t size, size_t off, size_t max,
    size_t *len, struct txn **out)
{
	uint32_t	 sum;
	int32_t		 n;

	if (size - off < 12)
		return 0;
	sum = (uint32_t)jute_be64(base + off);
	n = (int32_t)jute_be32(base + off + 8);
	if (n <= 0 || (size_t)n > max || size - off - 12 < (size_t)n + 1)
		return 0;
	if (base[off + 12 + (size_t)n] != TXNLOG_EOR)
		return 0;
	if (jute_be64(base + off) >> 32 != 0 ||
	    util_adler32(1, base + off + 12, (size_t)n) != sum)
		return 0;
	if (qproto_get_txn(base + off + 12, (size_t)n, max, out) == -1)
		return 0;
	*len = 12 + (size_t)n + 1;
	return 1;
}

/*
 * Whether any valid entry with a zxid above after_zxid starts beyond off.
 * Every entry starts with four zero bytes (the checksum's high half) and a
 * positive length that fits: cheap tests that skip most offsets.
 */
static int
txnlog_valid_after(const uint8_t *base, size_t size, size_t off, size_t max,
    int64_t after_zxid)
{
	struct txn	*t;
	size_t		 len;
	uint32_t	 n;
	int		 found = 0;

	for (off++; off + 13 <= size && !found; off++) {
		if (jute_be32(base + off) != 0)
			continue;
		n = jute_be32(base + off + 8);
		if (n == 0 || n > max || n > size - off - 13)
			continue;
		if (txnlog_entry_at(base, size, off, max, &len, &t)) {
			found = t->zxid > after_zxid;
			txn_free(t);
		}
	}
	return found;
}

static int
txnlog_zeros(const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*
 * Reads one log file, calling fn for each txn (fn owns it; a non-zero
 * return stops the reading).  max bounds entry sizes.  Returns 0 with
 * *scan describing what was found (including where a bad spot is), or -1
 * if the file cannot be read or its header is not a log's (scan->why).
 */
int
txnlog_read(const char *path, size_t max, txnlog_fn fn, void *arg,
    struct txnlog_scan *scan)
{
	struct stat	 st;
	struct txn	*t;
	uint8_t		*base = NULL;
	size_t		 size, off, len;
	int		 fd, rv = 0;

	memset(scan, 0, sizeof(*scan));
	scan->first_zxid = scan->last_zxid = -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(scan->why, sizeof(scan->why), "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	size = (size_t)st.st_size;
	if (size > 0) {
		base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (base == MAP_FAILED) {
			snprintf(scan->why, sizeof(scan->why), "%s",
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	if (size < TXNLOG_HEADER_LEN) {
		/* A header cut short: the file never got an entry. */
		scan->bad = size > 0;
		scan->bad_off = 0;
		snprintf(scan->why, sizeof(scan->why), "file header cut short");
		goto done;
	}
	if (jute_be32(base) != TXNLOG_MAGIC && txnlog_zeros(base,
	    TXNLOG_HEADER_LEN)) {
		/* Preallocated, then the writer died before its first write. */
		scan->bad = 1;
		scan->bad_off = 0;
		snprintf(scan->why, sizeof(scan->why),
		    "file header never written");
		scan->later_valid = txnlog_valid_after(base, size, 0, max, -1);
		goto done;
	}
	if (jute_be32(base) != TXNLOG_MAGIC) {
		snprintf(scan->why, sizeof(scan->why),
		    "not a transaction log (bad magic)");
		rv = -1;
		goto done;
	}
	scan->good_end = TXNLOG_HEADER_LEN;
	for (off = TXNLOG_HEADER_LEN; off < size;) {
		if (size - off >= 12 && jute_be64(base + off) == 0 &&
		    jute_be32(base + off + 8) == 0)
			break;		/* padding: the end */
		if (!txnlog_entry_at(base, size, off, max, &len, &t)) {
			scan->bad = 1;
			scan->bad_off = (off_t)off;
			snprintf(scan->why, sizeof(scan->why),
			    "bad entry (short, bad length or checksum)");
			scan->later_valid = txnlog_valid_after(base, size, off,
			    max, scan->last_zxid);
			break;
		}
		if (scan->first_zxid == -1)
			scan->first_zxid = t->zxid;
		scan->last_zxid = t->zxid;
		scan->count++;
		off += len;
		scan->good_end = (off_t)off;
		if (fn(arg, t) != 0)
			break;
	}
done:
	if (base != NULL)
		munmap(base, size);
	return rv;
}

/* Cuts a log file at off and syncs it (a torn tail's repair). */
int
txnlog_truncate(const char *path, off_t off)
{
	int	 fd, rv;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	rv = ftruncate(fd, off) == -1 || fsync(fd) == -1 ? -1 : 0;
	close(fd);
	return rv;
}
