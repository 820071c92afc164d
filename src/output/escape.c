/*
 * escape.c - escaping untrusted text for Markdown and HTML (see
 * escape.h).
 *
 * Part of the output stage; every renderer that writes log text into a
 * structured format goes through it.
 */
#include "base/compat.h"
#include "output/escape.h"

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void kt_md_escape(struct strbuf *out, const char *s)
{
	const char *start = s;

	for (; *s; s++) {
		if (is_ctl((unsigned char)*s)) {
			strbuf_addch(out, '?');
			continue;
		}
		/* emphasis, code, links, HTML, headings, tables, strikes;
		 * a list marker only where a line could start */
		if (strchr("\\`*_[]<>#|~", *s) ||
		    (s == start && strchr("-+", *s)))
			strbuf_addch(out, '\\');
		strbuf_addch(out, *s);
	}
}

void kt_html_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			strbuf_addstr(out, "&lt;");
			break;
		case '>':
			strbuf_addstr(out, "&gt;");
			break;
		case '&':
			strbuf_addstr(out, "&amp;");
			break;
		case '"':
			strbuf_addstr(out, "&quot;");
			break;
		case '\'':
			strbuf_addstr(out, "&#39;");
			break;
		default:
			strbuf_addch(out, is_ctl((unsigned char)*s) ? '?' : *s);
		}
	}
}

void kt_md_code(struct strbuf *out, const char *s)
{
	size_t run = 0, longest = 0, len = strlen(s), i;
	bool pad;

	for (i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = len && (s[0] == '`' || s[len - 1] == '`');
	for (i = 0; i <= longest; i++)
		strbuf_addch(out, '`');
	if (pad)
		strbuf_addch(out, ' ');
	for (i = 0; i < len; i++)
		strbuf_addch(out, is_ctl((unsigned char)s[i]) ? '?' : s[i]);
	if (pad)
		strbuf_addch(out, ' ');
	for (i = 0; i <= longest; i++)
		strbuf_addch(out, '`');
}
