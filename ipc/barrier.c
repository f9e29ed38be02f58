/*
 * barrier.c - pthread_barrier_t, and a poisonable barrier built from a robust
 * mutex and a condvar.
 *
 * The poisonable one counts arrivals per generation; the last arriver starts
 * the next generation and wakes the rest.  Waiters leave when the generation
 * moves, when the barrier is poisoned, or at their deadline, which poisons it
 * for everyone: a barrier that one party gave up on is broken for all.
 */
#include <errno.h>

#include "barrier.h"
#include "cond.h"
#include "mutex.h"

#define POISON_LOCK_NS	100000000u	/* how long poison waits for the lock */

int
ipc_barrier_init(struct ipc_barrier *b, enum ipc_barrier_kind kind, unsigned parties)
{
	pthread_barrierattr_t a;
	int rc;

	if (parties == 0)
		return EINVAL;
	b->kind = kind;
	b->parties = parties;
	b->arrived = b->gen = 0;
	atomic_init(&b->poisoned, 0);
	if (kind == IPC_BARRIER_COND) {
		if ((rc = ipc_mutex_init(&b->lock, IPC_MUTEX_NORMAL)) != 0)
			return rc;
		if ((rc = ipc_cond_init(&b->cv)) != 0)
			ipc_mutex_destroy(&b->lock);
		return rc;
	}
	if ((rc = pthread_barrierattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_barrierattr_setpshared(&a, PTHREAD_PROCESS_SHARED)) == 0)
		rc = pthread_barrier_init(&b->pb, &a, parties);
	pthread_barrierattr_destroy(&a);
	return rc;
}

/* Lock, adopting the state of a dead owner: every field is written whole. */
static int
barrier_lock(struct ipc_barrier *b, const struct timespec *deadline)
{
	int rc;

	if ((rc = ipc_mutex_lock(&b->lock, deadline)) == EOWNERDEAD)
		rc = ipc_mutex_consistent(&b->lock);
	return rc;
}

/* Count one arrival; the last one opens the next generation. Lock held. */
static int
barrier_count(struct ipc_barrier *b)
{
	if (++b->arrived < b->parties)
		return 0;
	b->arrived = 0;
	b->gen++;
	ipc_cond_broadcast(&b->cv);
	return IPC_BARRIER_SERIAL;
}

/* Arrive and leave at once: a party that must not block (the supervisor). */
int
ipc_barrier_arrive(struct ipc_barrier *b, const struct timespec *deadline)
{
	int rc;

	if (b->kind != IPC_BARRIER_COND)
		return EINVAL;
	if ((rc = barrier_lock(b, deadline)) != 0)
		return rc;
	rc = atomic_load(&b->poisoned) ? ECANCELED : barrier_count(b);
	ipc_mutex_unlock(&b->lock);
	return rc;
}

static int
barrier_cond_wait(struct ipc_barrier *b, const struct timespec *deadline)
{
	unsigned gen;
	int rc;

	if ((rc = barrier_lock(b, deadline)) != 0)
		return rc;
	if (atomic_load(&b->poisoned)) {
		ipc_mutex_unlock(&b->lock);
		return ECANCELED;
	}
	gen = b->gen;
	if ((rc = barrier_count(b)) == 0) {
		/* Sleep until the generation moves, or someone gives up. */
		while (b->gen == gen && !atomic_load(&b->poisoned)) {
			rc = ipc_cond_wait(&b->cv, &b->lock, deadline);
			if (rc == EOWNERDEAD)
				rc = ipc_mutex_consistent(&b->lock);
			if (rc != 0)
				break;
		}
		if (b->gen != gen)
			rc = 0;
		else if (rc != 0) {
			/* This party gives up: the barrier is broken for all. */
			atomic_store(&b->poisoned, 1);
			ipc_cond_broadcast(&b->cv);
		} else
			rc = ECANCELED;
	}
	ipc_mutex_unlock(&b->lock);
	return rc;
}

/* 0 or IPC_BARRIER_SERIAL once all parties arrived; ETIMEDOUT; ECANCELED if poisoned. */
int
ipc_barrier_wait(struct ipc_barrier *b, const struct timespec *deadline)
{
	int rc;

	if (b->kind == IPC_BARRIER_COND)
		return barrier_cond_wait(b, deadline);
	rc = pthread_barrier_wait(&b->pb);
	return rc == PTHREAD_BARRIER_SERIAL_THREAD ? IPC_BARRIER_SERIAL : rc;
}

/* Release every waiter with ECANCELED, now and in every later round. */
void
ipc_barrier_poison(struct ipc_barrier *b)
{
	struct timespec deadline;

	if (b->kind != IPC_BARRIER_COND)
		return;
	atomic_store(&b->poisoned, 1);

	/* Under the lock, so no waiter sits between its check and its sleep. */
	ipc_deadline(&deadline, POISON_LOCK_NS);
	if (barrier_lock(b, &deadline) == 0) {
		ipc_cond_broadcast(&b->cv);
		ipc_mutex_unlock(&b->lock);
	} else
		ipc_cond_broadcast(&b->cv);
}

void
ipc_barrier_destroy(struct ipc_barrier *b)
{
	if (b->kind == IPC_BARRIER_PTHREAD) {
		pthread_barrier_destroy(&b->pb);
		return;
	}
	ipc_cond_destroy(&b->cv);
	ipc_mutex_destroy(&b->lock);
}
