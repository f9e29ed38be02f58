/*
 * check_fault.c - the fault suite: workers killed inside a critical section,
 * signals to the launcher and to its process group, a SIGKILLed launcher,
 * squatted names, a full /dev/shm, fork failing, bad --inject specs, and
 * runs back to back.  Every test is a subreaper, so a worker its launcher
 * failed to reap becomes ours, and must not exist.  Tests that need root
 * powers (another uid, a mount namespace) say why when they skip.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ipc/ipc.h"
#include "tests.h"

#define NOBODY		"setpriv --reuid=65534 --regid=65534 --clear-groups"
#define BIG_RUN		"counter -w 3 -n 1000000000 --sync mutex -T 30"
#define SOAK_RUNS	40		/* 200 with SHMSYNC_SLOW set */

static void
subreaper(void)
{
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* No child left at all: no worker outlived its launcher, running or zombie. */
static void
no_orphans(void)
{
	pid_t p = waitpid(-1, NULL, WNOHANG);

	ck_assert_msg(p == -1 && errno == ECHILD,
	    "a worker outlived its launcher (waitpid: %ld)", (long)p);
}

static void
skip(const char *why)
{
	fprintf(stderr, "fault: skipped: %s\n", why);
}

/* Run a shell line (not shmsync); its exit status. */
static int
sh(struct cmd *c, const char *line)
{
	const char *argv[] = { "/bin/sh", "-c", line, NULL };

	ck_assert_int_eq(cmd_run(c, argv), 0);
	return c->status;
}

/* Can we act as uid 65534 and still run the built shmsync? */
static int
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

static void
expect(struct cmd *c, int status)
{
	ck_assert_msg(c->status == status, "exit %d, want %d; stderr: %s",
	    c->status, status, c->err);
	ck_assert_int_eq(shm_leftovers(c->pid), 0);
	no_orphans();
}

/* Exactly one line on stderr, holding want. */
static void
one_line(const struct cmd *c, const char *want)
{
	ck_assert_msg(count_lines(c->err) == 1, "stderr is not one line: %s", c->err);
	ck_assert_msg(strstr(c->err, want) != NULL, "no '%s' in: %s", want, c->err);
}

/* What fd (a memfd) holds, as a string. */
static void
slurp_fd(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Start shmsync with args in its own process group, stderr to errfd. */
static pid_t
spawn(const char *args, int errfd)
{
	char line[512], *argv[32], *p = line, *w;
	int n = 0, null;
	pid_t pid;

	snprintf(line, sizeof(line), "%s", args);
	argv[n++] = (char *)shmsync_path();
	while ((w = strsep(&p, " ")) != NULL && n < 31)
		if (*w != '\0')
			argv[n++] = w;
	argv[n] = NULL;
	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		setpgid(0, 0);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(errfd >= 0 ? errfd : null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

/* The parent pid in /proc/pid/stat, or -1. */
static pid_t
ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	long pp = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 2, "%*c %ld", &pp);
	fclose(f);
	return (pid_t)pp;
}

/* The launcher's worker processes (up to max), or its threads if tasks. */
static int
workers_of(pid_t launcher, pid_t *kids, int max, int tasks)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;
	long p;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)launcher);
	if ((dir = opendir(tasks ? path : "/proc")) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL && n < max) {
		if ((p = strtol(d->d_name, NULL, 10)) <= 0)
			continue;
		if (tasks ? p != launcher : ppid_of((pid_t)p) == launcher)
			kids[n++] = (pid_t)p;
	}
	closedir(dir);
	return n;
}

/* Wait until the launcher runs n workers; they are in kids. */
static void
wait_running(pid_t launcher, pid_t *kids, int n, int threads)
{
	uint64_t end = ipc_now_ns() + 5000000000ull;

	while (workers_of(launcher, kids, n, threads) < n) {
		ck_assert_msg(ipc_now_ns() < end, "workers never started");
		usleep(2000);
	}
}

/* The exit status (128+N for signal N) within ms, or a failure. */
static int
wait_status(pid_t pid, unsigned ms)
{
	uint64_t end = ipc_now_ns() + (uint64_t)ms * 1000000u;
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (ipc_now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			ck_abort_msg("pid %ld still running after %u ms", (long)pid, ms);
		}
		usleep(2000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(mutex_owner_killed)
{
	const char *mode = _i ? "thread" : "process";
	char line[256], *nl;
	struct cmd c;

	/* Worker 1 dies holding the robust mutex at its 501st increment. */
	ck_assert_int_eq(cmd_runf(&c, "counter -w 3 -n 2000 --sync mutex --mode %s "
	    "-f csv --inject kill@1:500", mode), 0);
	expect(&c, 1);
	ck_assert_msg(strstr(c.out, ",6000,4500,1500,fail,") != NULL,
	    "the survivors' count is not exact: %s", c.out);
	one_line(&c, "holding the mutex: EOWNERDEAD, recovered");
	ck_assert_ptr_nonnull(strstr(c.err, _i ? "worker 1 (thread " : "worker 1 (pid "));
	ck_assert_ptr_nonnull(strstr(c.err, _i ? ") ended early" : ") killed by SIGKILL"));
	ck_assert_ptr_nonnull(strstr(c.err, "injected kill@1:500"));

	/* The row's note says the same. */
	snprintf(line, sizeof(line), "%s", strstr(c.err, "worker 1"));
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	ck_assert_msg(strstr(c.out, line) != NULL, "note lacks '%s': %s", line, c.out);
	cmd_free(&c);
}
END_TEST

/* One --inject case: the command, the status, what stderr's line must hold. */
static const struct {
	const char	*args;
	int		 status;
	const char	*says;
} faults[] = {
	{ "counter -w 3 -n 2000 --sync atomic -m process --inject kill@2:100", 1,
	  "worker 2 (pid " },
	{ "counter -w 3 -n 2000 --sync mutex -m process --inject abort@0:7", 1,
	  "killed by SIGABRT" },
	{ "counter -w 3 -n 2000 --sync mutex -m thread --inject abort@0:7", 134, NULL },
	{ "counter -w 3 -n 2000 --sync none -m process --inject exit@1:3", 1,
	  "exited with status 3" },
	{ "counter -w 3 -n 2000 --sync atomic -m thread --inject exit@1:3", 1,
	  "worker 1 (thread " },
	{ "counter -w 2 -n 2000 --sync mutex -m process -T 1 --inject stall@0:9", 1,
	  "did not finish by the deadline (--timeout 1)" },
	{ "counter -w 2 -n 2000 --sync mutex -m thread -T 1 --inject stall@0:9", 1,
	  "did not finish by the deadline (--timeout 1)" },
	{ "queue -p 2 -c 2 -n 500 -m process --inject kill@0:50", 1,
	  "worker 0 (pid " },
	{ "queue -p 2 -c 1 -n 500 -m thread --inject kill@2:10", 1,
	  "worker 2 (thread " },
	{ "barrier -w 3 -r 100 -b cond -m process --inject kill@1:10", 1,
	  "killed by SIGKILL" },
	{ "barrier -w 3 -r 100 -b cond -m thread --inject exit@2:10", 1,
	  "ended early" },
	/* A demo's planned death does not hide an unplanned one. */
	{ "crash -w 3 -n 3000 -a 100 -m process --inject kill@2:50", 1,
	  "worker 2 (pid " },
	{ "crash -w 3 -n 3000 -a 100 -m thread --inject exit@2:50", 1,
	  "worker 2 (thread " },
};

/* Each fault ends the run within twice its timeout: status, one line, nothing left. */
START_TEST(inject_each)
{
	uint64_t t0 = ipc_now_ns();
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s -f csv", faults[_i].args), 0);
	expect(&c, faults[_i].status);
	ck_assert_msg(ipc_now_ns() - t0 < 3000000000ull, "%s: too slow",
	    faults[_i].args);
	if (faults[_i].says != NULL) {
		one_line(&c, faults[_i].says);
		ck_assert_ptr_nonnull(strstr(c.err, "injected "));
	}
	cmd_free(&c);
}
END_TEST

/* crash's victim dies on purpose, each way: the run is ok, reaped, nothing left. */
START_TEST(planned_death)
{
	static const char *const how[] = { "kill", "abort", "exit" };
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "crash -w 3 -n 2000 -a 40 -H %s -m process "
	    "-f csv", how[_i]), 0);
	expect(&c, 0);
	ck_assert_msg(strstr(c.out, ",4040,4040,40,1,0,ok,") != NULL,
	    "not exact, or not repaired once: %s", c.out);
	ck_assert_ptr_nonnull(strstr(c.out, "worker 1 (pid "));
	no_orphans();
	cmd_free(&c);
}
END_TEST

static const char *const bad_specs[] = {
	"kill", "kill@", "kill@1", "boom@1:2", "kill@a:1", "kill@1:-1",
	"kill@1:x", "kill@3:1", "kill@1:1,", ",kill@1:1", "kill@4096:1",
	"kill@0:1,kill@0:2,kill@0:3,kill@0:4,kill@0:5,kill@0:6,kill@0:7,kill@0:8,"
	"kill@0:9",
};

START_TEST(inject_bad)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -w 3 -n 10 --inject %s",
	    bad_specs[_i]), 0);
	expect(&c, 2);
	one_line(&c, "--inject");
	ck_assert_int_eq(c.outlen, 0);
	cmd_free(&c);
}
END_TEST

/* Worker caps and overflowing products: usage errors before anything exists. */
static const char *const too_much[] = {
	"counter -w 4097", "counter -w 4096 -n 9223372036854775807",
	"queue -p 2049", "queue -p 2048 -n 3000000", "queue -k 16777217",
	"barrier -r 16777217", "counter -T 86401",
};

START_TEST(caps)
{
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s --mode process", too_much[_i]), 0);
	expect(&c, 2);
	ck_assert_int_eq(count_lines(c.err), 1);
	ck_assert_int_eq(c.outlen, 0);
	cmd_free(&c);
}
END_TEST

/* SIGINT, SIGTERM, SIGHUP to the launcher or its group, both modes: 128+N, nothing left. */
START_TEST(signal_midrun)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	int sig = sigs[_i % 3], group = (_i / 3) % 2, thread = _i / 6;
	int errfd = memfd_create("stderr", 0), st;
	pid_t pid, kids[3];
	char err[256];

	pid = spawn(thread ? BIG_RUN " --mode thread" : BIG_RUN " --mode process",
	    errfd);
	wait_running(pid, kids, 3, thread);
	ck_assert_int_eq(kill(group ? -pid : pid, sig), 0);
	st = wait_status(pid, 5000);
	slurp_fd(errfd, err, sizeof(err));
	ck_assert_msg(st == 128 + sig, "%s to the %s (%s mode): exit %d, want %d; %s",
	    strsignal(sig), group ? "group" : "launcher", thread ? "thread" :
	    "process", st, 128 + sig, err);
	ck_assert_int_eq(shm_leftovers(pid), 0);
	no_orphans();
}
END_TEST

/* A SIGKILLed launcher: its workers are gone within a second. */
START_TEST(sigkill_launcher)
{
	pid_t pid, kids[3], p;
	uint64_t end;
	int i, n = 0;

	pid = spawn(BIG_RUN " --mode process", -1);
	wait_running(pid, kids, 3, 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);

	/* We are the subreaper: the launcher and its orphans are ours to reap. */
	end = ipc_now_ns() + 1000000000u;
	while ((p = waitpid(-1, NULL, WNOHANG)) != -1 && ipc_now_ns() < end)
		if (p > 0)
			n++;
		else
			usleep(1000);
	if (p != -1) {
		/* Failing: still, leave no worker running behind the test. */
		for (i = 0; i < 3; i++)
			kill(kids[i], SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			continue;
	}
	ck_assert_msg(p == -1, "%d of 4 processes gone after 1 s", n);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(shm_leftovers(pid), 0);
}
END_TEST

/* Output into a closed pipe (shmsync ... | head -1): a plain exit, nothing left. */
START_TEST(pipe_closed)
{
	char buf[256];
	pid_t pid;
	int fd[2], st;
	ssize_t n;

	ck_assert_int_eq(pipe(fd), 0);
	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		dup2(fd[1], 1);
		execl(shmsync_path(), "shmsync", "counter", "-w", "2", "-n", "20000",
		    "--sync", "all", "--mode", "both", "-f", "csv", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf));
	close(fd[0]);
	ck_assert_int_gt(n, 0);
	st = wait_status(pid, 10000);
	ck_assert_msg(st < 128, "exit %d: killed by a signal", st);
	ck_assert_int_eq(shm_leftovers(pid), 0);
	no_orphans();
}
END_TEST

/* /dev/shm/NAME for a name of pid's run: "shmsync.<pid>.<start>.<seq>.<what>". */
static void
name_of(char *buf, size_t len, const char *pre, pid_t pid,
    unsigned long long start, int seq, const char *what)
{
	snprintf(buf, len, "/dev/shm/%s" IPC_PREFIX "%ld.%llu.%d.%s", pre,
	    (long)pid, start, seq, what);
}

/* Fork a launcher-to-be that waits on *go before exec'ing shmsync argv. */
static pid_t
launcher_waiting(int *go, int errfd, char *const argv[])
{
	int fd[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(fd[1]);
		if (read(fd[0], &c, 1) != 1)
			_exit(127);
		dup2(errfd, 2);
		execv(shmsync_path(), argv);
		_exit(127);
	}
	close(fd[0]);
	*go = fd[1];
	return pid;
}

/* A run whose region (_i 0) or semaphore (_i 1) name another user took first. */
START_TEST(squatted_name)
{
	static char *const argv[] = { "shmsync", "counter", "-w", "2", "-n", "100",
	    "--sync", "sem", "--mode", "process", NULL };
	char path[160], line[512], buf[16];
	unsigned long long start;
	int go, errfd, status, fd;
	struct stat st;
	struct cmd c;
	pid_t pid;

	if (!can_be_nobody()) {
		skip("squatted_name: cannot run as uid 65534 with setpriv");
		return;
	}
	errfd = memfd_create("stderr", 0);
	pid = launcher_waiting(&go, errfd, argv);
	ck_assert_int_eq(ipc_proc_start(pid, &start), 0);
	name_of(path, sizeof(path), _i ? "sem." : "", pid, start, _i,
	    _i ? "counter.lock" : "counter");
	snprintf(line, sizeof(line), NOBODY " sh -c 'echo squat > %s'", path);
	ck_assert_int_eq(sh(&c, line), 0);
	cmd_free(&c);
	ck_assert_int_eq(write(go, "x", 1), 1);
	close(go);
	status = wait_status(pid, 5000);

	/* The object is untouched: still the squatter's, still its bytes. */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	slurp_fd(fd, buf, sizeof(buf));
	unlink(path);
	ck_assert_int_eq(st.st_uid, 65534);
	ck_assert_str_eq(buf, "squat\n");
	ck_assert_int_eq(status, 1);
	slurp_fd(errfd, line, sizeof(line));
	ck_assert_msg(strstr(line, "File exists") != NULL && count_lines(line) == 1,
	    "stderr: %s", line);
	ck_assert_int_eq(shm_leftovers(pid), 0);
	no_orphans();
}
END_TEST

static void
touch(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);

	ck_assert_msg(fd != -1, "%s: %s", path, strerror(errno));
	close(fd);
}

/* A child that ended, and its start time: reaped, or left a zombie. */
static pid_t
ended_child(unsigned long long *start, int zombie)
{
	siginfo_t si;
	int go[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1);
	}
	ck_assert_int_eq(ipc_proc_start(pid, start), 0);
	close(go[1]);
	close(go[0]);
	ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WEXITED |
	    (zombie ? WNOWAIT : 0)), 0);
	return pid;
}

/* shmsync clean; which of the names exist afterwards, as a bit mask; its output. */
static unsigned
clean_leaves(char names[][160], int n, char *out, size_t len)
{
	unsigned left = 0;
	struct cmd c;
	int i;

	ck_assert_int_eq(cmd_runf(&c, "clean"), 0);
	snprintf(out, len, "exit %d: %s", c.status, c.out);
	if (c.status != 0)
		left = ~0u;
	for (i = 0; i < n; i++)
		if (access(names[i], F_OK) == 0)
			left |= 1u << i;
	cmd_free(&c);
	return left;
}

enum { LIVE, ZOMBIE, OTHER, REUSED, DEAD, DEAD_SEM, NNAMES };

/* clean removes stale names of ours, and nothing else.  Unlink all, then assert. */
START_TEST(clean_exact)
{
	static const char *const what[] = { "live", "zombie", "other", "reused",
	    "dead", "dead" };
	char names[NNAMES][160], line[256], out1[1024], out2[1024];
	unsigned long long me, ds, zs;
	unsigned left1, left2, foreign = 0;
	pid_t dpid, zpid;
	struct cmd c;
	int i;

	ck_assert_int_eq(ipc_proc_start(getpid(), &me), 0);
	dpid = ended_child(&ds, 0);
	zpid = ended_child(&zs, 1);
	name_of(names[LIVE], 160, "", getpid(), me, 900, what[LIVE]);
	name_of(names[ZOMBIE], 160, "", zpid, zs, 901, what[ZOMBIE]);
	name_of(names[OTHER], 160, "", dpid, ds, 902, what[OTHER]);
	name_of(names[REUSED], 160, "", getpid(), me + 1, 903, what[REUSED]);
	name_of(names[DEAD], 160, "", dpid, ds, 904, what[DEAD]);
	name_of(names[DEAD_SEM], 160, "sem.", dpid, ds, 905, what[DEAD_SEM]);
	for (i = 0; i < NNAMES; i++)
		if (i != OTHER)
			touch(names[i]);
	snprintf(line, sizeof(line), NOBODY " touch %s", names[OTHER]);
	if (can_be_nobody()) {
		ck_assert_int_eq(sh(&c, line), 0);
		cmd_free(&c);
		foreign = 1u << OTHER;
	} else
		skip("clean_exact: no name of another user (setpriv impossible)");

	/* Then the zombie is reaped: its launcher is dead now. */
	left1 = clean_leaves(names, NNAMES, out1, sizeof(out1));
	waitpid(zpid, NULL, 0);
	left2 = clean_leaves(names, NNAMES, out2, sizeof(out2));
	for (i = 0; i < NNAMES; i++)
		unlink(names[i]);
	ck_assert_msg(left1 == ((1u << LIVE) | (1u << ZOMBIE) | foreign),
	    "first clean left %#x, want live, zombie, other's; %s", left1, out1);
	ck_assert_msg(left2 == ((1u << LIVE) | foreign),
	    "second clean left %#x, want live, other's; %s", left2, out2);
	ck_assert_ptr_nonnull(strstr(out1, names[DEAD] + 9));
	ck_assert_ptr_nonnull(strstr(out1, names[DEAD_SEM] + 9));
	ck_assert_ptr_nonnull(strstr(out1, "launcher pid reused"));
	no_orphans();
}
END_TEST

/* A full /dev/shm (a 1 MiB tmpfs in a private mount namespace): ENOSPC, no SIGBUS. */
START_TEST(shm_full)
{
	char line[512];
	struct cmd c;

	if (sh(&c, "unshare -m true 2>/dev/null") != 0) {
		skip("shm_full: unshare -m not permitted");
		cmd_free(&c);
		return;
	}
	cmd_free(&c);
	snprintf(line, sizeof(line), "unshare -m sh -c 'mount -t tmpfs -o size=1m "
	    "tmpfs /dev/shm 2>/dev/null || exit 77; %s queue -p 1 -c 1 -n 10 "
	    "-k 1000000 --mode process; rc=$?; ls -A /dev/shm; exit $rc'",
	    shmsync_path());
	if (sh(&c, line) == 77) {
		skip("shm_full: cannot mount a tmpfs over /dev/shm");
		cmd_free(&c);
		return;
	}
	ck_assert_msg(c.status == 1, "exit %d (135 is SIGBUS); stderr: %s",
	    c.status, c.err);
	one_line(&c, "No space left on device");
	ck_assert_msg(c.outlen == 0, "left in the full /dev/shm: %s", c.out);
	cmd_free(&c);
	no_orphans();
}
END_TEST

/* fork fails half-way (RLIMIT_NPROC as uid 65534): started workers reaped, exit 1. */
START_TEST(fork_fails)
{
	char line[512];
	struct cmd c;

	if (!can_be_nobody()) {
		skip("fork_fails: cannot run as uid 65534 with setpriv");
		return;
	}
	snprintf(line, sizeof(line), "exec " NOBODY " prlimit --nproc=4 %s counter "
	    "-w 16 -n 10 --mode process", shmsync_path());
	sh(&c, line);
	expect(&c, 1);
	one_line(&c, "fork: worker ");
	ck_assert_ptr_nonnull(strstr(c.err, "Resource temporarily unavailable"));
	cmd_free(&c);
}
END_TEST

static const char *const soak_runs[] = {
	"counter -w 2 -n 100 --sync mutex", "counter -w 3 -n 100 --sync sem",
	"counter -w 2 -n 100 --sync spin", "counter -w 2 -n 100 --sync atomic",
	"counter -w 2 -n 100 --sync none", "queue -p 2 -c 1 -n 100 -k 4",
	"barrier -w 3 -r 100 -b cond", "barrier -w 2 -r 100 -b pthread",
};

/* Runs back to back, every demo, both modes: each holds its invariant, leaves nothing. */
START_TEST(soak)
{
	const size_t nk = sizeof(soak_runs) / sizeof(soak_runs[0]);
	int i, runs = getenv("SHMSYNC_SLOW") != NULL ? 200 : SOAK_RUNS;
	struct cmd c;

	for (i = 0; i < runs; i++) {
		ck_assert_int_eq(cmd_runf(&c, "%s --mode %s -f csv", soak_runs[i % nk],
		    (i / nk) % 2 ? "process" : "thread"), 0);
		ck_assert_msg(c.status == 0 && (strstr(c.out, ",ok,") != NULL ||
		    strstr(c.out, ",race,") != NULL), "run %d: %s: exit %d\n%s%s", i,
		    soak_runs[i % nk], c.status, c.out, c.err);
		ck_assert_int_eq(shm_leftovers(c.pid), 0);
		cmd_free(&c);
	}
	no_orphans();
}
END_TEST

/* Faults that leave a lock no one can take over: the survivors wait out the grace. */
static const char *const stuck[] = {
	"barrier -w 3 -r 100 -b pthread -m process --inject kill@1:10",
	"barrier -w 3 -r 100 -b pthread -m thread --inject kill@1:10",
	"counter -w 3 -n 100000 --sync sem -m process --inject kill@2:100",
	"counter -w 3 -n 100000 --sync spin -m process --inject exit@1:3",
	"counter -w 3 -n 100000 --sync sem -m thread --inject kill@2:100",
};

/* Bounded all the same: exit 1 within the 2 s grace, well before the deadline. */
START_TEST(stuck_survivors)
{
	uint64_t t0 = ipc_now_ns();
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "%s -T 20", stuck[_i]), 0);
	expect(&c, 1);
	ck_assert_msg(strstr(c.err, "injected ") != NULL, "stderr: %s", c.err);
	ck_assert_msg(ipc_now_ns() - t0 < 5000000000ull, "%s: not within the grace",
	    stuck[_i]);
	cmd_free(&c);
}
END_TEST

static TCase *
tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_checked_fixture(tc, subreaper, NULL);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *
fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc;

	tc = tcase(s, "inject");
	tcase_add_loop_test(tc, mutex_owner_killed, 0, 2);
	tcase_add_loop_test(tc, inject_each, 0, sizeof(faults) / sizeof(faults[0]));
	tcase_add_loop_test(tc, planned_death, 0, 3);
	tcase_add_loop_test(tc, inject_bad, 0, sizeof(bad_specs) / sizeof(bad_specs[0]));
	tcase_add_loop_test(tc, caps, 0, sizeof(too_much) / sizeof(too_much[0]));
	tc = tcase(s, "signals");
	tcase_add_loop_test(tc, signal_midrun, 0, 12);
	tcase_add_test(tc, sigkill_launcher);
	tcase_add_test(tc, pipe_closed);
	tc = tcase(s, "names");
	tcase_add_loop_test(tc, squatted_name, 0, 2);
	tcase_add_test(tc, clean_exact);
	tc = tcase(s, "exhaustion");
	tcase_add_test(tc, shm_full);
	tcase_add_test(tc, fork_fails);
	tc = tcase(s, "soak");
	tcase_add_test(tc, soak);

	/* Slow (each spends a whole grace period): with SHMSYNC_SLOW, as .ci/run sets. */
	if (getenv("SHMSYNC_SLOW") != NULL) {
		tc = tcase(s, "slow");
		tcase_add_loop_test(tc, stuck_survivors, 0,
		    sizeof(stuck) / sizeof(stuck[0]));
	}
	return s;
}
