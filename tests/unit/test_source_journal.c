/*
 * test_source_journal.c - the journal source: rendering synthetic
 * entries, the framer reading them back, and real .journal files.
 * Those are made at test time from export data with
 * systemd-journal-remote; without it the file tests are skipped.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "frame/frame.h"
#include "input/input.h"
#include "input/source.h"
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define BOOT_A "0123456789abcdef0123456789abcdef"
#define BOOT_B "fedcba9876543210fedcba9876543210"

static const char *const journal_remote[] = {
	"/usr/lib/systemd/systemd-journal-remote",
	"/lib/systemd/systemd-journal-remote",
};

static struct kt_source_journal_entry entry(const char *msg)
{
	struct kt_source_journal_entry e;

	memset(&e, 0, sizeof(e));
	e.message = kt_str_cstr(msg);
	e.hostname = KT_STR_LIT("node1");
	e.identifier = KT_STR_LIT("sshd");
	e.pid = KT_STR_LIT("42");
	e.transport = KT_STR_LIT("syslog");
	e.boot_id = KT_STR_LIT(BOOT_A);
	/* 2025-11-24T08:21:08.123456Z */
	e.realtime_us = 1763972468123456ULL;
	return e;
}

static void test_render_syslog(void **state)
{
	struct strbuf out = STRBUF_INIT, boot = STRBUF_INIT;
	struct kt_source_journal_entry e = entry("Accepted key for root");

	(void)state;
	kt_source_journal_render(&out, &e, &boot);
	assert_string_equal(out.buf, "2025-11-24T08:21:08.123456+00:00 node1 "
			    "sshd[42]: Accepted key for root\n");
	assert_string_equal(boot.buf, BOOT_A);

	/* SYSLOG_PID when there is no _PID; _COMM without an identifier */
	strbuf_reset(&out);
	e.pid = KT_STR_NULL;
	e.syslog_pid = KT_STR_LIT("7");
	e.identifier = KT_STR_NULL;
	e.comm = KT_STR_LIT("cron");
	e.realtime_us = 0;
	kt_source_journal_render(&out, &e, &boot);
	assert_string_equal(out.buf, "1970-01-01T00:00:00.000000+00:00 node1 "
			    "cron[7]: Accepted key for root\n");

	/* nothing to name the host or the program */
	strbuf_reset(&out);
	e.syslog_pid = KT_STR_NULL;
	e.comm = KT_STR_NULL;
	e.hostname = KT_STR_NULL;
	e.message = KT_STR_LIT("");
	kt_source_journal_render(&out, &e, &boot);
	assert_string_equal(out.buf, "1970-01-01T00:00:00.000000+00:00 - "
			    "unknown: \n");
	strbuf_release(&out);
	strbuf_release(&boot);
}

static void test_render_kernel_multiline(void **state)
{
	struct strbuf out = STRBUF_INIT, boot = STRBUF_INIT;
	struct kt_source_journal_entry e =
		entry("BUG: kernel NULL pointer dereference\nRIP: foo+0x1/0x2"
		      "\n\n");

	(void)state;
	e.transport = KT_STR_LIT("kernel");
	e.identifier = KT_STR_LIT("kernel");
	e.source_mono = KT_STR_LIT("772918915");
	kt_source_journal_render(&out, &e, &boot);
	assert_string_equal(out.buf,
		"2025-11-24T08:21:08.123456+00:00 node1 kernel: "
		"[  772.918915] BUG: kernel NULL pointer dereference\n"
		"2025-11-24T08:21:08.123456+00:00 node1 kernel: "
		"[  772.918915] RIP: foo+0x1/0x2\n");

	/* no source stamp: no dmesg stamp; an empty line in the middle */
	strbuf_reset(&out);
	e.source_mono = KT_STR_NULL;
	e.message = KT_STR_LIT("a\n\nb");
	e.realtime_us = 1000001;
	kt_source_journal_render(&out, &e, &boot);
	assert_string_equal(out.buf,
		"1970-01-01T00:00:01.000001+00:00 node1 kernel: a\n"
		"1970-01-01T00:00:01.000001+00:00 node1 kernel: \n"
		"1970-01-01T00:00:01.000001+00:00 node1 kernel: b\n");
	strbuf_release(&out);
	strbuf_release(&boot);
}

static void test_render_binary(void **state)
{
	static const char msg[] = "bin\xff\xfe\0x\r";
	static const char want[] = "2025-11-24T08:21:08.123456+00:00 node1 "
				   "sshd[42]: bin\xff\xfe\0x\r\n";
	struct strbuf out = STRBUF_INIT, boot = STRBUF_INIT;
	struct kt_source_journal_entry e = entry("");

	(void)state;
	e.message = kt_str_make(msg, sizeof(msg) - 1);
	kt_source_journal_render(&out, &e, &boot);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.buf, want, out.len);
	strbuf_release(&out);
	strbuf_release(&boot);
}

static void test_render_boot_change(void **state)
{
	struct strbuf out = STRBUF_INIT, boot = STRBUF_INIT;
	struct kt_source_journal_entry e = entry("one");

	(void)state;
	kt_source_journal_render(&out, &e, &boot);
	e.message = KT_STR_LIT("two");
	kt_source_journal_render(&out, &e, &boot);
	e.message = KT_STR_LIT("three");
	e.boot_id = KT_STR_LIT(BOOT_B);
	kt_source_journal_render(&out, &e, &boot);
	e.message = KT_STR_LIT("four");
	e.boot_id = KT_STR_NULL;
	kt_source_journal_render(&out, &e, &boot);
	assert_string_equal(out.buf,
		"2025-11-24T08:21:08.123456+00:00 node1 sshd[42]: one\n"
		"2025-11-24T08:21:08.123456+00:00 node1 sshd[42]: two\n"
		"-- Boot " BOOT_B " --\n"
		"2025-11-24T08:21:08.123456+00:00 node1 sshd[42]: three\n"
		"2025-11-24T08:21:08.123456+00:00 node1 sshd[42]: four\n");
	strbuf_release(&out);
	strbuf_release(&boot);
}

/* What the journal source writes, the framer reads back. */
static void test_render_frames(void **state)
{
	struct strbuf text = STRBUF_INIT, boot = STRBUF_INIT;
	struct kt_source_journal_entry e = entry("Accepted key");
	struct kt_framer_opts opts = { 0, 0 };
	struct kt_framer *fr;
	struct kt_input *in;
	struct kt_line l;
	struct kt_ctx ctx;

	(void)state;
	kt_ctx_init(&ctx);
	kt_source_journal_render(&text, &e, &boot);
	e.transport = KT_STR_LIT("kernel");
	e.source_mono = KT_STR_LIT("5000001");
	e.message = KT_STR_LIT("Oops: 0002 [#1] SMP\nCPU: 1 PID: 9");
	kt_source_journal_render(&text, &e, &boot);

	fr = kt_framer_new(&opts);
	assert_int_equal(kt_input_open_mem(&ctx, text.buf, text.len, &in), 0);
	assert_int_equal(kt_framer_next(&ctx, fr, in, &l), 1);
	assert_int_equal(l.fmt, KT_FMT_ISO);
	assert_int_equal(l.wall_us, 1763972468123456LL);
	assert_true(kt_str_eq_cstr(l.host, "node1"));
	assert_true(kt_str_eq_cstr(l.prog, "sshd"));
	assert_int_equal(l.pid, 42);
	assert_false(l.is_kernel);
	assert_true(kt_str_eq_cstr(l.msg, "Accepted key"));
	assert_int_equal(kt_framer_next(&ctx, fr, in, &l), 1);
	assert_true(l.is_kernel);
	assert_int_equal(l.mono_us, 5000001);
	assert_int_equal(l.wall_us, 1763972468123456LL);
	assert_true(kt_str_eq_cstr(l.msg, "Oops: 0002 [#1] SMP"));
	assert_int_equal(kt_framer_next(&ctx, fr, in, &l), 1);
	assert_true(l.is_kernel);
	assert_true(kt_str_eq_cstr(l.msg, "CPU: 1 PID: 9"));
	assert_int_equal(kt_framer_next(&ctx, fr, in, &l), 0);
	kt_input_close(in);
	kt_framer_free(fr);
	kt_ctx_release(&ctx);
	strbuf_release(&text);
	strbuf_release(&boot);
}

/* ------------------------------------------------------ .journal files */

struct fixture {
	struct kt_ctx ctx;
	char dir[64];
	const char *remote;	/* systemd-journal-remote, or NULL */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	size_t i;

	kt_ctx_init(&f->ctx);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/kt-journal-XXXXXX", tmp);
	assert_non_null(mkdtemp(f->dir));
	for (i = 0; i < KT_ARRAY_SIZE(journal_remote); i++)
		if (!access(journal_remote[i], X_OK))
			f->remote = journal_remote[i];
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

static void add_field(struct strbuf *sb, const char *name, const char *val)
{
	strbuf_addf(sb, "%s=%s\n", name, val);
}

/* Export format for values with newlines or binary bytes. */
static void add_binary_field(struct strbuf *sb, const char *name,
			     const char *val, size_t len)
{
	unsigned char le[8];
	size_t i;

	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)((uint64_t)len >> (8 * i));
	strbuf_addf(sb, "%s\n", name);
	strbuf_add(sb, le, 8);
	strbuf_add(sb, val, len);
	strbuf_addch(sb, '\n');
}

/* Runs systemd-journal-remote to turn export data into out. */
static void make_journal(const struct fixture *f, const struct strbuf *exp,
			 const char *out)
{
	struct strbuf in = STRBUF_INIT, arg = STRBUF_INIT;
	int fd, status;
	pid_t pid;

	strbuf_addf(&in, "%s/export.txt", f->dir);
	fd = open(in.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, exp->buf, exp->len), (ssize_t)exp->len);
	close(fd);
	strbuf_addf(&arg, "--output=%s", out);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(f->remote, f->remote, arg.buf, in.buf, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	strbuf_release(&in);
	strbuf_release(&arg);
}

static void test_journal_file(void **state)
{
	struct fixture *f = *state;
	struct strbuf exp = STRBUF_INIT, path = STRBUF_INIT, out = STRBUF_INIT;
	struct kt_input_list list;
	struct kt_input *in;
	const char *paths[1];
	char buf[100];
	size_t got;
	static const char binmsg[] = "two\nlines \xff";

	if (!f->remote) {
		skip();
		return;
	}
	add_field(&exp, "__REALTIME_TIMESTAMP", "1763972468123456");
	add_field(&exp, "__MONOTONIC_TIMESTAMP", "12345678");
	add_field(&exp, "_BOOT_ID", BOOT_A);
	add_field(&exp, "_TRANSPORT", "kernel");
	add_field(&exp, "_HOSTNAME", "node1");
	add_field(&exp, "SYSLOG_IDENTIFIER", "kernel");
	add_field(&exp, "_SOURCE_MONOTONIC_TIMESTAMP", "12345678");
	add_field(&exp, "MESSAGE", "Linux version 6.1.0");
	strbuf_addch(&exp, '\n');
	add_field(&exp, "__REALTIME_TIMESTAMP", "1763972469000000");
	add_field(&exp, "__MONOTONIC_TIMESTAMP", "22345678");
	add_field(&exp, "_BOOT_ID", BOOT_A);
	add_field(&exp, "_TRANSPORT", "journal");
	add_field(&exp, "_HOSTNAME", "node1");
	add_field(&exp, "_COMM", "no-message");
	strbuf_addch(&exp, '\n');
	add_field(&exp, "__REALTIME_TIMESTAMP", "1763972470000000");
	add_field(&exp, "__MONOTONIC_TIMESTAMP", "1000");
	add_field(&exp, "_BOOT_ID", BOOT_B);
	add_field(&exp, "_TRANSPORT", "syslog");
	add_field(&exp, "_HOSTNAME", "node1");
	add_field(&exp, "SYSLOG_IDENTIFIER", "sshd");
	add_field(&exp, "_PID", "42");
	add_binary_field(&exp, "MESSAGE", binmsg, sizeof(binmsg) - 1);
	strbuf_addch(&exp, '\n');
	strbuf_addf(&path, "%s/system.journal", f->dir);
	make_journal(f, &exp, path.buf);

	/* named explicitly, and found in a directory walk */
	kt_input_list_init(&list);
	paths[0] = path.buf;
	assert_int_equal(kt_input_expand(&f->ctx, paths, 1, 0, &list), 0);
	paths[0] = f->dir;
	assert_int_equal(kt_input_expand(&f->ctx, paths, 1, 0, &list), 0);
	/* the export data holds NUL bytes: not a text log */
	assert_int_equal(list.nr, 2);
	assert_int_equal(list.skipped, 1);
	assert_int_equal(list.item[0].kind, KT_INPUT_JOURNAL);
	assert_int_equal(list.item[1].kind, KT_INPUT_JOURNAL);
	assert_string_equal(list.item[1].path, path.buf);

	assert_int_equal(kt_input_open(&f->ctx, &list.item[0], &in), 0);
	for (;;) {
		assert_int_equal(kt_input_read(&f->ctx, in, buf, sizeof(buf),
					       &got), 0);
		if (!got)
			break;
		strbuf_add(&out, buf, got);
	}
	kt_input_close(in);
	assert_string_equal(out.buf,
		"2025-11-24T08:21:08.123456+00:00 node1 kernel: "
		"[   12.345678] Linux version 6.1.0\n"
		"-- Boot " BOOT_B " --\n"
		"2025-11-24T08:21:10.000000+00:00 node1 sshd[42]: two\n"
		"2025-11-24T08:21:10.000000+00:00 node1 sshd[42]: "
		"lines \xff\n");
	kt_input_list_release(&list);
	strbuf_release(&exp);
	strbuf_release(&path);
	strbuf_release(&out);
}

static void test_journal_corrupt(void **state)
{
	struct fixture *f = *state;
	struct strbuf path = STRBUF_INIT;
	struct kt_input_item item;
	struct kt_input *in = NULL;
	int fd, rc;

	strbuf_addf(&path, "%s/broken.journal", f->dir);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "LPKSHHRH garbage", 16), 16);
	close(fd);
	memset(&item, 0, sizeof(item));
	item.path = path.buf;
	item.display = path.buf;
	item.kind = KT_INPUT_JOURNAL;
	rc = kt_input_open(&f->ctx, &item, &in);
	if (!rc) {
		/* libsystemd may accept the open and find no entries */
		char buf[64];
		size_t got;

		rc = kt_input_read(&f->ctx, in, buf, sizeof(buf), &got);
		if (!rc)
			assert_int_equal(got, 0);
		kt_input_close(in);
	}
	if (rc) {
		assert_int_equal(rc, KT_ERR_IO);
		assert_true(!strncmp(kt_ctx_error(&f->ctx), "cannot ", 7));
		assert_non_null(strstr(kt_ctx_error(&f->ctx), path.buf));
	}
	strbuf_release(&path);
}

/* The journal of a fake root, as kt_input_defaults_root() uses it. */
static void test_journal_defaults_root(void **state)
{
	struct fixture *f = *state;
	struct strbuf exp = STRBUF_INIT, sb = STRBUF_INIT;
	struct kt_input_list list;
	static const char *const dirs[] = {
		"/var", "/var/log", "/var/log/journal",
		("/var/log/journal/" BOOT_A), "/dev",
	};
	size_t i;

	if (!f->remote) {
		skip();
		return;
	}
	for (i = 0; i < KT_ARRAY_SIZE(dirs); i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s%s", f->dir, dirs[i]);
		assert_int_equal(mkdir(sb.buf, 0755), 0);
	}
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/var/log/messages", f->dir);
	assert_int_equal(close(open(sb.buf, O_WRONLY | O_CREAT, 0644)), 0);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/dev/kmsg", f->dir);
	assert_int_equal(close(open(sb.buf, O_WRONLY | O_CREAT, 0644)), 0);

	add_field(&exp, "__REALTIME_TIMESTAMP", "1763972469000000");
	add_field(&exp, "__MONOTONIC_TIMESTAMP", "22345678");
	add_field(&exp, "_BOOT_ID", BOOT_A);
	add_field(&exp, "_TRANSPORT", "syslog");
	add_field(&exp, "_HOSTNAME", "node1");
	add_field(&exp, "SYSLOG_IDENTIFIER", "sshd");
	add_field(&exp, "MESSAGE", "hello");
	strbuf_addch(&exp, '\n');
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/var/log/journal/" BOOT_A "/system.journal",
		    f->dir);
	make_journal(f, &exp, sb.buf);

	/* a journal without kernel entries: no text family, but kmsg */
	kt_input_list_init(&list);
	assert_int_equal(kt_input_defaults_root(&f->ctx, f->dir, &list), 0);
	assert_int_equal(list.nr, 2);
	assert_int_equal(list.item[0].kind, KT_INPUT_JOURNAL);
	assert_string_equal(list.item[0].display, "journal");
	assert_int_equal(list.item[1].kind, KT_INPUT_KMSG);
	{
		struct kt_input *in;
		char buf[256];
		size_t got;

		assert_int_equal(kt_input_open(&f->ctx, &list.item[0], &in),
				 0);
		assert_int_equal(kt_input_read(&f->ctx, in, buf,
					       sizeof(buf) - 1, &got), 0);
		kt_input_close(in);
		buf[got] = '\0';
		assert_string_equal(buf, "2025-11-24T08:21:09.000000+00:00 "
				    "node1 sshd: hello\n");
	}
	kt_input_list_release(&list);
	strbuf_release(&exp);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_syslog),
		cmocka_unit_test(test_render_kernel_multiline),
		cmocka_unit_test(test_render_binary),
		cmocka_unit_test(test_render_boot_change),
		cmocka_unit_test(test_render_frames),
		cmocka_unit_test_setup_teardown(test_journal_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal_corrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal_defaults_root,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
