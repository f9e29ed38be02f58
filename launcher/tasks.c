/*
 * tasks.c - a demo's workers as coroutines over a private copy of a run's
 * memory, each stopped at its next scheduling point until the caller gives
 * it a step: run it to its following point, or to its end.
 *
 * The run is the demo's own code in coop mode (one thread, ucontext), with
 * the region replaced by anonymous memory: nothing is named, nothing is
 * left.  tasks_reset starts it again from the beginning, so any state can
 * be rebuilt by replaying the steps that led to it; a step is deterministic
 * because workers touch shared state only between points.  See makecontext(3).
 */
#include <sys/mman.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks.h"
#include "trace.h"

#define TASK_STACK	(64 * 1024)
#define SPIN_LIMIT	100000		/* yields in one step with no point: stuck */
#define MAX_SNAMES	64

static struct tasks	*live;		/* the hooks' tasks: one set at a time */

static struct {
	const volatile void	*obj;
	char			 name[32];
} snames[MAX_SNAMES];
static unsigned		 nsnames;

static const char *const op_names[SCH_NOPS] = {
	[SCH_LOAD] = "load", [SCH_STORE] = "store", [SCH_RMW] = "add",
	[SCH_LOCK] = "lock", [SCH_UNLOCK] = "unlock", [SCH_WAIT] = "wait",
	[SCH_POST] = "post",
};

const char *
sched_op_name(int op)
{
	return op >= 0 && op < SCH_NOPS ? op_names[op] : "?";
}

/* The name hook of scheduled runs: the trace's, and ours for schedules. */
void
sched_name(const struct run *r, const volatile void *obj, const char *name)
{
	unsigned i;

	trace_name(r, obj, name);
	for (i = 0; i < nsnames && snames[i].obj != obj; i++)
		continue;
	if (i == MAX_SNAMES)
		return;
	snames[i].obj = obj;
	strlcpy(snames[i].name, name, sizeof(snames[i].name));
	nsnames += i == nsnames;
}

const char *
sched_obj_name(const volatile void *obj)
{
	unsigned i;

	for (i = 0; i < nsnames; i++)
		if (snames[i].obj == obj)
			return snames[i].name;
	return "?";
}

void
sched_names_clear(void)
{
	nsnames = 0;
}

/* A worker at a point (or blocked, or reporting a read): back to the caller. */
static void
task_point(const struct run *r, unsigned id, int op, const volatile void *obj,
    uint64_t val)
{
	struct task_worker *w = &live->w[id];

	(void)r;
	if (op == SCH_READ) {
		w->read = val;
		w->read_set = 1;
		return;
	}
	if (op == SCH_BLOCKED)
		w->blocked = 1;
	else {
		w->op = (uint8_t)op;
		w->obj = obj;
		w->val = val;
		w->steps++;
	}
	swapcontext(&live->ctx[id], &live->home);
}

/* worker_yield: steps end at points only, but a worker must not spin forever. */
static void
task_yield(void)
{
	if (++live->spins < SPIN_LIMIT)
		return;
	snprintf(live->why, sizeof(live->why), "worker %u yields without a "
	    "scheduling point", live->cur);
	live->failed = 1;
	live->w[live->cur].done = 1;
	setcontext(&live->home);
}

/* worker_quit: the task ends here; the run has failed. */
static void
task_exit(void)
{
	if (live->why[0] == '\0')
		snprintf(live->why, sizeof(live->why), "worker %u quit", live->cur);
	live->failed = 1;
	live->w[live->cur].done = 1;
	setcontext(&live->home);
	abort();
}

static const struct run_hooks task_hooks = { task_yield, task_exit,
	sched_name, task_point };

static void
task_entry(void)
{
	unsigned id = live->cur;

	live->r.demo->work(&live->r, id);
	live->w[id].done = 1;
}

/* The run over anonymous memory; 0 or an errno value. */
int
tasks_open(struct tasks *t, const struct params *p, int variant)
{
	size_t state;

	memset(t, 0, sizeof(*t));
	t->r.demo = p->demo;
	t->r.hooks = &task_hooks;
	t->r.p = p;
	t->r.variant = variant;
	t->r.mode = MODE_COOP;
	t->r.sched = t;
	t->r.nworkers = t->n = p->demo->nworkers(p);
	t->hdr = (sizeof(struct run_shared) + t->n * sizeof(struct slot) +
	    CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
	state = p->demo->size(&t->r);
	t->len = t->hdr + state;
	t->mem = mmap(NULL, t->len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->mem == MAP_FAILED)
		return errno;
	t->ctx = calloc(t->n, sizeof(*t->ctx));
	t->w = calloc(t->n, sizeof(*t->w));
	t->stacks = malloc((size_t)t->n * TASK_STACK);
	if (t->ctx == NULL || t->w == NULL || t->stacks == NULL)
		return ENOMEM;
	sched_names_clear();
	return 0;
}

/* getcontext returns twice: alone in its frame, it clobbers nobody's locals. */
static __attribute__((noinline)) void
make_task(struct tasks *t, unsigned i)
{
	ucontext_t *c = &t->ctx[i];

	getcontext(c);
	c->uc_stack.ss_sp = t->stacks + (size_t)i * TASK_STACK;
	c->uc_stack.ss_size = TASK_STACK;
	c->uc_link = &t->home;
	makecontext(c, task_entry, 0);
}

/* From the beginning: fresh memory, the demo's setup, each worker at its first point. */
void
tasks_reset(struct tasks *t)
{
	struct run *r = &t->r;
	unsigned i;

	live = t;
	if (t->set_up && r->demo->release != NULL)
		r->demo->release(r);
	memset(t->mem, 0, t->len);
	r->sh = t->mem;
	r->state = (char *)t->mem + t->hdr;
	r->deadline = &r->sh->deadline;
	r->sh->nworkers = t->n;
	ipc_deadline(&r->sh->deadline, (uint64_t)r->p->timeout * IPC_NS_PER_S);
	r->demo->setup(r);
	t->set_up = 1;
	t->failed = 0;
	t->why[0] = '\0';
	memset(t->w, 0, t->n * sizeof(*t->w));
	for (i = 0; i < t->n; i++)
		make_task(t, i);
	for (i = 0; i < t->n; i++) {
		t->cur = i;
		swapcontext(&t->home, &t->ctx[i]);
	}
}

/* Worker i from its point to its next (or its end): STEP_OK, or STEP_BLOCKED (nothing changed). */
int
tasks_step(struct tasks *t, unsigned i)
{
	struct task_worker *w = &t->w[i];

	live = t;
	w->blocked = 0;
	w->read_set = 0;
	t->spins = 0;
	t->cur = i;
	swapcontext(&t->home, &t->ctx[i]);
	return w->blocked ? STEP_BLOCKED : STEP_OK;
}

void
tasks_close(struct tasks *t)
{
	if (t->set_up && t->r.demo->release != NULL)
		t->r.demo->release(&t->r);
	if (t->mem != NULL && t->mem != MAP_FAILED)
		munmap(t->mem, t->len);
	free(t->stacks);
	free(t->w);
	free(t->ctx);
	live = NULL;
}

int
tasks_done(const struct tasks *t)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (!t->w[i].done)
			return 0;
	return 1;
}

/*
 * What decides the rest of the run, as bytes: the demo's shared state, and
 * each worker's place (points reached) and what it carries (the value it
 * will write).  Two states with the same key have the same futures.
 */
size_t
tasks_key(const struct tasks *t, unsigned char *buf)
{
	const struct worker *d = t->r.demo;
	size_t n, state = t->len - t->hdr;
	unsigned i;

	if (d->sched_state != NULL)
		n = d->sched_state(&t->r, buf, KEY_MAX / 2);
	else {
		n = state < KEY_MAX / 2 ? state : KEY_MAX / 2;
		memcpy(buf, t->r.state, n);
	}
	for (i = 0; i < t->n && n + 13 <= KEY_MAX; i++) {
		memcpy(buf + n, &t->w[i].steps, 4);
		buf[n + 4] = t->w[i].done;
		memcpy(buf + n + 5, &t->w[i].val, 8);
		n += 13;
	}
	return n;
}

/* The shared state for people: the demo's words for it. */
void
tasks_show(const struct tasks *t, char *buf, size_t len)
{
	buf[0] = '\0';
	if (t->r.demo->sched_show != NULL)
		t->r.demo->sched_show(&t->r, buf, len);
}

/* Worker i's next step for people: "load counter", "store 3 -> counter", "done". */
void
tasks_op(const struct tasks *t, unsigned i, char *buf, size_t len)
{
	const struct task_worker *w = &t->w[i];

	if (w->done)
		snprintf(buf, len, "done");
	else if (w->op == SCH_STORE)
		snprintf(buf, len, "store %ju -> %s", (uintmax_t)w->val,
		    sched_obj_name(w->obj));
	else
		snprintf(buf, len, "%s %s", sched_op_name(w->op),
		    sched_obj_name(w->obj));
}
