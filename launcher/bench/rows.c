/*
 * benchout.c - the bench's rows as CSV, JSON Lines or Markdown tables, and
 * the targets computed from them as ratios of medians.
 *
 * Every row carries the same columns in every format; a parameter that does
 * not apply is empty (null in JSON), and so are the numbers of a case whose
 * invariant broke: an error is not a number.  See bench.h.
 */
#include <sys/utsname.h>

#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

enum col { C_GROUP, C_NAME, C_IMPL, C_MODE, C_WORKERS, C_PRODUCERS,
    C_CONSUMERS, C_ITEMSIZE, C_BATCH, C_CAPACITY, C_ITERATIONS, C_REPEAT,
    C_UNIT, C_MEDIAN, C_MIN, C_MAX, C_STATUS, C_NOTE, NCOL };

static const char *const col_key[NCOL] = { "group", "name", "impl", "mode",
    "workers", "producers", "consumers", "item_size", "batch", "capacity",
    "iterations", "repeat", "unit", "median", "min", "max", "status", "note" };

static const char *const col_head[NCOL] = { "group", "case", "impl", "mode",
    "workers", "P", "C", "item B", "batch", "slots", "iterations", "runs",
    "unit", "median", "min", "max", "check", "note" };

enum ctype { T_STR, T_NUM, T_VAL };

static enum ctype
col_type(enum col c)
{
	return c <= C_MODE || c == C_UNIT || c >= C_STATUS ? T_STR :
	    c >= C_MEDIAN ? T_VAL : T_NUM;
}

static uint64_t
col_num(const struct row *r, enum col c)
{
	switch (c) {
	case C_WORKERS:		return r->workers;
	case C_PRODUCERS:	return r->producers;
	case C_CONSUMERS:	return r->consumers;
	case C_ITEMSIZE:	return r->item_size;
	case C_BATCH:		return r->batch;
	case C_CAPACITY:	return r->capacity;
	case C_ITERATIONS:	return r->iterations;
	default:		return r->repeat;
	}
}

static const char *
col_str(const struct row *r, enum col c)
{
	const char *s = c == C_GROUP ? r->group : c == C_NAME ? r->name :
	    c == C_IMPL ? r->impl : c == C_MODE ? r->mode : c == C_UNIT ? r->unit :
	    c == C_STATUS ? r->status : r->note;

	return s != NULL ? s : "";
}

static int
has_value(const struct row *r)
{
	return strcmp(r->status, "ok") == 0 || strcmp(r->status, "held") == 0 ||
	    strcmp(r->status, "missed") == 0;
}

/* A rate in k/M/G, a duration in ns/us/ms, a ratio as 12.3x. */
static void
human(const struct row *r, double v, char *buf, size_t len)
{
	if (strcmp(r->unit, "x") == 0)
		snprintf(buf, len, "%.2fx", v);
	else if (strncmp(r->unit, "ns", 2) == 0)
		snprintf(buf, len, v < 1e3 ? "%.0f ns" : v < 1e6 ? "%.1f us" :
		    "%.2f ms", v < 1e3 ? v : v < 1e6 ? v / 1e3 : v / 1e6);
	else
		snprintf(buf, len, v < 1e3 ? "%.0f" : v < 1e6 ? "%.1fk" : v < 1e9 ?
		    "%.2fM" : "%.2fG", v < 1e3 ? v : v < 1e6 ? v / 1e3 : v < 1e9 ?
		    v / 1e6 : v / 1e9);
}

/* Cell text; "" for a parameter that does not apply or a number not measured. */
static void
cell(const struct row *r, enum col c, int people, char *buf, size_t len)
{
	double v = c == C_MEDIAN ? r->median : c == C_MIN ? r->min : r->max;
	uint64_t n;

	buf[0] = '\0';
	if (col_type(c) == T_STR)
		snprintf(buf, len, "%s", col_str(r, c));
	else if (col_type(c) == T_NUM) {
		if ((n = col_num(r, c)) != 0 || c == C_ITERATIONS)
			snprintf(buf, len, "%ju", (uintmax_t)n);
		if (c == C_ITERATIONS && strcmp(r->group, "target") == 0)
			buf[0] = '\0';
	} else if (has_value(r) && (c == C_MEDIAN || r->min != 0 || r->max != 0)) {
		if (people)
			human(r, v, buf, len);
		else
			snprintf(buf, len, strcmp(r->unit, "x") == 0 ? "%.3f" :
			    "%.1f", v);
	}
}

static void
csv_line(FILE *f, const struct row *r)
{
	char buf[256];
	const char *q;
	int c;

	for (c = 0; c < NCOL; c++) {
		if (r != NULL)
			cell(r, c, 0, buf, sizeof(buf));
		else
			strlcpy(buf, col_key[c], sizeof(buf));
		fputs(c ? "," : "", f);
		if (strpbrk(buf, ",\"\n") == NULL) {
			fputs(buf, f);
			continue;
		}
		fputc('"', f);
		for (q = buf; *q != '\0'; q++)
			fprintf(f, *q == '"' ? "\"\"" : "%c", *q);
		fputc('"', f);
	}
	fputc('\n', f);
}

static void
json_line(const struct row *r)
{
	const unsigned char *q;
	char buf[256];
	int c;

	putchar('{');
	for (c = 0; c < NCOL; c++) {
		cell(r, c, 0, buf, sizeof(buf));
		printf("%s\"%s\":", c ? "," : "", col_key[c]);
		if (col_type(c) != T_STR) {
			fputs(buf[0] != '\0' ? buf : "null", stdout);
			continue;
		}
		putchar('"');
		for (q = (const unsigned char *)buf; *q != '\0'; q++)
			printf(*q == '"' || *q == '\\' ? "\\%c" : *q < 0x20 ?
			    "\\u%04x" : "%c", *q);
		putchar('"');
	}
	puts("}");
}

/* Keep the row (for the tables and targets) and stream it as CSV or JSON. */
void
bench_emit(struct bench *b, const struct row *r)
{
	if (b->nrows == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		if ((b->rows = reallocarray(b->rows, (size_t)b->cap,
		    sizeof(*b->rows))) == NULL)
			err(1, "bench");
	}
	b->rows[b->nrows++] = *r;
	if (b->csv != NULL) {
		if (!b->csv_header)
			csv_line(b->csv, NULL);
		csv_line(b->csv, r);
	}
	if (b->format == FORMAT_CSV) {
		if (!b->csv_header)
			csv_line(stdout, NULL);
		csv_line(stdout, r);
	} else if (b->format == FORMAT_JSON)
		json_line(r);
	b->csv_header = 1;
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

/* A Markdown table of one group's rows, with the columns some row uses. */
static void
group_table(const struct bench *b, const char *group, const char *title)
{
	int use[NCOL] = { 0 }, c, i, any = 0, failed = 0;
	char buf[256];
	const struct row *r;

	for (i = 0; i < b->nrows; i++) {
		if (strcmp((r = &b->rows[i])->group, group) != 0)
			continue;
		any = 1;
		failed |= !has_value(r) || strcmp(r->status, "fail") == 0;
		for (c = C_NAME; c < NCOL; c++) {
			cell(r, c, 1, buf, sizeof(buf));
			use[c] |= buf[0] != '\0';
		}
	}
	if (!any)
		return;
	use[C_REPEAT] = use[C_UNIT] = 0;
	use[C_NOTE] = failed || strcmp(group, "target") == 0;
	printf("\n### %s\n\n|", title);
	for (c = 0; c < NCOL; c++)
		if (use[c])
			printf(" %s |", col_head[c]);
	printf("\n|");
	for (c = 0; c < NCOL; c++)
		if (use[c])
			printf("%s|", col_type(c) == T_STR ? "---" : "---:");
	putchar('\n');
	for (i = 0; i < b->nrows; i++) {
		if (strcmp((r = &b->rows[i])->group, group) != 0)
			continue;
		putchar('|');
		for (c = 0; c < NCOL; c++) {
			if (!use[c])
				continue;
			cell(r, c, 1, buf, sizeof(buf));
			printf(" %s |", buf);
		}
		putchar('\n');
	}
}

void
bench_tables(struct bench *b)
{
	static const char *const groups[][2] = {
		{ "counter", "counter: ops/s, every guard, shmsync vs a bare "
		  "loop (atomic: the hardware's ceiling)" },
		{ "queue", "queue: items/s in processes, shmsync vs kernel channels" },
		{ "barrier", "barrier: rounds/s (--even: the barrier alone)" },
		{ "pingpong", "ping-pong: round-trip latency between two workers" },
		{ "spawn", "spawn: launch N workers to the start and reap them, per worker" },
		{ "falseshare", "false sharing: private counters packed vs padded, ops/s" },
		{ "trace", "trace: the mutex counter with and without --trace's "
		  "recording, ops/s" },
		{ "target", "targets: ratios of medians from this run" },
	};
	size_t i;

	printf("## shmsync bench\n\n");
	bench_machine(stdout, "machine: ");
	printf("\nmedian of %u runs per case (min and max beside it); each run "
	    "checked its invariant.\n", b->repeat);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		group_table(b, groups[i][0], groups[i][1]);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(1, "bench: stdout");
}
