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
 *   - the alert spool: payloads waiting for delivery, with retry times;
 *   - inputs: what the stored events were read from, with line counts.
 * docs/STORE.md describes the schema, the migrations and retention.
 *
 * Writes between kt_store_begin() and kt_store_commit() are one
 * transaction: events and the cursors that cover them are committed
 * together, so a kill -9 at any moment loses nothing and stores nothing
 * twice.  A write outside kt_store_begin() is a transaction of its own.
 * Transactions do not nest.  After a failed write inside a transaction
 * the caller rolls it back (kt_store_rollback()) and starts again.
 *
 * One writer (watch, or scan --db) and any number of readers (query,
 * stats --db, report --db) may use a store at once; a second writer
 * waits up to a few seconds for the first one's transaction, then fails
 * with "database is locked".  A store handle is not shared by threads.
 *
 * Errors are negative enum kt_err with the detail in ctx
 * ("'events.db': database is locked"): KT_ERR_IO when the file cannot
 * be used (permissions, locked, disk full), KT_ERR_FORMAT when it is not
 * a ktriage store, is corrupt or is newer than this ktriage,
 * KT_ERR_USAGE for misuse (a write on a read-only store, nested
 * transactions), KT_ERR_INTERNAL for anything else SQLite reports.
 */
#ifndef KT_STORE_H
#define KT_STORE_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "event/event.h"
#include "event/event_reader.h"
#include "analyze/analyze.h"

struct kt_store;

enum kt_store_flags {
	KT_STORE_READONLY = 1 << 0,	/* query, stats, report --db */
	KT_STORE_CREATE = 1 << 1,	/* create the file (and its folder) */
};

/*
 * Opens the store at path.  With KT_STORE_CREATE a missing file is
 * created with mode 0600, and missing folders above it with 0700.  A
 * writable store is brought to the current schema (migrations run in
 * one transaction); a read-only one must be at it already.  A store
 * written by a newer ktriage is refused, so is any other SQLite file.
 */
int kt_store_open(struct kt_ctx *ctx, const char *path, unsigned flags,
		  struct kt_store **out);
/*
 * One step of the schema: constant SQL (no values) that ends by setting
 * user_version to version.  Steps run in order of version, those above
 * the file's version in one transaction.
 */
struct kt_store_migration {
	int version;
	const char *sql;
};

/* kt_store_open() with another list of steps: tests of migrations. */
int kt_store_open_steps(struct kt_ctx *ctx, const char *path, unsigned flags,
			const struct kt_store_migration *steps, size_t nr,
			struct kt_store **out);
/* The schema version this ktriage writes. */
int kt_store_schema_version(void);

/* Rolls back an open transaction and closes; st may be NULL. */
void kt_store_close(struct kt_store *st);

int kt_store_begin(struct kt_ctx *ctx, struct kt_store *st);
int kt_store_commit(struct kt_ctx *ctx, struct kt_store *st);
/* Undoes everything since kt_store_begin(); harmless without one. */
void kt_store_rollback(struct kt_store *st);

/* ------------------------------------------------------------ events */

/*
 * Stores ev unless its id is there; *added says which (may be NULL).
 * The stored object is the one `scan --format ndjson` prints, with
 * detected_at the time of storing; the exact time (microseconds) is
 * kept in a column beside it.
 */
int kt_store_add_event(struct kt_ctx *ctx, struct kt_store *st,
		       const struct kt_event *ev, bool *added);
/*
 * The JSON object (no newline) the last kt_store_add_event() wrote for
 * its event, stored or not; valid until the next call into the store.
 */
const char *kt_store_event_json(const struct kt_store *st, size_t *len);

enum kt_store_order {
	KT_STORE_BY_TIME = 0,	/* oldest first; untimed ones last */
	KT_STORE_BY_INSERTION,	/* the order they were stored in */
};

struct kt_store_filter {
	int64_t since_us, until_us;	/* KT_NO_TIME: unbounded */
	const char *type;	/* NULL: any */
	const char *host;	/* NULL: any */
	const char *fingerprint;	/* NULL: any */
	enum kt_severity min_severity;
	uint64_t limit;		/* 0: all */
	enum kt_store_order order;
};

/* No bounds, any type, host, fingerprint and severity, by time. */
void kt_store_filter_init(struct kt_store_filter *f);

/* One stored event, valid during the call of a kt_store_event_fn. */
struct kt_store_row {
	const char *json;	/* its NDJSON object, without a newline */
	int64_t time_us;	/* its time to the microsecond, or KT_NO_TIME */
	int64_t stored_us;	/* when it was stored */
	int64_t seq;		/* insertion order: larger is later */
};

/* Returns 0 to go on; anything else stops the query and is returned. */
typedef int kt_store_event_fn(void *data, const struct kt_store_row *row);

/*
 * Calls fn with each matching event.  By time: oldest first, equal
 * times in insertion order, events without a time after the others in
 * insertion order.  since_us is inclusive, until_us exclusive; an event
 * without a time matches no time bound.  With a limit, the last limit
 * events of that order are given (the latest ones), still oldest first.
 */
int kt_store_query(struct kt_ctx *ctx, struct kt_store *st,
		   const struct kt_store_filter *f, kt_store_event_fn *fn,
		   void *data);

/*
 * Rebuilds each matching event from its JSON (event/event_reader.h),
 * with its exact time, and hands it to fn, which takes it (as the
 * pipeline hands over live events): `stats --db` and `report --db` read
 * the store this way.  reader owns the type, subtype and file strings
 * the events borrow; it must outlive them and whatever keeps them.  A
 * stored event that does not parse fails the replay, naming its seq.
 */
int kt_store_replay(struct kt_ctx *ctx, struct kt_store *st,
		    const struct kt_store_filter *f, kt_event_fn *fn,
		    void *data, struct kt_event_reader *reader);

/* Number of events stored. */
int kt_store_count(struct kt_ctx *ctx, struct kt_store *st, uint64_t *n);

/*
 * Deletes events older than older_than_us (KT_NO_TIME: no age limit;
 * events without a time go by the time they were stored), then the
 * oldest ones (in query order) until the file is at most max_bytes
 * (0: no size limit), counting the file as SQLite will leave it after
 * the next checkpoint: page_count * page_size once the free pages are
 * given back (incremental vacuum).  Returns the number deleted in
 * *deleted (may be NULL).  Runs in the caller's transaction if there is
 * one, else in its own, and checkpoints the WAL afterwards.
 */
int kt_store_retain(struct kt_ctx *ctx, struct kt_store *st,
		    int64_t older_than_us, uint64_t max_bytes,
		    uint64_t *deleted);

/* Size the file will have after the next checkpoint, in bytes. */
int kt_store_size(struct kt_ctx *ctx, struct kt_store *st, uint64_t *bytes);

/* ------------------------------------------------------------ cursors */

/* Replaces the cursor of source. */
int kt_store_set_cursor(struct kt_ctx *ctx, struct kt_store *st,
			const char *source, const char *cursor);
/* 1 with the cursor in out (replaced), 0 when the source has none. */
int kt_store_get_cursor(struct kt_ctx *ctx, struct kt_store *st,
			const char *source, struct strbuf *out);

/* ------------------------------------------------------------ harvest */

/*
 * Marks key (e.g. "path size mtime" of a crash dump) as analysed; *fresh
 * is true the first time, false when it was marked before.  Inside a
 * transaction that is rolled back, the mark goes too.
 */
int kt_store_harvest(struct kt_ctx *ctx, struct kt_store *st,
		     const char *key, bool *fresh);

/* ------------------------------------------------------------ inputs */

/*
 * Records that name (an input's display name, or a live source's) has
 * been read up to lines lines, replacing what was recorded for it, so
 * `report --db` can say how much the stored events came from.
 */
int kt_store_set_input(struct kt_ctx *ctx, struct kt_store *st,
		       const char *name, uint64_t lines);

/* Calls fn for every recorded input in the order first recorded. */
typedef int kt_store_input_fn(void *data, const char *name, uint64_t lines);
int kt_store_inputs(struct kt_ctx *ctx, struct kt_store *st,
		    kt_store_input_fn *fn, void *data);

/* ------------------------------------------------------------ alerts */

/*
 * One alert per problem per cooldown: for (sink, fingerprint) at now_us,
 * *send is true when none was sent in the last cooldown_us (and now_us
 * is recorded as the time of the alert), false when this is a repeat
 * (counted).  When *send, *repeats is how many repeats were folded in
 * since the last alert (0 for a first alert); otherwise it is the count
 * so far, this one included.  An alert is due again at exactly
 * last + cooldown_us; a now_us before the last alert (the clock went
 * back) sends too, rather than staying silent until the clock catches
 * up.
 */
int kt_store_alert_note(struct kt_ctx *ctx, struct kt_store *st,
			const char *sink, const char *fingerprint,
			int64_t now_us, int64_t cooldown_us, bool *send,
			uint64_t *repeats);

struct kt_spool_item {
	int64_t id;
	char *sink;		/* owned; freed by kt_spool_item_release() */
	char *payload;		/* owned; freed by kt_spool_item_release() */
	unsigned attempts;	/* failed attempts so far */
	int64_t due_us;
	char *error;		/* owned or NULL: the last attempt's error */
};

void kt_spool_item_release(struct kt_spool_item *it);

/* Queues payload for sink, to be sent at due_us. */
int kt_store_spool_add(struct kt_ctx *ctx, struct kt_store *st,
		       const char *sink, const char *payload, int64_t due_us);
/*
 * 1 with the item due first (due_us <= now_us; equal times in the order
 * queued) in out, which the caller releases; 0 when none is due.  The
 * item stays queued until kt_store_spool_done().
 */
int kt_store_spool_next(struct kt_ctx *ctx, struct kt_store *st,
			int64_t now_us, struct kt_spool_item *out);
/* Delivered: removes the item. */
int kt_store_spool_done(struct kt_ctx *ctx, struct kt_store *st, int64_t id);
/* Another attempt failed: try again at due_us; the error is kept. */
int kt_store_spool_retry(struct kt_ctx *ctx, struct kt_store *st, int64_t id,
			 int64_t due_us, const char *error);
/* Items waiting, for metrics. */
int kt_store_spool_count(struct kt_ctx *ctx, struct kt_store *st,
			 uint64_t *n);

#endif
