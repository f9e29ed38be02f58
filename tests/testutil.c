/*
 * testutil.c - helpers for the suites: run the built shmsync and capture its
 * output and status, count the shared-memory names a pid left behind, and run
 * the parties of a test as forked processes or threads, reaped by a deadline.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ipc/ipc.h"
#include "tests.h"

#define MAX_ARGS	64

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
	unsigned i, j;
	int rc;

	fflush(NULL);
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == -1) {
			rc = errno;
			for (j = 0; j < i; j++)
				kill(pids[j], SIGKILL);
			procs_reap(pids, i, NULL);
			return rc;
		}
		if (pids[i] == 0) {
			rc = fn(arg, i);
			_exit(rc >= 0 && rc <= 255 ? rc : 255);
		}
	}
	return 0;
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

struct party {
	pthread_t	 tid;
	party_fn	*fn;
	void		*arg;
	unsigned	 id;
	int		 rc;
};

static void *
party_thread(void *p)
{
	struct party *t = p;

	t->rc = t->fn(t->arg, t->id);
	return NULL;
}

/* Run n threads numbered from first, join each by one deadline. */
static int
threads_run(unsigned first, unsigned n, party_fn *fn, void *arg)
{
	struct timespec deadline;
	struct party *t;
	unsigned i, started;
	int rc = 0, jr;

	if ((t = calloc(n, sizeof(*t))) == NULL)
		return errno;
	for (started = 0; started < n; started++) {
		t[started] = (struct party){ .fn = fn, .arg = arg, .id = first + started };
		if ((rc = pthread_create(&t[started].tid, NULL, party_thread,
		    &t[started])) != 0)
			break;
	}
	ipc_deadline(&deadline, REAP_MS * NS_PER_MS);
	for (i = 0; i < started; i++) {
		jr = pthread_clockjoin_np(t[i].tid, NULL, CLOCK_MONOTONIC, &deadline);
		if (jr != 0)
			return jr;	/* a stuck thread still uses t: keep it */
		if (rc == 0)
			rc = t[i].rc;
	}
	free(t);
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
	pid_t pids[MAX_PARTIES];
	int rc;

	if (procs == 0)
		return threads_run(0, threads, fn, arg);
	if (procs > MAX_PARTIES)
		return EINVAL;
	if ((rc = procs_start(pids, procs, team_party, &t)) != 0)
		return rc;
	return procs_reap(pids, procs, NULL);
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
