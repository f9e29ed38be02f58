/*
 * cli.h - what the launcher alone knows: how runs are shown (the view),
 * the command table every subcommand is an entry of, and the one option
 * parser they all share.  See cmd.c, parse.c.
 */
#ifndef LAUNCHER_CLI_H
#define LAUNCHER_CLI_H

#include "../workers/worker.h"

#define VERSION		"0.1.0"

enum format {
	FORMAT_TABLE,
	FORMAT_CSV,
	FORMAT_JSON,
};

/* How the launcher shows runs: never seen by a demo. */
struct view {
	enum format	 format;
	int		 color;		/* colour the table's verdicts */
	const char	*trace_path;	/* --trace FILE, or NULL */
	int		 timeline;	/* --timeline */
	int		 wide;		/* --wide: every column, however wide */
};

/*
 * One option table a command line is read against, and where its values
 * go: v[i] (a number, a keyword's index, 1 for a flag) or, for a text
 * option, s[i]; bit i of given says defs[i] was on the command line.
 */
struct optset {
	const struct optdef	*defs;
	long long		*v;
	const char		**s;
	unsigned		 given;
};

/* A text option (a file, a list): its value is the string, checked by its owner. */
static inline int
opt_is_text(const struct optdef *o)
{
	return o->arg != NULL && o->choices == NULL && o->min > o->max;
}

/*
 * A keyword option that takes a comma list of its keywords (-m thread,mpi):
 * min 1 marks it; its value, and its default, have bit i for keyword i.
 */
static inline int
opt_is_list(const struct optdef *o)
{
	return o->choices != NULL && o->min == 1;
}

/* One subcommand: the command table (cmd.c) is a list of these. */
struct cmd_entry {
	const char		*name;
	const char		*alias;		/* another spelling (--help), or NULL */
	const char		*usage;		/* what follows the name */
	const char		*help;		/* one line for the main help */
	const struct optdef	*opts;		/* its own options, or NULL */
	int			 flags;		/* CMD_* */
	const struct worker	*demo;		/* a demo's entry: the demo */
	int			 (*exec)(const struct cmd_entry *, int, char **);
};

#define CMD_COMMON	0x1	/* it takes the common options too */
#define CMD_DEMOARG	0x2	/* its first argument names a demo */
#define CMD_HIDDEN	0x4	/* not listed among the commands */

extern const struct cmd_entry *const cmd_table[];	/* cmd.c */
extern const struct optdef common_opts[];		/* common.c */

const struct cmd_entry	*cmd_find(const char *);
const char		*near_command(const char *, int);
__dead void		 usage_error(const char *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
void			 join_choices(const char *const *, char *, size_t);
void			 parse_args(const char *, int, char **, struct optset *, int);
void			 print_opts(const struct optdef *);
__dead void		 finish(int);
const struct worker	*demo_arg(const char *, const char *);
__dead void		 demo_help(const struct worker *);
__dead void		 cmd_help(const struct cmd_entry *);
void			 demos_with(unsigned, char *, size_t);

/* The commands' exec functions. */
int	exec_demo(const struct cmd_entry *, int, char **);
int	exec_all(const struct cmd_entry *, int, char **);
int	exec_sweep(const struct cmd_entry *, int, char **);
int	exec_bench(const struct cmd_entry *, int, char **);
int	exec_completion(const struct cmd_entry *, int, char **);
int	exec_clean(const struct cmd_entry *, int, char **);

/* suggest.c: did you mean, counts as people write them, bounds. */
const char	*suggest(const char *, const char *const *, int);
const char	*did_you_mean(const char *, const char *const *, int, const char *);
long long	 parse_count(const char *, long long, long long, const char **);
void		 bounds(long long, long long, char *, size_t);

/* inject.c: --inject, read and checked before anything is created. */
const char	*inject_name(enum inject_action);
const char	*inject_parse(struct params *, const char *);
const char	*inject_check(const struct params *, unsigned);

#endif /* LAUNCHER_CLI_H */
