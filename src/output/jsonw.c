/*
 * jsonw.c - streaming JSON text for the event stream (see jsonw.h).
 *
 * Part of the output stage; the renderers and anything that stores or
 * sends events use it, so the event object is written in one place.
 */
#include "base/compat.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "output/jsonw.h"
#include <math.h>

void kt_jsonw_init(struct kt_jsonw *w, struct strbuf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = true;
}

/* Separator before a value: a comma unless it is the first or a key's. */
static void sep(struct kt_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		strbuf_addch(w->out, ',');
	w->first[w->depth] = false;
}

static void open_container(struct kt_jsonw *w, char c)
{
	sep(w);
	strbuf_addch(w->out, c);
	if (w->depth + 1 >= KT_JSONW_DEPTH)
		BUG("JSON nested deeper than %d", KT_JSONW_DEPTH);
	w->depth++;
	w->first[w->depth] = true;
	w->closer[w->depth] = c == '{' ? '}' : ']';
}

void kt_jsonw_object(struct kt_jsonw *w)
{
	open_container(w, '{');
}

void kt_jsonw_array(struct kt_jsonw *w)
{
	open_container(w, '[');
}

void kt_jsonw_end(struct kt_jsonw *w)
{
	if (!w->depth)
		BUG("JSON container closed twice");
	strbuf_addch(w->out, w->closer[w->depth]);
	w->depth--;
}

static void escaped(struct strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	strbuf_addch(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			strbuf_addstr(out, "\\\"");
			break;
		case '\\':
			strbuf_addstr(out, "\\\\");
			break;
		case '\n':
			strbuf_addstr(out, "\\n");
			break;
		case '\t':
			strbuf_addstr(out, "\\t");
			break;
		case '\r':
			strbuf_addstr(out, "\\r");
			break;
		default:
			strbuf_addstr(out, "\\u00");
			strbuf_addch(out, hex[c >> 4]);
			strbuf_addch(out, hex[c & 15]);
			break;
		}
	}
	strbuf_add(out, s + run, len - run);
	strbuf_addch(out, '"');
}

/* Printable ASCII without quotes or backslashes: copied as it is. */
static bool plain(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

void kt_jsonw_strn(struct kt_jsonw *w, const char *s, size_t len)
{
	sep(w);
	if (plain(s, len)) {
		strbuf_grow(w->out, st_add(len, 2));
		strbuf_addch(w->out, '"');
		strbuf_add(w->out, s, len);
		strbuf_addch(w->out, '"');
	} else if (kt_utf8_clean(s, len)) {
		escaped(w->out, s, len);
	} else {
		struct strbuf tmp = STRBUF_INIT;

		kt_utf8_sanitize(&tmp, s, len);
		escaped(w->out, tmp.buf, tmp.len);
		strbuf_release(&tmp);
	}
}

void kt_jsonw_str(struct kt_jsonw *w, const char *s)
{
	if (!s)
		kt_jsonw_null(w);
	else
		kt_jsonw_strn(w, s, strlen(s));
}

void kt_jsonw_key(struct kt_jsonw *w, const char *key)
{
	kt_jsonw_strn(w, key, strlen(key));
	strbuf_addch(w->out, ':');
	w->after_key = true;
}

void kt_jsonw_int(struct kt_jsonw *w, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	sep(w);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	strbuf_add(w->out, p, (size_t)(buf + sizeof(buf) - p));
}

void kt_jsonw_real(struct kt_jsonw *w, double v)
{
	sep(w);
	if (!isfinite(v))
		strbuf_addstr(w->out, "null");
	else if (fabs(v) < 1e15 && v == (double)(int64_t)v)
		strbuf_addf(w->out, "%lld.0", (long long)v);
	else
		strbuf_addf(w->out, "%.15g", v);
}

void kt_jsonw_bool(struct kt_jsonw *w, bool v)
{
	sep(w);
	strbuf_addstr(w->out, v ? "true" : "false");
}

void kt_jsonw_null(struct kt_jsonw *w)
{
	sep(w);
	strbuf_addstr(w->out, "null");
}

void kt_jsonw_value(struct kt_jsonw *w, const json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		kt_jsonw_object(w);
		json_object_foreach((json_t *)v, key, x) {
			kt_jsonw_key(w, key);
			kt_jsonw_value(w, x);
		}
		kt_jsonw_end(w);
		break;
	case JSON_ARRAY:
		kt_jsonw_array(w);
		json_array_foreach(v, i, x)
			kt_jsonw_value(w, x);
		kt_jsonw_end(w);
		break;
	case JSON_STRING:
		kt_jsonw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		kt_jsonw_int(w, json_integer_value(v));
		break;
	case JSON_REAL:
		kt_jsonw_real(w, json_real_value(v));
		break;
	case JSON_TRUE:
		kt_jsonw_bool(w, true);
		break;
	case JSON_FALSE:
		kt_jsonw_bool(w, false);
		break;
	default:
		kt_jsonw_null(w);
		break;
	}
}
