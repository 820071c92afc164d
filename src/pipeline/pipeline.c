/*
 * pipeline.c - run the stages over inputs (see pipeline.h).
 *
 * Seventh stage: owns the ruleset, matcher, assembler, event builder
 * and analyzer, and pumps lines from each input through them.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "assemble/assemble.h"
#include "event/event.h"
#include "frame/frame.h"
#include "match/matcher.h"
#include "pipeline/pipeline.h"

struct kt_pipeline {
	kt_event_fn *fn;	/* the caller's sink */
	void *data;
	struct kt_ruleset rs;
	struct kt_matcher *matcher;	/* owned */
	struct kt_assembler *as;	/* owned */
	struct kt_event_builder *eb;	/* owned */
	struct kt_analyzer *an;		/* owned */
	char **names;		/* owned: input names reports point at */
	size_t nr_names, alloc_names;
	struct kt_pipeline_stats stats;
	int64_t now;
};

static void on_report(void *data, struct kt_report *r)
{
	struct kt_pipeline *pl = data;
	struct kt_event *ev = kt_event_build(pl->eb, r);

	pl->stats.reports++;
	kt_report_free(r);
	kt_analyzer_feed(pl->an, ev);
}

int kt_pipeline_new(struct kt_ctx *ctx, const struct kt_pipeline_opts *opts,
		    kt_event_fn *fn, void *data, struct kt_pipeline **out)
{
	struct kt_pipeline *pl = xcalloc(1, sizeof(*pl));
	size_t i;
	int rc = 0;

	kt_ruleset_init(&pl->rs);
	pl->now = ctx->now;
	if (!opts->no_default_rules)
		rc = kt_ruleset_load_default(ctx, &pl->rs);
	for (i = 0; !rc && i < opts->nr_rule_paths; i++)
		rc = kt_ruleset_load_path(ctx, &pl->rs, opts->rule_paths[i]);
	if (!rc)
		rc = kt_ruleset_finish(ctx, &pl->rs);
	if (!rc)
		rc = kt_matcher_new(ctx, &pl->rs, opts->cache_dir,
				    &pl->matcher);
	if (rc) {
		kt_pipeline_free(pl);
		return rc;
	}
	pl->fn = fn;
	pl->data = data;
	pl->as = kt_assembler_new(&pl->rs, on_report, pl);
	pl->eb = kt_event_builder_new(&pl->rs);
	pl->an = kt_analyzer_new(&pl->rs, fn, data);
	*out = pl;
	return 0;
}

void kt_pipeline_reset(struct kt_pipeline *pl)
{
	kt_assembler_free(pl->as);
	kt_analyzer_free(pl->an);
	pl->as = kt_assembler_new(&pl->rs, on_report, pl);
	pl->an = kt_analyzer_new(&pl->rs, pl->fn, pl->data);
	memset(&pl->stats, 0, sizeof(pl->stats));
}

void kt_pipeline_free(struct kt_pipeline *pl)
{
	size_t i;

	if (!pl)
		return;
	kt_assembler_free(pl->as);
	kt_event_builder_free(pl->eb);
	kt_analyzer_free(pl->an);
	kt_matcher_free(pl->matcher);
	kt_ruleset_release(&pl->rs);
	for (i = 0; i < pl->nr_names; i++)
		free(pl->names[i]);
	free(pl->names);
	free(pl);
}

static const char *keep_name(struct kt_pipeline *pl, const char *name)
{
	if (pl->nr_names && !strcmp(pl->names[pl->nr_names - 1], name))
		return pl->names[pl->nr_names - 1];
	ALLOC_GROW(pl->names, pl->nr_names + 1, pl->alloc_names);
	pl->names[pl->nr_names] = xstrdup(name);
	return pl->names[pl->nr_names++];
}

static int pump(struct kt_ctx *ctx, struct kt_pipeline *pl,
		struct kt_input *in, const char *name, int64_t mtime)
{
	struct kt_framer_opts fo = { mtime, pl->now };
	struct kt_framer *fr = kt_framer_new(&fo);
	const struct kt_framer_stats *fs;
	struct kt_match_want want;
	struct kt_match m;
	struct kt_line line;
	int rc;

	kt_assembler_begin(pl->as, keep_name(pl, name));
	kt_matcher_screen_begin(pl->matcher);
	kt_framer_set_chunk_fn(fr, kt_matcher_screen, pl->matcher);
	while ((rc = kt_framer_next(ctx, fr, in, &line)) > 0) {
		kt_assembler_want(pl->as, &line, &want);
		kt_matcher_scan(pl->matcher, &line, &want, &m);
		kt_assembler_feed(pl->as, &line, &m);
	}
	kt_assembler_end(pl->as);
	fs = kt_framer_stats(fr);
	pl->stats.lines += fs->lines;
	pl->stats.bytes += fs->bytes;
	pl->stats.truncated += fs->truncated;
	if (fs->truncated)
		kt_log(ctx, KT_LOG_WARN,
		       "'%s': %llu line(s) longer than %d KiB, read up to "
		       "that length", name, (unsigned long long)fs->truncated,
		       KT_LINE_MAX / 1024);
	{
		const struct kt_matcher_stats *ms =
			kt_matcher_stats(pl->matcher);

		pl->stats.flagged = ms->flagged;
		pl->stats.scanned = ms->scanned - ms->screened_out;
		pl->stats.screened_out = ms->screened_out;
		pl->stats.pcre_runs = ms->pcre_runs;
	}
	pl->stats.inputs++;
	if (rc < 0)
		pl->stats.failed++;
	kt_framer_free(fr);
	return rc < 0 ? rc : 0;
}

int kt_pipeline_scan(struct kt_ctx *ctx, struct kt_pipeline *pl,
		     const struct kt_input_item *item)
{
	struct kt_input *in;
	int rc = kt_input_open(ctx, item, &in);

	if (rc) {
		pl->stats.failed++;
		return rc;
	}
	rc = pump(ctx, pl, in, item->display, item->mtime);
	kt_input_close(in);
	return rc;
}

int kt_pipeline_scan_mem(struct kt_ctx *ctx, struct kt_pipeline *pl,
			 const char *name, const char *data, size_t len)
{
	struct kt_input *in;
	int rc = kt_input_open_mem(ctx, data, len, &in);

	if (rc)
		return rc;
	rc = pump(ctx, pl, in, name, 0);
	kt_input_close(in);
	return rc;
}

void kt_pipeline_finish(struct kt_pipeline *pl)
{
	kt_assembler_end(pl->as);
}

const struct kt_ruleset *kt_pipeline_rules(const struct kt_pipeline *pl)
{
	return &pl->rs;
}

const struct kt_summary *kt_pipeline_summary(const struct kt_pipeline *pl)
{
	return kt_analyzer_summary(pl->an);
}

const struct kt_pipeline_stats *kt_pipeline_stats(const struct kt_pipeline *pl)
{
	return &pl->stats;
}

/* ------------------------------------------------------------ live */

struct kt_stream {
	struct kt_pipeline *pl;	/* borrowed: rules, matcher, builder */
	const char *name;	/* borrowed from pl->names */
	struct kt_framer *fr;	/* owned */
	struct kt_assembler *as;	/* owned */
	struct kt_analyzer *an;		/* owned */
	int64_t idle_us;
	uint64_t lines;
};

static void stream_on_report(void *data, struct kt_report *r)
{
	struct kt_stream *s = data;
	struct kt_event *ev = kt_event_build(s->pl->eb, r);

	s->pl->stats.reports++;
	kt_report_free(r);
	kt_analyzer_feed(s->an, ev);
}

struct kt_stream *kt_stream_new(struct kt_pipeline *pl, const char *name,
				int64_t idle_us, struct kt_stream_pos from,
				kt_event_fn *fn, void *data)
{
	struct kt_stream *s = xcalloc(1, sizeof(*s));
	struct kt_framer_opts fo = { pl->now, pl->now };

	s->pl = pl;
	s->name = keep_name(pl, name);
	s->fr = kt_framer_new(&fo);
	kt_framer_set_position(s->fr, from.lines, from.offset);
	s->lines = from.lines;
	s->as = kt_assembler_new(&pl->rs, stream_on_report, s);
	s->an = kt_analyzer_new(&pl->rs, fn, data);
	s->idle_us = idle_us;
	kt_assembler_begin(s->as, s->name);
	return s;
}

static void drain(struct kt_ctx *ctx, struct kt_stream *s, int64_t now_us)
{
	struct kt_match_want want;
	struct kt_match m;
	struct kt_line line;

	kt_assembler_set_clock(s->as, now_us);
	while (kt_framer_next(ctx, s->fr, NULL, &line) > 0) {
		kt_assembler_want(s->as, &line, &want);
		/* live lines come few at a time: no screen over blocks */
		want.unscreened = true;
		kt_matcher_scan(s->pl->matcher, &line, &want, &m);
		kt_assembler_feed(s->as, &line, &m);
		s->lines++;
	}
}

void kt_stream_push(struct kt_ctx *ctx, struct kt_stream *s,
		    const char *data, size_t len, int64_t now_us)
{
	while (len) {
		size_t n = kt_framer_push(s->fr, data, len);

		data += n;
		len -= n;
		drain(ctx, s, now_us);
	}
}

void kt_stream_tick(struct kt_stream *s, int64_t now_us)
{
	kt_assembler_tick(s->as, now_us, s->idle_us);
}

struct kt_stream_pos kt_stream_pending(const struct kt_stream *s)
{
	struct kt_stream_pos pos;
	uint64_t line, off = kt_assembler_pending_offset(s->as, &line);

	pos.offset = kt_framer_consumed(s->fr);
	pos.lines = kt_framer_lines(s->fr);
	if (off < pos.offset) {
		pos.offset = off;
		pos.lines = line - 1;	/* lines before that one */
	}
	return pos;
}

uint64_t kt_stream_lines(const struct kt_stream *s)
{
	return s->lines;
}

void kt_stream_free(struct kt_ctx *ctx, struct kt_stream *s, bool flush)
{
	if (!s)
		return;
	if (flush) {
		kt_framer_push_end(s->fr);
		drain(ctx, s, 0);
		kt_assembler_end(s->as);
	}
	kt_assembler_free(s->as);
	kt_analyzer_free(s->an);
	kt_framer_free(s->fr);
	free(s);
}
