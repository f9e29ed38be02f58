/*
 * mpi_barrier.c - barrier over MPI ranks: MPI_Barrier against a barrier
 * built on RMA (a counter on rank 0 every rank adds to, then polls with
 * sched_yield).  Every phase, each rank counts its arrival before the
 * barrier and checks after it that all had arrived (early == 0).
 * See barrier.c (threads, processes), mpiform.c (its options).
 */
#include <mpi.h>

#include <stdio.h>

#include "mpiform.h"

#define W_ARRIVE	0		/* the RMA barrier's own counter */
#define W_CHECK		8		/* arrivals, counted for the check */

/* Add 1 to a word on rank 0 and complete it there. */
static void
add_one(MPI_Win win, MPI_Aint disp)
{
	uint64_t one = 1, old;

	MPI_Fetch_and_op(&one, &old, MPI_UINT64_T, 0, disp, MPI_SUM, win);
	MPI_Win_flush(0, win);
}

/* The RMA barrier of phase r: arrive, then wait until all size ranks did. */
static void
rma_barrier(MPI_Win win, uint64_t r, int size)
{
	uint64_t want = (r + 1) * (uint64_t)size;
	unsigned polls = 0;

	add_one(win, W_ARRIVE);
	while (mpi_read_u64(win, 0, W_ARRIVE) < want)
		mpi_poll_pause(&polls);	/* an oversubscribed rank must get to arrive */
}

/* The phases; the ranks that left a phase before every rank arrived. */
static uint64_t
phases(struct mpi_job *j, MPI_Win win, int kind, uint64_t n)
{
	uint64_t r, early = 0, want;

	MPI_Win_lock_all(0, win);
	for (r = 0; r < n; r++) {
		want = (r + 1) * (uint64_t)j->size;
		add_one(win, W_CHECK);
		if (kind == MB_MPI)
			MPI_Barrier(MPI_COMM_WORLD);
		else
			rma_barrier(win, r, j->size);
		early += mpi_read_u64(win, 0, W_CHECK) < want;
	}
	MPI_Win_unlock_all(win);
	return early;
}

static void
judge(struct mpi_job *j, int kind, uint64_t n, uint64_t seen, uint64_t early)
{
	struct outcome *o = &j->o;

	o->sync = mpi_barrier_kinds[kind];
	o->iterations = n;
	o->expected = n * (uint64_t)j->size;
	o->observed = seen;
	o->ops = n;
	o->verdict = seen == o->expected && early == 0 ? VERDICT_OK :
	    VERDICT_FAIL;
	if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "no rank left a phase early");
	else
		snprintf(o->note, sizeof(o->note), "%ju early exits, %ju of %ju "
		    "arrivals", (uintmax_t)early, (uintmax_t)seen,
		    (uintmax_t)o->expected);
	res_uint(o->extra, "early", early, F_TABLE);
	res_uint(o->extra, "phase_ns", n ? j->wall_ns / n : 0, F_TABLE | F_NS);
}

void
mpi_barrier_run(struct mpi_job *j)
{
	int kind = j->p->v[MB_BARRIER] == MB_ALL ? j->variant :
	    (int)j->p->v[MB_BARRIER];
	uint64_t n = (uint64_t)j->p->v[MB_PHASES], t0, early, all = 0, seen = 0;
	uint64_t *base;
	MPI_Win win;

	mpi_win_zeroed(j, j->rank == 0 ? 16 : 0, &base, &win);
	mpi_timed_start(j, &t0);
	early = phases(j, win, kind, n);
	mpi_timed_end(j, t0);
	MPI_Reduce(&early, &all, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
	if (j->rank == 0) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		seen = mpi_read_u64(win, 0, W_CHECK);
		MPI_Win_unlock(0, win);
		judge(j, kind, n, seen, all);
	}
	MPI_Win_free(&win);
}
