/*
 * tests.h - what the Check suites share: suite constructors (from
 * suites.def), the leftover-name probe, and a runner for the built binary.
 */
#ifndef TESTS_TESTS_H
#define TESTS_TESTS_H

#include <sys/types.h>

#include <check.h>

#define SUITE(n)	Suite *n##_suite(void);
#include "suites.def"
#undef SUITE

#define TEST_TIMEOUT	60	/* seconds per test; a deadlock fails, not hangs */

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

#endif /* TESTS_TESTS_H */
