/*
 * decompress.h - transparent gzip/zstd decoding of a byte stream.
 *
 * Used by the file source: it wraps a raw reader (a file descriptor or a
 * memory buffer) and hands out the decoded bytes.  The format is found
 * from the first bytes of the stream, never from a file name:
 * 1f 8b is gzip (every member of a multi-member file is decoded, as
 * gzip -d does), 28 b5 2f fd or a skippable-frame magic is zstd (every
 * frame), anything else is passed through unchanged.
 *
 * Invariants: memory is fixed whatever the input (one input buffer plus
 * the codec state; zstd frames that need a window above
 * KT_DECOMPRESS_ZSTD_WINDOW_LOG are refused), so a small file that
 * decodes to terabytes is just a long stream.  A truncated or corrupt
 * stream first hands out every byte decoded before the damage, then
 * fails with KT_ERR_FORMAT ("cannot read 'x.gz': truncated gzip data");
 * once failed, every later read fails the same way.
 *
 * NEEDSWORK: bare zlib streams (pstore's *.enc.z records) are not
 * decoded: their two-byte header ("x^" is one) can also start plain
 * text, so they would need a trial decode to be told apart.
 */
#ifndef KT_DECOMPRESS_H
#define KT_DECOMPRESS_H

#include "base/compat.h"
#include "base/err.h"

#define KT_DECOMPRESS_ZSTD_WINDOW_LOG 27	/* 128 MiB */

/*
 * The raw reader under the decoder, with the contract of
 * kt_source_ops.read: *got == 0 at end, or a negative enum kt_err with
 * the detail in ctx.
 */
typedef int kt_decompress_fill_fn(struct kt_ctx *ctx, void *data, char *buf,
				  size_t cap, size_t *got);

enum kt_decompress_codec {
	KT_DECOMPRESS_UNKNOWN = 0,	/* nothing read yet */
	KT_DECOMPRESS_NONE,
	KT_DECOMPRESS_GZIP,
	KT_DECOMPRESS_ZSTD,
};

struct kt_decompress;

/* fill_data and name are borrowed and must outlive the decoder. */
struct kt_decompress *kt_decompress_new(kt_decompress_fill_fn *fill,
					void *fill_data, const char *name);
void kt_decompress_free(struct kt_decompress *d);

/* As kt_source_ops.read. */
int kt_decompress_read(struct kt_ctx *ctx, struct kt_decompress *d,
		       char *buf, size_t cap, size_t *got);

/* The format detected by the first read. */
enum kt_decompress_codec kt_decompress_codec(const struct kt_decompress *d);

#endif
