/*
 * mhd.c - loads libmicrohttpd on first use (see mhd.h).
 *
 * Part of the server stage: the one place that knows libmicrohttpd is a
 * plug-in rather than a link-time dependency.
 */
#include "base/compat.h"
#include "server/mhd.h"
#include <dlfcn.h>

static const char *const libs[] = {
	"libmicrohttpd.so.12", "libmicrohttpd.so",
};

#define SYM(field, name) { offsetof(struct kt_mhd, field), name }

static const struct {
	size_t offset;
	const char *name;
} syms[] = {
	SYM(start_daemon, "MHD_start_daemon"),
	SYM(stop_daemon, "MHD_stop_daemon"),
	SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
	SYM(add_response_header, "MHD_add_response_header"),
	SYM(queue_response, "MHD_queue_response"),
	SYM(destroy_response, "MHD_destroy_response"),
};

int kt_mhd_open(struct kt_ctx *ctx, struct kt_mhd *m)
{
	void *dl = NULL;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < KT_ARRAY_SIZE(libs) && !dl; i++)
		dl = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return kt_failf(ctx, KT_ERR_NOTFOUND,
				"libmicrohttpd is not installed (%s not found)",
				libs[0]);
	for (i = 0; i < KT_ARRAY_SIZE(syms); i++) {
		void *f = dlsym(dl, syms[i].name);

		if (!f)
			return kt_failf(ctx, KT_ERR_NOTFOUND,
					"libmicrohttpd lacks %s", syms[i].name);
		/* POSIX: a function's address round-trips through void * */
		memcpy((char *)m + syms[i].offset, &f, sizeof(f));
	}
	/* never dlclose()d: the daemon's thread runs its code until exit */
	return 0;
}
