/* SPDX-License-Identifier: ISC */
/*
 * faults.h: the network faults the user set between launched servers
 * (isolate, partition, delay, heal), and the rules each server must be
 * told on its side door to make them so (see faults.c).
 */
#ifndef ZKE_FAULTS_H
#define ZKE_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#define FAULTS_DROP	(-1)	/* a rule: no traffic either way */
#define FAULTS_DELAY_MAX 3600000	/* ms, as zkd takes it */

struct faults {
	size_t		 n;		/* servers: sids 1..n */
	uint8_t		*cut;		/* n*n, symmetric */
	int		*delay;		/* n*n: i's sends to j held, ms */
	int		*told;		/* n*n: the rule server i has for j */
	int64_t		 fenced;	/* cut from all for elect; 0: none */
};

/* One side door command for one server. */
struct faults_cmd {
	char		 line[512];
};

void	 faults_init(struct faults *, size_t);
void	 faults_free(struct faults *);
int	 faults_parse_set(const struct faults *, const char *, uint8_t *,
	    char **);
int	 faults_isolate(struct faults *, const char *, char **);
int	 faults_partition(struct faults *, int, char **, char **);
int	 faults_delay(struct faults *, const char *, const char *,
	    const char *, char **);
int	 faults_heal(struct faults *, const char *, char **);
int	 faults_want(const struct faults *, size_t, size_t);
size_t	 faults_diff(struct faults *, size_t, struct faults_cmd *, size_t);
void	 faults_forget(struct faults *, size_t);
int	 faults_any(const struct faults *);
size_t	 faults_describe(const struct faults *, char *, size_t);

#endif
