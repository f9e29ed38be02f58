/*
 * rwlock.c - process-shared pthread rwlocks, reader- or writer-preferring.
 *
 * See rwlock.h.  The clock variants (glibc 2.30) keep every wait bounded.
 */
#include "rwlock.h"
#include "trace.h"
#include "tsan.h"

int
ipc_rwlock_init(pthread_rwlock_t *l, enum ipc_rwlock_pref pref)
{
	pthread_rwlockattr_t a;
	int kind, rc;

	kind = pref == IPC_RWLOCK_PREFER_WRITER ?
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP :
	    PTHREAD_RWLOCK_PREFER_READER_NP;
	if ((rc = pthread_rwlockattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_rwlockattr_setpshared(&a, PTHREAD_PROCESS_SHARED)) == 0 &&
	    (rc = pthread_rwlockattr_setkind_np(&a, kind)) == 0)
		rc = pthread_rwlock_init(l, &a);
	pthread_rwlockattr_destroy(&a);
	return rc;
}

int
ipc_rwlock_rdlock(pthread_rwlock_t *l, const struct timespec *deadline)
{
	int rc;

	ipc_trace(IPC_EV_TRY, IPC_K_RWLOCK, l);
	TSAN_LOCK_PRE(l, 1);
	rc = pthread_rwlock_clockrdlock(l, CLOCK_MONOTONIC, deadline);
	TSAN_LOCK_POST(l, 1, rc == 0);
	ipc_trace(rc == 0 ? IPC_EV_ACQ_READ : IPC_EV_FAIL, IPC_K_RWLOCK, l);
	return rc;
}

int
ipc_rwlock_wrlock(pthread_rwlock_t *l, const struct timespec *deadline)
{
	int rc;

	ipc_trace(IPC_EV_TRY, IPC_K_RWLOCK, l);
	TSAN_LOCK_PRE(l, 0);
	rc = pthread_rwlock_clockwrlock(l, CLOCK_MONOTONIC, deadline);
	TSAN_LOCK_POST(l, 0, rc == 0);
	ipc_trace(rc == 0 ? IPC_EV_ACQ : IPC_EV_FAIL, IPC_K_RWLOCK, l);
	return rc;
}

int
ipc_rwlock_unlock(pthread_rwlock_t *l)
{
	ipc_trace(IPC_EV_REL, IPC_K_RWLOCK, l);
	return pthread_rwlock_unlock(l);
}

void
ipc_rwlock_destroy(pthread_rwlock_t *l)
{
	pthread_rwlock_destroy(l);
}
