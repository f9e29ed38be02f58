/*
 * falseshare.c - each worker increments its own private counter, packed
 * eight to a cache line or padded one per line.
 *
 * No counter is shared, so no update can be lost and the counts are exact
 * either way; but packed counters share a cache line, which the CPUs pass
 * back and forth on every write (false sharing), and the ops/s show the
 * price.  Padding per-worker state to a line, as struct slot does, removes
 * it.  See worker.h (struct slot), Drepper "What Every Programmer Should
 * Know About Memory" 6.4.
 */
#include <limits.h>
#include <stdio.h>

#include "worker.h"

enum { O_WORKERS, O_ITERATIONS, O_LAYOUT, O_NOPTS };
enum layout { L_PACKED, L_PADDED, L_BOTH, NLAYOUTS };

static const char *const layouts[] = {
	[L_PACKED] = "packed", [L_PADDED] = "padded", [L_BOTH] = "both",
	[NLAYOUTS] = NULL
};

static const struct optdef falseshare_opts[] = {
	[O_WORKERS] = OPT_WORKERS(2),
	[O_ITERATIONS] = OPT_ITERATIONS(10000000),
	[O_LAYOUT] = { "layout", 'l', "LAYOUT", 0, 0, L_BOTH, layouts,
	  "packed (8 counters per cache line), padded (one per line), or both" },
	[O_NOPTS] = { NULL }
};

static enum layout
layout_of(const struct run *r)
{
	return r->p->v[O_LAYOUT] == L_BOTH ? (enum layout)r->variant :
	    (enum layout)r->p->v[O_LAYOUT];
}

/* explain: falseshare: packed, eight counters share a line; padded, each has its own */
/* Bytes from one worker's counter to the next. */
static size_t
stride(const struct run *r)
{
	return layout_of(r) == L_PACKED ? sizeof(uint64_t) : CACHE_LINE;
}
/* explain: end */

static _Atomic uint64_t *
counter_of(const struct run *r, unsigned id)
{
	return (_Atomic uint64_t *)((char *)r->state + id * stride(r));
}

static const char *
falseshare_validate(const struct params *p)
{
	uint64_t total;

	if (__builtin_mul_overflow((uint64_t)p->v[O_WORKERS],
	    (uint64_t)p->v[O_ITERATIONS], &total))
		return "workers x iterations overflows a 64-bit count";
	return NULL;
}

static int
falseshare_variants(const struct params *p)
{
	return p->v[O_LAYOUT] == L_BOTH ? L_BOTH : 1;
}

static unsigned
falseshare_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

/* The region starts line-aligned and zeroed; the counters need nothing more. */
static size_t
falseshare_size(const struct run *r)
{
	return (size_t)r->p->v[O_WORKERS] * stride(r);
}

static void
falseshare_setup(struct run *r)
{
	(void)r;
}

/* explain: falseshare: each worker adds to its own counter: nothing shared, yet packed is slow */
/*
 * An atomic add (readable by others at any time, as a statistics counter):
 * each one needs the line exclusive, so packed counters move it every time.
 */
static void
falseshare_work(struct run *r, unsigned id)
{
	_Atomic uint64_t *c = counter_of(r, id);
	uint64_t i, n = (uint64_t)r->p->v[O_ITERATIONS];

	for (i = 0; run_more(r, i, n); i++)
		atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
	r->sh->slot[id].iters = i;
}
/* explain: end */

/* What worker id's counter must hold: the count, or with -t what it did. */
static uint64_t
wanted(const struct run *r, unsigned id)
{
	return r->p->duration_ns != 0 ? r->sh->slot[id].iters :
	    (uint64_t)r->p->v[O_ITERATIONS];
}

static void
falseshare_check(const struct run *r, struct outcome *o)
{
	uint64_t v, sum = 0, want = 0;
	unsigned i, bad = 0, first = 0;

	for (i = 0; i < r->nworkers; i++) {
		sum += v = atomic_load(counter_of(r, i));
		want += wanted(r, i);
		if (v != wanted(r, i) && bad++ == 0)
			first = i;
	}
	o->sync = layouts[layout_of(r)];
	o->iterations = want / r->nworkers;	/* with -t, the mean */
	o->expected = o->ops = want;
	o->observed = sum;
	o->verdict = bad == 0 && sum == o->expected ? VERDICT_OK : VERDICT_FAIL;
	if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "every counter exact");
	else
		snprintf(o->note, sizeof(o->note), "%u counters wrong (worker %u: "
		    "%ju)", bad, first, (uintmax_t)atomic_load(counter_of(r, first)));
	res_uint(o->extra, "stride", stride(r), F_TABLE);
	res_uint(o->extra, "lines", ((uint64_t)r->nworkers * stride(r) +
	    CACHE_LINE - 1) / CACHE_LINE, F_TABLE);
}

const struct worker worker_falseshare = {
	.name = "falseshare",
	.desc = "private counters packed in one cache line vs padded: false sharing",
	.proves = "each worker's counter == iterations in both layouts; "
	    "only the speed differs",
	.explain =
	    "Each worker increments its own counter: nothing is shared, yet packed into\n"
	    "one cache line the counters make the CPUs fight over that line.\n"
	    "\n"
	    "Primitive: none; the memory layout is the lesson.\n"
	    "\n"
	    "Columns: observed must equal expected either way; compare the time and\n"
	    "ops/s of packed and padded.  With -t SECONDS instead of -n, each counter\n"
	    "must equal what its worker did until the time was up; compare the ops/s.\n"
	    "\n"
	    "Try: -w 2; -w 4 (more workers than CPUs hides it).\n"
	    "\n"
	    "Pitfalls: \"no lock, so no contention\" is wrong at the cache-line level;\n"
	    "shmsync pads every per-worker slot to 64 bytes for this reason.\n",
	.caps = CAP_TIMED,
	.opts = falseshare_opts,
	.validate = falseshare_validate,
	.variants = falseshare_variants,
	.nworkers = falseshare_nworkers,
	.size = falseshare_size,
	.setup = falseshare_setup,
	.work = falseshare_work,
	.check = falseshare_check,
};
