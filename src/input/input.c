/*
 * input.c - opening input items as byte streams (see input.h).
 *
 * Minimal first version: plain files, standard input and memory
 * buffers.  NEEDSWORK: compression, directories, defaults, journal.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "input/input.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct kt_input {
	int fd;			/* owned unless stdin; -1 for memory */
	const char *mem;	/* borrowed, for memory inputs */
	size_t mem_len, mem_off;
	char *name;		/* owned */
};

void kt_input_list_init(struct kt_input_list *list)
{
	memset(list, 0, sizeof(*list));
}

void kt_input_list_release(struct kt_input_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		free(list->item[i].path);
		free(list->item[i].display);
	}
	free(list->item);
	kt_input_list_init(list);
}

static void add_item(struct kt_input_list *out, const char *path,
		     enum kt_input_kind kind, int64_t mtime)
{
	struct kt_input_item *it;

	ALLOC_GROW(out->item, out->nr + 1, out->alloc);
	it = &out->item[out->nr++];
	it->path = xstrdup(path);
	it->display = xstrdup(path);
	it->kind = kind;
	it->mtime = mtime;
}

int kt_input_expand(struct kt_ctx *ctx, const char *const *paths, size_t n,
		    unsigned flags, struct kt_input_list *out)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct stat st;

		if (!strcmp(paths[i], "-")) {
			add_item(out, "-", KT_INPUT_STDIN, 0);
			continue;
		}
		if (stat(paths[i], &st) < 0) {
			rc = kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s",
				      paths[i], strerror(errno));
			out->skipped++;
			continue;
		}
		add_item(out, paths[i], KT_INPUT_FILE, (int64_t)st.st_mtime);
	}
	(void)flags;
	return rc;
}

int kt_input_defaults(struct kt_ctx *ctx, struct kt_input_list *out)
{
	(void)ctx;
	(void)out;
	return 0;
}

int kt_input_open(struct kt_ctx *ctx, const struct kt_input_item *item,
		  struct kt_input **out)
{
	struct kt_input *in = xcalloc(1, sizeof(*in));

	in->name = xstrdup(item->display);
	if (item->kind == KT_INPUT_STDIN) {
		in->fd = 0;
	} else {
		in->fd = open(item->path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			int rc = kt_failf(ctx, KT_ERR_IO,
					  "cannot open '%s': %s", item->display,
					  strerror(errno));
			free(in->name);
			free(in);
			return rc;
		}
	}
	*out = in;
	return 0;
}

int kt_input_open_mem(struct kt_ctx *ctx, const char *data, size_t len,
		      struct kt_input **out)
{
	struct kt_input *in = xcalloc(1, sizeof(*in));

	(void)ctx;
	in->fd = -1;
	in->mem = data;
	in->mem_len = len;
	in->name = xstrdup("<memory>");
	*out = in;
	return 0;
}

int kt_input_read(struct kt_ctx *ctx, struct kt_input *in, char *buf,
		  size_t cap, size_t *got)
{
	ssize_t n;

	if (in->fd < 0) {
		size_t left = in->mem_len - in->mem_off;

		*got = KT_MIN(left, cap);
		memcpy(buf, in->mem + in->mem_off, *got);
		in->mem_off += *got;
		return 0;
	}
	do {
		n = read(in->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
				in->name, strerror(errno));
	*got = (size_t)n;
	return 0;
}

void kt_input_close(struct kt_input *in)
{
	if (!in)
		return;
	if (in->fd > 0)
		close(in->fd);
	free(in->name);
	free(in);
}
