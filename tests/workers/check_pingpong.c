/*
 * check_pingpong.c - the pingpong demo (workers/pingpong.c), as threads and
 * as processes, by semaphore and by spin: 2N passes, every token in turn, a
 * round trip measured; for a count or for -t seconds; a partner killed
 * mid-run releases the other at once.
 */
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* 2N passes, every token in turn, a round trip measured: both hand-offs. */
START_TEST(pingpong_turns)
{
	static const char *const via[] = { "sem", "spin" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "pingpong -n 2000 -V %s -m %s", via[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 4000);
	ck_assert_uint_eq(jnum(&row[0], "out_of_turn"), 0);
	ck_assert_uint_gt(jnum(&row[0], "rtt_median_ns"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(pingpong_both_modes)
{
	both_modes_verdict("pingpong -n 500 -V spin", "ok");
}
END_TEST

/* -t: on time and exact. */
START_TEST(pingpong_timed)
{
	expect_timed("pingpong");
}
END_TEST

/* A partner killed mid-run, asleep on a semaphore or spinning: released. */
START_TEST(pingpong_released)
{
	static const char *const args[] = {
		"pingpong -n 20000 --inject kill@1:5",
		"pingpong -n 20000 -V spin --inject kill@0:5",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(pingpong_bad_input)
{
	expect_usage("pingpong -V carrier", NULL);
}
END_TEST

/* N round trips are 2N passes, from a single one up, by semaphore and by spin. */
START_TEST(pingpong_passes_exact)
{
	static const struct { unsigned n; const char *via; } t[] = {
		{ 1, "sem" }, { 777, "spin" }, { 1000, "sem" },
	};
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "pingpong -n %u -V %s", t[_i].n, t[_i].via);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), 2 * t[_i].n);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), 2 * t[_i].n);
		ck_assert_uint_eq(csv_num(c.out, r, "out_of_turn"), 0);
		csv_want(c.out, r, "sync", t[_i].via);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_pingpong_suite(void)
{
	Suite *s = suite_create("demo_pingpong");
	TCase *tc = tcase_in(s, "pingpong", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, pingpong_turns, 0, 4);
	tcase_add_loop_test(tc, pingpong_passes_exact, 0, 3);
	tcase_add_test(tc, pingpong_both_modes);
	tcase_add_test(tc, pingpong_timed);
	tcase_add_test(tc, pingpong_bad_input);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, pingpong_released, 0, 4);
	return s;
}
