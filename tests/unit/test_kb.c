/*
 * test_kb.c - unit tests of the report's knowledge base: the loader's
 * conditions and templates on small texts, and the shipped kb/ files
 * (they load, cover every type and subtype the rule pack can emit, use
 * only known facts, and pick their causes and actions on the evidence).
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_bool_strings),
		cmocka_unit_test(test_nan_inf_scalars),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_large_reals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
