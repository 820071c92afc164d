/*
 * test_timeutil.c - unit tests of base/timeutil: proleptic Gregorian
 * day numbers (leap years, century rules), month and weekday names,
 * local time to UTC through the per-hour offset cache with TZ set to
 * POSIX rules (no tzdata needed), and RFC 3339 formatting.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include <time.h>

#include <setjmp.h>
#include <cmocka.h>

#define US 1000000LL

static void set_tz(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

static int restore_utc(void **state)
{
	(void)state;
	set_tz("UTC");
	return 0;
}

static void test_days_from_civil(void **state)
{
	static const struct {
		int64_t y;
		unsigned m, d;
		int64_t days;
	} t[] = {
		{ 1970, 1, 1, 0 },
		{ 1969, 12, 31, -1 },
		{ 2024, 2, 29, 19782 },
		{ 2024, 3, 1, 19783 },
		{ 2023, 3, 1, 19417 },
		{ 2000, 2, 29, 11016 },
		{ 2000, 3, 1, 11017 },
		{ 1900, 3, 1, -25508 },
		{ 2100, 3, 1, 47541 },
		{ 1600, 2, 29, -135081 },
		{ 1, 1, 1, -719162 },
		{ 9999, 12, 31, 2932896 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(t); i++)
		assert_int_equal(kt_days_from_civil(t[i].y, t[i].m, t[i].d),
				 t[i].days);
	/* 1900 and 2100 have no Feb 29: the 29th is the next day */
	assert_int_equal(kt_days_from_civil(1900, 2, 28) + 1,
			 kt_days_from_civil(1900, 3, 1));
	assert_int_equal(kt_days_from_civil(2100, 2, 28) + 1,
			 kt_days_from_civil(2100, 3, 1));
	assert_int_equal(kt_days_from_civil(2024, 2, 28) + 2,
			 kt_days_from_civil(2024, 3, 1));
	/* 400 years are 146097 days, across year 0 too */
	assert_int_equal(kt_days_from_civil(2400, 1, 1) -
			 kt_days_from_civil(2000, 1, 1), 146097);
	assert_int_equal(kt_days_from_civil(200, 5, 17) -
			 kt_days_from_civil(-200, 5, 17), 146097);
}

static void test_civil_roundtrip(void **state)
{
	int64_t z, y, py = 0;
	unsigned m, d, pm = 0, pd = 0;

	(void)state;
	kt_civil_from_days(19782, &y, &m, &d);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	kt_civil_from_days(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	/* every day from 1599 to 2401: round trip, and consecutive */
	for (z = -135500; z <= 157000; z++) {
		kt_civil_from_days(z, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		if (kt_days_from_civil(y, m, d) != z)
			fail_msg("day %lld -> %lld-%u-%u", (long long)z,
				 (long long)y, m, d);
		if (z > -135500 && !(d == pd + 1 && m == pm && y == py) &&
		    !(d == 1 && (m == pm + 1 || (m == 1 && pm == 12 &&
						 y == py + 1))))
			fail_msg("%lld-%u-%u after %lld-%u-%u", (long long)y,
				 m, d, (long long)py, pm, pd);
		py = y;
		pm = m;
		pd = d;
	}
	/* far away in both directions */
	kt_civil_from_days(-106751992, &y, &m, &d);
	assert_int_equal(y, -290308);
	kt_civil_from_days(kt_days_from_civil(-4713, 11, 24), &y, &m, &d);
	assert_int_equal(y, -4713);
	assert_int_equal(m, 11);
	assert_int_equal(d, 24);
}

static void test_abbr(void **state)
{
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	static const char *const wday[] = {
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 12; i++)
		assert_int_equal(kt_month_from_abbr(mon[i]), (int)i + 1);
	for (i = 0; i < 7; i++)
		assert_int_equal(kt_weekday_from_abbr(wday[i]), (int)i + 1);
	/* only the first three bytes count */
	assert_int_equal(kt_month_from_abbr("Junk"), 6);
	assert_int_equal(kt_weekday_from_abbr("Sunday"), 7);
	assert_int_equal(kt_month_from_abbr("jan"), 0);
	assert_int_equal(kt_month_from_abbr("JAN"), 0);
	assert_int_equal(kt_month_from_abbr("Ja"), 0);
	assert_int_equal(kt_month_from_abbr("J"), 0);
	assert_int_equal(kt_month_from_abbr(""), 0);
	assert_int_equal(kt_month_from_abbr("Mon"), 0);
	assert_int_equal(kt_weekday_from_abbr("Jan"), 0);
	assert_int_equal(kt_weekday_from_abbr("mon"), 0);
	assert_int_equal(kt_weekday_from_abbr(""), 0);
	assert_int_equal(kt_month_from_abbr("\xff\xfe\xfd"), 0);
}

static void test_utc_us(void **state)
{
	(void)state;
	assert_int_equal(kt_utc_us(1970, 1, 1, 0, 0, 0, 0), 0);
	assert_int_equal(kt_utc_us(2025, 11, 24, 8, 21, 8, 123456),
			 1763972468123456LL);
	assert_int_equal(kt_utc_us(2024, 2, 29, 23, 59, 59, 999999),
			 (19782 * 86400LL + 86399) * US + 999999);
	assert_int_equal(kt_utc_us(1969, 12, 31, 23, 59, 59, 999999), -1);
	/* a leap second is the first second of the next day */
	assert_int_equal(kt_utc_us(2016, 12, 31, 23, 59, 60, 0),
			 kt_utc_us(2017, 1, 1, 0, 0, 0, 0));
}

static void check_local(struct kt_tzcache *tc, int64_t y, unsigned mon,
			unsigned day, unsigned h, unsigned min, unsigned s,
			int64_t us, int64_t want)
{
	int64_t got = kt_local_to_utc_us(tc, y, mon, day, h, min, s, us);

	if (got != want)
		fail_msg("%lld-%02u-%02u %02u:%02u:%02u: got %lld, want %lld "
			 "(%+lld s)", (long long)y, mon, day, h, min, s,
			 (long long)got, (long long)want,
			 (long long)(got - want) / US);
}

static void test_local_utc(void **state)
{
	struct kt_tzcache tc;

	(void)state;
	set_tz("UTC");
	kt_tzcache_init(&tc);
	assert_int_equal(tc.key, -1);
	check_local(&tc, 2024, 2, 29, 12, 34, 56, 789,
		    kt_utc_us(2024, 2, 29, 12, 34, 56, 789));
	check_local(&tc, 1970, 1, 1, 0, 0, 0, 0, 0);
}

/* Central Europe: +1 in winter, +2 from the last Sunday of March 02:00
 * to the last Sunday of October 03:00. */
static void test_local_cet(void **state)
{
	struct kt_tzcache tc;

	(void)state;
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	kt_tzcache_init(&tc);
	check_local(&tc, 2024, 1, 15, 12, 0, 0, 0,
		    kt_utc_us(2024, 1, 15, 11, 0, 0, 0));
	check_local(&tc, 2024, 7, 1, 12, 0, 0, 5,
		    kt_utc_us(2024, 7, 1, 10, 0, 0, 5));
	/* Feb 29 of a leap year, and midnight into the previous UTC day */
	check_local(&tc, 2024, 2, 29, 0, 30, 0, 0,
		    kt_utc_us(2024, 2, 28, 23, 30, 0, 0));
	check_local(&tc, 2024, 1, 1, 0, 0, 0, 0,
		    kt_utc_us(2023, 12, 31, 23, 0, 0, 0));
	/* both sides of the spring gap (2024-03-31 02:00 -> 03:00) */
	check_local(&tc, 2024, 3, 31, 1, 59, 59, 999999,
		    kt_utc_us(2024, 3, 31, 0, 59, 59, 999999));
	check_local(&tc, 2024, 3, 31, 3, 0, 0, 0,
		    kt_utc_us(2024, 3, 31, 1, 0, 0, 0));
	/* both sides of the autumn fold (2024-10-27 03:00 -> 02:00) */
	check_local(&tc, 2024, 10, 27, 1, 59, 0, 0,
		    kt_utc_us(2024, 10, 26, 23, 59, 0, 0));
	check_local(&tc, 2024, 10, 27, 3, 0, 0, 0,
		    kt_utc_us(2024, 10, 27, 2, 0, 0, 0));
	/* the ambiguous hour is one of its two readings */
	{
		int64_t t = kt_local_to_utc_us(&tc, 2024, 10, 27, 2, 30, 0, 0);

		assert_true(t == kt_utc_us(2024, 10, 27, 0, 30, 0, 0) ||
			    t == kt_utc_us(2024, 10, 27, 1, 30, 0, 0));
	}
	/* going back to an hour seen before still gives its own offset */
	check_local(&tc, 2024, 1, 15, 12, 59, 59, 0,
		    kt_utc_us(2024, 1, 15, 11, 59, 59, 0));
	check_local(&tc, 2024, 7, 1, 12, 1, 0, 0,
		    kt_utc_us(2024, 7, 1, 10, 1, 0, 0));
}

/* A cached hour serves every minute of it, and only that hour. */
static void test_local_cache(void **state)
{
	struct kt_tzcache tc;
	unsigned h, min;

	(void)state;
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	kt_tzcache_init(&tc);
	for (h = 0; h < 24; h++)
		for (min = 0; min < 60; min += 7) {
			/* 2024-03-10: EST until 02:00, EDT from 03:00 */
			int64_t off = h < 2 ? 5 : 4;

			if (h == 2)
				continue;
			check_local(&tc, 2024, 3, 10, h, min, 30, 0,
				    kt_utc_us(2024, 3, 10, h, min, 30, 0) +
				    off * 3600 * US);
		}
	/* the same hour of another day is another key */
	check_local(&tc, 2024, 3, 9, 23, 0, 0, 0,
		    kt_utc_us(2024, 3, 10, 4, 0, 0, 0));
	check_local(&tc, 2024, 3, 11, 23, 0, 0, 0,
		    kt_utc_us(2024, 3, 12, 3, 0, 0, 0));
	/* a cache keeps its zone until it is initialised again */
	set_tz("UTC");
	check_local(&tc, 2024, 3, 11, 23, 10, 0, 0,
		    kt_utc_us(2024, 3, 12, 3, 10, 0, 0));
	kt_tzcache_init(&tc);
	check_local(&tc, 2024, 3, 11, 23, 10, 0, 0,
		    kt_utc_us(2024, 3, 11, 23, 10, 0, 0));
}

/* Zones whose offset is not whole hours. */
static void test_local_odd_offsets(void **state)
{
	struct kt_tzcache tc;

	(void)state;
	set_tz("IST-5:30");
	kt_tzcache_init(&tc);
	check_local(&tc, 2024, 2, 29, 12, 0, 0, 0,
		    kt_utc_us(2024, 2, 29, 6, 30, 0, 0));
	check_local(&tc, 2024, 3, 1, 3, 0, 0, 0,
		    kt_utc_us(2024, 2, 29, 21, 30, 0, 0));
	set_tz("<+0545>-5:45");
	kt_tzcache_init(&tc);
	check_local(&tc, 2024, 6, 1, 0, 10, 0, 0,
		    kt_utc_us(2024, 5, 31, 18, 25, 0, 0));
	set_tz("<-0330>3:30");
	kt_tzcache_init(&tc);
	check_local(&tc, 2024, 12, 31, 22, 45, 0, 0,
		    kt_utc_us(2025, 1, 1, 2, 15, 0, 0));
}

static void test_local_year_month(void **state)
{
	int64_t y;
	unsigned m;

	(void)state;
	set_tz("UTC");
	kt_local_year_month(0, &y, &m);
	assert_int_equal(y, 1970);
	assert_int_equal(m, 1);
	/* 2024-02-29 23:59:59Z */
	kt_local_year_month(1709251199, &y, &m);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	set_tz("EST5");
	kt_local_year_month(0, &y, &m);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	set_tz("JST-9");
	kt_local_year_month(1709251199, &y, &m);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 3);
}

static void check_fmt(int64_t us, bool frac, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "at ");
	kt_time_format(&sb, us, frac);
	assert_string_equal(sb.buf + 3, want);
	strbuf_release(&sb);
}

static void test_format(void **state)
{
	(void)state;
	check_fmt(0, false, "1970-01-01T00:00:00Z");
	check_fmt(0, true, "1970-01-01T00:00:00Z");
	check_fmt(1, true, "1970-01-01T00:00:00.000001Z");
	check_fmt(1, false, "1970-01-01T00:00:00Z");
	check_fmt(999999, false, "1970-01-01T00:00:00Z");
	check_fmt(-1, true, "1969-12-31T23:59:59.999999Z");
	check_fmt(-1, false, "1969-12-31T23:59:59Z");
	check_fmt(-US, true, "1969-12-31T23:59:59Z");
	check_fmt(-86400 * US, true, "1969-12-31T00:00:00Z");
	check_fmt(-86400 * US - 1, true, "1969-12-30T23:59:59.999999Z");
	check_fmt(1763972468123456LL, true, "2025-11-24T08:21:08.123456Z");
	check_fmt(1763972468123456LL, false, "2025-11-24T08:21:08Z");
	check_fmt(951782400 * US, true, "2000-02-29T00:00:00Z");
	check_fmt(1709251199 * US + 500000, true,
		  "2024-02-29T23:59:59.500000Z");
	check_fmt(-62135596800 * US, false, "0001-01-01T00:00:00Z");
	check_fmt(253402300799999999LL, true, "9999-12-31T23:59:59.999999Z");
	check_fmt(INT64_MAX, true, "294247-01-10T04:00:54.775807Z");
	check_fmt(INT64_MIN, true, "-290308-12-21T19:59:05.224192Z");
}

static int64_t arg(const char *s, int64_t now)
{
	int64_t out = 42;

	assert_int_equal(kt_time_parse_arg(s, now, &out), 0);
	return out;
}

static void test_parse_arg(void **state)
{
	int64_t now = kt_utc_us(2025, 11, 24, 12, 0, 0, 0), out;
	static const char *const bad[] = {
		"", "yesterday", "2h30m", "-2h", "2x", "h", "2025-11-31",
		"2025-13-01", "2025-11-24T25:00:00Z", "2025-11-24T10:00Z",
		"2025-11-24T10:00:00+2:00", "2025-11-24T10:00:00.Z",
		"2025-11-24Z1", "99999999999999999999d",
	};
	size_t i;

	(void)state;
	set_tz("CET");
	assert_true(arg("2025-11-24T08:21:08Z", now) ==
		    kt_utc_us(2025, 11, 24, 8, 21, 8, 0));
	assert_true(arg("2025-11-24t10:21:08.5+02:00", now) ==
		    kt_utc_us(2025, 11, 24, 8, 21, 8, 500000));
	assert_true(arg("2025-11-24 08:21:08.1234567z", now) ==
		    kt_utc_us(2025, 11, 24, 8, 21, 8, 123456));
	/* without a zone: local time; a date is local midnight */
	assert_true(arg("2025-11-24T09:21:08", now) ==
		    kt_utc_us(2025, 11, 24, 8, 21, 8, 0));
	assert_true(arg("2025-11-24", now) ==
		    kt_utc_us(2025, 11, 23, 23, 0, 0, 0));
	assert_true(arg("30s", now) == now - 30 * US);
	assert_true(arg("2h", now) == now - 7200 * US);
	assert_true(arg("7d", now) == now - 7 * 86400 * US);
	assert_true(arg("1w", now) == now - 7 * 86400 * US);
	assert_true(arg("0m", now) == now);
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		int rc = kt_time_parse_arg(bad[i], now, &out);

		if (rc != KT_ERR_PARSE && rc != KT_ERR_RANGE)
			fail_msg("'%s' was taken", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_civil_roundtrip),
		cmocka_unit_test(test_abbr),
		cmocka_unit_test(test_utc_us),
		cmocka_unit_test_teardown(test_local_utc, restore_utc),
		cmocka_unit_test_teardown(test_local_cet, restore_utc),
		cmocka_unit_test_teardown(test_local_cache, restore_utc),
		cmocka_unit_test_teardown(test_local_odd_offsets, restore_utc),
		cmocka_unit_test_teardown(test_local_year_month, restore_utc),
		cmocka_unit_test(test_format),
		cmocka_unit_test_teardown(test_parse_arg, restore_utc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
