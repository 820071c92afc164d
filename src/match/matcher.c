/*
 * matcher.c - one vectorscan pass per line, PCRE2 on flagged rules only.
 *
 * Third stage: struct kt_line in, struct kt_match out.  Patterns
 * vectorscan supports exactly are trusted as matched; the others are
 * compiled in prefilter mode and confirmed with PCRE2.  Any rule with
 * named groups runs PCRE2 once to extract them.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "match/matcher.h"
#include <dirent.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * The databases: the screen; then per line origin (kernel, user) the
 * rules that open something (for lines the screen flagged), the rules
 * that open nothing and apply to every report, and per report type the
 * rules that open nothing and apply to that type only (within:).  A
 * line is scanned with the latter two only for the reports it could
 * join, so a line of an OOM report never meets the rules of I/O errors.
 */
enum { ORIGIN_KERNEL, ORIGIN_USER, ORIGIN_NR };
enum {
	DB_SCREEN,
	DB_OPEN,				/* + origin */
	DB_GENERIC = DB_OPEN + ORIGIN_NR,	/* + origin */
	DB_TYPED = DB_GENERIC + ORIGIN_NR,	/* see db_typed() */
};

struct db {
	hs_database_t *db;	/* owned; NULL when no rule applies */
	unsigned *rule_of;	/* owned; hs id -> rule index */
	size_t nr;
	/*
	 * Databases of rules that open nothing: the report types their
	 * rules without programs apply to (of tail rules apart), and
	 * their rules with programs.
	 */
	uint64_t open_types, ended_types;
	struct progged {
		unsigned rule;
		uint64_t types;
	} *progged;		/* owned */
	size_t nr_progged;
};

struct kt_matcher {
	const struct kt_ruleset *rs;	/* borrowed */
	struct db *db;		/* owned; nr_db of them, see DB_* */
	size_t nr_db;
	hs_scratch_t *scratch;	/* owned: for the block databases */
	hs_scratch_t *screen_scratch;	/* owned: for the screen's stream;
					 * block and stream scans must not
					 * share one */
	hs_stream_t *stream;	/* owned: the screen over the current input */
	bool screen_off;	/* no usable screen: scan every line */
	uint64_t chunk_off;	/* input offset of the block being screened */
	const char *chunk;	/* borrowed: the block being screened */
	uint64_t *hit;		/* owned: screen match ends, ascending */
	size_t hit_head, nr_hit, alloc_hit;
	pcre2_match_data *md;	/* owned; sized for the largest rule */
	char *aligned;		/* owned: 64-byte aligned copy of a line */
	bool *exact;		/* owned; per rule: vectorscan is exact */
	uint64_t *types;	/* owned; per rule: within_types() */
	char **hspat;		/* owned while compiling: hs_pattern()s */
	/* per scan */
	unsigned cand[KT_MATCH_MAX * 2];
	unsigned nr_cand;
	struct kt_matcher_stats stats;
};

static bool opens(const struct kt_rule *r)
{
	return r->role == KT_ROLE_HEAD || r->role == KT_ROLE_LINE ||
	       r->role == KT_ROLE_BOOT || r->role == KT_ROLE_SHUTDOWN ||
	       r->role == KT_ROLE_PRELUDE;
}

/* Does rule i belong in database which (see DB_*)? */
static bool for_db(const struct kt_matcher *m, size_t i, size_t which)
{
	const struct kt_rule *r = &m->rs->rule[i];
	size_t k, origin, t = 0;

	if (which == DB_SCREEN)
		return opens(r);
	if (which < DB_TYPED) {
		k = (which - DB_OPEN) / ORIGIN_NR;
		origin = (which - DB_OPEN) % ORIGIN_NR;
	} else {
		k = 2;
		origin = (which - DB_TYPED) / m->rs->nr_types;
		t = (which - DB_TYPED) % m->rs->nr_types;
	}
	if (!(r->from & (origin == ORIGIN_KERNEL ? KT_FROM_KERNEL :
			 KT_FROM_USER)))
		return false;
	if (!k)
		return opens(r);
	if (opens(r))
		return false;
	if (k == 1)
		return m->types[i] == ~0ULL;
	return m->types[i] != ~0ULL && (m->types[i] >> t & 1);
}

static size_t db_typed(const struct kt_matcher *m, int origin, unsigned t)
{
	return DB_TYPED + (size_t)origin * m->rs->nr_types + t;
}

/* The report types a rule that opens nothing applies to (within:). */
static uint64_t within_types(const struct kt_ruleset *rs,
			     const struct kt_rule *r)
{
	uint64_t types = r->within;
	size_t i;

	if (!r->within && !r->nr_within_sub)
		return ~0ULL;
	for (i = 0; i < r->nr_within_sub; i++) {
		const char *w = r->within_sub[i], *slash = strchr(w, '/');
		char name[256];
		uint8_t t;

		if (!slash || (size_t)(slash - w) >= sizeof(name))
			return ~0ULL;
		memcpy(name, w, (size_t)(slash - w));
		name[slash - w] = '\0';
		t = kt_ruleset_type_find(rs, name);
		if (t == KT_NO_TYPE)
			return ~0ULL;
		types |= 1ULL << t;
	}
	return types;
}

/* What a body database's rules apply to (see struct db). */
static void body_types(struct kt_matcher *m, struct db *d)
{
	size_t i;

	d->progged = xcalloc(d->nr + 1, sizeof(*d->progged));
	for (i = 0; i < d->nr; i++) {
		const struct kt_rule *r = &m->rs->rule[d->rule_of[i]];
		uint64_t types = m->types[d->rule_of[i]];

		if (r->nr_progs) {
			d->progged[d->nr_progged].rule = d->rule_of[i];
			d->progged[d->nr_progged++].types = types;
			continue;
		}
		d->open_types |= types;
		if (r->role == KT_ROLE_TAIL)
			d->ended_types |= types;
	}
}

static bool is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static int hex_value(int c)
{
	return kt_is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/*
 * The escape at p (a backslash and what follows): sets *lit to the
 * character it stands for, or -1 for a class, an assertion, a control
 * character or a reference, and returns what follows it, arguments
 * included (\x41, \x{263a}, \012, \cX, \p{Lu}, \pL, \k<name>, \g{1}).
 */
static const char *escape(const char *p, int *lit)
{
	int c = (unsigned char)p[1], v = 0, n;
	char close;
	const char *e;

	*lit = -1;
	p += 2;
	if (!is_word(c)) {
		*lit = c;
		return p;
	}
	if (c == 'x' && *p != '{') {
		for (n = 0; n < 2 && kt_is_xdigit((unsigned char)*p); n++)
			v = v * 16 + hex_value((unsigned char)*p++);
		if (v >= 0x20 && v < 0x7f)
			*lit = v;
		return p;
	}
	if (c == 'c')
		return *p ? p + 1 : p;
	if (kt_is_digit(c)) {
		while (kt_is_digit((unsigned char)*p))
			p++;
		return p;
	}
	if (!strchr("xopPNgk", c))
		return p;
	close = *p == '{' ? '}' : 0;
	if (c == 'k' || c == 'g')
		close = *p == '<' ? '>' : *p == '\'' ? '\'' : close;
	if (close && (e = strchr(p + 1, close)))
		return e + 1;
	if ((c == 'p' || c == 'P') && *p)
		return p + 1;
	if (c == 'g') {
		if (*p == '-' || *p == '+')
			p++;
		while (kt_is_digit((unsigned char)*p))
			p++;
	}
	return p;
}

/*
 * Does an inline option make pat ignore case or white space?  Option
 * letters may come in any order: (?i), (?mi), (?si:...), (?^x).
 */
static bool loose_options(const char *pat)
{
	const char *p = pat;

	while ((p = strstr(p, "(?")))
		for (p += 2; *p && strchr("imnsxJU^", *p); p++)
			if (*p == 'i' || *p == 'x')
				return true;
	return false;
}

/*
 * The longest run of plain characters every match of pat must contain:
 * a literal outside all groups, not made optional by a quantifier, in a
 * pattern without a top-level alternation.  NULL when there is none of
 * at least 4 characters (or the pattern ignores case or white space).
 */
static char *required_literal(const char *pat)
{
	struct strbuf cur = STRBUF_INIT, best = STRBUF_INIT, out = STRBUF_INIT;
	const char *p = pat;
	int depth = 0;
	size_t i;

	if (loose_options(pat))
		goto none;
	while (*p) {
		int lit = -1;

		if (*p == '\\' && p[1]) {
			p = escape(p, &lit);
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (*p)
				p++;
		} else if (*p == '(') {
			depth++;
			p++;
		} else if (*p == ')') {
			if (depth)
				depth--;
			p++;
		} else if (*p == '|') {
			if (!depth)
				goto none;
			p++;
		} else if (strchr(".^$", *p)) {
			p++;
		} else if (strchr("*+?{", *p)) {
			/* the atom before is not (exactly once) required */
			if (cur.len)
				strbuf_setlen(&cur, cur.len - 1);
			if (*p == '{')
				while (*p && *p != '}')
					p++;
			if (*p)
				p++;
		} else {
			lit = (unsigned char)*p++;
		}
		/* strchr() finds the terminator too: test *p first */
		if (lit >= 0 && !depth && (!*p || !strchr("*+?{", *p))) {
			strbuf_addch(&cur, lit);
			continue;
		}
		if (cur.len > best.len) {
			strbuf_reset(&best);
			strbuf_add(&best, cur.buf, cur.len);
		}
		strbuf_reset(&cur);
	}
	if (cur.len > best.len) {
		strbuf_reset(&best);
		strbuf_add(&best, cur.buf, cur.len);
	}
	if (best.len < 4)
		goto none;
	for (i = 0; i < best.len; i++) {
		unsigned char c = (unsigned char)best.buf[i];

		if (!is_word(c) && c != ' ' && c < 0x80)
			strbuf_addch(&out, '\\');
		strbuf_addch(&out, c);
	}
	strbuf_release(&cur);
	strbuf_release(&best);
	return strbuf_detach(&out, NULL);
none:
	strbuf_release(&cur);
	strbuf_release(&best);
	strbuf_release(&out);
	return NULL;
}

char *kt_matcher_keyword(const struct kt_rule *r)
{
	char *lit, *out;
	size_t i, n = 0;

	if (!opens(r))
		return NULL;
	lit = required_literal(r->prefilter ? r->prefilter : r->match);
	if (!lit)
		return NULL;
	out = xmalloc(strlen(lit) + 1);
	for (i = 0; lit[i]; i++) {
		if (lit[i] == '\\' && lit[i + 1])
			i++;
		out[n++] = lit[i];
	}
	out[n] = '\0';
	free(lit);
	return out;
}

/*
 * A pattern for the screen: the rule's required literal when it has one
 * (literals are what vectorscan screens fastest), else the pattern with
 * its ^ anchors dropped.  Either matches a superset of the rule's lines.
 */
static char *screen_pattern(const char *pat)
{
	struct strbuf sb = STRBUF_INIT;
	char *lit = required_literal(pat);
	const char *p = pat;
	bool in_class = false;

	if (lit)
		return lit;
	while (*p) {
		if (*p == '\\' && p[1]) {
			strbuf_add(&sb, p, 2);
			p += 2;
			continue;
		}
		if (in_class) {
			if (*p == ']')
				in_class = false;
			strbuf_addch(&sb, *p++);
			continue;
		}
		if (*p == '[') {
			in_class = true;
			strbuf_addch(&sb, *p++);
			if (*p == '^')
				strbuf_addch(&sb, *p++);
			if (*p == ']')
				strbuf_addch(&sb, *p++);
			continue;
		}
		if (*p == '^') {
			p++;
			continue;
		}
		strbuf_addch(&sb, *p++);
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * The pattern as vectorscan gets it: named groups become plain groups
 * (vectorscan does not capture, and rejects a name used twice in one
 * pattern, which PCRE2 allows across alternatives).
 */
static char *hs_pattern(const char *pat)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = pat;
	bool in_class = false;

	while (*p) {
		if (*p == '\\' && p[1]) {
			strbuf_add(&sb, p, 2);
			p += 2;
			continue;
		}
		if (in_class) {
			if (*p == ']')
				in_class = false;
			strbuf_addch(&sb, *p++);
			continue;
		}
		if (*p == '[') {
			in_class = true;
			strbuf_addch(&sb, *p++);
			if (*p == '^')
				strbuf_addch(&sb, *p++);
			if (*p == ']')
				strbuf_addch(&sb, *p++);
			continue;
		}
		if (*p == '(' && p[1] == '?' &&
		    ((p[2] == '<' && p[3] != '=' && p[3] != '!') ||
		     (p[2] == 'P' && p[3] == '<'))) {
			const char *gt = strchr(p, '>');

			if (gt) {
				strbuf_addstr(&sb, "(?:");
				p = gt + 1;
				continue;
			}
		}
		strbuf_addch(&sb, *p++);
	}
	return strbuf_detach(&sb, NULL);
}

/* Asks vectorscan whether it takes a pattern as is, or as a prefilter. */
static int probe_exact(const char *pat, bool *exact)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *err = NULL;

	if (hs_expression_info(pat, HS_FLAG_SINGLEMATCH |
			       HS_FLAG_ALLOWEMPTY, &info,
			       &err) == HS_SUCCESS) {
		free(info);
		*exact = true;
		return 0;
	}
	hs_free_compile_error(err);
	if (hs_expression_info(pat, HS_FLAG_SINGLEMATCH |
			       HS_FLAG_ALLOWEMPTY | HS_FLAG_PREFILTER, &info,
			       &err) == HS_SUCCESS) {
		free(info);
		*exact = false;
		return 0;
	}
	hs_free_compile_error(err);
	return -1;
}

static int compile_db(struct kt_ctx *ctx, struct kt_matcher *m,
		      size_t which)
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
		if (!for_db(m, i, which))
			continue;
		if (which == DB_SCREEN) {
			pats[n] = screen_pattern(m->hspat[i]);
			flags[n] = HS_FLAG_MULTILINE | HS_FLAG_PREFILTER;
		} else {
			pats[n] = xstrdup(m->hspat[i]);
			flags[n] = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
				   (m->exact[i] ? 0 : HS_FLAG_PREFILTER);
		}
		ids[n] = (unsigned)n;
		d->rule_of[n] = (unsigned)i;
		n++;
	}
	d->nr = n;
	if (which >= DB_GENERIC)
		body_types(m, d);
	if (d->db)
		goto out;	/* loaded from the cache */
	if (n && which == DB_SCREEN) {
		/* no screen is a slower scan, not a failure */
		if (hs_compile_multi(pats, flags, ids, (unsigned)n,
				     HS_MODE_STREAM, NULL, &d->db,
				     &err) != HS_SUCCESS) {
			hs_free_compile_error(err);
			d->db = NULL;
		}
	} else if (n && hs_compile_multi(pats, flags, ids, (unsigned)n,
				  HS_MODE_BLOCK, NULL, &d->db,
				  &err) != HS_SUCCESS) {
		const struct kt_rule *r = err->expression >= 0 ?
			&rs->rule[d->rule_of[err->expression]] : NULL;

		rc = kt_failf(ctx, KT_ERR_RULES, "%s:%d: rule '%s': vectorscan: %s",
			      r ? r->file : "rules", r ? r->line : 0,
			      r ? r->id : "?", err->message);
		hs_free_compile_error(err);
	}
out:
	if (!rc && d->db && hs_alloc_scratch(d->db, which == DB_SCREEN ?
					     &m->screen_scratch : &m->scratch)
	    != HS_SUCCESS)
		rc = kt_failf(ctx, KT_ERR_INTERNAL,
			      "cannot allocate vectorscan scratch space");
	for (i = 0; i < n; i++)
		free((char *)pats[i]);
	free(pats);
	free(flags);
	free(ids);
	return rc;
}

static void free_patterns(struct kt_matcher *m)
{
	size_t i;

	if (!m->hspat)
		return;
	for (i = 0; i < m->rs->nr_rules; i++)
		free(m->hspat[i]);
	free(m->hspat);
	m->hspat = NULL;
}

/* ------------------------------------------------------------ cache */

#define CACHE_MAGIC "KTHSDB5"

/* Everything the compiled databases depend on. */
static uint64_t pack_hash(const struct kt_matcher *m)
{
	const struct kt_ruleset *rs = m->rs;
	uint64_t h = kt_hash_str(KT_HASH_INIT, hs_version());
	char num[64];
	size_t i;

	for (i = 0; i < rs->nr_rules; i++) {
		snprintf(num, sizeof(num), "%u %d %llx", rs->rule[i].from,
			 (int)rs->rule[i].role,
			 (unsigned long long)m->types[i]);
		h = kt_hash_str(h, rs->rule[i].match);
		h = kt_hash_str(h, rs->rule[i].prefilter);
		h = kt_hash_str(h, num);
	}
	snprintf(num, sizeof(num), "%zu %zu", rs->nr_rules, rs->nr_types);
	return kt_hash_str(h, num);
}

static void cache_path(struct strbuf *sb, const char *dir, uint64_t h)
{
	char hex[17];

	kt_hash_hex(h, hex);
	strbuf_addf(sb, "%s/rules-%s.hsdb", dir, hex);
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Loads exactness flags and databases; false leaves m untouched. */
static bool cache_load(struct kt_matcher *m, const char *dir, uint64_t h)
{
	const struct kt_ruleset *rs = m->rs;
	struct strbuf path = STRBUF_INIT;
	hs_database_t **db;
	char magic[sizeof(CACHE_MAGIC)];
	uint64_t len, nr;
	bool ok = false;
	char *blob = NULL;
	size_t i;
	int fd;

	cache_path(&path, dir, h);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	strbuf_release(&path);
	if (fd < 0)
		return false;
	db = xcalloc(m->nr_db, sizeof(*db));
	if (!read_all(fd, magic, sizeof(magic)) ||
	    memcmp(magic, CACHE_MAGIC, sizeof(magic)) ||
	    !read_all(fd, &nr, sizeof(nr)) || nr != rs->nr_rules ||
	    !read_all(fd, m->exact, rs->nr_rules))
		goto out;
	for (i = 0; i < m->nr_db; i++) {
		if (!read_all(fd, &len, sizeof(len)) || len > (256u << 20))
			goto out;
		if (!len)
			continue;
		blob = xmalloc(len);
		if (!read_all(fd, blob, len) ||
		    hs_deserialize_database(blob, len, &db[i]) != HS_SUCCESS)
			goto out;
		free(blob);
		blob = NULL;
	}
	for (i = 0; i < m->nr_db; i++)
		m->db[i].db = db[i];
	ok = true;
	/* in use: prune_cache() keeps the packs used last */
	futimens(fd, NULL);
out:
	if (!ok)
		for (i = 0; i < m->nr_db; i++)
			hs_free_database(db[i]);
	free(db);
	free(blob);
	close(fd);
	return ok;
}

/*
 * Packs kept besides the one just written: builds of other versions or
 * other rule packs sharing the cache (worktrees, --rules runs) would
 * otherwise throw each other's packs away and compile on every run.
 */
#define CACHE_KEEP 3

struct cached_pack {
	char *path;		/* owned */
	struct timespec mtime;	/* last written or loaded */
};

static int newer_first(const void *a, const void *b)
{
	const struct cached_pack *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return 0;
}

/* Keeps keep and the CACHE_KEEP packs used last; removes the others. */
static void prune_cache(const char *dir, const char *keep)
{
	struct strbuf p = STRBUF_INIT;
	struct cached_pack *pack = NULL;
	size_t nr = 0, alloc = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "rules-", 6) || len < 11 ||
		    strcmp(de->d_name + len - 5, ".hsdb"))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		if (!strcmp(p.buf, keep) || stat(p.buf, &st))
			continue;
		ALLOC_GROW(pack, nr + 1, alloc);
		pack[nr].path = xstrdup(p.buf);
		pack[nr++].mtime = st.st_mtim;
	}
	closedir(d);
	if (nr)
		qsort(pack, nr, sizeof(*pack), newer_first);
	for (i = 0; i < nr; i++) {
		if (i >= CACHE_KEEP)
			unlink(pack[i].path);
		free(pack[i].path);
	}
	free(pack);
	strbuf_release(&p);
}

static void cache_store(const struct kt_matcher *m, const char *dir,
			uint64_t h)
{
	const struct kt_ruleset *rs = m->rs;
	struct strbuf path = STRBUF_INIT, tmp = STRBUF_INIT;
	uint64_t nr = rs->nr_rules, len;
	bool ok;
	size_t i;
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return;
	cache_path(&path, dir, h);
	strbuf_addf(&tmp, "%s.%ld.tmp", path.buf, (long)getpid());
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	ok = write_all(fd, CACHE_MAGIC, sizeof(CACHE_MAGIC)) &&
	     write_all(fd, &nr, sizeof(nr)) &&
	     write_all(fd, m->exact, rs->nr_rules);
	for (i = 0; ok && i < m->nr_db; i++) {
		char *blob = NULL;
		size_t size = 0;

		if (m->db[i].db && hs_serialize_database(m->db[i].db, &blob,
				&size) != HS_SUCCESS) {
			ok = false;
			break;
		}
		len = size;
		ok = write_all(fd, &len, sizeof(len)) &&
		     (!size || write_all(fd, blob, size));
		free(blob);
	}
	if (close(fd) || !ok || rename(tmp.buf, path.buf))
		unlink(tmp.buf);
	else
		prune_cache(dir, path.buf);
out:
	strbuf_release(&path);
	strbuf_release(&tmp);
}

int kt_matcher_new(struct kt_ctx *ctx, const struct kt_ruleset *rs,
		   const char *cache_dir, struct kt_matcher **out)
{
	struct kt_matcher *m = xcalloc(1, sizeof(*m));
	uint32_t max_groups = 1;
	bool cached = false;
	uint64_t h = 0;
	size_t i;
	int rc;

	m->rs = rs;
	m->nr_db = DB_TYPED + ORIGIN_NR * rs->nr_types;
	m->db = xcalloc(m->nr_db, sizeof(*m->db));
	m->exact = xcalloc(rs->nr_rules + 1, sizeof(*m->exact));
	m->types = xcalloc(rs->nr_rules + 1, sizeof(*m->types));
	m->hspat = xcalloc(rs->nr_rules + 1, sizeof(*m->hspat));
	for (i = 0; i < rs->nr_rules; i++) {
		m->hspat[i] = hs_pattern(rs->rule[i].prefilter ?
					 rs->rule[i].prefilter :
					 rs->rule[i].match);
		m->types[i] = within_types(rs, &rs->rule[i]);
	}
	if (cache_dir) {
		h = pack_hash(m);
		cached = cache_load(m, cache_dir, h);
	}
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];

		if (r->nr_groups > max_groups)
			max_groups = r->nr_groups;
		if (cached)
			continue;
		if (probe_exact(m->hspat[i], &m->exact[i])) {
			rc = kt_failf(ctx, KT_ERR_RULES,
				      "%s:%d: rule '%s': vectorscan cannot compile the pattern",
				      r->file, r->line, r->id);
			kt_matcher_free(m);
			return rc;
		}
		/* a prefilter only narrows the lines PCRE2 looks at */
		if (r->prefilter)
			m->exact[i] = false;
	}
	for (i = 0; i < m->nr_db; i++) {
		rc = compile_db(ctx, m, i);
		if (rc) {
			kt_matcher_free(m);
			return rc;
		}
	}
	if (cache_dir && !cached)
		cache_store(m, cache_dir, h);
	free_patterns(m);
	m->md = pcre2_match_data_create(max_groups, NULL);
	if (posix_memalign((void **)&m->aligned, 64, KT_LINE_MAX + 64))
		kt_die_oom(KT_LINE_MAX + 64);
	*out = m;
	return 0;
}

void kt_matcher_free(struct kt_matcher *m)
{
	size_t i;

	if (!m)
		return;
	free_patterns(m);
	for (i = 0; i < m->nr_db; i++) {
		hs_free_database(m->db[i].db);
		free(m->db[i].rule_of);
		free(m->db[i].progged);
	}
	free(m->db);
	if (m->stream)
		hs_close_stream(m->stream, m->screen_scratch, NULL, NULL);
	hs_free_scratch(m->scratch);
	hs_free_scratch(m->screen_scratch);
	pcre2_match_data_free(m->md);
	free(m->aligned);
	free(m->hit);
	free(m->exact);
	free(m->types);
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

/* ------------------------------------------------------------ screen */

static int on_screen(unsigned int id, unsigned long long from,
		     unsigned long long to, unsigned int flags, void *ctx)
{
	struct kt_matcher *m = ctx;
	uint64_t last;

	(void)id;
	(void)from;
	(void)flags;
	/* one hit per line is enough: skip ends with no newline between */
	if (m->nr_hit > m->hit_head) {
		last = m->hit[m->nr_hit - 1];
		if (to <= last)
			return 0;
		if (last >= m->chunk_off && m->chunk &&
		    !memchr(m->chunk + (last - m->chunk_off), '\n',
			    (size_t)(to - last)))
			return 0;
	}
	if (m->hit_head && m->hit_head == m->nr_hit)
		m->hit_head = m->nr_hit = 0;
	ALLOC_GROW(m->hit, m->nr_hit + 1, m->alloc_hit);
	m->hit[m->nr_hit++] = to;
	return 0;
}

void kt_matcher_screen_begin(struct kt_matcher *m)
{
	if (m->stream)
		hs_close_stream(m->stream, m->screen_scratch, NULL, NULL);
	m->stream = NULL;
	m->hit_head = m->nr_hit = 0;
	m->chunk_off = 0;
	m->chunk = NULL;
	m->screen_off = !m->db[DB_SCREEN].db ||
			hs_open_stream(m->db[DB_SCREEN].db, 0, &m->stream) !=
			HS_SUCCESS;
}

void kt_matcher_screen(void *matcher, const char *buf, size_t len, bool eof)
{
	struct kt_matcher *m = matcher;

	if (m->screen_off || !m->stream)
		return;
	/* drop hits of lines already handed out, keep the array small */
	if (m->hit_head > 4096 && m->hit_head * 2 > m->nr_hit) {
		memmove(m->hit, m->hit + m->hit_head,
			(m->nr_hit - m->hit_head) * sizeof(*m->hit));
		m->nr_hit -= m->hit_head;
		m->hit_head = 0;
	}
	m->chunk = buf;
	while (len) {
		unsigned n = len > UINT32_MAX ? UINT32_MAX : (unsigned)len;

		if (hs_scan_stream(m->stream, buf, n, 0, m->screen_scratch,
				   on_screen, m) != HS_SUCCESS) {
			m->screen_off = true;
			return;
		}
		buf += n;
		len -= n;
		m->chunk_off += n;
		m->chunk = buf;
	}
	m->chunk = NULL;
	if (eof) {
		hs_close_stream(m->stream, m->screen_scratch, on_screen, m);
		m->stream = NULL;
	}
}

/* Did the screen see anything in this line? */
static bool screened_in(struct kt_matcher *m, const struct kt_line *line)
{
	uint64_t end = line->offset + line->raw.len;

	if (m->screen_off || line->cut || line->msg.p < line->raw.p ||
	    line->msg.p + line->msg.len > line->raw.p + line->raw.len)
		return true;
	while (m->hit_head < m->nr_hit && m->hit[m->hit_head] < line->offset)
		m->hit_head++;
	return m->hit_head < m->nr_hit && m->hit[m->hit_head] <= end;
}

/* Could a rule of body database d add to a report of want? */
static bool wanted(const struct kt_matcher *m, const struct db *d,
		   const struct kt_match_want *want,
		   const struct kt_line *line)
{
	size_t i;

	if (!want->open && !want->ended)
		return false;
	if ((want->open & d->open_types) || (want->ended & d->ended_types))
		return true;
	for (i = 0; i < d->nr_progged; i++) {
		const struct kt_rule *r = &m->rs->rule[d->progged[i].rule];
		uint64_t types = d->progged[i].types;

		if (((want->open & types) ||
		     (r->role == KT_ROLE_TAIL && (want->ended & types))) &&
		    prog_ok(r, line))
			return true;
	}
	return false;
}

/*
 * Scans the line (copied to m->aligned on first use) with d and adds the
 * rules it flags to the candidates.
 */
static void scan_db(struct kt_matcher *m, const struct db *d,
		    const struct kt_line *line, size_t *len)
{
	unsigned i, first = m->nr_cand;

	if (!d->db)
		return;
	/*
	 * vectorscan 5.4.9 misses some patterns (an anchored optional group
	 * with a long [^,]* run: '^(?:t[^,]*,)?k') on some lines, and which
	 * ones depends on where the input ends in memory.  Scanning a copy
	 * that starts on a 64-byte boundary makes the result the same for a
	 * line wherever it lies, not complete: such a rule needs a simpler
	 * prefilter (oom_constraint has one).  test_matcher checks both.
	 */
	if (*len == SIZE_MAX) {
		*len = KT_MIN(line->msg.len, (size_t)KT_LINE_MAX);
		if (*len)
			memcpy(m->aligned, line->msg.p, *len);
	}
	hs_scan(d->db, m->aligned, (unsigned)*len, 0, m->scratch, on_match,
		m);
	for (i = first; i < m->nr_cand; i++)
		m->cand[i] = d->rule_of[m->cand[i]];
}

/* Sorts the candidates in rule-pack order; a rule flagged twice counts once. */
static void sort_cand(struct kt_matcher *m)
{
	unsigned i, n = 0;

	qsort(m->cand, m->nr_cand, sizeof(m->cand[0]), cmp_uint);
	for (i = 0; i < m->nr_cand; i++)
		if (!n || m->cand[i] != m->cand[n - 1])
			m->cand[n++] = m->cand[i];
	m->nr_cand = n;
}

int kt_matcher_scan(struct kt_matcher *m, const struct kt_line *line,
		    const struct kt_match_want *want, struct kt_match *out)
{
	const struct kt_ruleset *rs = m->rs;
	bool in = want->unscreened || screened_in(m, line);
	int origin = line->is_kernel ? ORIGIN_KERNEL : ORIGIN_USER;
	struct kt_match_want w = *want;
	size_t len = SIZE_MAX;
	uint64_t types;
	unsigned i;

	out->nr = 0;
	out->nr_caps = 0;
	m->stats.scanned++;
	m->nr_cand = 0;
	if (in) {
		scan_db(m, &m->db[DB_OPEN + origin], line, &len);
		/* a head's own report takes the line's other rules too */
		for (i = 0; i < m->nr_cand; i++) {
			const struct kt_rule *r = &rs->rule[m->cand[i]];

			if ((r->role == KT_ROLE_HEAD ||
			     r->role == KT_ROLE_LINE) && r->type < 64)
				w.open |= 1ULL << r->type;
		}
	}
	/* only what the reports the line could join take */
	if (wanted(m, &m->db[DB_GENERIC + origin], &w, line))
		scan_db(m, &m->db[DB_GENERIC + origin], line, &len);
	types = w.open | w.ended;
	while (types) {
		unsigned t = (unsigned)__builtin_ctzll(types);
		const struct db *d;

		types &= types - 1;
		if (t >= rs->nr_types)
			break;
		d = &m->db[db_typed(m, origin, t)];
		if (wanted(m, d, &w, line))
			scan_db(m, d, line, &len);
	}
	if (len == SIZE_MAX) {
		m->stats.screened_out++;
		return 0;
	}
	if (!m->nr_cand)
		return 0;
	m->stats.flagged++;
	sort_cand(m);
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
	int rc = kt_matcher_new(ctx, rs, NULL, &m);

	if (!rc)
		kt_matcher_free(m);
	return rc;
}
