/*
 * source.h - what the input sources share, inside src/input/ (and its
 * unit tests).  Nothing outside the input stage includes this file.
 *
 * An open input is one struct kt_source driven by one ops table.  The
 * table is picked by kt_input_open(): the item's kind names it for the
 * journal and /dev/kmsg; otherwise the sources of sources.def are probed
 * in order and the first whose probe() accepts the path reads it (the
 * file source comes last and accepts anything).
 */
#ifndef KT_INPUT_SOURCE_H
#define KT_INPUT_SOURCE_H

#include "base/compat.h"
#include "base/err.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "input/input.h"

struct kt_source {
	const struct kt_source_ops *ops;	/* borrowed static table */
	void *data;	/* owned by the source; freed by ops->close */
	char *name;	/* owned; display name; freed by kt_input_close */
	uint64_t lost;	/* records the source knows it missed (kmsg) */
};

#define KT_SOURCE(name) extern const struct kt_source_ops kt_source_##name;
#include "input/sources.def"
#undef KT_SOURCE

/*
 * The file source reading a borrowed memory buffer instead of a path
 * (kt_input_open_mem).  data must stay valid until close.
 */
int kt_source_file_open_mem(struct kt_ctx *ctx, struct kt_source *src,
			    const char *data, size_t len);

/*
 * Opens the journal at path as the journal source would ("journal:",
 * "journal:ROOT", a directory or a .journal file) and tells whether it
 * has any entry and any kernel entry (_TRANSPORT=kernel).  Returns 0, or
 * KT_ERR_IO naming name when it cannot be opened.
 */
int kt_source_journal_probe_entries(struct kt_ctx *ctx, const char *path,
				    const char *name, bool *entries,
				    bool *kernel);

struct sd_journal;

/*
 * Opens the journal at path as the journal source does: "journal:" is
 * this machine's journal, "journal:ROOT" the journal of the system whose
 * root directory is ROOT; otherwise path is a journal directory or one
 * .journal file.  Returns sd_journal's result (negative errno on error).
 */
int kt_source_journal_open(const char *path, struct sd_journal **j);

/*
 * Journal rendering, factored out of source_journal.c so that it can be
 * tested without a journal file.  The fields of one entry, all slices
 * borrowed from the journal (or the test) and valid during the call;
 * a field the entry lacks is KT_STR_NULL (p == NULL).
 */
struct kt_source_journal_entry {
	struct kt_str message;		/* MESSAGE, bytes as stored */
	struct kt_str hostname;		/* _HOSTNAME */
	struct kt_str identifier;	/* SYSLOG_IDENTIFIER */
	struct kt_str comm;		/* _COMM */
	struct kt_str pid;		/* _PID */
	struct kt_str syslog_pid;	/* SYSLOG_PID */
	struct kt_str transport;	/* _TRANSPORT */
	struct kt_str boot_id;		/* _BOOT_ID */
	struct kt_str source_mono;	/* _SOURCE_MONOTONIC_TIMESTAMP */
	uint64_t realtime_us;		/* _SOURCE_REALTIME_TIMESTAMP, else
					 * the entry's receive time */
};

/*
 * Appends the entry to out as text lines ending in '\n':
 *     2025-11-24T08:21:08.123456+00:00 HOST IDENT[PID]: MESSAGE
 * Kernel entries (_TRANSPORT=kernel) use "kernel" and no pid, and carry
 * "[%5lu.%06lu] " from _SOURCE_MONOTONIC_TIMESTAMP before the message.
 * A MESSAGE with newlines gives one line per piece, each with the same
 * prefix.  When the boot id differs from last_boot (and last_boot is not
 * empty) a "-- Boot <id> --" line comes first; last_boot is updated.
 * A missing host is written "-", a missing identifier "unknown".
 */
void kt_source_journal_render(struct strbuf *out,
			      const struct kt_source_journal_entry *e,
			      struct strbuf *last_boot);

/*
 * Fills e with the fields of j's current entry, copied into fields
 * (which e's slices then borrow).  Returns false when the entry has no
 * MESSAGE (nothing to render).
 */
bool kt_source_journal_load(struct sd_journal *j, struct strbuf *fields,
			    struct kt_source_journal_entry *e);

#endif
