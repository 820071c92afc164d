/*
 * event_reader.h - events rebuilt from their JSON object.
 *
 * The event object that `scan --format ndjson` prints (and the store
 * keeps) holds everything the analyzer set and the later stages read, so
 * an event can be rebuilt from it and handed to stats or a digest as a
 * live one would be: type, subtype, severity, title, time, monotonic
 * time, host, boot, source, message, process, fields (caused_by
 * included), call trace, tainted, kernel, id and fingerprint.  The
 * compatibility keys (detected_at, host_id, ...) are ignored.
 *
 * What the JSON does not carry is left as the analyzer leaves it behind:
 * rule is NULL, is_boot is true for type "reboot", after_cause and the
 * prev_* flags are false.  The JSON time has whole seconds; a caller
 * that knows the exact time (the store does) sets wall_us afterwards.
 *
 * struct kt_event borrows type, subtype and file; the reader owns them
 * (an intern pool), so every event it built must be freed before it.
 */
#ifndef KT_EVENT_READER_H
#define KT_EVENT_READER_H

#include "base/compat.h"
#include "base/err.h"
#include "event/event.h"

struct kt_event_reader;

struct kt_event_reader *kt_event_reader_new(void);
/* Frees the reader and the strings its events borrow; r may be NULL. */
void kt_event_reader_free(struct kt_event_reader *r);

/*
 * Parses one event object (len bytes of json) into a new event the
 * caller frees with kt_event_free().  Returns 0, or KT_ERR_PARSE with
 * the reason in ctx ("event: 'severity' is not critical, major or
 * minor") when the text is not such an object.
 */
int kt_event_reader_parse(struct kt_ctx *ctx, struct kt_event_reader *r,
			  const char *json, size_t len,
			  struct kt_event **out);

#endif
