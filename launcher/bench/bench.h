/*
 * bench.h - `shmsync bench`: a matrix of measured cases, each run R times
 * with its invariant checked, reported as median, min and max; the bare
 * loops and the baselines (pipe, POSIX mq, socketpair) it compares with.
 * See bench.c (the matrix), benchout.c (rows, tables, targets), bare.c.
 */
#ifndef LAUNCHER_BENCH_H
#define LAUNCHER_BENCH_H

#include <stdio.h>

#include "../cli.h"

#define BENCH_MAXW	16		/* entries in --workers */
#define BENCH_MAXR	101		/* --repeat */

/* Groups of the matrix, for --only. */
enum {
	G_COUNTER = 1 << 0,
	G_QUEUE = 1 << 1,
	G_BARRIER = 1 << 2,
	G_PINGPONG = 1 << 3,
	G_SPAWN = 1 << 4,
	G_FALSESHARE = 1 << 5,
	G_TRACE = 1 << 6,
	G_ALL = (1 << 7) - 1,
};

/* One line of the report: a case's parameters and what R runs measured. */
struct row {
	const char	*group;		/* counter, queue, ... target */
	char		 name[48];	/* guard, queue kind, baseline, target */
	const char	*impl;		/* shmsync, bare, baseline */
	const char	*mode;		/* thread, process */
	unsigned	 workers, producers, consumers;
	unsigned	 item_size, batch, capacity;
	uint64_t	 iterations;	/* per worker (per producer, rounds, ...) */
	unsigned	 repeat;
	const char	*unit;		/* ops/s, items/s, rounds/s, ns/rtt, ns/worker, x */
	double		 median, min, max;
	const char	*status;	/* ok, fail; for targets held, missed, n/a */
	char		 note[160];
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
	struct row	*rows;
	int		 nrows, cap;
	int		 failed;	/* a run broke its invariant */
	int		 csv_header;
};

/* One case: its row, and how to run it once with n iterations. */
struct bcase {
	struct row	 row;
	int		(*run)(struct bench *, struct bcase *, uint64_t, double *);
	uint64_t	 n0;		/* calibration starts here */
	uint64_t	 nmax;
	int		 fixed;		/* n0 is the size: no calibration */
	const char	*iter_opt;	/* the demo's option that n sets */
	int		 kind;		/* the case's own selector */
	enum mode	 mode;
	struct params	 p;		/* demo cases */
};

/* benchout.c */
void	bench_emit(struct bench *, const struct row *);
void	bench_tables(struct bench *);
void	bench_targets(struct bench *);
void	bench_machine(FILE *, const char *);

/* bare.c: 0 if the invariant held, -1 (and a note) if not. */
enum bare_chan { CH_PIPE, CH_MQ, CH_SOCKET };
enum bare_pp { PP_SEM, PP_FUTEX, PP_SPIN };

int	bare_counter(int, enum mode, unsigned, uint64_t, const struct timespec *,
	    double *, char *, size_t);
int	bare_channel(enum bare_chan, unsigned, unsigned, size_t, uint64_t,
	    const struct timespec *, double *, char *, size_t);
int	bare_pingpong(enum bare_pp, enum mode, uint64_t, const struct timespec *,
	    double *, char *, size_t);
int	bare_spawn(enum mode, unsigned, const struct timespec *, double *,
	    char *, size_t);

extern const struct optdef bench_opts[];

#endif /* LAUNCHER_BENCH_H */
