/*
 * frame.h - from byte chunks to log lines.
 *
 * The framer pulls bytes from an open input, splits them into lines,
 * detects each line's format on its own (one file may mix syslog, ISO
 * syslog, dmesg, dmesg -T, journalctl text and JSON, kmsg records and
 * bare text), and strips the prefix into time, host, program, pid and
 * caller id.  rsyslog's #012 escapes, kmsg's \x0a and multi-line journal
 * MESSAGEs become several lines that share one line number.
 *
 * Limits: a line longer than KT_LINE_MAX is cut there (the rest is
 * skipped and counted in stats.truncated); memory use is fixed whatever
 * the input.
 */
#ifndef KT_FRAME_H
#define KT_FRAME_H

#include "base/compat.h"
#include "base/err.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "input/input.h"

#define KT_LINE_MAX (64 * 1024)

enum kt_line_fmt {
	KT_FMT_BARE = 0,	/* no recognised prefix */
	KT_FMT_SYSLOG,		/* Jun  6 21:33:13 host prog[pid]: msg */
	KT_FMT_ISO,		/* 2025-11-24T08:21:08+08:00 host prog: msg */
	KT_FMT_DMESG,		/* [  772.918915] msg, [ 1.2][ T12] msg */
	KT_FMT_DMESG_T,		/* [Mon Jun  6 21:33:13 2022] msg, and after
				 * dmesg -x's "kern  :warn  : " */
	KT_FMT_KMSG,		/* 6,1234,5678901,-;msg */
	KT_FMT_JOURNAL_JSON,	/* journalctl -o json */
	KT_FMT_JOURNAL_MONO,	/* [  772.918915] host prog[pid]: msg */
	KT_FMT_JOURNAL_FULL,	/* Mon 2025-11-24 08:21:08 CST host prog: msg */
	KT_FMT_DMESG_ISO,	/* 2025-11-24T08:21:08,123456+08:00 msg */
	KT_FMT_JOURNAL_UNIX,	/* 1763972468.123456 host prog[pid]: msg */
	KT_FMT_RFC5424,		/* <4>1 2025-11-24T08:21:08.123+08:00 host
				 * prog pid msgid [sd] msg */
	KT_FMT_NR
};

const char *kt_line_fmt_name(enum kt_line_fmt fmt);

/* Caller ids printed with CONFIG_PRINTK_CALLER: [ T1234] or [ C1]. */
#define KT_CALLER_TASK (1u << 30)
#define KT_CALLER_CPU (1u << 31)
#define KT_CALLER_ID(c) ((c) & ~(KT_CALLER_TASK | KT_CALLER_CPU))

/*
 * One log line.  All slices borrow from the framer and are valid until
 * the next kt_framer_next() call.
 */
struct kt_line {
	struct kt_str raw;	/* the whole line as read, without newline */
	struct kt_str msg;	/* the message, all prefixes removed */
	struct kt_str host;	/* host name, empty when not given */
	struct kt_str prog;	/* program ("kernel", "systemd"), or empty */
	struct kt_str boot_id;	/* journal boot id when the format has one */
	uint64_t lineno;	/* 1-based line number in the input */
	uint64_t offset;	/* where raw starts in the decompressed input */
	int64_t wall_us;	/* UTC us since the epoch, or KT_NO_TIME */
	int64_t mono_us;	/* microseconds since boot, or -1 */
	int32_t pid;		/* prog[pid], or -1 */
	uint32_t caller;	/* KT_CALLER_TASK|id, KT_CALLER_CPU|id, or 0 */
	uint8_t fmt;		/* enum kt_line_fmt */
	int8_t level;		/* syslog priority 0-7 when given, else -1 */
	bool is_kernel;		/* from the kernel: prog "kernel" or none */
	bool cut;		/* the line was longer than KT_LINE_MAX */
	bool synthetic;		/* made by the framer (journal boot change) */
};

struct kt_framer_stats {
	uint64_t lines;		/* physical lines read */
	uint64_t bytes;		/* bytes read (after decompression) */
	uint64_t truncated;	/* lines cut at KT_LINE_MAX */
	uint64_t fmt[KT_FMT_NR];	/* lines per detected format */
};

struct kt_framer_opts {
	int64_t mtime;		/* input's mtime, for syslog year inference */
	int64_t now;		/* fallback when mtime is 0 */
};

struct kt_framer;

/*
 * Called with every block of input bytes as it is read, before any line
 * of it is handed out, and once with eof set at the end: lets a later
 * stage look at the raw stream in big blocks (the matcher's screen).
 */
typedef void kt_framer_chunk_fn(void *data, const char *buf, size_t len,
				bool eof);

struct kt_framer *kt_framer_new(const struct kt_framer_opts *opts);
void kt_framer_set_chunk_fn(struct kt_framer *fr, kt_framer_chunk_fn *fn,
			    void *data);
void kt_framer_free(struct kt_framer *fr);

/*
 * Gives the next line from in.  Returns 1 with *line filled, 0 at the
 * end of input, or a negative enum kt_err (detail in ctx) when reading
 * fails; lines already returned stay valid results.
 *
 * Live input (in == NULL): the bytes come from kt_framer_push() instead,
 * and 0 means that no whole line is buffered yet; kt_framer_push_end()
 * ends the input (a last line without a newline is then given too).
 */
int kt_framer_next(struct kt_ctx *ctx, struct kt_framer *fr,
		   struct kt_input *in, struct kt_line *line);

/*
 * Appends live input to the buffer; returns how many bytes fit (0 when
 * the buffer is full: take the lines out with kt_framer_next() first).
 * The chunk callback sees the bytes as they are pushed.
 */
size_t kt_framer_push(struct kt_framer *fr, const char *data, size_t len);
void kt_framer_push_end(struct kt_framer *fr);
/* Input offset of the first byte not given out as part of a line yet. */
uint64_t kt_framer_consumed(const struct kt_framer *fr);
/* Physical lines given out so far (the last line number). */
uint64_t kt_framer_lines(const struct kt_framer *fr);
/*
 * Before any input: the input starts at offset and after lines lines
 * (resuming where an earlier run stopped), so that line numbers and
 * offsets continue.
 */
void kt_framer_set_position(struct kt_framer *fr, uint64_t lines,
			    uint64_t offset);

const struct kt_framer_stats *kt_framer_stats(const struct kt_framer *fr);

#endif
