/*
 * xalloc.h - allocation that cannot fail, and checked size arithmetic.
 *
 * xmalloc & co. abort the process with a message when memory runs out:
 * the one way library code may end the process.  st_add()/st_mult()
 * abort on overflow, so sizes computed from input can never wrap.
 */
#ifndef KT_XALLOC_H
#define KT_XALLOC_H

#include "base/compat.h"

KT_NORETURN void kt_die_oom(size_t size);
KT_NORETURN void kt_bug(const char *file, int line, const char *fmt, ...)
	KT_PRINTF(3, 4);

/* BUG(): a broken invariant inside ktriage itself, never bad input. */
#define BUG(...) kt_bug(__FILE__, __LINE__, __VA_ARGS__)

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* Copies len bytes of p and terminates them; p need not be terminated. */
char *xmemdupz(const void *p, size_t len);

static inline size_t st_add(size_t a, size_t b)
{
	size_t r;

	if (__builtin_add_overflow(a, b, &r))
		BUG("size overflow: %zu + %zu", a, b);
	return r;
}

static inline size_t st_mult(size_t a, size_t b)
{
	size_t r;

	if (__builtin_mul_overflow(a, b, &r))
		BUG("size overflow: %zu * %zu", a, b);
	return r;
}

/*
 * ALLOC_GROW(x, nr, alloc): make room for nr elements in the array x
 * whose capacity is alloc, growing it geometrically.
 */
#define KT_ALLOC_NR(x) (((x) + 16) * 3 / 2)
#define ALLOC_GROW(x, nr, alloc) \
	do { \
		if ((nr) > (alloc)) { \
			if (KT_ALLOC_NR(alloc) < (nr)) \
				(alloc) = (nr); \
			else \
				(alloc) = KT_ALLOC_NR(alloc); \
			(x) = xrealloc((x), st_mult(sizeof(*(x)), (alloc))); \
		} \
	} while (0)

#endif
