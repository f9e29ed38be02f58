/*
 * pin.h - put worker i on the i-th CPU it may run on, so that two workers
 * really run at once: what peterson.c and litmus.c need to show a
 * reordering (litmus7 pins its threads for the same reason).
 */
#ifndef WORKERS_PIN_H
#define WORKERS_PIN_H

int	pin_worker(unsigned);

#endif /* WORKERS_PIN_H */
