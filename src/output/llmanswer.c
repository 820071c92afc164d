/*
 * llmanswer.c - finds, checks and applies the language model's answer
 * (see llmanswer.h and docs/LLM.md).
 *
 * Part of the output stage, after llm.c has the reply's text.  The
 * answer is untrusted like the logs: every text is capped, stripped of
 * control characters and rendered escaped like any other.
 */
#include "base/compat.h"
#include "base/str.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "output/llmanswer.h"
#include <ctype.h>

#define ID_LEN 16
#define PARSE_TRIES 20

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ------------------------------------------------------------ parse */

int kt_llmanswer_parse(struct kt_ctx *ctx, const char *content, size_t len,
		       json_t **out)
{
	struct kt_str s = kt_str_trim(kt_str_make(content, len));
	json_error_t err;
	json_t *j = NULL;
	const char *p;
	int tries;

	*out = NULL;
	/* reasoning models may think aloud first */
	if (kt_str_starts(s, "<think>")) {
		const char *e = kt_str_find(s, "</think>");

		if (e)
			s = kt_str_skip(s, (size_t)(e - s.p) + 8);
	}
	err.text[0] = '\0';
	for (tries = 0; tries < PARSE_TRIES; tries++) {
		p = memchr(s.p, '{', s.len);
		if (!p)
			break;
		s = kt_str_skip(s, (size_t)(p - s.p));
		j = json_loadb(s.p, s.len, JSON_DISABLE_EOF_CHECK, &err);
		if (json_is_object(j)) {
			*out = j;
			return 0;
		}
		json_decref(j);
		j = NULL;
		s = kt_str_skip(s, 1);
	}
	if (!tries)
		return kt_failf(ctx, KT_ERR_PARSE,
				"the answer holds no JSON object");
	return kt_failf(ctx, KT_ERR_PARSE,
			"the answer is not valid JSON (%s)", err.text);
}

/* ------------------------------------------------------------ check */

static bool has_text(const json_t *claim)
{
	const char *t = json_is_string(claim) ? json_string_value(claim) :
			str(claim, "text");
	struct kt_str s = kt_str_trim(kt_str_cstr(t));

	return s.len > 0;
}

static int check_claim(struct kt_ctx *ctx, const json_t *answer,
		       const char *key)
{
	const json_t *c = json_object_get(answer, key);

	if (!c)
		return kt_failf(ctx, KT_ERR_FORMAT, "the answer lacks '%s'",
				key);
	if (!has_text(c))
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer's '%s' has no text", key);
	return 0;
}

static const json_t *find_problem(const json_t *model, const char *fp,
				  size_t *index)
{
	const json_t *ps = json_object_get(model, "problems");
	size_t i;

	for (i = 0; fp && i < json_array_size(ps); i++)
		if (str(json_array_get(ps, i), "fingerprint") &&
		    !strcmp(str(json_array_get(ps, i), "fingerprint"), fp)) {
			if (index)
				*index = i;
			return json_array_get(ps, i);
		}
	return NULL;
}

int kt_llmanswer_check(struct kt_ctx *ctx, const json_t *answer,
		       const json_t *model)
{
	static const char *const claims[] = {
		"risk_analysis", "prevention", "summary",
	};
	const json_t *ps = json_object_get(answer, "problems");
	const json_t *top = json_object_get(answer, "top_actions");
	bool want = json_array_size(json_object_get(model, "problems")) > 0;
	size_t i, known = 0;
	int rc;

	for (i = 0; i < KT_ARRAY_SIZE(claims); i++) {
		rc = check_claim(ctx, answer, claims[i]);
		if (rc)
			return rc;
	}
	if (!ps)
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer lacks 'problems'");
	if (!json_is_array(ps))
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer's 'problems' is not a list");
	for (i = 0; i < json_array_size(ps); i++) {
		const json_t *p = json_array_get(ps, i);

		if (!json_is_object(p) || !str(p, "fingerprint"))
			return kt_failf(ctx, KT_ERR_FORMAT,
					"the answer's problems[%zu] has no fingerprint",
					i);
		if (!has_text(json_object_get(p, "analysis")))
			return kt_failf(ctx, KT_ERR_FORMAT,
					"the answer's problems[%zu] has no analysis",
					i);
		if ((json_object_get(p, "causes") &&
		     !json_is_array(json_object_get(p, "causes"))) ||
		    (json_object_get(p, "actions") &&
		     !json_is_array(json_object_get(p, "actions"))))
			return kt_failf(ctx, KT_ERR_FORMAT,
					"the answer's problems[%zu] has causes or actions that are not lists",
					i);
		if (find_problem(model, str(p, "fingerprint"), NULL))
			known++;
	}
	if (want && !known)
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer analyses none of the problems");
	if (!top)
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer lacks 'top_actions'");
	if (!json_is_array(top))
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer's 'top_actions' is not a list");
	if (want && !json_array_size(top))
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the answer's 'top_actions' is empty");
	for (i = 0; i < json_array_size(top); i++)
		if (!has_text(json_array_get(top, i)))
			return kt_failf(ctx, KT_ERR_FORMAT,
					"the answer's top_actions[%zu] has no text",
					i);
	return 0;
}

/* ------------------------------------------------------------ apply */

struct apply {
	const struct kt_kb *kb;
	enum kt_lang lang;
	const struct kt_redact *restore;	/* or NULL */
	struct kt_strmap known;		/* ids and fingerprints */
	struct kt_strmap unknown;	/* cited, not known */
	char *haystack;			/* owned; the model as JSON text */
};

static void know(struct apply *a, const json_t *v)
{
	bool added;

	if (json_is_string(v))
		kt_strmap_intern(&a->known, json_string_value(v), &added);
}

static void know_all(struct apply *a, const json_t *list)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		know(a, json_array_get(list, i));
}

static void apply_init(struct apply *a, const json_t *model,
		       const struct kt_kb *kb, const struct kt_redact *restore)
{
	const json_t *ps = json_object_get(model, "problems");
	const json_t *cs = json_object_get(model, "chains");
	int lang = kt_lang_from_name(str(model, "lang") ? str(model, "lang") :
				     "en");
	size_t i, j;

	a->kb = kb;
	a->lang = lang < 0 ? KT_LANG_EN : (enum kt_lang)lang;
	a->restore = restore;
	kt_strmap_init(&a->known);
	kt_strmap_init(&a->unknown);
	for (i = 0; i < json_array_size(ps); i++) {
		const json_t *p = json_array_get(ps, i);
		const json_t *s = json_object_get(p, "samples");

		know(a, json_object_get(p, "fingerprint"));
		know_all(a, json_object_get(p, "event_ids"));
		for (j = 0; j < json_array_size(s); j++)
			know(a, json_object_get(json_array_get(s, j), "id"));
	}
	for (i = 0; i < json_array_size(cs); i++) {
		const json_t *c = json_array_get(cs, i);
		const json_t *st = json_object_get(c, "steps");

		know_all(a, json_object_get(c, "example"));
		for (j = 0; j < json_array_size(st); j++)
			know(a, json_object_get(json_array_get(st, j),
						"fingerprint"));
	}
	a->haystack = json_dumps(model, JSON_COMPACT);
	if (!a->haystack)
		a->haystack = xstrdup("");
}

static void apply_release(struct apply *a)
{
	kt_strmap_release(&a->known);
	kt_strmap_release(&a->unknown);
	free(a->haystack);
}

/* Text of the answer made fit for the report: placeholders mapped back,
 * control characters as blanks, at most max bytes. */
static void clean(const struct apply *a, const char *s, size_t max,
		  struct strbuf *out)
{
	struct strbuf tmp = STRBUF_INIT;
	struct kt_str t;
	size_t i, n;

	if (a->restore)
		kt_redact_restore(a->restore, s, &tmp);
	else
		strbuf_addstr(&tmp, s);
	for (i = 0; i < tmp.len; i++)
		if ((unsigned char)tmp.buf[i] < 0x20 ||
		    tmp.buf[i] == 0x7f)
			tmp.buf[i] = ' ';
	t = kt_str_trim(kt_str_make(tmp.buf, tmp.len));
	n = t.len;
	if (n > max) {
		n = max;
		while (n && ((unsigned char)t.p[n] & 0xc0) == 0x80)
			n--;
	}
	strbuf_add(out, t.p, n);
	if (n < t.len)
		strbuf_addstr(out, "…");
	strbuf_release(&tmp);
}

/* Notes id as cited; true when the model has it. */
static bool cite(struct apply *a, const char *id, struct strbuf *bad)
{
	bool added;

	if (kt_strmap_find(&a->known, id) != KT_STRMAP_NONE)
		return true;
	kt_strmap_intern(&a->unknown, id, &added);
	if (bad->len)
		strbuf_addstr(bad, ", ");
	strbuf_addstr(bad, id);
	return false;
}

static bool is_hex_id(const char *p)
{
	size_t i;

	for (i = 0; i < ID_LEN; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return !isalnum((unsigned char)p[ID_LEN]);
}

/*
 * The text of a claim with its unverified ids marked, or NULL when it
 * has none.  ids (may be NULL) gets the ids it cites.
 */
static json_t *claim_json(struct apply *a, const json_t *claim,
			  size_t max, json_t *ids)
{
	const char *t = json_is_string(claim) ? json_string_value(claim) :
			str(claim, "text");
	const json_t *cited = json_object_get(claim, "event_ids");
	struct strbuf text = STRBUF_INIT, bad = STRBUF_INIT,
		      id = STRBUF_INIT;
	json_t *j;
	size_t i, k;

	if (!t)
		return NULL;
	clean(a, t, max, &text);
	if (!text.len) {
		strbuf_release(&text);
		return NULL;
	}
	for (i = 0; i < json_array_size(cited); i++) {
		const char *c = json_string_value(json_array_get(cited, i));
		struct kt_str s;

		if (!c)
			continue;
		s = kt_str_trim(kt_str_cstr(c));
		if (!s.len || s.len > 64)
			continue;
		strbuf_reset(&id);
		for (k = 0; k < s.len; k++)
			strbuf_addch(&id, tolower((unsigned char)s.p[k]));
		cite(a, id.buf, &bad);
		if (ids)
			json_array_append_new(ids, json_string(id.buf));
	}
	/* ids written into the text: 16 hex digits that appear nowhere in
	 * the evidence (addresses from the logs do) */
	for (i = 0; i + ID_LEN <= text.len; i++) {
		if ((i && isalnum((unsigned char)text.buf[i - 1])) ||
		    !is_hex_id(text.buf + i))
			continue;
		strbuf_reset(&id);
		for (k = 0; k < ID_LEN; k++)
			strbuf_addch(&id, tolower((unsigned char)
						  text.buf[i + k]));
		if (!strstr(a->haystack, id.buf))
			cite(a, id.buf, &bad);
		i += ID_LEN - 1;
	}
	if (bad.len) {
		json_t *f = json_pack("{s:s}", "ids", bad.buf);
		struct strbuf m = STRBUF_INIT;

		if (!kt_kb_render(kt_kb_msg(a->kb, "llm_unverified", a->lang),
				  f, &m))
			strbuf_addf(&m, "[unverified id %s]", bad.buf);
		strbuf_addch(&text, ' ');
		strbuf_add(&text, m.buf, m.len);
		strbuf_release(&m);
		json_decref(f);
	}
	j = json_string(text.buf);
	strbuf_release(&text);
	strbuf_release(&bad);
	strbuf_release(&id);
	return j;
}

static json_t *causes_json(struct apply *a, const json_t *list)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < json_array_size(list) &&
	     json_array_size(out) < KT_LLMANSWER_ITEMS_MAX; i++) {
		json_t *ids = json_array();
		json_t *t = claim_json(a, json_array_get(list, i),
				       KT_LLMANSWER_TEXT_MAX, ids);

		if (t)
			json_array_append_new(out, json_pack("{s:s,s:o,s:o}",
				"id", "llm", "text", t, "event_ids", ids));
		else
			json_decref(ids);
	}
	return out;
}

static json_int_t priority(const json_t *action)
{
	const json_t *v = json_object_get(action, "priority");
	double p = json_is_number(v) ? json_number_value(v) : 50;

	return p >= 0 && p <= 100 ? (json_int_t)p : 50;
}

static json_t *actions_json(struct apply *a, const json_t *list)
{
	json_t *out = json_array();
	size_t i, j, k;

	for (i = 0; i < json_array_size(list) &&
	     json_array_size(out) < KT_LLMANSWER_ITEMS_MAX; i++) {
		const json_t *act = json_array_get(list, i);
		const json_t *cmds = json_object_get(act, "commands");
		json_t *ids = json_array(), *c = json_array(), *o;
		json_t *t = claim_json(a, act, KT_LLMANSWER_TEXT_MAX, ids);
		json_int_t prio = priority(act);

		if (!t) {
			json_decref(ids);
			json_decref(c);
			continue;
		}
		for (j = 0; j < json_array_size(cmds) &&
		     json_array_size(c) < KT_LLMANSWER_ITEMS_MAX; j++) {
			const char *cmd = json_string_value(
				json_array_get(cmds, j));
			struct strbuf sb = STRBUF_INIT;

			if (cmd)
				clean(a, cmd, KT_LLMANSWER_COMMAND_MAX, &sb);
			if (sb.len)
				json_array_append_new(c, json_string(sb.buf));
			strbuf_release(&sb);
		}
		o = json_pack("{s:s,s:I,s:o,s:o,s:o}", "id", "llm",
			      "priority", prio, "text", t, "commands", c,
			      "event_ids", ids);
		/* by priority, stable: after every one at least as high */
		for (k = json_array_size(out); k > 0; k--)
			if (json_integer_value(json_object_get(
				json_array_get(out, k - 1), "priority")) >=
			    prio)
				break;
		json_array_insert_new(out, k, o);
	}
	return out;
}

static void apply_problem(struct apply *a, json_t *model, const json_t *ap,
			  json_t *done)
{
	const char *fp = str(ap, "fingerprint");
	json_t *p, *t, *l;
	struct strbuf bad = STRBUF_INIT;
	size_t i;

	if (!find_problem(model, fp, &i)) {
		/* a fingerprint is a citation too */
		if (fp && strlen(fp) <= 64)
			cite(a, fp, &bad);
		strbuf_release(&bad);
		return;
	}
	if (json_object_get(done, fp))
		return;
	json_object_set_new(done, fp, json_true());
	p = json_array_get(json_object_get(model, "problems"), i);
	t = claim_json(a, json_object_get(ap, "analysis"),
		       KT_LLMANSWER_TEXT_MAX, NULL);
	if (t)
		json_object_set_new(p, "meaning", t);
	l = causes_json(a, json_object_get(ap, "causes"));
	if (json_array_size(l))
		json_object_set(p, "causes", l);
	json_decref(l);
	l = actions_json(a, json_object_get(ap, "actions"));
	if (json_array_size(l))
		json_object_set(p, "actions", l);
	json_decref(l);
}

static void set_text(struct apply *a, json_t *obj, const json_t *claim)
{
	json_t *t = claim_json(a, claim, KT_LLMANSWER_TEXT_MAX, NULL);

	if (json_is_object(obj) && t)
		json_object_set_new(obj, "text", t);
	else
		json_decref(t);
}

size_t kt_llmanswer_apply(json_t *model, const json_t *answer,
			  const struct kt_kb *kb,
			  const struct kt_redact *restore)
{
	const json_t *ps = json_object_get(answer, "problems");
	const json_t *top = json_object_get(answer, "top_actions");
	json_t *done = json_object(), *tops = json_array(), *summary;
	struct apply a;
	size_t i, n;

	apply_init(&a, model, kb, restore);
	set_text(&a, json_object_get(model, "verdict"),
		 json_object_get(answer, "risk_analysis"));
	for (i = 0; i < json_array_size(ps); i++)
		apply_problem(&a, model, json_array_get(ps, i), done);
	set_text(&a, json_object_get(model, "prevention"),
		 json_object_get(answer, "prevention"));
	summary = json_object_get(model, "summary");
	set_text(&a, summary, json_object_get(answer, "summary"));
	for (i = 0; i < json_array_size(top) &&
	     json_array_size(tops) < KT_LLMANSWER_TOP_MAX; i++) {
		const json_t *t = json_array_get(top, i);
		const char *fp = str(t, "fingerprint");
		const json_t *p = find_problem(model, fp, NULL);
		json_t *c, *text;

		/* the fingerprint is cited like the ids */
		c = json_is_object(t) ? json_deep_copy(t) :
		    json_pack("{s:O}", "text", (json_t *)t);
		if (!json_is_array(json_object_get(c, "event_ids")))
			json_object_set_new(c, "event_ids", json_array());
		if (fp && !p)
			json_array_append_new(json_object_get(c, "event_ids"),
					      json_string(fp));
		text = claim_json(&a, c, KT_LLMANSWER_TEXT_MAX, NULL);
		json_decref(c);
		if (!text)
			continue;
		json_array_append_new(tops, json_pack("{s:s,s:s,s:o}",
			"fingerprint", p ? fp : "",
			"title", p && str(p, "title") ? str(p, "title") : "",
			"text", text));
	}
	if (json_is_object(summary) && json_array_size(tops))
		json_object_set(summary, "top_actions", tops);
	n = a.unknown.nr;
	json_decref(tops);
	json_decref(done);
	apply_release(&a);
	return n;
}
