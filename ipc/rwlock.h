/*
 * rwlock.h - process-shared read-write locks with deadlines.
 *
 * glibc prefers readers by default, which can starve writers; the writer-
 * preferring kind (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) is the cure,
 * chosen at init.  Locks wait until an absolute CLOCK_MONOTONIC deadline.
 */
#ifndef IPC_RWLOCK_H
#define IPC_RWLOCK_H

#include <pthread.h>

#include "ipc.h"

enum ipc_rwlock_pref {
	IPC_RWLOCK_PREFER_READER,
	IPC_RWLOCK_PREFER_WRITER,
};

int	ipc_rwlock_init(pthread_rwlock_t *, enum ipc_rwlock_pref);
int	ipc_rwlock_rdlock(pthread_rwlock_t *, const struct timespec *);
int	ipc_rwlock_wrlock(pthread_rwlock_t *, const struct timespec *);
int	ipc_rwlock_unlock(pthread_rwlock_t *);
void	ipc_rwlock_destroy(pthread_rwlock_t *);

#endif /* IPC_RWLOCK_H */
