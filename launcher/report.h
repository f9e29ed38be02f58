/*
 * report.h - print results as an aligned table, CSV, or JSON Lines.
 *
 * Every format shows the same fields under the same names; the table picks
 * the ones flagged F_TABLE and groups a variant's thread and process rows.
 */
#ifndef LAUNCHER_REPORT_H
#define LAUNCHER_REPORT_H

#include "cli.h"

struct report {
	const struct params	*p;
	const struct view	*v;
	struct result		*res;		/* kept for the table */
	int			 n, cap;
	int			 header_done;
	int			 werr;		/* first write error */
};

void	report_begin(struct report *, const struct params *, const struct view *);
int	report_add(struct report *, const struct result *);
int	report_end(struct report *);

#endif /* LAUNCHER_REPORT_H */
