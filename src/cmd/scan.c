/*
 * scan.c - `ktriage scan`: logs in, one event per real anomaly out.
 *
 * Expands the paths (or this machine's logs), runs the pipeline over
 * them and renders the events as text, json, ndjson, markdown or html;
 * with --db it also stores them (store/store.h), in one transaction.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "cmd/cmd.h"
#include "analyze/stats.h"
#include "output/render.h"
#include "output/statsout.h"
#include "pipeline/pipeline.h"
#include <unistd.h>

struct scan_opts {
	const char *format;
	const char *color;
	struct kt_strlist rules;
	bool no_default_rules;
	const char *fallback;
	int verbose;
	bool stats;
	bool group;
	const char *db;
};

static const char *const formats[] = { "text", "json", "ndjson", "markdown",
				       "html", NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };

static const struct kt_option scan_options[] = {
	KT_OPT_CHOICE(0, "format", struct scan_opts, format, "FORMAT",
		      "output format; default text on a terminal, else ndjson",
		      formats),
	KT_OPT_LIST(0, "rules", struct scan_opts, rules, "PATH",
		    "add or override rules from a YAML file or directory"),
	KT_OPT_BOOL(0, "no-default-rules", struct scan_opts, no_default_rules,
		    "use only the rules given with --rules"),
	KT_OPT_BOOL(0, "group", struct scan_opts, group,
		    "one line per problem (fingerprint) with its count"),
	KT_OPT_COUNT('v', "verbose", struct scan_opts, verbose,
		     "text: show each event's key fields and call trace"),
	KT_OPT_BOOL(0, "stats", struct scan_opts, stats,
		    "print what was read and how long it took on stderr"),
	KT_OPT_CHOICE(0, "color", struct scan_opts, color, "WHEN",
		      "colour text output", colors),
	KT_OPT_STRING(0, "fallback", struct scan_opts, fallback, "PATH",
		      "with no PATH: scan PATH if none of this machine's logs is readable"),
	KT_OPT_STRING(0, "db", struct scan_opts, db, "PATH",
		      "also store the events in the store PATH (created if missing), each id once"),
	KT_OPT_END(),
};

static const char scan_usage[] =
	"ktriage scan [options] [PATH|-]...";
static const char scan_summary[] =
	"Reads kernel and system logs (files, rotated .gz/.zst files,\n"
	"directories, '-' for standard input; with no PATH this machine's\n"
	"journal, /var/log/{messages,syslog,kern.log}*, crash dumps and pstore)\n"
	"and prints one event per real anomaly: OOM kills, panics, oopses,\n"
	"hung tasks and lockups, file-system, I/O and hardware errors,\n"
	"crashes of user programs, and every boot with how the one before ended.";

static void write_stdout(void *data, const char *buf, size_t len)
{
	(void)data;
	fwrite(buf, 1, len, stdout);
}

/* Where the events go: the renderer or the groups, and the store. */
struct scan_out {
	struct kt_renderer *rend;	/* borrowed, NULL with --group */
	struct kt_stats *groups;	/* borrowed, NULL without --group */
	struct kt_store *st;	/* borrowed, NULL without --db */
	struct kt_ctx *ctx;	/* borrowed: store errors */
	int failed;		/* the first store error; no more stored */
	uint64_t added;		/* events new to the store */
};

static void on_event(void *data, struct kt_event *ev)
{
	struct scan_out *so = data;
	bool added;

	if (so->st && !so->failed) {
		so->failed = kt_store_add_event(so->ctx, so->st, ev, &added);
		so->added += added;
	}
	if (so->groups)
		kt_stats_add(so->groups, ev);
	else
		kt_renderer_event(so->rend, ev);
	kt_event_free(ev);
}

/* After each input: the store records how much of it was read. */
static int on_input(void *data, const char *name, uint64_t lines)
{
	struct scan_out *so = data;

	if (so->st && !so->failed)
		so->failed = kt_store_set_input(so->ctx, so->st, name, lines);
	return 0;
}

/* --db: opens the store and the transaction the scan writes in. */
static int store_begin(struct kt_ctx *ctx, const char *path,
		       struct kt_store **st)
{
	if (kt_store_open(ctx, path, KT_STORE_CREATE, st) ||
	    kt_store_begin(ctx, *st))
		return error("%s", kt_ctx_error(ctx));
	return 0;
}

/* --db: commits what the scan stored, or drops it all after an error. */
static int store_end(struct kt_ctx *ctx, struct scan_out *so)
{
	if (so->failed || kt_store_commit(ctx, so->st)) {
		error("%s", kt_ctx_error(ctx));
		kt_store_rollback(so->st);
		return -1;
	}
	return 0;
}

/* --group: the problems instead of every occurrence. */
static void print_groups(const struct kt_stats *st, enum kt_format fmt,
			 bool color)
{
	struct strbuf out = STRBUF_INIT;

	if (fmt == KT_FORMAT_NDJSON) {
		kt_groups_write_ndjson(&out, st);
	} else if (fmt == KT_FORMAT_JSON) {
		strbuf_addstr(&out, "{\"schema_version\":\"1\",\"groups\":[");
		kt_groups_write_ndjson(&out, st);
		/* one object per line becomes a list */
		while (out.len && out.buf[out.len - 1] == '\n')
			strbuf_setlen(&out, out.len - 1);
		for (size_t i = 0; i < out.len; i++)
			if (out.buf[i] == '\n')
				out.buf[i] = ',';
		strbuf_addstr(&out, "]}\n");
	} else {
		kt_groups_write_text(&out, st, color);
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static double now_secs(void)
{
	return (double)kt_mono_us() / 1e6;
}

static void print_stats(const struct kt_pipeline *pl, double start,
			const struct scan_out *so)
{
	const struct kt_pipeline_stats *s = kt_pipeline_stats(pl);
	const struct kt_summary *sum = kt_pipeline_summary(pl);
	double secs = now_secs() - start;

	fflush(stdout);
	fprintf(stderr,
		"inputs %llu (%llu failed), %llu bytes, %llu lines (%llu cut)\n"
		"lines scanned %llu, screened out %llu, flagged %llu, "
		"pcre runs %llu\n"
		"reports %llu, events %llu\n"
		"%.3f s, %.1f MB/s\n",
		(unsigned long long)s->inputs, (unsigned long long)s->failed,
		(unsigned long long)s->bytes, (unsigned long long)s->lines,
		(unsigned long long)s->truncated,
		(unsigned long long)s->scanned,
		(unsigned long long)s->screened_out,
		(unsigned long long)s->flagged,
		(unsigned long long)s->pcre_runs,
		(unsigned long long)s->reports,
		(unsigned long long)sum->events, secs,
		secs > 0 ? (double)s->bytes / 1e6 / secs : 0.0);
	if (so->st)
		fprintf(stderr, "stored %llu new events of %llu\n",
			(unsigned long long)so->added,
			(unsigned long long)sum->events);
}

int cmd_scan(int argc, const char **argv, struct kt_ctx *ctx)
{
	double start = now_secs();
	struct scan_opts o = { 0 };
	struct kt_strlist args = { 0 };
	struct kt_pipeline_opts po = { 0 };
	struct kt_render_opts ro = { 0 };
	struct kt_pipeline *pl = NULL;
	struct kt_renderer *rend = NULL;
	struct strbuf cache = STRBUF_INIT;
	struct kt_stats groups;
	struct scan_out so = { 0 };
	int rc, bad = 0;

	o.color = "auto";
	kt_stats_init(&groups);
	rc = kt_cmd_parse_options(scan_options, &o, argc, argv, &args,
				  scan_usage, scan_summary);
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	if (!o.format)
		o.format = isatty(STDOUT_FILENO) ? "text" : "ndjson";
	po.rule_paths = o.rules.v;
	po.nr_rule_paths = o.rules.nr;
	po.no_default_rules = o.no_default_rules;
	po.cache_dir = kt_cmd_cache_dir(&cache);
	ro.format = (enum kt_format)kt_format_from_name(o.format);
	ro.color = ro.format == KT_FORMAT_TEXT && kt_cmd_want_color(o.color);
	ro.verbose = o.verbose;
	ro.now_us = kt_wall_us();
	ro.write = write_stdout;
	rend = kt_renderer_new(&ro);
	so.rend = o.group ? NULL : rend;
	so.groups = o.group ? &groups : NULL;
	so.ctx = ctx;
	rc = 1;
	if (kt_pipeline_new(ctx, &po, on_event, &so, &pl)) {
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (o.db && store_begin(ctx, o.db, &so.st))
		goto cleanup;
	bad = kt_cmd_scan_inputs_each(ctx, pl, &args, o.fallback, on_input,
				      &so);
	if (so.st && store_end(ctx, &so))
		bad++;
	if (o.group)
		print_groups(&groups, ro.format, ro.color);
	else
		kt_renderer_finish(rend, kt_pipeline_summary(pl));
	if (o.stats)
		print_stats(pl, start, &so);
	rc = bad ? 1 : 0;
cleanup:
	kt_store_close(so.st);
	kt_renderer_free(rend);
	kt_pipeline_free(pl);
	kt_stats_release(&groups);
	kt_strlist_release(&args);
	kt_strlist_release(&o.rules);
	strbuf_release(&cache);
	return rc;
}
