/*
 * targets.c - the performance targets, each a ratio of two medians
 * measured in the same bench run, with whether it held and, in one phrase,
 * what limits it: a pass over the measured rows (results, read by key) that
 * appends a result per target.  A target whose rows were not run (--only,
 * --workers) or failed their check is n/a, never guessed.  See bench.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* Does field key of r hold the string v? */
static int
str_is(const struct result *r, const char *key, const char *v)
{
	const struct field *f = res_find(r, key);

	return f != NULL && f->type == F_STR && strcmp(f->v.s, v) == 0;
}

/* Does field key of r hold the count v (no value: 0)? */
static int
count_is(const struct result *r, const char *key, unsigned v)
{
	const struct field *f = res_find(r, key);

	return f != NULL && f->type == F_UINT &&
	    (f->flags & F_NULL ? 0 : f->v.u) == v;
}

/* The median of the row s selects (group, case, impl, mode, sizes): 1 if ok. */
static int
median_of(const struct bench *b, const struct bkey *s, double *median)
{
	const struct result *r;
	int i;

	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		if (r->variant == (int)s->group && str_is(r, "name", s->name) &&
		    str_is(r, "impl", s->impl) && str_is(r, "mode", s->mode) &&
		    count_is(r, "workers", s->workers) &&
		    count_is(r, "producers", s->producers) &&
		    count_is(r, "item_size", s->item_size) &&
		    count_is(r, "batch", s->batch)) {
			if (!str_is(r, "status", "ok"))
				return 0;
			*median = res_find(r, "median")->v.d;
			return 1;
		}
	}
	return 0;
}

/*
 * One target row: num/den within [lo, hi]; why says what decides it.  With
 * a limit row (lim, not NULL) measured too, the note ends with num/limit.
 */
static void
target_lim(struct bench *b, const char *label, const struct bkey *num,
    const struct bkey *den, double lo, double hi, const char *why,
    const struct bkey *lim)
{
	struct bkey t = { BG_TARGET, label, "", num->mode, num->workers,
	    num->producers, 0, num->item_size, num->batch, 0, "x" };
	struct bstat st = { 0, 0, 0, 0, 0, "n/a", "not measured in this run" };
	char note[NOTE_MAX], tail[64] = "";
	double n, d, l;

	if (median_of(b, num, &n) && median_of(b, den, &d) && d > 0) {
		st.median = n / d;
		st.status = st.median >= lo && st.median <= hi ? "held" : "missed";
		if (lim != NULL && lim != den && median_of(b, lim, &l) && l > 0)
			snprintf(tail, sizeof(tail), " (%s: %.2fx of the bare %s)",
			    num->name, n / l, lim->name);
		if (isinf(hi))
			snprintf(note, sizeof(note), "want >= %.2fx; %s%s", lo, why,
			    tail);
		else if (lo <= 0)
			snprintf(note, sizeof(note), "want <= %.2fx; %s%s", hi, why,
			    tail);
		else
			snprintf(note, sizeof(note), "want %.2fx..%.2fx; %s%s", lo,
			    hi, why, tail);
		st.note = note;
	}
	bench_row(b, &t, &st);
}

static void
target(struct bench *b, const char *label, const struct bkey *num,
    const struct bkey *den, double lo, double hi, const char *why)
{
	target_lim(b, label, num, den, lo, hi, why, NULL);
}

/* Each counter guard at 2 workers through the harness vs the same loop bare. */
static void
harness_targets(struct bench *b)
{
	static const char *const guards[] = { "mutex", "sem", "spin", "atomic" };
	static const char *const modes[] = { "thread", "process" };
	char label[48];
	int g, m;

	for (g = 0; g < 4; g++) {
		for (m = 0; m < 2; m++) {
			struct bkey num = { .group = BG_COUNTER, .name = guards[g],
			    .impl = "shmsync", .mode = modes[m], .workers = 2 },
			    den = num;

			den.impl = "bare";
			snprintf(label, sizeof(label), "harness/bare %s", guards[g]);
			target(b, label, &num, &den, 0.8, INFINITY,
			    "same calls, same timing rule: only the harness differs, "
			    "and run-to-run noise");
		}
	}
}

static void
queue_targets(struct bench *b)
{
	static const char ring[] = "ring";
	static const struct {
		const char *label, *name, *base;
		unsigned batch;
		double want;
		const char *why;
	} t[] = {
		{ "mpmc/pipe", "mpmc", "pipe", 1, 10, "per item: two robust "
		  "lock/unlock pairs, fill and check; the pipe pays a syscall" },
		{ "mpmc/mq", "mpmc", "mq", 1, 20, "mq pays a syscall per item "
		  "and sleeps often with 10 slots" },
		{ "spsc/pipe", "spsc", "pipe", 1, 30, "per item: index and slot "
		  "lines move between CPUs; the item fill/check work stays" },
		{ "mpmc/pipe", "mpmc", "pipe", 64, 10, "batch 64: one lock per "
		  "64 items" },
		{ "mpmc/mq", "mpmc", "mq", 64, 20, "batch 64" },
		{ "spsc/pipe", "spsc", "pipe", 64, 30, "batch 64: the lines move "
		  "once per batch" },
		{ "spsc/ring", "spsc", ring, 1, 0.5, "the limit busy-waits and "
		  "only compares; spsc can block, with no fence per item" },
	};
	struct bkey lim = { .group = BG_QUEUE, .name = ring, .impl = "bare",
	    .mode = "process", .workers = 2, .producers = 1, .item_size = 8,
	    .batch = 1 };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct bkey num = { .group = BG_QUEUE, .name = t[i].name,
		    .impl = "shmsync", .mode = "process", .workers = 2,
		    .producers = 1, .item_size = 8, .batch = t[i].batch }, den = num;

		den.name = t[i].base;
		den.impl = t[i].base == ring ? "bare" : "baseline";
		den.batch = 1;

		target_lim(b, t[i].label, &num, &den, t[i].want, INFINITY,
		    t[i].why, &lim);
	}
}

/* The ring itself (its put and get in the limit's loop) against the limit. */
static void
ring_target(struct bench *b)
{
	struct bkey num = { .group = BG_QUEUE, .name = "ipc_ring", .impl = "bare",
	    .mode = "process", .workers = 2, .producers = 1, .item_size = 8,
	    .batch = 1 }, den = num;

	den.name = "ring";
	target(b, "ipc_ring/ring", &num, &den, 0.5, INFINITY, "the same loop; "
	    "ipc_ring can block and be closed: a call, closed and sleeper "
	    "looks per item");
}

static void
barrier_targets(struct bench *b)
{
	static const char *const modes[] = { "process", "thread" };
	int m;

	for (m = 0; m < 2; m++) {
		struct bkey num = { .group = BG_BARRIER, .name = "hybrid",
		    .impl = "shmsync", .mode = modes[m], .workers = 2 }, den = num,
		    lim = num;

		den.name = "pthread";
		lim.name = "spin";
		lim.impl = "bare";
		target_lim(b, "hybrid/pthread 2 parties", &num, &den, 20, INFINITY,
		    "a spinning round costs a cache-line trip; pthread's costs a "
		    "futex wake-up (10-45 us)", &lim);
		target(b, "hybrid/spin 2 parties", &num, &lim, 0.3, INFINITY,
		    "the limit busy-waits; hybrid counts sleepers, can be "
		    "poisoned, and the demo checks each round");
		num.name = "ipc_barrier";
		num.impl = "bare";
		target(b, "ipc_barrier/spin 2 parties", &num, &lim, 0.3, INFINITY,
		    "the same loop through ipc_barrier_wait, no demo: the "
		    "barrier's own cost (a sleeper count, poison, a deadline)");
		num.name = "hybrid";
		num.impl = "shmsync";
		num.workers = den.workers = lim.workers = 8;
		target_lim(b, "hybrid/pthread 8 parties", &num, &den, 1, INFINITY,
		    "parties > CPUs: the hybrid barrier does not spin, both sleep "
		    "on a futex", &lim);
	}
}

/* Spawn cost at N=256 and threads vs processes for the lock guards. */
static void
other_targets(struct bench *b)
{
	static const char *const guards[] = { "mutex", "sem", "spin" };
	struct bkey num = { .group = BG_SPAWN, .name = "harness", .impl = "shmsync",
	    .mode = "process", .workers = 256 }, den = num;
	char label[48];
	int g, w;

	den.name = "fork+wait";
	den.impl = "bare";
	if (b->groups & G_SPAWN)
		target(b, "spawn shmsync/bare", &num, &den, 0, 1.5, "the harness "
		    "adds a region, a start barrier and supervision to "
		    "fork/exit/wait");
	for (g = 0; g < 3 && (b->groups & G_COUNTER); g++) {
		for (w = 0; w < b->nworkers; w++) {
			struct bkey p = { .group = BG_COUNTER, .name = guards[g],
			    .impl = "shmsync", .mode = "process",
			    .workers = b->workers[w] }, t = p;

			t.mode = "thread";
			snprintf(label, sizeof(label), "process/thread %s", guards[g]);
			target(b, label, &p, &t, 0.75, 1.33, "the same futexes; "
			    "differences come from scheduling and wake-ups");
		}
	}
}

void
bench_targets(struct bench *b)
{
	if (b->groups & G_COUNTER)
		harness_targets(b);
	if (b->groups & G_QUEUE) {
		queue_targets(b);
		ring_target(b);
	}
	if (b->groups & G_BARRIER)
		barrier_targets(b);
	if (b->groups & (G_SPAWN | G_COUNTER))
		other_targets(b);
}
