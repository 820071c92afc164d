/*
 * llm.h - `report --llm`: the report's analysis written by a language
 * model behind an OpenAI-compatible chat-completions API (OpenAI, Qwen
 * on DashScope, Ollama, vLLM, ...), checked against the evidence.
 *
 * kt_llm_analyze() builds the prompt from a report model (llmprompt.h),
 * posts it to <url>/chat/completions with libcurl, streamed (SSE,
 * sse.h) or not, retrying what is worth retrying, then checks the
 * answer and puts its texts into the model (llmanswer.h).  The model's
 * "analysis" says what happened:
 *
 *	{"by": "llm", "model": "...", "endpoint": "<host>",
 *	 "unverified_ids": N}
 *	{"by": "builtin", "fallback": "<one-line reason>"}
 *
 * On any failure the model keeps its built-in texts, so the report is
 * always complete.  Retries: HTTP 408, 429 and 5xx and network errors
 * (no connection, connection dropped) up to conf->attempts tries in
 * all, waiting as Retry-After says (up to KT_LLM_RETRY_AFTER_MAX
 * seconds; a longer wait ends the tries) or else 1, 2, 4 ... seconds
 * (at most KT_LLM_BACKOFF_MAX) times a random factor from 0.5 to 1.
 * Not retried: other 4xx (400, 401, 403, ...), a timeout (the answer
 * did not come within conf->timeout seconds), an answer cut at
 * max_tokens, and an answer that is not what was asked for.
 *
 * The API key goes into the Authorization header only, and only when
 * there is one; it is in no message, log line or fallback reason.
 */
#ifndef KT_LLM_H
#define KT_LLM_H

#include "base/compat.h"
#include "base/err.h"
#include "output/kb.h"
#include "output/llmconf.h"
#include <jansson.h>

#define KT_LLM_BODY_MAX (4 * 1024 * 1024)	/* bytes of a reply */
#define KT_LLM_RETRY_AFTER_MAX 120		/* seconds */
#define KT_LLM_BACKOFF_MAX 30			/* seconds */

struct kt_llm_opts {
	const struct kt_llmconf *conf;	/* borrowed */
	enum kt_lang lang;		/* of the report */
	bool redact;			/* hide hosts, IPs, users */
};

/*
 * Replaces the texts of model with the language model's and sets its
 * "analysis".  Returns 0, or a negative enum kt_err with the reason in
 * ctx (and in analysis.fallback) when the built-in texts were kept.
 */
int kt_llm_analyze(struct kt_ctx *ctx, const struct kt_llm_opts *o,
		   const struct kt_kb *kb, json_t *model);

#endif
