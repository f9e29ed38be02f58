/*
 * complete.c - `shmsync completion bash`: a bash completion script generated
 * from the command table and the option tables, so it is always true to the
 * code: the subcommands, each one's options (a demo's, sweep's, bench's),
 * the keywords an option takes (after a comma too, for a list such as
 * -m thread,mpi), files after a FILE option.  `make install`
 * installs its output.
 */
#include <stdio.h>
#include <string.h>

#include "run.h"

/* Whether table t names option name (an earlier table's shadows a later one's). */
static int
named(const struct optdef *t, const char *name)
{
	for (; t != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return 1;
	return 0;
}

static void
words(const struct optdef *o, const struct optdef *before)
{
	for (; o != NULL && o->name != NULL; o++) {
		if (named(before, o->name))
			continue;
		printf(" --%s", o->name);
		if (o->key != 0)
			printf(" -%c", o->key);
	}
}

/* "--sync|-s" */
static void
pattern(const struct optdef *o)
{
	printf("\t\t--%s", o->name);
	if (o->key != 0)
		printf("|-%c", o->key);
}

/* After a keyword option offer its keywords; after FILE, files; else nothing. */
static void
value_cases(const struct optdef *o)
{
	const char *const *c;

	for (; o != NULL && o->name != NULL; o++) {
		if (o->arg == NULL)
			continue;
		pattern(o);
		if (strcmp(o->arg, "FILE") == 0) {
			printf(") compopt -o filenames 2>/dev/null\n"
			    "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return 1 ;;\n");
			continue;
		}
		if (o->choices == NULL) {
			printf(") return 1 ;;\n");
			continue;
		}
		printf(") words=\"");
		for (c = o->choices; *c != NULL; c++)
			printf("%s%s", c == o->choices ? "" : " ", *c);
		printf("\"");
		/* A list: each keyword again after what is typed up to a comma. */
		if (opt_is_list(o))
			printf("\n\t\t\tpre=${cur%%\"${cur##*,}\"}\n"
			    "\t\t\twords=$(for w in $words; do printf '%%s ' "
			    "\"$pre$w\"; done)");
		printf("; return 0 ;;\n");
	}
}

/* One command's arm: the values after PREV, else its options' words (c: -m mpi's). */
static void
arm(const char *name, const struct optdef *a, const struct optdef *b,
    const struct optdef *c)
{
	printf("\t%s)\n\t\tcase \"$2\" in\n", name);
	value_cases(a);
	value_cases(b);
	value_cases(c);
	printf("\t\tesac\n\t\topts=\"$opts");
	words(a, NULL);
	words(b, a);
	words(c, a);
	printf(" \" ;;\n");
}

/*
 * _shmsync_opts CMD PREV: sets words (PREV's values) or opts (CMD's options,
 * added to what is there); 1: nothing to offer.
 */
static void
opts_function(void)
{
	const struct cmd_entry *const *c;

	printf("_shmsync_opts()\n{\n\tcase \"$1\" in\n");
	for (c = cmd_table; *c != NULL; c++) {
		if ((*c)->demo != NULL)
			arm((*c)->name, (*c)->demo->opts, common_opts,
			    (*c)->demo->mpi != NULL ? (*c)->demo->mpi->opts : NULL);
		else if ((*c)->opts != NULL || ((*c)->flags & CMD_COMMON))
			arm((*c)->name, (*c)->opts, (*c)->flags & CMD_COMMON ?
			    common_opts : NULL, NULL);
	}
	printf("\t*) return 1 ;;\n\tesac\n}\n\n");
}

/* The commands that take a demo first, and the one word completion takes. */
static void
positional(void)
{
	const struct cmd_entry *const *c;

	for (c = cmd_table; *c != NULL; c++) {
		if ((*c)->demo != NULL)
			continue;
		if ((*c)->flags & CMD_DEMOARG)
			printf("\t%s) [ \"$COMP_CWORD\" -eq 2 ] && "
			    "{ COMPREPLY=($(compgen -W \"$demos\" -- \"$cur\")); "
			    "return; } ;;\n", (*c)->name);
		else if ((*c)->opts == NULL && !((*c)->flags & CMD_COMMON))
			printf("\t%s) [ \"$COMP_CWORD\" -eq 2 ] && [ -n \"%s\" ] && "
			    "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n",
			    (*c)->name, (*c)->usage, (*c)->usage);
	}
}

static void
main_function(void)
{
	const struct cmd_entry *const *c;
	int first = 1;

	printf("_shmsync()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tlocal cmd=${COMP_WORDS[1]} words= opts= demos=\"");
	for (c = cmd_table; *c != NULL; c++)
		if ((*c)->demo != NULL)
			printf("%s%s", first ? "" : " ", (*c)->name), first = 0;
	printf("\" cmds=\"");
	for (c = cmd_table, first = 1; *c != NULL; c++)
		if (!((*c)->flags & CMD_HIDDEN) || (*c)->alias == NULL)
			printf("%s%s", first ? "" : " ", (*c)->name), first = 0;
	printf(" --help --version\"\n\n\t# bash splits --color=always at the '='.\n"
	    "\tif [ \"$cur\" = \"=\" ]; then\n\t\tcur=\n"
	    "\telif [ \"$prev\" = \"=\" ] && [ \"$COMP_CWORD\" -ge 3 ]; then\n"
	    "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n\tfi\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))\n\t\treturn\n\tfi\n"
	    "\tcase \"$cmd\" in\n");
	positional();
	printf("\tesac\n"
	    "\t_shmsync_opts \"$cmd\" \"$prev\" || return\n"
	    "\t# sweep DEMO: the demo's options too.\n"
	    "\tif [ -z \"$words\" ] && [ \"$cmd\" = sweep ]; then\n"
	    "\t\t_shmsync_opts \"${COMP_WORDS[2]}\" \"$prev\" || return\n\tfi\n"
	    "\tif [ -n \"$words\" ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\telse\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$(printf '%%s\\n' $opts | sort -u)\" -- \"$cur\"))\n\tfi\n}\n\n"
	    "complete -F _shmsync shmsync\n");
}

void
completion_bash(void)
{
	printf("# bash completion for shmsync; generated by 'shmsync completion bash'\n"
	    "# from the command table and option tables.\n\n");
	opts_function();
	main_function();
}
