/*
 * mixed.c - shmsync DEMO -m thread,process,mpi: the demo's thread and
 * process rows and its MPI form's rows in one table (CSV, JSON Lines).
 * The options given on the command line are mapped onto the MPI form's by
 * name (a keyword by its name, or by the twin the form declares); one that
 * cannot be is refused before anything runs.  Every row is cut to the
 * fields both forms have, as `all` does.  See mpirun.c (the MPI part).
 */
#include <stdio.h>
#include <string.h>

#include "mpirun.h"
#include "run.h"

/* The one text that says what an MPI row's guard stands for, or "". */
static char twin_note[160];

/* Where a table names option name, or -1. */
static int
opt_index(const struct optdef *t, const char *name)
{
	int i;

	for (i = 0; t[i].name != NULL; i++)
		if (strcmp(t[i].name, name) == 0)
			return i;
	return -1;
}

/* The MPI form's keyword for the demo's keyword kw of option opt, or NULL. */
static const char *
twin_of(const struct worker *w, const char *opt, const char *kw)
{
	const char *const *t;
	int j = opt_index(w->mpi->opts, opt), k;

	for (t = w->mpi->twins; t != NULL && *t != NULL; t += 3)
		if (strcmp(t[0], opt) == 0 && strcmp(t[1], kw) == 0)
			return t[2];
	for (k = 0; j >= 0 && w->mpi->opts[j].choices[k] != NULL; k++)
		if (strcmp(w->mpi->opts[j].choices[k], kw) == 0)
			return kw;
	return NULL;
}

/* "none, mutex, atomic (fop over MPI), cas, all": the demo's keywords that map. */
static void
keywords_that_map(const struct worker *w, const struct optdef *o, char *buf,
    size_t len)
{
	const char *m;
	int k;

	buf[0] = '\0';
	for (k = 0; o->choices[k] != NULL; k++) {
		if ((m = twin_of(w, o->name, o->choices[k])) == NULL)
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ?
		    ", " : "", o->choices[k]);
		if (strcmp(m, o->choices[k]) != 0)
			snprintf(buf + strlen(buf), len - strlen(buf),
			    " (%s over MPI)", m);
	}
}

/* A keyword given: its twin's index in the MPI option mo, or a usage error. */
static long long
map_keyword(const char *who, const struct worker *w, const struct optdef *o,
    long long v, const struct optdef *mo)
{
	const char *kw = o->choices[v], *m;
	char ok[256];
	int k;

	if ((m = twin_of(w, o->name, kw)) == NULL) {
		keywords_that_map(w, o, ok, sizeof(ok));
		usage_error(who, "--%s %s has no MPI twin; with mpi among the "
		    "modes: %s", o->name, kw, ok);
	}
	if (strcmp(m, kw) != 0)
		snprintf(twin_note, sizeof(twin_note), "MPI's twin of --%s %s",
		    o->name, kw);
	for (k = 0; strcmp(mo->choices[k], m) != 0; k++)
		continue;
	return k;
}

/* A number given: the same number, if the MPI form takes it. */
static long long
map_number(const char *who, const struct optdef *o, long long v,
    const struct optdef *mo)
{
	char range[64];

	if (v < mo->min || v > mo->max) {
		bounds(mo->min, mo->max, range, sizeof(range));
		usage_error(who, "--%s: %lld is beyond the MPI form's %s; give "
		    "one both take, or run -m mpi apart", o->name, v, range);
	}
	return v;
}

/*
 * The MPI form's options from the demo's (p->v, given: which were on the
 * command line): each given one mapped by name, or refused; the rest the
 * form's defaults; --net as given.
 */
static void
map_opts(const char *who, const struct params *p, unsigned given, long long net,
    struct params *mp)
{
	const struct worker *w = p->demo;
	const struct optdef *o, *mo = w->mpi->opts;
	int i, j;

	memset(mp, 0, sizeof(*mp));
	for (j = 0; mo[j].name != NULL; j++)
		mp->v[j] = mo[j].def;
	for (i = 0; (o = &w->opts[i])->name != NULL; i++) {
		if (!(given >> i & 1))
			continue;
		if ((j = opt_index(mo, o->name)) < 0 || (o->arg == NULL) !=
		    (mo[j].arg == NULL) || (o->choices == NULL) != (mo[j].choices == NULL))
			usage_error(who, "--%s: the MPI form has no such option; "
			    "drop it, or leave mpi out of -m", o->name);
		mp->v[j] = o->choices != NULL ? map_keyword(who, w, o, p->v[i],
		    &mo[j]) : o->arg != NULL ? map_number(who, o, p->v[i],
		    &mo[j]) : p->v[i];
	}
	if ((j = opt_index(mo, "net")) >= 0)
		mp->v[j] = net;
	mp->timeout = p->timeout;
}

/*
 * Check the MPI part of -m ...,mpi before anything runs (exit 2 if refused,
 * shmsync-mpi not built included): the demo's options mapped, the form's
 * own checks, --hosts.
 */
struct mpi_part *
mixed_prepare(const char *who, const struct params *p, unsigned given,
    long long net, const char *hosts)
{
	static struct params mp;

	map_opts(who, p, given, net, &mp);
	return mpi_part_new(p->demo, who, &mp, hosts);
}

/* A row cut to the fields every form has, in one order; a missing one is null. */
static void
mixed_row(const struct result *full, struct result *s, void *arg)
{
	static const struct res_keep keep[] = {
		{ "demo", 0 }, { "sync", F_TABLE }, { "mode", F_TABLE },
		{ "workers", F_TABLE }, { "iterations", F_PARAM },
		{ "expected", F_TABLE }, { "observed", F_TABLE },
		{ "verdict", F_TABLE }, { "wall_ns", F_TABLE | F_NS },
		{ "ops_per_sec", F_TABLE | F_RATE }, { "transport", F_TABLE },
		{ "osc", F_TABLE }, { "note", F_TABLE },
	};
	struct field *g;

	(void)arg;
	res_cut(full, s, keep, sizeof(keep) / sizeof(keep[0]), 1);
	/* The note of an MPI row whose guard has another name says whose twin. */
	if (full->mode == MODE_MPI && twin_note[0] != '\0') {
		g = &s->f[s->n - 1];
		snprintf(g->v.s + strlen(g->v.s), sizeof(g->v.s) - strlen(g->v.s),
		    "%s%s", g->v.s[0] != '\0' ? "; " : "", twin_note);
	}
}

/* The demo's rows in its other modes, then the MPI part's; 1 if any failed. */
int
run_mixed(const struct params *p, const struct run_watch *watch,
    struct mpi_part *mpi, struct report *rep)
{
	static char proves[2 * NOTE_MAX];
	struct params tp = *p;
	int status = 0;

	snprintf(proves, sizeof(proves), "%s; over MPI ranks: %s",
	    p->demo->proves, p->demo->mpi->proves);
	rep->proves = proves;
	rep->shape = mixed_row;
	tp.modes &= ~(unsigned)MODE_MPI;
	if (tp.modes != 0)
		status = run_demo(&tp, watch, 1, rep);
	if (rep->werr != 0)	/* nobody reads the rows: no MPI run for them */
		return status;
	return status | mpi_part_run(mpi, rep);
}
