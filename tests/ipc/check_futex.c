/*
 * check_futex.c - ipc/futex: wait's answers (EAGAIN, ETIMEDOUT, EINVAL),
 * wake across threads and across fork, the spin-then-sleep wait and its
 * notify; and the hybrid barrier built on them: round ordering, one serial
 * waiter per round, arrive, poison and deadline.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../ipc/barrier.h"
#include "../../ipc/futex.h"
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

START_TEST(wait_answers)
{
	_Atomic uint32_t w = 1;
	struct timespec dl;

	ipc_deadline(&dl, 5 * SEC);
	ck_assert_int_eq(ipc_futex_wait(&w, 0, &dl), EAGAIN);
	ck_assert_int_eq(ipc_futex_wait(&w, 1, NULL), EINVAL);
	ipc_deadline(&dl, 10 * MS);
	ck_assert_int_eq(ipc_futex_wait(&w, 1, &dl), ETIMEDOUT);
	ck_assert(ipc_expired(&dl));
}
END_TEST

START_TEST(wake_nobody)
{
	_Atomic uint32_t w = 0;
	int n = -1;

	ck_assert_int_eq(ipc_futex_wake(&w, 1, &n), 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

struct waiter {
	_Atomic uint32_t	 w;
	int			 rc;
};

static void *
wait_thread(void *arg)
{
	struct waiter *wt = arg;
	struct timespec dl;

	ipc_deadline(&dl, 10 * SEC);
	wt->rc = ipc_futex_wait(&wt->w, 0, &dl);
	return NULL;
}

/* Wake until one sleeper was woken (the word never changes: only a wake ends its wait). */
static void
wake_one(_Atomic uint32_t *w)
{
	struct timespec dl;
	int n = 0;

	ipc_deadline(&dl, 10 * SEC);
	while (n == 0 && !ipc_expired(&dl)) {
		ck_assert_int_eq(ipc_futex_wake(w, 1, &n), 0);
		if (n == 0)
			usleep(1000);
	}
	ck_assert_int_eq(n, 1);
}

START_TEST(wake_thread)
{
	struct waiter wt = { 0, -1 };
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, wait_thread, &wt), 0);
	wake_one(&wt.w);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(wt.rc, 0);
}
END_TEST

START_TEST(wake_across_fork)
{
	struct waiter *wt = shared(sizeof(*wt));
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		wait_thread(wt);
		_exit(wt->rc == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	wake_one(&wt->w);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	munmap(wt, sizeof(*wt));
}
END_TEST

struct flag {
	_Atomic uint32_t	 seq;
	atomic_uint		 waiters;
	_Atomic uint32_t	 spin_ns;
	atomic_int		 up;
};

static int
flag_up(const void *arg)
{
	return atomic_load(&((const struct flag *)arg)->up);
}

/* Raise the flag once someone sleeps on it, and notify. */
static void *
raise_thread(void *arg)
{
	struct flag *f = arg;

	while (atomic_load(&f->waiters) == 0)
		usleep(100);
	atomic_store(&f->up, 1);
	ipc_futex_notify(&f->seq, &f->waiters, 1);
	return NULL;
}

START_TEST(await_sleeps_then_wakes)
{
	struct flag f = { 0, 0, 0, 0 };
	struct ipc_await a = { &f.seq, &f.waiters, &f.spin_ns, 0, flag_up, &f, 0 };
	struct timespec dl;
	pthread_t t;
	int slept = -1;

	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(pthread_create(&t, NULL, raise_thread, &f), 0);
	ck_assert_int_eq(ipc_futex_await(&a, &dl, &slept), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(slept, 1);
	ck_assert_uint_eq(atomic_load(&f.waiters), 0);
	ck_assert_uint_eq(atomic_load(&f.seq), 1);
}
END_TEST

START_TEST(await_spin_then_deadline)
{
	struct flag f = { 0, 0, IPC_SPIN_MAX_NS, 0 };
	struct ipc_await a = { &f.seq, &f.waiters, &f.spin_ns, IPC_SPIN_MAX_NS,
	    flag_up, &f, 0 };
	struct timespec dl;
	int slept = -1;

	/* Ready at once: no spin, no sleep. */
	atomic_store(&f.up, 1);
	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_futex_await(&a, &dl, &slept), 0);
	ck_assert_int_eq(slept, 0);

	/* Never ready: spins, sleeps, and ends at the deadline, uncounted again. */
	atomic_store(&f.up, 0);
	ipc_deadline(&dl, 20 * MS);
	ck_assert_int_eq(ipc_futex_await(&a, &dl, &slept), ETIMEDOUT);
	ck_assert_int_eq(slept, 1);
	ck_assert_uint_eq(atomic_load(&f.waiters), 0);
}
END_TEST

START_TEST(notify_without_sleepers_is_silent)
{
	struct flag f = { 7, 0, 0, 0 };

	ipc_futex_notify(&f.seq, &f.waiters, 1);
	ck_assert_uint_eq(atomic_load(&f.seq), 7);
	atomic_store(&f.waiters, 1);
	ipc_futex_notify(&f.seq, &f.waiters, 1);
	ck_assert_uint_eq(atomic_load(&f.seq), 8);
}
END_TEST

/* The hybrid barrier, hammered: every party checks every round, as workers/barrier.c. */
#define PARTIES	3
#define ROUNDS	2000

struct hb {
	struct ipc_barrier	 b;
	_Atomic uint32_t	 done[ROUNDS];
	_Atomic uint32_t	 serial[ROUNDS];
	_Atomic uint32_t	 early;
	_Atomic uint32_t	 errors;
};

static void
hb_party(struct hb *h)
{
	struct timespec dl;
	int r, rc;

	ipc_deadline(&dl, 30 * SEC);
	for (r = 0; r < ROUNDS; r++) {
		atomic_fetch_add(&h->done[r], 1);
		if ((rc = ipc_barrier_wait(&h->b, &dl)) == IPC_BARRIER_SERIAL)
			atomic_fetch_add(&h->serial[r], 1);
		else if (rc != 0)
			atomic_fetch_add(&h->errors, 1);
		if (atomic_load(&h->done[r]) != PARTIES)
			atomic_fetch_add(&h->early, 1);
	}
}

static void *
hb_thread(void *arg)
{
	hb_party(arg);
	return NULL;
}

static void
hb_check(struct hb *h)
{
	int r;

	ck_assert_uint_eq(atomic_load(&h->errors), 0);
	ck_assert_uint_eq(atomic_load(&h->early), 0);
	for (r = 0; r < ROUNDS; r++) {
		ck_assert_uint_eq(atomic_load(&h->done[r]), PARTIES);
		ck_assert_uint_eq(atomic_load(&h->serial[r]), 1);
	}
}

START_TEST(hybrid_rounds_threads)
{
	struct hb *h = calloc(1, sizeof(*h));
	pthread_t t[PARTIES];
	int i;

	ck_assert_int_eq(ipc_barrier_init(&h->b, IPC_BARRIER_HYBRID, PARTIES), 0);
	for (i = 0; i < PARTIES; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hb_thread, h), 0);
	for (i = 0; i < PARTIES; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	hb_check(h);
	ipc_barrier_destroy(&h->b);
	free(h);
}
END_TEST

START_TEST(hybrid_rounds_processes)
{
	struct hb *h = shared(sizeof(*h));
	pid_t pid[PARTIES];
	int i, st;

	ck_assert_int_eq(ipc_barrier_init(&h->b, IPC_BARRIER_HYBRID, PARTIES), 0);
	for (i = 0; i < PARTIES; i++)
		if ((pid[i] = fork()) == 0) {
			hb_party(h);
			_exit(0);
		}
	for (i = 0; i < PARTIES; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	hb_check(h);
	munmap(h, sizeof(*h));
}
END_TEST

struct one {
	struct ipc_barrier	 b;
	int			 rc;
};

static void *
one_wait(void *arg)
{
	struct one *o = arg;
	struct timespec dl;

	ipc_deadline(&dl, 10 * SEC);
	o->rc = ipc_barrier_wait(&o->b, &dl);
	return NULL;
}

/* Wait until the thread sleeps in the barrier (or a generous bound passes). */
static void
until_asleep(struct ipc_barrier *b)
{
	struct timespec dl;

	ipc_deadline(&dl, 10 * SEC);
	while (atomic_load(&b->sleepers) == 0 && !ipc_expired(&dl))
		usleep(200);
}

START_TEST(hybrid_poison)
{
	struct one o = { .rc = -1 };
	struct timespec dl;
	pthread_t t;

	ck_assert_int_eq(ipc_barrier_init(&o.b, IPC_BARRIER_HYBRID, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, one_wait, &o), 0);
	until_asleep(&o.b);
	ipc_barrier_poison(&o.b);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(o.rc, ECANCELED);

	/* Broken for good: later rounds and arrivals are refused at once. */
	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_barrier_wait(&o.b, &dl), ECANCELED);
	ck_assert_int_eq(ipc_barrier_arrive(&o.b, &dl), ECANCELED);
}
END_TEST

START_TEST(hybrid_deadline_poisons)
{
	struct ipc_barrier b;
	struct timespec dl;

	ck_assert_int_eq(ipc_barrier_init(&b, IPC_BARRIER_HYBRID, 2), 0);
	ipc_deadline(&dl, 20 * MS);
	ck_assert_int_eq(ipc_barrier_wait(&b, &dl), ETIMEDOUT);
	ck_assert_int_eq(atomic_load(&b.poisoned), 1);
	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_barrier_wait(&b, &dl), ECANCELED);
}
END_TEST

START_TEST(hybrid_arrive_releases)
{
	struct one o = { .rc = -1 };
	struct timespec dl;
	pthread_t t;

	ck_assert_int_eq(ipc_barrier_init(&o.b, IPC_BARRIER_HYBRID, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, one_wait, &o), 0);
	until_asleep(&o.b);
	ipc_deadline(&dl, 10 * SEC);
	ck_assert_int_eq(ipc_barrier_arrive(&o.b, &dl), IPC_BARRIER_SERIAL);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(o.rc, 0);
}
END_TEST

START_TEST(hybrid_no_spin_when_oversubscribed)
{
	struct ipc_barrier b;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	ck_assert_int_eq(ipc_barrier_init(&b, IPC_BARRIER_HYBRID, (unsigned)ncpu), 0);
	ck_assert_uint_eq(b.spin_max, IPC_SPIN_MAX_NS);
	ck_assert_int_eq(ipc_barrier_init(&b, IPC_BARRIER_HYBRID,
	    (unsigned)ncpu + 1), 0);
	ck_assert_uint_eq(b.spin_max, 0);
	ck_assert_int_eq(ipc_barrier_init(&b, IPC_BARRIER_HYBRID, 0), EINVAL);
}
END_TEST

Suite *
ipc_futex_suite(void)
{
	Suite *s = suite_create("ipc_futex");
	TCase *tc = tcase_create("futex"), *hb = tcase_create("hybrid barrier");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_test(tc, wait_answers);
	tcase_add_test(tc, wake_nobody);
	tcase_add_test(tc, wake_thread);
	tcase_add_test(tc, wake_across_fork);
	tcase_add_test(tc, await_sleeps_then_wakes);
	tcase_add_test(tc, await_spin_then_deadline);
	tcase_add_test(tc, notify_without_sleepers_is_silent);
	suite_add_tcase(s, tc);
	tcase_set_timeout(hb, TEST_TIMEOUT);
	tcase_add_test(hb, hybrid_rounds_threads);
	tcase_add_test(hb, hybrid_rounds_processes);
	tcase_add_test(hb, hybrid_poison);
	tcase_add_test(hb, hybrid_deadline_poisons);
	tcase_add_test(hb, hybrid_arrive_releases);
	tcase_add_test(hb, hybrid_no_spin_when_oversubscribed);
	suite_add_tcase(s, hb);
	return s;
}
