/*
 * test_hash.c - unit tests of base/hash: FNV-1a 64 against the
 * published test vectors (event ids and fingerprints are part of the
 * output contract, so these values must never change), the string
 * separator and the hex form.
 */
#include "base/compat.h"
#include "base/hash.h"

#include <setjmp.h>
#include <cmocka.h>

static void test_vectors(void **state)
{
	(void)state;
	assert_true(KT_HASH_INIT == 0xcbf29ce484222325ULL);
	assert_true(kt_hash_add(KT_HASH_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(kt_hash_add(KT_HASH_INIT, NULL, 0) == KT_HASH_INIT);
	assert_true(kt_hash_add(KT_HASH_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(kt_hash_add(KT_HASH_INIT, "foobar", 6) ==
		    0x85944171f73967e8ULL);
	assert_true(kt_hash_add(KT_HASH_INIT, "\0", 1) ==
		    0xaf63bd4c8601b7dfULL);
	/* bytes are unsigned: 0xff is not sign-extended */
	assert_true(kt_hash_add(KT_HASH_INIT, "\xff\xff\xff", 3) ==
		    0xf998341be47bae14ULL);
	/* incremental == one shot */
	assert_true(kt_hash_add(kt_hash_add(KT_HASH_INIT, "foo", 3), "bar",
				3) == 0x85944171f73967e8ULL);
}

static void test_str(void **state)
{
	uint64_t h;

	(void)state;
	/* each string is followed by a 0x1f separator byte */
	assert_true(kt_hash_str(KT_HASH_INIT, "a") == 0x089be907b544fdc9ULL);
	assert_true(kt_hash_str(KT_HASH_INIT, "") == 0xaf63d24c8601db8eULL);
	/* NULL hashes like "" */
	assert_true(kt_hash_str(KT_HASH_INIT, NULL) ==
		    kt_hash_str(KT_HASH_INIT, ""));
	/* ("ab", "c") and ("a", "bc") differ */
	h = kt_hash_str(kt_hash_str(KT_HASH_INIT, "ab"), "c");
	assert_true(h == 0x0ab11b2f87ef04a1ULL);
	h = kt_hash_str(kt_hash_str(KT_HASH_INIT, "a"), "bc");
	assert_true(h == 0xcb31b5381b2a17abULL);
	/* a string stops at its NUL */
	assert_true(kt_hash_str(KT_HASH_INIT, "a\0b") ==
		    kt_hash_str(KT_HASH_INIT, "a"));
}

static void test_hex(void **state)
{
	char out[18];

	(void)state;
	memset(out, 'X', sizeof(out));
	kt_hash_hex(0, out);
	assert_string_equal(out, "0000000000000000");
	assert_int_equal(out[17], 'X');
	kt_hash_hex(UINT64_MAX, out);
	assert_string_equal(out, "ffffffffffffffff");
	kt_hash_hex(0x0123456789abcdefULL, out);
	assert_string_equal(out, "0123456789abcdef");
	kt_hash_hex(0xf, out);
	assert_string_equal(out, "000000000000000f");
	kt_hash_hex(0xf000000000000000ULL, out);
	assert_string_equal(out, "f000000000000000");
	kt_hash_hex(0x85944171f73967e8ULL, out);
	assert_string_equal(out, "85944171f73967e8");
	assert_int_equal(out[17], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
