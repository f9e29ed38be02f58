/*
 * parse.c - the one option parser: every subcommand's command line is read
 * against option tables (struct optdef), with getopt_long built from them.
 *
 * A command reads several tables at once (sweep: its own, the common ones,
 * the demo's); the first table that names an option owns it, so sweep's
 * --workers LIST shadows the demo's -w N.  Any error is one line on stderr
 * and exit 2, before anything is created.
 */
#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ALLOPTS	48	/* options of one command line, all tables */

__dead void
usage_error(const char *who, const char *fmt, ...)
{
	char msg[320], *q;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* A control character from argv must not break the message's one line. */
	for (q = msg; *q != '\0'; q++)
		if (iscntrl((unsigned char)*q))
			*q = '?';
	if (who != NULL)
		errx(2, "%s: %s", who, msg);
	errx(2, "%s", msg);
}

/* "a|b|c" */
void
join_choices(const char *const *c, char *buf, size_t len)
{
	buf[0] = '\0';
	for (; *c != NULL; c++) {
		if (buf[0] != '\0')
			strlcat(buf, "|", len);
		strlcat(buf, *c, len);
	}
}

/* A keyword's index in o's choices, or a usage error naming them. */
static int
keyword(const char *who, const struct optdef *o, const char *arg)
{
	char names[160];
	int i;

	for (i = 0; o->choices[i] != NULL; i++)
		if (strcmp(o->choices[i], arg) == 0)
			return i;
	join_choices(o->choices, names, sizeof(names));
	usage_error(who, "--%s: unknown %s '%s'%s; one of %s%s", o->name, o->arg,
	    arg, did_you_mean(arg, o->choices, -1, ""), names,
	    opt_is_list(o) ? ", or a comma list of them" : "");
}

/* A comma list of keywords: a bit per keyword named. */
static long long
keyword_list(const char *who, const struct optdef *o, const char *arg)
{
	char word[64];
	long long v = 0;
	size_t n;

	for (;; arg += n + 1) {
		n = strcspn(arg, ",");
		if (n == 0 || n >= sizeof(word))
			usage_error(who, "--%s: '%.*s' is not a keyword (a comma "
			    "list: no empty item)", o->name, (int)n, arg);
		memcpy(word, arg, n);
		word[n] = '\0';
		v |= 1LL << keyword(who, o, word);
		if (arg[n] == '\0')
			return v;
	}
}

/* One option's value: 1 for a flag, a keyword's index (a list: its bits), or a number in bounds. */
static long long
parse_value(const char *who, const struct optdef *o, const char *arg)
{
	const char *errstr;
	char names[160];
	long long v;

	if (o->arg == NULL)
		return 1;
	if (opt_is_list(o))
		return keyword_list(who, o, arg);
	if (o->choices != NULL)
		return keyword(who, o, arg);
	v = parse_count(arg, o->min, o->max, &errstr);
	if (errstr != NULL) {
		bounds(o->min, o->max, names, sizeof(names));
		usage_error(who, "--%s: '%s' is %s (%s)", o->name, arg, errstr,
		    names);
	}
	return v;
}

/* Whether an earlier table already owns this option's name or letter. */
static int
shadowed(const struct optdef *const *defs, int n, const struct optdef *o)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(defs[i]->name, o->name) == 0 ||
		    (o->key != 0 && defs[i]->key == o->key))
			return 1;
	return 0;
}

/* getopt_long's tables from the sets, in order; each option's set and index. */
static int
build(const char *who, struct optset *sets, int nsets,
    const struct optdef **defs, int *where, struct option *lo, char *so,
    size_t solen)
{
	const struct optdef *o;
	char key[3];
	int n = 0, k, i;

	strlcpy(so, ":", solen);
	for (k = 0; k < nsets; k++) {
		for (i = 0; (o = &sets[k].defs[i])->name != NULL; i++) {
			sets[k].v[i] = o->def;
			if (shadowed(defs, n, o))
				continue;
			if (n == MAX_ALLOPTS)
				errx(1, "%s: too many options", who);
			defs[n] = o;
			where[n] = k << 8 | i;
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

/* "; did you mean '--widen'?" for "--widn", or "". */
static const char *
near_option(const struct optdef **defs, int n, const char *arg)
{
	const char *names[MAX_ALLOPTS];
	char word[64];
	int i;

	if (strncmp(arg, "--", 2) != 0)
		return "";
	strlcpy(word, arg + 2, sizeof(word));
	word[strcspn(word, "=")] = '\0';
	for (i = 0; i < n; i++)
		names[i] = defs[i]->name;
	return did_you_mean(word, names, n, "--");
}

/* The option getopt returned (a letter, or 256 + its index), or a usage error. */
static int
which(const char *who, const struct optdef **defs, int n, int c, char **argv)
{
	int i;

	if (c == '?' && optopt >= 256)
		usage_error(who, "option '--%s' takes no value",
		    defs[optopt - 256]->name);
	if (c == '?' && optopt != 0)
		usage_error(who, "unknown option '-%c'", optopt);
	if (c == '?')
		usage_error(who, "unknown option '%s'%s", argv[optind - 1],
		    near_option(defs, n, argv[optind - 1]));
	if (c == ':')
		usage_error(who, "option '%s' needs a value", argv[optind - 1]);
	if (c >= 256)
		return c - 256;
	for (i = 0; i < n; i++)
		if (defs[i]->key == c)
			return i;
	usage_error(who, "unknown option");
}

/*
 * Read argv (argv[0] is the command, then options only) against the sets:
 * defaults first, then each option given; text options keep their string.
 */
void
parse_args(const char *who, int argc, char **argv, struct optset *sets,
    int nsets)
{
	const struct optdef *defs[MAX_ALLOPTS];
	struct option lo[MAX_ALLOPTS + 1];
	int where[MAX_ALLOPTS], c, i, k, j;
	char so[2 * MAX_ALLOPTS + 2];
	struct optset *s;

	for (k = 0; k < nsets; k++)
		sets[k].given = 0;
	i = build(who, sets, nsets, defs, where, lo, so, sizeof(so));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		k = which(who, defs, i, c, argv);
		s = &sets[where[k] >> 8];
		j = where[k] & 0xff;
		s->given |= 1u << j;
		if (opt_is_text(defs[k]))
			s->s[j] = optarg;
		else
			s->v[j] = parse_value(who, defs[k], optarg);
	}
	if (optind < argc)
		usage_error(who, "unexpected argument '%s'", argv[optind]);
}
