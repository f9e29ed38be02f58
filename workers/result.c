/*
 * result.c - build a result field by field.  A result holds at most
 * MAX_FIELDS; one more is a bug in the demo that added it, caught at once.
 * See result.h; launcher/report.c renders results.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

static struct field *
res_new(struct result *r, const char *key, enum ftype type, int flags)
{
	struct field *f;

	if (r->n == MAX_FIELDS) {
		fprintf(stderr, "result: more than %d fields (%s)\n", MAX_FIELDS, key);
		abort();
	}
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->type = type;
	f->flags = flags;
	return f;
}

void
res_uint(struct result *r, const char *key, uint64_t v, int flags)
{
	res_new(r, key, F_UINT, flags)->v.u = v;
}

void
res_int(struct result *r, const char *key, int64_t v, int flags)
{
	res_new(r, key, F_INT, flags)->v.i = v;
}

void
res_dbl(struct result *r, const char *key, double v, int flags)
{
	res_new(r, key, F_DBL, flags)->v.d = isfinite(v) ? v : 0.0;
}

void
res_str(struct result *r, const char *key, const char *v, int flags)
{
	struct field *f = res_new(r, key, F_STR, flags);

	strlcpy(f->v.s, v != NULL ? v : "", sizeof(f->v.s));
}

void
res_bool(struct result *r, const char *key, int v, int flags)
{
	res_new(r, key, F_BOOL, flags)->v.u = v != 0;
}

/* The field key of r, or NULL. */
const struct field *
res_find(const struct result *r, const char *key)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].key, key) == 0)
			return &r->f[i];
	return NULL;
}

/*
 * s: full cut to the n fields of keep, in keep's order and with keep's
 * flags (so rows of different demos or forms share one header); a field
 * full lacks is left out, or with nulls, kept empty (F_NULL).
 */
void
res_cut(const struct result *full, struct result *s, const struct res_keep *keep,
    size_t n, int nulls)
{
	const struct field *f;
	struct field *g;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->verdict = full->verdict;
	s->mode = full->mode;
	s->variant = full->variant;
	for (i = 0; i < n; i++) {
		if ((f = res_find(full, keep[i].key)) == NULL && !nulls)
			continue;
		g = &s->f[s->n++];
		if (f != NULL)
			*g = *f;
		else
			*g = (struct field){ .key = keep[i].key, .type = F_STR,
			    .flags = F_NULL };
		g->flags = keep[i].flags | (g->flags & F_NULL);
	}
}

const char *
verdict_name(enum verdict v)
{
	return v == VERDICT_OK ? "ok" : v == VERDICT_RACE ? "race" : "fail";
}

const char *
mode_name(enum mode m)
{
	return m == MODE_THREAD ? "thread" : m == MODE_PROCESS ? "process" :
	    m == MODE_COOP ? "coop" : m == MODE_MPI ? "mpi" : "both";
}
