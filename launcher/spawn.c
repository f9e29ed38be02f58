/*
 * spawn.c - start N parties as threads or forked processes, and reap them
 * by a deadline.
 *
 * A forked party dies with its spawner (PR_SET_PDEATHSIG, then a check that
 * the spawner did not die first), gets the spawner's signal mask back, and
 * always ends in _exit: no path out of a child reaches the caller's code.
 * Every wait ends at an absolute CLOCK_MONOTONIC time.  See spawn.h.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ipc/compat.h"
#include "../ipc/ipc.h"
#include "spawn.h"

#define SPAWN_REAP_NS	5000000000ull	/* SIGKILLed parties' time to be reaped */

static void
thread_ended(void *arg)
{
	struct spawn_thread *t = arg;

	atomic_store(&t->gone, 1);
	sem_post(&t->sp->ended);
}

static void *
thread_main(void *arg)
{
	struct spawn_thread *t = arg;

	pthread_cleanup_push(thread_ended, t);
	t->rc = t->sp->fn(t->sp->arg, t->id);
	pthread_cleanup_pop(1);
	return NULL;
}

/* The spawner's signal handlers (the trace's cleanup) are not the party's: defaults. */
static void
default_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction old;
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL)
			signal(sigs[i], SIG_DFL);
}

/* A forked party: die with the spawner, get the signals back, end with _exit. */
static __dead void
child_main(struct spawn *sp, unsigned id)
{
	int rc;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != sp->self)
		_exit(1);
	default_handlers();
	sigprocmask(SIG_SETMASK, &sp->mask, NULL);
	rc = sp->fn(sp->arg, id);
	_exit(rc >= 0 && rc <= 255 ? rc : 255);
}

static int
start_threads(struct spawn *sp)
{
	pthread_attr_t a;
	int rc;

	if (sem_init(&sp->ended, 0, 0) == -1)
		return errno;
	if ((rc = pthread_attr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_attr_setstacksize(&a, SPAWN_STACK)) != 0)
		goto out;
	for (; sp->started < sp->n; sp->started++, sp->alive++) {
		sp->t[sp->started] = (struct spawn_thread){ sp, sp->started, 0, 0, 0 };
		if ((rc = pthread_create(&sp->tid[sp->started], &a, thread_main,
		    &sp->t[sp->started])) != 0)
			break;
	}
out:
	pthread_attr_destroy(&a);
	return rc;
}

static int
start_processes(struct spawn *sp)
{
	pid_t pid;

	fflush(NULL);
	for (; sp->started < sp->n; sp->started++, sp->alive++) {
		if ((pid = fork()) == -1)
			return errno;
		if (pid == 0)
			child_main(sp, sp->started);
		sp->pid[sp->started] = pid;
	}
	return 0;
}

/*
 * Start n parties running fn(arg, id); a forked one restores mask (NULL:
 * the caller's).  0, or the error that stopped it: the parties started
 * (sp->started of them) are running, and the caller stops and reaps them.
 */
int
spawn_start(struct spawn *sp, enum mode mode, unsigned n, spawn_fn *fn,
    void *arg, const sigset_t *mask)
{
	size_t i;

	memset(sp, 0, sizeof(*sp));
	sp->mode = mode;
	sp->n = n;
	sp->fn = fn;
	sp->arg = arg;
	sp->self = getpid();
	if (mask != NULL)
		sp->mask = *mask;
	else
		sigprocmask(SIG_SETMASK, NULL, &sp->mask);
	if ((sp->status = malloc(n * sizeof(*sp->status))) == NULL ||
	    (mode == MODE_PROCESS && (sp->pid = calloc(n, sizeof(*sp->pid))) == NULL) ||
	    (mode != MODE_PROCESS && ((sp->tid = calloc(n, sizeof(*sp->tid))) == NULL ||
	    (sp->t = calloc(n, sizeof(*sp->t))) == NULL)))
		return ENOMEM;
	for (i = 0; i < n; i++)
		sp->status[i] = -1;
	return mode == MODE_PROCESS ? start_processes(sp) : start_threads(sp);
}

/* A process party that waitpid has for us: its index, or -1 (none, or not ours). */
static int
reap_one(struct spawn *sp)
{
	unsigned i, k;
	pid_t pid;
	int st;

	if ((pid = waitpid(-1, &st, WNOHANG)) <= 0)
		return -1;
	/* Oldest zombie first, and parties mostly end in fork order: O(1), not O(N). */
	for (k = 0, i = sp->hint; k < sp->started && sp->pid[i] != pid; k++)
		i = i + 1 < sp->started ? i + 1 : 0;
	if (k == sp->started)
		return -1;
	sp->hint = i;
	sp->pid[i] = -pid;
	sp->status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	sp->alive--;
	return (int)i;
}

/* A thread party that has ended, joined: its index, or -1. */
static int
join_one(struct spawn *sp)
{
	unsigned i;

	for (i = 0; i < sp->started; i++) {
		if (sp->t[i].joined || !atomic_load(&sp->t[i].gone))
			continue;
		pthread_join(sp->tid[i], NULL);
		sp->t[i].joined = 1;
		sp->status[i] = sp->t[i].rc;
		sp->alive--;
		return (int)i;
	}
	return -1;
}

/*
 * Wait for a party to end, until the absolute time until (ns, monotonic):
 * its index (sp->status[i] says how it ended), SPAWN_TIMEOUT, or, process
 * mode only, SPAWN_SIGNAL with *signo when a signal of sigs arrived (they
 * must be blocked, SIGCHLD too).
 */
int
spawn_wait(struct spawn *sp, uint64_t until, const sigset_t *sigs, int *signo)
{
	struct timespec ts;
	uint64_t now;
	int i, sig;

	for (;;) {
		if ((i = sp->mode == MODE_PROCESS ? reap_one(sp) : join_one(sp)) >= 0)
			return i;
		if ((now = ipc_now_ns()) >= until)
			return SPAWN_TIMEOUT;
		if (sp->mode != MODE_PROCESS) {
			ts = ipc_ts_from_ns(until);
			if (sem_clockwait(&sp->ended, CLOCK_MONOTONIC, &ts) == -1 &&
			    errno == ETIMEDOUT)
				return SPAWN_TIMEOUT;
			continue;
		}
		ts = ipc_ts_from_ns(until - now);
		sig = sigtimedwait(sigs, NULL, &ts);
		if (sig > 0 && sig != SIGCHLD) {
			*signo = sig;
			return SPAWN_SIGNAL;
		}
	}
}

/* SIGKILL every process party still alive (threads cannot be killed). */
void
spawn_kill(struct spawn *sp)
{
	unsigned i;

	for (i = 0; sp->mode == MODE_PROCESS && i < sp->started; i++)
		if (sp->pid[i] > 0)
			kill(sp->pid[i], SIGKILL);
	sp->killed = 1;
}

/*
 * Reap every party by the absolute time deadline (ns); past it, SIGKILL the
 * process parties left and reap them.  The first nonzero status, 0, or
 * ETIMEDOUT if threads outlived the deadline (they cannot be killed).
 */
int
spawn_reap_all(struct spawn *sp, uint64_t deadline)
{
	sigset_t chld, saved;
	unsigned i;
	int first = 0, sig;

	/* SIGCHLD blocked, so that sigtimedwait wakes when a party ends. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &saved);
	while (sp->alive > 0 && first == 0) {
		if (spawn_wait(sp, deadline, &chld, &sig) >= 0)
			continue;
		if (sp->mode != MODE_PROCESS || sp->killed)
			first = ETIMEDOUT;
		spawn_kill(sp);
		deadline = ipc_now_ns() + SPAWN_REAP_NS;
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (first != 0)
		return first;
	for (i = 0; i < sp->started && first == 0; i++)
		first = sp->status[i];
	return first;
}

void
spawn_free(struct spawn *sp)
{
	if (sp->mode != MODE_PROCESS && sp->t != NULL)
		sem_destroy(&sp->ended);
	free(sp->status);
	free(sp->pid);
	free(sp->tid);
	free(sp->t);
	sp->status = NULL;
	sp->pid = NULL;
	sp->tid = NULL;
	sp->t = NULL;
}
