/*
 * clean.c - `shmsync clean`: remove the /dev/shm names a dead launcher left.
 *
 * Every name carries its launcher's pid and start time (ipc_name), so a
 * name is stale exactly when that pid is gone or now belongs to a process
 * born at another time.  Only regular files of the calling user are touched;
 * a zombie launcher, or a live one of any user, keeps its names.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../ipc/ipc.h"
#include "run.h"

#define SHM_DIR		"/dev/shm"
#define SEM_PREFIX	"sem." IPC_PREFIX

/* Why the launcher of name is dead, or NULL while it (or its zombie) lives. */
static const char *
launcher_gone(const char *name)
{
	unsigned long long start, now;
	pid_t pid;
	int rc;

	if (ipc_name_parse(name, &pid, &start) != 0)
		return NULL;
	rc = ipc_proc_start(pid, &now);
	if (rc == ENOENT || rc == ESRCH)
		return "launcher gone";
	if (rc == 0 && now != start)
		return "launcher pid reused";
	return NULL;
}

/* Remove name if it is ours and stale; 1 if removed, -1 on error, else 0. */
static int
clean_one(int dir, const char *name)
{
	const char *why;
	struct stat st;

	if (strncmp(name, IPC_PREFIX, strlen(IPC_PREFIX)) != 0 &&
	    strncmp(name, SEM_PREFIX, strlen(SEM_PREFIX)) != 0)
		return 0;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return 0;
	if ((why = launcher_gone(name)) == NULL)
		return 0;
	if (unlinkat(dir, name, 0) == -1) {
		if (errno == ENOENT)
			return 0;	/* another clean was first */
		warn("%s/%s", SHM_DIR, name);
		return -1;
	}
	printf("removed %s/%s (%s)\n", SHM_DIR, name, why);
	return 1;
}

/* Exit status: 0, or 1 if a stale name could not be removed. */
int
clean_names(void)
{
	struct dirent *d;
	DIR *dir;
	int rc, status = 0, n = 0;

	if ((dir = opendir(SHM_DIR)) == NULL)
		err(1, "%s", SHM_DIR);
	while ((errno = 0, d = readdir(dir)) != NULL) {
		if ((rc = clean_one(dirfd(dir), d->d_name)) < 0)
			status = 1;
		n += rc > 0;
	}
	if (errno != 0)
		err(1, "%s", SHM_DIR);
	closedir(dir);
	if (n == 0)
		printf("nothing to remove in %s\n", SHM_DIR);
	return fflush(stdout) == 0 ? status : 1;
}
