/*
 * err.h - library error codes and the context that carries their detail.
 *
 * Library functions return 0 (or a positive count) on success and a
 * negative enum kt_err on failure; the human-readable detail goes into
 * the caller's struct kt_ctx through kt_failf(), in the house style:
 * lower case, no full stop, what failed first, input quoted, then why:
 *     cannot open 'kern.log.2.gz': Permission denied
 * Only cmd/ prints it.
 */
#ifndef KT_ERR_H
#define KT_ERR_H

#include "base/compat.h"
#include "base/strbuf.h"

enum kt_err {
	KT_OK = 0,
	KT_ERR_IO = -1,		/* the OS refused: open, read, stat */
	KT_ERR_PARSE = -2,	/* input text is not what it must be */
	KT_ERR_RANGE = -3,	/* a number does not fit */
	KT_ERR_LIMIT = -4,	/* input exceeds a cap */
	KT_ERR_FORMAT = -5,	/* corrupt or unsupported file format */
	KT_ERR_USAGE = -6,	/* bad options or arguments */
	KT_ERR_NOTFOUND = -7,	/* no such thing */
	KT_ERR_RULES = -8,	/* a rule pack does not load */
	KT_ERR_INTERNAL = -9,	/* a library we use failed */
	KT_ERR_KB = -10,	/* the report knowledge base does not load */
};

const char *kt_err_str(int err);

enum kt_log_level {
	KT_LOG_ERROR = 0,
	KT_LOG_WARN = 1,
	KT_LOG_INFO = 2,
	KT_LOG_DEBUG = 3,
};

/* A log sink installed by cmd/; the library never writes to a stream. */
typedef void kt_log_fn(void *data, enum kt_log_level level, const char *msg);

/*
 * Per-invocation context handed first to every stage.  No library
 * globals: everything a stage needs to report lives here.
 */
struct kt_ctx {
	struct strbuf err;	/* owned; detail of the last failure */
	kt_log_fn *log_fn;	/* may be NULL: messages are dropped */
	void *log_data;		/* borrowed, passed to log_fn */
	enum kt_log_level log_level;
	int64_t now;		/* seconds since the epoch (year inference) */
};

void kt_ctx_init(struct kt_ctx *ctx);
void kt_ctx_release(struct kt_ctx *ctx);

/* Records the detail of a failure in ctx and returns err. */
int kt_failf(struct kt_ctx *ctx, int err, const char *fmt, ...)
	KT_PRINTF(3, 4);
/* The detail of the last failure ("" if none). */
const char *kt_ctx_error(const struct kt_ctx *ctx);

void kt_log(struct kt_ctx *ctx, enum kt_log_level level, const char *fmt, ...)
	KT_PRINTF(3, 4);

#endif
