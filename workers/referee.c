/*
 * referee.c - the interview queue: users arrive every 2 s, two referees
 * verify each for 4 s (time-scaled: --scale-ms per tutorial second).
 *
 * The blocking version hands users over through the shared queue: referees
 * sleep while nobody waits, and every user is verified exactly once.  The
 * naive one (--naive) is the tutorial's list with no lock: referees poll the
 * list's head in a busy loop, burning a CPU each (cpu_ns shows it), and two
 * can take the same user (counted as duplicates; a user never verified is
 * counted as lost).
 */
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "../ipc/queue.h"
#include "worker.h"

enum { O_REFEREES, O_USERS, O_SCALE, O_ARRIVE, O_VERIFY, O_NAIVE, O_NOPTS };

#define MAX_USERS	100000

static const struct optdef referee_opts[] = {
	[O_REFEREES] = { "referees", 'r', "N", 1, MAX_WORKERS - 1, 2, NULL,
	  "referee workers" },
	[O_USERS] = { "users", 'u', "N", 1, MAX_USERS, 8, NULL,
	  "users arriving" },
	[O_SCALE] = { "scale-ms", 'S', "MS", 1, 10000, 10, NULL,
	  "milliseconds per tutorial second" },
	[O_ARRIVE] = { "arrive-every", 'A', "SEC", 0, 3600, 2, NULL,
	  "tutorial seconds between arrivals" },
	[O_VERIFY] = { "verify-for", 'V', "SEC", 0, 3600, 4, NULL,
	  "tutorial seconds a verification takes" },
	[O_NAIVE] = { "naive", 0, NULL, 0, 1, 0, NULL,
	  "an unguarded list polled in a busy loop, as the tutorial's first try" },
	[O_NOPTS] = { NULL }
};

struct user {
	uint64_t	 arrived;	/* ns */
	uint64_t	 started;	/* the first verification's */
	uint64_t	 ended;
	unsigned	 referee;	/* who verified it (the last one) */
	atomic_uint	 verified;	/* times verified */
};

struct rstate {
	alignas(CACHE_LINE) volatile uint64_t head;	/* naive: the next user to take */
	alignas(CACHE_LINE) volatile uint64_t tail;	/* naive: users in the list */
	volatile int	 closed;			/* naive: no more arrivals */
	atomic_uint	 ready;				/* referees at their desks */
	size_t		 queue_off;
	alignas(CACHE_LINE) struct user user[];
};

static unsigned
referee_nworkers(const struct params *p)
{
	return (unsigned)p->v[O_REFEREES] + 1;
}

static size_t
users_size(const struct params *p)
{
	return (sizeof(struct rstate) + sizeof(struct user) *
	    (size_t)p->v[O_USERS] + 63) & ~(size_t)63;
}

static size_t
referee_size(const struct run *r)
{
	return users_size(r->p) + ipc_queue_size((size_t)r->p->v[O_USERS],
	    sizeof(uint64_t));
}

static struct ipc_queue *
queue_of(const struct run *r)
{
	return (struct ipc_queue *)((char *)r->state + users_size(r->p));
}

static void
referee_setup(struct run *r)
{
	int rc;

	if ((rc = ipc_queue_init(queue_of(r), (size_t)r->p->v[O_USERS],
	    sizeof(uint64_t))) != 0)
		errc(1, rc, "referee: queue");
	run_name(r, queue_of(r), "waiting line");
}

/* Sleep for sec tutorial seconds. */
static void
pause_for(const struct run *r, long long sec)
{
	ipc_sleep_ns((uint64_t)sec * (uint64_t)r->p->v[O_SCALE] * 1000000u);
}

/* Half a tutorial second: the naive referee reads the head user's papers. */
static void
read_papers(const struct run *r)
{
	ipc_sleep_ns((uint64_t)r->p->v[O_SCALE] * 500000u);
}

/* Worker 0: a user every --arrive-every seconds, into the queue or the list. */
static void
arrivals(struct run *r)
{
	struct rstate *s = r->state;
	uint64_t u;
	int rc;

	/* As in the tutorial, the first user finds every referee waiting. */
	while (atomic_load(&s->ready) < r->nworkers - 1) {
		if (run_stopped(r))
			worker_errc(r, ETIMEDOUT, "referee: the referees never came");
		worker_yield(r);
	}
	for (u = 0; u < (uint64_t)r->p->v[O_USERS]; u++) {
		if (u > 0)
			pause_for(r, r->p->v[O_ARRIVE]);
		inject_point(r, 0, u);
		s->user[u].arrived = ipc_now_ns();
		if (r->p->v[O_NAIVE])
			s->tail = u + 1;
		else if ((rc = ipc_queue_put(queue_of(r), &u, r->deadline)) != 0)
			worker_errc(r, rc, "referee: arrival %ju", (uintmax_t)u);
	}
	if (r->p->v[O_NAIVE])
		s->closed = 1;
	else if ((rc = ipc_queue_close(queue_of(r), r->deadline)) != 0)
		worker_errc(r, rc, "referee: close");
}

/* User u, the n-th this referee takes: --inject counts a referee's own users. */
static void
verify(struct run *r, unsigned id, uint64_t u, uint64_t n)
{
	struct rstate *s = r->state;

	inject_point(r, id, n);
	s->user[u].started = ipc_now_ns();
	s->user[u].referee = id;
	pause_for(r, r->p->v[O_VERIFY]);
	s->user[u].ended = ipc_now_ns();
	atomic_fetch_add(&s->user[u].verified, 1);
}

/* explain: referee: --naive: poll the head, then move it in two unguarded steps */
/*
 * The tutorial's first try: poll the head in a busy loop, then read the
 * user and move the head in two unguarded steps.
 */
static void
naive_referee(struct run *r, unsigned id)
{
	struct rstate *s = r->state;
	uint64_t h, taken = 0;
	unsigned n = 0;

	for (;;) {
		while ((h = s->head) >= s->tail) {
			if (s->closed && s->head >= s->tail)
				return;
			if (++n % 4096 == 0 && run_stopped(r))
				worker_errc(r, ETIMEDOUT, "referee %u", id);
		}
		/*
		 * queue.pop(0) unguarded: read user h's papers, then remove the
		 * head (head = head + 1, a read-modify-write of its own).  Two
		 * referees that read the same h verify it twice and drop h + 1.
		 * Reading takes half a tutorial second: a referee that
		 * was off the CPU when the user came still catches the other.
		 */
		read_papers(r);
		s->head = s->head + 1;
		verify(r, id, h, taken++);
	}
}
/* explain: end */

/* explain: referee: the blocking version: each referee takes the next user off the queue */
static void
referee_work(struct run *r, unsigned id)
{
	uint64_t u, n = 0;
	int rc;

	if (id == 0) {
		arrivals(r);
		return;
	}
	atomic_fetch_add(&((struct rstate *)r->state)->ready, 1);
	if (r->p->v[O_NAIVE]) {
		naive_referee(r, id);
		return;
	}
	while ((rc = ipc_queue_get(queue_of(r), &u, r->deadline)) == 0)
		verify(r, id, u, n++);
	if (rc != EPIPE)
		worker_errc(r, rc, "referee %u: get", id);
}
/* explain: end */

/* The tutorial's story, a line a user, in tutorial seconds from the first arrival. */
static void
referee_story(const struct run *r, FILE *f)
{
	const struct rstate *s = r->state;
	double unit = (double)r->p->v[O_SCALE] * 1e6;
	uint64_t u, t0 = s->user[0].arrived;

	if (!r->p->story)
		return;
	fprintf(f, "%s story (tutorial seconds):\n", mode_name(r->mode));
	for (u = 0; u < (uint64_t)r->p->v[O_USERS]; u++) {
		const struct user *x = &s->user[u];

		if (atomic_load(&x->verified) == 0) {
			fprintf(f, "  %5.1f  user %ju arrives; never verified\n",
			    (double)(x->arrived - t0) / unit, (uintmax_t)u);
			continue;
		}
		fprintf(f, "  %5.1f  user %ju arrives; referee %u verifies it from "
		    "%.1f to %.1f%s\n", (double)(x->arrived - t0) / unit,
		    (uintmax_t)u, x->referee, (double)(x->started - t0) / unit,
		    (double)(x->ended - t0) / unit, atomic_load(&x->verified) > 1 ?
		    " (and again: a duplicate)" : "");
	}
}

static void
referee_check(const struct run *r, struct outcome *o)
{
	const struct rstate *s = r->state;
	uint64_t u, n = (uint64_t)r->p->v[O_USERS], once = 0, lost = 0, dup = 0;
	uint64_t wait, maxwait = 0;
	unsigned v;

	for (u = 0; u < n; u++) {
		v = atomic_load(&s->user[u].verified);
		once += v == 1;
		lost += v == 0;
		dup += v > 1 ? v - 1 : 0;
		wait = s->user[u].started > s->user[u].arrived ?
		    s->user[u].started - s->user[u].arrived : 0;
		maxwait = wait > maxwait ? wait : maxwait;
	}
	o->sync = r->p->v[O_NAIVE] ? "naive" : "queue";
	o->iterations = o->expected = n;
	o->observed = o->ops = once;
	if (once == n)
		o->verdict = VERDICT_OK;
	else
		o->verdict = r->p->v[O_NAIVE] ? VERDICT_RACE : VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), "%ju of %ju verified once (%ju lost, "
	    "%ju twice); longest wait %.1f tutorial s", (uintmax_t)once,
	    (uintmax_t)n, (uintmax_t)lost, (uintmax_t)dup, (double)maxwait /
	    ((double)r->p->v[O_SCALE] * 1e6));
	res_uint(o->extra, "lost", lost, F_TABLE);
	res_uint(o->extra, "duplicated", dup, F_TABLE);
	res_uint(o->extra, "max_wait_ns", maxwait, 0);
}

/* The launcher gave up (a worker died): close the queue so the referees leave. */
static void
referee_poison(struct run *r)
{
	struct timespec dl;

	ipc_deadline(&dl, 100000000u);
	ipc_queue_close(queue_of(r), &dl);
}

static void
referee_destroy(struct run *r)
{
	ipc_queue_destroy(queue_of(r));
}

const struct worker worker_referee = {
	.name = "referee",
	.desc = "the interview queue: users arrive, referees verify (time-scaled)",
	.proves = "every user verified exactly once by a blocking queue; the naive "
	    "busy-wait burns CPU (cpu_ns) and may lose or repeat users",
	.explain =
	    "The interview queue: users arrive every 2 s, referees verify each for 4 s\n"
	    "(time-scaled).\n"
	    "\n"
	    "Primitive: the shared blocking queue; --naive polls an unguarded list.\n"
	    "\n"
	    "Columns: lost and duplicated users; cpu_ns (JSON/CSV): the naive referees\n"
	    "burn a CPU each while they poll.\n"
	    "\n"
	    "Try: --story; --naive --story; --timeline; -V 1 --naive (faster referees\n"
	    "poll more); -r 4.\n"
	    "\n"
	    "Pitfalls: check-then-take on shared data without a lock hands one user to\n"
	    "two referees; a busy loop is not a wait.\n",
	.opts = referee_opts,
	.nworkers = referee_nworkers,
	.size = referee_size,
	.setup = referee_setup,
	.work = referee_work,
	.poison = referee_poison,
	.check = referee_check,
	.story = referee_story,
	.destroy = referee_destroy,
};
