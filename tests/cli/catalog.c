/*
 * catalog.c - end to end, the catalog demos in both modes: each one's
 * invariant read back from its JSON Lines output, its exit status, and
 * nothing left in /dev/shm.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../workers/worker.h"
#include "cli.h"

static const char *const modes[] = { "thread", "process" };

/* K permits, 6 clients: exactly K at once; 2 clients: both at once. */
START_TEST(semaphore_bound)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n;

	n = run_json(&c, row, "semaphore -w 6 -k 3 -n 2 -u 3000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 3);
	ck_assert_uint_ge(jnum(&row[0], "waves"), 4);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "semaphore -w 2 -k 3 -n 2 -u 2000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 2);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 2);
	cmd_free(&c);
}
END_TEST

/* One release too many: a plain semaphore admits K+1, a bounded one refuses. */
START_TEST(semaphore_over_release)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "semaphore -w 6 -k 2 -n 2 -u 5000 --over-release -m %s",
	    modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 3);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_eq(jnum(&row[0], "refused"), 0);
	cmd_free(&c);

	run_json(&c, row, "semaphore -w 6 -k 2 -n 2 -u 3000 --over-release "
	    "--bounded -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 2);
	ck_assert_uint_eq(jnum(&row[0], "refused"), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* EBUSY at once, ETIMEDOUT at the asked deadline, the lock after the release. */
START_TEST(timeout_three_ways)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "timeout -w 3 -H 120 -W 30 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "trylock"), "EBUSY");
	ck_assert_uint_lt(jnum(&row[0], "try_ns"), 30000000);	/* did not wait */
	ck_assert_str_eq(jstr(&row[0], "timedlock"), "ETIMEDOUT");
	ck_assert_uint_ge(jnum(&row[0], "timed_ns"), 30000000);
	ck_assert_uint_lt(jnum(&row[0], "timed_ns"), 2030000000);
	ck_assert_uint_ge(jnum(&row[0], "blocked_ns"), 45000000);	/* it waited */
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* D levels under a recursive mutex, exact; EDEADLK and ETIMEDOUT once per worker. */
START_TEST(reentrant_depth)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "reentrant -w 3 -n 200 -d 7 -R 5 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3 * 200 * 7);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 3 * 200 * 7);
	ck_assert_uint_eq(jnum(&row[0], "depth_reached"), 7);
	ck_assert_uint_eq(jnum(&row[0], "edeadlk"), 3);
	ck_assert_uint_eq(jnum(&row[0], "self_deadlocks"), 3);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Random start order, yet first second third every round; unguarded, not. */
START_TEST(order_rounds)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "order -n 300 -j 30 --seed %d -m %s", 7 + _i, modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 300);
	ck_assert_uint_eq(jnum(&row[0], "out_of_order"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "order -n 300 -j 30 -s none -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_gt(jnum(&row[0], "out_of_order"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/* Exactly foobar x N with the semaphores; pairs broken without. */
START_TEST(foobar_pairs)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "foobar -n 2000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2000);
	ck_assert_uint_eq(jnum(&row[0], "broken"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "foobar -n 5000 -s none -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_gt(jnum(&row[0], "broken"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/* Threads share the global; processes each count in their own copy. */
START_TEST(isolation_memory)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "isolation -w 3 -n 5000 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "shared"), 15000);
	ck_assert_uint_eq(jnum(&row[0], "global"), _i == 0 ? 15000 : 0);
	if (_i == 1)
		ck_assert_uint_eq(jnum(&row[0], "worker_saw_max"), 5000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Every waiter wakes once a round, after the set, round after round. */
START_TEST(event_rounds)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "event -w 6 -r 4 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 5 * 4);
	ck_assert_uint_eq(jnum(&row[0], "early"), 0);
	ck_assert_uint_gt(jnum(&row[0], "wake_latency_ns"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

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

/* The bad order deadlocks and the cycle is named; both cures finish. */
START_TEST(deadlock_cycle)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -n 100 -W 40 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_uint_ge(jnum(&row[0], "deadlocks"), 1);
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds A waits B"));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "cycle"), "holds B waits A"));
	cmd_free(&c);
}
END_TEST

START_TEST(deadlock_cures)
{
	static const char *const fix[] = { "order", "backoff" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "deadlock -n 500 -x %s -m %s", fix[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 1000);
	ck_assert_uint_eq(jnum(&row[0], "deadlocks"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	if (_i / 2 == 1)
		ck_assert_uint_ge(jnum(&row[0], "retries"), 1);
	cmd_free(&c);
}
END_TEST

/* 2N passes, every token in turn, a round trip measured: both hand-offs. */
START_TEST(pingpong_turns)
{
	static const char *const via[] = { "sem", "spin" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "pingpong -n 2000 -V %s -m %s", via[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 4000);
	ck_assert_uint_eq(jnum(&row[0], "out_of_turn"), 0);
	ck_assert_uint_gt(jnum(&row[0], "rtt_median_ns"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
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

/* A holder that sleeps: the spinners burn CPU, the blocked mutex waiters do not. */
START_TEST(counter_spin_cpu)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t spin, mutex;

	run_json(&c, row, "counter -w 2 -n 20 -u 2000 -s tas -m %s", modes[_i]);
	expect(&c, 0);
	spin = jnum(&row[0], "cpu_ns");
	cmd_free(&c);
	run_json(&c, row, "counter -w 2 -n 20 -u 2000 -s mutex -m %s", modes[_i]);
	expect(&c, 0);
	mutex = jnum(&row[0], "cpu_ns");
	cmd_free(&c);
	ck_assert_msg(spin > 2 * mutex, "tas cpu %ju ns, mutex %ju ns",
	    (uintmax_t)spin, (uintmax_t)mutex);
}
END_TEST

/* Death in the critical section: repaired (robust), released (cleanup), exact. */
START_TEST(crash_robust)
{
	static const char *const how[] = { "kill", "exit" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "crash -w 3 -n 3000 -a 100 -H %s -m %s", how[_i / 2],
	    modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * 3000 + 100);
	ck_assert_uint_eq(jnum(&row[0], "expected"), 2 * 3000 + 100);
	ck_assert_uint_eq(jnum(&row[0], "victim_done"), 100);
	ck_assert_uint_eq(jnum(&row[0], "repaired"), _i % 2 ? 1 : 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* A semaphore has no owner to die: in processes the survivors are stuck. */
START_TEST(crash_sem_stuck)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "crash -w 3 -n 2000 -a 50 -l sem -k 50 -H abort -m process");
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "stuck"), 2);
	ck_assert_uint_eq(jnum(&row[0], "victim_done"), 50);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);

	/* A cancelled thread's cleanup handler posts the semaphore: nobody is stuck. */
	run_json(&c, row, "crash -w 3 -n 2000 -a 50 -l sem -k 50 -m thread");
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "stuck"), 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 2 * 2000 + 50);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Every item once, every consumer ends; an if instead of a while shows. */
START_TEST(condition_items)
{
	static const char *const notify[] = { "one", "all" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "condition -p 2 -c 3 -n 1500 -k 2 -N %s -m %s",
	    notify[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3000);
	ck_assert_uint_eq(jnum(&row[0], "empty_takes"), 0);
	ck_assert_uint_le(jnum(&row[0], "futile"), jnum(&row[0], "wakeups"));
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);

	run_json(&c, row, "condition -p 1 -c 4 -n 3000 -k 1 -N all -C if -m %s",
	    modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 3000);
	ck_assert_uint_gt(jnum(&row[0], "empty_takes"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/*
 * A signal wakes at most one sleeper: wake-ups <= notifies, plus the last
 * producer's broadcast to every consumer (and a little room for spurious
 * ones).  A broadcast wakes whoever sleeps: no bound but the count itself.
 */
START_TEST(condition_per_notify)
{
	static const char *const notify[] = { "one", "all" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t woke, sent;

	run_json(&c, row, "condition -p 1 -c 6 -n 1000 -k 1 -N %s -m %s",
	    notify[_i / 2], modes[_i % 2]);
	expect(&c, 0);
	woke = jnum(&row[0], "wakeups");
	sent = jnum(&row[0], "notifies");
	ck_assert_uint_eq(sent, 1000 + 1);	/* an item each, and the end */
	ck_assert_uint_eq(jnum(&row[0], "observed"), 1000);
	ck_assert_uint_le(jnum(&row[0], "futile"), woke);
	if (_i / 2 == 0)
		ck_assert_msg(woke <= sent + 6 + sent / 50, "%ju wake-ups for %ju "
		    "signals", (uintmax_t)woke, (uintmax_t)sent);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* The last producer's join returns with every item processed, not before. */
START_TEST(queue_join)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "queue --join -p 2 -c 3 -n 3000 -k 8 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "joined_at"), 6000);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 6000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Every task once, every result right: a pool, and a worker per task. */
START_TEST(pool_tasks)
{
	static const char *const spawn[] = { "pool", "per-task" };
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "pool -w 3 -j 40 -k 100 -S %s -m %s", spawn[_i / 2],
	    modes[_i % 2]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 40);
	ck_assert_uint_eq(jnum(&row[0], "tasks_run"), 40);
	ck_assert_uint_eq(jnum(&row[0], "workers"), _i / 2 ? 40 : 3);
	ck_assert_uint_gt(jnum(&row[0], "ns_per_task"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* The blocking queue verifies each user once; the naive poll repeats users and burns CPU. */
START_TEST(referee_users)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t cpu_queue, cpu_naive;
	int try;

	run_json(&c, row, "referee -u 6 -S 5 -V 1 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 6);
	ck_assert_uint_eq(jnum(&row[0], "lost") + jnum(&row[0], "duplicated"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cpu_queue = jnum(&row[0], "cpu_ns");
	cmd_free(&c);

	run_json(&c, row, "referee -u 6 -S 5 -V 1 --naive -m %s", modes[_i]);
	expect(&c, 0);
	cpu_naive = jnum(&row[0], "cpu_ns");
	ck_assert_msg(cpu_naive > 4 * cpu_queue, "naive cpu %ju ns, queue %ju ns",
	    (uintmax_t)cpu_naive, (uintmax_t)cpu_queue);
	cmd_free(&c);

	/* Two referees free when user 0 arrives: both take it, one skips the next. */
	for (try = 0; try < 3; try++) {		/* a race: retried if it hid */
		run_json(&c, row, "referee -u 6 -S 5 --naive -m %s", modes[_i]);
		expect(&c, 0);
		if (strcmp(jstr(&row[0], "verdict"), "race") == 0 || try == 2)
			break;
		cmd_free(&c);
	}
	ck_assert_uint_gt(jnum(&row[0], "duplicated") + jnum(&row[0], "lost"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/* The whole catalog with defaults: a row per demo, variant and mode, none failed. */
START_TEST(all_demos)
{
	const struct worker *const *w;
	struct cmd c;
	char tag[64];
	int rows;

	ck_assert_int_eq(cmd_runf(&c, "all -m process -f csv"), 0);
	expect(&c, 0);
	rows = count_lines(c.out) - 1;
	ck_assert_int_ge(rows, 20);
	ck_assert_ptr_null(strstr(c.out, ",fail,"));
	for (w = workers; *w != NULL; w++) {
		snprintf(tag, sizeof(tag), "\n%s,", (*w)->name);
		ck_assert_msg(strstr(c.out, tag) != NULL, "no row for %s", (*w)->name);
	}
	cmd_free(&c);
}
END_TEST

/* The man page names every subcommand of the registry, and lints clean. */
START_TEST(man_page_complete)
{
	static const char *const extra[] = { "all", "bench", "clean", "list",
	    "help", "explain", "sweep", "completion" };
	const struct worker *const *w;
	const char *argv[] = { "/bin/sh", "-c", "command -v mandoc >/dev/null || "
	    "exit 77; mandoc -Tlint -Wwarning shmsync.1", NULL };
	char page[65536], want[64];
	struct cmd c;
	size_t n, i;
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen("shmsync.1", "r"));
	n = fread(page, 1, sizeof(page) - 1, f);
	fclose(f);
	page[n] = '\0';
	for (w = workers; *w != NULL; w++) {
		snprintf(want, sizeof(want), ".It Cm %s", (*w)->name);
		ck_assert_msg(strstr(page, want) != NULL, "man page: no %s", want);
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(want, sizeof(want), "Cm %s", extra[i]);
		ck_assert_msg(strstr(page, want) != NULL, "man page: no %s", want);
	}
	ck_assert_int_eq(cmd_run(&c, argv), 0);
	if (c.status == 77)
		fprintf(stderr, "catalog: skipped: mandoc not installed, man page not linted\n");
	else
		ck_assert_msg(c.status == 0 && c.outlen + c.errlen == 0,
		    "mandoc -Tlint: %s%s", c.out, c.err);
	cmd_free(&c);
}
END_TEST

/* The "Try:" part of an explanation: its suggestions, parentheses dropped. */
static void
try_line(const char *text, char *out, size_t len)
{
	const char *t = strstr(text, "Try:");
	size_t n = 0;
	int depth = 0;

	for (t = t != NULL ? t + 4 : ""; *t != '\0' && n + 1 < len; t++) {
		if (t[0] == '\n' && t[1] == '\n')
			break;
		depth += *t == '(' ? 1 : *t == ')' ? -1 : 0;
		if (depth == 0 && *t != ')')
			out[n++] = *t == '\n' ? ' ' : *t;
	}
	out[n] = '\0';
}

/* Every demo explains itself, and each thing it says to try is a valid command line. */
START_TEST(explain_every_demo)
{
	const struct worker *const *w;
	char tries[512], *one, *p, *dot;
	struct cmd c;

	for (w = workers; *w != NULL; w++) {
		ck_assert_msg((*w)->explain != NULL, "%s: no explanation", (*w)->name);
		ck_assert_ptr_nonnull(strstr((*w)->explain, "Primitive:"));
		ck_assert_ptr_nonnull(strstr((*w)->explain, "Pitfalls:"));
		ck_assert_int_eq(cmd_runf(&c, "explain %s", (*w)->name), 0);
		expect(&c, 0);
		ck_assert_ptr_nonnull(strstr(c.out, (*w)->explain));
		cmd_free(&c);

		try_line((*w)->explain, tries, sizeof(tries));
		ck_assert_msg(tries[0] != '\0', "%s: nothing to try", (*w)->name);
		for (p = tries; (one = strsep(&p, ";")) != NULL;) {
			if ((dot = strrchr(one, '.')) != NULL && dot[1] == '\0')
				*dot = '\0';
			ck_assert_int_eq(cmd_runf(&c, "%s %s --help", (*w)->name, one), 0);
			ck_assert_msg(c.status == 0, "%s %s: %s", (*w)->name, one, c.err);
			cmd_free(&c);
		}
	}
}
END_TEST

/* The completion script parses, and offers every demo and every option of each. */
START_TEST(completion_complete)
{
	const struct worker *const *w;
	const struct optdef *o;
	const char *argv[] = { "/bin/bash", "-n", NULL, NULL };
	char want[64], path[] = "/tmp/shmsync-completion.XXXXXX";
	struct cmd c;
	FILE *f;
	int fd;

	ck_assert_int_eq(cmd_runf(&c, "completion bash"), 0);
	expect(&c, 0);
	for (w = workers; *w != NULL; w++) {
		snprintf(want, sizeof(want), "\t%s)\n", (*w)->name);
		ck_assert_msg(strstr(c.out, want) != NULL, "no arm for %s", (*w)->name);
		for (o = (*w)->opts; o->name != NULL; o++) {
			snprintf(want, sizeof(want), " --%s ", o->name);
			ck_assert_msg(strstr(c.out, want) != NULL, "%s: no %s",
			    (*w)->name, want);
		}
	}

	/* bash -n reads the script from a file: write it, then check it. */
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs(c.out, f);
	fclose(f);
	cmd_free(&c);
	argv[2] = path;
	ck_assert_int_eq(cmd_run(&c, argv), 0);
	unlink(path);
	ck_assert_msg(c.status == 0, "bash -n: %s", c.err);
	cmd_free(&c);
}
END_TEST

/* --color=always paints the table's verdicts, never CSV or JSON; never and auto (no tty) do not. */
START_TEST(color_when)
{
	static const struct {
		const char	*args;
		int		 esc;
	} t[] = {
		{ "--color=always", 1 }, { "--color=never", 0 }, { "", 0 },
		{ "--color=always -f csv", 0 }, { "--color=always -f json", 0 },
	};
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -n 100 -s mutex -m thread %s",
	    t[_i].args), 0);
	expect(&c, 0);
	ck_assert_msg((strchr(c.out, '\033') != NULL) == t[_i].esc,
	    "%s: escapes %s", t[_i].args, t[_i].esc ? "missing" : "present");
	if (t[_i].esc)
		ck_assert_ptr_nonnull(strstr(c.out, "\033[32mok"));
	cmd_free(&c);
}
END_TEST

/* A row per grid point (workers x variant x mode), parameters echoed, invariants held. */
START_TEST(sweep_grid)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "sweep counter --workers 1,2,3 -s mutex -n 2000 "
	    "--repeat 3 -m both");
	expect(&c, 0);
	ck_assert_int_eq(n, 6);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(jnum(&row[k], "workers"), (uint64_t)(k / 2 + 1));
		ck_assert_uint_eq(jnum(&row[k], "observed"), 2000 * (uint64_t)(k / 2 + 1));
		ck_assert_uint_eq(jnum(&row[k], "repeats"), 3);
		ck_assert_str_eq(jstr(&row[k], "mode"), k % 2 ? "process" : "thread");
		ck_assert_double_le(strtod(json_get(&row[k], "ops_per_sec_min")->val,
		    NULL), strtod(json_get(&row[k], "ops_per_sec_max")->val, NULL));
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
	}
	cmd_free(&c);

	/* A queue's workers are its producers and its consumers. */
	n = run_json(&c, row, "sweep queue --workers 1,2 -n 500 -m process");
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(jnum(&row[1], "producers"), 2);
	ck_assert_uint_eq(jnum(&row[1], "consumers"), 2);
	ck_assert_uint_eq(jnum(&row[1], "observed"), 1000);
	cmd_free(&c);
}
END_TEST

/* --plot writes an SVG when gnuplot is installed, and says so when it is not. */
START_TEST(sweep_plot)
{
	char path[] = "/tmp/shmsync-sweep-XXXXXX.svg", head[64] = "";
	struct cmd c;
	FILE *f;
	int fd, gnuplot = system("command -v gnuplot >/dev/null 2>&1") == 0;

	ck_assert_int_ge(fd = mkstemps(path, 4), 0);
	close(fd);
	unlink(path);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2 -s atomic -n 500 "
	    "--plot %s", path), 0);
	if (!gnuplot) {
		fprintf(stderr, "catalog: skipped: gnuplot not installed, no plot drawn\n");
		ck_assert_int_eq(c.status, 2);
		ck_assert_ptr_nonnull(strstr(c.err, "gnuplot"));
		ck_assert_int_eq(access(path, F_OK), -1);
		cmd_free(&c);
		return;
	}
	expect(&c, 0);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_uint_gt(fread(head, 1, sizeof(head) - 1, f), 0);
	fclose(f);
	unlink(path);
	ck_assert_ptr_nonnull(strstr(head, "<?xml"));
	cmd_free(&c);
}
END_TEST

/* expect(c, 0), but ASan's one warning about swapcontext is no error of ours. */
static void
expect_coop(struct cmd *c)
{
	const char *w = "WARNING: ASan doesn't fully support makecontext/swapcontext";

	ck_assert_msg(c->status == 0, "exit %d; stderr: %s", c->status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	ck_assert_msg(c->errlen == 0 || (count_lines(c->err) <= 2 &&
	    strstr(c->err, w) != NULL), "stderr: %s", c->err);
}

/* Coop tasks race only where they yield inside the read-modify-write. */
START_TEST(coop_yields)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "counter -w 4 -n 3000 -m coop");
	expect_coop(&c);
	ck_assert_int_eq(n, 7);
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

	/* The other cooperative demos keep their invariants with yields for waits. */
	run_json(&c, row, "semaphore -w 6 -k 2 -n 2 -u 2000 -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "max_concurrent"), 2);
	cmd_free(&c);
	run_json(&c, row, "barrier -w 5 -r 100 -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 100);
	ck_assert_uint_eq(jnum(&row[0], "serial_bad"), 0);
	cmd_free(&c);
	run_json(&c, row, "queue -p 2 -c 2 -n 2000 -k 4 --join -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 4000);
	ck_assert_uint_eq(jnum(&row[0], "joined_at"), 4000);
	ck_assert_uint_eq(jnum(&row[0], "duplicates"), 0);
	cmd_free(&c);
	run_json(&c, row, "event -w 4 -r 3 -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 9);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* --story tells the tutorial's story: a line per user, in order, before the table. */
START_TEST(referee_timeline)
{
	struct cmd c;
	char want[64];
	int u;

	ck_assert_int_eq(cmd_runf(&c, "referee --story -u 5 -S 5 -m process"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "process story (tutorial seconds):"));
	for (u = 0; u < 5; u++) {
		snprintf(want, sizeof(want), "  user %d arrives; referee ", u);
		ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want, c.out);
	}
	ck_assert_ptr_null(strstr(c.out, "never verified"));
	ck_assert(strstr(c.out, "story") < strstr(c.out, "proves:"));
	cmd_free(&c);
}
END_TEST

/* Impossible combinations and out-of-range counts: exit 2, one line. */
START_TEST(catalog_bad_input)
{
	static const char *const bad[] = {
		"semaphore --bounded", "semaphore -k 0", "semaphore -w 0",
		"semaphore --over-release -w 3 -k 3",
		"semaphore --over-release --bounded -w 2 -k 4",
		"semaphore -u -1", "timeout -W 200 -H 100", "timeout -w 1", "reentrant -d 0", "order -s maybe", "foobar -n 0", "event -w 1", "rwlock -R 4000 -W 100", "rwlock -P nobody", "deadlock -x prayer", "crash -v 3 -w 3", "crash -a 10 -n 10", "crash -H abort", "condition -N some", "queue --join -q spsc -p 1 -c 1", "pool -S per-task -j 5000", "referee -u 0", "referee --story -f json", "counter --timeline -f csv", "all --timeline", "sweep counter --workers 1,2 --timeline", "all --inject kill@0:1", "all -w 3", "explain", "explain nothing", "completion zsh", "counter --color=sometimes", "sweep counter", "sweep counter --workers 1,1",
		"sweep order --workers 2", "sweep counter --workers 0,2", "sweep counter --workers 2 --chart -f csv",
		"queue -m coop -q spsc -p 1 -c 1", "counter -m coop --inject kill@0:1",
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

static const int nbad = 36;

Suite *
catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("semaphore");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_loop_test(tc, semaphore_bound, 0, 2);
	tcase_add_loop_test(tc, semaphore_over_release, 0, 2);
	tcase_add_loop_test(tc, catalog_bad_input, 0, nbad);
	suite_add_tcase(s, tc);
	tc = tcase_create("timeout");
	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_loop_test(tc, timeout_three_ways, 0, 2);
	tcase_add_loop_test(tc, reentrant_depth, 0, 2);
	tcase_add_loop_test(tc, order_rounds, 0, 2);
	tcase_add_loop_test(tc, foobar_pairs, 0, 2);
	tcase_add_loop_test(tc, isolation_memory, 0, 2);
	tcase_add_loop_test(tc, event_rounds, 0, 2);
	tcase_add_loop_test(tc, rwlock_share, 0, 4);
	tcase_add_loop_test(tc, deadlock_cycle, 0, 2);
	tcase_add_loop_test(tc, deadlock_cures, 0, 4);
	tcase_add_loop_test(tc, pingpong_turns, 0, 4);
	tcase_add_loop_test(tc, counter_flags, 0, 2);
	tcase_add_loop_test(tc, counter_spin_cpu, 0, 2);
	tcase_add_loop_test(tc, crash_robust, 0, 4);
	tcase_add_test(tc, crash_sem_stuck);
	tcase_add_loop_test(tc, condition_items, 0, 4);
	tcase_add_loop_test(tc, condition_per_notify, 0, 4);
	tcase_add_loop_test(tc, queue_join, 0, 2);
	tcase_add_loop_test(tc, pool_tasks, 0, 4);
	tcase_add_loop_test(tc, referee_users, 0, 2);
	tcase_add_test(tc, referee_timeline);
	tcase_add_test(tc, all_demos);
	tcase_add_test(tc, man_page_complete);
	tcase_add_test(tc, explain_every_demo);
	tcase_add_test(tc, completion_complete);
	tcase_add_loop_test(tc, color_when, 0, 5);
	tcase_add_test(tc, sweep_grid);
	tcase_add_test(tc, sweep_plot);
	tcase_add_test(tc, coop_yields);
	suite_add_tcase(s, tc);
	return s;
}
