/*
 * report.c - one result, three renderings: a table for people, CSV and JSON
 * Lines for tools; and any list of results (bench's rows) as CSV, JSON Lines
 * or a Markdown table.
 *
 * CSV and JSON rows are written as each run ends, so a long sweep streams;
 * the table waits for all rows to size its columns.  A write error (a closed
 * pipe: SIGPIPE is ignored) is returned so the caller stops running demos.
 */
#include <sys/ioctl.h>

#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

#define CELL	64

/* A table for people: the F_TABLE fields (idx), which are kept, how wide. */
struct table {
	int	 idx[MAX_FIELDS];
	int	 width[MAX_FIELDS + 1];
	int	 keep[MAX_FIELDS + 1];
	int	 ncol, nc;		/* fields; columns with proc/thr */
	int	 note;			/* the note's field, on a line apart, or -1 */
	int	 dropped;
	int	 limit;			/* the width to fit, 0 for none */
};

static int	stream_row(struct report *);

struct head {
	const char *key, *head;
};

/* Column heads that are not the key: the demo table's, the Markdown table's. */
static const struct head heads[] = {
	{ "wall_ns", "time" }, { "ops_per_sec", "ops/s" },
	{ "nvcsw", "vcsw" }, { "nivcsw", "ivcsw" }, { NULL, NULL }
};
static const struct head md_heads[] = {
	{ "name", "case" }, { "producers", "P" }, { "consumers", "C" },
	{ "item_size", "item B" }, { "capacity", "slots" }, { "repeat", "runs" },
	{ "status", "check" }, { NULL, NULL }
};

/* The machine form of a value: numbers plain, strings raw (callers quote), no value empty. */
static void
fmt_raw(const struct field *f, char *buf, size_t len)
{
	buf[0] = '\0';
	if (f->flags & F_NULL)
		return;
	switch (f->type) {
	case F_UINT:
		snprintf(buf, len, "%ju", (uintmax_t)f->v.u);
		break;
	case F_INT:
		snprintf(buf, len, "%jd", (intmax_t)f->v.i);
		break;
	case F_DBL:	/* a parameter (-t 0.001) or a ratio keeps three places */
		snprintf(buf, len, f->flags & (F_PARAM | F_RATIO) ? "%.3f" : "%.1f",
		    f->v.d);
		break;
	case F_BOOL:
		snprintf(buf, len, "%s", f->v.u ? "true" : "false");
		break;
	case F_STR:
		snprintf(buf, len, "%s", f->v.s);
		break;
	}
}

/* A JSON object for people: {"2":20,"3":36} as 2:20 3:36. */
static void
fmt_obj(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < len; s++)
		if (*s != '{' && *s != '}' && *s != '"')
			buf[n++] = *s == ',' && s[1] == '"' ? ' ' : *s;
	buf[n] = '\0';
}

/* The human form: durations in (ns/)us/ms/s, rates in k/M/G, ratios 1.23x, booleans yes/no. */
static void
fmt_cell(const struct field *f, char *buf, size_t len)
{
	double v = f->type == F_DBL ? f->v.d : (double)f->v.u;

	if (f->flags & F_NULL)
		buf[0] = '\0';
	else if ((f->flags & (F_NS | F_FINE)) == (F_NS | F_FINE) && v < 1e3)
		snprintf(buf, len, "%.0f ns", v);
	else if (f->flags & F_NS)
		snprintf(buf, len, v < 1e6 ? "%.1f us" : v < 1e10 ? "%.2f ms" :
		    "%.2f s", v < 1e6 ? v / 1e3 : v < 1e10 ? v / 1e6 : v / 1e9);
	else if (f->flags & F_RATE)
		snprintf(buf, len, v < 1e3 ? "%.0f" : v < 1e6 ? "%.1fk" : v < 1e9 ?
		    "%.2fM" : "%.2fG", v < 1e3 ? v : v < 1e6 ? v / 1e3 : v < 1e9 ?
		    v / 1e6 : v / 1e9);
	else if (f->flags & F_RATIO)
		snprintf(buf, len, "%.2fx", v);
	else if (f->type == F_BOOL)
		snprintf(buf, len, "%s", f->v.u ? "yes" : "no");
	else if (f->flags & F_OBJ)
		fmt_obj(f->v.s, buf, len);
	else
		fmt_raw(f, buf, len);
}

/* One CSV line to out: r's keys (header) or its values, quoted where needed. */
void
report_csv(FILE *out, const struct result *r, int header)
{
	char buf[NOTE_MAX + CELL];
	const char *q;
	int i;

	for (i = 0; i < r->n; i++) {
		if (header)
			snprintf(buf, sizeof(buf), "%s", r->f[i].key);
		else
			fmt_raw(&r->f[i], buf, sizeof(buf));
		fputs(i ? "," : "", out);
		if (strpbrk(buf, ",\"\n") == NULL) {
			fputs(buf, out);
			continue;
		}
		fputc('"', out);
		for (q = buf; *q != '\0'; q++)
			fprintf(out, *q == '"' ? "\"\"" : "%c", *q);
		fputc('"', out);
	}
	fputc('\n', out);
}

/* One JSON Lines object to out: strings escaped, no value null. */
void
report_json(FILE *out, const struct result *r)
{
	char buf[NOTE_MAX + CELL];
	const unsigned char *q;
	int i;

	fputc('{', out);
	for (i = 0; i < r->n; i++) {
		fmt_raw(&r->f[i], buf, sizeof(buf));
		fprintf(out, "%s\"%s\":", i ? "," : "", r->f[i].key);
		if (r->f[i].flags & F_NULL) {
			fputs("null", out);
			continue;
		}
		if (r->f[i].type != F_STR || (r->f[i].flags & F_OBJ)) {
			fputs(buf, out);
			continue;
		}
		fputc('"', out);
		for (q = (const unsigned char *)buf; *q != '\0'; q++)
			fprintf(out, *q == '"' || *q == '\\' ? "\\%c" : *q < 0x20 ?
			    "\\u%04x" : "%c", *q);
		fputc('"', out);
	}
	fputs("}\n", out);
}

void
report_begin(struct report *rp, const struct params *p, const struct view *v,
    const char *title, const char *proves)
{
	memset(rp, 0, sizeof(*rp));
	rp->p = p;
	rp->v = v;
	rp->title = title;
	rp->proves = proves;
}

/* 0, or the errno of the first failed write (EPIPE: the reader went away). */
static int
flushed(struct report *rp)
{
	if (rp->werr == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rp->werr = errno != 0 ? errno : EIO;
	return rp->werr;
}

int
report_add(struct report *rp, const struct result *r)
{
	static struct result shaped;

	if (rp->shape != NULL) {
		rp->shape(r, &shaped, rp->shape_arg);
		r = &shaped;
	}
	switch (rp->v->format) {
	case FORMAT_CSV:
		if (!rp->header_done)
			report_csv(stdout, r, 1);
		rp->header_done = 1;
		report_csv(stdout, r, 0);
		return flushed(rp);
	case FORMAT_JSON:
		report_json(stdout, r);
		return flushed(rp);
	case FORMAT_TABLE:
		break;
	}
	if (rp->n == rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 8;
		if ((rp->res = reallocarray(rp->res, (size_t)rp->cap,
		    sizeof(*rp->res))) == NULL)
			err(1, "report");
	}
	rp->res[rp->n++] = *r;
	return rp->stream ? stream_row(rp) : 0;
}

static const char *
head_of(const struct head *h, const char *key)
{
	for (; h->key != NULL; h++)
		if (strcmp(h->key, key) == 0)
			return h->head;
	return key;
}

/* A field's number, or 0. */
static double
num_of(const struct result *r, const char *key)
{
	const struct field *f = res_find(r, key);

	return f == NULL ? 0 : f->type == F_DBL ? f->v.d : (double)f->v.u;
}

/*
 * A process row's ops/s over its variant's thread row: the price of
 * processes; with --repeat, its spread (the slowest process run over the
 * fastest thread run, to the other way round).
 */
static void
ratio_cell(const struct report *rp, int row, char *buf, size_t len)
{
	const struct result *t, *p = &rp->res[row];
	double tmin, tmax;
	int i;

	buf[0] = '\0';
	if (p->mode != MODE_PROCESS)
		return;
	for (i = 0; i < rp->n; i++)
		if (rp->res[i].variant == p->variant && rp->res[i].mode == MODE_THREAD)
			break;
	if (i == rp->n || num_of(t = &rp->res[i], "ops_per_sec") <= 0)
		return;
	snprintf(buf, len, "%.2fx", num_of(p, "ops_per_sec") /
	    num_of(t, "ops_per_sec"));
	tmin = num_of(t, "ops_per_sec_min");
	tmax = num_of(t, "ops_per_sec_max");
	if (tmin > 0 && tmax > 0 && res_find(p, "ops_per_sec_max") != NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%.2f-%.2f)",
		    num_of(p, "ops_per_sec_min") / tmax,
		    num_of(p, "ops_per_sec_max") / tmin);
}

/* Cell (row, col); col == ncol is the ratio column.  A group names its variant once. */
static void
table_cell(const struct report *rp, const int *idx, int ncol, int row, int col,
    char *buf, size_t len)
{
	const struct field *f;

	if (col == ncol) {
		ratio_cell(rp, row, buf, len);
		return;
	}
	f = &rp->res[row].f[idx[col]];
	if (strcmp(f->key, "sync") == 0 && row > 0 &&
	    rp->res[row - 1].variant == rp->res[row].variant &&
	    f->type == F_STR && strcmp(rp->res[row - 1].f[idx[col]].v.s,
	    f->v.s) == 0)
		buf[0] = '\0';
	else
		fmt_cell(f, buf, len);
}

/* lead then text, broken between words at limit (0: one line), the rest indented. */
static void
print_wrapped(const char *lead, const char *text, int limit)
{
	int at = printf("%s", lead), n;

	while (*text != '\0') {
		n = (int)strcspn(text, " ");
		if (limit > 0 && at + 1 + n > limit && at > (int)strlen(lead))
			at = printf("\n ") - 1;
		at += printf(" %.*s", n, text);
		text += n;
		text += strspn(text, " ");
	}
	putchar('\n');
}

/* Whether item is one of list's comma-separated values. */
static int
in_csv(const char *list, const char *item)
{
	size_t n = strlen(item), k;

	for (; *list != '\0'; list += k + (list[k] == ',')) {
		k = strcspn(list, ",");
		if (k == n && strncmp(list, item, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * A parameter's values over the rows, distinct, comma-separated: one value
 * for most, two for counter's -n (2000000 for the racers, 100000 for locks).
 */
static void
param_values(const struct report *rp, const struct field *f, char *buf, size_t len)
{
	const struct field *g;
	char one[NOTE_MAX + CELL];
	int row;

	buf[0] = '\0';
	for (row = 0; row < rp->n; row++) {
		if ((g = row == 0 ? f : res_find(&rp->res[row], f->key)) == NULL ||
		    (g->flags & F_NULL))
			continue;	/* a mixed table's row of another form */
		fmt_cell(g, one, sizeof(one));
		if (buf[0] == '\0')
			strlcpy(buf, one, len);
		else if (!in_csv(buf, one) && strlen(buf) + strlen(one) + 2 < len)
			strcat(strcat(buf, ","), one);
	}
}

/* "counter: workers=4 ...": the parameters, wrapped to the terminal; what it proves. */
static void
table_preamble(const struct report *rp)
{
	const struct result *r = &rp->res[0];
	char buf[NOTE_MAX + CELL], cell[NOTE_MAX + 2 * CELL];
	int i, at, limit = rp->v->wide ? 0 : term_width(0);

	at = printf("%s:", rp->title);
	for (i = 0; i < r->n; i++) {
		if (!(r->f[i].flags & F_PARAM))
			continue;
		param_values(rp, &r->f[i], buf, sizeof(buf));
		snprintf(cell, sizeof(cell), " %s=%s", r->f[i].key, buf);
		if (limit > 0 && at + (int)strlen(cell) > limit && at > 2)
			at = printf("\n ");
		at += printf("%s", cell);
	}
	putchar('\n');
	print_wrapped("proves:", rp->proves, limit);
	putchar('\n');
}

/* With --color, a verdict cell in green (ok), yellow (race) or red (fail). */
static void
paint(const struct report *rp, const struct field *f, int on)
{
	if (!rp->v->color || f == NULL || strcmp(f->key, "verdict") != 0)
		return;
	if (!on)
		fputs("\033[0m", stdout);
	else
		fputs(strcmp(f->v.s, "ok") == 0 ? "\033[32m" :
		    strcmp(f->v.s, "race") == 0 ? "\033[33m" : "\033[1;31m", stdout);
}

/* The terminal's width: stdout's window, else $COLUMNS, else fallback (0: no limit). */
int
term_width(int fallback)
{
	const char *c = getenv("COLUMNS"), *errstr;
	struct winsize ws;
	long long n;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c != NULL && (n = strtonum(c, 1, 100000, &errstr), errstr == NULL))
		return (int)n;
	return fallback;
}

/* The columns a narrow table leaves out first, then any but these. */
static const char *const drop_first[] = {
	"nivcsw", "nvcsw", "trace_cost_ns", "launch_ns", "jitter_ns",
	"trace_events", NULL
};
static const char *const never_drop[] = {
	"demo", "sync", "mode", "expected", "observed", "verdict", NULL
};

static int
listed(const char *const *list, const char *key)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

/* The table's width with the columns kept: cells and two spaces between. */
static int
table_width(const struct table *t)
{
	int col, w = 0, n = 0;

	for (col = 0; col < t->nc; col++)
		if (t->keep[col])
			w += t->width[col] + 2 * (n++ > 0);
	return w;
}

/* The key of column col ("proc/thr" for the ratio). */
static const char *
col_key(const struct report *rp, const struct table *t, int col)
{
	return col < t->ncol ? rp->res[0].f[t->idx[col]].key : "proc/thr";
}

/*
 * Fit the terminal: the OS's counts go first, then the note goes on a line
 * of its own, then columns from the right, never the ones that say what ran
 * and how it ended.  --wide, CSV and JSON keep everything.
 */
static void
table_fit(const struct report *rp, struct table *t, int limit)
{
	int col, pass;

	if (limit <= 0 || table_width(t) <= limit)
		return;
	for (pass = 0; pass < 2 && table_width(t) > limit; pass++) {
		if (pass == 1)	/* the note on a line of its own */
			for (col = 0; col < t->ncol; col++)
				if (strcmp(col_key(rp, t, col), "note") == 0)
					t->keep[col] = 0, t->note = t->idx[col];
		for (col = t->nc - 1; col >= 0 && table_width(t) > limit; col--)
			if (t->keep[col] && (pass == 0 ?
			    listed(drop_first, col_key(rp, t, col)) :
			    !listed(never_drop, col_key(rp, t, col)))) {
				t->keep[col] = 0;
				t->dropped++;
			}
	}
}

/* Does any row show field col (trace_dropped shows only in runs that dropped)? */
static int
table_wants(const struct report *rp, int col)
{
	const char *key = rp->res[0].f[col].key;
	int row;

	for (row = 0; row < rp->n; row++)
		if (col < rp->res[row].n && strcmp(rp->res[row].f[col].key, key) == 0 &&
		    (rp->res[row].f[col].flags & F_TABLE))
			return 1;
	return 0;
}

/* Which columns, how wide: every F_TABLE field (and proc/thr for both modes), sized to fit. */
static void
table_layout(const struct report *rp, struct table *t)
{
	const struct result *r0 = &rp->res[0];
	char buf[NOTE_MAX + CELL];
	int col, row;

	memset(t, 0, sizeof(*t));
	t->note = -1;
	for (col = 0; col < r0->n; col++)
		if (table_wants(rp, col))
			t->idx[t->ncol++] = col;
	t->nc = t->ncol + ((rp->p->modes & MODE_BOTH) == MODE_BOTH);
	for (col = 0; col < t->nc; col++) {
		t->keep[col] = 1;
		t->width[col] = (int)strlen(col < t->ncol ? head_of(heads,
		    r0->f[t->idx[col]].key) : "proc/thr");
		for (row = 0; row < rp->n; row++) {
			table_cell(rp, t->idx, t->ncol, row, col, buf, sizeof(buf));
			if ((int)strlen(buf) > t->width[col])
				t->width[col] = (int)strlen(buf);
		}
	}
	t->limit = rp->v->wide ? 0 : term_width(0);
	table_fit(rp, t, t->limit);
}

/* One line of the table: the heads (row -1) or row's cells, then its note if apart. */
static void
table_line(const struct report *rp, const struct table *t, int row)
{
	char buf[NOTE_MAX + CELL];
	const struct field *f;
	int col, last;

	for (last = t->nc - 1; last > 0 && !t->keep[last]; last--)
		continue;
	for (col = 0; col <= last; col++) {
		if (!t->keep[col])
			continue;
		f = row >= 0 && col < t->ncol ? &rp->res[row].f[t->idx[col]] : NULL;
		if (row < 0)
			strlcpy(buf, col < t->ncol ? head_of(heads,
			    rp->res[0].f[t->idx[col]].key) : "proc/thr", sizeof(buf));
		else
			table_cell(rp, t->idx, t->ncol, row, col, buf, sizeof(buf));
		paint(rp, f, 1);
		printf("%-*s", col < last ? t->width[col] : 0, buf);
		paint(rp, f, 0);
		fputs(col < last ? "  " : "\n", stdout);
	}
	if (row >= 0 && t->note >= 0 && rp->res[row].f[t->note].v.s[0] != '\0')
		print_wrapped(" ", rp->res[row].f[t->note].v.s, t->limit);
}

/* The last lines of a table: proc/thr from one run each, columns left out. */
static void
left_out(const struct report *rp, const struct table *t)
{
	if (t->nc > t->ncol && t->keep[t->ncol] &&
	    res_find(&rp->res[0], "repeats") == NULL)
		printf("(proc/thr: one run of each, and one run is noisy: "
		    "--repeat 5 shows its spread)\n");
	if (t->dropped > 0)
		printf("(%d column%s left out to fit %d columns: --wide or "
		    "-f csv shows them)\n", t->dropped, t->dropped > 1 ? "s" : "",
		    t->limit);
}

static int
table_print(struct report *rp)
{
	struct table t;
	int row;

	table_layout(rp, &t);
	table_preamble(rp);
	table_line(rp, &t, -1);
	for (row = 0; row < rp->n; row++)
		table_line(rp, &t, row);
	left_out(rp, &t);
	return flushed(rp);
}

/* Widths a streamed table cannot learn from rows still to come. */
static const struct {
	const char	*key;
	int		 width;
} hints[] = {
	{ "sync", 12 }, { "mode", 7 }, { "workers", 7 }, { "expected", 9 },
	{ "observed", 9 }, { "verdict", 7 }, { "wall_ns", 10 }, { NULL, 0 }
};

/* At least the hint's width for each column, and the longest demo's name. */
static void
stream_widths(const struct report *rp, struct table *t)
{
	const struct worker *const *w;
	const char *key;
	int col, i;

	for (col = 0; col < t->ncol; col++) {
		key = rp->res[0].f[t->idx[col]].key;
		for (i = 0; hints[i].key != NULL; i++)
			if (strcmp(hints[i].key, key) == 0 &&
			    t->width[col] < hints[i].width)
				t->width[col] = hints[i].width;
		for (w = workers; strcmp(key, "demo") == 0 && *w != NULL; w++)
			if ((int)strlen((*w)->name) > t->width[col])
				t->width[col] = (int)strlen((*w)->name);
	}
}

/* A streamed table (all): the heads with the first row, then each row as it comes. */
static int
stream_row(struct report *rp)
{
	if (rp->t == NULL) {
		if ((rp->t = malloc(sizeof(*rp->t))) == NULL)
			err(1, "report");
		table_layout(rp, rp->t);
		stream_widths(rp, rp->t);
		table_fit(rp, rp->t, rp->t->limit);
		table_preamble(rp);
		table_line(rp, rp->t, -1);
	}
	table_line(rp, rp->t, rp->n - 1);
	return flushed(rp);
}

int
report_end(struct report *rp)
{
	int rc = 0;

	if (rp->v->format == FORMAT_TABLE && rp->n > 0 && !rp->stream)
		rc = table_print(rp);
	else {
		if (rp->t != NULL)
			left_out(rp, rp->t);
		rc = flushed(rp);
	}
	free(rp->t);
	rp->t = NULL;
	free(rp->res);
	rp->res = NULL;
	rp->n = rp->cap = 0;
	return rc;
}

/*
 * The rows of res that belong to variant, as a Markdown table under a title:
 * the columns some row flags F_TABLE and fills, numbers aligned right, each
 * cell in its human form.  Nothing when no row belongs.
 */
void
report_markdown(FILE *out, const struct result *res, int n, int variant,
    const char *title)
{
	const struct result *r0 = NULL;
	int use[MAX_FIELDS] = { 0 }, i, c;
	char buf[NOTE_MAX + CELL];

	for (i = 0; i < n; i++) {
		if (res[i].variant != variant)
			continue;
		r0 = r0 != NULL ? r0 : &res[i];
		for (c = 0; c < res[i].n; c++) {
			fmt_cell(&res[i].f[c], buf, sizeof(buf));
			use[c] |= (res[i].f[c].flags & F_TABLE) && buf[0] != '\0';
		}
	}
	if (r0 == NULL)
		return;
	fprintf(out, "\n### %s\n\n|", title);
	for (c = 0; c < r0->n; c++)
		if (use[c])
			fprintf(out, " %s |", head_of(md_heads, r0->f[c].key));
	fputs("\n|", out);
	for (c = 0; c < r0->n; c++)
		if (use[c])
			fputs(r0->f[c].type == F_STR ? "---|" : "---:|", out);
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		if (res[i].variant != variant)
			continue;
		fputc('|', out);
		for (c = 0; c < res[i].n; c++) {
			if (!use[c])
				continue;
			fmt_cell(&res[i].f[c], buf, sizeof(buf));
			fprintf(out, " %s |", buf);
		}
		fputc('\n', out);
	}
}
