/*
 * common.c - diagnostics and option handling shared by the subcommands.
 *
 * The one place where ktriage writes to stderr: error(), warning(),
 * die() and the sink the library's logger is routed to.
 */
#include "base/compat.h"
#include "base/strbuf.h"
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

int kt_cmd_scan_inputs(struct kt_ctx *ctx, struct kt_pipeline *pl,
		       const struct kt_strlist *paths, const char *fallback,
		       json_t *names)
{
	struct kt_input_list list;
	int bad;
	size_t i;

	kt_input_list_init(&list);
	bad = collect_inputs(ctx, paths, fallback, &list);
	for (i = 0; i < list.nr; i++) {
		if (kt_pipeline_scan(ctx, pl, &list.item[i])) {
			error("%s", kt_ctx_error(ctx));
			bad++;
		}
		if (names)
			json_array_append_new(names,
				json_string(list.item[i].display));
	}
	kt_pipeline_finish(pl);
	kt_input_list_release(&list);
	return bad;
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
