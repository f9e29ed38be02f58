/*
 * semaphore.c - a server that admits K requests at a time: a named counting
 * semaphore with K permits, W clients making R requests each.
 *
 * Proves the maximum concurrency seen is K (never more; exactly K when there
 * are at least K clients), and shows the acquisitions coming in waves.
 * --over-release lets worker 0 post once too often before anyone enters: a
 * plain semaphore then admits K+1; --bounded refuses that release, as
 * Python's BoundedSemaphore does.  See sem_overview(7).
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

enum { O_WORKERS, O_PERMITS, O_REQUESTS, O_HOLD, O_OVER, O_BOUNDED, O_NOPTS };

#define MAX_SAMPLES	(1 << 20)	/* acquisitions timed for the waves */

static const struct optdef semaphore_opts[] = {
	[O_WORKERS] = OPT_WORKERS(10),
	[O_PERMITS] = { "permits", 'k', "K", 1, MAX_WORKERS, 3, NULL,
	  "requests served at once" },
	[O_REQUESTS] = { "requests", 'n', "R", 1, 1000000, 4, NULL,
	  "requests per worker" },
	[O_HOLD] = { "hold-us", 'u', "US", 0, 1000000, 5000, NULL,
	  "how long a request holds its permit, in microseconds" },
	[O_OVER] = { "over-release", 0, NULL, 0, 1, 0, NULL,
	  "worker 0 releases once without acquiring, before anyone enters" },
	[O_BOUNDED] = { "bounded", 0, NULL, 0, 1, 0, NULL,
	  "refuse a release that would raise the count above K" },
	[O_NOPTS] = { NULL }
};

struct semstate {
	alignas(CACHE_LINE) atomic_uint	 in_use;
	alignas(CACHE_LINE) atomic_uint	 max_in_use;
	atomic_int			 released;	/* worker 0's extra post is done */
	atomic_uint			 refused;
	atomic_uint			 nsamples;
	pthread_mutex_t			 bound;		/* --bounded: check, then post */
	alignas(CACHE_LINE) uint64_t	 t_acquire[];	/* ns, for the waves */
};

static uint64_t
nsamples(const struct params *p)
{
	uint64_t n = (uint64_t)p->v[O_WORKERS] * (uint64_t)p->v[O_REQUESTS];

	return n < MAX_SAMPLES ? n : MAX_SAMPLES;
}

static const char *
semaphore_validate(const struct params *p)
{
	if (p->v[O_BOUNDED] && !p->v[O_OVER])
		return "--bounded only matters with --over-release";
	if (p->v[O_OVER] && p->v[O_WORKERS] <= p->v[O_PERMITS])
		return "--over-release needs more workers than permits (-w > -k), "
		    "or K+1 cannot get in";
	return NULL;
}

static unsigned
semaphore_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
semaphore_size(const struct run *r)
{
	return sizeof(struct semstate) + nsamples(r->p) * sizeof(uint64_t);
}

static void
semaphore_setup(struct run *r)
{
	struct semstate *s = r->state;
	struct ipc_sem *sem;
	int rc;

	/* The permits: a named semaphore, unlinked at once (workers inherit it). */
	if ((sem = r->priv = calloc(1, sizeof(*sem))) == NULL)
		err(1, "semaphore");
	if ((rc = ipc_sem_open(sem, "semaphore.permits",
	    (unsigned)r->p->v[O_PERMITS])) != 0)
		errc(1, rc, "semaphore: sem_open");
	if ((rc = ipc_sem_unlink(sem)) != 0)
		errc(1, rc, "semaphore: sem_unlink");
	run_name(r, sem->sem, "permits");
	if ((rc = ipc_mutex_init(&s->bound, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "semaphore: mutex");
	run_name(r, &s->bound, "bound");
}

/* explain: semaphore: --bounded: a post that would pass K is refused */
/* Release; bounded, refuse when the count is already K (it would exceed it). */
static void
release(struct run *r, sem_t *sem, unsigned id)
{
	struct semstate *s = r->state;
	int rc, v;

	if (!r->p->v[O_BOUNDED]) {
		if ((rc = sched_sem_post(r, id, sem)) != 0)
			worker_errc(r, rc, "semaphore: sem_post");
		return;
	}
	if ((rc = sched_mutex_lock(r, id, &s->bound, "bound")) != 0)
		worker_errc(r, rc, "semaphore: bound lock");
	if ((rc = ipc_sem_value(sem, &v)) == 0 && v >= r->p->v[O_PERMITS])
		atomic_fetch_add(&s->refused, 1);
	else if (rc == 0)
		rc = ipc_sem_post(sem);
	sched_mutex_unlock(r, id, &s->bound);
	if (rc != 0)
		worker_errc(r, rc, "semaphore: release");
}
/* explain: end */

/* explain: semaphore: a request: take a permit, count who is in, hold it, give it back */
/* One request: take a permit, count ourselves in, hold it, leave. */
static void
request(struct run *r, sem_t *sem, unsigned id, uint64_t i)
{
	struct semstate *s = r->state;
	uint64_t hold_ns = (uint64_t)r->p->v[O_HOLD] * 1000;
	unsigned n, k;
	int rc;

	if (sched_on(r))
		rc = sched_sem_wait(r, id, sem);
	else if (r->mode == MODE_COOP)
		while ((rc = ipc_sem_trywait(sem)) == EAGAIN)
			worker_yield(r);	/* one thread: wait by letting the others run */
	else
		rc = ipc_sem_wait(sem, r->deadline);
	if (rc != 0)
		worker_errc(r, rc, "semaphore: worker %u: sem_wait", id);
	sched_point(r, id, SCH_RMW, &s->in_use, 0);	/* in */
	n = atomic_fetch_add(&s->in_use, 1) + 1;
	atomic_max_uint(&s->max_in_use, n);
	if ((k = atomic_fetch_add(&s->nsamples, 1)) < nsamples(r->p))
		s->t_acquire[k] = ipc_now_ns();
	inject_point(r, id, i);
	if (sched_on(r))
		hold_ns = 0;	/* scheduled: the schedule says how long */
	if (r->mode == MODE_COOP)
		coop_sleep(r, hold_ns);
	else
		ipc_sleep_ns(hold_ns);
	sched_point(r, id, SCH_RMW, &s->in_use, 0);	/* out */
	atomic_fetch_sub(&s->in_use, 1);
	release(r, sem, id);
}
/* explain: end */

static void
semaphore_work(struct run *r, unsigned id)
{
	struct semstate *s = r->state;
	sem_t *sem = ((struct ipc_sem *)r->priv)->sem;
	uint64_t i;

	/* The extra release comes first; the others wait for it (deadline-bound). */
	if (r->p->v[O_OVER] && id == 0) {
		release(r, sem, id);
		atomic_store(&s->released, 1);
	}
	if (r->p->v[O_OVER] && id != 0)
		sched_point(r, id, SCH_LOAD, &s->released, 0);
	while (r->p->v[O_OVER] && !atomic_load(&s->released))
		if (sched_wait(r, id, &s->released) != 0)
			worker_errc(r, ETIMEDOUT, "semaphore: worker %u", id);
	for (i = 0; i < (uint64_t)r->p->v[O_REQUESTS]; i++)
		request(r, sem, id, i);
}

/*
 * Group the sorted acquisition times into waves: a gap longer than half the
 * hold time starts a new one.  Writes "3,3,3,1" (the first few) into buf.
 */
static unsigned
waves(const struct run *r, char *buf, size_t len)
{
	struct semstate *s = r->state;
	uint64_t *t = s->t_acquire, n = atomic_load(&s->nsamples), gap, i;
	unsigned nw = 0, size = 0;
	char part[16];

	buf[0] = '\0';
	n = n < nsamples(r->p) ? n : nsamples(r->p);
	gap = (uint64_t)r->p->v[O_HOLD] * 500;
	if (n == 0 || gap == 0)
		return 0;
	sorted_median(t, n);		/* sorts them (the run is over) */
	for (i = 0; i <= n; i++) {
		if (i > 0 && (i == n || t[i] - t[i - 1] > gap)) {
			snprintf(part, sizeof(part), "%s%u", nw ? "," : "", size);
			if (nw < 6)
				strlcat(buf, part, len);
			else if (nw == 6)
				strlcat(buf, ",...", len);
			nw++;
			size = 0;
		}
		size++;
	}
	return nw;
}

static void
semaphore_check(const struct run *r, struct outcome *o)
{
	const struct semstate *s = r->state;
	unsigned k = (unsigned)r->p->v[O_PERMITS], refused = atomic_load(&s->refused);
	char w[64];
	unsigned nw = waves(r, w, sizeof(w));

	o->sync = r->p->v[O_BOUNDED] ? "bounded-sem" : "sem";
	o->iterations = (uint64_t)r->p->v[O_REQUESTS];
	o->ops = (uint64_t)r->nworkers * o->iterations;
	o->expected = r->nworkers < k ? r->nworkers : k;
	o->observed = atomic_load(&s->max_in_use);
	if (r->p->v[O_OVER] && !r->p->v[O_BOUNDED] && o->observed == k + 1ULL &&
	    r->nworkers > k) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "the extra release let %u in at "
		    "once; waves %s", k + 1, w);
	} else if ((o->observed == o->expected || (sched_on(r) && o->observed <=
	    o->expected)) && refused == (r->p->v[O_BOUNDED] ? 1u : 0u)) {
		/* Scheduled, the workers may go one at a time: at most K is the rule. */
		o->verdict = VERDICT_OK;
		snprintf(o->note, sizeof(o->note), "%sat most %u at once; waves %s",
		    refused ? "extra release refused; " : "", k, w);
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "%ju at once with %u permits, "
		    "%u releases refused", (uintmax_t)o->observed, k, refused);
	}
	res_uint(o->extra, "max_concurrent", o->observed, F_TABLE);
	res_uint(o->extra, "waves", nw, F_TABLE);
	res_uint(o->extra, "refused", refused, 0);
}

/* What decides the rest of a scheduled run: the counts and the permits, not the times. */
static size_t
semaphore_state(const struct run *r, void *buf, size_t cap)
{
	const struct semstate *s = r->state;
	unsigned v[5];	/* who holds the bound lock: the workers' places say */
	int permits = 0;

	if (sizeof(v) > cap)
		return 0;
	sem_getvalue(((struct ipc_sem *)r->priv)->sem, &permits);
	v[0] = atomic_load(&s->in_use);
	v[1] = atomic_load(&s->max_in_use);
	v[2] = (unsigned)atomic_load(&s->released);
	v[3] = atomic_load(&s->refused);
	v[4] = (unsigned)permits;
	memcpy(buf, v, sizeof(v));
	return sizeof(v);
}

/* For people: the permits left and who is inside. */
static void
semaphore_show(const struct run *r, char *buf, size_t len)
{
	const struct semstate *s = r->state;
	int permits = 0;

	sem_getvalue(((struct ipc_sem *)r->priv)->sem, &permits);
	snprintf(buf, len, "permits=%d inside=%u most=%u", permits,
	    atomic_load(&s->in_use), atomic_load(&s->max_in_use));
}

static void
semaphore_destroy(struct run *r)
{
	struct semstate *s = r->state;

	ipc_mutex_destroy(&s->bound);
}

const struct worker worker_semaphore = {
	.name = "semaphore",
	.caps = CAP_COOP | CAP_SCHED,
	.desc = "K permits for W clients: never more than K at once, in waves",
	.proves = "max concurrency == min(K, workers), never more; --over-release "
	    "shows K+1, --bounded refuses the extra release",
	.explain =
	    "A server admits K requests at once: W clients each make R requests holding\n"
	    "a permit for a while (BoundedSemaphore(3) with 10 clients).\n"
	    "\n"
	    "Primitive: a named POSIX semaphore (sem_open with O_EXCL, unlinked at once)\n"
	    "with K permits.\n"
	    "\n"
	    "Columns: max_concurrent is the most clients seen inside at once (expected\n"
	    "K, or W when W < K); waves is how many groups the acquisitions came in.\n"
	    "\n"
	    "Try: --over-release (one release too many: K+1 get in); --over-release\n"
	    "--bounded (the release is refused); -k 1 (a lock); -w 2 -k 3;\n"
	    "--timeline (the waves, a lane per worker).\n"
	    "\n"
	    "Pitfalls: a plain semaphore does not know who holds it, so nothing stops an\n"
	    "extra release, and a holder that dies never gives its permit back (see\n"
	    "crash --lock sem).\n",
	.opts = semaphore_opts,
	.validate = semaphore_validate,
	.nworkers = semaphore_nworkers,
	.size = semaphore_size,
	.setup = semaphore_setup,
	.work = semaphore_work,
	.check = semaphore_check,
	.release = release_sem,
	.destroy = semaphore_destroy,
	.sched_state = semaphore_state,
	.sched_show = semaphore_show,
};
