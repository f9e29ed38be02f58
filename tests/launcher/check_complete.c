/*
 * check_complete.c - launcher/complete.c, `shmsync completion bash`: the
 * script parses, offers every demo and every option of each, and in bash
 * each keyword option completes to exactly its keywords.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../workers/worker.h"
#include "../tests.h"

/* The script parses (bash -n), and names every demo and every option of each. */
START_TEST(completion_complete)
{
	char path[] = "/tmp/shmsync-completion.XXXXXX", want[64];
	const char *argv[] = { "/bin/bash", "-n", path, NULL };
	const struct worker *const *w;
	const struct optdef *o;
	struct cmd c, b;
	int fd;

	ck_assert_int_eq(cmd_runf(&c, "completion bash"), 0);
	expect(&c, 0);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, c.out, c.outlen), (ssize_t)c.outlen);
	close(fd);
	ck_assert_int_eq(cmd_run(&b, argv), 0);
	unlink(path);
	ck_assert_msg(b.status == 0, "bash -n: %s", b.err);
	cmd_free(&b);
	for (w = workers; *w != NULL; w++) {
		snprintf(want, sizeof(want), "\n\t%s)\n", (*w)->name);
		ck_assert_msg(strstr(c.out, want) != NULL, "no arm for %s", (*w)->name);
		for (o = (*w)->opts; o->name != NULL; o++) {
			snprintf(want, sizeof(want), " --%s ", o->name);
			ck_assert_msg(strstr(c.out, want) != NULL, "%s: no %s",
			    (*w)->name, want);
		}
	}
	ck_assert_ptr_nonnull(strstr(c.out, "complete -F _shmsync shmsync"));
	cmd_free(&c);
}
END_TEST

/* In bash: what each demo's keyword option completes to is exactly its keywords. */
START_TEST(completion_in_bash)
{
	char path[] = "/tmp/shmsync-completion.XXXXXX", want[512];
	const char *argv[] = { "/bin/bash", path, NULL };
	const struct worker *const *w;
	const struct optdef *o;
	const char *const *k;
	struct cmd c;
	FILE *f;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fprintf(f, "source <(%s completion bash) || exit 1\n"
	    "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _shmsync;"
	    " echo \"<${COMPREPLY[*]}>\"; }\n", shmsync_path());
	for (w = workers; *w != NULL; w++)
		for (o = (*w)->opts; o->name != NULL; o++)
			if (o->choices != NULL)
				fprintf(f, "t shmsync %s --%s ''\n", (*w)->name, o->name);
	fprintf(f, "t shmsync sweep counter --rep\nt shmsync counter --color = al\n"
	    "t shmsync sweep queue --mode b\nt shmsync counter -n ''\nt shmsync swe\n");
	fclose(f);
	ck_assert_int_eq(cmd_run(&c, argv), 0);
	unlink(path);
	ck_assert_msg(c.status == 0, "bash: %s", c.err);
	for (w = workers; *w != NULL; w++)
		for (o = (*w)->opts; o->name != NULL; o++) {
			if (o->choices == NULL)
				continue;
			strlcpy(want, "<", sizeof(want));
			for (k = o->choices; *k != NULL; k++)
				snprintf(want + strlen(want), sizeof(want) - strlen(want),
				    "%s%s", k == o->choices ? "" : " ", *k);
			strlcat(want, ">\n", sizeof(want));
			ck_assert_msg(strstr(c.out, want) != NULL, "%s --%s: want %s in %s",
			    (*w)->name, o->name, want, c.out);
		}
	ck_assert_msg(strstr(c.out, "<--repeat>\n<always>\n<both>\n<>\n<sweep>\n") != NULL,
	    "%s", c.out);
	cmd_free(&c);
}
END_TEST

START_TEST(completion_bad)
{
	expect_usage("completion zsh", NULL);
}
END_TEST

Suite *
launcher_complete_suite(void)
{
	Suite *s = suite_create("launcher_complete");
	TCase *tc = tcase_in(s, "completion", CLI_TIMEOUT, 0);

	tcase_add_test(tc, completion_complete);
	tcase_add_test(tc, completion_in_bash);
	tcase_add_test(tc, completion_bad);
	return s;
}
