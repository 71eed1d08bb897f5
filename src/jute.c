/* SPDX-License-Identifier: ISC */
/*
 * jute.c: bounded jute readers and a growing jute writer (codec layer).
 */
#include <stdlib.h>
#include <string.h>

#include "jute.h"
#include "xmalloc.h"

void
jute_in_init(struct jute_in *in, const void *buf, size_t len, size_t max)
{
	in->buf = buf;
	in->len = len;
	in->off = 0;
	in->max = max;
	in->err = 0;
	in->nul_seen = 0;
}

size_t
jute_in_left(const struct jute_in *in)
{
	return in->len - in->off;
}

static int
jute_need(struct jute_in *in, size_t n)
{
	if (in->err || in->len - in->off < n) {
		in->err = 1;
		return -1;
	}
	return 0;
}

int
jute_get_int(struct jute_in *in, int32_t *v)
{
	if (jute_need(in, 4) == -1)
		return -1;
	*v = (int32_t)jute_be32(in->buf + in->off);
	in->off += 4;
	return 0;
}

int
jute_get_long(struct jute_in *in, int64_t *v)
{
	if (jute_need(in, 8) == -1)
		return -1;
	*v = (int64_t)jute_be64(in->buf + in->off);
	in->off += 8;
	return 0;
}

int
jute_get_bool(struct jute_in *in, int *v)
{
	if (jute_need(in, 1) == -1)
		return -1;
	*v = in->buf[in->off++] != 0;
	return 0;
}

/* A buffer by reference into the input: *p stays valid as long as the input. */
int
jute_get_buffer(struct jute_in *in, const uint8_t **p, int32_t *len)
{
	int32_t	 n;

	if (jute_get_int(in, &n) == -1)
		return -1;
	if (n == -1) {
		*p = NULL;
		*len = -1;
		return 0;
	}
	if (n < 0 || (size_t)n > in->max || jute_need(in, (size_t)n) == -1) {
		in->err = 1;
		return -1;
	}
	*p = in->buf + in->off;
	*len = n;
	in->off += (size_t)n;
	return 0;
}

/*
 * A ustring as a new NUL-terminated copy (NULL for a null string).  A NUL
 * inside the string is remembered in nul_seen: callers treat such a path as
 * invalid instead of silently reading a shorter one.
 */
int
jute_get_string(struct jute_in *in, char **s)
{
	const uint8_t	*p;
	int32_t		 n;

	*s = NULL;
	if (jute_get_buffer(in, &p, &n) == -1)
		return -1;
	if (n == -1)
		return 0;
	if (memchr(p, '\0', (size_t)n) != NULL)
		in->nul_seen = 1;
	*s = xmalloc((size_t)n + 1);
	memcpy(*s, p, (size_t)n);
	(*s)[n] = '\0';
	return 0;
}

/* A vector count: -1 (null) reads as 0; counts are bounded by the input left. */
int
jute_get_count(struct jute_in *in, int32_t *n)
{
	if (jute_get_int(in, n) == -1)
		return -1;
	if (*n == -1) {
		*n = 0;
		return 0;
	}
	if (*n < 0 || (size_t)*n > in->max || (size_t)*n > jute_in_left(in)) {
		in->err = 1;
		return -1;
	}
	return 0;
}

void
jute_out_init(struct jute_out *out)
{
	out->buf = NULL;
	out->len = out->cap = 0;
}

void
jute_out_free(struct jute_out *out)
{
	free(out->buf);
	jute_out_init(out);
}

void
jute_out_reset(struct jute_out *out)
{
	out->len = 0;
}

static uint8_t *
jute_grow(struct jute_out *out, size_t n)
{
	size_t	 cap;

	if (out->cap - out->len < n) {
		cap = out->cap ? out->cap : 256;
		while (cap - out->len < n)
			cap *= 2;
		out->buf = xreallocarray(out->buf, cap, 1);
		out->cap = cap;
	}
	out->len += n;
	return out->buf + out->len - n;
}

void
jute_patch_int(struct jute_out *out, size_t at, int32_t v)
{
	uint8_t	*p = out->buf + at;

	p[0] = (uint8_t)((uint32_t)v >> 24);
	p[1] = (uint8_t)((uint32_t)v >> 16);
	p[2] = (uint8_t)((uint32_t)v >> 8);
	p[3] = (uint8_t)v;
}

void
jute_put_int(struct jute_out *out, int32_t v)
{
	jute_grow(out, 4);
	jute_patch_int(out, out->len - 4, v);
}

void
jute_put_long(struct jute_out *out, int64_t v)
{
	jute_put_int(out, (int32_t)((uint64_t)v >> 32));
	jute_put_int(out, (int32_t)(uint32_t)v);
}

void
jute_put_bool(struct jute_out *out, int v)
{
	*jute_grow(out, 1) = v ? 1 : 0;
}

void
jute_put_raw(struct jute_out *out, const void *p, size_t n)
{
	if (n > 0)
		memcpy(jute_grow(out, n), p, n);
}

void
jute_put_buffer(struct jute_out *out, const void *p, int32_t len)
{
	if (p == NULL || len < 0) {
		jute_put_int(out, -1);
		return;
	}
	jute_put_int(out, len);
	jute_put_raw(out, p, (size_t)len);
}

void
jute_put_string(struct jute_out *out, const char *s)
{
	if (s == NULL) {
		jute_put_int(out, -1);
		return;
	}
	jute_put_buffer(out, s, (int32_t)strlen(s));
}

/* Reserves a 4-byte length prefix; jute_put_frame_end fills it in. */
size_t
jute_put_frame_start(struct jute_out *out)
{
	jute_put_int(out, 0);
	return out->len - 4;
}

void
jute_put_frame_end(struct jute_out *out, size_t at)
{
	jute_patch_int(out, at, (int32_t)(out->len - at - 4));
}
