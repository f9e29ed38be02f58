/*
 * check_crawler.c - the crawler demo (workers/crawler.c), as threads and as
 * processes: every page reachable from page 0 fetched exactly once, the
 * reachable set found here by a walk of the same generated web; duplicates
 * without a guard on the visited set; a worker killed mid-crawl releases
 * the others.
 */
#include <stdlib.h>

#include "../../workers/graph.h"
#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

/* The pages reachable from page 0 of the web (seed, pages, links), depth first. */
static uint64_t
walk(uint64_t seed, uint32_t pages, unsigned links)
{
	uint32_t *stack = malloc(pages * sizeof(*stack)), p, c, top = 0;
	unsigned char *seen = calloc(pages, 1);
	uint64_t n = 1;
	unsigned k;

	ck_assert(stack != NULL && seen != NULL);
	seen[0] = 1;
	stack[top++] = 0;
	while (top > 0) {
		p = stack[--top];
		for (k = 0; k < links; k++) {
			c = graph_link(seed, pages, p, k);
			if (seen[c])
				continue;
			seen[c] = 1;
			stack[top++] = c;
			n++;
		}
	}
	free(stack);
	free(seen);
	return n;
}

static const struct web {
	unsigned	 seed, pages, links;
} webs[] = { { 1, 500, 2 }, { 42, 4000, 3 }, { 7, 3000, 1 } };

/* With a lock or a lock-free set: exactly the reachable pages, each once. */
START_TEST(crawler_once)
{
	static const char *const set[] = { "lock", "lockfree" };
	const struct web *w;
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t want;
	unsigned k;

	for (k = 0; k < sizeof(webs) / sizeof(webs[0]); k++) {
		w = &webs[k];
		want = walk(w->seed, w->pages, w->links);
		run_json(&c, row, "crawler -w 3 --seed %u -p %u -l %u -s %s -m %s",
		    w->seed, w->pages, w->links, set[_i / 2], modes[_i % 2]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "reachable"), want);
		ck_assert_uint_eq(jnum(&row[0], "expected"), want);
		ck_assert_uint_eq(jnum(&row[0], "fetched"), want);
		ck_assert_uint_eq(jnum(&row[0], "duplicates"), 0);
		ck_assert_uint_eq(jnum(&row[0], "missed"), 0);
		ck_assert_uint_eq(jnum(&row[0], "stray"), 0);
		ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
		cmd_free(&c);
	}
}
END_TEST

/* By hand: a web of one page links only to itself, whatever the links. */
START_TEST(crawler_tiny)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "crawler -w 2 -p 1 -l 4 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "reachable"), 1);
	ck_assert_uint_eq(jnum(&row[0], "fetched"), 1);
	ck_assert_uint_eq(jnum(&row[0], "duplicates"), 0);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/*
 * Check, yield, mark: two workers claim one page and both fetch it.  Every
 * reachable page is still fetched, none unreachable; the duplicates depend
 * on the schedule, so up to three tries.
 */
START_TEST(crawler_duplicates)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;
	uint64_t want = walk(9, 4000, 8), dup = 0;
	int tries;

	for (tries = 0; tries < 3 && dup == 0; tries++) {
		run_json(&c, row, "crawler -w 4 --seed 9 -p 4000 -l 8 -s none -m %s",
		    modes[_i]);
		expect(&c, 0);
		ck_assert_uint_eq(jnum(&row[0], "fetched"), want);
		ck_assert_uint_eq(jnum(&row[0], "missed"), 0);
		ck_assert_uint_eq(jnum(&row[0], "stray"), 0);
		dup = jnum(&row[0], "duplicates");
		ck_assert_str_eq(jstr(&row[0], "verdict"), dup > 0 ? "race" : "ok");
		cmd_free(&c);
	}
	ck_assert_uint_gt(dup, 0);
}
END_TEST

START_TEST(crawler_both_modes)
{
	both_modes_verdict("crawler", "ok");
}
END_TEST

/* A worker killed mid-crawl leaves pages outstanding: the others are released. */
START_TEST(crawler_released)
{
	expect_released("crawler -p 200000 -l 2 --inject kill@1:5", modes[_i]);
}
END_TEST

START_TEST(crawler_bad_input)
{
	static const char *const bad[] = {
		"crawler -p 0", "crawler -p 1048577", "crawler -l 0", "crawler -l 17",
		"crawler -s mutex", "crawler -w 0",
		"crawler -s none -p 1048576 -w 32",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_crawler_suite(void)
{
	Suite *s = suite_create("demo_crawler");
	TCase *tc = tcase_in(s, "crawler", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, crawler_once, 0, 4);
	tcase_add_loop_test(tc, crawler_tiny, 0, 2);
	tcase_add_loop_test(tc, crawler_duplicates, 0, 2);
	tcase_add_test(tc, crawler_both_modes);
	tcase_add_loop_test(tc, crawler_bad_input, 0, 7);
	tc = tcase_in(s, "killed", TEST_TIMEOUT, 1);
	tcase_add_loop_test(tc, crawler_released, 0, 2);
	return s;
}
