/*
 * stats.c - counters and fingerprint groups over the event stream
 * (see stats.h).
 *
 * Part of the analyze stage; `ktriage stats`, `scan --group` and the
 * report read what it collects.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "analyze/stats.h"

#define GROUP_HOSTS_MAX 64

void kt_counter_add(struct kt_counter *c, const char *key, uint64_t n)
{
	size_t i = kt_strmap_intern(&c->keys, key, NULL);

	if (i >= c->alloc) {
		size_t old = c->alloc;

		ALLOC_GROW(c->n, i + 1, c->alloc);
		memset(c->n + old, 0, (c->alloc - old) * sizeof(*c->n));
	}
	c->n[i] += n;
}

static void counter_release(struct kt_counter *c)
{
	kt_strmap_release(&c->keys);
	free(c->n);
	memset(c, 0, sizeof(*c));
}

/* Sort context: qsort has none, so the counts travel with the indexes. */
struct ranked {
	size_t idx;
	uint64_t n;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

size_t kt_counter_top(const struct kt_counter *c, size_t *idx, size_t max)
{
	struct ranked *r;
	size_t i, n = c->keys.nr;

	if (!n)
		return 0;
	r = xcalloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		r[i].idx = i;
		r[i].n = c->n[i];
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		idx[i] = r[i].idx;
	free(r);
	return n;
}

void kt_stats_init(struct kt_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->hour_cache.hour = INT64_MIN;
}

void kt_hour_keys(struct kt_hour_keys *hk, int64_t us)
{
	int64_t hour = us / 3600000000LL - (us % 3600000000LL < 0);
	struct strbuf sb = STRBUF_INIT;

	if (hour == hk->hour)
		return;
	kt_time_format(&sb, us, false);
	memcpy(hk->hour_key, sb.buf, 13);	/* 2025-11-24T08 */
	hk->hour_key[13] = '\0';
	memcpy(hk->day_key, sb.buf, 10);	/* 2025-11-24 */
	hk->day_key[10] = '\0';
	hk->hour = hour;
	strbuf_release(&sb);
}

void kt_stats_release(struct kt_stats *st)
{
	size_t i;

	counter_release(&st->subtypes);
	counter_release(&st->boots);
	counter_release(&st->hours);
	counter_release(&st->days);
	counter_release(&st->processes);
	counter_release(&st->victims);
	counter_release(&st->guilty_funcs);
	counter_release(&st->guilty_modules);
	for (i = 0; i < st->nr_group; i++) {
		free(st->group[i].type);
		free(st->group[i].subtype);
		free(st->group[i].title);
		free(st->group[i].first_file);
		kt_strmap_release(&st->group[i].hosts);
	}
	free(st->group);
	kt_strmap_release(&st->group_index);
	kt_stats_init(st);
}

static void add_group(struct kt_stats *st, const struct kt_event *ev)
{
	bool added;
	size_t i = kt_strmap_intern(&st->group_index, ev->fingerprint, &added);
	struct kt_group *g;

	if (added) {
		ALLOC_GROW(st->group, st->nr_group + 1, st->alloc_group);
		g = &st->group[st->nr_group++];
		memset(g, 0, sizeof(*g));
		memcpy(g->fingerprint, ev->fingerprint, sizeof(g->fingerprint));
		memcpy(g->first_id, ev->id, sizeof(g->first_id));
		g->type = xstrdup(ev->type);
		g->subtype = xstrdup(ev->subtype);
		g->title = xstrdup(ev->title);
		g->first_file = xstrdup(ev->file);
		g->first_line = ev->line;
		g->first_us = g->last_us = KT_NO_TIME;
	}
	g = &st->group[i];
	g->count++;
	if (ev->severity > g->severity)
		g->severity = ev->severity;
	if (ev->wall_us != KT_NO_TIME) {
		if (g->first_us == KT_NO_TIME || ev->wall_us < g->first_us)
			g->first_us = ev->wall_us;
		if (g->last_us == KT_NO_TIME || ev->wall_us > g->last_us)
			g->last_us = ev->wall_us;
	}
	if (g->hosts.nr < GROUP_HOSTS_MAX)
		kt_strmap_intern(&g->hosts, ev->host ? ev->host : "", NULL);
}

void kt_stats_add(struct kt_stats *st, const struct kt_event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v;

	strbuf_addstr(&sb, ev->type);
	strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, ev->subtype);
	kt_counter_add(&st->subtypes, sb.buf, 1);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, ev->host ? ev->host : "-");
	strbuf_addstr(&sb, " boot ");
	strbuf_addu(&sb, ev->boot);
	kt_counter_add(&st->boots, sb.buf, 1);
	if (ev->wall_us != KT_NO_TIME) {
		kt_hour_keys(&st->hour_cache, ev->wall_us);
		kt_counter_add(&st->hours, st->hour_cache.hour_key, 1);
		kt_counter_add(&st->days, st->hour_cache.day_key, 1);
	} else {
		st->untimed++;
	}
	if (ev->comm && !ev->is_boot) {
		kt_counter_add(&st->processes, ev->comm, 1);
		if (!strcmp(ev->type, "oom") || !strcmp(ev->type, "segfault"))
			kt_counter_add(&st->victims, ev->comm, 1);
	}
	if ((v = kt_event_get_str(ev, "guilty_func")))
		kt_counter_add(&st->guilty_funcs, v, 1);
	if ((v = kt_event_get_str(ev, "guilty_module")))
		kt_counter_add(&st->guilty_modules, v, 1);
	add_group(st, ev);
	strbuf_release(&sb);
}

static const struct kt_stats *sort_stats;	/* NEEDSWORK: see below */

static int cmp_groups(const void *a, const void *b)
{
	const struct kt_group *x = &sort_stats->group[*(const size_t *)a];
	const struct kt_group *y = &sort_stats->group[*(const size_t *)b];

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

size_t kt_stats_groups_sorted(const struct kt_stats *st, size_t *idx)
{
	size_t i;

	for (i = 0; i < st->nr_group; i++)
		idx[i] = i;
	sort_stats = st;
	qsort(idx, st->nr_group, sizeof(*idx), cmp_groups);
	sort_stats = NULL;
	return st->nr_group;
}
