/*
 * check_pool.c - the pool demo (workers/pool.c), as threads and as
 * processes: every task run once with the right result, by a pool and by a
 * worker per task; --inject strikes a worker's own n-th task.
 */
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Every task once, every result right: a pool, and a worker per task. */
START_TEST(pool_tasks)
{
	static const char *const spawn[] = { "pool", "per-task" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "pool -w 3 -j 40 -k 100 -S %s -m %s", spawn[_i / 2],
	    modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 40);
	ck_assert_uint_eq(jnum(&row[0], "tasks_run"), 40);
	ck_assert_uint_eq(jnum(&row[0], "workers"), _i / 2 ? 40 : 3);
	ck_assert_uint_gt(jnum(&row[0], "ns_per_task"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(pool_both_modes)
{
	both_modes_verdict("pool -j 16 -S per-task", "ok");
}
END_TEST

/*
 * ITERATION is the worker's own step: with 64 tasks one of two workers
 * takes a second, whichever tasks they were.
 */
START_TEST(pool_inject_own_step)
{
	static const char *const runs[] = {
		"pool -w 2 -j 64 -k 20000 --inject kill@0:1,kill@1:1",
		"pool -w 1 -j 8 --inject kill@0:5",
	};
	struct cmd c;
	unsigned k;

	for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		ck_assert_int_eq(cmd_runf(&c, "%s -T 20 -f json -m %s", runs[k],
		    modes[_i]), 0);
		expect_injected(&c, runs[k]);
		cmd_free(&c);
	}
}
END_TEST

START_TEST(pool_bad_input)
{
	static const char *const bad[] = {
		"pool -S per-task -j 5000", "pool -S per-task -j 4097",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

/* A pool of W workers runs each of J tasks once, whatever W and J. */
START_TEST(pool_tasks_exact)
{
	static const struct { unsigned w, j; } t[] = { { 1, 7 }, { 2, 25 }, { 5, 64 } };
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "pool -w %u -j %u -S pool", t[_i].w, t[_i].j);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), t[_i].j);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), t[_i].j);
		ck_assert_uint_eq(csv_num(c.out, r, "tasks_run"), t[_i].j);
		ck_assert_uint_eq(csv_num(c.out, r, "workers"), t[_i].w);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_pool_suite(void)
{
	Suite *s = suite_create("demo_pool");
	TCase *tc = tcase_in(s, "pool", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, pool_tasks, 0, 4);
	tcase_add_loop_test(tc, pool_tasks_exact, 0, 3);
	tcase_add_test(tc, pool_both_modes);
	tcase_add_loop_test(tc, pool_bad_input, 0, 2);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, pool_inject_own_step, 0, 2);
	return s;
}
