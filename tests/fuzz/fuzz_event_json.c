/*
 * fuzz_event_json.c - fuzz target: stored events and the alerts made of
 * them.
 *
 * The store keeps each event as its JSON object and rebuilds events
 * from it (event/event_reader.h); a store file can hold anything.  Each
 * input is parsed as such an object; an event that parses is written
 * back, and that JSON must parse again and write the same bytes.  Then
 * it becomes an alert record and is rendered for every kind of sink:
 * the payload must be valid JSON (the HTTP sinks, exec) whatever text
 * the event holds.
 */
#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "event/event_reader.h"
#include "output/alertfmt.h"
#include "output/jsonw.h"
#include "output/render.h"
#include <jansson.h>
#include "fuzz.h"

/* A fixed clock, 2022-06-07T00:00:00Z, so that a run can be repeated. */
#define FUZZ_NOW_US (INT64_C(1654560000) * 1000000)

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

KT_NORETURN static void fuzz_fail(const char *file, int line,
				  const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void write_event(const struct kt_event *ev, struct strbuf *out)
{
	struct kt_jsonw w;

	kt_jsonw_init(&w, out);
	kt_event_write_json(&w, ev, FUZZ_NOW_US);
}

/* Every sink's payload of the record; the JSON ones must parse. */
static void render_all(const char *record)
{
	struct kt_alertfmt_opts o = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct kt_ctx ctx;

	kt_ctx_init(&ctx);
	o.now_us = FUZZ_NOW_US;
	o.resolve_us = 300 * INT64_C(1000000);
	o.host = "fuzz-host";
	o.generator_url = "http://127.0.0.1:9817/";
	for (int lang = 0; lang < KT_LANG_NR; lang++) {
		o.lang = (enum kt_lang)lang;
		for (int k = 0; k < KT_ALERT_KIND_NR; k++) {
			json_error_t err;
			json_t *j;
			int prio = 0;

			strbuf_reset(&out);
			FUZZ_CHECK(!kt_alertfmt_render(&ctx,
						       (enum kt_alert_kind)k,
						       record, &o, &out, &prio));
			if (k == KT_ALERT_SYSLOG) {
				FUZZ_CHECK(!memchr(out.buf, '\n', out.len));
				continue;
			}
			j = json_loadb(out.buf, out.len, 0, &err);
			FUZZ_CHECK(j);
			json_decref(j);
		}
	}
	strbuf_release(&out);
	kt_ctx_release(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_event_reader *r = kt_event_reader_new();
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
	struct kt_event *ev = NULL, *again = NULL;
	struct kt_ctx ctx;
	char *record;

	kt_ctx_init(&ctx);
	if (kt_event_reader_parse(&ctx, r, (const char *)data, size, &ev))
		goto out;
	write_event(ev, &once);
	FUZZ_CHECK(!kt_event_reader_parse(&ctx, r, once.buf, once.len,
					  &again));
	write_event(again, &twice);
	FUZZ_CHECK(once.len == twice.len &&
		   !memcmp(once.buf, twice.buf, once.len));
	record = kt_alert_record_event(once.buf, 3, FUZZ_NOW_US);
	FUZZ_CHECK(record);
	render_all(record);
	free(record);
out:
	kt_event_free(ev);
	kt_event_free(again);
	kt_event_reader_free(r);
	strbuf_release(&once);
	strbuf_release(&twice);
	kt_ctx_release(&ctx);
	return 0;
}
