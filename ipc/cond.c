/*
 * cond.c - process-shared condvars whose waits end at a CLOCK_MONOTONIC deadline.
 *
 * Thin on purpose: the attributes are the lesson (pshared, monotonic clock);
 * the callers keep the predicate loop, as every condvar user must.  See cond.h.
 */
#include "cond.h"
#include "trace.h"

int
ipc_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int rc;

	if ((rc = pthread_condattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED)) == 0 &&
	    (rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC)) == 0)
		rc = pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return rc;
}

/* 0 (woken, maybe spuriously), ETIMEDOUT or EOWNERDEAD; the mutex is held again. */
int
ipc_cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *deadline)
{
	int rc;

	/* The mutex goes while the caller sleeps, and is held again after. */
	ipc_trace(IPC_EV_REL, IPC_K_MUTEX, m);
	ipc_trace(IPC_EV_WAIT, IPC_K_COND, c);
	rc = pthread_cond_clockwait(c, m, CLOCK_MONOTONIC, deadline);
	ipc_trace(IPC_EV_WAKE, IPC_K_COND, c);
	ipc_trace(IPC_EV_ACQ, IPC_K_MUTEX, m);
	return rc;
}

int
ipc_cond_signal(pthread_cond_t *c)
{
	ipc_trace(IPC_EV_NOTIFY, IPC_K_COND, c);
	return pthread_cond_signal(c);
}

int
ipc_cond_broadcast(pthread_cond_t *c)
{
	ipc_trace(IPC_EV_NOTIFY, IPC_K_COND, c);
	return pthread_cond_broadcast(c);
}

void
ipc_cond_destroy(pthread_cond_t *c)
{
	pthread_cond_destroy(c);
}
