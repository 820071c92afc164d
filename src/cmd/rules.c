/*
 * rules.c - `ktriage rules list|check`.
 */
#include "base/compat.h"
#include "cmd/cmd.h"

int cmd_rules(int argc, const char **argv, struct kt_ctx *ctx)
{
	(void)argc; (void)argv; (void)ctx;
	return 0;
}
