/*
 * traffic.c - Traffic Light Controlled Intersection (LeetCode 1279): cars
 * from roads A and B cross one intersection whose light turns green for a
 * road only when one of its cars arrives to a red light.
 *
 * A car arrives, turns the light green for its road if it is red, and
 * crosses, all under one guard: a robust mutex (--sync mutex) or a named
 * semaphore at 1 (--sync sem).  An occupancy word per road catches a car
 * entering while the other road's are inside; a log of who crossed when
 * says how many light changes were needed.  --sync none lets cars of both
 * roads meet, and two cars turn the same light green.  See counter.c.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

enum { O_CARS, O_WORKERS, O_SYNC, O_NOPTS };
enum { S_MUTEX, S_SEM, S_NONE, NSYNCS };
enum { ROAD_A, ROAD_B, NROADS };

static const char *const syncs[] = {
	[S_MUTEX] = "mutex", [S_SEM] = "sem", [S_NONE] = "none", [NSYNCS] = NULL
};

static const struct optdef traffic_opts[] = {
	[O_CARS] = { "cars", 'n', "N", 1, 1 << 22, 1000, NULL,
	  "cars on each road" },
	[O_WORKERS] = { "workers", 'w', "N", 1, MAX_WORKERS / 2, 2, NULL,
	  "workers on each road (2: one per direction)" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_MUTEX, syncs,
	  "mutex (a robust mutex), sem (a named semaphore at 1) or none" },
	[O_NOPTS] = { NULL }
};

struct tstate {
	alignas(CACHE_LINE) pthread_mutex_t lock;	/* --sync mutex */
	alignas(CACHE_LINE) atomic_int	 green;		/* the road whose light is green */
	_Atomic uint64_t	 changes;	/* light changes */
	_Atomic uint64_t	 needless;	/* changes to the colour it had */
	alignas(CACHE_LINE) atomic_uint	 inside[NROADS];	/* cars in the intersection */
	_Atomic uint64_t	 collisions;	/* entries with the other road inside */
	_Atomic uint64_t	 pos;		/* crossings so far */
	alignas(CACHE_LINE) atomic_uint	 crossed[];	/* per car: A's, then B's */
	/* then unsigned char order[2 x cars]: the road of each crossing */
};

static uint64_t
cars(const struct params *p)
{
	return (uint64_t)p->v[O_CARS];
}

static unsigned char *
order_of(const struct run *r)
{
	struct tstate *s = r->state;

	return (unsigned char *)&s->crossed[NROADS * cars(r->p)];
}

static unsigned
traffic_nworkers(const struct params *p)
{
	return NROADS * (unsigned)p->v[O_WORKERS];
}

static size_t
traffic_size(const struct run *r)
{
	return sizeof(struct tstate) + NROADS * cars(r->p) *
	    (sizeof(atomic_uint) + 1);
}

/* Green for road A; the guard: a mutex in the region, or a semaphore named for this run. */
static void
traffic_setup(struct run *r)
{
	struct tstate *s = r->state;
	struct ipc_sem *sem;
	int rc;

	atomic_store(&s->green, ROAD_A);
	if (r->p->v[O_SYNC] == S_MUTEX) {
		if ((rc = ipc_mutex_init(&s->lock, IPC_MUTEX_NORMAL)) != 0)
			errc(1, rc, "traffic: mutex");
		run_name(r, &s->lock, "intersection");
	} else if (r->p->v[O_SYNC] == S_SEM) {
		/* Workers inherit the semaphore: unlink its name at once. */
		if ((sem = r->priv = calloc(1, sizeof(*sem))) == NULL)
			err(1, "traffic: semaphore");
		if ((rc = ipc_sem_open(sem, "traffic.light", 1)) != 0 ||
		    (rc = ipc_sem_unlink(sem)) != 0)
			errc(1, rc, "traffic: semaphore");
	}
}

/* Take the intersection; a semaphore woken by the poison gives up. */
static void
guard_lock(struct run *r)
{
	struct tstate *s = r->state;
	int rc = 0;

	if (r->p->v[O_SYNC] == S_MUTEX)
		rc = worker_mutex_lock(r, &s->lock, "intersection");
	else if (r->p->v[O_SYNC] == S_SEM &&
	    (rc = ipc_sem_wait(((struct ipc_sem *)r->priv)->sem, r->deadline)) == 0 &&
	    run_stopped(r))
		rc = ECANCELED;
	if (rc != 0)
		worker_errc(r, rc, "traffic: take the intersection");
}

static void
guard_unlock(struct run *r)
{
	struct tstate *s = r->state;
	int rc = 0;

	if (r->p->v[O_SYNC] == S_MUTEX)
		rc = ipc_mutex_unlock(&s->lock);
	else if (r->p->v[O_SYNC] == S_SEM)
		rc = ipc_sem_post(((struct ipc_sem *)r->priv)->sem);
	if (rc != 0)
		worker_errc(r, rc, "traffic: leave the intersection");
}

/* Red for this road: turn it green (a yield first, where a racer may do the same). */
static void
turn_green(struct run *r, int road)
{
	struct tstate *s = r->state;

	if (atomic_load(&s->green) == road)
		return;
	worker_yield(r);
	atomic_fetch_add(&s->changes, 1);
	if (atomic_exchange(&s->green, road) == road)
		atomic_fetch_add(&s->needless, 1);
}

/* explain: traffic: a car takes the intersection, turns its light green, crosses; both roads inside is a collision */
/* Car `car` of `road` arrives, turns its light green if need be, and crosses. */
static void
car_arrived(struct run *r, unsigned id, int road, uint64_t car, uint64_t i)
{
	struct tstate *s = r->state;
	uint64_t k;

	guard_lock(r);
	turn_green(r, road);
	inject_point(r, id, i);
	/* Enter, then look: of two cars of both roads inside, one sees the other. */
	atomic_fetch_add(&s->inside[road], 1);
	if (atomic_load(&s->inside[!road]) > 0)
		atomic_fetch_add(&s->collisions, 1);
	if ((k = atomic_fetch_add(&s->pos, 1)) < NROADS * cars(r->p))
		order_of(r)[k] = (unsigned char)road;
	atomic_fetch_add(&s->crossed[road * cars(r->p) + car], 1);
	worker_yield(r);	/* crossing takes a moment */
	atomic_fetch_sub(&s->inside[road], 1);
	guard_unlock(r);
}
/* explain: end */

/* Worker id drives road id / w, the cars whose number is id mod w. */
static void
traffic_work(struct run *r, unsigned id)
{
	unsigned w = (unsigned)r->p->v[O_WORKERS];
	uint64_t car, i = 0;

	for (car = id % w; car < cars(r->p); car += w)
		car_arrived(r, id, (int)(id / w), car, i++);
}

/* The run was called off: open the semaphore for every worker, so they leave. */
static void
traffic_poison(struct run *r)
{
	unsigned i;

	if (r->p->v[O_SYNC] != S_SEM)
		return;
	for (i = 0; i < r->nworkers; i++)
		ipc_sem_post(((struct ipc_sem *)r->priv)->sem);
}

/* The light changes the crossing order needed: each time the road differs from the last (A first). */
static uint64_t
switches(const struct run *r)
{
	const unsigned char *o = order_of(r);
	uint64_t k, n = 0;
	unsigned char last = ROAD_A;

	for (k = 0; k < NROADS * cars(r->p); k++) {
		n += o[k] != last;
		last = o[k];
	}
	return n;
}

static void
traffic_check(const struct run *r, struct outcome *o)
{
	const struct tstate *s = r->state;
	uint64_t k, once = 0, all = NROADS * cars(r->p), sw = switches(r),
	    ch = atomic_load(&s->changes), coll = atomic_load(&s->collisions),
	    nl = atomic_load(&s->needless);

	for (k = 0; k < all; k++)
		once += atomic_load(&s->crossed[k]) == 1;
	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = cars(r->p);
	o->expected = o->ops = all;
	o->observed = once;
	if (once != all)
		o->verdict = VERDICT_FAIL;
	else if (coll == 0 && nl == 0 && ch == sw)
		o->verdict = VERDICT_OK;
	else
		o->verdict = r->p->v[O_SYNC] == S_NONE ? VERDICT_RACE : VERDICT_FAIL;
	if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "never both roads inside; "
		    "%ju light changes, each needed", (uintmax_t)ch);
	else
		snprintf(o->note, sizeof(o->note), "%ju cars met the other road, "
		    "%ju needless changes, %ju cars not once", (uintmax_t)coll,
		    (uintmax_t)nl, (uintmax_t)(all - once));
	res_uint(o->extra, "collisions", coll, F_TABLE);
	res_uint(o->extra, "changes", ch, F_TABLE);
	res_uint(o->extra, "switches", sw, 0);
	res_uint(o->extra, "needless", nl, F_TABLE);
}

static void
traffic_destroy(struct run *r)
{
	struct tstate *s = r->state;

	if (r->p->v[O_SYNC] == S_MUTEX)
		ipc_mutex_destroy(&s->lock);
}

const struct worker worker_traffic = {
	.name = "traffic",
	.desc = "traffic light controlled intersection (LeetCode 1279): roads never meet",
	.proves = "cars of roads A and B are never in the intersection together, "
	    "each crosses once, and the light changes only when needed",
	.explain =
	    "Cars from roads A and B arrive at one intersection (LeetCode 1279).  The\n"
	    "light starts green for A; a car that finds it red turns it green for its\n"
	    "road, then crosses.  -w workers drive each road's cars (2: one per\n"
	    "direction).\n"
	    "\n"
	    "Primitive: one guard around arrive, turn green and cross: a robust mutex\n"
	    "(--sync mutex) or a named semaphore at 1 (--sync sem).\n"
	    "\n"
	    "Columns: collisions counts cars that entered with the other road's inside\n"
	    "(an occupancy word per road); changes the light changes, switches those\n"
	    "the crossing order needed; needless the changes to the colour it had.\n"
	    "\n"
	    "Try: --sync none (collisions, needless changes); --sync sem -w 8 -n 5000.\n"
	    "\n"
	    "Pitfalls: checking the light and turning it are two steps: without the\n"
	    "guard two cars both see red and both turn it.\n",
	.opts = traffic_opts,
	.nworkers = traffic_nworkers,
	.size = traffic_size,
	.setup = traffic_setup,
	.work = traffic_work,
	.poison = traffic_poison,
	.check = traffic_check,
	.release = release_sem,
	.destroy = traffic_destroy,
};
