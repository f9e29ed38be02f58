/*
 * run.c - one run: a fresh region, N workers as threads or processes, a
 * start barrier the launcher is a party to, supervision until every worker
 * is done, failed or past the deadline, and the result.
 *
 * The region's name is unlinked before any worker exists (they inherit the
 * mapping), so no exit path can leave it behind.  Process workers die with
 * the launcher (PR_SET_PDEATHSIG) and are watched with sigtimedwait and
 * waitpid; thread workers post a semaphore as they end.  The first unplanned
 * end poisons the run, the others get GRACE_NS to leave, then are killed (a
 * thread cannot be: the launcher exits); the failure is one line on stderr.
 * With -t the same waits also end at the duration: then time_up is raised.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explore.h"
#include "run.h"
#include "spawn.h"
#include "tasks.h"
#include "trace.h"
#include "turnstile.h"

#define GRACE_NS	2000000000ull	/* survivors' time to leave a poisoned run */
#define REAP_NS		5000000000ull	/* SIGKILLed workers' time to be reaped */
#define GO_POLL_NS	1000000ull	/* -t: how often to look for the start */
#define PROGRESS_NS	200000000ull	/* -t: how often to redraw the progress */

struct runner {
	struct spawn	 sp;		/* the workers */
	int		 killed;	/* the launcher sent SIGKILL */
	int		 signo;		/* a termination signal arrived */
	unsigned	 deaths;	/* workers that died or ended on their own */
	int		 culprit_died;	/* the failure is the first of those deaths */
	uint64_t	 limit;		/* ns: the deadline, or the end of a grace */
	int		 grace;		/* limit is the end of a grace period */
	const struct run_watch *watch;	/* who is shown the run as it goes */
	int		 shown;		/* progress was shown: say when it is over */
	uint64_t	 tick;		/* ns: when to show it again */
	char		 failure[NOTE_MAX];	/* the first failure */
};

static pid_t launcher;			/* the one process that may start runs */
static sigset_t term;			/* SIGINT, SIGTERM, SIGHUP */
static sigset_t caught;			/* and SIGCHLD: what supervise() takes */
static sigset_t saved_mask;		/* the mask workers get back */

/* The launcher is this process: a copy of it (a forked worker) never starts a run. */
void
run_launcher_init(void)
{
	launcher = getpid();
}

/*
 * Called before anything that starts workers: in any process but the
 * launcher (a worker's copy that got back into launcher code, which would
 * keep the launcher's argv and outlive it, PR_SET_PDEATHSIG not being
 * inherited), leave at once: _exit, no atexit, no flush of copied stdio.
 */
void
run_launcher_only(void)
{
	if (launcher == 0 || getpid() != launcher)
		_exit(1);
}

/*
 * The signals the process supervisor takes with sigtimedwait.  One the
 * launcher was started with ignored (a shell's background job) stays ignored,
 * in workers too, as in thread mode.
 */
void
run_signals_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	sigemptyset(&term);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
			sigaddset(&term, sigs[i]);
	caught = term;
	sigaddset(&caught, SIGCHLD);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Name the worker for ps and top: "shmsync: counter worker 3/8" in a
 * process's command line, "counter w3" as a process's or thread's comm.
 */
static void
name_worker(const struct run *r, unsigned id)
{
	char comm[16], num[12], *d = num + sizeof(num);
	unsigned v = id;

	/* No printf in a fresh worker: its code pages would each fault in. */
	*--d = '\0';
	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	strlcpy(comm, r->demo->name, 10);
	strlcat(comm, " w", sizeof(comm));
	strlcat(comm, d, sizeof(comm));
	if (r->mode == MODE_THREAD) {
		pthread_setname_np(pthread_self(), comm);
		return;
	}
	setproctitle("%s worker %u of %u", r->demo->name, id, r->nworkers);
	prctl(PR_SET_NAME, comm);
}

/* CPU time this thread has used: spinning shows here, sleeping does not. */
static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ipc_ns_from_ts(&ts);
}

/*
 * The barrier wakes its sleepers one after another, each a scheduler's
 * wake-up later: a worker woken first could finish its share before the
 * last one runs, and an unguarded counter would show no race.  So each
 * worker, once through, waits (yielding) until every worker is through.
 */
static void
start_together(struct run *r)
{
	atomic_fetch_add_explicit(&r->sh->running, 1, memory_order_acq_rel);
	while (atomic_load_explicit(&r->sh->running, memory_order_acquire) <
	    r->nworkers && !run_stopped(r))
		sched_yield();
}

/* The part every worker runs: wait for the start, time the work, record it. */
static void
worker_main(struct run *r, unsigned id)
{
	struct slot *s = &r->sh->slot[id];
	struct rusage ru0, ru1;
	int64_t cpu0;
	int rc;

	s->tid = gettid();
	if (r->mode != MODE_COOP)
		name_worker(r, id);

	/* Coop tasks share one thread: they start in turn, not at a barrier. */
	rc = r->mode == MODE_COOP ? 0 : ipc_barrier_wait(&r->sh->start, r->deadline);
	if (rc == ECANCELED)
		return;		/* the launcher called the run off */
	if (rc != 0 && rc != IPC_BARRIER_SERIAL)
		worker_errc(r, rc, "%s: worker %u: start barrier", r->demo->name, id);
	if (r->mode != MODE_COOP)
		start_together(r);
	getrusage(RUSAGE_THREAD, &ru0);
	cpu0 = cpu_ns();
	trace_begin(r, id);
	s->t_start = ipc_now_ns();
	if (rc == IPC_BARRIER_SERIAL)	/* the last to arrive opened it */
		atomic_store(&r->sh->t_go, s->t_start);
	r->demo->work(r, id);
	turnstile_end(r, id);
	s->t_end = ipc_now_ns();
	ipc_trace_cur = NULL;
	s->cpu_ns = cpu_ns() - cpu0;
	getrusage(RUSAGE_THREAD, &ru1);
	s->nvcsw = (int32_t)(ru1.ru_nvcsw - ru0.ru_nvcsw);
	s->nivcsw = (int32_t)(ru1.ru_nivcsw - ru0.ru_nivcsw);
	s->done = 1;
}

/* A worker as the spawner runs it: a thread, or a forked process that then _exits. */
static int
party(void *arg, unsigned id)
{
	worker_main(arg, id);
	return 0;
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
	spawn_kill(&rn->sp);
	rn->killed = 1;
}

/* "worker 1 (pid 123, injected kill@1:500)": who a failure names. */
static void
label(const struct run *r, const struct runner *rn, unsigned i, char *buf,
    size_t len)
{
	const struct inject *f;
	int k = r->sh->slot[i].injected;
	char inj[80] = "";

	if (k > 0) {
		f = &r->p->inject[k - 1];
		snprintf(inj, sizeof(inj), ", injected %s@%u:%ju",
		    inject_name(f->action), f->worker, (uintmax_t)f->iter);
	}
	if (r->mode == MODE_PROCESS)
		snprintf(buf, len, "worker %u (pid %ld%s) ", i,
		    (long)labs(rn->sp.pid[i]), inj);
	else
		snprintf(buf, len, "worker %u (thread %ld%s) ", i,
		    (long)r->sh->slot[i].tid, inj);
}

/* Record the run's first failure (naming worker who, if >= 0) and poison the run. */
static void __attribute__((format(printf, 4, 5)))
fail(struct run *r, struct runner *rn, int who, const char *fmt, ...)
{
	uint64_t grace = ipc_now_ns() + GRACE_NS;
	size_t n;
	va_list ap;

	if (rn->failure[0] != '\0')
		return;
	if (who >= 0)
		label(r, rn, (unsigned)who, rn->failure, sizeof(rn->failure));
	n = strlen(rn->failure);
	va_start(ap, fmt);
	vsnprintf(rn->failure + n, sizeof(rn->failure) - n, fmt, ap);
	va_end(ap);
	poison(r);
	if (rn->limit > grace)
		rn->limit = grace;
	rn->grace = 1;
}

/* Past the deadline: name a worker with an injected fault, else the first unfinished. */
static void
timeout_failure(struct run *r, struct runner *rn)
{
	unsigned i, late = 0;
	int who = -1;

	for (i = 0; i < r->nworkers; i++) {
		if (r->sh->slot[i].done || r->sh->slot[i].planned)
			continue;
		late++;
		if (who < 0 || (r->sh->slot[i].injected && !r->sh->slot[who].injected))
			who = (int)i;
	}
	if (who < 0)
		return;		/* every worker finished; the last are leaving */
	if (late > 1)
		fail(r, rn, who, "and %u more did not finish by the deadline "
		    "(--timeout %lld)", late - 1, r->p->timeout);
	else
		fail(r, rn, who, "did not finish by the deadline (--timeout %lld)",
		    r->p->timeout);
}

/* Worker i died, or ended unfinished, on its own: the run fails. */
static void
died(struct run *r, struct runner *rn, unsigned i, const char *how)
{
	if (rn->deaths++ == 0 && rn->failure[0] == '\0')
		rn->culprit_died = 1;
	fail(r, rn, (int)i, "%s", how);
}

/* A termination signal arrived: stop every worker, and die of it once they are reaped. */
static void
on_signal(struct runner *rn, int sig)
{
	if (rn->signo == 0)
		rn->signo = sig;
	if (!rn->killed) {
		kill_all(rn);
		rn->limit = ipc_now_ns() + REAP_NS;
	}
}

/*
 * Judge worker i's end (st: its exit code, or 128+N by signal N).  A signal
 * it shares with the launcher is an interruption, not a failure.
 */
static void
judge(struct run *r, struct runner *rn, unsigned i, int st)
{
	static const struct timespec zero;
	const char *sig;
	char how[64];
	int pending;

	if (r->mode == MODE_PROCESS && st > 128 && sigismember(&term, st - 128) &&
	    (pending = sigtimedwait(&term, NULL, &zero)) > 0)
		on_signal(rn, pending);		/* sent before the worker died */
	if (rn->killed || rn->signo != 0 || r->sh->slot[i].planned)
		return;		/* ours, the user's, or the demo's own lesson */
	if (r->mode == MODE_PROCESS && st > 128) {
		sig = sigabbrev_np(st - 128);
		snprintf(how, sizeof(how), "killed by SIG%s", sig ? sig : "?");
	} else if (st != 0 && !ipc_expired(r->deadline))
		snprintf(how, sizeof(how), "exited with status %d", st);
	else if (!r->sh->slot[i].done && !run_stopped(r))
		strlcpy(how, r->mode == MODE_PROCESS ? "exited early, its work "
		    "unfinished" : "ended early", sizeof(how));
	else
		return;		/* done, or gave up with the run */
	died(r, rn, i, how);
}

/*
 * -t: the time is up the duration after the start barrier opened; tell the
 * workers then, and the watcher how far along it is on the way.  Returns when to
 * look again (ns), UINT64_MAX for never.
 */
static uint64_t
pace(struct run *r, struct runner *rn)
{
	uint64_t go, end, now;

	if (r->p->duration_ns == 0 || atomic_load(&r->sh->time_up))
		return UINT64_MAX;
	now = ipc_now_ns();
	if ((go = atomic_load(&r->sh->t_go)) == 0)
		return now + GO_POLL_NS;	/* not open yet */
	end = go + r->p->duration_ns;
	if (now >= end) {
		atomic_store(&r->sh->time_up, 1);
		return UINT64_MAX;
	}
	if (rn->watch == NULL || rn->watch->progress == NULL)
		return end;
	if (now >= rn->tick) {
		rn->watch->progress(r, now - go, rn->watch->arg);
		rn->shown = 1;
		rn->tick = now + PROGRESS_NS;
	}
	return rn->tick < end ? rn->tick : end;
}

/* The failure, and the lock its worker's death left behind (EOWNERDEAD). */
static void
failure_line(const struct run *r, const struct runner *rn, char *buf, size_t len)
{
	char more[96];

	strlcpy(buf, rn->failure, len);
	if (buf[0] == '\0' || atomic_load(&r->sh->owner_deaths) == 0)
		return;
	snprintf(more, sizeof(more), rn->deaths == 1 && rn->culprit_died ?
	    " holding the %s: EOWNERDEAD, recovered" :
	    "; the %s was taken from a dead owner (EOWNERDEAD)", r->sh->dead_lock);
	strlcat(buf, more, len);
}

/*
 * Past the limit: processes are killed (and must then be reaped in time);
 * threads, which cannot be, get a grace to leave, then the launcher exits.
 */
static void
limit_passed(struct run *r, struct runner *rn, uint64_t now)
{
	char line[NOTE_MAX + 64];

	if (r->mode == MODE_PROCESS) {
		if (rn->killed)
			errx(1, "%s: %u workers outlived SIGKILL", r->demo->name,
			    rn->sp.alive);
		timeout_failure(r, rn);
		kill_all(rn);
		rn->limit = now + REAP_NS;
	} else if (!rn->grace) {
		timeout_failure(r, rn);
		rn->limit = now + GRACE_NS;
		rn->grace = 1;
	} else {
		failure_line(r, rn, line, sizeof(line));
		errx(1, "%s: %s; %u thread workers still running: threads cannot "
		    "be killed, exiting", r->demo->name, line, rn->sp.alive);
	}
}

/* Wait for every worker: all ended, the limit passed, or a signal came. */
static void
supervise(struct run *r, struct runner *rn)
{
	uint64_t wake, now;
	int i, sig;

	while (rn->sp.alive > 0) {
		wake = pace(r, rn);
		i = spawn_wait(&rn->sp, wake < rn->limit ? wake : rn->limit, &caught,
		    &sig);
		if (i >= 0)
			judge(r, rn, (unsigned)i, rn->sp.status[i]);
		else if (i == SPAWN_SIGNAL)
			on_signal(rn, sig);
		else if ((now = ipc_now_ns()) >= rn->limit)
			limit_passed(r, rn, now);
	}
}

/* The workers, from the start barrier on; half-started, they are stopped and reaped. */
static void
start(struct run *r, struct runner *rn)
{
	int rc;

	if ((rc = spawn_start(&rn->sp, r->mode, r->nworkers, party, r,
	    &saved_mask)) == 0)
		return;
	poison(r);
	kill_all(rn);
	supervise(r, rn);
	errc(1, rc, "%s: %s: worker %u of %u", r->demo->name, r->mode ==
	    MODE_PROCESS ? "fork" : "pthread_create", rn->sp.started, r->nworkers);
}

/* Echo every demo option the result does not already carry. */
void
echo_params(const struct run *r, struct result *res)
{
	const struct optdef *o;
	int i, j;

	for (i = 0; (o = &r->demo->opts[i])->name != NULL; i++) {
		if (r->p->duration_ns != 0 && o->key == 'n')
			continue;	/* -t replaced the count */
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

/* The --jitter delays every worker slept, summed. */
static uint64_t
jitter_total(const struct run *r)
{
	uint64_t ns = 0;
	unsigned i;

	for (i = 0; i < r->nworkers; i++)
		ns += r->sh->slot[i].jitter_ns;
	return ns;
}

/* Sum the slots: wall time from the first start to the last end, and the OS's view. */
static void
result_timing(const struct run *r, const struct outcome *o, struct result *res)
{
	uint64_t t0 = UINT64_MAX, t1 = 0, wall = 0;
	int64_t vcsw = 0, ivcsw = 0, cpu = 0;
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
		cpu += s->cpu_ns;
	}
	if (t1 > t0)
		wall = t1 - t0;
	res_uint(res, "wall_ns", wall, F_TABLE | F_NS);
	res_dbl(res, "ops_per_sec", wall ? (double)o->ops * 1e9 / (double)wall : 0,
	    F_TABLE | F_RATE);
	res_int(res, "nvcsw", vcsw, F_TABLE);
	res_int(res, "nivcsw", ivcsw, F_TABLE);
	res_int(res, "cpu_ns", cpu, F_NS);
	res_uint(res, "launch_ns", t0 != UINT64_MAX && t0 > r->sh->t_launch ?
	    t0 - r->sh->t_launch : 0, F_NS);
}

/* The demo's check, then the failure line (the check may find a dead lock owner). */
static void
collect(const struct run *r, const struct runner *rn, char *failure,
    size_t len, struct result *res)
{
	struct result extra;
	struct outcome o;
	unsigned i, done = 0;
	int j;

	memset(&o, 0, sizeof(o));
	memset(&extra, 0, sizeof(extra));
	o.extra = &extra;
	r->demo->check(r, &o);
	failure_line(r, rn, failure, len);
	if (failure[0] == '\0' && turnstile_broken(r) != 0)
		snprintf(failure, len, "--schedule: step %u could not be taken "
		    "(its worker was blocked)", turnstile_broken(r));
	for (i = 0; i < r->nworkers; i++)
		done += r->sh->slot[i].done || r->sh->slot[i].planned;
	if (failure[0] != '\0' || done < r->nworkers) {
		o.verdict = VERDICT_FAIL;
		if (failure[0] != '\0')
			strlcpy(o.note, failure, sizeof(o.note));
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
	res_str(res, "mode", mode_name(r->mode), F_TABLE);
	res_uint(res, "workers", r->nworkers, F_PARAM);
	/* With -t each run did its own count: a column, not a parameter. */
	res_uint(res, "iterations", o.iterations, r->p->duration_ns != 0 ?
	    F_TABLE : F_PARAM);
	res_uint(res, "expected", o.expected, F_TABLE);
	res_uint(res, "observed", o.observed, F_TABLE);
	for (j = 0; j < extra.n; j++)
		if (res->n < MAX_FIELDS)
			res->f[res->n++] = extra.f[j];
	res_str(res, "verdict", verdict_name(o.verdict), F_TABLE);
	result_timing(r, &o, res);
	echo_params(r, res);
	if (r->p->duration_ns != 0)
		res_dbl(res, "duration_s", (double)r->p->duration_ns / 1e9, F_PARAM);
	res_uint(res, "timeout", (uint64_t)r->p->timeout, F_PARAM);
	res_uint(res, "seed", r->p->seed, F_PARAM);
	if (r->p->schedule != NULL)
		res_str(res, "schedule", schedule_text(r->p), F_PARAM);
	if (r->p->jitter_us != 0) {
		res_uint(res, "jitter_us", r->p->jitter_us, F_PARAM);
		res_uint(res, "jitter_ns", jitter_total(r), F_TABLE | F_NS);
	}
	trace_count(r, res);
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
	size_t hdr, state, sched;
	int rc;

	r->nworkers = r->demo->nworkers(r->p);
	hdr = align_line(sizeof(struct run_shared) + r->nworkers * sizeof(struct slot));
	state = align_line(r->demo->size(r));
	sched = r->p->schedule != NULL ? turnstile_size(r->nworkers,
	    r->p->schedule_len) : 0;
	if ((rc = ipc_region_create(&r->region, r->demo->name,
	    hdr + state + trace_size(r->p, r->nworkers) + sched)) != 0)
		errc(1, rc, "%s: shared memory region%s", r->demo->name, rc == EEXIST ?
		    " (its name is taken: another process made it; not opened)" : "");

	/* Workers inherit the mapping, so the name can go before any exists. */
	if ((rc = ipc_region_unlink(&r->region)) != 0)
		errc(1, rc, "%s: shm_unlink", r->demo->name);
	r->sh = r->region.base;
	r->state = (char *)r->region.base + hdr;
	r->deadline = &r->sh->deadline;
	r->sh->nworkers = r->nworkers;
	ipc_deadline(&r->sh->deadline, (uint64_t)r->p->timeout * IPC_NS_PER_S);
	trace_setup(r, trace_size(r->p, r->nworkers) ? (char *)r->state + state :
	    NULL);
	sched_names_clear();
	if (sched != 0)
		turnstile_init(r, (char *)r->state + state + trace_size(r->p,
		    r->nworkers));
	/* Hybrid: one futex wake releases every worker, none retakes a lock. */
	if ((rc = ipc_barrier_init(&r->sh->start, IPC_BARRIER_HYBRID,
	    r->nworkers + 1)) != 0)
		errc(1, rc, "%s: start barrier", r->demo->name);
	r->demo->setup(r);
	r->sh->t_launch = ipc_now_ns();
}

/* The launcher's own arrival opens the start barrier: spawning is not timed. */
static void
arrive(struct run *r, struct runner *rn)
{
	int rc = ipc_barrier_arrive(&r->sh->start, r->deadline);

	if (rc == IPC_BARRIER_SERIAL)	/* the last to arrive: it is open */
		atomic_store(&r->sh->t_go, ipc_now_ns());
	if (rc != 0 && rc != IPC_BARRIER_SERIAL && rc != ECANCELED)
		fail(r, rn, -1, "start barrier: %s", strerror(rc));
}

/* Unmap (and, after a clean run, destroy); die of the signal that stopped the run. */
static void
run_end(struct run *r, struct runner *rn)
{
	/* After a failure a dead waiter may sit in a condvar: unmap, never destroy. */
	if (rn->failure[0] == '\0' && rn->signo == 0) {
		if (r->demo->destroy != NULL)
			r->demo->destroy(r);
		ipc_barrier_destroy(&r->sh->start);
	}
	/* What our own process holds goes after every run, failed or not. */
	if (r->demo->release != NULL)
		r->demo->release(r);
	ipc_region_destroy(&r->region);
	spawn_free(&rn->sp);
	if (r->mode == MODE_PROCESS)
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	if (rn->signo != 0) {
		/* Die of the same signal, so the shell sees 128+N. */
		fflush(stdout);
		trace_abandon();
		signal(rn->signo, SIG_DFL);
		raise(rn->signo);
	}
}

static void
run_one(struct run *r, const struct run_watch *watch, struct result *res)
{
	char line[NOTE_MAX];
	struct runner rn;

	/* No signal between a name's creation and its unlink; processes keep them blocked. */
	memset(&rn, 0, sizeof(rn));
	sigprocmask(SIG_BLOCK, &caught, &saved_mask);
	prepare(r);
	rn.limit = ipc_ns_from_ts(r->deadline);
	rn.watch = watch;
	if (r->mode != MODE_COOP) {
		/* Threads share the launcher's mask: a signal ends it at once. */
		if (r->mode == MODE_THREAD)
			sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		start(r, &rn);
		arrive(r, &rn);
		supervise(r, &rn);
	} else {
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		if (coop_run(r, worker_main) == ENOMEM)
			errc(1, ENOMEM, "%s: coop tasks", r->demo->name);
	}

	if (rn.shown)		/* the report, or a failure, goes where it was */
		watch->progress(r, UINT64_MAX, watch->arg);

	/* All gone, and one unfinished with no failure seen: they gave up at the deadline. */
	if (rn.failure[0] == '\0' && rn.signo == 0)
		timeout_failure(r, &rn);
	collect(r, &rn, line, sizeof(line), res);
	if (line[0] != '\0' && rn.signo == 0)
		warnx("%s: %s", r->demo->name, line);
	if (watch != NULL && watch->after != NULL && rn.signo == 0)
		watch->after(r, res, watch->arg);
	run_end(r, &rn);
}

/*
 * One variant in one mode, the result in *res; nothing is printed but a
 * failure's line on stderr.  watch (or NULL) is shown the run as it goes.
 */
void
run_once(const struct params *p, int variant, enum mode mode,
    const struct run_watch *watch, struct result *res)
{
	static const struct run_hooks hooks = { NULL, NULL, trace_name, NULL };
	static const struct run_hooks sched_hooks = { NULL, NULL, sched_name,
	    turnstile_point };
	struct run r;

	run_launcher_only();
	memset(&r, 0, sizeof(r));
	r.demo = p->demo;
	r.hooks = p->schedule != NULL ? &sched_hooks : &hooks;
	r.p = p;
	r.variant = variant;
	r.mode = mode;
	run_one(&r, watch, res);
}

static double
ops_of(const struct result *r)
{
	const struct field *f = res_find(r, "ops_per_sec");

	return f != NULL ? f->v.d : 0;
}

static int
cmp_ops(const void *a, const void *b)
{
	double x = ops_of(a), y = ops_of(b);

	return x < y ? -1 : x > y;
}

/* The repeat count and the spread of ops/s over runs (sorted by ops/s), as fields. */
void
spread_fields(struct result *out, const struct result *runs, int repeat)
{
	res_uint(out, "repeats", (uint64_t)repeat, F_PARAM);
	res_dbl(out, "ops_per_sec_min", ops_of(&runs[0]), 0);
	res_dbl(out, "ops_per_sec_max", ops_of(&runs[repeat - 1]), 0);
}

/*
 * R runs of one variant in one mode (runs holds R results): the median run
 * by ops/s (the upper middle one for an even R), or the first failed run if
 * one failed; with R > 1, the repeat count and the min and max of ops/s.
 */
void
run_median(const struct params *p, int v, enum mode m, int repeat,
    const struct run_watch *watch, struct result *runs, struct result *out)
{
	int i;

	for (i = 0; i < repeat; i++)
		run_once(p, v, m, watch, &runs[i]);
	qsort(runs, (size_t)repeat, sizeof(*runs), cmp_ops);
	*out = runs[repeat / 2];
	for (i = repeat - 1; i >= 0; i--)
		if (runs[i].verdict == VERDICT_FAIL)
			*out = runs[i];
	if (repeat > 1)
		spread_fields(out, runs, repeat);
}

/*
 * The plan every command follows: each variant of the demo, in each asked
 * mode, thread then process then coop.  fn returns nonzero to stop; the
 * number of variants, or -1 if fn stopped the plan.
 */
int
run_plan(const struct params *p, plan_fn *fn, void *arg)
{
	int v, nv, m;

	nv = p->demo->variants != NULL ? p->demo->variants(p) : 1;
	for (v = 0; v < nv; v++)
		for (m = 0; m < 3; m++)
			if ((p->modes & run_modes[m]) && fn(p, v, run_modes[m], arg) != 0)
				return -1;
	return nv;
}

struct demo_runs {
	const struct run_watch	*watch;
	struct report		*rep;
	int			 repeat;
	struct result		*runs;		/* repeat of them */
	int			 status;
};

static int
demo_step(const struct params *p, int v, enum mode m, void *arg)
{
	struct demo_runs *d = arg;
	struct result res;

	run_median(p, v, m, d->repeat, d->watch, d->runs, &res);
	d->status |= res.verdict == VERDICT_FAIL;
	return report_add(d->rep, &res);
}

/* Every variant in every asked mode, each the median of repeat runs; 1 if any failed. */
int
run_demo(const struct params *p, const struct run_watch *watch, int repeat,
    struct report *rep)
{
	struct demo_runs d = { watch, rep, repeat, NULL, 0 };

	if ((d.runs = calloc((size_t)repeat, sizeof(*d.runs))) == NULL)
		err(1, "%s", p->demo->name);
	run_plan(p, demo_step, &d);
	free(d.runs);
	return d.status;
}
