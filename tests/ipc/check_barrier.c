/*
 * check_barrier.c - ipc/barrier, both kinds, across processes and threads:
 * no party leaves round r before every party arrived at it, exactly one
 * IPC_BARRIER_SERIAL per round, ipc_barrier_arrive counts as a party, and
 * the poisonable kind ends at a deadline, breaking the barrier for all, or
 * releases every waiter with ECANCELED when poisoned.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "../../ipc/barrier.h"
#include "../tests.h"

#define ROUNDS		200
#define PARTIES		4
#define SHORT_NS	(50 * NS_PER_MS)
#define LONG_MS		4000		/* a deadline that must not be reached */
#define PROMPT_NS	(2000 * NS_PER_MS)	/* released long before LONG_MS */

struct shared {
	struct ipc_barrier	 b;
	struct timespec		 deadline;
	unsigned		 parties;	/* that run rounds_party */
	atomic_int		 arrived[ROUNDS];
	atomic_int		 serial[ROUNDS];
	atomic_int		 early;		/* left a round before all arrived */
	atomic_int		 tid[PARTIES];
	int			 rc[PARTIES];
	uint64_t		 left_ns[PARTIES];	/* when each party got rc */
	uint64_t		 event_ns;	/* the timeout, or the poison */
};

static struct shared *
setup(struct ipc_region *r, enum ipc_barrier_kind kind, unsigned parties,
    unsigned wait_ms)
{
	struct shared *sh = shared_alloc(r, sizeof(*sh));

	ck_assert_int_eq(ipc_barrier_init(&sh->b, kind, parties), 0);
	ipc_deadline(&sh->deadline, wait_ms * NS_PER_MS);
	return sh;
}

static void
teardown(struct ipc_region *r, struct shared *sh)
{
	ipc_barrier_destroy(&sh->b);
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

/* Every round: count the arrival, wait, then see that everyone had arrived. */
static int
rounds_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int r, rc;

	(void)id;
	for (r = 0; r < ROUNDS; r++) {
		atomic_fetch_add(&sh->arrived[r], 1);
		rc = ipc_barrier_wait(&sh->b, &sh->deadline);
		if (rc == IPC_BARRIER_SERIAL)
			atomic_fetch_add(&sh->serial[r], 1);
		else if (rc != 0)
			return rc;
		if (atomic_load(&sh->arrived[r]) != (int)sh->parties)
			atomic_fetch_add(&sh->early, 1);
	}
	return 0;
}

static void
check_rounds(struct shared *sh, int rounds)
{
	int r;

	ck_assert_int_eq(atomic_load(&sh->early), 0);
	for (r = 0; r < rounds; r++) {
		ck_assert_int_eq(atomic_load(&sh->arrived[r]), sh->parties);
		ck_assert_msg(atomic_load(&sh->serial[r]) == 1,
		    "round %d: %d serial waiters", r, atomic_load(&sh->serial[r]));
	}
}

/* _i / 3: the kind; _i % 3: 4 processes, 4 threads, 2 processes x 2 threads. */
START_TEST(round_order)
{
	static const struct { unsigned procs, threads; } shapes[] = {
		{ PARTIES, 1 }, { 0, PARTIES }, { 2, 2 },
	};
	enum ipc_barrier_kind kind = _i / 3 ? IPC_BARRIER_COND : IPC_BARRIER_PTHREAD;
	struct ipc_region r;
	struct shared *sh = setup(&r, kind, PARTIES, REAP_MS);

	sh->parties = PARTIES;
	ck_assert_int_eq(parties_run(shapes[_i % 3].procs, shapes[_i % 3].threads,
	    rounds_party, sh), 0);
	check_rounds(sh, ROUNDS);
	teardown(&r, sh);
}
END_TEST

/* Party 2 supervises: once both others arrived, it arrives and never waits. */
static int
arrive_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int r, rc;

	if (id < 2)
		return rounds_party(arg, id);
	for (r = 0; r < ROUNDS; r++) {
		if ((rc = flag_wait(&sh->arrived[r], 2, REAP_MS)) != 0)
			return rc;
		atomic_fetch_add(&sh->arrived[r], 1);
		if ((rc = ipc_barrier_arrive(&sh->b, &sh->deadline)) ==
		    IPC_BARRIER_SERIAL)
			atomic_fetch_add(&sh->serial[r], 1);
		else if (rc != 0)
			return rc;
	}
	return 0;
}

/* _i 0: processes, 1: threads. */
START_TEST(arrive_counts)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_BARRIER_COND, 3, REAP_MS);

	sh->parties = 3;
	ck_assert_int_eq(parties_run(_i ? 0 : 3, _i ? 3 : 1, arrive_party, sh), 0);
	check_rounds(sh, ROUNDS);
	teardown(&r, sh);
}
END_TEST

START_TEST(degenerate)
{
	struct ipc_region r;
	struct shared *sh = shared_alloc(&r, sizeof(*sh));
	int kind, i;

	ck_assert_int_eq(ipc_barrier_init(&sh->b, IPC_BARRIER_COND, 0), EINVAL);
	ck_assert_int_eq(ipc_barrier_init(&sh->b, IPC_BARRIER_PTHREAD, 0), EINVAL);
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);

	/* One party: every wait is a whole round, and serial. */
	for (kind = IPC_BARRIER_PTHREAD; kind <= IPC_BARRIER_COND; kind++) {
		ck_assert_int_eq(ipc_barrier_init(&sh->b, kind, 1), 0);
		for (i = 0; i < 3; i++)
			ck_assert_int_eq(ipc_barrier_wait(&sh->b, &sh->deadline),
			    IPC_BARRIER_SERIAL);
		ipc_barrier_destroy(&sh->b);
	}

	/* pthread's kind can be neither arrived at nor poisoned. */
	ck_assert_int_eq(ipc_barrier_init(&sh->b, IPC_BARRIER_PTHREAD, 2), 0);
	ck_assert_int_eq(ipc_barrier_arrive(&sh->b, &sh->deadline), EINVAL);
	ipc_barrier_poison(&sh->b);
	ipc_barrier_destroy(&sh->b);
	ck_assert_int_eq(ipc_barrier_init(&sh->b, IPC_BARRIER_PTHREAD, 1), 0);
	ipc_barrier_poison(&sh->b);
	ck_assert_int_eq(ipc_barrier_wait(&sh->b, &sh->deadline), IPC_BARRIER_SERIAL);
	teardown(&r, sh);
}
END_TEST

/* Wait with the long deadline; note what ended it, and when. */
static int
long_waiter(struct shared *sh, unsigned id)
{
	atomic_store(&sh->tid[id], gettid());
	sh->rc[id] = ipc_barrier_wait(&sh->b, &sh->deadline);
	sh->left_ns[id] = ipc_now_ns();
	return 0;
}

/* Party 0 waits long; once it sleeps, party 1 waits with a short deadline. */
static int
timeout_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	struct timespec deadline;
	uint64_t t0;
	int rc;

	if (id == 0)
		return long_waiter(sh, id);
	if ((rc = flag_wait(&sh->tid[0], 1, REAP_MS)) != 0 ||
	    (rc = task_asleep(atomic_load(&sh->tid[0]), REAP_MS)) != 0)
		return rc;
	t0 = ipc_now_ns();
	ipc_deadline(&deadline, SHORT_NS);
	sh->rc[id] = ipc_barrier_wait(&sh->b, &deadline);
	sh->event_ns = sh->left_ns[id] = ipc_now_ns();
	return sh->left_ns[id] - t0 >= SHORT_NS ? 0 : 202;
}

/*
 * _i bit 0: threads (else processes), bit 1: the hybrid kind (else cond).
 * Three parties, of which only two come.
 */
START_TEST(timeout_breaks)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, _i & 2 ? IPC_BARRIER_HYBRID :
	    IPC_BARRIER_COND, 3, LONG_MS);

	_i &= 1;
	ck_assert_int_eq(parties_run(_i ? 0 : 2, _i ? 2 : 1, timeout_party, sh), 0);
	ck_assert_int_eq(sh->rc[1], ETIMEDOUT);
	ck_assert_int_eq(sh->rc[0], ECANCELED);
	ck_assert_uint_lt(sh->left_ns[0], sh->event_ns + PROMPT_NS);

	/* Broken for good: later waits and arrivals are refused at once. */
	ck_assert_int_eq(ipc_barrier_wait(&sh->b, &sh->deadline), ECANCELED);
	ck_assert_int_eq(ipc_barrier_arrive(&sh->b, &sh->deadline), ECANCELED);
	teardown(&r, sh);
}
END_TEST

/* Parties 0..PARTIES-2 wait long; the last poisons once they all sleep. */
static int
poison_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	unsigned i;
	int rc;

	if (id < PARTIES - 1)
		return long_waiter(sh, id);
	for (i = 0; i < PARTIES - 1; i++)
		if ((rc = flag_wait(&sh->tid[i], 1, REAP_MS)) != 0 ||
		    (rc = task_asleep(atomic_load(&sh->tid[i]), REAP_MS)) != 0)
			return rc;
	sh->event_ns = ipc_now_ns();
	ipc_barrier_poison(&sh->b);
	return 0;
}

/* _i bit 0: threads (else processes), bit 1: the hybrid kind (else cond). */
START_TEST(poison_releases)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, _i & 2 ? IPC_BARRIER_HYBRID :
	    IPC_BARRIER_COND, PARTIES, LONG_MS);
	unsigned i;

	_i &= 1;
	ck_assert_int_eq(parties_run(_i ? 0 : PARTIES, _i ? PARTIES : 1,
	    poison_party, sh), 0);
	for (i = 0; i < PARTIES - 1; i++) {
		ck_assert_int_eq(sh->rc[i], ECANCELED);
		ck_assert_uint_lt(sh->left_ns[i], sh->event_ns + PROMPT_NS);
	}
	ck_assert_int_eq(ipc_barrier_wait(&sh->b, &sh->deadline), ECANCELED);
	ck_assert_int_eq(ipc_barrier_arrive(&sh->b, &sh->deadline), ECANCELED);
	teardown(&r, sh);
}
END_TEST

/*
 * The hybrid kind spins only while every party can have a CPU: with one
 * party more than the CPUs a waiter sleeps at once (spin_max 0).
 */
START_TEST(hybrid_spins_within_cpus)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct ipc_barrier b;

	ck_assert_int_eq(ipc_barrier_init(&b, IPC_BARRIER_HYBRID,
	    (unsigned)cpus + 1), 0);
	ck_assert_uint_eq(b.spin_max, 0);
	ipc_barrier_destroy(&b);
	ck_assert_int_eq(ipc_barrier_init(&b, IPC_BARRIER_HYBRID, 1), 0);
	ck_assert_uint_gt(b.spin_max, 0);
	ipc_barrier_destroy(&b);
}
END_TEST

Suite *
ipc_barrier_suite(void)
{
	Suite *s = suite_create("ipc_barrier");
	TCase *tc = tcase_create("barrier");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, round_order, 0, 6);
	tcase_add_loop_test(tc, arrive_counts, 0, 2);
	tcase_add_test(tc, degenerate);
	tcase_add_loop_test(tc, timeout_breaks, 0, 4);
	tcase_add_loop_test(tc, poison_releases, 0, 4);
	tcase_add_test(tc, hybrid_spins_within_cpus);
	suite_add_tcase(s, tc);
	return s;
}
