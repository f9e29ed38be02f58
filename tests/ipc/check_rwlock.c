/*
 * check_rwlock.c - ipc/rwlock: readers in two processes hold the lock at
 * once, a writer is kept out by a reader (and a reader by a writer) until
 * its deadline, writers under wrlock keep an exact count that readers never
 * see half-done, and the writer-preferring kind turns new readers away.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "../../ipc/rwlock.h"
#include "../tests.h"

#define ITERS		20000
#define READS		5000
#define SHORT_NS	(50 * NS_PER_MS)
#define LATE_NS		(3000 * NS_PER_MS)

struct shared {
	pthread_rwlock_t	 l;
	struct timespec		 deadline;
	volatile uint64_t	 a, b;		/* a writer moves both, one by one */
	unsigned		 writers;	/* parties below this one write */
	atomic_uint		 torn;		/* reads that saw a != b */
	atomic_int		 readers;	/* holding a read lock now */
	atomic_int		 holding;
	atomic_int		 release;
	atomic_int		 writer_tid;
	int			 rc, rc2;
	uint64_t		 elapsed;
};

static struct shared *
setup(struct ipc_region *r, enum ipc_rwlock_pref pref)
{
	struct shared *sh = shared_alloc(r, sizeof(*sh));

	ck_assert_int_eq(ipc_rwlock_init(&sh->l, pref), 0);
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);
	return sh;
}

static void
teardown(struct ipc_region *r, struct shared *sh)
{
	ipc_rwlock_destroy(&sh->l);
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

/* Hold a read lock until the other reader holds one too. */
static int
overlap_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc, wrc;

	(void)id;
	if ((rc = ipc_rwlock_rdlock(&sh->l, &sh->deadline)) != 0)
		return rc;
	atomic_fetch_add(&sh->readers, 1);
	wrc = flag_wait(&sh->readers, 2, 2000);
	rc = ipc_rwlock_unlock(&sh->l);
	return wrc != 0 ? wrc : rc;
}

/* _i 0: two processes, 1: two threads. */
START_TEST(readers_overlap)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_RWLOCK_PREFER_READER);

	ck_assert_int_eq(parties_run(_i ? 0 : 2, _i ? 2 : 1, overlap_party, sh), 0);
	ck_assert_int_eq(atomic_load(&sh->readers), 2);
	teardown(&r, sh);
}
END_TEST

/* A lock attempt with a short deadline: its result and how long it took. */
static int
timed_attempt(struct shared *sh, int write, uint64_t *elapsed)
{
	struct timespec deadline;
	uint64_t t0 = ipc_now_ns();
	int rc;

	ipc_deadline(&deadline, SHORT_NS);
	rc = write ? ipc_rwlock_wrlock(&sh->l, &deadline) :
	    ipc_rwlock_rdlock(&sh->l, &deadline);
	*elapsed = ipc_now_ns() - t0;
	return rc;
}

/*
 * Party 0 holds the lock (read if sh->writers is 0, else write) until told;
 * party 1 meanwhile tries a write lock, then a read lock, with short deadlines.
 */
static int
exclude_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	uint64_t elapsed;
	int rc;

	if (id == 0) {
		rc = sh->writers ? ipc_rwlock_wrlock(&sh->l, &sh->deadline) :
		    ipc_rwlock_rdlock(&sh->l, &sh->deadline);
		if (rc != 0)
			return rc;
		atomic_store(&sh->holding, 1);
		rc = flag_wait(&sh->release, 1, REAP_MS);
		return ipc_rwlock_unlock(&sh->l) != 0 ? 201 : rc;
	}
	if ((rc = flag_wait(&sh->holding, 1, REAP_MS)) != 0)
		return rc;
	sh->rc = timed_attempt(sh, 1, &sh->elapsed);
	if (sh->rc == 0)
		ipc_rwlock_unlock(&sh->l);
	sh->rc2 = timed_attempt(sh, 0, &elapsed);
	if (sh->rc2 == 0)
		ipc_rwlock_unlock(&sh->l);
	atomic_store(&sh->release, 1);

	/* Once the holder is gone, the write lock is free. */
	if ((rc = ipc_rwlock_wrlock(&sh->l, &sh->deadline)) != 0)
		return rc;
	return ipc_rwlock_unlock(&sh->l);
}

/* _i 0,1: a reader holds (processes, threads); 2,3: a writer holds. */
START_TEST(exclusion)
{
	struct ipc_region r;
	struct shared *sh = setup(&r, IPC_RWLOCK_PREFER_READER);
	int threads = _i % 2;

	sh->writers = _i >= 2;
	ck_assert_int_eq(parties_run(threads ? 0 : 2, threads ? 2 : 1,
	    exclude_party, sh), 0);
	ck_assert_int_eq(sh->rc, ETIMEDOUT);
	ck_assert_uint_ge(sh->elapsed, SHORT_NS);
	ck_assert_uint_lt(sh->elapsed, LATE_NS);

	/* Readers share with a reader, never with a writer. */
	ck_assert_int_eq(sh->rc2, sh->writers ? ETIMEDOUT : 0);
	teardown(&r, sh);
}
END_TEST

/* Parties below sh->writers count under wrlock; the rest check under rdlock. */
static int
count_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	unsigned i;
	int rc;

	for (i = 0; i < (id < sh->writers ? ITERS : READS); i++) {
		if (id < sh->writers) {
			if ((rc = ipc_rwlock_wrlock(&sh->l, &sh->deadline)) != 0)
				return rc;
			sh->a++;
			sh->b++;
		} else {
			if ((rc = ipc_rwlock_rdlock(&sh->l, &sh->deadline)) != 0)
				return rc;
			if (sh->a != sh->b)
				atomic_fetch_add(&sh->torn, 1);
		}
		if ((rc = ipc_rwlock_unlock(&sh->l)) != 0)
			return rc;
	}
	return 0;
}

START_TEST(writers_exact)
{
	static const struct { unsigned writers, readers, procs; } shapes[] = {
		{ 2, 0, 1 }, { 2, 2, 1 }, { 3, 1, 1 }, { 2, 2, 0 },
	};
	struct ipc_region r;
	struct shared *sh = setup(&r, _i % 2 ? IPC_RWLOCK_PREFER_WRITER :
	    IPC_RWLOCK_PREFER_READER);
	unsigned n = shapes[_i].writers + shapes[_i].readers;

	sh->writers = shapes[_i].writers;
	ck_assert_int_eq(parties_run(shapes[_i].procs ? n : 0,
	    shapes[_i].procs ? 1 : n, count_party, sh), 0);
	ck_assert_uint_eq(sh->a, (uint64_t)sh->writers * ITERS);
	ck_assert_uint_eq(sh->b, sh->a);
	ck_assert_uint_eq(atomic_load(&sh->torn), 0);
	teardown(&r, sh);
}
END_TEST

/*
 * Party 0 reads until released; party 1 then asks for the write lock and
 * waits; once it sleeps, party 2, a new reader, tries with a short deadline.
 */
static int
pref_party(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int rc;

	if (id == 0) {
		if ((rc = ipc_rwlock_rdlock(&sh->l, &sh->deadline)) != 0)
			return rc;
		atomic_store(&sh->holding, 1);
		rc = flag_wait(&sh->release, 1, REAP_MS);
		return ipc_rwlock_unlock(&sh->l) != 0 ? 201 : rc;
	}
	if ((rc = flag_wait(&sh->holding, 1, REAP_MS)) != 0)
		return rc;
	if (id == 1) {
		atomic_store(&sh->writer_tid, gettid());
		if ((rc = ipc_rwlock_wrlock(&sh->l, &sh->deadline)) != 0)
			return rc;
		return ipc_rwlock_unlock(&sh->l);
	}
	if ((rc = flag_wait(&sh->writer_tid, 1, REAP_MS)) != 0 ||
	    (rc = task_asleep(atomic_load(&sh->writer_tid), REAP_MS)) != 0)
		return rc;
	sh->rc = timed_attempt(sh, 0, &sh->elapsed);
	if (sh->rc == 0)
		ipc_rwlock_unlock(&sh->l);
	atomic_store(&sh->release, 1);
	return 0;
}

/* _i 0,1: reader-preferring (processes, threads); 2,3: writer-preferring. */
START_TEST(preference)
{
	struct ipc_region r;
	int writer = _i >= 2, threads = _i % 2;
	struct shared *sh = setup(&r, writer ? IPC_RWLOCK_PREFER_WRITER :
	    IPC_RWLOCK_PREFER_READER);

	ck_assert_int_eq(parties_run(threads ? 0 : 3, threads ? 3 : 1,
	    pref_party, sh), 0);

	/* A waiting writer turns new readers away only when writers come first. */
	ck_assert_int_eq(sh->rc, writer ? ETIMEDOUT : 0);
	teardown(&r, sh);
}
END_TEST

Suite *
ipc_rwlock_suite(void)
{
	Suite *s = suite_create("ipc_rwlock");
	TCase *tc = tcase_create("rwlock");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, readers_overlap, 0, 2);
	tcase_add_loop_test(tc, exclusion, 0, 4);
	tcase_add_loop_test(tc, writers_exact, 0, 4);
	tcase_add_loop_test(tc, preference, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
