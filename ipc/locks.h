/*
 * locks.h - the lock zoo: spinlocks and queue locks built from one atomic
 * instruction each, and a two-phase lock on a raw futex word, all in place
 * in shared memory, so threads and processes alike can use them.
 *
 * test-and-test-and-set (ttas), test-and-set that yields (yield), compare-
 * and-swap naming its owner (cas), the ticket lock (FIFO; only the next in
 * line spins, the others sleep on the owner word), the MCS queue lock (FIFO,
 * each waiter spins on its own line, then sleeps on it; nodes found by
 * offset, not pointer), and Drepper's mutex 3 ("Futexes Are Tricky").  Every wait ends
 * at an absolute CLOCK_MONOTONIC deadline (ETIMEDOUT) or once *stop is set
 * (ECANCELED; stop may be NULL).  A ticket or MCS waiter that gives up
 * cannot leave the queue: those behind it give up too, so a deadline ends a
 * run, not one wait.  See counter.c, futex.h, Mellor-Crummey & Scott 1991.
 */
#ifndef IPC_LOCKS_H
#define IPC_LOCKS_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define IPC_LOCK_LINE	64	/* what a waiter spins on sits alone on a line */

/* ttas, yield: 0 free, 1 held.  cas: 0 free, else 1 + the owner's id. */
struct ipc_ttas {
	_Atomic uint32_t	 held;
};
struct ipc_yield {
	_Atomic uint32_t	 held;
};
struct ipc_cas {
	_Atomic uint32_t	 owner;
};

/* Take a ticket (next), wait until it is served (owner): first come, first served. */
struct ipc_ticket {
	alignas(IPC_LOCK_LINE) _Atomic uint32_t next;
	alignas(IPC_LOCK_LINE) _Atomic uint32_t owner;	/* also a futex word */
	atomic_uint		 sleepers;	/* waiters asleep on owner */
};

/* One waiter's place in the MCS queue: its successor, and the flag it spins on. */
struct ipc_mcs_node {
	alignas(IPC_LOCK_LINE) _Atomic uint32_t next;	/* 1 + successor, or 0 */
	_Atomic uint32_t	 locked;		/* 1 waits, 2 asleep, 0 handed it */
};

/* tail: 1 + the last waiter's node, or 0 when free; nodes at lock + off. */
struct ipc_mcs {
	alignas(IPC_LOCK_LINE) _Atomic uint32_t tail;
	uint32_t		 nnodes;
	ptrdiff_t		 off;		/* the same in every mapping */
};

/* 0 free, 1 held, 2 held and perhaps someone asleep on it. */
struct ipc_futexlock {
	_Atomic uint32_t	 word;
};

int	ipc_ttas_init(struct ipc_ttas *);
int	ipc_ttas_lock(struct ipc_ttas *, const struct timespec *, const atomic_int *);
int	ipc_ttas_trylock(struct ipc_ttas *);
int	ipc_ttas_unlock(struct ipc_ttas *);

int	ipc_yield_init(struct ipc_yield *);
int	ipc_yield_lock(struct ipc_yield *, const struct timespec *, const atomic_int *);
int	ipc_yield_trylock(struct ipc_yield *);
int	ipc_yield_unlock(struct ipc_yield *);

int	ipc_cas_init(struct ipc_cas *);
int	ipc_cas_lock(struct ipc_cas *, uint32_t, const struct timespec *,
	    const atomic_int *);
int	ipc_cas_trylock(struct ipc_cas *, uint32_t);
int	ipc_cas_unlock(struct ipc_cas *, uint32_t);

int	ipc_ticket_init(struct ipc_ticket *);
int	ipc_ticket_lock(struct ipc_ticket *, const struct timespec *,
	    const atomic_int *);
int	ipc_ticket_trylock(struct ipc_ticket *);
int	ipc_ticket_unlock(struct ipc_ticket *);

int	ipc_mcs_init(struct ipc_mcs *, struct ipc_mcs_node *, uint32_t);
int	ipc_mcs_lock(struct ipc_mcs *, uint32_t, const struct timespec *,
	    const atomic_int *);
int	ipc_mcs_trylock(struct ipc_mcs *, uint32_t);
int	ipc_mcs_unlock(struct ipc_mcs *, uint32_t, const struct timespec *,
	    const atomic_int *);

int	ipc_futexlock_init(struct ipc_futexlock *);
int	ipc_futexlock_lock(struct ipc_futexlock *, const struct timespec *,
	    const atomic_int *);
int	ipc_futexlock_trylock(struct ipc_futexlock *);
int	ipc_futexlock_unlock(struct ipc_futexlock *);

#endif /* IPC_LOCKS_H */
