/*
 * mutex.h - process-shared robust pthread mutexes, and a spinlock with a deadline.
 *
 * Every mutex is PTHREAD_PROCESS_SHARED and PTHREAD_MUTEX_ROBUST: when its
 * owner dies the next locker gets EOWNERDEAD and chooses to repair the state
 * (then ipc_mutex_consistent) or to give up; ipc_mutex_lock_adopt does the
 * common case, state with nothing to repair.  Locks wait until an absolute
 * CLOCK_MONOTONIC deadline (pthread_mutex_clocklock).  See pthread_mutexattr_setrobust(3).
 */
#ifndef IPC_MUTEX_H
#define IPC_MUTEX_H

#include <pthread.h>

#include "ipc.h"

enum ipc_mutex_type {
	IPC_MUTEX_NORMAL = PTHREAD_MUTEX_NORMAL,
	IPC_MUTEX_ERRORCHECK = PTHREAD_MUTEX_ERRORCHECK,
	IPC_MUTEX_RECURSIVE = PTHREAD_MUTEX_RECURSIVE,
};

int	ipc_mutex_init(pthread_mutex_t *, enum ipc_mutex_type);
int	ipc_mutex_lock(pthread_mutex_t *, const struct timespec *);
int	ipc_mutex_trylock(pthread_mutex_t *);
int	ipc_mutex_unlock(pthread_mutex_t *);
int	ipc_mutex_consistent(pthread_mutex_t *);
int	ipc_mutex_adopt(pthread_mutex_t *, int, int *);
int	ipc_mutex_lock_adopt(pthread_mutex_t *, const struct timespec *, int *);
void	ipc_mutex_destroy(pthread_mutex_t *);

int	ipc_spin_init(pthread_spinlock_t *);
int	ipc_spin_lock(pthread_spinlock_t *, const struct timespec *);
int	ipc_spin_unlock(pthread_spinlock_t *);
void	ipc_spin_destroy(pthread_spinlock_t *);

#endif /* IPC_MUTEX_H */
