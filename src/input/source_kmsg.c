/*
 * source_kmsg.c - the kernel ring buffer, /dev/kmsg, read record by
 * record without blocking.
 *
 * Input stage: hands the records out unchanged ("6,1234,5678901,-;text"
 * plus " KEY=value" continuation lines); the framer parses that format.
 */
#include "base/compat.h"
#include "base/parse.h"
#include "base/xalloc.h"
#include "input/source.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* One read() returns one record; a buffer below 8 KiB may get EINVAL. */
#define REC_SIZE (16 * 1024)

struct kmsg_src {
	int fd;			/* owned; closed by kmsg_close */
	char *rec;		/* owned; REC_SIZE bytes: the last record */
	size_t off, len;	/* unread part of the record: rec[off, len) */
	bool eof;		/* EAGAIN seen: the buffer is drained */
	bool have_seq;
	uint64_t last_seq;	/* sequence number of the last record */
	bool overrun;		/* EPIPE seen since the last record */
	bool records;		/* the real device: one read, one record */
};

static bool kmsg_probe(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 1 && minor(st.st_rdev) == 11;
}

static int kmsg_open(struct kt_ctx *ctx, struct kt_source *src,
		     const char *path)
{
	struct kmsg_src *k;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s",
				src->name, strerror(errno));
	k = xcalloc(1, sizeof(*k));
	k->fd = fd;
	k->rec = xmalloc(REC_SIZE);
	k->records = !fstat(fd, &st) && S_ISCHR(st.st_mode);
	src->data = k;
	return 0;
}

/* Counts records the kernel overwrote before we could read them. */
static void count_lost(struct kt_source *src, struct kmsg_src *k)
{
	const char *p = memchr(k->rec, ',', k->len);
	uint64_t seq;

	if (p) {
		p++;
		if (kt_parse_u64(&p, k->rec + k->len, &seq))
			p = NULL;
	}
	if (p && k->have_seq && seq > k->last_seq + 1)
		src->lost += seq - k->last_seq - 1;
	else if (k->overrun)
		src->lost++;
	if (p) {
		k->have_seq = true;
		k->last_seq = seq;
	}
	k->overrun = false;
}

static int kmsg_read(struct kt_ctx *ctx, struct kt_source *src, char *buf,
		     size_t cap, size_t *got)
{
	struct kmsg_src *k = src->data;
	ssize_t n;

	*got = 0;
	while (k->off == k->len && !k->eof) {
		n = read(k->fd, k->rec, REC_SIZE);
		if (n > 0) {
			k->off = 0;
			k->len = (size_t)n;
			if (k->records)
				count_lost(src, k);
		} else if (!n || errno == EAGAIN || errno == EWOULDBLOCK) {
			k->eof = true;
		} else if (errno == EPIPE) {
			k->overrun = true;
		} else if (errno != EINTR) {
			return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
					src->name, strerror(errno));
		}
	}
	*got = KT_MIN(cap, k->len - k->off);
	memcpy(buf, k->rec + k->off, *got);
	k->off += *got;
	return 0;
}

static void kmsg_close(struct kt_source *src)
{
	struct kmsg_src *k = src->data;

	if (!k)
		return;
	close(k->fd);
	free(k->rec);
	free(k);
	src->data = NULL;
}

const struct kt_source_ops kt_source_kmsg = {
	.name = "kmsg",
	.probe = kmsg_probe,
	.open = kmsg_open,
	.read = kmsg_read,
	.close = kmsg_close,
};
