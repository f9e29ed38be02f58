/*
 * check_foobar.c - the foobar demo (workers/foobar.c), as threads and as
 * processes: exactly "foobar" N times with the semaphores, broken pairs
 * without; a partner killed mid-run releases the other at once.
 */
#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Exactly foobar x N with the semaphores; pairs broken without. */
START_TEST(foobar_pairs)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "foobar -n 2000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2000);
	ck_assert_uint_eq(jnum(&row[0], "broken"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "foobar -n 5000 -s none -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_gt(jnum(&row[0], "broken"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

START_TEST(foobar_both_modes)
{
	both_modes_verdict("foobar -n 1000", "ok");
}
END_TEST

/* Either partner killed mid-run: the other is released. */
START_TEST(foobar_released)
{
	static const char *const args[] = {
		"foobar -n 20000 --inject kill@0:5",
		"foobar -n 20000 --inject kill@1:5",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(foobar_bad_input)
{
	expect_usage("foobar -n 0", NULL);
}
END_TEST

Suite *
demo_foobar_suite(void)
{
	Suite *s = suite_create("demo_foobar");
	TCase *tc = tcase_in(s, "foobar", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, foobar_pairs, 0, 2);
	tcase_add_test(tc, foobar_both_modes);
	tcase_add_test(tc, foobar_bad_input);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, foobar_released, 0, 4);
	return s;
}
