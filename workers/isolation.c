/*
 * isolation.c - processes run in separate memory, threads share it.
 *
 * Each worker adds 1, N times, to a plain global variable and to a counter
 * in the shared region (both with atomic adds: the lesson is where the
 * memory is, not the race).  Threads reach the total in both.  Forked
 * processes reach it only in the region: each adds to its own copy of the
 * global, and the launcher's stays 0.
 */
#include <stdio.h>

#include "worker.h"

enum { O_WORKERS, O_ITERATIONS, O_NOPTS };

static const struct optdef isolation_opts[] = {
	[O_WORKERS] = OPT_WORKERS(4),
	[O_ITERATIONS] = { "iterations", 'n', "N", 1, 1 << 30, 100000, NULL,
	  "iterations per worker" },
	[O_NOPTS] = { NULL }
};

/* explain: isolation: a plain global: one per process, one for all threads */
static _Atomic uint64_t global;		/* private to each process */
/* explain: end */

struct istate {
	alignas(CACHE_LINE) _Atomic uint64_t shared;
	alignas(CACHE_LINE) _Atomic uint64_t seen_min;	/* the global, as workers saw it */
	_Atomic uint64_t seen_max;
};

static unsigned
isolation_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
isolation_size(const struct run *r)
{
	(void)r;
	return sizeof(struct istate);
}

static void
isolation_setup(struct run *r)
{
	struct istate *s = r->state;

	atomic_store(&global, 0);
	atomic_store(&s->seen_min, UINT64_MAX);
}

static void
isolation_work(struct run *r, unsigned id)
{
	struct istate *s = r->state;
	uint64_t i, v, m;

	/* explain: isolation: the same two adds, to the global and to the shared region */
	for (i = 0; i < (uint64_t)r->p->v[O_ITERATIONS]; i++) {
		inject_point(r, id, i);
		atomic_fetch_add_explicit(&global, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->shared, 1, memory_order_relaxed);
	}
	/* explain: end */

	/* What this worker's global says at its end: N in a process of its own. */
	v = atomic_load(&global);
	for (m = atomic_load(&s->seen_min); v < m &&
	    !atomic_compare_exchange_weak(&s->seen_min, &m, v);)
		continue;
	for (m = atomic_load(&s->seen_max); v > m &&
	    !atomic_compare_exchange_weak(&s->seen_max, &m, v);)
		continue;
}

static void
isolation_check(const struct run *r, struct outcome *o)
{
	const struct istate *s = r->state;
	uint64_t n = (uint64_t)r->p->v[O_ITERATIONS], total = r->nworkers * n;
	uint64_t g = atomic_load(&global), sh = atomic_load(&s->shared);
	int threads = r->mode == MODE_THREAD;

	o->sync = "atomic";
	o->iterations = n;
	o->expected = threads ? total : 0;
	o->observed = g;
	o->ops = 2 * total;
	if (sh == total && g == o->expected && (threads ||
	    (atomic_load(&s->seen_min) == n && atomic_load(&s->seen_max) == n))) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), threads ?
		    "one memory: the global reached %ju too" :
		    "each process counted %ju in its own copy; the launcher's is 0",
		    (uintmax_t)(threads ? total : n));
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "global %ju, shared %ju of %ju",
		    (uintmax_t)g, (uintmax_t)sh, (uintmax_t)total);
	}
	res_uint(o->extra, "global", g, F_TABLE);
	res_uint(o->extra, "shared", sh, F_TABLE);
	res_uint(o->extra, "worker_saw_max", atomic_load(&s->seen_max), F_TABLE);
}

const struct worker worker_isolation = {
	.name = "isolation",
	.desc = "processes have their own memory, threads share it: a global vs the region",
	.proves = "threads: global == shared == workers x N; processes: shared == "
	    "workers x N, the launcher's global == 0, each worker's copy == N",
	.explain =
	    "Each worker adds to a plain global variable and to a counter in shared\n"
	    "memory.\n"
	    "\n"
	    "Primitive: none; fork copies memory, threads share it.\n"
	    "\n"
	    "Columns: global is the launcher's copy of the global after the run, shared\n"
	    "the region's counter, worker_saw_max the largest value a worker saw in its\n"
	    "own global.\n"
	    "\n"
	    "Try: --mode both (compare the rows); -w 16.\n"
	    "\n"
	    "Pitfalls: after fork, every variable is private unless it lives in a\n"
	    "MAP_SHARED mapping (shm_open, or mmap MAP_SHARED|MAP_ANONYMOUS before\n"
	    "fork).\n",
	.opts = isolation_opts,
	.nworkers = isolation_nworkers,
	.size = isolation_size,
	.setup = isolation_setup,
	.work = isolation_work,
	.check = isolation_check,
};
