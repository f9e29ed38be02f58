/*
 * check_report.c - launcher/report.c, one result rendered three ways: CSV's
 * header is the JSON keys, in order, and its cells the JSON values; JSON
 * Lines carry every documented field with its JSON type and echo every
 * effective parameter (the seed too); the table has a header and a row per
 * run, coloured only when asked or on a terminal; output that cannot be
 * written is a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests.h"

/* One command per demo, every run in both modes; runs is its line count. */
static const struct {
	const char	*name;
	const char	*args;
	int		 runs;
	const char	*nums, *bools, *strs;	/* its own fields, by JSON type */
} demos[] = {
	{ "counter", "-w 2 -n 500 --sync all", 26, "lost hold-us", "widen fairness",
	  "" },
	{ "queue", "-p 2 -c 1 -n 200 -k 3", 2, "produced consumed duplicates "
	  "full_waits empty_waits producers consumers items capacity",
	  "checksum_ok", "" },
	{ "barrier", "-w 3 -r 50 -b cond", 2, "phases early serial_bad", "",
	  "barrier" },
};

/* Every result has these. */
static const char common_str[] = "demo mode sync verdict note";
static const char common_num[] = "workers iterations expected observed wall_ns "
    "ops_per_sec nvcsw nivcsw cpu_ns launch_ns timeout";

/* Fields that differ from one run to the next. */
static const char varying[] = " observed lost verdict note wall_ns ops_per_sec "
    "nvcsw nivcsw cpu_ns launch_ns full_waits empty_waits max_run share_min "
    "share_max jain max_wait_ns ";

/* The next line of *s (NUL-terminated in place), or NULL at the end. */
static char *
next_line(char **s)
{
	char *line = *s, *nl;

	if (*line == '\0')
		return NULL;
	ck_assert_msg((nl = strchr(line, '\n')) != NULL, "unended line: %s", line);
	*nl = '\0';
	*s = nl + 1;
	return line;
}

/* Each word of list must be a member of o, of the given JSON type. */
static void
has_fields(const struct jobj *o, const char *list, enum jtype type)
{
	char buf[256], *p = buf, *key;
	const struct jfield *f;

	strlcpy(buf, list, sizeof(buf));
	while ((key = strsep(&p, " ")) != NULL && *key != '\0') {
		ck_assert_msg((f = json_get(o, key)) != NULL, "no field '%s'", key);
		ck_assert_msg(f->type == type, "'%s' is %s, of JSON type %d, not %d",
		    key, f->val, f->type, type);
	}
}

static int
varies(const char *key)
{
	char word[40];

	snprintf(word, sizeof(word), " %s ", key);
	return strstr(varying, word) != NULL;
}

/* CSV: a header equal to the JSON keys, one row per run, the same values. */
START_TEST(csv_is_json)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c, j;
	char *s, *line, *head[MAX_CELLS], *cell[MAX_CELLS];
	const char *want;
	int nh, k, i;

	ck_assert_int_eq(run_json(&j, rows, "%s %s -m both -T 7 --seed 5",
	    demos[_i].name, demos[_i].args), demos[_i].runs);
	expect(&j, 0);
	ck_assert_int_eq(cmd_runf(&c, "%s %s -m both -T 7 --seed 5 --format csv",
	    demos[_i].name, demos[_i].args), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), demos[_i].runs + 1);
	s = c.out;
	nh = csv_split(next_line(&s), head);
	for (k = 0; (line = next_line(&s)) != NULL; k++) {
		ck_assert_int_eq(rows[k].n, nh);
		ck_assert_int_eq(csv_split(line, cell), nh);
		for (i = 0; i < nh; i++) {
			ck_assert_str_eq(head[i], rows[k].f[i].key);
			/* No value: an empty cell in CSV, null in JSON. */
			want = rows[k].f[i].type == J_NULL ? "" : rows[k].f[i].val;
			if (!varies(head[i]))
				ck_assert_msg(strcmp(cell[i], want) == 0,
				    "row %d %s: csv '%s', json '%s'", k, head[i],
				    cell[i], rows[k].f[i].val);
		}
	}
	ck_assert_int_eq(k, demos[_i].runs);
	cmd_free(&c);
	cmd_free(&j);
}
END_TEST

/* JSON: every documented field, with its JSON type, on every line. */
START_TEST(json_fields)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "%s %s -m both -T 7", demos[_i].name,
	    demos[_i].args), demos[_i].runs);
	expect(&c, 0);
	for (k = 0; k < demos[_i].runs; k++) {
		has_fields(&rows[k], common_str, J_STR);
		has_fields(&rows[k], common_num, J_NUM);
		has_fields(&rows[k], demos[_i].nums, J_NUM);
		has_fields(&rows[k], demos[_i].bools, J_BOOL);
		has_fields(&rows[k], demos[_i].strs, J_STR);
		ck_assert_str_eq(jstr(&rows[k], "demo"), demos[_i].name);
		ck_assert_uint_eq(jnum(&rows[k], "timeout"), 7);
	}
	cmd_free(&c);
}
END_TEST

/* Every effective parameter is echoed, long or short option, default or not. */
static const struct {
	const char	*args;
	const char	*want;		/* key=value ... as JSON writes the value */
} echoes[] = {
	{ "counter --workers 3 --iterations 123 --sync atomic --widen -m thread "
	  "--timeout 9", "workers=3 iterations=123 sync=atomic widen=true "
	  "mode=thread timeout=9 expected=369" },
	{ "counter -w 2 -n 10 -s mutex -m process",
	  "workers=2 iterations=10 sync=mutex widen=false mode=process timeout=60" },
	{ "queue --producers 3 --consumers 2 --items 77 --capacity 5 -m process -T 11",
	  "producers=3 consumers=2 items=77 capacity=5 workers=5 iterations=77 "
	  "expected=231 timeout=11 mode=process" },
	{ "queue -p 1 -c 1 -n 10 -m thread",
	  "producers=1 consumers=1 items=10 capacity=64 timeout=60" },
	{ "barrier --workers 2 --phases 40 --barrier cond -m thread -T 12",
	  "workers=2 phases=40 barrier=cond sync=cond iterations=40 timeout=12" },
	{ "barrier -w 2 -r 5 -m process", "barrier=pthread phases=5 timeout=60" },
};

START_TEST(json_echoes_params)
{
	struct jobj rows[MAX_ROWS];
	const struct jfield *f;
	struct cmd c;
	char want[256], *p = want, *kv, *eq;

	ck_assert_int_eq(run_json(&c, rows, "%s", echoes[_i].args), 1);
	expect(&c, 0);
	strlcpy(want, echoes[_i].want, sizeof(want));
	while ((kv = strsep(&p, " ")) != NULL) {
		ck_assert((eq = strchr(kv, '=')) != NULL);
		*eq = '\0';
		ck_assert_msg((f = json_get(&rows[0], kv)) != NULL, "no '%s'", kv);
		ck_assert_msg(strcmp(f->val, eq + 1) == 0, "%s is '%s', want '%s'",
		    kv, f->val, eq + 1);
	}
	cmd_free(&c);
}
END_TEST

/* The table: a header naming the columns, then exactly one row per run. */
START_TEST(table_rows)
{
	static const char *const heads[] = { "sync", "mode", "expected",
	    "observed", "verdict", "time", "ops/s", "vcsw", "ivcsw", "note" };
	struct cmd c;
	char *s, *line;
	int k, rows = 0;

	ck_assert_int_eq(cmd_runf(&c, "%s %s -m both -T 7%s", demos[_i].name,
	    demos[_i].args, _i == 0 ? "" : " --format table"), 0);
	expect(&c, 0);
	s = c.out;
	line = next_line(&s);
	ck_assert_msg(strncmp(line, demos[_i].name, strlen(demos[_i].name)) == 0 &&
	    strstr(line, "timeout=7") != NULL, "preamble: %s", line);
	while ((line = next_line(&s)) != NULL && *line != '\0')
		continue;
	ck_assert_msg((line = next_line(&s)) != NULL, "no header: %s", c.out);
	for (k = 0; k < (int)(sizeof(heads) / sizeof(heads[0])); k++)
		ck_assert_msg(strstr(line, heads[k]) != NULL, "no '%s' in %s",
		    heads[k], line);
	while ((line = next_line(&s)) != NULL && line[0] != '(') {	/* notes after */
		ck_assert_msg(strstr(line, rows % 2 ? " process " : " thread ") !=
		    NULL, "row %d: %s", rows, line);
		ck_assert_msg(strstr(line, " ok ") != NULL ||
		    strstr(line, " race ") != NULL, "row %d: %s", rows, line);
		rows++;
	}
	ck_assert_int_eq(rows, demos[_i].runs);
	cmd_free(&c);
}
END_TEST

/* The seed is echoed in JSON, CSV and the table's parameter line. */
START_TEST(seed_echoed)
{
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "counter -w 2 -n 10 -s mutex -m thread "
	    "--seed 4242"), 1);
	ck_assert_uint_eq(jnum(&o[0], "seed"), 4242);
	ck_assert_ptr_null(json_get(&o[0], "jitter_ns"));	/* no --jitter */
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -n 10 -s mutex -m thread "
	    "--seed 4242 -f csv"), 0);
	ck_assert_ptr_nonnull(strstr(c.out, ",seed,"));
	ck_assert_ptr_nonnull(strstr(c.out, ",4242,"));
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -n 10 -s mutex -m thread "
	    "--seed 4242"), 0);
	ck_assert_ptr_nonnull(strstr(c.out, " seed=4242"));
	cmd_free(&c);
}
END_TEST

/* Output that cannot be written is a failure: exit 1, and stderr says so. */
static const char *const full[] = {
	"list", "--version", "--help", "help counter",
	"counter -w 2 -n 100 -s mutex -m both -T 10",
	"counter -w 2 -n 100 -s mutex -m both -T 10 -f csv",
	"queue -p 1 -c 1 -n 100 -m both -T 10 -f json",
};

START_TEST(stdout_full)
{
	const char *argv[16] = { "/bin/sh", "-c", "exec \"$0\" \"$@\" >/dev/full",
	    shmsync_path() };
	char buf[128], *p = buf, *word;
	struct cmd c;
	int n = 4;

	strlcpy(buf, full[_i], sizeof(buf));
	while ((word = strsep(&p, " ")) != NULL && n < 15)
		argv[n++] = word;
	argv[n] = NULL;
	ck_assert_int_eq(cmd_run(&c, argv), 0);
	expect(&c, 1);
	ck_assert_msg(count_lines(c.err) == 1 &&
	    strstr(c.err, "stdout: No space left on device") != NULL,
	    "stderr: %s", c.err);
	cmd_free(&c);
}
END_TEST

/* --color=always paints the table's verdicts, never CSV or JSON; never and auto (no tty) do not. */
START_TEST(color_when)
{
	static const struct {
		const char	*args;
		int		 esc;
	} t[] = {
		{ "--color=always", 1 }, { "--color=never", 0 }, { "", 0 },
		{ "--color=always -f csv", 0 }, { "--color=always -f json", 0 },
	};
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -n 100 -s mutex -m thread %s",
	    t[_i].args), 0);
	expect(&c, 0);
	ck_assert_msg((strchr(c.out, '\033') != NULL) == t[_i].esc,
	    "%s: escapes %s", t[_i].args, t[_i].esc ? "missing" : "present");
	if (t[_i].esc)
		ck_assert_ptr_nonnull(strstr(c.out, "\033[32mok"));
	cmd_free(&c);
}
END_TEST

/* Offset of the first occurrence of word in line, escapes not counted. */
static int
visible_col(const char *line, const char *word)
{
	int n = 0;

	for (; *line != '\0' && *line != '\n'; line++) {
		if (*line == '\033') {
			line += 1 + strspn(line + 1, "[0123456789;");	/* to the final letter */
			continue;
		}
		if (strncmp(line, word, strlen(word)) == 0)
			return n;
		n++;
	}
	return -1;
}

/* --color=always: verdicts painted in the table, columns still aligned; never in CSV/JSON. */
START_TEST(color_always_table_only)
{
	static const char *const plain[] = { "--color=never", "--color=always -f csv",
	    "--color=always -f json", "--color=auto" };
	char *hdr, *l;
	struct cmd c;
	int v, rows = 0;
	size_t i;

	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2 -s mutex -n 300 "
	    "-m both --color=always -T 20"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(hdr = strstr(c.out, "\nsync "));
	v = visible_col(hdr + 1, "verdict");
	ck_assert_int_gt(v, 0);
	for (l = strchr(hdr + 1, '\n') + 1; *l != '\0' && *l != '\n'; rows++) {
		ck_assert_ptr_nonnull(strstr(l, "\033[32mok"));
		ck_assert_int_eq(visible_col(l, "ok"), v);
		l = strchr(l, '\n') + 1;
	}
	ck_assert_int_eq(rows, 4);
	cmd_free(&c);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1 -s mutex "
		    "-n 300 %s", plain[i]), 0);
		expect(&c, 0);
		ck_assert_msg(strchr(c.out, '\033') == NULL, "%s: escapes", plain[i]);
		cmd_free(&c);
	}
}
END_TEST

/* auto colours a terminal unless NO_COLOR is set and not empty; always wins over NO_COLOR. */
START_TEST(color_auto_pty)
{
	static const struct {
		const char	*opt, *nocolor;
		int		 esc;
	} t[] = {
		{ "", NULL, 1 }, { "--color=auto", "1", 0 }, { "", "", 1 },
		{ "--color=always", "1", 1 }, { "--color=never", NULL, 0 },
	};
	char cmd[512], out[16384];

	snprintf(cmd, sizeof(cmd), "exec %s counter -w 2 -n 300 -s mutex %s",
	    shmsync_path(), t[_i].opt);
	ck_assert_int_eq(pty_run(cmd, t[_i].nocolor, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "verdict"));
	ck_assert_msg((strchr(out, '\033') != NULL) == t[_i].esc, "'%s' NO_COLOR=%s: %s",
	    t[_i].opt, t[_i].nocolor ? t[_i].nocolor : "(unset)", out);
}
END_TEST

START_TEST(color_bad)
{
	expect_usage("counter --color=sometimes", NULL);
}
END_TEST

/* The longest line of s. */
static size_t
widest(const char *s)
{
	size_t n, max = 0;

	for (; *s != '\0'; s += n + (s[n] == '\n')) {
		n = strcspn(s, "\n");
		max = n > max ? n : max;
	}
	return max;
}

/*
 * A table fits COLUMNS when stdout is no terminal: every line, the notes
 * on lines of their own; --wide keeps every column; CSV does not change.
 */
START_TEST(table_fits)
{
	static const char *const cmd[] = {
		"counter -n 2000 -s all", "crash", "all -m thread",
	};
	struct cmd c, w;

	setenv("COLUMNS", "100", 1);
	ck_assert_int_eq(cmd_runf(&c, "%s", cmd[_i]), 0);
	expect(&c, 0);
	ck_assert_msg(widest(c.out) <= 100, "%zu wide:\n%s", widest(c.out), c.out);
	ck_assert_int_eq(cmd_runf(&w, "%s --wide", cmd[_i]), 0);
	expect(&w, 0);
	ck_assert_msg(widest(w.out) > 100, "--wide is %zu wide", widest(w.out));
	ck_assert_int_gt(count_lines(c.out), count_lines(w.out));  /* the notes */
	cmd_free(&c);
	cmd_free(&w);
	unsetenv("COLUMNS");
}
END_TEST

/*
 * --repeat R: each row the median of R runs, echoed, its ops/s between the
 * min and the max; the table's proc/thr shows its spread, and with one run
 * says it is one run.
 */
START_TEST(repeat_median)
{
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	double ops, lo, hi;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "counter -w 2 -n 2000 -s mutex "
	    "--repeat 3"), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		ck_assert_uint_eq(jnum(&rows[k], "repeats"), 3);
		ck_assert_uint_eq(jnum(&rows[k], "observed"), 4000);
		ops = jdbl(&rows[k], "ops_per_sec");
		lo = jdbl(&rows[k], "ops_per_sec_min");
		hi = jdbl(&rows[k], "ops_per_sec_max");
		ck_assert_msg(lo > 0 && lo <= ops && ops <= hi, "%f %f %f", lo, ops, hi);
	}
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -n 2000 -s mutex --repeat 3 "
	    "--wide"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "x ("));	/* 1.02x (0.90-1.13) */
	ck_assert_ptr_null(strstr(c.out, "one run of each"));
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 2 -n 2000 -s mutex --wide"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "(proc/thr: one run of each"));
	cmd_free(&c);
	expect_usage("counter --repeat 0", "--repeat");
	expect_usage("all --repeat 2", "--repeat");
}
END_TEST

START_TEST(csv_ignores_columns)
{
	struct cmd c, w;

	setenv("COLUMNS", "40", 1);
	ck_assert_int_eq(cmd_runf(&c, "counter -n 100 -s mutex -f csv --seed 1"), 0);
	unsetenv("COLUMNS");
	ck_assert_int_eq(cmd_runf(&w, "counter -n 100 -s mutex -f csv --seed 1"), 0);
	ck_assert_int_eq(strcspn(c.out, "\n"), strcspn(w.out, "\n"));
	ck_assert_int_eq(strncmp(c.out, w.out, strcspn(c.out, "\n")), 0);
	cmd_free(&c);
	cmd_free(&w);
}
END_TEST

Suite *
launcher_report_suite(void)
{
	Suite *s = suite_create("launcher_report");
	TCase *tc = tcase_in(s, "format", CLI_TIMEOUT, 0);
	int n = (int)(sizeof(demos) / sizeof(demos[0]));

	tcase_add_loop_test(tc, csv_is_json, 0, n);
	tcase_add_loop_test(tc, json_fields, 0, n);
	tcase_add_loop_test(tc, json_echoes_params, 0,
	    (int)(sizeof(echoes) / sizeof(echoes[0])));
	tcase_add_loop_test(tc, table_rows, 0, n);
	tcase_add_test(tc, seed_echoed);
	tcase_add_loop_test(tc, stdout_full, 0, (int)(sizeof(full) / sizeof(full[0])));
	tc = tcase_in(s, "color", CLI_TIMEOUT, 0);
	tcase_add_loop_test(tc, color_when, 0, 5);
	tcase_add_test(tc, color_always_table_only);
	tcase_add_loop_test(tc, color_auto_pty, 0, 5);
	tcase_add_test(tc, color_bad);
	tcase_add_loop_test(tc, table_fits, 0, 3);
	tcase_add_test(tc, csv_ignores_columns);
	tcase_add_test(tc, repeat_median);
	return s;
}
