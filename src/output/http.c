/*
 * http.c - loads libcurl on first use and POSTs with it (see http.h).
 *
 * Part of the output stage, under the LLM client and alert delivery:
 * the one place that knows libcurl is a plug-in rather than a link-time
 * dependency, and the one that reads status lines and headers.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/str.h"
#include "base/xalloc.h"
#include "output/http.h"
#include <dlfcn.h>
#include <limits.h>
#include <strings.h>

#define BODY_MAX_DEFAULT (1024 * 1024)

/* The sonames of the Debian, Fedora and SUSE flavours, then any. */
static const char *const libs[] = {
	"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4",
	"libcurl.so",
};

#define SYM(field, name) { offsetof(struct kt_curl, field), name }

static const struct {
	size_t offset;
	const char *name;
} syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_reset, "curl_easy_reset"),
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

int kt_curl_open(struct kt_ctx *ctx, struct kt_curl *c)
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
	if (!v || v->version_num < KT_CURL_VERSION_MIN)
		return kt_failf(ctx, KT_ERR_NOTFOUND,
				"libcurl %s is too old: 7.85 or later is needed",
				v ? v->version : "?");
	/* never dlclose()d: see http.h */
	return 0;
}

void kt_http_url_host(const char *url, struct strbuf *out)
{
	const char *p = strstr(url, "://"), *end, *at;

	if (!p)
		return;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;	/* user:password@ is nobody's business */
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (close)
			strbuf_add(out, p + 1, (size_t)(close - p - 1));
		return;
	}
	strbuf_add(out, p, strcspn(p, ":/?#"));
}

struct kt_http {
	struct kt_curl cu;	/* libcurl's functions */
	CURL *h;		/* owned; freed by cu.easy_cleanup */
};

int kt_http_new(struct kt_ctx *ctx, struct kt_http **out)
{
	struct kt_http *h = xcalloc(1, sizeof(*h));
	int rc;

	*out = NULL;
	rc = kt_curl_open(ctx, &h->cu);
	if (rc) {
		free(h);
		return rc;
	}
	if (h->cu.global_init(CURL_GLOBAL_DEFAULT)) {
		free(h);
		return kt_failf(ctx, KT_ERR_INTERNAL,
				"cannot initialise libcurl");
	}
	h->h = h->cu.easy_init();
	if (!h->h) {
		h->cu.global_cleanup();
		free(h);
		return kt_failf(ctx, KT_ERR_INTERNAL,
				"cannot initialise libcurl");
	}
	*out = h;
	return 0;
}

void kt_http_free(struct kt_http *h)
{
	if (!h)
		return;
	h->cu.easy_cleanup(h->h);
	h->cu.global_cleanup();
	free(h);
}

void kt_http_response_init(struct kt_http_response *rs)
{
	memset(rs, 0, sizeof(*rs));
	strbuf_init(&rs->ctype, 0);
	strbuf_init(&rs->body, 0);
	rs->retry_after = -1;
}

void kt_http_response_release(struct kt_http_response *rs)
{
	strbuf_release(&rs->ctype);
	strbuf_release(&rs->body);
}

bool kt_http_status_retry(long status)
{
	return status == 408 || status == 429 || status >= 500;
}

/* One transfer: what the callbacks need. */
struct xfer {
	const struct kt_curl *cu;	/* borrowed */
	const struct kt_http_request *rq;	/* borrowed */
	struct kt_http_response *rs;	/* borrowed */
	int body_rc;		/* on_body's, or KT_ERR_LIMIT */
};

static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	struct kt_http_response *rs = x->rs;
	size_t len = size * n;
	struct kt_str h = kt_str_trim(kt_str_make(buf, len)), v;
	const char *colon;

	if (kt_str_starts(h, "HTTP/")) {
		const char *sp = memchr(h.p, ' ', h.len);
		uint64_t code = 0;

		if (sp) {
			const char *p = sp + 1;

			kt_parse_u64(&p, h.p + h.len, &code);
		}
		rs->status = code > 999 ? 0 : (long)code;
		strbuf_reset(&rs->ctype);
		rs->retry_after = -1;
		return len;
	}
	colon = memchr(h.p, ':', h.len);
	if (!colon)
		return len;
	v = kt_str_trim(kt_str_make(colon + 1, (size_t)(h.p + h.len -
						       colon - 1)));
	if ((size_t)(colon - h.p) == 12 && !strncasecmp(h.p, "content-type",
							12)) {
		strbuf_reset(&rs->ctype);
		strbuf_add(&rs->ctype, v.p, KT_MIN(v.len, 256));
	} else if ((size_t)(colon - h.p) == 11 &&
		   !strncasecmp(h.p, "retry-after", 11) && v.len < 64) {
		char tmp[64];
		uint64_t secs;
		time_t t;

		memcpy(tmp, v.p, v.len);
		tmp[v.len] = '\0';
		if (!kt_str_to_u64(v, &secs)) {
			rs->retry_after = secs > INT32_MAX ? INT32_MAX :
					  (int64_t)secs;
		} else if ((t = x->cu->getdate(tmp, NULL)) != -1) {
			int64_t d = (int64_t)t - (int64_t)time(NULL);

			rs->retry_after = d > 0 ? d : 0;
		}
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n;
	size_t max = x->rq->body_max ? x->rq->body_max : BODY_MAX_DEFAULT;

	if (x->rq->on_body) {
		x->body_rc = x->rq->on_body(x->rq->data, x->rs, buf, len);
		return x->body_rc ? 0 : len;
	}
	if (x->rs->body.len + len > max) {
		x->body_rc = KT_ERR_LIMIT;
		return 0;
	}
	strbuf_add(&x->rs->body, buf, len);
	return len;
}

static bool is_network_error(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static void add_duration(struct strbuf *sb, uint64_t ms)
{
	if (ms % 1000)
		strbuf_addf(sb, "%llu ms", (unsigned long long)ms);
	else
		strbuf_addf(sb, "%llu s", (unsigned long long)(ms / 1000));
}

int kt_http_post(struct kt_ctx *ctx, struct kt_http *h,
		 const struct kt_http_request *rq,
		 struct kt_http_response *rs)
{
	const struct kt_curl *cu = &h->cu;
	struct xfer x = { cu, rq, rs, 0 };
	struct curl_slist *headers = NULL, *sl;
	struct strbuf host = STRBUF_INIT, dur = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE];
	const char *const *hd;
	uint64_t connect_ms;
	CURLcode cc;
	int rc = 0;

	strbuf_reset(&rs->ctype);
	strbuf_reset(&rs->body);
	rs->status = 0;
	rs->retry_after = -1;
	rs->retry = false;
	rs->timed_out = false;
	errbuf[0] = '\0';
	kt_http_url_host(rq->url, &host);
	if (!host.len)
		strbuf_addstr(&host, "the endpoint");

	headers = cu->slist_append(headers, "Content-Type: application/json");
	headers = cu->slist_append(headers, "Expect:");
	for (hd = rq->headers; hd && *hd; hd++)
		headers = cu->slist_append(headers, *hd);
	cu->easy_reset(h->h);
	cu->easy_setopt(h->h, CURLOPT_URL, rq->url);
	cu->easy_setopt(h->h, CURLOPT_HTTPHEADER, headers);
	cu->easy_setopt(h->h, CURLOPT_POSTFIELDS, rq->body);
	cu->easy_setopt(h->h, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)rq->len);
	cu->easy_setopt(h->h, CURLOPT_USERAGENT, "ktriage/" KT_VERSION);
	cu->easy_setopt(h->h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(h->h, CURLOPT_FOLLOWLOCATION, 0L);
	cu->easy_setopt(h->h, CURLOPT_NOSIGNAL, 1L);
	connect_ms = rq->connect_timeout_ms ? rq->connect_timeout_ms :
		     rq->timeout_ms;
	if (rq->timeout_ms)
		cu->easy_setopt(h->h, CURLOPT_TIMEOUT_MS,
				(long)KT_MIN(rq->timeout_ms, LONG_MAX));
	if (connect_ms)
		cu->easy_setopt(h->h, CURLOPT_CONNECTTIMEOUT_MS,
				(long)KT_MIN(connect_ms, LONG_MAX));
	cu->easy_setopt(h->h, CURLOPT_ACCEPT_ENCODING, "");
	cu->easy_setopt(h->h, CURLOPT_ERRORBUFFER, errbuf);
	cu->easy_setopt(h->h, CURLOPT_HEADERFUNCTION, on_header);
	cu->easy_setopt(h->h, CURLOPT_HEADERDATA, &x);
	cu->easy_setopt(h->h, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(h->h, CURLOPT_WRITEDATA, &x);
	cc = cu->easy_perform(h->h);

	if (x.body_rc) {
		rc = x.body_rc;
		if (rc == KT_ERR_LIMIT && !rq->on_body)
			kt_failf(ctx, rc, "the reply from %s is longer than %zu bytes",
				 host.buf, rq->body_max ? rq->body_max :
				 (size_t)BODY_MAX_DEFAULT);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		rs->timed_out = true;
		add_duration(&dur, rq->timeout_ms);
		rc = kt_failf(ctx, KT_ERR_IO, "no answer from %s within %s",
			      host.buf, dur.buf);
	} else if (cc != CURLE_OK) {
		rs->retry = is_network_error(cc);
		rc = kt_failf(ctx, KT_ERR_IO, "cannot reach %s: %s", host.buf,
			      errbuf[0] ? errbuf : cu->easy_strerror(cc));
	} else if (!rs->status) {
		rs->retry = true;
		rc = kt_failf(ctx, KT_ERR_IO, "no HTTP answer from %s",
			      host.buf);
	}
	/* the options point at stack memory: let go of them now */
	cu->easy_reset(h->h);
	for (sl = headers; sl; sl = sl->next)
		explicit_bzero(sl->data, strlen(sl->data));
	cu->slist_free_all(headers);
	strbuf_release(&host);
	strbuf_release(&dur);
	return rc;
}
