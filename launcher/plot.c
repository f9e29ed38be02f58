/*
 * plot.c - `sweep --plot FILE.svg` (or .png): ops/s vs workers on log axes,
 * a panel per mode, a colour per guard, min..max bars with --repeat, racing
 * guards drawn gray and dotted; drawn by gnuplot run as a child
 * (posix_spawn, no shell) on a generated script.  Script and data live in private temp files (mkstemp,
 * 0600) removed afterwards; the SVG is drawn beside FILE and renamed over it
 * only when whole, so a failure or a signal leaves no file behind.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sweep.h"

#define MAX_SERIES	64

extern char **environ;

static char gnuplot[PATH_MAX];

/* gnuplot's path found in PATH, as execvp would, or NULL. */
const char *
plot_which(void)
{
	const char *path = getenv("PATH");
	char *copy, *p, *dir;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	if ((copy = strdup(path)) == NULL)
		return NULL;
	for (p = copy; (dir = strsep(&p, ":")) != NULL;) {
		snprintf(gnuplot, sizeof(gnuplot), "%s/gnuplot", *dir ? dir : ".");
		if (access(gnuplot, X_OK) == 0) {
			free(copy);
			return gnuplot;
		}
	}
	free(copy);
	gnuplot[0] = '\0';
	return NULL;
}

/* A new private file from template buf (ending in XXXXXX), open for writing. */
static int
temp_open(char *buf, FILE **fp)
{
	int fd, rc;

	if ((fd = mkstemp(buf)) == -1)
		return errno;
	if ((*fp = fdopen(fd, "w")) == NULL) {
		rc = errno;
		close(fd);
		unlink(buf);
		buf[0] = '\0';
		return rc;
	}
	return 0;
}

/* A gnuplot single-quoted string: a quote is doubled, control bytes dropped. */
static void
gp_quote(FILE *f, const char *s)
{
	putc('\'', f);
	for (; *s != '\0'; s++)
		if (*s == '\'')
			fputs("''", f);
		else if ((unsigned char)*s >= 0x20)
			putc(*s, f);
	putc('\'', f);
}

/* The distinct values of one field of the points, in order of first appearance. */
static int
distinct(const struct point *pt, int n, size_t off, const char **names)
{
	const char *v;
	int i, k, ns = 0;

	for (i = 0; i < n && ns < MAX_SERIES; i++) {
		v = (const char *)&pt[i] + off;
		for (k = 0; k < ns && strcmp(names[k], v) != 0; k++)
			continue;
		if (k == ns)
			names[ns++] = v;
	}
	return ns;
}

/* Whether any point of guard g in mode m raced (a wrong count, not a speed). */
static int
raced(const struct point *pt, int n, const char *g, const char *m)
{
	int i;

	for (i = 0; i < n; i++)
		if (pt[i].racing && strcmp(pt[i].guard, g) == 0 &&
		    (m == NULL || strcmp(pt[i].mode, m) == 0))
			return 1;
	return 0;
}

/*
 * Data: a block per mode and guard (gnuplot's index mi * ng + gi, empty
 * when absent): workers, then the median, min and max in M ops/s.  A point
 * with no ops/s (a failed run) cannot sit on a log axis: it is left out.
 */
static void
write_data(FILE *data, const struct point *pt, int n, const char **modes,
    int nm, const char **guards, int ng)
{
	int i, mi, gi;

	for (mi = 0; mi < nm; mi++)
		for (gi = 0; gi < ng; gi++) {
			for (i = 0; i < n; i++)
				if (strcmp(pt[i].mode, modes[mi]) == 0 &&
				    strcmp(pt[i].guard, guards[gi]) == 0 && pt[i].y > 0)
					fprintf(data, "%.0f %.6g %.6g %.6g\n", pt[i].x,
					    pt[i].y / 1e6, pt[i].lo / 1e6, pt[i].hi / 1e6);
			fprintf(data, "\n\n");
		}
}

/* Shared by the panels: log axes over the whole data's range, so they compare. */
static void
write_axes(FILE *gp, const struct point *pt, int n)
{
	double xlo = 1e300, xhi = 0, ylo = 1e300, yhi = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (pt[i].y <= 0)
			continue;
		xlo = pt[i].x < xlo ? pt[i].x : xlo;
		xhi = pt[i].x > xhi ? pt[i].x : xhi;
		ylo = pt[i].lo > 0 && pt[i].lo < ylo ? pt[i].lo : ylo;
		yhi = pt[i].hi > yhi ? pt[i].hi : yhi;
	}
	if (yhi == 0)
		xlo = xhi = ylo = yhi = 1e6;	/* nothing to draw: any range */
	fprintf(gp, "set logscale x 2\nset logscale y 10\nset grid xtics ytics mytics\n"
	    "set xrange [%g:%g]\nset yrange [%g:%g]\nset xtics (", xlo / 1.25,
	    xhi * 1.25, ylo / 1e6 / 1.6, yhi / 1e6 * 1.6);
	for (i = 0; i < n; i++)
		if (i == 0 || pt[i].x > pt[i - 1].x)
			fprintf(gp, "%s%.0f", i ? ", " : "", pt[i].x);
	fprintf(gp, ")\nset format y '%%g'\nset xlabel 'workers'\n"
	    "set ylabel 'M ops/s (log scale)'\nset pointsize 0.8\n");
}

/* One colour per guard (gray for a racing one), one dash style per mode. */
static const char *const colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#ad494a",
	"#6b6ecf", "#e7ba52",
};
#define NCOLOURS	(sizeof(colours) / sizeof(colours[0]))
#define PANEL_W		480.0	/* pixels a panel, its y labels included */
#define KEY_W		240.0	/* pixels for the key, right of the panels */

/* Panel mi of nm: its guards' lines, min..max bars when repeated, the key on the last. */
static void
write_panel(FILE *gp, const struct point *pt, int n, const char **modes, int nm,
    int mi, const char **guards, int ng, int bars)
{
	int gi, race;
	double w = PANEL_W * nm + 80 + KEY_W;

	fprintf(gp, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
	    "set tmargin at screen 0.88\nset bmargin at screen 0.12\nset title ",
	    (80 + mi * PANEL_W) / w, (80 + (mi + 1) * PANEL_W - 60) / w);
	gp_quote(gp, strcmp(modes[mi], "thread") == 0 ? "threads" :
	    strcmp(modes[mi], "process") == 0 ? "processes" : modes[mi]);
	if (mi == nm - 1)
		fprintf(gp, "\nset key at screen %.4f, 0.88 left top vertical Left "
		    "reverse noenhanced samplen 3", (80 + nm * PANEL_W) / w);
	fprintf(gp, "\n%s%s\nplot ", mi == nm - 1 ? "" : "unset key\n",
	    mi > 0 ? "unset ylabel" : "");
	for (gi = 0; gi < ng; gi++) {
		race = raced(pt, n, guards[gi], NULL);
		fprintf(gp, "%sARG2 index %d using 1:2%s with %s lw %s lc rgb '%s' "
		    "dt %d pt %d title ", gi ? ", \\\n    " : "", mi * ng + gi,
		    bars ? ":3:4" : "", bars ? "yerrorlines" : "linespoints",
		    race ? "1" : "1.5", race ? "#888888" : colours[gi % NCOLOURS],
		    race ? 3 : mi % 5 + 1, gi % 13 + 1);
		if (race) {
			char t[SERIES_LEN + 40];

			snprintf(t, sizeof(t), "%s: raced, a wrong count", guards[gi]);
			gp_quote(gp, t);
		} else
			gp_quote(gp, guards[gi]);
	}
	fprintf(gp, "\n");
}

/* Data, and a script that draws a panel per mode (SVG, or PNG for a .png file). */
static int
write_files(FILE *data, FILE *gp, const char *path, const char *title,
    const struct point *pt, int n, int bars)
{
	const char *guards[MAX_SERIES], *modes[MAX_SERIES];
	int ng = distinct(pt, n, offsetof(struct point, guard), guards);
	int nm = distinct(pt, n, offsetof(struct point, mode), modes), mi;
	size_t len = strlen(path);
	int png = len > 4 && strcasecmp(path + len - 4, ".png") == 0;

	write_data(data, pt, n, modes, nm, guards, ng);
	fprintf(gp, png ? "set terminal pngcairo size %d,560 font 'sans,10'\n" :
	    "set terminal svg size %d,560 dynamic font 'sans,11'\n",
	    (int)(PANEL_W * nm + 80 + KEY_W));
	fprintf(gp, "set output ARG1\nset multiplot title ");
	gp_quote(gp, title);
	fprintf(gp, "\n");
	write_axes(gp, pt, n);
	for (mi = 0; mi < nm; mi++)
		write_panel(gp, pt, n, modes, nm, mi, guards, ng, bars);
	fprintf(gp, "unset multiplot\n");
	return fflush(data) != 0 || fflush(gp) != 0 || ferror(data) || ferror(gp) ?
	    EIO : 0;
}

/* Run gnuplot -c SCRIPT OUT DATA, its stdout onto our stderr; wait until the deadline. */
static int
run_gnuplot(const char *script, const char *out, const char *data, long long timeout)
{
	char *argv[] = { "gnuplot", "-c", (char *)script, (char *)out,
	    (char *)data, NULL };
	const struct timespec tick = { 0, 10000000 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, pipe;
	uint64_t end = ipc_now_ns() + (uint64_t)timeout * IPC_NS_PER_S;
	pid_t pid, w;
	int rc, st;

	sigemptyset(&none);
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &pipe);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	fflush(NULL);
	rc = posix_spawn(&pid, gnuplot, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		return rc;
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && ipc_now_ns() < end)
		nanosleep(&tick, NULL);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return ETIMEDOUT;
	}
	return w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : EIO;
}

/* Draw into out (beside path), then rename it over path; 0 or an errno value. */
static int
draw(const char *path, char *out, const char *title, const struct point *pt,
    int n, int bars, long long timeout)
{
	char data[PATH_MAX], script[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	FILE *df = NULL, *sf = NULL;
	struct stat sb;
	mode_t mask;
	int rc;

	tmp = tmp != NULL && *tmp == '/' ? tmp : "/tmp";
	snprintf(data, sizeof(data), "%s/shmsync-plot.XXXXXX", tmp);
	snprintf(script, sizeof(script), "%s/shmsync-plot.XXXXXX", tmp);
	if ((rc = temp_open(data, &df)) == 0 && (rc = temp_open(script, &sf)) == 0 &&
	    (rc = write_files(df, sf, path, title, pt, n, bars)) == 0 &&
	    (rc = run_gnuplot(script, out, data, timeout)) == 0) {
		mask = umask(0);
		umask(mask);
		if (stat(out, &sb) == -1)
			rc = errno;
		else if (sb.st_size == 0)
			rc = EIO;
		else if (chmod(out, 0666 & ~mask) == -1 || rename(out, path) == -1)
			rc = errno;
	}
	if (df != NULL) {
		fclose(df);
		unlink(data);
	}
	if (sf != NULL) {
		fclose(sf);
		unlink(script);
	}
	return rc;
}

/*
 * The plot, with SIGINT, SIGTERM and SIGHUP held off until the temp files
 * are gone: one that came meanwhile is delivered then, and ends us as usual.
 */
int
plot_file(const char *path, const char *title, const struct point *pt, int n,
    int bars, long long timeout)
{
	char out[PATH_MAX];
	sigset_t term, saved;
	int fd, rc;

	sigemptyset(&term);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGHUP);
	sigprocmask(SIG_BLOCK, &term, &saved);
	if ((size_t)snprintf(out, sizeof(out), "%s.XXXXXX", path) >= sizeof(out))
		rc = ENAMETOOLONG;
	else if ((fd = mkstemp(out)) == -1)
		rc = errno;
	else {
		close(fd);
		if ((rc = draw(path, out, title, pt, n, bars, timeout)) != 0)
			unlink(out);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc;
}
