/*
 * names.c - workers show in ps and top as what they are: a process worker's
 * command line is "shmsync: DEMO worker I/N" and its comm "DEMO wI"; a
 * thread worker's comm is "DEMO wI" too.  A stalled worker (--inject) is
 * looked at while it runs, then the launcher is stopped with SIGTERM.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

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

/* The comm of worker 1 (a child process, or a thread of the launcher), or "". */
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
		if (strstr(strchr(stat, '(') + 1, " w1") == NULL)
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

	/* Worker 1 (index 0) stalls in its critical section: look at it. */
	for (tries = 0; tries < 250; tries++) {
		find_worker(pid, threads, comm, cmdline, sizeof(comm));
		if (comm[0] != '\0')
			break;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_str_eq(comm, "counter w1");
	if (!threads)
		ck_assert_str_eq(cmdline, "shmsync: counter worker 1/2");
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	    "launcher status %#x, want death by SIGTERM", st);
	ck_assert_int_eq(shm_leftovers(pid), 0);
}
END_TEST

TCase *
names_tcase(void)
{
	TCase *tc = tcase_create("names");

	tcase_set_timeout(tc, CLI_TIMEOUT);
	tcase_add_loop_test(tc, worker_names, 0, 2);
	return tc;
}
