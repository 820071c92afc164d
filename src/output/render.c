/*
 * render.c - the scan renderers (see render.h).
 *
 * Eighth stage: annotated events in, bytes out through a callback.
 * JSON goes through jansson; text, markdown and html escape log text
 * for their medium (control bytes, markdown metacharacters, HTML).
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/strmap.h"
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
	char *host;		/* owned or NULL */
	char *cause;		/* owned or NULL: fields.caused_by */
	char *after;		/* owned or NULL: what the cause was */
	uint64_t seq;
};

struct kt_renderer {
	struct kt_render_opts o;
	struct strbuf sb;
	uint64_t n;
	struct record *rec;	/* owned */
	size_t nr_rec, alloc_rec;
	struct kt_strmap ids;	/* event id -> index into id_rec */
	size_t *id_rec;		/* owned: the record of each id */
	size_t alloc_id_rec;
};

static void flush(struct kt_renderer *r)
{
	if (r->sb.len)
		r->o.write(r->o.write_data, r->sb.buf, r->sb.len);
	strbuf_reset(&r->sb);
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

static void write_time(struct kt_jsonw *w, int64_t us)
{
	struct strbuf sb = STRBUF_INIT;

	if (us == KT_NO_TIME) {
		kt_jsonw_null(w);
		return;
	}
	kt_time_format(&sb, us, false);
	kt_jsonw_strn(w, sb.buf, sb.len);
	strbuf_release(&sb);
}

void kt_event_write_json(struct kt_jsonw *w, const struct kt_event *ev,
			 int64_t now_us)
{
	size_t i;

	kt_jsonw_object(w);
	kt_jsonw_key(w, "schema_version");
	kt_jsonw_str(w, "1");
	kt_jsonw_key(w, "id");
	kt_jsonw_str(w, ev->id);
	kt_jsonw_key(w, "type");
	kt_jsonw_str(w, ev->type);
	kt_jsonw_key(w, "subtype");
	kt_jsonw_str(w, ev->subtype);
	kt_jsonw_key(w, "severity");
	kt_jsonw_str(w, kt_severity_name(ev->severity));
	kt_jsonw_key(w, "title");
	kt_jsonw_str(w, ev->title);
	kt_jsonw_key(w, "time");
	write_time(w, ev->wall_us);
	kt_jsonw_key(w, "monotonic");
	if (ev->mono_us >= 0)
		kt_jsonw_real(w, (double)ev->mono_us / 1e6);
	else
		kt_jsonw_null(w);
	kt_jsonw_key(w, "host");
	kt_jsonw_str(w, ev->host);
	kt_jsonw_key(w, "boot");
	kt_jsonw_int(w, ev->boot);
	kt_jsonw_key(w, "source");
	kt_jsonw_object(w);
	kt_jsonw_key(w, "file");
	kt_jsonw_str(w, ev->file);
	kt_jsonw_key(w, "line");
	kt_jsonw_int(w, (int64_t)ev->line);
	kt_jsonw_key(w, "line_end");
	kt_jsonw_int(w, (int64_t)ev->line_end);
	kt_jsonw_end(w);
	kt_jsonw_key(w, "message");
	kt_jsonw_str(w, ev->message);
	kt_jsonw_key(w, "process");
	if (ev->pid >= 0 || ev->comm) {
		kt_jsonw_object(w);
		kt_jsonw_key(w, "pid");
		if (ev->pid >= 0)
			kt_jsonw_int(w, ev->pid);
		else
			kt_jsonw_null(w);
		kt_jsonw_key(w, "comm");
		kt_jsonw_str(w, ev->comm);
		kt_jsonw_end(w);
	} else {
		kt_jsonw_null(w);
	}
	kt_jsonw_key(w, "fields");
	kt_jsonw_value(w, ev->fields);
	kt_jsonw_key(w, "call_trace");
	kt_jsonw_array(w);
	for (i = 0; i < ev->nr_frame; i++) {
		const struct kt_frame *f = &ev->frame[i];

		kt_jsonw_object(w);
		kt_jsonw_key(w, "func");
		kt_jsonw_str(w, f->func);
		kt_jsonw_key(w, "offset");
		kt_jsonw_str(w, f->off);
		kt_jsonw_key(w, "size");
		kt_jsonw_str(w, f->size);
		kt_jsonw_key(w, "module");
		kt_jsonw_str(w, f->module);
		kt_jsonw_key(w, "reliable");
		kt_jsonw_bool(w, f->reliable);
		kt_jsonw_end(w);
	}
	kt_jsonw_end(w);
	kt_jsonw_key(w, "tainted");
	kt_jsonw_str(w, ev->tainted);
	kt_jsonw_key(w, "kernel");
	kt_jsonw_str(w, ev->kernel);
	kt_jsonw_key(w, "fingerprint");
	kt_jsonw_str(w, ev->fingerprint);
	/* compatibility with the original anomalies.ndjson records */
	kt_jsonw_key(w, "detected_at");
	write_time(w, now_us);
	kt_jsonw_key(w, "host_id");
	kt_jsonw_str(w, ev->host);
	kt_jsonw_key(w, "source_file");
	kt_jsonw_str(w, ev->file);
	kt_jsonw_key(w, "line_number");
	kt_jsonw_int(w, (int64_t)ev->line);
	kt_jsonw_end(w);
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
	kt_strmap_init(&r->ids);
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
		free(r->rec[i].host);
		free(r->rec[i].cause);
		free(r->rec[i].after);
	}
	free(r->rec);
	kt_strmap_release(&r->ids);
	free(r->id_rec);
	strbuf_release(&r->sb);
	free(r);
}

static void add_detail(const struct kt_event *ev, struct strbuf *d)
{
	const char *key;
	json_t *v;
	size_t i;

	if (ev->pid >= 0)
		strbuf_addf(d, "process: %s[%lld]\n",
			    ev->comm ? ev->comm : "?", (long long)ev->pid);
	else if (ev->comm)
		strbuf_addf(d, "process: %s\n", ev->comm);
	json_object_foreach(ev->fields, key, v) {
		char *s = json_is_string(v) ? NULL :
			  json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		strbuf_addf(d, "%s: %s\n", key,
			    s ? s : json_string_value(v));
		free(s);
	}
	if (ev->kernel && !json_object_get(ev->fields, "kernel"))
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
	struct kt_jsonw w;

	switch (r->o.format) {
	case KT_FORMAT_NDJSON:
	case KT_FORMAT_JSON:
		if (r->o.format == KT_FORMAT_JSON)
			strbuf_addstr(&r->sb, r->n ? "," : JSON_HEAD);
		kt_jsonw_init(&w, &r->sb);
		kt_event_write_json(&w, ev, r->o.now_us);
		if (r->o.format == KT_FORMAT_NDJSON)
			strbuf_addch(&r->sb, '\n');
		/* write in big blocks: one write per event is slow */
		if (r->sb.len >= 64 * 1024)
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
		rec->host = ev->host ? xstrdup(ev->host) : NULL;
		rec->cause = kt_event_get_str(ev, "caused_by") ?
			     xstrdup(kt_event_get_str(ev, "caused_by")) : NULL;
		rec->after = NULL;
		rec->seq = r->n;
		{
			bool added;
			size_t k = kt_strmap_intern(&r->ids, ev->id, &added);

			if (added) {
				ALLOC_GROW(r->id_rec, k + 1, r->alloc_id_rec);
				r->id_rec[k] = r->nr_rec - 1;
			}
		}
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

/* Says, under an effect, which event caused it: before records move. */
static void name_causes(struct kt_renderer *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, c;

	for (i = 0; i < r->nr_rec; i++) {
		struct record *rec = &r->rec[i];

		if (!rec->cause)
			continue;
		c = kt_strmap_find(&r->ids, rec->cause);
		if (c == KT_STRMAP_NONE)
			continue;
		c = r->id_rec[c];
		strbuf_reset(&sb);
		strbuf_addf(&sb, "after %s %s: %s (%s)", r->rec[c].type,
			    r->rec[c].time, r->rec[c].title, r->rec[c].where);
		rec->after = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&sb);
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
	name_causes(r);
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
		if (s->hosts > 1 && rec->host) {
			strbuf_addstr(o, "  [");
			strbuf_add_sanitized(o, rec->host, strlen(rec->host));
			strbuf_addch(o, ']');
		}
		strbuf_addf(o, "  (%s)\n", rec->where);
		if (rec->after) {
			strbuf_addstr(o, "      <- ");
			strbuf_add_sanitized(o, rec->after,
					     strlen(rec->after));
			strbuf_addch(o, '\n');
		}
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

	flush(r);
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
