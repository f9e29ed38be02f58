/*
 * sweep.c - `shmsync sweep DEMO --workers 1,2,4,8`: one demo over a grid of
 * worker counts, each variant, each mode, R repeats; a row per grid point
 * (the median run by ops/s, with the min and max), as a table, CSV or JSON,
 * a bar chart in the terminal, and an SVG plot drawn by gnuplot (plot.c).
 * A queue's count is its producers and its consumers each.
 */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

#define CHART_LABEL	27	/* columns: "mutex      process w=4096  " */
#define CHART_MIN	10	/* columns of the longest bar */
#define CHART_MAX	200

/* The comma-separated worker counts: each 1..MAX_WORKERS, none twice. */
static const char *
take_counts(char **list, struct sweep *sw, char *msg, size_t len)
{
	const char *errstr;
	char *tok;
	unsigned k;

	for (sw->n = 0; (tok = strsep(list, ",")) != NULL; sw->n++) {
		if (sw->n == SWEEP_MAX)
			return snprintf(msg, len, "--workers: more than %d counts",
			    SWEEP_MAX), msg;
		sw->workers[sw->n] = strtonum(tok, 1, MAX_WORKERS, &errstr);
		if (errstr != NULL)
			return snprintf(msg, len, "--workers: '%s' is %s (1..%d)",
			    tok, errstr, MAX_WORKERS), msg;
		for (k = 0; k < sw->n; k++)
			if (sw->workers[k] == sw->workers[sw->n])
				return snprintf(msg, len, "--workers: %lld twice",
				    sw->workers[k]), msg;
	}
	return NULL;
}

/* --workers LIST into the grid, from a copy (strsep writes); NULL or what is wrong. */
const char *
sweep_grid(const char *val, struct sweep *sw)
{
	static char msg[160];
	const char *why = NULL;
	char *copy, *list;

	memset(sw, 0, sizeof(*sw));
	if ((copy = list = strdup(val)) == NULL)
		return "out of memory";
	why = take_counts(&list, sw, msg, sizeof(msg));
	free(copy);
	return why;
}

/* Set n workers: the demo's --workers, or its producers and consumers both. */
static int
set_workers(struct params *p, long long n)
{
	int w = worker_opt(p->demo, "workers");
	int pr = worker_opt(p->demo, "producers"), co = worker_opt(p->demo, "consumers");

	if (w >= 0 && n >= p->demo->opts[w].min && n <= p->demo->opts[w].max) {
		p->v[w] = n;
		return 0;
	}
	if (w < 0 && pr >= 0 && co >= 0 && n <= p->demo->opts[pr].max &&
	    n <= p->demo->opts[co].max) {
		p->v[pr] = p->v[co] = n;
		return 0;
	}
	return -1;
}

/* --plot FILE: gnuplot installed, FILE's directory writable, FILE no directory. */
static const char *
plot_check(const char *path, char *msg, size_t len)
{
	char dir[PATH_MAX];
	const char *d;

	if (*path == '\0' || path[strlen(path) - 1] == '/')
		return "sweep: --plot needs a file name (FILE.svg or FILE.png)";
	if (plot_which() == NULL)
		return "sweep: --plot needs gnuplot, not found in PATH "
		    "(apt-get install gnuplot-nox); nothing was run";
	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return "sweep: --plot: file name too long";
	if (access(d = dirname(dir), W_OK | X_OK) == -1)
		return snprintf(msg, len, "sweep: --plot: cannot write in %s: %s",
		    d, strerror(errno)), msg;
	return NULL;
}

/* Every grid point must be a valid command line before anything runs. */
const char *
sweep_check(const struct params *p0, const struct sweep *sw)
{
	static char msg[PATH_MAX + 80];
	struct params p = *p0;
	const char *why;
	unsigned i;

	if (worker_opt(p.demo, "workers") < 0 && worker_opt(p.demo, "producers") < 0)
		return "sweep: this demo's worker count is fixed";
	for (i = 0; i < sw->n; i++) {
		if (set_workers(&p, sw->workers[i]) != 0)
			return snprintf(msg, sizeof(msg), "sweep: %lld workers is out "
			    "of this demo's range", sw->workers[i]), msg;
		if ((p.demo->validate != NULL && (why = p.demo->validate(&p)) != NULL) ||
		    (why = inject_check(&p, p.demo->nworkers(&p))) != NULL)
			return snprintf(msg, sizeof(msg), "sweep: %lld workers: %s",
			    sw->workers[i], why), msg;
	}
	return sw->plot != NULL ? plot_check(sw->plot, msg, sizeof(msg)) : NULL;
}

static double
ops_of(const struct result *r)
{
	const struct field *f = res_find(r, "ops_per_sec");

	return f != NULL ? f->v.d : 0;
}

static const char *
str_of(const struct result *r, const char *key)
{
	const struct field *f = res_find(r, key);

	return f != NULL && f->type == F_STR ? f->v.s : "";
}

static uint64_t
workers_of(const struct result *r)
{
	const struct field *f = res_find(r, "workers");

	return f != NULL ? f->v.u : 0;
}

/* R runs of one grid point (run_median); what the grid varies is a column. */
static void
grid_point(const struct params *p, int v, enum mode m, int repeat,
    struct result *runs, struct result *out)
{
	int i;

	run_median(p, v, m, repeat, NULL, runs, out);
	for (i = 0; i < out->n; i++)
		if (strcmp(out->f[i].key, "workers") == 0 ||
		    strcmp(out->f[i].key, "producers") == 0 ||
		    strcmp(out->f[i].key, "consumers") == 0)
			out->f[i].flags = F_TABLE;
	if (repeat == 1)	/* run_median adds these only for R > 1 */
		spread_fields(out, runs, 1);
}

/*
 * A bar per row, ops/s scaled so that the longest line fits the terminal:
 * a 27-column label, the bar, a space and the value (at most 9 columns).
 */
static void
chart(const struct result *rows, int n)
{
	int i, k, bar, width = term_width(80) - CHART_LABEL - 10;
	double max = 0;

	width = width < CHART_MIN ? CHART_MIN : width > CHART_MAX ? CHART_MAX : width;
	for (i = 0; i < n; i++)
		max = ops_of(&rows[i]) > max ? ops_of(&rows[i]) : max;
	printf("\nops/s by workers (# thread, = process, ~ coop):\n");
	for (i = 0; i < n; i++) {
		bar = max > 0 ? (int)(ops_of(&rows[i]) / max * width + 0.5) : 0;
		printf("%-10.10s %-7.7s w=%-5ju ", str_of(&rows[i], "sync"),
		    str_of(&rows[i], "mode"), (uintmax_t)workers_of(&rows[i]));
		for (k = 0; k < bar; k++)
			putchar(rows[i].mode == MODE_THREAD ? '#' :
			    rows[i].mode == MODE_PROCESS ? '=' : '~');
		printf(" %.3g\n", ops_of(&rows[i]));
	}
}

/* A number field of a row, or dflt when it has none. */
static double
num_or(const struct result *r, const char *key, double dflt)
{
	const struct field *f = res_find(r, key);

	return f != NULL && f->type == F_DBL ? f->v.d : dflt;
}

/* ops/s vs workers: a panel per mode, a line per guard, drawn by gnuplot. */
static int
plot(const struct params *p, const struct sweep *sw, const struct result *rows,
    int n)
{
	struct point *pt;
	char title[128];
	int i, rc;

	if ((pt = calloc((size_t)n, sizeof(*pt))) == NULL)
		return errno;
	for (i = 0; i < n; i++) {
		pt[i].x = (double)workers_of(&rows[i]);
		pt[i].y = ops_of(&rows[i]);
		pt[i].lo = num_or(&rows[i], "ops_per_sec_min", pt[i].y);
		pt[i].hi = num_or(&rows[i], "ops_per_sec_max", pt[i].y);
		pt[i].racing = rows[i].verdict == VERDICT_RACE;
		strlcpy(pt[i].guard, str_of(&rows[i], "sync"), sizeof(pt[i].guard));
		strlcpy(pt[i].mode, str_of(&rows[i], "mode"), sizeof(pt[i].mode));
	}
	if (sw->repeat > 1)
		snprintf(title, sizeof(title), "shmsync %s: ops/s vs workers, the "
		    "median of %d runs, bars from the slowest to the fastest",
		    p->demo->name, sw->repeat);
	else
		snprintf(title, sizeof(title), "shmsync %s: ops/s vs workers, one "
		    "run each (--repeat R for the spread)", p->demo->name);
	rc = plot_file(sw->plot, title, pt, n, sw->repeat > 1, p->timeout);
	free(pt);
	return rc;
}

struct sweep_runs {
	const struct sweep	*sw;
	struct report		*rep;
	struct result		*rows, *runs;
	int			 n, nv, status;
	unsigned		 i;		/* the grid point */
};

static int
sweep_step(const struct params *p, int v, enum mode m, void *arg)
{
	struct sweep_runs *s = arg;
	struct result *row = &s->rows[s->n++];

	grid_point(p, v, m, s->sw->repeat, s->runs, row);
	row->variant = (int)s->i * s->nv + v;	/* a row group */
	s->status |= row->verdict == VERDICT_FAIL;
	return report_add(s->rep, row);
}

int
run_sweep(const struct params *p0, const struct sweep *sw, const struct view *view,
    struct report *rep)
{
	struct params p = *p0;
	struct sweep_runs s = { sw, rep, NULL, NULL, 0, 0, 0, 0 };
	int rc;

	s.nv = p.demo->variants != NULL ? p.demo->variants(&p) : 1;
	if ((s.rows = calloc(sw->n * (size_t)s.nv * 2, sizeof(*s.rows))) == NULL ||
	    (s.runs = calloc((size_t)sw->repeat, sizeof(*s.runs))) == NULL)
		err(1, "sweep");
	for (s.i = 0; s.i < sw->n; s.i++) {
		set_workers(&p, sw->workers[s.i]);
		if (run_plan(&p, sweep_step, &s) < 0)
			goto out;
	}
	if ((rc = report_end(rep)) != 0)
		goto out;
	if (view->format == FORMAT_TABLE && (sw->chart || isatty(STDOUT_FILENO)))
		chart(s.rows, s.n);
	if (sw->plot != NULL && (rc = plot(&p, sw, s.rows, s.n)) != 0)
		errc(1, rc, "sweep: gnuplot could not draw %s (no file written)",
		    sw->plot);
out:
	free(s.runs);
	free(s.rows);
	return s.status;
}
