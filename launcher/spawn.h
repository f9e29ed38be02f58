/*
 * spawn.h - the one spawner: start N parties as threads or as forked
 * processes, and reap them by a deadline.  The run engine (run.c), the
 * bench's bare baselines (bare.c) and the tests all start their parties
 * here; the parties gate themselves (a barrier in their shared memory).
 */
#ifndef LAUNCHER_SPAWN_H
#define LAUNCHER_SPAWN_H

#include <sys/types.h>

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../workers/result.h"

#define SPAWN_STACK	(256 * 1024)	/* a thread party's stack */
#define SPAWN_TIMEOUT	(-1)		/* spawn_wait: the time came first */
#define SPAWN_SIGNAL	(-2)		/* spawn_wait: a signal of sigs came */

/* A party's body: 0, or the code a forked party exits with (0..255). */
typedef int spawn_fn(void *, unsigned);

struct spawn_thread {
	struct spawn	*sp;
	unsigned	 id;
	int		 rc;
	atomic_int	 gone;		/* set as the thread ends, however */
	int		 joined;
};

struct spawn {
	enum mode		 mode;		/* MODE_THREAD or MODE_PROCESS */
	unsigned		 n, started, alive;
	spawn_fn		*fn;
	void			*arg;
	pid_t			 self;		/* the spawner; children check it */
	pid_t			*pid;		/* process mode; -pid once reaped */
	pthread_t		*tid;
	struct spawn_thread	*t;
	sem_t			 ended;		/* threads post it as they end */
	int			*status;	/* exit code, 128+N by signal N; -1 alive */
	unsigned		 hint;		/* where the last reaped pid was */
	int			 killed;	/* spawn_kill was called */
	sigset_t		 mask;		/* what a forked party restores */
};

int	spawn_start(struct spawn *, enum mode, unsigned, spawn_fn *, void *,
	    const sigset_t *);
int	spawn_wait(struct spawn *, uint64_t, const sigset_t *, int *);
void	spawn_kill(struct spawn *);
int	spawn_reap_all(struct spawn *, uint64_t);
void	spawn_free(struct spawn *);

#endif /* LAUNCHER_SPAWN_H */
