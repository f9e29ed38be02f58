/*
 * turnstile.c - --schedule on real threads and processes: at each
 * scheduling point a worker waits in the region until the schedule says
 * the next step is its own, so the workers interleave exactly as the
 * schedule says and the outcome is the same in every mode, every time.
 *
 * A worker that reaches its next point (or its end) has finished its step:
 * it writes what it did into the step's record and passes the turn on
 * (a release store the next worker acquires, so the steps are ordered for
 * the memory model too).  After the last step every worker runs freely.
 * Every wait ends at the run's deadline.  Coop tasks wait by yielding to
 * the next task, so the same code schedules them.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "tasks.h"
#include "turnstile.h"

struct turnstile {
	_Atomic uint32_t	 step;		/* steps taken */
	atomic_int		 loose;		/* a step could not be taken: all run */
	uint32_t		 len;
	uint32_t		 broken;	/* that step, + 1 */
	uint32_t		 nworkers;
	/* then uint32_t held[nworkers], uint16_t who[len], struct ts_step log[len] */
};

static uint32_t *
held_of(struct turnstile *ts)
{
	return (uint32_t *)(ts + 1);
}

static uint16_t *
who_of(struct turnstile *ts)
{
	return (uint16_t *)(held_of(ts) + ts->nworkers);
}

static struct ts_step *
log_of(struct turnstile *ts)
{
	uintptr_t at = (uintptr_t)(who_of(ts) + ts->len);

	return (struct ts_step *)((at + 15) & ~(uintptr_t)15);
}

size_t
turnstile_size(unsigned nworkers, unsigned len)
{
	return sizeof(struct turnstile) + nworkers * sizeof(uint32_t) +
	    len * sizeof(uint16_t) + 16 + len * sizeof(struct ts_step);
}

/* The schedule into the turnstile at mem (zeroed, turnstile_size bytes). */
void
turnstile_init(struct run *r, void *mem)
{
	struct turnstile *ts = mem;

	ts->len = r->p->schedule_len;
	ts->nworkers = r->nworkers;
	memcpy(who_of(ts), r->p->schedule, ts->len * sizeof(uint16_t));
	r->sched = ts;
}

/* Worker id's step is over: record the state after it, pass the turn on. */
static void
step_end(const struct run *r, struct turnstile *ts, unsigned id)
{
	uint32_t k = held_of(ts)[id];

	if (k == 0)
		return;
	held_of(ts)[id] = 0;
	if (r->demo->sched_show != NULL)
		r->demo->sched_show(r, log_of(ts)[k - 1].after,
		    sizeof(log_of(ts)[k - 1].after));
	atomic_store_explicit(&ts->step, k, memory_order_release);
}

/* Wait until the next step is id's (or the schedule is over); then it holds it. */
static void
wait_turn(const struct run *r, struct turnstile *ts, unsigned id, int op,
    const volatile void *obj, uint64_t val)
{
	struct ts_step *st;
	uint32_t s;
	unsigned n;

	for (n = 0;; n++) {
		s = atomic_load_explicit(&ts->step, memory_order_acquire);
		if (s >= ts->len || atomic_load(&ts->loose) || run_stopped(r))
			return;
		if (who_of(ts)[s] == id)
			break;
		if (n > 100 || r->mode == MODE_COOP)
			worker_yield(r);	/* coop: the next task's turn */
		else
			ipc_cpu_relax();
	}
	held_of(ts)[id] = s + 1;
	st = &log_of(ts)[s];
	st->who = (uint16_t)id;
	st->op = (uint8_t)op;
	st->obj = obj;
	st->val = val;
}

/* The point hook of thread and process runs under --schedule. */
void
turnstile_point(const struct run *r, unsigned id, int op,
    const volatile void *obj, uint64_t val)
{
	struct turnstile *ts = r->sched;
	uint32_t k = held_of(ts)[id];

	if (op == SCH_READ) {
		if (k != 0) {
			log_of(ts)[k - 1].read = val;
			log_of(ts)[k - 1].read_set = 1;
		}
		return;
	}
	if (op == SCH_BLOCKED) {
		/* Its step, and it cannot take it: the schedule is off, all run. */
		if (k != 0 && !atomic_exchange(&ts->loose, 1))
			ts->broken = k;
		return;
	}
	step_end(r, ts, id);
	wait_turn(r, ts, id, op, obj, val);
}

/* A worker's end closes its last step. */
void
turnstile_end(const struct run *r, unsigned id)
{
	if (r->sched != NULL)
		step_end(r, r->sched, id);
}

/* 0, or the step (from 1) a worker could not take. */
unsigned
turnstile_broken(const struct run *r)
{
	return r->sched != NULL ? ((struct turnstile *)r->sched)->broken : 0;
}

/* The turnstile's steps, for the story. */
const struct ts_step *
turnstile_log(const struct run *r, unsigned *len)
{
	struct turnstile *ts = r->sched;

	*len = atomic_load(&ts->step) < ts->len ? atomic_load(&ts->step) : ts->len;
	return log_of(ts);
}

/* x86.py -c: a line per step, then the state the rest of the run left. */
void
story_print(FILE *f, const char *title, const struct ts_step *log,
    unsigned len, const char *end)
{
	char op[64], read[24];
	unsigned k;

	fprintf(f, "%s\n%5s  %6s  %-26s %6s  %s\n", title, "step", "worker",
	    "does", "read", "after");
	for (k = 0; k < len; k++) {
		if (log[k].op == SCH_STORE)
			snprintf(op, sizeof(op), "store %ju -> %s",
			    (uintmax_t)log[k].val, sched_obj_name(log[k].obj));
		else
			snprintf(op, sizeof(op), "%s %s", sched_op_name(log[k].op),
			    sched_obj_name(log[k].obj));
		read[0] = '\0';
		if (log[k].read_set)
			snprintf(read, sizeof(read), "%ju", (uintmax_t)log[k].read);
		fprintf(f, "%5u  %6u  %-26s %6s  %s\n", k + 1, log[k].who, op,
		    read, log[k].after);
	}
	fprintf(f, "%s\n\n", end);
}

/* The story of a scheduled run: its steps, then where the rest left it. */
void
schedule_story(const struct run *r, FILE *f)
{
	const struct ts_step *log;
	char title[96], end[96], state[sizeof(log->after)] = "";
	unsigned len;

	log = turnstile_log(r, &len);
	if (r->demo->sched_show != NULL)
		r->demo->sched_show(r, state, sizeof(state));
	snprintf(title, sizeof(title), "%s, %s: the schedule, step by step",
	    r->demo->name, mode_name(r->mode));
	snprintf(end, sizeof(end), "stopped before step %u of %u", len + 1,
	    r->p->schedule_len);
	if (len >= r->p->schedule_len)
		snprintf(end, sizeof(end), "then the workers ran freely; at the "
		    "end: %s", state);
	story_print(f, title, log, len, end);
}
