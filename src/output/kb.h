/*
 * kb.h - the report's knowledge base: what problems mean, what to do.
 *
 * The YAML files of kb/ (compiled into the binary, see docs/REPORT.md)
 * hold, per event type or type/subtype, the meaning of a problem, the
 * evidence lines to show, the causes and actions that apply under
 * conditions on the problem's facts, and the alert rules that catch it;
 * the rules of the health verdict; crash-capture readiness checks; and
 * every fixed phrase of the report, in English and Chinese.
 *
 * Facts are a flat JSON object: name -> string, number, bool or list of
 * strings ("victim_comm", "n.panic", "config.kernel.panic").  A
 * condition on a fact that is absent is false; a template part that
 * needs one is left out.
 */
#ifndef KT_KB_H
#define KT_KB_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include <jansson.h>

enum kt_lang { KT_LANG_EN, KT_LANG_ZH, KT_LANG_NR };

/* "en" / "zh" -> language, or -1. */
int kt_lang_from_name(const char *name);
const char *kt_lang_name(enum kt_lang lang);

struct kt_kb_text {
	char *s[KT_LANG_NR];	/* owned; a template per language */
};

enum kt_kb_cond_kind { KT_KB_ALL, KT_KB_ANY, KT_KB_NOT, KT_KB_TEST };

enum kt_kb_test {
	KT_KB_EQ, KT_KB_NE, KT_KB_GE, KT_KB_GT, KT_KB_LE, KT_KB_LT,
	KT_KB_PRESENT, KT_KB_CONTAINS, KT_KB_MATCH
};

struct kt_kb_cond {
	enum kt_kb_cond_kind kind;
	struct kt_kb_cond *sub;	/* owned; ALL, ANY, NOT (one) */
	size_t nr_sub;
	char *fact;		/* owned; TEST */
	enum kt_kb_test test;
	json_t *value;		/* owned reference; TEST */
	void *re;		/* owned pcre2_code *; MATCH */
};

/* An evidence line, cause, action or readiness state. */
struct kt_kb_item {
	char *id;		/* owned or NULL */
	struct kt_kb_cond *when;	/* owned or NULL: always */
	int priority;		/* 0-100; actions */
	struct kt_kb_text text;
	char **commands;	/* owned; actions */
	size_t nr_commands;
};

struct kt_kb_alert {
	char *name, *expr, *for_, *severity;	/* owned */
	struct kt_kb_text text;
};

struct kt_kb_entry {
	char *id;		/* owned */
	char **match;		/* owned; "type" or "type/subtype" */
	size_t nr_match;
	struct kt_kb_text meaning;
	struct kt_kb_item *evidence, *causes, *actions;	/* owned */
	size_t nr_evidence, nr_causes, nr_actions;
	struct kt_kb_alert *alerts;	/* owned */
	size_t nr_alerts;
	char *file;		/* owned: where it was defined */
	int line;
};

struct kt_kb_verdict {
	char *id;		/* owned */
	char *level;		/* owned: degraded, unstable, critical */
	struct kt_kb_cond *when;	/* owned */
	struct kt_kb_text text;
};

struct kt_kb_readiness {
	char *id;		/* owned: kdump, pstore, ... */
	struct kt_kb_item *state;	/* owned; id = ok|missing|unknown */
	size_t nr_state;
};

struct kt_kb {
	struct kt_kb_entry *entry;	/* owned */
	size_t nr_entry, alloc_entry;
	struct kt_kb_verdict *verdict;	/* owned; in file order */
	size_t nr_verdict, alloc_verdict;
	struct kt_kb_readiness *ready;	/* owned */
	size_t nr_ready, alloc_ready;
	struct kt_strmap msg_index;	/* message name -> msg[] */
	struct kt_kb_text *msg;	/* owned */
	size_t alloc_msg;
};

void kt_kb_init(struct kt_kb *kb);
void kt_kb_release(struct kt_kb *kb);

/*
 * Loads one YAML text (name is used in errors as "name:line: ...").
 * Entries with an id already loaded replace it; messages too.
 */
int kt_kb_load_text(struct kt_ctx *ctx, struct kt_kb *kb, const char *name,
		    const char *text, size_t len);
/* The embedded YAML files of kb/, in name order. */
int kt_kb_load_default(struct kt_ctx *ctx, struct kt_kb *kb);

/* The most specific entry for a problem (type/subtype, then type). */
const struct kt_kb_entry *kt_kb_find(const struct kt_kb *kb,
				     const char *type, const char *subtype);

/* A message in lang (English when it has no translation); "" if none. */
const char *kt_kb_msg(const struct kt_kb *kb, const char *name,
		      enum kt_lang lang);

bool kt_kb_eval(const struct kt_kb_cond *c, const json_t *facts);

/*
 * Expands a template into out: "{fact}", "{fact|fallback}", "[optional
 * part]", "\{" for a brace.  Returns false (out unspecified) when a fact
 * outside any optional part is unknown.
 */
bool kt_kb_render(const char *tpl, const json_t *facts, struct strbuf *out);

/* A fact's value as text: lists joined with ", ". */
bool kt_kb_fact_text(const json_t *v, struct strbuf *out);

#endif
