/*
 * check_soak.c - runs back to back, the counter, queue and barrier demos
 * with every guard, in both modes: each holds its invariant and leaves
 * nothing, neither a name in /dev/shm nor a child.  40 runs, 200 with
 * SHMSYNC_SLOW set (as .ci/run does).
 */
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

#define SOAK_RUNS	40		/* 200 with SHMSYNC_SLOW set */

static const char *const soak_runs[] = {
	"counter -w 2 -n 100 --sync mutex", "counter -w 3 -n 100 --sync sem",
	"counter -w 2 -n 100 --sync spin", "counter -w 2 -n 100 --sync atomic",
	"counter -w 2 -n 100 --sync none", "queue -p 2 -c 1 -n 100 -k 4",
	"barrier -w 3 -r 100 -b cond", "barrier -w 2 -r 100 -b pthread",
};

/* Runs back to back, every demo, both modes: each holds its invariant, leaves nothing. */
START_TEST(soak)
{
	const size_t nk = sizeof(soak_runs) / sizeof(soak_runs[0]);
	int i, runs = getenv("SHMSYNC_SLOW") != NULL ? 200 : SOAK_RUNS;
	struct cmd c;

	for (i = 0; i < runs; i++) {
		ck_assert_int_eq(cmd_runf(&c, "%s --mode %s -f csv", soak_runs[i % nk],
		    (i / nk) % 2 ? "process" : "thread"), 0);
		ck_assert_msg(c.status == 0 && (strstr(c.out, ",ok,") != NULL ||
		    strstr(c.out, ",race,") != NULL), "run %d: %s: exit %d\n%s%s", i,
		    soak_runs[i % nk], c.status, c.out, c.err);
		ck_assert_int_eq(shm_leftovers(c.pid), 0);
		cmd_free(&c);
	}
	no_orphans();
}
END_TEST

Suite *
cli_soak_suite(void)
{
	Suite *s = suite_create("cli_soak");
	TCase *tc = tcase_in(s, "soak", TEST_TIMEOUT, 1);

	tcase_add_test(tc, soak);
	return s;
}
