/*
 * llm.c - the OpenAI-compatible chat-completions client of
 * `report --llm`, and the run from prompt to checked answer (see llm.h
 * and docs/LLM.md).
 *
 * Part of the output stage, after report.c has built the model: the
 * prompt is llmprompt.c's, streamed replies go through sse.c, and the
 * answer is checked and applied by llmanswer.c.  Library code: nothing
 * is printed, failures go into the context and the model's "analysis".
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "output/llm.h"
#include "output/llmanswer.h"
#include "output/llmcurl.h"
#include "output/llmprompt.h"
#include "output/redact.h"
#include "output/sse.h"
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MAX 30
#define SSE_EVENT_MAX (1024 * 1024)
#define SERVER_MSG_MAX 200

struct reply {
	const struct kt_llmcurl *cu;	/* borrowed */
	bool stream;		/* a stream was asked for */
	const char *key;	/* borrowed; to scrub from server messages */
	long status;		/* of the last status line */
	struct strbuf ctype;	/* owned; Content-Type */
	int64_t retry_after;	/* seconds, or -1 */
	bool decided;		/* the body's kind is known */
	bool sse;		/* the body is an event stream */
	struct kt_sse parser;
	struct strbuf body;	/* owned; a body that is not a stream */
	struct strbuf content;	/* owned; the answer's text */
	struct strbuf finish;	/* owned; finish_reason */
	bool done;		/* "data: [DONE]" seen */
	struct strbuf fail;	/* owned; why the body was refused */
};

static int on_event(void *data, const char *event, const char *payload,
		    size_t len);

static void reply_init(struct reply *r, const struct kt_llmcurl *cu,
		       bool stream, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->cu = cu;
	r->stream = stream;
	r->key = key;
	r->retry_after = -1;
	strbuf_init(&r->ctype, 0);
	strbuf_init(&r->body, 0);
	strbuf_init(&r->content, 0);
	strbuf_init(&r->finish, 0);
	strbuf_init(&r->fail, 0);
	kt_sse_init(&r->parser, SSE_EVENT_MAX, on_event, r);
}

static void reply_release(struct reply *r)
{
	strbuf_release(&r->ctype);
	strbuf_release(&r->body);
	strbuf_release(&r->content);
	strbuf_release(&r->finish);
	strbuf_release(&r->fail);
	kt_sse_release(&r->parser);
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* What a server says went wrong: short, printable, without the key. */
static void server_message(const struct reply *r, const json_t *j,
			   struct strbuf *out)
{
	const json_t *e = json_object_get(j, "error");
	const char *m = json_is_string(e) ? json_string_value(e) :
			str(e, "message") ? str(e, "message") :
			str(j, "message") ? str(j, "message") :
			str(j, "detail");
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	if (!m || !*m)
		return;
	n = strlen(m);
	if (n > SERVER_MSG_MAX) {
		n = SERVER_MSG_MAX;
		while (n && ((unsigned char)m[n] & 0xc0) == 0x80)
			n--;
	}
	strbuf_add_sanitized(&sb, m, n);
	if (r->key && *r->key && strstr(sb.buf, r->key)) {
		/* echoed back: say nothing rather than repeat it */
		strbuf_release(&sb);
		return;
	}
	strbuf_addstr(out, ": ");
	strbuf_addstr(out, sb.buf);
	if (n < strlen(m))
		strbuf_addstr(out, "…");
	strbuf_release(&sb);
}

/* ------------------------------------------------------------ reading */

static int on_event(void *data, const char *event, const char *payload,
		    size_t len)
{
	struct reply *r = data;
	struct kt_str p = kt_str_trim(kt_str_make(payload, len));
	const json_t *choice, *delta, *c;
	json_t *j;

	(void)event;
	if (r->done)
		return 0;
	if (kt_str_eq_cstr(p, "[DONE]")) {
		r->done = true;
		return 0;
	}
	j = json_loadb(p.p, p.len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		strbuf_addstr(&r->fail, "a streamed chunk is not JSON");
		return 1;
	}
	if (json_object_get(j, "error")) {
		strbuf_addstr(&r->fail, "the server reported an error in the stream");
		server_message(r, j, &r->fail);
		json_decref(j);
		return 1;
	}
	choice = json_array_get(json_object_get(j, "choices"), 0);
	delta = json_object_get(choice, "delta");
	/* "content" only: "reasoning_content" is the model thinking */
	c = json_object_get(delta ? delta : json_object_get(choice,
							    "message"),
			    "content");
	if (json_is_string(c)) {
		if (r->content.len + json_string_length(c) > KT_LLM_BODY_MAX) {
			json_decref(j);
			strbuf_addf(&r->fail, "the answer is longer than %d bytes",
				    KT_LLM_BODY_MAX);
			return 1;
		}
		strbuf_add(&r->content, json_string_value(c),
			   json_string_length(c));
	}
	if (str(choice, "finish_reason")) {
		strbuf_reset(&r->finish);
		strbuf_addstr(&r->finish, str(choice, "finish_reason"));
	}
	json_decref(j);
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct reply *r = data;
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
		r->status = (long)code;
		strbuf_reset(&r->ctype);
		r->retry_after = -1;
		return len;
	}
	colon = memchr(h.p, ':', h.len);
	if (!colon)
		return len;
	v = kt_str_trim(kt_str_make(colon + 1, (size_t)(h.p + h.len -
						       colon - 1)));
	if ((size_t)(colon - h.p) == 12 && !strncasecmp(h.p, "content-type",
							12)) {
		strbuf_reset(&r->ctype);
		strbuf_add(&r->ctype, v.p, v.len);
	} else if ((size_t)(colon - h.p) == 11 &&
		   !strncasecmp(h.p, "retry-after", 11) && v.len < 64) {
		char tmp[64];
		uint64_t secs;
		time_t t;

		memcpy(tmp, v.p, v.len);
		tmp[v.len] = '\0';
		if (!kt_str_to_u64(v, &secs)) {
			r->retry_after = secs > INT32_MAX ? INT32_MAX :
					 (int64_t)secs;
		} else if ((t = r->cu->getdate(tmp, NULL)) != -1) {
			int64_t d = (int64_t)t - (int64_t)time(NULL);

			r->retry_after = d > 0 ? d : 0;
		}
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct reply *r = data;
	size_t len = size * n;
	int rc;

	if (!r->decided) {
		r->decided = true;
		r->sse = r->stream && r->status / 100 == 2 &&
			 !strncasecmp(r->ctype.buf, "text/event-stream", 17);
	}
	if (r->sse) {
		rc = kt_sse_feed(&r->parser, buf, len);
		if (rc == KT_ERR_LIMIT)
			strbuf_addf(&r->fail,
				    "a streamed event is longer than %d bytes",
				    SSE_EVENT_MAX);
		return rc ? 0 : len;
	}
	if (r->body.len + len > KT_LLM_BODY_MAX) {
		strbuf_addf(&r->fail, "the reply is longer than %d bytes",
			    KT_LLM_BODY_MAX);
		return 0;
	}
	strbuf_add(&r->body, buf, len);
	return len;
}

/* ------------------------------------------------------------ one try */

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

struct call {
	struct kt_llmcurl cu;	/* libcurl's functions */
	CURL *h;		/* owned; freed by cu.easy_cleanup */
	const struct kt_llmconf *conf;	/* borrowed */
	const char *host;	/* borrowed; the endpoint, for messages */
	struct curl_slist *headers;	/* owned */
	char *body;		/* owned; the request */
	char errbuf[CURL_ERROR_SIZE];
};

/* The answer of a finished body that is not a stream. */
static int read_body(struct kt_ctx *ctx, const struct call *c,
		     struct reply *r)
{
	json_t *j = json_loadb(r->body.buf, r->body.len, 0, NULL);
	const json_t *choice;
	const char *content;
	struct strbuf msg = STRBUF_INIT;

	if (!json_is_object(j)) {
		json_decref(j);
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the reply from %s is not JSON", c->host);
	}
	if (json_object_get(j, "error")) {
		server_message(r, j, &msg);
		json_decref(j);
		kt_failf(ctx, KT_ERR_FORMAT, "%s reported an error%s",
			 c->host, msg.buf);
		strbuf_release(&msg);
		return KT_ERR_FORMAT;
	}
	choice = json_array_get(json_object_get(j, "choices"), 0);
	content = str(json_object_get(choice, "message"), "content");
	if (!content) {
		json_decref(j);
		return kt_failf(ctx, KT_ERR_FORMAT,
				"the reply from %s has no choices[0].message.content",
				c->host);
	}
	strbuf_addstr(&r->content, content);
	if (str(choice, "finish_reason"))
		strbuf_addstr(&r->finish, str(choice, "finish_reason"));
	json_decref(j);
	return 0;
}

static int http_error(struct kt_ctx *ctx, const struct call *c,
		      struct reply *r)
{
	struct strbuf msg = STRBUF_INIT;
	json_t *j;

	if (r->status == 401 || r->status == 403)
		return kt_failf(ctx, KT_ERR_IO, "HTTP %ld from %s: %s",
				r->status, c->host, c->conf->key.len ?
				"the API key was refused" :
				"an API key is needed (KTRIAGE_LLM_API_KEY or api_key_file)");
	j = json_loadb(r->body.buf, r->body.len, 0, NULL);
	server_message(r, j, &msg);
	json_decref(j);
	kt_failf(ctx, KT_ERR_IO, "HTTP %ld from %s%s", r->status, c->host,
		 msg.buf);
	strbuf_release(&msg);
	return KT_ERR_IO;
}

/* One request.  *retry says whether another try may help. */
static int try_once(struct kt_ctx *ctx, struct call *c, struct reply *r,
		    bool *retry)
{
	CURLcode cc;

	*retry = false;
	c->errbuf[0] = '\0';
	c->cu.easy_setopt(c->h, CURLOPT_HEADERDATA, r);
	c->cu.easy_setopt(c->h, CURLOPT_WRITEDATA, r);
	cc = c->cu.easy_perform(c->h);
	if (r->fail.len)
		return kt_failf(ctx, KT_ERR_FORMAT, "%s", r->fail.buf);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return kt_failf(ctx, KT_ERR_IO, "no answer from %s within %llu s",
				c->host, (unsigned long long)c->conf->timeout);
	if (cc != CURLE_OK) {
		*retry = is_network_error(cc);
		return kt_failf(ctx, KT_ERR_IO, "cannot reach %s: %s", c->host,
				c->errbuf[0] ? c->errbuf :
				c->cu.easy_strerror(cc));
	}
	if (r->status / 100 != 2) {
		*retry = r->status == 408 || r->status == 429 ||
			 r->status >= 500;
		return http_error(ctx, c, r);
	}
	if (r->sse) {
		if (kt_sse_finish(&r->parser) || r->fail.len)
			return kt_failf(ctx, KT_ERR_FORMAT, "%s",
					r->fail.len ? r->fail.buf :
					"the stream ended in error");
		if (!r->done && !r->finish.len) {
			*retry = true;
			return kt_failf(ctx, KT_ERR_IO,
					"the stream from %s ended before the answer did",
					c->host);
		}
	} else {
		int rc = read_body(ctx, c, r);

		if (rc)
			return rc;
	}
	if (!strcmp(r->finish.buf, "length"))
		return kt_failf(ctx, KT_ERR_LIMIT,
				"the answer was cut at max_tokens (%llu)",
				(unsigned long long)c->conf->max_tokens);
	if (!kt_str_trim(kt_str_make(r->content.buf, r->content.len)).len)
		return kt_failf(ctx, KT_ERR_FORMAT, "the answer is empty");
	return 0;
}

/* ------------------------------------------------------------ retries */

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
			       (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Milliseconds to wait before try number attempt + 1. */
static uint64_t backoff_ms(unsigned attempt, uint64_t *seed)
{
	uint64_t base = 1000ull << (attempt > 6 ? 5 : attempt - 1);

	if (base > KT_LLM_BACKOFF_MAX * 1000ull)
		base = KT_LLM_BACKOFF_MAX * 1000ull;
	return base / 2 + next_random(seed) % (base / 2 + 1);
}

static int post(struct kt_ctx *ctx, struct call *c, struct strbuf *answer)
{
	struct timespec ts;
	uint64_t seed, wait;
	unsigned attempt;
	bool retry;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	       ((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15ull;
	for (attempt = 1;; attempt++) {
		struct reply r;

		reply_init(&r, &c->cu, c->conf->stream, c->conf->key.buf);
		rc = try_once(ctx, c, &r, &retry);
		if (!rc)
			strbuf_addstr(answer, r.content.buf);
		wait = r.retry_after >= 0 ? (uint64_t)r.retry_after * 1000 :
		       backoff_ms(attempt, &seed);
		reply_release(&r);
		if (!rc || !retry)
			return rc;
		if (attempt >= c->conf->attempts) {
			if (attempt > 1)
				strbuf_addf(&ctx->err, " (%u attempts)",
					    attempt);
			return rc;
		}
		if (wait > KT_LLM_RETRY_AFTER_MAX * 1000ull) {
			strbuf_addf(&ctx->err, " (asked to wait %llu s)",
				    (unsigned long long)(wait / 1000));
			return rc;
		}
		kt_log(ctx, KT_LOG_INFO, "llm: %s; trying again in %.1f s",
		       kt_ctx_error(ctx), (double)wait / 1000);
		sleep_ms(wait);
	}
}

/* ------------------------------------------------------------ the run */

void kt_llm_endpoint_host(const char *url, struct strbuf *out)
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

static void endpoint_url(const char *base, struct strbuf *out)
{
	static const char path[] = "/chat/completions";

	strbuf_addstr(out, base);
	while (out->len && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	if (out->len < sizeof(path) - 1 ||
	    strcmp(out->buf + out->len - (sizeof(path) - 1), path))
		strbuf_addstr(out, path);
}

static char *request_body(const struct kt_llmconf *conf,
			  const struct kt_llmprompt *p)
{
	json_t *req = json_pack("{s:s,s:[{s:s,s:s},{s:s,s:s}],s:b,s:I}",
		"model", conf->model, "messages",
		"role", "system", "content", p->system.buf,
		"role", "user", "content", p->user.buf,
		"stream", conf->stream,
		"max_tokens", (json_int_t)conf->max_tokens);
	char *s;

	if (conf->has_temperature)
		json_object_set_new(req, "temperature",
				    json_real(conf->temperature));
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return s;
}

static void set_fallback(json_t *model, const char *reason)
{
	json_object_set_new(model, "analysis", json_pack("{s:s,s:s}", "by",
			    "builtin", "fallback", reason));
}

static int setup(struct kt_ctx *ctx, struct call *c,
		 const struct kt_llmprompt *p)
{
	const struct kt_llmconf *conf = c->conf;
	struct strbuf sb = STRBUF_INIT;

	c->h = c->cu.easy_init();
	c->body = request_body(conf, p);
	if (!c->h || !c->body)
		return kt_failf(ctx, KT_ERR_INTERNAL,
				"cannot set up the request to %s", c->host);
	endpoint_url(conf->url, &sb);
	c->cu.easy_setopt(c->h, CURLOPT_URL, sb.buf);
	strbuf_release(&sb);
	c->headers = c->cu.slist_append(c->headers,
				       "Content-Type: application/json");
	c->headers = c->cu.slist_append(c->headers, conf->stream ?
				       "Accept: text/event-stream" :
				       "Accept: application/json");
	c->headers = c->cu.slist_append(c->headers, "Expect:");
	if (conf->key.len) {
		strbuf_grow(&sb, conf->key.len + 32);
		strbuf_addstr(&sb, "Authorization: Bearer ");
		strbuf_add(&sb, conf->key.buf, conf->key.len);
		c->headers = c->cu.slist_append(c->headers, sb.buf);
		explicit_bzero(sb.buf, sb.alloc);
		strbuf_release(&sb);
	}
	c->cu.easy_setopt(c->h, CURLOPT_HTTPHEADER, c->headers);
	c->cu.easy_setopt(c->h, CURLOPT_POSTFIELDS, c->body);
	c->cu.easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)strlen(c->body));
	c->cu.easy_setopt(c->h, CURLOPT_USERAGENT, "ktriage/" KT_VERSION);
	c->cu.easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
	c->cu.easy_setopt(c->h, CURLOPT_FOLLOWLOCATION, 0L);
	c->cu.easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	c->cu.easy_setopt(c->h, CURLOPT_TIMEOUT, (long)conf->timeout);
	c->cu.easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT,
			 (long)KT_MIN(conf->timeout, CONNECT_TIMEOUT_MAX));
	c->cu.easy_setopt(c->h, CURLOPT_ACCEPT_ENCODING, "");
	c->cu.easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->errbuf);
	c->cu.easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
	c->cu.easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	return 0;
}

int kt_llm_analyze(struct kt_ctx *ctx, const struct kt_llm_opts *o,
		   const struct kt_kb *kb, json_t *model)
{
	struct kt_llmprompt_opts po = { o->lang,
					(size_t)o->conf->max_prompt_tokens,
					NULL };
	struct kt_llmprompt p;
	struct kt_redact red;
	struct strbuf host = STRBUF_INIT, answer = STRBUF_INIT;
	struct call c;
	struct curl_slist *sl;
	json_t *ans = NULL;
	size_t unverified;
	bool curl_up = false;
	int rc;

	memset(&c, 0, sizeof(c));
	c.conf = o->conf;
	kt_redact_init(&red);
	kt_llmprompt_init(&p);
	kt_llm_endpoint_host(o->conf->url, &host);
	c.host = host.len ? host.buf : "the endpoint";
	if (!json_array_size(json_object_get(model, "problems"))) {
		/* a healthy log: nothing to spend a request on */
		rc = kt_failf(ctx, KT_ERR_NOTFOUND, "no problem to analyse");
		goto cleanup;
	}
	rc = kt_llmcurl_open(ctx, &c.cu);
	if (rc)
		goto cleanup;
	if (c.cu.global_init(CURL_GLOBAL_DEFAULT)) {
		rc = kt_failf(ctx, KT_ERR_INTERNAL, "cannot initialise libcurl");
		goto cleanup;
	}
	curl_up = true;
	if (o->redact)
		po.redact = &red;
	kt_llmprompt_build(&p, model, &po);
	kt_log(ctx, KT_LOG_INFO, "llm: about %zu tokens to %s%s%s", p.tokens,
	       c.host, p.cut.len ? "; left out: " : "", p.cut.buf);
	rc = setup(ctx, &c, &p);
	if (!rc)
		rc = post(ctx, &c, &answer);
	if (!rc)
		rc = kt_llmanswer_parse(ctx, answer.buf, answer.len, &ans);
	if (!rc)
		rc = kt_llmanswer_check(ctx, ans, model);
	if (rc)
		goto cleanup;
	unverified = kt_llmanswer_apply(model, ans, kb,
					o->redact ? &red : NULL);
	json_object_set_new(model, "analysis", json_pack(
		"{s:s,s:s,s:s,s:I}", "by", "llm", "model", o->conf->model,
		"endpoint", host.buf, "unverified_ids",
		(json_int_t)unverified));
cleanup:
	if (rc)
		set_fallback(model, kt_ctx_error(ctx));
	json_decref(ans);
	free(c.body);
	for (sl = c.headers; sl; sl = sl->next)
		explicit_bzero(sl->data, strlen(sl->data));
	if (c.headers)
		c.cu.slist_free_all(c.headers);
	if (c.h)
		c.cu.easy_cleanup(c.h);
	if (curl_up)
		c.cu.global_cleanup();
	kt_llmprompt_release(&p);
	kt_redact_release(&red);
	strbuf_release(&host);
	strbuf_release(&answer);
	return rc;
}
