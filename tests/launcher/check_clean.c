/*
 * check_clean.c - launcher/clean.c, `shmsync clean`: it removes the names
 * a dead launcher left (regions and semaphores), and nothing else: not a
 * live launcher's, not a zombie's until it is reaped, not another user's,
 * not those of a pid reused by a younger process.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../ipc/ipc.h"
#include "../tests.h"

static void
touch(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);

	ck_assert_msg(fd != -1, "%s: %s", path, strerror(errno));
	close(fd);
}

/* A child that ended, and its start time: reaped, or left a zombie. */
static pid_t
ended_child(unsigned long long *start, int zombie)
{
	siginfo_t si;
	int go[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1);
	}
	ck_assert_int_eq(ipc_proc_start(pid, start), 0);
	close(go[1]);
	close(go[0]);
	ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WEXITED |
	    (zombie ? WNOWAIT : 0)), 0);
	return pid;
}

/* shmsync clean; which of the names exist afterwards, as a bit mask; its output. */
static unsigned
clean_leaves(char names[][160], int n, char *out, size_t len)
{
	unsigned left = 0;
	struct cmd c;
	int i;

	ck_assert_int_eq(cmd_runf(&c, "clean"), 0);
	snprintf(out, len, "exit %d: %s", c.status, c.out);
	if (c.status != 0)
		left = ~0u;
	for (i = 0; i < n; i++)
		if (access(names[i], F_OK) == 0)
			left |= 1u << i;
	cmd_free(&c);
	return left;
}

enum { LIVE, ZOMBIE, OTHER, REUSED, DEAD, DEAD_SEM, NNAMES };

/* clean removes stale names of ours, and nothing else.  Unlink all, then assert. */
START_TEST(clean_exact)
{
	static const char *const what[] = { "live", "zombie", "other", "reused",
	    "dead", "dead" };
	char names[NNAMES][160], line[256], out1[1024], out2[1024];
	unsigned long long me, ds, zs;
	unsigned left1, left2, foreign = 0;
	pid_t dpid, zpid;
	struct cmd c;
	int i;

	ck_assert_int_eq(ipc_proc_start(getpid(), &me), 0);
	dpid = ended_child(&ds, 0);
	zpid = ended_child(&zs, 1);
	shm_name(names[LIVE], 160, "", getpid(), me, 900, what[LIVE]);
	shm_name(names[ZOMBIE], 160, "", zpid, zs, 901, what[ZOMBIE]);
	shm_name(names[OTHER], 160, "", dpid, ds, 902, what[OTHER]);
	shm_name(names[REUSED], 160, "", getpid(), me + 1, 903, what[REUSED]);
	shm_name(names[DEAD], 160, "", dpid, ds, 904, what[DEAD]);
	shm_name(names[DEAD_SEM], 160, "sem.", dpid, ds, 905, what[DEAD_SEM]);
	for (i = 0; i < NNAMES; i++)
		if (i != OTHER)
			touch(names[i]);
	snprintf(line, sizeof(line), NOBODY " touch %s", names[OTHER]);
	if (can_be_nobody()) {
		ck_assert_int_eq(sh(&c, line), 0);
		cmd_free(&c);
		foreign = 1u << OTHER;
	} else
		fprintf(stderr, "clean: skipped: clean_exact: no name of another user "
		    "(setpriv impossible)\n");

	/* Then the zombie is reaped: its launcher is dead now. */
	left1 = clean_leaves(names, NNAMES, out1, sizeof(out1));
	waitpid(zpid, NULL, 0);
	left2 = clean_leaves(names, NNAMES, out2, sizeof(out2));
	for (i = 0; i < NNAMES; i++)
		unlink(names[i]);
	ck_assert_msg(left1 == ((1u << LIVE) | (1u << ZOMBIE) | foreign),
	    "first clean left %#x, want live, zombie, other's; %s", left1, out1);
	ck_assert_msg(left2 == ((1u << LIVE) | foreign),
	    "second clean left %#x, want live, other's; %s", left2, out2);
	ck_assert_ptr_nonnull(strstr(out1, names[DEAD] + 9));
	ck_assert_ptr_nonnull(strstr(out1, names[DEAD_SEM] + 9));
	ck_assert_ptr_nonnull(strstr(out1, "launcher pid reused"));
	no_orphans();
}
END_TEST

Suite *
launcher_clean_suite(void)
{
	Suite *s = suite_create("launcher_clean");
	TCase *tc = tcase_in(s, "clean", TEST_TIMEOUT, 1);

	tcase_add_test(tc, clean_exact);
	return s;
}
