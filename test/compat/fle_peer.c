/* SPDX-License-Identifier: ISC */
/*
 * fle_peer.c: one election participant on real sockets: the election
 * core (src/election.c) over the election port's connections
 * (src/qcnx.c), for tests that run several of them, or run them beside
 * Apache ZooKeeper servers, and watch what they decide.
 *
 *   fle_peer -i SID -s SERVERS [-z ZXID] [-e EPOCH] [-v]
 *   SERVERS: sid=host:port[:observer],...   (election ports)
 *
 * Prints "ready" once listening, then one line per decision:
 *   decided STATE leader L round R acks A,B,...
 * and runs until SIGTERM, SIGINT or EOF on standard input.
 */
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "election.h"
#include "jute.h"
#include "log.h"
#include "qcnx.h"
#include "qproto.h"
#include "xmalloc.h"

#define MAXS	ELECTION_MAX_PEERS

static struct election	 el;
static struct qcnx	 qc;
static struct fault	 fault;
static struct event	*timer_ev;
static const char	*config_text = "version=0";

static void
peer_send(void *arg, int64_t to, const struct vote *v)
{
	struct jute_out	 o;

	(void)arg;
	jute_out_init(&o);
	election_put_vote(&o, v, config_text);
	qcnx_send(&qc, to, o.buf, o.len);
	jute_out_free(&o);
}

static void
peer_timer(void *arg, int ms)
{
	struct timeval	 tv;

	(void)arg;
	evtimer_del(timer_ev);
	if (ms <= 0)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(timer_ev, &tv);
}

static void
peer_decided(void *arg, int state, const struct vote *v,
    const int64_t *acks, size_t nacks)
{
	size_t	 i;

	(void)arg;
	printf("decided %s leader %lld round %lld acks ",
	    election_state_name(state), (long long)v->leader,
	    (long long)v->round);
	for (i = 0; i < nacks; i++)
		printf("%s%lld", i ? "," : "", (long long)acks[i]);
	printf("\n");
	fflush(stdout);
}

static void
peer_recv(void *arg, int64_t from, const uint8_t *buf, size_t len)
{
	struct vote	 v;

	(void)arg;
	if (election_get_vote(buf, len, &v) == -1) {
		log_warnx("server %lld sent a malformed notification",
		    (long long)from);
		return;
	}
	election_recv(&el, from, &v);
}

static void
peer_timer_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	election_timeout(&el);
}

static void
peer_quit_cb(int fd, short what, void *arg)
{
	char	 buf[64];

	(void)what;
	if (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		return;
	event_base_loopbreak(arg);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fle_peer -i sid -s sid=host:port[:observer],"
	    "... [-v] [-z zxid] [-e epoch]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	struct qcnx_peer_addr	 addrs[MAXS];
	int64_t			 voters[MAXS], sid = 0, zxid = 0, epoch = 0;
	struct election_config	 c;
	struct election_io	 io;
	struct event_base	*base;
	struct event		*sig1, *sig2, *in_ev;
	char			*servers = NULL, *tok, *save, *host, *p, *cause;
	size_t			 n = 0, nv = 0;
	int			 ch, observer = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "e:i:s:vz:")) != -1) {
		switch (ch) {
		case 'e':
			epoch = strtoll(optarg, NULL, 0);
			break;
		case 'i':
			sid = strtoll(optarg, NULL, 0);
			break;
		case 's':
			servers = xstrdup(optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'z':
			zxid = strtoll(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (sid <= 0 || servers == NULL)
		usage();
	log_init(1, 0);
	log_procinit("fle_peer");
	log_setverbose(verbose);
	for (tok = strtok_r(servers, ",", &save); tok != NULL && n < MAXS;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((p = strchr(tok, '=')) == NULL)
			usage();
		*p++ = '\0';
		addrs[n].sid = strtoll(tok, NULL, 10);
		host = p;
		if ((p = strchr(host, ':')) == NULL)
			usage();
		*p++ = '\0';
		addrs[n].host = host;
		addrs[n].port = (int)strtol(p, &p, 10);
		if (strcmp(p, ":observer") == 0) {
			if (addrs[n].sid == sid)
				observer = 1;
		} else {
			voters[nv++] = addrs[n].sid;
		}
		n++;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	/* No rules: the fault layer passes every byte. */
	fault_init(&fault, base, NULL, 0);
	if (qcnx_open(&qc, base, &fault, sid, addrs, n, peer_recv, NULL,
	    &cause) == -1)
		fatalx("%s", cause);
	memset(&c, 0, sizeof(c));
	c.sid = sid;
	c.participant = !observer;
	c.voters = voters;
	c.nvoters = nv;
	io.arg = NULL;
	io.send = peer_send;
	io.timer = peer_timer;
	io.decided = peer_decided;
	timer_ev = evtimer_new(base, peer_timer_cb, NULL);
	if (election_init(&el, &c, &io, zxid, epoch, &cause) == -1)
		fatalx("%s", cause);
	sig1 = evsignal_new(base, SIGTERM, peer_quit_cb, base);
	sig2 = evsignal_new(base, SIGINT, peer_quit_cb, base);
	in_ev = event_new(base, 0, EV_READ | EV_PERSIST, peer_quit_cb, base);
	evsignal_add(sig1, NULL);
	evsignal_add(sig2, NULL);
	event_add(in_ev, NULL);
	printf("ready\n");
	fflush(stdout);
	election_look(&el, zxid, epoch);
	event_base_dispatch(base);
	event_free(sig1);
	event_free(sig2);
	event_free(in_ev);
	event_free(timer_ev);
	qcnx_close(&qc);
	event_base_free(base);
	free(servers);
	return 0;
}
