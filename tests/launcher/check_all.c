/*
 * check_all.c - launcher/all.c, `shmsync all`: every demo of the registry
 * with its defaults, a row per demo, variant and mode, none failed; and
 * what it refuses (a fault to inject, one demo's options).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../workers/worker.h"
#include "../tests.h"

/* The whole catalog with defaults: a row per demo, variant and mode, none failed. */
START_TEST(all_demos)
{
	const struct worker *const *w;
	struct cmd c;
	char tag[64];
	int rows;

	ck_assert_int_eq(cmd_runf(&c, "all -m process -f csv"), 0);
	expect(&c, 0);
	rows = count_lines(c.out) - 1;
	ck_assert_int_ge(rows, 20);
	ck_assert_ptr_null(strstr(c.out, ",fail,"));
	for (w = workers; *w != NULL; w++) {
		snprintf(tag, sizeof(tag), "\n%s,", (*w)->name);
		ck_assert_msg(strstr(c.out, tag) != NULL, "no row for %s", (*w)->name);
	}
	cmd_free(&c);
}
END_TEST

/* The table for people: its title, a row per demo, the exit status. */
START_TEST(all_table)
{
	const struct worker *const *w;
	struct cmd c;
	char tag[64];

	ck_assert_int_eq(cmd_runf(&c, "all -m thread"), 0);
	expect(&c, 0);
	ck_assert_msg(strncmp(c.out, "all:", 4) == 0, "stdout: %.200s", c.out);
	ck_assert_ptr_nonnull(strstr(c.out, "\nproves: each demo's own invariant"));
	for (w = workers; *w != NULL; w++) {
		snprintf(tag, sizeof(tag), "\n%s ", (*w)->name);
		ck_assert_msg(strstr(c.out, tag) != NULL, "no row for %s", (*w)->name);
	}
	cmd_free(&c);
}
END_TEST

/*
 * The table streams: rows are on stdout as each run ends, so a Ctrl-C
 * leaves what had finished there, and the launcher dies of the signal.
 */
START_TEST(all_streams_rows)
{
	int out = memfd_create("stdout", 0), st, i;
	struct stat sb;
	char buf[8192];
	ssize_t n;
	pid_t pid;

	ck_assert_int_ge(out, 0);
	if ((pid = fork()) == 0) {
		dup2(out, STDOUT_FILENO);
		execl(shmsync_path(), shmsync_path(), "all", "-m", "both",
		    (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	/* Wait until a row or two are out, then interrupt. */
	for (i = 0; i < 1000 && fstat(out, &sb) == 0 && sb.st_size < 600; i++)
		usleep(10000);
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status %#x", st);
	n = pread(out, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strncmp(buf, "all:", 4) == 0, "stdout: %s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\ncounter "));
	ck_assert_ptr_null(strstr(buf, "\nlitmus "));	/* the last demo */
	close(out);
	ck_assert_int_eq(shm_leftovers(pid), 0);
}
END_TEST

START_TEST(all_bad_input)
{
	static const char *const bad[] = { "all --inject kill@0:1", "all -w 3" };

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
launcher_all_suite(void)
{
	Suite *s = suite_create("launcher_all");
	TCase *tc = tcase_in(s, "all", CLI_TIMEOUT, 0);

	tcase_add_test(tc, all_demos);
	tcase_add_test(tc, all_table);
	tcase_add_test(tc, all_streams_rows);
	tcase_add_loop_test(tc, all_bad_input, 0, 2);
	return s;
}
