/*
 * check_mpi.c - -m mpi end to end: the real mpirun and shmsync-mpi (make
 * mpi), 2-4 ranks: the counter exact under every guard and its lost updates
 * counted without one, on shm and tcp; barrier, ping-pong, queue; exit codes
 * (2 refused, 1 past --timeout, 130 on SIGINT) with no rank, no Open MPI
 * file left; -m thread,process,mpi, the same demo's rows in one table.  Where mpirun or shmsync-mpi is missing, those tests are
 * skipped, and it says so; the refusals are checked everywhere.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../launcher/mpirun.h"
#include "../tests.h"

#define RANKS	2

/* shmsync-mpi beside the shmsync under test, and mpirun on PATH. */
static int
mpi_ready(char *why, size_t len)
{
	char path[PATH_MAX];
	int ok;

	snprintf(path, sizeof(path), "%s-mpi", shmsync_path());
	if (access(path, X_OK) != 0) {
		snprintf(why, len, "%s not built (make mpi)", path);
		return 0;
	}
	/* Not sh(): no ck_assert outside a test. */
	ok = system("command -v mpirun >/dev/null 2>&1") == 0;
	if (!ok)
		snprintf(why, len, "mpirun not found (apt-get install openmpi-bin)");
	return ok;
}

/* Entries of /dev/shm whose name starts with pre. */
static int
shm_count(const char *pre)
{
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if ((dir = opendir("/dev/shm")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL)
		n += strncmp(d->d_name, pre, strlen(pre)) == 0;
	closedir(dir);
	return n;
}

/* A private TMPDIR for one test's launcher: whatever Open MPI leaves shows there. */
static char tmp[64];

static void
tmp_setup(void)
{
	strlcpy(tmp, "/tmp/check_mpi.XXXXXX", sizeof(tmp));
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	test_track(tmp);	/* removed by main, should this test fail */
	ck_assert_int_eq(setenv("TMPDIR", tmp, 1), 0);
	subreaper();
}

/* A failed test may leave its TMPDIR: remove it (after nothing_left, gone already). */
static void
tmp_teardown(void)
{
	rm_tree(tmp);
}

/* Nothing left: the private TMPDIR empty, no vader segment, no rank. */
static void
nothing_left(int vader_before)
{
	ck_assert_msg(dir_entries(tmp) == 0, "%s: %d entries left", tmp,
	    dir_entries(tmp));
	ck_assert_int_eq(shm_count("vader_segment."), vader_before);
	no_orphans();
	rmdir(tmp);
}

/* Every row of an MPI run: mode mpi, the transport, the ranks, an osc. */
static void
mpi_rows(const struct jobj *rows, int n, const char *net, uint64_t ranks)
{
	int i;

	for (i = 0; i < n; i++) {
		ck_assert_str_eq(jstr(&rows[i], "mode"), "mpi");
		ck_assert_str_eq(jstr(&rows[i], "transport"), net);
		ck_assert_uint_eq(jnum(&rows[i], "ranks"), ranks);
		ck_assert_msg(*jstr(&rows[i], "osc") != '\0', "no osc");
	}
}

/* Guarded: exact; unguarded: the loss is expected - observed, in its row. */
static void
counter_rows(const struct jobj *rows, int n, uint64_t per_rank)
{
	uint64_t want = per_rank * RANKS;
	int i;

	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(jnum(&rows[i], "expected"), want);
		ck_assert_uint_eq(jnum(&rows[i], "lost"), want -
		    jnum(&rows[i], "observed"));
		if (strcmp(jstr(&rows[i], "sync"), "none") == 0)
			continue;
		ck_assert_msg(jnum(&rows[i], "observed") == want, "%s: %ju of %ju",
		    jstr(&rows[i], "sync"), (uintmax_t)jnum(&rows[i], "observed"),
		    (uintmax_t)want);
		ck_assert_str_eq(jstr(&rows[i], "verdict"), "ok");
	}
}

/* Each guard over shared memory: counter == ranks x iterations. */
START_TEST(counter_guards_exact)
{
	static const char *const syncs[] = { "none", "lock", "fop", "acc", "cas",
	    "mutex" };
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment."), n, i;
	struct cmd c;

	n = run_json(&c, rows, "counter -m mpi -w %d -n 3000 -T 60", RANKS);
	expect(&c, 0);
	ck_assert_int_eq(n, 6);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(jstr(&rows[i], "sync"), syncs[i]);
	counter_rows(rows, n, 3000);
	mpi_rows(rows, n, "shm", RANKS);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* Unguarded, read and write are two atomic calls: updates are lost (3 tries). */
START_TEST(counter_none_loses)
{
	struct jobj rows[MAX_ROWS];
	uint64_t lost = 0;
	struct cmd c;
	int v = shm_count("vader_segment."), try;

	for (try = 0; try < 3 && lost == 0; try++) {
		ck_assert_int_eq(run_json(&c, rows, "counter -m mpi -w %d -n 50000 "
		    "-s none -T 60", RANKS), 1);
		expect(&c, 0);
		counter_rows(rows, 1, 50000);
		lost = jnum(&rows[0], "lost");
		ck_assert_str_eq(jstr(&rows[0], "verdict"), lost ? "race" : "ok");
		cmd_free(&c);
	}
	ck_assert_msg(lost > 0, "3 runs of 2 x 50000 unguarded lost nothing");
	nothing_left(v);
}
END_TEST

/* Over TCP (osc pt2pt): fetch-and-op exact, none's loss counted, no mutex. */
START_TEST(counter_over_tcp)
{
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment."), n;
	struct cmd c;

	n = run_json(&c, rows, "counter -m mpi --net tcp -w %d -n 50 -T 60",
	    RANKS);
	expect(&c, 0);
	ck_assert_int_eq(n, 5);		/* every guard but mutex */
	counter_rows(rows, n, 50);
	mpi_rows(rows, n, "tcp", RANKS);
	ck_assert_str_eq(jstr(&rows[2], "osc"), "pt2pt");
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* --hosts: the ranks placed by mpirun --host; localhost runs here, over TCP. */
START_TEST(hosts_localhost)
{
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment.");
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "counter -m mpi --hosts localhost:2 "
	    "--net tcp -w %d -n 100 -s fop -T 60", RANKS), 1);
	expect(&c, 0);
	counter_rows(rows, 1, 100);
	mpi_rows(rows, 1, "tcp", RANKS);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* barrier: 3 ranks x 40 phases arrive, none leaves early, both kinds. */
START_TEST(barrier_phases)
{
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment."), i;
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "barrier -m mpi -w 3 -r 40 -T 60"), 2);
	expect(&c, 0);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(jnum(&rows[i], "observed"), 3 * 40);
		ck_assert_uint_eq(jnum(&rows[i], "early"), 0);
		ck_assert_str_eq(jstr(&rows[i], "verdict"), "ok");
	}
	ck_assert_str_eq(jstr(&rows[0], "sync"), "mpi");
	ck_assert_str_eq(jstr(&rows[1], "sync"), "rma");
	mpi_rows(rows, 2, "shm", 3);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* pingpong: every token back in turn; latency is half the round trip. */
START_TEST(pingpong_turns)
{
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment."), i;
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "pingpong -m mpi -n 200 -T 60"), 2);
	expect(&c, 0);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(jnum(&rows[i], "observed"), 200);
		ck_assert_uint_eq(jnum(&rows[i], "out_of_turn"), 0);
		ck_assert_uint_eq(jnum(&rows[i], "latency_ns"),
		    jnum(&rows[i], "rtt_ns") / 2);
		ck_assert_uint_eq(jnum(&rows[i], "rtt_ns"),
		    jnum(&rows[i], "wall_ns") / 200);
	}
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* queue: 2 producers x 1000 items reach 2 consumers, each once, in order. */
START_TEST(queue_every_item_once)
{
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment.");
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "queue -m mpi -p 2 -c 2 -n 1000 "
	    "-T 60"), 1);
	expect(&c, 0);
	ck_assert_uint_eq(jnum(&rows[0], "expected"), 2000);
	ck_assert_uint_eq(jnum(&rows[0], "observed"), 2000);
	ck_assert_uint_eq(jnum(&rows[0], "consumed"), 2000);
	ck_assert_uint_eq(jnum(&rows[0], "duplicates"), 0);
	ck_assert_uint_eq(jnum(&rows[0], "out_of_order"), 0);
	ck_assert_str_eq(jstr(&rows[0], "verdict"), "ok");
	ck_assert_uint_eq(jnum(&rows[0], "ranks"), 4);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* Past --timeout: exit 1 with one line, mpirun and every rank stopped. */
START_TEST(timeout_stops_all)
{
	int v = shm_count("vader_segment.");
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -m mpi -w 2 -s lock -n 1000000000 "
	    "-T 1 -f csv"), 0);
	expect(&c, 1);
	ck_assert_msg(strstr(c.err, "passed its --timeout") != NULL, "%s", c.err);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* The launcher's run dir (TMPDIR/shmsync-mpi.*) holds the ranks' files. */
static int
run_dir_has_ranks(void)
{
	struct dirent *d;
	char path[512];
	DIR *dir;
	int n = 0;

	if ((dir = opendir(tmp)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL && n == 0)
		if (strncmp(d->d_name, "shmsync-mpi.", 12) == 0) {
			snprintf(path, sizeof(path), "%s/%s", tmp, d->d_name);
			n = dir_entries(path) >= 1 + RANKS;	/* ompi.*, vader_segment.* */
		}
	closedir(dir);
	return n;
}

/* SIGINT to shmsync ARGS... once its ranks run: 130, every rank gone, nothing left. */
static void
sigint_once_ranks_run(const char *const *argv)
{
	int v = shm_count("vader_segment."), st, i, up;
	pid_t pid;

	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (up = 0; up < 400 && !run_dir_has_ranks(); up++)
		ms_sleep(25);
	/* SIGINT either way: a failed test must not leave its launcher running. */
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	for (i = 0; i < 400 && waitpid(pid, &st, WNOHANG) == 0; i++)
		ms_sleep(25);
	if (i == 400) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	ck_assert_msg(up < 400, "the ranks did not start in 10 s");
	ck_assert_msg(i < 400, "the launcher did not end 10 s after SIGINT");
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT,
	    "status %#x, not killed by SIGINT (130)", st);
	ck_assert_int_eq(shm_leftovers(pid), 0);
	nothing_left(v);
}

/* SIGINT while the ranks run: 130, every rank gone, nothing left. */
START_TEST(sigint_gives_130)
{
	const char *argv[] = { shmsync_path(), "counter", "-m", "mpi", "-w", "2",
	    "-s", "lock", "-n", "1000000000", "-T", "60", NULL };

	sigint_once_ranks_run(argv);
}
END_TEST

/* The same in a mixed run: the thread rows done, SIGINT in the MPI part. */
START_TEST(mixed_sigint_gives_130)
{
	const char *argv[] = { shmsync_path(), "counter", "-m", "thread,mpi",
	    "-w", "2", "-s", "atomic", "-n", "20000000", "-T", "60", NULL };

	sigint_once_ranks_run(argv);
}
END_TEST

/* Rows of a mixed run: each mode in turn, the MPI one last, its fields null elsewhere. */
static void
mixed_modes(const struct jobj *rows, int n, const char *const *modes)
{
	int i;

	for (i = 0; i < n; i++) {
		ck_assert_str_eq(jstr(&rows[i], "mode"), modes[i]);
		ck_assert_int_eq(json_get(&rows[i], "transport")->type,
		    strcmp(modes[i], "mpi") == 0 ? J_STR : J_NULL);
		ck_assert_int_eq(rows[i].n, rows[0].n);	/* one set of columns */
	}
}

/* counter -m thread,process,mpi: one table, three rows, each exact. */
START_TEST(mixed_counter_exact)
{
	static const char *const modes[] = { "thread", "process", "mpi" };
	const char *line = "counter -s mutex -w 2 -n 3000 -m thread,process,mpi "
	    "-T 60";
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment."), i;
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "%s", line), 3);
	expect(&c, 0);
	mixed_modes(rows, 3, modes);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(jstr(&rows[i], "sync"), "mutex");
		ck_assert_uint_eq(jnum(&rows[i], "workers"), 2);
		ck_assert_uint_eq(jnum(&rows[i], "expected"), 2 * 3000);
		ck_assert_uint_eq(jnum(&rows[i], "observed"), 2 * 3000);
		ck_assert_str_eq(jstr(&rows[i], "verdict"), "ok");
	}
	ck_assert_str_eq(jstr(&rows[2], "osc"), "(unnamed)");
	cmd_free(&c);
	/* CSV: one header, then a row per mode; the table: one line of heads. */
	ck_assert_int_eq(cmd_runf(&c, "%s -f csv", line), 0);
	expect(&c, 0);
	ck_assert_int_eq(count_lines(c.out), 4);
	ck_assert_msg(strncmp(c.out, "demo,sync,mode,", 15) == 0, "%s", c.out);
	for (i = 0; i < 3; i++)
		csv_want(c.out, i + 1, "mode", modes[i]);
	cmd_free(&c);
	ck_assert_int_eq(cmd_runf(&c, "%s --wide", line), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "\nsync "));
	ck_assert_ptr_null(strstr(strstr(c.out, "\nsync ") + 1, "\nsync "));
	ck_assert_ptr_nonnull(strstr(c.out, "  mpi  "));
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* A keyword mapped to a twin of another name: fop for atomic, said in the note. */
START_TEST(mixed_counter_twin)
{
	static const char *const modes[] = { "process", "mpi" };
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment.");
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "counter -s atomic -w 3 -n 2000 "
	    "-m process,mpi -T 60"), 2);
	expect(&c, 0);
	mixed_modes(rows, 2, modes);
	ck_assert_str_eq(jstr(&rows[0], "sync"), "atomic");
	ck_assert_str_eq(jstr(&rows[1], "sync"), "fop");
	ck_assert_ptr_nonnull(strstr(jstr(&rows[1], "note"),
	    "twin of --sync atomic"));
	ck_assert_uint_eq(jnum(&rows[0], "observed"), 3 * 2000);
	ck_assert_uint_eq(jnum(&rows[1], "observed"), 3 * 2000);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* barrier: thread and process phases, then both MPI kinds (the form's default). */
START_TEST(mixed_barrier)
{
	static const char *const modes[] = { "thread", "process", "mpi", "mpi" };
	struct jobj rows[MAX_ROWS];
	int v = shm_count("vader_segment."), i;
	struct cmd c;

	ck_assert_int_eq(run_json(&c, rows, "barrier -w 3 -r 40 -m both,mpi "
	    "-T 60"), 4);
	expect(&c, 0);
	mixed_modes(rows, 4, modes);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(jnum(&rows[i], "workers"), 3);
		ck_assert_uint_eq(jnum(&rows[i], "iterations"), 40);
		ck_assert_str_eq(jstr(&rows[i], "verdict"), "ok");
	}
	/* Threads count phases passed in order; ranks count arrivals. */
	ck_assert_uint_eq(jnum(&rows[0], "observed"), 40);
	ck_assert_uint_eq(jnum(&rows[1], "observed"), 40);
	ck_assert_uint_eq(jnum(&rows[2], "observed"), 3 * 40);
	ck_assert_uint_eq(jnum(&rows[3], "observed"), 3 * 40);
	ck_assert_str_eq(jstr(&rows[2], "sync"), "mpi");
	ck_assert_str_eq(jstr(&rows[3], "sync"), "rma");
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* The MPI part past --timeout: exit 1, the thread row printed, ranks stopped. */
START_TEST(mixed_timeout)
{
	int v = shm_count("vader_segment.");
	struct cmd c;

	ck_assert_int_eq(cmd_runf(&c, "counter -m thread,mpi -w 2 -s cas "
	    "-n 2000000 -T 1 -f csv"), 0);
	expect(&c, 1);
	ck_assert_msg(strstr(c.err, "-m mpi: the run passed its --timeout") !=
	    NULL, "%s", c.err);
	ck_assert_int_eq(count_lines(c.out), 2);
	csv_want(c.out, 1, "mode", "thread");
	ck_assert_uint_eq(csv_num(c.out, 1, "observed"), 2 * 2000000);
	cmd_free(&c);
	nothing_left(v);
}
END_TEST

/* shmsync itself never links MPI. */
START_TEST(shmsync_has_no_mpi)
{
	char line[PATH_MAX + 64];
	struct cmd c;

	snprintf(line, sizeof(line), "! ldd %s | grep -q libmpi", shmsync_path());
	ck_assert_msg(sh(&c, line) == 0, "shmsync links libmpi: %s", c.out);
	cmd_free(&c);
}
END_TEST

/* Refused before anything starts: exit 2, one line, naming the way out. */
START_TEST(refusals)
{
	expect_usage("semaphore -m mpi", "counter, queue, barrier, pingpong have one");
	expect_usage("counter -m mpi -s mutex --net tcp", "use --net shm");
	expect_usage("counter -m mpi --net udp", "one of shm|tcp");
	expect_usage("counter --net tcp", "--net");
	expect_usage("all -m mpi", "one demo");
	expect_usage("counter -m mpi --hosts localhost", "add --net tcp");
	expect_usage("counter -m mpi --net tcp --hosts a;b", "not a list of host");
	expect_usage("counter --hosts localhost", "--hosts");
	expect_usage("queue -m mpi -p 128 -n 1000000", "16777216");
	ck_assert_int_eq(setenv("SHMSYNC_MPI", "/nonexistent/shmsync-mpi", 1), 0);
	expect_usage("counter -m mpi", "run: make mpi");
	expect_usage("counter -m thread,process,mpi -w 2", "run: make mpi");
	unsetenv("SHMSYNC_MPI");
}
END_TEST

/* mpi in a list: refused before anything runs, naming what works. */
START_TEST(mixed_refusals)
{
	expect_usage("counter -m thread,mpx,mpi", "unknown MODE 'mpx'");
	expect_usage("counter -m thread,,mpi", "no empty item");
	expect_usage("semaphore -m thread,process,mpi",
	    "counter, queue, barrier, pingpong have one");
	expect_usage("counter -s spin -m thread,process,mpi",
	    "--sync spin has no MPI twin; with mpi among the modes: none, mutex, "
	    "atomic (fop over MPI), cas, all");
	expect_usage("barrier -b cond -m thread,mpi", "pthread (mpi over MPI)");
	expect_usage("counter --widen -m thread,mpi", "--widen: the MPI form has "
	    "no such option");
	expect_usage("counter -w 300 -m process,mpi", "1..256");
	expect_usage("counter -m thread,mpi -s mutex --net tcp", "use --net shm");
	expect_usage("counter -m thread,mpi -t 1", "--duration: not with mpi");
	expect_usage("counter -m thread,mpi --repeat 3", "--repeat: not with mpi");
	expect_usage("all -m thread,process,mpi", "one demo");
	expect_usage("sweep counter --workers 1,2 -m both,mpi", "one demo");
}
END_TEST

/* A list of modes without mpi: thread,process is both, in that order. */
START_TEST(mode_list_is_both)
{
	static const char *const modes[] = { "thread", "process" };
	struct jobj rows[MAX_ROWS];
	struct cmd c;
	int i;

	ck_assert_int_eq(run_json(&c, rows, "counter -s mutex -w 2 -n 500 "
	    "-m process,thread -T 30"), 2);
	expect(&c, 0);
	for (i = 0; i < 2; i++) {
		ck_assert_str_eq(jstr(&rows[i], "mode"), modes[i]);
		ck_assert_uint_eq(jnum(&rows[i], "observed"), 2 * 500);
		ck_assert_ptr_null(json_get(&rows[i], "transport"));
	}
	cmd_free(&c);
}
END_TEST

/* Rank 0's rows survive the wire: every field's key, type, flags and value. */
START_TEST(wire_round_trip)
{
	struct result in, out;
	char *buf = NULL, *line, *p;
	size_t len = 0;
	int i, rc = 0, ends = 0;
	FILE *fp;

	memset(&in, 0, sizeof(in));
	in.verdict = VERDICT_RACE;
	in.mode = MODE_MPI;
	in.variant = 3;
	res_str(&in, "sync", "none", F_TABLE);
	res_uint(&in, "observed", UINT64_MAX - 1, F_TABLE);
	res_int(&in, "delta", -42, 0);
	res_dbl(&in, "ops_per_sec", 1.0 / 3.0, F_TABLE | F_RATE);
	res_bool(&in, "checksum_ok", 1, 0);
	res_str(&in, "note", "lost 5 updates (2.5%) and spaces", F_TABLE);
	ck_assert_ptr_nonnull(fp = open_memstream(&buf, &len));
	mpi_wire_write(fp, &in);
	fclose(fp);
	for (p = buf; (line = strsep(&p, "\n")) != NULL && *line != '\0'; ) {
		ck_assert_int_ge(rc = mpi_wire_line(line, &out), 0);
		ends += rc == 1;
	}
	ck_assert_int_eq(ends, 1);
	ck_assert_int_eq(out.verdict, VERDICT_RACE);
	ck_assert_int_eq(out.mode, MODE_MPI);
	ck_assert_int_eq(out.variant, 3);
	ck_assert_int_eq(out.n, in.n);
	for (i = 0; i < in.n; i++) {
		ck_assert_str_eq(out.f[i].key, in.f[i].key);
		ck_assert_int_eq(out.f[i].type, in.f[i].type);
		ck_assert_int_eq(out.f[i].flags, in.f[i].flags);
	}
	ck_assert_str_eq(out.f[0].v.s, "none");
	ck_assert_uint_eq(out.f[1].v.u, UINT64_MAX - 1);
	ck_assert_int_eq(out.f[2].v.i, -42);
	ck_assert(out.f[3].v.d == 1.0 / 3.0);
	ck_assert_uint_eq(out.f[4].v.u, 1);
	ck_assert_str_eq(out.f[5].v.s, "lost 5 updates (2.5%) and spaces");
	ck_assert_int_eq(mpi_wire_line("[vm:123] some warning", &out), -1);
	free(buf);
}
END_TEST

Suite *
cli_mpi_suite(void)
{
	Suite *s = suite_create("cli_mpi");
	TCase *tc = tcase_in(s, "refusals", CLI_TIMEOUT, 0);
	char why[PATH_MAX + 64];

	tcase_add_test(tc, refusals);
	tcase_add_test(tc, wire_round_trip);
	tcase_add_test(tc, shmsync_has_no_mpi);
	tcase_add_test(tc, mixed_refusals);
	tcase_add_test(tc, mode_list_is_both);
	if (!mpi_ready(why, sizeof(why))) {
		fprintf(stderr, "cli_mpi: skipped the runs under mpirun: %s\n", why);
		return s;
	}
	tc = tcase_in(s, "runs", CLI_TIMEOUT, 0);
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, counter_guards_exact);
	tcase_add_test(tc, counter_none_loses);
	tcase_add_test(tc, counter_over_tcp);
	tcase_add_test(tc, hosts_localhost);
	tcase_add_test(tc, barrier_phases);
	tcase_add_test(tc, pingpong_turns);
	tcase_add_test(tc, queue_every_item_once);
	tcase_add_test(tc, timeout_stops_all);
	tcase_add_test(tc, sigint_gives_130);
	tcase_add_test(tc, mixed_counter_exact);
	tcase_add_test(tc, mixed_counter_twin);
	tcase_add_test(tc, mixed_barrier);
	tcase_add_test(tc, mixed_timeout);
	tcase_add_test(tc, mixed_sigint_gives_130);
	return s;
}
