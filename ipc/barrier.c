/*
 * barrier.c - pthread_barrier_t, and a poisonable barrier built from a robust
 * mutex and a condvar.
 *
 * The poisonable one counts arrivals per generation; the last arriver starts
 * the next generation and wakes the rest.  Waiters leave when the generation
 * moves, when the barrier is poisoned, or at their deadline, which poisons it
 * for everyone: a barrier that one party gave up on is broken for all.
 * The hybrid one does the same with atomics and a futex word (no lock: a
 * dead party cannot leave it locked).
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "barrier.h"
#include "trace.h"
#include "cond.h"
#include "futex.h"
#include "mutex.h"

#define POISON_LOCK_NS	100000000u	/* how long poison waits for the lock */
/*
 * The hybrid barrier's word: bit 0 poison, bits 1-15 this round's
 * arrivals, bits 16-31 the generation.  One add counts an arrival and
 * tells the party which round it is in: no look at the word before.
 */
#define HYB_POISON	1u
#define HYB_ONE		2u		/* one arrival */
#define HYB_GEN		0x10000u	/* one round */
#define HYB_MAXPARTIES	0x7fffu
#define HYB_ARRIVED(w)	(((w) >> 1) & HYB_MAXPARTIES)
#define HYB_LOOKS	64		/* quick looks before the general wait */

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
	atomic_init(&b->word, 0);
	atomic_init(&b->sleepers, 0);
	atomic_init(&b->spin_ns, IPC_SPIN_MAX_NS / 4);

	/* More parties than CPUs: a spinner holds a CPU a late party needs (as libgomp). */
	b->spin_max = parties <= sysconf(_SC_NPROCESSORS_ONLN) ? IPC_SPIN_MAX_NS : 0;
	if (kind == IPC_BARRIER_HYBRID)
		return parties <= HYB_MAXPARTIES ? 0 : EINVAL;
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
	return ipc_mutex_lock_adopt(&b->lock, deadline, NULL);
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

/*
 * Hybrid: count one arrival (*before: the word as it found it); the last
 * one empties the count and moves the generation.  ECANCELED if poisoned.
 */
static int
hybrid_count(struct ipc_barrier *b, uint32_t *before)
{
	uint32_t w = atomic_fetch_add(&b->word, HYB_ONE);

	*before = w;
	if (w & HYB_POISON)
		return ECANCELED;
	if (HYB_ARRIVED(w) + 1 < b->parties)
		return 0;

	/*
	 * Both seq_cst: a waiter's count of itself and its look at word are
	 * too, so one of the two sees the other (no fence needed between).
	 */
	atomic_fetch_add(&b->word, HYB_GEN - b->parties * HYB_ONE);
	if (atomic_load(&b->sleepers) > 0)
		ipc_futex_wake(&b->word, INT_MAX, NULL);
	return IPC_BARRIER_SERIAL;
}

struct hybrid_round {
	const struct ipc_barrier	*b;
	uint32_t			 word;	/* as this party's arrival found it */
};

/* The round ended (the generation moved) or the barrier was poisoned. */
static int
hybrid_moved(const void *arg)
{
	const struct hybrid_round *h = arg;
	uint32_t w = atomic_load_explicit(&h->b->word, memory_order_acquire);

	return (w & HYB_POISON) || (w ^ h->word) >= HYB_GEN;
}

/* Spin, then sleep until the generation moves or the word is poisoned. */
static int
hybrid_wait(struct ipc_barrier *b, const struct timespec *deadline)
{
	struct hybrid_round h = { b, 0 };
	struct ipc_await a = { &b->word, &b->sleepers, &b->spin_ns,
	    b->spin_max, hybrid_moved, &h, 0 };
	unsigned i;
	int rc;

	if ((rc = hybrid_count(b, &h.word)) != 0)
		return rc;

	/* A few quick looks (if spinning is on): a round between running parties ends here. */
	for (i = 0; i < (b->spin_max ? HYB_LOOKS : 0); i++) {
		if (hybrid_moved(&h))
			goto moved;
		ipc_cpu_relax();
	}
	if ((rc = ipc_futex_await(&a, deadline, NULL)) != 0) {
		/* This party gives up: the barrier is broken for all. */
		ipc_barrier_poison(b);
		return rc;
	}
moved:
	return (atomic_load(&b->word) ^ h.word) >= HYB_GEN ? 0 : ECANCELED;
}

/* Arrive and leave at once: a party that must not block (the supervisor). */
int
ipc_barrier_arrive(struct ipc_barrier *b, const struct timespec *deadline)
{
	uint32_t w;
	int rc;

	if (b->kind == IPC_BARRIER_HYBRID)
		return hybrid_count(b, &w);
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
			rc = ipc_mutex_adopt(&b->lock,
			    ipc_cond_wait(&b->cv, &b->lock, deadline), NULL);
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
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	ipc_trace_to(tb, IPC_EV_ARRIVE, IPC_K_BARRIER, b);
	if (b->kind == IPC_BARRIER_COND)
		rc = barrier_cond_wait(b, deadline);
	else if (b->kind == IPC_BARRIER_HYBRID)
		rc = hybrid_wait(b, deadline);
	else if ((rc = pthread_barrier_wait(&b->pb)) == PTHREAD_BARRIER_SERIAL_THREAD)
		rc = IPC_BARRIER_SERIAL;
	ipc_trace_to(tb, IPC_EV_LEAVE, IPC_K_BARRIER, b);
	ipc_trace_unmute(tb);
	return rc;
}

/* Release every waiter with ECANCELED, now and in every later round. */
void
ipc_barrier_poison(struct ipc_barrier *b)
{
	struct timespec deadline;

	if (b->kind == IPC_BARRIER_HYBRID) {
		/* The futex word itself changes, so no sleeper can miss it. */
		atomic_store(&b->poisoned, 1);
		atomic_fetch_or(&b->word, HYB_POISON);
		ipc_futex_wake(&b->word, INT_MAX, NULL);
		return;
	}
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
	if (b->kind == IPC_BARRIER_HYBRID)
		return;		/* atomics only: nothing to release */
	if (b->kind == IPC_BARRIER_PTHREAD) {
		pthread_barrier_destroy(&b->pb);
		return;
	}
	ipc_cond_destroy(&b->cv);
	ipc_mutex_destroy(&b->lock);
}
