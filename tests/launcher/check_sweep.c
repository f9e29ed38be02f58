/*
 * check_sweep.c - launcher/sweep.c and plot.c, `shmsync sweep`: a row per
 * grid point (workers x variant x mode) with its effective parameters and
 * its invariant, in CSV and JSON, for a count or -t seconds; the chart
 * (piped and on a terminal); the gnuplot SVG, or its absence, or its
 * failure, leaving no file; and the grids it refuses.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../launcher/sweep.h"
#include "../tests.h"

static int
col(char **head, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(head[i], key) == 0)
			return i;
	ck_abort_msg("CSV: no column %s", key);
	return -1;
}

/* Every grid point once (workers x mode), each with its parameters and invariant. */
START_TEST(sweep_csv_grid)
{
	char *line, *next, *head[MAX_CELLS], *cell[MAX_CELLS];
	struct cmd c;
	int nh, rows = 0, w;
	double ops, lo, hi;

	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2,3 -s mutex -n 400 "
	    "-m both --repeat 3 -f csv -T 20"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(next = strchr(c.out, '\n'));
	*next++ = '\0';
	nh = csv_split(c.out, head);
	for (; (line = next) != NULL && *line != '\0'; rows++) {
		ck_assert_ptr_nonnull(next = strchr(line, '\n'));
		*next++ = '\0';
		ck_assert_int_eq(csv_split(line, cell), nh);
		w = rows / 2 + 1;
		ck_assert_int_eq(atoi(cell[col(head, nh, "workers")]), w);
		ck_assert_str_eq(cell[col(head, nh, "mode")], rows % 2 ? "process" : "thread");
		ck_assert_str_eq(cell[col(head, nh, "sync")], "mutex");
		ck_assert_str_eq(cell[col(head, nh, "iterations")], "400");
		ck_assert_str_eq(cell[col(head, nh, "repeats")], "3");
		ck_assert_int_eq(atoi(cell[col(head, nh, "observed")]), 400 * w);
		ck_assert_str_eq(cell[col(head, nh, "verdict")], "ok");
		ops = strtod(cell[col(head, nh, "ops_per_sec")], NULL);
		lo = strtod(cell[col(head, nh, "ops_per_sec_min")], NULL);
		hi = strtod(cell[col(head, nh, "ops_per_sec_max")], NULL);
		ck_assert(lo > 0 && lo <= ops && ops <= hi);
	}
	ck_assert_int_eq(rows, 6);
	cmd_free(&c);
}
END_TEST

/* JSON Lines, strictly parsed; a queue's count is its producers and consumers. */
START_TEST(sweep_json_queue)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "sweep queue --workers=1,3 -n 300 -m process -T 20");
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(jnum(&row[k], "producers"), 2 * k + 1);
		ck_assert_uint_eq(jnum(&row[k], "consumers"), 2 * k + 1);
		ck_assert_uint_eq(jnum(&row[k], "workers"), 2 * (2 * k + 1));
		ck_assert_uint_eq(jnum(&row[k], "observed"), 300 * (2 * k + 1));
		ck_assert_uint_eq(jnum(&row[k], "repeats"), 1);
		ck_assert_str_eq(jstr(&row[k], "mode"), "process");
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
	}
	cmd_free(&c);

	/* Each variant of a demo is a grid line of its own. */
	n = run_json(&c, row, "sweep counter --workers 1,2 -s all -n 200 -m thread -T 20");
	expect(&c, 0);
	ck_assert_int_eq(n, 26);
	ck_assert_str_eq(jstr(&row[0], "sync"), "none");
	ck_assert_str_eq(jstr(&row[25], "sync"), "futex");
	ck_assert_uint_eq(jnum(&row[25], "workers"), 2);
	cmd_free(&c);
}
END_TEST

/* The chart: a bar per row, every line within $COLUMNS (stdout is no tty here). */
START_TEST(sweep_chart_fits)
{
	struct cmd c;
	char *l, *nl;
	int bars = 0, chart = 0;

	setenv("COLUMNS", "50", 1);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2 -s atomic -n 300 "
	    "-m both --chart -T 20"), 0);
	expect(&c, 0);
	for (l = c.out; (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		chart |= strncmp(l, "ops/s by workers", 16) == 0;
		if (!chart)
			continue;
		*nl = '\0';
		ck_assert_msg(nl - l < 50, "chart line of %td columns: %s", nl - l, l);
		bars += strstr(l, " w=") != NULL;
	}
	ck_assert_int_eq(bars, 4);
	cmd_free(&c);
}
END_TEST

/* A row per grid point (workers x variant x mode), parameters echoed, invariants held. */
START_TEST(sweep_grid_rows)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int n, k;

	n = run_json(&c, row, "sweep counter --workers 1,2,3 -s mutex -n 2000 "
	    "--repeat 3 -m both");
	expect(&c, 0);
	ck_assert_int_eq(n, 6);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(jnum(&row[k], "workers"), (uint64_t)(k / 2 + 1));
		ck_assert_uint_eq(jnum(&row[k], "observed"), 2000 * (uint64_t)(k / 2 + 1));
		ck_assert_uint_eq(jnum(&row[k], "repeats"), 3);
		ck_assert_str_eq(jstr(&row[k], "mode"), k % 2 ? "process" : "thread");
		ck_assert_double_le(strtod(json_get(&row[k], "ops_per_sec_min")->val,
		    NULL), strtod(json_get(&row[k], "ops_per_sec_max")->val, NULL));
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
	}
	cmd_free(&c);

	/* A queue's workers are its producers and its consumers. */
	n = run_json(&c, row, "sweep queue --workers 1,2 -n 500 -m process");
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(jnum(&row[1], "producers"), 2);
	ck_assert_uint_eq(jnum(&row[1], "consumers"), 2);
	ck_assert_uint_eq(jnum(&row[1], "observed"), 1000);
	cmd_free(&c);
}
END_TEST

/* --plot writes an SVG when gnuplot is installed, and says so when it is not. */
START_TEST(sweep_plot)
{
	char path[] = "/tmp/shmsync-sweep-XXXXXX.svg", head[64] = "";
	struct cmd c;
	FILE *f;
	int fd, gnuplot = system("command -v gnuplot >/dev/null 2>&1") == 0;

	ck_assert_int_ge(fd = mkstemps(path, 4), 0);
	close(fd);
	unlink(path);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2 -s atomic -n 500 "
	    "--plot %s", path), 0);
	if (!gnuplot) {
		fprintf(stderr, "sweep: skipped: gnuplot not installed, no plot drawn\n");
		ck_assert_int_eq(c.status, 2);
		ck_assert_ptr_nonnull(strstr(c.err, "gnuplot"));
		ck_assert_int_eq(access(path, F_OK), -1);
		cmd_free(&c);
		return;
	}
	expect(&c, 0);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_uint_gt(fread(head, 1, sizeof(head) - 1, f), 0);
	fclose(f);
	unlink(path);
	ck_assert_ptr_nonnull(strstr(head, "<?xml"));
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

/* With gnuplot, --plot writes one SVG, a panel per mode and a line per guard, and nothing else. */
START_TEST(sweep_plot_svg)
{
	char dir[] = "/tmp/shmsync-plot-test.XXXXXX", path[128], svg[65536];
	struct cmd c;
	ssize_t n;
	int fd;

	if (plot_which() == NULL) {
		fprintf(stderr, "sweep: skipped: gnuplot not installed, no SVG to check "
		    "(apt-get install gnuplot-nox)\n");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/it's.svg", dir);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2 -s atomic -n 300 "
	    "-m both -f csv -T 20 --plot %s", path), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 5);
	ck_assert_int_eq(dir_entries(dir), 1);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	n = read(fd, svg, sizeof(svg) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	svg[n] = '\0';
	ck_assert_ptr_nonnull(strstr(svg, "<svg"));
	ck_assert_ptr_nonnull(strstr(svg, ">threads<"));
	ck_assert_ptr_nonnull(strstr(svg, ">processes<"));
	ck_assert_ptr_nonnull(strstr(svg, ">atomic<"));
	ck_assert_ptr_nonnull(strstr(svg, "M ops/s (log scale)"));
	ck_assert_ptr_nonnull(strstr(svg, "ops/s vs workers, one run each"));
	rm_tree(dir);
	cmd_free(&c);
}
END_TEST

/* A guard that raced is drawn apart and says so; with --repeat the title says what the bars are. */
START_TEST(sweep_plot_race)
{
	char dir[] = "/tmp/shmsync-plot-test.XXXXXX", path[128], svg[65536];
	struct cmd c;
	ssize_t n;
	int fd;

	if (plot_which() == NULL) {
		fprintf(stderr, "sweep: skipped: gnuplot not installed, no SVG to check "
		    "(apt-get install gnuplot-nox)\n");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/race.svg", dir);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 2,3 -s none --widen "
	    "-n 2000 -m thread --repeat 2 -f csv -T 20 --plot %s", path), 0);
	expect(&c, 0);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	n = read(fd, svg, sizeof(svg) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	svg[n] = '\0';
	ck_assert_ptr_nonnull(strstr(svg, "none: raced, a wrong count"));
	ck_assert_ptr_nonnull(strstr(svg, "the median of 2 runs, bars from the slowest"));
	ck_assert_ptr_null(strstr(svg, ">processes<"));
	rm_tree(dir);
	cmd_free(&c);
}
END_TEST

/* Without gnuplot: exit 2 before any run, one line naming it, no file. */
START_TEST(sweep_plot_missing)
{
	char dir[] = "/tmp/shmsync-plot-test.XXXXXX";
	struct cmd c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("PATH", dir, 1);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1,2 -n 300 "
	    "--plot %s/out.svg", dir), 0);
	expect(&c, 2);
	ck_assert_int_eq(count_lines(c.err), 1);
	ck_assert_ptr_nonnull(strstr(c.err, "gnuplot"));
	ck_assert_uint_eq(c.outlen, 0);
	ck_assert_int_eq(dir_entries(dir), 0);
	rmdir(dir);
	cmd_free(&c);
}
END_TEST

/* A gnuplot that fails half-way: exit 1, and neither its output nor a temp file stays. */
START_TEST(sweep_plot_fails)
{
	char bin[] = "/tmp/shmsync-plot-bin.XXXXXX", dir[] = "/tmp/shmsync-plot-test.XXXXXX";
	char fake[128];
	struct cmd c;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(bin));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fake, sizeof(fake), "%s/gnuplot", bin);
	ck_assert_ptr_nonnull(f = fopen(fake, "w"));
	fprintf(f, "#!/bin/sh\necho '<svg' > \"$3\"\nexit 1\n");
	fclose(f);
	ck_assert_int_eq(chmod(fake, 0700), 0);
	setenv("PATH", bin, 1);
	ck_assert_int_eq(cmd_runf(&c, "sweep counter --workers 1 -s atomic -n 300 -m thread -f csv "
	    "--plot %s/out.svg", dir), 0);
	expect(&c, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "no file written"));
	ck_assert_int_eq(count_lines(c.out), 2);	/* the results stand */
	ck_assert_int_eq(dir_entries(dir), 0);
	rmdir(dir);
	rm_tree(bin);
	cmd_free(&c);
}
END_TEST

static const char *const bad[] = {
	"sweep", "sweep nothing --workers 1", "sweep counter",
	"sweep counter --workers", "sweep counter --workers=",
	"sweep counter --workers 0,2", "sweep counter --workers 2,1,2",
	"sweep counter --workers 1,,2", "sweep counter --workers 4097",
	"sweep counter --workers -1", "sweep counter --workers 1,x",
	"sweep counter --workers 1 --repeat 0",
	"sweep counter --workers 1 --repeat 101",
	"sweep pingpong --workers 2",
	"sweep counter --workers 2 --chart -f csv",
	"sweep counter --workers 1,2 --inject kill@1:1",
	"sweep counter --workers 2 --plot /nonexistent/x.svg",
	"sweep counter --workers 2 --plot=",
	"sweep counter --workers 2 --sync maybe",
	"sweep counter --workers 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,"
	    "18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33",
	"sweep counter --workers 1,1", "sweep order --workers 2",
	"sweep counter --workers 1,2 --timeline",
};

/* Bad grids: exit 2, one line on stderr, nothing on stdout, nothing created. */
START_TEST(sweep_bad_input)
{
	expect_usage(bad[_i], NULL);
	ck_assert_int_eq(access("/nonexistent/x.svg", F_OK), -1);
}
END_TEST

/* On a terminal a sweep's table comes with its chart, sized to the window. */
START_TEST(sweep_chart_on_tty)
{
	char cmd[512], out[16384], *l, *nl;
	int bars = 0;

	snprintf(cmd, sizeof(cmd), "exec %s sweep counter --workers 1,2 -s atomic "
	    "-n 300 -m thread", shmsync_path());
	ck_assert_int_eq(pty_run(cmd, NULL, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(l = strstr(out, "ops/s by workers"));
	for (; (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		*nl = '\0';
		ck_assert_msg(nl - l <= 60, "%s", l);	/* with its \r */
		bars += strstr(l, " w=") != NULL;
	}
	ck_assert_int_eq(bars, 2);
}
END_TEST

Suite *
launcher_sweep_suite(void)
{
	Suite *s = suite_create("launcher_sweep");
	TCase *tc = tcase_in(s, "sweep", CLI_TIMEOUT, 0);

	tcase_add_test(tc, sweep_grid_rows);
	tcase_add_test(tc, sweep_csv_grid);
	tcase_add_test(tc, sweep_json_queue);
	tcase_add_test(tc, sweep_timed);
	tcase_add_test(tc, sweep_chart_fits);
	tcase_add_test(tc, sweep_chart_on_tty);
	tcase_add_test(tc, sweep_plot);
	tcase_add_test(tc, sweep_plot_svg);
	tcase_add_test(tc, sweep_plot_race);
	tcase_add_test(tc, sweep_plot_missing);
	tcase_add_test(tc, sweep_plot_fails);
	tcase_add_loop_test(tc, sweep_bad_input, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	return s;
}
