/*
 * event.h - an Event (set, clear, wait, is_set) built in place in shared
 * memory for threads and processes: a robust mutex, a condvar, a flag and a
 * generation count, so a set followed at once by a clear still releases
 * every waiter that was there.  threading.Event for processes; see cond.h.
 */
#ifndef IPC_EVENT_H
#define IPC_EVENT_H

#include <pthread.h>
#include <stdatomic.h>

#include "ipc.h"

struct ipc_event {
	pthread_mutex_t	 m;
	pthread_cond_t	 cv;
	atomic_int	 flag;		/* read without the mutex by is_set */
	unsigned	 gen;		/* sets so far */
	unsigned	 waiting;	/* callers inside a wait */
	atomic_uint	 owner_deaths;	/* locks taken over from a dead owner */
};

/* Called instead of sleeping on the condvar (one-thread schedulers). */
typedef void ipc_event_idle(void *);

int	ipc_event_init(struct ipc_event *);
int	ipc_event_set(struct ipc_event *, const struct timespec *);
int	ipc_event_clear(struct ipc_event *, const struct timespec *);
int	ipc_event_wait(struct ipc_event *, const struct timespec *);
int	ipc_event_wait_idle(struct ipc_event *, const struct timespec *,
	    ipc_event_idle *, void *);
int	ipc_event_waiters(struct ipc_event *, unsigned *,
	    const struct timespec *);
int	ipc_event_is_set(const struct ipc_event *);
void	ipc_event_destroy(struct ipc_event *);

#endif /* IPC_EVENT_H */
