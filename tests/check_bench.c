/*
 * check_bench.c - end to end: the queue demo's fast paths (mpmc with spin or
 * futex only, batches, the spsc ring) deliver every item once and whole in
 * both modes at 8, 64 and 4096 bytes; the hybrid barrier keeps the rounds in
 * order; falseshare counts exactly; `shmsync bench` refuses bad options and
 * a small run gives parseable CSV and JSON with every check ok.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workers/worker.h"
#include "tests.h"

#define FIELD	256

static void
expect(struct cmd *c, int status)
{
	ck_assert_msg(c->status == status, "exit %d, want %d; stderr: %s",
	    c->status, status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
}

/* Field k (0-based) of one CSV line, unquoted, into out; -1 past the end. */
static int
csv_field(const char *line, int k, char *out, size_t len)
{
	size_t n = 0;
	int i = 0, quoted = 0;

	for (; *line != '\0' && *line != '\n'; line++) {
		if (*line == '"' && quoted && line[1] == '"')
			line++;
		else if (*line == '"') {
			quoted = !quoted;
			continue;
		} else if (*line == ',' && !quoted) {
			if (i++ == k)
				break;
			continue;
		}
		if (i == k && n + 1 < len)
			out[n++] = *line;
	}
	out[n] = '\0';
	return i >= k ? 0 : -1;
}

/* The column of key in the header line. */
static int
csv_col(const char *head, const char *key)
{
	char f[FIELD];
	int k;

	for (k = 0; csv_field(head, k, f, sizeof(f)) == 0; k++)
		if (strcmp(f, key) == 0)
			return k;
	ck_abort_msg("no column %s in %s", key, head);
	return -1;
}

/* Row r's (1-based, after the header) value of key. */
static void
csv_get(const char *csv, int r, const char *key, char *out)
{
	const char *line = csv;
	int k = csv_col(csv, key), i;

	for (i = 0; i < r; i++) {
		line = strchr(line, '\n');
		ck_assert_ptr_nonnull(line);
		line++;
	}
	ck_assert_int_eq(csv_field(line, k, out, FIELD), 0);
}

static void
want_field(const char *csv, int r, const char *key, const char *want)
{
	char got[FIELD];

	csv_get(csv, r, key, got);
	ck_assert_msg(strcmp(got, want) == 0, "row %d %s = '%s', want '%s'\n%s",
	    r, key, got, want, csv);
}

/* Every fast path x item size, both modes: each item once, whole. */
START_TEST(queue_fast_paths_exact)
{
	static const char *const paths[] = {
		"-p 2 -c 2",			/* mpmc, spin then futex */
		"-p 2 -c 2 --spin 0",		/* mpmc, futex only */
		"-p 3 -c 2 -b 7",		/* mpmc, batches */
		"-q spsc -p 1 -c 1",		/* lock-free ring */
		"-q spsc -p 1 -c 1 -b 5 --spin 0",
	};
	static const char *const sizes[] = { "8", "64", "4096" };
	const char *path = paths[_i / 3], *size = sizes[_i % 3];
	struct cmd c;
	char items[32];
	int r;

	ck_assert_int_eq(cmd_runf(&c, "queue %s -n 3000 -k 16 -s %s --mode both "
	    "--format csv", path, size), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 3);
	for (r = 1; r <= 2; r++) {
		want_field(c.out, r, "verdict", "ok");
		want_field(c.out, r, "torn", "0");
		want_field(c.out, r, "duplicates", "0");
		want_field(c.out, r, "checksum_ok", "true");
		want_field(c.out, r, "item-size", size);
		csv_get(c.out, r, "expected", items);
		want_field(c.out, r, "observed", items);
		want_field(c.out, r, "produced", items);
	}
	want_field(c.out, 1, "mode", "thread");
	want_field(c.out, 2, "mode", "process");
	cmd_free(&c);
}
END_TEST

START_TEST(queue_bad_input)
{
	static const char *const bad[] = {
		"queue -q spsc -p 2 -c 1",
		"queue -q spsc",
		"queue -s 4",
		"queue -s 65537",
		"queue -q ring",
		"queue -b 4096 -s 65536",
		"queue -k 16777216 -s 4096",
	};
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", bad[_i]), 0);
	expect(&c, 2);
	ck_assert_int_eq(count_lines(c.err), 1);
	ck_assert_str_eq(c.out, "");
	cmd_free(&c);
}
END_TEST

START_TEST(barrier_hybrid_rounds)
{
	static const char *const runs[] = {
		"-w 2 -r 2000 --even", "-w 3 -r 500", "-w 8 -r 200",
	};
	struct cmd c;
	int r;

	ck_assert_int_eq(cmd_runf(&c, "barrier --barrier hybrid %s --mode both "
	    "--format csv", runs[_i]), 0);
	expect(&c, 0);
	for (r = 1; r <= 2; r++) {
		want_field(c.out, r, "sync", "hybrid");
		want_field(c.out, r, "verdict", "ok");
		want_field(c.out, r, "early", "0");
		want_field(c.out, r, "serial_bad", "0");
	}
	cmd_free(&c);
}
END_TEST

START_TEST(falseshare_counts_exact)
{
	struct cmd c;
	int r;

	ck_assert_int_eq(cmd_runf(&c, "falseshare -w 3 -n 200000 --mode both "
	    "--format csv"), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 5);
	for (r = 1; r <= 4; r++) {
		want_field(c.out, r, "verdict", "ok");
		want_field(c.out, r, "expected", "600000");
		want_field(c.out, r, "observed", "600000");
		want_field(c.out, r, "stride", r <= 2 ? "8" : "64");
	}
	want_field(c.out, 1, "sync", "packed");
	want_field(c.out, 3, "sync", "padded");
	cmd_free(&c);
}
END_TEST

/* BENCHMARKS.md's "64 bytes per worker": the run header's slot is one cache line. */
START_TEST(slot_is_one_line)
{
	ck_assert_uint_eq(sizeof(struct slot), CACHE_LINE);
	ck_assert_uint_eq(sizeof(struct run_shared) % CACHE_LINE, 0);
}
END_TEST

START_TEST(bench_bad_input)
{
	static const char *const bad[] = {
		"bench --repeat 0", "bench --only nope", "bench --format xml",
		"bench --workers 1,x", "bench --workers 4097", "bench extra",
		"bench --run-ms", "bench --spawn-max 0",
	};
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", bad[_i]), 0);
	expect(&c, 2);
	ck_assert_int_eq(count_lines(c.err), 1);
	ck_assert_str_eq(c.out, "");
	cmd_free(&c);
}
END_TEST

/* Every measured row ok with numbers in order; every target row held, missed or n/a. */
static int
bench_rows_ok(const char *csv)
{
	char group[FIELD], status[FIELD], med[FIELD], lo[FIELD], hi[FIELD];
	int r, n = count_lines(csv) - 1;

	for (r = 1; r <= n; r++) {
		csv_get(csv, r, "group", group);
		csv_get(csv, r, "status", status);
		csv_get(csv, r, "median", med);
		if (strcmp(group, "target") == 0) {
			ck_assert_msg(strcmp(status, "held") == 0 ||
			    strcmp(status, "missed") == 0 || strcmp(status, "n/a") == 0,
			    "target row %d: %s", r, status);
			continue;
		}
		csv_get(csv, r, "min", lo);
		csv_get(csv, r, "max", hi);
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
bench_suite(void)
{
	Suite *s = suite_create("bench");
	TCase *demos = tcase_create("fast paths"), *b = tcase_create("bench");

	tcase_set_timeout(demos, TEST_TIMEOUT);
	tcase_add_loop_test(demos, queue_fast_paths_exact, 0, 15);
	tcase_add_loop_test(demos, queue_bad_input, 0, 7);
	tcase_add_loop_test(demos, barrier_hybrid_rounds, 0, 3);
	tcase_add_test(demos, falseshare_counts_exact);
	tcase_add_test(demos, slot_is_one_line);
	suite_add_tcase(s, demos);
	tcase_set_timeout(b, TEST_TIMEOUT);
	tcase_add_loop_test(b, bench_bad_input, 0, 8);
	tcase_add_loop_test(b, bench_smoke_csv, 0, 3);
	tcase_add_test(b, bench_smoke_json);
	suite_add_tcase(s, b);
	return s;
}
