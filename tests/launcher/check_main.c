/*
 * check_main.c - launcher/main.c, the command line: list, help, explain and
 * --version answer on stdout with exit 0; every bad command line (an option
 * out of range, a bad --seed, --jitter, -t, --inject, a cap exceeded) is
 * one line on stderr, exit 2, nothing on stdout and nothing in /dev/shm;
 * a seed not given is drawn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../workers/worker.h"
#include "../tests.h"

static int
ndemos(void)
{
	int n = 0;

	while (workers[n] != NULL)
		n++;
	return n;
}

/* Whether a line of out is name, spaces, desc. */
static int
has_line(const char *out, const char *name, const char *desc)
{
	size_t n = strlen(name), d = strlen(desc);
	const char *l, *p, *nl;

	for (l = out; l != NULL && *l != '\0'; l = (nl = strchr(l, '\n')) ?
	    nl + 1 : NULL) {
		if (strncmp(l, name, n) != 0 || l[n] != ' ')
			continue;
		for (p = l + n; *p == ' '; p++)
			continue;
		/* A demo with an MPI form says so after its description. */
		if (strncmp(p, desc, d) == 0 && (p[d] == '\n' ||
		    strncmp(p + d, "  (-m mpi)\n", 11) == 0))
			return 1;
	}
	return 0;
}

/* list: one line per demo, its name then its description. */
START_TEST(list_demos)
{
	const struct worker *w;
	struct cmd c;
	int i;

	ck_assert_int_eq(cmd_runf(&c, "list"), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), ndemos());
	for (i = 0; (w = workers[i]) != NULL; i++) {
		ck_assert_msg(w->desc != NULL && *w->desc != '\0', "%s: no desc",
		    w->name);
		ck_assert_msg(has_line(c.out, w->name, w->desc), "no '%s  %s' in %s",
		    w->name, w->desc, c.out);
	}
	cmd_free(&c);
}
END_TEST

/* --help, -h, help: the usage, every demo, the common options, exit codes. */
START_TEST(main_help)
{
	static const char *const forms[] = { "--help", "-h", "help" };
	static const char *const words[] = { "usage:", "--mode", "--format",
	    "--timeout", "list", "--version", "exit status" };
	struct cmd c;
	int i;

	ck_assert_int_eq(cmd_runf(&c, "%s", forms[_i]), 0);
	expect(&c, 0);
	for (i = 0; i < (int)(sizeof(words) / sizeof(words[0])); i++)
		ck_assert_msg(strstr(c.out, words[i]) != NULL, "no '%s'", words[i]);
	for (i = 0; workers[i] != NULL; i++)
		ck_assert_msg(strstr(c.out, workers[i]->desc) != NULL, "no %s: %s",
		    workers[i]->name, c.out);
	cmd_free(&c);
}
END_TEST

/* DEMO --help and help DEMO: the same text, naming every option of the demo. */
START_TEST(demo_help)
{
	const struct worker *w = workers[_i];
	const struct optdef *o;
	struct cmd c, h;
	char want[96];

	ck_assert_int_eq(cmd_runf(&c, "%s --help", w->name), 0);
	expect(&c, 0);
	ck_assert_int_eq(cmd_runf(&h, "help %s", w->name), 0);
	expect(&h, 0);
	ck_assert_str_eq(c.out, h.out);
	snprintf(want, sizeof(want), "usage: shmsync %s ", w->name);
	ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want, c.out);
	ck_assert_msg(strstr(c.out, w->proves) != NULL, "no proves: %s", c.out);
	for (o = w->opts; o->name != NULL; o++) {
		snprintf(want, sizeof(want), "--%s", o->name);
		ck_assert_msg(strstr(c.out, want) != NULL, "no '%s' in %s", want,
		    c.out);
	}
	cmd_free(&c);
	cmd_free(&h);
}
END_TEST

START_TEST(version)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", _i ? "-V" : "--version"), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 1);
	ck_assert_msg(strncmp(c.out, "shmsync ", 8) == 0 && c.out[8] >= '0' &&
	    c.out[8] <= '9', "version: %s", c.out);
	cmd_free(&c);
}
END_TEST

/* The "Try:" part of an explanation: its suggestions, parentheses dropped. */
static void
try_line(const char *text, char *out, size_t len)
{
	const char *t = strstr(text, "Try:");
	size_t n = 0;
	int depth = 0;

	for (t = t != NULL ? t + 4 : ""; *t != '\0' && n + 1 < len; t++) {
		if (t[0] == '\n' && t[1] == '\n')
			break;
		depth += *t == '(' ? 1 : *t == ')' ? -1 : 0;
		if (depth == 0 && *t != ')')
			out[n++] = *t == '\n' ? ' ' : *t;
	}
	out[n] = '\0';
}

/* Every demo explains itself, and each thing it says to try is a valid command line. */
START_TEST(explain_every_demo)
{
	const struct worker *const *w;
	char tries[512], *one, *p, *dot;
	struct cmd c;

	for (w = workers; *w != NULL; w++) {
		ck_assert_msg((*w)->explain != NULL, "%s: no explanation", (*w)->name);
		ck_assert_ptr_nonnull(strstr((*w)->explain, "Primitive:"));
		ck_assert_ptr_nonnull(strstr((*w)->explain, "Pitfalls:"));
		ck_assert_int_eq(cmd_runf(&c, "explain %s", (*w)->name), 0);
		expect(&c, 0);
		ck_assert_ptr_nonnull(strstr(c.out, (*w)->explain));
		cmd_free(&c);

		try_line((*w)->explain, tries, sizeof(tries));
		ck_assert_msg(tries[0] != '\0', "%s: nothing to try", (*w)->name);
		for (p = tries; (one = strsep(&p, ";")) != NULL;) {
			if ((dot = strrchr(one, '.')) != NULL && dot[1] == '\0')
				*dot = '\0';
			ck_assert_int_eq(cmd_runf(&c, "%s %s --help", (*w)->name, one), 0);
			ck_assert_msg(c.status == 0, "%s %s: %s", (*w)->name, one, c.err);
			cmd_free(&c);
		}
	}
}
END_TEST

/* Line k (1-based) of a text, copied into buf without its newline; 0 past the end. */
static int
nth_line(const char *text, int k, char *buf, size_t len)
{
	const char *nl;

	for (; k > 1 && text != NULL; k--)
		text = (nl = strchr(text, '\n')) != NULL ? nl + 1 : NULL;
	if (text == NULL || *text == '\0')
		return 0;
	nl = strchr(text, '\n');
	snprintf(buf, len, "%.*s", (int)(nl != NULL ? nl - text : (long)strlen(text)),
	    text);
	return 1;
}

/* How a source line must look under "Code:": k tabs off, the rest expanded, 4 in. */
static void
as_shown(const char *src, size_t k, char *buf, size_t len)
{
	size_t n = 4, col = 0;

	memset(buf, ' ', 4);
	if (*src == '\0')
		n = 0;
	for (src += strlen(src) > k ? k : 0; *src != '\0' && n + 9 < len; src++) {
		if (*src != '\t') {
			buf[n++] = *src;
			col++;
			continue;
		}
		do
			buf[n++] = ' ';
		while (++col % 8 != 0);
	}
	buf[n] = '\0';
}

/* A whole file, NUL-terminated (free it), or NULL. */
static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		len = fread(buf, 1, (size_t)n, f);
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

/*
 * One region shown by explain, checked against its file as it is now: the
 * markers just outside lines first..last, and each line the file's text.
 * *shown points at the region's first code line; it is moved past it.
 */
static void
check_region(const char *demo, const char *file, int first, int last,
    const char **shown)
{
	char *src = read_text(file), line[512], want[600], marker[64];
	size_t k = 99, t;
	int i;

	ck_assert_msg(src != NULL, "%s: %s cannot be read", demo, file);
	ck_assert(first <= last && nth_line(src, first - 1, line, sizeof(line)));
	snprintf(marker, sizeof(marker), "/* explain: %s: ", demo);
	ck_assert_msg(strstr(line, marker) != NULL, "%s:%d: %s", file, first - 1, line);
	ck_assert(nth_line(src, last + 1, line, sizeof(line)));
	ck_assert_msg(strstr(line, "/* explain: end */") != NULL, "%s:%d", file, last + 1);
	for (i = first; i <= last; i++) {
		ck_assert(nth_line(src, i, line, sizeof(line)));
		t = strspn(line, "\t");
		k = t < k && line[t] != '\0' ? t : k;
	}
	for (i = first; i <= last; i++) {
		nth_line(src, i, line, sizeof(line));
		as_shown(line, k, want, sizeof(want));
		ck_assert(nth_line(*shown, 1, line, sizeof(line)));
		ck_assert_msg(strcmp(line, want) == 0, "%s: %s:%d shown as\n%s\nnot\n%s",
		    demo, file, i, line, want);
		*shown = strchr(*shown, '\n') + 1;
	}
	free(src);
}

/* explain shows each demo's code under "Code:", the current text of its lines. */
START_TEST(explain_shows_code)
{
	const struct worker *w = workers[_i];
	char file[128];
	const char *p;
	int first, last, n = 0, used;
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "explain %s", w->name), 0);
	expect(&c, 0);
	ck_assert_msg((p = strstr(c.out, "\nCode:\n")) != NULL, "%s: no code", w->name);
	for (p += 7; *p != '\0'; n++) {
		ck_assert_msg(sscanf(p, "  %127[^:]:%d-%d: %n", file, &first, &last,
		    &used) == 3, "%s: not a region's heading: %.60s", w->name, p);
		p = strchr(p, '\n') + 1;
		check_region(w->name, file, first, last, &p);
		p += *p == '\n';
	}
	ck_assert_msg(n > 0, "%s: no region", w->name);
	cmd_free(&c);
}
END_TEST

/* Without --seed one is drawn, echoed, and differs from run to run. */
START_TEST(seed_drawn)
{
	struct jobj o[MAX_ROWS];
	uint64_t s[3];
	struct cmd c;
	int i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(run_json(&c, o, "counter -w 1 -n 1 -s mutex "
		    "-m thread"), 1);
		ck_assert_ptr_nonnull(json_get(&o[0], "seed"));
		s[i] = jnum(&o[0], "seed");
		cmd_free(&c);
	}
	ck_assert(s[0] != s[1] || s[1] != s[2]);
}
END_TEST

/* Each bad command line, and a word its one stderr line must name. */
static const struct {
	const char	*args;
	const char	*says;
} bad[] = {
	{ "counter -w 0", "--workers: '0' is too small" },
	{ "counter -w -1", "--workers: '-1' is too small" },
	{ "counter -w abc", "--workers: 'abc' is invalid" },
	{ "counter -w 4097", "--workers: '4097' is too large" },
	{ "counter --workers 2x", "--workers: '2x' is invalid" },
	{ "counter -n -1", "--iterations: '-1' is too small" },
	{ "counter -n -5", "--iterations" },
	{ "counter -n 99999999999999999999", "--iterations: '99999999999999999999' "
	  "is too large" },
	{ "counter -w 4096 -n 9223372036854775807", "overflows" },
	{ "counter -w 3 -n 6148914691236517206", "overflows" },	/* 2^64 + 2 */
	{ "nosuchdemo", "unknown demo 'nosuchdemo'" },
	{ "nosuchdemo -w 2", "unknown demo 'nosuchdemo'" },
	{ "counter --mode fiber", "--mode: unknown MODE 'fiber'" },
	{ "counter -m", "'-m' needs a value" },
	{ "counter --format xml", "--format: unknown FMT 'xml'" },
	{ "counter --sync nosuchguard", "--sync: unknown GUARD 'nosuchguard'" },
	{ "barrier --barrier nosuchkind", "--barrier: unknown KIND 'nosuchkind'" },
	{ "counter --nosuchoption", "unknown option '--nosuchoption'" },
	{ "counter -Q", "unknown option '-Q'" },
	{ "counter -w", "'-w' needs a value" },
	{ "counter --sync", "'--sync' needs a value" },
	{ "counter --widen=1", "'--widen' takes no value" },
	{ "counter stray", "unexpected argument 'stray'" },
	{ "counter -w 2 -- stray", "unexpected argument 'stray'" },
	{ "counter --timeout 0", "--timeout: '0' is too small" },
	{ "counter -T 86401", "--timeout: '86401' is too large" },
	{ "queue -p 0", "--producers: '0' is too small" },
	{ "queue -c 0", "--consumers: '0' is too small" },
	{ "queue -k 0", "--capacity: '0' is too small" },
	{ "queue -p 2 -n 2147483649", "producers x items" },	/* 2^32 + 2 */
	{ "queue -p 1 -n 4294967297", "producers x items" },
	{ "barrier --phases 0", "--phases: '0' is too small" },
	{ "barrier -w 0", "--workers: '0' is too small" },
	{ "", "missing demo" },
	{ "help nosuchdemo", "unknown demo 'nosuchdemo'" },
	{ "help counter extra", "unexpected argument 'extra'" },
	{ "list extra", "unexpected argument 'extra'" },
	/* A near word is named; counts as people write them, bounds readable. */
	{ "countr", "unknown demo 'countr' (did you mean 'counter'?)" },
	{ "sweep countr --workers 1", "unknown demo 'countr' (did you mean "
	  "'counter'?)" },
	{ "explain semaphor", "(did you mean 'semaphore'?)" },
	{ "counter --mode proces", "unknown MODE 'proces' (did you mean "
	  "'process'?)" },
	{ "counter --sync mutx", "unknown GUARD 'mutx' (did you mean 'mutex'?)" },
	{ "counter --widdn", "unknown option '--widdn' (did you mean '--widen'?)" },
	{ "counter -n 1.5", "--iterations: '1.5' is invalid (0..2^63-1)" },
	{ "counter -n 1e30", "--iterations: '1e30' is too large" },
	{ "counter -n 2kB", "--iterations: '2kB' is invalid" },
	{ "counter -w 5k", "--workers: '5k' is too large (1..4096)" },
};

/* One line on stderr that says what is wrong; exit 2; nothing else, nothing made. */
static void
expect_usage_error(struct cmd *c, const char *says)
{
	expect(c, 2);
	ck_assert_msg(c->outlen == 0, "stdout: %s", c->out);
	ck_assert_msg(count_lines(c->err) == 1 && c->err[c->errlen - 1] == '\n',
	    "want one line on stderr: %s", c->err);
	ck_assert_msg(strncmp(c->err, "shmsync: ", 9) == 0, "stderr: %s", c->err);
	ck_assert_msg(strstr(c->err, says) != NULL, "no '%s' in: %s", says, c->err);
}

START_TEST(bad_input)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", bad[_i].args), 0);
	expect_usage_error(&c, bad[_i].says);
	cmd_free(&c);
}
END_TEST

/* 1e3, 1k, 1.5k and 2M are whole counts: echoed as the number they stand for. */
START_TEST(counts_with_suffixes)
{
	static const struct {
		const char	*arg;
		uint64_t	 n;
	} cnt[] = { { "1e3", 1000 }, { "1k", 1000 }, { "1.5k", 1500 },
	    { "2M", 2000000 }, { "3K", 3000 } };
	struct jobj o[MAX_ROWS];
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "counter -w 2 -s atomic -m thread -n %s",
	    cnt[_i].arg), 1);
	ck_assert_uint_eq(jnum(&o[0], "iterations"), cnt[_i].n);
	ck_assert_uint_eq(jnum(&o[0], "observed"), 2 * cnt[_i].n);
	cmd_free(&c);
}
END_TEST

/* A newline inside an argument must not split the message. */
START_TEST(bad_input_newline)
{
	const char *argv[] = { shmsync_path(), "counter", "-w", "1\n2", NULL };
	struct cmd c;

	ck_assert_int_eq(cmd_run(&c, argv), 0);
	expect_usage_error(&c, "--workers");
	cmd_free(&c);
}
END_TEST

/* Subcommands and combinations that cannot be: explain without a demo, coop with --inject. */
START_TEST(bad_combination)
{
	static const char *const combos[] = {
		"explain", "explain nothing", "counter -m coop --inject kill@0:1",
	};

	expect_usage(combos[_i], NULL);
}
END_TEST

/* --seed and --jitter out of range or not a number; -S is no demo's seed. */
START_TEST(seed_bad)
{
	static const char *const seeds[] = {
		"counter --seed -1", "counter --seed abc", "counter --seed ''",
		"counter --seed 99999999999999999999", "counter --seed 4294967296",
		"counter --jitter -5", "counter --jitter 1000001",
		"counter --jitter x", "order -S 3", "deadlock -S 3",
	};
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		expect_usage(seeds[i], NULL);
}
END_TEST

/* -t misuse: one line naming the problem. */
static const struct {
	const char	*cmd;
	const char	*says;
} bad_duration[] = {
	{ "counter -t 0", "0.001..86400" },
	{ "counter -t -1", "0.001..86400" },
	{ "counter -t abc", "0.001..86400" },
	{ "counter -t 1e9", "0.001..86400" },
	{ "counter --duration=", "0.001..86400" },
	{ "counter -t 0.0005", "0.001..86400" },
	{ "counter -t 86400.001", "0.001..86400" },
	{ "counter -t 1 -n 5", "--iterations" },
	{ "queue -t 1 --items 5", "--items" },
	{ "pingpong -n 5 -t 1", "--iterations" },
	{ "counter -t 60", "--timeout" },
	{ "counter -t 5 -T 5", "--timeout" },
	{ "counter -t 1 -m coop", "coop" },
	{ "barrier -t 1", "falseshare" },
	{ "all -t 1", "falseshare" },
	{ "sweep barrier --workers 1,2 -t 1", "falseshare" },
	{ "sweep counter --workers 1,2 -t 1 -n 5", "--iterations" },
};

START_TEST(duration_bad)
{
	expect_usage(bad_duration[_i].cmd, bad_duration[_i].says);
}
END_TEST

static const char *const bad_specs[] = {
	"kill", "kill@", "kill@1", "boom@1:2", "kill@a:1", "kill@1:-1",
	"kill@1:x", "kill@3:1", "kill@1:1,", ",kill@1:1", "kill@4096:1",
	"kill@0:1,kill@0:2,kill@0:3,kill@0:4,kill@0:5,kill@0:6,kill@0:7,kill@0:8,"
	"kill@0:9",
};

/* A bad --inject spec: one line naming --inject. */
START_TEST(inject_bad)
{
	char line[256];

	snprintf(line, sizeof(line), "counter -w 3 -n 10 --inject %s",
	    bad_specs[_i]);
	expect_usage(line, "--inject");
	no_orphans();
}
END_TEST

/* Worker caps and overflowing products: usage errors before anything exists. */
static const char *const too_much[] = {
	"counter -w 4097", "counter -w 4096 -n 9223372036854775807",
	"queue -p 2049", "queue -p 2048 -n 3000000", "queue -k 16777217",
	"barrier -r 16777217", "counter -T 86401",
};

START_TEST(caps)
{
	char line[128];

	snprintf(line, sizeof(line), "%s --mode process", too_much[_i]);
	expect_usage(line, NULL);
	no_orphans();
}
END_TEST

Suite *
launcher_main_suite(void)
{
	Suite *s = suite_create("launcher_main");
	TCase *tc = tcase_in(s, "help", CLI_TIMEOUT, 0);

	tcase_add_test(tc, list_demos);
	tcase_add_loop_test(tc, main_help, 0, 3);
	tcase_add_loop_test(tc, demo_help, 0, ndemos());
	tcase_add_loop_test(tc, version, 0, 2);
	tcase_add_test(tc, explain_every_demo);
	tcase_add_loop_test(tc, explain_shows_code, 0, ndemos());
	tcase_add_test(tc, seed_drawn);
	tc = tcase_in(s, "bad input", CLI_TIMEOUT, 0);
	tcase_add_loop_test(tc, counts_with_suffixes, 0, 5);
	tcase_add_loop_test(tc, bad_input, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, bad_input_newline);
	tcase_add_loop_test(tc, bad_combination, 0, 3);
	tcase_add_test(tc, seed_bad);
	tcase_add_loop_test(tc, duration_bad, 0,
	    (int)(sizeof(bad_duration) / sizeof(bad_duration[0])));
	tc = tcase_in(s, "caps", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, inject_bad, 0,
	    (int)(sizeof(bad_specs) / sizeof(bad_specs[0])));
	tcase_add_loop_test(tc, caps, 0, (int)(sizeof(too_much) / sizeof(too_much[0])));
	return s;
}
