/*
 * futex.c - futex wait/wake with deadlines, and the spin-then-sleep wait.
 *
 * A sleeper counts itself in *waiters, then reads *seq, then looks at its
 * condition once more; a notifier publishes, fences, and only if someone
 * sleeps bumps *seq and wakes.  Either the notifier sees the sleeper, or the
 * sleeper sees the published state: no lost wake-up.  See futex.h.
 */
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <unistd.h>

#include "futex.h"

#define SPIN_CLOCK_EVERY	32	/* spins between two looks at the clock */
#define SHORT_SLEEP		4	/* a sleep under 4 x spin_max was short */
#define SPIN_PAUSE_MAX		4	/* pauses between two looks, at most */
#define SPIN_EAGER		64	/* looks with a single pause between */

/*
 * Sleep while *uaddr == val, until woken or the absolute CLOCK_MONOTONIC
 * deadline: 0 (woken, perhaps spuriously), EAGAIN (*uaddr != val), ETIMEDOUT,
 * EINTR.
 */
int
ipc_futex_wait(_Atomic uint32_t *uaddr, uint32_t val, const struct timespec *deadline)
{
	if (deadline == NULL)
		return EINVAL;
	if (syscall(SYS_futex, (uint32_t *)uaddr, FUTEX_WAIT_BITSET, val,
	    deadline, NULL, FUTEX_BITSET_MATCH_ANY) == -1)
		return errno;
	return 0;
}

/*
 * Make this process (and whatever it forks from now on: the state is kept
 * across fork, dropped by exec) one whose fences ipc_futex_heavy_fence may
 * stand in for.  1 if membarrier(2) can do it here, 0 if not (old kernel,
 * a seccomp filter): callers then keep their full fences.
 */
int
ipc_futex_asym(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	if (cmds == -1 || !(cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) ||
	    !(cmds & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED))
		return 0;
	return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
	    0, 0) == 0;
}

/*
 * A full fence on this CPU and on every CPU now running a registered
 * process: a store they made before it is visible after it, a load they
 * make after it sees what this CPU stored before it.  Microseconds: for
 * the slow side only (a waiter about to sleep).  If it fails, the
 * registration went away, which cannot happen short of exec.
 */
void
ipc_futex_heavy_fence(void)
{
	ipc_full_fence();
	syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0);
	ipc_full_fence();
}

/* Wake up to n sleepers on uaddr; *woken (if not NULL) says how many. */
int
ipc_futex_wake(_Atomic uint32_t *uaddr, int n, int *woken)
{
	long rc;

	rc = syscall(SYS_futex, (uint32_t *)uaddr, FUTEX_WAKE, n, NULL, NULL, 0);
	if (rc == -1)
		return errno;
	if (woken != NULL)
		*woken = (int)rc;
	return 0;
}

/*
 * After a wait that slept: if the wake came soon (the other side was only a
 * little late, or itself waking up), a longer spin would have won, so double
 * the budget; if it came late, spinning was wasted, so halve it.
 */
static void
spin_adapt(const struct ipc_await *a, uint32_t budget, uint64_t waited)
{
	uint64_t want;

	if (waited < SHORT_SLEEP * (uint64_t)a->spin_max)
		want = 2 * (uint64_t)budget > a->spin_max ? a->spin_max : 2 * (uint64_t)budget;
	else
		want = budget / 2 < IPC_SPIN_MIN_NS ? IPC_SPIN_MIN_NS : budget / 2;
	if (want != budget)
		atomic_store_explicit(a->spin_ns, (uint32_t)want, memory_order_relaxed);
}

/*
 * Spin while the budget lasts: 1 if the condition came true meanwhile.  The
 * clock is read only from the first check on (*t0): a hand-off usually
 * lands within the first few looks.  Past the first microseconds, yield: on
 * an oversubscribed CPU the one we wait for may need ours.
 */
static int
spin(const struct ipc_await *a, uint32_t budget, uint64_t *t0)
{
	uint64_t spent;
	unsigned i, j, pause = 1;

	for (i = 1;; i++) {
		if (a->ready(a->arg))
			return 1;
		if (i % SPIN_CLOCK_EVERY != 0) {
			/*
			 * Past the first looks (a hand-off usually lands within
			 * them), look less often: each look takes the line away.
			 */
			for (j = 0; j < pause; j++)
				ipc_cpu_relax();
			if (i >= SPIN_EAGER)
				pause = pause < SPIN_PAUSE_MAX ? 2 * pause : pause;
			continue;
		}
		if (*t0 == 0)
			*t0 = ipc_now_ns();
		if ((spent = ipc_now_ns() - *t0) >= budget)
			return 0;
		if (spent >= IPC_SPIN_MIN_NS)
			sched_yield();
	}
}

/*
 * Wait until a->ready(a->arg): spin, then sleep counted in *a->waiters.
 * 0 once ready, ETIMEDOUT at the deadline, or futex's error.  *slept (if not
 * NULL) says whether the caller had to sleep.
 */
int
ipc_futex_await(const struct ipc_await *a, const struct timespec *deadline,
    int *slept)
{
	uint32_t seq, budget;
	uint64_t t0;
	int rc;

	if (slept != NULL)
		*slept = 0;
	if (a->ready(a->arg))
		return 0;
	t0 = 0;
	budget = atomic_load_explicit(a->spin_ns, memory_order_relaxed);
	budget = budget < a->spin_max ? budget : a->spin_max;
	if (budget > 0 && spin(a, budget, &t0))
		return 0;
	if (t0 == 0)
		t0 = ipc_now_ns();
	for (;;) {
		/* Count ourselves, fence, then look again (see ipc_futex_tell). */
		atomic_fetch_add(a->waiters, 1);
		if (a->asym)
			ipc_futex_heavy_fence();
		else
			ipc_full_fence();
		seq = atomic_load(a->seq);
		if (a->ready(a->arg)) {
			atomic_fetch_sub(a->waiters, 1);
			return 0;
		}
		if (slept != NULL)
			*slept = 1;
		rc = ipc_futex_wait(a->seq, seq, deadline);
		atomic_fetch_sub(a->waiters, 1);
		if (a->ready(a->arg)) {
			if (a->spin_max > 0)
				spin_adapt(a, budget, ipc_now_ns() - t0);
			return 0;
		}
		if (rc != 0 && rc != EAGAIN && rc != EINTR)
			return rc;
	}
}

/* After publishing: wake up to n sleepers, if there are any (no syscall if not). */
void
ipc_futex_notify(_Atomic uint32_t *seq, atomic_uint *waiters, int n)
{
	ipc_futex_tell(seq, waiters, n, 0);
}
