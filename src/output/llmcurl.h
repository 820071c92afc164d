/*
 * llmcurl.h - libcurl, loaded when `report --llm` needs it.
 *
 * Linking libcurl would map it and some thirty libraries it pulls in
 * (TLS, HTTP/2, IDN, LDAP, Kerberos, ...) into every run of ktriage,
 * about 5 MiB of resident memory at start, to serve one option: the
 * cold start is to stay under 32 MiB.  So the build takes only curl's
 * headers, and kt_llmcurl_open() loads libcurl.so.4 (any flavour: OpenSSL,
 * GnuTLS, NSS) with dlopen() and looks up the few functions the client
 * calls.  It is never unloaded: the TLS library's exit handlers must
 * still be there when the process ends.
 *
 * How to call one more libcurl function: add its pointer below and its
 * name to the table in llmcurl.c.
 */
#ifndef KT_LLMCURL_H
#define KT_LLMCURL_H

#include "base/compat.h"
#include "base/err.h"
#include <curl/curl.h>
#include <time.h>

#define KT_LLMCURL_VERSION_MIN 0x075500	/* 7.85.0: CURLOPT_PROTOCOLS_STR */

struct kt_llmcurl {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode cc);
	struct curl_slist *(*slist_append)(struct curl_slist *l,
					   const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part,
			     unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part,
			     unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
	time_t (*getdate)(const char *s, const time_t *unused);
	curl_version_info_data *(*version_info)(CURLversion v);
};

/* Loads libcurl and fills c; KT_ERR_NOTFOUND when it is not there. */
int kt_llmcurl_open(struct kt_ctx *ctx, struct kt_llmcurl *c);

#endif
