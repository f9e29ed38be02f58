/*
 * check_man.c - shmsync.1 against the code: the man page names every demo
 * of the registry and every subcommand, and `mandoc -Tlint` finds nothing
 * (skipped, and said so, where mandoc is not installed).
 */
#include <stdio.h>
#include <string.h>

#include "../../workers/worker.h"
#include "../tests.h"

/* The man page names every subcommand of the registry, and lints clean. */
START_TEST(man_page_complete)
{
	static const char *const extra[] = { "all", "bench", "clean", "list",
	    "help", "explain", "sweep", "completion" };
	const struct worker *const *w;
	const char *argv[] = { "/bin/sh", "-c", "command -v mandoc >/dev/null || "
	    "exit 77; mandoc -Tlint -Wwarning shmsync.1", NULL };
	char page[65536], want[64];
	struct cmd c;
	size_t n, i;
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen("shmsync.1", "r"));
	n = fread(page, 1, sizeof(page) - 1, f);
	fclose(f);
	page[n] = '\0';
	for (w = workers; *w != NULL; w++) {
		snprintf(want, sizeof(want), ".It Cm %s", (*w)->name);
		ck_assert_msg(strstr(page, want) != NULL, "man page: no %s", want);
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(want, sizeof(want), "Cm %s", extra[i]);
		ck_assert_msg(strstr(page, want) != NULL, "man page: no %s", want);
	}
	ck_assert_int_eq(cmd_run(&c, argv), 0);
	if (c.status == 77)
		fprintf(stderr, "man: skipped: mandoc not installed, man page not linted\n");
	else
		ck_assert_msg(c.status == 0 && c.outlen + c.errlen == 0,
		    "mandoc -Tlint: %s%s", c.out, c.err);
	cmd_free(&c);
}
END_TEST

Suite *
cli_man_suite(void)
{
	Suite *s = suite_create("cli_man");
	TCase *tc = tcase_in(s, "man", CLI_TIMEOUT, 0);

	tcase_add_test(tc, man_page_complete);
	return s;
}
