/*
 * test_alertfmt.c - unit tests of output/alertfmt: alert records and the
 * payload of every kind of sink, against golden files in
 * tests/unit/alertfmt/ (KT_UPDATE_GOLDEN=1 rewrites them), and log text
 * that tries to mention everyone or plant a link.
 */
#include "base/compat.h"
#include "base/timeutil.h"
#include "output/alertfmt.h"
#include <jansson.h>
#include <setjmp.h>
#include <cmocka.h>
#include <syslog.h>

/* An event as `scan --format ndjson` prints it (trimmed). */
static const char event_json[] =
	"{\"schema_version\":\"1\",\"id\":\"85c2696a39d96546\","
	"\"type\":\"oom\",\"subtype\":\"oom_kill\",\"severity\":\"major\","
	"\"title\":\"Out of memory: Killed process 30002 (stream_convert)\","
	"\"time\":\"2026-06-06T21:33:13Z\",\"monotonic\":772.918915,"
	"\"host\":\"video-stream\",\"boot\":0,"
	"\"source\":{\"file\":\"kern.log\",\"line\":1,\"line_end\":103},"
	"\"message\":\"stream_convert invoked oom-killer: "
	"gfp_mask=0x24280ca, order=0, oom_score_adj=0\","
	"\"process\":{\"pid\":30002,\"comm\":\"stream_convert\"},"
	"\"fields\":{\"victim_pid\":30002},\"call_trace\":[],"
	"\"tainted\":null,\"kernel\":null,"
	"\"fingerprint\":\"3f9a0c1d2e4b5a67\"}";

/* 2026-06-06T21:40:00Z */
#define NOW_US (INT64_C(1780782000) * 1000000)

static struct kt_alertfmt_opts opts(enum kt_lang lang)
{
	struct kt_alertfmt_opts o = {
		lang, NOW_US, INT64_C(15) * 60 * 1000000, "watcher-1",
		"https://ktriage.example/events",
	};

	return o;
}

static char *render(enum kt_alert_kind kind, const char *record,
		    enum kt_lang lang, int *prio)
{
	struct kt_alertfmt_opts o = opts(lang);
	struct kt_ctx ctx;
	struct strbuf out = STRBUF_INIT;

	kt_ctx_init(&ctx);
	assert_int_equal(kt_alertfmt_render(&ctx, kind, record, &o, &out,
					    prio), 0);
	kt_ctx_release(&ctx);
	return strbuf_detach(&out, NULL);
}

/* Compares got with tests/unit/alertfmt/<name>, which is JSON too. */
static void golden(const char *name, const char *got)
{
	const char *src = getenv("KT_SRCDIR");
	char path[4096];
	struct strbuf want = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/unit/alertfmt/%s", src, name);
	if (getenv("KT_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", got);
		fclose(f);
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("no golden file %s (KT_UPDATE_GOLDEN=1 writes it)",
			 path);
	while ((n = fread(buf, 1, sizeof(buf), f)))
		strbuf_add(&want, buf, n);
	fclose(f);
	strbuf_rtrim(&want);
	if (strcmp(want.buf, got))
		fail_msg("%s differs:\nwant %s\ngot  %s", name, want.buf, got);
	strbuf_release(&want);
	/* every payload but syslog's is UTF-8 JSON */
	if (!strstr(name, ".txt")) {
		json_t *j = json_loads(got, 0, NULL);

		if (!j)
			fail_msg("%s is not JSON: %s", name, got);
		json_decref(j);
	}
}

static void test_kinds(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < KT_ALERT_KIND_NR; i++)
		assert_int_equal(kt_alert_kind_from_name(kt_alert_kind_name(i)),
				 i);
	assert_int_equal(kt_alert_kind_from_name("email"), -1);
	assert_true(kt_alert_kind_is_http(KT_ALERT_SLACK));
	assert_false(kt_alert_kind_is_http(KT_ALERT_EXEC));
	assert_false(kt_alert_kind_is_http(KT_ALERT_SYSLOG));
}

static void test_records(void **state)
{
	char *r;

	(void)state;
	r = kt_alert_record_event(event_json, 3, NOW_US);
	assert_non_null(r);
	golden("record-event.json", r);
	/* the event is kept byte for byte, reals included */
	assert_non_null(strstr(r, event_json));
	free(r);
	assert_null(kt_alert_record_event("[1,2]", 0, NOW_US));
	assert_null(kt_alert_record_event("{\"a\":", 0, NOW_US));
	r = kt_alert_record_suppressed(17, NOW_US - 60000000, NOW_US,
				       "watcher-1");
	golden("record-suppressed.json", r);
	free(r);
	r = kt_alert_record_test(NOW_US, "watcher-1");
	golden("record-test.json", r);
	free(r);
}

static const struct {
	enum kt_alert_kind kind;
	enum kt_lang lang;
	const char *name;
} goldens[] = {
	{ KT_ALERT_WEBHOOK, KT_LANG_EN, "webhook" },
	{ KT_ALERT_ALERTMANAGER, KT_LANG_EN, "alertmanager" },
	{ KT_ALERT_DINGTALK, KT_LANG_EN, "dingtalk" },
	{ KT_ALERT_DINGTALK, KT_LANG_ZH, "dingtalk-zh" },
	{ KT_ALERT_FEISHU, KT_LANG_EN, "feishu" },
	{ KT_ALERT_FEISHU, KT_LANG_ZH, "feishu-zh" },
	{ KT_ALERT_WECOM, KT_LANG_EN, "wecom" },
	{ KT_ALERT_WECOM, KT_LANG_ZH, "wecom-zh" },
	{ KT_ALERT_SLACK, KT_LANG_EN, "slack" },
	{ KT_ALERT_SLACK, KT_LANG_ZH, "slack-zh" },
	{ KT_ALERT_EXEC, KT_LANG_EN, "exec" },
	{ KT_ALERT_SYSLOG, KT_LANG_EN, "syslog" },
};

static void test_payloads(void **state)
{
	char *rec = kt_alert_record_event(event_json, 3, NOW_US - 1000000);
	char *sup = kt_alert_record_suppressed(17, NOW_US - 60000000, NOW_US,
					       "watcher-1");
	char *tst = kt_alert_record_test(NOW_US, "watcher-1");
	char name[128];
	size_t i;
	int prio;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(goldens); i++) {
		bool txt = goldens[i].kind == KT_ALERT_SYSLOG;
		char *got;

		got = render(goldens[i].kind, rec, goldens[i].lang, &prio);
		snprintf(name, sizeof(name), "%s.%s", goldens[i].name,
			 txt ? "txt" : "json");
		golden(name, got);
		free(got);
		got = render(goldens[i].kind, sup, goldens[i].lang, NULL);
		snprintf(name, sizeof(name), "%s-suppressed.%s",
			 goldens[i].name, txt ? "txt" : "json");
		golden(name, got);
		free(got);
		got = render(goldens[i].kind, tst, goldens[i].lang, NULL);
		snprintf(name, sizeof(name), "%s-test.%s", goldens[i].name,
			 txt ? "txt" : "json");
		golden(name, got);
		free(got);
	}
	free(rec);
	free(sup);
	free(tst);
}

static void test_priority(void **state)
{
	static const char *const sev[] = { "critical", "major", "minor" };
	static const int want[] = { LOG_CRIT, LOG_ERR, LOG_WARNING };
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(sev); i++) {
		char ev[128], *rec, *got;
		int prio = -1;

		snprintf(ev, sizeof(ev), "{\"severity\":\"%s\"}", sev[i]);
		rec = kt_alert_record_event(ev, 0, NOW_US);
		got = render(KT_ALERT_SYSLOG, rec, KT_LANG_EN, &prio);
		assert_int_equal(prio, want[i]);
		free(got);
		free(rec);
	}
}

/* An Alertmanager alert sent late still fires for resolve_us. */
static void test_alertmanager_late(void **state)
{
	char *rec = kt_alert_record_event(event_json, 0, NOW_US);
	struct kt_alertfmt_opts o = opts(KT_LANG_EN);
	struct kt_ctx ctx;
	struct strbuf out = STRBUF_INIT;
	json_t *j;

	(void)state;
	kt_ctx_init(&ctx);
	o.now_us += INT64_C(3600) * 1000000;
	assert_int_equal(kt_alertfmt_render(&ctx, KT_ALERT_ALERTMANAGER, rec,
					    &o, &out, NULL), 0);
	j = json_loads(out.buf, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "startsAt")), "2026-06-06T21:33:13Z");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "endsAt")), "2026-06-06T22:55:00Z");
	json_decref(j);
	strbuf_release(&out);
	kt_ctx_release(&ctx);
	free(rec);
}

static void test_bad_records(void **state)
{
	struct kt_alertfmt_opts o = opts(KT_LANG_EN);
	struct kt_ctx ctx;
	struct strbuf out = STRBUF_INIT;

	(void)state;
	kt_ctx_init(&ctx);
	assert_int_equal(kt_alertfmt_render(&ctx, KT_ALERT_WEBHOOK, "nope",
					    &o, &out, NULL), KT_ERR_FORMAT);
	assert_int_equal(kt_alertfmt_render(&ctx, KT_ALERT_WEBHOOK,
					    "{\"kind\":\"event\"}", &o, &out,
					    NULL), KT_ERR_FORMAT);
	assert_int_equal(kt_alertfmt_render(&ctx, KT_ALERT_SLACK,
					    "{\"kind\":\"party\"}", &o, &out,
					    NULL), KT_ERR_FORMAT);
	assert_string_equal(kt_ctx_error(&ctx),
			    "unknown kind of alert record 'party'");
	strbuf_release(&out);
	kt_ctx_release(&ctx);
}

static void test_defang(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	kt_alertfmt_defang(&sb, "@all <!channel> see http://evil.example/x "
			   "v5.15.0 a\x1b[31mb ...", 200);
	assert_string_equal(sb.buf,
			    "＠all ＜!channel＞ see http∶//evil․example/x "
			    "v5․15․0 a?[31mb ...");
	strbuf_reset(&sb);
	kt_alertfmt_defang(&sb, "ééé", 3);	/* cut inside a character */
	assert_string_equal(sb.buf, "é…");
	strbuf_release(&sb);
}

/* Every string value of j, one per line. */
static void strings(const json_t *j, struct strbuf *out)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		strbuf_addstr(out, json_string_value(j));
		strbuf_addch(out, '\n');
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			strings(v, out);
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v)
			strings(v, out);
	}
}

/* Log text that tries to reach people or plant links in chat. */
static void test_hostile(void **state)
{
	static const char *const bad[] = {
		"@all", "@here", "<!channel>", "<!here>", "<@U123>",
		"<@userid>", "http://", "https://", "evil.example",
		"[click](", "<font color=\"red\"", "<a href", "\n# Heading",
		"\x1b",
	};
	static const enum kt_alert_kind chat[] = {
		KT_ALERT_DINGTALK, KT_ALERT_FEISHU, KT_ALERT_WECOM,
		KT_ALERT_SLACK,
	};
	json_t *ev = json_loads(event_json, 0, NULL);
	char *evs, *rec;
	size_t i, k;
	int lang;

	(void)state;
	json_object_set_new(ev, "title", json_string(
		"@all <!channel> <@U123> [click](https://evil.example/x) "
		"<font color=\"red\">x</font> <a href=\"http://evil.example\">"));
	json_object_set_new(ev, "message", json_string(
		"@here <!here> <@userid> visit evil.example now\n# Heading "
		"\x1b[2J"));
	json_object_set_new(ev, "host", json_string("evil.example"));
	evs = json_dumps(ev, JSON_COMPACT);
	rec = kt_alert_record_event(evs, 0, NOW_US);
	for (k = 0; k < KT_ARRAY_SIZE(chat); k++) {
		for (lang = KT_LANG_EN; lang < KT_LANG_NR; lang++) {
			char *got = render(chat[k], rec, lang, NULL);
			json_t *j = json_loads(got, 0, NULL);
			struct strbuf all = STRBUF_INIT;

			assert_non_null(j);
			strings(j, &all);
			for (i = 0; i < KT_ARRAY_SIZE(bad); i++)
				if (strstr(all.buf, bad[i]))
					fail_msg("%s payload (%s) holds '%s': %s",
						 kt_alert_kind_name(chat[k]),
						 kt_lang_name(lang), bad[i],
						 all.buf);
			strbuf_release(&all);
			json_decref(j);
			free(got);
		}
	}
	free(rec);
	free(evs);
	json_decref(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_alertmanager_late),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_defang),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
