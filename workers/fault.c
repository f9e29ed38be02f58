/*
 * fault.c - failing well, for every demo: --inject faults, a quiet exit once
 * the launcher has called the run off, and robust mutexes whose dead owner
 * is taken over and reported.
 *
 * A demo calls inject_point() in its loop, worker_errc() where it would call
 * errc(), and worker_mutex_lock() for a lock whose state is consistent at
 * every instruction.  See worker.h and launcher/run.c (the supervisor).
 */
#include <sys/resource.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

#define STALL_STEP_NS	10000000L	/* a stalled worker looks up this often */

/* The launcher gave up on the run, or its deadline passed. */
int
run_stopped(const struct run *r)
{
	return atomic_load(&r->sh->stop) || ipc_expired(r->deadline);
}

/* End this worker now: a process exits, a thread ends (the program goes on). */
__dead void
worker_quit(const struct run *r, int status)
{
	if (r->mode == MODE_COOP) {
		r->hooks->exit();
		abort();	/* the hook never returns */
	}
	if (r->mode == MODE_THREAD)
		pthread_exit(NULL);
	_exit(status);
}

/* Coop: asyncio.sleep, yielding until ns have passed (a sleep would stop all). */
void
coop_sleep(const struct run *r, uint64_t ns)
{
	uint64_t until = ipc_now_ns() + ns;

	while (ipc_now_ns() < until && !ipc_expired(r->deadline))
		worker_yield(r);
}

/* Let the others run: the scheduler's turn, or (coop) the next task's. */
void
worker_yield(const struct run *r)
{
	if (r->mode == MODE_COOP)
		r->hooks->yield();
	else
		sched_yield();
}

/* Give a shared object the name the trace and timeline show (deadlock's "lock A"). */
void
run_name(const struct run *r, const volatile void *obj, const char *name)
{
	if (r->hooks != NULL && r->hooks->name != NULL)
		r->hooks->name(r, obj, name);
}

/* errc(3) for workers: quiet if the run was called off (the launcher says why). */
__dead void
worker_errc(const struct run *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (run_stopped(r))
		worker_quit(r, 0);
	va_start(ap, fmt);
	vwarnc(rc, fmt, ap);
	va_end(ap);
	worker_quit(r, 1);
}

/* Lock; a dead owner's lock is taken over, counted and named for the report. */
int
worker_mutex_lock(const struct run *r, pthread_mutex_t *m, const char *what)
{
	int adopted, rc;

	rc = ipc_mutex_lock_adopt(m, r->deadline, &adopted);
	if (adopted && atomic_fetch_add(&r->sh->owner_deaths, 1) == 0)
		strlcpy(r->sh->dead_lock, what, sizeof(r->sh->dead_lock));
	return rc;
}

static void
stall(const struct run *r)
{
	while (!run_stopped(r))
		ipc_sleep_ns(STALL_STEP_NS);
}

/* A 64-bit hash of (seed, a, b) (splitmix64's finalizer): the same in, the same out. */
uint64_t
seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t x = seed ^ (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * --jitter: a pause of 0..jitter_us, a function of (seed, worker, iteration)
 * alone, so a seed replays the same schedule of delays whatever the order.
 */
static void
jitter(const struct run *r, unsigned id, uint64_t iter)
{
	uint64_t ns = seed_mix(r->p->seed, id, iter) %
	    ((uint64_t)r->p->jitter_us * 1000 + 1);

	r->sh->slot[id].jitter_ns += ns;
	if (r->mode == MODE_COOP)
		coop_sleep(r, ns);
	else
		ipc_sleep_ns(ns);
}

/* Worker id reached iteration iter: its --jitter pause, the fault aimed there. */
void
inject_fire(const struct run *r, unsigned id, uint64_t iter)
{
	const struct inject *f;
	struct rlimit nocore = { 0, 0 };
	unsigned k;

	if (r->p->jitter_us != 0)
		jitter(r, id, iter);

	for (k = 0; k < r->p->ninject; k++) {
		f = &r->p->inject[k];
		if (f->worker != id || f->iter != iter)
			continue;
		r->sh->slot[id].injected = (int)k + 1;
		r->sh->slot[id].iters = iter;	/* -t: what it finished */
		switch (f->action) {
		case INJECT_ABORT:
			setrlimit(RLIMIT_CORE, &nocore);	/* a lesson, not a core file */
			abort();
		case INJECT_KILL:
			if (r->mode == MODE_PROCESS)
				raise(SIGKILL);
			break;
		case INJECT_STALL:
			stall(r);
			break;
		case INJECT_EXIT:
			break;
		}
		worker_quit(r, INJECT_STATUS);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort v[0..n) in place and return its median (0 for none). */
uint64_t
sorted_median(uint64_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* *m = max(*m, v), among racing workers. */
void
atomic_max_uint(atomic_uint *m, unsigned v)
{
	unsigned cur = atomic_load(m);

	while (v > cur && !atomic_compare_exchange_weak(m, &cur, v))
		continue;
}

/* With -t: the iterations workers first .. first+n-1 did, as each recorded. */
uint64_t
iters_done(const struct run *r, unsigned first, unsigned n)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = first; i < first + n; i++)
		sum += r->sh->slot[i].iters;
	return sum;
}

/* release for a demo whose r->priv is the launcher's handle on a named semaphore. */
void
release_sem(struct run *r)
{
	if (r->priv == NULL)
		return;
	ipc_sem_close(r->priv);
	free(r->priv);
	r->priv = NULL;
}

/* FNV-1a, 32 bits, over a string, from h: a text's checksum, easy to recompute. */
uint32_t
fnv1a(uint32_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * A mutex taken at a scheduling point: as worker_mutex_lock, except in a
 * scheduled run, where the worker tries and, while the lock is held, says
 * it is blocked and lets the others go (it must never sleep in the kernel
 * while it has the turn).
 */
/*
 * The way is shut (a held lock, a count at 0): say so, let the others run;
 * 0 to try again, ETIMEDOUT past the run's deadline or when it is called
 * off.  After a schedule's last step the workers wait here in real time.
 */
int
sched_wait(const struct run *r, unsigned id, const volatile void *obj)
{
	sched_blocked(r, id, obj);
	worker_yield(r);
	return run_stopped(r) ? ETIMEDOUT : 0;
}

int
sched_mutex_lock(const struct run *r, unsigned id, pthread_mutex_t *m,
    const char *what)
{
	int rc;

	if (!sched_on(r))
		return worker_mutex_lock(r, m, what);
	sched_point(r, id, SCH_LOCK, m, 0);
	while ((rc = ipc_mutex_trylock(m)) == EBUSY)
		if (sched_wait(r, id, m) != 0)
			return ETIMEDOUT;
	return rc;
}

int
sched_mutex_unlock(const struct run *r, unsigned id, pthread_mutex_t *m)
{
	sched_point(r, id, SCH_UNLOCK, m, 0);
	return ipc_mutex_unlock(m);
}

/* A semaphore's wait at a scheduling point (see sched_mutex_lock). */
int
sched_sem_wait(const struct run *r, unsigned id, sem_t *sem)
{
	int rc;

	if (!sched_on(r))
		return ipc_sem_wait(sem, r->deadline);
	sched_point(r, id, SCH_WAIT, sem, 0);
	while ((rc = ipc_sem_trywait(sem)) == EAGAIN)
		if (sched_wait(r, id, sem) != 0)
			return ETIMEDOUT;
	return rc;
}

int
sched_sem_post(const struct run *r, unsigned id, sem_t *sem)
{
	sched_point(r, id, SCH_POST, sem, 0);
	return ipc_sem_post(sem);
}
