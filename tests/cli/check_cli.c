/*
 * check_cli.c - end to end: run the built shmsync and assert on its exit
 * status, its output, and the names it left in /dev/shm (none, ever).
 * Here the demos' results in every mode; formats.c the output formats,
 * usage.c help, list and bad input, json.c the JSON Lines parser.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const modes[] = { "thread", "process", "both" };

/* Every run is checked for leftovers under its own pid; a clean one is quiet. */
void
expect(struct cmd *c, int status)
{
	ck_assert_msg(c->status == status, "exit %d, want %d; stderr: %s",
	    c->status, status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	if (status == 0)
		ck_assert_msg(c->errlen == 0, "stderr: %s", c->err);
}

/* Run with --format json: each line of stdout must be one JSON object. */
int
run_json(struct cmd *c, struct jobj *rows, const char *fmt, ...)
{
	char line[1024], *s, *nl;
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ck_assert_int_eq(cmd_runf(c, "%s --format json", line), 0);
	for (s = c->out; *s != '\0'; s = nl + 1, n++) {
		ck_assert_msg((nl = strchr(s, '\n')) != NULL, "unended line: %s", s);
		ck_assert_msg(n < MAX_ROWS, "too many lines: %s", c->out);
		*nl = '\0';
		ck_assert_msg(json_object(s, &rows[n]) == 0, "line %d: %s: %s",
		    n + 1, rows[n].err, s);
		*nl = '\n';
	}
	return n;
}

/* Each guard, in each mode: exactly workers x iterations. */
START_TEST(counter_guards_exact)
{
	static const char *const guards[] = { "mutex", "sem", "spin", "atomic" };
	struct cmd c;
	char want[64];
	int m = _i / 4, g = _i % 4, k;

	ck_assert_int_eq(cmd_runf(&c, "counter -w 3 -n 10000 --sync %s --mode %s "
	    "-T 10 --format csv", guards[g], modes[m]), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), m == 2 ? 3 : 2);
	for (k = 0; k < 2; k++) {
		if (m != 2 && m != k)
			continue;
		snprintf(want, sizeof(want), ",%s,%s,3,10000,30000,30000,0,ok,",
		    guards[g], modes[k]);
		ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want,
		    c.out);
	}
	cmd_free(&c);
}
END_TEST

/*
 * Unguarded with a widened window, workers lose updates, and say so.  More
 * workers than cores, so a yield hands the window to another worker even on
 * an idle machine (2 workers on 2 idle cores may not overlap at all).
 */
START_TEST(counter_race_loses)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	uint64_t w = _i / 2 ? 8 : 3, obs;

	ck_assert_int_eq(run_json(&c, rows, "counter -w %ju -n 200 --sync none "
	    "--widen --mode %s -T 10", (uintmax_t)w, modes[_i % 2]), 1);
	expect(&c, 0);
	obs = jnum(&rows[0], "observed");
	ck_assert_uint_eq(jnum(&rows[0], "expected"), w * 200);
	ck_assert_msg(obs < w * 200, "no update lost: %s", c.out);
	ck_assert_uint_eq(jnum(&rows[0], "lost"), w * 200 - obs);
	ck_assert_str_eq(jstr(&rows[0], "verdict"), "race");
	ck_assert_str_eq(jstr(&rows[0], "sync"), "none");
	ck_assert_str_eq(jstr(&rows[0], "mode"), modes[_i % 2]);
	ck_assert_int_eq(jbool(&rows[0], "widen"), 1);
	cmd_free(&c);
}
END_TEST

/* --sync all: one row per guard per mode, guards in order, each mode in turn. */
START_TEST(counter_all_rows)
{
	static const char *const syncs[] = { "none", "mutex", "sem", "spin",
	    "atomic", "naive-flag", "tas" };
	const int nsync = 7;
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int k, per = _i == 2 ? 2 : 1;

	ck_assert_int_eq(run_json(&c, rows, "counter -w 2 -n 2000 --sync all "
	    "--mode %s -T 10", modes[_i]), nsync * per);
	expect(&c, 0);
	for (k = 0; k < nsync * per; k++) {
		ck_assert_str_eq(jstr(&rows[k], "sync"), syncs[k / per]);
		ck_assert_str_eq(jstr(&rows[k], "mode"), modes[per == 1 ? _i : k % 2]);
		ck_assert_uint_eq(jnum(&rows[k], "expected"), 4000);
		if (k / per == 0 || k / per == 5) {	/* none, naive-flag */
			ck_assert_uint_le(jnum(&rows[k], "observed"), 4000);
			ck_assert_str_ne(jstr(&rows[k], "verdict"), "fail");
			continue;
		}
		ck_assert_uint_eq(jnum(&rows[k], "observed"), 4000);
		ck_assert_str_eq(jstr(&rows[k], "verdict"), "ok");
	}
	cmd_free(&c);
}
END_TEST

/* One worker has no one to race with: unguarded and widened, still exact. */
START_TEST(counter_one_worker_exact)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "counter -w 1 -n 200 --sync none "
	    "--widen --mode both -T 10"), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		ck_assert_str_eq(jstr(&rows[k], "mode"), modes[k]);
		ck_assert_uint_eq(jnum(&rows[k], "workers"), 1);
		ck_assert_uint_eq(jnum(&rows[k], "expected"), 200);
		ck_assert_uint_eq(jnum(&rows[k], "observed"), 200);
		ck_assert_uint_eq(jnum(&rows[k], "lost"), 0);
		ck_assert_str_eq(jstr(&rows[k], "verdict"), "ok");
	}
	cmd_free(&c);
}
END_TEST

static const struct {
	unsigned	 p, c, n, k;
} qcase[] = {
	{ 1, 1, 500, 1 },	/* one slot: every put waits for a get */
	{ 2, 3, 200, 1 },
	{ 3, 1, 150, 2 },
	{ 1, 4, 400, 3 },
	{ 4, 2, 300, 64 },
	{ 2, 2, 500, 1000 },	/* room for every item: no put ever waits */
};

/* Exactly once: as many taken as put, no duplicate, the checksum matches. */
START_TEST(queue_exactly_once)
{
	struct jobj rows[MAX_ROWS], *r;
	struct cmd c;
	uint64_t total = (uint64_t)qcase[_i].p * qcase[_i].n;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "queue -p %u -c %u -n %u --capacity %u "
	    "--mode both -T 10", qcase[_i].p, qcase[_i].c, qcase[_i].n,
	    qcase[_i].k), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		r = &rows[k];
		ck_assert_str_eq(jstr(r, "mode"), modes[k]);
		ck_assert_uint_eq(jnum(r, "expected"), total);
		ck_assert_uint_eq(jnum(r, "observed"), total);
		ck_assert_uint_eq(jnum(r, "produced"), total);
		ck_assert_uint_eq(jnum(r, "consumed"), total);
		ck_assert_uint_eq(jnum(r, "duplicates"), 0);
		ck_assert_int_eq(jbool(r, "checksum_ok"), 1);
		ck_assert_str_eq(jstr(r, "verdict"), "ok");
		ck_assert_uint_eq(jnum(r, "workers"), qcase[_i].p + qcase[_i].c);
		ck_assert_uint_eq(jnum(r, "iterations"), qcase[_i].n);
		ck_assert_uint_eq(jnum(r, "capacity"), qcase[_i].k);
		if (qcase[_i].k >= total)
			ck_assert_uint_eq(jnum(r, "full_waits"), 0);
	}
	cmd_free(&c);
}
END_TEST

/* With a barrier nobody leaves a round early; each round has one serial waiter. */
START_TEST(barrier_in_order)
{
	static const char *const kinds[] = { "pthread", "cond" };
	const char *kind = kinds[_i % 2];
	struct jobj rows[MAX_ROWS], *r;
	struct cmd c;
	uint64_t w = _i / 2 ? 5 : 2;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "barrier -w %ju --phases 100 "
	    "--barrier %s --mode both -T 10", (uintmax_t)w, kind), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		r = &rows[k];
		ck_assert_str_eq(jstr(r, "mode"), modes[k]);
		ck_assert_str_eq(jstr(r, "sync"), kind);
		ck_assert_str_eq(jstr(r, "barrier"), kind);
		ck_assert_uint_eq(jnum(r, "workers"), w);
		ck_assert_uint_eq(jnum(r, "phases"), 100);
		ck_assert_uint_eq(jnum(r, "expected"), 100);
		ck_assert_uint_eq(jnum(r, "observed"), 100);
		ck_assert_uint_eq(jnum(r, "early"), 0);
		ck_assert_uint_eq(jnum(r, "serial_bad"), 0);
		ck_assert_str_eq(jstr(r, "verdict"), "ok");
	}
	cmd_free(&c);
}
END_TEST

/* Without a barrier, several workers leave rounds early; one alone cannot. */
START_TEST(barrier_none)
{
	struct jobj rows[MAX_ROWS], *r;
	struct cmd c;
	uint64_t w = _i == 0 ? 4 : 1;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "barrier -w %ju --phases 100 "
	    "--barrier none --mode both -T 10", (uintmax_t)w), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		r = &rows[k];
		ck_assert_str_eq(jstr(r, "mode"), modes[k]);
		ck_assert_str_eq(jstr(r, "sync"), "none");
		ck_assert_uint_eq(jnum(r, "phases"), 100);
		ck_assert_uint_eq(jnum(r, "serial_bad"), 0);
		if (w == 1) {
			ck_assert_uint_eq(jnum(r, "early"), 0);
			ck_assert_uint_eq(jnum(r, "observed"), 100);
			ck_assert_str_eq(jstr(r, "verdict"), "ok");
			continue;
		}
		ck_assert_uint_gt(jnum(r, "early"), 0);
		ck_assert_uint_lt(jnum(r, "observed"), 100);
		ck_assert_str_eq(jstr(r, "verdict"), "race");
	}
	cmd_free(&c);
}
END_TEST

static TCase *
demo_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, CLI_TIMEOUT);
	return tc;
}

Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	suite_add_tcase(s, json_tcase());
	tc = demo_tcase("counter");
	tcase_add_loop_test(tc, counter_guards_exact, 0, 12);
	tcase_add_loop_test(tc, counter_race_loses, 0, 4);
	tcase_add_loop_test(tc, counter_all_rows, 0, 3);
	tcase_add_test(tc, counter_one_worker_exact);
	suite_add_tcase(s, tc);
	tc = demo_tcase("queue");
	tcase_add_loop_test(tc, queue_exactly_once, 0,
	    (int)(sizeof(qcase) / sizeof(qcase[0])));
	suite_add_tcase(s, tc);
	tc = demo_tcase("barrier");
	tcase_add_loop_test(tc, barrier_in_order, 0, 4);
	tcase_add_loop_test(tc, barrier_none, 0, 2);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, format_tcase());
	suite_add_tcase(s, help_tcase());
	suite_add_tcase(s, badinput_tcase());
	suite_add_tcase(s, names_tcase());
	return s;
}
