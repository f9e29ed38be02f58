/*
 * mpiform.c - the demos' forms over MPI ranks, as data: the options each
 * takes with -m mpi, its variants, and the lesson explain adds.  MPI-free,
 * so shmsync can parse, check and list them; the bodies (mpi_*.c) are weak
 * references here, defined only in shmsync-mpi.  See mpiform.h.
 */
#include <stddef.h>

#include "mpiform.h"

#pragma weak mpi_counter_run
#pragma weak mpi_barrier_run
#pragma weak mpi_pingpong_run
#pragma weak mpi_queue_run

const char *const mpi_nets[] = { [NET_SHM] = "shm", [NET_TCP] = "tcp", NULL };

const char *const mpi_counter_syncs[] = {
	[MS_NONE] = "none", [MS_LOCK] = "lock", [MS_FOP] = "fop",
	[MS_ACC] = "acc", [MS_CAS] = "cas", [MS_MUTEX] = "mutex",
	[MS_ALL] = "all", NULL
};
const char *const mpi_barrier_kinds[] = {
	[MB_MPI] = "mpi", [MB_RMA] = "rma", [MB_ALL] = "all", NULL
};
const char *const mpi_pingpong_vias[] = {
	[MP_SEND] = "send", [MP_RMA] = "rma", [MP_ALL] = "all", NULL
};

/*
 * -m thread,process,mpi: the demo's keywords that name another one here.
 * atomic's fetch-add is MPI_Fetch_and_op; a library barrier is MPI_Barrier;
 * sleeping on a semaphore is a blocking MPI_Recv, spinning on a flag an
 * RMA flag polled.  none, mutex, cas and all keep their names.
 */
static const char *const counter_twins[] = { "sync", "atomic", "fop", NULL };
static const char *const barrier_twins[] = { "barrier", "pthread", "mpi", NULL };
static const char *const pingpong_twins[] = { "via", "sem", "send",
	"via", "spin", "rma", NULL };

static const struct optdef counter_opts[] = {
	[MC_WORKERS] = { "workers", 'w', "N", 1, 256, 2, NULL, "MPI ranks" },
	[MC_ITERATIONS] = { "iterations", 'n', "N", 1, 1 << 30, 50000, NULL,
	  "increments per rank" },
	[MC_SYNC] = { "sync", 's', "GUARD", 0, 0, MS_ALL, mpi_counter_syncs,
	  "none (fetch NO_OP, then accumulate REPLACE: two steps),\n"
	  "                         lock (exclusive window lock), fop (fetch-and-op\n"
	  "                         SUM), acc (accumulate SUM), cas (a CAS spinlock\n"
	  "                         on a 32-bit word), mutex (a process-shared pthread\n"
	  "                         mutex in an MPI_Win_allocate_shared window), or all" },
	[MC_NET] = OPT_NET,
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

static const struct optdef barrier_opts[] = {
	[MB_WORKERS] = { "workers", 'w', "N", 2, 256, 4, NULL, "MPI ranks" },
	[MB_PHASES] = { "phases", 'r', "R", 1, 1 << 24, 1000, NULL,
	  "phases (barrier rounds)" },
	[MB_BARRIER] = { "barrier", 'b', "KIND", 0, 0, MB_ALL, mpi_barrier_kinds,
	  "mpi (MPI_Barrier), rma (a counter on rank 0 that\n"
	  "                         every rank adds to, then polls), or all" },
	[MB_NET] = OPT_NET,
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

static const struct optdef pingpong_opts[] = {
	[MP_ITERATIONS] = { "iterations", 'n', "N", 1, 1 << 26, 10000, NULL,
	  "round trips between rank 0 and rank 1" },
	[MP_VIA] = { "via", 'V', "HOW", 0, 0, MP_ALL, mpi_pingpong_vias,
	  "send (MPI_Send/MPI_Recv), rma (a flag put into the\n"
	  "                         other rank's window, polled), or all" },
	[MP_NET] = OPT_NET,
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

static const struct optdef queue_opts[] = {
	[MQ_PRODUCERS] = { "producers", 'p', "P", 1, 128, 2, NULL,
	  "producer ranks" },
	[MQ_CONSUMERS] = { "consumers", 'c', "C", 1, 128, 2, NULL,
	  "consumer ranks" },
	[MQ_ITEMS] = { "items", 'n', "N", 1, MQ_MAX_ITEMS, 100000, NULL,
	  "items per producer (producers x items at most 16777216)" },
	[MQ_NET] = OPT_NET,
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

/* How many ranks mpirun starts. */
static unsigned
counter_ranks(const struct params *p)
{
	return (unsigned)p->v[MC_WORKERS];
}

static unsigned
barrier_ranks(const struct params *p)
{
	return (unsigned)p->v[MB_WORKERS];
}

static unsigned
pingpong_ranks(const struct params *p)
{
	(void)p;
	return 2;
}

static unsigned
queue_ranks(const struct params *p)
{
	return (unsigned)(p->v[MQ_PRODUCERS] + p->v[MQ_CONSUMERS]);
}

/* A keyword option at "all" runs each of its values in turn (mutex: not over tcp). */
static int
counter_variants(const struct params *p)
{
	if (p->v[MC_SYNC] != MS_ALL)
		return 1;
	return p->v[MC_NET] == NET_TCP ? MS_MUTEX : MS_ALL;
}

static const char *
counter_validate(const struct params *p)
{
	if (p->v[MC_SYNC] == MS_MUTEX && p->v[MC_NET] == NET_TCP)
		return "--sync mutex shares memory between ranks on one node, "
		    "with no network: use --net shm";
	return NULL;
}

static int
barrier_variants(const struct params *p)
{
	return p->v[MB_BARRIER] == MB_ALL ? MB_ALL : 1;
}

static int
pingpong_variants(const struct params *p)
{
	return p->v[MP_VIA] == MP_ALL ? MP_ALL : 1;
}

static const char *
queue_validate(const struct params *p)
{
	if (p->v[MQ_PRODUCERS] * p->v[MQ_ITEMS] > MQ_MAX_ITEMS)
		return "--items: producers x items is at most 16777216 over MPI";
	return NULL;
}

const struct mpi_form mpi_form_counter = {
	.opts = counter_opts,
	.twins = counter_twins,
	.ranks = counter_ranks,
	.variants = counter_variants,
	.validate = counter_validate,
	.proves = "counter == ranks x iterations under every guard; unguarded, "
	    "the lost updates are counted",
	.run = mpi_counter_run,
	.explain =
	    "Over MPI ranks (-m mpi): the counter lives in an RMA window on rank 0.\n"
	    "none reads it with MPI_Fetch_and_op(MPI_NO_OP) and writes value+1 with\n"
	    "MPI_Accumulate(MPI_REPLACE): each call is atomic, the pair is not, and\n"
	    "updates are lost as between threads.  lock wraps get-add-put in\n"
	    "MPI_Win_lock(MPI_LOCK_EXCLUSIVE); fop and acc add in one call\n"
	    "(MPI_Fetch_and_op, MPI_Accumulate with MPI_SUM); cas builds a spinlock\n"
	    "from MPI_Compare_and_swap on a 32-bit word (the 64-bit one crashes in\n"
	    "Debian's Open MPI 4.1, ompi#7967); mutex puts a process-shared pthread\n"
	    "mutex in an MPI_Win_allocate_shared window (ranks on one node).\n"
	    "\n"
	    "The lesson of one-sided calls: a value fetched by MPI_Get or\n"
	    "MPI_Fetch_and_op is valid only after MPI_Win_flush (or the unlock)\n"
	    "completes the call.  In the prototypes behind this form, reading it\n"
	    "earlier was exact over shared memory, where the call completes at once,\n"
	    "and lost updates over TCP, where it does not: every body here flushes\n"
	    "before it reads.\n"
	    "\n"
	    "Try: shmsync counter -m mpi -w 2; then --net tcp: the same verdicts,\n"
	    "hundreds of times the cost per operation.\n",
};

const struct mpi_form mpi_form_barrier = {
	.opts = barrier_opts,
	.twins = barrier_twins,
	.ranks = barrier_ranks,
	.variants = barrier_variants,
	.proves = "every rank has arrived at a phase before any leaves it "
	    "(early == 0)",
	.run = mpi_barrier_run,
	.explain =
	    "Over MPI ranks (-m mpi): MPI_Barrier against a barrier built on RMA (each\n"
	    "rank adds 1 to a counter on rank 0, then polls it until every rank of the\n"
	    "phase has arrived, yielding between polls: without sched_yield an\n"
	    "oversubscribed rank starves the one it waits for).  Every phase checks\n"
	    "that no rank left before all arrived (early).\n",
};

const struct mpi_form mpi_form_pingpong = {
	.opts = pingpong_opts,
	.twins = pingpong_twins,
	.ranks = pingpong_ranks,
	.variants = pingpong_variants,
	.proves = "every token comes back in turn; the round trip and half "
	    "of it (latency) are measured",
	.run = mpi_pingpong_run,
	.explain =
	    "Over MPI ranks (-m mpi, two ranks): MPI_Send/MPI_Recv against a flag put\n"
	    "into the other rank's window and polled.  rtt is the round trip;\n"
	    "latency is half of it, as osu_latency reports.\n",
};

const struct mpi_form mpi_form_queue = {
	.opts = queue_opts,
	.ranks = queue_ranks,
	.validate = queue_validate,
	.proves = "every item arrives exactly once, each producer's in order, "
	    "from the rank that made it",
	.run = mpi_queue_run,
	.explain =
	    "Over MPI ranks (-m mpi, producers + consumers ranks): each producer sends\n"
	    "its items round-robin to the consumers with MPI_Send; each consumer takes\n"
	    "them with MPI_Recv from any source.  Every item must arrive exactly once\n"
	    "and each producer's items in order, as the shared-memory queue checks.\n",
};
