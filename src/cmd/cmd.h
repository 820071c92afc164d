/*
 * cmd.h - what every subcommand shares: its prototype, and the only
 * functions that print diagnostics or end the process.
 *
 * error() prints "ktriage: <message>" and returns -1, so a command can
 * `return error(...)`; warning() prints and carries on; die() is for
 * cmd/ only.  Messages are sanitized: log text never reaches the
 * terminal with control bytes.
 */
#ifndef KT_CMD_H
#define KT_CMD_H

#include "base/compat.h"
#include "base/err.h"
#include "base/options.h"
#include "base/strbuf.h"
#include "pipeline/pipeline.h"

#define KT_CMD(name, flags, summary) \
	int cmd_##name(int argc, const char **argv, struct kt_ctx *ctx);
#include "cmd/commands.def"
#undef KT_CMD

int error(const char *fmt, ...) KT_PRINTF(1, 2);
void warning(const char *fmt, ...) KT_PRINTF(1, 2);
KT_NORETURN void die(const char *fmt, ...) KT_PRINTF(1, 2);

/*
 * Where compiled rule packs are cached: $KTRIAGE_CACHE_DIR (empty:
 * no cache), else $XDG_CACHE_HOME/ktriage, else ~/.cache/ktriage.
 * Returns NULL when there is none.
 */
const char *kt_cmd_cache_dir(struct strbuf *sb);

/* --color WHEN: always, never, or auto (a terminal, NO_COLOR unset). */
bool kt_cmd_want_color(const char *when);

/*
 * Reads paths through pl, or with none this machine's own logs (or
 * fallback when none of them is readable), then delivers what is held
 * back.  Each input that cannot be read is reported on stderr; returns
 * how many there were.  When names is not NULL (a JSON array), the
 * display name of every input read is appended to it.
 */
int kt_cmd_scan_inputs(struct kt_ctx *ctx, struct kt_pipeline *pl,
		       const struct kt_strlist *paths, const char *fallback,
		       json_t *names);

/* zh when LC_ALL, LC_MESSAGES or LANG (the first set) is Chinese, else en. */
const char *kt_cmd_locale_lang(void);

/* The log sink cmd/ installs into struct kt_ctx: stderr, sanitized. */
void kt_cmd_log_sink(void *data, enum kt_log_level level, const char *msg);

/*
 * Parses a subcommand's options.  Prints usage and returns 1 for --help,
 * prints the error and returns -1 for bad usage, 0 otherwise.
 */
int kt_cmd_parse_options(const struct kt_option *opts, void *dest, int argc,
			 const char **argv, struct kt_strlist *args,
			 const char *usage, const char *summary);

#endif
