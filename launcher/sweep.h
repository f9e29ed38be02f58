/*
 * sweep.h - `shmsync sweep`: one demo over a grid of worker counts, and the
 * gnuplot SVG of it (plot.c).
 */
#ifndef LAUNCHER_SWEEP_H
#define LAUNCHER_SWEEP_H

#include "run.h"

#define SWEEP_MAX	32	/* worker counts in one grid */
#define SERIES_LEN	32	/* "mutex", a plot's line */

struct sweep {
	long long	 workers[SWEEP_MAX];
	unsigned	 n;
	int		 repeat;
	int		 chart;
	const char	*plot;		/* an SVG file, or NULL */
};

/* One point of a plot: x workers, y the median ops/s, lo..hi its range. */
struct point {
	double		 x, y, lo, hi;
	int		 racing;	/* a wrong count: not a speed to compare */
	char		 guard[SERIES_LEN];	/* the line: its colour */
	char		 mode[16];	/* the panel */
};

extern const struct optdef sweep_opts[];	/* common.c */

const char	*sweep_grid(const char *, struct sweep *);
const char	*sweep_check(const struct params *, const struct sweep *);
int		 run_sweep(const struct params *, const struct sweep *,
		    const struct view *, struct report *);
const char	*plot_which(void);
int		 plot_file(const char *, const char *, const struct point *, int,
		    int, long long);

#endif /* LAUNCHER_SWEEP_H */
