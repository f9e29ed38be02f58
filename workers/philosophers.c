/*
 * philosophers.c - the dining philosophers (LeetCode 1226): N philosophers
 * round a table, a fork between each two, both forks needed to eat.
 *
 * Forks are robust process-shared mutexes, each with an owner word checked
 * on every take and put.  --fix none (left, then right) deadlocks for sure:
 * in the first meal everyone holds the left fork before anyone reaches for
 * the right, and a short timed wait reads the wait-for record and names the
 * cycle.  The cures: order (lower fork first), waiter (a named semaphore with
 * N-1 seats), trylock (put the left back, pause at random, retry).  See
 * deadlock.c for two workers.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

#define BACKOFF_NS	20000u		/* trylock's longest random pause */

enum { O_WORKERS, O_MEALS, O_FIX, O_WAIT, O_EAT, O_THINK, O_NOPTS };
enum fix { F_NONE, F_ORDER, F_WAITER, F_TRYLOCK, NFIXES };

static const char *const fixes[] = {
	[F_NONE] = "none", [F_ORDER] = "order", [F_WAITER] = "waiter",
	[F_TRYLOCK] = "trylock", [NFIXES] = NULL
};

static const struct optdef phil_opts[] = {
	[O_WORKERS] = { "workers", 'w', "N", 1, MAX_WORKERS, 5, NULL,
	  "philosophers (and forks), at least 2" },
	[O_MEALS] = { "meals", 'n', "N", 1, LLONG_MAX, 200, NULL,
	  "meals each philosopher eats" },
	[O_FIX] = { "fix", 'x', "CURE", 0, 0, F_ORDER, fixes,
	  "none (left then right: deadlocks), order (lower fork first),\n"
	  "                         waiter (N-1 seats), trylock (put back, retry)" },
	[O_WAIT] = { "wait-ms", 'W', "MS", 1, 60000, 50, NULL,
	  "--fix none: how long a wait lasts before the wait-for record is read" },
	[O_EAT] = { "eat-us", 'e', "US", 0, 1000000, 0, NULL,
	  "sleep this long holding both forks" },
	[O_THINK] = { "think-us", 'u', "US", 0, 1000000, 0, NULL,
	  "sleep this long between meals" },
	[O_NOPTS] = { NULL }
};

/* Fork i and philosopher i (whose left fork it is), one cache line each. */
struct fork {
	alignas(CACHE_LINE) pthread_mutex_t m;
	atomic_uint	 owner;		/* philosopher + 1 holding it, or 0 */
	uint64_t	 uses;		/* meals eaten with it: plain, under m */
};

struct seat {
	alignas(CACHE_LINE) uint64_t meals;	/* written by its philosopher */
	uint64_t	 eat_ns;	/* with -t: time holding both forks */
	uint64_t	 retries;	/* trylock: right fork busy, left put back */
	uint64_t	 starved;	/* trylock: the longest run of failed tries */
	atomic_int	 waits;		/* the fork wanted while holding one, or -1 */
	int		 cyc_next;	/* the named cycle: who holds what it wants */
	int		 cyc_hold, cyc_want;
};

struct place {
	struct fork	 fork;
	struct seat	 seat;
};

struct pstate {
	alignas(CACHE_LINE) atomic_uint met;	/* --fix none: left forks taken */
	atomic_int	 naming;	/* one philosopher names the cycle */
	atomic_int	 over;		/* the cycle is named: everyone leaves */
	atomic_uint	 violations;	/* a fork found with another owner */
	int		 cyc_first;	/* the cycle's lowest philosopher */
	unsigned	 cyc_len;
	struct place	 p[];
};

static const char *
phil_validate(const struct params *p)
{
	uint64_t total;

	if (p->v[O_WORKERS] < 2)
		return "a philosopher needs two forks: -w 2 or more";
	if (__builtin_mul_overflow(2 * (uint64_t)p->v[O_WORKERS],
	    (uint64_t)p->v[O_MEALS], &total))
		return "philosophers x meals overflows a 64-bit count";
	return NULL;
}

static unsigned
phil_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
phil_size(const struct run *r)
{
	return sizeof(struct pstate) + r->nworkers * sizeof(struct place);
}

static void
phil_setup(struct run *r)
{
	struct pstate *s = r->state;
	struct ipc_sem *sem;
	char name[32];
	unsigned i;
	int rc;

	for (i = 0; i < r->nworkers; i++) {
		if ((rc = ipc_mutex_init(&s->p[i].fork.m, IPC_MUTEX_NORMAL)) != 0)
			errc(1, rc, "philosophers: fork %u", i);
		atomic_init(&s->p[i].seat.waits, -1);
		snprintf(name, sizeof(name), "fork %u", i);
		run_name(r, &s->p[i].fork.m, name);
	}
	if (r->p->v[O_FIX] != F_WAITER)
		return;
	/* The waiter seats N-1: workers inherit the semaphore, so unlink now. */
	if ((sem = r->priv = calloc(1, sizeof(*sem))) == NULL)
		err(1, "philosophers");
	if ((rc = ipc_sem_open(sem, "philosophers.seats", r->nworkers - 1)) != 0)
		errc(1, rc, "philosophers: sem_open");
	if ((rc = ipc_sem_unlink(sem)) != 0)
		errc(1, rc, "philosophers: sem_unlink");
}

/* The fork is ours: its owner word must have been free. */
static void
held(struct run *r, unsigned id, unsigned f)
{
	struct pstate *s = r->state;

	if (atomic_exchange(&s->p[f].fork.owner, id + 1) != 0)
		atomic_fetch_add(&s->violations, 1);
}

/* Put a fork down: its owner word must still be ours. */
static void
put(struct run *r, unsigned id, unsigned f)
{
	struct pstate *s = r->state;

	if (atomic_exchange(&s->p[f].fork.owner, 0) != id + 1)
		atomic_fetch_add(&s->violations, 1);
	sched_mutex_unlock(r, id, &s->p[f].fork.m);
}

/* Take a fork, waiting up to the run's deadline; a dead holder's is adopted. */
static void
take(struct run *r, unsigned id, unsigned f)
{
	struct pstate *s = r->state;
	char name[24];
	int rc;

	snprintf(name, sizeof(name), "fork %u", f);
	if ((rc = sched_mutex_lock(r, id, &s->p[f].fork.m, name)) != 0)
		worker_errc(r, rc, "philosophers: philosopher %u: fork %u", id, f);
	held(r, id, f);
}

/* trylock: 0 (the fork is ours) or EBUSY; a dead holder's is adopted and counted. */
static int
try_take(struct run *r, unsigned id, unsigned f)
{
	struct pstate *s = r->state;
	int adopted, rc;

	sched_point(r, id, SCH_LOCK, &s->p[f].fork.m, 0);
	rc = ipc_mutex_adopt(&s->p[f].fork.m, ipc_mutex_trylock(&s->p[f].fork.m),
	    &adopted);
	if (adopted && atomic_fetch_add(&r->sh->owner_deaths, 1) == 0)
		snprintf(r->sh->dead_lock, sizeof(r->sh->dead_lock), "fork %u", f);
	if (rc == 0)
		held(r, id, f);
	else if (rc != EBUSY)
		worker_errc(r, rc, "philosophers: philosopher %u: fork %u", id, f);
	return rc;
}

/* Eat with both forks held: count the meal on the philosopher and on each fork. */
static void
eat(struct run *r, unsigned id, uint64_t i, unsigned a, unsigned b)
{
	struct pstate *s = r->state;
	struct seat *me = &s->p[id].seat;
	uint64_t t0 = r->p->duration_ns != 0 ? ipc_now_ns() : 0;

	inject_point(r, id, i);
	s->p[a].fork.uses++;
	s->p[b].fork.uses++;
	me->meals++;
	if (r->p->v[O_EAT] > 0)
		ipc_sleep_ns((uint64_t)r->p->v[O_EAT] * 1000);
	if (t0 != 0)
		me->eat_ns += ipc_now_ns() - t0;
}

/*
 * The wait-for record from philosopher id: "wants fork f, which o holds",
 * followed at most N steps; the length of the cycle back to id, or 0.  With
 * record, each seat keeps its step (who holds what it wants) for the report.
 */
static unsigned
walk(struct run *r, unsigned id, int record)
{
	struct pstate *s = r->state;
	unsigned p = id, len, lo = id;
	int w, o;

	for (len = 1; len <= r->nworkers; len++) {
		if ((w = atomic_load(&s->p[p].seat.waits)) < 0 ||
		    (o = (int)atomic_load(&s->p[w].fork.owner) - 1) < 0)
			return 0;
		if (record) {
			s->p[p].seat.cyc_want = w;
			s->p[p].seat.cyc_next = o;
			s->p[o].seat.cyc_hold = w;
		}
		p = (unsigned)o;
		lo = p < lo ? p : lo;
		if (p == id)
			break;
	}
	if (len > r->nworkers)
		return 0;
	if (record)
		s->cyc_first = (int)lo;
	return len;
}

/*
 * A timed-out wait: a cycle through id is a deadlock.  Everyone in it is
 * stuck, so the record holds still while one philosopher writes it down;
 * then the dinner is over.
 */
static int
name_cycle(struct run *r, unsigned id)
{
	struct pstate *s = r->state;
	unsigned len;

	if (walk(r, id, 0) == 0 || atomic_exchange(&s->naming, 1) != 0)
		return 0;
	if ((len = walk(r, id, 1)) == 0) {
		atomic_store(&s->naming, 0);	/* it moved after all */
		return 0;
	}
	s->cyc_len = len;
	atomic_store(&s->over, 1);
	return 1;
}

/* --fix none, first meal: everyone holds the left fork before any reaches right. */
static void
meet(struct run *r)
{
	struct pstate *s = r->state;

	atomic_fetch_add(&s->met, 1);
	while (atomic_load(&s->met) < r->nworkers && !atomic_load(&s->over)) {
		if (run_stopped(r))
			worker_errc(r, ETIMEDOUT, "philosophers: rendezvous");
		sched_yield();
	}
}

/*
 * --fix none, the right fork: short timed waits, reading the wait-for record
 * after each; 0 with the fork, else the deadlock (or the run) is over.
 */
static int
take_watching(struct run *r, unsigned id, unsigned f)
{
	struct pstate *s = r->state;
	struct timespec dl;
	int rc;

	atomic_store(&s->p[id].seat.waits, (int)f);
	if (sched_on(r)) {	/* explored: a deadlock is everyone blocked */
		take(r, id, f);
		atomic_store(&s->p[id].seat.waits, -1);
		return 0;
	}
	do {
		ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
		rc = ipc_mutex_adopt(&s->p[f].fork.m,
		    ipc_mutex_lock(&s->p[f].fork.m, &dl), NULL);
	} while (rc == ETIMEDOUT && !atomic_load(&s->over) &&
	    !name_cycle(r, id) && !run_stopped(r));
	atomic_store(&s->p[id].seat.waits, -1);
	if (rc == 0)
		held(r, id, f);
	else if (rc != ETIMEDOUT)
		worker_errc(r, rc, "philosophers: philosopher %u: fork %u", id, f);
	return rc;
}

/* explain: philosophers: --fix none: everyone takes the left fork, then the right: a cycle */
/* Left, then right: 0 fed, ECANCELED when the deadlock ended the dinner. */
static int
dine_none(struct run *r, unsigned id, uint64_t i, unsigned left, unsigned right)
{
	struct pstate *s = r->state;

	take(r, id, left);
	if (i == 0 && !sched_on(r))
		meet(r);
	if (take_watching(r, id, right) != 0) {
		put(r, id, left);
		return ECANCELED;
	}
	if (!atomic_load(&s->over))
		eat(r, id, i, left, right);
	put(r, id, right);
	put(r, id, left);
	return atomic_load(&s->over) ? ECANCELED : 0;
}
/* explain: end */

/*
 * Left, then try right; busy: put left back, pause at random, count the try.
 * 0 fed, ECANCELED when the time (-t) or the run ran out while trying.
 */
static int
dine_trylock(struct run *r, unsigned id, uint64_t i, unsigned left,
    unsigned right)
{
	struct seat *me = &((struct pstate *)r->state)->p[id].seat;
	uint64_t tries;

	for (tries = 0; ; tries++) {
		take(r, id, left);
		if (try_take(r, id, right) == 0)
			break;
		put(r, id, left);
		me->retries++;
		if (!run_more(r, 0, 1) || atomic_load(&r->sh->stop))
			return ECANCELED;
		if (!sched_on(r))	/* scheduled: the schedule decides who goes */
			ipc_sleep_ns(seed_mix(r->p->seed, id, i << 16 ^ tries) %
			    BACKOFF_NS);
	}
	me->starved = tries > me->starved ? tries : me->starved;
	eat(r, id, i, left, right);
	put(r, id, right);
	put(r, id, left);
	return 0;
}

/* The waiter's seat: a wait, or in a scheduled run a try that reports itself blocked. */
static int
seat_wait(struct run *r, unsigned id, sem_t *seats)
{
	return sched_sem_wait(r, id, seats);
}

/* explain: philosophers: the cures: forks in one global order (the lower first), a waiter's seats, or trylock */
/* One meal the way the cure says: 0 fed, ECANCELED the dinner is over. */
static int
dine(struct run *r, unsigned id, uint64_t i, sem_t *seats)
{
	unsigned left = id, right = (id + 1) % r->nworkers;
	unsigned lo = left < right ? left : right, hi = left ^ right ^ lo;
	int rc;

	switch (r->p->v[O_FIX]) {
	case F_NONE:
		return dine_none(r, id, i, left, right);
	case F_TRYLOCK:
		return dine_trylock(r, id, i, left, right);
	case F_WAITER:
		if ((rc = seat_wait(r, id, seats)) == 0 && run_stopped(r))
			rc = ECANCELED;		/* woken by the poison */
		if (rc != 0)
			worker_errc(r, rc, "philosophers: philosopher %u: a seat", id);
		lo = left, hi = right;	/* seated, left then right is safe */
		break;
	default:
		break;
	}
	take(r, id, lo);
	take(r, id, hi);
	eat(r, id, i, left, right);
	put(r, id, hi);
	put(r, id, lo);
	if (seats != NULL && (rc = sched_sem_post(r, id, seats)) != 0)
		worker_errc(r, rc, "philosophers: philosopher %u: leave the seat", id);
	return 0;
}
/* explain: end */

static void
phil_work(struct run *r, unsigned id)
{
	sem_t *seats = r->priv != NULL ? ((struct ipc_sem *)r->priv)->sem : NULL;
	uint64_t i, n = (uint64_t)r->p->v[O_MEALS];

	/* A poisoned run (a philosopher died) ends at the next meal. */
	for (i = 0; run_more(r, i, n) && !atomic_load(&r->sh->stop); i++) {
		if (dine(r, id, i, seats) != 0)
			break;
		if (r->p->v[O_THINK] > 0)
			ipc_sleep_ns((uint64_t)r->p->v[O_THINK] * 1000);
	}
	r->sh->slot[id].iters = i;
}

/* The launcher gave up (a philosopher died): give every waiter a seat. */
static void
phil_poison(struct run *r)
{
	unsigned i;

	if (r->priv == NULL)
		return;
	for (i = 0; i < r->nworkers; i++)
		ipc_sem_post(((struct ipc_sem *)r->priv)->sem);
}

/* What the seats say, summed up after the dinner. */
struct tally {
	uint64_t	 meals, min, max, uses, retries, starved;
	double		 fairness;	/* Jain's index, or < 0: nothing to rate */
};

/*
 * Jain's fairness index, (sum x)^2 / (n sum x^2): 1 when all get the same,
 * 1/n when one gets everything.  x is each one's meals, or with -t (where
 * meals differ by design) each one's time eating.
 */
static double
jain(const struct run *r)
{
	const struct pstate *s = r->state;
	double x, sum = 0, sumsq = 0;
	unsigned i;

	for (i = 0; i < r->nworkers; i++) {
		x = (double)(r->p->duration_ns != 0 ? s->p[i].seat.eat_ns :
		    s->p[i].seat.meals);
		sum += x;
		sumsq += x * x;
	}
	return sumsq > 0 ? sum * sum / (r->nworkers * sumsq) : -1;
}

static void
tally(const struct run *r, struct tally *t)
{
	const struct pstate *s = r->state;
	const struct seat *me;
	unsigned i;

	memset(t, 0, sizeof(*t));
	t->min = UINT64_MAX;
	for (i = 0; i < r->nworkers; i++) {
		me = &s->p[i].seat;
		t->meals += me->meals;
		t->min = me->meals < t->min ? me->meals : t->min;
		t->max = me->meals > t->max ? me->meals : t->max;
		t->uses += s->p[i].fork.uses;
		t->retries += me->retries;
		t->starved = me->starved > t->starved ? me->starved : t->starved;
	}
	t->fairness = jain(r);
}

/*
 * The cycle in one short phrase: "p0 holds f0 waits f1; ...".  When N is
 * too many for a note, the first few, "...", the last, and the count.
 */
static void
cycle_note(const struct run *r, char *note, size_t size)
{
	const struct pstate *s = r->state;
	const struct seat *q;
	char seg[64], last[96];
	unsigned k, p;

	p = (unsigned)s->cyc_first;
	for (k = 1; k < s->cyc_len; k++)
		p = (unsigned)s->p[p].seat.cyc_next;
	q = &s->p[p].seat;
	snprintf(last, sizeof(last), "p%u holds f%d waits f%d", p, q->cyc_hold,
	    q->cyc_want);
	snprintf(note, size, "deadlock: ");
	for (k = 0, p = (unsigned)s->cyc_first; k + 1 < s->cyc_len; k++) {
		q = &s->p[p].seat;
		snprintf(seg, sizeof(seg), "p%u holds f%d waits f%d; ", p,
		    q->cyc_hold, q->cyc_want);
		if (strlen(note) + strlen(seg) + strlen(last) + 32 >= size) {
			strlcat(note, "...; ", size);
			break;
		}
		strlcat(note, seg, size);
		p = (unsigned)q->cyc_next;
	}
	strlcat(note, last, size);
	if (k + 1 < s->cyc_len) {
		snprintf(seg, sizeof(seg), " (%u in the cycle)", s->cyc_len);
		strlcat(note, seg, size);
	}
}

/* --fix none: the deadlock found and named is the lesson; no cycle is a failure. */
static void
verdict_none(const struct run *r, const struct tally *t, struct outcome *o)
{
	const struct pstate *s = r->state;

	if (r->sched_end == SCHED_DEADLOCK) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "deadlock: every philosopher "
		    "holds the left fork and waits for the right");
	} else if (atomic_load(&s->over) && atomic_load(&s->violations) == 0) {
		o->verdict = VERDICT_RACE;
		cycle_note(r, o->note, sizeof(o->note));
	} else if (t->meals == o->expected && atomic_load(&s->violations) == 0) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "no deadlock this time");
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju of %ju meals and no cycle "
		    "named; %u fork violations", (uintmax_t)t->meals,
		    (uintmax_t)o->expected, atomic_load(&s->violations));
	}
}

/* A cure: every meal eaten, everyone fed alike (with -n), no fork held twice. */
static void
verdict_cure(const struct run *r, const struct tally *t, uint64_t bad,
    struct outcome *o)
{
	int even = r->p->duration_ns != 0 || (t->min == o->iterations &&
	    t->max == o->iterations);

	if (bad == 0 && t->meals == o->expected && even) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "everyone ate %s%ju; no fork held "
		    "twice", r->p->duration_ns != 0 ? "at least " : "",
		    (uintmax_t)t->min);
	} else if (r->sched_end == SCHED_DEADLOCK) {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "deadlock under a cure");
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju violations; meals %ju of "
		    "%ju, %ju to %ju each", (uintmax_t)bad, (uintmax_t)t->meals,
		    (uintmax_t)o->expected, (uintmax_t)t->min, (uintmax_t)t->max);
	}
}

static void
phil_check(const struct run *r, struct outcome *o)
{
	const struct pstate *s = r->state;
	int trylock = r->p->v[O_FIX] == F_TRYLOCK;
	struct tally t;
	uint64_t bad;

	tally(r, &t);
	o->sync = fixes[r->p->v[O_FIX]];
	/* With -t each ate what it could: expected is the sum, iterations the mean. */
	if (r->p->duration_ns != 0) {
		o->expected = iters_done(r, 0, r->nworkers);
		o->iterations = o->expected / r->nworkers;
	} else {
		o->iterations = (uint64_t)r->p->v[O_MEALS];
		o->expected = (uint64_t)r->nworkers * o->iterations;
	}
	o->observed = o->ops = t.meals;
	/* Each meal used two forks, each use counted under its fork's lock. */
	bad = atomic_load(&s->violations) + (t.uses != 2 * t.meals);
	if (r->p->v[O_FIX] == F_NONE)
		verdict_none(r, &t, o);
	else
		verdict_cure(r, &t, bad, o);
	res_uint(o->extra, "min_meals", t.meals > 0 || t.max > 0 ? t.min : 0,
	    F_TABLE);
	res_uint(o->extra, "max_meals", t.max, F_TABLE);
	/* In percent: the renderer keeps one decimal place. */
	res_dbl(o->extra, "fairness_pct", t.fairness < 0 ? 0 : 100 * t.fairness,
	    F_TABLE | (t.fairness < 0 ? F_NULL : 0));
	res_uint(o->extra, "violations", bad, F_TABLE);
	res_uint(o->extra, "retries", t.retries, trylock ? F_TABLE : 0);
	res_uint(o->extra, "starved", t.starved, trylock ? F_TABLE : 0);
	res_uint(o->extra, "in_cycle", atomic_load(&s->over) ? s->cyc_len : 0, 0);
}

/* For people: the cycle in words, one philosopher a line (the first 8, the last). */
static void
phil_story(const struct run *r, FILE *f)
{
	const struct pstate *s = r->state;
	const struct seat *q;
	unsigned k, p = (unsigned)s->cyc_first;

	if (!atomic_load(&s->over))
		return;
	fprintf(f, "%s: the deadlock, a wait-for cycle of %u:\n",
	    mode_name(r->mode), s->cyc_len);
	for (k = 0; k < s->cyc_len; k++, p = (unsigned)q->cyc_next) {
		q = &s->p[p].seat;
		if (k < 8 || k + 1 == s->cyc_len)
			fprintf(f, "  philosopher %u holds fork %d and waits for fork "
			    "%d%s\n", p, q->cyc_hold, q->cyc_want,
			    k + 1 < s->cyc_len ? "," : "");
		else if (k == 8)
			fprintf(f, "  ...\n");
	}
}

/* What decides the rest of a scheduled dinner: the table, and the waiter's seats. */
static size_t
phil_state(const struct run *r, void *buf, size_t cap)
{
	size_t n = phil_size(r);
	int seats = 0;

	if (n + sizeof(seats) > cap)
		return 0;
	if (r->priv != NULL)
		sem_getvalue(((struct ipc_sem *)r->priv)->sem, &seats);
	memcpy(buf, r->state, n);
	memcpy((char *)buf + n, &seats, sizeof(seats));
	return n + sizeof(seats);
}

/* For people: who holds each fork, and the meals. */
static void
phil_show(const struct run *r, char *buf, size_t len)
{
	const struct pstate *s = r->state;
	size_t at = 0;
	unsigned f, o;

	buf[0] = '\0';
	for (f = 0; f < r->nworkers && at < len; f++) {
		o = atomic_load(&s->p[f].fork.owner);
		at += o ? (size_t)snprintf(buf + at, len - at, "%sfork %u: %u",
		    f ? ", " : "", f, o - 1) : (size_t)snprintf(buf + at, len - at,
		    "%sfork %u: free", f ? ", " : "", f);
	}
}

static void
phil_destroy(struct run *r)
{
	struct pstate *s = r->state;
	unsigned i;

	for (i = 0; i < r->nworkers; i++)
		ipc_mutex_destroy(&s->p[i].fork.m);
}

const struct worker worker_philosophers = {
	.name = "philosophers",
	.desc = "the dining philosophers (LeetCode 1226): the deadlock, named; "
	    "three cures",
	.proves = "no fork is held by two philosophers, everyone eats every meal "
	    "(min == max == meals) under order, waiter and trylock; --fix none "
	    "deadlocks, found by a deadline and named as a cycle",
	.caps = CAP_TIMED | CAP_SCHED,
	.explain =
	    "N philosophers sit round a table with a fork between each two; eating takes\n"
	    "both.  If each takes the left fork, then the right, all can hold a left fork\n"
	    "and wait for a right one forever.  --fix none makes that certain: in the first\n"
	    "meal everyone holds the left fork (a rendezvous) before reaching right.\n"
	    "\n"
	    "Primitive: a robust process-shared mutex per fork, with an owner word set on\n"
	    "take and cleared on put (a second holder is a violation); timed waits and a\n"
	    "wait-for record name the cycle; waiter: a named semaphore with N-1 seats.\n"
	    "\n"
	    "Columns: expected is philosophers x meals, observed the meals eaten;\n"
	    "min_meals/max_meals per philosopher; fairness_pct is Jain's index over\n"
	    "each one's meals (with -t SECONDS, over each one's time eating), in percent:\n"
	    "100 is even, 100/N one ate alone (none: no meals, no value); violations;\n"
	    "trylock: retries (left fork put back) and starved (the longest run of\n"
	    "failed tries for one meal).  --fix none: the note names the cycle (pK\n"
	    "holds fK waits fK+1), the table's story says it in words.\n"
	    "\n"
	    "Try: --fix none (the cycle, named); --fix waiter; --fix trylock -e 100\n"
	    "(retries grow with eating time); --fix trylock -t 1 (fairness over eating\n"
	    "time); --fix order -w 3 -n 5 -e 1000 --timeline (who held which fork).\n"
	    "\n"
	    "Pitfalls: ordering breaks the cycle only if everyone follows it; a waiter\n"
	    "seats at most N-1; trylock without a random pause can livelock, and never\n"
	    "promises a hungry philosopher its turn.\n",
	.opts = phil_opts,
	.validate = phil_validate,
	.nworkers = phil_nworkers,
	.size = phil_size,
	.setup = phil_setup,
	.work = phil_work,
	.poison = phil_poison,
	.check = phil_check,
	.story = phil_story,
	.release = release_sem,
	.sched_state = phil_state,
	.sched_show = phil_show,
	.destroy = phil_destroy,
};
