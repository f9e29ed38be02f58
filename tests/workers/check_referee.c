/*
 * check_referee.c - the referee demo (workers/referee.c), as threads and as
 * processes: the blocking queue verifies each user once; the naive poll
 * (queue.pop(0) unguarded) verifies one twice and loses the next, and burns
 * CPU; --story tells it user by user; a referee killed mid-run releases
 * the others at once, and --inject strikes a referee's own n-th user.
 */
#include <stdio.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* The naive run of args, retried (twice at most) while the race hides. */
static void
naive_race(struct cmd *c, struct jobj *row, const char *args, const char *mode)
{
	int try;

	for (try = 0; try < 3; try++) {
		run_json(c, row, "%s --naive -m %s", args, mode);
		expect(c, 0);
		if (strcmp(jstr(&row[0], "verdict"), "race") == 0 || try == 2)
			break;
		cmd_free(c);
	}
}

/* The blocking queue verifies each user once; the naive poll repeats users and burns CPU. */
START_TEST(referee_users)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t cpu_queue, cpu_naive;

	run_json(&c, row, "referee -u 6 -S 5 -V 1 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 6);
	ck_assert_uint_eq(jnum(&row[0], "lost") + jnum(&row[0], "duplicated"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cpu_queue = jnum(&row[0], "cpu_ns");
	cmd_free(&c);

	run_json(&c, row, "referee -u 6 -S 5 -V 1 --naive -m %s", modes[_i]);
	expect(&c, 0);
	cpu_naive = jnum(&row[0], "cpu_ns");
	ck_assert_msg(cpu_naive > 4 * cpu_queue, "naive cpu %ju ns, queue %ju ns",
	    (uintmax_t)cpu_naive, (uintmax_t)cpu_queue);
	cmd_free(&c);

	/* Two referees free when user 0 arrives: both take it, one skips the next. */
	naive_race(&c, row, "referee -u 6 -S 5", modes[_i]);
	ck_assert_uint_gt(jnum(&row[0], "duplicated") + jnum(&row[0], "lost"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/* queue.pop(0) unguarded: a user verified twice, the next never; the queue loses none. */
START_TEST(referee_naive_pop)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	/* A race, not a schedule: a run with no overlap is retried, twice at most. */
	naive_race(&c, row, "referee -u 8 -S 5", modes[_i]);
	ck_assert_uint_ge(jnum(&row[0], "lost"), 1);
	ck_assert_uint_ge(jnum(&row[0], "duplicated"), 1);
	ck_assert_uint_le(jnum(&row[0], "observed") + jnum(&row[0], "lost"), 7);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);

	run_json(&c, row, "referee -u 8 -S 5 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 8);
	ck_assert_uint_eq(jnum(&row[0], "lost"), 0);
	ck_assert_uint_eq(jnum(&row[0], "duplicated"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(referee_both_modes)
{
	both_modes_verdict("referee -u 4 -S 2", "ok");
}
END_TEST

/* --story tells the tutorial's story: a line per user, in order, before the table. */
START_TEST(referee_story)
{
	struct cmd c;
	char want[64];
	int u;

	ck_assert_int_eq(cmd_runf(&c, "referee --story -u 5 -S 5 -m process"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "process story (tutorial seconds):"));
	for (u = 0; u < 5; u++) {
		snprintf(want, sizeof(want), "  user %d arrives; referee ", u);
		ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want, c.out);
	}
	ck_assert_ptr_null(strstr(c.out, "never verified"));
	ck_assert(strstr(c.out, "story") < strstr(c.out, "proves:"));
	cmd_free(&c);
}
END_TEST

/* A referee killed mid-run, with the queue or the naive poll: the others are released. */
START_TEST(referee_released)
{
	static const char *const args[] = {
		"referee -u 8 -S 5 --inject kill@0:2",
		"referee -u 8 -S 5 --naive --inject kill@0:2",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

/* ITERATION is the referee's own step: its first user. */
START_TEST(referee_inject_own_step)
{
	const char *run = "referee -u 4 -S 5 --inject kill@1:0,kill@2:0";
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s -T 20 -f json -m %s", run, modes[_i]), 0);
	expect_injected(&c, run);
	cmd_free(&c);
}
END_TEST

START_TEST(referee_bad_input)
{
	static const char *const bad[] = {
		"referee -u 0", "referee --story -f json", "referee -S 0",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

/* With the blocking queue, U users are each verified once, from one user up. */
START_TEST(referee_users_exact)
{
	static const unsigned u[] = { 1, 12 };
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "referee -u %u -S 5", u[_i]);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), u[_i]);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), u[_i]);
		ck_assert_uint_eq(csv_num(c.out, r, "lost"), 0);
		ck_assert_uint_eq(csv_num(c.out, r, "duplicated"), 0);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_referee_suite(void)
{
	Suite *s = suite_create("demo_referee");
	TCase *tc = tcase_in(s, "referee", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, referee_users, 0, 2);
	tcase_add_loop_test(tc, referee_users_exact, 0, 2);
	tcase_add_loop_test(tc, referee_naive_pop, 0, 2);
	tcase_add_test(tc, referee_both_modes);
	tcase_add_test(tc, referee_story);
	tcase_add_loop_test(tc, referee_bad_input, 0, 3);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, referee_released, 0, 4);
	tcase_add_loop_test(tc, referee_inject_own_step, 0, 2);
	return s;
}
