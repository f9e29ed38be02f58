/*
 * check_sem.c - ipc/sem: named semaphores created 0600 and exclusively
 * whatever the umask, unlinked early yet still shared across fork, waits
 * that end at their deadline and ride out signals (EINTR), and a counting
 * semaphore used as a lock between processes.  Nothing may stay in /dev/shm.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "../../ipc/sem.h"
#include "../tests.h"

#define ITERS		20000
#define SHORT_NS	(50 * NS_PER_MS)
#define LATE_NS		(3000 * NS_PER_MS)
#define SIGNALS		5		/* sent to a waiter, SIGNAL_MS apart */
#define SIGNAL_MS	20

struct shared {
	struct ipc_sem		 s;
	struct timespec		 deadline;
	uint64_t		 count;
	pid_t			 waiter;	/* who gets the signals */
	int			 post;		/* post after the signals */
};

static void
done(struct ipc_sem *s)
{
	ipc_sem_close(s);
	ck_assert_ptr_null(s->sem);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

/* Where sem_open keeps a name: /dev/shm/sem.<name without its '/'>. */
static void
sem_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/dev/shm/sem.%s", name + 1);
}

/*
 * Tests that need the name look, then unlink, then assert: a failing
 * assertion ends the test, and must not leave the name behind.
 */
START_TEST(mode_0600_any_umask)
{
	static const mode_t masks[] = { 0, 022, 0777 };
	int rc, src, named;
	struct ipc_sem s;
	struct stat st;
	char path[128];
	mode_t old, was;

	old = umask(masks[_i]);
	rc = ipc_sem_open(&s, "mode", 0);
	was = umask(old);
	sem_path(path, sizeof(path), s.name);
	src = stat(path, &st);
	named = shm_leftovers(getpid());
	done(&s);

	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(was, masks[_i]);	/* the caller's umask is back */
	ck_assert_int_eq(src, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_uid, geteuid());
	ck_assert_int_eq(named, 1);
	ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

START_TEST(exclusive)
{
	struct ipc_sem s;
	sem_t *again;
	int rc, e;

	rc = ipc_sem_open(&s, "excl", 0);
	again = sem_open(s.name, O_CREAT | O_EXCL, 0600, 0);
	e = errno;
	if (again != SEM_FAILED)
		sem_close(again);
	done(&s);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_eq(again, SEM_FAILED);
	ck_assert_int_eq(e, EEXIST);
}
END_TEST

/* The name ipc_name will give next: the same with the sequence number + 1. */
static void
next_name(char *buf, size_t len, const char *what)
{
	unsigned long long start;
	char probe[IPC_NAME_MAX];
	unsigned seq;
	long pid;

	ck_assert_int_eq(ipc_name(probe, sizeof(probe), what), 0);
	ck_assert_int_eq(sscanf(probe, "/" IPC_PREFIX "%ld.%llu.%u.", &pid, &start,
	    &seq), 3);
	snprintf(buf, len, "/" IPC_PREFIX "%ld.%llu.%u.%s", pid, start, seq + 1, what);
}

START_TEST(squatter_refused)
{
	int rc, vrc = EBADF, urc, named, v = -1;
	char name[IPC_NAME_MAX];
	struct ipc_sem s;
	sem_t *squat;

	/* Someone holds the next name: ipc_sem_open neither shares nor removes it. */
	next_name(name, sizeof(name), "squat");
	squat = sem_open(name, O_CREAT | O_EXCL, 0600, 5);
	rc = ipc_sem_open(&s, "squat", 0);
	if (squat != SEM_FAILED)
		vrc = ipc_sem_value(squat, &v);
	named = shm_leftovers(getpid());
	urc = sem_unlink(name);
	if (squat != SEM_FAILED)
		sem_close(squat);
	done(&s);

	ck_assert_ptr_ne(squat, SEM_FAILED);
	ck_assert_int_eq(rc, EEXIST);
	ck_assert_int_eq(vrc, 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(named, 1);
	ck_assert_int_eq(urc, 0);
}
END_TEST

START_TEST(bad_value)
{
	struct ipc_sem s;
	int rc, opened;

	rc = ipc_sem_open(&s, "big", (unsigned)SEM_VALUE_MAX + 1);
	opened = s.sem != NULL;
	done(&s);
	ck_assert_int_eq(rc, EINVAL);
	ck_assert_int_eq(opened, 0);
}
END_TEST

static int
post_once(void *arg, unsigned id)
{
	struct shared *sh = arg;

	(void)id;
	return ipc_sem_post(sh->s.sem);
}

static int
wait_once(void *arg, unsigned id)
{
	struct shared *sh = arg;

	(void)id;
	return ipc_sem_wait(sh->s.sem, &sh->deadline);
}

START_TEST(unlinked_still_shared)
{
	struct ipc_region r;
	struct shared *sh = shared_alloc(&r, sizeof(*sh));
	char path[128];
	struct stat st;
	pid_t pid;
	int v;

	ck_assert_int_eq(ipc_sem_open(&sh->s, "unlink", 0), 0);
	sem_path(path, sizeof(path), sh->s.name);
	ck_assert_int_eq(ipc_sem_unlink(&sh->s), 0);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(sh->s.name, "");
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
	ck_assert_int_eq(ipc_sem_unlink(&sh->s), 0);	/* once is enough */

	/* The name is gone; a forked child still shares it, both ways. */
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);
	ck_assert_int_eq(parties_run(1, 1, post_once, sh), 0);
	ck_assert_int_eq(ipc_sem_wait(sh->s.sem, &sh->deadline), 0);
	ck_assert_int_eq(procs_start(&pid, 1, wait_once, sh), 0);
	ck_assert_int_eq(ipc_sem_post(sh->s.sem), 0);
	ck_assert_int_eq(procs_reap(&pid, 1, NULL), 0);
	ck_assert_int_eq(ipc_sem_value(sh->s.sem, &v), 0);
	ck_assert_int_eq(v, 0);
	done(&sh->s);
	ipc_region_destroy(&r);
}
END_TEST

START_TEST(wait_times_out)
{
	struct timespec deadline;
	struct ipc_sem s;
	uint64_t t0, elapsed;
	int v;

	ck_assert_int_eq(ipc_sem_open(&s, "timeout", 0), 0);
	ck_assert_int_eq(ipc_sem_unlink(&s), 0);
	t0 = ipc_now_ns();
	ipc_deadline(&deadline, SHORT_NS);
	ck_assert_int_eq(ipc_sem_wait(s.sem, &deadline), ETIMEDOUT);
	elapsed = ipc_now_ns() - t0;
	ck_assert_uint_ge(elapsed, SHORT_NS);
	ck_assert_uint_lt(elapsed, LATE_NS);
	ck_assert_int_eq(ipc_sem_value(s.sem, &v), 0);
	ck_assert_int_eq(v, 0);
	done(&s);
}
END_TEST

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	(void)sig;
	caught++;
}

/* Once the waiter sleeps, interrupt it SIGNALS times; then maybe post. */
static int
interrupter(void *arg, unsigned id)
{
	struct shared *sh = arg;
	int i, rc;

	(void)id;
	if ((rc = task_asleep(sh->waiter, REAP_MS)) != 0)
		return rc;
	for (i = 0; i < SIGNALS; i++) {
		if (kill(sh->waiter, SIGUSR1) == -1)
			return errno;
		ms_sleep(SIGNAL_MS);
	}
	return sh->post ? ipc_sem_post(sh->s.sem) : 0;
}

/* _i 0: nobody posts, the wait ends at its deadline; 1: the child posts. */
START_TEST(wait_survives_signals)
{
	struct sigaction sa = { .sa_handler = on_signal }, old;
	struct ipc_region r;
	struct shared *sh = shared_alloc(&r, sizeof(*sh));
	int want = _i ? 0 : ETIMEDOUT;
	uint64_t t0, wait_ns;
	pid_t pid;

	/* No SA_RESTART: each signal ends the futex wait with EINTR. */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
	ck_assert_int_eq(ipc_sem_open(&sh->s, "eintr", 0), 0);
	ck_assert_int_eq(ipc_sem_unlink(&sh->s), 0);
	sh->waiter = getpid();
	sh->post = _i;
	wait_ns = (_i ? 3000 : 300) * NS_PER_MS;
	ck_assert_int_eq(procs_start(&pid, 1, interrupter, sh), 0);

	t0 = ipc_now_ns();
	ipc_deadline(&sh->deadline, wait_ns);
	ck_assert_int_eq(ipc_sem_wait(sh->s.sem, &sh->deadline), want);
	if (_i == 0)
		ck_assert_uint_ge(ipc_now_ns() - t0, wait_ns);
	ck_assert_int_eq(procs_reap(&pid, 1, NULL), 0);
	ck_assert_int_ge(caught, 1);
	ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);
	done(&sh->s);
	ipc_region_destroy(&r);
}
END_TEST

START_TEST(post_trywait_value)
{
	struct ipc_sem s;
	int v;

	ck_assert_int_eq(ipc_sem_open(&s, "value", 2), 0);
	ck_assert_int_eq(ipc_sem_unlink(&s), 0);
	ck_assert_int_eq(ipc_sem_value(s.sem, &v), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(ipc_sem_trywait(s.sem), 0);
	ck_assert_int_eq(ipc_sem_trywait(s.sem), 0);
	ck_assert_int_eq(ipc_sem_trywait(s.sem), EAGAIN);
	ck_assert_int_eq(ipc_sem_value(s.sem, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(ipc_sem_post(s.sem), 0);
	ck_assert_int_eq(ipc_sem_value(s.sem, &v), 0);
	ck_assert_int_eq(v, 1);
	done(&s);

	/* At the top, a post refuses rather than wraps. */
	ck_assert_int_eq(ipc_sem_open(&s, "max", SEM_VALUE_MAX), 0);
	ck_assert_int_eq(ipc_sem_unlink(&s), 0);
	ck_assert_int_eq(ipc_sem_post(s.sem), EOVERFLOW);
	ck_assert_int_eq(ipc_sem_value(s.sem, &v), 0);
	ck_assert_int_eq(v, SEM_VALUE_MAX);
	done(&s);
	done(&s);		/* closing twice is harmless */
}
END_TEST

static int
sem_counter(void *arg, unsigned id)
{
	struct shared *sh = arg;
	unsigned i;
	int rc;

	(void)id;
	for (i = 0; i < ITERS; i++) {
		if ((rc = ipc_sem_wait(sh->s.sem, &sh->deadline)) != 0)
			return rc;
		sh->count++;
		if ((rc = ipc_sem_post(sh->s.sem)) != 0)
			return rc;
	}
	return 0;
}

START_TEST(lock_counter_exact)
{
	static const struct { unsigned procs, threads; } shapes[] = {
		{ 2, 1 }, { 3, 1 }, { 2, 2 },
	};
	struct ipc_region r;
	struct shared *sh = shared_alloc(&r, sizeof(*sh));
	unsigned parties = shapes[_i].procs * shapes[_i].threads;
	int v;

	ck_assert_int_eq(ipc_sem_open(&sh->s, "lock", 1), 0);
	ck_assert_int_eq(ipc_sem_unlink(&sh->s), 0);
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);
	ck_assert_int_eq(parties_run(shapes[_i].procs, shapes[_i].threads,
	    sem_counter, sh), 0);
	ck_assert_uint_eq(sh->count, (uint64_t)parties * ITERS);
	ck_assert_int_eq(ipc_sem_value(sh->s.sem, &v), 0);
	ck_assert_int_eq(v, 1);
	done(&sh->s);
	ipc_region_destroy(&r);
}
END_TEST

Suite *
ipc_sem_suite(void)
{
	Suite *s = suite_create("ipc_sem");
	TCase *tc = tcase_create("sem");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, mode_0600_any_umask, 0, 3);
	tcase_add_test(tc, exclusive);
	tcase_add_test(tc, squatter_refused);
	tcase_add_test(tc, bad_value);
	tcase_add_test(tc, unlinked_still_shared);
	tcase_add_test(tc, wait_times_out);
	tcase_add_loop_test(tc, wait_survives_signals, 0, 2);
	tcase_add_test(tc, post_trywait_value);
	tcase_add_loop_test(tc, lock_counter_exact, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
