/*
 * escape.h - log text made safe for the formats we write.
 *
 * Everything that came from a log is untrusted: these append it so that
 * it prints as text and nothing else.  Control characters become '?'
 * in all of them (as strbuf_add_sanitized does).
 */
#ifndef KT_ESCAPE_H
#define KT_ESCAPE_H

#include "base/compat.h"
#include "base/strbuf.h"

/*
 * Markdown inline text: the punctuation that means something is
 * escaped (a list marker only at the start).
 */
void kt_md_escape(struct strbuf *out, const char *s);
/* HTML text and attribute values: < > & " ' as entities. */
void kt_html_escape(struct strbuf *out, const char *s);
/*
 * A Markdown code span: `text`, with a fence longer than any run of
 * backticks inside and padding where the text starts or ends with one.
 */
void kt_md_code(struct strbuf *out, const char *s);

#endif
