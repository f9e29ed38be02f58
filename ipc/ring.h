/*
 * ring.h - a lock-free single-producer single-consumer ring in shared memory.
 *
 * The producer alone writes tail, the consumer alone writes head, each on its
 * own cache line; each side keeps its own position and a copy of the
 * other's index on a line of its own, so an item costs two plain stores
 * and no atomic read-modify-write (Rigtorp's SPSCQueue, Folly's
 * ProducerConsumerQueue).  A side that must wait
 * spins briefly, then sleeps on a futex (futex.h).  To tell a sleeper, a
 * side looks at the other's sleeper count after each publish; where
 * membarrier(2) works, a side about to sleep pays a heavy fence so the
 * publisher needs none (asym): every user of the ring must then be a thread
 * of the process that ran ipc_ring_init, or forked from it after the init
 * (membarrier's registration survives fork, not exec); a user that is not
 * must set asym to 0 before anyone uses the ring.  Exactly one producer and
 * one consumer: with more, items are lost or duplicated.  See queue.h for
 * the multi-producer multi-consumer queue built the same way.
 */
#ifndef IPC_RING_H
#define IPC_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "futex.h"
#include "ipc.h"

struct ipc_ring {
	uint64_t		 capacity;	/* items */
	uint64_t		 itemsize;	/* bytes */
	_Atomic uint32_t	 closed;
	uint32_t		 spin_max;	/* ns a waiter may spin; 0: sleep at once */
	uint32_t		 asym;		/* 1: no fence per item (ipc_futex_tell) */
	/*
	 * What each side publishes, a line each: the other side reads it only
	 * when its copy says full or empty, so each publish is a store the
	 * writer never waits for (it never reads the line back).
	 */
	alignas(64) _Atomic uint64_t tail;	/* items put so far */
	alignas(64) _Atomic uint64_t head;	/* items taken so far */
	/* The producer's own line: where it is, and its last look at head. */
	alignas(64) uint64_t	 put_pos;	/* == tail, kept where no one else reads */
	uint64_t		 head_seen;
	uint64_t		 full_waits;	/* puts that found the ring full */
	/* The consumer's own line. */
	alignas(64) uint64_t	 get_pos;	/* == head */
	uint64_t		 tail_seen;
	uint64_t		 empty_waits;	/* gets that found it empty */
	/* Sleepers, each side on its own line: written only by those who sleep. */
	alignas(64) _Atomic uint32_t not_full;
	atomic_uint		 put_waiters;
	_Atomic uint32_t	 put_spin;
	alignas(64) _Atomic uint32_t not_empty;
	atomic_uint		 get_waiters;
	_Atomic uint32_t	 get_spin;
	alignas(64) unsigned char items[];
};

size_t	ipc_ring_size(size_t, size_t);
int	ipc_ring_init(struct ipc_ring *, size_t, size_t);
int	ipc_ring_put_slow(struct ipc_ring *, const void *, const struct timespec *);
int	ipc_ring_get_slow(struct ipc_ring *, void *, const struct timespec *);
int	ipc_ring_put_many(struct ipc_ring *, const void *, size_t, size_t *,
	    const struct timespec *);
int	ipc_ring_get_many(struct ipc_ring *, void *, size_t, size_t *,
	    const struct timespec *);
void	ipc_ring_close(struct ipc_ring *);
void	ipc_ring_destroy(struct ipc_ring *);

/* Slot copies that wrap around the end; shared with queue.c. */
void	ipc_ring_store(unsigned char *, uint64_t, uint64_t, uint64_t,
	    const void *, uint64_t);
void	ipc_ring_load(const unsigned char *, uint64_t, uint64_t, uint64_t,
	    void *, uint64_t);

/* Slot pos's bytes: pos % capacity without a division for a power of two. */
static inline unsigned char *
ipc_ring_slot(const struct ipc_ring *r, uint64_t pos)
{
	uint64_t cap = r->capacity;

	return (unsigned char *)r->items + r->itemsize *
	    ((cap & (cap - 1)) == 0 ? pos & (cap - 1) : pos % cap);
}

/*
 * One item, inline: while the private copy of head says there is room,
 * a put is a copy, two stores and a look at the sleeper count (no fence
 * when asym); a ring that looks full or closed takes the call (ring.c).
 */
static inline int
ipc_ring_put(struct ipc_ring *r, const void *item, const struct timespec *deadline)
{
	uint64_t tail = r->put_pos;

	if (__builtin_expect(tail - r->head_seen == r->capacity ||
	    r->itemsize != sizeof(uint64_t) ||
	    atomic_load_explicit(&r->closed, memory_order_relaxed), 0))
		return ipc_ring_put_slow(r, item, deadline);
	memcpy(ipc_ring_slot(r, tail), item, sizeof(uint64_t));
	r->put_pos = tail + 1;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	ipc_futex_tell(&r->not_empty, &r->get_waiters, 1, (int)r->asym);
	return 0;
}

/* One item, inline while the private copy of tail says there are items. */
static inline int
ipc_ring_get(struct ipc_ring *r, void *item, const struct timespec *deadline)
{
	uint64_t head = r->get_pos;

	if (__builtin_expect(r->tail_seen == head ||
	    r->itemsize != sizeof(uint64_t), 0))
		return ipc_ring_get_slow(r, item, deadline);
	memcpy(item, ipc_ring_slot(r, head), sizeof(uint64_t));
	r->get_pos = head + 1;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	ipc_futex_tell(&r->not_full, &r->put_waiters, 1, (int)r->asym);
	return 0;
}

#endif /* IPC_RING_H */
