/*
 * check_tsan.c - under `make tsan` only (SHMSYNC_TSAN set, shmsync built with
 * -fsanitize=thread, TSAN_OPTIONS exitcode=66): every guarded demo runs as
 * threads without a report, and the deliberate race of counter --sync none
 * is reported.  TSan cannot follow forked workers: thread mode only.
 */
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

#define TSAN_WARNING	"WARNING: ThreadSanitizer"

static const char *const guarded[] = {
	"counter -w 3 -n 5000 --sync mutex",
	"counter -w 3 -n 5000 --sync sem",
	"counter -w 3 -n 5000 --sync spin",
	"counter -w 3 -n 5000 --sync atomic",
	"queue -p 2 -c 2 -n 5000 -k 16",
	"queue -q spsc -p 1 -c 1 -n 20000 -k 16",	/* the lock-free ring */
	"queue -q spsc -p 1 -c 1 -n 3000 -k 4 --spin 0",	/* its sleepers */
	"queue -p 3 -c 1 -n 3000 -k 4",		/* --check order */
	"barrier -w 3 -r 300 -b hybrid",
	"barrier -w 3 -r 300 -b cond",
	"barrier -w 3 -r 300 -b pthread",
	"timeout -w 3 -H 60 -W 15",
	"reentrant -w 3 -n 200 -d 7 -R 5",
	"rwlock -R 3 -W 2 -n 60 -u 200 -P reader",
	"rwlock -R 3 -W 2 -n 60 -u 200 -P writer",
	"deadlock -n 300 -x order",
	"deadlock -n 300 -x backoff",
	"crash -w 3 -n 3000 -a 100 -H kill",
	"crash -w 3 -n 3000 -a 100 -l sem",
	"semaphore -w 5 -k 2 -n 2 -u 1000 --over-release --bounded",
	"event -w 4 -r 3",
	"condition -p 2 -c 2 -n 2000 -k 2",
	"queue --join -p 2 -c 2 -n 2000 -k 8",
	"counter -w 3 -t 0.1 --sync mutex",	/* -t: the launcher's time_up */
	"falseshare -w 2 -t 0.1",
	"pingpong -t 0.1 --via spin",
	"queue -p 2 -c 2 -t 0.1 -k 16",
	"crawler -w 3 -p 2000 --set lock",
	"crawler -w 3 -p 2000 --set lockfree",
	"crawler -w 3 -p 2000 --set none",	/* check-then-mark, on atomics */
	"traffic -n 300 --sync mutex",
	"traffic -n 300 --sync sem",
	"philosophers -n 300 -x order",
	"philosophers -n 300 -x waiter",
	"philosophers -n 100 -x trylock -e 20",
	"deadlock -n 300 -x prevent",
	"deadlock -n 300 -x lockfree",
	"condition --cvs 1 -p 1 -c 2 -n 500",	/* stranded: all under the mutex */
	"condition --cvs 1 -N all -p 1 -c 2 -n 500",
	"barber -c 12 -k 3 -a 1000",
	"barber -b 3 -c 20 -k 3 -a 1000",
	"smokers -n 300",
	"counter -w 3 -n 2000 --sync ttas",
	"counter -w 3 -n 2000 --sync yield",
	"counter -w 3 -n 2000 --sync cas",
	"counter -w 3 -n 2000 --sync ticket",
	"counter -w 3 -n 2000 --sync mcs",
	"counter -w 3 -n 2000 --sync futex",
	"h2o -H 3 -O 2 -n 300",
	"zeroevenodd -n 500",
	"fizzbuzz -n 600 -s sem",
	"fizzbuzz -n 600 -s cond",
};

START_TEST(guarded_clean)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s --mode thread -f csv", guarded[_i]), 0);
	ck_assert_msg(c.status == 0 && strstr(c.err, TSAN_WARNING) == NULL,
	    "%s: exit %d; stderr: %s", guarded[_i], c.status, c.err);
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	cmd_free(&c);
}
END_TEST

/* Traced: each worker writes its own buffer, the launcher reads it after the join. */
static const char *const traced[] = {
	"counter -w 3 -n 3000 --sync mutex",
	"queue -p 2 -c 2 -n 2000 -k 8",
	"condition -p 2 -c 2 -n 1000 -k 2",
	"barrier -w 3 -r 200 -b cond",
};

START_TEST(traced_clean)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s --mode thread --timeline", traced[_i]), 0);
	ck_assert_msg(c.status == 0 && strstr(c.err, TSAN_WARNING) == NULL,
	    "%s: exit %d; stderr: %s", traced[_i], c.status, c.err);
	ck_assert_ptr_nonnull(strstr(c.out, "w0|"));
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	cmd_free(&c);
}
END_TEST

/* The race is the lesson: TSan must see it and turn the exit status into 66. */
START_TEST(race_reported)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -w 4 -n 20000 --sync none "
	    "--mode thread -f csv"), 0);
	ck_assert_msg(c.status == 66, "exit %d, want 66 (TSAN_OPTIONS exitcode)",
	    c.status);
	ck_assert_ptr_nonnull(strstr(c.err, TSAN_WARNING ": data race"));
	ck_assert_ptr_nonnull(strstr(c.err, "counter.c"));
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	cmd_free(&c);
}
END_TEST

Suite *
cli_tsan_suite(void)
{
	Suite *s = suite_create("cli_tsan");
	TCase *tc;

	if (getenv("SHMSYNC_TSAN") == NULL)
		return s;	/* a plain build: nothing to ask of TSan */
	tc = tcase_create("thread");
	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, guarded_clean, 0,
	    (int)(sizeof(guarded) / sizeof(guarded[0])));
	tcase_add_loop_test(tc, traced_clean, 0,
	    (int)(sizeof(traced) / sizeof(traced[0])));
	tcase_add_test(tc, race_reported);
	suite_add_tcase(s, tc);
	return s;
}
