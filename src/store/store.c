/*
 * store.c - the event store on SQLite (see store.h, docs/STORE.md).
 *
 * After output/ in the pipeline: events arrive built and annotated, are
 * written as the NDJSON object the renderer prints, and come back as
 * that text or, through kt_store_replay(), as events again.  Every
 * statement is prepared once and kept; values are always bound by name.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "event/event_reader.h"
#include "output/jsonw.h"
#include "output/render.h"
#include "store/store.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#define APP_ID 0x6b747269	/* "ktri" in the file header */
#define BUSY_MS 5000		/* a second writer waits this long */
#define WAL_LIMIT (64 << 20)	/* the WAL is cut back to this */
#define UNTIMED INT64_MAX	/* sort_us of events without a time */

/*
 * The schema, one step per version, run in order in one transaction;
 * each step ends by setting user_version to its number.  Never edit a
 * step that was released: add the next one.
 */
static const struct kt_store_migration migrations[] = {
	{ 1,
	  "CREATE TABLE events ("
	  " seq INTEGER PRIMARY KEY,"
	  " id TEXT NOT NULL UNIQUE,"
	  " time_us INTEGER,"
	  " sort_us INTEGER NOT NULL,"
	  " stored_us INTEGER NOT NULL,"
	  " type TEXT NOT NULL,"
	  " subtype TEXT NOT NULL,"
	  " severity INTEGER NOT NULL,"
	  " host TEXT,"
	  " fingerprint TEXT NOT NULL,"
	  " json TEXT NOT NULL);"
	  "CREATE INDEX events_time ON events (sort_us);"
	  "CREATE INDEX events_type ON events (type, sort_us);"
	  "CREATE INDEX events_host ON events (host, sort_us);"
	  "CREATE INDEX events_fingerprint ON events (fingerprint, sort_us);"
	  "CREATE INDEX events_untimed ON events (stored_us)"
	  " WHERE time_us IS NULL;"
	  "CREATE TABLE cursors ("
	  " source TEXT PRIMARY KEY,"
	  " cursor TEXT NOT NULL,"
	  " updated_us INTEGER NOT NULL);"
	  "CREATE TABLE harvested ("
	  " key TEXT PRIMARY KEY,"
	  " harvested_us INTEGER NOT NULL);"
	  "CREATE TABLE alert_state ("
	  " sink TEXT NOT NULL,"
	  " fingerprint TEXT NOT NULL,"
	  " last_sent_us INTEGER NOT NULL,"
	  " repeats INTEGER NOT NULL,"
	  " PRIMARY KEY (sink, fingerprint)) WITHOUT ROWID;"
	  "CREATE TABLE spool ("
	  " id INTEGER PRIMARY KEY,"
	  " sink TEXT NOT NULL,"
	  " payload TEXT NOT NULL,"
	  " attempts INTEGER NOT NULL,"
	  " due_us INTEGER NOT NULL,"
	  " queued_us INTEGER NOT NULL,"
	  " last_error TEXT);"
	  "CREATE INDEX spool_due ON spool (due_us, id);"
	  "CREATE TABLE inputs ("
	  " name TEXT PRIMARY KEY,"
	  " lines INTEGER NOT NULL,"
	  " updated_us INTEGER NOT NULL);"
	  "PRAGMA application_id = 1802793577;"
	  "PRAGMA user_version = 1;" },
};

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_ADD_EVENT,
	S_COUNT_EVENTS,
	S_RETAIN_AGE,
	S_RETAIN_UNTIMED,
	S_RETAIN_OLDEST,
	S_VACUUM,
	S_PAGE_COUNT,
	S_PAGE_SIZE,
	S_CHECKPOINT,
	S_SET_CURSOR,
	S_GET_CURSOR,
	S_HARVEST,
	S_SET_INPUT,
	S_INPUTS,
	S_ALERT_GET,
	S_ALERT_SENT,
	S_ALERT_REPEAT,
	S_SPOOL_ADD,
	S_SPOOL_NEXT,
	S_SPOOL_DONE,
	S_SPOOL_RETRY,
	S_SPOOL_COUNT,
	S_NR
};

static const char *const stmt_sql[S_NR] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_ADD_EVENT] =
		"INSERT INTO events (id, time_us, sort_us, stored_us, type,"
		" subtype, severity, host, fingerprint, json)"
		" VALUES (:id, :time_us, :sort_us, :stored_us, :type,"
		" :subtype, :severity, :host, :fingerprint, :json)"
		" ON CONFLICT (id) DO NOTHING",
	[S_COUNT_EVENTS] = "SELECT count(*) FROM events",
	[S_RETAIN_AGE] = "DELETE FROM events WHERE sort_us < :cut",
	[S_RETAIN_UNTIMED] =
		"DELETE FROM events WHERE time_us IS NULL AND stored_us < :cut",
	[S_RETAIN_OLDEST] =
		"DELETE FROM events WHERE seq IN (SELECT seq FROM events"
		" ORDER BY sort_us, seq LIMIT :n)",
	[S_VACUUM] = "PRAGMA incremental_vacuum",
	[S_PAGE_COUNT] = "PRAGMA page_count",
	[S_PAGE_SIZE] = "PRAGMA page_size",
	[S_CHECKPOINT] = "PRAGMA wal_checkpoint(PASSIVE)",
	[S_SET_CURSOR] =
		"INSERT INTO cursors (source, cursor, updated_us)"
		" VALUES (:source, :cursor, :now) ON CONFLICT (source)"
		" DO UPDATE SET cursor = excluded.cursor,"
		" updated_us = excluded.updated_us",
	[S_GET_CURSOR] = "SELECT cursor FROM cursors WHERE source = :source",
	[S_HARVEST] =
		"INSERT INTO harvested (key, harvested_us) VALUES (:key, :now)"
		" ON CONFLICT (key) DO NOTHING",
	[S_SET_INPUT] =
		"INSERT INTO inputs (name, lines, updated_us)"
		" VALUES (:name, :lines, :now) ON CONFLICT (name)"
		" DO UPDATE SET lines = excluded.lines,"
		" updated_us = excluded.updated_us",
	[S_INPUTS] = "SELECT name, lines FROM inputs ORDER BY rowid",
	[S_ALERT_GET] =
		"SELECT last_sent_us, repeats FROM alert_state"
		" WHERE sink = :sink AND fingerprint = :fingerprint",
	[S_ALERT_SENT] =
		"INSERT INTO alert_state (sink, fingerprint, last_sent_us,"
		" repeats) VALUES (:sink, :fingerprint, :now, 0)"
		" ON CONFLICT (sink, fingerprint) DO UPDATE SET"
		" last_sent_us = excluded.last_sent_us, repeats = 0",
	[S_ALERT_REPEAT] =
		"UPDATE alert_state SET repeats = repeats + 1"
		" WHERE sink = :sink AND fingerprint = :fingerprint",
	[S_SPOOL_ADD] =
		"INSERT INTO spool (sink, payload, attempts, due_us,"
		" queued_us) VALUES (:sink, :payload, 0, :due_us, :now)",
	[S_SPOOL_NEXT] =
		"SELECT id, sink, payload, attempts, due_us, last_error"
		" FROM spool WHERE due_us <= :now ORDER BY due_us, id LIMIT 1",
	[S_SPOOL_DONE] = "DELETE FROM spool WHERE id = :id",
	[S_SPOOL_RETRY] =
		"UPDATE spool SET attempts = attempts + 1, due_us = :due_us,"
		" last_error = :error WHERE id = :id",
	[S_SPOOL_COUNT] = "SELECT count(*) FROM spool",
};

/* The parts of a query, one bit each: a statement per combination. */
enum query_part {
	Q_SINCE = 1 << 0,
	Q_UNTIL = 1 << 1,
	Q_TYPE = 1 << 2,
	Q_HOST = 1 << 3,
	Q_FINGERPRINT = 1 << 4,
	Q_SEVERITY = 1 << 5,
	Q_LIMIT = 1 << 6,
	Q_INSERTION = 1 << 7,
	Q_NR = 1 << 8
};

struct kt_store {
	sqlite3 *db;		/* owned; closed by kt_store_close() */
	char *path;		/* owned: the name in messages */
	bool readonly;
	bool in_txn;		/* between kt_store_begin() and the end */
	sqlite3_stmt *stmt[S_NR];	/* owned; prepared on first use */
	sqlite3_stmt *query[Q_NR];	/* owned; by enum query_part set */
	struct strbuf sb;	/* scratch: an event's JSON */
};

/* ------------------------------------------------------------ errors */

static int err_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_PROTOCOL:
		return KT_ERR_IO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_FORMAT:
		return KT_ERR_FORMAT;
	}
	return KT_ERR_INTERNAL;
}

/* "'events.db': database is locked" from the last failed call. */
static int db_fail(struct kt_ctx *ctx, const struct kt_store *st, int rc)
{
	return kt_failf(ctx, err_of(rc), "'%s': %s", st->path,
			sqlite3_errmsg(st->db));
}

static int need_writable(struct kt_ctx *ctx, const struct kt_store *st)
{
	if (st->readonly)
		return kt_failf(ctx, KT_ERR_USAGE,
				"'%s': the store is open read-only",
				st->path);
	return 0;
}

/* Puts "prefix" before the detail already in ctx. */
static int prefix_error(struct kt_ctx *ctx, int err, const char *fmt, ...)
	KT_PRINTF(3, 4);
static int prefix_error(struct kt_ctx *ctx, int err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addstr(&sb, kt_ctx_error(ctx));
	kt_failf(ctx, err, "%s", sb.buf);
	strbuf_release(&sb);
	return err;
}

/* ------------------------------------------------------------ statements */

static int prep_sql(struct kt_ctx *ctx, struct kt_store *st, const char *sql,
		    sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return db_fail(ctx, st, rc);
	}
	return 0;
}

static int prep(struct kt_ctx *ctx, struct kt_store *st, enum stmt_id id,
		sqlite3_stmt **out)
{
	int rc = 0;

	if (!st->stmt[id])
		rc = prep_sql(ctx, st, stmt_sql[id], &st->stmt[id]);
	*out = st->stmt[id];
	return rc;
}

static int param(sqlite3_stmt *s, const char *name)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (!i)
		BUG("no parameter %s in: %s", name, sqlite3_sql(s));
	return i;
}

static void bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
	if (v)
		sqlite3_bind_text(s, param(s, name), v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, param(s, name));
}

static void bind_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	sqlite3_bind_int64(s, param(s, name), v);
}

static void done_with(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Steps s to its end (no rows wanted) and resets it. */
static int run(struct kt_ctx *ctx, struct kt_store *st, sqlite3_stmt *s)
{
	int rc;

	do
		rc = sqlite3_step(s);
	while (rc == SQLITE_ROW);
	rc = rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	done_with(s);
	return rc;
}

/* Runs a statement that gives one integer (count, pragma). */
static int get_i64(struct kt_ctx *ctx, struct kt_store *st, enum stmt_id id,
		   int64_t *out)
{
	sqlite3_stmt *s;
	int rc = prep(ctx, st, id, &s);

	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ?
		     kt_failf(ctx, KT_ERR_INTERNAL, "'%s': %s gave no row",
			      st->path, sqlite3_sql(s)) :
		     db_fail(ctx, st, rc);
	}
	done_with(s);
	return rc;
}

/* Runs every statement of a script (constant text, no values). */
static int run_script(struct kt_ctx *ctx, struct kt_store *st,
		      const char *sql)
{
	const char *tail = sql;
	sqlite3_stmt *s;
	int rc = 0;

	while (!rc && *tail) {
		rc = sqlite3_prepare_v2(st->db, tail, -1, &s, &tail);
		if (rc != SQLITE_OK)
			return db_fail(ctx, st, rc);
		if (!s)		/* white space or a comment */
			continue;
		rc = run(ctx, st, s);
		sqlite3_finalize(s);
	}
	return rc;
}

/* A one-row pragma read at open time, before the cache matters. */
static int pragma_i64(struct kt_ctx *ctx, struct kt_store *st,
		      const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = prep_sql(ctx, st, sql, &s);

	if (rc)
		return rc;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	sqlite3_finalize(s);
	return rc;
}

/* ------------------------------------------------------------ transactions */

int kt_store_begin(struct kt_ctx *ctx, struct kt_store *st)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (rc)
		return rc;
	if (st->in_txn)
		return kt_failf(ctx, KT_ERR_USAGE,
				"'%s': a transaction is already open",
				st->path);
	rc = prep(ctx, st, S_BEGIN, &s);
	if (!rc)
		rc = run(ctx, st, s);
	if (!rc)
		st->in_txn = true;
	return rc;
}

int kt_store_commit(struct kt_ctx *ctx, struct kt_store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (!st->in_txn)
		return kt_failf(ctx, KT_ERR_USAGE,
				"'%s': no transaction to commit", st->path);
	rc = prep(ctx, st, S_COMMIT, &s);
	if (!rc)
		rc = run(ctx, st, s);
	if (!rc || sqlite3_get_autocommit(st->db))
		st->in_txn = false;
	return rc;
}

void kt_store_rollback(struct kt_store *st)
{
	struct kt_ctx ctx;
	sqlite3_stmt *s;

	if (!st || !st->in_txn)
		return;
	kt_ctx_init(&ctx);
	if (!sqlite3_get_autocommit(st->db) &&
	    !prep(&ctx, st, S_ROLLBACK, &s))
		run(&ctx, st, s);
	kt_ctx_release(&ctx);
	st->in_txn = false;
}

/*
 * A write that must be atomic on its own: inside the caller's
 * transaction, or in one of its own.  leave() commits or rolls back
 * what enter() began.
 */
static int enter(struct kt_ctx *ctx, struct kt_store *st, bool *own)
{
	int rc = need_writable(ctx, st);

	*own = false;
	if (rc || st->in_txn)
		return rc;
	rc = kt_store_begin(ctx, st);
	*own = !rc;
	return rc;
}

static int leave(struct kt_ctx *ctx, struct kt_store *st, bool own, int rc)
{
	if (!own)
		return rc;
	if (!rc)
		rc = kt_store_commit(ctx, st);
	if (rc)
		kt_store_rollback(st);
	return rc;
}

/* ------------------------------------------------------------ opening */

/* mkdir -p of the folders above path; the ones made get mode 0700. */
static int make_folders(struct kt_ctx *ctx, const char *path)
{
	char *p = xstrdup(path), *slash;
	int rc = 0;

	for (slash = strchr(p + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0700) == 0) {
			if (chmod(p, 0700) < 0)
				rc = kt_failf(ctx, KT_ERR_IO,
					      "cannot set the mode of '%s': %s",
					      p, strerror(errno));
		} else if (errno != EEXIST) {
			rc = kt_failf(ctx, KT_ERR_IO,
				      "cannot create folder '%s': %s", p,
				      strerror(errno));
		}
		*slash = '/';
		if (rc)
			break;
	}
	free(p);
	return rc;
}

/* Creates an empty file with mode 0600 unless path exists. */
static int create_file(struct kt_ctx *ctx, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot create '%s': %s", path,
				strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		int e = errno;

		close(fd);
		return kt_failf(ctx, KT_ERR_IO, "cannot set the mode of '%s': %s",
				path, strerror(e));
	}
	close(fd);
	return 0;
}

static int migrate(struct kt_ctx *ctx, struct kt_store *st,
		   const struct kt_store_migration *step, size_t nr)
{
	int64_t version, app, objects;
	int latest = nr ? step[nr - 1].version : 0, rc;
	size_t i;

	rc = pragma_i64(ctx, st, "PRAGMA user_version", &version);
	if (!rc)
		rc = pragma_i64(ctx, st, "PRAGMA application_id", &app);
	if (!rc)
		rc = pragma_i64(ctx, st, "SELECT count(*) FROM sqlite_schema",
				&objects);
	if (rc)
		return rc;
	if ((version && app != APP_ID) || (!version && objects))
		return kt_failf(ctx, KT_ERR_FORMAT,
				"'%s': not a ktriage event store", st->path);
	if (version > latest)
		return kt_failf(ctx, KT_ERR_FORMAT,
				"'%s': written by a newer ktriage (schema "
				"version %lld, this one knows up to %d): "
				"upgrade ktriage", st->path,
				(long long)version, latest);
	if (version == latest)
		return 0;
	if (st->readonly && !version)
		return kt_failf(ctx, KT_ERR_FORMAT,
				"'%s': not a ktriage event store (empty)",
				st->path);
	if (st->readonly)
		return kt_failf(ctx, KT_ERR_FORMAT,
				"'%s': schema version %lld is older than "
				"this ktriage's (%d): open it once for "
				"writing (scan --db) to upgrade it",
				st->path, (long long)version, latest);
	rc = kt_store_begin(ctx, st);
	if (rc)
		return rc;
	/* another writer may have migrated it meanwhile */
	rc = pragma_i64(ctx, st, "PRAGMA user_version", &version);
	for (i = 0; !rc && i < nr; i++) {
		if (step[i].version <= version)
			continue;
		rc = run_script(ctx, st, step[i].sql);
		if (!rc)
			rc = pragma_i64(ctx, st, "PRAGMA user_version",
					&version);
		if (!rc && version != step[i].version)
			rc = kt_failf(ctx, KT_ERR_INTERNAL,
				      "'%s': migration %d left the schema "
				      "at version %lld", st->path,
				      step[i].version, (long long)version);
		if (rc)
			prefix_error(ctx, rc, "cannot migrate to schema "
				     "version %d: ", step[i].version);
	}
	if (!rc)
		rc = kt_store_commit(ctx, st);
	if (rc)
		kt_store_rollback(st);
	return rc;
}

/* Settings of a connection that writes; WAL stays set in the file. */
static int setup_writer(struct kt_ctx *ctx, struct kt_store *st)
{
	sqlite3_stmt *s;
	const char *mode;
	int rc;

	/* only takes effect before the first table exists */
	rc = run_script(ctx, st, "PRAGMA auto_vacuum = INCREMENTAL;");
	if (rc)
		return rc;
	rc = prep_sql(ctx, st, "PRAGMA journal_mode = WAL", &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) :
	       NULL;
	if (rc != SQLITE_ROW)
		rc = db_fail(ctx, st, rc);
	else if (!mode || strcmp(mode, "wal"))
		rc = kt_failf(ctx, KT_ERR_IO,
			      "'%s': cannot use write-ahead logging here "
			      "(journal mode stays '%s')", st->path,
			      mode ? mode : "?");
	else
		rc = 0;
	sqlite3_finalize(s);
	if (rc)
		return rc;
	return run_script(ctx, st,
			  "PRAGMA synchronous = NORMAL;"
			  "PRAGMA journal_size_limit = 67108864;");
}

int kt_store_open_steps(struct kt_ctx *ctx, const char *path, unsigned flags,
			const struct kt_store_migration *steps, size_t nr,
			struct kt_store **out)
{
	struct kt_store *st;
	struct stat sbuf;
	int rc, oflags;

	*out = NULL;
	if ((flags & KT_STORE_READONLY) && (flags & KT_STORE_CREATE))
		return kt_failf(ctx, KT_ERR_USAGE,
				"'%s': cannot create a store read-only", path);
	if (!*path)
		return kt_failf(ctx, KT_ERR_USAGE, "no store path given");
	if (flags & KT_STORE_CREATE) {
		rc = make_folders(ctx, path);
		if (!rc)
			rc = create_file(ctx, path);
		if (rc)
			return rc;
	}
	if (stat(path, &sbuf) < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", path,
				strerror(errno));
	if (!S_ISREG(sbuf.st_mode))
		return kt_failf(ctx, KT_ERR_IO,
				"cannot open '%s': not a regular file", path);

	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->readonly = flags & KT_STORE_READONLY;
	strbuf_init(&st->sb, 0);
	oflags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		rc = kt_failf(ctx, err_of(rc), "cannot open '%s': %s", path,
			      st->db ? sqlite3_errmsg(st->db) :
			      sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_MS);
	rc = st->readonly ? 0 : setup_writer(ctx, st);
	if (!rc)
		rc = migrate(ctx, st, steps, nr);
	if (rc)
		goto fail;
	*out = st;
	return 0;
fail:
	kt_store_close(st);
	return rc;
}

int kt_store_open(struct kt_ctx *ctx, const char *path, unsigned flags,
		  struct kt_store **out)
{
	return kt_store_open_steps(ctx, path, flags, migrations,
				   KT_ARRAY_SIZE(migrations), out);
}

int kt_store_schema_version(void)
{
	return migrations[KT_ARRAY_SIZE(migrations) - 1].version;
}

void kt_store_close(struct kt_store *st)
{
	size_t i;

	if (!st)
		return;
	kt_store_rollback(st);
	for (i = 0; i < S_NR; i++)
		sqlite3_finalize(st->stmt[i]);
	for (i = 0; i < Q_NR; i++)
		sqlite3_finalize(st->query[i]);
	sqlite3_close(st->db);
	strbuf_release(&st->sb);
	free(st->path);
	free(st);
}

/* ------------------------------------------------------------ events */

int kt_store_add_event(struct kt_ctx *ctx, struct kt_store *st,
		       const struct kt_event *ev, bool *added)
{
	int64_t now = kt_wall_us();
	struct kt_jsonw w;
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (added)
		*added = false;
	if (!rc)
		rc = prep(ctx, st, S_ADD_EVENT, &s);
	if (rc)
		return rc;
	strbuf_reset(&st->sb);
	kt_jsonw_init(&w, &st->sb);
	kt_event_write_json(&w, ev, now);
	bind_text(s, ":id", ev->id);
	if (ev->wall_us == KT_NO_TIME)
		sqlite3_bind_null(s, param(s, ":time_us"));
	else
		bind_int(s, ":time_us", ev->wall_us);
	bind_int(s, ":sort_us", ev->wall_us == KT_NO_TIME ? UNTIMED :
		 ev->wall_us);
	bind_int(s, ":stored_us", now);
	bind_text(s, ":type", ev->type);
	bind_text(s, ":subtype", ev->subtype);
	bind_int(s, ":severity", ev->severity);
	bind_text(s, ":host", ev->host);
	bind_text(s, ":fingerprint", ev->fingerprint);
	sqlite3_bind_text(s, param(s, ":json"), st->sb.buf, (int)st->sb.len,
			  SQLITE_STATIC);
	rc = run(ctx, st, s);
	if (!rc && added)
		*added = sqlite3_changes(st->db) > 0;
	return rc;
}

const char *kt_store_event_json(const struct kt_store *st, size_t *len)
{
	*len = st->sb.len;
	return st->sb.buf;
}

void kt_store_filter_init(struct kt_store_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since_us = f->until_us = KT_NO_TIME;
	f->min_severity = KT_SEV_MINOR;
	f->order = KT_STORE_BY_TIME;
}

static unsigned query_parts(const struct kt_store_filter *f)
{
	unsigned q = 0;

	if (f->since_us != KT_NO_TIME)
		q |= Q_SINCE;
	if (f->until_us != KT_NO_TIME)
		q |= Q_UNTIL;
	if (f->type)
		q |= Q_TYPE;
	if (f->host)
		q |= Q_HOST;
	if (f->fingerprint)
		q |= Q_FINGERPRINT;
	if (f->min_severity > KT_SEV_MINOR)
		q |= Q_SEVERITY;
	if (f->limit)
		q |= Q_LIMIT;
	if (f->order == KT_STORE_BY_INSERTION)
		q |= Q_INSERTION;
	return q;
}

/*
 * The text of a query: constant pieces only, the values are bound.
 * With a limit the inner select takes the last rows, the outer one puts
 * them back in order.
 */
static void query_sql(struct strbuf *sb, unsigned q)
{
	const char *order = q & Q_INSERTION ? "seq" : "sort_us, seq";
	const char *desc = q & Q_INSERTION ? "seq DESC" :
			   "sort_us DESC, seq DESC";

	strbuf_addstr(sb, "SELECT json, time_us, stored_us, seq FROM ");
	if (q & Q_LIMIT)
		strbuf_addstr(sb, "(SELECT json, time_us, stored_us, seq, "
			      "sort_us FROM ");
	strbuf_addstr(sb, "events WHERE 1");
	if (q & (Q_SINCE | Q_UNTIL))
		strbuf_addstr(sb, " AND time_us IS NOT NULL");
	if (q & Q_SINCE)
		strbuf_addstr(sb, " AND sort_us >= :since");
	if (q & Q_UNTIL)
		strbuf_addstr(sb, " AND sort_us < :until");
	if (q & Q_TYPE)
		strbuf_addstr(sb, " AND type = :type");
	if (q & Q_HOST)
		strbuf_addstr(sb, " AND host = :host");
	if (q & Q_FINGERPRINT)
		strbuf_addstr(sb, " AND fingerprint = :fingerprint");
	if (q & Q_SEVERITY)
		strbuf_addstr(sb, " AND severity >= :severity");
	if (q & Q_LIMIT)
		strbuf_addf(sb, " ORDER BY %s LIMIT :limit)", desc);
	strbuf_addf(sb, " ORDER BY %s", order);
}

int kt_store_query(struct kt_ctx *ctx, struct kt_store *st,
		   const struct kt_store_filter *f, kt_store_event_fn *fn,
		   void *data)
{
	unsigned q = query_parts(f);
	struct kt_store_row row;
	sqlite3_stmt *s;
	bool stop = false;
	int rc = 0;

	if (!st->query[q]) {
		struct strbuf sql = STRBUF_INIT;

		query_sql(&sql, q);
		rc = prep_sql(ctx, st, sql.buf, &st->query[q]);
		strbuf_release(&sql);
		if (rc)
			return rc;
	}
	s = st->query[q];
	if (q & Q_SINCE)
		bind_int(s, ":since", f->since_us);
	if (q & Q_UNTIL)
		bind_int(s, ":until", f->until_us);
	if (q & Q_TYPE)
		bind_text(s, ":type", f->type);
	if (q & Q_HOST)
		bind_text(s, ":host", f->host);
	if (q & Q_FINGERPRINT)
		bind_text(s, ":fingerprint", f->fingerprint);
	if (q & Q_SEVERITY)
		bind_int(s, ":severity", f->min_severity);
	if (q & Q_LIMIT)
		bind_int(s, ":limit", f->limit > INT64_MAX ? INT64_MAX :
			 (int64_t)f->limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.json = (const char *)sqlite3_column_text(s, 0);
		row.time_us = sqlite3_column_type(s, 1) == SQLITE_NULL ?
			      KT_NO_TIME : sqlite3_column_int64(s, 1);
		row.stored_us = sqlite3_column_int64(s, 2);
		row.seq = sqlite3_column_int64(s, 3);
		if (!row.json)
			row.json = "";
		rc = fn(data, &row);
		stop = rc != 0;
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	done_with(s);
	return rc;
}

struct replay {
	struct kt_ctx *ctx;
	const char *path;
	struct kt_event_reader *reader;
	kt_event_fn *fn;
	void *data;
	int failed;
};

static int replay_row(void *data, const struct kt_store_row *row)
{
	struct replay *r = data;
	struct kt_event *ev;
	int rc;

	rc = kt_event_reader_parse(r->ctx, r->reader, row->json,
				   strlen(row->json), &ev);
	if (rc) {
		kt_failf(r->ctx, rc, "'%s': stored event %lld: %s", r->path,
			 (long long)row->seq, kt_ctx_error(r->ctx));
		r->failed = rc;
		return rc;
	}
	/* the JSON has whole seconds; the column has the exact time */
	if (row->time_us != KT_NO_TIME && ev->wall_us != KT_NO_TIME &&
	    row->time_us / 1000000 == ev->wall_us / 1000000)
		ev->wall_us = row->time_us;
	r->fn(r->data, ev);
	return 0;
}

int kt_store_replay(struct kt_ctx *ctx, struct kt_store *st,
		    const struct kt_store_filter *f, kt_event_fn *fn,
		    void *data, struct kt_event_reader *reader)
{
	struct replay r = { ctx, st->path, reader, fn, data, 0 };
	int rc = kt_store_query(ctx, st, f, replay_row, &r);

	return r.failed ? r.failed : rc;
}

int kt_store_count(struct kt_ctx *ctx, struct kt_store *st, uint64_t *n)
{
	int64_t v = 0;
	int rc = get_i64(ctx, st, S_COUNT_EVENTS, &v);

	*n = (uint64_t)v;
	return rc;
}

int kt_store_size(struct kt_ctx *ctx, struct kt_store *st, uint64_t *bytes)
{
	int64_t pages = 0, size = 0;
	int rc = get_i64(ctx, st, S_PAGE_COUNT, &pages);

	if (!rc)
		rc = get_i64(ctx, st, S_PAGE_SIZE, &size);
	*bytes = rc ? 0 : (uint64_t)pages * (uint64_t)size;
	return rc;
}

static int delete_by(struct kt_ctx *ctx, struct kt_store *st,
		     enum stmt_id id, const char *name, int64_t v,
		     uint64_t *n)
{
	sqlite3_stmt *s;
	int rc = prep(ctx, st, id, &s);

	if (rc)
		return rc;
	bind_int(s, name, v);
	rc = run(ctx, st, s);
	if (!rc)
		*n += (uint64_t)sqlite3_changes(st->db);
	return rc;
}

static int vacuum(struct kt_ctx *ctx, struct kt_store *st)
{
	sqlite3_stmt *s;
	int rc = prep(ctx, st, S_VACUUM, &s);

	return rc ? rc : run(ctx, st, s);
}

/*
 * Deletes the oldest events until the file fits in max: each round
 * gives the free pages back, measures, and deletes as many events as
 * the excess holds at the average size of an event (at least one).
 * Pages empty out as rows go, so the file shrinks round by round.
 */
static int trim_to(struct kt_ctx *ctx, struct kt_store *st, uint64_t max,
		   uint64_t *n)
{
	uint64_t size, count, k;
	int rc;

	for (;;) {
		rc = vacuum(ctx, st);
		if (!rc)
			rc = kt_store_size(ctx, st, &size);
		if (!rc)
			rc = kt_store_count(ctx, st, &count);
		if (rc || size <= max || !count)
			return rc;
		k = (size - max) / (size / count + 1) + 1;
		if (k > (uint64_t)INT64_MAX)
			k = (uint64_t)INT64_MAX;
		rc = delete_by(ctx, st, S_RETAIN_OLDEST, ":n", (int64_t)k, n);
		if (rc)
			return rc;
	}
}

int kt_store_retain(struct kt_ctx *ctx, struct kt_store *st,
		    int64_t older_than_us, uint64_t max_bytes,
		    uint64_t *deleted)
{
	uint64_t n = 0;
	sqlite3_stmt *s;
	bool own;
	int rc = enter(ctx, st, &own);

	if (deleted)
		*deleted = 0;
	if (rc)
		return rc;
	if (older_than_us != KT_NO_TIME) {
		rc = delete_by(ctx, st, S_RETAIN_AGE, ":cut", older_than_us,
			       &n);
		if (!rc)
			rc = delete_by(ctx, st, S_RETAIN_UNTIMED, ":cut",
				       older_than_us, &n);
	}
	if (!rc && max_bytes)
		rc = trim_to(ctx, st, max_bytes, &n);
	else if (!rc && n)
		rc = vacuum(ctx, st);
	rc = leave(ctx, st, own, rc);
	/* give the file back its pages now if no reader holds them */
	if (!rc && own && !prep(ctx, st, S_CHECKPOINT, &s))
		rc = run(ctx, st, s);
	if (!rc && deleted)
		*deleted = n;
	return rc;
}

/* ------------------------------------------------------------ cursors */

int kt_store_set_cursor(struct kt_ctx *ctx, struct kt_store *st,
			const char *source, const char *cursor)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (!rc)
		rc = prep(ctx, st, S_SET_CURSOR, &s);
	if (rc)
		return rc;
	bind_text(s, ":source", source);
	bind_text(s, ":cursor", cursor);
	bind_int(s, ":now", kt_wall_us());
	return run(ctx, st, s);
}

int kt_store_get_cursor(struct kt_ctx *ctx, struct kt_store *st,
			const char *source, struct strbuf *out)
{
	sqlite3_stmt *s;
	int rc = prep(ctx, st, S_GET_CURSOR, &s);

	if (rc)
		return rc;
	bind_text(s, ":source", source);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);

		strbuf_reset(out);
		if (v)
			strbuf_add(out, v, (size_t)sqlite3_column_bytes(s, 0));
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	}
	done_with(s);
	return rc;
}

/* ------------------------------------------------------------ harvest */

int kt_store_harvest(struct kt_ctx *ctx, struct kt_store *st,
		     const char *key, bool *fresh)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	*fresh = false;
	if (!rc)
		rc = prep(ctx, st, S_HARVEST, &s);
	if (rc)
		return rc;
	bind_text(s, ":key", key);
	bind_int(s, ":now", kt_wall_us());
	rc = run(ctx, st, s);
	if (!rc)
		*fresh = sqlite3_changes(st->db) > 0;
	return rc;
}

/* ------------------------------------------------------------ inputs */

int kt_store_set_input(struct kt_ctx *ctx, struct kt_store *st,
		       const char *name, uint64_t lines)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (!rc)
		rc = prep(ctx, st, S_SET_INPUT, &s);
	if (rc)
		return rc;
	bind_text(s, ":name", name);
	bind_int(s, ":lines", lines > INT64_MAX ? INT64_MAX : (int64_t)lines);
	bind_int(s, ":now", kt_wall_us());
	return run(ctx, st, s);
}

int kt_store_inputs(struct kt_ctx *ctx, struct kt_store *st,
		    kt_store_input_fn *fn, void *data)
{
	sqlite3_stmt *s;
	bool stop = false;
	int rc = prep(ctx, st, S_INPUTS, &s);

	if (rc)
		return rc;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		int64_t lines = sqlite3_column_int64(s, 1);

		rc = fn(data, name ? name : "", lines < 0 ? 0 :
			(uint64_t)lines);
		stop = rc != 0;
	}
	if (!stop)
		rc = rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	done_with(s);
	return rc;
}

/* ------------------------------------------------------------ alerts */

static void bind_alert(sqlite3_stmt *s, const char *sink, const char *fp)
{
	bind_text(s, ":sink", sink);
	bind_text(s, ":fingerprint", fp);
}

/* Is an alert due at now, the last one sent at last? */
static bool alert_due(int64_t last, int64_t now, int64_t cooldown)
{
	int64_t since;

	if (now < last)
		return true;	/* the clock went back */
	if (__builtin_sub_overflow(now, last, &since))
		return true;
	return since >= cooldown;
}

int kt_store_alert_note(struct kt_ctx *ctx, struct kt_store *st,
			const char *sink, const char *fingerprint,
			int64_t now_us, int64_t cooldown_us, bool *send,
			uint64_t *repeats)
{
	int64_t last = 0, count = 0;
	bool own, found = false;
	sqlite3_stmt *s;
	int rc = enter(ctx, st, &own);

	*send = false;
	*repeats = 0;
	if (!rc)
		rc = prep(ctx, st, S_ALERT_GET, &s);
	if (rc)
		return leave(ctx, st, own, rc);
	bind_alert(s, sink, fingerprint);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		found = true;
		last = sqlite3_column_int64(s, 0);
		count = sqlite3_column_int64(s, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	}
	done_with(s);
	if (rc)
		return leave(ctx, st, own, rc);
	*send = !found || alert_due(last, now_us, cooldown_us);
	rc = prep(ctx, st, *send ? S_ALERT_SENT : S_ALERT_REPEAT, &s);
	if (!rc) {
		bind_alert(s, sink, fingerprint);
		if (*send)
			bind_int(s, ":now", now_us);
		rc = run(ctx, st, s);
	}
	*repeats = (uint64_t)(count < 0 ? 0 : count) + !*send;
	rc = leave(ctx, st, own, rc);
	if (rc)
		*send = false;
	return rc;
}

/* ------------------------------------------------------------ spool */

void kt_spool_item_release(struct kt_spool_item *it)
{
	free(it->sink);
	free(it->payload);
	free(it->error);
	memset(it, 0, sizeof(*it));
}

int kt_store_spool_add(struct kt_ctx *ctx, struct kt_store *st,
		       const char *sink, const char *payload, int64_t due_us)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (!rc)
		rc = prep(ctx, st, S_SPOOL_ADD, &s);
	if (rc)
		return rc;
	bind_text(s, ":sink", sink);
	bind_text(s, ":payload", payload);
	bind_int(s, ":due_us", due_us);
	bind_int(s, ":now", kt_wall_us());
	return run(ctx, st, s);
}

static char *column_dup(sqlite3_stmt *s, int col)
{
	const char *v = (const char *)sqlite3_column_text(s, col);

	return v ? xmemdupz(v, (size_t)sqlite3_column_bytes(s, col)) : NULL;
}

int kt_store_spool_next(struct kt_ctx *ctx, struct kt_store *st,
			int64_t now_us, struct kt_spool_item *out)
{
	sqlite3_stmt *s;
	int rc = prep(ctx, st, S_SPOOL_NEXT, &s);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	bind_int(s, ":now", now_us);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t attempts = sqlite3_column_int64(s, 3);

		out->id = sqlite3_column_int64(s, 0);
		out->sink = column_dup(s, 1);
		out->payload = column_dup(s, 2);
		out->attempts = attempts < 0 ? 0 : attempts > UINT32_MAX ?
				UINT32_MAX : (unsigned)attempts;
		out->due_us = sqlite3_column_int64(s, 4);
		out->error = column_dup(s, 5);
		if (!out->sink)
			out->sink = xstrdup("");
		if (!out->payload)
			out->payload = xstrdup("");
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : db_fail(ctx, st, rc);
	}
	done_with(s);
	return rc;
}

int kt_store_spool_done(struct kt_ctx *ctx, struct kt_store *st, int64_t id)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (!rc)
		rc = prep(ctx, st, S_SPOOL_DONE, &s);
	if (rc)
		return rc;
	bind_int(s, ":id", id);
	return run(ctx, st, s);
}

int kt_store_spool_retry(struct kt_ctx *ctx, struct kt_store *st, int64_t id,
			 int64_t due_us, const char *error)
{
	sqlite3_stmt *s;
	int rc = need_writable(ctx, st);

	if (!rc)
		rc = prep(ctx, st, S_SPOOL_RETRY, &s);
	if (rc)
		return rc;
	bind_int(s, ":id", id);
	bind_int(s, ":due_us", due_us);
	bind_text(s, ":error", error);
	return run(ctx, st, s);
}

int kt_store_spool_count(struct kt_ctx *ctx, struct kt_store *st,
			 uint64_t *n)
{
	int64_t v = 0;
	int rc = get_i64(ctx, st, S_SPOOL_COUNT, &v);

	*n = (uint64_t)v;
	return rc;
}
