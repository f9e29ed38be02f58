/*
 * check_sweep.c - `shmsync sweep` (a row per grid point with its effective
 * parameters, CSV and JSON, the chart, the gnuplot SVG or its absence, bad
 * grids), --color (table only; auto, never and NO_COLOR on a real pty), and
 * the bash completion, walked against the demo registry.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "../launcher/sweep.h"

#define MAX_COLS	48
#define PTY_MS		20000	/* the longest a pty run may take */

/* Split one CSV line in place (quoted cells unquoted); returns the cell count. */
static int
csv_split(char *line, char **cell)
{
	char *r = line, *w = line;
	int n = 0, q;

	while (n < MAX_COLS) {
		cell[n++] = w;
		for (q = 0; *r != '\0' && (q || *r != ','); r++) {
			if (*r == '"' && q && r[1] == '"')
				*w++ = *r++;
			else if (*r == '"')
				q = !q;
			else
				*w++ = *r;
		}
		if (*r == '\0') {
			*w = '\0';
			break;
		}
		*w++ = '\0';
		r++;
	}
	return n;
}

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
	char *line, *next, *head[MAX_COLS], *cell[MAX_COLS];
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
	ck_assert_int_eq(n, 14);
	ck_assert_str_eq(jstr(&row[0], "sync"), "none");
	ck_assert_str_eq(jstr(&row[13], "sync"), "tas");
	ck_assert_uint_eq(jnum(&row[13], "workers"), 2);
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

static void
rm_dir(const char *dir, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	unlink(path);
	rmdir(dir);
}

/* With gnuplot, --plot writes one SVG with a line per guard and mode, and nothing else. */
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
	ck_assert_ptr_nonnull(strstr(svg, "atomic thread"));
	ck_assert_ptr_nonnull(strstr(svg, "atomic process"));
	ck_assert_ptr_nonnull(strstr(svg, "ops/s vs workers"));
	rm_dir(dir, "it's.svg");
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
	rm_dir(bin, "gnuplot");
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
};

/* Bad grids: exit 2, one line on stderr, nothing on stdout, nothing created. */
START_TEST(sweep_bad_input)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", bad[_i]), 0);
	expect(&c, 2);
	ck_assert_msg(count_lines(c.err) == 1, "%s: stderr: %s", bad[_i], c.err);
	ck_assert_msg(c.outlen == 0, "%s: stdout: %s", bad[_i], c.out);
	ck_assert_int_eq(access("/nonexistent/x.svg", F_OK), -1);
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

/* Run the binary with args on a pty 60 columns wide, NO_COLOR set to nocolor (or unset). */
static int
pty_run(const char *args, const char *nocolor, char *out, size_t len)
{
	struct winsize ws = { 24, 60, 0, 0 };
	struct pollfd pf;
	size_t n = 0;
	ssize_t r;
	pid_t pid;
	int fd, st, waited = 0;

	if ((pid = forkpty(&fd, NULL, NULL, &ws)) == -1)
		return -1;
	if (pid == 0) {
		if (nocolor != NULL)
			setenv("NO_COLOR", nocolor, 1);
		else
			unsetenv("NO_COLOR");
		execl("/bin/sh", "sh", "-c", args, (char *)NULL);
		_exit(127);
	}
	pf = (struct pollfd){ fd, POLLIN, 0 };
	while (n + 1 < len && waited < PTY_MS) {
		if (poll(&pf, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		if ((r = read(fd, out + n, len - n - 1)) <= 0)
			break;	/* EIO: the child closed its side */
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
	if (waited >= PTY_MS)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

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

/* The completion script parses, and names every demo and every option of each. */
START_TEST(completion_complete)
{
	char path[] = "/tmp/shmsync-completion.XXXXXX", want[64];
	const char *argv[] = { "/bin/bash", "-n", path, NULL };
	const struct worker *const *w;
	const struct optdef *o;
	struct cmd c, b;
	int fd;

	ck_assert_int_eq(cmd_runf(&c, "completion bash"), 0);
	expect(&c, 0);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, c.out, c.outlen), (ssize_t)c.outlen);
	close(fd);
	ck_assert_int_eq(cmd_run(&b, argv), 0);
	unlink(path);
	ck_assert_msg(b.status == 0, "bash -n: %s", b.err);
	cmd_free(&b);
	for (w = workers; *w != NULL; w++) {
		snprintf(want, sizeof(want), "\n\t%s)\n", (*w)->name);
		ck_assert_msg(strstr(c.out, want) != NULL, "no arm for %s", (*w)->name);
		for (o = (*w)->opts; o->name != NULL; o++) {
			snprintf(want, sizeof(want), " --%s", o->name);
			ck_assert_msg(strstr(c.out, want) != NULL, "%s: no %s",
			    (*w)->name, want);
		}
	}
	ck_assert_ptr_nonnull(strstr(c.out, "complete -F _shmsync shmsync"));
	cmd_free(&c);
}
END_TEST

/* In bash: what each demo's keyword option completes to is exactly its keywords. */
START_TEST(completion_in_bash)
{
	char path[] = "/tmp/shmsync-completion.XXXXXX", want[512];
	const char *argv[] = { "/bin/bash", path, NULL };
	const struct worker *const *w;
	const struct optdef *o;
	const char *const *k;
	struct cmd c;
	FILE *f;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fprintf(f, "source <(%s completion bash) || exit 1\n"
	    "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _shmsync;"
	    " echo \"<${COMPREPLY[*]}>\"; }\n", shmsync_path());
	for (w = workers; *w != NULL; w++)
		for (o = (*w)->opts; o->name != NULL; o++)
			if (o->choices != NULL)
				fprintf(f, "t shmsync %s --%s ''\n", (*w)->name, o->name);
	fprintf(f, "t shmsync sweep counter --rep\nt shmsync counter --color = al\n"
	    "t shmsync sweep queue --mode b\nt shmsync counter -n ''\nt shmsync swe\n");
	fclose(f);
	ck_assert_int_eq(cmd_run(&c, argv), 0);
	unlink(path);
	ck_assert_msg(c.status == 0, "bash: %s", c.err);
	for (w = workers; *w != NULL; w++)
		for (o = (*w)->opts; o->name != NULL; o++) {
			if (o->choices == NULL)
				continue;
			strlcpy(want, "<", sizeof(want));
			for (k = o->choices; *k != NULL; k++)
				snprintf(want + strlen(want), sizeof(want) - strlen(want),
				    "%s%s", k == o->choices ? "" : " ", *k);
			strlcat(want, ">\n", sizeof(want));
			ck_assert_msg(strstr(c.out, want) != NULL, "%s --%s: want %s in %s",
			    (*w)->name, o->name, want, c.out);
		}
	ck_assert_msg(strstr(c.out, "<--repeat>\n<always>\n<both>\n<>\n<sweep>\n") != NULL,
	    "%s", c.out);
	cmd_free(&c);
}
END_TEST

Suite *
sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_test(tc, sweep_csv_grid);
	tcase_add_test(tc, sweep_json_queue);
	tcase_add_test(tc, sweep_chart_fits);
	tcase_add_test(tc, sweep_plot_svg);
	tcase_add_test(tc, sweep_plot_missing);
	tcase_add_test(tc, sweep_plot_fails);
	tcase_add_loop_test(tc, sweep_bad_input, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, color_always_table_only);
	tcase_add_loop_test(tc, color_auto_pty, 0, 5);
	tcase_add_test(tc, sweep_chart_on_tty);
	tcase_add_test(tc, completion_complete);
	tcase_add_test(tc, completion_in_bash);
	suite_add_tcase(s, tc);
	return s;
}
