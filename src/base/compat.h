/*
 * compat.h - the first include of every .c file in ktriage.
 *
 * Feature macros, compiler attributes and the few helper macros every
 * module uses.  Knows nothing about logs.
 */
#ifndef KT_COMPAT_H
#define KT_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define KT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define KT_NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))

#define KT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KT_MAX(a, b) ((a) > (b) ? (a) : (b))

#define KT_LIKELY(x) __builtin_expect(!!(x), 1)
#define KT_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif
