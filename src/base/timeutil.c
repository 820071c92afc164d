/*
 * timeutil.c - civil-date arithmetic and cached local-zone offsets.
 *
 * Used by the framer to turn syslog and dmesg -T stamps into UTC, and by
 * the renderers to print RFC 3339 times.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/parse.h"
#include "base/timeutil.h"
#include <time.h>

int64_t kt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void kt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int kt_month_from_abbr(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (p[0] == names[i * 3] && p[1] == names[i * 3 + 1] &&
		    p[2] == names[i * 3 + 2])
			return i + 1;
	return 0;
}

int kt_weekday_from_abbr(const char *p)
{
	static const char names[] = "MonTueWedThuFriSatSun";
	int i;

	for (i = 0; i < 7; i++)
		if (p[0] == names[i * 3] && p[1] == names[i * 3 + 1] &&
		    p[2] == names[i * 3 + 2])
			return i + 1;
	return 0;
}

void kt_tzcache_init(struct kt_tzcache *tc)
{
	tc->key = -1;
	tc->offset_s = 0;
}

int64_t kt_utc_us(int64_t y, unsigned mon, unsigned day, unsigned h,
		  unsigned min, unsigned s, int64_t us)
{
	int64_t days = kt_days_from_civil(y, mon, day);

	return ((days * 86400) + h * 3600 + min * 60 + s) * 1000000 + us;
}

int64_t kt_local_to_utc_us(struct kt_tzcache *tc, int64_t y, unsigned mon,
			   unsigned day, unsigned h, unsigned min, unsigned s,
			   int64_t us)
{
	int64_t days = kt_days_from_civil(y, mon, day);
	int64_t key = days * 32 + h;

	if (key != tc->key) {
		struct tm tm;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = (int)(y - 1900);
		tm.tm_mon = (int)mon - 1;
		tm.tm_mday = (int)day;
		tm.tm_hour = (int)h;
		tm.tm_min = 30;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1) {
			tc->offset_s = 0;
		} else {
			int64_t local = days * 86400 + h * 3600 + 30 * 60;

			tc->offset_s = local - (int64_t)t;
		}
		tc->key = key;
	}
	return ((days * 86400) + h * 3600 + min * 60 + s - tc->offset_s) *
		       1000000 + us;
}

void kt_local_year_month(int64_t epoch_s, int64_t *year, unsigned *month)
{
	time_t t = (time_t)epoch_s;
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		*year = 1970;
		*month = 1;
		return;
	}
	*year = tm.tm_year + 1900;
	*month = (unsigned)tm.tm_mon + 1;
}

/* Appends v as exactly n decimal digits (v < 10^n), like "%0*u". */
static void put_digits(struct strbuf *sb, unsigned v, int n)
{
	char buf[10];
	int i;

	for (i = n - 1; i >= 0; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
	strbuf_add(sb, buf, (size_t)n);
}

void kt_time_format(struct strbuf *sb, int64_t us, bool frac)
{
	int64_t secs = us / 1000000, rem = us % 1000000;
	int64_t days, sod, y;
	unsigned m, d;

	if (rem < 0) {
		rem += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	kt_civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999)
		put_digits(sb, (unsigned)y, 4);
	else
		strbuf_addf(sb, "%04lld", (long long)y);
	strbuf_addch(sb, '-');
	put_digits(sb, m, 2);
	strbuf_addch(sb, '-');
	put_digits(sb, d, 2);
	strbuf_addch(sb, 'T');
	put_digits(sb, (unsigned)(sod / 3600), 2);
	strbuf_addch(sb, ':');
	put_digits(sb, (unsigned)(sod / 60 % 60), 2);
	strbuf_addch(sb, ':');
	put_digits(sb, (unsigned)(sod % 60), 2);
	if (frac && rem) {
		strbuf_addch(sb, '.');
		put_digits(sb, (unsigned)rem, 6);
	}
	strbuf_addch(sb, 'Z');
}

int64_t kt_time_parse(const char *s)
{
	static const char sep[] = "--T::";
	int v[6], i;
	const char *p = s, *end;

	if (!s || strlen(s) < 19)
		return KT_NO_TIME;
	end = s + strlen(s);
	for (i = 0; i < 6; i++) {
		if (kt_parse_digits(&p, end, i ? 2 : 4, &v[i]))
			return KT_NO_TIME;
		if (i < 5 && *p++ != sep[i])
			return KT_NO_TIME;
	}
	return kt_utc_us(v[0], (unsigned)v[1], (unsigned)v[2],
			 (unsigned)v[3], (unsigned)v[4], (unsigned)v[5], 0);
}

/* Is y-m-d a real date? */
static bool valid_date(int64_t y, unsigned m, unsigned d)
{
	int64_t yy;
	unsigned mm, dd;

	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	kt_civil_from_days(kt_days_from_civil(y, m, d), &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

/* "30m", "2h", "7d": that long before now_us. */
static int parse_age(const char *s, int64_t now_us, int64_t *out)
{
	static const struct {
		char unit;
		int64_t us;
	} units[] = {
		{ 's', 1000000LL }, { 'm', 60000000LL },
		{ 'h', 3600000000LL }, { 'd', 86400000000LL },
		{ 'w', 604800000000LL },
	};
	const char *p = s, *end = s + strlen(s);
	uint64_t n;
	int64_t us;
	size_t i;

	if (kt_parse_u64(&p, end, &n) || end - p != 1 || n > INT64_MAX)
		return KT_ERR_PARSE;
	for (i = 0; i < KT_ARRAY_SIZE(units); i++) {
		if (*p != units[i].unit)
			continue;
		if (__builtin_mul_overflow((int64_t)n, units[i].us, &us) ||
		    __builtin_sub_overflow(now_us, us, out))
			return KT_ERR_RANGE;
		return 0;
	}
	return KT_ERR_PARSE;
}

/* ".123456": the fraction of a second in microseconds (more digits cut). */
static int parse_frac(const char **cur, const char *end, int64_t *us)
{
	const char *p = *cur + 1;
	int64_t scale = 100000;

	*us = 0;
	if (p >= end || *p < '0' || *p > '9')
		return KT_ERR_PARSE;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		*us += (*p - '0') * scale;
		scale /= 10;
	}
	*cur = p;
	return 0;
}

int kt_time_parse_arg(const char *s, int64_t now_us, int64_t *out)
{
	const char *p = s, *end = s + strlen(s);
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	int64_t frac = 0, off_s = 0;
	struct kt_tzcache tc;
	bool local = true;

	if (end > s && (end[-1] < '0' || end[-1] > '9') && end[-1] != 'Z' &&
	    end[-1] != 'z')
		return parse_age(s, now_us, out);
	if (kt_parse_digits(&p, end, 4, &y) || p >= end || *p++ != '-' ||
	    kt_parse_digits(&p, end, 2, &mo) || p >= end || *p++ != '-' ||
	    kt_parse_digits(&p, end, 2, &d) ||
	    !valid_date(y, (unsigned)mo, (unsigned)d))
		return KT_ERR_PARSE;
	if (p < end) {
		if ((*p != 'T' && *p != 't' && *p != ' ') || ++p >= end ||
		    kt_parse_digits(&p, end, 2, &h) || p >= end ||
		    *p++ != ':' || kt_parse_digits(&p, end, 2, &mi) ||
		    p >= end || *p++ != ':' ||
		    kt_parse_digits(&p, end, 2, &sec) || h > 23 || mi > 59 ||
		    sec > 60)
			return KT_ERR_PARSE;
		if (sec == 60)
			sec = 59;	/* a leap second */
		if (p < end && *p == '.' && parse_frac(&p, end, &frac))
			return KT_ERR_PARSE;
	}
	if (p < end && (*p == 'Z' || *p == 'z')) {
		local = false;
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		bool neg = *p++ == '-';

		if (kt_parse_digits(&p, end, 2, &oh) || p >= end ||
		    *p++ != ':' || kt_parse_digits(&p, end, 2, &om) ||
		    oh > 23 || om > 59)
			return KT_ERR_PARSE;
		off_s = (oh * 3600 + om * 60) * (neg ? -1 : 1);
		local = false;
	}
	if (p != end)
		return KT_ERR_PARSE;
	if (local) {
		kt_tzcache_init(&tc);
		*out = kt_local_to_utc_us(&tc, y, (unsigned)mo, (unsigned)d,
					  (unsigned)h, (unsigned)mi,
					  (unsigned)sec, frac);
	} else {
		*out = kt_utc_us(y, (unsigned)mo, (unsigned)d, (unsigned)h,
				 (unsigned)mi, (unsigned)sec, frac) -
		       off_s * 1000000;
	}
	return 0;
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t kt_wall_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

int64_t kt_mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}
