/*
 * reentrant.c - a lock taken again by its own holder: RLock in a recursive
 * function.
 *
 * Each worker walks a recursion D deep, taking a recursive mutex at every
 * level: it works, and the count proves every level ran under the lock.
 * Then the two other answers to a relock: an error-checking mutex says
 * EDEADLK instead of hanging, and a normal mutex deadlocks on itself, shown
 * by a short deadline expiring (ETIMEDOUT), never a real hang.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../ipc/mutex.h"
#include "worker.h"

enum { O_WORKERS, O_ITERATIONS, O_DEPTH, O_RELOCK, O_NOPTS };

static const struct optdef reentrant_opts[] = {
	[O_WORKERS] = OPT_WORKERS(4),
	[O_ITERATIONS] = { "iterations", 'n', "N", 1, 1000000, 1000, NULL,
	  "recursive walks per worker" },
	[O_DEPTH] = { "depth", 'd', "D", 1, 1000, 10, NULL,
	  "levels of recursion per walk" },
	[O_RELOCK] = { "relock-ms", 'R', "MS", 1, 10000, 20, NULL,
	  "how long the normal mutex's self-deadlock is allowed to last" },
	[O_NOPTS] = { NULL }
};

struct rstate {
	pthread_mutex_t		 rec;		/* recursive */
	pthread_mutex_t		 chk;		/* error-checking */
	pthread_mutex_t		 normal;
	uint64_t		 count;		/* under rec */
	alignas(CACHE_LINE) atomic_uint	 edeadlk;	/* workers told EDEADLK */
	atomic_uint		 timedout;	/* workers stuck on themselves */
	atomic_uint		 deepest;
};

static unsigned
reentrant_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
reentrant_size(const struct run *r)
{
	(void)r;
	return sizeof(struct rstate);
}

static void
reentrant_setup(struct run *r)
{
	struct rstate *s = r->state;
	int rc;

	if ((rc = ipc_mutex_init(&s->rec, IPC_MUTEX_RECURSIVE)) != 0 ||
	    (rc = ipc_mutex_init(&s->chk, IPC_MUTEX_ERRORCHECK)) != 0 ||
	    (rc = ipc_mutex_init(&s->normal, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "reentrant: mutex");
	run_name(r, &s->rec, "recursive");
	run_name(r, &s->chk, "errorcheck");
	run_name(r, &s->normal, "normal");
}

/* explain: reentrant: a recursive mutex taken again at every level of the recursion */
/* Lock at every level on the way down; each level adds one while holding it. */
static unsigned
walk(struct run *r, unsigned id, unsigned level)
{
	struct rstate *s = r->state;
	unsigned deepest = level;
	int rc;

	if ((rc = worker_mutex_lock(r, &s->rec, "recursive")) != 0)
		worker_errc(r, rc, "reentrant: worker %u: level %u", id, level);
	s->count++;
	if (level < (unsigned)r->p->v[O_DEPTH])
		deepest = walk(r, id, level + 1);
	ipc_mutex_unlock(&s->rec);
	return deepest;
}
/* explain: end */

/* explain: reentrant: relocked by its holder, errorcheck says EDEADLK and normal deadlocks (bounded here) */
/* A relock by the holder: error-checking says so, normal deadlocks (bounded). */
static void
relock(struct run *r, unsigned id)
{
	struct rstate *s = r->state;
	struct timespec dl;
	int rc;

	if ((rc = worker_mutex_lock(r, &s->chk, "errorcheck")) != 0)
		worker_errc(r, rc, "reentrant: worker %u: errorcheck", id);
	if ((rc = ipc_mutex_lock(&s->chk, r->deadline)) == EDEADLK)
		atomic_fetch_add(&s->edeadlk, 1);
	ipc_mutex_unlock(&s->chk);

	if ((rc = worker_mutex_lock(r, &s->normal, "normal")) != 0)
		worker_errc(r, rc, "reentrant: worker %u: normal", id);
	ipc_deadline(&dl, (uint64_t)r->p->v[O_RELOCK] * 1000000u);
	if ((rc = ipc_mutex_lock(&s->normal, &dl)) == ETIMEDOUT)
		atomic_fetch_add(&s->timedout, 1);
	ipc_mutex_unlock(&s->normal);
}
/* explain: end */

static void
reentrant_work(struct run *r, unsigned id)
{
	struct rstate *s = r->state;
	unsigned d;
	uint64_t i;

	for (i = 0; i < (uint64_t)r->p->v[O_ITERATIONS]; i++) {
		inject_point(r, id, i);
		d = walk(r, id, 1);
		atomic_max_uint(&s->deepest, d);
	}
	relock(r, id);
}

static void
reentrant_check(const struct run *r, struct outcome *o)
{
	const struct rstate *s = r->state;
	unsigned ed = atomic_load(&s->edeadlk), to = atomic_load(&s->timedout);

	o->sync = "recursive";
	o->iterations = (uint64_t)r->p->v[O_ITERATIONS];
	o->expected = (uint64_t)r->nworkers * o->iterations *
	    (uint64_t)r->p->v[O_DEPTH];
	o->observed = o->ops = s->count;
	o->verdict = o->observed == o->expected && ed == r->nworkers &&
	    to == r->nworkers && atomic_load(&s->deepest) ==
	    (unsigned)r->p->v[O_DEPTH] ? VERDICT_OK : VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), "%lld deep %s; relock: errorcheck "
	    "EDEADLK x%u, normal ETIMEDOUT x%u", r->p->v[O_DEPTH],
	    o->observed == o->expected ? "exact" : "WRONG", ed, to);
	res_uint(o->extra, "depth_reached", atomic_load(&s->deepest), F_TABLE);
	res_uint(o->extra, "edeadlk", ed, F_TABLE);
	res_uint(o->extra, "self_deadlocks", to, F_TABLE);
}

static void
reentrant_destroy(struct run *r)
{
	struct rstate *s = r->state;

	ipc_mutex_destroy(&s->rec);
	ipc_mutex_destroy(&s->chk);
	ipc_mutex_destroy(&s->normal);
}

const struct worker worker_reentrant = {
	.name = "reentrant",
	.desc = "a lock retaken by its holder: recursive, error-checking, normal",
	.proves = "a recursive mutex locked D deep counts exactly; errorcheck says "
	    "EDEADLK on relock; normal self-deadlocks (ETIMEDOUT, not a hang)",
	.explain =
	    "A function that takes a lock and calls itself takes it again: what happens\n"
	    "depends on the mutex type (RLock in a recursive function).\n"
	    "\n"
	    "Primitive: recursive, error-checking and normal robust pthread mutexes.\n"
	    "\n"
	    "Columns: depth_reached; edeadlk is how many workers were told EDEADLK by\n"
	    "the error-checking mutex; self_deadlocks how many deadlocked on a normal one\n"
	    "(ended by a short deadline).\n"
	    "\n"
	    "Try: -d 100; -R 1.\n"
	    "\n"
	    "Pitfalls: a recursive mutex must be unlocked as many times as it was\n"
	    "locked; a normal mutex relocked by its owner is undefined in POSIX and hangs\n"
	    "in practice.\n",
	.opts = reentrant_opts,
	.nworkers = reentrant_nworkers,
	.size = reentrant_size,
	.setup = reentrant_setup,
	.work = reentrant_work,
	.check = reentrant_check,
	.destroy = reentrant_destroy,
};
