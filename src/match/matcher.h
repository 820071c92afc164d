/*
 * matcher.h - tag each line with the rules it matches.
 *
 * Rule patterns are compiled into vectorscan databases per line origin
 * (kernel lines, user-space lines): the rules that open something, the
 * other rules that apply to every report, and per report type those
 * that apply to that type only, so a line is tested against each rule
 * that can matter for it in a few scans.  PCRE2 then runs only on the
 * rules that vectorscan flagged, to confirm patterns vectorscan can only
 * approximate and to extract named groups.
 *
 * The result, struct kt_match, is what later stages read: they never call
 * the matcher themselves.
 */
#ifndef KT_MATCHER_H
#define KT_MATCHER_H

#include "base/compat.h"
#include "base/err.h"
#include "base/str.h"
#include "frame/frame.h"
#include "match/rules.h"

#define KT_MATCH_MAX 16
#define KT_CAPTURE_MAX 64

struct kt_capture {
	uint16_t field;		/* field id the group feeds */
	struct kt_str val;	/* borrowed from the line's msg */
};

struct kt_match_hit {
	const struct kt_rule *rule;	/* borrowed from the ruleset */
	uint16_t cap_start, cap_nr;	/* captures[cap_start, +cap_nr) */
};

/* The rules one line matched, in rule-pack order, with their captures. */
struct kt_match {
	uint16_t nr;
	struct kt_match_hit hit[KT_MATCH_MAX];
	uint16_t nr_caps;
	struct kt_capture cap[KT_CAPTURE_MAX];
};

struct kt_matcher;

/*
 * Compiles the ruleset (which must outlive the matcher).  Compiling a
 * rule pack into vectorscan takes most of a second, so when cache_dir is
 * not NULL the compiled databases are kept there, keyed by a hash of
 * every pattern, its report types and the library version, and loaded
 * next time (the three packs used last stay beside a new one); a cache
 * that cannot be read or written is silently ignored.
 */
int kt_matcher_new(struct kt_ctx *ctx, const struct kt_ruleset *rs,
		   const char *cache_dir, struct kt_matcher **out);
void kt_matcher_free(struct kt_matcher *m);

/*
 * The screen: most lines of a log match nothing, and testing them one
 * by one costs more than everything else a scan does.  So the rules that
 * can start something (head, line, boot, shutdown and prelude roles) are
 * also compiled, unanchored, into a streaming database that runs over
 * whole blocks of input as they are read; a line no screen match falls
 * in cannot open a report and is not scanned again on its own.  Lines
 * an open report may take (struct kt_match_want) are scanned for the
 * rules that open nothing: their rules need no literal to be cheap to
 * find.
 *
 * kt_matcher_screen_begin() starts an input; kt_matcher_screen() takes
 * each block (the framer's chunk callback) and eof at the end.
 */
void kt_matcher_screen_begin(struct kt_matcher *m);
void kt_matcher_screen(void *matcher, const char *buf, size_t len, bool eof);

/*
 * The reports a line could still join (the assembler knows them): the
 * types of those still open, whose body, end, section, frame and tail
 * rules may add to them, and of those that ended and take tail rules
 * only.  Zero for both: nothing but a rule that opens something can
 * matter for the line.
 */
struct kt_match_want {
	uint64_t open;		/* 1 << type of each open report */
	uint64_t ended;		/* 1 << type of each ended, lingering one */
	bool unscreened;	/* no screen ran over the line (live input):
				 * look for every rule */
};

/*
 * Tags line->msg.  Returns the number of rules matched (0 for most).
 * A line the screen saw nothing in is scanned only when a rule that
 * applies to a report of want (KT_ROLE_* and within: of the pack, and
 * the rule's programs) could match it, and then only the rules that
 * open nothing are looked for.
 */
int kt_matcher_scan(struct kt_matcher *m, const struct kt_line *line,
		    const struct kt_match_want *want, struct kt_match *out);

/*
 * The literal text every line that opens this rule's reports contains,
 * as the screen looks for it (unescaped), or NULL when the rule opens
 * nothing or has no literal of 4 characters or more.
 */
char *kt_matcher_keyword(const struct kt_rule *r);

/* Counters for --stats and benchmarks. */
struct kt_matcher_stats {
	uint64_t scanned;	/* lines scanned */
	uint64_t flagged;	/* lines vectorscan flagged */
	uint64_t confirmed;	/* lines with at least one confirmed rule */
	uint64_t pcre_runs;	/* PCRE2 match calls */
	uint64_t screened_out;	/* lines the screen let through unscanned */
};

const struct kt_matcher_stats *kt_matcher_stats(const struct kt_matcher *m);

/*
 * Checks that every rule compiles in vectorscan (exactly, or as a
 * prefilter); used by `rules check`.  Returns 0 or KT_ERR_RULES.
 */
int kt_matcher_check(struct kt_ctx *ctx, const struct kt_ruleset *rs);

#endif
