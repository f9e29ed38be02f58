/*
 * rwlock.c - readers share, a writer is alone: a process-shared rwlock over
 * a table whose fields a writer changes one at a time.
 *
 * Readers check they never see a half-written table and count how many read
 * at once (more than one, or the lock would be a mutex); writers check they
 * are alone.  --prefer reader (glibc's default) lets a stream of readers
 * starve the writers; --prefer writer does not: the writers' waits show it.
 * See pthread_rwlockattr_setkind_np(3).
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/rwlock.h"
#include "worker.h"

enum { O_READERS, O_WRITERS, O_ITERATIONS, O_PREFER, O_HOLD, O_NOPTS };
enum { P_READER, P_WRITER, NPREFS };

#define FIELDS		8
#define MAX_WAITS	(1 << 20)	/* writer waits kept for the median */

static const char *const prefs[] = {
	[P_READER] = "reader", [P_WRITER] = "writer", [NPREFS] = NULL
};

static const struct optdef rwlock_opts[] = {
	[O_READERS] = { "readers", 'R', "N", 1, MAX_WORKERS - 1, 4, NULL,
	  "reader workers" },
	[O_WRITERS] = { "writers", 'W', "N", 1, MAX_WORKERS - 1, 1, NULL,
	  "writer workers" },
	[O_ITERATIONS] = { "iterations", 'n', "N", 1, 1 << 24, 200, NULL,
	  "locks per worker" },
	[O_PREFER] = { "prefer", 'P', "WHO", 0, 0, 0, prefs,
	  "reader (glibc's default: writers may starve) or writer" },
	[O_HOLD] = { "hold-us", 'u', "US", 0, 100000, 100, NULL,
	  "how long a reader holds its read lock" },
	[O_NOPTS] = { NULL }
};

struct rwstate {
	pthread_rwlock_t	 l;
	uint64_t		 table[FIELDS];
	alignas(CACHE_LINE) atomic_uint	 readers_in;
	atomic_uint		 writers_in;
	atomic_uint		 max_readers;
	atomic_uint		 violations;	/* torn reads, writers not alone */
	atomic_uint		 nwaits;
	alignas(CACHE_LINE) uint64_t waits[];	/* writer waits, ns */
};

static unsigned
rwlock_nworkers(const struct params *p)
{
	return (unsigned)(p->v[O_READERS] + p->v[O_WRITERS]);
}

static const char *
rwlock_validate(const struct params *p)
{
	if (p->v[O_READERS] + p->v[O_WRITERS] > MAX_WORKERS)
		return "readers + writers exceeds 4096";
	return NULL;
}

static uint64_t
max_waits(const struct params *p)
{
	uint64_t n = (uint64_t)p->v[O_WRITERS] * (uint64_t)p->v[O_ITERATIONS];

	return n < MAX_WAITS ? n : MAX_WAITS;
}

static size_t
rwlock_size(const struct run *r)
{
	return sizeof(struct rwstate) + max_waits(r->p) * sizeof(uint64_t);
}

static void
rwlock_setup(struct run *r)
{
	struct rwstate *s = r->state;
	int rc;

	if ((rc = ipc_rwlock_init(&s->l, r->p->v[O_PREFER] == P_WRITER ?
	    IPC_RWLOCK_PREFER_WRITER : IPC_RWLOCK_PREFER_READER)) != 0)
		errc(1, rc, "rwlock: init");
	run_name(r, &s->l, "table");
}

/* explain: rwlock: a reader: shared lock, then no writer inside and every field from one write */
static void
read_once(struct run *r, unsigned id, uint64_t i)
{
	struct rwstate *s = r->state;
	long us = (long)r->p->v[O_HOLD];
	unsigned n, f;
	int rc;

	if ((rc = ipc_rwlock_rdlock(&s->l, r->deadline)) != 0)
		worker_errc(r, rc, "rwlock: reader %u: rdlock", id);
	n = atomic_fetch_add(&s->readers_in, 1) + 1;
	atomic_max_uint(&s->max_readers, n);
	inject_point(r, id, i);

	/* No writer in here, and every field from the same write. */
	if (atomic_load(&s->writers_in) != 0)
		atomic_fetch_add(&s->violations, 1);
	for (f = 1; f < FIELDS; f++)
		if (s->table[f] != s->table[0])
			atomic_fetch_add(&s->violations, 1);
	if (us > 0)
		ipc_sleep_ns((uint64_t)us * 1000);
	atomic_fetch_sub(&s->readers_in, 1);
	ipc_rwlock_unlock(&s->l);
}
/* explain: end */

/* explain: rwlock: a writer: exclusive lock, fields written one at a time */
/* Write the fields one at a time (yielding between): a reader inside would see it. */
static void
write_once(struct run *r, unsigned id, uint64_t i)
{
	struct rwstate *s = r->state;
	uint64_t t0 = ipc_now_ns(), v;
	unsigned k, f;
	int rc;

	if ((rc = ipc_rwlock_wrlock(&s->l, r->deadline)) != 0)
		worker_errc(r, rc, "rwlock: writer %u: wrlock", id);
	if ((k = atomic_fetch_add(&s->nwaits, 1)) < max_waits(r->p))
		s->waits[k] = ipc_now_ns() - t0;
	if (atomic_fetch_add(&s->writers_in, 1) != 0 ||
	    atomic_load(&s->readers_in) != 0)
		atomic_fetch_add(&s->violations, 1);
	inject_point(r, id, i);
	v = s->table[0] + 1;
	for (f = 0; f < FIELDS; f++) {
		s->table[f] = v;
		if (f == FIELDS / 2)
			sched_yield();
	}

	/* Still alone after the write: nobody came in while we wrote. */
	if (atomic_load(&s->writers_in) != 1 || atomic_load(&s->readers_in) != 0)
		atomic_fetch_add(&s->violations, 1);
	atomic_fetch_sub(&s->writers_in, 1);
	ipc_rwlock_unlock(&s->l);
}
/* explain: end */

static void
rwlock_work(struct run *r, unsigned id)
{
	uint64_t i;

	for (i = 0; i < (uint64_t)r->p->v[O_ITERATIONS]; i++)
		if (id < (unsigned)r->p->v[O_READERS])
			read_once(r, id, i);
		else
			write_once(r, id, i);
}

/* Median and maximum of the writers' waits for the lock (sorted in place). */
static void
writer_waits(const struct run *r, uint64_t *median, uint64_t *max)
{
	struct rwstate *s = r->state;
	uint64_t n = atomic_load(&s->nwaits);

	n = n < max_waits(r->p) ? n : max_waits(r->p);
	*median = sorted_median(s->waits, n);
	*max = n > 0 ? s->waits[n - 1] : 0;
}

static void
rwlock_check(const struct run *r, struct outcome *o)
{
	const struct rwstate *s = r->state;
	unsigned viol = atomic_load(&s->violations), maxr = atomic_load(&s->max_readers);
	int overlap_due = r->p->v[O_READERS] > 1 && r->p->v[O_HOLD] > 0;
	uint64_t med, max;

	writer_waits(r, &med, &max);
	o->sync = r->p->v[O_PREFER] == P_WRITER ? "rwlock-wpref" : "rwlock-rpref";
	o->iterations = (uint64_t)r->p->v[O_ITERATIONS];
	o->expected = (uint64_t)r->p->v[O_WRITERS] * o->iterations;
	o->observed = s->table[0];
	o->ops = (uint64_t)r->nworkers * o->iterations;
	if (viol == 0 && o->observed == o->expected && (maxr > 1 || !overlap_due)) {
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "up to %u readers at once, writers "
		    "alone; writer wait median %.2f ms, max %.2f ms", maxr,
		    (double)med / 1e6, (double)max / 1e6);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%u violations, %ju of %ju writes, "
		    "%u readers at most", viol, (uintmax_t)o->observed,
		    (uintmax_t)o->expected, maxr);
	}
	res_uint(o->extra, "max_readers", maxr, F_TABLE);
	res_uint(o->extra, "violations", viol, 0);
	res_uint(o->extra, "writer_wait_median_ns", med, F_TABLE | F_NS);
	res_uint(o->extra, "writer_wait_max_ns", max, F_TABLE | F_NS);
}

static void
rwlock_destroy(struct run *r)
{
	struct rwstate *s = r->state;

	ipc_rwlock_destroy(&s->l);
}

const struct worker worker_rwlock = {
	.name = "rwlock",
	.desc = "readers share, a writer is alone; reader vs writer preference",
	.proves = "readers overlap (more than one at once), a writer is always "
	    "alone, no read sees a half-written table, every write lands",
	.explain =
	    "Readers read a table, writers rewrite it field by field; readers may read\n"
	    "together, a writer must be alone.\n"
	    "\n"
	    "Primitive: a process-shared pthread rwlock, reader- or writer-preferring.\n"
	    "\n"
	    "Columns: max_readers (more than 1: they did overlap); writer waits, median\n"
	    "and maximum: with reader preference a stream of readers starves the writers.\n"
	    "\n"
	    "Try: -P writer; -R 8 -W 1; -u 0; --timeline (readers = share, writers #).\n"
	    "\n"
	    "Pitfalls: glibc prefers readers by default; a reader that upgrades to a\n"
	    "writer deadlocks.\n",
	.opts = rwlock_opts,
	.validate = rwlock_validate,
	.nworkers = rwlock_nworkers,
	.size = rwlock_size,
	.setup = rwlock_setup,
	.work = rwlock_work,
	.check = rwlock_check,
	.destroy = rwlock_destroy,
};
