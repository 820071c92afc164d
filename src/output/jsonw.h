/*
 * jsonw.h - a streaming JSON writer for the event stream.
 *
 * Events are written at the rate kernel reports occur in big logs; a
 * document tree per event (jansson) costs more than the scan itself, so
 * the renderers write JSON text directly into a strbuf.  Values kept in
 * jansson (an event's fields) are written with kt_jsonw_value().
 *
 * The writer tracks commas itself: call _key() before each member of an
 * object.  Strings are written as valid UTF-8 (invalid bytes become
 * U+FFFD) with every character JSON requires escaped.
 */
#ifndef KT_JSONW_H
#define KT_JSONW_H

#include "base/compat.h"
#include "base/strbuf.h"
#include <jansson.h>

#define KT_JSONW_DEPTH 32

struct kt_jsonw {
	struct strbuf *out;	/* borrowed */
	int depth;
	bool first[KT_JSONW_DEPTH];	/* no member written yet at depth */
	char closer[KT_JSONW_DEPTH];	/* '}' or ']' per open container */
	bool after_key;
};

void kt_jsonw_init(struct kt_jsonw *w, struct strbuf *out);
void kt_jsonw_object(struct kt_jsonw *w);
void kt_jsonw_array(struct kt_jsonw *w);
void kt_jsonw_end(struct kt_jsonw *w);	/* closes the innermost one */
void kt_jsonw_key(struct kt_jsonw *w, const char *key);
void kt_jsonw_str(struct kt_jsonw *w, const char *s);	/* NULL: null */
void kt_jsonw_strn(struct kt_jsonw *w, const char *s, size_t len);
void kt_jsonw_int(struct kt_jsonw *w, int64_t v);
void kt_jsonw_real(struct kt_jsonw *w, double v);
void kt_jsonw_bool(struct kt_jsonw *w, bool v);
void kt_jsonw_null(struct kt_jsonw *w);
void kt_jsonw_value(struct kt_jsonw *w, const json_t *v);

#endif
