/*
 * xalloc.c - allocation wrappers that abort on exhaustion, and BUG().
 *
 * Used by every stage; the only place besides cmd/ that may end the
 * process, because there is no sane way to carry on without memory.
 */
#include "base/compat.h"
#include "base/xalloc.h"

void kt_die_oom(size_t size)
{
	fprintf(stderr, "ktriage: out of memory allocating %zu bytes\n", size);
	abort();
}

void kt_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		kt_die_oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		kt_die_oom(st_mult(nmemb, size));
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		kt_die_oom(size);
	return p;
}

char *xstrdup(const char *s)
{
	return xmemdupz(s, strlen(s));
}

char *xmemdupz(const void *p, size_t len)
{
	char *r = xmalloc(st_add(len, 1));

	if (len)
		memcpy(r, p, len);
	r[len] = '\0';
	return r;
}
