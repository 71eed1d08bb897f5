/* SPDX-License-Identifier: ISC */
/*
 * log.h: the one logging API of every program here (base layer).
 *
 * log_warn appends strerror(errno); log_warnx does not.  fatal and fatalx log
 * and exit.  In the foreground (-d) lines go to stderr with a timestamp,
 * otherwise to syslog.  log_debug prints only when verbose.
 */
#ifndef ZK_LOG_H
#define ZK_LOG_H

#include <stdarg.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

void	log_init(int foreground, int facility);
void	log_procinit(const char *name);
void	log_setquiet(int quiet);
void	log_setverbose(int verbose);
int	log_getverbose(void);
void	log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	vlog(int, const char *, va_list) __attribute__((__format__(printf, 2, 0)));
__dead void fatal(const char *, ...) __attribute__((__format__(printf, 1, 2)));
__dead void fatalx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
__dead void fatal_code(int code, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));

#endif
