/*
 * common.c - the commands that run demos (a demo, all, sweep): the common
 * options every one of them takes, the checks across options made before
 * anything is created, and the session that runs and reports.
 *
 * Reads the command line into struct params (what the demo sees) and
 * struct view (how the launcher shows it), from the demo's own option table
 * and common_opts, with the one parser (parse.c).
 */
#include <err.h>
#include <errno.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../workers/mpiform.h"
#include "explore.h"
#include "mpirun.h"
#include "sweep.h"
#include "trace.h"
#include "turnstile.h"

enum { C_MODE, C_FORMAT, C_TIMEOUT, C_DURATION, C_INJECT, C_COLOR, C_TRACE,
    C_TIMELINE, C_SEED, C_JITTER, C_WIDE, C_REPEAT, C_EXPLORE, C_SCHEDULE,
    C_STEP, C_STORY, C_HELP, NCOMMON };
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum { M_THREAD, M_PROCESS, M_BOTH, M_COOP, M_MPI };

static const char *const mode_names[] = {
	[M_THREAD] = "thread", [M_PROCESS] = "process", [M_BOTH] = "both",
	[M_COOP] = "coop", [M_MPI] = "mpi", NULL
};
static const char *const format_names[] = {
	[FORMAT_TABLE] = "table", [FORMAT_CSV] = "csv", [FORMAT_JSON] = "json", NULL
};
static const char *const color_names[] = {
	[COLOR_AUTO] = "auto", [COLOR_ALWAYS] = "always", [COLOR_NEVER] = "never", NULL
};

const struct optdef common_opts[] = {
	[C_MODE] = { "mode", 'm', "MODE", 1, 0, 1 << M_BOTH, mode_names,
	  "run the workers as threads, processes, both side by side, or\n"
	  "                         coop: tasks in one thread that switch only\n"
	  "                         where they yield (%coop);\n"
	  "                         mpi: ranks under mpirun (%mpi;\n"
	  "                         make mpi, then DEMO -m mpi --help);\n"
	  "                         a list runs each in one table: thread,process\n"
	  "                         is both; thread,process,mpi adds the MPI form's\n"
	  "                         rows (its options mapped from the demo's)" },
	[C_FORMAT] = { "format", 'f', "FMT", 0, 0, FORMAT_TABLE, format_names,
	  "an aligned table, CSV with a header, or JSON Lines" },
	[C_TIMEOUT] = { "timeout", 'T', "SEC", 1, 86400, 60, NULL,
	  "deadline of every wait and of each run; past it\n"
	  "                         the launcher stops the workers (exit 1)" },
	[C_DURATION] = { "duration", 't', "SEC", 1, 0, 0, NULL,
	  "run for SEC seconds (0.001..86400, to the ms) instead\n"
	  "                         of a count: %timed;\n"
	  "                         progress on stderr if it is a terminal" },
	[C_INJECT] = { "inject", 0, "SPEC", 1, 0, 0, NULL,
	  "ACTION@W:ITER[,...]: worker W (from 0) fails on\n"
	  "                         reaching iteration ITER, inside its critical\n"
	  "                         section; ACTION kill, abort, exit (status 3) or\n"
	  "                         stall (sleep until the deadline).  A thread\n"
	  "                         killed or exited ends alone; abort ends all" },
	[C_COLOR] = { "color", 0, "WHEN", 0, 0, COLOR_AUTO, color_names,
	  "colour the table's verdicts: auto (a terminal, and\n"
	  "                         NO_COLOR unset or empty), always, never" },
	[C_TRACE] = { "trace", 0, "FILE", 1, 0, 0, NULL,
	  "record every worker's lock, wait, queue and barrier\n"
	  "                         events; write them to FILE as Chrome trace\n"
	  "                         events (open in ui.perfetto.dev): a run a\n"
	  "                         process, a worker a thread" },
	[C_TIMELINE] = { "timeline", 0, NULL, 0, 1, 0, NULL,
	  "after each run, draw a lane per worker across the\n"
	  "                         terminal: # holds, = reads, . waits, - runs" },
	[C_SEED] = { "seed", 0, "N", 1, 0, 0, NULL,
	  "seed of every random choice (--jitter's delays,\n"
	  "                         order's and deadlock's pauses), 0..4294967295;\n"
	  "                         by default one drawn at random; echoed" },
	[C_JITTER] = { "jitter", 0, "US", 0, 1000000, 0, NULL,
	  "pause each worker 0..US microseconds at each\n"
	  "                         iteration, inside its critical section: the\n"
	  "                         delays follow from the seed, worker and iteration" },
	[C_WIDE] = { "wide", 0, NULL, 0, 1, 0, NULL,
	  "show every column of the table, however wide; by\n"
	  "                         default a table fits the terminal (or COLUMNS):\n"
	  "                         the note goes on its own line, then columns go" },
	[C_REPEAT] = { "repeat", 0, "R", 1, 100, 1, NULL,
	  "run each variant and mode R times and show the median\n"
	  "                         run by ops/s, with the min and max (JSON, CSV)\n"
	  "                         and proc/thr's spread" },
	[C_EXPLORE] = { "explore", 0, NULL, 0, 1, 0, NULL,
	  "run every schedule of the workers at their scheduling\n"
	  "                         points: how many end in each outcome, a shortest\n"
	  "                         schedule to each bad one; a proof for the guarded\n"
	  "                         variants.  Small sizes: -w 2 -n 2.  Demos:\n"
	  "                         %sched" },
	[C_SCHEDULE] = { "schedule", 0, "S", 1, 0, 0, NULL,
	  "replay one schedule, e.g. 0,0,1,1: the worker that takes\n"
	  "                         each step, from point to point; after the last,\n"
	  "                         the normal scheduler.  The same outcome in coop,\n"
	  "                         thread and process mode (all three by default)" },
	[C_STEP] = { "step", 0, NULL, 0, 1, 0, NULL,
	  "be the scheduler: at each point, type the worker that\n"
	  "                         goes next (Enter: the next in turn); prints the\n"
	  "                         schedule taken, for --schedule" },
	[C_STORY] = { "story", 0, NULL, 0, 1, 0, NULL,
	  "tell the run step by step, for people: a --schedule's\n"
	  "                         steps (worker, operation, value, state after),\n"
	  "                         referee's arrivals" },
	[C_HELP] = { "help", 'h', NULL, 0, 1, 0, NULL, "show this help" },
	[NCOMMON] = { NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

/* sweep's own options, read before the common ones and the demo's. */
enum { SW_WORKERS, SW_REPEAT, SW_PLOT, SW_CHART, NSWEEP };

const struct optdef sweep_opts[] = {
	[SW_WORKERS] = { "workers", 'w', "LIST", 1, 0, 0, NULL,
	  "the worker counts of the grid, e.g. 1,2,4,8 (required)" },
	[SW_REPEAT] = { "repeat", 0, "R", 1, 100, 1, NULL,
	  "runs per grid point; the median by ops/s is shown" },
	[SW_PLOT] = { "plot", 0, "FILE", 1, 0, 0, NULL,
	  "draw ops/s against workers into FILE.svg or .png (gnuplot)" },
	[SW_CHART] = { "chart", 0, NULL, 0, 1, 0, NULL,
	  "a bar chart under the table, even when not a terminal" },
	[NSWEEP] = { NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

/* A demo's own line takes these too, for mpi among its modes (mixed.c). */
enum { MX_NET, MX_HOSTS, NMIXED };

static const struct optdef mixed_opts[] = {
	[MX_NET] = OPT_NET,
	[MX_HOSTS] = { "hosts", 0, "H1,H2...", 1, 0, 0, NULL,
	  "the MPI ranks across these hosts (needs --net tcp)" },
	[NMIXED] = { NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

/* The common options the ranks cannot follow: refused with mpi in a list. */
static const int not_mixed[] = { C_DURATION, C_INJECT, C_TRACE, C_TIMELINE,
    C_JITTER, C_REPEAT, C_EXPLORE, C_SCHEDULE, C_STEP, C_STORY };

/* One demo-running command line, read. */
struct cmdline {
	const char		*who;		/* for messages: the demo, or the command */
	const struct worker	*demo;		/* NULL for all */
	struct params		 p;
	struct view		 view;
	long long		 cv[NCOMMON];
	const char		*cs[NCOMMON];
	struct optset		 set[3];	/* [sweep], common, [demo] */
	int			 nset;
	const struct optset	*demoset;
	int			 mpi_ok;	/* a demo's own line: mpi may be in -m */
	struct mpi_part		*mpi;		/* then its MPI part, checked */
};

/* "counter, falseshare, ...": the demos that declare cap. */
void
demos_with(unsigned cap, char *buf, size_t len)
{
	const struct worker *const *w;

	buf[0] = '\0';
	for (w = workers; *w != NULL; w++)
		if ((*w)->caps & cap)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    buf[0] != '\0' ? ", " : "", (*w)->name);
}

/* -t SEC: seconds with at most three decimals, 0.001..86400; ns, or 0 if not. */
static uint64_t
parse_duration(const char *s)
{
	uint64_t ms = 0;
	int digits = 0, decimals = -1;

	for (; *s != '\0'; s++) {
		if (*s == '.' && decimals < 0 && digits > 0) {
			decimals = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s) || decimals == 3 || ms > 86400000)
			return 0;
		ms = ms * 10 + (uint64_t)(*s - '0');
		digits++;
		decimals += decimals >= 0;
	}
	if (digits == 0 || decimals == 0)
		return 0;
	for (digits = decimals < 0 ? 0 : decimals; digits < 3; digits++)
		ms *= 10;
	return ms >= 1 && ms <= 86400000 ? ms * 1000000 : 0;
}

/* The common options' text values: faults, duration, trace file, seed. */
static void
read_text(struct cmdline *c)
{
	const char *msg, *errstr;

	if (c->cs[C_INJECT] != NULL && (msg = inject_parse(&c->p,
	    c->cs[C_INJECT])) != NULL)
		usage_error(c->who, "%s", msg);
	if (c->cs[C_DURATION] != NULL &&
	    (c->p.duration_ns = parse_duration(c->cs[C_DURATION])) == 0)
		usage_error(c->who, "--duration: '%s' is not 0.001..86400 "
		    "seconds (at most 3 decimals)", c->cs[C_DURATION]);
	if (c->cs[C_TRACE] != NULL && *c->cs[C_TRACE] == '\0')
		usage_error(c->who, "--trace: name a file");
	c->view.trace_path = c->cs[C_TRACE];
	c->p.seed = arc4random();
	if (c->cs[C_SEED] != NULL) {
		c->p.seed = (uint64_t)strtonum(c->cs[C_SEED], 0, UINT32_MAX, &errstr);
		if (errstr != NULL)
			usage_error(c->who, "--seed: '%s' is %s (0..4294967295)",
			    c->cs[C_SEED], errstr);
	}
}

/* The common numbers and keywords into params and view. */
static void
read_common(struct cmdline *c)
{
	static const unsigned modes[] = { [M_THREAD] = MODE_THREAD,
	    [M_PROCESS] = MODE_PROCESS, [M_BOTH] = MODE_BOTH, [M_COOP] = MODE_COOP,
	    [M_MPI] = MODE_MPI };
	const char *nc = getenv("NO_COLOR");
	unsigned i;

	read_text(c);
	c->p.demo = c->demo;
	c->p.modes = 0;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)	/* -m a,b: each one's bits */
		if (c->cv[C_MODE] >> i & 1)
			c->p.modes |= modes[i];
	c->p.timeout = c->cv[C_TIMEOUT];
	c->p.jitter_us = (unsigned)c->cv[C_JITTER];
	c->p.perturb = c->p.ninject > 0 || c->p.jitter_us > 0;
	c->p.story = (int)c->cv[C_STORY];
	c->view.format = (enum format)c->cv[C_FORMAT];
	c->view.timeline = (int)c->cv[C_TIMELINE];
	c->view.wide = (int)c->cv[C_WIDE];
	c->p.tracing = c->view.timeline || c->view.trace_path != NULL;
	c->view.color = c->view.format == FORMAT_TABLE &&
	    (c->cv[C_COLOR] == COLOR_ALWAYS || (c->cv[C_COLOR] == COLOR_AUTO &&
	    isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0')));
}

/* An option that prints for people (--timeline, --story, --step) needs the table. */
static void
check_people(const struct cmdline *c)
{
	if (c->p.story && c->demo != NULL && c->demo->story == NULL &&
	    c->cs[C_SCHEDULE] == NULL)
		usage_error(c->who, "--story: this demo tells one with --schedule");
	if (c->p.story && c->demo == NULL)
		usage_error(c->who, "--story tells one demo's run: run that demo");
	if (c->view.format == FORMAT_TABLE)
		return;
	if (c->view.timeline || c->p.story || c->cv[C_STEP])
		usage_error(c->who, "--%s prints for people: drop --format",
		    c->view.timeline ? "timeline" : c->p.story ? "story" : "step");
}

/* -t replaces the count: the demo must stop on time, and only the time be given. */
static void
check_duration(const struct cmdline *c)
{
	const struct optdef *o;
	char timed[160];
	int i;

	if (c->p.duration_ns == 0)
		return;
	demos_with(CAP_TIMED, timed, sizeof(timed));
	if (c->demo == NULL)
		usage_error(c->who, "--duration: all runs each demo's own count; "
		    "-t works with one of %s", timed);
	if (!(c->demo->caps & CAP_TIMED))
		usage_error(c->who, "--duration: this demo runs a fixed count; "
		    "-t works with %s", timed);
	if (c->p.modes & MODE_COOP)
		usage_error(c->who, "--duration: coop tasks share the launcher's "
		    "thread, which keeps the time; use thread or process");
	for (i = 0; c->demoset != NULL && (o = &c->demo->opts[i])->name; i++)
		if (o->key == 'n' && (c->demoset->given & 1u << i))
			usage_error(c->who, "--duration and --%s: give a time or a "
			    "count, not both", o->name);
	if (c->p.duration_ns >= (uint64_t)c->p.timeout * IPC_NS_PER_S)
		usage_error(c->who, "--duration must be shorter than --timeout "
		    "(%lld s)", c->p.timeout);
}

/* Whether the common option i was on the command line. */
static int
given(const struct cmdline *c, int i)
{
	int k;

	for (k = 0; k < c->nset; k++)
		if (c->set[k].defs == common_opts)
			return (c->set[k].given >> i) & 1;
	return 0;
}

/* --explore, --schedule, --step: one at a time, on a demo with points, nothing timed or perturbed. */
static void
check_sched(const struct cmdline *c)
{
	const char *opt = c->cv[C_EXPLORE] ? "--explore" : c->cs[C_SCHEDULE] ?
	    "--schedule" : c->cv[C_STEP] ? "--step" : NULL;
	char list[256];

	if (opt == NULL)
		return;
	if (!!c->cv[C_EXPLORE] + (c->cs[C_SCHEDULE] != NULL) + !!c->cv[C_STEP] > 1)
		usage_error(c->who, "--explore, --schedule and --step: choose one");
	demos_with(CAP_SCHED, list, sizeof(list));
	if (c->demo == NULL || !(c->demo->caps & CAP_SCHED))
		usage_error(c->who, "%s: %s; these have them: %s", opt, c->demo ==
		    NULL ? "it follows one demo's workers" :
		    "this demo has no scheduling points", list);
	if (c->p.duration_ns != 0)
		usage_error(c->who, "%s and --duration: a schedule is a count of "
		    "steps, not a time", opt);
	if (c->p.perturb)
		usage_error(c->who, "%s and --%s: the schedule decides who runs "
		    "when", opt, c->p.ninject ? "inject" : "jitter");
	if (c->p.modes == MODE_BOTH && given(c, C_MODE))
		usage_error(c->who, "%s and --mode both: %s", opt, c->cs[C_SCHEDULE] ?
		    "a schedule replays in coop, thread and process mode by "
		    "default; name one, or drop --mode" :
		    "it runs the workers as coop tasks in one process");
	if (!c->cs[C_SCHEDULE] && given(c, C_MODE) && c->p.modes != MODE_COOP)
		usage_error(c->who, "%s runs the workers as coop tasks in one "
		    "process: drop --mode", opt);
	if (!c->cs[C_SCHEDULE] && (c->p.tracing || c->cv[C_REPEAT] != 1))
		usage_error(c->who, "%s and --%s: not with these", opt,
		    c->p.tracing ? "trace or --timeline" : "repeat");
}

/* --schedule S: a worker number per step, each a worker of this run; then each step possible. */
static void
read_schedule(struct cmdline *c)
{
	static uint16_t *steps;
	const char *s = c->cs[C_SCHEDULE], *msg;
	unsigned n = 0, nw = c->demo->nworkers(&c->p);
	unsigned long w;
	char *end;

	if ((steps = calloc(strlen(s) / 2 + 1, sizeof(*steps))) == NULL)
		err(1, "--schedule");
	for (; *s != '\0'; s = end + (*end == ',')) {
		errno = 0;
		w = isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : ULONG_MAX;
		if (w == ULONG_MAX || errno != 0 || (*end != ',' && *end != '\0') ||
		    (*end == ',' && end[1] == '\0'))
			usage_error(c->who, "--schedule: step %u: not a worker number "
			    "(e.g. 0,0,1,1)", n + 1);
		if (w >= nw)
			usage_error(c->who, "--schedule: step %u: no worker %lu "
			    "(0..%u)", n + 1, w, nw - 1);
		steps[n++] = (uint16_t)w;
	}
	if (n == 0)
		usage_error(c->who, "--schedule: name the worker of each step, "
		    "e.g. 0,0,1,1");
	c->p.schedule = steps;
	c->p.schedule_len = n;
	if ((msg = schedule_check(&c->p)) != NULL)
		usage_error(c->who, "--schedule: %s", msg);
}

/* Everything that can be refused is refused here, before anything is created. */
static void
check_common(struct cmdline *c)
{
	const char *msg;
	double bound;

	check_sched(c);
	check_people(c);
	if ((c->p.modes & MODE_MPI) && !c->mpi_ok)
		usage_error(c->who, "-m mpi runs one demo: %s DEMO -m mpi, or "
		    "DEMO -m thread,process,mpi", getprogname());

	check_duration(c);
	if ((c->p.modes & MODE_COOP) && c->demo != NULL &&
	    !(c->demo->caps & CAP_COOP) && c->cs[C_SCHEDULE] == NULL)
		usage_error(c->who, "--mode coop: this demo has no cooperative version");
	if ((c->p.modes & MODE_COOP) && c->p.ninject > 0)
		usage_error(c->who, "--inject: coop tasks share one thread; use "
		    "thread or process");
	if (c->demo == NULL && c->p.ninject > 0)
		usage_error(c->who, "--inject names one demo's worker: run that demo");
	if (c->demo != NULL && c->demo->validate != NULL &&
	    (msg = c->demo->validate(&c->p)) != NULL)
		usage_error(c->who, "%s", msg);
	if (c->demo != NULL && (msg = inject_check(&c->p,
	    c->demo->nworkers(&c->p))) != NULL)
		usage_error(c->who, "%s", msg);
	/* Scheduled runs need the points, not a coop version: tasks yield at them. */
	if (c->cv[C_EXPLORE] || c->cv[C_STEP])
		c->p.modes = MODE_COOP;
	else if (c->cs[C_SCHEDULE] != NULL && !given(c, C_MODE))
		c->p.modes = MODE_BOTH | MODE_COOP;
	if (c->cs[C_SCHEDULE] != NULL)
		read_schedule(c);
	if (c->cv[C_STEP] && c->demo->variants != NULL &&
	    c->demo->variants(&c->p) > 1)
		usage_error(c->who, "--step: one variant at a time; choose one "
		    "(counter: -s none)");
	if (c->cv[C_EXPLORE] && (bound = explore_bound(&c->p)) > EXPLORE_LIMIT)
		usage_error(c->who, isinf(bound) ? "--explore: a run takes more "
		    "than %.0f steps; use fewer workers or iterations (-w 2 -n 2)" :
		    "--explore: up to %.2g schedules, past the 1e12 it explores; "
		    "use fewer workers or iterations (-w 3 -n 3 has 1.7e7)",
		    isinf(bound) ? (double)EXPLORE_STEPS : bound);
}

/* Read argv (argv[0] the command) against [extra], the common options and the demo's. */
static void
read_line(struct cmdline *c, int argc, char **argv, const struct optdef *extra,
    long long *ev, const char **es)
{
	memset(&c->p, 0, sizeof(c->p));
	memset(&c->view, 0, sizeof(c->view));
	memset(c->cs, 0, sizeof(c->cs));
	c->nset = 0;
	c->demoset = NULL;
	if (extra != NULL)
		c->set[c->nset++] = (struct optset){ extra, ev, es, 0 };
	c->set[c->nset++] = (struct optset){ common_opts, c->cv, c->cs, 0 };
	if (c->demo != NULL) {
		c->demoset = &c->set[c->nset];
		c->set[c->nset++] = (struct optset){ c->demo->opts, c->p.v, NULL, 0 };
	}
	parse_args(c->who, argc, argv, c->set, c->nset);
	if (c->cv[C_HELP] && c->demo != NULL)
		demo_help(c->demo);
	if (c->cv[C_HELP])
		cmd_help(cmd_find(argv[0]));
	read_common(c);
}

/* -t on a terminal: how far along the run is, on one line of stderr. */
static void
show_progress(const struct run *r, uint64_t ns, void *arg)
{
	(void)arg;
	if (!isatty(STDERR_FILENO))
		return;
	if (ns == UINT64_MAX)
		fputs("\r\033[K", stderr);	/* the report, or a failure, goes there */
	else
		fprintf(stderr, "\r%s %s: %.1f s of %.1f s", r->demo->name,
		    mode_name(r->mode), (double)ns / 1e9,
		    (double)r->p->duration_ns / 1e9);
}

/* After each run: its trace and timeline, and the demo's story for people. */
static void
show_run(const struct run *r, const struct result *res, void *arg)
{
	const struct view *v = arg;

	trace_show(r, res);
	if (v->format == FORMAT_TABLE && r->p->story && r->sched != NULL)
		schedule_story(r, stdout);
	else if (v->format == FORMAT_TABLE && r->demo->story != NULL) {
		r->demo->story(r, stdout);
		fflush(stdout);
	}
}

/* Run what the command line asked for and report it; the exit status. */
static int
session(struct cmdline *c, const struct sweep *sw)
{
	const struct run_watch watch = { show_progress, show_run, &c->view };
	struct report rep;
	int rc, wrc, status;

	if (c->view.trace_path != NULL && (rc = trace_open(c->view.trace_path,
	    &c->p, (int)c->cv[C_REPEAT])) != 0)
		usage_error(c->who, "--trace: %s: %s", c->view.trace_path,
		    strerror(rc));
	trace_timeline(c->view.timeline);
	run_signals_init();
	report_begin(&rep, &c->p, &c->view, c->demo != NULL ? c->demo->name :
	    "all", c->demo != NULL ? c->demo->proves :
	    "each demo's own invariant, threads and processes");
	rep.stream = c->demo == NULL;	/* all: each row as it comes */
	status = sw != NULL ? run_sweep(&c->p, sw, &c->view, &rep) :
	    c->demo == NULL ? run_all(&c->p, &rep) : c->mpi != NULL ?
	    run_mixed(&c->p, &watch, c->mpi, &rep) : c->cv[C_EXPLORE] ?
	    explore_demo(&c->p, &rep) : c->cv[C_STEP] ? step_demo(&c->p, &rep) :
	    run_demo(&c->p, &watch,
	    (int)c->cv[C_REPEAT], &rep);
	/* Results that could not be written are a failure, unless nobody reads them. */
	if ((wrc = report_end(&rep)) != 0 && wrc != EPIPE)
		errc(1, wrc, "stdout");
	if ((rc = trace_close()) != 0)
		errc(1, rc, "--trace: %s", c->view.trace_path);
	if (wrc == EPIPE)
		exit(status);
	finish(status);
}

/*
 * mpi among the demo's modes (-m thread,process,mpi): a demo with an MPI
 * form, no option the ranks cannot follow, its options mapped (mixed.c);
 * --net and --hosts only then.  Before anything runs.
 */
static void
check_mixed(const struct cmdline *c, const char **xs)
{
	char have[160];
	size_t i;

	if (!(c->p.modes & MODE_MPI)) {
		if (c->set[0].given != 0)
			usage_error(c->who, "--%s goes with mpi among the modes "
			    "(-m mpi, -m thread,process,mpi)", xs[MX_HOSTS] != NULL ?
			    "hosts" : "net");
		return;
	}
	if (!(c->demo->caps & CAP_MPI)) {
		demos_with(CAP_MPI, have, sizeof(have));
		usage_error(c->who, "-m ...,mpi: this demo has no MPI form; %s "
		    "have one", have);
	}
	for (i = 0; i < sizeof(not_mixed) / sizeof(not_mixed[0]); i++)
		if (given(c, not_mixed[i]))
			usage_error(c->who, "--%s: not with mpi among the modes; "
			    "leave mpi out of -m, or run -m mpi apart",
			    common_opts[not_mixed[i]].name);
}

/* shmsync DEMO [options] */
int
exec_demo(const struct cmd_entry *e, int argc, char **argv)
{
	struct cmdline c = { .who = e->name, .demo = e->demo, .mpi_ok = 1 };
	const char *xs[NMIXED] = { NULL };
	long long xv[NMIXED];

	if (mpi_wanted(argc, argv))
		return exec_mpi(e, argc, argv);
	read_line(&c, argc, argv, mixed_opts, xv, xs);
	check_mixed(&c, xs);
	check_common(&c);
	if (c.p.modes & MODE_MPI)
		c.mpi = mixed_prepare(c.who, &c.p, c.demoset->given, xv[MX_NET],
		    xs[MX_HOSTS]);
	return session(&c, NULL);
}

/* shmsync all [options]: every demo with its defaults. */
int
exec_all(const struct cmd_entry *e, int argc, char **argv)
{
	struct cmdline c = { .who = e->name };

	read_line(&c, argc, argv, NULL, NULL, NULL);
	check_common(&c);
	if (c.cv[C_REPEAT] != 1)
		usage_error(c.who, "--repeat: all runs each demo once; repeat one "
		    "demo, or sweep it");
	if (c.p.tracing)
		usage_error(c.who, "--trace and --timeline follow one demo's runs: "
		    "run that demo");
	return session(&c, NULL);
}

/* shmsync sweep DEMO --workers LIST [--repeat R] [--plot FILE] [--chart] [options] */
int
exec_sweep(const struct cmd_entry *e, int argc, char **argv)
{
	struct cmdline c = { .who = NULL };
	long long sv[NSWEEP];
	const char *ss[NSWEEP] = { NULL }, *msg;
	struct sweep sw;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		cmd_help(e);
	if (argc < 2 || argv[1][0] == '-')
		usage_error(e->name, "name a demo; '%s list' shows them",
		    getprogname());
	c.demo = demo_arg(e->name, argv[1]);
	c.who = c.demo->name;
	read_line(&c, argc - 1, argv + 1, sweep_opts, sv, ss);
	if (ss[SW_WORKERS] == NULL)
		usage_error(c.who, "sweep: --workers LIST is required (e.g. 1,2,4,8)");
	if ((msg = sweep_grid(ss[SW_WORKERS], &sw)) != NULL)
		usage_error(c.who, "sweep: %s", msg);
	sw.repeat = (int)sv[SW_REPEAT];
	sw.plot = ss[SW_PLOT];
	sw.chart = (int)sv[SW_CHART];
	if (sw.chart && c.view.format != FORMAT_TABLE)
		usage_error(c.who, "sweep: --chart draws under the table: drop --format");
	check_common(&c);
	if (c.p.tracing)
		usage_error(c.who, "--trace and --timeline follow one demo's runs: "
		    "run that demo");
	if ((msg = sweep_check(&c.p, &sw)) != NULL)
		usage_error(c.who, "%s", msg);
	return session(&c, &sw);
}
