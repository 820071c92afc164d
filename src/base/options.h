/*
 * options.h - one static option table per subcommand.
 *
 * Each entry binds a flag to a field of the subcommand's options struct
 * (by offset), so parsing and --help come from the same table:
 *
 *	struct scan_opts { const char *format; int verbose; ... };
 *	static const struct kt_option scan_options[] = {
 *		KT_OPT_CHOICE(0, "format", struct scan_opts, format,
 *			      "FORMAT", "output format", formats),
 *		KT_OPT_COUNT('v', "verbose", struct scan_opts, verbose,
 *			     "show key fields and call traces"),
 *		KT_OPT_END(),
 *	};
 *
 * Numbers go through base/parse.c and are range-checked.  Parsing stops
 * at "--"; other words are positional arguments, kept in order.
 */
#ifndef KT_OPTIONS_H
#define KT_OPTIONS_H

#include "base/compat.h"
#include "base/strbuf.h"

enum kt_opt_type {
	KT_OPT_TYPE_END = 0,
	KT_OPT_TYPE_BOOL,	/* bool field, set to true */
	KT_OPT_TYPE_COUNT,	/* int field, incremented per use */
	KT_OPT_TYPE_STRING,	/* const char * field, last one wins */
	KT_OPT_TYPE_LIST,	/* struct kt_strlist field, repeatable */
	KT_OPT_TYPE_CHOICE,	/* const char * field, one of choices */
	KT_OPT_TYPE_U64,	/* uint64_t field within [min, max] */
};

/* Strings borrowed from argv. */
struct kt_strlist {
	const char **v;		/* owned array; strings borrowed */
	size_t nr, alloc;
};

void kt_strlist_add(struct kt_strlist *l, const char *s);
void kt_strlist_release(struct kt_strlist *l);

struct kt_option {
	enum kt_opt_type type;
	char short_name;
	const char *long_name;
	size_t offset;
	const char *argh;	/* argument placeholder for --help */
	const char *help;
	const char *const *choices;	/* NULL-terminated, for CHOICE */
	uint64_t min, max;	/* for U64 */
};

#define KT_OPT_BOOL(s, l, T, f, h) \
	{ KT_OPT_TYPE_BOOL, (s), (l), offsetof(T, f), NULL, (h), NULL, 0, 0 }
#define KT_OPT_COUNT(s, l, T, f, h) \
	{ KT_OPT_TYPE_COUNT, (s), (l), offsetof(T, f), NULL, (h), NULL, 0, 0 }
#define KT_OPT_STRING(s, l, T, f, a, h) \
	{ KT_OPT_TYPE_STRING, (s), (l), offsetof(T, f), (a), (h), NULL, 0, 0 }
#define KT_OPT_LIST(s, l, T, f, a, h) \
	{ KT_OPT_TYPE_LIST, (s), (l), offsetof(T, f), (a), (h), NULL, 0, 0 }
#define KT_OPT_CHOICE(s, l, T, f, a, h, c) \
	{ KT_OPT_TYPE_CHOICE, (s), (l), offsetof(T, f), (a), (h), (c), 0, 0 }
#define KT_OPT_U64(s, l, T, f, a, h, lo, hi) \
	{ KT_OPT_TYPE_U64, (s), (l), offsetof(T, f), (a), (h), NULL, (lo), \
	  (hi) }
#define KT_OPT_END() { KT_OPT_TYPE_END, 0, NULL, 0, NULL, NULL, NULL, 0, 0 }

enum kt_options_result {
	KT_OPTIONS_OK = 0,
	KT_OPTIONS_HELP = 1,	/* -h/--help was given */
	KT_OPTIONS_ERROR = -1,	/* err holds the one-line reason */
};

/*
 * Parses argv[0..argc) (argv[0] is the first argument, not the command)
 * into dest; positional arguments are appended to args.
 */
enum kt_options_result kt_options_parse(const struct kt_option *opts,
					void *dest, int argc,
					const char **argv,
					struct kt_strlist *args,
					struct strbuf *err);

/* Appends "usage: ...", the summary and one line per option. */
void kt_options_usage(const struct kt_option *opts, const char *usage,
		      const char *summary, struct strbuf *out);

#endif
