/*
 * check_barber.c - the sleeping barber (workers/barber.c), as threads and as
 * processes: every admitted customer served once, admitted + turned away ==
 * customers, never a sleep on a waiting customer, with one barber or three;
 * the naive wake-up lost and the stranded customer named; a dead barber
 * releases his customers.
 */
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* A crowd and three chairs: whoever got a chair got one haircut. */
START_TEST(barber_served)
{
	const unsigned customers = 30;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t admitted;

	run_json(&c, row, "barber -c %u -k 3 -a 2000 -m %s", customers, modes[_i]);
	expect(&c, 0);
	admitted = jnum(&row[0], "admitted");
	ck_assert_uint_ge(admitted, 1);
	ck_assert_uint_eq(admitted + jnum(&row[0], "turned_away"), customers);
	ck_assert_uint_eq(jnum(&row[0], "observed"), admitted);
	ck_assert_uint_eq(jnum(&row[0], "expected"), admitted);
	ck_assert_uint_eq(jnum(&row[0], "ledger_errors"), 0);
	ck_assert_uint_eq(jnum(&row[0], "asleep_waiting"), 0);
	ck_assert_uint_eq(jnum(&row[0], "lost_wakeups"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* As many chairs as customers: nobody is turned away, all are served. */
START_TEST(barber_room_for_all)
{
	const unsigned customers = 12;
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "barber -c %u -k %u -a 0 -m %s", customers, customers,
	    modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "admitted"), customers);
	ck_assert_uint_eq(jnum(&row[0], "turned_away"), 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), customers);
	ck_assert_uint_eq(jnum(&row[0], "iterations"), customers);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Naive: the first knock is lost, nobody else knocks, the alarm finds them. */
START_TEST(barber_lost_wakeup)
{
	const unsigned customers = 5;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int64_t who;

	run_json(&c, row, "barber -s naive -c %u -k %u -W 30 -m %s", customers,
	    customers, modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	who = (int64_t)jnum(&row[0], "stranded");
	ck_assert_msg(who >= 1 && who <= (int64_t)customers, "stranded %jd",
	    (intmax_t)who);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), "lost wake-up: customer"));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), "while the barber slept"));
	ck_assert_uint_ge(jnum(&row[0], "asleep_waiting"), 1);
	ck_assert_uint_ge(jnum(&row[0], "lost_wakeups"), 1);
	ck_assert_uint_ge(jnum(&row[0], "alarms"), 1);
	/* Late, but the alarm woke him: everyone still got a haircut. */
	ck_assert_uint_eq(jnum(&row[0], "admitted"), customers);
	ck_assert_uint_eq(jnum(&row[0], "observed"), customers);
	ck_assert_uint_eq(jnum(&row[0], "ledger_errors"), 0);
	cmd_free(&c);
}
END_TEST

/* Three barbers on one waiting room: the same ledgers, no sleep on a waiting customer. */
START_TEST(barber_barbers)
{
	const unsigned barbers = 3, customers = 40;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t admitted;

	run_json(&c, row, "barber -b %u -c %u -k 4 -a 3000 -m %s", barbers,
	    customers, modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "workers"), barbers + customers);
	admitted = jnum(&row[0], "admitted");
	ck_assert_uint_eq(admitted + jnum(&row[0], "turned_away"), customers);
	ck_assert_uint_eq(jnum(&row[0], "observed"), admitted);
	ck_assert_uint_eq(jnum(&row[0], "ledger_errors"), 0);
	ck_assert_uint_eq(jnum(&row[0], "asleep_waiting"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	/* Naive: every barber lies down after the one knock is lost. */
	run_json(&c, row, "barber -b %u -c 6 -k 6 -s naive -W 20 -m %s", barbers,
	    modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_ge(jnum(&row[0], "asleep_waiting"), barbers);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 6);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), "while the barbers slept"));
	cmd_free(&c);
}
END_TEST

START_TEST(barber_both_modes)
{
	static const struct {
		const char	*args;
		const char	*verdict;
	} t[] = {
		{ "barber", "ok" },
		{ "barber -s naive -W 20", "race" },
	};

	both_modes_verdict(t[_i].args, t[_i].verdict);
}
END_TEST

/* The barber killed after two haircuts: the customers are released. */
START_TEST(barber_released)
{
	expect_released("barber -c 10 -k 10 -u 2000 --inject kill@0:2", modes[_i]);
}
END_TEST

START_TEST(barber_bad_input)
{
	static const struct {
		const char	*args;
		const char	*says;
	} bad[] = {
		{ "barber --chairs 0", "0 chairs" },
		{ "barber -c 0", NULL },
		{ "barber -s prayer", NULL },
		{ "barber -W 0", NULL },
		{ "barber -b 0", NULL },
		{ "barber -b 64 -c 4033", "more than 4096 workers" },
	};

	expect_usage(bad[_i].args, bad[_i].says);
}
END_TEST

Suite *
demo_barber_suite(void)
{
	Suite *s = suite_create("demo_barber");
	TCase *tc = tcase_in(s, "barber", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, barber_served, 0, 2);
	tcase_add_loop_test(tc, barber_room_for_all, 0, 2);
	tcase_add_loop_test(tc, barber_lost_wakeup, 0, 2);
	tcase_add_loop_test(tc, barber_barbers, 0, 2);
	tcase_add_loop_test(tc, barber_both_modes, 0, 2);
	tcase_add_loop_test(tc, barber_bad_input, 0, 6);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, barber_released, 0, 2);
	return s;
}
