/*
 * store.h - the event store: SQLite, shared by `watch`, `query` and the
 * `--db` options of scan, stats and report.
 *
 * One database file (WAL mode, a schema version with migrations) holds:
 *   - events: the NDJSON object of docs/EVENTS.md, with indexed columns
 *     (time, type, severity, host, fingerprint, id); an event whose id is
 *     already stored is not stored again, so replaying an input after a
 *     restart adds nothing twice;
 *   - cursors: per live source, where to resume reading;
 *   - harvested: what has been analysed once (crash dumps, pstore files);
 *   - alert state: per sink and fingerprint, when an alert was last sent
 *     and the repeats folded in since;
 *   - the alert spool: payloads waiting for delivery, with retry times.
 *
 * Writes between kt_store_begin() and kt_store_commit() are one
 * transaction: events and the cursors that cover them are committed
 * together, so a kill -9 at any moment loses nothing and stores nothing
 * twice.  Errors are negative enum kt_err with the detail in ctx
 * ("'events.db': database is locked").
 */
#ifndef KT_STORE_H
#define KT_STORE_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "event/event.h"

struct kt_store;

enum kt_store_flags {
	KT_STORE_READONLY = 1 << 0,	/* query, stats, report --db */
	KT_STORE_CREATE = 1 << 1,	/* create the file (and its folder) */
};

int kt_store_open(struct kt_ctx *ctx, const char *path, unsigned flags,
		  struct kt_store **out);
void kt_store_close(struct kt_store *st);

int kt_store_begin(struct kt_ctx *ctx, struct kt_store *st);
int kt_store_commit(struct kt_ctx *ctx, struct kt_store *st);
void kt_store_rollback(struct kt_store *st);

/* ------------------------------------------------------------ events */

/* Stores ev unless its id is there; *added says which (may be NULL). */
int kt_store_add_event(struct kt_ctx *ctx, struct kt_store *st,
		       const struct kt_event *ev, bool *added);

struct kt_store_filter {
	int64_t since_us, until_us;	/* KT_NO_TIME: unbounded */
	const char *type;	/* NULL: any */
	const char *host;	/* NULL: any */
	const char *fingerprint;	/* NULL: any */
	enum kt_severity min_severity;
	uint64_t limit;		/* 0: all */
};

void kt_store_filter_init(struct kt_store_filter *f);

/*
 * Calls fn with each matching event's NDJSON object (a string valid
 * during the call), oldest first (events without a time in insertion
 * order, after the others).
 */
typedef void kt_store_event_fn(void *data, const char *json);
int kt_store_query(struct kt_ctx *ctx, struct kt_store *st,
		   const struct kt_store_filter *f, kt_store_event_fn *fn,
		   void *data);

/*
 * Deletes events older than older_than_us (KT_NO_TIME: no age limit),
 * then the oldest ones until the file is at most max_bytes (0: no size
 * limit); returns the number deleted in *deleted.
 */
int kt_store_retain(struct kt_ctx *ctx, struct kt_store *st,
		    int64_t older_than_us, uint64_t max_bytes,
		    uint64_t *deleted);

/* ------------------------------------------------------------ cursors */

int kt_store_set_cursor(struct kt_ctx *ctx, struct kt_store *st,
			const char *source, const char *cursor);
/* 1 with the cursor in out, 0 when the source has none. */
int kt_store_get_cursor(struct kt_ctx *ctx, struct kt_store *st,
			const char *source, struct strbuf *out);

/* ------------------------------------------------------------ harvest */

/*
 * Marks key (e.g. "path size mtime" of a crash dump) as analysed; *fresh
 * is true the first time, false when it was marked before.
 */
int kt_store_harvest(struct kt_ctx *ctx, struct kt_store *st,
		     const char *key, bool *fresh);

/* ------------------------------------------------------------ alerts */

/*
 * One alert per problem per cooldown: for (sink, fingerprint) at now_us,
 * *send is true when none was sent in the last cooldown_us (and the time
 * is recorded), false when this is a repeat (counted).  When *send,
 * *repeats is how many repeats were folded in since the last alert.
 */
int kt_store_alert_note(struct kt_ctx *ctx, struct kt_store *st,
			const char *sink, const char *fingerprint,
			int64_t now_us, int64_t cooldown_us, bool *send,
			uint64_t *repeats);

struct kt_spool_item {
	int64_t id;
	char *sink;		/* owned */
	char *payload;		/* owned */
	unsigned attempts;
	int64_t due_us;
};

void kt_spool_item_release(struct kt_spool_item *it);

int kt_store_spool_add(struct kt_ctx *ctx, struct kt_store *st,
		       const char *sink, const char *payload, int64_t due_us);
/* 1 with the item due first (due_us <= now_us), 0 when none is due. */
int kt_store_spool_next(struct kt_ctx *ctx, struct kt_store *st,
			int64_t now_us, struct kt_spool_item *out);
int kt_store_spool_done(struct kt_ctx *ctx, struct kt_store *st, int64_t id);
/* Another attempt failed: try again at due_us; the error is kept. */
int kt_store_spool_retry(struct kt_ctx *ctx, struct kt_store *st, int64_t id,
			 int64_t due_us, const char *error);
/* Items waiting, for metrics. */
int kt_store_spool_count(struct kt_ctx *ctx, struct kt_store *st,
			 uint64_t *n);

#endif
