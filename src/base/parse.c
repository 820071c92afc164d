/*
 * parse.c - checked decimal/hex parsers (see parse.h).
 *
 * The only place in ktriage that turns digits into numbers; framing,
 * extraction and option parsing all come through here.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/parse.h"

int kt_parse_u64(const char **cur, const char *end, uint64_t *out)
{
	const char *p = *cur;
	uint64_t v = 0;

	if (p >= end || !kt_is_digit((unsigned char)*p))
		return KT_ERR_PARSE;
	for (; p < end && kt_is_digit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return KT_ERR_RANGE;
		v = v * 10 + d;
	}
	*out = v;
	*cur = p;
	return 0;
}

int kt_parse_i64(const char **cur, const char *end, int64_t *out)
{
	const char *p = *cur;
	bool neg = false;
	uint64_t v;
	int rc;

	if (p < end && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	rc = kt_parse_u64(&p, end, &v);
	if (rc)
		return rc;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return KT_ERR_RANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*cur = p;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int kt_parse_hex(const char **cur, const char *end, uint64_t *out)
{
	const char *p = *cur;
	uint64_t v = 0;
	int d;

	if (end - p >= 3 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    hexval((unsigned char)p[2]) >= 0)
		p += 2;
	if (p >= end || hexval((unsigned char)*p) < 0)
		return KT_ERR_PARSE;
	for (; p < end && (d = hexval((unsigned char)*p)) >= 0; p++) {
		if (v >> 60)
			return KT_ERR_RANGE;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	*cur = p;
	return 0;
}

int kt_parse_digits(const char **cur, const char *end, int n, int *out)
{
	const char *p = *cur;
	int v = 0;
	int i;

	if (n <= 0 || n > 9 || end - p < n)
		return KT_ERR_PARSE;
	for (i = 0; i < n; i++) {
		if (!kt_is_digit((unsigned char)p[i]))
			return KT_ERR_PARSE;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	*cur = p + n;
	return 0;
}

int kt_parse_decimal_us(const char **cur, const char *end, int64_t *out_us)
{
	const char *p = *cur;
	uint64_t sec;
	int64_t us = 0;
	int scale = 100000;
	int rc;

	rc = kt_parse_u64(&p, end, &sec);
	if (rc)
		return rc;
	if (sec > (uint64_t)INT64_MAX / 1000000)
		return KT_ERR_RANGE;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !kt_is_digit((unsigned char)*p))
			return KT_ERR_PARSE;
		for (; p < end && kt_is_digit((unsigned char)*p); p++) {
			us += (*p - '0') * scale;
			scale /= 10;
		}
	}
	/* the largest whole second still fits, not every fraction of it */
	if ((int64_t)sec * 1000000 > INT64_MAX - us)
		return KT_ERR_RANGE;
	*out_us = (int64_t)sec * 1000000 + us;
	*cur = p;
	return 0;
}

int kt_str_to_u64(struct kt_str s, uint64_t *out)
{
	const char *p = s.p;
	int rc = kt_parse_u64(&p, s.p + s.len, out);

	if (!rc && p != s.p + s.len)
		return KT_ERR_PARSE;
	return rc;
}

int kt_str_to_i64(struct kt_str s, int64_t *out)
{
	const char *p = s.p;
	int rc = kt_parse_i64(&p, s.p + s.len, out);

	if (!rc && p != s.p + s.len)
		return KT_ERR_PARSE;
	return rc;
}

int kt_cstr_to_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int rc = kt_str_to_u64(kt_str_cstr(s), &v);

	if (rc)
		return rc;
	if (v < min || v > max)
		return KT_ERR_RANGE;
	*out = v;
	return 0;
}

int kt_cstr_to_duration_us(const char *s, int64_t *out_us)
{
	static const struct {
		const char *unit;
		int64_t us;
	} units[] = {
		{ "ms", 1000 }, { "s", 1000000 }, { "", 1000000 },
		{ "m", 60 * INT64_C(1000000) },
		{ "h", 3600 * INT64_C(1000000) },
		{ "d", 86400 * INT64_C(1000000) },
		{ "w", 7 * 86400 * INT64_C(1000000) },
	};
	const char *cur = s, *end = s + strlen(s);
	int64_t frac_us;
	size_t i;
	int rc;

	/* "1.5" read as micro-units, scaled by the unit below */
	rc = kt_parse_decimal_us(&cur, end, &frac_us);
	if (rc)
		return rc;
	for (i = 0; i < KT_ARRAY_SIZE(units); i++) {
		if (strcmp(cur, units[i].unit))
			continue;
		/* room for the whole part and one more unit of fraction */
		if (frac_us / 1000000 >= INT64_MAX / units[i].us)
			return KT_ERR_RANGE;
		*out_us = frac_us / 1000000 * units[i].us +
			  frac_us % 1000000 * units[i].us / 1000000;
		return 0;
	}
	return KT_ERR_PARSE;
}
