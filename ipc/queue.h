/*
 * queue.h - a bounded multi-producer multi-consumer queue in shared memory.
 *
 * Fixed-size items in a ring after the header, guarded by one robust
 * process-shared mutex and two condvars (not full, not empty).  Waiters are
 * counted, so a put or get that finds nobody asleep signals nobody.  Closing
 * the queue lets consumers drain what is left, then get EPIPE.
 */
#ifndef IPC_QUEUE_H
#define IPC_QUEUE_H

#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

struct ipc_queue {
	pthread_mutex_t	 lock;
	pthread_cond_t	 not_full;
	pthread_cond_t	 not_empty;
	uint64_t	 capacity;	/* items */
	uint64_t	 itemsize;	/* bytes */
	uint64_t	 head;		/* items taken so far */
	uint64_t	 tail;		/* items put so far */
	unsigned	 put_waiters;
	unsigned	 get_waiters;
	int		 closed;
	uint64_t	 full_waits;	/* puts that found the queue full */
	uint64_t	 empty_waits;	/* gets that found it empty */
	uint64_t	 owner_deaths;	/* lockers that inherited a dead owner's lock */
	alignas(64) unsigned char items[];
};

size_t	ipc_queue_size(size_t, size_t);
int	ipc_queue_init(struct ipc_queue *, size_t, size_t);
int	ipc_queue_put(struct ipc_queue *, const void *, const struct timespec *);
int	ipc_queue_get(struct ipc_queue *, void *, const struct timespec *);
int	ipc_queue_close(struct ipc_queue *, const struct timespec *);
void	ipc_queue_destroy(struct ipc_queue *);

#endif /* IPC_QUEUE_H */
