/*
 * futex.h - futex(2) wait and wake on a 32-bit word in shared memory, and
 * the spin-then-sleep discipline of shmsync's fast paths (queue, ring,
 * hybrid barrier).
 *
 * Waits are FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline, not
 * FUTEX_PRIVATE: the word may be shared by processes.  A waiter spins for an
 * adaptive, bounded time, then sleeps counted, so a notify with no sleeper
 * makes no system call.  A publisher on a hot path may skip its full fence
 * per item when the sleeper issues membarrier(2) instead (ipc_futex_asym,
 * ipc_futex_tell): an asymmetric fence, as in liburcu and Folly's
 * asymmetricHeavyBarrier.  See futex(2), Drepper's "Futexes Are Tricky".
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
	int			 asym;		/* notifiers fence lightly: see below */
};

int	ipc_futex_asym(void);
void	ipc_futex_heavy_fence(void);
int	ipc_futex_wait(_Atomic uint32_t *, uint32_t, const struct timespec *);
int	ipc_futex_wake(_Atomic uint32_t *, int, int *);
int	ipc_futex_await(const struct ipc_await *, const struct timespec *, int *);
void	ipc_futex_notify(_Atomic uint32_t *, atomic_uint *, int);

/*
 * After publishing: wake up to n sleepers on seq, if *waiters says there are
 * any.  The publish and the look at *waiters must not be reordered (else a
 * sleeper that counted itself just then sleeps through the publish): a full
 * fence here, or, when asym (both sides ran ipc_futex_asym() and the sleeper
 * side's await has .asym set), only a compiler fence, because the sleeper
 * then pays for both with ipc_futex_heavy_fence (membarrier(2)).
 */
static inline void
ipc_futex_tell(_Atomic uint32_t *seq, atomic_uint *waiters, int n, int asym)
{
	if (asym)
		atomic_signal_fence(memory_order_seq_cst);
	else
		ipc_full_fence();
	if (__builtin_expect(atomic_load_explicit(waiters,
	    memory_order_relaxed) == 0, 1))
		return;
	atomic_fetch_add(seq, 1);
	ipc_futex_wake(seq, n, NULL);
}

#endif /* IPC_FUTEX_H */
