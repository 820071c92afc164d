/*
 * reportfmt.c - the report model as text for terminals and as Markdown
 * for tickets (see report.h).
 *
 * Part of the output stage.  Both walk the model in its four parts; the
 * words around the facts come from kb/00-messages.yaml, and every string
 * that came from a log is sanitized (text) or escaped (Markdown).
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "output/escape.h"
#include "output/report.h"

#define BOLD "\033[1m"
#define RESET "\033[0m"

struct fmt {
	struct strbuf *out;
	const struct kt_kb *kb;
	enum kt_lang lang;
	bool md;		/* Markdown, else text */
	bool color;
};

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *msg(const struct fmt *f, const char *name)
{
	return kt_kb_msg(f->kb, name, f->lang);
}

/* A message rendered with facts; the raw message if a fact is missing. */
static void msgf(const struct fmt *f, struct strbuf *sb, const char *name,
		 const json_t *facts)
{
	size_t mark = sb->len;

	if (!kt_kb_render(msg(f, name), facts, sb)) {
		strbuf_setlen(sb, mark);
		strbuf_addstr(sb, msg(f, name));
	}
}

/* Untrusted text, made safe for the format. */
static void put(const struct fmt *f, const char *s)
{
	if (!s)
		return;
	if (f->md)
		kt_md_escape(f->out, s);
	else
		strbuf_add_sanitized(f->out, s, strlen(s));
}

static void heading(const struct fmt *f, int level, const char *text)
{
	size_t n = strlen(text), i;

	if (f->md) {
		for (i = 0; i < (size_t)level + 1; i++)
			strbuf_addch(f->out, '#');
		strbuf_addch(f->out, ' ');
		kt_md_escape(f->out, text);
		strbuf_addstr(f->out, "\n\n");
		return;
	}
	if (f->color)
		strbuf_addstr(f->out, BOLD);
	strbuf_addstr(f->out, text);
	if (f->color)
		strbuf_addstr(f->out, RESET);
	strbuf_addch(f->out, '\n');
	if (level <= 1) {
		/* underline as wide as the text looks (CJK are 2 columns) */
		size_t cols = 0;

		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)text[i];

			if (c < 0x80)
				cols++;
			else if (c >= 0xe0)
				cols += 2;
		}
		for (i = 0; i < cols; i++)
			strbuf_addch(f->out, level ? '-' : '=');
		strbuf_addch(f->out, '\n');
	}
	strbuf_addch(f->out, '\n');
}

static void bullet(const struct fmt *f, int indent, const char *text)
{
	strbuf_addf(f->out, "%*s- ", indent, "");
	put(f, text);
	strbuf_addch(f->out, '\n');
}

static void command(const struct fmt *f, int indent, const char *cmd)
{
	if (f->md) {
		strbuf_addf(f->out, "%*s", indent, "");
		kt_md_code(f->out, cmd);
		strbuf_addch(f->out, '\n');
		return;
	}
	strbuf_addf(f->out, "%*s$ ", indent, "");
	strbuf_add_sanitized(f->out, cmd, strlen(cmd));
	strbuf_addch(f->out, '\n');
}

static const char *level_color(const char *level)
{
	return !strcmp(level, "critical") ? "\033[1;31m" :
	       !strcmp(level, "unstable") ? "\033[1;35m" :
	       !strcmp(level, "degraded") ? "\033[1;33m" : "\033[1;32m";
}

/* ------------------------------------------------------------ header */

static void header(const struct fmt *f, const json_t *m)
{
	const json_t *inputs = json_object_get(m, "inputs");
	const json_t *an = json_object_get(m, "analysis");
	json_t *facts = json_object();
	struct strbuf sb = STRBUF_INIT, list = STRBUF_INIT;
	size_t i;

	heading(f, 0, msg(f, "report_title"));
	json_object_set(facts, "generated_at", json_object_get(m,
							 "generated_at"));
	json_object_set_new(facts, "version", json_string(KT_VERSION));
	msgf(f, &sb, "generated", facts);
	put(f, sb.buf);
	strbuf_addstr(f->out, f->md ? "  \n" : "\n");
	for (i = 0; i < json_array_size(inputs) && i < 5; i++)
		strbuf_addf(&list, "%s%s", i ? ", " : "",
			    json_string_value(json_array_get(inputs, i)));
	if (json_array_size(inputs) > 5)
		strbuf_addf(&list, ", … (+%zu)", json_array_size(inputs) - 5);
	json_object_set_new(facts, "inputs", json_string(list.buf));
	json_object_set(facts, "lines", json_object_get(
		json_object_get(m, "scope"), "lines"));
	strbuf_reset(&sb);
	if (json_array_size(inputs))
		msgf(f, &sb, "read_from", facts);
	else
		strbuf_addstr(&sb, msg(f, "read_nothing"));
	put(f, sb.buf);
	strbuf_addstr(f->out, f->md ? "  \n" : "\n");
	strbuf_reset(&sb);
	if (!strcmp(str(an, "by"), "llm")) {
		msgf(f, &sb, "analysis_llm", an);
		if (json_integer_value(json_object_get(an, "unverified_ids")))
			msgf(f, &sb, "analysis_unverified", an);
	} else if (str(an, "fallback")) {
		json_object_set(facts, "reason", json_object_get(an,
								 "fallback"));
		msgf(f, &sb, "analysis_fallback", facts);
	} else {
		strbuf_addstr(&sb, msg(f, "analysis_builtin"));
	}
	put(f, sb.buf);
	strbuf_addstr(f->out, "\n\n");
	json_decref(facts);
	strbuf_release(&sb);
	strbuf_release(&list);
}

/* ------------------------------------------------------------ part 1 */

static void verdict(const struct fmt *f, const json_t *m)
{
	const json_t *v = json_object_get(m, "verdict");
	const char *level = str(v, "level");
	struct strbuf sb = STRBUF_INIT, name = STRBUF_INIT;

	strbuf_addf(&name, "level_%s", level);
	strbuf_addf(&sb, "%s%s", msg(f, "h_verdict"), msg(f, "colon"));
	if (f->md)
		strbuf_addstr(f->out, "**");
	put(f, sb.buf);
	if (f->color)
		strbuf_addstr(f->out, level_color(level));
	put(f, msg(f, name.buf));
	if (f->color)
		strbuf_addstr(f->out, RESET);
	if (f->md)
		strbuf_addstr(f->out, "**");
	put(f, msg(f, "dash"));
	put(f, str(v, "text"));
	if (str(v, "rule")) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, msg(f, "paren_open"));
		msgf(f, &sb, "decided_by", v);
		strbuf_addstr(&sb, msg(f, "paren_close"));
		put(f, sb.buf);
	}
	strbuf_addstr(f->out, "\n\n");
	strbuf_release(&sb);
	strbuf_release(&name);
}

static void name_list(struct strbuf *sb, const json_t *list)
{
	size_t i;

	for (i = 0; i < json_array_size(list) && i < 5; i++) {
		const json_t *e = json_array_get(list, i);

		strbuf_addf(sb, "%s%s (%lld)", i ? ", " : "", str(e, "name"),
			    (long long)json_integer_value(
				    json_object_get(e, "count")));
	}
}

static void scope(const struct fmt *f, const json_t *m, const json_t *g)
{
	const json_t *s = json_object_get(m, "scope");
	struct strbuf sb = STRBUF_INIT;
	json_t *facts = json_object(), *facts_copy;
	static const char *const lists[][2] = {
		{ "processes", "scope_processes" },
		{ "devices", "scope_devices" },
		{ "modules", "scope_modules" },
	};
	size_t i;

	heading(f, 2, msg(f, "h_scope"));
	g = facts_copy = json_deep_copy(g);
	/* "on 0 hosts": the log names none */
	if (!json_integer_value(json_object_get(g, "n.hosts")))
		json_object_del(facts_copy, "n.hosts");
	if (!json_integer_value(json_object_get(g, "n.boots")))
		json_object_del(facts_copy, "n.boots");
	msgf(f, &sb, "scope_text", g);
	bullet(f, 0, sb.buf);
	strbuf_reset(&sb);
	if (str(s, "first_time")) {
		json_object_set(facts, "first_time", json_object_get(s,
							       "first_time"));
		json_object_set(facts, "last_time", json_object_get(s,
							      "last_time"));
		json_object_set(facts, "span_hours", json_object_get(s,
							       "span_hours"));
		msgf(f, &sb, "scope_time", facts);
	} else {
		strbuf_addstr(&sb, msg(f, "scope_untimed"));
	}
	bullet(f, 0, sb.buf);
	for (i = 0; i < KT_ARRAY_SIZE(lists); i++) {
		struct strbuf l = STRBUF_INIT;

		name_list(&l, json_object_get(s, lists[i][0]));
		if (l.len) {
			json_object_set_new(facts, "list", json_string(l.buf));
			strbuf_reset(&sb);
			msgf(f, &sb, lists[i][1], facts);
			bullet(f, 0, sb.buf);
		}
		strbuf_release(&l);
	}
	strbuf_addch(f->out, '\n');
	json_decref(facts);
	json_decref(facts_copy);
	strbuf_release(&sb);
}

static void risks(const struct fmt *f, const json_t *m)
{
	const json_t *r = json_object_get(m, "risks");
	size_t i;

	if (!json_array_size(r))
		return;
	heading(f, 2, msg(f, "h_main_risks"));
	for (i = 0; i < json_array_size(r); i++) {
		const json_t *e = json_array_get(r, i);

		strbuf_addf(f->out, "%zu. ", i + 1);
		if (f->md)
			strbuf_addstr(f->out, "**");
		put(f, str(e, "label"));
		if (f->md)
			strbuf_addstr(f->out, "**");
		put(f, msg(f, "colon"));
		put(f, str(e, "text"));
		strbuf_addch(f->out, '\n');
	}
	strbuf_addch(f->out, '\n');
}

static void chains(const struct fmt *f, const json_t *m)
{
	const json_t *c = json_object_get(m, "chains");
	size_t i, j;

	heading(f, 2, msg(f, "h_chains"));
	if (!json_array_size(c)) {
		put(f, msg(f, "no_chains"));
		strbuf_addstr(f->out, "\n\n");
		return;
	}
	for (i = 0; i < json_array_size(c); i++) {
		const json_t *e = json_array_get(c, i);
		json_t *facts = json_deep_copy(e);
		const json_t *hosts = json_object_get(e, "hosts");
		struct strbuf sb = STRBUF_INIT, h = STRBUF_INIT;

		for (j = 0; j < json_array_size(hosts) && j < 5; j++)
			strbuf_addf(&h, "%s%s", j ? ", " : "",
				    json_string_value(json_array_get(hosts,
								     j)));
		json_object_set_new(facts, "hosts", json_string(h.buf));
		bullet(f, 0, str(e, "text"));
		msgf(f, &sb, "chain_seen", facts);
		strbuf_addf(f->out, "  %s", f->md ? "" : "  ");
		put(f, sb.buf);
		strbuf_addstr(f->out, f->md ? "\n" : "\n");
		json_decref(facts);
		strbuf_release(&sb);
		strbuf_release(&h);
	}
	strbuf_addch(f->out, '\n');
}

/* ------------------------------------------------------------ part 2 */

static void sample(const struct fmt *f, const json_t *s)
{
	const json_t *src = json_object_get(s, "source");
	struct strbuf sb = STRBUF_INIT;
	const json_t *fr = json_object_get(s, "frames");
	size_t i;

	if (str(s, "host"))
		strbuf_addf(&sb, "%s ", str(s, "host"));
	if (str(s, "time"))
		strbuf_addf(&sb, "%s ", str(s, "time"));
	strbuf_addf(&sb, "%s:%lld", str(src, "file"),
		    (long long)json_integer_value(json_object_get(src, "line")));
	if (json_integer_value(json_object_get(src, "line_end")) >
	    json_integer_value(json_object_get(src, "line")))
		strbuf_addf(&sb, "-%lld", (long long)json_integer_value(
			json_object_get(src, "line_end")));
	if (json_array_size(fr)) {
		strbuf_addstr(&sb, "  [");
		for (i = 0; i < json_array_size(fr); i++)
			strbuf_addf(&sb, "%s%s", i ? " < " : "",
				    json_string_value(json_array_get(fr, i)));
		strbuf_addch(&sb, ']');
	}
	if (f->md) {
		strbuf_addstr(f->out, "  - ");
		kt_md_escape(f->out, sb.buf);
		strbuf_addstr(f->out, "\n\n    ");
		kt_md_code(f->out, str(s, "message") ? str(s, "message") : "");
		strbuf_addstr(f->out, "\n");
	} else {
		strbuf_addstr(f->out, "      ");
		strbuf_add_sanitized(f->out, sb.buf, sb.len);
		strbuf_addstr(f->out, "\n        ");
		put(f, str(s, "message"));
		strbuf_addch(f->out, '\n');
	}
	strbuf_release(&sb);
}

static void items(const struct fmt *f, const char *title, const json_t *a,
		  bool numbered)
{
	size_t i, j;

	if (f->md)
		strbuf_addf(f->out, "**%s**\n\n", title);
	else
		strbuf_addf(f->out, "    %s%s\n", title, msg(f, "colon_end"));
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		const json_t *cmds = json_object_get(e, "commands");

		if (numbered)
			strbuf_addf(f->out, f->md ? "%zu. " : "      %zu. ",
				    i + 1);
		else
			strbuf_addstr(f->out, f->md ? "- " : "      - ");
		put(f, str(e, "text"));
		strbuf_addch(f->out, '\n');
		for (j = 0; j < json_array_size(cmds); j++)
			command(f, f->md ? 3 : 11, json_string_value(
				json_array_get(cmds, j)));
	}
	strbuf_addch(f->out, '\n');
}

static void problem(const struct fmt *f, const json_t *p, size_t n,
		    const char *sev_label)
{
	const json_t *hosts = json_object_get(p, "hosts");
	json_t *facts = json_deep_copy(p);
	struct strbuf sb = STRBUF_INIT, h = STRBUF_INIT;
	const json_t *samples = json_object_get(p, "samples");
	size_t i;

	strbuf_addf(&sb, "2.%zu [%s] %s", n, sev_label, str(p, "title"));
	if (f->md) {
		strbuf_addstr(f->out, "### ");
		kt_md_escape(f->out, sb.buf);
		strbuf_addstr(f->out, "\n\n");
	} else {
		if (f->color)
			strbuf_addstr(f->out, BOLD);
		strbuf_add_sanitized(f->out, sb.buf, sb.len);
		if (f->color)
			strbuf_addstr(f->out, RESET);
		strbuf_addch(f->out, '\n');
	}
	for (i = 0; i < json_array_size(hosts) && i < 5; i++)
		strbuf_addf(&h, "%s%s", i ? ", " : "",
			    json_string_value(json_array_get(hosts, i)));
	if (json_array_size(hosts) > 5)
		strbuf_addf(&h, ", … (+%zu)", json_array_size(hosts) - 5);
	if (h.len)
		json_object_set_new(facts, "host_list", json_string(h.buf));
	if (str(p, "last_time") && str(p, "first_time") &&
	    strcmp(str(p, "last_time"), str(p, "first_time")))
		json_object_set(facts, "until", json_object_get(p,
								"last_time"));
	strbuf_reset(&sb);
	msgf(f, &sb, "p_seen", facts);
	strbuf_addstr(f->out, f->md ? "" : "    ");
	put(f, sb.buf);
	strbuf_addstr(f->out, f->md ? "\n\n" : "\n\n");

	if (f->md)
		strbuf_addf(f->out, "**%s**%s", msg(f, "p_what"),
			    msg(f, "colon"));
	else
		strbuf_addf(f->out, "    %s%s", msg(f, "p_what"),
			    msg(f, "colon"));
	put(f, str(p, "meaning"));
	strbuf_addstr(f->out, "\n\n");
	if (json_array_size(json_object_get(p, "evidence")))
		items(f, msg(f, "p_evidence"), json_object_get(p, "evidence"),
		      false);
	if (json_array_size(samples)) {
		if (f->md)
			strbuf_addf(f->out, "**%s**\n\n", msg(f, "p_samples"));
		else
			strbuf_addf(f->out, "    %s%s\n", msg(f, "p_samples"),
				    msg(f, "colon_end"));
		for (i = 0; i < json_array_size(samples); i++)
			sample(f, json_array_get(samples, i));
		strbuf_addch(f->out, '\n');
	}
	if (json_array_size(json_object_get(p, "causes"))) {
		items(f, msg(f, "p_causes"), json_object_get(p, "causes"),
		      false);
	} else {
		if (f->md)
			strbuf_addf(f->out, "**%s**%s", msg(f, "p_causes"),
				    msg(f, "colon"));
		else
			strbuf_addf(f->out, "    %s%s", msg(f, "p_causes"),
				    msg(f, "colon"));
		put(f, msg(f, "p_no_causes"));
		strbuf_addstr(f->out, "\n\n");
	}
	if (json_array_size(json_object_get(p, "actions")))
		items(f, msg(f, "p_actions"), json_object_get(p, "actions"),
		      true);
	json_decref(facts);
	strbuf_release(&sb);
	strbuf_release(&h);
}

static void findings(const struct fmt *f, const json_t *m)
{
	const json_t *ps = json_object_get(m, "problems");
	json_int_t more = json_integer_value(json_object_get(m,
							     "more_problems"));
	size_t i;

	heading(f, 1, msg(f, "h_findings"));
	for (i = 0; i < json_array_size(ps); i++) {
		const json_t *p = json_array_get(ps, i);
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "sev_%s", str(p, "severity"));
		problem(f, p, i + 1, msg(f, name.buf));
		strbuf_release(&name);
	}
	if (more > 0) {
		json_t *facts = json_pack("{s:I}", "n", (json_int_t)more);
		struct strbuf sb = STRBUF_INIT;

		msgf(f, &sb, "more_problems", facts);
		put(f, sb.buf);
		strbuf_addstr(f->out, "\n\n");
		json_decref(facts);
		strbuf_release(&sb);
	}
}

/* ------------------------------------------------------------ part 3 */

static void prevention(const struct fmt *f, const json_t *m)
{
	const json_t *pv = json_object_get(m, "prevention");
	const json_t *al = json_object_get(pv, "alerts");
	const json_t *rd = json_object_get(pv, "readiness");
	const json_t *cfg = json_object_get(m, "config");
	size_t i;

	heading(f, 1, msg(f, "h_prevention"));
	if (str(pv, "text")) {
		put(f, str(pv, "text"));
		strbuf_addstr(f->out, "\n\n");
	}
	heading(f, 2, msg(f, "h_alerts"));
	if (!json_array_size(al)) {
		put(f, msg(f, "no_alerts"));
		strbuf_addstr(f->out, "\n\n");
	}
	if (json_array_size(al) && f->md)
		strbuf_addstr(f->out, "```yaml\n");
	for (i = 0; i < json_array_size(al); i++) {
		const json_t *a = json_array_get(al, i);
		const char *ind = f->md ? "" : "    ";

		strbuf_addf(f->out, "%s- alert: %s\n%s  expr: %s\n%s  for: %s\n"
			    "%s  labels: { severity: %s }\n"
			    "%s  annotations: { summary: \"",
			    ind, str(a, "name"), ind, str(a, "expr"), ind,
			    str(a, "for"), ind, str(a, "severity"), ind);
		strbuf_add_sanitized(f->out, str(a, "text"),
				     strlen(str(a, "text")));
		strbuf_addstr(f->out, "\" }\n");
	}
	if (json_array_size(al))
		strbuf_addstr(f->out, f->md ? "```\n\n" : "\n");
	heading(f, 2, msg(f, "h_readiness"));
	for (i = 0; i < json_array_size(rd); i++) {
		const json_t *r = json_array_get(rd, i);
		struct strbuf name = STRBUF_INIT, sb = STRBUF_INIT;

		strbuf_addf(&name, "readiness_%s", str(r, "state"));
		strbuf_addf(&sb, "[%s] %s", msg(f, name.buf), str(r, "text"));
		bullet(f, 0, sb.buf);
		strbuf_release(&name);
		strbuf_release(&sb);
	}
	strbuf_addch(f->out, '\n');
	if (json_is_object(cfg) && json_object_size(cfg)) {
		const char *k;
		json_t *v;

		heading(f, 2, msg(f, "h_config"));
		json_object_foreach((json_t *)cfg, k, v) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "%s = ", k);
			if (!kt_kb_fact_text(v, &sb))
				strbuf_addstr(&sb, "\"\"");
			bullet(f, 0, sb.buf);
			strbuf_release(&sb);
		}
		strbuf_addch(f->out, '\n');
	}
}

/* ------------------------------------------------------------ part 4 */

static void summary(const struct fmt *f, const json_t *m)
{
	const json_t *s = json_object_get(m, "summary");
	const json_t *top = json_object_get(s, "top_actions");
	size_t i;

	heading(f, 1, msg(f, "h_summary"));
	put(f, str(s, "text"));
	strbuf_addstr(f->out, "\n\n");
	if (!json_array_size(top))
		return;
	heading(f, 2, msg(f, "h_top_actions"));
	for (i = 0; i < json_array_size(top); i++) {
		const json_t *a = json_array_get(top, i);

		strbuf_addf(f->out, "%zu. ", i + 1);
		put(f, str(a, "text"));
		if (str(a, "title") && *str(a, "title")) {
			strbuf_addstr(f->out, " (");
			put(f, str(a, "title"));
			strbuf_addch(f->out, ')');
		}
		strbuf_addch(f->out, '\n');
	}
	strbuf_addch(f->out, '\n');
}

/* Nothing to report: the verdict and what was read, two lines. */
static bool healthy_short(const struct fmt *f, const json_t *m)
{
	const json_t *ps = json_object_get(m, "problems");
	const json_t *inputs = json_object_get(m, "inputs");
	json_t *facts;
	struct strbuf sb = STRBUF_INIT, list = STRBUF_INIT;
	size_t i;

	for (i = 0; i < json_array_size(ps); i++) {
		const json_t *p = json_array_get(ps, i);

		/* boots that followed a clean shutdown are not anomalies */
		if (strcmp(str(p, "type"), "reboot") ||
		    (strcmp(str(p, "subtype"), "first") &&
		     strcmp(str(p, "subtype"), "clean")))
			return false;
	}
	for (i = 0; i < json_array_size(inputs) && i < 5; i++)
		strbuf_addf(&list, "%s%s", i ? ", " : "",
			    json_string_value(json_array_get(inputs, i)));
	facts = json_pack("{s:s,s:O}", "inputs", list.buf, "lines",
			  json_object_get(json_object_get(m, "scope"),
					  "lines"));
	if (f->color)
		strbuf_addstr(f->out, level_color("healthy"));
	put(f, msg(f, "healthy_line"));
	if (f->color)
		strbuf_addstr(f->out, RESET);
	strbuf_addstr(f->out, f->md ? "  \n" : "\n");
	if (json_array_size(inputs))
		msgf(f, &sb, "read_from", facts);
	else
		strbuf_addstr(&sb, msg(f, "read_nothing"));
	put(f, sb.buf);
	strbuf_addch(f->out, '\n');
	json_decref(facts);
	strbuf_release(&sb);
	strbuf_release(&list);
	return true;
}

static void render(struct fmt *f, const json_t *m)
{
	json_t *g;
	int lang = kt_lang_from_name(str(m, "lang") ? str(m, "lang") : "en");

	f->lang = lang < 0 ? KT_LANG_EN : (enum kt_lang)lang;
	if (healthy_short(f, m))
		return;
	g = json_object_get(m, "facts");
	header(f, m);
	heading(f, 1, msg(f, "h_risk"));
	verdict(f, m);
	scope(f, m, g);
	risks(f, m);
	chains(f, m);
	findings(f, m);
	prevention(f, m);
	summary(f, m);
}

void kt_report_text(struct strbuf *out, const json_t *model,
		    const struct kt_kb *kb, bool color)
{
	struct fmt f = { out, kb, KT_LANG_EN, false, color };

	render(&f, model);
}

void kt_report_markdown(struct strbuf *out, const json_t *model,
			const struct kt_kb *kb)
{
	struct fmt f = { out, kb, KT_LANG_EN, true, false };

	render(&f, model);
}
