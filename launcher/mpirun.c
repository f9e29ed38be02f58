/*
 * mpirun.c - shmsync DEMO -m mpi: check the command line, start mpirun
 * with shmsync-mpi in a process group of its own and a per-run TMPDIR that
 * also holds Open MPI's shared-memory segments, relay rank 0's rows to the
 * one renderer (report.c), stop it all by a deadline or a signal, and
 * remove the directory.  shmsync itself never calls MPI.  See mpi_main.c.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../workers/mpiform.h"
#include "mpirun.h"

#define APT_MPI		"apt-get install -y --no-install-recommends " \
			"openmpi-bin libopenmpi-dev"
#define GRACE_MS	3000		/* SIGTERM, then this long, then SIGKILL */
#define REAP_MS		15000		/* killed ranks to be gone: a loaded machine is slow */
#define MAX_ARGV	(24 + 2 * MAX_OPTS)
#define LINE_MAX_	8192

enum { X_MODE, X_HOSTS, X_FORMAT, X_TIMEOUT, X_COLOR, X_WIDE, X_HELP, NX };

static const char *const mpi_modes[] = { "mpi", NULL };
static volatile sig_atomic_t got_signal;

/* One run of a demo's MPI form, from its options to mpirun's end. */
struct mpi_part {
	const struct worker	*w;
	const char		*who;
	struct params		 p;
	const char		*hosts;			/* --hosts, or NULL */
	struct view		 view;
	struct optdef		 xopts[NX + 1];
	long long		 xv[NX];
	const char		*xs[NX];
	char			 exe[PATH_MAX];		/* shmsync-mpi */
	char			 mpirun[PATH_MAX];
	char			 dir[PATH_MAX];		/* the per-run TMPDIR */
	char			*argv[MAX_ARGV];
	char			 args[MAX_OPTS][96];
	int			 argc;
	pid_t			 pid;			/* mpirun, and its group */
	int			 fd;			/* its stdout */
	uint64_t		 deadline;
	int			 timed_out, status, rows, failed, eof;
	struct report		 own, *rep;		/* -m mpi's own, or a mixed table */
	struct result		 cur;
	char			 line[LINE_MAX_];
	size_t			 len;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A mode list of mpi alone: "mpi" (or "mpi,mpi"). */
static int
mpi_alone(const char *s)
{
	size_t n;

	for (;; s += n + 1) {
		n = strcspn(s, ",");
		if (n != 3 || strncmp(s, "mpi", 3) != 0)
			return 0;
		if (s[n] == '\0')
			return 1;
	}
}

/* -m mpi, --mode mpi, --mode=mpi or -mmpi anywhere on the line: mpi alone. */
int
mpi_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if ((strcmp(argv[i], "-m") == 0 || strcmp(argv[i], "--mode") == 0) &&
		    i + 1 < argc && mpi_alone(argv[i + 1]))
			return 1;
		if ((strncmp(argv[i], "--mode=", 7) == 0 && mpi_alone(argv[i] + 7)) ||
		    (strncmp(argv[i], "-m", 2) == 0 && argv[i][2] != '-' &&
		    argv[i][2] != '\0' && mpi_alone(argv[i] + 2)))
			return 1;
	}
	return 0;
}

/* The common options an MPI run takes, copied from common_opts; -m is mpi alone. */
static void
build_opts(struct mpi_part *d)
{
	static const char *const names[NX] = { [X_FORMAT] = "format",
	    [X_TIMEOUT] = "timeout", [X_COLOR] = "color", [X_WIDE] = "wide",
	    [X_HELP] = "help" };
	const struct optdef *o;
	int i;

	d->xopts[X_MODE] = (struct optdef){ "mode", 'm', "MODE", 0, 0, 0,
	    mpi_modes, "mpi: the demo's MPI form, ranks under mpirun" };
	d->xopts[X_HOSTS] = (struct optdef){ "hosts", 0, "H1,H2...", 1, 0, 0,
	    NULL, "run the ranks across these hosts, in turn (mpirun\n"
	    "                         --host, by ssh: the same binary path on each;\n"
	    "                         H:N gives a host N slots); needs --net tcp" };
	for (i = X_HOSTS + 1; i < NX; i++) {
		for (o = common_opts; o->name != NULL; o++)
			if (strcmp(o->name, names[i]) == 0)
				break;
		d->xopts[i] = *o;
	}
	d->xopts[NX] = (struct optdef){ NULL, 0, NULL, 0, 0, 0, NULL, NULL };
}

static __dead void
mpi_help(const struct mpi_part *d)
{
	printf("usage: %s %s -m mpi [options]\n\n%s, over MPI ranks under mpirun\n"
	    "(needs shmsync-mpi: make mpi)\n\noptions:\n", getprogname(),
	    d->w->name, d->w->desc);
	print_opts(d->w->mpi->opts);
	printf("\ncommon options:\n");
	print_opts(d->xopts);
	printf("\nexit status: 0 as expected, 1 an invariant broke, a rank failed "
	    "or the run\npassed --timeout, 2 usage error, 128+N killed by signal "
	    "N (mpirun and\nevery rank stopped, Open MPI's files removed first)\n");
	finish(0);
}

/* path/NAME for the first PATH entry that has it executable; 0 if found. */
static int
in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;

	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = e + (*e != '\0')) {
		e = p + strcspn(p, ":");
		snprintf(out, len, "%.*s/%s", (int)(e - p), p, name);
		if (e > p && access(out, X_OK) == 0)
			return 0;
		if (*e == '\0')
			break;
	}
	return -1;
}

/* shmsync-mpi beside this binary (or $SHMSYNC_MPI), and mpirun on PATH: or exit 2. */
static void
find_programs(struct mpi_part *d)
{
	const char *env = getenv("SHMSYNC_MPI");
	char self[PATH_MAX - 16];
	ssize_t n;

	if (env != NULL && *env != '\0')
		strlcpy(d->exe, env, sizeof(d->exe));
	else if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(d->exe, sizeof(d->exe), "%s/shmsync-mpi", self);
	}
	if (access(d->exe, X_OK) != 0)
		usage_error(d->who, "-m mpi: %s is not built; run: make mpi",
		    d->exe);
	if (in_path("mpirun", d->mpirun, sizeof(d->mpirun)) != 0)
		usage_error(d->who, "-m mpi: mpirun not found; run: %s", APT_MPI);
}

/* --hosts: names and slots only, and TCP between them. */
static void
check_hosts(const struct mpi_part *d)
{
	const char *h = d->hosts;
	int i;

	if (h == NULL)
		return;
	if (*h == '\0' || h[strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:,")] != '\0')
		usage_error(d->who, "--hosts: '%s' is not a list of host names "
		    "(H1,H2 or H1:N,H2:N)", h);
	for (i = 0; d->w->mpi->opts[i].name != NULL; i++)
		if (strcmp(d->w->mpi->opts[i].name, "net") == 0 &&
		    d->p.v[i] != NET_TCP)
			usage_error(d->who, "--hosts: ranks on other hosts talk "
			    "over the network: add --net tcp");
}

/* What every MPI run is checked for once its options are read: exit 2 if refused. */
static void
check_run(struct mpi_part *d)
{
	const char *msg;

	if (d->w->mpi->validate != NULL && (msg = d->w->mpi->validate(&d->p)))
		usage_error(d->who, "%s", msg);
	check_hosts(d);
	find_programs(d);
}

/* Read and check the line: the MPI options, the form's; refusals exit 2. */
static void
read_mpi_line(struct mpi_part *d, int argc, char **argv)
{
	const char *nc = getenv("NO_COLOR");
	struct optset sets[2];

	build_opts(d);
	sets[0] = (struct optset){ d->xopts, d->xv, d->xs, 0 };
	sets[1] = (struct optset){ d->w->mpi->opts, d->p.v, NULL, 0 };
	parse_args(d->who, argc, argv, sets, 2);
	if (d->xv[X_HELP])
		mpi_help(d);
	d->p.demo = d->w;
	d->p.modes = MODE_MPI;
	d->p.timeout = d->xv[X_TIMEOUT];
	d->view.format = (enum format)d->xv[X_FORMAT];
	d->view.wide = (int)d->xv[X_WIDE];
	d->view.color = d->view.format == FORMAT_TABLE && (d->xv[X_COLOR] == 1 ||
	    (d->xv[X_COLOR] == 0 && isatty(STDOUT_FILENO) &&
	    (nc == NULL || *nc == '\0')));
	d->hosts = d->xs[X_HOSTS];
	check_run(d);
}

static void
arg(struct mpi_part *d, const char *s)
{
	if (d->argc < MAX_ARGV - 1)
		d->argv[d->argc++] = (char *)(uintptr_t)s;
}

/* mpirun [flags] shmsync-mpi DEMO --opt=value...: the form's options, all given. */
static void
build_argv(struct mpi_part *d)
{
	const struct optdef *o;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = d->w->mpi->ranks(&d->p);
	int i, tcp = 0;

	snprintf(d->args[0], sizeof(d->args[0]), "%u", n);
	d->argc = 0;
	arg(d, d->mpirun), arg(d, "--quiet"), arg(d, "-n"), arg(d, d->args[0]);
	if (d->hosts != NULL)	/* the ranks in turn over the hosts */
		arg(d, "--host"), arg(d, d->hosts), arg(d, "--map-by"),
		    arg(d, "node"), arg(d, "--oversubscribe");
	else if (cores > 0 && n > (unsigned long)cores)
		arg(d, "--oversubscribe");
	/* Open MPI's shared-memory segments go in the per-run dir, not /dev/shm. */
	arg(d, "--mca"), arg(d, "btl_vader_backing_directory"), arg(d, d->dir);
	for (i = 0; (o = &d->w->mpi->opts[i])->name != NULL; i++)
		tcp |= strcmp(o->name, "net") == 0 && d->p.v[i] == NET_TCP;
	arg(d, "--mca"), arg(d, "btl"), arg(d, tcp ? "tcp,self" : "vader,self");
	if (tcp)	/* one-sided over TCP: osc pt2pt (Open MPI 4.1; gone in 5) */
		arg(d, "--mca"), arg(d, "osc"), arg(d, "pt2pt");
	arg(d, d->exe), arg(d, d->w->name);
	for (i = 0; (o = &d->w->mpi->opts[i])->name != NULL &&
	    i + 1 < MAX_OPTS; i++) {
		if (o->choices != NULL)
			snprintf(d->args[i + 1], sizeof(d->args[0]), "--%s=%s",
			    o->name, o->choices[d->p.v[i]]);
		else
			snprintf(d->args[i + 1], sizeof(d->args[0]), "--%s=%lld",
			    o->name, d->p.v[i]);
		arg(d, d->args[i + 1]);
	}
	d->argv[d->argc] = NULL;
}

static void
on_signal(int sig)
{
	if (got_signal == 0)
		got_signal = sig;
}

/* SIGINT, SIGTERM, SIGHUP (unless ignored) end the run: note which. */
static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* In the child: its own group, stdout to the pipe, Open MPI's files in dir. */
static __dead void
child(struct mpi_part *d, int out)
{
	int null;

	setpgid(0, 0);
	if (dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	if ((null = open("/dev/null", O_RDONLY)) >= 0)
		dup2(null, STDIN_FILENO);
	setenv("TMPDIR", d->dir, 1);
	if (geteuid() == 0) {
		setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
		setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
	}
	signal(SIGPIPE, SIG_DFL);
	execv(d->mpirun, d->argv);
	fprintf(stderr, "%s: %s: %s\n", getprogname(), d->mpirun, strerror(errno));
	_exit(127);
}

static void
start(struct mpi_part *d)
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) != 0)
		err(1, "pipe");
	fflush(NULL);
	if ((d->pid = fork()) < 0)
		err(1, "fork");
	if (d->pid == 0)
		child(d, pfd[1]);
	setpgid(d->pid, d->pid);	/* whichever of us comes first */
	close(pfd[1]);
	d->fd = pfd[0];
	d->deadline = now_ns() + ((uint64_t)d->p.timeout + 1) * 1000000000u;
}

/* One line from mpirun: a piece of a row, or anything else, passed to stderr. */
static void
take_line(struct mpi_part *d, const char *line)
{
	int rc = mpi_wire_line(line, &d->cur);

	if (rc < 0) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	if (rc == 1) {
		d->rows++;
		d->failed |= d->cur.verdict == VERDICT_FAIL;
		report_add(d->rep, &d->cur);
	}
}

/* What mpirun wrote, cut into lines. */
static void
take_output(struct mpi_part *d)
{
	char *nl;
	ssize_t n;

	n = read(d->fd, d->line + d->len, sizeof(d->line) - 1 - d->len);
	if (n <= 0) {
		d->eof = n == 0 || errno != EINTR;
		return;
	}
	d->len += (size_t)n;
	d->line[d->len] = '\0';
	while ((nl = strchr(d->line, '\n')) != NULL ||
	    d->len == sizeof(d->line) - 1) {
		if (nl == NULL)
			nl = d->line + d->len - 1;
		*nl = '\0';
		take_line(d, d->line);
		d->len -= (size_t)(nl + 1 - d->line);
		memmove(d->line, nl + 1, d->len + 1);
	}
}

/* mpirun's end, by ms from now; 1 if it ended (status set), 0 if not. */
static int
reaped(struct mpi_part *d, unsigned ms)
{
	uint64_t until = now_ns() + (uint64_t)ms * 1000000u;
	pid_t pid;
	int st;

	for (;;) {
		if ((pid = waitpid(d->pid, &st, WNOHANG)) == d->pid) {
			d->status = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
			return 1;
		}
		if (pid < 0 && errno != EINTR)
			err(1, "waitpid");
		if (now_ns() >= until)
			return 0;
		usleep(10000);
	}
}

/* SIGKILL every live child of this process (ranks orphaned to us); how many. */
static int
kill_children(void)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	DIR *dir;
	FILE *fp;
	long ppid;
	int n = 0;

	if ((dir = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    (fp = fopen(path, "r")) == NULL)
			continue;
		/* pid (comm) state ppid: comm may hold spaces, so after the last ')'. */
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == getpid() &&
		    p[2] != 'Z')
			n += kill((pid_t)atol(de->d_name), SIGKILL) == 0;
		fclose(fp);
	}
	closedir(dir);
	return n;
}

/*
 * Every rank gone: ranks sit in process groups of their own, so a rank
 * that outlived mpirun was handed to us (a child subreaper): kill, reap.
 * A killed process dies when it next runs; with thousands runnable that
 * took more than the 3 s grace, and the launcher left ranks behind, so
 * this waits longer (still bounded).
 */
static void
reap_orphans(void)
{
	uint64_t until = now_ns() + (uint64_t)REAP_MS * 1000000u;

	while (kill_children() > 0 || waitpid(-1, NULL, WNOHANG) > 0) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			continue;
		if (now_ns() >= until)
			break;
		usleep(10000);
	}
}

/* Stop mpirun and its ranks: SIGTERM to the group, then SIGKILL. */
static void
stop(struct mpi_part *d)
{
	kill(-d->pid, SIGTERM);
	if (!reaped(d, GRACE_MS)) {
		kill(-d->pid, SIGKILL);
		if (!reaped(d, REAP_MS))
			warnx("%s: -m mpi: mpirun (pid %ld) still there %d s after "
			    "SIGKILL", d->who, (long)d->pid, REAP_MS / 1000);
	}
}

/* Relay until mpirun closes its stdout and ends, a signal comes, or the deadline. */
static void
relay(struct mpi_part *d)
{
	struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
	uint64_t now;

	while (!got_signal) {
		if ((now = now_ns()) >= d->deadline) {
			d->timed_out = 1;
			break;
		}
		if (d->eof && reaped(d, 100))
			break;
		if (!d->eof && poll(&pfd, 1, 100) > 0)
			take_output(d);
	}
	if (got_signal || d->timed_out)
		stop(d);
	kill(-d->pid, SIGKILL);		/* a straggler of the group, if any */
	close(d->fd);
	reap_orphans();
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 &&
	    errno != ENOENT;
}

/* Why the run failed, on one line of stderr; the exit status. */
static int
verdict(const struct mpi_part *d)
{
	if (d->timed_out)
		warnx("%s: -m mpi: the run passed its --timeout (%lld s); mpirun "
		    "and every rank stopped", d->who, d->p.timeout);
	else if (d->status != 0)
		warnx("%s: -m mpi: mpirun %s %d", d->who, d->status > 128 ?
		    "was killed by signal" : "exited", d->status > 128 ?
		    d->status - 128 : d->status);
	else if (d->rows == 0)
		warnx("%s: -m mpi: rank 0 reported nothing", d->who);
	return d->timed_out || d->status != 0 || d->rows == 0 || d->failed;
}

/*
 * Run the ranks, their rows into d->rep: 0, or 1 if the run failed (one
 * line on stderr says why).  A signal stops mpirun and every rank, removes
 * the run's directory, and ends this process by the same signal.
 */
static int
run_ranks(struct mpi_part *d)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(d->dir, sizeof(d->dir), "%s/shmsync-mpi.%ld.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp", (long)getpid());
	if (mkdtemp(d->dir) == NULL)
		err(1, "%s", d->dir);
	build_argv(d);
	catch_signals();
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* ranks mpirun leaves come to us */
	start(d);
	relay(d);
	if (nftw(d->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		warn("%s: removing %s", d->who, d->dir);
	if (got_signal) {
		/* Die of the same signal, so the shell sees 128+N. */
		fflush(stdout);
		signal(got_signal, SIG_DFL);
		raise(got_signal);
	}
	return verdict(d);
}

/* The demo has an MPI form, or a usage error naming those that have one. */
static void
has_form(const struct worker *w, const char *who)
{
	char have[160];

	if (!(w->caps & CAP_MPI) || w->mpi == NULL) {
		demos_with(CAP_MPI, have, sizeof(have));
		usage_error(who, "-m mpi: this demo has no MPI form; %s have one",
		    have);
	}
}

/*
 * -m thread,process,mpi: the MPI part of a mixed run, its form's options
 * in p->v and its deadline in p->timeout, checked now (exit 2 if refused,
 * shmsync-mpi missing included) so that nothing runs before.
 */
struct mpi_part *
mpi_part_new(const struct worker *w, const char *who, const struct params *p,
    const char *hosts)
{
	static struct mpi_part d;

	has_form(w, who);
	d.w = w;
	d.who = who;
	d.p = *p;
	d.p.demo = w;
	d.p.modes = MODE_MPI;
	d.hosts = hosts;
	check_run(&d);
	return &d;
}

/* Run it, its rows into rep (a mixed table): 0, or 1 if it failed. */
int
mpi_part_run(struct mpi_part *d, struct report *rep)
{
	d->rep = rep;
	return run_ranks(d);
}

/* shmsync DEMO -m mpi [options] */
int
exec_mpi(const struct cmd_entry *e, int argc, char **argv)
{
	static struct mpi_part d;
	int status, wrc;

	d.w = e->demo;
	d.who = e->name;
	has_form(d.w, d.who);
	read_mpi_line(&d, argc, argv);
	d.rep = &d.own;
	report_begin(d.rep, &d.p, &d.view, d.w->name, d.w->mpi->proves);
	status = run_ranks(&d);
	if ((wrc = report_end(d.rep)) != 0 && wrc != EPIPE)
		errc(1, wrc, "stdout");
	finish(status);
}
