/*
 * options.c - table-driven option parsing and --help (see options.h).
 *
 * Used by every subcommand in cmd/; knows nothing about what the options
 * mean, only how to store them.
 */
#include "base/compat.h"
#include "base/options.h"
#include "base/parse.h"
#include "base/xalloc.h"

void kt_strlist_add(struct kt_strlist *l, const char *s)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = s;
}

void kt_strlist_release(struct kt_strlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const struct kt_option *find_long(const struct kt_option *o,
					 const char *name, size_t len)
{
	for (; o->type != KT_OPT_TYPE_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !memcmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct kt_option *find_short(const struct kt_option *o, char c)
{
	for (; o->type != KT_OPT_TYPE_END; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

static bool takes_arg(const struct kt_option *o)
{
	return o->type == KT_OPT_TYPE_STRING || o->type == KT_OPT_TYPE_LIST ||
	       o->type == KT_OPT_TYPE_CHOICE || o->type == KT_OPT_TYPE_U64;
}

static void opt_name(const struct kt_option *o, struct strbuf *sb)
{
	if (o->long_name)
		strbuf_addf(sb, "--%s", o->long_name);
	else
		strbuf_addf(sb, "-%c", o->short_name);
}

static int store(const struct kt_option *o, void *dest, const char *arg,
		 struct strbuf *err)
{
	char *field = (char *)dest + o->offset;

	switch (o->type) {
	case KT_OPT_TYPE_BOOL:
		*(bool *)field = true;
		return 0;
	case KT_OPT_TYPE_COUNT:
		(*(int *)field)++;
		return 0;
	case KT_OPT_TYPE_STRING:
		*(const char **)field = arg;
		return 0;
	case KT_OPT_TYPE_LIST:
		kt_strlist_add((struct kt_strlist *)field, arg);
		return 0;
	case KT_OPT_TYPE_CHOICE: {
		const char *const *c;

		for (c = o->choices; *c; c++)
			if (!strcmp(*c, arg)) {
				*(const char **)field = *c;
				return 0;
			}
		strbuf_addf(err, "invalid value '%s' for ", arg);
		opt_name(o, err);
		strbuf_addstr(err, ": expected ");
		for (c = o->choices; *c; c++)
			strbuf_addf(err, "%s%s", c == o->choices ? "" : "|",
				    *c);
		return -1;
	}
	case KT_OPT_TYPE_U64: {
		uint64_t v;

		if (kt_cstr_to_u64(arg, o->min, o->max, &v)) {
			strbuf_addf(err, "invalid value '%s' for ", arg);
			opt_name(o, err);
			strbuf_addf(err, ": expected a number from %llu to %llu",
				    (unsigned long long)o->min,
				    (unsigned long long)o->max);
			return -1;
		}
		*(uint64_t *)field = v;
		return 0;
	}
	case KT_OPT_TYPE_END:
		break;
	}
	return -1;
}

enum kt_options_result kt_options_parse(const struct kt_option *opts,
					void *dest, int argc,
					const char **argv,
					struct kt_strlist *args,
					struct strbuf *err)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct kt_option *o;
		const char *val = NULL;

		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				kt_strlist_add(args, argv[i]);
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return KT_OPTIONS_HELP;
		if (a[0] != '-' || !a[1]) {
			kt_strlist_add(args, a);
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find_long(opts, a + 2, len);
			if (!o) {
				strbuf_addf(err, "unknown option '%.*s'",
					    (int)len + 2, a);
				return KT_OPTIONS_ERROR;
			}
			if (eq && !takes_arg(o)) {
				strbuf_addf(err, "option '--%s' takes no value",
					    o->long_name);
				return KT_OPTIONS_ERROR;
			}
			if (eq)
				val = eq + 1;
		} else {
			/* -v, -vv, -fVALUE, -f VALUE */
			const char *p;

			for (p = a + 1; *p; p++) {
				o = find_short(opts, *p);
				if (!o) {
					strbuf_addf(err, "unknown option '-%c'",
						    *p);
					return KT_OPTIONS_ERROR;
				}
				if (takes_arg(o)) {
					if (p[1])
						val = p + 1;
					break;
				}
				if (store(o, dest, NULL, err))
					return KT_OPTIONS_ERROR;
			}
			if (!takes_arg(o))
				continue;
		}
		if (takes_arg(o) && !val) {
			if (i + 1 >= argc) {
				strbuf_addstr(err, "option '");
				opt_name(o, err);
				strbuf_addstr(err, "' needs a value");
				return KT_OPTIONS_ERROR;
			}
			val = argv[++i];
		}
		if (store(o, dest, val, err))
			return KT_OPTIONS_ERROR;
	}
	return KT_OPTIONS_OK;
}

void kt_options_usage(const struct kt_option *opts, const char *usage,
		      const char *summary, struct strbuf *out)
{
	const struct kt_option *o;

	strbuf_addf(out, "usage: %s\n", usage);
	if (summary)
		strbuf_addf(out, "\n%s\n", summary);
	strbuf_addstr(out, "\noptions:\n");
	for (o = opts; o->type != KT_OPT_TYPE_END; o++) {
		size_t start = out->len, w;

		strbuf_addstr(out, "  ");
		if (o->short_name)
			strbuf_addf(out, "-%c%s", o->short_name,
				    o->long_name ? ", " : "");
		else
			strbuf_addstr(out, "    ");
		if (o->long_name)
			strbuf_addf(out, "--%s", o->long_name);
		if (o->argh)
			strbuf_addf(out, " %s", o->argh);
		w = out->len - start;
		if (w < 28)
			strbuf_addf(out, "%*s", (int)(28 - w), "");
		else
			strbuf_addstr(out, "\n                            ");
		strbuf_addstr(out, o->help);
		if (o->type == KT_OPT_TYPE_CHOICE) {
			const char *const *c;

			strbuf_addstr(out, " (");
			for (c = o->choices; *c; c++)
				strbuf_addf(out, "%s%s",
					    c == o->choices ? "" : "|", *c);
			strbuf_addch(out, ')');
		}
		if (o->type == KT_OPT_TYPE_LIST)
			strbuf_addstr(out, " (repeatable)");
		strbuf_addch(out, '\n');
	}
	strbuf_addf(out, "  %-26s%s\n", "-h, --help", "show this help");
}
