/*
 * check_deadlock.c - the deadlock demo (workers/deadlock.c), as threads and
 * as processes: the bad lock order deadlocks and the cycle is named, even
 * when the wait is short; both cures (one order, back off) finish every
 * transfer; the common seed is echoed.
 */
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* The bad order deadlocks and the cycle is named. */
START_TEST(deadlock_cycle)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -n 100 -W 40 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_ge(jnum(&row[0], "deadlocks"), 1);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds A waits B"));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds B waits A"));
	cmd_free(&c);
}
END_TEST

/* Both cures finish: two workers, every iteration, no deadlock. */
START_TEST(deadlock_cures)
{
	static const char *const fix[] = { "order", "backoff" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -n 500 -x %s -m %s", fix[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 1000);
	ck_assert_uint_eq(jnum(&row[0], "deadlocks"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	if (_i / 2 == 1)
		ck_assert_uint_ge(jnum(&row[0], "retries"), 1);
	cmd_free(&c);
}
END_TEST

/* A 1 ms wait expires before the partner records its wait: still the cycle, never a failure. */
START_TEST(deadlock_short_wait)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -W 1 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_ge(jnum(&row[0], "deadlocks"), 1);
	ck_assert_uint_le(jnum(&row[0], "observed"), 1);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds A waits B"));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds B waits A"));
	cmd_free(&c);
}
END_TEST

START_TEST(deadlock_both_modes)
{
	static const struct {
		const char	*args;
		const char	*verdict;
	} t[] = {
		{ "deadlock -W 20", "race" },
		{ "deadlock -n 200 -x backoff", "ok" },
	};

	both_modes_verdict(t[_i].args, t[_i].verdict);
}
END_TEST

/* deadlock takes the common seed, and echoes it. */
START_TEST(deadlock_seed)
{
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "deadlock -n 50 -x backoff --seed 3 "
	    "-m thread"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 3);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(deadlock_bad_input)
{
	static const char *const bad[] = { "deadlock -x prayer", "deadlock -W 0" };

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_deadlock_suite(void)
{
	Suite *s = suite_create("demo_deadlock");
	TCase *tc = tcase_in(s, "deadlock", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, deadlock_cycle, 0, 2);
	tcase_add_loop_test(tc, deadlock_cures, 0, 4);
	tcase_add_loop_test(tc, deadlock_short_wait, 0, 2);
	tcase_add_loop_test(tc, deadlock_both_modes, 0, 2);
	tcase_add_test(tc, deadlock_seed);
	tcase_add_loop_test(tc, deadlock_bad_input, 0, 2);
	return s;
}
