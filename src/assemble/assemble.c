/*
 * assemble.c - build whole reports from tagged lines (see assemble.h).
 *
 * Fourth stage: (struct kt_line, struct kt_match) in, struct kt_report
 * out.  Keeps one slot per (host, caller id) with an open report, one
 * state per host for boots and shutdowns, and a small queue that hands
 * finished reports on in the order of their first line.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/parse.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "assemble/assemble.h"

#define FOREIGN_MAX 40		/* unrelated kernel lines before closing */
#define LINGER_MAX 12		/* lines an ended report waits for tails */
#define PRELUDE_WINDOW 4	/* a prelude starts a head this close */
#define BOOT_MERGE_LINES 600	/* markers this close are one boot */
#define SHUTDOWN_TAIL_LINES 400	/* shutdown this close to the end: clean */
#define SHUTDOWN_TAIL_US (15 * 60 * 1000000LL)
#define CLOCK_RESET_US (10 * 1000000LL)
#define MESSAGE_MAX 4096
#define HOSTS_MAX 4096		/* hosts tracked; more share the last one */
#define SLOTS_MAX 512		/* open contexts; the stalest closes first */
#define IDLE_LINES 20000	/* a context this quiet is over, time or not */

struct host {
	char *name;		/* owned; "" when lines name no host */
	size_t name_len;
	uint64_t hash;		/* of name */
	uint64_t lines_in_boot;	/* lines since the current boot began */
	uint64_t last_line;
	const char *last_file;	/* borrowed */
	int64_t last_wall_us;
	int64_t max_mono_us;	/* in the current input, current boot */
	bool shutdown;		/* an orderly shutdown step was seen */
	uint64_t lines_since_shutdown;
	int64_t shutdown_wall_us;
	struct kt_report *boot;	/* owned: boot report still collecting */
	uint64_t boot_lines;	/* lines since boot was opened */
	int boot_phase;		/* phase of the last marker merged into it */
	struct kt_report *recent;	/* borrowed: last open report touched */
};

struct slot {
	struct host *host;	/* borrowed */
	uint32_t caller;
	struct kt_report *r;	/* owned; open or lingering, or NULL */
	uint64_t seq;		/* lines seen in this context */
	uint64_t touched;	/* the assembler's line count at last use */
	bool has_prelude;
	uint64_t prelude_line, prelude_seq, prelude_offset;
	int64_t prelude_wall_us, prelude_mono_us;
};

struct kt_assembler {
	const struct kt_ruleset *rs;	/* borrowed */
	kt_report_fn *fn;
	void *data;
	const char *file;	/* borrowed: current input name */
	struct host **host;	/* owned */
	size_t nr_host, alloc_host;
	struct host **table;	/* owned array of borrowed hosts: open
				 * addressing by name hash, NULL for free */
	size_t table_size;	/* power of two, > 2 * nr_host, or 0 */
	struct host *last_host;	/* borrowed cache */
	struct slot **slot;	/* owned */
	size_t nr_slot, alloc_slot;
	uint64_t lines;		/* lines fed so far */
	struct kt_report **done;	/* owned; closed, awaiting delivery */
	size_t nr_done, alloc_done;
	/* field ids with a meaning to the assembler */
	uint16_t f_func, f_off, f_size, f_module, f_unreliable, f_rip;
	uint8_t t_reboot;
	int64_t clock_us;	/* live input: when the current line came */
};

/* ------------------------------------------------------------ reports */

void kt_frame_set(struct kt_frame *f, struct kt_str func, struct kt_str off,
		  struct kt_str size, struct kt_str module)
{
	const struct kt_str part[] = { func, off, size, module };
	char **dst[] = { &f->func, &f->off, &f->size, &f->module };
	size_t i, len = 0;
	char *p;

	for (i = 0; i < KT_ARRAY_SIZE(part); i++)
		len = st_add(len, st_add(part[i].len, 1));
	p = xmalloc(len);
	for (i = 0; i < KT_ARRAY_SIZE(part); i++) {
		if (!part[i].p && i) {
			*dst[i] = NULL;
			continue;
		}
		*dst[i] = p;
		if (part[i].len)
			memcpy(p, part[i].p, part[i].len);
		p += part[i].len;
		*p++ = '\0';
	}
}

void kt_frame_release(struct kt_frame *f)
{
	free(f->func);
	f->func = f->off = f->size = f->module = NULL;
}

void kt_report_free(struct kt_report *r)
{
	size_t i, j;

	if (!r)
		return;
	free(r->host);
	free(r->message);
	for (i = 0; i < r->nr_field; i++)
		free(r->field[i].value);
	free(r->field);
	for (i = 0; i < r->nr_item; i++) {
		size_t n = r->item[i].spec->nr_item ?
			   r->item[i].spec->nr_item : 1;

		for (j = 0; j < n; j++)
			free(r->item[i].val[j]);
		free(r->item[i].val);
	}
	free(r->item);
	for (i = 0; i < r->nr_frame; i++)
		kt_frame_release(&r->frame[i]);
	free(r->frame);
	kt_report_free(r->cause);
	free(r);
}

const char *kt_report_get(const struct kt_report *r, uint16_t field)
{
	size_t i;

	for (i = 0; i < r->nr_field; i++)
		if (r->field[i].field == field)
			return r->field[i].value;
	return NULL;
}

static char *dup_capped(struct kt_str s, size_t cap)
{
	return xmemdupz(s.p, KT_MIN(s.len, cap));
}

static void set_field(struct kt_report *r, uint16_t field, struct kt_str v,
		      bool overwrite)
{
	size_t i;

	for (i = 0; i < r->nr_field; i++)
		if (r->field[i].field == field) {
			if (overwrite) {
				free(r->field[i].value);
				r->field[i].value = dup_capped(v,
							KT_REPORT_VALUE_MAX);
			}
			return;
		}
	if (r->nr_field >= KT_REPORT_FIELDS_MAX) {
		r->cut++;
		return;
	}
	ALLOC_GROW(r->field, r->nr_field + 1, r->alloc_field);
	r->field[r->nr_field].field = field;
	r->field[r->nr_field].value = dup_capped(v, KT_REPORT_VALUE_MAX);
	r->nr_field++;
}

static struct kt_report *report_new(const struct kt_assembler *as,
				    enum kt_report_kind kind,
				    const char *file,
				    const struct kt_line *line,
				    const struct host *h)
{
	struct kt_report *r = xcalloc(1, sizeof(*r));

	r->arrived_us = as->clock_us;
	r->kind = kind;
	r->file = file;
	r->line = r->line_end = line->lineno;
	r->offset = line->offset;
	r->wall_us = r->last_wall_us = line->wall_us;
	r->mono_us = r->last_mono_us = line->mono_us;
	r->host = h->name[0] ? xstrdup(h->name) : NULL;
	r->message = dup_capped(line->msg, MESSAGE_MAX);
	r->caller = line->caller;
	r->section = KT_SECTION_MAIN;
	r->nr_lines = 1;
	return r;
}

/*
 * Forgets the frames before the last restart marker, and the RIP if it
 * came from inside the trace (see KT_SECTION_RESTART): what was printed
 * before is the interrupt that reported the stall, not the stalled code.
 */
static void restart_trace(const struct kt_assembler *as, struct kt_report *r)
{
	size_t i, n = KT_MIN(r->restart_at, r->nr_frame);

	for (i = 0; i < n; i++)
		kt_frame_release(&r->frame[i]);
	memmove(r->frame, r->frame + n, (r->nr_frame - n) * sizeof(*r->frame));
	r->nr_frame -= n;
	r->restart_pending = false;
	if (!r->rip_in_trace)
		return;
	r->rip_in_trace = false;
	for (i = 0; i < r->nr_field; i++)
		if (r->field[i].field == as->f_rip) {
			free(r->field[i].value);
			r->field[i] = r->field[--r->nr_field];
			break;
		}
}

static void touch(const struct kt_assembler *as, struct kt_report *r,
		  const struct kt_line *line)
{
	/*
	 * A section line's own frame belongs to the part before it.  A
	 * restart only takes effect when a frame follows its markers: a
	 * trace that ends in interrupt entry code (the task was interrupted
	 * in user mode) keeps what it has.  Only the main part restarts;
	 * another task's stays aside.
	 */
	if (r->next_section == KT_SECTION_RESTART) {
		if (r->section == KT_SECTION_MAIN) {
			r->restart_pending = true;
			r->restart_at = r->nr_frame;
		}
		r->next_section = 0;
	} else if (r->restart_pending && r->nr_frame > r->restart_at) {
		restart_trace(as, r);
	}
	if (r->next_section) {
		r->section = r->next_section;
		r->next_section = 0;
	}
	if (line->lineno > r->line_end)
		r->line_end = line->lineno;
	if (line->wall_us != KT_NO_TIME) {
		if (r->wall_us == KT_NO_TIME)
			r->wall_us = line->wall_us;
		r->last_wall_us = line->wall_us;
	}
	if (line->mono_us >= 0) {
		if (r->mono_us < 0)
			r->mono_us = line->mono_us;
		r->last_mono_us = line->mono_us;
	}
	r->nr_lines++;
	r->foreign = 0;
	r->arrived_us = as->clock_us;
}

/* ------------------------------------------------------------ captures */

static struct kt_str cap_of(const struct kt_match *m,
			    const struct kt_match_hit *h, uint16_t field)
{
	unsigned i;

	for (i = 0; i < h->cap_nr; i++)
		if (m->cap[h->cap_start + i].field == field)
			return m->cap[h->cap_start + i].val;
	return KT_STR_NULL;
}

static struct kt_str capped(struct kt_str s, size_t cap)
{
	return kt_str_make(s.p, KT_MIN(s.len, cap));
}

static void add_frame(struct kt_assembler *as, struct kt_report *r,
		      const struct kt_match *m, const struct kt_match_hit *h)
{
	struct kt_str func = cap_of(m, h, as->f_func);
	struct kt_frame *f;

	if (!func.len || r->section == KT_SECTION_AUX)
		return;
	if (r->nr_frame >= KT_REPORT_FRAMES_MAX) {
		r->cut++;
		return;
	}
	ALLOC_GROW(r->frame, r->nr_frame + 1, r->alloc_frame);
	f = &r->frame[r->nr_frame++];
	kt_frame_set(f, capped(func, 256),
		     capped(cap_of(m, h, as->f_off), 256),
		     capped(cap_of(m, h, as->f_size), 256),
		     capped(cap_of(m, h, as->f_module), 256));
	f->reliable = !cap_of(m, h, as->f_unreliable).len;
}

static int64_t sort_value(const char *s)
{
	int64_t v;

	if (!s || kt_str_to_i64(kt_str_cstr(s), &v))
		return INT64_MIN;
	return v;
}

static void add_item(struct kt_report *r, const struct kt_rule_collect *c,
		     const struct kt_match *m, const struct kt_match_hit *h)
{
	size_t n = c->nr_item ? c->nr_item : 1, i, count = 0, victim = 0;
	struct kt_ritem it;

	it.field = c->into;
	it.spec = c;
	it.val = xcalloc(n, sizeof(char *));
	if (c->nr_item) {
		for (i = 0; i < n; i++) {
			struct kt_str v = cap_of(m, h, c->item[i].field);

			it.val[i] = v.p ? dup_capped(v, 256) : NULL;
		}
	} else {
		struct kt_str v = cap_of(m, h, c->value);

		if (!v.len) {
			free(it.val);
			return;
		}
		it.val[0] = dup_capped(v, 256);
		/* string lists hold distinct values */
		for (i = 0; i < r->nr_item; i++)
			if (r->item[i].field == c->into &&
			    !strcmp(r->item[i].val[0], it.val[0])) {
				free(it.val[0]);
				free(it.val);
				return;
			}
	}
	it.sort_key = c->sort_by >= 0 ? sort_value(it.val[c->sort_by]) : 0;
	for (i = 0; i < r->nr_item; i++) {
		if (r->item[i].field != c->into)
			continue;
		if (!count || r->item[i].sort_key < r->item[victim].sort_key)
			victim = i;
		count++;
	}
	if (count >= c->keep) {
		if (c->sort_by < 0 || it.sort_key <= r->item[victim].sort_key) {
			for (i = 0; i < n; i++)
				free(it.val[i]);
			free(it.val);
			return;	/* keep: the rest are summarised away */
		}
		for (i = 0; i < n; i++)
			free(r->item[victim].val[i]);
		free(r->item[victim].val);
		r->item[victim] = it;
		return;
	}
	ALLOC_GROW(r->item, r->nr_item + 1, r->alloc_item);
	r->item[r->nr_item++] = it;
}

static bool is_headlike(const struct kt_rule *rule)
{
	return rule->role == KT_ROLE_HEAD || rule->role == KT_ROLE_LINE;
}

/* Records what one matched rule says about the report. */
static void apply_hit(struct kt_assembler *as, struct kt_report *r,
		      const struct kt_match *m, const struct kt_match_hit *h)
{
	const struct kt_rule *rule = h->rule;
	unsigned i;

	if (rule->role == KT_ROLE_FRAME) {
		add_frame(as, r, m, h);
		return;
	}
	if (rule->role == KT_ROLE_SECTION)
		r->next_section = rule->section;
	if (!is_headlike(rule) && rule->subtype)
		r->subtype = rule->subtype;
	if (!is_headlike(rule) && rule->severity > r->severity)
		r->severity = rule->severity;
	if (rule->collect) {
		add_item(r, rule->collect, m, h);
		return;
	}
	for (i = 0; i < h->cap_nr; i++) {
		const struct kt_capture *c = &m->cap[h->cap_start + i];

		if (!c->val.len)
			continue;
		if (c->field == as->f_rip && !kt_report_get(r, as->f_rip))
			r->rip_in_trace = r->nr_frame > 0 &&
					  !r->restart_pending;
		set_field(r, c->field, c->val, false);
	}
	for (i = 0; i < rule->nr_set; i++)
		set_field(r, rule->set[i].field,
			  kt_str_cstr(rule->set[i].value), true);
}

/* ------------------------------------------------------------ delivery */

static uint64_t min_pending_line(const struct kt_assembler *as)
{
	uint64_t min = UINT64_MAX;
	size_t i;

	for (i = 0; i < as->nr_slot; i++) {
		const struct kt_report *r = as->slot[i]->r;

		if (!r)
			continue;
		if (r->cause && r->cause->line < min)
			min = r->cause->line;
		if (r->line < min)
			min = r->line;
	}
	for (i = 0; i < as->nr_host; i++)
		if (as->host[i]->boot && as->host[i]->boot->line < min)
			min = as->host[i]->boot->line;
	return min;
}

static void release(struct kt_assembler *as, bool all)
{
	uint64_t min = all ? UINT64_MAX : min_pending_line(as);
	size_t i, j, kept = 0;

	/* done is kept sorted by first line (insertion in push) */
	for (i = 0; i < as->nr_done; i++) {
		struct kt_report *r = as->done[i];

		if (all || r->line < min) {
			as->fn(as->data, r);
		} else {
			for (j = i; j < as->nr_done; j++)
				as->done[kept++] = as->done[j];
			break;
		}
	}
	as->nr_done = kept;
}

static void push_done(struct kt_assembler *as, struct kt_report *r)
{
	size_t i;

	ALLOC_GROW(as->done, as->nr_done + 1, as->alloc_done);
	i = as->nr_done++;
	while (i && as->done[i - 1]->line > r->line) {
		as->done[i] = as->done[i - 1];
		i--;
	}
	as->done[i] = r;
}

static bool has_main_frames(const struct kt_report *r)
{
	return r->nr_frame > 0;
}

static void copy_frames(struct kt_report *dst, const struct kt_report *src)
{
	size_t i;

	dst->frame = xcalloc(src->nr_frame, sizeof(*dst->frame));
	dst->alloc_frame = src->nr_frame;
	for (i = 0; i < src->nr_frame; i++) {
		const struct kt_frame *s = &src->frame[i];
		struct kt_frame *d = &dst->frame[i];

		kt_frame_set(d, kt_str_cstr(s->func), kt_str_cstr(s->off),
			     kt_str_cstr(s->size), kt_str_cstr(s->module));
		d->reliable = s->reliable;
	}
	dst->nr_frame = src->nr_frame;
}

/*
 * Queues r for delivery, after the report its head held as the cause
 * (an oops or WARN before "Kernel panic"); a cause printed without a
 * call trace borrows the panic's, which the kernel printed for both.
 */
static void finish(struct kt_assembler *as, struct kt_report *r)
{
	struct kt_report *c = r->cause;

	r->cause = NULL;
	if (c) {
		if (!has_main_frames(c) && has_main_frames(r))
			copy_frames(c, r);
		finish(as, c);
		r->after_cause = true;
	}
	push_done(as, r);
}

static void slot_close(struct kt_assembler *as, struct slot *s)
{
	struct kt_report *r = s->r;

	if (!r)
		return;
	s->r = NULL;
	if (s->host->recent == r)
		s->host->recent = NULL;
	finish(as, r);
}

static void slot_drop(struct kt_assembler *as, size_t i)
{
	struct slot *s = as->slot[i];

	slot_close(as, s);
	free(s);
	as->slot[i] = as->slot[--as->nr_slot];
}

/* Forgets slots with nothing to track, so caller ids do not pile up. */
static void slot_gc(struct kt_assembler *as, struct slot *s)
{
	size_t i;

	if (s->r || (s->has_prelude && s->seq <= s->prelude_seq +
		     PRELUDE_WINDOW))
		return;
	for (i = 0; i < as->nr_slot; i++)
		if (as->slot[i] == s) {
			slot_drop(as, i);
			return;
		}
}

static void boot_deliver(struct kt_assembler *as, struct host *h)
{
	if (!h->boot)
		return;
	push_done(as, h->boot);
	h->boot = NULL;
}

/* ------------------------------------------------------------ lookup */

static bool host_is(const struct host *h, struct kt_str name)
{
	return h->name_len == name.len &&
	       (!name.len || !memcmp(h->name, name.p, name.len));
}

/* Puts h in the table, which has room. */
static void host_index(struct kt_assembler *as, struct host *h)
{
	size_t mask = as->table_size - 1, i = (size_t)h->hash & mask;

	while (as->table[i])
		i = (i + 1) & mask;
	as->table[i] = h;
}

static struct host *host_get(struct kt_assembler *as, struct kt_str name)
{
	uint64_t hash;
	struct host *h;
	size_t i, mask;

	if (as->last_host && host_is(as->last_host, name))
		return as->last_host;
	hash = kt_hash_add(KT_HASH_INIT, name.p, name.len);
	mask = as->table_size - 1;
	for (i = (size_t)hash & mask; as->table_size && as->table[i];
	     i = (i + 1) & mask) {
		h = as->table[i];
		if (h->hash == hash && host_is(h, name)) {
			as->last_host = h;
			return h;
		}
	}
	/* hostile input could name a new host on every line */
	if (as->nr_host >= HOSTS_MAX)
		return as->host[as->nr_host - 1];
	h = xcalloc(1, sizeof(*h));
	h->name = dup_capped(name, name.len);
	h->name_len = strlen(h->name);
	h->hash = kt_hash_add(KT_HASH_INIT, h->name, h->name_len);
	h->last_wall_us = KT_NO_TIME;
	h->boot_phase = -1;
	ALLOC_GROW(as->host, as->nr_host + 1, as->alloc_host);
	as->host[as->nr_host++] = h;
	if (as->nr_host * 2 >= as->table_size) {
		free(as->table);
		as->table_size = as->table_size ? as->table_size * 2 : 16;
		as->table = xcalloc(as->table_size, sizeof(*as->table));
		for (i = 0; i < as->nr_host; i++)
			host_index(as, as->host[i]);
	} else {
		host_index(as, h);
	}
	as->last_host = h;
	return h;
}

static struct slot *slot_find(struct kt_assembler *as, struct host *h,
			      uint32_t caller)
{
	size_t i;

	for (i = 0; i < as->nr_slot; i++)
		if (as->slot[i]->host == h && as->slot[i]->caller == caller)
			return as->slot[i];
	return NULL;
}

static struct slot *slot_get(struct kt_assembler *as, struct host *h,
			     uint32_t caller)
{
	struct slot *s = slot_find(as, h, caller);

	if (s)
		return s;
	if (as->nr_slot >= SLOTS_MAX) {
		size_t i, stalest = 0;

		for (i = 1; i < as->nr_slot; i++)
			if (as->slot[i]->touched < as->slot[stalest]->touched)
				stalest = i;
		slot_drop(as, stalest);
		release(as, false);
	}
	s = xcalloc(1, sizeof(*s));
	s->host = h;
	s->caller = caller;
	s->touched = as->lines;
	ALLOC_GROW(as->slot, as->nr_slot + 1, as->alloc_slot);
	as->slot[as->nr_slot++] = s;
	return s;
}

/* ------------------------------------------------------------ rules */

static bool applies(const struct kt_assembler *as, const struct kt_rule *rule,
		    const struct kt_report *r)
{
	const char *type;
	size_t i, tl;

	if (r->kind != KT_REPORT_ANOMALY || !r->head)
		return false;
	if (!rule->within && !rule->nr_within_sub)
		return true;
	if (rule->within & (1ULL << r->head->type))
		return true;
	type = as->rs->types[r->head->type];
	tl = strlen(type);
	for (i = 0; i < rule->nr_within_sub; i++) {
		const char *w = rule->within_sub[i];

		if (!strncmp(w, type, tl) && w[tl] == '/' &&
		    (!strcmp(w + tl + 1, r->head->subtype) ||
		     (r->subtype && !strcmp(w + tl + 1, r->subtype))))
			return true;
	}
	return false;
}

/* The head among the hits: highest priority, then pack order. */
static const struct kt_match_hit *best_head(const struct kt_match *m)
{
	const struct kt_match_hit *best = NULL;
	unsigned i;

	for (i = 0; i < m->nr; i++) {
		const struct kt_rule *rule = m->hit[i].rule;

		if (is_headlike(rule) &&
		    (!best || rule->priority > best->rule->priority))
			best = &m->hit[i];
	}
	return best;
}

static const struct kt_match_hit *find_role(const struct kt_match *m,
					    enum kt_role role)
{
	unsigned i;

	for (i = 0; i < m->nr; i++)
		if (m->hit[i].rule->role == role)
			return &m->hit[i];
	return NULL;
}

/* Does a head continue the open report r instead of starting anew? */
static bool joins(const struct kt_assembler *as, const struct kt_report *r,
		  const struct kt_match *m, const struct kt_match_hit *h)
{
	const struct kt_rule *rule = h->rule;
	uint16_t key;
	const char *have;
	struct kt_str want;

	if (!r || r->ended || r->kind != KT_REPORT_ANOMALY ||
	    !(rule->join & (1ULL << r->head->type)) ||
	    (has_main_frames(r) && !rule->join_trace))
		return false;
	if (!rule->join_key)
		return true;
	key = kt_ruleset_field_find(as->rs, rule->join_key);
	if (key == KT_NO_FIELD)
		return true;
	have = kt_report_get(r, key);
	want = cap_of(m, h, key);
	return !have || !want.p || kt_str_eq_cstr(want, have);
}

static bool gap_passed(const struct kt_report *r, const struct kt_line *l)
{
	if (l->mono_us >= 0 && r->last_mono_us >= 0)
		return l->mono_us - r->last_mono_us > KT_REPORT_GAP_US ||
		       l->mono_us < r->last_mono_us - KT_REPORT_GAP_US;
	if (l->wall_us != KT_NO_TIME && r->last_wall_us != KT_NO_TIME)
		return l->wall_us - r->last_wall_us > KT_REPORT_GAP_US ||
		       l->wall_us < r->last_wall_us - KT_REPORT_GAP_US;
	return false;
}

/* Closes the host's reports whose context went quiet. */
/*
 * Closes the reports whose context went quiet: for longer than the gap
 * in log time, or, for logs without time stamps, for IDLE_LINES lines.
 */
static void close_stale(struct kt_assembler *as, struct host *h,
			const struct kt_line *l)
{
	bool timed = l->mono_us >= 0 || l->wall_us != KT_NO_TIME;
	bool any = false;
	size_t i;

	for (i = 0; i < as->nr_slot; i++) {
		struct slot *s = as->slot[i];

		if (!s->r)
			continue;
		if ((timed && s->host == h && gap_passed(s->r, l)) ||
		    as->lines - s->touched > IDLE_LINES) {
			slot_close(as, s);
			any = true;
		}
	}
	if (timed && h->boot && gap_passed(h->boot, l) &&
	    h->boot_lines > 50) {
		boot_deliver(as, h);
		any = true;
	}
	if (any) {
		for (i = as->nr_slot; i-- > 0;)
			if (!as->slot[i]->r && !as->slot[i]->has_prelude)
				slot_drop(as, i);
		release(as, false);
	}
}

/* ------------------------------------------------------------ boots */

static void host_flush(struct kt_assembler *as, struct host *h)
{
	size_t i;

	for (i = as->nr_slot; i-- > 0;)
		if (as->slot[i]->host == h)
			slot_drop(as, i);
	h->recent = NULL;
	boot_deliver(as, h);
}

static void new_boot(struct kt_assembler *as, struct host *h,
		     const struct kt_line *line, int phase, bool clock_reset)
{
	struct kt_report *b;

	host_flush(as, h);
	b = report_new(as, KT_REPORT_BOOT, as->file, line, h);
	b->severity = KT_SEV_MINOR;
	b->boot_phase = phase;
	b->clock_reset = clock_reset;
	b->prev_exists = h->lines_in_boot > 0;
	b->prev_last_line = h->last_line;
	b->prev_file = h->last_file;
	b->prev_last_wall_us = h->last_wall_us;
	b->prev_shutdown = h->shutdown &&
		(h->lines_since_shutdown <= SHUTDOWN_TAIL_LINES ||
		 (h->last_wall_us != KT_NO_TIME &&
		  h->shutdown_wall_us != KT_NO_TIME &&
		  h->last_wall_us - h->shutdown_wall_us <= SHUTDOWN_TAIL_US));
	h->boot = b;
	h->boot_lines = 0;
	h->boot_phase = phase;
	h->lines_in_boot = 0;
	h->shutdown = false;
	h->max_mono_us = line->mono_us >= 0 ? line->mono_us : 0;
	release(as, false);
}

/* Returns true when the line was a boot marker. */
static bool handle_boot(struct kt_assembler *as, struct host *h,
			const struct kt_line *line, const struct kt_match *m)
{
	const struct kt_match_hit *bh = find_role(m, KT_ROLE_BOOT);
	unsigned i;

	if (!bh) {
		/* the monotonic clock restarting is a boot without a marker */
		if (line->is_kernel && line->mono_us >= 0 && !h->boot &&
		    h->max_mono_us > line->mono_us + CLOCK_RESET_US &&
		    line->mono_us < 1000 * 1000000LL) {
			new_boot(as, h, line, 50, true);
			return false;
		}
		return false;
	}
	for (i = 0; i < m->nr; i++)
		if (m->hit[i].rule->role == KT_ROLE_BOOT &&
		    m->hit[i].rule->phase > bh->rule->phase)
			bh = &m->hit[i];
	if (h->boot && bh->rule->phase > h->boot_phase &&
	    h->boot_lines < BOOT_MERGE_LINES) {
		h->boot_phase = bh->rule->phase;
		touch(as, h->boot, line);
	} else {
		new_boot(as, h, line, bh->rule->phase, false);
	}
	for (i = 0; i < m->nr; i++)
		if (m->hit[i].rule->role == KT_ROLE_BOOT)
			apply_hit(as, h->boot, m, &m->hit[i]);
	return true;
}

/* ------------------------------------------------------------ feeding */

static bool blank(struct kt_str s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		if (!kt_is_space((unsigned char)s.p[i]))
			return false;
	return true;
}

static void apply_line_hits(struct kt_assembler *as, struct kt_report *r,
			    const struct kt_match *m,
			    const struct kt_match_hit *h)
{
	unsigned i;

	for (i = 0; i < m->nr; i++) {
		const struct kt_rule *rule = m->hit[i].rule;

		if (&m->hit[i] == h || (!is_headlike(rule) &&
					rule->role != KT_ROLE_TAIL &&
					applies(as, rule, r)))
			apply_hit(as, r, m, &m->hit[i]);
	}
}

/* A one-line event: delivered as is, the open report left alone. */
static void emit_line(struct kt_assembler *as, struct host *h,
		      const struct kt_line *line, const struct kt_match *m,
		      const struct kt_match_hit *hit)
{
	struct kt_report *r = report_new(as, KT_REPORT_ANOMALY, as->file,
					 line, h);

	r->head = hit->rule;
	r->severity = hit->rule->severity;
	r->ended = true;
	apply_line_hits(as, r, m, hit);
	push_done(as, r);
	release(as, false);
}

static void open_report(struct kt_assembler *as, struct slot *s,
			const struct kt_line *line, const struct kt_match *m,
			const struct kt_match_hit *h)
{
	struct kt_report *r, *cause = NULL;

	if (s->r && h->rule->hold) {
		cause = s->r;
		s->r = NULL;
		if (s->host->recent == cause)
			s->host->recent = NULL;
	} else if (s->r) {
		slot_close(as, s);
	}
	r = report_new(as, KT_REPORT_ANOMALY, as->file, line, s->host);
	r->head = h->rule;
	r->severity = h->rule->severity;
	r->cause = cause;
	if (h->rule->section)
		r->section = h->rule->section;
	if (s->has_prelude && s->seq <= s->prelude_seq + PRELUDE_WINDOW &&
	    s->prelude_line <= line->lineno) {
		r->line = s->prelude_line;
		r->offset = s->prelude_offset;
		if (s->prelude_wall_us != KT_NO_TIME)
			r->wall_us = s->prelude_wall_us;
		if (s->prelude_mono_us >= 0)
			r->mono_us = s->prelude_mono_us;
		r->nr_lines++;
	}
	s->has_prelude = false;
	apply_line_hits(as, r, m, h);
	s->r = r;
	s->host->recent = r;
}

/* Applies the non-head hits of a line that belongs to r. */
static bool absorb(struct kt_assembler *as, struct kt_report *r,
		   const struct kt_line *line, const struct kt_match *m)
{
	bool member = false, end = false;
	unsigned i;

	for (i = 0; i < m->nr; i++) {
		const struct kt_rule *rule = m->hit[i].rule;

		if (is_headlike(rule) || rule->role == KT_ROLE_BOOT ||
		    rule->role == KT_ROLE_SHUTDOWN ||
		    rule->role == KT_ROLE_PRELUDE || !applies(as, rule, r))
			continue;
		if (r->ended && rule->role != KT_ROLE_TAIL)
			continue;
		apply_hit(as, r, m, &m->hit[i]);
		member = true;
		if (rule->role == KT_ROLE_END)
			end = true;
	}
	if (member) {
		touch(as, r, line);
		if (end)
			r->ended = true;
	}
	return member;
}

static void feed_anomaly(struct kt_assembler *as, struct host *h,
			 const struct kt_line *line, const struct kt_match *m)
{
	const struct kt_match_hit *head = m->nr ? best_head(m) : NULL;
	struct slot *s = slot_find(as, h, line->caller);
	struct kt_report *r;

	if (s) {
		s->seq++;
		s->touched = as->lines;
	}
	if (head && head->rule->role == KT_ROLE_LINE) {
		emit_line(as, h, line, m, head);
		return;
	}
	if (head) {
		if (!s)
			s = slot_get(as, h, line->caller);
		r = s->r;
		if (joins(as, r, m, head)) {
			apply_line_hits(as, r, m, head);
			if (head->rule->severity > r->severity)
				r->severity = head->rule->severity;
			touch(as, r, line);
			if (find_role(m, KT_ROLE_END) &&
			    applies(as, find_role(m, KT_ROLE_END)->rule, r))
				r->ended = true;
			h->recent = r;
			return;
		}
		open_report(as, s, line, m, head);
		release(as, false);
		return;
	}
	r = s ? s->r : NULL;
	if (!r && line->caller && m->nr && h->recent && !h->recent->ended) {
		/* a line of another CPU or task inside a report
		 * (NMI backtraces): give it to the report in progress */
		if (absorb(as, h->recent, line, m))
			return;
	}
	if (find_role(m, KT_ROLE_PRELUDE)) {
		if (!s)
			s = slot_get(as, h, line->caller);
		s->has_prelude = true;
		s->prelude_line = line->lineno;
		s->prelude_offset = line->offset;
		s->prelude_seq = s->seq;
		s->prelude_wall_us = line->wall_us;
		s->prelude_mono_us = line->mono_us;
		if (s->r)
			absorb(as, s->r, line, m);
		return;
	}
	if (!r)
		return;
	if (m->nr && absorb(as, r, line, m)) {
		h->recent = r;
		return;
	}
	if (!line->is_kernel || blank(line->msg))
		return;
	if (!r->ended && (line->msg.p[0] == ' ' || line->msg.p[0] == '\t')) {
		/* indented text inside a report is part of it */
		touch(as, r, line);
		return;
	}
	if (++r->foreign > (r->ended ? LINGER_MAX : FOREIGN_MAX)) {
		slot_close(as, s);
		release(as, false);
		slot_gc(as, s);
	}
}

static void want_report(struct kt_match_want *want, const struct kt_report *r)
{
	if (!r || r->kind != KT_REPORT_ANOMALY || !r->head)
		return;
	if (r->ended)
		want->ended |= 1ULL << r->head->type;
	else
		want->open |= 1ULL << r->head->type;
}

/*
 * Mirrors feed_anomaly() for a line without a head: only the context's
 * report and the host's unended recent one (for lines with a caller id)
 * ever absorb it.  close_stale() and boots run first there, but they
 * only take reports away.
 */
void kt_assembler_want(struct kt_assembler *as, const struct kt_line *line,
		       struct kt_match_want *want)
{
	struct host *h;
	struct slot *s;

	want->open = want->ended = 0;
	want->unscreened = false;
	if (!as->nr_slot)
		return;
	h = host_get(as, line->host);
	s = slot_find(as, h, line->caller);
	if (s)
		want_report(want, s->r);
	if (line->caller && h->recent && !h->recent->ended)
		want_report(want, h->recent);
}

void kt_assembler_feed(struct kt_assembler *as, const struct kt_line *line,
		       const struct kt_match *m)
{
	struct host *h;

	/*
	 * A boot marker that names no host (journalctl's "-- Boot ID --")
	 * starts the next boot of the host whose lines came before it.
	 */
	if (!line->host.len && as->last_host && as->last_host->name_len &&
	    find_role(m, KT_ROLE_BOOT))
		h = as->last_host;
	else
		h = host_get(as, line->host);
	as->lines++;
	close_stale(as, h, line);
	if (!handle_boot(as, h, line, m)) {
		const struct kt_match_hit *sh = find_role(m, KT_ROLE_SHUTDOWN);

		if (sh) {
			h->shutdown = true;
			h->lines_since_shutdown = 0;
			h->shutdown_wall_us = line->wall_us;
		}
		feed_anomaly(as, h, line, m);
	}
	if (h->boot) {
		h->boot_lines++;
		if (h->boot_lines > BOOT_MERGE_LINES) {
			boot_deliver(as, h);
			release(as, false);
		}
	}
	if (line->is_kernel && line->mono_us > h->max_mono_us)
		h->max_mono_us = line->mono_us;
	h->lines_in_boot++;
	h->lines_since_shutdown++;
	h->last_line = line->lineno;
	h->last_file = as->file;
	if (line->wall_us != KT_NO_TIME)
		h->last_wall_us = line->wall_us;
}

/* ------------------------------------------------------------ lifetime */

struct kt_assembler *kt_assembler_new(const struct kt_ruleset *rs,
				      kt_report_fn *fn, void *data)
{
	struct kt_assembler *as = xcalloc(1, sizeof(*as));

	as->rs = rs;
	as->fn = fn;
	as->data = data;
	as->file = "-";
	as->f_func = kt_ruleset_field_find(rs, "func");
	as->f_off = kt_ruleset_field_find(rs, "off");
	as->f_size = kt_ruleset_field_find(rs, "size");
	as->f_module = kt_ruleset_field_find(rs, "module");
	as->f_unreliable = kt_ruleset_field_find(rs, "unreliable");
	as->f_rip = kt_ruleset_field_find(rs, "rip");
	as->t_reboot = kt_ruleset_type_find(rs, "reboot");
	return as;
}

void kt_assembler_begin(struct kt_assembler *as, const char *name)
{
	size_t i;

	as->file = name;
	for (i = 0; i < as->nr_host; i++)
		as->host[i]->max_mono_us = 0;
}

void kt_assembler_set_clock(struct kt_assembler *as, int64_t now_us)
{
	as->clock_us = now_us;
}

void kt_assembler_tick(struct kt_assembler *as, int64_t now_us,
		       int64_t idle_us)
{
	size_t i;

	for (i = 0; i < as->nr_slot; i++) {
		struct slot *s = as->slot[i];

		if (s->r && now_us - s->r->arrived_us >= idle_us)
			slot_close(as, s);
	}
	for (i = 0; i < as->nr_host; i++) {
		struct host *h = as->host[i];

		if (h->boot && now_us - h->boot->arrived_us >= idle_us)
			boot_deliver(as, h);
	}
	release(as, false);
	for (i = as->nr_slot; i-- > 0;)
		slot_gc(as, as->slot[i]);
}

static void pending_min(uint64_t off, uint64_t line, uint64_t *min,
			uint64_t *min_line)
{
	if (off < *min) {
		*min = off;
		*min_line = line;
	}
}

uint64_t kt_assembler_pending_offset(const struct kt_assembler *as,
				     uint64_t *line)
{
	uint64_t min = UINT64_MAX, min_line = 0;
	size_t i;

	for (i = 0; i < as->nr_slot; i++) {
		const struct slot *s = as->slot[i];
		const struct kt_report *r = s->r;

		if (r)
			pending_min(r->offset, r->line, &min, &min_line);
		if (r && r->cause)
			pending_min(r->cause->offset, r->cause->line, &min,
				    &min_line);
		/* a prelude line a report may still start at */
		if (s->has_prelude)
			pending_min(s->prelude_offset, s->prelude_line, &min,
				    &min_line);
	}
	for (i = 0; i < as->nr_host; i++)
		if (as->host[i]->boot)
			pending_min(as->host[i]->boot->offset,
				    as->host[i]->boot->line, &min, &min_line);
	for (i = 0; i < as->nr_done; i++)
		pending_min(as->done[i]->offset, as->done[i]->line, &min,
			    &min_line);
	*line = min_line;
	return min;
}

void kt_assembler_end(struct kt_assembler *as)
{
	size_t i;

	while (as->nr_slot)
		slot_drop(as, as->nr_slot - 1);
	for (i = 0; i < as->nr_host; i++) {
		as->host[i]->recent = NULL;
		boot_deliver(as, as->host[i]);
	}
	release(as, true);
}

void kt_assembler_free(struct kt_assembler *as)
{
	size_t i;

	if (!as)
		return;
	for (i = 0; i < as->nr_slot; i++) {
		kt_report_free(as->slot[i]->r);
		free(as->slot[i]);
	}
	free(as->slot);
	for (i = 0; i < as->nr_done; i++)
		kt_report_free(as->done[i]);
	free(as->done);
	for (i = 0; i < as->nr_host; i++) {
		kt_report_free(as->host[i]->boot);
		free(as->host[i]->name);
		free(as->host[i]);
	}
	free(as->host);
	free(as->table);
	free(as);
}
