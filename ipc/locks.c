/*
 * locks.c - the lock zoo: ttas, yield, cas, ticket, MCS and the futex lock.
 *
 * Each is a few atomic operations; what differs is where waiters spin (one
 * shared word, or a line each), who gets the lock next (whoever is quickest,
 * or the longest waiter), and what a waiter does meanwhile (spin, yield, or
 * sleep in the kernel).  Spinners give the CPU away every SPINS_PER_YIELD
 * looks: with more workers than CPUs the holder may need it.  See locks.h.
 */
#include <linux/futex.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <unistd.h>

#include "compat.h"
#include "futex.h"
#include "ipc.h"
#include "locks.h"
#include "trace.h"

#define SPINS_PER_YIELD	128	/* looks at a taken lock between two yields */
#define SPINS_PER_CLOCK	4096	/* looks between two looks at the clock */
#define YIELDS_PER_CLOCK 64	/* the yield lock looks at the clock less often */
#define FUTEX_SPINS	100	/* the futex lock's first phase: about a wake-up's cost */
#define SLICE_NS	20000000ull	/* a futex sleeper looks at *stop this often */
#define TICKET_BIT(t)	(1u << ((t) % 32))	/* a sleeper's futex bit, by ticket */

/* ECANCELED if the caller called it off, ETIMEDOUT past the deadline, else 0. */
static int
gave_up(const struct timespec *deadline, const atomic_int *stop)
{
	if (stop != NULL && atomic_load_explicit(stop, memory_order_relaxed))
		return ECANCELED;
	if (deadline == NULL)
		return EINVAL;
	return ipc_expired(deadline) ? ETIMEDOUT : 0;
}

/*
 * Sleep while *w == val, a slice at a time (to look at *stop), at most to
 * the deadline, woken by a wake that names one of bits: 0 to look again, or
 * ETIMEDOUT, ECANCELED, futex's error.  FUTEX_WAIT_BITSET, not ipc/futex's
 * wait: the ticket lock wakes only the waiter whose turn comes next.
 */
static int
sleep_on(_Atomic uint32_t *w, uint32_t val, uint32_t bits,
    const struct timespec *deadline, const atomic_int *stop)
{
	struct timespec slice;
	uint64_t end;
	int rc;

	if ((rc = gave_up(deadline, stop)) != 0)
		return rc;
	end = ipc_now_ns() + SLICE_NS;
	slice = ipc_ns_from_ts(deadline) < end ? *deadline : ipc_ts_from_ns(end);
	rc = syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_BITSET, val, &slice,
	    NULL, bits) == -1 ? errno : 0;
	return rc == EAGAIN || rc == EINTR || rc == ETIMEDOUT ? 0 : rc;
}

/* One look at a taken lock: pause, or yield now and then; now and then the clock. */
static inline int
spin_pause(unsigned *n, const struct timespec *deadline, const atomic_int *stop)
{
	++*n;
	if (*n % SPINS_PER_YIELD == 0)
		sched_yield();
	else
		ipc_cpu_relax();
	return *n % SPINS_PER_CLOCK == 0 ? gave_up(deadline, stop) : 0;
}

/* The trace of a lock call that may have waited: it tried, then took it or gave up. */
static inline int
traced(int rc, const volatile void *l)
{
	ipc_trace(rc == 0 ? IPC_EV_ACQ : IPC_EV_FAIL, IPC_K_FLAG, l);
	return rc;
}

/* The trace of a trylock: only a success is an event. */
static inline int
tried(int ok, const volatile void *l)
{
	if (ok)
		ipc_trace(IPC_EV_ACQ, IPC_K_FLAG, l);
	return ok ? 0 : EBUSY;
}

/* Release, traced: every unlock is one store (or RMW) with release order. */
static inline void
released(const volatile void *l)
{
	ipc_trace(IPC_EV_REL, IPC_K_FLAG, l);
}

int
ipc_ttas_init(struct ipc_ttas *l)
{
	atomic_init(&l->held, 0);
	return 0;
}

/* Spin reading (the line stays shared in every waiter's cache), exchange only when free. */
int
ipc_ttas_lock(struct ipc_ttas *l, const struct timespec *deadline,
    const atomic_int *stop)
{
	unsigned n = 0;
	int rc = 0;

	ipc_trace(IPC_EV_TRY, IPC_K_FLAG, l);
	for (;;) {
		while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
			if ((rc = spin_pause(&n, deadline, stop)) != 0)
				return traced(rc, l);
		if (atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0)
			return traced(0, l);
	}
}

int
ipc_ttas_trylock(struct ipc_ttas *l)
{
	return tried(atomic_load_explicit(&l->held, memory_order_relaxed) == 0 &&
	    atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0, l);
}

int
ipc_ttas_unlock(struct ipc_ttas *l)
{
	released(l);
	atomic_store_explicit(&l->held, 0, memory_order_release);
	return 0;
}

int
ipc_yield_init(struct ipc_yield *l)
{
	atomic_init(&l->held, 0);
	return 0;
}

/* Test-and-set; a miss gives the CPU away at once (to the holder, perhaps). */
int
ipc_yield_lock(struct ipc_yield *l, const struct timespec *deadline,
    const atomic_int *stop)
{
	unsigned n = 0;
	int rc;

	ipc_trace(IPC_EV_TRY, IPC_K_FLAG, l);
	while (atomic_exchange_explicit(&l->held, 1, memory_order_acquire) != 0) {
		sched_yield();
		if (++n % YIELDS_PER_CLOCK == 0 && (rc = gave_up(deadline, stop)) != 0)
			return traced(rc, l);
	}
	return traced(0, l);
}

int
ipc_yield_trylock(struct ipc_yield *l)
{
	return tried(atomic_exchange_explicit(&l->held, 1,
	    memory_order_acquire) == 0, l);
}

int
ipc_yield_unlock(struct ipc_yield *l)
{
	released(l);
	atomic_store_explicit(&l->held, 0, memory_order_release);
	return 0;
}

int
ipc_cas_init(struct ipc_cas *l)
{
	atomic_init(&l->owner, 0);
	return 0;
}

/* Compare 0 and swap in 1 + who: the lock word names its holder. */
static inline int
cas_take(struct ipc_cas *l, uint32_t who)
{
	uint32_t free = 0;

	return atomic_compare_exchange_strong_explicit(&l->owner, &free, who + 1,
	    memory_order_acquire, memory_order_relaxed);
}

int
ipc_cas_lock(struct ipc_cas *l, uint32_t who, const struct timespec *deadline,
    const atomic_int *stop)
{
	unsigned n = 0;
	int rc;

	if (who == UINT32_MAX)
		return EINVAL;
	ipc_trace(IPC_EV_TRY, IPC_K_FLAG, l);
	while (!cas_take(l, who))
		if ((rc = spin_pause(&n, deadline, stop)) != 0)
			return traced(rc, l);
	return traced(0, l);
}

int
ipc_cas_trylock(struct ipc_cas *l, uint32_t who)
{
	if (who == UINT32_MAX)
		return EINVAL;
	return tried(cas_take(l, who), l);
}

/* EPERM if who does not hold it: the one lock here that can tell. */
int
ipc_cas_unlock(struct ipc_cas *l, uint32_t who)
{
	if (atomic_load_explicit(&l->owner, memory_order_relaxed) != who + 1)
		return EPERM;
	released(l);
	atomic_store_explicit(&l->owner, 0, memory_order_release);
	return 0;
}

int
ipc_ticket_init(struct ipc_ticket *l)
{
	atomic_init(&l->next, 0);
	atomic_init(&l->owner, 0);
	atomic_init(&l->sleepers, 0);
	return 0;
}

/*
 * Take the next ticket (one fetch-and-add), then wait for it to be served.
 * Only the next in line spins; those further back sleep on the owner word,
 * counted, each under its ticket's bit, and an unlock that finds sleepers
 * wakes the one it makes next in line (and any sharing its bit mod 32):
 * the lock goes nowhere until the next in line runs, and with more waiters
 * than CPUs spinners behind it would keep it off a CPU (the convoy).
 */
int
ipc_ticket_lock(struct ipc_ticket *l, const struct timespec *deadline,
    const atomic_int *stop)
{
	uint32_t t, o;
	unsigned n = 0;
	int rc;

	ipc_trace(IPC_EV_TRY, IPC_K_FLAG, l);
	t = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	while ((o = atomic_load_explicit(&l->owner, memory_order_acquire)) != t) {
		if (t - o > 1) {
			atomic_fetch_add(&l->sleepers, 1);
			rc = sleep_on(&l->owner, o, TICKET_BIT(t), deadline,
			    stop);
			atomic_fetch_sub(&l->sleepers, 1);
		} else
			rc = spin_pause(&n, deadline, stop);
		if (rc != 0)
			return traced(rc, l);
	}
	return traced(0, l);
}

/* Only when nobody waits: the next ticket is the one being served. */
int
ipc_ticket_trylock(struct ipc_ticket *l)
{
	uint32_t t = atomic_load_explicit(&l->owner, memory_order_acquire);

	return tried(atomic_compare_exchange_strong_explicit(&l->next, &t, t + 1,
	    memory_order_acquire, memory_order_relaxed), l);
}

/* Serve the next ticket: only the holder writes owner, so a plain increment. */
int
ipc_ticket_unlock(struct ipc_ticket *l)
{
	uint32_t t = atomic_load_explicit(&l->owner, memory_order_relaxed);

	released(l);
	atomic_store_explicit(&l->owner, t + 1, memory_order_seq_cst);
	if (atomic_load(&l->sleepers) != 0)
		return syscall(SYS_futex, (uint32_t *)&l->owner, FUTEX_WAKE_BITSET,
		    INT_MAX, NULL, NULL, TICKET_BIT(t + 2)) == -1 ? errno : 0;
	return 0;
}

/*
 * A queued waiter not next in line sleeps on its word (1 -> 2: "wake me"),
 * a slice at a time, until handed the lock (0) or woken to spin as the next.
 * With more waiters than CPUs the one next in line may be off a CPU;
 * spinners behind it would keep it there.
 */
static int
queue_sleep(_Atomic uint32_t *w, const struct timespec *deadline,
    const atomic_int *stop)
{
	uint32_t one = 1;

	if (!atomic_compare_exchange_strong(w, &one, 2) && one == 0)
		return 0;
	return sleep_on(w, 2, FUTEX_BITSET_MATCH_ANY, deadline, stop);
}

/* Node i (0-based) of lock l: found by offset, so any mapping of the region works. */
static inline struct ipc_mcs_node *
mcs_node(struct ipc_mcs *l, uint32_t i)
{
	return (struct ipc_mcs_node *)((char *)l + l->off) + i;
}

/* nodes[0..n-1], in the same mapping as l: one per worker that will lock. */
int
ipc_mcs_init(struct ipc_mcs *l, struct ipc_mcs_node *nodes, uint32_t n)
{
	uint32_t i;

	if (n == 0 || n == UINT32_MAX)
		return EINVAL;
	atomic_init(&l->tail, 0);
	l->nnodes = n;
	l->off = (char *)nodes - (char *)l;
	for (i = 0; i < n; i++) {
		atomic_init(&nodes[i].next, 0);
		atomic_init(&nodes[i].locked, 0);
	}
	return 0;
}

/*
 * Queue node me behind the tail (one exchange), link it to the predecessor,
 * then spin on our own line until the predecessor hands the lock over.
 */
int
ipc_mcs_lock(struct ipc_mcs *l, uint32_t me, const struct timespec *deadline,
    const atomic_int *stop)
{
	struct ipc_mcs_node *node, *pred;
	uint32_t prev;
	unsigned n = 0;
	int rc;

	if (me >= l->nnodes)
		return EINVAL;
	node = mcs_node(l, me);
	ipc_trace(IPC_EV_TRY, IPC_K_FLAG, l);
	atomic_store_explicit(&node->next, 0, memory_order_relaxed);
	atomic_store_explicit(&node->locked, 1, memory_order_relaxed);
	prev = atomic_exchange_explicit(&l->tail, me + 1, memory_order_acq_rel);
	if (prev == 0)
		return traced(0, l);
	pred = mcs_node(l, prev - 1);
	atomic_store_explicit(&pred->next, me + 1, memory_order_seq_cst);
	/* Next in line (the one ahead holds it) spins; further back, sleep. */
	while (atomic_load_explicit(&node->locked, memory_order_acquire) != 0) {
		if (atomic_load_explicit(&pred->locked, memory_order_seq_cst) == 0) {
			if ((rc = spin_pause(&n, deadline, stop)) != 0)
				return traced(rc, l);
			continue;
		}
		if ((rc = queue_sleep(&node->locked, deadline, stop)) != 0)
			return traced(rc, l);
	}
	return traced(0, l);
}

/* Only when free: node me becomes the tail of an empty queue. */
int
ipc_mcs_trylock(struct ipc_mcs *l, uint32_t me)
{
	struct ipc_mcs_node *node;
	uint32_t none = 0;

	if (me >= l->nnodes)
		return EINVAL;
	node = mcs_node(l, me);
	atomic_store_explicit(&node->next, 0, memory_order_relaxed);
	atomic_store_explicit(&node->locked, 1, memory_order_relaxed);
	return tried(atomic_compare_exchange_strong_explicit(&l->tail, &none,
	    me + 1, memory_order_acq_rel, memory_order_relaxed), l);
}

/*
 * Hand the lock to the successor.  None linked: if we are still the tail,
 * the queue empties; if not, one has swapped itself in and is about to
 * link, so wait for it (bounded by the deadline: it may have died there).
 */
int
ipc_mcs_unlock(struct ipc_mcs *l, uint32_t me, const struct timespec *deadline,
    const atomic_int *stop)
{
	struct ipc_mcs_node *node;
	uint32_t succ, self = me + 1;
	unsigned n = 0;
	int rc;

	if (me >= l->nnodes)
		return EINVAL;
	node = mcs_node(l, me);
	released(l);
	succ = atomic_load_explicit(&node->next, memory_order_acquire);
	if (succ == 0) {
		if (atomic_compare_exchange_strong_explicit(&l->tail, &self, 0,
		    memory_order_release, memory_order_relaxed))
			return 0;
		while ((succ = atomic_load_explicit(&node->next,
		    memory_order_acquire)) == 0)
			if ((rc = spin_pause(&n, deadline, stop)) != 0)
				return rc;
	}
	node = mcs_node(l, succ - 1);
	/* The one after it is now next in line: wake it to spin (a stale look only wakes one for nothing). */
	succ = atomic_load_explicit(&node->next, memory_order_acquire);
	if (atomic_exchange_explicit(&node->locked, 0, memory_order_acq_rel) == 2 &&
	    (rc = ipc_futex_wake(&node->locked, 1, NULL)) != 0)
		return rc;
	node = succ != 0 ? mcs_node(l, succ - 1) : NULL;
	if (node != NULL && atomic_load_explicit(&node->locked,
	    memory_order_relaxed) == 2)
		ipc_futex_wake(&node->locked, 1, NULL);
	return 0;
}

int
ipc_futexlock_init(struct ipc_futexlock *l)
{
	atomic_init(&l->word, 0);
	return 0;
}

/*
 * Drepper's mutex 3: spin a little while the holder is likely running, then
 * mark the word 2 (contended) and sleep in the kernel while it stays held.
 * Whoever finds the word 0 on exchanging in 2 has the lock.
 */
static int
futexlock_slow(struct ipc_futexlock *l, const struct timespec *deadline,
    const atomic_int *stop)
{
	uint32_t c;
	unsigned n;
	int rc;

	for (n = 0; n < FUTEX_SPINS; n++) {
		ipc_cpu_relax();
		c = 0;
		if (atomic_load_explicit(&l->word, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong_explicit(&l->word, &c, 1,
		    memory_order_acquire, memory_order_relaxed))
			return 0;
	}
	while (atomic_exchange_explicit(&l->word, 2, memory_order_acquire) != 0)
		if ((rc = sleep_on(&l->word, 2, FUTEX_BITSET_MATCH_ANY, deadline,
		    stop)) != 0)
			return rc;
	return 0;
}

int
ipc_futexlock_lock(struct ipc_futexlock *l, const struct timespec *deadline,
    const atomic_int *stop)
{
	uint32_t c = 0;

	ipc_trace(IPC_EV_TRY, IPC_K_FLAG, l);
	if (atomic_compare_exchange_strong_explicit(&l->word, &c, 1,
	    memory_order_acquire, memory_order_relaxed))
		return traced(0, l);
	return traced(futexlock_slow(l, deadline, stop), l);
}

int
ipc_futexlock_trylock(struct ipc_futexlock *l)
{
	uint32_t c = 0;

	return tried(atomic_compare_exchange_strong_explicit(&l->word, &c, 1,
	    memory_order_acquire, memory_order_relaxed), l);
}

/* 1 -> 0: nobody sleeps, no system call.  2: clear it and wake one sleeper. */
int
ipc_futexlock_unlock(struct ipc_futexlock *l)
{
	released(l);
	if (atomic_fetch_sub_explicit(&l->word, 1, memory_order_release) == 1)
		return 0;
	atomic_store_explicit(&l->word, 0, memory_order_release);
	return ipc_futex_wake(&l->word, 1, NULL);
}
