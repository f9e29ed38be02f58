/*
 * explore.h - scheduled runs: --explore (every schedule, counted), and
 * the checks of --schedule before anything is created.  See explore.c.
 */
#ifndef LAUNCHER_EXPLORE_H
#define LAUNCHER_EXPLORE_H

#include "report.h"

int	explore_demo(const struct params *, struct report *);
double	explore_bound(const struct params *);
const char *schedule_check(const struct params *);
const char *schedule_text(const struct params *);
int	step_demo(const struct params *, struct report *);

/* Past this many schedules (a bound), --explore refuses: 4 x 3 has 2.3e12. */
#define EXPLORE_LIMIT	1e12
#define EXPLORE_STEPS	2000	/* steps in one run */
#define EXPLORE_STATES	20000000	/* distinct states: ~500 MB */

#endif /* LAUNCHER_EXPLORE_H */
