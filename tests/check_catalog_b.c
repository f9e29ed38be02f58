/*
 * check_catalog_b.c - end to end, what the catalog's lock-failure and
 * hand-off demos must show in both modes: the crash journal's two repairs,
 * the semaphore's stuck waiters, the naive referee losing users as well as
 * repeating them, a deadlock named even when the wait is short, and every
 * demo of the group under --mode both with its documented exit status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const modes[] = { "thread", "process" };

/* Cell `key` of a CSV row; cells before the last (note) hold no commas. */
static void
csv_cell(const char *out, const char *key, char *val, size_t len)
{
	const char *row = strchr(out, '\n'), *h = out, *v;
	size_t klen = strlen(key), n;
	int col = 0, i;

	ck_assert_ptr_nonnull(row);
	for (; strncmp(h, key, klen) != 0 || (h[klen] != ',' && h[klen] != '\n');
	    col++) {
		ck_assert_msg((h = strchr(h, ',')) != NULL && h < row,
		    "no column %s in %s", key, out);
		h++;
	}
	for (v = row + 1, i = 0; i < col; i++) {
		ck_assert_ptr_nonnull(v = strchr(v, ','));
		v++;
	}
	n = strcspn(v, ",\n");
	ck_assert_uint_lt(n, len);
	memcpy(val, v, n);
	val[n] = '\0';
}

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

/* A semaphore as the lock: a thread's cleanup handler posts it; a dead process cannot. */
START_TEST(crash_sem)
{
	char v[64];
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "crash -w 3 -n 2000 -a 50 -l sem -k 50 "
	    "--when after -m %s -f csv", modes[_i]), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 2);
	csv_cell(c.out, "stuck", v, sizeof(v));
	ck_assert_str_eq(v, _i ? "2" : "0");
	csv_cell(c.out, "verdict", v, sizeof(v));
	ck_assert_str_eq(v, _i ? "race" : "ok");
	csv_cell(c.out, "victim_done", v, sizeof(v));
	ck_assert_str_eq(v, _i ? "50" : "51");
	if (_i == 0) {
		csv_cell(c.out, "observed", v, sizeof(v));
		ck_assert_str_eq(v, "4051");
	}
	cmd_free(&c);
}
END_TEST

/* queue.pop(0) unguarded: a user verified twice, the next never; the queue loses none. */
START_TEST(referee_naive_pop)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int try;

	/* A race, not a schedule: a run with no overlap is retried, twice at most. */
	for (try = 0; try < 3; try++) {
		run_json(&c, row, "referee -u 8 -S 5 --naive -m %s", modes[_i]);
		expect(&c, 0);
		if (strcmp(jstr(&row[0], "verdict"), "race") == 0 || try == 2)
			break;
		cmd_free(&c);
	}
	ck_assert_uint_ge(jnum(&row[0], "lost"), 1);
	ck_assert_uint_ge(jnum(&row[0], "duplicated"), 1);
	ck_assert_uint_le(jnum(&row[0], "observed") + jnum(&row[0], "lost"), 7);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);

	run_json(&c, row, "referee -u 8 -S 5 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 8);
	ck_assert_uint_eq(jnum(&row[0], "lost"), 0);
	ck_assert_uint_eq(jnum(&row[0], "duplicated"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
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

/* Each demo of the group with --mode both: a thread row, a process row, the verdict it documents. */
START_TEST(group_both_modes)
{
	static const struct {
		const char	*args;
		const char	*verdict;
	} t[] = {
		{ "crash -n 2000 -a 10", "ok" },
		{ "deadlock -W 20", "race" },
		{ "deadlock -n 200 -x backoff", "ok" },
		{ "order -n 200 -j 10", "ok" },
		{ "foobar -n 1000", "ok" },
		{ "isolation -n 1000", "ok" },
		{ "pingpong -n 500 -V spin", "ok" },
		{ "pool -j 16 -S per-task", "ok" },
		{ "referee -u 4 -S 2", "ok" },
		{ "counter -w 3 -n 3000 -s naive-flag --widen", "race" },
		{ "counter -w 3 -n 3000 -s tas", "ok" },
	};
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int m;

	ck_assert_int_eq(run_json(&c, row, "%s -m both -T 10", t[_i].args), 2);
	expect(&c, 0);
	for (m = 0; m < 2; m++) {
		ck_assert_str_eq(jstr(&row[m], "mode"), modes[m]);
		ck_assert_msg(strcmp(jstr(&row[m], "verdict"), t[_i].verdict) == 0,
		    "%s, %s: %s (%s)", t[_i].args, modes[m], jstr(&row[m], "verdict"),
		    jstr(&row[m], "note"));
	}
	cmd_free(&c);
}
END_TEST

/* Impossible combinations: one line, exit 2, nothing made. */
START_TEST(group_bad_input)
{
	static const char *const bad[] = {
		"crash --when now", "crash --when", "crash -w 2 -v 2",
		"crash -n 100 -a 100", "deadlock -W 0", "referee -S 0",
		"pingpong -V carrier", "pool -S per-task -j 4097",
	};
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", bad[_i]), 0);
	ck_assert_int_eq(c.status, 2);
	ck_assert_int_eq(count_lines(c.err), 1);
	ck_assert_int_eq(c.outlen, 0);
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	cmd_free(&c);
}
END_TEST

Suite *
catalog_b_suite(void)
{
	Suite *s = suite_create("catalog_b");
	TCase *tc = tcase_create("catalog_b");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_loop_test(tc, crash_journal, 0, 4);
	tcase_add_loop_test(tc, crash_sem, 0, 2);
	tcase_add_loop_test(tc, referee_naive_pop, 0, 2);
	tcase_add_loop_test(tc, deadlock_short_wait, 0, 2);
	tcase_add_loop_test(tc, group_both_modes, 0, 11);
	tcase_add_loop_test(tc, group_bad_input, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}
