/*
 * smokers.c - the cigarette smokers (Patil; Downey, The Little Book of
 * Semaphores 4.5): an agent puts two of tobacco, paper and matches on the
 * table each round; the smoker who holds the third must smoke, and only he.
 *
 * --fix none is the naive version: each smoker waits on its two ingredient
 * semaphores one after the other, so two smokers each grab one of the pair
 * and wait for the other forever; a short wait (-W) finds it and a hold/wait
 * record in shared memory names it.  --fix pushers is Downey's cure: three
 * pushers note what is on the table under a mutex and wake the right smoker.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/sem.h"
#include "worker.h"

enum { O_ROUNDS, O_FIX, O_WAIT, O_SMOKE, O_NOPTS };
enum { F_NONE, F_PUSHERS, NFIXES };
enum { TOBACCO, PAPER, MATCH, NINGR };
/* The named semaphores: the table's three, the agent's, the mutex, the smokers'. */
enum { K_TABLE = 0, K_AGENT = NINGR, K_MUTEX, K_SMOKER, NSEMS = K_SMOKER + NINGR };

#define AGENT		0		/* worker 0; smokers 1..3, pushers 4..6 */
#define STEP_NS		20000u		/* a pausing smoker looks up this often */

static const char *const fixes[] = {
	[F_NONE] = "none", [F_PUSHERS] = "pushers", [NFIXES] = NULL
};
static const char *const ingr[NINGR] = {
	[TOBACCO] = "tobacco", [PAPER] = "paper", [MATCH] = "match"
};
static const char *const smokedkey[NINGR] = {
	[TOBACCO] = "smoked_tobacco", [PAPER] = "smoked_paper",
	[MATCH] = "smoked_match"
};
static const char *const semnames[NSEMS] = {
	"tobacco", "paper", "match", "agent", "table mutex",
	"smoker with tobacco", "smoker with paper", "smoker with match",
};

static const struct optdef smokers_opts[] = {
	[O_ROUNDS] = { "rounds", 'n', "N", 1, 1 << 22, 1000, NULL,
	  "rounds: the agent puts two ingredients, one smoker smokes" },
	[O_FIX] = { "fix", 'x', "CURE", 0, 0, F_PUSHERS, fixes,
	  "pushers (Downey's cure) or none (each smoker takes one, then the other: deadlock)" },
	[O_WAIT] = { "wait-ms", 'W', "MS", 1, 60000, 50, NULL,
	  "how long a smoker waits for an ingredient before it looks for a deadlock" },
	[O_SMOKE] = { "smoke-us", 'u', "US", 0, 1000000, 0, NULL,
	  "how long a smoker smokes (the agent does not wait for it)" },
	[O_NOPTS] = { NULL }
};

struct sstate {
	unsigned	 round;		/* the agent's; read after the posts */
	int		 on_table[NINGR];	/* pushers: under the mutex */
	atomic_int	 holds[NINGR];	/* none: smoker k holds this, or -1 */
	atomic_int	 waits[NINGR];	/* none: smoker k waits for this, or -1 */
	atomic_int	 over;		/* a deadlock was seen, or the rounds are done */
	atomic_uint	 deadlocks;
	char		 cycle[140];	/* the first deadlock, in words */
	struct sround {
		unsigned char	 missing;	/* the agent's: who must smoke */
		atomic_uchar	 smoked;	/* smokers who smoked this round */
		unsigned char	 who;		/* the first of them */
		atomic_uchar	 grabbed;	/* none: first ingredients taken */
	}		 rounds[];
};

struct spriv {
	struct ipc_sem	 sem[NSEMS];
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct spriv smokers_priv;

static unsigned
smokers_nworkers(const struct params *p)
{
	return p->v[O_FIX] == F_PUSHERS ? 1 + 2 * NINGR : 1 + NINGR;
}

static size_t
smokers_size(const struct run *r)
{
	return sizeof(struct sstate) + sizeof(struct sround) * (size_t)r->p->v[O_ROUNDS];
}

static void
smokers_setup(struct run *r)
{
	struct sstate *s = r->state;
	struct spriv *p;
	int rc, i;

	p = r->priv = memset(&smokers_priv, 0, sizeof(smokers_priv));
	for (i = 0; i < NSEMS; i++) {
		if ((rc = ipc_sem_open(&p->sem[i], "smokers", i == K_MUTEX)) != 0 ||
		    (rc = ipc_sem_unlink(&p->sem[i])) != 0)
			errc(1, rc, "smokers: %s", semnames[i]);
		run_name(r, p->sem[i].sem, semnames[i]);
	}
	for (i = 0; i < NINGR; i++) {
		atomic_init(&s->holds[i], -1);
		atomic_init(&s->waits[i], -1);
	}
}

static void
up(struct run *r, int i)
{
	struct spriv *p = r->priv;
	int rc;

	if ((rc = ipc_sem_post(p->sem[i].sem)) != 0)
		worker_errc(r, rc, "smokers: post %s", semnames[i]);
}

/* Wait on semaphore i: 0, or 1 when the run is over (a deadlock, the last round). */
static int
down(struct run *r, const char *who, int i)
{
	struct spriv *p = r->priv;
	int rc;

	if ((rc = ipc_sem_wait(p->sem[i].sem, r->deadline)) == 0 && run_stopped(r))
		rc = ECANCELED;		/* woken by the poison */
	if (rc != 0)
		worker_errc(r, rc, "smokers: %s: %s", who, semnames[i]);
	return atomic_load(&((struct sstate *)r->state)->over);
}

/* Every waiter leaves: the smokers', the table's and the agent's semaphores. */
static void
wake_all(struct run *r)
{
	int i;

	atomic_store(&((struct sstate *)r->state)->over, 1);
	for (i = 0; i < NSEMS; i++)
		if (i != K_MUTEX)
			up(r, i);
}

/* The agent: two ingredients a round, the next round once someone smoked. */
static void
agent(struct run *r)
{
	struct sstate *s = r->state;
	uint64_t i, n = (uint64_t)r->p->v[O_ROUNDS];
	unsigned m;

	for (i = 0; i < n; i++) {
		if (i > 0 && down(r, "agent", K_AGENT))
			return;
		m = (unsigned)(seed_mix(r->p->seed, AGENT, i) % NINGR);
		s->rounds[i].missing = (unsigned char)m;
		s->round = (unsigned)i;
		inject_point(r, AGENT, i);
		up(r, K_TABLE + (int)((m + 1) % NINGR));
		up(r, K_TABLE + (int)((m + 2) % NINGR));
	}
	if (!down(r, "agent", K_AGENT))
		wake_all(r);	/* the last cigarette is rolled: closing time */
}

/* Smoker k rolls a cigarette: recorded for the round, the agent told. */
static void
smoke(struct run *r, unsigned k)
{
	struct sstate *s = r->state;
	struct sround *x = &s->rounds[s->round];

	if (atomic_fetch_add(&x->smoked, 1) == 0)
		x->who = (unsigned char)k;
	up(r, K_AGENT);
	if (r->p->v[O_SMOKE] > 0)
		ipc_sleep_ns((uint64_t)r->p->v[O_SMOKE] * 1000);
}

/* explain: smokers: Parnas's pushers: what one carries meets what is on the table, or waits there */
/* Pusher k: what it carries meets what is on the table, or waits there. */
static void
pusher(struct run *r, unsigned k)
{
	struct sstate *s = r->state;
	unsigned j, d;
	char who[32];

	snprintf(who, sizeof(who), "%s pusher", ingr[k]);
	while (!down(r, who, K_TABLE + (int)k)) {
		if (down(r, who, K_MUTEX))
			break;
		for (d = 1; d < NINGR; d++)
			if (s->on_table[j = (k + d) % NINGR]) {
				s->on_table[j] = 0;
				up(r, K_SMOKER + (int)(NINGR - k - j));	/* the third */
				break;
			}
		if (d == NINGR)
			s->on_table[k] = 1;
		up(r, K_MUTEX);
	}
}
/* explain: end */

/* Pushers: smoker k sleeps until a pusher sees the other two on the table. */
static void
smoker_pushed(struct run *r, unsigned k)
{
	while (!down(r, semnames[K_SMOKER + k], K_SMOKER + (int)k))
		smoke(r, k);
}

/*
 * None: a timed-out wait reads the hold/wait record once.  Two smokers each
 * holding one of the round's pair: neither can ever smoke, and the agent waits
 * for a smoker: a deadlock.  Named once, then everyone is woken to leave.
 */
static int
name_deadlock(struct run *r, unsigned k)
{
	struct sstate *s = r->state;
	int h[NINGR], w[NINGR];
	unsigned x, y;

	for (x = 0; x < NINGR; x++) {
		h[x] = atomic_load(&s->holds[x]);
		w[x] = atomic_load(&s->waits[x]);
	}
	for (y = 0; y < NINGR; y++)
		if (y != k && h[y] >= 0 && w[y] >= 0 && h[y] != h[k])
			break;
	if (h[k] < 0 || w[k] < 0 || y == NINGR)
		return 0;
	if (atomic_exchange(&s->over, 1) != 0)
		return 1;	/* the other one named it first */
	atomic_fetch_add(&s->deadlocks, 1);
	snprintf(s->cycle, sizeof(s->cycle), "smoker with %s holds %s, waits "
	    "for %s; smoker with %s holds %s, waits for %s; the agent waits "
	    "for a smoker", ingr[k], ingr[h[k]], ingr[w[k]], ingr[y],
	    ingr[h[y]], ingr[w[y]]);
	wake_all(r);
	return 1;
}

/* None: the pause a preemption could put after the first grab, made certain. */
static void
pause_after_grab(struct run *r)
{
	struct sstate *s = r->state;
	struct sround *x = &s->rounds[s->round];
	struct timespec dl;

	atomic_fetch_add(&x->grabbed, 1);
	ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
	while (atomic_load(&x->grabbed) < 2 && !ipc_expired(&dl) &&
	    !run_stopped(r))
		ipc_sleep_ns(STEP_NS);
}

/* None: the second ingredient, in short waits until it comes or a deadlock shows. */
static int
second(struct run *r, unsigned k, int ing)
{
	struct spriv *p = r->priv;
	struct timespec dl;
	int rc;

	for (;;) {
		ipc_deadline(&dl, (uint64_t)r->p->v[O_WAIT] * 1000000u);
		if ((rc = ipc_sem_wait(p->sem[K_TABLE + ing].sem, &dl)) == 0)
			return atomic_load(&((struct sstate *)r->state)->over);
		if (rc != ETIMEDOUT)
			worker_errc(r, rc, "smokers: %s: %s", semnames[K_SMOKER + k],
			    ingr[ing]);
		if (atomic_load(&((struct sstate *)r->state)->over) ||
		    name_deadlock(r, k))
			return 1;
		if (run_stopped(r))
			worker_errc(r, ETIMEDOUT, "smokers: %s: %s",
			    semnames[K_SMOKER + k], ingr[ing]);
	}
}

/* explain: smokers: --sync none: each smoker grabs one ingredient, then waits for the other */
/* None: smoker k takes the next ingredient round the table, then the one after. */
static void
smoker_naive(struct run *r, unsigned k)
{
	struct sstate *s = r->state;
	int first = (int)(k + 1) % NINGR, then = (int)(k + 2) % NINGR;

	for (;;) {
		atomic_store(&s->waits[k], first);
		if (down(r, semnames[K_SMOKER + k], K_TABLE + first))
			return;
		atomic_store(&s->holds[k], first);
		atomic_store(&s->waits[k], then);
		pause_after_grab(r);
		if (second(r, k, then))
			return;
		atomic_store(&s->holds[k], -1);
		atomic_store(&s->waits[k], -1);
		smoke(r, k);
	}
}
/* explain: end */

static void
smokers_work(struct run *r, unsigned id)
{
	if (id == AGENT)
		agent(r);
	else if (id <= NINGR && r->p->v[O_FIX] == F_NONE)
		smoker_naive(r, id - 1);
	else if (id <= NINGR)
		smoker_pushed(r, id - 1);
	else
		pusher(r, id - 1 - NINGR);
}

/* The launcher gave up (a worker died): wake every waiter so they leave. */
static void
smokers_poison(struct run *r)
{
	struct spriv *p = r->priv;
	int i, j;

	for (i = 0; i < NSEMS; i++)
		for (j = 0; j < 1 + 2 * NINGR; j++)
			ipc_sem_post(p->sem[i].sem);
}

static void
smokers_check(const struct run *r, struct outcome *o)
{
	const struct sstate *s = r->state;
	uint64_t i, n = (uint64_t)r->p->v[O_ROUNDS], good = 0, wrong = 0;
	uint64_t by[NINGR] = { 0 };
	unsigned dl = atomic_load(&s->deadlocks), k;

	for (i = 0; i < n; i++) {
		const struct sround *x = &s->rounds[i];
		unsigned c = atomic_load(&x->smoked);

		if (c >= 1)
			by[x->who]++;
		good += c == 1 && x->who == x->missing;
		wrong += c > 1 || (c == 1 && x->who != x->missing);
	}
	o->sync = fixes[r->p->v[O_FIX]];
	o->iterations = o->expected = n;
	o->observed = o->ops = good;
	if (dl > 0 && r->p->v[O_FIX] == F_NONE && wrong == 0) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "deadlock: %s", s->cycle);
	} else if (dl == 0 && good == n) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "every round the right smoker, "
		    "alone: tobacco %ju, paper %ju, match %ju", (uintmax_t)by[0],
		    (uintmax_t)by[1], (uintmax_t)by[2]);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju of %ju rounds right, %ju "
		    "wrong, %u deadlocks", (uintmax_t)good, (uintmax_t)n,
		    (uintmax_t)wrong, dl);
	}
	res_uint(o->extra, "wrong", wrong, F_TABLE);
	for (k = 0; k < NINGR; k++)
		res_uint(o->extra, smokedkey[k], by[k], F_TABLE);
	res_uint(o->extra, "deadlocks", dl, F_TABLE);
	res_str(o->extra, "cycle", s->cycle, 0);
}

static void
smokers_release(struct run *r)
{
	struct spriv *p = r->priv;
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < NSEMS; i++)
		ipc_sem_close(&p->sem[i]);
	r->priv = NULL;
}

const struct worker worker_smokers = {
	.name = "smokers",
	.desc = "the cigarette smokers (Patil, Downey 4.5): the right smoker each round",
	.proves = "every round exactly one smoker smokes, the one holding the "
	    "missing ingredient; taking the two ingredients one by one "
	    "deadlocks, found by a deadline and named",
	.explain =
	    "An agent puts two of tobacco, paper and match on the table each round; three\n"
	    "smokers each hold one for good, and the one holding the third must smoke.\n"
	    "The agent may not be changed: it posts one semaphore per ingredient.\n"
	    "\n"
	    "Primitive: named semaphores: one per ingredient on the table, the agent's,\n"
	    "and (--fix pushers, Downey's cure) a mutex over what is on the table and\n"
	    "one per smoker: three pushers, one per ingredient, wake the right smoker.\n"
	    "\n"
	    "Columns: observed counts the rounds in which exactly the right smoker\n"
	    "smoked; wrong, the others; smoked_tobacco... who smoked how often;\n"
	    "deadlocks; cycle (JSON/CSV) names it.\n"
	    "\n"
	    "Try: --fix none (each smoker takes one ingredient then the other: two of\n"
	    "them grab one each and wait forever; -W sets how soon it is noticed);\n"
	    "-n 5000; --fix none --timeline.\n"
	    "\n"
	    "Pitfalls: waiting for two things one at a time is holding one while\n"
	    "waiting for the other; the cure reads the table under one lock and\n"
	    "decides once.\n",
	.opts = smokers_opts,
	.nworkers = smokers_nworkers,
	.size = smokers_size,
	.setup = smokers_setup,
	.work = smokers_work,
	.poison = smokers_poison,
	.check = smokers_check,
	.release = smokers_release,
};
