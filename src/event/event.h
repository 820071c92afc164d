/*
 * event.h - the event object of spec/events.md, built from a report.
 *
 * The event builder turns a struct kt_report into a struct kt_event:
 * typed facts (fields), the task it names, its call trace, the guilty
 * frame (first frame that is not reporting, sanitizer, locking,
 * allocation, scheduling or entry machinery: the rule pack's
 * guilty_skip list), a one-line title from the rule's template, and the
 * id and fingerprint hashes.  Strings are valid UTF-8 without control
 * characters, whatever bytes the log held.
 *
 * Title templates: "{field}" is replaced by the field's value; a
 * "{field|text}" falls back to text when the field is missing; "[...]"
 * is dropped entirely when a field inside it is missing.  Computed
 * fields usable in titles: guilty_func, guilty_module, rip_func.
 */
#ifndef KT_EVENT_H
#define KT_EVENT_H

#include "base/compat.h"
#include "assemble/assemble.h"
#include "match/rules.h"
#include <jansson.h>

struct kt_event {
	char id[17];
	char fingerprint[17];
	const char *type;	/* borrowed from the ruleset */
	const char *subtype;	/* borrowed from the rule */
	enum kt_severity severity;
	char *title;		/* owned */
	int64_t wall_us;	/* KT_NO_TIME when unknown */
	int64_t mono_us;	/* -1 when unknown */
	char *host;		/* owned or NULL */
	unsigned boot;		/* set by analyze */
	const char *file;	/* borrowed: input name */
	uint64_t line, line_end;
	char *message;		/* owned */
	int64_t pid;		/* -1 when unknown */
	char *comm;		/* owned or NULL */
	json_t *fields;		/* owned reference: an object */
	struct kt_frame *frame;	/* owned; the call trace */
	size_t nr_frame;
	char *tainted;		/* owned or NULL */
	char *kernel;		/* owned or NULL */
	const struct kt_rule *rule;	/* borrowed: the rule that opened it */
	bool is_boot;		/* a reboot event (kind set by analyze) */
	bool after_cause;	/* the event before it caused it */
	/* boot events: what the assembler knew of the previous boot */
	bool prev_exists, prev_shutdown, clock_reset;
	int64_t prev_last_wall_us;
};

void kt_event_free(struct kt_event *ev);

struct kt_event_builder;

struct kt_event_builder *kt_event_builder_new(const struct kt_ruleset *rs);
void kt_event_builder_free(struct kt_event_builder *eb);

/* Builds the event of a report; the report is not consumed. */
struct kt_event *kt_event_build(struct kt_event_builder *eb,
				const struct kt_report *r);

/* Recomputes the title from the rule's template, and the fingerprint. */
void kt_event_retitle(struct kt_event *ev);
/* Sets the title and recomputes the fingerprint. */
void kt_event_set_title(struct kt_event *ev, const char *title);

/* Sets fields.name to a string / integer, replacing any value. */
void kt_event_set_str(struct kt_event *ev, const char *name, const char *v);
void kt_event_set_int(struct kt_event *ev, const char *name, int64_t v);
/* fields.name as a string, or NULL. */
const char *kt_event_get_str(const struct kt_event *ev, const char *name);

#endif
