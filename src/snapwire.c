/* SPDX-License-Identifier: ISC */
/*
 * snapwire.c: a snapshot on the quorum port (see snapwire.h).
 *
 * The leader's side is a cut: a snapshot file (snap_write_fd's bytes)
 * less its 16-byte FileHeader and its 13-byte seal is the body ZooKeeper
 * sends.  The learner's side puts them back (snapwire_file), so the body
 * arrives as a file the storage layer reads and installs like any other.
 *
 * In between, the learner must find where the body ends in a stream that
 * arrives in pieces of any size.  snapwire_scan walks the body's grammar
 * one item at a time (a session, an ACL entry, one ACL, a node) over
 * whatever has arrived, and keeps its place (stage, counts left, offset)
 * when an item is not all there yet: the next call starts at that item
 * again.  Looking at an item costs a few length fields whatever its size,
 * so a body is scanned in time linear in its size however it is chunked.
 * Every length is bounded (max), so a peer cannot make us wait for, or
 * hold, more than it could send in one packet per item.
 */
#include <stdlib.h>
#include <string.h>

#include "jute.h"
#include "snap.h"
#include "snapwire.h"
#include "util.h"
#include "xmalloc.h"

#define SNAPWIRE_HEADER	16	/* int magic, int version, long dbid */
#define SNAPWIRE_SEAL	13	/* long checksum, ustring "/" */
#define SNAPWIRE_STAT	68	/* long acl, StatPersisted */

enum {
	SW_SESSIONS_COUNT,
	SW_SESSIONS,
	SW_ACLS_COUNT,
	SW_ACL_ENTRY,
	SW_ACL,
	SW_NODE_PATH,
	SW_NODE,
	SW_SIGNATURE,
	SW_DONE,
};

/*
 * A snapshot file's body, or NULL if buf is not a file as snap_write_fd
 * writes it (a header with the magic, a seal at the end).
 */
const uint8_t *
snapwire_body(const uint8_t *buf, size_t len, size_t *body_len)
{
	const uint8_t	*seal;

	if (len < SNAPWIRE_HEADER + SNAPWIRE_SEAL ||
	    jute_be32(buf) != SNAP_MAGIC)
		return NULL;
	seal = buf + len - SNAPWIRE_SEAL;
	if (jute_be32(seal + 8) != 1 || seal[12] != '/')
		return NULL;
	*body_len = len - SNAPWIRE_HEADER - SNAPWIRE_SEAL;
	return buf + SNAPWIRE_HEADER;
}

/* The body's bytes as a whole snapshot file: header, body, seal. */
uint8_t *
snapwire_file(const uint8_t *body, size_t body_len, size_t *len)
{
	struct jute_out	 o;
	uint32_t	 sum;

	jute_out_init(&o);
	jute_put_int(&o, SNAP_MAGIC);
	jute_put_int(&o, SNAP_VERSION);
	jute_put_long(&o, -1);
	jute_put_raw(&o, body, body_len);
	sum = util_adler32(1, o.buf, o.len);
	jute_put_long(&o, (int64_t)sum);
	jute_put_string(&o, "/");
	*len = o.len;
	return o.buf;
}

void
snapwire_scan_init(struct snapwire_scan *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->stage = SW_SESSIONS_COUNT;
	s->max = max;
}

/*
 * A length field at off: 1 with *n (-1 only if null_ok), 0 if not all
 * there, -1 if out of bounds.
 */
static int
sw_len(const struct snapwire_scan *s, const uint8_t *buf, size_t len,
    size_t off, int null_ok, int32_t *n)
{
	if (len < off || len - off < 4)
		return 0;
	*n = (int32_t)jute_be32(buf + off);
	if ((*n == -1 && null_ok) || (*n >= 0 && (size_t)*n <= s->max))
		return 1;
	return -1;
}

/*
 * An item of fixed bytes after a length field (a string or buffer) at
 * off: 1 with *end just past it, 0 if not all there, -1 if malformed.
 */
static int
sw_lenbytes(const struct snapwire_scan *s, const uint8_t *buf, size_t len,
    size_t off, size_t after, int null_ok, size_t *end)
{
	int32_t	 n;
	int	 rv;

	if ((rv = sw_len(s, buf, len, off, null_ok, &n)) != 1)
		return rv;
	*end = off + 4 + (n > 0 ? (size_t)n : 0) + after;
	return *end <= len ? 1 : 0;
}

/* One ACL: int perms, ustring scheme, ustring id. */
static int
sw_acl(const struct snapwire_scan *s, const uint8_t *buf, size_t len,
    size_t *end)
{
	size_t	 mid;
	int	 rv;

	if ((rv = sw_lenbytes(s, buf, len, s->off + 4, 0, 0, &mid)) != 1)
		return rv;
	return sw_lenbytes(s, buf, len, mid, 0, 0, end);
}

/*
 * Scans on from where the last call stopped over buf[0..len) (the
 * stream from the body's first byte; the same bytes again, and maybe
 * more).  Returns 1 when the body and its signature are in (body_len and
 * off tell where each ends), 0 if more is needed, -1 if what came cannot
 * be a body or the signature is wrong.
 */
int
snapwire_scan(struct snapwire_scan *s, const uint8_t *buf, size_t len)
{
	const size_t	 siglen = sizeof(SNAPWIRE_SIGNATURE) - 1;
	size_t		 end;
	int32_t		 n;
	int		 rv;

	for (;;) {
		switch (s->stage) {
		case SW_SESSIONS_COUNT:
		case SW_ACLS_COUNT:
			if ((rv = sw_len(s, buf, len, s->off, 0, &n)) != 1)
				return rv;
			s->off += 4;
			s->left = n;
			s->stage = s->stage == SW_SESSIONS_COUNT ?
			    SW_SESSIONS : SW_ACL_ENTRY;
			break;
		case SW_SESSIONS:
			/* long id, int timeout */
			if (s->left == 0) {
				s->stage = SW_ACLS_COUNT;
				break;
			}
			if (len - s->off < 12)
				return 0;
			s->off += 12;
			s->left--;
			break;
		case SW_ACL_ENTRY:
			/* long number, vector<ACL> */
			if (s->left == 0) {
				s->stage = SW_NODE_PATH;
				break;
			}
			if ((rv = sw_len(s, buf, len, s->off + 8, 0, &n)) != 1)
				return rv;
			s->off += 12;
			s->items = n;
			s->stage = SW_ACL;
			break;
		case SW_ACL:
			if (s->items == 0) {
				s->left--;
				s->stage = SW_ACL_ENTRY;
				break;
			}
			if ((rv = sw_acl(s, buf, len, &end)) != 1)
				return rv;
			s->off = end;
			s->items--;
			break;
		case SW_NODE_PATH:
			if ((rv = sw_lenbytes(s, buf, len, s->off, 0, 0,
			    &end)) != 1)
				return rv;
			if (end - s->off == 5 && buf[s->off + 4] == '/') {
				s->body_len = end;
				s->stage = SW_SIGNATURE;
			} else {
				s->stage = SW_NODE;
			}
			s->off = end;
			break;
		case SW_NODE:
			/* buffer data, then fixed fields */
			if ((rv = sw_lenbytes(s, buf, len, s->off,
			    SNAPWIRE_STAT, 1, &end)) != 1)
				return rv;
			s->off = end;
			s->stage = SW_NODE_PATH;
			break;
		case SW_SIGNATURE:
			if ((rv = sw_lenbytes(s, buf, len, s->off, 0, 0,
			    &end)) != 1)
				return rv;
			if (end - s->off - 4 != siglen || memcmp(buf + s->off +
			    4, SNAPWIRE_SIGNATURE, siglen) != 0)
				return -1;
			s->off = end;
			s->stage = SW_DONE;
			return 1;
		default:
			return 1;
		}
	}
}
