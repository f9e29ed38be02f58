/*
 * check_duration.c - -t SECONDS: each timed demo stops within 10% of the
 * time asked, its check compares the iterations really done, stderr stays
 * empty on a pipe and shows a progress line on a terminal (a pty), and every
 * misuse is one line, exit 2, nothing created.  See launcher/run.c (pace).
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define ASKED_NS	500000000ull	/* -t 0.5 */
#define SLACK_NS	(ASKED_NS / 10)

/* Each timed demo, both modes: on time, exact, the time echoed, stderr empty. */
static const char *const timed[] = {
	"counter -w 2 -s mutex", "falseshare -w 2 -l padded", "pingpong",
	"queue -p 1 -c 1",
};

START_TEST(stops_on_time)
{
	struct jobj row[MAX_ROWS];
	const struct jfield *d;
	struct cmd c;
	uint64_t wall;
	int n, k;

	n = run_json(&c, row, "%s -t 0.5 --mode both -T 10", timed[_i]);
	expect(&c, 0);		/* stderr, a pipe, got nothing */
	ck_assert_int_eq(n, 2);
	for (k = 0; k < n; k++) {
		wall = jnum(&row[k], "wall_ns");
		ck_assert_msg(wall >= ASKED_NS - SLACK_NS && wall <= ASKED_NS +
		    SLACK_NS, "%s: wall_ns %ju, want 0.5 s +- 10%%", timed[_i],
		    (uintmax_t)wall);
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
		ck_assert_uint_gt(jnum(&row[k], "expected"), 0);
		ck_assert_uint_eq(jnum(&row[k], "observed"), jnum(&row[k],
		    "expected"));
		ck_assert_uint_gt(jnum(&row[k], "iterations"), 0);
		ck_assert_ptr_nonnull(d = json_get(&row[k], "duration_s"));
		ck_assert_str_eq(d->val, "0.500");
		if (_i == 3)
			ck_assert_uint_eq(jnum(&row[k], "produced"),
			    jnum(&row[k], "consumed"));
	}
	cmd_free(&c);
}
END_TEST

/* Unguarded: one worker cannot race, so its count is exactly what it did. */
START_TEST(racy_counts_real)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "counter -w 1 -s none -t 0.2 --mode both -T 10");
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	for (k = 0; k < n; k++) {
		ck_assert_uint_gt(jnum(&row[k], "expected"), 0);
		ck_assert_uint_eq(jnum(&row[k], "observed"), jnum(&row[k],
		    "expected"));
		ck_assert_uint_eq(jnum(&row[k], "iterations"), jnum(&row[k],
		    "expected"));
	}
	cmd_free(&c);
}
END_TEST

/* Three racing workers: expected is their sum, what was lost is counted. */
START_TEST(racy_loses)
{
	struct jobj row[MAX_ROWS];
	uint64_t want, got, it;
	struct cmd c;
	int n;

	n = run_json(&c, row, "counter -w 3 -s %s --widen -t 0.2 -m thread -T 10",
	    _i ? "naive-flag" : "none");
	expect(&c, 0);
	ck_assert_int_eq(n, 1);
	want = jnum(&row[0], "expected");
	got = jnum(&row[0], "observed");
	it = jnum(&row[0], "iterations");
	ck_assert_str_eq(jstr(&row[0], "verdict"), got < want ? "race" : "ok");
	ck_assert_uint_le(got, want);
	ck_assert_uint_eq(jnum(&row[0], "lost"), want - got);
	ck_assert_msg(want >= 3 * it && want < 3 * it + 3,
	    "expected %ju is not 3 x the mean %ju", (uintmax_t)want, (uintmax_t)it);
	cmd_free(&c);
}
END_TEST

/* Sweep with -t: every grid point timed, each exact. */
START_TEST(sweep_timed)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "sweep counter --workers 1,2 -s atomic -t 0.2 "
	    "-m thread -T 10");
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(jnum(&row[k], "workers"), (uint64_t)k + 1);
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
		ck_assert_uint_eq(jnum(&row[k], "observed"), jnum(&row[k],
		    "expected"));
	}
	cmd_free(&c);
}
END_TEST

/* Read the pty's master side until the child has closed it or ms pass. */
static size_t
drain(int fd, char *buf, size_t cap, unsigned ms)
{
	struct pollfd pf = { fd, POLLIN, 0 };
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && poll(&pf, 1, (int)ms) > 0) {
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;		/* EIO: the slave side is closed */
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* stderr a terminal: the progress line is drawn, then erased. */
START_TEST(progress_on_tty)
{
	char buf[8192], *const argv[] = { (char *)shmsync_path(), "counter",
	    "-w", "1", "-s", "atomic", "-t", "0.5", "-m", "thread", "-f", "csv",
	    "-T", "10", NULL };
	int master, slave, nul, st;
	pid_t pid;

	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	ck_assert_int_ne(nul = open("/dev/null", O_WRONLY | O_CLOEXEC), -1);
	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		dup2(nul, 1);
		dup2(slave, 2);
		close(master);
		execv(argv[0], argv);
		_exit(127);
	}
	close(slave);
	close(nul);
	drain(master, buf, sizeof(buf), 5000);
	close(master);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	ck_assert_int_eq(shm_leftovers(pid), 0);
	ck_assert_msg(strstr(buf, "\rcounter thread: 0.") != NULL &&
	    strstr(buf, " s of 0.5 s") != NULL, "no progress: '%s'", buf);
	ck_assert_msg(strlen(buf) >= 4 && strcmp(buf + strlen(buf) - 4,
	    "\r\033[K") == 0, "progress not erased: '%s'", buf);
}
END_TEST

/* Misuse: one line naming the problem, exit 2, nothing made. */
static const struct {
	const char	*cmd;
	const char	*says;
} bad[] = {
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

START_TEST(usage_errors)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", bad[_i].cmd), 0);
	ck_assert_msg(c.status == 2, "%s: exit %d", bad[_i].cmd, c.status);
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	ck_assert_uint_eq(c.outlen, 0);
	ck_assert_int_eq(count_lines(c.err), 1);
	ck_assert_msg(strstr(c.err, bad[_i].says) != NULL, "%s: '%s' lacks '%s'",
	    bad[_i].cmd, c.err, bad[_i].says);
	cmd_free(&c);
}
END_TEST

Suite *
duration_suite(void)
{
	Suite *s = suite_create("duration");
	TCase *tc = tcase_create("duration");

	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, stops_on_time, 0,
	    (int)(sizeof(timed) / sizeof(timed[0])));
	tcase_add_test(tc, racy_counts_real);
	tcase_add_loop_test(tc, racy_loses, 0, 2);
	tcase_add_test(tc, sweep_timed);
	tcase_add_test(tc, progress_on_tty);
	tcase_add_loop_test(tc, usage_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	return s;
}
