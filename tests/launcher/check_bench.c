/*
 * check_bench.c - launcher/bench/, `shmsync bench`: every demo, option and
 * keyword it names exists; its rows rendered as CSV, JSON and Markdown by
 * the one renderer say the same values; it refuses bad options, and a small
 * run gives parseable CSV and JSON with every measured row ok (median
 * between min and max) and every target held, missed or n/a; the locks
 * group gives exactly one row per lock guard, mode and size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../launcher/bench/bench.h"
#include "../../launcher/report.h"
#include "../tests.h"

START_TEST(bench_names_exist)
{
	const char *bad = bench_names();

	ck_assert_msg(bad == NULL, "bench names what does not exist: %s", bad);
}
END_TEST

/* Rows of every kind: a rate, a latency, a failed case, a target; a note to quote. */
static const struct {
	struct bkey	 key;
	struct bstat	 st;
	const char	*md;		/* its Markdown line, by hand */
} rows[] = {
	{ { BG_COUNTER, "mutex", "shmsync", "thread", 2, 0, 0, 0, 0, 0, "ops/s" },
	  { 1000, 3, 12345678.9, 1000000.0, 25000000.0, "ok", "exact, \"so\"" },
	  "| mutex | shmsync | thread | 2 | 1000 | 12.35M | 1.00M | 25.00M | ok |" },
	{ { BG_PINGPONG, "spin", "bare", "process", 2, 0, 0, 0, 0, 0, "ns/rtt" },
	  { 500, 3, 748.0, 512.0, 1500.0, "ok", "500 round trips" },
	  "| spin | bare | process | 2 | 500 | 748 ns | 512 ns | 1.5 us | ok |" },
	{ { BG_PINGPONG, "sem", "bare", "thread", 2, 0, 0, 0, 0, 0, "ns/rtt" },
	  { 100, 3, 0, 0, 0, "fail", "lost a hand-off" },
	  "| sem | bare | thread | 2 | 100 |  |  |  | fail | lost a hand-off |" },
	{ { BG_TARGET, "mpmc/pipe", "", "process", 2, 1, 0, 8, 64, 0, "x" },
	  { 0, 0, 0.8456, 0, 0, "held", "want >= 0.80x; why" },
	  "| mpmc/pipe | process | 2 | 1 | 8 | 64 | 0.85x | held | want >= 0.80x; why |" },
};

/* Each row's CSV cell is its JSON value (empty: null); its Markdown line is the one by hand. */
START_TEST(bench_renderings_agree)
{
	struct bench b;
	char *csv, *json, *md, cell[256];
	size_t csvlen, jsonlen, mdlen;
	const struct jfield *f;
	struct jobj o;
	FILE *js, *ms;
	int i, k;

	memset(&b, 0, sizeof(b));
	b.format = FORMAT_TABLE;	/* nothing on stdout until the tables */
	ck_assert_ptr_nonnull(b.csv = open_memstream(&csv, &csvlen));
	for (i = 0; i < 4; i++)
		bench_row(&b, &rows[i].key, &rows[i].st);
	ck_assert_int_eq(fclose(b.csv), 0);
	ck_assert_int_eq(b.nrows, 4);
	ck_assert_int_eq(count_lines(csv), 5);
	ck_assert_ptr_nonnull(strstr(csv, "\"exact, \"\"so\"\"\""));
	for (i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(js = open_memstream(&json, &jsonlen));
		report_json(js, &b.rows[i]);
		ck_assert_int_eq(fclose(js), 0);
		ck_assert_msg(json_object(json, &o) == 0, "%s: %s", o.err, json);
		ck_assert_int_eq(o.n, b.rows[i].n);
		for (k = 0; k < o.n; k++) {
			csv_get(csv, i + 1, o.f[k].key, cell, sizeof(cell));
			f = &o.f[k];
			ck_assert_msg(cell[0] == '\0' ? f->type == J_NULL ||
			    (f->type == J_STR && f->val[0] == '\0') :
			    strcmp(cell, f->val) == 0, "row %d %s: CSV '%s', JSON '%s'",
			    i, f->key, cell, f->val);
		}
		free(json);
		ck_assert_ptr_nonnull(ms = open_memstream(&md, &mdlen));
		report_markdown(ms, b.rows, b.nrows, rows[i].key.group, "t");
		ck_assert_int_eq(fclose(ms), 0);
		ck_assert_msg(strstr(md, rows[i].md) != NULL, "no '%s' in\n%s",
		    rows[i].md, md);
		if (rows[i].key.group == BG_TARGET)
			ck_assert_ptr_nonnull(strstr(md, "\n### t\n\n| case | mode | "
			    "workers | P | item B | batch | median | check | note |\n"
			    "|---|---|---:|---:|---:|---:|---:|---|---|\n"));
		free(md);
	}
	ck_assert_ptr_nonnull(strstr(csv, "\ntarget,mpmc/pipe,,process,2,1,,8,64,,,,"
	    "x,0.846,,,held,"));
	free(csv);
	free(b.rows);
}
END_TEST

#define FIELD	256

START_TEST(bench_bad_input)
{
	static const char *const bad[] = {
		"bench --repeat 0", "bench --only nope", "bench --format xml",
		"bench --workers 1,x", "bench --workers 4097", "bench extra",
		"bench --run-ms", "bench --spawn-max 0", "bench --only locks,lock",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

/* Every measured row ok with numbers in order; every target row held, missed or n/a. */
static int
bench_rows_ok(const char *csv)
{
	char group[FIELD], status[FIELD], med[FIELD], lo[FIELD], hi[FIELD];
	int r, n = count_lines(csv) - 1;

	for (r = 1; r <= n; r++) {
		csv_get(csv, r, "group", group, sizeof(group));
		csv_get(csv, r, "status", status, sizeof(status));
		csv_get(csv, r, "median", med, sizeof(med));
		if (strcmp(group, "target") == 0) {
			ck_assert_msg(strcmp(status, "held") == 0 ||
			    strcmp(status, "missed") == 0 || strcmp(status, "n/a") == 0,
			    "target row %d: %s", r, status);
			continue;
		}
		csv_get(csv, r, "min", lo, sizeof(lo));
		csv_get(csv, r, "max", hi, sizeof(hi));
		ck_assert_msg(strcmp(status, "ok") == 0, "row %d: %s\n%s", r,
		    status, csv);
		ck_assert(atof(med) > 0);
		ck_assert(atof(lo) <= atof(med) && atof(med) <= atof(hi));
	}
	return n;
}

START_TEST(bench_smoke_csv)
{
	static const char *const only[] = { "counter", "queue",
	    "barrier,pingpong,spawn,falseshare" };
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "bench --quick --repeat 1 --run-ms 1 "
	    "--workers 2 --spawn-max 4 --only %s --format csv", only[_i]), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "group,name,impl,mode,workers,"
	    "producers,consumers,item_size,batch,capacity,iterations,repeat,unit,"
	    "median,min,max,status,note\n"));
	ck_assert_int_gt(bench_rows_ok(c.out), 3);
	if (_i == 0)
		ck_assert_ptr_nonnull(strstr(c.out, "target,harness/bare mutex,"));
	if (_i == 1)
		ck_assert_ptr_nonnull(strstr(c.out, "queue,mq,baseline,process,2,1,1,8,"));
	cmd_free(&c);
}
END_TEST

/* How many rows of csv are (name, impl, mode, workers, unit) with status ok and a positive median. */
static int
rows_like(const char *csv, const char *name, const char *impl, const char *mode,
    unsigned workers, const char *unit)
{
	static const char *const keys[] = { "name", "impl", "mode", "unit" };
	const char *want[] = { name, impl, mode, unit };
	char cell[FIELD];
	int r, k, hits = 0, n = count_lines(csv) - 1;

	for (r = 1; r <= n; r++) {
		for (k = 0; k < 4; k++) {
			csv_get(csv, r, keys[k], cell, sizeof(cell));
			if (strcmp(cell, want[k]) != 0)
				break;
		}
		csv_get(csv, r, "workers", cell, sizeof(cell));
		if (k < 4 || strtoul(cell, NULL, 10) != workers)
			continue;
		csv_get(csv, r, "status", cell, sizeof(cell));
		ck_assert_msg(strcmp(cell, "ok") == 0, "%s %s %s %u: %s", name,
		    impl, mode, workers, cell);
		csv_get(csv, r, "median", cell, sizeof(cell));
		ck_assert_msg(atof(cell) > 0, "%s %s %s %u: median %s", name, impl,
		    mode, workers, cell);
		hits++;
	}
	return hits;
}

/*
 * Every lock guard (not none, naive-flag or atomic): CPU per acquisition
 * with 4 workers and a sleeping holder, then ops/s at 1..16 workers, in
 * both modes; nothing else.
 */
START_TEST(bench_locks_rows)
{
	static const char *const locks[] = { "mutex", "sem", "spin", "tas",
	    "ttas", "yield", "cas", "ticket", "mcs", "futex" };
	static const char *const modes[] = { "thread", "process" };
	static const unsigned workers[] = { 1, 2, 4, 8, 16 };
	const int nl = sizeof(locks) / sizeof(locks[0]);
	const int nw = sizeof(workers) / sizeof(workers[0]);
	struct cmd c;
	int g, m, w;

	ck_assert_int_eq(cmd_runf(&c, "bench --quick --repeat 1 --run-ms 1 "
	    "--only locks -f csv"), 0);
	expect(&c, 0);
	ck_assert_int_eq(bench_rows_ok(c.out), nl * 2 * (1 + nw));
	for (g = 0; g < nl; g++)
		for (m = 0; m < 2; m++) {
			ck_assert_int_eq(rows_like(c.out, locks[g], "hold 100us",
			    modes[m], 4, "ns/acq"), 1);
			for (w = 0; w < nw; w++)
				ck_assert_int_eq(rows_like(c.out, locks[g], "no hold",
				    modes[m], workers[w], "ops/s"), 1);
		}
	ck_assert_ptr_null(strstr(c.out, "\ntarget,"));
	cmd_free(&c);
}
END_TEST

START_TEST(bench_smoke_json)
{
	struct cmd c;
	char *line, *p;
	int n = 0;

	ck_assert_int_eq(cmd_runf(&c, "bench --repeat 1 --run-ms 1 --only "
	    "pingpong --format json"), 0);
	expect(&c, 0);
	for (p = c.out; (line = strsep(&p, "\n")) != NULL && *line != '\0'; n++) {
		ck_assert_int_eq(line[0], '{');
		ck_assert_int_eq(line[strlen(line) - 1], '}');
		ck_assert_ptr_nonnull(strstr(line, "\"group\":\"pingpong\""));
		ck_assert_ptr_nonnull(strstr(line, "\"status\":\"ok\""));
		ck_assert_ptr_nonnull(strstr(line, "\"producers\":null"));
	}
	ck_assert_int_eq(n, 6);
	cmd_free(&c);
}
END_TEST

Suite *
launcher_bench_suite(void)
{
	Suite *s = suite_create("launcher_bench");
	TCase *tc = tcase_in(s, "bench", TEST_TIMEOUT, 0);

	tcase_add_test(tc, bench_names_exist);
	tcase_add_test(tc, bench_renderings_agree);
	tcase_add_loop_test(tc, bench_bad_input, 0, 9);
	tcase_add_loop_test(tc, bench_smoke_csv, 0, 3);
	tcase_add_test(tc, bench_locks_rows);
	tcase_add_test(tc, bench_smoke_json);
	return s;
}
