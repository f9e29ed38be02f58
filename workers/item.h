/*
 * item.h - the numbered items of the queue demo and of the bench's baselines.
 *
 * An item's first 8 bytes carry its number; the rest is a pattern derived
 * from that number, checked on arrival, so an item copied half old and half
 * new (torn) is caught, not only a lost or repeated one.
 */
#ifndef WORKERS_ITEM_H
#define WORKERS_ITEM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ITEM_MIN	8		/* bytes: the number */
#define ITEM_MAX	65536

/* splitmix64's finaliser: a checksum term that a lost or repeated item changes. */
static inline uint64_t
item_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The pattern's word j (j >= 1) of item n. */
static inline uint64_t
item_word(uint64_t seed, size_t j)
{
	return seed ^ ((uint64_t)j * 0x9e3779b97f4a7c15ULL);
}

static inline void
item_fill(unsigned char *p, size_t size, uint64_t n)
{
	uint64_t seed, w;
	size_t j;

	memcpy(p, &n, sizeof(n));
	if (size <= ITEM_MIN)
		return;		/* the number alone: no pattern to derive */
	seed = item_mix(n);
	for (j = 1; j < size / 8; j++) {
		w = item_word(seed, j);
		memcpy(p + 8 * j, &w, sizeof(w));
	}
	for (j = size / 8 * 8; j < size; j++)
		p[j] = (unsigned char)(seed >> (j % 8 * 8));
}

/* The item's number in *n; 0 if its pattern is whole, -1 if it is torn. */
static inline int
item_check(const unsigned char *p, size_t size, uint64_t *n)
{
	uint64_t seed, w, bad = 0;
	size_t j;

	memcpy(n, p, sizeof(*n));
	if (size <= ITEM_MIN)
		return 0;
	seed = item_mix(*n);
	for (j = 1; j < size / 8; j++) {
		memcpy(&w, p + 8 * j, sizeof(w));
		bad |= w ^ item_word(seed, j);
	}
	for (j = size / 8 * 8; j < size; j++)
		bad |= p[j] ^ (unsigned char)(seed >> (j % 8 * 8));
	return bad == 0 ? 0 : -1;
}

#endif /* WORKERS_ITEM_H */
