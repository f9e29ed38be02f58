/*
 * pool.c - a fixed pool of W workers takes T tasks from the shared queue,
 * against one worker spawned per task (--spawn per-task).
 *
 * Task i computes f(i) and writes it to slot i of a results array in the
 * region; every slot is checked, and each task counted exactly once.  The
 * time per task includes starting the workers (launch_ns): that is what a
 * pool saves, and what spawning per task pays, more for processes.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>

#include "../ipc/queue.h"
#include "worker.h"

enum { O_WORKERS, O_TASKS, O_SPAWN, O_WORK, O_NOPTS };
enum { S_POOL, S_PER_TASK, NSPAWNS };

static const char *const spawns[] = {
	[S_POOL] = "pool", [S_PER_TASK] = "per-task", [NSPAWNS] = NULL
};

static const struct optdef pool_opts[] = {
	[O_WORKERS] = OPT_WORKERS(4),
	[O_TASKS] = { "tasks", 'j', "T", 1, 1 << 20, 256, NULL,
	  "tasks (per-task: at most 4096, one worker each)" },
	[O_SPAWN] = { "spawn", 'S', "HOW", 0, 0, S_POOL, spawns,
	  "pool (W workers share the task queue) or per-task (a worker per task)" },
	[O_WORK] = { "work", 'k', "N", 1, 1 << 24, 2000, NULL,
	  "rounds of hashing per task" },
	[O_NOPTS] = { NULL }
};

struct pstate {
	alignas(CACHE_LINE) atomic_uint	 runs;		/* tasks run, duplicates included */
	size_t			 queue_off;
	alignas(CACHE_LINE) struct {
		uint64_t	 value;
		atomic_uint	 times;		/* runs of this task */
	} result[];
};

/* The task: hash i, k times over. */
static uint64_t
task(uint64_t i, long long k)
{
	uint64_t x = i + 1;

	while (k-- > 0) {
		x ^= x >> 31;
		x *= 0x7fb5d329728ea185ULL;
		x ^= x >> 27;
	}
	return x;
}

static const char *
pool_validate(const struct params *p)
{
	if (p->v[O_SPAWN] == S_PER_TASK && p->v[O_TASKS] > MAX_WORKERS)
		return "--spawn per-task: at most 4096 tasks (one worker each)";
	return NULL;
}

static unsigned
pool_nworkers(const struct params *p)
{
	return (unsigned)(p->v[O_SPAWN] == S_PER_TASK ? p->v[O_TASKS] : p->v[O_WORKERS]);
}

static size_t
results_size(const struct params *p)
{
	struct pstate *s = NULL;

	return (sizeof(*s) + sizeof(s->result[0]) * (size_t)p->v[O_TASKS] + 63) &
	    ~(size_t)63;
}

static size_t
pool_size(const struct run *r)
{
	return results_size(r->p) + ipc_queue_size((size_t)r->p->v[O_TASKS],
	    sizeof(uint64_t));
}

static struct ipc_queue *
queue_of(const struct run *r)
{
	return (struct ipc_queue *)((char *)r->state + results_size(r->p));
}

/* The pool's queue holds every task from the start, then is closed. */
static void
pool_setup(struct run *r)
{
	struct timespec dl;
	uint64_t i;
	int rc;

	if (r->p->v[O_SPAWN] == S_PER_TASK)
		return;
	ipc_deadline(&dl, 1000000000u);
	if ((rc = ipc_queue_init(queue_of(r), (size_t)r->p->v[O_TASKS],
	    sizeof(uint64_t))) != 0)
		errc(1, rc, "pool: queue");
	run_name(r, queue_of(r), "task queue");
	for (i = 0; i < (uint64_t)r->p->v[O_TASKS]; i++)
		if ((rc = ipc_queue_put(queue_of(r), &i, &dl)) != 0)
			errc(1, rc, "pool: put task");
	if ((rc = ipc_queue_close(queue_of(r), &dl)) != 0)
		errc(1, rc, "pool: close");
}

/* Task i, the n-th this worker takes: --inject counts a worker's own tasks. */
static void
run_task(struct run *r, unsigned id, uint64_t i, uint64_t n)
{
	struct pstate *s = r->state;

	inject_point(r, id, n);
	s->result[i].value = task(i, r->p->v[O_WORK]);
	atomic_fetch_add(&s->result[i].times, 1);
	atomic_fetch_add(&s->runs, 1);
}

/* explain: pool: a fixed pool takes task numbers off the shared queue until it is closed */
static void
pool_work(struct run *r, unsigned id)
{
	uint64_t i, n = 0;
	int rc;

	if (r->p->v[O_SPAWN] == S_PER_TASK) {
		run_task(r, id, id, 0);
		return;
	}
	while ((rc = ipc_queue_get(queue_of(r), &i, r->deadline)) == 0)
		run_task(r, id, i, n++);
	if (rc != EPIPE)
		worker_errc(r, rc, "pool: worker %u: get", id);
}
/* explain: end */

/* From the launch of the first worker to the end of the last: spawning counts. */
static uint64_t
elapsed(const struct run *r)
{
	uint64_t end = 0;
	unsigned i;

	for (i = 0; i < r->nworkers; i++)
		if (r->sh->slot[i].done && r->sh->slot[i].t_end > end)
			end = r->sh->slot[i].t_end;
	return end > r->sh->t_launch ? end - r->sh->t_launch : 0;
}

static void
pool_check(const struct run *r, struct outcome *o)
{
	const struct pstate *s = r->state;
	uint64_t i, good = 0, t = (uint64_t)r->p->v[O_TASKS], per;

	for (i = 0; i < t; i++)
		good += atomic_load(&s->result[i].times) == 1 &&
		    s->result[i].value == task(i, r->p->v[O_WORK]);
	o->sync = spawns[r->p->v[O_SPAWN]];
	o->iterations = t;
	o->expected = t;
	o->observed = o->ops = good;
	o->verdict = good == t && atomic_load(&s->runs) == t ? VERDICT_OK :
	    VERDICT_FAIL;
	per = elapsed(r) / t;
	snprintf(o->note, sizeof(o->note), "%s; %.1f us per task, launch included",
	    o->verdict == VERDICT_OK ? "every task once, every result right" :
	    "TASKS LOST OR REPEATED", (double)per / 1e3);
	res_uint(o->extra, "tasks_run", atomic_load(&s->runs), 0);
	res_uint(o->extra, "ns_per_task", per, F_TABLE | F_NS);
}

const struct worker worker_pool = {
	.name = "pool",
	.desc = "a fixed pool on the task queue vs a worker spawned per task",
	.proves = "every task runs exactly once and every result is right; time "
	    "per task, launch included, compared",
	.explain =
	    "T tasks, done by a fixed pool taking them from the shared queue, or by a\n"
	    "worker started per task.\n"
	    "\n"
	    "Primitive: the shared queue; fork or pthread_create per worker.\n"
	    "\n"
	    "Columns: ns_per_task counts from the launch: starting a process costs far\n"
	    "more than starting a thread, and a pool pays it once.\n"
	    "\n"
	    "Try: --spawn per-task --mode both; -k 100000 (heavier tasks).\n"
	    "\n"
	    "Pitfalls: a pool must know when the work is over (here: the queue is\n"
	    "closed once filled).\n",
	.opts = pool_opts,
	.validate = pool_validate,
	.nworkers = pool_nworkers,
	.size = pool_size,
	.setup = pool_setup,
	.work = pool_work,
	.check = pool_check,
};
