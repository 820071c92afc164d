/*
 * utf8.c - UTF-8 validation and repair for strings leaving ktriage.
 *
 * Used by the event builder and the renderers; see utf8.h.
 */
#include "base/compat.h"
#include "base/utf8.h"

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t seq_len(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

bool kt_utf8_clean(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n;

	while (i < len) {
		/* printable ASCII, nearly all of it */
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		if (u[i] < 0x20 ? u[i] != '\t' : u[i] == 0x7f)
			return false;
		n = seq_len(u + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

void kt_utf8_sanitize(struct strbuf *sb, const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n, run = 0;

	if (kt_utf8_clean(p, len)) {
		strbuf_add(sb, p, len);
		return;
	}
	while (i < len) {
		if (u[i] < 0x20 ? u[i] != '\t' : u[i] == 0x7f) {
			strbuf_add(sb, p + run, i - run);
			strbuf_addch(sb, '?');
			run = ++i;
			continue;
		}
		n = seq_len(u + i, len - i);
		if (!n) {
			strbuf_add(sb, p + run, i - run);
			strbuf_addstr(sb, "\xef\xbf\xbd");
			run = ++i;
			continue;
		}
		i += n;
	}
	strbuf_add(sb, p + run, i - run);
}
