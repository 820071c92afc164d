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
#include "analyze/summary.h"
#include "event/event_reader.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

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

/* Called after each input with its display name and the lines it had. */
typedef int kt_cmd_input_fn(void *data, const char *name, uint64_t lines);

/*
 * kt_cmd_scan_inputs() calling fn after each input that was read (the
 * events it holds back may still come later).  A non-zero return of fn
 * stops the scan and is returned.
 */
int kt_cmd_scan_inputs_each(struct kt_ctx *ctx, struct kt_pipeline *pl,
			    const struct kt_strlist *paths,
			    const char *fallback, kt_cmd_input_fn *fn,
			    void *data);

/* ------------------------------------------------------------ --db */

#define KT_CMD_DEFAULT_DB "/var/lib/ktriage/events.db"

/*
 * The options of the commands that read events from a store (query,
 * stats --db, report --db), all borrowed from argv; a subcommand embeds
 * this struct in its options struct.
 */
struct kt_cmd_db {
	const char *path;	/* --db */
	const char *since;	/* --since T */
	const char *until;	/* --until T */
	const char *type;	/* --type T */
	const char *host;	/* --host H */
};

/*
 * The filter of o at now_us (ages count back from it).  Prints the
 * error and returns -1 for a time kt_time_parse_arg() does not take.
 */
int kt_cmd_db_filter(const struct kt_cmd_db *o, int64_t now_us,
		     struct kt_store_filter *f);

/*
 * For the commands that read logs or, with --db, a store (stats,
 * report): checks that the filters come with --db and that --db comes
 * without paths (nr_paths), then fills f (when --db is given).  Prints
 * the error and returns -1.
 */
int kt_cmd_db_or_paths(const struct kt_cmd_db *o, size_t nr_paths,
		       struct kt_store_filter *f);

/* What a replay leaves behind for the output: see kt_cmd_db_replay(). */
struct kt_cmd_replay {
	struct kt_summary_builder sum;	/* the events replayed, counted */
	struct kt_event_reader *reader;	/* owned: the events' strings */
	uint64_t lines;		/* lines of the recorded inputs */
};

/*
 * Opens o->path read-only and hands every stored event that f passes to
 * fn, in the order stored (as a scan of the same inputs delivers them),
 * counting them in r->sum with the type order of rs.  When names is not
 * NULL, the recorded inputs are appended to it.  Prints the error and
 * returns -1 on failure.  r is released with kt_cmd_replay_release()
 * after everything that keeps the events' type strings.
 */
int kt_cmd_db_replay(struct kt_ctx *ctx, const char *path,
		     const struct kt_store_filter *f,
		     const struct kt_ruleset *rs, kt_event_fn *fn, void *data,
		     json_t *names, struct kt_cmd_replay *r);
void kt_cmd_replay_release(struct kt_cmd_replay *r);

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
