/*
 * live_journal.c - the systemd journal followed for `ktriage watch`.
 *
 * Input stage, live side (input/live.h): reads new entries (kernel and
 * units) through sd_journal as they are written and renders them as the
 * batch journal source does (source_journal.c), "-- Boot ID --" lines
 * included.  A mark holds the entry's own cursor and the boot id before
 * it, so a cursor renders the same entry again and skips what of it was
 * handed out already.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "input/livesrc.h"
#include "input/source.h"
#include <inttypes.h>
#include <systemd/sd-journal.h>

#define LOCAL_JOURNAL "journal:"
/* Longer fields are cut here by libsystemd; the framer cuts lines too. */
#define DATA_THRESHOLD (64 * 1024)

struct journal_live {
	/* all owned, released by journal_close */
	sd_journal *j;
	int fd;			/* sd_journal_get_fd(); owned by j */
	struct strbuf text;	/* the entry rendered; text[off..] is left */
	size_t off;
	struct strbuf fields;	/* values of the current entry */
	struct strbuf last_boot;	/* boot id of the last entry */
	int err;		/* an error kept for the next read */
};

static char *boot_dup(const struct strbuf *boot)
{
	return boot->len ? xmemdupz(boot->buf, boot->len) : NULL;
}

static void add_mark(struct kt_live *l, uint64_t pos, bool fixed, char *key,
		     char *boot)
{
	struct kt_live_mark m = { 0 };

	m.offset = l->offset;
	m.pos = pos;
	m.fixed = fixed;
	m.key = key;
	m.boot = boot;
	kt_live_mark_add(l, &m);
}

/* The cursor of the current entry, owned by the caller, or NULL. */
static char *entry_cursor(struct journal_live *jl)
{
	char *c = NULL, *dup;

	if (sd_journal_get_cursor(jl->j, &c) < 0)
		return NULL;
	dup = xstrdup(c);
	free(c);
	return dup;
}

/*
 * Renders the current entry into text, with a mark for it.  Returns
 * false when it has nothing to render.
 */
static bool render_entry(struct kt_live *l)
{
	struct journal_live *jl = l->data;
	struct kt_source_journal_entry e;
	char *boot;

	strbuf_reset(&jl->text);
	jl->off = 0;
	if (!kt_source_journal_load(jl->j, &jl->fields, &e))
		return false;
	boot = boot_dup(&jl->last_boot);
	kt_source_journal_render(&jl->text, &e, &jl->last_boot);
	add_mark(l, 0, false, entry_cursor(jl), boot);
	return true;
}

/* ------------------------------------------------------------ opening */

/* No cursor: after the last entry there is now. */
static int open_at_tail(struct kt_live *l)
{
	struct journal_live *jl = l->data;
	struct kt_source_journal_entry e;
	int r;

	r = sd_journal_seek_tail(jl->j);
	if (r >= 0)
		r = sd_journal_previous(jl->j);
	if (r < 0)
		return r;
	if (!r) {
		add_mark(l, 0, false, NULL, NULL);
		return sd_journal_seek_head(jl->j);
	}
	if (kt_source_journal_load(jl->j, &jl->fields, &e) && e.boot_id.len)
		strbuf_add(&jl->last_boot, e.boot_id.p, e.boot_id.len);
	add_mark(l, KT_LIVE_ALL, true, entry_cursor(jl),
		 boot_dup(&jl->last_boot));
	return 0;
}

/*
 * At a cursor: its entry rendered again with the boot id it saw before
 * it, less what was handed out (skip).  When the entry is gone (the
 * journal was vacuumed), reading goes on from where seeking landed.
 */
static int open_at_cursor(struct kt_live *l, const struct kt_live_cursor *cur)
{
	struct journal_live *jl = l->data;
	char *key;
	int r;

	if (cur->boot.len && !kt_str_eq_cstr(cur->boot, "-"))
		strbuf_add(&jl->last_boot, cur->boot.p, cur->boot.len);
	if (!cur->key.p) {
		add_mark(l, 0, false, NULL, boot_dup(&jl->last_boot));
		return sd_journal_seek_head(jl->j);
	}
	key = xmemdupz(cur->key.p, cur->key.len);
	r = sd_journal_seek_cursor(jl->j, key);
	if (r >= 0)
		r = sd_journal_next(jl->j);
	if (r > 0 && sd_journal_test_cursor(jl->j, key) > 0) {
		if (!render_entry(l)) {
			add_mark(l, KT_LIVE_ALL, true, key,
				 boot_dup(&jl->last_boot));
			return 0;
		}
		free(key);
		jl->off = cur->pos == KT_LIVE_ALL ? jl->text.len :
			  (size_t)KT_MIN(cur->pos, (uint64_t)jl->text.len);
		/* the mark describes the bytes from the cursor on */
		l->mark[l->mark_nr - 1].pos = jl->off;
		return 0;
	}
	/* the cursor stays valid until something is read */
	add_mark(l, cur->pos, true, key, boot_dup(&jl->last_boot));
	if (r > 0)
		render_entry(l);
	return r < 0 ? r : 0;
}

static int journal_open(struct kt_ctx *ctx, struct kt_live *l,
			const char *path, const struct kt_live_cursor *cur)
{
	struct journal_live *jl;
	int r;

	jl = xcalloc(1, sizeof(*jl));
	strbuf_init(&jl->text, 0);
	strbuf_init(&jl->fields, 0);
	strbuf_init(&jl->last_boot, 0);
	jl->fd = -1;
	l->data = jl;
	r = kt_source_journal_open(path ? path : LOCAL_JOURNAL, &jl->j);
	if (r < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s",
				path ? path : l->name, strerror(-r));
	sd_journal_set_data_threshold(jl->j, DATA_THRESHOLD);
	/* before positioning: what is written from now on wakes the fd */
	jl->fd = sd_journal_get_fd(jl->j);
	r = cur ? open_at_cursor(l, cur) : open_at_tail(l);
	if (r < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
				l->name, strerror(-r));
	return 0;
}

/* ------------------------------------------------------------ reading */

static int journal_read(struct kt_ctx *ctx, struct kt_live *l,
			struct strbuf *out, size_t cap, size_t *got)
{
	struct journal_live *jl = l->data;
	size_t n;
	int r = jl->err;

	*got = 0;
	jl->err = 0;
	if (r)
		return r;
	if (jl->fd >= 0)
		sd_journal_process(jl->j);
	for (;;) {
		if (jl->off == jl->text.len) {
			r = sd_journal_next(jl->j);
			if (r <= 0)
				break;
			if (!render_entry(l))
				continue;
		}
		n = kt_live_fit(jl->text.buf + jl->off, jl->text.len - jl->off,
				cap - *got, !*got);
		strbuf_add(out, jl->text.buf + jl->off, n);
		jl->off += n;
		l->offset += n;
		*got += n;
		if (jl->off < jl->text.len)
			return 0;	/* no room left */
	}
	if (r >= 0)
		return 0;
	r = kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s", l->name,
		     strerror(-r));
	if (*got) {
		jl->err = r;
		r = 0;
	}
	return r;
}

static int journal_fd(const struct kt_live *l)
{
	const struct journal_live *jl = l->data;

	return jl->fd;
}

static void journal_cursor(const struct kt_live *l,
			   const struct kt_live_mark *m, uint64_t pos,
			   struct strbuf *out)
{
	strbuf_addf(out, " boot=%s", m->boot ? m->boot : "-");
	if (pos == KT_LIVE_ALL)
		strbuf_addstr(out, " skip=all");
	else
		strbuf_addf(out, " skip=%" PRIu64, pos);
	if (m->key)
		strbuf_addf(out, " cursor=%s", m->key);
}

static void journal_close(struct kt_live *l)
{
	struct journal_live *jl = l->data;

	sd_journal_close(jl->j);
	strbuf_release(&jl->text);
	strbuf_release(&jl->fields);
	strbuf_release(&jl->last_boot);
	free(jl);
	l->data = NULL;
}

const struct kt_live_ops kt_live_journal = {
	.name = "journal",
	.open = journal_open,
	.read = journal_read,
	.fd = journal_fd,
	.cursor = journal_cursor,
	.close = journal_close,
};
