/*
 * input.h - where log bytes come from.
 *
 * The input stage turns what the user named (files, directories, "-",
 * or nothing: this machine's own logs) into an ordered list of items,
 * and each item into a stream of bytes.  Compression (gzip, zstd) is
 * detected from magic bytes and undone here, so later stages only ever
 * see text.  Sources that are not byte streams (the systemd journal,
 * /dev/kmsg) render their records as text lines in a format the framer
 * understands (journal: "short-iso-precise" style, kmsg: its record
 * format), so framing has one job.
 *
 * How to add a source: write src/input/source_<name>.c defining
 * "const struct kt_source_ops kt_source_<name>" (its private state hangs
 * off struct kt_source in input/source.h), and add one line
 * KT_SOURCE(<name>) to src/input/sources.def, before "file": sources are
 * probed in that order and the file source accepts any path.
 */
#ifndef KT_INPUT_H
#define KT_INPUT_H

#include "base/compat.h"
#include "base/err.h"

struct kt_source;

struct kt_source_ops {
	const char *name;
	/* Returns true when this source reads the item's path. */
	bool (*probe)(const char *path);
	int (*open)(struct kt_ctx *ctx, struct kt_source *src,
		    const char *path);
	/*
	 * Reads up to cap bytes into buf.  Sets *got; *got == 0 means end of
	 * input.  Returns 0 or a negative enum kt_err (detail in ctx).
	 */
	int (*read)(struct kt_ctx *ctx, struct kt_source *src, char *buf,
		    size_t cap, size_t *got);
	void (*close)(struct kt_source *src);
	/*
	 * NEEDSWORK: cursor_save/cursor_restore, so that `watch` can
	 * resume a source where it stopped, are not part of the ops yet.
	 */
};

enum kt_input_kind {
	KT_INPUT_FILE,		/* a regular file (maybe compressed) */
	KT_INPUT_STDIN,		/* "-" */
	KT_INPUT_JOURNAL,	/* the systemd journal (local or files) */
	KT_INPUT_KMSG,		/* the kernel ring buffer, /dev/kmsg */
};

/* One thing to read, in the order it is to be read. */
struct kt_input_item {
	char *path;		/* owned; a path, "-" or a pseudo path */
	char *display;		/* owned; its name in messages and events */
	enum kt_input_kind kind;
	int64_t mtime;		/* seconds since the epoch; 0 when unknown */
};

struct kt_input_list {
	struct kt_input_item *item;	/* owned */
	size_t nr, alloc;
	size_t skipped;		/* left out: unreadable, loops, binary */
};

void kt_input_list_init(struct kt_input_list *list);
void kt_input_list_release(struct kt_input_list *list);

enum kt_input_expand_flags {
	/*
	 * Paths are this machine's defaults: an unreadable one is reported
	 * once at KT_LOG_WARN and is not an error; a missing one is left
	 * out quietly (KT_LOG_DEBUG).
	 */
	KT_INPUT_EXPAND_DEFAULTS = 1 << 0,
};

/*
 * Expands user-given paths into items, appended to out:
 *
 *  - "-" is standard input; any other path that is not a directory is
 *    read as given, in the order given, whatever its name or bytes
 *    (a .journal file through the journal source, /dev/kmsg through the
 *    kmsg source, anything else as a byte stream);
 *  - a directory is walked recursively, symlinks followed.  A directory
 *    met again (by st_dev and st_ino) is skipped: with a warning
 *    "skipping 'a/b/loop': directory loop" when it is one of the
 *    directories being walked, quietly when it was read before; a file
 *    met again is also read once.  In a directory walk, files that are
 *    not text logs are left out: wtmp, btmp, utmp, lastlog, faillog and
 *    tallylog (quietly) and files with a NUL byte in their first 4 KiB
 *    after decompression (with a warning); sockets, fifos and devices
 *    are left out too, and so are dangling symlinks (with a warning)
 *    and files removed while the directory is read (quietly).
 *    .journal files go to the journal source, one item per file.
 *    Each directory is sorted with kt_rotate_cmp()
 *    (input/rotate.h): log families by name, the files of one family
 *    oldest first (kern.log.3.gz, kern.log.2.gz, kern.log.1, kern.log;
 *    messages-20250101, messages-20250108.gz, messages; syslog.10.gz
 *    before syslog.9.gz).
 *
 * Each item gets its mtime.  Entries left out are counted in
 * out->skipped.  Returns 0, or a negative enum kt_err when a named path
 * does not exist, or a path (named or found in a walk) cannot be read:
 * the rest are still added, so the caller can report and go on.  The
 * detail of the last such failure is in ctx; earlier ones, if any, have
 * already been logged at KT_LOG_ERROR, so the caller prints ctx and
 * every failure is told once, in order.  With KT_INPUT_EXPAND_DEFAULTS
 * failures are warnings instead and 0 is returned.
 */
int kt_input_expand(struct kt_ctx *ctx, const char *const *paths, size_t n,
		    unsigned flags, struct kt_input_list *out);

/*
 * Adds this machine's own logs as spec/events.md lists them, in this
 * order:
 *
 *  1. the systemd journal (sd_journal_open with SD_JOURNAL_LOCAL_ONLY |
 *     SD_JOURNAL_SYSTEM: the kernel and system units), when it can be
 *     read and has entries; item path "journal:", display "journal";
 *  2. only when there is no such journal: ONE text family of /var/log,
 *     so that the same kernel lines are not read twice (syslog daemons
 *     write them to several files): messages* if any exists, else
 *     syslog*, else kern.log*, oldest first;
 *  3. /var/crash/<dir>/vmcore-dmesg.txt, directories by name;
 *  4. pstore records: the files under /sys/fs/pstore and
 *     /var/lib/systemd/pstore (recursively);
 *  5. the kernel ring buffer /dev/kmsg (read without blocking), only
 *     when no persisted kernel log was found in 1 or 2 (a journal with
 *     kernel entries, or a text family).
 *
 * Missing ones are left out quietly; unreadable ones are reported once
 * each at KT_LOG_WARN ("cannot open '/var/log/messages': Permission
 * denied") and skipped.  Returns 0.
 */
int kt_input_defaults(struct kt_ctx *ctx, struct kt_input_list *out);

/*
 * kt_input_defaults() for the system whose root directory is root:
 * every path above is looked up under root (root/var/log/messages, ...)
 * and the journal is the one under root (sd_journal_open_directory with
 * SD_JOURNAL_OS_ROOT; item path "journal:<root>").  root NULL, "" or
 * "/" is this machine.  For tests, and for reading a mounted image.
 */
int kt_input_defaults_root(struct kt_ctx *ctx, const char *root,
			   struct kt_input_list *out);

/*
 * Only steps 3 and 4 of kt_input_defaults() under root (NULL: this
 * machine): what a crash left behind for the next boot.  `watch`
 * harvests these at start-up.
 */
int kt_input_crash_records(struct kt_ctx *ctx, const char *root,
			   struct kt_input_list *out);

/*
 * An open item: a byte stream with compression already undone.  gzip
 * (all members) and zstd (all frames) are found from the first bytes,
 * never from the name, for files and standard input alike.  A truncated
 * or corrupt stream hands out every byte decoded before the damage, then
 * kt_input_read() fails with KT_ERR_FORMAT ("cannot read 'kern.log.2.gz':
 * truncated gzip data").  Memory use is fixed whatever the input.
 */
struct kt_input;

int kt_input_open(struct kt_ctx *ctx, const struct kt_input_item *item,
		  struct kt_input **out);
/* As kt_source_ops.read: *got == 0 at end of input. */
int kt_input_read(struct kt_ctx *ctx, struct kt_input *in, char *buf,
		  size_t cap, size_t *got);
void kt_input_close(struct kt_input *in);

/*
 * Records the source knows it missed so far: for /dev/kmsg, records the
 * kernel overwrote before they could be read (read() failing with
 * EPIPE; counted from the gap in sequence numbers).  0 for other sources.
 */
uint64_t kt_input_lost_records(const struct kt_input *in);

/*
 * Opens a borrowed memory buffer as an input (tests, fuzzing, stdin
 * replays).  data must stay valid until kt_input_close().  Compression
 * is detected as for files.
 */
int kt_input_open_mem(struct kt_ctx *ctx, const char *data, size_t len,
		      struct kt_input **out);

#endif
