/*
 * futex.h - futex(2) wait and wake on a 32-bit word in shared memory, and
 * the spin-then-sleep discipline of shmsync's fast paths (queue, ring,
 * hybrid barrier).
 *
 * Waits are FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline, not
 * FUTEX_PRIVATE: the word may be shared by processes.  A waiter spins for an
 * adaptive, bounded time, then sleeps counted, so a notify with no sleeper
 * makes no system call.  See futex(2), Drepper's "Futexes Are Tricky".
 */
#ifndef IPC_FUTEX_H
#define IPC_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>

#include "compat.h"		/* ipc_cpu_relax, for the spinners */
#include "ipc.h"

#define IPC_SPIN_MAX_NS	50000u	/* about one cross-CPU wake-up: spin no longer */
#define IPC_SPIN_MIN_NS	2000u	/* the budget never adapts below this */

/* What a waiter waits for, and where it spins, sleeps and is counted. */
struct ipc_await {
	_Atomic uint32_t	*seq;		/* futex word; ipc_futex_notify bumps it */
	atomic_uint		*waiters;	/* sleepers on seq (spinners are not) */
	_Atomic uint32_t	*spin_ns;	/* the adaptive budget, shared */
	uint32_t		 spin_max;	/* its bound in ns; 0: sleep at once */
	int			(*ready)(const void *);
	const void		*arg;
};

int	ipc_futex_wait(_Atomic uint32_t *, uint32_t, const struct timespec *);
int	ipc_futex_wake(_Atomic uint32_t *, int, int *);
int	ipc_futex_await(const struct ipc_await *, const struct timespec *, int *);
void	ipc_futex_notify(_Atomic uint32_t *, atomic_uint *, int);

#endif /* IPC_FUTEX_H */
