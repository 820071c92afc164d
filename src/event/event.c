/*
 * event.c - report -> event: facts, guilty frame, title, hashes.
 *
 * Fifth stage (see event.h).  Everything here is driven by the rule
 * pack: field types, title templates, the process mapping of the head
 * rule and the guilty_skip list; no report type is special-cased.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/parse.h"
#include "base/strmap.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "event/event.h"

/*
 * What the guilty-frame search learnt about a function name: the
 * guilty_skip and stall_anchors patterns are many, the names few.
 */
#define MEMO_UNKNOWN (-2)
#define MEMO_MAX 4096		/* names remembered; then it starts over */

struct func_memo {
	int8_t skip;		/* MEMO_UNKNOWN, 0 or 1 */
	int32_t anchor;		/* MEMO_UNKNOWN, -1 (none) or its index */
};

struct kt_event_builder {
	const struct kt_ruleset *rs;	/* borrowed */
	uint16_t f_pid, f_comm, f_tainted, f_kernel, f_rip, f_rip_module;
	uint16_t f_func, f_off, f_size, f_module, f_unreliable;
	struct strbuf sb;	/* scratch */
	struct kt_strmap names;	/* function base names -> memo[] */
	struct func_memo *memo;	/* owned */
	size_t alloc_memo;
	bool *guilty;		/* owned; per rule: wants_guilty() */
};

void kt_event_free(struct kt_event *ev)
{
	size_t i;

	if (!ev)
		return;
	free(ev->title);
	free(ev->host);
	free(ev->message);
	free(ev->comm);
	free(ev->tainted);
	free(ev->kernel);
	json_decref(ev->fields);
	for (i = 0; i < ev->nr_frame; i++)
		kt_frame_release(&ev->frame[i]);
	free(ev->frame);
	free(ev);
}

/* Rules that name a guilty frame in a title or say where to find it. */
static bool wants_guilty(const struct kt_rule *rule)
{
	size_t i;

	if (rule->nr_guilty_from || rule->guilty_stall)
		return true;
	for (i = 0; i < rule->nr_title; i++)
		if (strstr(rule->title[i], "{guilty_"))
			return true;
	return false;
}

struct kt_event_builder *kt_event_builder_new(const struct kt_ruleset *rs)
{
	struct kt_event_builder *eb = xcalloc(1, sizeof(*eb));
	size_t i;

	eb->rs = rs;
	eb->f_pid = kt_ruleset_field_find(rs, "pid");
	eb->f_comm = kt_ruleset_field_find(rs, "comm");
	eb->f_tainted = kt_ruleset_field_find(rs, "tainted");
	eb->f_kernel = kt_ruleset_field_find(rs, "kernel");
	eb->f_rip = kt_ruleset_field_find(rs, "rip");
	eb->f_rip_module = kt_ruleset_field_find(rs, "rip_module");
	eb->f_func = kt_ruleset_field_find(rs, "func");
	eb->f_off = kt_ruleset_field_find(rs, "off");
	eb->f_size = kt_ruleset_field_find(rs, "size");
	eb->f_module = kt_ruleset_field_find(rs, "module");
	eb->f_unreliable = kt_ruleset_field_find(rs, "unreliable");
	strbuf_init(&eb->sb, 0);
	kt_strmap_init(&eb->names);
	eb->guilty = xcalloc(rs->nr_rules + 1, sizeof(*eb->guilty));
	for (i = 0; i < rs->nr_rules; i++)
		eb->guilty[i] = wants_guilty(&rs->rule[i]);
	return eb;
}

void kt_event_builder_free(struct kt_event_builder *eb)
{
	if (!eb)
		return;
	strbuf_release(&eb->sb);
	kt_strmap_release(&eb->names);
	free(eb->memo);
	free(eb->guilty);
	free(eb);
}

/*
 * True when s needs no repair: then *len is its length without the
 * trailing blanks the repaired form would lose too.
 */
static bool clean_len(const char *s, size_t *len)
{
	size_t n = strlen(s);

	if (!kt_utf8_clean(s, n))
		return false;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return true;
}

/* A clean, owned copy of untrusted text. */
static char *clean_dup(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;

	if (!s)
		return NULL;
	if (clean_len(s, &len))
		return xmemdupz(s, len);
	kt_utf8_sanitize(&sb, s, strlen(s));
	strbuf_rtrim(&sb);
	return strbuf_detach(&sb, NULL);
}

static json_t *clean_json_str(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	json_t *j;

	/* kt_utf8_clean() checks what json_stringn() would */
	if (clean_len(s, &len)) {
		j = json_stringn_nocheck(s, len);
		return j ? j : json_string("");
	}
	kt_utf8_sanitize(&sb, s, strlen(s));
	strbuf_rtrim(&sb);
	j = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return j ? j : json_string("");
}

/* Decimal, or hex with 0x; false when it is not a number. */
static bool parse_int(const char *s, int64_t *out)
{
	struct kt_str t = kt_str_trim(kt_str_cstr(s));
	uint64_t u;

	if (t.len > 2 && t.p[0] == '0' && (t.p[1] == 'x' || t.p[1] == 'X')) {
		const char *p = t.p;

		if (kt_parse_hex(&p, t.p + t.len, &u) || p != t.p + t.len ||
		    u > INT64_MAX)
			return false;
		*out = (int64_t)u;
		return true;
	}
	return !kt_str_to_i64(t, out);
}

static json_t *typed_value(enum kt_field_type type, const char *v)
{
	int64_t n;

	switch (type) {
	case KT_FIELD_INT:
		return parse_int(v, &n) ? json_integer(n) : NULL;
	case KT_FIELD_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
			return json_true();
		if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
			return json_false();
		return NULL;
	default:
		return clean_json_str(v);
	}
}

static bool internal_field(const struct kt_event_builder *eb, uint16_t f)
{
	return f == eb->f_pid || f == eb->f_comm || f == eb->f_tainted ||
	       f == eb->f_kernel || f == eb->f_func || f == eb->f_off ||
	       f == eb->f_size || f == eb->f_module || f == eb->f_unreliable;
}

/* Does the head rule keep this field in fields as well? */
static bool kept(const struct kt_rule *head, const char *name)
{
	size_t i;

	for (i = 0; head && i < head->nr_keep_fields; i++)
		if (!strcmp(head->keep_fields[i], name))
			return true;
	return false;
}

static int cmp_items(const void *a, const void *b)
{
	const struct kt_ritem *x = *(const struct kt_ritem *const *)a;
	const struct kt_ritem *y = *(const struct kt_ritem *const *)b;

	return x->sort_key < y->sort_key ? 1 : x->sort_key > y->sort_key ?
	       -1 : 0;
}

static void build_lists(struct kt_event_builder *eb,
			const struct kt_report *r, json_t *fields)
{
	const struct kt_ruleset *rs = eb->rs;
	const struct kt_ritem **sorted;
	size_t i, j;

	if (!r->nr_item)
		return;
	sorted = xcalloc(r->nr_item, sizeof(*sorted));
	for (i = 0; i < r->nr_item; i++)
		sorted[i] = &r->item[i];
	/* stable enough: items of unsorted lists all have key 0 */
	for (i = 0; i < r->nr_item; i++)
		if (sorted[i]->spec->sort_by >= 0)
			break;
	if (i < r->nr_item)
		qsort(sorted, r->nr_item, sizeof(*sorted), cmp_items);
	for (i = 0; i < r->nr_item; i++) {
		const struct kt_ritem *it = sorted[i];
		const struct kt_rule_collect *c = it->spec;
		const char *name = rs->field[it->field].name;
		json_t *arr = json_object_get(fields, name), *v;

		if (!json_is_array(arr)) {
			arr = json_array();
			json_object_set_new(fields, name, arr);
		}
		if (!c->nr_item) {
			json_array_append_new(arr, clean_json_str(it->val[0]));
			continue;
		}
		v = json_object();
		for (j = 0; j < c->nr_item; j++) {
			json_t *x;

			if (!it->val[j])
				continue;
			x = c->item[j].is_int ?
			    typed_value(KT_FIELD_INT, it->val[j]) :
			    clean_json_str(it->val[j]);
			if (x)
				json_object_set_new(v, c->item[j].key, x);
		}
		json_array_append_new(arr, v);
	}
	free(sorted);
}

/* "func+0x1d/0x30 [mod]" or "func+0x1d" -> frame parts. */
static bool split_symbol(const char *s, struct kt_frame *f)
{
	const char *plus, *slash, *end, *sp, *tok;
	struct kt_str off = KT_STR_NULL, size = KT_STR_NULL;
	struct kt_str module = KT_STR_NULL;
	size_t flen;

	memset(f, 0, sizeof(*f));
	while (*s == ' ')
		s++;
	end = s + strlen(s);
	sp = strchr(s, ' ');
	tok = sp ? sp : end;	/* the symbol ends at the first space */
	plus = memchr(s, '+', (size_t)(tok - s));
	flen = (size_t)((plus ? plus : tok) - s);
	if (!flen || flen > 200)
		return false;
	if (plus) {
		slash = memchr(plus, '/', (size_t)(tok - plus));
		off = kt_str_make(plus + 1,
				  (size_t)((slash ? slash : tok) - plus - 1));
		if (slash)
			size = kt_str_make(slash + 1,
					   (size_t)(tok - slash - 1));
	}
	if (sp) {
		const char *lb = strchr(sp, '['), *rb;

		if (lb && (rb = strchr(lb, ']')) && rb > lb + 1)
			module = kt_str_make(lb + 1, (size_t)(rb - lb - 1));
	}
	kt_frame_set(f, kt_str_make(s, flen), off, size, module);
	f->reliable = true;
	return true;
}

static void frame_clear(struct kt_frame *f)
{
	kt_frame_release(f);
	memset(f, 0, sizeof(*f));
}

/*
 * d: a clean copy of s, each string as clean_dup() makes it, in one
 * allocation.
 */
static void frame_copy_clean(struct kt_frame *d, const struct kt_frame *s)
{
	const char *src[] = { s->func, s->off, s->size, s->module };
	struct strbuf tmp[KT_ARRAY_SIZE(src)];
	struct kt_str v[KT_ARRAY_SIZE(src)];
	size_t i, len;

	for (i = 0; i < KT_ARRAY_SIZE(src); i++) {
		strbuf_init(&tmp[i], 0);
		if (!src[i]) {
			v[i] = KT_STR_NULL;
		} else if (clean_len(src[i], &len)) {
			v[i] = kt_str_make(src[i], len);
		} else {
			kt_utf8_sanitize(&tmp[i], src[i], strlen(src[i]));
			strbuf_rtrim(&tmp[i]);
			v[i] = kt_str_make(tmp[i].buf, tmp[i].len);
		}
	}
	kt_frame_set(d, v[0], v[1], v[2], v[3]);
	d->reliable = s->reliable;
	for (i = 0; i < KT_ARRAY_SIZE(src); i++)
		strbuf_release(&tmp[i]);
}

/* Strips compiler suffixes: foo.cold, foo.isra.0, foo.constprop.3 */
static size_t base_len(const char *func)
{
	const char *dot = strchr(func, '.');

	return dot && dot != func ? (size_t)(dot - func) : strlen(func);
}

/* The memo of func's base name, added (all unknown) when new. */
static struct func_memo *memo_of(struct kt_event_builder *eb,
				 const char *func)
{
	bool added;
	size_t i;

	if (eb->names.nr >= MEMO_MAX)
		kt_strmap_release(&eb->names);
	strbuf_reset(&eb->sb);
	strbuf_add(&eb->sb, func, base_len(func));
	i = kt_strmap_intern(&eb->names, eb->sb.buf, &added);
	if (added) {
		ALLOC_GROW(eb->memo, i + 1, eb->alloc_memo);
		eb->memo[i].skip = MEMO_UNKNOWN;
		eb->memo[i].anchor = MEMO_UNKNOWN;
	}
	return &eb->memo[i];
}

static bool skipped(struct kt_event_builder *eb, const char *func)
{
	struct func_memo *mo = memo_of(eb, func);

	if (mo->skip == MEMO_UNKNOWN)
		mo->skip = kt_ruleset_skip_frame(eb->rs, func, base_len(func));
	return mo->skip;
}

static const struct kt_anchor *anchor_of(struct kt_event_builder *eb,
					 const char *func)
{
	struct func_memo *mo = memo_of(eb, func);

	if (mo->anchor == MEMO_UNKNOWN) {
		const struct kt_anchor *a = kt_ruleset_anchor_frame(eb->rs,
					func, base_len(func));

		mo->anchor = a ? (int32_t)(a - eb->rs->anchor) : -1;
	}
	return mo->anchor >= 0 ? &eb->rs->anchor[mo->anchor] : NULL;
}

struct cand {
	const char *func;	/* borrowed */
	const char *module;	/* borrowed or NULL */
};

#define CAND_MAX (KT_REPORT_FRAMES_MAX + 16)

/*
 * Candidates for the guilty frame, in order: the functions of the head
 * rule's guilty_from fields (default: the RIP), then the call trace
 * (only its reliable frames when it has any).
 */
static size_t candidates(const struct kt_event *ev, struct kt_frame *parsed,
			 size_t *nr_parsed, struct cand *c)
{
	static const char *const def[] = { "rip" };
	const char *const *from = def;
	size_t nr_from = 1, n = 0, i, j;
	bool any_reliable = false;

	if (ev->rule && ev->rule->nr_guilty_from) {
		from = (const char *const *)ev->rule->guilty_from;
		nr_from = ev->rule->nr_guilty_from;
	}
	*nr_parsed = 0;
	for (i = 0; i < nr_from; i++) {
		json_t *v = json_object_get(ev->fields, from[i]), *x;
		size_t k, count = json_is_array(v) ? json_array_size(v) : 1;

		for (k = 0; k < count && *nr_parsed < 16; k++) {
			x = json_is_array(v) ? json_array_get(v, k) : v;
			if (!json_is_string(x) ||
			    !split_symbol(json_string_value(x),
					  &parsed[*nr_parsed]))
				continue;
			c[n].func = parsed[*nr_parsed].func;
			c[n].module = parsed[*nr_parsed].module;
			(*nr_parsed)++;
			n++;
		}
	}
	for (j = 0; j < ev->nr_frame; j++)
		if (ev->frame[j].reliable)
			any_reliable = true;
	for (j = 0; j < ev->nr_frame && n < CAND_MAX; j++) {
		if (any_reliable && !ev->frame[j].reliable)
			continue;
		c[n].func = ev->frame[j].func;
		c[n].module = ev->frame[j].module;
		n++;
	}
	return n;
}

/*
 * The guilty frame: the first candidate that is not machinery; in stall
 * mode (lockups, RCU stalls: the CPU loops somewhere in a long path) the
 * last candidate before the first dispatching "anchor" frame, which
 * names the operation rather than a random point of the loop.
 */
static void find_guilty(struct kt_event_builder *eb,
			const struct kt_event *ev, char **func, char **module)
{
	struct kt_frame parsed[16];
	struct cand c[CAND_MAX];
	const struct cand *first = NULL, *prev = NULL, *pick = NULL;
	struct cand named = { NULL, NULL };
	size_t nr_parsed, n, i;

	n = candidates(ev, parsed, &nr_parsed, c);
	for (i = 0; i < n; i++) {
		bool stall = ev->rule && ev->rule->guilty_stall;
		const struct kt_anchor *a = stall ?
			anchor_of(eb, c[i].func) : NULL;

		if (a) {
			/* the frame above the dispatcher names the work */
			if (a->name) {
				named.func = a->name;
				pick = &named;
			} else {
				pick = prev;
			}
			break;
		}
		if (skipped(eb, c[i].func))
			continue;
		if (!first)
			first = &c[i];
		if (!stall)
			break;
		prev = &c[i];
	}
	if (!pick)
		pick = first;
	/* titles name the function, not its compiler clones (.isra.0) */
	*func = NULL;
	if (pick) {
		struct strbuf name = STRBUF_INIT, base = STRBUF_INIT;

		strbuf_add(&base, pick->func, base_len(pick->func));
		kt_ruleset_rename(eb->rs, base.buf, &name);
		*func = strbuf_detach(&name, NULL);
		strbuf_release(&base);
	}
	*module = pick && pick->module ? xstrdup(pick->module) : NULL;
	for (i = 0; i < nr_parsed; i++)
		frame_clear(&parsed[i]);
}

static const char *field_text(const struct kt_event *ev, const char *name,
			      struct strbuf *tmp)
{
	json_t *v = json_object_get(ev->fields, name);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		strbuf_reset(tmp);
		strbuf_addf(tmp, "%lld", (long long)json_integer_value(v));
		return tmp->buf;
	}
	if (!strcmp(name, "subtype"))
		return ev->subtype;
	if (!strcmp(name, "type"))
		return ev->type;
	if (!strcmp(name, "comm"))
		return ev->comm;
	if (!strcmp(name, "pid") && ev->pid >= 0) {
		strbuf_reset(tmp);
		strbuf_addf(tmp, "%lld", (long long)ev->pid);
		return tmp->buf;
	}
	return NULL;
}

/*
 * Renders the template from *pp up to the closing ']' (or the end) into
 * out.  Returns false when a required field was missing.
 */
static bool render(const struct kt_event *ev, const char **pp,
		   struct strbuf *out)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *p = *pp;
	bool ok = true;

	while (*p && *p != ']') {
		if (*p == '[') {
			size_t mark = out->len;

			p++;
			if (!render(ev, &p, out))
				strbuf_setlen(out, mark);
			if (*p == ']')
				p++;
		} else if (*p == '{') {
			const char *close = strchr(p, '}'), *bar;
			char name[64];
			const char *v;
			size_t n;

			if (!close) {
				strbuf_addstr(out, p);
				p += strlen(p);
				break;
			}
			bar = memchr(p, '|', (size_t)(close - p));
			n = (size_t)((bar ? bar : close) - p - 1);
			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if (name[0] == '?') {
				/* {?field}: required, not printed */
				v = field_text(ev, name + 1, &tmp);
				if (!v || !*v)
					ok = false;
				p = close + 1;
				continue;
			}
			v = field_text(ev, name, &tmp);
			if (v && *v)
				strbuf_addstr(out, v);
			else if (bar)
				strbuf_add(out, bar + 1,
					   (size_t)(close - bar - 1));
			else
				ok = false;
			p = close + 1;
		} else if (*p == '\\' && p[1]) {
			strbuf_addch(out, p[1]);
			p += 2;
		} else {
			strbuf_addch(out, *p++);
		}
	}
	strbuf_release(&tmp);
	*pp = p;
	return ok;
}

/* Title without numbers, for the fingerprint. */
static void normalize(const char *s, struct strbuf *out)
{
	const char *p = s;

	while (*p) {
		if (kt_is_digit((unsigned char)*p)) {
			while (kt_is_xdigit((unsigned char)*p) || *p == 'x')
				p++;
			strbuf_addch(out, 'N');
		} else {
			strbuf_addch(out, *p++);
		}
	}
}

void kt_event_set_title(struct kt_event *ev, const char *title)
{
	struct strbuf n = STRBUF_INIT;
	uint64_t h;

	free(ev->title);
	ev->title = clean_dup(title);
	normalize(ev->title, &n);
	h = kt_hash_str(KT_HASH_INIT, ev->type);
	h = kt_hash_str(h, ev->subtype);
	h = kt_hash_str(h, n.buf);
	kt_hash_hex(h, ev->fingerprint);
	strbuf_release(&n);
}

void kt_event_retitle(struct kt_event *ev)
{
	struct strbuf t = STRBUF_INIT;
	const char *tpl;
	size_t i;

	if (!ev->rule || !ev->rule->nr_title) {
		kt_event_set_title(ev, ev->type);
		return;
	}
	/* the first template whose fields are all known; else the last */
	for (i = 0; i < ev->rule->nr_title; i++) {
		strbuf_reset(&t);
		tpl = ev->rule->title[i];
		if (render(ev, &tpl, &t))
			break;
	}
	kt_event_set_title(ev, t.buf);
	strbuf_release(&t);
}

static void fill_id(struct kt_event *ev)
{
	char line[32];
	uint64_t h;

	snprintf(line, sizeof(line), "%llu", (unsigned long long)ev->line);
	h = kt_hash_str(KT_HASH_INIT, ev->host);
	h = kt_hash_str(h, ev->file);
	h = kt_hash_str(h, line);
	h = kt_hash_str(h, ev->message);
	kt_hash_hex(h, ev->id);
}

struct kt_event *kt_event_build(struct kt_event_builder *eb,
				const struct kt_report *r)
{
	const struct kt_ruleset *rs = eb->rs;
	const struct kt_rule *head = r->head;
	struct kt_event *ev = xcalloc(1, sizeof(*ev));
	struct kt_frame rip;
	const char *v;
	uint16_t pf, cf;
	int64_t n;
	size_t i;

	ev->rule = head;
	ev->is_boot = r->kind == KT_REPORT_BOOT;
	if (ev->is_boot) {
		uint8_t t = kt_ruleset_type_find(rs, "reboot");

		ev->type = t != KT_NO_TYPE ? rs->types[t] : "reboot";
		ev->subtype = "boot";
		ev->rule = NULL;
	} else {
		ev->type = rs->types[head->type];
		ev->subtype = r->subtype ? r->subtype : head->subtype;
	}
	ev->severity = r->severity;
	ev->wall_us = r->wall_us;
	ev->mono_us = r->mono_us;
	ev->host = clean_dup(r->host);
	ev->file = r->file;
	ev->line = r->line;
	ev->line_end = r->line_end;
	ev->message = clean_dup(r->message);
	ev->after_cause = r->after_cause;
	ev->prev_exists = r->prev_exists;
	ev->prev_shutdown = r->prev_shutdown;
	ev->prev_last_wall_us = r->prev_last_wall_us;
	ev->clock_reset = r->clock_reset;
	ev->fields = json_object();
	ev->pid = -1;

	for (i = 0; i < r->nr_field; i++) {
		const struct kt_rfield *f = &r->field[i];
		json_t *j;

		if (internal_field(eb, f->field) &&
		    !kept(head, rs->field[f->field].name))
			continue;
		j = typed_value(rs->field[f->field].type, f->value);
		if (j)
			json_object_set_new(ev->fields,
					    rs->field[f->field].name, j);
	}
	build_lists(eb, r, ev->fields);

	/* the task the report is about */
	pf = head && head->proc_pid != KT_NO_FIELD ? head->proc_pid :
	     eb->f_pid;
	cf = head && head->proc_comm != KT_NO_FIELD ? head->proc_comm :
	     eb->f_comm;
	if (pf != KT_NO_FIELD && (v = kt_report_get(r, pf)) &&
	    parse_int(v, &n) && n >= 0)
		ev->pid = n;
	if (cf != KT_NO_FIELD && (v = kt_report_get(r, cf)))
		ev->comm = clean_dup(v);
	if (eb->f_tainted != KT_NO_FIELD &&
	    (v = kt_report_get(r, eb->f_tainted)))
		ev->tainted = clean_dup(v);
	if (eb->f_kernel != KT_NO_FIELD &&
	    (v = kt_report_get(r, eb->f_kernel)))
		ev->kernel = clean_dup(v);

	/* the call trace, moved into clean copies */
	if (r->nr_frame) {
		ev->frame = xcalloc(r->nr_frame, sizeof(*ev->frame));
		for (i = 0; i < r->nr_frame; i++)
			frame_copy_clean(&ev->frame[i], &r->frame[i]);
		ev->nr_frame = r->nr_frame;
	}

	/* RIP, guilty frame */
	memset(&rip, 0, sizeof(rip));
	if (eb->f_rip != KT_NO_FIELD && (v = kt_report_get(r, eb->f_rip)) &&
	    split_symbol(v, &rip)) {
		char *clean = clean_dup(rip.func);

		json_object_set_new(ev->fields, "rip_func",
				    json_string(clean));
		free(clean);
		if (rip.module && !json_object_get(ev->fields, "rip_module")) {
			clean = clean_dup(rip.module);
			json_object_set_new(ev->fields, "rip_module",
					    json_string(clean));
			free(clean);
		}
	}
	if (!ev->is_boot && head && eb->guilty[head - rs->rule]) {
		char *gf, *gm;

		find_guilty(eb, ev, &gf, &gm);
		if (gf)
			kt_event_set_str(ev, "guilty_func", gf);
		if (gm)
			kt_event_set_str(ev, "guilty_module", gm);
		/* no trace and no RIP: the report is cut or garbled */
		if (!gf)
			json_object_set_new(ev->fields, "corrupted",
					    json_true());
		free(gf);
		free(gm);
	}
	frame_clear(&rip);
	if (r->cut)
		kt_event_set_int(ev, "truncated_parts", (int64_t)r->cut);
	fill_id(ev);
	kt_event_retitle(ev);
	return ev;
}

void kt_event_set_str(struct kt_event *ev, const char *name, const char *v)
{
	json_object_set_new(ev->fields, name, clean_json_str(v));
}

void kt_event_set_int(struct kt_event *ev, const char *name, int64_t v)
{
	json_object_set_new(ev->fields, name, json_integer(v));
}

const char *kt_event_get_str(const struct kt_event *ev, const char *name)
{
	json_t *v = json_object_get(ev->fields, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}
