/*
 * statsout.c - render statistics and fingerprint groups (statsout.h).
 *
 * Output stage: reads the counters of analyze/stats.c, writes text or
 * JSON into a strbuf for cmd/ to print.
 */
#include "base/compat.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "output/jsonw.h"
#include "output/statsout.h"

#define TOP_N 10

static void time_or_dash(struct strbuf *out, int64_t us)
{
	if (us == KT_NO_TIME)
		strbuf_addch(out, '-');
	else
		kt_time_format(out, us, false);
}

static const char *sev_color(enum kt_severity s, bool color)
{
	if (!color)
		return "";
	return s == KT_SEV_CRITICAL ? "\033[1;31m" :
	       s == KT_SEV_MAJOR ? "\033[33m" : "\033[36m";
}

static void counter_text(struct strbuf *out, const char *heading,
			 const struct kt_counter *c, size_t max, bool sorted)
{
	size_t *idx, n, i;

	if (!c->keys.nr)
		return;
	idx = xcalloc(c->keys.nr, sizeof(*idx));
	if (sorted) {
		n = kt_counter_top(c, idx, max);
	} else {
		for (i = 0; i < c->keys.nr; i++)
			idx[i] = i;
		n = c->keys.nr;
	}
	strbuf_addf(out, "\n%s\n", heading);
	for (i = 0; i < n; i++) {
		strbuf_addf(out, "  %8llu  ", (unsigned long long)c->n[idx[i]]);
		strbuf_add_sanitized(out, c->keys.keys[idx[i]],
				     strlen(c->keys.keys[idx[i]]));
		strbuf_addch(out, '\n');
	}
	if (n < c->keys.nr)
		strbuf_addf(out, "  (%zu more)\n", c->keys.nr - n);
	free(idx);
}

void kt_groups_write_text(struct strbuf *out, const struct kt_stats *st,
			  bool color)
{
	size_t *idx = xcalloc(st->nr_group + 1, sizeof(*idx)), i, n;
	const char *reset = color ? "\033[0m" : "";

	n = kt_stats_groups_sorted(st, idx);
	if (!n)
		strbuf_addstr(out, "no anomalies found\n");
	for (i = 0; i < n; i++) {
		const struct kt_group *g = &st->group[idx[i]];

		strbuf_addf(out, "%6llux %s%-8s%s %-10s ",
			    (unsigned long long)g->count,
			    sev_color(g->severity, color),
			    kt_severity_name(g->severity), reset, g->type);
		strbuf_add_sanitized(out, g->title, strlen(g->title));
		strbuf_addstr(out, "  (");
		if (g->first_us != KT_NO_TIME) {
			kt_time_format(out, g->first_us, false);
			if (g->last_us != g->first_us) {
				strbuf_addstr(out, " .. ");
				kt_time_format(out, g->last_us, false);
			}
			strbuf_addstr(out, ", ");
		}
		if (g->hosts.nr > 1)
			strbuf_addf(out, "%zu hosts, ", g->hosts.nr);
		strbuf_addf(out, "%s)\n", g->fingerprint);
	}
	free(idx);
}

static void time_json(struct kt_jsonw *w, int64_t us)
{
	struct strbuf sb = STRBUF_INIT;

	if (us == KT_NO_TIME) {
		kt_jsonw_null(w);
		return;
	}
	kt_time_format(&sb, us, false);
	kt_jsonw_str(w, sb.buf);
	strbuf_release(&sb);
}

static void group_json(struct kt_jsonw *w, const struct kt_group *g)
{
	size_t i;

	kt_jsonw_object(w);
	kt_jsonw_key(w, "fingerprint");
	kt_jsonw_str(w, g->fingerprint);
	kt_jsonw_key(w, "type");
	kt_jsonw_str(w, g->type);
	kt_jsonw_key(w, "subtype");
	kt_jsonw_str(w, g->subtype);
	kt_jsonw_key(w, "severity");
	kt_jsonw_str(w, kt_severity_name(g->severity));
	kt_jsonw_key(w, "title");
	kt_jsonw_str(w, g->title);
	kt_jsonw_key(w, "count");
	kt_jsonw_int(w, (int64_t)g->count);
	kt_jsonw_key(w, "first_time");
	time_json(w, g->first_us);
	kt_jsonw_key(w, "last_time");
	time_json(w, g->last_us);
	kt_jsonw_key(w, "first_event");
	kt_jsonw_str(w, g->first_id);
	kt_jsonw_key(w, "first_source");
	kt_jsonw_object(w);
	kt_jsonw_key(w, "file");
	kt_jsonw_str(w, g->first_file);
	kt_jsonw_key(w, "line");
	kt_jsonw_int(w, (int64_t)g->first_line);
	kt_jsonw_end(w);
	kt_jsonw_key(w, "hosts");
	kt_jsonw_array(w);
	for (i = 0; i < g->hosts.nr; i++)
		if (*g->hosts.keys[i])
			kt_jsonw_str(w, g->hosts.keys[i]);
	kt_jsonw_end(w);
	kt_jsonw_end(w);
}

void kt_groups_write_ndjson(struct strbuf *out, const struct kt_stats *st)
{
	size_t *idx = xcalloc(st->nr_group + 1, sizeof(*idx)), i, n;
	struct kt_jsonw w;

	n = kt_stats_groups_sorted(st, idx);
	for (i = 0; i < n; i++) {
		kt_jsonw_init(&w, out);
		group_json(&w, &st->group[idx[i]]);
		strbuf_addch(out, '\n');
	}
	free(idx);
}

static void summary_text(struct strbuf *out, const struct kt_summary *s)
{
	size_t i;

	strbuf_addf(out, "events %llu: critical %llu, major %llu, minor %llu; "
		    "hosts %llu, boots found %llu\n",
		    (unsigned long long)s->events,
		    (unsigned long long)s->by_severity[KT_SEV_CRITICAL],
		    (unsigned long long)s->by_severity[KT_SEV_MAJOR],
		    (unsigned long long)s->by_severity[KT_SEV_MINOR],
		    (unsigned long long)s->hosts,
		    (unsigned long long)s->boots);
	strbuf_addstr(out, "time span ");
	time_or_dash(out, s->first_us);
	strbuf_addstr(out, " .. ");
	time_or_dash(out, s->last_us);
	strbuf_addf(out, "\n\n%-12s %8s %8s %8s %8s\n", "type", "critical",
		    "major", "minor", "total");
	for (i = 0; i < s->nr_types; i++) {
		const uint64_t *c = s->by_type[i];

		if (!(c[0] + c[1] + c[2]))
			continue;
		strbuf_addf(out, "%-12s %8llu %8llu %8llu %8llu\n", s->type[i],
			    (unsigned long long)c[2], (unsigned long long)c[1],
			    (unsigned long long)c[0],
			    (unsigned long long)(c[0] + c[1] + c[2]));
	}
}

void kt_stats_write_text(struct strbuf *out, const struct kt_stats *st,
			 const struct kt_summary *sum, bool color)
{
	summary_text(out, sum);
	counter_text(out, "by subtype", &st->subtypes, 50, true);
	counter_text(out, "by boot", &st->boots, 50, false);
	counter_text(out, "by day", &st->days, 400, false);
	counter_text(out, "busiest hours", &st->hours, 24, true);
	counter_text(out, "processes killed or crashed", &st->victims, TOP_N,
		     true);
	counter_text(out, "processes named by events", &st->processes, TOP_N,
		     true);
	counter_text(out, "guilty functions", &st->guilty_funcs, TOP_N, true);
	counter_text(out, "guilty modules", &st->guilty_modules, TOP_N, true);
	strbuf_addstr(out, "\nproblems (one per fingerprint)\n");
	kt_groups_write_text(out, st, color);
}

static void counter_json(struct kt_jsonw *w, const char *key,
			 const struct kt_counter *c, size_t max, bool sorted)
{
	size_t *idx = xcalloc(c->keys.nr + 1, sizeof(*idx)), n, i;

	if (sorted) {
		n = kt_counter_top(c, idx, max);
	} else {
		for (i = 0; i < c->keys.nr; i++)
			idx[i] = i;
		n = c->keys.nr;
	}
	kt_jsonw_key(w, key);
	kt_jsonw_array(w);
	for (i = 0; i < n; i++) {
		kt_jsonw_object(w);
		kt_jsonw_key(w, "key");
		kt_jsonw_str(w, c->keys.keys[idx[i]]);
		kt_jsonw_key(w, "count");
		kt_jsonw_int(w, (int64_t)c->n[idx[i]]);
		kt_jsonw_end(w);
	}
	kt_jsonw_end(w);
	free(idx);
}

void kt_stats_write_json(struct strbuf *out, const struct kt_stats *st,
			 const struct kt_summary *sum)
{
	size_t *idx = xcalloc(st->nr_group + 1, sizeof(*idx)), i, k, n;
	struct kt_jsonw w;

	kt_jsonw_init(&w, out);
	kt_jsonw_object(&w);
	kt_jsonw_key(&w, "schema_version");
	kt_jsonw_str(&w, "1");
	kt_jsonw_key(&w, "events");
	kt_jsonw_int(&w, (int64_t)sum->events);
	kt_jsonw_key(&w, "hosts");
	kt_jsonw_int(&w, (int64_t)sum->hosts);
	kt_jsonw_key(&w, "boots");
	kt_jsonw_int(&w, (int64_t)sum->boots);
	kt_jsonw_key(&w, "by_type");
	kt_jsonw_object(&w);
	for (i = 0; i < sum->nr_types; i++) {
		const uint64_t *c = sum->by_type[i];

		if (!(c[0] + c[1] + c[2]))
			continue;
		kt_jsonw_key(&w, sum->type[i]);
		kt_jsonw_object(&w);
		for (k = 0; k < 3; k++) {
			kt_jsonw_key(&w, kt_severity_name((enum kt_severity)k));
			kt_jsonw_int(&w, (int64_t)c[k]);
		}
		kt_jsonw_end(&w);
	}
	kt_jsonw_end(&w);
	counter_json(&w, "by_subtype", &st->subtypes, SIZE_MAX, true);
	counter_json(&w, "by_boot", &st->boots, SIZE_MAX, false);
	counter_json(&w, "by_day", &st->days, SIZE_MAX, false);
	counter_json(&w, "by_hour", &st->hours, SIZE_MAX, false);
	counter_json(&w, "victims", &st->victims, TOP_N, true);
	counter_json(&w, "processes", &st->processes, TOP_N, true);
	counter_json(&w, "guilty_functions", &st->guilty_funcs, TOP_N, true);
	counter_json(&w, "guilty_modules", &st->guilty_modules, TOP_N, true);
	kt_jsonw_key(&w, "untimed_events");
	kt_jsonw_int(&w, (int64_t)st->untimed);
	kt_jsonw_key(&w, "problems");
	kt_jsonw_array(&w);
	n = kt_stats_groups_sorted(st, idx);
	for (i = 0; i < n; i++)
		group_json(&w, &st->group[idx[i]]);
	kt_jsonw_end(&w);
	kt_jsonw_end(&w);
	strbuf_addch(out, '\n');
	free(idx);
}
