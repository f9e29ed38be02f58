/*
 * pin.c - pin the calling thread (or process) to one CPU: the i-th of those
 * it may run on, wrapping round (left where it is if it may run on one CPU
 * only; 0 or an errno value); and the pair's wait.  See pin.h.
 */
#include <errno.h>
#include <sched.h>

#include "../ipc/ipc.h"
#include "pin.h"

#define SPINS_PER_YIELD	64
#define YIELDS_PER_NAP	64
#define SPIN_NAP_NS	10000		/* 10 us */

const char *const pin_places[] = {
	[P_SPREAD] = "spread", [P_ANY] = "any", [NPLACES] = NULL
};

/*
 * One turn of a wait for the other of the pair: now and then, give up at
 * the deadline (ETIMEDOUT) and let the other run; sharing one CPU, a yield
 * may not hand it over, so now and then sleep.  The compiler keeps the
 * caller's accesses on their side of it.
 */
int
pair_spin(const struct run *r, unsigned *n)
{
	ipc_cpu_relax();
	atomic_signal_fence(memory_order_seq_cst);
	if (++*n % SPINS_PER_YIELD != 0)
		return 0;
	if (run_stopped(r))	/* past the deadline, or poisoned */
		return ETIMEDOUT;
	if (*n % (SPINS_PER_YIELD * YIELDS_PER_NAP) == 0)
		ipc_sleep_ns(SPIN_NAP_NS);
	else
		sched_yield();
	return 0;
}

int
pin_worker(unsigned id)
{
	cpu_set_t allowed, one;
	int cpu, n, k = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) == -1)
		return errno;
	if ((n = CPU_COUNT(&allowed)) < 2)
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || k++ != (int)(id % (unsigned)n))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		return sched_setaffinity(0, sizeof(one), &one) == -1 ? errno : 0;
	}
	return 0;
}
