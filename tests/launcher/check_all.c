/*
 * check_all.c - launcher/all.c, `shmsync all`: every demo of the registry
 * with its defaults, a row per demo, variant and mode, none failed; and
 * what it refuses (a fault to inject, one demo's options).
 */
#include <stdio.h>
#include <string.h>

#include "../../workers/worker.h"
#include "../tests.h"

/* The whole catalog with defaults: a row per demo, variant and mode, none failed. */
START_TEST(all_demos)
{
	const struct worker *const *w;
	struct cmd c;
	char tag[64];
	int rows;

	ck_assert_int_eq(cmd_runf(&c, "all -m process -f csv"), 0);
	expect(&c, 0);
	rows = count_lines(c.out) - 1;
	ck_assert_int_ge(rows, 20);
	ck_assert_ptr_null(strstr(c.out, ",fail,"));
	for (w = workers; *w != NULL; w++) {
		snprintf(tag, sizeof(tag), "\n%s,", (*w)->name);
		ck_assert_msg(strstr(c.out, tag) != NULL, "no row for %s", (*w)->name);
	}
	cmd_free(&c);
}
END_TEST

/* The table for people: its title, a row per demo, the exit status. */
START_TEST(all_table)
{
	const struct worker *const *w;
	struct cmd c;
	char tag[64];

	ck_assert_int_eq(cmd_runf(&c, "all -m thread"), 0);
	expect(&c, 0);
	ck_assert_msg(strncmp(c.out, "all:", 4) == 0, "stdout: %.200s", c.out);
	ck_assert_ptr_nonnull(strstr(c.out, "\nproves: each demo's own invariant"));
	for (w = workers; *w != NULL; w++) {
		snprintf(tag, sizeof(tag), "\n%s ", (*w)->name);
		ck_assert_msg(strstr(c.out, tag) != NULL, "no row for %s", (*w)->name);
	}
	cmd_free(&c);
}
END_TEST

START_TEST(all_bad_input)
{
	static const char *const bad[] = { "all --inject kill@0:1", "all -w 3" };

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
launcher_all_suite(void)
{
	Suite *s = suite_create("launcher_all");
	TCase *tc = tcase_in(s, "all", CLI_TIMEOUT, 0);

	tcase_add_test(tc, all_demos);
	tcase_add_test(tc, all_table);
	tcase_add_loop_test(tc, all_bad_input, 0, 2);
	return s;
}
