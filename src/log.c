/* SPDX-License-Identifier: ISC */
/*
 * log.c: logging to stderr (foreground) or syslog (daemon).  Base layer.
 *
 * fatal() exits with status 1 unless fatal_code() names a sysexits code; the
 * launcher reads exit codes to decide whether a server may be respawned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int	 log_foreground = 1;
static int	 log_verbose;
static int	 log_quiet;	/* informational lines off (simulations) */
static const char *log_procname = "zkd";

static void	 log_line(int, const char *, const char *);

void
log_init(int foreground, int facility)
{
	log_foreground = foreground;
	if (!foreground)
		openlog(log_procname, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_procinit(const char *name)
{
	if (name != NULL)
		log_procname = name;
}

void
log_setquiet(int quiet)
{
	log_quiet = quiet;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static void
log_line(int pri, const char *msg, const char *err)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[32];

	if (!log_foreground) {
		if (err != NULL)
			syslog(pri, "%s: %s", msg, err);
		else
			syslog(pri, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ld %s[%d]: %s%s%s\n", stamp,
	    ts.tv_nsec / 1000000, log_procname, (int)getpid(), msg,
	    err != NULL ? ": " : "", err != NULL ? err : "");
	funlockfile(stderr);
	fflush(stderr);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 buf[2048];
	int	 saved_errno = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_line(pri, buf, NULL);
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[2048];
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_line(LOG_WARNING, buf, saved_errno ? strerror(saved_errno) : NULL);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static __dead void
vfatalc(int code, int use_errno, const char *fmt, va_list ap)
{
	char	 buf[2048];
	int	 saved_errno = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_line(LOG_CRIT, buf,
	    use_errno && saved_errno ? strerror(saved_errno) : NULL);
	exit(code);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatalc(1, 1, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatalc(1, 0, fmt, ap);
}

void
fatal_code(int code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatalc(code, 0, fmt, ap);
}
