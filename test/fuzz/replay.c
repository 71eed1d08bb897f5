/* SPDX-License-Identifier: ISC */
/*
 * replay.c: runs a fuzz target over its corpus without libFuzzer, for
 * make check.  The program replay_<target> reads every file of
 * $TOP_SRCDIR/test/fuzz/corpus/<target> (or the files and directories
 * given as arguments), in name order, each in a child process so that a
 * crash or a sanitizer report fails that file alone, and prints one TAP
 * line per file.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_TIMEOUT	60	/* seconds one input may take */

struct input {
	char	*path;
	char	*name;
};

/* LeakSanitizer's check, present only in sanitizer builds. */
void	 __lsan_do_leak_check(void) __attribute__((weak));

static void	 replay_add(struct input **, size_t *, const char *,
		    const char *);
static void	 replay_dir(struct input **, size_t *, const char *);
static int	 replay_cmp(const void *, const void *);
static uint8_t	*replay_read(const char *, size_t *);
static int	 replay_one(const struct input *, char *, size_t);

static void
replay_add(struct input **v, size_t *n, const char *path, const char *name)
{
	if ((*v = realloc(*v, (*n + 1) * sizeof(**v))) == NULL ||
	    ((*v)[*n].path = strdup(path)) == NULL ||
	    ((*v)[*n].name = strdup(name)) == NULL) {
		perror("replay");
		exit(1);
	}
	(*n)++;
}

static void
replay_dir(struct input **v, size_t *n, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096];

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_add(v, n, path, de->d_name);
	}
	closedir(d);
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->name,
	    ((const struct input *)b)->name);
}

/* The whole file in a buffer of exactly its size (overreads are caught). */
static uint8_t *
replay_read(const char *path, size_t *len)
{
	FILE		*f;
	uint8_t		*buf;
	struct stat	 st;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1)
		return NULL;
	*len = (size_t)st.st_size;
	if ((buf = malloc(*len > 0 ? *len : 1)) == NULL ||
	    fread(buf, 1, *len, f) != *len) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Runs one input in a child; 0 if it came back clean, else why not. */
static int
replay_one(const struct input *in, char *why, size_t len)
{
	uint8_t	*buf;
	size_t	 size;
	pid_t	 pid;
	int	 status;

	if ((buf = replay_read(in->path, &size)) == NULL) {
		snprintf(why, len, "cannot read: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	if ((pid = fork()) == -1) {
		snprintf(why, len, "fork: %s", strerror(errno));
		free(buf);
		return -1;
	}
	if (pid == 0) {
		alarm(REPLAY_TIMEOUT);
		LLVMFuzzerTestOneInput(buf, size);
		free(buf);
		if (__lsan_do_leak_check != NULL)
			__lsan_do_leak_check();
		_exit(0);
	}
	free(buf);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(status)) {
		snprintf(why, len, "killed by signal %d", WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) != 0) {
		snprintf(why, len, "exit status %d", WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct input	*v = NULL;
	struct stat	 st;
	const char	*target, *top;
	char		 dir[4096], why[256];
	size_t		 n = 0, i;
	int		 failed = 0, k;

	target = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	if (strncmp(target, "replay_", 7) == 0)
		target += 7;
	if (argc > 1) {
		for (k = 1; k < argc; k++) {
			if (stat(argv[k], &st) == 0 && S_ISDIR(st.st_mode))
				replay_dir(&v, &n, argv[k]);
			else
				replay_add(&v, &n, argv[k], argv[k]);
		}
	} else {
		top = getenv("TOP_SRCDIR");
		snprintf(dir, sizeof(dir), "%s/test/fuzz/corpus/%s",
		    top != NULL && *top != '\0' ? top : ".", target);
		replay_dir(&v, &n, dir);
	}
	qsort(v, n, sizeof(*v), replay_cmp);
	LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		if (replay_one(&v[i], why, sizeof(why)) == 0)
			printf("ok %zu - %s: %s\n", i + 1, target, v[i].name);
		else {
			printf("not ok %zu - %s: %s (%s)\n", i + 1, target,
			    v[i].name, why);
			failed = 1;
		}
		fflush(stdout);
	}
	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
	}
	free(v);
	return failed;
}
