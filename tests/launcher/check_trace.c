/*
 * check_trace.c - launcher/trace.c, what --trace and --timeline make of the
 * workers' trace buffers: a strict JSON parse of the trace file, with every
 * time read as an exact integer of ns; the lanes a viewer can draw (only
 * B, E and M events, each lane's slices nested, in time order, an end
 * before a begin at the same time, as speedscope needs); one lane per
 * worker, as many held sections as the run did, a default file a viewer
 * can open that keeps each worker's start and end, lanes that fit the
 * width, and no file, temp file or name left by a failure or a signal.
 * The buffer itself: ipc/check_trace.c; a real viewer: tests/cli/viewer.sh.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests.h"

#define MAX_EV	400000
#define MAX_PID	64
#define MAX_TID	80
#define MAX_DEPTH 32

/* One trace event, the members a test looks at; ts in ns, -1 if not exact. */
struct tev {
	char	ph[4], cat[16], name[80];
	long	pid, tid;
	long long ts;
};

struct tp {
	const char	*s;
	struct tev	*ev;
	size_t		 n, max;
	int		 depth;
};

static int value(struct tp *, struct tev *, const char *);

static void
ws(struct tp *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

/* A JSON string, its escapes checked; its start copied to out. */
static int
string(struct tp *p, char *out, size_t len)
{
	size_t n = 0;
	int i;

	if (*p->s++ != '"')
		return -1;
	for (; *p->s != '"'; p->s++) {
		if ((unsigned char)*p->s < 0x20)
			return -1;
		if (*p->s == '\\') {
			p->s++;
			if (*p->s == 'u') {
				for (i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF", p->s[i]) == NULL)
						return -1;
				p->s += 4;
			} else if (strchr("\"\\/bfnrt", *p->s) == NULL)
				return -1;
		}
		if (out != NULL && n + 1 < len)
			out[n++] = *p->s;
	}
	if (out != NULL)
		out[n] = '\0';
	p->s++;
	return 0;
}

/* A time in us with at most three decimals, as exact ns; -1 if it is not one. */
static long long
ts_ns(const char *s, const char *end)
{
	long long ns = 0;
	int dec = -1;

	for (; s < end; s++) {
		if (*s == '.' && dec < 0)
			dec = 0;
		else if (*s >= '0' && *s <= '9' && dec < 3) {
			ns = ns * 10 + (*s - '0');
			dec += dec >= 0;
		} else
			return -1;
	}
	for (dec = dec < 0 ? 0 : dec; dec < 3; dec++)
		ns *= 10;
	return ns;
}

static int
number(struct tp *p, double *d)
{
	const char *s = p->s;
	char *end;

	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	*d = strtod(p->s, &end);
	p->s = end;
	return 0;
}

/* A member of an event object: keep the ones struct tev has. */
static int
member(struct tp *p, struct tev *e, const char *key)
{
	double d = 0;

	if (e != NULL && *p->s == '"') {
		if (strcmp(key, "ph") == 0)
			return string(p, e->ph, sizeof(e->ph));
		if (strcmp(key, "cat") == 0)
			return string(p, e->cat, sizeof(e->cat));
		if (strcmp(key, "name") == 0)
			return string(p, e->name, sizeof(e->name));
	}
	if (e != NULL && (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))) {
		const char *start = p->s;

		if (number(p, &d) != 0)
			return -1;
		if (strcmp(key, "ts") == 0)
			e->ts = ts_ns(start, p->s);
		if (strcmp(key, "pid") == 0)
			e->pid = (long)d;
		else if (strcmp(key, "tid") == 0)
			e->tid = (long)d;
		return 0;
	}
	return value(p, NULL, key);
}

static int
object(struct tp *p, const char *parent)
{
	struct tev e, *ep = NULL;
	char key[32];

	memset(&e, 0, sizeof(e));
	if (parent != NULL && strcmp(parent, "traceEvents[]") == 0)
		ep = &e;
	p->s++;
	ws(p);
	while (*p->s != '}') {
		if (string(p, key, sizeof(key)) != 0)
			return -1;
		ws(p);
		if (*p->s++ != ':')
			return -1;
		ws(p);
		if (member(p, ep, key) != 0)
			return -1;
		ws(p);
		if (*p->s == ',' && p->s[1] != '}')
			p->s++;
		else if (*p->s != '}')
			return -1;
		ws(p);
	}
	p->s++;
	if (ep != NULL && p->n < p->max)
		p->ev[p->n++] = e;
	return 0;
}

static int
array(struct tp *p, const char *parent)
{
	char elem[40];

	snprintf(elem, sizeof(elem), "%s[]", parent ? parent : "");
	p->s++;
	ws(p);
	while (*p->s != ']') {
		if (value(p, NULL, elem) != 0)
			return -1;
		ws(p);
		if (*p->s == ',' && p->s[1] != ']')
			p->s++;
		else if (*p->s != ']')
			return -1;
		ws(p);
	}
	p->s++;
	return 0;
}

static int
value(struct tp *p, struct tev *e, const char *key)
{
	double d;

	(void)e;
	ws(p);
	if (++p->depth > 16)
		return -1;
	p->depth--;
	switch (*p->s) {
	case '{':
		return object(p, key);
	case '[':
		return array(p, key);
	case '"':
		return string(p, NULL, 0);
	case 't':
		return strncmp(p->s, "true", 4) == 0 ? (p->s += 4, 0) : -1;
	case 'f':
		return strncmp(p->s, "false", 5) == 0 ? (p->s += 5, 0) : -1;
	case 'n':
		return strncmp(p->s, "null", 4) == 0 ? (p->s += 4, 0) : -1;
	default:
		return number(p, &d);
	}
}

/* The whole file must be one JSON value; its trace events land in ev. */
static size_t
trace_load(const char *path, struct tev *ev, size_t max)
{
	struct tp p = { NULL, ev, 0, max, 0 };
	char *buf;
	long len;
	FILE *f;

	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s: %s", path,
	    strerror(errno));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(buf = malloc((size_t)len + 1));
	ck_assert_int_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	p.s = buf;
	ck_assert_msg(value(&p, NULL, "traceEvents") == 0, "bad JSON at byte %ld",
	    (long)(p.s - buf));
	ws(&p);
	ck_assert_msg(*p.s == '\0', "garbage after the JSON at byte %ld",
	    (long)(p.s - buf));
	free(buf);
	return p.n;
}

static size_t
count(const struct tev *ev, size_t n, long pid, const char *ph, const char *cat,
    const char *name)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (pid == 0 || ev[i].pid == pid) && strcmp(ev[i].ph, ph) == 0 &&
		    (cat == NULL || strcmp(ev[i].cat, cat) == 0) &&
		    (name == NULL || strcmp(ev[i].name, name) == 0);
	return k;
}

static struct tev ev[MAX_EV];

/* An open slice of a lane, and the last time and edge the lane saw. */
struct lane {
	int		 depth;
	long long	 last;
	char		 last_ph;
	char		 last_end[80];	/* the name the last end closed */
	char		 open[MAX_DEPTH][80];
};

static struct lane lanes[MAX_PID][MAX_TID];

/*
 * What a viewer needs to draw the file as it was meant, checked in exact
 * integers: only metadata, begins and ends; each lane's edges in time
 * order; an end names the slice on top of its lane; at one time every end
 * before every begin (speedscope ends first at a tie) and no slice begun
 * at the time the same name ended; every slice closed.  NULL if so.
 */
static const char *
lanes_bad(const struct tev *e, size_t n, char *why, size_t len)
{
	struct lane *l;
	size_t i;
	int p, t;

	memset(lanes, 0, sizeof(lanes));
	for (i = 0; i < n; i++, e++) {
		if (strcmp(e->ph, "M") == 0)
			continue;
		if (strcmp(e->ph, "B") != 0 && strcmp(e->ph, "E") != 0)
			return snprintf(why, len, "event %zu: phase '%.8s'", i, e->ph), why;
		if (e->pid < 1 || e->pid >= MAX_PID || e->tid < 1 || e->tid >= MAX_TID)
			return snprintf(why, len, "event %zu: lane %ld/%ld", i, e->pid,
			    e->tid), why;
		l = &lanes[e->pid][e->tid];
		if (e->ts < 0 || e->ts < l->last)
			return snprintf(why, len, "event %zu (%s): ts %lld ns after %lld "
			    "on its lane", i, e->name, e->ts, l->last), why;
		if (e->ph[0] == 'E' && e->ts == l->last && l->last_ph == 'B')
			return snprintf(why, len, "event %zu: '%s' ends at %lld ns after "
			    "a begin at that time", i, e->name, e->ts), why;
		if (e->ph[0] == 'B' && e->ts == l->last && l->last_ph == 'E' &&
		    strcmp(l->last_end, e->name) == 0)
			return snprintf(why, len, "event %zu: '%s' begins where its "
			    "namesake ended, %lld ns", i, e->name, e->ts), why;
		if (e->ph[0] == 'B') {
			if (l->depth == MAX_DEPTH)
				return snprintf(why, len, "event %zu: too deep", i), why;
			strlcpy(l->open[l->depth++], e->name, sizeof(l->open[0]));
		} else {
			if (l->depth == 0 || strcmp(l->open[l->depth - 1], e->name) != 0)
				return snprintf(why, len, "event %zu: ends '%s' at %lld ns "
				    "with '%s' on top", i, e->name, e->ts, l->depth ?
				    l->open[l->depth - 1] : "nothing"), why;
			l->depth--;
			strlcpy(l->last_end, e->name, sizeof(l->last_end));
		}
		l->last = e->ts;
		l->last_ph = e->ph[0];
	}
	for (p = 0; p < MAX_PID; p++)
		for (t = 0; t < MAX_TID; t++)
			if (lanes[p][t].depth != 0)
				return snprintf(why, len, "lane %d/%d: '%s' never ends", p,
				    t, lanes[p][t].open[lanes[p][t].depth - 1]), why;
	return NULL;
}

/* Load path and insist a viewer can draw it; the number of events. */
static size_t
trace_valid(const char *path)
{
	char why[256];
	size_t n = trace_load(path, ev, MAX_EV);

	ck_assert_msg(n < MAX_EV, "%s: too many events to check", path);
	ck_assert_msg(lanes_bad(ev, n, why, sizeof(why)) == NULL, "%s: %s", path, why);
	return n;
}

/* The checker itself: each broken file is refused, for the reason it is broken. */
START_TEST(trace_checker)
{
	static const char *const bad[][2] = {
		{ "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":2,\"name\":\"w\"}",
		  "phase 'X'" },
		{ "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":0.001,\"name\":\"wait\"},"
		  "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":0.009,\"name\":\"hold\"},"
		  "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":0.009,\"name\":\"wait\"}",
		  "after a begin" },
		{ "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"a\"},"
		  "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":2,\"name\":\"b\"},"
		  "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":3,\"name\":\"a\"}",
		  "with 'b' on top" },
		{ "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":5,\"name\":\"a\"},"
		  "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":4.9995,\"name\":\"a\"}",
		  "ts -1 ns" },
		{ "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"a\"}",
		  "never ends" },
	};
	char dir[96], path[128], why[256];
	size_t i, n;
	FILE *f;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fprintf(f, "{\"traceEvents\":[%s]}\n", bad[i][0]);
		ck_assert_int_eq(fclose(f), 0);
		n = trace_load(path, ev, MAX_EV);
		ck_assert_ptr_nonnull(lanes_bad(ev, n, why, sizeof(why)));
		ck_assert_msg(strstr(why, bad[i][1]) != NULL, "%zu: %s", i, why);
	}
	rm_tree(dir);
}
END_TEST

static const char *const guards[] = { "mutex", "sem", "spin", "naive-flag",
	"tas" };

/* Each run a process, a lane per worker, a held section per iteration. */
START_TEST(trace_counts)
{
	char dir[96], path[128];
	struct jobj o[2];
	struct cmd c;
	size_t n;
	long pid;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/run.json", dir);
	ck_assert_int_eq(run_json(&c, o, "counter -w 3 -n 400 --sync %s -m both "
	    "--trace %s", guards[_i], path), 2);
	expect(&c, 0);
	cmd_free(&c);
	ck_assert_int_eq(dir_entries(dir), 1);		/* no temp file left */

	n = trace_valid(path);
	for (pid = 1; pid <= 2; pid++) {
		ck_assert_uint_eq(count(ev, n, pid, "M", NULL, "process_name"), 1);
		ck_assert_uint_eq(count(ev, n, pid, "M", NULL, "thread_name"), 3);
		ck_assert_uint_eq(count(ev, n, pid, "B", "work", NULL), 3);
		ck_assert_uint_eq(count(ev, n, pid, "B", "hold", NULL), 3 * 400);
		ck_assert_uint_eq(jnum(&o[pid - 1], "trace_dropped"), 0);
		/* try, take, let go: three records a section; unguarded, a load and a store too */
		ck_assert_uint_eq(jnum(&o[pid - 1], "trace_events"), (_i == 3 ? 5 : 3) *
		    3 * 400);
		ck_assert_uint_eq(count(ev, n, pid, "B", "rmw",
		    "read-modify-write counter"), _i == 3 ? 3 * 400 : 0);
	}
	ck_assert_uint_eq(count(ev, n, 3, "M", NULL, "process_name"), 0);
	rm_tree(dir);
}
END_TEST

/* The demos a class traces, both modes: every file drawable, a lane per worker. */
static const char *const viewed[] = { "counter", "crash", "rwlock", "condition",
	"queue" };

START_TEST(trace_drawable)
{
	char dir[96], path[128];
	const char *mode = _i % 2 ? "process" : "thread";
	struct cmd c;
	size_t n, i, work = 0;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/%s.json", dir, viewed[_i / 2]);
	ck_assert_int_eq(cmd_runf(&c, "%s -m %s -f csv --trace %s", viewed[_i / 2],
	    mode, path), 0);
	ck_assert_msg(c.status == 0 || strcmp(viewed[_i / 2], "crash") == 0,
	    "%s: exit %d: %s", viewed[_i / 2], c.status, c.err);
	cmd_free(&c);
	n = trace_valid(path);
	for (i = 0; i < n; i++)
		work += strcmp(ev[i].ph, "B") == 0 && strcmp(ev[i].cat, "work") == 0;
	ck_assert_uint_eq(work, count(ev, n, 0, "M", NULL, "thread_name"));
	ck_assert_uint_gt(work, 0);
	rm_tree(dir);
}
END_TEST

/* Every slice lies in its lane's work, on a lane the run has; puts and gets drawn. */
START_TEST(trace_lanes)
{
	char dir[96], path[128];
	long long lo[5] = { 0 }, hi[5] = { 0 };
	struct cmd c;
	size_t i, n;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/q.json", dir);
	ck_assert_int_eq(cmd_runf(&c, "queue -p 2 -c 2 -n 300 -k 4 -m process "
	    "-f csv --trace %s", path), 0);
	expect(&c, 0);
	cmd_free(&c);
	n = trace_valid(path);
	ck_assert_uint_eq(count(ev, n, 1, "M", NULL, "thread_name"), 4);
	ck_assert_uint_eq(count(ev, n, 1, "B", "event", "put queue"), 2 * 300);
	ck_assert_uint_eq(count(ev, n, 1, "B", "event", "get queue"), 2 * 300);
	for (i = 0; i < n; i++)
		if (strcmp(ev[i].cat, "work") == 0) {
			ck_assert(ev[i].tid >= 1 && ev[i].tid <= 4);
			lo[ev[i].tid] = ev[i].ts;
		} else if (strcmp(ev[i].name, "work") == 0)
			hi[ev[i].tid] = ev[i].ts;
	for (i = 0; i < n; i++) {
		if (ev[i].ph[0] == 'M' || strcmp(ev[i].name, "work") == 0)
			continue;
		ck_assert(ev[i].tid >= 1 && ev[i].tid <= 4);
		ck_assert_msg(ev[i].ts >= lo[ev[i].tid] && ev[i].ts <= hi[ev[i].tid],
		    "%s at %lld ns outside worker %ld's work", ev[i].name, ev[i].ts,
		    ev[i].tid - 1);
	}
	rm_tree(dir);
}
END_TEST

/*
 * A long run keeps each worker's first and last 32768 records of 65536
 * and counts the rest: the file says so, the table shows trace_dropped,
 * and the lanes still nest.
 */
START_TEST(trace_window)
{
	const uint64_t n = 200000, rec = 3 * n, head = 32768, ring = 32768;
	char dir[96], path[128], want[48];
	uint64_t tail0 = rec - ring, holds;
	struct jobj o;
	struct cmd c;
	size_t ne;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/w.json", dir);
	ck_assert_int_eq(run_json(&c, &o, "counter -w 2 -n %ju -s mutex -m thread "
	    "--trace %s", (uintmax_t)n, path), 1);
	ck_assert_int_eq(c.status, 0);
	ck_assert_uint_eq(jnum(&o, "trace_dropped"), 2 * (rec - head - ring));
	ck_assert_uint_eq(jnum(&o, "trace_events"), 2 * (head + ring));
	ck_assert_msg(strstr(c.err, "kept 131072 of 1200000 records") != NULL, "%s",
	    c.err);
	cmd_free(&c);
	ne = trace_valid(path);
	snprintf(want, sizeof(want), "%ju records dropped",
	    (uintmax_t)(rec - head - ring));
	ck_assert_uint_eq(count(ev, ne, 1, "B", "dropped", want), 2);
	/* Whole sections in the head, and from the ring's first take on. */
	holds = head / 3 + (rec - (tail0 + (3 - tail0 % 3) % 3)) / 3 +
	    (tail0 % 3 == 1);
	ck_assert_uint_eq(count(ev, ne, 1, "B", "hold", "hold mutex"), 2 * holds);
	ck_assert_uint_eq(count(ev, ne, 1, "B", "hold",
	    "hold mutex (ends in the dropped records)"), 2 * (head % 3 == 2));
	unlink(path);

	/* The table names the drop. */
	ck_assert_int_eq(cmd_runf(&c, "counter -w 1 -n 30000 -s mutex -m thread "
	    "--trace %s/t.json --wide", dir), 0);
	ck_assert_int_eq(c.status, 0);
	ck_assert_msg(strstr(c.out, "trace_dropped") != NULL, "%s", c.out);
	cmd_free(&c);
	rm_tree(dir);
}
END_TEST

/* The default trace of the default counter: under 20 MB, drawable, its keep said. */
START_TEST(trace_default)
{
	char dir[96], path[128];
	struct stat st;
	struct cmd c;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/d.json", dir);
	ck_assert_int_eq(cmd_runf(&c, "counter -f csv --trace %s", path), 0);
	ck_assert_int_eq(c.status, 0);
	ck_assert_msg(strstr(c.err, "--trace") && strstr(c.err, "each worker's "
	    "first and last of each run, and every failure"), "%s", c.err);
	cmd_free(&c);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_lt(st.st_size, 20 << 20);
	ck_assert_uint_eq(count(ev, trace_valid(path), 0, "M", NULL,
	    "process_name"), 13 * 2);	/* every guard, both modes */
	rm_tree(dir);
}
END_TEST

/* Objects are named by their role in the demo: a command, and names its trace must hold. */
static const struct {
	const char	*cmd;
	const char	*names[4];
} roles[] = {
	{ "condition -p 1 -c 1 --items 50 -k 1", { "hold buffer lock",
	    "notify not empty", "notify not full" } },
	{ "philosophers -w 5 -n 3", { "hold fork 0", "hold fork 3", "wait fork 4" } },
	{ "barber", { "wait barber's chair", "post barber's chair" } },
	{ "event -r 2", { "wait event", "notify event" } },
	{ "reentrant -n 2", { "hold recursive", "hold errorcheck", "hold normal" } },
	{ "pingpong -n 10 --via sem", { "post turn of 0", "post turn of 1" } },
	{ "order", { "post first done", "wait second done" } },
	{ "h2o", { "wait hydrogen seats", "wait oxygen seat", "at bond" } },
	{ "rwlock -n 5", { "hold table", "read table" } },
	{ "timeout", { "hold hogged lock" } },
	{ "semaphore -n 2", { "wait permits" } },
	{ "foobar -n 3", { "post foo's turn", "post bar's turn" } },
	{ "zeroevenodd", { "post zero", "post odd", "post even" } },
	{ "crash", { "hold counter lock" } },
	{ "referee", { "put waiting line", "get waiting line" } },
};

/* Every name the role table promises is an event of the run's trace (any phase). */
START_TEST(trace_roles)
{
	static struct tev ev[MAX_EV];
	char dir[96], path[128];
	const char *name;
	struct cmd c;
	size_t i, k, n, seen;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	ck_assert_int_eq(cmd_runf(&c, "%s -m thread -f csv -T 20 --trace %s",
	    roles[_i].cmd, path), 0);
	expect(&c, 0);
	cmd_free(&c);
	n = trace_load(path, ev, MAX_EV);
	for (k = 0; k < 4 && (name = roles[_i].names[k]) != NULL; k++) {
		for (i = seen = 0; i < n; i++)
			seen += strcmp(ev[i].name, name) == 0;
		ck_assert_msg(seen > 0, "%s: no event named '%s'", roles[_i].cmd, name);
	}
	rm_tree(dir);
}
END_TEST

/* A full buffer keeps its start and its end; the timeline marks the middle '?'. */
START_TEST(trace_dropped)
{
	char dir[96], *lane;
	struct jobj o;
	struct cmd c;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	ck_assert_int_eq(run_json(&c, &o, "counter -w 1 -n 100000 --sync mutex "
	    "-m thread --trace %s/big.json", dir), 1);
	ck_assert_int_eq(c.status, 0);
	ck_assert_uint_eq(jnum(&o, "trace_dropped"), 3 * 100000 - 65536);
	ck_assert_uint_eq(jnum(&o, "trace_events") + jnum(&o, "trace_dropped"),
	    3 * 100000);
	ck_assert_uint_eq(jnum(&o, "observed"), 100000);
	cmd_free(&c);
	rm_tree(dir);

	/* The timeline does not guess in the gap: '?' there, the end drawn. */
	setenv("COLUMNS", "40", 1);
	ck_assert_int_eq(cmd_runf(&c, "counter -w 1 -n 100000 --sync mutex "
	    "-m thread --timeline"), 0);
	expect(&c, 0);
	ck_assert_ptr_nonnull(lane = strstr(c.out, "\nw0|"));
	ck_assert_msg(memchr(lane + 4, '?', 36) != NULL, "%s", c.out);
	ck_assert_msg(lane[39] != '?' && lane[39] != ' ' && lane[40] == '|', "%s",
	    c.out);
	cmd_free(&c);
}
END_TEST

/* One lane per worker, every line within COLUMNS, only the legend's marks. */
START_TEST(timeline_lanes)
{
	struct cmd c;
	char *line, *save, want[16];
	int lanes = 0, held = 0, w;

	setenv("COLUMNS", "50", 1);
	ck_assert_int_eq(cmd_runf(&c, "semaphore -w 5 -k 2 -n 2 -u 3000 "
	    "-m process --timeline"), 0);
	expect(&c, 0);
	for (line = strtok_r(c.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "semaphore sem (", 15) == 0 ||
		    strncmp(line, "# holds", 7) == 0)
			ck_assert_msg(strlen(line) <= 50, "too wide: '%s'", line);
		if (line[0] != 'w' || strchr(line, '|') == NULL)
			continue;
		snprintf(want, sizeof(want), "w%d|", lanes);
		ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "lane %d: %s",
		    lanes, line);
		ck_assert_uint_eq(strlen(line), 50);
		ck_assert_uint_eq(strspn(line + 3, "#=.!- X?"), 46);
		ck_assert_int_eq(line[49], '|');
		held += strchr(line + 3, '#') != NULL;
		lanes++;
	}
	ck_assert_int_eq(lanes, 5);
	ck_assert_int_eq(held, 5);	/* each held a permit 6 ms of ~18 */
	cmd_free(&c);

	/* Two digits of worker number: the lanes stay as wide. */
	ck_assert_int_eq(cmd_runf(&c, "counter -w 12 -n 50 -s mutex -m thread --timeline"), 0);
	for (w = 0, line = c.out; (line = strstr(line, "\nw")) != NULL; line++, w++)
		ck_assert_uint_eq(strcspn(line + 1, "\n"), 50);
	ck_assert_int_eq(w, 12);
	cmd_free(&c);
}
END_TEST

/* The deadlock's cycle: both workers wait while holding, for the other's lock. */
START_TEST(timeline_deadlock)
{
	struct cmd c;

	setenv("COLUMNS", "60", 1);
	ck_assert_int_eq(cmd_runf(&c, "deadlock -n 5 -W 50 -m thread --timeline"), 0);
	expect(&c, 0);
	ck_assert_msg(strstr(c.out, "w0|") && strstr(strstr(c.out, "w0|"), "!!!!"),
	    "%s", c.out);
	ck_assert_msg(strstr(c.out, "w1|") && strstr(strstr(c.out, "w1|"), "!!!!"),
	    "%s", c.out);
	cmd_free(&c);
}
END_TEST

/* Bad or impossible asks: exit 2, one line, no file made. */
START_TEST(trace_bad)
{
	static const char *const bad[] = {
		"counter --timeline -f csv", "counter --timeline -f json",
		"all --timeline", "all --trace %s/x.json",
		"sweep counter --workers 1,2 --trace %s/x.json",
		"counter --trace %s/no-such-dir/x.json",
	};
	char dir[96], line[256];
	size_t i;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), bad[i], dir);
		expect_usage(line, NULL);
	}
	ck_assert_int_eq(dir_entries(dir), 0);
	rmdir(dir);
}
END_TEST

/* A traced run stopped by SIGINT or SIGTERM: 128+N, and neither the file nor its temp stays. */
START_TEST(trace_signal)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	char dir[96], path[128];
	int i, st, sig = sigs[_i / 2];
	pid_t pid;

	ck_assert_ptr_nonnull(test_mkdtemp(dir, sizeof(dir), "trace"));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(126);
		execl(shmsync_path(), "shmsync", "semaphore", "-w", "3", "-n", "50",
		    "-u", "100000", "-m", _i % 2 ? "thread" : "process", "--trace",
		    path, (char *)NULL);
		_exit(127);
	}
	/* The temp file, once the run has begun (however loaded the machine). */
	for (i = 0; i < 200 && dir_entries(dir) == 0; i++)
		ms_sleep(50);
	ck_assert_int_eq(dir_entries(dir), 1);
	ms_sleep(100);
	ck_assert_int_eq(kill(pid, sig), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	/* Killed by the signal itself: a shell sees 128+N. */
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == sig, "status %#x", st);
	ck_assert_int_eq(dir_entries(dir), 0);
	ck_assert_int_eq(shm_leftovers(pid), 0);
	rmdir(dir);
}
END_TEST

Suite *
launcher_trace_suite(void)
{
	Suite *s = suite_create("launcher_trace");
	TCase *tc = tcase_create("trace");

	/* The default counter, traced, runs every guard in both modes. */
	tcase_set_timeout(tc, 4 * CLI_TIMEOUT);
	tcase_add_test(tc, trace_checker);
	tcase_add_loop_test(tc, trace_counts, 0, sizeof(guards) / sizeof(guards[0]));
	tcase_add_loop_test(tc, trace_drawable, 0, 2 * (int)(sizeof(viewed) /
	    sizeof(viewed[0])));	/* each demo, thread then process */
	tcase_add_test(tc, trace_lanes);
	tcase_add_test(tc, trace_window);
	tcase_add_test(tc, trace_default);
	tcase_add_loop_test(tc, trace_roles, 0, sizeof(roles) / sizeof(roles[0]));
	tcase_add_test(tc, trace_dropped);
	tcase_add_test(tc, timeline_lanes);
	tcase_add_test(tc, timeline_deadlock);
	tcase_add_test(tc, trace_bad);
	tcase_add_loop_test(tc, trace_signal, 0, 4);	/* INT, TERM x process, thread */
	suite_add_tcase(s, tc);
	return s;
}
