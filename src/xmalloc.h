/* SPDX-License-Identifier: ISC */
/*
 * xmalloc.h: allocation helpers that die on exhaustion (base layer).
 * A server that cannot allocate cannot keep its promises; it exits and the
 * log and snapshots bring it back.
 */
#ifndef ZK_XMALLOC_H
#define ZK_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
void	*xmemdup(const void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));

#endif
