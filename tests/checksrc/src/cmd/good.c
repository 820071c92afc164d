/*
 * good.c - a file that follows every rule checksrc knows.
 *
 * Used by the checksrc self-test: it must produce no output.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "match/matcher.h"
#include "cmd/cmd.h"
#include "local.h"
#include <stdio.h>

static int f(const char *s)
{
	/* atoi(s) in a comment is fine, and so is "strcpy(" in a string */
	puts("sprintf(buf, fmt)");
	return ops->system(s) + my_atoi(s) +
	       atoi(s); /* checksrc: allow atoi */
}
