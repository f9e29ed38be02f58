/*
 * graph.h - the crawler's web: a link graph made from a seed alone, so the
 * demo's check and the tests can each walk the same graph on their own.
 *
 * Page p has `links` links; link k goes to seed_mix(seed, p, k) mod pages.
 * Pages nobody links to (about e^-links of them) are unreachable from page
 * 0, as are the pages only they lead to.  See crawler.c, fault.c (seed_mix).
 */
#ifndef WORKERS_GRAPH_H
#define WORKERS_GRAPH_H

#include <stdint.h>

#include "worker.h"

/* Where link k of page p goes, in a web of `pages` pages. */
static inline uint32_t
graph_link(uint64_t seed, uint32_t pages, uint32_t p, unsigned k)
{
	return (uint32_t)(seed_mix(seed, p, k) % pages);
}

#endif /* WORKERS_GRAPH_H */
