/*
 * check_zeroevenodd.c - the zeroevenodd demo (workers/zeroevenodd.c), as
 * threads and as processes: the text is exactly "0102...0N" (its head and
 * checksum against the text built here), scrambled without the semaphores;
 * a worker killed mid-run releases the others at once.
 */
#include <stdio.h>
#include <string.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* FNV-1a, 32 bits: what the demo reports as checksum, recomputed here. */
static uint32_t
own_fnv1a(uint32_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The right text for n: "0" "1" "0" "2" ... "0" "n"; its checksum, its first 40 characters. */
static uint32_t
expected_text(unsigned n, char *head, size_t len)
{
	uint32_t h = 2166136261u;
	char num[16];
	unsigned i;

	head[0] = '\0';
	for (i = 1; i <= n; i++) {
		snprintf(num, sizeof(num), "0%u", i);
		h = own_fnv1a(h, num);
		if (strlen(head) + strlen(num) < len)
			strcat(head, num);
		else if (strlen(head) < len - 1)
			strncat(head, num, len - 1 - strlen(head));
	}
	return h;
}

/* Exactly 0102...0N, for a short N (the whole head) and a long one. */
START_TEST(zeo_exact)
{
	static const unsigned ns[] = { 7, 37, 2500 };
	struct jobj row[MAX_ROWS];
	char head[41];
	struct cmd c;
	unsigned k, n;

	for (k = 0; k < 3; k++) {
		n = ns[k];
		run_json(&c, row, "zeroevenodd -n %u -m %s -T 10", n, modes[_i]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "expected"), 2 * n);
		ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * n);
		ck_assert_uint_eq(jnum(&row[0], "misplaced"), 0);
		ck_assert_int_eq(json_get(&row[0], "first_bad")->type, J_NULL);
		ck_assert_uint_eq(jnum(&row[0], "checksum"),
		    expected_text(n, head, sizeof(head)));
		ck_assert_str_eq(jstr(&row[0], "head"), head);
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		cmd_free(&c);
	}
}
END_TEST

/* --show puts the head in the note: n 20 is "0102...019020" cut at 40. */
START_TEST(zeo_show)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "zeroevenodd -n 20 --show -m %s -T 10", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "note"),
	    "0102030405060708090100110120130140150160");
	cmd_free(&c);
}
END_TEST

/* Without the semaphores zero races ahead: scrambled (retried: scheduling). */
START_TEST(zeo_race)
{
	struct jobj row[MAX_ROWS];
	char head[41];
	struct cmd c;
	uint64_t bad = 0;
	int tries;

	for (tries = 0; tries < 3 && bad == 0; tries++) {
		run_json(&c, row, "zeroevenodd -n 1000 -s none -m %s -T 10",
		    modes[_i]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "expected"), 2000);
		bad = jnum(&row[0], "misplaced");
		ck_assert_uint_eq(jnum(&row[0], "observed"), 2000 - bad);
		if (bad > 0) {
			ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
			ck_assert_uint_lt(jnum(&row[0], "first_bad"), 2000);
			ck_assert_uint_ne(jnum(&row[0], "checksum"),
			    expected_text(1000, head, sizeof(head)));
		}
		cmd_free(&c);
	}
	ck_assert_msg(bad > 0, "never scrambled in 3 runs");
}
END_TEST

START_TEST(zeo_both_modes)
{
	both_modes_verdict("zeroevenodd -n 500", "ok");
}
END_TEST

/* Any of the three killed mid-run: the others, asleep on a semaphore, are released. */
START_TEST(zeo_released)
{
	static const char *const args[] = {
		"zeroevenodd -n 20000 --inject kill@0:5",
		"zeroevenodd -n 20000 --inject kill@1:6",
		"zeroevenodd -n 20000 --inject kill@2:7",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(zeo_bad_input)
{
	expect_usage("zeroevenodd -n 0", NULL);
	expect_usage("zeroevenodd -s cond", NULL);
	expect_usage("zeroevenodd -n 5000000", NULL);
}
END_TEST

Suite *
demo_zeroevenodd_suite(void)
{
	Suite *s = suite_create("demo_zeroevenodd");
	TCase *tc = tcase_in(s, "zeroevenodd", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, zeo_exact, 0, 2);
	tcase_add_loop_test(tc, zeo_show, 0, 2);
	tcase_add_loop_test(tc, zeo_race, 0, 2);
	tcase_add_test(tc, zeo_both_modes);
	tcase_add_test(tc, zeo_bad_input);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, zeo_released, 0, 6);
	return s;
}
