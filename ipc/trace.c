/*
 * trace.c - record one event in the calling worker's trace buffer.
 *
 * Only the worker writes its buffer, and the launcher reads it after the
 * worker has ended (joined or reaped), so plain stores suffice.  See trace.h.
 */
#include "ipc.h"
#include "trace.h"

_Thread_local struct ipc_trace_buf *ipc_trace_cur;

__attribute__((cold)) void
ipc_trace_put(struct ipc_trace_buf *b, enum ipc_ev ev, enum ipc_kind kind,
    const volatile void *obj)
{
	uint64_t n = b->n;

	if (n < b->cap) {
		b->rec[n].t = ipc_now_ns();
		b->rec[n].what = (uint64_t)ev << 56 | (uint64_t)kind << 48 |
		    ((uintptr_t)obj & 0xffffffffffffull);
	}
	b->n = n + 1;
}
