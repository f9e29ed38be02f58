/*
 * pingpong.c - two workers pass a token back and forth N times: the cost of
 * a context switch, thread vs process.
 *
 * --via sem hands the turn over with two named semaphores (the waiter
 * sleeps, the kernel wakes it); --via spin with one atomic flag the waiter
 * polls (no kernel, but a CPU each).  Each side checks it gets every token
 * in order; worker 0 times every round trip and the median is reported.
 */
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipc/compat.h"
#include "../ipc/sem.h"
#include "mpiform.h"
#include "worker.h"

enum { O_ITERATIONS, O_VIA, O_NOPTS };
enum { V_SEM, V_SPIN, NVIAS };

#define MAX_SAMPLES	(1 << 20)
#define SPINS_PER_YIELD	1024

static const char *const vias[] = {
	[V_SEM] = "sem", [V_SPIN] = "spin", [NVIAS] = NULL
};

static const struct optdef pingpong_opts[] = {
	[O_ITERATIONS] = { "iterations", 'n', "N", 1, 1 << 26, 10000, NULL,
	  "round trips" },
	[O_VIA] = { "via", 'V', "HOW", 0, 0, V_SEM, vias,
	  "sem (two named semaphores: sleep and wake) or spin (an atomic flag)" },
	[O_NOPTS] = { NULL }
};

struct pstate {
	alignas(CACHE_LINE) atomic_uint	 turn;		/* spin: whose turn */
	alignas(CACHE_LINE) uint64_t	 token;		/* passed back and forth */
	atomic_uint			 wrong;		/* a token out of order */
	atomic_int			 over;		/* -t: worker 0 has stopped */
	alignas(CACHE_LINE) uint64_t	 rtt[];		/* ns per round trip */
};

struct ppriv {
	struct ipc_sem	 turn[2];
};

/* The launcher's own handles on the named semaphores, closed by release. */
static struct ppriv pingpong_priv;

static unsigned
pingpong_nworkers(const struct params *p)
{
	(void)p;
	return 2;
}

/* Room for the round trips timed: the count's, or with -t the most kept. */
static uint64_t
nsamples(const struct params *p)
{
	if (p->duration_ns != 0)
		return MAX_SAMPLES;
	return (uint64_t)p->v[O_ITERATIONS] < MAX_SAMPLES ?
	    (uint64_t)p->v[O_ITERATIONS] : MAX_SAMPLES;
}

static size_t
pingpong_size(const struct run *r)
{
	return sizeof(struct pstate) + nsamples(r->p) * sizeof(uint64_t);
}

static void
pingpong_setup(struct run *r)
{
	struct ppriv *pp;
	int rc, i;

	pp = r->priv = memset(&pingpong_priv, 0, sizeof(pingpong_priv));
	if (r->p->v[O_VIA] != V_SEM)
		return;
	for (i = 0; i < 2; i++)
		if ((rc = ipc_sem_open(&pp->turn[i], i ? "pingpong.1" : "pingpong.0",
		    0)) != 0 || (rc = ipc_sem_unlink(&pp->turn[i])) != 0)
			errc(1, rc, "pingpong: semaphore");
}

/* Wait for our turn: a semaphore, or a flag polled with a deadline. */
static void
await_turn(struct run *r, unsigned id)
{
	struct pstate *s = r->state;
	struct ppriv *pp = r->priv;
	unsigned n = 0;
	int rc;

	if (r->p->v[O_VIA] == V_SEM) {
		if ((rc = ipc_sem_wait(pp->turn[id].sem, r->deadline)) == 0 &&
		    run_stopped(r))
			rc = ECANCELED;		/* woken by the poison */
		if (rc != 0)
			worker_errc(r, rc, "pingpong: worker %u: wait", id);
		return;
	}
	while (atomic_load_explicit(&s->turn, memory_order_acquire) != id) {
		if (++n % SPINS_PER_YIELD == 0) {
			if (run_stopped(r))	/* past the deadline, or poisoned */
				worker_errc(r, ETIMEDOUT, "pingpong: worker %u", id);
			sched_yield();
		}
		ipc_cpu_relax();
	}
}

static void
pass_turn(struct run *r, unsigned to)
{
	struct pstate *s = r->state;
	struct ppriv *pp = r->priv;
	int rc;

	if (r->p->v[O_VIA] == V_SPIN)
		atomic_store_explicit(&s->turn, to, memory_order_release);
	else if ((rc = ipc_sem_post(pp->turn[to].sem)) != 0)
		worker_errc(r, rc, "pingpong: post");
}

/*
 * Worker 0 serves (even tokens) and times; worker 1 returns (odd tokens).
 * With -t worker 0 alone watches the time; then it says it is over and
 * hands the turn over once more, so worker 1 wakes and leaves too.
 */
static void
pingpong_work(struct run *r, unsigned id)
{
	struct pstate *s = r->state;
	uint64_t i, t0, n = (uint64_t)r->p->v[O_ITERATIONS];
	int timed = r->p->duration_ns != 0;

	for (i = 0; id == 0 ? run_more(r, i, n) : timed || i < n; i++) {
		t0 = ipc_now_ns();
		if (id == 1)
			await_turn(r, 1);
		if (id == 1 && atomic_load(&s->over))
			break;
		if (s->token != 2 * i + id)
			atomic_fetch_add(&s->wrong, 1);
		inject_point(r, id, i);
		s->token++;
		pass_turn(r, !id);
		if (id == 0) {
			await_turn(r, 0);
			if (i < nsamples(r->p))
				s->rtt[i] = ipc_now_ns() - t0;
		}
	}
	r->sh->slot[id].iters = i;
	if (id == 0 && timed) {
		atomic_store(&s->over, 1);
		pass_turn(r, 1);
	}
}

/* The launcher gave up (a worker died): wake a sleeping partner so it leaves. */
static void
pingpong_poison(struct run *r)
{
	struct ppriv *pp = r->priv;

	if (r->p->v[O_VIA] != V_SEM)
		return;		/* a spinner sees the stop by itself */
	ipc_sem_post(pp->turn[0].sem);
	ipc_sem_post(pp->turn[1].sem);
}

static void
pingpong_check(const struct run *r, struct outcome *o)
{
	struct pstate *s = r->state;	/* the run is over: sorting in place is fine */
	unsigned wrong = atomic_load(&s->wrong);
	uint64_t med, n = (uint64_t)r->p->v[O_ITERATIONS];

	/* With -t the rounds are worker 0's; worker 1 must have returned each. */
	if (r->p->duration_ns != 0)
		n = r->sh->slot[0].iters;
	med = sorted_median(s->rtt, n < nsamples(r->p) ? n : nsamples(r->p));
	o->sync = vias[r->p->v[O_VIA]];
	o->iterations = n;
	o->expected = 2 * o->iterations;
	o->observed = s->token;
	o->ops = o->iterations;
	o->verdict = o->observed == o->expected && wrong == 0 &&
	    (r->p->duration_ns == 0 || r->sh->slot[1].iters == n) ? VERDICT_OK :
	    VERDICT_FAIL;
	snprintf(o->note, sizeof(o->note), "%s; round trip median %.2f us",
	    wrong == 0 ? "every token in turn" : "TOKENS OUT OF TURN",
	    (double)med / 1e3);
	res_uint(o->extra, "rtt_median_ns", med, F_TABLE | F_NS);
	res_uint(o->extra, "out_of_turn", wrong, 0);
}

static void
pingpong_release(struct run *r)
{
	struct ppriv *pp = r->priv;

	if (r->p->v[O_VIA] == V_SEM) {
		ipc_sem_close(&pp->turn[0]);
		ipc_sem_close(&pp->turn[1]);
	}
	r->priv = NULL;
}

const struct worker worker_pingpong = {
	.name = "pingpong",
	.desc = "a token passed back and forth: the price of a wake-up, thread vs process",
	.proves = "every token arrives in turn (2N passes exactly); the median "
	    "round trip is measured",
	.explain =
	    "Two workers pass a token back and forth: each pass wakes the other.\n"
	    "\n"
	    "Primitive: two named semaphores (the waiter sleeps in the kernel) or one\n"
	    "atomic flag (the waiter spins).\n"
	    "\n"
	    "Columns: rtt_median_ns, the round trip: a wake-up across CPUs costs tens of\n"
	    "microseconds; a spinning hand-off a fraction of one.\n"
	    "\n"
	    "Try: --via spin; --mode both; -t 2 (as many round trips as fit in 2 s).\n"
	    "\n"
	    "Pitfalls: spinning is fast only while each side has its own CPU.\n",
	.caps = CAP_TIMED | CAP_MPI,
	.mpi = &mpi_form_pingpong,
	.opts = pingpong_opts,
	.nworkers = pingpong_nworkers,
	.size = pingpong_size,
	.setup = pingpong_setup,
	.work = pingpong_work,
	.poison = pingpong_poison,
	.check = pingpong_check,
	.release = pingpong_release,
};
