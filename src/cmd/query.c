/*
 * query.c - `ktriage query`: the events a store holds.
 *
 * Opens the store read-only (store/store.h) and prints the events that
 * pass the filters, oldest first: as the NDJSON lines `scan --format
 * ndjson` printed for them, as one JSON array, or as scan's text.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "output/render.h"

struct query_opts {
	struct kt_cmd_db db;
	const char *fingerprint;
	const char *severity;
	uint64_t limit;
	const char *format;
	const char *color;
	int verbose;
};

static const char *const formats[] = { "ndjson", "json", "text", NULL };
static const char *const severities[] = { "minor", "major", "critical",
					  NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };

static const struct kt_option query_options[] = {
	KT_OPT_STRING(0, "db", struct query_opts, db.path, "PATH",
		      "the store (default " KT_CMD_DEFAULT_DB ")"),
	KT_OPT_STRING(0, "since", struct query_opts, db.since, "T",
		      "events at or after T: RFC 3339 time, date (local midnight) or age like 30m, 2h, 7d"),
	KT_OPT_STRING(0, "until", struct query_opts, db.until, "T",
		      "events before T"),
	KT_OPT_STRING(0, "type", struct query_opts, db.type, "TYPE",
		      "events of this type (oom, panic, ...)"),
	KT_OPT_STRING(0, "host", struct query_opts, db.host, "HOST",
		      "events of this host"),
	KT_OPT_STRING(0, "fingerprint", struct query_opts, fingerprint, "FP",
		      "occurrences of this problem"),
	KT_OPT_CHOICE(0, "severity", struct query_opts, severity, "MIN",
		      "events of this severity or worse", severities),
	KT_OPT_U64(0, "limit", struct query_opts, limit, "N",
		   "only the latest N events (still oldest first)", 1,
		   UINT64_MAX),
	KT_OPT_CHOICE(0, "format", struct query_opts, format, "FORMAT",
		      "output format (default ndjson)", formats),
	KT_OPT_COUNT('v', "verbose", struct query_opts, verbose,
		     "text: show each event's key fields and call trace"),
	KT_OPT_CHOICE(0, "color", struct query_opts, color, "WHEN",
		      "colour text output", colors),
	KT_OPT_END(),
};

static const char query_usage[] = "ktriage query [options]";
static const char query_summary[] =
	"Prints the events stored by 'scan --db' or 'watch', oldest first\n"
	"(events without a time last): ndjson prints each as the line\n"
	"'scan --format ndjson' printed for it, json one array of them, text\n"
	"the listing of 'scan --format text'.  Time bounds leave out the\n"
	"events without a time.";

static void write_stdout(void *data, const char *buf, size_t len)
{
	(void)data;
	fwrite(buf, 1, len, stdout);
}

/* ndjson and json: the stored text, as it is. */
struct rows {
	struct strbuf out;
	bool json;
	uint64_t n;
};

static int print_row(void *data, const struct kt_store_row *row)
{
	struct rows *r = data;

	if (r->json)
		strbuf_addstr(&r->out, r->n ? "," : "[");
	strbuf_addstr(&r->out, row->json);
	if (!r->json)
		strbuf_addch(&r->out, '\n');
	r->n++;
	if (r->out.len >= 64 * 1024) {
		fwrite(r->out.buf, 1, r->out.len, stdout);
		strbuf_reset(&r->out);
	}
	return 0;
}

static int print_rows(struct kt_ctx *ctx, struct kt_store *st,
		      const struct kt_store_filter *f, bool json)
{
	struct rows r = { STRBUF_INIT, json, 0 };
	int rc = kt_store_query(ctx, st, f, print_row, &r);

	if (json)
		strbuf_addstr(&r.out, r.n ? "]\n" : "[]\n");
	if (!rc)
		fwrite(r.out.buf, 1, r.out.len, stdout);
	strbuf_release(&r.out);
	return rc;
}

/* text: the events rebuilt and rendered as scan renders them. */
struct text {
	struct kt_renderer *rend;
	struct kt_summary_builder sum;
};

static void render_event(void *data, struct kt_event *ev)
{
	struct text *t = data;

	kt_summary_builder_add(&t->sum, ev);
	kt_renderer_event(t->rend, ev);
	kt_event_free(ev);
}

static int print_text(struct kt_ctx *ctx, struct kt_store *st,
		      const struct kt_store_filter *f,
		      const struct query_opts *o)
{
	struct kt_event_reader *reader = kt_event_reader_new();
	struct kt_render_opts ro = { 0 };
	struct text t;
	int rc;

	ro.format = KT_FORMAT_TEXT;
	ro.color = kt_cmd_want_color(o->color);
	ro.verbose = o->verbose;
	ro.now_us = kt_wall_us();
	ro.write = write_stdout;
	t.rend = kt_renderer_new(&ro);
	kt_summary_builder_init(&t.sum, NULL);
	rc = kt_store_replay(ctx, st, f, render_event, &t, reader);
	if (!rc)
		kt_renderer_finish(t.rend, &t.sum.sum);
	kt_renderer_free(t.rend);
	kt_summary_builder_release(&t.sum);
	kt_event_reader_free(reader);
	return rc;
}

static enum kt_severity severity_of(const char *name)
{
	int i;

	for (i = KT_SEV_MINOR; i <= KT_SEV_CRITICAL; i++)
		if (!strcmp(name, kt_severity_name((enum kt_severity)i)))
			return (enum kt_severity)i;
	BUG("unknown severity %s", name);
}

int cmd_query(int argc, const char **argv, struct kt_ctx *ctx)
{
	struct query_opts o = { 0 };
	struct kt_strlist args = { 0 };
	struct kt_store_filter f;
	struct kt_store *st = NULL;
	int rc;

	o.db.path = KT_CMD_DEFAULT_DB;
	o.format = "ndjson";
	o.color = "auto";
	rc = kt_cmd_parse_options(query_options, &o, argc, argv, &args,
				  query_usage, query_summary);
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	rc = 1;
	if (args.nr) {
		error("query reads the store, not '%s': use scan --db first",
		      args.v[0]);
		goto cleanup;
	}
	if (kt_cmd_db_filter(&o.db, kt_wall_us(), &f))
		goto cleanup;
	f.fingerprint = o.fingerprint;
	if (o.severity)
		f.min_severity = severity_of(o.severity);
	f.limit = o.limit;
	if (kt_store_open(ctx, o.db.path, KT_STORE_READONLY, &st)) {
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (!strcmp(o.format, "text"))
		rc = print_text(ctx, st, &f, &o);
	else
		rc = print_rows(ctx, st, &f, !strcmp(o.format, "json"));
	if (rc) {
		error("%s", kt_ctx_error(ctx));
		rc = 1;
	}
cleanup:
	kt_store_close(st);
	kt_strlist_release(&args);
	return rc;
}
