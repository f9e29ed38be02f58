/*
 * all.c - `shmsync all`: every demo of the registry with its defaults, in
 * the chosen modes, summed up in one table (CSV, JSON Lines): demo, guard,
 * mode, expected vs observed, verdict, time, and what it means.
 */
#include <err.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* The summary row: the fields every demo has, under their usual names. */
static void
summarize(const struct result *full, int row, struct result *s)
{
	static const struct res_keep keep[] = {
		{ "demo", F_TABLE }, { "sync", F_TABLE }, { "mode", F_TABLE },
		{ "workers", F_TABLE }, { "expected", F_TABLE },
		{ "observed", F_TABLE }, { "verdict", F_TABLE },
		{ "wall_ns", F_TABLE | F_NS }, { "ops_per_sec", F_RATE },
		{ "timeout", F_PARAM },
		{ "note", F_TABLE },
	};

	res_cut(full, s, keep, sizeof(keep) / sizeof(keep[0]), 0);
	s->variant = row;
}

struct all_runs {
	struct report	*rep;
	int		 row;		/* the first row of this demo's variants */
	int		 status;
};

static int
all_step(const struct params *p, int v, enum mode m, void *arg)
{
	struct all_runs *a = arg;
	struct result full, sum;

	run_once(p, v, m, NULL, &full);
	a->status |= full.verdict == VERDICT_FAIL;
	summarize(&full, a->row + v, &sum);
	return report_add(a->rep, &sum);
}

/* Each demo with its defaults, each variant, each mode; 1 if any run failed. */
int
run_all(const struct params *common, struct report *rep)
{
	const struct worker *const *w;
	struct all_runs a = { rep, 0, 0 };
	struct params p;
	const char *msg;
	int i, nv;

	for (w = workers; *w != NULL; w++) {
		if ((common->modes & MODE_COOP) && !((*w)->caps & CAP_COOP))
			continue;	/* no cooperative version */
		p = *common;
		p.demo = *w;
		for (i = 0; (*w)->opts[i].name != NULL; i++)
			p.v[i] = (*w)->opts[i].def;
		if ((*w)->validate != NULL && (msg = (*w)->validate(&p)) != NULL)
			errx(1, "all: %s: defaults refused: %s", (*w)->name, msg);
		if ((nv = run_plan(&p, all_step, &a)) < 0)
			break;
		a.row += nv;
	}
	return a.status;
}
