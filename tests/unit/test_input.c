/*
 * test_input.c - unit tests of the input stage: byte streams with gzip
 * and zstd undone, directory expansion and rotation order, this
 * machine's defaults under a fake root, and the kmsg source.
 *
 * Compressed fixtures are made at test time with zlib and libzstd in a
 * temporary directory; nothing binary is committed.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "input/input.h"
#include "input/rotate.h"
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
	struct kt_ctx ctx;
	struct strbuf log;	/* "W:message\n" per log call */
	char dir[64];		/* the temporary directory */
};

static void log_sink(void *data, enum kt_log_level level, const char *msg)
{
	static const char tag[] = "EWID";
	struct strbuf *sb = data;

	strbuf_addch(sb, tag[level <= KT_LOG_DEBUG ? level : 0]);
	strbuf_addch(sb, ':');
	strbuf_addstr(sb, msg);
	strbuf_addch(sb, '\n');
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	kt_ctx_init(&f->ctx);
	strbuf_init(&f->log, 0);
	f->ctx.log_fn = log_sink;
	f->ctx.log_data = &f->log;
	f->ctx.log_level = KT_LOG_DEBUG;
	if (!tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/kt-input-XXXXXX", tmp);
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		chmod(path, 0700);
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->dir, 0700);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	strbuf_release(&f->log);
	kt_ctx_release(&f->ctx);
	free(f);
	return 0;
}

/* ------------------------------------------------------------ fixtures */

/* Deterministic text: numbered log lines, len bytes. */
static void make_text(struct strbuf *sb, size_t len, unsigned seed)
{
	unsigned i = 0;

	for (; sb->len < len; i++)
		strbuf_addf(sb, "<%u>line %u of %u: kernel: something %u\n",
			    seed % 8, i, seed, (i * 2654435761u) ^ seed);
	strbuf_setlen(sb, len);
}

/* Appends one gzip member holding data. */
static void add_gzip(struct strbuf *out, const void *data, size_t len)
{
	z_stream zs;
	size_t bound;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	bound = deflateBound(&zs, len) + 64;
	strbuf_grow(out, bound);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (unsigned char *)out->buf + out->len;
	zs.avail_out = (uInt)bound;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	strbuf_setlen(out, out->len + (bound - zs.avail_out));
	deflateEnd(&zs);
}

/* Appends one zstd frame holding data. */
static void add_zstd(struct strbuf *out, const void *data, size_t len)
{
	size_t bound = ZSTD_compressBound(len), n;

	strbuf_grow(out, bound);
	n = ZSTD_compress(out->buf + out->len, bound, data, len, 3);
	assert_false(ZSTD_isError(n));
	strbuf_setlen(out, out->len + n);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

static char *tpath(const struct fixture *f, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", f->dir, rel);
	return strbuf_detach(&sb, NULL);
}

static void mkdir_rel(const struct fixture *f, const char *rel)
{
	char *p = tpath(f, rel);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void write_rel(const struct fixture *f, const char *rel, const char *s)
{
	char *p = tpath(f, rel);

	write_str(p, s);
	free(p);
}

/* Reads in to the end in chunks of cap bytes; returns the final rc. */
static int read_all(struct kt_ctx *ctx, struct kt_input *in, size_t cap,
		    struct strbuf *out)
{
	char *buf = xmalloc(cap);
	size_t got;
	int rc;

	for (;;) {
		rc = kt_input_read(ctx, in, buf, cap, &got);
		if (rc || !got)
			break;
		assert_true(got <= cap);
		strbuf_add(out, buf, got);
	}
	free(buf);
	return rc;
}

static int read_mem(struct kt_ctx *ctx, const struct strbuf *data, size_t cap,
		    struct strbuf *out)
{
	struct kt_input *in;
	int rc;

	assert_int_equal(kt_input_open_mem(ctx, data->buf, data->len, &in), 0);
	rc = read_all(ctx, in, cap, out);
	kt_input_close(in);
	return rc;
}

static void assert_buf_equal(const struct strbuf *a, const struct strbuf *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->buf, b->buf, a->len);
}

/* The list's paths relative to the fixture dir, one per line. */
static void list_paths(const struct fixture *f,
		       const struct kt_input_list *list, struct strbuf *sb)
{
	size_t i, n = strlen(f->dir);

	for (i = 0; i < list->nr; i++) {
		const char *p = list->item[i].path;

		if (!strncmp(p, f->dir, n) && p[n] == '/')
			p += n + 1;
		strbuf_addstr(sb, p);
		strbuf_addch(sb, '\n');
	}
}

/* ---------------------------------------------------------- byte streams */

static void test_plain_mem(void **state)
{
	struct fixture *f = *state;
	struct strbuf data = STRBUF_INIT, out = STRBUF_INIT;

	make_text(&data, 300000, 1);
	assert_int_equal(read_mem(&f->ctx, &data, 7, &out), 0);
	assert_buf_equal(&data, &out);

	/* fewer bytes than a magic number */
	strbuf_reset(&data);
	strbuf_reset(&out);
	strbuf_addstr(&data, "\x1f");
	assert_int_equal(read_mem(&f->ctx, &data, 4096, &out), 0);
	assert_buf_equal(&data, &out);

	strbuf_reset(&data);
	strbuf_reset(&out);
	assert_int_equal(read_mem(&f->ctx, &data, 4096, &out), 0);
	assert_int_equal(out.len, 0);
	strbuf_release(&data);
	strbuf_release(&out);
}

static void test_gzip(void **state)
{
	struct fixture *f = *state;
	struct strbuf data = STRBUF_INIT, gz = STRBUF_INIT, out = STRBUF_INIT;

	make_text(&data, 1000000, 2);
	add_gzip(&gz, data.buf, data.len);
	assert_int_equal(read_mem(&f->ctx, &gz, 65536, &out), 0);
	assert_buf_equal(&data, &out);
	/* tiny reads cross every internal boundary */
	strbuf_reset(&out);
	assert_int_equal(read_mem(&f->ctx, &gz, 1, &out), 0);
	assert_buf_equal(&data, &out);
	assert_int_equal(f->log.len, 0);
	strbuf_release(&data);
	strbuf_release(&gz);
	strbuf_release(&out);
}

static void test_gzip_multi_member(void **state)
{
	struct fixture *f = *state;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, gz = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, both = STRBUF_INIT;

	make_text(&a, 200000, 3);
	make_text(&b, 150001, 4);
	add_gzip(&gz, a.buf, a.len);
	add_gzip(&gz, "", 0);
	add_gzip(&gz, b.buf, b.len);
	strbuf_add(&both, a.buf, a.len);
	strbuf_add(&both, b.buf, b.len);
	assert_int_equal(read_mem(&f->ctx, &gz, 10000, &out), 0);
	assert_buf_equal(&both, &out);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&gz);
	strbuf_release(&out);
	strbuf_release(&both);
}

static void test_gzip_trailing_garbage(void **state)
{
	struct fixture *f = *state;
	struct strbuf gz = STRBUF_INIT, out = STRBUF_INIT;

	add_gzip(&gz, "one\ntwo\n", 8);
	strbuf_addstr(&gz, "junk");
	assert_int_equal(read_mem(&f->ctx, &gz, 4096, &out), 0);
	assert_string_equal(out.buf, "one\ntwo\n");
	assert_string_equal(f->log.buf, "W:ignoring trailing garbage after "
			    "gzip data in '<memory>'\n");
	strbuf_release(&gz);
	strbuf_release(&out);
}

static void test_zstd_frames(void **state)
{
	struct fixture *f = *state;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, zs = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, both = STRBUF_INIT;
	/* a skippable frame: magic, 4-byte length, payload */
	static const char skip_frame[] = "\x50\x2a\x4d\x18\x03\x00\x00\x00xyz";

	make_text(&a, 700000, 5);
	make_text(&b, 3, 6);
	add_zstd(&zs, a.buf, a.len);
	strbuf_add(&zs, skip_frame, sizeof(skip_frame) - 1);
	add_zstd(&zs, b.buf, b.len);
	strbuf_add(&both, a.buf, a.len);
	strbuf_add(&both, b.buf, b.len);
	assert_int_equal(read_mem(&f->ctx, &zs, 65536, &out), 0);
	assert_buf_equal(&both, &out);
	strbuf_reset(&out);
	assert_int_equal(read_mem(&f->ctx, &zs, 3, &out), 0);
	assert_buf_equal(&both, &out);

	/* a stream that starts with a skippable frame is still zstd */
	strbuf_reset(&zs);
	strbuf_reset(&out);
	strbuf_add(&zs, skip_frame, sizeof(skip_frame) - 1);
	add_zstd(&zs, b.buf, b.len);
	assert_int_equal(read_mem(&f->ctx, &zs, 100, &out), 0);
	assert_buf_equal(&b, &out);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&zs);
	strbuf_release(&out);
	strbuf_release(&both);
}

/* A cut stream gives a prefix of the data, then a clean error. */
static void check_truncated(struct fixture *f, bool zstd)
{
	struct strbuf data = STRBUF_INIT, comp = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;
	char want[128];
	size_t got;
	struct kt_input *in;
	char buf[64];
	int rc;

	make_text(&data, 400000, 7);
	if (zstd)
		add_zstd(&comp, data.buf, data.len);
	else
		add_gzip(&comp, data.buf, data.len);
	strbuf_setlen(&comp, comp.len / 2);
	rc = read_mem(&f->ctx, &comp, 4096, &out);
	assert_int_equal(rc, KT_ERR_FORMAT);
	snprintf(want, sizeof(want), "cannot read '<memory>': truncated %s "
		 "data", zstd ? "zstd" : "gzip");
	assert_string_equal(kt_ctx_error(&f->ctx), want);
	/* everything decodable was handed out first, and it is right */
	assert_true(out.len > 100000);
	assert_true(out.len < data.len);
	assert_memory_equal(out.buf, data.buf, out.len);

	/* the failure sticks */
	assert_int_equal(kt_input_open_mem(&f->ctx, comp.buf, comp.len, &in),
			 0);
	strbuf_reset(&out);
	assert_int_equal(read_all(&f->ctx, in, 4096, &out), KT_ERR_FORMAT);
	assert_int_equal(kt_input_read(&f->ctx, in, buf, sizeof(buf), &got),
			 KT_ERR_FORMAT);
	assert_int_equal(got, 0);
	kt_input_close(in);

	/* only the header */
	strbuf_setlen(&comp, zstd ? 4 : 10);
	strbuf_reset(&out);
	assert_int_equal(read_mem(&f->ctx, &comp, 4096, &out), KT_ERR_FORMAT);
	assert_int_equal(out.len, 0);
	assert_string_equal(kt_ctx_error(&f->ctx), want);
	strbuf_release(&data);
	strbuf_release(&comp);
	strbuf_release(&out);
}

static void test_truncated_gzip(void **state)
{
	check_truncated(*state, false);
}

static void test_truncated_zstd(void **state)
{
	check_truncated(*state, true);
}

static void test_garbage_after_magic(void **state)
{
	struct fixture *f = *state;
	struct strbuf data = STRBUF_INIT, out = STRBUF_INIT;
	uint32_t x = 12345;
	int round, i;

	for (round = 0; round < 64; round++) {
		strbuf_reset(&data);
		if (round % 2)
			strbuf_add(&data, "\x28\xb5\x2f\xfd", 4);
		else
			strbuf_add(&data, "\x1f\x8b", 2);
		for (i = 0; i < 5000 + round * 37; i++) {
			x = x * 1103515245 + 12345;
			strbuf_addch(&data, (int)(x >> 24));
		}
		strbuf_reset(&out);
		assert_int_equal(read_mem(&f->ctx, &data, 4096, &out),
				 KT_ERR_FORMAT);
		assert_true(!strncmp(kt_ctx_error(&f->ctx),
				     "cannot read '<memory>': ", 24));
	}
	/* a valid header followed by a corrupt deflate stream */
	strbuf_reset(&data);
	add_gzip(&data, "hello\n", 6);
	data.buf[10] = (char)0xff;
	strbuf_reset(&out);
	assert_int_equal(read_mem(&f->ctx, &data, 4096, &out), KT_ERR_FORMAT);
	assert_string_equal(kt_ctx_error(&f->ctx), "cannot read '<memory>': "
			    "corrupt gzip data (invalid block type)");
	strbuf_release(&data);
	strbuf_release(&out);
}

/* Every cut and every damaged byte: a prefix of the data, then 0 or a
 * clean KT_ERR_FORMAT; never a crash or a hang. */
static void test_cut_and_flip(void **state)
{
	struct fixture *f = *state;
	struct strbuf data = STRBUF_INIT, comp = STRBUF_INIT;
	struct strbuf cut = STRBUF_INIT, out = STRBUF_INIT;
	int codec, rc;
	size_t i;

	make_text(&data, 5000, 9);
	for (codec = 0; codec < 2; codec++) {
		strbuf_reset(&comp);
		if (codec)
			add_zstd(&comp, data.buf, data.len);
		else
			add_gzip(&comp, data.buf, data.len);
		for (i = 0; i < comp.len; i++) {
			strbuf_reset(&cut);
			strbuf_add(&cut, comp.buf, i);
			strbuf_reset(&out);
			rc = read_mem(&f->ctx, &cut, 512, &out);
			/* fewer than 4 bytes of zstd magic read as text */
			if (i >= 4)
				assert_int_equal(rc, KT_ERR_FORMAT);
			if (i >= 4)
				assert_true(out.len <= data.len &&
					    !memcmp(out.buf, data.buf,
						    out.len));
		}
		for (i = 0; i < comp.len; i++) {
			strbuf_reset(&cut);
			strbuf_add(&cut, comp.buf, comp.len);
			cut.buf[i] ^= 0x55;
			strbuf_reset(&out);
			rc = read_mem(&f->ctx, &cut, 512, &out);
			assert_true(rc == 0 || rc == KT_ERR_FORMAT);
			assert_true(out.len <= 2 * data.len + comp.len);
		}
	}
	strbuf_release(&data);
	strbuf_release(&comp);
	strbuf_release(&cut);
	strbuf_release(&out);
}

static void test_large_output_small_input(void **state)
{
	struct fixture *f = *state;
	struct strbuf zeros = STRBUF_INIT, gz = STRBUF_INIT;
	struct kt_input *in;
	char *buf = xmalloc(65536);
	size_t total = 0, got, i;

	strbuf_grow(&zeros, 1 << 20);
	memset(zeros.buf, 'a', 1 << 20);
	strbuf_setlen(&zeros, 1 << 20);
	for (i = 0; i < 32; i++)
		add_gzip(&gz, zeros.buf, zeros.len);
	assert_true(gz.len < 64 * 1024);
	assert_int_equal(kt_input_open_mem(&f->ctx, gz.buf, gz.len, &in), 0);
	for (;;) {
		assert_int_equal(kt_input_read(&f->ctx, in, buf, 65536, &got),
				 0);
		if (!got)
			break;
		total += got;
	}
	assert_int_equal(total, (size_t)32 << 20);
	kt_input_close(in);
	free(buf);
	strbuf_release(&zeros);
	strbuf_release(&gz);
}

/* Compression is found from the bytes, not the name. */
static void test_file_magic_not_name(void **state)
{
	struct fixture *f = *state;
	struct strbuf gz = STRBUF_INIT, out = STRBUF_INIT;
	struct kt_input_list list;
	const char *paths[2];
	struct kt_input *in;
	char *p1 = tpath(f, "kern.log"), *p2 = tpath(f, "plain.gz");

	add_gzip(&gz, "compressed\n", 11);
	write_file(p1, gz.buf, gz.len);
	write_str(p2, "not compressed\n");
	paths[0] = p1;
	paths[1] = p2;
	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, paths, 2, 0, &list), 0);
	assert_int_equal(list.nr, 2);
	assert_int_equal(list.item[0].kind, KT_INPUT_FILE);
	assert_int_equal(kt_input_open(&f->ctx, &list.item[0], &in), 0);
	assert_int_equal(read_all(&f->ctx, in, 4096, &out), 0);
	kt_input_close(in);
	assert_string_equal(out.buf, "compressed\n");
	strbuf_reset(&out);
	assert_int_equal(kt_input_open(&f->ctx, &list.item[1], &in), 0);
	assert_int_equal(read_all(&f->ctx, in, 4096, &out), 0);
	kt_input_close(in);
	assert_string_equal(out.buf, "not compressed\n");
	kt_input_list_release(&list);
	free(p1);
	free(p2);
	strbuf_release(&gz);
	strbuf_release(&out);
}

/* "-": standard input, here a pipe fed in small pieces by a child. */
static void test_stdin_pipe(void **state)
{
	struct fixture *f = *state;
	struct strbuf data = STRBUF_INIT, zs = STRBUF_INIT, out = STRBUF_INIT;
	struct kt_input_list list;
	const char *dash = "-";
	struct kt_input *in;
	int fds[2], saved, status;
	pid_t pid;

	make_text(&data, 100000, 8);
	add_zstd(&zs, data.buf, data.len);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		size_t off = 0;

		close(fds[0]);
		while (off < zs.len) {
			size_t n = KT_MIN((size_t)3, zs.len - off);

			if (write(fds[1], zs.buf + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
			if (off < 64)
				usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], 0), 0);
	close(fds[0]);

	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, &dash, 1, 0, &list), 0);
	assert_int_equal(list.nr, 1);
	assert_int_equal(list.item[0].kind, KT_INPUT_STDIN);
	assert_string_equal(list.item[0].display, "-");
	assert_int_equal(kt_input_open(&f->ctx, &list.item[0], &in), 0);
	assert_int_equal(read_all(&f->ctx, in, 5000, &out), 0);
	kt_input_close(in);

	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	assert_buf_equal(&data, &out);
	kt_input_list_release(&list);
	strbuf_release(&data);
	strbuf_release(&zs);
	strbuf_release(&out);
}

/* ----------------------------------------------------------- expansion */

static void test_rotate_cmp(void **state)
{
	static const char *const ordered[] = {
		"auth.log", "kern.log.3.gz", "kern.log.2.gz", "kern.log.1",
		"kern.log", "messages-20250101", "messages-20250108.gz",
		"messages", "syslog.10.gz", "syslog.9.gz", "syslog.1",
		"syslog", "system@0001-0002.journal", "system.journal",
	};
	struct kt_rotate_key key;
	size_t i, j;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(ordered); i++) {
		for (j = 0; j < KT_ARRAY_SIZE(ordered); j++) {
			int c = kt_rotate_cmp(ordered[i], ordered[j]);

			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
	}
	kt_rotate_key("messages-20250108-1736294400.gz", &key);
	assert_true(kt_str_eq_cstr(key.family, "messages"));
	assert_int_equal(key.kind, KT_ROTATE_DATED);
	assert_true(kt_str_eq_cstr(key.stamp, "20250108-1736294400"));
	kt_rotate_key("Xorg.0.log", &key);
	assert_true(kt_str_eq_cstr(key.family, "Xorg.0.log"));
	assert_int_equal(key.kind, KT_ROTATE_CURRENT);
	kt_rotate_key("app-1.2", &key);
	assert_true(kt_str_eq_cstr(key.family, "app-1"));
	assert_int_equal(key.kind, KT_ROTATE_NUMBERED);
	assert_int_equal(key.number, 2);
	kt_rotate_key("wtmp.1", &key);
	assert_true(kt_str_eq_cstr(key.family, "wtmp"));
}

static void test_expand_dir_rotation(void **state)
{
	struct fixture *f = *state;
	struct strbuf gz = STRBUF_INIT, got = STRBUF_INIT;
	struct kt_input_list list;
	static const char *const text[] = {
		"kern.log", "kern.log.1", "messages", "messages-20250101",
		"syslog", "sub/deeper/a.log", "sub/b.log", "wtmp",
		"btmp.1",
	};
	static const char *const gzipped[] = {
		"kern.log.2.gz", "kern.log.3.gz", "messages-20250108.gz",
		"syslog.9.gz", "syslog.10.gz",
	};
	const char *paths[1];
	size_t i;
	char *root = tpath(f, "logs");

	mkdir_rel(f, "logs");
	mkdir_rel(f, "logs/sub");
	mkdir_rel(f, "logs/sub/deeper");
	for (i = 0; i < KT_ARRAY_SIZE(text); i++) {
		struct strbuf rel = STRBUF_INIT;

		strbuf_addf(&rel, "logs/%s", text[i]);
		write_rel(f, rel.buf, "a line\n");
		strbuf_release(&rel);
	}
	add_gzip(&gz, "a line\n", 7);
	for (i = 0; i < KT_ARRAY_SIZE(gzipped); i++) {
		char *p;
		struct strbuf rel = STRBUF_INIT;

		strbuf_addf(&rel, "logs/%s", gzipped[i]);
		p = tpath(f, rel.buf);
		write_file(p, gz.buf, gz.len);
		free(p);
		strbuf_release(&rel);
	}
	/* NUL bytes after decompression: binary, skipped with a warning */
	strbuf_reset(&gz);
	add_gzip(&gz, "text\0binary", 11);
	{
		char *p = tpath(f, "logs/blob.gz");

		write_file(p, gz.buf, gz.len);
		free(p);
	}
	/* a zero-length file is a (quiet) log */
	write_rel(f, "logs/empty.log", "");

	paths[0] = root;
	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, paths, 1, 0, &list), 0);
	list_paths(f, &list, &got);
	assert_string_equal(got.buf,
			    "logs/empty.log\n"
			    "logs/kern.log.3.gz\n"
			    "logs/kern.log.2.gz\n"
			    "logs/kern.log.1\n"
			    "logs/kern.log\n"
			    "logs/messages-20250101\n"
			    "logs/messages-20250108.gz\n"
			    "logs/messages\n"
			    "logs/sub/b.log\n"
			    "logs/sub/deeper/a.log\n"
			    "logs/syslog.10.gz\n"
			    "logs/syslog.9.gz\n"
			    "logs/syslog\n");
	assert_int_equal(list.skipped, 3);
	for (i = 0; i < list.nr; i++) {
		assert_int_equal(list.item[i].kind, KT_INPUT_FILE);
		assert_string_equal(list.item[i].path, list.item[i].display);
		assert_true(list.item[i].mtime > 0);
	}
	strbuf_reset(&got);
	strbuf_addf(&got, "W:skipping '%s/blob.gz': binary data\n", root);
	assert_non_null(strstr(f->log.buf, got.buf));
	strbuf_reset(&got);
	strbuf_addf(&got, "I:skipping '%s/wtmp': not a text log\n", root);
	assert_non_null(strstr(f->log.buf, got.buf));
	assert_null(strstr(f->log.buf, "E:"));
	kt_input_list_release(&list);
	free(root);
	strbuf_release(&gz);
	strbuf_release(&got);
}

static void test_expand_named_order_and_mtime(void **state)
{
	struct fixture *f = *state;
	struct kt_input_list list;
	struct timeval tv[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	char *b = tpath(f, "b.log"), *a = tpath(f, "a.log");
	char *bin = tpath(f, "wtmp");
	const char *paths[3] = { b, a, bin };

	write_str(a, "a\n");
	write_str(b, "b\n");
	write_file(bin, "\0\0\0", 3);
	assert_int_equal(utimes(b, tv), 0);
	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, paths, 3, 0, &list), 0);
	assert_int_equal(list.nr, 3);
	assert_string_equal(list.item[0].path, b);
	assert_string_equal(list.item[1].path, a);
	/* a file named explicitly is always read */
	assert_string_equal(list.item[2].path, bin);
	assert_int_equal(list.item[0].mtime, 1700000000);
	assert_int_equal(list.skipped, 0);
	kt_input_list_release(&list);
	free(a);
	free(b);
	free(bin);
}

static void test_expand_symlink_loop(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct kt_input_list list;
	char *root = tpath(f, "d");
	char *loop = tpath(f, "d/a/b/loop");
	char *other = tpath(f, "d/z-again");
	const char *paths[1] = { root };

	mkdir_rel(f, "d");
	mkdir_rel(f, "d/a");
	mkdir_rel(f, "d/a/b");
	write_rel(f, "d/a/b/x.log", "x\n");
	write_rel(f, "d/top.log", "t\n");
	assert_int_equal(symlink("../..", loop), 0);
	/* not a loop, but the same directory again: read once */
	assert_int_equal(symlink("a", other), 0);
	/* pointing nowhere: a warning, not an error */
	{
		char *dangling = tpath(f, "d/a/dangling.log");

		assert_int_equal(symlink("nowhere", dangling), 0);
		strbuf_addf(&want, "W:skipping '%s': dangling symbolic link\n",
			    dangling);
		free(dangling);
	}
	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, paths, 1, 0, &list), 0);
	list_paths(f, &list, &got);
	assert_string_equal(got.buf, "d/a/b/x.log\nd/top.log\n");
	assert_non_null(strstr(f->log.buf, want.buf));
	strbuf_reset(&want);
	strbuf_addf(&want, "W:skipping '%s': directory loop\n", loop);
	assert_non_null(strstr(f->log.buf, want.buf));
	strbuf_reset(&want);
	strbuf_addf(&want, "I:skipping '%s': already read\n", other);
	assert_non_null(strstr(f->log.buf, want.buf));
	assert_int_equal(list.skipped, 3);
	assert_null(strstr(f->log.buf, "E:"));
	kt_input_list_release(&list);
	free(root);
	free(loop);
	free(other);
	strbuf_release(&got);
	strbuf_release(&want);
}

static void test_expand_unreadable(void **state)
{
	struct fixture *f = *state;
	struct strbuf want = STRBUF_INIT;
	struct kt_input_list list;
	char *good = tpath(f, "good.log"), *gone = tpath(f, "gone.log");
	char *gone2 = tpath(f, "gone2.log"), *locked = tpath(f, "locked.log");
	const char *paths[4] = { gone, good, locked, gone2 };

	write_str(good, "g\n");
	write_str(locked, "l\n");
	assert_int_equal(chmod(locked, 0), 0);
	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, paths, 4, 0, &list),
			 KT_ERR_IO);
	/* the last failure is in ctx, the earlier ones were logged */
	strbuf_addf(&want, "cannot open '%s': No such file or directory",
		    gone2);
	assert_string_equal(kt_ctx_error(&f->ctx), want.buf);
	strbuf_reset(&want);
	strbuf_addf(&want, "E:cannot open '%s': No such file or directory\n",
		    gone);
	if (geteuid()) {
		/* root reads a mode 000 file: only check as another user */
		strbuf_addf(&want, "E:cannot open '%s': Permission denied\n",
			    locked);
		assert_int_equal(list.nr, 1);
		assert_int_equal(list.skipped, 3);
	} else {
		assert_int_equal(list.nr, 2);
		assert_string_equal(list.item[1].path, locked);
	}
	assert_string_equal(f->log.buf, want.buf);
	assert_string_equal(list.item[0].path, good);
	kt_input_list_release(&list);
	free(good);
	free(gone);
	free(gone2);
	free(locked);
	strbuf_release(&want);
}

/* ------------------------------------------------------------ defaults */

static void test_defaults_fake_root(void **state)
{
	struct fixture *f = *state;
	struct strbuf got = STRBUF_INIT, gz = STRBUF_INIT;
	struct kt_input_list list;
	static const char *const dirs[] = {
		"root", "root/var", "root/var/log", "root/var/crash",
		"root/var/crash/202501020304", "root/var/crash/202412010000",
		"root/var/crash/empty", "root/sys", "root/sys/fs",
		"root/sys/fs/pstore", "root/var/lib", "root/var/lib/systemd",
		"root/var/lib/systemd/pstore",
		"root/var/lib/systemd/pstore/1735689600",
		"root/var/lib/systemd/pstore/1735689600/001", "root/dev",
	};
	static const char *const files[] = {
		"root/var/log/messages", "root/var/log/messages-20250101",
		"root/var/log/syslog", "root/var/log/kern.log",
		"root/var/log/kern.log.1", "root/var/log/dpkg.log",
		"root/var/crash/202501020304/vmcore-dmesg.txt",
		"root/var/crash/202412010000/vmcore-dmesg.txt",
		"root/sys/fs/pstore/dmesg-ramoops-0",
		"root/sys/fs/pstore/console-ramoops-0",
		"root/var/lib/systemd/pstore/1735689600/001/dmesg.txt",
		"root/dev/kmsg",
	};
	char *root = tpath(f, "root");
	size_t i;

	for (i = 0; i < KT_ARRAY_SIZE(dirs); i++)
		mkdir_rel(f, dirs[i]);
	for (i = 0; i < KT_ARRAY_SIZE(files); i++)
		write_rel(f, files[i], "<6>[    1.000000] text\n");
	add_gzip(&gz, "old\n", 4);
	{
		char *p = tpath(f, "root/var/log/messages-20250108.gz");

		write_file(p, gz.buf, gz.len);
		free(p);
	}

	kt_input_list_init(&list);
	assert_int_equal(kt_input_defaults_root(&f->ctx, root, &list), 0);
	list_paths(f, &list, &got);
	/* one text family, so kernel lines are read once; no kmsg */
	assert_string_equal(got.buf,
			    "root/var/log/messages-20250101\n"
			    "root/var/log/messages-20250108.gz\n"
			    "root/var/log/messages\n"
			    "root/var/crash/202412010000/vmcore-dmesg.txt\n"
			    "root/var/crash/202501020304/vmcore-dmesg.txt\n"
			    "root/sys/fs/pstore/console-ramoops-0\n"
			    "root/sys/fs/pstore/dmesg-ramoops-0\n"
			    "root/var/lib/systemd/pstore/1735689600/001/"
			    "dmesg.txt\n");
	assert_null(strstr(f->log.buf, "W:"));
	assert_null(strstr(f->log.buf, "E:"));
	kt_input_list_release(&list);

	/* no messages: syslog; then kern.log */
	for (i = 0; i < 3; i++) {
		static const char *const gone[] = {
			"root/var/log/messages",
			"root/var/log/messages-20250101",
			"root/var/log/messages-20250108.gz",
		};
		char *p = tpath(f, gone[i]);

		assert_int_equal(unlink(p), 0);
		free(p);
	}
	kt_input_list_init(&list);
	assert_int_equal(kt_input_defaults_root(&f->ctx, root, &list), 0);
	assert_true(list.nr > 0);
	assert_true(strstr(list.item[0].path, "/var/log/syslog") != NULL);
	assert_true(strstr(list.item[1].path, "/var/crash/") != NULL);
	kt_input_list_release(&list);
	{
		char *p = tpath(f, "root/var/log/syslog");

		assert_int_equal(unlink(p), 0);
		free(p);
	}
	kt_input_list_init(&list);
	assert_int_equal(kt_input_defaults_root(&f->ctx, root, &list), 0);
	assert_true(strstr(list.item[0].path, "/var/log/kern.log.1") != NULL);
	assert_true(strstr(list.item[1].path, "/var/log/kern.log") != NULL);
	assert_int_equal(list.item[list.nr - 1].kind, KT_INPUT_FILE);
	kt_input_list_release(&list);

	/* no persisted kernel log at all: the ring buffer, last */
	{
		char *p = tpath(f, "root/var/log/kern.log"),
		     *q = tpath(f, "root/var/log/kern.log.1");

		assert_int_equal(unlink(p), 0);
		assert_int_equal(unlink(q), 0);
		free(p);
		free(q);
	}
	kt_input_list_init(&list);
	assert_int_equal(kt_input_defaults_root(&f->ctx, root, &list), 0);
	assert_int_equal(list.nr, 6);
	assert_int_equal(list.item[5].kind, KT_INPUT_KMSG);
	strbuf_reset(&got);
	strbuf_addf(&got, "%s/dev/kmsg", root);
	assert_string_equal(list.item[5].path, got.buf);
	kt_input_list_release(&list);

	strbuf_release(&got);
	strbuf_release(&gz);
	free(root);
}

static void test_defaults_unreadable_and_missing(void **state)
{
	struct fixture *f = *state;
	struct strbuf want = STRBUF_INIT;
	struct kt_input_list list;
	char *root = tpath(f, "r"), *msgs = tpath(f, "r/var/log/messages");

	/* an empty root: nothing found, nothing to warn about */
	mkdir_rel(f, "r");
	kt_input_list_init(&list);
	assert_int_equal(kt_input_defaults_root(&f->ctx, root, &list), 0);
	assert_int_equal(list.nr, 0);
	assert_null(strstr(f->log.buf, "W:"));
	kt_input_list_release(&list);

	if (geteuid()) {
		mkdir_rel(f, "r/var");
		mkdir_rel(f, "r/var/log");
		write_str(msgs, "x\n");
		assert_int_equal(chmod(msgs, 0), 0);
		strbuf_reset(&f->log);
		kt_input_list_init(&list);
		assert_int_equal(kt_input_defaults_root(&f->ctx, root, &list),
				 0);
		assert_int_equal(list.nr, 0);
		assert_int_equal(list.skipped, 1);
		strbuf_addf(&want, "W:cannot open '%s': Permission denied\n",
			    msgs);
		assert_non_null(strstr(f->log.buf, want.buf));
		kt_input_list_release(&list);
	}
	free(root);
	free(msgs);
	strbuf_release(&want);
}

/* ---------------------------------------------------------------- kmsg */

/* The kmsg source stops at EAGAIN: it never waits for more records. */
static void test_kmsg_nonblocking(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT, path = STRBUF_INIT;
	static const char records[] =
		"6,1,1000,-;first record\n SUBSYSTEM=pci\n"
		"4,2,2000,-;second record\n";
	struct kt_input_item item;
	struct kt_input *in;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], records, sizeof(records) - 1),
			 (ssize_t)sizeof(records) - 1);
	/* the write end stays open: a blocking read would hang here */
	strbuf_addf(&path, "/proc/self/fd/%d", fds[0]);
	memset(&item, 0, sizeof(item));
	item.path = path.buf;
	item.display = path.buf;
	item.kind = KT_INPUT_KMSG;
	assert_int_equal(kt_input_open(&f->ctx, &item, &in), 0);
	assert_int_equal(read_all(&f->ctx, in, 10, &out), 0);
	assert_string_equal(out.buf, records);
	assert_int_equal(kt_input_lost_records(in), 0);
	kt_input_close(in);
	close(fds[0]);
	close(fds[1]);
	strbuf_release(&out);
	strbuf_release(&path);
}

/* The real ring buffer, when this machine lets us read it. */
static void test_kmsg_device(void **state)
{
	struct fixture *f = *state;
	struct strbuf out = STRBUF_INIT;
	const char *dev = "/dev/kmsg";
	struct kt_input_list list;
	struct kt_input *in;
	int fd = open(dev, O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		skip();
		return;
	}
	close(fd);
	kt_input_list_init(&list);
	assert_int_equal(kt_input_expand(&f->ctx, &dev, 1, 0, &list), 0);
	assert_int_equal(list.item[0].kind, KT_INPUT_KMSG);
	assert_int_equal(kt_input_open(&f->ctx, &list.item[0], &in), 0);
	assert_int_equal(read_all(&f->ctx, in, 100, &out), 0);
	kt_input_close(in);
	/* records: "pri,seq,usec,flags;text" */
	if (out.len) {
		assert_true(kt_is_digit((unsigned char)out.buf[0]));
		assert_non_null(memchr(out.buf, ';', out.len));
		assert_int_equal(out.buf[out.len - 1], '\n');
	}
	kt_input_list_release(&list);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_plain_mem),
		T(test_gzip),
		T(test_gzip_multi_member),
		T(test_gzip_trailing_garbage),
		T(test_zstd_frames),
		T(test_truncated_gzip),
		T(test_truncated_zstd),
		T(test_garbage_after_magic),
		T(test_cut_and_flip),
		T(test_large_output_small_input),
		T(test_file_magic_not_name),
		T(test_stdin_pipe),
		T(test_rotate_cmp),
		T(test_expand_dir_rotation),
		T(test_expand_named_order_and_mtime),
		T(test_expand_symlink_loop),
		T(test_expand_unreadable),
		T(test_defaults_fake_root),
		T(test_defaults_unreadable_and_missing),
		T(test_kmsg_nonblocking),
		T(test_kmsg_device),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
