/*
 * sweep.h - `shmsync sweep`: one demo over a grid of worker counts, and the
 * gnuplot SVG of it (plot.c).
 */
#ifndef LAUNCHER_SWEEP_H
#define LAUNCHER_SWEEP_H

#include "run.h"

#define SWEEP_MAX	32	/* worker counts in one grid */
#define SERIES_LEN	48	/* "mutex process", a plot's line */

struct sweep {
	long long	 workers[SWEEP_MAX];
	unsigned	 n;
	int		 repeat;
	int		 chart;
	const char	*plot;		/* an SVG file, or NULL */
};

/* One point of a plot: x workers, y ops/s, on the line named series. */
struct point {
	double		 x, y;
	char		 series[SERIES_LEN];
};

extern const struct optdef sweep_opts[];	/* common.c */

const char	*sweep_grid(const char *, struct sweep *);
const char	*sweep_check(const struct params *, const struct sweep *);
int		 run_sweep(const struct params *, const struct sweep *,
		    const struct view *, struct report *);
const char	*plot_which(void);
int		 plot_svg(const char *, const char *, const struct point *, int,
		    long long);

#endif /* LAUNCHER_SWEEP_H */
