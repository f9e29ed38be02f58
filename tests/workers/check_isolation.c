/*
 * check_isolation.c - the isolation demo (workers/isolation.c): threads
 * share the program's global, processes each count in their own copy; the
 * counter in the shared region is exact either way.
 */
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

Suite *
demo_isolation_suite(void)
{
	Suite *s = suite_create("demo_isolation");
	TCase *tc = tcase_in(s, "isolation", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, isolation_memory, 0, 2);
	tcase_add_test(tc, isolation_both_modes);
	return s;
}
