/*
 * test_live_file.c - the followed file of `ktriage watch`: appends,
 * rotation by rename (the writer reopening or not), copytruncate,
 * truncation, deletion and re-creation, a path that does not exist yet,
 * an unfinished last line; and after each, cursors taken at every line
 * start resume with the same bytes at the same offsets.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "input/live.h"
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
	struct kt_ctx ctx;
	char dir[64];
	struct strbuf path;	/* dir/app.log */
	struct strbuf old;	/* dir/app.log.1 */
};

/* A live source and everything it handed out. */
struct reader {
	struct kt_live *l;
	struct strbuf text;
	uint64_t base;		/* offset of text.buf[0] */
	uint64_t base_lines;	/* lines before it */
	size_t cap;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	kt_ctx_init(&f->ctx);
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/kt-live-XXXXXX", tmp);
	assert_non_null(mkdtemp(f->dir));
	strbuf_init(&f->path, 0);
	strbuf_init(&f->old, 0);
	strbuf_addf(&f->path, "%s/app.log", f->dir);
	strbuf_addf(&f->old, "%s/app.log.1", f->dir);
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
	strbuf_release(&f->path);
	strbuf_release(&f->old);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

/* Writes text to fd, or to path opened with flags. */
static void put_fd(int fd, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(write(fd, text, len), (ssize_t)len);
}

static void put(const char *path, int flags, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);

	assert_true(fd >= 0);
	put_fd(fd, text);
	close(fd);
}

static void append(const char *path, const char *text)
{
	put(path, O_APPEND, text);
}

static void reader_open(struct fixture *f, struct reader *r,
			const char *path, const char *cursor)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->text, 0);
	r->cap = 4096;
	assert_int_equal(kt_live_open(&f->ctx, KT_LIVE_FILE, path, cursor,
				      &r->l), 0);
	assert_string_equal(kt_live_name(r->l), path);
	assert_true(kt_live_fd(r->l) >= 0);
	r->base = kt_live_resume_offset(r->l);
	r->base_lines = kt_live_resume_lines(r->l);
	assert_int_equal(kt_live_offset(r->l), r->base);
}

static void reader_close(struct reader *r)
{
	kt_live_close(r->l);
	strbuf_release(&r->text);
}

/* Reads all there is now; returns the bytes read. */
static size_t drain(struct fixture *f, struct reader *r)
{
	size_t before = r->text.len;
	int n;

	while ((n = kt_live_read(&f->ctx, r->l, &r->text, r->cap)) > 0)
		assert_true((size_t)n <= r->cap);
	assert_int_equal(n, 0);
	assert_int_equal(kt_live_offset(r->l), r->base + r->text.len);
	return r->text.len - before;
}

static bool readable(const struct reader *r)
{
	struct pollfd p = { kt_live_fd(r->l), POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

static void expect_text(const struct reader *r, const char *want)
{
	assert_int_equal(r->text.len, strlen(want));
	assert_memory_equal(r->text.buf, want, r->text.len);
}

/*
 * Every line start at or after from (an offset) gives a cursor that,
 * opened now, hands out what r handed out from there, at the same
 * offsets; the end of the text included.
 */
static void check_resume(struct fixture *f, const struct reader *r,
			 const char *path, uint64_t from)
{
	struct strbuf cur = STRBUF_INIT;
	struct reader again;
	uint64_t lines = r->base_lines;
	size_t i;

	for (i = 0; i <= r->text.len; i++) {
		uint64_t at = r->base + i;

		if (i && r->text.buf[i - 1] != '\n')
			continue;
		if (i)
			lines++;
		if (at < from)
			continue;
		strbuf_reset(&cur);
		assert_int_equal(kt_live_cursor(r->l, at, lines, &cur), 0);
		reader_open(f, &again, path, cur.buf);
		assert_int_equal(again.base, at);
		assert_int_equal(again.base_lines, lines);
		drain(f, &again);
		if (again.text.len != r->text.len - i)
			fail_msg("cursor '%s': %zu bytes, not %zu", cur.buf,
				 again.text.len, r->text.len - i);
		assert_memory_equal(again.text.buf, r->text.buf + i,
				    again.text.len);
		reader_close(&again);
	}
	strbuf_release(&cur);
}

/* ---------------------------------------------------------------- tests */

static void test_appends(void **state)
{
	struct fixture *f = *state;
	struct reader r;

	/* a first open starts at the end, at the start of its last line */
	put(f->path.buf, O_TRUNC, "old one\nold two\nhalf");
	reader_open(f, &r, f->path.buf, NULL);
	assert_int_equal(drain(f, &r), 0);
	append(f->path.buf, " a line\nnext\n");
	assert_true(readable(&r));
	assert_int_equal(drain(f, &r), 13 + 4);
	assert_false(readable(&r));
	expect_text(&r, "half a line\nnext\n");
	append(f->path.buf, "third\n");
	assert_true(readable(&r));
	drain(f, &r);
	expect_text(&r, "half a line\nnext\nthird\n");
	check_resume(f, &r, f->path.buf, 0);

	/* the cursor at the end waits for what comes next */
	{
		struct strbuf cur = STRBUF_INIT;
		struct reader again;

		assert_int_equal(kt_live_cursor(r.l, r.base + r.text.len, 3,
						&cur), 0);
		reader_open(f, &again, f->path.buf, cur.buf);
		assert_int_equal(drain(f, &again), 0);
		append(f->path.buf, "fourth\n");
		drain(f, &again);
		expect_text(&again, "fourth\n");
		assert_int_equal(kt_live_offset(again.l),
				 r.base + r.text.len + 7);
		reader_close(&again);
		strbuf_release(&cur);
	}
	/* an offset never handed out has no cursor */
	{
		struct strbuf cur = STRBUF_INIT;

		assert_int_equal(kt_live_cursor(r.l, r.base + r.text.len + 1,
						0, &cur), KT_ERR_NOTFOUND);
		strbuf_release(&cur);
	}
	reader_close(&r);
}

static void test_partial_line(void **state)
{
	struct fixture *f = *state;
	struct reader r;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	append(f->path.buf, "one\ntw");
	drain(f, &r);
	expect_text(&r, "one\n");
	append(f->path.buf, "o");
	assert_int_equal(drain(f, &r), 0);
	append(f->path.buf, "\nthr");
	drain(f, &r);
	expect_text(&r, "one\ntwo\n");
	check_resume(f, &r, f->path.buf, 0);

	/* rotated before its newline: the line ends with one of ours */
	assert_int_equal(rename(f->path.buf, f->old.buf), 0);
	put(f->path.buf, O_TRUNC, "new\n");
	drain(f, &r);
	expect_text(&r, "one\ntwo\nthr\nnew\n");
	check_resume(f, &r, f->path.buf, 0);
	reader_close(&r);
}

/* A small cap: lines are handed out whole, long ones cut. */
static void test_small_cap(void **state)
{
	struct fixture *f = *state;
	struct reader r;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	r.cap = 8;
	append(f->path.buf, "ab\ncd\nef\nlong line here\nx\n");
	assert_int_equal(kt_live_read(&f->ctx, r.l, &r.text, r.cap), 6);
	drain(f, &r);
	expect_text(&r, "ab\ncd\nef\nlong line here\nx\n");
	check_resume(f, &r, f->path.buf, 0);
	reader_close(&r);
}

/* logrotate's create: rename, the writer goes on, then reopens. */
static void test_rotate_create(void **state)
{
	struct fixture *f = *state;
	struct reader r;
	int w;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	w = open(f->path.buf, O_WRONLY | O_APPEND);
	assert_true(w >= 0);
	put_fd(w, "a1\na2\n");
	drain(f, &r);
	assert_int_equal(rename(f->path.buf, f->old.buf), 0);
	assert_true(readable(&r));
	put_fd(w, "a3\n");
	/* nothing at the path yet: the old file is followed on */
	drain(f, &r);
	expect_text(&r, "a1\na2\na3\n");
	put_fd(w, "a4\n");
	put(f->path.buf, O_TRUNC, "");
	close(w);
	w = open(f->path.buf, O_WRONLY | O_APPEND);
	put_fd(w, "b1\n");
	/* the old file is read to its end first */
	drain(f, &r);
	expect_text(&r, "a1\na2\na3\na4\nb1\n");
	put_fd(w, "b2\n");
	drain(f, &r);
	close(w);
	expect_text(&r, "a1\na2\na3\na4\nb1\nb2\n");
	check_resume(f, &r, f->path.buf, 0);

	/* rotated again while stopped: app.log.1 -> .2, app.log -> .1 */
	{
		struct strbuf two = STRBUF_INIT;

		strbuf_addf(&two, "%s.2", f->path.buf);
		assert_int_equal(rename(f->old.buf, two.buf), 0);
		assert_int_equal(rename(f->path.buf, f->old.buf), 0);
		put(f->path.buf, O_TRUNC, "c1\n");
		drain(f, &r);
		expect_text(&r, "a1\na2\na3\na4\nb1\nb2\nc1\n");
		/* one rotation is followed: cursors in .2 would skip .1 */
		check_resume(f, &r, f->path.buf, 12);
		strbuf_release(&two);
	}
	reader_close(&r);
}

/* A date-suffixed rotation found beside the path after a restart. */
static void test_rotate_while_stopped(void **state)
{
	struct fixture *f = *state;
	struct strbuf cur = STRBUF_INIT, dated = STRBUF_INIT;
	struct reader r, again;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	append(f->path.buf, "x1\nx2\n");
	drain(f, &r);
	assert_int_equal(kt_live_cursor(r.l, 3, 1, &cur), 0);
	reader_close(&r);

	/* stopped; meanwhile x3 is written and the file rotated */
	append(f->path.buf, "x3\n");
	strbuf_addf(&dated, "%s-20251124", f->path.buf);
	assert_int_equal(rename(f->path.buf, dated.buf), 0);
	put(f->path.buf, O_TRUNC, "y1\n");
	reader_open(f, &again, f->path.buf, cur.buf);
	drain(f, &again);
	expect_text(&again, "x2\nx3\ny1\n");
	assert_int_equal(again.base, 3);
	reader_close(&again);
	strbuf_release(&cur);
	strbuf_release(&dated);
}

/*
 * Rotated twice while stopped: the cursor's file is now app.log.2, the
 * file written after it app.log.1; all of it is read, in order, before
 * the path.  A copytruncate copy made earlier (app.log.ct, older than
 * the last write to the cursor's file) and a compressed rotation are
 * not taken for the file in between.
 */
static void test_rotate_twice_while_stopped(void **state)
{
	struct fixture *f = *state;
	struct strbuf cur = STRBUF_INIT, two = STRBUF_INIT, ct = STRBUF_INIT;
	struct strbuf gz = STRBUF_INIT;
	struct reader r, again;

	strbuf_addf(&two, "%s.2", f->path.buf);
	strbuf_addf(&ct, "%s.ct", f->path.buf);
	strbuf_addf(&gz, "%s.3.gz", f->path.buf);
	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	append(f->path.buf, "a1\na2\n");
	drain(f, &r);
	assert_int_equal(kt_live_cursor(r.l, 3, 1, &cur), 0);
	reader_close(&r);
	usleep(20000);	/* birth times apart, whatever the clock tick */
	put(ct.buf, O_TRUNC, "a1\na2\n");
	usleep(20000);
	append(f->path.buf, "a3\n");

	/* stopped: rotated, b written, rotated again, c written */
	assert_int_equal(rename(f->path.buf, f->old.buf), 0);
	usleep(20000);
	put(f->path.buf, O_TRUNC, "b1\nb2\n");
	usleep(20000);
	put(gz.buf, O_TRUNC, "not the next file\n");
	assert_int_equal(rename(f->old.buf, two.buf), 0);
	assert_int_equal(rename(f->path.buf, f->old.buf), 0);
	usleep(20000);
	put(f->path.buf, O_TRUNC, "c1\n");

	reader_open(f, &again, f->path.buf, cur.buf);
	drain(f, &again);
	expect_text(&again, "a2\na3\nb1\nb2\nc1\n");
	reader_close(&again);
	strbuf_release(&cur);
	strbuf_release(&two);
	strbuf_release(&ct);
	strbuf_release(&gz);
}

static void test_copytruncate(void **state)
{
	struct fixture *f = *state;
	struct reader r;
	uint64_t cut;
	int w;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	w = open(f->path.buf, O_WRONLY | O_APPEND);
	assert_true(w >= 0);
	put_fd(w, "first line\nsecond line\n");
	drain(f, &r);
	/* copy, then truncate; the writer appends to the same file */
	put(f->old.buf, O_TRUNC, "first line\nsecond line\n");
	assert_int_equal(ftruncate(w, 0), 0);
	assert_true(readable(&r));
	put_fd(w, "n1\n");
	cut = r.base + r.text.len;
	drain(f, &r);
	expect_text(&r, "first line\nsecond line\nn1\n");
	put_fd(w, "n2\n");
	drain(f, &r);
	close(w);
	expect_text(&r, "first line\nsecond line\nn1\nn2\n");
	/*
	 * From the truncation on, cursors are exact; before it the bytes
	 * are in a copy with another inode, and the file is read from 0.
	 */
	check_resume(f, &r, f->path.buf, cut);
	reader_close(&r);
}

static void test_truncate_partial(void **state)
{
	struct fixture *f = *state;
	struct reader r;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	append(f->path.buf, "aaaa\nbbbb\nunfinished");
	drain(f, &r);
	expect_text(&r, "aaaa\nbbbb\n");
	assert_int_equal(truncate(f->path.buf, 0), 0);
	append(f->path.buf, "z\n");
	drain(f, &r);
	expect_text(&r, "aaaa\nbbbb\nunfinished\nz\n");
	check_resume(f, &r, f->path.buf, 21);
	reader_close(&r);
}

static void test_delete_recreate(void **state)
{
	struct fixture *f = *state;
	struct reader r;
	int hold;

	put(f->path.buf, O_TRUNC, "");
	reader_open(f, &r, f->path.buf, NULL);
	append(f->path.buf, "d1\nd2\n");
	drain(f, &r);
	/*
	 * Held open, the deleted inode is not reused at once: a new file
	 * with the same inode number and birth time (made within the same
	 * clock tick) could not be told from the old one.
	 */
	hold = open(f->path.buf, O_RDONLY);
	assert_true(hold >= 0);
	assert_int_equal(unlink(f->path.buf), 0);
	assert_true(readable(&r));
	assert_int_equal(drain(f, &r), 0);
	assert_int_equal(drain(f, &r), 0);
	put(f->path.buf, O_TRUNC, "e1\n");
	close(hold);
	assert_true(readable(&r));
	drain(f, &r);
	expect_text(&r, "d1\nd2\ne1\n");
	append(f->path.buf, "e2\n");
	drain(f, &r);
	expect_text(&r, "d1\nd2\ne1\ne2\n");
	check_resume(f, &r, f->path.buf, 6);
	/* the deleted file's cursors read the new file from its start */
	{
		struct strbuf cur = STRBUF_INIT;
		struct reader again;

		assert_int_equal(kt_live_cursor(r.l, 3, 1, &cur), 0);
		reader_open(f, &again, f->path.buf, cur.buf);
		drain(f, &again);
		expect_text(&again, "e1\ne2\n");
		assert_int_equal(again.base, 3);
		reader_close(&again);
		strbuf_release(&cur);
	}
	reader_close(&r);
}

static void test_not_yet(void **state)
{
	struct fixture *f = *state;
	struct strbuf sub = STRBUF_INIT, path = STRBUF_INIT;
	struct reader r;

	/* neither the file nor its folder exists */
	strbuf_addf(&sub, "%s/later", f->dir);
	strbuf_addf(&path, "%s/app.log", sub.buf);
	reader_open(f, &r, path.buf, NULL);
	assert_int_equal(drain(f, &r), 0);
	assert_false(readable(&r));
	assert_int_equal(mkdir(sub.buf, 0755), 0);
	assert_true(readable(&r));
	assert_int_equal(drain(f, &r), 0);
	assert_false(readable(&r));
	/* a file that appears is read from its start */
	put(path.buf, O_TRUNC, "p1\np2\n");
	assert_true(readable(&r));
	drain(f, &r);
	expect_text(&r, "p1\np2\n");
	check_resume(f, &r, path.buf, 0);
	reader_close(&r);
	strbuf_release(&sub);
	strbuf_release(&path);
}

static void test_bad_cursor(void **state)
{
	struct fixture *f = *state;
	struct kt_live *l = NULL;

	assert_int_equal(kt_live_open(&f->ctx, KT_LIVE_FILE, f->path.buf,
				      "kmsg offset=0 lines=0", &l),
			 KT_ERR_PARSE);
	assert_null(l);
	assert_int_equal(kt_live_open(&f->ctx, KT_LIVE_FILE, f->path.buf,
				      "file lines=0 ino=3", &l), KT_ERR_PARSE);
	assert_int_equal(kt_live_open(&f->ctx, KT_LIVE_FILE, f->path.buf,
				      "file offset=x lines=0", &l),
			 KT_ERR_PARSE);
	assert_non_null(strstr(kt_ctx_error(&f->ctx), f->path.buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_small_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rotate_create, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rotate_while_stopped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_twice_while_stopped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncate_partial, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delete_recreate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_yet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cursor, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
