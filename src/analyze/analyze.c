/*
 * analyze.c - boots, reboot kinds, cause links and counts (analyze.h).
 *
 * Sixth stage: events in, the same events out, annotated.  Keeps a few
 * facts per host (boot index, the panic of the current boot, the last
 * event) and the running summary.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "analyze/analyze.h"

#define HOSTS_MAX 4096		/* hosts tracked; more share the last one */

struct host_state {
	char *name;		/* owned; "" for none */
	unsigned boot;		/* index of the current boot */
	bool seen;		/* any event or boot so far */
	char panic_id[17];	/* a panic in the current boot, or "" */
	char last_id[17];	/* the event delivered last */
	const char *last_type;	/* borrowed */
	const char *last_subtype;	/* borrowed */
};

struct kt_analyzer {
	const struct kt_ruleset *rs;	/* borrowed */
	kt_event_fn *fn;
	void *data;
	struct host_state **host;	/* owned */
	size_t nr_host, alloc_host;
	struct kt_summary sum;
};

struct kt_analyzer *kt_analyzer_new(const struct kt_ruleset *rs,
				    kt_event_fn *fn, void *data)
{
	struct kt_analyzer *an = xcalloc(1, sizeof(*an));
	size_t i;

	an->rs = rs;
	an->fn = fn;
	an->data = data;
	an->sum.first_us = an->sum.last_us = KT_NO_TIME;
	for (i = 0; i < rs->nr_types; i++)
		an->sum.type[i] = rs->types[i];
	an->sum.nr_types = rs->nr_types;
	return an;
}

void kt_analyzer_free(struct kt_analyzer *an)
{
	size_t i;

	if (!an)
		return;
	for (i = 0; i < an->nr_host; i++) {
		free(an->host[i]->name);
		free(an->host[i]);
	}
	free(an->host);
	free(an);
}

const struct kt_summary *kt_analyzer_summary(const struct kt_analyzer *an)
{
	return &an->sum;
}

static struct host_state *host_get(struct kt_analyzer *an, const char *name)
{
	struct host_state *h;
	size_t i;

	if (!name)
		name = "";
	for (i = 0; i < an->nr_host; i++)
		if (!strcmp(an->host[i]->name, name))
			return an->host[i];
	if (an->nr_host >= HOSTS_MAX)
		return an->host[an->nr_host - 1];
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	ALLOC_GROW(an->host, an->nr_host + 1, an->alloc_host);
	an->host[an->nr_host++] = h;
	an->sum.hosts++;
	return h;
}

/* What ended the previous boot, and what this one is called. */
static void classify_boot(struct host_state *h, struct kt_event *ev)
{
	const char *kind;

	if (!ev->prev_exists && !h->seen) {
		kind = "first";
	} else {
		if (h->seen || ev->prev_exists)
			h->boot++;
		if (h->panic_id[0]) {
			kind = "crash";
			kt_event_set_str(ev, "cause_event", h->panic_id);
		} else if (ev->prev_shutdown) {
			kind = "clean";
		} else {
			kind = "unclean";
		}
	}
	kt_event_set_str(ev, "kind", kind);
	ev->subtype = kind;
	if (!strcmp(kind, "crash") || !strcmp(kind, "unclean"))
		ev->severity = KT_SEV_CRITICAL;
	else
		ev->severity = KT_SEV_MINOR;
	if (ev->kernel)
		kt_event_set_str(ev, "kernel", ev->kernel);
	if (ev->prev_exists && ev->prev_last_wall_us != KT_NO_TIME) {
		struct strbuf sb = STRBUF_INIT;

		kt_time_format(&sb, ev->prev_last_wall_us, false);
		kt_event_set_str(ev, "previous_last_time", sb.buf);
		strbuf_release(&sb);
		if (ev->wall_us != KT_NO_TIME &&
		    ev->wall_us >= ev->prev_last_wall_us)
			kt_event_set_int(ev, "gap_secs",
					 (ev->wall_us - ev->prev_last_wall_us) /
					 1000000);
	}
	if (ev->clock_reset)
		kt_event_set_str(ev, "detected_by", "clock_reset");
	if (!strcmp(kind, "first"))
		kt_event_set_title(ev, "system boot");
	else if (!strcmp(kind, "clean"))
		kt_event_set_title(ev, "clean reboot");
	else if (!strcmp(kind, "crash"))
		kt_event_set_title(ev, "reboot after kernel panic");
	else
		kt_event_set_title(ev, "unexpected kernel reboot");
	h->panic_id[0] = '\0';
}

void kt_analyzer_feed(struct kt_analyzer *an, struct kt_event *ev)
{
	struct host_state *h = host_get(an, ev->host);
	struct kt_summary *s = &an->sum;
	uint8_t t;

	if (ev->is_boot) {
		classify_boot(h, ev);
		s->boots++;
	}
	ev->boot = h->boot;
	if (ev->after_cause && h->last_id[0])
		kt_event_set_str(ev, "caused_by", h->last_id);
	if (!strcmp(ev->type, "panic"))
		memcpy(h->panic_id, ev->id, sizeof(h->panic_id));
	h->seen = true;
	memcpy(h->last_id, ev->id, sizeof(h->last_id));
	h->last_type = ev->type;
	h->last_subtype = ev->subtype;

	s->events++;
	s->by_severity[ev->severity]++;
	t = kt_ruleset_type_find(an->rs, ev->type);
	if (t != KT_NO_TYPE)
		s->by_type[t][ev->severity]++;
	if (ev->wall_us != KT_NO_TIME) {
		if (s->first_us == KT_NO_TIME || ev->wall_us < s->first_us)
			s->first_us = ev->wall_us;
		if (s->last_us == KT_NO_TIME || ev->wall_us > s->last_us)
			s->last_us = ev->wall_us;
	}
	an->fn(an->data, ev);
}
