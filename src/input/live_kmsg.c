/*
 * live_kmsg.c - /dev/kmsg followed for `ktriage watch`.
 *
 * Input stage, live side (input/live.h): hands out the records as the
 * batch kmsg source does ("6,1234,5678901,-;text" plus " KEY=value"
 * continuation lines), tracking the boot id and the sequence numbers so
 * that a cursor resumes after the last record of the same boot, or at
 * the first record of a new boot.  Records the kernel overwrote before
 * they were read (EPIPE) are counted from the gap in sequence numbers.
 *
 * A regular file of recorded records stands in for the device in tests:
 * records one after the other, a record being a line and the lines after
 * it that start with a space; lines starting with '-' are directives:
 * "-boot ID" (first line: the boot id of the recording) and "-EPIPE" (a
 * read() that failed with EPIPE here).
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/xalloc.h"
#include "input/livesrc.h"
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#define KMSG_PATH "/dev/kmsg"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
/* One read() returns one record; a buffer below 8 KiB may get EINVAL. */
#define REC_SIZE (16 * 1024)
#define BOOT_MAX 64
/* A recorded file is read this much at a time. */
#define CHUNK (64 * 1024)

struct kmsg_src {
	int fd;			/* owned; closed by kmsg_close */
	bool device;		/* a character device: one read, one record */
	char *rec;		/* owned; REC_SIZE bytes: the last record */
	size_t off, len;	/* not handed out yet: rec[off, len) */
	struct strbuf file;	/* owned; recorded file read, not parsed */
	bool file_eof;		/* the recorded file has nothing more now */
	char boot[BOOT_MAX];	/* boot id of the records ("-": unknown) */
	uint64_t expect;	/* sequence number of the next record */
	bool resuming;		/* records before resume_seq are skipped */
	uint64_t resume_seq, resume_skip;
	int err;		/* an error kept for the next read */
};

/* ----------------------------------------------------------- boot id */

static void set_boot(struct kmsg_src *k, const char *p, size_t len)
{
	size_t n = 0;

	while (n < len && n + 1 < sizeof(k->boot) &&
	       !kt_is_space((unsigned char)p[n]))
		n++;
	if (!n) {
		memcpy(k->boot, "-", 2);
		return;
	}
	memcpy(k->boot, p, n);
	k->boot[n] = '\0';
}

static void read_boot_id(struct kmsg_src *k)
{
	char buf[BOOT_MAX];
	ssize_t n = -1;
	int fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	set_boot(k, buf, n > 0 ? (size_t)n : 0);
}

/* ------------------------------------------------------ recorded file */

static int fill_file(struct kt_ctx *ctx, struct kt_live *l)
{
	struct kmsg_src *k = l->data;
	ssize_t n;

	for (;;) {
		strbuf_grow(&k->file, CHUNK);
		n = read(k->fd, k->file.buf + k->file.len, CHUNK);
		if (n > 0)
			strbuf_setlen(&k->file, k->file.len + (size_t)n);
		else if (!n)
			return 0;
		else if (errno != EINTR)
			return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
					l->name, strerror(errno));
	}
}

/* Length of the whole line at p, newline included; 0 if unfinished. */
static size_t line_len(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);

	return nl ? (size_t)(nl - p) + 1 : 0;
}

static void file_consume(struct kmsg_src *k, size_t n)
{
	memmove(k->file.buf, k->file.buf + n, k->file.len - n);
	strbuf_setlen(&k->file, k->file.len - n);
}

/*
 * The next record of a recorded file into rec, as read() gives one:
 * 1 a record, 0 none yet, -EPIPE an overrun directive.
 */
static int file_record(struct kt_ctx *ctx, struct kt_live *l)
{
	struct kmsg_src *k = l->data;
	size_t n, more;
	int rc;

	rc = fill_file(ctx, l);
	if (rc)
		return rc;
	for (;;) {
		n = line_len(k->file.buf, k->file.len);
		if (!n)
			return 0;
		if (k->file.buf[0] != '-')
			break;
		rc = n == 7 && !memcmp(k->file.buf, "-EPIPE\n", 7);
		file_consume(k, n);
		if (rc)
			return -EPIPE;
	}
	while (n < k->file.len && k->file.buf[n] == ' ') {
		more = line_len(k->file.buf + n, k->file.len - n);
		if (!more)
			break;
		n += more;
	}
	k->len = KT_MIN(n, (size_t)REC_SIZE);
	memcpy(k->rec, k->file.buf, k->len);
	k->off = 0;
	file_consume(k, n);
	return 1;
}

/* -------------------------------------------------------------- records */

/* The next record into rec: 1, 0 when none is there yet, or an error. */
static int next_record(struct kt_ctx *ctx, struct kt_live *l)
{
	struct kmsg_src *k = l->data;
	ssize_t n;
	int rc;

	for (;;) {
		if (!k->device) {
			rc = file_record(ctx, l);
			if (rc != -EPIPE)
				return rc;
			continue;	/* the gap in seq counts what is lost */
		}
		n = read(k->fd, k->rec, REC_SIZE);
		if (n > 0) {
			k->off = 0;
			k->len = (size_t)n;
			return 1;
		}
		if (!n || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		/* EPIPE: overwritten; the next read gives the oldest left */
		if (errno != EPIPE && errno != EINTR)
			return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
					l->name, strerror(errno));
	}
}

static bool record_seq(const struct kmsg_src *k, uint64_t *seq)
{
	const char *p = memchr(k->rec, ',', k->len);

	if (!p)
		return false;
	p++;
	return !kt_parse_u64(&p, k->rec + k->len, seq) &&
	       p < k->rec + k->len && *p == ',';
}

static void add_mark(struct kt_live *l, uint64_t seq, uint64_t pos)
{
	struct kt_live_mark m = { 0 };

	m.offset = l->offset;
	m.pos = pos;
	m.id[0] = seq;
	kt_live_mark_add(l, &m);
}

/*
 * Takes the record just read: counts the records missed before it, and
 * returns false when a resumed source has handed it out already.
 */
static bool take_record(struct kt_live *l)
{
	struct kmsg_src *k = l->data;
	uint64_t seq, skip = 0, gap;

	if (!record_seq(k, &seq))
		return true;	/* not a record: handed out as it is */
	if (k->resuming && seq < k->resume_seq)
		return false;
	if (k->resuming && seq == k->resume_seq)
		skip = KT_MIN(k->resume_skip, (uint64_t)k->len);
	if (seq > k->expect) {
		gap = seq - k->expect;
		/* a record begun before the restart is not lost */
		if (k->resuming && k->resume_skip)
			gap--;
		l->lost += gap;
	}
	k->resuming = false;
	k->expect = seq + 1;
	k->off = (size_t)skip;
	add_mark(l, seq, skip);
	return true;
}

static int kmsg_read(struct kt_ctx *ctx, struct kt_live *l, struct strbuf *out,
		     size_t cap, size_t *got)
{
	struct kmsg_src *k = l->data;
	size_t n;
	int rc = k->err;

	*got = 0;
	k->err = 0;
	if (rc)
		return rc;
	for (;;) {
		if (k->off == k->len) {
			rc = next_record(ctx, l);
			if (rc <= 0)
				break;
			if (!take_record(l)) {
				k->off = k->len;
				continue;
			}
		}
		n = kt_live_fit(k->rec + k->off, k->len - k->off, cap - *got,
				!*got);
		strbuf_add(out, k->rec + k->off, n);
		k->off += n;
		l->offset += n;
		*got += n;
		if (k->off < k->len)
			break;	/* no room left */
	}
	if (rc < 0 && *got) {
		k->err = rc;
		rc = 0;
	}
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ opening */

static int kmsg_open(struct kt_ctx *ctx, struct kt_live *l, const char *path,
		     const struct kt_live_cursor *cur)
{
	struct kmsg_src *k;
	struct stat st;
	int fd, rc;

	if (!path)
		path = KMSG_PATH;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s", path,
				strerror(errno));
	k = xcalloc(1, sizeof(*k));
	k->fd = fd;
	k->rec = xmalloc(REC_SIZE);
	strbuf_init(&k->file, 0);
	k->device = !fstat(fd, &st) && S_ISCHR(st.st_mode);
	l->data = k;
	if (k->device) {
		read_boot_id(k);
	} else {
		rc = fill_file(ctx, l);
		if (rc)
			return rc;
		if (k->file.len > 6 && !memcmp(k->file.buf, "-boot ", 6))
			set_boot(k, k->file.buf + 6, k->file.len - 6);
		else
			read_boot_id(k);
	}
	/* the same boot resumes after the cursor, another from its start */
	if (cur && kt_str_eq_cstr(cur->boot, k->boot) && strcmp(k->boot, "-")) {
		k->resuming = true;
		k->resume_seq = k->expect = cur->seq;
		k->resume_skip = cur->pos;
	}
	add_mark(l, k->expect, k->resuming ? k->resume_skip : 0);
	return 0;
}

static int kmsg_fd(const struct kt_live *l)
{
	const struct kmsg_src *k = l->data;

	return k->device ? k->fd : -1;
}

static void kmsg_cursor(const struct kt_live *l, const struct kt_live_mark *m,
			uint64_t pos, struct strbuf *out)
{
	const struct kmsg_src *k = l->data;

	strbuf_addf(out, " boot=%s seq=%" PRIu64 " skip=%" PRIu64, k->boot,
		    m->id[0], pos);
}

static void kmsg_close(struct kt_live *l)
{
	struct kmsg_src *k = l->data;

	close(k->fd);
	free(k->rec);
	strbuf_release(&k->file);
	free(k);
	l->data = NULL;
}

const struct kt_live_ops kt_live_kmsg = {
	.name = "kmsg",
	.open = kmsg_open,
	.read = kmsg_read,
	.fd = kmsg_fd,
	.cursor = kmsg_cursor,
	.close = kmsg_close,
};
