/*
 * sweep.h - `shmsync sweep`: one demo over a grid of worker counts.
 */
#ifndef LAUNCHER_SWEEP_H
#define LAUNCHER_SWEEP_H

#include "run.h"

#define SWEEP_MAX	32	/* worker counts in one grid */

struct sweep {
	long long	 workers[SWEEP_MAX];
	unsigned	 n;
	int		 repeat;
	int		 chart;
	const char	*plot;		/* an SVG file, or NULL */
};

const char	*sweep_take(int *, char ***, struct sweep *);
const char	*sweep_check(const struct params *, const struct sweep *);
int		 run_sweep(const struct params *, const struct sweep *, struct report *);

#endif /* LAUNCHER_SWEEP_H */
