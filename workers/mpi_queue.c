/*
 * mpi_queue.c - producers and consumers over MPI ranks: each producer
 * sends its items round-robin to the consumers (MPI_Send), each consumer
 * takes them from any source (MPI_Recv) until every producer said stop.
 * Checked as the shared-memory queue is: every item exactly once, each
 * producer's items in order, from the rank that made them.
 * See queue.c (threads, processes), mpiform.c (its options).
 */
#include <mpi.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpiform.h"

#define TAG_ITEM	0
#define TAG_STOP	1

enum { Q_CONSUMED, Q_ORDER, Q_WRONG, NQ };	/* a consumer's counts */

/* Producer k: items k*n .. k*n+n-1, spread over the consumers, then stop to each. */
static void
produce(int k, int np, int nc, uint64_t n)
{
	uint64_t s, item;
	int c;

	for (s = 0; s < n; s++) {
		item = (uint64_t)k * n + s;
		MPI_Send(&item, 1, MPI_UINT64_T, np + (int)((k + s) % (uint64_t)nc),
		    TAG_ITEM, MPI_COMM_WORLD);
	}
	for (c = 0; c < nc; c++)
		MPI_Send(&s, 1, MPI_UINT64_T, np + c, TAG_STOP, MPI_COMM_WORLD);
}

/* A consumer: count each item, check its maker and its order, until np stops. */
static void
consume(int np, uint64_t n, uint8_t *seen, uint64_t *q)
{
	uint64_t item, *last;
	MPI_Status st;
	int stops = 0, k;

	if ((last = calloc((size_t)np, sizeof(*last))) == NULL)
		err(1, "queue");
	while (stops < np) {
		MPI_Recv(&item, 1, MPI_UINT64_T, MPI_ANY_SOURCE, MPI_ANY_TAG,
		    MPI_COMM_WORLD, &st);
		if (st.MPI_TAG == TAG_STOP) {
			stops++;
			continue;
		}
		k = (int)(item / n);
		if (item >= (uint64_t)np * n || k != st.MPI_SOURCE) {
			q[Q_WRONG]++;
			continue;
		}
		q[Q_ORDER] += item + 1 <= last[k];	/* items of k arrive in order */
		last[k] = item + 1;
		seen[item] += seen[item] < UINT8_MAX;
		q[Q_CONSUMED]++;
	}
	free(last);
}

static void
judge(struct mpi_job *j, int np, uint64_t n, const uint8_t *seen,
    const uint64_t *q)
{
	struct outcome *o = &j->o;
	uint64_t i, total = (uint64_t)np * n, once = 0, dups = 0;

	for (i = 0; i < total; i++) {
		once += seen[i] != 0;
		dups += seen[i] > 1 ? seen[i] - 1u : 0;
	}
	o->sync = "send";
	o->iterations = n;
	o->expected = total;
	o->observed = once;
	o->ops = total;
	o->verdict = once == total && dups == 0 && q[Q_ORDER] == 0 &&
	    q[Q_WRONG] == 0 && q[Q_CONSUMED] == total ? VERDICT_OK : VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), o->verdict == VERDICT_OK ?
	    "every item once, each producer's in order" : "%ju of %ju items, "
	    "%ju duplicates, %ju out of order", (uintmax_t)once,
	    (uintmax_t)total, (uintmax_t)dups, (uintmax_t)q[Q_ORDER]);
	res_uint(o->extra, "produced", total, 0);
	res_uint(o->extra, "consumed", q[Q_CONSUMED], 0);
	res_uint(o->extra, "duplicates", dups, F_TABLE);
	res_uint(o->extra, "out_of_order", q[Q_ORDER], F_TABLE);
	res_uint(o->extra, "wrong_source", q[Q_WRONG], 0);
}

void
mpi_queue_run(struct mpi_job *j)
{
	int np = (int)j->p->v[MQ_PRODUCERS], nc = j->size - np;
	uint64_t n = (uint64_t)j->p->v[MQ_ITEMS], t0, q[NQ] = { 0 }, all[NQ];
	size_t total = (size_t)np * n;
	uint8_t *seen, *sum = NULL;

	if ((seen = calloc(total, 1)) == NULL ||
	    (j->rank == 0 && (sum = calloc(total, 1)) == NULL))
		err(1, "queue");
	strlcpy(j->osc, "none", sizeof(j->osc));	/* two-sided only */
	mpi_timed_start(j, &t0);
	if (j->rank < np)
		produce(j->rank, np, nc, n);
	else
		consume(np, n, seen, q);
	mpi_timed_end(j, t0);
	/* Items seen, summed over the consumers: each must be 1. */
	MPI_Reduce(seen, sum, (int)total, MPI_UINT8_T, MPI_SUM, 0, MPI_COMM_WORLD);
	MPI_Reduce(q, all, NQ, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
	if (j->rank == 0)
		judge(j, np, n, sum, all);
	free(seen);
	free(sum);
}
