/*
 * coop.c - --mode coop: the workers as cooperative tasks in the launcher's
 * one thread (ucontext), switching only where a task yields: asyncio's
 * model.  A race needs a yield inside the read-modify-write, and is
 * impossible without one.  See makecontext(3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "run.h"
#include "tasks.h"
#include "trace.h"
#include "turnstile.h"

#define COOP_STACK	(128 * 1024)

static ucontext_t	 sched_ctx;
static ucontext_t	*task;
static unsigned char	*finished;
static unsigned		 current;
static struct run	*coop_r;
static void		(*coop_body)(struct run *, unsigned);

/* Back to the scheduler; the next turn resumes here. */
static void
coop_yield(void)
{
	swapcontext(&task[current], &sched_ctx);
}

/* The task ends now (worker_quit in coop mode). */
static void
coop_exit(void)
{
	finished[current] = 1;
	setcontext(&sched_ctx);
	abort();
}

/* What a coop run lends its workers: our yield and exit, the trace's names. */
static const struct run_hooks coop_hooks = { coop_yield, coop_exit, trace_name,
    NULL };
static const struct run_hooks coop_sched_hooks = { coop_yield, coop_exit,
    sched_name, turnstile_point };

static void
task_entry(void)
{
	coop_body(coop_r, current);
	finished[current] = 1;
}

/* Give task i its turn; it returns at its next yield or its end. */
static __attribute__((noinline)) int
turn(unsigned i)
{
	current = i;
	trace_begin(coop_r, i);		/* the tasks share the thread's hook */
	swapcontext(&sched_ctx, &task[i]);
	ipc_trace_cur = NULL;
	return finished[i];
}

/* getcontext returns twice: alone in its frame, it clobbers nobody's locals. */
static __attribute__((noinline)) void
make_task(ucontext_t *t, unsigned char *stack)
{
	getcontext(t);
	t->uc_stack.ss_sp = stack;
	t->uc_stack.ss_size = COOP_STACK;
	t->uc_link = &sched_ctx;
	makecontext(t, task_entry, 0);
}

/* A context per task, its stack in one block; 0 or ENOMEM. */
static __attribute__((noinline)) int
make_tasks(struct run *r, unsigned char **stacks)
{
	unsigned i;

	if ((task = calloc(r->nworkers, sizeof(*task))) == NULL ||
	    (finished = calloc(r->nworkers, 1)) == NULL ||
	    (*stacks = malloc((size_t)r->nworkers * COOP_STACK)) == NULL)
		return ENOMEM;
	for (i = 0; i < r->nworkers; i++)
		make_task(&task[i], *stacks + (size_t)i * COOP_STACK);
	return 0;
}

/* Run body(r, i) for every worker, round-robin at their yields; 0 or ETIMEDOUT. */
int
coop_run(struct run *r, void (*body)(struct run *, unsigned))
{
	unsigned char *stacks = NULL;
	unsigned i, alive = r->nworkers;
	int rc;

	coop_r = r;
	coop_body = body;
	r->hooks = r->sched != NULL ? &coop_sched_hooks : &coop_hooks;
	if ((rc = make_tasks(r, &stacks)) != 0)
		goto out;

	/* Each live task in turn, until all end or the deadline passes. */
	while (alive > 0 && rc == 0) {
		for (i = 0; i < r->nworkers; i++)
			if (!finished[i])
				alive -= turn(i);
		if (alive > 0 && ipc_expired(r->deadline))
			rc = ETIMEDOUT;
	}
out:
	free(stacks);
	free(finished);
	free(task);
	return rc;
}
