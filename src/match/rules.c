/*
 * rules.c - load and validate YAML rule packs (see rules.h).
 *
 * First half of the match stage: YAML (libyaml) -> struct kt_rule with
 * each pattern compiled by PCRE2.  Errors name the file and line of the
 * offending YAML node, so `ktriage rules check` can point at them.
 */
#include "base/compat.h"
#include "base/embed.h"
#include "base/parse.h"
#include "base/xalloc.h"
#include "match/rules.h"
#include <dirent.h>
#include <sys/stat.h>
#include <yaml.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define RULES_FILE_MAX (16 * 1024 * 1024)

static const char *const severity_names[] = { "minor", "major", "critical" };
static const char *const role_names[KT_ROLE_NR] = {
	[KT_ROLE_HEAD] = "head",
	[KT_ROLE_LINE] = "line",
	[KT_ROLE_BODY] = "body",
	[KT_ROLE_END] = "end",
	[KT_ROLE_TAIL] = "tail",
	[KT_ROLE_PRELUDE] = "prelude",
	[KT_ROLE_SECTION] = "section",
	[KT_ROLE_FRAME] = "frame",
	[KT_ROLE_BOOT] = "boot",
	[KT_ROLE_SHUTDOWN] = "shutdown",
};

const char *kt_severity_name(enum kt_severity s)
{
	return (unsigned)s < KT_ARRAY_SIZE(severity_names) ?
	       severity_names[s] : "unknown";
}

const char *kt_role_name(enum kt_role r)
{
	return (unsigned)r < KT_ROLE_NR ? role_names[r] : "unknown";
}

void kt_ruleset_init(struct kt_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void collect_free(struct kt_rule_collect *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nr_item; i++)
		free(c->item[i].key);
	free(c->item);
	free(c);
}

static void rule_release(struct kt_rule *r)
{
	size_t i;

	free(r->id);
	free(r->file);
	free(r->subtype);
	free(r->match);
	free(r->prefilter);
	for (i = 0; i < r->nr_progs; i++)
		free(r->progs[i]);
	free(r->progs);
	free(r->join_key);
	for (i = 0; i < r->nr_guilty_from; i++)
		free(r->guilty_from[i]);
	free(r->guilty_from);
	for (i = 0; i < r->nr_keep_fields; i++)
		free(r->keep_fields[i]);
	free(r->keep_fields);
	for (i = 0; i < r->nr_title; i++)
		free(r->title[i]);
	free(r->title);
	for (i = 0; i < r->nr_within_sub; i++)
		free(r->within_sub[i]);
	free(r->within_sub);
	free(r->description);
	for (i = 0; i < r->nr_example; i++)
		free(r->example[i]);
	free(r->example);
	for (i = 0; i < r->nr_set; i++)
		free(r->set[i].value);
	free(r->set);
	free(r->group_field);
	collect_free(r->collect);
	pcre2_code_free(r->re);
	memset(r, 0, sizeof(*r));
}

void kt_ruleset_release(struct kt_ruleset *rs)
{
	size_t i, j;

	for (i = 0; i < rs->nr_rules; i++)
		rule_release(&rs->rule[i]);
	free(rs->rule);
	for (i = 0; i < rs->nr_types; i++)
		free(rs->types[i]);
	for (i = 0; i < rs->nr_fields; i++)
		free(rs->field[i].name);
	free(rs->field);
	for (i = 0; i < rs->nr_skip; i++) {
		for (j = 0; j < rs->skip[i].nr; j++)
			free(rs->skip[i].patterns[j]);
		free(rs->skip[i].patterns);
		free(rs->skip[i].comment);
	}
	free(rs->skip);
	pcre2_code_free(rs->skip_re[0]);
	pcre2_code_free(rs->skip_re[1]);
	for (i = 0; i < rs->nr_link; i++) {
		free(rs->link[i].id);
		free(rs->link[i].effect);
		free(rs->link[i].cause);
		free(rs->link[i].same);
	}
	free(rs->link);
	for (i = 0; i < rs->nr_rename; i++) {
		free(rs->rename[i].from);
		free(rs->rename[i].to);
		pcre2_code_free(rs->rename[i].re);
	}
	free(rs->rename);
	for (i = 0; i < rs->nr_anchor; i++) {
		free(rs->anchor[i].pattern);
		free(rs->anchor[i].name);
		pcre2_code_free(rs->anchor[i].re);
	}
	free(rs->anchor);
	kt_ruleset_init(rs);
}

uint16_t kt_ruleset_field_find(const struct kt_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nr_fields; i++)
		if (!strcmp(rs->field[i].name, name))
			return (uint16_t)i;
	return KT_NO_FIELD;
}

uint16_t kt_ruleset_field(struct kt_ruleset *rs, const char *name)
{
	uint16_t f = kt_ruleset_field_find(rs, name);

	if (f != KT_NO_FIELD)
		return f;
	if (rs->nr_fields >= KT_NO_FIELD)
		BUG("too many fields");
	ALLOC_GROW(rs->field, rs->nr_fields + 1, rs->alloc_fields);
	rs->field[rs->nr_fields].name = xstrdup(name);
	rs->field[rs->nr_fields].type = KT_FIELD_STR;
	return (uint16_t)rs->nr_fields++;
}

uint8_t kt_ruleset_type_find(const struct kt_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nr_types; i++)
		if (!strcmp(rs->types[i], name))
			return (uint8_t)i;
	return KT_NO_TYPE;
}

const struct kt_rule *kt_ruleset_rule_find(const struct kt_ruleset *rs,
					   const char *id)
{
	size_t i;

	for (i = 0; i < rs->nr_rules; i++)
		if (!strcmp(rs->rule[i].id, id))
			return &rs->rule[i];
	return NULL;
}

/* ------------------------------------------------------------ YAML walk */

struct loader {
	struct kt_ctx *ctx;
	struct kt_ruleset *rs;
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
	kt_failf(ld->ctx, KT_ERR_RULES, "%s:%lu: %s", ld->name,
		 n ? (unsigned long)n->start_mark.line + 1 : 0UL, sb.buf);
	strbuf_release(&sb);
	return KT_ERR_RULES;
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

static int get_string(struct loader *ld, yaml_node_t *v, const char *key,
		      char **out)
{
	const char *s = scalar(v);

	if (!s)
		return failn(ld, v, "'%s' must be a string", key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int get_bool(struct loader *ld, yaml_node_t *v, const char *key,
		    bool *out)
{
	const char *s = scalar(v);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*out = false;
	else
		return failn(ld, v, "'%s' must be true or false", key);
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

typedef int list_item_fn(struct loader *ld, yaml_node_t *item, void *data);

/* A scalar or a sequence of scalars, each handed to fn. */
static int for_each_scalar(struct loader *ld, yaml_node_t *v, const char *key,
			   list_item_fn *fn, void *data)
{
	yaml_node_item_t *it;
	int rc;

	if (v->type == YAML_SCALAR_NODE)
		return fn(ld, v, data);
	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'%s' must be a string or a list", key);
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node(ld, *it);

		if (!scalar(n))
			return failn(ld, n, "'%s' items must be strings", key);
		rc = fn(ld, n, data);
		if (rc)
			return rc;
	}
	return 0;
}

static int intern_type(struct loader *ld, yaml_node_t *n, const char *name,
		       uint8_t *out)
{
	struct kt_ruleset *rs = ld->rs;
	const char *p;
	uint8_t t;

	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' ||
		      kt_is_digit((unsigned char)*p)))
			return failn(ld, n, "type '%s' must be lower_snake_case",
				     name);
	if (!*name)
		return failn(ld, n, "empty type");
	t = kt_ruleset_type_find(rs, name);
	if (t == KT_NO_TYPE) {
		if (rs->nr_types >= KT_TYPES_MAX)
			return failn(ld, n, "too many types (at most %d)",
				     KT_TYPES_MAX);
		rs->types[rs->nr_types] = xstrdup(name);
		t = (uint8_t)rs->nr_types++;
	}
	*out = t;
	return 0;
}

static int add_type_bit(struct loader *ld, yaml_node_t *n, void *data)
{
	uint64_t *mask = data;
	uint8_t t;
	int rc = intern_type(ld, n, scalar(n), &t);

	if (!rc)
		*mask |= 1ULL << t;
	return rc;
}

static int add_within(struct loader *ld, yaml_node_t *n, void *data)
{
	struct kt_rule *r = data;
	const char *s = scalar(n), *slash = strchr(s, '/');
	struct strbuf t = STRBUF_INIT;
	uint8_t type;
	int rc;

	if (!slash)
		return add_type_bit(ld, n, &r->within);
	strbuf_add(&t, s, (size_t)(slash - s));
	rc = intern_type(ld, n, t.buf, &type);
	strbuf_release(&t);
	if (rc)
		return rc;
	r->within_sub = xrealloc(r->within_sub, st_mult(sizeof(char *),
				 r->nr_within_sub + 1));
	r->within_sub[r->nr_within_sub++] = xstrdup(s);
	return 0;
}

static int add_title(struct loader *ld, yaml_node_t *n, void *data)
{
	struct kt_rule *r = data;

	(void)ld;
	r->title = xrealloc(r->title, st_mult(sizeof(char *), r->nr_title + 1));
	r->title[r->nr_title++] = xstrdup(scalar(n));
	return 0;
}

static int add_guilty_from(struct loader *ld, yaml_node_t *n, void *data)
{
	struct kt_rule *r = data;

	(void)ld;
	r->guilty_from = xrealloc(r->guilty_from, st_mult(sizeof(char *),
				  r->nr_guilty_from + 1));
	r->guilty_from[r->nr_guilty_from++] = xstrdup(scalar(n));
	return 0;
}

static int add_keep_field(struct loader *ld, yaml_node_t *n, void *data)
{
	struct kt_rule *r = data;

	(void)ld;
	r->keep_fields = xrealloc(r->keep_fields, st_mult(sizeof(char *),
				  r->nr_keep_fields + 1));
	r->keep_fields[r->nr_keep_fields++] = xstrdup(scalar(n));
	return 0;
}

static int add_example(struct loader *ld, yaml_node_t *n, void *data)
{
	struct kt_rule *r = data;

	(void)ld;
	r->example = xrealloc(r->example, st_mult(sizeof(char *),
			      r->nr_example + 1));
	r->example[r->nr_example++] = xstrdup(scalar(n));
	return 0;
}

static int add_prog(struct loader *ld, yaml_node_t *n, void *data)
{
	struct kt_rule *r = data;

	(void)ld;
	r->progs = xrealloc(r->progs, st_mult(sizeof(*r->progs),
					      r->nr_progs + 1));
	r->progs[r->nr_progs++] = xstrdup(scalar(n));
	return 0;
}

static int parse_set(struct loader *ld, struct kt_rule *r, yaml_node_t *v)
{
	yaml_node_pair_t *p;

	if (v->type != YAML_MAPPING_NODE)
		return failn(ld, v, "'set' must be a map of field: value");
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(node(ld, p->key));
		const char *val = scalar(node(ld, p->value));

		if (!k || !val)
			return failn(ld, node(ld, p->key),
				     "'set' entries must be field: scalar");
		r->set = xrealloc(r->set, st_mult(sizeof(*r->set),
						  r->nr_set + 1));
		r->set[r->nr_set].field = kt_ruleset_field(ld->rs, k);
		r->set[r->nr_set].value = xstrdup(val);
		r->nr_set++;
	}
	return 0;
}

static int parse_collect(struct loader *ld, struct kt_rule *r,
			 yaml_node_t *v)
{
	struct kt_rule_collect *c;
	yaml_node_pair_t *p;
	const char *sort_by = NULL;
	int keep = 16;

	if (v->type != YAML_MAPPING_NODE)
		return failn(ld, v, "'collect' must be a map");
	/* a repeated key replaces the earlier one, as for strings */
	collect_free(r->collect);
	c = xcalloc(1, sizeof(*c));
	c->into = KT_NO_FIELD;
	c->value = KT_NO_FIELD;
	c->sort_by = -1;
	r->collect = c;
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = node(ld, p->key), *vn = node(ld, p->value);
		const char *k = scalar(kn);

		if (!k)
			return failn(ld, kn, "'collect' keys must be strings");
		if (!strcmp(k, "into") && scalar(vn)) {
			c->into = kt_ruleset_field(ld->rs, scalar(vn));
		} else if (!strcmp(k, "value") && scalar(vn)) {
			c->value = kt_ruleset_field(ld->rs, scalar(vn));
		} else if (!strcmp(k, "sort_by") && scalar(vn)) {
			sort_by = scalar(vn);
		} else if (!strcmp(k, "keep")) {
			if (get_int(ld, vn, "keep", 1, 64, &keep))
				return KT_ERR_RULES;
		} else if (!strcmp(k, "item") &&
			   vn->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *q;

			for (q = vn->data.mapping.pairs.start;
			     q < vn->data.mapping.pairs.top; q++) {
				const char *ik = scalar(node(ld, q->key));
				const char *iv = scalar(node(ld, q->value));
				struct kt_collect_key *ck;

				if (!ik || !iv)
					return failn(ld, node(ld, q->key),
						     "'item' entries must be key: group");
				c->item = xrealloc(c->item,
						   st_mult(sizeof(*c->item),
							   c->nr_item + 1));
				ck = &c->item[c->nr_item++];
				ck->key = xstrdup(ik);
				ck->field = kt_ruleset_field(ld->rs, iv);
				ck->is_int = false;
			}
		} else {
			return failn(ld, kn, "unknown or malformed 'collect' key '%s'",
				     k);
		}
	}
	if (c->into == KT_NO_FIELD)
		return failn(ld, v, "'collect' needs 'into'");
	if ((c->value == KT_NO_FIELD) == (c->nr_item == 0))
		return failn(ld, v, "'collect' needs exactly one of 'value' or 'item'");
	if (sort_by) {
		size_t i;

		for (i = 0; i < c->nr_item; i++)
			if (!strcmp(c->item[i].key, sort_by))
				c->sort_by = (int)i;
		if (c->sort_by < 0)
			return failn(ld, v, "'sort_by' names no item key '%s'",
				     sort_by);
	}
	c->keep = (unsigned)keep;
	ld->rs->field[c->into].type = c->nr_item ? KT_FIELD_OBJECTS :
					KT_FIELD_LIST;
	return 0;
}

static int parse_process(struct loader *ld, struct kt_rule *r, yaml_node_t *v)
{
	yaml_node_pair_t *p;

	if (v->type != YAML_MAPPING_NODE)
		return failn(ld, v, "'process' must be a map with pid and comm");
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(node(ld, p->key));
		const char *val = scalar(node(ld, p->value));

		if (k && val && !strcmp(k, "pid"))
			r->proc_pid = kt_ruleset_field(ld->rs, val);
		else if (k && val && !strcmp(k, "comm"))
			r->proc_comm = kt_ruleset_field(ld->rs, val);
		else
			return failn(ld, node(ld, p->key),
				     "'process' keys are pid and comm");
	}
	return 0;
}

static int compile_rule(struct loader *ld, struct kt_rule *r, yaml_node_t *n)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int err;
	uint32_t count, i, nnames, esize;
	PCRE2_SPTR table;

	r->re = pcre2_compile((PCRE2_SPTR)r->match, PCRE2_ZERO_TERMINATED,
			      PCRE2_DUPNAMES, &err, &off, NULL);
	if (!r->re) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		return failn(ld, n, "rule '%s': bad pattern at offset %zu: %s",
			     r->id, (size_t)off, (char *)msg);
	}
	pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &count);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMECOUNT, &nnames);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMETABLE, &table);
	r->nr_groups = count + 1;
	r->group_field = xmalloc(st_mult(sizeof(uint16_t), r->nr_groups));
	for (i = 0; i < r->nr_groups; i++)
		r->group_field[i] = KT_NO_FIELD;
	for (i = 0; i < nnames; i++) {
		const unsigned char *e = table + (size_t)i * esize;
		unsigned g = (unsigned)(e[0] << 8 | e[1]);

		if (g < r->nr_groups)
			r->group_field[g] =
				kt_ruleset_field(ld->rs, (const char *)e + 2);
	}
	return 0;
}

static struct kt_rule *rule_slot(struct kt_ruleset *rs, const char *id,
				 bool *replaced)
{
	size_t i;

	for (i = 0; i < rs->nr_rules; i++)
		if (!strcmp(rs->rule[i].id, id)) {
			rule_release(&rs->rule[i]);
			*replaced = true;
			return &rs->rule[i];
		}
	*replaced = false;
	ALLOC_GROW(rs->rule, rs->nr_rules + 1, rs->alloc_rules);
	memset(&rs->rule[rs->nr_rules], 0, sizeof(rs->rule[0]));
	return &rs->rule[rs->nr_rules++];
}

static void rule_remove(struct kt_ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->nr_rules; i++)
		if (!strcmp(rs->rule[i].id, id)) {
			rule_release(&rs->rule[i]);
			memmove(&rs->rule[i], &rs->rule[i + 1],
				(rs->nr_rules - i - 1) * sizeof(rs->rule[0]));
			rs->nr_rules--;
			return;
		}
}

static bool typed_role(enum kt_role r)
{
	return r == KT_ROLE_HEAD || r == KT_ROLE_LINE;
}

static int parse_rule(struct loader *ld, yaml_node_t *n)
{
	struct kt_rule tmp, *r;
	yaml_node_pair_t *p;
	const char *role = NULL, *sev = NULL, *from = "kernel";
	const char *section = NULL;
	yaml_node_t *type_node = NULL, *match_node = n;
	bool disabled = false, replaced;
	int rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return failn(ld, n, "a rule must be a map");
	memset(&tmp, 0, sizeof(tmp));
	tmp.type = KT_NO_TYPE;
	tmp.proc_pid = KT_NO_FIELD;
	tmp.proc_comm = KT_NO_FIELD;
	tmp.line = (int)n->start_mark.line + 1;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = node(ld, p->key), *v = node(ld, p->value);
		const char *k = scalar(kn);

		if (!k) {
			rc = failn(ld, kn, "rule keys must be strings");
		} else if (!strcmp(k, "id")) {
			rc = get_string(ld, v, k, &tmp.id);
		} else if (!strcmp(k, "type")) {
			type_node = v;
			if (!scalar(v))
				rc = failn(ld, v, "'type' must be a string");
			else
				rc = intern_type(ld, v, scalar(v), &tmp.type);
		} else if (!strcmp(k, "subtype")) {
			rc = get_string(ld, v, k, &tmp.subtype);
		} else if (!strcmp(k, "severity")) {
			sev = scalar(v);
			if (!sev)
				rc = failn(ld, v, "'severity' must be a string");
		} else if (!strcmp(k, "role")) {
			role = scalar(v);
			if (!role)
				rc = failn(ld, v, "'role' must be a string");
		} else if (!strcmp(k, "priority")) {
			rc = get_int(ld, v, k, -1000, 1000, &tmp.priority);
		} else if (!strcmp(k, "match")) {
			match_node = v;
			rc = get_string(ld, v, k, &tmp.match);
		} else if (!strcmp(k, "prefilter")) {
			rc = get_string(ld, v, k, &tmp.prefilter);
		} else if (!strcmp(k, "from")) {
			from = scalar(v);
			if (!from)
				rc = failn(ld, v, "'from' must be a string");
		} else if (!strcmp(k, "prog")) {
			rc = for_each_scalar(ld, v, k, add_prog, &tmp);
		} else if (!strcmp(k, "within")) {
			rc = for_each_scalar(ld, v, k, add_within, &tmp);
		} else if (!strcmp(k, "join")) {
			rc = for_each_scalar(ld, v, k, add_type_bit, &tmp.join);
		} else if (!strcmp(k, "join_key")) {
			rc = get_string(ld, v, k, &tmp.join_key);
		} else if (!strcmp(k, "guilty_from")) {
			rc = for_each_scalar(ld, v, k, add_guilty_from, &tmp);
		} else if (!strcmp(k, "keep_fields")) {
			rc = for_each_scalar(ld, v, k, add_keep_field, &tmp);
		} else if (!strcmp(k, "guilty")) {
			const char *g = scalar(v);

			if (g && !strcmp(g, "stall"))
				tmp.guilty_stall = true;
			else if (!g || strcmp(g, "first"))
				rc = failn(ld, v, "'guilty' must be first or stall");
		} else if (!strcmp(k, "join_trace")) {
			rc = get_bool(ld, v, k, &tmp.join_trace);
		} else if (!strcmp(k, "title")) {
			rc = for_each_scalar(ld, v, k, add_title, &tmp);
		} else if (!strcmp(k, "description")) {
			rc = get_string(ld, v, k, &tmp.description);
		} else if (!strcmp(k, "set")) {
			rc = parse_set(ld, &tmp, v);
		} else if (!strcmp(k, "collect")) {
			rc = parse_collect(ld, &tmp, v);
		} else if (!strcmp(k, "section")) {
			section = scalar(v);
			if (!section)
				rc = failn(ld, v, "'section' must be main, aux or restart");
		} else if (!strcmp(k, "phase")) {
			rc = get_int(ld, v, k, 0, 100, &tmp.phase);
		} else if (!strcmp(k, "hold")) {
			rc = get_bool(ld, v, k, &tmp.hold);
		} else if (!strcmp(k, "process")) {
			rc = parse_process(ld, &tmp, v);
		} else if (!strcmp(k, "disabled")) {
			rc = get_bool(ld, v, k, &disabled);
		} else if (!strcmp(k, "examples")) {
			/* documentation, and checked by `rules check` */
			rc = for_each_scalar(ld, v, k, add_example, &tmp);
		} else {
			rc = failn(ld, kn, "unknown rule key '%s'", k);
		}
		if (rc)
			goto fail;
	}
	if (!tmp.id) {
		rc = failn(ld, n, "rule without 'id'");
		goto fail;
	}
	if (disabled) {
		rule_remove(ld->rs, tmp.id);
		rule_release(&tmp);
		return 0;
	}
	if (!role) {
		rc = failn(ld, n, "rule '%s' has no 'role'", tmp.id);
		goto fail;
	}
	for (tmp.role = 0; tmp.role < KT_ROLE_NR; tmp.role++)
		if (!strcmp(role, role_names[tmp.role]))
			break;
	if (tmp.role == KT_ROLE_NR) {
		rc = failn(ld, n, "rule '%s': unknown role '%s'", tmp.id, role);
		goto fail;
	}
	if (!tmp.match) {
		rc = failn(ld, n, "rule '%s' has no 'match'", tmp.id);
		goto fail;
	}
	if (typed_role(tmp.role)) {
		if (tmp.type == KT_NO_TYPE || !tmp.subtype || !sev ||
		    !tmp.nr_title) {
			rc = failn(ld, n, "rule '%s': a %s rule needs type, subtype, severity and title",
				   tmp.id, role);
			goto fail;
		}
	} else if (type_node) {
		rc = failn(ld, type_node, "rule '%s': a %s rule has no type",
			   tmp.id, role);
		goto fail;
	}
	if (sev) {
		for (tmp.severity = 0; tmp.severity <= KT_SEV_CRITICAL;
		     tmp.severity++)
			if (!strcmp(sev, severity_names[tmp.severity]))
				break;
		if (tmp.severity > KT_SEV_CRITICAL) {
			rc = failn(ld, n, "rule '%s': severity must be minor, major or critical",
				   tmp.id);
			goto fail;
		}
	}
	if (!strcmp(from, "kernel"))
		tmp.from = KT_FROM_KERNEL;
	else if (!strcmp(from, "user"))
		tmp.from = KT_FROM_USER;
	else if (!strcmp(from, "any"))
		tmp.from = KT_FROM_KERNEL | KT_FROM_USER;
	else {
		rc = failn(ld, n, "rule '%s': 'from' must be kernel, user or any",
			   tmp.id);
		goto fail;
	}
	if (tmp.nr_progs)
		tmp.from |= KT_FROM_USER;
	if (section) {
		if (tmp.role != KT_ROLE_SECTION && tmp.role != KT_ROLE_HEAD) {
			rc = failn(ld, n, "rule '%s': only section and head rules take 'section'",
				   tmp.id);
			goto fail;
		}
		if (!strcmp(section, "main"))
			tmp.section = KT_SECTION_MAIN;
		else if (!strcmp(section, "aux"))
			tmp.section = KT_SECTION_AUX;
		else if (!strcmp(section, "restart"))
			tmp.section = KT_SECTION_RESTART;
		else {
			rc = failn(ld, n, "rule '%s': section must be main, aux or restart",
				   tmp.id);
			goto fail;
		}
	} else if (tmp.role == KT_ROLE_SECTION) {
		tmp.section = KT_SECTION_AUX;
	}
	rc = compile_rule(ld, &tmp, match_node);
	if (rc)
		goto fail;
	tmp.file = xstrdup(ld->name);
	r = rule_slot(ld->rs, tmp.id, &replaced);
	*r = tmp;
	return 0;
fail:
	rule_release(&tmp);
	return rc;
}

static int parse_fields(struct loader *ld, yaml_node_t *v)
{
	static const char *const names[] = { "str", "int", "bool" };
	yaml_node_pair_t *p;

	if (v->type != YAML_MAPPING_NODE)
		return failn(ld, v, "'fields' must be a map of name: str|int|bool");
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(node(ld, p->key));
		const char *t = scalar(node(ld, p->value));
		uint16_t f;
		size_t i;

		if (!k || !t)
			return failn(ld, node(ld, p->key),
				     "'fields' entries must be name: type");
		for (i = 0; i < KT_ARRAY_SIZE(names); i++)
			if (!strcmp(t, names[i]))
				break;
		if (i == KT_ARRAY_SIZE(names))
			return failn(ld, node(ld, p->value),
				     "field '%s': type must be str, int or bool",
				     k);
		f = kt_ruleset_field(ld->rs, k);
		ld->rs->field[f].type = (enum kt_field_type)i;
	}
	return 0;
}

static int parse_skip(struct loader *ld, yaml_node_t *v)
{
	yaml_node_item_t *it;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'guilty_skip' must be a list of groups");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *g = node(ld, *it);
		struct kt_skip_group sg = { NULL, NULL, 0 };
		struct kt_ruleset *rs = ld->rs;
		yaml_node_pair_t *p;

		if (g->type != YAML_MAPPING_NODE)
			return failn(ld, g, "a guilty_skip group must be a map");
		for (p = g->data.mapping.pairs.start;
		     p < g->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = node(ld, p->key);
			yaml_node_t *vn = node(ld, p->value);
			const char *k = scalar(kn);

			if (k && !strcmp(k, "comment") && scalar(vn)) {
				free(sg.comment);
				sg.comment = xstrdup(scalar(vn));
			} else if (k && !strcmp(k, "patterns") &&
				   vn->type == YAML_SEQUENCE_NODE) {
				yaml_node_item_t *q;

				for (q = vn->data.sequence.items.start;
				     q < vn->data.sequence.items.top; q++) {
					const char *s = scalar(node(ld, *q));

					if (!s)
						goto bad;
					sg.patterns = xrealloc(sg.patterns,
						st_mult(sizeof(char *),
							sg.nr + 1));
					sg.patterns[sg.nr++] = xstrdup(s);
				}
			} else {
bad:
				{
					size_t j;

					for (j = 0; j < sg.nr; j++)
						free(sg.patterns[j]);
					free(sg.patterns);
					free(sg.comment);
				}
				return failn(ld, kn, "a guilty_skip group has 'comment' and a list of 'patterns'");
			}
		}
		ALLOC_GROW(rs->skip, rs->nr_skip + 1, rs->alloc_skip);
		rs->skip[rs->nr_skip++] = sg;
	}
	return 0;
}

static int parse_links(struct loader *ld, yaml_node_t *v)
{
	struct kt_ruleset *rs = ld->rs;
	yaml_node_item_t *it;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'links' must be a list");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node(ld, *it);
		struct kt_link l = { NULL, NULL, NULL, NULL, 600 };
		yaml_node_pair_t *p;
		int rc = 0;

		if (n->type != YAML_MAPPING_NODE)
			return failn(ld, n, "a link is a map {id, effect, cause, ...}");
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top && !rc; p++) {
			yaml_node_t *kn = node(ld, p->key);
			yaml_node_t *vn = node(ld, p->value);
			const char *k = scalar(kn);

			if (k && !strcmp(k, "id"))
				rc = get_string(ld, vn, k, &l.id);
			else if (k && !strcmp(k, "effect"))
				rc = get_string(ld, vn, k, &l.effect);
			else if (k && !strcmp(k, "cause"))
				rc = get_string(ld, vn, k, &l.cause);
			else if (k && !strcmp(k, "same"))
				rc = get_string(ld, vn, k, &l.same);
			else if (k && !strcmp(k, "window_secs"))
				rc = get_int(ld, vn, k, 1, 86400,
					     &l.window_secs);
			else if (!k || strcmp(k, "description"))
				rc = failn(ld, kn, "unknown link key '%s'",
					   k ? k : "?");
		}
		if (!rc && (!l.id || !l.effect || !l.cause))
			rc = failn(ld, n, "a link needs id, effect and cause");
		if (rc) {
			free(l.id);
			free(l.effect);
			free(l.cause);
			free(l.same);
			return rc;
		}
		ALLOC_GROW(rs->link, rs->nr_link + 1, rs->alloc_link);
		rs->link[rs->nr_link++] = l;
	}
	return 0;
}

static int parse_rename(struct loader *ld, yaml_node_t *v)
{
	struct kt_ruleset *rs = ld->rs;
	yaml_node_item_t *it;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'guilty_rename' must be a list of {from, to}");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node(ld, *it);
		const char *from = NULL, *to = NULL;
		yaml_node_pair_t *p;
		PCRE2_UCHAR msg[256];
		PCRE2_SIZE off;
		struct kt_rename *r;
		int err;

		if (n->type != YAML_MAPPING_NODE)
			return failn(ld, n, "a guilty_rename entry is a map {from, to}");
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			const char *k = scalar(node(ld, p->key));
			const char *val = scalar(node(ld, p->value));

			if (k && val && !strcmp(k, "from"))
				from = val;
			else if (k && val && !strcmp(k, "to"))
				to = val;
			else
				return failn(ld, node(ld, p->key),
					     "a guilty_rename entry has 'from' and 'to'");
		}
		if (!from || !to)
			return failn(ld, n, "a guilty_rename entry needs 'from' and 'to'");
		ALLOC_GROW(rs->rename, rs->nr_rename + 1, rs->alloc_rename);
		r = &rs->rename[rs->nr_rename];
		r->re = pcre2_compile((PCRE2_SPTR)from, PCRE2_ZERO_TERMINATED,
				      0, &err, &off, NULL);
		if (!r->re) {
			pcre2_get_error_message(err, msg, sizeof(msg));
			return failn(ld, n, "guilty_rename: bad pattern at offset %zu: %s",
				     (size_t)off, (char *)msg);
		}
		r->from = xstrdup(from);
		r->to = xstrdup(to);
		rs->nr_rename++;
	}
	return 0;
}

static int parse_anchors(struct loader *ld, yaml_node_t *v)
{
	struct kt_ruleset *rs = ld->rs;
	yaml_node_item_t *it;

	if (v->type != YAML_SEQUENCE_NODE)
		return failn(ld, v, "'stall_anchors' must be a list of patterns");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = node(ld, *it);
		const char *pat = scalar(n), *name = NULL;
		struct kt_anchor *a;
		PCRE2_UCHAR msg[256];
		PCRE2_SIZE off;
		int err;

		if (!pat && n->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *p;

			for (p = n->data.mapping.pairs.start;
			     p < n->data.mapping.pairs.top; p++) {
				const char *k = scalar(node(ld, p->key));
				const char *val = scalar(node(ld, p->value));

				if (k && val && !strcmp(k, "match"))
					pat = val;
				else if (k && val && !strcmp(k, "name"))
					name = val;
				else
					return failn(ld, node(ld, p->key),
						     "a stall anchor is a pattern or {match, name}");
			}
		}
		if (!pat)
			return failn(ld, n, "a stall anchor is a pattern or {match, name}");
		ALLOC_GROW(rs->anchor, rs->nr_anchor + 1, rs->alloc_anchor);
		a = &rs->anchor[rs->nr_anchor];
		a->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0,
				      &err, &off, NULL);
		if (!a->re) {
			pcre2_get_error_message(err, msg, sizeof(msg));
			return failn(ld, n, "stall anchor: bad pattern at offset %zu: %s",
				     (size_t)off, (char *)msg);
		}
		a->pattern = xstrdup(pat);
		a->name = name ? xstrdup(name) : NULL;
		rs->nr_anchor++;
	}
	return 0;
}

/*
 * YAML escapes ("\0") can put a NUL into a string; everything here reads
 * strings up to their first NUL, so a pattern would silently end there.
 */
static int check_nul(struct loader *ld)
{
	yaml_node_t *n;

	for (n = ld->doc.nodes.start; n < ld->doc.nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE &&
		    memchr(n->data.scalar.value, '\0', n->data.scalar.length))
			return failn(ld, n, "strings must not hold NUL bytes");
	return 0;
}

int kt_ruleset_load_text(struct kt_ctx *ctx, struct kt_ruleset *rs,
			 const char *name, const char *text, size_t len)
{
	struct loader ld;
	yaml_parser_t parser;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	int rc = 0;

	memset(&ld, 0, sizeof(ld));
	ld.ctx = ctx;
	ld.rs = rs;
	ld.name = name;
	if (!yaml_parser_initialize(&parser))
		return kt_failf(ctx, KT_ERR_INTERNAL, "%s: cannot set up the YAML parser",
				name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	if (!yaml_parser_load(&parser, &ld.doc)) {
		rc = kt_failf(ctx, KT_ERR_RULES, "%s:%lu: %s", name,
			      (unsigned long)parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return rc;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&ld.doc);
	if (!root)
		goto out;	/* an empty file is an empty pack */
	if (root->type != YAML_MAPPING_NODE) {
		rc = failn(&ld, root, "a rule file is a map with 'rules', 'fields' or 'guilty_skip'");
		goto out;
	}
	rc = check_nul(&ld);
	for (p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *kn = node(&ld, p->key), *v = node(&ld, p->value);
		const char *k = scalar(kn);

		if (k && !strcmp(k, "fields")) {
			rc = parse_fields(&ld, v);
		} else if (k && !strcmp(k, "stall_anchors")) {
			rc = parse_anchors(&ld, v);
		} else if (k && !strcmp(k, "links")) {
			rc = parse_links(&ld, v);
		} else if (k && !strcmp(k, "guilty_rename")) {
			rc = parse_rename(&ld, v);
		} else if (k && !strcmp(k, "guilty_skip")) {
			rc = parse_skip(&ld, v);
		} else if (k && !strcmp(k, "rules")) {
			yaml_node_item_t *it;

			if (v->type != YAML_SEQUENCE_NODE) {
				rc = failn(&ld, v, "'rules' must be a list");
				break;
			}
			for (it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top && !rc; it++)
				rc = parse_rule(&ld, node(&ld, *it));
		} else {
			rc = failn(&ld, kn, "unknown top-level key '%s'",
				   k ? k : "?");
		}
	}
out:
	yaml_document_delete(&ld.doc);
	if (!rc)
		rs->nr_files++;
	return rc;
}

int kt_ruleset_load_default(struct kt_ctx *ctx, struct kt_ruleset *rs)
{
	const struct kt_embed_file *f;
	int rc;

	for (f = kt_embedded_rules; f->name; f++) {
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "rules/%s", f->name);
		rc = kt_ruleset_load_text(ctx, rs, name.buf, f->data, f->len);
		strbuf_release(&name);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_file(struct kt_ctx *ctx, struct kt_ruleset *rs,
		     const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc;

	if (!f)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", path,
				strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb.len + n > RULES_FILE_MAX) {
			fclose(f);
			strbuf_release(&sb);
			return kt_failf(ctx, KT_ERR_LIMIT, "cannot load '%s': larger than %d MiB",
					path, RULES_FILE_MAX >> 20);
		}
		strbuf_add(&sb, buf, n);
	}
	if (ferror(f)) {
		rc = kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s", path,
			      strerror(errno));
		fclose(f);
		strbuf_release(&sb);
		return rc;
	}
	fclose(f);
	rc = kt_ruleset_load_text(ctx, rs, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kt_ruleset_load_path(struct kt_ctx *ctx, struct kt_ruleset *rs,
			 const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	int rc = 0;

	if (stat(path, &st) < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", path,
				strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return load_file(ctx, rs, path);
	d = opendir(path);
	if (!d)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", path,
				strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 5 && !strcmp(de->d_name + len - 5, ".yaml")) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "%s/%s", path, de->d_name);
			ALLOC_GROW(names, nr + 1, alloc);
			names[nr++] = strbuf_detach(&sb, NULL);
		}
	}
	closedir(d);
	if (nr)	/* names is NULL for a folder without rule files */
		qsort(names, nr, sizeof(*names), cmp_str);
	for (i = 0; i < nr; i++) {
		if (!rc)
			rc = load_file(ctx, rs, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Does pat begin with ^ in every top-level alternative? */
static bool starts_anchored(const char *pat)
{
	const char *p;
	int depth = 0;

	if (*pat != '^')
		return false;
	for (p = pat; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '|' && !depth)
			return false;
	}
	return true;
}

/*
 * One PCRE2 pattern "(?:p1)|(?:p2)|..." from the patterns of groups that
 * are (anchored true) or are not anchored at the start.  Matching the two
 * alternations gives the answer of one made of all the patterns, much
 * faster: PCRE2 tries an alternation where every branch starts with ^ at
 * the first character only, and any other at every character.  (A
 * pattern classed wrongly costs speed, not correctness.)
 */
static int compile_alternation(struct kt_ctx *ctx, const char *what,
			       const struct kt_skip_group *groups,
			       size_t nr_groups, bool anchored, void **out)
{
	struct strbuf alt = STRBUF_INIT;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	size_t i, j;
	int err;

	pcre2_code_free(*out);
	*out = NULL;
	for (i = 0; i < nr_groups; i++)
		for (j = 0; j < groups[i].nr; j++)
			if (starts_anchored(groups[i].patterns[j]) ==
			    anchored)
				strbuf_addf(&alt, "%s(?:%s)",
					    alt.len ? "|" : "",
					    groups[i].patterns[j]);
	if (!alt.len) {
		strbuf_release(&alt);
		return 0;
	}
	*out = pcre2_compile((PCRE2_SPTR)alt.buf, alt.len, 0, &err, &off,
			     NULL);
	strbuf_release(&alt);
	if (!*out) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		return kt_failf(ctx, KT_ERR_RULES,
				"%s: bad pattern near offset %zu: %s", what,
				(size_t)off, (char *)msg);
	}
	pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
	return 0;
}

int kt_ruleset_finish(struct kt_ctx *ctx, struct kt_ruleset *rs)
{
	size_t i, j;
	int rc;

	for (i = 0; i < rs->nr_rules; i++) {
		struct kt_rule *r = &rs->rule[i];

		if (r->collect && r->collect->sort_by >= 0) {
			struct kt_collect_key *k =
				&r->collect->item[r->collect->sort_by];

			k->is_int = true;
		}
		if (r->collect)
			for (j = 0; j < r->collect->nr_item; j++)
				if (rs->field[r->collect->item[j].field].type ==
				    KT_FIELD_INT)
					r->collect->item[j].is_int = true;
	}
	/* the contract's reboot events exist whatever the pack says */
	if (kt_ruleset_type_find(rs, "reboot") == KT_NO_TYPE &&
	    rs->nr_types < KT_TYPES_MAX)
		rs->types[rs->nr_types++] = xstrdup("reboot");
	rc = compile_alternation(ctx, "guilty_skip", rs->skip, rs->nr_skip,
				 true, &rs->skip_re[0]);
	if (!rc)
		rc = compile_alternation(ctx, "guilty_skip", rs->skip,
					 rs->nr_skip, false, &rs->skip_re[1]);
	return rc;
}

static bool match_any(const void *re, const char *s, size_t len)
{
	pcre2_match_data *md;
	int rc;

	if (!re)
		return false;
	md = pcre2_match_data_create(1, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

bool kt_ruleset_skip_frame(const struct kt_ruleset *rs, const char *func,
			   size_t len)
{
	return match_any(rs->skip_re[0], func, len) ||
	       match_any(rs->skip_re[1], func, len);
}

const struct kt_anchor *kt_ruleset_anchor_frame(const struct kt_ruleset *rs,
						const char *func, size_t len)
{
	size_t i;

	for (i = 0; i < rs->nr_anchor; i++)
		if (match_any(rs->anchor[i].re, func, len))
			return &rs->anchor[i];
	return NULL;
}

int kt_ruleset_check_examples(struct kt_ctx *ctx, const struct kt_ruleset *rs,
			      struct strbuf *report)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	size_t i, j;
	int bad = 0;

	(void)ctx;
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];

		for (j = 0; j < r->nr_example; j++) {
			const char *ex = r->example[j];

			if (pcre2_match(r->re, (PCRE2_SPTR)ex, strlen(ex), 0, 0,
					md, NULL) >= 0)
				continue;
			strbuf_addf(report, "%s:%d: rule '%s': example does not match: '%s'\n",
				    r->file, r->line, r->id, ex);
			bad++;
		}
	}
	pcre2_match_data_free(md);
	return bad;
}

void kt_ruleset_rename(const struct kt_ruleset *rs, const char *func,
		       struct strbuf *out)
{
	size_t i, len = strlen(func);

	for (i = 0; i < rs->nr_rename; i++) {
		PCRE2_UCHAR buf[512];
		PCRE2_SIZE n = sizeof(buf);

		if (pcre2_substitute(rs->rename[i].re, (PCRE2_SPTR)func, len, 0,
				     0, NULL, NULL,
				     (PCRE2_SPTR)rs->rename[i].to,
				     PCRE2_ZERO_TERMINATED, buf, &n) > 0) {
			strbuf_add(out, buf, n);
			return;
		}
	}
	strbuf_add(out, func, len);
}
