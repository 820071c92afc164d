/*
 * live.c - sources that never end (see input/live.h): what the kinds
 * share.
 *
 * Input stage, live side: picks the kind's ops, parses and writes
 * cursors, and keeps the marks that turn a stream offset into a place in
 * the source.  The kinds are live_file.c, live_kmsg.c, live_journal.c.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/xalloc.h"
#include "input/livesrc.h"
#include <inttypes.h>

/* kt_live_read() returns an int: bigger caps are cut to this. */
#define READ_CAP_MAX (1u << 30)

static const struct kt_live_ops *const ops[] = {
	[KT_LIVE_FILE] = &kt_live_file,
	[KT_LIVE_KMSG] = &kt_live_kmsg,
	[KT_LIVE_JOURNAL] = &kt_live_journal,
};

/* ---------------------------------------------------------- marks */

static void mark_release(struct kt_live_mark *m)
{
	free(m->key);
	free(m->boot);
}

void kt_live_mark_add(struct kt_live *l, const struct kt_live_mark *m)
{
	if (l->mark_nr && l->mark[l->mark_nr - 1].offset == m->offset) {
		mark_release(&l->mark[l->mark_nr - 1]);
		l->mark[l->mark_nr - 1] = *m;
		return;
	}
	if (l->mark_nr && l->mark[l->mark_nr - 1].offset > m->offset)
		BUG("live mark at %" PRIu64 " after one at %" PRIu64,
		    m->offset, l->mark[l->mark_nr - 1].offset);
	ALLOC_GROW(l->mark, l->mark_nr + 1, l->mark_alloc);
	l->mark[l->mark_nr++] = *m;
}

/* The last mark at or before offset, or NULL. */
static const struct kt_live_mark *find_mark(const struct kt_live *l,
					    uint64_t offset)
{
	size_t lo = 0, hi = l->mark_nr;

	/* the first mark after offset is at lo */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->mark[mid].offset <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &l->mark[lo - 1] : NULL;
}

size_t kt_live_fit(const char *text, size_t len, size_t room, bool cut)
{
	const char *nl;

	if (len <= room)
		return len;
	nl = memrchr(text, '\n', room);
	if (nl)
		return (size_t)(nl - text) + 1;
	return cut ? room : 0;
}

/* --------------------------------------------------------- cursors */

static int bad_cursor(struct kt_ctx *ctx, const struct kt_live *l,
		      const char *why)
{
	return kt_failf(ctx, KT_ERR_PARSE, "cannot resume '%s': %s",
			l->name, why);
}

static int field_u64(struct kt_str val, uint64_t *out)
{
	return kt_str_to_u64(val, out);
}

/*
 * Parses "KIND offset=N lines=N FIELD=VALUE..." (see livesrc.h) for the
 * kind of l.  Slices of c borrow from s.
 */
static int parse_cursor(struct kt_ctx *ctx, const struct kt_live *l,
			const char *s, struct kt_live_cursor *c)
{
	struct kt_str rest = kt_str_cstr(s), tok, key, val;
	bool have_offset = false, have_lines = false;
	const char *sp, *eq;
	int r = 0;

	memset(c, 0, sizeof(*c));
	sp = memchr(rest.p, ' ', rest.len);
	tok = kt_str_make(rest.p, sp ? (size_t)(sp - rest.p) : rest.len);
	if (!kt_str_eq_cstr(tok, l->ops->name))
		return bad_cursor(ctx, l, "the cursor is not one of this "
				  "kind of source");
	rest = kt_str_skip(rest, tok.len);
	while (rest.len) {
		if (rest.p[0] != ' ')
			return bad_cursor(ctx, l, "malformed cursor");
		rest = kt_str_skip(rest, 1);
		eq = memchr(rest.p, '=', rest.len);
		if (!eq)
			return bad_cursor(ctx, l, "malformed cursor");
		key = kt_str_make(rest.p, (size_t)(eq - rest.p));
		rest = kt_str_skip(rest, key.len + 1);
		if (kt_str_eq_cstr(key, "cursor")) {
			/* the journal's own cursor: the rest of the string */
			c->key = rest;
			break;
		}
		sp = memchr(rest.p, ' ', rest.len);
		val = kt_str_make(rest.p,
				  sp ? (size_t)(sp - rest.p) : rest.len);
		rest = kt_str_skip(rest, val.len);
		if (kt_str_eq_cstr(key, "offset")) {
			r = field_u64(val, &c->offset);
			have_offset = true;
		} else if (kt_str_eq_cstr(key, "lines")) {
			r = field_u64(val, &c->lines);
			have_lines = true;
		} else if (kt_str_eq_cstr(key, "dev")) {
			r = field_u64(val, &c->dev);
		} else if (kt_str_eq_cstr(key, "ino")) {
			r = field_u64(val, &c->ino);
		} else if (kt_str_eq_cstr(key, "btime")) {
			r = field_u64(val, &c->btime);
		} else if (kt_str_eq_cstr(key, "pos") ||
			   kt_str_eq_cstr(key, "skip")) {
			if (kt_str_eq_cstr(val, "all"))
				c->pos = KT_LIVE_ALL;
			else
				r = field_u64(val, &c->pos);
		} else if (kt_str_eq_cstr(key, "seq")) {
			r = field_u64(val, &c->seq);
		} else if (kt_str_eq_cstr(key, "boot")) {
			c->boot = val;
		}
		if (r)
			return bad_cursor(ctx, l, "malformed cursor");
	}
	if (!have_offset || !have_lines)
		return bad_cursor(ctx, l, "the cursor lacks its offset");
	return 0;
}

int kt_live_cursor(const struct kt_live *l, uint64_t offset, uint64_t lines,
		   struct strbuf *out)
{
	const struct kt_live_mark *m;
	uint64_t pos;

	if (offset > l->offset)
		return KT_ERR_NOTFOUND;
	m = find_mark(l, offset);
	if (!m)
		return KT_ERR_NOTFOUND;
	pos = m->fixed ? m->pos : m->pos + (offset - m->offset);
	strbuf_addf(out, "%s offset=%" PRIu64 " lines=%" PRIu64,
		    l->ops->name, offset, lines);
	l->ops->cursor(l, m, pos, out);
	return 0;
}

void kt_live_forget(struct kt_live *l, uint64_t offset)
{
	size_t drop = 0, i;

	/* keep the mark offset falls under: the next one starts later */
	while (drop + 1 < l->mark_nr && l->mark[drop + 1].offset <= offset)
		drop++;
	if (!drop)
		return;
	for (i = 0; i < drop; i++)
		mark_release(&l->mark[i]);
	memmove(l->mark, l->mark + drop,
		(l->mark_nr - drop) * sizeof(*l->mark));
	l->mark_nr -= drop;
}

/* ------------------------------------------------------------- API */

int kt_live_open(struct kt_ctx *ctx, enum kt_live_kind kind,
		 const char *path, const char *cursor, struct kt_live **out)
{
	struct kt_live_cursor cur;
	struct kt_live *l;
	int rc;

	*out = NULL;
	if ((unsigned)kind >= KT_ARRAY_SIZE(ops) || !ops[kind])
		BUG("unknown live source kind %d", (int)kind);
	if (kind == KT_LIVE_FILE && !path)
		BUG("a followed file needs a path");
	l = xcalloc(1, sizeof(*l));
	l->ops = ops[kind];
	l->kind = kind;
	l->name = xstrdup(kind == KT_LIVE_FILE ? path : l->ops->name);
	if (cursor) {
		rc = parse_cursor(ctx, l, cursor, &cur);
		if (rc)
			goto cleanup;
		l->offset = l->resume_offset = cur.offset;
		l->resume_lines = cur.lines;
	}
	rc = l->ops->open(ctx, l, path, cursor ? &cur : NULL);
	if (rc)
		goto cleanup;
	*out = l;
	l = NULL;
cleanup:
	/* a kind that fails to open leaves l->data NULL */
	kt_live_close(l);
	return rc;
}

void kt_live_close(struct kt_live *l)
{
	size_t i;

	if (!l)
		return;
	if (l->data)
		l->ops->close(l);
	for (i = 0; i < l->mark_nr; i++)
		mark_release(&l->mark[i]);
	free(l->mark);
	free(l->name);
	free(l);
}

const char *kt_live_name(const struct kt_live *l)
{
	return l->name;
}

int kt_live_fd(const struct kt_live *l)
{
	return l->ops->fd(l);
}

int kt_live_read(struct kt_ctx *ctx, struct kt_live *l, struct strbuf *out,
		 size_t cap)
{
	size_t got = 0;
	int rc;

	if (!cap)
		return 0;
	rc = l->ops->read(ctx, l, out, KT_MIN(cap, READ_CAP_MAX), &got);
	if (got)
		return (int)got;
	return rc;
}

uint64_t kt_live_offset(const struct kt_live *l)
{
	return l->offset;
}

uint64_t kt_live_resume_offset(const struct kt_live *l)
{
	return l->resume_offset;
}

uint64_t kt_live_resume_lines(const struct kt_live *l)
{
	return l->resume_lines;
}

uint64_t kt_live_lost(const struct kt_live *l)
{
	return l->lost;
}
