/*
 * registry.c - the table of demos, generated from workers.def.
 *
 * Adding a demo is one file defining `const struct worker worker_NAME` and
 * one WORKER(NAME) line in workers.def, as tmux's cmd_table does it.
 */
#include <stddef.h>
#include <string.h>

#include "worker.h"

const struct worker *const workers[] = {
#define WORKER(n)	&worker_##n,
#include "workers.def"
#undef WORKER
	NULL
};

const enum mode run_modes[3] = { MODE_THREAD, MODE_PROCESS, MODE_COOP };

const struct worker *
worker_find(const char *name)
{
	const struct worker *const *w;

	for (w = workers; *w != NULL; w++)
		if (strcmp((*w)->name, name) == 0)
			return *w;
	return NULL;
}

/* The index of option name in w->opts, or -1. */
int
worker_opt(const struct worker *w, const char *name)
{
	int i;

	for (i = 0; w->opts[i].name != NULL; i++)
		if (strcmp(w->opts[i].name, name) == 0)
			return i;
	return -1;
}
