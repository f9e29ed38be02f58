/*
 * check_main.c - the one Check runner: every suite in suites.def, fork mode,
 * and a failure when no test ran at all (CK_RUN_SUITE/CK_RUN_CASE may
 * select a subset; selecting nothing is an error, not a pass).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests.h"

int
main(int argc, char *argv[], char *envp[])
{
	SRunner *sr = srunner_create(NULL);
	int run, failed;

	/* The run engine retitles process workers, as shmsync's main allows. */
	setproctitle_init(argc, argv, envp);

#define SUITE(n)	srunner_add_suite(sr, n##_suite());
#include "suites.def"
#undef SUITE

	srunner_set_fork_status(sr, CK_FORK);
	test_tmp_init();
	srunner_run_all(sr, CK_NORMAL);
	test_tmp_fini();
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (run == 0) {
		fprintf(stderr, "check_shmsync: no test ran\n");
		return 1;
	}
	return failed == 0 ? 0 : 1;
}
