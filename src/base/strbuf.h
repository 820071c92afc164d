/*
 * strbuf.h - the one growable string of ktriage.
 *
 * Invariants: buf is never NULL and always NUL-terminated at buf[len];
 * alloc is 0 while buf points at the shared empty string (STRBUF_INIT),
 * so a fresh strbuf owns no memory.  strbuf_detach() is the only way to
 * hand the memory to someone else; strbuf_release() frees it and leaves
 * the strbuf ready for reuse.  Bytes may include NULs.
 */
#ifndef KT_STRBUF_H
#define KT_STRBUF_H

#include "base/compat.h"

extern char strbuf_slopbuf[];

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;	/* owned unless alloc == 0; freed by strbuf_release */
};

#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Returns the buffer (caller frees) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);

static inline void strbuf_setlen(struct strbuf *sb, size_t len)
{
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

static inline void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

/* Room for extra more bytes (and the NUL) without growing? */
static inline bool strbuf_has_room(const struct strbuf *sb, size_t extra)
{
	return sb->alloc && extra < sb->alloc - sb->len;
}

static inline void strbuf_add(struct strbuf *sb, const void *data,
			      size_t len)
{
	if (!len)
		return;
	if (!strbuf_has_room(sb, len))
		strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

static inline void strbuf_addch(struct strbuf *sb, int c)
{
	if (!strbuf_has_room(sb, 1))
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s);
/* Appends n in decimal (what addf's %llu does, without printf). */
void strbuf_addu(struct strbuf *sb, uint64_t n);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) KT_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends text with control bytes (< 0x20 except tab, and 0x7f) as '?'. */
void strbuf_add_sanitized(struct strbuf *sb, const char *p, size_t len);
/* Removes trailing ASCII whitespace. */
void strbuf_rtrim(struct strbuf *sb);

#endif
