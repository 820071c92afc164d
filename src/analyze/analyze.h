/*
 * analyze.h - events in input order -> boots, reboot kinds, causes,
 * counts.
 *
 * The analyzer sees every event once, in the order of its first line,
 * and passes it on to a sink after setting what needs the events before
 * it: the boot index, the kind of each reboot (first, clean, crash,
 * unclean) with the gap and the panic that ended the previous boot, and
 * fields.caused_by when the assembler saw the cause printed right
 * before (an oops, WARN or lockup before "Kernel panic").  Every link
 * points backwards, so nothing has to be buffered: memory stays flat.
 */
#ifndef KT_ANALYZE_H
#define KT_ANALYZE_H

#include "base/compat.h"
#include "event/event.h"
#include "match/rules.h"

/* The sink takes ownership of the event (kt_event_free). */
typedef void kt_event_fn(void *data, struct kt_event *ev);

struct kt_summary {
	uint64_t events;
	uint64_t by_severity[3];
	size_t nr_types;
	const char *type[KT_TYPES_MAX];	/* borrowed from the ruleset */
	uint64_t by_type[KT_TYPES_MAX][3];	/* [type][severity] */
	uint64_t boots;		/* boots found (reboot events) */
	uint64_t hosts;
	int64_t first_us, last_us;	/* time span of events, or KT_NO_TIME */
};

/*
 * Counts ev in s: events, severities, its type (the index in s->type,
 * or KT_TYPES_MAX or more for none) and the time span.
 */
void kt_summary_count(struct kt_summary *s, size_t type,
		      const struct kt_event *ev);

struct kt_analyzer;

struct kt_analyzer *kt_analyzer_new(const struct kt_ruleset *rs,
				    kt_event_fn *fn, void *data);
void kt_analyzer_free(struct kt_analyzer *an);

void kt_analyzer_feed(struct kt_analyzer *an, struct kt_event *ev);

const struct kt_summary *kt_analyzer_summary(const struct kt_analyzer *an);

#endif
