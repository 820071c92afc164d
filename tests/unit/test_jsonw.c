/*
 * test_jsonw.c - unit tests of output/jsonw, the streaming JSON writer:
 * commas and nesting, empty containers, string escaping, control bytes
 * and invalid UTF-8 (repaired as base/utf8 does: '?' and U+FFFD), int64
 * limits, doubles, values from jansson, and what jansson reads back.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "output/jsonw.h"
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define FFFD "\xef\xbf\xbd"

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

/* The JSON of one string value. */
static void check_str(const char *s, size_t len, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;

	kt_jsonw_init(&w, &out);
	kt_jsonw_strn(&w, s, len);
	if (strcmp(out.buf, want))
		fail_msg("got %s, want %s", out.buf, want);
	strbuf_release(&out);
}

#define STR(lit, want) check_str(lit, sizeof(lit) - 1, want)

static void test_structure(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;

	(void)state;
	kt_jsonw_init(&w, &out);
	kt_jsonw_object(&w);
	kt_jsonw_end(&w);
	assert_string_equal(out.buf, "{}");

	strbuf_reset(&out);
	kt_jsonw_init(&w, &out);
	kt_jsonw_array(&w);
	kt_jsonw_end(&w);
	assert_string_equal(out.buf, "[]");

	strbuf_reset(&out);
	kt_jsonw_init(&w, &out);
	kt_jsonw_object(&w);
	kt_jsonw_key(&w, "a");
	kt_jsonw_int(&w, 1);
	kt_jsonw_key(&w, "b");
	kt_jsonw_array(&w);
	kt_jsonw_int(&w, 1);
	kt_jsonw_str(&w, "two");
	kt_jsonw_object(&w);
	kt_jsonw_key(&w, "c");
	kt_jsonw_null(&w);
	kt_jsonw_end(&w);
	kt_jsonw_array(&w);
	kt_jsonw_end(&w);
	kt_jsonw_object(&w);
	kt_jsonw_end(&w);
	kt_jsonw_end(&w);
	kt_jsonw_key(&w, "");
	kt_jsonw_bool(&w, true);
	kt_jsonw_key(&w, "e");
	kt_jsonw_bool(&w, false);
	kt_jsonw_key(&w, "f");
	kt_jsonw_str(&w, NULL);
	kt_jsonw_key(&w, "g");
	kt_jsonw_object(&w);
	kt_jsonw_end(&w);
	kt_jsonw_end(&w);
	assert_int_equal(w.depth, 0);
	assert_string_equal(out.buf, "{\"a\":1,\"b\":[1,\"two\",{\"c\":null},[],"
			    "{}],\"\":true,\"e\":false,\"f\":null,\"g\":{}}");
	strbuf_release(&out);
}

/* The writer appends to what the buffer holds. */
static void test_appends(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;
	int i;

	(void)state;
	strbuf_addstr(&out, "data: ");
	kt_jsonw_init(&w, &out);
	kt_jsonw_array(&w);
	for (i = 0; i < 1000; i++)
		kt_jsonw_int(&w, i);
	kt_jsonw_end(&w);
	strbuf_addch(&out, '\n');
	assert_true(!strncmp(out.buf, "data: [0,1,2,", 13));
	assert_true(!strcmp(out.buf + out.len - 10, ",998,999]\n"));
	strbuf_release(&out);
}

/* As deep as the writer goes, and one level more. */
static void test_depth(void **state)
{
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	struct kt_jsonw w;
	int i;

	(void)state;
	kt_jsonw_init(&w, &out);
	for (i = 0; i < KT_JSONW_DEPTH - 1; i++) {
		if (i % 2) {
			kt_jsonw_object(&w);
			kt_jsonw_key(&w, "k");
		} else {
			kt_jsonw_array(&w);
		}
	}
	kt_jsonw_int(&w, 7);
	for (i = 0; i < KT_JSONW_DEPTH - 1; i++)
		kt_jsonw_end(&w);
	for (i = 0; i < KT_JSONW_DEPTH - 1; i++)
		strbuf_addstr(&want, i % 2 ? "{\"k\":" : "[");
	strbuf_addch(&want, '7');
	for (i = KT_JSONW_DEPTH - 2; i >= 0; i--)
		strbuf_addch(&want, i % 2 ? '}' : ']');
	assert_string_equal(out.buf, want.buf);
	strbuf_release(&out);
	strbuf_release(&want);
}

static void too_deep(void)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;
	int i;

	kt_jsonw_init(&w, &out);
	for (i = 0; i < KT_JSONW_DEPTH; i++)
		kt_jsonw_array(&w);
}

static void closed_twice(void)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;

	kt_jsonw_init(&w, &out);
	kt_jsonw_array(&w);
	kt_jsonw_end(&w);
	kt_jsonw_end(&w);
}

/* Misuse is a bug in ktriage: it ends the process, never the buffer. */
static void test_misuse(void **state)
{
	(void)state;
	assert_true(dies(too_deep));
	assert_true(dies(closed_twice));
}

static void test_strings(void **state)
{
	(void)state;
	STR("", "\"\"");
	STR("plain text", "\"plain text\"");
	STR("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	STR("\"\\\"", "\"\\\"\\\\\\\"\"");
	STR("tab\there", "\"tab\\there\"");
	/* valid UTF-8 as it is, not as \u escapes */
	STR("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	STR("\xef\xbb\xbf" "bom", "\"\xef\xbb\xbf" "bom\"");
	STR("\xe2\x80\xa8\xe2\x80\xa9", "\"\xe2\x80\xa8\xe2\x80\xa9\"");
	/* other control bytes are '?', as everywhere in ktriage */
	STR("a\nb\r\nc", "\"a?b??c\"");
	STR("nul\0byte", "\"nul?byte\"");
	STR("\x01\x1f\x7f", "\"???\"");
	STR("\x1b[31mred\x1b[0m", "\"?[31mred?[0m\"");
	/* invalid UTF-8: one U+FFFD per byte */
	STR("\xff", "\"" FFFD "\"");
	STR("\xc0\xaf", "\"" FFFD FFFD "\"");
	STR("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
	STR("x\xe2\x82", "\"x" FFFD FFFD "\"");
	/* both, and quotes among them */
	STR("\"\xff\n\\", "\"\\\"" FFFD "?\\\\\"");
	/* the length counts, not a NUL */
	check_str("abcdef", 3, "\"abc\"");
}

static void test_keys(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;

	(void)state;
	kt_jsonw_init(&w, &out);
	kt_jsonw_object(&w);
	kt_jsonw_key(&w, "q\"uote");
	kt_jsonw_int(&w, 1);
	kt_jsonw_key(&w, "bad\xff\n");
	kt_jsonw_int(&w, 2);
	kt_jsonw_end(&w);
	assert_string_equal(out.buf, "{\"q\\\"uote\":1,\"bad" FFFD "?\":2}");
	strbuf_release(&out);
}

static void check_int(int64_t v, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;

	kt_jsonw_init(&w, &out);
	kt_jsonw_int(&w, v);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void check_real(double v, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;

	kt_jsonw_init(&w, &out);
	kt_jsonw_real(&w, v);
	if (strcmp(out.buf, want))
		fail_msg("%.17g: got %s, want %s", v, out.buf, want);
	strbuf_release(&out);
}

static void test_numbers(void **state)
{
	(void)state;
	check_int(0, "0");
	check_int(-1, "-1");
	check_int(INT64_MAX, "9223372036854775807");
	check_int(INT64_MIN, "-9223372036854775808");
	check_int(INT64_MIN + 1, "-9223372036854775807");
	check_int(1000000, "1000000");

	/* integral doubles keep a ".0": they stay reals when read back */
	check_real(0.0, "0.0");
	check_real(-2.0, "-2.0");
	check_real(772.0, "772.0");
	check_real(999999999999999.0, "999999999999999.0");
	check_real(-999999999999999.0, "-999999999999999.0");
	check_real(1.5, "1.5");
	check_real(-0.5, "-0.5");
	check_real(0.1, "0.1");
	check_real(772.918915, "772.918915");
	check_real(1e-7, "1e-07");
	/* from 1e15 on, or out of int64 range, exponent notation */
	check_real(1e15, "1e+15");
	check_real(9223372036854775808.0, "9.22337203685478e+18");
	check_real(-9223372036854775808.0, "-9.22337203685478e+18");
	check_real(1e300, "1e+300");
	check_real(-1e300, "-1e+300");
	check_real(DBL_MAX, "1.79769313486232e+308");
	/* JSON has no NaN or infinity */
	check_real(NAN, "null");
	check_real(INFINITY, "null");
	check_real(-INFINITY, "null");
}

static void test_value(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct kt_jsonw w;
	json_t *v = json_object(), *arr = json_array();

	(void)state;
	json_object_set_new(v, "z", json_integer(INT64_MIN));
	json_object_set_new(v, "a", json_stringn("x\0y\n", 4));
	json_object_set_new(v, "r", json_real(2.5));
	json_object_set_new(v, "t", json_true());
	json_object_set_new(v, "f", json_false());
	json_object_set_new(v, "n", json_null());
	json_object_set_new(v, "e", json_object());
	json_array_append_new(arr, json_integer(1));
	json_array_append_new(arr, json_array());
	json_array_append_new(arr, json_string("q\"\\"));
	json_object_set_new(v, "l", arr);

	kt_jsonw_init(&w, &out);
	kt_jsonw_array(&w);
	kt_jsonw_int(&w, 0);
	kt_jsonw_value(&w, v);
	kt_jsonw_value(&w, json_object_get(v, "n"));
	kt_jsonw_end(&w);
	/* members in insertion order */
	assert_string_equal(out.buf,
		"[0,{\"z\":-9223372036854775808,\"a\":\"x?y?\",\"r\":2.5,"
		"\"t\":true,\"f\":false,\"n\":null,\"e\":{},"
		"\"l\":[1,[],\"q\\\"\\\\\"]},null]");
	/* and after a key */
	strbuf_reset(&out);
	kt_jsonw_init(&w, &out);
	kt_jsonw_object(&w);
	kt_jsonw_key(&w, "v");
	kt_jsonw_value(&w, arr);
	kt_jsonw_key(&w, "w");
	kt_jsonw_value(&w, json_object_get(v, "e"));
	kt_jsonw_end(&w);
	assert_string_equal(out.buf, "{\"v\":[1,[],\"q\\\"\\\\\"],\"w\":{}}");
	json_decref(v);
	strbuf_release(&out);
}

/* Whatever the bytes, jansson reads back the repaired string. */
static void test_roundtrip(void **state)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf fixed = STRBUF_INIT;
	uint32_t x = 88172645u;
	int round, i;

	(void)state;
	for (round = 0; round < 3000; round++) {
		struct kt_jsonw w;
		json_error_t err;
		json_t *doc;

		strbuf_reset(&in);
		for (i = 0; i < round % 61; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			strbuf_addch(&in, round % 2 ? (int)(x & 0xff) :
				     "\"\\\n\t\x01\x7f\xc3\xa9\xff" "a/"[x % 12]);
		}
		strbuf_reset(&out);
		kt_jsonw_init(&w, &out);
		kt_jsonw_object(&w);
		kt_jsonw_key(&w, in.buf);
		kt_jsonw_strn(&w, in.buf, in.len);
		kt_jsonw_end(&w);
		doc = json_loadb(out.buf, out.len, 0, &err);
		if (!doc)
			fail_msg("round %d: %s: %s", round, err.text, out.buf);
		strbuf_reset(&fixed);
		kt_utf8_sanitize(&fixed, in.buf, in.len);
		{
			const char *key;
			json_t *val;

			assert_int_equal(json_object_size(doc), 1);
			json_object_foreach(doc, key, val) {
				assert_true(json_is_string(val));
				assert_int_equal(json_string_length(val),
						 fixed.len);
				assert_memory_equal(json_string_value(val),
						    fixed.buf, fixed.len);
				/* the key stopped at its first NUL */
				assert_true(!strncmp(key, fixed.buf,
						     strlen(key)));
			}
		}
		json_decref(doc);
	}
	strbuf_release(&in);
	strbuf_release(&out);
	strbuf_release(&fixed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
