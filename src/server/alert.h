/*
 * alert.h - the alerts of `ktriage watch`: which events are told to
 * whom, and their delivery.
 *
 * Deciding and delivering are split so that nothing is lost and the
 * watch loop never waits on a receiver:
 *
 *   - kt_alerter_event() runs in the watch loop's transaction, beside
 *     the event it is about.  Per sink whose severity threshold the event
 *     reaches, it asks the store whether the fingerprint was alerted on
 *     in the cooldown (kt_store_alert_note()); a first alert is queued in
 *     the store's spool as a record (output/alertfmt.h) with the repeats
 *     folded in since the last one.  Over a sink's storm cap (alerts
 *     queued for it in the last minute) further alerts
 *     are counted instead and told as one "suppressed" record when the
 *     minute is over (kt_alerter_tick()).
 *   - a delivery thread, with its own connection to the store, sends
 *     what the spool holds when it is due: renders the record for the
 *     sink (kt_alertfmt_render()), POSTs it (HTTP sinks), runs the
 *     command with it on standard input (exec) or logs it (syslog);
 *     on failure it retries with exponential backoff (1 s doubling to
 *     5 min, a little jitter), keeping the item in the spool across
 *     restarts.  Each attempt is counted in the metrics
 *     (ktriage_alerts_sent_total{sink,result="ok|error"}).
 *
 * Sink names in the store and the metrics are "KIND" for the first sink
 * of a kind and "KIND-2", "KIND-3"... for the next ones in the order
 * given: low-cardinality and free of URLs and secrets.
 */
#ifndef KT_ALERT_H
#define KT_ALERT_H

#include "base/compat.h"
#include "base/err.h"
#include "event/event.h"
#include "output/alertfmt.h"
#include "server/metrics.h"
#include "store/store.h"

struct kt_alert_sink {
	enum kt_alert_kind kind;
	const char *target;	/* URL, command line; NULL for syslog */
	enum kt_severity min_severity;	/* alert from this severity on */
};

/*
 * Reads the argument of a sink option (--webhook, --exec, ...; see
 * docs/ALERTS.md): "[SEVERITY:]TARGET", where SEVERITY is minor, major
 * or critical and TARGET an http:// or https:// URL, or for exec a
 * command line for /bin/sh -c.  Syslog takes no target: arg is NULL,
 * "" or a severity alone.  Without a severity the sink gets dflt.
 * out->target is borrowed from arg.  KT_ERR_USAGE with the option named
 * in ctx when arg is not that.
 */
int kt_alert_sink_parse(struct kt_ctx *ctx, enum kt_alert_kind kind,
			const char *arg, enum kt_severity dflt,
			struct kt_alert_sink *out);
/* The severity of a name ("major"), or -1. */
int kt_alert_severity_from_name(const char *name);

struct kt_alert_conf {
	const struct kt_alert_sink *sink;	/* borrowed */
	size_t sink_nr;
	int64_t cooldown_us;	/* default 10 min */
	unsigned storm_per_min;	/* per sink; 0: no cap */
	int64_t resolve_us;	/* Alertmanager endsAt - startsAt */
	int64_t http_timeout_us;	/* per attempt */
	enum kt_lang lang;	/* of the chat messages */
	const char *host;	/* this machine's name */
	const char *generator_url;	/* Alertmanager's; NULL: none */
};

/* Defaults: 10 min cooldown, 30 alerts a minute, 5 min resolve, 10 s. */
void kt_alert_conf_init(struct kt_alert_conf *c);

struct kt_alerter;

/*
 * The decision side, on the watch loop's store st (borrowed).  m may be
 * NULL.  Copies what it keeps of conf.
 */
int kt_alerter_new(struct kt_ctx *ctx, const struct kt_alert_conf *conf,
		   struct kt_store *st, struct kt_metrics *m,
		   struct kt_alerter **out);
void kt_alerter_free(struct kt_alerter *a);

/* The name of sink i in the store and the metrics ("webhook-2"). */
const char *kt_alerter_sink_name(const struct kt_alerter *a, size_t i);

/*
 * Inside the caller's transaction: queues the alerts ev calls for.
 * event_json is ev as kt_event_write_json() writes it.  *queued (may be
 * NULL) is the number of spool items added.
 */
int kt_alerter_event(struct kt_ctx *ctx, struct kt_alerter *a,
		     const struct kt_event *ev, const char *event_json,
		     int64_t now_us, unsigned *queued);

/*
 * Inside the caller's transaction: queues the "suppressed" records of
 * storm windows that are over.  Call it about once a second.
 */
int kt_alerter_tick(struct kt_ctx *ctx, struct kt_alerter *a, int64_t now_us,
		    unsigned *queued);

/*
 * Starts the delivery thread on the store at db_path.  Call
 * kt_alerter_kick() after committing a transaction that queued
 * something, so delivery starts at once instead of at the thread's next
 * look (at the latest every second).
 */
int kt_alerter_start(struct kt_ctx *ctx, struct kt_alerter *a,
		     const char *db_path);
void kt_alerter_kick(struct kt_alerter *a);
/*
 * Stops the delivery thread: an attempt under way is finished or given
 * up at its timeout; what is still queued stays in the spool.
 */
void kt_alerter_stop(struct kt_alerter *a);

/*
 * Sends one "test" record to every sink right now, waiting for each
 * result (`watch --test-alert`); returns 0 when all succeeded, else the
 * first error with the sink named in ctx.
 */
int kt_alerter_test(struct kt_ctx *ctx, struct kt_alerter *a);

#endif
