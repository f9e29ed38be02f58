/*
 * check_queue.c - the queue demo (workers/queue.c) in every mode: every
 * item taken exactly once (count, no duplicate, checksum) as threads,
 * processes and coop tasks, whatever the capacity; the fast paths (spin,
 * futex, batches, the spsc ring) at 8, 64 and 4096 bytes; the producers'
 * join; -t runs; and the options it refuses.
 */
#include <stdint.h>
#include <stdio.h>

#include "../tests.h"

static const char *const modes[] = { "thread", "process" };

static const struct {
	unsigned	 p, c, n, k;
} qcase[] = {
	{ 1, 1, 500, 1 },	/* one slot: every put waits for a get */
	{ 2, 3, 200, 1 },
	{ 3, 1, 150, 2 },
	{ 1, 4, 400, 3 },
	{ 4, 2, 300, 64 },
	{ 2, 2, 500, 1000 },	/* room for every item: no put ever waits */
};

/* Exactly once: as many taken as put, no duplicate, the checksum matches. */
START_TEST(queue_exactly_once)
{
	struct jobj rows[MAX_ROWS], *r;
	struct cmd c;
	uint64_t total = (uint64_t)qcase[_i].p * qcase[_i].n;
	int k;

	ck_assert_int_eq(run_json(&c, rows, "queue -p %u -c %u -n %u --capacity %u "
	    "--mode both -T 10", qcase[_i].p, qcase[_i].c, qcase[_i].n,
	    qcase[_i].k), 2);
	expect(&c, 0);
	for (k = 0; k < 2; k++) {
		r = &rows[k];
		ck_assert_str_eq(jstr(r, "mode"), modes[k]);
		ck_assert_uint_eq(jnum(r, "expected"), total);
		ck_assert_uint_eq(jnum(r, "observed"), total);
		ck_assert_uint_eq(jnum(r, "produced"), total);
		ck_assert_uint_eq(jnum(r, "consumed"), total);
		ck_assert_uint_eq(jnum(r, "duplicates"), 0);
		ck_assert_int_eq(jbool(r, "checksum_ok"), 1);
		ck_assert_str_eq(jstr(r, "verdict"), "ok");
		ck_assert_uint_eq(jnum(r, "workers"), qcase[_i].p + qcase[_i].c);
		ck_assert_uint_eq(jnum(r, "iterations"), qcase[_i].n);
		ck_assert_uint_eq(jnum(r, "capacity"), qcase[_i].k);
		if (qcase[_i].k >= total)
			ck_assert_uint_eq(jnum(r, "full_waits"), 0);
	}
	cmd_free(&c);
}
END_TEST

/* Every fast path x item size, both modes: each item once, whole. */
START_TEST(queue_fast_paths_exact)
{
	static const char *const paths[] = {
		"-p 2 -c 2",			/* mpmc, spin then futex */
		"-p 2 -c 2 --spin 0",		/* mpmc, futex only */
		"-p 3 -c 2 -b 7",		/* mpmc, batches */
		"-q spsc -p 1 -c 1",		/* lock-free ring */
		"-q spsc -p 1 -c 1 -b 5 --spin 0",
	};
	static const char *const sizes[] = { "8", "64", "4096" };
	const char *path = paths[_i / 3], *size = sizes[_i % 3];
	struct cmd c;
	char items[32];
	int r;

	ck_assert_int_eq(cmd_runf(&c, "queue %s -n 3000 -k 16 -s %s --mode both "
	    "--format csv", path, size), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 3);
	for (r = 1; r <= 2; r++) {
		csv_want(c.out, r, "verdict", "ok");
		csv_want(c.out, r, "torn", "0");
		csv_want(c.out, r, "duplicates", "0");
		csv_want(c.out, r, "checksum_ok", "true");
		csv_want(c.out, r, "item-size", size);
		csv_get(c.out, r, "expected", items, sizeof(items));
		csv_want(c.out, r, "observed", items);
		csv_want(c.out, r, "produced", items);
	}
	csv_want(c.out, 1, "mode", "thread");
	csv_want(c.out, 2, "mode", "process");
	cmd_free(&c);
}
END_TEST

/* The last producer's join returns with every item processed, not before. */
START_TEST(queue_join)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "queue --join -p 2 -c 3 -n 3000 -k 8 -m %s", modes[_i]);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&row[0], "joined_at"), 6000);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 6000);
	ck_assert_str_eq(jstr(&row[0], "verdict"), "ok");
	cmd_free(&c);
}
END_TEST

/* Coop tasks keep the queue's invariant with yields for waits; the join too. */
START_TEST(queue_coop)
{
	struct jobj row[MAX_ROWS];
	struct cmd c;

	run_json(&c, row, "queue -p 2 -c 2 -n 2000 -k 4 --join -m coop");
	expect_coop(&c);
	ck_assert_uint_eq(jnum(&row[0], "observed"), 4000);
	ck_assert_uint_eq(jnum(&row[0], "joined_at"), 4000);
	ck_assert_uint_eq(jnum(&row[0], "duplicates"), 0);
	cmd_free(&c);
}
END_TEST

/* -t: on time, produced == consumed. */
START_TEST(queue_timed)
{
	expect_timed("queue -p 1 -c 1");
}
END_TEST

/*
 * Both proofs of exactly-once, both modes, each kind of queue: auto picks
 * order with one consumer and the bitmap with more; order also holds with
 * several producers (each producer's items stay in order in a FIFO).
 */
START_TEST(queue_check_kinds)
{
	static const struct {
		const char *args, *check;
		unsigned items;
	} k[] = {
		{ "-q spsc -p 1 -c 1 -n 5000 -k 8", "order", 5000 },
		{ "-q spsc -p 1 -c 1 -n 5000 -k 8 --check bitmap", "bitmap", 5000 },
		{ "-p 3 -c 1 -n 2000 -k 2", "order", 6000 },
		{ "-p 3 -c 1 -n 2000 -k 2 -b 3 --check order", "order", 6000 },
		{ "-p 2 -c 2 -n 2000 -k 4", "bitmap", 4000 },
		{ "-p 2 -c 1 -n 2000 -k 4 --check bitmap", "bitmap", 4000 },
	};
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int m;

	ck_assert_int_eq(run_json(&c, rows, "queue %s --mode both -T 20",
	    k[_i].args), 2);
	expect(&c, 0);
	for (m = 0; m < 2; m++) {
		ck_assert_str_eq(jstr(&rows[m], "check"), k[_i].check);
		ck_assert_uint_eq(jnum(&rows[m], "consumed"), k[_i].items);
		ck_assert_uint_eq(jnum(&rows[m], "duplicates"), 0);
		ck_assert_str_eq(jstr(&rows[m], "verdict"), "ok");
	}
	cmd_free(&c);
}
END_TEST

START_TEST(queue_bad_input)
{
	static const char *const bad[] = {
		"queue -q spsc -p 2 -c 1",
		"queue -q spsc",
		"queue -s 4",
		"queue -s 65537",
		"queue -q ring",
		"queue -b 4096 -s 65536",
		"queue -k 16777216 -s 4096",
		"queue --join -q spsc -p 1 -c 1",
		"queue -m coop -q spsc -p 1 -c 1",
		"queue -p 1 -c 2 --check order",
		"queue --check list",
	};

	expect_usage(bad[_i], NULL);
}
END_TEST

Suite *
demo_queue_suite(void)
{
	Suite *s = suite_create("demo_queue");
	TCase *tc = tcase_in(s, "queue", CLI_TIMEOUT, 0);

	tcase_add_loop_test(tc, queue_exactly_once, 0,
	    (int)(sizeof(qcase) / sizeof(qcase[0])));
	tcase_add_loop_test(tc, queue_fast_paths_exact, 0, 15);
	tcase_add_loop_test(tc, queue_join, 0, 2);
	tcase_add_test(tc, queue_coop);
	tcase_add_test(tc, queue_timed);
	tcase_add_loop_test(tc, queue_check_kinds, 0, 6);
	tcase_add_loop_test(tc, queue_bad_input, 0, 11);
	return s;
}
