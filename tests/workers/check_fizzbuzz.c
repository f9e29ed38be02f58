/*
 * check_fizzbuzz.c - the fizzbuzz demo (workers/fizzbuzz.c), as threads and
 * as processes, with semaphores and with a condvar: the text and its
 * writers exact (heads and checksums against those built here); without a
 * turn, places wrong; a worker killed mid-run releases the others at once.
 */
#include <stdio.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };
static const char *const guards[] = { "sem", "cond" };

/* FNV-1a, 32 bits: what the demo reports as checksums, recomputed here. */
static uint32_t
own_fnv1a(uint32_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The right output for n: the text "1,2,fizz,..." and the writers "nnfnb...". */
struct want {
	uint32_t	 sum, by_sum;
	char		 head[41], by[41];
};

static void
expected(unsigned n, struct want *w)
{
	char word[16], c[2] = "";
	unsigned i;

	memset(w, 0, sizeof(*w));
	w->sum = w->by_sum = 2166136261u;
	for (i = 1; i <= n; i++) {
		if (i % 15 == 0)
			strcpy(word, "fizzbuzz"), c[0] = 'z';
		else if (i % 3 == 0)
			strcpy(word, "fizz"), c[0] = 'f';
		else if (i % 5 == 0)
			strcpy(word, "buzz"), c[0] = 'b';
		else
			snprintf(word, sizeof(word), "%u", i), c[0] = 'n';
		if (i > 1) {
			w->sum = own_fnv1a(w->sum, ",");
			strncat(w->head, ",", sizeof(w->head) - 1 - strlen(w->head));
		}
		w->sum = own_fnv1a(w->sum, word);
		strncat(w->head, word, sizeof(w->head) - 1 - strlen(w->head));
		w->by_sum = own_fnv1a(w->by_sum, c);
		strncat(w->by, c, sizeof(w->by) - 1 - strlen(w->by));
	}
}

/* Each guard, each mode: every place holds the right item from the right worker. */
START_TEST(fb_exact)
{
	static const unsigned ns[] = { 16, 3000 };
	struct jobj row[MAX_ROWS];
	struct want w;
	struct cmd c;
	unsigned k, n;

	for (k = 0; k < 2; k++) {
		n = ns[k];
		expected(n, &w);
		run_json(&c, row, "fizzbuzz -n %u -s %s -m %s -T 10", n,
		    guards[_i / 2], modes[_i % 2]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "expected"), n);
		ck_assert_uint_eq(jnum(&row[0], "observed"), n);
		ck_assert_uint_eq(jnum(&row[0], "wrong"), 0);
		ck_assert_uint_eq(jnum(&row[0], "missing"), 0);
		ck_assert_uint_eq(jnum(&row[0], "twice"), 0);
		ck_assert_int_eq(json_get(&row[0], "first_bad")->type, J_NULL);
		ck_assert_str_eq(jstr(&row[0], "head"), w.head);
		ck_assert_str_eq(jstr(&row[0], "by"), w.by);
		ck_assert_uint_eq(jnum(&row[0], "checksum"), w.sum);
		ck_assert_uint_eq(jnum(&row[0], "by_checksum"), w.by_sum);
		ck_assert_str_eq(jstr(&row[0], "sync"), guards[_i / 2]);
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		cmd_free(&c);
	}
}
END_TEST

/* --show: the note is the text's first 40 characters. */
START_TEST(fb_show)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "fizzbuzz -n 15 --show -m %s -T 10", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "note"),
	    "1,2,fizz,4,buzz,fizz,7,8,fizz,buzz,11,fi");
	cmd_free(&c);
}
END_TEST

/* No turn: places wrong, and every count adds up (retried: scheduling). */
START_TEST(fb_race)
{
	struct jobj row[MAX_ROWS];
	struct want w;
	struct cmd c;
	uint64_t wrong = 0;
	int tries;

	expected(3000, &w);
	for (tries = 0; tries < 3 && wrong == 0; tries++) {
		run_json(&c, row, "fizzbuzz -n 3000 -s none -m %s -T 10", modes[_i]);
		expect(&c, 0);
		wrong = jnum(&row[0], "wrong");
		ck_assert_uint_eq(jnum(&row[0], "observed"), 3000 - wrong);
		ck_assert_uint_eq(jnum(&row[0], "twice"), 0);	/* each writes its own once */
		if (wrong > 0) {
			ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
			ck_assert_uint_lt(jnum(&row[0], "first_bad"), 3000);
			ck_assert_uint_ne(jnum(&row[0], "checksum"), w.sum);
		}
		cmd_free(&c);
	}
	ck_assert_msg(wrong > 0, "never out of order in 3 runs");
}
END_TEST

START_TEST(fb_both_modes)
{
	both_modes_verdict("fizzbuzz -n 600 -s cond", "ok");
}
END_TEST

/* The number worker killed at item 4: the others, asleep, are released. */
START_TEST(fb_released)
{
	static const char *const args[] = {
		"fizzbuzz -n 20000 --inject kill@3:4",
		"fizzbuzz -n 20000 -s cond --inject kill@3:4",
		"fizzbuzz -n 20000 -s cond --inject kill@0:9",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(fb_bad_input)
{
	expect_usage("fizzbuzz -s maybe", NULL);
	expect_usage("fizzbuzz -n 0", NULL);
	expect_usage("fizzbuzz -w 3", NULL);
}
END_TEST

Suite *
demo_fizzbuzz_suite(void)
{
	Suite *s = suite_create("demo_fizzbuzz");
	TCase *tc = tcase_in(s, "fizzbuzz", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, fb_exact, 0, 4);
	tcase_add_loop_test(tc, fb_show, 0, 2);
	tcase_add_loop_test(tc, fb_race, 0, 2);
	tcase_add_test(tc, fb_both_modes);
	tcase_add_test(tc, fb_bad_input);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, fb_released, 0, 6);
	return s;
}
