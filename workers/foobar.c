/*
 * foobar.c - print FooBar alternately (LeetCode 1115): two workers must
 * produce exactly "foobar" N times.
 *
 * Two named semaphores pass the turn: foo waits on its own (starting at 1),
 * writes "foo" and posts bar's; bar does the mirror.  The output goes to a
 * shared array through one atomic position, and is checked pair by pair.
 * --sync none drops the semaphores: the words then interleave at random.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/sem.h"
#include "worker.h"

enum { O_PAIRS, O_SYNC, O_NOPTS };
enum { S_SEM, S_NONE, NSYNCS };

static const char *const syncs[] = {
	[S_SEM] = "sem", [S_NONE] = "none", [NSYNCS] = NULL
};

static const struct optdef foobar_opts[] = {
	[O_PAIRS] = { "iterations", 'n', "N", 1, 1 << 26, 10000, NULL,
	  "\"foobar\" pairs" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_SEM, syncs,
	  "sem (two semaphores) or none" },
	[O_NOPTS] = { NULL }
};

struct fstate {
	_Atomic uint64_t pos;
	unsigned char	 word[];	/* 0 foo, 1 bar; 2 x N of them */
};

struct fpriv {
	struct ipc_sem	 turn[2];	/* foo's, bar's */
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct fpriv foobar_priv;

static unsigned
foobar_nworkers(const struct params *p)
{
	(void)p;
	return 2;
}

static size_t
foobar_size(const struct run *r)
{
	return sizeof(struct fstate) + 2 * (size_t)r->p->v[O_PAIRS];
}

static void
foobar_setup(struct run *r)
{
	struct fpriv *f;
	int rc, i;

	f = r->priv = memset(&foobar_priv, 0, sizeof(foobar_priv));
	if (r->p->v[O_SYNC] == S_NONE)
		return;
	for (i = 0; i < 2; i++) {
		if ((rc = ipc_sem_open(&f->turn[i], i ? "foobar.bar" : "foobar.foo",
		    i == 0)) != 0 || (rc = ipc_sem_unlink(&f->turn[i])) != 0)
			errc(1, rc, "foobar: semaphore");
		run_name(r, f->turn[i].sem, i ? "bar's turn" : "foo's turn");
	}
}

/* Worker 0 writes foo, worker 1 bar, each on its own turn. */
static void
foobar_work(struct run *r, unsigned id)
{
	struct fstate *s = r->state;
	struct fpriv *f = r->priv;
	uint64_t i, k, n = 2 * (uint64_t)r->p->v[O_PAIRS];
	int guarded = r->p->v[O_SYNC] == S_SEM, rc = 0;

	/* explain: foobar: each waits for its own turn, then posts the other's */
	for (i = 0; i < (uint64_t)r->p->v[O_PAIRS]; i++) {
		if (guarded && (rc = sched_sem_wait(r, id, f->turn[id].sem)) == 0 &&
		    run_stopped(r))
			rc = ECANCELED;		/* woken by the poison */
		if (rc != 0)
			worker_errc(r, rc, "foobar: %s: pair %ju", id ? "bar" : "foo",
			    (uintmax_t)i);
		inject_point(r, id, i);
		sched_point(r, id, SCH_RMW, &s->pos, 0);	/* it writes its word */
		if ((k = atomic_fetch_add(&s->pos, 1)) < n)
			s->word[k] = (unsigned char)id;
		if (guarded && (rc = sched_sem_post(r, id, f->turn[!id].sem)) != 0)
			worker_errc(r, rc, "foobar: post");
	}
	/* explain: end */
}

/* The launcher gave up (a worker died): wake the waiters so they leave. */
static void
foobar_poison(struct run *r)
{
	struct fpriv *f = r->priv;

	if (r->p->v[O_SYNC] != S_SEM)
		return;
	ipc_sem_post(f->turn[0].sem);
	ipc_sem_post(f->turn[1].sem);
}

/* What decides the rest of a scheduled run: the words so far, the two turns. */
static size_t
foobar_state(const struct run *r, void *buf, size_t cap)
{
	const struct fpriv *f = r->priv;
	size_t n = foobar_size(r);
	int v[2] = { 0, 0 };

	if (n + sizeof(v) > cap)
		return 0;
	if (r->p->v[O_SYNC] == S_SEM) {
		sem_getvalue(f->turn[0].sem, &v[0]);
		sem_getvalue(f->turn[1].sem, &v[1]);
	}
	memcpy(buf, r->state, n);
	memcpy((char *)buf + n, v, sizeof(v));
	return n + sizeof(v);
}

/* For people: the words written so far. */
static void
foobar_show(const struct run *r, char *buf, size_t len)
{
	const struct fstate *s = r->state;
	uint64_t k, n = atomic_load(&s->pos);

	snprintf(buf, len, "written: ");
	for (k = 0; k < n && strlen(buf) + 4 < len; k++)
		strlcat(buf, s->word[k] ? "bar" : "foo", len);
}

static void
foobar_check(const struct run *r, struct outcome *o)
{
	const struct fstate *s = r->state;
	uint64_t i, good = 0, n = (uint64_t)r->p->v[O_PAIRS];
	char sample[40] = "";

	for (i = 0; i < n; i++)
		good += s->word[2 * i] == 0 && s->word[2 * i + 1] == 1;
	for (i = 0; i < 2 * n && i < 8; i++)
		strlcat(sample, s->word[i] ? "bar" : "foo", sizeof(sample));
	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = o->expected = n;
	o->observed = o->ops = good;
	if (good == n) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "%s... exactly foobar x %ju",
		    sample, (uintmax_t)n);
	} else {
		o->verdict = r->p->v[O_SYNC] == S_NONE ? VERDICT_RACE : VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%s... %ju pairs broken", sample,
		    (uintmax_t)(n - good));
	}
	res_uint(o->extra, "broken", n - good, F_TABLE);
}

static void
foobar_release(struct run *r)
{
	struct fpriv *f = r->priv;

	if (r->p->v[O_SYNC] == S_SEM) {
		ipc_sem_close(&f->turn[0]);
		ipc_sem_close(&f->turn[1]);
	}
	r->priv = NULL;
}

const struct worker worker_foobar = {
	.name = "foobar",
	.desc = "print FooBar alternately (LeetCode 1115): exactly foobar x N",
	.proves = "two workers passing the turn through two semaphores write "
	    "exactly \"foobar\" N times; without them the words interleave",
	.explain =
	    "Two workers print \"foo\" and \"bar\" alternately, N times (LeetCode 1115).\n"
	    "\n"
	    "Primitive: two named semaphores passing the turn (foo's starts at 1).\n"
	    "\n"
	    "Columns: broken counts the pairs that are not \"foobar\".\n"
	    "\n"
	    "Try: --sync none; -n 100000.\n"
	    "\n"
	    "Pitfalls: every hand-off is a sleep and a wake-up: thousands of context\n"
	    "switches per second (vcsw).\n",
	.caps = CAP_SCHED,
	.opts = foobar_opts,
	.nworkers = foobar_nworkers,
	.size = foobar_size,
	.setup = foobar_setup,
	.work = foobar_work,
	.poison = foobar_poison,
	.check = foobar_check,
	.release = foobar_release,
	.sched_state = foobar_state,
	.sched_show = foobar_show,
};
