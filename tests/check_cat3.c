/*
 * check_cat3.c - the catalog's hand-off demos (order, foobar, pingpong,
 * referee, the counter's spinners) when a worker dies: the survivors are
 * released by the demo's poison and leave at once, well inside the
 * launcher's 2 s grace; and --inject strikes a pool worker's own n-th task.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../ipc/ipc.h"
#include "tests.h"

#define RELEASED_NS	1500000000ull	/* under the launcher's 2 s grace */

static const char *const modes[] = { "thread", "process" };

static void
subreaper(void)
{
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* Exit status 1, a failed row, one stderr line naming the fault, nothing left. */
static void
expect_injected(const struct cmd *c, const char *args)
{
	pid_t p;

	ck_assert_msg(c->status == 1, "%s: exit %d; stderr: %s", args, c->status,
	    c->err);
	ck_assert_msg(count_lines(c->out) == 1 &&
	    strstr(c->out, "\"verdict\":\"fail\"") != NULL, "%s: %s", args, c->out);
	ck_assert_msg(count_lines(c->err) == 1, "%s: stderr: %s", args, c->err);
	ck_assert_msg(strstr(c->err, "injected kill@") != NULL, "%s: stderr: %s",
	    args, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	p = waitpid(-1, NULL, WNOHANG);
	ck_assert_msg(p == -1 && errno == ECHILD, "a worker outlived its launcher");
}

/* A partner killed mid-run: the others sleep on a semaphore, queue or spin. */
static const char *const handoffs[] = {
	"order -n 2000 --inject kill@0:5",
	"order -n 2000 -j 0 --inject kill@1:5",
	"foobar -n 20000 --inject kill@0:5",
	"foobar -n 20000 --inject kill@1:5",
	"pingpong -n 20000 --inject kill@1:5",
	"pingpong -n 20000 -V spin --inject kill@0:5",
	"referee -u 8 -S 5 --inject kill@0:2",
	"referee -u 8 -S 5 --naive --inject kill@0:2",
	"counter -w 3 -n 100000 -s tas --inject kill@1:5",
};

START_TEST(handoff_released)
{
	const char *args = handoffs[_i / 2];
	uint64_t t0 = ipc_now_ns(), took;
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s -T 20 -f json -m %s", args,
	    modes[_i % 2]), 0);
	took = ipc_now_ns() - t0;
	expect_injected(&c, args);
	ck_assert_msg(took < RELEASED_NS, "%s -m %s: %ju ms: the survivors "
	    "waited out the grace", args, modes[_i % 2],
	    (uintmax_t)(took / NS_PER_MS));
	cmd_free(&c);
}
END_TEST

/*
 * ITERATION is the worker's own step: with 64 tasks one of two workers
 * takes a second, whichever tasks they were.
 */
START_TEST(inject_own_step)
{
	static const char *const runs[] = {
		"pool -w 2 -j 64 -k 20000 --inject kill@0:1,kill@1:1",
		"pool -w 1 -j 8 --inject kill@0:5",
		"referee -u 4 -S 5 --inject kill@1:0,kill@2:0",
	};
	struct cmd c;
	unsigned k;

	for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		ck_assert_int_eq(cmd_runf(&c, "%s -T 20 -f json -m %s", runs[k],
		    modes[_i]), 0);
		expect_injected(&c, runs[k]);
		cmd_free(&c);
	}
}
END_TEST

Suite *
cat3_suite(void)
{
	Suite *s = suite_create("cat3");
	TCase *tc = tcase_create("poison");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_checked_fixture(tc, subreaper, NULL);
	tcase_add_loop_test(tc, handoff_released, 0,
	    2 * (int)(sizeof(handoffs) / sizeof(handoffs[0])));
	tcase_add_loop_test(tc, inject_own_step, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
