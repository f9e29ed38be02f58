/*
 * turnstile.h - --schedule on threads and processes (turnstile.c), and
 * the story of a scheduled run, whichever mode ran it.
 */
#ifndef LAUNCHER_TURNSTILE_H
#define LAUNCHER_TURNSTILE_H

#include <stdio.h>

#include "../workers/worker.h"

/* One step of a scheduled run, as the worker that took it saw it. */
struct ts_step {
	const volatile void	*obj;		/* what it acted on */
	uint64_t		 val;		/* what it wrote (a store) */
	uint64_t		 read;		/* what it read (a load) */
	uint16_t		 who;
	uint8_t			 op;		/* enum sch_op */
	uint8_t			 read_set;
	char			 after[44];	/* the shared state after it */
};

size_t		 turnstile_size(unsigned, unsigned);
void		 turnstile_init(struct run *, void *);
void		 turnstile_point(const struct run *, unsigned, int,
		    const volatile void *, uint64_t);
void		 turnstile_end(const struct run *, unsigned);
unsigned	 turnstile_broken(const struct run *);
const struct ts_step *turnstile_log(const struct run *, unsigned *);
void		 schedule_story(const struct run *, FILE *);
void		 story_print(FILE *, const char *, const struct ts_step *,
		    unsigned, const char *);

#endif /* LAUNCHER_TURNSTILE_H */
