/*
 * zeroevenodd.c - print zero even odd (LeetCode 1116): three workers (zero,
 * even, odd) must print exactly "0102030405...0n".
 *
 * Three named semaphores pass the turn: zero's starts at 1; zero prints 0
 * and posts odd's or even's, which print their number and post zero's.  The
 * numbers go to a shared array through one atomic position; check compares
 * it with the sequence it computes.  --sync none drops the semaphores: zero
 * races ahead (the others yield before each number) and the text scrambles.
 */
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/sem.h"
#include "worker.h"

#define HEAD_MAX	40		/* characters of the text shown */

enum { O_N, O_SYNC, O_SHOW, O_NOPTS };
enum { S_SEM, S_NONE, NSYNCS };
enum { W_ZERO, W_EVEN, W_ODD, NROLES };

static const char *const syncs[] = {
	[S_SEM] = "sem", [S_NONE] = "none", [NSYNCS] = NULL
};
static const char *const roles[] = {
	[W_ZERO] = "zero", [W_EVEN] = "even", [W_ODD] = "odd"
};

static const struct optdef zeroevenodd_opts[] = {
	[O_N] = { "iterations", 'n', "N", 1, 1 << 22, 2000, NULL,
	  "print 0 1 0 2 ... 0 N" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_SEM, syncs,
	  "sem (three semaphores) or none" },
	[O_SHOW] = { "show", 0, NULL, 0, 1, 0, NULL,
	  "the note shows the first 40 characters printed" },
	[O_NOPTS] = { NULL }
};

struct zstate {
	_Atomic uint64_t pos;
	uint32_t	 num[];		/* 2 x N numbers, in the order printed */
};

struct zpriv {
	struct ipc_sem	 turn[NROLES];
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct zpriv zeroevenodd_priv;

static unsigned
zeroevenodd_nworkers(const struct params *p)
{
	(void)p;
	return NROLES;
}

static size_t
zeroevenodd_size(const struct run *r)
{
	return sizeof(struct zstate) + 2 * (size_t)r->p->v[O_N] * sizeof(uint32_t);
}

static void
zeroevenodd_setup(struct run *r)
{
	static const char *const names[] = {
		"zeroevenodd.zero", "zeroevenodd.even", "zeroevenodd.odd"
	};
	struct zpriv *z;
	int rc, i;

	z = r->priv = memset(&zeroevenodd_priv, 0, sizeof(zeroevenodd_priv));
	if (r->p->v[O_SYNC] == S_NONE)
		return;
	for (i = 0; i < NROLES; i++) {
		if ((rc = ipc_sem_open(&z->turn[i], names[i], i == W_ZERO)) != 0 ||
		    (rc = ipc_sem_unlink(&z->turn[i])) != 0)
			errc(1, rc, "zeroevenodd: semaphore");
		run_name(r, z->turn[i].sem, names[i] + sizeof("zeroevenodd"));
	}
}

/* Wait for this role's turn (guarded), or leave the run. */
static void
await_turn(struct run *r, unsigned id, uint64_t i)
{
	struct zpriv *z = r->priv;
	int rc;

	if (r->p->v[O_SYNC] == S_NONE) {
		if (id != W_ZERO)
			sched_yield();	/* zero, never waiting, races ahead */
		return;
	}
	if ((rc = ipc_sem_wait(z->turn[id].sem, r->deadline)) == 0 &&
	    run_stopped(r))
		rc = ECANCELED;		/* woken by the poison */
	if (rc != 0)
		worker_errc(r, rc, "zeroevenodd: %s: %ju", roles[id], (uintmax_t)i);
}

static void
pass_turn(struct run *r, unsigned to)
{
	struct zpriv *z = r->priv;
	int rc;

	if (r->p->v[O_SYNC] == S_SEM && (rc = ipc_sem_post(z->turn[to].sem)) != 0)
		worker_errc(r, rc, "zeroevenodd: post");
}

/* explain: zeroevenodd: wait for this role's turn, print, hand the turn on */
/* Zero prints a 0 before every number; even and odd print theirs. */
static void
zeroevenodd_work(struct run *r, unsigned id)
{
	struct zstate *s = r->state;
	uint64_t i, k, n = (uint64_t)r->p->v[O_N];

	for (i = id == W_ODD ? 1 : id == W_EVEN ? 2 : 1; i <= n;
	    i += id == W_ZERO ? 1 : 2) {
		await_turn(r, id, i);
		inject_point(r, id, i);
		if ((k = atomic_fetch_add(&s->pos, 1)) < 2 * n)
			s->num[k] = id == W_ZERO ? 0 : (uint32_t)i;
		pass_turn(r, id != W_ZERO ? W_ZERO : i % 2 ? W_ODD : W_EVEN);
	}
}
/* explain: end */

/* The launcher gave up (a worker died): wake the waiters so they leave. */
static void
zeroevenodd_poison(struct run *r)
{
	struct zpriv *z = r->priv;
	int i;

	if (r->p->v[O_SYNC] != S_SEM)
		return;
	for (i = 0; i < NROLES; i++)
		ipc_sem_post(z->turn[i].sem);
}

/* The text printed (its checksum, its first characters), and the first misplaced number. */
static void
zeroevenodd_check(const struct run *r, struct outcome *o)
{
	const struct zstate *s = r->state;
	uint64_t k, good = 0, bad = UINT64_MAX, n = (uint64_t)r->p->v[O_N];
	uint32_t sum = 2166136261u;
	char head[HEAD_MAX + 1] = "", num[16];

	for (k = 0; k < 2 * n; k++) {
		uint32_t want = k % 2 ? (uint32_t)(k / 2 + 1) : 0;

		if (s->num[k] == want)
			good++;
		else if (bad == UINT64_MAX)
			bad = k;
		snprintf(num, sizeof(num), "%u", s->num[k]);
		sum = fnv1a(sum, num);
		strlcat(head, num, sizeof(head));
	}
	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = n;
	o->expected = o->ops = 2 * n;
	o->observed = good;
	o->verdict = good == 2 * n ? VERDICT_OK : r->p->v[O_SYNC] == S_NONE ?
	    VERDICT_RACE : VERDICT_FAIL;
	if (r->p->v[O_SHOW])
		snprintf(o->note, sizeof(o->note), "%s", head);
	else if (good == 2 * n)
		snprintf(o->note, sizeof(o->note), "exactly 0102...0%ju", (uintmax_t)n);
	else
		snprintf(o->note, sizeof(o->note), "place %ju holds %u, want %u",
		    (uintmax_t)bad, s->num[bad], bad % 2 ? (unsigned)(bad / 2 + 1) : 0);
	res_uint(o->extra, "misplaced", 2 * n - good, F_TABLE);
	res_uint(o->extra, "first_bad", bad == UINT64_MAX ? 0 : bad,
	    F_TABLE | (bad == UINT64_MAX ? F_NULL : 0));
	res_str(o->extra, "head", head, 0);
	res_uint(o->extra, "checksum", sum, 0);
}

static void
zeroevenodd_release(struct run *r)
{
	struct zpriv *z = r->priv;
	int i;

	if (r->p->v[O_SYNC] == S_SEM)
		for (i = 0; i < NROLES; i++)
			ipc_sem_close(&z->turn[i]);
	r->priv = NULL;
}

const struct worker worker_zeroevenodd = {
	.name = "zeroevenodd",
	.desc = "print zero even odd (LeetCode 1116): exactly 0102...0N",
	.proves = "three workers (zero, even, odd) passing the turn through three "
	    "semaphores print exactly 0102...0N; without them the text scrambles",
	.explain =
	    "Three workers print 0 1 0 2 0 3 ... 0 N together: zero prints every 0,\n"
	    "odd the odd numbers, even the even ones (LeetCode 1116).\n"
	    "\n"
	    "Primitive: three named semaphores passing the turn: zero's starts at 1;\n"
	    "zero posts odd's or even's by the number that comes next, they post zero's.\n"
	    "\n"
	    "Columns: expected and observed count the numbers printed (2N) and those in\n"
	    "their place; misplaced the others; first_bad the first misplaced one (from 0).\n"
	    "JSON and CSV add head (the first 40 characters) and checksum (FNV-1a, 32\n"
	    "bits, of the whole text).\n"
	    "\n"
	    "Try: --sync none --show; -n 20 --show; -n 100000.\n"
	    "\n"
	    "Pitfalls: zero must choose whom to wake (odd or even) from the number that\n"
	    "comes next, not from its own count; a third semaphore is cheaper than\n"
	    "making odd and even both wake and check.\n",
	.opts = zeroevenodd_opts,
	.nworkers = zeroevenodd_nworkers,
	.size = zeroevenodd_size,
	.setup = zeroevenodd_setup,
	.work = zeroevenodd_work,
	.poison = zeroevenodd_poison,
	.check = zeroevenodd_check,
	.release = zeroevenodd_release,
};
