/* SPDX-License-Identifier: ISC */
/*
 * test_launcher.c: the launcher's pure parts.  inst.c: every (state,
 * event) pair moves where the life cycle says, and exits are classified
 * as the restart policy wants (clean, ours, crash, crash loop, broken).
 * cond.c: wait's words parse or are refused, and each condition holds
 * exactly of the tables it should.  upconf.c: up's flags and a
 * zkensemble.conf make the same settings, flags over the file, settings
 * over the profile, and bad ones are refused with the reason.
 */
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cond.h"
#include "faults.h"
#include "inst.h"
#include "timeline.h"
#include "upconf.h"

#define EXITED(n)	((n) << 8)
#define SIGNALED(s)	(s)

static void
test_inst_cycle(void **state)
{
	struct inst	 i;

	(void)state;
	memset(&i, 0, sizeof(i));
	assert_int_equal(inst_step(&i, INST_EV_READY), INST_DO_INVALID);
	assert_int_equal(i.state, INST_DOWN);
	assert_int_equal(inst_step(&i, INST_EV_START), INST_DO_SPAWN);
	assert_int_equal(i.state, INST_STARTING);
	assert_true(i.want_up);
	assert_int_equal(inst_step(&i, INST_EV_READY), INST_DO_NOTHING);
	assert_int_equal(i.state, INST_UP);
	assert_int_equal(inst_step(&i, INST_EV_STOP), INST_DO_TERM);
	assert_int_equal(i.state, INST_STOPPING);
	assert_false(i.want_up);
	assert_int_equal(inst_step(&i, INST_EV_TIMER), INST_DO_KILL);
	/* A start while stopping only records the wish. */
	assert_int_equal(inst_step(&i, INST_EV_START), INST_DO_NOTHING);
	assert_int_equal(i.state, INST_STOPPING);
	assert_true(i.want_up);
	assert_int_equal(inst_step(&i, INST_EV_EXITED), INST_DO_DISARM);
	assert_int_equal(i.state, INST_DOWN);
	/* A crash waits in backoff; a stop there ends it. */
	inst_step(&i, INST_EV_START);
	assert_int_equal(inst_step(&i, INST_EV_CRASHED), INST_DO_BACKOFF);
	assert_int_equal(i.state, INST_BACKOFF);
	assert_int_equal(inst_step(&i, INST_EV_EXITED), INST_DO_INVALID);
	assert_int_equal(inst_step(&i, INST_EV_TIMER), INST_DO_SPAWN);
	assert_int_equal(inst_step(&i, INST_EV_BROKEN), INST_DO_NOTHING);
	assert_int_equal(i.state, INST_FAILED);
	assert_int_equal(inst_step(&i, INST_EV_TIMER), INST_DO_NOTHING);
	assert_int_equal(i.state, INST_FAILED);
	i.crashes = 3;
	assert_int_equal(inst_step(&i, INST_EV_START), INST_DO_SPAWN);
	assert_int_equal(i.crashes, 0);
	inst_step(&i, INST_EV_CRASHED);
	assert_int_equal(inst_step(&i, INST_EV_STOP), INST_DO_DISARM);
	assert_int_equal(i.state, INST_DOWN);
}

static void
test_inst_exit_events(void **state)
{
	struct inst_policy never = { 0, 5, 10000 }, on = { 1, 2, 10000 };
	struct inst	 i;

	(void)state;
	memset(&i, 0, sizeof(i));
	i.want_up = 1;
	/* Broken whatever the policy: configuration, data, port. */
	assert_int_equal(inst_exit_event(&i, EXITED(78), &on, 0),
	    INST_EV_BROKEN);
	assert_int_equal(inst_exit_event(&i, EXITED(65), &never, 0),
	    INST_EV_BROKEN);
	assert_int_equal(inst_exit_event(&i, EXITED(69), &on, 0),
	    INST_EV_BROKEN);
	assert_int_equal(i.last_status, EXITED(69));
	/* Clean, or ours: down. */
	assert_int_equal(inst_exit_event(&i, EXITED(0), &on, 0),
	    INST_EV_EXITED);
	i.expected = 1;
	assert_int_equal(inst_exit_event(&i, SIGNALED(9), &on, 0),
	    INST_EV_EXITED);
	i.expected = 0;
	/* A crash: down without the policy, else restarted... */
	assert_int_equal(inst_exit_event(&i, SIGNALED(6), &never, 0),
	    INST_EV_EXITED);
	assert_int_equal(inst_exit_event(&i, SIGNALED(6), &on, 1000),
	    INST_EV_CRASHED);
	assert_int_equal(inst_exit_event(&i, EXITED(1), &on, 2000),
	    INST_EV_CRASHED);
	/* ...until one too many within the window. */
	assert_int_equal(inst_exit_event(&i, SIGNALED(11), &on, 3000),
	    INST_EV_BROKEN);
	/* Past the window the count starts again. */
	i.crashes = 2;
	i.first_crash = 0;
	assert_int_equal(inst_exit_event(&i, SIGNALED(11), &on, 20001),
	    INST_EV_CRASHED);
	assert_int_equal(i.crashes, 1);
	/* Nobody wants it up: no restart. */
	i.want_up = 0;
	assert_int_equal(inst_exit_event(&i, SIGNALED(6), &on, 20002),
	    INST_EV_EXITED);
}

static int
parse(const char *words, struct cond *c, size_t *n)
{
	char	*copy = strdup(words), *argv[32], *cause = NULL;
	int	 argc = 0, rv;

	for (char *p = strtok(copy, " "); p != NULL; p = strtok(NULL, " "))
		argv[argc++] = p;
	rv = cond_parse(argc, argv, c, n, &cause);
	free(cause);
	free(copy);
	return rv;
}

static void
test_cond_parse(void **state)
{
	struct cond	 c[COND_MAX];
	size_t		 n;

	(void)state;
	assert_int_equal(parse("quorum leader serving zxid-converged", c,
	    &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(c[3].kind, COND_ZXID_CONVERGED);
	assert_int_equal(parse("leader-not 3 down 2 1 FOLLOWING 4 paused", c,
	    &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(c[0].kind, COND_LEADER_NOT);
	assert_int_equal(c[0].sid, 3);
	assert_int_equal(c[1].kind, COND_DOWN);
	assert_string_equal(c[2].state, "following");
	assert_string_equal(c[3].state, "paused");
	assert_int_equal(parse("", c, &n), -1);
	assert_int_equal(parse("sideways", c, &n), -1);
	assert_int_equal(parse("leader-not", c, &n), -1);
	assert_int_equal(parse("down x", c, &n), -1);
	assert_int_equal(parse("2", c, &n), -1);
	assert_int_equal(parse("2 asleep", c, &n), -1);
	assert_int_equal(parse("0 up", c, &n), -1);
}

static struct cond_view
srv(int64_t sid, const char *proc, const char *role, const char *phase,
    int64_t leader, int ready)
{
	struct cond_view v;

	memset(&v, 0, sizeof(v));
	v.sid = sid;
	v.proc = proc;
	v.role = role;
	v.phase = phase;
	v.leader = leader;
	v.ready = ready;
	v.zxid = 0x100000005LL;
	return v;
}

static int
holds(const char *words, const struct cond_view *v, size_t n)
{
	struct cond	 c[COND_MAX];
	size_t		 nc;

	assert_int_equal(parse(words, c, &nc), 0);
	return cond_all(c, nc, v, n);
}

static void
test_cond_holds(void **state)
{
	struct cond_view v[4];

	(void)state;
	v[0] = srv(1, "up", "FOLLOWING", "BROADCAST", 3, 1);
	v[1] = srv(2, "up", "FOLLOWING", "BROADCAST", 3, 1);
	v[2] = srv(3, "up", "LEADING", "BROADCAST", 3, 1);
	v[3] = srv(4, "up", "OBSERVING", "BROADCAST", 3, 1);
	v[3].observer = 1;
	assert_true(holds("quorum leader serving zxid-converged", v, 4));
	assert_true(holds("leader-not 1 3 leading 4 observing 1 serving", v,
	    4));
	assert_false(holds("leader-not 3", v, 4));
	assert_false(holds("down 1", v, 4));
	assert_true(cond_leader(v, 4) == 3);
	/* A lagging zxid. */
	v[1].zxid++;
	assert_false(holds("zxid-converged", v, 4));
	/* Two followers gone: no quorum (the observer counts for none). */
	v[0] = srv(1, "down", "", "", 0, 0);
	v[1] = srv(2, "up", "LOOKING", "ELECTION", 0, 0);
	v[1].paused = 1;
	assert_false(holds("quorum", v, 4));
	assert_true(holds("leader down 1 2 paused", v, 4));
	/* A paused server does not count against serving. */
	assert_true(holds("serving", v, 4));
	/* A second leader (an old one, resumed): no leader at all. */
	v[1] = srv(2, "up", "LEADING", "DISCOVERY", 0, 0);
	assert_false(holds("leader", v, 4));
	/* Not ready yet: not serving. */
	v[1] = srv(2, "starting", "FOLLOWING", "SYNCHRONIZATION", 3, 0);
	assert_false(holds("serving", v, 4));
	assert_true(holds("2 starting 2 following", v, 4));
	/* Nobody runs: nothing serves. */
	v[0] = v[1] = v[2] = v[3] = srv(1, "failed", "", "", 0, 0);
	assert_false(holds("serving", v, 4));
	assert_true(holds("1 failed down 1", v, 4));
}

/* The network picture: argument forms, and what each server is told. */
static void
test_faults(void **state)
{
	struct faults	 f;
	struct faults_cmd cmds[8];
	uint8_t		 in[5];
	char		*cause = NULL, pic[256];
	char		 g1[] = "1,2", g2[] = "3", g3[] = "2";
	char		*groups[] = { g1, g2 }, *twice[] = { g1, g3 };
	size_t		 n;

	(void)state;
	faults_init(&f, 5);
	assert_int_equal(faults_parse_set(&f, "all", in, &cause), 5);
	assert_int_equal(faults_parse_set(&f, "2,4,2", in, &cause), 2);
	assert_true(in[1] && in[3] && !in[0]);
	assert_int_equal(faults_parse_set(&f, "6", in, &cause), -1);
	free(cause);
	assert_int_equal(faults_parse_set(&f, "1,", in, &cause), -1);
	free(cause);
	assert_int_equal(faults_parse_set(&f, "", in, &cause), -1);
	free(cause);
	assert_int_equal(faults_parse_set(&f, "0", in, &cause), -1);
	free(cause);
	assert_false(faults_any(&f));
	faults_describe(&f, pic, sizeof(pic));
	assert_string_equal(pic, "none");

	/* isolate 2: both ends of each of its links drop. */
	assert_int_equal(faults_isolate(&f, "2", &cause), 0);
	assert_int_equal(faults_want(&f, 1, 0), FAULTS_DROP);
	assert_int_equal(faults_want(&f, 0, 1), FAULTS_DROP);
	assert_int_equal(faults_want(&f, 0, 2), 0);
	n = faults_diff(&f, 1, cmds, 8);
	assert_int_equal(n, 1);
	assert_string_equal(cmds[0].line, "fault peers=1,3,4,5 action=drop");
	n = faults_diff(&f, 0, cmds, 8);
	assert_int_equal(n, 1);
	assert_string_equal(cmds[0].line, "fault peers=2 action=drop");
	/* Told once: nothing more to say. */
	assert_int_equal(faults_diff(&f, 1, cmds, 8), 0);
	/* A new process was told nothing. */
	faults_forget(&f, 1);
	assert_int_equal(faults_diff(&f, 1, cmds, 8), 1);

	/* partition 1,2 | 3 | the rest (4, 5). */
	assert_int_equal(faults_heal(&f, NULL, &cause), 0);
	n = faults_diff(&f, 1, cmds, 8);
	assert_int_equal(n, 1);
	assert_string_equal(cmds[0].line, "fault peers=1,3,4,5 action=heal");
	assert_int_equal(faults_partition(&f, 2, groups, &cause), 0);
	assert_int_equal(faults_want(&f, 0, 1), 0);
	assert_int_equal(faults_want(&f, 0, 2), FAULTS_DROP);
	assert_int_equal(faults_want(&f, 2, 3), FAULTS_DROP);
	assert_int_equal(faults_want(&f, 3, 4), 0);
	faults_describe(&f, pic, sizeof(pic));
	assert_string_equal(pic, "cut 1-3 1-4 1-5 2-3 2-4 2-5 3-4 3-5");
	assert_int_equal(faults_partition(&f, 2, twice, &cause), -1);
	free(cause);
	assert_int_equal(faults_partition(&f, 0, NULL, &cause), -1);
	free(cause);

	/* delay: one way; heal of one server leaves the rest. */
	assert_int_equal(faults_heal(&f, NULL, &cause), 0);
	assert_int_equal(faults_delay(&f, "1", "2,3", "40", &cause), 0);
	assert_int_equal(faults_want(&f, 0, 1), 40);
	assert_int_equal(faults_want(&f, 1, 0), 0);
	assert_int_equal(faults_isolate(&f, "4", &cause), 0);
	faults_describe(&f, pic, sizeof(pic));
	assert_string_equal(pic,
	    "cut 1-4 2-4 3-4 4-5; delay 1->2 40ms, 1->3 40ms");
	for (n = 0; n < 5; n++)
		faults_forget(&f, n);
	n = faults_diff(&f, 0, cmds, 8);
	assert_int_equal(n, 2);
	assert_string_equal(cmds[0].line,
	    "fault peers=2,3 action=delay ms=40");
	assert_string_equal(cmds[1].line, "fault peers=4 action=drop");
	assert_int_equal(faults_heal(&f, "4", &cause), 0);
	assert_int_equal(faults_want(&f, 0, 3), 0);
	assert_int_equal(faults_want(&f, 0, 1), 40);
	assert_int_equal(faults_delay(&f, "1", "2", "x", &cause), -1);
	free(cause);
	assert_int_equal(faults_delay(&f, "1", "2", "3600001", &cause), -1);
	free(cause);
	/* delay 0 takes a delay away. */
	assert_int_equal(faults_delay(&f, "all", "all", "0", &cause), 0);
	assert_false(faults_any(&f));

	/* elect's fence cuts one server whatever the rest says. */
	f.fenced = 3;
	assert_int_equal(faults_want(&f, 2, 4), FAULTS_DROP);
	assert_int_equal(faults_want(&f, 0, 2), FAULTS_DROP);
	assert_int_equal(faults_want(&f, 0, 1), 0);
	assert_true(faults_any(&f));
	faults_free(&f);
}

/* The timeline: lanes, blips kept, deaths marked, the ruler. */
static void
test_timeline(void **state)
{
	struct timeline	 t;
	char		*pic;
	int		 sid;
	const char	*want =
	    "time      0.0s      1.0s\n"
	    "leader    --3333----5\n"
	    "server 1  .-FFFFFF--F\n"
	    "server 2  .-FFFF-F--F\n"
	    "server 3  .-LLX\n"
	    "server 4  .-FFFFfz~~L\n";

	(void)state;
	assert_int_equal(timeline_role_char("LEADING", 1, 0, 0), 'L');
	assert_int_equal(timeline_role_char("FOLLOWING", 1, 0, 1), 'f');
	assert_int_equal(timeline_role_char("LOOKING", 1, 0, 1), '~');
	assert_int_equal(timeline_role_char("LOOKING", 0, 0, 1), ' ');
	assert_int_equal(timeline_role_char("LEADING", 1, 1, 0), 'z');
	assert_int_equal(timeline_role_char("", 1, 0, 0), '.');
	assert_int_equal(timeline_leader_char(0), '-');
	assert_int_equal(timeline_leader_char(7), '7');
	assert_int_equal(timeline_leader_char(10), 'a');

	timeline_init(&t, 4);
	/* 100 ms columns over 1.1 s; marks come in time order. */
	for (sid = 1; sid <= 4; sid++)
		timeline_set(&t, 0, sid, '.');
	for (sid = 1; sid <= 4; sid++)
		timeline_set(&t, 100, sid, '-');
	for (sid = 1; sid <= 4; sid++)
		timeline_set(&t, 200, sid, sid == 3 ? 'L' : 'F');
	timeline_set(&t, 200, 0, '3');
	timeline_set(&t, 200, 0, '3');		/* no change, no mark */
	timeline_point(&t, 450, 3, TL_DIED);
	timeline_set(&t, 450, 3, ' ');
	timeline_set(&t, 600, 0, '-');
	timeline_set(&t, 600, 4, 'f');
	/* Server 2 looks for 30 ms and comes back: still seen. */
	timeline_set(&t, 610, 2, '-');
	timeline_set(&t, 640, 2, 'F');
	timeline_set(&t, 750, 4, 'z');
	timeline_set(&t, 850, 1, '-');
	timeline_set(&t, 850, 2, '-');
	timeline_set(&t, 850, 4, '~');
	timeline_set(&t, 1000, 0, '5');
	timeline_set(&t, 1000, 1, 'F');
	timeline_set(&t, 1000, 2, 'F');
	timeline_set(&t, 1000, 4, 'L');
	pic = timeline_render(&t, 1100, 11);
	assert_non_null(pic);
	assert_memory_equal(pic, want, strlen(want));
	free(pic);
	timeline_free(&t);
}

/* Applies a flag; returns its error text, or NULL. */
static char *
up_flag(struct upconf *u, int opt, const char *arg)
{
	char	*cause = NULL;

	if (upconf_option(u, opt, arg, &cause) == 0)
		return NULL;
	assert_non_null(cause);
	return cause;
}

static void
up_refused(int opt, const char *arg, const char *why)
{
	struct upconf	 u;
	char		*cause;

	upconf_init(&u);
	cause = up_flag(&u, opt, arg);
	if (cause == NULL || strstr(cause, why) == NULL)
		fail_msg("%c %s: %s, not \"%s\"", opt, arg,
		    cause ? cause : "accepted", why);
	free(cause);
	upconf_free(&u);
}

static void
test_upconf_flags(void **state)
{
	struct sup_config	 c;
	struct upconf		 u;
	char			*cause = NULL;

	(void)state;
	upconf_init(&u);
	assert_int_equal(upconf_finish(&u, &cause), 0);
	upconf_ports(&u, u.base);
	memset(&c, 0, sizeof(c));
	upconf_config(&u, &c);
	/* The built-in defaults. */
	assert_int_equal(c.nservers, 3);
	assert_int_equal(c.nobservers, 0);
	assert_string_equal(c.profile.name, "fast");
	assert_int_equal(c.profile.tick, 100);
	assert_int_equal(c.srv[0].client_port, 2181);
	assert_int_equal(c.srv[2].quorum_port, 2883);
	assert_int_equal(c.srv[2].election_port, 3883);
	assert_null(c.zoo);
	assert_int_equal(c.policy.on_crash, 0);
	assert_int_equal(c.kill_ms, 2000);
	upconf_free(&u);

	/* Settings replace the profile's timings, before or after -P. */
	upconf_init(&u);
	assert_null(up_flag(&u, 'c', "tickTime=250"));
	assert_null(up_flag(&u, 'P', "zookeeper"));
	assert_null(up_flag(&u, 'c', "fastleader.finalizeWait=70"));
	assert_null(up_flag(&u, 'c', "maxClientCnxns=5"));
	assert_null(up_flag(&u, 'c', "maxClientCnxns=6"));
	assert_null(up_flag(&u, 'c', "2:clientPort=4000"));
	assert_null(up_flag(&u, 'c', "2:zkd=/opt/zkd"));
	assert_null(up_flag(&u, 'c', "2:tickTime=300"));
	assert_null(up_flag(&u, 'n', "5"));
	assert_null(up_flag(&u, 'o', "1"));
	assert_null(up_flag(&u, 'r', "on-crash"));
	assert_null(up_flag(&u, UP_OPT_STOPPED, NULL));
	assert_null(up_flag(&u, UP_OPT_KILL_AFTER, "500"));
	assert_int_equal(upconf_finish(&u, &cause), 0);
	upconf_ports(&u, 3000);
	memset(&c, 0, sizeof(c));
	upconf_config(&u, &c);
	assert_string_equal(c.profile.name, "zookeeper");
	assert_int_equal(c.profile.tick, 250);
	assert_int_equal(c.profile.finalize_wait, 70);
	assert_int_equal(c.profile.sync_limit, 5);
	/* The last of a key wins; one server's lines are its own. */
	assert_string_equal(c.zoo, "maxClientCnxns=6\n");
	assert_string_equal(c.srv[1].zoo, "tickTime=300\n");
	assert_null(c.srv[0].zoo);
	assert_string_equal(c.srv[1].zkd, "/opt/zkd");
	assert_null(c.srv[0].zkd);
	assert_int_equal(c.srv[1].client_port, 4000);
	assert_int_equal(c.srv[0].client_port, 3001);
	assert_int_equal(c.srv[5].election_port, 4706);
	assert_int_equal(c.nservers + c.nobservers, 6);
	assert_int_equal(c.policy.on_crash, 1);
	assert_int_equal(c.stopped, 1);
	assert_int_equal(c.kill_ms, 500);
	upconf_free(&u);

	/* A server beyond the ensemble is known only at the end. */
	upconf_init(&u);
	assert_null(up_flag(&u, 'c', "4:maxClientCnxns=1"));
	assert_int_equal(upconf_finish(&u, &cause), -1);
	assert_non_null(strstr(cause, "no server 4"));
	free(cause);
	upconf_free(&u);

	up_refused('n', "0", "servers 0");
	up_refused('n', "100", "servers 100");
	up_refused('o', "x", "observers x");
	up_refused('p', "70000", "ports 70000");
	up_refused('P', "slow", "fast or zookeeper");
	up_refused('r', "always", "never or on-crash");
	up_refused('t', "0", "timeout 0");
	up_refused('t', "3s", "timeout 3s");
	up_refused('k', "maybe", "true or false");
	up_refused('c', "nokey", "[ID:]KEY=VALUE");
	up_refused('c', "=1", "[ID:]KEY=VALUE");
	up_refused('c', "a b=1", "no spaces");
	up_refused('c', "foo=1", "zkd knows no setting foo");
	up_refused('c', "tickTime=fast", "not a number");
	up_refused('c', "maxClientCnxns=-5", "=-5: not a number");
	up_refused('c', "dataDir=/tmp", "sets each server's dataDir");
	up_refused('c', "2:myid=7", "sets each server's myid");
	up_refused('c', "server.4=127.0.0.1:1:2", "members come from -n");
	up_refused('c', "clientPort=3000", "belongs to one server");
	up_refused('c', "1:clientPort=0", "clientPort 0");
	up_refused('c', "0:maxClientCnxns=1", "server id is too small");
	up_refused('c', "1:zkd=", "a path is needed");
}

/* Writes a zkensemble.conf; returns its path (static). */
static const char *
up_file(const char *text)
{
	static char	 path[] = "/tmp/test_upconf.XXXXXX";
	FILE		*f;
	int		 fd;

	strlcpy(path, "/tmp/test_upconf.XXXXXX", sizeof(path));
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
test_upconf_file(void **state)
{
	struct sup_config	 c;
	struct upconf		 u;
	const char		*path;
	char			*cause = NULL;

	(void)state;
	upconf_init(&u);
	path = up_file(
	    "servers = 4;\nobservers = 2;\nports = 5000;\n"
	    "profile = \"zookeeper\";\nrestart = \"on-crash\";\n"
	    "timeout = 2.5;\nkeep = true;\nstopped = true;\n"
	    "zkd = \"/x/zkd\";\nbackoff = 7;\ncrashLimit = 2;\n"
	    "crashWindow = 900;\nkillAfter = 300;\n"
	    "settings = [ \"maxClientCnxns=9\", \"initLimit=4\" ];\n"
	    "server = ( { id = 6; clientPort = 5100; quorumPort = 5101;\n"
	    "  electionPort = 5102; zkd = \"/y/zkd\";\n"
	    "  settings = [ \"forceSync=no\" ]; } );\n");
	assert_int_equal(upconf_file(&u, path, &cause), 0);
	unlink(path);
	/* The flags typed come after the file and win. */
	assert_null(up_flag(&u, 'n', "5"));
	assert_null(up_flag(&u, 'c', "initLimit=6"));
	assert_int_equal(upconf_finish(&u, &cause), 0);
	upconf_ports(&u, u.base);
	memset(&c, 0, sizeof(c));
	upconf_config(&u, &c);
	assert_int_equal(c.nservers, 5);
	assert_int_equal(c.nobservers, 2);
	assert_int_equal(c.srv[0].client_port, 5001);
	assert_int_equal(c.srv[5].client_port, 5100);
	assert_int_equal(c.srv[5].quorum_port, 5101);
	assert_int_equal(c.srv[5].election_port, 5102);
	assert_string_equal(c.srv[5].zkd, "/y/zkd");
	assert_string_equal(c.srv[5].zoo, "forceSync=no\n");
	assert_string_equal(u.zkd, "/x/zkd");
	assert_string_equal(c.profile.name, "zookeeper");
	assert_int_equal(c.profile.init_limit, 6);
	assert_string_equal(c.zoo, "maxClientCnxns=9\n");
	assert_int_equal(c.policy.on_crash, 1);
	assert_int_equal(c.policy.loop_limit, 2);
	assert_int_equal(c.policy.loop_window, 900);
	assert_int_equal(c.backoff_ms, 7);
	assert_int_equal(c.kill_ms, 300);
	assert_int_equal(c.keep, 1);
	assert_int_equal(c.stopped, 1);
	assert_true(u.secs == 2.5);
	upconf_free(&u);
}

static void
up_file_refused(const char *text, const char *why)
{
	struct upconf	 u;
	const char	*path;
	char		*cause = NULL;

	upconf_init(&u);
	path = up_file(text);
	if (upconf_file(&u, path, &cause) == 0 || strstr(cause, why) == NULL)
		fail_msg("%s: %s, not \"%s\"", text,
		    cause ? cause : "accepted", why);
	unlink(path);
	free(cause);
	upconf_free(&u);
}

static void
test_upconf_file_refused(void **state)
{
	(void)state;
	up_file_refused("servers = 3;\nobservers = = 1;\n",
	    ":2: syntax error");
	up_file_refused("servers = 3;\nserver = 2;\n",
	    ":2: server: a list of groups");
	up_file_refused("nodes = 3;\n", ":1: nodes: unknown setting");
	up_file_refused("servers = \"many\";\n", "servers many");
	up_file_refused("profile = 3;\n", "profile 3");
	up_file_refused("keep = 1;\n", "keep: true or false, not 1");
	up_file_refused("settings = [ 1 ];\n", "\"KEY=VALUE\" string");
	up_file_refused("settings = \"a=1\";\n", "a list of");
	up_file_refused("settings = [ \"nosuch=1\" ];\n",
	    "zkd knows no setting nosuch");
	up_file_refused("server = ( { zkd = \"/z\"; } );\n",
	    "an id from 1 to 99");
	up_file_refused("server = ( { id = 2; color = 1; } );\n",
	    "color: unknown server setting");
	up_file_refused("server = ( { id = 2; clientPort = 99999; } );\n",
	    "clientPort 99999");
	up_file_refused("server = ( { id = 2; settings = [ \"dataDir=/\" ]; "
	    "} );\n", "sets each server's dataDir");
	up_file_refused("servers = ( 1 );\n", "a number, a string or a "
	    "boolean");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inst_cycle),
		cmocka_unit_test(test_inst_exit_events),
		cmocka_unit_test(test_cond_parse),
		cmocka_unit_test(test_cond_holds),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_upconf_flags),
		cmocka_unit_test(test_upconf_file),
		cmocka_unit_test(test_upconf_file_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
