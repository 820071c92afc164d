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
#define RECENT_MAX 64		/* events a host remembers for links */
#define UNTIMED_REACH 16	/* events back a link looks without times */

/* What a link needs to know of an earlier event. */
struct recent {
	char id[17];
	const char *type;	/* borrowed from the ruleset */
	char subtype[48];
	char device[64];
	int64_t wall_us, mono_us;
	unsigned boot;
};

struct host_state {
	char *name;		/* owned; "" for none */
	unsigned boot;		/* index of the current boot */
	bool seen;		/* any event or boot so far */
	char panic_id[17];	/* a panic in the current boot, or "" */
	char last_id[17];	/* the event delivered last */
	struct recent ring[RECENT_MAX];	/* the latest events, a ring */
	size_t ring_next, ring_nr;
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
			kt_event_set_str(ev, "caused_by", h->panic_id);
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

/* "type" or "type/subtype" against an event's type and subtype. */
static bool kind_matches(const char *pat, const char *type,
			 const char *subtype)
{
	const char *slash = strchr(pat, '/');
	size_t tl = slash ? (size_t)(slash - pat) : strlen(pat);

	if (strlen(type) != tl || strncmp(pat, type, tl))
		return false;
	return !slash || !strcmp(slash + 1, subtype);
}

/* The whole disk a device name belongs to: sdb1 -> sdb, nvme0n1p2 ->
 * nvme0n1, mmcblk0p1 -> mmcblk0; others as they are. */
static size_t disk_len(const char *dev)
{
	size_t n = strlen(dev), end = n;

	if (!strncmp(dev, "/dev/", 5))
		return disk_len(dev + 5) + 5;
	while (end && dev[end - 1] >= '0' && dev[end - 1] <= '9')
		end--;
	if (end == n || end == 0)
		return n;
	if ((!strncmp(dev, "nvme", 4) || !strncmp(dev, "mmcblk", 6) ||
	     !strncmp(dev, "loop", 4) || !strncmp(dev, "nbd", 3)) &&
	    dev[end - 1] == 'p')
		return end - 1;
	if (!strncmp(dev, "sd", 2) || !strncmp(dev, "vd", 2) ||
	    !strncmp(dev, "xvd", 3) || !strncmp(dev, "hd", 2))
		return end;
	return n;
}

static bool same_device(const char *a, const char *b)
{
	const char *pa = strncmp(a, "/dev/", 5) ? a : a + 5;
	const char *pb = strncmp(b, "/dev/", 5) ? b : b + 5;
	size_t la = disk_len(pa), lb = disk_len(pb);

	return la == lb && !strncmp(pa, pb, la);
}

static void remember(struct host_state *h, const struct kt_event *ev)
{
	struct recent *r = &h->ring[h->ring_next];
	const char *dev = kt_event_get_str(ev, "device");

	memcpy(r->id, ev->id, sizeof(r->id));
	r->type = ev->type;
	snprintf(r->subtype, sizeof(r->subtype), "%s", ev->subtype);
	snprintf(r->device, sizeof(r->device), "%s", dev ? dev : "");
	r->wall_us = ev->wall_us;
	r->mono_us = ev->mono_us;
	r->boot = ev->boot;
	h->ring_next = (h->ring_next + 1) % RECENT_MAX;
	if (h->ring_nr < RECENT_MAX)
		h->ring_nr++;
}

/* Is an earlier event still close enough in time to be the cause? */
static bool in_window(const struct recent *r, const struct kt_event *ev,
		      int secs, size_t back)
{
	int64_t w = (int64_t)secs * 1000000;

	if (r->wall_us != KT_NO_TIME && ev->wall_us != KT_NO_TIME)
		return ev->wall_us - r->wall_us <= w;
	if (r->mono_us >= 0 && ev->mono_us >= 0)
		return ev->mono_us - r->mono_us <= w;
	return back < UNTIMED_REACH;
}

/* The pack's links: the latest earlier event that explains this one. */
static void link_cause(struct kt_analyzer *an, struct host_state *h,
		       struct kt_event *ev)
{
	const struct kt_ruleset *rs = an->rs;
	size_t i, back;

	for (i = 0; i < rs->nr_link; i++) {
		const struct kt_link *l = &rs->link[i];
		const char *mine = l->same ? kt_event_get_str(ev, l->same) :
			      NULL;

		if (!kind_matches(l->effect, ev->type, ev->subtype) ||
		    (l->same && !mine))
			continue;
		for (back = 0; back < h->ring_nr; back++) {
			const struct recent *r = &h->ring[(h->ring_next +
				RECENT_MAX - 1 - back) % RECENT_MAX];

			if (r->boot != ev->boot ||
			    !in_window(r, ev, l->window_secs, back))
				break;
			if (!kind_matches(l->cause, r->type, r->subtype))
				continue;
			if (l->same && !same_device(mine, r->device))
				continue;
			kt_event_set_str(ev, "caused_by", r->id);
			kt_event_set_str(ev, "link", l->id);
			return;
		}
	}
}

void kt_summary_count(struct kt_summary *s, size_t type,
		      const struct kt_event *ev)
{
	s->events++;
	s->by_severity[ev->severity]++;
	if (type < KT_TYPES_MAX)
		s->by_type[type][ev->severity]++;
	if (ev->wall_us != KT_NO_TIME) {
		if (s->first_us == KT_NO_TIME || ev->wall_us < s->first_us)
			s->first_us = ev->wall_us;
		if (s->last_us == KT_NO_TIME || ev->wall_us > s->last_us)
			s->last_us = ev->wall_us;
	}
}

void kt_analyzer_feed(struct kt_analyzer *an, struct kt_event *ev)
{
	struct host_state *h = host_get(an, ev->host);
	struct kt_summary *s = &an->sum;

	if (ev->is_boot) {
		classify_boot(h, ev);
		s->boots++;
	}
	ev->boot = h->boot;
	if (ev->after_cause && h->last_id[0])
		kt_event_set_str(ev, "caused_by", h->last_id);
	if (!strcmp(ev->type, "panic"))
		memcpy(h->panic_id, ev->id, sizeof(h->panic_id));
	if (!json_object_get(ev->fields, "caused_by"))
		link_cause(an, h, ev);
	h->seen = true;
	memcpy(h->last_id, ev->id, sizeof(h->last_id));
	remember(h, ev);

	/* KT_NO_TYPE is beyond KT_TYPES_MAX: not counted by type */
	kt_summary_count(s, kt_ruleset_type_find(an->rs, ev->type), ev);
	an->fn(an->data, ev);
}
