/*
 * report.c - builds the report model from a digest and the knowledge
 * base (see report.h and docs/REPORT.md).
 *
 * Part of the output stage: facts in, words out.  Every text comes from
 * a template of kb/ filled with facts of the logs; a cause or action
 * whose condition the facts do not meet is not written.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "output/report.h"

#define SAMPLES_SHOWN 2
#define TOP_ACTIONS 3
#define BOOTS_SHOWN 200
#define CHAINS_SHOWN 20

/* ------------------------------------------------------------ helpers */

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0.0;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int sev_weight(const char *sev)
{
	return !sev ? 1 : !strcmp(sev, "critical") ? 3 :
	       !strcmp(sev, "major") ? 2 : 1;
}

/* Renders a template of t in lang; NULL when a needed fact is missing. */
static json_t *text_json(const struct kt_kb_text *t, enum kt_lang lang,
			 const json_t *facts)
{
	struct strbuf sb = STRBUF_INIT;
	const char *tpl = t->s[lang] ? t->s[lang] : t->s[KT_LANG_EN];
	json_t *j = NULL;

	if (tpl && kt_kb_render(tpl, facts, &sb))
		j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

/* A message of kb/ with facts filled in; the bare message on failure. */
static json_t *msg_json(const struct kt_kb *kb, const char *name,
			enum kt_lang lang, const json_t *facts)
{
	struct strbuf sb = STRBUF_INIT;
	const char *tpl = kt_kb_msg(kb, name, lang);
	json_t *j;

	if (!facts || !kt_kb_render(tpl, facts, &sb)) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, tpl);
	}
	j = json_string(sb.buf);
	strbuf_release(&sb);
	return j;
}

/* ------------------------------------------------------------ facts */

json_t *kt_report_global_facts(const json_t *digest, const json_t *config)
{
	json_t *f = json_object(), *v, *groups = json_object_get(digest,
								 "groups");
	struct strbuf sb = STRBUF_INIT;
	const char *k;
	size_t i, recurring = 0;

	json_object_set_new(f, "n.events", json_integer((json_int_t)
			    num(digest, "events")));
	json_object_set_new(f, "n.critical", json_integer((json_int_t)
			    num(digest, "critical")));
	json_object_set_new(f, "n.major", json_integer((json_int_t)
			    num(digest, "major")));
	json_object_set_new(f, "n.minor", json_integer((json_int_t)
			    num(digest, "minor")));
	json_object_foreach(json_object_get(digest, "by_type"), k, v) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "n.%s", k);
		json_object_set_new(f, sb.buf, json_integer((json_int_t)(
			num(v, "minor") + num(v, "major") +
			num(v, "critical"))));
	}
	json_object_foreach(json_object_get(digest, "by_subtype"), k, v) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "n.%s", k);
		json_object_set(f, sb.buf, v);
	}
	for (i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_array_get(groups, i);
		const char *sev = str(g, "severity");

		if (sev && strcmp(sev, "minor") && num(g, "count") >= 3)
			recurring++;
	}
	json_object_set_new(f, "n.problems",
			    json_integer((json_int_t)json_array_size(groups)));
	json_object_set_new(f, "n.recurring_major",
			    json_integer((json_int_t)recurring));
	json_object_set_new(f, "n.hosts", json_integer((json_int_t)
			    json_array_size(json_object_get(digest, "hosts"))));
	json_object_set_new(f, "n.boots", json_integer((json_int_t)
			    json_array_size(json_object_get(digest,
							    "boot_list"))));
	json_object_set_new(f, "span_hours", json_real(num(digest,
							    "span_hours")));
	if (config)
		json_object_foreach((json_t *)config, k, v) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "config.%s", k);
			json_object_set(f, sb.buf, v);
		}
	strbuf_release(&sb);
	return f;
}

static void set_list(json_t *f, const char *name, const json_t *group)
{
	const json_t *v = json_object_get(group, name);

	if (json_is_array(v) && json_array_size(v))
		json_object_set(f, name, (json_t *)v);
}

static void taint_facts(json_t *f, const char *tainted)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = tainted; *p; p++)
		if (*p != ' ')
			strbuf_addch(&sb, *p);
	json_object_set_new(f, "taint_flags", json_string(sb.buf));
	json_object_set_new(f, "out_of_tree", json_boolean(strchr(sb.buf,
								   'O')));
	json_object_set_new(f, "proprietary", json_boolean(strchr(sb.buf,
								  'P')));
	json_object_set_new(f, "unsigned_module",
			    json_boolean(strchr(sb.buf, 'E')));
	json_object_set_new(f, "taint_died", json_boolean(strchr(sb.buf,
								 'D')));
	json_object_set_new(f, "taint_warned", json_boolean(strchr(sb.buf,
								   'W')));
	strbuf_release(&sb);
}

static void oom_facts(json_t *f)
{
	const json_t *top = json_object_get(f, "top_rss");
	double rss = num(f, "anon_rss_kb") + num(f, "file_rss_kb") +
		     num(f, "shmem_rss_kb"), sum = 0, best = -1;
	const char *best_comm = NULL, *c;
	size_t i;

	if (json_object_get(f, "anon_rss_kb"))
		json_object_set_new(f, "victim_rss_mb",
				    json_integer((json_int_t)(rss / 1024)));
	for (i = 0; i < json_array_size(top); i++) {
		const json_t *row = json_array_get(top, i);
		const json_t *rv = json_object_get(row, "rss_pages");
		double pages = json_is_number(rv) ? json_number_value(rv) :
			       json_is_string(rv) ?
			       strtod(json_string_value(rv), NULL) : 0;

		sum += pages;
		if (pages > best) {
			best = pages;
			best_comm = str(row, "comm");
		}
	}
	if (best_comm && sum > 0) {
		json_object_set_new(f, "top_rss_comm", json_string(best_comm));
		json_object_set_new(f, "top_rss_mb", json_integer(
			(json_int_t)(best * 4 / 1024)));
		json_object_set_new(f, "top_rss_share", json_real(
			(double)((int)(best / sum * 100)) / 100));
	}
	if (json_object_get(f, "total_swap_kb")) {
		json_object_set_new(f, "no_swap", json_boolean(
			num(f, "total_swap_kb") == 0));
		json_object_set_new(f, "swap_exhausted", json_boolean(
			num(f, "total_swap_kb") > 0 &&
			json_object_get(f, "free_swap_kb") &&
			num(f, "free_swap_kb") == 0));
	}
	c = str(f, "constraint");
	json_object_set_new(f, "is_memcg", json_boolean(
		(c && !strcmp(c, "CONSTRAINT_MEMCG")) ||
		(str(f, "subtype") && !strcmp(str(f, "subtype"),
					      "cgroup_oom"))));
}

json_t *kt_report_problem_facts(const json_t *group, const json_t *global)
{
	json_t *f = json_deep_copy(json_object_get(group, "latest")), *v;
	const json_t *samples = json_object_get(group, "samples");
	const json_t *last = json_array_get(samples,
					    json_array_size(samples) - 1);
	const char *k;
	int64_t a, b;
	static const char *const copy[] = {
		"type", "subtype", "severity", "title", "fingerprint", "count",
		"first_time", "last_time", "boots",
	};
	static const char *const lists[] = {
		"victims", "devices", "modules", "functions", "processes",
		"caused", "caused_by",
	};
	size_t i;

	if (!json_is_object(f)) {
		json_decref(f);
		f = json_object();
	}
	json_object_foreach((json_t *)global, k, v)
		json_object_set(f, k, v);
	for (i = 0; i < KT_ARRAY_SIZE(copy); i++)
		if ((v = json_object_get(group, copy[i])) && !json_is_null(v))
			json_object_set(f, copy[i], v);
	for (i = 0; i < KT_ARRAY_SIZE(lists); i++)
		set_list(f, lists[i], group);
	json_object_set_new(f, "hosts", json_integer((json_int_t)
			    json_array_size(json_object_get(group, "hosts"))));
	if (last && str(last, "host"))
		json_object_set_new(f, "host", json_string(str(last, "host")));
	a = kt_time_parse(str(group, "first_time"));
	b = kt_time_parse(str(group, "last_time"));
	if (a == KT_NO_TIME || b == KT_NO_TIME)
		a = b = 0;
	json_object_set_new(f, "span_hours", json_real(
		(double)((b - a) / 36000000) / 100));
	if (str(f, "tainted"))
		taint_facts(f, str(f, "tainted"));
	if (str(f, "type") && !strcmp(str(f, "type"), "oom"))
		oom_facts(f);
	return f;
}

/* ------------------------------------------------------------ parts */

static json_t *verdict_json(const struct kt_kb *kb, const json_t *facts,
			    enum kt_lang lang)
{
	size_t i;

	for (i = 0; i < kb->nr_verdict; i++) {
		const struct kt_kb_verdict *v = &kb->verdict[i];
		json_t *t;

		if (!kt_kb_eval(v->when, facts))
			continue;
		t = text_json(&v->text, lang, facts);
		return json_pack("{s:s,s:s,s:o}", "level", v->level, "rule",
				 v->id, "text", t ? t : json_string(v->id));
	}
	return json_pack("{s:s,s:n,s:o}", "level", "healthy", "rule", "text",
			 msg_json(kb, "verdict_healthy", lang, facts));
}

static json_t *scope_json(const json_t *digest, const json_t *global,
			  const struct kt_report_opts *o)
{
	json_t *s = json_object();

	json_object_set_new(s, "events", json_integer((json_int_t)
			    num(digest, "events")));
	json_object_set_new(s, "critical", json_integer((json_int_t)
			    num(digest, "critical")));
	json_object_set_new(s, "major", json_integer((json_int_t)
			    num(digest, "major")));
	json_object_set_new(s, "minor", json_integer((json_int_t)
			    num(digest, "minor")));
	json_object_set(s, "hosts", json_object_get(digest, "hosts"));
	json_object_set(s, "boots", json_object_get(global, "n.boots"));
	json_object_set(s, "first_time", json_object_get(digest, "first_time"));
	json_object_set(s, "last_time", json_object_get(digest, "last_time"));
	json_object_set(s, "span_hours", json_object_get(digest, "span_hours"));
	json_object_set_new(s, "lines", json_integer((json_int_t)o->lines));
	json_object_set(s, "processes", json_object_get(digest, "processes"));
	json_object_set(s, "devices", json_object_get(digest, "devices"));
	json_object_set(s, "modules", json_object_get(digest, "modules"));
	return s;
}

struct risk {
	const char *type;
	double score;
	const json_t *counts;
};

/* Among equals, causes before effects: a reboot follows a panic. */
static int type_rank(const char *type)
{
	static const char *const order[] = {
		"panic", "oom", "oops", "deadlock", "hardware", "fs_error",
		"io_error", "warning", "segfault", "reboot",
	};
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(order); i++)
		if (!strcmp(type, order[i]))
			return (int)i;
	return (int)KT_ARRAY_SIZE(order);
}

static int cmp_risk(const void *a, const void *b)
{
	const struct risk *x = a, *y = b;
	int rx = type_rank(x->type), ry = type_rank(y->type);

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (rx != ry)
		return rx - ry;
	return strcmp(x->type, y->type);
}

static json_t *risks_json(const struct kt_kb *kb, const json_t *digest,
			  enum kt_lang lang)
{
	const json_t *types = json_object_get(digest, "by_type");
	const json_t *groups = json_object_get(digest, "groups");
	struct risk *r = xcalloc(json_object_size(types) + 1, sizeof(*r));
	json_t *a = json_array(), *v;
	struct strbuf sb = STRBUF_INIT;
	const char *k;
	size_t n = 0, i, j;

	json_object_foreach((json_t *)types, k, v) {
		r[n].type = k;
		r[n].counts = v;
		r[n].score = num(v, "critical") * 1e6 + num(v, "major");
		n++;
	}
	qsort(r, n, sizeof(*r), cmp_risk);
	for (i = 0; i < n; i++) {
		json_t *o = json_object(), *f = json_object();
		size_t problems = 0;
		json_t *hosts = json_object();

		for (j = 0; j < json_array_size(groups); j++) {
			const json_t *g = json_array_get(groups, j);
			const json_t *hl = json_object_get(g, "hosts");
			size_t h;

			if (strcmp(str(g, "type"), r[i].type))
				continue;
			problems++;
			for (h = 0; h < json_array_size(hl); h++)
				json_object_set_new(hosts, json_string_value(
					json_array_get(hl, h)), json_true());
		}
		json_object_set_new(o, "type", json_string(r[i].type));
		strbuf_reset(&sb);
		strbuf_addf(&sb, "type_%s", r[i].type);
		json_object_set_new(o, "label", *kt_kb_msg(kb, sb.buf, lang) ?
			msg_json(kb, sb.buf, lang, NULL) :
			json_string(r[i].type));
		json_object_set_new(o, "events", json_integer((json_int_t)(
			num(r[i].counts, "critical") +
			num(r[i].counts, "major") +
			num(r[i].counts, "minor"))));
		json_object_set(o, "critical", json_object_get(r[i].counts,
							       "critical"));
		json_object_set(o, "major", json_object_get(r[i].counts,
							    "major"));
		json_object_set(o, "minor", json_object_get(r[i].counts,
							    "minor"));
		json_object_set_new(o, "problems",
				    json_integer((json_int_t)problems));
		json_object_set_new(o, "hosts", json_integer((json_int_t)
				    json_object_size(hosts)));
		json_object_update(f, o);
		if (!json_object_size(hosts))
			json_object_del(f, "hosts");	/* names no host */
		json_object_set_new(o, "text", msg_json(kb, "risk_text", lang,
							f));
		json_array_append_new(a, o);
		json_decref(f);
		json_decref(hosts);
	}
	strbuf_release(&sb);
	free(r);
	return a;
}

/* Items of kind (evidence, causes, actions) whose condition holds. */
static json_t *items_json(const struct kt_kb_item *it, size_t n,
			  enum kt_lang lang, const json_t *facts,
			  bool actions)
{
	json_t *a = json_array();
	size_t i, j;

	for (i = 0; i < n; i++) {
		json_t *t, *o, *cmds;

		if (!kt_kb_eval(it[i].when, facts))
			continue;
		t = text_json(&it[i].text, lang, facts);
		if (!t)
			continue;
		o = json_object();
		if (it[i].id)
			json_object_set_new(o, "id", json_string(it[i].id));
		json_object_set_new(o, "text", t);
		if (actions) {
			json_object_set_new(o, "priority",
					    json_integer(it[i].priority));
			cmds = json_array();
			for (j = 0; j < it[i].nr_commands; j++) {
				struct strbuf sb = STRBUF_INIT;

				if (kt_kb_render(it[i].commands[j], facts,
						 &sb))
					json_array_append_new(cmds,
						json_string(sb.buf));
				strbuf_release(&sb);
			}
			json_object_set_new(o, "commands", cmds);
		}
		json_array_append_new(a, o);
	}
	return a;
}

static int cmp_action(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double px = num(x, "priority"), py = num(y, "priority");

	return px != py ? (px > py ? -1 : 1) : 0;
}

static void sort_actions(json_t *a)
{
	size_t n = json_array_size(a), i;
	json_t **v = xcalloc(n + 1, sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	/* stable: insertion sort keeps the kb order among equals */
	for (i = 1; i < n; i++) {
		json_t *t = v[i];
		size_t j = i;

		while (j > 0 && cmp_action(&v[j - 1], &t) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

static json_t *problem_json(const struct kt_kb *kb, const json_t *group,
			    const json_t *global, enum kt_lang lang,
			    json_t *alerts)
{
	json_t *p = json_object(), *f = kt_report_problem_facts(group, global);
	const struct kt_kb_entry *e = kt_kb_find(kb, str(group, "type"),
						 str(group, "subtype"));
	static const char *const copy[] = {
		"fingerprint", "type", "subtype", "severity", "title", "count",
		"hosts", "boots", "first_time", "last_time", "event_ids",
	};
	json_t *samples = json_array(), *m;
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(copy); i++)
		json_object_set(p, copy[i], json_object_get(group, copy[i]));
	m = e ? text_json(&e->meaning, lang, f) : NULL;
	json_object_set_new(p, "meaning", m ? m :
			    msg_json(kb, "meaning_unknown", lang, f));
	json_object_set_new(p, "evidence", e ? items_json(e->evidence,
			    e->nr_evidence, lang, f, false) : json_array());
	for (i = 0; i < json_array_size(json_object_get(group, "samples")) &&
	     i < SAMPLES_SHOWN; i++)
		json_array_append(samples, json_array_get(
			json_object_get(group, "samples"), i));
	json_object_set_new(p, "samples", samples);
	json_object_set_new(p, "causes", e ? items_json(e->causes,
			    e->nr_causes, lang, f, false) : json_array());
	json_object_set_new(p, "actions", e ? items_json(e->actions,
			    e->nr_actions, lang, f, true) : json_array());
	sort_actions(json_object_get(p, "actions"));
	if (e) {
		for (i = 0; i < e->nr_alerts; i++) {
			const struct kt_kb_alert *al = &e->alerts[i];
			json_t *t;

			if (json_object_get(alerts, al->name))
				continue;
			t = text_json(&al->text, lang, f);
			json_object_set_new(alerts, al->name, json_pack(
				"{s:s,s:s,s:s,s:s,s:o}", "name", al->name,
				"expr", al->expr, "for",
				al->for_ ? al->for_ : "0m", "severity",
				al->severity ? al->severity : "warning",
				"text", t ? t : json_string("")));
		}
	}
	/* facts without the global ones: what the text rests on */
	{
		json_t *own = json_object(), *v;
		const char *k;

		json_object_foreach(f, k, v)
			if (!json_object_get(global, k))
				json_object_set(own, k, v);
		json_object_set_new(p, "facts", own);
	}
	json_decref(f);
	return p;
}

static json_t *chains_json(const json_t *digest, enum kt_lang lang,
			   const struct kt_kb *kb)
{
	const json_t *chains = json_object_get(digest, "chains");
	json_t *a = json_array();
	size_t i, j;

	(void)lang;
	(void)kb;
	for (i = 0; i < json_array_size(chains) && i < CHAINS_SHOWN; i++) {
		json_t *c = json_deep_copy(json_array_get(chains, i));
		const json_t *steps = json_object_get(c, "steps");
		struct strbuf sb = STRBUF_INIT;

		for (j = 0; j < json_array_size(steps); j++) {
			if (j)
				strbuf_addstr(&sb, " → ");
			strbuf_addstr(&sb, str(json_array_get(steps, j),
					       "title"));
		}
		json_object_set_new(c, "text", json_string(sb.buf));
		strbuf_release(&sb);
		json_array_append_new(a, c);
	}
	return a;
}

static json_t *readiness_json(const struct kt_kb *kb, const json_t *facts,
			      enum kt_lang lang)
{
	json_t *a = json_array();
	size_t i, j;

	for (i = 0; i < kb->nr_ready; i++) {
		const struct kt_kb_readiness *r = &kb->ready[i];

		for (j = 0; j < r->nr_state; j++) {
			json_t *t;

			if (!kt_kb_eval(r->state[j].when, facts))
				continue;
			t = text_json(&r->state[j].text, lang, facts);
			if (!t)
				continue;
			json_array_append_new(a, json_pack("{s:s,s:s,s:o}",
				"id", r->id, "state",
				r->state[j].id ? r->state[j].id : "unknown",
				"text", t));
			break;
		}
	}
	return a;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *timeline_json(const json_t *digest)
{
	const json_t *tl = json_object_get(digest, "timeline");
	bool by_day = num(digest, "span_hours") > 72;
	const json_t *src = json_object_get(tl, by_day ? "day" : "hour");
	const char **keys = xcalloc(json_object_size(src) + 1, sizeof(*keys));
	json_t *o = json_object(), *buckets = json_array(),
	       *types = json_object(), *tl_types = json_array(), *v, *t;
	const char *k;
	size_t n = 0, i;

	json_object_foreach((json_t *)src, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;

		v = json_object_get(src, keys[i]);
		strbuf_addstr(&sb, keys[i]);
		strbuf_addstr(&sb, by_day ? "T00:00:00Z" : ":00:00Z");
		json_array_append_new(buckets, json_pack("{s:s,s:O}", "start",
				      sb.buf, "counts", v));
		json_object_foreach(v, k, t)
			json_object_set_new(types, k, json_true());
		strbuf_release(&sb);
	}
	json_object_foreach(types, k, v)
		json_array_append_new(tl_types, json_string(k));
	json_object_set_new(o, "bucket", json_string(by_day ? "day" : "hour"));
	json_object_set_new(o, "types", tl_types);
	json_object_set_new(o, "buckets", buckets);
	json_decref(types);
	free(keys);
	return o;
}

static json_t *boots_json(const json_t *digest)
{
	const json_t *b = json_object_get(digest, "boot_list");
	size_t n = json_array_size(b), i;
	json_t *a = json_array();

	for (i = n > BOOTS_SHOWN ? n - BOOTS_SHOWN : 0; i < n; i++)
		json_array_append(a, json_array_get(b, i));
	return a;
}

struct top_action {
	const json_t *problem;
	const json_t *action;
	double score;
};

static int cmp_top(const void *a, const void *b)
{
	const struct top_action *x = a, *y = b;

	return x->score != y->score ? (x->score > y->score ? -1 : 1) : 0;
}

static json_t *summary_json(const struct kt_kb *kb, json_t *model,
			    json_t *global, enum kt_lang lang)
{
	const json_t *problems = json_object_get(model, "problems");
	const json_t *risks = json_object_get(model, "risks");
	json_t *s = json_object(), *top = json_array(), *f;
	struct top_action *t;
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0, i, j, cap = 0;

	for (i = 0; i < json_array_size(problems); i++)
		cap += json_array_size(json_object_get(
			json_array_get(problems, i), "actions"));
	t = xcalloc(cap + 1, sizeof(*t));
	for (i = 0; i < json_array_size(problems); i++) {
		const json_t *p = json_array_get(problems, i);
		const json_t *acts = json_object_get(p, "actions");

		for (j = 0; j < json_array_size(acts); j++) {
			t[n].problem = p;
			t[n].action = json_array_get(acts, j);
			/* earlier problems are more severe: a small bonus */
			t[n].score = num(t[n].action, "priority") *
				     sev_weight(str(p, "severity")) -
				     (double)i * 0.01;
			n++;
		}
	}
	qsort(t, n, sizeof(*t), cmp_top);
	for (i = 0; i < n && json_array_size(top) < TOP_ACTIONS; i++) {
		bool dup = false;

		for (j = 0; j < json_array_size(top); j++)
			if (!strcmp(str(json_array_get(top, j), "text"),
				    str(t[i].action, "text")))
				dup = true;
		if (dup)
			continue;
		json_array_append_new(top, json_pack("{s:s,s:s,s:s}",
			"fingerprint", str(t[i].problem, "fingerprint"),
			"title", str(t[i].problem, "title"),
			"text", str(t[i].action, "text")));
	}
	f = json_deep_copy(global);
	json_object_set(f, "verdict", json_object_get(json_object_get(model,
					"verdict"), "text"));
	for (i = 0; i < json_array_size(risks) && i < 3; i++) {
		if (i)
			strbuf_addstr(&sb, lang == KT_LANG_ZH ? "、" : ", ");
		strbuf_addstr(&sb, str(json_array_get(risks, i), "label"));
	}
	if (sb.len)
		json_object_set_new(f, "main_risks", json_string(sb.buf));
	json_object_set_new(f, "n.chains", json_integer((json_int_t)
		json_array_size(json_object_get(model, "chains"))));
	/* "0 of them recur" is not worth a sentence */
	if (!json_integer_value(json_object_get(f, "n.recurring_major")))
		json_object_del(f, "n.recurring_major");
	json_object_set_new(s, "text", msg_json(kb, json_array_size(problems) ?
		"summary_text" : "summary_healthy", lang, f));
	json_object_set_new(s, "top_actions", top);
	json_decref(f);
	free(t);
	strbuf_release(&sb);
	return s;
}

/* ------------------------------------------------------------ model */

/* A boot after an orderly shutdown is context, not a problem. */
static bool is_problem(const json_t *g)
{
	const char *t = str(g, "type"), *s = str(g, "subtype");

	return !(t && s && !strcmp(t, "reboot") &&
		 (!strcmp(s, "first") || !strcmp(s, "clean")));
}

json_t *kt_report_build(const struct kt_kb *kb, const json_t *digest,
			const struct kt_report_opts *o)
{
	json_t *m = json_object(), *global = kt_report_global_facts(digest,
								     o->config);
	json_t *inputs = json_array(), *problems = json_array(),
	       *alerts = json_object(), *al = json_array(), *v;
	const json_t *groups = json_object_get(digest, "groups");
	struct strbuf sb = STRBUF_INIT;
	json_int_t more = 0;
	const char *k;
	size_t i;

	json_object_set_new(m, "schema_version", json_string("1"));
	json_object_set_new(m, "kind", json_string("ktriage-report"));
	json_object_set_new(m, "lang", json_string(kt_lang_name(o->lang)));
	kt_time_format(&sb, o->now_us, false);
	json_object_set_new(m, "generated_at", json_string(sb.buf));
	for (i = 0; i < o->nr_inputs; i++)
		json_array_append_new(inputs, json_string(o->inputs[i]));
	json_object_set_new(m, "inputs", inputs);
	json_object_set_new(m, "analysis", json_pack("{s:s}", "by",
						     "builtin"));
	json_object_set_new(m, "scope", scope_json(digest, global, o));
	json_object_set(m, "facts", global);
	json_object_set_new(m, "verdict", verdict_json(kb, global, o->lang));
	json_object_set_new(m, "risks", risks_json(kb, digest, o->lang));
	json_object_set_new(m, "chains", chains_json(digest, o->lang, kb));
	for (i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_array_get(groups, i);

		if (!is_problem(g))
			continue;
		if (json_array_size(problems) == KT_REPORT_PROBLEMS_MAX) {
			more++;
			continue;
		}
		json_array_append_new(problems, problem_json(kb, g, global,
							     o->lang, alerts));
	}
	json_object_set_new(m, "problems", problems);
	json_object_set_new(m, "more_problems", json_integer(more));
	json_object_foreach(alerts, k, v)
		json_array_append(al, v);
	json_object_set_new(m, "prevention", json_pack("{s:o,s:o}", "alerts",
			    al, "readiness", readiness_json(kb, global,
							    o->lang)));
	json_object_set_new(m, "config", o->config ?
			    json_deep_copy(o->config) : json_null());
	json_object_set_new(m, "timeline", timeline_json(digest));
	json_object_set_new(m, "boots", boots_json(digest));
	json_object_set_new(m, "summary", summary_json(kb, m, global,
						       o->lang));
	json_decref(alerts);
	json_decref(global);
	strbuf_release(&sb);
	return m;
}
