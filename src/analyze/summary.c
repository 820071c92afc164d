/*
 * summary.c - counts analysed events into a struct kt_summary.
 *
 * Part of the analyze stage (see summary.h): what kt_analyzer_feed()
 * counts, for events that come back from the store already annotated.
 */
#include "base/compat.h"
#include "base/timeutil.h"
#include "analyze/summary.h"

#define HOSTS_MAX 4096		/* as the analyzer: more are not counted */

void kt_summary_builder_init(struct kt_summary_builder *b,
			     const struct kt_ruleset *rs)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->rs = rs;
	b->sum.first_us = b->sum.last_us = KT_NO_TIME;
	for (i = 0; rs && i < rs->nr_types; i++)
		b->sum.type[i] = rs->types[i];
	b->sum.nr_types = rs ? rs->nr_types : 0;
	kt_strmap_init(&b->types);
	kt_strmap_init(&b->hosts);
}

void kt_summary_builder_release(struct kt_summary_builder *b)
{
	kt_strmap_release(&b->types);
	kt_strmap_release(&b->hosts);
}

/* The index of type in sum.type[], added when there is room. */
static size_t type_index(struct kt_summary_builder *b, const char *type)
{
	struct kt_summary *s = &b->sum;
	size_t i;
	bool added;

	if (b->rs) {
		uint8_t t = kt_ruleset_type_find(b->rs, type);

		if (t != KT_NO_TYPE)
			return t;
	}
	i = kt_strmap_find(&b->types, type);
	if (i != KT_STRMAP_NONE)
		return (b->rs ? b->rs->nr_types : 0) + i;
	if (s->nr_types >= KT_TYPES_MAX)
		return KT_TYPES_MAX;
	i = kt_strmap_intern(&b->types, type, &added);
	s->type[s->nr_types] = b->types.keys[i];
	return s->nr_types++;
}

void kt_summary_builder_add(struct kt_summary_builder *b,
			    const struct kt_event *ev)
{
	struct kt_summary *s = &b->sum;
	bool added = false;

	if (b->hosts.nr < HOSTS_MAX)
		kt_strmap_intern(&b->hosts, ev->host ? ev->host : "", &added);
	if (added)
		s->hosts++;
	if (ev->is_boot)
		s->boots++;
	kt_summary_count(s, type_index(b, ev->type), ev);
}
