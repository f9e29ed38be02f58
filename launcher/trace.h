/*
 * trace.h - --trace FILE (Chrome trace events) and --timeline (lanes of
 * characters) from the per-worker buffers the ipc calls fill.  See trace.c.
 */
#ifndef LAUNCHER_TRACE_H
#define LAUNCHER_TRACE_H

#include "../ipc/trace.h"
#include "report.h"

size_t	trace_size(const struct params *, unsigned);
void	trace_setup(struct run *, void *);
void	trace_begin(const struct run *, unsigned);
void	trace_count(const struct run *, struct result *);
void	trace_show(const struct run *, const struct result *);
int	trace_open(const char *, const struct params *, int);
int	trace_close(void);
void	trace_abandon(void);
void	trace_timeline(int);
void	trace_name(const struct run *, const volatile void *, const char *);

#endif /* LAUNCHER_TRACE_H */
