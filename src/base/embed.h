/*
 * embed.h - files compiled into the binary at build time.
 *
 * scripts/embed.cmake turns the YAML files of rules/ (and later kb/) into a
 * NULL-terminated table of these, so the default rule pack needs no
 * installed data files.
 */
#ifndef KT_EMBED_H
#define KT_EMBED_H

#include <stddef.h>

struct kt_embed_file {
	const char *name;	/* file name without directory */
	const char *data;	/* NUL-terminated contents */
	size_t len;		/* length without the terminator */
};

extern const struct kt_embed_file kt_embedded_rules[];

#endif
