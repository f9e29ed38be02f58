/*
 * report.h - print results as an aligned table, CSV, or JSON Lines; any
 * list of results (bench's rows) as CSV, JSON Lines or Markdown tables.
 *
 * Every format shows the same fields under the same names; the tables pick
 * the ones flagged F_TABLE; the demo table groups a variant's thread and
 * process rows, the Markdown table shows one variant.
 */
#ifndef LAUNCHER_REPORT_H
#define LAUNCHER_REPORT_H

#include <stdio.h>

#include "cli.h"

struct table;

struct report {
	const struct params	*p;
	const struct view	*v;
	const char		*title;		/* the demo's name, or the command's */
	const char		*proves;	/* what its runs check */
	int			 stream;	/* a table printed row by row (all) */
	/* Rows of forms whose fields differ, made alike first (mixed.c), or NULL. */
	void			 (*shape)(const struct result *, struct result *,
				    void *);
	void			*shape_arg;
	struct table		*t;		/* its layout, from the first row */
	struct result		*res;		/* kept for the table */
	int			 n, cap;
	int			 header_done;
	int			 werr;		/* first write error */
};

void	report_begin(struct report *, const struct params *, const struct view *,
	    const char *, const char *);
int	report_add(struct report *, const struct result *);
int	report_end(struct report *);
int	term_width(int);

void	report_csv(FILE *, const struct result *, int);
void	report_json(FILE *, const struct result *);
void	report_markdown(FILE *, const struct result *, int, int, const char *);

#endif /* LAUNCHER_REPORT_H */
