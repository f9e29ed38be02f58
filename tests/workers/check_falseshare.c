/*
 * check_falseshare.c - the falseshare demo (workers/falseshare.c): packed
 * and padded counters each count exactly workers x iterations, as threads
 * and as processes, for a count or for -t seconds.
 */
#include <stdint.h>

#include "../tests.h"

/* Both layouts, both modes: exact, and the stride each layout promises. */
START_TEST(falseshare_counts_exact)
{
	struct cmd c;
	int r;

	ck_assert_int_eq(cmd_runf(&c, "falseshare -w 3 -n 200000 --mode both "
	    "--format csv"), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 5);
	for (r = 1; r <= 4; r++) {
		csv_want(c.out, r, "verdict", "ok");
		csv_want(c.out, r, "expected", "600000");
		csv_want(c.out, r, "observed", "600000");
		csv_want(c.out, r, "stride", r <= 2 ? "8" : "64");
	}
	csv_want(c.out, 1, "sync", "packed");
	csv_want(c.out, 3, "sync", "padded");
	cmd_free(&c);
}
END_TEST

/* -t: on time and exact. */
START_TEST(falseshare_timed)
{
	expect_timed("falseshare -w 2 -l padded");
}
END_TEST

Suite *
demo_falseshare_suite(void)
{
	Suite *s = suite_create("demo_falseshare");
	TCase *tc = tcase_in(s, "falseshare", CLI_TIMEOUT, 0);

	tcase_add_test(tc, falseshare_counts_exact);
	tcase_add_test(tc, falseshare_timed);
	return s;
}
