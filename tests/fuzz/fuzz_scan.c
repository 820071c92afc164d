/*
 * fuzz_scan.c - fuzz target: arbitrary bytes through the scan path.
 *
 * Each input is opened as a memory input, framed into lines, and every
 * line is tagged by the matcher with the default rule pack.  Besides the
 * sanitizers' checks, it asserts the invariants later stages rely on.
 * scan_bytes() is the one function to replace when the whole pipeline
 * (assembler, event builder) gets an API.
 */
#include "base/compat.h"
#include "base/err.h"
#include "frame/frame.h"
#include "input/input.h"
#include "match/matcher.h"
#include "match/rules.h"
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

/*
 * Everything a scan does with one input.  NEEDSWORK: today the framer
 * and the matcher; replace the body with a call into src/pipeline/ once
 * it has an API, keeping the line checks for what it hands out.
 */
static unsigned scan_bytes(struct kt_ctx *ctx, const char *data, size_t len)
{
	const struct kt_framer_opts opts = { .mtime = FUZZ_NOW,
					     .now = FUZZ_NOW };
	struct kt_input *in = NULL;
	struct kt_framer *fr;
	struct kt_line line;
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
			    kt_matcher_scan(fuzz_matcher, &line, &match));
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
	kt_ctx_init(&ctx);
	kt_ruleset_init(&fuzz_rules);
	if (kt_ruleset_load_default(&ctx, &fuzz_rules) ||
	    kt_ruleset_finish(&ctx, &fuzz_rules) ||
	    kt_matcher_new(&ctx, &fuzz_rules, &fuzz_matcher)) {
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
	kt_ctx_release(&ctx);
	return 0;
}
