/*
 * check_h2o.c - the h2o demo (workers/h2o.c), as threads and as processes:
 * N molecules of exactly 2 H + 1 O, every atom accounted for (2N, N), none
 * leaving an unfinished molecule; without the seats or the barrier, wrong
 * molecules; with exactly -H 2 -O 1 the barrier alone suffices; a worker
 * killed mid-run releases the others at once.
 */
#include <stdio.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* The right molecules for several worker counts: all H2O, atoms 2N and N. */
START_TEST(h2o_exact)
{
	static const char *const workers[] = { "-H 2 -O 1", "-H 4 -O 3", "-H 7 -O 2" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int k;

	for (k = 0; k < 3; k++) {
		run_json(&c, row, "h2o %s -n 400 -m %s -T 10", workers[k], modes[_i]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "expected"), 400);
		ck_assert_uint_eq(jnum(&row[0], "observed"), 400);
		ck_assert_uint_eq(jnum(&row[0], "bad"), 0);
		ck_assert_uint_eq(jnum(&row[0], "torn"), 0);
		ck_assert_uint_eq(jnum(&row[0], "hydrogen"), 800);
		ck_assert_uint_eq(jnum(&row[0], "oxygen"), 400);
		ck_assert_int_eq(json_get(&row[0], "first_bad")->type, J_NULL);
		ck_assert_str_eq(jstr(&row[0], "head"),
		    "H2O H2O H2O H2O H2O H2O H2O H2O H2O H2O");
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		cmd_free(&c);
	}
}
END_TEST

/*
 * No seats: any three atoms bond; no barrier: atoms leave alone.  Every
 * atom is still recorded once (2N, N); wrong molecules, or torn ones.
 */
START_TEST(h2o_race)
{
	static const char *const how[] = { "-s none", "-s nobarrier" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t bad = 0, torn = 0;
	int tries;

	for (tries = 0; tries < 3 && bad + torn == 0; tries++) {
		run_json(&c, row, "h2o -H 4 -O 3 -n 1000 %s -m %s -T 10",
		    how[_i / 2], modes[_i % 2]);
		expect(&c, 0);
		bad = jnum(&row[0], "bad");
		torn = jnum(&row[0], "torn");
		ck_assert_uint_eq(jnum(&row[0], "observed"), 1000 - bad);
		ck_assert_uint_eq(jnum(&row[0], "hydrogen"), 2000);
		ck_assert_uint_eq(jnum(&row[0], "oxygen"), 1000);
		if (bad + torn > 0)
			ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
		cmd_free(&c);
	}
	ck_assert_msg(bad + torn > 0, "%s: never a wrong molecule in 3 runs",
	    how[_i / 2]);
}
END_TEST

/* Three workers, two H and one O: each barrier round holds one of each, so right. */
START_TEST(h2o_barrier_alone)
{
	both_modes_verdict("h2o -H 2 -O 1 -s none -n 500", "ok");
}
END_TEST

START_TEST(h2o_both_modes)
{
	both_modes_verdict("h2o -n 300", "ok");
}
END_TEST

/* A hydrogen worker killed holding its seat: the others, asleep, are released. */
START_TEST(h2o_released)
{
	static const char *const args[] = {
		"h2o -n 20000 --inject kill@0:5",
		"h2o -n 20000 -H 2 -O 1 --inject kill@2:5",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(h2o_bad_input)
{
	expect_usage("h2o -H 1", "-H >= 2");
	expect_usage("h2o -s none -O 2", "--sync none");
	expect_usage("h2o -s maybe", NULL);
	expect_usage("h2o -n 0", NULL);
}
END_TEST

Suite *
demo_h2o_suite(void)
{
	Suite *s = suite_create("demo_h2o");
	TCase *tc = tcase_in(s, "h2o", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, h2o_exact, 0, 2);
	tcase_add_loop_test(tc, h2o_race, 0, 4);
	tcase_add_test(tc, h2o_barrier_alone);
	tcase_add_test(tc, h2o_both_modes);
	tcase_add_test(tc, h2o_bad_input);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, h2o_released, 0, 4);
	return s;
}
