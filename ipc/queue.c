/*
 * queue.c - bounded MPMC queue: robust mutex, two condvars, counted waiters.
 *
 * head and tail only grow; an item is copied before tail (or after head)
 * moves, so the ring is consistent at every instruction and a lock inherited
 * from a dead owner is repaired by declaring it consistent.  See queue.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cond.h"
#include "mutex.h"
#include "queue.h"

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
	if ((rc = ipc_mutex_init(&q->lock, IPC_MUTEX_NORMAL)) != 0)
		return rc;
	if ((rc = ipc_cond_init(&q->not_full)) != 0)
		goto fail_mutex;
	if ((rc = ipc_cond_init(&q->not_empty)) != 0)
		goto fail_cond;
	return 0;
fail_cond:
	ipc_cond_destroy(&q->not_full);
fail_mutex:
	ipc_mutex_destroy(&q->lock);
	return rc;
}

/* Lock; a dead owner left the ring consistent, so count it and go on. */
static int
queue_lock(struct ipc_queue *q, const struct timespec *deadline)
{
	int rc;

	if ((rc = ipc_mutex_lock(&q->lock, deadline)) == EOWNERDEAD) {
		q->owner_deaths++;
		rc = ipc_mutex_consistent(&q->lock);
	}
	return rc;
}

/* Sleep on cv with *waiters counted; the lock is held on return, whatever rc. */
static int
queue_sleep(struct ipc_queue *q, pthread_cond_t *cv, unsigned *waiters,
    const struct timespec *deadline)
{
	int rc;

	(*waiters)++;
	rc = ipc_cond_wait(cv, &q->lock, deadline);
	(*waiters)--;
	if (rc == EOWNERDEAD) {
		q->owner_deaths++;
		rc = ipc_mutex_consistent(&q->lock);
	}
	return rc;
}

/* 0 once the item is in, EPIPE if the queue is closed, ETIMEDOUT at the deadline. */
int
ipc_queue_put(struct ipc_queue *q, const void *item, const struct timespec *deadline)
{
	bool counted = false, wake;
	int rc;

	if ((rc = queue_lock(q, deadline)) != 0)
		return rc;
	while (!q->closed && q->tail - q->head == q->capacity) {
		q->full_waits += !counted;
		counted = true;
		if ((rc = queue_sleep(q, &q->not_full, &q->put_waiters, deadline)) != 0)
			goto out;
	}
	if (q->closed) {
		rc = EPIPE;
		goto out;
	}
	memcpy(q->items + (q->tail % q->capacity) * q->itemsize, item, q->itemsize);
	q->tail++;
	wake = q->get_waiters > 0;
	ipc_mutex_unlock(&q->lock);
	if (wake)
		ipc_cond_signal(&q->not_empty);
	return 0;
out:
	ipc_mutex_unlock(&q->lock);
	return rc;
}

/* 0 with an item, EPIPE once closed and drained, ETIMEDOUT at the deadline. */
int
ipc_queue_get(struct ipc_queue *q, void *item, const struct timespec *deadline)
{
	bool counted = false, wake;
	int rc;

	if ((rc = queue_lock(q, deadline)) != 0)
		return rc;
	while (!q->closed && q->tail == q->head) {
		q->empty_waits += !counted;
		counted = true;
		if ((rc = queue_sleep(q, &q->not_empty, &q->get_waiters, deadline)) != 0)
			goto out;
	}
	if (q->tail == q->head) {
		rc = EPIPE;
		goto out;
	}
	memcpy(item, q->items + (q->head % q->capacity) * q->itemsize, q->itemsize);
	q->head++;
	wake = q->put_waiters > 0;
	ipc_mutex_unlock(&q->lock);
	if (wake)
		ipc_cond_signal(&q->not_full);
	return 0;
out:
	ipc_mutex_unlock(&q->lock);
	return rc;
}

/* No more puts; getters drain the rest, then see EPIPE. */
int
ipc_queue_close(struct ipc_queue *q, const struct timespec *deadline)
{
	int rc;

	if ((rc = queue_lock(q, deadline)) != 0)
		return rc;
	q->closed = 1;
	ipc_mutex_unlock(&q->lock);
	ipc_cond_broadcast(&q->not_full);
	ipc_cond_broadcast(&q->not_empty);
	return 0;
}

void
ipc_queue_destroy(struct ipc_queue *q)
{
	ipc_cond_destroy(&q->not_empty);
	ipc_cond_destroy(&q->not_full);
	ipc_mutex_destroy(&q->lock);
}
