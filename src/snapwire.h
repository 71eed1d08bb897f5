/* SPDX-License-Identifier: ISC */
/*
 * snapwire.h: a snapshot on the quorum port, as ZooKeeper 3.8 sends it.
 *
 * A leader that brings a learner up by SNAP sends, on the stream:
 *
 *   QuorumPacket { SNAP, zxid, data absent }
 *   body       := sessions acls nodes        (snap.h's grammar)
 *   ustring "BenWasHere"
 *
 * The body is what a snapshot file holds between its FileHeader and its
 * seal; nothing says how long it is, so a learner finds its end by
 * reading it.  zkd's ZAB core moves snapshots as whole files; the quorum
 * port's code translates with these at the edge.
 */
#ifndef ZK_SNAPWIRE_H
#define ZK_SNAPWIRE_H

#include <stddef.h>
#include <stdint.h>

#define SNAPWIRE_SIGNATURE	"BenWasHere"

/* Where a scan of a body and its signature is (see snapwire_scan). */
struct snapwire_scan {
	int		 stage;
	int32_t		 left;		/* sessions, ACL entries left */
	int32_t		 items;		/* ACLs left in this entry */
	size_t		 off;		/* bytes read so far */
	size_t		 body_len;	/* once done: where the body ends */
	size_t		 max;		/* bound on any one length */
};

const uint8_t	*snapwire_body(const uint8_t *, size_t, size_t *);
void		 snapwire_scan_init(struct snapwire_scan *, size_t);
int		 snapwire_scan(struct snapwire_scan *, const uint8_t *, size_t);
uint8_t		*snapwire_file(const uint8_t *, size_t, size_t *);

#endif
