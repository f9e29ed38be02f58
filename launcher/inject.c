/*
 * inject.c - --inject ACTION@W:ITER[,...]: read the faults a user aims at
 * workers, and check them against the run's worker count.  The workers fire
 * them (workers/fault.c, inject_fire).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const actions[] = {
	[INJECT_KILL] = "kill", [INJECT_ABORT] = "abort", [INJECT_EXIT] = "exit",
	[INJECT_STALL] = "stall", NULL	/* the last action's successor */
};

const char *
inject_name(enum inject_action a)
{
	return actions[a];
}

/* One "ACTION@W:ITER" into *f; NULL, or what is wrong with it. */
static const char *
inject_one(struct inject *f, const char *item)
{
	static char msg[192];
	const char *errstr = "missing";
	char buf[64], *w = NULL, *it = NULL;
	int a = 0;

	if (strlcpy(buf, item, sizeof(buf)) < sizeof(buf) &&
	    (w = strchr(buf, '@')) != NULL && (it = strchr(w, ':')) != NULL) {
		*w++ = '\0';
		*it++ = '\0';
		for (a = 0; actions[a] != NULL && strcmp(actions[a], buf) != 0; a++)
			continue;
		f->action = (enum inject_action)a;
		f->worker = (unsigned)strtonum(w, 0, MAX_WORKERS - 1, &errstr);
		if (errstr == NULL)
			f->iter = (uint64_t)strtonum(it, 0, LLONG_MAX, &errstr);
	}
	if (actions[a] != NULL && errstr == NULL)
		return NULL;
	snprintf(msg, sizeof(msg), "--inject: '%s' is not ACTION@WORKER:ITERATION "
	    "(ACTION kill, abort, exit or stall; WORKER from 0)", item);
	return msg;
}

/* Add the comma-separated faults of one --inject; NULL, or what is wrong. */
const char *
inject_parse(struct params *p, const char *spec)
{
	char buf[256], *s = buf, *item;
	const char *msg;

	if (strlcpy(buf, spec, sizeof(buf)) >= sizeof(buf))
		return "--inject: the fault list is too long";
	while ((item = strsep(&s, ",")) != NULL) {
		if (p->ninject == MAX_INJECT)
			return "--inject: more than 8 faults";
		if ((msg = inject_one(&p->inject[p->ninject], item)) != NULL)
			return msg;
		p->ninject++;
	}
	return NULL;
}

/* Every fault must name a worker the demo has. */
const char *
inject_check(const struct params *p, unsigned nworkers)
{
	static char msg[96];
	unsigned k;

	for (k = 0; k < p->ninject; k++)
		if (p->inject[k].worker >= nworkers) {
			snprintf(msg, sizeof(msg), "--inject: no worker %u "
			    "(this run has workers 0..%u)", p->inject[k].worker,
			    nworkers - 1);
			return msg;
		}
	return NULL;
}
