/*
 * explain.c - the "Code:" part of `shmsync explain DEMO`: the regions of
 * workers/ and ipc/ sources marked for the demo, each under its file:lines,
 * as the Makefile cut them out with launcher/explain.awk (build/explain_code.h,
 * generated, never committed), so what is shown is what is compiled.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"

struct explain_code {
	const char	*demo;
	const char	*title;		/* what the lines show */
	const char	*file;
	int		 first, last;	/* the lines, 1-based */
	const char	*text;		/* those lines, each ending in \n */
};

#include "explain_code.h"

/* The tabs every line of a region starts with: the region is shown without them. */
static size_t
common_tabs(const char *s)
{
	size_t n, min = SIZE_MAX;

	for (; *s != '\0'; s = strchr(s, '\n') + 1) {
		n = strspn(s, "\t");
		if (n < min && s[n] != '\n')
			min = n;
	}
	return min == SIZE_MAX ? 0 : min;
}

/* One source line, four columns in, its tabs expanded to 8-column stops. */
static void
put_line(FILE *f, const char *s, const char *end)
{
	int col = 0;

	fputs(s == end ? "" : "    ", f);
	for (; s < end; s++)
		if (*s == '\t')
			do
				fputc(' ', f);
			while (++col % 8 != 0);
		else {
			fputc(*s, f);
			col++;
		}
	fputc('\n', f);
}

/* Print the demo's regions under "Code:"; returns how many there were. */
int
explain_code_print(FILE *f, const char *demo)
{
	const struct explain_code *e;
	const char *s, *nl;
	size_t tabs;
	int n = 0;

	for (e = explain_code; e->demo != NULL; e++) {
		if (strcmp(e->demo, demo) != 0)
			continue;
		fprintf(f, "%s  %s:%d-%d: %s\n", n++ == 0 ? "\nCode:\n" : "\n",
		    e->file, e->first, e->last, e->title);
		tabs = common_tabs(e->text);
		for (s = e->text; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
			put_line(f, s + (nl - s > (ptrdiff_t)tabs ? tabs : 0), nl);
	}
	return n;
}
