/*
 * test_llmanswer.c - unit tests of output/llmanswer: finding the JSON
 * object in a model's reply, rejecting answers that lack a section, and
 * applying an answer: texts replaced, ktriage's evidence untouched,
 * cited ids checked against the model, placeholders mapped back.
 */
#include "base/compat.h"
#include "base/err.h"
#include "output/kb.h"
#include "output/llmanswer.h"
#include "output/redact.h"

#include <setjmp.h>
#include <cmocka.h>

#define FP1 "1111111111111111"
#define FP2 "2222222222222222"
#define ID1 "aaaaaaaaaaaaaaaa"
#define ID2 "bbbbbbbbbbbbbbbb"

static json_t *model(void)
{
	json_t *m = json_loads(
		"{\"lang\": \"en\","
		" \"verdict\": {\"level\": \"critical\", \"rule\": \"r\","
		"  \"text\": \"builtin verdict\"},"
		" \"chains\": [{\"example\": [\"cccccccccccccccc\"],"
		"  \"steps\": [{\"fingerprint\": \"" FP1 "\"}]}],"
		" \"problems\": ["
		"  {\"fingerprint\": \"" FP1 "\", \"title\": \"panic\","
		"   \"severity\": \"critical\", \"count\": 2,"
		"   \"meaning\": \"builtin meaning\","
		"   \"evidence\": [{\"text\": \"ev\"}],"
		"   \"event_ids\": [\"" ID1 "\"],"
		"   \"samples\": [{\"id\": \"" ID1 "\", \"message\":"
		"     \"RIP ffffffffc06d54a8\"}],"
		"   \"causes\": [{\"id\": \"c\", \"text\": \"builtin cause\"}],"
		"   \"actions\": [], \"facts\": {\"x\": 1}},"
		"  {\"fingerprint\": \"" FP2 "\", \"title\": \"oom\","
		"   \"severity\": \"major\", \"count\": 1,"
		"   \"meaning\": \"builtin meaning 2\", \"evidence\": [],"
		"   \"event_ids\": [\"" ID2 "\"], \"samples\": [],"
		"   \"causes\": [], \"actions\": [], \"facts\": {}}],"
		" \"prevention\": {\"alerts\": [], \"readiness\": []},"
		" \"summary\": {\"text\": \"builtin summary\","
		"  \"top_actions\": []}}", 0, NULL);

	assert_non_null(m);
	return m;
}

static const char answer_text[] =
	"{\"risk_analysis\": {\"text\": \"risky\", \"event_ids\": [\"" ID1
	"\"]},"
	" \"problems\": [{\"fingerprint\": \"" FP1 "\","
	"   \"analysis\": {\"text\": \"it\\npanicked\", \"event_ids\": [\""
	ID1 "\"]},"
	"   \"causes\": [{\"text\": \"a cause\", \"event_ids\": [\" "
	"AAAAAAAAAAAAAAAA \"]}, \"plain cause\"],"
	"   \"actions\": [{\"text\": \"low\", \"priority\": 10,"
	"     \"commands\": [\"uptime\"]},"
	"    {\"text\": \"high\", \"priority\": 95, \"commands\":"
	"     [\"dmesg\", 7, \"\"]},"
	"    {\"text\": \"odd\", \"priority\": \"x\"}]},"
	"  {\"fingerprint\": \"9999999999999999\", \"analysis\": \"ghost\"}],"
	" \"prevention\": \"watch it\","
	" \"summary\": {\"text\": \"sum; see " ID2 " and ffffffffc06d54a8 "
	"and dddddddddddddddd\"},"
	" \"top_actions\": [{\"fingerprint\": \"" FP1 "\", \"text\": \"do\"},"
	"  {\"fingerprint\": \"eeeeeeeeeeeeeeee\", \"text\": \"do 2\"},"
	"  \"do 3\", \"do 4\"]}";

static void test_parse(void **state)
{
	struct kt_ctx ctx;
	json_t *j;
	static const char *const good[] = {
		"{\"a\": 1}",
		"  ```json\n{\"a\": 1}\n```  ",
		"<think>{\"b\": 2} hmm</think>\nHere: {\"a\": 1} bye",
		"Sure {not json} but {\"a\": 1}",
	};
	size_t i;

	(void)state;
	kt_ctx_init(&ctx);
	for (i = 0; i < KT_ARRAY_SIZE(good); i++) {
		assert_int_equal(kt_llmanswer_parse(&ctx, good[i],
						    strlen(good[i]), &j), 0);
		assert_int_equal(json_integer_value(json_object_get(j, "a")),
				 1);
		json_decref(j);
	}
	assert_int_equal(kt_llmanswer_parse(&ctx, "all fine", 8, &j),
			 KT_ERR_PARSE);
	assert_null(j);
	assert_string_equal(kt_ctx_error(&ctx),
			    "the answer holds no JSON object");
	assert_int_equal(kt_llmanswer_parse(&ctx, "{\"a\": ", 6, &j),
			 KT_ERR_PARSE);
	assert_non_null(strstr(kt_ctx_error(&ctx),
			       "the answer is not valid JSON"));
	assert_int_equal(kt_llmanswer_parse(&ctx, "[1, 2]", 6, &j),
			 KT_ERR_PARSE);
	kt_ctx_release(&ctx);
}

/* The answer with key removed (or replaced by the JSON text value). */
static const char *check_with(const char *key, const char *value)
{
	static char err[256];
	struct kt_ctx ctx;
	json_t *a = json_loads(answer_text, 0, NULL), *m = model();
	int rc;

	assert_non_null(a);
	kt_ctx_init(&ctx);
	if (key && value)
		json_object_set_new(a, key, json_loads(value,
						       JSON_DECODE_ANY, NULL));
	else if (key)
		json_object_del(a, key);
	rc = kt_llmanswer_check(&ctx, a, m);
	snprintf(err, sizeof(err), "%s", rc ? kt_ctx_error(&ctx) : "ok");
	kt_ctx_release(&ctx);
	json_decref(a);
	json_decref(m);
	return err;
}

static void test_check(void **state)
{
	(void)state;
	assert_string_equal(check_with(NULL, NULL), "ok");
	assert_string_equal(check_with("summary", NULL),
			    "the answer lacks 'summary'");
	assert_string_equal(check_with("risk_analysis", NULL),
			    "the answer lacks 'risk_analysis'");
	assert_string_equal(check_with("prevention", "{\"text\": \"  \"}"),
			    "the answer's 'prevention' has no text");
	assert_string_equal(check_with("problems", NULL),
			    "the answer lacks 'problems'");
	assert_string_equal(check_with("problems", "{}"),
			    "the answer's 'problems' is not a list");
	assert_string_equal(check_with("problems", "[1]"),
			    "the answer's problems[0] has no fingerprint");
	assert_string_equal(check_with("problems",
		"[{\"fingerprint\": \"" FP1 "\"}]"),
		"the answer's problems[0] has no analysis");
	assert_string_equal(check_with("problems",
		"[{\"fingerprint\": \"" FP1 "\", \"analysis\": \"x\","
		" \"causes\": \"y\"}]"),
		"the answer's problems[0] has causes or actions that are not lists");
	assert_string_equal(check_with("problems",
		"[{\"fingerprint\": \"9999999999999999\", \"analysis\": \"x\"}]"),
		"the answer analyses none of the problems");
	assert_string_equal(check_with("top_actions", NULL),
			    "the answer lacks 'top_actions'");
	assert_string_equal(check_with("top_actions", "[]"),
			    "the answer's 'top_actions' is empty");
	assert_string_equal(check_with("top_actions", "[{\"text\": \"\"}]"),
			    "the answer's top_actions[0] has no text");
}

/* The string at a dotted path ("problems.0.meaning"; indexes < 10). */
static const char *text_at(const json_t *m, const char *path)
{
	char buf[128], *tok, *save = NULL;
	const json_t *cur = m;
	const char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save))
		cur = json_is_array(cur) ?
		      json_array_get(cur, (size_t)(tok[0] - '0')) :
		      json_object_get(cur, tok);
	s = json_string_value(cur);
	return s ? s : "(null)";
}

static void test_apply(void **state)
{
	struct kt_ctx ctx;
	struct kt_kb kb;
	json_t *a = json_loads(answer_text, 0, NULL), *m = model(), *orig;
	const json_t *p, *acts;
	size_t n;

	(void)state;
	kt_ctx_init(&ctx);
	kt_kb_init(&kb);
	assert_int_equal(kt_kb_load_default(&ctx, &kb), 0);
	orig = json_deep_copy(m);
	n = kt_llmanswer_apply(m, a, &kb, NULL);
	/* dddd... and the fingerprints 9999... and eeee...; not the
	 * address from the sample, not the upper-case ID1 */
	assert_int_equal(n, 3);
	assert_string_equal(text_at(m, "verdict.text"), "risky");
	assert_string_equal(text_at(m, "verdict.level"), "critical");
	assert_string_equal(text_at(m, "problems.0.meaning"), "it panicked");
	assert_string_equal(text_at(m, "problems.0.causes.0.text"),
			    "a cause");
	assert_string_equal(text_at(m, "problems.0.causes.0.event_ids.0"),
			    ID1);
	assert_string_equal(text_at(m, "problems.0.causes.1.text"),
			    "plain cause");
	p = json_array_get(json_object_get(m, "problems"), 0);
	acts = json_object_get(p, "actions");
	assert_int_equal(json_array_size(acts), 3);
	assert_string_equal(text_at(m, "problems.0.actions.0.text"), "high");
	assert_string_equal(text_at(m, "problems.0.actions.1.text"), "odd");
	assert_string_equal(text_at(m, "problems.0.actions.2.text"), "low");
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(acts, 1), "priority")), 50);
	assert_int_equal(json_array_size(json_object_get(
		json_array_get(acts, 0), "commands")), 1);
	/* evidence stays */
	assert_true(json_equal(json_object_get(p, "evidence"),
			       json_object_get(json_array_get(json_object_get(
				       orig, "problems"), 0), "evidence")));
	assert_true(json_equal(json_object_get(p, "facts"),
			       json_object_get(json_array_get(json_object_get(
				       orig, "problems"), 0), "facts")));
	/* a problem the answer skipped keeps its texts */
	assert_string_equal(text_at(m, "problems.1.meaning"),
			    "builtin meaning 2");
	assert_string_equal(text_at(m, "prevention.text"), "watch it");
	assert_string_equal(text_at(m, "summary.text"),
			    "sum; see " ID2 " and ffffffffc06d54a8 and "
			    "dddddddddddddddd [unverified id dddddddddddddddd]");
	assert_int_equal(json_array_size(json_object_get(json_object_get(m,
				"summary"), "top_actions")), 3);
	assert_string_equal(text_at(m, "summary.top_actions.0.title"),
			    "panic");
	assert_string_equal(text_at(m, "summary.top_actions.1.text"),
			    "do 2 [unverified id eeeeeeeeeeeeeeee]");
	assert_string_equal(text_at(m, "summary.top_actions.1.title"), "");
	assert_string_equal(text_at(m, "summary.top_actions.2.text"), "do 3");
	json_decref(orig);
	json_decref(a);
	json_decref(m);
	kt_kb_release(&kb);
	kt_ctx_release(&ctx);
}

static void test_restore_and_caps(void **state)
{
	struct kt_ctx ctx;
	struct kt_kb kb;
	struct kt_redact r;
	struct strbuf sb = STRBUF_INIT, big = STRBUF_INIT;
	json_t *a, *m = model();
	size_t i;

	(void)state;
	kt_ctx_init(&ctx);
	kt_kb_init(&kb);
	assert_int_equal(kt_kb_load_default(&ctx, &kb), 0);
	kt_redact_init(&r);
	kt_redact_add_host(&r, "web1");
	kt_redact_str(&r, "web1 at 10.0.0.1", &sb);
	assert_string_equal(sb.buf, "host-1 at ip-1");
	for (i = 0; i < KT_LLMANSWER_TEXT_MAX + 100; i++)
		strbuf_addstr(&big, "é");
	a = json_pack("{s:s,s:[{s:s,s:s,s:[{s:s,s:[s]}]}],s:s,s:s,s:[s]}",
		      "risk_analysis", "host-1 died\x01 badly",
		      "problems", "fingerprint", FP1, "analysis", big.buf,
		      "actions", "text", "ping ip-1",
		      "commands", "ping -c1 ip-1",
		      "prevention", "p", "summary", "s", "top_actions", "t");
	assert_non_null(a);
	assert_int_equal(kt_llmanswer_apply(m, a, &kb, &r), 0);
	assert_string_equal(text_at(m, "verdict.text"), "web1 died  badly");
	assert_string_equal(text_at(m, "problems.0.actions.0.text"),
			    "ping 10.0.0.1");
	assert_string_equal(text_at(m, "problems.0.actions.0.commands.0"),
			    "ping -c1 10.0.0.1");
	/* cut on a character boundary, marked */
	assert_true(strlen(text_at(m, "problems.0.meaning")) <=
		    KT_LLMANSWER_TEXT_MAX + 3);
	assert_non_null(strstr(text_at(m, "problems.0.meaning"), "é…"));
	json_decref(a);
	json_decref(m);
	strbuf_release(&sb);
	strbuf_release(&big);
	kt_redact_release(&r);
	kt_kb_release(&kb);
	kt_ctx_release(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_restore_and_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
