/*
 * fuzz_scan.c - fuzz target: arbitrary bytes through the scan path.
 *
 * Each input is framed into lines and tagged by the matcher with the
 * default rule pack, checking the invariants later stages rely on; then
 * the whole pipeline (assembler, event builder, analyzer) runs on it and
 * every event is rendered as the spec's JSON, which must encode.
 */
#include "base/compat.h"
#include "base/err.h"
#include "frame/frame.h"
#include "input/input.h"
#include "match/matcher.h"
#include "match/rules.h"
#include "output/render.h"
#include "pipeline/pipeline.h"
#include "fuzz.h"

/* A fixed clock, 2022-06-07T00:00:00Z, so that a run can be repeated. */
#define FUZZ_NOW 1654560000

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

/*
 * The rule pack and its compiled matcher, built once in
 * LLVMFuzzerInitialize() and shared by every input.  These are the only
 * non-const file-scope variables allowed outside the daemon's stop flag:
 * libFuzzer gives a target no other place to keep state between inputs.
 */
static struct kt_ruleset fuzz_rules;		/* fuzz-only global */
static struct kt_matcher *fuzz_matcher;		/* fuzz-only global */
static struct kt_pipeline *fuzz_pipeline;	/* fuzz-only global */

KT_NORETURN static void fuzz_fail(const char *file, int line,
				  const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* Reads every byte of a slice, so the sanitizers see a bad one. */
static unsigned touch(struct kt_str s)
{
	unsigned sum = 0;
	size_t i;

	FUZZ_CHECK(s.p || !s.len);
	for (i = 0; i < s.len; i++)
		sum += (unsigned char)s.p[i];
	return sum;
}

static bool within(struct kt_str part, struct kt_str whole)
{
	if (!part.len)
		return true;
	return part.p >= whole.p && part.len <= whole.len &&
	       (size_t)(part.p - whole.p) <= whole.len - part.len;
}

static unsigned check_line(const struct kt_line *line, uint64_t prev)
{
	FUZZ_CHECK(line->lineno >= 1 && line->lineno >= prev);
	FUZZ_CHECK(line->raw.len <= KT_LINE_MAX);
	FUZZ_CHECK(line->fmt < KT_FMT_NR);
	FUZZ_CHECK(line->level >= -1 && line->level <= 7);
	return touch(line->raw) + touch(line->msg) + touch(line->host) +
	       touch(line->prog) + touch(line->boot_id);
}

static void check_match(const struct kt_line *line, const struct kt_match *m,
			int nr)
{
	uint16_t i;

	FUZZ_CHECK(nr >= 0 && nr == m->nr);
	FUZZ_CHECK(m->nr <= KT_MATCH_MAX && m->nr_caps <= KT_CAPTURE_MAX);
	for (i = 0; i < m->nr; i++) {
		const struct kt_match_hit *h = &m->hit[i];

		FUZZ_CHECK(h->rule >= fuzz_rules.rule &&
			   h->rule < fuzz_rules.rule + fuzz_rules.nr_rules);
		FUZZ_CHECK(h->cap_start + h->cap_nr <= m->nr_caps);
	}
	for (i = 0; i < m->nr_caps; i++) {
		FUZZ_CHECK(m->cap[i].field < fuzz_rules.nr_fields);
		FUZZ_CHECK(within(m->cap[i].val, line->msg));
	}
}

/* Each event must render as valid JSON with the contract's keys. */
static void check_event(void *data, struct kt_event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	struct kt_jsonw w;
	json_error_t err;
	json_t *j;

	(void)data;
	kt_jsonw_init(&w, &sb);
	kt_event_write_json(&w, ev, (int64_t)FUZZ_NOW * 1000000);
	/* what the writer made must parse back as one object */
	j = json_loadb(sb.buf, sb.len, 0, &err);
	FUZZ_CHECK(json_is_object(j));
	FUZZ_CHECK(ev->line >= 1 && ev->line_end >= ev->line);
	FUZZ_CHECK(strlen(ev->id) == 16 && strlen(ev->fingerprint) == 16);
	FUZZ_CHECK(ev->title && ev->type && ev->subtype);
	strbuf_release(&sb);
	json_decref(j);
	kt_event_free(ev);
}

/* The framer and the matcher, line by line. */
static unsigned scan_bytes(struct kt_ctx *ctx, const char *data, size_t len)
{
	const struct kt_framer_opts opts = { .mtime = FUZZ_NOW,
					     .now = FUZZ_NOW };
	struct kt_input *in = NULL;
	struct kt_framer *fr;
	struct kt_line line;
	/* every report type open: every rule is looked for */
	const struct kt_match_want want = { ~0ULL, ~0ULL, false };
	struct kt_match match;
	uint64_t prev = 0;
	unsigned sum = 0;
	int rc;

	if (kt_input_open_mem(ctx, data, len, &in)) {
		FUZZ_CHECK(*kt_ctx_error(ctx));
		return 0;
	}
	fr = kt_framer_new(&opts);
	for (;;) {
		rc = kt_framer_next(ctx, fr, in, &line);
		if (rc <= 0)
			break;
		sum += check_line(&line, prev);
		prev = line.lineno;
		check_match(&line, &match,
			    kt_matcher_scan(fuzz_matcher, &line, &want,
					    &match));
	}
	/* the end, or a failure with its detail in ctx (corrupt gzip) */
	FUZZ_CHECK(rc == 0 || *kt_ctx_error(ctx));
	kt_framer_free(fr);
	kt_input_close(in);
	return sum;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kt_ctx ctx;

	(void)argc;
	(void)argv;
	struct kt_pipeline_opts po = { 0 };

	kt_ctx_init(&ctx);
	kt_ruleset_init(&fuzz_rules);
	if (kt_ruleset_load_default(&ctx, &fuzz_rules) ||
	    kt_ruleset_finish(&ctx, &fuzz_rules) ||
	    kt_matcher_new(&ctx, &fuzz_rules, NULL, &fuzz_matcher) ||
	    kt_pipeline_new(&ctx, &po, check_event, NULL, &fuzz_pipeline)) {
		fprintf(stderr, "fuzz_scan: cannot load the rule pack: %s\n",
			kt_ctx_error(&ctx));
		abort();
	}
	kt_ctx_release(&ctx);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_ctx ctx;
	volatile unsigned sink;

	kt_ctx_init(&ctx);
	ctx.now = FUZZ_NOW;
	sink = scan_bytes(&ctx, (const char *)data, size);
	(void)sink;
	kt_pipeline_reset(fuzz_pipeline);
	kt_pipeline_scan_mem(&ctx, fuzz_pipeline, "fuzz", (const char *)data,
			     size);
	kt_pipeline_finish(fuzz_pipeline);
	kt_ctx_release(&ctx);
	return 0;
}
