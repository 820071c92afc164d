/*
 * source_file.c - byte streams: regular files, standard input ("-"),
 * pipes and memory buffers, with gzip/zstd undone by decompress.c.
 *
 * Input stage: the catch-all source (last in sources.def); everything
 * that is not the journal or /dev/kmsg is read here.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "input/decompress.h"
#include "input/source.h"
#include <fcntl.h>
#include <unistd.h>

struct file_src {
	int fd;			/* -1 for memory; closed when own_fd */
	bool own_fd;		/* false for standard input */
	const char *mem;	/* borrowed from kt_input_open_mem's caller */
	size_t mem_len, mem_off;
	const char *name;	/* borrowed from the struct kt_source */
	struct kt_decompress *dec;	/* owned; freed by file_close */
};

static int fill(struct kt_ctx *ctx, void *data, char *buf, size_t cap,
		size_t *got)
{
	struct file_src *f = data;
	ssize_t n;

	if (f->fd < 0) {
		*got = KT_MIN(f->mem_len - f->mem_off, cap);
		memcpy(buf, f->mem + f->mem_off, *got);
		f->mem_off += *got;
		return 0;
	}
	do {
		n = read(f->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
				f->name, strerror(errno));
	*got = (size_t)n;
	return 0;
}

static bool file_probe(const char *path)
{
	(void)path;
	return true;
}

static struct file_src *file_new(struct kt_source *src)
{
	struct file_src *f = xcalloc(1, sizeof(*f));

	f->fd = -1;
	f->name = src->name;
	f->dec = kt_decompress_new(fill, f, f->name);
	src->data = f;
	return f;
}

static int file_open(struct kt_ctx *ctx, struct kt_source *src,
		     const char *path)
{
	struct file_src *f;
	int fd = 0;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s",
					src->name, strerror(errno));
	}
	f = file_new(src);
	f->fd = fd;
	f->own_fd = fd != 0;
	return 0;
}

int kt_source_file_open_mem(struct kt_ctx *ctx, struct kt_source *src,
			    const char *data, size_t len)
{
	struct file_src *f = file_new(src);

	(void)ctx;
	f->mem = data;
	f->mem_len = data ? len : 0;
	return 0;
}

static int file_read(struct kt_ctx *ctx, struct kt_source *src, char *buf,
		     size_t cap, size_t *got)
{
	struct file_src *f = src->data;

	return kt_decompress_read(ctx, f->dec, buf, cap, got);
}

static void file_close(struct kt_source *src)
{
	struct file_src *f = src->data;

	if (!f)
		return;
	kt_decompress_free(f->dec);
	if (f->own_fd)
		close(f->fd);
	free(f);
	src->data = NULL;
}

const struct kt_source_ops kt_source_file = {
	.name = "file",
	.probe = file_probe,
	.open = file_open,
	.read = file_read,
	.close = file_close,
};
