/*
 * litmus.c - the classic memory-model litmus tests, run on this CPU: store
 * buffering (sb), message passing (mp) and load buffering (lb).
 *
 * Two workers meet at a cheap per-trial barrier, then each does its two
 * accesses to x and y at once; the pair of values they read (r0, r1) is
 * kept per trial and tallied.  The outcome sequential consistency forbids
 * shows (sb on x86) or not (mp, lb on x86-TSO); the C11 order that forbids
 * it, given as --fence, must make it vanish.  See peterson.c.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>

#include "../ipc/compat.h"
#include "../ipc/ipc.h"
#include "pin.h"
#include "worker.h"

enum { O_TRIALS, O_TEST, O_FENCE, O_PLACE, O_NOPTS };
enum test { T_SB, T_MP, T_LB, NTESTS };
enum fence { F_NONE, F_RELACQ, F_SEQ_CST, F_ALL, NFENCES };


static const char *const tests[] = {
	[T_SB] = "sb", [T_MP] = "mp", [T_LB] = "lb", [NTESTS] = NULL
};

static const char *const fences[] = {
	[F_NONE] = "none", [F_RELACQ] = "release-acquire",
	[F_SEQ_CST] = "seq_cst", [F_ALL] = "all", [NFENCES] = NULL
};

static const struct optdef litmus_opts[] = {
	[O_TRIALS] = { "trials", 'n', "N", 1, 1 << 24, 100000, NULL,
	  "trials: each a barrier, then both workers' two accesses" },
	[O_TEST] = { "test", 'L', "TEST", 0, 0, T_SB, tests,
	  "sb (store buffering), mp (message passing), lb (load buffering)" },
	[O_FENCE] = { "fence", 'F', "FENCE", 0, 0, F_SEQ_CST, fences,
	  "none (relaxed atomics, compiler barriers only), release-acquire\n"
	  "                         (release stores, acquire loads), seq_cst (a seq_cst\n"
	  "                         fence between the two accesses), or all in turn" },
	[O_PLACE] = OPT_PLACE,
	[O_NOPTS] = { NULL }
};

/*
 * The two locations, each on its own line, and the barrier's two words.
 * Trial i stores i+1, so nothing is reset between trials: a load that
 * returns anything else read an earlier trial's value, that is "0".
 */
struct lstate {
	alignas(CACHE_LINE) _Atomic uint64_t	 arrive[2];	/* trials begun by each */
	alignas(CACHE_LINE) _Atomic uint64_t	 x;
	alignas(CACHE_LINE) _Atomic uint64_t	 y;
	alignas(CACHE_LINE) uint64_t		 count[4];	/* by 2 x r0 + r1, from check */
	alignas(CACHE_LINE) unsigned char	 r[];		/* r0 of each trial, then r1 */
};

/* Per test: the outcome sequential consistency forbids, as 2 x r0 + r1. */
static const unsigned forbidden[NTESTS] = {
	[T_SB] = 0,		/* both loads missed both stores */
	[T_MP] = 2,		/* saw the flag, not the data */
	[T_LB] = 3,		/* each load saw the other's later store */
};

static enum fence
litmus_fence(const struct run *r)
{
	return r->p->v[O_FENCE] == F_ALL ? (enum fence)r->variant :
	    (enum fence)r->p->v[O_FENCE];
}

/* Whether C11 forbids the test's outcome under the fence: then it is an invariant. */
static int
guaranteed(enum test t, enum fence f)
{
	return f == F_SEQ_CST || (f == F_RELACQ && t != T_SB);
}

static int
litmus_variants(const struct params *p)
{
	return p->v[O_FENCE] == F_ALL ? F_ALL : 1;
}

static unsigned
litmus_nworkers(const struct params *p)
{
	(void)p;
	return 2;
}

static size_t
litmus_size(const struct run *r)
{
	return sizeof(struct lstate) + 2 * (size_t)r->p->v[O_TRIALS];
}

static void
litmus_setup(struct run *r)
{
	struct lstate *s = r->state;

	run_name(r, &s->x, "x");
	run_name(r, &s->y, "y");
}

/* Both workers at trial `t`: say so, then wait for the other to say it too. */
static inline int
meet(const struct run *r, struct lstate *s, unsigned me, uint64_t t)
{
	unsigned n = 0;

	atomic_store_explicit(&s->arrive[me], t, memory_order_release);
	while (atomic_load_explicit(&s->arrive[!me], memory_order_acquire) < t)
		if (pair_spin(r, &n) != 0)
			return ETIMEDOUT;
	return 0;
}

/* The accesses under test: relaxed, or release stores and acquire loads. */
static inline __attribute__((always_inline)) void
st(_Atomic uint64_t *p, uint64_t v, enum fence f)
{
	atomic_store_explicit(p, v, f == F_RELACQ ? memory_order_release :
	    memory_order_relaxed);
}

static inline __attribute__((always_inline)) int
ld(_Atomic uint64_t *p, uint64_t v, enum fence f)
{
	return atomic_load_explicit(p, f == F_RELACQ ? memory_order_acquire :
	    memory_order_relaxed) == v;
}

/* Between a worker's two accesses: the fence, or only the compiler's barrier. */
static inline __attribute__((always_inline)) void
between(enum fence f)
{
	pair_fence(f == F_SEQ_CST);
}

/* explain: litmus: one trial of the pattern, each worker's two accesses with the fence between */
/*
 * One trial, value v, as worker `me`, writing what it read into r0 and r1
 * (1: the other's store of this trial).
 * sb: x = v; r0 = y  ||  y = v; r1 = x
 * mp: x = v; y = v   ||  r0 = y; r1 = x	(x the data, y the flag)
 * lb: r0 = x; y = v  ||  r1 = y; x = v
 */
static inline __attribute__((always_inline)) void
trial(struct lstate *s, unsigned me, uint64_t v, enum test t, enum fence f,
    unsigned char *r0, unsigned char *r1)
{
	_Atomic uint64_t *mine = me ? &s->y : &s->x, *other = me ? &s->x : &s->y;
	unsigned char *out = me ? r1 : r0;

	switch (t) {
	case T_SB:
		st(mine, v, f);
		between(f);
		*out = (unsigned char)ld(other, v, f);
		break;
	case T_LB:
		*out = (unsigned char)ld(mine, v, f);
		between(f);
		st(other, v, f);
		break;
	default:
		if (me == 0) {
			st(&s->x, v, f);
			between(f);
			st(&s->y, v, f);
			break;
		}
		*r0 = (unsigned char)ld(&s->y, v, f);
		between(f);
		*r1 = (unsigned char)ld(&s->x, v, f);
		break;
	}
}
/* explain: end */

/* The trials, inlined once per test and fence so each is the bare pattern. */
static inline __attribute__((always_inline)) void
loop(struct run *r, unsigned me, enum test t, enum fence f)
{
	struct lstate *s = r->state;
	uint64_t i, n = (uint64_t)r->p->v[O_TRIALS];

	for (i = 0; i < n; i++) {
		if (meet(r, s, me, i + 1) != 0)
			worker_errc(r, ETIMEDOUT, "litmus: worker %u: trial %ju", me,
			    (uintmax_t)i);
		inject_point(r, me, i);
		trial(s, me, i + 1, t, f, &s->r[i], &s->r[n + i]);
	}
	r->sh->slot[me].iters = i;
}

/* The fence's loop for test t (a constant once inlined). */
static inline __attribute__((always_inline)) void
by_fence(struct run *r, unsigned id, enum test t)
{
	switch (litmus_fence(r)) {
	case F_NONE:
		loop(r, id, t, F_NONE);
		break;
	case F_RELACQ:
		loop(r, id, t, F_RELACQ);
		break;
	default:
		loop(r, id, t, F_SEQ_CST);
		break;
	}
}

static void
litmus_work(struct run *r, unsigned id)
{
	/* A CPU refused only means the two run apart less: the run goes on. */
	if (r->p->v[O_PLACE] == P_SPREAD)
		(void)pin_worker(id);
	switch ((enum test)r->p->v[O_TEST]) {
	case T_SB:
		by_fence(r, id, T_SB);
		break;
	case T_MP:
		by_fence(r, id, T_MP);
		break;
	default:
		by_fence(r, id, T_LB);
		break;
	}
}

/* What the forbidden outcome means, per test. */
static const char *const outcome_name[NTESTS] = {
	[T_SB] = "r0=r1=0", [T_MP] = "r0=1 r1=0", [T_LB] = "r0=r1=1"
};

/* Why the forbidden outcome showed, without a fence that forbids it. */
static const char *const why[NTESTS] = {
	[T_SB] = "each load passed its own earlier store",
	[T_MP] = "the flag's store overtook the data's",
	[T_LB] = "each load saw the other's later store",
};

/* The note of a run where the forbidden outcome did not show. */
static void
none_seen(const struct run *r, struct outcome *o, enum test t, enum fence f)
{
	uint64_t n = o->iterations;

	if (guaranteed(t, f))
		snprintf(o->note, sizeof(o->note), "%s never, in %ju trials: "
		    "%s forbids it", outcome_name[t], (uintmax_t)n, fences[f]);
#if defined(__x86_64__) || defined(__i386__)
	else if (t != T_SB)
		snprintf(o->note, sizeof(o->note), "x86-TSO keeps %s in order: "
		    "not observable here", t == T_MP ? "stores" :
		    "a load and a later store");
#endif
	else
		snprintf(o->note, sizeof(o->note), "no reordering observed in %ju "
		    "trials: not a proof; try -n %ju", (uintmax_t)n,
		    (uintmax_t)(n * 10 < (1 << 24) ? n * 10 : 1 << 24));
	(void)r;
}

/* Tally the outcomes into the region's counts, then judge the forbidden one. */
static void
litmus_check(const struct run *r, struct outcome *o)
{
	struct lstate *s = r->state;
	enum test t = (enum test)r->p->v[O_TEST];
	enum fence f = litmus_fence(r);
	uint64_t i, n = (uint64_t)r->p->v[O_TRIALS], sum = 0, bad;

	for (i = 0; i < n; i++)
		s->count[(s->r[i] & 1) * 2 + (s->r[n + i] & 1)]++;
	for (i = 0; i < 4; i++)
		sum += s->count[i];
	bad = s->count[forbidden[t]];
	o->sync = fences[f];
	o->iterations = o->expected = o->ops = n;
	o->observed = sum - bad;	/* the trials with an outcome SC allows */
	if (sum != n) {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju outcomes for %ju trials",
		    (uintmax_t)sum, (uintmax_t)n);
	} else if (bad == 0) {
		o->verdict = VERDICT_OK;
		none_seen(r, o, t, f);
	} else {
		o->verdict = guaranteed(t, f) ? VERDICT_FAIL : VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "%s%s in %ju trials: %s%s",
		    guaranteed(t, f) ? "FORBIDDEN " : "", outcome_name[t],
		    (uintmax_t)bad, why[t], f == F_RELACQ && t == T_SB ?
		    " (release-acquire does not stop that)" : "");
	}
	res_str(o->extra, "test", tests[t], F_TABLE);
	res_uint(o->extra, "r00", s->count[0], F_TABLE);
	res_uint(o->extra, "r01", s->count[1], F_TABLE);
	res_uint(o->extra, "r10", s->count[2], F_TABLE);
	res_uint(o->extra, "r11", s->count[3], F_TABLE);
	res_uint(o->extra, "forbidden", bad, F_TABLE);
	res_dbl(o->extra, "forbidden_ppm", 1e6 * (double)bad / (double)n, F_TABLE);
}

const struct worker worker_litmus = {
	.name = "litmus",
	.desc = "litmus tests sb, mp, lb on this CPU: which reorderings show, "
	    "which C11 order forbids them",
	.proves = "outcome counts add up to the trials; the outcome sequential "
	    "consistency forbids never shows under the C11 order that forbids "
	    "it; unfenced, it is counted",
	.explain =
	    "Two workers meet at a per-trial barrier (each publishes the trial number\n"
	    "and spins for the other's), then each makes two accesses to x and y and\n"
	    "records what it read (1: the other's store of this trial).  Over many\n"
	    "trials the outcomes (r0, r1) are counted.\n"
	    "  sb (store buffering)  x = 1; r0 = y  ||  y = 1; r1 = x   forbidden: 0 0\n"
	    "  mp (message passing)  x = 1; y = 1   ||  r0 = y; r1 = x  forbidden: 1 0\n"
	    "  lb (load buffering)   r0 = x; y = 1  ||  r1 = y; x = 1   forbidden: 1 1\n"
	    "Sequential consistency (one interleaving of the four accesses) never\n"
	    "gives the forbidden outcome.  x86 (TSO) gives it for sb: each store waits\n"
	    "in its CPU's store buffer while the later load goes ahead.  x86 keeps\n"
	    "stores in order and loads in order, so mp and lb never show it here; ARM\n"
	    "and POWER reorder both (mp shows readily, lb rarely, POWER more).\n"
	    "\n"
	    "Primitive: C11 atomics, relaxed in every variant (the compiler neither\n"
	    "caches nor reorders them: compiler barriers, atomic_signal_fence), so what\n"
	    "shows is the hardware.  --fence release-acquire: release stores, acquire\n"
	    "loads: forbids mp and lb, not sb (a store then a later load may still\n"
	    "swap).  --fence seq_cst: atomic_thread_fence(memory_order_seq_cst) between\n"
	    "the two accesses (mfence on x86): forbids all three.  Under those orders a\n"
	    "forbidden outcome is a failure (FAIL), not a race.\n"
	    "\n"
	    "Columns: r00 r01 r10 r11 count the trials per outcome (r0 r1); forbidden\n"
	    "is the forbidden one's count, forbidden_ppm per million trials;\n"
	    "observed the trials with an allowed outcome.\n"
	    "\n"
	    "--place spread (the default) pins worker i to the i-th CPU, so the two\n"
	    "really run at once; --place any leaves them to the scheduler.\n"
	    "\n"
	    "Try: --fence none (sb: from tens per million trials to a few per cent,\n"
	    "when both CPUs really run at once; none is not a proof: add -n);\n"
	    "--fence all; --test mp --fence all; --test lb --fence none -m process;\n"
	    "--fence none --place any (on a busy machine, often nothing).\n"
	    "\n"
	    "Pitfalls: volatile stops the compiler, not the CPU; release-acquire is\n"
	    "not enough for sb (Dekker's and Peterson's locks need seq_cst: see\n"
	    "peterson); code that is right on x86 by luck breaks on ARM.\n",
	.opts = litmus_opts,
	.variants = litmus_variants,
	.nworkers = litmus_nworkers,
	.size = litmus_size,
	.setup = litmus_setup,
	.work = litmus_work,
	.check = litmus_check,
};
