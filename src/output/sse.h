/*
 * sse.h - an incremental parser of server-sent events (text/event-stream).
 *
 * Bytes go in as they arrive, in pieces of any size (a line, or a CRLF,
 * may be split across reads); each complete event comes out through the
 * callback.  As in the WHATWG definition: lines end in LF, CRLF or CR; a
 * line "field: value" loses one space after the colon; "data" lines are
 * joined with LF; "event" names the event; lines starting with ':' are
 * comments; a blank line ends an event, which is dispatched only when it
 * had data.  A line or an event longer than max bytes is an error
 * (KT_ERR_LIMIT), never a reason to grow without bound.
 */
#ifndef KT_SSE_H
#define KT_SSE_H

#include "base/compat.h"
#include "base/strbuf.h"

/*
 * One event: its name ("message" unless an "event" line said otherwise)
 * and its data (NUL-terminated, may hold LFs).  Returns 0 to go on, any
 * other value to stop: kt_sse_feed() returns it.
 */
typedef int kt_sse_fn(void *data, const char *event, const char *payload,
		      size_t len);

struct kt_sse {
	struct strbuf line;	/* owned; the line read so far */
	struct strbuf data;	/* owned; the event's data so far */
	struct strbuf event;	/* owned; the event's name so far */
	bool has_data;		/* a data line was seen */
	bool after_cr;		/* the last byte was CR: skip an LF */
	bool started;		/* past a leading byte order mark */
	size_t max;
	kt_sse_fn *fn;
	void *fn_data;		/* borrowed, passed to fn */
};

void kt_sse_init(struct kt_sse *p, size_t max, kt_sse_fn *fn, void *data);
void kt_sse_release(struct kt_sse *p);

/* Parses buf[0..len); 0, what fn returned, or KT_ERR_LIMIT. */
int kt_sse_feed(struct kt_sse *p, const char *buf, size_t len);

/*
 * The stream ended: a last line without its end is taken as ended, and
 * an event with data still pending is dispatched (servers that close
 * after "data: [DONE]" without a blank line are common).
 */
int kt_sse_finish(struct kt_sse *p);

#endif
