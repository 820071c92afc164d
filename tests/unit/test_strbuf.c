/*
 * test_strbuf.c - unit tests of base/strbuf: the invariants of strbuf.h
 * (never NULL, always terminated, a fresh strbuf owns nothing), growth,
 * formatted appends across every capacity boundary, detach/release and
 * the control-byte sanitizer.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

/* The invariants every strbuf holds between calls. */
static void check_inv(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
	else
		assert_ptr_equal(sb->buf, strbuf_slopbuf);
}

/* Runs fn in a child; true when the child died instead of returning. */
static bool dies(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

static void test_fresh(void **state)
{
	struct strbuf a = STRBUF_INIT, b;

	(void)state;
	check_inv(&a);
	assert_int_equal(a.len, 0);
	assert_int_equal(a.alloc, 0);
	assert_string_equal(a.buf, "");

	strbuf_init(&b, 0);
	check_inv(&b);
	assert_int_equal(b.alloc, 0);
	/* setlen/reset on a fresh strbuf write nothing anywhere */
	strbuf_reset(&b);
	strbuf_setlen(&b, 0);
	check_inv(&b);
	assert_int_equal(strbuf_slopbuf[0], '\0');
	/* adding nothing allocates nothing */
	strbuf_add(&b, NULL, 0);
	strbuf_addstr(&b, "");
	assert_int_equal(b.alloc, 0);
	strbuf_release(&b);
	check_inv(&b);
	assert_int_equal(b.alloc, 0);

	strbuf_init(&b, 100);
	check_inv(&b);
	assert_true(b.alloc >= 101);
	assert_int_equal(b.len, 0);
	strbuf_release(&b);
	strbuf_release(&a);
}

static void test_growth(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, grows = 0, last_alloc = 0;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		strbuf_addch(&sb, 'a' + (int)(i % 26));
		if (sb.alloc != last_alloc) {
			grows++;
			last_alloc = sb.alloc;
		}
		assert_int_equal(sb.len, i + 1);
		if (!(i % 9973))
			check_inv(&sb);
	}
	check_inv(&sb);
	/* geometric growth: a few dozen reallocations, not one per byte */
	assert_true(grows < 40);
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] != 'a' + (int)(i % 26))
			fail_msg("byte %zu is '%c'", i, sb.buf[i]);

	/* grow reserves room without changing the contents */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "xyz");
	strbuf_grow(&sb, 5000);
	assert_true(sb.alloc >= 5004);
	assert_int_equal(sb.len, 3);
	assert_string_equal(sb.buf, "xyz");
	strbuf_release(&sb);
}

static void test_add_binary(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	static const char bin[] = "a\0b\0\0c\xff";

	(void)state;
	strbuf_add(&sb, bin, sizeof(bin) - 1);
	check_inv(&sb);
	assert_int_equal(sb.len, 7);
	assert_memory_equal(sb.buf, bin, 7);
	strbuf_addch(&sb, '\0');
	assert_int_equal(sb.len, 8);
	check_inv(&sb);
	strbuf_addstr(&sb, "tail");
	assert_int_equal(sb.len, 12);
	assert_memory_equal(sb.buf + 7, "\0tail", 6);
	strbuf_release(&sb);
}

/* Appends of every length around every capacity the buffer passes. */
static void test_addf_boundaries(void **state)
{
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	char pad[300];
	int start, k;

	(void)state;
	memset(pad, 'x', sizeof(pad));
	for (start = 0; start < 40; start++) {
		for (k = 0; k < 260; k++) {
			strbuf_release(&sb);
			strbuf_release(&want);
			strbuf_add(&sb, pad, (size_t)start);
			strbuf_addf(&sb, "<%.*s>", k, pad);
			check_inv(&sb);
			assert_int_equal(sb.len, (size_t)start + k + 2);
			strbuf_add(&want, pad, (size_t)start);
			strbuf_addch(&want, '<');
			strbuf_add(&want, pad, (size_t)k);
			strbuf_addch(&want, '>');
			assert_memory_equal(sb.buf, want.buf, want.len);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&want);
}

static void test_addf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct strbuf big = STRBUF_INIT;
	size_t i;

	(void)state;
	/* an empty result still leaves a valid, owned buffer */
	strbuf_addf(&sb, "%s", "");
	check_inv(&sb);
	assert_int_equal(sb.len, 0);
	strbuf_addf(&sb, "%d|%lld|%llu|%s|%05.1f", -42, (long long)INT64_MIN,
		    (unsigned long long)UINT64_MAX, "str", 2.25);
	assert_string_equal(sb.buf, "-42|-9223372036854775808|"
			    "18446744073709551615|str|002.2");
	/* a NUL produced by the format counts as a byte */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "a%cb", 0);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b\0", 4);

	/* one append far larger than the buffer */
	for (i = 0; i < 100000; i++)
		strbuf_addch(&big, '0' + (int)(i % 10));
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "head:");
	strbuf_addf(&sb, "%s:tail", big.buf);
	check_inv(&sb);
	assert_int_equal(sb.len, 5 + 100000 + 5);
	assert_memory_equal(sb.buf + 5, big.buf, big.len);
	assert_string_equal(sb.buf + 5 + big.len, ":tail");
	strbuf_release(&sb);
	strbuf_release(&big);
}

static void test_setlen(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, "hello world");
	strbuf_setlen(&sb, 5);
	check_inv(&sb);
	assert_string_equal(sb.buf, "hello");
	/* growing len again re-exposes bytes: the terminator moves */
	strbuf_setlen(&sb, 8);
	assert_int_equal(sb.buf[8], '\0');
	assert_memory_equal(sb.buf, "hello\0wo", 8);
	strbuf_reset(&sb);
	check_inv(&sb);
	assert_string_equal(sb.buf, "");
	assert_true(sb.alloc > 0);
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *p;

	(void)state;
	/* a fresh strbuf detaches an allocated empty string */
	p = strbuf_detach(&sb, &len);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	assert_ptr_not_equal(p, strbuf_slopbuf);
	free(p);
	check_inv(&sb);

	strbuf_add(&sb, "ab\0cd", 5);
	p = strbuf_detach(&sb, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "ab\0cd\0", 6);
	check_inv(&sb);
	assert_int_equal(sb.alloc, 0);
	assert_int_equal(sb.len, 0);
	/* the strbuf is usable again and owns something new */
	strbuf_addstr(&sb, "again");
	assert_ptr_not_equal(sb.buf, p);
	free(p);
	p = strbuf_detach(&sb, NULL);
	assert_string_equal(p, "again");
	free(p);

	/* release leaves it ready for reuse too */
	strbuf_addstr(&sb, "x");
	strbuf_release(&sb);
	check_inv(&sb);
	strbuf_addstr(&sb, "y");
	assert_string_equal(sb.buf, "y");
	strbuf_release(&sb);
}

static void test_sanitized(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char all[256];
	int i;

	(void)state;
	strbuf_add_sanitized(&sb, "", 0);
	check_inv(&sb);
	assert_int_equal(sb.len, 0);
	strbuf_add_sanitized(&sb, "a\0b\tc\nd\re\x1b[31mf\x7fg\x80\xff", 19);
	check_inv(&sb);
	assert_int_equal(sb.len, 19);
	assert_memory_equal(sb.buf, "a?b\tc?d?e?[31mf?g\x80\xff", 19);

	/* every byte: only C0 controls (but tab) and DEL change */
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "pre:");
	strbuf_add_sanitized(&sb, all, sizeof(all));
	assert_int_equal(sb.len, 4 + 256);
	for (i = 0; i < 256; i++) {
		int want = ((i < 0x20 && i != '\t') || i == 0x7f) ? '?' : i;

		assert_int_equal((unsigned char)sb.buf[4 + i], want);
	}
	strbuf_release(&sb);
}

static void test_rtrim(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_rtrim(&sb);
	check_inv(&sb);
	strbuf_addstr(&sb, "  keep  inner \t\r\n \n");
	strbuf_rtrim(&sb);
	assert_string_equal(sb.buf, "  keep  inner");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, " \t\r\n");
	strbuf_rtrim(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	/* NUL bytes are content, not white space */
	strbuf_reset(&sb);
	strbuf_add(&sb, "a\0 ", 3);
	strbuf_rtrim(&sb);
	assert_int_equal(sb.len, 2);
	strbuf_release(&sb);
}

static void grow_overflow(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, 'x');
	strbuf_grow(&sb, SIZE_MAX);
}

static void grow_huge(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_grow(&sb, SIZE_MAX / 2);
}

/* Sizes that cannot be honoured end the process; they never wrap. */
static void test_huge(void **state)
{
	(void)state;
	assert_true(dies(grow_overflow));
	assert_true(dies(grow_huge));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_add_binary),
		cmocka_unit_test(test_addf_boundaries),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_setlen),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_sanitized),
		cmocka_unit_test(test_rtrim),
		cmocka_unit_test(test_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
