/*
 * live_file.c - a followed file for `ktriage watch`, like `tail -F`.
 *
 * Input stage, live side (input/live.h): reads the path as it grows and
 * follows it through rotation by rename, copytruncate and truncation,
 * deletion and re-creation, and a path that does not exist yet, woken by
 * inotify on the file and on its folder.  A mark (input/livesrc.h) holds
 * the device, inode, birth time and position of the file the bytes at
 * each offset came from, so a cursor finds the file again after a
 * restart, even when it has been renamed beside the path since.
 */
#include "base/compat.h"
#include "base/xalloc.h"
#include "input/livesrc.h"
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Bytes asked of read() at a time. */
#define CHUNK (64 * 1024)
/* How far back from the end a first open looks for the last newline. */
#define TAIL_BACK (64 * 1024)

#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
#define DIR_EVENTS (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | \
		    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

struct file_id {
	uint64_t dev, ino;
	uint64_t btime;		/* birth time in ns; 0: unknown */
};

struct file_src {
	char *path;		/* owned; freed by file_close */
	char *dir;		/* owned; the folder of path */
	int ifd;		/* owned inotify descriptor */
	int wd_dir;		/* watch on dir (or on an ancestor), or -1 */
	bool dir_watched;	/* wd_dir watches dir itself */
	int wd_file;		/* watch on the open file, or -1 */
	int fd;			/* owned; the file read, or -1 */
	struct file_id id;	/* of fd */
	uint64_t hand;		/* position in fd of the next byte handed out */
	struct strbuf pend;	/* owned; read, not handed out: from hand on */
	bool eof;		/* the last read() of fd returned 0 */
	bool open_line;		/* the last byte handed out is not '\n' */
	bool from_end;		/* the next open starts at the end */
	int err;		/* an error kept for the next read */
};

enum file_state { F_SAME, F_TRUNCATED, F_GONE };

/* ----------------------------------------------------------- identity */

static uint64_t btime_ns(const struct statx *stx)
{
	if (!(stx->stx_mask & STATX_BTIME))
		return 0;
	return (uint64_t)stx->stx_btime.tv_sec * 1000000000u +
	       stx->stx_btime.tv_nsec;
}

static uint64_t mtime_ns(const struct statx *stx)
{
	return (uint64_t)stx->stx_mtime.tv_sec * 1000000000u +
	       stx->stx_mtime.tv_nsec;
}

/* Identity of the file at (dirfd, name); flags as for statx(). */
static int id_at(int dirfd, const char *name, int flags, struct file_id *id,
		 struct statx *stx)
{
	if (statx(dirfd, name, flags, STATX_TYPE | STATX_INO | STATX_SIZE |
		  STATX_NLINK | STATX_BTIME | STATX_MTIME, stx))
		return -1;
	id->dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	id->ino = stx->stx_ino;
	id->btime = btime_ns(stx);
	return 0;
}

static bool same_id(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino &&
	       (!a->btime || !b->btime || a->btime == b->btime);
}

/* ------------------------------------------------------------ inotify */

/*
 * Watches the folder of the path; while it does not exist, the nearest
 * ancestor that does, so its creation wakes the caller too.
 */
static void watch_dir(struct file_src *fs)
{
	struct strbuf up = STRBUF_INIT;
	char *slash;
	int wd;

	if (fs->dir_watched)
		return;
	wd = inotify_add_watch(fs->ifd, fs->dir, DIR_EVENTS);
	if (wd >= 0) {
		if (fs->wd_dir >= 0 && fs->wd_dir != wd)
			inotify_rm_watch(fs->ifd, fs->wd_dir);
		fs->wd_dir = wd;
		fs->dir_watched = true;
		return;
	}
	if (fs->wd_dir >= 0)
		return;
	strbuf_addstr(&up, fs->dir);
	for (;;) {
		slash = strrchr(up.buf, '/');
		if (!slash) {
			strbuf_reset(&up);
			strbuf_addch(&up, '.');
		} else {
			strbuf_setlen(&up, slash == up.buf ? 1 :
				      (size_t)(slash - up.buf));
		}
		wd = inotify_add_watch(fs->ifd, up.buf,
				       IN_CREATE | IN_MOVED_TO | IN_ATTRIB);
		if (wd >= 0 || !slash || slash == up.buf)
			break;
	}
	fs->wd_dir = wd;
	strbuf_release(&up);
}

/*
 * Empties the inotify queue (every read looks at the file anyway), after
 * watching the folder if it appeared: removing the ancestor's watch
 * queues an event too.
 */
static void drain_events(struct file_src *fs)
{
	char buf[4096] __attribute__((aligned(__alignof__(
		struct inotify_event))));

	watch_dir(fs);
	while (read(fs->ifd, buf, sizeof(buf)) > 0)
		;
}

static void watch_file(struct file_src *fs)
{
	char proc[64];

	if (fs->wd_file >= 0)
		inotify_rm_watch(fs->ifd, fs->wd_file);
	/* the open file itself, whatever its name is now */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fs->fd);
	fs->wd_file = inotify_add_watch(fs->ifd, proc, FILE_EVENTS);
	if (fs->wd_file < 0)
		fs->wd_file = inotify_add_watch(fs->ifd, fs->path,
						FILE_EVENTS);
}

static void close_file(struct file_src *fs)
{
	if (fs->wd_file >= 0)
		inotify_rm_watch(fs->ifd, fs->wd_file);
	fs->wd_file = -1;
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
	strbuf_reset(&fs->pend);
	fs->eof = false;
}

/* ------------------------------------------------------------ opening */

static void add_mark(struct kt_live *l, const struct file_id *id,
		     uint64_t pos, bool fixed)
{
	struct kt_live_mark m = { 0 };

	m.offset = l->offset;
	m.pos = pos;
	m.id[0] = id->dev;
	m.id[1] = id->ino;
	m.id[2] = id->btime;
	m.fixed = fixed;
	kt_live_mark_add(l, &m);
}

/* Where a first open starts: after the last newline near the end. */
static uint64_t tail_start(int fd, uint64_t size)
{
	uint64_t back = KT_MIN(size, (uint64_t)TAIL_BACK);
	char *buf;
	const char *nl;
	ssize_t n;
	uint64_t start = size;

	if (!back)
		return 0;
	buf = xmalloc((size_t)back);
	n = pread(fd, buf, (size_t)back, (off_t)(size - back));
	if (n == (ssize_t)back && buf[back - 1] != '\n') {
		nl = memrchr(buf, '\n', (size_t)back);
		/* a last line longer than TAIL_BACK: start at the end */
		if (nl)
			start = size - back + (uint64_t)(nl - buf) + 1;
		else if (back == size)
			start = 0;
	}
	free(buf);
	return start;
}

/*
 * Makes fd (a file named name in the folder, or the path) the file read,
 * at pos; pos beyond its size (it was truncated) reads it from 0.
 */
static int use_file(struct kt_ctx *ctx, struct kt_live *l, int fd,
		    uint64_t pos)
{
	struct file_src *fs = l->data;
	struct statx stx;

	if (id_at(fd, "", AT_EMPTY_PATH, &fs->id, &stx) ||
	    !S_ISREG(stx.stx_mode)) {
		close(fd);
		return kt_failf(ctx, KT_ERR_IO, "cannot follow '%s': %s",
				l->name, errno ? strerror(errno) :
				"not a regular file");
	}
	if (pos == KT_LIVE_ALL)
		pos = tail_start(fd, stx.stx_size);
	else if (pos > stx.stx_size)
		pos = 0;
	if (lseek(fd, (off_t)pos, SEEK_SET) < 0) {
		close(fd);
		return kt_failf(ctx, KT_ERR_IO, "cannot seek '%s': %s",
				l->name, strerror(errno));
	}
	close_file(fs);
	fs->fd = fd;
	fs->hand = pos;
	watch_file(fs);
	add_mark(l, &fs->id, pos, false);
	return 0;
}

/* Rotations compressed into a new file are copies, not the next file. */
static bool compressed_name(const char *name)
{
	static const char *const ext[] = { ".gz", ".zst", ".xz", ".bz2",
					   ".lz4", ".Z" };
	size_t n = strlen(name);

	for (size_t i = 0; i < KT_ARRAY_SIZE(ext); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && !strcmp(name + n - e, ext[i]))
			return true;
	}
	return false;
}

/*
 * After a rotated file was read to its end: the file of the path's
 * family (the path's name alone or followed by '.', '-' or '_', as
 * kern.log.1 and messages-20251121 are) born next after it and written
 * to since (a copytruncate copy made earlier is not), when that is not
 * the file now at the path.  When the path was rotated twice before the
 * old file was finished (the daemon was down), that is the file in
 * between, which would otherwise be skipped.  done_mtime is the old
 * file's modification time in ns.  Returns an open descriptor, or -1
 * (go on with the path).
 */
static int open_successor(struct file_src *fs, const struct file_id *done,
			  uint64_t done_mtime)
{
	const char *base = strrchr(fs->path, '/');
	struct file_id id, best = { 0 }, at_path;
	char name[NAME_MAX + 1] = "";
	struct statx stx;
	struct dirent *de;
	size_t blen;
	DIR *d;
	int fd = -1;

	base = base ? base + 1 : fs->path;
	blen = strlen(base);
	if (!done->btime || !blen || !(d = opendir(fs->dir)))
		return -1;
	while ((de = readdir(d))) {
		const char *n = de->d_name;

		if (strncmp(n, base, blen) ||
		    (n[blen] && !strchr(".-_", n[blen])) ||
		    compressed_name(n + blen))
			continue;
		if (id_at(dirfd(d), n, AT_SYMLINK_NOFOLLOW, &id, &stx) ||
		    !S_ISREG(stx.stx_mode) || !id.btime ||
		    id.btime <= done->btime || same_id(&id, done) ||
		    mtime_ns(&stx) < done_mtime)
			continue;
		if (!best.btime || id.btime < best.btime) {
			best = id;
			snprintf(name, sizeof(name), "%s", n);
		}
	}
	if (best.btime &&
	    (id_at(AT_FDCWD, fs->path, 0, &at_path, &stx) ||
	     !same_id(&at_path, &best)))
		fd = openat(dirfd(d), name, O_RDONLY | O_NONBLOCK |
			    O_CLOEXEC | O_NOCTTY);
	closedir(d);
	return fd;
}

/* Opens the path; 1 when it does not exist (yet). */
static int open_path(struct kt_ctx *ctx, struct kt_live *l)
{
	struct file_src *fs = l->data;
	bool from_end = fs->from_end;
	int fd;

	fs->from_end = false;
	fd = open(fs->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 1;
	if (fd < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot open '%s': %s",
				l->name, strerror(errno));
	errno = 0;
	return use_file(ctx, l, fd, from_end ? KT_LIVE_ALL : 0);
}

/*
 * Opens the file of a cursor: the path if it still is that file, else
 * a file of the folder with the same identity (the path rotated), read
 * to its end before the path.  Returns 1 when it is gone.
 */
static int open_cursor_file(struct kt_ctx *ctx, struct kt_live *l,
			    const struct kt_live_cursor *cur)
{
	struct file_src *fs = l->data;
	struct file_id want = { cur->dev, cur->ino, cur->btime }, id;
	struct statx stx;
	struct dirent *de;
	DIR *d;
	int fd = -1, dfd;

	if (!id_at(AT_FDCWD, fs->path, 0, &id, &stx) && same_id(&id, &want))
		fd = open(fs->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC |
			  O_NOCTTY);
	d = fd < 0 ? opendir(fs->dir) : NULL;
	dfd = d ? dirfd(d) : -1;
	while (d && fd < 0) {
		de = readdir(d);
		if (!de)
			break;
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (id_at(dfd, de->d_name, AT_SYMLINK_NOFOLLOW, &id, &stx) ||
		    !S_ISREG(stx.stx_mode) || !same_id(&id, &want))
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_NONBLOCK |
			    O_CLOEXEC | O_NOCTTY);
	}
	if (d)
		closedir(d);
	if (fd < 0)
		return 1;
	errno = 0;
	return use_file(ctx, l, fd, cur->pos);
}

static int file_open(struct kt_ctx *ctx, struct kt_live *l, const char *path,
		     const struct kt_live_cursor *cur)
{
	static const struct file_id none;
	struct file_src *fs = xcalloc(1, sizeof(*fs));
	const char *slash = strrchr(path, '/');
	int rc = 0;

	fs->path = xstrdup(path);
	if (!slash)
		fs->dir = xstrdup(".");
	else
		fs->dir = xmemdupz(path, slash == path ? 1 :
				   (size_t)(slash - path));
	fs->fd = -1;
	fs->wd_dir = fs->wd_file = -1;
	strbuf_init(&fs->pend, 0);
	fs->from_end = !cur;
	l->data = fs;
	fs->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fs->ifd < 0)
		return kt_failf(ctx, KT_ERR_IO, "cannot watch '%s': %s",
				l->name, strerror(errno));
	watch_dir(fs);
	/* until a file is open, the place is "the path from its start" */
	add_mark(l, &none, 0, false);
	if (cur && (cur->dev || cur->ino))
		rc = open_cursor_file(ctx, l, cur);
	/* NEEDSWORK: a cursor's file that is gone (deleted, compressed)
	 * cannot be found again: the path is read from its start */
	if (rc > 0 || !cur || (!cur->dev && !cur->ino))
		rc = open_path(ctx, l);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ reading */

/* Reads what fd has into pend, up to cap bytes in pend. */
static int fill(struct kt_ctx *ctx, struct kt_live *l, size_t cap)
{
	struct file_src *fs = l->data;
	ssize_t n;

	fs->eof = false;
	while (fs->pend.len < cap) {
		strbuf_grow(&fs->pend, CHUNK);
		n = read(fs->fd, fs->pend.buf + fs->pend.len, CHUNK);
		if (n > 0) {
			strbuf_setlen(&fs->pend, fs->pend.len + (size_t)n);
		} else if (!n || errno == EAGAIN) {
			fs->eof = true;
			return 0;
		} else if (errno != EINTR) {
			return kt_failf(ctx, KT_ERR_IO, "cannot read '%s': %s",
					l->name, strerror(errno));
		}
	}
	return 0;
}

/* Moves the first n bytes of pend to out. */
static void hand_out(struct kt_live *l, struct strbuf *out, size_t n)
{
	struct file_src *fs = l->data;

	if (!n)
		return;
	strbuf_add(out, fs->pend.buf, n);
	fs->open_line = fs->pend.buf[n - 1] != '\n';
	memmove(fs->pend.buf, fs->pend.buf + n, fs->pend.len - n);
	strbuf_setlen(&fs->pend, fs->pend.len - n);
	fs->hand += n;
	l->offset += n;
}

/*
 * Hands out the whole lines of pend that fit in room; the file goes on,
 * so a last line without its newline waits, unless it alone is longer
 * than room and cut is set.
 */
static size_t hand_lines(struct kt_live *l, struct strbuf *out, size_t room,
			 bool cut)
{
	struct file_src *fs = l->data;
	const char *nl = memrchr(fs->pend.buf, '\n', fs->pend.len);
	size_t whole = nl ? (size_t)(nl - fs->pend.buf) + 1 : 0, n;

	if (whole)
		n = kt_live_fit(fs->pend.buf, whole, room, cut);
	else
		n = cut && fs->pend.len >= room ? room : 0;
	hand_out(l, out, n);
	return n;
}

/*
 * The file ends here (rotated away, truncated): hands out all of pend
 * and ends an unfinished last line with a newline of our own (a fixed
 * mark).  Returns false when room ran out first.
 */
static bool hand_rest(struct kt_live *l, struct strbuf *out, size_t room,
		      bool cut, size_t *got)
{
	struct file_src *fs = l->data;
	size_t n = kt_live_fit(fs->pend.buf, fs->pend.len, room, cut);

	hand_out(l, out, n);
	*got += n;
	room -= n;
	if (fs->pend.len)
		return false;
	if (!fs->open_line)
		return true;
	if (!room)
		return false;
	add_mark(l, &fs->id, fs->hand, true);
	strbuf_addch(out, '\n');
	l->offset++;
	(*got)++;
	fs->open_line = false;
	return true;
}

/* At the end of fd: is the path still this file, as long as before? */
static enum file_state file_state(struct file_src *fs)
{
	struct file_id id;
	struct statx stx, self;

	if (id_at(fs->fd, "", AT_EMPTY_PATH, &id, &self))
		return F_GONE;
	if (id_at(AT_FDCWD, fs->path, 0, &id, &stx)) {
		/* renamed, nothing at the path yet: the writer may go on */
		return self.stx_nlink ? F_SAME : F_GONE;
	}
	if (!same_id(&id, &fs->id))
		return F_GONE;
	if (self.stx_size < fs->hand + fs->pend.len)
		return F_TRUNCATED;
	return F_SAME;
}

static int file_read(struct kt_ctx *ctx, struct kt_live *l, struct strbuf *out,
		     size_t cap, size_t *got)
{
	struct file_src *fs = l->data;
	enum file_state st;
	int rc;

	*got = 0;
	drain_events(fs);
	rc = fs->err;
	fs->err = 0;
	if (rc)
		return rc;
	for (;;) {
		if (fs->fd < 0) {
			rc = open_path(ctx, l);
			if (rc)
				break;
		}
		rc = fill(ctx, l, cap);
		if (rc)
			break;
		*got += hand_lines(l, out, cap - *got, !*got);
		if (!fs->eof || *got == cap)
			return 0;
		st = file_state(fs);
		if (st == F_SAME)
			return 0;
		if (!hand_rest(l, out, cap - *got, !*got, got))
			return 0;
		if (st == F_TRUNCATED) {
			/* copytruncate or truncation: again from the start */
			if (lseek(fs->fd, 0, SEEK_SET) < 0) {
				rc = kt_failf(ctx, KT_ERR_IO,
					      "cannot seek '%s': %s", l->name,
					      strerror(errno));
				break;
			}
			strbuf_reset(&fs->pend);
			fs->hand = 0;
			add_mark(l, &fs->id, 0, false);
		} else {
			/* NEEDSWORK: what the writer adds to the old file
			 * after this (before it reopens the path) is lost,
			 * as with tail -F */
			struct file_id done = fs->id;
			struct statx self;
			uint64_t mtime = 0;
			int next;

			if (!id_at(fs->fd, "", AT_EMPTY_PATH, &done, &self))
				mtime = mtime_ns(&self);
			close_file(fs);
			next = open_successor(fs, &done, mtime);
			if (next >= 0) {
				errno = 0;
				rc = use_file(ctx, l, next, 0);
				if (rc)
					break;
			}
		}
	}
	if (rc > 0)
		rc = 0;
	if (rc && *got) {
		fs->err = rc;
		rc = 0;
	}
	return rc;
}

/* ------------------------------------------------------------ cursors */

static int file_fd(const struct kt_live *l)
{
	const struct file_src *fs = l->data;

	return fs->ifd;
}

static void file_cursor(const struct kt_live *l, const struct kt_live_mark *m,
			uint64_t pos, struct strbuf *out)
{
	strbuf_addf(out, " dev=%" PRIu64 " ino=%" PRIu64 " btime=%" PRIu64
		    " pos=%" PRIu64, m->id[0], m->id[1], m->id[2], pos);
}

static void file_close(struct kt_live *l)
{
	struct file_src *fs = l->data;

	close_file(fs);
	if (fs->ifd >= 0)
		close(fs->ifd);
	strbuf_release(&fs->pend);
	free(fs->path);
	free(fs->dir);
	free(fs);
	l->data = NULL;
}

const struct kt_live_ops kt_live_file = {
	.name = "file",
	.open = file_open,
	.read = file_read,
	.fd = file_fd,
	.cursor = file_cursor,
	.close = file_close,
};
