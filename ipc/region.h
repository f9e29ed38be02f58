/*
 * region.h - one POSIX shared-memory object per run, mapped MAP_SHARED.
 *
 * Created O_CREAT|O_EXCL with mode 0600, sized with posix_fallocate so a full
 * /dev/shm is ENOSPC now rather than SIGBUS later, and unlinked as soon as
 * every user has it mapped (forked workers inherit the mapping).  See shm_open(3).
 */
#ifndef IPC_REGION_H
#define IPC_REGION_H

#include <stddef.h>

#include "ipc.h"

struct ipc_region {
	void	*base;
	size_t	 size;
	char	 name[IPC_NAME_MAX];	/* "" once unlinked */
};

int	ipc_region_create(struct ipc_region *, const char *, size_t);
int	ipc_region_attach(struct ipc_region *, const char *);
int	ipc_region_unlink(struct ipc_region *);
void	ipc_region_destroy(struct ipc_region *);

#endif /* IPC_REGION_H */
