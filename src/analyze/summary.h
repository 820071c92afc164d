/*
 * summary.h - the scan summary (struct kt_summary) of events that were
 * analysed before.
 *
 * The analyzer counts the events it annotates; events read back from a
 * store were annotated when they were found, so they are only counted:
 * by severity and type (in the rule pack's type order, types the pack
 * does not know after them), boots (reboot events), distinct hosts and
 * the time span, exactly as kt_analyzer_feed() counts them.
 */
#ifndef KT_SUMMARY_H
#define KT_SUMMARY_H

#include "base/compat.h"
#include "base/strmap.h"
#include "analyze/analyze.h"
#include "match/rules.h"

struct kt_summary_builder {
	struct kt_summary sum;	/* type[] borrowed from rs or types */
	const struct kt_ruleset *rs;	/* borrowed, may be NULL */
	struct kt_strmap types;	/* owned: types rs does not know */
	struct kt_strmap hosts;	/* owned: hosts seen, "" for none */
};

/* rs gives the order of the types; it must outlive the builder. */
void kt_summary_builder_init(struct kt_summary_builder *b,
			     const struct kt_ruleset *rs);
void kt_summary_builder_release(struct kt_summary_builder *b);
void kt_summary_builder_add(struct kt_summary_builder *b,
			    const struct kt_event *ev);

#endif
