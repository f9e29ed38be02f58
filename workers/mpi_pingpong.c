/*
 * mpi_pingpong.c - ping-pong over MPI ranks: a token between rank 0 and
 * rank 1, by MPI_Send/MPI_Recv or by a flag put into the other rank's
 * window and polled.  Reports the round trip and, as osu_latency does,
 * half of it as the one-way latency.  Every token must come back in turn.
 * See pingpong.c (threads, processes), mpiform.c (its options).
 */
#include <mpi.h>

#include <stdio.h>

#include "mpiform.h"

/* send: rank 0 sends token i, rank 1 sends it back; the tokens out of turn. */
static uint64_t
by_send(const struct mpi_job *j, uint64_t n)
{
	uint64_t i, v, wrong = 0;
	int peer = 1 - j->rank;

	for (i = 1; i <= n; i++) {
		if (j->rank == 0)
			MPI_Send(&i, 1, MPI_UINT64_T, peer, 0, MPI_COMM_WORLD);
		MPI_Recv(&v, 1, MPI_UINT64_T, peer, 0, MPI_COMM_WORLD,
		    MPI_STATUS_IGNORE);
		wrong += v != i;
		if (j->rank == 1)
			MPI_Send(&v, 1, MPI_UINT64_T, peer, 0, MPI_COMM_WORLD);
	}
	return wrong;
}

/* Put token v into rank's flag and complete it there. */
static void
put_flag(MPI_Win win, int rank, uint64_t v)
{
	MPI_Accumulate(&v, 1, MPI_UINT64_T, rank, 0, 1, MPI_UINT64_T,
	    MPI_REPLACE, win);
	MPI_Win_flush(rank, win);
}

/* Poll this rank's own flag until token i is there; 1 if another came. */
static int
await_flag(MPI_Win win, int self, uint64_t i)
{
	unsigned polls = 0;
	uint64_t v;

	while ((v = mpi_read_u64(win, self, 0)) < i)
		mpi_poll_pause(&polls);	/* the other rank may share this core */
	return v != i;
}

/* rma: the token goes by flags in each other's window. */
static uint64_t
by_rma(const struct mpi_job *j, MPI_Win win, uint64_t n)
{
	uint64_t i, wrong = 0;
	int peer = 1 - j->rank;

	MPI_Win_lock_all(0, win);
	for (i = 1; i <= n; i++) {
		if (j->rank == 0)
			put_flag(win, peer, i);
		wrong += await_flag(win, j->rank, i);
		if (j->rank == 1)
			put_flag(win, peer, i);
	}
	MPI_Win_unlock_all(win);
	return wrong;
}

static void
judge(struct mpi_job *j, int via, uint64_t n, uint64_t wrong)
{
	struct outcome *o = &j->o;
	uint64_t rtt = n ? j->wall_ns / n : 0;

	o->sync = mpi_pingpong_vias[via];
	o->iterations = n;
	o->expected = n;
	o->observed = n - (wrong < n ? wrong : n);
	o->ops = n;
	o->verdict = wrong == 0 ? VERDICT_OK : VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), wrong == 0 ? "every token came "
	    "back in turn" : "%ju tokens out of turn", (uintmax_t)wrong);
	res_uint(o->extra, "rtt_ns", rtt, F_TABLE | F_NS | F_FINE);
	res_uint(o->extra, "latency_ns", rtt / 2, F_TABLE | F_NS | F_FINE);
	res_uint(o->extra, "out_of_turn", wrong, 0);
}

void
mpi_pingpong_run(struct mpi_job *j)
{
	int via = j->p->v[MP_VIA] == MP_ALL ? j->variant : (int)j->p->v[MP_VIA];
	uint64_t n = (uint64_t)j->p->v[MP_ITERATIONS], t0, wrong, all = 0;
	uint64_t *flag;
	MPI_Win win;

	mpi_win_zeroed(j, sizeof(*flag), &flag, &win);
	mpi_timed_start(j, &t0);
	wrong = via == MP_SEND ? by_send(j, n) : by_rma(j, win, n);
	mpi_timed_end(j, t0);
	MPI_Reduce(&wrong, &all, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
	if (j->rank == 0)
		judge(j, via, n, all);
	MPI_Win_free(&win);
}
