/* SPDX-License-Identifier: ISC */
/*
 * control.h: the supervisor's control socket (see control.c for the
 * protocol and the commands).
 */
#ifndef ZKE_CONTROL_H
#define ZKE_CONTROL_H

#include <sys/queue.h>

#include "sup.h"

struct evconnlistener;
struct control_conn;

struct control {
	struct sup	*sup;
	struct evconnlistener *lis;
	TAILQ_HEAD(, control_conn) conns;
	int		 closing;	/* all answered: break the loop */
};

int	 control_open(struct control *, struct sup *, const char *, char **);
void	 control_close(struct control *);
void	 control_changed(struct control *);
void	 control_gone(struct control *);

#endif
