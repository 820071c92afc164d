/*
 * matcher.c - one vectorscan pass per line, PCRE2 on flagged rules only.
 *
 * Third stage: struct kt_line in, struct kt_match out.  Patterns
 * vectorscan supports exactly are trusted as matched; the others are
 * compiled in prefilter mode and confirmed with PCRE2.  Any rule with
 * named groups runs PCRE2 once to extract them.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "match/matcher.h"
#include <hs/hs.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum { DB_KERNEL, DB_USER, DB_NR };

struct db {
	hs_database_t *db;	/* owned; NULL when no rule applies */
	unsigned *rule_of;	/* owned; hs id -> rule index */
	size_t nr;
};

struct kt_matcher {
	const struct kt_ruleset *rs;	/* borrowed */
	struct db db[DB_NR];
	hs_scratch_t *scratch;	/* owned */
	pcre2_match_data *md;	/* owned; sized for the largest rule */
	bool *exact;		/* owned; per rule: vectorscan is exact */
	/* per scan */
	unsigned cand[KT_MATCH_MAX * 2];
	unsigned nr_cand;
	struct kt_matcher_stats stats;
};

static bool for_db(const struct kt_rule *r, int which, bool exact_ok)
{
	(void)exact_ok;
	return which == DB_KERNEL ? (r->from & KT_FROM_KERNEL) :
				    (r->from & KT_FROM_USER);
}

/* Compiles one pattern alone to learn whether vectorscan takes it as is. */
static int probe_exact(const struct kt_rule *r, bool *exact)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;

	if (hs_compile(r->match, HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY,
		       HS_MODE_BLOCK, NULL, &db, &err) == HS_SUCCESS) {
		hs_free_database(db);
		*exact = true;
		return 0;
	}
	hs_free_compile_error(err);
	if (hs_compile(r->match, HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
		       HS_FLAG_PREFILTER, HS_MODE_BLOCK, NULL, &db,
		       &err) == HS_SUCCESS) {
		hs_free_database(db);
		*exact = false;
		return 0;
	}
	hs_free_compile_error(err);
	return -1;
}

static int compile_db(struct kt_ctx *ctx, struct kt_matcher *m, int which)
{
	const struct kt_ruleset *rs = m->rs;
	const char **pats;
	unsigned *flags, *ids;
	hs_compile_error_t *err = NULL;
	struct db *d = &m->db[which];
	size_t i, n = 0;
	int rc = 0;

	pats = xcalloc(rs->nr_rules + 1, sizeof(*pats));
	flags = xcalloc(rs->nr_rules + 1, sizeof(*flags));
	ids = xcalloc(rs->nr_rules + 1, sizeof(*ids));
	d->rule_of = xcalloc(rs->nr_rules + 1, sizeof(*d->rule_of));
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];

		if (!for_db(r, which, true))
			continue;
		pats[n] = r->match;
		flags[n] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
			   (m->exact[i] ? 0 : HS_FLAG_PREFILTER);
		ids[n] = (unsigned)n;
		d->rule_of[n] = (unsigned)i;
		n++;
	}
	d->nr = n;
	if (n && hs_compile_multi(pats, flags, ids, (unsigned)n, HS_MODE_BLOCK,
				  NULL, &d->db, &err) != HS_SUCCESS) {
		const struct kt_rule *r = err->expression >= 0 ?
			&rs->rule[d->rule_of[err->expression]] : NULL;

		rc = kt_failf(ctx, KT_ERR_RULES, "%s:%d: rule '%s': vectorscan: %s",
			      r ? r->file : "rules", r ? r->line : 0,
			      r ? r->id : "?", err->message);
		hs_free_compile_error(err);
	} else if (n && hs_alloc_scratch(d->db, &m->scratch) != HS_SUCCESS) {
		rc = kt_failf(ctx, KT_ERR_INTERNAL,
			      "cannot allocate vectorscan scratch space");
	}
	free(pats);
	free(flags);
	free(ids);
	return rc;
}

int kt_matcher_new(struct kt_ctx *ctx, const struct kt_ruleset *rs,
		   struct kt_matcher **out)
{
	struct kt_matcher *m = xcalloc(1, sizeof(*m));
	uint32_t max_groups = 1;
	size_t i;
	int rc;

	m->rs = rs;
	m->exact = xcalloc(rs->nr_rules + 1, sizeof(*m->exact));
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];

		if (probe_exact(r, &m->exact[i])) {
			rc = kt_failf(ctx, KT_ERR_RULES,
				      "%s:%d: rule '%s': vectorscan cannot compile the pattern",
				      r->file, r->line, r->id);
			kt_matcher_free(m);
			return rc;
		}
		if (r->nr_groups > max_groups)
			max_groups = r->nr_groups;
	}
	for (i = 0; i < DB_NR; i++) {
		rc = compile_db(ctx, m, (int)i);
		if (rc) {
			kt_matcher_free(m);
			return rc;
		}
	}
	m->md = pcre2_match_data_create(max_groups, NULL);
	*out = m;
	return 0;
}

void kt_matcher_free(struct kt_matcher *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < DB_NR; i++) {
		hs_free_database(m->db[i].db);
		free(m->db[i].rule_of);
	}
	hs_free_scratch(m->scratch);
	pcre2_match_data_free(m->md);
	free(m->exact);
	free(m);
}

const struct kt_matcher_stats *kt_matcher_stats(const struct kt_matcher *m)
{
	return &m->stats;
}

static int on_match(unsigned int id, unsigned long long from,
		    unsigned long long to, unsigned int flags, void *ctx)
{
	struct kt_matcher *m = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (m->nr_cand < KT_ARRAY_SIZE(m->cand))
		m->cand[m->nr_cand++] = id;
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static bool prog_ok(const struct kt_rule *r, const struct kt_line *line)
{
	size_t i;

	if (!r->nr_progs)
		return true;
	for (i = 0; i < r->nr_progs; i++)
		if (kt_str_eq_cstr(line->prog, r->progs[i]))
			return true;
	return false;
}

int kt_matcher_scan(struct kt_matcher *m, const struct kt_line *line,
		    struct kt_match *out)
{
	const struct kt_ruleset *rs = m->rs;
	struct db *d = &m->db[line->is_kernel ? DB_KERNEL : DB_USER];
	unsigned i;

	out->nr = 0;
	out->nr_caps = 0;
	m->stats.scanned++;
	if (!d->db)
		return 0;
	m->nr_cand = 0;
	hs_scan(d->db, line->msg.len ? line->msg.p : "", (unsigned)
		KT_MIN(line->msg.len, (size_t)UINT32_MAX), 0, m->scratch,
		on_match, m);
	if (!m->nr_cand)
		return 0;
	m->stats.flagged++;
	for (i = 0; i < m->nr_cand; i++)
		m->cand[i] = d->rule_of[m->cand[i]];
	qsort(m->cand, m->nr_cand, sizeof(m->cand[0]), cmp_uint);
	for (i = 0; i < m->nr_cand && out->nr < KT_MATCH_MAX; i++) {
		const struct kt_rule *r = &rs->rule[m->cand[i]];
		struct kt_match_hit *h;
		uint32_t g;

		if (!prog_ok(r, line))
			continue;
		h = &out->hit[out->nr];
		h->rule = r;
		h->cap_start = out->nr_caps;
		h->cap_nr = 0;
		if (m->exact[m->cand[i]] && r->nr_groups <= 1) {
			out->nr++;
			continue;
		}
		m->stats.pcre_runs++;
		if (pcre2_match(r->re, (PCRE2_SPTR)(line->msg.len ?
			line->msg.p : ""), line->msg.len, 0, 0, m->md,
				NULL) < 0)
			continue;
		{
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);

			for (g = 1; g < r->nr_groups; g++) {
				struct kt_capture *c;

				if (r->group_field[g] == KT_NO_FIELD ||
				    ov[2 * g] == PCRE2_UNSET ||
				    out->nr_caps >= KT_CAPTURE_MAX)
					continue;
				c = &out->cap[out->nr_caps++];
				c->field = r->group_field[g];
				c->val = kt_str_make(line->msg.p + ov[2 * g],
						     ov[2 * g + 1] - ov[2 * g]);
				h->cap_nr++;
			}
		}
		out->nr++;
	}
	if (out->nr)
		m->stats.confirmed++;
	return out->nr;
}

int kt_matcher_check(struct kt_ctx *ctx, const struct kt_ruleset *rs)
{
	struct kt_matcher *m;
	int rc = kt_matcher_new(ctx, rs, &m);

	if (!rc)
		kt_matcher_free(m);
	return rc;
}
