/*
 * crash.c - a worker dies inside its critical section, on purpose.
 *
 * Processes die one at a time.  With a robust mutex (--lock robust) the next
 * locker gets EOWNERDEAD, reads the dead worker's journal to learn whether
 * its last increment landed, repairs, marks the mutex consistent and goes
 * on: the count stays exact.  A semaphore used as a lock (--lock sem) has no
 * owner to die: the waiters are stuck, shown by their deadline expiring.
 * Threads cannot die alone; there the victim is cancelled and a cleanup
 * handler (pthread_cleanup_push) releases the lock: Python's `with lock`.
 */
#include <sys/prctl.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

enum { O_WORKERS, O_ITERATIONS, O_HOW, O_LOCK, O_VICTIM, O_AT, O_STUCK,
    O_WHEN, O_NOPTS };
enum how { H_KILL, H_ABORT, H_EXIT, NHOWS };
enum lock { L_ROBUST, L_SEM, NLOCKS };
enum when { W_BEFORE, W_AFTER, NWHENS };

static const char *const hows[] = {
	[H_KILL] = "kill", [H_ABORT] = "abort", [H_EXIT] = "exit", [NHOWS] = NULL
};
static const char *const locks[] = {
	[L_ROBUST] = "robust", [L_SEM] = "sem", [NLOCKS] = NULL
};
static const char *const whens[] = {
	[W_BEFORE] = "before", [W_AFTER] = "after", [NWHENS] = NULL
};

static const struct optdef crash_opts[] = {
	[O_WORKERS] = { "workers", 'w', "N", 2, MAX_WORKERS, 3, NULL,
	  "workers, the victim among them" },
	[O_ITERATIONS] = { "iterations", 'n', "N", 2, 1 << 30, 10000, NULL,
	  "iterations per worker" },
	[O_HOW] = { "how", 'H', "HOW", 0, 0, H_KILL, hows,
	  "kill (SIGKILL), abort (SIGABRT; processes only) or exit (_exit(3))" },
	[O_LOCK] = { "lock", 'l', "LOCK", 0, 0, L_ROBUST, locks,
	  "robust (a robust mutex) or sem (a named semaphore as a lock)" },
	[O_VICTIM] = { "victim", 'v', "W", 0, MAX_WORKERS - 1, 1, NULL,
	  "the worker that dies" },
	[O_AT] = { "at", 'a', "ITER", 0, (1 << 30) - 1, 500, NULL,
	  "the victim's iteration it dies in" },
	[O_STUCK] = { "stuck-ms", 'k', "MS", 1, 60000, 200, NULL,
	  "how long a waiter waits for a semaphore before it calls itself stuck" },
	[O_WHEN] = { "when", 0, "WHEN", 0, 0, W_BEFORE, whens,
	  "the victim dies before or after its increment lands (the journal tells)" },
	[O_NOPTS] = { NULL }
};

/* What a worker was doing in the critical section: the repair reads it. */
struct journal {
	alignas(CACHE_LINE) int	 pending;	/* inside, increment maybe not done */
	uint64_t		 before;	/* the counter when it went in */
	uint64_t		 done;		/* increments it completed */
};

struct cstate {
	pthread_mutex_t		 m;
	uint64_t		 counter;
	int			 owner;		/* who holds the lock */
	alignas(CACHE_LINE) atomic_uint	 repaired;	/* EOWNERDEAD handled */
	atomic_int		 repairer;
	atomic_uint		 stuck;		/* waiters whose deadline expired */
	struct journal		 j[];
};

static const char *
crash_validate(const struct params *p)
{
	if (p->v[O_VICTIM] >= p->v[O_WORKERS])
		return "--victim must be one of the workers (0..workers-1)";
	if (p->v[O_AT] >= p->v[O_ITERATIONS])
		return "--at must be below --iterations";
	if (p->v[O_HOW] == H_ABORT && (p->modes & MODE_THREAD))
		return "--how abort ends every thread with it: use --mode process";
	return NULL;
}

static unsigned
crash_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
crash_size(const struct run *r)
{
	return sizeof(struct cstate) + r->nworkers * sizeof(struct journal);
}

static void
crash_setup(struct run *r)
{
	struct cstate *s = r->state;
	struct ipc_sem *sem;
	int rc;

	atomic_init(&s->repairer, -1);
	if ((rc = ipc_mutex_init(&s->m, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "crash: mutex");
	run_name(r, &s->m, "counter lock");
	if (r->p->v[O_LOCK] != L_SEM)
		return;
	if ((sem = r->priv = calloc(1, sizeof(*sem))) == NULL)
		err(1, "crash");
	if ((rc = ipc_sem_open(sem, "crash.lock", 1)) != 0 ||
	    (rc = ipc_sem_unlink(sem)) != 0)
		errc(1, rc, "crash: semaphore");
	run_name(r, sem->sem, "counter lock");
}

/* An owner gone mid-section: its journal says whether its increment landed. */
static void
settle(struct cstate *s, struct journal *d)
{
	if (d->pending && s->counter != d->before)
		d->done++;
	d->pending = 0;
}

/* explain: crash: the repair: settle the dead owner's journal, then mark the mutex consistent */
/* EOWNERDEAD: settle the dead owner's journal, then mark the mutex usable. */
static int
repair(struct run *r, unsigned id)
{
	struct cstate *s = r->state;

	settle(s, &s->j[s->owner]);
	atomic_fetch_add(&s->repaired, 1);
	atomic_store(&s->repairer, (int)id);
	return ipc_mutex_consistent(&s->m);
}
/* explain: end */

static int
victim_dead(const struct run *r)
{
	return atomic_load(&r->sh->slot[r->p->v[O_VICTIM]].planned);
}

/* explain: crash: the next locker gets EOWNERDEAD from a robust mutex, repairs, goes on */
/* 0 when locked; with the semaphore, ETIMEDOUT means stuck for good. */
static int
crash_lock(struct run *r, unsigned id)
{
	struct cstate *s = r->state;
	struct timespec dl;
	int rc;

	/* Stuck only once the victim is dead: a slow holder is not a dead one. */
	if (r->p->v[O_LOCK] == L_SEM) {
		do {
			ipc_deadline(&dl, (uint64_t)r->p->v[O_STUCK] * 1000000u);
			rc = ipc_sem_wait(((struct ipc_sem *)r->priv)->sem, &dl);
		} while (rc == ETIMEDOUT && !victim_dead(r) && !run_stopped(r));
		return rc;
	}
	/* By hand, not ipc_mutex_lock_adopt: repair, then consistent. */
	if ((rc = ipc_mutex_lock(&s->m, r->deadline)) == EOWNERDEAD)
		rc = repair(r, id);
	return rc;
}
/* explain: end */

static void
crash_unlock(struct run *r)
{
	struct cstate *s = r->state;

	if (r->p->v[O_LOCK] == L_SEM)
		ipc_sem_post(((struct ipc_sem *)r->priv)->sem);
	else
		ipc_mutex_unlock(&s->m);
}

/* A cancelled thread's last act: settle its journal, let go of the lock. */
static void
release_on_cancel(void *arg)
{
	struct run *r = arg;
	struct cstate *s = r->state;

	settle(s, &s->j[s->owner]);
	crash_unlock(r);
}

/* The victim, inside the critical section: a thread is cancelled, a process dies. */
static __dead void
die(struct run *r, unsigned id)
{
	r->sh->slot[id].planned = 1;
	if (r->mode == MODE_THREAD) {
		pthread_cancel(pthread_self());
		pthread_testcancel();
	}
	switch (r->p->v[O_HOW]) {
	case H_KILL:
		raise(SIGKILL);
		break;
	case H_ABORT:
		prctl(PR_SET_DUMPABLE, 0);	/* no core file for a lesson */
		abort();
	default:
		break;
	}
	_exit(3);
}

/*
 * The critical section: the journal first, then the increment it announces.
 * The victim dies before the increment, or (--when after) once it landed but
 * before the journal says so.
 */
static void
inside(struct run *r, unsigned id, uint64_t i)
{
	struct cstate *s = r->state;
	struct journal *j = &s->j[id];
	int dies = i == (uint64_t)r->p->v[O_AT] &&
	    id == (unsigned)r->p->v[O_VICTIM];

	pthread_cleanup_push(release_on_cancel, r);
	s->owner = (int)id;
	j->before = s->counter;
	j->pending = 1;
	if (dies && r->p->v[O_WHEN] == W_BEFORE)
		die(r, id);
	s->counter++;
	if (dies)
		die(r, id);
	inject_point(r, id, i);		/* an unplanned death, after the increment */
	j->done++;
	j->pending = 0;
	pthread_cleanup_pop(0);
}

/*
 * A survivor that finished first takes the lock once more after the victim
 * died, so the lesson shows whoever was fastest: EOWNERDEAD, or stuck.
 */
static void
last_look(struct run *r, unsigned id)
{
	struct cstate *s = r->state;
	int rc;

	while (!victim_dead(r)) {
		if (run_stopped(r))
			worker_errc(r, ETIMEDOUT, "crash: worker %u: the victim lives", id);
		sched_yield();
	}
	if ((rc = crash_lock(r, id)) == ETIMEDOUT && r->p->v[O_LOCK] == L_SEM) {
		atomic_fetch_add(&s->stuck, 1);
		return;
	}
	if (rc != 0)
		worker_errc(r, rc, "crash: worker %u: last lock", id);
	crash_unlock(r);
}

static void
crash_work(struct run *r, unsigned id)
{
	struct cstate *s = r->state;
	uint64_t i, n = (uint64_t)r->p->v[O_ITERATIONS];
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = crash_lock(r, id)) == ETIMEDOUT &&
		    r->p->v[O_LOCK] == L_SEM) {
			atomic_fetch_add(&s->stuck, 1);
			return;
		}
		if (rc != 0)
			worker_errc(r, rc, "crash: worker %u: lock", id);

		inside(r, id, i);
		crash_unlock(r);
	}
	last_look(r, id);
}

static void
crash_check(const struct run *r, struct outcome *o)
{
	const struct cstate *s = r->state;
	unsigned i, v = (unsigned)r->p->v[O_VICTIM], stuck = atomic_load(&s->stuck);
	unsigned repaired = atomic_load(&s->repaired);
	uint64_t sum = 0, n = (uint64_t)r->p->v[O_ITERATIONS];

	for (i = 0; i < r->nworkers; i++)
		sum += s->j[i].done;
	o->sync = locks[r->p->v[O_LOCK]];
	o->iterations = n;
	o->expected = (r->nworkers - 1) * n + (uint64_t)r->p->v[O_AT] +
	    (r->p->v[O_WHEN] == W_AFTER);
	o->observed = o->ops = s->counter;
	if (stuck > 0) {
		o->verdict = VERDICT_RACE;
		snprintf(o->note, sizeof(o->note), "worker %u died holding the "
		    "semaphore: %u waiters stuck (no owner, no EOWNERDEAD)", v, stuck);
	} else if (o->observed == o->expected && sum == o->observed) {
		o->verdict = VERDICT_OK;
		if (r->mode == MODE_THREAD)
			snprintf(o->note, sizeof(o->note), "worker %u cancelled in the "
			    "critical section %s its increment; its cleanup handler "
			    "let go", v, whens[r->p->v[O_WHEN]]);
		else
			snprintf(o->note, sizeof(o->note), "worker %u (pid %ld) died "
			    "holding the mutex %s its increment; worker %d got "
			    "EOWNERDEAD, repaired", v, (long)r->sh->slot[v].tid,
			    whens[r->p->v[O_WHEN]], atomic_load(&s->repairer));
	} else {
		o->verdict = VERDICT_FAIL;
		snprintf(o->note, sizeof(o->note), "counter %ju, journals %ju, want "
		    "%ju", (uintmax_t)o->observed, (uintmax_t)sum,
		    (uintmax_t)o->expected);
	}
	res_uint(o->extra, "victim_done", s->j[v].done, F_TABLE);
	res_uint(o->extra, "repaired", repaired, F_TABLE);
	res_uint(o->extra, "stuck", stuck, F_TABLE);
}

static void
crash_destroy(struct run *r)
{
	struct cstate *s = r->state;

	if (atomic_load(&s->repaired) == 0)
		ipc_mutex_destroy(&s->m);
}

const struct worker worker_crash = {
	.name = "crash",
	.desc = "a worker dies inside the critical section: robust mutex vs semaphore",
	.proves = "with a robust mutex the survivors repair and the count is exact "
	    "(survivors' + the dead worker's completed iterations); a semaphore "
	    "leaves them stuck (a deadline shows it)",
	.explain =
	    "A worker dies inside its critical section, on purpose: processes, unlike\n"
	    "threads, die one at a time.\n"
	    "\n"
	    "Primitive: a robust mutex (the next locker gets EOWNERDEAD, repairs, calls\n"
	    "pthread_mutex_consistent) vs a semaphore used as a lock (no owner: the\n"
	    "others wait forever); threads: pthread_cancel and a cleanup handler.\n"
	    "\n"
	    "Columns: victim_done, the dead worker's completed iterations; repaired;\n"
	    "stuck.\n"
	    "\n"
	    "Try: --lock sem; --how abort -m process; -v 0 -a 0; --when after (the\n"
	    "increment landed, the journal had not said so yet).\n"
	    "\n"
	    "Pitfalls: forgetting pthread_mutex_consistent makes the mutex unusable\n"
	    "(ENOTRECOVERABLE); repair needs to know what the dead owner was doing (here\n"
	    "a journal).\n",
	.opts = crash_opts,
	.validate = crash_validate,
	.nworkers = crash_nworkers,
	.size = crash_size,
	.setup = crash_setup,
	.work = crash_work,
	.check = crash_check,
	.release = release_sem,
	.destroy = crash_destroy,
};
