/* SPDX-License-Identifier: ISC */
/*
 * elect.h: handing leadership to a server of the user's choice (see
 * elect.c).
 */
#ifndef ZKE_ELECT_H
#define ZKE_ELECT_H

#include <stdint.h>

struct sup;

/* done(arg, status, text): status 0 (text says who leads), 1 or 3. */
typedef void	 elect_done_cb(void *, int, const char *);

int	 elect_start(struct sup *, int64_t, elect_done_cb *, void *, char **);
void	 elect_changed(struct sup *);
void	 elect_cancel(struct sup *);

#endif
