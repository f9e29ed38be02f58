/*
 * fizzbuzz.c - fizz buzz multithreaded (LeetCode 1195): four workers (fizz,
 * buzz, fizzbuzz, number) print 1..N, each item once, by its own worker.
 *
 * The turn passes from the worker of item i to the worker of item i+1:
 * through four named semaphores (--sync sem), or a robust mutex, a condvar
 * and the number of the next item (--sync cond).  Whoever holds the turn
 * appends to a plain shared buffer: the turn guards the buffer too.  check
 * compares item and writer at every place.  --sync none drops the turn: the
 * order breaks and appends racing on the buffer overwrite each other.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/cond.h"
#include "../ipc/mutex.h"
#include "../ipc/sem.h"
#include "worker.h"

#define HEAD_MAX	40		/* characters of the text shown */
#define POISON_LOCK_NS	100000000u	/* how long poison waits for the lock */

enum { O_N, O_SYNC, O_SHOW, O_NOPTS };
enum { S_SEM, S_COND, S_NONE, NSYNCS };
enum { W_FIZZ, W_BUZZ, W_FIZZBUZZ, W_NUMBER, NROLES };

static const char *const syncs[] = {
	[S_SEM] = "sem", [S_COND] = "cond", [S_NONE] = "none", [NSYNCS] = NULL
};
static const char *const roles[] = {
	[W_FIZZ] = "fizz", [W_BUZZ] = "buzz", [W_FIZZBUZZ] = "fizzbuzz",
	[W_NUMBER] = "number"
};
static const char letters[] = "fbzn";	/* a writer's letter, by role */

static const struct optdef fizzbuzz_opts[] = {
	[O_N] = { "iterations", 'n', "N", 1, 1 << 22, 3000, NULL,
	  "print 1..N as fizz, buzz, fizzbuzz or the number" },
	[O_SYNC] = { "sync", 's', "GUARD", 0, 0, S_SEM, syncs,
	  "sem (four semaphores), cond (a mutex and a condvar) or none" },
	[O_SHOW] = { "show", 0, NULL, 0, 1, 0, NULL,
	  "the note shows the first 40 characters printed" },
	[O_NOPTS] = { NULL }
};

struct fbstate {
	pthread_mutex_t	 m;		/* --sync cond */
	pthread_cond_t	 cv;
	uint64_t	 next;		/* the item whose turn it is */
	volatile uint64_t len;		/* items appended; racy with none */
	uint32_t	 item[];	/* N items in the order printed, then N
					   bytes: their writers, 1 + role */
};

/* The writers' bytes, after the N items. */
#define WHO(s, n)	((unsigned char *)((s)->item + (n)))

/* The worker whose item i is (1..N). */
static unsigned
owner(uint64_t i)
{
	return i % 15 == 0 ? W_FIZZBUZZ : i % 3 == 0 ? W_FIZZ : i % 5 == 0 ?
	    W_BUZZ : W_NUMBER;
}

static unsigned
fizzbuzz_nworkers(const struct params *p)
{
	(void)p;
	return NROLES;
}

static size_t
fizzbuzz_size(const struct run *r)
{
	return sizeof(struct fbstate) + 5 * (size_t)r->p->v[O_N];
}

static void
fizzbuzz_setup(struct run *r)
{
	static const char *const names[] = {
		"fizzbuzz.fizz", "fizzbuzz.buzz", "fizzbuzz.fizzbuzz", "fizzbuzz.number"
	};
	struct fbstate *s = r->state;
	struct ipc_sem *t;
	int rc, i;

	s->next = 1;
	if (r->p->v[O_SYNC] == S_COND) {
		if ((rc = ipc_mutex_init(&s->m, IPC_MUTEX_NORMAL)) != 0 ||
		    (rc = ipc_cond_init(&s->cv)) != 0)
			errc(1, rc, "fizzbuzz: init");
		run_name(r, &s->m, "turn lock");
		run_name(r, &s->cv, "next number");
	}
	if (r->p->v[O_SYNC] != S_SEM)
		return;

	/* Item 1 is the number worker's: its semaphore starts at 1. */
	if ((t = r->priv = calloc(NROLES, sizeof(*t))) == NULL)
		err(1, "fizzbuzz: calloc");
	for (i = 0; i < NROLES; i++) {
		if ((rc = ipc_sem_open(&t[i], names[i], i == W_NUMBER)) != 0 ||
		    (rc = ipc_sem_unlink(&t[i])) != 0)
			errc(1, rc, "fizzbuzz: semaphore");
		run_name(r, t[i].sem, names[i] + sizeof("fizzbuzz"));	/* "fizz"... */
	}
}

/* Print item i: append it to the buffer (a plain read, then a write). */
static void
append(struct fbstate *s, unsigned id, uint64_t i, uint64_t n)
{
	uint64_t k = s->len;

	if (k < n) {
		s->item[k] = (uint32_t)i;
		WHO(s, n)[k] = (unsigned char)(id + 1);
	}
	s->len = k + 1;
}

/* explain: fizzbuzz: --sync sem: wait on my semaphore, print, post the owner of the next number */
static void
sem_turn(struct run *r, unsigned id, uint64_t i)
{
	struct ipc_sem *t = r->priv;
	int rc;

	if ((rc = ipc_sem_wait(t[id].sem, r->deadline)) == 0 && run_stopped(r))
		rc = ECANCELED;		/* woken by the poison */
	if (rc != 0)
		worker_errc(r, rc, "fizzbuzz: %s: item %ju", roles[id], (uintmax_t)i);
	inject_point(r, id, i);
	append(r->state, id, i, (uint64_t)r->p->v[O_N]);
	if (i < (uint64_t)r->p->v[O_N] &&
	    (rc = ipc_sem_post(t[owner(i + 1)].sem)) != 0)
		worker_errc(r, rc, "fizzbuzz: post");
}
/* explain: end */

/*
 * Wait until next is i (lock held).  A poisoned run is looked for before
 * every sleep; a writer that died holding the lock is adopted (its state is
 * whole: next moves only after the append).
 */
static int
await_next(struct run *r, uint64_t i)
{
	struct fbstate *s = r->state;
	int adopted = 0, rc = 0;

	while (s->next != i && rc == 0) {
		if (run_stopped(r))
			return ECANCELED;
		rc = ipc_mutex_adopt(&s->m, ipc_cond_wait(&s->cv, &s->m, r->deadline),
		    &adopted);
		if (adopted && atomic_fetch_add(&r->sh->owner_deaths, 1) == 0)
			strlcpy(r->sh->dead_lock, "turn lock", sizeof(r->sh->dead_lock));
	}
	return rc;
}

/* explain: fizzbuzz: --sync cond: one lock and condvar, wait until it is my number */
/* Under the lock, wait for item i's turn; print; hand on to everyone. */
static void
cond_turn(struct run *r, unsigned id, uint64_t i)
{
	struct fbstate *s = r->state;
	int rc;

	if ((rc = worker_mutex_lock(r, &s->m, "turn lock")) != 0)
		worker_errc(r, rc, "fizzbuzz: %s: item %ju", roles[id], (uintmax_t)i);
	if ((rc = await_next(r, i)) == 0) {
		inject_point(r, id, i);
		append(s, id, i, (uint64_t)r->p->v[O_N]);
		s->next = i + 1;
		ipc_cond_broadcast(&s->cv);
	}
	ipc_mutex_unlock(&s->m);	/* a condvar wait returns holding it */
	if (rc != 0)
		worker_errc(r, rc, "fizzbuzz: %s: item %ju", roles[id], (uintmax_t)i);
}
/* explain: end */

/* Each worker prints its own items, in order, when their turn comes. */
static void
fizzbuzz_work(struct run *r, unsigned id)
{
	uint64_t i, n = (uint64_t)r->p->v[O_N];

	for (i = 1; i <= n; i++) {
		if (owner(i) != id)
			continue;
		if (r->p->v[O_SYNC] == S_SEM)
			sem_turn(r, id, i);
		else if (r->p->v[O_SYNC] == S_COND)
			cond_turn(r, id, i);
		else {
			inject_point(r, id, i);
			append(r->state, id, i, n);
		}
	}
}

/* The launcher gave up (a worker died): wake the waiters so they leave. */
static void
fizzbuzz_poison(struct run *r)
{
	struct fbstate *s = r->state;
	struct ipc_sem *t = r->priv;
	struct timespec deadline;
	int i;

	if (r->p->v[O_SYNC] == S_SEM)
		for (i = 0; i < NROLES; i++)
			ipc_sem_post(t[i].sem);
	if (r->p->v[O_SYNC] != S_COND)
		return;

	/* Under the lock, so no waiter sits between its check and its sleep. */
	ipc_deadline(&deadline, POISON_LOCK_NS);
	if (ipc_mutex_lock_adopt(&s->m, &deadline, NULL) == 0) {
		ipc_cond_broadcast(&s->cv);
		ipc_mutex_unlock(&s->m);
	} else
		ipc_cond_broadcast(&s->cv);
}

/* What was printed at place k, as text: the word or the number, "?" if nothing. */
static void
word(const struct fbstate *s, const unsigned char *who, uint64_t k, char *buf,
    size_t len)
{
	uint32_t i = s->item[k];

	if (who[k] == 0)
		strlcpy(buf, "?", len);
	else if (owner(i) == W_NUMBER)
		snprintf(buf, len, "%u", i);
	else
		strlcpy(buf, roles[owner(i)], len);
}

/* What the places hold: right (item and writer), missing, twice, the first wrong. */
struct tally {
	uint64_t	 right, missing, twice, first_bad;
	uint32_t	 sum, by_sum;
	char		 head[HEAD_MAX + 1], by[HEAD_MAX + 1];
};

static void
tally_text(const struct fbstate *s, uint64_t n, struct tally *t)
{
	const unsigned char *who = WHO(s, n);
	char w[16], c[2] = "";
	uint64_t k;

	t->sum = t->by_sum = 2166136261u;
	t->first_bad = UINT64_MAX;
	for (k = 0; k < n; k++) {
		if (who[k] != 0 && s->item[k] == k + 1 &&
		    who[k] == owner(k + 1) + 1)
			t->right++;
		else if (t->first_bad == UINT64_MAX)
			t->first_bad = k;
		word(s, who, k, w, sizeof(w));
		if (k > 0) {
			t->sum = fnv1a(t->sum, ",");
			strlcat(t->head, ",", sizeof(t->head));
		}
		t->sum = fnv1a(t->sum, w);
		strlcat(t->head, w, sizeof(t->head));
		c[0] = who[k] ? letters[who[k] - 1] : '?';
		t->by_sum = fnv1a(t->by_sum, c);
		strlcat(t->by, c, sizeof(t->by));
	}
}

/* Items never printed, and printed more than once (a count per item, private). */
static void
tally_items(const struct fbstate *s, uint64_t n, struct tally *t)
{
	const unsigned char *who = WHO(s, n);
	unsigned char *seen;
	uint64_t k;

	if ((seen = calloc(n + 1, 1)) == NULL)
		err(1, "fizzbuzz: calloc");
	for (k = 0; k < n; k++)
		if (who[k] != 0 && s->item[k] >= 1 && s->item[k] <= n &&
		    seen[s->item[k]] < 2)
			seen[s->item[k]]++;
	for (k = 1; k <= n; k++) {
		t->missing += seen[k] == 0;
		t->twice += seen[k] > 1;
	}
	free(seen);
}

static void
fizzbuzz_check(const struct run *r, struct outcome *o)
{
	const struct fbstate *s = r->state;
	uint64_t n = (uint64_t)r->p->v[O_N];
	struct tally t;

	memset(&t, 0, sizeof(t));
	tally_text(s, n, &t);
	tally_items(s, n, &t);
	o->sync = syncs[r->p->v[O_SYNC]];
	o->iterations = o->expected = o->ops = n;
	o->observed = t.right;
	o->verdict = t.right == n ? VERDICT_OK : r->p->v[O_SYNC] == S_NONE ?
	    VERDICT_RACE : VERDICT_FAIL;
	if (r->p->v[O_SHOW])
		snprintf(o->note, sizeof(o->note), "%s", t.head);
	else if (t.right == n)
		snprintf(o->note, sizeof(o->note), "1..%ju in order, each by its "
		    "own worker, once", (uintmax_t)n);
	else
		snprintf(o->note, sizeof(o->note), "%ju places wrong from %ju; %ju "
		    "items lost, %ju twice", (uintmax_t)(n - t.right),
		    (uintmax_t)t.first_bad, (uintmax_t)t.missing, (uintmax_t)t.twice);
	res_uint(o->extra, "wrong", n - t.right, F_TABLE);
	res_uint(o->extra, "first_bad", t.first_bad == UINT64_MAX ? 0 : t.first_bad,
	    F_TABLE | (t.first_bad == UINT64_MAX ? F_NULL : 0));
	res_uint(o->extra, "missing", t.missing, F_TABLE);
	res_uint(o->extra, "twice", t.twice, F_TABLE);
	res_str(o->extra, "head", t.head, 0);
	res_uint(o->extra, "checksum", t.sum, 0);
	res_str(o->extra, "by", t.by, 0);
	res_uint(o->extra, "by_checksum", t.by_sum, 0);
}

static void
fizzbuzz_release(struct run *r)
{
	struct ipc_sem *t = r->priv;
	int i;

	if (t != NULL)
		for (i = 0; i < NROLES; i++)
			ipc_sem_close(&t[i]);
	free(t);
	r->priv = NULL;
}

static void
fizzbuzz_destroy(struct run *r)
{
	struct fbstate *s = r->state;

	if (r->p->v[O_SYNC] == S_COND) {
		ipc_cond_destroy(&s->cv);
		ipc_mutex_destroy(&s->m);
	}
}

const struct worker worker_fizzbuzz = {
	.name = "fizzbuzz",
	.desc = "fizz buzz multithreaded (LeetCode 1195): 1..N, each by its worker",
	.proves = "four workers passing the turn (semaphores, or a condvar) print "
	    "1..N as fizz buzz in order, each item once by its own worker; "
	    "without it items come out of order and are lost",
	.explain =
	    "Four workers print 1..N: fizz the multiples of 3, buzz those of 5,\n"
	    "fizzbuzz those of 15, number the rest (LeetCode 1195).  Each place of the\n"
	    "output records the item and its writer.\n"
	    "\n"
	    "Primitive: --sync sem: four named semaphores, the writer of item i posts\n"
	    "the semaphore of item i+1's worker; --sync cond: a robust mutex, one\n"
	    "condvar and the next item's number, broadcast after each item.  The turn\n"
	    "also guards the output buffer (a plain read-then-write append).\n"
	    "\n"
	    "Columns: observed counts the places holding the right item from the right\n"
	    "worker; wrong the others, first_bad the first of them (from 0); missing the\n"
	    "items never printed (overwritten), twice those printed twice.  JSON and CSV\n"
	    "add head and by (the first 40 characters of the text and of the writers'\n"
	    "letters f b z n) and their FNV-1a checksums.\n"
	    "\n"
	    "Try: --sync cond; --sync none --show; -n 15 --show.\n"
	    "\n"
	    "Pitfalls: with one condvar every item wakes all four workers (three go back\n"
	    "to sleep: compare vcsw with --sync sem); without the turn, appends race\n"
	    "and overwrite each other, so items are lost, not only reordered.\n",
	.opts = fizzbuzz_opts,
	.nworkers = fizzbuzz_nworkers,
	.size = fizzbuzz_size,
	.setup = fizzbuzz_setup,
	.work = fizzbuzz_work,
	.poison = fizzbuzz_poison,
	.check = fizzbuzz_check,
	.release = fizzbuzz_release,
	.destroy = fizzbuzz_destroy,
};
