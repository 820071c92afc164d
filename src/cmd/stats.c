/*
 * stats.c - `ktriage stats`: the numbers behind the incidents.
 *
 * Scans like `scan` does but prints counts by type and severity,
 * subtype, boot, day and hour, the processes and guilty code named most,
 * and one line per problem (fingerprint) with its count and time span.
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
	int rc, bad;

	o.format = "text";
	o.color = "auto";
	kt_stats_init(&st);
	rc = kt_cmd_parse_options(stats_options, &o, argc, argv, &args,
				  "ktriage stats [options] [PATH|-]...",
				  "Counts the anomalies in logs: by type and severity, subtype,\n"
				  "boot, day and hour; the processes and guilty functions and\n"
				  "modules named most; and every problem (events with one\n"
				  "fingerprint) with its count, first and last time.");
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	po.rule_paths = o.rules.v;
	po.nr_rule_paths = o.rules.nr;
	po.no_default_rules = o.no_default_rules;
	po.cache_dir = kt_cmd_cache_dir(&cache);
	if (kt_pipeline_new(ctx, &po, on_event, &st, &pl)) {
		rc = 1;
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	bad = kt_cmd_scan_inputs(ctx, pl, &args, o.fallback, NULL);
	if (!strcmp(o.format, "json"))
		kt_stats_write_json(&out, &st, kt_pipeline_summary(pl));
	else
		kt_stats_write_text(&out, &st, kt_pipeline_summary(pl),
				    kt_cmd_want_color(o.color));
	fwrite(out.buf, 1, out.len, stdout);
	rc = bad ? 1 : 0;
cleanup:
	kt_pipeline_free(pl);
	kt_stats_release(&st);
	kt_strlist_release(&args);
	kt_strlist_release(&o.rules);
	strbuf_release(&cache);
	strbuf_release(&out);
	return rc;
}
