/*
 * check_bench.c - launcher/bench/ (bench.c, benchout.c, targets.c), `shmsync
 * bench`: it refuses bad options, and a small run gives parseable CSV and
 * JSON with every measured row ok (median between min and max) and every
 * target held, missed or n/a.
 */
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

#define FIELD	256

START_TEST(bench_bad_input)
{
	static const char *const bad[] = {
		"bench --repeat 0", "bench --only nope", "bench --format xml",
		"bench --workers 1,x", "bench --workers 4097", "bench extra",
		"bench --run-ms", "bench --spawn-max 0",
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

	tcase_add_loop_test(tc, bench_bad_input, 0, 8);
	tcase_add_loop_test(tc, bench_smoke_csv, 0, 3);
	tcase_add_test(tc, bench_smoke_json);
	return s;
}
