/*
 * kb.c - loads the kb/ YAML files and evaluates its conditions and templates
 * (see kb.h and docs/REPORT.md).
 *
 * Part of the output stage: the report builder asks it what a problem
 * means and which causes and actions its facts support.
 */
#include "base/compat.h"
#include "base/embed.h"
#include "base/parse.h"
#include "base/str.h"
#include "base/xalloc.h"
#include "output/kb.h"
#include <math.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define COND_DEPTH_MAX 16
#define LIST_SHOWN_MAX 8

static const char *const lang_names[KT_LANG_NR] = { "en", "zh" };

int kt_lang_from_name(const char *name)
{
	int i;

	for (i = 0; i < KT_LANG_NR; i++)
		if (!strcmp(name, lang_names[i]))
			return i;
	return -1;
}

const char *kt_lang_name(enum kt_lang lang)
{
	return lang_names[lang];
}

/* ------------------------------------------------------------ freeing */

static void text_release(struct kt_kb_text *t)
{
	int i;

	for (i = 0; i < KT_LANG_NR; i++)
		free(t->s[i]);
	memset(t, 0, sizeof(*t));
}

static void cond_release(struct kt_kb_cond *c)
{
	size_t i;

	for (i = 0; i < c->nr_sub; i++)
		cond_release(&c->sub[i]);
	free(c->sub);
	free(c->fact);
	json_decref(c->value);
	pcre2_code_free(c->re);
	memset(c, 0, sizeof(*c));
}

static void cond_free(struct kt_kb_cond *c)
{
	if (!c)
		return;
	cond_release(c);
	free(c);
}

static void item_release(struct kt_kb_item *it)
{
	size_t i;

	free(it->id);
	cond_free(it->when);
	text_release(&it->text);
	for (i = 0; i < it->nr_commands; i++)
		free(it->commands[i]);
	free(it->commands);
	memset(it, 0, sizeof(*it));
}

static void items_free(struct kt_kb_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		item_release(&it[i]);
	free(it);
}

static void entry_release(struct kt_kb_entry *e)
{
	size_t i;

	free(e->id);
	for (i = 0; i < e->nr_match; i++)
		free(e->match[i]);
	free(e->match);
	text_release(&e->meaning);
	items_free(e->evidence, e->nr_evidence);
	items_free(e->causes, e->nr_causes);
	items_free(e->actions, e->nr_actions);
	for (i = 0; i < e->nr_alerts; i++) {
		free(e->alerts[i].name);
		free(e->alerts[i].expr);
		free(e->alerts[i].for_);
		free(e->alerts[i].severity);
		text_release(&e->alerts[i].text);
	}
	free(e->alerts);
	free(e->file);
	memset(e, 0, sizeof(*e));
}

void kt_kb_init(struct kt_kb *kb)
{
	memset(kb, 0, sizeof(*kb));
}

void kt_kb_release(struct kt_kb *kb)
{
	size_t i;

	for (i = 0; i < kb->nr_entry; i++)
		entry_release(&kb->entry[i]);
	free(kb->entry);
	for (i = 0; i < kb->nr_verdict; i++) {
		free(kb->verdict[i].id);
		free(kb->verdict[i].level);
		cond_free(kb->verdict[i].when);
		text_release(&kb->verdict[i].text);
	}
	free(kb->verdict);
	for (i = 0; i < kb->nr_ready; i++) {
		free(kb->ready[i].id);
		items_free(kb->ready[i].state, kb->ready[i].nr_state);
	}
	free(kb->ready);
	for (i = 0; i < kb->msg_index.nr; i++)
		text_release(&kb->msg[i]);
	free(kb->msg);
	kt_strmap_release(&kb->msg_index);
	kt_kb_init(kb);
}

/* ------------------------------------------------------------ YAML walk */

struct loader {
	struct kt_ctx *ctx;
	struct kt_kb *kb;
	const char *name;
	yaml_document_t doc;
};

static int failn(struct loader *ld, yaml_node_t *n, const char *fmt, ...)
	KT_PRINTF(3, 4);

static int failn(struct loader *ld, yaml_node_t *n, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	kt_failf(ld->ctx, KT_ERR_KB, "%s:%lu: %s", ld->name,
		 n ? (unsigned long)n->start_mark.line + 1 : 0UL, sb.buf);
	strbuf_release(&sb);
	return KT_ERR_KB;
}

static yaml_node_t *node(struct loader *ld, int id)
{
	return yaml_document_get_node(&ld->doc, id);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	       (const char *)n->data.scalar.value : NULL;
}

/* A scalar as plain text; NUL bytes inside are refused. */
static int get_string(struct loader *ld, yaml_node_t *v, const char *key,
		      char **out)
{
	const char *s = scalar(v);

	if (!s || strlen(s) != v->data.scalar.length)
		return failn(ld, v, "'%s' must be a string", key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int get_int(struct loader *ld, yaml_node_t *v, const char *key,
		   int64_t lo, int64_t hi, int *out)
{
	const char *s = scalar(v);
	int64_t x;

	if (!s || kt_str_to_i64(kt_str_cstr(s), &x) || x < lo || x > hi)
		return failn(ld, v, "'%s' must be a number from %lld to %lld",
			     key, (long long)lo, (long long)hi);
	*out = (int)x;
	return 0;
}

/* YAML scalar -> JSON value: true/false, integer, number, or string. */
static json_t *scalar_value(yaml_node_t *n)
{
	const char *s = scalar(n);
	int64_t i;
	char *end;
	double d;

	if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		return json_string(s);
	if (!strcmp(s, "true") || !strcmp(s, "yes"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "no"))
		return json_false();
	if (!kt_str_to_i64(kt_str_cstr(s), &i))
		return json_integer(i);
	if (*s) {
		d = strtod(s, &end);
		/* "inf", "nan": no JSON number, so a string */
		if (!*end && isfinite(d))
			return json_real(d);
	}
	return json_string(s);
}

static bool is_lang_key(const char *k, int *lang)
{
	*lang = kt_lang_from_name(k);
	return *lang >= 0;
}

/* en: and zh: keys of a mapping; both are required. */
static int get_text(struct loader *ld, yaml_node_t *map,
		    struct kt_kb_text *t, bool required)
{
	yaml_node_pair_t *p;
	int lang, i, rc;

	for (p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(ld, p->key), *v = node(ld, p->value);
		const char *k = scalar(kn);

		if (!k || !is_lang_key(k, &lang))
			continue;
		rc = get_string(ld, v, k, &t->s[lang]);
		if (rc)
			return rc;
	}
	if (!required)
		return 0;
	for (i = 0; i < KT_LANG_NR; i++)
		if (!t->s[i])
			return failn(ld, map, "missing '%s' text",
				     lang_names[i]);
	return 0;
}

static const char *const test_names[] = {
	[KT_KB_EQ] = "eq", [KT_KB_NE] = "ne", [KT_KB_GE] = "ge",
	[KT_KB_GT] = "gt", [KT_KB_LE] = "le", [KT_KB_LT] = "lt",
	[KT_KB_PRESENT] = "present", [KT_KB_CONTAINS] = "contains",
	[KT_KB_MATCH] = "match",
};

static int parse_cond(struct loader *ld, yaml_node_t *n,
		      struct kt_kb_cond *c, int depth);

static int parse_cond_list(struct loader *ld, yaml_node_t *v,
			   struct kt_kb_cond *c, int depth, const char *key)
{
	yaml_node_item_t *it;
	int rc;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'%s' must be a list of conditions", key);
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		c->sub = xrealloc(c->sub, st_mult(sizeof(*c->sub),
						  c->nr_sub + 1));
		memset(&c->sub[c->nr_sub], 0, sizeof(*c->sub));
		rc = parse_cond(ld, node(ld, *it), &c->sub[c->nr_sub++],
				depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* fact: test, where test is a value or {op: value}. */
static int parse_test(struct loader *ld, const char *fact, yaml_node_t *v,
		      struct kt_kb_cond *c)
{
	yaml_node_pair_t *p;
	yaml_node_t *kn, *vn;
	const char *op;
	size_t i;

	c->kind = KT_KB_TEST;
	c->fact = xstrdup(fact);
	if (v->type == YAML_SCALAR_NODE) {
		c->test = KT_KB_EQ;
		c->value = scalar_value(v);
		return 0;
	}
	if (v->type != YAML_MAPPING_NODE ||
	    v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1)
		return failn(ld, v, "'%s': a test is a value or {op: value}",
			     fact);
	p = v->data.mapping.pairs.start;
	kn = node(ld, p->key);
	vn = node(ld, p->value);
	op = scalar(kn);
	for (i = 0; op && i < KT_ARRAY_SIZE(test_names); i++)
		if (!strcmp(op, test_names[i]))
			break;
	if (!op || i == KT_ARRAY_SIZE(test_names))
		return failn(ld, kn, "'%s': unknown test '%s'", fact,
			     op ? op : "?");
	c->test = (enum kt_kb_test)i;
	if (!scalar(vn))
		return failn(ld, vn, "'%s': the value of '%s' must be a scalar",
			     fact, op);
	c->value = scalar_value(vn);
	if ((c->test == KT_KB_GE || c->test == KT_KB_GT ||
	     c->test == KT_KB_LE || c->test == KT_KB_LT) &&
	    !json_is_number(c->value))
		return failn(ld, vn, "'%s': '%s' needs a number", fact, op);
	if (c->test == KT_KB_PRESENT && !json_is_boolean(c->value))
		return failn(ld, vn, "'%s': 'present' needs true or false",
			     fact);
	if (c->test == KT_KB_MATCH) {
		int err;
		PCRE2_SIZE off;

		c->re = pcre2_compile((PCRE2_SPTR)scalar(vn),
				      PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err,
				      &off, NULL);
		if (!c->re)
			return failn(ld, vn, "'%s': bad regex at offset %zu",
				     fact, (size_t)off);
	}
	return 0;
}

static int parse_cond(struct loader *ld, yaml_node_t *n,
		      struct kt_kb_cond *c, int depth)
{
	yaml_node_pair_t *p;
	size_t npairs;
	int rc;

	if (depth > COND_DEPTH_MAX)
		return failn(ld, n, "conditions nested too deep");
	if (!n || n->type != YAML_MAPPING_NODE)
		return failn(ld, n, "a condition is a map of facts to tests");
	npairs = (size_t)(n->data.mapping.pairs.top -
			  n->data.mapping.pairs.start);
	if (!npairs)
		return failn(ld, n, "an empty condition");
	/* several pairs: all of them; one: that one */
	if (npairs > 1) {
		c->kind = KT_KB_ALL;
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = node(ld, p->key);
			struct kt_kb_cond *s;

			c->sub = xrealloc(c->sub, st_mult(sizeof(*c->sub),
							  c->nr_sub + 1));
			s = &c->sub[c->nr_sub++];
			memset(s, 0, sizeof(*s));
			if (!scalar(kn))
				return failn(ld, kn, "a fact name must be a string");
			if (!strcmp(scalar(kn), "any") ||
			    !strcmp(scalar(kn), "all") ||
			    !strcmp(scalar(kn), "not")) {
				/* {any: [...], other: x}: rebuild as one */
				yaml_node_t one;

				one = *n;
				one.data.mapping.pairs.start = p;
				one.data.mapping.pairs.top = p + 1;
				rc = parse_cond(ld, &one, s, depth + 1);
			} else {
				rc = parse_test(ld, scalar(kn),
						node(ld, p->value), s);
			}
			if (rc)
				return rc;
		}
		return 0;
	}
	p = n->data.mapping.pairs.start;
	{
		yaml_node_t *kn = node(ld, p->key), *v = node(ld, p->value);
		const char *k = scalar(kn);

		if (!k)
			return failn(ld, kn, "a fact name must be a string");
		if (!strcmp(k, "any")) {
			c->kind = KT_KB_ANY;
			return parse_cond_list(ld, v, c, depth, k);
		}
		if (!strcmp(k, "all")) {
			c->kind = KT_KB_ALL;
			return parse_cond_list(ld, v, c, depth, k);
		}
		if (!strcmp(k, "not")) {
			c->kind = KT_KB_NOT;
			c->sub = xcalloc(1, sizeof(*c->sub));
			c->nr_sub = 1;
			return parse_cond(ld, v, c->sub, depth + 1);
		}
		return parse_test(ld, k, v, c);
	}
}

static int get_when(struct loader *ld, yaml_node_t *v,
		    struct kt_kb_cond **out)
{
	cond_free(*out);
	*out = xcalloc(1, sizeof(**out));
	return parse_cond(ld, v, *out, 0);
}

/* An evidence line, cause, action or readiness state. */
static int parse_item(struct loader *ld, yaml_node_t *n,
		      struct kt_kb_item *it, const char *what)
{
	yaml_node_pair_t *p;
	int lang, rc = 0;

	if (!n || n->type != YAML_MAPPING_NODE)
		return failn(ld, n, "%s must be a map", what);
	it->priority = 50;
	for (p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *kn = node(ld, p->key), *v = node(ld, p->value);
		const char *k = scalar(kn);

		if (!k)
			return failn(ld, kn, "keys must be strings");
		if (is_lang_key(k, &lang)) {
			continue;
		} else if (!strcmp(k, "id") || !strcmp(k, "state")) {
			rc = get_string(ld, v, k, &it->id);
		} else if (!strcmp(k, "when")) {
			rc = get_when(ld, v, &it->when);
		} else if (!strcmp(k, "priority")) {
			rc = get_int(ld, v, k, 0, 100, &it->priority);
		} else if (!strcmp(k, "commands")) {
			yaml_node_item_t *c;

			if (v->type != YAML_SEQUENCE_NODE)
				return failn(ld, v, "'commands' must be a list");
			for (c = v->data.sequence.items.start;
			     c < v->data.sequence.items.top && !rc; c++) {
				char *s = NULL;

				rc = get_string(ld, node(ld, *c), k, &s);
				if (rc)
					break;
				it->commands = xrealloc(it->commands,
					st_mult(sizeof(char *),
						it->nr_commands + 1));
				it->commands[it->nr_commands++] = s;
			}
		} else {
			rc = failn(ld, kn, "%s: unknown key '%s'", what, k);
		}
	}
	if (!rc)
		rc = get_text(ld, n, &it->text, true);
	return rc;
}

static int parse_items(struct loader *ld, yaml_node_t *v, const char *key,
		       struct kt_kb_item **items, size_t *nr)
{
	yaml_node_item_t *it;
	int rc;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'%s' must be a list", key);
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		*items = xrealloc(*items, st_mult(sizeof(**items), *nr + 1));
		memset(&(*items)[*nr], 0, sizeof(**items));
		rc = parse_item(ld, node(ld, *it), &(*items)[(*nr)++], key);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_alerts(struct loader *ld, yaml_node_t *v,
			struct kt_kb_entry *e)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'alerts' must be a list");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top && !rc; it++) {
		yaml_node_t *n = node(ld, *it);
		struct kt_kb_alert *a;
		yaml_node_pair_t *p;
		int lang;

		if (n->type != YAML_MAPPING_NODE)
			return failn(ld, n, "an alert must be a map");
		e->alerts = xrealloc(e->alerts, st_mult(sizeof(*e->alerts),
							e->nr_alerts + 1));
		a = &e->alerts[e->nr_alerts++];
		memset(a, 0, sizeof(*a));
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top && !rc; p++) {
			yaml_node_t *kn = node(ld, p->key),
				    *vn = node(ld, p->value);
			const char *k = scalar(kn);

			if (!k)
				return failn(ld, kn, "keys must be strings");
			if (is_lang_key(k, &lang))
				continue;
			else if (!strcmp(k, "name"))
				rc = get_string(ld, vn, k, &a->name);
			else if (!strcmp(k, "expr"))
				rc = get_string(ld, vn, k, &a->expr);
			else if (!strcmp(k, "for"))
				rc = get_string(ld, vn, k, &a->for_);
			else if (!strcmp(k, "severity"))
				rc = get_string(ld, vn, k, &a->severity);
			else
				rc = failn(ld, kn, "alert: unknown key '%s'",
					   k);
		}
		if (!rc && (!a->name || !a->expr))
			rc = failn(ld, n, "an alert needs 'name' and 'expr'");
		if (!rc)
			rc = get_text(ld, n, &a->text, true);
	}
	return rc;
}

static int add_match(struct loader *ld, yaml_node_t *v,
		     struct kt_kb_entry *e)
{
	yaml_node_item_t *it;

	if (scalar(v)) {
		e->match = xcalloc(1, sizeof(char *));
		e->match[e->nr_match++] = xstrdup(scalar(v));
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'match' must be a string or a list");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		const char *s = scalar(node(ld, *it));

		if (!s)
			return failn(ld, v, "'match' items must be strings");
		e->match = xrealloc(e->match, st_mult(sizeof(char *),
						      e->nr_match + 1));
		e->match[e->nr_match++] = xstrdup(s);
	}
	return 0;
}

static int parse_entry(struct loader *ld, yaml_node_t *n)
{
	struct kt_kb_entry e;
	yaml_node_pair_t *p;
	size_t i;
	int lang, rc = 0;

	if (!n || n->type != YAML_MAPPING_NODE)
		return failn(ld, n, "an entry must be a map");
	memset(&e, 0, sizeof(e));
	e.file = xstrdup(ld->name);
	e.line = (int)n->start_mark.line + 1;
	for (p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *kn = node(ld, p->key), *v = node(ld, p->value);
		const char *k = scalar(kn);

		if (!k) {
			rc = failn(ld, kn, "keys must be strings");
		} else if (!strcmp(k, "id")) {
			rc = get_string(ld, v, k, &e.id);
		} else if (!strcmp(k, "match")) {
			rc = add_match(ld, v, &e);
		} else if (!strcmp(k, "meaning")) {
			if (v->type != YAML_MAPPING_NODE)
				rc = failn(ld, v, "'meaning' must have en and zh");
			else
				rc = get_text(ld, v, &e.meaning, true);
		} else if (!strcmp(k, "evidence")) {
			rc = parse_items(ld, v, k, &e.evidence, &e.nr_evidence);
		} else if (!strcmp(k, "causes")) {
			rc = parse_items(ld, v, k, &e.causes, &e.nr_causes);
		} else if (!strcmp(k, "actions")) {
			rc = parse_items(ld, v, k, &e.actions, &e.nr_actions);
		} else if (!strcmp(k, "alerts")) {
			rc = parse_alerts(ld, v, &e);
		} else if (is_lang_key(k, &lang)) {
			rc = failn(ld, kn, "'%s' belongs under 'meaning'", k);
		} else {
			rc = failn(ld, kn, "unknown key '%s'", k);
		}
	}
	if (!rc && (!e.id || !e.nr_match))
		rc = failn(ld, n, "an entry needs 'id' and 'match'");
	if (!rc && !e.meaning.s[0])
		rc = failn(ld, n, "entry '%s' has no 'meaning'", e.id);
	if (rc) {
		entry_release(&e);
		return rc;
	}
	for (i = 0; i < ld->kb->nr_entry; i++)
		if (!strcmp(ld->kb->entry[i].id, e.id)) {
			entry_release(&ld->kb->entry[i]);
			ld->kb->entry[i] = e;
			return 0;
		}
	ALLOC_GROW(ld->kb->entry, ld->kb->nr_entry + 1, ld->kb->alloc_entry);
	ld->kb->entry[ld->kb->nr_entry++] = e;
	return 0;
}

static const char *const levels[] = { "degraded", "unstable", "critical" };

static int parse_verdict(struct loader *ld, yaml_node_t *v)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'verdict' must be a list");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top && !rc; it++) {
		yaml_node_t *n = node(ld, *it);
		struct kt_kb_verdict *vd;
		yaml_node_pair_t *p;
		size_t i;
		int lang;

		if (n->type != YAML_MAPPING_NODE)
			return failn(ld, n, "a verdict rule must be a map");
		ALLOC_GROW(ld->kb->verdict, ld->kb->nr_verdict + 1,
			   ld->kb->alloc_verdict);
		vd = &ld->kb->verdict[ld->kb->nr_verdict++];
		memset(vd, 0, sizeof(*vd));
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top && !rc; p++) {
			yaml_node_t *kn = node(ld, p->key),
				    *vn = node(ld, p->value);
			const char *k = scalar(kn);

			if (!k)
				return failn(ld, kn, "keys must be strings");
			if (is_lang_key(k, &lang))
				continue;
			else if (!strcmp(k, "id"))
				rc = get_string(ld, vn, k, &vd->id);
			else if (!strcmp(k, "level"))
				rc = get_string(ld, vn, k, &vd->level);
			else if (!strcmp(k, "when"))
				rc = get_when(ld, vn, &vd->when);
			else
				rc = failn(ld, kn, "verdict: unknown key '%s'",
					   k);
		}
		if (rc)
			return rc;
		if (!vd->id || !vd->level || !vd->when)
			return failn(ld, n, "a verdict rule needs 'id', 'level' and 'when'");
		for (i = 0; i < KT_ARRAY_SIZE(levels); i++)
			if (!strcmp(vd->level, levels[i]))
				break;
		if (i == KT_ARRAY_SIZE(levels))
			return failn(ld, n, "level must be degraded, unstable or critical");
		rc = get_text(ld, n, &vd->text, true);
	}
	return rc;
}

static int parse_readiness(struct loader *ld, yaml_node_t *v)
{
	yaml_node_item_t *it;
	int rc = 0;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'readiness' must be a list");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top && !rc; it++) {
		yaml_node_t *n = node(ld, *it);
		struct kt_kb_readiness *r;
		yaml_node_pair_t *p;

		if (n->type != YAML_MAPPING_NODE)
			return failn(ld, n, "a readiness check must be a map");
		ALLOC_GROW(ld->kb->ready, ld->kb->nr_ready + 1,
			   ld->kb->alloc_ready);
		r = &ld->kb->ready[ld->kb->nr_ready++];
		memset(r, 0, sizeof(*r));
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top && !rc; p++) {
			yaml_node_t *kn = node(ld, p->key),
				    *vn = node(ld, p->value);
			const char *k = scalar(kn);

			if (k && !strcmp(k, "id"))
				rc = get_string(ld, vn, k, &r->id);
			else if (k && !strcmp(k, "states"))
				rc = parse_items(ld, vn, k, &r->state,
						 &r->nr_state);
			else
				rc = failn(ld, kn, "readiness: unknown key '%s'",
					   k ? k : "?");
		}
		if (!rc && (!r->id || !r->nr_state))
			rc = failn(ld, n, "a readiness check needs 'id' and 'states'");
	}
	return rc;
}

static int parse_messages(struct loader *ld, yaml_node_t *v)
{
	yaml_node_pair_t *p;
	int rc = 0;

	if (v->type != YAML_MAPPING_NODE)
		return failn(ld, v, "'messages' must be a map");
	for (p = v->data.mapping.pairs.start;
	     p < v->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *kn = node(ld, p->key), *vn = node(ld, p->value);
		const char *k = scalar(kn);
		struct kt_kb_text t;
		size_t i;
		bool added;

		if (!k || vn->type != YAML_MAPPING_NODE)
			return failn(ld, kn, "a message is name: {en: ..., zh: ...}");
		memset(&t, 0, sizeof(t));
		rc = get_text(ld, vn, &t, true);
		if (rc) {
			text_release(&t);
			break;
		}
		i = kt_strmap_intern(&ld->kb->msg_index, k, &added);
		if (i >= ld->kb->alloc_msg) {
			size_t old = ld->kb->alloc_msg;

			ALLOC_GROW(ld->kb->msg, i + 1, ld->kb->alloc_msg);
			memset(ld->kb->msg + old, 0, (ld->kb->alloc_msg - old) *
			       sizeof(*ld->kb->msg));
		}
		text_release(&ld->kb->msg[i]);
		ld->kb->msg[i] = t;
	}
	return rc;
}

/*
 * The parser holds nothing after the first document: a second one would
 * otherwise be dropped without a word, syntax errors and all.
 */
static int one_document(struct kt_ctx *ctx, const char *name,
			yaml_parser_t *parser)
{
	yaml_document_t more;
	yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_load(parser, &more))
		return kt_failf(ctx, KT_ERR_KB, "%s:%lu: %s", name,
				(unsigned long)parser->problem_mark.line + 1,
				parser->problem ? parser->problem :
				"invalid YAML");
	root = yaml_document_get_root_node(&more);
	if (root)
		rc = kt_failf(ctx, KT_ERR_KB,
			      "%s:%lu: a knowledge-base file holds one YAML document",
			      name, (unsigned long)root->start_mark.line + 1);
	yaml_document_delete(&more);
	return rc;
}

int kt_kb_load_text(struct kt_ctx *ctx, struct kt_kb *kb, const char *name,
		    const char *text, size_t len)
{
	struct loader ld;
	yaml_parser_t parser;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	int rc = 0;

	memset(&ld, 0, sizeof(ld));
	ld.ctx = ctx;
	ld.kb = kb;
	ld.name = name;
	if (!yaml_parser_initialize(&parser))
		return kt_failf(ctx, KT_ERR_INTERNAL,
				"%s: cannot set up the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	if (!yaml_parser_load(&parser, &ld.doc)) {
		rc = kt_failf(ctx, KT_ERR_KB, "%s:%lu: %s", name,
			      (unsigned long)parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = one_document(ctx, name, &parser);
	yaml_parser_delete(&parser);
	if (rc)
		goto out;
	root = yaml_document_get_root_node(&ld.doc);
	if (!root)
		goto out;
	if (root->type != YAML_MAPPING_NODE) {
		rc = failn(&ld, root, "a knowledge-base file is a map with 'entries', 'verdict', 'readiness' or 'messages'");
		goto out;
	}
	for (p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *kn = node(&ld, p->key), *v = node(&ld, p->value);
		const char *k = scalar(kn);

		if (k && !strcmp(k, "entries")) {
			yaml_node_item_t *it;

			if (v->type != YAML_SEQUENCE_NODE) {
				rc = failn(&ld, v, "'entries' must be a list");
				break;
			}
			for (it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top && !rc; it++)
				rc = parse_entry(&ld, node(&ld, *it));
		} else if (k && !strcmp(k, "verdict")) {
			rc = parse_verdict(&ld, v);
		} else if (k && !strcmp(k, "readiness")) {
			rc = parse_readiness(&ld, v);
		} else if (k && !strcmp(k, "messages")) {
			rc = parse_messages(&ld, v);
		} else {
			rc = failn(&ld, kn, "unknown top-level key '%s'",
				   k ? k : "?");
		}
	}
out:
	yaml_document_delete(&ld.doc);
	return rc;
}

int kt_kb_load_default(struct kt_ctx *ctx, struct kt_kb *kb)
{
	const struct kt_embed_file *f;
	int rc;

	for (f = kt_embedded_kb; f->name; f++) {
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "kb/%s", f->name);
		rc = kt_kb_load_text(ctx, kb, name.buf, f->data, f->len);
		strbuf_release(&name);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ lookups */

const struct kt_kb_entry *kt_kb_find(const struct kt_kb *kb,
				     const char *type, const char *subtype)
{
	const struct kt_kb_entry *by_type = NULL;
	size_t tlen = strlen(type), i, j;

	for (i = 0; i < kb->nr_entry; i++)
		for (j = 0; j < kb->entry[i].nr_match; j++) {
			const char *m = kb->entry[i].match[j];

			if (strncmp(m, type, tlen))
				continue;
			if (!m[tlen] && !by_type)
				by_type = &kb->entry[i];
			else if (m[tlen] == '/' && subtype &&
				 !strcmp(m + tlen + 1, subtype))
				return &kb->entry[i];
		}
	return by_type;
}

const char *kt_kb_msg(const struct kt_kb *kb, const char *name,
		      enum kt_lang lang)
{
	size_t i = kt_strmap_find(&kb->msg_index, name);

	if (i == KT_STRMAP_NONE)
		return "";
	return kb->msg[i].s[lang] ? kb->msg[i].s[lang] :
	       kb->msg[i].s[KT_LANG_EN] ? kb->msg[i].s[KT_LANG_EN] : "";
}

/* ------------------------------------------------------------ conditions */

static bool as_number(const json_t *v, double *out)
{
	const char *s;
	char *end;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return true;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	if (json_is_string(v) && *(s = json_string_value(v))) {
		*out = strtod(s, &end);
		return !*end;
	}
	return false;
}

/*
 * A value as a truth value: a boolean, a number (non-zero), or the
 * strings true/yes/1 and false/no/0 that `set:` gives fields the pack
 * does not declare bool.
 */
static bool as_bool(const json_t *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "1" };
	static const char *const no[] = { "false", "no", "0" };
	double a;
	size_t i;

	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	if (json_is_string(v)) {
		for (i = 0; i < KT_ARRAY_SIZE(yes); i++)
			if (!strcmp(json_string_value(v), yes[i]) ||
			    !strcmp(json_string_value(v), no[i])) {
				*out = !strcmp(json_string_value(v), yes[i]);
				return true;
			}
		return false;
	}
	if (as_number(v, &a)) {
		*out = a != 0;
		return true;
	}
	return false;
}

static bool equal(const json_t *fact, const json_t *want)
{
	double a, b;
	bool x, y;

	if (json_is_boolean(want) || json_is_boolean(fact))
		return as_bool(fact, &x) && as_bool(want, &y) && x == y;
	if (json_is_number(want))
		return as_number(fact, &a) && as_number(want, &b) && a == b;
	if (json_is_string(fact))
		return !strcmp(json_string_value(fact),
			       json_string_value(want));
	if (json_is_number(fact) && as_number(want, &b))
		return json_number_value(fact) == b;
	return false;
}

static bool string_test(const struct kt_kb_cond *c, const char *s)
{
	if (c->test == KT_KB_MATCH) {
		pcre2_match_data *md =
			pcre2_match_data_create_from_pattern(c->re, NULL);
		int rc = pcre2_match(c->re, (PCRE2_SPTR)s, strlen(s), 0, 0, md,
				     NULL);

		pcre2_match_data_free(md);
		return rc >= 0;
	}
	if (json_is_string(c->value))
		return strstr(s, json_string_value(c->value)) != NULL;
	return false;
}

static bool test(const struct kt_kb_cond *c, const json_t *facts)
{
	const json_t *v = json_object_get(facts, c->fact);
	double a, b;
	size_t i;

	if (c->test == KT_KB_PRESENT)
		return (v && !json_is_null(v)) == json_is_true(c->value);
	if (!v || json_is_null(v))
		return false;
	switch (c->test) {
	case KT_KB_EQ:
		return equal(v, c->value);
	case KT_KB_NE:
		return !equal(v, c->value);
	case KT_KB_GE:
	case KT_KB_GT:
	case KT_KB_LE:
	case KT_KB_LT:
		if (!as_number(v, &a) || !as_number(c->value, &b))
			return false;
		return c->test == KT_KB_GE ? a >= b : c->test == KT_KB_GT ?
		       a > b : c->test == KT_KB_LE ? a <= b : a < b;
	case KT_KB_CONTAINS:
	case KT_KB_MATCH:
		if (json_is_array(v)) {
			for (i = 0; i < json_array_size(v); i++) {
				const json_t *x = json_array_get(v, i);

				if (c->test == KT_KB_MATCH ?
				    json_is_string(x) &&
				    string_test(c, json_string_value(x)) :
				    equal(x, c->value))
					return true;
			}
			return false;
		}
		return json_is_string(v) &&
		       string_test(c, json_string_value(v));
	default:
		return false;
	}
}

bool kt_kb_eval(const struct kt_kb_cond *c, const json_t *facts)
{
	size_t i;

	if (!c)
		return true;
	switch (c->kind) {
	case KT_KB_ALL:
		for (i = 0; i < c->nr_sub; i++)
			if (!kt_kb_eval(&c->sub[i], facts))
				return false;
		return true;
	case KT_KB_ANY:
		for (i = 0; i < c->nr_sub; i++)
			if (kt_kb_eval(&c->sub[i], facts))
				return true;
		return false;
	case KT_KB_NOT:
		return !kt_kb_eval(c->sub, facts);
	case KT_KB_TEST:
		return test(c, facts);
	}
	return false;
}

/* ------------------------------------------------------------ templates */

bool kt_kb_fact_text(const json_t *v, struct strbuf *out)
{
	size_t i, n;

	if (!v || json_is_null(v))
		return false;
	if (json_is_string(v)) {
		if (!*json_string_value(v))
			return false;
		strbuf_addstr(out, json_string_value(v));
	} else if (json_is_integer(v)) {
		strbuf_addf(out, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		double d = json_real_value(v);

		/* beyond 1e15 a fraction means nothing, and beyond 2^63
		 * the conversion to long long is undefined */
		if (d >= 1e15 || d <= -1e15)
			strbuf_addf(out, "%.0f", d);
		else if (d == (double)(long long)d)
			strbuf_addf(out, "%lld", (long long)d);
		else
			strbuf_addf(out, "%.1f", d);
	} else if (json_is_boolean(v)) {
		strbuf_addstr(out, json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v)) {
		n = json_array_size(v);
		if (!n)
			return false;
		for (i = 0; i < n && i < LIST_SHOWN_MAX; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			if (!kt_kb_fact_text(json_array_get(v, i), out))
				strbuf_addch(out, '?');
		}
		if (n > LIST_SHOWN_MAX)
			strbuf_addf(out, ", … (+%zu)", n - LIST_SHOWN_MAX);
	} else {
		return false;
	}
	return true;
}

/* Renders tpl from *pp to the matching ']' or the end. */
static bool render(const char **pp, const json_t *facts, struct strbuf *out,
		   int depth)
{
	const char *p = *pp;
	bool ok = true;

	while (*p && !(*p == ']' && depth)) {
		if (*p == '\\' && p[1]) {
			strbuf_addch(out, p[1]);
			p += 2;
		} else if (*p == '[') {
			size_t mark = out->len;

			p++;
			if (!render(&p, facts, out, depth + 1))
				strbuf_setlen(out, mark);
			if (*p == ']')
				p++;
		} else if (*p == '{') {
			const char *close = strchr(p, '}'), *bar;
			struct strbuf name = STRBUF_INIT;

			if (!close) {
				strbuf_addstr(out, p);
				p += strlen(p);
				break;
			}
			bar = memchr(p, '|', (size_t)(close - p));
			strbuf_add(&name, p + 1,
				   (size_t)((bar ? bar : close) - p - 1));
			if (!kt_kb_fact_text(json_object_get(facts, name.buf),
					     out)) {
				if (bar)
					strbuf_add(out, bar + 1,
						   (size_t)(close - bar - 1));
				else
					ok = false;
			}
			strbuf_release(&name);
			p = close + 1;
		} else {
			strbuf_addch(out, *p++);
		}
	}
	*pp = p;
	return ok;
}

bool kt_kb_render(const char *tpl, const json_t *facts, struct strbuf *out)
{
	const char *p = tpl;

	return render(&p, facts, out, 0);
}
