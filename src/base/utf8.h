/*
 * utf8.h - make untrusted bytes safe for JSON and terminals.
 *
 * Log files may hold any bytes.  JSON strings must be valid UTF-8, so
 * every string leaving ktriage passes through kt_utf8_sanitize(): valid
 * UTF-8 is kept, each invalid byte becomes U+FFFD, and control
 * characters other than tab become '?'.
 */
#ifndef KT_UTF8_H
#define KT_UTF8_H

#include "base/compat.h"
#include "base/strbuf.h"

/* Appends the sanitized form of p[0..len) to sb. */
void kt_utf8_sanitize(struct strbuf *sb, const char *p, size_t len);
/* True when p[0..len) is valid UTF-8 without control characters. */
bool kt_utf8_clean(const char *p, size_t len);

#endif
