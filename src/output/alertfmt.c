/*
 * alertfmt.c - alert records and the payloads of each kind of sink (see
 * alertfmt.h and docs/ALERTS.md).
 *
 * Part of the output stage, like the other renderers: it turns what the
 * alert policy (server/alert.c) decided into bytes, which server/alert.c
 * delivers.  Pure functions: no I/O, no clock.
 */
#include "base/compat.h"
#include "base/str.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "match/rules.h"
#include "output/alertfmt.h"
#include "output/escape.h"
#include <jansson.h>
#include <syslog.h>

static const char *const kind_names[KT_ALERT_KIND_NR] = {
	[KT_ALERT_WEBHOOK] = "webhook",
	[KT_ALERT_ALERTMANAGER] = "alertmanager",
	[KT_ALERT_DINGTALK] = "dingtalk",
	[KT_ALERT_FEISHU] = "feishu",
	[KT_ALERT_WECOM] = "wecom",
	[KT_ALERT_SLACK] = "slack",
	[KT_ALERT_EXEC] = "exec",
	[KT_ALERT_SYSLOG] = "syslog",
};

const char *kt_alert_kind_name(enum kt_alert_kind kind)
{
	return kind < KT_ALERT_KIND_NR ? kind_names[kind] : "?";
}

int kt_alert_kind_from_name(const char *name)
{
	int i;

	for (i = 0; i < KT_ALERT_KIND_NR; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

bool kt_alert_kind_is_http(enum kt_alert_kind kind)
{
	return kind != KT_ALERT_EXEC && kind != KT_ALERT_SYSLOG;
}

/* ------------------------------------------------------------ records */

static void add_time(struct strbuf *sb, int64_t us)
{
	strbuf_addch(sb, '"');
	kt_time_format(sb, us, false);
	strbuf_addch(sb, '"');
}

static void add_json_str(struct strbuf *sb, const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	strbuf_addstr(sb, t ? t : "\"\"");
	free(t);
	json_decref(j);
}

char *kt_alert_record_event(const char *event_json, uint64_t repeats,
			    int64_t now_us)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *ev = json_loads(event_json, 0, NULL);
	size_t len = strlen(event_json);

	if (!json_is_object(ev)) {
		json_decref(ev);
		return NULL;
	}
	json_decref(ev);
	while (len && kt_is_space((unsigned char)event_json[len - 1]))
		len--;
	while (len && kt_is_space((unsigned char)*event_json)) {
		event_json++;
		len--;
	}
	strbuf_addf(&sb, "{\"kind\":\"event\",\"repeats\":%llu,\"created\":",
		    (unsigned long long)repeats);
	add_time(&sb, now_us);
	strbuf_addstr(&sb, ",\"event\":");
	strbuf_add(&sb, event_json, len);
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb, NULL);
}

char *kt_alert_record_suppressed(uint64_t n, int64_t since_us,
				 int64_t until_us, const char *host)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "{\"kind\":\"suppressed\",\"suppressed\":%llu,"
		    "\"since\":", (unsigned long long)n);
	add_time(&sb, since_us);
	strbuf_addstr(&sb, ",\"until\":");
	add_time(&sb, until_us);
	strbuf_addstr(&sb, ",\"host\":");
	add_json_str(&sb, host);
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb, NULL);
}

char *kt_alert_record_test(int64_t now_us, const char *host)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "{\"kind\":\"test\",\"created\":");
	add_time(&sb, now_us);
	strbuf_addstr(&sb, ",\"host\":");
	add_json_str(&sb, host);
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------------ words */

struct words {
	const char *host, *time, *severity, *summary, *event, *fingerprint,
		   *repeats, *repeats_fmt, *unknown, *sev[3], *sev_open,
		   *sev_close, *suppressed_fmt, *storm_fmt, *test_title,
		   *test_text;
};

static const struct words words[KT_LANG_NR] = {
	[KT_LANG_EN] = {
		"Host", "Time", "Severity", "Summary", "Event",
		"Fingerprint", "Repeats", "%llu since the last alert",
		"unknown", { "minor", "major", "critical" }, "[", "] ",
		"%llu more alerts suppressed",
		"more alerts than the cap of one minute, from %s to %s",
		"ktriage test alert",
		"a test alert from ktriage: this sink works",
	},
	[KT_LANG_ZH] = {
		"主机", "时间", "级别", "摘要", "事件", "指纹", "重复",
		"自上次告警以来 %llu 次", "未知", { "轻微", "重要", "严重" },
		"【", "】", "另有 %llu 条告警被抑制",
		"%s 至 %s 的告警超过每分钟上限",
		"ktriage 测试告警", "来自 ktriage 的测试告警：此通道工作正常",
	},
};

static const char *const sev_upper[] = { "MINOR", "MAJOR", "CRITICAL" };

/* ------------------------------------------------------------ views */

enum rec_kind { REC_EVENT, REC_SUPPRESSED, REC_TEST };

/* What a record says, whichever kind it is. */
struct view {
	enum rec_kind kind;
	json_t *root;		/* owned; the parsed record */
	const json_t *event;	/* borrowed from root, or NULL */
	const char *raw;	/* borrowed from the record: the event's text */
	size_t raw_len;
	int sev;		/* enum kt_severity */
	const char *type, *subtype, *id, *fingerprint, *host, *time,
		   *message;	/* borrowed from root or opts; may be NULL */
	int64_t start_us;	/* of the alert (Alertmanager startsAt) */
	uint64_t repeats, suppressed;
	struct strbuf title;	/* owned */
	struct strbuf summary;	/* owned; the one-line summary */
};

static const char *get_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static uint64_t get_u64(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	       (uint64_t)json_integer_value(v) : 0;
}

static int sev_from(const char *s)
{
	if (s && !strcmp(s, "critical"))
		return KT_SEV_CRITICAL;
	if (s && !strcmp(s, "minor"))
		return KT_SEV_MINOR;
	return KT_SEV_MAJOR;
}

static int64_t time_or(const char *s, int64_t dflt)
{
	int64_t us = s ? kt_time_parse(s) : KT_NO_TIME;

	return us == KT_NO_TIME ? dflt : us;
}

static void view_release(struct view *v)
{
	json_decref(v->root);
	strbuf_release(&v->title);
	strbuf_release(&v->summary);
}

static int view_init(struct kt_ctx *ctx, struct view *v, const char *record,
		     const struct kt_alertfmt_opts *o)
{
	const struct words *w = &words[o->lang];
	const char *kind, *raw;

	memset(v, 0, sizeof(*v));
	strbuf_init(&v->title, 0);
	strbuf_init(&v->summary, 0);
	v->root = json_loads(record, 0, NULL);
	kind = get_str(v->root, "kind");
	if (!kind)
		return kt_failf(ctx, KT_ERR_FORMAT, "not an alert record");
	v->host = get_str(v->root, "host");
	v->start_us = time_or(get_str(v->root, "created"), o->now_us);
	if (!strcmp(kind, "event")) {
		v->kind = REC_EVENT;
		v->event = json_object_get(v->root, "event");
		if (!json_is_object(v->event))
			return kt_failf(ctx, KT_ERR_FORMAT,
					"an event alert record without its event");
		raw = strstr(record, ",\"event\":");
		if (raw) {
			v->raw = raw + 9;
			v->raw_len = strlen(v->raw);
			while (v->raw_len && kt_is_space((unsigned char)
						v->raw[v->raw_len - 1]))
				v->raw_len--;
			if (v->raw_len < 3 || v->raw[0] != '{' ||
			    v->raw[v->raw_len - 1] != '}')
				v->raw = NULL;
			else
				v->raw_len--;	/* the record's '}' */
		}
		v->repeats = get_u64(v->root, "repeats");
		v->sev = sev_from(get_str(v->event, "severity"));
		v->type = get_str(v->event, "type");
		v->subtype = get_str(v->event, "subtype");
		v->id = get_str(v->event, "id");
		v->fingerprint = get_str(v->event, "fingerprint");
		v->host = get_str(v->event, "host");
		v->time = get_str(v->event, "time");
		v->message = get_str(v->event, "message");
		v->start_us = time_or(v->time, v->start_us);
		strbuf_addstr(&v->title, get_str(v->event, "title") ?
			      get_str(v->event, "title") : "?");
		strbuf_addf(&v->summary, "%s/%s", v->type ? v->type : "?",
			    v->subtype ? v->subtype : "?");
		if (v->message && *v->message)
			strbuf_addf(&v->summary, ": %s", v->message);
	} else if (!strcmp(kind, "suppressed")) {
		const char *since = get_str(v->root, "since"),
			   *until = get_str(v->root, "until");

		v->kind = REC_SUPPRESSED;
		v->sev = KT_SEV_MINOR;
		v->suppressed = get_u64(v->root, "suppressed");
		v->time = until;
		v->start_us = time_or(until, o->now_us);
		strbuf_addf(&v->title, w->suppressed_fmt,
			    (unsigned long long)v->suppressed);
		strbuf_addf(&v->summary, w->storm_fmt, since ? since : "?",
			    until ? until : "?");
	} else if (!strcmp(kind, "test")) {
		v->kind = REC_TEST;
		v->sev = KT_SEV_MINOR;
		v->time = get_str(v->root, "created");
		strbuf_addstr(&v->title, w->test_title);
		strbuf_addstr(&v->summary, w->test_text);
	} else {
		return kt_failf(ctx, KT_ERR_FORMAT,
				"unknown kind of alert record '%s'", kind);
	}
	if (!v->host || !*v->host)
		v->host = o->host;
	return 0;
}

/* ------------------------------------------------------------ text */

static bool is_alnum(int c)
{
	return kt_is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

void kt_alertfmt_defang(struct strbuf *out, const char *s, size_t max)
{
	size_t len = strlen(s), i;
	bool cut = false;

	if (len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		cut = true;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			strbuf_addch(out, '?');
		else if (c == '@')
			strbuf_addstr(out, "\xef\xbc\xa0");	/* U+FF20 */
		else if (c == '<')
			strbuf_addstr(out, "\xef\xbc\x9c");	/* U+FF1C */
		else if (c == '>')
			strbuf_addstr(out, "\xef\xbc\x9e");	/* U+FF1E */
		else if (c == '.' && i && is_alnum((unsigned char)s[i - 1]) &&
			 i + 1 < len && is_alnum((unsigned char)s[i + 1]))
			strbuf_addstr(out, "\xe2\x80\xa4");	/* U+2024 */
		else if (c == ':' && i + 2 < len && s[i + 1] == '/' &&
			 s[i + 2] == '/')
			strbuf_addstr(out, "\xe2\x88\xb6");	/* U+2236 */
		else
			strbuf_addch(out, c);
	}
	if (cut)
		strbuf_addstr(out, "…");
}

/* A clean copy of s cut at max bytes (for the machine formats). */
static void add_cut(struct strbuf *out, const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		strbuf_add_sanitized(out, s, len);
		strbuf_addstr(out, "…");
		return;
	}
	strbuf_add_sanitized(out, s, len);
}

/* One "label: value" line of a chat message. */
struct line {
	const char *label;
	struct strbuf value;	/* owned; defanged, not yet escaped */
	bool is_sev;
};

#define LINES_MAX 8

struct chat {
	struct strbuf heading;	/* owned; defanged: "[CRITICAL] title" */
	struct line line[LINES_MAX];
	size_t nr;
};

static struct strbuf *chat_line(struct chat *c, const char *label)
{
	struct line *l = &c->line[c->nr++];

	l->label = label;
	strbuf_init(&l->value, 0);
	return &l->value;
}

/*
 * Appends the defanged title s to a heading, which is also the plain
 * text of notifications, where it must not look like a Markdown link
 * either: [ ] become U+FF3B and U+FF3D.
 */
static void add_plain(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '[')
			strbuf_addstr(out, "\xef\xbc\xbb");
		else if (*s == ']')
			strbuf_addstr(out, "\xef\xbc\xbd");
		else
			strbuf_addch(out, *s);
	}
}

static void chat_init(struct chat *c, const struct view *v,
		      const struct kt_alertfmt_opts *o)
{
	const struct words *w = &words[o->lang];
	const char *unknown = w->unknown;
	struct strbuf sb_title = STRBUF_INIT, *sb;

	memset(c, 0, sizeof(*c));
	strbuf_init(&c->heading, 0);
	strbuf_addstr(&c->heading, w->sev_open);
	strbuf_addstr(&c->heading, o->lang == KT_LANG_ZH ? w->sev[v->sev] :
		      sev_upper[v->sev]);
	strbuf_addstr(&c->heading, w->sev_close);
	kt_alertfmt_defang(&sb_title, v->title.buf, KT_ALERTFMT_TITLE_MAX);
	add_plain(&c->heading, sb_title.buf);
	strbuf_release(&sb_title);

	kt_alertfmt_defang(chat_line(c, w->host), v->host ? v->host : unknown,
			   KT_ALERTFMT_TITLE_MAX);
	kt_alertfmt_defang(chat_line(c, w->time), v->time ? v->time : unknown,
			   64);
	if (v->kind == REC_EVENT) {
		sb = chat_line(c, w->severity);
		c->line[c->nr - 1].is_sev = true;
		strbuf_addstr(sb, w->sev[v->sev]);
	}
	kt_alertfmt_defang(chat_line(c, w->summary), v->summary.buf,
			   KT_ALERTFMT_TEXT_MAX);
	if (v->kind == REC_EVENT) {
		kt_alertfmt_defang(chat_line(c, w->event),
				   v->id ? v->id : unknown, 64);
		kt_alertfmt_defang(chat_line(c, w->fingerprint),
				   v->fingerprint ? v->fingerprint : unknown,
				   64);
		if (v->repeats) {
			sb = chat_line(c, w->repeats);
			strbuf_addf(sb, w->repeats_fmt,
				    (unsigned long long)v->repeats);
		}
	}
}

static void chat_release(struct chat *c)
{
	size_t i;

	strbuf_release(&c->heading);
	for (i = 0; i < c->nr; i++)
		strbuf_release(&c->line[i].value);
}

/* Dumps j (consumed) compactly into out. */
static int dump(struct kt_ctx *ctx, json_t *j, struct strbuf *out)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!s)
		return kt_failf(ctx, KT_ERR_INTERNAL,
				"cannot write an alert payload");
	strbuf_addstr(out, s);
	free(s);
	return 0;
}

/* ------------------------------------------------------------ formats */

/* The generic webhook and exec: the event object plus "repeats". */
static int fmt_webhook(struct kt_ctx *ctx, const struct view *v,
		       const struct kt_alertfmt_opts *o, struct strbuf *out)
{
	json_t *j;

	if (v->kind == REC_EVENT && v->raw) {
		strbuf_add(out, v->raw, v->raw_len - 1);
		while (out->len && kt_is_space((unsigned char)
					       out->buf[out->len - 1]))
			strbuf_setlen(out, out->len - 1);
		if (json_object_size(v->event))
			strbuf_addch(out, ',');
		strbuf_addf(out, "\"repeats\":%llu}",
			    (unsigned long long)v->repeats);
		return 0;
	}
	if (v->kind == REC_EVENT) {
		j = json_deep_copy(v->event);
		json_object_set_new(j, "repeats",
				    json_integer((json_int_t)v->repeats));
		return dump(ctx, j, out);
	}
	j = json_pack("{s:s,s:s,s:s,s:s?,s:s?}",
		      "kind", v->kind == REC_TEST ? "test" : "suppressed",
		      "title", v->title.buf, "summary", v->summary.buf,
		      "host", v->host, "time", v->time);
	if (j && v->kind == REC_SUPPRESSED) {
		json_object_set_new(j, "suppressed",
				    json_integer((json_int_t)v->suppressed));
		json_object_set(j, "since",
				json_object_get(v->root, "since"));
		json_object_set(j, "until",
				json_object_get(v->root, "until"));
	}
	(void)o;
	return dump(ctx, j, out);
}

static void set_label(json_t *labels, const char *key, const char *value)
{
	if (value && *value)
		json_object_set_new(labels, key, json_string(value));
}

static int fmt_alertmanager(struct kt_ctx *ctx, const struct view *v,
			    const struct kt_alertfmt_opts *o,
			    struct strbuf *out)
{
	json_t *labels = json_object(), *ann = json_object(), *alert;
	struct strbuf sb = STRBUF_INIT;
	int64_t end;

	json_object_set_new(labels, "alertname", json_string(
		v->kind == REC_EVENT ? "KtriageEvent" :
		v->kind == REC_TEST ? "KtriageTest" :
		"KtriageAlertsSuppressed"));
	set_label(labels, "fingerprint", v->fingerprint);
	set_label(labels, "severity", kt_severity_name(v->sev));
	set_label(labels, "type", v->type);
	set_label(labels, "subtype", v->subtype);
	set_label(labels, "host", v->host);
	add_cut(&sb, v->title.buf, KT_ALERTFMT_TITLE_MAX);
	json_object_set_new(ann, "summary", json_string(sb.buf));
	strbuf_reset(&sb);
	add_cut(&sb, v->summary.buf, KT_ALERTFMT_TEXT_MAX);
	json_object_set_new(ann, "description", json_string(sb.buf));
	if (v->id)
		json_object_set_new(ann, "event_id", json_string(v->id));
	if (v->kind == REC_EVENT) {
		strbuf_reset(&sb);
		strbuf_addu(&sb, v->repeats);
		json_object_set_new(ann, "repeats", json_string(sb.buf));
	}
	alert = json_pack("{s:o,s:o}", "labels", labels, "annotations", ann);
	strbuf_reset(&sb);
	kt_time_format(&sb, v->start_us, false);
	json_object_set_new(alert, "startsAt", json_string(sb.buf));
	end = KT_MAX(v->start_us, o->now_us) + o->resolve_us;
	strbuf_reset(&sb);
	kt_time_format(&sb, end, false);
	json_object_set_new(alert, "endsAt", json_string(sb.buf));
	if (o->generator_url && *o->generator_url)
		json_object_set_new(alert, "generatorURL",
				    json_string(o->generator_url));
	strbuf_release(&sb);
	return dump(ctx, json_pack("[o]", alert), out);
}

/* Markdown of DingTalk and WeCom: heading, then one line per fact. */
static void chat_markdown(const struct chat *c, const struct view *v,
			  bool wecom, struct strbuf *out)
{
	static const char *const color[] = { "comment", "warning",
					     "warning" };
	size_t i;

	strbuf_addstr(out, "### ");
	kt_md_escape(out, c->heading.buf);
	strbuf_addstr(out, "\n\n");
	for (i = 0; i < c->nr; i++) {
		const struct line *l = &c->line[i];

		strbuf_addf(out, wecom ? "> **%s**: " : "- **%s**: ",
			    l->label);
		if (wecom && l->is_sev)
			strbuf_addf(out, "<font color=\"%s\">",
				    color[v->sev]);
		kt_md_escape(out, l->value.buf);
		if (wecom && l->is_sev)
			strbuf_addstr(out, "</font>");
		strbuf_addch(out, '\n');
	}
	strbuf_addstr(out, "\n*ktriage*");
}

static int fmt_dingtalk(struct kt_ctx *ctx, const struct view *v,
			const struct kt_alertfmt_opts *o, struct strbuf *out)
{
	struct chat c;
	struct strbuf md = STRBUF_INIT;
	json_t *j;

	chat_init(&c, v, o);
	chat_markdown(&c, v, false, &md);
	j = json_pack("{s:s,s:{s:s,s:s},s:{s:b}}", "msgtype", "markdown",
		      "markdown", "title", c.heading.buf, "text", md.buf,
		      "at", "isAtAll", 0);
	chat_release(&c);
	strbuf_release(&md);
	return dump(ctx, j, out);
}

static int fmt_wecom(struct kt_ctx *ctx, const struct view *v,
		     const struct kt_alertfmt_opts *o, struct strbuf *out)
{
	struct chat c;
	struct strbuf md = STRBUF_INIT;
	json_t *j;

	chat_init(&c, v, o);
	chat_markdown(&c, v, true, &md);
	j = json_pack("{s:s,s:{s:s}}", "msgtype", "markdown", "markdown",
		      "content", md.buf);
	chat_release(&c);
	strbuf_release(&md);
	return dump(ctx, j, out);
}

/* Feishu/Lark "post": rich text of plain text nodes, no markup. */
static int fmt_feishu(struct kt_ctx *ctx, const struct view *v,
		      const struct kt_alertfmt_opts *o, struct strbuf *out)
{
	struct chat c;
	struct strbuf sb = STRBUF_INIT;
	json_t *content = json_array(), *j;
	size_t i;

	chat_init(&c, v, o);
	for (i = 0; i < c.nr; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, o->lang == KT_LANG_ZH ? "%s：%s" : "%s: %s",
			    c.line[i].label, c.line[i].value.buf);
		json_array_append_new(content, json_pack("[{s:s,s:s}]", "tag",
					"text", "text", sb.buf));
	}
	json_array_append_new(content, json_pack("[{s:s,s:s}]", "tag", "text",
						 "text", "ktriage"));
	j = json_pack("{s:s,s:{s:{s:{s:s,s:o}}}}", "msg_type", "post",
		      "content", "post",
		      o->lang == KT_LANG_ZH ? "zh_cn" : "en_us",
		      "title", c.heading.buf, "content", content);
	chat_release(&c);
	strbuf_release(&sb);
	return dump(ctx, j, out);
}

/* Slack's mrkdwn: & < > as entities (defanging left no < or >). */
static void slack_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			strbuf_addstr(out, "&amp;");
		else if (*s == '<')
			strbuf_addstr(out, "&lt;");
		else if (*s == '>')
			strbuf_addstr(out, "&gt;");
		else
			strbuf_addch(out, *s);
	}
}

static int fmt_slack(struct kt_ctx *ctx, const struct view *v,
		     const struct kt_alertfmt_opts *o, struct strbuf *out)
{
	struct chat c;
	struct strbuf sb = STRBUF_INIT, header = STRBUF_INIT;
	json_t *fields = json_array(), *blocks = json_array(), *j;
	size_t i;

	chat_init(&c, v, o);
	/* a header block holds at most 150 characters */
	strbuf_addstr(&header, c.heading.buf);
	if (strlen(header.buf) > 140) {
		size_t n = 140;

		while (n && ((unsigned char)header.buf[n] & 0xc0) == 0x80)
			n--;
		strbuf_setlen(&header, n);
		strbuf_addstr(&header, "…");
	}
	json_array_append_new(blocks, json_pack(
		"{s:s,s:{s:s,s:s,s:b}}", "type", "header", "text", "type",
		"plain_text", "text", header.buf, "emoji", 0));
	for (i = 0; i < c.nr; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "*%s*\n", c.line[i].label);
		slack_escape(&sb, c.line[i].value.buf);
		json_array_append_new(fields, json_pack("{s:s,s:s}", "type",
							"mrkdwn", "text",
							sb.buf));
	}
	json_array_append_new(blocks, json_pack("{s:s,s:o}", "type",
						"section", "fields", fields));
	json_array_append_new(blocks, json_pack(
		"{s:s,s:[{s:s,s:s}]}", "type", "context", "elements", "type",
		"plain_text", "text", "ktriage"));
	strbuf_reset(&sb);
	slack_escape(&sb, c.heading.buf);
	strbuf_addf(&sb, " (%s)", c.line[0].value.buf);
	j = json_pack("{s:s,s:o,s:b,s:b}", "text", sb.buf, "blocks", blocks,
		      "unfurl_links", 0, "unfurl_media", 0);
	chat_release(&c);
	strbuf_release(&sb);
	strbuf_release(&header);
	return dump(ctx, j, out);
}

static int fmt_syslog(const struct view *v, struct strbuf *out,
		      int *priority)
{
	static const int prio[] = { LOG_WARNING, LOG_ERR, LOG_CRIT };

	if (priority)
		*priority = prio[v->sev];
	strbuf_addf(out, "[%s] ", kt_severity_name(v->sev));
	add_cut(out, v->title.buf, KT_ALERTFMT_TITLE_MAX);
	strbuf_addstr(out, " (");
	if (v->kind == REC_EVENT) {
		strbuf_addstr(out, v->type ? v->type : "?");
		strbuf_addch(out, '/');
		strbuf_addstr(out, v->subtype ? v->subtype : "?");
		strbuf_addstr(out, ", ");
	}
	strbuf_addstr(out, "host ");
	add_cut(out, v->host ? v->host : "unknown", KT_ALERTFMT_TITLE_MAX);
	strbuf_addf(out, ", time %s", v->time ? v->time : "unknown");
	if (v->kind == REC_EVENT)
		strbuf_addf(out, ", event %s, fingerprint %s, repeats %llu",
			    v->id ? v->id : "?",
			    v->fingerprint ? v->fingerprint : "?",
			    (unsigned long long)v->repeats);
	strbuf_addch(out, ')');
	return 0;
}

int kt_alertfmt_render(struct kt_ctx *ctx, enum kt_alert_kind kind,
		       const char *record, const struct kt_alertfmt_opts *o,
		       struct strbuf *out, int *priority)
{
	struct view v;
	int rc;

	rc = view_init(ctx, &v, record, o);
	if (!rc && priority)
		*priority = LOG_WARNING;
	if (!rc) {
		switch (kind) {
		case KT_ALERT_WEBHOOK:
		case KT_ALERT_EXEC:
			rc = fmt_webhook(ctx, &v, o, out);
			break;
		case KT_ALERT_ALERTMANAGER:
			rc = fmt_alertmanager(ctx, &v, o, out);
			break;
		case KT_ALERT_DINGTALK:
			rc = fmt_dingtalk(ctx, &v, o, out);
			break;
		case KT_ALERT_FEISHU:
			rc = fmt_feishu(ctx, &v, o, out);
			break;
		case KT_ALERT_WECOM:
			rc = fmt_wecom(ctx, &v, o, out);
			break;
		case KT_ALERT_SLACK:
			rc = fmt_slack(ctx, &v, o, out);
			break;
		case KT_ALERT_SYSLOG:
			rc = fmt_syslog(&v, out, priority);
			break;
		default:
			rc = kt_failf(ctx, KT_ERR_INTERNAL,
				      "unknown kind of sink %d", (int)kind);
		}
	}
	view_release(&v);
	return rc;
}
