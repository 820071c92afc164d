/*
 * llmcurl.c - loads libcurl on first use (see llmcurl.h).
 *
 * Part of the output stage, under the LLM client: the one place that
 * knows libcurl is a plug-in rather than a link-time dependency.
 */
#include "base/compat.h"
#include "output/llmcurl.h"
#include <dlfcn.h>

/* The sonames of the Debian, Fedora and SUSE flavours, then any. */
static const char *const libs[] = {
	"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4",
	"libcurl.so",
};

#define SYM(field, name) { offsetof(struct kt_llmcurl, field), name }

static const struct {
	size_t offset;
	const char *name;
} syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(url, "curl_url"),
	SYM(url_set, "curl_url_set"),
	SYM(url_get, "curl_url_get"),
	SYM(url_cleanup, "curl_url_cleanup"),
	SYM(free, "curl_free"),
	SYM(getdate, "curl_getdate"),
	SYM(version_info, "curl_version_info"),
};

int kt_llmcurl_open(struct kt_ctx *ctx, struct kt_llmcurl *c)
{
	const curl_version_info_data *v;
	void *dl = NULL;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < KT_ARRAY_SIZE(libs) && !dl; i++)
		dl = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return kt_failf(ctx, KT_ERR_NOTFOUND,
				"libcurl is not installed (%s not found)",
				libs[0]);
	for (i = 0; i < KT_ARRAY_SIZE(syms); i++) {
		void *f = dlsym(dl, syms[i].name);

		if (!f)
			return kt_failf(ctx, KT_ERR_NOTFOUND,
					"libcurl lacks %s", syms[i].name);
		/* POSIX: a function's address round-trips through void * */
		memcpy((char *)c + syms[i].offset, &f, sizeof(f));
	}
	v = c->version_info(CURLVERSION_NOW);
	if (!v || v->version_num < KT_LLMCURL_VERSION_MIN)
		return kt_failf(ctx, KT_ERR_NOTFOUND,
				"libcurl %s is too old: 7.85 or later is needed",
				v ? v->version : "?");
	/* never dlclose()d: see llmcurl.h */
	return 0;
}
