/*
 * live.h - sources that never end: a followed file, /dev/kmsg, the
 * journal.  `ktriage watch` reads them.
 *
 * A live source hands out text lines as they are written (the same text
 * the batch sources give: syslog lines for a file, kmsg records for
 * /dev/kmsg, short-iso-precise lines and "-- Boot ID --" markers for the
 * journal), as bytes counted from the start of the source, its offset.
 * It remembers where each line it handed out began, so that a position
 * of the stream (src/pipeline/pipeline.h, kt_stream_pending()) turns into
 * a cursor: a string that, given back to kt_live_open() after a restart,
 * makes the source hand out the same bytes again from that line on, with
 * the same offsets.
 *
 *   file     follows a path like `tail -F`: rotation by rename (the old
 *            file is read to its end first), copytruncate and truncation
 *            (read again from the start), deletion and re-creation, a
 *            path that does not exist yet; inotify, no polling.  Cursor:
 *            device, inode and offset in the file.
 *   kmsg     /dev/kmsg records with their sequence numbers.  Cursor: the
 *            boot id (/proc/sys/kernel/random/boot_id) and the sequence
 *            number: the same boot resumes after it, a new boot is read
 *            from its first record.  When the kernel overwrote records
 *            before they could be read (EPIPE), the count is reported
 *            (kt_live_lost()), never silently skipped.
 *   journal  the systemd journal (kernel and units) through libsystemd.
 *            Cursor: the journal's own cursor string.
 */
#ifndef KT_LIVE_H
#define KT_LIVE_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"

enum kt_live_kind { KT_LIVE_FILE, KT_LIVE_KMSG, KT_LIVE_JOURNAL };

struct kt_live;

/*
 * Opens a source; path is the followed file (KT_LIVE_FILE) or NULL (the
 * default device or journal; tests may name another kmsg file or
 * journal directory).  cursor is NULL to start at the beginning (file,
 * journal: the current end; kmsg: the first record of the current boot)
 * or a string kt_live_cursor() gave.  A source that cannot be opened
 * yet (a file that does not exist) opens anyway and waits for it.
 */
int kt_live_open(struct kt_ctx *ctx, enum kt_live_kind kind,
		 const char *path, const char *cursor, struct kt_live **out);
void kt_live_close(struct kt_live *l);

/* The name events point at (the path, "kmsg", "journal"). */
const char *kt_live_name(const struct kt_live *l);

/* A descriptor to poll for input, or -1 (then poll at least every 250 ms). */
int kt_live_fd(const struct kt_live *l);

/*
 * Appends what is available now (whole lines only, at most cap bytes) to
 * out; 0 when nothing is, a negative enum kt_err when the source failed
 * (it may recover: the caller reports it and calls again later).
 */
int kt_live_read(struct kt_ctx *ctx, struct kt_live *l, struct strbuf *out,
		 size_t cap);

/* Offset of the next byte kt_live_read() will hand out. */
uint64_t kt_live_offset(const struct kt_live *l);

/*
 * The cursor that resumes at offset, which must be the start of a line
 * handed out and not forgotten yet; the stream's line count travels
 * with it ("lines" is stored in the cursor and given back by
 * kt_live_resume_lines()).  Returns 0, or KT_ERR_NOTFOUND.
 */
int kt_live_cursor(const struct kt_live *l, uint64_t offset, uint64_t lines,
		   struct strbuf *out);
/* Forgets where the lines before offset began (they are committed). */
void kt_live_forget(struct kt_live *l, uint64_t offset);

/* After opening with a cursor: the offset and line count it resumes at. */
uint64_t kt_live_resume_offset(const struct kt_live *l);
uint64_t kt_live_resume_lines(const struct kt_live *l);

/* Records the source knows it missed (kmsg overruns), in total. */
uint64_t kt_live_lost(const struct kt_live *l);

#endif
