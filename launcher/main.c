/*
 * main.c - shmsync: synchronization between processes over POSIX shared
 * memory, side by side with the same code run as threads.
 *
 * Reads the command line into struct params from the demo's own option table,
 * then runs it and reports.  Exit status: 0 done as expected, 1 an invariant
 * broke or a worker failed, 2 usage error, 128+N killed by signal N.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "sweep.h"
#include "trace.h"

#define VERSION		"0.1.0"
#define MAX_ALLOPTS	(MAX_OPTS + 8)

enum { C_MODE, C_FORMAT, C_TIMEOUT, C_DURATION, C_INJECT, C_COLOR, C_TRACE,
    C_TIMELINE, C_SEED, C_JITTER, C_HELP, NCOMMON };
enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

static const char *const mode_names[] = { "thread", "process", "both", "coop", NULL };
static const char *const format_names[] = { "table", "csv", "json", NULL };
static const char *const color_names[] = { "auto", "always", "never", NULL };

static const struct optdef common_opts[] = {
	{ "mode", 'm', "MODE", 0, 0, 2, mode_names,
	  "run the workers as threads, processes, both side by side, or\n"
	  "                         coop: tasks in one thread that switch only\n"
	  "                         where they yield (counter, semaphore, event,\n"
	  "                         queue, barrier)" },
	{ "format", 'f', "FMT", 0, 0, FORMAT_TABLE, format_names,
	  "an aligned table, CSV with a header, or JSON Lines" },
	{ "timeout", 'T', "SEC", 1, 86400, 60, NULL,
	  "deadline of every wait and of each run; past it\n"
	  "                         the launcher stops the workers (exit 1)" },
	{ "duration", 't', "SEC", 1, 0, 0, NULL,	/* text: min > max */
	  "run for SEC seconds (0.001..86400, to the ms) instead\n"
	  "                         of a count: counter, falseshare, pingpong,\n"
	  "                         queue; progress on stderr if it is a terminal" },
	{ "inject", 0, "SPEC", 1, 0, 0, NULL,		/* text: min > max */
	  "ACTION@W:ITER[,...]: worker W (from 0) fails on\n"
	  "                         reaching iteration ITER, inside its critical\n"
	  "                         section; ACTION kill, abort, exit (status 3) or\n"
	  "                         stall (sleep until the deadline).  A thread\n"
	  "                         killed or exited ends alone; abort ends all" },
	{ "color", 0, "WHEN", 0, 0, COLOR_AUTO, color_names,
	  "colour the table's verdicts: auto (a terminal, and\n"
	  "                         NO_COLOR unset or empty), always, never" },
	{ "trace", 0, "FILE", 1, 0, 0, NULL,		/* text: min > max */
	  "record every worker's lock, wait, queue and barrier\n"
	  "                         events; write them to FILE as Chrome trace\n"
	  "                         events (open in ui.perfetto.dev): a run a\n"
	  "                         process, a worker a thread" },
	{ "timeline", 0, NULL, 0, 1, 0, NULL,
	  "after each run, draw a lane per worker across the\n"
	  "                         terminal: # holds, = reads, . waits, - runs" },
	{ "seed", 0, "N", 1, 0, 0, NULL,		/* text: min > max */
	  "seed of every random choice (--jitter's delays,\n"
	  "                         order's and deadlock's pauses), 0..4294967295;\n"
	  "                         by default one drawn at random; echoed" },
	{ "jitter", 0, "US", 0, 1000000, 0, NULL,
	  "pause each worker 0..US microseconds at each\n"
	  "                         iteration, inside its critical section: the\n"
	  "                         delays follow from the seed, worker and iteration" },
	{ "help", 'h', NULL, 0, 1, 0, NULL, "show this help" },
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

static const char exit_text[] =
    "exit status: 0 as expected (a race shown by an unguarded run included),\n"
    "             1 an invariant broke, a worker failed (one line on stderr\n"
    "             names it) or a run passed its --timeout,\n"
    "             2 usage error (nothing is created),\n"
    "             128+N killed by signal N (SIGINT, SIGTERM, SIGHUP: workers\n"
    "             stopped and reaped, every name removed first)\n";

static __dead void
usage_error(const struct worker *w, const char *fmt, ...)
{
	char msg[256], *q;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* A control character from argv must not break the message's one line. */
	for (q = msg; *q != '\0'; q++)
		if (iscntrl((unsigned char)*q))
			*q = '?';
	if (w != NULL)
		errx(2, "%s: %s", w->name, msg);
	errx(2, "%s", msg);
}

/* Exit with status, unless stdout could not be written: then that is the failure. */
static __dead void
finish(int status)
{
	/* A reader that stopped reading (| head -1) is no error; a full disk is. */
	errno = 0;
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE)
		errc(1, errno != 0 ? errno : EIO, "stdout");
	exit(status);
}

static void
join_choices(const char *const *c, char *buf, size_t len)
{
	buf[0] = '\0';
	for (; *c != NULL; c++) {
		if (buf[0] != '\0')
			strlcat(buf, "|", len);
		strlcat(buf, *c, len);
	}
}

static void
print_opt(const struct optdef *o)
{
	char lhs[64], range[160];

	snprintf(lhs, sizeof(lhs), "%c%c%c --%s%s%s", o->key ? '-' : ' ',
	    o->key ? o->key : ' ', o->key ? ',' : ' ', o->name, o->arg ? " " : "",
	    o->arg ? o->arg : "");
	if (o->choices != NULL) {
		join_choices(o->choices, range, sizeof(range));
		printf("  %-22s %s\n  %-22s (%s; default %s)\n", lhs, o->help, "",
		    range, o->choices[o->def]);
	} else if (o->arg != NULL && o->min <= o->max)
		printf("  %-22s %s (%lld..%lld; default %lld)\n", lhs, o->help,
		    o->min, o->max, o->def);
	else
		printf("  %-22s %s\n", lhs, o->help);
}

static __dead void
demo_help(const struct worker *w)
{
	const struct optdef *o;

	printf("usage: %s %s [options]\n\n%s\nchecks: %s\n\noptions:\n",
	    getprogname(), w->name, w->desc, w->proves);
	for (o = w->opts; o->name != NULL; o++)
		print_opt(o);
	printf("\ncommon options:\n");
	for (o = common_opts; o->name != NULL; o++)
		print_opt(o);
	printf("\n%s", exit_text);
	finish(0);
}

static __dead void
main_help(void)
{
	const struct worker *const *w;
	const struct optdef *o;

	printf("usage: %s DEMO [options]\n"
	    "       %s all | list | explain DEMO | clean | completion bash\n"
	    "       %s help [DEMO] | --help | --version\n"
	    "       %s sweep DEMO --workers LIST [--repeat R] [--plot FILE.svg] [--chart]\n"
	    "       %s bench [options]   (measure; '%s bench --help')\n\n"
	    "Synchronization between processes sharing POSIX shared memory,\n"
	    "side by side with the same code run as threads.\n\n"
	    "clean removes the /dev/shm names (shmsync.PID.START... and\n"
	    "sem.shmsync.PID.START...) of the calling user whose launcher is dead\n"
	    "(its pid gone, or reused with another start time), and prints each.\n"
	    "\ndemos:\n", getprogname(), getprogname(), getprogname(),
	    getprogname(), getprogname(), getprogname());
	for (w = workers; *w != NULL; w++)
		printf("  %-10s %s\n", (*w)->name, (*w)->desc);
	printf("\ncommon options (every demo; '%s DEMO --help' for the rest):\n",
	    getprogname());
	for (o = common_opts; o->name != NULL; o++)
		print_opt(o);
	printf("\n%s", exit_text);
	finish(0);
}

/* One option's value: 1 for a flag, a keyword's index, or a number in bounds. */
static long long
parse_value(const struct worker *w, const struct optdef *o, const char *arg)
{
	const char *errstr;
	char names[160];
	long long v;
	int i;

	if (o->arg == NULL)
		return 1;
	if (o->choices != NULL) {
		for (i = 0; o->choices[i] != NULL; i++)
			if (strcmp(o->choices[i], arg) == 0)
				return i;
		join_choices(o->choices, names, sizeof(names));
		usage_error(w, "--%s: unknown %s '%s' (one of %s)", o->name,
		    o->arg, arg, names);
	}
	v = strtonum(arg, o->min, o->max, &errstr);
	if (errstr != NULL)
		usage_error(w, "--%s: '%s' is %s (%lld..%lld)", o->name, arg,
		    errstr, o->min, o->max);
	return v;
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

/* -t replaces the count: the demo must stop on time, and only the time be given. */
static void
check_duration(const struct worker *w, const struct params *p, const char *count)
{
	const struct worker *const *d;
	char timed[160] = "";

	if (p->duration_ns == 0)
		return;
	for (d = workers; *d != NULL; d++)
		if ((*d)->timed)
			snprintf(timed + strlen(timed), sizeof(timed) - strlen(timed),
			    "%s%s", timed[0] != '\0' ? ", " : "", (*d)->name);
	if (w == &all_demo)
		usage_error(w, "--duration: all runs each demo's own count; "
		    "-t works with one of %s", timed);
	if (!w->timed)
		usage_error(w, "--duration: this demo runs a fixed count; "
		    "-t works with %s", timed);
	if (p->modes == MODE_COOP)
		usage_error(w, "--duration: coop tasks share the launcher's "
		    "thread, which keeps the time; use thread or process");
	if (count != NULL)
		usage_error(w, "--duration and --%s: give a time or a count, "
		    "not both", count);
	if (p->duration_ns >= (uint64_t)p->timeout * 1000000000u)
		usage_error(w, "--duration must be shorter than --timeout (%lld s)",
		    p->timeout);
}

/* getopt_long's tables from the common options followed by the demo's. */
static int
build_opts(const struct worker *w, const struct optdef **defs,
    struct option *lo, char *so, size_t solen)
{
	const struct optdef *o;
	char key[3];
	int n = 0, pass;

	strlcpy(so, ":", solen);
	for (pass = 0; pass < 2; pass++) {
		for (o = pass ? w->opts : common_opts; o->name != NULL; o++) {
			if (n == MAX_ALLOPTS)
				errx(1, "%s: too many options", w->name);
			defs[n] = o;
			lo[n] = (struct option){ o->name, o->arg ? required_argument :
			    no_argument, NULL, 256 + n };
			snprintf(key, sizeof(key), "%c%s", o->key, o->arg ? ":" : "");
			if (o->key != 0)
				strlcat(so, key, solen);
			n++;
		}
	}
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	return n;
}

static int
opt_index(const struct optdef **defs, int n, int c)
{
	int i;

	if (c >= 256)
		return c - 256;
	for (i = 0; i < n; i++)
		if (defs[i]->key == c)
			return i;
	return -1;
}

/* A common option whose value is text, not a number: 1 if i is one (taken). */
static int
text_opt(const struct worker *w, struct params *p, int i, const char *arg,
    int *seeded)
{
	const char *msg, *errstr;

	switch (i) {
	case C_INJECT:
		if ((msg = inject_parse(p, arg)) != NULL)
			usage_error(w, "%s", msg);
		return 1;
	case C_DURATION:
		if ((p->duration_ns = parse_duration(arg)) == 0)
			usage_error(w, "--duration: '%s' is not 0.001..86400 "
			    "seconds (at most 3 decimals)", arg);
		return 1;
	case C_TRACE:
		if (*arg == '\0')
			usage_error(w, "--trace: name a file");
		p->trace_path = arg;
		return 1;
	case C_SEED:
		p->seed = (uint64_t)strtonum(arg, 0, UINT32_MAX, &errstr);
		if (errstr != NULL)
			usage_error(w, "--seed: '%s' is %s (0..4294967295)", arg,
			    errstr);
		*seeded = 1;
		return 1;
	default:
		return 0;
	}
}

/* argv[0] is the demo's name.  Any error is one line on stderr and exit 2. */
static void
parse(int argc, char **argv, const struct worker *w, struct params *p)
{
	const struct optdef *defs[MAX_ALLOPTS];
	struct option lo[MAX_ALLOPTS + 1];
	long long cv[NCOMMON] = { 0 };
	const char *count = NULL;
	char so[2 * MAX_ALLOPTS + 2];
	int c, i, n, seeded = 0;

	n = build_opts(w, defs, lo, so, sizeof(so));
	for (i = 0; i < n; i++)
		*(i < NCOMMON ? &cv[i] : &p->v[i - NCOMMON]) = defs[i]->def;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == '?' && optopt >= 256)
			usage_error(w, "option '--%s' takes no value",
			    defs[optopt - 256]->name);
		if (c == '?' && optopt != 0)
			usage_error(w, "unknown option '-%c'", optopt);
		if (c == '?')
			usage_error(w, "unknown option '%s'", argv[optind - 1]);
		if (c == ':')
			usage_error(w, "option '%s' needs a value", argv[optind - 1]);
		if ((i = opt_index(defs, n, c)) < 0)
			usage_error(w, "unknown option");
		if (text_opt(w, p, i, optarg, &seeded))
			continue;
		if (i >= NCOMMON && defs[i]->key == 'n')
			count = defs[i]->name;	/* the count -t replaces */
		*(i < NCOMMON ? &cv[i] : &p->v[i - NCOMMON]) =
		    parse_value(w, defs[i], optarg);
	}
	if (optind < argc)
		usage_error(w, "unexpected argument '%s'", argv[optind]);
	if (cv[C_HELP])
		demo_help(w);
	p->demo = w;
	p->modes = cv[C_MODE] == 0 ? MODE_THREAD : cv[C_MODE] == 1 ?
	    MODE_PROCESS : cv[C_MODE] == 2 ? MODE_BOTH : MODE_COOP;
	if (p->modes == MODE_COOP && w != &all_demo && !w->coop)
		usage_error(w, "--mode coop: this demo has no cooperative version");
	p->format = (enum format)cv[C_FORMAT];
	p->timeout = cv[C_TIMEOUT];
	p->timeline = (int)cv[C_TIMELINE];
	p->tracing = p->timeline || p->trace_path != NULL;
	p->seed = seeded ? p->seed : arc4random();
	p->jitter_us = (unsigned)cv[C_JITTER];
	if (p->timeline && p->format != FORMAT_TABLE)
		usage_error(w, "--timeline draws for people: drop --format");
	p->color = p->format == FORMAT_TABLE && (cv[C_COLOR] == COLOR_ALWAYS ||
	    (cv[C_COLOR] == COLOR_AUTO && isatty(STDOUT_FILENO) &&
	    (getenv("NO_COLOR") == NULL || *getenv("NO_COLOR") == '\0')));
	check_duration(w, p, count);
}

/* The short lesson: what the demo shows, with what, how to read it, what to try. */
static __dead void
explain(int argc, char *argv[])
{
	const struct worker *w;

	if (argc != 3)
		usage_error(NULL, "explain: name one demo; '%s list' shows them",
		    getprogname());
	if ((w = worker_find(argv[2])) == NULL)
		usage_error(NULL, "explain: unknown demo '%s'; '%s list' shows them",
		    argv[2], getprogname());
	printf("%s: %s\n\nChecks: %s.\n\n%s", w->name, w->desc, w->proves,
	    w->explain);
	finish(0);
}

static __dead void
list(void)
{
	const struct worker *const *w;

	for (w = workers; *w != NULL; w++)
		printf("%-10s %s\n", (*w)->name, (*w)->desc);
	finish(0);
}

int
main(int argc, char *argv[], char *envp[])
{
	const struct worker *w;
	const char *msg;
	struct params p;
	struct report rep;
	struct sweep sw;
	int rc, status, sweeping;

	/* Workers retitle themselves (setproctitle): make room in argv now. */
	setproctitle_init(argc, argv, envp);

	/* Commands that run no demo. */
	if (argc < 2)
		usage_error(NULL, "missing demo; '%s list' shows them, '%s --help' "
		    "explains", getprogname(), getprogname());
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		main_help();
	if (strcmp(argv[1], "help") == 0 && argc == 2)
		main_help();
	if (strcmp(argv[1], "help") == 0 && argc > 3)
		usage_error(NULL, "help: unexpected argument '%s'", argv[3]);
	if (strcmp(argv[1], "help") == 0 && argc == 3) {
		if ((w = worker_find(argv[2])) == NULL)
			usage_error(NULL, "unknown demo '%s'; '%s list' shows them",
			    argv[2], getprogname());
		demo_help(w);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("shmsync %s\n", VERSION);
		finish(0);
	}
	if (strcmp(argv[1], "explain") == 0)
		explain(argc, argv);
	if (strcmp(argv[1], "completion") == 0) {
		if (argc != 3 || strcmp(argv[2], "bash") != 0)
			usage_error(NULL, "completion: only 'completion bash' exists");
		completion_bash(common_opts);
		finish(0);
	}
	if (strcmp(argv[1], "list") == 0 && argc > 2)
		usage_error(NULL, "list: unexpected argument '%s'", argv[2]);
	if (strcmp(argv[1], "list") == 0)
		list();
	if (strcmp(argv[1], "clean") == 0 && argc == 2)
		return clean_names();
	if (strcmp(argv[1], "bench") == 0)
		return bench_main(argc - 1, argv + 1);
	/* sweep DEMO: take the grid out, then the rest is DEMO's command line. */
	if ((sweeping = strcmp(argv[1], "sweep") == 0)) {
		if (argc < 3 || (w = worker_find(argv[2])) == NULL)
			usage_error(NULL, "sweep: name a demo; '%s list' shows them",
			    getprogname());
		if ((msg = sweep_take(&argc, &argv, &sw)) != NULL)
			usage_error(w, "sweep: %s", msg);
		argc--;
		argv++;
	} else if (strcmp(argv[1], "all") == 0)
		w = &all_demo;
	else if ((w = worker_find(argv[1])) == NULL)
		usage_error(NULL, "unknown demo '%s'; '%s list' shows them",
		    argv[1], getprogname());

	/* Parse and check everything before anything is created. */
	memset(&p, 0, sizeof(p));
	parse(argc - 1, argv + 1, w, &p);
	if (sweeping && (msg = sweep_check(&p, &sw)) != NULL)
		usage_error(w, "%s", msg);
	if (sweeping && sw.chart && p.format != FORMAT_TABLE)
		usage_error(w, "sweep: --chart draws under the table: drop --format");
	if (w->validate != NULL && (msg = w->validate(&p)) != NULL)
		usage_error(w, "%s", msg);
	p.perturb = p.ninject > 0 || p.jitter_us > 0;
	if (p.modes == MODE_COOP && p.ninject > 0)
		usage_error(w, "--inject: coop tasks share one thread; use thread or process");
	if (w == &all_demo && p.ninject > 0)
		usage_error(w, "--inject names one demo's worker: run that demo");
	if (w != &all_demo && (msg = inject_check(&p, w->nworkers(&p))) != NULL)
		usage_error(w, "%s", msg);
	if ((sweeping || w == &all_demo) && (p.trace_path || p.timeline))
		usage_error(w, "--trace and --timeline follow one demo's runs: "
		    "run that demo");
	if (p.trace_path != NULL && (rc = trace_open(p.trace_path)) != 0)
		usage_error(w, "--trace: %s: %s", p.trace_path, strerror(rc));

	run_signals_init();
	report_begin(&rep, &p);
	status = sweeping ? run_sweep(&p, &sw, &rep) : w == &all_demo ?
	    run_all(&p, &rep) : run_demo(&p, &rep);
	/* Results that could not be written are a failure, unless nobody reads them. */
	if ((rc = report_end(&rep)) != 0 && rc != EPIPE)
		errc(1, rc, "stdout");
	if ((rc = trace_close()) != 0)
		errc(1, rc, "--trace: %s", p.trace_path);
	if (rc == EPIPE)
		exit(status);
	finish(status);
}
