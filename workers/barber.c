/*
 * barber.c - the sleeping barber (Downey, The Little Book of Semaphores 5.2):
 * one barber (or -b of them), K waiting chairs, C customers; a full waiting
 * room turns a customer away.
 *
 * Downey's cure: a mutex over the count, a "waiting room" semaphore the
 * barber sleeps on, a "barber's chair" semaphore the customer sleeps on, and
 * a done/done rendezvous (all named semaphores).  --sync naive sleeps on a
 * condition variable that forgets a signal sent before anyone waits: the
 * barber sees no one, lets go of the lock and, in the pause the scheduler
 * could put there, a customer arrives and wakes nobody (the lost wake-up).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/cond.h"
#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

enum { O_CUSTOMERS, O_CHAIRS, O_BARBERS, O_SYNC, O_ARRIVE, O_CUT, O_WAIT, O_NOPTS };
enum { S_SEM, S_NAIVE, NSYNCS };
enum { B_ROOM, B_CHAIR, B_MUTEX, B_CDONE, B_BDONE, NSEMS };

#define MAX_BARBERS	64		/* barbers are workers 0..B-1, customers B.. */
#define STEP_NS		20000u		/* a held-off worker looks up this often */
#define STR(x)		#x
#define XSTR(x)		STR(x)

static const char *const syncs[] = {
	[S_SEM] = "sem", [S_NAIVE] = "naive", [NSYNCS] = NULL
};
static const char *const semnames[NSEMS] = {
	[B_ROOM] = "waiting room", [B_CHAIR] = "barber's chair",
	[B_MUTEX] = "mutex", [B_CDONE] = "customer done",
	[B_BDONE] = "barber done",
};

static const struct optdef barber_opts[] = {
	[O_CUSTOMERS] = { "customers", 'c', "N", 1, MAX_WORKERS - 1, 20, NULL,
	  "customers who come to the shop, once each" },
	[O_CHAIRS] = { "chairs", 'k', "K", 0, 1000, 3, NULL,
	  "chairs in the waiting room; a customer who finds them all taken leaves" },
	[O_BARBERS] = { "barbers", 'b', "N", 1, MAX_BARBERS, 1, NULL,
	  "barbers, each with his chair, all sleeping on the one waiting room" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_SEM, syncs,
	  "sem (Downey's semaphores) or naive (a wake-up that can be lost)" },
	[O_ARRIVE] = { "arrive-us", 'a', "US", 0, 1000000, 4000, NULL,
	  "customers arrive at random within US microseconds" },
	[O_CUT] = { "cut-us", 'u', "US", 0, 1000000, 100, NULL,
	  "how long a haircut takes" },
	[O_WAIT] = { "wait-ms", 'W', "MS", 1, 60000, 50, NULL,
	  "naive: the barber's alarm clock, which finds a lost wake-up" },
	[O_NOPTS] = { NULL }
};

/* The shop, in the region; the ledgers by customer (worker id) follow it. */
struct bstate {
	pthread_mutex_t	 bed_lock;	/* naive: the barber's bed */
	pthread_cond_t	 bed;
	int		 in_bed;	/* barbers in bed, under bed_lock */
	atomic_int	 dozing;	/* naive: barbers who found the room empty */
	atomic_int	 wakeups;	/* naive: wake-ups the customers sent */
	atomic_uint	 waiting;	/* in the waiting room; written under mutex */
	unsigned	 head, tail;	/* the room's FIFO of customers, under mutex */
	unsigned	 admitted, turned_away, served;	/* under mutex */
	unsigned	 asleep;	/* sem: barbers between sleeping and the mutex */
	unsigned	 sleeps, asleep_waiting, alarms;	/* under a lock */
	atomic_uint	 lost;		/* wake-ups sent while the barber was up */
	int		 stranded;	/* first customer found waiting by the alarm */
	uint64_t	 stranded_ns;	/* how long that customer had waited */
	unsigned	 layout[];	/* queue[K], then arrived_ns, then ledgers */
};

/* Where each array lives after the header. */
struct blayout {
	unsigned	*queue;		/* K slots */
	uint64_t	*arrived;	/* by customer: when it sat down (ns) */
	unsigned char	*admitted;	/* by customer: 1 if it got a chair */
	unsigned char	*served;	/* by customer: the barber's ledger */
	unsigned char	*cut;		/* by customer: its own */
};

struct bpriv {
	struct ipc_sem	 sem[NSEMS];
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct bpriv barber_priv;

static const char *
barber_validate(const struct params *p)
{
	if (p->v[O_CHAIRS] == 0)
		return "--chairs 0: a barber shop with 0 chairs turns every customer away";
	if (p->v[O_BARBERS] + p->v[O_CUSTOMERS] > MAX_WORKERS)
		return "barbers + customers is more than " XSTR(MAX_WORKERS) " workers";
	return NULL;
}

static unsigned
barber_nworkers(const struct params *p)
{
	return (unsigned)(p->v[O_BARBERS] + p->v[O_CUSTOMERS]);
}

/* Customers are numbered from 1, after the barbers' worker ids. */
static unsigned
customer_no(const struct run *r, unsigned id)
{
	return id - (unsigned)r->p->v[O_BARBERS] + 1;
}

static struct blayout
layout(const struct run *r)
{
	struct bstate *s = r->state;
	size_t n = r->nworkers, k = (size_t)r->p->v[O_CHAIRS];
	struct blayout l;

	l.queue = s->layout;
	l.arrived = (uint64_t *)(void *)(s->layout + k + (k & 1));
	l.admitted = (unsigned char *)(l.arrived + n);
	l.served = l.admitted + n;
	l.cut = l.served + n;
	return l;
}

static size_t
barber_size(const struct run *r)
{
	size_t n = r->nworkers, k = (size_t)r->p->v[O_CHAIRS];

	return sizeof(struct bstate) + (k + 1) * sizeof(unsigned) +
	    n * (sizeof(uint64_t) + 3);
}

static void
barber_setup(struct run *r)
{
	struct bstate *s = r->state;
	struct bpriv *b;
	int rc, i;

	b = r->priv = memset(&barber_priv, 0, sizeof(barber_priv));
	for (i = 0; i < NSEMS; i++) {
		if ((rc = ipc_sem_open(&b->sem[i], "barber", i == B_MUTEX)) != 0 ||
		    (rc = ipc_sem_unlink(&b->sem[i])) != 0)
			errc(1, rc, "barber: %s", semnames[i]);
		run_name(r, b->sem[i].sem, semnames[i]);
	}
	if ((rc = ipc_mutex_init(&s->bed_lock, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "barber: bed lock");
	if ((rc = ipc_cond_init(&s->bed)) != 0) {
		ipc_mutex_destroy(&s->bed_lock);
		errc(1, rc, "barber: bed");
	}
	run_name(r, &s->bed_lock, "bed lock");
	run_name(r, &s->bed, "barber's bed");
	s->stranded = -1;
}

/* Wait on semaphore i; a wait the poison ended, or any error, ends the worker. */
static void
down(struct run *r, unsigned id, int i)
{
	struct bpriv *b = r->priv;
	int rc;

	if ((rc = ipc_sem_wait(b->sem[i].sem, r->deadline)) == 0 && run_stopped(r))
		rc = ECANCELED;		/* woken by the poison */
	if (rc != 0)
		worker_errc(r, rc, "barber: worker %u: %s", id, semnames[i]);
}

static void
up(struct run *r, int i)
{
	struct bpriv *b = r->priv;
	int rc;

	if ((rc = ipc_sem_post(b->sem[i].sem)) != 0)
		worker_errc(r, rc, "barber: post %s", semnames[i]);
}

/* Every customer has been served or turned away: the shop can close. */
static int
all_handled(const struct run *r)
{
	const struct bstate *s = r->state;

	return s->served + s->turned_away == (unsigned)r->p->v[O_CUSTOMERS];
}

/* Naive: hold off until *v >= want (the window is made certain), or the deadline. */
static void
await(struct run *r, atomic_int *v, int want, const char *what)
{
	while (atomic_load(v) < want) {
		if (run_stopped(r))
			worker_errc(r, ETIMEDOUT, "barber: %s", what);
		ipc_sleep_ns(STEP_NS);
	}
}

/* explain: barber: --sync naive: the knock is a condvar signal, lost if the barber is not in bed yet */
/* Naive: wake the barber through the condvar; lost if he is not in bed yet. */
static void
knock(struct run *r, unsigned id)
{
	struct bstate *s = r->state;
	int rc;

	if ((rc = worker_mutex_lock(r, &s->bed_lock, "bed lock")) != 0)
		worker_errc(r, rc, "barber: worker %u: bed lock", id);
	if (s->in_bed == 0)
		atomic_fetch_add(&s->lost, 1);
	ipc_cond_signal(&s->bed);
	atomic_fetch_add(&s->wakeups, 1);
	ipc_mutex_unlock(&s->bed_lock);
}
/* explain: end */

/* Whoever handled the last customer wakes every barber to close the shop. */
static void
close_shop(struct run *r, unsigned id)
{
	struct bstate *s = r->state;
	int b, rc;

	if (r->p->v[O_SYNC] == S_SEM) {
		for (b = 0; b < r->p->v[O_BARBERS]; b++)
			up(r, B_ROOM);
		return;
	}
	if ((rc = worker_mutex_lock(r, &s->bed_lock, "bed lock")) != 0)
		worker_errc(r, rc, "barber: worker %u: bed lock", id);
	ipc_cond_broadcast(&s->bed);
	ipc_mutex_unlock(&s->bed_lock);
}

/* explain: barber: a customer: a chair or the door, then Downey's rendezvous with a barber */
/* A customer: a chair in the waiting room or the door, then the haircut. */
static void
customer(struct run *r, unsigned id)
{
	struct bstate *s = r->state;
	struct blayout l = layout(r);
	int naive = r->p->v[O_SYNC] == S_NAIVE, closing, first;

	if (naive)
		await(r, &s->dozing, (int)r->p->v[O_BARBERS],
		    "customer: the barbers never dozed off");
	ipc_sleep_ns(seed_mix(r->p->seed, id, 0) %
	    ((uint64_t)r->p->v[O_ARRIVE] * 1000 + 1));
	down(r, id, B_MUTEX);
	if (atomic_load(&s->waiting) == (unsigned)r->p->v[O_CHAIRS]) {
		s->turned_away++;
		closing = all_handled(r);
		up(r, B_MUTEX);
		if (closing)
			close_shop(r, id);
		return;
	}
	l.queue[s->tail++ % (unsigned)r->p->v[O_CHAIRS]] = id;
	l.arrived[id] = ipc_now_ns();
	l.admitted[id] = 1;
	s->admitted++;
	/* Naive, as in the textbook: only the first in an empty room knocks. */
	first = atomic_fetch_add(&s->waiting, 1) == 0;
	/* Posted under the mutex: the barber's count and the room's never disagree. */
	if (!naive)
		up(r, B_ROOM);
	up(r, B_MUTEX);
	if (naive && first)
		knock(r, id);
	down(r, id, B_CHAIR);
	l.cut[id]++;			/* getHairCut */
	up(r, B_CDONE);
	down(r, id, B_BDONE);
}
/* explain: end */

/* Barber b cuts customer who's hair (his cuts-th): Downey's rendezvous. */
static void
serve(struct run *r, unsigned b, unsigned who, uint64_t cuts)
{
	struct bstate *s = r->state;
	struct blayout l = layout(r);
	int closing;

	l.served[who]++;
	inject_point(r, b, cuts);
	up(r, B_CHAIR);
	if (r->p->v[O_CUT] > 0)
		ipc_sleep_ns((uint64_t)r->p->v[O_CUT] * 1000);	/* cutHair */
	down(r, b, B_CDONE);
	up(r, B_BDONE);
	down(r, b, B_MUTEX);
	s->served++;
	closing = all_handled(r);
	up(r, B_MUTEX);
	if (closing && r->p->v[O_BARBERS] > 1)
		close_shop(r, b);
}

/*
 * Sem: barber id holds the mutex and finds no post in the room: he sleeps.
 * Every customer in the room posted under the mutex, so each must have been
 * taken by a barber who woke and has not got the mutex back yet (asleep).
 */
static void
sleep_sem(struct run *r, unsigned id)
{
	struct bpriv *b = r->priv;
	struct bstate *s = r->state;

	if (ipc_sem_trywait(b->sem[B_ROOM].sem) == 0)
		return;
	s->sleeps++;
	if (atomic_load(&s->waiting) > s->asleep)
		s->asleep_waiting++;
	s->asleep++;
	up(r, B_MUTEX);
	down(r, id, B_ROOM);
	down(r, id, B_MUTEX);
	s->asleep--;
}

/* Naive: the alarm rang; a customer in the room waited while he slept. */
static void
alarm_rang(struct run *r, unsigned id)
{
	struct bstate *s = r->state;
	struct blayout l = layout(r);
	unsigned who;

	down(r, id, B_MUTEX);
	s->alarms++;
	if (atomic_load(&s->waiting) > 0 && s->stranded < 0) {
		who = l.queue[s->head % (unsigned)r->p->v[O_CHAIRS]];
		s->stranded = (int)customer_no(r, who);
		s->stranded_ns = ipc_now_ns() - l.arrived[who];
	}
	up(r, B_MUTEX);
}

/*
 * Naive: barber id saw nobody and let go of the mutex; he lies down on the
 * bed.  The first time he is "preempted" before lying down until a customer
 * has knocked, so the knock certainly falls where nobody hears it.
 */
static void
doze(struct run *r, unsigned id, int first)
{
	struct bstate *s = r->state;
	struct timespec dl;
	int rc;

	if (first) {
		atomic_fetch_add(&s->dozing, 1);
		await(r, &s->wakeups, 1, "barber: no customer came");
	}
	if ((rc = worker_mutex_lock(r, &s->bed_lock, "bed lock")) != 0)
		worker_errc(r, rc, "barber: worker %u: bed lock", id);
	s->sleeps++;
	if (atomic_load(&s->waiting) != 0)
		s->asleep_waiting++;
	s->in_bed++;
	ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
	rc = ipc_cond_wait(&s->bed, &s->bed_lock, &dl);
	s->in_bed--;
	if (rc == 0 || rc == ETIMEDOUT)
		ipc_mutex_unlock(&s->bed_lock);
	if (rc == 0 && run_stopped(r))
		rc = ECANCELED;		/* woken by the poison */
	if (rc == ETIMEDOUT)
		alarm_rang(r, id);
	else if (rc != 0)
		worker_errc(r, rc, "barber: worker %u: asleep", id);
}

/* Barber id: the next customer from the room, or sleep until one comes. */
static void
barber(struct run *r, unsigned id)
{
	struct bstate *s = r->state;
	struct blayout l = layout(r);
	int naive = r->p->v[O_SYNC] == S_NAIVE, dozed = 0;
	uint64_t cuts = 0;
	unsigned who;

	for (;;) {
		down(r, id, B_MUTEX);
		if (all_handled(r))
			break;
		if (naive && atomic_load(&s->waiting) == 0) {
			up(r, B_MUTEX);
			doze(r, id, !dozed++);
			continue;
		}
		if (!naive)
			sleep_sem(r, id);	/* returns holding the mutex */
		if (atomic_load(&s->waiting) == 0) {
			up(r, B_MUTEX);	/* the last one out knocked: closing time */
			continue;
		}
		who = l.queue[s->head++ % (unsigned)r->p->v[O_CHAIRS]];
		atomic_fetch_sub(&s->waiting, 1);
		up(r, B_MUTEX);
		serve(r, id, who, cuts++);
	}
	up(r, B_MUTEX);
}

static void
barber_work(struct run *r, unsigned id)
{
	if (id < (unsigned)r->p->v[O_BARBERS])
		barber(r, id);
	else
		customer(r, id);
}

/* The launcher gave up (a worker died): wake every sleeper so they leave. */
static void
barber_poison(struct run *r)
{
	struct bpriv *b = r->priv;
	struct bstate *s = r->state;
	unsigned i, n = 1 + r->nworkers;
	int k;

	for (k = 0; k < NSEMS; k++)
		for (i = 0; i < n; i++)
			ipc_sem_post(b->sem[k].sem);
	ipc_cond_broadcast(&s->bed);
}

/* Every customer is either admitted or turned away; each admitted one served once. */
static unsigned
ledger_errors(const struct run *r)
{
	const struct bstate *s = r->state;
	struct blayout l = layout(r);
	unsigned id, bad = 0, n = (unsigned)r->p->v[O_CUSTOMERS];

	for (id = (unsigned)r->p->v[O_BARBERS]; id < r->nworkers; id++)
		bad += l.served[id] != l.admitted[id] || l.cut[id] != l.admitted[id];
	return bad + (s->admitted + s->turned_away != n) +
	    (s->served != s->admitted);
}

static void
barber_check(const struct run *r, struct outcome *o)
{
	const struct bstate *s = r->state;
	unsigned bad = ledger_errors(r);
	int naive = r->p->v[O_SYNC] == S_NAIVE;

	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = (uint64_t)r->p->v[O_CUSTOMERS];
	o->expected = s->admitted;
	o->observed = o->ops = s->served;
	if (bad == 0 && s->stranded >= 0 && naive) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "lost wake-up: customer %d waited "
		    "%ju ms while the barber%s slept", s->stranded,
		    (uintmax_t)(s->stranded_ns / 1000000u),
		    r->p->v[O_BARBERS] > 1 ? "s" : "");
	} else if (bad == 0 && s->stranded < 0 && s->asleep_waiting == 0) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "every admitted customer served "
		    "once, %u turned away; %u sleeps, none on a waiting "
		    "customer", s->turned_away, s->sleeps);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%u ledger errors; %u sleeps "
		    "with customers waiting", bad, s->asleep_waiting);
	}
	res_uint(o->extra, "admitted", s->admitted, F_TABLE);
	res_uint(o->extra, "turned_away", s->turned_away, F_TABLE);
	res_uint(o->extra, "sleeps", s->sleeps, F_TABLE);
	res_uint(o->extra, "asleep_waiting", s->asleep_waiting, F_TABLE);
	res_uint(o->extra, "lost_wakeups", atomic_load(&s->lost), F_TABLE);
	res_uint(o->extra, "alarms", s->alarms, 0);
	res_int(o->extra, "stranded", s->stranded, 0);
	res_uint(o->extra, "ledger_errors", bad, 0);
}

static void
barber_release(struct run *r)
{
	struct bpriv *b = r->priv;
	int i;

	if (b == NULL)
		return;
	for (i = 0; i < NSEMS; i++)
		ipc_sem_close(&b->sem[i]);
	r->priv = NULL;
}

static void
barber_destroy(struct run *r)
{
	struct bstate *s = r->state;

	ipc_cond_destroy(&s->bed);
	ipc_mutex_destroy(&s->bed_lock);
}

const struct worker worker_barber = {
	.name = "barber",
	.desc = "the sleeping barber (Downey 5.2): every admitted customer served once",
	.proves = "every admitted customer is served exactly once, the others "
	    "turned away, and the barber never sleeps on a waiting customer; "
	    "the naive wake-up is lost and a customer waits while he sleeps",
	.explain =
	    "One barber (or -b N), K chairs in the waiting room, C customers; a customer\n"
	    "who finds every chair taken leaves.  The barber sleeps while the room is\n"
	    "empty.\n"
	    "\n"
	    "Primitive: Downey's semaphores, all named: a mutex over the count, the\n"
	    "\"waiting room\" (customers; the barber sleeps on it), the \"barber's chair\"\n"
	    "(a customer sleeps on it) and a customer done / barber done rendezvous.\n"
	    "--sync naive: the barber sleeps on a condition variable, which forgets a\n"
	    "signal sent before anyone waits.\n"
	    "\n"
	    "Columns: admitted + turned_away == customers; observed counts haircuts\n"
	    "(each admitted customer's, by the barber's ledger and its own); sleeps;\n"
	    "asleep_waiting counts sleeps begun with someone in the room (0);\n"
	    "lost_wakeups, knocks nobody heard (naive).\n"
	    "\n"
	    "Try: -c 50 -k 1; -b 3 -c 60; --sync naive (the lost wake-up, found by\n"
	    "the barber's alarm, -W); -s naive -c 3 --timeline (the knock on the\n"
	    "barber's bed before he lies down).\n"
	    "\n"
	    "Pitfalls: \"check, unlock, then sleep\" leaves a window in which the wake-up\n"
	    "is lost; a semaphore counts the post made before anyone waits, a condition\n"
	    "variable does not (hold its mutex from the check to the wait).\n",
	.opts = barber_opts,
	.validate = barber_validate,
	.nworkers = barber_nworkers,
	.size = barber_size,
	.setup = barber_setup,
	.work = barber_work,
	.poison = barber_poison,
	.check = barber_check,
	.release = barber_release,
	.destroy = barber_destroy,
};
