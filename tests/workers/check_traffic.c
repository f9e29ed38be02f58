/*
 * check_traffic.c - the traffic demo (workers/traffic.c), as threads and as
 * processes: with a mutex or a semaphore no car meets the other road, each
 * car crosses once and every light change was needed; without, cars meet;
 * a driver killed inside the intersection releases the others.
 */
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };
static const char *const guards[] = { "mutex", "sem" };

/*
 * 2 x N cars, each once, none meeting the other road; the light changed
 * exactly as often as the crossing order switched roads, at least once (B's
 * cars found it red) and at most once a car.
 */
START_TEST(traffic_guarded)
{
	static const struct { unsigned n, w; } t[] = { { 700, 3 }, { 1, 1 }, { 50, 1 } };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	unsigned k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		run_json(&c, row, "traffic -n %u -w %u -s %s -m %s", t[k].n, t[k].w,
		    guards[_i / 2], modes[_i % 2]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "workers"), 2 * t[k].w);
		ck_assert_uint_eq(jnum(&row[0], "expected"), 2 * t[k].n);
		ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * t[k].n);
		ck_assert_uint_eq(jnum(&row[0], "collisions"), 0);
		ck_assert_uint_eq(jnum(&row[0], "needless"), 0);
		ck_assert_uint_eq(jnum(&row[0], "changes"), jnum(&row[0], "switches"));
		ck_assert_uint_ge(jnum(&row[0], "changes"), 1);
		ck_assert_uint_le(jnum(&row[0], "changes"), 2 * t[k].n);
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		cmd_free(&c);
	}
}
END_TEST

/* Unguarded, cars of both roads meet (the schedule decides: three tries); each still crosses once. */
START_TEST(traffic_collide)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t met = 0;
	int tries;

	for (tries = 0; tries < 3 && met == 0; tries++) {
		run_json(&c, row, "traffic -n 2000 -s none -m %s", modes[_i]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "observed"), 4000);
		met = jnum(&row[0], "collisions");
		if (met > 0)
			ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
		cmd_free(&c);
	}
	ck_assert_uint_gt(met, 0);
}
END_TEST

START_TEST(traffic_both_modes)
{
	both_modes_verdict("traffic -n 300", "ok");
}
END_TEST

/* A driver killed inside the intersection: the others are released. */
START_TEST(traffic_released)
{
	char args[80];

	snprintf(args, sizeof(args), "traffic -n 20000 -s %s --inject kill@1:5",
	    guards[_i / 2]);
	expect_released(args, modes[_i % 2]);
}
END_TEST

START_TEST(traffic_bad_input)
{
	static const char *const bad[] = {
		"traffic -n 0", "traffic -n 4194305", "traffic -w 0",
		"traffic -w 2049", "traffic -s spin",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_traffic_suite(void)
{
	Suite *s = suite_create("demo_traffic");
	TCase *tc = tcase_in(s, "traffic", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, traffic_guarded, 0, 4);
	tcase_add_loop_test(tc, traffic_collide, 0, 2);
	tcase_add_test(tc, traffic_both_modes);
	tcase_add_loop_test(tc, traffic_bad_input, 0, 5);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, traffic_released, 0, 4);
	return s;
}
