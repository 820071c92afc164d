/*
 * hash.h - the 64-bit hash behind event ids and fingerprints.
 *
 * FNV-1a: simple, fast enough for the few strings an event has, and its
 * values are part of the output contract, so it must never change.
 */
#ifndef KT_HASH_H
#define KT_HASH_H

#include "base/compat.h"

#define KT_HASH_INIT 0xcbf29ce484222325ULL

static inline uint64_t kt_hash_add(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Adds a string and a separator byte, so ("ab","c") != ("a","bc"). */
static inline uint64_t kt_hash_str(uint64_t h, const char *s)
{
	static const unsigned char sep = 0x1f;

	if (s)
		h = kt_hash_add(h, s, strlen(s));
	return kt_hash_add(h, &sep, 1);
}

/* Writes 16 lower-case hex digits and a NUL into out[17]. */
static inline void kt_hash_hex(uint64_t h, char out[17])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--) {
		out[i] = digits[h & 0xf];
		h >>= 4;
	}
	out[16] = '\0';
}

#endif
