/*
 * main.c - dispatch argv[1] to the subcommand named in cmd/commands.def.
 *
 * Sets up the context and the diagnostic sink, then hands over; the
 * subcommand's return value is the exit status.
 */
#include "base/compat.h"
#include "cmd/cmd.h"
#include <locale.h>

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, const char **argv, struct kt_ctx *ctx);
	unsigned flags;
	const char *summary;
};

static const struct cmd_struct commands[] = {
#define KT_CMD(name, flags, summary) { #name, cmd_##name, flags, summary },
#include "cmd/commands.def"
#undef KT_CMD
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ktriage <command> [options] [PATH|-]...\n\n"
		   "Turns Linux kernel and system logs into a few precise,\n"
		   "explained incidents.\n\ncommands:\n");
	for (i = 0; i < KT_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nRun 'ktriage <command> --help' for its options.\n");
}

int main(int argc, const char **argv)
{
	struct kt_ctx ctx;
	size_t i;
	int rc;

	setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("ktriage %s\n", KT_VERSION);
		return 0;
	}
	for (i = 0; i < KT_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		kt_ctx_init(&ctx);
		ctx.log_fn = kt_cmd_log_sink;
		rc = commands[i].fn(argc - 2, argv + 2, &ctx);
		kt_ctx_release(&ctx);
		if (fflush(stdout) || ferror(stdout)) {
			if (errno != EPIPE)
				error("cannot write output: %s",
				      strerror(errno));
			return 1;
		}
		return rc < 0 ? 1 : rc;
	}
	error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 1;
}
