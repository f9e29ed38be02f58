/*
 * check_mutex.c - ipc/mutex: exact counts across processes and threads, a
 * dead owner's lock repaired (EOWNERDEAD) or abandoned (ENOTRECOVERABLE),
 * deadlines (ETIMEDOUT), the errorcheck and recursive types, trylock, and
 * the deadline-bounded spinlock.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "../../ipc/mutex.h"
#include "../tests.h"

#define ITERS		20000
#define DEPTH		32			/* recursive locks held at once */
#define SHORT_NS	(50 * NS_PER_MS)	/* a deadline meant to pass */
#define LATE_NS		(3000 * NS_PER_MS)	/* "promptly", generously */

struct shared {
	pthread_mutex_t		 m;
	pthread_spinlock_t	 spin;
	struct timespec		 deadline;	/* for waits meant to succeed */
	uint64_t		 count;
	int			 how;		/* how the owner dies */
	atomic_int		 holding;	/* the holder has the lock */
	atomic_int		 release;	/* the holder may let go */
	int			 rc;		/* what a prober saw */
	uint64_t		 elapsed;
};

/* Parties by processes x threads; 0 processes: threads of the test itself. */
static const struct shape {
	unsigned	procs, threads;
} shapes[] = { { 2, 1 }, { 4, 1 }, { 0, 2 }, { 0, 4 }, { 2, 2 } };
#define NSHAPES	(int)(sizeof(shapes) / sizeof(shapes[0]))

static struct shared *
setup(struct ipc_region *r, enum ipc_mutex_type type)
{
	struct shared *sh = shared_alloc(r, sizeof(*sh));

	ck_assert_int_eq(ipc_mutex_init(&sh->m, type), 0);
	ck_assert_int_eq(ipc_spin_init(&sh->spin), 0);
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);
	return sh;
}

static void
teardown(struct ipc_region *r, struct shared *sh)
{
	ipc_spin_destroy(&sh->spin);
	ipc_mutex_destroy(&sh->m);
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

static int
mutex_counter(void *arg, unsigned id)
{
	struct shared *sh = arg;
	unsigned i;
	int rc;

	(void)id;
	for (i = 0; i < ITERS; i++) {
		if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
			return rc;
		sh->count++;
		if ((rc = ipc_mutex_unlock(&sh->m)) != 0)
			return rc;
	}
	return 0;
}

START_TEST(counter_exact)
{
	const struct shape *s = &shapes[_i];
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);
	unsigned parties = (s->procs ? s->procs : 1) * s->threads;

	ck_assert_int_eq(parties_run(s->procs, s->threads, mutex_counter, sh), 0);
	ck_assert_uint_eq(sh->count, (uint64_t)parties * ITERS);
	teardown(&r, sh);
}
END_TEST

/* Take the lock, start an update, and end without finishing it. */
static int
die_holding(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	(void)id;
	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
		return rc;
	sh->count = UINT64_MAX;
	if (sh->how == 1)
		raise(SIGKILL);
	if (sh->how == 0)
		_exit(0);
	return 0;		/* a thread that returns holding the lock */
}

/* how: 0 a process that _exits, 1 a SIGKILLed process, 2 a thread that ends. */
static void
owner_dies(struct shared *sh, int how)
{
	static const int status[] = { 0, 128 + SIGKILL };

	sh->how = how;
	if (how == 2)
		ck_assert_int_eq(parties_run(0, 1, die_holding, sh), 0);
	else
		ck_assert_int_eq(parties_run(1, 1, die_holding, sh), status[how]);
	ck_assert_uint_eq(sh->count, UINT64_MAX);
}

START_TEST(owner_death_repaired)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);

	owner_dies(sh, _i);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), EOWNERDEAD);

	/* We hold it: repair what the dead owner left, then declare it sound. */
	sh->count = 0;
	ck_assert_int_eq(ipc_mutex_consistent(&sh->m), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	ck_assert_int_eq(parties_run(2, 1, mutex_counter, sh), 0);
	ck_assert_uint_eq(sh->count, 2 * ITERS);
	teardown(&r, sh);
}
END_TEST

static int
lock_once(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	(void)id;
	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) == 0)
		rc = ipc_mutex_unlock(&sh->m);
	return rc;
}

START_TEST(owner_death_unrepaired)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);

	owner_dies(sh, 1);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), EOWNERDEAD);

	/* Unlocked without ipc_mutex_consistent: unusable for everyone, for good. */
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), ENOTRECOVERABLE);
	ck_assert_int_eq(ipc_mutex_trylock(&sh->m), ENOTRECOVERABLE);
	ck_assert_int_eq(parties_run(1, 1, lock_once, sh), ENOTRECOVERABLE);
	teardown(&r, sh);
}
END_TEST

/* Lock, say so, and keep the lock until told to let go. */
static int
hold_until_released(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc, wrc;

	(void)id;
	if ((rc = ipc_mutex_lock(&sh->m, &sh->deadline)) != 0)
		return rc;
	atomic_store(&sh->holding, 1);
	wrc = flag_wait(&sh->release, 1, REAP_MS);
	rc = ipc_mutex_unlock(&sh->m);
	return wrc != 0 ? wrc : rc;
}

START_TEST(deadline_times_out)
{
	struct timespec deadline, past;
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);
	uint64_t t0, elapsed;
	pid_t pid;

	ck_assert_int_eq(procs_start(&pid, 1, hold_until_released, sh), 0);
	ck_assert_int_eq(flag_wait(&sh->holding, 1, REAP_MS), 0);

	/* Held by another process: a short deadline passes, a past one at once. */
	t0 = ipc_now_ns();
	ipc_deadline(&deadline, SHORT_NS);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &deadline), ETIMEDOUT);
	elapsed = ipc_now_ns() - t0;
	ck_assert_uint_ge(elapsed, SHORT_NS);
	ck_assert_uint_lt(elapsed, LATE_NS);
	ipc_deadline(&past, 0);
	past.tv_sec -= 1;
	t0 = ipc_now_ns();
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &past), ETIMEDOUT);
	ck_assert_uint_lt(ipc_now_ns() - t0, LATE_NS);
	ck_assert_int_eq(ipc_mutex_trylock(&sh->m), EBUSY);

	/* Released: a free mutex is taken even with a past deadline (POSIX). */
	atomic_store(&sh->release, 1);
	ck_assert_int_eq(procs_reap(&pid, 1, NULL), 0);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &past), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	teardown(&r, sh);
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

START_TEST(trylock_busy)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);

	ck_assert_int_eq(ipc_mutex_trylock(&sh->m), 0);
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), EBUSY);
	ck_assert_int_eq(parties_run(0, 1, try_once, sh), EBUSY);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), 0);
	teardown(&r, sh);
}
END_TEST

START_TEST(errorcheck_relock)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_ERRORCHECK);
	int rc;

	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), 0);
	ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), EDEADLK);
	rc = ipc_mutex_trylock(&sh->m);		/* glibc says EDEADLK, POSIX EBUSY */
	ck_assert_msg(rc == EBUSY || rc == EDEADLK, "trylock by owner: %d", rc);
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), EBUSY);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), EPERM);
	teardown(&r, sh);
}
END_TEST

START_TEST(recursive_depth)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_RECURSIVE);
	int i;

	for (i = 0; i < DEPTH; i++)
		ck_assert_int_eq(ipc_mutex_lock(&sh->m, &sh->deadline), 0);
	ck_assert_int_eq(ipc_mutex_trylock(&sh->m), 0);

	/* Others are kept out until the last of DEPTH + 1 unlocks. */
	for (i = 0; i < DEPTH; i++) {
		ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
		ck_assert_int_eq(parties_run(0, 1, try_once, sh), EBUSY);
	}
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), EBUSY);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&sh->m), EPERM);
	ck_assert_int_eq(parties_run(1, 1, try_once, sh), 0);
	teardown(&r, sh);
}
END_TEST

static int
spin_counter(void *arg, unsigned id)
{
	struct shared *sh = arg;
	unsigned i;
	int rc;

	(void)id;
	for (i = 0; i < ITERS; i++) {
		if ((rc = ipc_spin_lock(&sh->spin, &sh->deadline)) != 0)
			return rc;
		sh->count++;
		if ((rc = ipc_spin_unlock(&sh->spin)) != 0)
			return rc;
	}
	return 0;
}

START_TEST(spin_counter_exact)
{
	static const struct shape spin_shapes[] = { { 2, 1 }, { 3, 1 }, { 0, 2 } };
	const struct shape *s = &spin_shapes[_i];
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);
	unsigned parties = (s->procs ? s->procs : 1) * s->threads;

	ck_assert_int_eq(parties_run(s->procs, s->threads, spin_counter, sh), 0);
	ck_assert_uint_eq(sh->count, (uint64_t)parties * ITERS);
	teardown(&r, sh);
}
END_TEST

/* Try the spinlock with a short deadline; record what happened and when. */
static int
spin_probe(void *arg, unsigned id)
{
	struct shared *sh = arg;
	struct timespec deadline;
	uint64_t t0 = ipc_now_ns();

	(void)id;
	ipc_deadline(&deadline, SHORT_NS);
	sh->rc = ipc_spin_lock(&sh->spin, &deadline);
	sh->elapsed = ipc_now_ns() - t0;
	return sh->rc == 0 ? ipc_spin_unlock(&sh->spin) : 0;
}

START_TEST(spin_deadline)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_MUTEX_NORMAL);

	ck_assert_int_eq(ipc_spin_lock(&sh->spin, &sh->deadline), 0);
	ck_assert_int_eq(parties_run(1, 1, spin_probe, sh), 0);
	ck_assert_int_eq(sh->rc, ETIMEDOUT);
	ck_assert_uint_ge(sh->elapsed, SHORT_NS);
	ck_assert_uint_lt(sh->elapsed, LATE_NS);

	/* Let go: the next process gets it well before its deadline. */
	ck_assert_int_eq(ipc_spin_unlock(&sh->spin), 0);
	ck_assert_int_eq(parties_run(1, 1, spin_probe, sh), 0);
	ck_assert_int_eq(sh->rc, 0);
	teardown(&r, sh);
}
END_TEST

Suite *
ipc_mutex_suite(void)
{
	Suite *s = suite_create("ipc_mutex");
	TCase *tc = tcase_create("mutex");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, counter_exact, 0, NSHAPES);
	tcase_add_loop_test(tc, owner_death_repaired, 0, 3);
	tcase_add_test(tc, owner_death_unrepaired);
	tcase_add_test(tc, deadline_times_out);
	tcase_add_test(tc, trylock_busy);
	tcase_add_test(tc, errorcheck_relock);
	tcase_add_test(tc, recursive_depth);
	tcase_add_loop_test(tc, spin_counter_exact, 0, 3);
	tcase_add_test(tc, spin_deadline);
	suite_add_tcase(s, tc);
	return s;
}
