/*
 * sem.c - named POSIX semaphores with exclusive creation and bounded waits.
 *
 * sem_open's mode goes through the umask, so the umask is narrowed to 077
 * around the call: the object is 0600 whatever the caller's umask (callers
 * open semaphores before starting any thread).  See sem.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "sem.h"
#include "trace.h"
#include "tsan.h"

int
ipc_sem_open(struct ipc_sem *s, const char *what, unsigned value)
{
	mode_t old;
	int rc;

	memset(s, 0, sizeof(*s));
	if (value > SEM_VALUE_MAX)
		return EINVAL;
	if ((rc = ipc_name(s->name, sizeof(s->name), what)) != 0)
		return rc;
	old = umask(077);
	s->sem = sem_open(s->name, O_CREAT | O_EXCL, IPC_MODE, value);
	rc = errno;
	umask(old);
	if (s->sem == SEM_FAILED) {
		s->sem = NULL;
		s->name[0] = '\0';
		return rc;
	}
	return 0;
}

int
ipc_sem_unlink(struct ipc_sem *s)
{
	int rc = 0;

	if (s->name[0] != '\0' && sem_unlink(s->name) == -1)
		rc = errno;
	s->name[0] = '\0';
	return rc;
}

/* Unlink if still named, then unmap. */
void
ipc_sem_close(struct ipc_sem *s)
{
	ipc_sem_unlink(s);
	if (s->sem != NULL)
		sem_close(s->sem);
	s->sem = NULL;
}

/* 0 once decremented, ETIMEDOUT at the deadline; a signal does not end the wait. */
int
ipc_sem_wait(sem_t *s, const struct timespec *deadline)
{
	ipc_trace(IPC_EV_TRY, IPC_K_SEM, s);
	while (sem_clockwait(s, CLOCK_MONOTONIC, deadline) == -1)
		if (errno != EINTR) {
			ipc_trace(IPC_EV_FAIL, IPC_K_SEM, s);
			return errno;
		}
	TSAN_ACQUIRE(s);
	ipc_trace(IPC_EV_ACQ, IPC_K_SEM, s);
	return 0;
}

/* 0, or EAGAIN when the value is zero. */
int
ipc_sem_trywait(sem_t *s)
{
	while (sem_trywait(s) == -1)
		if (errno != EINTR)
			return errno;
	ipc_trace(IPC_EV_ACQ, IPC_K_SEM, s);
	return 0;
}

/* 0, or EOVERFLOW at SEM_VALUE_MAX. */
int
ipc_sem_post(sem_t *s)
{
	ipc_trace(IPC_EV_REL, IPC_K_SEM, s);
	return sem_post(s) == -1 ? errno : 0;
}

int
ipc_sem_value(sem_t *s, int *v)
{
	return sem_getvalue(s, v) == -1 ? errno : 0;
}
