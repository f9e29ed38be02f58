/*
 * deadlock.c - two workers, two locks, taken in opposite order.
 *
 * Worker 0 takes A then B, worker 1 takes B then A; in the first round both
 * hold their first lock and meet before reaching for the second, so the bad
 * order deadlocks every time.  Timed locks notice it, and the wait-for record in shared
 * memory (who holds what, who waits for what) names the cycle.  Each round
 * moves money between accounts A and B (worker 0 one unit A to B, worker 1
 * two units B to A), so every cure is checked to the unit.  The cures, as
 * OSTEP's threads-bugs homework: --fix order (everyone takes A first),
 * backoff (give the first lock back when the second is taken, wait a random
 * while, retry), prevent (no hold-and-wait: a global lock around taking
 * both) and lockfree (no locks: an atomic fetch-add on each account).
 */
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "../ipc/mutex.h"
#include "worker.h"

enum { O_ITERATIONS, O_FIX, O_WAIT, O_NOPTS };
enum fix { F_NONE, F_ORDER, F_BACKOFF, F_PREVENT, F_LOCKFREE, F_ALL, NFIXES };

static const char *const fixes[] = {
	[F_NONE] = "none", [F_ORDER] = "order", [F_BACKOFF] = "backoff",
	[F_PREVENT] = "prevent", [F_LOCKFREE] = "lockfree", [F_ALL] = "all",
	[NFIXES] = NULL
};
static const char lockname[2] = { 'A', 'B' };

#define OPENING		1000000		/* each account's opening balance */

static const struct optdef deadlock_opts[] = {
	[O_ITERATIONS] = { "iterations", 'n', "N", 1, 1 << 24, 1000, NULL,
	  "times each worker takes both locks" },
	[O_FIX] = { "fix", 'x', "CURE", 0, 0, F_NONE, fixes,
	  "none (deadlocks), order (A before B for all), backoff (release, retry), "
	  "prevent (a global lock around taking both), lockfree (atomic adds), all" },
	[O_WAIT] = { "wait-ms", 'W', "MS", 1, 60000, 100, NULL,
	  "how long a worker waits for its second lock before it calls it a deadlock" },
	[O_NOPTS] = { NULL }
};

struct dstate {
	pthread_mutex_t	 lock[2];
	pthread_mutex_t	 global;	/* --fix prevent: taken around taking both */
	_Atomic int64_t	 acct[2];	/* A under lock A, B under lock B */
	uint64_t	 rounds[2];	/* each worker's transfers, its own only */
	alignas(CACHE_LINE) atomic_uint	 met;	/* rendezvous arrivals */
	atomic_int	 holds[2];	/* worker -> lock held, or -1 */
	atomic_int	 waits[2];	/* worker -> lock wanted, or -1 */
	atomic_uint	 deadlocks;
	atomic_uint	 retries;
	atomic_int	 over;		/* a deadlock was seen: the demo ends */
	char		 cycle[96];	/* the first cycle seen, in words */
};

static enum fix
deadlock_fix(const struct run *r)
{
	return r->p->v[O_FIX] == F_ALL ? (enum fix)r->variant :
	    (enum fix)r->p->v[O_FIX];
}

static int
deadlock_variants(const struct params *p)
{
	return p->v[O_FIX] == F_ALL ? F_ALL : 1;
}

static unsigned
deadlock_nworkers(const struct params *p)
{
	(void)p;
	return 2;
}

static size_t
deadlock_size(const struct run *r)
{
	(void)r;
	return sizeof(struct dstate);
}

static void
deadlock_setup(struct run *r)
{
	struct dstate *s = r->state;
	int rc, i;

	if ((rc = ipc_mutex_init(&s->global, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "deadlock: mutex");
	for (i = 0; i < 2; i++) {
		if ((rc = ipc_mutex_init(&s->lock[i], IPC_MUTEX_NORMAL)) != 0)
			errc(1, rc, "deadlock: mutex");
		atomic_init(&s->acct[i], OPENING);
		atomic_init(&s->holds[i], -1);
		atomic_init(&s->waits[i], -1);
	}
	run_name(r, &s->lock[0], "lock A");
	run_name(r, &s->lock[1], "lock B");
	run_name(r, &s->global, "global lock");
}

/* Both workers hold their first lock before either asks for its second. */
static void
meet(struct run *r, uint64_t i)
{
	struct dstate *s = r->state;

	atomic_fetch_add(&s->met, 1);
	while (atomic_load(&s->met) < 2 * (i + 1) && !atomic_load(&s->over)) {
		if (ipc_expired(r->deadline))
			worker_errc(r, ETIMEDOUT, "deadlock: rendezvous");
		sched_yield();
	}
}

/* explain: deadlock: a wait that timed out reads the wait-for record: a cycle is a deadlock */
/* A timed-out wait: read the wait-for record once; a cycle is a deadlock. */
static int
name_cycle(struct run *r, unsigned id)
{
	struct dstate *s = r->state;
	unsigned other = !id;
	int mine_h = atomic_load(&s->holds[id]);
	int mine_w = atomic_load(&s->waits[id]);
	int other_h = atomic_load(&s->holds[other]);
	int other_w = atomic_load(&s->waits[other]);

	if (mine_h < 0 || mine_w < 0 || other_h != mine_w || other_w != mine_h)
		return 0;
	atomic_store(&s->over, 1);
	if (atomic_fetch_add(&s->deadlocks, 1) == 0)
		snprintf(s->cycle, sizeof(s->cycle), "worker %u holds %c waits %c; "
		    "worker %u holds %c waits %c", id, lockname[mine_h],
		    lockname[mine_w], other, lockname[other_h], lockname[other_w]);
	return 1;
}
/* explain: end */

/* A random pause of up to 100 us after backing off, so the two fall out of step. */
static void
backoff(struct run *r, unsigned id, uint64_t i)
{
	uint64_t x = seed_mix(r->p->seed, id, i);
	struct dstate *s = r->state;

	atomic_fetch_add(&s->retries, 1);
	if (!sched_on(r))	/* scheduled: the schedule says who goes next */
		ipc_sleep_ns((x >> 40) % 100000);
}

/*
 * Ask for the second lock the way the cure says; 0, ETIMEDOUT or EBUSY.
 * Unfixed, a timeout alone proves nothing (the other may only be slow): the
 * wait goes on until the record shows a cycle or the run's deadline passes.
 */
static int
second_lock(struct run *r, unsigned id, int second)
{
	struct dstate *s = r->state;
	struct timespec dl;
	int rc;

	if (sched_on(r) && deadlock_fix(r) != F_BACKOFF)
		return sched_mutex_lock(r, id, &s->lock[second], second ? "B" : "A");
	switch (deadlock_fix(r)) {
	case F_NONE:
		do {
			ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
			rc = ipc_mutex_lock(&s->lock[second], &dl);
		} while (rc == ETIMEDOUT && !name_cycle(r, id) && !run_stopped(r));
		return rc;
	case F_BACKOFF:
		sched_point(r, id, SCH_LOCK, &s->lock[second], 0);
		return ipc_mutex_trylock(&s->lock[second]);
	default:
		return worker_mutex_lock(r, &s->lock[second], second ? "B" : "A");
	}
}

/*
 * Worker 0 moves one unit from A to B, worker 1 two from B to A: under both
 * locks a plain read and write of each account, lock-free one atomic
 * fetch-add each (the sum is briefly off between the two, never at the end).
 */
static void
transfer(struct run *r, unsigned id, int atomically)
{
	struct dstate *s = r->state;
	int64_t amount = (int64_t)id + 1;
	int from = (int)id, to = !id;

	if (atomically) {
		atomic_fetch_sub(&s->acct[from], amount);
		atomic_fetch_add(&s->acct[to], amount);
	} else {
		atomic_store_explicit(&s->acct[from], atomic_load_explicit(
		    &s->acct[from], memory_order_relaxed) - amount,
		    memory_order_relaxed);
		atomic_store_explicit(&s->acct[to], atomic_load_explicit(
		    &s->acct[to], memory_order_relaxed) + amount,
		    memory_order_relaxed);
	}
	s->rounds[id]++;
}

/* explain: deadlock: worker 0 takes A then B, worker 1 B then A; the fixes change the order or the step */
/* One round of taking both locks: 0 done, else the second lock's error. */
static int
both(struct run *r, unsigned id, uint64_t i, int first_try)
{
	struct dstate *s = r->state;
	enum fix fix = deadlock_fix(r);
	int first = fix == F_ORDER ? 0 : (int)id, second = !first, rc;

	/* No hold-and-wait: both locks are taken as one step, under the global one. */
	if (fix == F_PREVENT &&
	    (rc = sched_mutex_lock(r, id, &s->global, "global")) != 0)
		worker_errc(r, rc, "deadlock: worker %u: global lock", id);
	if ((rc = sched_mutex_lock(r, id, &s->lock[first], first ? "B" : "A")) != 0)
		worker_errc(r, rc, "deadlock: worker %u: lock %c", id, lockname[first]);
	atomic_store(&s->holds[id], first);
	/* The first round meets holding the first lock: the conflict is certain. */
	if ((fix == F_NONE || fix == F_BACKOFF) && i == 0 && first_try &&
	    !sched_on(r))
		meet(r, i);
	atomic_store(&s->waits[id], second);
	rc = second_lock(r, id, second);
	atomic_store(&s->waits[id], -1);
	if (fix == F_PREVENT)
		sched_mutex_unlock(r, id, &s->global);
	if (rc == 0) {
		inject_point(r, id, i);
		transfer(r, id, 0);
		sched_mutex_unlock(r, id, &s->lock[second]);
	} else if (rc != ETIMEDOUT && rc != EBUSY)
		worker_errc(r, rc, "deadlock: worker %u: lock %c", id, lockname[second]);
	atomic_store(&s->holds[id], -1);
	sched_mutex_unlock(r, id, &s->lock[first]);
	return rc;
}
/* explain: end */

static void
deadlock_work(struct run *r, unsigned id)
{
	struct dstate *s = r->state;
	uint64_t i;
	int rc, tries;

	if (deadlock_fix(r) == F_LOCKFREE) {
		for (i = 0; i < (uint64_t)r->p->v[O_ITERATIONS]; i++) {
			inject_point(r, id, i);
			sched_point(r, id, SCH_RMW, &s->acct[id], 0);
			transfer(r, id, 1);
		}
		return;
	}
	for (i = 0; i < (uint64_t)r->p->v[O_ITERATIONS]; i++) {
		for (tries = 0; (rc = both(r, id, i, tries == 0)) == EBUSY; tries++)
			backoff(r, id, i);
		if (rc != 0 || atomic_load(&s->over))
			break;
	}
}

static void
deadlock_check(const struct run *r, struct outcome *o)
{
	const struct dstate *s = r->state;
	unsigned dl = atomic_load(&s->deadlocks);
	int64_t r0 = (int64_t)s->rounds[0], r1 = (int64_t)s->rounds[1];
	int64_t a = atomic_load(&s->acct[0]), b = atomic_load(&s->acct[1]);
	int exact = a == OPENING - r0 + 2 * r1 && b == OPENING + r0 - 2 * r1;

	o->sync = fixes[deadlock_fix(r)];
	o->iterations = (uint64_t)r->p->v[O_ITERATIONS];
	o->expected = 2 * o->iterations;
	o->observed = o->ops = s->rounds[0] + s->rounds[1];
	if (r->sched_end == SCHED_DEADLOCK) {
		/* Explored: every unfinished worker blocked; the record says on what. */
		o->verdict = deadlock_fix(r) == F_NONE ? VERDICT_RACE : VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "deadlock: worker 0 holds %c "
		    "waits %c; worker 1 holds %c waits %c",
		    lockname[atomic_load(&s->holds[0]) & 1],
		    lockname[atomic_load(&s->waits[0]) & 1],
		    lockname[atomic_load(&s->holds[1]) & 1],
		    lockname[atomic_load(&s->waits[1]) & 1]);
	} else if (dl > 0 && exact && deadlock_fix(r) == F_NONE) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "deadlock: %s", s->cycle);
	} else if (dl == 0 && exact && o->observed == o->expected) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "no deadlock, accounts exact; "
		    "%u back-offs", atomic_load(&s->retries));
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%u deadlocks, %ju of %ju rounds%s",
		    dl, (uintmax_t)o->observed, (uintmax_t)o->expected,
		    exact ? "" : "; ACCOUNTS WRONG");
	}
	res_int(o->extra, "balance_a", a, 0);
	res_int(o->extra, "balance_b", b, 0);
	res_uint(o->extra, "deadlocks", dl, F_TABLE);
	res_uint(o->extra, "retries", atomic_load(&s->retries), F_TABLE);
	res_str(o->extra, "cycle", s->cycle, 0);
}

/* For people: who holds each lock, and the accounts. */
static void
deadlock_show(const struct run *r, char *buf, size_t len)
{
	const struct dstate *s = r->state;
	int h0 = atomic_load(&s->holds[0]), h1 = atomic_load(&s->holds[1]);

	snprintf(buf, len, "A: %s, B: %s; accounts %jd/%jd",
	    h0 == 0 ? "worker 0" : h1 == 0 ? "worker 1" : "free",
	    h0 == 1 ? "worker 0" : h1 == 1 ? "worker 1" : "free",
	    (intmax_t)atomic_load(&s->acct[0]), (intmax_t)atomic_load(&s->acct[1]));
}

static void
deadlock_destroy(struct run *r)
{
	struct dstate *s = r->state;

	ipc_mutex_destroy(&s->lock[0]);
	ipc_mutex_destroy(&s->lock[1]);
	ipc_mutex_destroy(&s->global);
}

const struct worker worker_deadlock = {
	.name = "deadlock",
	.desc = "two locks in opposite order: the deadlock, found; four cures",
	.caps = CAP_SCHED,
	.proves = "the bad order deadlocks, found by a deadline and named as a "
	    "wait-for cycle; --fix order, backoff, prevent and lockfree finish "
	    "every round, the accounts exact to the unit",
	.explain =
	    "Two workers take locks A and B in opposite order to move money between\n"
	    "accounts A and B; each holds one lock and waits for the other, forever.\n"
	    "\n"
	    "Primitive: two robust mutexes; timed locks notice the deadlock; a wait-for\n"
	    "record in shared memory names the cycle.  The cures are OSTEP's\n"
	    "threads-bugs homework: vector-global-order, -try-wait,\n"
	    "-avoid-hold-and-wait and -nolock.\n"
	    "\n"
	    "Columns: deadlocks, retries (backoffs); time and ops/s, the price of each\n"
	    "cure; cycle, balance_a, balance_b (JSON/CSV).\n"
	    "\n"
	    "Try: --fix order (everyone takes A first); --fix backoff (release and\n"
	    "retry after a random pause); --fix prevent (one global lock around taking\n"
	    "both: no hold-and-wait); --fix lockfree (an atomic fetch-add per account,\n"
	    "no lock); --fix all -n 100000 (every cure's cost in one table);\n"
	    "--timeline (both wait while holding: !).\n"
	    "\n"
	    "Pitfalls: a timeout only notices a deadlock, ordering prevents it; backoff\n"
	    "without randomness can livelock; the global lock serializes taking locks;\n"
	    "lock-free, the two accounts are each exact but their sum is briefly off.\n",
	.opts = deadlock_opts,
	.variants = deadlock_variants,
	.nworkers = deadlock_nworkers,
	.size = deadlock_size,
	.setup = deadlock_setup,
	.work = deadlock_work,
	.check = deadlock_check,
	.destroy = deadlock_destroy,
	.sched_show = deadlock_show,
};
