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

int	mpi_wanted(int, char **);
int	exec_mpi(const struct cmd_entry *, int, char **);
void	mpi_wire_write(FILE *, const struct result *);
int	mpi_wire_line(const char *, struct result *);

#endif /* LAUNCHER_MPIRUN_H */
