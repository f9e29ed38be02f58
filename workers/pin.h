/*
 * pin.h - what the two memory-ordering demos (peterson.c, litmus.c) share:
 * put worker i on the i-th CPU it may run on, so that two workers really
 * run at once (litmus7 pins its threads for the same reason), the --place
 * option that asks for it, and one turn of a wait between the pair.
 */
#ifndef WORKERS_PIN_H
#define WORKERS_PIN_H

#include "worker.h"

enum place { P_SPREAD, P_ANY, NPLACES };

extern const char *const pin_places[];

#define OPT_PLACE { "place", 'P', "HOW", 0, 0, P_SPREAD, pin_places, \
	"spread (worker i on the i-th CPU, so both really run at once)\n" \
	"                         or any (where the scheduler puts them)" }

int	pin_worker(unsigned);

#include "../ipc/tsan.h"

/* The fence between a worker's store and its load when asked for (ipc_full_fence), else only the compiler's barrier. */
static inline __attribute__((always_inline)) void
pair_fence(int full)
{
	if (full)
		ipc_full_fence();
	else
		atomic_signal_fence(memory_order_seq_cst);
}
int	pair_spin(const struct run *, unsigned *);

#endif /* WORKERS_PIN_H */
