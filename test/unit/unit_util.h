/* SPDX-License-Identifier: ISC */
/*
 * unit_util.h: what the storage unit tests share: a scratch directory per
 * test group, a seeded generator (xorshift64*: the same seed gives the
 * same data on every run), whole-file reads and writes that fail the
 * test on error, and setData txns appended to a log.  Include after
 * <cmocka.h>.
 */
#ifndef ZK_UNIT_UTIL_H
#define ZK_UNIT_UTIL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct unit_rng {
	uint64_t	 s;
};

int	 unit_tmpdir(char *, size_t, const char *);
int	 unit_rmtree(const char *);
uint64_t unit_rng_next(struct unit_rng *);
uint32_t unit_rng_below(struct unit_rng *, uint32_t);
uint8_t	*unit_slurp(const char *, size_t *);
void	 unit_spit(const char *, const uint8_t *, size_t);
off_t	 unit_file_size(const char *);
void	 unit_xor_byte(const char *, off_t, uint8_t);

struct tree_node;
void	 unit_same_stat(const struct tree_node *, const struct tree_node *);

struct txnlog;
void	 unit_append_setdata(struct txnlog *, int64_t, int);

#endif
