/*
 * decompress.c - gzip and zstd decoding under the file source (see
 * decompress.h).
 *
 * Input stage: sits between the raw reader of a file, stdin or memory
 * buffer and the framer, so every later stage sees plain text.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "input/decompress.h"
#include <zlib.h>
#include <zstd.h>

#define IN_SIZE (128 * 1024)
#define SNIFF_LEN 4

struct kt_decompress {
	kt_decompress_fill_fn *fill;
	void *fill_data;	/* borrowed from the caller of _new */
	const char *name;	/* borrowed from the caller of _new */
	unsigned char *in;	/* owned; IN_SIZE bytes of raw input */
	size_t in_pos, in_len;	/* unread raw input: in[in_pos, in_len) */
	bool in_eof;
	enum kt_decompress_codec codec;
	bool done;		/* the stream ended cleanly */
	struct strbuf why;	/* owned; the reason of a failure, or "" */
	bool failed;		/* why is set; reported on the next read */

	z_stream zs;		/* owned when zs_live; inflateEnd */
	bool zs_live;
	bool member_done;	/* a gzip member ended; another may follow */
	ZSTD_DStream *zd;	/* owned; ZSTD_freeDStream */
	bool frame_open;	/* inside a zstd frame */
	uint64_t skip_left;	/* bytes left of a skippable frame */
};

struct kt_decompress *kt_decompress_new(kt_decompress_fill_fn *fill,
					void *fill_data, const char *name)
{
	struct kt_decompress *d = xcalloc(1, sizeof(*d));

	d->fill = fill;
	d->fill_data = fill_data;
	d->name = name;
	d->in = xmalloc(IN_SIZE);
	strbuf_init(&d->why, 0);
	return d;
}

void kt_decompress_free(struct kt_decompress *d)
{
	if (!d)
		return;
	if (d->zd)
		ZSTD_freeDStream(d->zd);
	if (d->zs_live)
		inflateEnd(&d->zs);
	strbuf_release(&d->why);
	free(d->in);
	free(d);
}

enum kt_decompress_codec kt_decompress_codec(const struct kt_decompress *d)
{
	return d->codec;
}

static size_t avail(const struct kt_decompress *d)
{
	return d->in_len - d->in_pos;
}

/* Reads more raw input behind what is left in the buffer. */
static int refill(struct kt_ctx *ctx, struct kt_decompress *d)
{
	size_t got;
	int rc;

	if (d->in_pos) {
		memmove(d->in, d->in + d->in_pos, avail(d));
		d->in_len -= d->in_pos;
		d->in_pos = 0;
	}
	if (d->in_len == IN_SIZE || d->in_eof)
		return 0;
	rc = d->fill(ctx, d->fill_data, (char *)d->in + d->in_len,
		     IN_SIZE - d->in_len, &got);
	if (rc)
		return rc;
	if (!got)
		d->in_eof = true;
	d->in_len += got;
	return 0;
}

/* Makes at least n raw bytes available, unless the input ends first. */
static int ensure(struct kt_ctx *ctx, struct kt_decompress *d, size_t n)
{
	while (avail(d) < n && !d->in_eof) {
		int rc = refill(ctx, d);

		if (rc)
			return rc;
	}
	return 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void truncated(struct kt_decompress *d, const char *codec)
{
	strbuf_addf(&d->why, "truncated %s data", codec);
	d->failed = true;
}

static bool is_gzip(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static bool is_skippable(const unsigned char *p, size_t n)
{
	return n >= 4 && (le32(p) & ZSTD_MAGIC_SKIPPABLE_MASK) ==
			 ZSTD_MAGIC_SKIPPABLE_START;
}

static bool is_zstd(const unsigned char *p, size_t n)
{
	return (n >= 4 && le32(p) == ZSTD_MAGICNUMBER) || is_skippable(p, n);
}

static int sniff(struct kt_ctx *ctx, struct kt_decompress *d)
{
	const unsigned char *p;
	int rc;

	rc = ensure(ctx, d, SNIFF_LEN);
	if (rc)
		return rc;
	p = d->in + d->in_pos;
	if (is_gzip(p, avail(d))) {
		if (inflateInit2(&d->zs, 15 + 16) != Z_OK)
			return kt_failf(ctx, KT_ERR_INTERNAL,
					"cannot read '%s': zlib: %s", d->name,
					d->zs.msg ? d->zs.msg : "init failed");
		d->zs_live = true;
		d->codec = KT_DECOMPRESS_GZIP;
	} else if (is_zstd(p, avail(d))) {
		d->zd = ZSTD_createDStream();
		if (!d->zd)
			kt_die_oom(sizeof(*d));
		ZSTD_DCtx_setParameter(d->zd, ZSTD_d_windowLogMax,
				       KT_DECOMPRESS_ZSTD_WINDOW_LOG);
		d->codec = KT_DECOMPRESS_ZSTD;
	} else {
		d->codec = KT_DECOMPRESS_NONE;
	}
	return 0;
}

static int read_plain(struct kt_ctx *ctx, struct kt_decompress *d,
		      char *buf, size_t cap, size_t *got)
{
	if (avail(d)) {
		*got = KT_MIN(avail(d), cap);
		memcpy(buf, d->in + d->in_pos, *got);
		d->in_pos += *got;
		return 0;
	}
	if (d->in_eof) {
		*got = 0;
		return 0;
	}
	return d->fill(ctx, d->fill_data, buf, cap, got);
}

/*
 * After a gzip member: another member follows, or the stream ends.
 * Returns 1 to go on decoding, 0 at the end, <0 on error.
 */
static int next_member(struct kt_ctx *ctx, struct kt_decompress *d)
{
	int rc = ensure(ctx, d, 2);

	if (rc)
		return rc;
	if (!avail(d))
		return 0;
	if (!is_gzip(d->in + d->in_pos, avail(d))) {
		/* as gzip -d: decoded data stays good, the rest is ignored */
		kt_log(ctx, KT_LOG_WARN,
		       "ignoring trailing garbage after gzip data in '%s'",
		       d->name);
		d->in_pos = d->in_len;
		d->in_eof = true;
		return 0;
	}
	if (inflateReset(&d->zs) != Z_OK)
		BUG("inflateReset failed");
	d->member_done = false;
	return 1;
}

static int read_gzip(struct kt_ctx *ctx, struct kt_decompress *d,
		     char *buf, size_t cap, size_t *got)
{
	size_t produced = 0, in0, out0;
	int ret, rc;

	while (produced < cap) {
		if (d->member_done) {
			/* do not wait for more input with bytes in hand */
			if (produced && avail(d) < 2 && !d->in_eof)
				break;
			rc = next_member(ctx, d);
			if (rc < 0)
				return rc;
			if (!rc) {
				d->done = true;
				break;
			}
		}
		d->zs.next_in = d->in + d->in_pos;
		d->zs.avail_in = (uInt)KT_MIN(avail(d), (size_t)UINT_MAX);
		d->zs.next_out = (unsigned char *)buf + produced;
		d->zs.avail_out = (uInt)KT_MIN(cap - produced,
					       (size_t)UINT_MAX);
		in0 = d->zs.avail_in;
		out0 = d->zs.avail_out;
		ret = inflate(&d->zs, Z_NO_FLUSH);
		d->in_pos += in0 - d->zs.avail_in;
		produced += out0 - d->zs.avail_out;
		if (ret == Z_STREAM_END) {
			d->member_done = true;
			continue;
		}
		if (ret == Z_BUF_ERROR && in0 && in0 == d->zs.avail_in &&
		    out0 == d->zs.avail_out)
			ret = Z_DATA_ERROR;	/* stuck: never spin */
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			strbuf_addf(&d->why, "corrupt gzip data (%s)",
				    d->zs.msg ? d->zs.msg : "inflate failed");
			d->failed = true;
			break;
		}
		if (produced == cap || avail(d))
			continue;
		/* inflate wants more input */
		if (d->in_eof) {
			truncated(d, "gzip");
			break;
		}
		if (produced)
			break;
		rc = refill(ctx, d);
		if (rc)
			return rc;
	}
	*got = produced;
	return 0;
}

/*
 * Skippable frames are stepped over here, not by libzstd, so that its
 * return value 0 always means "a frame ended": at the end of the input
 * anything else is a truncated frame.
 */
static int read_zstd(struct kt_ctx *ctx, struct kt_decompress *d,
		     char *buf, size_t cap, size_t *got)
{
	size_t produced = 0, ret, n;
	int rc;

	while (produced < cap) {
		if (d->skip_left) {
			n = KT_MIN(d->skip_left, avail(d));
			d->in_pos += n;
			d->skip_left -= n;
			if (!d->skip_left)
				continue;
			if (d->in_eof) {
				truncated(d, "zstd");
				break;
			}
			if (produced)
				break;
			rc = refill(ctx, d);
			if (rc)
				return rc;
			continue;
		}
		if (!d->frame_open) {
			/* between frames */
			if (avail(d) < 8 && !d->in_eof) {
				if (produced)
					break;
				rc = refill(ctx, d);
				if (rc)
					return rc;
				continue;
			}
			if (!avail(d)) {
				d->done = true;
				break;
			}
			if (is_skippable(d->in + d->in_pos, avail(d))) {
				if (avail(d) < 8) {
					truncated(d, "zstd");
					break;
				}
				d->skip_left = le32(d->in + d->in_pos + 4);
				d->in_pos += 8;
				continue;
			}
			d->frame_open = true;
		}
		{
			ZSTD_inBuffer zin = { d->in + d->in_pos, avail(d), 0 };
			ZSTD_outBuffer zout = { buf + produced, cap - produced,
						0 };

			ret = ZSTD_decompressStream(d->zd, &zout, &zin);
			d->in_pos += zin.pos;
			produced += zout.pos;
			n = zin.pos + zout.pos;
		}
		if (ZSTD_isError(ret)) {
			strbuf_addf(&d->why, "corrupt zstd data (%s)",
				    ZSTD_getErrorName(ret));
			d->failed = true;
			break;
		}
		if (!ret) {
			d->frame_open = false;
			continue;
		}
		if (produced == cap)
			break;
		if (avail(d)) {
			if (n)
				continue;
			/* stuck: never loop forever */
			strbuf_addstr(&d->why, "corrupt zstd data");
			d->failed = true;
			break;
		}
		/* all input consumed, room left, frame not done */
		if (d->in_eof) {
			truncated(d, "zstd");
			break;
		}
		if (produced)
			break;
		rc = refill(ctx, d);
		if (rc)
			return rc;
	}
	*got = produced;
	return 0;
}

int kt_decompress_read(struct kt_ctx *ctx, struct kt_decompress *d,
		       char *buf, size_t cap, size_t *got)
{
	int rc;

	*got = 0;
	if (d->failed)
		return kt_failf(ctx, KT_ERR_FORMAT, "cannot read '%s': %s",
				d->name, d->why.buf);
	if (d->done || !cap)
		return 0;
	if (d->codec == KT_DECOMPRESS_UNKNOWN) {
		rc = sniff(ctx, d);
		if (rc)
			return rc;
	}
	switch (d->codec) {
	case KT_DECOMPRESS_GZIP:
		rc = read_gzip(ctx, d, buf, cap, got);
		break;
	case KT_DECOMPRESS_ZSTD:
		rc = read_zstd(ctx, d, buf, cap, got);
		break;
	default:
		return read_plain(ctx, d, buf, cap, got);
	}
	if (rc)
		return rc;
	/* bytes decoded before the damage go out first */
	if (d->failed && !*got)
		return kt_failf(ctx, KT_ERR_FORMAT, "cannot read '%s': %s",
				d->name, d->why.buf);
	return 0;
}
