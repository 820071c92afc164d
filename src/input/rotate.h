/*
 * rotate.h - the order of rotated log files within one directory.
 *
 * A file name is split into a family and a generation:
 *     kern.log.3.gz  -> family "kern.log", numbered 3 (larger is older)
 *     messages-20250108.gz -> family "messages", dated "20250108"
 *     system@0005f3-00a1.journal -> family "system" (journal), "0005f3-00a1"
 *     kern.log       -> family "kern.log", the current file
 * A compression suffix (.gz .zst .xz .bz2) is ignored for the order only:
 * the format is always found from the bytes.  Dated stamps are one or
 * more "-digits" groups at the end with at least 8 digits in all and 4
 * in the first group (-20250108, -2025-01-08, -20250108-1736294400).
 *
 * Order: families by name (a journal family after a text family of the
 * same name); within one family numbered files from the highest number
 * down, then dated files oldest first, then the current file; ties by
 * the whole name.  So kern.log.3.gz, kern.log.2.gz, kern.log.1, kern.log
 * and syslog.10.gz before syslog.9.gz.
 */
#ifndef KT_ROTATE_H
#define KT_ROTATE_H

#include "base/compat.h"
#include "base/str.h"

enum kt_rotate_kind {
	KT_ROTATE_NUMBERED = 0,
	KT_ROTATE_DATED = 1,
	KT_ROTATE_CURRENT = 2,
};

struct kt_rotate_key {
	struct kt_str family;	/* borrowed from the name */
	bool journal;		/* a systemd .journal file */
	enum kt_rotate_kind kind;
	uint64_t number;	/* KT_ROTATE_NUMBERED */
	struct kt_str stamp;	/* KT_ROTATE_DATED; borrowed from name */
};

/* Splits a file name (no directory part); the key borrows from name. */
void kt_rotate_key(const char *name, struct kt_rotate_key *key);

/* strcmp-like order of two file names of one directory, as above. */
int kt_rotate_cmp(const char *a, const char *b);

#endif
