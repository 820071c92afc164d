/*
 * llmprompt.h - the prompt of `report --llm`: the evidence of the report
 * model, bounded in size and fenced as untrusted data.
 *
 * The system message is ktriage's own text: the task, the warning that
 * the data is untrusted, the rules and the form of the answer.  The user
 * message is one line of ktriage's own text and then the evidence as one
 * JSON document, {"untrusted_log_data": {...}}, between a line
 * KT_LLMPROMPT_BEGIN and a line KT_LLMPROMPT_END.  Every string that
 * came from a log is inside that document, JSON-escaped and with any run
 * of three '<' or '>' broken up, so no log line can close the block or
 * speak outside it.
 *
 * Size: kt_llmprompt_tokens() estimates tokens as one per 4 ASCII bytes
 * plus one per non-ASCII character (a CJK character is about one token,
 * four ASCII letters are).  While the estimate exceeds the budget the
 * evidence is cut, least important first: long sample lines shortened,
 * samples of minor problems, all but one sample per problem, all
 * samples, long event id lists, minor problems (least severe last in
 * the list first), chains beyond three, facts beyond twelve per problem,
 * major problems, then critical ones down to one.  What was cut is said
 * in the user message.
 */
#ifndef KT_LLMPROMPT_H
#define KT_LLMPROMPT_H

#include "base/compat.h"
#include "base/strbuf.h"
#include "output/kb.h"
#include "output/redact.h"
#include <jansson.h>

#define KT_LLMPROMPT_BEGIN "<<<UNTRUSTED_LOG_DATA"
#define KT_LLMPROMPT_END "UNTRUSTED_LOG_DATA>>>"

struct kt_llmprompt_opts {
	enum kt_lang lang;		/* of the answer */
	size_t max_tokens;		/* budget of system + user */
	struct kt_redact *redact;	/* borrowed or NULL: no redaction */
};

struct kt_llmprompt {
	struct strbuf system;	/* owned */
	struct strbuf user;	/* owned */
	json_t *data;		/* owned reference: the evidence sent */
	struct strbuf cut;	/* owned; what was left out, "" if nothing */
	size_t tokens;		/* estimate of system + user */
};

void kt_llmprompt_init(struct kt_llmprompt *p);
void kt_llmprompt_release(struct kt_llmprompt *p);

/* Builds the prompt for a report model (see report.h). */
void kt_llmprompt_build(struct kt_llmprompt *p, const json_t *model,
			const struct kt_llmprompt_opts *o);

/* The evidence part of a report model, before any cut or redaction. */
json_t *kt_llmprompt_evidence(const json_t *model);

/* The host and user names of a report model, to hide with --redact. */
void kt_llmprompt_names(struct kt_redact *r, const json_t *model);

/* Estimated tokens of s[0..len). */
size_t kt_llmprompt_tokens(const char *s, size_t len);

/* Breaks up every run of three '<' or '>' in the strings of j. */
void kt_llmprompt_defuse(json_t *j);

#endif
