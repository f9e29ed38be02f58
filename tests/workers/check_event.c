/*
 * check_event.c - the event demo (workers/event.c) in every mode: every
 * waiter wakes once a round, after the set and never before, round after
 * round, as threads, processes and coop tasks.
 */
#include <stdint.h>
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Every waiter wakes once a round, after the set, round after round. */
START_TEST(event_rounds)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "event -w 6 -r 4 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 5 * 4);
	ck_assert_uint_eq(jnum(&row[0], "early"), 0);
	ck_assert_uint_gt(jnum(&row[0], "wake_latency_ns"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Coop waiters yield until the set: (workers - 1) x rounds wake-ups. */
START_TEST(event_coop)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "event -w 4 -r 3 -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 9);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(event_bad_input)
{
	expect_usage("event -w 1", NULL);
}
END_TEST

/* Each waiter but the setter wakes once a round: (workers - 1) x rounds, in CSV. */
START_TEST(event_wakeups_exact)
{
	static const struct { unsigned w, r; } t[] = { { 2, 5 }, { 3, 7 }, { 8, 2 } };
	const uint64_t want = (uint64_t)(t[_i].w - 1) * t[_i].r;
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "event -w %u -r %u", t[_i].w, t[_i].r);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "rounds"), t[_i].r);
		ck_assert_uint_eq(csv_num(c.out, r, "early"), 0);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_event_suite(void)
{
	Suite *s = suite_create("demo_event");
	TCase *tc = tcase_in(s, "event", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, event_rounds, 0, 2);
	tcase_add_loop_test(tc, event_wakeups_exact, 0, 3);
	tcase_add_test(tc, event_coop);
	tcase_add_test(tc, event_bad_input);
	return s;
}
