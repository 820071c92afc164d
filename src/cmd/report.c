/*
 * report.c - `ktriage report`: the analysis an expert would write.
 *
 * Scans like `scan` does, keeps a digest of the events instead of
 * printing them, applies the knowledge base (and, with --local, this
 * machine's settings) and prints the report as text, Markdown, HTML or
 * JSON.  With --db the events come from a store (store/store.h).
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "analyze/digest.h"
#include "cmd/cmd.h"
#include "input/sysconf.h"
#include "output/kb.h"
#include "output/llm.h"
#include "output/llmconf.h"
#include "output/report.h"
#include "pipeline/pipeline.h"

struct report_opts {
	const char *lang;
	const char *format;
	const char *color;
	struct kt_strlist rules;
	bool no_default_rules;
	const char *fallback;
	bool local;
	const char *sysroot;
	bool llm, redact;
	const char *llm_url, *llm_model, *llm_config;
	uint64_t llm_timeout;
	struct kt_cmd_db db;
};

static const char *const langs[] = { "zh", "en", NULL };
static const char *const formats[] = { "text", "markdown", "html", "json",
				       NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };

static const struct kt_option report_options[] = {
	KT_OPT_CHOICE(0, "lang", struct report_opts, lang, "LANG",
		      "language; default zh when the locale is Chinese, else en",
		      langs),
	KT_OPT_CHOICE(0, "format", struct report_opts, format, "FORMAT",
		      "output format (default text)", formats),
	KT_OPT_BOOL(0, "local", struct report_opts, local,
		    "also read this machine's crash settings (sysctls, swap, kdump, pstore)"),
	KT_OPT_STRING(0, "sysroot", struct report_opts, sysroot, "DIR",
		      "with --local: read the settings under DIR (a copy of another machine's /proc and /sys, e.g. from an sosreport)"),
	KT_OPT_LIST(0, "rules", struct report_opts, rules, "PATH",
		    "add or override rules from a YAML file or directory"),
	KT_OPT_BOOL(0, "no-default-rules", struct report_opts, no_default_rules,
		    "use only the rules given with --rules"),
	KT_OPT_CHOICE(0, "color", struct report_opts, color, "WHEN",
		      "colour text output", colors),
	KT_OPT_STRING(0, "fallback", struct report_opts, fallback, "PATH",
		      "with no PATH: read PATH if none of this machine's logs is readable"),
	KT_OPT_BOOL(0, "llm", struct report_opts, llm,
		    "have a language model write the analysis (docs/LLM.md); the built-in one if it cannot"),
	KT_OPT_STRING(0, "llm-url", struct report_opts, llm_url, "URL",
		      "OpenAI-compatible API base URL, e.g. http://localhost:11434/v1 (implies --llm)"),
	KT_OPT_STRING(0, "llm-model", struct report_opts, llm_model, "NAME",
		      "model name (implies --llm)"),
	KT_OPT_U64(0, "llm-timeout", struct report_opts, llm_timeout, "SECS",
		   "give up on an answer after SECS seconds (default 120)", 1,
		   3600),
	KT_OPT_STRING(0, "llm-config", struct report_opts, llm_config, "FILE",
		      "read the [llm] settings from FILE instead of ktriage.conf"),
	KT_OPT_BOOL(0, "redact", struct report_opts, redact,
		    "with --llm: send host names, IP addresses and user names as placeholders"),
	KT_OPT_STRING(0, "db", struct report_opts, db.path, "PATH",
		      "report on the events stored in the store PATH instead of reading logs"),
	KT_OPT_STRING(0, "since", struct report_opts, db.since, "T",
		      "with --db: events at or after T (RFC 3339 time, date, or age like 2h, 7d)"),
	KT_OPT_STRING(0, "until", struct report_opts, db.until, "T",
		      "with --db: events before T"),
	KT_OPT_STRING(0, "type", struct report_opts, db.type, "TYPE",
		      "with --db: events of this type only"),
	KT_OPT_STRING(0, "host", struct report_opts, db.host, "HOST",
		      "with --db: events of this host only"),
	KT_OPT_END(),
};

static const char report_usage[] =
	"ktriage report [options] [PATH|-]...\n"
	"   or: ktriage report --db PATH [--since T] [--until T] [--type T] [--host H] [options]";
static const char report_summary[] =
	"Reads logs like 'scan' and writes the analysis report: the risks\n"
	"and the health verdict, the causal chains, each problem with its\n"
	"evidence, likely causes and the actions to take, alert rules that\n"
	"would have caught it, and a summary with the three most important\n"
	"actions.  Offline, from the built-in knowledge base; with --llm the\n"
	"texts are written by a language model from the evidence and checked.\n"
	"With --db, on the events a store holds (scan --db, watch).";

/* --llm: ktriage.conf (or --llm-config), then the options, then the key. */
static int llm_conf(struct kt_ctx *ctx, const struct report_opts *o,
		    struct kt_llmconf *lc)
{
	const char *home = getenv("HOME");
	int rc;

	rc = o->llm_config ?
	     kt_llmconf_load_file(ctx, lc, o->llm_config, true) :
	     kt_llmconf_load_default(ctx, lc, home,
				     getenv("XDG_CONFIG_HOME"));
	if (!rc && o->llm_url)
		rc = kt_llmconf_set(ctx, lc, "url", o->llm_url, "--llm-url");
	if (!rc && o->llm_model)
		rc = kt_llmconf_set(ctx, lc, "model", o->llm_model,
				    "--llm-model");
	if (!rc && o->llm_timeout)
		lc->timeout = o->llm_timeout;
	if (!rc)
		rc = kt_llmconf_finish(ctx, lc, getenv("KTRIAGE_LLM_API_KEY"),
				       home);
	return rc;
}

static void on_event(void *data, struct kt_event *ev)
{
	kt_digest_add(data, ev);
	kt_event_free(ev);
}

int cmd_report(int argc, const char **argv, struct kt_ctx *ctx)
{
	struct report_opts o = { 0 };
	struct kt_strlist args = { 0 };
	struct kt_pipeline_opts po = { 0 };
	struct kt_pipeline *pl = NULL;
	struct kt_digest *dg = kt_digest_new();
	struct strbuf cache = STRBUF_INIT, out = STRBUF_INIT;
	struct kt_report_opts ro;
	json_t *names = json_array(), *digest = NULL, *model = NULL,
	       *config = NULL;
	const char **inputs = NULL;
	struct kt_kb kb;
	struct kt_llmconf lc;
	struct kt_cmd_replay rp = { 0 };
	struct kt_store_filter f;
	uint64_t lines;
	size_t i;
	int rc = 0, bad = 0;

	kt_kb_init(&kb);
	kt_llmconf_init(&lc);
	o.format = "text";
	o.color = "auto";
	rc = kt_cmd_parse_options(report_options, &o, argc, argv, &args,
				  report_usage, report_summary);
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	rc = 1;
	if (kt_cmd_db_or_paths(&o.db, args.nr, &f))
		goto cleanup;
	rc = 0;
	if (!o.lang)
		o.lang = kt_cmd_locale_lang();
	if (o.sysroot)
		o.local = true;
	if (o.llm_url || o.llm_model)
		o.llm = true;
	if (o.llm && llm_conf(ctx, &o, &lc)) {
		error("%s", kt_ctx_error(ctx));
		rc = 1;
		goto cleanup;
	}
	if (kt_kb_load_default(ctx, &kb)) {
		error("%s", kt_ctx_error(ctx));
		rc = 1;
		goto cleanup;
	}
	po.rule_paths = o.rules.v;
	po.nr_rule_paths = o.rules.nr;
	po.no_default_rules = o.no_default_rules;
	po.cache_dir = kt_cmd_cache_dir(&cache);
	if (kt_pipeline_new(ctx, &po, on_event, dg, &pl)) {
		rc = 1;
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (o.db.path) {
		if (kt_cmd_db_replay(ctx, o.db.path, &f, kt_pipeline_rules(pl),
				     on_event, dg, names, &rp)) {
			rc = 1;
			goto cleanup;
		}
		lines = rp.lines;
	} else {
		bad = kt_cmd_scan_inputs(ctx, pl, &args, o.fallback, names);
		lines = kt_pipeline_stats(pl)->lines;
	}
	if (o.local)
		config = kt_sysconf_collect(o.sysroot ? o.sysroot : "/");

	digest = kt_digest_json(dg);
	inputs = xcalloc(json_array_size(names) + 1, sizeof(*inputs));
	for (i = 0; i < json_array_size(names); i++)
		inputs[i] = json_string_value(json_array_get(names, i));
	memset(&ro, 0, sizeof(ro));
	ro.lang = (enum kt_lang)kt_lang_from_name(o.lang);
	ro.now_us = kt_wall_us();
	ro.inputs = inputs;
	ro.nr_inputs = json_array_size(names);
	ro.lines = lines;
	ro.config = config;
	model = kt_report_build(&kb, digest, &ro);
	if (o.llm) {
		struct kt_llm_opts lo = { &lc, ro.lang, o.redact };

		/* on failure the model keeps the built-in texts and says why */
		kt_llm_analyze(ctx, &lo, &kb, model);
	}

	if (!strcmp(o.format, "json")) {
		char *s = json_dumps(model, JSON_INDENT(1));

		strbuf_addstr(&out, s ? s : "null");
		strbuf_addch(&out, '\n');
		free(s);
	} else if (!strcmp(o.format, "markdown")) {
		kt_report_markdown(&out, model, &kb);
	} else if (!strcmp(o.format, "html")) {
		kt_report_html(&out, model, &kb);
	} else {
		kt_report_text(&out, model, &kb, kt_cmd_want_color(o.color));
	}
	fwrite(out.buf, 1, out.len, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		error("cannot write the report: %s", strerror(errno));
		rc = 1;
	}
	if (bad)
		rc = 1;
cleanup:
	json_decref(model);
	json_decref(digest);
	json_decref(config);
	json_decref(names);
	free(inputs);
	kt_pipeline_free(pl);
	kt_digest_free(dg);
	kt_cmd_replay_release(&rp);
	kt_kb_release(&kb);
	kt_llmconf_release(&lc);
	strbuf_release(&cache);
	strbuf_release(&out);
	kt_strlist_release(&args);
	kt_strlist_release(&o.rules);
	return rc;
}
