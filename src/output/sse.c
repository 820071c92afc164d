/*
 * sse.c - server-sent events, parsed as the bytes arrive (see sse.h).
 *
 * Part of the output stage: the LLM client (llm.c) feeds it the body of
 * a streamed chat completion.
 */
#include "base/compat.h"
#include "base/err.h"
#include "output/sse.h"

void kt_sse_init(struct kt_sse *p, size_t max, kt_sse_fn *fn, void *data)
{
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->line, 0);
	strbuf_init(&p->data, 0);
	strbuf_init(&p->event, 0);
	p->max = max;
	p->fn = fn;
	p->fn_data = data;
}

void kt_sse_release(struct kt_sse *p)
{
	strbuf_release(&p->line);
	strbuf_release(&p->data);
	strbuf_release(&p->event);
}

static int dispatch(struct kt_sse *p)
{
	int rc = 0;

	if (p->has_data)
		rc = p->fn(p->fn_data, p->event.len ? p->event.buf : "message",
			   p->data.buf, p->data.len);
	strbuf_reset(&p->data);
	strbuf_reset(&p->event);
	p->has_data = false;
	return rc;
}

/* One complete line, without its end. */
static int line(struct kt_sse *p)
{
	const char *l = p->line.buf, *colon, *v;
	size_t n = p->line.len, flen, vlen;

	if (!n)
		return dispatch(p);
	if (l[0] == ':')
		return 0;
	colon = memchr(l, ':', n);
	flen = colon ? (size_t)(colon - l) : n;
	v = colon ? colon + 1 : l + n;
	vlen = (size_t)(l + n - v);
	if (vlen && *v == ' ') {
		v++;
		vlen--;
	}
	if (flen == 4 && !memcmp(l, "data", 4)) {
		if (p->data.len + vlen + 1 > p->max)
			return KT_ERR_LIMIT;
		if (p->has_data)
			strbuf_addch(&p->data, '\n');
		strbuf_add(&p->data, v, vlen);
		p->has_data = true;
	} else if (flen == 5 && !memcmp(l, "event", 5)) {
		strbuf_reset(&p->event);
		strbuf_add(&p->event, v, vlen);
	}
	/* id, retry and unknown fields mean nothing to us */
	return 0;
}

int kt_sse_feed(struct kt_sse *p, const char *buf, size_t len)
{
	size_t i = 0;
	int rc;

	if (!p->started) {
		static const char bom[] = "\xef\xbb\xbf";
		size_t have = p->line.len, k;

		/* the BOM may itself come in pieces: hold them in line */
		for (k = have; k < 3 && i < len && buf[i] == bom[k]; k++, i++)
			strbuf_addch(&p->line, buf[i]);
		if (k < 3 && i == len)
			return 0;
		if (k == 3)
			strbuf_reset(&p->line);
		p->started = true;
	}
	for (; i < len; i++) {
		char c = buf[i];

		if (c == '\n' && p->after_cr) {
			p->after_cr = false;
			continue;
		}
		p->after_cr = false;
		if (c == '\n' || c == '\r') {
			p->after_cr = c == '\r';
			rc = line(p);
			strbuf_reset(&p->line);
			if (rc)
				return rc;
			continue;
		}
		if (p->line.len >= p->max)
			return KT_ERR_LIMIT;
		strbuf_addch(&p->line, c);
	}
	return 0;
}

int kt_sse_finish(struct kt_sse *p)
{
	int rc = 0;

	if (p->line.len) {
		rc = line(p);
		strbuf_reset(&p->line);
	}
	if (!rc)
		rc = dispatch(p);
	return rc;
}
