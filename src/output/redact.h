/*
 * redact.h - stable placeholders for host names, addresses and users in
 * what ktriage sends to a language model, and the way back.
 *
 * kt_redact_str() replaces, in a string:
 *   - IPv4 addresses (four numbers 0-255) with ip-N,
 *   - IPv6 addresses (hex groups with "::", or all eight groups, or six
 *     and an IPv4 tail) with ip-N,
 *   - fully qualified domain names (two labels or more ending in a
 *     common top-level or site-local domain: .com, .net, .cn, .local,
 *     .internal, .corp, ...) with host-N,
 *   - the names given with kt_redact_add_host() (case-insensitive) and
 *     kt_redact_add_user() wherever they stand as a word, with host-N
 *     and user-N,
 *   - home directories: the NAME of /home/NAME, /Users/NAME and
 *     /var/home/NAME becomes user-N (and NAME a user from then on).
 * A word is delimited by anything but an ASCII letter or digit, so
 * "messages-web1.log" hides host web1 too.
 *
 * The same value always gets the same placeholder; numbering follows
 * the order of first sight, so the same input redacts the same way.
 * kt_redact_restore() maps the placeholders of a text (the model's
 * answer) back to the values.  Invariant: placeholders are written
 * whole and never scanned again, and no value maps to two placeholders.
 */
#ifndef KT_REDACT_H
#define KT_REDACT_H

#include "base/compat.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include <jansson.h>

enum kt_redact_kind { KT_REDACT_HOST, KT_REDACT_IP, KT_REDACT_USER,
		      KT_REDACT_NR };

struct kt_redact {
	struct kt_strmap values;	/* value (hosts, IPs lower case) ->
					 * index */
	struct kt_strmap placeholders;	/* "host-1" -> the same index */
	char **real;		/* owned; the value as first seen */
	size_t alloc;
	unsigned next[KT_REDACT_NR];	/* last number given, per kind */
	struct kt_strmap words;	/* known hosts and users to look for */
	enum kt_redact_kind *word_kind;	/* owned; per words index */
	size_t word_alloc;
};

void kt_redact_init(struct kt_redact *r);
void kt_redact_release(struct kt_redact *r);

/* Names to hide wherever they appear as a word (2 characters or more). */
void kt_redact_add_host(struct kt_redact *r, const char *name);
void kt_redact_add_user(struct kt_redact *r, const char *name);

/*
 * Learns the users of the home directories in s without writing
 * anything, so that a user seen in a path later in the data is hidden
 * everywhere, even before it.
 */
void kt_redact_learn(struct kt_redact *r, const char *s);

/* Appends s with every value replaced by its placeholder. */
void kt_redact_str(struct kt_redact *r, const char *s, struct strbuf *out);

/*
 * Redacts every string of j in place (object keys are left alone): first
 * learns from all of them, then replaces.
 */
void kt_redact_json(struct kt_redact *r, json_t *j);

/* Appends s with the known placeholders replaced by their values. */
void kt_redact_restore(const struct kt_redact *r, const char *s,
		       struct strbuf *out);

/* How many values were hidden. */
size_t kt_redact_count(const struct kt_redact *r);

#endif
