/*
 * test_strmap.c - unit tests of base/strmap: dense indexes in insertion
 * order, copied keys, growth to many thousands of keys, and long probe
 * chains from keys whose hashes share their low bits.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/strmap.h"

#include <setjmp.h>
#include <cmocka.h>

/* The structure's own invariants. */
static void check_map(const struct kt_strmap *m)
{
	size_t i, used = 0;

	if (!m->nr_slot) {
		assert_int_equal(m->nr, 0);
		return;
	}
	assert_int_equal(m->nr_slot & (m->nr_slot - 1), 0);
	assert_true(m->nr * 2 <= m->nr_slot);
	for (i = 0; i < m->nr_slot; i++)
		if (m->slot[i]) {
			assert_true(m->slot[i] <= m->nr);
			used++;
		}
	assert_int_equal(used, m->nr);
	for (i = 0; i < m->nr; i++)
		assert_true(m->hashes[i] == kt_hash_add(KT_HASH_INIT,
							m->keys[i],
							strlen(m->keys[i])));
}

static void test_empty(void **state)
{
	struct kt_strmap m;

	(void)state;
	kt_strmap_init(&m);
	check_map(&m);
	assert_true(kt_strmap_find(&m, "x") == KT_STRMAP_NONE);
	assert_true(kt_strmap_find(&m, "") == KT_STRMAP_NONE);
	kt_strmap_release(&m);
	kt_strmap_release(&m);
	check_map(&m);
}

static void test_intern(void **state)
{
	struct kt_strmap m;
	bool added = false;
	char key[16] = "mutable";

	(void)state;
	kt_strmap_init(&m);
	assert_int_equal(kt_strmap_intern(&m, "b", &added), 0);
	assert_true(added);
	assert_int_equal(kt_strmap_intern(&m, "a", &added), 1);
	assert_true(added);
	assert_int_equal(kt_strmap_intern(&m, "b", &added), 0);
	assert_false(added);
	/* the empty string is a key like any other */
	assert_int_equal(kt_strmap_intern(&m, "", &added), 2);
	assert_true(added);
	assert_int_equal(kt_strmap_intern(&m, "", NULL), 2);
	/* keys are compared whole, bytes as they are */
	assert_int_equal(kt_strmap_intern(&m, "B", NULL), 3);
	assert_int_equal(kt_strmap_intern(&m, "b ", NULL), 4);
	assert_int_equal(kt_strmap_intern(&m, "\xff\xfe", NULL), 5);
	/* the map keeps its own copy */
	assert_int_equal(kt_strmap_intern(&m, key, &added), 6);
	key[0] = 'M';
	assert_int_equal(kt_strmap_find(&m, "mutable"), 6);
	assert_true(kt_strmap_find(&m, key) == KT_STRMAP_NONE);
	assert_string_equal(m.keys[6], "mutable");

	assert_int_equal(m.nr, 7);
	assert_string_equal(m.keys[0], "b");
	assert_string_equal(m.keys[1], "a");
	assert_string_equal(m.keys[2], "");
	assert_int_equal(kt_strmap_find(&m, "a"), 1);
	assert_int_equal(kt_strmap_find(&m, "\xff\xfe"), 5);
	assert_true(kt_strmap_find(&m, "c") == KT_STRMAP_NONE);
	assert_true(kt_strmap_find(&m, "\xff") == KT_STRMAP_NONE);
	check_map(&m);

	/* release empties it; it can be filled again from index 0 */
	kt_strmap_release(&m);
	assert_true(kt_strmap_find(&m, "a") == KT_STRMAP_NONE);
	assert_int_equal(kt_strmap_intern(&m, "a", &added), 0);
	assert_true(added);
	kt_strmap_release(&m);
}

static void key_of(char *buf, size_t n, size_t i)
{
	snprintf(buf, n, "fn_%zu_%zx", i * 7919, i);
}

static void test_many(void **state)
{
	struct kt_strmap m;
	char key[64];
	bool added;
	size_t i, n = 60000;

	(void)state;
	kt_strmap_init(&m);
	for (i = 0; i < n; i++) {
		key_of(key, sizeof(key), i);
		assert_int_equal(kt_strmap_intern(&m, key, &added), i);
		assert_true(added);
		if ((i & (i + 1)) == 0)	/* at 2^k - 1 */
			check_map(&m);
	}
	check_map(&m);
	assert_int_equal(m.nr, n);
	for (i = 0; i < n; i++) {
		key_of(key, sizeof(key), i);
		assert_int_equal(kt_strmap_find(&m, key), i);
		assert_string_equal(m.keys[i], key);
		assert_int_equal(kt_strmap_intern(&m, key, &added), i);
		assert_false(added);
	}
	assert_int_equal(m.nr, n);
	for (i = n; i < n + 1000; i++) {
		key_of(key, sizeof(key), i);
		assert_true(kt_strmap_find(&m, key) == KT_STRMAP_NONE);
	}
	kt_strmap_release(&m);
}

/* Keys that differ only at the end of a long shared prefix. */
static void test_shared_prefix(void **state)
{
	struct kt_strmap m;
	char key[600];
	size_t i;

	(void)state;
	kt_strmap_init(&m);
	memset(key, 'p', 512);
	for (i = 0; i < 3000; i++) {
		snprintf(key + 512, sizeof(key) - 512, "%zu", i);
		assert_int_equal(kt_strmap_intern(&m, key, NULL), i);
	}
	/* a prefix of a key is not the key */
	key[512] = '\0';
	assert_true(kt_strmap_find(&m, key) == KT_STRMAP_NONE);
	for (i = 0; i < 3000; i++) {
		snprintf(key + 512, sizeof(key) - 512, "%zu", i);
		assert_int_equal(kt_strmap_find(&m, key), i);
	}
	check_map(&m);
	kt_strmap_release(&m);
}

/*
 * Keys whose hashes agree in their low 12 bits land on the same slot in
 * every table up to 4096 slots: one long probe chain.
 */
static void test_colliding(void **state)
{
	struct kt_strmap m;
	char (*key)[24] = calloc(64, sizeof(*key));
	uint64_t want = ~0ULL;
	size_t nr = 0, i;
	unsigned long c;

	(void)state;
	assert_non_null(key);
	for (c = 0; nr < 64; c++) {
		char k[24];
		uint64_t h;

		snprintf(k, sizeof(k), "k%lu", c);
		h = kt_hash_add(KT_HASH_INIT, k, strlen(k)) & 0xfff;
		if (want == ~0ULL)
			want = h;
		if (h == want)
			memcpy(key[nr++], k, sizeof(k));
	}
	kt_strmap_init(&m);
	for (i = 0; i < nr; i++)
		assert_int_equal(kt_strmap_intern(&m, key[i], NULL), i);
	/* other keys around them, interleaved */
	for (i = 0; i < 200; i++) {
		char k[24];

		snprintf(k, sizeof(k), "other%zu", i);
		kt_strmap_intern(&m, k, NULL);
	}
	check_map(&m);
	for (i = 0; i < nr; i++) {
		assert_int_equal(kt_strmap_find(&m, key[i]), i);
		assert_int_equal(kt_strmap_intern(&m, key[i], NULL), i);
	}
	assert_int_equal(m.nr, nr + 200);
	kt_strmap_release(&m);
	free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_shared_prefix),
		cmocka_unit_test(test_colliding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
