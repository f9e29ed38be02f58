/*
 * check_isolation.c - the isolation demo (workers/isolation.c): threads
 * share the program's global, processes each count in their own copy; the
 * counter in the shared region is exact either way.
 */
#include <stdint.h>
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Threads share the global; processes each count in their own copy. */
START_TEST(isolation_memory)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "isolation -w 3 -n 5000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "shared"), 15000);
	ck_assert_uint_eq(jnum(&row[0], "global"), _i == 0 ? 15000 : 0);
	if (_i == 1)
		ck_assert_uint_eq(jnum(&row[0], "worker_saw_max"), 5000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(isolation_both_modes)
{
	both_modes_verdict("isolation -n 1000", "ok");
}
END_TEST

/* The shared counter is workers x n either way; the global only in threads. */
START_TEST(isolation_counts_exact)
{
	static const struct { unsigned w, n; } t[] = { { 1, 1000 }, { 4, 2500 } };
	const uint64_t all = (uint64_t)t[_i].w * t[_i].n;
	char args[64];
	struct cmd c;

	snprintf(args, sizeof(args), "isolation -w %u -n %u", t[_i].w, t[_i].n);
	run_csv_both(&c, args);
	ck_assert_uint_eq(csv_num(c.out, 1, "shared"), all);
	ck_assert_uint_eq(csv_num(c.out, 1, "global"), all);
	ck_assert_uint_eq(csv_num(c.out, 2, "shared"), all);
	ck_assert_uint_eq(csv_num(c.out, 2, "global"), 0);
	ck_assert_uint_eq(csv_num(c.out, 2, "worker_saw_max"), t[_i].n);
	csv_want(c.out, 1, "verdict", "ok");
	csv_want(c.out, 2, "verdict", "ok");
	cmd_free(&c);
}
END_TEST

Suite *
demo_isolation_suite(void)
{
	Suite *s = suite_create("demo_isolation");
	TCase *tc = tcase_in(s, "isolation", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, isolation_memory, 0, 2);
	tcase_add_loop_test(tc, isolation_counts_exact, 0, 2);
	tcase_add_test(tc, isolation_both_modes);
	return s;
}
