/*
 * strmap.h - a string -> index hash map.
 *
 * Keys are copied (owned by the map); values are indexes into an array
 * the caller keeps, so the map stays small and the caller's records can
 * be any struct.  Open addressing with linear probing; the table doubles
 * at 50% load.  Insertion order is kept in keys[], so walking a map is
 * deterministic.
 */
#ifndef KT_STRMAP_H
#define KT_STRMAP_H

#include "base/compat.h"

#define KT_STRMAP_NONE ((size_t)-1)

struct kt_strmap {
	size_t *slot;		/* owned; index + 1, 0 for empty */
	size_t nr_slot;		/* power of two, or 0 */
	char **keys;		/* owned; keys[i] is the key of index i */
	uint64_t *hashes;	/* owned; hashes[i] of keys[i] */
	size_t nr, alloc;
};

void kt_strmap_init(struct kt_strmap *m);
void kt_strmap_release(struct kt_strmap *m);

/* The index of key, or KT_STRMAP_NONE. */
size_t kt_strmap_find(const struct kt_strmap *m, const char *key);
/*
 * The index of key, added as the next index when new (*added set).
 * Indexes are dense: 0, 1, 2, ... in insertion order.
 */
size_t kt_strmap_intern(struct kt_strmap *m, const char *key, bool *added);

#endif
