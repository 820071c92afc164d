/*
 * render.c - the scan renderers (see render.h).
 *
 * Eighth stage: annotated events in, bytes out through a callback.
 * JSON goes through jansson; text, markdown and html escape log text
 * for their medium (control bytes, markdown metacharacters, HTML).
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "output/render.h"

#define JSON_HEAD "{\"schema_version\":\"1\",\"events\":["
#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | \
		    JSON_REAL_PRECISION(15))

/* Spec order of types in tables; others follow in pack order. */
static const char *const type_order[] = {
	"panic", "oops", "deadlock", "oom", "fs_error", "io_error",
	"hardware", "reboot", "segfault", "warning",
};

static const char *const format_names[] = {
	[KT_FORMAT_TEXT] = "text",
	[KT_FORMAT_JSON] = "json",
	[KT_FORMAT_NDJSON] = "ndjson",
	[KT_FORMAT_MARKDOWN] = "markdown",
	[KT_FORMAT_HTML] = "html",
};

int kt_format_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(format_names); i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	return -1;
}

/* One line of a text/markdown/html listing. */
struct record {
	const char *type;	/* borrowed from the ruleset */
	enum kt_severity severity;
	char *time;		/* owned */
	char *title;		/* owned */
	char *where;		/* owned: file:line */
	char *detail;		/* owned or NULL: -v text */
	uint64_t seq;
};

struct kt_renderer {
	struct kt_render_opts o;
	struct strbuf sb;
	uint64_t n;
	struct record *rec;	/* owned */
	size_t nr_rec, alloc_rec;
};

static void flush(struct kt_renderer *r)
{
	if (r->sb.len)
		r->o.write(r->o.write_data, r->sb.buf, r->sb.len);
	strbuf_reset(&r->sb);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *time_json(int64_t us)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (us == KT_NO_TIME)
		return json_null();
	kt_time_format(&sb, us, false);
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

json_t *kt_event_to_json(const struct kt_event *ev, int64_t now_us)
{
	json_t *o = json_object(), *src, *proc, *trace;
	size_t i;

	json_object_set_new(o, "schema_version", json_string("1"));
	json_object_set_new(o, "id", json_string(ev->id));
	json_object_set_new(o, "type", json_string(ev->type));
	json_object_set_new(o, "subtype", json_string(ev->subtype));
	json_object_set_new(o, "severity",
			    json_string(kt_severity_name(ev->severity)));
	json_object_set_new(o, "title", json_string(ev->title));
	json_object_set_new(o, "time", time_json(ev->wall_us));
	json_object_set_new(o, "monotonic", ev->mono_us >= 0 ?
			    json_real((double)ev->mono_us / 1e6) :
			    json_null());
	json_object_set_new(o, "host", str_or_null(ev->host));
	json_object_set_new(o, "boot", json_integer(ev->boot));
	src = json_object();
	json_object_set_new(src, "file", json_string(ev->file));
	json_object_set_new(src, "line", json_integer((json_int_t)ev->line));
	json_object_set_new(src, "line_end",
			    json_integer((json_int_t)ev->line_end));
	json_object_set_new(o, "source", src);
	json_object_set_new(o, "message", json_string(ev->message));
	if (ev->pid >= 0 || ev->comm) {
		proc = json_object();
		json_object_set_new(proc, "pid", ev->pid >= 0 ?
				    json_integer(ev->pid) : json_null());
		json_object_set_new(proc, "comm", str_or_null(ev->comm));
		json_object_set_new(o, "process", proc);
	} else {
		json_object_set_new(o, "process", json_null());
	}
	json_object_set(o, "fields", ev->fields);
	trace = json_array();
	for (i = 0; i < ev->nr_frame; i++) {
		const struct kt_frame *f = &ev->frame[i];
		json_t *fr = json_object();

		json_object_set_new(fr, "func", json_string(f->func));
		json_object_set_new(fr, "offset", str_or_null(f->off));
		json_object_set_new(fr, "size", str_or_null(f->size));
		json_object_set_new(fr, "module", str_or_null(f->module));
		json_object_set_new(fr, "reliable", json_boolean(f->reliable));
		json_array_append_new(trace, fr);
	}
	json_object_set_new(o, "call_trace", trace);
	json_object_set_new(o, "tainted", str_or_null(ev->tainted));
	json_object_set_new(o, "kernel", str_or_null(ev->kernel));
	json_object_set_new(o, "fingerprint", json_string(ev->fingerprint));
	/* compatibility with the original anomalies.ndjson records */
	json_object_set_new(o, "detected_at", time_json(now_us));
	json_object_set_new(o, "host_id", str_or_null(ev->host));
	json_object_set_new(o, "source_file", json_string(ev->file));
	json_object_set_new(o, "line_number",
			    json_integer((json_int_t)ev->line));
	return o;
}

static void dump_json(struct kt_renderer *r, json_t *j)
{
	char *s = json_dumps(j, JSON_FLAGS);

	if (s) {
		strbuf_addstr(&r->sb, s);
		free(s);
	}
}

struct kt_renderer *kt_renderer_new(const struct kt_render_opts *opts)
{
	struct kt_renderer *r = xcalloc(1, sizeof(*r));

	r->o = *opts;
	strbuf_init(&r->sb, 0);
	return r;
}

void kt_renderer_free(struct kt_renderer *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_rec; i++) {
		free(r->rec[i].time);
		free(r->rec[i].title);
		free(r->rec[i].where);
		free(r->rec[i].detail);
	}
	free(r->rec);
	strbuf_release(&r->sb);
	free(r);
}

static void add_detail(const struct kt_event *ev, struct strbuf *d)
{
	const char *key;
	json_t *v;
	size_t i;

	if (ev->pid >= 0 || ev->comm)
		strbuf_addf(d, "process: %s[%lld]\n",
			    ev->comm ? ev->comm : "?", (long long)ev->pid);
	json_object_foreach(ev->fields, key, v) {
		char *s = json_is_string(v) ? NULL :
			  json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		strbuf_addf(d, "%s: %s\n", key,
			    s ? s : json_string_value(v));
		free(s);
	}
	if (ev->kernel)
		strbuf_addf(d, "kernel: %s\n", ev->kernel);
	if (ev->tainted)
		strbuf_addf(d, "tainted: %s\n", ev->tainted);
	if (ev->nr_frame)
		strbuf_addstr(d, "call trace:\n");
	for (i = 0; i < ev->nr_frame && i < 32; i++) {
		const struct kt_frame *f = &ev->frame[i];

		strbuf_addf(d, "  %s%s", f->reliable ? "" : "? ", f->func);
		if (f->off)
			strbuf_addf(d, "+%s", f->off);
		if (f->size)
			strbuf_addf(d, "/%s", f->size);
		if (f->module)
			strbuf_addf(d, " [%s]", f->module);
		strbuf_addch(d, '\n');
	}
	strbuf_addf(d, "fingerprint: %s  id: %s\n", ev->fingerprint, ev->id);
}

void kt_renderer_event(struct kt_renderer *r, const struct kt_event *ev)
{
	struct record *rec;
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	switch (r->o.format) {
	case KT_FORMAT_NDJSON:
	case KT_FORMAT_JSON:
		if (r->o.format == KT_FORMAT_JSON)
			strbuf_addstr(&r->sb, r->n ? "," : JSON_HEAD);
		j = kt_event_to_json(ev, r->o.now_us);
		dump_json(r, j);
		json_decref(j);
		if (r->o.format == KT_FORMAT_NDJSON)
			strbuf_addch(&r->sb, '\n');
		flush(r);
		break;
	default:
		ALLOC_GROW(r->rec, r->nr_rec + 1, r->alloc_rec);
		rec = &r->rec[r->nr_rec++];
		rec->type = ev->type;
		rec->severity = ev->severity;
		if (ev->wall_us != KT_NO_TIME) {
			kt_time_format(&sb, ev->wall_us, false);
		} else if (ev->mono_us >= 0) {
			strbuf_addf(&sb, "[%lld.%06lld]",
				    (long long)(ev->mono_us / 1000000),
				    (long long)(ev->mono_us % 1000000));
		} else {
			strbuf_addstr(&sb, "-");
		}
		rec->time = strbuf_detach(&sb, NULL);
		rec->title = xstrdup(ev->title);
		strbuf_addf(&sb, "%s:%llu", ev->file,
			    (unsigned long long)ev->line);
		rec->where = strbuf_detach(&sb, NULL);
		rec->detail = NULL;
		rec->seq = r->n;
		if (r->o.verbose) {
			add_detail(ev, &sb);
			rec->detail = strbuf_detach(&sb, NULL);
		}
		break;
	}
	r->n++;
}

/* ------------------------------------------------------------ tables */

static int type_rank(const char *type)
{
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(type_order); i++)
		if (!strcmp(type, type_order[i]))
			return (int)i;
	return (int)KT_ARRAY_SIZE(type_order);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	int rx = type_rank(x->type), ry = type_rank(y->type), c;

	if (rx != ry)
		return rx - ry;
	c = strcmp(x->type, y->type);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Types with events, in table order. */
static size_t ordered_types(const struct kt_summary *s, size_t *idx)
{
	size_t i, j, n = 0;

	for (i = 0; i < s->nr_types; i++) {
		uint64_t tot = s->by_type[i][0] + s->by_type[i][1] +
			       s->by_type[i][2];

		if (!tot)
			continue;
		for (j = n; j > 0 && (type_rank(s->type[idx[j - 1]]) >
				      type_rank(s->type[i])); j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
		n++;
	}
	return n;
}

static const char *sev_color(enum kt_severity s)
{
	return s == KT_SEV_CRITICAL ? "\033[1;31m" :
	       s == KT_SEV_MAJOR ? "\033[33m" : "\033[36m";
}

static void text_finish(struct kt_renderer *r, const struct kt_summary *s)
{
	struct strbuf *o = &r->sb;
	size_t idx[KT_TYPES_MAX], n = ordered_types(s, idx), i;
	const char *last = NULL;
	const char *bold = r->o.color ? "\033[1m" : "";
	const char *reset = r->o.color ? "\033[0m" : "";

	if (!s->events) {
		strbuf_addstr(o, "no anomalies found\n");
		flush(r);
		return;
	}
	strbuf_addf(o, "%s%-12s %8s %8s %8s %8s%s\n", bold, "type",
		    "critical", "major", "minor", "total", reset);
	for (i = 0; i < n; i++) {
		const uint64_t *c = s->by_type[idx[i]];

		strbuf_addf(o, "%-12s %8llu %8llu %8llu %8llu\n",
			    s->type[idx[i]], (unsigned long long)c[2],
			    (unsigned long long)c[1], (unsigned long long)c[0],
			    (unsigned long long)(c[0] + c[1] + c[2]));
	}
	strbuf_addf(o, "%s%-12s %8llu %8llu %8llu %8llu%s\n", bold, "all",
		    (unsigned long long)s->by_severity[2],
		    (unsigned long long)s->by_severity[1],
		    (unsigned long long)s->by_severity[0],
		    (unsigned long long)s->events, reset);
	flush(r);
	qsort(r->rec, r->nr_rec, sizeof(*r->rec), cmp_rec);
	for (i = 0; i < r->nr_rec; i++) {
		const struct record *rec = &r->rec[i];

		if (!last || strcmp(last, rec->type))
			strbuf_addf(o, "\n%s%s%s\n", bold, rec->type, reset);
		last = rec->type;
		strbuf_addf(o, "  %-20s %s%-8s%s ", rec->time,
			    r->o.color ? sev_color(rec->severity) : "",
			    kt_severity_name(rec->severity), reset);
		strbuf_add_sanitized(o, rec->title, strlen(rec->title));
		strbuf_addf(o, "  (%s)\n", rec->where);
		if (rec->detail) {
			const char *p = rec->detail, *nl;

			while ((nl = strchr(p, '\n'))) {
				strbuf_addstr(o, "      ");
				strbuf_add_sanitized(o, p, (size_t)(nl - p));
				strbuf_addch(o, '\n');
				p = nl + 1;
			}
		}
		flush(r);
	}
}

static void md_escape(struct strbuf *o, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_{}[]<>()#+-!|", *s))
			strbuf_addch(o, '\\');
		strbuf_addch(o, *s);
	}
}

static void md_finish(struct kt_renderer *r, const struct kt_summary *s)
{
	struct strbuf *o = &r->sb;
	size_t idx[KT_TYPES_MAX], n = ordered_types(s, idx), i;
	const char *last = NULL;

	strbuf_addstr(o, "# ktriage scan\n\n");
	if (!s->events) {
		strbuf_addstr(o, "No anomalies found.\n");
		flush(r);
		return;
	}
	strbuf_addstr(o, "| type | critical | major | minor | total |\n"
			 "|---|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const uint64_t *c = s->by_type[idx[i]];

		strbuf_addf(o, "| %s | %llu | %llu | %llu | %llu |\n",
			    s->type[idx[i]], (unsigned long long)c[2],
			    (unsigned long long)c[1], (unsigned long long)c[0],
			    (unsigned long long)(c[0] + c[1] + c[2]));
	}
	qsort(r->rec, r->nr_rec, sizeof(*r->rec), cmp_rec);
	for (i = 0; i < r->nr_rec; i++) {
		const struct record *rec = &r->rec[i];

		if (!last || strcmp(last, rec->type))
			strbuf_addf(o, "\n## %s\n\n", rec->type);
		last = rec->type;
		strbuf_addf(o, "- `%s` **%s** ", rec->time,
			    kt_severity_name(rec->severity));
		md_escape(o, rec->title);
		strbuf_addstr(o, " (");
		md_escape(o, rec->where);
		strbuf_addstr(o, ")\n");
		flush(r);
	}
}

static void html_escape(struct strbuf *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			strbuf_addstr(o, "&lt;");
			break;
		case '>':
			strbuf_addstr(o, "&gt;");
			break;
		case '&':
			strbuf_addstr(o, "&amp;");
			break;
		case '"':
			strbuf_addstr(o, "&quot;");
			break;
		case '\'':
			strbuf_addstr(o, "&#39;");
			break;
		default:
			strbuf_addch(o, *s);
		}
	}
}

static void html_finish(struct kt_renderer *r, const struct kt_summary *s)
{
	struct strbuf *o = &r->sb;
	size_t idx[KT_TYPES_MAX], n = ordered_types(s, idx), i;

	strbuf_addstr(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		      "<title>ktriage scan</title><style>"
		      "body{font-family:sans-serif;margin:1em;}"
		      "table{border-collapse:collapse;}"
		      "td,th{border:1px solid #ccc;padding:2px 6px;}"
		      ".critical{color:#b00;font-weight:bold}.major{color:#a60}"
		      ".minor{color:#067}</style></head><body>\n"
		      "<h1>ktriage scan</h1>\n");
	if (!s->events) {
		strbuf_addstr(o, "<p>No anomalies found.</p>\n");
	} else {
		strbuf_addstr(o, "<table><tr><th>type</th><th>critical</th>"
			      "<th>major</th><th>minor</th><th>total</th></tr>\n");
		for (i = 0; i < n; i++) {
			const uint64_t *c = s->by_type[idx[i]];

			strbuf_addf(o, "<tr><td>%s</td><td>%llu</td><td>%llu</td>"
				    "<td>%llu</td><td>%llu</td></tr>\n",
				    s->type[idx[i]], (unsigned long long)c[2],
				    (unsigned long long)c[1],
				    (unsigned long long)c[0],
				    (unsigned long long)(c[0] + c[1] + c[2]));
		}
		strbuf_addstr(o, "</table>\n<table><tr><th>time</th><th>type</th>"
			      "<th>severity</th><th>title</th><th>where</th></tr>\n");
		qsort(r->rec, r->nr_rec, sizeof(*r->rec), cmp_rec);
		for (i = 0; i < r->nr_rec; i++) {
			const struct record *rec = &r->rec[i];

			strbuf_addstr(o, "<tr><td>");
			html_escape(o, rec->time);
			strbuf_addf(o, "</td><td>%s</td><td class=\"%s\">%s</td><td>",
				    rec->type, kt_severity_name(rec->severity),
				    kt_severity_name(rec->severity));
			html_escape(o, rec->title);
			strbuf_addstr(o, "</td><td>");
			html_escape(o, rec->where);
			strbuf_addstr(o, "</td></tr>\n");
			flush(r);
		}
		strbuf_addstr(o, "</table>\n");
	}
	strbuf_addstr(o, "</body></html>\n");
	flush(r);
}

static json_t *summary_json(const struct kt_summary *s)
{
	json_t *o = json_object(), *bt = json_object(), *bs = json_object();
	size_t i;

	json_object_set_new(o, "events", json_integer((json_int_t)s->events));
	for (i = 0; i < 3; i++)
		json_object_set_new(bs, kt_severity_name((enum kt_severity)i),
				    json_integer((json_int_t)
						 s->by_severity[i]));
	for (i = 0; i < s->nr_types; i++) {
		json_t *t;
		size_t k;

		if (!(s->by_type[i][0] + s->by_type[i][1] + s->by_type[i][2]))
			continue;
		t = json_object();
		for (k = 0; k < 3; k++)
			json_object_set_new(t,
				kt_severity_name((enum kt_severity)k),
				json_integer((json_int_t)s->by_type[i][k]));
		json_object_set_new(bt, s->type[i], t);
	}
	json_object_set_new(o, "by_severity", bs);
	json_object_set_new(o, "by_type", bt);
	json_object_set_new(o, "boots", json_integer((json_int_t)s->boots));
	json_object_set_new(o, "hosts", json_integer((json_int_t)s->hosts));
	json_object_set_new(o, "first_time", time_json(s->first_us));
	json_object_set_new(o, "last_time", time_json(s->last_us));
	return o;
}

void kt_renderer_finish(struct kt_renderer *r, const struct kt_summary *s)
{
	json_t *j;

	switch (r->o.format) {
	case KT_FORMAT_JSON:
		if (!r->n)
			strbuf_addstr(&r->sb, JSON_HEAD);
		strbuf_addstr(&r->sb, "],\"summary\":");
		j = summary_json(s);
		dump_json(r, j);
		json_decref(j);
		strbuf_addstr(&r->sb, "}\n");
		flush(r);
		break;
	case KT_FORMAT_TEXT:
		text_finish(r, s);
		break;
	case KT_FORMAT_MARKDOWN:
		md_finish(r, s);
		break;
	case KT_FORMAT_HTML:
		html_finish(r, s);
		break;
	case KT_FORMAT_NDJSON:
		break;
	}
}
