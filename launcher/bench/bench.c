/*
 * bench.c - `shmsync bench`: run the matrix, each case R times, and report
 * median, min and max with every parameter echoed.
 *
 * Demos run in-process through the run engine (run_once), exactly as the
 * subcommands run them; the bare loops and baselines come from bare.c.  Each
 * case first calibrates its size to about --run-ms, then the cases of a set
 * (those compared with each other) take turns run by run, so drift in a
 * shared, noisy machine hits them alike.  A run whose invariant broke makes
 * its row an error and the exit status 1; it is never averaged in.  Every
 * demo, option and keyword the matrix names is looked up in the command
 * table once, when the bench starts (bench_names), never first by a case.
 */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "../run.h"

#define SET_MAX		12		/* cases compared in one set */
#define QUEUE_CAP	1024		/* the shmsync queue's slots */
#define QUEUE_BATCH	64		/* items per put_many/get_many */
#define HOLD_US		100		/* locks: the holder sleeps this long inside */
#define HOLD_IMPL	"hold 100us"	/* those rows' impl: says HOLD_US */
#define FIFO_FLOOR	100000		/* ops/s of an oversubscribed FIFO lock */
#define HOLD_WORKERS	4		/* locks: workers contending for a sleeping holder */
#define BITMAP_IMPL	"shmsync bitmap"	/* queue: --check bitmap, the shared proof */

enum { B_REPEAT, B_WORKERS, B_QUICK, B_FORMAT, B_ONLY, B_CSV, B_RUNMS,
    B_SPAWNMAX, B_TIMEOUT, B_HELP, NBENCH };

static const char *const bformats[] = {
	[FORMAT_TABLE] = "table", [FORMAT_CSV] = "csv", [FORMAT_JSON] = "json", NULL
};

/* A default of 0 or NULL stands for "not given": --quick picks the value then. */
const struct optdef bench_opts[] = {
	[B_REPEAT] = { "repeat", 'r', "R", 1, BENCH_MAXR - 1, 0, NULL,
	  "runs per case (default 5, --quick 3)" },
	[B_WORKERS] = { "workers", 'w', "LIST", 1, 0, 0, NULL,
	  "counter workers, e.g. 1,2,4,8 (the default;\n"
	  "                         --quick 1,2)" },
	[B_QUICK] = { "quick", 'q', NULL, 0, 1, 0, NULL,
	  "a smoke run: shorter runs, fewer cases" },
	[B_FORMAT] = { "format", 'f', "FMT", 0, 0, FORMAT_TABLE, bformats,
	  "Markdown tables, CSV, or JSON Lines" },
	[B_ONLY] = { "only", 0, "LIST", 1, 0, 0, NULL,
	  "groups: counter,locks,queue,barrier,pingpong,\n"
	  "                         spawn,falseshare,trace (default: all)" },
	[B_CSV] = { "csv", 0, "FILE", 1, 0, 0, NULL,
	  "also write the rows as CSV to FILE" },
	[B_RUNMS] = { "run-ms", 0, "MS", 1, 10000, 0, NULL,
	  "length one run aims at (default 40, --quick 5)" },
	[B_SPAWNMAX] = { "spawn-max", 0, "N", 1, MAX_WORKERS, 0, NULL,
	  "largest spawn sweep size (default 4096,\n"
	  "                         --quick 256)" },
	[B_TIMEOUT] = { "timeout", 'T', "SEC", 1, 86400, 60, NULL,
	  "deadline of each run" },
	[B_HELP] = { "help", 'h', NULL, 0, 1, 0, NULL, "show this help" },
	[NBENCH] = { NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

static int	run_demo_case(struct bench *, struct bcase *, uint64_t, double *);
static int	run_cpu_case(struct bench *, struct bcase *, uint64_t, double *);

static const char *const modes[] = { "thread", "process" };
static const enum mode mode_of[] = { MODE_THREAD, MODE_PROCESS };

/*
 * The keywords the matrix picks, in the order it loops over them.  The
 * guards with a bare twin come first (K_MUTEX..K_ATOMIC); the lock zoo's
 * (ipc/locks.h) have none: their rows compare with mutex's in the same run.
 */
static const char *const guards[] = { "mutex", "sem", "spin", "atomic",
    "tas", "ttas", "yield", "cas", "ticket", "mcs", "futex", NULL };
static const char *const qkinds[] = { "mpmc", "spsc", NULL };
static const char *const qchecks[] = { "auto", "bitmap", NULL };
static const char *const bkinds[] = { "pthread", "cond", "hybrid", NULL };
static const char *const layouts[] = { "packed", "padded", NULL };
enum { K_MUTEX, K_SEM, K_SPIN, K_ATOMIC, K_TAS, K_TTAS, K_YIELD, K_CAS,
    K_TICKET, K_MCS, K_FUTEX, NGUARD };
#define KW_MAX		NGUARD

/* locks: the guards with a critical section to hold, and the workers they face. */
static const int lock_guards[] = { K_MUTEX, K_SEM, K_SPIN, K_TAS, K_TTAS,
    K_YIELD, K_CAS, K_TICKET, K_MCS, K_FUTEX };
static const unsigned lock_workers[] = { 1, 2, 4, 8, 16 };
#define NLOCK		(int)(sizeof(lock_guards) / sizeof(lock_guards[0]))
#define NLOCKW		(int)(sizeof(lock_workers) / sizeof(lock_workers[0]))

/* The demos the matrix runs, by their commands' names. */
enum bdemo { D_COUNTER, D_QUEUE, D_BARRIER, D_FALSESHARE, NDEMO };
static const char *const demo_name[NDEMO] = {
	[D_COUNTER] = "counter", [D_QUEUE] = "queue", [D_BARRIER] = "barrier",
	[D_FALSESHARE] = "falseshare",
};

/* Every option the matrix sets: its demo, its name, the keywords it picks. */
enum bopt {
	O_C_ITER, O_C_WORKERS, O_C_SYNC, O_C_HOLD,
	O_Q_ITEMS, O_Q_PRODUCERS, O_Q_CONSUMERS, O_Q_CAPACITY, O_Q_ITEMSIZE,
	O_Q_BATCH, O_Q_QUEUE, O_Q_CHECK,
	O_B_PHASES, O_B_WORKERS, O_B_BARRIER, O_B_EVEN,
	O_F_ITER, O_F_WORKERS, O_F_LAYOUT,
	NOPT
};
static const struct {
	enum bdemo		 demo;
	const char		*name;
	const char *const	*keywords;
} opt_use[NOPT] = {
	[O_C_ITER] = { D_COUNTER, "iterations", NULL },
	[O_C_WORKERS] = { D_COUNTER, "workers", NULL },
	[O_C_SYNC] = { D_COUNTER, "sync", guards },
	[O_C_HOLD] = { D_COUNTER, "hold-us", NULL },
	[O_Q_ITEMS] = { D_QUEUE, "items", NULL },
	[O_Q_PRODUCERS] = { D_QUEUE, "producers", NULL },
	[O_Q_CONSUMERS] = { D_QUEUE, "consumers", NULL },
	[O_Q_CAPACITY] = { D_QUEUE, "capacity", NULL },
	[O_Q_ITEMSIZE] = { D_QUEUE, "item-size", NULL },
	[O_Q_BATCH] = { D_QUEUE, "batch", NULL },
	[O_Q_QUEUE] = { D_QUEUE, "queue", qkinds },
	[O_Q_CHECK] = { D_QUEUE, "check", qchecks },
	[O_B_PHASES] = { D_BARRIER, "phases", NULL },
	[O_B_WORKERS] = { D_BARRIER, "workers", NULL },
	[O_B_BARRIER] = { D_BARRIER, "barrier", bkinds },
	[O_B_EVEN] = { D_BARRIER, "even", NULL },
	[O_F_ITER] = { D_FALSESHARE, "iterations", NULL },
	[O_F_WORKERS] = { D_FALSESHARE, "workers", NULL },
	[O_F_LAYOUT] = { D_FALSESHARE, "layout", layouts },
};

/* What bench_names found: each demo, each option's index, each keyword's value. */
static const struct worker	*demo_of[NDEMO];
static int			 opt_of[NOPT];
static long long		 keyword_of[NOPT][KW_MAX];

/* The value of keyword kw among option o's choices, or -1. */
static long long
choice_of(const struct optdef *o, const char *kw)
{
	long long i;

	for (i = 0; o->choices[i] != NULL; i++)
		if (strcmp(o->choices[i], kw) == 0)
			return i;
	return -1;
}

/*
 * Look up every demo, option and keyword the matrix names, through the
 * command table: NULL, or what is missing (a bug in this file).
 */
const char *
bench_names(void)
{
	static char why[128];
	const struct cmd_entry *e;
	const struct optdef *od;
	int d, o, k;

	for (d = 0; d < NDEMO; d++)
		if ((e = cmd_find(demo_name[d])) == NULL ||
		    (demo_of[d] = e->demo) == NULL) {
			snprintf(why, sizeof(why), "no demo '%s'", demo_name[d]);
			return why;
		}
	for (o = 0; o < NOPT; o++) {
		d = opt_use[o].demo;
		if ((opt_of[o] = worker_opt(demo_of[d], opt_use[o].name)) < 0) {
			snprintf(why, sizeof(why), "%s has no option --%s",
			    demo_name[d], opt_use[o].name);
			return why;
		}
		od = &demo_of[d]->opts[opt_of[o]];
		for (k = 0; opt_use[o].keywords != NULL &&
		    opt_use[o].keywords[k] != NULL; k++)
			if (od->choices == NULL || k == KW_MAX ||
			    (keyword_of[o][k] = choice_of(od,
			    opt_use[o].keywords[k])) < 0) {
				snprintf(why, sizeof(why), "%s --%s has no '%s'",
				    demo_name[d], opt_use[o].name,
				    opt_use[o].keywords[k]);
				return why;
			}
	}
	return NULL;
}

/* A count of a list, in bounds, or a usage error. */
static long long
number(const char *opt, const char *arg, long long min, long long max)
{
	const char *errstr;
	long long v = strtonum(arg, min, max, &errstr);

	if (errstr != NULL)
		usage_error("bench", "--%s: '%s' is %s (%lld..%lld)", opt, arg,
		    errstr, min, max);
	return v;
}

static void
parse_workers(struct bench *b, char *arg)
{
	char *w;

	b->nworkers = 0;
	while ((w = strsep(&arg, ",")) != NULL) {
		if (b->nworkers == BENCH_MAXW)
			usage_error("bench", "--workers: more than %d sizes", BENCH_MAXW);
		b->workers[b->nworkers++] = (unsigned)number("workers", w, 1,
		    MAX_WORKERS);
	}
}

static void
parse_only(struct bench *b, char *arg)
{
	char *g;
	int i;

	char list[128] = "";

	b->groups = 0;
	while ((g = strsep(&arg, ",")) != NULL) {
		for (i = 0; i < BG_TARGET && strcmp(bench_group[i], g) != 0; i++)
			continue;
		if (i < BG_TARGET) {
			b->groups |= 1u << i;
			continue;
		}
		for (i = 0; i < BG_TARGET; i++) {
			strlcat(list, i ? ", " : "", sizeof(list));
			strlcat(list, bench_group[i], sizeof(list));
		}
		usage_error("bench", "--only: unknown group '%s' (%s)", g, list);
	}
}

/* --quick's defaults, or the full run's, where no option was given (0, NULL). */
static void
defaults(struct bench *b, long long repeat, long long runms, long long spawnmax,
    char *wlist)
{
	b->repeat = repeat ? (unsigned)repeat : b->quick ? 3 : 5;
	b->run_ns = (uint64_t)(runms ? runms : b->quick ? 5 : 40) * 1000000u;
	b->spawn_max = spawnmax ? (unsigned)spawnmax : b->quick ? 256 : MAX_WORKERS;
	if (wlist != NULL)
		parse_workers(b, wlist);
	else if (b->quick)
		parse_workers(b, (char[]){ "1,2" });
	else
		parse_workers(b, (char[]){ "1,2,4,8" });
}

/* Options into *b; explicit options override what --quick implies.  The --csv file, or NULL. */
static const char *
parse(struct bench *b, int argc, char **argv)
{
	long long v[NBENCH];
	const char *t[NBENCH] = { NULL };
	struct optset set = { bench_opts, v, t, 0 };
	char *copy;

	parse_args("bench", argc, argv, &set, 1);
	if (v[B_HELP])
		cmd_help(cmd_find("bench"));
	b->quick = (int)v[B_QUICK];
	b->format = (enum format)v[B_FORMAT];
	b->timeout = v[B_TIMEOUT];
	if (t[B_ONLY] != NULL) {
		if ((copy = strdup(t[B_ONLY])) == NULL)
			err(1, "bench");
		parse_only(b, copy);
		free(copy);
	}
	if ((copy = t[B_WORKERS] != NULL ? strdup(t[B_WORKERS]) : NULL) == NULL &&
	    t[B_WORKERS] != NULL)
		err(1, "bench");
	defaults(b, v[B_REPEAT], v[B_RUNMS], v[B_SPAWNMAX], copy);
	free(copy);
	return t[B_CSV];
}

/* A demo's parameters at their defaults, as `shmsync DEMO` would have them; iter sets n. */
static void
demo_params(struct bcase *c, enum bdemo d, enum bopt iter, long long timeout)
{
	const struct optdef *o;
	int i;

	memset(&c->p, 0, sizeof(c->p));
	c->run = run_demo_case;
	c->iter_opt = iter;
	c->p.demo = demo_of[d];
	for (i = 0, o = c->p.demo->opts; o[i].name != NULL; i++)
		c->p.v[i] = o[i].def;
	c->p.modes = c->mode;
	c->p.timeout = timeout;
}

static void
set_opt(struct bcase *c, enum bopt o, long long v)
{
	c->p.v[opt_of[o]] = v;
}

/* Option o's keyword k (an index into the keywords opt_use gives it). */
static void
set_choice(struct bcase *c, enum bopt o, int k)
{
	c->p.v[opt_of[o]] = keyword_of[o][k];
}

/* One run of the demo with n iterations (of its option c->iter_opt); key's value in *value. */
static int
demo_once(struct bcase *c, uint64_t n, const char *key, double *value)
{
	const struct field *f;
	struct result res;

	set_opt(c, c->iter_opt, (long long)n);
	run_once(&c->p, 0, c->mode, NULL, &res);
	if ((f = res_find(&res, "note")) != NULL)
		strlcpy(c->note, f->v.s, sizeof(c->note));
	if ((f = res_find(&res, "wall_ns")) != NULL)
		c->timed_ns = f->v.u;
	if ((f = res_find(&res, key)) == NULL)
		errx(1, "bench: %s reported no %s", c->p.demo->name, key);
	*value = f->type == F_INT ? (double)f->v.i : f->v.d;
	return res.verdict == VERDICT_OK ? 0 : -1;
}

static int
run_demo_case(struct bench *b, struct bcase *c, uint64_t n, double *value)
{
	(void)b;
	return demo_once(c, n, "ops_per_sec", value);
}

/* CPU the workers burned per acquisition: spinning shows here, sleeping does not. */
static int
run_cpu_case(struct bench *b, struct bcase *c, uint64_t n, double *value)
{
	int rc;

	(void)b;
	rc = demo_once(c, n, "cpu_ns", value);
	*value /= (double)c->key.workers * (double)n;
	return rc;
}

/* Spawn through shmsync: the whole run, from region to reaped workers, per worker. */
static int
run_spawn_case(struct bench *b, struct bcase *c, uint64_t n, double *value)
{
	uint64_t t0 = ipc_now_ns();
	double ops;
	int rc;

	(void)n;
	rc = run_demo_case(b, c, 1, &ops);
	*value = (double)(ipc_now_ns() - t0) / (double)c->key.workers;
	return rc;
}

static int
run_bare(struct bench *b, struct bcase *c, uint64_t n, double *value)
{
	struct timespec dl;
	const struct bkey *k = &c->key;

	ipc_deadline(&dl, (uint64_t)b->timeout * IPC_NS_PER_S);
	switch (k->group) {
	case BG_COUNTER:
		return bare_counter(c->kind, c->mode, k->workers, n, &dl, value,
		    c->note, sizeof(c->note));
	case BG_QUEUE:
		if (c->kind >= CH_RING)
			return bare_ring(c->kind == CH_IPCRING, n, &dl, value,
			    c->note, sizeof(c->note));
		return bare_channel((enum bare_chan)c->kind, k->producers,
		    k->consumers, k->item_size, n, &dl, value, c->note,
		    sizeof(c->note));
	case BG_BARRIER:
		return bare_barrier(c->kind, c->mode, k->workers, n, &dl, value,
		    c->note, sizeof(c->note));
	case BG_PINGPONG:
		return bare_pingpong((enum bare_pp)c->kind, c->mode, n, &dl, value,
		    c->note, sizeof(c->note));
	default:
		return bare_spawn(c->mode, k->workers, &dl, value, c->note,
		    sizeof(c->note));
	}
}

/*
 * A bare case, and its timed part (first start to last end) from what it
 * measured, as a demo case's wall_ns: calibration then sizes the work, not
 * the fork around it (a 2-party run fitted to its fork is too short to time).
 */
static int
run_bare_case(struct bench *b, struct bcase *c, uint64_t n, double *value)
{
	const struct bkey *k = &c->key;
	double ops = (double)n;
	int rc;

	rc = run_bare(b, c, n, value);
	if (k->group == BG_COUNTER)
		ops *= k->workers;
	else if (k->group == BG_QUEUE && c->kind < CH_RING)
		ops *= k->producers;
	if (k->group == BG_PINGPONG)
		c->timed_ns = (uint64_t)(*value * ops);
	else if (k->group != BG_SPAWN && *value > 0)
		c->timed_ns = (uint64_t)(ops * 1e9 / *value);
	return rc;
}

/*
 * Size case c so one run lasts about run_ns; *n is that size.  -1 if a run
 * failed.  A demo's run is its timed part (first start to last end), not
 * the launch around it: 16 forked workers take longer to launch than a
 * short run lasts, and a size fitted to the launch measures the launch.
 */
static int
calibrate(struct bench *b, struct bcase *c, uint64_t *n)
{
	uint64_t t0, dt;
	double v, grow;

	*n = c->n0;
	if (c->fixed)
		return c->run(b, c, *n, &v);	/* a warm-up */
	for (;;) {
		t0 = ipc_now_ns();
		c->timed_ns = 0;
		if (c->run(b, c, *n, &v) != 0)
			return -1;
		dt = (c->timed_ns ? c->timed_ns : ipc_now_ns() - t0) + 1;
		if (dt >= b->run_ns / 4 || *n >= c->nmax)
			break;
		grow = (double)b->run_ns / (double)dt;
		grow = grow < 2 ? 2 : grow > 100 ? 100 : grow;
		*n = (double)*n * grow > (double)c->nmax ? c->nmax :
		    (uint64_t)((double)*n * grow);
	}
	grow = (double)*n * (double)b->run_ns / (double)dt;
	*n = grow > (double)c->nmax ? c->nmax : grow < (double)c->n0 ? c->n0 :
	    (uint64_t)grow;
	return 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
finish_row(struct bench *b, struct bcase *c, double *v, int ok)
{
	struct bstat st = { c->iterations, b->repeat, 0, 0, 0, "ok", c->note };
	unsigned k = b->repeat;

	if (ok) {
		qsort(v, k, sizeof(*v), cmp_dbl);
		st.median = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
		st.min = v[0];
		st.max = v[k - 1];
	} else {
		st.status = "fail";
		b->failed = 1;
	}
	bench_row(b, &c->key, &st);
}

/* Calibrate every case of the set, then run them in turns, R rounds. */
static void
measure_set(struct bench *b, struct bcase *set, int k)
{
	static double v[SET_MAX][BENCH_MAXR];
	int ok[SET_MAX], i;
	unsigned rep;

	for (i = 0; i < k; i++) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rbench: %s %s %s %s %u        ",
			    bench_group[set[i].key.group], set[i].key.name,
			    set[i].key.impl, set[i].key.mode, set[i].key.workers);
		ok[i] = calibrate(b, &set[i], &set[i].iterations) == 0;
	}
	for (rep = 0; rep < b->repeat; rep++)
		for (i = 0; i < k; i++)
			if (ok[i])
				ok[i] = set[i].run(b, &set[i], set[i].iterations,
				    &v[i][rep]) == 0;
	for (i = 0; i < k; i++)
		finish_row(b, &set[i], v[i], ok[i]);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%60s\r", "");
}

/* A fresh case: row parameters common to the group. */
static struct bcase *
add_case(struct bcase *set, int *k, enum bgroup group, const char *name,
    const char *impl, int m, const char *unit)
{
	struct bcase *c = &set[(*k)++];

	memset(c, 0, sizeof(*c));
	c->key = (struct bkey){ .group = group, .name = name, .impl = impl,
	    .mode = modes[m], .unit = unit };
	c->mode = mode_of[m];
	c->run = run_bare_case;
	return c;
}

/*
 * Every guard, both modes, at each worker count; the first four beside a
 * bare loop of the same calls.
 */
static void
group_counter(struct bench *b)
{
	struct bcase set[SET_MAX], *c;
	int g, m, w, k, impl;

	for (g = K_MUTEX; g < NGUARD; g++) {
		for (w = 0; w < b->nworkers; w++) {
			for (k = 0, m = 0; m < 2; m++) {
				for (impl = 0; impl < (g <= K_ATOMIC ? 2 : 1); impl++) {
					c = add_case(set, &k, BG_COUNTER, guards[g],
					    impl ? "bare" : "shmsync", m, "ops/s");
					c->key.workers = b->workers[w];
					c->n0 = 1000;
					c->nmax = UINT64_MAX / b->workers[w] / 2;
					c->kind = g + 1;
					if (impl)
						continue;
					demo_params(c, D_COUNTER, O_C_ITER, b->timeout);
					set_opt(c, O_C_WORKERS, b->workers[w]);
					set_choice(c, O_C_SYNC, g);
				}
			}
			measure_set(b, set, k);
		}
	}
}

/*
 * A FIFO lock with more workers than CPUs hands over only as fast as the
 * scheduler runs the next in line (FIFO_FLOOR), or, when the workers
 * happen to run one after another, 1000 times faster.  Calibrated in the
 * fast regime, a run in the slow one would last minutes: cap its size at
 * run_ns at the floor rate, so either regime ends within run_ns.
 */
static uint64_t
fifo_max(const struct bench *b, int guard, unsigned workers)
{
	uint64_t n = b->run_ns / 1000 * FIFO_FLOOR / 1000000 / workers;

	if ((guard != K_TICKET && guard != K_MCS) ||
	    workers <= (unsigned)sysconf(_SC_NPROCESSORS_ONLN))
		return UINT64_MAX / workers / 2;
	return n > 16 ? n : 16;
}

/*
 * Spinning vs sleeping.  First the CPU each acquisition costs when the
 * holder sleeps HOLD_US inside: a spinner burns a CPU for as long as it
 * waits, a sleeper nothing.  Then ops/s from 1 to 16 workers on however
 * many CPUs there are: past one worker per CPU a spinner keeps the holder
 * off the CPU it needs, and a FIFO lock waits for its next in line to be
 * scheduled.  Each set is every lock guard in one mode, taking turns.
 */
static void
group_locks(struct bench *b)
{
	struct bcase set[SET_MAX], *c;
	int g, m, w, k;

	for (w = -1; w < NLOCKW; w++) {
		for (m = 0; m < 2; m++) {
			for (k = 0, g = 0; g < NLOCK; g++) {
				c = add_case(set, &k, BG_LOCKS, guards[lock_guards[g]],
				    w < 0 ? HOLD_IMPL : "no hold", m,
				    w < 0 ? "ns/acq" : "ops/s");
				c->key.workers = w < 0 ? HOLD_WORKERS : lock_workers[w];
				c->n0 = w < 0 ? 2 : 16;	/* a FIFO lock at 16 workers: ~100k/s */
				c->nmax = w < 0 ? 1u << 20 : fifo_max(b, lock_guards[g],
				    c->key.workers);
				demo_params(c, D_COUNTER, O_C_ITER, b->timeout);
				set_opt(c, O_C_WORKERS, c->key.workers);
				set_choice(c, O_C_SYNC, lock_guards[g]);
				if (w >= 0)
					continue;
				set_opt(c, O_C_HOLD, HOLD_US);
				c->run = run_cpu_case;
			}
			measure_set(b, set, k);
		}
	}
}

/* A queue case's sizes; a shmsync one runs the demo with c->kind's queue. */
static void
queue_case(struct bench *b, struct bcase *c, unsigned pc, unsigned size)
{
	c->key.producers = c->key.consumers = pc;
	c->key.workers = 2 * pc;
	c->key.item_size = size;
	c->n0 = 1000;
	c->nmax = (1ULL << 32) / pc;
	if (strcmp(c->key.impl, "shmsync") != 0 &&
	    strcmp(c->key.impl, BITMAP_IMPL) != 0)
		return;
	demo_params(c, D_QUEUE, O_Q_ITEMS, b->timeout);
	set_opt(c, O_Q_PRODUCERS, pc);
	set_opt(c, O_Q_CONSUMERS, pc);
	set_opt(c, O_Q_CAPACITY, QUEUE_CAP);
	set_opt(c, O_Q_ITEMSIZE, size);
	set_opt(c, O_Q_BATCH, c->key.batch);
	set_choice(c, O_Q_QUEUE, c->kind);
	set_choice(c, O_Q_CHECK, strcmp(c->key.impl, BITMAP_IMPL) == 0);
	c->key.capacity = QUEUE_CAP;
}

/*
 * Items/s in processes: the shmsync queue and ring against the kernel's
 * channels, and 8-byte items between one pair against the limit, a bare
 * busy-waiting cached-index ring, and against ipc/ring's put and get in
 * the same loop, without the demo (bare.c).
 */
static void
group_queue(struct bench *b)
{
	static const unsigned sizes[] = { 8, 64, 4096 };
	static const char *const chans[] = { "pipe", "mq", "socketpair", "ring",
	    "ipc_ring" };
	struct bcase set[SET_MAX], *c;
	unsigned pc;
	int s, k, kind, batch;

	for (pc = 1; pc <= 2; pc++) {
		for (s = 0; s < 3; s++) {
			k = 0;
			for (kind = 0; kind < (pc == 1 ? 2 : 1); kind++) {
				for (batch = 0; batch < 2; batch++) {
					c = add_case(set, &k, BG_QUEUE, qkinds[kind],
					    "shmsync", 1, "items/s");
					c->key.batch = batch ? QUEUE_BATCH : 1;
					c->kind = kind;
					queue_case(b, c, pc, sizes[s]);
				}
			}
			if (pc == 1 && sizes[s] == 8) {
				/* What the shared bitmap's proof costs per item. */
				c = add_case(set, &k, BG_QUEUE, qkinds[1], BITMAP_IMPL,
				    1, "items/s");
				c->key.batch = 1;
				c->kind = 1;
				queue_case(b, c, pc, sizes[s]);
			}
			for (kind = CH_PIPE; kind <= CH_IPCRING; kind++) {
				if (kind >= CH_RING && (pc > 1 || sizes[s] != 8))
					continue;	/* the limit: one pair, the number only */
				c = add_case(set, &k, BG_QUEUE, chans[kind], kind >=
				    CH_RING ? "bare" : "baseline", 1, "items/s");
				c->key.batch = 1;
				c->key.capacity = kind == CH_MQ ? 10 : 0;
				c->kind = kind;
				queue_case(b, c, pc, sizes[s]);
			}
			measure_set(b, set, k);
		}
	}
}

/*
 * Rounds/s: pthread_barrier against shmsync's cond and hybrid barriers, and
 * the limit, a bare sense-reversing spin barrier (bare.c).
 */
static void
group_barrier(struct bench *b)
{
	static const unsigned parties[] = { 2, 8 };
	struct bcase set[SET_MAX], *c;
	int p, m, i, k;

	for (p = 0; p < 2; p++) {
		for (m = 0; m < 2; m++) {
			for (k = 0, i = 0; i < 3; i++) {
				c = add_case(set, &k, BG_BARRIER, bkinds[i], "shmsync",
				    m, "rounds/s");
				c->key.workers = parties[p];
				c->n0 = 100;
				c->nmax = 1 << 24;
				demo_params(c, D_BARRIER, O_B_PHASES, b->timeout);
				set_opt(c, O_B_WORKERS, parties[p]);
				set_choice(c, O_B_BARRIER, i);
				set_opt(c, O_B_EVEN, 1);
			}
			for (i = 0; i < 2; i++) {	/* the limit; ipc/barrier alone */
				c = add_case(set, &k, BG_BARRIER, i ? "ipc_barrier" :
				    "spin", "bare", m, "rounds/s");
				c->kind = i;
				c->key.workers = parties[p];
				c->n0 = 100;
				c->nmax = 1 << 26;
			}
			measure_set(b, set, k);
		}
	}
}

/* Round-trip latency of a hand-off between two workers. */
static void
group_pingpong(struct bench *b)
{
	static const char *const kinds[] = { "sem", "futex", "spin" };
	struct bcase set[SET_MAX], *c;
	int m, i, k = 0;

	for (m = 0; m < 2; m++) {
		for (i = PP_SEM; i <= PP_SPIN; i++) {
			c = add_case(set, &k, BG_PINGPONG, kinds[i], "bare", m,
			    "ns/rtt");
			c->key.workers = 2;
			c->n0 = 100;
			c->nmax = 1 << 30;
			c->kind = i;
		}
	}
	measure_set(b, set, k);
}

/*
 * Launch N workers to the start barrier and reap them, per worker, against
 * bare loops.  Processes first: fork copies every mapping, and the thread
 * runs leave glibc's cache of thread stacks (hundreds of mappings) behind.
 */
static void
group_spawn(struct bench *b)
{
	struct bcase set[SET_MAX], *c;
	unsigned n;
	int m, k, impl;

	for (m = 1; m >= 0; m--) {
		for (n = 1;; n = n * 4 > b->spawn_max ? b->spawn_max : n * 4) {
			for (k = 0, impl = 0; impl < 2; impl++) {
				c = add_case(set, &k, BG_SPAWN, impl ? (m ? "fork+wait" :
				    "create+join") : "harness", impl ? "bare" : "shmsync",
				    m, "ns/worker");
				c->key.workers = n;
				c->n0 = 1;
				c->fixed = 1;
				if (impl)
					continue;
				demo_params(c, D_COUNTER, O_C_ITER, b->timeout);
				set_opt(c, O_C_WORKERS, n);
				set_choice(c, O_C_SYNC, K_ATOMIC);
				c->run = run_spawn_case;
			}
			measure_set(b, set, k);
			if (n == b->spawn_max)
				break;
		}
	}
}

/* Private counters packed in one line against padded ones. */
static void
group_falseshare(struct bench *b)
{
	struct bcase set[SET_MAX], *c;
	int w, m, l, k;

	for (w = 0; w < b->nworkers; w++) {
		if (b->workers[w] < 2 || b->workers[w] > 64)
			continue;
		for (k = 0, m = 0; m < 2; m++) {
			for (l = 0; l < 2; l++) {
				c = add_case(set, &k, BG_FALSESHARE, layouts[l],
				    "shmsync", m, "ops/s");
				c->key.workers = b->workers[w];
				c->n0 = 10000;
				c->nmax = UINT64_MAX / b->workers[w] / 2;
				demo_params(c, D_FALSESHARE, O_F_ITER, b->timeout);
				set_opt(c, O_F_WORKERS, b->workers[w]);
				set_choice(c, O_F_LAYOUT, l);
			}
		}
		measure_set(b, set, k);
	}
}

/*
 * The mutex counter with and without --trace's recording.  Few enough
 * iterations that every record fits its buffer: a dropped record costs no
 * clock read, and would flatter the traced runs.
 */
static void
group_trace(struct bench *b)
{
	struct bcase set[SET_MAX], *c;
	int m, w, k, traced;

	for (w = 0; w < b->nworkers; w++) {
		for (k = 0, m = 0; m < 2; m++) {
			for (traced = 0; traced < 2; traced++) {
				c = add_case(set, &k, BG_TRACE, guards[K_MUTEX], traced ?
				    "traced" : "untraced", m, "ops/s");
				c->key.workers = b->workers[w];
				c->n0 = 1000;
				c->nmax = 20000;	/* 3 records each: 60000 < 65536 */
				demo_params(c, D_COUNTER, O_C_ITER, b->timeout);
				set_opt(c, O_C_WORKERS, b->workers[w]);
				set_choice(c, O_C_SYNC, K_MUTEX);
				c->p.tracing = traced;
			}
		}
		measure_set(b, set, k);
	}
}

int
exec_bench(const struct cmd_entry *e, int argc, char **argv)
{
	static void (*const groups[BG_TARGET])(struct bench *) = {
		[BG_COUNTER] = group_counter, [BG_LOCKS] = group_locks,
		[BG_QUEUE] = group_queue,
		[BG_BARRIER] = group_barrier, [BG_PINGPONG] = group_pingpong,
		[BG_SPAWN] = group_spawn, [BG_FALSESHARE] = group_falseshare,
		[BG_TRACE] = group_trace,
	};
	struct bench b;
	const char *csv, *bad;
	int i;

	(void)e;
	if ((bad = bench_names()) != NULL)
		errx(1, "bench: internal error: %s", bad);
	memset(&b, 0, sizeof(b));
	b.groups = G_ALL;
	csv = parse(&b, argc, argv);
	if (csv != NULL && (b.csv = fopen(csv, "w")) == NULL)
		err(1, "bench: %s", csv);

	run_signals_init();
	for (i = 0; i < BG_TARGET; i++)
		if (b.groups & (1u << i))
			groups[i](&b);
	bench_targets(&b);
	if (b.format == FORMAT_TABLE)
		bench_tables(&b);
	if (b.csv != NULL && fclose(b.csv) != 0)
		err(1, "bench: %s", csv);
	free(b.rows);
	return b.failed ? 1 : 0;
}
