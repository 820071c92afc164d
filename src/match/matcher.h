/*
 * matcher.h - tag each line with the rules it matches, in one pass.
 *
 * All rule patterns are compiled into one vectorscan database per line
 * origin (kernel lines, user-space lines), so a line is tested against
 * every rule in a single scan.  PCRE2 then runs only on the rules that
 * vectorscan flagged, to confirm patterns vectorscan can only
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
 * every pattern and the library version, and loaded next time; a cache
 * that cannot be read or written is silently ignored.
 */
int kt_matcher_new(struct kt_ctx *ctx, const struct kt_ruleset *rs,
		   const char *cache_dir, struct kt_matcher **out);
void kt_matcher_free(struct kt_matcher *m);

/* Tags line->msg.  Returns the number of rules matched (0 for most). */
int kt_matcher_scan(struct kt_matcher *m, const struct kt_line *line,
		    struct kt_match *out);

/* Counters for --stats and benchmarks. */
struct kt_matcher_stats {
	uint64_t scanned;	/* lines scanned */
	uint64_t flagged;	/* lines vectorscan flagged */
	uint64_t confirmed;	/* lines with at least one confirmed rule */
	uint64_t pcre_runs;	/* PCRE2 match calls */
};

const struct kt_matcher_stats *kt_matcher_stats(const struct kt_matcher *m);

/*
 * Checks that every rule compiles in vectorscan (exactly, or as a
 * prefilter); used by `rules check`.  Returns 0 or KT_ERR_RULES.
 */
int kt_matcher_check(struct kt_ctx *ctx, const struct kt_ruleset *rs);

#endif
