/*
 * check_cli.c - end to end: run the built shmsync and assert on its exit
 * status, its output, and the names it left in /dev/shm (none, ever).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

/* Every run is checked for leftovers under its own pid. */
static void
expect(struct cmd *c, int status)
{
	ck_assert_msg(c->status == status, "exit %d, want %d; stderr: %s",
	    c->status, status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
}

START_TEST(counter_guards_exact)
{
	static const char *const guards[] = { "mutex", "sem", "spin", "atomic" };
	static const char *const modes[] = { "thread", "process" };
	struct cmd c;
	char want[64];
	int m = _i / 4, g = _i % 4;

	ck_assert_int_eq(cmd_runf(&c, "counter -w 3 -n 20000 --sync %s --mode %s "
	    "--format csv", guards[g], modes[m]), 0);
	expect(&c, 0);
	snprintf(want, sizeof(want), ",%s,%s,3,20000,60000,60000,0,ok,",
	    guards[g], modes[m]);
	ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want, c.out);
	cmd_free(&c);
}
END_TEST

Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("counter");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, counter_guards_exact, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}
