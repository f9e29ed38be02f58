/*
 * event.c - an Event (set, clear, wait) in shared memory: N-1 workers block
 * until worker 0 sets it; all wake; it is cleared and used again.
 *
 * The event (ipc/event.h) is a robust process-shared mutex, a condvar, a
 * flag and a generation count: a waiter leaves when the flag is up or the
 * generation moved, so a set followed at once by a clear still wakes all.
 * Checks that every waiter woke once per round and none before the set;
 * reports the wake-up latency and spread.
 */
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "../ipc/event.h"
#include "worker.h"

enum { O_WORKERS, O_ROUNDS, O_NOPTS };

static const struct optdef event_opts[] = {
	[O_WORKERS] = { "workers", 'w', "N", 2, MAX_WORKERS, 5, NULL,
	  "the setter and N-1 waiters" },
	[O_ROUNDS] = { "rounds", 'r', "R", 1, 100000, 3, NULL,
	  "set and clear cycles" },
	[O_NOPTS] = { NULL }
};

struct estate {
	struct ipc_event ev;
	alignas(CACHE_LINE) atomic_uint	 cleared;	/* rounds cleared */
	atomic_uint	 woke;		/* wakes this round */
	atomic_uint	 early;		/* woke before the set */
	atomic_uint	 good;		/* wakes after the set, once each */
	uint64_t	 latency_max;	/* set to last wake, over rounds */
	uint64_t	 spread_max;	/* first to last wake, over rounds */
	uint64_t	 t_set;
	alignas(CACHE_LINE) uint64_t t_wake[];	/* by worker */
};

static unsigned
event_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
event_size(const struct run *r)
{
	return sizeof(struct estate) + r->nworkers * sizeof(uint64_t);
}

static void
event_setup(struct run *r)
{
	struct estate *s = r->state;
	int rc;

	if ((rc = ipc_event_init(&s->ev)) != 0)
		errc(1, rc, "event: init");
	/* The timeline says "wait event", not the mutex and condvar inside it. */
	run_name(r, &s->ev.m, "event");
	run_name(r, &s->ev.cv, "event");
}

/* Coop: one thread; instead of sleeping, let the others run. */
static void
coop_idle(void *arg)
{
	worker_yield(arg);
}

/* Pass the event's takeovers of a dead owner's lock on to the launcher. */
static void
takeovers(struct run *r)
{
	struct estate *s = r->state;

	if (atomic_exchange(&s->ev.owner_deaths, 0) != 0 &&
	    atomic_fetch_add(&r->sh->owner_deaths, 1) == 0)
		strlcpy(r->sh->dead_lock, "event", sizeof(r->sh->dead_lock));
}

/* Poll cond(s) every 100 us until it holds, or the run's deadline. */
static void
poll_until(struct run *r, int (*cond)(struct run *), const char *what)
{
	while (!cond(r)) {
		if (ipc_expired(r->deadline))
			worker_errc(r, ETIMEDOUT, "event: %s", what);
		if (r->mode == MODE_COOP)
			worker_yield(r);
		else
			ipc_sleep_ns(100000);
	}
}

static int
all_waiting(struct run *r)
{
	struct estate *s = r->state;
	unsigned n;

	return ipc_event_waiters(&s->ev, &n, r->deadline) == 0 &&
	    n == r->nworkers - 1;
}

static int
all_woke(struct run *r)
{
	struct estate *s = r->state;

	return atomic_load(&s->woke) == r->nworkers - 1;
}

/* Worker 0: when all wait, set; when all woke, measure and clear. */
static void
setter(struct run *r)
{
	struct estate *s = r->state;
	uint64_t lo, hi, i, round;
	int rc;

	for (round = 0; round < (uint64_t)r->p->v[O_ROUNDS]; round++) {
		poll_until(r, all_waiting, "waiters missing");
		inject_point(r, 0, round);
		s->t_set = ipc_now_ns();
		if ((rc = ipc_event_set(&s->ev, r->deadline)) != 0)
			worker_errc(r, rc, "event: set");
		takeovers(r);
		poll_until(r, all_woke, "waiters did not wake");
		for (lo = UINT64_MAX, hi = 0, i = 1; i < r->nworkers; i++) {
			lo = s->t_wake[i] < lo ? s->t_wake[i] : lo;
			hi = s->t_wake[i] > hi ? s->t_wake[i] : hi;
		}
		if (hi - s->t_set > s->latency_max)
			s->latency_max = hi - s->t_set;
		if (hi - lo > s->spread_max)
			s->spread_max = hi - lo;
		atomic_store(&s->woke, 0);
		s->t_set = 0;		/* a wake before the next set is early */
		if ((rc = ipc_event_clear(&s->ev, r->deadline)) != 0)
			worker_errc(r, rc, "event: clear");
		atomic_store(&s->cleared, (unsigned)round + 1);
	}
}

static void
waiter(struct run *r, unsigned id)
{
	struct estate *s = r->state;
	uint64_t round, t;
	int rc;

	for (round = 0; round < (uint64_t)r->p->v[O_ROUNDS]; round++) {
		/* The next round starts once the event is cleared again. */
		while (atomic_load(&s->cleared) < round) {
			if (ipc_expired(r->deadline))
				worker_errc(r, ETIMEDOUT, "event: worker %u", id);
			worker_yield(r);
		}
		if ((rc = ipc_event_wait_idle(&s->ev, r->deadline,
		    r->mode == MODE_COOP ? coop_idle : NULL, r)) != 0)
			worker_errc(r, rc, "event: worker %u: wait", id);
		takeovers(r);
		t = ipc_now_ns();
		s->t_wake[id] = t;
		if (t < s->t_set || s->t_set == 0)
			atomic_fetch_add(&s->early, 1);
		else
			atomic_fetch_add(&s->good, 1);
		atomic_fetch_add(&s->woke, 1);
	}
}

static void
event_work(struct run *r, unsigned id)
{
	if (id == 0)
		setter(r);
	else
		waiter(r, id);
}

static void
event_check(const struct run *r, struct outcome *o)
{
	const struct estate *s = r->state;
	unsigned early = atomic_load(&s->early);

	o->sync = "mutex+cond";
	o->iterations = (uint64_t)r->p->v[O_ROUNDS];
	o->expected = o->iterations * (r->nworkers - 1);
	o->observed = o->ops = atomic_load(&s->good);
	o->verdict = o->observed == o->expected && early == 0 ? VERDICT_OK :
	    VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), "%s; last waiter up %.1f us after the "
	    "set", o->verdict == VERDICT_OK ? "every waiter woke once a round, "
	    "none early" : "WRONG wakes", (double)s->latency_max / 1e3);
	res_uint(o->extra, "early", early, 0);
	res_uint(o->extra, "wake_latency_ns", s->latency_max, F_TABLE | F_NS);
	res_uint(o->extra, "wake_spread_ns", s->spread_max, F_TABLE | F_NS);
}

static void
event_destroy(struct run *r)
{
	struct estate *s = r->state;

	ipc_event_destroy(&s->ev);
}

const struct worker worker_event = {
	.name = "event",
	.caps = CAP_COOP,
	.desc = "an Event: N-1 waiters block until one worker sets it; clear, reuse",
	.proves = "every waiter wakes exactly once per round and never before the "
	    "set; wake-up latency and spread measured",
	.explain =
	    "N-1 workers wait until one sets an event; all wake; it is cleared and used\n"
	    "again (threading.Event / asyncio.Event).\n"
	    "\n"
	    "Primitive: a robust mutex, a process-shared condvar, a flag and a\n"
	    "generation count (so a set followed at once by a clear still wakes all).\n"
	    "\n"
	    "Columns: wake_latency_ns from the set to the last waiter up; wake_spread_ns\n"
	    "from the first to the last.\n"
	    "\n"
	    "Try: -w 20 -r 10; --mode both (processes wake slower).\n"
	    "\n"
	    "Pitfalls: a waiter that checks the flag without the mutex can miss the set;\n"
	    "always wait in a loop.\n",
	.opts = event_opts,
	.nworkers = event_nworkers,
	.size = event_size,
	.setup = event_setup,
	.work = event_work,
	.check = event_check,
	.destroy = event_destroy,
};
