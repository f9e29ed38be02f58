/*
 * queue.c - bounded MPMC queue: a ring with one robust lock per side, futex
 * waits, counted waiters.
 *
 * Why locks and not a lock-free MPMC ring: a process may die anywhere, and a
 * lock-free slot claimed by a dead producer is a hole no one can repair.
 * Here head and tail only grow and are published (release) after the copy,
 * so the ring is consistent at every instruction: a lock inherited from a
 * dead owner (EOWNERDEAD) is counted and declared consistent, as before.
 * Waiting never holds a lock, so close can always take it.  See queue.h.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "futex.h"
#include "mutex.h"
#include "queue.h"
#include "trace.h"
#include "ring.h"

#define QUEUE_LOOKS	64	/* a full queue's quick looks for room */
#define QUEUE_ROOM	32	/* the run of free slots they look for */

/* Bytes for a queue of capacity items of itemsize bytes; 0 on overflow. */
size_t
ipc_queue_size(size_t capacity, size_t itemsize)
{
	size_t ring;

	if (capacity == 0 || itemsize == 0 ||
	    __builtin_mul_overflow(capacity, itemsize, &ring) ||
	    ring > SIZE_MAX - sizeof(struct ipc_queue))
		return 0;
	return sizeof(struct ipc_queue) + ring;
}

int
ipc_queue_init(struct ipc_queue *q, size_t capacity, size_t itemsize)
{
	int rc;

	if (ipc_queue_size(capacity, itemsize) == 0)
		return EINVAL;
	memset(q, 0, sizeof(*q));
	q->capacity = capacity;
	q->itemsize = itemsize;
	q->spin_max = IPC_SPIN_MAX_NS;
	q->asym = (uint32_t)ipc_futex_asym();
	atomic_init(&q->put_spin, IPC_SPIN_MAX_NS / 4);
	atomic_init(&q->get_spin, IPC_SPIN_MAX_NS / 4);
	if ((rc = ipc_mutex_init(&q->lock, IPC_MUTEX_NORMAL)) != 0)
		return rc;
	if ((rc = ipc_mutex_init(&q->get_lock, IPC_MUTEX_NORMAL)) != 0)
		ipc_mutex_destroy(&q->lock);
	return rc;
}

/* Lock one side; a dead owner left the ring consistent, so count it and go on. */
static int
side_lock(struct ipc_queue *q, pthread_mutex_t *m, const struct timespec *deadline)
{
	int adopted, rc;

	rc = ipc_mutex_lock_adopt(m, deadline, &adopted);
	if (!adopted)
		return rc;

	/*
	 * The dead holder may have moved its side's position and not published
	 * it: what it did not publish never happened.
	 */
	atomic_fetch_add(&q->owner_deaths, 1);
	if (m == &q->lock)
		q->put_pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
	else
		q->get_pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	return rc;
}

static int
has_room(const void *arg)
{
	const struct ipc_queue *q = arg;

	return atomic_load(&q->tail) - atomic_load(&q->head) < q->capacity ||
	    atomic_load(&q->closed);
}

static int
has_items(const void *arg)
{
	const struct ipc_queue *q = arg;

	return atomic_load(&q->tail) != atomic_load(&q->head) ||
	    atomic_load(&q->closed);
}

/*
 * Producers' lock held: copy in as many of n items as fit (*k), or EPIPE.
 * They count as unfinished (Queue.join) before anyone can take them.
 */
static int
put_some(struct ipc_queue *q, const unsigned char *items, size_t n, size_t *k)
{
	uint64_t tail = q->put_pos;

	*k = 0;
	if (atomic_load_explicit(&q->closed, memory_order_relaxed))
		return EPIPE;
	if (q->capacity - (tail - q->head_seen) < n)
		q->head_seen = atomic_load_explicit(&q->head, memory_order_acquire);
	*k = q->capacity - (tail - q->head_seen);
	*k = *k < n ? *k : n;
	if (*k == 0)
		return 0;
	ipc_ring_store(q->items, q->capacity, q->itemsize, tail, items, *k);
	atomic_fetch_add_explicit(&q->unfinished, *k, memory_order_relaxed);
	q->put_pos = tail + *k;
	atomic_store_explicit(&q->tail, tail + *k, memory_order_release);
	return 0;
}

/*
 * The queue was full: look, a few times a pause apart and without the
 * lock, for a run of free slots (QUEUE_ROOM, or half the queue): 1 once
 * there is one.  Re-taking the lock for each slot the consumers free moves
 * the lock's and the slots' lines per item; a run moves them once.  0:
 * the general wait follows (which needs one slot only).
 */
static int
room_run(const struct ipc_queue *q)
{
	uint64_t want = q->capacity / 2 < QUEUE_ROOM ? q->capacity / 2 : QUEUE_ROOM;
	uint64_t head, tail;
	unsigned i;

	want = want > 0 ? want : 1;
	for (i = 0; i < (q->spin_max ? QUEUE_LOOKS : 0); i++) {
		/* head first: it never passes the tail read after it. */
		head = atomic_load_explicit(&q->head, memory_order_acquire);
		tail = atomic_load_explicit(&q->tail, memory_order_acquire);
		if (q->capacity - (tail - head) >= want)
			return 1;
		ipc_cpu_relax();
	}
	return 0;
}

/* explain: queue: a put: under the producers' lock copy in what fits, wake the consumers; full, wait for room without the lock */
static int
put_many(struct ipc_queue *q, const void *items, size_t n, size_t *nput,
    const struct timespec *deadline, struct ipc_trace_buf *tb)
{
	struct ipc_await a = { &q->not_full, &q->put_waiters, &q->put_spin,
	    q->spin_max, has_room, q, (int)q->asym };
	size_t done = 0, k;
	int rc = 0, counted = 0;

	while (done < n) {
		if ((rc = side_lock(q, &q->lock, deadline)) != 0)
			break;
		rc = put_some(q, (const unsigned char *)items + done * q->itemsize,
		    n - done, &k);
		if (rc == 0 && k == 0) {
			q->full_waits += !counted;
			counted = 1;
		}
		ipc_mutex_unlock(&q->lock);
		done += k;
		if (k > 0)
			ipc_futex_tell(&q->not_empty, &q->get_waiters,
			    k < INT_MAX ? (int)k : INT_MAX, (int)q->asym);
		if (rc != 0)
			break;

		/* Full: wait for room without the lock (first a run of it, briefly). */
		if (k > 0 || room_run(q))
			continue;
		ipc_trace_to(tb, IPC_EV_WAIT, IPC_K_QUEUE, q);
		rc = ipc_futex_await(&a, deadline, NULL);
		ipc_trace_to(tb, IPC_EV_WAKE, IPC_K_QUEUE, q);
		if (rc != 0)
			break;
	}
	if (nput != NULL)
		*nput = done;
	return rc;
}
/* explain: end */

/* Put all n items, waiting for room as needed; *nput (if set): how many went in. */
int
ipc_queue_put_many(struct ipc_queue *q, const void *items, size_t n, size_t *nput,
    const struct timespec *deadline)
{
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	rc = put_many(q, items, n, nput, deadline, tb);
	ipc_trace_unmute(tb);
	if (rc == 0)
		ipc_trace(IPC_EV_PUT, IPC_K_QUEUE, q);
	return rc;
}

/* Consumers' lock held: 1 if there are items, 0 if empty, -1 if closed and drained. */
static int
get_ready(struct ipc_queue *q, uint64_t head, size_t max)
{
	if (q->tail_seen - head < max)
		q->tail_seen = atomic_load_explicit(&q->tail, memory_order_acquire);
	if (q->tail_seen != head)
		return 1;
	if (!atomic_load_explicit(&q->closed, memory_order_acquire))
		return 0;

	/* Closed under the producers' lock after the last put: tail is final now. */
	q->tail_seen = atomic_load_explicit(&q->tail, memory_order_acquire);
	return q->tail_seen != head ? 1 : -1;
}

static int
get_many(struct ipc_queue *q, void *items, size_t max, size_t *ngot,
    const struct timespec *deadline, struct ipc_trace_buf *tb)
{
	struct ipc_await a = { &q->not_empty, &q->get_waiters, &q->get_spin,
	    q->spin_max, has_items, q, (int)q->asym };
	uint64_t head, k;
	int rc, ready, counted = 0;

	*ngot = 0;
	for (;;) {
		if ((rc = side_lock(q, &q->get_lock, deadline)) != 0)
			return rc;
		head = q->get_pos;
		if ((ready = get_ready(q, head, max)) != 0)
			break;
		q->empty_waits += !counted;
		counted = 1;
		ipc_mutex_unlock(&q->get_lock);

		/* Empty: wait for an item without the lock. */
		ipc_trace_to(tb, IPC_EV_WAIT, IPC_K_QUEUE, q);
		rc = ipc_futex_await(&a, deadline, NULL);
		ipc_trace_to(tb, IPC_EV_WAKE, IPC_K_QUEUE, q);
		if (rc != 0)
			return rc;
	}
	if (ready < 0) {
		ipc_mutex_unlock(&q->get_lock);
		return EPIPE;
	}
	k = q->tail_seen - head < max ? q->tail_seen - head : max;
	ipc_ring_load(q->items, q->capacity, q->itemsize, head, items, k);
	q->get_pos = head + k;
	atomic_store_explicit(&q->head, head + k, memory_order_release);
	ipc_mutex_unlock(&q->get_lock);
	*ngot = k;
	ipc_futex_tell(&q->not_full, &q->put_waiters, k < INT_MAX ? (int)k : INT_MAX,
	    (int)q->asym);
	return 0;
}

/* Take between 1 and max items: 0, EPIPE once closed and drained, ETIMEDOUT. */
int
ipc_queue_get_many(struct ipc_queue *q, void *items, size_t max, size_t *ngot,
    const struct timespec *deadline)
{
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	rc = get_many(q, items, max, ngot, deadline, tb);
	ipc_trace_unmute(tb);
	if (rc == 0)
		ipc_trace(IPC_EV_GET, IPC_K_QUEUE, q);
	return rc;
}

/* 0 once the item is in, EPIPE if the queue is closed, ETIMEDOUT at the deadline. */
int
ipc_queue_put(struct ipc_queue *q, const void *item, const struct timespec *deadline)
{
	return ipc_queue_put_many(q, item, 1, NULL, deadline);
}

/* 0 with an item, EPIPE once closed and drained, ETIMEDOUT at the deadline. */
int
ipc_queue_get(struct ipc_queue *q, void *item, const struct timespec *deadline)
{
	size_t n;

	return ipc_queue_get_many(q, item, 1, &n, deadline);
}

static int
all_done(const void *arg)
{
	const struct ipc_queue *q = arg;

	return atomic_load(&q->unfinished) == 0;
}

/* One item taken earlier is fully processed (Queue.task_done); EINVAL if none is. */
int
ipc_queue_task_done(struct ipc_queue *q)
{
	uint64_t v = atomic_load(&q->unfinished);

	do {
		if (v == 0)
			return EINVAL;
	} while (!atomic_compare_exchange_weak(&q->unfinished, &v, v - 1));
	if (v == 1)
		ipc_futex_notify(&q->all_done, &q->join_waiters, INT_MAX);
	return 0;
}

/* Wait until every item ever put has been declared done (Queue.join). */
int
ipc_queue_join(struct ipc_queue *q, const struct timespec *deadline)
{
	struct ipc_await a = { &q->all_done, &q->join_waiters, &q->join_spin,
	    q->spin_max, all_done, q, 0 };
	int rc;

	if (all_done(q))
		return 0;
	ipc_trace(IPC_EV_WAIT, IPC_K_QUEUE, q);
	rc = ipc_futex_await(&a, deadline, NULL);
	ipc_trace(IPC_EV_WAKE, IPC_K_QUEUE, q);
	return rc;
}

/*
 * No more puts; getters drain the rest, then see EPIPE.  Closed even if the
 * lock cannot be had by the deadline (a poisoned run must release its
 * waiters); that error is still returned.
 */
int
ipc_queue_close(struct ipc_queue *q, const struct timespec *deadline)
{
	struct ipc_trace_buf *tb = ipc_trace_mute();
	int rc;

	rc = side_lock(q, &q->lock, deadline);
	atomic_store_explicit(&q->closed, 1, memory_order_release);
	if (rc == 0)
		ipc_mutex_unlock(&q->lock);
	ipc_trace_unmute(tb);
	ipc_trace(IPC_EV_NOTIFY, IPC_K_QUEUE, q);
	atomic_fetch_add(&q->not_full, 1);
	atomic_fetch_add(&q->not_empty, 1);
	ipc_futex_wake(&q->not_full, INT_MAX, NULL);
	ipc_futex_wake(&q->not_empty, INT_MAX, NULL);
	return rc;
}

void
ipc_queue_destroy(struct ipc_queue *q)
{
	ipc_mutex_destroy(&q->get_lock);
	ipc_mutex_destroy(&q->lock);
}
