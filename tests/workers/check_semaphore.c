/*
 * check_semaphore.c - the semaphore demo (workers/semaphore.c) in every
 * mode: K permits admit exactly K clients at once (fewer clients, all of
 * them) as threads, processes and coop tasks; one release too many admits
 * K+1 unless the semaphore is bounded; and the options it refuses.
 */
#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/*
 * K permits, 6 clients: exactly K at once, every time; at least 4 waves
 * when the clients overlap as they should (scheduling: up to 3 tries);
 * 2 clients: both at once.
 */
START_TEST(semaphore_bound)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t waves = 0;
	int n, try;

	for (try = 0; try < 3 && waves < 4; try++) {
		n = run_json(&c, row, "semaphore -w 6 -k 3 -n 2 -u 3000 -m %s",
		    modes[_i]);
		expect(&c, 0);
		ck_assert_int_eq(n, 1);
		ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 3);
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		waves = jnum(&row[0], "waves");
		cmd_free(&c);
	}
	ck_assert_uint_ge(waves, 4);

	run_json(&c, row, "semaphore -w 2 -k 3 -n 2 -u 2000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 2);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 2);
	cmd_free(&c);
}
END_TEST

/* One release too many: a plain semaphore admits K+1, a bounded one refuses. */
START_TEST(semaphore_over_release)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "semaphore -w 6 -k 2 -n 2 -u 5000 --over-release -m %s",
	    modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 3);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_eq(jnum(&row[0], "refused"), 0);
	cmd_free(&c);

	run_json(&c, row, "semaphore -w 6 -k 2 -n 2 -u 3000 --over-release "
	    "--bounded -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 2);
	ck_assert_uint_eq(jnum(&row[0], "refused"), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Coop tasks yield while they wait for a permit: still K at once. */
START_TEST(semaphore_coop)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "semaphore -w 6 -k 2 -n 2 -u 2000 -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 2);
	cmd_free(&c);
}
END_TEST

/* Impossible combinations and out-of-range counts. */
START_TEST(semaphore_bad_input)
{
	static const char *const bad[] = {
		"semaphore --bounded", "semaphore -k 0", "semaphore -w 0",
		"semaphore --over-release -w 3 -k 3",
		"semaphore --over-release --bounded -w 2 -k 4",
		"semaphore -u -1",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

/* Coop tasks, more clients than permits or fewer: min(clients, permits) at once. */
START_TEST(semaphore_coop_bound)
{
	static const struct { unsigned w, k; } t[] = { { 5, 3 }, { 3, 5 }, { 1, 2 } };
	const unsigned want = t[_i].w < t[_i].k ? t[_i].w : t[_i].k;
	struct jobj row[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, row, "semaphore -w %u -k %u -n 2 -u 2000 "
	    "-m coop", t[_i].w, t[_i].k), 1);
	expect_coop(&c);
	ck_assert_str_eq(jstr(&row[0], "mode"), "coop");
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), want);
	ck_assert_uint_eq(jnum(&row[0], "expected"), want);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

Suite *
demo_semaphore_suite(void)
{
	Suite *s = suite_create("demo_semaphore");
	TCase *tc = tcase_in(s, "semaphore", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, semaphore_bound, 0, 2);
	tcase_add_loop_test(tc, semaphore_coop_bound, 0, 3);
	tcase_add_loop_test(tc, semaphore_over_release, 0, 2);
	tcase_add_test(tc, semaphore_coop);
	tcase_add_loop_test(tc, semaphore_bad_input, 0, 6);
	return s;
}
