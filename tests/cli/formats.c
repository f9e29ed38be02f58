/*
 * formats.c - end to end: the three renderings of a result.  CSV's header
 * is the JSON keys, in order, and its cells are the JSON values; JSON Lines
 * carry every documented field with its JSON type and echo every effective
 * parameter; the table has a header and one row per run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_CELLS	48

/* One command per demo, every run in both modes; runs is its line count. */
static const struct {
	const char	*name;
	const char	*args;
	int		 runs;
	const char	*nums, *bools, *strs;	/* its own fields, by JSON type */
} demos[] = {
	{ "counter", "-w 2 -n 500 --sync all", 14, "lost hold-us", "widen", "" },
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
    "nvcsw nivcsw cpu_ns launch_ns full_waits empty_waits ";

/* Split a CSV line in place (RFC 4180 quoting); the number of cells. */
static int
csv_split(char *line, char **cell)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		ck_assert_int_lt(n, MAX_CELLS);
		cell[n++] = w;
		if (*r == '"') {
			for (r++; *r != '\0' && (*r != '"' || r[1] == '"'); r++) {
				if (*r == '"')
					r++;	/* "" is one quote */
				*w++ = *r;
			}
			ck_assert_msg(*r == '"', "unterminated quote in CSV");
			r++;
		}
		while (*r != ',' && *r != '\0')
			*w++ = *r++;
		if (*r == '\0')
			break;
		*w++ = '\0';
		r++;
	}
	*w = '\0';
	return n;
}

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
			if (!varies(head[i]))
				ck_assert_msg(strcmp(cell[i], rows[k].f[i].val) == 0,
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
	while ((line = next_line(&s)) != NULL) {
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

TCase *
format_tcase(void)
{
	TCase *tc = tcase_create("format");
	int n = (int)(sizeof(demos) / sizeof(demos[0]));

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_loop_test(tc, csv_is_json, 0, n);
	tcase_add_loop_test(tc, json_fields, 0, n);
	tcase_add_loop_test(tc, json_echoes_params, 0,
	    (int)(sizeof(echoes) / sizeof(echoes[0])));
	tcase_add_loop_test(tc, table_rows, 0, n);
	return tc;
}
