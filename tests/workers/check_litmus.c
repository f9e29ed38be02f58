/*
 * check_litmus.c - the litmus demo (workers/litmus.c) as threads and
 * processes: the outcome counts add up to the trials for every test and
 * fence; the forbidden outcome never shows under the order that forbids it
 * (an invariant: FAIL otherwise), nor for mp and lb on x86; unfenced sb
 * shows it (tolerantly); a worker killed frees the other; bad input.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../tests.h"

#define RACE_TRIES	3

static const char *const modes[] = { "thread", "process" };
static const char *const tests[] = { "sb", "mp", "lb" };
static const char *const fences[] = { "none", "release-acquire", "seq_cst" };
/* The outcome sequential consistency forbids, per test, as a column. */
static const char *const forbidden[] = { "r00", "r10", "r11" };

/* Whether C11 forbids test t's outcome under fence f. */
static int
guaranteed(int t, int f)
{
	return f == 2 || (f == 1 && t != 0);
}

/* One row's arithmetic: the outcomes add up; forbidden, observed, ppm agree. */
static uint64_t
outcomes_add_up(const struct jobj *row, int t, uint64_t n)
{
	uint64_t sum, bad;
	char ppm[32];

	sum = jnum(row, "r00") + jnum(row, "r01") + jnum(row, "r10") +
	    jnum(row, "r11");
	ck_assert_uint_eq(sum, n);
	ck_assert_uint_eq(jnum(row, "iterations"), n);
	ck_assert_uint_eq(jnum(row, "expected"), n);
	bad = jnum(row, forbidden[t]);
	ck_assert_uint_eq(jnum(row, "forbidden"), bad);
	ck_assert_uint_eq(jnum(row, "observed"), n - bad);
	ck_assert_str_eq(jstr(row, "test"), tests[t]);
	snprintf(ppm, sizeof(ppm), "%.1f", 1e6 * (double)bad / (double)n);
	ck_assert_str_eq(json_get(row, "forbidden_ppm")->val, ppm);
	return bad;
}

/* The verdict and note a row must carry for its test and fence. */
static void
judged(const struct jobj *row, int t, int f, uint64_t bad)
{
	const char *note = jstr(row, "note");

	if (guaranteed(t, f)) {
		ck_assert_msg(bad == 0, "%s --fence %s: %ju forbidden: %s",
		    tests[t], fences[f], (uintmax_t)bad, note);
		ck_assert_str_eq(jstr(row, "verdict"), "ok");
		ck_assert_ptr_nonnull(strstr(note, " forbids it"));
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	if (t != 0) {		/* mp, lb: TSO keeps those orders */
		ck_assert_uint_eq(bad, 0);
		ck_assert_str_eq(jstr(row, "verdict"), "ok");
		ck_assert_ptr_nonnull(strstr(note, "x86-TSO keeps "));
		ck_assert_ptr_nonnull(strstr(note, "not observable here"));
		return;
	}
#endif
	ck_assert_str_eq(jstr(row, "verdict"), bad > 0 ? "race" : "ok");
	ck_assert_ptr_nonnull(strstr(note, bad > 0 ? " trials: " :
	    "not a proof; try -n "));
}

/* Every test under --fence all, in both modes: the arithmetic and the verdicts. */
START_TEST(litmus_all_fences)
{
	struct jobj rows[MAX_ROWS];
	const uint64_t n = 30000 + 1001 * (uint64_t)_i;
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "litmus -L %s -F all -n %ju -T 20",
	    tests[_i], (uintmax_t)n), 6);
	expect(&c, 0);
	for (k = 0; k < 6; k++) {
		ck_assert_str_eq(jstr(&rows[k], "sync"), fences[k / 2]);
		ck_assert_str_eq(jstr(&rows[k], "mode"), modes[k % 2]);
		ck_assert_uint_eq(jnum(&rows[k], "workers"), 2);
		judged(&rows[k], _i, k / 2, outcomes_add_up(&rows[k], _i, n));
	}
	cmd_free(&c);
}
END_TEST

/* The default: sb under seq_cst in both modes, never r0=r1=0. */
START_TEST(litmus_default_ok)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "litmus -n 50000 -T 20"), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		ck_assert_str_eq(jstr(&rows[k], "sync"), "seq_cst");
		judged(&rows[k], 0, 2, outcomes_add_up(&rows[k], 0, 50000));
	}
	cmd_free(&c);
}
END_TEST

/* Left to the scheduler (--place any), the arithmetic is as exact. */
START_TEST(litmus_place_any)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "litmus -L %s -F all -n 5000 "
	    "--place any -T 20", tests[_i]), 6);
	expect(&c, 0);
	for (k = 0; k < 6; k++) {
		ck_assert_str_eq(jstr(&rows[k], "place"), "any");
		judged(&rows[k], _i, k / 2, outcomes_add_up(&rows[k], _i, 5000));
	}
	cmd_free(&c);
}
END_TEST

/* One trial, and a few: still exactly one outcome per trial. */
START_TEST(litmus_few_trials)
{
	static const uint64_t ns[] = { 1, 2, 7 };
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "litmus -L %s -F none -n %ju -T 20",
	    tests[_i], (uintmax_t)ns[_i]), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++)
		judged(&rows[k], _i, 0, outcomes_add_up(&rows[k], _i, ns[_i]));
	cmd_free(&c);
}
END_TEST

/*
 * Unfenced sb: a load passes its own store, r0 = r1 = 0 shows when both
 * CPUs really run the two workers at once (--place spread, the default,
 * pins them apart).  Up to RACE_TRIES runs; none is a skip, not a failure.  release-acquire does not forbid it either.
 */
START_TEST(litmus_sb_race)
{
	const char *fence = _i / 2 ? "release-acquire" : "none";
	const uint64_t n = 200000;
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	uint64_t bad = 0;
	int t;

	for (t = 0; t < RACE_TRIES && bad == 0; t++) {
		ck_assert_int_eq(run_json(&c, rows, "litmus -F %s -n %ju -m %s -T 20",
		    fence, (uintmax_t)n, modes[_i % 2]), 1);
		expect(&c, 0);
		bad = outcomes_add_up(&rows[0], 0, n);
		judged(&rows[0], 0, _i / 2, bad);
		cmd_free(&c);
	}
	if (bad == 0)
		fprintf(stderr, "litmus: skipped: sb --fence %s -m %s: no r0=r1=0 "
		    "in %d runs (the CPUs were busy?)\n", fence, modes[_i % 2],
		    RACE_TRIES);
}
END_TEST

/* A worker killed mid-run: the other stops waiting at the barrier at once. */
START_TEST(litmus_killed_released)
{
	expect_released("litmus -n 100000 --inject kill@1:5", modes[_i]);
}
END_TEST

START_TEST(litmus_bad_input)
{
	static const char *const bad[] = {
		"litmus --test iriw",
		"litmus --fence acquire",
		"litmus -n 0",
		"litmus -n 16777217",
		"litmus -w 4",
		"litmus --place here",
		"litmus -t 0.5",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_litmus_suite(void)
{
	Suite *s = suite_create("demo_litmus");
	TCase *tc = tcase_in(s, "litmus", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, litmus_all_fences, 0, 3);
	tcase_add_test(tc, litmus_default_ok);
	tcase_add_loop_test(tc, litmus_few_trials, 0, 3);
	tcase_add_loop_test(tc, litmus_place_any, 0, 3);
	tcase_add_loop_test(tc, litmus_bad_input, 0, 7);
	tc = tcase_in(s, "race", 3 * CLI_TIMEOUT, 0);
	tcase_add_loop_test(tc, litmus_sb_race, 0, 4);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, litmus_killed_released, 0, 2);
	return s;
}
