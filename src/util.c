/* SPDX-License-Identifier: ISC */
/*
 * util.c: clocks, atomic file writes, base64, java.util.Random (base layer).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "util.h"
#include "xmalloc.h"

int64_t
util_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
util_wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_to_wall(int64_t mono)
{
	return util_wall_ms() - util_now_ms() + mono;
}

/* Formats wall-clock ms as java.util.Date.toString(): "Mon Nov 23 09:41:43 UTC 2026". */
void
util_java_date(int64_t wall_ms, char *buf, size_t len)
{
	time_t		 t = (time_t)(wall_ms / 1000);
	struct tm	 tm;

	localtime_r(&t, &tm);
	if (strftime(buf, len, "%a %b %d %H:%M:%S %Z %Y", &tm) == 0 && len > 0)
		buf[0] = '\0';
}

/* Syncs a directory so that a rename or create in it is durable. */
int
util_fsync_dir(const char *dir)
{
	int	 fd, rv;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rv = fsync(fd);
	close(fd);
	return rv;
}

/*
 * Replaces path with buf atomically: temp file, fsync, rename, directory
 * fsync.  Returns 0, or -1 with errno set and path untouched.
 */
int
util_write_atomic(const char *path, const void *buf, size_t len)
{
	char		 tmp[PATH_MAX], dir[PATH_MAX], *slash;
	const char	*p = buf;
	ssize_t		 n;
	int		 fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return -1;
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else
		strlcpy(dir, ".", sizeof(dir));
	return util_fsync_dir(dir);
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

/* mkdir -p with the given mode; 0 or -1 with errno. */
int
util_mkdirs(const char *path, int mode)
{
	char	 buf[PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Sum of the sizes of the regular files directly in dir, as 'dirs' reports. */
int64_t
util_dir_size(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[PATH_MAX];
	int64_t		 total = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			total += st.st_size;
	}
	closedir(d);
	return total;
}

/* Standard base64 with padding; returns the length written (NUL added). */
size_t
util_base64(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t	 i, o = 0;
	uint32_t v;

	for (i = 0; i < len; i += 3) {
		if (o + 5 > outlen)
			break;
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tbl[(v >> 18) & 0x3f];
		out[o++] = tbl[(v >> 12) & 0x3f];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 0x3f] : '=';
		out[o++] = i + 2 < len ? tbl[v & 0x3f] : '=';
	}
	if (o < outlen)
		out[o] = '\0';
	return o;
}

/* Adler32 of len bytes continuing from a (start with 1), any length. */
uint32_t
util_adler32(uint32_t a, const uint8_t *p, size_t len)
{
	uLong	 v = a;

	while (len > 0) {
		uInt n = len > 0x40000000 ? 0x40000000 : (uInt)len;

		v = adler32(v, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)v;
}

/* FNV-1a over len bytes: the hash of every path-keyed table. */
uint64_t
util_hash(const char *s, size_t len)
{
	uint64_t	 h = 1469598103934665603ULL;

	while (len-- > 0) {
		h ^= (uint8_t)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

#define JRANDOM_MULT	0x5DEECE66DULL
#define JRANDOM_MASK	((1ULL << 48) - 1)

void
jrandom_init(struct jrandom *r, int64_t seed)
{
	r->seed = ((uint64_t)seed ^ JRANDOM_MULT) & JRANDOM_MASK;
}

int32_t
jrandom_next(struct jrandom *r, int bits)
{
	r->seed = (r->seed * JRANDOM_MULT + 0xBULL) & JRANDOM_MASK;
	return (int32_t)(uint32_t)(r->seed >> (48 - bits));
}

void
jrandom_bytes(struct jrandom *r, uint8_t *out, size_t len)
{
	size_t	 i = 0, n;
	int32_t	 rnd;

	while (i < len) {
		rnd = jrandom_next(r, 32);
		for (n = len - i < 4 ? len - i : 4; n-- > 0; rnd >>= 8)
			out[i++] = (uint8_t)rnd;
	}
}

/* The password of a session: 16 bytes of Random(id ^ 0xB3415C00). */
void
util_session_passwd(int64_t session_id, uint8_t out[SESSION_PASSWD_LEN])
{
	struct jrandom	 r;

	jrandom_init(&r, session_id ^ (int64_t)0xB3415C00LL);
	jrandom_bytes(&r, out, SESSION_PASSWD_LEN);
}

/*
 * A listening TCP socket (non-blocking, close-on-exec, SO_REUSEADDR) on
 * host:port.  Returns it, or -1 with errno set (EADDRINUSE when taken)
 * and *cause for a person.
 */
int
util_listen(const char *host, int port, int backlog, char **cause)
{
	struct addrinfo	 hints, *res = NULL;
	char		 portstr[16];
	int		 fd, one = 1, rv, saved;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((rv = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		xasprintf(cause, "%s:%d: %s", host, port, gai_strerror(rv));
		errno = EINVAL;
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, res->ai_addr, res->ai_addrlen) ==
	    -1 || listen(fd, backlog) == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		if (saved == EADDRINUSE)
			xasprintf(cause, "port %d is already in use (another "
			    "server on it?)", port);
		else
			xasprintf(cause, "%s:%d: %s", host, port,
			    strerror(saved));
		errno = saved;
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}
