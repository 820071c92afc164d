/*
 * rotate.c - ordering rotated log files oldest first (see rotate.h).
 *
 * Input stage: kt_input_expand() sorts each directory it walks with
 * kt_rotate_cmp(), so the framer reads one log family in time order.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "input/rotate.h"

static const char *const compress_suffix[] = { ".gz", ".zst", ".xz", ".bz2" };

static bool ends_with(struct kt_str s, const char *suffix)
{
	size_t n = strlen(suffix);

	return s.len > n && !memcmp(s.p + s.len - n, suffix, n);
}

static struct kt_str drop(struct kt_str s, const char *suffix)
{
	s.len -= strlen(suffix);
	return s;
}

/* Length of the run of digits that ends s. */
static size_t tail_digits(struct kt_str s)
{
	size_t n = 0;

	while (n < s.len && kt_is_digit((unsigned char)s.p[s.len - 1 - n]))
		n++;
	return n;
}

/* "name.12" -> "name", 12 */
static bool split_numbered(struct kt_str s, struct kt_rotate_key *key)
{
	size_t n = tail_digits(s);
	uint64_t v;

	if (!n || n > 9 || n + 1 >= s.len || s.p[s.len - n - 1] != '.')
		return false;
	if (kt_str_to_u64(kt_str_make(s.p + s.len - n, n), &v))
		return false;
	key->family = kt_str_make(s.p, s.len - n - 1);
	key->kind = KT_ROTATE_NUMBERED;
	key->number = v;
	return true;
}

/* "name-20250108", "name-2025-01-08", "name-20250108-1736294400" */
static bool split_dated(struct kt_str s, struct kt_rotate_key *key)
{
	struct kt_str rest = s;
	size_t total = 0, first = 0, n;

	for (;;) {
		n = tail_digits(rest);
		if (!n || n + 1 >= rest.len || rest.p[rest.len - n - 1] != '-')
			break;
		total += n;
		first = n;
		rest.len -= n + 1;
	}
	if (total < 8 || first < 4)
		return false;
	key->family = rest;
	key->kind = KT_ROTATE_DATED;
	key->stamp = kt_str_make(s.p + rest.len + 1, s.len - rest.len - 1);
	return true;
}

void kt_rotate_key(const char *name, struct kt_rotate_key *key)
{
	struct kt_str s = kt_str_cstr(name);
	const char *at;
	size_t i;

	memset(key, 0, sizeof(*key));
	key->kind = KT_ROTATE_CURRENT;
	if (ends_with(s, ".journal") || ends_with(s, ".journal~")) {
		s = drop(s, ends_with(s, "~") ? ".journal~" : ".journal");
		key->journal = true;
		at = memchr(s.p, '@', s.len);
		if (at && at > s.p) {
			size_t n = (size_t)(at - s.p);

			key->kind = KT_ROTATE_DATED;
			key->stamp = kt_str_make(at + 1, s.len - n - 1);
			s.len = n;
		}
		key->family = s;
		return;
	}
	for (i = 0; i < KT_ARRAY_SIZE(compress_suffix); i++) {
		if (ends_with(s, compress_suffix[i])) {
			s = drop(s, compress_suffix[i]);
			break;
		}
	}
	if (split_numbered(s, key) || split_dated(s, key))
		return;
	key->family = s;
}

static int cmp_str(struct kt_str a, struct kt_str b)
{
	int c = memcmp(a.p, b.p, KT_MIN(a.len, b.len));

	if (c)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

int kt_rotate_cmp(const char *a, const char *b)
{
	struct kt_rotate_key ka, kb;
	int c;

	kt_rotate_key(a, &ka);
	kt_rotate_key(b, &kb);
	c = cmp_str(ka.family, kb.family);
	if (c)
		return c;
	if (ka.journal != kb.journal)
		return ka.journal ? 1 : -1;
	if (ka.kind != kb.kind)
		return ka.kind < kb.kind ? -1 : 1;
	if (ka.kind == KT_ROTATE_NUMBERED && ka.number != kb.number)
		return ka.number > kb.number ? -1 : 1;
	if (ka.kind == KT_ROTATE_DATED) {
		c = cmp_str(ka.stamp, kb.stamp);
		if (c)
			return c;
	}
	return strcmp(a, b);
}
