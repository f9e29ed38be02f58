/*
 * bench.h - `shmsync bench`: a matrix of measured cases, each run R times
 * with its invariant checked, reported as median, min and max; the bare
 * loops and the baselines (pipe, POSIX mq, socketpair) it compares with.
 * Every row is a struct result, rendered by launcher/report.c.  See bench.c
 * (the matrix), rows.c (rows as results, the tables), targets.c, bare.c.
 */
#ifndef LAUNCHER_BENCH_H
#define LAUNCHER_BENCH_H

#include <stdio.h>

#include "../cli.h"

#define BENCH_MAXW	16		/* entries in --workers */
#define BENCH_MAXR	101		/* --repeat */

/* Groups of rows: the matrix's (for --only: bit 1 << group) and the targets. */
enum bgroup {
	BG_COUNTER, BG_LOCKS, BG_QUEUE, BG_BARRIER, BG_PINGPONG, BG_SPAWN, BG_FALSESHARE,
	BG_TRACE, BG_TARGET, NBGROUP
};
#define G_COUNTER	(1u << BG_COUNTER)
#define G_LOCKS		(1u << BG_LOCKS)
#define G_QUEUE		(1u << BG_QUEUE)
#define G_BARRIER	(1u << BG_BARRIER)
#define G_SPAWN		(1u << BG_SPAWN)
#define G_ALL		((1u << BG_TARGET) - 1)

extern const char *const bench_group[NBGROUP + 1];	/* names, NULL-ended */

/* What a row is about: its group, its case, the parameters (0: does not apply). */
struct bkey {
	enum bgroup	 group;
	const char	*name;		/* guard, queue kind, baseline, target */
	const char	*impl;		/* shmsync, bare, baseline */
	const char	*mode;		/* thread, process */
	unsigned	 workers, producers, consumers;
	unsigned	 item_size, batch, capacity;
	const char	*unit;		/* ops/s, items/s, rounds/s, ns/rtt, ns/acq, ns/worker, x */
};

/* What R runs of a case measured; status ok or fail, for targets held, missed, n/a. */
struct bstat {
	uint64_t	 iterations;	/* per worker (per producer, rounds, ...); 0: none */
	unsigned	 repeat;	/* 0: none */
	double		 median, min, max;
	const char	*status;
	const char	*note;
};

struct bench {
	unsigned	 repeat;
	unsigned	 workers[BENCH_MAXW];
	int		 nworkers;
	int		 quick;
	unsigned	 groups;
	enum format	 format;
	FILE		*csv;		/* --csv FILE, or NULL */
	uint64_t	 run_ns;	/* the length one measured run aims at */
	unsigned	 spawn_max;
	long long	 timeout;	/* seconds, per run */
	struct result	*rows;		/* every row so far, in order */
	int		 nrows, cap;
	int		 failed;	/* a run broke its invariant */
};

/* One case: its key, and how to run it once with n iterations. */
struct bcase {
	struct bkey	 key;
	uint64_t	 iterations;	/* calibrated */
	uint64_t	 timed_ns;	/* the timed part of the last run; 0: all of it */
	char		 note[NOTE_MAX];
	int		(*run)(struct bench *, struct bcase *, uint64_t, double *);
	uint64_t	 n0;		/* calibration starts here */
	uint64_t	 nmax;
	int		 fixed;		/* n0 is the size: no calibration */
	int		 iter_opt;	/* the demo's option that n sets (bench.c) */
	int		 kind;		/* the case's own selector */
	enum mode	 mode;
	struct params	 p;		/* demo cases */
};

/* bench.c */
const char	*bench_names(void);

/* rows.c */
void	bench_row(struct bench *, const struct bkey *, const struct bstat *);
void	bench_tables(struct bench *);
void	bench_machine(FILE *, const char *);

/* targets.c */
void	bench_targets(struct bench *);

/* bare.c: 0 if the invariant held, -1 (and a note) if not. */
enum bare_chan { CH_PIPE, CH_MQ, CH_SOCKET, CH_RING, CH_IPCRING };
enum bare_pp { PP_SEM, PP_FUTEX, PP_SPIN };

int	bare_counter(int, enum mode, unsigned, uint64_t, const struct timespec *,
	    double *, char *, size_t);
int	bare_channel(enum bare_chan, unsigned, unsigned, size_t, uint64_t,
	    const struct timespec *, double *, char *, size_t);
int	bare_pingpong(enum bare_pp, enum mode, uint64_t, const struct timespec *,
	    double *, char *, size_t);
int	bare_ring(int, uint64_t, const struct timespec *, double *, char *,
	    size_t);
int	bare_barrier(int, enum mode, unsigned, uint64_t, const struct timespec *,
	    double *, char *, size_t);
int	bare_spawn(enum mode, unsigned, const struct timespec *, double *,
	    char *, size_t);

extern const struct optdef bench_opts[];

#endif /* LAUNCHER_BENCH_H */
