/*
 * plot.c - `sweep --plot FILE.svg`: ops/s vs workers, a line per guard and
 * mode, drawn by gnuplot run as a child (posix_spawn, no shell) on a
 * generated script.  Script and data live in private temp files (mkstemp,
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The distinct series, in order of first appearance; returns how many. */
static int
series_of(const struct point *pt, int n, const char **names)
{
	int i, k, ns = 0;

	for (i = 0; i < n && ns < MAX_SERIES; i++) {
		for (k = 0; k < ns && strcmp(names[k], pt[i].series) != 0; k++)
			continue;
		if (k == ns)
			names[ns++] = pt[i].series;
	}
	return ns;
}

/* Data: a block per series (gnuplot's index), then a script that plots them. */
static int
write_files(FILE *data, FILE *gp, const char *title, const struct point *pt, int n)
{
	const char *names[MAX_SERIES];
	int i, k, ns = series_of(pt, n, names);

	for (k = 0; k < ns; k++) {
		for (i = 0; i < n; i++)
			if (strcmp(pt[i].series, names[k]) == 0)
				fprintf(data, "%.0f %.1f\n", pt[i].x, pt[i].y);
		fprintf(data, "\n\n");
	}
	fprintf(gp, "set terminal svg size 800,500 dynamic\nset output ARG1\n"
	    "set title ");
	gp_quote(gp, title);
	fprintf(gp, "\nset xlabel 'workers'\nset ylabel 'ops/s'\n"
	    "set logscale x 2\nset grid\nset key outside\nplot ");
	for (k = 0; k < ns; k++) {
		fprintf(gp, "%sARG2 index %d with linespoints title ", k ? ", " : "", k);
		gp_quote(gp, names[k]);
	}
	fprintf(gp, "\n");
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
    int n, long long timeout)
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
	    (rc = write_files(df, sf, title, pt, n)) == 0 &&
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
plot_svg(const char *path, const char *title, const struct point *pt, int n,
    long long timeout)
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
		if ((rc = draw(path, out, title, pt, n, timeout)) != 0)
			unlink(out);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc;
}
