/*
 * test_parse.c - unit tests of base/parse: the checked number parsers.
 *
 * Each parser must stop at end (the text is not terminated), advance the
 * cursor only on success, and tell "no number" (KT_ERR_PARSE) from "does
 * not fit" (KT_ERR_RANGE) exactly at the type limits.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/parse.h"

#include <setjmp.h>
#include <cmocka.h>

/* Runs kt_parse_u64 on s; *used gets the bytes consumed, or -1. */
static int u64(const char *s, uint64_t *out, int *used)
{
	const char *p = s;
	int rc = kt_parse_u64(&p, s + strlen(s), out);

	*used = rc ? -1 : (int)(p - s);
	if (rc)
		assert_ptr_equal(p, s);
	return rc;
}

static int i64(const char *s, int64_t *out, int *used)
{
	const char *p = s;
	int rc = kt_parse_i64(&p, s + strlen(s), out);

	*used = rc ? -1 : (int)(p - s);
	if (rc)
		assert_ptr_equal(p, s);
	return rc;
}

static int hex(const char *s, uint64_t *out, int *used)
{
	const char *p = s;
	int rc = kt_parse_hex(&p, s + strlen(s), out);

	*used = rc ? -1 : (int)(p - s);
	if (rc)
		assert_ptr_equal(p, s);
	return rc;
}

static int dec_us(const char *s, int64_t *out, int *used)
{
	const char *p = s;
	int rc = kt_parse_decimal_us(&p, s + strlen(s), out);

	*used = rc ? -1 : (int)(p - s);
	if (rc)
		assert_ptr_equal(p, s);
	return rc;
}

static void test_u64(void **state)
{
	uint64_t v = 7;
	int used;

	(void)state;
	assert_int_equal(u64("0", &v, &used), 0);
	assert_int_equal(v, 0);
	assert_int_equal(used, 1);
	assert_int_equal(u64("000123abc", &v, &used), 0);
	assert_int_equal(v, 123);
	assert_int_equal(used, 6);
	assert_int_equal(u64("18446744073709551615", &v, &used), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(used, 20);
	/* leading zeros do not count against the range */
	assert_int_equal(u64("000000000000000000000018446744073709551615 ", &v,
			     &used), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(used, 42);

	v = 7;
	assert_int_equal(u64("18446744073709551616", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(u64("18446744073709551620", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(u64("99999999999999999999", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(u64("184467440737095516150", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(v, 7);
	assert_int_equal(u64("", &v, &used), KT_ERR_PARSE);
	assert_int_equal(u64("-1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(u64("+1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(u64(" 1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(u64("x1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(u64("\xd9\xa1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(v, 7);
}

/* The parser never reads at or past end. */
static void test_u64_end(void **state)
{
	char buf[8] = "12345678";	/* not terminated */
	const char *p = buf;
	uint64_t v;

	(void)state;
	assert_int_equal(kt_parse_u64(&p, buf + 3, &v), 0);
	assert_int_equal(v, 123);
	assert_ptr_equal(p, buf + 3);
	/* an empty range is no number, even with digits behind it */
	p = buf;
	assert_int_equal(kt_parse_u64(&p, buf, &v), KT_ERR_PARSE);
	assert_ptr_equal(p, buf);
	p = buf;
	assert_int_equal(kt_parse_u64(&p, buf + 8, &v), 0);
	assert_int_equal(v, 12345678);
	/* a cursor already past end */
	p = buf + 5;
	assert_int_equal(kt_parse_u64(&p, buf + 4, &v), KT_ERR_PARSE);
	assert_ptr_equal(p, buf + 5);
}

static void test_i64(void **state)
{
	int64_t v = 7;
	int used;

	(void)state;
	assert_int_equal(i64("9223372036854775807", &v, &used), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(i64("+9223372036854775807", &v, &used), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(used, 20);
	assert_int_equal(i64("-9223372036854775808", &v, &used), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(used, 20);
	assert_int_equal(i64("-0", &v, &used), 0);
	assert_int_equal(v, 0);
	assert_int_equal(i64("-12-3", &v, &used), 0);
	assert_int_equal(v, -12);
	assert_int_equal(used, 3);

	v = 7;
	assert_int_equal(i64("9223372036854775808", &v, &used), KT_ERR_RANGE);
	assert_int_equal(i64("-9223372036854775809", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(i64("18446744073709551615", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(i64("-18446744073709551616", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(i64("-", &v, &used), KT_ERR_PARSE);
	assert_int_equal(i64("+", &v, &used), KT_ERR_PARSE);
	assert_int_equal(i64("--1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(i64("+-1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(i64("- 1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(i64("", &v, &used), KT_ERR_PARSE);
	assert_int_equal(v, 7);

	/* a sign at the very end of the range */
	{
		const char *s = "-5", *p = s;

		assert_int_equal(kt_parse_i64(&p, s + 1, &v), KT_ERR_PARSE);
		assert_ptr_equal(p, s);
	}
}

static void test_hex(void **state)
{
	uint64_t v = 7;
	int used;

	(void)state;
	assert_int_equal(hex("ffffffffffffffff", &v, &used), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hex("0xFFFFFFFFFFFFFFFF", &v, &used), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(used, 18);
	assert_int_equal(hex("0X00000000000000000000001aB", &v, &used), 0);
	assert_int_equal(v, 0x1ab);
	assert_int_equal(hex("deadbeefg", &v, &used), 0);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(used, 8);
	/* "0x" without digits is the number 0 followed by "x" */
	assert_int_equal(hex("0x", &v, &used), 0);
	assert_int_equal(v, 0);
	assert_int_equal(used, 1);
	assert_int_equal(hex("0xg", &v, &used), 0);
	assert_int_equal(used, 1);
	assert_int_equal(hex("0", &v, &used), 0);
	assert_int_equal(v, 0);

	v = 7;
	assert_int_equal(hex("10000000000000000", &v, &used), KT_ERR_RANGE);
	assert_int_equal(hex("0x1ffffffffffffffff", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(hex("", &v, &used), KT_ERR_PARSE);
	assert_int_equal(hex("x1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(hex("g", &v, &used), KT_ERR_PARSE);
	assert_int_equal(hex("-1", &v, &used), KT_ERR_PARSE);
	assert_int_equal(v, 7);

	/* the 0x prefix is not taken when end cuts the digits off */
	{
		const char *s = "0x5", *p = s;

		assert_int_equal(kt_parse_hex(&p, s + 2, &v), 0);
		assert_int_equal(v, 0);
		assert_ptr_equal(p, s + 1);
	}
}

static void test_digits(void **state)
{
	const char *s = "2025-11-24", *p = s;
	int v = -1;

	(void)state;
	assert_int_equal(kt_parse_digits(&p, s + 10, 4, &v), 0);
	assert_int_equal(v, 2025);
	assert_ptr_equal(p, s + 4);
	/* "-1" is not two digits */
	assert_int_equal(kt_parse_digits(&p, s + 10, 2, &v), KT_ERR_PARSE);
	assert_ptr_equal(p, s + 4);
	p++;
	assert_int_equal(kt_parse_digits(&p, s + 10, 2, &v), 0);
	assert_int_equal(v, 11);
	/* too few bytes before end */
	p = s + 8;
	assert_int_equal(kt_parse_digits(&p, s + 9, 2, &v), KT_ERR_PARSE);
	assert_ptr_equal(p, s + 8);
	/* n out of range: 0, negative, more than 9 */
	p = "1234567890";
	assert_int_equal(kt_parse_digits(&p, p + 10, 0, &v), KT_ERR_PARSE);
	assert_int_equal(kt_parse_digits(&p, p + 10, -1, &v), KT_ERR_PARSE);
	assert_int_equal(kt_parse_digits(&p, p + 10, 10, &v), KT_ERR_PARSE);
	assert_int_equal(kt_parse_digits(&p, p + 10, 9, &v), 0);
	assert_int_equal(v, 123456789);
	p = "999999999";
	assert_int_equal(kt_parse_digits(&p, p + 9, 9, &v), 0);
	assert_int_equal(v, 999999999);
	p = "+1";
	assert_int_equal(kt_parse_digits(&p, p + 2, 2, &v), KT_ERR_PARSE);
}

static void test_decimal_us(void **state)
{
	int64_t v = 7;
	int used;

	(void)state;
	assert_int_equal(dec_us("772.918915]", &v, &used), 0);
	assert_int_equal(v, 772918915);
	assert_int_equal(used, 10);
	assert_int_equal(dec_us("0.000001", &v, &used), 0);
	assert_int_equal(v, 1);
	assert_int_equal(dec_us("5", &v, &used), 0);
	assert_int_equal(v, 5000000);
	assert_int_equal(dec_us("1.5", &v, &used), 0);
	assert_int_equal(v, 1500000);
	/* digits past microseconds are consumed and dropped */
	assert_int_equal(dec_us("1.1234569999 s", &v, &used), 0);
	assert_int_equal(v, 1123456);
	assert_int_equal(used, 12);
	assert_int_equal(dec_us("3.00000000000000000000000009", &v, &used),
			 0);
	assert_int_equal(v, 3000000);
	assert_int_equal(dec_us("1..5", &v, &used), KT_ERR_PARSE);
	assert_int_equal(dec_us("1.", &v, &used), KT_ERR_PARSE);
	assert_int_equal(dec_us("1.x", &v, &used), KT_ERR_PARSE);
	assert_int_equal(dec_us(".5", &v, &used), KT_ERR_PARSE);
	assert_int_equal(dec_us("-1.5", &v, &used), KT_ERR_PARSE);
	assert_int_equal(dec_us("", &v, &used), KT_ERR_PARSE);

	/* the limits: INT64_MAX microseconds and one past it */
	assert_int_equal(dec_us("9223372036854.775807", &v, &used), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(dec_us("9223372036854.775", &v, &used), 0);
	assert_true(v == INT64_MAX - 807);
	assert_int_equal(dec_us("9223372036854", &v, &used), 0);
	assert_true(v == 9223372036854000000LL);
	v = 7;
	assert_int_equal(dec_us("9223372036854.775808", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(dec_us("9223372036854.999999", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(dec_us("9223372036854.8", &v, &used), KT_ERR_RANGE);
	assert_int_equal(dec_us("9223372036855", &v, &used), KT_ERR_RANGE);
	assert_int_equal(dec_us("18446744073709551615.5", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(dec_us("18446744073709551616", &v, &used),
			 KT_ERR_RANGE);
	assert_int_equal(v, 7);

	/* end between the dot and the fraction */
	{
		const char *s = "12.5", *p = s;

		assert_int_equal(kt_parse_decimal_us(&p, s + 3, &v),
				 KT_ERR_PARSE);
		assert_ptr_equal(p, s);
		assert_int_equal(kt_parse_decimal_us(&p, s + 2, &v), 0);
		assert_int_equal(v, 12000000);
		assert_ptr_equal(p, s + 2);
	}
}

static void test_whole_string(void **state)
{
	uint64_t u = 7;
	int64_t i = 7;

	(void)state;
	assert_int_equal(kt_str_to_u64(KT_STR_LIT("42"), &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(kt_str_to_u64(KT_STR_LIT("42 "), &u), KT_ERR_PARSE);
	assert_int_equal(kt_str_to_u64(KT_STR_LIT(" 42"), &u), KT_ERR_PARSE);
	assert_int_equal(kt_str_to_u64(KT_STR_LIT("42x"), &u), KT_ERR_PARSE);
	assert_int_equal(kt_str_to_u64(KT_STR_LIT(""), &u), KT_ERR_PARSE);
	assert_int_equal(kt_str_to_u64(kt_str_make("42\0001", 4), &u),
			 KT_ERR_PARSE);
	/* a slice ends where it says, whatever follows in memory */
	assert_int_equal(kt_str_to_u64(kt_str_make("4217", 2), &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(kt_str_to_u64(KT_STR_LIT("18446744073709551616"),
				       &u), KT_ERR_RANGE);

	assert_int_equal(kt_str_to_i64(KT_STR_LIT("-9223372036854775808"),
				       &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(kt_str_to_i64(KT_STR_LIT("-9223372036854775809"),
				       &i), KT_ERR_RANGE);
	assert_int_equal(kt_str_to_i64(KT_STR_LIT("-1-"), &i), KT_ERR_PARSE);
	assert_int_equal(kt_str_to_i64(KT_STR_LIT("-"), &i), KT_ERR_PARSE);

	u = 7;
	assert_int_equal(kt_cstr_to_u64("10", 1, 10, &u), 0);
	assert_int_equal(u, 10);
	assert_int_equal(kt_cstr_to_u64("1", 1, 10, &u), 0);
	assert_int_equal(u, 1);
	u = 7;
	assert_int_equal(kt_cstr_to_u64("11", 1, 10, &u), KT_ERR_RANGE);
	assert_int_equal(kt_cstr_to_u64("0", 1, 10, &u), KT_ERR_RANGE);
	assert_int_equal(kt_cstr_to_u64("1e3", 1, 10000, &u), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_u64("", 0, 10, &u), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_u64("99999999999999999999", 0, UINT64_MAX,
					 &u), KT_ERR_RANGE);
	assert_int_equal(u, 7);
	assert_int_equal(kt_cstr_to_u64("18446744073709551615", 0, UINT64_MAX,
					 &u), 0);
	assert_true(u == UINT64_MAX);
}

/* Every value round-trips through text. */
static void test_duration(void **state)
{
	int64_t us = -1;

	(void)state;
	assert_int_equal(kt_cstr_to_duration_us("10m", &us), 0);
	assert_int_equal(us, 600 * INT64_C(1000000));
	assert_int_equal(kt_cstr_to_duration_us("1.5s", &us), 0);
	assert_int_equal(us, 1500000);
	assert_int_equal(kt_cstr_to_duration_us("250ms", &us), 0);
	assert_int_equal(us, 250000);
	assert_int_equal(kt_cstr_to_duration_us("30", &us), 0);
	assert_int_equal(us, 30000000);
	assert_int_equal(kt_cstr_to_duration_us("0", &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(kt_cstr_to_duration_us("2w", &us), 0);
	assert_int_equal(us, 14 * 86400 * INT64_C(1000000));
	assert_int_equal(kt_cstr_to_duration_us("0.5h", &us), 0);
	assert_int_equal(us, 1800 * INT64_C(1000000));
	us = 7;
	assert_int_equal(kt_cstr_to_duration_us("", &us), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_duration_us("m", &us), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_duration_us("10 m", &us), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_duration_us("10y", &us), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_duration_us("-1s", &us), KT_ERR_PARSE);
	assert_int_equal(kt_cstr_to_duration_us("99999999999999w", &us),
			 KT_ERR_RANGE);
	assert_int_equal(us, 7);
}

static void test_roundtrip(void **state)
{
	static const uint64_t vals[] = {
		0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u,
		1844674407370955161ULL, 1844674407370955162ULL,
		(uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX - 1,
		UINT64_MAX,
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(vals); i++) {
		uint64_t u;
		int64_t s;

		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)vals[i]);
		assert_int_equal(kt_str_to_u64(kt_str_cstr(buf), &u), 0);
		assert_true(u == vals[i]);
		snprintf(buf, sizeof(buf), "%llx", (unsigned long long)vals[i]);
		{
			const char *p = buf;

			assert_int_equal(kt_parse_hex(&p, buf + strlen(buf),
						      &u), 0);
			assert_true(u == vals[i]);
		}
		if (vals[i] <= (uint64_t)INT64_MAX) {
			snprintf(buf, sizeof(buf), "-%llu",
				 (unsigned long long)vals[i]);
			assert_int_equal(kt_str_to_i64(kt_str_cstr(buf), &s),
					 0);
			assert_true(s == -(int64_t)vals[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u64_end),
		cmocka_unit_test(test_i64),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_decimal_us),
		cmocka_unit_test(test_whole_string),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
