/*
 * mpiwire.c - one result as lines of text, from rank 0 of shmsync-mpi to
 * shmsync through mpirun's stdout: "@shmsync-mpi begin VERDICT MODE
 * VARIANT", a line per field "@shmsync-mpi f TYPE FLAGS KEY VALUE", then
 * "@shmsync-mpi end".  shmsync renders the rows with report.c, as its own.
 */
#include <stdlib.h>
#include <string.h>

#include "mpirun.h"

void
mpi_wire_write(FILE *fp, const struct result *r)
{
	const struct field *f;
	int i;

	fprintf(fp, "%s begin %d %d %d\n", MPI_WIRE_TAG, (int)r->verdict,
	    (int)r->mode, r->variant);
	for (i = 0; i < r->n; i++) {
		f = &r->f[i];
		fprintf(fp, "%s f %d %d %s ", MPI_WIRE_TAG, (int)f->type, f->flags,
		    f->key);
		if (f->type == F_UINT || f->type == F_BOOL)
			fprintf(fp, "%ju\n", (uintmax_t)f->v.u);
		else if (f->type == F_INT)
			fprintf(fp, "%jd\n", (intmax_t)f->v.i);
		else if (f->type == F_DBL)
			fprintf(fp, "%.17g\n", f->v.d);
		else
			fprintf(fp, "%s\n", f->v.s);
	}
	fprintf(fp, "%s end\n", MPI_WIRE_TAG);
	fflush(fp);
}

/* A field's key, kept for the life of the program (results point at it). */
static const char *
keep_key(const char *k)
{
	static char *keys[4 * MAX_FIELDS];
	static int n;
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return keys[i];
	if (n == (int)(sizeof(keys) / sizeof(keys[0])) ||
	    (keys[n] = strdup(k)) == NULL)
		return NULL;
	return keys[n++];
}

/* One field line's TYPE FLAGS KEY VALUE into r; -1 if malformed. */
static int
wire_field(const char *s, struct result *r)
{
	char key[64];
	int type, flags, len = 0;
	struct field *f;

	if (r->n == MAX_FIELDS || sscanf(s, "%d %d %63s %n", &type, &flags, key,
	    &len) != 3 || len == 0 || type < F_UINT || type > F_BOOL)
		return -1;
	f = &r->f[r->n];
	memset(f, 0, sizeof(*f));
	if ((f->key = keep_key(key)) == NULL)
		return -1;
	f->type = (enum ftype)type;
	f->flags = flags;
	s += len;
	if (type == F_UINT || type == F_BOOL)
		f->v.u = strtoull(s, NULL, 10);
	else if (type == F_INT)
		f->v.i = strtoll(s, NULL, 10);
	else if (type == F_DBL)
		f->v.d = strtod(s, NULL);
	else
		strlcpy(f->v.s, s, sizeof(f->v.s));
	r->n++;
	return 0;
}

/*
 * Feed one line (no newline): 1 when it ended a result (now in r), 0 when
 * more is to come, -1 when it is not part of a result.
 */
int
mpi_wire_line(const char *line, struct result *r)
{
	size_t t = strlen(MPI_WIRE_TAG);
	int v, m, var;

	if (strncmp(line, MPI_WIRE_TAG " ", t + 1) != 0)
		return -1;
	line += t + 1;
	if (sscanf(line, "begin %d %d %d", &v, &m, &var) == 3) {
		memset(r, 0, sizeof(*r));
		r->verdict = (enum verdict)v;
		r->mode = (enum mode)m;
		r->variant = var;
		return 0;
	}
	if (strncmp(line, "f ", 2) == 0)
		return wire_field(line + 2, r) == 0 ? 0 : -1;
	return strcmp(line, "end") == 0 ? 1 : -1;
}
