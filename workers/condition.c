/*
 * condition.c - producers and consumers over a shared buffer, a mutex and
 * two condition variables (not full, not empty).
 *
 * --notify one wakes one waiter per item, --notify all wakes them all: the
 * consumers count their wake-ups per notify, and how many were futile
 * (nothing left to take).
 * Waiting in a while loop makes a futile wake-up harmless; --check if waits
 * once, and the consumers that would then take from an empty buffer are
 * counted (a consumer never takes what is not there: it is checked).  No
 * lost wake-up: every item is consumed and every consumer ends.
 *
 * --cvs 1 is OSTEP's main-one-cv-while: producers and consumers sleep on one
 * condvar, so a signal can wake the wrong side (a consumer wakes a consumer)
 * and everyone ends asleep.  Waits then take a short deadline; the one that
 * expires with every live worker asleep and no signal in flight names it,
 * and wakes them all to leave.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>

#include "../ipc/cond.h"
#include "../ipc/ipc.h"
#include "../ipc/mutex.h"
#include "worker.h"

enum { O_PRODUCERS, O_CONSUMERS, O_ITEMS, O_CAPACITY, O_NOTIFY, O_CHECK,
    O_CVS, O_WAIT, O_NOPTS };
enum side { ITEMS, SPACE };		/* what a waiter waits for */
enum { N_ONE, N_ALL, NNOTIFIES };
enum { C_WHILE, C_IF, NCHECKS };

static const char *const notifies[] = {
	[N_ONE] = "one", [N_ALL] = "all", [NNOTIFIES] = NULL
};
static const char *const checks[] = {
	[C_WHILE] = "while", [C_IF] = "if", [NCHECKS] = NULL
};

static const struct optdef condition_opts[] = {
	[O_PRODUCERS] = { "producers", 'p', "P", 1, MAX_WORKERS / 2, 2, NULL,
	  "producer workers" },
	[O_CONSUMERS] = { "consumers", 'c', "C", 1, MAX_WORKERS / 2, 4, NULL,
	  "consumer workers" },
	[O_ITEMS] = { "items", 'n', "N", 1, 1 << 26, 5000, NULL,
	  "items per producer" },
	[O_CAPACITY] = { "capacity", 'k', "K", 1, 1 << 16, 1, NULL,
	  "buffer capacity (1: every item finds the consumers asleep)" },
	[O_NOTIFY] = { "notify", 'N', "WHO", 0, 0, N_ONE, notifies,
	  "one (pthread_cond_signal) or all (pthread_cond_broadcast) per item" },
	[O_CHECK] = { "check", 'C', "HOW", 0, 0, C_WHILE, checks,
	  "wait in a while loop (right) or under one if (wrong)" },
	[O_CVS] = { "cvs", 'V', "N", 1, 2, 2, NULL,
	  "condition variables: 2 (not full, not empty) or 1 for both sides" },
	[O_WAIT] = { "wait-ms", 'W', "MS", 1, 60000, 100, NULL,
	  "with --cvs 1: how long a wait lasts before it looks for all asleep" },
	[O_NOPTS] = { NULL }
};

struct cvstate {
	pthread_mutex_t	 m;
	pthread_cond_t	 not_full, not_empty;
	uint64_t	 count, head, producers_done;
	uint64_t	 consumed, sum, notified, wakeups, futile, empty_takes;
	uint64_t	 asleep;	/* in a wait (--cvs 1) */
	uint64_t	 pending;	/* signalled, not yet awake */
	uint64_t	 left;		/* workers done */
	int		 over;		/* all asleep was found: everyone leaves */
	uint64_t	 sleeping[2];	/* scheduled runs: in each condvar's wait */
	uint64_t	 woken[2];	/* and told to wake, not yet awake */
	char		 stuck[96];	/* who was asleep, and why */
	uint64_t	 buf[];		/* capacity items */
};

static unsigned
condition_nworkers(const struct params *p)
{
	return (unsigned)(p->v[O_PRODUCERS] + p->v[O_CONSUMERS]);
}

static size_t
condition_size(const struct run *r)
{
	return sizeof(struct cvstate) + (size_t)r->p->v[O_CAPACITY] * sizeof(uint64_t);
}

static void
condition_setup(struct run *r)
{
	struct cvstate *s = r->state;
	int rc;

	if ((rc = ipc_mutex_init(&s->m, IPC_MUTEX_NORMAL)) != 0 ||
	    (rc = ipc_cond_init(&s->not_full)) != 0 ||
	    (rc = ipc_cond_init(&s->not_empty)) != 0)
		errc(1, rc, "condition: init");
	run_name(r, &s->m, "buffer lock");
	run_name(r, &s->not_empty, r->p->v[O_CVS] == 1 ? "the condvar" :
	    "not empty");
	run_name(r, &s->not_full, "not full");
}

/* The condvar a side waits on: with --cvs 1 both share not_empty. */
static pthread_cond_t *
cv_of(struct run *r, enum side side)
{
	struct cvstate *s = r->state;

	return side == SPACE && r->p->v[O_CVS] == 2 ? &s->not_full : &s->not_empty;
}

/*
 * A wait on the one condvar timed out.  Every live worker asleep, no signal
 * on its way to any: nobody will ever wake them.  Name the wrong wake-up
 * from the buffer (empty: the consumer that made room woke a consumer, not
 * the producer; full: a producer woke a producer) and wake everyone to
 * leave.  Lock held.
 */
static int
all_asleep(struct run *r)
{
	struct cvstate *s = r->state;
	uint64_t live = r->nworkers - s->left;

	if (s->over)
		return 1;
	if (s->asleep < live || s->pending > 0)
		return 0;
	s->over = 1;
	snprintf(s->stuck, sizeof(s->stuck), "all %ju workers asleep on the one "
	    "condvar: %s", (uintmax_t)live, s->count == 0 ?
	    "a consumer woke a consumer" : s->count == (uint64_t)r->p->v[O_CAPACITY] ?
	    "a producer woke a producer" : "a wake-up went to the wrong side");
	ipc_cond_broadcast(cv_of(r, ITEMS));
	return 1;
}

/*
 * A scheduled run's condvar, Mesa's semantics step by step: a waiter lets
 * the lock go and sleeps (a wait point: blocked until it is told to wake),
 * then takes the lock again like anyone else; a signal wakes one sleeper,
 * a broadcast all.  The pthread condvar would sleep in the kernel while it
 * had the turn.  Lock held.
 */
static int
sched_cv_wait(struct run *r, unsigned id, enum side side)
{
	struct cvstate *s = r->state;
	pthread_cond_t *cv = cv_of(r, side);
	int k = cv == &s->not_full ? 0 : 1;

	s->sleeping[k]++;
	s->asleep++;
	sched_mutex_unlock(r, id, &s->m);
	sched_point(r, id, SCH_WAIT, cv, 0);
	while (s->woken[k] == 0)
		if (sched_wait(r, id, cv) != 0) {
			s->sleeping[k]--;	/* it leaves, the lock not retaken */
			s->asleep--;
			return ETIMEDOUT;
		}
	s->woken[k]--;
	s->sleeping[k]--;
	s->asleep--;
	if (s->pending > 0)
		s->pending--;
	return sched_mutex_lock(r, id, &s->m, "mutex");
}

/* Scheduled: wake one sleeper of side's condvar, or all. */
static void
sched_wake(struct run *r, unsigned id, pthread_cond_t *cv, int all)
{
	struct cvstate *s = r->state;
	int k = cv == &s->not_full ? 0 : 1;

	sched_point(r, id, SCH_POST, cv, 0);
	if (all)
		s->woken[k] = s->sleeping[k];
	else if (s->woken[k] < s->sleeping[k])
		s->woken[k]++;
}

/*
 * Wait for side (lock held).  With two condvars, until the run's deadline;
 * with one, in short waits that look for everyone asleep in between, and
 * count who sleeps and which signals are still in flight.
 */
static int
cv_wait(struct run *r, unsigned id, enum side side)
{
	struct cvstate *s = r->state;
	struct timespec dl;
	int rc;

	if (sched_on(r))
		return sched_cv_wait(r, id, side);
	if (r->p->v[O_CVS] == 2)
		return ipc_cond_wait(cv_of(r, side), &s->m, r->deadline);
	s->asleep++;
	do {
		ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
		rc = ipc_cond_wait(cv_of(r, side), &s->m, &dl);
	} while (rc == ETIMEDOUT && !all_asleep(r) && !ipc_expired(r->deadline) &&
	    !run_stopped(r));
	s->asleep--;
	if (rc == 0 && s->pending > 0)
		s->pending--;
	return rc == ETIMEDOUT && s->over ? 0 : rc;
}

/* Tell side there is something for it; a signal is in flight until a sleeper wakes. */
static void
notify(struct run *r, unsigned id, enum side side)
{
	struct cvstate *s = r->state;

	if (side == ITEMS)
		s->notified++;		/* what the consumers' wake-ups answer */
	if (sched_on(r)) {
		if (s->pending < s->asleep)
			s->pending++;
		sched_wake(r, id, cv_of(r, side), r->p->v[O_NOTIFY] == N_ALL);
		return;
	}
	if (r->p->v[O_NOTIFY] == N_ALL) {
		s->pending = s->asleep;
		ipc_cond_broadcast(cv_of(r, side));
	} else {
		if (s->pending < s->asleep)
			s->pending++;
		ipc_cond_signal(cv_of(r, side));
	}
}

static void
produce(struct run *r, unsigned p)
{
	struct cvstate *s = r->state;
	uint64_t i, n = (uint64_t)r->p->v[O_ITEMS], cap = (uint64_t)r->p->v[O_CAPACITY];
	int rc = 0;

	/* explain: condition: a producer: lock, wait while full, put, notify the consumers */
	for (i = 0; i < n && !s->over; i++) {
		if ((rc = sched_mutex_lock(r, p, &s->m, "mutex")) != 0)
			break;
		while (s->count == cap && rc == 0 && !s->over)
			rc = cv_wait(r, p, SPACE);
		if (rc == 0 && !s->over) {
			inject_point(r, p, i);
			s->buf[(s->head + s->count++) % cap] = p * n + i + 1;
			notify(r, p, ITEMS);
		}
		sched_mutex_unlock(r, p, &s->m);
	}
	/* explain: end */
	if (rc != 0)
		worker_errc(r, rc, "condition: producer %u", p);

	/* The last producer tells every consumer: no more items are coming. */
	if ((rc = sched_mutex_lock(r, p, &s->m, "mutex")) != 0)
		worker_errc(r, rc, "condition: producer %u", p);
	s->left++;
	if (++s->producers_done == (uint64_t)r->p->v[O_PRODUCERS] && !s->over) {
		s->notified++;
		s->pending = s->asleep;
		if (sched_on(r))
			sched_wake(r, p, &s->not_empty, 1);
		else
			ipc_cond_broadcast(&s->not_empty);
	}
	sched_mutex_unlock(r, p, &s->m);
}

/* explain: condition: wait for an item: --check while waits again after a futile wake-up, if does not */
/* Wait for an item (or the end); a wake-up that finds nothing is futile. Lock held. */
static int
await_item(struct run *r, unsigned id)
{
	struct cvstate *s = r->state;
	uint64_t np = (uint64_t)r->p->v[O_PRODUCERS];
	int rc = 0;

	do {
		if (s->count > 0 || s->producers_done == np || s->over)
			break;
		rc = cv_wait(r, id, ITEMS);
		s->wakeups++;
		if (s->count == 0 && s->producers_done < np)
			s->futile++;
	} while (rc == 0 && r->p->v[O_CHECK] == C_WHILE);
	return rc;
}
/* explain: end */

static void
consume(struct run *r, unsigned id)
{
	struct cvstate *s = r->state;
	uint64_t cap = (uint64_t)r->p->v[O_CAPACITY], np = (uint64_t)r->p->v[O_PRODUCERS];
	int rc;

	if ((rc = sched_mutex_lock(r, id, &s->m, "mutex")) != 0)
		worker_errc(r, rc, "condition: consumer %u", id);
	while ((rc = await_item(r, id)) == 0 && !s->over) {
		if (s->count == 0 && s->producers_done == np)
			break;
		if (s->count == 0) {
			s->empty_takes++;	/* an if woke us to nothing: refuse */
			continue;
		}
		inject_point(r, id, s->consumed);
		s->sum += s->buf[s->head];
		s->head = (s->head + 1) % cap;
		s->count--;
		s->consumed++;
		notify(r, id, SPACE);

		/* Let go between items, so the others get their turn. */
		sched_mutex_unlock(r, id, &s->m);
		if ((rc = sched_mutex_lock(r, id, &s->m, "mutex")) != 0)
			worker_errc(r, rc, "condition: consumer %u", id);
	}
	s->left++;
	sched_mutex_unlock(r, id, &s->m);
	if (rc != 0)
		worker_errc(r, rc, "condition: consumer %u: wait", id);
}

static void
condition_work(struct run *r, unsigned id)
{
	if (id < (unsigned)r->p->v[O_PRODUCERS])
		produce(r, id);
	else
		consume(r, id);
}

static void
condition_check(const struct run *r, struct outcome *o)
{
	const struct cvstate *s = r->state;
	uint64_t total = (uint64_t)r->p->v[O_PRODUCERS] * (uint64_t)r->p->v[O_ITEMS];
	int exact = s->consumed == total && s->sum == total * (total + 1) / 2;

	o->sync = notifies[r->p->v[O_NOTIFY]];
	o->iterations = (uint64_t)r->p->v[O_ITEMS];
	o->expected = total;
	o->observed = o->ops = s->consumed;
	res_bool(o->extra, "all_asleep", s->over || r->sched_end == SCHED_DEADLOCK,
	    0);
	if (r->sched_end == SCHED_DEADLOCK) {
		/* Explored: every worker blocked, on the condvar or its lock. */
		o->verdict = r->p->v[O_CVS] == 1 && r->p->v[O_NOTIFY] == N_ONE ?
		    VERDICT_RACE : VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "all asleep: a wake-up went to "
		    "the wrong side; %ju of %ju items taken",
		    (uintmax_t)s->consumed, (uintmax_t)total);
		return;
	} else if (s->over) {
		/* Only one condvar and a signal can strand everyone; nothing taken twice. */
		o->verdict = r->p->v[O_CVS] == 1 && r->p->v[O_NOTIFY] == N_ONE &&
		    s->consumed < total ? VERDICT_RACE : VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%s; %ju of %ju items taken",
		    s->stuck, (uintmax_t)s->consumed, (uintmax_t)total);
	} else if (exact && s->empty_takes == 0)
		o->verdict = VERDICT_OK;
	else if (exact && r->p->v[O_CHECK] == C_IF)
		o->verdict = VERDICT_RACE;
	else
		o->verdict = VERDICT_FAIL;
	snprintf(o->label, sizeof(o->label), "%s", s->empty_takes ?
	    "woke to nothing" : exact ? "every item once" : "items lost");
	if (!s->over)
		snprintf(o->note, sizeof(o->note), "%s; %ju of %ju wake-ups "
		    "futile%s", exact ? "every item once, every consumer ended" :
		    "ITEMS LOST", (uintmax_t)s->futile, (uintmax_t)s->wakeups,
		    s->empty_takes ? "; an if would have taken from an empty "
		    "buffer" : "");
	res_uint(o->extra, "notifies", s->notified, 0);
	res_uint(o->extra, "wakeups", s->wakeups, F_TABLE);
	res_dbl(o->extra, "woken_per_notify", s->notified ?
	    (double)s->wakeups / (double)s->notified : 0.0, F_TABLE);
	res_uint(o->extra, "futile", s->futile, F_TABLE);
	res_uint(o->extra, "empty_takes", s->empty_takes, F_TABLE);
}

/* For people: the buffer, the sleepers and the wake-ups on their way. */
static void
condition_show(const struct run *r, char *buf, size_t len)
{
	const struct cvstate *s = r->state;

	snprintf(buf, len, "buffer %ju of %lld, asleep %ju, taken %ju",
	    (uintmax_t)s->count, r->p->v[O_CAPACITY], (uintmax_t)s->asleep,
	    (uintmax_t)s->consumed);
}

static void
condition_destroy(struct run *r)
{
	struct cvstate *s = r->state;

	ipc_cond_destroy(&s->not_empty);
	ipc_cond_destroy(&s->not_full);
	ipc_mutex_destroy(&s->m);
}

const struct worker worker_condition = {
	.name = "condition",
	.desc = "producers and consumers on condition variables: notify one vs all",
	.proves = "every item consumed once (count, sum), every consumer ends (no "
	    "lost wake-up), none takes from an empty buffer; futile wake-ups counted; "
	    "one condvar for both sides with notify one strands everyone asleep, "
	    "found by a short deadline and named",
	.explain =
	    "Producers and consumers share a bounded buffer and two condition variables\n"
	    "(not full, not empty), or one for both sides (--cvs 1, OSTEP's\n"
	    "main-one-cv-while): then a consumer that makes room may signal the other\n"
	    "consumer instead of the producer, and all end asleep.\n"
	    "\n"
	    "Primitive: a robust mutex and two process-shared condvars (or one); notify\n"
	    "one (signal) or all (broadcast).  With one condvar the waits are short\n"
	    "(--wait-ms): the one that expires with everyone asleep and no signal in\n"
	    "flight names the stranding and wakes all to leave (verdict race).\n"
	    "\n"
	    "Columns: wakeups; woken_per_notify (about 1 with notify one, up to the\n"
	    "consumers asleep with notify all); futile (woke to an empty buffer);\n"
	    "empty_takes (with --check if: the consumers that would have taken nothing);\n"
	    "all_asleep (JSON/CSV).\n"
	    "\n"
	    "Try: --notify all; --check if --notify all; -N all -c 8; -N all -k 64;\n"
	    "--cvs 1 -p 1 -c 2 (OSTEP's 1 producer, 2 consumers, buffer 1: stranded);\n"
	    "--cvs 1 -p 1 -c 2 -N all (cured by a broadcast); --cvs 2 -p 1 -c 2 (cured\n"
	    "by two condvars).\n"
	    "\n"
	    "Pitfalls: always wait in a while loop (spurious and stolen wake-ups);\n"
	    "signal after changing the state, under or right after the mutex; a signal\n"
	    "on a condvar both sides share may wake the wrong side.\n",
	.caps = CAP_SCHED,
	.opts = condition_opts,
	.nworkers = condition_nworkers,
	.size = condition_size,
	.setup = condition_setup,
	.work = condition_work,
	.check = condition_check,
	.destroy = condition_destroy,
	.sched_show = condition_show,
};
