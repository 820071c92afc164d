/*
 * test_utf8.c - unit tests of base/utf8: which byte strings are clean,
 * and what the repair makes of the others (utf8.h: valid UTF-8 kept,
 * each invalid byte U+FFFD, control characters but tab '?').
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/utf8.h"

#include <setjmp.h>
#include <cmocka.h>

#define FFFD "\xef\xbf\xbd"

static bool clean(const char *s, size_t len)
{
	return kt_utf8_clean(s, len);
}

#define CLEAN(lit) clean(lit, sizeof(lit) - 1)

/* Sanitizes the literal's bytes and compares with want. */
static void check(const char *in, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "<");
	kt_utf8_sanitize(&sb, in, len);
	strbuf_addstr(&sb, ">");
	assert_string_equal(sb.buf + 1, want);
	assert_int_equal(sb.buf[0], '<');
	/* what comes out is clean (once the markers are ignored) */
	assert_true(kt_utf8_clean(sb.buf, sb.len));
	strbuf_release(&sb);
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want ">")

static void test_clean_valid(void **state)
{
	(void)state;
	assert_true(clean("", 0));
	assert_true(clean(NULL, 0));
	assert_true(CLEAN("plain ASCII ~!@#$%^&*()"));
	assert_true(CLEAN("tab\tis fine"));
	/* the first and last code point of each length */
	assert_true(CLEAN("\x20\x7e"));
	assert_true(CLEAN("\xc2\x80\xdf\xbf"));
	assert_true(CLEAN("\xe0\xa0\x80\xef\xbf\xbf"));
	assert_true(CLEAN("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));
	/* just around the surrogates */
	assert_true(CLEAN("\xed\x9f\xbf\xee\x80\x80"));
	/* non-characters are still valid scalar values */
	assert_true(CLEAN("\xef\xbf\xbe\xef\xbf\xbf"));
	assert_true(CLEAN("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
	/* C1 controls are valid UTF-8 and pass as they are */
	assert_true(CLEAN("\xc2\x85\xc2\x9b"));
}

static void test_clean_invalid(void **state)
{
	(void)state;
	/* C0 controls, DEL, NUL */
	assert_false(CLEAN("a\nb"));
	assert_false(CLEAN("\r"));
	assert_false(CLEAN("\x1b[0m"));
	assert_false(CLEAN("\x7f"));
	assert_false(CLEAN("a\0b"));
	assert_false(CLEAN("\x01"));
	assert_false(CLEAN("\x1f"));
	/* stray continuation bytes, impossible lead bytes */
	assert_false(CLEAN("\x80"));
	assert_false(CLEAN("\xbf"));
	assert_false(CLEAN("\xc0\x80"));
	assert_false(CLEAN("\xc1\xbf"));
	assert_false(CLEAN("\xf5\x80\x80\x80"));
	assert_false(CLEAN("\xf8\x88\x80\x80\x80"));
	assert_false(CLEAN("\xfe"));
	assert_false(CLEAN("\xff"));
	/* overlong encodings */
	assert_false(CLEAN("\xe0\x80\xaf"));
	assert_false(CLEAN("\xe0\x9f\xbf"));
	assert_false(CLEAN("\xf0\x80\x80\xaf"));
	assert_false(CLEAN("\xf0\x8f\xbf\xbf"));
	/* surrogates, alone and as a pair */
	assert_false(CLEAN("\xed\xa0\x80"));
	assert_false(CLEAN("\xed\xbf\xbf"));
	assert_false(CLEAN("\xed\xa0\xbd\xed\xb8\x80"));
	/* beyond U+10FFFF */
	assert_false(CLEAN("\xf4\x90\x80\x80"));
	/* truncated: at the end, and followed by ASCII */
	assert_false(CLEAN("\xc3"));
	assert_false(CLEAN("\xe2\x82"));
	assert_false(CLEAN("\xf0\x9f\x98"));
	assert_false(CLEAN("\xe2\x82z"));
	assert_false(CLEAN("\xf0\x9f\x98\x20"));
}

/* The length is the limit, not a NUL. */
static void test_clean_len(void **state)
{
	static const char euro[] = "\xe2\x82\xac";

	(void)state;
	assert_true(clean(euro, 3));
	assert_false(clean(euro, 2));
	assert_false(clean(euro, 1));
	assert_true(clean(euro, 0));
	assert_true(clean("ab\ncd", 2));
	assert_false(clean("ab\ncd", 3));
}

static void test_sanitize(void **state)
{
	(void)state;
	CHECK("", "");
	CHECK("hello, w\xc3\xb6rld \xe2\x82\xac", "hello, w\xc3\xb6rld \xe2\x82\xac");
	CHECK("tab\tstays", "tab\tstays");
	/* controls become '?' one for one */
	CHECK("a\nb\r\nc", "a?b??c");
	CHECK("\x1b[31mred\x1b[0m", "?[31mred?[0m");
	CHECK("nul\0byte", "nul?byte");
	CHECK("\x7f", "?");
	/* each invalid byte is one U+FFFD */
	CHECK("\xff", FFFD);
	CHECK("a\x80z", "a" FFFD "z");
	CHECK("\xc0\x80", FFFD FFFD);
	CHECK("\xe0\x80\xaf", FFFD FFFD FFFD);
	CHECK("\xed\xa0\x80", FFFD FFFD FFFD);
	CHECK("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	CHECK("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
	/* a truncated sequence, then valid text resumes at once */
	CHECK("\xe2\x82" "abc", FFFD FFFD "abc");
	CHECK("\xe2\x82\xe2\x82\xac", FFFD FFFD "\xe2\x82\xac");
	CHECK("x\xf0\x9f\x98", "x" FFFD FFFD FFFD);
	CHECK("\xc3", FFFD);
	/* both kinds mixed with valid text */
	CHECK("\xc3\xa9\n\xff\xc3\xa9\t", "\xc3\xa9?" FFFD "\xc3\xa9\t");
	/* U+FFFD itself is valid and kept */
	CHECK(FFFD, FFFD);
}

/* Appends after what is already there; keeps nothing of a prior call. */
static void test_sanitize_appends(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, "pre");
	kt_utf8_sanitize(&sb, "\xff", 1);
	kt_utf8_sanitize(&sb, "ok", 2);
	kt_utf8_sanitize(&sb, "", 0);
	kt_utf8_sanitize(&sb, "\n", 1);
	assert_string_equal(sb.buf, "pre" FFFD "ok?");
	strbuf_release(&sb);
}

/* Any bytes at all: the output is clean, valid input is unchanged. */
static void test_sanitize_random(void **state)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	uint32_t x = 2463534242u;
	int round, i;

	(void)state;
	for (round = 0; round < 2000; round++) {
		strbuf_reset(&in);
		strbuf_reset(&out);
		for (i = 0; i < round % 97; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* bias towards the interesting bytes */
			strbuf_addch(&in, (int)(round % 3 ? (x & 0xff) :
						(0x80 | (x & 0x7f))));
		}
		kt_utf8_sanitize(&out, in.buf, in.len);
		assert_true(kt_utf8_clean(out.buf, out.len));
		assert_true(out.len >= in.len);
		assert_true(out.len <= in.len * 3);
		if (kt_utf8_clean(in.buf, in.len)) {
			assert_int_equal(out.len, in.len);
			assert_memory_equal(out.buf, in.buf, in.len);
		}
		/* repairing twice changes nothing more */
		strbuf_reset(&in);
		kt_utf8_sanitize(&in, out.buf, out.len);
		assert_int_equal(in.len, out.len);
		assert_memory_equal(in.buf, out.buf, out.len);
	}
	strbuf_release(&in);
	strbuf_release(&out);
}

/* Every code point encodes to a clean sequence, every surrogate not. */
static void test_all_code_points(void **state)
{
	unsigned char b[4];
	uint32_t cp;
	size_t n;

	(void)state;
	for (cp = 0x20; cp <= 0x10ffff; cp++) {
		if (cp == 0x7f)
			continue;
		if (cp < 0x80) {
			b[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			b[0] = (unsigned char)(0xc0 | cp >> 6);
			b[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (unsigned char)(0xe0 | cp >> 12);
			b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | cp >> 18);
			b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			b[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		if (clean((const char *)b, n) != !(cp >= 0xd800 &&
						  cp <= 0xdfff))
			fail_msg("U+%04X misjudged", (unsigned)cp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_valid),
		cmocka_unit_test(test_clean_invalid),
		cmocka_unit_test(test_clean_len),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sanitize_appends),
		cmocka_unit_test(test_sanitize_random),
		cmocka_unit_test(test_all_code_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
