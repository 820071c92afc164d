/*
 * ini.h - a small INI-like configuration reader.
 *
 * The format, documented for users in docs/LLM.md:
 *
 *	# a comment (also ';'), on a line of its own
 *	[section]
 *	key = value
 *
 * Blank lines are skipped; keys and values are trimmed; a value wrapped
 * in double quotes loses them (and keeps its inner blanks); there are
 * no escapes, no continuation lines and no comments after a value.
 * Section and key names are [A-Za-z0-9_.-]+ and matched as written.
 * A section may name a subsection, as in git: [alert "ops"] is the
 * section "alert.ops" (the same as [alert.ops]); the quoted name is a
 * name too.
 * Anything else is an error naming the file and line.
 */
#ifndef KT_INI_H
#define KT_INI_H

#include "base/compat.h"
#include "base/err.h"

#define KT_INI_FILE_MAX (64 * 1024)

/*
 * Called once per "key = value", with the section it is in ("" before
 * the first header).  Returns 0 to go on, or a negative enum kt_err
 * (having called kt_failf) to stop the parse with that error.
 */
typedef int kt_ini_fn(void *data, struct kt_ctx *ctx, const char *section,
		      const char *key, const char *value, int line);

/* Parses text[0..len); name prefixes errors ("name:3: ..."). */
int kt_ini_parse(struct kt_ctx *ctx, const char *name, const char *text,
		 size_t len, kt_ini_fn *fn, void *data);

/*
 * Reads and parses the file at path (at most KT_INI_FILE_MAX bytes).
 * Returns KT_ERR_NOTFOUND, without a message, when there is no such
 * file.
 */
int kt_ini_load(struct kt_ctx *ctx, const char *path, kt_ini_fn *fn,
		void *data);

#endif
