/*
 * check_trace.c - ipc/trace: a worker's buffer records each ipc call (try,
 * take, let go) with its kind, address and time, keeps the first head
 * records and the last ring ones, every failure in between, and counts the
 * rest; mute hides a call's inner calls; no buffer, no record.  What the launcher makes of it: launcher/check_trace.c.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "../../ipc/mutex.h"
#include "../../ipc/trace.h"
#include "../tests.h"

/* A buffer of head 2 and ring 2; mute hides inner calls. */
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
	t.b.head = 2;
	t.b.mask = 1;
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

	/* try, acq, rel, acq, rel: seq 3 and 4 went round the ring over seq 2 */
	ck_assert_uint_eq(t.b.n, 5);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[0].what), IPC_EV_TRY);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[1].what), IPC_EV_ACQ);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[2].what), IPC_EV_REL);	/* seq 4 */
	ck_assert_int_eq(IPC_TRACE_EV(t.r[3].what), IPC_EV_ACQ);	/* seq 3 */
	ck_assert_int_eq(IPC_TRACE_KIND(t.r[3].what), IPC_K_MUTEX);
	ck_assert(IPC_TRACE_ADDR(t.r[0].what) == ((uintptr_t)&m & 0xffffffffffffull));
	ck_assert_uint_le(t.r[0].t, t.r[1].t);
	ck_assert_uint_le(t.r[1].t, t.r[3].t);
	ck_assert_uint_le(t.r[3].t, t.r[2].t);
	ck_assert_uint_eq(t.b.nfail, 0);
	ipc_mutex_destroy(&m);
}
END_TEST

/* A failure the ring overwrites is kept aside, with its place; the rest counted. */
START_TEST(buffer_failures)
{
	struct {
		struct ipc_trace_buf	 b;
		struct ipc_trace_rec	 r[4];
	} t;
	int obj, i;

	memset(&t, 0, sizeof(t));
	t.b.head = 2;
	t.b.mask = 1;
	ipc_trace_cur = &t.b;
	for (i = 0; i < 10; i++)
		ipc_trace(i == 1 || i == 4 || i == 6 || i == 9 ? IPC_EV_FAIL :
		    IPC_EV_TRY, IPC_K_SEM, &obj);
	for (i = 0; i < IPC_TRACE_FAILS + 5; i++)
		ipc_trace(IPC_EV_FAIL, IPC_K_SEM, &obj);
	ipc_trace_cur = NULL;

	ck_assert_uint_eq(t.b.n, 10 + IPC_TRACE_FAILS + 5);
	ck_assert_int_eq(IPC_TRACE_EV(t.r[1].what), IPC_EV_FAIL);	/* in the head */
	/* Failures past the head: 4, 6, 9, then the run of them; as many kept as fit. */
	ck_assert_uint_eq(t.b.nfail, 3 + IPC_TRACE_FAILS + 5);
	ck_assert_uint_eq(t.b.fail[0].seq, 4);
	ck_assert_uint_eq(t.b.fail[1].seq, 6);
	ck_assert_uint_eq(t.b.fail[2].seq, 9);
	ck_assert_uint_eq(t.b.fail[3].seq, 10);
	ck_assert_uint_eq(t.b.fail[IPC_TRACE_FAILS - 1].seq, IPC_TRACE_FAILS + 6);
	ck_assert_int_eq(IPC_TRACE_EV(t.b.fail[0].rec.what), IPC_EV_FAIL);
	ck_assert_uint_le(t.b.fail[0].rec.t, t.b.fail[1].rec.t);
}
END_TEST

Suite *
ipc_trace_suite(void)
{
	Suite *s = suite_create("ipc_trace");
	TCase *tc = tcase_in(s, "trace", TEST_TIMEOUT, 0);

	tcase_add_test(tc, buffer_records);
	tcase_add_test(tc, buffer_failures);
	return s;
}
