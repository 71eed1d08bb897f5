/* SPDX-License-Identifier: ISC */
/*
 * datadir.h: the data directory's files (storage layer), laid out as
 * ZooKeeper 3.8's: dataDir/myid, dataDir/version-2/{snapshot.<zxid>,
 * acceptedEpoch, currentEpoch}, and dataLogDir/version-2/log.<zxid>
 * (dataLogDir defaults to dataDir).  File names carry zxids in hex.
 */
#ifndef ZK_DATADIR_H
#define ZK_DATADIR_H

#include <stddef.h>
#include <stdint.h>

struct datadir_file {
	int64_t		 zxid;
	char		*path;
};

struct datadir_list {
	struct datadir_file *v;
	size_t		 n;
};

int	 datadir_list(const char *, const char *, struct datadir_list *);
void	 datadir_list_free(struct datadir_list *);
int	 datadir_read_epoch(const char *, const char *, int64_t *);
int	 datadir_write_epoch(const char *, const char *, int64_t);
int	 datadir_purge(const char *, const char *, int, char **);
void	 datadir_remove_temps(const char *);

#endif
