/*
 * run.h - run a demo's variants in the chosen modes and report each run;
 * clean up the names a dead launcher left (clean.c).
 */
#ifndef LAUNCHER_RUN_H
#define LAUNCHER_RUN_H

#include "report.h"

int	run_demo(const struct params *, struct report *);
void	run_once(const struct params *, int, enum mode, struct result *);
void	run_signals_init(void);
int	clean_names(void);
int	run_all(const struct params *, struct report *);
int	completion_bash(const struct optdef *);
int	coop_run(struct run *, void (*)(struct run *, unsigned));

extern const struct worker all_demo;	/* all.c: its options are the common ones */

#endif /* LAUNCHER_RUN_H */
