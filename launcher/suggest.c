/*
 * suggest.c - "did you mean": the nearest of a list of words to a mistyped
 * one (optimal string alignment distance: edits and swaps of neighbours),
 * and counts written the way people write them (1e6, 1M, 10k).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WORD_MAX	32	/* longer words are never near */

/* Edits (insert, delete, change, swap two neighbours) from a to b. */
static int
distance(const char *a, const char *b)
{
	int d[WORD_MAX + 1][WORD_MAX + 1], i, j, la = (int)strlen(a),
	    lb = (int)strlen(b), c;

	if (la > WORD_MAX || lb > WORD_MAX)
		return INT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			c = d[i - 1][j] + 1 < c ? d[i - 1][j] + 1 : c;
			c = d[i][j - 1] + 1 < c ? d[i][j - 1] + 1 : c;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/* The word of words (n of them, or up to NULL) nearest to typo, if near enough; else NULL. */
const char *
suggest(const char *typo, const char *const *words, int n)
{
	const char *best = NULL;
	int i, d, bestd = INT_MAX, limit;

	limit = strlen(typo) <= 4 ? 1 : strlen(typo) <= 8 ? 2 : 3;
	for (i = 0; (n < 0 ? words[i] != NULL : i < n); i++)
		if ((d = distance(typo, words[i])) < bestd) {
			bestd = d;
			best = words[i];
		}
	return bestd <= limit ? best : NULL;
}

/* " (did you mean '--x'?)" with pre "--", or "" if nothing is near. */
const char *
did_you_mean(const char *typo, const char *const *words, int n, const char *pre)
{
	static char buf[96];
	const char *s = suggest(typo, words, n);

	if (s == NULL)
		return "";
	snprintf(buf, sizeof(buf), " (did you mean '%s%s'?)", pre, s);
	return buf;
}

/* "1..2^63-1" for people: the largest bound as a power of two less one. */
void
bounds(long long min, long long max, char *buf, size_t len)
{
	if (max == LLONG_MAX)
		snprintf(buf, len, "%lld..2^63-1", min);
	else
		snprintf(buf, len, "%lld..%lld", min, max);
}

/*
 * A count as people write it: digits, with k, M or G (10^3, 10^6, 10^9),
 * or 1e6, 2.5e3, 1.5M when the value is whole.  strtonum's contract: the
 * value, or 0 with *errstr "invalid", "too small" or "too large".
 */
long long
parse_count(const char *s, long long min, long long max, const char **errstr)
{
	long double v, scale = 1;
	char *end;

	*errstr = NULL;
	if (strpbrk(s, ".eEkKMG") == NULL)
		return strtonum(s, min, max, errstr);
	errno = 0;
	v = strtold(s, &end);
	if (end == s || errno == ERANGE || !isfinite((double)v))
		return *errstr = "invalid", 0;
	if (*end == 'k' || *end == 'K')
		scale = 1e3L, end++;
	else if (*end == 'M')
		scale = 1e6L, end++;
	else if (*end == 'G')
		scale = 1e9L, end++;
	v *= scale;
	if (*end != '\0')
		return *errstr = "invalid", 0;
	if (v > 9.2e18L || v < -9.2e18L)
		return *errstr = v > 0 ? "too large" : "too small", 0;
	if (v != (long double)(long long)v)
		return *errstr = "invalid", 0;
	if ((long long)v < min)
		return *errstr = "too small", 0;
	if ((long long)v > max)
		return *errstr = "too large", 0;
	return (long long)v;
}
