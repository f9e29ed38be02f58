/*
 * tsan.h - tell ThreadSanitizer what the CLOCK_MONOTONIC waits did.
 *
 * TSan intercepts pthread_mutex_timedlock and sem_timedwait but not their
 * clock variants (pthread_mutex_clocklock, sem_clockwait, the rwlock ones),
 * while it does see the unlocks and posts: without these annotations every
 * guarded run would be reported as a race.  Empty in other builds.
 */
#ifndef IPC_TSAN_H
#define IPC_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define IPC_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IPC_TSAN	1
#endif
#endif

#ifdef IPC_TSAN
#include <sanitizer/tsan_interface.h>

/* A timed lock is a trylock to TSan: it may fail, so no deadlock edge. */
#define TSAN_LOCK_PRE(m, rd)	__tsan_mutex_pre_lock((m), __tsan_mutex_try_lock | \
	((rd) ? __tsan_mutex_read_lock : 0))
#define TSAN_LOCK_POST(m, rd, ok) __tsan_mutex_post_lock((m), __tsan_mutex_try_lock | \
	((rd) ? __tsan_mutex_read_lock : 0) | ((ok) ? 0 : __tsan_mutex_try_lock_failed), 0)
#define TSAN_ACQUIRE(a)		__tsan_acquire(a)
#else
#define TSAN_LOCK_PRE(m, rd)	((void)0)
#define TSAN_LOCK_POST(m, rd, ok) ((void)0)
#define TSAN_ACQUIRE(a)		((void)0)
#endif

#endif /* IPC_TSAN_H */
