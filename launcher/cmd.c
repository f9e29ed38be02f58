/*
 * cmd.c - the command table: every subcommand is an entry (a name, what
 * it takes, its help, its options, an exec function), as tmux's cmd_table.
 * A demo's entry is generated from workers.def; the rest are written here.
 * Help, usage and completion (complete.c) are read off this table.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "explain.h"
#include "sweep.h"

static int exec_list(const struct cmd_entry *, int, char **);
static int exec_explain(const struct cmd_entry *, int, char **);
static int exec_help(const struct cmd_entry *, int, char **);
static int exec_version(const struct cmd_entry *, int, char **);

#define WORKER(n)	static const struct cmd_entry cmd_##n = { .name = #n, \
	.usage = "[options]", .opts = NULL, .flags = CMD_COMMON, \
	.demo = &worker_##n, .exec = exec_demo };
#include "../workers/workers.def"
#undef WORKER

static const struct cmd_entry cmd_all = { .name = "all", .usage = "[options]",
	.help = "every demo with its defaults, one summary table",
	.flags = CMD_COMMON, .exec = exec_all };
static const struct cmd_entry cmd_sweep = { .name = "sweep",
	.usage = "DEMO --workers LIST [--repeat R] [--plot FILE.svg] [--chart]",
	.help = "one demo over a grid of worker counts",
	.opts = sweep_opts, .flags = CMD_COMMON | CMD_DEMOARG, .exec = exec_sweep };
static const struct cmd_entry cmd_bench = { .name = "bench", .usage = "[options]",
	.help = "measure: guards, queues, barriers, latency, spawning",
	.opts = bench_opts, .exec = exec_bench };
static const struct cmd_entry cmd_list = { .name = "list", .usage = "",
	.help = "the demos, a line each", .exec = exec_list };
static const struct cmd_entry cmd_explain = { .name = "explain", .usage = "DEMO",
	.help = "what a demo shows, with what, how to read it, what to try",
	.flags = CMD_DEMOARG, .exec = exec_explain };
static const struct cmd_entry cmd_clean = { .name = "clean", .usage = "",
	.help = "remove the /dev/shm names a dead launcher left",
	.exec = exec_clean };
static const struct cmd_entry cmd_help_entry = { .name = "help", .alias = "--help",
	.usage = "[DEMO]", .help = "this help, or a demo's",
	.flags = CMD_DEMOARG, .exec = exec_help };
static const struct cmd_entry cmd_help_short = { .name = "-h", .usage = "",
	.flags = CMD_HIDDEN, .exec = exec_help };
static const struct cmd_entry cmd_completion = { .name = "completion",
	.usage = "bash", .help = "a bash completion script, from this table",
	.exec = exec_completion };
static const struct cmd_entry cmd_version = { .name = "--version", .alias = "-V",
	.usage = "", .flags = CMD_HIDDEN, .exec = exec_version };

const struct cmd_entry *const cmd_table[] = {
#define WORKER(n)	&cmd_##n,
#include "../workers/workers.def"
#undef WORKER
	&cmd_all, &cmd_sweep, &cmd_bench, &cmd_list, &cmd_explain, &cmd_clean,
	&cmd_help_entry, &cmd_help_short, &cmd_completion, &cmd_version, NULL
};

static const char exit_text[] =
    "exit status: 0 as expected (a race shown by an unguarded run included),\n"
    "             1 an invariant broke, a worker failed (one line on stderr\n"
    "             names it) or a run passed its --timeout,\n"
    "             2 usage error (nothing is created),\n"
    "             128+N killed by signal N (SIGINT, SIGTERM, SIGHUP: workers\n"
    "             stopped and reaped, every name removed first)\n";

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *c;

	for (c = cmd_table; *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0 ||
		    ((*c)->alias != NULL && strcmp((*c)->alias, name) == 0))
			return *c;
	return NULL;
}

/* "; did you mean 'counter'?" for "countr": among the demos, or every command. */
const char *
near_command(const char *typo, int demos_only)
{
	const char *names[64];
	int n = 0, i;

	for (i = 0; cmd_table[i] != NULL && n < 64; i++)
		if (!demos_only || cmd_table[i]->demo != NULL)
			names[n++] = cmd_table[i]->name;
	return did_you_mean(typo, names, n, "");
}

/* The demo a command names as its argument, or a usage error. */
const struct worker *
demo_arg(const char *who, const char *name)
{
	const struct worker *w;

	if ((w = worker_find(name)) == NULL)
		usage_error(who, "unknown demo '%s'%s; '%s list' shows them", name,
		    near_command(name, 1), getprogname());
	return w;
}

/* Exit with status, unless stdout could not be written: then that is the failure. */
__dead void
finish(int status)
{
	/* A reader that stopped reading (| head -1) is no error; a full disk is. */
	errno = 0;
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE)
		errc(1, errno != 0 ? errno : EIO, "stdout");
	exit(status);
}

/* An option's help; %coop, %timed and %sched become the demos that declare them. */
static void
print_help_text(const char *lhs, const char *help)
{
	char text[1024], list[256];
	const char *at, *tag;
	size_t n;

	text[0] = '\0';
	while ((at = strchr(help, '%')) != NULL) {
		tag = strncmp(at, "%coop", 5) == 0 ? "%coop" :
		    strncmp(at, "%timed", 6) == 0 ? "%timed" :
		    strncmp(at, "%sched", 6) == 0 ? "%sched" :
		    strncmp(at, "%mpi", 4) == 0 ? "%mpi" : NULL;
		n = (size_t)(at - help) + (tag == NULL);
		strncat(text, help, n < sizeof(text) - strlen(text) - 1 ? n :
		    sizeof(text) - strlen(text) - 1);
		help = at + (tag != NULL ? strlen(tag) : 1);
		if (tag == NULL)
			continue;
		demos_with(tag[1] == 'c' ? CAP_COOP : tag[1] == 't' ? CAP_TIMED :
		    tag[1] == 's' ? CAP_SCHED : CAP_MPI, list, sizeof(list));
		strlcat(text, list, sizeof(text));
	}
	strlcat(text, help, sizeof(text));
	printf("  %-22s %s", lhs, text);
}

static void
print_opt(const struct optdef *o)
{
	char lhs[64], range[160];
	int i, first;

	snprintf(lhs, sizeof(lhs), "%c%c%c --%s%s%s", o->key ? '-' : ' ',
	    o->key ? o->key : ' ', o->key ? ',' : ' ', o->name, o->arg ? " " : "",
	    o->arg ? o->arg : "");
	print_help_text(lhs, o->help);
	if (opt_is_list(o)) {
		join_choices(o->choices, range, sizeof(range));
		printf("\n  %-22s (%s, or a comma list of them; default ", "", range);
		for (i = 0, first = 1; o->choices[i] != NULL; i++)
			if (o->def >> i & 1)
				printf("%s%s", first ? "" : ",", o->choices[i]), first = 0;
		printf(")\n");
	} else if (o->choices != NULL) {
		join_choices(o->choices, range, sizeof(range));
		printf("\n  %-22s (%s; default %s)\n", "", range, o->choices[o->def]);
	} else if (o->arg != NULL && o->min <= o->max && o->def >= o->min)
		printf(" (%lld..%lld; default %lld)\n", o->min, o->max, o->def);
	else if (o->arg != NULL && o->min <= o->max)
		printf(" (%lld..%lld)\n", o->min, o->max);
	else
		printf("\n");
}

void
print_opts(const struct optdef *o)
{
	for (; o != NULL && o->name != NULL; o++)
		print_opt(o);
}

__dead void
demo_help(const struct worker *w)
{
	printf("usage: %s %s [options]\n\n%s\nchecks: %s\n", getprogname(),
	    w->name, w->desc, w->proves);
	if (w->caps & CAP_MPI)
		printf("over MPI ranks: %s %s -m mpi --help (make mpi)\n"
		    "in one table with threads and processes: -m thread,process,mpi\n"
		    "  [--net shm|tcp] [--hosts H1,H2...] (options given go to the\n"
		    "  MPI form by name; the rest take its defaults)\n",
		    getprogname(), w->name);
	printf("\noptions:\n");
	print_opts(w->opts);
	printf("\ncommon options:\n");
	print_opts(common_opts);
	printf("\n%s", exit_text);
	finish(0);
}

/* A command's own help: its usage line, its options, the common ones. */
__dead void
cmd_help(const struct cmd_entry *e)
{
	if (e->demo != NULL)
		demo_help(e->demo);
	printf("usage: %s %s%s%s\n\n%s.\n", getprogname(), e->name,
	    *e->usage != '\0' ? " " : "", e->usage, e->help);
	if (e->opts != NULL) {
		printf("\noptions:\n");
		print_opts(e->opts);
	}
	if (e->flags & CMD_COMMON) {
		printf("\ncommon options%s:\n", e->flags & CMD_DEMOARG ?
		    " (and the demo's own)" : "");
		print_opts(common_opts);
	}
	printf("\n%s", exit_text);
	finish(0);
}

/* The whole program's help: the commands, the demos, the common options. */
static __dead void
main_help(void)
{
	const struct cmd_entry *const *c;

	printf("usage: %s DEMO [options]\n", getprogname());
	for (c = cmd_table; *c != NULL; c++)
		if ((*c)->demo == NULL && !((*c)->flags & CMD_HIDDEN))
			printf("       %s %s%s%s\n", getprogname(), (*c)->name,
			    *(*c)->usage != '\0' ? " " : "", (*c)->usage);
	printf("       %s --version\n\n"
	    "Synchronization between processes sharing POSIX shared memory,\n"
	    "side by side with the same code run as threads.\n\ncommands:\n",
	    getprogname());
	for (c = cmd_table; *c != NULL; c++)
		if ((*c)->demo == NULL && !((*c)->flags & CMD_HIDDEN))
			printf("  %-10s %s\n", (*c)->name, (*c)->help);
	printf("\nclean removes the /dev/shm names (shmsync.PID.START... and\n"
	    "sem.shmsync.PID.START...) of the calling user whose launcher is dead\n"
	    "(its pid gone, or reused with another start time), and prints each.\n"
	    "\ndemos:\n");
	for (c = cmd_table; *c != NULL; c++)
		if ((*c)->demo != NULL)
			printf("  %-10s %s\n", (*c)->name, (*c)->demo->desc);
	printf("\ncommon options (every demo; '%s DEMO --help' for the rest):\n",
	    getprogname());
	print_opts(common_opts);
	printf("\n%s", exit_text);
	finish(0);
}

/* A command that takes no argument, or exactly n of them. */
static void
want_args(const struct cmd_entry *e, int argc, char **argv, int n)
{
	if (argc - 1 > n)
		usage_error(NULL, "%s: unexpected argument '%s'", e->name, argv[n + 1]);
}

static int
exec_help(const struct cmd_entry *e, int argc, char **argv)
{
	want_args(e, argc, argv, 1);
	if (argc == 1 || strcmp(e->name, "-h") == 0)
		main_help();
	demo_help(demo_arg(NULL, argv[1]));
}

static int
exec_version(const struct cmd_entry *e, int argc, char **argv)
{
	(void)e, (void)argc, (void)argv;
	printf("shmsync %s\n", VERSION);
	finish(0);
}

static int
exec_list(const struct cmd_entry *e, int argc, char **argv)
{
	const struct worker *const *w;

	want_args(e, argc, argv, 0);
	for (w = workers; *w != NULL; w++)
		printf("%-10s %s%s\n", (*w)->name, (*w)->desc,
		    (*w)->caps & CAP_MPI ? "  (-m mpi)" : "");
	finish(0);
}

/* The short lesson: what the demo shows, with what, how to read it, what to try. */
static int
exec_explain(const struct cmd_entry *e, int argc, char **argv)
{
	const struct worker *w;

	if (argc != 2)
		usage_error(NULL, "explain: name one demo; '%s list' shows them",
		    getprogname());
	if ((w = worker_find(argv[1])) == NULL)
		usage_error(NULL, "explain: unknown demo '%s'%s; '%s list' shows "
		    "them", argv[1], near_command(argv[1], 1), getprogname());
	(void)e;
	printf("%s: %s\n\nChecks: %s.\n\n%s", w->name, w->desc, w->proves,
	    w->explain);
	if (w->caps & CAP_MPI)
		printf("\n%s", w->mpi->explain);
	explain_code_print(stdout, w->name);
	finish(0);
}

int
exec_clean(const struct cmd_entry *e, int argc, char **argv)
{
	want_args(e, argc, argv, 0);
	return clean_names();
}

int
exec_completion(const struct cmd_entry *e, int argc, char **argv)
{
	(void)e;
	if (argc != 2 || strcmp(argv[1], "bash") != 0)
		usage_error(NULL, "completion: only 'completion bash' exists");
	completion_bash();
	finish(0);
}
