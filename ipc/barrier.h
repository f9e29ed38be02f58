/*
 * barrier.h - process-shared barriers: pthread's, and one that can be poisoned.
 *
 * IPC_BARRIER_PTHREAD is a PTHREAD_PROCESS_SHARED pthread_barrier_t: fast to
 * explain, but its wait has no deadline and a dead party hangs the rest.
 * IPC_BARRIER_COND is a robust mutex + condvar + generation count + poison
 * flag: waits end at a deadline, and ipc_barrier_poison releases every waiter
 * with ECANCELED (as Python's Barrier.abort does).  Exactly one waiter per
 * round gets IPC_BARRIER_SERIAL.  See pthread_barrier_wait(3p).
 */
#ifndef IPC_BARRIER_H
#define IPC_BARRIER_H

#include <pthread.h>
#include <stdatomic.h>

#include "ipc.h"

#define IPC_BARRIER_SERIAL	PTHREAD_BARRIER_SERIAL_THREAD

enum ipc_barrier_kind {
	IPC_BARRIER_PTHREAD,
	IPC_BARRIER_COND,
};

struct ipc_barrier {
	enum ipc_barrier_kind	 kind;
	unsigned		 parties;
	pthread_barrier_t	 pb;		/* IPC_BARRIER_PTHREAD */
	pthread_mutex_t		 lock;		/* IPC_BARRIER_COND from here */
	pthread_cond_t		 cv;
	unsigned		 arrived;	/* in this generation */
	unsigned		 gen;		/* rounds completed */
	atomic_int		 poisoned;
};

int	ipc_barrier_init(struct ipc_barrier *, enum ipc_barrier_kind, unsigned);
int	ipc_barrier_wait(struct ipc_barrier *, const struct timespec *);
int	ipc_barrier_arrive(struct ipc_barrier *, const struct timespec *);
void	ipc_barrier_poison(struct ipc_barrier *);
void	ipc_barrier_destroy(struct ipc_barrier *);

#endif /* IPC_BARRIER_H */
