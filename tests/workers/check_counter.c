/*
 * check_counter.c - the counter demo (workers/counter.c) in every mode:
 * each guard exact (workers x iterations) as threads, processes and coop
 * tasks, the unguarded and naive-flag races losing updates and counting
 * them, -t runs counted by what was really done, spinners that burn CPU,
 * a worker killed while it holds the lock or spins; the lock zoo exact,
 * and fairness: FIFO locks hand over in turn, test-and-set does not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process", "both" };

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
		/* lost 0; no shares with -n, no wait timed without asking. */
		snprintf(want, sizeof(want), ",%s,%s,3,10000,30000,30000,0,,,,",
		    guards[g], modes[k]);
		ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want,
		    c.out);
	}
	csv_want(c.out, 1, "verdict", "ok");
	if (m == 2)
		csv_want(c.out, 2, "verdict", "ok");
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
	    "atomic", "naive-flag", "tas", "ttas", "yield", "cas", "ticket", "mcs",
	    "futex" };
	const int nsync = 13;
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
		ck_assert_str_eq(jstr(&rows[k], "note"),
		    "one worker: nobody to race with");
	}
	cmd_free(&c);
}
END_TEST

/* An unguarded run that lost nothing says why, and names the command that shows the race. */
START_TEST(counter_exact_says_why)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	const char *note;
	int i;

	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(run_json(&c, rows, "counter -w 2 -n 1 --sync none "
		    "-m %s", modes[_i]), 1);
		expect(&c, 0);
		note = jstr(&rows[0], "note");
		if (strcmp(jstr(&rows[0], "verdict"), "ok") == 0)
			ck_assert_msg(strstr(note, "exact this time: ") == note &&
			    strstr(note, "loses an update for certain") != NULL,
			    "note: %s", note);
		cmd_free(&c);
	}
}
END_TEST

/* The naive flag loses updates; test-and-set does not; spinning costs CPU. */
START_TEST(counter_flags)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "counter -w 4 -n 3000 -s naive-flag --widen -m %s",
	    modes[_i]);
	expect(&c, 0);
	ck_assert_uint_lt(jnum(&row[0], "observed"), 12000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);

	run_json(&c, row, "counter -w 3 -n 20000 -s tas -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 60000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* The flags with --mode both: the verdict each documents, in each mode. */
START_TEST(counter_flags_both)
{
	static const struct {
		const char	*args;
		const char	*verdict;
	} t[] = {
		{ "counter -w 3 -n 3000 -s naive-flag --widen", "race" },
		{ "counter -w 3 -n 3000 -s tas", "ok" },
	};

	both_modes_verdict(t[_i].args, t[_i].verdict);
}
END_TEST

/* Whether the last minute's load average is above the CPUs there are. */
static int
machine_busy(void)
{
	double load = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lf", &load) != 1)
		load = 0;
	fclose(f);
	return load > (double)sysconf(_SC_NPROCESSORS_ONLN);
}

/* CPU the workers of one run burned (cpu_ns). */
static uint64_t
cpu_of(const char *sync, const char *mode)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t ns;

	run_json(&c, row, "counter -w 2 -n 20 -u 2000 -s %s -m %s", sync, mode);
	expect(&c, 0);
	ns = jnum(&row[0], "cpu_ns");
	cmd_free(&c);
	return ns;
}

/*
 * A holder that sleeps: the spinners burn CPU, the blocked mutex waiters do
 * not.  The pthread spinlock never yields (tas does, every 128 looks, and
 * on a machine loaded by others it then burns little): up to three tries.
 */
START_TEST(counter_spin_cpu)
{
	uint64_t spin = 0, mutex = 0;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		spin = cpu_of("spin", modes[_i]);
		mutex = cpu_of("mutex", modes[_i]);
		if (spin > 2 * mutex)
			break;
	}
	/* A spinner yields every 128 looks: others' busy CPUs take its time. */
	if (spin <= 2 * mutex && machine_busy()) {
		fprintf(stderr, "counter_spin_cpu: skipped: the machine is busy "
		    "(load above its CPUs), spinners yield to it\n");
		return;
	}
	ck_assert_msg(spin > 2 * mutex, "spin cpu %ju ns, mutex %ju ns",
	    (uintmax_t)spin, (uintmax_t)mutex);
}
END_TEST

/* Coop tasks race only where they yield inside the read-modify-write. */
START_TEST(counter_coop_yields)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "counter -w 4 -n 3000 -m coop");
	expect_coop(&c);
	ck_assert_int_eq(n, 13);
	for (k = 0; k < n; k++) {
		ck_assert_str_eq(jstr(&row[k], "mode"), "coop");
		ck_assert_uint_eq(jnum(&row[k], "observed"), 12000);	/* none too */
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
	}
	cmd_free(&c);

	/* A yield inside: every task reads the same value; three of four updates lost. */
	run_json(&c, row, "counter -w 4 -n 3000 -m coop -s none --widen");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
	run_json(&c, row, "counter -w 4 -n 3000 -m coop -s mutex --widen");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 12000);
	cmd_free(&c);
}
END_TEST

/* -t: on time and exact. */
START_TEST(counter_timed)
{
	expect_timed("counter -w 2 -s mutex");
}
END_TEST

/* Unguarded for -t: one worker cannot race, so its count is exactly what it did. */
START_TEST(counter_timed_one_worker)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "counter -w 1 -s none -t 0.2 --mode both -T 10");
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	for (k = 0; k < n; k++) {
		ck_assert_uint_gt(jnum(&row[k], "expected"), 0);
		ck_assert_uint_eq(jnum(&row[k], "observed"), jnum(&row[k],
		    "expected"));
		ck_assert_uint_eq(jnum(&row[k], "iterations"), jnum(&row[k],
		    "expected"));
	}
	cmd_free(&c);
}
END_TEST

/* Three racing workers for -t: expected is their sum, what was lost is counted. */
START_TEST(counter_timed_race)
{
	struct jobj row[MAX_ROWS];
	uint64_t want, got, it;
	struct cmd c;
	int n;

	n = run_json(&c, row, "counter -w 3 -s %s --widen -t 0.2 -m thread -T 10",
	    _i ? "naive-flag" : "none");
	expect(&c, 0);
	ck_assert_int_eq(n, 1);
	want = jnum(&row[0], "expected");
	got = jnum(&row[0], "observed");
	it = jnum(&row[0], "iterations");
	ck_assert_str_eq(jstr(&row[0], "verdict"), got < want ? "race" : "ok");
	ck_assert_uint_le(got, want);
	ck_assert_uint_eq(jnum(&row[0], "lost"), want - got);
	ck_assert_msg(want >= 3 * it && want < 3 * it + 3,
	    "expected %ju is not 3 x the mean %ju", (uintmax_t)want, (uintmax_t)it);
	cmd_free(&c);
}
END_TEST

/* Worker 1 dies holding the robust mutex at its 501st increment: the survivors' count is exact. */
START_TEST(counter_mutex_owner_killed)
{
	const char *mode = _i ? "thread" : "process";
	char line[256], *nl;
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -w 3 -n 2000 --sync mutex --mode %s "
	    "-f csv --inject kill@1:500", mode), 0);
	expect(&c, 1);
	no_orphans();
	ck_assert_msg(strstr(c.out, ",6000,4500,1500,") != NULL,
	    "the survivors' count is not exact: %s", c.out);
	csv_want(c.out, 1, "verdict", "fail");
	ck_assert_msg(count_lines(c.err) == 1, "stderr is not one line: %s", c.err);
	ck_assert_ptr_nonnull(strstr(c.err, "holding the mutex: EOWNERDEAD, recovered"));
	ck_assert_ptr_nonnull(strstr(c.err, _i ? "worker 1 (thread " : "worker 1 (pid "));
	ck_assert_ptr_nonnull(strstr(c.err, _i ? ") ended early" : ") killed by SIGKILL"));
	ck_assert_ptr_nonnull(strstr(c.err, "injected kill@1:500"));

	/* The row's note says the same. */
	snprintf(line, sizeof(line), "%s", strstr(c.err, "worker 1"));
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	ck_assert_msg(strstr(c.out, line) != NULL, "note lacks '%s': %s", line, c.out);
	cmd_free(&c);
}
END_TEST

/* A test-and-set spinner killed mid-run: the others stop spinning at once. */
START_TEST(counter_tas_released)
{
	expect_released("counter -w 3 -n 100000 -s tas --inject kill@1:5",
	    modes[_i]);
}
END_TEST

/* The zoo's guards, threads and processes: exact, and a run of one worker is counted. */
START_TEST(counter_zoo_exact)
{
	static const char *const zoo[] = { "ttas", "yield", "cas", "ticket",
	    "mcs", "futex" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, row, "counter -w 3 -n 4000 -s %s -m both "
	    "-T 20", zoo[_i]), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		ck_assert_str_eq(jstr(&row[k], "sync"), zoo[_i]);
		ck_assert_str_eq(jstr(&row[k], "mode"), modes[k]);
		ck_assert_uint_eq(jnum(&row[k], "expected"), 12000);
		ck_assert_uint_eq(jnum(&row[k], "observed"), 12000);
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
		/* At least one acquisition in a run, at most all of one worker's. */
		ck_assert_uint_ge(jnum(&row[k], "max_run"), 1);
		ck_assert_uint_le(jnum(&row[k], "max_run"), 4000);
		ck_assert_int_eq(json_get(&row[k], "share_min")->type, J_NULL);
		ck_assert_int_eq(json_get(&row[k], "max_wait_ns")->type, J_NULL);
	}
	cmd_free(&c);
}
END_TEST

/*
 * Without -n the racers do 2,000,000 increments and the locks 100,000: every
 * row says which, expected follows it, and the table's heading lists both.
 */
START_TEST(counter_default_iterations)
{
	struct jobj row[MAX_ROWS];
	const char *s;
	uint64_t want;
	struct cmd c;
	int i, n;

	n = run_json(&c, row, "counter -w 2 -s all -m thread -T 30");
	expect(&c, 0);
	ck_assert_int_eq(n, 13);
	for (i = 0; i < n; i++) {
		s = jstr(&row[i], "sync");
		want = strcmp(s, "none") == 0 || strcmp(s, "naive-flag") == 0 ?
		    2000000 : 100000;
		ck_assert_msg(jnum(&row[i], "iterations") == want, "%s", s);
		ck_assert_uint_eq(jnum(&row[i], "expected"), 2 * want);
	}
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -s all -m thread -T 30"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, " iterations=2000000,100000 "));
	cmd_free(&c);
}
END_TEST

/* One worker: every acquisition is in one run; --fairness times its waits. */
START_TEST(counter_one_worker_run)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, row, "counter -w 1 -n 777 -s %s --fairness "
	    "-m %s -T 10", _i / 2 ? "mcs" : "mutex", modes[_i % 2]), 1);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_run"), 777);
	ck_assert_int_eq(json_get(&row[0], "max_wait_ns")->type, J_NUM);
	ck_assert_int_eq(json_get(&row[0], "max_run")->type, J_NUM);
	cmd_free(&c);
}
END_TEST

/*
 * The lesson: with a holder that sleeps 50 us, the ticket lock serves the
 * four workers in turn (no worker twice in a row, shares equal, Jain ~1);
 * test-and-set lets the releaser take it again at once, hundreds of times.
 * Runs depend on the scheduler: the margins are wide, and a run that shows
 * nothing is tried again, up to 3 times.
 */
static int
fair_run(const char *guard, const char *mode, uint64_t *run, double *jain,
    uint64_t *total)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n;

	n = run_json(&c, row, "counter -w 4 -t 0.3 --hold-us 50 -s %s -m %s -T 10",
	    guard, mode);
	expect(&c, 0);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(jnum(&row[0], "observed"), jnum(&row[0], "expected"));
	*run = jnum(&row[0], "max_run");
	*jain = strtod(json_get(&row[0], "jain")->val, NULL);
	*total = jnum(&row[0], "expected");
	ck_assert_int_eq(json_get(&row[0], "max_wait_ns")->type, J_NUM);
	cmd_free(&c);
	return n;
}

START_TEST(counter_fifo_fair)
{
	const char *guard = _i / 2 ? "mcs" : "ticket";
	uint64_t run = 0, total = 0;
	double jain = 0;
	int try;

	for (try = 0; try < 3; try++) {
		fair_run(guard, modes[_i % 2], &run, &jain, &total);
		if (run <= 2 && jain > 0.95)
			break;
	}
	ck_assert_msg(run <= 2 && jain > 0.95, "%s -m %s: max_run %ju, jain %.3f "
	    "of %ju", guard, modes[_i % 2], (uintmax_t)run, jain,
	    (uintmax_t)total);
}
END_TEST

START_TEST(counter_tas_unfair)
{
	uint64_t run = 0, total = 0;
	double jain = 0;
	int try;

	for (try = 0; try < 3; try++) {
		fair_run("tas", modes[_i], &run, &jain, &total);
		if (run >= 10)
			break;
	}
	ck_assert_msg(run >= 10, "tas -m %s: max_run only %ju of %ju", modes[_i],
	    (uintmax_t)run, (uintmax_t)total);
}
END_TEST

Suite *
demo_counter_suite(void)
{
	Suite *s = suite_create("demo_counter");
	TCase *tc = tcase_in(s, "counter", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, counter_guards_exact, 0, 12);
	tcase_add_loop_test(tc, counter_race_loses, 0, 4);
	tcase_add_loop_test(tc, counter_all_rows, 0, 3);
	tcase_add_test(tc, counter_one_worker_exact);
	tcase_add_loop_test(tc, counter_exact_says_why, 0, 2);
	tcase_add_loop_test(tc, counter_flags, 0, 2);
	tcase_add_loop_test(tc, counter_flags_both, 0, 2);
	tcase_add_loop_test(tc, counter_spin_cpu, 0, 2);
	tcase_add_test(tc, counter_coop_yields);
	tcase_add_loop_test(tc, counter_zoo_exact, 0, 6);
	tcase_add_loop_test(tc, counter_one_worker_run, 0, 4);
	tcase_add_test(tc, counter_default_iterations);
	tc = tcase_in(s, "fairness", TEST_TIMEOUT, 0);
	tcase_add_loop_test(tc, counter_fifo_fair, 0, 4);
	tcase_add_loop_test(tc, counter_tas_unfair, 0, 2);
	tc = tcase_in(s, "timed", 20, 0);
	tcase_add_test(tc, counter_timed);
	tcase_add_test(tc, counter_timed_one_worker);
	tcase_add_loop_test(tc, counter_timed_race, 0, 2);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, counter_mutex_owner_killed, 0, 2);
	tcase_add_loop_test(tc, counter_tas_released, 0, 2);
	return s;
}
