/*
 * embed.h - files compiled into the binary at build time.
 *
 * scripts/embed.cmake turns the YAML files of rules/ and kb/ into
 * NULL-terminated tables of these, so the default rule pack and the
 * report's knowledge base need no installed data files.
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
extern const struct kt_embed_file kt_embedded_kb[];

#endif
