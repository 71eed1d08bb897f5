/* SPDX-License-Identifier: ISC */
/*
 * jute.h: ZooKeeper's jute binary encoding on bounded buffers (codec layer).
 *
 * All integers are big-endian.  A buffer or ustring is an int32 length then
 * the bytes; length -1 means null.  A vector is an int32 count then items.
 * A boolean is one byte.
 *
 * Decoders never read past the buffer: every jute_get_* returns 0, or -1 on
 * short input, a negative length other than -1, or a length above the
 * configured maximum, and the error sticks (later calls also fail), so a
 * record decoder may check only once at its end.
 */
#ifndef ZK_JUTE_H
#define ZK_JUTE_H

#include <stddef.h>
#include <stdint.h>

struct jute_in {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 off;
	size_t		 max;		/* largest buffer/string/vector accepted */
	int		 err;
	int		 nul_seen;	/* a string held a NUL byte */
};

struct jute_out {
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
};

void	 jute_in_init(struct jute_in *, const void *, size_t, size_t);
size_t	 jute_in_left(const struct jute_in *);
int	 jute_get_int(struct jute_in *, int32_t *);
int	 jute_get_long(struct jute_in *, int64_t *);
int	 jute_get_bool(struct jute_in *, int *);
int	 jute_get_buffer(struct jute_in *, const uint8_t **, int32_t *);
int	 jute_get_string(struct jute_in *, char **);
int	 jute_get_count(struct jute_in *, int32_t *);

void	 jute_out_init(struct jute_out *);
void	 jute_out_free(struct jute_out *);
void	 jute_out_reset(struct jute_out *);
void	 jute_put_int(struct jute_out *, int32_t);
void	 jute_put_long(struct jute_out *, int64_t);
void	 jute_put_bool(struct jute_out *, int);
void	 jute_put_buffer(struct jute_out *, const void *, int32_t);
void	 jute_put_string(struct jute_out *, const char *);
void	 jute_put_raw(struct jute_out *, const void *, size_t);
size_t	 jute_put_frame_start(struct jute_out *);
void	 jute_put_frame_end(struct jute_out *, size_t);
void	 jute_patch_int(struct jute_out *, size_t, int32_t);

static inline uint32_t
jute_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
jute_be64(const uint8_t *p)
{
	return (uint64_t)jute_be32(p) << 32 | jute_be32(p + 4);
}

#endif
