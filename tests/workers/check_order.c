/*
 * check_order.c - the order demo (workers/order.c), as threads and as
 * processes: started in a random order, yet first, second, third every
 * round, and not without the semaphores; the common seed replays the
 * orders; a worker killed mid-run releases the others at once.
 */
#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Random start order, yet first second third every round; unguarded, not. */
START_TEST(order_rounds)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "order -n 300 -j 30 --seed %d -m %s", 7 + _i, modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 300);
	ck_assert_uint_eq(jnum(&row[0], "out_of_order"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "order -n 300 -j 30 -s none -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_gt(jnum(&row[0], "out_of_order"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

START_TEST(order_both_modes)
{
	both_modes_verdict("order -n 200 -j 10", "ok");
}
END_TEST

/* order takes the common seed, and echoes it. */
START_TEST(order_seed)
{
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "order -n 20 -j 200 --seed 3 -m thread"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 3);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* A partner killed mid-run: the others, asleep on a semaphore, are released. */
START_TEST(order_released)
{
	static const char *const args[] = {
		"order -n 2000 --inject kill@0:5",
		"order -n 2000 -j 0 --inject kill@1:5",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(order_bad_input)
{
	expect_usage("order -s maybe", NULL);
}
END_TEST

Suite *
demo_order_suite(void)
{
	Suite *s = suite_create("demo_order");
	TCase *tc = tcase_in(s, "order", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, order_rounds, 0, 2);
	tcase_add_test(tc, order_both_modes);
	tcase_add_test(tc, order_seed);
	tcase_add_test(tc, order_bad_input);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, order_released, 0, 4);
	return s;
}
