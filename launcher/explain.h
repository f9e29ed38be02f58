/*
 * explain.h - the lines of C that `shmsync explain DEMO` shows, cut from
 * the sources at build time (launcher/explain.awk).  See explain.c.
 */
#ifndef LAUNCHER_EXPLAIN_H
#define LAUNCHER_EXPLAIN_H

#include <stdio.h>

int	explain_code_print(FILE *, const char *);

#endif
