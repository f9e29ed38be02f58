/*
 * pin.c - pin the calling thread (or process) to one CPU: the i-th of those
 * it may run on, wrapping round.  Left where it is if it may run on one CPU
 * only.  Returns 0 or an errno value.  See pin.h.
 */
#include <errno.h>
#include <sched.h>

#include "pin.h"

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
