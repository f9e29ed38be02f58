/*
 * check_rwlock.c - the rwlock demo (workers/rwlock.c), as threads and as
 * processes, reader- and writer-preferring: readers overlap, writers are
 * alone, and every write lands.
 */
#include <stdint.h>
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Readers overlap, writers alone, every write lands: both preferences. */
START_TEST(rwlock_share)
{
	static const char *const pref[] = { "reader", "writer" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "rwlock -R 3 -W 2 -n 60 -u 200 -P %s -m %s",
	    pref[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * 60);
	ck_assert_uint_gt(jnum(&row[0], "max_readers"), 1);
	ck_assert_uint_le(jnum(&row[0], "max_readers"), 3);
	ck_assert_uint_eq(jnum(&row[0], "violations"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

START_TEST(rwlock_bad_input)
{
	static const char *const bad[] = { "rwlock -R 4000 -W 100", "rwlock -P nobody" };

	expect_usage(bad[_i], NULL);
}
END_TEST

/* Every write lands (writers x n), no reader sees one half-done, at most R readers. */
START_TEST(rwlock_writes_exact)
{
	static const struct { unsigned rd, wr, n; } t[] = {
		{ 1, 1, 30 }, { 2, 3, 40 }, { 4, 1, 25 },
	};
	const uint64_t want = (uint64_t)t[_i].wr * t[_i].n;
	char args[64];
	struct cmd c;
	int r;

	snprintf(args, sizeof(args), "rwlock -R %u -W %u -n %u -u 100", t[_i].rd,
	    t[_i].wr, t[_i].n);
	run_csv_both(&c, args);
	for (r = 1; r <= 2; r++) {
		ck_assert_uint_eq(csv_num(c.out, r, "expected"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "observed"), want);
		ck_assert_uint_eq(csv_num(c.out, r, "violations"), 0);
		ck_assert_uint_le(csv_num(c.out, r, "max_readers"), t[_i].rd);
		ck_assert_uint_eq(csv_num(c.out, r, "workers"), t[_i].rd + t[_i].wr);
		csv_want(c.out, r, "verdict", "ok");
	}
	cmd_free(&c);
}
END_TEST

Suite *
demo_rwlock_suite(void)
{
	Suite *s = suite_create("demo_rwlock");
	TCase *tc = tcase_in(s, "rwlock", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, rwlock_share, 0, 4);
	tcase_add_loop_test(tc, rwlock_writes_exact, 0, 3);
	tcase_add_loop_test(tc, rwlock_bad_input, 0, 2);
	return s;
}
