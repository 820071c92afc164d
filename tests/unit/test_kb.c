/*
 * test_kb.c - unit tests of the report's knowledge base: the loader's
 * conditions and templates on small texts, and the shipped kb/ files
 * (they load, cover every type and subtype the rule pack can emit, use
 * only known facts, and pick their causes and actions on the evidence).
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "match/rules.h"
#include "output/kb.h"
#include <jansson.h>

#include <setjmp.h>
#include <cmocka.h>

/* ------------------------------------------------------------ helpers */

/* Loads one YAML text into a fresh kb; fails the test if it does not. */
static void load(struct kt_kb *kb, const char *yaml)
{
	struct kt_ctx ctx;

	kt_ctx_init(&ctx);
	kt_kb_init(kb);
	if (kt_kb_load_text(&ctx, kb, "test.yaml", yaml, strlen(yaml)))
		fail_msg("%s", ctx.err.buf);
	kt_ctx_release(&ctx);
}

static json_t *facts(const char *json)
{
	json_error_t err;
	json_t *f = json_loads(json, 0, &err);

	if (!f)
		fail_msg("bad test facts: %s", err.text);
	return f;
}

/* The first cause of the only entry of a one-entry kb. */
static bool when(const char *cond_yaml, const char *facts_json)
{
	struct strbuf y = STRBUF_INIT;
	struct kt_kb kb;
	json_t *f = facts(facts_json);
	bool r;

	strbuf_addf(&y, "entries:\n  - id: t\n    match: [t]\n"
		    "    meaning: { en: m, zh: m }\n"
		    "    causes:\n      - when: %s\n        en: c\n"
		    "        zh: c\n", cond_yaml);
	load(&kb, y.buf);
	assert_int_equal(kb.nr_entry, 1);
	assert_int_equal(kb.entry[0].nr_causes, 1);
	r = kt_kb_eval(kb.entry[0].causes[0].when, f);
	json_decref(f);
	kt_kb_release(&kb);
	strbuf_release(&y);
	return r;
}

/* ------------------------------------------------------------ loader */

static void test_conditions(void **state)
{
	(void)state;
	assert_true(when("{ count: { ge: 3 } }", "{\"count\": 3}"));
	assert_false(when("{ count: { gt: 3 } }", "{\"count\": 3}"));
	assert_false(when("{ count: { ge: 3 } }", "{}"));
	assert_true(when("{ not: { count: { ge: 3 } } }", "{}"));
	assert_true(when("{ caused: { contains: panic/hung_task } }",
			 "{\"caused\": [\"oom/oom_kill\", \"panic/hung_task\"]}"));
	assert_false(when("{ caused: { contains: panic/hung_task } }",
			  "{\"caused\": [\"panic/oom\"]}"));
	assert_true(when("{ guilty_func: { match: '^jbd2_' } }",
			 "{\"guilty_func\": \"jbd2_journal_commit_transaction\"}"));
	assert_true(when("{ any: [ { a: 1 }, { b: 1 } ], c: x }",
			 "{\"b\": 1, \"c\": \"x\"}"));
	assert_false(when("{ any: [ { a: 1 }, { b: 1 } ], c: x }",
			  "{\"b\": 1, \"c\": \"y\"}"));
	assert_true(when("{ top_rss_share: { ge: 0.5 } }",
			 "{\"top_rss_share\": 0.8}"));
	assert_true(when("{ guilty_module: { present: false } }", "{}"));
}

/*
 * Facts set by a rule's `set:` on a field the pack does not declare
 * bool (no_killable: 'true') are the strings "true" and "false"; a
 * condition written with a YAML boolean must still see them.
 */
static void test_bool_strings(void **state)
{
	(void)state;
	assert_true(when("{ no_killable: true }", "{\"no_killable\": \"true\"}"));
	assert_false(when("{ no_killable: true }",
			  "{\"no_killable\": \"false\"}"));
	assert_true(when("{ no_killable: false }",
			 "{\"no_killable\": \"false\"}"));
	assert_true(when("{ remounted_ro: 'true' }",
			 "{\"remounted_ro\": true}"));
	assert_true(when("{ remounted_ro: true }", "{\"remounted_ro\": true}"));
	assert_false(when("{ remounted_ro: true }",
			  "{\"remounted_ro\": false}"));
	assert_false(when("{ comm: true }", "{\"comm\": \"bash\"}"));
}

/*
 * Plain scalars that strtod reads as infinity or NaN ("inf", "nan")
 * have no JSON number: they are strings, not a missing value.
 */
static void test_nan_inf_scalars(void **state)
{
	(void)state;
	assert_true(when("{ comm: nan }", "{\"comm\": \"nan\"}"));
	assert_false(when("{ comm: inf }", "{\"comm\": \"bash\"}"));
	assert_true(when("{ comm: { ne: infinity } }", "{\"comm\": \"bash\"}"));
	assert_true(when("{ caused: { contains: nan } }",
			 "{\"caused\": [\"nan\"]}"));
}

static void render_is(const char *tpl, const char *facts_json,
		      const char *want)
{
	struct strbuf out = STRBUF_INIT;
	json_t *f = facts(facts_json);
	bool ok = kt_kb_render(tpl, f, &out);

	if (!want)
		assert_false(ok);
	else if (!ok || strcmp(out.buf, want))
		fail_msg("'%s' rendered '%s' (%s), want '%s'", tpl, out.buf,
			 ok ? "ok" : "incomplete", want);
	json_decref(f);
	strbuf_release(&out);
}

static void test_render(void **state)
{
	(void)state;
	render_is("{a} MiB", "{\"a\": 12}", "12 MiB");
	render_is("{a} MiB", "{}", NULL);
	render_is("x[ (pid {p})] y", "{}", "x y");
	render_is("x[ (pid {p})] y", "{\"p\": 7}", "x (pid 7) y");
	render_is("{d|the disk}", "{}", "the disk");
	render_is("{s}", "{\"s\": 0.83}", "0.8");
	render_is("{s}", "{\"s\": 3.0}", "3");
	render_is("{l}", "{\"l\": [\"a\", \"b\"]}", "a, b");
	render_is("\\{\\{.x}}", "{}", "{{.x}}");
	render_is("a \\[b]", "{}", "a [b]");
}

/*
 * Reals too large for a long long print as numbers, not as whatever
 * an out-of-range conversion happens to give.
 */
static void test_render_large_reals(void **state)
{
	(void)state;
	render_is("{x}", "{\"x\": 1e20}", "100000000000000000000");
	render_is("{x}", "{\"x\": -1e20}", "-100000000000000000000");
}

/*
 * A file is one YAML document: entries after a "---" are not silently
 * dropped, nor is a syntax error in them.
 */
static void test_one_document(void **state)
{
	static const char *const bad[] = {
		"entries: []\n---\nentries:\n  - id: lost\n",
		"messages: {}\n---\n[unclosed\n",
	};
	struct kt_ctx ctx;
	struct kt_kb kb;
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(bad); i++) {
		kt_ctx_init(&ctx);
		kt_kb_init(&kb);
		assert_int_equal(kt_kb_load_text(&ctx, &kb, "two.yaml", bad[i],
						 strlen(bad[i])), KT_ERR_KB);
		assert_non_null(strstr(ctx.err.buf, "two.yaml:"));
		kt_kb_release(&kb);
		kt_ctx_release(&ctx);
	}
	load(&kb, "entries: []\n...\n");
	kt_kb_release(&kb);
	load(&kb, "---\nentries: []\n");
	kt_kb_release(&kb);
}

/* ------------------------------------------------------------ kb/ files */

static struct kt_kb the_kb;
static struct kt_ruleset the_rules;


/*
 * The documented facts, "\nname\n" each: the backquoted names in the
 * tables of docs/REPORT.md's "Facts" section, and the field keys of
 * docs/EVENTS.md ("fields by type" and "What ktriage adds").  Read from
 * $KT_SRCDIR, which ctest sets.
 */
static struct strbuf documented = STRBUF_INIT;

static bool read_file(const char *path, struct strbuf *out)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	return true;
}

static bool fact_like(const char *p, size_t n, bool dots)
{
	size_t i;

	if (!n || p[0] < 'a' || p[0] > 'z')
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
		      (dots && p[i] == '.' && i + 1 < n && p[i + 1] != '.')))
			return false;
	return true;
}

/*
 * Adds the `names` of the lines of doc between the line starting with
 * from and the next line starting with to (NULL: the end); with
 * rows_only, only table rows count.
 */
static void collect(const char *doc, const char *from, const char *to,
		    bool rows_only, bool dots)
{
	const char *p = strstr(doc, from), *end, *q, *close;
	size_t n;

	assert_non_null(p);
	end = to ? strstr(p + strlen(from), to) : NULL;
	if (!end)
		end = p + strlen(p);
	for (; p < end; p = q + 1) {
		q = strchr(p, '\n');
		if (!q || q > end)
			q = end;
		if (rows_only && *p != '|')
			continue;
		for (close = p; (p = memchr(close, '`', (size_t)(q - close)));
		     close++) {
			close = memchr(p + 1, '`', (size_t)(q - p - 1));
			if (!close)
				break;
			/* `name` or `name: value` */
			n = strcspn(p + 1, ":`");
			if (p + 1 + n <= close &&
			    fact_like(p + 1, n, dots)) {
				strbuf_addch(&documented, '\n');
				strbuf_add(&documented, p + 1, n);
			}
		}
	}
}

static void load_documented(void)
{
	struct strbuf path = STRBUF_INIT, doc = STRBUF_INIT;
	const char *src = getenv("KT_SRCDIR");

	strbuf_addf(&path, "%s/docs/REPORT.md", src ? src : ".");
	if (!read_file(path.buf, &doc))
		fail_msg("cannot read '%s' (set KT_SRCDIR)", path.buf);
	collect(doc.buf, "\n## Facts", "\n## ", true, true);
	strbuf_reset(&path);
	strbuf_reset(&doc);
	strbuf_addf(&path, "%s/docs/EVENTS.md", src ? src : ".");
	if (!read_file(path.buf, &doc))
		fail_msg("cannot read '%s' (set KT_SRCDIR)", path.buf);
	collect(doc.buf, "\n### `fields` by type", "\n## ", false, false);
	collect(doc.buf, "\n## What ktriage adds", NULL, false, false);
	strbuf_addch(&documented, '\n');
	strbuf_release(&path);
	strbuf_release(&doc);
}

static bool known_fact(const char *name)
{
	struct strbuf w = STRBUF_INIT;
	bool r;

	if (!strncmp(name, "n.", 2) && name[2])
		return true;
	strbuf_addf(&w, "\n%s\n", name);
	r = strstr(documented.buf, w.buf) != NULL;
	strbuf_release(&w);
	return r || kt_ruleset_field_find(&the_rules, name) != KT_NO_FIELD;
}

static int setup(void **state)
{
	struct kt_ctx ctx;
	int rc;

	(void)state;
	kt_ctx_init(&ctx);
	kt_kb_init(&the_kb);
	kt_ruleset_init(&the_rules);
	rc = kt_kb_load_default(&ctx, &the_kb);
	if (rc)
		fprintf(stderr, "kb: %s\n", ctx.err.buf);
	if (!rc) {
		rc = kt_ruleset_load_default(&ctx, &the_rules);
		if (!rc)
			rc = kt_ruleset_finish(&ctx, &the_rules);
		if (rc)
			fprintf(stderr, "rules: %s\n", ctx.err.buf);
	}
	kt_ctx_release(&ctx);
	if (!rc)
		load_documented();
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	kt_kb_release(&the_kb);
	kt_ruleset_release(&the_rules);
	strbuf_release(&documented);
	return 0;
}

/*
 * Checks a template the way kt_kb_render() reads it: every {fact} is
 * known and closed, every [ has its ] and names a fact (else the part
 * always renders, without its brackets: a literal bracket is written
 * \[ or \]), and a ] outside any [ is escaped.  Appends the problems to
 * errs.
 */
static void check_template(const char *where, const char *tpl,
			   struct strbuf *errs)
{
	const char *p = tpl, *close;
	int depth = 0;
	unsigned facts = 0, outer = 0;	/* {facts} seen, before the '[' */

	if (!tpl)
		return;
	while (*p) {
		if (*p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		if (*p == '[') {
			if (!depth++)
				outer = facts;
		} else if (*p == ']') {
			if (!depth--)
				strbuf_addf(errs, "%s: stray ']' in '%s'\n",
					    where, tpl);
			else if (!depth && facts == outer)
				strbuf_addf(errs, "%s: '[...]' without a fact (a literal bracket is written \\[) in '%s'\n",
					    where, tpl);
		} else if (*p == '{') {
			facts++;
			struct strbuf name = STRBUF_INIT;
			size_t n;

			close = strchr(p, '}');
			if (!close) {
				strbuf_addf(errs, "%s: unclosed '{' in '%s'\n",
					    where, tpl);
				return;
			}
			if (memchr(p + 1, '{', (size_t)(close - p - 1)) ||
			    memchr(p + 1, '[', (size_t)(close - p - 1)))
				strbuf_addf(errs, "%s: '{' or '[' inside '{...}' in '%s'\n",
					    where, tpl);
			n = strcspn(p + 1, "|}");
			strbuf_add(&name, p + 1, n);
			if (!known_fact(name.buf))
				strbuf_addf(errs, "%s: unknown fact '%s'\n",
					    where, name.buf);
			strbuf_release(&name);
			p = close;
		}
		p++;
	}
	if (depth > 0)
		strbuf_addf(errs, "%s: unclosed '[' in '%s'\n", where, tpl);
}

/* Documented facts that are numbers or booleans, not strings. */
static const char *const scalar_facts[] = {
	"count", "boots", "span_hours", "pid", "victim_rss_mb", "top_rss_mb",
	"top_rss_share", "no_swap", "swap_exhausted", "is_memcg",
	"out_of_tree", "proprietary", "unsigned_module", "taint_died",
	"taint_warned", "gap_secs", "corrupted", "truncated_parts",
};

/* match and (on a string) contains only ever hold on strings and lists. */
static bool is_scalar_fact(const char *name)
{
	uint16_t f = kt_ruleset_field_find(&the_rules, name);
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(scalar_facts); i++)
		if (!strcmp(name, scalar_facts[i]))
			return true;
	return f != KT_NO_FIELD &&
	       (the_rules.field[f].type == KT_FIELD_INT ||
		the_rules.field[f].type == KT_FIELD_BOOL);
}

static void check_cond(const char *where, const struct kt_kb_cond *c,
		       struct strbuf *errs)
{
	size_t i;

	if (!c)
		return;
	if (c->kind == KT_KB_TEST && !known_fact(c->fact))
		strbuf_addf(errs, "%s: condition on unknown fact '%s'\n", where,
			    c->fact);
	if (c->kind == KT_KB_TEST &&
	    (c->test == KT_KB_MATCH || c->test == KT_KB_CONTAINS) &&
	    is_scalar_fact(c->fact))
		strbuf_addf(errs, "%s: '%s' never holds on '%s', a number or boolean\n",
			    where, c->test == KT_KB_MATCH ? "match" : "contains",
			    c->fact);
	for (i = 0; i < c->nr_sub; i++)
		check_cond(where, &c->sub[i], errs);
}

/* Chinese text has non-ASCII characters; English has no Chinese ones. */
static void check_text(const char *where, const struct kt_kb_text *t,
		       struct strbuf *errs)
{
	const char *p;
	bool wide = false;

	check_template(where, t->s[KT_LANG_EN], errs);
	check_template(where, t->s[KT_LANG_ZH], errs);
	for (p = t->s[KT_LANG_ZH]; p && *p; p++)
		wide |= (unsigned char)*p >= 0x80;
	if (!wide)
		strbuf_addf(errs, "%s: the zh text is not Chinese: '%s'\n",
			    where, t->s[KT_LANG_ZH]);
	/* CJK (U+3000-U+9FFF) or full-width forms (U+FF00-U+FF5F) */
	for (p = t->s[KT_LANG_EN]; p && *p; p++)
		if (((unsigned char)*p >= 0xe3 && (unsigned char)*p <= 0xe9) ||
		    ((unsigned char)*p == 0xef &&
		     ((unsigned char)p[1] == 0xbc ||
		      (unsigned char)p[1] == 0xbd))) {
			strbuf_addf(errs, "%s: the en text has '%.12s'\n",
				    where, p);
			break;
		}
}

static void check_items(const struct kt_kb_entry *e, const char *what,
			const struct kt_kb_item *it, size_t n,
			struct strbuf *errs)
{
	struct strbuf where = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < n; i++) {
		strbuf_reset(&where);
		strbuf_addf(&where, "%s:%d: %s %s[%zu]%s%s", e->file, e->line,
			    e->id, what, i, it[i].id ? " " : "",
			    it[i].id ? it[i].id : "");
		check_text(where.buf, &it[i].text, errs);
		check_cond(where.buf, it[i].when, errs);
		for (j = 0; j < it[i].nr_commands; j++)
			check_template(where.buf, it[i].commands[j], errs);
	}
	strbuf_release(&where);
}

static void test_default_loads(void **state)
{
	(void)state;
	assert_true(the_kb.nr_entry > 0);
}

/* Every fact a template or condition names is one the report knows. */
static void test_vocabulary(void **state)
{
	struct strbuf errs = STRBUF_INIT, where = STRBUF_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < the_kb.nr_entry; i++) {
		const struct kt_kb_entry *e = &the_kb.entry[i];

		strbuf_reset(&where);
		strbuf_addf(&where, "%s:%d: %s", e->file, e->line, e->id);
		check_text(where.buf, &e->meaning, &errs);
		check_items(e, "evidence", e->evidence, e->nr_evidence, &errs);
		check_items(e, "causes", e->causes, e->nr_causes, &errs);
		check_items(e, "actions", e->actions, e->nr_actions, &errs);
		for (j = 0; j < e->nr_alerts; j++)
			check_text(where.buf, &e->alerts[j].text, &errs);
	}
	if (errs.len)
		fail_msg("%s", errs.buf);
	strbuf_release(&errs);
	strbuf_release(&where);
}

static bool names(const struct kt_kb_entry *e, const char *match)
{
	size_t i;

	for (i = 0; i < e->nr_match; i++)
		if (!strcmp(e->match[i], match))
			return true;
	return false;
}

static void need(struct strbuf *want, const char *type, const char *sub)
{
	struct strbuf m = STRBUF_INIT;
	size_t i;

	strbuf_addf(&m, "%s/%s\n", type, sub);
	for (i = 0; i + m.len <= want->len; i++)
		if ((!i || want->buf[i - 1] == '\n') &&
		    !strncmp(want->buf + i, m.buf, m.len))
			break;
	if (i + m.len > want->len)
		strbuf_add(want, m.buf, m.len);
	strbuf_release(&m);
}

/*
 * Every type/subtype a rule can give an event has an entry naming it,
 * and every type has a type-level entry for subtypes added later.
 */
static void test_coverage(void **state)
{
	static const char *const reboots[] = { "first", "clean", "crash",
					       "unclean" };
	struct strbuf want = STRBUF_INIT, errs = STRBUF_INIT, all = STRBUF_INIT;
	const char *p, *nl;
	size_t i, j, k;

	(void)state;
	for (i = 0; i < the_rules.nr_rules; i++) {
		const struct kt_rule *r = &the_rules.rule[i];

		if (!r->subtype)
			continue;
		if (r->role == KT_ROLE_HEAD || r->role == KT_ROLE_LINE) {
			if (r->type != KT_NO_TYPE)
				need(&want, the_rules.types[r->type],
				     r->subtype);
			continue;
		}
		for (j = 0; j < the_rules.nr_types; j++)
			if ((r->within & (1ULL << j)) ||
			    (!r->within && !r->nr_within_sub))
				need(&want, the_rules.types[j], r->subtype);
		for (j = 0; j < r->nr_within_sub; j++) {
			struct strbuf t = STRBUF_INIT;

			strbuf_add(&t, r->within_sub[j],
				   strcspn(r->within_sub[j], "/"));
			need(&want, t.buf, r->subtype);
			strbuf_release(&t);
		}
	}
	for (i = 0; i < KT_ARRAY_SIZE(reboots); i++)
		need(&want, "reboot", reboots[i]);
	assert_true(want.len > 0);

	for (p = want.buf; *p; p = nl + 1) {
		struct strbuf m = STRBUF_INIT;
		size_t found = 0;

		nl = strchr(p, '\n');
		strbuf_add(&m, p, (size_t)(nl - p));
		for (k = 0; k < the_kb.nr_entry; k++)
			found += names(&the_kb.entry[k], m.buf);
		if (found != 1)
			strbuf_addf(&errs, "%s: named by %zu entries\n", m.buf,
				    found);
		m.buf[strcspn(m.buf, "/")] = '\0';
		for (found = 0, k = 0; k < the_kb.nr_entry; k++)
			found += names(&the_kb.entry[k], m.buf);
		if (found != 1)
			strbuf_addf(&errs, "%s: %zu type-level entries\n",
				    m.buf, found);
		strbuf_release(&m);
	}
	/* and every entry names only what the rules can emit (no typos) */
	strbuf_reset(&all);
	strbuf_addf(&all, "\n%s", want.buf);
	for (k = 0; k < the_kb.nr_entry; k++)
		for (j = 0; j < the_kb.entry[k].nr_match; j++) {
			const char *m = the_kb.entry[k].match[j];
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "\n%s%s", m, strchr(m, '/') ? "\n" : "/");
			if (!strstr(all.buf, w.buf))
				strbuf_addf(&errs, "%s: '%s' is no type or type/subtype of the rule pack\n",
					    the_kb.entry[k].id, m);
			strbuf_release(&w);
		}
	if (errs.len)
		fail_msg("%s", errs.buf);
	strbuf_release(&want);
	strbuf_release(&all);
	strbuf_release(&errs);
}

/*
 * Every entry carries its type's alert rules (one or two), on
 * ktriage's metrics and that type, with a `for:` and a severity.
 */
static void test_alerts(void **state)
{
	struct strbuf errs = STRBUF_INIT, sel = STRBUF_INIT;
	size_t i, j;

	(void)state;
	for (i = 0; i < the_kb.nr_entry; i++) {
		const struct kt_kb_entry *e = &the_kb.entry[i];
		size_t tlen = strcspn(e->match[0], "/");

		if (e->nr_alerts < 1 || e->nr_alerts > 2)
			strbuf_addf(&errs, "%s: %zu alerts\n", e->id,
				    e->nr_alerts);
		strbuf_reset(&sel);
		strbuf_addf(&sel, "type=\"%.*s\"", (int)tlen, e->match[0]);
		for (j = 0; j < e->nr_alerts; j++) {
			const struct kt_kb_alert *a = &e->alerts[j];

			if (!strstr(a->expr, "ktriage_") ||
			    !strstr(a->expr, sel.buf))
				strbuf_addf(&errs, "%s: %s: expr '%s' not on %s\n",
					    e->id, a->name, a->expr, sel.buf);
			if (!a->for_ || !a->severity ||
			    (strcmp(a->severity, "info") &&
			     strcmp(a->severity, "warning") &&
			     strcmp(a->severity, "critical")))
				strbuf_addf(&errs, "%s: %s: needs for and severity info|warning|critical\n",
					    e->id, a->name);
		}
	}
	if (errs.len)
		fail_msg("%s", errs.buf);
	strbuf_release(&errs);
	strbuf_release(&sel);
}

/*
 * Causes and actions that show whatever the evidence (no condition and
 * no fact they need) are generic advice: at most one per entry.
 */
static void test_generic_advice(void **state)
{
	struct strbuf errs = STRBUF_INIT, out = STRBUF_INIT;
	json_t *none = json_object();
	size_t i, j, n;

	(void)state;
	for (i = 0; i < the_kb.nr_entry; i++) {
		const struct kt_kb_entry *e = &the_kb.entry[i];
		const struct kt_kb_item *sets[] = { e->causes, e->actions };
		size_t nr[] = { e->nr_causes, e->nr_actions };
		size_t k;

		n = 0;
		for (k = 0; k < 2; k++)
			for (j = 0; j < nr[k]; j++) {
				strbuf_reset(&out);
				if (!sets[k][j].when &&
				    kt_kb_render(sets[k][j].text.s[KT_LANG_EN],
						 none, &out))
					n++;
			}
		if (n > 1)
			strbuf_addf(&errs, "%s:%d: %s: %zu items whatever the evidence\n",
				    e->file, e->line, e->id, n);
	}
	if (errs.len)
		fail_msg("%s", errs.buf);
	json_decref(none);
	strbuf_release(&errs);
	strbuf_release(&out);
}

/* A meaning always renders: every fact it names is optional or has a fallback. */
static void test_meaning_renders(void **state)
{
	struct strbuf errs = STRBUF_INIT, out = STRBUF_INIT;
	json_t *none = json_object();
	size_t i;
	int l;

	(void)state;
	for (i = 0; i < the_kb.nr_entry; i++)
		for (l = 0; l < KT_LANG_NR; l++) {
			strbuf_reset(&out);
			if (!kt_kb_render(the_kb.entry[i].meaning.s[l], none,
					  &out))
				strbuf_addf(&errs, "%s: the %s meaning needs a fact\n",
					    the_kb.entry[i].id,
					    kt_lang_name((enum kt_lang)l));
		}
	if (errs.len)
		fail_msg("%s", errs.buf);
	json_decref(none);
	strbuf_release(&errs);
	strbuf_release(&out);
}

/* ------------------------------------------------------------ evidence */

static const struct kt_kb_item *item(const struct kt_kb_item *it, size_t n,
				     const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (it[i].id && !strcmp(it[i].id, id))
			return &it[i];
	fail_msg("no item '%s'", id);
	return NULL;
}

static const struct kt_kb_entry *entry(const char *type, const char *sub)
{
	const struct kt_kb_entry *e = kt_kb_find(&the_kb, type, sub);

	if (!e)
		fail_msg("no entry for %s/%s", type, sub);
	return e;
}

/* Renders an item in lang; NULL when a required fact is missing. */
static char *say(const struct kt_kb_item *it, enum kt_lang lang,
		 const json_t *f)
{
	struct strbuf out = STRBUF_INIT;

	if (!kt_kb_render(it->text.s[lang], f, &out)) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

/* The ids of the items whose condition holds and whose text renders. */
static void selected(const struct kt_kb_item *it, size_t n, const json_t *f,
		     struct strbuf *ids)
{
	size_t i;

	strbuf_reset(ids);
	for (i = 0; i < n; i++) {
		char *en, *zh;

		if (!kt_kb_eval(it[i].when, f))
			continue;
		en = say(&it[i], KT_LANG_EN, f);
		zh = say(&it[i], KT_LANG_ZH, f);
		if (en && zh)
			strbuf_addf(ids, " %s", it[i].id ? it[i].id : "-");
		free(en);
		free(zh);
	}
	strbuf_addch(ids, ' ');
}

static bool has(const struct strbuf *ids, const char *id)
{
	struct strbuf w = STRBUF_INIT;
	bool r;

	strbuf_addf(&w, " %s ", id);
	r = strstr(ids->buf, w.buf) != NULL;
	strbuf_release(&w);
	return r;
}

static void test_oom_one_hog(void **state)
{
	const struct kt_kb_entry *e = entry("oom", "oom_kill");
	json_t *hog = facts("{\"type\": \"oom\", \"subtype\": \"oom_kill\","
		" \"count\": 1, \"victim_comm\": \"stream_convert\","
		" \"victim_pid\": 30002, \"victim_rss_mb\": 23464,"
		" \"oom_score_adj\": 0, \"top_rss_comm\": \"stream_convert\","
		" \"top_rss_mb\": 23464, \"top_rss_share\": 0.8,"
		" \"no_swap\": true, \"total_swap_kb\": 0}");
	json_t *spread = facts("{\"type\": \"oom\", \"subtype\": \"oom_kill\","
		" \"count\": 1, \"victim_comm\": \"java\", \"victim_pid\": 7,"
		" \"top_rss_comm\": \"java\", \"top_rss_mb\": 900,"
		" \"top_rss_share\": 0.2, \"no_swap\": false,"
		" \"total_swap_kb\": 4194304, \"free_swap_kb\": 1000}");
	struct strbuf ids = STRBUF_INIT;
	char *text;

	(void)state;
	selected(e->causes, e->nr_causes, hog, &ids);
	assert_true(has(&ids, "one_hog"));
	assert_true(has(&ids, "no_swap"));
	assert_false(has(&ids, "recurring"));
	text = say(item(e->causes, e->nr_causes, "one_hog"), KT_LANG_EN, hog);
	assert_non_null(text);
	assert_non_null(strstr(text, "stream_convert"));
	assert_non_null(strstr(text, "23464 MiB"));
	free(text);
	selected(e->actions, e->nr_actions, hog, &ids);
	assert_true(has(&ids, "inspect_hog"));
	assert_true(has(&ids, "add_swap"));

	selected(e->causes, e->nr_causes, spread, &ids);
	assert_false(has(&ids, "one_hog"));
	assert_false(has(&ids, "no_swap"));
	selected(e->actions, e->nr_actions, spread, &ids);
	assert_false(has(&ids, "inspect_hog"));
	assert_false(has(&ids, "add_swap"));
	json_decref(hog);
	json_decref(spread);
	strbuf_release(&ids);
}

static void test_oom_memcg(void **state)
{
	const struct kt_kb_entry *e = entry("oom", "cgroup_oom");
	json_t *f = facts("{\"memcg\": \"/kubepods/burstable/pod1/c1\","
		" \"is_memcg\": true, \"victim_comm\": \"java\","
		" \"victim_pid\": 9}");
	struct strbuf ids = STRBUF_INIT;
	char *cmd;

	(void)state;
	selected(e->causes, e->nr_causes, f, &ids);
	assert_true(has(&ids, "kubernetes"));
	assert_false(has(&ids, "systemd_unit"));
	selected(e->actions, e->nr_actions, f, &ids);
	assert_true(has(&ids, "check_limits"));
	assert_true(has(&ids, "check_pod"));
	assert_false(has(&ids, "check_unit"));
	{
		struct strbuf out = STRBUF_INIT;
		const struct kt_kb_item *it =
			item(e->actions, e->nr_actions, "check_limits");

		assert_true(kt_kb_render(it->commands[0], f, &out));
		cmd = strbuf_detach(&out, NULL);
	}
	assert_non_null(strstr(cmd, "/sys/fs/cgroup/kubepods/burstable/pod1/c1/memory.max"));
	free(cmd);
	json_decref(f);
	strbuf_release(&ids);
}

/* Renders command i of an item on f; fails the test when it does not. */
static char *command(const struct kt_kb_item *it, size_t i, const json_t *f)
{
	struct strbuf out = STRBUF_INIT;

	assert_true(i < it->nr_commands);
	assert_true(kt_kb_render(it->commands[i], f, &out));
	return strbuf_detach(&out, NULL);
}

/* A panic in a third-party module names it, its taint and modinfo. */
static void test_panic_module(void **state)
{
	const struct kt_kb_entry *e = entry("panic", "fatal_exception");
	json_t *lustre = facts("{\"reason\": \"Fatal exception\","
		" \"caused_by\": [\"oops/gpf\"], \"guilty_func\": \"lock_matches\","
		" \"guilty_module\": \"ptlrpc\", \"out_of_tree\": true,"
		" \"taint_flags\": \"GOE\", \"kernel\": \"3.10.0-957.el7.x86_64\","
		" \"crash_dump\": true, \"count\": 1}");
	json_t *intree = facts("{\"reason\": \"Fatal exception in interrupt\","
		" \"guilty_func\": \"ixgbe_clean_rx_irq\","
		" \"guilty_module\": \"ixgbe\", \"out_of_tree\": false,"
		" \"taint_flags\": \"G\", \"count\": 1}");
	struct strbuf ids = STRBUF_INIT;
	char *text;

	(void)state;
	selected(e->causes, e->nr_causes, lustre, &ids);
	assert_true(has(&ids, "from_oops"));
	assert_true(has(&ids, "panic_on_oops"));
	assert_true(has(&ids, "third_party_module"));
	assert_false(has(&ids, "in_interrupt"));
	selected(e->actions, e->nr_actions, lustre, &ids);
	assert_true(has(&ids, "third_party_module"));
	assert_true(has(&ids, "analyse_vmcore"));
	assert_false(has(&ids, "find_dump"));
	text = say(item(e->actions, e->nr_actions, "third_party_module"),
		   KT_LANG_ZH, lustre);
	assert_non_null(strstr(text, "ptlrpc"));
	assert_non_null(strstr(text, "GOE"));
	free(text);
	text = command(item(e->actions, e->nr_actions, "third_party_module"),
		       0, lustre);
	assert_string_equal(text, "modinfo ptlrpc");
	free(text);
	text = command(item(e->actions, e->nr_actions, "analyse_vmcore"), 1,
		       lustre);
	assert_non_null(strstr(text, "/usr/lib/debug/lib/modules/3.10.0-957.el7.x86_64/vmlinux"));
	free(text);

	selected(e->causes, e->nr_causes, intree, &ids);
	assert_true(has(&ids, "in_interrupt"));
	assert_false(has(&ids, "panic_on_oops"));
	assert_false(has(&ids, "third_party_module"));
	selected(e->actions, e->nr_actions, intree, &ids);
	assert_false(has(&ids, "third_party_module"));
	assert_true(has(&ids, "find_dump"));
	json_decref(lustre);
	json_decref(intree);
	strbuf_release(&ids);
}

/* Seed 004: khugepaged blocked, hung_task_panic, kernel.panic=5. */
static void test_hung_task_panic(void **state)
{
	const struct kt_kb_entry *e = entry("deadlock", "hung_task");
	json_t *seed = facts("{\"comm\": \"khugepaged\", \"pid\": 63,"
		" \"blocked_secs\": 120, \"guilty_func\": \"khugepaged\","
		" \"caused\": [\"panic/hung_task\"], \"count\": 1}");
	json_t *local = facts("{\"comm\": \"mysqld\", \"pid\": 4242,"
		" \"blocked_secs\": 120,"
		" \"guilty_func\": \"jbd2_log_wait_commit\", \"count\": 1,"
		" \"config.kernel.hung_task_panic\": 1,"
		" \"config.kernel.hung_task_timeout_secs\": 120,"
		" \"config.kernel.panic\": 5}");
	json_t *quiet = facts("{\"comm\": \"mysqld\", \"pid\": 4242,"
		" \"blocked_secs\": 120,"
		" \"guilty_func\": \"jbd2_log_wait_commit\", \"count\": 1,"
		" \"config.kernel.hung_task_panic\": 0}");
	struct strbuf ids = STRBUF_INIT;
	char *text;

	(void)state;
	selected(e->causes, e->nr_causes, seed, &ids);
	assert_true(has(&ids, "hung_task_panic"));
	assert_true(has(&ids, "khugepaged"));
	assert_true(has(&ids, "memory"));
	assert_false(has(&ids, "storage"));
	selected(e->actions, e->nr_actions, seed, &ids);
	assert_true(has(&ids, "hung_task_tradeoff"));
	assert_true(has(&ids, "update_kernel"));
	assert_false(has(&ids, "check_storage"));

	selected(e->causes, e->nr_causes, local, &ids);
	assert_true(has(&ids, "hung_task_panic"));
	assert_true(has(&ids, "storage"));
	assert_false(has(&ids, "khugepaged"));
	text = say(item(e->causes, e->nr_causes, "hung_task_panic"),
		   KT_LANG_EN, local);
	assert_non_null(strstr(text, "after 120 s"));
	assert_non_null(strstr(text, "kernel.panic=5"));
	free(text);
	selected(e->actions, e->nr_actions, local, &ids);
	assert_true(has(&ids, "check_storage"));
	assert_true(has(&ids, "hung_task_tradeoff"));

	selected(e->causes, e->nr_causes, quiet, &ids);
	assert_false(has(&ids, "hung_task_panic"));
	selected(e->actions, e->nr_actions, quiet, &ids);
	assert_false(has(&ids, "hung_task_tradeoff"));
	json_decref(seed);
	json_decref(local);
	json_decref(quiet);
	strbuf_release(&ids);
}

/* A file system on a failing disk: the disk first, no fsck. */
static void test_fs_disk_first(void **state)
{
	const struct kt_kb_entry *e = entry("fs_error", "ext4_error");
	json_t *io = facts("{\"fs\": \"ext4\", \"device\": \"sdb1\","
		" \"function\": \"ext4_find_entry\","
		" \"detail\": \"reading directory lblock 0\","
		" \"caused_by\": [\"io_error/medium_error\"], \"count\": 1}");
	json_t *corrupt = facts("{\"fs\": \"ext4\", \"device\": \"sdb1\","
		" \"function\": \"ext4_mb_generate_buddy\","
		" \"detail\": \"block bitmap and bg descriptor inconsistent\","
		" \"count\": 1}");
	const struct kt_kb_item *disk, *fsck;
	struct strbuf ids = STRBUF_INIT;
	char *cmd;

	(void)state;
	disk = item(e->actions, e->nr_actions, "check_disk_first");
	fsck = item(e->actions, e->nr_actions, "fsck_offline");
	assert_true(disk->priority > fsck->priority);
	selected(e->causes, e->nr_causes, io, &ids);
	assert_true(has(&ids, "device_failed"));
	assert_false(has(&ids, "metadata_corruption"));
	selected(e->actions, e->nr_actions, io, &ids);
	assert_true(has(&ids, "check_disk_first"));
	assert_false(has(&ids, "fsck_offline"));
	cmd = command(disk, 0, io);
	assert_string_equal(cmd, "lsblk -s /dev/sdb1");
	free(cmd);

	selected(e->causes, e->nr_causes, corrupt, &ids);
	assert_true(has(&ids, "metadata_corruption"));
	assert_false(has(&ids, "device_failed"));
	selected(e->actions, e->nr_actions, corrupt, &ids);
	assert_true(has(&ids, "fsck_offline"));
	assert_false(has(&ids, "check_disk_first"));
	cmd = command(fsck, 1, corrupt);
	assert_string_equal(cmd, "umount /dev/sdb1 && e2fsck -fn /dev/sdb1");
	free(cmd);
	json_decref(io);
	json_decref(corrupt);
	strbuf_release(&ids);
}

/* Repeats make a problem recurring; one event does not. */
static void test_recurring(void **state)
{
	const struct kt_kb_entry *e = entry("oops", "null_deref");
	json_t *once = facts("{\"count\": 1, \"address\": \"0000000000000008\","
		" \"guilty_func\": \"tcp_close\"}");
	json_t *often = facts("{\"count\": 4, \"boots\": 3,"
		" \"address\": \"0000000000000008\","
		" \"guilty_func\": \"tcp_close\"}");
	struct strbuf ids = STRBUF_INIT;
	char *text;

	(void)state;
	selected(e->causes, e->nr_causes, once, &ids);
	assert_true(has(&ids, "near_null"));
	assert_false(has(&ids, "recurring"));
	selected(e->causes, e->nr_causes, often, &ids);
	assert_true(has(&ids, "recurring"));
	text = say(item(e->causes, e->nr_causes, "recurring"), KT_LANG_EN,
		   often);
	assert_non_null(strstr(text, "happened 4 times"));
	free(text);
	{
		const struct kt_kb_item *boots = NULL;
		size_t i;

		for (i = 0; i < e->nr_evidence; i++)
			if (e->evidence[i].when &&
			    !strcmp(e->evidence[i].when->fact, "boots"))
				boots = &e->evidence[i];
		assert_non_null(boots);
		text = say(boots, KT_LANG_ZH, often);
		assert_non_null(strstr(text, "3 次不同的启动"));
		free(text);
		assert_false(kt_kb_eval(boots->when, once));
	}
	json_decref(once);
	json_decref(often);
	strbuf_release(&ids);
}

/* Reboots: the downtime tells an automatic reset from an outage. */
static void test_reboot_unclean(void **state)
{
	const struct kt_kb_entry *e = entry("reboot", "unclean");
	json_t *quick = facts("{\"kind\": \"unclean\", \"gap_secs\": 40,"
		" \"previous_last_time\": \"2025-11-24T08:21:08Z\", \"count\": 1}");
	json_t *slow = facts("{\"kind\": \"unclean\", \"gap_secs\": 7200,"
		" \"count\": 1}");
	struct strbuf ids = STRBUF_INIT;

	(void)state;
	assert_ptr_equal(kt_kb_find(&the_kb, "reboot", "first"),
			 entry("reboot", "first"));
	assert_ptr_not_equal(kt_kb_find(&the_kb, "reboot", "no_such_kind"),
			     NULL);
	selected(e->causes, e->nr_causes, quick, &ids);
	assert_true(has(&ids, "quick_reset"));
	assert_false(has(&ids, "long_outage"));
	selected(e->actions, e->nr_actions, quick, &ids);
	assert_true(has(&ids, "watchdog"));
	assert_true(has(&ids, "hardware_log"));
	selected(e->causes, e->nr_causes, slow, &ids);
	assert_true(has(&ids, "long_outage"));
	selected(e->actions, e->nr_actions, slow, &ids);
	assert_false(has(&ids, "watchdog"));
	assert_false(has(&ids, "hardware_log"));
	assert_true(has(&ids, "hidden_panic"));
	json_decref(quick);
	json_decref(slow);
	strbuf_release(&ids);
}

/* The segfault error code and address name the kind of bad access. */
static void test_segfault_codes(void **state)
{
	const struct kt_kb_entry *e = entry("segfault", "segfault");
	json_t *null = facts("{\"comm\": \"nginx\", \"pid\": 812,"
		" \"address\": \"18\", \"error\": \"4\","
		" \"object\": \"libc-2.31.so\", \"ip\": \"7f3a1c0e3b2d\","
		" \"signal\": \"SIGSEGV\", \"count\": 1}");
	json_t *jump = facts("{\"comm\": \"a.out\", \"pid\": 4120,"
		" \"address\": \"0\", \"error\": \"14\", \"count\": 5,"
		" \"unit\": \"a.service\"}");
	struct strbuf ids = STRBUF_INIT;

	(void)state;
	selected(e->causes, e->nr_causes, null, &ids);
	assert_true(has(&ids, "null_pointer"));
	assert_true(has(&ids, "in_libc"));
	assert_false(has(&ids, "exec_fault"));
	assert_false(has(&ids, "crash_loop"));
	selected(e->actions, e->nr_actions, null, &ids);
	assert_true(has(&ids, "locate"));
	selected(e->causes, e->nr_causes, jump, &ids);
	assert_true(has(&ids, "exec_fault"));
	assert_false(has(&ids, "null_pointer"));
	assert_true(has(&ids, "crash_loop"));
	selected(e->actions, e->nr_actions, jump, &ids);
	assert_true(has(&ids, "restart_loop"));
	assert_false(has(&ids, "locate"));
	json_decref(null);
	json_decref(jump);
	strbuf_release(&ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_bool_strings),
		cmocka_unit_test(test_nan_inf_scalars),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_large_reals),
		cmocka_unit_test(test_one_document),
		cmocka_unit_test(test_default_loads),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_generic_advice),
		cmocka_unit_test(test_meaning_renders),
		cmocka_unit_test(test_oom_one_hog),
		cmocka_unit_test(test_oom_memcg),
		cmocka_unit_test(test_panic_module),
		cmocka_unit_test(test_hung_task_panic),
		cmocka_unit_test(test_fs_disk_first),
		cmocka_unit_test(test_recurring),
		cmocka_unit_test(test_reboot_unclean),
		cmocka_unit_test(test_segfault_codes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
