/*
 * test_sse.c - unit tests of output/sse: the server-sent events parser
 * the LLM client reads streamed answers with.  Every stream is also fed
 * cut at every byte and one byte at a time, since TCP may split it
 * anywhere: inside a field name, a CRLF, a UTF-8 character.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "output/sse.h"

#include <setjmp.h>
#include <cmocka.h>

/* Events as "name=data|" in one string. */
struct seen {
	struct strbuf log;
	int stop_at;		/* return 1 on this event (1-based), or 0 */
	int n;
};

static int on_event(void *data, const char *event, const char *payload,
		    size_t len)
{
	struct seen *s = data;

	assert_int_equal(strlen(payload), len);
	strbuf_addf(&s->log, "%s=%s|", event, payload);
	return ++s->n == s->stop_at;
}

/* Parses text fed in pieces of step bytes (0: cut once at cut). */
static void parse(const char *text, size_t step, size_t cut,
		  struct strbuf *out, int *rc)
{
	struct seen s = { STRBUF_INIT, 0, 0 };
	struct kt_sse p;
	size_t len = strlen(text), i;

	kt_sse_init(&p, 1024, on_event, &s);
	*rc = 0;
	if (step) {
		for (i = 0; i < len && !*rc; i += step)
			*rc = kt_sse_feed(&p, text + i, KT_MIN(step, len - i));
	} else {
		*rc = kt_sse_feed(&p, text, cut);
		if (!*rc)
			*rc = kt_sse_feed(&p, text + cut, len - cut);
	}
	if (!*rc)
		*rc = kt_sse_finish(&p);
	strbuf_addstr(out, s.log.buf);
	strbuf_release(&s.log);
	kt_sse_release(&p);
}

/* The events of text, the same however it is cut. */
static void expect(const char *text, const char *want)
{
	struct strbuf got = STRBUF_INIT;
	size_t len = strlen(text), cut;
	int rc;

	parse(text, len ? len : 1, 0, &got, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got.buf, want);
	for (cut = 0; cut <= len; cut++) {
		strbuf_reset(&got);
		parse(text, 0, cut, &got, &rc);
		assert_int_equal(rc, 0);
		assert_string_equal(got.buf, want);
	}
	strbuf_reset(&got);
	parse(text, 1, 0, &got, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got.buf, want);
	strbuf_release(&got);
}

static void test_lf(void **state)
{
	(void)state;
	expect("data: {\"a\":1}\n\ndata: [DONE]\n\n",
	       "message={\"a\":1}|message=[DONE]|");
}

static void test_crlf(void **state)
{
	(void)state;
	expect("data: one\r\n\r\ndata: two\r\n\r\n",
	       "message=one|message=two|");
}

static void test_cr(void **state)
{
	(void)state;
	expect("data: one\r\rdata: two\r\r", "message=one|message=two|");
	/* mixed endings in one stream */
	expect("data: a\r\n\ndata: b\n\r\ndata: c\r\r\n",
	       "message=a|message=b|message=c|");
}

static void test_fields(void **state)
{
	(void)state;
	/* one space after the colon goes, others stay; no colon: empty */
	expect("data:x\n\ndata:  y\n\ndata\n\n",
	       "message=x|message= y|message=|");
	/* data lines join with LF; comments, id and retry are skipped */
	expect(": keep-alive\nid: 7\nretry: 10\ndata: a\ndata: b\n\n",
	       "message=a\nb|");
	expect("event: error\ndata: boom\n\ndata: next\n\n",
	       "error=boom|message=next|");
	/* an event without data is not dispatched, its name forgotten */
	expect("event: ping\n\ndata: z\n\n", "message=z|");
	/* UTF-8 passes through whole, however it was cut */
	expect("data: 内核 — ok\n\n", "message=内核 — ok|");
}

static void test_bom_and_end(void **state)
{
	(void)state;
	expect("\xef\xbb\xbf" "data: a\n\n", "message=a|");
	/* a stream that ends without its blank line, or its line end */
	expect("data: [DONE]\n", "message=[DONE]|");
	expect("data: [DONE]", "message=[DONE]|");
	expect("", "");
	expect("\n\n\n", "");
}

static void test_stop(void **state)
{
	struct seen s = { STRBUF_INIT, 1, 0 };
	struct kt_sse p;

	(void)state;
	kt_sse_init(&p, 1024, on_event, &s);
	assert_int_equal(kt_sse_feed(&p, "data: a\n\ndata: b\n\n", 18), 1);
	assert_string_equal(s.log.buf, "message=a|");
	kt_sse_release(&p);
	strbuf_release(&s.log);
}

static void test_limit(void **state)
{
	struct strbuf got = STRBUF_INIT, big = STRBUF_INIT;
	size_t i;
	int rc;

	(void)state;
	strbuf_addstr(&big, "data: ");
	for (i = 0; i < 2000; i++)
		strbuf_addch(&big, 'x');
	strbuf_addstr(&big, "\n\n");
	parse(big.buf, 100, 0, &got, &rc);
	assert_int_equal(rc, KT_ERR_LIMIT);
	assert_string_equal(got.buf, "");
	/* many short data lines add up past the cap too */
	strbuf_reset(&big);
	for (i = 0; i < 300; i++)
		strbuf_addstr(&big, "data: 0123\n");
	strbuf_reset(&got);
	parse(big.buf, 64, 0, &got, &rc);
	assert_int_equal(rc, KT_ERR_LIMIT);
	strbuf_release(&got);
	strbuf_release(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_cr),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_bom_and_end),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
