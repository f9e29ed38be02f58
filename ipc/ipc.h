/*
 * ipc.h - what every ipc/ module shares: object names and deadlines.
 *
 * A named object is "/shmsync.<pid>.<start>.<seq>.<what>": the creator's pid
 * and start time (clock ticks since boot, /proc/PID/stat field 22) make a
 * leftover traceable to its launcher and let `shmsync clean` tell whether
 * that launcher still lives.  Every wait takes an absolute CLOCK_MONOTONIC
 * deadline; the ns <-> timespec conversions and the sleep are here, once.
 * Functions return 0 or an errno value; none prints or exits.
 */
#ifndef IPC_IPC_H
#define IPC_IPC_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#define IPC_NAME_MAX	96		/* with the leading '/' and the NUL */
#define IPC_PREFIX	"shmsync."	/* every name starts "/" IPC_PREFIX */
#define IPC_MODE	0600		/* whatever the umask */
#define IPC_NS_PER_S	1000000000u

int		 ipc_name(char *, size_t, const char *);
int		 ipc_name_parse(const char *, pid_t *, unsigned long long *);
int		 ipc_proc_start(pid_t, unsigned long long *);
uint64_t	 ipc_now_ns(void);
void		 ipc_deadline(struct timespec *, uint64_t);
int		 ipc_expired(const struct timespec *);
struct timespec	 ipc_ts_from_ns(uint64_t);
uint64_t	 ipc_ns_from_ts(const struct timespec *);
void		 ipc_sleep_ns(uint64_t);

#endif /* IPC_IPC_H */
