/* SPDX-License-Identifier: ISC */
/*
 * zkcli_out.c: zkcli's output, kept stable for scripts: a znode's stat in
 * zkCli.sh's words and order, permissions as zkCli.sh's letters, watch
 * event names as ZooKeeper's Java client spells them, and the few JSON
 * helpers -j needs (no JSON library: zkcli only writes JSON).
 *
 * In JSON, zxids and session ids are strings in zkCli.sh's hexadecimal
 * ("0x1f"), so that no consumer rounds a 64-bit number; times are numbers
 * (milliseconds since the epoch); data is a string when it is UTF-8, else
 * base64 under "dataBase64".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zookeeper.h>

#include "util.h"
#include "xmalloc.h"
#include "zkcli.h"

static int	 zkcli_out_utf8(const unsigned char *, size_t);

/* Prints a stat as zkCli.sh does, one "name = value" line per field. */
void
zkcli_out_stat_text(const struct zkcli_stat *st)
{
	char	 ctime[64], mtime[64];

	util_java_date(st->ctime, ctime, sizeof(ctime));
	util_java_date(st->mtime, mtime, sizeof(mtime));
	printf("cZxid = 0x%llx\n", (unsigned long long)st->czxid);
	printf("ctime = %s\n", ctime);
	printf("mZxid = 0x%llx\n", (unsigned long long)st->mzxid);
	printf("mtime = %s\n", mtime);
	printf("pZxid = 0x%llx\n", (unsigned long long)st->pzxid);
	printf("cversion = %d\n", st->cversion);
	printf("dataVersion = %d\n", st->version);
	printf("aclVersion = %d\n", st->aversion);
	printf("ephemeralOwner = 0x%llx\n",
	    (unsigned long long)st->ephemeral_owner);
	printf("dataLength = %d\n", st->data_length);
	printf("numChildren = %d\n", st->num_children);
}

/* Prints a stat as one JSON object, the same fields in the same order. */
void
zkcli_out_stat_json(const struct zkcli_stat *st)
{
	printf("{\"cZxid\":\"0x%llx\",\"ctime\":%lld,\"mZxid\":\"0x%llx\","
	    "\"mtime\":%lld,\"pZxid\":\"0x%llx\",\"cversion\":%d,"
	    "\"dataVersion\":%d,\"aclVersion\":%d,"
	    "\"ephemeralOwner\":\"0x%llx\",\"dataLength\":%d,"
	    "\"numChildren\":%d}",
	    (unsigned long long)st->czxid, (long long)st->ctime,
	    (unsigned long long)st->mzxid, (long long)st->mtime,
	    (unsigned long long)st->pzxid, st->cversion, st->version,
	    st->aversion, (unsigned long long)st->ephemeral_owner,
	    st->data_length, st->num_children);
}

/* Prints s as a JSON string, quoted and escaped. */
void
zkcli_out_json_string(const char *s)
{
	const unsigned char	*p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

/* Whether buf holds well-formed UTF-8 without NUL bytes. */
static int
zkcli_out_utf8(const unsigned char *p, size_t len)
{
	size_t		 i = 0, n, k;
	unsigned	 c;

	while (i < len) {
		c = p[i];
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((c == 0xe0 && p[i + 1] < 0xa0) ||
		    (c == 0xed && p[i + 1] > 0x9f) ||
		    (c == 0xf0 && p[i + 1] < 0x90) ||
		    (c == 0xf4 && p[i + 1] > 0x8f))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Prints a znode's data as JSON members: "data":null for null data,
 * "data":"..." for UTF-8, else "dataBase64":"...".
 */
void
zkcli_out_json_data(const char *buf, int len)
{
	char	*s;
	size_t	 n;

	if (len < 0) {
		printf("\"data\":null");
		return;
	}
	if (zkcli_out_utf8((const unsigned char *)buf, (size_t)len)) {
		s = xstrndup(buf, (size_t)len);
		printf("\"data\":");
		zkcli_out_json_string(s);
		free(s);
		return;
	}
	n = ((size_t)len + 2) / 3 * 4 + 1;
	s = xmalloc(n);
	util_base64((const uint8_t *)buf, (size_t)len, s, n);
	printf("\"dataBase64\":\"%s\"", s);
	free(s);
}

/* Writes perms as zkCli.sh's letters, in its order "cdrwa", into buf[6]. */
void
zkcli_out_perms(int perms, char *buf)
{
	char	*p = buf;

	if (perms & ZOO_PERM_CREATE)
		*p++ = 'c';
	if (perms & ZOO_PERM_DELETE)
		*p++ = 'd';
	if (perms & ZOO_PERM_READ)
		*p++ = 'r';
	if (perms & ZOO_PERM_WRITE)
		*p++ = 'w';
	if (perms & ZOO_PERM_ADMIN)
		*p++ = 'a';
	*p = '\0';
}

/* A watch event type's name (Watcher.Event.EventType). */
const char *
zkcli_out_event_name(int type)
{
	if (type == ZOO_CREATED_EVENT)
		return "NodeCreated";
	if (type == ZOO_DELETED_EVENT)
		return "NodeDeleted";
	if (type == ZOO_CHANGED_EVENT)
		return "NodeDataChanged";
	if (type == ZOO_CHILD_EVENT)
		return "NodeChildrenChanged";
	if (type == ZOO_SESSION_EVENT)
		return "None";
	if (type == ZOO_NOTWATCHING_EVENT)
		return "NotWatching";
	return "Unknown";
}
