/*
 * rules.c - `ktriage rules list|check`: show the rule pack, or validate
 * rule files before they are used with --rules.
 *
 * Sub-subcommands dispatch from the table below; both load the pack the
 * way scan does, so what they show or check is what scan would use.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/utf8.h"
#include "cmd/cmd.h"
#include "match/matcher.h"
#include "match/rules.h"
#include "output/jsonw.h"
#include <unistd.h>

struct rules_opts {
	struct kt_strlist rules;
	bool no_default_rules;
	const char *format;
	const char *role;
	bool keywords;
};

static const char *const list_formats[] = { "text", "json", NULL };

static const struct kt_option list_options[] = {
	KT_OPT_LIST(0, "rules", struct rules_opts, rules, "PATH",
		    "add or override rules from a YAML file or directory"),
	KT_OPT_BOOL(0, "no-default-rules", struct rules_opts, no_default_rules,
		    "list only the rules given with --rules"),
	KT_OPT_CHOICE(0, "format", struct rules_opts, format, "FORMAT",
		      "output format", list_formats),
	KT_OPT_STRING(0, "role", struct rules_opts, role, "ROLE",
		      "only rules of this role (head, line, body, ...)"),
	KT_OPT_BOOL(0, "keywords", struct rules_opts, keywords,
		    "print the literal keywords lines that open reports contain, one per line"),
	KT_OPT_END(),
};

static const struct kt_option check_options[] = {
	KT_OPT_BOOL(0, "no-default-rules", struct rules_opts, no_default_rules,
		    "check the files alone, not on top of the default pack"),
	KT_OPT_END(),
};

/* Loads defaults (unless told not to) and then each path in order. */
static int load(struct kt_ctx *ctx, struct kt_ruleset *rs, bool defaults,
		const struct kt_strlist *paths)
{
	size_t i;
	int rc = 0;

	if (defaults)
		rc = kt_ruleset_load_default(ctx, rs);
	for (i = 0; !rc && i < paths->nr; i++)
		rc = kt_ruleset_load_path(ctx, rs, paths->v[i]);
	if (!rc)
		rc = kt_ruleset_finish(ctx, rs);
	return rc;
}

static const char *rule_type(const struct kt_ruleset *rs,
			     const struct kt_rule *r)
{
	return r->type != KT_NO_TYPE ? rs->types[r->type] : "";
}

static void list_text(const struct kt_ruleset *rs, const char *role)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addf(&sb, "%-28s %-8s %-30s %-8s %s\n", "id", "role",
		    "type/subtype", "severity", "description");
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];
		struct strbuf ts = STRBUF_INIT;

		if (role && strcmp(role, kt_role_name(r->role)))
			continue;
		if (r->type != KT_NO_TYPE)
			strbuf_addf(&ts, "%s/%s", rule_type(rs, r), r->subtype);
		else if (r->subtype)
			strbuf_addf(&ts, "(%s)", r->subtype);
		strbuf_addf(&sb, "%-28s %-8s %-30s %-8s ", r->id,
			    kt_role_name(r->role), ts.buf,
			    r->type != KT_NO_TYPE ?
			    kt_severity_name(r->severity) : "");
		if (r->description)
			kt_utf8_sanitize(&sb, r->description,
					 strlen(r->description));
		strbuf_addch(&sb, '\n');
		strbuf_release(&ts);
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
}

static void list_json(const struct kt_ruleset *rs, const char *role)
{
	struct strbuf sb = STRBUF_INIT;
	struct kt_jsonw w;
	size_t i, j;

	kt_jsonw_init(&w, &sb);
	kt_jsonw_array(&w);
	for (i = 0; i < rs->nr_rules; i++) {
		const struct kt_rule *r = &rs->rule[i];

		if (role && strcmp(role, kt_role_name(r->role)))
			continue;
		kt_jsonw_object(&w);
		kt_jsonw_key(&w, "id");
		kt_jsonw_str(&w, r->id);
		kt_jsonw_key(&w, "role");
		kt_jsonw_str(&w, kt_role_name(r->role));
		kt_jsonw_key(&w, "type");
		kt_jsonw_str(&w, r->type != KT_NO_TYPE ? rule_type(rs, r) :
			     NULL);
		kt_jsonw_key(&w, "subtype");
		kt_jsonw_str(&w, r->subtype);
		kt_jsonw_key(&w, "severity");
		kt_jsonw_str(&w, r->type != KT_NO_TYPE ?
			     kt_severity_name(r->severity) : NULL);
		kt_jsonw_key(&w, "match");
		kt_jsonw_str(&w, r->match);
		kt_jsonw_key(&w, "title");
		kt_jsonw_array(&w);
		for (j = 0; j < r->nr_title; j++)
			kt_jsonw_str(&w, r->title[j]);
		kt_jsonw_end(&w);
		kt_jsonw_key(&w, "description");
		kt_jsonw_str(&w, r->description);
		kt_jsonw_key(&w, "file");
		kt_jsonw_str(&w, r->file);
		kt_jsonw_key(&w, "line");
		kt_jsonw_int(&w, r->line);
		kt_jsonw_end(&w);
	}
	kt_jsonw_end(&w);
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, unique: e.g. a grep pre-filter, or the benchmark's baseline. */
static void list_keywords(const struct kt_ruleset *rs)
{
	char **kw = xcalloc(rs->nr_rules + 1, sizeof(*kw));
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < rs->nr_rules; i++)
		if ((kw[n] = kt_matcher_keyword(&rs->rule[i])))
			n++;
	if (n)
		qsort(kw, n, sizeof(*kw), cmp_str);
	for (i = 0; i < n; i++)
		if (!i || strcmp(kw[i], kw[i - 1]))
			strbuf_addf(&sb, "%s\n", kw[i]);
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	for (i = 0; i < n; i++)
		free(kw[i]);
	free(kw);
}

static int cmd_rules_list(int argc, const char **argv, struct kt_ctx *ctx)
{
	struct rules_opts o = { 0 };
	struct kt_strlist args = { 0 };
	struct kt_ruleset rs;
	int rc;

	o.format = "text";
	kt_ruleset_init(&rs);
	rc = kt_cmd_parse_options(list_options, &o, argc, argv, &args,
				  "ktriage rules list [options]",
				  "Lists every rule of the pack: id, role, type/subtype, severity.");
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	if (args.nr) {
		rc = 1;
		error("rules list takes no arguments (use --rules PATH)");
		goto cleanup;
	}
	if (o.role) {
		int i;

		for (i = 0; i < KT_ROLE_NR; i++)
			if (!strcmp(o.role, kt_role_name((enum kt_role)i)))
				break;
		if (i == KT_ROLE_NR) {
			rc = 1;
			error("unknown role '%s'", o.role);
			goto cleanup;
		}
	}
	if (load(ctx, &rs, !o.no_default_rules, &o.rules)) {
		rc = 1;
		error("%s", kt_ctx_error(ctx));
		goto cleanup;
	}
	if (o.keywords)
		list_keywords(&rs);
	else if (!strcmp(o.format, "json"))
		list_json(&rs, o.role);
	else
		list_text(&rs, o.role);
cleanup:
	kt_ruleset_release(&rs);
	kt_strlist_release(&args);
	kt_strlist_release(&o.rules);
	return rc;
}

/* Loads, compiles (PCRE2 and vectorscan) and runs the examples. */
static int check_one(struct kt_ctx *ctx, const char *path, bool defaults)
{
	struct kt_strlist one = { 0 };
	struct kt_ruleset rs;
	struct strbuf report = STRBUF_INIT;
	int rc, bad;

	kt_ruleset_init(&rs);
	kt_strlist_add(&one, path);
	rc = load(ctx, &rs, defaults, &one);
	if (!rc)
		rc = kt_matcher_check(ctx, &rs);
	if (rc) {
		error("%s", kt_ctx_error(ctx));
		rc = -1;
		goto cleanup;
	}
	bad = kt_ruleset_check_examples(ctx, &rs, &report);
	if (bad) {
		fputs(report.buf, stderr);
		rc = -1;
		goto cleanup;
	}
	printf("%s: ok (%zu rules%s)\n", path, rs.nr_rules,
	       defaults ? " with the default pack" : "");
cleanup:
	strbuf_release(&report);
	kt_strlist_release(&one);
	kt_ruleset_release(&rs);
	return rc;
}

static int cmd_rules_check(int argc, const char **argv, struct kt_ctx *ctx)
{
	struct rules_opts o = { 0 };
	struct kt_strlist args = { 0 };
	size_t i;
	int rc, bad = 0;

	rc = kt_cmd_parse_options(check_options, &o, argc, argv, &args,
				  "ktriage rules check [options] FILE|DIR...",
				  "Checks rule files: YAML structure, keys, patterns (PCRE2 and\n"
				  "vectorscan) and each rule's examples.  Errors are printed as\n"
				  "file:line: message.");
	if (rc) {
		rc = rc > 0 ? 0 : 1;
		goto cleanup;
	}
	if (!args.nr) {
		rc = 1;
		error("rules check needs a rule file or directory");
		goto cleanup;
	}
	for (i = 0; i < args.nr; i++)
		if (check_one(ctx, args.v[i], !o.no_default_rules))
			bad++;
	rc = bad ? 1 : 0;
cleanup:
	kt_strlist_release(&args);
	kt_strlist_release(&o.rules);
	return rc;
}

struct rules_sub {
	const char *name;
	int (*fn)(int argc, const char **argv, struct kt_ctx *ctx);
	const char *summary;
};

static const struct rules_sub subs[] = {
	{ "list", cmd_rules_list, "list the rules of the pack" },
	{ "check", cmd_rules_check, "check rule files (file:line: errors)" },
};

int cmd_rules(int argc, const char **argv, struct kt_ctx *ctx)
{
	size_t i;

	if (argc >= 1)
		for (i = 0; i < KT_ARRAY_SIZE(subs); i++)
			if (!strcmp(argv[0], subs[i].name))
				return subs[i].fn(argc - 1, argv + 1, ctx);
	if (argc >= 1 && strcmp(argv[0], "-h") && strcmp(argv[0], "--help"))
		error("unknown rules command '%s'", argv[0]);
	printf("usage: ktriage rules <command> [options]\n\ncommands:\n");
	for (i = 0; i < KT_ARRAY_SIZE(subs); i++)
		printf("  %-8s %s\n", subs[i].name, subs[i].summary);
	return argc >= 1 && strcmp(argv[0], "-h") &&
	       strcmp(argv[0], "--help") ? 1 : 0;
}
