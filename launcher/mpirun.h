/*
 * mpirun.h - -m mpi: shmsync runs a demo's MPI form under mpirun and
 * relays rank 0's rows (mpirun.c); shmsync-mpi is the ranks' program
 * (mpi_main.c).  They speak one line format for a result (mpiwire.c).
 */
#ifndef LAUNCHER_MPIRUN_H
#define LAUNCHER_MPIRUN_H

#include <stdio.h>

#include "report.h"

#define MPI_WIRE_TAG	"@shmsync-mpi"	/* begins every line of a result */

struct mpi_part;
struct run_watch;

int	mpi_wanted(int, char **);
int	exec_mpi(const struct cmd_entry *, int, char **);
struct mpi_part	*mpi_part_new(const struct worker *, const char *,
		    const struct params *, const char *);
int	mpi_part_run(struct mpi_part *, struct report *);
int	run_mixed(const struct params *, const struct run_watch *,
	    struct mpi_part *, struct report *);
struct mpi_part	*mixed_prepare(const char *, const struct params *, unsigned,
		    long long, const char *);
void	mpi_wire_write(FILE *, const struct result *);
int	mpi_wire_line(const char *, struct result *);

#endif /* LAUNCHER_MPIRUN_H */
