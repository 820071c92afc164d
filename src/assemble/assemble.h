/*
 * assemble.h - from tagged lines to whole kernel reports.
 *
 * The assembler reads lines with their rule tags (struct kt_match) and
 * builds struct kt_report: one per multi-line kernel report (oops, WARN,
 * hung task, lockdep, RCU stall, OOM, panic, ...), one per one-line
 * event, and one per boot marker.  It never calls the matcher.
 *
 * Lines of different reports may interleave.  Each (host, caller id)
 * pair is a context with at most one open report; lines without a
 * caller id share their host's context.  A report closes on its end
 * marker, on the start of an unrelated report in its context, when its
 * context stays silent for KT_REPORT_GAP_US of log time, after too many
 * unrelated lines, or at the end of the input.  An ended report lingers
 * briefly to collect "tail" lines (oom_reaper after an OOM kill).
 *
 * Reports are delivered through the callback in the order of their first
 * line; the callback owns them (kt_report_free).  Memory is bounded:
 * fields, frames and lines per report are capped and the excess is
 * counted in kt_report.cut.
 */
#ifndef KT_ASSEMBLE_H
#define KT_ASSEMBLE_H

#include "base/compat.h"
#include "frame/frame.h"
#include "match/matcher.h"
#include "match/rules.h"

#define KT_REPORT_GAP_US (10 * 1000000LL)
#define KT_REPORT_FRAMES_MAX 128
#define KT_REPORT_FIELDS_MAX 128
#define KT_REPORT_VALUE_MAX 1024
#define KT_REPORT_LINES_MAX 50000

enum kt_report_kind {
	KT_REPORT_ANOMALY,	/* opened by a head or line rule */
	KT_REPORT_BOOT,		/* a new boot begins here */
};

/*
 * One frame of a call trace.  Its four strings share one allocation,
 * owned through func (kt_frame_set(), kt_frame_release()).
 */
struct kt_frame {
	char *func;		/* owned */
	char *off;		/* in func's allocation, or NULL: "0x20b" */
	char *size;		/* in func's allocation, or NULL: "0x3d0" */
	char *module;		/* in func's allocation, or NULL: "ptlrpc" */
	bool reliable;		/* false for "? func" frames */
};

/*
 * Sets f's strings to copies of the slices (a slice whose p is NULL
 * leaves its string NULL); reliable is left alone.
 */
void kt_frame_set(struct kt_frame *f, struct kt_str func, struct kt_str off,
		  struct kt_str size, struct kt_str module);
/* Frees f's strings and sets them to NULL. */
void kt_frame_release(struct kt_frame *f);

struct kt_rfield {
	uint16_t field;		/* field id in the ruleset */
	char *value;		/* owned */
};

/* One entry of a collected list field (locks, top_rss). */
struct kt_ritem {
	uint16_t field;		/* the list field */
	const struct kt_rule_collect *spec;	/* borrowed from the rule */
	char **val;		/* owned; one per spec item key, or 1 */
	int64_t sort_key;
};

struct kt_report {
	enum kt_report_kind kind;
	const struct kt_rule *head;	/* borrowed: the rule that opened it */
	enum kt_severity severity;	/* highest of the heads it absorbed */
	const char *subtype;	/* borrowed: the head's, or a refinement */
	const char *file;	/* borrowed: input name, valid for the run */
	uint64_t line, line_end;	/* 1-based, inclusive */
	uint64_t offset;	/* input offset of the first line */
	int64_t wall_us;	/* time of the first line, or KT_NO_TIME */
	int64_t mono_us;	/* monotonic stamp of the first line, or -1 */
	char *host;		/* owned, NULL when the log names none */
	char *message;		/* owned: the head line's message */
	uint32_t caller;
	struct kt_rfield *field;	/* owned; first value of a field wins */
	size_t nr_field, alloc_field;
	struct kt_ritem *item;	/* owned */
	size_t nr_item, alloc_item;
	struct kt_frame *frame;	/* owned; the main call trace, innermost
				 * first */
	size_t nr_frame, alloc_frame;
	uint64_t nr_lines;	/* lines that belong to the report */
	unsigned cut;		/* lines, frames or fields dropped at caps */
	bool ended;		/* its end marker was seen */
	bool after_cause;	/* a "hold" head: the report delivered just
				 * before this one is its cause */

	/* KT_REPORT_BOOT only */
	int boot_phase;
	bool prev_exists;	/* the host logged lines before this boot */
	uint64_t prev_last_line;
	const char *prev_file;	/* borrowed */
	int64_t prev_last_wall_us;
	bool prev_shutdown;	/* the previous boot ended in an orderly
				 * shutdown */
	bool clock_reset;	/* found by the monotonic clock restarting,
				 * no marker line */

	/* private to the assembler */
	int64_t last_wall_us, last_mono_us;
	uint64_t seq_last;	/* context line counter at last member */
	int section;		/* enum kt_section_kind of current part */
	int next_section;	/* takes effect after the current line */
	bool restart_pending;	/* a restart marker was seen: the frames
				 * before it go once a frame follows */
	size_t restart_at;	/* frames up to the last marker */
	bool rip_in_trace;	/* the RIP came from inside the trace (an
				 * interrupt's registers), not its header */
	uint32_t foreign;	/* unrelated lines in a row */
	struct kt_report *cause;	/* owned while held */
	int64_t arrived_us;	/* live input: clock when its last line came */
};

void kt_report_free(struct kt_report *r);

/* The value of a field, or NULL. */
const char *kt_report_get(const struct kt_report *r, uint16_t field);

typedef void kt_report_fn(void *data, struct kt_report *r);

struct kt_assembler;

/* rs must outlive the assembler. */
struct kt_assembler *kt_assembler_new(const struct kt_ruleset *rs,
				      kt_report_fn *fn, void *data);
void kt_assembler_free(struct kt_assembler *as);

/*
 * Starts a new input.  name is borrowed and must stay valid until the
 * assembler is freed (reports point at it).
 */
void kt_assembler_begin(struct kt_assembler *as, const char *name);

/* Feeds one line and its tags. */
void kt_assembler_feed(struct kt_assembler *as, const struct kt_line *line,
		       const struct kt_match *m);

/*
 * The reports the line could still join, for the matcher: the report of
 * the line's (host, caller id) context, and the host's report in
 * progress when the line has a caller id (another CPU's part of it).
 * A line that opens nothing may only add to those.
 */
void kt_assembler_want(struct kt_assembler *as, const struct kt_line *line,
		       struct kt_match_want *want);

/* Ends the current input: every report still open is delivered. */
void kt_assembler_end(struct kt_assembler *as);

/*
 * Live input, which never ends: the clock (any monotonic microseconds)
 * at which the next lines arrive, and the closing of reports no line
 * has joined for idle_us by now.  A report without an end marker (a hung
 * task, a lockup) is otherwise only closed by the next unrelated line.
 */
void kt_assembler_set_clock(struct kt_assembler *as, int64_t now_us);
void kt_assembler_tick(struct kt_assembler *as, int64_t now_us,
		       int64_t idle_us);

/*
 * The input offset of the earliest line a report not yet delivered
 * starts at, or none (UINT64_MAX), and that line's number in *line.
 * Reading again from there after a restart rebuilds every report not
 * delivered yet.
 */
uint64_t kt_assembler_pending_offset(const struct kt_assembler *as,
				     uint64_t *line);

#endif
