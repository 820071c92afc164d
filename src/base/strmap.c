/*
 * strmap.c - string -> dense index hash map (see strmap.h).
 *
 * Used wherever records are grouped by a name: statistics by function,
 * by process, by fingerprint.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/strmap.h"
#include "base/xalloc.h"

void kt_strmap_init(struct kt_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void kt_strmap_release(struct kt_strmap *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->hashes);
	free(m->slot);
	kt_strmap_init(m);
}

static uint64_t hash_of(const char *key)
{
	return kt_hash_add(KT_HASH_INIT, key, strlen(key));
}

static size_t probe(const struct kt_strmap *m, const char *key, uint64_t h)
{
	size_t mask = m->nr_slot - 1, i = (size_t)h & mask;

	while (m->slot[i]) {
		size_t idx = m->slot[i] - 1;

		if (m->hashes[idx] == h && !strcmp(m->keys[idx], key))
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

size_t kt_strmap_find(const struct kt_strmap *m, const char *key)
{
	size_t i;

	if (!m->nr_slot)
		return KT_STRMAP_NONE;
	i = probe(m, key, hash_of(key));
	return m->slot[i] ? m->slot[i] - 1 : KT_STRMAP_NONE;
}

static void grow(struct kt_strmap *m)
{
	size_t n = m->nr_slot ? st_mult(m->nr_slot, 2) : 16, i;

	free(m->slot);
	m->slot = xcalloc(n, sizeof(*m->slot));
	m->nr_slot = n;
	for (i = 0; i < m->nr; i++)
		m->slot[probe(m, m->keys[i], m->hashes[i])] = i + 1;
}

size_t kt_strmap_intern(struct kt_strmap *m, const char *key, bool *added)
{
	uint64_t h = hash_of(key);
	size_t i, old_alloc = m->alloc;

	if (added)
		*added = false;
	if (m->nr_slot) {
		i = probe(m, key, h);
		if (m->slot[i])
			return m->slot[i] - 1;
	}
	if ((m->nr + 1) * 2 > m->nr_slot)
		grow(m);
	ALLOC_GROW(m->keys, m->nr + 1, m->alloc);
	if (m->alloc != old_alloc)
		m->hashes = xrealloc(m->hashes,
				     st_mult(m->alloc, sizeof(*m->hashes)));
	m->keys[m->nr] = xstrdup(key);
	m->hashes[m->nr] = h;
	m->slot[probe(m, key, h)] = m->nr + 1;
	if (added)
		*added = true;
	return m->nr++;
}
