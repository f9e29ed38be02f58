/*
 * check_timeout.c - the timeout demo (workers/timeout.c), as threads and as
 * processes: trylock answers EBUSY at once, timedlock ETIMEDOUT at the
 * deadline asked, and a blocking lock gets the mutex once it is released.
 */
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* EBUSY at once, ETIMEDOUT at the asked deadline, the lock after the release. */
START_TEST(timeout_three_ways)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "timeout -w 3 -H 120 -W 30 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "trylock"), "EBUSY");
	ck_assert_uint_lt(jnum(&row[0], "try_ns"), 30000000);	/* did not wait */
	ck_assert_str_eq(jstr(&row[0], "timedlock"), "ETIMEDOUT");
	ck_assert_uint_ge(jnum(&row[0], "timed_ns"), 30000000);
	ck_assert_uint_lt(jnum(&row[0], "timed_ns"), 2030000000);
	ck_assert_uint_ge(jnum(&row[0], "blocked_ns"), 45000000);	/* it waited */
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(timeout_bad_input)
{
	static const char *const bad[] = { "timeout -W 200 -H 100", "timeout -w 1" };

	expect_usage(bad[_i], NULL);
}
END_TEST

/* One holder, the others each take the lock once it is released: workers - 1. */
START_TEST(timeout_waiters_exact)
{
	static const unsigned w[] = { 2, 5 };
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "timeout -w %u -H 60 -W 20", w[_i]);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), w[_i] - 1);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), w[_i] - 1);
		csv_want(c.out, r, "trylock", "EBUSY");
		csv_want(c.out, r, "timedlock", "ETIMEDOUT");
		ck_assert_uint_ge(csv_num(c.out, r, "timed_ns"), 20 * NS_PER_MS);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_timeout_suite(void)
{
	Suite *s = suite_create("demo_timeout");
	TCase *tc = tcase_in(s, "timeout", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, timeout_three_ways, 0, 2);
	tcase_add_loop_test(tc, timeout_waiters_exact, 0, 2);
	tcase_add_loop_test(tc, timeout_bad_input, 0, 2);
	return s;
}
