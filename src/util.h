/* SPDX-License-Identifier: ISC */
/*
 * util.h: small helpers shared by every layer (base layer): clocks, zxid
 * arithmetic, atomic small-file writes, base64, and the java.util.Random
 * generator ZooKeeper derives session passwords from.
 */
#ifndef ZK_UTIL_H
#define ZK_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A zxid is epoch << 32 | counter; each new leader resets the counter. */
#define ZXID_EPOCH(z)	((uint32_t)((uint64_t)(z) >> 32))
#define ZXID_COUNTER(z)	((uint32_t)((uint64_t)(z) & 0xffffffffu))
#define ZXID_MAKE(e, c)	((int64_t)(((uint64_t)(uint32_t)(e) << 32) | (uint32_t)(c)))

int64_t	 util_now_ms(void);		/* monotonic milliseconds */
int64_t	 util_now_us(void);		/* monotonic microseconds */
int64_t	 util_wall_ms(void);		/* milliseconds since the epoch */
int64_t	 util_mono_to_wall(int64_t);	/* a monotonic instant as wall time */
void	 util_java_date(int64_t, char *, size_t);

int	 util_write_atomic(const char *, const void *, size_t);
int	 util_fsync_dir(const char *);
int	 util_listen(const char *, int, int, char **);
int	 util_mkdirs(const char *, int);
int64_t	 util_dir_size(const char *);

size_t	 util_base64(const uint8_t *, size_t, char *, size_t);
uint64_t util_hash(const char *, size_t);
uint32_t util_adler32(uint32_t, const uint8_t *, size_t);

/*
 * java.util.Random: a 48-bit LCG.  ZooKeeper seeds it with the session id
 * xor a fixed secret and takes 16 bytes as the session's password, so any
 * server of an ensemble (ours or Apache's) can check a password.
 */
struct jrandom {
	uint64_t	seed;
};
void	 jrandom_init(struct jrandom *, int64_t);
int32_t	 jrandom_next(struct jrandom *, int);
void	 jrandom_bytes(struct jrandom *, uint8_t *, size_t);

#define SESSION_PASSWD_LEN	16
void	 util_session_passwd(int64_t, uint8_t [SESSION_PASSWD_LEN]);

#endif
