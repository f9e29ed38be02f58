/*
 * counter.c - N workers add 1 to one shared 64-bit counter ITERS times each.
 *
 * Unguarded, the read-modify-write of one worker overwrites another's and
 * updates are lost; --widen yields inside the window so the loss shows even
 * on one core.  Each guard makes the total exact: a robust process-shared
 * mutex, a named semaphore used as a lock, a process-shared spinlock, a
 * C11 atomic fetch-add, and the lock zoo of ipc/locks.h.  Each locked run
 * also measures fairness: who got the lock how often, how many times in a
 * row, after how long a wait.  See TLPI psem/thread_incr_psem.c.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/locks.h"
#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "mpiform.h"
#include "worker.h"

enum { O_WORKERS, O_ITERATIONS, O_SYNC, O_WIDEN, O_HOLD, O_FAIR, O_NOPTS };

/*
 * -n by default.  An unguarded worker does 100,000 increments in ~250 us:
 * on a busy machine it is done before the next is scheduled, and nothing is
 * lost.  Racing runs get enough work to span many scheduler ticks.
 */
#define RACE_ITERS	2000000
#define RACE_ITERS_S	"2,000,000"
#define LOCK_ITERS	100000
#define LOCK_ITERS_S	"100,000"
enum sync { S_NONE, S_MUTEX, S_SEM, S_SPIN, S_ATOMIC, S_NAIVE, S_TAS, S_TTAS,
    S_YIELD, S_CAS, S_TICKET, S_MCS, S_FUTEX, S_ALL, NSYNCS };

static const char *const syncs[] = {
	[S_NONE] = "none", [S_MUTEX] = "mutex", [S_SEM] = "sem",
	[S_SPIN] = "spin", [S_ATOMIC] = "atomic", [S_NAIVE] = "naive-flag",
	[S_TAS] = "tas", [S_TTAS] = "ttas", [S_YIELD] = "yield", [S_CAS] = "cas",
	[S_TICKET] = "ticket", [S_MCS] = "mcs", [S_FUTEX] = "futex",
	[S_ALL] = "all", [NSYNCS] = NULL
};

static const struct optdef counter_opts[] = {
	[O_WORKERS] = OPT_WORKERS(4),
	[O_ITERATIONS] = { "iterations", 'n', "N", 0, LLONG_MAX, 0, NULL,
	  "increments per worker; 0, the default: " RACE_ITERS_S "\n"
	  "                         for none and naive-flag (so the racers overlap\n"
	  "                         even on a busy machine), " LOCK_ITERS_S " for the\n"
	  "                         others" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_ALL, syncs,
	  "none, mutex, sem, spin, atomic, naive-flag (busy-wait on a plain\n"
	  "                         flag), tas (test-and-set spinlock), ttas (test,\n"
	  "                         then test-and-set), yield (test-and-set that\n"
	  "                         yields), cas (compare-and-swap), ticket (FIFO),\n"
	  "                         mcs (FIFO queue lock), futex (spin, then sleep),\n"
	  "                         or all in turn" },
	[O_WIDEN] = { "widen", 0, NULL, 0, 1, 0, NULL,
	  "yield between the read and the write of each increment" },
	[O_HOLD] = { "hold-us", 'u', "US", 0, 1000000, 0, NULL,
	  "sleep this long inside each critical section (spinning vs blocking)" },
	[O_FAIR] = { "fairness", 0, NULL, 0, 1, 0, NULL,
	  "time every wait for the lock (max_wait_ns; -t and --hold-us do too)" },
	[O_NOPTS] = { NULL }
};

struct counter {
	alignas(CACHE_LINE) volatile uint64_t plain;	/* none, and the locks */
	volatile uint32_t	 last;		/* the last holder: same line, one store */
	alignas(CACHE_LINE) _Atomic uint64_t atomic;
	alignas(CACHE_LINE) pthread_mutex_t mutex;
	alignas(CACHE_LINE) pthread_spinlock_t spin;
	alignas(CACHE_LINE) volatile int flag;		/* naive-flag: check, then set */
	alignas(CACHE_LINE) atomic_flag tas;
	alignas(CACHE_LINE) struct ipc_ttas ttas;
	alignas(CACHE_LINE) struct ipc_yield yield;
	alignas(CACHE_LINE) struct ipc_cas cas;
	struct ipc_ticket	 ticket;	/* each on its own lines */
	struct ipc_mcs		 mcs;
	alignas(CACHE_LINE) struct ipc_futexlock futex;
	struct ipc_mcs_node	 node[];	/* one per worker; then the tallies */
};

/* What one worker saw of fairness, written once at its end. */
struct tally {
	alignas(CACHE_LINE) uint64_t max_run;	/* acquisitions in a row */
	uint64_t		 max_wait_ns;	/* the longest wait for the lock */
};

static const volatile void *guard_obj(struct counter *, enum sync, sem_t *);

static struct tally *
tallies(const struct run *r)
{
	return (struct tally *)&((struct counter *)r->state)->node[r->nworkers];
}

/* The guards with a critical section: where holders, runs and waits mean something. */
static int
has_cs(enum sync s)
{
	return s != S_NONE && s != S_NAIVE && s != S_ATOMIC;
}

/* Two clock reads per acquisition (~50 ns): only when asked, or when a run is slow anyway. */
static int
waits_timed(const struct params *p)
{
	return p->v[O_FAIR] || p->duration_ns != 0 || p->v[O_HOLD] > 0;
}

static enum sync
counter_sync(const struct run *r)
{
	return r->p->v[O_SYNC] == S_ALL ? (enum sync)r->variant :
	    (enum sync)r->p->v[O_SYNC];
}

/* Increments per worker: -n, or by default as many as the guard needs to show itself. */
static uint64_t
iterations(const struct params *p, enum sync s)
{
	if (p->v[O_ITERATIONS] != 0)
		return (uint64_t)p->v[O_ITERATIONS];
	return s == S_NONE || s == S_NAIVE ? RACE_ITERS : LOCK_ITERS;
}

static const char *
counter_validate(const struct params *p)
{
	uint64_t total;

	if (__builtin_mul_overflow((uint64_t)p->v[O_WORKERS],
	    iterations(p, S_NONE), &total))
		return "workers x iterations overflows a 64-bit counter";
	return NULL;
}

static int
counter_variants(const struct params *p)
{
	return p->v[O_SYNC] == S_ALL ? S_ALL : 1;
}

static unsigned
counter_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
counter_size(const struct run *r)
{
	return sizeof(struct counter) + r->nworkers *
	    (sizeof(struct ipc_mcs_node) + sizeof(struct tally));
}

/* The ipc/locks.h guards, built in place: 0 or an errno value. */
static int
zoo_init(const struct run *r, struct counter *c)
{
	switch (counter_sync(r)) {
	case S_TTAS:
		return ipc_ttas_init(&c->ttas);
	case S_YIELD:
		return ipc_yield_init(&c->yield);
	case S_CAS:
		return ipc_cas_init(&c->cas);
	case S_TICKET:
		return ipc_ticket_init(&c->ticket);
	case S_MCS:
		return ipc_mcs_init(&c->mcs, c->node, r->nworkers);
	case S_FUTEX:
		return ipc_futexlock_init(&c->futex);
	default:
		return 0;
	}
}

static void
counter_setup(struct run *r)
{
	struct counter *c = r->state;
	struct ipc_sem *s;
	int rc;

	c->last = UINT32_MAX;		/* nobody yet: the first run starts at 1 */
	run_name(r, &c->plain, "counter");
	run_name(r, &c->atomic, "counter");
	run_name(r, &c->flag, "flag");
	switch (counter_sync(r)) {
	case S_MUTEX:
		if ((rc = ipc_mutex_init(&c->mutex, IPC_MUTEX_NORMAL)) != 0)
			errc(1, rc, "counter: mutex");
		break;
	case S_SPIN:
		if ((rc = ipc_spin_init(&c->spin)) != 0)
			errc(1, rc, "counter: spinlock");
		break;
	case S_SEM:
		/* Value 1: a binary semaphore is a lock; workers inherit it, so unlink now. */
		if ((s = r->priv = calloc(1, sizeof(*s))) == NULL)
			err(1, "counter");
		if ((rc = ipc_sem_open(s, "counter.lock", 1)) != 0)
			errc(1, rc, "counter: sem_open");
		if ((rc = ipc_sem_unlink(s)) != 0)
			errc(1, rc, "counter: sem_unlink");
		break;
	default:
		if ((rc = zoo_init(r, c)) != 0)
			errc(1, rc, "counter: %s", syncs[counter_sync(r)]);
		break;
	}
	if (has_cs(counter_sync(r)))
		run_name(r, guard_obj(c, counter_sync(r), r->priv != NULL ?
		    ((struct ipc_sem *)r->priv)->sem : NULL), syncs[counter_sync(r)]);
}

/*
 * The unguarded read-modify-write: volatile, so the compiler keeps all three
 * steps.  The load and the store are scheduling points: a worker can lose
 * the CPU between them, and the update of whoever ran meanwhile is lost.
 */
/* explain: counter: the racing read-modify-write (--sync none): read, add, write back */
static inline void
bump(const struct run *r, struct counter *c, unsigned id, int widen)
{
	uint64_t v;

	sched_point(r, id, SCH_LOAD, &c->plain, 0);
	v = c->plain;
	sched_read(r, id, v);
	if (widen)
		worker_yield(r);
	sched_point(r, id, SCH_STORE, &c->plain, v + 1);
	c->plain = v + 1;
}
/* explain: end */

/*
 * The naive flag: wait while it is up, then raise it.  Two workers can both
 * see it down and both go in: the check and the set are two steps.
 */
/* explain: counter: naive-flag: the check and the set are two steps, so two can enter */
static int
naive_lock(const struct run *r, struct counter *c)
{
	unsigned n = 0;

	while (c->flag)
		if (++n % 1024 == 0) {
			if (run_stopped(r))	/* past the deadline, or poisoned */
				return ETIMEDOUT;
			sched_yield();
		}
	if (r->p->v[O_WIDEN])
		sched_yield();	/* --widen: between the check and the set, too */
	c->flag = 1;
	return 0;
}
/* explain: end */

/* A real test-and-set: one atomic step, so only one worker wins. */
static int
tas_lock(const struct run *r, struct counter *c)
{
	unsigned n = 0;

	while (atomic_flag_test_and_set_explicit(&c->tas, memory_order_acquire))
		if (++n % 128 == 0) {
			if (n % 4096 == 0 && run_stopped(r))	/* or poisoned */
				return ETIMEDOUT;
			sched_yield();
		}
	return 0;
}

/* A try at an ipc/locks.h guard: 0, EBUSY, or an errno value. */
static int
zoo_trylock(struct counter *c, enum sync s, unsigned id)
{
	switch (s) {
	case S_TTAS:
		return ipc_ttas_trylock(&c->ttas);
	case S_YIELD:
		return ipc_yield_trylock(&c->yield);
	case S_CAS:
		return ipc_cas_trylock(&c->cas, id);
	case S_TICKET:
		return ipc_ticket_trylock(&c->ticket);
	case S_MCS:
		return ipc_mcs_trylock(&c->mcs, id);
	case S_FUTEX:
		return ipc_futexlock_trylock(&c->futex);
	default:
		return 0;
	}
}

/* The naive flag, one step at a time: check (a load), then set (a store). */
static int
coop_naive(struct run *r, struct counter *c, unsigned id)
{
	sched_point(r, id, SCH_LOAD, &c->flag, 0);
	while (c->flag)
		if (sched_wait(r, id, &c->flag) != 0)
			return ETIMEDOUT;
	sched_read(r, id, 0);
	if (r->p->v[O_WIDEN])
		worker_yield(r);
	sched_point(r, id, SCH_STORE, &c->flag, 1);
	c->flag = 1;
	return 0;
}

/* The object a guard's lock and unlock act on: what a schedule names. */
static const volatile void *
guard_obj(struct counter *c, enum sync s, sem_t *sem)
{
	switch (s) {
	case S_MUTEX:
		return &c->mutex;
	case S_SEM:
		return sem;
	case S_SPIN:
		return &c->spin;
	case S_NAIVE:
		return &c->flag;
	case S_TAS:
		return &c->tas;
	case S_TTAS:
		return &c->ttas;
	case S_YIELD:
		return &c->yield;
	case S_CAS:
		return &c->cas;
	case S_TICKET:
		return &c->ticket;
	case S_MCS:
		return &c->mcs;
	default:
		return &c->futex;
	}
}

/* One try at the guard: 0, EBUSY, or an errno value. */
static int
guard_try(struct counter *c, enum sync s, sem_t *sem, unsigned id)
{
	switch (s) {
	case S_MUTEX:
		return ipc_mutex_trylock(&c->mutex) == EBUSY ? EBUSY : 0;
	case S_SEM:
		return ipc_sem_trywait(sem) == EAGAIN ? EBUSY : 0;
	case S_SPIN:
		return pthread_spin_trylock(&c->spin) == EBUSY ? EBUSY : 0;
	case S_TAS:
		return atomic_flag_test_and_set(&c->tas) ? EBUSY : 0;
	default:
		return zoo_trylock(c, s, id);
	}
}

/*
 * Coop tasks share one thread: a blocking lock held by another task would
 * never be let go.  They try, and yield to the others until they get it.
 * Scheduled runs (--explore, --schedule, --step) lock this way in every
 * mode: a worker whose turn it is must never sleep in the kernel.
 */
static int
coop_lock(struct run *r, struct counter *c, enum sync s, sem_t *sem,
    unsigned id)
{
	const volatile void *obj = guard_obj(c, s, sem);
	int rc;

	if (s == S_NONE)
		return 0;
	if (s == S_NAIVE) {
		if ((rc = coop_naive(r, c, id)) == 0)
			ipc_trace(IPC_EV_ACQ, IPC_K_FLAG, &c->flag);
		return rc;
	}
	sched_point(r, id, SCH_LOCK, obj, 0);
	while ((rc = guard_try(c, s, sem, id)) == EBUSY)
		if (sched_wait(r, id, obj) != 0)
			return ETIMEDOUT;
	if (s == S_TAS)
		ipc_trace(IPC_EV_ACQ, IPC_K_FLAG, &c->flag);
	return rc;
}

static inline int
guard_lock(struct run *r, struct counter *c, enum sync s, sem_t *sem,
    unsigned id)
{
	const atomic_int *stop = &r->sh->stop;
	int rc;

	if (r->mode == MODE_COOP || sched_on(r))
		return coop_lock(r, c, s, sem, id);
	switch (s) {
	case S_MUTEX:
		return worker_mutex_lock(r, &c->mutex, "mutex");
	case S_SEM:
		return ipc_sem_wait(sem, r->deadline);
	case S_SPIN:
		return ipc_spin_lock(&c->spin, r->deadline);
	case S_NAIVE:
	case S_TAS:
		/* Not ipc calls: the flag locks say what they do themselves. */
		ipc_trace(IPC_EV_TRY, IPC_K_FLAG, &c->flag);
		rc = s == S_NAIVE ? naive_lock(r, c) : tas_lock(r, c);
		ipc_trace(rc == 0 ? IPC_EV_ACQ : IPC_EV_FAIL, IPC_K_FLAG, &c->flag);
		return rc;
	case S_TTAS:
		return ipc_ttas_lock(&c->ttas, r->deadline, stop);
	case S_YIELD:
		return ipc_yield_lock(&c->yield, r->deadline, stop);
	case S_CAS:
		return ipc_cas_lock(&c->cas, id, r->deadline, stop);
	case S_TICKET:
		return ipc_ticket_lock(&c->ticket, r->deadline, stop);
	case S_MCS:
		return ipc_mcs_lock(&c->mcs, id, r->deadline, stop);
	case S_FUTEX:
		return ipc_futexlock_lock(&c->futex, r->deadline, stop);
	default:
		return 0;
	}
}

static inline int
guard_unlock(struct run *r, struct counter *c, enum sync s, sem_t *sem,
    unsigned id)
{
	if (sched_on(r) && s != S_NONE)
		sched_point(r, id, s == S_NAIVE ? SCH_STORE : SCH_UNLOCK,
		    guard_obj(c, s, sem), 0);
	switch (s) {
	case S_MUTEX:
		return ipc_mutex_unlock(&c->mutex);
	case S_SEM:
		return ipc_sem_post(sem);
	case S_SPIN:
		return ipc_spin_unlock(&c->spin);
	case S_NAIVE:
		ipc_trace(IPC_EV_REL, IPC_K_FLAG, &c->flag);
		c->flag = 0;
		return 0;
	case S_TAS:
		ipc_trace(IPC_EV_REL, IPC_K_FLAG, &c->flag);
		atomic_flag_clear_explicit(&c->tas, memory_order_release);
		return 0;
	case S_TTAS:
		return ipc_ttas_unlock(&c->ttas);
	case S_YIELD:
		return ipc_yield_unlock(&c->yield);
	case S_CAS:
		return ipc_cas_unlock(&c->cas, id);
	case S_TICKET:
		return ipc_ticket_unlock(&c->ticket);
	case S_MCS:
		return ipc_mcs_unlock(&c->mcs, id, r->deadline, &r->sh->stop);
	case S_FUTEX:
		return ipc_futexlock_unlock(&c->futex);
	default:
		return 0;
	}
}

/*
 * The locked loop, inlined once per guard with s a constant: the switches
 * in guard_lock and guard_unlock fold away and the hot loop is the bare
 * lock, increment, unlock (the bench compares it with exactly that).
 */
static inline __attribute__((always_inline)) int
locked_loop(struct run *r, unsigned id, enum sync s, sem_t *sem, uint64_t *i)
{
	struct counter *c = r->state;
	struct tally *t = &tallies(r)[id];
	uint64_t n = iterations(r->p, s);
	long us = (long)r->p->v[O_HOLD];
	int rc = 0, widen = (int)r->p->v[O_WIDEN], timed = waits_timed(r->p);
	uint64_t k, t0 = 0, w, run = 0, max_run = 0, max_wait = 0;

	/* explain: counter: every lock guards the same bump: lock, read-modify-write, unlock */
	for (k = 0; run_more(r, k, n) && rc == 0; k++) {
		if (timed)
			t0 = ipc_now_ns();
		if ((rc = guard_lock(r, c, s, sem, id)) != 0)
			break;
		if (timed && (w = ipc_now_ns() - t0) > max_wait)
			max_wait = w;
		inject_point(r, id, k);
		if (has_cs(s)) {
			/* Held by us last time too: the run goes on.  One store, on the counter's line. */
			run = c->last == id ? run + 1 : 1;
			max_run = run > max_run ? run : max_run;
			c->last = id;
		}
		/* Unguarded: the read-modify-write itself is the event (two overlap: a lost update). */
		if (s == S_NONE || s == S_NAIVE)
			ipc_trace(IPC_EV_LOAD, IPC_K_VAR, &c->plain);
		bump(r, c, id, widen);
		if (s == S_NONE || s == S_NAIVE)
			ipc_trace(IPC_EV_STORE, IPC_K_VAR, &c->plain);
		if (us > 0)
			ipc_sleep_ns((uint64_t)us * 1000);
		rc = guard_unlock(r, c, s, sem, id);
	}
	/* explain: end */
	*i = k;
	t->max_run = max_run;
	t->max_wait_ns = max_wait;
	return rc;
}

static void
counter_work(struct run *r, unsigned id)
{
	struct counter *c = r->state;
	sem_t *sem = r->priv != NULL ? ((struct ipc_sem *)r->priv)->sem : NULL;
	enum sync s = counter_sync(r);
	uint64_t i = 0, n = iterations(r->p, s);
	int rc;

	switch (s) {
	case S_ATOMIC:
		/* explain: counter: atomic: one indivisible fetch-add per increment */
		for (i = 0; run_more(r, i, n); i++) {
			inject_point(r, id, i);
			sched_point(r, id, SCH_RMW, &c->atomic, 0);
			atomic_fetch_add_explicit(&c->atomic, 1, memory_order_relaxed);
		}
		/* explain: end */
		r->sh->slot[id].iters = i;
		return;
	case S_MUTEX:
		rc = locked_loop(r, id, S_MUTEX, sem, &i);
		break;
	case S_SEM:
		rc = locked_loop(r, id, S_SEM, sem, &i);
		break;
	case S_SPIN:
		rc = locked_loop(r, id, S_SPIN, sem, &i);
		break;
	case S_TTAS:
		rc = locked_loop(r, id, S_TTAS, sem, &i);
		break;
	case S_YIELD:
		rc = locked_loop(r, id, S_YIELD, sem, &i);
		break;
	case S_CAS:
		rc = locked_loop(r, id, S_CAS, sem, &i);
		break;
	case S_TICKET:
		rc = locked_loop(r, id, S_TICKET, sem, &i);
		break;
	case S_MCS:
		rc = locked_loop(r, id, S_MCS, sem, &i);
		break;
	case S_FUTEX:
		rc = locked_loop(r, id, S_FUTEX, sem, &i);
		break;
	default:
		rc = locked_loop(r, id, s, sem, &i);
		break;
	}
	r->sh->slot[id].iters = i;
	if (rc != 0)
		worker_errc(r, rc, "counter: worker %u: %s: iteration %ju", id,
		    syncs[s], (uintmax_t)i);
}

/*
 * Fairness, from each worker's count (its slot) and tally.  Shares are of
 * the mean, so 1.00 is a fair share; Jain's index is (sum x)^2 / (n sum x^2),
 * 1 when all are equal, 1/n when one did everything.  Columns that cannot
 * mean anything in this run are null: shares with -n (every worker does n),
 * runs and waits without a critical section, waits when not timed.
 */
static void
counter_fairness(const struct run *r, struct outcome *o, enum sync s)
{
	const struct tally *t = tallies(r);
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0, x, run = 0, wait = 0;
	double sq = 0, mean;
	int share = r->p->duration_ns != 0 ? F_TABLE : F_NULL;
	int cs = has_cs(s) ? 0 : F_NULL, timed = waits_timed(r->p);
	unsigned i;

	for (i = 0; i < r->nworkers; i++) {
		x = r->sh->slot[i].iters;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
		sum += x;
		sq += (double)x * (double)x;
		run = t[i].max_run > run ? t[i].max_run : run;
		wait = t[i].max_wait_ns > wait ? t[i].max_wait_ns : wait;
	}
	mean = (double)sum / r->nworkers;
	if (sum == 0)
		share |= F_NULL;
	res_dbl(o->extra, "share_min", sum ? (double)lo / mean : 0, share | F_RATIO);
	res_dbl(o->extra, "share_max", sum ? (double)hi / mean : 0, share | F_RATIO);
	res_dbl(o->extra, "jain", sum ? (double)sum * (double)sum /
	    (r->nworkers * sq) : 0, share | F_RATIO);
	res_uint(o->extra, "max_run", run, F_TABLE | cs);
	res_uint(o->extra, "max_wait_ns", wait, F_NS | cs |
	    (timed ? F_TABLE : F_NULL));
}

/* Whether any two workers' work overlapped in time (their slots' start and end). */
static int
overlapped(const struct run *r)
{
	unsigned i, j;

	for (i = 0; i < r->nworkers; i++)
		for (j = i + 1; j < r->nworkers; j++)
			if (r->sh->slot[i].t_start < r->sh->slot[j].t_end &&
			    r->sh->slot[j].t_start < r->sh->slot[i].t_end)
				return 1;
	return 0;
}

/*
 * An unguarded run that lost nothing says why, and the schedule that loses
 * an update for certain: both workers read before either writes (and with
 * the naive flag, both see it down before either raises it).
 */
static void
exact_note(const struct run *r, char *note, size_t len)
{
	const char *sched = counter_sync(r) == S_NAIVE ? "0,1,0,1,0,1,0,1" :
	    "0,1,0,1";

	if (r->mode == MODE_COOP && !sched_on(r))
		snprintf(note, len, "no yield inside the read-modify-write: no race; "
		    "--schedule %s loses an update for certain", sched);
	else if (r->nworkers == 1)
		snprintf(note, len, "one worker: nobody to race with");
	else if (sched_on(r))
		snprintf(note, len, "exact under this schedule; --schedule %s "
		    "loses an update for certain", sched);
	else
		snprintf(note, len, "exact this time: %s; --schedule %s loses an "
		    "update for certain", overlapped(r) ? "they overlapped but no "
		    "update was lost" : "the workers never overlapped", sched);
}

static void
counter_check(const struct run *r, struct outcome *o)
{
	struct counter *c = r->state;
	enum sync s = counter_sync(r);

	/* Take the mutex last: a holder that died with it is found even if no worker came after. */
	if (s == S_MUTEX && worker_mutex_lock(r, &c->mutex, "mutex") == 0)
		ipc_mutex_unlock(&c->mutex);

	o->sync = syncs[s];
	/* With -t each worker did what it could: expected is the sum, iterations the mean. */
	if (r->p->duration_ns != 0) {
		o->expected = o->ops = iters_done(r, 0, r->nworkers);
		o->iterations = o->expected / r->nworkers;
	} else {
		o->iterations = iterations(r->p, s);
		o->expected = o->ops = (uint64_t)r->nworkers * o->iterations;
	}
	o->observed = s == S_ATOMIC ? atomic_load(&c->atomic) : c->plain;
	if (o->observed == o->expected) {
		o->verdict = VERDICT_OK;
		if (s == S_NONE || s == S_NAIVE)
			exact_note(r, o->note, sizeof(o->note));
		else
			snprintf(o->note, sizeof(o->note), "exact");
	} else if ((s == S_NONE || s == S_NAIVE) && o->observed < o->expected) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "lost %ju updates (%.1f%%)",
		    (uintmax_t)(o->expected - o->observed),
		    100.0 * (double)(o->expected - o->observed) / (double)o->expected);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "off by %jd",
		    (intmax_t)(o->observed - o->expected));
	}
	res_uint(o->extra, "lost", o->expected > o->observed ?
	    o->expected - o->observed : 0, F_TABLE);
	counter_fairness(r, o, s);
}

/*
 * What decides the rest of a scheduled run: the counters, the flags and
 * every lock's words; not the fairness tallies, which no step reads.
 */
static size_t
counter_state(const struct run *r, void *buf, size_t cap)
{
	const struct counter *c = r->state;
	size_t locks = offsetof(struct counter, node[r->nworkers]) -
	    offsetof(struct counter, atomic);
	int sem = 0;

	if (r->priv != NULL)
		sem_getvalue(((struct ipc_sem *)r->priv)->sem, &sem);
	if (locks + 2 * sizeof(uint64_t) > cap)
		return 0;
	memcpy(buf, (const void *)&c->plain, sizeof(uint64_t));
	memcpy((char *)buf + 8, &sem, sizeof(sem));
	memcpy((char *)buf + 16, &c->atomic, locks);
	return 16 + locks;
}

/* The shared state for people: the counter (and the flag, when it guards). */
static void
counter_show(const struct run *r, char *buf, size_t len)
{
	const struct counter *c = r->state;

	if (counter_sync(r) == S_ATOMIC)
		snprintf(buf, len, "counter=%ju", (uintmax_t)atomic_load(&c->atomic));
	else if (counter_sync(r) == S_NAIVE)
		snprintf(buf, len, "counter=%ju flag=%d", (uintmax_t)c->plain,
		    c->flag);
	else
		snprintf(buf, len, "counter=%ju", (uintmax_t)c->plain);
}

static void
counter_destroy(struct run *r)
{
	struct counter *c = r->state;

	if (counter_sync(r) == S_MUTEX)
		ipc_mutex_destroy(&c->mutex);
	else if (counter_sync(r) == S_SPIN)
		ipc_spin_destroy(&c->spin);
}

const struct worker worker_counter = {
	.name = "counter",
	.desc = "shared counter: lost updates, then each guard that removes them",
	.proves = "counter == workers x iterations under every guard; "
	    "unguarded, the lost updates are counted",
	.caps = CAP_COOP | CAP_TIMED | CAP_SCHED | CAP_MPI,
	.mpi = &mpi_form_counter,
	.explain =
	    "N workers each add 1 to one 64-bit counter in shared memory.  An increment is\n"
	    "three steps (read, add, write); two workers that read the same value both\n"
	    "write back value+1, and one update is lost.\n"
	    "\n"
	    "Primitive: none; a robust process-shared pthread mutex; a named POSIX\n"
	    "semaphore at 1 used as a lock; a process-shared pthread spinlock; a C11\n"
	    "atomic fetch-add; the naive flag (check, then set: still two steps); a real\n"
	    "test-and-set spinlock (atomic_flag); and the lock zoo (ipc/locks.h):\n"
	    "  ttas    spin reading, exchange only when free: waiters share the line\n"
	    "          instead of stealing it; wins over tas with several spinners.\n"
	    "  yield   test-and-set that gives the CPU away on a miss: cheap when\n"
	    "          workers outnumber CPUs, wasteful latency when they do not.\n"
	    "  cas     compare-and-swap writing the owner's id: as cheap as tas, and\n"
	    "          the lock word names its holder (unlock by another is EPERM).\n"
	    "  ticket  fetch-and-add a ticket, wait to be served: FIFO, one RMW per\n"
	    "          lock; every waiter watches one line; not-next waiters sleep.\n"
	    "  mcs     a queue of per-worker nodes (indices, so it works across\n"
	    "          processes): FIFO, each waiter spins on its own line; wins with\n"
	    "          many CPUs spinning; costs an exchange and a CAS per lock.\n"
	    "  futex   Drepper's mutex: CAS 0->1 uncontended (no syscall), spin\n"
	    "          briefly, then sleep in FUTEX_WAIT; what pthread mutexes do.\n"
	    "FIFO pays: with more workers than CPUs the next in line is often off a\n"
	    "CPU, and the lock waits for the scheduler (see ops/s and ivcsw).\n"
	    "\n"
	    "Columns: expected is workers x iterations, observed what the counter holds,\n"
	    "lost the difference; cpu_ns (JSON/CSV) is the CPU the workers burned.\n"
	    "With -t SECONDS instead of -n, each worker counts the increments it made\n"
	    "until the time was up: expected is their sum, iterations their mean.\n"
	    "Fairness: share_min, share_max (with -t) are the least and most a worker\n"
	    "did over the mean (1.00x: a fair share); jain is (sum x)^2 / (n sum x^2),\n"
	    "1 when equal, 1/n when one did all; max_run the most acquisitions in a\n"
	    "row by one worker (the last holder is kept beside the counter);\n"
	    "max_wait_ns the longest lock wait, timed only with --fairness, -t or\n"
	    "--hold-us (two clock reads, ~50 ns, per acquisition).\n"
	    "\n"
	    "Every interleaving: the load and the store of the unguarded increment,\n"
	    "and each lock and unlock, are scheduling points.  With -w 2 -n 2 each\n"
	    "worker takes 4 steps, and C(8,4) = 70 schedules: --explore counts 6 that\n"
	    "end at 4, 32 at 3 and 32 at 2, and proves each guard exact in all of\n"
	    "its schedules; --schedule 0,1,0,1 --story replays the first lost update\n"
	    "on threads, processes and coop tasks alike; --step lets you choose.\n"
	    "\n"
	    "Try: --sync none --widen (the race on any machine); -w 1 (nobody to race\n"
	    "with); --sync all --mode both (every guard, threads next to processes);\n"
	    "--hold-us 1000 --sync tas; --hold-us 1000 --sync mutex (compare cpu_ns);\n"
	    "-s mutex -w 3 -n 20 -u 1000 --timeline (who held it when);\n"
	    "-w 4 -t 0.3 -u 50 -s ticket (max_run 1, jain 1.00x: served in turn);\n"
	    "-w 4 -t 0.3 -u 50 -s tas (one worker takes it a thousand times in a row);\n"
	    "-s none -w 2 -n 2 --explore; -w 3 -n 2 --explore (every guard proven);\n"
	    "-s none -w 2 -n 1 --schedule 0,1,0,1 --story; -s none -w 2 -n 1 --step.\n"
	    "\n"
	    "Pitfalls: a mutex in shared memory must be PTHREAD_PROCESS_SHARED (and here\n"
	    "robust, so a dead owner is survivable); volatile is not a lock; a spinlock\n"
	    "burns a CPU for as long as its holder sleeps or is preempted; a lock that\n"
	    "lets the releaser take it again at once (tas, mutex, futex) starves the\n"
	    "others; FIFO serves only who asks: a worker preempted before it takes its\n"
	    "ticket is not in the queue.\n",
	.opts = counter_opts,
	.validate = counter_validate,
	.variants = counter_variants,
	.nworkers = counter_nworkers,
	.size = counter_size,
	.setup = counter_setup,
	.work = counter_work,
	.check = counter_check,
	.release = release_sem,
	.destroy = counter_destroy,
	.sched_state = counter_state,
	.sched_show = counter_show,
};
