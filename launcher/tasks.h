/*
 * tasks.h - a demo's workers as coroutines stopped at their scheduling
 * points (workers/sched.h), stepped one at a time: what --explore,
 * --step and the check of a --schedule run on.  See tasks.c.
 */
#ifndef LAUNCHER_TASKS_H
#define LAUNCHER_TASKS_H

#include <ucontext.h>

#include "../workers/worker.h"

/* What the scheduler knows of one worker: where it stands, what it did. */
struct task_worker {
	uint64_t		 val;		/* at its point: what it will write */
	uint64_t		 read;		/* in its last step: what it read */
	const volatile void	*obj;		/* at its point: on what */
	uint32_t		 steps;		/* points reached */
	uint8_t			 op;		/* at its point: enum sch_op */
	uint8_t			 done;
	uint8_t			 blocked;	/* its last try found the way shut */
	uint8_t			 read_set;
};

struct tasks {
	struct run		 r;
	unsigned		 n;
	size_t			 hdr, len;	/* private memory: header, then state */
	void			*mem;
	ucontext_t		 home, *ctx;
	unsigned char		*stacks;
	struct task_worker	*w;
	unsigned		 cur;
	unsigned long		 spins;		/* yields in this step */
	int			 set_up;	/* setup ran: release before the next */
	int			 failed;	/* a worker quit, or spun with no point */
	char			 why[NOTE_MAX];
};

enum { STEP_OK, STEP_BLOCKED };

#define KEY_MAX		8192		/* bytes of a state's key */

int		 tasks_open(struct tasks *, const struct params *, int);
void		 tasks_reset(struct tasks *);
int		 tasks_step(struct tasks *, unsigned);
void		 tasks_close(struct tasks *);
int		 tasks_done(const struct tasks *);
size_t		 tasks_key(const struct tasks *, unsigned char *);
void		 tasks_show(const struct tasks *, char *, size_t);
void		 tasks_op(const struct tasks *, unsigned, char *, size_t);
const char	*sched_op_name(int);
const char	*sched_obj_name(const volatile void *);
void		 sched_name(const struct run *, const volatile void *,
		    const char *);
void		 sched_names_clear(void);

#endif /* LAUNCHER_TASKS_H */
