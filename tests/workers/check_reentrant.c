/*
 * check_reentrant.c - the reentrant demo (workers/reentrant.c), as threads
 * and as processes: D levels deep under a recursive mutex, every increment
 * counted; the errorcheck mutex answers EDEADLK and the normal one
 * deadlocks (ETIMEDOUT) once per worker.
 */
#include <stdint.h>
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* D levels under a recursive mutex, exact; EDEADLK and ETIMEDOUT once per worker. */
START_TEST(reentrant_depth)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "reentrant -w 3 -n 200 -d 7 -R 5 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3 * 200 * 7);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 3 * 200 * 7);
	ck_assert_uint_eq(jnum(&row[0], "depth_reached"), 7);
	ck_assert_uint_eq(jnum(&row[0], "edeadlk"), 3);
	ck_assert_uint_eq(jnum(&row[0], "self_deadlocks"), 3);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(reentrant_bad_input)
{
	expect_usage("reentrant -d 0", NULL);
}
END_TEST

/* workers x iterations x depth increments, each level; a relock refused once per worker. */
START_TEST(reentrant_levels_exact)
{
	static const struct { unsigned w, n, d; } t[] = {
		{ 1, 100, 1 }, { 2, 150, 4 }, { 4, 50, 9 },
	};
	const uint64_t want = (uint64_t)t[_i].w * t[_i].n * t[_i].d;
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "reentrant -w %u -n %u -d %u -R 5", t[_i].w,
	    t[_i].n, t[_i].d);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "depth_reached"), t[_i].d);
		ck_assert_uint_eq(csv_num(c.out, r, "edeadlk"), t[_i].w);
		ck_assert_uint_eq(csv_num(c.out, r, "self_deadlocks"), t[_i].w);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_reentrant_suite(void)
{
	Suite *s = suite_create("demo_reentrant");
	TCase *tc = tcase_in(s, "reentrant", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, reentrant_depth, 0, 2);
	tcase_add_loop_test(tc, reentrant_levels_exact, 0, 3);
	tcase_add_test(tc, reentrant_bad_input);
	return s;
}
