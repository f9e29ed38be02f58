/*
 * check_seed.c - --seed and --jitter end to end: the seed is echoed in every
 * format, drawn at random when not given, and the same seed replays the same
 * schedule of injected delays (jitter_ns) in threads and in processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const modes[] = { "thread", "process" };

/* Echoed in JSON, CSV and the table's parameter line. */
START_TEST(seed_echoed)
{
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "counter -w 2 -n 10 -s mutex -m thread "
	    "--seed 4242"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 4242);
	ck_assert_ptr_null(json_get(&o[0], "jitter_ns"));	/* no --jitter */
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -n 10 -s mutex -m thread "
	    "--seed 4242 -f csv"), 0);
	ck_assert_ptr_nonnull(strstr(c.out, ",seed,"));
	ck_assert_ptr_nonnull(strstr(c.out, ",4242,"));
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -n 10 -s mutex -m thread "
	    "--seed 4242"), 0);
	ck_assert_ptr_nonnull(strstr(c.out, " seed=4242"));
	cmd_free(&c);
}
END_TEST

/* Without --seed one is drawn, echoed, and differs from run to run. */
START_TEST(seed_drawn)
{
	struct jobj o[MAX_ROWS];
	uint64_t s[3];
	struct cmd c;
	int i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(run_json(&c, o, "counter -w 1 -n 1 -s mutex "
		    "-m thread"), 1);
		ck_assert_ptr_nonnull(json_get(&o[0], "seed"));
		s[i] = jnum(&o[0], "seed");
		cmd_free(&c);
	}
	ck_assert(s[0] != s[1] || s[1] != s[2]);
}
END_TEST

/* The same seed, the same delays; another seed, others. */
START_TEST(jitter_replays)
{
	struct jobj o[MAX_ROWS];
	uint64_t a, b, other;
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 30 -s mutex -m %s "
	    "--seed 7 --jitter 40", modes[_i]), 1);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	a = jnum(&o[0], "jitter_ns");
	ck_assert_uint_eq(jnum(&o[0], "jitter_us"), 40);
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 30 -s mutex -m %s "
	    "--seed 7 --jitter 40", modes[_i]), 1);
	b = jnum(&o[0], "jitter_ns");
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 30 -s mutex -m %s "
	    "--seed 8 --jitter 40", modes[_i]), 1);
	other = jnum(&o[0], "jitter_ns");
	cmd_free(&c);

	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, other);
	/* 90 draws of 0..40 us: about 1.8 ms in all, surely between 0.5 and 3.2 */
	ck_assert_uint_gt(a, 500000);
	ck_assert_uint_lt(a, 3600000);
}
END_TEST

/* order and deadlock take the common seed: the same seed, the same orders. */
START_TEST(demo_seeds)
{
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "order -n 20 -j 200 --seed 3 -m thread"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 3);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, o, "deadlock -n 50 -x backoff --seed 3 "
	    "-m thread"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 3);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Out of range or not a number: exit 2, one line, nothing created. */
START_TEST(seed_bad)
{
	static const char *const bad[] = {
		"counter --seed -1", "counter --seed abc", "counter --seed ''",
		"counter --seed 99999999999999999999", "counter --seed 4294967296",
		"counter --jitter -5", "counter --jitter 1000001",
		"counter --jitter x", "order -S 3", "deadlock -S 3",
	};
	struct cmd c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(cmd_runf(&c, "%s", bad[i]), 0);
		ck_assert_msg(c.status == 2, "%s: exit %d", bad[i], c.status);
		ck_assert_msg(count_lines(c.err) == 1, "%s: %s", bad[i], c.err);
		ck_assert_str_eq(c.out, "");
		ck_assert_int_eq(shm_leftovers(c.pid), 0);
		cmd_free(&c);
	}
}
END_TEST

Suite *
seed_suite(void)
{
	Suite *s = suite_create("seed");
	TCase *tc = tcase_create("seed");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_test(tc, seed_echoed);
	tcase_add_test(tc, seed_drawn);
	tcase_add_loop_test(tc, jitter_replays, 0, 2);
	tcase_add_test(tc, demo_seeds);
	tcase_add_test(tc, seed_bad);
	suite_add_tcase(s, tc);
	return s;
}
