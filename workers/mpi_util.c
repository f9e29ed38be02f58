/*
 * mpi_util.c - what the MPI forms' bodies share: a clock, the name of the
 * one-sided component that serves a window, the start and end barriers
 * that time a run, and one atomic read of a word in a window.
 * Built into shmsync-mpi only.  See mpiform.h.
 */
#include <mpi.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpiform.h"

uint64_t
mpi_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An MPI call that failed ends the job: every rank, with one line. */
void
mpi_check(int rc, const char *what)
{
	char msg[MPI_MAX_ERROR_STRING];
	int len = 0;

	if (rc == MPI_SUCCESS)
		return;
	MPI_Error_string(rc, msg, &len);
	fprintf(stderr, "shmsync-mpi: %s: %s\n", what, msg);
	MPI_Abort(MPI_COMM_WORLD, 1);
	exit(1);
}

/* "rdma", "pt2pt", "sm": Open MPI names a window "COMPONENT window N". */
void
mpi_win_named(struct mpi_job *j, MPI_Win win)
{
	char name[MPI_MAX_OBJECT_NAME] = "";
	int len = 0;

	MPI_Win_get_name(win, name, &len);
	name[strcspn(name, " ")] = '\0';
	strlcpy(j->osc, name[0] != '\0' ? name : "(unnamed)", sizeof(j->osc));
}

/*
 * A window of bytes on this rank (0 for none), zeroed, its component
 * named in the job, and fenced so every rank's zeroes are in place before
 * anyone reaches them; its memory in *base.
 */
void
mpi_win_zeroed(struct mpi_job *j, size_t bytes, void *base, MPI_Win *win)
{
	mpi_check(MPI_Win_allocate((MPI_Aint)bytes, 1, MPI_INFO_NULL,
	    MPI_COMM_WORLD, base, win), "MPI_Win_allocate (over tcp: Open MPI's "
	    "osc pt2pt component is needed, and missing)");
	if (bytes > 0)
		memset(*(void **)base, 0, bytes);
	mpi_win_named(j, *win);
	MPI_Win_fence(0, *win);
}

/* One 64-bit word of rank's window at disp, fetched atomically and completed. */
uint64_t
mpi_read_u64(MPI_Win win, int rank, MPI_Aint disp)
{
	uint64_t v = 0;

	MPI_Fetch_and_op(NULL, &v, MPI_UINT64_T, rank, disp, MPI_NO_OP, win);
	MPI_Win_flush(rank, win);
	return v;
}

/* Every rank starts together: the clock starts as the barrier opens. */
void
mpi_timed_start(struct mpi_job *j, uint64_t *t0)
{
	(void)j;
	MPI_Barrier(MPI_COMM_WORLD);
	*t0 = mpi_now_ns();
}

/* The run ends when the last rank is done: rank 0 keeps the wall time. */
void
mpi_timed_end(struct mpi_job *j, uint64_t t0)
{
	MPI_Barrier(MPI_COMM_WORLD);
	j->wall_ns = mpi_now_ns() - t0;
}

/*
 * Between two polls of a window: yield every 64th time.  A rank that never
 * yields starves an oversubscribed one it waits for (ms per round); one that
 * yields every time hands its core away for a whole slice on a busy machine.
 */
void
mpi_poll_pause(unsigned *polls)
{
	if (++*polls % 64 == 0)
		sched_yield();
}
