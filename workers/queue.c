/*
 * queue.c - P producers put numbered items into a bounded shared queue, C
 * consumers take them.
 *
 * Proves exactly-once delivery: every item number is marked in a shared
 * bitmap as it is taken (a second mark is a duplicate), or with one consumer
 * must be the next number of its producer (FIFO), the consumers' count
 * and checksum must match the items produced, and every item's pattern is
 * checked (a torn copy is a failure).  --queue spsc swaps the MPMC queue for
 * the lock-free SPSC ring; --batch moves many items per call.  Reports
 * throughput and how often a put found the queue full or a get found it empty.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "../ipc/futex.h"
#include "../ipc/queue.h"
#include "../ipc/ring.h"
#include "item.h"
#include "mpiform.h"
#include "worker.h"

enum { O_PRODUCERS, O_CONSUMERS, O_ITEMS, O_CAPACITY, O_QUEUE, O_ITEMSIZE,
    O_BATCH, O_SPIN, O_JOIN, O_CHECK, O_NOPTS };
enum qkind { Q_MPMC, Q_SPSC, NQKINDS };
enum qcheck { C_AUTO, C_ORDER, C_BITMAP, NCHECKS };

#define MAX_ITEMS	(1ULL << 32)	/* in all: the bitmap is 512 MiB then */
#define MAX_RING	(1ULL << 30)	/* bytes of queue slots */
#define MAX_BATCHBUF	(16ULL << 20)	/* bytes of one worker's batch buffer */
#define TIMED_RATE	(1ULL << 28)	/* -t: item numbers per second, in all */
#define TIMED_MIN	(1ULL << 20)	/* -t: item numbers at least, in all */

static const char *const qkinds[] = {
	[Q_MPMC] = "mpmc", [Q_SPSC] = "spsc", [NQKINDS] = NULL
};
static const char *const qchecks[] = {
	[C_AUTO] = "auto", [C_ORDER] = "order", [C_BITMAP] = "bitmap",
	[NCHECKS] = NULL
};

static const struct optdef queue_opts[] = {
	[O_PRODUCERS] = { "producers", 'p', "P", 1, MAX_WORKERS / 2, 2, NULL,
	  "producer workers" },
	[O_CONSUMERS] = { "consumers", 'c', "C", 1, MAX_WORKERS / 2, 2, NULL,
	  "consumer workers" },
	[O_ITEMS] = { "items", 'n', "N", 1, LLONG_MAX, 100000, NULL,
	  "items per producer" },
	[O_CAPACITY] = { "capacity", 'k', "K", 1, 1 << 24, 64, NULL,
	  "queue capacity in items" },
	[O_QUEUE] = { "queue", 'q', "KIND", 0, 0, Q_MPMC, qkinds,
	  "mpmc (a lock per side, futex waits) or spsc (lock-free; -p 1 -c 1)" },
	[O_ITEMSIZE] = { "item-size", 's', "BYTES", ITEM_MIN, ITEM_MAX, 8, NULL,
	  "bytes per item: its number, then a pattern checked on arrival" },
	[O_BATCH] = { "batch", 'b', "B", 1, 4096, 1, NULL,
	  "items per put_many/get_many call (1: put and get)" },
	[O_SPIN] = { "spin", 0, "NS", 0, 1000000, IPC_SPIN_MAX_NS, NULL,
	  "longest spin before a waiter sleeps on the futex (0: sleep at once)" },
	[O_JOIN] = { "join", 'j', NULL, 0, 1, 0, NULL,
	  "consumers call task_done per item; the last producer joins the queue\n"
	  "                         (Queue.join) before closing it" },
	[O_CHECK] = { "check", 0, "HOW", 0, 0, C_AUTO, qchecks,
	  "exactly-once proof: order (one consumer: each producer's items\n"
	  "                         must come next in turn, a compare per item),\n"
	  "                         bitmap (a shared bit per item, any consumers),\n"
	  "                         auto (order with one consumer, else bitmap)" },
	[O_NOPTS] = { NULL }
};

/* Per-consumer tallies, a cache line each. */
struct tally {
	alignas(CACHE_LINE) uint64_t taken;
	uint64_t sum;
	uint64_t dups;
	uint64_t torn;
};

struct qstate {
	alignas(CACHE_LINE) atomic_uint producers_left;
	_Atomic uint64_t processed;		/* --join: taken and checked */
	uint64_t	 joined_at;		/* processed when join returned */
	int		 joined;
	enum qkind	 kind;
	enum qcheck	 check;			/* C_ORDER or C_BITMAP */
	uint64_t	 per;			/* item numbers per producer */
	unsigned	 np;			/* producers */
	size_t		 isz;			/* item size */
	uint64_t	 nitems;		/* P x N */
	size_t		 tally_off;		/* offsets from the start of this */
	size_t		 bitmap_off;
	size_t		 queue_off;
};

/*
 * The numbers each producer may give its items: the count, or with -t room
 * for more than a fast queue moves in the time (the bitmap has one bit each).
 */
static uint64_t
per_producer(const struct params *p)
{
	uint64_t total;

	if (p->duration_ns == 0)
		return (uint64_t)p->v[O_ITEMS];
	total = p->duration_ns / 1000000 * TIMED_RATE / 1000;
	total = total < TIMED_MIN ? TIMED_MIN : total > MAX_ITEMS ? MAX_ITEMS : total;
	return total / (uint64_t)p->v[O_PRODUCERS];
}

static uint64_t
total_items(const struct params *p)
{
	return (uint64_t)p->v[O_PRODUCERS] * per_producer(p);
}

static const char *
queue_validate(const struct params *p)
{
	if ((uint64_t)p->v[O_ITEMS] > MAX_ITEMS ||
	    total_items(p) > MAX_ITEMS)
		return "producers x items exceeds 4294967296 items";
	if (p->v[O_QUEUE] == Q_SPSC && (p->v[O_PRODUCERS] != 1 ||
	    p->v[O_CONSUMERS] != 1))
		return "--queue spsc needs one producer and one consumer (-p 1 -c 1)";
	if ((uint64_t)p->v[O_CAPACITY] * (uint64_t)p->v[O_ITEMSIZE] > MAX_RING)
		return "capacity x item-size exceeds 1 GiB";
	if ((uint64_t)p->v[O_BATCH] * (uint64_t)p->v[O_ITEMSIZE] > MAX_BATCHBUF)
		return "batch x item-size exceeds 16 MiB";
	if (p->modes == MODE_COOP && p->v[O_QUEUE] == Q_SPSC)
		return "--mode coop needs the mpmc queue";
	if (p->v[O_CHECK] == C_ORDER && p->v[O_CONSUMERS] != 1)
		return "--check order needs one consumer (-c 1)";
	if (p->v[O_JOIN] && p->v[O_QUEUE] == Q_SPSC)
		return "--join needs the mpmc queue (the spsc ring keeps no task count)";
	return NULL;
}

static unsigned
queue_nworkers(const struct params *p)
{
	return (unsigned)(p->v[O_PRODUCERS] + p->v[O_CONSUMERS]);
}

static size_t
align_up(size_t n)
{
	return (n + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

/* The bitmap proof: asked for, or the default with more than one consumer. */
static int
uses_bitmap(const struct params *p)
{
	return p->v[O_CHECK] == C_BITMAP ||
	    (p->v[O_CHECK] == C_AUTO && p->v[O_CONSUMERS] > 1);
}

/* Layout: header, tallies, bitmap, queue; computed the same in size and setup. */
static size_t
queue_layout(const struct params *p, struct qstate *q)
{
	size_t bits = uses_bitmap(p) ?
	    (total_items(p) + 63) / 64 * sizeof(uint64_t) : 0;

	q->tally_off = align_up(sizeof(*q));
	q->bitmap_off = q->tally_off + align_up(sizeof(struct tally) *
	    (size_t)p->v[O_CONSUMERS]);
	q->queue_off = q->bitmap_off + align_up(bits);
	return q->queue_off + (p->v[O_QUEUE] == Q_SPSC ?
	    ipc_ring_size((size_t)p->v[O_CAPACITY], (size_t)p->v[O_ITEMSIZE]) :
	    ipc_queue_size((size_t)p->v[O_CAPACITY], (size_t)p->v[O_ITEMSIZE]));
}

static size_t
queue_size(const struct run *r)
{
	struct qstate q;

	return queue_layout(r->p, &q);
}

static struct ipc_queue *
queue_of(const struct run *r)
{
	const struct qstate *q = r->state;

	return (struct ipc_queue *)((char *)r->state + q->queue_off);
}

static struct ipc_ring *
ring_of(const struct run *r)
{
	const struct qstate *q = r->state;

	return (struct ipc_ring *)((char *)r->state + q->queue_off);
}

static void
queue_setup(struct run *r)
{
	struct qstate *q = r->state;
	size_t cap = (size_t)r->p->v[O_CAPACITY];
	int rc;

	queue_layout(r->p, q);
	q->kind = (enum qkind)r->p->v[O_QUEUE];
	q->isz = (size_t)r->p->v[O_ITEMSIZE];
	q->nitems = total_items(r->p);
	q->per = per_producer(r->p);
	q->np = (unsigned)r->p->v[O_PRODUCERS];
	q->check = uses_bitmap(r->p) ? C_BITMAP : C_ORDER;
	atomic_init(&q->producers_left, (unsigned)r->p->v[O_PRODUCERS]);
	if (q->kind == Q_SPSC) {
		if ((rc = ipc_ring_init(ring_of(r), cap, q->isz)) != 0)
			errc(1, rc, "queue: ring init");
		ring_of(r)->spin_max = (uint32_t)r->p->v[O_SPIN];
	} else {
		if ((rc = ipc_queue_init(queue_of(r), cap, q->isz)) != 0)
			errc(1, rc, "queue: init");
		queue_of(r)->spin_max = r->mode == MODE_COOP ? 0 :
		    (uint32_t)r->p->v[O_SPIN];	/* coop: a spin would stop all */
	}
}

/* Put k items from buf through whichever queue the run uses. */
/*
 * Coop tasks share one thread: a put that would sleep waits by yielding
 * instead (a deadline already past makes every call a try).
 */
static const struct timespec at_once = { 0, 0 };

static int
coop_put(struct run *r, const unsigned char *buf, size_t k)
{
	const struct qstate *q = r->state;
	size_t done = 0, n;
	int rc;

	for (;;) {
		rc = ipc_queue_put_many(queue_of(r), buf + done * q->isz, k - done,
		    &n, &at_once);
		done += n;
		if (rc != ETIMEDOUT || done == k)
			return rc == ETIMEDOUT ? 0 : rc;
		if (ipc_expired(r->deadline))
			return ETIMEDOUT;
		worker_yield(r);
	}
}

static int
coop_get(struct run *r, unsigned char *buf, size_t max, size_t *got)
{
	int rc;

	while ((rc = ipc_queue_get_many(queue_of(r), buf, max, got,
	    &at_once)) == ETIMEDOUT) {
		if (ipc_expired(r->deadline))
			return ETIMEDOUT;
		worker_yield(r);
	}
	return rc;
}

static int
put_items(struct run *r, const unsigned char *buf, size_t k)
{
	const struct qstate *q = r->state;

	if (r->mode == MODE_COOP)
		return coop_put(r, buf, k);

	if (q->kind == Q_SPSC)
		return k == 1 ? ipc_ring_put(ring_of(r), buf, r->deadline) :
		    ipc_ring_put_many(ring_of(r), buf, k, NULL, r->deadline);
	return k == 1 ? ipc_queue_put(queue_of(r), buf, r->deadline) :
	    ipc_queue_put_many(queue_of(r), buf, k, NULL, r->deadline);
}

static int
get_items(struct run *r, unsigned char *buf, size_t max, size_t *got)
{
	const struct qstate *q = r->state;

	*got = 1;
	if (r->mode == MODE_COOP)
		return coop_get(r, buf, max, got);
	if (q->kind == Q_SPSC)
		return max == 1 ? ipc_ring_get(ring_of(r), buf, r->deadline) :
		    ipc_ring_get_many(ring_of(r), buf, max, got, r->deadline);
	return max == 1 ? ipc_queue_get(queue_of(r), buf, r->deadline) :
	    ipc_queue_get_many(queue_of(r), buf, max, got, r->deadline);
}

static int
close_queue(struct run *r, const struct timespec *deadline)
{
	const struct qstate *q = r->state;

	if (q->kind == Q_SPSC) {
		ipc_ring_close(ring_of(r));
		return 0;
	}
	return ipc_queue_close(queue_of(r), deadline);
}

/*
 * The case users try first, --queue spsc with one 8-byte item per call
 * and the order check, has loops of its own: the same items, the same
 * puts and gets and the same checks as the general loops below, without
 * what that case never needs between them (item patterns, batches, other
 * queues, a shared bitmap, --inject's and --join's looks).  Both sides
 * must be lean: a hand-off is as fast as the slower side, and the ring
 * then stays near full and its lines move a run at a time (BENCHMARKS.md).
 */
static struct ipc_ring *
lean_ring(const struct run *r)
{
	const struct qstate *q = r->state;

	return q->kind == Q_SPSC && q->isz == sizeof(uint64_t) &&
	    q->check == C_ORDER && r->p->v[O_BATCH] == 1 && !r->p->v[O_JOIN] &&
	    !r->p->perturb && r->mode != MODE_COOP ? ring_of(r) : NULL;
}

/* The lean producer: item numbers first .. first+n-1, each its own put. */
static uint64_t
put_lean(struct run *r, struct ipc_ring *ring, uint64_t first, uint64_t n)
{
	uint64_t i, item;
	int rc;

	for (i = 0; i < n && run_more(r, i, n); i++) {
		item = first + i;
		if ((rc = ipc_ring_put(ring, &item, r->deadline)) != 0)
			worker_errc(r, rc, "queue: producer 0: put item %ju",
			    (uintmax_t)item);
	}
	return i;
}

/*
 * Producer p puts items p*N .. p*N+N-1, B at a time, or with -t until the
 * time is up; it records how many it put.
 */
static void
put_range(struct run *r, unsigned p, unsigned char *buf)
{
	const struct qstate *q = r->state;
	const size_t isz = q->isz, batch = (size_t)r->p->v[O_BATCH];
	const uint64_t n = per_producer(r->p), first = p * n;
	struct ipc_ring *ring;
	uint64_t i, j, k;
	int rc;

	if ((ring = lean_ring(r)) != NULL) {
		r->sh->slot[p].iters = put_lean(r, ring, first, n);
		return;
	}
	for (i = 0; i < n && run_more(r, i, n); i += k) {
		k = n - i < batch ? n - i : batch;
		for (j = 0; j < k; j++) {
			inject_point(r, p, i + j);
			item_fill(buf + j * isz, isz, first + i + j);
		}
		if ((rc = put_items(r, buf, k)) != 0)
			worker_errc(r, rc, "queue: producer %u: put item %ju", p,
			    (uintmax_t)(p * n + i));
	}
	r->sh->slot[p].iters = i;
}

/* A producer's items, then the last one to finish closes the queue. */
static void
produce(struct run *r, unsigned p)
{
	struct qstate *q = r->state;
	unsigned char *buf;
	int rc;

	if ((buf = malloc((size_t)r->p->v[O_BATCH] * q->isz)) == NULL)
		worker_errc(r, errno, "queue: producer %u", p);
	/* A thread ended by --inject must not leak its buffer. */
	pthread_cleanup_push(free, buf);
	put_range(r, p, buf);
	pthread_cleanup_pop(1);
	if (atomic_fetch_sub(&q->producers_left, 1) != 1)
		return;

	/* The last producer: join (every item processed), then close. */
	if (r->p->v[O_JOIN]) {
		while ((rc = ipc_queue_join(queue_of(r), r->mode == MODE_COOP ?
		    &at_once : r->deadline)) == ETIMEDOUT && r->mode == MODE_COOP &&
		    !ipc_expired(r->deadline))
			worker_yield(r);
		if (rc != 0)
			worker_errc(r, rc, "queue: join");
		q->joined_at = atomic_load(&q->processed);
		q->joined = 1;
	}
	if ((rc = close_queue(r, r->deadline)) != 0)
		worker_errc(r, rc, "queue: close");
}

/* --join: the item is processed; count it first, then tell the queue. */
static void
task_done(struct run *r, struct qstate *q)
{
	int rc;

	atomic_fetch_add(&q->processed, 1);
	if ((rc = ipc_queue_task_done(queue_of(r))) != 0)
		worker_errc(r, rc, "queue: task_done");
}

/*
 * What a consumer needs per item, copied out of the region so the loop
 * keeps it in registers; its counts go back to the region (flush).
 */
struct taker {
	struct tally	 t;		/* this consumer's counts so far */
	uint64_t	 nitems;
	uint64_t	 per;
	unsigned	 np;
	enum qcheck	 check;
	size_t		 isz;
	_Atomic uint64_t *bitmap;
	uint64_t	*next;		/* --check order: each producer's next number */
};

/* explain: queue: each item taken is marked in a bitmap: a second mark is a duplicate */
/*
 * Check one item and prove it came once: with the bitmap, mark it (a
 * second mark is a duplicate; a locked write per item, and a line that
 * moves between consumers); in order, it must be the next number of its
 * producer (next[], private to the only consumer: a compare per item).
 * Both count what breaks the rule in dups.
 */
static inline void
take(struct taker *k, const unsigned char *p)
{
	uint64_t item, bit, p0;

	k->t.taken++;
	if (item_check(p, k->isz, &item) != 0) {
		k->t.torn++;
		return;
	}
	k->t.sum += item_mix(item);
	if (item >= k->nitems) {
		k->t.dups++;	/* never produced: counted as wrong */
		return;
	}
	if (k->check == C_ORDER) {
		/* Items come in runs from one producer: try the last one first. */
		p0 = k->next[k->np];
		if (item - p0 * k->per >= k->per)
			p0 = k->next[k->np] = item / k->per;	/* a division, now and then */
		if (item != k->next[p0]++)
			k->t.dups++;
		return;
	}
	bit = 1ULL << (item % 64);
	if (atomic_fetch_or_explicit(&k->bitmap[item / 64], bit,
	    memory_order_relaxed) & bit)
		k->t.dups++;
}
/* explain: end */

/*
 * The consumer's buffer for B items, then for --check order each
 * producer's next number (p's first, to start), then the last producer
 * seen; and what take needs, out of the region.
 */
static unsigned char *
consumer_init(struct run *r, const struct qstate *q, struct taker *k)
{
	size_t items = (size_t)r->p->v[O_BATCH] * q->isz;
	unsigned char *buf;
	unsigned p;

	items = (items + sizeof(uint64_t) - 1) / sizeof(uint64_t) * sizeof(uint64_t);
	if ((buf = malloc(items + (q->np + 1) * sizeof(uint64_t))) == NULL)
		worker_errc(r, errno, "queue: consumer");
	memset(k, 0, sizeof(*k));
	k->nitems = q->nitems;
	k->per = q->per;
	k->np = q->np;
	k->check = q->check;
	k->isz = q->isz;
	k->bitmap = (_Atomic uint64_t *)((char *)q + q->bitmap_off);
	k->next = (uint64_t *)(void *)(buf + items);
	for (p = 0; p < q->np; p++)
		k->next[p] = p * q->per;
	k->next[q->np] = 0;
	return buf;
}

/*
 * The lean consumer: take() for one producer's 8-byte items in order (its
 * number is all an item holds), counts flushed every 65536 items and at
 * the end.  0, or what ended the gets other than the close (EPIPE).
 */
static int
take_lean(struct ipc_ring *ring, struct taker *k, struct tally *t,
    const struct timespec *deadline)
{
	uint64_t item;
	int rc;

	while ((rc = ipc_ring_get(ring, &item, deadline)) == 0) {
		k->t.taken++;
		k->t.sum += item_mix(item);
		if (item >= k->nitems || item != k->next[0]++)
			k->t.dups++;
		if ((k->t.taken & 0xffff) == 0)
			*t = k->t;
	}
	*t = k->t;
	return rc;
}

/*
 * Take items until the queue is closed and drained, checking each; the
 * counts reach the region after each call when --inject may end this
 * worker (it strikes with an item in hand, which is then lost) or --join
 * counts, else every 65536 items and at the end.
 */
static int
take_all(struct run *r, unsigned id, unsigned char *buf, struct taker *k,
    struct tally *t)
{
	struct qstate *q = r->state;
	size_t batch = (size_t)r->p->v[O_BATCH], got, j;
	int join = (int)r->p->v[O_JOIN], every = r->p->perturb || join, rc;

	while ((rc = get_items(r, buf, batch, &got)) == 0) {
		for (j = 0; j < got; j++) {
			inject_point(r, id, k->t.taken);
			take(k, buf + j * k->isz);
			if (join)
				task_done(r, q);
		}
		if (every || (k->t.taken & 0xffff) < got)
			*t = k->t;
	}
	*t = k->t;
	return rc;
}

/* Consumer c: its items until the queue is closed and drained (EPIPE). */
static void
consume(struct run *r, unsigned id, unsigned c)
{
	struct qstate *q = r->state;
	struct tally *t = (struct tally *)((char *)q + q->tally_off) + c;
	struct ipc_ring *ring = lean_ring(r);
	struct taker k;
	unsigned char *buf;
	int rc;

	buf = consumer_init(r, q, &k);
	pthread_cleanup_push(free, buf);
	rc = ring != NULL ? take_lean(ring, &k, t, r->deadline) :
	    take_all(r, id, buf, &k, t);
	pthread_cleanup_pop(1);
	if (rc != EPIPE)
		worker_errc(r, rc, "queue: consumer %u: get", c);
}

static void
queue_work(struct run *r, unsigned id)
{
	unsigned np = (unsigned)r->p->v[O_PRODUCERS];

	if (id < np)
		produce(r, id);
	else
		consume(r, id, id - np);
}

static void
queue_poison(struct run *r)
{
	struct timespec dl;

	ipc_deadline(&dl, 100000000u);
	close_queue(r, &dl);
}

/*
 * The items produced, and the checksum they make: every number, or with -t
 * the first iters of each producer's range.  *out: a producer used its range up.
 */
static uint64_t
produced(const struct run *r, uint64_t *want, int *out)
{
	const struct qstate *q = r->state;
	uint64_t i, made, per = per_producer(r->p), total = 0;
	unsigned p;

	*want = 0;
	*out = 0;
	if (r->p->duration_ns == 0) {
		for (i = 0; i < q->nitems; i++)
			*want += item_mix(i);
		return q->nitems;
	}
	for (p = 0; p < (unsigned)r->p->v[O_PRODUCERS]; p++) {
		made = r->sh->slot[p].iters;
		*out |= made == per;
		for (i = 0; i < made; i++)
			*want += item_mix(p * per + i);
		total += made;
	}
	return total;
}

static void
queue_check(const struct run *r, struct outcome *o)
{
	const struct qstate *q = r->state;
	const struct tally *t = (const struct tally *)((const char *)q + q->tally_off);
	uint64_t i, taken = 0, sum = 0, want, dups = 0, torn = 0, good, made;
	int checksum_ok, out;

	for (i = 0; i < (uint64_t)r->p->v[O_CONSUMERS]; i++) {
		taken += t[i].taken;
		sum += t[i].sum;
		dups += t[i].dups;
		torn += t[i].torn;
	}
	made = produced(r, &want, &out);
	checksum_ok = sum == want;
	good = taken - dups - torn;

	o->sync = qkinds[q->kind];
	o->iterations = made / (uint64_t)r->p->v[O_PRODUCERS];	/* -t: the mean */
	o->expected = made;
	o->observed = o->ops = taken;
	o->verdict = taken == made && dups == 0 && torn == 0 && checksum_ok &&
	    (!r->p->v[O_JOIN] || q->joined_at == made) ?
	    VERDICT_OK : VERDICT_FAIL;
	if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "each item once, whole%s%s",
		    r->p->v[O_JOIN] ? "; join returned with all processed" : "",
		    out ? "; item numbers ran out before the time" : "");
	else if (r->p->v[O_JOIN] && q->joined_at != made)
		snprintf(o->note, sizeof(o->note), "join returned after %ju of %ju "
		    "items", (uintmax_t)q->joined_at, (uintmax_t)made);
	else
		snprintf(o->note, sizeof(o->note), "%ju missing, %ju duplicated, "
		    "%ju torn%s", (uintmax_t)(good < made ? made - good : 0),
		    (uintmax_t)dups, (uintmax_t)torn, checksum_ok ? "" :
		    ", checksum wrong");
	res_uint(o->extra, "produced", q->kind == Q_SPSC ? ring_of(r)->tail :
	    queue_of(r)->tail, 0);
	res_uint(o->extra, "consumed", taken, 0);
	res_uint(o->extra, "duplicates", dups, 0);
	res_uint(o->extra, "torn", torn, 0);
	res_bool(o->extra, "checksum_ok", checksum_ok, 0);
	res_str(o->extra, "check", qchecks[q->check], 0);
	if (r->p->v[O_JOIN])
		res_uint(o->extra, "joined_at", q->joined_at, F_TABLE);
	res_uint(o->extra, "full_waits", q->kind == Q_SPSC ?
	    ring_of(r)->full_waits : queue_of(r)->full_waits, F_TABLE);
	res_uint(o->extra, "empty_waits", q->kind == Q_SPSC ?
	    ring_of(r)->empty_waits : queue_of(r)->empty_waits, F_TABLE);
}

static void
queue_destroy(struct run *r)
{
	const struct qstate *q = r->state;

	if (q->kind == Q_SPSC)
		ipc_ring_destroy(ring_of(r));
	else
		ipc_queue_destroy(queue_of(r));
}

const struct worker worker_queue = {
	.name = "queue",
	.caps = CAP_COOP | CAP_TIMED | CAP_MPI,
	.mpi = &mpi_form_queue,
	.desc = "bounded producer/consumer queue: every item delivered exactly once",
	.proves = "consumed == produced, no duplicate (in turn per producer, or a "
	    "bitmap), checksum matches, no torn item",
	.explain =
	    "P producers put numbered items into a bounded queue in shared memory; C\n"
	    "consumers take them until the queue is closed and drained.\n"
	    "\n"
	    "Primitive: a ring of fixed-size slots with a robust lock per side and futex\n"
	    "waits (spin a little, then sleep); --queue spsc is a lock-free ring for one\n"
	    "producer and one consumer; --join adds Queue.task_done/join.\n"
	    "\n"
	    "Columns: expected is producers x items, observed the items consumed;\n"
	    "full_waits and empty_waits count puts that found it full, gets that found it\n"
	    "empty; duplicates, torn and checksum_ok (JSON/CSV) prove exactly-once:\n"
	    "with one consumer each producer's items must come next in turn (a\n"
	    "compare per item), with more a shared bitmap marks each (--check).\n"
	    "\n"
	    "With -t SECONDS instead of -n, producers put items until the time is up,\n"
	    "then close the queue as usual; expected is what they put, iterations the\n"
	    "mean per producer.\n"
	    "\n"
	    "Try: -k 1 (a hand-off per item); -p 4 -c 1; --batch 64 (one lock per 64\n"
	    "items); -q spsc -p 1 -c 1; --join; -t 2 --batch 64.\n"
	    "\n"
	    "Pitfalls: a waiter must re-check its condition after waking; closing must\n"
	    "wake every sleeper; an index published before the item is copied hands out\n"
	    "garbage (the torn-item check would say so).\n",
	.opts = queue_opts,
	.validate = queue_validate,
	.nworkers = queue_nworkers,
	.size = queue_size,
	.setup = queue_setup,
	.work = queue_work,
	.poison = queue_poison,
	.check = queue_check,
	.destroy = queue_destroy,
};
