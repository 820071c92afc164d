/*
 * stats.c - `ktriage stats`: the numbers behind the incidents.
 *
 * Scans like `scan` does but prints counts by type and severity,
 * subtype, boot, day and hour, the processes and guilty code named most,
 * and one line per problem (fingerprint) with its count and time span.
 * With --db the events come from a store (store/store.h) instead.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "analyze/stats.h"
#include "cmd/cmd.h"
#include "output/statsout.h"
#include <unistd.h>

struct stats_opts {
	const char *format;
	const char *color;
	struct kt_strlist rules;
	bool no_default_rules;
	const char *fallback;
	struct kt_cmd_db db;
};

static const char *const formats[] = { "text", "json", NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };

static const struct kt_option stats_options[] = {
	KT_OPT_CHOICE(0, "format", struct stats_opts, format, "FORMAT",
		      "output format (default text)", formats),
	KT_OPT_LIST(0, "rules", struct stats_opts, rules, "PATH",
		    "add or override rules from a YAML file or directory"),
	KT_OPT_BOOL(0, "no-default-rules", struct stats_opts, no_default_rules,
		    "use only the rules given with --rules"),
	KT_OPT_CHOICE(0, "color", struct stats_opts, color, "WHEN",
		      "colour text output", colors),
	KT_OPT_STRING(0, "fallback", struct stats_opts, fallback, "PATH",
		      "with no PATH: scan PATH if none of this machine's logs is readable"),
	KT_OPT_STRING(0, "db", struct stats_opts, db.path, "PATH",
		      "count the events stored in the store PATH instead of reading logs"),
	KT_OPT_STRING(0, "since", struct stats_opts, db.since, "T",
		      "with --db: events at or after T (RFC 3339 time, date, or age like 2h, 7d)"),
	KT_OPT_STRING(0, "until", struct stats_opts, db.until, "T",
		      "with --db: events before T"),
	KT_OPT_STRING(0, "type", struct stats_opts, db.type, "TYPE",
		      "with --db: events of this type only"),
	KT_OPT_STRING(0, "host", struct stats_opts, db.host, "HOST",
		      "with --db: events of this host only"),
	KT_OPT_END(),
};

static void on_event(void *data, struct kt_event *ev)
{
	kt_stats_add(data, ev);
	kt_event_free(ev);
}

int cmd_stats(int argc, const char **argv, struct kt_ctx *ctx)
{
	struct stats_opts o = { 0 };
	struct kt_strlist args = { 0 };
	struct kt_pipeline_opts po = { 0 };
	struct kt_pipeline *pl = NULL;
	struct strbuf cache = STRBUF_INIT, out = STRBUF_INIT;
	struct kt_stats st;
	struct kt_cmd_replay rp = { 0 };
	struct kt_store_filter f;
	const struct kt_summary *sum;
	int rc, bad = 0;

	o.format = "text";
	o.color = "auto";
	kt_stats_init(&st);
	rc = kt_cmd_parse_options(stats_options, &o, argc, argv, &args,
				  "ktriage stats [options] [PATH|-]...\n"
				  "   or: ktriage stats --db PATH [--since T] [--until T] [--type T] [--host H]",
				  "Counts the anomalies in logs: by type and severity, subtype,\n"
				  "boot, day and hour; the processes and guilty functions and\n"
				  "modules named most; and every problem (events with one\n"
				  "fingerprint) with its count, first and last time.  With --db,\n"
				  "of the events a store holds (scan --db, watch).");
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	rc = 1;
	if (kt_cmd_db_or_paths(&o.db, args.nr, &f))
		goto cleanup;
	po.rule_paths = o.rules.v;
	po.nr_rule_paths = o.rules.nr;
	po.no_default_rules = o.no_default_rules;
	po.cache_dir = kt_cmd_cache_dir(&cache);
	if (kt_pipeline_new(ctx, &po, on_event, &st, &pl)) {
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (o.db.path) {
		if (kt_cmd_db_replay(ctx, o.db.path, &f, kt_pipeline_rules(pl),
				     on_event, &st, NULL, &rp))
			goto cleanup;
		sum = &rp.sum.sum;
	} else {
		bad = kt_cmd_scan_inputs(ctx, pl, &args, o.fallback, NULL);
		sum = kt_pipeline_summary(pl);
	}
	if (!strcmp(o.format, "json"))
		kt_stats_write_json(&out, &st, sum);
	else
		kt_stats_write_text(&out, &st, sum,
				    kt_cmd_want_color(o.color));
	fwrite(out.buf, 1, out.len, stdout);
	rc = bad ? 1 : 0;
cleanup:
	kt_pipeline_free(pl);
	kt_stats_release(&st);
	kt_cmd_replay_release(&rp);
	kt_strlist_release(&args);
	kt_strlist_release(&o.rules);
	strbuf_release(&cache);
	strbuf_release(&out);
	return rc;
}
