/*
 * peterson.c - Peterson's (and Dekker's) lock for two workers, on real
 * hardware: correct on paper, broken on x86 without a fence.
 *
 * Each worker raises its flag, then reads the other's.  x86's store buffer
 * lets that load pass the earlier store, so both can see the other's flag
 * down and go in together: a plain counter in the region loses increments.
 * A seq_cst fence (or seq_cst atomics) between the stores and the loads
 * restores mutual exclusion.  See litmus.c (the same store buffering, bare).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>

#include "../ipc/compat.h"
#include "../ipc/ipc.h"
#include "pin.h"
#include "worker.h"

enum { O_ENTRIES, O_LOCK, O_FENCE, O_GAP, O_PLACE, O_NOPTS };
enum lock { L_PETERSON, L_DEKKER, NLOCKS };
enum fence { F_NONE, F_SEQ_CST, F_ATOMICS, F_ALL, NFENCES };


static const char *const locks[] = {
	[L_PETERSON] = "peterson", [L_DEKKER] = "dekker", [NLOCKS] = NULL
};

static const char *const fences[] = {
	[F_NONE] = "none", [F_SEQ_CST] = "seq_cst", [F_ATOMICS] = "atomics",
	[F_ALL] = "all", [NFENCES] = NULL
};

static const struct optdef peterson_opts[] = {
	[O_ENTRIES] = { "entries", 'n', "N", 1, 1LL << 32, 100000, NULL,
	  "critical-section entries per worker" },
	[O_LOCK] = { "lock", 'l', "LOCK", 0, 0, L_PETERSON, locks,
	  "peterson or dekker" },
	[O_FENCE] = { "fence", 'F', "FENCE", 0, 0, F_SEQ_CST, fences,
	  "none (relaxed atomics, compiler barriers only), seq_cst (a\n"
	  "                         seq_cst fence between the stores and the loads),\n"
	  "                         atomics (seq_cst loads and stores), or all in turn" },
	[O_GAP] = { "gap", 'g', "K", 0, 1 << 20, 32, NULL,
	  "between entries, wait a random 0..K-1 steps (0: back to back)" },
	[O_PLACE] = OPT_PLACE,
	[O_NOPTS] = { NULL }
};

struct pstate {
	alignas(CACHE_LINE) _Atomic int	 flag[2];	/* I want to go in */
	_Atomic int			 turn;		/* who yields (Peterson), who insists (Dekker) */
	alignas(CACHE_LINE) volatile uint64_t counter;	/* guarded by the lock alone */
	alignas(CACHE_LINE) _Atomic int	 done[2];	/* no more entries from me */
	_Atomic uint64_t		 stranded;	/* Dekker: waits for a turn that was lost */
};

static enum fence
peterson_fence(const struct run *r)
{
	return r->p->v[O_FENCE] == F_ALL ? (enum fence)r->variant :
	    (enum fence)r->p->v[O_FENCE];
}

static int
peterson_variants(const struct params *p)
{
	return p->v[O_FENCE] == F_ALL ? F_ALL : 1;
}

static unsigned
peterson_nworkers(const struct params *p)
{
	(void)p;
	return 2;
}

static size_t
peterson_size(const struct run *r)
{
	(void)r;
	return sizeof(struct pstate);
}

static void
peterson_setup(struct run *r)
{
	struct pstate *s = r->state;

	run_name(r, &s->flag[0], "flag 0");
	run_name(r, &s->flag[1], "flag 1");
	run_name(r, &s->turn, "turn");
	run_name(r, &s->counter, "counter");
}

/*
 * The flag and turn accesses.  none: relaxed atomics (the compiler may not
 * split, cache or reorder them past its barriers; plain moves on x86).
 * seq_cst: release stores and acquire loads (plain moves on x86 too), so a
 * worker that reads the other's store sees its critical section done; the
 * fence below does the rest.  atomics: seq_cst ones (a store is an xchg on
 * x86: a full barrier).
 */
static const memory_order store_order[] = {
	[F_NONE] = memory_order_relaxed, [F_SEQ_CST] = memory_order_release,
	[F_ATOMICS] = memory_order_seq_cst,
};

static const memory_order load_order[] = {
	[F_NONE] = memory_order_relaxed, [F_SEQ_CST] = memory_order_acquire,
	[F_ATOMICS] = memory_order_seq_cst,
};

static inline __attribute__((always_inline)) void
st(_Atomic int *p, int v, enum fence f)
{
	atomic_store_explicit(p, v, store_order[f]);
}

static inline __attribute__((always_inline)) int
ld(_Atomic int *p, enum fence f)
{
	return atomic_load_explicit(p, load_order[f]);
}

/* explain: peterson: without the seq_cst fence, x86 lets my load pass my store: both enter */
/*
 * Between my stores and my loads: the seq_cst fence (mfence on x86: the
 * store buffer drains before the loads), or only the compiler's barrier.
 */
static inline __attribute__((always_inline)) void
store_load(enum fence f)
{
	pair_fence(f == F_SEQ_CST);
}
/* explain: end */

/* After the entry: the compiler keeps the section's accesses after it. */
static inline __attribute__((always_inline)) void
entered(void)
{
	atomic_signal_fence(memory_order_seq_cst);
}

/* Lowering my flag on the way out: the section's accesses stay before it. */
static inline __attribute__((always_inline)) void
leave(_Atomic int *p, enum fence f)
{
	atomic_signal_fence(memory_order_seq_cst);
	st(p, 0, f);
}

/* explain: peterson: the entry: raise my flag, give you the turn, then (the fence) look at yours */
/* Peterson: I want in, you go first; wait while you want in and it is your turn. */
static inline __attribute__((always_inline)) int
peterson_lock(const struct run *r, struct pstate *s, unsigned me, enum fence f)
{
	unsigned o = !me, n = 0;

	st(&s->flag[me], 1, f);
	st(&s->turn, (int)o, f);
	store_load(f);
	while (ld(&s->flag[o], f) && ld(&s->turn, f) == (int)o)
		if (pair_spin(r, &n) != 0)
			return ETIMEDOUT;
	entered();
	return 0;
}
/* explain: end */

/*
 * Dekker's back-off: wait until it is my turn.  When both went in at
 * once (no fence), both set the turn on leaving and the later store can
 * give it to a worker that has just made its last entry: the turn then
 * never comes.  A worker that is done says so, and one left waiting for
 * it goes on, counted (stranded): a lock that lost its exclusion can lose
 * its progress too.
 */
static inline __attribute__((always_inline)) int
dekker_back_off(const struct run *r, struct pstate *s, unsigned me, enum fence f,
    unsigned *n)
{
	while (ld(&s->turn, f) != (int)me) {
		if (atomic_load(&s->done[!me])) {
			/* Its last turn store is seen by now: still not mine, lost. */
			if (ld(&s->turn, f) != (int)me)
				atomic_fetch_add(&s->stranded, 1);
			return 0;
		}
		if (pair_spin(r, n) != 0)
			return ETIMEDOUT;
	}
	return 0;
}

/* Dekker: I want in; while you do too, back off if it is your turn, until it is mine. */
static inline __attribute__((always_inline)) int
dekker_lock(const struct run *r, struct pstate *s, unsigned me, enum fence f)
{
	unsigned n = 0, o = !me;

	st(&s->flag[me], 1, f);
	store_load(f);
	while (ld(&s->flag[o], f)) {
		if (ld(&s->turn, f) != (int)me) {
			st(&s->flag[me], 0, f);
			if (dekker_back_off(r, s, me, f, &n) != 0)
				return ETIMEDOUT;
			st(&s->flag[me], 1, f);
			store_load(f);
		} else if (pair_spin(r, &n) != 0)
			return ETIMEDOUT;
	}
	entered();
	return 0;
}

/*
 * Outside the lock, a random pause of 0..K-1 steps (seeded xorshift): the
 * two then often ask from outside at the same moment, where the window is.
 * Back to back, the lock mostly passes hand to hand and the window stays shut.
 */
static inline void
gap(uint64_t *x, unsigned k)
{
	unsigned d;

	if (k == 0)
		return;
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	for (d = (unsigned)(*x % k); d > 0; d--)
		atomic_signal_fence(memory_order_seq_cst);
}

/*
 * The loop, inlined once per lock and fence so each is the bare protocol.
 * The critical section bumps the plain counter in two volatile steps, so
 * two workers inside at once lose an increment.
 */
static inline __attribute__((always_inline)) void
loop(struct run *r, unsigned me, enum lock l, enum fence f)
{
	struct pstate *s = r->state;
	uint64_t i, v, n = (uint64_t)r->p->v[O_ENTRIES];
	uint64_t x = seed_mix(r->p->seed, me, 1) | 1;
	unsigned k = (unsigned)r->p->v[O_GAP];
	int rc;

	for (i = 0; run_more(r, i, n); i++) {
		gap(&x, k);
		rc = l == L_PETERSON ? peterson_lock(r, s, me, f) :
		    dekker_lock(r, s, me, f);
		if (rc != 0)
			worker_errc(r, rc, "peterson: worker %u: %s entry %ju", me,
			    locks[l], (uintmax_t)i);
		inject_point(r, me, i);
		v = s->counter;
		s->counter = v + 1;
		if (l == L_DEKKER)
			st(&s->turn, (int)!me, f);
		leave(&s->flag[me], f);
	}
	atomic_store(&s->done[me], 1);
	r->sh->slot[me].iters = i;
}

static void
peterson_work(struct run *r, unsigned id)
{
	enum lock l = (enum lock)r->p->v[O_LOCK];

	/* A CPU refused only means the two run apart less: the run goes on. */
	if (r->p->v[O_PLACE] == P_SPREAD)
		(void)pin_worker(id);
	switch (peterson_fence(r)) {
	case F_NONE:
		l == L_PETERSON ? loop(r, id, L_PETERSON, F_NONE) :
		    loop(r, id, L_DEKKER, F_NONE);
		break;
	case F_SEQ_CST:
		l == L_PETERSON ? loop(r, id, L_PETERSON, F_SEQ_CST) :
		    loop(r, id, L_DEKKER, F_SEQ_CST);
		break;
	default:
		l == L_PETERSON ? loop(r, id, L_PETERSON, F_ATOMICS) :
		    loop(r, id, L_DEKKER, F_ATOMICS);
		break;
	}
}

static void
peterson_check(const struct run *r, struct outcome *o)
{
	const struct pstate *s = r->state;
	enum fence f = peterson_fence(r);
	uint64_t lost;

	o->sync = fences[f];
	/* With -t each worker did what it could: expected is the sum, iterations the mean. */
	if (r->p->duration_ns != 0) {
		o->expected = o->ops = iters_done(r, 0, 2);
		o->iterations = o->expected / 2;
	} else {
		o->iterations = (uint64_t)r->p->v[O_ENTRIES];
		o->expected = o->ops = 2 * o->iterations;
	}
	o->observed = s->counter;
	lost = o->expected > o->observed ? o->expected - o->observed : 0;
	if (o->observed == o->expected) {
		o->verdict = VERDICT_OK;
		if (f == F_NONE && r->p->duration_ns != 0)
			snprintf(o->note, sizeof(o->note), "no reordering observed "
			    "in %ju entries: not a proof; try -t %.1f",
			    (uintmax_t)o->expected, 10.0 * (double)r->p->duration_ns / 1e9);
		else if (f == F_NONE)
			snprintf(o->note, sizeof(o->note), "no reordering observed "
			    "in %ju entries: not a proof; try -n %ju",
			    (uintmax_t)o->expected, (uintmax_t)(10 * o->iterations));
		else
			snprintf(o->note, sizeof(o->note), "mutual exclusion: "
			    "no increment lost");
	} else if (f == F_NONE && o->observed < o->expected) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "lost %ju increments: both went "
		    "in, a load passed the flag store%s", (uintmax_t)lost,
		    s->stranded ? "; and the turn was lost (stranded)" : "");
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "MUTUAL EXCLUSION BROKEN with "
		    "--fence %s: off by %jd", fences[f],
		    (intmax_t)(o->observed - o->expected));
	}
	res_str(o->extra, "lock", locks[r->p->v[O_LOCK]], F_TABLE);
	res_uint(o->extra, "lost", lost, F_TABLE);
	if (r->p->v[O_LOCK] == L_DEKKER)
		res_uint(o->extra, "stranded", s->stranded, 0);
}

const struct worker worker_peterson = {
	.name = "peterson",
	.desc = "Peterson's and Dekker's locks: broken by x86's store buffer, "
	    "fixed by a fence",
	.proves = "with a seq_cst fence or seq_cst atomics, counter == 2 x entries "
	    "(mutual exclusion: no increment lost); without, the lost increments "
	    "are counted",
	.explain =
	    "Two workers take turns through Peterson's lock (or Dekker's, --lock dekker)\n"
	    "built from two flags and a turn word, and add 1 to a plain counter inside.\n"
	    "On paper it is correct.  On x86 each CPU's store buffer lets a load pass an\n"
	    "earlier store: both raise their flag, both read the other's still down, and\n"
	    "both go in.  The increments they make together are lost.\n"
	    "\n"
	    "Primitive: none; C11 atomics.  The flags and turn are relaxed atomics in\n"
	    "every variant, so the compiler neither caches nor reorders them (with\n"
	    "compiler-only barriers, atomic_signal_fence): what shows is the hardware.\n"
	    "--fence none: nothing else; --fence seq_cst: atomic_thread_fence(\n"
	    "memory_order_seq_cst) between the stores and the loads (mfence), with\n"
	    "release stores and acquire loads (plain moves on x86) so the section's\n"
	    "data is handed over too;\n"
	    "--fence atomics: seq_cst loads and stores (each store an xchg).  The\n"
	    "counter is volatile: two steps, so an overlap loses an increment.\n"
	    "\n"
	    "Columns: expected is 2 x entries, observed the counter, lost the\n"
	    "difference.  Between entries each worker waits a random 0..gap-1 steps\n"
	    "(--gap, default 32): the two then often ask at the same moment from\n"
	    "outside, which is where the window is.  --place spread (the default)\n"
	    "pins worker i to the i-th CPU, so the two really run at once; with\n"
	    "--place any a busy machine often runs both on one CPU, where the store\n"
	    "buffer is drained at every switch and nothing shows.\n"
	    "\n"
	    "Try: --fence none (tens to thousands lost in every run here; it needs\n"
	    "both CPUs running the two at once, so a run that loses nothing proves\n"
	    "nothing: -n 1000000); --fence none --place any; --fence none --gap 0 (back to back the lock mostly\n"
	    "passes hand to hand, and the window seldom opens); --fence all --mode\n"
	    "both; --lock dekker --fence none -t 1 (a second of entries: expected is\n"
	    "then what the two did).\n"
	    "\n"
	    "Pitfalls: volatile is not a fence: it stops the compiler, not the CPU;\n"
	    "x86 (TSO) reorders only a store with a later load, ARM and POWER much\n"
	    "more; an unfenced run that shows nothing is luck, not correctness; use a\n"
	    "real lock (or C11 atomics at seq_cst) rather than either algorithm.\n"
	    "A lock that lost its exclusion can lose its progress too: after both\n"
	    "went in, both set Dekker's turn on leaving, and the later store can hand\n"
	    "it to a worker that has just made its last entry; the other would wait\n"
	    "for it forever.  A finished worker says so, and such a wait is counted\n"
	    "in stranded (JSON, CSV) instead of hanging the run.\n",
	.caps = CAP_TIMED,
	.opts = peterson_opts,
	.variants = peterson_variants,
	.nworkers = peterson_nworkers,
	.size = peterson_size,
	.setup = peterson_setup,
	.work = peterson_work,
	.check = peterson_check,
};
