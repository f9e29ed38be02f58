/*
 * targets.c - the performance targets, each a ratio of two medians
 * measured in the same bench run, with whether it held and, in one phrase,
 * what limits it.  A target whose rows were not run (--only, --workers) or
 * failed their check is n/a, never guessed.  See bench.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* What a target compares: a row chosen by its parameters. */
struct sel {
	const char	*group, *name, *impl, *mode;
	unsigned	 workers, producers, item_size, batch;
};

static const struct row *
find(const struct bench *b, const struct sel *s)
{
	const struct row *r;
	int i;

	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		if (strcmp(r->group, s->group) == 0 && strcmp(r->name, s->name) == 0 &&
		    strcmp(r->impl, s->impl) == 0 && strcmp(r->mode, s->mode) == 0 &&
		    r->workers == s->workers && r->producers == s->producers &&
		    r->item_size == s->item_size && r->batch == s->batch)
			return strcmp(r->status, "ok") == 0 ? r : NULL;
	}
	return NULL;
}

/* One target row: num/den within [lo, hi]; why says what decides it. */
static void
target(struct bench *b, const char *label, const struct sel *num,
    const struct sel *den, double lo, double hi, const char *why)
{
	const struct row *n = find(b, num), *d = find(b, den);
	struct row t;

	memset(&t, 0, sizeof(t));
	t.group = "target";
	strlcpy(t.name, label, sizeof(t.name));
	t.impl = "";
	t.mode = num->mode;
	t.workers = num->workers;
	t.producers = num->producers;
	t.item_size = num->item_size;
	t.batch = num->batch;
	t.unit = "x";
	if (n == NULL || d == NULL || d->median <= 0) {
		t.status = "n/a";
		snprintf(t.note, sizeof(t.note), "not measured in this run");
	} else {
		t.median = n->median / d->median;
		t.status = t.median >= lo && t.median <= hi ? "held" : "missed";
		if (isinf(hi))
			snprintf(t.note, sizeof(t.note), "want >= %.2fx; %s", lo, why);
		else if (lo <= 0)
			snprintf(t.note, sizeof(t.note), "want <= %.2fx; %s", hi, why);
		else
			snprintf(t.note, sizeof(t.note), "want %.2fx..%.2fx; %s", lo,
			    hi, why);
	}
	bench_emit(b, &t);
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
			struct sel num = { "counter", guards[g], "shmsync", modes[m], 2,
			    0, 0, 0 }, den = num;

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
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sel num = { "queue", t[i].name, "shmsync", "process", 2, 1, 8,
		    t[i].batch }, den = { "queue", t[i].base, "baseline", "process",
		    2, 1, 8, 1 };

		target(b, t[i].label, &num, &den, t[i].want, INFINITY, t[i].why);
	}
}

static void
barrier_targets(struct bench *b)
{
	static const char *const modes[] = { "process", "thread" };
	int m;

	for (m = 0; m < 2; m++) {
		struct sel num = { "barrier", "hybrid", "shmsync", modes[m], 2, 0, 0,
		    0 }, den = num;

		den.name = "pthread";
		target(b, "hybrid/pthread 2 parties", &num, &den, 20, INFINITY,
		    "a spinning round costs a cache-line trip; pthread's costs a "
		    "futex wake-up (10-45 us)");
		num.workers = den.workers = 8;
		target(b, "hybrid/pthread 8 parties", &num, &den, 1, INFINITY,
		    "parties > CPUs: the hybrid barrier does not spin, both sleep "
		    "on a futex");
	}
}

/* Spawn cost at N=256 and threads vs processes for the lock guards. */
static void
other_targets(struct bench *b)
{
	static const char *const guards[] = { "mutex", "sem", "spin" };
	struct sel num = { "spawn", "harness", "shmsync", "process", 256, 0, 0, 0 },
	    den = { "spawn", "fork+wait", "bare", "process", 256, 0, 0, 0 };
	char label[48];
	int g, w;

	if (b->groups & G_SPAWN)
		target(b, "spawn shmsync/bare", &num, &den, 0, 1.5, "the harness "
		    "adds a region, a start barrier and supervision to "
		    "fork/exit/wait");
	for (g = 0; g < 3 && (b->groups & G_COUNTER); g++) {
		for (w = 0; w < b->nworkers; w++) {
			struct sel p = { "counter", guards[g], "shmsync", "process",
			    b->workers[w], 0, 0, 0 }, t = p;

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
	if (b->groups & G_QUEUE)
		queue_targets(b);
	if (b->groups & G_BARRIER)
		barrier_targets(b);
	if (b->groups & (G_SPAWN | G_COUNTER))
		other_targets(b);
}
