/*
 * mpi_counter.c - counter over MPI ranks: one 64-bit counter in an RMA
 * window on rank 0, incremented by every rank, unguarded (two atomic calls,
 * a race between them) and under each one-sided guard: an exclusive window
 * lock, fetch-and-op, accumulate, a CAS spinlock; and a pthread mutex in a
 * shared-memory window.  Every fetched value is read after MPI_Win_flush.
 * See counter.c (threads, processes), mpiform.c (its options).
 */
#include <mpi.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mpiform.h"

#define W_COUNTER	0			/* displacements in the window */
#define W_LOCK		8			/* the CAS lock: a 32-bit word */

/* none: read, then write value+1; each call is atomic, the pair is not. */
static void
inc_none(MPI_Win win, uint64_t n)
{
	uint64_t i, v;

	for (i = 0; i < n; i++) {
		v = mpi_read_u64(win, 0, W_COUNTER) + 1;
		MPI_Accumulate(&v, 1, MPI_UINT64_T, 0, W_COUNTER, 1,
		    MPI_UINT64_T, MPI_REPLACE, win);
		MPI_Win_flush(0, win);
	}
}

/* lock: get, add, put under MPI_LOCK_EXCLUSIVE (its own epoch per increment). */
static void
inc_lock(MPI_Win win, uint64_t n)
{
	uint64_t i, v;

	for (i = 0; i < n; i++) {
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
		MPI_Get(&v, 1, MPI_UINT64_T, 0, W_COUNTER, 1, MPI_UINT64_T, win);
		MPI_Win_flush(0, win);
		v++;
		MPI_Put(&v, 1, MPI_UINT64_T, 0, W_COUNTER, 1, MPI_UINT64_T, win);
		MPI_Win_unlock(0, win);
	}
}

/* fop and acc: the add is one call at the target. */
static void
inc_atomic(MPI_Win win, uint64_t n, int fop)
{
	uint64_t i, one = 1, old;

	for (i = 0; i < n; i++) {
		if (fop)
			MPI_Fetch_and_op(&one, &old, MPI_UINT64_T, 0, W_COUNTER,
			    MPI_SUM, win);
		else
			MPI_Accumulate(&one, 1, MPI_UINT64_T, 0, W_COUNTER, 1,
			    MPI_UINT64_T, MPI_SUM, win);
		MPI_Win_flush(0, win);
	}
}

/* cas: spin on a 32-bit compare-and-swap (yielding), then the unguarded pair. */
static void
inc_cas(MPI_Win win, uint64_t n)
{
	int32_t zero = 0, one = 1, seen, old;
	unsigned polls = 0;
	uint64_t i;

	for (i = 0; i < n; i++) {
		for (;;) {
			MPI_Compare_and_swap(&one, &zero, &seen, MPI_INT32_T, 0,
			    W_LOCK, win);
			MPI_Win_flush(0, win);
			if (seen == 0)
				break;
			mpi_poll_pause(&polls);	/* an oversubscribed holder must run */
		}
		inc_none(win, 1);
		MPI_Fetch_and_op(&zero, &old, MPI_INT32_T, 0, W_LOCK, MPI_REPLACE,
		    win);
		MPI_Win_flush(0, win);
	}
}

/* none, lock, fop, acc, cas: a window on rank 0; the counter read back at the end. */
static uint64_t
count_rma(struct mpi_job *j, int sync, uint64_t n)
{
	uint64_t *base, t0, v = 0;
	MPI_Win win;

	mpi_win_zeroed(j, j->rank == 0 ? 16 : 0, &base, &win);
	mpi_timed_start(j, &t0);
	if (sync != MS_LOCK)
		MPI_Win_lock_all(0, win);
	if (sync == MS_NONE)
		inc_none(win, n);
	else if (sync == MS_LOCK)
		inc_lock(win, n);
	else if (sync == MS_CAS)
		inc_cas(win, n);
	else
		inc_atomic(win, n, sync == MS_FOP);
	if (sync != MS_LOCK)
		MPI_Win_unlock_all(win);
	mpi_timed_end(j, t0);
	if (j->rank == 0) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		v = mpi_read_u64(win, 0, W_COUNTER);
		MPI_Win_unlock(0, win);
	}
	MPI_Win_free(&win);
	return v;
}

/* mutex: a process-shared pthread mutex beside the counter, in one node's shared window. */
static uint64_t
count_mutex(struct mpi_job *j, uint64_t n)
{
	struct { pthread_mutex_t m; uint64_t c; } *s;
	pthread_mutexattr_t a;
	MPI_Aint size;
	MPI_Win win;
	uint64_t i, t0, v;
	int du;

	mpi_check(MPI_Win_allocate_shared(j->rank == 0 ? sizeof(*s) : 0, 1,
	    MPI_INFO_NULL, MPI_COMM_WORLD, &s, &win),
	    "MPI_Win_allocate_shared (every rank must be on one node)");
	MPI_Win_shared_query(win, 0, &size, &du, &s);
	mpi_win_named(j, win);
	if (j->rank == 0) {
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutex_init(&s->m, &a);
		pthread_mutexattr_destroy(&a);
		s->c = 0;
	}
	mpi_timed_start(j, &t0);	/* the barrier publishes the mutex */
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&s->m);
		s->c++;
		pthread_mutex_unlock(&s->m);
	}
	mpi_timed_end(j, t0);		/* and every rank's last increment */
	v = s->c;
	MPI_Barrier(MPI_COMM_WORLD);
	if (j->rank == 0)
		pthread_mutex_destroy(&s->m);
	MPI_Win_free(&win);
	return v;
}

/* What rank 0 found: exact under a guard; the loss counted without one. */
static void
judge(struct mpi_job *j, int sync, uint64_t n, uint64_t v)
{
	struct outcome *o = &j->o;

	o->sync = mpi_counter_syncs[sync];
	o->iterations = n;
	o->expected = n * (uint64_t)j->size;
	o->observed = v;
	o->ops = o->expected;
	if (v == o->expected) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), sync == MS_NONE ? "no update "
		    "was lost this time; more iterations or ranks show the race" :
		    "exact");
	} else if (sync == MS_NONE && v < o->expected) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "lost %ju updates (%.1f%%)",
		    (uintmax_t)(o->expected - v),
		    100.0 * (double)(o->expected - v) / (double)o->expected);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "counter %ju, expected %ju",
		    (uintmax_t)v, (uintmax_t)o->expected);
	}
	res_uint(o->extra, "lost", o->expected > v ? o->expected - v : 0,
	    F_TABLE);
}

void
mpi_counter_run(struct mpi_job *j)
{
	int sync = j->p->v[MC_SYNC] == MS_ALL ? j->variant :
	    (int)j->p->v[MC_SYNC];
	uint64_t n = (uint64_t)j->p->v[MC_ITERATIONS], v;

	v = sync == MS_MUTEX ? count_mutex(j, n) : count_rma(j, sync, n);
	if (j->rank == 0)
		judge(j, sync, n, v);
}
