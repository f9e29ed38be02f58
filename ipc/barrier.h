/*
 * barrier.h - process-shared barriers: pthread's, and one that can be poisoned.
 *
 * IPC_BARRIER_PTHREAD is a PTHREAD_PROCESS_SHARED pthread_barrier_t: fast to
 * explain, but its wait has no deadline and a dead party hangs the rest.
 * IPC_BARRIER_COND is a robust mutex + condvar + generation count + poison
 * flag: waits end at a deadline, and ipc_barrier_poison releases every waiter
 * with ECANCELED (as Python's Barrier.abort does).  Exactly one waiter per
 * round gets IPC_BARRIER_SERIAL.  IPC_BARRIER_HYBRID is the same contract
 * without a lock: an atomic arrival count and a futex word holding the
 * generation and a poison bit; waiters spin a bounded, adaptive time, then
 * sleep on the word (futex.h).  See pthread_barrier_wait(3p).
 */
#ifndef IPC_BARRIER_H
#define IPC_BARRIER_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ipc.h"

#define IPC_BARRIER_SERIAL	PTHREAD_BARRIER_SERIAL_THREAD

enum ipc_barrier_kind {
	IPC_BARRIER_PTHREAD,
	IPC_BARRIER_COND,
	IPC_BARRIER_HYBRID,
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
	/* IPC_BARRIER_HYBRID: one line for the round's traffic. */
	alignas(64) _Atomic uint32_t word;	/* generation, arrivals, poisoned */
	atomic_uint		 sleepers;	/* on the futex word */
	_Atomic uint32_t	 spin_ns;	/* adaptive spin budget */
	uint32_t		 spin_max;	/* 0 when parties outnumber CPUs */
};

int	ipc_barrier_init(struct ipc_barrier *, enum ipc_barrier_kind, unsigned);
int	ipc_barrier_wait(struct ipc_barrier *, const struct timespec *);
int	ipc_barrier_arrive(struct ipc_barrier *, const struct timespec *);
void	ipc_barrier_poison(struct ipc_barrier *);
void	ipc_barrier_destroy(struct ipc_barrier *);

#endif /* IPC_BARRIER_H */
