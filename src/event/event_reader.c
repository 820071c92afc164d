/*
 * event_reader.c - an event object (JSON) back into a struct kt_event.
 *
 * Part of the event stage, for events that were built before: the store
 * hands their JSON to stats and reports (see event_reader.h).  Every
 * key is checked for its type; nothing in the text is trusted.
 */
#include "base/compat.h"
#include "base/strmap.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "event/event_reader.h"
#include <limits.h>
#include <math.h>

struct kt_event_reader {
	struct kt_strmap pool;	/* type, subtype and file names */
};

struct kt_event_reader *kt_event_reader_new(void)
{
	struct kt_event_reader *r = xcalloc(1, sizeof(*r));

	kt_strmap_init(&r->pool);
	return r;
}

void kt_event_reader_free(struct kt_event_reader *r)
{
	if (!r)
		return;
	kt_strmap_release(&r->pool);
	free(r);
}

static const char *intern(struct kt_event_reader *r, const char *s)
{
	/* interning may move keys[]: index it afterwards */
	size_t i = kt_strmap_intern(&r->pool, s, NULL);

	return r->pool.keys[i];
}

static int bad(struct kt_ctx *ctx, const char *key, const char *want)
{
	return kt_failf(ctx, KT_ERR_PARSE, "event: '%s' is not %s", key, want);
}

/* A string member; NULL when missing or null and null is allowed. */
static int get_str(struct kt_ctx *ctx, const json_t *o, const char *key,
		   bool nullable, const char **out)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if ((!v || json_is_null(v)) && nullable)
		return 0;
	if (!json_is_string(v))
		return bad(ctx, key, nullable ? "a string or null" :
			   "a string");
	*out = json_string_value(v);
	return 0;
}

static int get_dup(struct kt_ctx *ctx, const json_t *o, const char *key,
		   bool nullable, char **out)
{
	const char *s;
	int rc = get_str(ctx, o, key, nullable, &s);

	if (!rc && s)
		*out = xstrdup(s);
	return rc;
}

static int get_int(struct kt_ctx *ctx, const json_t *o, const char *key,
		   int64_t min, int64_t max, int64_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return bad(ctx, key, "an integer in range");
	*out = json_integer_value(v);
	return 0;
}

static int get_hash(struct kt_ctx *ctx, const json_t *o, const char *key,
		    char out[17])
{
	const char *s;
	size_t i;

	if (get_str(ctx, o, key, false, &s))
		return KT_ERR_PARSE;
	for (i = 0; i < 16; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			break;
	if (i != 16 || s[16])
		return bad(ctx, key, "16 hex digits");
	memcpy(out, s, 17);
	return 0;
}

static int get_severity(struct kt_ctx *ctx, const json_t *o,
			enum kt_severity *out)
{
	const char *s;
	int i;

	if (get_str(ctx, o, "severity", false, &s))
		return KT_ERR_PARSE;
	for (i = KT_SEV_MINOR; i <= KT_SEV_CRITICAL; i++) {
		if (!strcmp(s, kt_severity_name((enum kt_severity)i))) {
			*out = (enum kt_severity)i;
			return 0;
		}
	}
	return bad(ctx, "severity", "critical, major or minor");
}

static int get_times(struct kt_ctx *ctx, const json_t *o,
		     struct kt_event *ev)
{
	const json_t *v = json_object_get(o, "monotonic");
	const char *s;

	if (get_str(ctx, o, "time", true, &s))
		return KT_ERR_PARSE;
	ev->wall_us = s ? kt_time_parse(s) : KT_NO_TIME;
	if (s && ev->wall_us == KT_NO_TIME)
		return bad(ctx, "time", "an RFC 3339 time or null");
	ev->mono_us = -1;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0 ||
	    json_number_value(v) > 9e12)
		return bad(ctx, "monotonic", "seconds or null");
	ev->mono_us = llround(json_number_value(v) * 1e6);
	return 0;
}

static int get_source(struct kt_ctx *ctx, struct kt_event_reader *r,
		      const json_t *o, struct kt_event *ev)
{
	const json_t *src = json_object_get(o, "source");
	const char *file;
	int64_t line, end;

	if (!json_is_object(src))
		return bad(ctx, "source", "an object");
	if (get_str(ctx, src, "file", true, &file) ||
	    get_int(ctx, src, "line", 0, INT64_MAX, &line) ||
	    get_int(ctx, src, "line_end", 0, INT64_MAX, &end))
		return KT_ERR_PARSE;
	ev->file = intern(r, file ? file : "-");
	ev->line = (uint64_t)line;
	ev->line_end = (uint64_t)end;
	return 0;
}

static int get_process(struct kt_ctx *ctx, const json_t *o,
		       struct kt_event *ev)
{
	const json_t *p = json_object_get(o, "process"), *pid;

	ev->pid = -1;
	if (!p || json_is_null(p))
		return 0;
	if (!json_is_object(p))
		return bad(ctx, "process", "an object or null");
	pid = json_object_get(p, "pid");
	if (pid && !json_is_null(pid) &&
	    get_int(ctx, p, "pid", 0, INT64_MAX, &ev->pid))
		return KT_ERR_PARSE;
	return get_dup(ctx, p, "comm", true, &ev->comm);
}

static int get_frames(struct kt_ctx *ctx, const json_t *o,
		      struct kt_event *ev)
{
	const json_t *a = json_object_get(o, "call_trace"), *f;
	size_t i;

	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return bad(ctx, "call_trace", "a list");
	if (!json_array_size(a))
		return 0;
	ev->frame = xcalloc(json_array_size(a), sizeof(*ev->frame));
	json_array_foreach(a, i, f) {
		const char *part[4];
		struct kt_str s[4];
		const json_t *rel;
		size_t k;

		if (!json_is_object(f))
			return bad(ctx, "call_trace", "a list of frames");
		if (get_str(ctx, f, "func", false, &part[0]) ||
		    get_str(ctx, f, "offset", true, &part[1]) ||
		    get_str(ctx, f, "size", true, &part[2]) ||
		    get_str(ctx, f, "module", true, &part[3]))
			return KT_ERR_PARSE;
		for (k = 0; k < 4; k++)
			s[k] = part[k] ? kt_str_make(part[k], strlen(part[k])) :
			       KT_STR_NULL;
		kt_frame_set(&ev->frame[i], s[0], s[1], s[2], s[3]);
		ev->nr_frame = i + 1;
		rel = json_object_get(f, "reliable");
		if (rel && !json_is_boolean(rel))
			return bad(ctx, "reliable", "true or false");
		ev->frame[i].reliable = !rel || json_is_true(rel);
	}
	return 0;
}

static int fill(struct kt_ctx *ctx, struct kt_event_reader *r,
		const json_t *o, struct kt_event *ev)
{
	const json_t *fields = json_object_get(o, "fields");
	const char *type, *subtype, *schema;
	int64_t boot;

	if (get_str(ctx, o, "schema_version", true, &schema))
		return KT_ERR_PARSE;
	if (schema && strcmp(schema, "1"))
		return kt_failf(ctx, KT_ERR_PARSE,
				"event: schema_version '%s' is not 1", schema);
	if (get_hash(ctx, o, "id", ev->id) ||
	    get_hash(ctx, o, "fingerprint", ev->fingerprint) ||
	    get_str(ctx, o, "type", false, &type) ||
	    get_str(ctx, o, "subtype", false, &subtype) ||
	    get_severity(ctx, o, &ev->severity) ||
	    get_dup(ctx, o, "title", false, &ev->title) ||
	    get_times(ctx, o, ev) ||
	    get_dup(ctx, o, "host", true, &ev->host) ||
	    get_int(ctx, o, "boot", 0, UINT_MAX, &boot) ||
	    get_source(ctx, r, o, ev) ||
	    get_dup(ctx, o, "message", false, &ev->message) ||
	    get_process(ctx, o, ev) ||
	    get_frames(ctx, o, ev) ||
	    get_dup(ctx, o, "tainted", true, &ev->tainted) ||
	    get_dup(ctx, o, "kernel", true, &ev->kernel))
		return KT_ERR_PARSE;
	if (!*type || !*subtype)
		return bad(ctx, *type ? "subtype" : "type",
			   "a name");
	if (!json_is_object(fields))
		return bad(ctx, "fields", "an object");
	ev->type = intern(r, type);
	ev->subtype = intern(r, subtype);
	ev->boot = (unsigned)boot;
	ev->fields = json_incref((json_t *)fields);
	ev->is_boot = !strcmp(type, "reboot");
	ev->prev_last_wall_us = KT_NO_TIME;
	return 0;
}

int kt_event_reader_parse(struct kt_ctx *ctx, struct kt_event_reader *r,
			  const char *json, size_t len,
			  struct kt_event **out)
{
	struct kt_event *ev = xcalloc(1, sizeof(*ev));
	json_error_t jerr;
	json_t *o;
	int rc;

	*out = NULL;
	ev->pid = -1;
	o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		rc = kt_failf(ctx, KT_ERR_PARSE, "event: %s", jerr.text);
	} else if (!json_is_object(o)) {
		rc = kt_failf(ctx, KT_ERR_PARSE, "event: not a JSON object");
	} else {
		rc = fill(ctx, r, o, ev);
	}
	json_decref(o);
	if (rc) {
		kt_event_free(ev);
		return rc;
	}
	*out = ev;
	return 0;
}
