/*
 * check_condition.c - the condition demo (workers/condition.c), as threads
 * and as processes, signal and broadcast: every item taken once and every
 * consumer ends; a signal wakes at most one sleeper; an `if` instead of a
 * `while` around the wait takes from an empty buffer; one condvar for both
 * sides with a signal strands everyone asleep (found and named, everyone
 * leaves), and its two cures, a broadcast or two condvars, are exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };
static const char *const notify[] = { "one", "all" };

/* Every item once, every consumer ends; an if instead of a while shows. */
START_TEST(condition_items)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "condition -p 2 -c 3 -n 1500 -k 2 -N %s -m %s",
	    notify[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3000);
	ck_assert_uint_eq(jnum(&row[0], "empty_takes"), 0);
	ck_assert_uint_le(jnum(&row[0], "futile"), jnum(&row[0], "wakeups"));
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "condition -p 1 -c 4 -n 3000 -k 1 -N all -C if -m %s",
	    modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3000);
	ck_assert_uint_gt(jnum(&row[0], "empty_takes"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/*
 * A signal wakes at most one sleeper: wake-ups <= notifies, plus the last
 * producer's broadcast to every consumer (and a little room for spurious
 * ones).  A broadcast wakes whoever sleeps: no bound but the count itself.
 */
START_TEST(condition_per_notify)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t woke, sent;

	run_json(&c, row, "condition -p 1 -c 6 -n 1000 -k 1 -N %s -m %s",
	    notify[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	woke = jnum(&row[0], "wakeups");
	sent = jnum(&row[0], "notifies");
	ck_assert_uint_eq(sent, 1000 + 1);	/* an item each, and the end */
	ck_assert_uint_eq(jnum(&row[0], "observed"), 1000);
	ck_assert_uint_le(jnum(&row[0], "futile"), woke);
	if (_i / 2 == 0)
		ck_assert_msg(woke <= sent + 6 + sent / 50, "%ju wake-ups for %ju "
		    "signals", (uintmax_t)woke, (uintmax_t)sent);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/*
 * One condvar, notify one: everyone ends asleep, found by the short wait and
 * named; the run ends promptly, race, exit 0, nothing left in /dev/shm.
 * OSTEP's 1 producer, 2 consumers, buffer 1 (only a consumer can take the
 * wake-up meant for the producer), then the defaults (with two producers a
 * producer may also wake a producer); a few tries since which sleeper a
 * signal wakes is the scheduler's choice.
 */
START_TEST(condition_one_cv_stranded)
{
	static const struct { unsigned p, c; const char *args; } t[] = {
		{ 1, 2, "-p 1 -c 2 -k 1" }, { 2, 4, "" },
	};
	const unsigned n = 3000, total = t[_i / 2].p * n;
	struct jobj row[MAX_ROWS];
	char want[96];
	const char *note;
	struct cmd c;
	int try;

	snprintf(want, sizeof(want), "all %u workers asleep on the one condvar: ",
	    t[_i / 2].p + t[_i / 2].c);
	for (try = 1; ; try++) {
		run_json(&c, row, "condition --cvs 1 -N one -n %u -W 50 %s -T 20 -m %s",
		    n, t[_i / 2].args, modes[_i % 2]);
		expect(&c, 0);
		if (strcmp(jstr(&row[0], "verdict"), "race") == 0 || try == 3)
			break;
		cmd_free(&c);
	}
	ck_assert_msg(strcmp(jstr(&row[0], "verdict"), "race") == 0,
	    "3 tries, never stranded: %s", jstr(&row[0], "note"));
	ck_assert_int_eq(jbool(&row[0], "all_asleep"), 1);
	ck_assert_uint_eq(jnum(&row[0], "expected"), total);
	ck_assert_uint_lt(jnum(&row[0], "observed"), total);
	ck_assert_uint_eq(jnum(&row[0], "empty_takes"), 0);
	note = jstr(&row[0], "note");
	ck_assert_msg(strncmp(note, want, strlen(want)) == 0, "note: %s", note);
	note += strlen(want);
	ck_assert_msg(strncmp(note, "a consumer woke a consumer;", 27) == 0 ||
	    (t[_i / 2].p > 1 && strncmp(note, "a producer woke a producer;", 27) == 0),
	    "note: %s", jstr(&row[0], "note"));
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	cmd_free(&c);
}
END_TEST

/* The cures: one condvar with a broadcast, or two with a signal; exact, nobody stranded. */
START_TEST(condition_one_cv_cures)
{
	static const char *const cure[] = { "--cvs 1 -N all", "--cvs 2 -N one" };
	static const struct { unsigned p, c, n, k; } t[] = {
		{ 1, 2, 2000, 1 }, { 2, 3, 1000, 2 },
	};
	const uint64_t want = (uint64_t)t[_i % 2].p * t[_i % 2].n;
	char args[96];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "condition %s -p %u -c %u -n %u -k %u",
	    cure[_i / 2], t[_i % 2].p, t[_i % 2].c, t[_i % 2].n, t[_i % 2].k);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "notifies"), want + 1);
		ck_assert_uint_eq(csv_num(c.out, r, "empty_takes"), 0);
		csv_want(c.out, r, "all_asleep", "false");
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

START_TEST(condition_bad_input)
{
	static const char *const bad[] = { "condition -N some", "condition --cvs 3",
	    "condition --cvs 0", "condition -V 1 -W 0", "condition --cvs two" };

	expect_usage(bad[_i], NULL);
}
END_TEST

/* producers x items taken, none from an empty buffer; a notify per item and one at the end. */
START_TEST(condition_items_exact)
{
	static const struct { unsigned p, c, n, k; } t[] = {
		{ 1, 1, 500, 1 }, { 3, 2, 700, 3 }, { 2, 5, 300, 8 },
	};
	const uint64_t want = (uint64_t)t[_i].p * t[_i].n;
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "condition -p %u -c %u -n %u -k %u", t[_i].p,
	    t[_i].c, t[_i].n, t[_i].k);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "notifies"), want + 1);
		ck_assert_uint_eq(csv_num(c.out, r, "empty_takes"), 0);
		ck_assert_uint_le(csv_num(c.out, r, "futile"), csv_num(c.out, r,
		    "wakeups"));
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_condition_suite(void)
{
	Suite *s = suite_create("demo_condition");
	TCase *tc = tcase_in(s, "condition", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, condition_items, 0, 4);
	tcase_add_loop_test(tc, condition_items_exact, 0, 3);
	tcase_add_loop_test(tc, condition_per_notify, 0, 4);
	tcase_add_loop_test(tc, condition_one_cv_stranded, 0, 4);
	tcase_add_loop_test(tc, condition_one_cv_cures, 0, 4);
	tcase_add_loop_test(tc, condition_bad_input, 0, 5);
	return s;
}
