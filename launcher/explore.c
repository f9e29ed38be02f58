/*
 * explore.c - --explore: every schedule of a demo at its scheduling points
 * (workers/sched.h), counted exactly, each outcome with how many schedules
 * reach it and a shortest one that does.
 *
 * Schedules are not enumerated one by one (3 workers x 3 increments have
 * 17 million).  The states they pass through (the demo's shared state and
 * each worker's place, tasks_key) form a graph whose every edge is one
 * step, so it is walked breadth first, a level per step: the schedules
 * reaching a state are the sum of those reaching its parents, each state
 * is expanded once, and the first schedule to reach an outcome is a
 * shortest one.  Coroutines cannot be copied, so a state is rebuilt by
 * replaying its schedule from the start (tasks.c).  CHESS (Musuvathi et
 * al., OSDI 2008) and loom explore the same way, without the counting.
 */
#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "run.h"
#include "tasks.h"

#define MAX_LABELS	64
#define MAX_HELD	64

struct node {
	uint64_t	 count;		/* schedules from the start to here */
	uint32_t	 parent;
	uint8_t		 worker;	/* the step from the parent */
	uint8_t		 leaf;		/* every worker done: label is set */
	uint16_t	 label;
};

struct entry {
	uint64_t	 k1, k2;	/* the state's key, hashed twice */
	uint32_t	 node;		/* + 1; 0: empty */
};

struct label {
	char		 name[24];	/* the final value, or "deadlock" */
	enum verdict	 verdict;
	uint64_t	 count;
	uint32_t	 first;		/* a shortest schedule ends here */
	int		 seen;
};

struct explorer {
	struct tasks	 t;
	struct node	*node;
	size_t		 nnode, cap;
	struct entry	*tab;
	size_t		 tabcap, tabn;
	struct label	 lab[MAX_LABELS];
	int		 nlab;
	uint8_t		*path;		/* the schedule to the node expanded */
	size_t		 pathcap;
	unsigned char	 key[KEY_MAX];
	const char	*sync;		/* the check's name for the variant */
	uint64_t	 iterations;
	int		 overflow;	/* more schedules than 64 bits count */
	int		 cut;		/* some schedules reached depth_cap */
	size_t		 depth_cap;	/* steps explored: schedules still going are cut */
	char		 cycle[NOTE_MAX];	/* the first deadlock, in words */
};

static double	variant_bound(const struct params *, int, uint64_t *);

static uint64_t
hash64(const unsigned char *p, size_t n, uint64_t h)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ (uint64_t)n << 56) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 33;
}

/* A new level: an empty table at least twice as large as it can fill. */
static void
table_clear(struct explorer *e, size_t expect)
{
	size_t cap = 1024;

	while (cap < 2 * expect)
		cap *= 2;
	if (cap != e->tabcap) {
		free(e->tab);
		if ((e->tab = malloc(cap * sizeof(*e->tab))) == NULL)
			err(1, "explore");
		e->tabcap = cap;
	}
	memset(e->tab, 0, e->tabcap * sizeof(*e->tab));
	e->tabn = 0;
}

static void
table_grow(struct explorer *e)
{
	struct entry *old = e->tab;
	size_t i, j, n = e->tabcap;

	e->tab = NULL;
	e->tabcap = 0;
	table_clear(e, n);
	for (i = 0; i < n; i++) {
		if (old[i].node == 0)
			continue;
		for (j = old[i].k1 & (e->tabcap - 1); e->tab[j].node != 0;
		    j = (j + 1) & (e->tabcap - 1))
			continue;
		e->tab[j] = old[i];
		e->tabn++;
	}
	free(old);
}

/* The node of the live state in the next level, new or not; *fresh says which. */
static uint32_t
table_find(struct explorer *e, int *fresh)
{
	size_t n = tasks_key(&e->t, e->key), j;
	uint64_t k1 = hash64(e->key, n, 0x243f6a8885a308d3ull);
	uint64_t k2 = hash64(e->key, n, 0x13198a2e03707344ull);

	if (2 * (e->tabn + 1) > e->tabcap)
		table_grow(e);
	for (j = k1 & (e->tabcap - 1); e->tab[j].node != 0;
	    j = (j + 1) & (e->tabcap - 1))
		if (e->tab[j].k1 == k1 && e->tab[j].k2 == k2) {
			*fresh = 0;
			return e->tab[j].node - 1;
		}
	if (e->nnode >= EXPLORE_STATES)
		usage_error(e->t.r.demo->name, "--explore: more than %d states; "
		    "use fewer workers or iterations", EXPLORE_STATES);
	e->tab[j] = (struct entry){ k1, k2, (uint32_t)e->nnode + 1 };
	e->tabn++;
	*fresh = 1;
	return (uint32_t)e->nnode;
}

static uint32_t
node_add(struct explorer *e, uint32_t parent, unsigned w)
{
	if (e->nnode == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 4096;
		if ((e->node = reallocarray(e->node, e->cap, sizeof(*e->node))) == NULL)
			err(1, "explore");
	}
	e->node[e->nnode] = (struct node){ 0, parent, (uint8_t)w, 0, 0 };
	return (uint32_t)e->nnode++;
}

/* The schedule from the start to node i (depth steps) into e->path. */
static void
path_of(struct explorer *e, uint32_t i, size_t depth)
{
	if (depth > e->pathcap) {
		e->pathcap = depth * 2;
		if ((e->path = realloc(e->path, e->pathcap)) == NULL)
			err(1, "explore");
	}
	while (depth-- > 0) {
		e->path[depth] = e->node[i].worker;
		i = e->node[i].parent;
	}
}

/* Rebuild the state at the end of e->path: from the start, step by step. */
static void
replay(struct explorer *e, size_t depth)
{
	size_t k;

	tasks_reset(&e->t);
	for (k = 0; k < depth; k++)
		if (tasks_step(&e->t, e->path[k]) != STEP_OK)
			errx(1, "explore: step %zu of a replay blocked: %s does "
			    "not replay the same way twice", k + 1,
			    e->t.r.demo->name);
}

/* The label of an outcome and its verdict, interned; its index. */
static uint16_t
label_of(struct explorer *e, const char *name, enum verdict v)
{
	int i;

	for (i = 0; i < e->nlab; i++)
		if (strcmp(e->lab[i].name, name) == 0)
			break;
	if (i == e->nlab) {
		if (e->nlab == MAX_LABELS)
			errx(1, "explore: more than %d outcomes", MAX_LABELS);
		memset(&e->lab[i], 0, sizeof(e->lab[i]));
		strlcpy(e->lab[i].name, name, sizeof(e->lab[i].name));
		e->lab[i].verdict = v;
		e->nlab++;
	}
	if (v > e->lab[i].verdict)
		e->lab[i].verdict = v;
	return (uint16_t)i;
}

/* The live state is an end: the demo's check says what it is. */
static uint16_t
judge(struct explorer *e, int deadlock)
{
	struct result extra;
	struct outcome o;
	char name[24];

	if (e->t.failed)
		errx(1, "explore: %s", e->t.why);
	memset(&o, 0, sizeof(o));
	memset(&extra, 0, sizeof(extra));
	o.extra = &extra;
	e->t.r.sched_end = deadlock ? SCHED_DEADLOCK : SCHED_DONE;
	e->t.r.demo->check(&e->t.r, &o);
	e->t.r.sched_end = 0;
	e->sync = o.sync;
	e->iterations = o.iterations;
	if (deadlock)
		return label_of(e, "deadlock", o.verdict == VERDICT_RACE ?
		    VERDICT_RACE : VERDICT_FAIL);
	if (o.label[0] != '\0')
		strlcpy(name, o.label, sizeof(name));
	else
		snprintf(name, sizeof(name), "%ju", (uintmax_t)o.observed);
	return label_of(e, name, o.verdict);
}

/* An end reached by count schedules, first (in order) by node i. */
static void
tally(struct explorer *e, uint16_t l, uint64_t count, uint32_t i)
{
	if (__builtin_add_overflow(e->lab[l].count, count, &e->lab[l].count))
		e->overflow = 1;
	if (!e->lab[l].seen) {
		e->lab[l].seen = 1;
		e->lab[l].first = i;
	}
}

/* Remove or add obj in the held list at the end of a lock or unlock step. */
static void
follow(const volatile void **obj, unsigned *who, int *n, int op,
    const volatile void *o, unsigned w)
{
	int j;

	if (op == SCH_LOCK && *n < MAX_HELD) {
		obj[*n] = o;
		who[(*n)++] = w;
	} else if (op == SCH_UNLOCK)
		for (j = 0; j < *n; j++)
			if (obj[j] == o) {
				obj[j] = obj[--*n];
				who[j] = who[*n];
				break;
			}
}

/*
 * The wait-for cycle of the deadlock at the end of e->path, in words:
 * replay it, following who took and let go of each lock, then say what
 * every unfinished worker waits for and who holds it.
 */
static void
deadlock_words(struct explorer *e, size_t depth)
{
	const volatile void *obj[MAX_HELD], *o;
	unsigned who[MAX_HELD], i;
	int n = 0, j, op;
	size_t k, len = 0;

	tasks_reset(&e->t);
	for (k = 0; k < depth; k++) {
		op = e->t.w[e->path[k]].op;
		o = e->t.w[e->path[k]].obj;
		tasks_step(&e->t, e->path[k]);
		follow(obj, who, &n, op, o, e->path[k]);
	}
	for (i = 0; i < e->t.n && len < sizeof(e->cycle); i++) {
		if (e->t.w[i].done)
			continue;
		for (j = 0; j < n && obj[j] != e->t.w[i].obj; j++)
			continue;
		len += (size_t)snprintf(e->cycle + len, sizeof(e->cycle) - len,
		    j < n ? "%s%u waits for %s, held by %u" : "%s%u waits on %s",
		    len ? "; " : "", i, sched_obj_name(e->t.w[i].obj),
		    j < n ? who[j] : 0);
	}
}

/* Give node i's count to the state one step of worker w led to (live). */
static void
child(struct explorer *e, uint32_t i, unsigned w)
{
	uint32_t c;
	int fresh;

	c = table_find(e, &fresh);
	if (fresh) {
		node_add(e, i, w);
		if (tasks_done(&e->t) || e->t.failed) {
			e->node[c].leaf = 1;
			e->node[c].label = judge(e, 0);
		}
	}
	if (__builtin_add_overflow(e->node[c].count, e->node[i].count,
	    &e->node[c].count))
		e->overflow = 1;
}

/*
 * Node i at depth steps: an end is tallied; otherwise each worker that can
 * take a step leads to a state of the next level, and if none can, though
 * some have not finished, it is a deadlock.  A step that blocks changes
 * nothing, so the next worker is tried from the same live state.
 */
static void
expand(struct explorer *e, uint32_t i, size_t depth)
{
	unsigned w, open = 0, moved = 0;
	int live = 0;

	if (e->node[i].leaf) {
		tally(e, e->node[i].label, e->node[i].count, i);
		return;
	}
	path_of(e, i, depth);
	for (w = 0; w < e->t.n; w++) {
		if (!live)
			replay(e, depth);
		live = 1;
		if (e->t.w[w].done)
			continue;
		open++;
		if (tasks_step(&e->t, w) == STEP_BLOCKED)
			continue;
		moved++;
		live = 0;
		child(e, i, w);
	}
	if (moved == 0 && open > 0) {
		if (e->cycle[0] == '\0')
			deadlock_words(e, depth);
		tally(e, judge(e, 1), e->node[i].count, i);
	}
}

/* Every state of variant v, level by level from the start. */
static void
explore_graph(struct explorer *e, const struct params *p, int v)
{
	size_t lo = 0, hi = 1, depth = 0;
	uint64_t len;
	uint32_t i;
	int rc;

	/* Workers that retry (back off, spin) never run out of schedules: a bound,
	 * twice the uncontended run. */
	variant_bound(p, v, &len);
	e->depth_cap = 2 * len > 16 ? 2 * len : 16;
	if ((rc = tasks_open(&e->t, p, v)) != 0)
		errc(1, rc, "%s: explore", p->demo->name);
	tasks_reset(&e->t);
	node_add(e, 0, 0);
	e->node[0].count = 1;
	if (tasks_done(&e->t)) {
		e->node[0].leaf = 1;
		e->node[0].label = judge(e, 0);
	}
	for (; lo < hi; depth++) {
		table_clear(e, hi - lo);
		for (i = (uint32_t)lo; i < hi; i++)
			if (depth < e->depth_cap || e->node[i].leaf)
				expand(e, i, depth);
			else {
				tally(e, label_of(e, "unfinished", VERDICT_OK),
				    e->node[i].count, i);
				e->cut = 1;
			}
		lo = hi;
		hi = e->nnode;
	}
	tasks_close(&e->t);
}

/* "0,0,1,...": the schedule from the start to node i; 0 if it does not fit. */
static int
schedule_of(struct explorer *e, uint32_t i, char *buf, size_t len)
{
	size_t depth = 0, k, at = 0;
	uint32_t j;

	for (j = i; j != 0; j = e->node[j].parent)
		depth++;
	path_of(e, i, depth);
	buf[0] = '\0';
	for (k = 0; k < depth; k++) {
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%u",
		    k ? "," : "", e->path[k]);
		if (at >= len) {
			buf[0] = '\0';
			return 0;
		}
	}
	return 1;
}

/* Outcomes in order: numbers by value, then words. */
static int
label_before(const struct label *a, const struct label *b)
{
	char *ea, *eb;
	unsigned long long x = strtoull(a->name, &ea, 10);
	unsigned long long y = strtoull(b->name, &eb, 10);
	int na = *ea == '\0' && ea != a->name, nb = *eb == '\0' && eb != b->name;

	if (na != nb)
		return na;
	return na ? x < y : strcmp(a->name, b->name) < 0;
}

static void
label_order(const struct explorer *e, int *idx)
{
	int i, j, k;

	for (i = 0; i < e->nlab; i++) {
		k = i;
		for (j = i; j > 0 && label_before(&e->lab[k], &e->lab[idx[j - 1]]); j--)
			idx[j] = idx[j - 1];
		idx[j] = k;
	}
}

/*
 * The outcomes as JSON objects (label -> schedules; bad label -> a
 * shortest schedule), the verdict, and in *bad the first bad outcome.
 */
static enum verdict
outcomes(struct explorer *e, char *out, char *shortest, int *bad,
    uint64_t *nbad)
{
	enum verdict v = VERDICT_OK;
	char sched[NOTE_MAX];
	size_t a = 0, b = 0;
	int idx[MAX_LABELS], k;
	const struct label *l;

	label_order(e, idx);
	*bad = -1;
	*nbad = 0;
	a = (size_t)snprintf(out, NOTE_MAX, "{");
	b = (size_t)snprintf(shortest, NOTE_MAX, "{");
	for (k = 0; k < e->nlab; k++) {
		l = &e->lab[idx[k]];
		a += (size_t)snprintf(out + a, a < NOTE_MAX ? NOTE_MAX - a : 0,
		    "%s\"%s\":%ju", k ? "," : "", l->name, (uintmax_t)l->count);
		if (l->verdict == VERDICT_OK)
			continue;
		v = l->verdict > v ? l->verdict : v;
		*nbad += l->count;
		if (*bad < 0)
			*bad = idx[k];
		if (!schedule_of(e, l->first, sched, sizeof(sched)) ||
		    b + strlen(l->name) + strlen(sched) + 8 >= NOTE_MAX)
			continue;	/* too long to show: the count stands */
		b += (size_t)snprintf(shortest + b, NOTE_MAX - b, "%s\"%s\":\"%s\"",
		    b > 1 ? "," : "", l->name, sched);
	}
	if (a + 2 > NOTE_MAX)
		errx(1, "explore: too many outcomes to report");
	strcat(out, "}");
	strcat(shortest, "}");
	return v;
}

/* The row's note: what was proven, or how often it breaks and a shortest way. */
static void
explore_note(struct explorer *e, enum verdict v, int bad, uint64_t nbad,
    uint64_t total, char *note)
{
	char sched[NOTE_MAX];
	const char *name = bad >= 0 ? e->lab[bad].name : "";
	int dl = strcmp(name, "deadlock") == 0;

	if (e->overflow)
		snprintf(note, NOTE_MAX, "more than 2^64 schedules: counts wrapped");
	else if (v == VERDICT_OK && e->cut)
		snprintf(note, NOTE_MAX, "proven within %zu steps: none breaks it; "
		    "the unfinished were still retrying there", e->depth_cap);
	else if (v == VERDICT_OK)
		snprintf(note, NOTE_MAX, "proven over every schedule%s%s",
		    e->nlab == 1 ? ": always " : "", e->nlab == 1 ?
		    e->lab[0].name : "");
	else if (!schedule_of(e, e->lab[bad].first, sched, 200))
		snprintf(note, NOTE_MAX, "%ju of %ju schedules break it",
		    (uintmax_t)nbad, (uintmax_t)total);
	else
		snprintf(note, NOTE_MAX, "%ju of %ju schedules break it; "
		    "--schedule %.200s ends %s%s", (uintmax_t)nbad, (uintmax_t)total,
		    sched, dl ? "in a " : "at ", name);
	if (e->cycle[0] != '\0' && strlen(note) + strlen(e->cycle) + 4 < NOTE_MAX)
		snprintf(note + strlen(note), NOTE_MAX - strlen(note), " (%.*s)",
		    (int)(NOTE_MAX - strlen(note) - 4), e->cycle);
}

static void
explore_result(struct explorer *e, uint64_t ns, struct result *res)
{
	char out[NOTE_MAX], shortest[NOTE_MAX], note[NOTE_MAX];
	uint64_t total = 0, nbad;
	enum verdict v;
	int i, bad;

	for (i = 0; i < e->nlab; i++)
		if (__builtin_add_overflow(total, e->lab[i].count, &total))
			e->overflow = 1;
	v = outcomes(e, out, shortest, &bad, &nbad);
	explore_note(e, v, bad, nbad, total, note);
	memset(res, 0, sizeof(*res));
	res->verdict = v;
	res->mode = MODE_COOP;
	res->variant = e->t.r.variant;
	res_str(res, "demo", e->t.r.demo->name, 0);
	res_str(res, "sync", e->sync != NULL ? e->sync : "", F_TABLE);
	res_str(res, "mode", "explore", 0);
	res_uint(res, "workers", e->t.n, F_PARAM);
	res_uint(res, "iterations", e->iterations, F_PARAM);
	res_uint(res, "schedules", total, F_TABLE);
	res_uint(res, "states", e->nnode, F_TABLE);
	res_str(res, "outcomes", out, F_TABLE | F_OBJ);
	res_str(res, "shortest", shortest, F_OBJ);
	res_str(res, "verdict", verdict_name(v), F_TABLE);
	res_uint(res, "wall_ns", ns, F_TABLE | F_NS);
	echo_params(&e->t.r, res);
	res_uint(res, "timeout", (uint64_t)e->t.r.p->timeout, F_PARAM);
	res_str(res, "note", note, F_TABLE);
}

/*
 * One run with no contention: each worker as far as it goes, in turn,
 * until all are done or none can go.  Its steps per worker into steps[];
 * the total, or EXPLORE_STEPS + 1 if it runs longer.
 */
static uint64_t
serial_steps(struct tasks *t, uint64_t *steps)
{
	uint64_t total = 0;
	unsigned i, moved = 1;

	tasks_reset(t);
	while (moved && !tasks_done(t) && total <= EXPLORE_STEPS)
		for (moved = 0, i = 0; i < t->n; i++)
			while (!t->w[i].done && total <= EXPLORE_STEPS &&
			    tasks_step(t, i) == STEP_OK) {
				steps[i]++;
				total++;
				moved++;
			}
	return total;
}

/*
 * At most how many schedules variant v has: the serial run's steps s_i
 * interleave in (sum s_i)! / prod s_i! ways (exact when no step ever
 * blocks and no worker retries).  HUGE_VAL past EXPLORE_STEPS steps: every
 * state is rebuilt by a replay, so depth costs twice.
 */
static double
variant_bound(const struct params *p, int v, uint64_t *len)
{
	struct tasks t;
	double lg = 0;
	uint64_t *steps;
	unsigned i;
	int rc;

	if ((rc = tasks_open(&t, p, v)) != 0)
		errc(1, rc, "%s: explore", p->demo->name);
	if ((steps = calloc(t.n, sizeof(*steps))) == NULL)
		err(1, "explore");
	*len = serial_steps(&t, steps);
	for (i = 0; i < t.n; i++)
		lg -= lgamma((double)steps[i] + 1);
	lg += lgamma((double)*len + 1);
	tasks_close(&t);
	free(steps);
	return *len > EXPLORE_STEPS ? HUGE_VAL : exp(lg);
}

/* The most schedules any variant can have (a bound, see variant_bound). */
double
explore_bound(const struct params *p)
{
	double b, most = 0;
	int v, nv = p->demo->variants != NULL ? p->demo->variants(p) : 1;
	uint64_t len;

	for (v = 0; v < nv; v++)
		if ((b = variant_bound(p, v, &len)) > most)
			most = b;
	return most;
}

/* Every variant of the demo explored, a row each; 1 if one was broken. */
int
explore_demo(const struct params *p, struct report *rep)
{
	struct explorer *e;
	struct result res;
	uint64_t t0;
	int v, nv, status = 0;

	run_launcher_only();
	nv = p->demo->variants != NULL ? p->demo->variants(p) : 1;
	for (v = 0; v < nv; v++) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			err(1, "explore");
		t0 = ipc_now_ns();
		explore_graph(e, p, v);
		e->t.r.variant = v;
		explore_result(e, ipc_now_ns() - t0, &res);
		status |= res.verdict == VERDICT_FAIL;
		free(e->node);
		free(e->tab);
		free(e->path);
		free(e);
		if (report_add(rep, &res) != 0)
			break;
	}
	return status;
}

/* The schedule as given: "0,0,1,1" (truncated to fit a field). */
const char *
schedule_text(const struct params *p)
{
	static char buf[NOTE_MAX];
	size_t at = 0;
	unsigned k;

	buf[0] = '\0';
	for (k = 0; k < p->schedule_len && at + 8 < sizeof(buf); k++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%u",
		    k ? "," : "", p->schedule[k]);
	return buf;
}

/* Whether every step of variant v can be taken: NULL, or why not. */
static const char *
schedule_try(const struct params *p, int v, char *why, size_t len)
{
	struct tasks t;
	char op[64];
	unsigned k, w;
	int rc;

	if ((rc = tasks_open(&t, p, v)) != 0)
		errc(1, rc, "%s: --schedule", p->demo->name);
	tasks_reset(&t);
	for (k = 0; k < p->schedule_len; k++) {
		w = p->schedule[k];
		tasks_op(&t, w, op, sizeof(op));
		if (t.w[w].done || tasks_step(&t, w) == STEP_BLOCKED) {
			snprintf(why, len, "step %u: worker %u %s", k + 1, w,
			    t.w[w].done ? "has finished" : "is blocked");
			snprintf(why + strlen(why), len - strlen(why), "%s%s%s",
			    t.w[w].done ? "" : " (", t.w[w].done ? "" : op,
			    t.w[w].done ? "" : ")");
			break;
		}
	}
	tasks_close(&t);
	return k < p->schedule_len ? why : NULL;
}

/* Before anything is created: one variant, and every step of it possible. */
const char *
schedule_check(const struct params *p)
{
	static char why[NOTE_MAX];

	if (p->demo->variants != NULL && p->demo->variants(p) > 1)
		return "it replays one variant; choose one (counter: -s none)";
	return schedule_try(p, 0, why, sizeof(why));
}
