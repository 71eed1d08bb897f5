/* SPDX-License-Identifier: ISC */
/*
 * fuzz_zoocfg.c: the zoo.cfg reader.  Each input is written to a fresh
 * temporary file and loaded as zkd -z would load it: conf_load_zoo, then
 * conf_finish and the effective settings printed (to /dev/null).  Unknown
 * keys are logged to stderr; run libFuzzer with -close_fd_mask=2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static FILE	*fuzz_null;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fuzz_null = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz_zoocfg: /dev/null");
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zkd_conf	*c;
	const char	*tmp = getenv("TMPDIR");
	char		 path[256], *cause = NULL;
	int		 fd;

	snprintf(path, sizeof(path), "%s/fuzz_zoocfg.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, data, size) != (ssize_t)size || close(fd) == -1)
		abort();
	/* struct zkd_conf is large: keep it off the stack. */
	if ((c = malloc(sizeof(*c))) == NULL)
		abort();
	conf_defaults(c);
	if (conf_load_zoo(c, path, &cause) == 0 &&
	    conf_finish(c, &cause) == 0) {
		if (c->client_port <= 0 || c->client_port > 65535 ||
		    c->min_session_timeout > c->max_session_timeout ||
		    c->data_log_dir[0] == '\0')
			abort();
		conf_whitelisted(c, "stat");
		conf_print(c, fuzz_null);
	} else {
		/* Every error names the file, or the myid file it read. */
		if (cause == NULL || (strncmp(cause, path, strlen(path)) != 0 &&
		    strstr(cause, "/myid") == NULL))
			abort();
	}
	unlink(path);
	free(cause);
	free(c);
	return 0;
}
