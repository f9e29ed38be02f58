/*
 * queue.c - P producers put numbered items into a bounded shared queue, C
 * consumers take them.
 *
 * Proves exactly-once delivery: every item number is marked in a shared
 * bitmap as it is taken (a second mark is a duplicate), and the consumers'
 * count and checksum must match the items produced.  Reports throughput and
 * how often a put found the queue full or a get found it empty.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "../ipc/queue.h"
#include "worker.h"

enum { O_PRODUCERS, O_CONSUMERS, O_ITEMS, O_CAPACITY };

#define MAX_ITEMS	(1ULL << 32)	/* in all: the bitmap is 512 MiB then */

static const struct optdef queue_opts[] = {
	{ "producers", 'p', "P", 1, MAX_WORKERS / 2, 2, NULL, "producer workers" },
	{ "consumers", 'c', "C", 1, MAX_WORKERS / 2, 2, NULL, "consumer workers" },
	{ "items", 'n', "N", 1, LLONG_MAX, 100000, NULL, "items per producer" },
	{ "capacity", 'k', "K", 1, 1 << 24, 64, NULL, "queue capacity in items" },
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL }
};

/* Per-consumer tallies, a cache line each. */
struct tally {
	alignas(CACHE_LINE) uint64_t taken;
	uint64_t sum;
	uint64_t dups;
};

struct qstate {
	alignas(CACHE_LINE) atomic_uint producers_left;
	uint64_t	 nitems;		/* P x N */
	size_t		 tally_off;		/* offsets from the start of this */
	size_t		 bitmap_off;
	size_t		 queue_off;
};

/* splitmix64's finaliser: a checksum term that a lost or repeated item changes. */
static inline uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
total_items(const struct params *p)
{
	return (uint64_t)p->v[O_PRODUCERS] * (uint64_t)p->v[O_ITEMS];
}

static const char *
queue_validate(const struct params *p)
{
	if ((uint64_t)p->v[O_ITEMS] > MAX_ITEMS ||
	    total_items(p) > MAX_ITEMS)
		return "producers x items exceeds 4294967296 items";
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

/* Layout: header, tallies, bitmap, queue; computed the same in size and setup. */
static size_t
queue_layout(const struct params *p, struct qstate *q)
{
	size_t bits = (total_items(p) + 63) / 64 * sizeof(uint64_t);

	q->tally_off = align_up(sizeof(*q));
	q->bitmap_off = q->tally_off + align_up(sizeof(struct tally) *
	    (size_t)p->v[O_CONSUMERS]);
	q->queue_off = q->bitmap_off + align_up(bits);
	return q->queue_off + ipc_queue_size((size_t)p->v[O_CAPACITY],
	    sizeof(uint64_t));
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

static void
queue_setup(struct run *r)
{
	struct qstate *q = r->state;
	int rc;

	queue_layout(r->p, q);
	q->nitems = total_items(r->p);
	atomic_init(&q->producers_left, (unsigned)r->p->v[O_PRODUCERS]);
	if ((rc = ipc_queue_init(queue_of(r), (size_t)r->p->v[O_CAPACITY],
	    sizeof(uint64_t))) != 0)
		errc(1, rc, "queue: init");
}

/* Producer p puts items p*N .. p*N+N-1; the last one to finish closes the queue. */
static void
produce(struct run *r, unsigned p)
{
	struct qstate *q = r->state;
	uint64_t i, n = (uint64_t)r->p->v[O_ITEMS], item;
	int rc;

	for (i = 0; i < n; i++) {
		item = p * n + i;
		inject_point(r, p, i);
		if ((rc = ipc_queue_put(queue_of(r), &item, r->deadline)) != 0)
			worker_errc(r, rc, "queue: producer %u: put item %ju", p,
			    (uintmax_t)item);
	}
	if (atomic_fetch_sub(&q->producers_left, 1) == 1 &&
	    (rc = ipc_queue_close(queue_of(r), r->deadline)) != 0)
		worker_errc(r, rc, "queue: close");
}

/*
 * Take items until the queue is closed and drained, marking each in the
 * bitmap; --inject strikes with an item in hand, which is then lost.
 */
static void
consume(struct run *r, unsigned id, unsigned c)
{
	struct qstate *q = r->state;
	struct tally *t = (struct tally *)((char *)q + q->tally_off) + c;
	_Atomic uint64_t *bitmap = (_Atomic uint64_t *)((char *)q + q->bitmap_off);
	uint64_t item, bit;
	int rc;

	while ((rc = ipc_queue_get(queue_of(r), &item, r->deadline)) == 0) {
		inject_point(r, id, t->taken);
		t->taken++;
		t->sum += mix(item);
		if (item >= q->nitems) {
			t->dups++;	/* never produced: counted as wrong */
			continue;
		}
		bit = 1ULL << (item % 64);
		if (atomic_fetch_or_explicit(&bitmap[item / 64], bit,
		    memory_order_relaxed) & bit)
			t->dups++;
	}
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
	ipc_queue_close(queue_of(r), &dl);
}

static void
queue_check(const struct run *r, struct outcome *o)
{
	const struct qstate *q = r->state;
	const struct tally *t = (const struct tally *)((const char *)q + q->tally_off);
	const struct ipc_queue *qq = queue_of(r);
	uint64_t i, taken = 0, sum = 0, want = 0, dups = 0;
	int checksum_ok;

	for (i = 0; i < (uint64_t)r->p->v[O_CONSUMERS]; i++) {
		taken += t[i].taken;
		sum += t[i].sum;
		dups += t[i].dups;
	}
	for (i = 0; i < q->nitems; i++)
		want += mix(i);
	checksum_ok = sum == want;

	o->sync = "mutex+cond";
	o->iterations = (uint64_t)r->p->v[O_ITEMS];
	o->expected = q->nitems;
	o->observed = o->ops = taken;
	o->verdict = taken == q->nitems && dups == 0 && checksum_ok ?
	    VERDICT_OK : VERDICT_FAIL;
	if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "each item once");
	else
		snprintf(o->note, sizeof(o->note), "%ju missing, %ju duplicated%s",
		    (uintmax_t)(taken - dups < q->nitems ? q->nitems - (taken - dups) : 0),
		    (uintmax_t)dups, checksum_ok ? "" : ", checksum wrong");
	res_uint(o->extra, "produced", qq->tail, 0);
	res_uint(o->extra, "consumed", taken, 0);
	res_uint(o->extra, "duplicates", dups, 0);
	res_bool(o->extra, "checksum_ok", checksum_ok, 0);
	res_uint(o->extra, "full_waits", qq->full_waits, F_TABLE);
	res_uint(o->extra, "empty_waits", qq->empty_waits, F_TABLE);
}

static void
queue_teardown(struct run *r)
{
	ipc_queue_destroy(queue_of(r));
}

const struct worker worker_queue = {
	.name = "queue",
	.desc = "bounded producer/consumer queue: every item delivered exactly once",
	.proves = "consumed == produced, no duplicate (bitmap), checksum matches",
	.opts = queue_opts,
	.validate = queue_validate,
	.nworkers = queue_nworkers,
	.size = queue_size,
	.setup = queue_setup,
	.work = queue_work,
	.poison = queue_poison,
	.check = queue_check,
	.teardown = queue_teardown,
};
