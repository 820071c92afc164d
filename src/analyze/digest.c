/*
 * digest.c - the aggregates a report is written from (see digest.h).
 *
 * Part of the analyze stage: it sees each annotated event once, after
 * the analyzer, and keeps counters, per-problem evidence, the causal
 * chains between problems, boots and a timeline.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/parse.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "analyze/digest.h"

#define SAMPLE_FRAMES 6
#define IDS_MAX 20
#define SET_MAX 16		/* distinct values kept per group and set */
#define GROUP_BOOTS_MAX 4096
#define RING_SIZE 16384		/* recent events kept to resolve causes */
#define TAB_SIZE (4 * RING_SIZE)
#define CHAIN_STEPS_MAX 8
#define CHAINS_MAX 4096
#define CHAIN_HOSTS_MAX 16
#define BOOTS_MAX 16384
#define TOP_MAX 10

/* Strings live in strbufs that are reused: no allocation per event. */
struct sample {
	bool used;
	char id[17];
	int64_t wall_us;
	bool has_host, has_comm, has_tainted, has_kernel;
	struct strbuf host, file, message, comm, tainted, kernel;
	uint64_t line, line_end;
	int64_t pid;
	struct strbuf frame[SAMPLE_FRAMES];
	size_t nr_frame;
};

/* What a group keeps beyond the counters of struct kt_group. */
struct extra {
	json_t *latest;		/* owned reference */
	struct sample first, last;
	char ids[IDS_MAX][17];
	size_t nr_ids;
	struct kt_strmap victims, devices, modules, functions, processes;
	struct kt_strmap caused, caused_by;
	struct kt_strmap boots;	/* "host\nN", up to GROUP_BOOTS_MAX */
};

/* A recent event, for finding what a later event names as its cause. */
struct rec {
	uint64_t key;		/* the id as a number; 0: empty */
	char id[17];
	size_t group;
	long chain;		/* chain ending here, or -1 */
	uint32_t parent;	/* ring slot of the cause, if has_parent */
	uint64_t parent_key;
	bool has_parent;
};

struct chain {
	size_t step[CHAIN_STEPS_MAX];	/* group indexes, cause first */
	size_t nr_step;
	uint64_t count;
	int64_t first_us, last_us;
	struct kt_strmap hosts;
	char example[CHAIN_STEPS_MAX][17];
	size_t nr_example;
};

struct boot {
	char *host;		/* owned or NULL */
	unsigned index;
	int64_t start_us, end_us;
	char *kind;		/* owned or NULL: no reboot event */
	char *title;		/* owned or NULL */
	uint64_t n[3];		/* events by severity */
};

struct kt_digest {
	struct kt_stats st;
	struct extra *ex;	/* owned; parallel to st.group */
	size_t nr_ex, alloc_ex;
	uint64_t events, by_sev[3];
	int64_t first_us, last_us;
	struct kt_strmap hosts;
	uint64_t reboots;
	struct kt_counter devices;
	struct kt_counter type_sev;	/* "type\tseverity" */
	struct kt_counter by_hour;	/* "2025-11-24T08\ttype" */
	struct kt_counter by_day;	/* "2025-11-24\ttype" */

	struct rec *ring;	/* owned; RING_SIZE */
	uint32_t ring_next;
	uint64_t *tab_key;	/* owned; TAB_SIZE: id -> ring slot */
	uint32_t *tab_slot;	/* owned */

	struct kt_strmap chain_index;	/* "g1,g2,..." -> chains[] */
	struct chain *chains;	/* owned */
	size_t nr_chain, alloc_chain;

	struct kt_strmap boot_index;	/* "host\nN" -> boots[] */
	struct boot *boots;	/* owned */
	size_t nr_boot, alloc_boot;
};

struct kt_digest *kt_digest_new(void)
{
	struct kt_digest *d = xcalloc(1, sizeof(*d));

	kt_stats_init(&d->st);
	d->first_us = d->last_us = KT_NO_TIME;
	d->ring = xcalloc(RING_SIZE, sizeof(*d->ring));
	d->tab_key = xcalloc(TAB_SIZE, sizeof(*d->tab_key));
	d->tab_slot = xcalloc(TAB_SIZE, sizeof(*d->tab_slot));
	return d;
}

static void sample_clear(struct sample *s)
{
	size_t i;

	strbuf_release(&s->host);
	strbuf_release(&s->file);
	strbuf_release(&s->message);
	strbuf_release(&s->comm);
	strbuf_release(&s->tainted);
	strbuf_release(&s->kernel);
	for (i = 0; i < SAMPLE_FRAMES; i++)
		strbuf_release(&s->frame[i]);
	memset(s, 0, sizeof(*s));
}

static void put_opt(struct strbuf *sb, bool *has, const char *v)
{
	strbuf_reset(sb);
	*has = v != NULL;
	if (v)
		strbuf_addstr(sb, v);
}

static void counter_release(struct kt_counter *c)
{
	kt_strmap_release(&c->keys);
	free(c->n);
}

void kt_digest_free(struct kt_digest *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_ex; i++) {
		struct extra *x = &d->ex[i];

		json_decref(x->latest);
		sample_clear(&x->first);
		sample_clear(&x->last);
		kt_strmap_release(&x->victims);
		kt_strmap_release(&x->devices);
		kt_strmap_release(&x->modules);
		kt_strmap_release(&x->functions);
		kt_strmap_release(&x->processes);
		kt_strmap_release(&x->caused);
		kt_strmap_release(&x->caused_by);
		kt_strmap_release(&x->boots);
	}
	free(d->ex);
	for (i = 0; i < d->nr_chain; i++)
		kt_strmap_release(&d->chains[i].hosts);
	free(d->chains);
	kt_strmap_release(&d->chain_index);
	for (i = 0; i < d->nr_boot; i++) {
		free(d->boots[i].host);
		free(d->boots[i].kind);
		free(d->boots[i].title);
	}
	free(d->boots);
	kt_strmap_release(&d->boot_index);
	kt_strmap_release(&d->hosts);
	counter_release(&d->devices);
	counter_release(&d->type_sev);
	counter_release(&d->by_hour);
	counter_release(&d->by_day);
	free(d->ring);
	free(d->tab_key);
	free(d->tab_slot);
	kt_stats_release(&d->st);
	free(d);
}

const struct kt_stats *kt_digest_stats(const struct kt_digest *d)
{
	return &d->st;
}

/* ------------------------------------------------------------ groups */

static void set_add(struct kt_strmap *m, const char *v)
{
	if (v && *v && m->nr < SET_MAX)
		kt_strmap_intern(m, v, NULL);
}

static void sample_set(struct sample *s, const struct kt_event *ev)
{
	size_t i;
	bool dummy;

	s->used = true;
	memcpy(s->id, ev->id, sizeof(s->id));
	s->wall_us = ev->wall_us;
	put_opt(&s->host, &s->has_host, ev->host);
	put_opt(&s->file, &dummy, ev->file ? ev->file : "-");
	s->line = ev->line;
	s->line_end = ev->line_end;
	put_opt(&s->message, &dummy, ev->message ? ev->message : "");
	s->pid = ev->pid;
	put_opt(&s->comm, &s->has_comm, ev->comm);
	put_opt(&s->tainted, &s->has_tainted, ev->tainted);
	put_opt(&s->kernel, &s->has_kernel, ev->kernel);
	s->nr_frame = 0;
	for (i = 0; i < ev->nr_frame && s->nr_frame < SAMPLE_FRAMES; i++)
		if (ev->frame[i].reliable) {
			strbuf_reset(&s->frame[s->nr_frame]);
			strbuf_addstr(&s->frame[s->nr_frame++],
				      ev->frame[i].func);
		}
}

/* The latest event's fields plus its task, taint, kernel and message. */
static json_t *latest_facts(const struct extra *x)
{
	const struct sample *s = x->last.used ? &x->last : &x->first;
	json_t *o = x->latest ? json_deep_copy(x->latest) : NULL;

	if (!o)
		o = json_object();
	if (s->has_comm)
		json_object_set_new(o, "comm", json_string(s->comm.buf));
	if (s->pid >= 0)
		json_object_set_new(o, "pid", json_integer(s->pid));
	if (s->has_tainted)
		json_object_set_new(o, "tainted", json_string(s->tainted.buf));
	if (s->has_kernel)
		json_object_set_new(o, "kernel", json_string(s->kernel.buf));
	json_object_set_new(o, "message", json_string(s->message.buf));
	return o;
}

static size_t group_of(struct kt_digest *d, const struct kt_event *ev)
{
	size_t i = kt_strmap_find(&d->st.group_index, ev->fingerprint);

	if (i >= d->nr_ex) {
		size_t old = d->nr_ex;

		ALLOC_GROW(d->ex, i + 1, d->alloc_ex);
		memset(d->ex + old, 0, (i + 1 - old) * sizeof(*d->ex));
		d->nr_ex = i + 1;
	}
	return i;
}

static void update_group(struct kt_digest *d, size_t gi,
			 const struct kt_event *ev)
{
	struct extra *x = &d->ex[gi];
	struct strbuf sb = STRBUF_INIT;
	const char *v;

	/* the event is freed after this and nothing changes its fields:
	 * sharing them is safe */
	json_decref(x->latest);
	x->latest = json_incref(ev->fields);
	if (!x->first.used)
		sample_set(&x->first, ev);
	else
		sample_set(&x->last, ev);
	if (x->nr_ids < IDS_MAX)
		memcpy(x->ids[x->nr_ids++], ev->id, 17);
	if (!strcmp(ev->type, "oom") || !strcmp(ev->type, "segfault"))
		set_add(&x->victims, (v = kt_event_get_str(ev, "victim_comm")) ?
			v : ev->comm);
	set_add(&x->devices, kt_event_get_str(ev, "device"));
	set_add(&x->modules, kt_event_get_str(ev, "guilty_module"));
	set_add(&x->functions, kt_event_get_str(ev, "guilty_func"));
	if (!ev->is_boot)
		set_add(&x->processes, ev->comm);
	if (x->boots.nr < GROUP_BOOTS_MAX) {
		strbuf_addstr(&sb, ev->host ? ev->host : "");
		strbuf_addch(&sb, '\n');
		strbuf_addu(&sb, ev->boot);
		kt_strmap_intern(&x->boots, sb.buf, NULL);
	}
	strbuf_release(&sb);
}

/* ------------------------------------------------------------ causes */

/* An id's 16 hex digits as a number (never 0, the empty mark). */
static uint64_t id_key(const char *id)
{
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < 16 && id[i]; i++) {
		unsigned char c = (unsigned char)id[i];
		unsigned v = c >= '0' && c <= '9' ? c - '0' :
			     c >= 'a' && c <= 'f' ? c - 'a' + 10 : 16;

		if (v > 15)
			return kt_hash_str(KT_HASH_INIT, id) | 1;
		k = k << 4 | v;
	}
	return k ? k : 1;
}

static uint32_t tab_probe(const struct kt_digest *d, uint64_t key)
{
	return (uint32_t)(key ^ (key >> 29)) & (TAB_SIZE - 1);
}

/* The ring slot of a recent event, or -1. */
static long find_rec(const struct kt_digest *d, uint64_t key)
{
	uint32_t i = tab_probe(d, key), n;

	for (n = 0; n < TAB_SIZE && d->tab_key[i]; n++) {
		if (d->tab_key[i] == key && d->ring[d->tab_slot[i]].key == key)
			return d->tab_slot[i];
		i = (i + 1) & (TAB_SIZE - 1);
	}
	return -1;
}

static uint32_t add_rec(struct kt_digest *d, const struct kt_event *ev,
			size_t group)
{
	uint32_t slot = d->ring_next, i = tab_probe(d, id_key(ev->id)), n;
	uint64_t key = id_key(ev->id);
	struct rec *r = &d->ring[slot];

	d->ring_next = (d->ring_next + 1) % RING_SIZE;
	memset(r, 0, sizeof(*r));
	r->key = key;
	memcpy(r->id, ev->id, sizeof(r->id));
	r->group = group;
	r->chain = -1;
	/* take an empty entry or one whose event left the ring */
	for (n = 0; n < TAB_SIZE; n++) {
		uint64_t k = d->tab_key[i];

		if (!k || d->ring[d->tab_slot[i]].key != k ||
		    d->tab_slot[i] == slot)
			break;
		i = (i + 1) & (TAB_SIZE - 1);
	}
	d->tab_key[i] = key;
	d->tab_slot[i] = slot;
	return slot;
}

static const char *group_kind(const struct kt_digest *d, size_t gi,
			      struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, d->st.group[gi].type);
	strbuf_addch(sb, '/');
	strbuf_addstr(sb, d->st.group[gi].subtype);
	return sb->buf;
}

/* The chain that ends at slot: its groups, cause first. */
static size_t chain_steps(const struct kt_digest *d, uint32_t slot,
			  size_t *step, char (*ids)[17])
{
	size_t n = 0, i;
	uint32_t cur = slot;

	for (;;) {
		const struct rec *r = &d->ring[cur];

		step[n] = r->group;
		memcpy(ids[n], r->id, 17);
		n++;
		if (!r->has_parent || n == CHAIN_STEPS_MAX ||
		    d->ring[r->parent].key != r->parent_key)
			break;
		cur = r->parent;
	}
	/* collected effect first: turn around */
	for (i = 0; i < n / 2; i++) {
		size_t t = step[i];
		char tid[17];

		step[i] = step[n - 1 - i];
		step[n - 1 - i] = t;
		memcpy(tid, ids[i], 17);
		memcpy(ids[i], ids[n - 1 - i], 17);
		memcpy(ids[n - 1 - i], tid, 17);
	}
	return n;
}

static void link_cause(struct kt_digest *d, uint32_t slot, long pslot,
		       const struct kt_event *ev)
{
	struct rec *r = &d->ring[slot], *p = &d->ring[pslot];
	struct strbuf sb = STRBUF_INIT, kind = STRBUF_INIT;
	size_t step[CHAIN_STEPS_MAX], n, i;
	char ids[CHAIN_STEPS_MAX][17];
	struct chain *c;
	bool added;

	r->has_parent = true;
	r->parent = (uint32_t)pslot;
	r->parent_key = p->key;
	set_add(&d->ex[r->group].caused_by, group_kind(d, p->group, &kind));
	set_add(&d->ex[p->group].caused, group_kind(d, r->group, &kind));

	/* the cause's chain, if it had one, now continues here */
	if (p->chain >= 0 && d->chains[p->chain].count)
		d->chains[p->chain].count--;
	n = chain_steps(d, slot, step, ids);
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%zu", i ? "," : "", step[i]);
	if (d->chain_index.nr >= CHAINS_MAX &&
	    kt_strmap_find(&d->chain_index, sb.buf) == KT_STRMAP_NONE)
		goto out;
	i = kt_strmap_intern(&d->chain_index, sb.buf, &added);
	if (added) {
		ALLOC_GROW(d->chains, d->nr_chain + 1, d->alloc_chain);
		c = &d->chains[d->nr_chain++];
		memset(c, 0, sizeof(*c));
		memcpy(c->step, step, n * sizeof(*step));
		c->nr_step = n;
		c->first_us = c->last_us = KT_NO_TIME;
		memcpy(c->example, ids, n * sizeof(ids[0]));
		c->nr_example = n;
	}
	c = &d->chains[i];
	c->count++;
	if (ev->wall_us != KT_NO_TIME) {
		if (c->first_us == KT_NO_TIME || ev->wall_us < c->first_us)
			c->first_us = ev->wall_us;
		if (c->last_us == KT_NO_TIME || ev->wall_us > c->last_us)
			c->last_us = ev->wall_us;
	}
	if (c->hosts.nr < CHAIN_HOSTS_MAX)
		kt_strmap_intern(&c->hosts, ev->host ? ev->host : "", NULL);
	r->chain = (long)i;
out:
	strbuf_release(&sb);
	strbuf_release(&kind);
}

/* ------------------------------------------------------------ boots */

static struct boot *boot_of(struct kt_digest *d, const char *host,
			    unsigned index)
{
	struct strbuf sb = STRBUF_INIT;
	struct boot *b = NULL;
	size_t i;
	bool added;

	strbuf_addstr(&sb, host ? host : "");
	strbuf_addch(&sb, '\n');
	strbuf_addu(&sb, index);
	i = kt_strmap_find(&d->boot_index, sb.buf);
	if (i == KT_STRMAP_NONE && d->nr_boot < BOOTS_MAX) {
		i = kt_strmap_intern(&d->boot_index, sb.buf, &added);
		ALLOC_GROW(d->boots, d->nr_boot + 1, d->alloc_boot);
		b = &d->boots[d->nr_boot++];
		memset(b, 0, sizeof(*b));
		b->host = host ? xstrdup(host) : NULL;
		b->index = index;
		b->start_us = b->end_us = KT_NO_TIME;
	} else if (i != KT_STRMAP_NONE) {
		b = &d->boots[i];
	}
	strbuf_release(&sb);
	return b;
}

static void update_boot(struct kt_digest *d, const struct kt_event *ev)
{
	struct boot *b = boot_of(d, ev->host, ev->boot), *prev;
	const char *v;

	if (!b)
		return;
	if (ev->is_boot) {
		free(b->kind);
		free(b->title);
		b->kind = (v = kt_event_get_str(ev, "kind")) ? xstrdup(v) :
			  NULL;
		b->title = xstrdup(ev->title);
		if (ev->wall_us != KT_NO_TIME)
			b->start_us = ev->wall_us;
		/* the previous boot ended with its last line */
		if (ev->boot && (prev = boot_of(d, ev->host, ev->boot - 1)) &&
		    (v = kt_event_get_str(ev, "previous_last_time")))
			prev->end_us = kt_time_parse(v);
	}
	b->n[ev->severity]++;
	if (ev->wall_us != KT_NO_TIME) {
		if (b->start_us == KT_NO_TIME)
			b->start_us = ev->wall_us;
		if (b->end_us == KT_NO_TIME || ev->wall_us > b->end_us)
			b->end_us = ev->wall_us;
	}
}

/* ------------------------------------------------------------ adding */

void kt_digest_add(struct kt_digest *d, const struct kt_event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	const char *cause;
	size_t gi;
	uint32_t slot;
	long p;

	kt_stats_add(&d->st, ev);
	gi = group_of(d, ev);
	update_group(d, gi, ev);
	d->events++;
	d->by_sev[ev->severity]++;
	strbuf_addstr(&sb, ev->type);
	strbuf_addch(&sb, '\t');
	strbuf_addstr(&sb, kt_severity_name(ev->severity));
	kt_counter_add(&d->type_sev, sb.buf, 1);
	strbuf_reset(&sb);
	if (ev->wall_us != KT_NO_TIME) {
		/* kt_stats_add() just filled the keys of this hour */
		const struct kt_hour_keys *hk = &d->st.hour_cache;

		if (d->first_us == KT_NO_TIME || ev->wall_us < d->first_us)
			d->first_us = ev->wall_us;
		if (d->last_us == KT_NO_TIME || ev->wall_us > d->last_us)
			d->last_us = ev->wall_us;
		strbuf_addstr(&sb, hk->hour_key);
		strbuf_addch(&sb, '\t');
		strbuf_addstr(&sb, ev->type);
		kt_counter_add(&d->by_hour, sb.buf, 1);
		strbuf_reset(&sb);
		strbuf_addstr(&sb, hk->day_key);
		strbuf_addch(&sb, '\t');
		strbuf_addstr(&sb, ev->type);
		kt_counter_add(&d->by_day, sb.buf, 1);
	}
	if (ev->host && d->hosts.nr < 4096)
		kt_strmap_intern(&d->hosts, ev->host, NULL);
	if (ev->is_boot)
		d->reboots++;
	if (kt_event_get_str(ev, "device") && d->devices.keys.nr < 4096)
		kt_counter_add(&d->devices, kt_event_get_str(ev, "device"), 1);
	update_boot(d, ev);

	slot = add_rec(d, ev, gi);
	cause = kt_event_get_str(ev, "caused_by");
	if (cause && (p = find_rec(d, id_key(cause))) >= 0 &&
	    (uint32_t)p != slot)
		link_cause(d, slot, p, ev);
	strbuf_release(&sb);
}

/* ------------------------------------------------------------ JSON */

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

static json_t *names_json(const struct kt_strmap *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < m->nr; i++)
		json_array_append_new(a, json_string(m->keys[i]));
	return a;
}

static json_t *top_json(const struct kt_counter *c)
{
	size_t idx[TOP_MAX], n = kt_counter_top(c, idx, TOP_MAX), i;
	json_t *a = json_array();

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:I}", "name",
				      c->keys.keys[idx[i]], "count",
				      (json_int_t)c->n[idx[i]]));
	return a;
}

static json_t *sample_json(const struct sample *s)
{
	json_t *o = json_object(), *fr = json_array();
	size_t i;

	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "time", time_json(s->wall_us));
	json_object_set_new(o, "host", s->has_host ?
			    json_string(s->host.buf) : json_null());
	json_object_set_new(o, "source", json_pack("{s:s,s:I,s:I}", "file",
			    s->file.buf, "line", (json_int_t)s->line,
			    "line_end", (json_int_t)s->line_end));
	json_object_set_new(o, "message", json_string(s->message.buf));
	if (s->pid >= 0 || s->has_comm)
		json_object_set_new(o, "process", json_pack("{s:o,s:o}",
				    "pid", s->pid >= 0 ?
				    json_integer(s->pid) : json_null(),
				    "comm", s->has_comm ?
				    json_string(s->comm.buf) : json_null()));
	else
		json_object_set_new(o, "process", json_null());
	for (i = 0; i < s->nr_frame; i++)
		json_array_append_new(fr, json_string(s->frame[i].buf));
	json_object_set_new(o, "frames", fr);
	return o;
}

static json_t *group_json(const struct kt_digest *d, size_t gi)
{
	const struct kt_group *g = &d->st.group[gi];
	const struct extra *x = &d->ex[gi];
	json_t *o = json_object(), *hosts = json_array(), *a;
	size_t i;

	json_object_set_new(o, "fingerprint", json_string(g->fingerprint));
	json_object_set_new(o, "type", json_string(g->type));
	json_object_set_new(o, "subtype", json_string(g->subtype));
	json_object_set_new(o, "severity",
			    json_string(kt_severity_name(g->severity)));
	json_object_set_new(o, "title", json_string(g->title));
	json_object_set_new(o, "count", json_integer((json_int_t)g->count));
	json_object_set_new(o, "first_time", time_json(g->first_us));
	json_object_set_new(o, "last_time", time_json(g->last_us));
	for (i = 0; i < g->hosts.nr; i++)
		if (*g->hosts.keys[i])
			json_array_append_new(hosts,
					      json_string(g->hosts.keys[i]));
	json_object_set_new(o, "hosts", hosts);
	json_object_set_new(o, "boots", json_integer((json_int_t)x->boots.nr));
	json_object_set_new(o, "latest", latest_facts(x));
	a = json_array();
	if (x->first.used)
		json_array_append_new(a, sample_json(&x->first));
	if (x->last.used)
		json_array_append_new(a, sample_json(&x->last));
	json_object_set_new(o, "samples", a);
	a = json_array();
	for (i = 0; i < x->nr_ids; i++)
		json_array_append_new(a, json_string(x->ids[i]));
	json_object_set_new(o, "event_ids", a);
	json_object_set_new(o, "victims", names_json(&x->victims));
	json_object_set_new(o, "devices", names_json(&x->devices));
	json_object_set_new(o, "modules", names_json(&x->modules));
	json_object_set_new(o, "functions", names_json(&x->functions));
	json_object_set_new(o, "processes", names_json(&x->processes));
	json_object_set_new(o, "caused", names_json(&x->caused));
	json_object_set_new(o, "caused_by", names_json(&x->caused_by));
	return o;
}

static json_t *step_json(const struct kt_digest *d, size_t gi)
{
	const struct kt_group *g = &d->st.group[gi];

	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "group", (json_int_t)gi,
			 "fingerprint", g->fingerprint, "type", g->type,
			 "subtype", g->subtype, "severity",
			 kt_severity_name(g->severity), "title", g->title);
}

/* Chains by count, then by length, then first seen. */
struct chain_rank {
	size_t idx;
	uint64_t count;
	size_t len;
};

static int cmp_chain(const void *a, const void *b)
{
	const struct chain_rank *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static json_t *chains_json(const struct kt_digest *d,
			   const size_t *group_pos)
{
	struct chain_rank *r = xcalloc(d->nr_chain + 1, sizeof(*r));
	json_t *a = json_array();
	size_t i, j, n = 0;

	for (i = 0; i < d->nr_chain; i++) {
		if (!d->chains[i].count)
			continue;
		r[n].idx = i;
		r[n].count = d->chains[i].count;
		r[n].len = d->chains[i].nr_step;
		n++;
	}
	qsort(r, n, sizeof(*r), cmp_chain);
	for (i = 0; i < n; i++) {
		const struct chain *c = &d->chains[r[i].idx];
		json_t *o = json_object(), *steps = json_array(),
		       *ex = json_array(), *hosts = json_array();

		for (j = 0; j < c->nr_step; j++) {
			json_t *s = step_json(d, c->step[j]);

			json_object_set_new(s, "group", json_integer(
				(json_int_t)group_pos[c->step[j]]));
			json_array_append_new(steps, s);
		}
		for (j = 0; j < c->nr_example; j++)
			json_array_append_new(ex, json_string(c->example[j]));
		for (j = 0; j < c->hosts.nr; j++)
			if (*c->hosts.keys[j])
				json_array_append_new(hosts,
					json_string(c->hosts.keys[j]));
		json_object_set_new(o, "steps", steps);
		json_object_set_new(o, "count",
				    json_integer((json_int_t)c->count));
		json_object_set_new(o, "first_time", time_json(c->first_us));
		json_object_set_new(o, "last_time", time_json(c->last_us));
		json_object_set_new(o, "hosts", hosts);
		json_object_set_new(o, "example", ex);
		json_array_append_new(a, o);
	}
	free(r);
	return a;
}

static json_t *boots_json(const struct kt_digest *d)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < d->nr_boot; i++) {
		const struct boot *b = &d->boots[i];
		json_t *o = json_object();

		json_object_set_new(o, "host", b->host ? json_string(b->host) :
				    json_null());
		json_object_set_new(o, "boot", json_integer(b->index));
		json_object_set_new(o, "start", time_json(b->start_us));
		json_object_set_new(o, "end", time_json(b->end_us));
		json_object_set_new(o, "kind", b->kind ? json_string(b->kind) :
				    json_null());
		json_object_set_new(o, "title", b->title ?
				    json_string(b->title) : json_null());
		json_object_set_new(o, "events", json_integer((json_int_t)
				    (b->n[0] + b->n[1] + b->n[2])));
		json_object_set_new(o, "critical",
				    json_integer((json_int_t)b->n[2]));
		json_object_set_new(o, "major",
				    json_integer((json_int_t)b->n[1]));
		json_object_set_new(o, "minor",
				    json_integer((json_int_t)b->n[0]));
		json_array_append_new(a, o);
	}
	return a;
}

/* {"2025-11-24T08": {"oom": 3}, ...} from "bucket\ttype" counters. */
static json_t *buckets_json(const struct kt_counter *c)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < c->keys.nr; i++) {
		const char *k = c->keys.keys[i], *tab = strchr(k, '\t');
		struct strbuf sb = STRBUF_INIT;
		json_t *b;

		if (!tab)
			continue;
		strbuf_add(&sb, k, (size_t)(tab - k));
		b = json_object_get(o, sb.buf);
		if (!b) {
			b = json_object();
			json_object_set_new(o, sb.buf, b);
		}
		json_object_set_new(b, tab + 1,
				    json_integer((json_int_t)c->n[i]));
		strbuf_release(&sb);
	}
	return o;
}

json_t *kt_digest_json(const struct kt_digest *d)
{
	const struct kt_stats *st = &d->st;
	json_t *o = json_object(), *types = json_object(), *sub = json_object(),
	       *groups = json_array(), *tl;
	size_t *idx = xcalloc(st->nr_group + 1, sizeof(*idx));
	size_t *pos = xcalloc(st->nr_group + 1, sizeof(*pos));
	size_t i, n;

	json_object_set_new(o, "events", json_integer((json_int_t)d->events));
	json_object_set_new(o, "critical",
			    json_integer((json_int_t)d->by_sev[2]));
	json_object_set_new(o, "major", json_integer((json_int_t)d->by_sev[1]));
	json_object_set_new(o, "minor", json_integer((json_int_t)d->by_sev[0]));
	json_object_set_new(o, "untimed",
			    json_integer((json_int_t)st->untimed));
	json_object_set_new(o, "first_time", time_json(d->first_us));
	json_object_set_new(o, "last_time", time_json(d->last_us));
	json_object_set_new(o, "span_hours", json_real(
		d->first_us == KT_NO_TIME ? 0.0 :
		(double)(d->last_us - d->first_us) / 3600e6));
	json_object_set_new(o, "hosts", names_json(&d->hosts));
	json_object_set_new(o, "boots", json_integer((json_int_t)d->reboots));
	for (i = 0; i < st->subtypes.keys.nr; i++) {
		const char *k = st->subtypes.keys.keys[i];
		const char *slash = strchr(k, '/');
		struct strbuf t = STRBUF_INIT;

		json_object_set_new(sub, k, json_integer(
			(json_int_t)st->subtypes.n[i]));
		strbuf_add(&t, k, slash ? (size_t)(slash - k) : strlen(k));
		if (!json_object_get(types, t.buf))
			json_object_set_new(types, t.buf, json_pack(
				"{s:i,s:i,s:i}", "minor", 0, "major", 0,
				"critical", 0));
		strbuf_release(&t);
	}
	for (i = 0; i < d->type_sev.keys.nr; i++) {
		const char *k = d->type_sev.keys.keys[i];
		const char *tab = strchr(k, '\t');
		struct strbuf t = STRBUF_INIT;
		json_t *tj;

		strbuf_add(&t, k, (size_t)(tab - k));
		tj = json_object_get(types, t.buf);
		if (tj)
			json_object_set_new(tj, tab + 1, json_integer(
				(json_int_t)d->type_sev.n[i]));
		strbuf_release(&t);
	}
	json_object_set_new(o, "by_type", types);
	json_object_set_new(o, "by_subtype", sub);
	json_object_set_new(o, "processes", top_json(&st->processes));
	json_object_set_new(o, "victims", top_json(&st->victims));
	json_object_set_new(o, "devices", top_json(&d->devices));
	json_object_set_new(o, "modules", top_json(&st->guilty_modules));
	json_object_set_new(o, "functions", top_json(&st->guilty_funcs));

	n = kt_stats_groups_sorted(st, idx);
	for (i = 0; i < n; i++) {
		pos[idx[i]] = i;
		json_array_append_new(groups, group_json(d, idx[i]));
	}
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "chains", chains_json(d, pos));
	json_object_set_new(o, "boot_list", boots_json(d));
	tl = json_object();
	json_object_set_new(tl, "hour", buckets_json(&d->by_hour));
	json_object_set_new(tl, "day", buckets_json(&d->by_day));
	json_object_set_new(o, "timeline", tl);
	free(idx);
	free(pos);
	return o;
}
