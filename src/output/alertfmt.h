/*
 * alertfmt.h - alert records and the payload each kind of sink is sent.
 *
 * An alert travels in two forms.  Its record is what the spool keeps
 * (store.h): a JSON object saying what to tell, independent of where:
 *
 *	{"kind":"event","repeats":N,"created":T,"event":{...}}
 *	{"kind":"suppressed","suppressed":N,"since":T,"until":T,"host":H}
 *	{"kind":"test","created":T,"host":H}
 *
 * where "event" is the event object exactly as `scan --format ndjson`
 * prints it (docs/EVENTS.md) and T an RFC 3339 UTC time.  Its payload is
 * what one sink is sent, rendered from the record when it is sent (so an
 * Alertmanager endsAt is counted from the time of delivery, not of the
 * event): the formats of each service are in docs/ALERTS.md.
 *
 * Log text is untrusted.  In the chat services' messages (DingTalk,
 * Feishu, WeCom, Slack) it is escaped for the service's markup and
 * defanged: '@' becomes U+FF20 (no mention: @all, <!channel>, <@id>),
 * a '.' between two letters or digits becomes U+2024 and "://" becomes
 * U+2236 "//" (no link), control characters become '?'; it is cut at
 * KT_ALERTFMT_TITLE_MAX / KT_ALERTFMT_TEXT_MAX bytes.
 */
#ifndef KT_ALERTFMT_H
#define KT_ALERTFMT_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "output/kb.h"

#define KT_ALERTFMT_TITLE_MAX 256
#define KT_ALERTFMT_TEXT_MAX 512

/*
 * The kinds of sink.  How to add one: a value here, its name in
 * alertfmt.c's table, its renderer there, its delivery in
 * server/alert.c, and a golden payload in tests/unit/test_alertfmt.c.
 */
enum kt_alert_kind {
	KT_ALERT_WEBHOOK,
	KT_ALERT_ALERTMANAGER,
	KT_ALERT_DINGTALK,
	KT_ALERT_FEISHU,
	KT_ALERT_WECOM,
	KT_ALERT_SLACK,
	KT_ALERT_EXEC,
	KT_ALERT_SYSLOG,
	KT_ALERT_KIND_NR,
};

/* "webhook", "alertmanager", ... */
const char *kt_alert_kind_name(enum kt_alert_kind kind);
/* The kind of a name, or -1. */
int kt_alert_kind_from_name(const char *name);
/* Whether a sink of this kind is an HTTP URL (not exec or syslog). */
bool kt_alert_kind_is_http(enum kt_alert_kind kind);

/*
 * Records; the caller frees the string.  kt_alert_record_event() takes
 * the event's JSON text as written by kt_event_write_json() and keeps it
 * byte for byte; it returns NULL when that is not a JSON object.
 */
char *kt_alert_record_event(const char *event_json, uint64_t repeats,
			    int64_t now_us);
char *kt_alert_record_suppressed(uint64_t n, int64_t since_us,
				 int64_t until_us, const char *host);
char *kt_alert_record_test(int64_t now_us, const char *host);

struct kt_alertfmt_opts {
	enum kt_lang lang;	/* of the chat messages */
	int64_t now_us;		/* the time of delivery */
	int64_t resolve_us;	/* Alertmanager: endsAt - startsAt */
	const char *host;	/* this machine: when an event names none */
	const char *generator_url;	/* Alertmanager; NULL: none */
};

/*
 * Renders record for a sink of kind into out (the HTTP body, the
 * standard input of an exec sink, the syslog message) and, when
 * priority is not NULL, the syslog priority (LOG_CRIT, LOG_ERR or
 * LOG_WARNING for critical, major, minor).  KT_ERR_FORMAT when the
 * record is not one.
 */
int kt_alertfmt_render(struct kt_ctx *ctx, enum kt_alert_kind kind,
		       const char *record, const struct kt_alertfmt_opts *o,
		       struct strbuf *out, int *priority);

/* Appends s defanged (see above), cut at max bytes. */
void kt_alertfmt_defang(struct strbuf *out, const char *s, size_t max);

#endif
