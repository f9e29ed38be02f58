/*
 * event.c - the Event of event.h.  Every field is written in one store under
 * the mutex, so a lock inherited from a dead owner finds a usable event: it
 * is counted, declared consistent, and the call goes on.  A waiter leaves
 * when the flag is up or the generation moved (a set happened since it came).
 */
#include <errno.h>
#include <string.h>

#include "cond.h"
#include "event.h"
#include "trace.h"
#include "mutex.h"

int
ipc_event_init(struct ipc_event *ev)
{
	int rc;

	memset(ev, 0, sizeof(*ev));
	atomic_init(&ev->flag, 0);
	atomic_init(&ev->owner_deaths, 0);
	if ((rc = ipc_mutex_init(&ev->m, IPC_MUTEX_NORMAL)) != 0)
		return rc;
	if ((rc = ipc_cond_init(&ev->cv)) != 0)
		ipc_mutex_destroy(&ev->m);
	return rc;
}

/* A dead owner's lock (from lock or from the condvar wait): count, go on. */
static int
survive(struct ipc_event *ev, int rc)
{
	int adopted;

	rc = ipc_mutex_adopt(&ev->m, rc, &adopted);
	if (adopted)
		atomic_fetch_add(&ev->owner_deaths, 1);
	return rc;
}

static int
event_lock(struct ipc_event *ev, const struct timespec *deadline)
{
	return survive(ev, ipc_mutex_lock(&ev->m, deadline));
}

/* explain: event: set: raise the flag under the lock and wake every waiter */
/* Raise the flag and release every waiter; 0, ETIMEDOUT (lock), ... */
int
ipc_event_set(struct ipc_event *ev, const struct timespec *deadline)
{
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	if ((rc = event_lock(ev, deadline)) == 0) {
		atomic_store(&ev->flag, 1);
		ev->gen++;
		rc = ipc_cond_broadcast(&ev->cv);
		ipc_mutex_unlock(&ev->m);
		ipc_trace_to(tb, IPC_EV_NOTIFY, IPC_K_EVENT, ev);
	}
	ipc_trace_unmute(tb);
	return rc;
}
/* explain: end */

int
ipc_event_clear(struct ipc_event *ev, const struct timespec *deadline)
{
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	if ((rc = event_lock(ev, deadline)) == 0) {
		atomic_store(&ev->flag, 0);
		ipc_mutex_unlock(&ev->m);
	}
	ipc_trace_unmute(tb);
	return rc;
}

/*
 * Sleep on the condvar, or let go and call idle (then look again).  0 or
 * ETIMEDOUT with the mutex held again; any other code, not held.
 */
static int
pause_once(struct ipc_event *ev, const struct timespec *deadline,
    ipc_event_idle *idle, void *arg)
{
	int rc;

	if (idle == NULL)
		return survive(ev, ipc_cond_wait(&ev->cv, &ev->m, deadline));
	ipc_mutex_unlock(&ev->m);
	idle(arg);
	if ((rc = event_lock(ev, deadline)) != 0)
		return rc == ETIMEDOUT ? EAGAIN : rc;	/* not held */
	return ipc_expired(deadline) ? ETIMEDOUT : 0;
}

/* explain: event: wait: under the lock, sleep until the flag is up or a set came since */
/*
 * Wait until the event is set, or was set since we came: 0; ETIMEDOUT at the
 * deadline (Python's False).  With idle, never block: call it between looks.
 * Past a lock failure the caller is still counted in waiters: rare, harmless.
 */
static int
wait_idle(struct ipc_event *ev, const struct timespec *deadline,
    ipc_event_idle *idle, void *arg)
{
	unsigned gen;
	int rc;

	if ((rc = event_lock(ev, deadline)) != 0)
		return rc;
	gen = ev->gen;
	ev->waiting++;
	while (!atomic_load(&ev->flag) && ev->gen == gen && rc == 0)
		if ((rc = pause_once(ev, deadline, idle, arg)) != 0 &&
		    rc != ETIMEDOUT)
			return rc == EAGAIN ? ETIMEDOUT : rc;	/* not held */
	if (rc == ETIMEDOUT && (atomic_load(&ev->flag) || ev->gen != gen))
		rc = 0;	/* set just as the deadline passed: it counts */
	ev->waiting--;
	ipc_mutex_unlock(&ev->m);
	return rc;
}
/* explain: end */

int
ipc_event_wait_idle(struct ipc_event *ev, const struct timespec *deadline,
    ipc_event_idle *idle, void *arg)
{
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	ipc_trace_to(tb, IPC_EV_WAIT, IPC_K_EVENT, ev);
	rc = wait_idle(ev, deadline, idle, arg);
	ipc_trace_to(tb, IPC_EV_WAKE, IPC_K_EVENT, ev);
	ipc_trace_unmute(tb);
	return rc;
}

int
ipc_event_wait(struct ipc_event *ev, const struct timespec *deadline)
{
	return ipc_event_wait_idle(ev, deadline, NULL, NULL);
}

/* How many callers are inside a wait now (blocked, or about to be). */
int
ipc_event_waiters(struct ipc_event *ev, unsigned *n,
    const struct timespec *deadline)
{
	int rc;

	if ((rc = event_lock(ev, deadline)) != 0)
		return rc;
	*n = ev->waiting;
	ipc_mutex_unlock(&ev->m);
	return 0;
}

/* 1 when set, 0 when clear: a snapshot, no lock taken. */
int
ipc_event_is_set(const struct ipc_event *ev)
{
	return atomic_load(&ev->flag);
}

/* Per STYLE.md, only after a clean run: a dead waiter can hang the condvar. */
void
ipc_event_destroy(struct ipc_event *ev)
{
	ipc_cond_destroy(&ev->cv);
	ipc_mutex_destroy(&ev->m);
}
