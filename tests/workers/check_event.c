/*
 * check_event.c - the event demo (workers/event.c) in every mode: every
 * waiter wakes once a round, after the set and never before, round after
 * round, as threads, processes and coop tasks.
 */
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
	usage_error("event -w 1", NULL);
}
END_TEST

Suite *
demo_event_suite(void)
{
	Suite *s = suite_create("demo_event");
	TCase *tc = tcase_in(s, "event", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, event_rounds, 0, 2);
	tcase_add_test(tc, event_coop);
	tcase_add_test(tc, event_bad_input);
	return s;
}
