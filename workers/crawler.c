/*
 * crawler.c - Web Crawler Multithreaded (LeetCode 1242): a pool of workers
 * crawls a generated web from page 0, every reachable page exactly once.
 *
 * Workers share a work queue (ipc/queue.h) and a visited set (a bitmap in
 * the region).  A link is followed only if its page is claimed in the set:
 * under a robust mutex (--set lock), by one atomic fetch-or (--set lockfree),
 * or by a check then a mark with a yield between (--set none): then two
 * workers claim the same page and it is fetched twice.  An outstanding-work
 * counter says when the crawl is over: whoever brings it to 0 closes the
 * queue.  See graph.h (the web), pool.c (a pool on a queue).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../ipc/mutex.h"
#include "../ipc/queue.h"
#include "graph.h"
#include "worker.h"

#define CLOSE_NS	100000000u	/* poison's wait for the queue's lock */

enum { O_WORKERS, O_PAGES, O_LINKS, O_SET, O_NOPTS };
enum { S_LOCK, S_LOCKFREE, S_NONE, NSETS };

static const char *const sets[] = {
	[S_LOCK] = "lock", [S_LOCKFREE] = "lockfree", [S_NONE] = "none",
	[NSETS] = NULL
};

static const struct optdef crawler_opts[] = {
	[O_WORKERS] = OPT_WORKERS(4),
	[O_PAGES] = { "pages", 'p', "N", 1, 1 << 20, 4000, NULL,
	  "pages in the generated web (from the seed)" },
	[O_LINKS] = { "links", 'l', "L", 1, 16, 3, NULL,
	  "links on every page" },
	[O_SET] = { "set", 's', "SET", 0, 0, S_LOCK, sets,
	  "the visited set: lock (a robust mutex), lockfree (an\n"
	  "                         atomic fetch-or per page), or none (check, then mark)" },
	[O_NOPTS] = { NULL }
};

struct cstate {
	alignas(CACHE_LINE) pthread_mutex_t lock;	/* --set lock */
	alignas(CACHE_LINE) _Atomic uint64_t outstanding; /* put, not yet crawled */
	alignas(CACHE_LINE) _Atomic uint64_t seen[];	/* the visited set, a bit a page */
	/* then atomic_uint fetches[pages], then the work queue */
};

static size_t
seen_words(const struct params *p)
{
	return ((size_t)p->v[O_PAGES] + 63) / 64;
}

static size_t
fetches_off(const struct params *p)
{
	return sizeof(struct cstate) + seen_words(p) * sizeof(uint64_t);
}

static size_t
queue_off(const struct params *p)
{
	return (fetches_off(p) + (size_t)p->v[O_PAGES] * sizeof(atomic_uint) +
	    CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
}

static atomic_uint *
fetches_of(const struct run *r)
{
	return (atomic_uint *)((char *)r->state + fetches_off(r->p));
}

static struct ipc_queue *
queue_of(const struct run *r)
{
	return (struct ipc_queue *)((char *)r->state + queue_off(r->p));
}

/*
 * Room for every put: a page is claimed once with a guard, and without one
 * at most once per worker (a worker that marked it sees its own mark).
 */
static size_t
capacity(const struct params *p)
{
	return (size_t)p->v[O_PAGES] * (p->v[O_SET] == S_NONE ?
	    (size_t)p->v[O_WORKERS] : 1);
}

static const char *
crawler_validate(const struct params *p)
{
	if (p->v[O_SET] == S_NONE && p->v[O_PAGES] * p->v[O_WORKERS] > 1 << 24)
		return "--set none: pages x workers at most 16777216 (the queue "
		    "holds every duplicate)";
	return NULL;
}

static unsigned
crawler_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_WORKERS];
}

static size_t
crawler_size(const struct run *r)
{
	return queue_off(r->p) + ipc_queue_size(capacity(r->p), sizeof(uint32_t));
}

/* The crawl starts with page 0 claimed, queued and outstanding. */
static void
crawler_setup(struct run *r)
{
	struct cstate *s = r->state;
	struct timespec dl;
	uint32_t root = 0;
	int rc;

	if ((rc = ipc_mutex_init(&s->lock, IPC_MUTEX_NORMAL)) != 0)
		errc(1, rc, "crawler: mutex");
	run_name(r, &s->lock, "visited set");
	if ((rc = ipc_queue_init(queue_of(r), capacity(r->p),
	    sizeof(uint32_t))) != 0)
		errc(1, rc, "crawler: queue");
	run_name(r, queue_of(r), "work queue");
	ipc_deadline(&dl, CLOSE_NS);
	atomic_store(&s->seen[0], 1);
	atomic_store(&s->outstanding, 1);
	if ((rc = ipc_queue_put(queue_of(r), &root, &dl)) != 0)
		errc(1, rc, "crawler: put page 0");
}

/* explain: crawler: claim a page in the visited set: one atomic or, or check-then-mark (--set none: two may claim it) */
/* Claim page c in the visited set: 1 if this worker is the one to crawl it. */
static int
claim(struct run *r, uint32_t c)
{
	struct cstate *s = r->state;
	_Atomic uint64_t *w = &s->seen[c / 64];
	uint64_t bit = 1ull << (c % 64), old;
	int rc;

	switch (r->p->v[O_SET]) {
	case S_LOCKFREE:
		return !(atomic_fetch_or(w, bit) & bit);
	case S_NONE:
		/* Check, let the others run, then mark: they may claim it too. */
		if (atomic_load_explicit(w, memory_order_relaxed) & bit)
			return 0;
		worker_yield(r);
		atomic_fetch_or_explicit(w, bit, memory_order_relaxed);
		return 1;
	}
	if ((rc = worker_mutex_lock(r, &s->lock, "visited set")) != 0)
		worker_errc(r, rc, "crawler: lock the visited set");
	old = atomic_load_explicit(w, memory_order_relaxed);
	atomic_store_explicit(w, old | bit, memory_order_relaxed);
	if ((rc = ipc_mutex_unlock(&s->lock)) != 0)
		worker_errc(r, rc, "crawler: unlock the visited set");
	return !(old & bit);
}
/* explain: end */

/* Fetch page p (count it), then queue every page it links to that we claim. */
static void
crawl(struct run *r, unsigned id, uint32_t p, uint64_t n)
{
	struct cstate *s = r->state;
	uint32_t c, pages = (uint32_t)r->p->v[O_PAGES];
	unsigned k;
	int rc;

	atomic_fetch_add(&fetches_of(r)[p], 1);
	inject_point(r, id, n);
	for (k = 0; k < (unsigned)r->p->v[O_LINKS]; k++) {
		c = graph_link(r->p->seed, pages, p, k);
		if (!claim(r, c))
			continue;
		atomic_fetch_add(&s->outstanding, 1);
		if ((rc = ipc_queue_put(queue_of(r), &c, r->deadline)) != 0)
			worker_errc(r, rc, "crawler: put page %u", c);
	}
}

/* Crawl until the queue is closed: by whoever finished the last outstanding page. */
static void
crawler_work(struct run *r, unsigned id)
{
	struct cstate *s = r->state;
	uint64_t n = 0;
	uint32_t p;
	int rc;

	while ((rc = ipc_queue_get(queue_of(r), &p, r->deadline)) == 0) {
		crawl(r, id, p, n++);
		if (atomic_fetch_sub(&s->outstanding, 1) == 1 &&
		    (rc = ipc_queue_close(queue_of(r), r->deadline)) != 0)
			worker_errc(r, rc, "crawler: close the queue");
	}
	if (rc != EPIPE)
		worker_errc(r, rc, "crawler: worker %u: get", id);
}

/* The run was called off: close the queue, so that every getter leaves. */
static void
crawler_poison(struct run *r)
{
	struct timespec dl;

	ipc_deadline(&dl, CLOSE_NS);
	ipc_queue_close(queue_of(r), &dl);
}

/* The pages reachable from page 0, by a breadth-first walk of our own. */
static uint64_t
reachable(const struct params *p, unsigned char *in)
{
	uint32_t *fifo, pages = (uint32_t)p->v[O_PAGES], c, head = 0, tail = 0;
	unsigned k;

	if ((fifo = malloc(pages * sizeof(*fifo))) == NULL)
		err(1, "crawler: check");
	in[0] = 1;
	fifo[tail++] = 0;
	while (head < tail)
		for (k = 0; k < (unsigned)p->v[O_LINKS]; k++) {
			c = graph_link(p->seed, pages, fifo[head], k);
			if (!in[c]) {
				in[c] = 1;
				fifo[tail++] = c;
			}
			if (k + 1 == (unsigned)p->v[O_LINKS])
				head++;
		}
	free(fifo);
	return tail;
}

/* What the fetch counters say, page by page, against the reachable set. */
struct tally {
	uint64_t	 fetched;	/* distinct pages fetched */
	uint64_t	 fetches;	/* every fetch */
	uint64_t	 duplicates;	/* fetches past a page's first */
	uint64_t	 missed;	/* reachable, never fetched */
	uint64_t	 stray;		/* fetched, not reachable */
};

static void
tally(const struct run *r, const unsigned char *in, struct tally *t)
{
	uint64_t f;
	uint32_t p;

	for (p = 0; p < (uint32_t)r->p->v[O_PAGES]; p++) {
		f = atomic_load(&fetches_of(r)[p]);
		t->fetched += f > 0;
		t->fetches += f;
		t->duplicates += f > 1 ? f - 1 : 0;
		t->missed += in[p] && f == 0;
		t->stray += !in[p] && f > 0;
	}
}

static void
crawler_check(const struct run *r, struct outcome *o)
{
	struct tally t = { 0 };
	unsigned char *in;
	uint64_t reach;

	if ((in = calloc((size_t)r->p->v[O_PAGES], 1)) == NULL)
		err(1, "crawler: check");
	reach = reachable(r->p, in);
	tally(r, in, &t);
	free(in);
	o->sync = sets[r->p->v[O_SET]];
	o->iterations = (uint64_t)r->p->v[O_PAGES];
	o->expected = reach;
	o->observed = t.fetched;
	o->ops = t.fetches;
	if (t.duplicates == 0 && t.missed == 0 && t.stray == 0)
		o->verdict = VERDICT_OK;
	else
		o->verdict = r->p->v[O_SET] == S_NONE && t.missed == 0 &&
		    t.stray == 0 ? VERDICT_RACE : VERDICT_FAIL;
	if (o->verdict == VERDICT_OK)
		snprintf(o->note, sizeof(o->note), "every reachable page fetched "
		    "once (%ju of %jd unreachable)", (uintmax_t)(o->iterations -
		    reach), (intmax_t)o->iterations);
	else
		snprintf(o->note, sizeof(o->note), "%ju extra fetches, %ju pages "
		    "missed, %ju unreachable fetched", (uintmax_t)t.duplicates,
		    (uintmax_t)t.missed, (uintmax_t)t.stray);
	res_uint(o->extra, "reachable", reach, 0);
	res_uint(o->extra, "fetched", t.fetched, 0);
	res_uint(o->extra, "duplicates", t.duplicates, F_TABLE);
	res_uint(o->extra, "missed", t.missed, 0);
	res_uint(o->extra, "stray", t.stray, 0);
}

static void
crawler_destroy(struct run *r)
{
	struct cstate *s = r->state;

	ipc_queue_destroy(queue_of(r));
	ipc_mutex_destroy(&s->lock);
}

const struct worker worker_crawler = {
	.name = "crawler",
	.desc = "web crawler multithreaded (LeetCode 1242): each page fetched once",
	.proves = "a pool sharing a work queue and a visited set fetches every "
	    "page reachable from page 0 exactly once, and knows when it is done",
	.explain =
	    "A pool of workers crawls a web generated from the seed, from page 0\n"
	    "(LeetCode 1242).  Each page links to -l others; some pages nobody links\n"
	    "to.  A worker takes a page from the shared work queue, fetches it, and\n"
	    "queues each page it links to that it claims in the shared visited set.\n"
	    "The check walks the same web on its own and compares page by page.\n"
	    "\n"
	    "Primitive: the shared queue; a robust mutex around the visited set\n"
	    "(--set lock), or an atomic fetch-or on its bitmap (--set lockfree); an\n"
	    "outstanding-work counter: whoever finishes the last page closes the queue.\n"
	    "\n"
	    "Columns: expected is the pages reachable, observed the pages fetched;\n"
	    "duplicates counts the fetches past a page's first.\n"
	    "\n"
	    "Try: --set none (check, then mark: duplicates); --set lockfree -w 8;\n"
	    "-p 100000 -l 2 --seed 7.\n"
	    "\n"
	    "Pitfalls: \"the queue is empty\" does not mean the crawl is over (a worker\n"
	    "may be about to queue more): count the work outstanding instead.\n",
	.opts = crawler_opts,
	.validate = crawler_validate,
	.nworkers = crawler_nworkers,
	.size = crawler_size,
	.setup = crawler_setup,
	.work = crawler_work,
	.poison = crawler_poison,
	.check = crawler_check,
	.destroy = crawler_destroy,
};
