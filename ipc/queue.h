/*
 * queue.h - a bounded multi-producer multi-consumer queue in shared memory.
 *
 * A two-lock ring: producers serialise on `lock` (robust, process-shared) and
 * own tail, consumers serialise on `get_lock` and own head, each side on its
 * own cache line, so a producer and a consumer never wait for each other's
 * lock.  Locks are held only to copy; a side that must wait releases its
 * lock, spins briefly, then sleeps on a futex, counted, so a put or get that
 * finds nobody asleep wakes nobody (futex.h).  Batch put/get copy many items
 * per lock.  Closing lets consumers drain what is left, then get EPIPE.
 * As in ring.h, where membarrier(2) works a publisher tells sleepers
 * without a fence per item (asym); the same rule on who may use it holds.
 */
#ifndef IPC_QUEUE_H
#define IPC_QUEUE_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

struct ipc_queue {
	uint64_t		 capacity;	/* items */
	uint64_t		 itemsize;	/* bytes */
	_Atomic int		 closed;
	uint32_t		 spin_max;	/* ns a waiter may spin; 0: sleep at once */
	uint32_t		 asym;		/* 1: no fence per item (ipc_futex_tell) */
	/*
	 * Each side's lock line: the lock (producers': also close's), the
	 * side's own position and its view of the other's index; touched only
	 * by that side's lock holder, so the other side never pulls it away.
	 */
	alignas(64) pthread_mutex_t lock;
	uint64_t		 put_pos;	/* == tail, unless a holder died */
	uint64_t		 head_seen;
	uint64_t		 full_waits;	/* puts that found the queue full */
	alignas(64) pthread_mutex_t get_lock;
	uint64_t		 get_pos;	/* == head, unless a holder died */
	uint64_t		 tail_seen;
	uint64_t		 empty_waits;	/* gets that found it empty */
	/* What each side publishes, a line each, read by the other side. */
	alignas(64) _Atomic uint64_t tail;	/* items put so far */
	alignas(64) _Atomic uint64_t head;	/* items taken so far */
	/* Sleepers: futex words and counts, written only by those who sleep. */
	alignas(64) _Atomic uint32_t not_full;
	atomic_uint		 put_waiters;
	_Atomic uint32_t	 put_spin;	/* adaptive spin budget, ns */
	alignas(64) _Atomic uint32_t not_empty;
	atomic_uint		 get_waiters;
	_Atomic uint32_t	 get_spin;
	/* Lockers that inherited a dead owner's lock. */
	alignas(64) _Atomic uint64_t owner_deaths;
	/* Queue.join: items put and not yet declared done, and their sleepers. */
	alignas(64) _Atomic uint64_t unfinished;
	_Atomic uint32_t	 all_done;	/* futex word */
	atomic_uint		 join_waiters;
	_Atomic uint32_t	 join_spin;
	alignas(64) unsigned char items[];
};

size_t	ipc_queue_size(size_t, size_t);
int	ipc_queue_init(struct ipc_queue *, size_t, size_t);
int	ipc_queue_put(struct ipc_queue *, const void *, const struct timespec *);
int	ipc_queue_get(struct ipc_queue *, void *, const struct timespec *);
int	ipc_queue_put_many(struct ipc_queue *, const void *, size_t, size_t *,
	    const struct timespec *);
int	ipc_queue_get_many(struct ipc_queue *, void *, size_t, size_t *,
	    const struct timespec *);
int	ipc_queue_task_done(struct ipc_queue *);
int	ipc_queue_join(struct ipc_queue *, const struct timespec *);
int	ipc_queue_close(struct ipc_queue *, const struct timespec *);
void	ipc_queue_destroy(struct ipc_queue *);

#endif /* IPC_QUEUE_H */
