/*
 * run.h - run a demo's variants in the chosen modes and report each run;
 * clean up the names a dead launcher left (clean.c).
 */
#ifndef LAUNCHER_RUN_H
#define LAUNCHER_RUN_H

#include "report.h"

/*
 * Who is shown a run as it goes: progress (-t; elapsed ns, UINT64_MAX when
 * it is over) and, after the check, the run itself (the trace, the timeline,
 * a demo's story), before its region goes.
 */
struct run_watch {
	void	(*progress)(const struct run *, uint64_t, void *);
	void	(*after)(const struct run *, const struct result *, void *);
	void	 *arg;
};

typedef int plan_fn(const struct params *, int, enum mode, void *);

int	run_plan(const struct params *, plan_fn *, void *);
int	run_demo(const struct params *, const struct run_watch *, int,
	    struct report *);
void	run_median(const struct params *, int, enum mode, int,
	    const struct run_watch *, struct result *, struct result *);
void	spread_fields(struct result *, const struct result *, int);
void	run_once(const struct params *, int, enum mode, const struct run_watch *,
	    struct result *);
void	echo_params(const struct run *, struct result *);
void	run_signals_init(void);
void	run_launcher_init(void);
void	run_launcher_only(void);
int	clean_names(void);
int	run_all(const struct params *, struct report *);
void	completion_bash(void);
int	coop_run(struct run *, void (*)(struct run *, unsigned));

#endif /* LAUNCHER_RUN_H */
