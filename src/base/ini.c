/*
 * ini.c - reads INI-like configuration files (see ini.h).
 *
 * A base helper: it knows lines, sections and "key = value", nothing of
 * what the keys mean; the module that owns a section checks its values.
 */
#include "base/compat.h"
#include "base/ini.h"
#include "base/str.h"
#include "base/strbuf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       kt_is_digit(c) || c == '_' || c == '.' || c == '-';
}

static bool is_name(struct kt_str s)
{
	size_t i;

	if (!s.len)
		return false;
	for (i = 0; i < s.len; i++)
		if (!is_name_char((unsigned char)s.p[i]))
			return false;
	return true;
}

/* "name" or 'name "sub"' (as "name.sub") into out; -1 when neither. */
static int section_name(struct kt_str s, struct strbuf *out)
{
	const char *sp = memchr(s.p, ' ', s.len);
	struct kt_str head, sub;

	if (!sp) {
		if (!is_name(s))
			return -1;
		strbuf_add(out, s.p, s.len);
		return 0;
	}
	head = kt_str_make(s.p, (size_t)(sp - s.p));
	sub = kt_str_trim(kt_str_make(sp, (size_t)(s.p + s.len - sp)));
	if (!is_name(head) || sub.len < 3 || sub.p[0] != '"' ||
	    sub.p[sub.len - 1] != '"')
		return -1;
	sub = kt_str_make(sub.p + 1, sub.len - 2);
	if (!is_name(sub))
		return -1;
	strbuf_add(out, head.p, head.len);
	strbuf_addch(out, '.');
	strbuf_add(out, sub.p, sub.len);
	return 0;
}

static bool has_control(struct kt_str s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 && s.p[i] != '\t')
			return true;
	return false;
}

int kt_ini_parse(struct kt_ctx *ctx, const char *name, const char *text,
		 size_t len, kt_ini_fn *fn, void *data)
{
	struct strbuf section = STRBUF_INIT, key = STRBUF_INIT,
		      value = STRBUF_INIT;
	const char *p = text, *end = text + len;
	int line = 0, rc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct kt_str l = kt_str_make(p, nl ? (size_t)(nl - p) :
					      (size_t)(end - p));
		const char *eq;

		p = nl ? nl + 1 : end;
		line++;
		l = kt_str_trim(l);
		if (!l.len || l.p[0] == '#' || l.p[0] == ';')
			continue;
		if (has_control(l)) {
			rc = kt_failf(ctx, KT_ERR_PARSE,
				      "%s:%d: control character in line",
				      name, line);
			goto cleanup;
		}
		if (l.p[0] == '[') {
			struct kt_str s;

			if (l.p[l.len - 1] != ']') {
				rc = kt_failf(ctx, KT_ERR_PARSE,
					      "%s:%d: expected ']' to close the section name",
					      name, line);
				goto cleanup;
			}
			s = kt_str_trim(kt_str_make(l.p + 1, l.len - 2));
			strbuf_reset(&section);
			if (section_name(s, &section)) {
				rc = kt_failf(ctx, KT_ERR_PARSE,
					      "%s:%d: bad section name '%.*s'",
					      name, line, (int)s.len, s.p);
				goto cleanup;
			}
			continue;
		}
		eq = memchr(l.p, '=', l.len);
		if (!eq) {
			rc = kt_failf(ctx, KT_ERR_PARSE,
				      "%s:%d: expected 'key = value'", name,
				      line);
			goto cleanup;
		}
		{
			struct kt_str k = kt_str_trim(kt_str_make(l.p,
						(size_t)(eq - l.p)));
			size_t vlen = (size_t)(l.p + l.len - eq - 1);
			struct kt_str v = kt_str_trim(kt_str_make(eq + 1,
								  vlen));

			if (!is_name(k)) {
				rc = kt_failf(ctx, KT_ERR_PARSE,
					      "%s:%d: bad key name '%.*s'",
					      name, line, (int)k.len, k.p);
				goto cleanup;
			}
			if (v.len >= 2 && v.p[0] == '"' &&
			    v.p[v.len - 1] == '"')
				v = kt_str_make(v.p + 1, v.len - 2);
			strbuf_reset(&key);
			strbuf_add(&key, k.p, k.len);
			strbuf_reset(&value);
			strbuf_add(&value, v.p, v.len);
			if (memchr(value.buf, '\0', value.len)) {
				rc = kt_failf(ctx, KT_ERR_PARSE,
					      "%s:%d: NUL byte in the value of '%s'",
					      name, line, key.buf);
				goto cleanup;
			}
		}
		rc = fn(data, ctx, section.buf, key.buf, value.buf, line);
		if (rc)
			goto cleanup;
	}
cleanup:
	strbuf_release(&section);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

int kt_ini_load(struct kt_ctx *ctx, const char *path, kt_ini_fn *fn,
		void *data)
{
	struct strbuf text = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return KT_ERR_NOTFOUND;
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", path,
				strerror(errno));
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
				      path, strerror(errno));
			goto cleanup;
		}
		if (!n)
			break;
		if (text.len + (size_t)n > KT_INI_FILE_MAX) {
			rc = kt_failf(ctx, KT_ERR_LIMIT,
				      "cannot read '%s': larger than %d bytes",
				      path, KT_INI_FILE_MAX);
			goto cleanup;
		}
		strbuf_add(&text, buf, (size_t)n);
	}
	rc = kt_ini_parse(ctx, path, text.buf, text.len, fn, data);
cleanup:
	close(fd);
	strbuf_release(&text);
	return rc;
}
