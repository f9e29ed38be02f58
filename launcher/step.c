/*
 * step.c - --step: the user is the scheduler.  At each step the terminal
 * shows the shared state and every worker's next operation; the user types
 * the worker that goes (Enter: the next in turn), as in The Deadlock
 * Empire.  The workers are the demo's own code as coop tasks over private
 * memory (tasks.c): nothing is named, so Ctrl-C or the end of input leaves
 * nothing behind.  At the end, the schedule taken, ready for --schedule.
 */
#include <ctype.h>
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "run.h"
#include "tasks.h"

/* Rebuild the state after the n steps taken. */
static void
replay(struct tasks *t, const uint16_t *taken, unsigned n)
{
	unsigned k;

	tasks_reset(t);
	for (k = 0; k < n; k++)
		tasks_step(t, taken[k]);
}

/* Which unfinished workers cannot go now (a try that works is undone); how many can. */
static unsigned
probe(struct tasks *t, const uint16_t *taken, unsigned n, unsigned char *stuck)
{
	unsigned i, can = 0;

	for (i = 0; i < t->n; i++) {
		stuck[i] = 0;
		if (t->w[i].done)
			continue;
		if (tasks_step(t, i) == STEP_BLOCKED)
			stuck[i] = 1;
		else {
			can++;
			replay(t, taken, n);
		}
	}
	return can;
}

static volatile sig_atomic_t interrupted;	/* Ctrl-C at the prompt */

static void
on_interrupt(int sig)
{
	interrupted = sig;
}

/* The state and each worker's next step, then the prompt. */
static void
show(const struct tasks *t, unsigned k, const unsigned char *stuck,
    unsigned next)
{
	char state[128], op[64];
	unsigned i;

	tasks_show(t, state, sizeof(state));
	printf("\nstep %u: %s\n", k + 1, state);
	for (i = 0; i < t->n; i++) {
		tasks_op(t, i, op, sizeof(op));
		printf("  worker %u: %s%s\n", i, op, stuck[i] ? " (blocked)" : "");
	}
	printf("worker? [%u] ", next);
	fflush(stdout);
}

/* The next worker in turn after last that can go. */
static unsigned
next_in_turn(const struct tasks *t, unsigned last, const unsigned char *stuck)
{
	unsigned i, w;

	for (i = 1; i <= t->n; i++) {
		w = (last + i) % t->n;
		if (!t->w[w].done && !stuck[w])
			return w;
	}
	return 0;
}

/* A line of input: a worker that can go, the default, or -1 at the end of input (or q). */
static int
ask(const struct tasks *t, const unsigned char *stuck, unsigned next)
{
	char line[64], *end;
	unsigned long w;

	for (;;) {
		if (fgets(line, sizeof(line), stdin) == NULL || line[0] == 'q' ||
		    interrupted)
			return -1;
		if (line[0] == '\n')
			return (int)next;
		w = strtoul(line, &end, 10);
		if (isdigit((unsigned char)line[0]) && (*end == '\n' ||
		    *end == '\0') && w < t->n && !t->w[w].done && !stuck[w])
			return (int)w;
		printf("a worker that can go, 0..%u, not done or blocked (q: quit) ",
		    t->n - 1);
		fflush(stdout);
	}
}

/* The schedule taken so far, for --schedule. */
static void
print_taken(const uint16_t *taken, unsigned n, const char *how)
{
	unsigned k;

	printf("\n%s; the schedule taken: %s", how, n ? "" : "(none)");
	for (k = 0; k < n; k++)
		printf("%s%u", k ? "," : "", taken[k]);
	printf("\n\n");
}

/* Step by step until every worker is done (0), none can go (1), or the user leaves (-1). */
static int
play(struct tasks *t, uint16_t *taken, unsigned *n, unsigned char *stuck)
{
	unsigned next = 0;
	int w;

	while (!tasks_done(t)) {
		if (probe(t, taken, *n, stuck) == 0)
			return 1;
		next = next_in_turn(t, *n ? taken[*n - 1] : t->n - 1, stuck);
		show(t, *n, stuck, next);
		if ((w = ask(t, stuck, next)) < 0)
			return -1;
		tasks_step(t, (unsigned)w);
		taken[(*n)++] = (uint16_t)w;
		if (t->failed)
			errx(1, "--step: %s", t->why);
	}
	return 0;
}

/* The check's verdict on where the user left the workers, as a row. */
static void
step_result(struct tasks *t, int deadlock, struct result *res)
{
	struct result extra;
	struct outcome o;
	int j;

	memset(&o, 0, sizeof(o));
	memset(&extra, 0, sizeof(extra));
	o.extra = &extra;
	t->r.sched_end = deadlock ? SCHED_DEADLOCK : SCHED_DONE;
	t->r.demo->check(&t->r, &o);
	if (deadlock) {
		o.verdict = o.verdict == VERDICT_RACE ? VERDICT_RACE : VERDICT_FAIL;
		snprintf(o.note, sizeof(o.note), "deadlock: no worker can go");
	}
	memset(res, 0, sizeof(*res));
	res->verdict = o.verdict;
	res->mode = MODE_COOP;
	res_str(res, "demo", t->r.demo->name, 0);
	res_str(res, "sync", o.sync != NULL ? o.sync : "", F_TABLE);
	res_str(res, "mode", "step", F_TABLE);
	res_uint(res, "workers", t->n, F_PARAM);
	res_uint(res, "iterations", o.iterations, F_PARAM);
	res_uint(res, "expected", o.expected, F_TABLE);
	res_uint(res, "observed", o.observed, F_TABLE);
	for (j = 0; j < extra.n; j++)
		if (res->n < MAX_FIELDS)
			res->f[res->n++] = extra.f[j];
	res_str(res, "verdict", verdict_name(o.verdict), F_TABLE);
	echo_params(&t->r, res);
	res_str(res, "note", o.note, F_TABLE);
}

/* shmsync DEMO --step: play, then the schedule taken and the verdict. */
int
step_demo(const struct params *p, struct report *rep)
{
	struct tasks t;
	struct result res;
	uint16_t *taken;
	unsigned char *stuck;
	unsigned n = 0;
	int rc, how;

	run_launcher_only();
	if ((rc = tasks_open(&t, p, 0)) != 0)
		errc(1, rc, "%s: --step", p->demo->name);
	taken = calloc(EXPLORE_STEPS + 1, sizeof(*taken));
	stuck = calloc(t.n, 1);
	if (taken == NULL || stuck == NULL)
		err(1, "--step");
	tasks_reset(&t);
	/* Ctrl-C ends the read (no SA_RESTART): the schedule so far, then its death. */
	sigaction(SIGINT, &(struct sigaction){ .sa_handler = on_interrupt }, NULL);
	how = play(&t, taken, &n, stuck);
	print_taken(taken, n, interrupted ? "interrupted" : how < 0 ? "stopped" :
	    how ? "deadlock: no worker can go" : "every worker done");
	if (interrupted) {
		tasks_close(&t);
		fflush(stdout);
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	if (how >= 0) {
		step_result(&t, how, &res);
		report_add(rep, &res);
	}
	tasks_close(&t);
	free(taken);
	free(stuck);
	return how >= 0 && res.verdict == VERDICT_FAIL;
}
