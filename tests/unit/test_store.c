/*
 * test_store.c - the event store: each id once, queries in order with
 * their bounds, transactions that keep events and cursors together,
 * harvest marks, alert cooldowns, the alert spool, retention by age and
 * size, migrations, and the errors a bad file gives.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store.h"
#include <ftw.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define SEC 1000000LL
#define T0 (1700000000LL * SEC)	/* 2023-11-14T22:13:20Z */

static char dir[] = "/tmp/kt-test-store-XXXXXX";
static struct strbuf path = STRBUF_INIT;
static struct kt_ctx ctx;

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_one(const char *name, const struct stat *sb, int flag,
		      struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(name, 0700);
	return remove(name);
}

static int teardown(void **state)
{
	(void)state;
	strbuf_release(&path);
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh file name for each test, under the test folder. */
static const char *fresh(const char *name)
{
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s", dir, name);
	return path.buf;
}

static struct kt_store *open_new(const char *name)
{
	struct kt_store *st = NULL;

	kt_ctx_init(&ctx);
	assert_int_equal(kt_store_open(&ctx, fresh(name), KT_STORE_CREATE,
				       &st), 0);
	return st;
}

static struct kt_store *reopen(unsigned flags)
{
	struct kt_store *st = NULL;

	assert_int_equal(kt_store_open(&ctx, path.buf, flags, &st), 0);
	return st;
}

/* An event with id and fingerprint from n, at wall_us. */
static void make_event(struct kt_event *ev, unsigned n, int64_t wall_us,
		       const char *type, const char *host,
		       enum kt_severity sev)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->id, sizeof(ev->id), "%016x", n);
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%016x",
		 0xf000 + n % 4);
	ev->type = type;
	ev->subtype = "x";
	ev->severity = sev;
	ev->title = (char *)"a title";
	ev->wall_us = wall_us;
	ev->mono_us = -1;
	ev->host = (char *)host;
	ev->file = "kern.log";
	ev->line = n;
	ev->line_end = n;
	ev->message = (char *)"a message";
	ev->pid = -1;
	ev->fields = json_object();
}

static void add(struct kt_store *st, unsigned n, int64_t wall_us,
		const char *type, const char *host, enum kt_severity sev,
		bool want_added)
{
	struct kt_event ev;
	bool added;

	make_event(&ev, n, wall_us, type, host, sev);
	assert_int_equal(kt_store_add_event(&ctx, st, &ev, &added), 0);
	assert_int_equal(added, want_added);
	json_decref(ev.fields);
}

static uint64_t count(struct kt_store *st)
{
	uint64_t n = 99;

	assert_int_equal(kt_store_count(&ctx, st, &n), 0);
	return n;
}

/* The events of a query, as the numbers their ids were made of. */
struct seen {
	unsigned n[64];
	size_t nr;
	int64_t time_us[64];
};

static int collect(void *data, const struct kt_store_row *row)
{
	struct seen *s = data;
	const char *id = strstr(row->json, "\"id\":\"");

	assert_non_null(id);
	assert_true(s->nr < 64);
	s->time_us[s->nr] = row->time_us;
	s->n[s->nr++] = (unsigned)strtoul(id + 6, NULL, 16); /* checksrc: allow strtoul */
	return 0;
}

static void expect(struct kt_store *st, const struct kt_store_filter *f,
		   const unsigned *want, size_t nr)
{
	struct seen s = { { 0 }, 0, { 0 } };
	size_t i;

	assert_int_equal(kt_store_query(&ctx, st, f, collect, &s), 0);
	if (s.nr != nr)
		for (i = 0; i < s.nr; i++)
			print_message("got %u\n", s.n[i]);
	assert_int_equal(s.nr, nr);
	for (i = 0; i < nr; i++)
		assert_int_equal(s.n[i], want[i]);
}

#define EXPECT(st, f, ...) do { \
	const unsigned want_[] = { __VA_ARGS__ }; \
	expect((st), (f), want_, KT_ARRAY_SIZE(want_)); \
} while (0)

/* ------------------------------------------------------------ events */

static void test_dedup_by_id(void **state)
{
	struct kt_store *st = open_new("dedup.db");
	struct kt_store_filter f;

	(void)state;
	add(st, 1, T0, "oom", "web1", KT_SEV_MAJOR, true);
	add(st, 1, T0 + SEC, "panic", "web2", KT_SEV_CRITICAL, false);
	add(st, 2, T0, "oom", "web1", KT_SEV_MAJOR, true);
	assert_int_equal(count(st), 2);
	kt_store_filter_init(&f);
	EXPECT(st, &f, 1, 2);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

static int first_json(void *data, const struct kt_store_row *row)
{
	struct strbuf *sb = data;

	if (!sb->len)
		strbuf_addstr(sb, row->json);
	return 0;
}

/* The JSON kt_store_add_event() wrote is the object stored. */
static void test_event_json(void **state)
{
	struct kt_store *st = open_new("json.db");
	struct strbuf stored = STRBUF_INIT;
	struct kt_store_filter f;
	const char *json;
	size_t len;

	(void)state;
	add(st, 7, T0, "oom", "web1", KT_SEV_MAJOR, true);
	json = kt_store_event_json(st, &len);
	assert_non_null(strstr(json, "\"type\":\"oom\""));
	kt_store_filter_init(&f);
	assert_int_equal(kt_store_query(&ctx, st, &f, first_json, &stored),
			 0);
	assert_int_equal(stored.len, len);
	assert_memory_equal(stored.buf, json, len);
	strbuf_release(&stored);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

static void test_query(void **state)
{
	struct kt_store *st = open_new("query.db");
	struct kt_store_filter f;

	(void)state;
	/* stored out of time order, two at the same time, two untimed */
	add(st, 1, T0 + 300 * SEC, "oom", "web1", KT_SEV_MAJOR, true);
	add(st, 2, KT_NO_TIME, "oom", "web1", KT_SEV_MINOR, true);
	add(st, 3, T0 + 200 * SEC, "panic", "web2", KT_SEV_CRITICAL, true);
	add(st, 4, T0 + 100 * SEC, "oom", NULL, KT_SEV_MAJOR, true);
	add(st, 5, T0 + 200 * SEC, "oom", "web1", KT_SEV_MINOR, true);
	add(st, 6, KT_NO_TIME, "panic", "web2", KT_SEV_CRITICAL, true);

	kt_store_filter_init(&f);
	EXPECT(st, &f, 4, 3, 5, 1, 2, 6);
	f.order = KT_STORE_BY_INSERTION;
	EXPECT(st, &f, 1, 2, 3, 4, 5, 6);
	f.order = KT_STORE_BY_TIME;

	/* since inclusive, until exclusive, untimed ones left out */
	f.since_us = T0 + 200 * SEC;
	EXPECT(st, &f, 3, 5, 1);
	f.until_us = T0 + 300 * SEC;
	EXPECT(st, &f, 3, 5);
	f.since_us = KT_NO_TIME;
	EXPECT(st, &f, 4, 3, 5);
	f.until_us = T0 + 100 * SEC;
	assert_int_equal(count(st), 6);
	expect(st, &f, NULL, 0);

	kt_store_filter_init(&f);
	f.type = "panic";
	EXPECT(st, &f, 3, 6);
	f.type = NULL;
	f.host = "web1";
	EXPECT(st, &f, 5, 1, 2);
	f.host = NULL;
	f.fingerprint = "000000000000f001";
	EXPECT(st, &f, 5, 1);
	f.fingerprint = NULL;
	f.min_severity = KT_SEV_MAJOR;
	EXPECT(st, &f, 4, 3, 1, 6);
	f.min_severity = KT_SEV_CRITICAL;
	EXPECT(st, &f, 3, 6);

	/* a limit keeps the latest, still oldest first */
	kt_store_filter_init(&f);
	f.limit = 3;
	EXPECT(st, &f, 1, 2, 6);
	f.since_us = T0;
	EXPECT(st, &f, 3, 5, 1);
	f.limit = 100;
	EXPECT(st, &f, 4, 3, 5, 1);
	kt_store_filter_init(&f);
	f.order = KT_STORE_BY_INSERTION;
	f.limit = 2;
	EXPECT(st, &f, 5, 6);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

static int stop_at_two(void *data, const struct kt_store_row *row)
{
	int *n = data;

	(void)row;
	return ++*n == 2 ? 42 : 0;
}

static void test_query_stops(void **state)
{
	struct kt_store *st = open_new("stop.db");
	struct kt_store_filter f;
	int n = 0;

	(void)state;
	add(st, 1, T0, "oom", "h", KT_SEV_MAJOR, true);
	add(st, 2, T0 + 1, "oom", "h", KT_SEV_MAJOR, true);
	add(st, 3, T0 + 2, "oom", "h", KT_SEV_MAJOR, true);
	kt_store_filter_init(&f);
	assert_int_equal(kt_store_query(&ctx, st, &f, stop_at_two, &n), 42);
	assert_int_equal(n, 2);
	/* the statement was reset: the next query starts over */
	EXPECT(st, &f, 1, 2, 3);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

struct replayed {
	int64_t wall_us[8];
	char type[8][16];
	size_t nr;
};

static void take(void *data, struct kt_event *ev)
{
	struct replayed *r = data;

	r->wall_us[r->nr] = ev->wall_us;
	snprintf(r->type[r->nr], sizeof(r->type[0]), "%s", ev->type);
	r->nr++;
	kt_event_free(ev);
}

static void test_replay_exact_time(void **state)
{
	struct kt_store *st = open_new("replay.db");
	struct kt_event_reader *reader = kt_event_reader_new();
	struct kt_store_filter f;
	struct replayed r = { { 0 }, { "" }, 0 };

	(void)state;
	add(st, 1, T0 + 123456, "oom", "h", KT_SEV_MAJOR, true);
	add(st, 2, KT_NO_TIME, "reboot", NULL, KT_SEV_MINOR, true);
	kt_store_filter_init(&f);
	assert_int_equal(kt_store_replay(&ctx, st, &f, take, &r, reader), 0);
	assert_int_equal(r.nr, 2);
	assert_true(r.wall_us[0] == T0 + 123456);
	assert_true(r.wall_us[1] == KT_NO_TIME);
	assert_string_equal(r.type[0], "oom");
	assert_string_equal(r.type[1], "reboot");
	kt_event_reader_free(reader);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ transactions */

static bool has_cursor(struct kt_store *st, const char *source,
		       const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = kt_store_get_cursor(&ctx, st, source, &sb);
	bool ok;

	assert_true(rc == 0 || rc == 1);
	ok = rc == 1 && want && !strcmp(sb.buf, want);
	if (!want)
		ok = rc == 0;
	strbuf_release(&sb);
	return ok;
}

static void test_rollback_drops_events_and_cursors(void **state)
{
	struct kt_store *st = open_new("txn.db");

	(void)state;
	assert_int_equal(kt_store_begin(&ctx, st), 0);
	add(st, 1, T0, "oom", "h", KT_SEV_MAJOR, true);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "kmsg", "seq=10"), 0);
	/* transactions do not nest */
	assert_int_equal(kt_store_begin(&ctx, st), KT_ERR_USAGE);
	kt_store_rollback(st);
	assert_int_equal(count(st), 0);
	assert_true(has_cursor(st, "kmsg", NULL));
	kt_store_rollback(st);	/* harmless without a transaction */

	assert_int_equal(kt_store_begin(&ctx, st), 0);
	add(st, 1, T0, "oom", "h", KT_SEV_MAJOR, true);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "kmsg", "seq=10"), 0);
	assert_int_equal(kt_store_commit(&ctx, st), 0);
	assert_int_equal(count(st), 1);
	assert_true(has_cursor(st, "kmsg", "seq=10"));
	assert_int_equal(kt_store_commit(&ctx, st), KT_ERR_USAGE);

	/* closing with a transaction open rolls it back */
	assert_int_equal(kt_store_begin(&ctx, st), 0);
	add(st, 2, T0, "oom", "h", KT_SEV_MAJOR, true);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "kmsg", "seq=20"), 0);
	kt_store_close(st);
	st = reopen(0);
	assert_int_equal(count(st), 1);
	assert_true(has_cursor(st, "kmsg", "seq=10"));
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

static void test_readers_see_commits_only(void **state)
{
	struct kt_store *st = open_new("wal.db"), *rd;

	(void)state;
	rd = reopen(KT_STORE_READONLY);
	assert_int_equal(kt_store_begin(&ctx, st), 0);
	add(st, 1, T0, "oom", "h", KT_SEV_MAJOR, true);
	assert_int_equal(count(rd), 0);
	assert_int_equal(kt_store_commit(&ctx, st), 0);
	assert_int_equal(count(rd), 1);
	/* a read-only store takes no writes */
	assert_int_equal(kt_store_begin(&ctx, rd), KT_ERR_USAGE);
	assert_int_equal(kt_store_set_cursor(&ctx, rd, "a", "b"),
			 KT_ERR_USAGE);
	kt_store_close(rd);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

static int list_input(void *data, const char *name, uint64_t lines)
{
	struct strbuf *sb = data;

	strbuf_addf(sb, "%s=%llu;", name, (unsigned long long)lines);
	return 0;
}

static void test_reopen_keeps_everything(void **state)
{
	struct kt_store *st = open_new("sub/dir/reopen.db");
	struct strbuf sb = STRBUF_INIT;
	struct kt_spool_item it;
	struct stat sbuf;
	uint64_t repeats, n;
	bool fresh, send;

	(void)state;
	assert_int_equal(stat(path.buf, &sbuf), 0);
	assert_int_equal(sbuf.st_mode & 0777, 0600);
	add(st, 1, T0, "oom", "h", KT_SEV_MAJOR, true);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "journal", "s=1"), 0);
	assert_int_equal(kt_store_harvest(&ctx, st, "dump 1 2", &fresh), 0);
	assert_int_equal(kt_store_set_input(&ctx, st, "kern.log", 10), 0);
	assert_int_equal(kt_store_set_input(&ctx, st, "-", 3), 0);
	assert_int_equal(kt_store_set_input(&ctx, st, "kern.log", 12), 0);
	assert_int_equal(kt_store_alert_note(&ctx, st, "webhook", "fp", T0,
					     60 * SEC, &send, &repeats), 0);
	assert_int_equal(kt_store_spool_add(&ctx, st, "webhook", "{}", T0),
			 0);
	kt_store_close(st);

	st = reopen(0);
	assert_int_equal(count(st), 1);
	assert_true(has_cursor(st, "journal", "s=1"));
	assert_int_equal(kt_store_harvest(&ctx, st, "dump 1 2", &fresh), 0);
	assert_false(fresh);
	assert_int_equal(kt_store_inputs(&ctx, st, list_input, &sb), 0);
	assert_string_equal(sb.buf, "kern.log=12;-=3;");
	assert_int_equal(kt_store_alert_note(&ctx, st, "webhook", "fp",
					     T0 + SEC, 60 * SEC, &send,
					     &repeats), 0);
	assert_false(send);
	assert_int_equal(kt_store_spool_count(&ctx, st, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(kt_store_spool_next(&ctx, st, T0, &it), 1);
	assert_string_equal(it.payload, "{}");
	kt_spool_item_release(&it);
	kt_store_close(st);
	strbuf_release(&sb);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ cursors */

static void test_cursor_replace(void **state)
{
	struct kt_store *st = open_new("cursor.db");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, "stale");
	assert_int_equal(kt_store_get_cursor(&ctx, st, "file", &sb), 0);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "file", "ino=1 off=5"),
			 0);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "kmsg", "seq=3"), 0);
	assert_int_equal(kt_store_set_cursor(&ctx, st, "file", "ino=1 off=9"),
			 0);
	assert_int_equal(kt_store_get_cursor(&ctx, st, "file", &sb), 1);
	assert_string_equal(sb.buf, "ino=1 off=9");
	assert_int_equal(kt_store_get_cursor(&ctx, st, "kmsg", &sb), 1);
	assert_string_equal(sb.buf, "seq=3");
	strbuf_release(&sb);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ harvest */

static void test_harvest(void **state)
{
	struct kt_store *st = open_new("harvest.db");
	bool fresh;

	(void)state;
	assert_int_equal(kt_store_harvest(&ctx, st, "a 1 2", &fresh), 0);
	assert_true(fresh);
	assert_int_equal(kt_store_harvest(&ctx, st, "a 1 2", &fresh), 0);
	assert_false(fresh);
	assert_int_equal(kt_store_harvest(&ctx, st, "a 1 3", &fresh), 0);
	assert_true(fresh);

	/* a rolled-back mark is gone: fresh again */
	assert_int_equal(kt_store_begin(&ctx, st), 0);
	assert_int_equal(kt_store_harvest(&ctx, st, "b", &fresh), 0);
	assert_true(fresh);
	assert_int_equal(kt_store_harvest(&ctx, st, "b", &fresh), 0);
	assert_false(fresh);
	kt_store_rollback(st);
	assert_int_equal(kt_store_harvest(&ctx, st, "b", &fresh), 0);
	assert_true(fresh);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ alerts */

static void note(struct kt_store *st, const char *sink, int64_t now,
		 bool want_send, uint64_t want_repeats)
{
	uint64_t repeats = 99;
	bool send = !want_send;

	assert_int_equal(kt_store_alert_note(&ctx, st, sink, "fp1", now,
					     60 * SEC, &send, &repeats), 0);
	assert_int_equal(send, want_send);
	assert_int_equal(repeats, want_repeats);
}

static void test_alert_cooldown(void **state)
{
	struct kt_store *st = open_new("alert.db");

	(void)state;
	note(st, "webhook", T0, true, 0);		/* first */
	note(st, "webhook", T0 + SEC, false, 1);	/* repeats counted */
	note(st, "webhook", T0 + 60 * SEC - 1, false, 2);
	note(st, "slack", T0 + SEC, true, 0);	/* sinks apart */
	note(st, "webhook", T0 + 60 * SEC, true, 2);	/* due exactly */
	note(st, "webhook", T0 + 61 * SEC, false, 1);	/* from the new one */
	note(st, "webhook", T0 + 30 * SEC, true, 1);	/* clock went back */
	note(st, "webhook", T0 + 31 * SEC, false, 1);	/* cooldown from it */

	/* inside a rolled-back transaction the note goes too */
	assert_int_equal(kt_store_begin(&ctx, st), 0);
	note(st, "webhook", T0 + 200 * SEC, true, 1);
	kt_store_rollback(st);
	note(st, "webhook", T0 + 200 * SEC, true, 1);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ spool */

static void spool_expect(struct kt_store *st, int64_t now,
			 const char *payload, unsigned attempts,
			 const char *error, int64_t *id)
{
	struct kt_spool_item it;
	int rc = kt_store_spool_next(&ctx, st, now, &it);

	if (!payload) {
		assert_int_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, 1);
	assert_string_equal(it.sink, "webhook");
	assert_string_equal(it.payload, payload);
	assert_int_equal(it.attempts, attempts);
	if (error)
		assert_string_equal(it.error, error);
	else
		assert_null(it.error);
	*id = it.id;
	kt_spool_item_release(&it);
}

static void test_spool(void **state)
{
	struct kt_store *st = open_new("spool.db");
	int64_t id = 0;
	uint64_t n;

	(void)state;
	assert_int_equal(kt_store_spool_add(&ctx, st, "webhook", "A", T0 + 100),
			 0);
	assert_int_equal(kt_store_spool_add(&ctx, st, "webhook", "B", T0 + 50),
			 0);
	assert_int_equal(kt_store_spool_add(&ctx, st, "webhook", "C", T0 + 50),
			 0);
	spool_expect(st, T0 + 49, NULL, 0, NULL, &id);
	spool_expect(st, T0 + 50, "B", 0, NULL, &id);
	/* it stays queued until done */
	spool_expect(st, T0 + 50, "B", 0, NULL, &id);
	assert_int_equal(kt_store_spool_done(&ctx, st, id), 0);
	spool_expect(st, T0 + 50, "C", 0, NULL, &id);
	assert_int_equal(kt_store_spool_retry(&ctx, st, id, T0 + 200,
					      "HTTP 503"), 0);
	spool_expect(st, T0 + 60, NULL, 0, NULL, &id);
	spool_expect(st, T0 + 200, "A", 0, NULL, &id);
	assert_int_equal(kt_store_spool_done(&ctx, st, id), 0);
	spool_expect(st, T0 + 199, NULL, 0, NULL, &id);
	spool_expect(st, T0 + 200, "C", 1, "HTTP 503", &id);
	assert_int_equal(kt_store_spool_retry(&ctx, st, id, T0 + 300,
					      "timeout"), 0);
	spool_expect(st, T0 + 300, "C", 2, "timeout", &id);
	assert_int_equal(kt_store_spool_count(&ctx, st, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(kt_store_spool_done(&ctx, st, id), 0);
	assert_int_equal(kt_store_spool_count(&ctx, st, &n), 0);
	assert_int_equal(n, 0);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ retention */

static void test_retain_by_age(void **state)
{
	struct kt_store *st = open_new("age.db");
	struct kt_store_filter f;
	uint64_t deleted = 99;
	int64_t now = (int64_t)time(NULL) * SEC;

	(void)state;
	add(st, 1, T0, "oom", "h", KT_SEV_MAJOR, true);
	add(st, 2, T0 + 10 * SEC, "oom", "h", KT_SEV_MAJOR, true);
	add(st, 3, T0 + 20 * SEC, "oom", "h", KT_SEV_MAJOR, true);
	add(st, 4, KT_NO_TIME, "oom", "h", KT_SEV_MAJOR, true);
	/* the cut is exclusive; untimed ones go by when they were stored */
	assert_int_equal(kt_store_retain(&ctx, st, T0 + 10 * SEC, 0,
					 &deleted), 0);
	assert_int_equal(deleted, 1);
	kt_store_filter_init(&f);
	EXPECT(st, &f, 2, 3, 4);
	assert_int_equal(kt_store_retain(&ctx, st, KT_NO_TIME, 0, &deleted),
			 0);
	assert_int_equal(deleted, 0);
	assert_int_equal(kt_store_retain(&ctx, st, now + 3600 * SEC, 0,
					 &deleted), 0);
	assert_int_equal(deleted, 3);
	assert_int_equal(count(st), 0);
	kt_store_close(st);
	kt_ctx_release(&ctx);
}

static void test_retain_by_size(void **state)
{
	struct kt_store *st = open_new("size.db");
	struct strbuf big = STRBUF_INIT;
	struct kt_store_filter f;
	uint64_t size, deleted, n, max = 256 * 1024;
	struct kt_event ev;
	struct stat sbuf;
	unsigned i;

	(void)state;
	for (i = 0; i < 2000; i++)
		strbuf_addch(&big, 'x');
	assert_int_equal(kt_store_begin(&ctx, st), 0);
	for (i = 1; i <= 1000; i++) {
		make_event(&ev, i, T0 + i * SEC, "oom", "h", KT_SEV_MAJOR);
		ev.message = big.buf;
		assert_int_equal(kt_store_add_event(&ctx, st, &ev, NULL), 0);
		json_decref(ev.fields);
	}
	assert_int_equal(kt_store_commit(&ctx, st), 0);
	assert_int_equal(kt_store_size(&ctx, st, &size), 0);
	assert_true(size > 2 * 1000 * 1000);

	assert_int_equal(kt_store_retain(&ctx, st, KT_NO_TIME, max, &deleted),
			 0);
	assert_int_equal(kt_store_size(&ctx, st, &size), 0);
	assert_true(size <= max);
	n = count(st);
	assert_int_equal(n + deleted, 1000);
	assert_true(n > 10);
	/* the oldest went: what is left is the newest */
	kt_store_filter_init(&f);
	f.limit = 1;
	EXPECT(st, &f, 1000);
	f.limit = 0;
	f.until_us = T0 + (int64_t)(1000 - n + 2) * SEC;
	EXPECT(st, &f, (unsigned)(1000 - n + 1));
	/* and the file itself shrank after the checkpoint */
	assert_int_equal(stat(path.buf, &sbuf), 0);
	assert_true((uint64_t)sbuf.st_size <= max);
	kt_store_close(st);
	assert_int_equal(stat(path.buf, &sbuf), 0);
	assert_true((uint64_t)sbuf.st_size <= max);
	strbuf_release(&big);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ migrations */

static const struct kt_store_migration v1[] = {
	{ 1, "CREATE TABLE t (x INTEGER);"
	     "INSERT INTO t VALUES (1);"
	     "PRAGMA application_id = 1802793577;"
	     "PRAGMA user_version = 1;" },
};

static const struct kt_store_migration v2[] = {
	{ 1, "CREATE TABLE t (x INTEGER);"
	     "INSERT INTO t VALUES (1);"
	     "PRAGMA application_id = 1802793577;"
	     "PRAGMA user_version = 1;" },
	{ 2, "ALTER TABLE t ADD COLUMN y INTEGER NOT NULL DEFAULT 7;"
	     "PRAGMA user_version = 2;" },
};

static const struct kt_store_migration v3_broken[] = {
	{ 1, "CREATE TABLE t (x INTEGER);"
	     "INSERT INTO t VALUES (1);"
	     "PRAGMA application_id = 1802793577;"
	     "PRAGMA user_version = 1;" },
	{ 2, "ALTER TABLE t ADD COLUMN y INTEGER NOT NULL DEFAULT 7;"
	     "PRAGMA user_version = 2;" },
	{ 3, "CREATE TABLE u (z);"
	     "INSERT INTO nowhere VALUES (1);"
	     "PRAGMA user_version = 3;" },
};

/* One integer from the file, read with SQLite itself. */
static int64_t sql_i64(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path.buf, &db, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static void test_migrations(void **state)
{
	struct kt_store *st = NULL;

	(void)state;
	kt_ctx_init(&ctx);
	fresh("migrate.db");
	assert_int_equal(kt_store_open_steps(&ctx, path.buf, KT_STORE_CREATE,
					     v1, 1, &st), 0);
	kt_store_close(st);
	assert_int_equal(sql_i64("PRAGMA user_version"), 1);

	/* an older file is refused read-only, upgraded for writing */
	assert_int_equal(kt_store_open_steps(&ctx, path.buf, KT_STORE_READONLY,
					     v2, 2, &st), KT_ERR_FORMAT);
	assert_non_null(strstr(kt_ctx_error(&ctx), "older"));
	assert_int_equal(kt_store_open_steps(&ctx, path.buf, 0, v2, 2, &st),
			 0);
	kt_store_close(st);
	assert_int_equal(sql_i64("PRAGMA user_version"), 2);
	assert_int_equal(sql_i64("SELECT x + y FROM t"), 8);

	/* a failing step leaves the file as it was */
	assert_int_equal(kt_store_open_steps(&ctx, path.buf, 0, v3_broken, 3,
					     &st), KT_ERR_INTERNAL);
	assert_non_null(strstr(kt_ctx_error(&ctx), "version 3"));
	assert_null(st);
	assert_int_equal(sql_i64("PRAGMA user_version"), 2);
	assert_int_equal(sql_i64("SELECT count(*) FROM sqlite_schema"
				 " WHERE name = 'u'"), 0);

	/* a newer file is refused */
	assert_int_equal(kt_store_open_steps(&ctx, path.buf, 0, v1, 1, &st),
			 KT_ERR_FORMAT);
	assert_non_null(strstr(kt_ctx_error(&ctx), "newer"));
	kt_ctx_release(&ctx);
}

static void test_current_schema(void **state)
{
	struct kt_store *st = open_new("schema.db");

	(void)state;
	kt_store_close(st);
	assert_int_equal(sql_i64("PRAGMA user_version"),
			 kt_store_schema_version());
	assert_int_equal(sql_i64("PRAGMA auto_vacuum"), 2);
	assert_int_equal(sql_i64("SELECT count(*) FROM sqlite_schema WHERE"
				 " type = 'index' AND name IN ('events_time',"
				 " 'events_type', 'events_host',"
				 " 'events_fingerprint')"), 4);
	/* WAL stays set in the file */
	assert_int_equal(sql_i64("SELECT journal_mode = 'wal' FROM"
				 " pragma_journal_mode"), 1);
	kt_ctx_release(&ctx);
}

/* ------------------------------------------------------------ errors */

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(fresh(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_errors(void **state)
{
	struct kt_store *st = NULL;
	struct strbuf want = STRBUF_INIT;
	sqlite3 *db;

	(void)state;
	kt_ctx_init(&ctx);
	write_file("text.db", "this is a kernel log, not a database\n"
		   "Jun  6 21:33:13 web1 kernel: Out of memory\n"
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	assert_int_equal(kt_store_open(&ctx, path.buf, 0, &st),
			 KT_ERR_FORMAT);
	assert_null(st);
	strbuf_addf(&want, "'%s': file is not a database", path.buf);
	assert_string_equal(kt_ctx_error(&ctx), want.buf);
	assert_int_equal(kt_store_open(&ctx, path.buf, KT_STORE_READONLY,
				       &st), KT_ERR_FORMAT);
	assert_string_equal(kt_ctx_error(&ctx), want.buf);

	fresh("missing.db");
	assert_int_equal(kt_store_open(&ctx, path.buf, KT_STORE_READONLY,
				       &st), KT_ERR_IO);
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot open '%s': No such file or directory",
		    path.buf);
	assert_string_equal(kt_ctx_error(&ctx), want.buf);
	assert_int_equal(kt_store_open(&ctx, path.buf, 0, &st), KT_ERR_IO);
	assert_int_equal(access(path.buf, F_OK), -1);

	/* another program's SQLite file */
	fresh("other.db");
	assert_int_equal(sqlite3_open(path.buf, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE x (a)", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(kt_store_open(&ctx, path.buf, 0, &st),
			 KT_ERR_FORMAT);
	strbuf_reset(&want);
	strbuf_addf(&want, "'%s': not a ktriage event store", path.buf);
	assert_string_equal(kt_ctx_error(&ctx), want.buf);

	/* a folder where the file should be */
	assert_int_equal(kt_store_open(&ctx, dir, KT_STORE_CREATE, &st),
			 KT_ERR_IO);
	assert_non_null(strstr(kt_ctx_error(&ctx), dir));

	/* a folder that cannot be written (root may write anyway) */
	if (geteuid()) {
		fresh("ro");
		assert_int_equal(mkdir(path.buf, 0500), 0);
		strbuf_addstr(&path, "/ev.db");
		assert_int_equal(kt_store_open(&ctx, path.buf,
					       KT_STORE_CREATE, &st),
				 KT_ERR_IO);
		strbuf_reset(&want);
		strbuf_addf(&want, "cannot create '%s': Permission denied",
			    path.buf);
		assert_string_equal(kt_ctx_error(&ctx), want.buf);
	}
	strbuf_release(&want);
	kt_ctx_release(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup_by_id),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_stops),
		cmocka_unit_test(test_replay_exact_time),
		cmocka_unit_test(test_rollback_drops_events_and_cursors),
		cmocka_unit_test(test_readers_see_commits_only),
		cmocka_unit_test(test_reopen_keeps_everything),
		cmocka_unit_test(test_cursor_replace),
		cmocka_unit_test(test_harvest),
		cmocka_unit_test(test_alert_cooldown),
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_retain_by_age),
		cmocka_unit_test(test_retain_by_size),
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_current_schema),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
