/*
 * redact.c - placeholders for host names, IP addresses and user names
 * in the LLM prompt, and back again in the answer (see redact.h).
 *
 * Part of the output stage, used by llm.c with --redact.  The scanners
 * are hand-written and bounded by the string they read: no regex
 * engine, no backtracking.
 */
#include "base/compat.h"
#include "base/str.h"
#include "base/xalloc.h"
#include "output/redact.h"
#include <ctype.h>
#include <strings.h>

#define WORD_MIN 2

static const char *const kind_name[KT_REDACT_NR] = { "host", "ip", "user" };

/* Names that are no one's secret and too common to replace. */
static const char *const not_secret[] = {
	"root", "localhost", "localhost.localdomain", "nobody", "kernel",
};

/* Top-level and site-local domains that make a dotted name a host. */
static const char *const tlds[] = {
	"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz",
	"io", "co", "me", "us", "uk", "de", "fr", "nl", "ru", "cn", "jp",
	"kr", "in", "br", "au", "ca", "eu", "ch", "se", "no", "es", "it",
	"pl", "cz", "hk", "tw", "sg", "local", "localdomain", "lan",
	"internal", "intranet", "corp", "home", "arpa", "cloud", "example",
	"test", "invalid",
};

void kt_redact_init(struct kt_redact *r)
{
	memset(r, 0, sizeof(*r));
	kt_strmap_init(&r->values);
	kt_strmap_init(&r->placeholders);
	kt_strmap_init(&r->words);
}

void kt_redact_release(struct kt_redact *r)
{
	size_t i;

	for (i = 0; i < r->values.nr; i++)
		free(r->real[i]);
	free(r->real);
	kt_strmap_release(&r->values);
	kt_strmap_release(&r->placeholders);
	kt_strmap_release(&r->words);
	free(r->word_kind);
	kt_redact_init(r);
}

size_t kt_redact_count(const struct kt_redact *r)
{
	return r->values.nr;
}

static bool is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       kt_is_digit(c);
}

static bool at_word(const char *s, size_t i)
{
	return !i || !is_alnum((unsigned char)s[i - 1]);
}

static bool is_secret(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(not_secret); i++)
		if (strlen(not_secret[i]) == len &&
		    !strncasecmp(p, not_secret[i], len))
			return false;
	return true;
}

/* The placeholder of value p[0..len), given one when new. */
static const char *placeholder(struct kt_redact *r, enum kt_redact_kind k,
			       const char *p, size_t len)
{
	char *key = xmemdupz(p, len);
	struct strbuf sb = STRBUF_INIT;
	size_t i, idx;
	bool added;

	if (k != KT_REDACT_USER)
		for (i = 0; i < len; i++)
			key[i] = (char)tolower((unsigned char)key[i]);
	idx = kt_strmap_intern(&r->values, key, &added);
	free(key);
	if (added) {
		ALLOC_GROW(r->real, idx + 1, r->alloc);
		r->real[idx] = xmemdupz(p, len);
		strbuf_addf(&sb, "%s-%u", kind_name[k], ++r->next[k]);
		if (kt_strmap_intern(&r->placeholders, sb.buf, &added) != idx)
			BUG("redact: placeholder '%s' out of step", sb.buf);
		strbuf_release(&sb);
	}
	return r->placeholders.keys[idx];
}

static void add_word(struct kt_redact *r, enum kt_redact_kind k,
		     const char *p, size_t len)
{
	char *w;
	size_t idx;
	bool added;

	if (len < WORD_MIN || !is_secret(p, len))
		return;
	w = xmemdupz(p, len);
	idx = kt_strmap_intern(&r->words, w, &added);
	free(w);
	if (added) {
		ALLOC_GROW(r->word_kind, idx + 1, r->word_alloc);
		r->word_kind[idx] = k;
	}
}

void kt_redact_add_host(struct kt_redact *r, const char *name)
{
	if (name)
		add_word(r, KT_REDACT_HOST, name, strlen(name));
}

void kt_redact_add_user(struct kt_redact *r, const char *name)
{
	if (name)
		add_word(r, KT_REDACT_USER, name, strlen(name));
}

/* ------------------------------------------------------------ scanners */

/* Length of an IPv4 address at s + i, or 0. */
static size_t ipv4_len(const char *s, size_t i)
{
	size_t j = i, part;

	if (i && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '.'))
		return 0;
	for (part = 0; part < 4; part++) {
		unsigned v = 0, n = 0;

		if (part) {
			if (s[j] != '.')
				return 0;
			j++;
		}
		while (kt_is_digit((unsigned char)s[j]) && n < 4) {
			v = v * 10 + (unsigned)(s[j] - '0');
			j++;
			n++;
		}
		if (!n || n > 3 || v > 255)
			return 0;
	}
	if (is_alnum((unsigned char)s[j]) ||
	    (s[j] == '.' && kt_is_digit((unsigned char)s[j + 1])))
		return 0;
	return j - i;
}

static size_t hex_run(const char *s, size_t j)
{
	size_t n = 0;

	while (kt_is_xdigit((unsigned char)s[j + n]))
		n++;
	return n;
}

/* Length of an IPv6 address at s + i, or 0. */
static size_t ipv6_len(const char *s, size_t i)
{
	size_t j = i, groups = 0, n;
	bool dbl = false;

	if (i && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == ':' ||
		  s[i - 1] == '.'))
		return 0;
	for (;;) {
		if (s[j] == ':' && s[j + 1] == ':') {
			if (dbl)
				return 0;
			dbl = true;
			j += 2;
		} else if (groups) {
			if (s[j] != ':' || !kt_is_xdigit((unsigned char)
							 s[j + 1]))
				break;
			j++;
		}
		n = hex_run(s, j);
		if (!n)
			break;
		if (groups <= 6 && s[j + n] == '.' && ipv4_len(s, j)) {
			j += ipv4_len(s, j);
			groups += 2;
			break;
		}
		if (n > 4)
			return 0;
		j += n;
		groups++;
		if (groups > 8)
			return 0;
	}
	if (!groups || is_alnum((unsigned char)s[j]) ||
	    (s[j] == '.' && is_alnum((unsigned char)s[j + 1])))
		return 0;
	if (dbl ? groups > 7 : groups != 8)
		return 0;
	return j - i;
}

static bool is_tld(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(tlds); i++)
		if (strlen(tlds[i]) == len && !strncasecmp(p, tlds[i], len))
			return true;
	return false;
}

static bool is_label_char(int c)
{
	return is_alnum(c) || c == '-';
}

/* Length of a fully qualified domain name at s + i, or 0. */
static size_t fqdn_len(const char *s, size_t i)
{
	size_t j = i, labels = 0, last = i, n;

	if (i && (is_label_char((unsigned char)s[i - 1]) ||
		  s[i - 1] == '.' || s[i - 1] == '_'))
		return 0;
	for (;;) {
		n = 0;
		while (is_label_char((unsigned char)s[j + n]))
			n++;
		if (!n || !is_alnum((unsigned char)s[j]))
			break;
		last = j;
		j += n;
		labels++;
		if (s[j] != '.' || !is_alnum((unsigned char)s[j + 1]))
			break;
		j++;
	}
	if (labels < 2 || s[j] == '_' || !is_tld(s + last, j - last))
		return 0;
	return j - i;
}

static bool is_name_char(int c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* Length of the user name at p (a home directory's), or 0. */
static size_t user_len(const char *p)
{
	size_t n = 0;

	if (*p == '.' || *p == '-')
		return 0;
	while (is_name_char((unsigned char)p[n]))
		n++;
	return n;
}

static const char *const home_dirs[] = { "/home/", "/Users/" };

/* Length of a home prefix ("/home/") at s + i, or 0. */
static size_t home_len(const char *s, size_t i)
{
	size_t k;

	for (k = 0; k < KT_ARRAY_SIZE(home_dirs); k++) {
		size_t n = strlen(home_dirs[k]);

		if (!strncmp(s + i, home_dirs[k], n) && user_len(s + i + n))
			return n;
	}
	return 0;
}

/* "user=NAME", "acct="NAME"", "for user NAME": where a user is named. */
static const char *const user_keys[] = {
	"user=", "USER=", "acct=", "login=", "uname=", "for user ",
};

void kt_redact_learn(struct kt_redact *r, const char *s)
{
	size_t i, k, n;

	for (i = 0; s[i]; i++) {
		if (s[i] == '/' && (n = home_len(s, i))) {
			add_word(r, KT_REDACT_USER, s + i + n,
				 user_len(s + i + n));
			continue;
		}
		if (!at_word(s, i))
			continue;
		for (k = 0; k < KT_ARRAY_SIZE(user_keys); k++) {
			const char *p;

			n = strlen(user_keys[k]);
			if (strncmp(s + i, user_keys[k], n))
				continue;
			p = s + i + n;
			if (*p == '"')
				p++;
			n = user_len(p);
			/* uids are numbers, not names */
			if (n && !kt_is_digit((unsigned char)*p))
				add_word(r, KT_REDACT_USER, p, n);
		}
	}
}

/* The longest known word at s + i, or NULL. */
static size_t word_len(const struct kt_redact *r, const char *s, size_t i,
		       enum kt_redact_kind *kind)
{
	size_t best = 0, w;

	for (w = 0; w < r->words.nr; w++) {
		const char *word = r->words.keys[w];
		size_t n = strlen(word);
		bool user = r->word_kind[w] == KT_REDACT_USER;

		if (n <= best)
			continue;
		if (user ? strncmp(s + i, word, n) :
			   strncasecmp(s + i, word, n))
			continue;
		if (is_alnum((unsigned char)s[i + n]))
			continue;
		best = n;
		*kind = r->word_kind[w];
	}
	return best;
}

void kt_redact_str(struct kt_redact *r, const char *s, struct strbuf *out)
{
	size_t i = 0, n;
	enum kt_redact_kind kind;

	kt_redact_learn(r, s);
	while (s[i]) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' && (n = home_len(s, i))) {
			size_t u = user_len(s + i + n);

			strbuf_add(out, s + i, n);
			strbuf_addstr(out, placeholder(r, KT_REDACT_USER,
						       s + i + n, u));
			i += n + u;
			continue;
		}
		if (!is_alnum(c) && c != ':') {
			strbuf_addch(out, (char)c);
			i++;
			continue;
		}
		if ((n = ipv4_len(s, i)) || (n = ipv6_len(s, i))) {
			strbuf_addstr(out, placeholder(r, KT_REDACT_IP, s + i,
						       n));
			i += n;
			continue;
		}
		if (c == ':') {
			strbuf_addch(out, ':');
			i++;
			continue;
		}
		if (at_word(s, i)) {
			if ((n = fqdn_len(s, i))) {
				strbuf_addstr(out, placeholder(r,
					KT_REDACT_HOST, s + i, n));
				i += n;
				continue;
			}
			if ((n = word_len(r, s, i, &kind))) {
				strbuf_addstr(out, placeholder(r, kind,
							       s + i, n));
				i += n;
				continue;
			}
		}
		/* the rest of the word cannot start anything */
		while (is_alnum((unsigned char)s[i]))
			strbuf_addch(out, s[i++]);
	}
}

static void learn_json(struct kt_redact *r, const json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		kt_redact_learn(r, json_string_value(j));
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			learn_json(r, v);
	else if (json_is_object(j))
		json_object_foreach((json_t *)j, k, v)
			learn_json(r, v);
}

static void redact_json(struct kt_redact *r, json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		struct strbuf sb = STRBUF_INIT;

		kt_redact_str(r, json_string_value(j), &sb);
		if (strcmp(sb.buf, json_string_value(j)))
			json_string_set(j, sb.buf);
		strbuf_release(&sb);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			redact_json(r, v);
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			redact_json(r, v);
	}
}

void kt_redact_json(struct kt_redact *r, json_t *j)
{
	learn_json(r, j);
	redact_json(r, j);
}

void kt_redact_restore(const struct kt_redact *r, const char *s,
		       struct strbuf *out)
{
	size_t i = 0, k;

	while (s[i]) {
		size_t n = 0, idx = KT_STRMAP_NONE;

		if (at_word(s, i))
			for (k = 0; k < KT_REDACT_NR && !n; k++) {
				size_t kn = strlen(kind_name[k]), d = 0;

				if (strncmp(s + i, kind_name[k], kn) ||
				    s[i + kn] != '-')
					continue;
				while (kt_is_digit((unsigned char)
						   s[i + kn + 1 + d]))
					d++;
				if (!d || is_alnum((unsigned char)
						   s[i + kn + 1 + d]))
					continue;
				n = kn + 1 + d;
			}
		if (n) {
			char *ph = xmemdupz(s + i, n);

			idx = kt_strmap_find(&r->placeholders, ph);
			free(ph);
		}
		if (idx != KT_STRMAP_NONE) {
			strbuf_addstr(out, r->real[idx]);
			i += n;
			continue;
		}
		if (n) {
			strbuf_add(out, s + i, n);
			i += n;
			continue;
		}
		if (!is_alnum((unsigned char)s[i])) {
			strbuf_addch(out, s[i++]);
			continue;
		}
		while (is_alnum((unsigned char)s[i]))
			strbuf_addch(out, s[i++]);
	}
}
