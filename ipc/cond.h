/*
 * cond.h - process-shared condition variables on CLOCK_MONOTONIC.
 *
 * Waits take an absolute deadline (pthread_cond_clockwait) and pass
 * EOWNERDEAD up from the robust mutex they reacquire.  Per STYLE.md a shared
 * condvar is never destroyed after an abnormal run: unmap it instead.
 */
#ifndef IPC_COND_H
#define IPC_COND_H

#include <pthread.h>

#include "ipc.h"

int	ipc_cond_init(pthread_cond_t *);
int	ipc_cond_wait(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
int	ipc_cond_signal(pthread_cond_t *);
int	ipc_cond_broadcast(pthread_cond_t *);
void	ipc_cond_destroy(pthread_cond_t *);

#endif /* IPC_COND_H */
