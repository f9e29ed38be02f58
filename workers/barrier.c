/*
 * barrier.c - N workers run R phases separated by a process-shared barrier.
 *
 * Each worker counts itself done with phase r, waits, and on leaving checks
 * that all N are done with r: nobody entered phase r+1 early.  Exactly one
 * waiter per round must be the serial one (PTHREAD_BARRIER_SERIAL_THREAD).
 * --barrier cond and hybrid are shmsync's poisonable barriers (a lock and a
 * condvar; a spin then a futex); --barrier none removes the barrier, and the
 * early starters are counted.
 * See Concurrency Kit regressions/ck_barrier/validate.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>

#include "../ipc/barrier.h"
#include "mpiform.h"
#include "worker.h"

enum { O_WORKERS, O_PHASES, O_BARRIER, O_EVEN, O_NOPTS };
enum kind { K_PTHREAD, K_COND, K_HYBRID, K_NONE, NKINDS };

static const char *const kinds[] = {
	[K_PTHREAD] = "pthread", [K_COND] = "cond", [K_HYBRID] = "hybrid",
	[K_NONE] = "none", [NKINDS] = NULL
};
static const enum ipc_barrier_kind ipc_kinds[] = {
	[K_PTHREAD] = IPC_BARRIER_PTHREAD, [K_COND] = IPC_BARRIER_COND,
	[K_HYBRID] = IPC_BARRIER_HYBRID
};

static const struct optdef barrier_opts[] = {
	[O_WORKERS] = OPT_WORKERS(4),
	[O_PHASES] = { "phases", 'r', "R", 1, 1 << 24, 1000, NULL,
	  "phases (barrier rounds)" },
	[O_BARRIER] = { "barrier", 'b', "KIND", 0, 0, K_PTHREAD, kinds,
	  "pthread (pthread_barrier_t: no deadline, a dead party is stopped\n"
	  "                         by the launcher), cond or hybrid (poisonable, with\n"
	  "                         deadline; hybrid spins, then sleeps on a futex), none" },
	[O_EVEN] = { "even", 0, NULL, 0, 1, 0, NULL,
	  "no uneven work between rounds: time the barrier alone" },
	[O_NOPTS] = { NULL }
};

struct round {
	_Atomic uint32_t done;		/* workers finished with this phase */
	_Atomic uint32_t serial;	/* waiters told they were the serial one */
};

struct bstate {
	struct ipc_barrier	 b;
	alignas(CACHE_LINE) _Atomic uint64_t early;	/* left a round before all arrived */
	alignas(CACHE_LINE) struct round round[];
};

static unsigned
barrier_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
barrier_size(const struct run *r)
{
	return sizeof(struct bstate) + sizeof(struct round) * (size_t)r->p->v[O_PHASES];
}

static void
barrier_setup(struct run *r)
{
	struct bstate *s = r->state;
	int rc;

	if (r->p->v[O_BARRIER] == K_NONE)
		return;
	if ((rc = ipc_barrier_init(&s->b, ipc_kinds[r->p->v[O_BARRIER]],
	    r->nworkers)) != 0)
		errc(1, rc, "barrier: init");
}

/* Coop: a counting barrier; wait by yielding until the round is full. */
static int
coop_wait(struct run *r, uint32_t ph, uint32_t before)
{
	struct bstate *s = r->state;

	while (atomic_load(&s->round[ph].done) != r->nworkers) {
		if (ipc_expired(r->deadline))
			return ETIMEDOUT;
		worker_yield(r);
	}
	return before == r->nworkers - 1 ? IPC_BARRIER_SERIAL : 0;
}

static void
barrier_work(struct run *r, unsigned id)
{
	struct bstate *s = r->state;
	uint32_t ph, n = (uint32_t)r->nworkers, nph = (uint32_t)r->p->v[O_PHASES];
	uint32_t before;
	int rc;

	for (ph = 0; ph < nph; ph++) {
		/* The phase's work: uneven, so fast workers reach the barrier first. */
		if (!r->p->v[O_EVEN] && (id + ph) % n == 0)
			worker_yield(r);
		before = atomic_fetch_add(&s->round[ph].done, 1);
		inject_point(r, id, ph);
		if (r->p->v[O_BARRIER] == K_NONE)
			rc = 0;
		else if ((rc = r->mode == MODE_COOP ? coop_wait(r, ph, before) :
		    ipc_barrier_wait(&s->b, r->deadline)) == IPC_BARRIER_SERIAL)
			atomic_fetch_add(&s->round[ph].serial, 1);
		else if (rc != 0)
			worker_errc(r, rc, "barrier: worker %u: phase %u", id, ph);

		/* Leaving the barrier: everyone must be done with this phase. */
		if (atomic_load(&s->round[ph].done) != n)
			atomic_fetch_add(&s->early, 1);
	}
}

static void
barrier_poison(struct run *r)
{
	struct bstate *s = r->state;

	if (r->p->v[O_BARRIER] == K_COND || r->p->v[O_BARRIER] == K_HYBRID)
		ipc_barrier_poison(&s->b);
}

static void
barrier_check(const struct run *r, struct outcome *o)
{
	const struct bstate *s = r->state;
	uint64_t ph, good = 0, serial_bad = 0, early = atomic_load(&s->early);
	int none = r->p->v[O_BARRIER] == K_NONE;

	for (ph = 0; ph < (uint64_t)r->p->v[O_PHASES]; ph++) {
		if (!none && atomic_load(&s->round[ph].serial) != 1)
			serial_bad++;
		else if (atomic_load(&s->round[ph].done) == r->nworkers)
			good++;
	}
	o->sync = r->mode == MODE_COOP && !none ? "coop-count" :
	    kinds[r->p->v[O_BARRIER]];
	o->iterations = o->expected = o->ops = (uint64_t)r->p->v[O_PHASES];
	o->observed = early == 0 ? good : 0;
	if (early == 0 && serial_bad == 0 && good == o->expected) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "phases in order");
	} else if (none && serial_bad == 0 && good == o->expected) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "%ju early starts without a barrier",
		    (uintmax_t)early);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju early starts, %ju rounds "
		    "without one serial waiter", (uintmax_t)early, (uintmax_t)serial_bad);
	}
	res_uint(o->extra, "early", early, F_TABLE);
	res_uint(o->extra, "serial_bad", serial_bad, 0);
}

static void
barrier_destroy(struct run *r)
{
	struct bstate *s = r->state;

	if (r->p->v[O_BARRIER] != K_NONE)
		ipc_barrier_destroy(&s->b);
}

const struct worker worker_barrier = {
	.name = "barrier",
	.caps = CAP_COOP | CAP_MPI,
	.mpi = &mpi_form_barrier,
	.desc = "phases separated by a barrier: nobody starts phase r+1 early",
	.proves = "on leaving round r all workers are done with phase r; "
	    "one serial waiter per round",
	.explain =
	    "N workers run R phases; nobody may start phase r+1 before every worker\n"
	    "finished phase r.\n"
	    "\n"
	    "Primitive: a process-shared pthread_barrier_t (no deadline: a dead party\n"
	    "hangs the rest, so the launcher kills at the deadline); cond, a robust mutex\n"
	    "+ condvar + generation count that can be poisoned; hybrid, spin then futex.\n"
	    "\n"
	    "Columns: expected is the number of phases, observed the phases seen in\n"
	    "order; early counts workers that left a round before all arrived (only\n"
	    "without a barrier).\n"
	    "\n"
	    "Try: --barrier none (the early starters); --barrier hybrid --even (the\n"
	    "barrier alone); --inject kill@1:10 -b cond (the others are released).\n"
	    "\n"
	    "Pitfalls: exactly one waiter per round gets PTHREAD_BARRIER_SERIAL_THREAD;\n"
	    "a barrier reused at once needs a generation count, or a fast worker laps a\n"
	    "slow one.\n",
	.opts = barrier_opts,
	.nworkers = barrier_nworkers,
	.size = barrier_size,
	.setup = barrier_setup,
	.work = barrier_work,
	.poison = barrier_poison,
	.check = barrier_check,
	.destroy = barrier_destroy,
};
