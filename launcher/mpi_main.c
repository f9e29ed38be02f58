/*
 * mpi_main.c - shmsync-mpi: the ranks' program that mpirun starts for
 * `shmsync DEMO -m mpi`.  Every rank runs each variant of the demo's MPI
 * form (workers/mpi_*.c); rank 0 writes one result per variant to stdout
 * in the wire format (mpiwire.c), which shmsync renders.  Not for people:
 * shmsync has checked the options before mpirun started.
 */
#include <mpi.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workers/mpiform.h"
#include "mpirun.h"

/* The distinct hosts of the ranks, "a,b", from rank 0's view. */
static void
hosts(int rank, int size, char *out, size_t len)
{
	char name[MPI_MAX_PROCESSOR_NAME] = "", *all = NULL;
	int n, i, k;

	MPI_Get_processor_name(name, &n);
	if (rank == 0 && (all = calloc((size_t)size, sizeof(name))) == NULL)
		err(1, "hosts");
	MPI_Gather(name, sizeof(name), MPI_CHAR, all, sizeof(name), MPI_CHAR, 0,
	    MPI_COMM_WORLD);
	out[0] = '\0';
	for (i = 0; rank == 0 && i < size; i++) {
		for (k = 0; k < i && strcmp(all + k * sizeof(name),
		    all + i * sizeof(name)) != 0; k++)
			continue;
		if (k == i)
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
			    out[0] != '\0' ? "," : "", all + i * sizeof(name));
	}
	free(all);
}

/* Where --net is in a form's options (every form ends with it). */
static int
net_opt(const struct optdef *o)
{
	int i;

	for (i = 0; o[i].name != NULL; i++)
		if (strcmp(o[i].name, "net") == 0)
			return i;
	errx(1, "shmsync-mpi: a form without --net");
}

/* Rank 0's row: what the body found, timed, with where it ran. */
static void
row(const struct mpi_job *j, const char *demo, const char *where,
    struct result *res)
{
	const struct outcome *o = &j->o;
	int i;

	memset(res, 0, sizeof(*res));
	res->verdict = o->verdict;
	res->mode = MODE_MPI;
	res->variant = j->variant;
	res_str(res, "demo", demo, 0);
	res_str(res, "sync", o->sync, F_TABLE);
	res_str(res, "mode", mode_name(MODE_MPI), F_TABLE);
	res_uint(res, "workers", (uint64_t)j->size, 0);
	res_uint(res, "iterations", o->iterations, F_PARAM);
	res_uint(res, "expected", o->expected, F_TABLE);
	res_uint(res, "observed", o->observed, F_TABLE);
	for (i = 0; i < j->extra.n && res->n < MAX_FIELDS; i++)
		res->f[res->n++] = j->extra.f[i];
	res_str(res, "verdict", verdict_name(o->verdict), F_TABLE);
	res_uint(res, "wall_ns", j->wall_ns, F_TABLE | F_NS);
	res_dbl(res, "ops_per_sec", j->wall_ns ? (double)o->ops * 1e9 /
	    (double)j->wall_ns : 0, F_TABLE | F_RATE);
	res_str(res, "transport", mpi_nets[j->net], F_PARAM);
	res_str(res, "osc", j->osc, F_TABLE);
	res_uint(res, "ranks", (uint64_t)j->size, F_PARAM);
	res_str(res, "hosts", where, F_PARAM);
	res_str(res, "note", o->note, F_TABLE);
}

int
main(int argc, char *argv[])
{
	static struct params p;
	const struct worker *w;
	struct optset set;
	struct mpi_job j;
	struct result res;
	char where[256];
	int v, nv;

	MPI_Init(&argc, &argv);
	if (argc < 2 || (w = worker_find(argv[1])) == NULL || w->mpi == NULL ||
	    w->mpi->run == NULL)
		errx(2, "usage: shmsync-mpi DEMO [options] (started by "
		    "shmsync DEMO -m mpi)");
	/* A failed window (no osc over tcp) is reported, not a crash. */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	set = (struct optset){ w->mpi->opts, p.v, NULL, 0 };
	parse_args(w->name, argc - 1, argv + 1, &set, 1);
	p.demo = w;
	p.modes = MODE_MPI;
	memset(&j, 0, sizeof(j));
	j.p = &p;
	MPI_Comm_rank(MPI_COMM_WORLD, &j.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &j.size);
	j.net = (int)p.v[net_opt(w->mpi->opts)];
	hosts(j.rank, j.size, where, sizeof(where));
	nv = w->mpi->variants != NULL ? w->mpi->variants(&p) : 1;
	for (v = 0; v < nv; v++) {
		memset(&j.o, 0, sizeof(j.o));
		memset(&j.extra, 0, sizeof(j.extra));
		j.o.extra = &j.extra;
		j.variant = v;
		w->mpi->run(&j);
		if (j.rank == 0) {
			row(&j, w->name, where, &res);
			mpi_wire_write(stdout, &res);
		}
	}
	MPI_Finalize();
	return 0;
}
