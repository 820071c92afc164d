/*
 * input.c - what to read and in which order, and opening it (see
 * input.h).
 *
 * First stage of the pipeline: paths named by the user, or this
 * machine's own logs, become an ordered list of items; each item is
 * opened through the source of sources.def that reads it.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "input/input.h"
#include "input/rotate.h"
#include "input/source.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SNIFF_SIZE 4096
#define MAX_DEPTH 32

struct kt_input {
	struct kt_source src;
};

static const struct kt_source_ops *const sources[] = {
#define KT_SOURCE(name) &kt_source_##name,
#include "input/sources.def"
#undef KT_SOURCE
};

/* Files in a directory walk that are binary records, not logs. */
static const char *const binary_family[] = {
	"wtmp", "btmp", "utmp", "lastlog", "faillog", "tallylog",
};

/* The text families of kt_input_defaults(), the first present wins. */
static const char *const text_family[] = { "messages", "syslog", "kern.log" };

/* ------------------------------------------------------------- the list */

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
		     const char *display, enum kt_input_kind kind,
		     int64_t mtime)
{
	struct kt_input_item *it;

	ALLOC_GROW(out->item, out->nr + 1, out->alloc);
	it = &out->item[out->nr++];
	it->path = xstrdup(path);
	it->display = xstrdup(display);
	it->kind = kind;
	it->mtime = mtime;
}

/* ------------------------------------------------------------- the walk */

struct devino {
	dev_t dev;
	ino_t ino;
	bool on_path;		/* a directory being walked right now */
};

struct walk {
	struct kt_ctx *ctx;		/* borrowed */
	struct kt_input_list *out;	/* borrowed */
	bool defaults;		/* failures are warnings */
	int rc;			/* the last failure, or 0 */
	struct devino *dir;	/* owned; directories seen; walk_release */
	size_t dir_nr, dir_alloc;
	struct devino *file;	/* owned; files added; walk_release */
	size_t file_nr, file_alloc;
};

struct entry {
	char *path;		/* owned; dir/name; freed by free_entries */
	const char *name;	/* borrowed from path */
	struct stat st;
};

static void walk_init(struct walk *w, struct kt_ctx *ctx,
		      struct kt_input_list *out, bool defaults)
{
	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->out = out;
	w->defaults = defaults;
}

static void walk_release(struct walk *w)
{
	free(w->dir);
	free(w->file);
}

/*
 * A path cannot be read.  Explicit paths: the failure goes to ctx and
 * w->rc, after logging the previous one (see kt_input_expand).
 * Defaults: a warning, or nothing when the path does not exist.
 */
KT_PRINTF(4, 5)
static void fail(struct walk *w, int err, int errnum, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (w->defaults) {
		if (errnum == ENOENT) {
			kt_log(w->ctx, KT_LOG_DEBUG, "%s", sb.buf);
		} else {
			kt_log(w->ctx, KT_LOG_WARN, "%s", sb.buf);
			w->out->skipped++;
		}
	} else {
		if (w->rc)
			kt_log(w->ctx, KT_LOG_ERROR, "%s",
			       kt_ctx_error(w->ctx));
		w->rc = kt_failf(w->ctx, err, "%s", sb.buf);
		w->out->skipped++;
	}
	strbuf_release(&sb);
}

static struct devino *find_devino(struct devino *v, size_t nr,
				  const struct stat *st)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (v[i].dev == st->st_dev && v[i].ino == st->st_ino)
			return &v[i];
	return NULL;
}

static void remember_file(struct walk *w, const struct stat *st)
{
	ALLOC_GROW(w->file, w->file_nr + 1, w->file_alloc);
	w->file[w->file_nr].dev = st->st_dev;
	w->file[w->file_nr].ino = st->st_ino;
	w->file[w->file_nr].on_path = false;
	w->file_nr++;
}

static void join(struct strbuf *sb, const char *dir, const char *name)
{
	strbuf_addstr(sb, dir);
	if (sb->len && sb->buf[sb->len - 1] != '/')
		strbuf_addch(sb, '/');
	strbuf_addstr(sb, name);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool is_kmsg_dev(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 &&
	       minor(st->st_rdev) == 11;
}

static bool is_binary_family(const struct kt_rotate_key *key)
{
	size_t i;

	if (key->journal)
		return false;
	for (i = 0; i < KT_ARRAY_SIZE(binary_family); i++)
		if (kt_str_eq_cstr(key->family, binary_family[i]))
			return true;
	return false;
}

/* Can path be opened for reading?  Never blocks (fifos, devices). */
static int check_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * Does the start of the file, decompressed, hold a NUL byte?  Failures
 * to read are not decided here: the item is kept and reading it reports
 * them, so a private context keeps the caller's error detail intact.
 */
static bool has_binary_start(const char *path)
{
	struct kt_input_item item = { (char *)path, (char *)path,
				      KT_INPUT_FILE, 0 };
	struct kt_input *in = NULL;
	struct kt_ctx tmp;
	char *buf = xmalloc(SNIFF_SIZE);
	size_t have = 0, got;
	bool binary = false;

	kt_ctx_init(&tmp);
	if (kt_input_open(&tmp, &item, &in))
		goto cleanup;
	while (have < SNIFF_SIZE) {
		if (kt_input_read(&tmp, in, buf + have, SNIFF_SIZE - have,
				  &got) || !got)
			break;
		have += got;
	}
	binary = memchr(buf, '\0', have) != NULL;
cleanup:
	kt_input_close(in);
	kt_ctx_release(&tmp);
	free(buf);
	return binary;
}

/* A regular file found in a directory (not named by the user). */
static void add_found_file(struct walk *w, const char *path,
			   const struct stat *st)
{
	struct kt_rotate_key key;
	int r;

	kt_rotate_key(base_name(path), &key);
	if (is_binary_family(&key)) {
		kt_log(w->ctx, KT_LOG_INFO, "skipping '%s': not a text log",
		       path);
		w->out->skipped++;
		return;
	}
	if (find_devino(w->file, w->file_nr, st)) {
		kt_log(w->ctx, KT_LOG_INFO, "skipping '%s': already read",
		       path);
		w->out->skipped++;
		return;
	}
	r = check_open(path);
	if (r) {
		fail(w, KT_ERR_IO, -r, "cannot open '%s': %s", path,
		     strerror(-r));
		return;
	}
	if (key.journal) {
		/*
		 * NEEDSWORK: one item per file reads system.journal and
		 * user-1000.journal one after the other; opening a
		 * directory's journal files together would interleave them
		 * by time as journalctl does.
		 */
		add_item(w->out, path, path, KT_INPUT_JOURNAL,
			 (int64_t)st->st_mtime);
	} else if (has_binary_start(path)) {
		kt_log(w->ctx, KT_LOG_WARN, "skipping '%s': binary data",
		       path);
		w->out->skipped++;
		return;
	} else {
		add_item(w->out, path, path, KT_INPUT_FILE,
			 (int64_t)st->st_mtime);
	}
	remember_file(w, st);
}

/*
 * A name listed in a directory that stat() does not find: a dangling
 * symlink (a warning), or a file rotated away meanwhile (not an error).
 */
static void gone(struct walk *w, const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISLNK(st.st_mode))
		kt_log(w->ctx, KT_LOG_WARN,
		       "skipping '%s': dangling symbolic link", path);
	else
		kt_log(w->ctx, KT_LOG_INFO, "skipping '%s': removed", path);
	w->out->skipped++;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *ea = a, *eb = b;

	return kt_rotate_cmp(ea->name, eb->name);
}

static void free_entries(struct entry *ent, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(ent[i].path);
	free(ent);
}

/*
 * Lists dir (stat following symlinks), keeping the names want() accepts
 * (all when want is NULL), sorted by kt_rotate_cmp().  Returns false,
 * after reporting, when dir cannot be opened.
 */
static bool read_dir(struct walk *w, const char *dir,
		     bool (*want)(const char *name, const void *arg),
		     const void *arg, struct entry **out, size_t *out_nr)
{
	struct strbuf sb = STRBUF_INIT;
	struct entry *ent = NULL;
	size_t nr = 0, alloc = 0;
	struct dirent *de;
	struct stat st;
	DIR *dp;

	*out = NULL;
	*out_nr = 0;
	dp = opendir(dir);
	if (!dp) {
		fail(w, KT_ERR_IO, errno, "cannot open '%s': %s", dir,
		     strerror(errno));
		return false;
	}
	for (;;) {
		errno = 0;
		de = readdir(dp);
		if (!de) {
			if (errno)
				fail(w, KT_ERR_IO, errno,
				     "cannot read '%s': %s", dir,
				     strerror(errno));
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (want && !want(de->d_name, arg))
			continue;
		strbuf_reset(&sb);
		join(&sb, dir, de->d_name);
		if (stat(sb.buf, &st) < 0) {
			if (errno == ENOENT) {
				gone(w, sb.buf);
			} else if (errno == ELOOP) {
				/* a link to itself or a cycle of links */
				kt_log(w->ctx, KT_LOG_WARN,
				       "skipping '%s': symbolic link loop",
				       sb.buf);
				w->out->skipped++;
			} else {
				fail(w, KT_ERR_IO, errno,
				     "cannot open '%s': %s", sb.buf,
				     strerror(errno));
			}
			continue;
		}
		ALLOC_GROW(ent, nr + 1, alloc);
		ent[nr].path = xstrdup(sb.buf);
		ent[nr].name = ent[nr].path + sb.len - strlen(de->d_name);
		ent[nr].st = st;
		nr++;
	}
	closedir(dp);
	strbuf_release(&sb);
	if (nr)
		qsort(ent, nr, sizeof(*ent), cmp_entry);
	*out = ent;
	*out_nr = nr;
	return true;
}

static void walk_dir(struct walk *w, const char *dir, const struct stat *st,
		     int depth)
{
	struct entry *ent = NULL;
	struct devino *seen;
	size_t nr = 0, i, self;

	seen = find_devino(w->dir, w->dir_nr, st);
	if (seen) {
		if (seen->on_path) {
			kt_log(w->ctx, KT_LOG_WARN,
			       "skipping '%s': directory loop", dir);
		} else {
			kt_log(w->ctx, KT_LOG_INFO,
			       "skipping '%s': already read", dir);
		}
		w->out->skipped++;
		return;
	}
	if (depth >= MAX_DEPTH) {
		kt_log(w->ctx, KT_LOG_WARN,
		       "skipping '%s': directories nested too deep", dir);
		w->out->skipped++;
		return;
	}
	if (!read_dir(w, dir, NULL, NULL, &ent, &nr))
		return;
	ALLOC_GROW(w->dir, w->dir_nr + 1, w->dir_alloc);
	self = w->dir_nr++;
	w->dir[self].dev = st->st_dev;
	w->dir[self].ino = st->st_ino;
	w->dir[self].on_path = true;
	for (i = 0; i < nr; i++) {
		const struct stat *est = &ent[i].st;

		if (S_ISDIR(est->st_mode)) {
			walk_dir(w, ent[i].path, est, depth + 1);
		} else if (S_ISREG(est->st_mode)) {
			add_found_file(w, ent[i].path, est);
		} else {
			kt_log(w->ctx, KT_LOG_INFO,
			       "skipping '%s': not a regular file",
			       ent[i].path);
			w->out->skipped++;
		}
	}
	w->dir[self].on_path = false;
	free_entries(ent, nr);
}

/* A path the user named: read as given, whatever it is. */
static void add_named(struct walk *w, const char *path)
{
	struct kt_rotate_key key;
	enum kt_input_kind kind = KT_INPUT_FILE;
	struct stat st;
	int r;

	if (!strcmp(path, "-")) {
		add_item(w->out, "-", "-", KT_INPUT_STDIN, 0);
		return;
	}
	if (stat(path, &st) < 0) {
		fail(w, KT_ERR_IO, errno, "cannot open '%s': %s", path,
		     strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(w, path, &st, 0);
		return;
	}
	r = check_open(path);
	if (r) {
		fail(w, KT_ERR_IO, -r, "cannot open '%s': %s", path,
		     strerror(-r));
		return;
	}
	kt_rotate_key(base_name(path), &key);
	if (is_kmsg_dev(&st))
		kind = KT_INPUT_KMSG;
	else if (key.journal)
		kind = KT_INPUT_JOURNAL;
	add_item(w->out, path, path, kind, (int64_t)st.st_mtime);
	if (S_ISREG(st.st_mode))
		remember_file(w, &st);
}

int kt_input_expand(struct kt_ctx *ctx, const char *const *paths, size_t n,
		    unsigned flags, struct kt_input_list *out)
{
	struct walk w;
	size_t i;

	walk_init(&w, ctx, out, flags & KT_INPUT_EXPAND_DEFAULTS);
	for (i = 0; i < n; i++)
		add_named(&w, paths[i]);
	walk_release(&w);
	return w.rc;
}

/* ------------------------------------------------------------- defaults */

static bool in_family(const char *name, const void *arg)
{
	struct kt_rotate_key key;

	kt_rotate_key(name, &key);
	return !key.journal && kt_str_eq_cstr(key.family, arg);
}

/* One text family of root/var/log.  Returns true when it added any. */
static bool add_text_family(struct walk *w, const char *root)
{
	struct strbuf dir = STRBUF_INIT;
	struct entry *ent = NULL;
	size_t nr = 0, i, j, before = w->out->nr;

	strbuf_addf(&dir, "%s/var/log", root);
	for (i = 0; i < KT_ARRAY_SIZE(text_family) && !nr; i++) {
		if (!read_dir(w, dir.buf, in_family, text_family[i], &ent,
			      &nr))
			break;
		for (j = 0; j < nr; j++)
			if (S_ISREG(ent[j].st.st_mode))
				add_found_file(w, ent[j].path, &ent[j].st);
		free_entries(ent, nr);
	}
	strbuf_release(&dir);
	return w->out->nr > before;
}

/* root/var/crash/<dir>/vmcore-dmesg.txt, directories by name. */
static void add_vmcore_dmesg(struct walk *w, const char *root)
{
	struct strbuf sb = STRBUF_INIT;
	struct entry *ent = NULL;
	struct stat st;
	size_t nr = 0, i;

	strbuf_addf(&sb, "%s/var/crash", root);
	if (!read_dir(w, sb.buf, NULL, NULL, &ent, &nr))
		goto cleanup;
	for (i = 0; i < nr; i++) {
		if (!S_ISDIR(ent[i].st.st_mode))
			continue;
		strbuf_reset(&sb);
		join(&sb, ent[i].path, "vmcore-dmesg.txt");
		if (stat(sb.buf, &st) < 0)
			fail(w, KT_ERR_IO, errno, "cannot open '%s': %s",
			     sb.buf, strerror(errno));
		else if (S_ISREG(st.st_mode))
			add_found_file(w, sb.buf, &st);
	}
cleanup:
	free_entries(ent, nr);
	strbuf_release(&sb);
}

/* A directory under root walked whole, quietly absent. */
static void add_tree(struct walk *w, const char *root, const char *sub)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	strbuf_addf(&sb, "%s%s", root, sub);
	if (stat(sb.buf, &st) < 0)
		fail(w, KT_ERR_IO, errno, "cannot open '%s': %s", sb.buf,
		     strerror(errno));
	else if (S_ISDIR(st.st_mode))
		walk_dir(w, sb.buf, &st, 0);
	strbuf_release(&sb);
}

static void add_kmsg(struct walk *w, const char *root)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	strbuf_addf(&sb, "%s/dev/kmsg", root);
	r = check_open(sb.buf);
	if (r)
		fail(w, KT_ERR_IO, -r, "cannot open '%s': %s", sb.buf,
		     strerror(-r));
	else
		add_item(w->out, sb.buf, sb.buf, KT_INPUT_KMSG, 0);
	strbuf_release(&sb);
}

/* Is there a journal with entries?  Adds it when there is. */
static bool add_journal(struct walk *w, const char *root, bool *kernel)
{
	struct strbuf path = STRBUF_INIT;
	struct kt_ctx tmp;
	bool entries = false;

	kt_ctx_init(&tmp);
	strbuf_addf(&path, "journal:%s", root);
	if (kt_source_journal_probe_entries(&tmp, path.buf, "journal",
					    &entries, kernel))
		kt_log(w->ctx, KT_LOG_WARN, "%s", kt_ctx_error(&tmp));
	else if (!entries)
		kt_log(w->ctx, KT_LOG_DEBUG, "the journal has no entries");
	if (entries)
		add_item(w->out, path.buf, "journal", KT_INPUT_JOURNAL, 0);
	kt_ctx_release(&tmp);
	strbuf_release(&path);
	return entries;
}

int kt_input_defaults_root(struct kt_ctx *ctx, const char *root,
			   struct kt_input_list *out)
{
	struct strbuf prefix = STRBUF_INIT;
	bool kernel = false, persisted;
	struct walk w;

	walk_init(&w, ctx, out, true);
	strbuf_addstr(&prefix, root ? root : "");
	while (prefix.len && prefix.buf[prefix.len - 1] == '/')
		strbuf_setlen(&prefix, prefix.len - 1);

	if (add_journal(&w, prefix.buf, &kernel))
		persisted = kernel;
	else
		persisted = add_text_family(&w, prefix.buf);
	add_vmcore_dmesg(&w, prefix.buf);
	add_tree(&w, prefix.buf, "/sys/fs/pstore");
	add_tree(&w, prefix.buf, "/var/lib/systemd/pstore");
	if (!persisted)
		add_kmsg(&w, prefix.buf);

	walk_release(&w);
	strbuf_release(&prefix);
	return 0;
}

int kt_input_crash_records(struct kt_ctx *ctx, const char *root,
			   struct kt_input_list *out)
{
	struct strbuf prefix = STRBUF_INIT;
	struct walk w;

	walk_init(&w, ctx, out, true);
	strbuf_addstr(&prefix, root ? root : "");
	while (prefix.len && prefix.buf[prefix.len - 1] == '/')
		strbuf_setlen(&prefix, prefix.len - 1);
	add_vmcore_dmesg(&w, prefix.buf);
	add_tree(&w, prefix.buf, "/sys/fs/pstore");
	add_tree(&w, prefix.buf, "/var/lib/systemd/pstore");
	walk_release(&w);
	strbuf_release(&prefix);
	return 0;
}

int kt_input_defaults(struct kt_ctx *ctx, struct kt_input_list *out)
{
	return kt_input_defaults_root(ctx, NULL, out);
}

/* ------------------------------------------------------------- reading */

static const struct kt_source_ops *pick_source(
	const struct kt_input_item *item)
{
	size_t i;

	if (item->kind == KT_INPUT_JOURNAL)
		return &kt_source_journal;
	if (item->kind == KT_INPUT_KMSG)
		return &kt_source_kmsg;
	for (i = 0; i < KT_ARRAY_SIZE(sources); i++)
		if (sources[i]->probe(item->path))
			return sources[i];
	return &kt_source_file;
}

static struct kt_input *input_new(const struct kt_source_ops *ops,
				  const char *name)
{
	struct kt_input *in = xcalloc(1, sizeof(*in));

	in->src.ops = ops;
	in->src.name = xstrdup(name);
	return in;
}

static void input_free(struct kt_input *in)
{
	free(in->src.name);
	free(in);
}

int kt_input_open(struct kt_ctx *ctx, const struct kt_input_item *item,
		  struct kt_input **out)
{
	bool is_stdin = item->kind == KT_INPUT_STDIN;
	const struct kt_source_ops *ops = is_stdin ? &kt_source_file :
					  pick_source(item);
	struct kt_input *in;
	int rc;

	*out = NULL;
	in = input_new(ops, item->display ? item->display : item->path);
	rc = ops->open(ctx, &in->src, is_stdin ? "-" : item->path);
	if (rc)
		goto cleanup;
	*out = in;
	in = NULL;
cleanup:
	if (in)
		input_free(in);
	return rc;
}

int kt_input_open_mem(struct kt_ctx *ctx, const char *data, size_t len,
		      struct kt_input **out)
{
	struct kt_input *in = input_new(&kt_source_file, "<memory>");
	int rc;

	*out = NULL;
	rc = kt_source_file_open_mem(ctx, &in->src, data, len);
	if (rc)
		goto cleanup;
	*out = in;
	in = NULL;
cleanup:
	if (in)
		input_free(in);
	return rc;
}

int kt_input_read(struct kt_ctx *ctx, struct kt_input *in, char *buf,
		  size_t cap, size_t *got)
{
	*got = 0;
	return in->src.ops->read(ctx, &in->src, buf, cap, got);
}

void kt_input_close(struct kt_input *in)
{
	if (!in)
		return;
	in->src.ops->close(&in->src);
	input_free(in);
}

uint64_t kt_input_lost_records(const struct kt_input *in)
{
	return in ? in->src.lost : 0;
}
