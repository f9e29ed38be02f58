/*
 * check_crash.c - the crash demo (workers/crash.c), as threads and as
 * processes: a worker that dies in the critical section (killed, exited,
 * aborted, before or after its increment) is repaired through the robust
 * mutex or released by its cleanup handler, and the count stays exact; a
 * semaphore has no owner, so a dead process leaves the others stuck.
 */
#include <stdio.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Death in the critical section: repaired (robust), released (cleanup), exact. */
START_TEST(crash_robust)
{
	static const char *const how[] = { "kill", "exit" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "crash -w 3 -n 3000 -a 100 -H %s -m %s", how[_i / 2],
	    modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * 3000 + 100);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 2 * 3000 + 100);
	ck_assert_uint_eq(jnum(&row[0], "victim_done"), 100);
	ck_assert_uint_eq(jnum(&row[0], "repaired"), _i % 2 ? 1 : 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Dead before or after its increment: the journal tells the repair, the count is exact. */
START_TEST(crash_journal)
{
	static const char *const when[] = { "before", "after" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int after = _i / 2, proc = _i % 2;
	char want[64];

	run_json(&c, row, "crash -w 3 -n 2000 -a 100 --when %s -m %s", when[after],
	    modes[proc]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 2 * 2000 + 100 + after);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * 2000 + 100 + after);
	ck_assert_uint_eq(jnum(&row[0], "victim_done"), 100 + after);
	ck_assert_uint_eq(jnum(&row[0], "repaired"), proc);
	ck_assert_uint_eq(jnum(&row[0], "stuck"), 0);
	ck_assert_str_eq(jstr(&row[0], "when"), when[after]);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	snprintf(want, sizeof(want), "%s its increment", when[after]);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), want));
	if (proc)
		ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), "EOWNERDEAD"));
	cmd_free(&c);
}
END_TEST

/* A semaphore has no owner to die: in processes the survivors are stuck. */
START_TEST(crash_sem_stuck)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "crash -w 3 -n 2000 -a 50 -l sem -k 50 -H abort -m process");
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "stuck"), 2);
	ck_assert_uint_eq(jnum(&row[0], "victim_done"), 50);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);

	/* A cancelled thread's cleanup handler posts the semaphore: nobody is stuck. */
	run_json(&c, row, "crash -w 3 -n 2000 -a 50 -l sem -k 50 -m thread");
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "stuck"), 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * 2000 + 50);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* A semaphore as the lock, dead after: a thread's cleanup handler posts it; a dead process cannot. */
START_TEST(crash_sem_csv)
{
	char v[64];
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "crash -w 3 -n 2000 -a 50 -l sem -k 50 "
	    "--when after -m %s -f csv", modes[_i]), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 2);
	csv_get(c.out, 1, "stuck", v, sizeof(v));
	ck_assert_str_eq(v, _i ? "2" : "0");
	csv_get(c.out, 1, "verdict", v, sizeof(v));
	ck_assert_str_eq(v, _i ? "race" : "ok");
	csv_get(c.out, 1, "victim_done", v, sizeof(v));
	ck_assert_str_eq(v, _i ? "50" : "51");
	if (_i == 0) {
		csv_get(c.out, 1, "observed", v, sizeof(v));
		ck_assert_str_eq(v, "4051");
	}
	cmd_free(&c);
}
END_TEST

START_TEST(crash_both_modes)
{
	both_modes_verdict("crash -n 2000 -a 10", "ok");
}
END_TEST

/* The victim dies on purpose, each way, as a process: the run is ok, reaped, nothing left. */
START_TEST(crash_planned_death)
{
	static const char *const how[] = { "kill", "abort", "exit" };
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "crash -w 3 -n 2000 -a 40 -H %s -m process "
	    "-f csv", how[_i]), 0);
	ck_assert_msg(c.status == 0, "exit %d; stderr: %s", c.status, c.err);
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	no_orphans();
	ck_assert_msg(strstr(c.out, ",4040,4040,40,1,0,ok,") != NULL,
	    "not exact, or not repaired once: %s", c.out);
	ck_assert_ptr_nonnull(strstr(c.out, "worker 1 (pid "));
	cmd_free(&c);
}
END_TEST

START_TEST(crash_bad_input)
{
	static const char *const bad[] = {
		"crash -v 3 -w 3", "crash -a 10 -n 10", "crash -H abort",
		"crash --when now", "crash --when", "crash -w 2 -v 2",
		"crash -n 100 -a 100",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_crash_suite(void)
{
	Suite *s = suite_create("demo_crash");
	TCase *tc = tcase_in(s, "crash", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, crash_robust, 0, 4);
	tcase_add_loop_test(tc, crash_journal, 0, 4);
	tcase_add_test(tc, crash_sem_stuck);
	tcase_add_loop_test(tc, crash_sem_csv, 0, 2);
	tcase_add_test(tc, crash_both_modes);
	tcase_add_loop_test(tc, crash_bad_input, 0, 7);
	tc = tcase_in(s, "planned", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, crash_planned_death, 0, 3);
	return s;
}
