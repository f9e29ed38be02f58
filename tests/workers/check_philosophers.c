/*
 * check_philosophers.c - the dining philosophers (workers/philosophers.c), as
 * threads and as processes: every cure feeds everyone every meal with no
 * fork held twice; --fix none deadlocks and the note names the whole cycle;
 * bad counts and keywords are refused; the timeline has a lane each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* Every cure: W x n meals, each philosopher exactly n, no violation. */
START_TEST(phil_cures)
{
	static const char *const fix[] = { "order", "waiter", "trylock" };
	const unsigned w = 5, n = 300;
	struct jobj row[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, row, "philosophers -w %u -n %u -x %s -e 20 "
	    "-m %s -T 20", w, n, fix[_i / 2], modes[_i % 2]), 1);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "sync"), fix[_i / 2]);
	ck_assert_uint_eq(jnum(&row[0], "expected"), w * n);
	ck_assert_uint_eq(jnum(&row[0], "observed"), w * n);
	ck_assert_uint_eq(jnum(&row[0], "min_meals"), n);
	ck_assert_uint_eq(jnum(&row[0], "max_meals"), n);
	ck_assert_uint_eq(jnum(&row[0], "violations"), 0);
	ck_assert_uint_eq(jnum(&row[0], "in_cycle"), 0);
	ck_assert_double_eq_tol(jdbl(&row[0], "fairness_pct"), 100.0, 0.05);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	/* The longest run of failed tries is part of all of them. */
	ck_assert_uint_le(jnum(&row[0], "starved"), jnum(&row[0], "retries"));
	if (_i / 2 != 2)
		ck_assert_uint_eq(jnum(&row[0], "retries"), 0);
	cmd_free(&c);
}
END_TEST

/*
 * The note "deadlock: p0 holds f0 waits f1; ...": every philosopher once,
 * each holding its left fork and waiting for its right one.
 */
static void
want_cycle(const char *note, unsigned w)
{
	unsigned seen[64] = { 0 }, k, p, hold, want, count = 0;
	const char *s = note;
	int used;

	ck_assert_msg(strncmp(s, "deadlock: ", 10) == 0, "note: %s", note);
	for (s += 10; sscanf(s, "p%u holds f%u waits f%u%n", &p, &hold, &want,
	    &used) == 3; s += used + 2, count++) {
		ck_assert_msg(p < w && seen[p]++ == 0, "p%u: %s", p, note);
		ck_assert_msg(hold == p && want == (p + 1) % w, "p%u: %s", p, note);
		if (s[used] == '\0')
			break;
		ck_assert_msg(strncmp(s + used, "; ", 2) == 0, "note: %s", note);
	}
	ck_assert_msg(count + 1 == w, "%u of %u in the cycle: %s", count + 1, w,
	    note);
	for (k = 0; k < w; k++)
		ck_assert_uint_eq(seen[k], 1);
}

/* --fix none: the deadlock, certain, found well inside -T, every philosopher named. */
START_TEST(phil_deadlock)
{
	static const unsigned ws[] = { 5, 3, 2 };
	unsigned w = ws[_i / 2];
	struct jobj row[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, row, "philosophers -w %u -x none -m %s -T 5",
	    w, modes[_i % 2]), 1);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_eq(jnum(&row[0], "in_cycle"), w);
	ck_assert_uint_eq(jnum(&row[0], "expected"), w * 200);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 0);	/* stuck at the first */
	ck_assert_uint_eq(jnum(&row[0], "violations"), 0);
	want_cycle(jstr(&row[0], "note"), w);
	cmd_free(&c);
}
END_TEST

/* For people: the table's story says the cycle in words, a line each. */
START_TEST(phil_story)
{
	char line[96];
	struct cmd c;
	unsigned p;

	ck_assert_int_eq(cmd_runf(&c, "philosophers -w 3 -x none -m %s -T 5",
	    modes[_i]), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "a wait-for cycle of 3:"));
	for (p = 0; p < 3; p++) {
		snprintf(line, sizeof(line), "  philosopher %u holds fork %u and "
		    "waits for fork %u%s\n", p, p, (p + 1) % 3, p < 2 ? "," : "");
		ck_assert_msg(strstr(c.out, line) != NULL, "no '%s' in %s", line,
		    c.out);
	}
	cmd_free(&c);
}
END_TEST

/* Both modes in one command: the default cure ok, none the race. */
START_TEST(phil_both_modes)
{
	static const char *const args[] = { "philosophers", "philosophers -x none" };
	static const char *const verdict[] = { "ok", "race" };

	both_modes_verdict(args[_i], verdict[_i]);
}
END_TEST

/* -t: each eats what it can; the meals counted match the meals done. */
START_TEST(phil_timed)
{
	expect_timed("philosophers -x trylock");
}
END_TEST

/* One lane per philosopher, each as wide as COLUMNS. */
START_TEST(phil_timeline)
{
	char *line, *save, want[16];
	int lanes = 0;
	struct cmd c;

	setenv("COLUMNS", "60", 1);
	ck_assert_int_eq(cmd_runf(&c, "philosophers --fix order -w 3 -n 5 "
	    "--timeline -m %s", modes[_i]), 0);
	expect(&c, 0);
	for (line = strtok_r(c.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != 'w' || strchr(line, '|') == NULL)
			continue;
		snprintf(want, sizeof(want), "w%d|", lanes);
		ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "lane %d: %s",
		    lanes, line);
		ck_assert_uint_eq(strlen(line), 60);
		ck_assert_int_eq(line[59], '|');
		lanes++;
	}
	ck_assert_int_eq(lanes, 3);
	cmd_free(&c);
}
END_TEST

START_TEST(phil_bad_input)
{
	static const struct {
		const char	*args, *says;
	} bad[] = {
		{ "philosophers -w 1", "a philosopher needs two forks" },
		{ "philosophers --fix nope", "nope" },
		{ "philosophers -n 0", "--meals" },
		{ "philosophers -x none -W 0", "--wait-ms" },
		{ "philosophers -w 4096 -n 4611686018427387904", "overflows" },
	};

	expect_usage(bad[_i].args, bad[_i].says);
}
END_TEST

/* A philosopher killed mid-dinner: the others, at a fork or a seat, leave. */
START_TEST(phil_released)
{
	static const char *const args[] = {
		"philosophers -n 1000000 -x waiter --inject kill@1:5",
		"philosophers -n 1000000 -x order --inject kill@2:5",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

Suite *
demo_philosophers_suite(void)
{
	Suite *s = suite_create("demo_philosophers");
	TCase *tc = tcase_in(s, "philosophers", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, phil_cures, 0, 6);
	tcase_add_loop_test(tc, phil_deadlock, 0, 6);
	tcase_add_loop_test(tc, phil_story, 0, 2);
	tcase_add_loop_test(tc, phil_both_modes, 0, 2);
	tcase_add_test(tc, phil_timed);
	tcase_add_loop_test(tc, phil_timeline, 0, 2);
	tcase_add_loop_test(tc, phil_bad_input, 0, 5);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, phil_released, 0, 4);
	return s;
}
