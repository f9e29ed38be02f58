/*
 * run.c - one run: a fresh region, N workers as threads or processes, a
 * start barrier the launcher is a party to, supervision until every worker
 * is done, failed or past the deadline, and the result.
 *
 * The region's name is unlinked before any worker exists (they inherit the
 * mapping), so no exit path can leave it behind.  Process workers die with
 * the launcher (PR_SET_PDEATHSIG); the launcher reaps every one of them, and
 * a worker that dies abnormally poisons the run so the rest are released.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define GRACE_NS	2000000000ull	/* survivors' time to leave a poisoned run */
#define REAP_NS		5000000000ull	/* SIGKILLed workers' time to be reaped */

struct runner {
	pid_t		*pids;		/* process mode */
	pthread_t	*tids;		/* thread mode */
	unsigned	 started;
	unsigned	 hint;		/* where reap found the last pid */
	int		 killed;	/* the launcher sent SIGKILL */
	int		 signo;		/* a termination signal arrived */
	char		 failure[160];	/* the first worker failure */
};

static sigset_t caught;			/* SIGCHLD and the termination signals */
static sigset_t saved_mask;		/* the mask workers get back */

/* Block the signals the process supervisor takes with sigtimedwait. */
void
run_signals_init(void)
{
	sigemptyset(&caught);
	sigaddset(&caught, SIGCHLD);
	sigaddset(&caught, SIGINT);
	sigaddset(&caught, SIGTERM);
	sigaddset(&caught, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
}

static struct timespec
ns_to_ts(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	return ts;
}

static uint64_t
ts_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* The part every worker runs: wait for the start, time the work, record it. */
static void
worker_main(struct run *r, unsigned id)
{
	struct slot *s = &r->sh->slot[id];
	struct rusage ru0, ru1;
	int rc;

	rc = ipc_barrier_wait(&r->sh->start, r->deadline);
	if (rc == ECANCELED)
		return;		/* the launcher called the run off */
	if (rc != 0 && rc != IPC_BARRIER_SERIAL)
		errc(1, rc, "%s: worker %u: start barrier", r->demo->name, id);
	getrusage(RUSAGE_THREAD, &ru0);
	s->t_start = ipc_now_ns();
	r->demo->work(r, id);
	s->t_end = ipc_now_ns();
	getrusage(RUSAGE_THREAD, &ru1);
	s->nvcsw = ru1.ru_nvcsw - ru0.ru_nvcsw;
	s->nivcsw = ru1.ru_nivcsw - ru0.ru_nivcsw;
	s->done = 1;
}

struct targ {
	struct run	*r;
	unsigned	 id;
};

static void *
thread_main(void *arg)
{
	struct targ *t = arg;

	worker_main(t->r, t->id);
	return NULL;
}

/* A forked worker: die with the launcher, get the signals back, end with _exit. */
static _Noreturn void
child_main(struct run *r, unsigned id, pid_t launcher)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != launcher)
		_exit(1);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	worker_main(r, id);
	_exit(0);
}

/* Release every worker still waiting: the start barrier, the demo's objects. */
static void
poison(struct run *r)
{
	atomic_store(&r->sh->stop, 1);
	ipc_barrier_poison(&r->sh->start);
	if (r->demo->poison != NULL)
		r->demo->poison(r);
}

static void
kill_all(struct runner *rn)
{
	unsigned i;

	for (i = 0; i < rn->started; i++)
		if (rn->pids[i] > 0)
			kill(rn->pids[i], SIGKILL);
	rn->killed = 1;
}

/* Say how worker i ended, if that was a failure: the run's one-line verdict. */
static int
describe_end(struct runner *rn, unsigned i, pid_t pid, int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (rn->killed || rn->failure[0] != '\0')
		return 0;	/* ours, or a consequence of the first failure */
	if (WIFSIGNALED(st))
		snprintf(rn->failure, sizeof(rn->failure),
		    "worker %u (pid %ld) killed by SIG%s", i, (long)pid,
		    sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
	else
		snprintf(rn->failure, sizeof(rn->failure),
		    "worker %u (pid %ld) exited with status %d", i, (long)pid,
		    WEXITSTATUS(st));
	return 1;
}

/* Reap every worker that has ended; the first failure poisons the run. */
static unsigned
reap(struct run *r, struct runner *rn, unsigned alive, uint64_t *limit)
{
	unsigned i, n;
	pid_t pid;
	int st;

	while (alive > 0 && (pid = waitpid(-1, &st, WNOHANG)) > 0) {
		/* Oldest zombie first, and workers mostly end in fork order: O(1), not O(N). */
		for (n = 0, i = rn->hint; n < rn->started && rn->pids[i] != pid; n++)
			i = i + 1 < rn->started ? i + 1 : 0;
		if (n == rn->started)
			continue;
		rn->hint = i;
		rn->pids[i] = -pid;
		alive--;
		if (describe_end(rn, i, pid, st)) {
			poison(r);
			if (*limit > ipc_now_ns() + GRACE_NS)
				*limit = ipc_now_ns() + GRACE_NS;
		}
	}
	return alive;
}

static void
timeout_failure(struct run *r, struct runner *rn, unsigned alive)
{
	unsigned i;

	for (i = 0; i < rn->started && rn->pids[i] <= 0; i++)
		continue;
	if (rn->failure[0] == '\0' && i < rn->started)
		snprintf(rn->failure, sizeof(rn->failure), "worker %u (pid %ld)%s "
		    "still running at the deadline (--timeout %lld)", i,
		    (long)rn->pids[i], alive > 1 ? " and others" : "", r->p->timeout);
}

/* Wait for every process worker: until all are reaped, past the deadline, or a signal. */
static void
supervise(struct run *r, struct runner *rn)
{
	uint64_t limit = ts_to_ns(r->deadline), now;
	unsigned alive = rn->started;
	struct timespec ts;
	int sig;

	while ((alive = reap(r, rn, alive, &limit)) > 0) {
		now = ipc_now_ns();
		if (now >= limit) {
			if (rn->killed)
				errx(1, "%s: %u workers outlived SIGKILL", r->demo->name, alive);
			timeout_failure(r, rn, alive);
			poison(r);
			kill_all(rn);
			limit = now + REAP_NS;
			continue;
		}
		ts = ns_to_ts(limit - now);
		sig = sigtimedwait(&caught, NULL, &ts);
		if (sig != -1 && sig != SIGCHLD && !rn->killed) {
			rn->signo = sig;
			kill_all(rn);
			limit = now + REAP_NS;
		}
	}
}

static void
start_processes(struct run *r, struct runner *rn)
{
	pid_t self = getpid(), pid;
	unsigned i;
	int rc;

	if ((rn->pids = calloc(r->nworkers, sizeof(*rn->pids))) == NULL)
		err(1, "%s", r->demo->name);
	fflush(NULL);
	for (i = 0; i < r->nworkers; i++) {
		if ((pid = fork()) == -1) {
			/* Half-started: stop and reap the ones we have, then fail. */
			rc = errno;
			poison(r);
			kill_all(rn);
			supervise(r, rn);
			errc(1, rc, "%s: fork: worker %u of %u", r->demo->name, i,
			    r->nworkers);
		}
		if (pid == 0)
			child_main(r, i, self);
		rn->pids[rn->started++] = pid;
	}
}

static void
start_threads(struct run *r, struct runner *rn, struct targ *targ)
{
	pthread_attr_t a;
	unsigned i;
	int rc;

	if ((rn->tids = calloc(r->nworkers, sizeof(*rn->tids))) == NULL)
		err(1, "%s", r->demo->name);
	if ((rc = pthread_attr_init(&a)) != 0 ||
	    (rc = pthread_attr_setstacksize(&a, 256 * 1024)) != 0)
		errc(1, rc, "pthread_attr");
	for (i = 0; i < r->nworkers; i++) {
		targ[i].r = r;
		targ[i].id = i;
		if ((rc = pthread_create(&rn->tids[i], &a, thread_main, &targ[i])) != 0) {
			poison(r);
			errc(1, rc, "%s: pthread_create: worker %u of %u",
			    r->demo->name, i, r->nworkers);
		}
		rn->started++;
	}
	pthread_attr_destroy(&a);
}

/* Join every thread by the deadline; past it, poison and allow a grace period. */
static void
join_threads(struct run *r, struct runner *rn)
{
	struct timespec limit = *r->deadline;
	unsigned i;
	int rc;

	for (i = 0; i < rn->started; i++) {
		while ((rc = pthread_clockjoin_np(rn->tids[i], NULL, CLOCK_MONOTONIC,
		    &limit)) == ETIMEDOUT) {
			if (rn->failure[0] != '\0')
				errx(1, "%s: %s; thread workers cannot be killed, exiting",
				    r->demo->name, rn->failure);
			snprintf(rn->failure, sizeof(rn->failure), "thread worker %u "
			    "still running at the deadline (--timeout %lld)", i,
			    r->p->timeout);
			poison(r);
			limit = ns_to_ts(ipc_now_ns() + GRACE_NS);
		}
		if (rc != 0)
			errc(1, rc, "pthread_join");
	}
}

/* Echo every demo option the result does not already carry. */
static void
echo_params(const struct run *r, struct result *res)
{
	const struct optdef *o;
	int i, j;

	for (i = 0; (o = &r->demo->opts[i])->name != NULL; i++) {
		for (j = 0; j < res->n && strcmp(res->f[j].key, o->name) != 0; j++)
			continue;
		if (j < res->n)
			continue;
		if (o->choices != NULL)
			res_str(res, o->name, o->choices[r->p->v[i]], F_PARAM);
		else if (o->arg == NULL)
			res_bool(res, o->name, (int)r->p->v[i], F_PARAM);
		else
			res_uint(res, o->name, (uint64_t)r->p->v[i], F_PARAM);
	}
}

/* Sum the slots: wall time from the first start to the last end, and the OS's view. */
static void
result_timing(const struct run *r, const struct outcome *o, struct result *res)
{
	uint64_t t0 = UINT64_MAX, t1 = 0, wall = 0;
	int64_t vcsw = 0, ivcsw = 0;
	const struct slot *s;
	unsigned i;

	for (i = 0; i < r->nworkers; i++) {
		s = &r->sh->slot[i];
		if (!s->done)
			continue;
		t0 = s->t_start < t0 ? s->t_start : t0;
		t1 = s->t_end > t1 ? s->t_end : t1;
		vcsw += s->nvcsw;
		ivcsw += s->nivcsw;
	}
	if (t1 > t0)
		wall = t1 - t0;
	res_uint(res, "wall_ns", wall, F_TABLE | F_NS);
	res_dbl(res, "ops_per_sec", wall ? (double)o->ops * 1e9 / (double)wall : 0,
	    F_TABLE | F_RATE);
	res_int(res, "nvcsw", vcsw, F_TABLE);
	res_int(res, "nivcsw", ivcsw, F_TABLE);
}

static void
collect(const struct run *r, const struct runner *rn, struct result *res)
{
	struct result extra;
	struct outcome o;
	unsigned i, done = 0;
	int j;

	memset(&o, 0, sizeof(o));
	memset(&extra, 0, sizeof(extra));
	o.extra = &extra;
	r->demo->check(r, &o);
	for (i = 0; i < r->nworkers; i++)
		done += r->sh->slot[i].done != 0;
	if (rn->failure[0] != '\0' || done < r->nworkers) {
		o.verdict = VERDICT_FAIL;
		if (rn->failure[0] != '\0')
			strlcpy(o.note, rn->failure, sizeof(o.note));
		else
			snprintf(o.note, sizeof(o.note), "%u of %u workers finished",
			    done, r->nworkers);
	}

	memset(res, 0, sizeof(*res));
	res->verdict = o.verdict;
	res->mode = r->mode;
	res->variant = r->variant;
	res_str(res, "demo", r->demo->name, 0);
	res_str(res, "sync", o.sync, F_TABLE);
	res_str(res, "mode", r->mode == MODE_THREAD ? "thread" : "process", F_TABLE);
	res_uint(res, "workers", r->nworkers, F_PARAM);
	res_uint(res, "iterations", o.iterations, F_PARAM);
	res_uint(res, "expected", o.expected, F_TABLE);
	res_uint(res, "observed", o.observed, F_TABLE);
	for (j = 0; j < extra.n; j++)
		if (res->n < MAX_FIELDS)
			res->f[res->n++] = extra.f[j];
	res_str(res, "verdict", verdict_name(o.verdict), F_TABLE);
	result_timing(r, &o, res);
	echo_params(r, res);
	res_uint(res, "timeout", (uint64_t)r->p->timeout, F_PARAM);
	res_str(res, "note", o.note, F_TABLE);
}

static size_t
align_line(size_t n)
{
	return (n + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

/* A fresh region: run header and slots, then the demo's state a cache line on. */
static void
prepare(struct run *r)
{
	size_t hdr;
	int rc;

	r->nworkers = r->demo->nworkers(r->p);
	hdr = align_line(sizeof(struct run_shared) + r->nworkers * sizeof(struct slot));
	if ((rc = ipc_region_create(&r->region, r->demo->name,
	    hdr + r->demo->size(r))) != 0)
		errc(1, rc, "%s: shared memory region", r->demo->name);

	/* Workers inherit the mapping, so the name can go before any exists. */
	if ((rc = ipc_region_unlink(&r->region)) != 0)
		errc(1, rc, "%s: shm_unlink", r->demo->name);
	r->sh = r->region.base;
	r->state = (char *)r->region.base + hdr;
	r->deadline = &r->sh->deadline;
	r->sh->nworkers = r->nworkers;
	ipc_deadline(&r->sh->deadline, (uint64_t)r->p->timeout * 1000000000u);
	/* Hybrid: one futex wake releases every worker, none retakes a lock. */
	if ((rc = ipc_barrier_init(&r->sh->start, IPC_BARRIER_HYBRID,
	    r->nworkers + 1)) != 0)
		errc(1, rc, "%s: start barrier", r->demo->name);
	r->demo->setup(r);
}

/* The launcher's own arrival opens the start barrier: spawning is not timed. */
static void
arrive(struct run *r, struct runner *rn)
{
	int rc = ipc_barrier_arrive(&r->sh->start, r->deadline);

	if (rc != 0 && rc != IPC_BARRIER_SERIAL && rc != ECANCELED &&
	    rn->failure[0] == '\0')
		snprintf(rn->failure, sizeof(rn->failure), "start barrier: %s",
		    strerror(rc));
}

static void
run_one(struct run *r, struct result *res)
{
	struct runner rn;
	struct targ *targ;
	int clean;

	/* No signal between a name's creation and its unlink; processes keep them blocked. */
	memset(&rn, 0, sizeof(rn));
	sigprocmask(SIG_BLOCK, &caught, &saved_mask);
	prepare(r);
	if (r->mode == MODE_THREAD)
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	if (r->mode == MODE_PROCESS) {
		start_processes(r, &rn);
		arrive(r, &rn);
		supervise(r, &rn);
		free(rn.pids);
	} else {
		if ((targ = calloc(r->nworkers, sizeof(*targ))) == NULL)
			err(1, "%s", r->demo->name);
		start_threads(r, &rn, targ);
		arrive(r, &rn);
		join_threads(r, &rn);
		free(rn.tids);
		free(targ);
	}
	collect(r, &rn, res);

	/* After a failure a dead waiter may sit in a condvar: unmap, never destroy. */
	clean = rn.failure[0] == '\0' && rn.signo == 0;
	if (clean && r->demo->teardown != NULL)
		r->demo->teardown(r);
	if (clean)
		ipc_barrier_destroy(&r->sh->start);
	ipc_region_destroy(&r->region);
	if (r->mode == MODE_PROCESS)
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	if (rn.signo != 0) {
		/* Die of the same signal, so the shell sees 128+N. */
		fflush(stdout);
		signal(rn.signo, SIG_DFL);
		raise(rn.signo);
	}
}

/* One variant in one mode, the result in *res, nothing printed (the bench's entry). */
void
run_once(const struct params *p, int variant, enum mode mode, struct result *res)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	r.demo = p->demo;
	r.p = p;
	r.variant = variant;
	r.mode = mode;
	run_one(&r, res);
}

/* Every variant in every asked mode, thread then process; 1 if any run failed. */
int
run_demo(const struct params *p, struct report *rep)
{
	static const enum mode modes[] = { MODE_THREAD, MODE_PROCESS };
	struct result res;
	int v, nv, m, status = 0;

	nv = p->demo->variants != NULL ? p->demo->variants(p) : 1;
	for (v = 0; v < nv; v++) {
		for (m = 0; m < 2; m++) {
			if (!(p->modes & modes[m]))
				continue;
			run_once(p, v, modes[m], &res);
			if (res.verdict == VERDICT_FAIL)
				status = 1;
			if (report_add(rep, &res) != 0)
				return status;
		}
	}
	return status;
}
