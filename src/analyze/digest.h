/*
 * digest.h - everything a report needs from the event stream, kept small.
 *
 * kt_digest_add() takes every event once, after the analyzer annotated
 * it, and keeps aggregates only: the counters of struct kt_stats; per
 * problem (fingerprint group) the latest event's facts, a few sample
 * events, the first event ids and the distinct victims, devices, guilty
 * modules and functions; the causal chains between problems; one record
 * per boot; and counts per hour and day by type.  Memory grows with the
 * distinct problems, boots and hours, not with the number of events:
 * sets and lists are capped, and causes are resolved through a ring of
 * the most recent events (links point at most minutes back).
 *
 * kt_digest_json() returns the whole digest as one JSON object, the
 * input of the report builder (docs/REPORT.md, "Facts").
 */
#ifndef KT_DIGEST_H
#define KT_DIGEST_H

#include "base/compat.h"
#include "analyze/stats.h"
#include "event/event.h"
#include <jansson.h>

struct kt_digest;

struct kt_digest *kt_digest_new(void);
void kt_digest_free(struct kt_digest *d);

/* Takes one event (not consumed). */
void kt_digest_add(struct kt_digest *d, const struct kt_event *ev);

/* The counters, as `stats` prints them. */
const struct kt_stats *kt_digest_stats(const struct kt_digest *d);

/*
 * The digest as a new JSON object (caller owns the reference):
 *
 *   events, critical, major, minor, untimed, first_time, last_time,
 *   span_hours, hosts [names], boots (reboot events seen),
 *   by_type {type: {minor, major, critical}}, by_subtype {"t/s": n},
 *   processes, victims, devices, modules, functions
 *       [{name, count}], largest first, at most 10 each;
 *   groups [...]: one per problem, most severe, then most frequent first:
 *       fingerprint, type, subtype, severity, title, count, first_time,
 *       last_time, hosts [...], boots (distinct host boots),
 *       latest {the latest event's fields, plus comm, pid, tainted,
 *       kernel, message}, samples [{id, time, host, source, message,
 *       process, frames}] (first, and latest if different),
 *       event_ids [first ids], victims, devices, modules, functions,
 *       processes [names], caused [type/subtype], caused_by [...];
 *   chains [...]: causal chains between problems, the longest seen for
 *       each series of events: steps [{group, fingerprint, type,
 *       subtype, title}], count, first_time, last_time, hosts,
 *       example [event ids];
 *   boot_list [...]: host, boot, start, end, kind, title, events,
 *       critical, major, minor;
 *   timeline {hour: {"2025-11-24T08": {type: n}}, day: {...}}.
 */
json_t *kt_digest_json(const struct kt_digest *d);

#endif
