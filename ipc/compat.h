/*
 * compat.h - the portability shims, in one place: the noreturn spelling and
 * the CPU's spin-wait hint.
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

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

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
