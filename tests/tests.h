/*
 * tests.h - what the Check suites share: suite constructors (from
 * suites.def), the leftover-name probe, a runner for the built binary and
 * what its runs must show (exit status, CSV cells, strict JSON Lines), and
 * parties (forked processes or threads) reaped within a deadline.
 */
#ifndef TESTS_TESTS_H
#define TESTS_TESTS_H

#include <sys/types.h>

#include <check.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../ipc/region.h"

#define SUITE(n)	Suite *n##_suite(void);
#include "suites.def"
#undef SUITE

#define TEST_TIMEOUT	60	/* seconds per test; a deadlock fails, not hangs */
#define NS_PER_MS	1000000ull
#define REAP_MS		5000	/* the longest a test waits for its parties */
#define MAX_PARTIES	64
#define CLI_TIMEOUT	30	/* seconds per end-to-end test; most runs bound theirs with -T */
#define MAX_ROWS	32	/* result lines one command may print */
#define MAX_CELLS	48	/* cells in one CSV line */
#define NOBODY		"setpriv --reuid=65534 --regid=65534 --clear-groups"

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

enum jtype { J_STR, J_NUM, J_BOOL, J_NULL, J_OBJ };

/* One member of a JSON Lines object: a string decoded, anything else as written. */
struct jfield {
	char		key[32];
	enum jtype	type;
	char		val[640];	/* explore's shortest schedules */
};

struct jobj {
	int		n;
	struct jfield	f[48];
	char		err[96];	/* why the line is not a JSON object */
};

/* cli/json.c: a strict parser for one JSON Lines object. */
int		 json_object(const char *, struct jobj *);
const struct jfield *json_get(const struct jobj *, const char *);
uint64_t	 jnum(const struct jobj *, const char *);
double		 jdbl(const struct jobj *, const char *);
const char	*jstr(const struct jobj *, const char *);
int		 jbool(const struct jobj *, const char *);
const char	*jmember(const struct jobj *, const char *, const char *, char *,
		    size_t);

/* testutil.c: runs of the built binary and what they must show. */
void		 expect(struct cmd *, int);
void		 expect_coop(struct cmd *);
void		 expect_injected(const struct cmd *, const char *);
void		 expect_released(const char *, const char *);
void		 expect_timed(const char *);
void		 expect_usage(const char *, const char *);
void		 both_modes_verdict(const char *, const char *);
int		 run_json(struct cmd *, struct jobj *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 run_csv_both(struct cmd *, const char *);
int		 csv_split(char *, char **);
void		 csv_get(const char *, int, const char *, char *, size_t);
void		 csv_want(const char *, int, const char *, const char *);
uint64_t	 csv_num(const char *, int, const char *);
int		 pty_run(const char *, const char *, char *, size_t);
int		 sh(struct cmd *, const char *);
int		 can_be_nobody(void);
void		 subreaper(void);
void		 no_orphans(void);
void		 rm_tree(const char *);
void		 test_tmp_init(void);
void		 test_tmp_fini(void);
void		 test_track(const char *);
char		*test_mkdtemp(char *, size_t, const char *);
TCase		*tcase_in(Suite *, const char *, int, int);

int	 shm_leftovers(pid_t);
void	 shm_name(char *, size_t, const char *, pid_t, unsigned long long, int,
	    const char *);
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
