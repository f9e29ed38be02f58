/*
 * check_cond.c - ipc/cond: producers and consumers handing items over a
 * one-slot buffer by predicate across processes and threads, a wait that
 * ends at its deadline with the mutex held again, a broadcast that wakes
 * every waiter, and EOWNERDEAD passed up when the mutex's owner dies.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "../../ipc/cond.h"
#include "../../ipc/mutex.h"
#include "../tests.h"

#define ITEMS		6000		/* divisible by every party count used */
#define WAITERS		4
#define SHORT_NS	(50 * NS_PER_MS)
#define LATE_NS		(3000 * NS_PER_MS)
#define WAKE_MS		2000		/* a waiter not woken by then failed */

struct shared {
	pthread_mutex_t		 m;
	pthread_cond_t		 not_empty;
	pthread_cond_t		 not_full;
	struct timespec		 deadline;
	unsigned		 producers, consumers;
	int			 full;		/* the predicate: slot holds an item */
	uint64_t		 slot;
	uint64_t		 consumed, sum;
	atomic_uint		 disorder;	/* items a consumer saw out of order */
	atomic_int		 waiting;
	int			 go;
	unsigned		 woken;
	int			 rc;
};

static struct shared *
setup(struct ipc_region *r, uint64_t wait_ns)
{
	struct shared *sh = shared_alloc(r, sizeof(*sh));

	ck_assert_int_eq(ipc_mutex_init(&sh->m, IPC_MUTEX_NORMAL), 0);
	ck_assert_int_eq(ipc_cond_init(&sh->not_empty), 0);
	ck_assert_int_eq(ipc_cond_init(&sh->not_full), 0);
	ipc_deadline(&sh->deadline, wait_ns);
	return sh;
}

/* Per STYLE.md, a condvar another party may have died on is not destroyed. */
static void
teardown(struct ipc_region *r, struct shared *sh, int clean)
{
	if (clean) {
		ipc_cond_destroy(&sh->not_full);
		ipc_cond_destroy(&sh->not_empty);
		ipc_mutex_destroy(&sh->m);
	}
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

static int
produce(struct shared *sh, uint64_t v)
{
	int rc;

	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
		return rc;
	while (sh->full && rc == 0)
		rc = ipc_cond_wait(&sh->not_full, &sh->m, &sh->deadline);
	if (rc == 0) {
		sh->slot = v;
		sh->full = 1;
		rc = ipc_cond_signal(&sh->not_empty);
	}
	ipc_mutex_unlock(&sh->m);
	return rc;
}

static int
consume(struct shared *sh, uint64_t *v)
{
	int rc;

	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
		return rc;
	while (!sh->full && rc == 0)
		rc = ipc_cond_wait(&sh->not_empty, &sh->m, &sh->deadline);
	if (rc == 0) {
		*v = sh->slot;
		sh->full = 0;
		sh->consumed++;
		sh->sum += *v;
		rc = ipc_cond_signal(&sh->not_full);
	}
	ipc_mutex_unlock(&sh->m);
	return rc;
}

/* Producers put 1..ITEMS between them; each consumer takes its share. */
static int
pc_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	uint64_t k, v, prev = 0, per;
	int rc;

	if (id < sh->producers) {
		per = ITEMS / sh->producers;
		for (k = 0; k < per; k++)
			if ((rc = produce(sh, id * per + k + 1)) != 0)
				return rc;
		return 0;
	}
	per = ITEMS / sh->consumers;
	for (k = 0; k < per; k++) {
		if ((rc = consume(sh, &v)) != 0)
			return rc;
		if (sh->producers == 1 && v <= prev)
			atomic_fetch_add(&sh->disorder, 1);
		prev = v;
	}
	return 0;
}

START_TEST(producer_consumer)
{
	static const struct { unsigned p, c, procs; } shapes[] = {
		{ 1, 1, 1 }, { 2, 2, 1 }, { 1, 3, 1 }, { 1, 1, 0 }, { 2, 2, 0 },
	};
	struct ipc_region r;
	struct shared *sh = setup(&r, REAP_MS * NS_PER_MS);
	unsigned n = shapes[_i].p + shapes[_i].c;

	sh->producers = shapes[_i].p;
	sh->consumers = shapes[_i].c;
	ck_assert_int_eq(parties_run(shapes[_i].procs ? n : 0,
	    shapes[_i].procs ? 1 : n, pc_party, sh), 0);
	ck_assert_uint_eq(sh->consumed, ITEMS);
	ck_assert_uint_eq(sh->sum, (uint64_t)ITEMS * (ITEMS + 1) / 2);
	ck_assert_uint_eq(sh->disorder, 0);
	ck_assert_int_eq(sh->full, 0);
	teardown(&r, sh, 1);
}
END_TEST

static int
try_once(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	(void)id;
	if ((rc = ipc_mutex_trylock(&sh->m)) == 0)
		rc = ipc_mutex_unlock(&sh->m);
	return rc;
}

START_TEST(wait_times_out)
{
	struct timespec deadline;
	struct ipc_region r;
	struct shared *sh = setup(&r, REAP_MS * NS_PER_MS);
	uint64_t t0, elapsed;
	int rc;

	/* Nobody signals: only a spurious wakeup could end the wait early. */
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), 0);
	t0 = ipc_now_ns();
	ipc_deadline(&deadline, SHORT_NS);
	while ((rc = ipc_cond_wait(&sh->not_empty, &sh->m, &deadline)) == 0)
		continue;
	elapsed = ipc_now_ns() - t0;
	ck_assert_int_eq(rc, ETIMEDOUT);
	ck_assert_uint_ge(elapsed, SHORT_NS);
	ck_assert_uint_lt(elapsed, LATE_NS);

	/* The mutex is ours again: others are kept out, our unlock works. */
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), EBUSY);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), 0);
	teardown(&r, sh, 1);
}
END_TEST

/* Parties below WAITERS wait for go; party WAITERS sets it, broadcasts once. */
static int
broadcast_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	if (id == WAITERS) {
		if ((rc = flag_wait(&sh->waiting, WAITERS, WAKE_MS)) != 0 ||
		    (rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
			return rc;
		sh->go = 1;
		rc = ipc_cond_broadcast(&sh->not_empty);
		ipc_mutex_unlock(&sh->m);
		return rc;
	}
	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
		return rc;
	atomic_fetch_add(&sh->waiting, 1);
	while (!sh->go && rc == 0)
		rc = ipc_cond_wait(&sh->not_empty, &sh->m, &sh->deadline);
	sh->woken += rc == 0;
	ipc_mutex_unlock(&sh->m);
	return rc;
}

/* _i 0: processes, 1: threads. */
START_TEST(broadcast_wakes_all)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, WAKE_MS * NS_PER_MS);

	ck_assert_int_eq(parties_run(_i ? 0 : WAITERS + 1, _i ? WAITERS + 1 : 1,
	    broadcast_party, sh), 0);
	ck_assert_uint_eq(sh->woken, WAITERS);
	teardown(&r, sh, 1);
}
END_TEST

/* Party 0 waits; party 1 takes the mutex, wakes it, and ends holding it. */
static int
owner_dies_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
		return rc;
	if (id == 1) {
		sh->go = 1;
		ipc_cond_broadcast(&sh->not_empty);
		return 0;
	}
	atomic_store(&sh->waiting, 1);
	while (!sh->go && rc == 0)
		rc = ipc_cond_wait(&sh->not_empty, &sh->m, &sh->deadline);
	sh->rc = rc;
	if (rc == EOWNERDEAD)
		rc = ipc_mutex_consistent(&sh->m);
	if (rc == 0)
		rc = ipc_mutex_unlock(&sh->m);
	return rc;
}

static int
owner_dies_start(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	if (id == 1 && (rc = flag_wait(&sh->waiting, 1, WAKE_MS)) != 0)
		return rc;
	return owner_dies_party(arg, id);
}

/* _i 0: processes, 1: threads. */
START_TEST(wait_passes_owner_death)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, WAKE_MS * NS_PER_MS);

	ck_assert_int_eq(parties_run(_i ? 0 : 2, _i ? 2 : 1, owner_dies_start,
	    sh), 0);
	ck_assert_int_eq(sh->rc, EOWNERDEAD);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	teardown(&r, sh, 0);
}
END_TEST

Suite *
ipc_cond_suite(void)
{
	Suite *s = suite_create("ipc_cond");
	TCase *tc = tcase_create("cond");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, producer_consumer, 0, 5);
	tcase_add_test(tc, wait_times_out);
	tcase_add_loop_test(tc, broadcast_wakes_all, 0, 2);
	tcase_add_loop_test(tc, wait_passes_owner_death, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
