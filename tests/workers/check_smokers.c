/*
 * check_smokers.c - the cigarette smokers (workers/smokers.c), as threads and
 * as processes: every round exactly the right smoker, each smoker as often
 * as the seeded agent left its ingredient out; the naive grab deadlocks in
 * the first round and is named; a dead agent releases the others.
 */
#include <string.h>

#include "../../workers/worker.h"
#include "../tests.h"

static const char *const modes[] = { "thread", "process" };
static const char *const smoked[3] = {
	"smoked_tobacco", "smoked_paper", "smoked_match"
};

/* Pushers: each round the smoker of the missing ingredient, replayed from the seed. */
START_TEST(smokers_right_one)
{
	const uint64_t rounds = 600, seed = 12;
	uint64_t want[3] = { 0 }, i;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int k;

	/* The agent (worker 0) leaves out seed_mix(seed, 0, round) % 3. */
	for (i = 0; i < rounds; i++)
		want[seed_mix(seed, 0, i) % 3]++;
	run_json(&c, row, "smokers -n %ju --seed %ju -m %s", (uintmax_t)rounds,
	    (uintmax_t)seed, modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), rounds);
	ck_assert_uint_eq(jnum(&row[0], "wrong"), 0);
	ck_assert_uint_eq(jnum(&row[0], "deadlocks"), 0);
	for (k = 0; k < 3; k++)
		ck_assert_uint_eq(jnum(&row[0], smoked[k]), want[k]);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* None: the first round deadlocks, nobody smokes, the hold/wait chain is named. */
START_TEST(smokers_deadlock)
{
	static const char *const ingr[3] = { "tobacco", "paper", "match" };
	const uint64_t seed = 5;
	unsigned m = (unsigned)(seed_mix(seed, 0, 0) % 3), a = (m + 1) % 3,
	    b = (m + 2) % 3;
	struct jobj row[MAX_ROWS];
	char want[2][96];
	struct cmd c;
	int k;

	/* Pair a+b: the smoker with m grabs a first, the smoker with a grabs b. */
	snprintf(want[0], sizeof(want[0]), "smoker with %s holds %s, waits for %s",
	    ingr[m], ingr[a], ingr[b]);
	snprintf(want[1], sizeof(want[1]), "smoker with %s holds %s, waits for %s",
	    ingr[a], ingr[b], ingr[m]);
	run_json(&c, row, "smokers -x none -W 20 --seed %ju -m %s", (uintmax_t)seed,
	    modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_eq(jnum(&row[0], "deadlocks"), 1);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 0);
	for (k = 0; k < 3; k++)
		ck_assert_uint_eq(jnum(&row[0], smoked[k]), 0);
	for (k = 0; k < 2; k++)
		ck_assert_msg(strstr(jstr(&row[0], "cycle"), want[k]) != NULL,
		    "cycle '%s' lacks '%s'", jstr(&row[0], "cycle"), want[k]);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), "deadlock: smoker with"));
	cmd_free(&c);
}
END_TEST

START_TEST(smokers_both_modes)
{
	static const struct {
		const char	*args;
		const char	*verdict;
	} t[] = {
		{ "smokers", "ok" },
		{ "smokers -x none -W 10", "race" },
	};

	both_modes_verdict(t[_i].args, t[_i].verdict);
}
END_TEST

/* The agent killed at round 3: smokers and pushers are released at once. */
START_TEST(smokers_released)
{
	static const char *const args[] = {
		"smokers -n 100000 --inject kill@0:3",
		"smokers -n 100000 -x none --inject kill@0:0",
	};

	expect_released(args[_i / 2], modes[_i % 2]);
}
END_TEST

START_TEST(smokers_bad_input)
{
	static const char *const bad[] = {
		"smokers -x prayer", "smokers -n 0", "smokers -W 0", "smokers -u -1",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_smokers_suite(void)
{
	Suite *s = suite_create("demo_smokers");
	TCase *tc = tcase_in(s, "smokers", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, smokers_right_one, 0, 2);
	tcase_add_loop_test(tc, smokers_deadlock, 0, 2);
	tcase_add_loop_test(tc, smokers_both_modes, 0, 2);
	tcase_add_loop_test(tc, smokers_bad_input, 0, 4);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, smokers_released, 0, 4);
	return s;
}
