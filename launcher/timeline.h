/* SPDX-License-Identifier: ISC */
/*
 * timeline.h: the history of an ensemble as a picture, one lane per
 * server, time across (see timeline.c).
 */
#ifndef ZKE_TIMELINE_H
#define ZKE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

/* Lane characters. */
#define TL_DOWN		' '	/* no process */
#define TL_LOOKING	'-'
#define TL_LEADING	'L'
#define TL_FOLLOWING	'F'
#define TL_OBSERVING	'O'
#define TL_STARTING	'.'	/* a process, no role yet */
#define TL_PAUSED	'z'
#define TL_DIED		'X'	/* a point: the process ended */
#define TL_NONE		'-'	/* the leader lane: nobody leads */

/* From ms on, lane sid (0: the leader lane) shows c. */
struct tl_mark {
	int64_t		 ms;
	int		 sid;
	char		 c;
};

struct timeline {
	size_t		 nlanes;	/* servers; lane 0 is the leader's */
	struct tl_mark	*marks;
	size_t		 n, cap;
	char		*last;		/* nlanes + 1: the lanes now */
};

void	 timeline_init(struct timeline *, size_t);
void	 timeline_free(struct timeline *);
void	 timeline_set(struct timeline *, int64_t, int, char);
void	 timeline_point(struct timeline *, int64_t, int, char);
char	 timeline_role_char(const char *, int, int, int);
char	 timeline_leader_char(int64_t);
char	*timeline_render(const struct timeline *, int64_t, int);

#endif
