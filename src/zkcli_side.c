/* SPDX-License-Identifier: ISC */
/*
 * zkcli_side.c: zkcli's side door to the server, for getEphemerals (103),
 * getAllChildrenNumber (104) and whoAmI (107).
 *
 * Why it exists: the C client library of ZooKeeper 3.8 has no call for
 * these three requests (nor for addWatch or multiRead), yet their answers
 * belong to a session: the ephemerals listed are the session's own, and
 * whoAmI names the identities the session has added.  So zkcli opens a
 * second TCP connection to the server the C client is connected to and
 * joins the very same session: its ConnectRequest carries the session id
 * and password the C client holds (zoo_client_id).  ZooKeeper keeps
 * authentication per connection, not per session, so the credentials
 * given to addauth are replayed first; then one request, one reply, and
 * the socket is closed -- never with closeSession, which would end the
 * shared session.  A server lets one connection hold a session: joining
 * it closes the C client's connection, which reconnects by itself
 * (zkcli_reclaim_session waits for that).  Should the C client come back
 * before our reply, ours is the connection closed, and the exchange is
 * tried again.
 *
 * Records are written and read with the project's own codec (jute.h,
 * proto.h), the same code the server decodes with; this file includes
 * nothing of the C client's (its proto.h would clash with ours).
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jute.h"
#include "proto.h"
#include "xmalloc.h"
#include "zkcli.h"

#define SIDE_TRIES	5
#define SIDE_MAXFRAME	(64 << 20)	/* a reply as large as a server sends */
#define SIDE_XID	1

struct side_reply {
	uint8_t		*frame;
	size_t		 len;
	struct jute_in	 in;		/* positioned after the reply header */
};

static int	 zkcli_side_send(int, struct jute_out *);
static int	 zkcli_side_recv(int, uint8_t **, size_t *);
static int	 zkcli_side_open(const struct zkcli_side *, int *);
static int	 zkcli_side_header(int, int32_t, struct side_reply *);
static int	 zkcli_side_exchange(const struct zkcli_side *, int32_t,
		    const char *, struct side_reply *);
static int	 zkcli_side_call(const struct zkcli_side *, int32_t,
		    const char *, struct side_reply *);

/* Writes the whole buffer; returns ZERR_OK or ZERR_CONNECTIONLOSS. */
static int
zkcli_side_send(int fd, struct jute_out *out)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < out->len) {
		n = send(fd, out->buf + off, out->len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return ZERR_CONNECTIONLOSS;
		off += (size_t)n;
	}
	jute_out_reset(out);
	return ZERR_OK;
}

/* Reads one length-prefixed frame; the caller frees *buf. */
static int
zkcli_side_recv(int fd, uint8_t **buf, size_t *len)
{
	uint8_t		 hdr[4], *p;
	size_t		 want, off;
	uint32_t	 n;
	ssize_t		 r;

	*buf = NULL;
	for (p = hdr, want = sizeof(hdr), off = 0; off < want; ) {
		r = recv(fd, p + off, want - off, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			goto lost;
		off += (size_t)r;
		if (p == hdr && off == want) {
			n = jute_be32(hdr);
			if (n > SIDE_MAXFRAME)
				return ZERR_MARSHALLINGERROR;
			p = *buf = xmalloc(n > 0 ? n : 1);
			want = n;
			off = 0;
		}
	}
	*len = want;
	return ZERR_OK;
lost:
	free(*buf);
	*buf = NULL;
	return ZERR_CONNECTIONLOSS;
}

/*
 * Connects to the C client's server, joins its session and replays the
 * credentials.  Returns ZERR_OK with *fdp, or the error.
 */
static int
zkcli_side_open(const struct zkcli_side *s, int *fdp)
{
	struct jute_out	 out;
	struct jute_in	 in;
	struct timeval	 tv;
	struct side_reply rep;
	const uint8_t	*pw;
	uint8_t		*frame;
	size_t		 len, at, i;
	int64_t		 sid;
	int32_t		 version, timeout, pwlen;
	int		 fd, err;

	*fdp = -1;
	fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return ZERR_SYSTEMERROR;
	tv.tv_sec = s->timeout_ms / 1000;
	tv.tv_usec = (s->timeout_ms % 1000) * 1000;
	/* On Linux the send timeout bounds connect(2) too. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&s->addr, s->addrlen) == -1) {
		close(fd);
		return ZERR_CONNECTIONLOSS;
	}

	/* ConnectRequest: the C client's session, its password. */
	jute_out_init(&out);
	at = jute_put_frame_start(&out);
	jute_put_int(&out, 0);				/* protocolVersion */
	jute_put_long(&out, 0);				/* lastZxidSeen */
	jute_put_int(&out, s->timeout_ms);
	jute_put_long(&out, s->session_id);
	jute_put_buffer(&out, s->passwd, sizeof(s->passwd));
	jute_put_bool(&out, 0);				/* readOnly */
	jute_put_frame_end(&out, at);
	if ((err = zkcli_side_send(fd, &out)) != ZERR_OK)
		goto fail;
	if ((err = zkcli_side_recv(fd, &frame, &len)) != ZERR_OK)
		goto fail;
	jute_in_init(&in, frame, len, SIDE_MAXFRAME);
	jute_get_int(&in, &version);
	jute_get_int(&in, &timeout);
	jute_get_long(&in, &sid);
	jute_get_buffer(&in, &pw, &pwlen);
	free(frame);
	if (in.err) {
		err = ZERR_MARSHALLINGERROR;
		goto fail;
	}
	/* An expired or unknown session is answered with a zero timeout. */
	if (timeout <= 0 || sid != s->session_id) {
		err = ZERR_SESSIONEXPIRED;
		goto fail;
	}

	/* The credentials, as the C client sends them (xid -4). */
	for (i = 0; i < s->nauths; i++) {
		at = jute_put_frame_start(&out);
		jute_put_int(&out, ZXID_AUTH);
		jute_put_int(&out, ZOP_AUTH);
		jute_put_int(&out, 0);			/* type */
		jute_put_string(&out, s->auths[i].scheme);
		jute_put_buffer(&out, s->auths[i].cred,
		    (int32_t)s->auths[i].len);
		jute_put_frame_end(&out, at);
		if ((err = zkcli_side_send(fd, &out)) != ZERR_OK)
			goto fail;
		if ((err = zkcli_side_header(fd, ZXID_AUTH, &rep)) != ZERR_OK)
			goto fail;
		free(rep.frame);
	}
	jute_out_free(&out);
	*fdp = fd;
	return ZERR_OK;
fail:
	jute_out_free(&out);
	close(fd);
	return err;
}

/*
 * Reads frames until the reply to xid, skipping watch notifications and
 * pings.  Returns the reply header's error, or ZERR_OK with rep's input
 * positioned at the record (the caller frees rep->frame).
 */
static int
zkcli_side_header(int fd, int32_t xid, struct side_reply *rep)
{
	int64_t	 zxid;
	int32_t	 rxid, err;
	int	 rc;

	for (;;) {
		if ((rc = zkcli_side_recv(fd, &rep->frame, &rep->len)) !=
		    ZERR_OK)
			return rc;
		jute_in_init(&rep->in, rep->frame, rep->len, SIDE_MAXFRAME);
		jute_get_int(&rep->in, &rxid);
		jute_get_long(&rep->in, &zxid);
		jute_get_int(&rep->in, &err);
		if (rep->in.err) {
			free(rep->frame);
			return ZERR_MARSHALLINGERROR;
		}
		if (rxid == xid)
			break;
		free(rep->frame);
	}
	if (err != ZERR_OK) {
		free(rep->frame);
		rep->frame = NULL;
	}
	return err;
}

/* One request (path: its only string field, or NULL) and its reply. */
static int
zkcli_side_exchange(const struct zkcli_side *s, int32_t op, const char *path,
    struct side_reply *rep)
{
	struct jute_out	 out;
	size_t		 at;
	int		 fd, err;

	if ((err = zkcli_side_open(s, &fd)) != ZERR_OK)
		return err;
	jute_out_init(&out);
	at = jute_put_frame_start(&out);
	jute_put_int(&out, SIDE_XID);
	jute_put_int(&out, op);
	if (path != NULL)
		jute_put_string(&out, path);
	jute_put_frame_end(&out, at);
	err = zkcli_side_send(fd, &out);
	jute_out_free(&out);
	if (err == ZERR_OK)
		err = zkcli_side_header(fd, SIDE_XID, rep);
	close(fd);
	return err;
}

/* The exchange, tried again while the connection is lost under it. */
static int
zkcli_side_call(const struct zkcli_side *s, int32_t op, const char *path,
    struct side_reply *rep)
{
	int	 i, err = ZERR_CONNECTIONLOSS;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < SIDE_TRIES && err == ZERR_CONNECTIONLOSS; i++)
		err = zkcli_side_exchange(s, op, path, rep);
	return err;
}

/*
 * getEphemerals: the session's ephemeral paths starting with prefix.
 * Returns a ZooKeeper error code; on success *paths (n of them, each and
 * the array the caller's) holds them in the server's order.
 */
int
zkcli_side_ephemerals(const struct zkcli_side *s, const char *prefix,
    char ***paths, int *n)
{
	struct side_reply	 rep;
	int32_t			 count, i;
	int			 err;

	*paths = NULL;
	*n = 0;
	if ((err = zkcli_side_call(s, ZOP_GETEPHEMERALS, prefix, &rep)) !=
	    ZERR_OK)
		return err;
	if (jute_get_count(&rep.in, &count) == -1) {
		free(rep.frame);
		return ZERR_MARSHALLINGERROR;
	}
	*paths = xcalloc((size_t)count + 1, sizeof(**paths));
	for (i = 0; i < count; i++)
		if (jute_get_string(&rep.in, &(*paths)[i]) == -1 ||
		    (*paths)[i] == NULL)
			break;
	free(rep.frame);
	if (i < count) {
		while (i >= 0)
			free((*paths)[i--]);
		free(*paths);
		*paths = NULL;
		return ZERR_MARSHALLINGERROR;
	}
	*n = count;
	return ZERR_OK;
}

/* getAllChildrenNumber: how many nodes are below path, in *n. */
int
zkcli_side_count(const struct zkcli_side *s, const char *path, int32_t *n)
{
	struct side_reply	 rep;
	int			 err;

	if ((err = zkcli_side_call(s, ZOP_GETALLCHILDRENNUMBER, path, &rep)) !=
	    ZERR_OK)
		return err;
	err = jute_get_int(&rep.in, n) == -1 ? ZERR_MARSHALLINGERROR : ZERR_OK;
	free(rep.frame);
	return err;
}

/*
 * whoAmI: the identities (scheme, user) the session's connection holds.
 * On success *ids (n of them, the caller's to free) lists them.
 */
int
zkcli_side_whoami(const struct zkcli_side *s, struct zkcli_ident **ids,
    int *n)
{
	struct side_reply	 rep;
	struct zkcli_ident	*v;
	int32_t			 count, i;
	int			 err;

	*ids = NULL;
	*n = 0;
	if ((err = zkcli_side_call(s, ZOP_WHOAMI, NULL, &rep)) != ZERR_OK)
		return err;
	if (jute_get_count(&rep.in, &count) == -1) {
		free(rep.frame);
		return ZERR_MARSHALLINGERROR;
	}
	v = xcalloc((size_t)count + 1, sizeof(*v));
	for (i = 0; i < count; i++) {
		jute_get_string(&rep.in, &v[i].scheme);
		jute_get_string(&rep.in, &v[i].user);
		if (rep.in.err)
			break;
		if (v[i].scheme == NULL)
			v[i].scheme = xstrdup("");
		if (v[i].user == NULL)
			v[i].user = xstrdup("");
	}
	free(rep.frame);
	if (i < count) {
		for (; i >= 0; i--) {
			free(v[i].scheme);
			free(v[i].user);
		}
		free(v);
		return ZERR_MARSHALLINGERROR;
	}
	*ids = v;
	*n = count;
	return ZERR_OK;
}
