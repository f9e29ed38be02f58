/*
 * worker.h - what a demo is: one descriptor, run the same way as threads or
 * as processes over one shared-memory region.
 *
 * A demo declares its options (bounds, defaults, keywords), how many workers
 * and how much shared state it needs, what each worker does, and how to check
 * the result.  The launcher does the rest: parsing, the region, the start
 * barrier, timing, supervision and reporting.  See registry.c, launcher/run.c.
 */
#ifndef WORKERS_WORKER_H
#define WORKERS_WORKER_H

#include <sys/types.h>

#include <semaphore.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../ipc/barrier.h"
#include "../ipc/compat.h"
#include "../ipc/region.h"
#include "../ipc/trace.h"
#include "result.h"

#define MAX_WORKERS	4096		/* the cap on workers in every demo */
#define MAX_OPTS	12		/* options per demo */
#define MAX_INJECT	8		/* --inject faults per command */
#define INJECT_STATUS	3		/* the exit status of an injected exit */
#define CACHE_LINE	64

/* What --inject makes a worker do (see fault.c). */
enum inject_action {
	INJECT_KILL,		/* SIGKILL itself; a thread ends at once */
	INJECT_ABORT,		/* abort(): in thread mode the whole program */
	INJECT_EXIT,		/* _exit(INJECT_STATUS); a thread ends at once */
	INJECT_STALL,		/* sleep until the deadline, then leave */
};

/* One --inject fault: worker `worker` fails on reaching iteration `iter`. */
struct inject {
	enum inject_action	 action;
	unsigned		 worker;
	uint64_t		 iter;
};

/* One option of a demo: a number within bounds, a keyword, or a flag. */
struct optdef {
	const char		*name;		/* --name, and the field name */
	int			 key;		/* short option letter, or 0 */
	const char		*arg;		/* "N" in --help; NULL: a flag */
	long long		 min, max, def;
	const char *const	*choices;	/* keywords; the value is the index */
	const char		*help;
};

struct params {
	const struct worker	*demo;
	long long		 v[MAX_OPTS];	/* by index into demo->opts */
	unsigned		 modes;		/* enum mode bits */
	long long		 timeout;	/* seconds, per run */
	uint64_t		 duration_ns;	/* -t: run this long; 0: a count */
	unsigned		 ninject;
	struct inject		 inject[MAX_INJECT];
	int			 tracing;	/* record events (--trace, --timeline) */
	uint64_t		 seed;		/* --seed, or one drawn at random */
	unsigned		 jitter_us;	/* --jitter: the longest injected delay */
	int			 perturb;	/* --inject or --jitter: inject_point acts */
	int			 story;		/* --story: narrate, for people */
	const uint16_t		*schedule;	/* --schedule: the worker of each step */
	unsigned		 schedule_len;
};

/* Per-worker shared slot, one cache line apart so workers never false-share. */
struct slot {
	alignas(CACHE_LINE) uint64_t t_start;	/* ns, after the start barrier */
	uint64_t		 t_end;
	int32_t			 nvcsw;		/* during the work only */
	int32_t			 nivcsw;	/* (32 bits: the slot stays one line) */
	int64_t			 cpu_ns;	/* CPU time of the work */
	atomic_int		 planned;	/* the demo kills this worker on purpose */
	int			 done;
	pid_t			 tid;		/* thread id (the pid, in process mode) */
	int			 injected;	/* 1 + which --inject fault fired */
	uint64_t		 jitter_ns;	/* the --jitter delays it slept */
	uint64_t		 iters;		/* iterations done, with -t */
};

/* The head of every run's region; the demo's state follows. */
struct run_shared {
	struct ipc_barrier	 start;		/* workers + the launcher */
	struct timespec		 deadline;	/* CLOCK_MONOTONIC, for every wait */
	atomic_int		 stop;		/* the launcher gave up on the run */
	unsigned		 nworkers;
	atomic_uint		 owner_deaths;	/* robust locks taken from a dead owner */
	char			 dead_lock[32];	/* the first of them, as the demo names it */
	uint64_t		 t_launch;	/* ns, before the first worker starts */
	_Atomic uint64_t	 t_go;		/* ns, when the start barrier opened */
	atomic_int		 time_up;	/* -t: the duration is over */
	atomic_uint		 running;	/* workers through the start barrier */
	struct slot		 slot[];
};

/*
 * What the launcher lends a run, so that workers/ never calls up into it:
 * how a coop task yields and ends, and how the trace names an object.
 */
struct run;

struct run_hooks {
	void			 (*yield)(void);
	void			 (*exit)(void);		/* does not return */
	void			 (*name)(const struct run *, const volatile void *,
				    const char *);
	void			 (*point)(const struct run *, unsigned, int,
				    const volatile void *, uint64_t);	/* sched.h */
};

struct run {
	const struct worker	*demo;
	const struct run_hooks	*hooks;
	const struct params	*p;
	int			 variant;	/* which of demo->variants() */
	enum mode		 mode;		/* MODE_THREAD or MODE_PROCESS */
	unsigned		 nworkers;
	struct ipc_region	 region;
	struct run_shared	*sh;
	void			*state;		/* the demo's, in the region */
	void			*priv;		/* the demo's, private, inherited */
	const struct timespec	*deadline;	/* &sh->deadline */
	void			*trace;		/* the workers' trace buffers, or NULL */
	size_t			 trace_stride;
	void			*sched;		/* scheduled at its points, or NULL */
	int			 sched_end;	/* SCHED_DONE or SCHED_DEADLOCK: an explored end */
};

#include "sched.h"


/* What a demo's check found; the launcher adds timing and parameters. */
struct outcome {
	const char		*sync;		/* the guard or primitive used */
	uint64_t		 iterations;	/* per worker (or per producer) */
	uint64_t		 expected;
	uint64_t		 observed;
	uint64_t		 ops;		/* operations, for ops_per_sec */
	enum verdict		 verdict;
	char			 note[NOTE_MAX];	/* one phrase for people */
	char			 label[24];	/* --explore's name for this end; default: observed */
	struct result		*extra;		/* the demo's own fields */
};

/* What a demo declares it supports, beyond threads and processes. */
#define CAP_COOP	0x1		/* --mode coop: tasks that yield */
#define CAP_TIMED	0x2		/* -t SECONDS instead of a count */
#define CAP_SCHED	0x4		/* scheduling points: --explore, --schedule, --step */
#define CAP_MPI		0x8		/* -m mpi: a form over MPI ranks (.mpi) */

/*
 * A demo's form over MPI ranks (workers/mpi.h): its options, read instead of
 * the demo's with -m mpi, its variants and the lesson it adds to explain.
 * Its body is linked into shmsync-mpi only (make mpi); shmsync never calls
 * MPI, so there run is NULL.
 */
struct mpi_job;

struct mpi_form {
	const struct optdef	*opts;		/* ends with .name == NULL */
	const char		*proves;	/* what every MPI run checks */
	const char		*explain;	/* appended to the demo's lesson */
	unsigned		 (*ranks)(const struct params *);
	int			 (*variants)(const struct params *);
	const char		*(*validate)(const struct params *);
	void			 (*run)(struct mpi_job *);
	/* -m thread,process,mpi: a keyword of the demo's that maps onto one of
	 * another name here, as { option, demo's, form's } triples, NULL-ended;
	 * the same name in both tables maps without one (launcher/mixed.c). */
	const char *const	*twins;
};

/*
 * A demo.  The launcher parses its options, calls validate, then for each
 * variant and mode: size and setup (a fresh region), work in every worker,
 * check; story (people's table only); release, always, then destroy after
 * a clean run only (a dead waiter may sit in a shared condvar otherwise).
 * release frees what the launcher's process owns (private memory, semaphore
 * mappings, descriptors); destroy, the shared objects in the region.
 */
struct worker {
	const char		*name;
	const char		*desc;		/* one line, for `shmsync list` */
	const char		*proves;	/* what every run checks */
	const char		*explain;	/* `shmsync explain`: the lesson */
	unsigned		 caps;		/* CAP_* bits: what it supports */
	const struct mpi_form	*mpi;		/* with CAP_MPI: its MPI form */
	const struct optdef	*opts;		/* ends with .name == NULL */
	const char		*(*validate)(const struct params *);
	int			 (*variants)(const struct params *);
	unsigned		 (*nworkers)(const struct params *);
	size_t			 (*size)(const struct run *);
	void			 (*setup)(struct run *);
	void			 (*work)(struct run *, unsigned);
	void			 (*poison)(struct run *);
	void			 (*check)(const struct run *, struct outcome *);
	void			 (*story)(const struct run *, FILE *);
	void			 (*release)(struct run *);
	void			 (*destroy)(struct run *);
	/* CAP_SCHED: what of the shared state decides the rest, as bytes (the
	 * explorer's key; NULL: all of it), and the same for people. */
	size_t			 (*sched_state)(const struct run *, void *, size_t);
	void			 (*sched_show)(const struct run *, char *, size_t);
};

/* Every demo's descriptor, one per line of workers.def. */
#define WORKER(n)	extern const struct worker worker_##n;
#include "workers.def"
#undef WORKER

extern const struct worker *const workers[];	/* registry.c */
extern const enum mode run_modes[3];		/* thread, process, coop: the run order */

const struct worker	*worker_find(const char *);
void			 worker_yield(const struct run *);
void			 coop_sleep(const struct run *, uint64_t);
int			 worker_opt(const struct worker *, const char *);
void			 run_name(const struct run *, const volatile void *,
			    const char *);

/*
 * Helpers for demos (fault.c): the median of n samples (sorted in place), a
 * running maximum, the iterations some workers did (their slots' iters).
 */
uint64_t	sorted_median(uint64_t *, size_t);
uint64_t	seed_mix(uint64_t, uint64_t, uint64_t);
uint32_t	fnv1a(uint32_t, const char *);
void		atomic_max_uint(atomic_uint *, unsigned);
uint64_t	iters_done(const struct run *, unsigned, unsigned);

/* fault.c: what every demo shares for failing well. */
void		 inject_fire(const struct run *, unsigned, uint64_t);
int		 run_stopped(const struct run *);
void		 release_sem(struct run *);
__dead void	 worker_quit(const struct run *, int);
__dead void	 worker_errc(const struct run *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
int		 worker_mutex_lock(const struct run *, pthread_mutex_t *,
		    const char *);
int		 sched_wait(const struct run *, unsigned, const volatile void *);
int		 sched_mutex_lock(const struct run *, unsigned, pthread_mutex_t *,
		    const char *);
int		 sched_mutex_unlock(const struct run *, unsigned, pthread_mutex_t *);
int		 sched_sem_wait(const struct run *, unsigned, sem_t *);
int		 sched_sem_post(const struct run *, unsigned, sem_t *);

/*
 * Where a demo lets --inject strike and --jitter pause: worker id at
 * iteration iter, inside the critical section where there is one.  Without
 * either it costs one predictable branch.
 */
static inline void
inject_point(const struct run *r, unsigned id, uint64_t iter)
{
	if (__builtin_expect(r->p->perturb, 0))
		inject_fire(r, id, iter);
}

/*
 * Whether a worker goes on to iteration i: i < n, or with -t until the
 * launcher says the time is up (one relaxed load, no clock call).
 */
static inline int
run_more(const struct run *r, uint64_t i, uint64_t n)
{
	if (r->p->duration_ns == 0)
		return i < n;
	return !atomic_load_explicit(&r->sh->time_up, memory_order_relaxed);
}

/* The usual first two options of a demo: -w workers, -n iterations. */
#define OPT_WORKERS(def) { "workers", 'w', "N", 1, MAX_WORKERS, (def), NULL, \
	"worker threads or processes" }
#define OPT_ITERATIONS(def) { "iterations", 'n', "N", 1, LLONG_MAX, (def), NULL, \
	"iterations per worker" }

#endif /* WORKERS_WORKER_H */
