/* SPDX-License-Identifier: ISC */
/*
 * snap.h: snapshots in ZooKeeper 3.8's FileSnap format (storage layer).
 * Grammar of a file version-2/snapshot.<last zxid in hex>:
 *
 *   snapshot   := FileHeader sessions acls nodes seal [digest seal]
 *   FileHeader := int magic ("ZKSN"), int version (2), long dbid (-1)
 *   sessions   := int count, (long id, int timeout) * count
 *   acls       := int count, (long number, vector<ACL>) * count
 *   nodes      := (ustring path, DataNode) * , ustring "/"
 *                 the root first with path "", then every node in preorder
 *   DataNode   := buffer data, long acl, StatPersisted
 *   StatPersisted := long czxid, long mzxid, long ctime, long mtime,
 *                 int version, int cversion, int aversion,
 *                 long ephemeralOwner, long pzxid
 *   seal       := long Adler32 of every byte before it, ustring "/"
 *   digest     := long zxid, int version, long digest   (3.6+, optional)
 *
 * zkd writes no digest and skips one it reads.  A snapshot is written to
 * a temporary file, synced, renamed into place and its directory synced,
 * so a name that exists always holds a whole snapshot.
 */
#ifndef ZK_SNAP_H
#define ZK_SNAP_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC	0x5a4b534e	/* "ZKSN" */
#define SNAP_VERSION	2

struct session_table;
struct tree;

int	 snap_write(const char *, int64_t, struct tree *,
	    struct session_table *, int, char **);
int	 snap_write_fd(int, struct tree *, struct session_table *);
int	 snap_install(const char *, int64_t, const uint8_t *, size_t, int,
	    char **);
int	 snap_read(const char *, size_t, int, struct tree **,
	    void (*)(void *, int64_t, int32_t), void *, char **);

#endif
