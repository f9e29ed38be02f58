/*
 * sem.h - named POSIX semaphores, created exclusively and unlinked early.
 *
 * ipc_sem_open makes a new semaphore (O_CREAT|O_EXCL, 0600) under a per-run
 * name; the caller unlinks the name as soon as every user has the semaphore
 * (forked workers inherit the mapping).  Waits retry EINTR and end at an
 * absolute CLOCK_MONOTONIC deadline (sem_clockwait).  See sem_overview(7).
 */
#ifndef IPC_SEM_H
#define IPC_SEM_H

#include <semaphore.h>

#include "ipc.h"

struct ipc_sem {
	sem_t	*sem;
	char	 name[IPC_NAME_MAX];	/* "" once unlinked */
};

int	ipc_sem_open(struct ipc_sem *, const char *, unsigned);
int	ipc_sem_unlink(struct ipc_sem *);
void	ipc_sem_close(struct ipc_sem *);
int	ipc_sem_wait(sem_t *, const struct timespec *);
int	ipc_sem_trywait(sem_t *);
int	ipc_sem_post(sem_t *);
int	ipc_sem_value(sem_t *, int *);

#endif /* IPC_SEM_H */
