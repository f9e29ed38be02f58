/*
 * sched.h - scheduling points: where a worker can lose the CPU in the
 * lesson, named so that a schedule can be explored, replayed or chosen.
 *
 * A demo calls sched_point just before each shared step that matters: a
 * load and a store of an unguarded read-modify-write, a lock and an unlock,
 * a wait and a post.  A step of a schedule is one worker going from one of
 * its points to its next.  A worker that cannot take its step (the lock is
 * held, the count is 0) says so with sched_blocked and tries again when it
 * is next given the CPU; its try must change nothing shared.
 *
 * Without --explore, --schedule or --step, r->sched is NULL and each call
 * is one predictable branch.  The launcher lends the hook that acts
 * (launcher/explore.c, launcher/turnstile.c).
 */
#ifndef WORKERS_SCHED_H
#define WORKERS_SCHED_H

#include <stdint.h>

enum sch_op {
	SCH_LOAD,		/* reads a shared word */
	SCH_STORE,		/* writes one (val: what it writes) */
	SCH_RMW,			/* one atomic read-modify-write */
	SCH_LOCK,		/* takes a lock (or waits for it) */
	SCH_UNLOCK,
	SCH_WAIT,		/* a semaphore's wait, an event's or a condition's */
	SCH_POST,		/* a semaphore's post, an event's set, a signal */
	SCH_NOPS,
	SCH_READ = SCH_NOPS,	/* not a point: what the last load read (val) */
	SCH_BLOCKED,		/* not a point: this worker cannot take its step */
};

/* What an explored end is, for a demo's check (run.sched_end). */
#define SCHED_DONE	1		/* every worker finished */
#define SCHED_DEADLOCK	2		/* every unfinished worker is blocked */

/* Whether this run is scheduled at its points (explored, replayed, stepped). */
static inline int
sched_on(const struct run *r)
{
	return __builtin_expect(r->sched != NULL, 0);
}

/* Worker id is about to do op on obj (val: what it will write, or 0). */
static inline void
sched_point(const struct run *r, unsigned id, enum sch_op op,
    const volatile void *obj, uint64_t val)
{
	if (sched_on(r))
		r->hooks->point(r, id, op, obj, val);
}

/* After a load: the value read, for the story (x86.py -c) and --step. */
static inline void
sched_read(const struct run *r, unsigned id, uint64_t val)
{
	if (sched_on(r))
		r->hooks->point(r, id, SCH_READ, NULL, val);
}

/* Worker id cannot take its step now: obj is held, or empty. */
static inline void
sched_blocked(const struct run *r, unsigned id, const volatile void *obj)
{
	if (sched_on(r))
		r->hooks->point(r, id, SCH_BLOCKED, obj, 0);
}

#endif /* WORKERS_SCHED_H */
