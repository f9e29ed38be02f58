/*
 * trace.c - --trace FILE and --timeline: what each worker did, and when.
 *
 * Each worker gets a buffer in the run's region (ipc/trace.h) that the ipc
 * calls fill.  After the run the launcher walks every lane and turns pairs
 * of events into spans (a wait, a hold, a barrier) and the rest into
 * instants, then writes them as Chrome trace events (one process per run,
 * one thread per worker: Perfetto and chrome://tracing open it) or draws
 * them as lanes of characters across the terminal.  The file is written
 * beside FILE and renamed over it once whole.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

#define LANE_CAP	65536		/* records per worker, at most */
#define TOTAL_CAP	(1u << 22)	/* records in all, past the minimum */
#define LANE_MIN	256
#define FILE_RECORDS	131072		/* --trace: records per file, about 16 MB of JSON */
#define MAX_NAMES	64		/* objects named in one run */
#define MAX_OPEN	16		/* open spans in a lane */
#define MAX_LANES	64		/* drawn by --timeline */

enum span { SP_HOLD, SP_READ, SP_WAIT, SP_BARRIER, SP_WORK, SP_RMW, SP_EVENT,
	SP_GAP, NSPAN };

static const char *const span_cat[NSPAN] = { "hold", "read", "wait",
	"barrier", "work", "rmw", "event", "dropped" };
static const char *const span_verb[NSPAN] = { "hold ", "read ", "wait ",
	"at ", "", "read-modify-write ", "", "" };
static const char *const kind_names[IPC_NKIND] = { "?", "mutex", "spinlock",
	"semaphore", "rwlock", "condvar", "barrier", "queue", "event", "flag",
	"variable" };

struct objname {
	uintptr_t	 addr;
	char		 name[32];
};

struct open {
	uintptr_t	 addr;
	enum ipc_ev	 ev;
	enum ipc_kind	 kind;
	uint64_t	 t;
};

/* A slice of a lane in the trace file: [a, b) in ns, its name final. */
struct slice {
	uint64_t	 a, b;
	uint32_t	 seq;		/* the order it was made in: ties */
	uint8_t		 sp;
	uint8_t		 cont;		/* the rest of a slice cut at its parent's end */
	char		 name[80];
};

/* Where the walk of a lane goes: the JSON writer or the timeline. */
struct sink {
	void	(*span)(struct sink *, unsigned, enum span, const char *,
		    uint64_t, uint64_t, const char *);
	void	(*instant)(struct sink *, unsigned, const char *, uint64_t);
	void	(*gap)(struct sink *, unsigned, uint64_t, uint64_t, uint64_t);
	const struct run *r;
	uint64_t	 t0;		/* the run's start */
	FILE		*f;		/* JSON */
	int		 pid;
	struct slice	*sl;		/* JSON: the lane's slices, then written */
	size_t		 nsl, slcap;
	double		*acc;		/* timeline: ns per lane, column, state */
	unsigned	 cols;
	uint64_t	 span_ns;
	int		*died;		/* the column a lane died in, or -1 */
	int		*cut;		/* the column its records stop in, or -1 */
	int		*resume;	/* the column they start again in */
};

static struct objname names[MAX_NAMES];
static unsigned nnames, kind_seen[IPC_NKIND];
static FILE *tf;			/* the trace file being written */
static char tpath[4096], ttmp[4096];
static int truns, tfirst;
static int tl_on;			/* --timeline: draw each run */
static uint64_t run_budget;		/* --trace: records a run may keep; 0: the caps */
static uint64_t file_asked, file_kept;	/* records, over the file's runs */

/* Records a worker keeps: its share of the run's, within LANE_MIN..LANE_CAP. */
static uint64_t
lane_cap(unsigned nworkers)
{
	uint64_t cap = (run_budget ? run_budget : TOTAL_CAP) /
	    (nworkers ? nworkers : 1);

	return cap > LANE_CAP ? LANE_CAP : cap < LANE_MIN ? LANE_MIN : cap;
}

/* The ring: the largest power of two at most half the cap; the head, the rest. */
static uint64_t
lane_ring(uint64_t cap)
{
	uint64_t ring = 1;

	while (ring * 2 <= cap / 2)
		ring *= 2;
	return ring;
}

static size_t
lane_stride(unsigned nworkers)
{
	return (sizeof(struct ipc_trace_buf) + lane_cap(nworkers) *
	    sizeof(struct ipc_trace_rec) + CACHE_LINE - 1) &
	    ~(size_t)(CACHE_LINE - 1);
}

/* Bytes of region the buffers take: nothing unless --trace or --timeline. */
size_t
trace_size(const struct params *p, unsigned nworkers)
{
	if (!p->tracing)
		return 0;
	return lane_stride(nworkers) * nworkers;
}

static struct ipc_trace_buf *
lane(const struct run *r, unsigned id)
{
	return (struct ipc_trace_buf *)((char *)r->trace + id * r->trace_stride);
}

/* Empty buffers in the region's area, and no names yet. */
void
trace_setup(struct run *r, void *area)
{
	uint64_t cap = lane_cap(r->nworkers), ring = lane_ring(cap);
	unsigned i;

	nnames = 0;
	memset(kind_seen, 0, sizeof(kind_seen));
	r->trace = area;
	if (area == NULL)
		return;
	r->trace_stride = lane_stride(r->nworkers);
	for (i = 0; i < r->nworkers; i++) {
		lane(r, i)->head = cap - ring;
		lane(r, i)->mask = ring - 1;
		lane(r, i)->n = lane(r, i)->nfail = 0;
	}
}

/* The calling worker records into its lane from now on. */
void
trace_begin(const struct run *r, unsigned id)
{
	ipc_trace_cur = r->trace != NULL ? lane(r, id) : NULL;
}

/* --timeline: draw every traced run's lanes after it. */
void
trace_timeline(int on)
{
	tl_on = on;
}

/* A demo's name for one of its objects, shown instead of "mutex 2". */
void
trace_name(const struct run *r, const volatile void *obj, const char *name)
{
	if (r->trace == NULL || nnames == MAX_NAMES)
		return;
	names[nnames].addr = (uintptr_t)obj & 0xffffffffffffull;
	strlcpy(names[nnames].name, name, sizeof(names[nnames].name));
	nnames++;
}

/* An object's name: the demo's, else its kind, numbered from the second on. */
static const char *
obj_name(uintptr_t addr, enum ipc_kind kind)
{
	unsigned i;

	kind = kind < IPC_NKIND ? kind : 0;
	for (i = 0; i < nnames; i++)
		if (names[i].addr == addr)
			return names[i].name;
	if (nnames == MAX_NAMES)
		return kind_names[kind];
	names[nnames].addr = addr;
	if (kind_seen[kind]++ == 0)
		strlcpy(names[nnames].name, kind_names[kind], sizeof(names[0].name));
	else
		snprintf(names[nnames].name, sizeof(names[0].name), "%s %u",
		    kind_names[kind], kind_seen[kind]);
	return names[nnames++].name;
}

/* Record seq of a buffer: in the head, or where the ring put it. */
static const struct ipc_trace_rec *
rec_at(const struct ipc_trace_buf *b, uint64_t seq)
{
	return &b->rec[seq < b->head ? seq : b->head + ((seq - b->head) & b->mask)];
}

/* Records the ring overwrote: those from the head's end to the ring's start. */
static uint64_t
lane_gap(const struct ipc_trace_buf *b)
{
	return b->n > IPC_TRACE_CAP(b) ? b->n - IPC_TRACE_CAP(b) : 0;
}

/* Failures kept from the gap: those the ring did not keep anyway. */
static uint64_t
gap_fails(const struct ipc_trace_buf *b)
{
	uint64_t i, k = 0;

	for (i = 0; i < b->nfail && i < IPC_TRACE_FAILS; i++)
		k += b->fail[i].seq < b->head + lane_gap(b);
	return k;
}

/* The lane's end: its worker's, or its last record if it never finished. */
static uint64_t
lane_end(const struct run *r, unsigned id)
{
	const struct ipc_trace_buf *b = lane(r, id);
	const struct slot *s = &r->sh->slot[id];

	if (s->done && s->t_end >= s->t_start)
		return s->t_end;
	return b->n > 0 ? rec_at(b, b->n - 1)->t : s->t_start;
}

static int
find_open(struct open *o, int n, uintptr_t addr, enum ipc_ev ev)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		if (o[i].addr == addr && (o[i].ev == ev || (ev == IPC_EV_ACQ &&
		    o[i].ev == IPC_EV_ACQ_READ)))
			return i;
	return -1;
}

static int
push_open(struct open *o, int n, const struct ipc_trace_rec *rec)
{
	if (n == MAX_OPEN) {
		memmove(o, o + 1, (MAX_OPEN - 1) * sizeof(*o));
		n--;
	}
	o[n] = (struct open){ IPC_TRACE_ADDR(rec->what), IPC_TRACE_EV(rec->what),
	    IPC_TRACE_KIND(rec->what), rec->t };
	return n + 1;
}

/* Close the open span that started with ev on the same object; -1 if none. */
static int
pop_open(struct open *o, int *n, uintptr_t addr, enum ipc_ev ev, struct open *out)
{
	int i = find_open(o, *n, addr, ev);

	if (i < 0)
		return -1;
	*out = o[i];
	memmove(o + i, o + i + 1, (size_t)(*n - i - 1) * sizeof(*o));
	(*n)--;
	return 0;
}

/*
 * A record that ends a span whose start was not found.  After a gap the
 * start was among the dropped records: the span is drawn from the gap's
 * end (since), said so.  Otherwise a semaphore's post has no start.
 */
static void
orphan(struct sink *k, unsigned id, enum span sp, const char *nm,
    const struct ipc_trace_rec *rec, uint64_t since)
{
	char buf[48];

	if (since != 0)
		k->span(k, id, sp, nm, since, rec->t, "began in the dropped records");
	else if (IPC_TRACE_EV(rec->what) == IPC_EV_REL) {
		snprintf(buf, sizeof(buf), "post %s", nm);
		k->instant(k, id, buf, rec->t);
	}
}

/* An ending record: the span it closes, or an orphan. */
static int
close_span(struct sink *k, unsigned id, struct open *o, int n,
    const struct ipc_trace_rec *rec, uint64_t since)
{
	static const enum ipc_ev opener[IPC_NEV] = { [IPC_EV_REL] = IPC_EV_ACQ,
	    [IPC_EV_WAKE] = IPC_EV_WAIT, [IPC_EV_LEAVE] = IPC_EV_ARRIVE,
	    [IPC_EV_STORE] = IPC_EV_LOAD };
	static const enum span kind_of[IPC_NEV] = { [IPC_EV_REL] = SP_HOLD,
	    [IPC_EV_WAKE] = SP_WAIT, [IPC_EV_LEAVE] = SP_BARRIER,
	    [IPC_EV_STORE] = SP_RMW };
	enum ipc_ev ev = IPC_TRACE_EV(rec->what);
	uintptr_t a = IPC_TRACE_ADDR(rec->what);
	const char *nm = obj_name(a, IPC_TRACE_KIND(rec->what));
	struct open x;

	if (pop_open(o, &n, a, opener[ev], &x) == 0)
		k->span(k, id, x.ev == IPC_EV_ACQ_READ ? SP_READ : kind_of[ev], nm,
		    x.t, rec->t, NULL);
	else if (!(ev == IPC_EV_REL && IPC_TRACE_KIND(rec->what) == IPC_K_SEM))
		orphan(k, id, kind_of[ev], nm, rec, since);
	else
		orphan(k, id, kind_of[ev], nm, rec, 0);
	return n;
}

/* One record against the open spans: a span closes, one opens, or an instant. */
static int
step(struct sink *k, unsigned id, struct open *o, int n,
    const struct ipc_trace_rec *rec, uint64_t since)
{
	enum ipc_ev ev = IPC_TRACE_EV(rec->what);
	uintptr_t a = IPC_TRACE_ADDR(rec->what);
	const char *nm = obj_name(a, IPC_TRACE_KIND(rec->what));
	struct open x;
	char buf[48];

	switch (ev) {
	case IPC_EV_ACQ:
	case IPC_EV_ACQ_READ:
		if (pop_open(o, &n, a, IPC_EV_TRY, &x) == 0)
			k->span(k, id, SP_WAIT, nm, x.t, rec->t, NULL);
		pop_open(o, &n, a, IPC_EV_ACQ, &x);	/* a signal taken again */
		return push_open(o, n, rec);
	case IPC_EV_FAIL:
		if (pop_open(o, &n, a, IPC_EV_TRY, &x) == 0)
			k->span(k, id, SP_WAIT, nm, x.t, rec->t, "gave up");
		else {
			snprintf(buf, sizeof(buf), "gave up %s", nm);
			k->instant(k, id, buf, rec->t);
		}
		return n;
	case IPC_EV_REL:
	case IPC_EV_WAKE:
	case IPC_EV_LEAVE:
	case IPC_EV_STORE:
		return close_span(k, id, o, n, rec, since);
	case IPC_EV_NOTIFY:
	case IPC_EV_PUT:
	case IPC_EV_GET:
		snprintf(buf, sizeof(buf), "%s %s", ev == IPC_EV_PUT ? "put" :
		    ev == IPC_EV_GET ? "get" : "notify", nm);
		k->instant(k, id, buf, rec->t);
		return n;
	default:
		return push_open(o, n, rec);
	}
}

/* Spans still open where the lane's records stop: a lock held, a wait unfinished. */
static void
close_lane(struct sink *k, unsigned id, struct open *o, int n, uint64_t end,
    int gap)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *nm = obj_name(o[i].addr, o[i].kind);

		if (o[i].ev == IPC_EV_ACQ && o[i].kind == IPC_K_SEM)
			continue;	/* a permit kept, or a signal taken */
		if (o[i].ev == IPC_EV_ACQ || o[i].ev == IPC_EV_ACQ_READ)
			k->span(k, id, o[i].ev == IPC_EV_ACQ ? SP_HOLD : SP_READ,
			    nm, o[i].t, end, gap ? "ends in the dropped records" :
			    "still held");
		else
			k->span(k, id, o[i].ev == IPC_EV_ARRIVE ? SP_BARRIER :
			    o[i].ev == IPC_EV_LOAD ? SP_RMW : SP_WAIT, nm, o[i].t,
			    end, gap ? "ends in the dropped records" : "unfinished");
	}
}

/* The gap: its open spans end, its kept failures show, then it is drawn. */
static void
walk_gap(struct sink *k, unsigned id, struct open *o, int no)
{
	const struct ipc_trace_buf *b = lane(k->r, id);
	uint64_t i, drop = lane_gap(b), from = rec_at(b, b->head - 1)->t;
	uint64_t to = rec_at(b, b->head + drop)->t;

	close_lane(k, id, o, no, from, 1);
	for (i = 0; i < b->nfail && i < IPC_TRACE_FAILS; i++)
		if (b->fail[i].seq < b->head + drop) {
			step(k, id, o, 0, &b->fail[i].rec, 0);
			drop--;		/* kept after all */
		}
	k->gap(k, id, from, to, drop);
}

static void
walk_lane(struct sink *k, unsigned id)
{
	const struct ipc_trace_buf *b = lane(k->r, id);
	const struct slot *s = &k->r->sh->slot[id];
	uint64_t i, gap = lane_gap(b), end = lane_end(k->r, id), since = 0;
	uint64_t nh = b->n < b->head ? b->n : b->head;
	struct open o[MAX_OPEN];
	int no = 0;

	if (s->t_start == 0)
		return;		/* never started */
	k->span(k, id, SP_WORK, "work", s->t_start, end, s->done ? NULL :
	    "did not finish");
	for (i = 0; i < nh; i++)
		no = step(k, id, o, no, rec_at(b, i), 0);

	/* The ring overwrote the middle: what spans it is not known. */
	if (gap != 0) {
		walk_gap(k, id, o, no);
		no = 0;
		since = rec_at(b, b->head + gap)->t;
	}
	for (i = nh + gap; i < b->n; i++)
		no = step(k, id, o, no, rec_at(b, i), since);
	close_lane(k, id, o, no, end, 0);
	if (!s->done)
		k->instant(k, id, atomic_load(&s->planned) ? "died (planned)" :
		    "died", end);
}

/* The run's common start: the earliest worker's. */
static uint64_t
run_start(const struct run *r)
{
	uint64_t t0 = UINT64_MAX;
	unsigned i;

	for (i = 0; i < r->nworkers; i++)
		if (r->sh->slot[i].t_start != 0 && r->sh->slot[i].t_start < t0)
			t0 = r->sh->slot[i].t_start;
	return t0 == UINT64_MAX ? r->sh->t_launch : t0;
}

/* --- the Chrome trace-event file --- */

static void
json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s != '\0'; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			putc(*s, f);
	putc('"', f);
}

static void
json_sep(FILE *f)
{
	fputs(tfirst ? "\n" : ",\n", f);
	tfirst = 0;
}

static void
slice_add(struct sink *k, enum span sp, const char *name, uint64_t a,
    uint64_t b, const char *note)
{
	struct slice *s;

	if (k->nsl == k->slcap) {
		k->slcap = k->slcap ? 2 * k->slcap : 1024;
		if ((k->sl = reallocarray(k->sl, k->slcap, sizeof(*k->sl))) == NULL)
			err(1, "--trace");
	}
	s = &k->sl[k->nsl];
	/* Never empty: a viewer may see the end of an empty slice before its begin. */
	*s = (struct slice){ a, b > a ? b : a + 1, (uint32_t)k->nsl, sp, 0, "" };
	snprintf(s->name, sizeof(s->name), "%s%s%s%s%s", span_verb[sp], name,
	    note ? " (" : "", note ? note : "", note ? ")" : "");
	k->nsl++;
}

static void
json_span(struct sink *k, unsigned id, enum span sp, const char *name,
    uint64_t a, uint64_t b, const char *note)
{
	(void)id;
	slice_add(k, sp, name, a, b, note);
}

/* An instant is a slice of one nanosecond: viewers that drop instants still draw it. */
static void
json_instant(struct sink *k, unsigned id, const char *name, uint64_t t)
{
	(void)id;
	slice_add(k, SP_EVENT, name, t, t + 1, NULL);
}

static void
json_gap(struct sink *k, unsigned id, uint64_t a, uint64_t b, uint64_t n)
{
	char buf[48];

	(void)id;
	snprintf(buf, sizeof(buf), "%ju records dropped", (uintmax_t)n);
	slice_add(k, SP_GAP, buf, a, b, NULL);
}

/* By start, the longer first (a parent before its child), then as made. */
static int
slice_cmp(const void *x, const void *y)
{
	const struct slice *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b > b->b ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A time as microseconds with exactly three decimals: the ns, exact in decimal. */
static void
json_ts(struct sink *k, uint64_t t)
{
	t = t > k->t0 ? t - k->t0 : 0;
	fprintf(k->f, "%ju.%03u", (uintmax_t)(t / 1000), (unsigned)(t % 1000));
}

static void
json_edge(struct sink *k, unsigned id, const struct slice *s, int begin)
{
	json_sep(k->f);
	fprintf(k->f, "{\"ph\":\"%s\",\"pid\":%d,\"tid\":%u,\"ts\":", begin ?
	    "B" : "E", k->pid, id + 1);
	json_ts(k, begin ? s->a : s->b);
	if (begin)
		fprintf(k->f, ",\"cat\":\"%s\"", span_cat[s->sp]);
	fputs(",\"name\":", k->f);
	json_str(k->f, s->name);
	putc('}', k->f);
}

/* s into an array of slices: at its end, or in start order. */
static void
put_slice(struct slice **p, size_t *np, size_t *cap, const struct slice *s,
    int sorted)
{
	size_t i;

	if (*np == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((*p = reallocarray(*p, *cap, sizeof(**p))) == NULL)
			err(1, "--trace");
	}
	for (i = *np; sorted && i > 0 && slice_cmp(&(*p)[i - 1], s) > 0; i--)
		(*p)[i] = (*p)[i - 1];
	(*p)[i] = *s;
	(*np)++;
}

/*
 * The lane's slices as B/E pairs in time order, nested: each slice ends
 * before or with the one it began in.  One that outlasts it is cut there
 * and goes on as "(continued)".  Every time is an exact integer of ns, so
 * a viewer compares the same numbers we do; at a tie an end comes first.
 */
static void
json_lane(struct sink *k, unsigned id)
{
	struct slice *st = NULL, *pd = NULL, next;
	size_t i = 0, nst = 0, stcap = 0, npd = 0, pdcap = 0;

	qsort(k->sl, k->nsl, sizeof(*k->sl), slice_cmp);
	while (i < k->nsl || npd > 0) {
		if (npd > 0 && (i == k->nsl || slice_cmp(&pd[0], &k->sl[i]) < 0)) {
			next = pd[0];
			memmove(pd, pd + 1, --npd * sizeof(*pd));
		} else
			next = k->sl[i++];
		while (nst > 0 && st[nst - 1].b <= next.a)
			json_edge(k, id, &st[--nst], 0);
		if (nst > 0 && next.b > st[nst - 1].b) {
			struct slice rest = next;

			rest.a = st[nst - 1].b;
			if (!rest.cont)
				strlcat(rest.name, " (continued)", sizeof(rest.name));
			rest.cont = 1;
			put_slice(&pd, &npd, &pdcap, &rest, 1);
			next.b = st[nst - 1].b;
		}
		json_edge(k, id, &next, 1);
		put_slice(&st, &nst, &stcap, &next, 0);
	}
	while (nst > 0)
		json_edge(k, id, &st[--nst], 0);
	free(st);
	free(pd);
	k->nsl = 0;
}

static void
json_meta(FILE *f, int pid, int tid, const char *what, const char *key,
    const char *val)
{
	json_sep(f);
	fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"name\":\"%s\","
	    "\"args\":{\"%s\":", pid, tid, what, key);
	json_str(f, val);
	fputs("}}", f);
}

/*
 * A termination signal that kills the launcher outside the supervisor's
 * sigtimedwait (a thread-mode run, or between runs) must not leave the
 * half-written file: unlink it (async-signal-safe), then die of the signal.
 */
static void
on_fatal(int sig)
{
	int e = errno;

	if (ttmp[0] != '\0')
		unlink(ttmp);
	signal(sig, SIG_DFL);
	errno = e;
	raise(sig);
}

/* Catch SIGINT, SIGTERM and SIGHUP while the temp file exists (those not ignored). */
static void
catch_fatal(int on)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_fatal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* How many runs p makes: each variant in each mode, repeat times. */
static unsigned
plan_runs(const struct params *p, int repeat)
{
	unsigned runs = p->demo != NULL && p->demo->variants != NULL ?
	    (unsigned)p->demo->variants(p) : 1;

	runs *= (unsigned)__builtin_popcount(p->modes);
	return runs * (unsigned)(repeat > 0 ? repeat : 1);
}

/*
 * The file beside path, written as runs end; 0 or an errno value.  Its
 * runs share FILE_RECORDS records, so that a viewer can open it.
 */
int
trace_open(const char *path, const struct params *p, int repeat)
{
	int fd;

	if (strlcpy(tpath, path, sizeof(tpath)) >= sizeof(tpath) ||
	    (size_t)snprintf(ttmp, sizeof(ttmp), "%s.XXXXXX", path) >= sizeof(ttmp))
		return ENAMETOOLONG;
	if ((fd = mkstemp(ttmp)) == -1) {
		ttmp[0] = '\0';
		return errno;
	}
	if ((tf = fdopen(fd, "w")) == NULL) {
		close(fd);
		trace_abandon();
		return ENOMEM;
	}
	run_budget = FILE_RECORDS / plan_runs(p, repeat);
	run_budget = run_budget > 0 ? run_budget : 1;
	file_asked = file_kept = 0;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", tf);
	tfirst = 1;
	catch_fatal(1);
	return 0;
}

/* A signal or an error ends the launcher: no half-written file is left. */
void
trace_abandon(void)
{
	if (tf != NULL)
		fclose(tf);
	tf = NULL;
	if (ttmp[0] != '\0')
		unlink(ttmp);
	ttmp[0] = '\0';
	catch_fatal(0);
}

/* What the file kept of what was recorded: into its metadata, and on stderr. */
static void
kept_note(char *buf, size_t len)
{
	if (file_kept == file_asked)
		snprintf(buf, len, "kept all %ju records", (uintmax_t)file_asked);
	else
		snprintf(buf, len, "kept %ju of %ju records (%.1f%%): each worker's "
		    "first and last of each run, and every failure; fewer runs "
		    "or iterations keep more", (uintmax_t)file_kept,
		    (uintmax_t)file_asked, 100.0 * (double)file_kept /
		    (double)file_asked);
}

/* Close the events, make the file readable as any other, rename it over path. */
int
trace_close(void)
{
	char note[256];
	mode_t mask;
	int rc = 0;

	if (tf == NULL)
		return 0;
	kept_note(note, sizeof(note));
	fputs("\n],\"otherData\":{\"shmsync\":", tf);
	json_str(tf, note);
	fputs("}}\n", tf);
	mask = umask(0);
	umask(mask);
	if (fchmod(fileno(tf), 0666 & ~mask) == -1 || fflush(tf) != 0 ||
	    ferror(tf))
		rc = errno != 0 ? errno : EIO;
	if (fclose(tf) != 0 && rc == 0)
		rc = errno;
	tf = NULL;
	if (rc == 0 && rename(ttmp, tpath) == -1)
		rc = errno;
	if (rc != 0)
		unlink(ttmp);
	ttmp[0] = '\0';
	catch_fatal(0);
	if (rc == 0 && file_kept != file_asked)
		fprintf(stderr, "%s: --trace %s: %s\n", getprogname(), tpath, note);
	return rc;
}

static void
trace_write(const struct run *r, const char *title, const char *labels)
{
	struct sink k = { json_span, json_instant, json_gap, r, run_start(r), tf,
	    ++truns, NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL };
	char tname[32], more[1200];
	uint64_t asked = 0, kept = 0;
	unsigned i;

	for (i = 0; i < r->nworkers; i++) {
		asked += lane(r, i)->n;
		kept += lane(r, i)->n - lane_gap(lane(r, i)) + gap_fails(lane(r, i));
	}
	file_asked += asked;
	file_kept += kept;
	json_meta(tf, k.pid, 0, "process_name", "name", title);
	snprintf(more, sizeof(more), "%s%strace: kept %ju of %ju records%s",
	    labels, labels[0] ? " " : "", (uintmax_t)kept, (uintmax_t)asked,
	    kept < asked ? " (each worker's first and last, every failure)" : "");
	json_meta(tf, k.pid, 0, "process_labels", "labels", more);
	for (i = 0; i < r->nworkers; i++) {
		snprintf(tname, sizeof(tname), "worker %u", i);
		json_meta(tf, k.pid, (int)i + 1, "thread_name", "name", tname);
	}
	for (i = 0; i < r->nworkers; i++) {
		walk_lane(&k, i);
		json_lane(&k, i);
	}
	free(k.sl);
}
/* --- the terminal timeline --- */

enum { ST_HOLD, ST_READ, ST_WAIT, ST_WORK, NST };

static void
tl_add(struct sink *k, unsigned id, int st, uint64_t a, uint64_t b)
{
	double *acc = k->acc + (size_t)id * k->cols * NST;
	uint64_t c, lo, hi, ca, cb;

	if (b <= a || a < k->t0)
		return;
	ca = (a - k->t0) * k->cols / k->span_ns;
	cb = (b - k->t0) * k->cols / k->span_ns;
	for (c = ca; c <= cb && c < k->cols; c++) {
		lo = k->t0 + c * k->span_ns / k->cols;
		hi = k->t0 + (c + 1) * k->span_ns / k->cols;
		lo = a > lo ? a : lo;
		hi = b < hi ? b : hi;
		if (hi > lo)
			acc[c * NST + st] += (double)(hi - lo);
	}
}

static void
tl_span(struct sink *k, unsigned id, enum span sp, const char *name,
    uint64_t a, uint64_t b, const char *note)
{
	(void)name;
	(void)note;
	if (sp == SP_RMW || sp == SP_EVENT)
		return;		/* inside the run: drawn as running */
	tl_add(k, id, sp == SP_HOLD ? ST_HOLD : sp == SP_READ ? ST_READ :
	    sp == SP_WORK ? ST_WORK : ST_WAIT, a, b);
}

static void
tl_instant(struct sink *k, unsigned id, const char *name, uint64_t t)
{
	if (strncmp(name, "died", 4) == 0 && t >= k->t0)
		k->died[id] = (int)((t - k->t0) * k->cols / k->span_ns);
}

/* The records the ring overwrote: '?' from the column they stop in to where they resume. */
static void
tl_gap(struct sink *k, unsigned id, uint64_t a, uint64_t b, uint64_t n)
{
	(void)n;
	if (a < k->t0 || b < a)
		return;
	k->cut[id] = (int)((a - k->t0) * k->cols / k->span_ns);
	k->resume[id] = (int)((b - k->t0) * k->cols / k->span_ns);
}

/* A column's character: what the worker did most of that time. */
static char
tl_char(const double *a)
{
	double run = a[ST_WORK] - a[ST_HOLD] - a[ST_READ] - a[ST_WAIT];
	double best = run;
	char c = '-';

	if (a[ST_WORK] <= 0)
		return ' ';
	if (a[ST_WAIT] > best) {
		best = a[ST_WAIT];
		c = '.';
	}
	if (a[ST_READ] > best) {
		best = a[ST_READ];
		c = '=';
	}
	if (a[ST_HOLD] > best)
		c = '#';
	/* A wait inside a hold: the shape of a deadlock, or of a nested lock. */
	if (c == '.' && a[ST_HOLD] >= a[ST_WAIT])
		c = '!';
	return c;
}

/* The terminal's width, as the tables' and the sweep chart's; at least 20. */
static unsigned
tl_width(void)
{
	int w = term_width(80);

	return w >= 20 ? (unsigned)w : 20;
}

static void
tl_print(const struct sink *k, const char *title, unsigned width, int label)
{
	unsigned id, c, nl = k->r->nworkers < MAX_LANES ? k->r->nworkers : MAX_LANES;
	char *line;

	if ((line = malloc(k->cols + 1)) == NULL)
		err(1, "timeline");
	printf("%.*s\n", (int)width, title);
	printf("%.*s\n", (int)width, "# holds  = reads  . waits  ! waits holding  - runs  X dies  ? unrecorded");
	for (id = 0; id < nl; id++) {
		for (c = 0; c < k->cols; c++)
			line[c] = tl_char(k->acc + ((size_t)id * k->cols + c) * NST);
		for (c = k->cut[id] >= 0 ? (unsigned)k->cut[id] + 1 : k->cols;
		    (int)c < k->resume[id] && c < k->cols; c++)
			line[c] = line[c] == ' ' ? ' ' : '?';
		if (k->died[id] >= 0 && (unsigned)k->died[id] < k->cols)
			line[k->died[id]] = 'X';
		line[k->cols] = '\0';
		printf("w%-*u|%s|\n", label, id, line);
	}
	if (k->r->nworkers > nl)
		printf("%.*s\n", (int)width, "(more workers: --trace FILE has "
		    "every lane)");
	free(line);
}

/* A duration in the unit that keeps it short: 850 ns, 12.3 us, 4.56 ms, 1.2 s. */
static void
fmt_dur(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
}

static void
timeline(const struct run *r, const char *title)
{
	unsigned width = tl_width(), label = 1, id, n;
	struct sink k = { tl_span, tl_instant, tl_gap, r, run_start(r), NULL, 0,
	    NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL };
	uint64_t end = 0;
	char head[256], across[16], col[16];

	for (n = r->nworkers - 1; n >= 10; n /= 10)
		label++;
	k.cols = width > label + 3 + 10 ? width - label - 3 : 10;
	for (id = 0; id < r->nworkers; id++)
		end = lane_end(r, id) > end ? lane_end(r, id) : end;
	k.span_ns = end > k.t0 ? end - k.t0 : 1;
	k.acc = calloc((size_t)r->nworkers * k.cols * NST, sizeof(double));
	k.died = malloc(r->nworkers * sizeof(int));
	k.cut = malloc(r->nworkers * sizeof(int));
	k.resume = malloc(r->nworkers * sizeof(int));
	if (k.acc == NULL || k.died == NULL || k.cut == NULL || k.resume == NULL)
		err(1, "timeline");
	for (id = 0; id < r->nworkers; id++) {
		k.died[id] = k.cut[id] = k.resume[id] = -1;
		walk_lane(&k, id);
	}
	fmt_dur((double)k.span_ns, across, sizeof(across));
	fmt_dur((double)k.span_ns / k.cols, col, sizeof(col));
	if (snprintf(head, sizeof(head), "%s: %s, a column %s", title,
	    across, col) < 0)
		head[0] = '\0';
	tl_print(&k, head, width, (int)label);
	free(k.acc);
	free(k.died);
	free(k.cut);
	free(k.resume);
}

/* What one record costs this thread, measured once: the clock read and two stores. */
static double
record_ns(void)
{
	static double cost;
	struct ipc_trace_buf *b, *saved = ipc_trace_cur;
	uint64_t t, i, n = 4096;

	if (cost > 0 || (b = malloc(sizeof(*b) + n * sizeof(b->rec[0]))) == NULL)
		return cost;
	b->head = n - 1;
	b->mask = 0;
	b->n = b->nfail = 0;
	ipc_trace_cur = b;
	t = ipc_now_ns();
	for (i = 0; i < n; i++)
		ipc_trace(IPC_EV_NOTIFY, IPC_K_FLAG, &cost);
	cost = (double)(ipc_now_ns() - t) / (double)n;
	ipc_trace_cur = saved;
	free(b);
	return cost;
}

/* "counter mutex (thread)", and the run's parameters as key=value. */
static void
describe(const struct result *res, char *title, size_t tlen, char *labels,
    size_t llen)
{
	const struct field *d = res_find(res, "demo"), *s = res_find(res, "sync"),
	    *m = res_find(res, "mode");
	char cell[NOTE_MAX + 40];
	int i;

	if (snprintf(title, tlen, "%s %s (%s)", d ? d->v.s : "?", s ? s->v.s :
	    "?", m ? m->v.s : "?") < 0)
		title[0] = '\0';
	labels[0] = '\0';
	for (i = 0; i < res->n; i++) {
		const struct field *f = &res->f[i];

		if (!(f->flags & F_PARAM))
			continue;
		if (f->type == F_STR)
			snprintf(cell, sizeof(cell), "%s=%s ", f->key, f->v.s);
		else if (f->type == F_INT)
			snprintf(cell, sizeof(cell), "%s=%jd ", f->key, (intmax_t)f->v.i);
		else if (f->type == F_BOOL)
			snprintf(cell, sizeof(cell), "%s=%s ", f->key, f->v.u ? "yes" :
			    "no");
		else if (f->type == F_DBL)
			snprintf(cell, sizeof(cell), "%s=%g ", f->key, f->v.d);
		else
			snprintf(cell, sizeof(cell), "%s=%ju ", f->key, (uintmax_t)f->v.u);
		strlcat(labels, cell, llen);
	}
	if (labels[0] != '\0')
		labels[strlen(labels) - 1] = '\0';
}

/* What the run's lanes recorded and dropped, and what recording cost: into the result. */
void
trace_count(const struct run *r, struct result *res)
{
	uint64_t events = 0, dropped = 0;
	unsigned i;

	if (r->trace == NULL)
		return;
	for (i = 0; i < r->nworkers; i++) {
		events += lane(r, i)->n;
		dropped += lane_gap(lane(r, i)) - gap_fails(lane(r, i));
	}
	res_uint(res, "trace_events", events - dropped, F_TABLE);
	res_uint(res, "trace_dropped", dropped, dropped ? F_TABLE : 0);
	res_uint(res, "trace_cost_ns", (uint64_t)(record_ns() * (double)events),
	    F_TABLE | F_NS);
}

/* The run's lanes: to the trace file, and drawn on the terminal with --timeline. */
void
trace_show(const struct run *r, const struct result *res)
{
	char title[160], labels[1024];

	if (r->trace == NULL)
		return;
	describe(res, title, sizeof(title), labels, sizeof(labels));
	if (tf != NULL)
		trace_write(r, title, labels);
	if (tl_on)
		timeline(r, title);
}
