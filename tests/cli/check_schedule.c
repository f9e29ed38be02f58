/*
 * check_schedule.c - scheduled runs (launcher/explore.c, turnstile.c,
 * step.c): --explore counts every schedule of the counter exactly (each
 * distribution recomputed here by brute force over the same steps), the
 * guards are proven, a shortest losing schedule replays to the same value
 * in coop, thread and process mode every time, --step plays from a pipe
 * and in tmux, and bad input is refused before anything is created.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests.h"

#define MAXW	4
#define MAXV	16			/* final values 0..MAXV-1 */

/*
 * The unguarded counter by brute force: each worker's increment is a load
 * (into its register) and a store (register + 1); every interleaving is
 * walked and its final value counted.  Independent of the program's graph.
 */
struct bf {
	unsigned	 w, n;
	unsigned	 pc[MAXW];
	uint64_t	 reg[MAXW];
	uint64_t	 counter;
	uint64_t	 dist[MAXV];
};

static void
walk(struct bf *b)
{
	unsigned i, pc;
	uint64_t reg, c;
	int moved = 0;

	for (i = 0; i < b->w; i++) {
		if ((pc = b->pc[i]) == 2 * b->n)
			continue;
		moved = 1;
		reg = b->reg[i];
		c = b->counter;
		if (pc % 2 == 0)
			b->reg[i] = b->counter;
		else
			b->counter = b->reg[i] + 1;
		b->pc[i]++;
		walk(b);
		b->pc[i] = pc;
		b->reg[i] = reg;
		b->counter = c;
	}
	if (!moved)
		b->dist[b->counter]++;
}

/* --explore -s none: the schedules, each final value's count, the verdict. */
START_TEST(explore_none_exact)
{
	static const unsigned sizes[][2] = { { 2, 2 }, { 2, 3 }, { 3, 2 },
	    { 4, 1 } };
	struct bf b;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char key[8], got[64];
	uint64_t total = 0, v;

	memset(&b, 0, sizeof(b));
	b.w = sizes[_i][0];
	b.n = sizes[_i][1];
	walk(&b);
	ck_assert_int_eq(run_json(&c, row, "counter -s none -w %u -n %u --explore",
	    b.w, b.n), 1);
	expect(&c, 0);
	for (v = 0; v < MAXV; v++) {
		total += b.dist[v];
		snprintf(key, sizeof(key), "%ju", (uintmax_t)v);
		if (b.dist[v] == 0) {
			ck_assert_ptr_null(jmember(&row[0], "outcomes", key, got,
			    sizeof(got)));
			continue;
		}
		ck_assert_msg(jmember(&row[0], "outcomes", key, got, sizeof(got)) !=
		    NULL && strtoull(got, NULL, 10) == b.dist[v], "%ux%u: %s: %ju "
		    "schedules, program says %s", b.w, b.n, key,
		    (uintmax_t)b.dist[v], got);
	}
	ck_assert_uint_eq(jnum(&row[0], "schedules"), total);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_str_eq(jstr(&row[0], "mode"), "explore");
	cmd_free(&c);
}
END_TEST

/* 3 x 3: the 17,153,136 schedules, every value's count (slow: a brute-force walk). */
START_TEST(explore_none_3x3)
{
	struct bf b;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char key[8], got[64];
	uint64_t v;

	if (getenv("SHMSYNC_SLOW") == NULL)
		return;
	memset(&b, 0, sizeof(b));
	b.w = b.n = 3;
	walk(&b);
	ck_assert_int_eq(run_json(&c, row, "counter -s none -w 3 -n 3 --explore"), 1);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "schedules"), 17153136);
	for (v = 2; v <= 9; v++) {
		snprintf(key, sizeof(key), "%ju", (uintmax_t)v);
		ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", key, got,
		    sizeof(got)));
		ck_assert_uint_eq(strtoull(got, NULL, 10), b.dist[v]);
	}
	cmd_free(&c);
}
END_TEST

/* n! / (k!)^w: the ways to interleave w workers' k indivisible sections. */
static uint64_t
interleavings(unsigned w, unsigned k)
{
	uint64_t r = 1, i, j, d = 1;

	for (i = 1; i <= (uint64_t)w * k; i++)
		r *= i;
	for (j = 0; j < w; j++)
		for (i = 1; i <= k; i++)
			d *= i;
	return r / d;
}

/*
 * Every guard proven: one outcome, the exact total, in as many schedules
 * as there are orders of the critical sections (a waiter is blocked).
 */
START_TEST(explore_guards_proven)
{
	static const char *const guards[] = { "mutex", "sem", "spin", "atomic",
	    "tas", "ttas", "yield", "cas", "ticket", "mcs", "futex" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char got[64];
	unsigned w = _i % 2 ? 3 : 2, n = 2;

	ck_assert_int_eq(run_json(&c, row, "counter -s %s -w %u -n %u --explore",
	    guards[_i / 2], w, n), 1);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	ck_assert_uint_eq(jnum(&row[0], "schedules"), interleavings(w, n));
	snprintf(got, sizeof(got), "%u", w * n);
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", got, got, sizeof(got)));
	ck_assert_uint_eq(strtoull(got, NULL, 10), interleavings(w, n));
	ck_assert_ptr_nonnull(strstr(jstr(&row[0], "note"), "proven"));
	cmd_free(&c);
}
END_TEST

/*
 * The naive flag by brute force: check the flag (a load; blocked while it
 * is up), raise it, load the counter, store it + 1, lower the flag.
 */
struct nf {
	unsigned	 w, n;
	unsigned	 pc[MAXW];
	uint64_t	 reg[MAXW];
	uint64_t	 counter;
	int		 flag;
	uint64_t	 dist[MAXV];
};

static int
nf_step(struct nf *b, unsigned i)
{
	switch (b->pc[i] % 5) {
	case 0:
		if (b->flag)
			return 0;
		break;
	case 1:
		b->flag = 1;
		break;
	case 2:
		b->reg[i] = b->counter;
		break;
	case 3:
		b->counter = b->reg[i] + 1;
		break;
	default:
		b->flag = 0;
		break;
	}
	b->pc[i]++;
	return 1;
}

static void
nf_walk(struct nf *b)
{
	struct nf save;
	unsigned i;
	int moved = 0;

	for (i = 0; i < b->w; i++) {
		if (b->pc[i] == 5 * b->n)
			continue;
		save = *b;
		if (!nf_step(b, i))
			continue;
		moved = 1;
		nf_walk(b);
		memcpy(save.dist, b->dist, sizeof(save.dist));
		*b = save;
	}
	if (!moved)
		b->dist[b->counter]++;
}

START_TEST(explore_naive_exact)
{
	struct nf b;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char key[8], got[64];
	uint64_t v, total = 0;

	memset(&b, 0, sizeof(b));
	b.w = 2;
	b.n = (unsigned)_i + 1;
	nf_walk(&b);
	ck_assert_int_eq(run_json(&c, row, "counter -s naive-flag -w 2 -n %u "
	    "--explore", b.n), 1);
	expect(&c, 0);
	for (v = 0; v < MAXV; v++) {
		if (b.dist[v] == 0)
			continue;
		total += b.dist[v];
		snprintf(key, sizeof(key), "%ju", (uintmax_t)v);
		ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", key, got,
		    sizeof(got)));
		ck_assert_uint_eq(strtoull(got, NULL, 10), b.dist[v]);
	}
	ck_assert_uint_eq(jnum(&row[0], "schedules"), total);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
}
END_TEST

/*
 * Lock programs by brute force: each worker a list of lock (+) and unlock
 * (-) steps on numbered locks; a lock step waits while another holds it.
 * Every schedule is walked: how many finish, how many end with every
 * unfinished worker waiting (a deadlock).
 */
#define MAXOPS	8

struct lp {
	unsigned	 w, len[MAXW];
	int		 op[MAXW][MAXOPS];	/* +(k+1) lock k, -(k+1) unlock k */
	unsigned	 pc[MAXW];
	int		 holder[MAXW + 2];	/* lock k's holder + 1, or 0 */
	uint64_t	 done, deadlocks;
};

static void
lp_walk(struct lp *b)
{
	unsigned i, open = 0, moved = 0;
	int op, k;

	for (i = 0; i < b->w; i++) {
		if (b->pc[i] == b->len[i])
			continue;
		open++;
		op = b->op[i][b->pc[i]];
		k = (op > 0 ? op : -op) - 1;
		if (op > 0 && b->holder[k] != 0)
			continue;
		moved++;
		b->holder[k] = op > 0 ? (int)i + 1 : 0;
		b->pc[i]++;
		lp_walk(b);
		b->pc[i]--;
		b->holder[k] = op > 0 ? 0 : (int)i + 1;
	}
	if (open == 0)
		b->done++;
	else if (moved == 0)
		b->deadlocks++;
}

/* Worker i takes lock a then z, lets go of z then a. */
static void
lp_diner(struct lp *b, unsigned i, int a, int z)
{
	b->len[i] = 4;
	b->op[i][0] = a + 1;
	b->op[i][1] = z + 1;
	b->op[i][2] = -(z + 1);
	b->op[i][3] = -(a + 1);
}

/*
 * A deadlock found and counted, its cure proven: two accounts' locks (worker
 * i takes lock i, then the other), then three philosophers (left, right);
 * the cures take the lower first.
 */
START_TEST(explore_deadlocks)
{
	static const char *const cmd[] = { "deadlock -n 1 -x none",
	    "deadlock -n 1 -x order", "philosophers -w 3 -n 1 -x none",
	    "philosophers -w 3 -n 1 -x order" };
	struct jobj row[MAX_ROWS];
	struct lp b;
	struct cmd c;
	char got[64];
	unsigned i, n = _i < 2 ? 2 : 3;
	int a, z, t;

	memset(&b, 0, sizeof(b));
	b.w = n;
	for (i = 0; i < n; i++) {
		a = (int)i;
		z = (int)((i + 1) % n);
		if (_i % 2 == 1 && a > z) {
			t = a;
			a = z;
			z = t;
		}
		lp_diner(&b, i, a, z);
	}
	lp_walk(&b);
	ck_assert_int_eq(run_json(&c, row, "%s --explore", cmd[_i]), 1);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "schedules"), b.done + b.deadlocks);
	if (b.deadlocks == 0) {
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		ck_assert_ptr_null(jmember(&row[0], "outcomes", "deadlock", got,
		    sizeof(got)));
	} else {
		ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
		ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "deadlock", got,
		    sizeof(got)));
		ck_assert_uint_eq(strtoull(got, NULL, 10), b.deadlocks);
		ck_assert_msg(strstr(jstr(&row[0], "note"), "waits for ") != NULL,
		    "%s", jstr(&row[0], "note"));
	}
	cmd_free(&c);
}
END_TEST

/* Orders and turns: unguarded, every interleaving of the prints is a schedule. */
START_TEST(explore_orders)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char got[64];

	/* order: three workers print once each: 3! orders, one of them right. */
	ck_assert_int_eq(run_json(&c, row, "order -n 1 -s none --explore"), 1);
	ck_assert_uint_eq(jnum(&row[0], "schedules"), 6);
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "1", got, sizeof(got)));
	ck_assert_uint_eq(strtoull(got, NULL, 10), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, row, "order -n 2 --explore"), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "2", got, sizeof(got)));
	cmd_free(&c);
	/* foobar: foo twice, bar twice: C(4,2) = 6 orders; only foo bar foo bar is right. */
	ck_assert_int_eq(run_json(&c, row, "foobar -n 2 -s none --explore"), 1);
	ck_assert_uint_eq(jnum(&row[0], "schedules"), 6);
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "2", got, sizeof(got)));
	ck_assert_uint_eq(strtoull(got, NULL, 10), 1);
	cmd_free(&c);
}
END_TEST

/* One release too many lets K+1 in, in some schedule; bounded, never. */
START_TEST(explore_semaphore)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char got[64];

	ck_assert_int_eq(run_json(&c, row, "semaphore -w 3 -k 2 -n 1 "
	    "--over-release --explore"), 1);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "3", got, sizeof(got)));
	ck_assert_ptr_null(jmember(&row[0], "outcomes", "4", got, sizeof(got)));
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, row, "semaphore -w 3 -k 2 -n 1 "
	    "--over-release --bounded --explore"), 1);
	expect(&c, 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	ck_assert_ptr_null(jmember(&row[0], "outcomes", "3", got, sizeof(got)));
	cmd_free(&c);
}
END_TEST

/* An if wakes to nothing in some schedule; a while never; one condvar strands all. */
START_TEST(explore_condition)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char got[64];

	ck_assert_int_eq(run_json(&c, row, "condition -p 1 -c 2 -n 1 -k 1 "
	    "--check if --explore"), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "woke to nothing", got,
	    sizeof(got)));
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, row, "condition -p 1 -c 2 -n 1 -k 1 "
	    "--explore"), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, row, "condition -p 1 -c 2 -n 2 -k 1 "
	    "--cvs 1 --explore"), 1);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "race");
	ck_assert_ptr_nonnull(jmember(&row[0], "outcomes", "deadlock", got,
	    sizeof(got)));
	cmd_free(&c);
}
END_TEST

/*
 * The shortest schedule to each losing value, as --explore prints it,
 * replays to that value in coop, thread and process mode, 20 times each.
 */
START_TEST(schedule_replays)
{
	static const char *const sync[] = { "none", "naive-flag" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	char sched[256], want[8] = "2";
	int i, k, n;

	ck_assert_int_eq(run_json(&c, row, "counter -s %s -w 2 -n 2 --explore",
	    sync[_i]), 1);
	ck_assert_ptr_nonnull(jmember(&row[0], "shortest", want, sched,
	    sizeof(sched)));
	cmd_free(&c);
	for (i = 0; i < 20; i++) {
		n = run_json(&c, row, "counter -s %s -w 2 -n 2 --schedule %s",
		    sync[_i], sched);
		ck_assert_int_eq(n, 3);
		expect(&c, 0);
		for (k = 0; k < 3; k++) {
			ck_assert_uint_eq(jnum(&row[k], "observed"), 2);
			ck_assert_str_eq(jstr(&row[k], "verdict"), "race");
			ck_assert_str_eq(jstr(&row[k], "schedule"), sched);
		}
		ck_assert_str_eq(jstr(&row[0], "mode"), "thread");
		ck_assert_str_eq(jstr(&row[1], "mode"), "process");
		ck_assert_str_eq(jstr(&row[2], "mode"), "coop");
		cmd_free(&c);
	}
}
END_TEST

/* The story: a line per step, the value each load read, the state after. */
START_TEST(schedule_story)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -s none -w 2 -n 1 --schedule "
	    "0,1,0,1 --story -m process"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "    1       0  load counter"));
	ck_assert_ptr_nonnull(strstr(c.out, "    2       1  load counter"));
	ck_assert_ptr_nonnull(strstr(c.out, "    3       0  store 1 -> counter"));
	ck_assert_ptr_nonnull(strstr(c.out, "    4       1  store 1 -> counter"));
	ck_assert_ptr_nonnull(strstr(c.out, "at the end: counter=1"));
	cmd_free(&c);
}
END_TEST

/* --step from a pipe: Enter takes the next in turn; the schedule taken is printed. */
START_TEST(step_pipe)
{
	struct cmd c;
	char line[1024];

	snprintf(line, sizeof(line), "printf '0\\n1\\n0\\n1\\n' | '%s' counter "
	    "-s none -w 2 -n 1 --step", shmsync_path());
	ck_assert_int_eq(sh(&c, line), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "the schedule taken: 0,1,0,1\n"));
	ck_assert_ptr_nonnull(strstr(c.out, "worker 1: store 1 -> counter"));
	ck_assert_ptr_nonnull(strstr(c.out, "race"));
	ck_assert_ptr_nonnull(strstr(c.out, "lost 1 update"));
	cmd_free(&c);
	/* The end of input leaves at once, with what was taken. */
	snprintf(line, sizeof(line), "printf '1\\n' | '%s' counter -s mutex "
	    "-w 2 -n 1 --step", shmsync_path());
	ck_assert_int_eq(sh(&c, line), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "stopped; the schedule taken: 1\n"));
	cmd_free(&c);
}
END_TEST

/* Refused before anything is created: one line, exit 2, nothing left. */
START_TEST(schedule_bad_input)
{
	static const struct {
		const char *args, *says;
	} bad[] = {
		{ "counter -s none -w 2 -n 2 --schedule 0,x", "step 2" },
		{ "counter -s none -w 2 -n 2 --schedule 0,2", "step 2: no worker 2" },
		{ "counter -s none -w 2 -n 1 --schedule 0,0,0", "step 3: worker 0 "
		  "has finished" },
		{ "counter -s mutex -w 2 -n 1 --schedule 0,1", "step 2: worker 1 "
		  "is blocked" },
		{ "counter -w 2 -n 1 --schedule 0,1", "one variant" },
		{ "counter -s none --schedule 0,1 --explore", "choose one" },
		{ "counter -s none --schedule 0,1 -m both", "--mode both" },
		{ "counter -s none --explore -m both", "--mode both" },
		{ "counter -s none --explore -t 1", "--duration" },
		{ "counter -s none --explore --inject kill@0:1", "--inject" },
		{ "counter -s none --explore -w 4 -n 3", "2.3e+12 schedules" },
		{ "counter -s none --explore", "more than 2000 steps" },
		{ "queue --explore", "counter" },
		{ "counter -s none --step -f json", "--step" },
		{ "all --explore", "one demo" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_usage(bad[i].args, bad[i].says);
}
END_TEST

/* --step in a real terminal (tmux): the prompt, a choice, Enter; Ctrl-C prints the schedule taken and dies of it. */
START_TEST(step_tmux)
{
	struct cmd c;
	char cmd[1024];

	if (system("command -v tmux >/dev/null 2>&1") != 0) {
		fprintf(stderr, "cli_schedule: tmux missing: the terminal test of "
		    "--step was skipped\n");
		return;
	}
	/* The pane stays when the program dies, and says of what. */
	snprintf(cmd, sizeof(cmd),
	    "T='tmux -L shmsync-step-'$$; S=step; "
	    "$T new-session -d -s $S -x 100 -y 30 && "
	    "$T set-option -t $S remain-on-exit on >/dev/null && "
	    "$T respawn-pane -k -t $S \"'%s' counter -s none -w 2 -n 1 --step\" "
	    "&& sleep 1 && $T send-keys -t $S 1 Enter && sleep 0.5 && "
	    "$T send-keys -t $S Enter && sleep 0.5 && "
	    "$T send-keys -t $S C-c && sleep 0.5 && "
	    "$T capture-pane -p -t $S && "
	    "sleep 0.5 && $T display -p -t $S 'dead=#{pane_dead} "
	    "signal=#{pane_dead_signal} status=#{pane_dead_status}'; "
	    "$T kill-server", shmsync_path());
	ck_assert_int_eq(sh(&c, cmd), 0);
	ck_assert_msg(strstr(c.out, "worker 1: store 1 -> counter") != NULL,
	    "pane: %s; tmux: %s", c.out, c.err);
	ck_assert_msg(strstr(c.out, "step 3: counter=0") != NULL, "pane: %s", c.out);
	/*
	 * Dead of SIGINT, as tmux reports it: the signal, or the status a shell
	 * would see; under ASan this tmux reports neither, only the death.
	 */
	ck_assert_msg(strstr(c.out, "dead=1 signal=2") != NULL ||
	    strstr(c.out, "status=130") != NULL ||
	    strstr(c.out, "dead=1 signal= status=\n") != NULL, "pane: %s", c.out);
	ck_assert_msg(strstr(c.out, "interrupted; the schedule taken: 1,0") != NULL,
	    "pane: %s", c.out);
	cmd_free(&c);
}
END_TEST

Suite *
cli_schedule_suite(void)
{
	Suite *s = suite_create("cli_schedule");
	TCase *tc = tcase_create("schedule");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, explore_none_exact, 0, 4);
	tcase_add_test(tc, explore_none_3x3);
	tcase_add_loop_test(tc, explore_guards_proven, 0, 22);
	tcase_add_loop_test(tc, explore_naive_exact, 0, 2);
	tcase_add_loop_test(tc, schedule_replays, 0, 2);
	tcase_add_loop_test(tc, explore_deadlocks, 0, 4);
	tcase_add_test(tc, explore_orders);
	tcase_add_test(tc, explore_semaphore);
	tcase_add_test(tc, explore_condition);
	tcase_add_test(tc, schedule_story);
	tcase_add_test(tc, step_pipe);
	tcase_add_test(tc, schedule_bad_input);
	tcase_add_test(tc, step_tmux);
	suite_add_tcase(s, tc);
	return s;
}
