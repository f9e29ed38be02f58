/*
 * testutil.c - helpers for the suites: run the built shmsync and capture its
 * output and status, and count the shared-memory names a pid left behind.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
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
