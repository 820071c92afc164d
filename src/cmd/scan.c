/*
 * scan.c - `ktriage scan`: logs in, events out.
 */
#include "base/compat.h"
#include "cmd/cmd.h"

int cmd_scan(int argc, const char **argv, struct kt_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	return 0;
}
