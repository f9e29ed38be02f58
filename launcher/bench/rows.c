/*
 * rows.c - the bench's rows as results: every row carries the same fields,
 * in the order of the CSV header; a parameter that does not apply has no
 * value (empty in CSV, null in JSON), and neither have the numbers of a case
 * whose invariant broke: an error is not a number.  launcher/report.c
 * renders them, as each comes (CSV, JSON Lines) or at the end (Markdown
 * tables, a group each).  See bench.h.
 */
#include <sys/utsname.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../report.h"
#include "bench.h"

const char *const bench_group[NBGROUP + 1] = {
	[BG_COUNTER] = "counter", [BG_LOCKS] = "locks", [BG_QUEUE] = "queue", [BG_BARRIER] = "barrier",
	[BG_PINGPONG] = "pingpong", [BG_SPAWN] = "spawn",
	[BG_FALSESHARE] = "falseshare", [BG_TRACE] = "trace",
	[BG_TARGET] = "target", [NBGROUP] = NULL
};

static const char *const group_title[NBGROUP] = {
	[BG_COUNTER] = "counter: ops/s, every guard, shmsync vs a bare loop "
	    "(atomic: the hardware's ceiling; the lock zoo has no bare twin: "
	    "compare with mutex)",
	[BG_LOCKS] = "locks: spinning vs sleeping: CPU per acquisition with "
	    "4 workers while the holder sleeps 100 us inside (ns/acq), then "
	    "ops/s at 1-16 workers",
	[BG_QUEUE] = "queue: items/s in processes, shmsync vs kernel channels",
	[BG_BARRIER] = "barrier: rounds/s (--even: the barrier alone)",
	[BG_PINGPONG] = "ping-pong: round-trip latency between two workers",
	[BG_SPAWN] = "spawn: launch N workers to the start and reap them, per worker",
	[BG_FALSESHARE] = "false sharing: private counters packed vs padded, ops/s",
	[BG_TRACE] = "trace: the mutex counter with and without --trace's "
	    "recording, ops/s",
	[BG_TARGET] = "targets: ratios of medians from this run",
};

/* A count that does not apply (0) has no value; the table shows the rest. */
static void
count(struct result *r, const char *key, uint64_t v, int table)
{
	res_uint(r, key, v, (v == 0 ? F_NULL : 0) | (table ? F_TABLE : 0));
}

/* The row of key and s as a result: its unit decides how the table shows values. */
static void
row_result(struct result *r, const struct bkey *k, const struct bstat *s)
{
	int unit = strcmp(k->unit, "x") == 0 ? F_RATIO :
	    strncmp(k->unit, "ns", 2) == 0 ? F_NS | F_FINE : F_RATE;
	int valued = strcmp(s->status, "fail") != 0 && strcmp(s->status, "n/a") != 0;
	int spread = valued && (s->min != 0 || s->max != 0);

	memset(r, 0, sizeof(*r));
	r->variant = (int)k->group;
	r->verdict = valued ? VERDICT_OK : VERDICT_FAIL;
	res_str(r, "group", bench_group[k->group], 0);
	res_str(r, "name", k->name, F_TABLE);
	res_str(r, "impl", k->impl, F_TABLE);
	res_str(r, "mode", k->mode, F_TABLE);
	count(r, "workers", k->workers, 1);
	count(r, "producers", k->producers, 1);
	count(r, "consumers", k->consumers, 1);
	count(r, "item_size", k->item_size, 1);
	count(r, "batch", k->batch, 1);
	count(r, "capacity", k->capacity, 1);
	res_uint(r, "iterations", s->iterations, F_TABLE |
	    (k->group == BG_TARGET ? F_NULL : 0));
	count(r, "repeat", s->repeat, 0);
	res_str(r, "unit", k->unit, 0);
	res_dbl(r, "median", s->median, F_TABLE | unit | (valued ? 0 : F_NULL));
	res_dbl(r, "min", s->min, F_TABLE | unit | (spread ? 0 : F_NULL));
	res_dbl(r, "max", s->max, F_TABLE | unit | (spread ? 0 : F_NULL));
	res_str(r, "status", s->status, F_TABLE);
	/* The note earns its column where a row is not simply ok. */
	res_str(r, "note", s->note, strcmp(s->status, "ok") != 0 ? F_TABLE : 0);
}

/* Keep the row (for the tables and targets) and stream it as CSV or JSON. */
void
bench_row(struct bench *b, const struct bkey *k, const struct bstat *s)
{
	struct result *r;

	if (b->nrows == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		if ((b->rows = reallocarray(b->rows, (size_t)b->cap,
		    sizeof(*b->rows))) == NULL)
			err(1, "bench");
	}
	r = &b->rows[b->nrows++];
	row_result(r, k, s);
	if (b->csv != NULL) {
		if (b->nrows == 1)
			report_csv(b->csv, r, 1);
		report_csv(b->csv, r, 0);
	}
	if (b->format == FORMAT_CSV) {
		if (b->nrows == 1)
			report_csv(stdout, r, 1);
		report_csv(stdout, r, 0);
	} else if (b->format == FORMAT_JSON)
		report_json(stdout, r);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(1, "bench: stdout");
}

/* nproc, CPU model, kernel: one line, after prefix. */
void
bench_machine(FILE *f, const char *prefix)
{
	char line[256], model[160] = "unknown CPU";
	struct utsname u;
	FILE *cpu;
	char *p;

	if ((cpu = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), cpu) != NULL)
			if (strncmp(line, "model name", 10) == 0 &&
			    (p = strchr(line, ':')) != NULL) {
				strlcpy(model, p + 2, sizeof(model));
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		fclose(cpu);
	}
	if (uname(&u) == -1)
		memset(&u, 0, sizeof(u));
	fprintf(f, "%s%ld CPUs (nproc), %s, %s %s %s\n", prefix,
	    sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname, u.release, u.machine);
}

/* The Markdown report: the machine, then a titled table per group. */
void
bench_tables(struct bench *b)
{
	int g;

	printf("## shmsync bench\n\n");
	bench_machine(stdout, "machine: ");
	printf("\nmedian of %u runs per case (min and max beside it); each run "
	    "checked its invariant.\n", b->repeat);
	for (g = 0; g < NBGROUP; g++)
		report_markdown(stdout, b->rows, b->nrows, g, group_title[g]);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(1, "bench: stdout");
}
