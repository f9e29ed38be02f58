/*
 * compat.h - the portability shims, in one place: the noreturn spelling,
 * the CPU's spin-wait hint and the full fence.
 *
 * __dead is OpenBSD's (style(9)) spelling of noreturn, put before the return
 * type: `static __dead void usage(void);`.  It is the only spelling used in
 * ipc/ and workers/; not _Noreturn, not a bare __attribute__.  libbsd gives
 * FreeBSD's __dead2 but not __dead, so it is defined here unless a system
 * header already did.
 *
 * Beyond C11 and POSIX the code needs glibc 2.32 or later, on Linux:
 * pthread_mutex_clocklock and sem_clockwait (2.30), gettid (2.30),
 * strerrorname_np and sigabbrev_np (2.32), futex(2), /proc/PID/stat.
 */
#ifndef IPC_COMPAT_H
#define IPC_COMPAT_H

#include <stdatomic.h>

#include "tsan.h"

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

/*
 * A full fence.  ThreadSanitizer does not model fences (gcc refuses
 * atomic_thread_fence under -fsanitize=thread with -Werror=tsan): there a
 * seq_cst read-modify-write, as strong on x86, stands in.
 */
static inline __attribute__((always_inline)) void
ipc_full_fence(void)
{
#ifdef IPC_TSAN
	static _Atomic int fence_word;

	atomic_fetch_add_explicit(&fence_word, 0, memory_order_seq_cst);
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* One polite iteration of a spin loop: let the sibling hyperthread run. */
static inline void
ipc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#endif /* IPC_COMPAT_H */
