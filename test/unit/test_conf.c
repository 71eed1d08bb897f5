/* SPDX-License-Identifier: ISC */
/*
 * test_conf.c: reading settings.  zoo.cfg as java.util.Properties reads it
 * (separators, comments, continuation lines) with QuorumPeerConfig's
 * checks; zkd.conf through libconfig with errors naming file, line and
 * setting; the defaults conf_finish derives; the four-letter-word
 * whitelist.  Test files go to a fresh temporary directory.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "conf.h"

static char	 dir[256];

static int	 setup(void **);
static int	 teardown(void **);
static const char *write_file(const char *, const char *);
static int	 load_zoo(struct zkd_conf *, const char *, char **);
static int	 load_zkd(struct zkd_conf *, const char *, char **);
static void	 expect_cause(const char *, const char *, int, const char *);

static int
setup(void **state)
{
	(void)state;
	if (unit_tmpdir(dir, sizeof(dir), "test_conf") == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

/* Writes name in the test directory; returns its path (static). */
static const char *
write_file(const char *name, const char *text)
{
	static char	 path[512];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

static int
load_zoo(struct zkd_conf *c, const char *text, char **cause)
{
	*cause = NULL;
	conf_defaults(c);
	return conf_load_zoo(c, write_file("zoo.cfg", text), cause);
}

static int
load_zkd(struct zkd_conf *c, const char *text, char **cause)
{
	*cause = NULL;
	conf_defaults(c);
	return conf_load_zkd(c, write_file("zkd.conf", text), cause);
}

/* cause must be "<dir>/<file>:<line>: <rest>..." */
static void
expect_cause(const char *cause, const char *file, int line, const char *rest)
{
	char	 want[1024];

	assert_non_null(cause);
	if (line > 0)
		snprintf(want, sizeof(want), "%s/%s:%d: %s", dir, file, line,
		    rest);
	else
		snprintf(want, sizeof(want), "%s/%s: %s", dir, file, rest);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("cause \"%s\" does not start with \"%s\"", cause,
		    want);
}

/* zoo.cfg: "=", ":" and blanks separate keys; # and ! start comments. */
static void
test_zoo_separators_and_comments(void **state)
{
	struct zkd_conf	 c;
	char		 text[2048], *cause;

	(void)state;
	snprintf(text, sizeof(text),
	    "# a comment\n"
	    "! another comment\n"
	    "tickTime=2500\n"
	    "initLimit: 7\n"
	    "syncLimit 3\n"
	    "   clientPort   =   21999   \n"
	    "\n"
	    "dataDir=%s\n"
	    "maxClientCnxns : 12\n"
	    "\t# an indented comment\n"
	    "minSessionTimeout=4000\n"
	    "4lw.commands.whitelist=stat, ruok\n"
	    "someOtherComponent.setting=ignored\n"
	    "forceSync=no\n"
	    "skipACL=yes\n"
	    "reconfigEnabled=TRUE\n"
	    "clientPortAddress=127.0.0.1\n"
	    "jute.maxbuffer=2000000\n"
	    "autopurge.snapRetainCount=4\n"
	    "autopurge.purgeInterval=1\n"
	    "DigestAuthenticationProvider.superDigest=super:abc=\n",
	    dir);
	assert_int_equal(load_zoo(&c, text, &cause), 0);
	assert_int_equal(c.format, CONF_ZOO);
	assert_int_equal(c.tick_time, 2500);
	assert_int_equal(c.init_limit, 7);
	assert_int_equal(c.sync_limit, 3);
	assert_int_equal(c.client_port, 21999);
	assert_string_equal(c.data_dir, dir);
	assert_int_equal(c.max_client_cnxns, 12);
	assert_int_equal(c.min_session_timeout, 4000);
	assert_string_equal(c.whitelist, "stat, ruok");
	assert_int_equal(c.force_sync, 0);
	assert_int_equal(c.skip_acl, 1);
	assert_int_equal(c.reconfig_enabled, 1);
	assert_string_equal(c.client_addr, "127.0.0.1");
	assert_int_equal(c.jute_maxbuffer, 2000000);
	assert_int_equal(c.snap_retain_count, 4);
	assert_int_equal(c.purge_interval, 1);
	assert_string_equal(c.super_digest, "super:abc=");
	assert_int_equal(c.sid, 0);
	assert_int_equal(c.nservers, 0);
	assert_int_equal(conf_finish(&c, &cause), 0);
	assert_int_equal(c.max_session_timeout, 20 * 2500);
	assert_string_equal(c.data_log_dir, dir);
}

/* A trailing backslash joins the next line, its leading blanks dropped. */
static void
test_zoo_continuation_lines(void **state)
{
	struct zkd_conf	 c;
	char		 text[2048], want[512], *cause;

	(void)state;
	snprintf(text, sizeof(text),
	    "dataDir=%s/\\\n"
	    "      data\n"
	    "tickTime=1\\\n"
	    "\t000\n"
	    "clientPort=2\\\n"
	    "1\\\n"
	    "999\n",
	    dir);
	assert_int_equal(load_zoo(&c, text, &cause), 0);
	snprintf(want, sizeof(want), "%s/data", dir);
	assert_string_equal(c.data_dir, want);
	assert_int_equal(c.tick_time, 1000);
	assert_int_equal(c.client_port, 21999);
	/* An error on a joined line names the line the setting starts on. */
	snprintf(text, sizeof(text),
	    "dataDir=%s\n"
	    "tickTime=1\\\n"
	    "x\n",
	    dir);
	assert_int_equal(load_zoo(&c, text, &cause), -1);
	expect_cause(cause, "zoo.cfg", 2, "tickTime: not a number: '1x'");
	free(cause);
}

/* As in java.util.Properties, a backslash ending a comment joins nothing. */
static void
test_zoo_comment_does_not_continue(void **state)
{
	struct zkd_conf	 c;
	char		 text[2048], *cause;

	(void)state;
	snprintf(text, sizeof(text),
	    "dataDir=%s\n"
	    "# see C:\\zookeeper\\\n"
	    "tickTime=1500\n",
	    dir);
	assert_int_equal(load_zoo(&c, text, &cause), 0);
	assert_int_equal(c.tick_time, 1500);
}

/* server.N lines with types and client ports, and the myid file. */
static void
test_zoo_servers_and_myid(void **state)
{
	struct zkd_conf	 c;
	char		 text[2048], path[512], *cause;

	(void)state;
	snprintf(path, sizeof(path), "%s/myid", dir);
	write_file("myid", "2\n");
	snprintf(text, sizeof(text),
	    "dataDir=%s\n"
	    "server.1=127.0.0.1:2888:3888\n"
	    "server.2=h2.example:2889:3889:observer;21811\n"
	    "server.3 = h3:1:2:participant;0.0.0.0:21812\n",
	    dir);
	assert_int_equal(load_zoo(&c, text, &cause), 0);
	assert_int_equal(c.sid, 2);
	assert_int_equal(c.nservers, 3);
	assert_true(c.servers[0].sid == 1);
	assert_string_equal(c.servers[0].host, "127.0.0.1");
	assert_int_equal(c.servers[0].quorum_port, 2888);
	assert_int_equal(c.servers[0].election_port, 3888);
	assert_int_equal(c.servers[0].observer, 0);
	assert_int_equal(c.servers[0].client_port, 0);
	assert_string_equal(c.servers[1].host, "h2.example");
	assert_int_equal(c.servers[1].observer, 1);
	assert_int_equal(c.servers[1].client_port, 21811);
	assert_string_equal(c.servers[1].client_addr, "");
	assert_int_equal(c.servers[2].observer, 0);
	assert_int_equal(c.servers[2].client_port, 21812);
	assert_string_equal(c.servers[2].client_addr, "0.0.0.0");
	/* Without clientPort, this server's own entry gives it. */
	assert_int_equal(c.client_port, 0);
	assert_int_equal(conf_finish(&c, &cause), 0);
	assert_int_equal(c.client_port, 21811);

	/* A listed server needs its id; a bad one is refused. */
	write_file("myid", "300\n");
	assert_int_equal(load_zoo(&c, text, &cause), -1);
	expect_cause(cause, "myid", 0, "not a server id between 1 and 255");
	free(cause);
	unlink(path);
	assert_int_equal(load_zoo(&c, text, &cause), -1);
	expect_cause(cause, "myid", 0, "No such file or directory");
	free(cause);
	/* A standalone server ignores a bad myid. */
	write_file("myid", "garbage\n");
	snprintf(text, sizeof(text), "dataDir=%s\nclientPort=21999\n", dir);
	assert_int_equal(load_zoo(&c, text, &cause), 0);
	assert_int_equal(c.sid, 0);
	unlink(path);
}

/* Bad numbers, booleans and server lines name file:line: key. */
static void
test_zoo_bad_values(void **state)
{
	static const struct {
		const char	*line;
		const char	*why;
	} v[] = {
		{ "tickTime=abc", "tickTime: not a number: 'abc'" },
		{ "tickTime=0", "tickTime: not a number: '0'" },
		{ "initLimit=99999999999", "initLimit: not a number" },
		{ "clientPort=70000", "clientPort: not a number" },
		{ "clientPort=0x10", "clientPort: not a number" },
		{ "syncLimit=", "syncLimit: not a number: ''" },
		{ "standaloneEnabled=yes",
		    "standaloneEnabled: must be true or false: 'yes'" },
		{ "readonlymode.enabled=1", "readonlymode.enabled: must be" },
		{ "electionAlg=1", "electionAlg: only 3 is supported" },
		{ "peerType=leader", "peerType: must be observer or" },
		{ "dataLogDir=", "dataLogDir: empty path" },
		{ "server.0=h:1:2", "server.0: server id must be" },
		{ "server.256=h:1:2", "server.256: server id must be" },
		{ "server.x=h:1:2", "server.x: server id must be" },
		{ "server.1=h:1", "server.1: expected host:quorumPort" },
		{ "server.1=h:1:2:3:4", "server.1: expected host:quorumPort" },
		{ "server.1=:1:2", "server.1: bad host" },
		{ "server.1=h:a:2", "server.1: bad quorum port" },
		{ "server.1=h:1:70000", "server.1: bad election port" },
		{ "server.1=h:1:2:witness", "server.1: type must be" },
		{ "server.1=h:1:2;port", "server.1: bad client port" },
	};
	struct zkd_conf	 c;
	char		 text[1024], *cause;
	size_t		 i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(text, sizeof(text), "dataDir=%s\n# filler\n%s\n", dir,
		    v[i].line);
		if (load_zoo(&c, text, &cause) != -1) {
			print_message("# \"%s\" accepted\n", v[i].line);
			bad++;
			continue;
		}
		expect_cause(cause, "zoo.cfg", 3, v[i].why);
		free(cause);
	}
	/* The same id twice. */
	snprintf(text, sizeof(text), "dataDir=%s\nserver.1=a:1:2\n"
	    "server.1=b:1:2\n", dir);
	assert_int_equal(load_zoo(&c, text, &cause), -1);
	expect_cause(cause, "zoo.cfg", 3, "server.1: server id given twice");
	free(cause);
	assert_int_equal(bad, 0);
}

/* zoo.cfg without dataDir fails; its defaults are ZooKeeper's, not ours. */
static void
test_zoo_defaults_and_missing(void **state)
{
	struct zkd_conf	 c;
	char		 text[1024], *cause;

	(void)state;
	assert_int_equal(load_zoo(&c, "tickTime=2000\n", &cause), -1);
	expect_cause(cause, "zoo.cfg", 0, "dataDir is not set");
	free(cause);
	snprintf(text, sizeof(text), "dataDir=%s\n", dir);
	assert_int_equal(load_zoo(&c, text, &cause), 0);
	assert_int_equal(c.tick_time, 3000);
	assert_string_equal(c.whitelist, "srvr");
	assert_int_equal(c.client_port, 0);
	assert_int_equal(conf_finish(&c, &cause), -1);
	expect_cause(cause, "zoo.cfg", 0, "clientPort is not set");
	free(cause);
	conf_defaults(&c);
	assert_int_equal(conf_load_zoo(&c, "/nonexistent/zoo.cfg", &cause),
	    -1);
	assert_string_equal(cause,
	    "/nonexistent/zoo.cfg: No such file or directory");
	free(cause);
}

/* zkd.conf: every kind of setting, groups and the servers list. */
static void
test_zkd_conf_settings(void **state)
{
	struct zkd_conf	 c;
	char		 text[2048], want[512], *cause;

	(void)state;
	snprintf(text, sizeof(text),
	    "# zkd.conf\n"
	    "tickTime = 1000;\n"
	    "initLimit = 5;\n"
	    "syncLimit = 2;\n"
	    "dataDir = \"%s/zd\";\n"
	    "dataLogDir = \"%s/zl\";\n"
	    "clientPort = 21998;\n"
	    "clientPortAddress = \"127.0.0.1\";\n"
	    "fourLetterWords = [ \"srvr\", \"ruok\", \"mntr\" ];\n"
	    "forceSync = false;\n"
	    "extendedTypesEnabled = true;\n"
	    "readonlyModeEnabled = true;\n"
	    "myid = 3;\n"
	    "juteMaxBuffer = 4096;\n"
	    "preAllocSize = 1024L;\n"
	    "superDigest = \"super:xyz=\";\n"
	    "autopurge = { snapRetainCount = 5; purgeInterval = 2; };\n"
	    "container = { checkIntervalMs = 1000; maxPerMinute = 100;\n"
	    "    maxNeverUsedIntervalMs = 5000; };\n"
	    "servers = (\n"
	    "  { id = 3; host = \"h3\"; quorumPort = 2890;\n"
	    "    electionPort = 3890; clientPort = 21997;\n"
	    "    type = \"observer\"; },\n"
	    "  { id = 4; quorumPort = 2891; electionPort = 3891; }\n"
	    ");\n",
	    dir, dir);
	assert_int_equal(load_zkd(&c, text, &cause), 0);
	assert_int_equal(c.format, CONF_ZKD);
	assert_int_equal(c.tick_time, 1000);
	assert_int_equal(c.init_limit, 5);
	assert_int_equal(c.sync_limit, 2);
	snprintf(want, sizeof(want), "%s/zd", dir);
	assert_string_equal(c.data_dir, want);
	snprintf(want, sizeof(want), "%s/zl", dir);
	assert_string_equal(c.data_log_dir, want);
	assert_int_equal(c.client_port, 21998);
	assert_string_equal(c.client_addr, "127.0.0.1");
	assert_string_equal(c.whitelist, "srvr,ruok,mntr");
	assert_int_equal(c.force_sync, 0);
	assert_int_equal(c.extended_types, 1);
	assert_int_equal(c.readonly_enabled, 1);
	assert_true(c.sid == 3);
	assert_int_equal(c.jute_maxbuffer, 4096);
	assert_true(c.prealloc_kb == 1024);
	assert_string_equal(c.super_digest, "super:xyz=");
	assert_int_equal(c.snap_retain_count, 5);
	assert_int_equal(c.purge_interval, 2);
	assert_int_equal(c.container_check_ms, 1000);
	assert_int_equal(c.container_max_per_minute, 100);
	assert_true(c.container_never_used_ms == 5000);
	assert_int_equal(c.nservers, 2);
	assert_string_equal(c.servers[0].host, "h3");
	assert_int_equal(c.servers[0].quorum_port, 2890);
	assert_int_equal(c.servers[0].election_port, 3890);
	assert_int_equal(c.servers[0].client_port, 21997);
	assert_int_equal(c.servers[0].observer, 1);
	assert_string_equal(c.servers[1].host, "127.0.0.1");
	assert_int_equal(c.servers[1].observer, 0);
	assert_int_equal(conf_finish(&c, &cause), 0);
	assert_int_equal(c.min_session_timeout, 2000);

	/* A whitelist may also be one string. */
	assert_int_equal(load_zkd(&c, "fourLetterWords = \"stat, ruok\";\n",
	    &cause), 0);
	assert_string_equal(c.whitelist, "stat, ruok");
}

/* zkd.conf errors name the file, the line and the setting. */
static void
test_zkd_conf_errors(void **state)
{
	static const struct {
		const char	*text;
		int		 line;
		const char	*why;
	} v[] = {
		{ "tickTime = 1000;\n\nsyncLimit = ;\n", 3, "syntax error" },
		{ "tickTime = 1000;\nfooBar = 1;\n", 2,
		    "fooBar: unknown setting" },
		{ "\ntickTime = \"x\";\n", 2,
		    "tickTime: a number in range is needed" },
		{ "clientPort = 70000;\n", 1,
		    "clientPort: a number in range is needed" },
		{ "electionAlg = 1;\n", 1, "electionAlg: a number in range" },
		{ "forceSync = 1;\n", 1, "forceSync: true or false is needed" },
		{ "dataDir = 5;\n", 1, "dataDir: a string is needed" },
		{ "myid = 0;\n", 1, "myid: a server id between 1 and 255" },
		{ "fourLetterWords = [ 1, 2 ];\n", 1,
		    "fourLetterWords: a string or a list of strings" },
		{ "autopurge = 5;\n", 1, "autopurge: a group is needed" },
		{ "autopurge = {\n  snapRetainCount = 3;\n  foo = 1;\n};\n", 3,
		    "foo: unknown setting" },
		{ "container = { maxPerMinute = 0; };\n", 1,
		    "maxPerMinute: a number in range" },
		{ "servers = 5;\n", 1, "servers: must be a list of groups" },
		{ "servers = (\n  { id = 1; quorumPort = 1; electionPort = 2;"
		    " },\n  { id = 2; electionPort = 2; }\n);\n", 3,
		    "quorumPort: a port is needed" },
		{ "servers = ( { id = 300; quorumPort = 1; electionPort = 2; }"
		    " );\n", 1, "id: a number between 1 and 255" },
		{ "servers = ( { id = 1; quorumPort = 1; electionPort = 2;"
		    " type = \"witness\"; } );\n", 1,
		    "type: participant or observer" },
	};
	struct zkd_conf	 c;
	char		*cause;
	size_t		 i, bad = 0;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (load_zkd(&c, v[i].text, &cause) != -1) {
			print_message("# case %zu accepted\n", i);
			bad++;
			continue;
		}
		if (strstr(cause, v[i].why) == NULL) {
			print_message("# case %zu: \"%s\"\n", i, cause);
			bad++;
		} else
			expect_cause(cause, "zkd.conf", v[i].line, "");
		free(cause);
	}
	assert_int_equal(bad, 0);
	conf_defaults(&c);
	assert_int_equal(conf_load_zkd(&c, "/nonexistent/zkd.conf", &cause),
	    -1);
	assert_string_equal(cause,
	    "/nonexistent/zkd.conf: No such file or directory");
	free(cause);
}

/* conf_finish: 2 and 20 ticks, dataLogDir from dataDir, and its checks. */
static void
test_finish_defaults_and_errors(void **state)
{
	struct zkd_conf	 c;
	char		*cause;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_finish(&c, &cause), 0);
	assert_int_equal(c.tick_time, 2000);
	assert_int_equal(c.min_session_timeout, 4000);
	assert_int_equal(c.max_session_timeout, 40000);
	assert_string_equal(c.data_log_dir, "zkd-data");
	assert_string_equal(c.data_dir, "zkd-data");
	assert_int_equal(c.client_port, 2181);
	assert_string_equal(c.whitelist, "*");

	/* Explicit timeouts stay; min above max is refused. */
	conf_defaults(&c);
	c.min_session_timeout = 5000;
	assert_int_equal(conf_finish(&c, &cause), 0);
	assert_int_equal(c.min_session_timeout, 5000);
	assert_int_equal(c.max_session_timeout, 40000);
	conf_defaults(&c);
	c.min_session_timeout = 50000;
	assert_int_equal(conf_finish(&c, &cause), -1);
	assert_string_equal(cause, "defaults: minSessionTimeout (50000) must "
	    "not be larger than maxSessionTimeout (40000)");
	free(cause);

	conf_defaults(&c);
	c.nservers = 1;
	c.servers[0].sid = 1;
	assert_int_equal(conf_finish(&c, &cause), -1);
	assert_non_null(strstr(cause, "myid) is not set"));
	free(cause);

	conf_defaults(&c);
	c.extended_types = 1;
	c.sid = 255;
	assert_int_equal(conf_finish(&c, &cause), -1);
	assert_non_null(strstr(cause, "extendedTypesEnabled"));
	free(cause);
	c.sid = 254;
	assert_int_equal(conf_finish(&c, &cause), 0);
}

/* srvr is always allowed, "*" allows all, isro comes with read-only mode. */
static void
test_whitelist_semantics(void **state)
{
	struct zkd_conf	 c;

	(void)state;
	conf_defaults(&c);
	assert_true(conf_whitelisted(&c, "mntr"));
	assert_true(conf_whitelisted(&c, "wchp"));
	strlcpy(c.whitelist, "stat, ruok", sizeof(c.whitelist));
	assert_true(conf_whitelisted(&c, "stat"));
	assert_true(conf_whitelisted(&c, "ruok"));
	assert_true(conf_whitelisted(&c, "srvr"));
	assert_false(conf_whitelisted(&c, "mntr"));
	assert_false(conf_whitelisted(&c, "sta"));
	assert_false(conf_whitelisted(&c, "isro"));
	c.readonly_enabled = 1;
	assert_true(conf_whitelisted(&c, "isro"));
	c.readonly_enabled = 0;
	strlcpy(c.whitelist, "", sizeof(c.whitelist));
	assert_true(conf_whitelisted(&c, "srvr"));
	assert_false(conf_whitelisted(&c, "stat"));
	strlcpy(c.whitelist, "stat,*", sizeof(c.whitelist));
	assert_true(conf_whitelisted(&c, "dump"));
	strlcpy(c.whitelist, "mntr,conf", sizeof(c.whitelist));
	assert_true(conf_whitelisted(&c, "conf"));
	assert_false(conf_whitelisted(&c, "cons"));
}

#define FILE_TEST(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(test_zoo_separators_and_comments),
		FILE_TEST(test_zoo_continuation_lines),
		FILE_TEST(test_zoo_comment_does_not_continue),
		FILE_TEST(test_zoo_servers_and_myid),
		FILE_TEST(test_zoo_bad_values),
		FILE_TEST(test_zoo_defaults_and_missing),
		FILE_TEST(test_zkd_conf_settings),
		FILE_TEST(test_zkd_conf_errors),
		cmocka_unit_test(test_finish_defaults_and_errors),
		cmocka_unit_test(test_whitelist_semantics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
