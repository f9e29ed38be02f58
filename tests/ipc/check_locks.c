/*
 * check_locks.c - ipc/locks: each lock of the zoo exact under contention in
 * threads and processes, the ticket lock serving in ticket order, the MCS
 * lock handing over in queue order, trylocks, the cas lock's owner check,
 * deadlines (ETIMEDOUT) and the call-off flag (ECANCELED).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../../ipc/locks.h"
#include "../tests.h"

#define ITERS		3000
#define NPARTY		4
#define SHORT_NS	(50 * NS_PER_MS)	/* a deadline meant to pass */

enum kind { K_TTAS, K_YIELD, K_CAS, K_TICKET, K_MCS, K_FUTEX, NKIND };

struct shared {
	struct ipc_ttas		 ttas;
	struct ipc_yield	 yield;
	struct ipc_cas		 cas;
	struct ipc_ticket	 ticket;
	struct ipc_mcs		 mcs;
	struct ipc_futexlock	 futex;
	struct ipc_mcs_node	 node[NPARTY];
	struct timespec		 deadline;	/* for waits meant to succeed */
	atomic_int		 stop;
	enum kind		 kind;
	uint64_t		 count;
	unsigned		 order[NPARTY];	/* who got the lock, in turn */
	unsigned		 norder;
};

/* Parties by processes x threads; 0 processes: threads of the test itself. */
static const struct shape {
	unsigned	procs, threads;
} shapes[] = { { 2, 1 }, { 0, 3 }, { 2, 2 } };
#define NSHAPES	(int)(sizeof(shapes) / sizeof(shapes[0]))

static struct shared *
setup(struct ipc_region *r)
{
	struct shared *sh = shared_alloc(r, sizeof(*sh));

	ck_assert_int_eq(ipc_ttas_init(&sh->ttas), 0);
	ck_assert_int_eq(ipc_yield_init(&sh->yield), 0);
	ck_assert_int_eq(ipc_cas_init(&sh->cas), 0);
	ck_assert_int_eq(ipc_ticket_init(&sh->ticket), 0);
	ck_assert_int_eq(ipc_mcs_init(&sh->mcs, sh->node, NPARTY), 0);
	ck_assert_int_eq(ipc_futexlock_init(&sh->futex), 0);
	ipc_deadline(&sh->deadline, REAP_MS * NS_PER_MS);
	return sh;
}

static void
teardown(struct ipc_region *r)
{
	ipc_region_destroy(r);
	ck_assert_int_eq(shm_leftovers(getpid()), 0);
}

static int
lock(struct shared *sh, unsigned id)
{
	switch (sh->kind) {
	case K_TTAS:
		return ipc_ttas_lock(&sh->ttas, &sh->deadline, &sh->stop);
	case K_YIELD:
		return ipc_yield_lock(&sh->yield, &sh->deadline, &sh->stop);
	case K_CAS:
		return ipc_cas_lock(&sh->cas, id, &sh->deadline, &sh->stop);
	case K_TICKET:
		return ipc_ticket_lock(&sh->ticket, &sh->deadline, &sh->stop);
	case K_MCS:
		return ipc_mcs_lock(&sh->mcs, id, &sh->deadline, &sh->stop);
	default:
		return ipc_futexlock_lock(&sh->futex, &sh->deadline, &sh->stop);
	}
}

static int
unlock(struct shared *sh, unsigned id)
{
	switch (sh->kind) {
	case K_TTAS:
		return ipc_ttas_unlock(&sh->ttas);
	case K_YIELD:
		return ipc_yield_unlock(&sh->yield);
	case K_CAS:
		return ipc_cas_unlock(&sh->cas, id);
	case K_TICKET:
		return ipc_ticket_unlock(&sh->ticket);
	case K_MCS:
		return ipc_mcs_unlock(&sh->mcs, id, &sh->deadline, &sh->stop);
	default:
		return ipc_futexlock_unlock(&sh->futex);
	}
}

/* The read-modify-write the lock must make whole: volatile, so three steps. */
static int
counter(void *arg, unsigned id)
{
	struct shared *sh = arg;
	volatile uint64_t *c = &sh->count;
	unsigned i;
	int rc;

	for (i = 0; i < ITERS; i++) {
		if ((rc = lock(sh, id)) != 0)
			return rc;
		*c = *c + 1;
		if ((rc = unlock(sh, id)) != 0)
			return rc;
	}
	return 0;
}

START_TEST(locks_exact)
{
	const struct shape *s = &shapes[_i % NSHAPES];
	unsigned parties = (s->procs ? s->procs : 1) * s->threads;
	struct ipc_region r;
	struct shared *sh = setup(&r);

	sh->kind = (enum kind)(_i / NSHAPES);
	ck_assert_int_eq(parties_run(s->procs, s->threads, counter, sh), 0);
	ck_assert_uint_eq(sh->count, (uint64_t)parties * ITERS);
	teardown(&r);
}
END_TEST

/* Poll until *w reaches want (the earlier parties queued): 0, or ETIMEDOUT. */
static int
await_word(_Atomic uint32_t *w, uint32_t want, const struct timespec *dl)
{
	while (atomic_load(w) != want)
		if (ipc_expired(dl))
			return ETIMEDOUT;
		else
			usleep(200);
	return 0;
}

/*
 * Party 0 takes the lock and holds it until all have queued; party k queues
 * only once party k-1 has (ticket k taken, or node k-1 the tail).  Each
 * writes its id when served: the order must be 0, 1, 2, ...
 */
static int
queuer(void *arg, unsigned id)
{
	struct shared *sh = arg;
	_Atomic uint32_t *w = sh->kind == K_TICKET ? &sh->ticket.next :
	    &sh->mcs.tail;
	int rc;

	if (id > 0 && (rc = await_word(w, id, &sh->deadline)) != 0)
		return 200 + (int)id;
	if ((rc = lock(sh, id)) != 0)
		return rc;
	sh->order[sh->norder++] = id;
	/* Ticket NPARTY is the next to hand out; node NPARTY-1 is the tail. */
	if (id == 0 && await_word(w, NPARTY, &sh->deadline) != 0)
		return 210;
	return unlock(sh, id);
}

START_TEST(queue_order)
{
	static const unsigned procs[] = { 0, NPARTY };
	struct ipc_region r;
	struct shared *sh = setup(&r);
	unsigned k;

	sh->kind = _i / 2 ? K_MCS : K_TICKET;
	ck_assert_int_eq(parties_run(procs[_i % 2], procs[_i % 2] ? 1 : NPARTY,
	    queuer, sh), 0);
	ck_assert_uint_eq(sh->norder, NPARTY);
	for (k = 0; k < NPARTY; k++)
		ck_assert_uint_eq(sh->order[k], k);
	/* Every ticket served; the MCS queue empty, each node handed over. */
	ck_assert_uint_eq(atomic_load(&sh->ticket.owner),
	    sh->kind == K_TICKET ? NPARTY : 0);
	ck_assert_uint_eq(atomic_load(&sh->mcs.tail), 0);
	for (k = 1; sh->kind == K_MCS && k < NPARTY; k++)
		ck_assert_uint_eq(atomic_load(&sh->node[k].locked), 0);
	teardown(&r);
}
END_TEST

/* Held: every trylock says EBUSY, every timed lock ETIMEDOUT, a called-off one ECANCELED. */
START_TEST(held_answers)
{
	struct ipc_region r;
	struct shared *sh = setup(&r);
	struct timespec dl;
	uint64_t t0;
	unsigned k;

	for (k = 0; k < NKIND; k++) {
		sh->kind = (enum kind)k;
		ck_assert_int_eq(lock(sh, 0), 0);
	}
	ck_assert_int_eq(ipc_ttas_trylock(&sh->ttas), EBUSY);
	ck_assert_int_eq(ipc_yield_trylock(&sh->yield), EBUSY);
	ck_assert_int_eq(ipc_cas_trylock(&sh->cas, 1), EBUSY);
	ck_assert_int_eq(ipc_ticket_trylock(&sh->ticket), EBUSY);
	ck_assert_int_eq(ipc_mcs_trylock(&sh->mcs, 1), EBUSY);
	ck_assert_int_eq(ipc_futexlock_trylock(&sh->futex), EBUSY);

	ipc_deadline(&dl, SHORT_NS);
	t0 = ipc_now_ns();
	ck_assert_int_eq(ipc_ttas_lock(&sh->ttas, &dl, NULL), ETIMEDOUT);
	ck_assert_int_eq(ipc_yield_lock(&sh->yield, &dl, NULL), ETIMEDOUT);
	ck_assert_int_eq(ipc_cas_lock(&sh->cas, 1, &dl, NULL), ETIMEDOUT);
	ck_assert_int_eq(ipc_futexlock_lock(&sh->futex, &dl, NULL), ETIMEDOUT);
	ck_assert_uint_ge(ipc_now_ns() - t0, SHORT_NS);
	atomic_store(&sh->stop, 1);
	ck_assert_int_eq(ipc_ticket_lock(&sh->ticket, &sh->deadline, &sh->stop),
	    ECANCELED);
	ck_assert_int_eq(ipc_mcs_lock(&sh->mcs, 1, &sh->deadline, &sh->stop),
	    ECANCELED);
	ck_assert_int_eq(ipc_ttas_lock(&sh->ttas, NULL, NULL), EINVAL);
	teardown(&r);
}
END_TEST

/* The cas lock names its holder: only it may unlock; ids are checked. */
START_TEST(cas_owner)
{
	struct ipc_region r;
	struct shared *sh = setup(&r);

	ck_assert_int_eq(ipc_cas_unlock(&sh->cas, 0), EPERM);
	ck_assert_int_eq(ipc_cas_trylock(&sh->cas, 2), 0);
	ck_assert_uint_eq(atomic_load(&sh->cas.owner), 3);
	ck_assert_int_eq(ipc_cas_unlock(&sh->cas, 1), EPERM);
	ck_assert_int_eq(ipc_cas_unlock(&sh->cas, 2), 0);
	ck_assert_int_eq(ipc_cas_trylock(&sh->cas, UINT32_MAX), EINVAL);
	ck_assert_int_eq(ipc_mcs_trylock(&sh->mcs, NPARTY), EINVAL);
	ck_assert_int_eq(ipc_mcs_init(&sh->mcs, sh->node, 0), EINVAL);
	teardown(&r);
}
END_TEST

Suite *
ipc_locks_suite(void)
{
	Suite *s = suite_create("ipc_locks");
	TCase *tc = tcase_in(s, "locks", TEST_TIMEOUT, 0);

	tcase_add_loop_test(tc, locks_exact, 0, NKIND * NSHAPES);
	tcase_add_loop_test(tc, queue_order, 0, 4);
	tcase_add_test(tc, held_answers);
	tcase_add_test(tc, cas_owner);
	return s;
}
