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
 * "const struct kt_source_ops kt_source_<name>", and add one line
 * KT_SOURCE(<name>) to src/input/sources.def.
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
};

enum kt_input_kind {
	KT_INPUT_FILE,		/* a regular file (maybe compressed) */
	KT_INPUT_STDIN,		/* "-" */
	KT_INPUT_JOURNAL,	/* the systemd journal (local or files) */
	KT_INPUT_KMSG,		/* the kernel ring buffer, /dev/kmsg */
};

/* One thing to read, in the order it is to be read. */
struct kt_input_item {
	char *path;		/* owned; filesystem path, "-" or a pseudo path */
	char *display;		/* owned; the name used in messages and events */
	enum kt_input_kind kind;
	int64_t mtime;		/* seconds since the epoch; 0 when unknown */
};

struct kt_input_list {
	struct kt_input_item *item;	/* owned; freed by kt_input_list_release */
	size_t nr, alloc;
	size_t skipped;		/* entries left out (unreadable, loops, binary) */
};

void kt_input_list_init(struct kt_input_list *list);
void kt_input_list_release(struct kt_input_list *list);

enum kt_input_expand_flags {
	/*
	 * Paths are this machine's defaults: a missing or unreadable one is
	 * reported once at KT_LOG_WARN and is not an error.
	 */
	KT_INPUT_EXPAND_DEFAULTS = 1 << 0,
};

/*
 * Expands user-given paths into items: a file as is, a directory
 * recursively (symlinks followed, loops detected and skipped with a
 * warning), rotated files of one log oldest first (kern.log.3.gz,
 * kern.log.2.gz, kern.log.1, kern.log; messages-20250101, messages).
 * Returns 0, or a negative enum kt_err when a named path cannot be read
 * at all (the detail in ctx; the rest are still added, so the caller can
 * report and go on).
 */
int kt_input_expand(struct kt_ctx *ctx, const char *const *paths, size_t n,
		    unsigned flags, struct kt_input_list *out);

/*
 * Adds this machine's own logs as spec/events.md lists them: the journal,
 * /var/log/{kern.log,messages,syslog}* (one family, to avoid reading the
 * same kernel lines twice), /var/crash/<dir>/vmcore-dmesg.txt and pstore
 * records; the kernel ring buffer when no persisted kernel log exists.
 * Unreadable ones are reported once (KT_LOG_WARN) and skipped.
 */
int kt_input_defaults(struct kt_ctx *ctx, struct kt_input_list *out);

/* An open item: a byte stream with compression already undone. */
struct kt_input;

int kt_input_open(struct kt_ctx *ctx, const struct kt_input_item *item,
		  struct kt_input **out);
/* As kt_source_ops.read: *got == 0 at end of input. */
int kt_input_read(struct kt_ctx *ctx, struct kt_input *in, char *buf,
		  size_t cap, size_t *got);
void kt_input_close(struct kt_input *in);

/*
 * Opens a borrowed memory buffer as an input (tests, fuzzing, stdin
 * replays).  data must stay valid until kt_input_close().  Compression
 * is detected as for files.
 */
int kt_input_open_mem(struct kt_ctx *ctx, const char *data, size_t len,
		      struct kt_input **out);

#endif
