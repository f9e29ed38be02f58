/*
 * check_event.c - ipc/event: a set before the wait is seen at once, a wait
 * ends at its deadline, one set releases every waiter (processes and
 * threads) even when cleared at once, the event is reused, the idle path
 * never blocks, and a dead owner's lock is taken over.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "../../ipc/event.h"
#include "../../ipc/mutex.h"
#include "../tests.h"

#define WAITERS		4
#define ROUNDS		3
#define SHORT_NS	(50 * NS_PER_MS)
#define LATE_NS		(3000 * NS_PER_MS)

struct shared {
	struct ipc_event ev;
	struct timespec	 deadline;
	atomic_int	 released;	/* rounds the setter is about to set */
	atomic_int	 cleared;	/* rounds set and cleared again */
	atomic_int	 woken;		/* wakes over all rounds */
	atomic_int	 early;		/* wakes before their round's set */
	unsigned	 idles;
};

static struct shared *
setup(struct ipc_region *r)
{
	struct shared *sh = shared_alloc(r, sizeof(*sh));

	ck_assert_int_eq(ipc_event_init(&sh->ev), 0);
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);
	return sh;
}

static void
teardown(struct ipc_region *r, struct shared *sh, int clean)
{
	if (clean)
		ipc_event_destroy(&sh->ev);
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

START_TEST(set_then_wait)
{
	struct ipc_region r;
	struct shared *sh = setup(&r);
	unsigned n = 99;

	ck_assert_int_eq(ipc_event_is_set(&sh->ev), 0);
	ck_assert_int_eq(ipc_event_set(&sh->ev, &sh->deadline), 0);
	ck_assert_int_eq(ipc_event_is_set(&sh->ev), 1);
	ck_assert_int_eq(ipc_event_wait(&sh->ev, &sh->deadline), 0);
	ck_assert_int_eq(ipc_event_wait(&sh->ev, &sh->deadline), 0);
	ck_assert_int_eq(ipc_event_clear(&sh->ev, &sh->deadline), 0);
	ck_assert_int_eq(ipc_event_is_set(&sh->ev), 0);
	ck_assert_int_eq(ipc_event_waiters(&sh->ev, &n, &sh->deadline), 0);
	ck_assert_uint_eq(n, 0);
	teardown(&r, sh, 1);
}
END_TEST

START_TEST(wait_times_out)
{
	struct timespec deadline;
	struct ipc_region r;
	struct shared *sh = setup(&r);
	uint64_t t0, elapsed;
	unsigned n = 99;

	/* Nobody sets it: the wait ends at its deadline, not before. */
	t0 = ipc_now_ns();
	ipc_deadline(&deadline, SHORT_NS);
	ck_assert_int_eq(ipc_event_wait(&sh->ev, &deadline), ETIMEDOUT);
	elapsed = ipc_now_ns() - t0;
	ck_assert_uint_ge(elapsed, SHORT_NS);
	ck_assert_uint_lt(elapsed, LATE_NS);
	ck_assert_int_eq(ipc_event_waiters(&sh->ev, &n, &sh->deadline), 0);
	ck_assert_uint_eq(n, 0);
	teardown(&r, sh, 1);
}
END_TEST

/* Poll until every waiter of this round is inside its wait. */
static int
waiters_in(struct shared *sh)
{
	unsigned n = 0;
	int rc;

	while ((rc = ipc_event_waiters(&sh->ev, &n, &sh->deadline)) == 0 &&
	    n < WAITERS) {
		if (ipc_expired(&sh->deadline))
			return ETIMEDOUT;
		ms_sleep(1);
	}
	return rc;
}

/* Party WAITERS: per round, when all wait, set and clear at once (a pulse). */
static int
pulser(struct shared *sh)
{
	int round, rc;

	for (round = 0; round < ROUNDS; round++) {
		if ((rc = flag_wait(&sh->woken, round * WAITERS,
		    REAP_MS)) != 0 ||
		    (rc = waiters_in(sh)) != 0)
			return rc;
		atomic_store(&sh->released, round + 1);
		if ((rc = ipc_event_set(&sh->ev, &sh->deadline)) != 0 ||
		    (rc = ipc_event_clear(&sh->ev, &sh->deadline)) != 0)
			return rc;
		atomic_store(&sh->cleared, round + 1);
	}
	return 0;
}

static int
pulse_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int round, rc;

	if (id == WAITERS)
		return pulser(sh);
	for (round = 0; round < ROUNDS; round++) {
		if ((rc = ipc_event_wait(&sh->ev, &sh->deadline)) != 0)
			return rc;
		if (atomic_load(&sh->released) <= round)
			atomic_fetch_add(&sh->early, 1);
		atomic_fetch_add(&sh->woken, 1);
		/* A set event lets waits through: go on once it is clear. */
		if ((rc = flag_wait(&sh->cleared, round + 1, REAP_MS)) != 0)
			return rc;
	}
	return 0;
}

START_TEST(pulse_wakes_all)
{
	struct ipc_region r;
	struct shared *sh = setup(&r);
	unsigned procs = _i == 0 ? WAITERS + 1 : 0;

	ck_assert_int_eq(parties_run(procs, procs ? 1 : WAITERS + 1,
	    pulse_party, sh), 0);
	ck_assert_int_eq(atomic_load(&sh->woken), ROUNDS * WAITERS);
	ck_assert_int_eq(atomic_load(&sh->early), 0);
	ck_assert_int_eq(ipc_event_is_set(&sh->ev), 0);
	teardown(&r, sh, 1);
}
END_TEST

/* The idle hook: the third call sets the event (as another task would). */
static void
idle_set(void *arg)
{
	struct shared *sh = arg;

	if (++sh->idles == 3)
		ck_assert_int_eq(ipc_event_set(&sh->ev, &sh->deadline), 0);
}

static void
idle_count(void *arg)
{
	struct shared *sh = arg;

	sh->idles++;
	ms_sleep(1);
}

START_TEST(idle_never_blocks)
{
	struct timespec deadline;
	struct ipc_region r;
	struct shared *sh = setup(&r);

	ck_assert_int_eq(ipc_event_wait_idle(&sh->ev, &sh->deadline, idle_set,
	    sh), 0);
	ck_assert_uint_eq(sh->idles, 3);
	ck_assert_int_eq(ipc_event_clear(&sh->ev, &sh->deadline), 0);
	sh->idles = 0;
	ipc_deadline(&deadline, SHORT_NS);
	ck_assert_int_eq(ipc_event_wait_idle(&sh->ev, &deadline, idle_count,
	    sh), ETIMEDOUT);
	ck_assert_uint_gt(sh->idles, 1);
	teardown(&r, sh, 1);
}
END_TEST

static int
lock_and_die(void *arg, unsigned id)
{
	struct shared *sh = arg;

	(void)id;
	return ipc_mutex_lock(&sh->ev.m, &sh->deadline);
}

START_TEST(dead_owner_taken_over)
{
	struct ipc_region r;
	struct shared *sh = setup(&r);

	/* A process ends holding the event's lock: the next call takes over. */
	ck_assert_int_eq(parties_run(1, 1, lock_and_die, sh), 0);
	ck_assert_int_eq(ipc_event_set(&sh->ev, &sh->deadline), 0);
	ck_assert_uint_eq(atomic_load(&sh->ev.owner_deaths), 1);
	ck_assert_int_eq(ipc_event_wait(&sh->ev, &sh->deadline), 0);
	ck_assert_uint_eq(atomic_load(&sh->ev.owner_deaths), 1);
	teardown(&r, sh, 0);
}
END_TEST

Suite *
ipc_event_suite(void)
{
	Suite *s = suite_create("ipc_event");
	TCase *tc = tcase_create("event");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_test(tc, set_then_wait);
	tcase_add_test(tc, wait_times_out);
	tcase_add_loop_test(tc, pulse_wakes_all, 0, 2);
	tcase_add_test(tc, idle_never_blocks);
	tcase_add_test(tc, dead_owner_taken_over);
	suite_add_tcase(s, tc);
	return s;
}
