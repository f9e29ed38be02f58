/*
 * check_region.c - ipc/region: exclusive creation, mode 0600 whatever the
 * umask, attach by name, unlink (the name is gone, the mapping stays), and
 * sharing across fork.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../ipc/region.h"
#include "../tests.h"

START_TEST(create_unlink)
{
	struct ipc_region r;
	char path[128];
	struct stat st;

	umask(0);
	ck_assert_int_eq(ipc_region_create(&r, "test", 4096), 0);
	snprintf(path, sizeof(path), "/dev/shm%s", r.name);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, 4096);
	ck_assert_int_eq(shm_leftovers(getpid()), 1);

	/* Unlinked: the name is gone, the memory is still ours. */
	ck_assert_int_eq(ipc_region_unlink(&r), 0);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
	((volatile char *)r.base)[4095] = 1;
	ipc_region_destroy(&r);
	ck_assert_ptr_null(r.base);
}
END_TEST

START_TEST(names_unique)
{
	struct ipc_region a, b;

	ck_assert_int_eq(ipc_region_create(&a, "dup", 64), 0);
	ck_assert_int_eq(ipc_region_create(&b, "dup", 64), 0);
	ck_assert_str_ne(a.name, b.name);
	ck_assert_ptr_nonnull(strstr(a.name, "/shmsync."));
	ipc_region_destroy(&a);
	ipc_region_destroy(&b);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}
END_TEST

START_TEST(attach_sees_writes)
{
	struct ipc_region r, a;

	ck_assert_int_eq(ipc_region_create(&r, "attach", 8192), 0);
	ck_assert_int_eq(ipc_region_attach(&a, r.name), 0);
	ck_assert_uint_eq(a.size, 8192);
	((volatile uint64_t *)r.base)[7] = 0xfeedULL;
	ck_assert_uint_eq(((volatile uint64_t *)a.base)[7], 0xfeedULL);

	/* Destroying the attached copy must not remove the creator's name. */
	ipc_region_destroy(&a);
	ck_assert_int_eq(shm_leftovers(getpid()), 1);
	ipc_region_destroy(&r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
	ck_assert_int_eq(ipc_region_attach(&a, "/shmsync.no.such"), ENOENT);
}
END_TEST

START_TEST(attach_refuses_foreign_mode)
{
	struct ipc_region r, a;

	ck_assert_int_eq(ipc_region_create(&r, "mode", 64), 0);
	ck_assert_int_eq(shm_unlink(r.name), 0);
	{
		int fd = shm_open(r.name, O_RDWR | O_CREAT | O_EXCL, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(fchmod(fd, 0644), 0);
		ck_assert_int_eq(ftruncate(fd, 64), 0);
		close(fd);
	}
	ck_assert_int_eq(ipc_region_attach(&a, r.name), EPERM);
	shm_unlink(r.name);
	r.name[0] = '\0';
	ipc_region_destroy(&r);
}
END_TEST

START_TEST(shared_across_fork)
{
	struct ipc_region r;
	pid_t pid;
	int st;

	ck_assert_int_eq(ipc_region_create(&r, "fork", 4096), 0);
	ck_assert_int_eq(ipc_region_unlink(&r), 0);
	if ((pid = fork()) == 0) {
		((volatile int *)r.base)[0] = 42;
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(((volatile int *)r.base)[0], 42);
	ipc_region_destroy(&r);
}
END_TEST

START_TEST(zero_size_refused)
{
	struct ipc_region r;

	ck_assert_int_eq(ipc_region_create(&r, "zero", 0), EINVAL);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}
END_TEST

Suite *
ipc_region_suite(void)
{
	Suite *s = suite_create("ipc_region");
	TCase *tc = tcase_create("region");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_test(tc, create_unlink);
	tcase_add_test(tc, names_unique);
	tcase_add_test(tc, attach_sees_writes);
	tcase_add_test(tc, attach_refuses_foreign_mode);
	tcase_add_test(tc, shared_across_fork);
	tcase_add_test(tc, zero_size_refused);
	suite_add_tcase(s, tc);
	return s;
}
