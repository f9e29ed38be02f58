/*
 * order.c - print in order (LeetCode 1114): three workers started in random
 * order must still print "first", "second", "third".
 *
 * Two named semaphores at 0 chain them: first posts A, second waits on A
 * then posts B, third waits on B.  Each round the workers start after a
 * random (seeded) delay and record who printed in which place; every round
 * is checked.  --sync none drops the semaphores and the wrong orders show.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/sem.h"
#include "worker.h"

enum { O_ROUNDS, O_SYNC, O_JITTER, O_NOPTS };
enum { S_SEM, S_NONE, NSYNCS };

static const char *const syncs[] = {
	[S_SEM] = "sem", [S_NONE] = "none", [NSYNCS] = NULL
};

static const struct optdef order_opts[] = {
	[O_ROUNDS] = { "rounds", 'n', "N", 1, 1 << 22, 1000, NULL,
	  "rounds of first, second, third" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_SEM, syncs,
	  "sem (two semaphores) or none" },
	[O_JITTER] = { "jitter-us", 'j', "US", 0, 100000, 20, NULL,
	  "random delay before each worker's turn, up to US microseconds" },
	[O_NOPTS] = { NULL }
};

struct oround {
	atomic_uint	 pos;
	unsigned char	 who[3];	/* worker printed in place 0, 1, 2 */
};

struct opriv {
	struct ipc_sem	 a, b;
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct opriv order_priv;

static unsigned
order_nworkers(const struct params *p)
{
	(void)p;
	return 3;
}

static size_t
order_size(const struct run *r)
{
	return sizeof(struct oround) * (size_t)r->p->v[O_ROUNDS];
}

static void
order_setup(struct run *r)
{
	struct opriv *o;
	int rc;

	o = r->priv = memset(&order_priv, 0, sizeof(order_priv));
	if (r->p->v[O_SYNC] == S_NONE)
		return;
	if ((rc = ipc_sem_open(&o->a, "order.a", 0)) != 0 ||
	    (rc = ipc_sem_unlink(&o->a)) != 0 ||
	    (rc = ipc_sem_open(&o->b, "order.b", 0)) != 0 ||
	    (rc = ipc_sem_unlink(&o->b)) != 0)
		errc(1, rc, "order: semaphore");
	run_name(r, o->a.sem, "first done");
	run_name(r, o->b.sem, "second done");
}

/* A seeded pause before each turn, so the start order changes round to round. */
static void
jitter(const struct run *r, unsigned id, uint64_t round)
{
	uint64_t x = seed_mix(r->p->seed, id, round);

	if (r->p->v[O_JITTER] != 0)
		ipc_sleep_ns(x % (uint64_t)(r->p->v[O_JITTER] + 1) * 1000);
}

static void
order_work(struct run *r, unsigned id)
{
	struct oround *round = r->state;	/* --rounds of them */
	struct opriv *o = r->priv;
	int guarded = r->p->v[O_SYNC] == S_SEM, rc = 0;
	uint64_t i;
	unsigned k;

	/* explain: order: second waits on A, third on B; first posts A, second posts B */
	for (i = 0; i < (uint64_t)r->p->v[O_ROUNDS]; i++) {
		if (!sched_on(r))	/* scheduled: the schedule decides the order */
			jitter(r, id, i);
		if (guarded && id > 0 &&
		    (rc = sched_sem_wait(r, id, id == 1 ? o->a.sem : o->b.sem)) == 0 &&
		    run_stopped(r))
			rc = ECANCELED;		/* woken by the poison */
		if (rc != 0)
			worker_errc(r, rc, "order: worker %u: round %ju", id,
			    (uintmax_t)i);
		inject_point(r, id, i);
		sched_point(r, id, SCH_RMW, &round[i].pos, 0);	/* it prints */
		k = atomic_fetch_add(&round[i].pos, 1);
		if (k < 3)
			round[i].who[k] = (unsigned char)id;
		if (guarded && id < 2 &&
		    (rc = sched_sem_post(r, id, id == 0 ? o->a.sem : o->b.sem)) != 0)
			worker_errc(r, rc, "order: worker %u: post", id);
	}
	/* explain: end */
}

/* The launcher gave up (a worker died): wake the waiters so they leave. */
static void
order_poison(struct run *r)
{
	struct opriv *o = r->priv;

	if (r->p->v[O_SYNC] != S_SEM)
		return;
	ipc_sem_post(o->a.sem);
	ipc_sem_post(o->b.sem);
}

static void
order_check(const struct run *r, struct outcome *o)
{
	const struct oround *round = r->state;
	uint64_t i, good = 0;
	const struct oround *bad = NULL;

	for (i = 0; i < (uint64_t)r->p->v[O_ROUNDS]; i++) {
		const struct oround *x = &round[i];

		if (x->who[0] == 0 && x->who[1] == 1 && x->who[2] == 2)
			good++;
		else if (bad == NULL)
			bad = x;
	}
	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = o->expected = (uint64_t)r->p->v[O_ROUNDS];
	o->observed = o->ops = good;
	if (good == o->expected) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "first second third, every round");
	} else {
		o->verdict = r->p->v[O_SYNC] == S_NONE ? VERDICT_RACE : VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju rounds out of order, e.g. "
		    "%d%d%d", (uintmax_t)(o->expected - good), bad->who[0] + 1,
		    bad->who[1] + 1, bad->who[2] + 1);
	}
	res_uint(o->extra, "out_of_order", o->expected - good, F_TABLE);
}

/* What decides the rest of a scheduled run: the rounds so far, the two semaphores. */
static size_t
order_state(const struct run *r, void *buf, size_t cap)
{
	const struct opriv *o = r->priv;
	size_t n = order_size(r);
	int v[2] = { 0, 0 };

	if (n + sizeof(v) > cap)
		return 0;
	if (r->p->v[O_SYNC] == S_SEM) {
		sem_getvalue(o->a.sem, &v[0]);
		sem_getvalue(o->b.sem, &v[1]);
	}
	memcpy(buf, r->state, n);
	memcpy((char *)buf + n, v, sizeof(v));
	return n + sizeof(v);
}

/* For people: who printed in each place of the first round. */
static void
order_show(const struct run *r, char *buf, size_t len)
{
	const struct oround *x = r->state;
	unsigned k, n = atomic_load(&x->pos);

	snprintf(buf, len, "printed:");
	for (k = 0; k < n && k < 3; k++)
		snprintf(buf + strlen(buf), len - strlen(buf), " %s",
		    x->who[k] == 0 ? "first" : x->who[k] == 1 ? "second" : "third");
}

static void
order_release(struct run *r)
{
	struct opriv *o = r->priv;

	if (r->p->v[O_SYNC] == S_SEM) {
		ipc_sem_close(&o->a);
		ipc_sem_close(&o->b);
	}
	r->priv = NULL;
}

const struct worker worker_order = {
	.name = "order",
	.desc = "print in order (LeetCode 1114): first, second, third, every round",
	.proves = "three workers started in random order print first, second, "
	    "third in every round; without semaphores they do not",
	.explain =
	    "Three workers started in random order must print first, second, third\n"
	    "(LeetCode 1114).\n"
	    "\n"
	    "Primitive: two named semaphores at 0: first posts A, second waits on A and\n"
	    "posts B, third waits on B.\n"
	    "\n"
	    "Columns: out_of_order counts the rounds printed in the wrong order.\n"
	    "\n"
	    "Try: --sync none (wrong orders); -j 0 (no jitter); --seed 42.\n"
	    "\n"
	    "Pitfalls: sleeping to \"let the others go first\" is not ordering; a\n"
	    "semaphore remembers a post made before anyone waits, a condvar does not.\n",
	.caps = CAP_SCHED,
	.opts = order_opts,
	.nworkers = order_nworkers,
	.size = order_size,
	.setup = order_setup,
	.work = order_work,
	.poison = order_poison,
	.check = order_check,
	.release = order_release,
	.sched_state = order_state,
	.sched_show = order_show,
};
