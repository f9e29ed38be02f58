/*
 * tests.h - what the Check suites share: suite constructors (from
 * suites.def), the leftover-name probe, a runner for the built binary, and
 * parties (forked processes or threads) reaped within a deadline.
 */
#ifndef TESTS_TESTS_H
#define TESTS_TESTS_H

#include <sys/types.h>

#include <check.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../ipc/region.h"

#define SUITE(n)	Suite *n##_suite(void);
#include "suites.def"
#undef SUITE

#define TEST_TIMEOUT	60	/* seconds per test; a deadlock fails, not hangs */
#define NS_PER_MS	1000000ull
#define REAP_MS		5000	/* the longest a test waits for its parties */
#define MAX_PARTIES	64

/*
 * One party of a multi-process or multi-thread test, numbered from 0: returns
 * 0 or a code (an errno value, or 200+ for a broken invariant) that becomes
 * the exit status of a forked party.  Parties never call ck_assert.
 */
typedef int party_fn(void *, unsigned);

/* What a command printed and how it ended. */
struct cmd {
	int	 status;	/* exit code, or 128+N if killed by signal N */
	pid_t	 pid;
	char	*out;		/* NUL-terminated */
	char	*err;
	size_t	 outlen, errlen;
};

int	 shm_leftovers(pid_t);
int	 cmd_run(struct cmd *, const char *const *);
int	 cmd_runf(struct cmd *, const char *, ...);
void	 cmd_free(struct cmd *);
const char *shmsync_path(void);
int	 count_lines(const char *);
int	 dir_entries(const char *);

void	*shared_alloc(struct ipc_region *, size_t);
int	 procs_start(pid_t *, unsigned, party_fn *, void *);
int	 procs_reap(const pid_t *, unsigned, int *);
int	 parties_run(unsigned, unsigned, party_fn *, void *);
int	 flag_wait(atomic_int *, int, unsigned);
int	 task_asleep(pid_t, unsigned);
void	 ms_sleep(unsigned);

#endif /* TESTS_TESTS_H */
