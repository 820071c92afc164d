/*
 * pipeline.h - wires input, frame, match, assemble, event and analyze
 * for a set of inputs: the only place the stages meet.
 *
 *	kt_pipeline_new()        load and compile the rules
 *	kt_pipeline_scan() ...   once per input item, in order
 *	kt_pipeline_finish()     deliver what is still open
 *
 * Events reach the caller's kt_event_fn in the order of their first
 * line, one at a time; nothing is kept, so memory does not grow with the
 * input.
 */
#ifndef KT_PIPELINE_H
#define KT_PIPELINE_H

#include "base/compat.h"
#include "base/err.h"
#include "analyze/analyze.h"
#include "input/input.h"
#include "match/rules.h"

struct kt_pipeline_opts {
	const char *const *rule_paths;	/* extra rule files/dirs, in order */
	size_t nr_rule_paths;
	bool no_default_rules;	/* only the rule_paths */
	const char *cache_dir;	/* compiled-rules cache, or NULL */
};

struct kt_pipeline_stats {
	uint64_t inputs;	/* items read */
	uint64_t failed;	/* items that could not be read (fully) */
	uint64_t lines;		/* lines framed */
	uint64_t bytes;		/* bytes read after decompression */
	uint64_t truncated;	/* overlong lines cut */
	uint64_t flagged;	/* lines vectorscan flagged */
	uint64_t scanned;	/* lines scanned one by one */
	uint64_t screened_out;	/* lines the screen let through unscanned */
	uint64_t pcre_runs;	/* PCRE2 confirmations and extractions */
	uint64_t reports;	/* reports assembled */
};

struct kt_pipeline;

/* Loads the rule pack; errors name the rule file and line. */
int kt_pipeline_new(struct kt_ctx *ctx, const struct kt_pipeline_opts *opts,
		    kt_event_fn *fn, void *data, struct kt_pipeline **out);
void kt_pipeline_free(struct kt_pipeline *pl);

/*
 * Scans one input.  On a read error the events found so far are kept,
 * the detail is in ctx and a negative enum kt_err is returned; the
 * pipeline stays usable for the next input.
 */
int kt_pipeline_scan(struct kt_ctx *ctx, struct kt_pipeline *pl,
		     const struct kt_input_item *item);
/* Scans a memory buffer as an input named name (tests, fuzzing). */
int kt_pipeline_scan_mem(struct kt_ctx *ctx, struct kt_pipeline *pl,
			 const char *name, const char *data, size_t len);

/* Delivers every event still held back. */
void kt_pipeline_finish(struct kt_pipeline *pl);

/*
 * Forgets everything seen (boots, hosts, counts) but keeps the compiled
 * rules, so one pipeline can scan unrelated inputs one after another.
 */
void kt_pipeline_reset(struct kt_pipeline *pl);

const struct kt_ruleset *kt_pipeline_rules(const struct kt_pipeline *pl);
const struct kt_summary *kt_pipeline_summary(const struct kt_pipeline *pl);
const struct kt_pipeline_stats *kt_pipeline_stats(const struct kt_pipeline *pl);

/*
 * Live input: a stream is one never-ending input (a followed file,
 * /dev/kmsg, the journal) with its own framer, assembler and analyzer,
 * sharing the pipeline's rules and matcher; several may run side by
 * side.  Bytes are pushed as they come, in any pieces; events reach fn
 * as soon as their report is complete: at its end marker, when an
 * unrelated line closes it, or when kt_stream_tick() finds no line has
 * joined it for idle_us.
 *
 * kt_stream_pending() is the position (input offset and lines before
 * it) of the earliest byte an undelivered report still needs: a caller
 * that saves its place in the source as of that offset, together with
 * the events delivered so far, and starts a new stream there (from)
 * after a restart, loses nothing and repeats only events it already
 * has, with the same ids.
 *
 * kt_stream_free() with flush delivers what is still open.
 */
struct kt_stream;

struct kt_stream_pos {
	uint64_t offset;	/* input offset: bytes since the source began */
	uint64_t lines;		/* physical lines before that offset */
};

struct kt_stream *kt_stream_new(struct kt_pipeline *pl, const char *name,
				int64_t idle_us, struct kt_stream_pos from,
				kt_event_fn *fn, void *data);
void kt_stream_push(struct kt_ctx *ctx, struct kt_stream *s,
		    const char *data, size_t len, int64_t now_us);
void kt_stream_tick(struct kt_stream *s, int64_t now_us);
struct kt_stream_pos kt_stream_pending(const struct kt_stream *s);
/* Lines read so far, those before from included. */
uint64_t kt_stream_lines(const struct kt_stream *s);
void kt_stream_free(struct kt_ctx *ctx, struct kt_stream *s, bool flush);

#endif
