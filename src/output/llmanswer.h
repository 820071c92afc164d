/*
 * llmanswer.h - the language model's answer: found, checked, and put
 * into the report model.
 *
 * The answer is the JSON object the system prompt asks for (see
 * llmprompt.c and docs/LLM.md): risk_analysis, problems (fingerprint,
 * analysis, causes, actions with commands), prevention, summary,
 * top_actions; each claim a {"text", "event_ids"} object (a bare string
 * is taken as a claim citing nothing).
 *
 * kt_llmanswer_parse() finds the object in the reply (models wrap it in
 * code fences or prepend <think> blocks despite being told not to) and
 * kt_llmanswer_check() rejects an answer that lacks a section, so the
 * caller falls back to the built-in analysis.  kt_llmanswer_apply()
 * then replaces the texts of the model: the verdict's text, each
 * problem's meaning, causes and actions, the prevention text, the
 * summary and its top actions.  Counts, facts, evidence lines, samples
 * and event ids stay ktriage's own.  Every id a claim cites, in its
 * event_ids or as 16 hex digits in its text, is looked up among the ids
 * and fingerprints of the model; a claim citing one that is not there
 * is marked with the kb message llm_unverified, and the distinct
 * unknown ids are counted.
 */
#ifndef KT_LLMANSWER_H
#define KT_LLMANSWER_H

#include "base/compat.h"
#include "base/err.h"
#include "output/kb.h"
#include "output/redact.h"
#include <jansson.h>

#define KT_LLMANSWER_TEXT_MAX 4000	/* bytes of one text */
#define KT_LLMANSWER_COMMAND_MAX 1000	/* bytes of one command */
#define KT_LLMANSWER_ITEMS_MAX 10	/* causes, actions, commands */
#define KT_LLMANSWER_TOP_MAX 3

/*
 * The JSON object in content[0..len) (caller owns *out), or
 * KT_ERR_PARSE with the reason in ctx.
 */
int kt_llmanswer_parse(struct kt_ctx *ctx, const char *content, size_t len,
		       json_t **out);

/* 0 when every section is there in its form, else KT_ERR_FORMAT. */
int kt_llmanswer_check(struct kt_ctx *ctx, const json_t *answer,
		       const json_t *model);

/*
 * Puts the checked answer's texts into model, placeholders mapped back
 * through restore (NULL: none).  Returns the number of distinct ids
 * cited that the model does not have.
 */
size_t kt_llmanswer_apply(json_t *model, const json_t *answer,
			  const struct kt_kb *kb,
			  const struct kt_redact *restore);

#endif
