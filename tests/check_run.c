/*
 * check_run.c - the run engine (launcher/run.c) driven in-process, as
 * all, sweep and bench drive it: many failing runs in one launcher give
 * back every mapping and descriptor they took (release runs after every
 * run, failed or not), and a copy of the launcher never starts a run.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../launcher/run.h"
#include "tests.h"

#define FAILING_RUNS	12

/* Lines of /proc/self/maps: every mapping this process holds. */
static int
mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	ck_assert_ptr_nonnull(f);
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* DEMO's defaults with OPT set to the keyword CHOICE, and one --inject fault. */
static void
params_for(struct params *p, const struct worker *w, const char *opt,
    const char *choice, const char *inject)
{
	int i, k;

	memset(p, 0, sizeof(*p));
	p->demo = w;
	for (i = 0; w->opts[i].name != NULL; i++)
		p->v[i] = w->opts[i].def;
	ck_assert_int_ge(i = worker_opt(w, opt), 0);
	for (k = 0; w->opts[i].choices[k] != NULL &&
	    strcmp(w->opts[i].choices[k], choice) != 0; k++)
		continue;
	ck_assert_ptr_nonnull(w->opts[i].choices[k]);
	p->v[i] = k;
	p->v[worker_opt(w, "workers")] = 3;
	p->modes = MODE_PROCESS;
	p->timeout = 20;
	p->seed = 1;
	ck_assert_ptr_null(inject_parse(p, inject));
	p->perturb = 1;
}

/*
 * The demos that hold private state (a named semaphore's mapping, a calloc)
 * each fail FAILING_RUNS times; the launcher's mappings and fds end where
 * they began.  Before release was split from destroy, each run leaked one
 * mapping.
 */
START_TEST(failed_runs_release)
{
	static const struct {
		const struct worker	*w;
		const char		*opt, *choice;
	} demo[] = {
		{ &worker_counter, "sync", "sem" },
		{ &worker_crash, "lock", "sem" },
	};
	struct result res;
	struct params p;
	int maps0, fds0, i;

	run_launcher_init();
	run_signals_init();
	params_for(&p, demo[_i].w, demo[_i].opt, demo[_i].choice, "kill@1:50");
	run_once(&p, 0, MODE_PROCESS, NULL, &res);	/* first-use allocations */
	maps0 = mappings();
	fds0 = dir_entries("/proc/self/fd");
	for (i = 0; i < FAILING_RUNS; i++) {
		run_once(&p, 0, MODE_PROCESS, NULL, &res);
		ck_assert_int_eq(res.verdict, VERDICT_FAIL);
	}
	ck_assert_int_eq(mappings(), maps0);
	ck_assert_int_eq(dir_entries("/proc/self/fd"), fds0);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}
END_TEST

/* A forked copy of the launcher that reaches the run engine leaves at once. */
START_TEST(copy_never_runs)
{
	struct result res;
	struct params p;
	pid_t pid;
	int st;

	run_launcher_init();
	run_signals_init();
	params_for(&p, &worker_counter, "sync", "mutex", "kill@1:50");
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		run_once(&p, 0, MODE_PROCESS, NULL, &res);
		_exit(42);	/* it ran: the guard failed */
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
}
END_TEST

Suite *
run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, TEST_TIMEOUT);
	tcase_add_loop_test(tc, failed_runs_release, 0, 2);
	tcase_add_test(tc, copy_never_runs);
	suite_add_tcase(s, tc);
	return s;
}
