/*
 * trace.c - record one event in the calling worker's trace buffer: into
 * its head while there is room, then round its ring; a failure the ring
 * will overwrite is also kept aside, so none is lost to the window.
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
	uint64_t n = b->n, i = n < b->head ? n : b->head + ((n - b->head) & b->mask);
	struct ipc_trace_rec *r = &b->rec[i];

	r->t = ipc_now_ns();
	r->what = (uint64_t)ev << 56 | (uint64_t)kind << 48 |
	    ((uintptr_t)obj & 0xffffffffffffull);
	if (__builtin_expect(ev == IPC_EV_FAIL && n >= b->head, 0)) {
		if (b->nfail < IPC_TRACE_FAILS)
			b->fail[b->nfail] = (struct ipc_trace_fail){ n, *r };
		b->nfail++;
	}
	b->n = n + 1;
}
