/*
 * ring.c - SPSC ring: copy the items, then publish the index with a release
 * store; the other side reads the index with acquire and only then the slots.
 *
 * head and tail only grow (64 bits never wrap), so full is tail - head ==
 * capacity.  Each side re-reads the other's index only when its private copy
 * says full or empty, so the lines bounce once per batch, not per item.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "futex.h"
#include "ring.h"

#define RING_LOOKS	64	/* a single item's quick looks before the wait */
#define RING_ROOM	32	/* a full ring's producer looks for this much room */

/* Bytes for a ring of capacity items of itemsize bytes; 0 if too big. */
size_t
ipc_ring_size(size_t capacity, size_t itemsize)
{
	size_t bytes;

	if (capacity == 0 || itemsize == 0 ||
	    __builtin_mul_overflow(capacity, itemsize, &bytes) ||
	    bytes > SIZE_MAX - sizeof(struct ipc_ring))
		return 0;
	return sizeof(struct ipc_ring) + bytes;
}

int
ipc_ring_init(struct ipc_ring *r, size_t capacity, size_t itemsize)
{
	if (ipc_ring_size(capacity, itemsize) == 0)
		return EINVAL;
	memset(r, 0, sizeof(*r));
	r->capacity = capacity;
	r->itemsize = itemsize;
	r->spin_max = IPC_SPIN_MAX_NS;
	r->asym = (uint32_t)ipc_futex_asym();
	atomic_init(&r->put_spin, IPC_SPIN_MAX_NS / 4);
	atomic_init(&r->get_spin, IPC_SPIN_MAX_NS / 4);
	return 0;
}

/* pos % cap, without a division when cap is a power of two. */
static inline uint64_t
slot_of(uint64_t pos, uint64_t cap)
{
	return (cap & (cap - 1)) == 0 ? pos & (cap - 1) : pos % cap;
}

/* One item: an 8-byte item is one load and one store, not a call. */
static inline void
slot_copy(void *dst, const void *src, uint64_t isz)
{
	if (isz == sizeof(uint64_t))
		memcpy(dst, src, sizeof(uint64_t));
	else
		memcpy(dst, src, isz);
}

/* Copy n items into the slots from position pos on, wrapping at the end. */
void
ipc_ring_store(unsigned char *slots, uint64_t cap, uint64_t isz, uint64_t pos,
    const void *src, uint64_t n)
{
	uint64_t at = slot_of(pos, cap), first = cap - at < n ? cap - at : n;

	if (n * isz == sizeof(uint64_t)) {
		memcpy(slots + at * isz, src, sizeof(uint64_t));	/* one mov, no call */
		return;
	}
	memcpy(slots + at * isz, src, first * isz);
	if (first < n)
		memcpy(slots, (const unsigned char *)src + first * isz,
		    (n - first) * isz);
}

void
ipc_ring_load(const unsigned char *slots, uint64_t cap, uint64_t isz,
    uint64_t pos, void *dst, uint64_t n)
{
	uint64_t at = slot_of(pos, cap), first = cap - at < n ? cap - at : n;

	if (n * isz == sizeof(uint64_t)) {
		memcpy(dst, slots + at * isz, sizeof(uint64_t));
		return;
	}
	memcpy(dst, slots + at * isz, first * isz);
	if (first < n)
		memcpy((unsigned char *)dst + first * isz, slots,
		    (n - first) * isz);
}

static int
has_room(const void *arg)
{
	const struct ipc_ring *r = arg;

	return atomic_load_explicit(&r->tail, memory_order_relaxed) -
	    atomic_load_explicit(&r->head, memory_order_acquire) < r->capacity ||
	    atomic_load_explicit(&r->closed, memory_order_relaxed);
}

static int
has_items(const void *arg)
{
	const struct ipc_ring *r = arg;

	return atomic_load_explicit(&r->tail, memory_order_acquire) !=
	    atomic_load_explicit(&r->head, memory_order_relaxed) ||
	    atomic_load_explicit(&r->closed, memory_order_acquire);
}

/* Put n items, waiting for room as often as needed; *nput says how many went in. */
int
ipc_ring_put_many(struct ipc_ring *r, const void *items, size_t n, size_t *nput,
    const struct timespec *deadline)
{
	struct ipc_await a = { &r->not_full, &r->put_waiters, &r->put_spin,
	    r->spin_max, has_room, r, (int)r->asym };
	uint64_t tail = r->put_pos, k;
	size_t done = 0;
	int rc = 0, counted = 0;

	while (done < n) {
		if (atomic_load_explicit(&r->closed, memory_order_relaxed)) {
			rc = EPIPE;
			break;
		}
		if (r->capacity - (tail - r->head_seen) < n - done)
			r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
		if ((k = r->capacity - (tail - r->head_seen)) == 0) {
			r->full_waits += !counted;
			counted = 1;
			if ((rc = ipc_futex_await(&a, deadline, NULL)) != 0)
				break;
			continue;
		}
		k = k < n - done ? k : n - done;
		ipc_ring_store(r->items, r->capacity, r->itemsize, tail,
		    (const unsigned char *)items + done * r->itemsize, k);
		tail += k;
		r->put_pos = tail;
		atomic_store_explicit(&r->tail, tail, memory_order_release);
		done += k;
		ipc_futex_tell(&r->not_empty, &r->get_waiters,
		    (int)(k < INT_MAX ? k : INT_MAX), (int)r->asym);
	}
	if (nput != NULL)
		*nput = done;
	return rc;
}

/* Take between 1 and max items: 0, EPIPE once closed and drained, ETIMEDOUT. */
int
ipc_ring_get_many(struct ipc_ring *r, void *items, size_t max, size_t *ngot,
    const struct timespec *deadline)
{
	struct ipc_await a = { &r->not_empty, &r->get_waiters, &r->get_spin,
	    r->spin_max, has_items, r, (int)r->asym };
	uint64_t head = r->get_pos, k;
	int rc, counted = 0;

	*ngot = 0;
	if (r->tail_seen - head < max)
		r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
	while (r->tail_seen == head) {
		r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->tail_seen != head)
			break;
		if (atomic_load_explicit(&r->closed, memory_order_acquire)) {
			/* Closed after the last put: a tail read now is final. */
			r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
			if (r->tail_seen == head)
				return EPIPE;
			break;
		}
		r->empty_waits += !counted;
		counted = 1;
		if ((rc = ipc_futex_await(&a, deadline, NULL)) != 0)
			return rc;
	}
	k = r->tail_seen - head < max ? r->tail_seen - head : max;
	ipc_ring_load(r->items, r->capacity, r->itemsize, head, items, k);
	r->get_pos = head + k;
	atomic_store_explicit(&r->head, head + k, memory_order_release);
	*ngot = k;
	ipc_futex_tell(&r->not_full, &r->put_waiters,
	    (int)(k < INT_MAX ? k : INT_MAX), (int)r->asym);
	return 0;
}

/*
 * Re-read the other side's index into *seen until it is not stale, a few
 * looks a pause apart (none if spin_max is 0): 1 if it moved.  A hand-off
 * between two running sides lands within these looks, without the
 * general wait's calls; the general wait (spin, then sleep) follows.
 */
static inline int
look(_Atomic uint64_t *idx, uint64_t *seen, uint64_t stale, uint32_t spin_max)
{
	unsigned i;

	for (i = 0; i < (spin_max ? RING_LOOKS : 1); i++) {
		if ((*seen = atomic_load_explicit(idx, memory_order_acquire)) != stale)
			return 1;
		ipc_cpu_relax();
	}
	return 0;
}

/*
 * The ring was full at tail: look for room as look() does, but for a run
 * of free slots (RING_ROOM, or half the ring), not one, before going on:
 * a producer that refills each slot as soon as it is free moves a line
 * between the CPUs per item, one that waits for a few lines' worth moves
 * them once per run.  Any room found counts once the looks are over: a put
 * never waits for more than one slot.
 */
static inline int
room(struct ipc_ring *r, uint64_t tail)
{
	uint64_t want = r->capacity / 2 < RING_ROOM ? r->capacity / 2 : RING_ROOM;
	unsigned i;

	want = want > 0 ? want : 1;
	for (i = 0; i < (r->spin_max ? RING_LOOKS : 1); i++) {
		r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
		if (r->capacity - (tail - r->head_seen) >= want)
			return 1;
		ipc_cpu_relax();
	}
	return tail - r->head_seen < r->capacity;
}

/*
 * One item, when ring.h's inline put found the ring full or closed, or the
 * item not 8 bytes: the shared head is read only when the private copy
 * says full; the sleeper count after every publish (no fence when asym).
 */
int
ipc_ring_put_slow(struct ipc_ring *r, const void *item,
    const struct timespec *deadline)
{
	uint64_t tail = r->put_pos;

	if (tail - r->head_seen == r->capacity && !room(r, tail))
		return ipc_ring_put_many(r, item, 1, NULL, deadline);
	if (atomic_load_explicit(&r->closed, memory_order_relaxed))
		return EPIPE;
	slot_copy(r->items + slot_of(tail, r->capacity) * r->itemsize, item,
	    r->itemsize);
	r->put_pos = tail + 1;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	ipc_futex_tell(&r->not_empty, &r->get_waiters, 1, (int)r->asym);
	return 0;
}

/* One item, when the inline get's copy of tail said empty (or any item size). */
int
ipc_ring_get_slow(struct ipc_ring *r, void *item, const struct timespec *deadline)
{
	uint64_t head = r->get_pos;
	size_t n;

	if (r->tail_seen == head &&
	    !look(&r->tail, &r->tail_seen, head, r->spin_max))
		return ipc_ring_get_many(r, item, 1, &n, deadline);
	slot_copy(item, r->items + slot_of(head, r->capacity) * r->itemsize,
	    r->itemsize);
	r->get_pos = head + 1;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	ipc_futex_tell(&r->not_full, &r->put_waiters, 1, (int)r->asym);
	return 0;
}

/* No more puts (the producer's, or a poison): wake every sleeper. */
void
ipc_ring_close(struct ipc_ring *r)
{
	atomic_store_explicit(&r->closed, 1, memory_order_release);
	atomic_fetch_add(&r->not_full, 1);
	atomic_fetch_add(&r->not_empty, 1);
	ipc_futex_wake(&r->not_full, INT_MAX, NULL);
	ipc_futex_wake(&r->not_empty, INT_MAX, NULL);
}

void
ipc_ring_destroy(struct ipc_ring *r)
{
	(void)r;	/* nothing to release: no lock, no kernel object */
}
