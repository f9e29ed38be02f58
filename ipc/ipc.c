/*
 * ipc.c - per-run unique names, CLOCK_MONOTONIC deadlines and the ns <->
 * timespec conversions for ipc/ and its callers.
 *
 * The names carry the creating process's pid and start time, so two runs
 * never collide, a reused pid is told apart from the original, and a name
 * left by a SIGKILLed launcher is recognisable.  See ipc.h.
 */
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

static atomic_uint name_seq;

/* Read field 22 (starttime) of /proc/PID/stat: the pid's birth certificate. */
int
ipc_proc_start(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n == 0 ? ESRCH : errno;
	buf[n] = '\0';

	/* The command name may hold spaces or ')': fields count from the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return EINVAL;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return EINVAL;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

/* "/shmsync.<pid>.<start>.<seq>.<what>", unique among runs and within one. */
int
ipc_name(char *buf, size_t len, const char *what)
{
	unsigned long long start;
	pid_t pid = getpid();
	int rc, n;

	if ((rc = ipc_proc_start(pid, &start)) != 0)
		return rc;
	n = snprintf(buf, len, "/" IPC_PREFIX "%ld.%llu.%u.%s", (long)pid,
	    start, atomic_fetch_add(&name_seq, 1), what);
	if (n < 0 || (size_t)n >= len || strchr(what, '/') != NULL)
		return ENAMETOOLONG;
	return 0;
}

/* Split a name (with or without '/' or the "sem." prefix) into pid and start. */
int
ipc_name_parse(const char *name, pid_t *pid, unsigned long long *start)
{
	const char *p;
	char *end;
	long long v;

	if ((p = strstr(name, IPC_PREFIX)) == NULL)
		return EINVAL;
	p += strlen(IPC_PREFIX);
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno != 0 || end == p || *end != '.' || v <= 0 || v > INT32_MAX)
		return EINVAL;
	*pid = (pid_t)v;
	p = end + 1;
	*start = strtoull(p, &end, 10);
	if (errno != 0 || end == p || *end != '.')
		return EINVAL;
	return 0;
}

struct timespec
ipc_ts_from_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / IPC_NS_PER_S),
		.tv_nsec = (long)(ns % IPC_NS_PER_S),
	};

	return ts;
}

uint64_t
ipc_ns_from_ts(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * IPC_NS_PER_S + (uint64_t)ts->tv_nsec;
}

uint64_t
ipc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ipc_ns_from_ts(&ts);
}

/* Set *ts to now + ns on CLOCK_MONOTONIC, the clock every wait uses. */
void
ipc_deadline(struct timespec *ts, uint64_t ns)
{
	*ts = ipc_ts_from_ns(ipc_now_ns() + ns);
}

int
ipc_expired(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ipc_ns_from_ts(&now) >= ipc_ns_from_ts(deadline);
}

/* Sleep ns in full: a signal that interrupts nanosleep does not cut it short. */
void
ipc_sleep_ns(uint64_t ns)
{
	struct timespec left = ipc_ts_from_ns(ns);

	while (nanosleep(&left, &left) == -1 && errno == EINTR)
		continue;
}
