/*
 * str.h - borrowed string slices.
 *
 * A struct kt_str points into memory owned by someone else (usually the
 * framer's read buffer) and is valid only as long as that memory is.
 * The hot path passes slices around and copies only when an event is
 * emitted.  Slices are not NUL-terminated.
 */
#ifndef KT_STR_H
#define KT_STR_H

#include "base/compat.h"

struct kt_str {
	const char *p;	/* borrowed */
	size_t len;
};

#define KT_STR_NULL ((struct kt_str){ NULL, 0 })
#define KT_STR_LIT(s) ((struct kt_str){ (s), sizeof(s) - 1 })

static inline struct kt_str kt_str_make(const char *p, size_t len)
{
	struct kt_str s = { p, len };

	return s;
}

static inline struct kt_str kt_str_cstr(const char *s)
{
	return kt_str_make(s, s ? strlen(s) : 0);
}

static inline bool kt_str_eq(struct kt_str a, struct kt_str b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}

static inline bool kt_str_eq_cstr(struct kt_str a, const char *b)
{
	return kt_str_eq(a, kt_str_cstr(b));
}

static inline bool kt_str_starts(struct kt_str s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && !memcmp(s.p, prefix, n);
}

static inline struct kt_str kt_str_skip(struct kt_str s, size_t n)
{
	if (n > s.len)
		n = s.len;
	s.p += n;
	s.len -= n;
	return s;
}

static inline bool kt_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\f' || c == '\v';
}

static inline bool kt_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool kt_is_xdigit(int c)
{
	return kt_is_digit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static inline struct kt_str kt_str_ltrim(struct kt_str s)
{
	while (s.len && kt_is_space((unsigned char)*s.p)) {
		s.p++;
		s.len--;
	}
	return s;
}

static inline struct kt_str kt_str_rtrim(struct kt_str s)
{
	while (s.len && kt_is_space((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

static inline struct kt_str kt_str_trim(struct kt_str s)
{
	return kt_str_rtrim(kt_str_ltrim(s));
}

/* Returns the first occurrence of needle in s, or NULL. */
static inline const char *kt_str_find(struct kt_str s, const char *needle)
{
	return memmem(s.p, s.len, needle, strlen(needle));
}

#endif
