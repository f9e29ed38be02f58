/*
 * check_run.c - launcher/run.c, one run supervised: --inject faults end the
 * run within the grace with one line naming them, signals to the launcher
 * or its group give 128+N, a SIGKILLed launcher takes its workers along,
 * squatted names, a full /dev/shm and a failing fork are errors, not hangs;
 * workers are named in ps; -t draws a progress line on a terminal; --jitter
 * replays from the seed; failing runs driven in-process give back every
 * mapping and descriptor, and a copy of the launcher never starts a run.  Every test is a subreaper, so a worker its
 * launcher failed to reap becomes ours, and must not exist.  Tests that need
 * root powers (another uid, a mount namespace) say why when they skip.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../ipc/ipc.h"
#include "../../launcher/run.h"
#include "../../workers/worker.h"
#include "../tests.h"

#define BIG_RUN		"counter -w 3 -n 1000000000 --sync mutex -T 30"

static void
skip(const char *why)
{
	fprintf(stderr, "run: skipped: %s\n", why);
}

/* The exit status wanted, nothing left in /dev/shm, no worker left running. */
static void
expect_reaped(struct cmd *c, int status)
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
	expect_reaped(&c, faults[_i].status);
	ck_assert_msg(ipc_now_ns() - t0 < 3000000000ull, "%s: too slow",
	    faults[_i].args);
	if (faults[_i].says != NULL) {
		one_line(&c, faults[_i].says);
		ck_assert_ptr_nonnull(strstr(c.err, "injected "));
	}
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
	shm_name(path, sizeof(path), _i ? "sem." : "", pid, start, _i,
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
	expect_reaped(&c, 1);
	one_line(&c, "fork: worker ");
	ck_assert_ptr_nonnull(strstr(c.err, "Resource temporarily unavailable"));
	cmd_free(&c);
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
	expect_reaped(&c, 1);
	ck_assert_msg(strstr(c.err, "injected ") != NULL, "stderr: %s", c.err);
	ck_assert_msg(ipc_now_ns() - t0 < 5000000000ull, "%s: not within the grace",
	    stuck[_i]);
	cmd_free(&c);
}
END_TEST

/* Read a /proc file's first string into buf: a retitled cmdline ends at its NUL. */
static int
proc_read(const char *path, char *buf, size_t len)
{
	ssize_t n, i;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = '\0';
	n = (ssize_t)strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return 0;
}

/* The comm of worker 0 (a child process, or a thread of the launcher), or "". */
static void
find_worker(pid_t launcher, int threads, char *comm, char *cmdline, size_t len)
{
	char path[320], stat[512], *p;
	struct dirent *d;
	DIR *dir;

	comm[0] = cmdline[0] = '\0';
	snprintf(path, sizeof(path), threads ? "/proc/%ld/task" : "/proc",
	    (long)launcher);
	if ((dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL && comm[0] == '\0') {
		if (threads)
			snprintf(path, sizeof(path), "/proc/%ld/task/%s/stat",
			    (long)launcher, d->d_name);
		else
			snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if (proc_read(path, stat, sizeof(stat)) != 0 ||
		    (p = strrchr(stat, ')')) == NULL)
			continue;
		if (!threads && strtol(p + 4, NULL, 10) != launcher)
			continue;	/* field 4, ppid: not one of ours */
		*strrchr(stat, ')') = '\0';
		if (strstr(strchr(stat, '(') + 1, " w0") == NULL)
			continue;
		strlcpy(comm, strchr(stat, '(') + 1, len);
		snprintf(path, sizeof(path), "/proc/%s/cmdline", d->d_name);
		if (!threads)
			proc_read(path, cmdline, len);
	}
	closedir(dir);
}

START_TEST(worker_names)
{
	static const char *const modes[] = { "thread", "process" };
	char comm[64], cmdline[128];
	struct timespec pause = { 0, 20000000 };
	int threads = _i == 0, st, tries;
	pid_t pid;

	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(shmsync_path(), shmsync_path(), "counter", "-w", "2", "-n",
		    "100", "-s", "mutex", "-m", modes[_i], "--inject", "stall@0:1",
		    "-T", "10", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);

	/* Worker 0 stalls in its critical section: look at it, by the number --inject used. */
	for (tries = 0; tries < 250; tries++) {
		find_worker(pid, threads, comm, cmdline, sizeof(comm));
		if (comm[0] != '\0')
			break;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_str_eq(comm, "counter w0");
	if (!threads)
		ck_assert_str_eq(cmdline, "shmsync: counter worker 0 of 2");
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	    "launcher status %#x, want death by SIGTERM", st);
	ck_assert_int_eq(shm_leftovers(pid), 0);
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

/* The same seed, the same delays; another seed, others. */
START_TEST(jitter_replays)
{
	struct jobj o[MAX_ROWS];
	uint64_t a, b, other;
	struct cmd c;

	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 30 -s mutex -m %s "
	    "--seed 7 --jitter 40", _i ? "process" : "thread"), 1);
	ck_assert_str_eq(jstr(&o[0], "verdict"), "ok");
	a = jnum(&o[0], "jitter_ns");
	ck_assert_uint_eq(jnum(&o[0], "jitter_us"), 40);
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 30 -s mutex -m %s "
	    "--seed 7 --jitter 40", _i ? "process" : "thread"), 1);
	b = jnum(&o[0], "jitter_ns");
	cmd_free(&c);
	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 30 -s mutex -m %s "
	    "--seed 8 --jitter 40", _i ? "process" : "thread"), 1);
	other = jnum(&o[0], "jitter_ns");
	cmd_free(&c);

	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, other);
	/* 90 draws of 0..40 us: about 1.8 ms in all, surely between 0.5 and 3.2 */
	ck_assert_uint_gt(a, 500000);
	ck_assert_uint_lt(a, 3600000);
}
END_TEST

/* BENCHMARKS.md's "64 bytes per worker": the run header's slot is one cache line. */
START_TEST(slot_is_one_line)
{
	ck_assert_uint_eq(sizeof(struct slot), CACHE_LINE);
	ck_assert_uint_eq(sizeof(struct run_shared) % CACHE_LINE, 0);
}
END_TEST

#define FAILING_RUNS	12

/*
 * Shared mappings this process holds (perms "rw-s" in /proc/self/maps): run
 * regions and semaphores, what a run that does not release leaks.  Private
 * ones are left out: ASan's allocator maps more of them as it goes.
 */
static int
mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %7s", perms) == 1 && perms[3] == 's')
			n++;
	fclose(f);
	return n;
}

/* DEMO's defaults with OPT set to the keyword CHOICE, and one --inject fault. */
static void
params_for(struct params *p, const struct worker *w, const char *opt,
    const char *choice, const char *inject)
{
	int i, k;

	memset(p, 0, sizeof(*p));
	p->demo = w;
	for (i = 0; w->opts[i].name != NULL; i++)
		p->v[i] = w->opts[i].def;
	ck_assert_int_ge(i = worker_opt(w, opt), 0);
	for (k = 0; w->opts[i].choices[k] != NULL &&
	    strcmp(w->opts[i].choices[k], choice) != 0; k++)
		continue;
	ck_assert_ptr_nonnull(w->opts[i].choices[k]);
	p->v[i] = k;
	p->v[worker_opt(w, "workers")] = 3;
	p->modes = MODE_PROCESS;
	p->timeout = 20;
	p->seed = 1;
	ck_assert_ptr_null(inject_parse(p, inject));
	p->perturb = 1;
}

/*
 * The demos that hold private state (a named semaphore's mapping, a calloc)
 * each fail FAILING_RUNS times; the launcher's mappings and fds end where
 * they began.  Before release was split from destroy, each run leaked one
 * mapping.
 */
START_TEST(failed_runs_release)
{
	static const struct {
		const struct worker	*w;
		const char		*opt, *choice;
	} demo[] = {
		{ &worker_counter, "sync", "sem" },
		{ &worker_crash, "lock", "sem" },
	};
	struct result res;
	struct params p;
	int maps0, fds0, i;

	run_launcher_init();
	run_signals_init();
	params_for(&p, demo[_i].w, demo[_i].opt, demo[_i].choice, "kill@1:50");
	run_once(&p, 0, MODE_PROCESS, NULL, &res);	/* first-use allocations */
	maps0 = mappings();
	fds0 = dir_entries("/proc/self/fd");
	for (i = 0; i < FAILING_RUNS; i++) {
		run_once(&p, 0, MODE_PROCESS, NULL, &res);
		ck_assert_int_eq(res.verdict, VERDICT_FAIL);
	}
	ck_assert_int_eq(mappings(), maps0);
	ck_assert_int_eq(dir_entries("/proc/self/fd"), fds0);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}
END_TEST

/* A forked copy of the launcher that reaches the run engine leaves at once. */
START_TEST(copy_never_runs)
{
	struct result res;
	struct params p;
	pid_t pid;
	int st;

	run_launcher_init();
	run_signals_init();
	params_for(&p, &worker_counter, "sync", "mutex", "kill@1:50");
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		run_once(&p, 0, MODE_PROCESS, NULL, &res);
		_exit(42);	/* it ran: the guard failed */
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
}
END_TEST

Suite *
launcher_run_suite(void)
{
	Suite *s = suite_create("launcher_run");
	TCase *tc;

	tc = tcase_in(s, "inject", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, inject_each, 0, sizeof(faults) / sizeof(faults[0]));
	tc = tcase_in(s, "signals", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, signal_midrun, 0, 12);
	tcase_add_test(tc, sigkill_launcher);
	tcase_add_test(tc, pipe_closed);
	tc = tcase_in(s, "names", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, squatted_name, 0, 2);
	tcase_add_loop_test(tc, worker_names, 0, 2);
	tc = tcase_in(s, "exhaustion", TEST_TIMEOUT, 1);
	tcase_add_test(tc, shm_full);
	tcase_add_test(tc, fork_fails);
	tc = tcase_in(s, "pace", 20, 1);
	tcase_add_test(tc, progress_on_tty);
	tcase_add_loop_test(tc, jitter_replays, 0, 2);
	tcase_add_test(tc, slot_is_one_line);
	tc = tcase_in(s, "engine", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, failed_runs_release, 0, 2);
	tcase_add_test(tc, copy_never_runs);

	/* Slow (each spends a whole grace period): with SHMSYNC_SLOW, as .ci/run sets. */
	if (getenv("SHMSYNC_SLOW") != NULL) {
		tc = tcase_in(s, "slow", TEST_TIMEOUT, 1);
		tcase_add_loop_test(tc, stuck_survivors, 0,
		    sizeof(stuck) / sizeof(stuck[0]));
	}
	return s;
}
