/*
 * result.h - the one result model: what a run found, as an ordered list of
 * named, typed fields.  Demos add their own fields in check; the launcher
 * adds timing and parameters, and renders every kind of run (a demo, all,
 * sweep, bench) from it as a table, CSV or JSON Lines (launcher/report.c).
 */
#ifndef WORKERS_RESULT_H
#define WORKERS_RESULT_H

#include <stddef.h>
#include <stdint.h>

#define MAX_FIELDS	40		/* fields per result */
#define NOTE_MAX	1024		/* a note, or a string field, with its NUL */

enum mode {
	MODE_THREAD = 1,
	MODE_PROCESS = 2,
	MODE_BOTH = MODE_THREAD | MODE_PROCESS,
	MODE_COOP = 4,		/* cooperative tasks in one thread */
	MODE_MPI = 8,		/* MPI ranks under mpirun (shmsync-mpi) */
};

enum verdict {
	VERDICT_OK,		/* the invariant held */
	VERDICT_RACE,		/* an unguarded run lost updates, as it should */
	VERDICT_FAIL,		/* an invariant broke, or a worker failed */
};

enum ftype { F_UINT, F_INT, F_DBL, F_STR, F_BOOL };

#define F_TABLE	0x1		/* shown in the human table */
#define F_NS	0x2		/* a duration in ns: the table shows us/ms/s */
#define F_RATE	0x4		/* per second: the table shows k/M/G */
#define F_PARAM	0x8		/* a parameter: the table shows it above */
#define F_NULL	0x10		/* no value (empty in CSV, null in JSON) */
#define F_RATIO	0x20		/* a ratio: the table shows 1.23x, CSV 1.234 */
#define F_FINE	0x40		/* with F_NS: the table shows ns below 1 us */
#define F_OBJ	0x80		/* a string that is a JSON object of numbers or strings */

struct field {
	const char	*key;
	enum ftype	 type;
	int		 flags;
	union {
		uint64_t	 u;
		int64_t		 i;
		double		 d;
		char		 s[NOTE_MAX];
	} v;
};

struct result {
	enum verdict	 verdict;
	enum mode	 mode;
	int		 variant;	/* rows of one variant are grouped */
	int		 n;
	struct field	 f[MAX_FIELDS];
};

void		 res_uint(struct result *, const char *, uint64_t, int);
void		 res_int(struct result *, const char *, int64_t, int);
void		 res_dbl(struct result *, const char *, double, int);
void		 res_str(struct result *, const char *, const char *, int);
void		 res_bool(struct result *, const char *, int, int);
const struct field *res_find(const struct result *, const char *);

/* A field res_cut keeps, with the flags it gets. */
struct res_keep {
	const char	*key;
	int		 flags;
};

void		 res_cut(const struct result *, struct result *,
		    const struct res_keep *, size_t, int);
const char	*verdict_name(enum verdict);
const char	*mode_name(enum mode);

#endif /* WORKERS_RESULT_H */
