/*
 * trace.h - the trace hook: each ipc call says what it did (tried, took,
 * let go, waited, woke, put, got, arrived, left) in the calling thread's
 * trace buffer, when it has one, with a CLOCK_MONOTONIC timestamp.
 *
 * A buffer lives in shared memory and has one writer, its worker: no lock
 * and no atomic on the hot path.  It keeps the first head records, the
 * last ring records (a ring whose size is a power of two) and, from those
 * in between, every failure (up to IPC_TRACE_FAILS); it counts the rest.
 * The launcher reads it once the worker is gone.  Without a buffer a call
 * costs one thread-local load and a predictable branch.
 */
#ifndef IPC_TRACE_H
#define IPC_TRACE_H

#include <stdint.h>

enum ipc_ev {
	IPC_EV_TRY = 1,		/* asks for a lock or a permit */
	IPC_EV_ACQ,		/* got it */
	IPC_EV_ACQ_READ,	/* got a read lock */
	IPC_EV_FAIL,		/* gave up asking (a timeout, an error) */
	IPC_EV_REL,		/* let it go, or posted a semaphore */
	IPC_EV_WAIT,		/* blocks on a condition, an event, a full queue */
	IPC_EV_WAKE,		/* the wait ended */
	IPC_EV_NOTIFY,		/* signalled, broadcast or set */
	IPC_EV_PUT,
	IPC_EV_GET,
	IPC_EV_ARRIVE,		/* at a barrier */
	IPC_EV_LEAVE,
	IPC_EV_LOAD,		/* read a plain variable: a read-modify-write begins */
	IPC_EV_STORE,		/* wrote it back: the read-modify-write ends */
	IPC_NEV
};

enum ipc_kind {
	IPC_K_MUTEX = 1,
	IPC_K_SPIN,
	IPC_K_SEM,
	IPC_K_RWLOCK,
	IPC_K_COND,
	IPC_K_BARRIER,
	IPC_K_QUEUE,
	IPC_K_EVENT,
	IPC_K_FLAG,		/* a lock made of a plain or atomic flag */
	IPC_K_VAR,		/* a plain shared variable, unguarded */
	IPC_NKIND
};

/* One record: when, and what (event << 56 | kind << 48 | the object's address). */
struct ipc_trace_rec {
	uint64_t	 t;
	uint64_t	 what;
};

#define IPC_TRACE_FAILS	64	/* failures kept from between the head and the ring */

/* A failure (IPC_EV_FAIL) from the records the ring overwrote, and which one it was. */
struct ipc_trace_fail {
	uint64_t		 seq;
	struct ipc_trace_rec	 rec;
};

struct ipc_trace_buf {
	uint64_t		 head;	/* rec[0..head): the first records */
	uint64_t		 mask;	/* rec[head..head+mask]: the last, a ring */
	uint64_t		 n;	/* records asked for */
	uint64_t		 nfail;	/* failures past the head, kept or not */
	struct ipc_trace_fail	 fail[IPC_TRACE_FAILS];
	struct ipc_trace_rec	 rec[];
};

/* Records a buffer keeps: the head and the ring. */
#define IPC_TRACE_CAP(b)	((b)->head + (b)->mask + 1)

#define IPC_TRACE_ADDR(w)	((uintptr_t)((w) & 0xffffffffffffull))
#define IPC_TRACE_EV(w)		((enum ipc_ev)((w) >> 56))
#define IPC_TRACE_KIND(w)	((enum ipc_kind)(((w) >> 48) & 0xff))

extern _Thread_local struct ipc_trace_buf *ipc_trace_cur;

void	ipc_trace_put(struct ipc_trace_buf *, enum ipc_ev, enum ipc_kind,
	    const volatile void *);

static inline void
ipc_trace(enum ipc_ev ev, enum ipc_kind kind, const volatile void *obj)
{
	struct ipc_trace_buf *b = ipc_trace_cur;

	if (__builtin_expect(b != NULL, 0))
		ipc_trace_put(b, ev, kind, obj);
}

/* A composite call (queue, event, barrier) records itself, not its inner locks. */
static inline struct ipc_trace_buf *
ipc_trace_mute(void)
{
	struct ipc_trace_buf *b = ipc_trace_cur;

	ipc_trace_cur = NULL;
	return b;
}

static inline void
ipc_trace_unmute(struct ipc_trace_buf *b)
{
	ipc_trace_cur = b;
}

/* A composite call's own record, into the buffer it muted. */
static inline void
ipc_trace_to(struct ipc_trace_buf *b, enum ipc_ev ev, enum ipc_kind kind,
    const volatile void *obj)
{
	if (__builtin_expect(b != NULL, 0))
		ipc_trace_put(b, ev, kind, obj);
}

#endif /* IPC_TRACE_H */
