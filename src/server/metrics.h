/*
 * metrics.h - what `watch` counts, in the Prometheus text format.
 *
 * The watch loop reports events, lines read, lost records, source
 * health and alert deliveries here; kt_metrics_render() writes them out
 * and kt_metrics_serve() answers GET /metrics on an address.  Labels
 * have few values only (type, severity, source name, sink name, result;
 * never a pid, message, cgroup or id), and every type x severity series
 * exists at 0 from the start, so that increase() alerts fire on the
 * first event.  The counters may be updated from the loop while the
 * HTTP thread renders them.
 *
 * Names:
 *   ktriage_build_info{version}                          gauge 1
 *   ktriage_events_total{type,severity}                  counter
 *   ktriage_last_event_timestamp_seconds{type}           gauge
 *   ktriage_source_lines_total{source}                   counter
 *   ktriage_source_lost_records_total{source}            counter
 *   ktriage_source_up{source}                            gauge 0/1
 *   ktriage_alerts_sent_total{sink,result}               counter
 *   ktriage_alert_spool_items                            gauge
 *   ktriage_start_time_seconds                           gauge
 */
#ifndef KT_METRICS_H
#define KT_METRICS_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "match/rules.h"

struct kt_metrics;

/* The event types of rs get their series at 0 (rs is not kept). */
struct kt_metrics *kt_metrics_new(const struct kt_ruleset *rs,
				  int64_t start_us);
void kt_metrics_free(struct kt_metrics *m);

void kt_metrics_event(struct kt_metrics *m, const char *type,
		      enum kt_severity sev, int64_t wall_us);
void kt_metrics_source_lines(struct kt_metrics *m, const char *source,
			     uint64_t n);
/* lost is the source's running total, not an increment */
void kt_metrics_source_lost(struct kt_metrics *m, const char *source,
			    uint64_t lost);
void kt_metrics_source_up(struct kt_metrics *m, const char *source, bool up);
void kt_metrics_alert(struct kt_metrics *m, const char *sink,
		      const char *result);
void kt_metrics_spool(struct kt_metrics *m, uint64_t items);

/* The exposition text (text/plain; version=0.0.4). */
void kt_metrics_render(struct kt_metrics *m, struct strbuf *out);

struct kt_metrics_server;

/*
 * Serves GET /metrics (and / with a pointer to it) on addr, "PORT",
 * "HOST:PORT" or "[V6]:PORT", from a thread of its own.
 */
int kt_metrics_serve(struct kt_ctx *ctx, struct kt_metrics *m,
		     const char *addr, struct kt_metrics_server **out);
void kt_metrics_stop(struct kt_metrics_server *srv);

#endif
