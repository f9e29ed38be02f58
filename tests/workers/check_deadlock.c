/*
 * check_deadlock.c - the deadlock demo (workers/deadlock.c), as threads and
 * as processes: the bad lock order deadlocks and the cycle is named, even
 * when the wait is short; the four cures (one order, back off, no
 * hold-and-wait, lock-free) finish every transfer with both accounts exact
 * to the unit; the common seed is echoed.
 */
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

#define OPENING	1000000		/* each account's opening balance */

static const char *const modes[] = { "thread", "process" };
static const char *const cures[] = { "order", "backoff", "prevent", "lockfree" };

/*
 * n rounds each: worker 0 moves 1 unit A to B per round, worker 1 moves 2 B
 * to A, so A ends n up and B n down.
 */
static void
accounts_exact(const struct jobj *row, int64_t n)
{
	ck_assert_int_eq((int64_t)jnum(row, "balance_a"), OPENING + n);
	ck_assert_int_eq((int64_t)jnum(row, "balance_b"), OPENING - n);
}

/* The bad order deadlocks and the cycle is named. */
START_TEST(deadlock_cycle)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -n 100 -W 40 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_ge(jnum(&row[0], "deadlocks"), 1);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds A waits B"));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds B waits A"));
	cmd_free(&c);
}
END_TEST

/* Every cure finishes: two workers, every round, no deadlock, accounts exact. */
START_TEST(deadlock_cures)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -n 500 -x %s -m %s", cures[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "sync"), cures[_i / 2]);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 1000);
	ck_assert_uint_eq(jnum(&row[0], "deadlocks"), 0);
	accounts_exact(&row[0], 500);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	if (_i / 2 == 1)
		ck_assert_uint_ge(jnum(&row[0], "retries"), 1);
	else
		ck_assert_uint_eq(jnum(&row[0], "retries"), 0);
	cmd_free(&c);
}
END_TEST

/*
 * --fix all: the deadlock, then every cure beside it, threads then
 * processes; the cures exact under contention (more rounds than one slice).
 */
START_TEST(deadlock_all_fixes)
{
	static const char *const sync[] = { "none", "order", "backoff", "prevent",
	    "lockfree" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int i;

	ck_assert_int_eq(run_json(&c, row, "deadlock -x all -n 20000 -W 20 "
	    "-m both"), 10);
	expect(&c, 0);
	for (i = 0; i < 10; i++) {
		ck_assert_str_eq(jstr(&row[i], "sync"), sync[i / 2]);
		ck_assert_str_eq(jstr(&row[i], "mode"), modes[i % 2]);
		if (i / 2 == 0) {
			ck_assert_str_eq(jstr(&row[i], "verdict"), "race");
			ck_assert_uint_le(jnum(&row[i], "observed"), 1);
			continue;
		}
		ck_assert_str_eq(jstr(&row[i], "verdict"), "ok");
		ck_assert_uint_eq(jnum(&row[i], "observed"), 40000);
		ck_assert_double_gt(strtod(json_get(&row[i], "ops_per_sec")->val,
		    NULL), 0.0);
		ck_assert_uint_gt(jnum(&row[i], "wall_ns"), 0);
		accounts_exact(&row[i], 20000);
	}
	cmd_free(&c);
}
END_TEST

/* A 1 ms wait expires before the partner records its wait: still the cycle, never a failure. */
START_TEST(deadlock_short_wait)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -W 1 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_ge(jnum(&row[0], "deadlocks"), 1);
	ck_assert_uint_le(jnum(&row[0], "observed"), 1);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds A waits B"));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds B waits A"));
	cmd_free(&c);
}
END_TEST

START_TEST(deadlock_both_modes)
{
	static const struct {
		const char	*args;
		const char	*verdict;
	} t[] = {
		{ "deadlock -W 20", "race" },
		{ "deadlock -n 200 -x backoff", "ok" },
		{ "deadlock -n 200 -x prevent", "ok" },
		{ "deadlock -n 200 -x lockfree", "ok" },
	};

	both_modes_verdict(t[_i].args, t[_i].verdict);
}
END_TEST

/* deadlock takes the common seed, and echoes it. */
START_TEST(deadlock_seed)
{
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "deadlock -n 50 -x backoff --seed 3 "
	    "-m thread"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 3);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(deadlock_bad_input)
{
	static const char *const bad[] = { "deadlock -x prayer", "deadlock -W 0",
	    "deadlock -x lockless", "deadlock -n 0" };

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_deadlock_suite(void)
{
	Suite *s = suite_create("demo_deadlock");
	TCase *tc = tcase_in(s, "deadlock", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, deadlock_cycle, 0, 2);
	tcase_add_loop_test(tc, deadlock_cures, 0, 8);
	tcase_add_test(tc, deadlock_all_fixes);
	tcase_add_loop_test(tc, deadlock_short_wait, 0, 2);
	tcase_add_loop_test(tc, deadlock_both_modes, 0, 4);
	tcase_add_test(tc, deadlock_seed);
	tcase_add_loop_test(tc, deadlock_bad_input, 0, 4);
	return s;
}
