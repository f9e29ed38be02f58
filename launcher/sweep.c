/*
 * sweep.c - `shmsync sweep DEMO --workers 1,2,4,8`: one demo over a grid of
 * worker counts, each variant, each mode, R repeats; a row per grid point
 * (the median run by ops/s, with the min and max), as a table, CSV or JSON,
 * a bar chart in the terminal, and an SVG plot drawn by gnuplot.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

#define CHART_MAX	200	/* columns */

/*
 * Pull the sweep's own options out of argv (from argv[3]) into a new argv
 * (*argvp; the old one stays whole, setproctitle owns its strings); NULL or
 * an error.
 */
const char *
sweep_take(int *argc, char ***argvp, struct sweep *sw)
{
	static char msg[160];
	static char **kept;
	char **argv = *argvp, *list, *tok;
	const char *errstr;
	int i, j, k;

	memset(sw, 0, sizeof(*sw));
	sw->repeat = 1;
	if ((kept = calloc((size_t)*argc + 1, sizeof(*kept))) == NULL)
		return "out of memory";
	for (i = 0; i < 3 && i < *argc; i++)
		kept[i] = argv[i];
	*argvp = kept;
	for (i = j = 3; i < *argc; i++) {
		if (strcmp(argv[i], "--chart") == 0) {
			sw->chart = 1;
			continue;
		}
		if (strcmp(argv[i], "--workers") != 0 && strcmp(argv[i], "--repeat") != 0 &&
		    strcmp(argv[i], "--plot") != 0) {
			kept[j++] = argv[i];
			continue;
		}
		if (i + 1 == *argc)
			return snprintf(msg, sizeof(msg), "%s needs a value", argv[i]), msg;
		if (strcmp(argv[i], "--plot") == 0) {
			sw->plot = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--repeat") == 0) {
			sw->repeat = (int)strtonum(argv[++i], 1, 100, &errstr);
			if (errstr != NULL)
				return snprintf(msg, sizeof(msg), "--repeat: '%s' is %s "
				    "(1..100)", argv[i], errstr), msg;
			continue;
		}
		for (list = argv[++i], sw->n = 0; (tok = strsep(&list, ",")) != NULL;) {
			if (sw->n == SWEEP_MAX)
				return "--workers: more than 32 counts";
			sw->workers[sw->n] = strtonum(tok, 1, MAX_WORKERS, &errstr);
			if (errstr != NULL)
				return snprintf(msg, sizeof(msg), "--workers: '%s' is %s "
				    "(1..%d)", tok, errstr, MAX_WORKERS), msg;
			for (k = 0; k < (int)sw->n; k++)
				if (sw->workers[k] == sw->workers[sw->n])
					return snprintf(msg, sizeof(msg), "--workers: %lld "
					    "twice", sw->workers[k]), msg;
			sw->n++;
		}
	}
	*argc = j;
	return sw->n == 0 ? "--workers LIST is required (e.g. 1,2,4,8)" : NULL;
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

/* Every grid point must be a valid command line before anything runs. */
const char *
sweep_check(const struct params *p0, const struct sweep *sw)
{
	static char msg[200];
	struct params p = *p0;
	const char *why;
	unsigned i;

	if (worker_opt(p.demo, "workers") < 0 && worker_opt(p.demo, "producers") < 0)
		return "sweep: this demo's worker count is fixed";
	for (i = 0; i < sw->n; i++) {
		if (set_workers(&p, sw->workers[i]) != 0)
			return snprintf(msg, sizeof(msg), "sweep: %lld workers is out "
			    "of this demo's range", sw->workers[i]), msg;
		if (p.demo->validate != NULL && (why = p.demo->validate(&p)) != NULL)
			return snprintf(msg, sizeof(msg), "sweep: %lld workers: %s",
			    sw->workers[i], why), msg;
	}
	if (sw->plot != NULL && system("command -v gnuplot >/dev/null 2>&1") != 0)
		return "sweep: --plot needs gnuplot (apt-get install gnuplot-nox)";
	return NULL;
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

static int
cmp_ops(const void *a, const void *b)
{
	double x = ops_of(a), y = ops_of(b);

	return x < y ? -1 : x > y;
}

/* R runs of one grid point; the median run by ops/s, with min and max. */
static void
grid_point(const struct params *p, int v, enum mode m, int repeat,
    struct result *runs, struct result *out)
{
	int i;

	for (i = 0; i < repeat; i++)
		run_once(p, v, m, &runs[i]);
	qsort(runs, (size_t)repeat, sizeof(*runs), cmp_ops);
	*out = runs[repeat / 2];
	for (i = 0; i < repeat; i++)
		if (runs[i].verdict == VERDICT_FAIL)
			out->verdict = VERDICT_FAIL;
	for (i = 0; i < out->n; i++)
		if (strcmp(out->f[i].key, "workers") == 0)
			out->f[i].flags = F_TABLE;
	res_uint(out, "repeats", (uint64_t)repeat, F_PARAM);
	res_dbl(out, "ops_per_sec_min", ops_of(&runs[0]), 0);
	res_dbl(out, "ops_per_sec_max", ops_of(&runs[repeat - 1]), 0);
}

static int
columns(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c != NULL && atoi(c) > 0)
		return atoi(c);
	return 80;
}

/* A bar per row, ops/s scaled to the terminal's width. */
static void
chart(const struct result *rows, int n, const long long *wk)
{
	int i, k, bar, width = columns() - 32;
	double max = 0;

	width = width < 10 ? 10 : width > CHART_MAX ? CHART_MAX : width;
	for (i = 0; i < n; i++)
		max = ops_of(&rows[i]) > max ? ops_of(&rows[i]) : max;
	printf("\nops/s (longest bar %.3g):\n", max);
	for (i = 0; i < n; i++) {
		bar = max > 0 ? (int)(ops_of(&rows[i]) / max * width + 0.5) : 0;
		printf("%-8.8s %-7.7s w=%-4lld ", str_of(&rows[i], "sync"),
		    str_of(&rows[i], "mode"), wk[i]);
		for (k = 0; k < bar; k++)
			putchar(rows[i].mode == MODE_THREAD ? '#' : '=');
		printf(" %.3g\n", ops_of(&rows[i]));
	}
}

/* ops/s vs workers, a line per guard and mode, to an SVG by gnuplot. */
static int
plot(const struct sweep *sw, const struct result *rows, int n, const long long *wk)
{
	char series[64][48];
	int i, k, ns = 0, rc;
	FILE *g;

	if ((g = popen("gnuplot", "w")) == NULL)
		return errno;
	for (i = 0; i < n && ns < 64; i++) {
		snprintf(series[ns], sizeof(series[0]), "%.30s %.10s", str_of(&rows[i], "sync"),
		    str_of(&rows[i], "mode"));
		for (k = 0; k < ns && strcmp(series[k], series[ns]) != 0; k++)
			continue;
		ns += k == ns;
	}
	for (k = 0; k < ns; k++) {
		fprintf(g, "$d%d << EOD\n", k);
		for (i = 0; i < n; i++) {
			char s[48];

			snprintf(s, sizeof(s), "%.30s %.10s", str_of(&rows[i], "sync"),
			    str_of(&rows[i], "mode"));
			if (strcmp(s, series[k]) == 0)
				fprintf(g, "%lld %.1f\n", wk[i], ops_of(&rows[i]));
		}
		fprintf(g, "EOD\n");
	}
	fprintf(g, "set terminal svg size 800,500 dynamic\nset output '%s'\n"
	    "set title '%s: ops/s vs workers'\nset xlabel 'workers'\n"
	    "set ylabel 'ops/s'\nset logscale x 2\nset key outside\nplot ",
	    sw->plot, str_of(&rows[0], "demo"));
	for (k = 0; k < ns; k++)
		fprintf(g, "%s$d%d with linespoints title '%s'", k ? ", " : "", k,
		    series[k]);
	fprintf(g, "\n");
	rc = pclose(g);
	return rc == 0 ? 0 : EIO;
}

int
run_sweep(const struct params *p0, const struct sweep *sw, struct report *rep)
{
	struct params p = *p0;
	struct result *rows, *runs;
	long long *wk;
	int n = 0, nv, v, m, rc, status = 0;
	unsigned i;

	nv = p.demo->variants != NULL ? p.demo->variants(&p) : 1;
	if ((rows = calloc(sw->n * (size_t)nv * 2, sizeof(*rows))) == NULL ||
	    (wk = calloc(sw->n * (size_t)nv * 2, sizeof(*wk))) == NULL ||
	    (runs = calloc((size_t)sw->repeat, sizeof(*runs))) == NULL)
		err(1, "sweep");
	for (i = 0; i < sw->n; i++) {
		set_workers(&p, sw->workers[i]);
		for (v = 0; v < nv; v++)
			for (m = 0; m < 3; m++) {
				if (!(p.modes & run_modes[m]))
					continue;
				grid_point(&p, v, run_modes[m], sw->repeat, runs, &rows[n]);
				rows[n].variant = (int)i * nv + v;	/* a row group */
				wk[n] = sw->workers[i];
				status |= rows[n].verdict == VERDICT_FAIL;
				if (report_add(rep, &rows[n++]) != 0)
					goto out;
			}
	}
	if ((rc = report_end(rep)) != 0)
		goto out;
	if (p.format == FORMAT_TABLE && (sw->chart || isatty(STDOUT_FILENO)))
		chart(rows, n, wk);
	if (sw->plot != NULL && (rc = plot(sw, rows, n, wk)) != 0)
		errc(1, rc, "sweep: gnuplot could not draw %s", sw->plot);
out:
	free(runs);
	free(wk);
	free(rows);
	return status;
}
