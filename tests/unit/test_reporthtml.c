/*
 * test_reporthtml.c - unit tests of output/reporthtml: the HTML report of
 * a model whose every string is hostile markup, escaped wherever it
 * lands; well-formed pages (every element closed, in order); the short
 * page of a healthy log; the charts for timelines of one bucket, of
 * hundreds, of none; and a page that fetches nothing.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "output/kb.h"
#include "output/report.h"
#include <jansson.h>

#include <setjmp.h>
#include <cmocka.h>

/*
 * A report model (docs/REPORT.md) in JSON with ' for ", where every
 * string or key "%NAME" becomes hostile(NAME).
 */
static const char model_json[] =
	"{'schema_version': '1', 'kind': 'ktriage-report', 'lang': 'en',"
	" 'generated_at': '%generated', 'inputs': ['%input'],"
	" 'analysis': {'by': 'builtin'},"
	" 'scope': {'events': 6, 'critical': 1, 'major': 4, 'minor': 1,"
	"  'hosts': ['%host'], 'boots': 2,"
	"  'first_time': '2026-03-02T10:00:01Z',"
	"  'last_time': '2026-03-04T09:00:00Z', 'span_hours': 47,"
	"  'lines': 100, 'processes': [{'name': '%process', 'count': 2}],"
	"  'devices': [{'name': '%device', 'count': 1}], 'modules': []},"
	" 'facts': {'n.events': 6, 'n.critical': 1, 'n.major': 4,"
	"  'n.minor': 1, 'n.problems': 2, 'n.hosts': 1, 'n.boots': 2},"
	" 'verdict': {'level': 'critical', 'rule': '%rule',"
	"  'text': '%verdict'},"
	" 'risks': [{'type': 'oom', 'label': '%risklabel', 'events': 3,"
	"   'critical': 1, 'major': 2, 'minor': 0, 'problems': 1,"
	"   'hosts': 1, 'text': '%risktext'},"
	"  {'type': '%risktype', 'label': '%risklabel2', 'events': 3,"
	"   'critical': 0, 'major': 2, 'minor': 1, 'problems': 1,"
	"   'hosts': 1, 'text': 'x'}],"
	" 'chains': [{'text': '%chain', 'count': 2,"
	"   'first_time': '2026-03-02T10:00:01Z',"
	"   'last_time': '2026-03-03T10:00:00Z', 'hosts': ['%host'],"
	"   'steps': [{'type': 'oom', 'subtype': 'oom_kill',"
	"     'title': '%steptitle', 'fingerprint': 'a'}],"
	"   'example': ['1']},"
	"  {'text': '%untimedchain', 'count': 1, 'first_time': null,"
	"   'last_time': null, 'hosts': [],"
	"   'steps': [{'type': 'reboot', 'subtype': 'crash', 'title': 't',"
	"     'fingerprint': 'b'}], 'example': []}],"
	" 'problems': [{'fingerprint': 'fp1', 'type': 'oom',"
	"   'subtype': 'oom_kill', 'severity': 'critical', 'title': '%title',"
	"   'count': 3, 'hosts': ['%host'], 'boots': 1,"
	"   'first_time': '2026-03-02T10:00:01Z',"
	"   'last_time': '2026-03-03T10:00:00Z', 'meaning': '%meaning',"
	"   'evidence': [{'text': '%evidence'}],"
	"   'samples': [{'id': '1', 'time': '2026-03-02T10:00:01Z',"
	"     'host': '%samplehost', 'source': {'file': '%file', 'line': 10,"
	"     'line_end': 20}, 'message': '%message',"
	"     'process': {'pid': 1, 'comm': '%comm'}, 'frames': ['%frame']}],"
	"   'event_ids': ['1'], 'causes': [{'id': 'c', 'text': '%cause'}],"
	"   'actions': [{'id': 'a', 'priority': 80, 'text': '%action',"
	"     'commands': ['%command']}], 'facts': {}},"
	"  {'fingerprint': 'fp2', 'type': '%ptype', 'subtype': '%psubtype',"
	"   'severity': '%psev', 'title': '%title2', 'count': 1, 'hosts': [],"
	"   'boots': 0, 'first_time': null, 'last_time': null,"
	"   'meaning': 'm', 'evidence': [], 'samples': [], 'event_ids': [],"
	"   'causes': [], 'actions': [], 'facts': {}}],"
	" 'more_problems': 3,"
	" 'prevention': {'alerts': [{'name': '%alertname',"
	"   'expr': '%alertexpr', 'for': '0m', 'severity': 'warning',"
	"   'text': '%alerttext'}],"
	"  'readiness': [{'id': 'kdump', 'state': '%state',"
	"   'text': '%readiness'}]},"
	" 'config': {'%configkey': '%configvalue', 'kernel.panic': 0},"
	" 'timeline': {'bucket': 'hour', 'types': ['oom', '%risktype'],"
	"  'buckets': [{'start': '2026-03-02T10:00:00Z',"
	"    'counts': {'oom': 2}},"
	"   {'start': '2026-03-03T10:00:00Z',"
	"    'counts': {'oom': 1, '%risktype': 3}}]},"
	" 'boots': [{'host': '%host', 'boot': 0,"
	"   'start': '2026-03-02T09:00:00Z', 'end': '2026-03-03T11:00:00Z',"
	"   'kind': 'crash', 'events': 3, 'critical': 1, 'major': 2,"
	"   'minor': 0, 'title': '%boottitle'},"
	"  {'host': null, 'boot': 0, 'start': null, 'end': null,"
	"   'kind': '%bootkind', 'events': 1, 'critical': 0, 'major': 1,"
	"   'minor': 0, 'title': null},"
	"  {'host': null, 'boot': 1, 'start': null, 'end': null,"
	"   'kind': 'crash', 'events': 1, 'critical': 1, 'major': 0,"
	"   'minor': 0, 'title': null}],"
	" 'summary': {'text': '%summary', 'top_actions': [{"
	"   'fingerprint': 'fp1', 'text': '%topaction',"
	"   'title': '%toptitle'}]}}";

/* The names that must show (escaped) on the page. */
static const char *const shown[] = {
	"generated", "input", "process", "device", "rule", "verdict",
	"risklabel", "risklabel2", "risktext", "risktype", "chain",
	"untimedchain", "title", "meaning", "evidence", "samplehost", "file",
	"message", "frame", "cause", "action", "command", "psev", "title2",
	"alertname", "alertexpr", "alerttext", "state", "readiness",
	"configkey", "configvalue", "host", "summary", "topaction",
	"toptitle",
};

/* Markup with quotes, an entity, an event handler and control bytes. */
static json_t *hostile(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *s;

	strbuf_addf(&sb, "<x-%s title=\"q\" onmouseover='alert(1)'>&amp;"
		    "\x01\x1b[31m<img src=\"http://e.invalid/i.png\"></x-%s>",
		    name, name);
	s = json_string(sb.buf);
	strbuf_release(&sb);
	return s;
}

static void make_hostile(json_t *v)
{
	const char *k;
	json_t *e, *copy;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_string(e) && json_string_value(e)[0] == '%')
				json_array_set_new(v, i, hostile(
					json_string_value(e) + 1));
			else
				make_hostile(e);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	copy = json_copy(v);
	json_object_clear(v);
	json_object_foreach(copy, k, e) {
		struct strbuf key = STRBUF_INIT;

		if (k[0] == '%') {
			json_t *h = hostile(k + 1);

			strbuf_addstr(&key, json_string_value(h));
			json_decref(h);
		} else {
			strbuf_addstr(&key, k);
		}
		if (json_is_string(e) && json_string_value(e)[0] == '%') {
			json_object_set_new(v, key.buf, hostile(
				json_string_value(e) + 1));
		} else {
			make_hostile(e);
			json_object_set(v, key.buf, e);
		}
		strbuf_release(&key);
	}
	json_decref(copy);
}

/* A model from JSON with ' for ". */
static json_t *model_from(const char *text)
{
	char *s = strdup(text), *p;
	json_error_t err;
	json_t *m;

	assert_non_null(s);
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	m = json_loads(s, 0, &err);
	if (!m)
		fail_msg("bad model: %s at %d", err.text, err.position);
	free(s);
	make_hostile(m);
	return m;
}

static struct kt_kb kb;

static int setup(void **state)
{
	struct kt_ctx ctx;
	int rc;

	(void)state;
	kt_ctx_init(&ctx);
	kt_kb_init(&kb);
	rc = kt_kb_load_default(&ctx, &kb);
	if (rc)
		fprintf(stderr, "%s\n", kt_ctx_error(&ctx));
	kt_ctx_release(&ctx);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	kt_kb_release(&kb);
	return 0;
}

static void render(struct strbuf *out, const json_t *m)
{
	strbuf_reset(out);
	kt_report_html(out, m, &kb);
	if (getenv("KT_TEST_VERBOSE"))
		fwrite(out->buf, 1, out->len, stderr);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* The text between the n-th (0-based) <svg and its </svg>, in sb. */
static bool nth_svg(const char *page, size_t n, struct strbuf *sb)
{
	const char *p = page, *end;

	while ((p = strstr(p, "<svg")) && n--)
		p++;
	if (!p)
		return false;
	end = strstr(p, "</svg>");
	assert_non_null(end);
	strbuf_reset(sb);
	strbuf_add(sb, p, (size_t)(end - p));
	return true;
}

/* The elements the page may have: model text opens none of them. */
static bool known_element(const char *name, size_t len, bool *is_void)
{
	static const char *const names[] = {
		"html", "head", "title", "style", "body", "div", "header",
		"nav", "main", "section", "article", "h1", "h2", "h3", "h4",
		"p", "ul", "ol", "li", "a", "strong", "span", "small", "code",
		"pre", "figure", "figcaption", "table", "thead", "tbody", "tr",
		"th", "td", "svg", "desc", "g", "text", "rect", "line",
		"circle",
	};
	static const char *const voids[] = { "meta", "br" };
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(voids); i++)
		if (strlen(voids[i]) == len && !memcmp(voids[i], name, len))
			return *is_void = true;
	*is_void = false;
	for (i = 0; i < KT_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return true;
	return false;
}

/* A tag, from '<' to '>', that loads or runs nothing. */
static void check_tag(const char *page, const char *p, const char *end)
{
	const char *q;

	for (q = p; q < end; q++) {
		if (!strncmp(q, " src=", 5) || !strncmp(q, "url(", 4))
			fail_msg("a source at offset %td", q - page);
		if (!strncmp(q, " href=", 6) && strncmp(q, " href=\"#", 8))
			fail_msg("a link out at offset %td", q - page);
		if (q[0] == ' ' && q[1] == 'o' && q[2] == 'n' &&
		    q + strspn(q + 3, "abcdefghijklmnopqrstuvwxyz") + 3 < end &&
		    q[strspn(q + 3, "abcdefghijklmnopqrstuvwxyz") + 3] == '=')
			fail_msg("an event handler at offset %td", q - page);
	}
}

/*
 * Every element is one the page may have, closed in order, with no
 * source, outside link or event handler; no text holds a '<' or a
 * control byte.
 */
static void check_well_formed(const char *page)
{
	const char *stack[256], *p = page, *end;
	size_t len[256], depth = 0, n;

	assert_int_equal(strncmp(page, "<!DOCTYPE html>\n", 16), 0);
	for (p = page; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("control byte 0x%02x at offset %td",
				 (unsigned char)*p, p - page);
	for (p = strchr(page + 1, '<'); p; p = strchr(end, '<')) {
		bool closing = p[1] == '/', is_void;
		const char *name = p + 1 + closing;

		end = strchr(p, '>');
		assert_non_null(end);
		assert_null(memchr(p + 1, '<', (size_t)(end - p - 1)));
		n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (!known_element(name, n, &is_void))
			fail_msg("<%.*s> at offset %td", (int)(end - p),
				 p + 1, p - page);
		check_tag(page, p, end);
		if (end[-1] == '/' || (!closing && is_void))
			continue;
		if (!closing) {
			assert_true(depth < KT_ARRAY_SIZE(stack));
			stack[depth] = name;
			len[depth++] = n;
			continue;
		}
		if (!depth || len[depth - 1] != n ||
		    memcmp(stack[depth - 1], name, n))
			fail_msg("</%.*s> at offset %td closes <%.*s>", (int)n,
				 name, p - page, depth ? (int)len[depth - 1] :
				 0, depth ? stack[depth - 1] : "");
		depth--;
	}
	assert_int_equal(depth, 0);
}

/* Nothing is loaded: no source in any tag (above), none in the CSS. */
static void check_fetches_nothing(const char *page)
{
	assert_null(strstr(page, "url("));
	assert_null(strstr(page, "@import"));
	assert_null(strstr(page, "http-equiv=\"refresh"));
	assert_non_null(strstr(page, "Content-Security-Policy\" content=\""
				     "default-src 'none'"));
}

static void test_escaped_everywhere(void **state)
{
	json_t *m = model_from(model_json);
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	size_t i;

	(void)state;
	render(&out, m);
	check_well_formed(out.buf);
	check_fetches_nothing(out.buf);
	for (i = 0; i < KT_ARRAY_SIZE(shown); i++) {
		strbuf_reset(&want);
		strbuf_addf(&want, "&lt;x-%s title=&quot;q&quot; "
			    "onmouseover=&#39;alert(1)&#39;&gt;", shown[i]);
		if (!strstr(out.buf, want.buf))
			fail_msg("'%s' is not shown escaped", shown[i]);
	}
	/* nothing of the model opens an element, or ends an attribute */
	assert_null(strstr(out.buf, "<x-"));
	assert_null(strstr(out.buf, "\"q\""));
	assert_null(strstr(out.buf, "'alert"));
	assert_null(strstr(out.buf, "&amp;\x01"));
	assert_non_null(strstr(out.buf, "&amp;amp;??[31m"));
	/* the class names made of model values keep only [a-z_] */
	assert_non_null(strstr(out.buf, "class=\"badge b-xpsevtitleq"));
	/* the four parts, the charts */
	assert_non_null(strstr(out.buf, "<section id=\"risk\""));
	assert_non_null(strstr(out.buf, "<section id=\"findings\""));
	assert_non_null(strstr(out.buf, "<section id=\"prevention\""));
	assert_non_null(strstr(out.buf, "<section id=\"summary\""));
	assert_int_equal(count(out.buf, "<svg"), 3);
	assert_int_equal(count(out.buf, "role=\"img\""), 3);
	/* each chain is marked on the boot chart */
	assert_non_null(strstr(out.buf, "chain 1: &lt;x-chain"));
	assert_non_null(strstr(out.buf, "chain 2: &lt;x-untimedchain"));
	/* commands in code blocks, with one hint on how to copy them */
	assert_non_null(strstr(out.buf, "<pre class=\"cmd\"><code>"
				     "&lt;x-command"));
	assert_int_equal(count(out.buf, kt_kb_msg(&kb, "html_select_hint",
						  KT_LANG_EN)), 1);
	/* the top action links to its problem */
	assert_non_null(strstr(out.buf, "<a href=\"#p1\">&lt;x-toptitle"));
	assert_non_null(strstr(out.buf, "<meta name=\"viewport\""));
	assert_non_null(strstr(out.buf, "<html lang=\"en\">"));
	json_decref(m);
	strbuf_release(&out);
	strbuf_release(&want);
}

static void test_chinese(void **state)
{
	json_t *m = model_from(model_json);
	struct strbuf out = STRBUF_INIT;

	(void)state;
	json_object_set_new(m, "lang", json_string("zh"));
	render(&out, m);
	check_well_formed(out.buf);
	assert_non_null(strstr(out.buf, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(out.buf, kt_kb_msg(&kb, "report_title",
						  KT_LANG_ZH)));
	assert_non_null(strstr(out.buf, kt_kb_msg(&kb, "html_chart_boots",
						  KT_LANG_ZH)));
	json_decref(m);
	strbuf_release(&out);
}

static void test_healthy(void **state)
{
	json_t *m = model_from(
		"{'lang': 'en', 'inputs': ['%input'], 'scope': {'lines': 5},"
		" 'problems': [{'type': 'reboot', 'subtype': 'first',"
		"  'severity': 'minor', 'title': 'system boot'}],"
		" 'timeline': {'bucket': 'hour', 'types': ['reboot'],"
		"  'buckets': [{'start': '2026-03-02T10:00:00Z',"
		"   'counts': {'reboot': 1}}]}}");
	struct strbuf out = STRBUF_INIT;

	(void)state;
	render(&out, m);
	check_well_formed(out.buf);
	check_fetches_nothing(out.buf);
	assert_non_null(strstr(out.buf, kt_kb_msg(&kb, "healthy_line",
						  KT_LANG_EN)));
	assert_non_null(strstr(out.buf, "Read 5 lines from &lt;x-input"));
	assert_non_null(strstr(out.buf, "<meta name=\"viewport\""));
	assert_null(strstr(out.buf, "<svg"));
	assert_null(strstr(out.buf, "<section"));
	assert_null(strstr(out.buf, "system boot"));
	json_decref(m);

	/* nothing read at all */
	m = model_from("{'lang': 'zh', 'inputs': []}");
	render(&out, m);
	check_well_formed(out.buf);
	assert_non_null(strstr(out.buf, kt_kb_msg(&kb, "read_nothing",
						  KT_LANG_ZH)));
	json_decref(m);
	strbuf_release(&out);
}

/* The model with another timeline: n buckets, step hours apart. */
static json_t *with_timeline(const char *bucket, size_t n, int step)
{
	json_t *m = model_from(model_json), *tl = json_object(),
	       *buckets = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		int64_t h = (int64_t)i * step;

		/* from 2025-01-01, h hours later (no month has 40 days) */
		strbuf_addf(&sb, "2025-%02d-%02dT%02d:00:00Z",
			    (int)(h / 24 / 28 % 12) + 1,
			    (int)(h / 24 % 28) + 1, (int)(h % 24));
		json_array_append_new(buckets, json_pack(
			"{s:s,s:{s:i,s:i}}", "start", sb.buf, "counts",
			"oom", (int)(i % 5) + 1, "panic", (int)(i % 2) + 1));
		strbuf_release(&sb);
	}
	json_object_set_new(tl, "bucket", json_string(bucket));
	json_object_set_new(tl, "types", json_pack("[s,s]", "oom", "panic"));
	json_object_set_new(tl, "buckets", buckets);
	json_object_set_new(m, "timeline", tl);
	return m;
}

static void test_timeline(void **state)
{
	struct strbuf out = STRBUF_INIT, svg = STRBUF_INIT;
	const char *no_timeline = kt_kb_msg(&kb, "html_no_timeline",
					    KT_LANG_EN);
	json_t *m;

	(void)state;
	/* one bucket: one bar of two parts */
	m = with_timeline("hour", 1, 1);
	render(&out, m);
	check_well_formed(out.buf);
	assert_true(nth_svg(out.buf, 0, &svg));
	assert_int_equal(count(svg.buf, "<rect"), 2);
	assert_non_null(strstr(svg.buf, "01-01 00:00"));
	assert_null(strstr(out.buf, no_timeline));
	json_decref(m);

	/* 336 days, every day: merged into at most 96 bars */
	m = with_timeline("day", 336, 24);
	render(&out, m);
	check_well_formed(out.buf);
	assert_true(nth_svg(out.buf, 0, &svg));
	assert_true(count(svg.buf, "<rect") <= 2 * 96);
	assert_true(count(svg.buf, "<rect") >= 90);
	assert_non_null(strstr(svg.buf, "one bar per 4 days"));
	json_decref(m);

	/* no bucket (untimed logs): no chart but a sentence */
	m = with_timeline("hour", 0, 1);
	render(&out, m);
	check_well_formed(out.buf);
	assert_non_null(strstr(out.buf, no_timeline));
	assert_int_equal(count(out.buf, "<svg"), 2);
	json_decref(m);
	strbuf_release(&out);
	strbuf_release(&svg);
}

static void test_boots(void **state)
{
	struct strbuf out = STRBUF_INIT, svg = STRBUF_INIT;
	json_t *m = model_from(model_json), *boots = json_array();
	size_t i;

	(void)state;
	/* no boot: a sentence */
	json_object_set_new(m, "boots", json_array());
	json_object_set_new(m, "chains", json_array());
	render(&out, m);
	check_well_formed(out.buf);
	assert_non_null(strstr(out.buf, kt_kb_msg(&kb, "html_no_boots",
						  KT_LANG_EN)));
	assert_non_null(strstr(out.buf, kt_kb_msg(&kb, "no_chains",
						  KT_LANG_EN)));

	/* hosts without names, one boot without an end, one time only */
	for (i = 0; i < 40; i++)
		json_array_append_new(boots, json_pack(
			"{s:o,s:i,s:s,s:o,s:s,s:i,s:i,s:i,s:i}", "host",
			i % 3 ? json_string(i % 3 == 1 ? "" : "db") :
			json_null(), "boot", (int)i, "start",
			"2026-03-02T10:00:00Z", "end", i == 5 ? json_null() :
			json_string("2026-03-02T10:00:00Z"), "kind",
			i % 4 ? "clean" : "unclean", "events", 1, "critical",
			0, "major", 1, "minor", 0));
	json_object_set_new(m, "boots", boots);
	render(&out, m);
	check_well_formed(out.buf);
	assert_true(nth_svg(out.buf, 2, &svg));
	/* two lanes: the nameless and db; 40 boots */
	assert_int_equal(count(svg.buf, kt_kb_msg(&kb, "html_host_unnamed",
						  KT_LANG_EN)), 1);
	assert_int_equal(count(svg.buf, "<rect"), 40);
	json_decref(m);
	strbuf_release(&out);
	strbuf_release(&svg);
}

/* A model with parts missing or of the wrong kind renders all the same. */
static void test_sparse_model(void **state)
{
	static const char *const models[] = {
		"{}",
		"{'problems': [{}]}",
		"{'lang': 'xx', 'problems': [{'severity': 'major'}],"
		" 'risks': [{}], 'chains': [{}], 'boots': [{}],"
		" 'timeline': {'buckets': [{}], 'types': [1]},"
		" 'summary': {'top_actions': [{}]},"
		" 'prevention': {'alerts': [{}], 'readiness': [{}]}}",
		"{'problems': [{'type': 'oops'}], 'risks': 1, 'chains': {},"
		" 'boots': null,"
		" 'timeline': {'bucket': 'day', 'types': ['a'],"
		"  'buckets': [{'start': 'not a time', 'counts': {'a': 1}}]}}",
	};
	struct strbuf out = STRBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(models); i++) {
		json_t *m = model_from(models[i]);

		render(&out, m);
		check_well_formed(out.buf);
		check_fetches_nothing(out.buf);
		json_decref(m);
	}
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped_everywhere),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_boots),
		cmocka_unit_test(test_sparse_model),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
