/*
 * testutil.c - helpers for the suites: run the built shmsync and capture its
 * output and status, hold a run to what it must show (exit status, CSV
 * cells, JSON Lines, no name left in /dev/shm, no orphan), count the
 * shared-memory names a pid left behind, and run the parties of a test as
 * forked processes or threads, reaped by a deadline.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ipc/ipc.h"
#include "../launcher/spawn.h"
#include "tests.h"

#define MAX_ARGS	64
#define PTY_MS		20000	/* the longest a pty run may take */
#define RELEASED_NS	1500000000ull	/* under the launcher's 2 s grace */

/* Entries in /dev/shm made by pid (named "shmsync.<pid>." with or without "sem."). */
int
shm_leftovers(pid_t pid)
{
	char tag[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(tag, sizeof(tag), IPC_PREFIX "%ld.", (long)pid);
	if ((dir = opendir("/dev/shm")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		if (strstr(d->d_name, tag) != NULL)
			n++;
	closedir(dir);
	return n;
}

/* /dev/shm/NAME for a name of pid's run: "shmsync.<pid>.<start>.<seq>.<what>". */
void
shm_name(char *buf, size_t len, const char *pre, pid_t pid,
    unsigned long long start, int seq, const char *what)
{
	snprintf(buf, len, "/dev/shm/%s" IPC_PREFIX "%ld.%llu.%d.%s", pre,
	    (long)pid, start, seq, what);
}

const char *
shmsync_path(void)
{
	const char *p = getenv("SHMSYNC");

	return p != NULL ? p : "./shmsync";
}

/* Read what fd has into *buf; 0 at end of file. */
static ssize_t
slurp(int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t n;

	if (*len + 4096 + 1 > *cap) {
		*cap = (*cap + 4096) * 2;
		if ((*buf = realloc(*buf, *cap)) == NULL)
			return -1;
	}
	n = read(fd, *buf + *len, *cap - *len - 1);
	if (n > 0)
		*len += (size_t)n;
	(*buf)[*len] = '\0';
	return n;
}

/* Run argv (argv[0] is the program), capture both streams, reap it. */
/*
 * ASan says once per process that it does not fully follow swapcontext
 * (coop tasks, --explore, --step): no error of ours, so it is taken out
 * of stderr before any test reads it.
 */
static void
asan_quiet(struct cmd *c)
{
	const char *w = "WARNING: ASan doesn't fully support makecontext/swapcontext";
	char *at, *end;

	if (c->err == NULL || (at = strstr(c->err, w)) == NULL)
		return;
	while (at > c->err && at[-1] != '\n')
		at--;
	end = strchr(at, '\n');
	end = end != NULL ? end + 1 : at + strlen(at);
	if (*end == '\n')
		end++;		/* ASan follows it with an empty line */
	memmove(at, end, strlen(end) + 1);
	c->errlen = strlen(c->err);
}

int
cmd_run(struct cmd *c, const char *const *argv)
{
	size_t cap[2] = { 0, 0 };
	struct pollfd pf[2];
	int out[2], err[2], st, i, open_fds = 2;
	char **buf[2];
	size_t *len[2];

	memset(c, 0, sizeof(*c));
	buf[0] = &c->out, buf[1] = &c->err;
	len[0] = &c->outlen, len[1] = &c->errlen;
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
		return errno;
	fflush(NULL);
	if ((c->pid = fork()) == -1)
		return errno;
	if (c->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	pf[0] = (struct pollfd){ out[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ err[0], POLLIN, 0 };
	for (i = 0; i < 2; i++)
		slurp(-1, buf[i], len[i], &cap[i]);
	while (open_fds > 0 && poll(pf, 2, -1) > 0) {
		for (i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			if (slurp(pf[i].fd, buf[i], len[i], &cap[i]) <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			}
		}
	}
	if (waitpid(c->pid, &st, 0) == -1)
		return errno;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	asan_quiet(c);
	return 0;
}

/* Run shmsync with the words of a printf-style line (split at spaces). */
int
cmd_runf(struct cmd *c, const char *fmt, ...)
{
	const char *argv[MAX_ARGS];
	char line[1024], *p, *word;
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	argv[n++] = shmsync_path();
	for (p = line; (word = strsep(&p, " ")) != NULL && n < MAX_ARGS - 1;)
		if (*word != '\0')
			argv[n++] = word;
	argv[n] = NULL;
	return cmd_run(c, argv);
}

void
cmd_free(struct cmd *c)
{
	free(c->out);
	free(c->err);
	memset(c, 0, sizeof(*c));
}

int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Entries of dir but . and ..: a file a command should not have left shows here. */
int
dir_entries(const char *dir)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL)
		n += strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
	closedir(dp);
	return n;
}

/* Every run is checked for leftovers under its own pid; a clean one is quiet. */
void
expect(struct cmd *c, int status)
{
	ck_assert_msg(c->status == status, "exit %d, want %d; stderr: %s",
	    c->status, status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	if (status == 0)
		ck_assert_msg(c->errlen == 0, "stderr: %s", c->err);
}

/* expect(c, 0), but ASan's one warning about swapcontext is no error of ours. */
void
expect_coop(struct cmd *c)
{
	const char *w = "WARNING: ASan doesn't fully support makecontext/swapcontext";

	ck_assert_msg(c->status == 0, "exit %d; stderr: %s", c->status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	ck_assert_msg(c->errlen == 0 || (count_lines(c->err) <= 2 &&
	    strstr(c->err, w) != NULL), "stderr: %s", c->err);
}

/* Exit status 1, a failed row, one stderr line naming the fault, nothing left. */
void
expect_injected(const struct cmd *c, const char *args)
{
	pid_t p;

	ck_assert_msg(c->status == 1, "%s: exit %d; stderr: %s", args, c->status,
	    c->err);
	ck_assert_msg(count_lines(c->out) == 1 &&
	    strstr(c->out, "\"verdict\":\"fail\"") != NULL, "%s: %s", args, c->out);
	ck_assert_msg(count_lines(c->err) == 1, "%s: stderr: %s", args, c->err);
	ck_assert_msg(strstr(c->err, "injected kill@") != NULL, "%s: stderr: %s",
	    args, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	p = waitpid(-1, NULL, WNOHANG);
	ck_assert_msg(p == -1 && errno == ECHILD, "a worker outlived its launcher");
}

/*
 * A partner killed mid-run (args carry --inject): the survivors, asleep on a
 * semaphore, queue or spin, are released by the demo's poison and leave well
 * inside the launcher's 2 s grace.  Wants the subreaper fixture.
 */
void
expect_released(const char *args, const char *mode)
{
	uint64_t t0 = ipc_now_ns(), took;
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s -T 20 -f json -m %s", args, mode), 0);
	took = ipc_now_ns() - t0;
	expect_injected(&c, args);
	ck_assert_msg(took < RELEASED_NS, "%s -m %s: %ju ms: the survivors "
	    "waited out the grace", args, mode, (uintmax_t)(took / NS_PER_MS));
	cmd_free(&c);
}

/*
 * A timed demo (args), -t 0.5 in both modes: it stops on time (no earlier
 * than 10% short, no later than twice the time: a loaded 2-core machine
 * delays the end, never by a count's worth), its check compares the iterations really done (produced ==
 * consumed where it has both), the time is echoed, stderr (a pipe) is empty.
 */
void
expect_timed(const char *args)
{
	const uint64_t asked = 500000000ull, slack = asked / 10;
	struct jobj row[MAX_ROWS];
	const struct jfield *d;
	struct cmd c;
	uint64_t wall;
	int n, k;

	n = run_json(&c, row, "%s -t 0.5 --mode both -T 10", args);
	expect(&c, 0);
	ck_assert_int_eq(n, 2);
	for (k = 0; k < n; k++) {
		wall = jnum(&row[k], "wall_ns");
		ck_assert_msg(wall >= asked - slack && wall <= 2 * asked,
		    "%s: wall_ns %ju, want 0.45..1 s", args, (uintmax_t)wall);
		ck_assert_str_eq(jstr(&row[k], "verdict"), "ok");
		ck_assert_uint_gt(jnum(&row[k], "expected"), 0);
		ck_assert_uint_eq(jnum(&row[k], "observed"), jnum(&row[k],
		    "expected"));
		ck_assert_uint_gt(jnum(&row[k], "iterations"), 0);
		ck_assert_ptr_nonnull(d = json_get(&row[k], "duration_s"));
		ck_assert_str_eq(d->val, "0.500");
		if (json_get(&row[k], "produced") != NULL)
			ck_assert_uint_eq(jnum(&row[k], "produced"),
			    jnum(&row[k], "consumed"));
	}
	cmd_free(&c);
}

/* A bad command line: exit 2, one line on stderr (holding says), no stdout, nothing made. */
void
expect_usage(const char *args, const char *says)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s", args), 0);
	ck_assert_msg(c.status == 2, "%s: exit %d", args, c.status);
	ck_assert_msg(count_lines(c.err) == 1, "%s: stderr: %s", args, c.err);
	ck_assert_msg(c.outlen == 0, "%s: stdout: %s", args, c.out);
	ck_assert_int_eq(shm_leftovers(c.pid), 0);
	if (says != NULL)
		ck_assert_msg(strstr(c.err, says) != NULL, "%s: '%s' lacks '%s'",
		    args, c.err, says);
	cmd_free(&c);
}

/* args with --mode both: a thread row then a process row, each with verdict. */
void
both_modes_verdict(const char *args, const char *verdict)
{
	static const char *const modes[] = { "thread", "process" };
	struct jobj row[MAX_ROWS];
	struct cmd c;
	int m;

	ck_assert_int_eq(run_json(&c, row, "%s -m both -T 10", args), 2);
	expect(&c, 0);
	for (m = 0; m < 2; m++) {
		ck_assert_str_eq(jstr(&row[m], "mode"), modes[m]);
		ck_assert_msg(strcmp(jstr(&row[m], "verdict"), verdict) == 0,
		    "%s, %s: %s (%s)", args, modes[m], jstr(&row[m], "verdict"),
		    jstr(&row[m], "note"));
	}
	cmd_free(&c);
}

/* Run with --format json: each line of stdout must be one JSON object. */
int
run_json(struct cmd *c, struct jobj *rows, const char *fmt, ...)
{
	char line[1024], *s, *nl;
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ck_assert_int_eq(cmd_runf(c, "%s --format json", line), 0);
	for (s = c->out; *s != '\0'; s = nl + 1, n++) {
		ck_assert_msg((nl = strchr(s, '\n')) != NULL, "unended line: %s", s);
		ck_assert_msg(n < MAX_ROWS, "too many lines: %s", c->out);
		*nl = '\0';
		ck_assert_msg(json_object(s, &rows[n]) == 0, "line %d: %s: %s",
		    n + 1, rows[n].err, s);
		*nl = '\n';
	}
	return n;
}

/* args with --mode both as CSV: a header, then a thread row and a process row. */
void
run_csv_both(struct cmd *c, const char *args)
{
	ck_assert_int_eq(cmd_runf(c, "%s -m both -f csv -T 10", args), 0);
	expect(c, 0);
	ck_assert_msg(count_lines(c->out) == 3, "%s: %s", args, c->out);
	csv_want(c->out, 1, "mode", "thread");
	csv_want(c->out, 2, "mode", "process");
}

/* Split a CSV line in place (RFC 4180 quoting); the number of cells. */
int
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

/* A copy of line (up to its newline), split into cells; the cell count. */
static int
csv_line(const char *line, char *buf, size_t len, char **cell)
{
	size_t n = strcspn(line, "\n");

	ck_assert_uint_lt(n, len);
	memcpy(buf, line, n);
	buf[n] = '\0';
	return csv_split(buf, cell);
}

/* Row r's (1-based, after the header) cell under key, unquoted, into out. */
void
csv_get(const char *csv, int r, const char *key, char *out, size_t len)
{
	char head[4096], row[4096], *hc[MAX_CELLS], *rc[MAX_CELLS];
	const char *line = csv;
	int nh, nr, k, i;

	nh = csv_line(csv, head, sizeof(head), hc);
	for (k = 0; k < nh && strcmp(hc[k], key) != 0; k++)
		continue;
	ck_assert_msg(k < nh, "no column %s in %s", key, csv);
	for (i = 0; i < r; i++) {
		ck_assert_msg((line = strchr(line, '\n')) != NULL && line[1] != '\0',
		    "no row %d in %s", r, csv);
		line++;
	}
	nr = csv_line(line, row, sizeof(row), rc);
	ck_assert_msg(k < nr, "row %d has no cell %d: %s", r, k, csv);
	ck_assert_uint_lt(strlen(rc[k]), len);
	strcpy(out, rc[k]);
}

void
csv_want(const char *csv, int r, const char *key, const char *want)
{
	char got[256];

	csv_get(csv, r, key, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "row %d %s = '%s', want '%s'\n%s",
	    r, key, got, want, csv);
}

/* Row r's cell under key, which must be a count. */
uint64_t
csv_num(const char *csv, int r, const char *key)
{
	char got[256], *end;
	uint64_t v;

	csv_get(csv, r, key, got, sizeof(got));
	errno = 0;
	v = strtoull(got, &end, 10);
	ck_assert_msg(got[0] >= '0' && got[0] <= '9' && *end == '\0' && errno == 0,
	    "row %d %s = '%s', not a count", r, key, got);
	return v;
}

/* Run a shell line (not shmsync); its exit status. */
int
sh(struct cmd *c, const char *line)
{
	const char *argv[] = { "/bin/sh", "-c", line, NULL };

	ck_assert_int_eq(cmd_run(c, argv), 0);
	return c->status;
}

/* Can we act as uid 65534 and still run the built shmsync? */
int
can_be_nobody(void)
{
	char line[512];
	struct cmd c;
	int ok;

	snprintf(line, sizeof(line), NOBODY " test -x %s", shmsync_path());
	ok = sh(&c, line) == 0;
	cmd_free(&c);
	return ok;
}

/* A checked fixture: orphans of the launcher become ours, so no_orphans sees them. */
void
subreaper(void)
{
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* No child left at all: no worker outlived its launcher, running or zombie. */
void
no_orphans(void)
{
	pid_t p = waitpid(-1, NULL, WNOHANG);

	ck_assert_msg(p == -1 && errno == ECHILD,
	    "a worker outlived its launcher (waitpid: %ld)", (long)p);
}

/* Remove dir and everything in it. */
void
rm_tree(const char *dir)
{
	struct dirent *d;
	char path[512];
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			if (unlink(path) == -1 && (errno == EISDIR || errno == EPERM))
				rm_tree(path);
		}
	closedir(dp);
	rmdir(dir);
}

/*
 * This run's directory for the files tests make: each test makes its own
 * inside (test_mkdtemp), and main removes the whole of it after the last
 * suite, so a test that failed before its clean-up leaves nothing in /tmp.
 */
static char tmp_root[64];

void
test_tmp_init(void)
{
	strlcpy(tmp_root, "/tmp/shmsync-check.XXXXXX", sizeof(tmp_root));
	if (mkdtemp(tmp_root) == NULL)
		err(1, "mkdtemp %s", tmp_root);
}

/*
 * A directory a test had to make elsewhere (a short path, for Open MPI's
 * sockets): written down in this run's directory, so main removes it too.
 */
void
test_track(const char *dir)
{
	char list[96];
	FILE *f;

	snprintf(list, sizeof(list), "%s/tracked", tmp_root);
	if ((f = fopen(list, "a")) == NULL)
		return;
	fprintf(f, "%s\n", dir);
	fclose(f);
}

void
test_tmp_fini(void)
{
	char list[96], dir[512];
	FILE *f;

	snprintf(list, sizeof(list), "%s/tracked", tmp_root);
	if ((f = fopen(list, "r")) != NULL) {
		while (fgets(dir, sizeof(dir), f) != NULL) {
			dir[strcspn(dir, "\n")] = '\0';
			rm_tree(dir);
		}
		fclose(f);
	}
	rm_tree(tmp_root);
}

/* A fresh directory named NAME.XXXXXX in this run's directory, in buf. */
char *
test_mkdtemp(char *buf, size_t len, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s.XXXXXX", tmp_root, name) >= len)
		return NULL;
	return mkdtemp(buf);
}

/*
 * Run a shell line on a pty 60 columns wide, NO_COLOR set to nocolor (or
 * unset); what the terminal showed in out, the exit status returned.
 */
int
pty_run(const char *line, const char *nocolor, char *out, size_t len)
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
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
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

/* A test case of s with a timeout in seconds; reaper: the subreaper fixture. */
TCase *
tcase_in(Suite *s, const char *name, int timeout, int reaper)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	if (reaper)
		tcase_add_checked_fixture(tc, subreaper, NULL);
	suite_add_tcase(s, tc);
	return tc;
}

/* size zeroed bytes shared with every party forked later; the name is gone. */
void *
shared_alloc(struct ipc_region *r, size_t size)
{
	ck_assert_int_eq(ipc_region_create(r, "test", size), 0);
	ck_assert_int_eq(ipc_region_unlink(r), 0);
	return r->base;
}

void
ms_sleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A short pause for polling loops: long enough to let the watched party run. */
static void
nap(void)
{
	struct timespec ts = { 0, 100000L };

	nanosleep(&ts, NULL);
}

/* Fork n parties running fn(arg, id); each ends with _exit(its code). */
int
procs_start(pid_t *pids, unsigned n, party_fn *fn, void *arg)
{
	struct spawn sp;
	unsigned i;
	int rc;

	if ((rc = spawn_start(&sp, MODE_PROCESS, n, fn, arg, NULL)) != 0) {
		spawn_kill(&sp);
		spawn_reap_all(&sp, ipc_now_ns() + REAP_MS * NS_PER_MS);
	}
	for (i = 0; rc == 0 && i < n; i++)
		pids[i] = sp.pid[i];
	spawn_free(&sp);
	return rc;
}

static int
wstatus(int w)
{
	return WIFEXITED(w) ? WEXITSTATUS(w) : 128 + WTERMSIG(w);
}

/* Reap what waitpid has for us; st[i] is -1 while party i lives. */
static unsigned
procs_collect(const pid_t *pids, unsigned n, int *st)
{
	unsigned i, left = 0;
	pid_t r;
	int w;

	for (i = 0; i < n; i++) {
		if (st[i] != -1)
			continue;
		if ((r = waitpid(pids[i], &w, WNOHANG)) == pids[i])
			st[i] = wstatus(w);
		else if (r == -1 && errno != EINTR)
			st[i] = 255;
		else
			left++;
	}
	return left;
}

/*
 * Reap n parties; those still alive after REAP_MS are SIGKILLed (status 137).
 * Returns the first nonzero status (exit code, or 128+N for signal N), or 0.
 */
int
procs_reap(const pid_t *pids, unsigned n, int *status)
{
	struct timespec deadline;
	int st[MAX_PARTIES], first = 0;
	bool killed = false;
	unsigned i;

	if (n > MAX_PARTIES)
		return EINVAL;
	for (i = 0; i < n; i++)
		st[i] = -1;
	ipc_deadline(&deadline, REAP_MS * NS_PER_MS);
	while (procs_collect(pids, n, st) > 0) {
		if (ipc_expired(&deadline)) {
			/* Stuck: kill the rest, and give them one second to go. */
			if (killed)
				break;
			for (i = 0; i < n; i++)
				if (st[i] == -1)
					kill(pids[i], SIGKILL);
			killed = true;
			ipc_deadline(&deadline, 1000 * NS_PER_MS);
		}
		nap();
	}
	for (i = 0; i < n; i++) {
		if (status != NULL)
			status[i] = st[i];
		if (first == 0 && st[i] != 0)
			first = st[i];
	}
	return first;
}

/* Parties numbered from first: the spawner numbers from 0. */
struct offset {
	party_fn	*fn;
	void		*arg;
	unsigned	 first;
};

static int
offset_party(void *arg, unsigned id)
{
	const struct offset *o = arg;

	return o->fn(o->arg, o->first + id);
}

/* Run n threads numbered from first through the spawner, all reaped by one deadline. */
static int
threads_run(unsigned first, unsigned n, party_fn *fn, void *arg)
{
	struct offset o = { fn, arg, first };
	struct spawn sp;
	int rc;

	if ((rc = spawn_start(&sp, MODE_THREAD, n, offset_party, &o, NULL)) != 0)
		return rc;	/* the started ones are stuck on o: keep it */
	rc = spawn_reap_all(&sp, ipc_now_ns() + REAP_MS * NS_PER_MS);
	if (rc != ETIMEDOUT)
		spawn_free(&sp);
	return rc;
}

struct team {
	party_fn	*fn;
	void		*arg;
	unsigned	 threads;
};

static int
team_party(void *arg, unsigned proc)
{
	const struct team *t = arg;

	if (t->threads == 1)
		return t->fn(t->arg, proc);
	return threads_run(proc * t->threads, t->threads, t->fn, t->arg);
}

/*
 * procs forked processes of threads threads each, or with procs 0, threads
 * threads of this process; parties are numbered 0.. across all of them.
 * Returns the first failure (a party's code or exit status), or 0.
 */
int
parties_run(unsigned procs, unsigned threads, party_fn *fn, void *arg)
{
	struct team t = { fn, arg, threads };
	struct spawn sp;
	int rc;

	if (procs == 0)
		return threads_run(0, threads, fn, arg);
	if ((rc = spawn_start(&sp, MODE_PROCESS, procs, team_party, &t, NULL)) == 0)
		rc = spawn_reap_all(&sp, ipc_now_ns() + REAP_MS * NS_PER_MS);
	else {
		spawn_kill(&sp);
		spawn_reap_all(&sp, ipc_now_ns() + REAP_MS * NS_PER_MS);
	}
	spawn_free(&sp);
	return rc;
}

/* Poll until *f reaches want: 0, or ETIMEDOUT after ms. */
int
flag_wait(atomic_int *f, int want, unsigned ms)
{
	struct timespec deadline;

	ipc_deadline(&deadline, ms * NS_PER_MS);
	while (atomic_load(f) < want) {
		if (ipc_expired(&deadline))
			return ETIMEDOUT;
		nap();
	}
	return 0;
}

/* Poll /proc until task tid (process or thread) sleeps: 0, ETIMEDOUT, ... */
int
task_asleep(pid_t tid, unsigned ms)
{
	char path[64], buf[512], *p;
	struct timespec deadline;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)tid);
	ipc_deadline(&deadline, ms * NS_PER_MS);
	for (;;) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return n == 0 ? ESRCH : errno;
		buf[n] = '\0';
		if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'S')
			return 0;
		if (ipc_expired(&deadline))
			return ETIMEDOUT;
		nap();
	}
}
