/*
 * h2o.c - building H2O (LeetCode 1117): hydrogen and oxygen workers bond N
 * molecules, each of exactly two hydrogens and one oxygen.
 *
 * Two named semaphores seat the atoms (two hydrogen seats, one oxygen seat);
 * the three seated atoms take a ticket (molecule = ticket / 3), record their
 * element there, and pass a barrier of 3 together before giving up their
 * seats.  check counts every molecule, and every atom that left its barrier
 * before its molecule was whole.  --sync none drops the seats (any three
 * atoms bond); --sync nobarrier drops the barrier (atoms leave alone).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/barrier.h"
#include "../ipc/sem.h"
#include "worker.h"

#define HEAD_MAX	40		/* characters of the formulas shown */

enum { O_HYDROGEN, O_OXYGEN, O_MOLECULES, O_SYNC, O_SHOW, O_NOPTS };
enum { S_SEM, S_NOBARRIER, S_NONE, NSYNCS };
enum { E_H, E_O };

static const char *const syncs[] = {
	[S_SEM] = "sem", [S_NOBARRIER] = "nobarrier", [S_NONE] = "none",
	[NSYNCS] = NULL
};

static const struct optdef h2o_opts[] = {
	[O_HYDROGEN] = { "hydrogen", 'H', "N", 1, MAX_WORKERS / 2, 4, NULL,
	  "hydrogen workers (they share the 2N hydrogen atoms)" },
	[O_OXYGEN] = { "oxygen", 'O', "N", 1, MAX_WORKERS / 2, 3, NULL,
	  "oxygen workers (they share the N oxygen atoms)" },
	[O_MOLECULES] = { "iterations", 'n', "N", 1, 1 << 22, 1000, NULL,
	  "molecules to bond" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_SEM, syncs,
	  "sem (seats: 2 H, 1 O, and a barrier of 3), nobarrier (seats only)\n"
	  "or none (the barrier only)" },
	[O_SHOW] = { "show", 0, NULL, 0, 1, 0, NULL,
	  "the note shows the first molecules' formulas" },
	[O_NOPTS] = { NULL }
};

struct molecule {
	atomic_uint	 n[2];		/* atoms recorded, by element */
};

struct hstate {
	struct ipc_barrier bond;	/* 3 parties: a molecule's atoms */
	_Atomic uint64_t taken[2];	/* atoms taken from each element's pool */
	_Atomic uint64_t tickets;	/* atoms seated so far */
	atomic_uint	 torn;		/* atoms that left an unfinished molecule */
	struct molecule	 mol[];		/* N of them */
};

struct hpriv {
	struct ipc_sem	 seat[2];	/* hydrogen's (2), oxygen's (1) */
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct hpriv h2o_priv;

/*
 * A molecule needs two hydrogen workers at once.  Without seats any three
 * atoms pass the barrier; two workers of an element both stuck there would
 * leave its last atoms with nobody: then three of each (or exactly 2 + 1).
 */
static const char *
h2o_validate(const struct params *p)
{
	if (p->v[O_HYDROGEN] < 2)
		return "-H: a molecule needs two hydrogen workers at once (-H >= 2)";
	if (p->v[O_SYNC] == S_NONE && (p->v[O_HYDROGEN] < 3 || p->v[O_OXYGEN] < 3) &&
	    (p->v[O_HYDROGEN] != 2 || p->v[O_OXYGEN] != 1))
		return "--sync none needs -H >= 3 and -O >= 3 (or just -H 2 -O 1), "
		    "or a last molecule may wait for a worker stuck in the barrier";
	return NULL;
}

static unsigned
h2o_nworkers(const struct params *p)
{
	return (unsigned)(p->v[O_HYDROGEN] + p->v[O_OXYGEN]);
}

static size_t
h2o_size(const struct run *r)
{
	return sizeof(struct hstate) + sizeof(struct molecule) *
	    (size_t)r->p->v[O_MOLECULES];
}

static void
h2o_setup(struct run *r)
{
	struct hstate *s = r->state;
	struct hpriv *h;
	int rc, e;

	h = r->priv = memset(&h2o_priv, 0, sizeof(h2o_priv));
	if ((rc = ipc_barrier_init(&s->bond, IPC_BARRIER_COND, 3)) != 0)
		errc(1, rc, "h2o: barrier");
	run_name(r, &s->bond, "bond");
	if (r->p->v[O_SYNC] == S_NONE)
		return;
	for (e = E_H; e <= E_O; e++) {
		if ((rc = ipc_sem_open(&h->seat[e], e == E_H ? "h2o.hydrogen" :
		    "h2o.oxygen", e == E_H ? 2 : 1)) != 0 ||
		    (rc = ipc_sem_unlink(&h->seat[e])) != 0)
			errc(1, rc, "h2o: semaphore");
		run_name(r, h->seat[e].sem, e == E_H ? "hydrogen seats" :
		    "oxygen seat");
	}
}

/* Take a seat (when seated), or leave the run. */
static void
sit(struct run *r, int e, unsigned id, uint64_t a)
{
	struct hpriv *h = r->priv;
	int rc;

	if (r->p->v[O_SYNC] == S_NONE)
		return;
	if ((rc = ipc_sem_wait(h->seat[e].sem, r->deadline)) == 0 && run_stopped(r))
		rc = ECANCELED;		/* woken by the poison */
	if (rc != 0)
		worker_errc(r, rc, "h2o: worker %u: atom %ju", id, (uintmax_t)a);
}

/* explain: h2o: an atom: a seat for its element, a ticket, then the barrier bonds three */
/* This worker's atom a: seat, ticket, record, bond (barrier), look, leave the seat. */
static void
atom(struct run *r, int e, unsigned id, uint64_t a)
{
	struct hstate *s = r->state;
	struct hpriv *h = r->priv;
	uint64_t m, n = (uint64_t)r->p->v[O_MOLECULES];
	int rc;

	sit(r, e, id, a);
	inject_point(r, id, a);
	m = atomic_fetch_add(&s->tickets, 1) / 3;
	if (m < n)
		atomic_fetch_add(&s->mol[m].n[e], 1);
	if (r->p->v[O_SYNC] != S_NOBARRIER &&
	    (rc = ipc_barrier_wait(&s->bond, r->deadline)) != 0 &&
	    rc != IPC_BARRIER_SERIAL)
		worker_errc(r, rc, "h2o: worker %u: bond", id);

	/* Bonded: the molecule must be whole as its atoms leave together. */
	if (m < n && atomic_load(&s->mol[m].n[E_H]) + atomic_load(&s->mol[m].n[E_O]) < 3)
		atomic_fetch_add(&s->torn, 1);
	if (r->p->v[O_SYNC] != S_NONE && (rc = ipc_sem_post(h->seat[e].sem)) != 0)
		worker_errc(r, rc, "h2o: post");
}
/* explain: end */

/* Each worker takes its element's atoms from a shared pool (2N H, N O) until it is empty. */
static void
h2o_work(struct run *r, unsigned id)
{
	struct hstate *s = r->state;
	uint64_t n = (uint64_t)r->p->v[O_MOLECULES], i;
	int e = id < (unsigned)r->p->v[O_HYDROGEN] ? E_H : E_O;

	for (i = 0; atomic_fetch_add(&s->taken[e], 1) < (e == E_H ? 2 * n : n); i++)
		atom(r, e, id, i);
}

/* The launcher gave up (a worker died): wake every waiter so it leaves. */
static void
h2o_poison(struct run *r)
{
	struct hstate *s = r->state;
	struct hpriv *h = r->priv;
	long long i;

	ipc_barrier_poison(&s->bond);
	if (r->p->v[O_SYNC] == S_NONE)
		return;
	for (i = 0; i < r->p->v[O_HYDROGEN]; i++)
		ipc_sem_post(h->seat[E_H].sem);
	for (i = 0; i < r->p->v[O_OXYGEN]; i++)
		ipc_sem_post(h->seat[E_O].sem);
}

/* A molecule's formula: H2O, H3, HO2... */
static void
formula(const struct molecule *m, char *buf, size_t len)
{
	unsigned h = atomic_load(&m->n[E_H]), o = atomic_load(&m->n[E_O]);
	char hs[8] = "", os[8] = "";

	if (h > 0)
		snprintf(hs, sizeof(hs), h == 1 ? "H" : "H%u", h);
	if (o > 0)
		snprintf(os, sizeof(os), o == 1 ? "O" : "O%u", o);
	snprintf(buf, len, "%s%s", hs, os);
}

static void
h2o_check(const struct run *r, struct outcome *o)
{
	const struct hstate *s = r->state;
	uint64_t m, good = 0, atoms[2] = { 0, 0 }, bad = UINT64_MAX;
	uint64_t n = (uint64_t)r->p->v[O_MOLECULES];
	unsigned torn = atomic_load(&s->torn);
	char head[HEAD_MAX + 1] = "", f[24] = "H2O";

	for (m = 0; m < n; m++) {
		unsigned h = atomic_load(&s->mol[m].n[E_H]), ox = atomic_load(&s->mol[m].n[E_O]);

		atoms[E_H] += h;
		atoms[E_O] += ox;
		if (h == 2 && ox == 1)
			good++;
		else if (bad == UINT64_MAX)
			bad = m;
		formula(&s->mol[m], f, sizeof(f));
		if (strlen(head) + strlen(f) + 1 < sizeof(head))
			snprintf(head + strlen(head), sizeof(head) - strlen(head), "%s%s",
			    m ? " " : "", f);
	}
	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = o->expected = o->ops = n;
	o->observed = good;
	if (good == n && torn == 0)
		o->verdict = VERDICT_OK;
	else if (r->p->v[O_SYNC] != S_SEM && atoms[E_H] == 2 * n && atoms[E_O] == n)
		o->verdict = VERDICT_RACE;
	else
		o->verdict = VERDICT_FAIL;
	if (bad != UINT64_MAX)
		formula(&s->mol[bad], f, sizeof(f));
	if (r->p->v[O_SHOW])
		snprintf(o->note, sizeof(o->note), "%s", head);
	else if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "%ju x H2O, each bonded whole",
		    (uintmax_t)n);
	else
		snprintf(o->note, sizeof(o->note), "%ju molecules not H2O (the first: "
		    "%s); %u atoms left before their molecule was whole",
		    (uintmax_t)(n - good), f, torn);
	res_uint(o->extra, "bad", n - good, F_TABLE);
	res_uint(o->extra, "first_bad", bad == UINT64_MAX ? 0 : bad,
	    F_TABLE | (bad == UINT64_MAX ? F_NULL : 0));
	res_uint(o->extra, "torn", torn, F_TABLE);
	res_uint(o->extra, "hydrogen", atoms[E_H], 0);
	res_uint(o->extra, "oxygen", atoms[E_O], 0);
	res_str(o->extra, "head", head, 0);
}

static void
h2o_release(struct run *r)
{
	struct hpriv *h = r->priv;

	if (r->p->v[O_SYNC] != S_NONE) {
		ipc_sem_close(&h->seat[E_H]);
		ipc_sem_close(&h->seat[E_O]);
	}
	r->priv = NULL;
}

static void
h2o_destroy(struct run *r)
{
	struct hstate *s = r->state;

	ipc_barrier_destroy(&s->bond);
}

const struct worker worker_h2o = {
	.name = "h2o",
	.desc = "building H2O (LeetCode 1117): every molecule two H and one O, bonded",
	.proves = "seats (2 H, 1 O: two semaphores) and a barrier of 3 bond exactly "
	    "N molecules of two hydrogens and one oxygen, whole as they leave; "
	    "without either, molecules come out wrong",
	.explain =
	    "Hydrogen and oxygen workers (-H, -O) bond N molecules of water (LeetCode\n"
	    "1117): the 2N hydrogen atoms are shared among the hydrogen workers, the N\n"
	    "oxygen atoms among the oxygen workers.  Each seated atom takes a ticket\n"
	    "(molecule = ticket / 3), records its element there, and waits for its\n"
	    "partners at the barrier.\n"
	    "\n"
	    "Primitive: two named semaphores as seats (hydrogen 2, oxygen 1) and a\n"
	    "poisonable barrier of 3 (a robust mutex and a condvar).\n"
	    "\n"
	    "Columns: observed counts the molecules of exactly two H and one O; bad the\n"
	    "others, first_bad the first of them (from 0); torn the atoms that left\n"
	    "before their molecule was whole.  JSON and CSV add hydrogen and oxygen\n"
	    "(atoms recorded: 2N and N) and head (the first formulas).\n"
	    "\n"
	    "Try: --sync none --show; --sync nobarrier; -H 2 -O 1 --sync none (three\n"
	    "workers: the barrier alone bonds them right); -H 8 -O 4 -n 5000.\n"
	    "\n"
	    "Pitfalls: the seats alone do not bond: an atom leaving early frees its\n"
	    "seat for the next molecule's atom; the barrier alone does not either\n"
	    "once workers outnumber a molecule: any three atoms pass it together.\n",
	.opts = h2o_opts,
	.validate = h2o_validate,
	.nworkers = h2o_nworkers,
	.size = h2o_size,
	.setup = h2o_setup,
	.work = h2o_work,
	.poison = h2o_poison,
	.check = h2o_check,
	.release = h2o_release,
	.destroy = h2o_destroy,
};
