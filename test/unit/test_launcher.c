/* SPDX-License-Identifier: ISC */
/*
 * test_launcher.c: the launcher's pure parts.  inst.c: every (state,
 * event) pair moves where the life cycle says, and exits are classified
 * as the restart policy wants (clean, ours, crash, crash loop, broken).
 * cond.c: wait's words parse or are refused, and each condition holds
 * exactly of the tables it should.
 */
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cond.h"
#include "faults.h"
#include "inst.h"
#include "timeline.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
