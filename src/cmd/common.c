/*
 * common.c - diagnostics and option handling shared by the subcommands.
 *
 * The one place where ktriage writes to stderr: error(), warning(),
 * die() and the sink the library's logger is routed to.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "cmd/cmd.h"
#include "input/input.h"
#include <sys/stat.h>
#include <unistd.h>

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf raw = STRBUF_INIT, out = STRBUF_INIT;

	strbuf_vaddf(&raw, fmt, ap);
	strbuf_addstr(&out, "ktriage: ");
	strbuf_addstr(&out, prefix);
	strbuf_add_sanitized(&out, raw.buf, raw.len);
	strbuf_addch(&out, '\n');
	fflush(stdout);
	fwrite(out.buf, 1, out.len, stderr);
	strbuf_release(&raw);
	strbuf_release(&out);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void kt_cmd_log_sink(void *data, enum kt_log_level level, const char *msg)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };

	(void)data;
	error("%s%s", prefix[level <= KT_LOG_DEBUG ? level : 0], msg);
}

int kt_cmd_parse_options(const struct kt_option *opts, void *dest, int argc,
			 const char **argv, struct kt_strlist *args,
			 const char *usage, const char *summary)
{
	struct strbuf sb = STRBUF_INIT;
	enum kt_options_result r;

	r = kt_options_parse(opts, dest, argc, argv, args, &sb);
	if (r == KT_OPTIONS_HELP) {
		kt_options_usage(opts, usage, summary, &sb);
		fputs(sb.buf, stdout);
		strbuf_release(&sb);
		return 1;
	}
	if (r == KT_OPTIONS_ERROR) {
		error("%s", sb.buf);
		strbuf_reset(&sb);
		kt_options_usage(opts, usage, NULL, &sb);
		fputs(sb.buf, stderr);
		strbuf_release(&sb);
		return -1;
	}
	strbuf_release(&sb);
	return 0;
}

const char *kt_cmd_cache_dir(struct strbuf *sb)
{
	const char *v = getenv("KTRIAGE_CACHE_DIR");

	strbuf_reset(sb);
	if (v)
		return *v ? v : NULL;
	v = getenv("XDG_CACHE_HOME");
	if (v && *v == '/') {
		strbuf_addf(sb, "%s/ktriage", v);
		return sb->buf;
	}
	v = getenv("HOME");
	if (v && *v == '/') {
		strbuf_addf(sb, "%s/.cache", v);
		if (mkdir(sb->buf, 0700) < 0 && errno != EEXIST)
			return NULL;
		strbuf_addstr(sb, "/ktriage");
		return sb->buf;
	}
	return NULL;
}

bool kt_cmd_want_color(const char *when)
{
	const char *term = getenv("TERM");

	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never") || getenv("NO_COLOR"))
		return false;
	return isatty(STDOUT_FILENO) && term && strcmp(term, "dumb");
}

/* Returns the number of named paths that could not be read. */
static int collect_inputs(struct kt_ctx *ctx, const struct kt_strlist *args,
			  const char *fallback, struct kt_input_list *list)
{
	int bad = 0;
	size_t i;

	for (i = 0; i < args->nr; i++) {
		if (kt_input_expand(ctx, &args->v[i], 1, 0, list)) {
			error("%s", kt_ctx_error(ctx));
			bad++;
		}
	}
	if (args->nr)
		return bad;
	kt_input_defaults(ctx, list);
	if (!list->nr && fallback) {
		warning("none of this machine's logs is readable; scanning '%s'",
			fallback);
		if (kt_input_expand(ctx, &fallback, 1, 0, list)) {
			error("%s", kt_ctx_error(ctx));
			bad++;
		}
	} else if (!list->nr) {
		warning("none of this machine's logs is readable; name a file or directory");
	}
	return bad;
}

int kt_cmd_scan_inputs_each(struct kt_ctx *ctx, struct kt_pipeline *pl,
			    const struct kt_strlist *paths,
			    const char *fallback, kt_cmd_input_fn *fn,
			    void *data)
{
	const struct kt_pipeline_stats *ps = kt_pipeline_stats(pl);
	struct kt_input_list list;
	uint64_t lines;
	int bad, rc = 0;
	size_t i;

	kt_input_list_init(&list);
	bad = collect_inputs(ctx, paths, fallback, &list);
	for (i = 0; !rc && i < list.nr; i++) {
		lines = ps->lines;
		if (kt_pipeline_scan(ctx, pl, &list.item[i])) {
			error("%s", kt_ctx_error(ctx));
			bad++;
		}
		if (fn)
			rc = fn(data, list.item[i].display, ps->lines - lines);
	}
	kt_pipeline_finish(pl);
	kt_input_list_release(&list);
	return rc ? rc : bad;
}

static int add_name(void *data, const char *name, uint64_t lines)
{
	(void)lines;
	json_array_append_new(data, json_string(name));
	return 0;
}

int kt_cmd_scan_inputs(struct kt_ctx *ctx, struct kt_pipeline *pl,
		       const struct kt_strlist *paths, const char *fallback,
		       json_t *names)
{
	return kt_cmd_scan_inputs_each(ctx, pl, paths, fallback,
				       names ? add_name : NULL, names);
}

/* ------------------------------------------------------------ --db */

static int parse_time(const char *opt, const char *s, int64_t now_us,
		      int64_t *out)
{
	*out = KT_NO_TIME;
	if (!s)
		return 0;
	if (kt_time_parse_arg(s, now_us, out))
		return error("invalid %s '%s': want an RFC 3339 time, a date "
			     "(2025-11-24) or an age (30m, 2h, 7d)", opt, s);
	return 0;
}

int kt_cmd_db_filter(const struct kt_cmd_db *o, int64_t now_us,
		     struct kt_store_filter *f)
{
	kt_store_filter_init(f);
	if (parse_time("--since", o->since, now_us, &f->since_us) ||
	    parse_time("--until", o->until, now_us, &f->until_us))
		return -1;
	f->type = o->type;
	f->host = o->host;
	return 0;
}

int kt_cmd_db_or_paths(const struct kt_cmd_db *o, size_t nr_paths,
		       struct kt_store_filter *f)
{
	if (!o->path && (o->since || o->until || o->type || o->host))
		return error("--since, --until, --type and --host need --db");
	if (o->path && nr_paths)
		return error("--db reads the store: name no PATH");
	if (o->path)
		return kt_cmd_db_filter(o, kt_wall_us(), f);
	return 0;
}

struct replay_to {
	struct kt_cmd_replay *r;
	kt_event_fn *fn;
	void *data;
};

static void count_event(void *data, struct kt_event *ev)
{
	struct replay_to *t = data;

	kt_summary_builder_add(&t->r->sum, ev);
	t->fn(t->data, ev);
}

struct input_names {
	json_t *names;
	uint64_t lines;
};

static int add_input(void *data, const char *name, uint64_t lines)
{
	struct input_names *in = data;

	if (in->names)
		json_array_append_new(in->names, json_string(name));
	in->lines += lines;
	return 0;
}

int kt_cmd_db_replay(struct kt_ctx *ctx, const char *path,
		     const struct kt_store_filter *f,
		     const struct kt_ruleset *rs, kt_event_fn *fn, void *data,
		     json_t *names, struct kt_cmd_replay *r)
{
	struct replay_to t = { r, fn, data };
	struct input_names in = { names, 0 };
	struct kt_store_filter by_insertion = *f;
	struct kt_store *st = NULL;
	int rc;

	kt_summary_builder_init(&r->sum, rs);
	r->reader = kt_event_reader_new();
	r->lines = 0;
	by_insertion.order = KT_STORE_BY_INSERTION;
	rc = kt_store_open(ctx, path, KT_STORE_READONLY, &st);
	if (!rc)
		rc = kt_store_replay(ctx, st, &by_insertion, count_event, &t,
				     r->reader);
	if (!rc)
		rc = kt_store_inputs(ctx, st, add_input, &in);
	kt_store_close(st);
	if (rc)
		return error("%s", kt_ctx_error(ctx));
	r->lines = in.lines;
	return 0;
}

void kt_cmd_replay_release(struct kt_cmd_replay *r)
{
	if (!r->reader)
		return;
	kt_summary_builder_release(&r->sum);
	kt_event_reader_free(r->reader);
	r->reader = NULL;
}

const char *kt_cmd_locale_lang(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return !strncmp(v, "zh", 2) ? "zh" : "en";
	}
	return "en";
}
