/*
 * check_ring.c - the rings: ipc/ring (SPSC, lock-free) and the batch and
 * wait paths of ipc/queue (MPMC).  Sizes and bounds, FIFO order across the
 * wrap, full and empty ending at the deadline, close then drain then EPIPE,
 * put_many/get_many, exactly-once with whole (untorn) 4096-byte items
 * between threads and between processes, with and without spinning, with
 * the sleeper's membarrier or a fence per publish; a sleeper woken item by
 * item, a ring producer killed mid-stream, and a producer that dies holding
 * the queue's lock, before or in the middle of a put.
 */
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ipc/futex.h"
#include "../../ipc/mutex.h"
#include "../../ipc/queue.h"
#include "../../ipc/ring.h"
#include "../../workers/item.h"
#include "../tests.h"

#define SEC	1000000000ull
#define MS	1000000ull

static void *
shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

static struct ipc_ring *
new_ring(size_t cap, size_t isz)
{
	struct ipc_ring *r = shared(ipc_ring_size(cap, isz));

	ck_assert_int_eq(ipc_ring_init(r, cap, isz), 0);
	return r;
}

START_TEST(ring_bounds)
{
	struct ipc_ring r;

	ck_assert_uint_eq(ipc_ring_size(0, 8), 0);
	ck_assert_uint_eq(ipc_ring_size(8, 0), 0);
	ck_assert_uint_eq(ipc_ring_size(SIZE_MAX / 2, 4), 0);
	ck_assert_uint_eq(ipc_ring_size(4, 8), sizeof(struct ipc_ring) + 32);
	ck_assert_int_eq(ipc_ring_init(&r, 0, 8), EINVAL);
	ck_assert_uint_eq(ipc_queue_size(0, 8), 0);
	ck_assert_uint_eq(ipc_queue_size(SIZE_MAX / 2, 4), 0);
}
END_TEST

/* Capacity 3 (not a power of two): order holds across many wraps. */
START_TEST(ring_fifo_wraps)
{
	struct ipc_ring *r = new_ring(3, sizeof(uint64_t));
	struct timespec dl;
	uint64_t i, v;

	ipc_deadline(&dl, 10 * SEC);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(ipc_ring_put(r, &i, &dl), 0);
		if (i >= 2) {
			ck_assert_int_eq(ipc_ring_get(r, &v, &dl), 0);
			ck_assert_uint_eq(v, i - 2);
		}
	}
	ck_assert_uint_eq(atomic_load(&r->tail), 100);
	ck_assert_uint_eq(atomic_load(&r->head), 98);
	munmap(r, ipc_ring_size(3, sizeof(uint64_t)));
}
END_TEST

START_TEST(ring_full_and_empty_time_out)
{
	struct ipc_ring *r = new_ring(2, sizeof(uint64_t));
	struct timespec dl;
	uint64_t v = 1;

	ipc_deadline(&dl, 20 * MS);
	ck_assert_int_eq(ipc_ring_get(r, &v, &dl), ETIMEDOUT);
	ck_assert_uint_eq(r->empty_waits, 1);
	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_ring_put(r, &v, &dl), 0);
	ck_assert_int_eq(ipc_ring_put(r, &v, &dl), 0);
	ipc_deadline(&dl, 20 * MS);
	ck_assert_int_eq(ipc_ring_put(r, &v, &dl), ETIMEDOUT);
	ck_assert_uint_eq(r->full_waits, 1);
	ck_assert_uint_eq(atomic_load(&r->put_waiters), 0);
	ck_assert_uint_eq(atomic_load(&r->get_waiters), 0);
	munmap(r, ipc_ring_size(2, sizeof(uint64_t)));
}
END_TEST

START_TEST(ring_close_drains)
{
	struct ipc_ring *r = new_ring(4, sizeof(uint64_t));
	uint64_t v[4] = { 10, 11, 12, 13 };
	struct timespec dl;
	size_t n;

	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_ring_put_many(r, v, 3, &n, &dl), 0);
	ck_assert_uint_eq(n, 3);
	ipc_ring_close(r);
	ck_assert_int_eq(ipc_ring_put(r, v, &dl), EPIPE);
	memset(v, 0, sizeof(v));
	ck_assert_int_eq(ipc_ring_get_many(r, v, 4, &n, &dl), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(v[0], 10);
	ck_assert_uint_eq(v[2], 12);
	ck_assert_int_eq(ipc_ring_get(r, v, &dl), EPIPE);
	munmap(r, ipc_ring_size(4, sizeof(uint64_t)));
}
END_TEST

/* SPSC, whole items: the producer fills, the consumer checks order and pattern. */
#define NITEMS	20000
#define BIG	4096

struct spsc {
	struct ipc_ring	*r;
	size_t		 batch;
	uint64_t	 got, torn, disorder;
};

static void *
spsc_produce(void *arg)
{
	struct spsc *s = arg;
	unsigned char *buf = malloc(s->batch * BIG);
	struct timespec dl;
	uint64_t i, j, k;

	ipc_deadline(&dl, 30 * SEC);
	for (i = 0; i < NITEMS; i += k) {
		k = NITEMS - i < s->batch ? NITEMS - i : s->batch;
		for (j = 0; j < k; j++)
			item_fill(buf + j * BIG, BIG, i + j);
		if (ipc_ring_put_many(s->r, buf, k, NULL, &dl) != 0)
			break;
	}
	ipc_ring_close(s->r);
	free(buf);
	return NULL;
}

static void
spsc_consume(struct spsc *s)
{
	unsigned char *buf = malloc(s->batch * BIG);
	struct timespec dl;
	uint64_t item;
	size_t n, j;

	ipc_deadline(&dl, 30 * SEC);
	while (ipc_ring_get_many(s->r, buf, s->batch, &n, &dl) == 0)
		for (j = 0; j < n; j++) {
			if (item_check(buf + j * BIG, BIG, &item) != 0)
				s->torn++;
			else if (item != s->got)
				s->disorder++;
			s->got++;
		}
	free(buf);
}

static void
spsc_expect(const struct spsc *s)
{
	ck_assert_uint_eq(s->got, NITEMS);
	ck_assert_uint_eq(s->torn, 0);
	ck_assert_uint_eq(s->disorder, 0);
}

/*
 * _i: bit 0 batch (1 or 7), bit 1 no spinning (futex path only), bit 2 a
 * full fence per publish instead of the sleeper's membarrier (asym 0).
 */
START_TEST(ring_spsc_threads)
{
	struct spsc s = { new_ring(16, BIG), _i & 1 ? 7 : 1, 0, 0, 0 };
	pthread_t t;

	if (_i & 2)
		s.r->spin_max = 0;
	if (_i & 4)
		s.r->asym = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, spsc_produce, &s), 0);
	spsc_consume(&s);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	spsc_expect(&s);
	munmap(s.r, ipc_ring_size(16, BIG));
}
END_TEST

START_TEST(ring_spsc_processes)
{
	struct spsc s = { new_ring(16, BIG), _i & 1 ? 7 : 1, 0, 0, 0 };
	pid_t pid;
	int st;

	if (_i & 2)
		s.r->spin_max = 0;
	if (_i & 4)
		s.r->asym = 0;
	if ((pid = fork()) == 0) {
		spsc_produce(&s);
		_exit(0);
	}
	spsc_consume(&s);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	spsc_expect(&s);
	munmap(s.r, ipc_ring_size(16, BIG));
}
END_TEST

/*
 * A full ring's producer looks for a run of free slots, but one free slot
 * is enough: with 63 of 64 taken back out, and with one, a put whose
 * deadline has passed still goes in (it never has to wait).
 */
START_TEST(ring_put_needs_one_slot)
{
	struct ipc_ring *r = new_ring(64, sizeof(uint64_t));
	struct timespec dl, past = { 0, 0 };
	uint64_t i, v;

	ipc_deadline(&dl, 10 * SEC);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(ipc_ring_put(r, &i, &dl), 0);
	ck_assert_int_eq(ipc_ring_put(r, &i, &past), ETIMEDOUT);
	ck_assert_int_eq(ipc_ring_get(r, &v, &dl), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ipc_ring_put(r, &i, &past), 0);
	ck_assert_int_eq(ipc_ring_put(r, &i, &past), ETIMEDOUT);
	for (i = 1; i <= 64; i++) {
		ck_assert_int_eq(ipc_ring_get(r, &v, &dl), 0);
		ck_assert_uint_eq(v, i);
	}
	munmap(r, ipc_ring_size(64, sizeof(uint64_t)));
}
END_TEST

/* asym is on exactly where the kernel offers membarrier's global expedited barrier. */
START_TEST(ring_asym_where_membarrier)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	int want = cmds != -1 && (cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) &&
	    (cmds & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED);
	struct ipc_ring *r = new_ring(4, sizeof(uint64_t));

	ck_assert_uint_eq(r->asym, (unsigned)want);
	ck_assert_int_eq(ipc_futex_asym(), want);
	munmap(r, ipc_ring_size(4, sizeof(uint64_t)));
}
END_TEST

/*
 * Blocking, item by item: a producer that pauses 2 ms before each put, so
 * the consumer sleeps (no spin) before each get and is woken by the put.  A
 * lost wake-up leaves the consumer asleep until its deadline: ETIMEDOUT.
 * _i: processes (else threads) | 2: asym 0.
 */
#define SLOW	20

static void *
slow_produce(void *arg)
{
	struct ipc_ring *r = arg;
	struct timespec dl;
	uint64_t i;

	ipc_deadline(&dl, 30 * SEC);
	for (i = 0; i < SLOW; i++) {
		ipc_sleep_ns(2 * MS);
		if (ipc_ring_put(r, &i, &dl) != 0)
			break;
	}
	return NULL;
}

START_TEST(ring_sleeper_woken)
{
	struct ipc_ring *r = new_ring(4, sizeof(uint64_t));
	struct timespec dl;
	pthread_t t;
	uint64_t i, v;
	pid_t pid = 0;
	int st;

	r->spin_max = 0;
	if (_i & 2)
		r->asym = 0;
	if (_i & 1) {
		if ((pid = fork()) == 0) {
			slow_produce(r);
			_exit(0);
		}
	} else
		ck_assert_int_eq(pthread_create(&t, NULL, slow_produce, r), 0);
	for (i = 0; i < SLOW; i++) {
		ipc_deadline(&dl, 10 * SEC);
		ck_assert_int_eq(ipc_ring_get(r, &v, &dl), 0);
		ck_assert_uint_eq(v, i);
	}
	if (_i & 1) {
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	} else
		ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_ge(r->empty_waits, 1);
	munmap(r, ipc_ring_size(4, sizeof(uint64_t)));
}
END_TEST

/*
 * A producer SIGKILLed mid-stream, the ring full and the consumer not yet
 * there: what it published is whole, what it did not is not there; a
 * poison (close) then ends the consumer's wait with EPIPE, not a hang.
 */
START_TEST(ring_producer_killed)
{
	struct ipc_ring *r = new_ring(8, BIG);
	unsigned char buf[BIG];
	struct timespec dl;
	uint64_t i, item;
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		ipc_deadline(&dl, 30 * SEC);
		for (i = 0; i < 1000; i++) {
			item_fill(buf, BIG, i);
			if (ipc_ring_put(r, buf, &dl) != 0)
				_exit(1);
			if (i == 5)
				raise(SIGKILL);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ipc_ring_close(r);
	ipc_deadline(&dl, 10 * SEC);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(ipc_ring_get(r, buf, &dl), 0);
		ck_assert_int_eq(item_check(buf, BIG, &item), 0);
		ck_assert_uint_eq(item, i);
	}
	ck_assert_int_eq(ipc_ring_get(r, buf, &dl), EPIPE);
	munmap(r, ipc_ring_size(8, BIG));
}
END_TEST

/* MPMC: P producers put_many, C consumers get_many, a shared bitmap marks each item. */
#define QP	2
#define QC	2
#define QN	20000

struct mpmc {
	struct ipc_queue	*q;
	atomic_uint		 left;
	_Atomic uint64_t	 bitmap[(QP * QN + 63) / 64];
	_Atomic uint64_t	 taken, dups, torn;
	size_t			 batch, isz;
};

static void
mpmc_produce(struct mpmc *m, unsigned p)
{
	unsigned char *buf = malloc(m->batch * m->isz);
	struct timespec dl;
	uint64_t i, j, k;

	ipc_deadline(&dl, 30 * SEC);
	for (i = 0; i < QN; i += k) {
		k = QN - i < m->batch ? QN - i : m->batch;
		for (j = 0; j < k; j++)
			item_fill(buf + j * m->isz, m->isz, p * QN + i + j);
		if (ipc_queue_put_many(m->q, buf, k, NULL, &dl) != 0)
			break;
	}
	if (atomic_fetch_sub(&m->left, 1) == 1)
		ipc_queue_close(m->q, &dl);
	free(buf);
}

static void
mpmc_consume(struct mpmc *m)
{
	unsigned char *buf = malloc(m->batch * m->isz);
	struct timespec dl;
	uint64_t item, bit;
	size_t n, j;

	ipc_deadline(&dl, 30 * SEC);
	while (ipc_queue_get_many(m->q, buf, m->batch, &n, &dl) == 0)
		for (j = 0; j < n; j++) {
			atomic_fetch_add(&m->taken, 1);
			if (item_check(buf + j * m->isz, m->isz, &item) != 0 ||
			    item >= QP * QN) {
				atomic_fetch_add(&m->torn, 1);
				continue;
			}
			bit = 1ULL << (item % 64);
			if (atomic_fetch_or(&m->bitmap[item / 64], bit) & bit)
				atomic_fetch_add(&m->dups, 1);
		}
	free(buf);
}

/* _i: bit 0 batch 5, bit 1 no spinning, bit 2 64-byte items (else 8), bit 3 asym 0. */
static struct mpmc *
mpmc_new(int i)
{
	size_t isz = i & 4 ? 64 : 8;
	struct mpmc *m = shared(sizeof(*m) + ipc_queue_size(8, isz));

	m->q = (struct ipc_queue *)(m + 1);
	ck_assert_int_eq(ipc_queue_init(m->q, 8, isz), 0);
	if (i & 2)
		m->q->spin_max = 0;
	if (i & 8)
		m->q->asym = 0;
	atomic_init(&m->left, QP);
	m->batch = i & 1 ? 5 : 1;
	m->isz = isz;
	return m;
}

static void
mpmc_expect(struct mpmc *m)
{
	ck_assert_uint_eq(atomic_load(&m->taken), QP * QN);
	ck_assert_uint_eq(atomic_load(&m->dups), 0);
	ck_assert_uint_eq(atomic_load(&m->torn), 0);
	ck_assert_uint_eq(atomic_load(&m->q->tail), QP * QN);
	ck_assert_uint_eq(atomic_load(&m->q->head), QP * QN);
	ipc_queue_destroy(m->q);
	munmap(m, sizeof(*m) + ipc_queue_size(8, m->isz));
}

START_TEST(queue_mpmc_processes)
{
	struct mpmc *m = mpmc_new(_i);
	pid_t pid[QP + QC];
	unsigned i;
	int st;

	for (i = 0; i < QP + QC; i++)
		if ((pid[i] = fork()) == 0) {
			if (i < QP)
				mpmc_produce(m, i);
			else
				mpmc_consume(m);
			_exit(0);
		}
	for (i = 0; i < QP + QC; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	mpmc_expect(m);
}
END_TEST

struct qarg {
	struct mpmc	*m;
	unsigned	 id;
};

static void *
mpmc_thread(void *arg)
{
	struct qarg *a = arg;

	if (a->id < QP)
		mpmc_produce(a->m, a->id);
	else
		mpmc_consume(a->m);
	return NULL;
}

START_TEST(queue_mpmc_threads)
{
	struct mpmc *m = mpmc_new(_i);
	struct qarg a[QP + QC];
	pthread_t t[QP + QC];
	unsigned i;

	for (i = 0; i < QP + QC; i++) {
		a[i] = (struct qarg){ m, i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, mpmc_thread, &a[i]), 0);
	}
	for (i = 0; i < QP + QC; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	mpmc_expect(m);
}
END_TEST

static void
mpmc_expect_nothing(struct mpmc *m)
{
	ipc_queue_destroy(m->q);
	munmap(m, sizeof(*m) + ipc_queue_size(8, m->isz));
}

START_TEST(queue_close_drains)
{
	struct mpmc *m = mpmc_new(0);
	uint64_t v[3] = { 1, 2, 3 };
	struct timespec dl;
	size_t n;

	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_queue_put_many(m->q, v, 3, &n, &dl), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ipc_queue_close(m->q, &dl), 0);
	ck_assert_int_eq(ipc_queue_put(m->q, v, &dl), EPIPE);
	ck_assert_int_eq(ipc_queue_get_many(m->q, v, 2, &n, &dl), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ipc_queue_get(m->q, v, &dl), 0);
	ck_assert_uint_eq(v[0], 3);
	ck_assert_int_eq(ipc_queue_get(m->q, v, &dl), EPIPE);
	mpmc_expect_nothing(m);

	/* Full, nobody takes: put ends at its deadline, counted once. */
	m = mpmc_new(0);
	ck_assert_int_eq(ipc_queue_put_many(m->q, v, 3, NULL, &dl), 0);
	ck_assert_int_eq(ipc_queue_put_many(m->q, v, 3, NULL, &dl), 0);
	ipc_deadline(&dl, 20 * MS);
	ck_assert_int_eq(ipc_queue_put_many(m->q, v, 3, &n, &dl), ETIMEDOUT);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(m->q->full_waits, 1);
}
END_TEST

/* A producer killed holding the producers' lock: the next put repairs, counts it. */
START_TEST(queue_owner_death)
{
	struct mpmc *m = mpmc_new(0);
	struct timespec dl;
	uint64_t v = 42;
	pid_t pid;
	int st;

	ipc_deadline(&dl, 10 * SEC);
	if ((pid = fork()) == 0) {
		ipc_mutex_lock(&m->q->lock, &dl);
		raise(SIGKILL);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(ipc_queue_put(m->q, &v, &dl), 0);
	ck_assert_uint_eq(atomic_load(&m->q->owner_deaths), 1);
	v = 0;
	ck_assert_int_eq(ipc_queue_get(m->q, &v, &dl), 0);
	ck_assert_uint_eq(v, 42);
}
END_TEST

/*
 * A producer killed holding the lock in the middle of a put: its item is
 * copied and its position moved, the tail not yet published.  The next
 * holder starts from the published tail: that put never happened.
 */
START_TEST(queue_killed_mid_put)
{
	struct mpmc *m = mpmc_new(0);
	struct timespec dl;
	uint64_t v = 7;
	pid_t pid;
	int st;

	ipc_deadline(&dl, 10 * SEC);
	if ((pid = fork()) == 0) {
		ipc_mutex_lock(&m->q->lock, &dl);
		memcpy(m->q->items, &v, sizeof(v));
		m->q->put_pos++;
		raise(SIGKILL);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st));
	v = 42;
	ck_assert_int_eq(ipc_queue_put(m->q, &v, &dl), 0);
	ck_assert_uint_eq(atomic_load(&m->q->owner_deaths), 1);
	ck_assert_uint_eq(atomic_load(&m->q->tail), 1);
	v = 0;
	ck_assert_int_eq(ipc_queue_get(m->q, &v, &dl), 0);
	ck_assert_uint_eq(v, 42);
	ipc_deadline(&dl, 20 * MS);
	ck_assert_int_eq(ipc_queue_get(m->q, &v, &dl), ETIMEDOUT);
}
END_TEST

Suite *
ipc_ring_suite(void)
{
	Suite *s = suite_create("ipc_ring");
	TCase *tc = tcase_create("spsc ring"), *q = tcase_create("mpmc queue");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_test(tc, ring_bounds);
	tcase_add_test(tc, ring_fifo_wraps);
	tcase_add_test(tc, ring_full_and_empty_time_out);
	tcase_add_test(tc, ring_close_drains);
	tcase_add_loop_test(tc, ring_spsc_threads, 0, 8);
	tcase_add_loop_test(tc, ring_spsc_processes, 0, 8);
	tcase_add_test(tc, ring_asym_where_membarrier);
	tcase_add_test(tc, ring_put_needs_one_slot);
	tcase_add_loop_test(tc, ring_sleeper_woken, 0, 4);
	tcase_add_test(tc, ring_producer_killed);
	suite_add_tcase(s, tc);
	tcase_set_timeout(q, TEST_TIMEOUT);
	tcase_add_loop_test(q, queue_mpmc_threads, 0, 16);
	tcase_add_loop_test(q, queue_mpmc_processes, 0, 16);
	tcase_add_test(q, queue_close_drains);
	tcase_add_test(q, queue_owner_death);
	tcase_add_test(q, queue_killed_mid_put);
	suite_add_tcase(s, q);
	return s;
}
