/*
 * check_trace.c - ipc/trace: a worker's buffer records each ipc call (try,
 * take, let go) with its kind, address and time, keeps the first cap
 * records and counts the rest; mute hides a call's inner calls; no buffer,
 * no record.  What the launcher makes of it: launcher/check_trace.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "../../ipc/mutex.h"
#include "../../ipc/trace.h"
#include "../tests.h"

/* The buffer keeps the first cap records, counts the rest; mute hides inner calls. */
START_TEST(buffer_records)
{
	struct {
		struct ipc_trace_buf	 b;
		struct ipc_trace_rec	 r[4];
	} t;
	struct ipc_trace_buf *saved;
	pthread_mutex_t m;
	struct timespec dl;

	memset(&t, 0, sizeof(t));
	t.b.cap = 4;
	ipc_deadline(&dl, 1000000000u);
	ck_assert_int_eq(ipc_mutex_init(&m, IPC_MUTEX_NORMAL), 0);
	ipc_trace_cur = &t.b;
	ck_assert_int_eq(ipc_mutex_lock(&m, &dl), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&m), 0);
	saved = ipc_trace_mute();
	ck_assert_int_eq(ipc_mutex_lock(&m, &dl), 0);	/* not recorded */
	ck_assert_int_eq(ipc_mutex_unlock(&m), 0);
	ipc_trace_unmute(saved);
	ck_assert_int_eq(ipc_mutex_trylock(&m), 0);
	ck_assert_int_eq(ipc_mutex_unlock(&m), 0);
	ipc_trace_cur = NULL;
	ck_assert_int_eq(ipc_mutex_lock(&m, &dl), 0);	/* no buffer: nothing */
	ck_assert_int_eq(ipc_mutex_unlock(&m), 0);

	ck_assert_uint_eq(t.b.n, 5);		/* try, acq, rel, acq, rel */
	ck_assert_int_eq(IPC_TRACE_EV(t.r[0].what), IPC_EV_TRY);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[1].what), IPC_EV_ACQ);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[2].what), IPC_EV_REL);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[3].what), IPC_EV_ACQ);
	ck_assert_int_eq(IPC_TRACE_KIND(t.r[3].what), IPC_K_MUTEX);
	ck_assert(IPC_TRACE_ADDR(t.r[0].what) == ((uintptr_t)&m & 0xffffffffffffull));
	ck_assert_uint_le(t.r[0].t, t.r[1].t);
	ck_assert_uint_le(t.r[1].t, t.r[3].t);
	ck_assert_uint_eq(t.r[3].what, t.r[1].what);	/* the fifth was dropped */
	ipc_mutex_destroy(&m);
}
END_TEST

Suite *
ipc_trace_suite(void)
{
	Suite *s = suite_create("ipc_trace");
	TCase *tc = tcase_in(s, "trace", TEST_TIMEOUT, 0);

	tcase_add_test(tc, buffer_records);
	return s;
}
