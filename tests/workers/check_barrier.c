/*
 * check_barrier.c - the barrier demo (workers/barrier.c) in every mode:
 * with a barrier (pthread, cond or hybrid) nobody leaves a round early and
 * each round has exactly one serial waiter, as threads, processes and coop
 * tasks; without one, several workers leave early and one alone cannot.
 */
#include <stdint.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* With a barrier nobody leaves a round early; each round has one serial waiter. */
START_TEST(barrier_in_order)
{
	static const char *const kinds[] = { "pthread", "cond" };
	const char *kind = kinds[_i % 2];
	struct jobj rows[MAX_ROWS], *r;
	struct cmd c;
	uint64_t w = _i / 2 ? 5 : 2;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "barrier -w %ju --phases 100 "
	    "--barrier %s --mode both -T 10", (uintmax_t)w, kind), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		r = &rows[k];
		ck_assert_str_eq(jstr(r, "mode"), modes[k]);
		ck_assert_str_eq(jstr(r, "sync"), kind);
		ck_assert_str_eq(jstr(r, "barrier"), kind);
		ck_assert_uint_eq(jnum(r, "workers"), w);
		ck_assert_uint_eq(jnum(r, "phases"), 100);
		ck_assert_uint_eq(jnum(r, "expected"), 100);
		ck_assert_uint_eq(jnum(r, "observed"), 100);
		ck_assert_uint_eq(jnum(r, "early"), 0);
		ck_assert_uint_eq(jnum(r, "serial_bad"), 0);
		ck_assert_str_eq(jstr(r, "verdict"), "ok");
	}
	cmd_free(&c);
}
END_TEST

/* Without a barrier, several workers leave rounds early; one alone cannot. */
START_TEST(barrier_none)
{
	struct jobj rows[MAX_ROWS], *r;
	struct cmd c;
	uint64_t w = _i == 0 ? 4 : 1;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "barrier -w %ju --phases 100 "
	    "--barrier none --mode both -T 10", (uintmax_t)w), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		r = &rows[k];
		ck_assert_str_eq(jstr(r, "mode"), modes[k]);
		ck_assert_str_eq(jstr(r, "sync"), "none");
		ck_assert_uint_eq(jnum(r, "phases"), 100);
		ck_assert_uint_eq(jnum(r, "serial_bad"), 0);
		if (w == 1) {
			ck_assert_uint_eq(jnum(r, "early"), 0);
			ck_assert_uint_eq(jnum(r, "observed"), 100);
			ck_assert_str_eq(jstr(r, "verdict"), "ok");
			continue;
		}
		ck_assert_uint_gt(jnum(r, "early"), 0);
		ck_assert_uint_lt(jnum(r, "observed"), 100);
		ck_assert_str_eq(jstr(r, "verdict"), "race");
	}
	cmd_free(&c);
}
END_TEST

/* The hybrid (spin, then futex) barrier, both modes: rounds in order. */
START_TEST(barrier_hybrid_rounds)
{
	static const char *const runs[] = {
		"-w 2 -r 2000 --even", "-w 3 -r 500", "-w 8 -r 200",
	};
	struct cmd c;
	int r;

	ck_assert_int_eq(cmd_runf(&c, "barrier --barrier hybrid %s --mode both "
	    "--format csv", runs[_i]), 0);
	expect(&c, 0);
	for (r = 1; r <= 2; r++) {
		csv_want(c.out, r, "sync", "hybrid");
		csv_want(c.out, r, "verdict", "ok");
		csv_want(c.out, r, "early", "0");
		csv_want(c.out, r, "serial_bad", "0");
	}
	cmd_free(&c);
}
END_TEST

/* Coop tasks yield at the barrier: every round, one serial waiter each. */
START_TEST(barrier_coop)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "barrier -w 5 -r 100 -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 100);
	ck_assert_uint_eq(jnum(&row[0], "serial_bad"), 0);
	cmd_free(&c);
}
END_TEST

Suite *
demo_barrier_suite(void)
{
	Suite *s = suite_create("demo_barrier");
	TCase *tc = tcase_in(s, "barrier", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, barrier_in_order, 0, 4);
	tcase_add_loop_test(tc, barrier_none, 0, 2);
	tcase_add_loop_test(tc, barrier_hybrid_rounds, 0, 3);
	tcase_add_test(tc, barrier_coop);
	return s;
}
