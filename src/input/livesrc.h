/*
 * livesrc.h - what the live sources share, inside src/input/ (and its
 * unit tests).  Nothing outside the input stage includes this file.
 *
 * An open live source is one struct kt_live driven by one ops table,
 * picked by its enum kt_live_kind (live.c).  The common part keeps the
 * offset, the lost-record count and the marks; each kind (live_file.c,
 * live_kmsg.c, live_journal.c) reads its source and adds a mark where
 * the bytes it hands out stop being a simple continuation of the last
 * mark's (a new file, a new record, a new journal entry).
 *
 * How to add a kind: write src/input/live_<kind>.c defining
 * "const struct kt_live_ops kt_live_<kind>", add the kind to enum
 * kt_live_kind (input/live.h) and the table to ops[] in live.c.
 */
#ifndef KT_INPUT_LIVESRC_H
#define KT_INPUT_LIVESRC_H

#include "base/compat.h"
#include "base/err.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "input/live.h"

/* A mark's pos for "after the whole entry" (journal). */
#define KT_LIVE_ALL UINT64_MAX

/*
 * Where the stream byte at offset came from: bytes after it, up to the
 * next mark, come from the same place at pos + (their offset - offset),
 * unless fixed.  What id, key and boot mean is the kind's business:
 *   file     id = {dev, ino, btime in ns (0: unknown)}, pos = offset in
 *            the file; id {0, 0, 0}: no file (read the path from 0);
 *            fixed: a newline the source added after a last line
 *   kmsg     id[0] = sequence number, pos = bytes of that record
 *   journal  key = the entry's cursor (NULL: the journal's head),
 *            boot = boot id before the entry, pos = bytes of the
 *            entry's text (KT_LIVE_ALL, fixed: after the whole entry)
 */
struct kt_live_mark {
	uint64_t offset;
	uint64_t pos;
	uint64_t id[3];
	char *key;	/* owned; freed by kt_live_forget/kt_live_close */
	char *boot;	/* owned; as key */
	bool fixed;
};

/*
 * A cursor string parsed.  It reads, fields separated by one space:
 *   KIND offset=N lines=N FIELD=VALUE...
 * with the kind's fields: file "dev= ino= btime= pos=", kmsg
 * "boot= seq= skip=", journal "boot= skip= cursor=" (cursor last: it is
 * the rest of the string; absent for the head).  Unknown fields are
 * ignored.  Slices borrow from the string given to kt_live_open().
 */
struct kt_live_cursor {
	uint64_t offset, lines;
	uint64_t dev, ino, btime;	/* file */
	uint64_t pos;		/* file: offset; kmsg, journal: skip */
	uint64_t seq;		/* kmsg */
	struct kt_str boot;	/* kmsg, journal; "-" is none */
	struct kt_str key;	/* journal; KT_STR_NULL: the head */
};

struct kt_live {
	const struct kt_live_ops *ops;	/* borrowed static table */
	enum kt_live_kind kind;
	char *name;		/* owned; freed by kt_live_close */
	void *data;		/* owned by the kind; freed by ops->close */
	uint64_t offset;	/* of the next byte handed out */
	uint64_t resume_offset, resume_lines;
	uint64_t lost;
	struct kt_live_mark *mark;	/* owned; by offset, oldest first */
	size_t mark_nr, mark_alloc;
};

struct kt_live_ops {
	const char *name;	/* the cursor's KIND */
	/*
	 * Opens path (NULL: the default) and positions the source at cur
	 * (NULL: no cursor, see kt_live_open), adding the first mark.
	 */
	int (*open)(struct kt_ctx *ctx, struct kt_live *l, const char *path,
		    const struct kt_live_cursor *cur);
	/*
	 * Appends at most cap (> 0) bytes to out and sets *got, advancing
	 * l->offset.  An error after some bytes were appended is kept for
	 * the next call: the bytes are handed out first.
	 */
	int (*read)(struct kt_ctx *ctx, struct kt_live *l, struct strbuf *out,
		    size_t cap, size_t *got);
	int (*fd)(const struct kt_live *l);
	/* Appends " FIELD=VALUE..." for the place at pos of mark m. */
	void (*cursor)(const struct kt_live *l, const struct kt_live_mark *m,
		       uint64_t pos, struct strbuf *out);
	void (*close)(struct kt_live *l);
};

#define KT_LIVE_OPS(kind) extern const struct kt_live_ops kt_live_##kind;
KT_LIVE_OPS(file)
KT_LIVE_OPS(kmsg)
KT_LIVE_OPS(journal)
#undef KT_LIVE_OPS

/*
 * Adds a mark at m->offset (taking over key and boot).  A mark at the
 * same offset as the last one replaces it: the later one describes the
 * bytes that follow.
 */
void kt_live_mark_add(struct kt_live *l, const struct kt_live_mark *m);

/*
 * How many of the len bytes at text to hand out in room bytes: all of
 * them when they fit, else up to and including the last newline that
 * fits; when none fits, room bytes if cut (a line longer than the
 * caller's cap), else 0.
 */
size_t kt_live_fit(const char *text, size_t len, size_t room, bool cut);

#endif
