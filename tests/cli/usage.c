/*
 * usage.c - end to end: what shmsync says without running a demo.  list,
 * help and --version answer on stdout with exit 0, or exit 1 if stdout cannot
 * be written; every bad command line is one line on stderr, exit 2, nothing
 * on stdout and nothing in /dev/shm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../workers/worker.h"
#include "cli.h"

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
		if (strncmp(p, desc, d) == 0 && p[d] == '\n')
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
	{ "counter -n 0", "--iterations: '0' is too small" },
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

TCase *
help_tcase(void)
{
	TCase *tc = tcase_create("help");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_test(tc, list_demos);
	tcase_add_loop_test(tc, main_help, 0, 3);
	tcase_add_loop_test(tc, demo_help, 0, ndemos());
	tcase_add_loop_test(tc, version, 0, 2);
	tcase_add_loop_test(tc, stdout_full, 0, (int)(sizeof(full) / sizeof(full[0])));
	return tc;
}

TCase *
badinput_tcase(void)
{
	TCase *tc = tcase_create("badinput");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_loop_test(tc, bad_input, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, bad_input_newline);
	return tc;
}
