/*
 * mutex.c - robust process-shared mutexes and deadline-bounded spinlocks.
 *
 * The mutex calls pass pthreads' return codes through untouched, EOWNERDEAD
 * included: what to do about a dead owner is the caller's decision.  A
 * spinlock has no timed lock in POSIX, so ipc_spin_lock spins on trylock,
 * yields every 128 tries and looks at the clock every few thousand.  See mutex.h.
 */
#include <errno.h>
#include <sched.h>

#include "compat.h"
#include "mutex.h"
#include "trace.h"
#include "tsan.h"

#define SPINS_PER_YIELD	128
#define SPINS_PER_CLOCK	4096

/* A robust, process-shared mutex of the given type, built in place. */
int
ipc_mutex_init(pthread_mutex_t *m, enum ipc_mutex_type type)
{
	pthread_mutexattr_t a;
	int rc;

	if ((rc = pthread_mutexattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED)) == 0 &&
	    (rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)) == 0 &&
	    (rc = pthread_mutexattr_settype(&a, (int)type)) == 0)
		rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

static int
mutex_lock(pthread_mutex_t *m, const struct timespec *deadline)
{
	int rc;

	TSAN_LOCK_PRE(m, 0);
	rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC, deadline);
	TSAN_LOCK_POST(m, 0, rc == 0 || rc == EOWNERDEAD);
	return rc;
}

static __attribute__((noinline, cold)) int
traced_lock(pthread_mutex_t *m, const struct timespec *deadline)
{
	int rc;

	ipc_trace(IPC_EV_TRY, IPC_K_MUTEX, m);
	rc = mutex_lock(m, deadline);
	ipc_trace(rc == 0 || rc == EOWNERDEAD ? IPC_EV_ACQ : IPC_EV_FAIL,
	    IPC_K_MUTEX, m);
	return rc;
}

/* 0, EOWNERDEAD (locked; repair then ipc_mutex_consistent), ETIMEDOUT, ... */
int
ipc_mutex_lock(pthread_mutex_t *m, const struct timespec *deadline)
{
	/* Untraced, the lock is a tail call: nothing in the way of a hot loop. */
	if (__builtin_expect(ipc_trace_cur != NULL, 0))
		return traced_lock(m, deadline);
	return mutex_lock(m, deadline);
}

/*
 * 0, EBUSY, EOWNERDEAD, ENOTRECOVERABLE, ...  A lock whose deadline has long
 * passed, not pthread_mutex_trylock: on a not-recoverable robust mutex glibc's
 * trylock returns ENOTRECOVERABLE but leaves the lock word holding our tid,
 * so every later locker would wait out its deadline instead of being told.
 */
int
ipc_mutex_trylock(pthread_mutex_t *m)
{
	static const struct timespec past;	/* 0 s on CLOCK_MONOTONIC */
	int rc;

	TSAN_LOCK_PRE(m, 0);
	rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &past);
	TSAN_LOCK_POST(m, 0, rc == 0 || rc == EOWNERDEAD);
	if (rc == 0 || rc == EOWNERDEAD)
		ipc_trace(IPC_EV_ACQ, IPC_K_MUTEX, m);
	return rc == ETIMEDOUT ? EBUSY : rc;
}

int
ipc_mutex_unlock(pthread_mutex_t *m)
{
	ipc_trace(IPC_EV_REL, IPC_K_MUTEX, m);
	return pthread_mutex_unlock(m);
}

int
ipc_mutex_consistent(pthread_mutex_t *m)
{
	return pthread_mutex_consistent(m);
}

/*
 * rc is what a lock or a condvar wait on m returned.  EOWNERDEAD: m is held
 * and its dead owner's state is taken as it is (marked consistent), so rc
 * becomes 0 or ipc_mutex_consistent's error; *adopted (if not NULL) says so,
 * for the caller to count.  Only for state that is whole at every
 * instruction: state a dying owner can leave half-changed must be repaired
 * before ipc_mutex_consistent, by hand (workers/crash.c shows how).
 */
int
ipc_mutex_adopt(pthread_mutex_t *m, int rc, int *adopted)
{
	if (adopted != NULL)
		*adopted = rc == EOWNERDEAD;
	if (rc != EOWNERDEAD)
		return rc;
	return ipc_mutex_consistent(m);
}

/* ipc_mutex_lock with a dead owner's lock adopted: never EOWNERDEAD. */
int
ipc_mutex_lock_adopt(pthread_mutex_t *m, const struct timespec *deadline,
    int *adopted)
{
	return ipc_mutex_adopt(m, ipc_mutex_lock(m, deadline), adopted);
}

void
ipc_mutex_destroy(pthread_mutex_t *m)
{
	pthread_mutex_destroy(m);
}

int
ipc_spin_init(pthread_spinlock_t *s)
{
	return pthread_spin_init(s, PTHREAD_PROCESS_SHARED);
}

/*
 * Spin until the lock is ours or the deadline passes (a dead holder never
 * lets go).  Every SPINS_PER_YIELD failed tries give the CPU away: with more
 * workers than CPUs the holder may be preempted, and spinning through whole
 * time slices would only keep it off the CPU.
 */
int
ipc_spin_lock(pthread_spinlock_t *s, const struct timespec *deadline)
{
	unsigned n = 0;

	ipc_trace(IPC_EV_TRY, IPC_K_SPIN, s);
	while (pthread_spin_trylock(s) != 0) {
		if (++n % SPINS_PER_YIELD == 0)
			sched_yield();
		if (n % SPINS_PER_CLOCK == 0 && ipc_expired(deadline)) {
			ipc_trace(IPC_EV_FAIL, IPC_K_SPIN, s);
			return ETIMEDOUT;
		}
		ipc_cpu_relax();
	}
	ipc_trace(IPC_EV_ACQ, IPC_K_SPIN, s);
	return 0;
}

int
ipc_spin_unlock(pthread_spinlock_t *s)
{
	ipc_trace(IPC_EV_REL, IPC_K_SPIN, s);
	return pthread_spin_unlock(s);
}

void
ipc_spin_destroy(pthread_spinlock_t *s)
{
	pthread_spin_destroy(s);
}
