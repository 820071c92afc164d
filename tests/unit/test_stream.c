/*
 * test_stream.c - live input: bytes pushed in any pieces give the events
 * a whole-file scan gives; reports without an end marker close when idle;
 * restarting from kt_stream_pending() loses nothing and repeats only
 * events already delivered, with the same ids.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "output/jsonw.h"
#include "output/render.h"
#include "pipeline/pipeline.h"
#include <jansson.h>

#include <setjmp.h>
#include <cmocka.h>

/* An OOM kill, a hung task (no end marker), an oops with its panic. */
static const char log_text[] =
	"[  100.000001] stress invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n"
	"[  100.000002] CPU: 1 PID: 4242 Comm: stress Not tainted 5.15.0-91-generic #101-Ubuntu\n"
	"[  100.000003] Call Trace:\n"
	"[  100.000004]  <TASK>\n"
	"[  100.000005]  dump_stack_lvl+0x4a/0x63\n"
	"[  100.000006]  dump_header+0x4a/0x1f3\n"
	"[  100.000007]  oom_kill_process.cold+0xb/0x10\n"
	"[  100.000008]  out_of_memory+0x1be/0x4f0\n"
	"[  100.000009]  </TASK>\n"
	"[  100.000010] Mem-Info:\n"
	"[  100.000011] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=stress,pid=4242,uid=0\n"
	"[  100.000012] Out of memory: Killed process 4242 (stress) total-vm:8413384kB, anon-rss:7897112kB, file-rss:4kB, shmem-rss:0kB, UID:0 pgtables:15504kB oom_score_adj:0\n"
	"[  200.000001] INFO: task jbd2/sda1-8:312 blocked for more than 120 seconds.\n"
	"[  200.000002]       Not tainted 5.15.0-91-generic #101-Ubuntu\n"
	"[  200.000003] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	"[  200.000004] task:jbd2/sda1-8     state:D stack:    0 pid:  312 ppid:     2 flags:0x00004000\n"
	"[  200.000005] Call Trace:\n"
	"[  200.000006]  <TASK>\n"
	"[  200.000007]  __schedule+0x24e/0x590\n"
	"[  200.000008]  schedule+0x69/0x110\n"
	"[  200.000009]  jbd2_journal_commit_transaction+0x2cb/0x1870\n"
	"[  200.000010]  kjournald2+0xb6/0x280\n"
	"[  200.000011]  kthread+0x127/0x150\n"
	"[  200.000012]  </TASK>\n";

struct sink {
	json_t *events;		/* ndjson objects, in delivery order */
};

static void on_event(void *data, struct kt_event *ev)
{
	struct sink *k = data;
	struct strbuf sb = STRBUF_INIT;
	struct kt_jsonw w;

	kt_jsonw_init(&w, &sb);
	kt_event_write_json(&w, ev, 0);
	json_array_append_new(k->events, json_loads(sb.buf, 0, NULL));
	strbuf_release(&sb);
	kt_event_free(ev);
}

/*
 * One pipeline for all (compiling the rule pack takes a second): each
 * stream has its own assembler and analyzer and sends its events to its
 * own sink, so nothing carries over from one stream to the next.
 */
static struct kt_pipeline *shared;
static struct sink *current;

static void to_current(void *data, struct kt_event *ev)
{
	(void)data;
	on_event(current, ev);
}

static struct kt_pipeline *pipeline(struct kt_ctx *ctx, struct sink *k)
{
	struct kt_pipeline_opts po = { 0 };

	kt_ctx_init(ctx);
	current = k;
	if (!shared)
		assert_int_equal(kt_pipeline_new(ctx, &po, to_current, NULL,
						 &shared), 0);
	else
		kt_pipeline_reset(shared);
	return shared;
}

static int teardown(void **state)
{
	(void)state;
	kt_pipeline_free(shared);
	shared = NULL;
	return 0;
}

/* "id title" of every event, for comparing runs. */
static char *summary(const json_t *events)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < json_array_size(events); i++) {
		const json_t *e = json_array_get(events, i);

		strbuf_addf(&sb, "%s %s %lld-%lld\n",
			    json_string_value(json_object_get(e, "id")),
			    json_string_value(json_object_get(e, "title")),
			    (long long)json_integer_value(json_object_get(
				    json_object_get(e, "source"), "line")),
			    (long long)json_integer_value(json_object_get(
				    json_object_get(e, "source"), "line_end")));
	}
	return strbuf_detach(&sb, NULL);
}

/* The whole text as one input, the way scan reads a file. */
static char *scanned(void)
{
	struct sink k = { json_array() };
	struct kt_ctx ctx;
	struct kt_pipeline *pl = pipeline(&ctx, &k);
	char *s;

	assert_int_equal(kt_pipeline_scan_mem(&ctx, pl, "kmsg", log_text,
					      strlen(log_text)), 0);
	kt_pipeline_finish(pl);
	s = summary(k.events);
		json_decref(k.events);
	return s;
}

static void test_pieces_give_the_same_events(void **state)
{
	static const size_t sizes[] = { 1, 2, 7, 64, 1000, 100000 };
	char *want = scanned();
	size_t i;

	(void)state;
	assert_non_null(strstr(want, "Out of memory: Killed process 4242"));
	assert_non_null(strstr(want, "INFO: task hung in"));
	for (i = 0; i < KT_ARRAY_SIZE(sizes); i++) {
		struct sink k = { json_array() };
		struct kt_ctx ctx;
		struct kt_pipeline *pl = pipeline(&ctx, &k);
		struct kt_stream_pos from = { 0, 0 };
		struct kt_stream *s = kt_stream_new(pl, "kmsg", 1000000, from,
						    on_event, &k);
		size_t off = 0, len = strlen(log_text);
		char *got;

		while (off < len) {
			size_t n = KT_MIN(sizes[i], len - off);

			kt_stream_push(&ctx, s, log_text + off, n, 0);
			off += n;
		}
		kt_stream_free(&ctx, s, true);
		got = summary(k.events);
		assert_string_equal(got, want);
		free(got);
				json_decref(k.events);
	}
	free(want);
}

static void test_idle_report_closes(void **state)
{
	struct sink k = { json_array() };
	struct kt_ctx ctx;
	struct kt_pipeline *pl = pipeline(&ctx, &k);
	struct kt_stream_pos from = { 0, 0 };
	struct kt_stream *s = kt_stream_new(pl, "kmsg", 500000, from,
					    on_event, &k);

	(void)state;
	kt_stream_push(&ctx, s, log_text, strlen(log_text), 1000000);
	/* the OOM report ended at "Killed process": delivered at once */
	assert_int_equal(json_array_size(k.events), 1);
	/* the hung task has no end marker: still open before the idle time */
	kt_stream_tick(s, 1400000);
	assert_int_equal(json_array_size(k.events), 1);
	assert_true(kt_stream_pending(s).offset < strlen(log_text));
	kt_stream_tick(s, 1500000);
	assert_int_equal(json_array_size(k.events), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(k.events, 1), "subtype")), "hung_task");
	/* nothing is pending any more: everything pushed is accounted for */
	assert_int_equal(kt_stream_pending(s).offset, strlen(log_text));
	kt_stream_free(&ctx, s, true);
	assert_int_equal(json_array_size(k.events), 2);
		json_decref(k.events);
}

/*
 * Stop without flushing after every possible number of bytes, restart a
 * new stream from the saved position with the bytes from there on: the
 * union of both runs, without repeats of an id, is the full run.
 */
static void test_restart_loses_and_repeats_nothing(void **state)
{
	char *want = scanned();
	size_t len = strlen(log_text), cut;

	(void)state;
	for (cut = 0; cut <= len; cut += 37) {
		struct sink k = { json_array() };
		struct kt_ctx ctx;
		struct kt_pipeline *pl = pipeline(&ctx, &k);
		struct kt_stream_pos from = { 0, 0 }, pos;
		struct kt_stream *s = kt_stream_new(pl, "kmsg", 1000000, from,
						    on_event, &k);
		json_t *seen = json_object(), *merged = json_array();
		size_t i;
		char *got;

		kt_stream_push(&ctx, s, log_text, cut, 0);
		pos = kt_stream_pending(s);
		assert_true(pos.offset <= cut);
		kt_stream_free(&ctx, s, false);		/* a crash */
		
		pl = pipeline(&ctx, &k);
		s = kt_stream_new(pl, "kmsg", 1000000, pos, on_event, &k);
		kt_stream_push(&ctx, s, log_text + pos.offset,
			       len - pos.offset, 0);
		kt_stream_free(&ctx, s, true);
		for (i = 0; i < json_array_size(k.events); i++) {
			json_t *e = json_array_get(k.events, i);
			const char *id = json_string_value(
				json_object_get(e, "id"));

			if (json_object_get(seen, id))
				continue;	/* a repeat: same id */
			json_object_set_new(seen, id, json_true());
			json_array_append(merged, e);
		}
		got = summary(merged);
		assert_string_equal(got, want);
		free(got);
		json_decref(seen);
		json_decref(merged);
				json_decref(k.events);
	}
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces_give_the_same_events),
		cmocka_unit_test(test_idle_report_closes),
		cmocka_unit_test(test_restart_loses_and_repeats_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
