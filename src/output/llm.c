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
#include "output/http.h"
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
	bool stream;		/* a stream was asked for */
	const char *key;	/* borrowed; to scrub from server messages */
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

static void reply_init(struct reply *r, bool stream, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->stream = stream;
	r->key = key;
	strbuf_init(&r->body, 0);
	strbuf_init(&r->content, 0);
	strbuf_init(&r->finish, 0);
	strbuf_init(&r->fail, 0);
	kt_sse_init(&r->parser, SSE_EVENT_MAX, on_event, r);
}

static void reply_release(struct reply *r)
{
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

static int on_body(void *data, const struct kt_http_response *rs,
		   const char *buf, size_t len)
{
	struct reply *r = data;
	int rc;

	if (!r->decided) {
		r->decided = true;
		r->sse = r->stream && rs->status / 100 == 2 &&
			 !strncasecmp(rs->ctype.buf, "text/event-stream", 17);
	}
	if (r->sse) {
		rc = kt_sse_feed(&r->parser, buf, len);
		if (rc == KT_ERR_LIMIT)
			strbuf_addf(&r->fail,
				    "a streamed event is longer than %d bytes",
				    SSE_EVENT_MAX);
		return rc ? KT_ERR_FORMAT : 0;
	}
	if (r->body.len + len > KT_LLM_BODY_MAX) {
		strbuf_addf(&r->fail, "the reply is longer than %d bytes",
			    KT_LLM_BODY_MAX);
		return KT_ERR_LIMIT;
	}
	strbuf_add(&r->body, buf, len);
	return 0;
}

/* ------------------------------------------------------------ one try */

struct call {
	struct kt_http *http;	/* owned; freed by kt_http_free */
	const struct kt_llmconf *conf;	/* borrowed */
	const char *host;	/* borrowed; the endpoint, for messages */
	struct kt_http_request rq;	/* points into the fields below */
	struct strbuf url;	/* owned */
	struct strbuf auth;	/* owned; wiped; the Authorization header */
	const char *header[3];
	char *body;		/* owned; the request */
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
		      struct reply *r, const struct kt_http_response *rs)
{
	struct strbuf msg = STRBUF_INIT;
	json_t *j;

	if (rs->status == 401 || rs->status == 403)
		return kt_failf(ctx, KT_ERR_IO, "HTTP %ld from %s: %s",
				rs->status, c->host, c->conf->key.len ?
				"the API key was refused" :
				"an API key is needed (KTRIAGE_LLM_API_KEY or api_key_file)");
	j = json_loadb(r->body.buf, r->body.len, 0, NULL);
	server_message(r, j, &msg);
	json_decref(j);
	kt_failf(ctx, KT_ERR_IO, "HTTP %ld from %s%s", rs->status, c->host,
		 msg.buf);
	strbuf_release(&msg);
	return KT_ERR_IO;
}

/* One request.  *retry says whether another try may help. */
static int try_once(struct kt_ctx *ctx, struct call *c, struct reply *r,
		    struct kt_http_response *rs, bool *retry)
{
	int rc;

	*retry = false;
	c->rq.data = r;
	rc = kt_http_post(ctx, c->http, &c->rq, rs);
	if (r->fail.len)
		return kt_failf(ctx, KT_ERR_FORMAT, "%s", r->fail.buf);
	if (rc) {
		*retry = rs->retry;
		return rc;
	}
	if (rs->status / 100 != 2) {
		*retry = kt_http_status_retry(rs->status);
		return http_error(ctx, c, r, rs);
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
		rc = read_body(ctx, c, r);
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
		struct kt_http_response rs;
		struct reply r;

		reply_init(&r, c->conf->stream, c->conf->key.buf);
		kt_http_response_init(&rs);
		rc = try_once(ctx, c, &r, &rs, &retry);
		if (!rc)
			strbuf_addstr(answer, r.content.buf);
		wait = rs.retry_after >= 0 ? (uint64_t)rs.retry_after * 1000 :
		       backoff_ms(attempt, &seed);
		reply_release(&r);
		kt_http_response_release(&rs);
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
	size_t n = 0;

	c->body = request_body(conf, p);
	if (!c->body)
		return kt_failf(ctx, KT_ERR_INTERNAL,
				"cannot set up the request to %s", c->host);
	endpoint_url(conf->url, &c->url);
	c->header[n++] = conf->stream ? "Accept: text/event-stream" :
			 "Accept: application/json";
	if (conf->key.len) {
		strbuf_grow(&c->auth, conf->key.len + 32);
		strbuf_addstr(&c->auth, "Authorization: Bearer ");
		strbuf_add(&c->auth, conf->key.buf, conf->key.len);
		c->header[n++] = c->auth.buf;
	}
	c->header[n] = NULL;
	c->rq.url = c->url.buf;
	c->rq.headers = c->header;
	c->rq.body = c->body;
	c->rq.len = strlen(c->body);
	c->rq.timeout_ms = conf->timeout * 1000;
	c->rq.connect_timeout_ms = KT_MIN(conf->timeout,
					  CONNECT_TIMEOUT_MAX) * 1000;
	c->rq.on_body = on_body;
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
	json_t *ans = NULL;
	size_t unverified;
	int rc;

	memset(&c, 0, sizeof(c));
	strbuf_init(&c.url, 0);
	strbuf_init(&c.auth, 0);
	c.conf = o->conf;
	kt_redact_init(&red);
	kt_llmprompt_init(&p);
	kt_http_url_host(o->conf->url, &host);
	c.host = host.len ? host.buf : "the endpoint";
	if (!json_array_size(json_object_get(model, "problems"))) {
		/* a healthy log: nothing to spend a request on */
		rc = kt_failf(ctx, KT_ERR_NOTFOUND, "no problem to analyse");
		goto cleanup;
	}
	rc = kt_http_new(ctx, &c.http);
	if (rc)
		goto cleanup;
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
	if (c.auth.alloc)
		explicit_bzero(c.auth.buf, c.auth.alloc);
	strbuf_release(&c.auth);
	strbuf_release(&c.url);
	kt_http_free(c.http);
	kt_llmprompt_release(&p);
	kt_redact_release(&red);
	strbuf_release(&host);
	strbuf_release(&answer);
	return rc;
}
