/*
 * check_queue.c - ipc/queue: every item delivered exactly once (bitmap,
 * count, checksum) with P producers and C consumers as threads and as
 * processes, FIFO order, capacity and deadlines, close (drain, then EPIPE,
 * waiters released), a lock holder SIGKILLed, and size/init arithmetic.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../../ipc/mutex.h"
#include "../../ipc/queue.h"
#include "../tests.h"

#define ITEMS		20000
#define WORDS		((ITEMS + 63) / 64)
#define CAPACITY	16
#define MAGIC		0x9e3779b97f4a7c15ull	/* item.check = n ^ MAGIC */
#define SAMPLE		64		/* a consumer checks the ring every SAMPLE gets */
#define SHORT_NS	(50 * NS_PER_MS)
#define LATE_NS		(3000 * NS_PER_MS)
#define LONG_MS		4000		/* a deadline that must not be reached */
#define WAITERS		3

struct item {
	uint64_t	n;
	uint64_t	check;
};

struct shared {
	struct ipc_queue	*q;		/* in the same mapping, after this */
	struct timespec		 deadline;
	unsigned		 producers;	/* parties below this one produce */
	atomic_int		 producers_done;
	atomic_uint_fast64_t	 consumed, sum;
	atomic_uint_fast64_t	 dups, torn, disorder, overfull;
	atomic_uint_fast64_t	 seen[WORDS];	/* one bit per item number */
	atomic_int		 holding;
	atomic_int		 release;
	int			 rc[WAITERS];
	uint64_t		 left_ns[WAITERS];
	uint64_t		 event_ns;	/* when the queue was closed */
};

#define QOFF	((sizeof(struct shared) + 63) & ~(size_t)63)

static struct shared *
setup(struct ipc_region *r, size_t capacity, unsigned wait_ms)
{
	size_t qsize = ipc_queue_size(capacity, sizeof(struct item));
	struct shared *sh;

	ck_assert_uint_ne(qsize, 0);
	sh = shared_alloc(r, QOFF + qsize);
	sh->q = (struct ipc_queue *)((char *)sh + QOFF);
	ck_assert_int_eq(ipc_queue_init(sh->q, capacity, sizeof(struct item)), 0);
	ipc_deadline(&sh->deadline, wait_ms * NS_PER_MS);
	return sh;
}

static void
teardown(struct ipc_region *r, struct shared *sh, int clean)
{
	if (clean)
		ipc_queue_destroy(sh->q);
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

static int
put_n(struct shared *sh, uint64_t n, const struct timespec *deadline)
{
	struct item it = { n, n ^ MAGIC };

	return ipc_queue_put(sh->q, &it, deadline);
}

/* Put n, n+P, n+2P...; the last producer to finish closes the queue. */
static int
producer(struct shared *sh, unsigned id)
{
	uint64_t n;
	int rc;

	for (n = id; n < ITEMS; n += sh->producers)
		if ((rc = put_n(sh, n, &sh->deadline)) != 0)
			return rc;
	if (atomic_fetch_add(&sh->producers_done, 1) + 1 == (int)sh->producers)
		return ipc_queue_close(sh->q, &sh->deadline);
	return 0;
}

/* Under the lock, the ring never holds more than its capacity. */
static int
sample(struct shared *sh)
{
	int rc;

	if ((rc = ipc_mutex_lock(&sh->q->lock, &sh->deadline)) != 0)
		return rc;
	if (sh->q->tail - sh->q->head > sh->q->capacity)
		atomic_fetch_add(&sh->overfull, 1);
	return ipc_mutex_unlock(&sh->q->lock);
}

/* Mark one item seen; with one producer, each consumer sees them in order. */
static void
tally(struct shared *sh, const struct item *it, uint64_t *next)
{
	uint64_t bit = 1ull << (it->n % 64);

	if (it->check != (it->n ^ MAGIC) || it->n >= ITEMS) {
		atomic_fetch_add(&sh->torn, 1);
		return;
	}
	if (atomic_fetch_or(&sh->seen[it->n / 64], bit) & bit)
		atomic_fetch_add(&sh->dups, 1);
	if (sh->producers == 1 && it->n < *next)
		atomic_fetch_add(&sh->disorder, 1);
	*next = it->n + 1;
}

static int
consumer(struct shared *sh)
{
	uint64_t got = 0, sum = 0, next = 0;
	struct item it;
	int rc;

	while ((rc = ipc_queue_get(sh->q, &it, &sh->deadline)) == 0) {
		tally(sh, &it, &next);
		got++;
		sum += it.n;
		if (got % SAMPLE == 0 && (rc = sample(sh)) != 0)
			return rc;
	}
	atomic_fetch_add(&sh->consumed, got);
	atomic_fetch_add(&sh->sum, sum);
	return rc == EPIPE ? 0 : rc;
}

static int
pc_party(void *arg, unsigned id)
{
	struct shared *sh = arg;

	return id < sh->producers ? producer(sh, id) : consumer(sh);
}

static void
check_delivery(struct shared *sh)
{
	uint64_t bits = 0;
	int i;

	for (i = 0; i < WORDS; i++)
		bits += (uint64_t)__builtin_popcountll(atomic_load(&sh->seen[i]));
	ck_assert_uint_eq(atomic_load(&sh->torn), 0);
	ck_assert_uint_eq(atomic_load(&sh->dups), 0);
	ck_assert_uint_eq(bits, ITEMS);
	ck_assert_uint_eq(atomic_load(&sh->consumed), ITEMS);
	ck_assert_uint_eq(atomic_load(&sh->sum), (uint64_t)ITEMS * (ITEMS - 1) / 2);
	ck_assert_uint_eq(atomic_load(&sh->disorder), 0);
	ck_assert_uint_eq(atomic_load(&sh->overfull), 0);
	ck_assert_uint_eq(sh->q->head, ITEMS);
	ck_assert_uint_eq(sh->q->tail, ITEMS);
	ck_assert_int_eq(sh->q->closed, 1);
}

/* _i / 2 picks P and C; _i % 2: 0 processes, 1 threads.  1P1C is FIFO. */
START_TEST(exactly_once)
{
	static const struct { unsigned p, c; } shapes[] = {
		{ 1, 1 }, { 1, 3 }, { 2, 2 }, { 3, 2 }, { 4, 4 },
	};
	struct ipc_region r;
	struct shared *sh = setup(&r, CAPACITY, REAP_MS);
	unsigned n = shapes[_i / 2].p + shapes[_i / 2].c;
	int threads = _i % 2;

	sh->producers = shapes[_i / 2].p;
	ck_assert_int_eq(parties_run(threads ? 0 : n, threads ? n : 1,
	    pc_party, sh), 0);
	check_delivery(sh);
	teardown(&r, sh, 1);
}
END_TEST

static void
get_expect(struct shared *sh, uint64_t n)
{
	struct item it;

	ck_assert_int_eq(ipc_queue_get(sh->q, &it, &sh->deadline), 0);
	ck_assert_uint_eq(it.n, n);
	ck_assert_uint_eq(it.check, n ^ MAGIC);
}

/* A short deadline on a full (put) or empty (get) queue: ETIMEDOUT in time. */
static void
times_out(struct shared *sh, int put)
{
	struct timespec deadline;
	uint64_t t0 = ipc_now_ns(), elapsed;
	struct item it = { 99, 99 ^ MAGIC };

	ipc_deadline(&deadline, SHORT_NS);
	ck_assert_int_eq(put ? ipc_queue_put(sh->q, &it, &deadline) :
	    ipc_queue_get(sh->q, &it, &deadline), ETIMEDOUT);
	elapsed = ipc_now_ns() - t0;
	ck_assert_uint_ge(elapsed, SHORT_NS);
	ck_assert_uint_lt(elapsed, LATE_NS);
}

START_TEST(capacity_and_deadlines)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, 4, REAP_MS);
	uint64_t n;

	for (n = 0; n < 4; n++)
		ck_assert_int_eq(put_n(sh, n, &sh->deadline), 0);
	ck_assert_uint_eq(sh->q->tail - sh->q->head, 4);

	/* Full: the fifth put waits out its deadline and leaves nothing behind. */
	times_out(sh, 1);
	ck_assert_uint_eq(sh->q->tail - sh->q->head, 4);
	ck_assert_uint_eq(sh->q->full_waits, 1);
	ck_assert_uint_eq(sh->q->put_waiters, 0);
	get_expect(sh, 0);
	ck_assert_int_eq(put_n(sh, 4, &sh->deadline), 0);
	for (n = 1; n <= 4; n++)
		get_expect(sh, n);

	/* Empty: a get waits out its deadline. */
	times_out(sh, 0);
	ck_assert_uint_eq(sh->q->empty_waits, 1);
	ck_assert_uint_eq(sh->q->get_waiters, 0);
	teardown(&r, sh, 1);
}
END_TEST

static int
get_once(void *arg, unsigned id)
{
	struct shared *sh = arg;
	struct item it;

	(void)id;
	return ipc_queue_get(sh->q, &it, &sh->deadline);
}

START_TEST(close_drains)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, 8, REAP_MS);
	uint64_t n;

	for (n = 0; n < 3; n++)
		ck_assert_int_eq(put_n(sh, n, &sh->deadline), 0);
	ck_assert_int_eq(ipc_queue_close(sh->q, &sh->deadline), 0);
	ck_assert_int_eq(put_n(sh, 3, &sh->deadline), EPIPE);

	/* What was put before the close still comes out, in order; then EPIPE. */
	get_expect(sh, 0);
	ck_assert_int_eq(parties_run(1, 1, get_once, sh), 0);
	get_expect(sh, 2);
	ck_assert_int_eq(get_once(sh, 0), EPIPE);
	ck_assert_int_eq(get_once(sh, 0), EPIPE);
	ck_assert_int_eq(parties_run(1, 1, get_once, sh), EPIPE);
	teardown(&r, sh, 1);
}
END_TEST

/* Poll until *field (a sleeper count the queue keeps) reaches want. */
static int
sleepers(struct shared *sh, const atomic_uint *field, unsigned want)
{
	struct timespec deadline;

	(void)sh;
	ipc_deadline(&deadline, REAP_MS * NS_PER_MS);
	while (atomic_load(field) < want) {
		if (ipc_expired(&deadline))
			return ETIMEDOUT;
		ms_sleep(1);
	}
	return 0;
}

/* Parties below WAITERS block in get (put if producers); the last closes. */
static int
close_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	struct item it = { 7, 7 ^ MAGIC };
	int rc;

	if (id < WAITERS) {
		sh->rc[id] = sh->producers ? ipc_queue_put(sh->q, &it, &sh->deadline) :
		    ipc_queue_get(sh->q, &it, &sh->deadline);
		sh->left_ns[id] = ipc_now_ns();
		return 0;
	}
	if ((rc = sleepers(sh, sh->producers ? &sh->q->put_waiters :
	    &sh->q->get_waiters, WAITERS)) != 0)
		return rc;
	sh->event_ns = ipc_now_ns();
	return ipc_queue_close(sh->q, &sh->deadline);
}

/* _i / 2: getters on an empty queue, putters on a full one; _i % 2 threads. */
START_TEST(close_releases_waiters)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, 1, LONG_MS);
	int i, threads = _i % 2;

	sh->producers = _i / 2;
	if (sh->producers)
		ck_assert_int_eq(put_n(sh, 0, &sh->deadline), 0);
	ck_assert_int_eq(parties_run(threads ? 0 : WAITERS + 1,
	    threads ? WAITERS + 1 : 1, close_party, sh), 0);
	for (i = 0; i < WAITERS; i++) {
		ck_assert_int_eq(sh->rc[i], EPIPE);
		ck_assert_uint_lt(sh->left_ns[i], sh->event_ns + LATE_NS);
	}

	/* Putters were refused: only the item from before the close is there. */
	if (sh->producers)
		get_expect(sh, 0);
	ck_assert_int_eq(get_once(sh, 0), EPIPE);
	teardown(&r, sh, 1);
}
END_TEST

/* Take the queue's lock and hold it until killed. */
static int
hold_lock(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	(void)id;
	if ((rc = ipc_mutex_lock(&sh->q->lock, &sh->deadline)) != 0)
		return rc;
	atomic_store(&sh->holding, 1);
	return flag_wait(&sh->release, 1, REAP_MS);
}

START_TEST(holder_killed)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, 4, REAP_MS);
	int status;
	pid_t pid;

	ck_assert_int_eq(procs_start(&pid, 1, hold_lock, sh), 0);
	ck_assert_int_eq(flag_wait(&sh->holding, 1, REAP_MS), 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(procs_reap(&pid, 1, &status), 128 + SIGKILL);

	/* The next operation inherits the lock, counts the death, and works. */
	ck_assert_int_eq(put_n(sh, 5, &sh->deadline), 0);
	ck_assert_uint_eq(sh->q->owner_deaths, 1);
	get_expect(sh, 5);
	ck_assert_uint_eq(sh->q->owner_deaths, 1);
	teardown(&r, sh, 0);
}
END_TEST

START_TEST(size_and_init)
{
	static _Alignas(64) unsigned char buf[sizeof(struct ipc_queue) + 64];
	struct ipc_queue *q = (struct ipc_queue *)buf;
	const size_t hdr = sizeof(struct ipc_queue);

	ck_assert_uint_eq(ipc_queue_size(4, 8), hdr + 32);
	ck_assert_uint_eq(ipc_queue_size(SIZE_MAX - hdr, 1), SIZE_MAX);
	ck_assert_uint_eq(ipc_queue_size(SIZE_MAX - hdr + 1, 1), 0);
	ck_assert_uint_eq(ipc_queue_size(SIZE_MAX / 2 + 1, 2), 0);
	ck_assert_uint_eq(ipc_queue_size(2, SIZE_MAX), 0);
	ck_assert_uint_eq(ipc_queue_size(SIZE_MAX / 16 + 2, 16), 0);	/* wraps to 16 */
	ck_assert_uint_eq(ipc_queue_size(0, 8), 0);
	ck_assert_uint_eq(ipc_queue_size(8, 0), 0);
	ck_assert_int_eq(ipc_queue_init(q, 0, 8), EINVAL);
	ck_assert_int_eq(ipc_queue_init(q, 8, 0), EINVAL);
	ck_assert_int_eq(ipc_queue_init(q, SIZE_MAX, 2), EINVAL);
	ck_assert_int_eq(ipc_queue_init(q, 8, 8), 0);
	ck_assert_uint_eq(q->capacity, 8);
	ipc_queue_destroy(q);
}
END_TEST

/* Queue.join: waits for task_done on every item put, not for an empty queue. */
START_TEST(join_counts_tasks)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, 4, LONG_MS);
	struct item it = { 1, 1 ^ MAGIC };
	struct timespec soon;

	ck_assert_int_eq(ipc_queue_join(sh->q, &sh->deadline), 0);	/* nothing put */
	ck_assert_int_eq(ipc_queue_task_done(sh->q), EINVAL);
	ck_assert_int_eq(ipc_queue_put(sh->q, &it, &sh->deadline), 0);
	ck_assert_int_eq(ipc_queue_put(sh->q, &it, &sh->deadline), 0);
	ck_assert_int_eq(ipc_queue_get(sh->q, &it, &sh->deadline), 0);
	ck_assert_int_eq(ipc_queue_get(sh->q, &it, &sh->deadline), 0);

	/* Empty, but two tasks undone: join must wait (here, time out). */
	ipc_deadline(&soon, 20 * NS_PER_MS);
	ck_assert_int_eq(ipc_queue_join(sh->q, &soon), ETIMEDOUT);
	ck_assert_int_eq(ipc_queue_task_done(sh->q), 0);
	ipc_deadline(&soon, 20 * NS_PER_MS);
	ck_assert_int_eq(ipc_queue_join(sh->q, &soon), ETIMEDOUT);
	ck_assert_int_eq(ipc_queue_task_done(sh->q), 0);
	ck_assert_int_eq(ipc_queue_join(sh->q, &sh->deadline), 0);
	ck_assert_int_eq(ipc_queue_task_done(sh->q), EINVAL);
	ipc_region_destroy(&r);
}
END_TEST

Suite *
ipc_queue_suite(void)
{
	Suite *s = suite_create("ipc_queue");
	TCase *tc = tcase_create("queue");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, exactly_once, 0, 10);
	tcase_add_test(tc, capacity_and_deadlines);
	tcase_add_test(tc, close_drains);
	tcase_add_loop_test(tc, close_releases_waiters, 0, 4);
	tcase_add_test(tc, holder_killed);
	tcase_add_test(tc, size_and_init);
	tcase_add_test(tc, join_counts_tasks);
	suite_add_tcase(s, tc);
	return s;
}
