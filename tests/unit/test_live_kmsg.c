/*
 * test_live_kmsg.c - /dev/kmsg followed by `ktriage watch`: recorded
 * records with continuation lines, an overrun (EPIPE) counted from the
 * sequence gap, cursors of the same boot and of another boot; and, where
 * /dev/kmsg can be written and read, lines written to it read back.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "input/live.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define BOOT_A "0f1e2d3c-0000-4000-8000-00000000000a"
#define BOOT_B "0f1e2d3c-0000-4000-8000-00000000000b"

struct fixture {
	struct kt_ctx ctx;
	char path[64];
};

static const char records[] =
	"6,0,1000,-;Linux version 6.1.0\n"
	"6,1,1100,-;Command line: ro quiet\n"
	"3,2,2200,-;usb 1-1: device descriptor read/64, error -71\n"
	" SUBSYSTEM=usb\n"
	" DEVICE=c189:1\n"
	"4,3,3300,c;CPU0: Core temperature above threshold\n"
	"6,4,4400,-;eth0: link up\n";
static const char after_overrun[] =
	"6,8,8800,-;eth0: link down\n"
	"2,9,9900,-;Out of memory: Killed process 42 (java)\n";

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	int fd;

	kt_ctx_init(&f->ctx);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->path, sizeof(f->path), "%s/kt-kmsg-XXXXXX", tmp);
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

static void put(const char *path, int flags, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static struct kt_live *open_kmsg(struct fixture *f, const char *path,
				 const char *cursor)
{
	struct kt_live *l = NULL;

	assert_int_equal(kt_live_open(&f->ctx, KT_LIVE_KMSG, path, cursor,
				      &l), 0);
	assert_string_equal(kt_live_name(l), "kmsg");
	return l;
}

static void drain(struct fixture *f, struct kt_live *l, struct strbuf *out,
		  size_t cap)
{
	size_t before = out->len;
	uint64_t start = kt_live_offset(l);
	int n;

	while ((n = kt_live_read(&f->ctx, l, out, cap)) > 0)
		assert_true((size_t)n <= cap);
	assert_int_equal(n, 0);
	assert_int_equal(kt_live_offset(l), start + (out->len - before));
}

/* The offset and line count of the n-th line of text (0-based). */
static uint64_t line_at(const char *text, unsigned n)
{
	const char *p = text;

	while (n--)
		p = strchr(p, '\n') + 1;
	return (uint64_t)(p - text);
}

static void test_recorded(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	struct kt_live *l;

	put(f->path, O_TRUNC, "-boot " BOOT_A "\n");
	put(f->path, O_APPEND, records);
	l = open_kmsg(f, f->path, NULL);
	assert_int_equal(kt_live_fd(l), -1);
	drain(f, l, &out, 4096);
	assert_string_equal(out.buf, records);
	assert_int_equal(kt_live_lost(l), 0);

	/* records 5, 6 and 7 were overwritten before they were read */
	put(f->path, O_APPEND, "-EPIPE\n");
	put(f->path, O_APPEND, after_overrun);
	drain(f, l, &out, 4096);
	strbuf_addstr(&want, records);
	strbuf_addstr(&want, after_overrun);
	assert_string_equal(out.buf, want.buf);
	assert_int_equal(kt_live_lost(l), 3);
	kt_live_close(l);

	/* a small cap hands out whole lines of a record */
	strbuf_reset(&out);
	l = open_kmsg(f, f->path, NULL);
	assert_int_equal(kt_live_read(&f->ctx, l, &out, 70), 65);
	drain(f, l, &out, 70);
	assert_string_equal(out.buf, want.buf);
	kt_live_close(l);
	strbuf_release(&out);
	strbuf_release(&want);
}

/* The buffer wrapped before the first read: its first records are lost. */
static void test_wrapped(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT;
	struct kt_live *l;

	put(f->path, O_TRUNC, "-boot " BOOT_A "\n");
	put(f->path, O_APPEND, after_overrun);
	l = open_kmsg(f, f->path, NULL);
	drain(f, l, &out, 4096);
	assert_string_equal(out.buf, after_overrun);
	assert_int_equal(kt_live_lost(l), 8);
	kt_live_close(l);
	strbuf_release(&out);
}

static void test_cursor_same_boot(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	struct strbuf cur = STRBUF_INIT;
	struct kt_live *l, *l2;
	unsigned line;

	put(f->path, O_TRUNC, "-boot " BOOT_A "\n");
	put(f->path, O_APPEND, records);
	l = open_kmsg(f, f->path, NULL);
	drain(f, l, &out, 4096);

	/* every line start, continuation lines and the end included */
	for (line = 0; line <= 7; line++) {
		uint64_t at = line_at(out.buf, line);

		strbuf_reset(&cur);
		strbuf_reset(&again);
		assert_int_equal(kt_live_cursor(l, at, line, &cur), 0);
		assert_non_null(strstr(cur.buf, "boot=" BOOT_A));
		l2 = open_kmsg(f, f->path, cur.buf);
		assert_int_equal(kt_live_resume_offset(l2), at);
		assert_int_equal(kt_live_resume_lines(l2), line);
		drain(f, l2, &again, 4096);
		assert_string_equal(again.buf, out.buf + at);
		assert_int_equal(kt_live_lost(l2), 0);
		kt_live_close(l2);
	}
	assert_string_equal(cur.buf, "kmsg offset=227 lines=7 boot=" BOOT_A
			    " seq=4 skip=25");

	/* from the end: only what comes later; a gap is still counted */
	put(f->path, O_APPEND, after_overrun);
	strbuf_reset(&again);
	l2 = open_kmsg(f, f->path, cur.buf);
	drain(f, l2, &again, 4096);
	assert_string_equal(again.buf, after_overrun);
	assert_int_equal(kt_live_lost(l2), 3);
	assert_int_equal(kt_live_offset(l2), 227 + strlen(after_overrun));
	kt_live_close(l2);
	kt_live_close(l);
	strbuf_release(&out);
	strbuf_release(&again);
	strbuf_release(&cur);
}

static void test_cursor_new_boot(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT;
	struct kt_live *l;

	/* a cursor of boot A, the records of boot B: all of them */
	put(f->path, O_TRUNC, "-boot " BOOT_B "\n");
	put(f->path, O_APPEND, records);
	l = open_kmsg(f, f->path, "kmsg offset=5000 lines=90 boot=" BOOT_A
		      " seq=3 skip=0");
	assert_int_equal(kt_live_resume_offset(l), 5000);
	drain(f, l, &out, 4096);
	assert_string_equal(out.buf, records);
	assert_int_equal(kt_live_lost(l), 0);
	assert_int_equal(kt_live_offset(l), 5000 + strlen(records));
	strbuf_reset(&out);
	assert_int_equal(kt_live_cursor(l, 5000, 90, &out), 0);
	assert_string_equal(out.buf, "kmsg offset=5000 lines=90 boot=" BOOT_B
			    " seq=0 skip=0");
	kt_live_close(l);

	/* a cursor taken before any record: all of them too */
	l = open_kmsg(f, f->path, out.buf);
	strbuf_reset(&out);
	drain(f, l, &out, 4096);
	assert_string_equal(out.buf, records);
	kt_live_close(l);
	strbuf_release(&out);
}

/* ------------------------------------------------------ the real device */

static bool wait_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 1000) == 1;
}

/* One write() is one record. */
static void kmsg_write(int w, const char *tag, const char *what)
{
	struct strbuf rec = STRBUF_INIT;

	strbuf_addf(&rec, "<14>%s: %s\n", tag, what);
	assert_int_equal(write(w, rec.buf, rec.len), (ssize_t)rec.len);
	strbuf_release(&rec);
}

static void test_device(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	struct strbuf cur = STRBUF_INIT, tag = STRBUF_INIT;
	struct kt_live *l = NULL, *l2;
	const char *hit;
	uint64_t at, lines = 0;
	int w;

	w = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (w < 0 || kt_live_open(&f->ctx, KT_LIVE_KMSG, NULL, NULL, &l)) {
		if (w >= 0)
			close(w);
		skip();
		return;
	}
	assert_true(kt_live_fd(l) >= 0);
	drain(f, l, &out, 64 * 1024);
	strbuf_addf(&tag, "kt-live-test-%d-%ld", (int)getpid(),
		    (long)time(NULL));
	kmsg_write(w, tag.buf, "one");
	assert_true(wait_readable(kt_live_fd(l)));
	drain(f, l, &out, 64 * 1024);
	hit = strstr(out.buf, tag.buf);
	assert_non_null(hit);
	/* the start of its record, and the lines before it */
	while (hit > out.buf && hit[-1] != '\n')
		hit--;
	at = (uint64_t)(hit - out.buf);
	for (const char *p = out.buf; p < hit; p++)
		lines += *p == '\n';
	assert_true(!strncmp(hit, "14,", 3));
	assert_int_equal(kt_live_cursor(l, at, lines, &cur), 0);

	/* the same boot resumes at that record */
	kmsg_write(w, tag.buf, "two");
	assert_true(wait_readable(kt_live_fd(l)));
	drain(f, l, &out, 64 * 1024);
	l2 = open_kmsg(f, NULL, cur.buf);
	drain(f, l2, &again, 64 * 1024);
	assert_true(again.len >= out.len - at);
	assert_memory_equal(again.buf, out.buf + at, out.len - at);
	assert_non_null(strstr(again.buf, ": two\n"));
	kt_live_close(l2);
	kt_live_close(l);
	close(w);
	strbuf_release(&out);
	strbuf_release(&again);
	strbuf_release(&cur);
	strbuf_release(&tag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_same_boot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cursor_new_boot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
