/*
 * err.c - error strings, the failure detail and the levelled logger.
 *
 * Every stage reports through the struct kt_ctx it is handed; cmd/
 * decides where the text goes.
 */
#include "base/compat.h"
#include "base/err.h"
#include <time.h>

const char *kt_err_str(int err)
{
	switch (err) {
	case KT_OK:
		return "success";
	case KT_ERR_IO:
		return "input/output error";
	case KT_ERR_PARSE:
		return "parse error";
	case KT_ERR_RANGE:
		return "number out of range";
	case KT_ERR_LIMIT:
		return "limit exceeded";
	case KT_ERR_FORMAT:
		return "unsupported or corrupt format";
	case KT_ERR_USAGE:
		return "bad usage";
	case KT_ERR_NOTFOUND:
		return "not found";
	case KT_ERR_RULES:
		return "invalid rules";
	case KT_ERR_INTERNAL:
		return "internal error";
	case KT_ERR_KB:
		return "invalid knowledge base";
	}
	return "unknown error";
}

void kt_ctx_init(struct kt_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	strbuf_init(&ctx->err, 0);
	ctx->log_level = KT_LOG_WARN;
	ctx->now = (int64_t)time(NULL);
}

void kt_ctx_release(struct kt_ctx *ctx)
{
	strbuf_release(&ctx->err);
}

int kt_failf(struct kt_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&ctx->err);
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->err, fmt, ap);
	va_end(ap);
	return err;
}

const char *kt_ctx_error(const struct kt_ctx *ctx)
{
	return ctx->err.buf;
}

void kt_log(struct kt_ctx *ctx, enum kt_log_level level, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (!ctx->log_fn || level > ctx->log_level)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_data, level, sb.buf);
	strbuf_release(&sb);
}
