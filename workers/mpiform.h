/*
 * mpiform.h - a demo's form over MPI ranks: one run as every rank sees it
 * (the options, the variant, this rank) and what rank 0 fills in for the
 * report.  The forms' descriptors (mpiform.c) are MPI-free and linked into
 * both binaries; their bodies (mpi_*.c) into shmsync-mpi only (make mpi).
 * See launcher/mpi_main.c (the ranks' main), launcher/mpirun.c (the driver).
 */
#ifndef WORKERS_MPIFORM_H
#define WORKERS_MPIFORM_H

#include <limits.h>

#include "worker.h"

enum { NET_SHM, NET_TCP };

struct mpi_job {
	const struct params	*p;		/* p->v: the form's options */
	int			 variant;
	int			 rank, size;	/* in MPI_COMM_WORLD */
	int			 net;		/* NET_SHM or NET_TCP */
	struct outcome		 o;		/* rank 0: what the check found */
	struct result		 extra;		/* rank 0: o.extra */
	uint64_t		 wall_ns;	/* rank 0: start barrier to end barrier */
	char			 osc[64];	/* the one-sided component, or "" */
};

/* Every form's last options: the transport, then the table's end. */
extern const char *const mpi_nets[];
#define OPT_NET { "net", 0, "NET", 0, 0, NET_SHM, mpi_nets, \
	"shm (shared memory, one node) or tcp (btl tcp,self;\n" \
	"                         one-sided calls over osc pt2pt)" }

/* The forms, declared beside each demo's descriptor. */
extern const struct mpi_form mpi_form_counter, mpi_form_barrier,
    mpi_form_pingpong, mpi_form_queue;

/* Their bodies (mpi_*.c): weak in shmsync, where they are not linked. */
void	mpi_counter_run(struct mpi_job *);
void	mpi_barrier_run(struct mpi_job *);
void	mpi_pingpong_run(struct mpi_job *);
void	mpi_queue_run(struct mpi_job *);

/* The counter's guards over MPI, in --sync order (mpiform.c). */
enum { MS_NONE, MS_LOCK, MS_FOP, MS_ACC, MS_CAS, MS_MUTEX, MS_ALL };
extern const char *const mpi_counter_syncs[];
enum { MB_MPI, MB_RMA, MB_ALL };
extern const char *const mpi_barrier_kinds[];
enum { MP_SEND, MP_RMA, MP_ALL };
extern const char *const mpi_pingpong_vias[];

/* The options' indexes, per form. */
enum { MC_WORKERS, MC_ITERATIONS, MC_SYNC, MC_NET };
enum { MB_WORKERS, MB_PHASES, MB_BARRIER, MB_NET };
enum { MP_ITERATIONS, MP_VIA, MP_NET };
enum { MQ_PRODUCERS, MQ_CONSUMERS, MQ_ITEMS, MQ_NET };

#define MQ_MAX_ITEMS	(1 << 24)	/* every item is counted on arrival */

#ifdef MPI_VERSION
/* mpi_util.c: what the bodies share (needs <mpi.h> first). */
uint64_t	mpi_now_ns(void);
void		mpi_win_named(struct mpi_job *, MPI_Win);
void		mpi_check(int, const char *);
void		mpi_win_zeroed(struct mpi_job *, size_t, void *, MPI_Win *);
uint64_t	mpi_read_u64(MPI_Win, int, MPI_Aint);
void		mpi_timed_start(struct mpi_job *, uint64_t *);
void		mpi_timed_end(struct mpi_job *, uint64_t);
void		mpi_poll_pause(unsigned *);
#endif

#endif /* WORKERS_MPIFORM_H */
