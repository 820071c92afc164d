/*
 * http.h - HTTP POST through libcurl loaded at run time: the one way
 * ktriage speaks HTTP (`report --llm`, alert delivery).
 *
 * Linking libcurl would map it and some thirty libraries it pulls in
 * (TLS, HTTP/2, IDN, LDAP, Kerberos, ...) into every run of ktriage,
 * about 5 MiB of resident memory at start, to serve features most runs
 * do not use: the cold start is to stay under 32 MiB and an idle
 * `watch` under 20 MiB.  So the build takes only curl's headers, and
 * kt_curl_open() loads libcurl.so.4 (any flavour: OpenSSL, GnuTLS, NSS)
 * with dlopen() and looks up the few functions ktriage calls.  It is
 * never unloaded: the TLS library's exit handlers must still be there
 * when the process ends.
 *
 * struct kt_http is one client: the loaded library and one easy handle,
 * whose connection cache keeps connections to a receiver open between
 * requests.  It is used by one thread at a time; kt_http_new() calls
 * curl_global_init(), so create it before starting threads that use it.
 *
 * How to call one more libcurl function: add its pointer to struct
 * kt_curl and its name to the table in http.c.
 */
#ifndef KT_HTTP_H
#define KT_HTTP_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include <curl/curl.h>
#include <time.h>

#define KT_CURL_VERSION_MIN 0x075500	/* 7.85.0: CURLOPT_PROTOCOLS_STR */

struct kt_curl {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	void (*easy_reset)(CURL *h);
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
int kt_curl_open(struct kt_ctx *ctx, struct kt_curl *c);

/*
 * Appends the host of url (no user, password, port or path; an IPv6
 * address without brackets): what messages name.
 */
void kt_http_url_host(const char *url, struct strbuf *out);

struct kt_http;

/* Loads libcurl (kt_curl_open) and sets up one client. */
int kt_http_new(struct kt_ctx *ctx, struct kt_http **out);
void kt_http_free(struct kt_http *h);

struct kt_http_response {
	long status;		/* of the last status line; 0: none */
	struct strbuf ctype;	/* owned; Content-Type */
	int64_t retry_after;	/* seconds from now; -1 when not given */
	struct strbuf body;	/* owned; the reply, when not streamed */
	bool retry;		/* a failure that another try may mend */
	bool timed_out;
};

void kt_http_response_init(struct kt_http_response *rs);
void kt_http_response_release(struct kt_http_response *rs);

/*
 * Receives the reply body as it comes; rs has the status and headers.
 * Returns 0 to go on, or a negative enum kt_err to stop the transfer
 * (kt_http_post() then returns it, with no message of its own).
 */
typedef int kt_http_body_fn(void *data, const struct kt_http_response *rs,
			    const char *buf, size_t len);

struct kt_http_request {
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-ended; or NULL */
	const char *body;		/* borrowed; sent as is */
	size_t len;
	uint64_t timeout_ms;		/* for the whole exchange; 0: none */
	uint64_t connect_timeout_ms;	/* 0: timeout_ms */
	size_t body_max;		/* collected reply cap; 0: 1 MiB */
	kt_http_body_fn *on_body;	/* NULL: collect into rs->body */
	void *data;			/* passed to on_body */
};

/* Whether an HTTP status is worth another try: 408, 429 and 5xx. */
bool kt_http_status_retry(long status);

/*
 * POSTs rq->body to rq->url (http or https only; redirects are not
 * followed).  Returns 0 when an answer came, whatever its status (see
 * rs->status); otherwise KT_ERR_IO with "cannot reach HOST: why" (rs->retry
 * set for a network failure: no connection, connection lost) or "no
 * answer from HOST within N s" (rs->timed_out set, not rs->retry),
 * KT_ERR_LIMIT for a collected reply longer than body_max, or what
 * on_body returned.  rs must have been initialised; it is reset first.
 * Header values given are wiped from memory after the request.
 */
int kt_http_post(struct kt_ctx *ctx, struct kt_http *h,
		 const struct kt_http_request *rq,
		 struct kt_http_response *rs);

#endif
