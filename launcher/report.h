/*
 * report.h - print results as an aligned table, CSV, or JSON Lines.
 *
 * Every format shows the same fields under the same names; the table picks
 * the ones flagged F_TABLE and groups a variant's thread and process rows.
 */
#ifndef LAUNCHER_REPORT_H
#define LAUNCHER_REPORT_H

#include "../workers/worker.h"

struct report {
	const struct params	*p;
	struct result		*res;		/* kept for the table */
	int			 n, cap;
	int			 header_done;
	int			 werr;		/* first write error */
};

void	report_begin(struct report *, const struct params *);
int	report_add(struct report *, const struct result *);
int	report_end(struct report *);
const char *verdict_name(enum verdict);

#endif /* LAUNCHER_REPORT_H */
