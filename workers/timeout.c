/*
 * timeout.c - three ways to ask for a lock that a hogger holds:
 * acquire(blocking=False), acquire(timeout=T) and a plain acquire.
 *
 * Worker 0 holds a robust process-shared mutex for --hold-ms.  The others
 * show that trylock fails at once (EBUSY), that a timed lock gives up at its
 * deadline (ETIMEDOUT, elapsed time checked), and that a blocking lock gets
 * the mutex once the hogger lets go, and not before.  See
 * pthread_mutex_clocklock(3).
 */
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../ipc/mutex.h"
#include "worker.h"

enum { O_WORKERS, O_HOLD, O_WAIT, O_NOPTS };

#define LATE_NS	2000000000ull	/* a timed lock may end this late (a loaded box) */

static const struct optdef timeout_opts[] = {
	[O_WORKERS] = { "workers", 'w', "N", 2, MAX_WORKERS, 3, NULL,
	  "workers: one hogger and N-1 askers" },
	[O_HOLD] = { "hold-ms", 'H', "MS", 1, 60000, 200, NULL,
	  "how long the hogger holds the mutex at least" },
	[O_WAIT] = { "wait-ms", 'W', "MS", 1, 60000, 50, NULL,
	  "the timed lock's timeout; less than --hold-ms" },
	[O_NOPTS] = { NULL }
};

/* What one asker saw. */
struct asker {
	alignas(CACHE_LINE) int	 try_rc;
	int			 timed_rc;
	int			 block_rc;
	int			 after_release;	/* the blocking lock came after it */
	uint64_t		 try_ns;
	uint64_t		 timed_ns;
	uint64_t		 block_ns;
};

struct tstate {
	pthread_mutex_t		 m;
	atomic_int		 held;		/* the hogger has the mutex */
	atomic_int		 released;	/* ... and has let it go */
	atomic_uint		 blocking;	/* askers in their blocking lock */
	struct asker		 a[];		/* by worker id; 0 unused */
};

static const char *
timeout_validate(const struct params *p)
{
	if (p->v[O_WAIT] >= p->v[O_HOLD])
		return "--wait-ms must be less than --hold-ms (or the timed lock "
		    "would succeed)";
	return NULL;
}

static unsigned
timeout_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
timeout_size(const struct run *r)
{
	return sizeof(struct tstate) + sizeof(struct asker) * r->nworkers;
}

static void
timeout_setup(struct run *r)
{
	struct tstate *t = r->state;
	int rc;

	if ((rc = ipc_mutex_init(&t->m, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "timeout: mutex");
	run_name(r, &t->m, "hogged lock");
}

/* Spin (yielding) until *flag reaches want, or the run's deadline. */
static void
await(const struct run *r, atomic_int *flag, int want)
{
	while (atomic_load(flag) != want) {
		if (ipc_expired(r->deadline))
			worker_errc(r, ETIMEDOUT, "timeout: waiting for the hogger");
		sched_yield();
	}
}

/* Hold the mutex until --hold-ms passed and every asker is in its blocking lock. */
static void
hog(struct run *r)
{
	struct tstate *t = r->state;
	uint64_t until;
	int rc;

	if ((rc = worker_mutex_lock(r, &t->m, "mutex")) != 0)
		worker_errc(r, rc, "timeout: hogger: lock");
	atomic_store(&t->held, 1);
	until = ipc_now_ns() + (uint64_t)r->p->v[O_HOLD] * 1000000u;
	inject_point(r, 0, 0);
	while (ipc_now_ns() < until || atomic_load(&t->blocking) < r->nworkers - 1) {
		if (ipc_expired(r->deadline))
			worker_errc(r, ETIMEDOUT, "timeout: hogger: askers missing");
		ipc_sleep_ns(1000000);
	}
	atomic_store(&t->released, 1);
	ipc_mutex_unlock(&t->m);
}

static void
ask(struct run *r, unsigned id)
{
	struct tstate *t = r->state;
	struct asker *a = &t->a[id];
	struct timespec dl;
	uint64_t t0;

	/* explain: timeout: trylock fails at once, a timed lock gives up at its deadline, a plain lock waits */
	/* A trylock: it must not wait at all. */
	await(r, &t->held, 1);
	t0 = ipc_now_ns();
	if ((a->try_rc = ipc_mutex_trylock(&t->m)) == 0)
		ipc_mutex_unlock(&t->m);
	a->try_ns = ipc_now_ns() - t0;

	/* A timed lock: it must give up at its own deadline, not the run's. */
	t0 = ipc_now_ns();
	ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
	if ((a->timed_rc = ipc_mutex_lock(&t->m, &dl)) == 0)
		ipc_mutex_unlock(&t->m);
	a->timed_ns = ipc_now_ns() - t0;

	/* A blocking lock: bounded by the run's deadline only. */
	atomic_fetch_add(&t->blocking, 1);
	t0 = ipc_now_ns();
	a->block_rc = worker_mutex_lock(r, &t->m, "mutex");
	a->block_ns = ipc_now_ns() - t0;
	/* explain: end */
	a->after_release = atomic_load(&t->released);
	if (a->block_rc == 0)
		ipc_mutex_unlock(&t->m);
}

static void
timeout_work(struct run *r, unsigned id)
{
	if (id == 0)
		hog(r);
	else
		ask(r, id);
}

/*
 * One asker's three results, as they must be.  "At once" for the trylock is
 * less than the timed lock's timeout: it did not wait, even on a loaded box.
 */
static int
asker_ok(const struct run *r, const struct asker *a)
{
	uint64_t wait = (uint64_t)r->p->v[O_WAIT] * 1000000u;

	return a->try_rc == EBUSY && a->try_ns < wait &&
	    a->timed_rc == ETIMEDOUT &&
	    a->timed_ns >= wait && a->timed_ns < wait + LATE_NS &&
	    a->block_rc == 0 && a->after_release;
}

static const char *
rc_name(int rc)
{
	const char *s = rc == 0 ? "0" : strerrorname_np(rc);

	return s != NULL ? s : "?";
}

static void
timeout_check(const struct run *r, struct outcome *o)
{
	const struct tstate *t = r->state;
	const struct asker *a1 = &t->a[1];
	uint64_t try_max = 0, timed_max = 0, block_min = UINT64_MAX;
	unsigned i, good = 0;

	for (i = 1; i < r->nworkers; i++) {
		good += asker_ok(r, &t->a[i]);
		try_max = t->a[i].try_ns > try_max ? t->a[i].try_ns : try_max;
		timed_max = t->a[i].timed_ns > timed_max ? t->a[i].timed_ns : timed_max;
		block_min = t->a[i].block_ns < block_min ? t->a[i].block_ns : block_min;
	}
	o->sync = "mutex";
	o->iterations = 1;
	o->expected = r->nworkers - 1;
	o->observed = o->ops = good;
	o->verdict = good == o->expected ? VERDICT_OK : VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), "%s%s at once, %s at %.1f ms, lock %s "
	    "after %.1f ms", good == o->expected ? "" : "WRONG: ",
	    rc_name(a1->try_rc), rc_name(a1->timed_rc), (double)a1->timed_ns / 1e6,
	    a1->block_rc == 0 ? "taken" : rc_name(a1->block_rc),
	    (double)a1->block_ns / 1e6);
	res_str(o->extra, "trylock", rc_name(a1->try_rc), F_TABLE);
	res_uint(o->extra, "try_ns", try_max, F_NS);
	res_str(o->extra, "timedlock", rc_name(a1->timed_rc), F_TABLE);
	res_uint(o->extra, "timed_ns", timed_max, F_TABLE | F_NS);
	res_uint(o->extra, "blocked_ns", block_min, F_TABLE | F_NS);
}

static void
timeout_destroy(struct run *r)
{
	struct tstate *t = r->state;

	ipc_mutex_destroy(&t->m);
}

const struct worker worker_timeout = {
	.name = "timeout",
	.desc = "a hogger holds the lock: trylock, timed lock, blocking lock",
	.proves = "trylock fails at once (EBUSY); a timed lock gives up at its "
	    "deadline (ETIMEDOUT); a blocking lock succeeds after the release",
	.explain =
	    "Worker 0 holds a lock; the others ask for it three ways: without waiting,\n"
	    "with a timeout, and blocking (acquire(blocking=False), acquire(timeout=T),\n"
	    "acquire()).\n"
	    "\n"
	    "Primitive: a robust process-shared mutex: pthread_mutex_trylock,\n"
	    "pthread_mutex_clocklock on CLOCK_MONOTONIC.\n"
	    "\n"
	    "Columns: trylock and timedlock are the error codes seen (EBUSY, ETIMEDOUT);\n"
	    "timed_ns how long the timed lock waited; blocked_ns how long the blocking one\n"
	    "did.\n"
	    "\n"
	    "Try: -W 10 -H 500; -w 8.\n"
	    "\n"
	    "Pitfalls: use CLOCK_MONOTONIC deadlines (the wall clock can jump);\n"
	    "pthread functions return the error, they do not set errno.\n",
	.opts = timeout_opts,
	.validate = timeout_validate,
	.nworkers = timeout_nworkers,
	.size = timeout_size,
	.setup = timeout_setup,
	.work = timeout_work,
	.check = timeout_check,
	.destroy = timeout_destroy,
};
