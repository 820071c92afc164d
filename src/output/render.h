/*
 * render.h - events to text: ndjson, json, text, markdown, html.
 *
 * A renderer receives events one by one and writes through a callback,
 * so the library never touches a stream itself.  ndjson and json
 * stream (nothing is kept); text, markdown and html keep one short
 * record per event to print the summary table first.
 *
 * The event object written by ndjson/json is spec/events.md's, plus the
 * compatibility keys (detected_at, host_id, source_file, line_number).
 */
#ifndef KT_RENDER_H
#define KT_RENDER_H

#include "base/compat.h"
#include "analyze/analyze.h"
#include "event/event.h"
#include "output/jsonw.h"

enum kt_format {
	KT_FORMAT_TEXT,
	KT_FORMAT_JSON,
	KT_FORMAT_NDJSON,
	KT_FORMAT_MARKDOWN,
	KT_FORMAT_HTML,
};

/* "text" -> KT_FORMAT_TEXT ...; returns -1 for an unknown name. */
int kt_format_from_name(const char *name);

typedef void kt_write_fn(void *data, const char *buf, size_t len);

struct kt_render_opts {
	enum kt_format format;
	bool color;		/* ANSI colours (text only) */
	int verbose;		/* text: 1 adds key fields and the trace */
	int64_t now_us;		/* detected_at of every event */
	kt_write_fn *write;
	void *write_data;
};

/* Writes the spec's event object (one JSON object, no newline). */
void kt_event_write_json(struct kt_jsonw *w, const struct kt_event *ev,
			 int64_t now_us);

struct kt_renderer;

struct kt_renderer *kt_renderer_new(const struct kt_render_opts *opts);
void kt_renderer_event(struct kt_renderer *r, const struct kt_event *ev);
/* Writes what comes after the events (summary, closing brackets). */
void kt_renderer_finish(struct kt_renderer *r, const struct kt_summary *s);
void kt_renderer_free(struct kt_renderer *r);

#endif
