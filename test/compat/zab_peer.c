/* SPDX-License-Identifier: ISC */
/*
 * zab_peer.c: one ensemble member on real sockets (src/quorum.c: the
 * election and ZAB cores over the election and quorum ports) with a
 * small durable store of its own: a log file of (zxid, length, bytes)
 * records synced with fdatasync, and the epoch files of a data dir.  For
 * tests that run several, kill them and start them again.
 *
 *   zab_peer -i SID -d DIR -s SERVERS [-t TICK] [-v]
 *   SERVERS: sid=host:quorumport:electionport[:observer],...
 *
 * Standard input takes commands: "w VALUE" proposes VALUE (leader in
 * broadcast only, else "notleader"), "d" dumps the applied log.  Standard
 * output tells: "state STATE leader L phase PHASE epoch E", "commit ZXID
 * VALUE" for each txn committed, "log ZXID VALUE" lines then "end" for a
 * dump.  EOF on standard input or SIGTERM ends it.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "datadir.h"
#include "jute.h"
#include "log.h"
#include "quorum.h"
#include "snapwire.h"
#include "xmalloc.h"

struct entry {
	int64_t		 zxid;
	uint8_t		*data;
	size_t		 len;
	off_t		 off;		/* where its record starts */
};

static struct {
	char		 dir[1024];
	int		 fd;
	struct entry	*v;
	size_t		 n, cap, applied, zcommitted;
	off_t		 end;
} st;

static struct quorum	 q;

static void
st_push(int64_t zxid, const uint8_t *data, size_t len, off_t off)
{
	if (st.n == st.cap) {
		st.cap = st.cap ? st.cap * 2 : 256;
		st.v = xreallocarray(st.v, st.cap, sizeof(*st.v));
	}
	st.v[st.n].zxid = zxid;
	st.v[st.n].data = xmemdup(data, len + 1);
	st.v[st.n].len = len;
	st.v[st.n].off = off;
	st.n++;
}

/* Reads the log back; a torn last record is cut off. */
static void
st_load(void)
{
	char		 path[1100];
	uint8_t		 hdr[12], *buf;
	int64_t		 zxid;
	uint32_t	 len;
	off_t		 off = 0;

	snprintf(path, sizeof(path), "%s/log", st.dir);
	if ((st.fd = open(path, O_RDWR | O_CREAT, 0644)) == -1)
		fatal("%s", path);
	for (;;) {
		if (pread(st.fd, hdr, 12, off) != 12)
			break;
		zxid = (int64_t)jute_be64(hdr);
		len = jute_be32(hdr + 8);
		if (len > (1 << 20))
			break;
		buf = xmalloc(len + 1);
		if (pread(st.fd, buf, len, off + 12) != (ssize_t)len) {
			free(buf);
			break;
		}
		st_push(zxid, buf, len, off);
		free(buf);
		off += 12 + (off_t)len;
	}
	if (ftruncate(st.fd, off) == -1 || fdatasync(st.fd) == -1)
		fatal("%s", path);
	st.end = off;
	st.applied = st.n;	/* a restart replays its log */
}

static int64_t
s_last_logged(void *arg)
{
	(void)arg;
	return st.n > 0 ? st.v[st.n - 1].zxid : 0;
}

static int64_t
s_last_committed(void *arg)
{
	(void)arg;
	return st.applied > 0 ? st.v[st.applied - 1].zxid : 0;
}

static int64_t
s_epoch(const char *name)
{
	int64_t	 v;

	if (datadir_read_epoch(st.dir, name, &v) == -1)
		fatal("%s/%s", st.dir, name);
	return v < 0 ? 0 : v;
}

static int64_t
s_accepted(void *arg)
{
	(void)arg;
	return s_epoch("acceptedEpoch");
}

static int64_t
s_current(void *arg)
{
	(void)arg;
	return s_epoch("currentEpoch");
}

static void
s_set_accepted(void *arg, int64_t e)
{
	(void)arg;
	if (datadir_write_epoch(st.dir, "acceptedEpoch", e) == -1)
		fatal("acceptedEpoch");
}

static void
s_set_current(void *arg, int64_t e)
{
	(void)arg;
	if (datadir_write_epoch(st.dir, "currentEpoch", e) == -1)
		fatal("currentEpoch");
}

static int
s_append(void *arg, int64_t zxid, const uint8_t *data, size_t len)
{
	uint8_t	 hdr[12];
	int	 i;

	(void)arg;
	for (i = 0; i < 8; i++)
		hdr[i] = (uint8_t)((uint64_t)zxid >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		hdr[8 + i] = (uint8_t)((uint32_t)len >> (24 - 8 * i));
	if (pwrite(st.fd, hdr, 12, st.end) != 12 ||
	    pwrite(st.fd, data, len, st.end + 12) != (ssize_t)len)
		fatal("log write");
	st_push(zxid, data, len, st.end);
	st.end += 12 + (off_t)len;
	return 0;
}

static void
s_sync(void *arg)
{
	(void)arg;
	if (fdatasync(st.fd) == -1)
		fatal("log sync");
}

static void
s_commit(void *arg, int64_t zxid)
{
	size_t	 i;

	(void)arg;
	for (i = st.zcommitted; i < st.n && st.v[i].zxid <= zxid; i++)
		printf("commit 0x%llx %.*s\n", (long long)st.v[i].zxid,
		    (int)st.v[i].len, st.v[i].data);
	if (i > st.zcommitted)
		st.zcommitted = i;
	if (i > st.applied)
		st.applied = i;
	fflush(stdout);
}

static void
s_truncate(void *arg, int64_t zxid)
{
	(void)arg;
	while (st.n > 0 && st.v[st.n - 1].zxid > zxid) {
		st.end = st.v[st.n - 1].off;
		free(st.v[--st.n].data);
	}
	if (ftruncate(st.fd, st.end) == -1 || fdatasync(st.fd) == -1)
		fatal("log truncate");
	if (st.applied > st.n)
		st.applied = st.n;
	if (st.zcommitted > st.n)
		fatalx("truncated below what was committed");
}

static int
s_read(void *arg, int64_t after, void (*fn)(void *, int64_t, const uint8_t *,
    size_t), void *farg)
{
	size_t	 i;

	(void)arg;
	for (i = 0; i < st.n; i++)
		if (st.v[i].zxid > after)
			fn(farg, st.v[i].zxid, st.v[i].data, st.v[i].len);
	return 0;
}

static int64_t
s_oldest(void *arg)
{
	return st.n > 0 ? st.v[0].zxid : s_last_logged(arg) + 1;
}

/*
 * The applied entries as a snapshot file (the quorum port carries only
 * those, snapwire.h): no sessions, no ACLs, one node, the root, whose
 * data is the entries as log records.
 */
static void
s_snapshot(void *arg, uint8_t **buf, size_t *len)
{
	struct jute_out	 rec, o;
	size_t		 i;

	(void)arg;
	jute_out_init(&rec);
	for (i = 0; i < st.applied; i++) {
		jute_put_long(&rec, st.v[i].zxid);
		jute_put_int(&rec, (int32_t)st.v[i].len);
		jute_put_raw(&rec, st.v[i].data, st.v[i].len);
	}
	jute_out_init(&o);
	jute_put_int(&o, 0);			/* sessions */
	jute_put_int(&o, 0);			/* ACLs */
	jute_put_string(&o, "");		/* the root */
	jute_put_buffer(&o, rec.buf != NULL ? rec.buf : (const uint8_t *)"",
	    (int32_t)rec.len);
	for (i = 0; i < 68; i++)		/* acl, StatPersisted */
		jute_put_raw(&o, "", 1);
	jute_put_string(&o, "/");
	*buf = snapwire_file(o.buf, o.len, len);
	jute_out_free(&o);
	jute_out_free(&rec);
}

static int
s_restore(void *arg, const uint8_t *buf, size_t len, int64_t zxid)
{
	struct jute_in	 in;
	const uint8_t	*recs;
	int32_t		 n, rlen;
	size_t		 off = 0;
	char		*root = NULL;

	(void)arg;
	if ((buf = snapwire_body(buf, len, &len)) == NULL)
		return -1;
	jute_in_init(&in, buf, len, len);
	jute_get_int(&in, &n);
	jute_get_int(&in, &n);
	jute_get_string(&in, &root);
	jute_get_buffer(&in, &recs, &rlen);
	free(root);
	if (in.err || rlen < 0)
		return -1;
	while (st.n > 0)
		free(st.v[--st.n].data);
	st.end = 0;
	if (ftruncate(st.fd, 0) == -1)
		fatal("log truncate");
	while (off + 12 <= (size_t)rlen) {
		n = (int32_t)jute_be32(recs + off + 8);
		if (n < 0 || off + 12 + (size_t)n > (size_t)rlen)
			return -1;
		s_append(NULL, (int64_t)jute_be64(recs + off), recs + off + 12,
		    (size_t)n);
		off += 12 + (size_t)n;
	}
	s_sync(NULL);
	st.applied = st.n;
	st.zcommitted = 0;
	return s_last_logged(NULL) == zxid || (st.n == 0 && zxid == 0) ?
	    0 : -1;
}

static void
changed(void *arg, const struct quorum *qq)
{
	(void)arg;
	printf("state %s leader %lld phase %s epoch %lld\n",
	    election_state_name(qq->state), (long long)qq->leader,
	    zab_phase_name(qq->z.phase), (long long)qq->z.epoch);
	fflush(stdout);
}

static void
stdin_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 i, n;

	(void)arg;
	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		if (line[0] == 'w' && line[1] == ' ') {
			if (zab_propose(&q.z, (uint8_t *)line + 2, n - 2) ==
			    -1)
				printf("notleader\n");
		} else if (strcmp(line, "d") == 0) {
			for (i = 0; i < st.applied; i++)
				printf("log 0x%llx %.*s\n",
				    (long long)st.v[i].zxid, (int)st.v[i].len,
				    st.v[i].data);
			printf("end\n");
		}
		free(line);
	}
	fflush(stdout);
	quorum_flush(&q);
}

static void
stdin_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	event_base_loopbreak(arg);
}

static void
quit_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void
usage(void)
{
	fprintf(stderr, "usage: zab_peer -i sid -d dir -s "
	    "sid=host:qport:eport[:observer],... [-t tick] [-v]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	struct quorum_member	 m[ELECTION_MAX_PEERS];
	struct quorum_config	 c;
	struct zab_store	 s;
	struct event_base	*base;
	struct bufferevent	*in;
	struct event		*sig;
	char			*servers = NULL, *tok, *save, *p, *cause;
	int			 ch, verbose = 0, tick = 200;
	int64_t			 sid = 0;
	size_t			 n = 0;

	while ((ch = getopt(argc, argv, "d:i:s:t:v")) != -1) {
		switch (ch) {
		case 'd':
			strlcpy(st.dir, optarg, sizeof(st.dir));
			break;
		case 'i':
			sid = strtoll(optarg, NULL, 10);
			break;
		case 's':
			servers = xstrdup(optarg);
			break;
		case 't':
			tick = atoi(optarg);
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (sid <= 0 || servers == NULL || st.dir[0] == '\0')
		usage();
	log_init(1, 0);
	log_procinit("zab_peer");
	log_setverbose(verbose);
	signal(SIGPIPE, SIG_IGN);
	for (tok = strtok_r(servers, ",", &save); tok != NULL &&
	    n < ELECTION_MAX_PEERS; tok = strtok_r(NULL, ",", &save)) {
		memset(&m[n], 0, sizeof(m[n]));
		if ((p = strchr(tok, '=')) == NULL)
			usage();
		*p++ = '\0';
		m[n].sid = strtoll(tok, NULL, 10);
		m[n].host = p;
		if ((p = strchr(p, ':')) == NULL)
			usage();
		*p++ = '\0';
		m[n].quorum_port = (int)strtol(p, &p, 10);
		if (*p++ != ':')
			usage();
		m[n].election_port = (int)strtol(p, &p, 10);
		m[n].observer = strcmp(p, ":observer") == 0;
		n++;
	}
	mkdir(st.dir, 0755);
	st_load();
	memset(&s, 0, sizeof(s));
	s.last_logged = s_last_logged;
	s.last_committed = s_last_committed;
	s.accepted_epoch = s_accepted;
	s.current_epoch = s_current;
	s.set_accepted_epoch = s_set_accepted;
	s.set_current_epoch = s_set_current;
	s.append = s_append;
	s.sync = s_sync;
	s.commit = s_commit;
	s.truncate = s_truncate;
	s.read = s_read;
	s.oldest = s_oldest;
	s.snapshot = s_snapshot;
	s.restore = s_restore;
	memset(&c, 0, sizeof(c));
	c.sid = sid;
	c.members = m;
	c.nmembers = n;
	c.tick = tick;
	c.init_limit = 10;
	c.sync_limit = 5;
	c.finalize_wait = tick / 4;
	c.min_interval = tick / 4;
	c.max_interval = tick * 4;
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (quorum_open(&q, base, &c, &s, changed, NULL, &cause) == -1)
		fatalx("%s", cause);
	in = bufferevent_socket_new(base, 0, 0);
	bufferevent_setcb(in, stdin_cb, NULL, stdin_event_cb, base);
	bufferevent_enable(in, EV_READ);
	sig = evsignal_new(base, SIGTERM, quit_cb, base);
	evsignal_add(sig, NULL);
	event_base_dispatch(base);
	quorum_close(&q);
	bufferevent_free(in);
	event_free(sig);
	event_base_free(base);
	while (st.n > 0)
		free(st.v[--st.n].data);
	free(st.v);
	free(servers);
	close(st.fd);
	return 0;
}
