/*
 * test_event.c - unit tests of event/: titles from templates ({field},
 * {field|fallback}, optional [...] parts, the first template that
 * renders whole), fingerprints that ignore numbers, ids, typed fields,
 * and the guilty frame (RIP first, skipped machinery, compiler suffixes,
 * renames, unreliable frames, stall anchors).
 *
 * Reports come from a small rule pack through the pipeline, so they are
 * built the way the assembler builds them.
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "event/event.h"
#include "pipeline/pipeline.h"
#include <fcntl.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

static const char pack[] =
	"fields:\n  pid: int\n  cpu: int\n  secs: int\n  n: int\n"
	"  flag: bool\n"
	"guilty_skip:\n"
	"  - comment: machinery\n"
	"    patterns: ['^dump_stack', '^_raw_spin_lock', '^mutex_lock$',\n"
	"               '^worker_thread$', '^kthread$', '^ret_from_fork',\n"
	"               'panic']\n"
	"guilty_rename:\n"
	"  - {from: '^__x64_sys_(\\w+)$', to: 'sys_$1'}\n"
	"stall_anchors:\n"
	"  - '^process_one_work$'\n"
	"  - {match: 'smp_call_function', name: smp_call_function}\n"
	"rules:\n"
	"  - id: crash\n    role: head\n    type: oops\n    subtype: crash\n"
	"    severity: major\n"
	"    title: 'BUG: crash in {guilty_func|corrupted}'\n"
	"    match: '^BUG: crash at (?<addr>\\S+)'\n"
	"  - id: lockup\n    role: head\n    type: deadlock\n"
	"    subtype: soft_lockup\n    severity: major\n    guilty: stall\n"
	"    title: ['soft lockup in {guilty_func}', 'soft lockup']\n"
	"    match: '^BUG: soft lockup - CPU#(?<cpu>\\d+) stuck for "
	"(?<secs>\\d+)s! \\[(?<comm>[^:]+):(?<pid>\\d+)\\]'\n"
	"  - id: locked\n    role: head\n    type: deadlock\n"
	"    subtype: locked\n    severity: major\n"
	"    guilty_from: [holder, rip]\n"
	"    title: 'blocked behind {guilty_func}[ in {guilty_module}]'\n"
	"    match: '^LOCKED by (?<holder>\\S+(?: \\[\\w+\\])?)'\n"
	"  - id: titles\n    role: line\n    type: test\n    subtype: titles\n"
	"    severity: minor\n"
	"    title:\n"
	"      - 'one {a} two {b}'\n"
	"      - 'a={a|none}[, b={b}][ (n={n}[ b={b}])] \\{x\\} \\[y\\]'\n"
	"    match: '^TITLES(?: a=(?<a>\\S*))?(?: b=(?<b>\\S*))?"
	"(?: n=(?<n>\\S+))?(?: flag=(?<flag>\\S+))?(?: t=(?<t>.*))?'\n"
	"  - id: plain\n    role: line\n    type: test\n    subtype: plain\n"
	"    severity: critical\n    title: 'plain {t}'\n"
	"    keep_fields: [pid]\n"
	"    match: '^PLAIN t=(?<t>.*?) pid=(?<pid>\\S+) comm=(?<comm>.*)'\n"
	"  - id: rip\n    role: body\n"
	"    match: '^RIP: 0010:(?<rip>\\S+(?: \\[\\w+\\])?)'\n"
	"  - id: cpu_pid\n    role: body\n"
	"    match: '^CPU: \\d+ PID: (?<pid>\\d+) Comm: (?<comm>\\S+)'\n"
	"  - id: trace\n    role: body\n    match: '^Call Trace:'\n"
	"  - id: frame\n    role: frame\n"
	"    match: '^ (?<unreliable>\\? )?(?<func>[\\w.]+)\\+"
	"(?<off>0x[0-9a-f]+)/(?<size>0x[0-9a-f]+)(?: \\[(?<module>\\w+)\\])?$'\n"
	"  - id: end\n    role: end\n    match: '^---\\[ end trace'\n";

struct fixture {
	struct kt_ctx ctx;
	struct kt_pipeline *pl;
	struct kt_event **ev;
	size_t nr, alloc;
	char path[64];
};

static void sink(void *data, struct kt_event *ev)
{
	struct fixture *f = data;

	ALLOC_GROW(f->ev, f->nr + 1, f->alloc);
	f->ev[f->nr++] = ev;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct kt_pipeline_opts o;
	const char *paths[1];
	const char *tmp = getenv("TMPDIR");
	int fd;

	kt_ctx_init(&f->ctx);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->path, sizeof(f->path), "%s/kt-event-XXXXXX", tmp);
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pack, sizeof(pack) - 1),
			 (ssize_t)sizeof(pack) - 1);
	close(fd);
	memset(&o, 0, sizeof(o));
	paths[0] = f->path;
	o.rule_paths = paths;
	o.nr_rule_paths = 1;
	o.no_default_rules = true;
	if (kt_pipeline_new(&f->ctx, &o, sink, f, &f->pl))
		fail_msg("%s", kt_ctx_error(&f->ctx));
	*state = f;
	return 0;
}

static void drop_events(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		kt_event_free(f->ev[i]);
	f->nr = 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	drop_events(f);
	free(f->ev);
	kt_pipeline_free(f->pl);
	unlink(f->path);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

/* Scans text (one dmesg line per line given) as a new input. */
static void scan(struct fixture *f, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text, *nl;
	int i = 1;

	drop_events(f);
	kt_pipeline_reset(f->pl);
	for (; *p; p = nl + 1, i++) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		strbuf_addf(&sb, "[%5d.000000] %.*s\n", i, (int)(nl - p), p);
	}
	assert_int_equal(kt_pipeline_scan_mem(&f->ctx, f->pl, "kern.log",
					      sb.buf, sb.len), 0);
	kt_pipeline_finish(f->pl);
	strbuf_release(&sb);
}

static const struct kt_event *one(struct fixture *f, const char *text)
{
	scan(f, text);
	if (f->nr != 1)
		fail_msg("%zu events from '%s'", f->nr, text);
	return f->ev[0];
}

static const char *title_of(struct fixture *f, const char *text)
{
	return one(f, text)->title;
}

static const char *str_field(const struct kt_event *ev, const char *name)
{
	const char *v = kt_event_get_str(ev, name);

	if (!v)
		fail_msg("no string field '%s'", name);
	return v;
}

/* ------------------------------------------------------------- titles */

static void test_titles(void **state)
{
	struct fixture *f = *state;

	/* the first template whose fields are all there */
	assert_string_equal(title_of(f, "TITLES a=x b=y\n"), "one x two y");
	/* the second: fallbacks, optional parts, escapes */
	assert_string_equal(title_of(f, "TITLES a=x\n"),
			    "a=x {x} [y]");
	assert_string_equal(title_of(f, "TITLES\n"), "a=none {x} [y]");
	assert_string_equal(title_of(f, "TITLES b=y\n"),
			    "a=none, b=y {x} [y]");
	/* nested: the outer part stays when an inner one goes */
	assert_string_equal(title_of(f, "TITLES n=7\n"),
			    "a=none (n=7) {x} [y]");
	assert_string_equal(title_of(f, "TITLES a=x n=7\n"),
			    "a=x (n=7) {x} [y]");
	/* an empty value is a missing one */
	assert_string_equal(title_of(f, "TITLES a= b=y\n"),
			    "a=none, b=y {x} [y]");
	/* values are text, never template syntax */
	assert_string_equal(title_of(f, "TITLES a={b} b=[x]\\\n"),
			    "one {b} two [x]\\");
	/* integer fields print as numbers */
	assert_string_equal(title_of(f, "TITLES b=q n=0x1f\n"),
			    "a=none, b=q (n=31 b=q) {x} [y]");
}

/* When no template renders whole, the last one is used as it came out. */
static void test_title_fallback(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	ev = one(f, "BUG: soft lockup - CPU#3 stuck for 22s! [kworker:42]\n");
	assert_string_equal(ev->title, "soft lockup");
	ev = one(f, "BUG: crash at 0x10\n");
	assert_string_equal(ev->title, "BUG: crash in corrupted");
	assert_true(json_is_true(json_object_get(ev->fields, "corrupted")));
	assert_null(kt_event_get_str(ev, "guilty_func"));
}

/* Retitling after fields change, and titles from hostile values. */
static void test_retitle(void **state)
{
	struct fixture *f = *state;
	struct kt_event *ev;
	char fp[17];

	scan(f, "TITLES a=x\n");
	ev = f->ev[0];
	memcpy(fp, ev->fingerprint, sizeof(fp));
	kt_event_set_str(ev, "b", "later");
	kt_event_retitle(ev);
	assert_string_equal(ev->title, "one x two later");
	assert_string_not_equal(ev->fingerprint, fp);
	/* values are cleaned where they are set */
	kt_event_set_str(ev, "b", "a\nb\x1b[0m\xff ");
	assert_string_equal(kt_event_get_str(ev, "b"),
			    "a?b?[0m\xef\xbf\xbd");
	kt_event_retitle(ev);
	assert_string_equal(ev->title, "one x two a?b?[0m\xef\xbf\xbd");
	/* an integer field is not a string, but it renders */
	kt_event_set_int(ev, "b", INT64_MIN);
	assert_null(kt_event_get_str(ev, "b"));
	kt_event_retitle(ev);
	assert_string_equal(ev->title, "one x two -9223372036854775808");
	/* set_title cleans too, and trims the end */
	kt_event_set_title(ev, "\ttab\tkept, \x01 gone  \t");
	assert_string_equal(ev->title, "\ttab\tkept, ? gone");
	kt_event_set_title(ev, "");
	assert_string_equal(ev->title, "");
}

/* -------------------------------------------------------- fingerprints */

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return kt_hash_add(kt_hash_add(h, s, strlen(s)), "\x1f", 1);
}

static void test_fingerprint(void **state)
{
	struct fixture *f = *state;
	struct kt_event *ev;
	char a[17], b[17], want[17];
	uint64_t h;

	scan(f, "PLAIN t=task 123 at 0xffffffff8100 cpu7 pid=1 comm=x\n");
	ev = f->ev[0];
	assert_string_equal(ev->title, "plain task 123 at 0xffffffff8100 cpu7");
	memcpy(a, ev->fingerprint, sizeof(a));
	/* the contract: FNV-1a of type, subtype and the title with each
	 * number (digits, then hex digits and x) as N */
	h = fnv_str(KT_HASH_INIT, "test");
	h = fnv_str(h, "plain");
	h = fnv_str(h, "plain task N at N cpuN");
	kt_hash_hex(h, want);
	assert_string_equal(a, want);

	/* other numbers, same fingerprint */
	kt_event_set_title(ev, "plain task 9 at 0xdead cpu12345");
	assert_string_equal(ev->fingerprint, a);
	kt_event_set_title(ev, "plain task 0 at 1 cpu0x0");
	assert_string_equal(ev->fingerprint, a);
	/* other words, or a number where there was none: different */
	kt_event_set_title(ev, "plain task 9 at 0xdead cpuX");
	assert_string_not_equal(ev->fingerprint, a);
	kt_event_set_title(ev, "plain task 9 at deadbeef cpu1");
	assert_string_not_equal(ev->fingerprint, a);
	kt_event_set_title(ev, "plain task at 1 cpu1");
	assert_string_not_equal(ev->fingerprint, a);

	/* the same title in another subtype is another problem */
	scan(f, "TITLES a=1 b=2\n");
	memcpy(b, f->ev[0]->fingerprint, sizeof(b));
	kt_event_set_title(f->ev[0], "plain task 123 at 0xffffffff8100 cpu7");
	assert_string_not_equal(f->ev[0]->fingerprint, a);
	assert_string_not_equal(f->ev[0]->fingerprint, b);

	/* from the log: two lines differing in numbers only */
	scan(f, "TITLES a=eth0 b=port1\nTITLES a=eth1 b=port22\n"
	     "TITLES a=ethX b=port1\n");
	assert_int_equal(f->nr, 3);
	assert_string_equal(f->ev[0]->fingerprint, f->ev[1]->fingerprint);
	assert_string_not_equal(f->ev[0]->fingerprint, f->ev[2]->fingerprint);
	/* ... but different ids */
	assert_string_not_equal(f->ev[0]->id, f->ev[1]->id);
}

static void test_id(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;
	char want[17];
	uint64_t h;

	scan(f, "TITLES a=x\nTITLES a=x\n");
	assert_int_equal(f->nr, 2);
	ev = f->ev[1];
	assert_int_equal(ev->line, 2);
	assert_string_equal(ev->file, "kern.log");
	assert_null(ev->host);
	assert_string_equal(ev->message, "TITLES a=x");
	/* FNV-1a of host, file, line number and message */
	h = fnv_str(KT_HASH_INIT, "");
	h = fnv_str(h, "kern.log");
	h = fnv_str(h, "2");
	h = fnv_str(h, "TITLES a=x");
	kt_hash_hex(h, want);
	assert_string_equal(ev->id, want);
	assert_string_not_equal(f->ev[0]->id, want);
	assert_string_equal(f->ev[0]->fingerprint, ev->fingerprint);
}

/* -------------------------------------------------------------- fields */

static void test_fields(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;
	json_t *v;

	ev = one(f, "TITLES n=-12 flag=yes t=\xff\x01 x \n");
	v = json_object_get(ev->fields, "n");
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), -12);
	assert_true(json_is_true(json_object_get(ev->fields, "flag")));
	/* strings: repaired and trimmed */
	assert_string_equal(str_field(ev, "t"), "\xef\xbf\xbd? x");
	assert_string_equal(ev->message, "TITLES n=-12 flag=yes t=\xef\xbf\xbd"
			    "? x");

	/* values that are not of the declared type are left out */
	ev = one(f, "TITLES n=12abc flag=maybe\n");
	assert_null(json_object_get(ev->fields, "n"));
	assert_null(json_object_get(ev->fields, "flag"));
	ev = one(f, "TITLES n=0x8000000000000000 flag=0\n");
	assert_null(json_object_get(ev->fields, "n"));
	assert_true(json_is_false(json_object_get(ev->fields, "flag")));
	ev = one(f, "TITLES n=9223372036854775807\n");
	assert_int_equal(json_integer_value(json_object_get(ev->fields, "n")),
			 INT64_MAX);
	ev = one(f, "TITLES n=0X7fffffffffffffff\n");
	assert_int_equal(json_integer_value(json_object_get(ev->fields, "n")),
			 INT64_MAX);
}

/* pid and comm are the event's process, in fields only when kept. */
static void test_process(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	ev = one(f, "PLAIN t=x pid=4242 comm=kworker/0:1 \n");
	assert_int_equal(ev->pid, 4242);
	assert_string_equal(ev->comm, "kworker/0:1");
	assert_int_equal(json_integer_value(json_object_get(ev->fields,
							     "pid")), 4242);
	assert_null(json_object_get(ev->fields, "comm"));
	assert_int_equal(ev->severity, KT_SEV_CRITICAL);
	/* a negative pid is no process; an empty comm is none */
	ev = one(f, "PLAIN t=x pid=-5 comm=\n");
	assert_int_equal(ev->pid, -1);
	assert_null(ev->comm);
	ev = one(f, "PLAIN t=x pid=12x comm=y\n");
	assert_int_equal(ev->pid, -1);
	assert_null(json_object_get(ev->fields, "pid"));
	ev = one(f, "PLAIN t=x pid=0x10 comm=a\x1b[1m\n");
	assert_int_equal(ev->pid, 16);
	assert_string_equal(ev->comm, "a?[1m");
}

/* --------------------------------------------------------- guilty frame */

static void test_guilty_trace(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	/* the first frame that is not machinery; .isra.0 dropped */
	ev = one(f, "BUG: crash at 0x10\n"
		 "Call Trace:\n"
		 " dump_stack+0x10/0x20\n"
		 " _raw_spin_lock_irqsave+0x1/0x2\n"
		 " ext4_write.isra.0+0x1d/0x30 [ext4]\n"
		 " vfs_write+0x5/0x9\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in ext4_write");
	assert_string_equal(str_field(ev, "guilty_func"), "ext4_write");
	assert_string_equal(str_field(ev, "guilty_module"), "ext4");
	assert_null(json_object_get(ev->fields, "corrupted"));
	assert_int_equal(ev->nr_frame, 4);
	assert_string_equal(ev->frame[2].func, "ext4_write.isra.0");
	assert_string_equal(ev->frame[2].off, "0x1d");
	assert_string_equal(ev->frame[2].size, "0x30");
	assert_string_equal(ev->frame[2].module, "ext4");
	assert_null(ev->frame[3].module);

	/* reliable frames win over "? " ones */
	ev = one(f, "BUG: crash at 0x10\n"
		 " ? stale_func+0x1/0x2\n"
		 " mutex_lock+0x1/0x2\n"
		 " real_func+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in real_func");
	assert_false(ev->frame[0].reliable);
	assert_true(ev->frame[1].reliable);
	/* ... unless there are none */
	ev = one(f, "BUG: crash at 0x10\n"
		 " ? dump_stack+0x1/0x2\n"
		 " ? guess_func+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in guess_func");
	/* a trace of machinery only names nothing */
	ev = one(f, "BUG: crash at 0x10\n"
		 " dump_stack+0x1/0x2\n"
		 " kthread+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in corrupted");
	assert_true(json_is_true(json_object_get(ev->fields, "corrupted")));
	/* names as titles use them */
	ev = one(f, "BUG: crash at 0x10\n"
		 " __x64_sys_futex+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in sys_futex");
}

/* The RIP comes before the trace, unless it is machinery itself. */
static void test_guilty_rip(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	ev = one(f, "BUG: crash at 0x10\n"
		 "RIP: 0010:nvme_irq+0x2f/0x90 [nvme]\n"
		 " handle_irq+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in nvme_irq");
	assert_string_equal(str_field(ev, "rip_func"), "nvme_irq");
	assert_string_equal(str_field(ev, "rip_module"), "nvme");
	assert_string_equal(str_field(ev, "guilty_module"), "nvme");
	ev = one(f, "BUG: crash at 0x10\n"
		 "RIP: 0010:_raw_spin_lock+0x2f/0x90\n"
		 " my_driver_poll+0x1/0x2 [mydrv]\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "BUG: crash in my_driver_poll");
	assert_string_equal(str_field(ev, "rip_func"), "_raw_spin_lock");
	assert_null(json_object_get(ev->fields, "rip_module"));
	/* a RIP alone is enough */
	ev = one(f, "BUG: crash at 0x10\n"
		 "RIP: 0010:lonely+0x1/0x2\n");
	assert_string_equal(ev->title, "BUG: crash in lonely");
}

/* guilty_from: the rule's own fields first, then the trace. */
static void test_guilty_from(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	ev = one(f, "LOCKED by holder_fn+0x10/0x20 [drm]\n"
		 "RIP: 0010:rip_fn+0x1/0x2\n"
		 " trace_fn+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "blocked behind holder_fn in drm");
	ev = one(f, "LOCKED by mutex_lock\n"
		 "RIP: 0010:rip_fn+0x1/0x2 [kvm]\n"
		 " trace_fn+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "blocked behind rip_fn in kvm");
	ev = one(f, "LOCKED by mutex_lock\n"
		 " trace_fn+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "blocked behind trace_fn");
}

/* Stall mode: the frame above the first dispatcher names the work. */
static void test_guilty_stall(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	ev = one(f, "BUG: soft lockup - CPU#3 stuck for 22s! [kworker:42]\n"
		 " spin_loop_fn+0x1/0x2\n"
		 " _raw_spin_lock+0x1/0x2\n"
		 " do_the_work+0x1/0x2 [wq]\n"
		 " process_one_work+0x1/0x2\n"
		 " worker_thread+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "soft lockup in do_the_work");
	assert_string_equal(str_field(ev, "guilty_module"), "wq");
	assert_int_equal(ev->pid, 42);
	assert_string_equal(ev->comm, "kworker");
	assert_int_equal(json_integer_value(json_object_get(ev->fields,
							     "secs")), 22);
	/* an anchor with a name names the work itself */
	ev = one(f, "BUG: soft lockup - CPU#3 stuck for 22s! [a:1]\n"
		 " csd_wait+0x1/0x2\n"
		 " smp_call_function_many+0x1/0x2\n"
		 " flush_tlb+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "soft lockup in smp_call_function");
	/* no anchor: the first frame that is not machinery */
	ev = one(f, "BUG: soft lockup - CPU#3 stuck for 22s! [a:1]\n"
		 " _raw_spin_lock+0x1/0x2\n"
		 " looping_fn+0x1/0x2\n"
		 " caller_fn+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "soft lockup in looping_fn");
	/* an anchor on top: nothing above it */
	ev = one(f, "BUG: soft lockup - CPU#3 stuck for 22s! [a:1]\n"
		 " process_one_work+0x1/0x2\n"
		 " worker_thread+0x1/0x2\n"
		 "---[ end trace ]---\n");
	assert_string_equal(ev->title, "soft lockup");
	assert_true(json_is_true(json_object_get(ev->fields, "corrupted")));
}

/* Frames of hostile text are repaired like everything else. */
static void test_guilty_hostile(void **state)
{
	struct fixture *f = *state;
	const struct kt_event *ev;

	ev = one(f, "BUG: crash at 0x10\n"
		 "RIP: 0010:+0x1/0x2\n"
		 " a.b.c+0x1/0x2\n"
		 "---[ end trace ]---\n");
	/* a RIP without a name is no candidate; "a" is the base name */
	assert_null(json_object_get(ev->fields, "rip_func"));
	assert_string_equal(ev->title, "BUG: crash in a");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_titles),
		T(test_title_fallback),
		T(test_retitle),
		T(test_fingerprint),
		T(test_id),
		T(test_fields),
		T(test_process),
		T(test_guilty_trace),
		T(test_guilty_rip),
		T(test_guilty_from),
		T(test_guilty_stall),
		T(test_guilty_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
